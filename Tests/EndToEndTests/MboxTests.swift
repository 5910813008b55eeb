import Foundation
import Testing

/// `loupe index` on a directory holding an mbox mailbox: one article per message, found by a
/// word of its body with its subject as title, shown by its Message-ID; a Message-ID twice in a
/// mailbox is one article; a streamed mailbox gives the same index.
@Suite("mbox mailboxes")
struct MboxTests {
    static func mailbox(_ n: Int) -> String {
        (0..<n).map { i in
            """
            From user\(i) at example.org  Tue Oct  \(i % 9 + 1) 08:14:09 2007
            From: user\(i) at example.org (User Number\(i))
            Date: Tue, 0\(i % 9 + 1) Oct 2007 09:14:09 +0100
            Subject: Message \(i) about the pier
            Message-ID: <msg\(i)@example.org>

            Text of message \(i): zqmboxword\(i) and zqmboxall.

            >From the minutes.

            """
        }.joined(separator: "\n")
    }

    @Test func mailboxMessagesAreArticles() throws {
        let dir = try Loupe.tempDir("loupe-mbox")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(
            at: corpus.appendingPathComponent("lists"), withIntermediateDirectories: true)
        // The third message's id also appears as the fifth's: the later copy is kept.
        let text = Self.mailbox(5).replacingOccurrences(of: "<msg4@example.org>", with: "<msg2@example.org>")
        try text.write(
            to: corpus.appendingPathComponent("lists/2007-October.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["articles"] as? Int == 5, "\(r.stdout)")
        #expect(o["documentsInIndex"] as? Int == 4, "\(r.stdout)")
        #expect(o["duplicates"] as? Int == 1, "\(r.stdout)")

        let f = Loupe.json(try Loupe.run(["find", "zqmboxword1", "--index", idx, "--json"]).stdout)
        let hits = f["hits"] as? [[String: Any]] ?? []
        #expect(hits.count == 1)
        #expect(hits.first?["title"] as? String == "Message 1 about the pier")
        #expect(hits.first?["id"] as? String == "msg1@example.org")
        #expect(hits.first?["source"] as? String == "lists/2007-October.txt")
        // The first copy of msg2 was replaced by the later one.
        #expect(try Loupe.run(["find", "zqmboxword2", "--index", idx]).status == 1)
        #expect(try Loupe.run(["find", "zqmboxword4", "--index", idx]).status == 0)

        let show = try Loupe.run(["show", "msg1@example.org", "--index", idx, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let a = Loupe.json(show.stdout)
        #expect(a["title"] as? String == "Message 1 about the pier")
        #expect(a["authors"] as? [String] == ["User Number1"])
        #expect(a["date"] as? String == "2007-10-02T08:14:09Z")
        #expect((a["body"] as? String)?.contains("\nFrom the minutes.") == true, "\(show.stdout)")
        #expect(a["position"] as? Int == 1)

        // Streamed (every file over 1 KB), the same articles.
        let big = dir.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: big, withIntermediateDirectories: true)
        try Self.mailbox(300).write(to: big.appendingPathComponent("archive.mbox"), atomically: true, encoding: .utf8)
        let streamedIdx = dir.appendingPathComponent("s").path
        let wholeIdx = dir.appendingPathComponent("w").path
        let s = try Loupe.run(
            ["index", big.path, "--index", streamedIdx, "--json", "--no-topics"], env: ["LOUPE_STREAM_BYTES": "1024"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(Loupe.json(s.stdout)["documentsInIndex"] as? Int == 300)
        #expect(try Loupe.run(["index", big.path, "--index", wholeIdx, "--no-topics"]).status == 0)
        for q in ["zqmboxword150", "zqmboxall", "pier"] {
            let x = try Loupe.run(["find", q, "--index", streamedIdx, "--json", "--limit", "500"]).stdout
            let y = try Loupe.run(["find", q, "--index", wholeIdx, "--json", "--limit", "500"]).stdout
            let ids = { (s: String) in
                (Loupe.json(s)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(ids(x) == ids(y), "query \(q)")
            #expect(!ids(x).isEmpty, "query \(q)")
        }
    }

    /// The sample corpus's pipermail archive: a word of its third message finds it.
    @Test func sampleArchiveInTheCorpus() throws {
        let (_, idx) = try Loupe.indexedCorpus()
        let f = Loupe.json(try Loupe.run(["find", "windlass", "--index", idx, "--json"]).stdout)
        let hit = (f["hits"] as? [[String: Any]])?.first
        #expect(hit?["title"] as? String == "[harbour-list] Anchor windlass repairs on the Gull")
        #expect(hit?["source"] as? String == "mail/harbour-list-2007-10.mbox")
        let show = Loupe.json(try Loupe.run(["show", "471304CA.2080105@example.org", "--index", idx, "--json"]).stdout)
        #expect(show["authors"] as? [String] == ["Ines Harbourmaster"])
        #expect(show["position"] as? Int == 2)
    }
}
