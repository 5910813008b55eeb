import Foundation
import Testing

@Suite("presentation")
struct PresentationTests {
    static func corpus() throws -> (URL, String) {
        let dir = try Loupe.tempDir("loupe-pres")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        try
            "Zürich notes\n\nIn Zürich the café — «Grüße» — sits where the green zone of the old town is here, by the lake."
            .write(to: c.appendingPathComponent("zurich.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        return (c, idx)
    }

    func body(_ idx: String, _ id: String) throws -> [UInt8] {
        let o = Loupe.json(try Loupe.run(["show", id, "--index", idx, "--json"]).stdout)
        return Array((o["body"] as? String ?? "").utf8)
    }

    @Test func phraseAndNearHighlightAsOneSpanWithByteOffsets() throws {
        let (_, idx) = try PresentationTests.corpus()
        let text = try body(idx, "zurich.txt")
        for (query, expected) in [
            ("\"green zone\"", "green zone"), ("green NEAR/6 here", "green zone of the old town is here"),
        ] {
            let o = Loupe.json(try Loupe.run(["find", query, "--index", idx, "--json"]).stdout)
            let hit = (o["hits"] as? [[String: Any]])?.first ?? [:]
            let matches = hit["matches"] as? [[Int]] ?? []
            #expect(matches.count == 1, "\(query): one span, got \(matches)")
            if let m = matches.first {
                #expect(String(decoding: text[m[0]..<m[1]], as: UTF8.self) == expected, "\(query)")
            }
            // The snippet's own offsets point at the same words.
            let snippet = Array((hit["snippet_text"] as? String ?? "").utf8)
            let hl = hit["highlights"] as? [[Int]] ?? []
            #expect(hl.count == 1)
            if let h = hl.first { #expect(String(decoding: snippet[h[0]..<h[1]], as: UTF8.self) == expected) }
            #expect((hit["snippet"] as? String ?? "").contains("[\(expected)]"))
        }
    }

    @Test func coloursOnlyOnATerminalAndNeverWithNoColor() throws {
        let (_, idx) = try PresentationTests.corpus()
        let piped = try Loupe.run(["find", "green", "--index", idx])
        #expect(!piped.stdout.contains("\u{1B}"))
        let forced = try Loupe.run(["find", "green", "--index", idx, "--color", "always"])
        #expect(forced.stdout.contains("\u{1B}["))
        // On a pseudo-terminal (script(1)): colours by default, none with NO_COLOR.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        func tty(_ env: String) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            p.arguments = ["-qc", "\(env) '\(Loupe.binary.path)' find green --index '\(idx)'", "/dev/null"]
            let out = Pipe()
            p.standardOutput = out
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let d = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: d, as: UTF8.self)
        }
        #expect(try tty("env -u NO_COLOR").contains("\u{1B}[1;31m"))
        #expect(!(try tty("env NO_COLOR=1")).contains("\u{1B}["))
    }

    @Test func timelineCountsMatchABruteForceCount() throws {
        let (_, index) = try Loupe.indexedCorpus()
        for q in ["iraq", "baghdad OR oil", "the"] {
            let t = Loupe.json(try Loupe.run(["find", q, "--by", "month", "--index", index, "--json"]).stdout)
            var got: [String: Int] = [:]
            for b in t["buckets"] as? [[String: Any]] ?? [] { got[b["period"] as? String ?? ""] = b["count"] as? Int }
            // Brute force: every hit of the same query, bucketed here.
            let all = Loupe.json(try Loupe.run(["find", q, "--limit", "1000", "--index", index, "--json"]).stdout)
            var want: [String: Int] = [:]
            var undated = 0
            for h in all["hits"] as? [[String: Any]] ?? [] {
                if let d = h["date"] as? String { want[String(d.prefix(7)), default: 0] += 1 } else { undated += 1 }
            }
            #expect(got == want, "\(q)")
            #expect(t["undated"] as? Int == undated)
            #expect(t["total"] as? Int == all["total"] as? Int)
        }
    }

    @Test func showRoundTripsWhatWasIngested() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let o = Loupe.json(try Loupe.run(["show", "world-0002", "--index", index, "--json"]).stdout)
        #expect(o["title"] as? String == "Iraqi parliament adjourns without oil law")
        #expect(o["date"] as? String == "2007-07-30T14:05:00Z")
        #expect(o["link"] as? String == "https://example.org/world/parliament-oil-law")
        #expect(o["categories"] as? [String] == ["Iraq", "Energy"])
        #expect(o["source"] as? String == "feeds/world-desk.rss.xml")
        #expect((o["body"] as? String ?? "").hasPrefix("Lawmakers in Baghdad left for their summer recess on Monday"))
        #expect(try Loupe.run(["show", "nope", "--index", index]).status == 1)
    }

