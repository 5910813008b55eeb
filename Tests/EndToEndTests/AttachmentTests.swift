import Foundation
import Testing

/// `loupe index` on mail with attachments: an attached Word file is an article of its own,
/// found by a word only it holds, with its own title and the source
/// `mail.eml/attachments/<name>`, shown by its id and by that source; the message is still
/// found by its body's words. A PDF attachment read without poppler is read again next time.
@Suite("Mail attachments")
struct AttachmentTests {
    static func mail(_ name: String, _ type: String, _ bytes: [UInt8]) -> String {
        """
        From: Jane Doe <jane@example.org>
        To: desk@example.org
        Subject: Gangway papers
        Date: Tue, 24 Jul 2007 10:00:00 +0000
        Message-ID: <gangway-papers@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8

        The zqbodyword papers for the council are attached.
        --b1
        Content-Type: \(type); name="\(name)"
        Content-Disposition: attachment; filename="\(name)"
        Content-Transfer-Encoding: base64

        \(Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed]))
        --b1--

        """
    }

    static func corpus(_ name: String, _ file: String, _ type: String, _ sample: String) throws -> (URL, String) {
        let dir = try Loupe.tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let bytes = Array(try Data(contentsOf: Loupe.packageRoot.appendingPathComponent(sample)))
        try Self.mail(file, type, bytes).write(
            to: c.appendingPathComponent("papers.eml"), atomically: true, encoding: .utf8)
        return (c, dir.appendingPathComponent("idx").path)
    }

    @Test func attachedWordFileIsFoundAndShown() throws {
        let (c, idx) = try Self.corpus(
            "loupe-attach", "gangway-vote.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Corpus/documents/gangway-vote.docx")
        let r = try Loupe.run(["index", c.path, "--index", idx, "--no-topics", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["articles"] as? Int == 2, "\(r.stdout)")

        let found = Loupe.json(try Loupe.run(["find", "aluminium", "--index", idx, "--json"]).stdout)
        let hits = found["hits"] as? [[String: Any]] ?? []
        #expect(hits.count == 1, "\(found)")
        #expect(hits.first?["title"] as? String == "Council agrees new gangway for the ferry pier")
        #expect(hits.first?["source"] as? String == "papers.eml/attachments/gangway-vote.docx")
        #expect(hits.first?["id"] as? String == "gangway-papers@example.org/gangway-vote.docx")

        let show = try Loupe.run(["show", "gangway-papers@example.org/gangway-vote.docx", "--index", idx])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Council agrees new gangway for the ferry pier\n"), "\(show.stdout)")
        #expect(show.stdout.contains("aluminium"))
        let bySource = try Loupe.run(["show", "papers.eml/attachments/gangway-vote.docx", "--index", idx])
        #expect(bySource.status == 0 && bySource.stdout == show.stdout, "\(bySource.stderr)")

        let body = Loupe.json(try Loupe.run(["find", "zqbodyword", "--index", idx, "--json"]).stdout)
        let message = (body["hits"] as? [[String: Any]] ?? []).first
        #expect(message?["title"] as? String == "Gangway papers")
        #expect(message?["id"] as? String == "gangway-papers@example.org")
        #expect(message?["source"] as? String == "papers.eml")
        // The message's text holds no word of its attachment.
        #expect(try Loupe.run(["find", "aluminium AND zqbodyword", "--index", idx]).status == 1)
    }

    @Test func pdfAttachmentWithoutPopplerIsReadAgain() throws {
        let (c, idx) = try Self.corpus(
            "loupe-attach-pdf", "minutes.pdf", "application/pdf", "Corpus/documents/harbour-minutes.pdf")
        let r = try Loupe.run(["index", c.path, "--index", idx, "--no-topics"], env: ["LOUPE_NO_POPPLER": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("papers.eml/attachments/minutes.pdf: warning: PDF not read: libpoppler-glib8"),
            "\(r.stderr)")
        #expect(try Loupe.run(["find", "zqbodyword", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "cormorants", "--index", idx]).status == 1)
        // With the library, the next run reads the mail again, unchanged as it is.
        let again = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--no-topics", "--json"]).stdout)
        #expect(again["files"] as? Int == 1, "\(again)")
        let hit = Loupe.json(try Loupe.run(["find", "cormorants", "--index", idx, "--json"]).stdout)
        #expect(
            (hit["hits"] as? [[String: Any]])?.first?["source"] as? String == "papers.eml/attachments/minutes.pdf")
        let third = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--no-topics", "--json"]).stdout)
        #expect(third["files"] as? Int == 0, "\(third)")
    }

    /// A streamed mailbox (as one of 32 MB or more is) whose PDF attachment needs poppler is
    /// read again too.
    @Test func streamedMailboxWithAPDFAttachmentIsReadAgain() throws {
        let (c, idx) = try Self.corpus(
            "loupe-attach-mbox", "minutes.pdf", "application/pdf", "Corpus/documents/harbour-minutes.pdf")
        let eml = c.appendingPathComponent("papers.eml")
        let text = try String(contentsOf: eml, encoding: .utf8)
        try FileManager.default.removeItem(at: eml)
        try ("From jane@example.org Tue Jul 24 10:00:00 2007\n" + text).write(
            to: c.appendingPathComponent("box.mbox"), atomically: true, encoding: .utf8)
        let env = ["LOUPE_NO_POPPLER": "1", "LOUPE_STREAM_BYTES": "1000"]
        let r = try Loupe.run(["index", c.path, "--index", idx, "--no-topics"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("box.mbox/0/attachments/minutes.pdf: warning: PDF not read"), "\(r.stderr)")
        let again = Loupe.json(
            try Loupe.run(
                ["index", c.path, "--index", idx, "--no-topics", "--json"], env: ["LOUPE_STREAM_BYTES": "1000"]
            ).stdout)
        #expect(again["files"] as? Int == 1, "\(again)")
        let hit = Loupe.json(try Loupe.run(["find", "cormorants", "--index", idx, "--json"]).stdout)
        #expect((hit["hits"] as? [[String: Any]])?.first?["source"] as? String == "box.mbox/0/attachments/minutes.pdf")
    }

    /// The sample corpus's mail with an RTF attachment: the word "fairlead" is only in it.
    @Test func sampleMailAttachment() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = Loupe.json(try Loupe.run(["find", "fairlead", "--index", index, "--json"]).stdout)
        let hits = r["hits"] as? [[String: Any]] ?? []
        #expect(r["total"] as? Int == 1, "\(r)")
        #expect(hits.first?["title"] as? String == "Winter ferry timetable")
        #expect(
            hits.first?["source"] as? String == "mail/ferry-timetable-attached.eml/attachments/winter-timetable.rtf")
        #expect(hits.first?["id"] as? String == "winter-timetable-2007@ferries.example.org/winter-timetable.rtf")
        let m = Loupe.json(
            try Loupe.run(["find", "\"timetable for the island ferry is attached\"", "--index", index, "--json"]).stdout
        )
        #expect((m["hits"] as? [[String: Any]])?.first?["title"] as? String == "Winter timetable for the island ferry")
    }

