import Foundation
import Testing

enum BadInput {
    static let source = Loupe.packageRoot.appendingPathComponent("../shared/badinput").standardizedFileURL
    static var available: Bool {
        FileManager.default.fileExists(atPath: source.appendingPathComponent("README.md").path)
    }
}

/// Every hostile input in ../shared/badinput behaves as its README says (run when present).
@Suite("hostile inputs", .enabled(if: BadInput.available))
struct BadInputTests {
    static let source = BadInput.source

    static let indexed = [
        "zqcontroltxt", "zqcontrolxmlone", "zqcontrolxmltwo", "zqinvalidutf8", "zqutf16le", "zqutf16be", "münchen",
        "são", "zqlatin1", "café", "zürich", "zqbeforenul", "zqafternul", "zqnulline2", "zqcdatahtml", "zqescapedhtml",
        "zqcdatasplit", "zqatomxhtml", "zqatomhtml", "zqatomsummary", "reopens", "zqdupsecond", "zqdupother",
        "zqnoguid", "zqunknownroot", "zqvisiblepi", "zqlonglinehead", "zqlonglinehead2", "zqlonglinetail",
        "zqsymlinkok", "zqnamespaces", "zqnameunicode", "zqnamenfd", "zqnamenewline", "zqnametab", "zqnamedash",
        "zqnameglob", "zqnamequote", "zqnamebadutf8", "zqnameescape", "zqnameupper", "zqnamelong", "zqnamenoext",
        // HTML's named entities outside CDATA: read as their characters (the README's "documented
        // recovery mode"; no DTD is loaded), not rejected.
        "zqhtmlentity",
        // Declared UTF-8, holds Latin-1 bytes: re-read as Windows-1252 with a warning (the
        // README's "documented fallback").
        "zqdeclutf8latin1",
    ]
    static let absent = [
        "zqunclosed", "zqtruncatedfirst", "zqmismatch", "zqtworootsa", "zqtworootsb", "zqunknownencoding",
        "zqscriptleak", "zqdupfirst", "zqcommentleak", "zqpileak", "zqdeepnest", "zqnamehidden",
    ]

