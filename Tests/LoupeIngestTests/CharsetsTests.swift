import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

#if canImport(Glibc)
    import Glibc
#endif

@Suite("charsets: declared ones through iconv, undeclared East Asian text")
struct CharsetsTests {
    /// `text` encoded in `charset` (the test's own iconv call, the other way round).
    static func encode(_ text: String, _ charset: String) -> [UInt8] {
        let cd = iconv_open(charset, "UTF-8")!
        defer { iconv_close(cd) }
        var input = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let n = input.withUnsafeMutableBufferPointer { inb in
            out.withUnsafeMutableBufferPointer { outb in
                var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inb.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outb.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var il = inb.count
                var ol = outb.count
                _ = iconv(cd, &ip, &il, &op, &ol)
                _ = iconv(cd, nil, nil, &op, &ol)  // back to ASCII (ISO-2022-JP)
                return outb.count - ol
            }
        }
        return Array(out.prefix(n))
    }

    /// A feed's articles and diagnostics as the streaming reader gives them from a file.
    static func streamed(_ bytes: [UInt8], _ scratch: String) throws -> ([Article], [Diagnostic]) {
        let dir = TestScratch.url(scratch)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("f.xml").path
        try FileIO.write(bytes, to: path)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var got: [Article] = []
        let diags = FeedLoader().stream(fd: fd, relativePath: "f.xml") { got.append($0) }
        return (got, diags)
    }

    /// A one-item feed read whole and streamed: its title (and, whole, its body) and its one
    /// diagnostic, `message`.
    static func expectRead(
        _ bytes: [UInt8], as encoding: String, title: String, body: String, message: String, scratch: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let whole = ArticleLoading.load(bytes, relativePath: "f.xml")
        #expect(whole.articles.first?.title == title, "\(encoding)", sourceLocation: sourceLocation)
        #expect(whole.articles.first?.body == body, "\(encoding)", sourceLocation: sourceLocation)
        #expect(whole.diagnostics.map(\.message) == [message], sourceLocation: sourceLocation)
        let (got, diags) = try streamed(bytes, scratch)
        #expect(got.first?.title == title, "\(encoding) streamed", sourceLocation: sourceLocation)
        #expect(diags.map(\.message) == [message], sourceLocation: sourceLocation)
    }

    static let japanese = "東京の天気\n\n今日の東京は晴れです。港では大型船の入港に備えて工事が進んでいる。関係者によると、作業は来年まで続く見込みだ。\n"
    static let simplified = "上海港新闻\n\n上海港的集装箱吞吐量创下新高。港口管理部门说，这是由于国际贸易的恢复和新码头的开放。\n"
    static let traditional = "台北新聞\n\n台北市政府今天說，這個計畫將在明年完成。市民對於新的交通系統有很多期待。\n"
    static let korean = "부산항 소식\n\n부산항의 물동량이 크게 증가했다. 항만 당국은 새로운 부두가 내년에 문을 열 것이라고 밝혔다.\n"

    /// Undeclared text in each legacy encoding is recognised and read back exactly.
    @Test(arguments: [
        (japanese, "SHIFT_JIS", "Shift_JIS"), (japanese, "EUC-JP", "EUC-JP"), (simplified, "GB2312", "GB18030"),
        (traditional, "BIG5", "Big5"), (korean, "EUC-KR", "EUC-KR"),
    ])
    func undeclaredEastAsianTextIsRecognised(text: String, charset: String, label: String) {
        let bytes = CharsetsTests.encode(text, charset)
        #expect(bytes.count > 20 && Array(text.utf8) != bytes)
        let (decoded, outcome) = TextDecoding.decode(bytes)
        #expect(outcome == .legacy(label), "\(charset)")
        #expect(decoded == text, "\(charset)")
    }

    /// Undeclared Russian in windows-1251 or KOI8-R is read as such (each is the other with its
    /// cases swapped); Latin-1 French stays Latin-1.
    @Test(arguments: [("WINDOWS-1251", "windows-1251"), ("KOI8-R", "KOI8-R")])
    func undeclaredCyrillicTextIsRecognised(charset: String, label: String) {
        let russian =
            "Новости порта\n\nВ порту началось строительство нового причала. Работы продлятся до следующего года.\n"
        let (decoded, outcome) = TextDecoding.decode(CharsetsTests.encode(russian, charset))
        #expect(outcome == .legacy(label))
        #expect(decoded == russian)
    }

