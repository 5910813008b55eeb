import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// MIME mail bodies: transfer encodings, charsets, multipart choices, attachments skipped.
struct MIMETests {
    func body(_ headersAndBody: String) -> String? {
        let r = ArticleLoading.load(Array(headersAndBody.utf8), relativePath: "mail/1.eml")
        return r.articles.first?.body
    }

    static let head = """
        From: A <a@example.org>
        To: b@example.org
        Subject: Quarterly report
        Date: Tue, 24 Jul 2007 10:00:00 +0000
        Message-ID: <m1@example.org>
        MIME-Version: 1.0

        """

    /// A message: the common headers, then `headers` (one per line), a blank line and `text`.
    static func message(_ headers: String, _ text: String) -> String {
        head.replacingOccurrences(of: "MIME-Version: 1.0\n", with: "MIME-Version: 1.0\n" + headers + "\n\n") + text
    }

    @Test func quotedPrintableWithSoftBreaksAndLatin1() throws {
        let b = try #require(
            body(
                MIMETests.message(
                    "Content-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable",
                    "The caf=E9 in M=FCnster reopened after a long=\n closure; prices rose 5 =3D five percent.\n")))
        #expect(b.contains("The café in Münster reopened after a long closure;"), "\(b)")
        #expect(b.contains("5 = five percent"))
        #expect(!b.contains("=E9") && !b.contains("=\n"))
    }

    @Test func base64Utf8() throws {
        let text = "Überschwemmung in Köln: die Straßen stehen unter Wasser."
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let b = try #require(
            body(
                MIMETests.message(
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", encoded + "\n")))
        #expect(b == text)
    }

    @Test func alternativePrefersPlainAndAttachmentsAreSkipped() throws {
        let msg =
            MIMETests.message(
                "Content-Type: multipart/mixed; boundary=\"outer;1\"",
                """
                This is a multi-part message in MIME format.
                --outer;1
                Content-Type: multipart/alternative; boundary=inner

                --inner
                Content-Type: text/plain; charset=us-ascii

                Sales of the new bridge tolls rose sharply.
                --inner
                Content-Type: text/html; charset=us-ascii

                <p>Sales of the <b>new bridge</b> tolls rose sharply. HTMLONLY</p>
                --inner--
                --outer;1
                Content-Type: application/pdf; name=report.pdf
                Content-Disposition: attachment; filename=report.pdf
                Content-Transfer-Encoding: base64

                JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
                --outer;1
                Content-Type: text/plain

                Second note: figures attached.
                --outer;1--
                epilogue EPILOGUE
                """)
        let b = try #require(body(msg))
        #expect(b.contains("Sales of the new bridge tolls rose sharply."))
        #expect(b.contains("Second note: figures attached."))
        #expect(!b.contains("HTMLONLY"), "the plain alternative is taken")
        #expect(!b.contains("JVBERi0"), "attachments are skipped")
        #expect(!b.contains("multi-part message") && !b.contains("EPILOGUE"), "preamble and epilogue dropped")
        #expect(!b.contains("Content-Type"))
    }

    @Test func htmlOnlyBecomesText() throws {
        let b = try #require(
            body(
                MIMETests.message(
                    "Content-Type: text/html; charset=utf-8",
                    "<html><body><h1>Flood</h1><p>Water&nbsp;levels &amp; roads</p></body></html>\n")))
        #expect(b.contains("Flood") && b.contains("Water levels & roads"), "\(b)")
        #expect(!b.contains("<p>"))
    }

    @Test func hostileNestingAndMissingBoundariesSurvive() {
        // Unterminated parts, a boundary-less multipart, deep nesting: text or nothing, no trap.
        var msg = MIMETests.message("Content-Type: multipart/mixed; boundary=b0", "")
        for k in 0..<40 { msg += "--b\(k)\nContent-Type: multipart/mixed; boundary=b\(k + 1)\n\n" }
        msg += "--b40\nContent-Type: text/plain\n\ndeep text\n"
        _ = body(msg)
        let noBoundary =
            MIMETests.message("Content-Type: multipart/mixed", "plain words anyway\n")
        #expect(body(noBoundary)?.contains("plain words anyway") == true)
        #expect(MIME.quotedPrintable(Array("end=".utf8)[...]) == Array("end=".utf8))
        #expect(MIME.quotedPrintable(Array("bad=ZZ".utf8)[...]) == Array("bad=ZZ".utf8))
    }
}
