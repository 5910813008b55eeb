import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// News-agency wire text (written here on the pattern of ANPA-1312 and IPTC 7901 messages).
struct WireTextLoaderTests {
    static let anpa =
        "\u{16}\u{16}\u{1}h1234\u{1F}-----\nr a\u{13}\u{11} BC-HAR--Quay-Lights 1stLd-Writethru   03-05 0250\r\n"
        + "\u{2}^BC-HAR--Quay-Lights, 1st Ld-Writethru,210<\r\n"
        + "^New lights for the north quay<\r\n"
        + "^Eds: Updates with mayor's quote.<\r\n"
        + "^AP Photo HAR101<\r\n"
        + "^By ANN LEE=\r\n"
        + "^Associated Press=\r\n"
        + "\t   PORTHAVEN (AP) _ The north quay got zqwire lights on Tuesday.\r\n"
        + "\t   ``At last,'' the mayor said.\r\n"
        + "\t   \u{3}AP-WF-03-05-24 1015GMT<\r\n\u{C}\r\n\u{4}"

    static let iptc =
        "\u{1}eca100 3 s 586 ccccb   dpa 099\r\n\nPorthaven-harbour/\r\n\u{2}1ST LEAD\r\n"
        + "Harbour lights switched on =\r\nBy Bo Chan, dpa =\r\n\n"
        + "   Porthaven (dpa) - The harbour's zqwire lights came on.\r\n\r\n"
        + "dpa bc xy\r\n\r\n\u{3}071341 GMT Okt 15 \r\n\u{7F}\u{4}"

    @Test func anpa1312() throws {
        #expect(ArticleFormat.detect(Array(Self.anpa.utf8)) == .wire)
        let r = ArticleLoading.load(Array(Self.anpa.utf8), relativePath: "wire/quay.tst")
        let a = try #require(r.articles.first)
        #expect(a.title == "New lights for the north quay")
        #expect(a.authors == ["ANN LEE"])
        #expect(a.date == "2024-03-05T10:15:00Z")
        #expect(a.body == "PORTHAVEN (AP) _ The north quay got zqwire lights on Tuesday.\n``At last,'' the mayor said.")
        #expect(a.id == "wire/quay.tst")
    }

    @Test func iptc7901() throws {
        #expect(ArticleFormat.detect(Array(Self.iptc.utf8)) == .wire)
        let a = try #require(ArticleLoading.load(Array(Self.iptc.utf8), relativePath: "wire/dpa.txt").articles.first)
        #expect(a.title == "Harbour lights switched on")
        #expect(a.authors == ["Bo Chan"])
        #expect(a.date == "2015-10-07T13:41:00Z")
        #expect(a.body.hasPrefix("Porthaven (dpa) - The harbour's zqwire lights came on."))
    }

    /// Several messages in one file: one article each; the slug is the title of a story that
    /// has no headline line; a file that merely opens with SOH is text.
    @Test func severalMessagesAndFallbacks() throws {
        let table =
            "\u{16}\u{16}\u{1}h1235\u{1F}-----\nu i\u{13}\u{12} BC-WEA--Tides     03-05 0100\r\n"
            + "\u{2}^BC-WEA--Tide Tables,<\r\n\t   High water 10:42.<\r\n\t   \u{3}AP-WF-03-05-24 0713GMT<\r\n\u{4}"
        let r = ArticleLoading.load(Array((Self.anpa + table).utf8), relativePath: "wire/feed.tst")
        #expect(r.articles.map(\.title) == ["New lights for the north quay", "Tide Tables"])
        #expect(r.articles.map(\.id) == ["wire/feed.tst#0", "wire/feed.tst#1"])
        #expect(ArticleFormat.detect(Array("\u{1}just a control byte\nand text\n".utf8)) != .wire)
        #expect(WireTextLoader.date("AP-WF-03-05-87 0713GMT") == "1987-03-05T07:13:00Z")
    }
}