    /// The title's matched words are given as byte ranges into the title (a phrase as one);
    /// matches in other fields (source:, author:) mark nothing in the title or the body.
    @Test func titleHighlightsAndOtherFieldsMarkNothing() throws {
        let (_, index) = try Loupe.indexedCorpus()
        func hit(_ q: String) throws -> [String: Any] {
            let r = Loupe.json(try Loupe.run(["find", q, "--index", index, "--json", "--limit", "1"]).stdout)
            return (r["hits"] as? [[String: Any]])?.first ?? [:]
        }
        func marked(_ h: [String: Any]) -> [String] {
            let t = Array((h["title"] as? String ?? "").utf8)
            return (h["title_highlights"] as? [[Int]] ?? []).map { String(decoding: t[$0[0]..<$0[1]], as: UTF8.self) }
        }
        #expect(marked(try hit("nuclear deadline")) == ["nuclear deadline"])
        #expect(marked(try hit("title:parliament")) == ["parliament"])
        #expect(marked(try hit("東京港")) == ["東京港"])
        let bySource = try hit("source:tokyo-port-ja.txt")
        #expect(marked(bySource).isEmpty && (bySource["highlights"] as? [[Int]] ?? [[0]]).isEmpty, "\(bySource)")
        let byAuthor = try hit("author:\"mira castell\"")
        #expect(marked(byAuthor).isEmpty && (byAuthor["highlights"] as? [[Int]] ?? [[0]]).isEmpty, "\(byAuthor)")
        // On a terminal the title's matched words are coloured inside the bold title.
        let c = try Loupe.run(["find", "nuclear deadline", "--index", index, "--limit", "1", "--color", "always"])
        #expect(
            c.stdout.hasPrefix("1. \u{1B}[1mTehran rejects \u{1B}[31mnuclear deadline\u{1B}[39m\u{1B}[0m"),
            "\(c.stdout)")
    }

    /// A file path shows the file's first article (with a note when it holds several); a text
    /// file's id is its path, named once in the text header.
    @Test func showTakesAFilePath() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let feed = try Loupe.run(["show", "feeds/world-desk.rss.xml", "--index", index, "--json"])
        #expect(feed.status == 0, "\(feed.stderr)")
        let id = Loupe.json(feed.stdout)["id"] as? String ?? "?"
        #expect(feed.stderr.contains("holds ") && feed.stderr.contains("this is its first, \(id)"), "\(feed.stderr)")
        let text = try Loupe.run(["show", "text/zone-diary.txt", "--index", index])
        #expect(text.status == 0 && text.stderr.isEmpty, "\(text.stderr)")
        let header = text.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        #expect(header.components(separatedBy: "text/zone-diary.txt").count == 2, "\(header)")
    }
}

@Suite("help text")
struct HelpTextTests {
    /// The help's prose paragraphs are wrapped once, at 80 columns (lines of at most 79): no line could have taken the
    /// next line's first word (a hard line break in the source text, re-wrapped by the argument
    /// parser, leaves one- or two-word stubs such as "the" on a line of their own).
    @Test(arguments: [[], ["index"], ["find"], ["related"], ["show"], ["terms"], ["stats"], ["check"]])
    func proseIsWrappedOnce(_ command: [String]) throws {
        let r = try Loupe.run(command + ["--help"], env: ["COLUMNS": "80"])
        #expect(r.status == 0)
        let head = r.stdout.components(separatedBy: "USAGE:")[0]
        let lines = head.components(separatedBy: "\n")
        for (a, b) in zip(lines, lines.dropFirst()) {
            // Prose lines start in column 1; examples and option lists are indented.
            guard !a.isEmpty, !b.isEmpty, !a.hasPrefix(" "), !b.hasPrefix(" ") else { continue }
            let next = b.split(separator: " ").first.map(String.init) ?? ""
            #expect(a.count + 1 + next.count >= 80, "\(command) --help: \"\(a)\" could hold \"\(next)\"")
        }
    }
}