    /// An RSS feed that declares no encoding and is written in a legacy encoding is read in it,
    /// whole and streamed, with a note (it used to be read as Latin-1: mojibake); one that
    /// declares UTF-8, or is Latin-1 French, keeps the Latin-1 reading and its warning.
    @Test(arguments: [
        (japanese, "SHIFT_JIS", "Shift_JIS"), (simplified, "GB2312", "GB18030"), (traditional, "BIG5", "Big5"),
        (korean, "EUC-KR", "EUC-KR"),
        (
            "Новости порта. В порту началось строительство нового причала. Работы продлятся до следующего года.",
            "KOI8-R", "KOI8-R"
        ),
    ])
    func undeclaredLegacyFeedsAreReadInTheirEncoding(text: String, charset: String, label: String) throws {
        let title = String(text.prefix { $0 != "\n" && $0 != "." })
        for declaration in ["", "<?xml version=\"1.0\"?>\n"] {
            let feed =
                declaration
                + "<rss version=\"2.0\"><channel><title>c</title><item><guid>https://e.example/1</guid><title>\(title)</title><description>\(text)</description></item></channel></rss>"
            let bytes = CharsetsTests.encode(feed, charset)
            #expect(!ArticleLoading.load(bytes, relativePath: "f.xml").rejected, "\(charset)")
            try CharsetsTests.expectRead(
                bytes, as: charset, title: title, body: HTMLText.collapse(text),
                message: "not UTF-8 and no encoding declared; read as \(label)", scratch: "legacy-feed")
        }
        let declaredUTF8 = CharsetsTests.encode(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><item><title>\(title)</title></item></channel></rss>",
            charset)
        #expect(ArticleLoading.load(declaredUTF8, relativePath: "g.xml").articles.first?.title != title)
        let french = CharsetsTests.encode(
            "<rss><channel><item><title>Le café à côté</title></item></channel></rss>", "ISO-8859-1")
        let r = ArticleLoading.load(french, relativePath: "h.xml")
        #expect(r.articles.first?.title == "Le café à côté")
        #expect(r.diagnostics.first?.message.contains("Latin-1") == true)
    }

    /// A feed or page that declares Latin-1 or another byte encoding but is written in UTF-8
    /// (re-saved without its declaration changed, as a real AFP item is) is read as UTF-8, with
    /// a warning for the feed; one really in its declared encoding is read in it.
    @Test func declaredEncodingsThatAreUTF8AreReadAsUTF8() throws {
        let title = "Décès de l'opératrice condamnée"
        for encoding in ["ISO-8859-1", "windows-1252", "GB2312"] {
            let feed = Array(
                "<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<rss><channel><item><guid>g</guid><title>\(title)</title><description>Le café, à côté.</description></item></channel></rss>"
                    .utf8)
            try CharsetsTests.expectRead(
                feed, as: encoding, title: title, body: "Le café, à côté.",
                message: "declared \(encoding) but written in UTF-8; read as UTF-8", scratch: "misdeclared-feed")
        }
        let latin1 = CharsetsTests.encode(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>\(title)</title></item></channel></rss>",
            "ISO-8859-1")
        let r = ArticleLoading.load(latin1, relativePath: "l.xml")
        #expect(r.articles.first?.title == title)
        #expect(r.diagnostics.isEmpty)
        let page = Array(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><title>人工智能迈上新台阶</title></head><body><p>上海港的集装箱吞吐量创下新高。</p></body></html>"
                .utf8)
        let html = HTMLLoader().load(page, relativePath: "p.html")
        #expect(html.articles.first?.title == "人工智能迈上新台阶")
        #expect(html.articles.first?.body == "上海港的集装箱吞吐量创下新高。")
        let gb = CharsetsTests.encode(
            "<html><head><meta charset=\"gb2312\"><title>人工智能迈上新台阶</title></head><body><p>上海港的集装箱吞吐量创下新高。</p></body></html>",
            "GB2312")
        #expect(HTMLLoader().load(gb, relativePath: "q.html").articles.first?.title == "人工智能迈上新台阶")
    }

