import Foundation
import Testing

@testable import LoupeCore

@Suite("streamed feeds")
struct StreamingTests {
    static func feed(items: Int, broken: Bool) -> String {
        var s = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>big</title>\n"
        for i in 0..<items {
            s +=
                "<item><title>Item \(i)</title><guid>g\(i)</guid><description>zqstreamitem number\(i) text</description></item>\n"
        }
        if broken { s += "<item><title>bad and broken</tilte></item>\n" }
        return s + "</channel></rss>\n"
    }

    @Test func streamedFeedIsIndexedAndABrokenOneLeavesNothing() throws {
        let dir = try Loupe.tempDir("loupe-stream")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try StreamingTests.feed(items: 500, broken: false).write(
            to: corpus.appendingPathComponent("good.xml"), atomically: true, encoding: .utf8)
        let bad = StreamingTests.feed(items: 300, broken: true).replacingOccurrences(
            of: "zqstreamitem", with: "zqleaked")
        try bad.write(to: corpus.appendingPathComponent("bad.xml"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        // Every file over 1 KB is streamed; tiny budget so that segments flush mid-file.
        let r = try Loupe.run(
            ["index", corpus.path, "--index", idx, "--memory", "1", "--json"], env: ["LOUPE_STREAM_BYTES": "1024"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad.xml:"))
        let o = Loupe.json(r.stdout)
        #expect(o["articles"] as? Int == 500)
        #expect(o["documentsInIndex"] as? Int == 500)
        let good = Loupe.json(try Loupe.run(["find", "zqstreamitem", "--index", idx, "--json"]).stdout)
        #expect(good["total"] as? Int == 500)
        // The broken file streamed 300 items before its error: none of them stay.
        #expect(try Loupe.run(["find", "zqleaked", "--index", idx]).status == 1)
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }

    /// Ill-formed feeds that feed readers read (a bare `&`, an undefined entity, `--` in a
    /// comment, a form feed) are indexed, read whole or streamed, each kind with a warning naming
    /// its line; exit 0 (nothing rejected).
    @Test func illFormedFeedsAreIndexedWithWarnings() throws {
        let dir = try Loupe.tempDir("loupe-ill-formed")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var s = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>AT&T</title>\n"
        for i in 0..<60 {
            s += "<!-- item \(i) -- made by a plugin -->\n"
            s +=
                "<item><guid>i\(i)</guid><title>Q&A \(i) &zqfoo;</title><description>zqillformed\u{0C}\(i)</description></item>\n"
        }
        try (s + "</channel></rss>\n").write(
            to: corpus.appendingPathComponent("ill.xml"), atomically: true, encoding: .utf8)
        for env in [[:], ["LOUPE_STREAM_BYTES": "1024"]] {
            let idx = dir.appendingPathComponent("idx\(env.count)").path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env)
            #expect(r.status == 0, "\(env): \(r.stderr)")
            for (line, what) in [
                (2, "& that begins"), (4, "undefined entity &zqfoo;"), (3, "-- inside"), (4, "U+000C"),
            ] {
                #expect(
                    r.stderr.contains("ill.xml:\(line): warning: not well-formed XML: \(what)"), "\(env): \(r.stderr)")
            }
            // In the order of their lines (the loader gathers them by kind).
            let lines = r.stderr.split(separator: "\n").compactMap { l -> Int? in
                guard l.hasPrefix("ill.xml:") else { return nil }
                return Int(l.dropFirst("ill.xml:".count).prefix { $0.isNumber })
            }
            #expect(lines == [2, 3, 4, 4], "\(env): \(r.stderr)")
            let o = Loupe.json(try Loupe.run(["find", "zqillformed", "--index", idx, "--json", "--limit", "1"]).stdout)
            #expect(o["total"] as? Int == 60, "\(env)")
            let hits = o["hits"] as? [[String: Any]] ?? []
            #expect((hits.first?["title"] as? String)?.hasPrefix("Q&A ") == true, "\(env)")
            #expect((hits.first?["title"] as? String)?.hasSuffix(" &zqfoo;") == true, "\(env)")
        }
    }

    /// HTML's named entities (no DTD) in a feed read whole and in one streamed: both indexed.
    @Test func htmlEntitiesInFeedsReadWholeAndStreamed() throws {
        let dir = try Loupe.tempDir("loupe-entities")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var s = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>e</title>\n"
        for i in 0..<60 {
            s +=
                "<item><guid>e\(i)</guid><title>Caf&eacute;&nbsp;\(i)</title><description>zqentity&mdash;\(i)</description></item>\n"
        }
        try (s + "</channel></rss>\n").write(
            to: corpus.appendingPathComponent("entities.xml"), atomically: true, encoding: .utf8)
        for env in [[:], ["LOUPE_STREAM_BYTES": "1024"]] {
            let idx = dir.appendingPathComponent("idx\(env.count)").path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env)
            #expect(r.status == 0, "\(env): \(r.stderr)")
            let o = Loupe.json(try Loupe.run(["find", "cafe", "--index", idx, "--json", "--limit", "1"]).stdout)
            #expect(o["total"] as? Int == 60, "\(env)")
            let hits = o["hits"] as? [[String: Any]] ?? []
            #expect((hits.first?["title"] as? String)?.hasPrefix("Café ") == true, "\(env)")
        }
    }

    @Test func streamedJSONLinesSkipsBadLinesOnly() throws {
        let dir = try Loupe.tempDir("loupe-stream-jsonl")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var lines: [String] = []
        for i in 0..<300 {
            lines.append(
                i == 150
                    ? "{not json" : "{\"_id\": \"j\(i)\", \"title\": \"T\(i)\", \"text\": \"zqjsonline number\(i)\"}")
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: corpus.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json"], env: ["LOUPE_STREAM_BYTES": "1024"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("corpus.jsonl:151"), "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["documentsInIndex"] as? Int == 299)
        let o = Loupe.json(try Loupe.run(["find", "zqjsonline", "--index", idx, "--json"]).stdout)
        #expect(o["total"] as? Int == 299)
        #expect(try Loupe.run(["show", "j299", "--index", idx]).status == 0)
    }

    /// A large file is read in batches, each a run of documents; the MANIFEST lists runs that
    /// continue one another as one (after --optimize, one per file), and a changed file still
    /// replaces all of its articles.
    @Test func manifestJoinsAFilesRunsAndUpdatesStillReplaceThem() throws {
        let dir = try Loupe.tempDir("loupe-manifest-runs")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        func write(_ n: Int, _ word: String) throws {
            let lines = (0..<n).map { "{\"_id\": \"m\($0)\", \"title\": \"T\($0)\", \"text\": \"\(word) \($0)\"}" }
            try (lines.joined(separator: "\n") + "\n").write(
                to: corpus.appendingPathComponent("big.jsonl"), atomically: true, encoding: .utf8)
        }
        try write(1000, "zqfirst")
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--optimize", "--no-topics"]).status == 0)
        let parts = try #require(try Manifest.load(directory: idx).files["big.jsonl"]?.parts)
        #expect(parts.count == 1 && parts.first?.count == 1000, "\(parts)")
        // The file changes: its 1,000 articles give way to 600 new ones.
        Thread.sleep(forTimeInterval: 0.01)
        try write(600, "zqsecond")
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        #expect(try Loupe.run(["find", "zqfirst", "--index", idx]).status == 1)
        let o = Loupe.json(try Loupe.run(["find", "zqsecond", "--index", idx, "--json"]).stdout)
        #expect(o["total"] as? Int == 600)
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
        // An index written before runs were joined (one part per batch) gets its parts joined
        // by the next run, though no file changed.
        var m = try Manifest.load(directory: idx)
        let joined = try #require(m.files["big.jsonl"]?.parts)
        m.files["big.jsonl"]?.parts = joined.flatMap { part in
            stride(from: 0, to: part.count, by: 64).map {
                Manifest.Part(segment: part.segment, firstDoc: part.firstDoc + $0, count: min(64, part.count - $0))
            }
        }
        try m.commit(directory: idx)
        #expect(try Manifest.load(directory: idx).files["big.jsonl"]?.parts.count ?? 0 > joined.count)
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        #expect(try Manifest.load(directory: idx).files["big.jsonl"]?.parts == joined)
    }

    /// Runs a tool to make a fixture (gzip, tar: Debian's base system has both).
    static func tool(_ path: String, _ args: [String], in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = dir
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(path) \(args)")
    }

    /// Large compressed dumps and tar archives stream as they inflate (no 1 GiB cap, flat
    /// memory); streamed or read whole, the same articles. A truncated dump leaves nothing; a
    /// broken member of a streamed archive is that member's error only.
    @Test func compressedDumpsAndTarArchivesStream() throws {
        let dir = try Loupe.tempDir("loupe-stream-gz")
        let corpus = dir.appendingPathComponent("c")
        let staging = dir.appendingPathComponent("s")
        for d in [corpus, staging, staging.appendingPathComponent("site/news")] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        let lines = (0..<400).map { "{\"id\": \"d\($0)\", \"title\": \"Dump \($0)\", \"text\": \"zqgzdump \($0)\"}" }
        try (lines.joined(separator: "\n") + "\n").write(
            to: corpus.appendingPathComponent("dump.jsonl"), atomically: true, encoding: .utf8)
        try Self.tool("/bin/gzip", ["-f", "dump.jsonl"], in: corpus)
        for i in 0..<30 {
            try "Page \(i)\n\nzqtarpage number \(i)".write(
                to: staging.appendingPathComponent("site/news/p\(i).txt"), atomically: true, encoding: .utf8)
        }
        try "<?xml version=\"1.0\"?><rss><channel><item><title>cut".write(
            to: staging.appendingPathComponent("site/broken.xml"), atomically: true, encoding: .utf8)
        try Self.tool("/bin/tar", ["-czf", corpus.appendingPathComponent("site.tar.gz").path, "site"], in: staging)
        var results: [[String: Any]] = []
        for env in [[:], ["LOUPE_STREAM_BYTES": "1024"]] {
            let idx = dir.appendingPathComponent("idx\(env.count)").path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env)
            #expect(r.status == 3, "\(env): \(r.stderr)")
            #expect(r.stderr.contains("site.tar.gz/site/broken.xml"), "\(env): \(r.stderr)")
            let o = Loupe.json(r.stdout)
            #expect(o["filesWithErrors"] as? Int == 1, "\(env)")
            #expect(o["documentsInIndex"] as? Int == 430, "\(env)")
            results.append(
                Loupe.json(try Loupe.run(["find", "zqgzdump OR zqtarpage", "--index", idx, "--json"]).stdout))
            #expect(try Loupe.run(["show", "site.tar.gz/site/news/p7.txt", "--index", idx]).status == 0)
            // Unchanged: nothing read again.
            let again = Loupe.json(
                try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env).stdout)
            #expect(again["unchangedFiles"] as? Int == 2, "\(env)")
        }
        #expect(results[0]["total"] as? Int == 430 && results[1]["total"] as? Int == 430)
        // A truncated dump, streamed: an error, and none of the articles it gave before.
        let gz = try Data(contentsOf: corpus.appendingPathComponent("dump.jsonl.gz"))
        try gz.prefix(gz.count - 30).write(to: corpus.appendingPathComponent("dump.jsonl.gz"))
        let idx = dir.appendingPathComponent("idx-cut").path
        let r = try Loupe.run(
            ["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: ["LOUPE_STREAM_BYTES": "1024"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("dump.jsonl.gz: gzip data is damaged (truncated)"), "\(r.stderr)")
        #expect(try Loupe.run(["find", "zqgzdump", "--index", idx]).status == 1)
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }

    /// The whole sample corpus with every file streamed (feeds, mailboxes, web and tar
    /// archives, compressed files, wiki exports, CSV, JSON) gives what reading files whole gives.
    @Test func sampleCorpusStreamedEqualsReadWhole() throws {
        let corpus = try Loupe.corpusCopy()
        var found: [[String]] = []
        for env in [[:], ["LOUPE_STREAM_BYTES": "1"]] {
            let idx = corpus.deletingLastPathComponent().appendingPathComponent("idx\(env.count)").path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env)
            #expect(r.status == 0, "\(env): \(r.stderr)")
            #expect(Loupe.json(r.stdout)["documentsInIndex"] as? Int == 73, "\(env)")
            var ids: [String] = []
            for q in [
                "harbour", "ferry OR windlass", "lampwick", "buoyage", "Marrowgull", "Wrenna", "Tarrowby", "talks",
            ] {
                let o = Loupe.json(try Loupe.run(["find", q, "--index", idx, "--json", "--limit", "100"]).stdout)
                ids += ((o["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.sorted()
            }
            found.append(ids)
        }
        #expect(found[0] == found[1])
        #expect(found[0].count > 20)
    }
}
