import Foundation
import Testing

/// `loupe index` on a corpus holding a `.tar.gz` made by the system's tar: its members are
/// indexed as files (a broken one reported, exit 3, the others kept), named inside the archive,
/// and a second run finds the archive unchanged.
@Suite("tar archives")
struct ArchiveTests {
    @Test func tarGzMembersAreIndexedAsFiles() throws {
        let dir = try Loupe.tempDir("loupe-tar")
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(
            at: src.appendingPathComponent("feeds"), withIntermediateDirectories: true)
        var items = ""
        for i in 0..<30 {
            items += "<item><guid>tg\(i)</guid><title>Item \(i)</title><description>zqtarfeed \(i)</description></item>"
        }
        try "<rss version=\"2.0\"><channel>\(items)</channel></rss>".write(
            to: src.appendingPathComponent("feeds/a.xml"), atomically: true, encoding: .utf8)
        try "Tar note\n\nzqtarnote text\n".write(
            to: src.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        try "<rss><channel><item>zqtarbroken".write(
            to: src.appendingPathComponent("broken.xml"), atomically: true, encoding: .utf8)
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-czf", corpus.appendingPathComponent("batch.tar.gz").path, "-C", src.path, "."]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("batch.tar.gz/broken.xml:"), "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["documentsInIndex"] as? Int == 31)
        let f = Loupe.json(try Loupe.run(["find", "zqtarfeed", "--index", idx, "--json", "--limit", "1"]).stdout)
        #expect(f["total"] as? Int == 30)
        let hit = (f["hits"] as? [[String: Any]])?.first
        #expect(hit?["source"] as? String == "batch.tar.gz/feeds/a.xml")
        #expect(try Loupe.run(["find", "zqtarnote", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "zqtarbroken", "--index", idx]).status == 1)
        // `related` takes a member as find shows its source.
        let rel = try Loupe.run(["related", "batch.tar.gz/note.txt", "--index", idx])
        #expect(rel.status != 2, "\(rel.stderr)")
        #expect(rel.stdout.contains("Related to: Tar note"), "\(rel.stdout)")
        let again = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"]).stdout)
        #expect(again["unchangedFiles"] as? Int == 1)
        #expect(again["documentsInIndex"] as? Int == 31)
    }

    /// The sample corpus's xz text and bzip2 tar archive (made with the system's xz and tar).
    @Test func sampleCorpusXZAndBZip2() throws {
        let (_, idx) = try Loupe.indexedCorpus()
        let tar = Loupe.json(try Loupe.run(["find", "lampwick", "--index", idx, "--json"]).stdout)
        let sources = ((tar["hits"] as? [[String: Any]]) ?? []).compactMap { $0["source"] as? String }.sorted()
        #expect(
            sources == [
                "archive/lighthouse-log.tar.bz2/lighthouse-log/1987-03-02.txt",
                "archive/lighthouse-log.tar.bz2/lighthouse-log/1987-03-09.txt",
            ])
        let xz = Loupe.json(try Loupe.run(["find", "buoyage", "--index", idx, "--json"]).stdout)
        let hit = (xz["hits"] as? [[String: Any]])?.first
        #expect(hit?["source"] as? String == "archive/harbour-notices.txt.xz")
        #expect(hit?["title"] as? String == "Harbour notices for the winter season")
    }

    /// The sample corpus's ZIP archive: each member an article named inside it; with every file
    /// streamed (`LOUPE_STREAM_BYTES=1`), the archive is read from the file, members in the
    /// same order.
    @Test func sampleCorpusZipArchive() throws {
        let (corpus, idx) = try Loupe.indexedCorpus()
        let streamedIndex = corpus.deletingLastPathComponent().appendingPathComponent("zip-streamed").path
        let r = try Loupe.run(
            ["index", corpus.path, "--index", streamedIndex, "--no-topics"], env: ["LOUPE_STREAM_BYTES": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        for index in [idx, streamedIndex] {
            let o = Loupe.json(try Loupe.run(["find", "Tarrowby", "--index", index, "--json"]).stdout)
            let hits = (o["hits"] as? [[String: Any]]) ?? []
            #expect(
                hits.compactMap { $0["source"] as? String }.sorted() == [
                    "archive/chandlery-notices.zip/notices/rope-prices.txt",
                    "archive/chandlery-notices.zip/notices/sail-loft.html",
                ], "\(index)")
            #expect(hits.contains { $0["title"] as? String == "Sail loft reopens above the chandlery" })
        }
        // `show` takes a member's path; one blank line between the header and a text's body.
        let shown = try Loupe.run(["show", "archive/chandlery-notices.zip/notices/rope-prices.txt", "--index", idx])
        #expect(
            shown.stdout.hasPrefix(
                "Chandlery raises rope prices for the spring refit\n"
                    + "archive/chandlery-notices.zip/notices/rope-prices.txt\n\nTarrowby's chandlery"),
            "\(shown.stdout)")
    }
}
