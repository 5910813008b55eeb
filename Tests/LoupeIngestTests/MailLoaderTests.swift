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
