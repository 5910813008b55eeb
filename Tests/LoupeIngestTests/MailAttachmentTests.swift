import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Mail attachments as articles of their own: which parts, their names and ids, their fields,
/// forwarded messages, caps, mailboxes, hostile input.
struct MailAttachmentTests {
    /// An unnamed attachment is named for its type: presentations and workbooks too, now read.
    @Test func unnamedAttachmentsAreNamedForTheirType() {
        for (type, name) in [
            ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "attachment.pptx"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment.xlsx"),
            ("application/vnd.oasis.opendocument.presentation", "attachment.odp"),
            ("application/vnd.oasis.opendocument.spreadsheet", "attachment.ods"),
            ("application/pdf", "attachment.pdf"), ("application/x-unknown", "attachment"),
        ] {
            let a = MIME.Attachment(kind: .document, name: nil, contentType: MIME.ContentType(type), body: [])
            #expect(MIME.defaultName(a) == name, "\(type)")
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func sample(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent(path)))
    }

    static func base64(_ b: [UInt8]) -> String {
        Data(b).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    }

    /// A part: its header lines and its body.
    typealias Part = (headers: String, body: String)

    static func attachment(_ type: String, _ name: String, _ bytes: [UInt8]) -> Part {
        (
            "Content-Type: \(type); name=\"\(name)\"\nContent-Disposition: attachment; filename=\"\(name)\"\n"
                + "Content-Transfer-Encoding: base64",
            base64(bytes)
        )
    }

    static let textBody: Part = (
        "Content-Type: text/plain; charset=utf-8", "The papers for Thursday are attached. See you at the quay."
    )

    /// A multipart/mixed message of `parts` (`headers` first, one per line).
    static func mail(
        _ parts: [Part], headers: String = "Message-ID: <m1@example.org>\nNewsgroups: harbour.talk",
        subject: String = "Papers for the board", boundary: String = "b1"
    ) -> String {
        var s = """
            From: Jane Doe <jane@example.org>
            To: desk@example.org
            Subject: \(subject)
            Date: Tue, 24 Jul 2007 10:00:00 +0000\(headers.isEmpty ? "" : "\n" + headers)
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="\(boundary)"

            This is a multi-part message in MIME format.

            """
        for p in parts { s += "--\(boundary)\n\(p.headers)\n\n\(p.body)\n" }
        return s + "--\(boundary)--\n"
    }

    static func load(_ s: String, _ path: String = "mail/1.eml") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    static var popplerMissing: Bool { Poppler.shared == nil }

