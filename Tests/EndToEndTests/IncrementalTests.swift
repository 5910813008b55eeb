import Foundation
import Testing

@Suite("incremental indexing")
struct IncrementalTests {
    static let queries = [
        "iran talks", "baghdad", "\"green zone\"", "oil", "zqnewfile", "zqchanged", "glacier", "football cup",
    ]

    /// (id, score) of every hit, as a comparable list.
    func results(_ index: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for q in IncrementalTests.queries {
            let r = try Loupe.run(["find", q, "--index", index, "--json", "--limit", "50"])
            let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
            out[q] = hits.map {
                "\($0["id"] as? String ?? "?") \(String(format: "%.3f", $0["score"] as? Double ?? -1))"
            }
        }
        return out
    }

    @Test func updateEqualsFreshBuild() throws {
        let corpus = try Loupe.corpusCopy()
        let dir = corpus.deletingLastPathComponent()
        let idx = dir.appendingPathComponent("inc").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)

        // Change one file, add one, remove one.
        let changed = corpus.appendingPathComponent("text/market-report.txt")
        try "Oil prices fall\n\nCrude slid as zqchanged supply returned to the market.\n".write(
            to: changed, atomically: true, encoding: .utf8)
        try "A new arrival\n\nThis file zqnewfile mentions Baghdad and oil.\n".write(
            to: corpus.appendingPathComponent("text/new.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: corpus.appendingPathComponent("text/football.txt"))

        let second = try Loupe.run(["index", corpus.path, "--index", idx, "--json"])
        #expect(second.status == 0)
        let o = Loupe.json(second.stdout)
        #expect(o["files"] as? Int == 2, "only the new and the changed file are read: \(second.stdout)")
        #expect(o["unchangedFiles"] as? Int == 39)
        #expect(o["removedFiles"] as? Int == 1)
        #expect(o["documentsInIndex"] as? Int == 73)

        let fresh = dir.appendingPathComponent("fresh").path
        #expect(try Loupe.run(["index", corpus.path, "--index", fresh]).status == 0)
        let a = try results(idx)
        let b = try results(fresh)
        for q in IncrementalTests.queries { #expect(a[q] == b[q], "query \(q)") }
        // The changed and removed files' articles are still in the first segment, left out of
        // the counts: the words' counts and average lengths are a fresh build's.
        let stats = Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)
        #expect(stats["deletedArticles"] as? Int ?? 0 > 0)
        #expect(
            (stats["averageLength"] as? [String: Double])
                == (Loupe.json(try Loupe.run(["stats", "--index", fresh, "--json"]).stdout)["averageLength"]
                    as? [String: Double]))
        for field in ["text", "title", "author"] {
            let args = ["terms", "--field", field, "--limit", "0", "--json"]
            #expect(
                try Loupe.run(args + ["--index", idx]).stdout == Loupe.run(args + ["--index", fresh]).stdout, "\(field)"
            )
        }
        #expect(a["zqnewfile"]?.count == 1)
        #expect(a["zqchanged"]?.count == 1)
        #expect(a["football cup"]?.isEmpty == true)
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)

        // A third run with nothing changed reads nothing.
        let third = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--json"]).stdout)
        #expect(third["files"] as? Int == 0)
        #expect(third["documentsInIndex"] as? Int == 73)
    }

    /// Files of every kind read again one run at a time (their old articles deleted, kept in
    /// their segment with their counts): after each run `check` finds the deleted articles'
    /// counts equal to what the postings hold for them (the articles analysed again from their
    /// stored fields give the terms they were indexed with), and the last run's words and hits
    /// are a fresh build's.
    @Test func deletedArticlesOfEveryKindAreCountedExactly() throws {
        let corpus = try Loupe.corpusCopy()
        let dir = corpus.deletingLastPathComponent()
        let idx = dir.appendingPathComponent("kinds").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        let files = [
            "feeds/world-desk.rss.xml", "feeds/science.atom.xml", "feeds/harbour-notes.rdf", "wire/31275newsML.xml",
            "wire/reuters-style.sgm", "mail/newsletter.eml", "archive/city-desk.jsonl", "documents/gangway-vote.docx",
            "pages/harbour-dredging.html", "text/tokyo-port-ja.txt",
        ]
        var kept = 0
        for (k, f) in files.enumerated() {
            let url = corpus.appendingPathComponent(f)
            if f.hasSuffix(".jsonl") {
                // A JSON Lines file whose bytes did not change is not read again (its CRC is
                // checked): a blank at the end of its first line changes them, not its records.
                var data = try Data(contentsOf: url)
                data.insert(0x20, at: try #require(data.firstIndex(of: 0x0A)))
                try data.write(to: url)
            }
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(k))], ofItemAtPath: url.path)
            let run = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--json"]).stdout)
            #expect(run["files"] as? Int == 1, "\(f)")
            let check = try Loupe.run(["check", "--index", idx])
            #expect(check.status == 0, "after \(f): \(check.stderr)")
            let st = Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)
            kept = max(kept, st["deletedArticles"] as? Int ?? 0)
        }
        #expect(kept > 0, "some runs kept their deletions")
        let fresh = dir.appendingPathComponent("kinds-fresh").path
        #expect(try Loupe.run(["index", corpus.path, "--index", fresh]).status == 0)
        #expect(try results(idx) == results(fresh))
        let args = ["terms", "--limit", "0", "--json"]
        #expect(try Loupe.run(args + ["--index", idx]).stdout == Loupe.run(args + ["--index", fresh]).stdout)
    }

    /// The topic model is made again when a tenth of its articles' worth were added since it was
    /// made, replacements included: an archive whose files are rewritten in place keeps its size
    /// while its stories turn over.
    @Test func topicModelFollowsArticlesReplacedInPlace() throws {
        let dir = try Loupe.tempDir("loupe-topics-turnover")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let subjects = [
            ["harbour", "ferry", "quay", "tide", "pier"], ["election", "vote", "ballot", "party", "minister"],
            ["storm", "rain", "flood", "wind", "forecast"], ["market", "shares", "profit", "bank", "trade"],
            ["match", "goal", "league", "coach", "season"],
        ]
        func write(_ file: Int, shift: Int) throws {
            var lines: [String] = []
            for d in 0..<110 {
                let words = subjects[(d + file + shift) % subjects.count]
                let text = (0..<40).map { words[($0 * 7 + d + shift) % words.count] }.joined(separator: " ")
                lines.append("{\"id\": \"f\(file)-\(d)\", \"title\": \"\(words[d % 5])\", \"text\": \"\(text)\"}")
            }
            try (lines.joined(separator: "\n") + "\n").write(
                to: corpus.appendingPathComponent("part\(file).jsonl"), atomically: true, encoding: .utf8)
        }
        for f in 0..<10 { try write(f, shift: 0) }
        let idx = dir.appendingPathComponent("idx").path
        func index() throws { #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0) }
        func model() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: idx + "/topics")) }
        try index()
        let first = try model()
        // A tenth of the articles replaced (110 of 1,100): not yet.
        try write(0, shift: 2)
        try index()
        #expect(try model() == first)
        // Another 110 since the model: made again, though the index still has 1,100 articles.
        try write(1, shift: 3)
        try index()
        #expect(Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)["articles"] as? Int == 1_100)
        #expect(try model() != first)
    }

    /// Without --analyzer, an update keeps the index's analyzer (no silent rebuild with the
    /// default); naming another analyzer rebuilds, and says so.
    @Test func updateKeepsTheIndexAnalyzer() throws {
        let (corpus, idx) = try Loupe.textCorpus("analyzer-kept", [("a", "Green Zone talks"), ("b", "Oil prices")])
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--analyzer", "plain"]).status == 0)
        let again = try Loupe.run(["index", corpus.path, "--index", idx, "--json"])
        #expect(again.status == 0)
        #expect(Loupe.json(again.stdout)["unchangedFiles"] as? Int == 2, "incremental: \(again.stdout)")
        #expect(try Loupe.run(["stats", "--index", idx]).stdout.contains("analyzer plain"))
        let switched = try Loupe.run(["index", corpus.path, "--index", idx, "--analyzer", "english"])
        #expect(switched.status == 0)
        #expect(switched.stderr.contains("rebuilding it with english"), "\(switched.stderr)")
        #expect(try Loupe.run(["stats", "--index", idx]).stdout.contains("analyzer english"))
    }

    @Test func parallelAndSerialBuildsAgree() throws {
        let corpus = try Loupe.corpusCopy()
        let dir = corpus.deletingLastPathComponent()
        let one = dir.appendingPathComponent("one").path
        let two = dir.appendingPathComponent("two").path
        #expect(try Loupe.run(["index", corpus.path, "--index", one, "--threads", "1"]).status == 0)
        #expect(try Loupe.run(["index", corpus.path, "--index", two, "--threads", "2", "--memory", "1"]).status == 0)
        #expect(try results(one) == results(two))
        // The same segments left as flushed: searched across them, the same results.
        let many = dir.appendingPathComponent("many").path
        #expect(
            try Loupe.run(["index", corpus.path, "--index", many, "--threads", "2", "--memory", "1", "--no-merge"])
                .status
                == 0)
        #expect(try results(one) == results(many))
    }
    /// A run's flushed segments (one per thread, and one per filled memory budget) are merged
    /// into one at its end; a later run adds its own one beside them; `--no-merge` leaves them.
    @Test func aRunLeavesOneSegment() throws {
        let corpus = try Loupe.corpusCopy()
        let dir = corpus.deletingLastPathComponent()
        func segments(_ idx: String) throws -> Int {
            Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)["segments"] as? Int ?? -1
        }
        let idx = dir.appendingPathComponent("merged").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--threads", "2", "--memory", "1"]).status == 0)
        #expect(try segments(idx) == 1)
        try "New note\n\nzqnewnote text\n".write(
            to: corpus.appendingPathComponent("zq-new.txt"), atomically: true, encoding: .utf8)
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        #expect(try segments(idx) == 2)
        let flushed = dir.appendingPathComponent("flushed").path
        #expect(
            try Loupe.run(["index", corpus.path, "--index", flushed, "--threads", "2", "--memory", "1", "--no-merge"])
                .status == 0)
        #expect(try segments(flushed) > 2)
        #expect(try results(idx) == results(flushed))
    }

    /// Small updates do not pile up segments: segments under an eighth of the largest one's
    /// articles that fall in the same tier (the same power of 8 of their articles) are merged
    /// at commit, so runs that each add a few articles leave the big segment and a few small
    /// ones — not one per run up to the policy's 8, each one more dictionary lookup per word
    /// for every search. The results are a fresh build's.
    @Test func smallUpdatesKeepFewSegments() throws {
        let docs = (0..<400).map { ("d\($0)", "Article \($0) on the harbour \($0 % 7), ferry \($0 % 11) and tides.") }
        let (corpus, idx) = try Loupe.textCorpus("loupe-tiers", docs)
        func segments(_ idx: String) throws -> Int {
            Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)["segments"] as? Int ?? -1
        }
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        var most = 0
        for run in 0..<9 {
            for k in 0..<4 {
                try "Update \(run)-\(k)\n\nThe harbour \(k) ferry notice of run \(run), tides.\n".write(
                    to: corpus.appendingPathComponent("u\(run)-\(k).txt"), atomically: true, encoding: .utf8)
            }
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics", "--json"])
            #expect(Loupe.json(r.stdout)["articles"] as? Int == 4, "\(r.stdout)")
            most = max(most, try segments(idx))
        }
        // 4, 8 → 8 (tier 1), 4 + 8, 8 + 8 → 16, … : at most the big one and three small ones.
        #expect(most <= 3, "\(most) segments")
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
        let fresh = idx + "-fresh"
        #expect(try Loupe.run(["index", corpus.path, "--index", fresh, "--no-topics"]).status == 0)
        for q in ["harbour", "\"ferry notice\"", "tides AND update", "run NEAR/3 notice"] {
            let a = try Loupe.run(["find", q, "--index", idx, "--json", "--limit", "500"]).stdout
            let b = try Loupe.run(["find", q, "--index", fresh, "--json", "--limit", "500"]).stdout
            #expect(Loupe.json(a)["total"] as? Int == Loupe.json(b)["total"] as? Int, "\(q)")
            func hits(_ s: String) -> [String] {
                (Loupe.json(s)["hits"] as? [[String: Any]] ?? []).map {
                    "\($0["id"] as? String ?? "?") \(String(format: "%.4f", $0["score"] as? Double ?? -1))"
                }.sorted()
            }
            #expect(hits(a) == hits(b), "\(q)")
        }
    }

    /// `--exclude` leaves paths out and is kept with the index: a plain rerun keeps it, a new
    /// pattern deletes the articles of the files it now leaves out, `--clear-exclude` brings
    /// every file back.
    @Test func excludePatternsAreKeptWithTheIndex() throws {
        let corpus = try Loupe.corpusCopy()
        let logs = corpus.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try "zqlogged entry\n".write(to: logs.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
        let idx = corpus.deletingLastPathComponent().appendingPathComponent("ex").path
        func total(_ q: String) throws -> Int {
            Loupe.json(try Loupe.run(["find", q, "--index", idx, "--json"]).stdout)["total"] as? Int ?? -1
        }
        let first = Loupe.json(
            try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--exclude", "*.log", "--exclude", "mail/"])
                .stdout)
        #expect(first["excludedPaths"] as? Int == 2, "\(first)")
        #expect(try total("zqlogged") == 0)
        #expect(try total("source:newsletter.eml") == 0)
        #expect(try Loupe.run(["stats", "--index", idx]).stdout.contains("excluded      *.log  mail/"))
        _ = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(try total("zqlogged") == 0)
        let wire = try total("source:wire")
        #expect(wire > 0)
        let narrowed = Loupe.json(
            try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--exclude", "wire"]).stdout)
        #expect(narrowed["removedFiles"] as? Int == 5, "\(narrowed)")
        #expect(try total("source:wire") == 0)
        #expect(try total("zqlogged") == 1)  // *.log is no longer excluded
        _ = try Loupe.run(["index", corpus.path, "--index", idx, "--clear-exclude"])
        #expect(try total("source:wire") == wire && total("source:newsletter.eml") == 1)
        #expect(!(try Loupe.run(["stats", "--index", idx]).stdout.contains("excluded")))
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }

    /// Duplicates: the copy of an article that won over copies in other files (a later feed
    /// snapshot) goes with its file; an update then brings back the copy a fresh build keeps
    /// (the last in walk order of the unchanged files) instead of losing the article, and the
    /// restored copy belongs to its file from then on.
    @Test func removedWinningCopyRestoresAShadowedOne() throws {
        let dir = try Loupe.tempDir("loupe-restore")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        func feed(_ name: String, _ items: [(String, String)]) throws {
            let body = items.map {
                "<item><guid>\($0.0)</guid><title>\($0.1)</title><description>\($0.1) text</description></item>"
            }
            try "<rss version=\"2.0\"><channel><title>\(name)</title>\(body.joined())</channel></rss>".write(
                to: c.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try feed("a.xml", [("x1", "Harbour zqwall old"), ("x2", "Other zqother")])
        try feed("b.xml", [("x1", "Harbour zqwall middle")])
        try feed("c.xml", [("x1", "Harbour zqwall newest"), ("x3", "Third zqthird")])
        let idx = dir.appendingPathComponent("idx").path
        func titles(_ q: String, _ index: String) throws -> [String] {
            let r = try Loupe.run(["find", q, "--index", index, "--json"])
            return (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        }
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        #expect(try titles("zqwall", idx) == ["Harbour zqwall newest"])
        // The winning copy's file changes and no longer has it: the copy of b.xml, the last
        // of the unchanged files, comes back.
        try feed("c.xml", [("x3", "Third zqthird, revised")])
        let second = try Loupe.run(["index", c.path, "--index", idx, "--json"])
        #expect(Loupe.json(second.stdout)["restoredArticles"] as? Int == 1, "\(second.stdout)")
        #expect(try titles("zqwall", idx) == ["Harbour zqwall middle"])
        // Its file is removed: a.xml's copy comes back, and the plain summary says so.
        try FileManager.default.removeItem(at: c.appendingPathComponent("b.xml"))
        let third = try Loupe.run(["index", c.path, "--index", idx])
        #expect(third.stdout.contains("1 article restored from another file's copy"), "\(third.stdout)")
        #expect(try titles("zqwall", idx) == ["Harbour zqwall old"])
        let fresh = dir.appendingPathComponent("fresh").path
        #expect(try Loupe.run(["index", c.path, "--index", fresh]).status == 0)
        for q in ["zqwall", "zqother", "zqthird", "harbour"] {
            #expect(try titles(q, idx) == titles(q, fresh), "\(q)")
        }
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
        // The restored copy is a.xml's: removing a.xml removes it too; nothing is left to restore.
        try FileManager.default.removeItem(at: c.appendingPathComponent("a.xml"))
        let fourth = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--json"]).stdout)
        #expect(fourth["restoredArticles"] as? Int == 0)
        #expect(try titles("zqwall", idx).isEmpty)
        #expect(fourth["documentsInIndex"] as? Int == 1)
    }

    /// A collection-scoped article (Reuters NEWID 1) and a feed item of guid `1` are different
    /// articles: a fresh build keeps both, and so must an update that adds the feed (it used to
    /// delete the Reuters story as a duplicate, matching the scoped article's bare id).
    @Test func scopedIdIsNotADuplicateOfAGlobalOne() throws {
        let dir = try Loupe.tempDir("loupe-scoped-id")
        let c = dir.appendingPathComponent("c")
        try Loupe.writeReutersStory(c.appendingPathComponent("r/reut2-000.sgm"), title: "BAHIA COCOA ZQCOCOA REVIEW")
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        try Loupe.writeFeedItem(c.appendingPathComponent("feed.xml"), title: "Numbered zqfeed item")
        let update = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--json"]).stdout)
        #expect(update["duplicates"] as? Int == 0)
        #expect(update["documentsInIndex"] as? Int == 2)
        for q in ["zqcocoa", "zqfeed"] {
            let r = try Loupe.run(["find", q, "--index", idx, "--json"])
            #expect(Loupe.json(r.stdout)["total"] as? Int == 1, "\(q)")
        }
    }

    /// A large feed is streamed, its items indexed as they are read (in chunks of 64); when it
    /// then proves broken (a truncated download) it is rejected whole. Its items had won over
    /// their copies in other files: those copies come back, as if it had never been read — in a
    /// fresh build, when it is added to an index, and when it replaces a good version of itself.
    @Test func rejectedStreamedFileLeavesOtherCopies() throws {
        let dir = try Loupe.tempDir("loupe-rejected-copies")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        try """
        <rss version="2.0"><channel><title>A</title>
        <item><guid>x1</guid><title>Harbour zqwall old</title><description>Old text.</description></item>
        </channel></rss>
        """.write(to: c.appendingPathComponent("a.xml"), atomically: true, encoding: .utf8)
        let filler = (0..<300).map {
            "<item><guid>f\($0)</guid><title>Filler \($0)</title><description>Some words here.</description></item>"
        }.joined(separator: "\n")
        let good =
            "<rss version=\"2.0\"><channel><title>B</title>\n"
            + "<item><guid>x1</guid><title>Harbour zqwall new</title><description>New text.</description></item>\n"
            + filler + "\n</channel></rss>\n"
        let broken = String(good.dropLast("</channel></rss>\n".count)) + "<item><title>cut</title></chan"
        let b = c.appendingPathComponent("b.xml")
        let env = ["LOUPE_STREAM_BYTES": "1000"]
        func titles(_ idx: String) throws -> [String] {
            let r = try Loupe.run(["find", "zqwall", "--index", idx, "--json"])
            return (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        }
        // A fresh build with the broken feed.
        try broken.write(to: b, atomically: true, encoding: .utf8)
        let fresh = dir.appendingPathComponent("fresh").path
        #expect(try Loupe.run(["index", c.path, "--index", fresh], env: env).status == 3)
        #expect(try titles(fresh) == ["Harbour zqwall old"])
        // Added to an index that has a.xml.
        try FileManager.default.removeItem(at: b)
        let added = dir.appendingPathComponent("added").path
        #expect(try Loupe.run(["index", c.path, "--index", added]).status == 0)
        try broken.write(to: b, atomically: true, encoding: .utf8)
        #expect(try Loupe.run(["index", c.path, "--index", added], env: env).status == 3)
        #expect(try titles(added) == ["Harbour zqwall old"])
        // Replacing a good version of itself, whose copy had won.
        try good.write(to: b, atomically: true, encoding: .utf8)
        let replaced = dir.appendingPathComponent("replaced").path
        #expect(try Loupe.run(["index", c.path, "--index", replaced], env: env).status == 0)
        #expect(try titles(replaced) == ["Harbour zqwall new"])
        try broken.write(to: b, atomically: true, encoding: .utf8)
        let r = try Loupe.run(["index", c.path, "--index", replaced, "--json"], env: env)
        #expect(r.status == 3)
        #expect(Loupe.json(r.stdout)["restoredArticles"] as? Int == 1, "\(r.stdout)")
        #expect(Loupe.json(r.stdout)["duplicates"] as? Int == 0, "\(r.stdout)")
        #expect(try titles(replaced) == ["Harbour zqwall old"])
        #expect(try Loupe.run(["check", "--index", replaced]).status == 0)
    }
}

/// `--follow-links` walks symbolic links to directories and out of the corpus, each directory
/// once (a link back up is a loop, said once), a file reached both ways under its real path;
/// the setting stays with the index until `--no-follow-links`.
@Suite("following symbolic links")
struct FollowLinksTests {
    @Test func linksAreFollowedOnRequestAndTheSettingIsKept() throws {
        let dir = try Loupe.tempDir("loupe-links")
        let fm = FileManager.default
        let corpus = dir.appendingPathComponent("corpus")
        let outside = dir.appendingPathComponent("outside")
        try fm.createDirectory(at: corpus.appendingPathComponent("real"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside.appendingPathComponent("deep"), withIntermediateDirectories: true)
        try "Inside\n\nharbour inside".write(
            to: corpus.appendingPathComponent("real/in.txt"), atomically: true, encoding: .utf8)
        try "Outside\n\nharbour outside".write(
            to: outside.appendingPathComponent("out.txt"), atomically: true, encoding: .utf8)
        try "Deep\n\nharbour deep".write(
            to: outside.appendingPathComponent("deep/d.txt"), atomically: true, encoding: .utf8)
        try "Lone\n\nharbour lone".write(
            to: outside.appendingPathComponent("lone.txt"), atomically: true, encoding: .utf8)
        // "a-…" sort before "real": a link met first still leaves the real path to the file.
        try fm.createSymbolicLink(
            atPath: corpus.appendingPathComponent("a-ext").path, withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: corpus.appendingPathComponent("a-real").path, withDestinationPath: "real")
        try fm.createSymbolicLink(
            atPath: corpus.appendingPathComponent("lone.txt").path, withDestinationPath: "../outside/lone.txt")
        try fm.createSymbolicLink(atPath: outside.appendingPathComponent("deep/up").path, withDestinationPath: "..")
        let idx = dir.appendingPathComponent("idx").path
        func sources() throws -> [String] {
            let r = try Loupe.run(["find", "harbour", "--index", idx, "--json", "--limit", "50"])
            return ((Loupe.json(r.stdout)["hits"] as? [[String: Any]]) ?? []).compactMap { $0["source"] as? String }
                .sorted()
        }
        let plain = try Loupe.run(["index", corpus.path, "--index", idx, "-v"])
        #expect(plain.stderr.contains("--follow-links"), "\(plain.stderr)")
        #expect(plain.stdout.contains("; 2 links to directories not followed (--follow-links)"), "\(plain.stdout)")
        #expect(try sources() == ["real/in.txt"])
        let followed = try Loupe.run(["index", corpus.path, "--index", idx, "--follow-links", "-v"])
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stderr.contains("a-ext/deep/up: note: symbolic link to a directory already walked"))
        let all = ["a-ext/deep/d.txt", "a-ext/out.txt", "lone.txt", "real/in.txt"]
        let stats = try Loupe.run(["stats", "--index", idx])
        #expect(stats.stdout.contains("links         followed (--follow-links)"), "\(stats.stdout)")
        #expect(Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)["followLinks"] as? Bool == true)
        #expect(try sources() == all)
        // Kept: a plain run changes nothing; --no-follow-links removes what links brought.
        let again = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(again.stdout.contains("4 files unchanged") && !again.stdout.contains("removed"), "\(again.stdout)")
        #expect(try sources() == all)
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-follow-links"]).status == 0)
        #expect(try sources() == ["real/in.txt"])
    }
}

/// A JSON Lines, mbox or CSV file that only grew is read from where the last run stopped: its
/// articles stay, only the new records are read, and the index is what a fresh build makes —
/// read whole in memory or streamed, however it grew; a file changed before its end is read whole.
@Suite("grown files")
struct GrownFileTests {
    static let queries = [
        "night buses", "zqgrown", "zqmail", "library", "harbour", "zqreplaced", "zqnoid", "ferry", "\"ring road\"",
        "zqcrawl", "tides",
    ]

    func record(_ id: String?, _ title: String, _ text: String) -> String {
        (id.map { "{\"id\": \"\($0)\", " } ?? "{") + "\"title\": \"\(title)\", \"text\": \"\(text)\"}\n"
    }

    func message(_ n: Int, id: Bool, _ subject: String) -> String {
        "From list@example.org Sat Oct 13 09:\(10 + n):00 2007\nFrom: Ann <ann@example.org>\n"
            + "Subject: \(subject)\nDate: Sat, 13 Oct 2007 09:\(10 + n):00 +0000\n"
            + (id ? "Message-ID: <zq\(n)@example.org>\n" : "") + "\nThe \(subject) message, number \(n).\n\n"
    }

    /// A web archive's response record holding a page.
    func warcRecord(_ uri: String, _ title: String, _ text: String) -> String {
        let http =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + "<html><head><title>\(title)</title></head><body><p>\(text)</p></body></html>"
        return "WARC/1.1\r\nWARC-Type: response\r\nWARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Target-URI: \(uri)\r\n"
            + "Content-Type: application/http; msgtype=response\r\nContent-Length: \(http.utf8.count)\r\n\r\n"
            + http + "\r\n\r\n"
    }

    /// Appends `records` to a gzip file as members, one a record (as crawlers write `.warc.gz`).
    func appendMembers(_ records: [String], to url: URL) throws {
        let dir = try Loupe.tempDir("loupe-members")
        for (k, r) in records.enumerated() {
            try r.write(to: dir.appendingPathComponent("r\(k)"), atomically: true, encoding: .utf8)
            try StreamingTests.tool("/bin/gzip", ["-n", "r\(k)"], in: dir)
            let h = try FileHandle(forWritingTo: url)
            try h.seekToEnd()
            try h.write(contentsOf: Data(contentsOf: dir.appendingPathComponent("r\(k).gz")))
            try h.close()
        }
    }

    func append(_ s: String, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(s.utf8))
    }

    /// Hits (id, score, title) of the queries, `show` of a numbered id, and every word's counts.
    func state(_ idx: String) throws -> [String] {
        var out: [String] = []
        for q in GrownFileTests.queries {
            let r = try Loupe.run(["find", q, "--index", idx, "--json", "--limit", "50"])
            for h in Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? [] {
                out.append(
                    "\(q): \(h["id"] as? String ?? "?") \(String(format: "%.4f", h["score"] as? Double ?? -1)) \(h["title"] as? String ?? "")"
                )
            }
        }
        out.append(try Loupe.run(["terms", "--limit", "0", "--index", idx]).stdout)
        out.append(try Loupe.run(["terms", "--field", "title", "--limit", "0", "--index", idx]).stdout)
        return out
    }

    @Test(arguments: [false, true]) func grownFilesAreReadFromWhereTheyStopped(streamed: Bool) throws {
        let corpus = try Loupe.corpusCopy()
        let dir = corpus.deletingLastPathComponent()
        let idx = dir.appendingPathComponent("inc").path
        let env = streamed ? ["LOUPE_STREAM_BYTES": "100"] : [:]
        #expect(try Loupe.run(["index", corpus.path, "--index", idx], env: env).status == 0)
        let jsonl = corpus.appendingPathComponent("archive/city-desk.jsonl")
        let mbox = corpus.appendingPathComponent("mail/harbour-list-2007-10.mbox")
        let csv = corpus.appendingPathComponent("archive/harbour-news.csv")
        let warc = corpus.appendingPathComponent("archive/harbour-site.warc.gz")
        for round in 0..<2 {
            // New records: with ids, without (numbered by their place in the file), one replacing
            // an earlier record of the file, one bad line (its warning names its line).
            try append(
                record("zq-\(round)-a", "Grown zqgrown \(round)", "A new record about the harbour.")
                    + record(nil, "Untitled zqnoid \(round)", "A record without an id.")
                    + (round == 0 ? record("jsonl-0001", "Night buses zqreplaced", "The buses run again.") : "")
                    + "{not json\n", to: jsonl)
            try append(
                message(2 * round, id: true, "zqmail ferry \(round)")
                    + message(2 * round + 1, id: false, "zqmail dock"),
                to: mbox)
            // CSV rows: a quoted field with a comma and a line break, one without an id.
            try append(
                "hn-9\(round)0,\"Dredger zqgrown, \(round)\",A. Writer,2021-09-0\(round + 1),Harbour,,\"The dredger\nreturned.\"\n"
                    + ",Untitled zqnoid row \(round),,,,,A row without an id.\n", to: csv)
            // A crawl's new captures: a new page, and (the first time) the tides page again.
            try appendMembers(
                [warcRecord("http://harbour-authority.example/zq\(round)", "Crawl zqcrawl \(round)", "A new page.")]
                    + (round == 0
                        ? [warcRecord("http://harbour-authority.example/tides", "Tides zqcrawl", "Neap tides now.")]
                        : []),
                to: warc)
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json"], env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let o = Loupe.json(r.stdout)
            #expect(o["appendedFiles"] as? Int == 4, "\(r.stdout)")
            #expect(o["files"] as? Int == 4)
            // Only the new records were read.
            #expect(o["articles"] as? Int == (round == 0 ? 9 : 7), "\(r.stdout)")
            let line = round == 0 ? 6 : 9
            #expect(r.stderr.contains("city-desk.jsonl:\(line):"), "\(r.stderr)")
        }
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
        let fresh = dir.appendingPathComponent("fresh").path
        let f = try Loupe.run(["index", corpus.path, "--index", fresh], env: env)
        #expect(f.stderr.contains("city-desk.jsonl:6:") && f.stderr.contains("city-desk.jsonl:9:"))
        let a = try state(idx)
        let b = try state(fresh)
        #expect(a == b)
        #expect(a.contains { $0.hasPrefix("zqnoid: archive/city-desk.jsonl#3 ") }, "\(a.prefix(40))")
        #expect(a.contains { $0.hasPrefix("zqnoid: archive/harbour-news.csv#6 ") }, "\(a.prefix(40))")
        #expect(a.contains { $0.hasPrefix("zqreplaced: jsonl-0001 ") })
        #expect(!a.contains { $0.contains("Night buses return to the ring road") })
        // The page captured again is one article, the later capture's.
        #expect(a.filter { $0.hasPrefix("tides: http://harbour-authority.example/tides ") }.count == 1)
        #expect(a.contains { $0.hasPrefix("zqcrawl: http://harbour-authority.example/tides ") })
        let id = "archive/city-desk.jsonl#6"
        #expect(
            try Loupe.run(["show", id, "--index", idx]).stdout == Loupe.run(["show", id, "--index", fresh]).stdout)
        // Nothing changed: nothing read.
        let again = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--json"], env: env).stdout)
        #expect(again["files"] as? Int == 0)
        // Its time changed, not its bytes (their CRC says so): not read again.
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(3600)], ofItemAtPath: jsonl.path)
        let touched = try Loupe.run(["index", corpus.path, "--index", idx, "--json"], env: env)
        let t = Loupe.json(touched.stdout)
        #expect(t["files"] as? Int == 0, "\(touched.stdout)")
        #expect(t["articles"] as? Int == 0)
        #expect(t["appendedFiles"] as? Int == 0)
        #expect(try state(idx) == b)
    }

    @Test func filesChangedBeforeTheirEndAreReadWhole() throws {
        let dir = try Loupe.tempDir("loupe-grown-changed")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let jsonl = c.appendingPathComponent("a.jsonl")
        let mbox = c.appendingPathComponent("m.mbox")
        let records = (0..<5).map { record($0 % 2 == 0 ? "r\($0)" : nil, "Record \($0) harbour", "Text \($0).") }
        try records.joined().write(to: jsonl, atomically: true, encoding: .utf8)
        try (message(0, id: true, "zqmail one") + message(1, id: false, "zqmail two")).write(
            to: mbox, atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func update(appended: Int, read: Int) throws {
            let r = try Loupe.run(["index", c.path, "--index", idx, "--json"])
            let o = Loupe.json(r.stdout)
            #expect(o["appendedFiles"] as? Int == appended, "\(r.stdout)")
            #expect(o["articles"] as? Int == read, "\(r.stdout)")
            let fresh = dir.appendingPathComponent("fresh").path
            try? FileManager.default.removeItem(atPath: fresh)
            #expect(try Loupe.run(["index", c.path, "--index", fresh]).status == 0)
            #expect(try state(idx) == state(fresh))
            #expect(try Loupe.run(["check", "--index", idx]).status == 0)
        }
        // An earlier record edited (the same length), and one appended: read whole.
        var text = try String(contentsOf: jsonl, encoding: .utf8)
        text =
            text.replacingOccurrences(of: "Record 1 harbour", with: "Record 1 zqgrown") + record("r9", "Nine", "Nine.")
        try text.write(to: jsonl, atomically: false, encoding: .utf8)
        try update(appended: 0, read: 6)
        // Grown by the start of a line (a record still being written): it gives nothing yet,
        // and is read again from its start once whole.
        try append("{\"title\": \"Cut zqnoid", to: jsonl)
        try update(appended: 1, read: 0)
        try append(" line\", \"text\": \"now whole\"}\n" + record("r10", "Ten", "Ten."), to: jsonl)
        try update(appended: 1, read: 2)
        // A last line without its line break that is a whole record: read whole next time.
        try append(record("r12", "Twelve", "Twelve.").trimmingCharacters(in: .newlines), to: jsonl)
        try update(appended: 1, read: 1)
        try append("\n" + record("r13", "Thirteen", "Thirteen."), to: jsonl)
        try update(appended: 0, read: 10)
        // Cut shorter, then grown past its old size: read whole.
        try (records.prefix(2).joined() + String(repeating: record("r11", "Eleven harbour", "Eleven."), count: 9))
            .write(
                to: jsonl, atomically: false, encoding: .utf8)
        try update(appended: 0, read: 11)
        // A mailbox given more lines of its last message, not a new message: read whole.
        try append("A line the last message gained, zqgrown.\n\n", to: mbox)
        try update(appended: 0, read: 2)
        // A message appended after a mailbox that did not end with a blank line: read whole.
        var m = try String(contentsOf: mbox, encoding: .utf8)
        m.removeLast()
        try m.write(to: mbox, atomically: false, encoding: .utf8)
        try update(appended: 0, read: 2)
        try append("\n" + message(3, id: true, "zqmail three"), to: mbox)
        try update(appended: 0, read: 3)
        // And a message appended after a blank line: only it is read.
        try append(message(4, id: false, "zqmail four"), to: mbox)
        try update(appended: 1, read: 1)
        // A CSV row still being written, cut inside its quoted text: it gives nothing yet (a
        // warning), and is read again from its start once whole.
        let csv = c.appendingPathComponent("h.csv")
        try "id,title,text\nh1,Harbour one,\"Quay.\"\n".write(to: csv, atomically: true, encoding: .utf8)
        try update(appended: 0, read: 1)
        try append("h2,Harbour zqnoid,\"The dredger\nret", to: csv)
        try update(appended: 1, read: 0)
        try append("urned.\"\nh3,Harbour three,Three.\n", to: csv)
        try update(appended: 1, read: 2)
        // A gzip-compressed JSON Lines file given members (`gzip -c more >> g.jsonl.gz`): only
        // they are read.
        try (record("g1", "Gz one harbour", "One.") + record(nil, "Gz two zqnoid", "Two.")).write(
            to: c.appendingPathComponent("g.jsonl"), atomically: true, encoding: .utf8)
        try StreamingTests.tool("/bin/gzip", ["-n", "g.jsonl"], in: c)
        try update(appended: 0, read: 2)
        let gz = c.appendingPathComponent("g.jsonl.gz")
        try appendMembers([record(nil, "Gz three zqnoid", "Three."), record("g4", "Gz four", "Four.")], to: gz)
        try update(appended: 1, read: 2)
        // A member ending inside a record: read, and read whole the next time.
        try appendMembers(["{\"title\": \"Gz five\", \"te"], to: gz)
        try update(appended: 1, read: 0)
        try appendMembers(["xt\": \"Five zqgrown.\"}\n"], to: gz)
        try update(appended: 0, read: 5)
    }

    /// The copy that won over a copy in a file that then grew goes (its file removed): the grown
    /// file's copy comes back, as in a fresh build.
    @Test func aGrownFileRestoresItsShadowedCopy() throws {
        let dir = try Loupe.tempDir("loupe-grown-restore")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let a = c.appendingPathComponent("a.jsonl")
        try
            (record("https://example.org/x1", "Harbour zqwall old", "Old.")
            + record("https://example.org/x2", "Other", "Other."))
            .write(to: a, atomically: true, encoding: .utf8)
        try record("https://example.org/x1", "Harbour zqwall new", "New.").write(
            to: c.appendingPathComponent("b.jsonl"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        try FileManager.default.removeItem(at: c.appendingPathComponent("b.jsonl"))
        try append(record("https://example.org/x3", "Third", "Third."), to: a)
        let r = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--json"]).stdout)
        #expect(r["appendedFiles"] as? Int == 1)
        #expect(r["restoredArticles"] as? Int == 1)
        let fresh = dir.appendingPathComponent("fresh").path
        #expect(try Loupe.run(["index", c.path, "--index", fresh]).status == 0)
        #expect(try state(idx) == state(fresh))
        let hits = Loupe.json(try Loupe.run(["find", "zqwall", "--index", idx, "--json"]).stdout)["hits"]
        #expect((hits as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Harbour zqwall old"])
    }
}
