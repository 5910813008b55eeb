import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct MailLoaderTests {
    func load(_ s: String, _ path: String = "news/sci.space/60001") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    /// Apple Mail's `.emlx`: the byte count on the first line, the message, then Mail's property
    /// list, which is not text of the message.
    @Test func appleMailEmlx() throws {
        let message =
            "From: Ann Lee <ann@example.com>\nSubject: Quay lights\nDate: Tue, 5 Mar 2024 10:00:00 +0000\n"
            + "Message-ID: <quay@example.com>\n\nThe quay lights are fixed.\n"
        let plist =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>flags</key>"
            + "<integer>8590195713</integer><key>zqplist</key><string>x</string></dict></plist>\n"
        let emlx = "\(message.utf8.count)\n" + message + plist
        #expect(ArticleFormat.detect(Array(emlx.utf8)) == .mail)
        let r = load(emlx, "Mail/INBOX.mbox/Messages/1234.emlx")
        let a = try #require(r.articles.first)
        #expect(a.title == "Quay lights" && a.authors == ["Ann Lee"] && a.id == "quay@example.com")
        #expect(a.body == "The quay lights are fixed.", "\(a.body)")
        // A text file that merely opens with a number is text.
        #expect(ArticleFormat.detect(Array("1987\nA year of storms\n".utf8)) == .text)
    }

    /// A web page saved as one file (MHTML, as Chrome saves "Webpage, Single File"): read as the
    /// HTML page it holds — the article's text without the menu and script, the title, author
    /// and date from the page, the link the address it was saved from — not as a mail from
    /// `<Saved by Blink>`. A mail with an HTML body and an inline image stays a mail.
    @Test func savedWebPagesAreReadAsPages() throws {
        let mhtml = [
            "From: <Saved by Blink>",
            "Snapshot-Content-Location: https://gazette.example/ferry",
            "Subject: =?utf-8?Q?Ferry_fares_rise_=E2=80=94_Gazette?=",
            "Date: Tue, 5 Mar 2024 10:00:00 -0000",
            "MIME-Version: 1.0",
            "Content-Type: multipart/related;",
            "\ttype=\"text/html\";",
            "\tboundary=\"----MultipartBoundary--abc----\"",
            "", "",
            "------MultipartBoundary--abc----",
            "Content-Type: text/html",
            "Content-Transfer-Encoding: quoted-printable",
            "Content-Location: https://gazette.example/ferry",
            "",
            "<!DOCTYPE html><html><head><meta http-equiv=3D\"Content-Type\" content=3D\"text/=",
            "html; charset=3DUTF-8\"><title>Ferry fares rise =E2=80=94 Gazette</title><meta name=3D\"author\" con=",
            "tent=3D\"Jane Doe\"></head><body><nav>Home News zqnav</nav><article><h1>Ferry fares rise</h1>",
            "<p>The ferry company raised zqmhtfare prices by ten per cent.</p></article><script>var zqscript=3D1;</s=",
            "cript></body></html>",
            "------MultipartBoundary--abc----",
            "Content-Type: image/png",
            "Content-Transfer-Encoding: base64",
            "Content-Location: https://gazette.example/logo.png",
            "",
            "iVBORw0KGgo=",
            "------MultipartBoundary--abc------",
            "",
        ].joined(separator: "\r\n")
        let r = load(mhtml, "saved/ferry.mhtml")
        let a = try #require(r.articles.first)
        #expect(r.articles.count == 1)
        #expect(a.title == "Ferry fares rise")
        #expect(a.authors == ["Jane Doe"])
        #expect(a.body == "The ferry company raised zqmhtfare prices by ten per cent.", "\(a.body)")
        #expect(a.link == "https://gazette.example/ferry")
        #expect(a.date == "2024-03-05T10:00:00Z")
        #expect(a.id == "saved/ferry.mhtml")
        // The same shape sent as mail (no snapshot header, not from "Saved by", named .eml).
        let mail = mhtml.replacingOccurrences(of: "From: <Saved by Blink>", with: "From: Ann Lee <ann@example.com>")
            .replacingOccurrences(of: "Snapshot-Content-Location: https://gazette.example/ferry\r\n", with: "")
        let m = try #require(load(mail, "mail/ferry.eml").articles.first)
        #expect(m.authors == ["Ann Lee"] && m.title == "Ferry fares rise — Gazette")
    }

    @Test func usenetMessage() {
        let r = load(
            """
            Path: news.example!nntp.example!user
            From: someone@site.example (Some One)
            Newsgroups: sci.space, sci.astro
            Subject: Re: Launch window =?ISO-8859-1?Q?for_M=FCnster?= team
            Message-ID: <1993Apr5.101010.123@site.example>
            Date: Mon, 5 Apr 1993 10:10:10 GMT
            Organization: Example Org
            Lines: 3

            In article <abc@x.example> someone writes:
            > quoted line
            Our own answer.

            """)
        #expect(!r.rejected)
        #expect(r.articles.count == 1)
        let a = r.articles[0]
        #expect(a.title == "Re: Launch window for M\u{FC}nster team")
        #expect(a.id == "1993Apr5.101010.123@site.example")
        #expect(a.date == "1993-04-05T10:10:10Z")
        #expect(a.categories == ["sci.space", "sci.astro"])
        #expect(a.body == "In article <abc@x.example> someone writes:\n> quoted line\nOur own answer.")
        #expect(a.source == "news/sci.space/60001")
    }

    @Test func bydateStyleMessageWithLeadingContinuationAndFoldedSubject() {
        let r = load(
            " relay!host!user\r\nFrom: a@b.example\r\nSubject: A long subject\r\n\tcontinued here\r\nLines: 1\r\n\r\nBody text.\r\n",
            "20news/alt.test/51181")
        let a = r.articles.first
        #expect(a?.title == "A long subject continued here")
        #expect(a?.id == "20news/alt.test/51181")
        #expect(a?.date == nil)
        #expect(a?.categories == [])
        #expect(a?.body == "Body text.")
    }

    /// The From header's name: a comment after the address, a display name (an encoded-word
    /// decoded, quotes removed), else the bare address.
    @Test func fromGivesTheAuthor() {
        let usenet = load("From: someone@site.example (Some One)\nSubject: s\n\nbody\n")
        #expect(usenet.articles.first?.authors == ["Some One"])
        let encoded = load(
            "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jm@site.example>\nSubject: s\nDate: Mon, 5 Apr 1993 10:10:10 GMT\n\nbody\n"
        )
        #expect(encoded.articles.first?.authors == ["J\u{F6}rg M\u{FC}ller"])
        let quoted = load("From: \"Doe, Jane\" <j@site.example>\nSubject: s\n\nbody\n")
        #expect(quoted.articles.first?.authors == ["Doe, Jane"])
        let bare = load("From: j@site.example\nSubject: s\n\nbody\n")
        #expect(bare.articles.first?.authors == ["j@site.example"])
        let folded = load("From: someone@site.example\n (Some\n One)\nSubject: s\n\nbody\n")
        #expect(folded.articles.first?.authors == ["Some One"])
        let none = load("Subject: s\nNewsgroups: a.b\n\nbody\n")
        #expect(none.articles.first?.authors == [])
    }

    @Test func encodedWordsBase64AndUTF8() {
        #expect(MailLoader.decodeEncodedWords("=?utf-8?B?Y2Fmw6k=?= =?UTF-8?Q?_ol=C3=A9?=") == "caf\u{E9} ol\u{E9}")
        // A charset iconv knows is decoded; an unknown one is left encoded.
        #expect(MailLoader.decodeEncodedWords("plain =?koi8-r?Q?x?= text") == "plain x text")
        #expect(MailLoader.decodeEncodedWords("plain =?x-no-such?Q?x?= text") == "plain =?x-no-such?Q?x?= text")
    }

    @Test func latin1BodyWarnsWithItsLine() {
        var b = Array("From: a@b.example\nSubject: s\n\nline one\nZ".utf8)
        b += [0xFC]
        b += Array("rich\n".utf8)
        let r = ArticleLoading.load(b, relativePath: "m")
        #expect(r.articles.first?.body == "line one\nZ\u{FC}rich")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 5 && $0.message.contains("Latin-1") })
    }

    /// A single-part message in a declared charset is decoded in it: ISO-2022-JP is all 7-bit
    /// bytes and used to be indexed as its escape sequences; a body labelled ISO-8859-1 that is
    /// UTF-8 is read as UTF-8, a real Latin-1 one as Latin-1.
    @Test func declaredCharsetsOfSinglePartBodies() throws {
        var jp: [UInt8] = Array(
            "From: Atsushi Eno <x@x.example>\nSubject: test\nDate: Wed, 22 Jul 2015 01:02:29 +0900\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
                .utf8)
        jp += CharsetsTests.encode("日本語メールテスト\n正常に送れているか\n", "ISO-2022-JP")
        let a = try #require(ArticleLoading.load(jp, relativePath: "jp.eml").articles.first)
        #expect(a.body == "日本語メールテスト\n正常に送れているか")
        let head =
            "From: Jane <j@x.example>\nSubject: s\nDate: Wed, 22 Jul 2015 01:02:29 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        let utf8 = Array((head + "Le café à côté.\n").utf8)
        #expect(ArticleLoading.load(utf8, relativePath: "u.eml").articles.first?.body == "Le café à côté.")
        let latin1 = Array(head.utf8) + CharsetsTests.encode("Le café à côté.\n", "ISO-8859-1")
        #expect(ArticleLoading.load(latin1, relativePath: "l.eml").articles.first?.body == "Le café à côté.")
    }

    /// A header line with no colon in the middle of the header block (a long header folded
    /// without its blank, as Exchange writes its diagnostics) is passed over when a known or
    /// `X-` header follows: the headers after it, the MIME structure among them, used to be
    /// taken for the body.
    @Test func brokenFoldInsideTheHeaders() throws {
        let mail = """
            From: Jang <jang@x.example>
            Subject: R: R: I: the order
            Date: Wed, 15 Nov 2017 14:16:14 +0000
            x-microsoft-exchange-diagnostics: 1;AM4PR01MB1442;6:1Y77VdiYZ
            P8FxVksOO2tmFWl+LxT0Acgv7RaCFBKFmzA31fwJabrvuEaFINDvMVgEV9Cc41bylhc13t
            x-ms-exchange-antispam-srfa-diagnostics: SSOS;
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b1"

            This is a multi-part message in MIME format.

            --b1
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            Test headers caf=E9
            --b1--
            """
        let a = try #require(ArticleLoading.load(Array(mail.utf8), relativePath: "m.eml").articles.first)
        #expect(a.title == "R: R: I: the order")
        #expect(a.body == "Test headers café")
    }

    @Test func detection() {
        #expect(ArticleFormat.detect(Array("From: x@y.example\nSubject: hi\n\nbody".utf8)) == .mail)
        #expect(ArticleFormat.detect(Array("Xref: a\nPath: b\nSome-Custom: c\n\nbody".utf8)) == .mail)
        // Ordinary text that merely starts with `Word:` lines stays text.
        #expect(ArticleFormat.detect(Array("Note: buy milk\n\nand eggs".utf8)) == .text)
        #expect(ArticleFormat.detect(Array("Title: My notes\nDate: 2020-01-01\n\ntext".utf8)) == .text)
        #expect(ArticleFormat.detect(Array("Subject: one known\nThis is prose, not a header.\n".utf8)) == .text)
        #expect(ArticleFormat.detect(Array("Headline here\n\nBody line one.".utf8)) == .text)
    }
}