    /// A tar archive attached to a mail (made by the system's tar): its members are found and
    /// shown by their path inside the attachment.
    @Test func attachedArchiveMembersAreFound() throws {
        let dir = try Loupe.tempDir("loupe-attached-tar")
        let src = dir.appendingPathComponent("src/papers")
        let corpus = dir.appendingPathComponent("corpus")
        for d in [src, corpus] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try "Agenda for Thursday\n\nzqtaragenda dredging first\n".write(
            to: src.appendingPathComponent("agenda.txt"), atomically: true, encoding: .utf8)
        let tarPath = dir.appendingPathComponent("papers.tar").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-cf", tarPath, "-C", dir.appendingPathComponent("src").path, "papers"]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let b64 = try Data(contentsOf: URL(fileURLWithPath: tarPath)).base64EncodedString(
            options: .lineLength76Characters)
        let mail = """
            From: Jane Doe <jane@example.org>
            Subject: Papers for the board
            Date: Tue, 24 Jul 2007 10:00:00 +0000
            Message-ID: <tar1@example.org>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            The papers are attached.
            --b1
            Content-Type: application/x-tar; name="papers.tar"
            Content-Disposition: attachment; filename="papers.tar"
            Content-Transfer-Encoding: base64

            \(b64)
            --b1--

            """
        try mail.write(to: corpus.appendingPathComponent("papers.eml"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        let o = Loupe.json(try Loupe.run(["find", "zqtaragenda", "--index", idx, "--json"]).stdout)
        let hit = (o["hits"] as? [[String: Any]])?.first
        #expect(hit?["source"] as? String == "papers.eml/attachments/papers.tar/papers/agenda.txt")
        #expect(hit?["title"] as? String == "Agenda for Thursday")
        let shown = try Loupe.run(["show", "papers.eml/attachments/papers.tar/papers/agenda.txt", "--index", idx])
        #expect(shown.status == 0 && shown.stdout.contains("zqtaragenda"))
    }
}