    /// Western and Cyrillic single-byte text, random bytes and UTF-8 are not taken for East
    /// Asian text.
    @Test func otherTextIsNotTakenForEastAsian() {
        let french = "Le conseil a approuvé les travaux de dragage. Été, hiver, café, crème brûlée, à côté.\n"
        #expect(TextDecoding.decode(CharsetsTests.encode(french, "ISO-8859-1")).1 == .latin1(line: 1))
        let russian =
            "Новости порта. В порту началось строительство нового причала. Работы продлятся до следующего года.\n"
        #expect(Charsets.legacyEastAsian(CharsetsTests.encode(russian, "KOI8-R")[...]) == nil)
        // Hebrew in windows-1255 is no windows-1251 Russian (its letters fall on а to ъ alone).
        let hebrew = "הממשלה אישרה היום את התוכנית החדשה לפיתוח הנמל. העבודות יימשכו עד השנה הבאה, כך נמסר מהרשות."
        #expect(Charsets.legacyCyrillic(CharsetsTests.encode(hebrew, "WINDOWS-1255")[...]) == nil)
        #expect(Charsets.legacyEastAsian(CharsetsTests.encode(russian, "WINDOWS-1251")[...]) == nil)
        var state: UInt64 = 5
        let random = (0..<4000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33) | 1
        }
        #expect(Charsets.legacyEastAsian(random[...]) == nil)
        #expect(TextDecoding.decode(Array(CharsetsTests.japanese.utf8)).1 == .utf8)
    }

    /// A declared charset is decoded by iconv; an invalid sequence becomes U+FFFD and decoding
    /// goes on; an unknown name gives nil (the caller falls back).
    @Test func declaredCharsets() {
        #expect(Charsets.decode(CharsetsTests.encode("Привет, мир", "KOI8-R"), charset: "koi8-r") == "Привет, мир")
        #expect(Charsets.decode(CharsetsTests.encode("東京港の工事", "ISO-2022-JP"), charset: "ISO-2022-JP") == "東京港の工事")
        #expect(Charsets.decode([0x41, 0x82, 0xA0, 0xFF, 0x42], charset: "SHIFT_JIS") == "A\u{3042}\u{FFFD}B")
        #expect(Charsets.decode([0x41, 0x82], charset: "SHIFT_JIS") == "A\u{FFFD}")
        #expect(Charsets.decode([0x41, 0xFF, 0x42], charset: "SHIFT_JIS", strict: true) == nil)
        #expect(Charsets.decode([0x41], charset: "no-such-charset") == nil)
        // A mail part in KOI8-R and an ISO-2022-JP encoded word.
        #expect(MIME.decodeCharset(CharsetsTests.encode("Новости", "KOI8-R"), charset: "KOI8-R") == "Новости")
        #expect(MailLoader.decodeEncodedWords("=?ISO-2022-JP?B?GyRCRWw1fjlBGyhC?=") == "東京港")
    }
}

@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    /// `TextDecoding.utf8String` (the loaders' fast path) accepts and refuses exactly what the
    /// standard library's validation does, on every sequence of up to 4 bytes from a set that
    /// holds each kind of boundary (overlong forms, surrogates, beyond U+10FFFF, truncations),
    /// and at every offset from an 8-byte boundary (the ASCII words it skips).
    @Test func agreesWithTheStandardLibrary() {
        let pieces: [UInt8] = [
            0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4,
            0xF5, 0xFF,
        ]
        var checked = 0
        var disagreements: [[UInt8]] = []
        func check(_ seq: [UInt8]) {
            for pad in [0, 5, 8, 13] {
                let b = [UInt8](repeating: 0x61, count: pad) + seq + [UInt8](repeating: 0x62, count: pad % 3)
                let expected = String(validating: b, as: UTF8.self)
                let got = b.withUnsafeBufferPointer(TextDecoding.utf8String)
                if got != expected { disagreements.append(b) }
                checked += 1
            }
        }
        for a in pieces {
            check([a])
            for b in pieces {
                check([a, b])
                for c in pieces {
                    check([a, b, c])
                    for d in pieces where a >= 0xF0 { check([a, b, c, d]) }
                }
            }
        }
        let firstFew = Array(disagreements.prefix(5))
        #expect(disagreements.count == 0, "\(firstFew)")
        #expect(checked > 100_000)
        #expect(TextDecoding.utf8String(UnsafeBufferPointer(start: nil, count: 0)) == "")
    }
}
