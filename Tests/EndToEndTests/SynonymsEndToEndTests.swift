import Foundation
import Testing

/// `loupe index --synonyms FILE` (kept with the index) and `find --synonyms` / `--no-synonyms`.
@Suite("synonyms end to end")
struct SynonymsEndToEndTests {
    static let docs: [(String, String)] = [
        ("harbour", "Harbour report\n\nThe harbour reopened after the storm."),
        ("port", "Port report\n\nThe port reopened after dredging."),
        ("quay", "Quay report\n\nThe new quay takes two ferries."),
        ("kyiv", "Kyiv report\n\nTalks in Kyiv went on late."),
        ("kiev", "Kiev report\n\nAn old dispatch from Kiev, 1990."),
        ("un", "United Nations\n\nThe United Nations met on Monday."),
        ("unabbr", "Vote report\n\nThe UN voted on Tuesday."),
        ("other", "Other report\n\nNothing of note happened."),
    ]

    static func setUp(_ name: String) throws -> (corpus: URL, index: String, dir: URL) {
        let dir = try Loupe.tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        for (id, text) in docs {
            try text.write(to: c.appendingPathComponent("\(id).txt"), atomically: true, encoding: .utf8)
        }
        try "# test\nharbour, port, quay\nKiev => Kyiv\nUN, United Nations\n".write(
            to: dir.appendingPathComponent("syn.txt"), atomically: true, encoding: .utf8)
        return (c, dir.appendingPathComponent("idx").path, dir)
    }

    static func ids(_ args: [String], _ index: String) throws -> Set<String> {
        let r = try Loupe.run(["find"] + args + ["--index", index, "--json", "--limit", "50"])
        let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
        return Set(hits.compactMap { ($0["id"] as? String)?.replacingOccurrences(of: ".txt", with: "") })
    }

    @Test func theIndexsSynonymsWidenTheQuery() throws {
        let (c, index, dir) = try Self.setUp("loupe-syn")
        let syn = dir.appendingPathComponent("syn.txt").path
        let first = try Loupe.run(["index", c.path, "--index", index, "--synonyms", syn])
        #expect(first.status == 0 && first.stdout.contains("synonyms: 3 rules kept with the index"), "\(first.stdout)")
        #expect(try Self.ids(["harbour"], index) == ["harbour", "port", "quay"])
        #expect(try Self.ids(["quay"], index) == ["harbour", "port", "quay"])
        // By stems: a plural finds the synonyms of its singular.
        #expect(try Self.ids(["ports"], index) == ["harbour", "port", "quay"])
        #expect(try Self.ids(["harbour", "--no-synonyms"], index) == ["harbour"])
        // `=>` replaces: Kiev is searched as Kyiv only.
        #expect(try Self.ids(["kiev"], index) == ["kyiv"])
        #expect(try Self.ids(["kyiv"], index) == ["kyiv"])
        // A phrase entry: the quoted phrase, or its one-word synonym; unquoted, the words one after
        // another are the entry too (and stay words of their own).
        #expect(try Self.ids(["un"], index) == ["un", "unabbr"])
        #expect(try Self.ids(["\"united nations\""], index) == ["un", "unabbr"])
        #expect(try Self.ids(["united nations"], index) == ["un", "unabbr"])
        #expect(try Self.ids(["nations united"], index) == ["un"])
        #expect(try Self.ids(["united nations", "--no-synonyms"], index) == ["un"])
        // Inside a boolean query, the alternatives are one required clause.
        #expect(try Self.ids(["+harbour +reopened"], index) == ["harbour", "port"])
        // Kept by an update that does not name them, and by a rebuild.
        #expect(try Loupe.run(["index", c.path, "--index", index]).status == 0)
        #expect(try Self.ids(["harbour"], index) == ["harbour", "port", "quay"])
        #expect(try Loupe.run(["index", c.path, "--index", index, "--rebuild"]).status == 0)
        #expect(try Self.ids(["harbour"], index) == ["harbour", "port", "quay"])
        // find --synonyms uses another file for one search.
        let other = dir.appendingPathComponent("other.txt")
        try "harbour, other\n".write(to: other, atomically: true, encoding: .utf8)
        #expect(try Self.ids(["harbour", "--synonyms", other.path], index) == ["harbour", "other"])
        let stats = try Loupe.run(["stats", "--index", index])
        #expect(stats.stdout.contains("synonyms      3 rules"), "\(stats.stdout)")
        // --clear-synonyms forgets them.
        #expect(try Loupe.run(["index", c.path, "--index", index, "--clear-synonyms"]).status == 0)
        #expect(try Self.ids(["harbour"], index) == ["harbour"])
    }