    @Test func documentsAttachedBecomeArticlesInOrder() throws {
        let pdf = try Self.sample("Corpus/documents/harbour-minutes.pdf")
        let docx = try Self.sample("Corpus/documents/gangway-vote.docx")
        let rtf = try Self.sample("Corpus/documents/pier-lighting-memo.rtf")
        let qp: Part = (
            "Content-Type: text/plain; charset=iso-8859-1; name=\"notes.txt\"\n"
                + "Content-Disposition: attachment; filename=\"notes.txt\"\nContent-Transfer-Encoding: quoted-printable",
            "Tide notes\n\nThe caf=E9 on the quay sells bollard-shaped biscuits=\n for the regatta.\n"
        )
        let html: Part = (
            "Content-Type: text/html; charset=utf-8\nContent-Disposition: attachment; filename=\"agenda.html\"",
            "<html><head><title>Regatta agenda</title></head><body><p>Start at the breakwater lighthouse.</p></body></html>"
        )
        let image = Self.attachment("image/jpeg", "quay.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
        let r = Self.load(
            Self.mail([
                Self.textBody, Self.attachment("application/pdf", "harbour-minutes.pdf", pdf),
                Self.attachment(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "gangway-vote.docx", docx
                ),
                Self.attachment("application/rtf", "memo.rtf", rtf), qp, html, image,
            ]))
        #expect(!r.rejected)
        let sources = r.articles.map(\.source)
        var expected = [
            "mail/1.eml", "mail/1.eml/attachments/harbour-minutes.pdf", "mail/1.eml/attachments/gangway-vote.docx",
            "mail/1.eml/attachments/memo.rtf", "mail/1.eml/attachments/notes.txt",
            "mail/1.eml/attachments/agenda.html",
        ]
        if Self.popplerMissing {
            expected.remove(at: 1)
            #expect(r.retryLater, "a PDF not read for want of poppler is read again")
        } else {
            #expect(!r.retryLater)
        }
        #expect(sources == expected, "\(r.diagnostics)")
        let message = r.articles[0]
        #expect(message.id == "m1@example.org")
        #expect(message.body.contains("See you at the quay"))
        #expect(!message.body.contains("aluminium") && !message.body.contains("lamplighters"))

        let byName = Dictionary(r.articles.map { ($0.source.split(separator: "/").last.map(String.init)!, $0) }) {
            a, _ in a
        }
        let docArticle = try #require(byName["gangway-vote.docx"])
        #expect(docArticle.id == "m1@example.org/gangway-vote.docx")
        #expect(docArticle.idScope == nil)
        #expect(docArticle.title == "Council agrees new gangway for the ferry pier")
        #expect(docArticle.body.contains("aluminium"))
        #expect(docArticle.date == "2007-09-21T09:15:00Z", "the document's own date")
        #expect(docArticle.authors == ["Ines Calloway"], "the document's own author")
        #expect(docArticle.categories == ["ferries", "harbour works", "council", "harbour.talk"])
        #expect(docArticle.position == 0)

        let rtfArticle = try #require(byName["memo.rtf"])
        #expect(rtfArticle.body.contains("lamplighters") && rtfArticle.title == "Night lighting on the south pier")

        let notes = try #require(byName["notes.txt"])
        #expect(notes.title == "Tide notes")
        #expect(
            notes.body.contains("The café on the quay sells bollard-shaped biscuits for the regatta."), "\(notes.body)")
        #expect(notes.date == "2007-07-24T10:00:00Z", "the message's date when the document has none")
        #expect(notes.authors == ["Jane Doe"], "the message's From when the document names nobody")
        #expect(notes.categories == ["harbour.talk"])

        let agenda = try #require(byName["agenda.html"])
        #expect(agenda.title == "Regatta agenda" && agenda.body.contains("breakwater lighthouse"))

        if !Self.popplerMissing {
            let minutes = try #require(byName["harbour-minutes.pdf"])
            #expect(minutes.title == "Harbour Board: minutes of the October meeting")
            #expect(minutes.body.contains("Moorings"))
            #expect(minutes.id == "m1@example.org/harbour-minutes.pdf")
        }
        #expect(
            r.diagnostics.map(\.description).contains("mail/1.eml: note: 1 attachment not read (1 image)"),
            "\(r.diagnostics)")
        #expect(!sources.contains { $0.hasSuffix("quay.jpg") })
    }

    /// An archive attached to a mail is opened: its members are articles named inside it (and
    /// when the mail itself came out of an archive, the attached one is not opened).
    @Test func attachedArchivesAreOpened() throws {
        let zip = TestZip.archive([
            TestZip.Entry("papers/agenda.txt", "Agenda for Thursday\n\nzqzipagenda dredging first"),
            TestZip.Entry("papers/minutes.txt", "Minutes of July\n\nzqzipminutes the quay lights"),
        ])
        let text = Self.mail([Self.textBody, Self.attachment("application/zip", "board-papers.zip", zip)])
        let r = Self.load(text)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(
            r.articles.map(\.source) == [
                "mail/1.eml", "mail/1.eml/attachments/board-papers.zip/papers/agenda.txt",
                "mail/1.eml/attachments/board-papers.zip/papers/minutes.txt",
            ])
        #expect(r.articles.dropFirst().map(\.title) == ["Agenda for Thursday", "Minutes of July"])
        #expect(
            r.articles.dropFirst().map(\.id) == [
                "m1@example.org/board-papers.zip/papers/agenda.txt",
                "m1@example.org/board-papers.zip/papers/minutes.txt",
            ], "\(r.articles.map(\.id))")
        // The members inherit the mail's date and author.
        #expect(
            r.articles.dropFirst().allSatisfy { $0.date == r.articles[0].date && $0.authors == r.articles[0].authors })
        // The same mail inside a tar archive: the attached zip stays closed, with a warning.
        let tar = TarTests.archive([TarTests.entry("mail/1.eml", Array(text.utf8))])
        let t = ArticleLoading.load(tar, relativePath: "box.tar")
        #expect(t.articles.map(\.source) == ["box.tar/mail/1.eml"])
        #expect(t.diagnostics.contains { $0.message.contains("archive inside an archive") }, "\(t.diagnostics)")
    }

    @Test func namesInTheirEncodingsAndDuplicates() throws {
        let a = Array("first text file\n\nalpha words\n".utf8)
        let b = Array("second text file\n\nbeta words\n".utf8)
        let c = Array("third\n\ngamma words\n".utf8)
        let d = Array("fourth\n\ndelta words\n".utf8)
        let e = Array("fifth\n\nepsilon words\n".utf8)
        let parts: [Part] = [
            Self.textBody,
            // RFC 2231 with a charset and percent escapes.
            (
                "Content-Type: text/plain\nContent-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rates.txt\n"
                    + "Content-Transfer-Encoding: base64", Self.base64(a)
            ),
            // RFC 2231 continuations, the first encoded, the second plain, folded.
            (
                "Content-Type: text/plain\nContent-Disposition: attachment;\n filename*0*=ISO-8859-1''M%FCnster%20;\n"
                    + " filename*1=\"tides.txt\"\nContent-Transfer-Encoding: base64", Self.base64(b)
            ),
            // RFC 2047 in a type's name, no disposition: a non-text type is an attachment.
            (
                "Content-Type: application/octet-stream; name=\"=?UTF-8?B?w4Zyw7hza8O4YmluZw==?=.txt\"\n"
                    + "Content-Transfer-Encoding: base64", Self.base64(c)
            ),
            // Twice the same name, once with a Windows directory.
            (
                "Content-Type: text/plain; name=\"C:\\\\Users\\\\jd\\\\same.txt\"\nContent-Disposition: attachment\n"
                    + "Content-Transfer-Encoding: base64", Self.base64(d)
            ),
            Self.attachment("text/plain", "same.txt", e),
        ]
        let r = Self.load(Self.mail(parts))
        #expect(
            r.articles.map(\.source) == [
                "mail/1.eml", "mail/1.eml/attachments/€ rates.txt", "mail/1.eml/attachments/Münster tides.txt",
                "mail/1.eml/attachments/Ærøskøbing.txt", "mail/1.eml/attachments/same.txt",
                "mail/1.eml/attachments/same.txt#2",
            ], "\(r.diagnostics)")
        #expect(
            r.articles.map(\.id) == [
                "m1@example.org", "m1@example.org/€ rates.txt", "m1@example.org/Münster tides.txt",
                "m1@example.org/Ærøskøbing.txt", "m1@example.org/same.txt", "m1@example.org/same.txt#2",
            ])
        #expect(r.articles[4].body.contains("delta") && r.articles[5].body.contains("epsilon"))
        #expect(Set(r.articles.map(\.identity)).count == r.articles.count)
    }

    @Test func filenameParameters() {
        #expect(MIME.filename(disposition: ["filename": "a.pdf"], type: ["name": "b.pdf"]) == "a.pdf")
        #expect(MIME.filename(disposition: [:], type: ["name": "b.pdf"]) == "b.pdf")
        #expect(MIME.filename(disposition: ["filename*": "utf-8'en'caf%C3%A9.doc"], type: [:]) == "café.doc")
        #expect(MIME.filename(disposition: ["filename*": "''plain%20name.rtf"], type: [:]) == "plain name.rtf")
        #expect(
            MIME.filename(disposition: ["filename*0": "long-", "filename*1": "name", "filename*2": ".odt"], type: [:])
                == "long-name.odt")
        #expect(MIME.filename(disposition: ["filename": "../../etc/passwd"], type: [:]) == "passwd")
        #expect(MIME.filename(disposition: ["filename": "a\u{7}b\u{202E}c.txt"], type: [:]) == "a b c.txt")
        #expect(MIME.filename(disposition: ["filename": ".."], type: [:]) == nil)
        #expect(MIME.filename(disposition: [:], type: [:]) == nil)
        #expect(MIME.filename(disposition: ["filename": String(repeating: "x", count: 500)], type: [:])?.count == 200)
    }

    @Test func whichPartsAreAttachments() {
        // A named text part that is the body, inline parts with a name after it, and the
        // alternative's parts (never attachments).
        let parts: [Part] = [
            (
                "Content-Type: multipart/alternative; boundary=alt",
                """
                --alt
                Content-Type: text/plain; name="body.txt"

                Body in plain words.
                --alt
                Content-Type: text/html; name="body.html"

                <p>Body in <b>html</b> words.</p>
                --alt--
                """
            ),
            (
                "Content-Type: text/plain; name=\"appendix.txt\"\nContent-Disposition: inline",
                "Appendix\n\nInline appendix words."
            ),
            ("Content-Type: text/plain", "A second unnamed text part stays in the body."),
            (
                "Content-Type: application/pdf\nContent-Transfer-Encoding: base64",
                Self.base64(Array("%PDF-1.4 junk".utf8))
            ),
            Self.attachment("application/pkcs7-signature", "smime.p7s", [1, 2, 3]),
            Self.attachment("application/octet-stream", "winmail.dat", [1, 2, 3]),
            Self.attachment("text/calendar", "invite.ics", Array("BEGIN:VCALENDAR".utf8)),
            Self.attachment("text/x-vcard", "jane.vcf", Array("BEGIN:VCARD".utf8)),
            Self.attachment("application/octet-stream", "photo.JPG", [0xFF, 0xD8]),
            Self.attachment("application/pgp-signature", "signature.asc", [1]),
            ("Content-Type: image/png\nContent-ID: <logo>", "iVBORw0KGgo="),
        ]
        let r = Self.load(Self.mail(parts))
        #expect(!r.rejected)
        let body = r.articles.first?.body ?? ""
        #expect(body.contains("Body in plain words.") && body.contains("stays in the body"), "\(body)")
        #expect(!body.contains("Inline appendix words."))
        #expect(
            r.articles.map(\.source) == ["mail/1.eml", "mail/1.eml/attachments/appendix.txt"], "\(r.diagnostics)")
        let text = r.diagnostics.map(\.description)
        // The unnamed PDF is an attachment, named for its type; damaged: a warning, not an error.
        #expect(text.contains { $0.hasPrefix("mail/1.eml/attachments/attachment.pdf: warning: PDF") }, "\(text)")
        #expect(!r.diagnostics.contains { $0.severity == .error })
        #expect(
            text.contains(
                "mail/1.eml: note: 6 attachments not read (2 signatures, 1 winmail.dat, 1 calendar file, 1 contact card, 1 image)"
            ), "\(text)")
    }

    @Test func damagedAttachmentWarnsAndTheMessageStays() throws {
        var docx = try Self.sample("Corpus/documents/gangway-vote.docx")
        docx.removeSubrange((docx.count / 2)...)
        let r = Self.load(
            Self.mail([
                Self.textBody, Self.attachment("application/msword", "vote.docx", docx),
                Self.attachment(
                    "application/octet-stream", "blob.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 97) }),
                ("Content-Type: text/plain\nContent-Disposition: attachment; filename=empty.txt", "   "),
            ]))
        #expect(!r.rejected)
        #expect(r.articles.map(\.source) == ["mail/1.eml"])
        let warnings = r.diagnostics.filter { $0.severity == .warning }.map(\.path)
        #expect(warnings.contains("mail/1.eml/attachments/vote.docx"), "\(r.diagnostics)")
        #expect(warnings.contains("mail/1.eml/attachments/blob.bin"), "\(r.diagnostics)")
        #expect(warnings.contains("mail/1.eml/attachments/empty.txt"), "\(r.diagnostics)")
        #expect(!r.diagnostics.contains { $0.severity == .error })
    }

    @Test func forwardedMessageIsAnArticleWithItsAttachments() throws {
        let docx = try Self.sample("Corpus/documents/gangway-vote.docx")
        let inner = Self.mail(
            [
                ("Content-Type: text/plain", "Original words about the slipway tender."),
                Self.attachment("application/octet-stream", "vote.docx", docx),
            ], headers: "Message-ID: <inner@example.org>", subject: "Slipway tender", boundary: "in1")
        let innerNoID = "From: Tom <tom@example.org>\nSubject: No id here\n\nWords of the id-less forward.\n"
        let r = Self.load(
            Self.mail([
                Self.textBody,
                ("Content-Type: message/rfc822\nContent-Disposition: attachment; filename=\"fwd.eml\"", inner),
                ("Content-Type: message/rfc822", innerNoID),
            ]))
        #expect(
            r.articles.map(\.source) == [
                "mail/1.eml", "mail/1.eml/attachments/fwd.eml", "mail/1.eml/attachments/fwd.eml/attachments/vote.docx",
                "mail/1.eml/attachments/message.eml",
            ], "\(r.diagnostics)")
        #expect(!r.articles[0].body.contains("slipway"), "the forwarded text is its own article")
        let fwd = r.articles[1]
        #expect(fwd.id == "inner@example.org" && fwd.idScope == nil)
        #expect(fwd.title == "Slipway tender" && fwd.body.contains("slipway tender"))
        #expect(fwd.categories == ["harbour.talk"], "the forwarding message's categories too")
        #expect(r.articles[2].id == "inner@example.org/vote.docx")
        #expect(r.articles[2].body.contains("aluminium"))
        #expect(r.articles[3].id == "m1@example.org/message.eml")
        #expect(r.articles[3].authors == ["Tom"] && r.articles[3].date == "2007-07-24T10:00:00Z")
    }

    @Test func withoutMessageIDTheIdsFollowThePath() {
        let r = Self.load(
            Self.mail(
                [Self.textBody, Self.attachment("text/plain", "a.txt", Array("Alpha\n\nwords".utf8))], headers: ""),
            "dump/x.eml")
        #expect(r.articles.map(\.id) == ["dump/x.eml", "dump/x.eml/a.txt"])
        #expect(r.articles.map(\.source) == ["dump/x.eml", "dump/x.eml/attachments/a.txt"])
    }

    @Test func aMessageWithOnlyAnAttachment() {
        var s = "From: a@example.org\nDate: Tue, 24 Jul 2007 10:00:00 +0000\nMIME-Version: 1.0\n"
        s += "Content-Type: text/plain; name=\"scan.txt\"\nContent-Disposition: attachment; filename=\"scan.txt\"\n\n"
        s += "Scanned letter\n\nThe dredger arrives on Monday.\n"
        let r = Self.load(s)
        #expect(r.articles.map(\.source) == ["mail/1.eml/attachments/scan.txt"], "\(r.diagnostics)")
        #expect(r.articles.first?.body.contains("dredger") == true)
        #expect(!r.diagnostics.contains { $0.message.contains("no subject or text") })
    }

    @Test func caps() {
        // 103 small attachments: 100 read, the rest counted in one warning.
        let many = (0..<103).map { k in Self.attachment("text/plain", "n\(k).txt", Array("Note \(k)\n\nword\(k)".utf8))
        }
        let r = Self.load(Self.mail([Self.textBody] + many))
        #expect(r.articles.count == 101)
        #expect(
            r.diagnostics.map(\.description).contains(
                "mail/1.eml: warning: 3 more attachments not read (at most 100 per message)"), "\(r.diagnostics)")
        // An attachment over the per-attachment cap, decoded within the cap only.
        let big = MIME.Attachment(
            kind: .document, name: "big.txt", contentType: MIME.ContentType("text/plain"), transferEncoding: "base64",
            body: Array(Self.base64([UInt8](repeating: 0x41, count: 3000)).utf8)[...])
        #expect(MIME.decodeAttachment(big, cap: 2999) == nil)
        #expect(MIME.decodeAttachment(big, cap: 3000)?.count == 3000)
        var q = big
        q.transferEncoding = "quoted-printable"
        #expect(MIME.decodeAttachment(q, cap: 10) == nil)
    }

    @Test func totalDecodedBytesPerMessageAreCapped() {
        // Through the budget: a message whose attachments have used up the per-message total.
        let m = MailLoader.parse(
            Array(
                Self.mail([Self.textBody, Self.attachment("text/plain", "a.txt", Array("Alpha\n\nwords".utf8))]).utf8),
            relativePath: "a.eml")
        var budget = AttachmentBudget()
        budget.bytes = MailLoader.maxMessageAttachmentBytes - 3
        let r = MailLoader.attachments(of: m, parent: m.meta!, base: "a.eml/attachments", depth: 0, budget: &budget)
        #expect(r.articles.isEmpty)
        #expect(
            r.diagnostics.map(\.description) == [
                "a.eml/attachments/a.txt: warning: attachments of this message larger than 256 MB in all; skipped"
            ])
    }

    /// An index made by readers that left attachments out reads mail files again, once.
    @Test func olderIndexesReadMailFilesAgain() {
        #expect(ArticleLoading.readAgain("mail/x.eml", articles: 1, since: 2))
        #expect(ArticleLoading.readAgain("Takeout/All mail.MBOX", articles: 40, since: 2))
        #expect(!ArticleLoading.readAgain("mail/x.eml", articles: 1, since: ArticleLoading.version))
        #expect(!ArticleLoading.readAgain("text/x.txt", articles: 1, since: 2))
    }

    @Test func lenientBase64() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for n in [0, 1, 2, 3, 4, 5, 57, 999, 1000] {
            let enc = Self.base64(Array(data.prefix(n)))
            #expect(MIME.base64Lenient(Array(enc.utf8)[...], cap: 1 << 20) == Array(data.prefix(n)), "\(n)")
            // Junk and CRLF line ends are passed over.
            let junky = enc.replacingOccurrences(of: "\n", with: "\r\n\t*")
            #expect(MIME.base64Lenient(Array(junky.utf8)[...], cap: 1 << 20) == Array(data.prefix(n)), "\(n)")
        }
        // Two pieces encoded one after the other.
        let two = Data("ab".utf8).base64EncodedString() + Data("cd".utf8).base64EncodedString()
        #expect(MIME.base64Lenient(Array(two.utf8)[...], cap: 100) == Array("abcd".utf8))
        #expect(MIME.base64Lenient(Array("QUJD".utf8)[...], cap: 2) == nil)
    }

    static func mbox(_ messages: [String]) -> [UInt8] {
        var s = ""
        for (k, m) in messages.enumerated() { s += "From sender\(k)@example.org Tue Jul 24 10:00:00 2007\n" + m + "\n" }
        return Array(s.utf8)
    }

    @Test func mboxMessagesGiveTheirAttachmentsWholeAndStreamed() throws {
        let docx = try Self.sample("Corpus/documents/gangway-vote.docx")
        let rtf = try Self.sample("Corpus/documents/pier-lighting-memo.rtf")
        let bytes = Self.mbox([
            Self.mail(
                [Self.textBody, Self.attachment("application/octet-stream", "vote.docx", docx)], headers: "",
                subject: "First"),
            "From: b@example.org\nSubject: Plain\n\nNo attachment here.\n",
            Self.mail(
                [Self.textBody, Self.attachment("application/rtf", "memo.rtf", rtf)],
                headers: "Message-ID: <third@example.org>", subject: "Third"),
        ])
        let whole = MboxLoader().load(bytes, relativePath: "box/m.mbox")
        #expect(
            whole.articles.map(\.source) == [
                "box/m.mbox", "box/m.mbox/0/attachments/vote.docx", "box/m.mbox", "box/m.mbox",
                "box/m.mbox/2/attachments/memo.rtf",
            ], "\(whole.diagnostics)")
        #expect(
            whole.articles.map(\.id) == [
                "box/m.mbox#0", "box/m.mbox#0/vote.docx", "box/m.mbox#1", "third@example.org",
                "third@example.org/memo.rtf",
            ])
        #expect(whole.articles.map(\.position) == [0, 0, 1, 2, 2])
        #expect(whole.articles[1].idScope == "box" && whole.articles[4].idScope == nil)
        #expect(whole.articles[1].body.contains("aluminium") && whole.articles[4].body.contains("lamplighters"))
        let dir = TestScratch.url("attach-mbox")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.mbox").path
        try FileIO.write(bytes, to: file)
        for block in [1, 7, 100, 4096, 1 << 20] {
            let fd = open(file, O_RDONLY)
            defer { close(fd) }
            var got: [Article] = []
            var retry = false
            let d = MboxLoader().stream(fd: fd, relativePath: "box/m.mbox", blockSize: block, retryLater: &retry) {
                got.append($0)
            }
            #expect(got == whole.articles, "block \(block)")
            #expect(d == whole.diagnostics)
            #expect(!retry)
        }
    }

    @Test func mboxWithAPDFAttachmentAndNoPopplerIsReadAgain() throws {
        let pdf = try Self.sample("Corpus/documents/harbour-minutes.pdf")
        let bytes = Self.mbox([Self.mail([Self.textBody, Self.attachment("application/pdf", "m.pdf", pdf)])])
        let r = MboxLoader().load(bytes, relativePath: "p.mbox")
        #expect(r.retryLater == Self.popplerMissing)
        #expect(r.articles.count == (Self.popplerMissing ? 1 : 2))
    }

    /// A sample with every kind of part, cut at every offset and with bytes flipped: no trap,
    /// never an error that rejects the message.
    @Test func hostileCutsAndFlips() throws {
        let docx = try Self.sample("Corpus/documents/gangway-vote.docx")
        let inner =
            "From: t@example.org\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=z\n\n--z\n"
            + "Content-Type: text/plain; name*0*=UTF-8''%E2%82; name*1*=%AC.txt\n\nEuro\n--z--\n"
        let sample = Array(
            Self.mail([
                Self.textBody, Self.attachment("application/octet-stream", "v.docx", Array(docx.prefix(3000))),
                ("Content-Type: message/rfc822", inner),
                (
                    "Content-Type: text/plain\nContent-Disposition: attachment; filename==?UTF-8?B?w4Z?=\n"
                        + "Content-Transfer-Encoding: quoted-printable", "a=\nb=4"
                ),
            ]).utf8)
        let step = max(1, sample.count / 600)
        for cut in stride(from: 0, through: sample.count, by: step) {
            let r = ArticleLoading.load(Array(sample[..<cut]), relativePath: "h.eml")
            _ = r.articles.count
            _ = MboxLoader().load(
                Array("From a@b Tue Jul 24 10:00:00 2007\n".utf8) + sample[..<cut], relativePath: "h.mbox")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var b = sample
            for _ in 0..<8 {
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] = [UInt8(ascii: "\n"), UInt8(ascii: "-"), UInt8(ascii: "="), 0, 0xFF, UInt8.random(in: 0...255)]
                    .randomElement(using: &rng)!
            }
            _ = ArticleLoading.load(b, relativePath: "f.eml")
        }
        // Deeply forwarded: each level a text and the previous level forwarded; the forwards
        // below the depth limit are not articles, their text joins the deepest one's (as far
        // as MIME's nesting limit goes).
        var deep = "From: x@example.org\nSubject: bottom\n\nbottom words\n"
        for k in 0..<12 {
            deep =
                "From: x@example.org\nSubject: level \(k)\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=\"l\(k)\"\n\n--l\(k)\nContent-Type: text/plain\n\n"
                + "words of level \(k)\n--l\(k)\nContent-Type: message/rfc822\n\n" + deep + "\n--l\(k)--\n"
        }
        let r = Self.load(deep, "deep.eml")
        #expect(!r.rejected)
        #expect(r.articles.count == MailLoader.maxDepth + 1, "\(r.articles.map(\.title))")
        #expect(r.articles.first?.title == "level 11")
        #expect(r.articles.last?.title == "level 7")
        #expect(r.articles.last?.body.contains("words of level 6") == true)
        // Many boundaries and empty parts: linear.
        var wide = Self.mail([])
        wide.removeLast("--b1--\n".count)
        wide += String(repeating: "--b1\n\n", count: 50_000) + "--b1--\n"
        let clock = ContinuousClock.now
        _ = Self.load(wide)
        #expect(ContinuousClock.now - clock < .seconds(20))
    }
}