    func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }

    @Test func corpusOfHostileFiles() throws {
        let dir = try Loupe.tempDir("loupe-bad")
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        // The data files only: the README, the query list and the scripts name every sentinel.
        let src = BadInputTests.source
        for name in try FileManager.default.contentsOfDirectory(atPath: src.path)
        where !(name == "README.md" || name == "queries.txt" || name.hasSuffix(".py") || name.hasSuffix(".sh")) {
            try FileManager.default.copyItem(
                at: src.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
        }
        let gen = corpus.appendingPathComponent("generated")
        try run("/usr/bin/python3", [src.appendingPathComponent("gen_long_line.py").path, gen.path])
        try run("/usr/bin/python3", [src.appendingPathComponent("gen_deep_nesting.py").path, gen.path])
        try run(
            "/bin/sh",
            [src.appendingPathComponent("make_symlink_loop.sh").path, gen.appendingPathComponent("links").path])
        try run(
            "/bin/sh",
            [src.appendingPathComponent("make_odd_filenames.sh").path, gen.appendingPathComponent("names").path])
        let idx = dir.appendingPathComponent("idx").path
        let started = Date()
        let r = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(Date().timeIntervalSince(started) < 60)
        // Completed with errors: the documented status 3, never a crash.
        #expect(r.status == 3, "\(r.stderr)")
        // Rejected files are named with the line libxml2 reports.
        for (file, line) in [
            ("xml_unclosed_tag.xml", 9), ("xml_truncated_mid_element.xml", 13), ("xml_mismatched_tags.xml", 6),
            ("xml_two_root_elements.xml", 3), ("xml_declared_unknown_encoding.xml", 1),
        ] {
            #expect(r.stderr.contains("\(file):\(line)"), "\(file) at line \(line) in: \(r.stderr)")
        }
        #expect(r.stderr.contains("txt_invalid_utf8.txt:1"))
        // Messages escape control characters in names.
        #expect(!r.stderr.contains("\u{1B}["))
        // Sentinels, through one batch of queries.
        let words = BadInputTests.indexed + BadInputTests.absent
        let batch = dir.appendingPathComponent("q.tsv")
        try words.map { "\($0)\t\($0)" }.joined(separator: "\n").write(to: batch, atomically: true, encoding: .utf8)
        let q = try Loupe.run(["find", "--batch", batch.path, "--index", idx, "--json", "--plain"])
        var totals: [String: Int] = [:]
        for line in q.stdout.split(separator: "\n") {
            let o = Loupe.json(String(line))
            totals[o["qid"] as? String ?? ""] = o["total"] as? Int
        }
        for w in BadInputTests.indexed { #expect((totals[w] ?? 0) >= 1, "\(w) should be indexed") }
        for w in BadInputTests.absent { #expect(totals[w] == 0, "\(w) should be absent") }
        for w in ["zqcontroltxt", "zqcontrolxmlone", "zqcontrolxmltwo", "zqsymlinkok"] {
            #expect(totals[w] == 1, "\(w) exactly once")
        }
        // Markup from stripped HTML does not become terms.
        #expect(try Loupe.run(["find", "zqcdatahtml AND script", "--index", idx]).status == 1)
        // The recovered entities are their characters, and the file is not reported.
        let ent = Loupe.json(try Loupe.run(["find", "zqhtmlentity", "--index", idx, "--json"]).stdout)
        let hit = (ent["hits"] as? [[String: Any]])?.first
        #expect(hit?["title"] as? String == "Café opens downtown")
        #expect((hit?["snippet_text"] as? String)?.contains("Copyright © 2024") == true)
        #expect(!r.stderr.contains("rss_undefined_html_entity.xml"))
        #expect(r.stderr.contains("xml_declared_utf8_but_latin1.xml:2: warning: not valid UTF-8 as declared"))
        let enc = Loupe.json(try Loupe.run(["find", "zqdeclutf8latin1", "--index", idx, "--json"]).stdout)
        let encHit = (enc["hits"] as? [[String: Any]])?.first
        #expect((encHit?["snippet_text"] as? String)?.contains("Le café naïve de Zürich") == true)
        // NFD query finds NFC text.
        #expect(try Loupe.run(["find", "cafe\u{301}", "--index", idx]).status == 0)
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }

    @Test func hostileQueries() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let articles = Loupe.json(try Loupe.run(["stats", "--index", index, "--json"]).stdout)["articles"] as? Int ?? 0
        #expect(articles >= 40)
        let raw = try Data(contentsOf: BadInputTests.source.appendingPathComponent("queries.txt"))
        var queries: [(String, [UInt8])] = []
        var pending: String?
        for line in Array(raw).split(separator: 0x0A, omittingEmptySubsequences: false) {
            if let id = pending {
                queries.append((id, Array(line)))
                pending = nil
            } else if line.starts(with: Array("# ".utf8)), let colon = line.firstIndex(of: 0x3A) {
                let id = String(decoding: line[(line.startIndex + 2)..<colon], as: UTF8.self)
                if !id.contains(" ") { pending = id }
            }
        }
        #expect(queries.count >= 60)
        // Each query alone in a batch file (bytes as they are: NUL, ESC, invalid UTF-8).
        let dir = try Loupe.tempDir("loupe-q")
        for (id, bytes) in queries {
            let f = dir.appendingPathComponent("q")
            try Data(Array("q\t".utf8) + bytes).write(to: f)
            let started = Date()
            let r = try Loupe.run(["find", "--batch", f.path, "--index", index, "--json"])
            #expect(Date().timeIntervalSince(started) < 10, "\(id) took too long")
            #expect([0, 1, 2].contains(r.status), "\(id): exit \(r.status) \(r.stderr)")
            #expect(!r.stdout.contains("\u{1B}") && !r.stderr.contains("\u{1B}"), "\(id): raw ESC printed")
            // Never "all documents" for an empty, blank or pure-negative query. (Stopwords are
            // indexed and searchable, as the README documents: `the and of a to` may match all.)
            // The most any other query matches is the baseline `harbour dredging`'s (16 of the
            // sample's 47 articles): well under half of them.
            let o = Loupe.json(r.stdout)
            if id != "only-stopwords" {
                #expect((o["total"] as? Int ?? 0) * 2 < articles, "\(id) returned everything")
            }
            // Queries without NUL also go through argv.
            if !bytes.contains(0), let s = String(validating: bytes, as: UTF8.self) {
                let a = try Loupe.run(["find", s, "--index", index])
                #expect([0, 1, 2].contains(a.status), "\(id) via argv: \(a.status)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/zqpwned"))
    }
}