    /// One-word synonyms score as one word (Lucene's SynonymQuery): the spellings' frequencies
    /// are added before BM25 saturates them, under one idf (the most frequent spelling's). Scored
    /// as separate words, the rarer spelling outranked the common one by its idf, and an article
    /// writing both was scored twice.
    @Test func oneWordSynonymsScoreAsOneWord() throws {
        let dir = try Loupe.tempDir("loupe-syn-blend")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let docs = [
            ("a", "Talks in Kiev went on."), ("b", "Talks in Kyiv went on."), ("c", "Talks Kiev Kyiv went on."),
            ("d", "Talks Kyiv Kyiv went on."), ("e", "Kiev weather was fine."), ("f", "Kiev trains ran late."),
        ]
        for (id, text) in docs {
            try "Report\n\n\(text)\n".write(
                to: c.appendingPathComponent("\(id).txt"), atomically: true, encoding: .utf8)
        }
        let syn = dir.appendingPathComponent("syn.txt")
        try "Kiev, Kyiv\n".write(to: syn, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", index, "--synonyms", syn.path]).status == 0)
        func scores(_ q: String) throws -> [String: Double] {
            let r = try Loupe.run(["find", q, "--index", index, "--json", "--no-proximity"])
            var out: [String: Double] = [:]
            for h in Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? [] {
                out[(h["id"] as? String ?? "").replacingOccurrences(of: ".txt", with: "")] = h["score"] as? Double
            }
            return out
        }
        for q in ["kyiv", "kiev"] {
            let s = try scores(q)
            #expect(s.count == 6, "\(q): \(s)")
            // One mention of either spelling, same length: the same score.
            #expect(s["a"] != nil && s["a"] == s["b"], "\(q): \(s)")
            // Two mentions, of both spellings or of one twice: the same score, above one mention.
            #expect(s["c"] != nil && s["c"] == s["d"], "\(q): \(s)")
            #expect((s["c"] ?? 0) > (s["a"] ?? 0), "\(q): \(s)")
        }
        // The pruned top-k path (`--batch`) scores a blend as the exhaustive one does.
        let queries = dir.appendingPathComponent("q.tsv")
        try "q1\tkyiv\n".write(to: queries, atomically: true, encoding: .utf8)
        let batch = try Loupe.run([
            "find", "--batch", queries.path, "--index", index, "--json", "--no-proximity", "--limit", "10",
        ])
        let batchHits = Loupe.json(batch.stdout)["hits"] as? [[String: Any]] ?? []
        let single = try scores("kyiv")
        #expect(batchHits.count == 6, "\(batch.stdout) \(batch.stderr)")
        for h in batchHits {
            let id = (h["id"] as? String ?? "").replacingOccurrences(of: ".txt", with: "")
            #expect(h["score"] as? Double == single[id], "\(id): \(h) against \(single)")
        }
        let described = try Loupe.run(["find", "kyiv", "--index", index, "--explain-query"])
        #expect(described.stdout.contains("one word of synonyms (frequencies added, one idf)"), "\(described.stdout)")
        let explained = try Loupe.run([
            "find", "kyiv", "--index", index, "--explain", "--limit", "1", "--color", "never",
        ])
        #expect(explained.stdout.contains("tf summed over the synonyms (kiev 1 + kyiv 1)"), "\(explained.stdout)")
    }

    @Test func aBadFileIsRefusedNamingTheLine() throws {
        let (c, index, dir) = try Self.setUp("loupe-syn-bad")
        let bad = dir.appendingPathComponent("bad.txt")
        try "harbour, port\nquay\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try Loupe.run(["index", c.path, "--index", index, "--synonyms", bad.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 2: one entry alone"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: index + "/MANIFEST"), "nothing was indexed")
        #expect(try Loupe.run(["index", c.path, "--index", index]).status == 0)
        let f = try Loupe.run(["find", "harbour", "--index", index, "--synonyms", bad.path])
        #expect(f.status == 2 && f.stderr.contains("line 2"), "\(f.stderr)")
    }
}