@Suite("untitled hits")
struct UntitledHitTests {
    /// A feed item without a title (a microblog post) is listed by its opening words, cut at a
    /// word, in `find` and `related`; JSON keeps the empty title.
    @Test func untitledHitsShowTheirOpeningWords() throws {
        let dir = try Loupe.tempDir("loupe-untitled")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let long = "Ferry zqpost crossings resume on Monday after the storm damaged the pier at Tarrowby harbour"
        try """
        <rss version="2.0"><channel><title>Posts</title>
        <item><guid>p1</guid><description>&lt;p&gt;\(long)&lt;/p&gt;</description></item>
        <item><guid>p2</guid><description>Short zqpost note</description></item>
        <item><guid>p3</guid><title>Titled zqpost</title><description>Ferry crossings resume</description></item>
        </channel></rss>
        """.write(to: corpus.appendingPathComponent("posts.xml"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        let r = try Loupe.run(["find", "zqpost", "--index", idx, "--color", "never"])
        let titles = r.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }.map {
            String($0.drop { $0 != " " }.dropFirst())
        }
        #expect(
            Set(titles) == [
                "(untitled) Ferry zqpost crossings resume on Monday after the storm…",
                "(untitled) Short zqpost note", "Titled zqpost",
            ], "\(r.stdout)")
        let j = Loupe.json(try Loupe.run(["find", "zqpost", "--index", idx, "--json"]).stdout)
        let jt = ((j["hits"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
        #expect(jt.filter(\.isEmpty).count == 2)
        let rel = try Loupe.run(["related", "p3", "--index", idx])
        #expect(rel.stdout.contains(". (untitled) Ferry zqpost crossings"), "\(rel.stdout)")
    }
}

@Suite("title-only hits")
struct TitleOnlyHitTests {
    /// A feed item of a title alone has nothing to show under its metadata line: no blank
    /// snippet line follows it (the next hit's rank comes next).
    @Test func noBlankSnippetLine() throws {
        let dir = try Loupe.tempDir("loupe-title-only")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try """
        <rss version="2.0"><channel><title>Journal</title>
        <item><guid>t1</guid><title>The vegetation zqloop</title><link>http://example.org/1</link></item>
        <item><guid>t2</guid><title>Another zqloop</title><description>Soil and rain in the zqloop.</description></item>
        </channel></rss>
        """.write(to: corpus.appendingPathComponent("journal.rss"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        let r = try Loupe.run(["find", "zqloop", "--index", idx, "--color", "never"])
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!lines.dropLast().contains { $0.trimmingCharacters(in: .whitespaces).isEmpty }, "\(r.stdout)")
        #expect(lines.contains { $0.contains("[zqloop]") }, "\(r.stdout)")
        #expect(lines.filter { $0.first?.isNumber == true }.count == 2, "\(r.stdout)")
    }
}

@Suite("ids shared by collections")
struct SharedIdTests {
    /// Two Reuters directories both have NEWID 1, and a feed item has guid `1`: `show 1` shows
    /// the feed item (a global id) with a note naming the others and the `SOURCE#ID` form, which
    /// `show` and `related` take.
    @Test func sharedIdIsNamedAndSourceHashIdPicksOne() throws {
        let dir = try Loupe.tempDir("loupe-shared-id")
        let c = dir.appendingPathComponent("c")
        for (sub, title) in [("r", "BAHIA COCOA ZQCOCOA REVIEW"), ("r2", "CUBA SUGAR ZQSUGAR HARVEST")] {
            try Loupe.writeReutersStory(c.appendingPathComponent(sub + "/reut2-000.sgm"), title: title)
        }
        try Loupe.writeFeedItem(c.appendingPathComponent("feed.xml"), title: "Numbered zqfeed item")
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx, "--no-topics"]).status == 0)
        let one = try Loupe.run(["show", "1", "--index", idx])
        #expect(one.stdout.hasPrefix("Numbered zqfeed item"), "\(one.stdout)")
        #expect(one.stderr.contains("3 articles have id 1"), "\(one.stderr)")
        #expect(one.stderr.contains("r/reut2-000.sgm, r2/reut2-000.sgm"), "\(one.stderr)")
        #expect(one.stderr.contains("SOURCE#ID, e.g. r/reut2-000.sgm#1"), "\(one.stderr)")
        let r2 = try Loupe.run(["show", "r2/reut2-000.sgm#1", "--index", idx])
        #expect(r2.status == 0 && r2.stdout.hasPrefix("CUBA SUGAR ZQSUGAR HARVEST"), "\(r2.stdout)")
        #expect(r2.stderr.isEmpty, "\(r2.stderr)")
        let rel = try Loupe.run(["related", "r/reut2-000.sgm#1", "--index", idx, "--json"])
        #expect(rel.status == 0 || rel.status == 1)
        #expect(rel.stdout.contains("ZQCOCOA"), "\(rel.stdout)")
        #expect(try Loupe.run(["show", "feed.xml#2", "--index", idx]).status == 1)
    }
}

@Suite("unknown commands")
struct UnknownCommandTests {
    /// A mistyped command names the one meant (exit 2, like any usage error); a word that is near
    /// none lists the commands; commands, options and `help` go to the parser as before.
    @Test func typoNamesTheCommand() throws {
        let r = try Loupe.run(["fnd", "iran"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("loupe: unknown command 'fnd'; did you mean 'find'?"), "\(r.stderr)")
        let swapped = try Loupe.run(["idnex", "Corpus"])
        #expect(swapped.stderr.contains("did you mean 'index'?"), "\(swapped.stderr)")
        let far = try Loupe.run(["zzz", "--limit", "3"])
        #expect(far.status == 2)
        #expect(!far.stderr.contains("did you mean") && !far.stderr.contains("to search"))
        #expect(far.stderr.contains("commands: index, find, related, show, terms, stats, check"), "\(far.stderr)")
        #expect(try Loupe.run(["help", "find"]).status == 0)
        #expect(try Loupe.run(["--version"]).status == 0)
    }

    /// Other tools' names for a command name ours (`search`, `mlt`, `cat`); words alone are
    /// most likely a search, and the message shows it.
    @Test func synonymsAndWordsAlone() throws {
        for (word, meant) in [("search", "find"), ("mlt", "related"), ("cat", "show"), ("verify", "check")] {
            let r = try Loupe.run([word, "iran"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("did you mean '\(meant)'?"), "\(word): \(r.stderr)")
        }
        let words = try Loupe.run(["green", "zone"])
        #expect(words.status == 2)
        #expect(words.stderr.contains("to search for it: loupe find 'green zone'"), "\(words.stderr)")
        let word = try Loupe.run(["harbour"])
        #expect(word.stderr.contains("to search for it: loupe find harbour"), "\(word.stderr)")
    }

    /// An unknown option one or two edits from one of the command's names it (the parser does
    /// only for options that start with the mistyped one); far from all, none.
    @Test func mistypedOptionNamesTheOption() throws {
        let r = try Loupe.run(["find", "iran", "--limt", "3"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Did you mean '--limit'?"), "\(r.stderr)")
        let index = try Loupe.run(["index", "Corpus", "--threds", "2"])
        #expect(index.stderr.contains("Did you mean '--threads'?"), "\(index.stderr)")
        let root = try Loupe.run(["--verison"])
        #expect(root.stderr.contains("Did you mean '--version'?"), "\(root.stderr)")
        let far = try Loupe.run(["find", "iran", "--xyzzy"])
        #expect(far.status == 2 && !far.stderr.contains("Did you mean"), "\(far.stderr)")
    }
}

@Suite("explain")
struct ExplainTests {
    /// `--explain` trees add up: a "sum of:" is the sum of its parts, and a term's weight is the
    /// product of its factors — including the title and exact-form weights of an unquoted word
    /// (they were folded into the value but missing from the factors).
    @Test func factorsMultiplyAndPartsAdd() throws {
        let dir = try Loupe.tempDir("loupe-explain")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        // A text file's first line is its title.
        try "Baghdad talks\n\nTalks in Baghdad went on; the talks were long and the talking longer.\n"
            .write(to: corpus.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "Other news\n\nNothing about baghdad here, only talk of the weather.\n"
            .write(to: corpus.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        let r = try Loupe.run([
            "find", "baghdad talks", "--index", idx, "--explain", "--color", "never", "--limit", "2",
        ])
        #expect(r.status == 0)
        // Explanation lines: indentation, value, description.
        var nodes: [(indent: Int, value: Double, text: String)] = []
        for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: true) {
            let indent = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(indent)
            guard let eq = rest.range(of: " = "), let v = Double(rest[..<eq.lowerBound]) else { continue }
            nodes.append((indent, v, String(rest[eq.upperBound...])))
        }
        var checkedWeights = 0
        var sawTitle = false
        var sawExact = false
        for (i, n) in nodes.enumerated() where n.text.hasPrefix("weight(") || n.text == "sum of:" {
            var children: [Double] = []
            var j = i + 1
            while j < nodes.count && nodes[j].indent > n.indent {
                if nodes[j].indent == n.indent + 2 { children.append(nodes[j].value) }
                j += 1
            }
            if n.text == "sum of:" {
                #expect(abs(children.reduce(0, +) - n.value) <= 1e-3 * max(1, n.value), "\(n.text)")
            } else if !n.text.contains("phrase") && !n.text.contains("NEAR") {
                #expect(abs(children.reduce(1, *) - n.value) <= 1e-3 * max(1, n.value), "\(n.text)")
                checkedWeights += 1
                sawTitle = sawTitle || n.text.contains("title weight")
                sawExact = sawExact || n.text.contains("exact-form weight")
            }
        }
        #expect(checkedWeights >= 4)
        #expect(sawTitle && sawExact)
    }
}
