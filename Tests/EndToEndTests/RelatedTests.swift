import Foundation
import Testing

@Suite("loupe related")
struct RelatedTests {
    static let story = """
        Engineers finished the new suspension bridge over the river Lune after three years of work. \
        The bridge carries two lanes of traffic and a cycle path, and its towers rise eighty metres \
        above the water. The council said tolls would not be charged on the bridge.
        """

    /// A corpus of one RSS feed, `news.xml`, of these items (id, title, RFC 822 date, text).
    static func feed(_ name: String, _ items: [(String, String, String, String)]) throws -> URL {
        let dir = try Loupe.tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        var rss = "<rss version=\"2.0\"><channel><title>t</title>\n"
        for (id, title, date, body) in items {
            rss +=
                "<item><title>\(title)</title><guid>\(id)</guid><pubDate>\(date)</pubDate><description>\(body)</description></item>\n"
        }
        rss += "</channel></rss>\n"
        try rss.write(to: c.appendingPathComponent("news.xml"), atomically: true, encoding: .utf8)
        return c
    }

    /// A small feed: a source story, a syndicated copy of it, another copy of a second story,
    /// related stories at various dates, and unrelated items.
    static func corpus() throws -> URL {
        let followUp =
            "Traffic on the new suspension bridge over the river Lune doubled in its first week, the council said; cyclists praised the path beside the lanes and the towers."
        return try feed(
            "loupe-related",
            [
                ("src", "Lune bridge opens", "Mon, 02 Jul 2007 10:00:00 GMT", story),
                ("copy", "Lune bridge opens to traffic", "Mon, 02 Jul 2007 11:00:00 GMT", story + " (Agency copy.)"),
                ("near1", "Bridge traffic doubles", "Mon, 09 Jul 2007 10:00:00 GMT", followUp),
                ("near1-copy", "Bridge traffic doubles (update)", "Mon, 09 Jul 2007 12:00:00 GMT", followUp),
                (
                    "far", "Bridge towers inspected", "Mon, 03 Dec 2007 10:00:00 GMT",
                    "Inspectors checked the towers and cables of the suspension bridge over the river Lune and found the steel sound."
                ),
                (
                    "other1", "Election results", "Tue, 03 Jul 2007 10:00:00 GMT",
                    "Voters returned the mayor for a third term with a narrow majority in the city council."
                ),
                (
                    "other2", "Harvest festival", "Wed, 04 Jul 2007 10:00:00 GMT",
                    "Farmers brought apples and pears to the market square for the annual harvest festival."
                ),
                (
                    "other3", "Museum reopens", "Thu, 05 Jul 2007 10:00:00 GMT",
                    "The museum of local history reopened after repairs to its roof and a new exhibition of maps."
                ),
            ])
    }

    func related(_ args: [String], index: String, stdin: String? = nil) throws -> [String: Any] {
        let r = try Loupe.run(["related"] + args + ["--index", index, "--json"])
        return Loupe.json(r.stdout)
    }

    @Test func excludesSourceGroupsCopiesAndExplains() throws {
        let c = try RelatedTests.corpus()
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let o = try related(["src"], index: idx)
        let hits = o["hits"] as? [[String: Any]] ?? []
        let ids = hits.compactMap { $0["id"] as? String }
        #expect(!ids.contains("src"), "the source itself is excluded")
        #expect(!ids.contains("copy"), "a copy of the source is not a related article")
        #expect((o["copies_of_source"] as? [String]) == ["copy"])
        // The follow-up and its copy are one hit.
        #expect(ids.first == "near1")
        #expect((hits.first?["copies"] as? [String]) == ["near1-copy"])
        #expect(!ids.contains("near1-copy"))
        #expect(ids.contains("far"))
        // Why: the shared words that weighed most.
        let why = (hits.first?["why"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect(why.contains("bridge") || why.contains("lune") || why.contains("suspension"), "\(why)")
        for w in why { #expect(RelatedTests.story.lowercased().contains(w), "\(w) is a word of the source") }
    }

    /// Each hit has a snippet around the words that made it related, those words marked (in
    /// the listing and in JSON); `--context 0` leaves it out.
    @Test func hitsShowTheSharedWordsInASnippet() throws {
        let c = try RelatedTests.corpus()
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let o = try related(["src"], index: idx)
        let first = (o["hits"] as? [[String: Any]] ?? []).first ?? [:]
        let snippet = first["snippet"] as? String ?? ""
        let why = (first["why"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect(
            snippet.contains("[bridge]") || snippet.contains("[Lune]") || snippet.contains("[suspension]"), "\(snippet)"
        )
        #expect(why.contains { snippet.lowercased().contains("[\($0)") }, "\(why): \(snippet)")
        let text = try Loupe.run(["related", "src", "--index", idx, "--limit", "1", "--color", "never"])
        let lines = text.stdout.split(separator: "\n").map(String.init)
        // The title, its metadata, then the snippet and the shared words.
        let at = try #require(lines.firstIndex { $0.hasPrefix("1. ") })
        #expect(lines.count > at + 3, "\(text.stdout)")
        #expect(lines[at + 2].hasPrefix("   ") && lines[at + 2].contains("["), "\(text.stdout)")
        #expect(lines[at + 3].hasPrefix("   shared: "), "\(text.stdout)")
        // --format tsv: a header, then one line per hit.
        let tsv = try Loupe.run(["related", "src", "--index", idx, "--format", "tsv"])
        let rows = tsv.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.first == ["rank", "score", "id", "date", "title", "source", "shared"], "\(tsv.stdout)")
        #expect(rows.count > 1 && rows[1][0] == "1" && rows[1][2] == "near1" && rows[1][4] == "Bridge traffic doubles")
        #expect(rows.count > 1 && why.allSatisfy { rows[1][6].contains($0) }, "\(tsv.stdout)")
        let none = try related(["src", "--context", "0"], index: idx)
        #expect(((none["hits"] as? [[String: Any]] ?? []).first ?? [:])["snippet"] == nil)
    }

    /// `loupe related A B`: the articles related to several sources together — each source's
    /// words count (a story near either is found), every source is excluded and a copy of any is
    /// set apart, and the window counts from the nearest source's date.
    @Test func severalSourcesTogether() throws {
        let dredging =
            "Dredgers began deepening the harbour channel at Porthaven so that larger freighters can berth at the east quay; the dredging will last six weeks."
        let c = try RelatedTests.feed(
            "loupe-related-several",
            [
                ("s1", "Lune bridge opens", "Mon, 02 Jul 2007 10:00:00 GMT", RelatedTests.story),
                ("s2", "Harbour dredging starts", "Mon, 03 Dec 2007 10:00:00 GMT", dredging),
                ("s2copy", "Harbour dredging starts (agency)", "Mon, 03 Dec 2007 11:00:00 GMT", dredging),
                (
                    "near1", "Bridge traffic doubles", "Mon, 09 Jul 2007 10:00:00 GMT",
                    "Traffic on the new suspension bridge over the river Lune doubled in its first week; cyclists praised the path beside the lanes."
                ),
                (
                    "near2", "Dredgers reach the east quay", "Mon, 10 Dec 2007 10:00:00 GMT",
                    "The dredgers deepening the harbour channel reached the east quay, where larger freighters will berth from January."
                ),
                (
                    "both", "Freighters pass the new bridge", "Sat, 15 Sep 2007 10:00:00 GMT",
                    "Freighters bound for the deepened harbour channel pass under the suspension bridge over the river Lune."
                ),
                (
                    "other1", "Election results", "Tue, 03 Jul 2007 10:00:00 GMT",
                    "Voters returned the mayor for a third term with a narrow majority."
                ),
                (
                    "other2", "Harvest festival", "Wed, 04 Jul 2007 10:00:00 GMT",
                    "Farmers brought apples and pears to the market square for the annual harvest festival."
                ),
            ])
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ids(_ o: [String: Any]) -> [String] {
            (o["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        // The words of the first source alone (no feedback) do not find the second's neighbour.
        let one = ids(try related(["s1", "--feedback", "0"], index: idx))
        #expect(one.contains("near1") && !one.contains("near2"), "\(one)")
        let both0 = ids(try related(["s1", "s2", "--feedback", "0"], index: idx))
        #expect(both0.contains("near1") && both0.contains("near2"), "\(both0)")
        let o = try related(["s1", "s2"], index: idx)
        let both = ids(o)
        #expect(both.contains("near1") && both.contains("near2") && both.contains("both"), "\(both)")
        #expect(!both.contains("s1") && !both.contains("s2") && !both.contains("s2copy"), "\(both)")
        #expect((o["copies_of_source"] as? [String]) == ["s2copy"], "\(o)")
        let sources = (o["sources"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(sources == ["s1", "s2"], "\(o)")
        // Within 10 days of either source: both neighbours, not the September story.
        let near = ids(try related(["s1", "s2", "--window", "10d"], index: idx))
        #expect(Set(near) == ["near1", "near2"], "\(near)")
        let text = try Loupe.run(["related", "s1", "s2", "--index", idx, "--context", "0"])
        #expect(
            text.stdout.hasPrefix("Related to all of: Lune bridge opens · Harbour dredging starts\n"), "\(text.stdout)")
        #expect(text.stdout.contains("copies of these articles: s2copy"), "\(text.stdout)")
        // One article named twice is one source.
        let twice = try Loupe.run(["related", "s1", "news.xml#s1", "--index", idx, "--json", "--feedback", "0"])
        #expect(Loupe.json(twice.stdout)["sources"] == nil, "\(twice.stdout)")
        #expect(ids(Loupe.json(twice.stdout)) == one)
        let missing = try Loupe.run(["related", "s1", "nope", "--index", idx])
        #expect(missing.status == 2 && missing.stderr.contains("no article with id or path nope"), "\(missing.stderr)")
    }

    /// `--unlike ID`: the words that characterise that article are not searched, and it is no
    /// hit — the source's other subject (the tolls) comes before the one the unlike article
    /// shares with it (the towers).
    @Test func unlikeTakesItsWordsOut() throws {
        let dir = try Loupe.tempDir("loupe-related-unlike")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let docs = [
            ("src", "Lune bridge opens", RelatedTests.story),
            (
                "towers", "Bridge towers over the Lune",
                "The towers of the suspension bridge over the river Lune rise eighty metres above the water."
            ),
            (
                "painted", "Bridge towers painted",
                "Painters finished the towers of the suspension bridge over the river Lune."
            ),
            (
                "tolls", "Council rules out tolls",
                "The council said tolls would not be charged; cyclists welcomed the decision on tolls."
            ),
            ("market", "Market day", "Farmers brought apples and pears to the market square."),
            ("museum", "Museum reopens", "The museum of local history reopened after repairs to its roof."),
        ]
        for (id, title, body) in docs {
            try "\(title)\n\n\(body)\n".write(
                to: c.appendingPathComponent("\(id).txt"), atomically: true, encoding: .utf8)
        }
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ids(_ o: [String: Any]) -> [String] {
            (o["hits"] as? [[String: Any]] ?? []).compactMap {
                ($0["id"] as? String)?.replacingOccurrences(of: ".txt", with: "")
            }
        }
        let plain = ids(try related(["src.txt"], index: idx))
        #expect(plain.firstIndex(of: "painted")! < plain.firstIndex(of: "tolls")!, "\(plain)")
        let o = try related(["src.txt", "--unlike", "towers.txt"], index: idx)
        let unlike = ids(o)
        #expect(!unlike.contains("towers") && unlike.first == "tolls", "\(unlike)")
        #expect((o["unlike"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["towers.txt"], "\(o)")
        let terms = (o["terms"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect(!terms.contains("towers") && terms.contains("tolls"), "\(terms)")
        let text = try Loupe.run(["related", "src.txt", "--unlike", "towers.txt", "--index", idx, "--context", "0"])
        #expect(text.stdout.contains("  unlike: Bridge towers over the Lune\n"), "\(text.stdout)")
        let bad = try Loupe.run(["related", "src.txt", "--unlike", "nope", "--index", idx])
        #expect(bad.status == 2 && bad.stderr.contains("--unlike: no article with id or path nope"), "\(bad.stderr)")
    }

    /// `--filter QUERY`: only articles the query matches are hits (the others make room).
    @Test func filterKeepsWhatTheQueryMatches() throws {
        let c = try RelatedTests.corpus()
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ids(_ args: [String]) throws -> [String] {
            (try related(args, index: idx)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        let all = try ids(["src"])
        #expect(all.contains("near1") && all.contains("far"), "\(all)")
        #expect(try ids(["src", "--filter", "date:2007-12"]) == ["far"])
        let noTowers = try ids(["src", "--filter", "*:* -towers"])
        #expect(!noTowers.contains("far") && noTowers.contains("near1") == false, "\(noTowers)")
        let bad = try Loupe.run(["related", "src", "--filter", "title:", "--index", idx])
        #expect(bad.status == 2, "\(bad.stderr)")
    }

    @Test func windowKeepsNearbyDates() throws {
        let c = try RelatedTests.corpus()
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let ids = (try related(["src", "--window", "14d"], index: idx)["hits"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String }
        #expect(ids.contains("near1"))
        #expect(!ids.contains("far"), "December is outside a 14-day window around 2 July")
    }

    @Test func textFromStdinOrFile() throws {
        let c = try RelatedTests.corpus()
        let idx = c.deletingLastPathComponent().appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let f = c.deletingLastPathComponent().appendingPathComponent("draft.txt")
        try "Lune crossing\n\nIs the Lune suspension bridge safe? Inspectors looked at the towers.".write(
            to: f, atomically: true, encoding: .utf8)
        let fromFile = try related(["--text", f.path], index: idx)
        let ids = (fromFile["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("far"))
        // Through stdin.
        let p = Process()
        p.executableURL = Loupe.binary
        p.arguments = ["related", "--text", "-", "--index", idx, "--json"]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data("Harvest festival with apples and pears at the market".utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let first = (Loupe.json(String(decoding: data, as: UTF8.self))["hits"] as? [[String: Any]])?.first
        #expect(first?["id"] as? String == "other2")
    }

    /// A file the loader rejects says why (its parse error and line), not only that it gave no text.
    @Test func aRejectedTextFileSaysWhy() throws {
        let (c, index) = try Loupe.indexedCorpus()
        let f = c.deletingLastPathComponent().appendingPathComponent("broken.xml")
        try "<rss version=\"2.0\"><channel>\n<item><title>Lune bridge</description></item>\n</channel></rss>\n".write(
            to: f, atomically: true, encoding: .utf8)
        let r = try Loupe.run(["related", "--text", f.path, "--index", index])
        #expect(r.status == 2)
        #expect(r.stderr.contains("broken.xml:2"), "\(r.stderr)")
        #expect(r.stderr.contains("no article text found"))
    }

    @Test func unknownArticleIsAnError() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let bad = try Loupe.run(["related", "world-0003", "--first-round-terms", "0", "--index", index])
        #expect(bad.status != 0 && bad.stderr.contains("--first-round-terms"))
        #expect(try Loupe.run(["related", "world-0003", "--first-round-terms", "5", "--index", index]).status == 0)
        #expect(try Loupe.run(["related", "no-such-id", "--index", index]).status == 2)
        #expect(try Loupe.run(["related", "world-0003", "--index", index]).status == 0)
    }

    /// `related` offers the ranking settings its weighted-word query uses (BM25's and the title
    /// weight), not `find`'s query-language ones, which would change nothing.
    @Test func onlyTheRankingSettingsItUsesAreOffered() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let help = try Loupe.run(["related", "--help"]).stdout
        #expect(help.contains("--k1") && help.contains("--title-weight"))
        for flag in ["--proximity", "--spelling", "--stopwords", "--exact-weight", "--sublinear-repeats"] {
            #expect(!help.contains(flag), "\(flag)")
        }
        let r = try Loupe.run(["related", "world-0003", "--no-spelling", "--index", index])
        #expect(r.status == 2 && r.stderr.contains("Unknown option '--no-spelling'"), "\(r)")
        #expect(try Loupe.run(["related", "world-0003", "--k1", "0.9", "--b", "0.5", "--index", index]).status == 0)
    }

    /// A corpus file of several articles as the source: its first, with a note naming it and
    /// the count; a one-article file needs no note.
    @Test func aFileOfSeveralArticlesNamesTheOneUsed() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let feed = try Loupe.run(["related", "feeds/world-desk.rss.xml", "--index", index, "--json"])
        #expect(feed.status == 0, "\(feed.stderr)")
        let first = (Loupe.json(feed.stdout)["source"] as? [String: Any])?["id"] as? String ?? "?"
        #expect(feed.stderr.contains("feeds/world-desk.rss.xml holds "), "\(feed.stderr)")
        #expect(feed.stderr.contains("related to its first, \(first)"), "\(feed.stderr)")
        let one = try Loupe.run(["related", "text/zone-diary.txt", "--index", index])
        #expect(one.status == 0 && !one.stderr.contains("note:"), "\(one.stderr)")
    }

    /// A corpus file named as the shell gives it (`./x`, absolute, from a subdirectory, through
    /// `..`) is that indexed article for `related` and `show`; it used to be read as a text from
    /// outside the index, which listed the article as a copy of itself.
    @Test func shellPathsNameTheIndexedFile() throws {
        let (corpus, index) = try Loupe.indexedCorpus()
        func hitIDs(_ o: [String: Any]) -> [String] {
            (o["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        let want = hitIDs(
            Loupe.json(try Loupe.run(["related", "text/zone-diary.txt", "--index", index, "--json"]).stdout))
        #expect(!want.isEmpty)
        let text = corpus.appendingPathComponent("text")
        for (arg, cwd) in [
            ("./text/zone-diary.txt", corpus), (text.path + "/zone-diary.txt", corpus.deletingLastPathComponent()),
            ("zone-diary.txt", text), ("../text/zone-diary.txt", corpus.appendingPathComponent("feeds")),
        ] {
            let r = try Loupe.run(["related", arg, "--index", index, "--json"], cwd: cwd)
            let o = Loupe.json(r.stdout)
            #expect(r.status == 0, "\(arg): \(r.stderr)")
            #expect((o["copies_of_source"] as? [String]) == [], "\(arg)")
            #expect(hitIDs(o) == want, "\(arg)")
        }
        let shown = try Loupe.run(
            ["show", "world-desk.rss.xml", "--index", index, "--json"], cwd: corpus.appendingPathComponent("feeds"))
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.contains("world-desk.rss.xml holds 5 articles; this is its first"), "\(shown.stderr)")
    }

    /// `--batch` reads one id per line, with Windows line ends too (`\r\n` is one Character:
    /// the file was one line, and every id "no such article").
    @Test func batchWithWindowsLineEnds() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let file = try Loupe.tempDir("loupe-related-batch").appendingPathComponent("ids.txt")
        try "world-0003\r\nworld-0002\r\n".write(to: file, atomically: false, encoding: .utf8)
        let r = try Loupe.run(["related", "--batch", file.path, "--index", index])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { Loupe.json(String($0)) }
        #expect(lines.map { $0["id"] as? String } == ["world-0003", "world-0002"])
        #expect(lines.allSatisfy { ($0["hits"] as? [[String: Any]])?.isEmpty == false })
    }

    /// A wire dateline gives no query words: the story filed in the same city about something
    /// else is not related, the one about the same subject is.
    @Test func datelineWordsAreNotQueryWords() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-dateline",
            [
                ("source", "ROTTERDAM, March 5 - Zeolite catalysts crack heavy crude into petrol at the refinery."),
                ("same-city", "Rotterdam hosts a Rotterdam harbour festival in Rotterdam every summer."),
                ("same-subject", "Refinery engineers said zeolite catalysts crack crude oil faster."),
                ("u1", "The orchestra played a new symphony at the concert hall on Sunday."),
                ("u2", "Farmers sold apples and pears at the market square."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let r = try related(["source.txt", "--feedback", "0"], index: idx)
        let terms = (r["terms"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect(!terms.isEmpty && !terms.contains { $0.lowercased().hasPrefix("rotterdam") }, "\(terms)")
        let ids = (r["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.first == "same-subject.txt" && !ids.contains("same-city.txt"), "\(ids)")
    }

    /// Function words are no query words: an article that shares only them with the source
    /// (said, had, would, over, three…) is not related, and they are not listed as shared.
    @Test func functionWordsAreNotQueryWords() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-function-words",
            [
                (
                    "source",
                    "Frost damaged the vineyards, growers said; they had hoped the vines would recover over the summer, and three growers said they would replant."
                ),
                ("same-subject", "Growers replant vineyards after frost damaged the vines."),
                (
                    "twin",
                    "They said they had said it would be over, and three of them said they had been told it would be over."
                ),
                ("u1", "The orchestra played a new symphony at the concert hall on Sunday."),
                ("u2", "Farmers sold apples and pears at the market square."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let r = try related(["source.txt", "--feedback", "0"], index: idx)
        let terms = (r["terms"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        let function = ["said", "had", "would", "over", "three", "they"]
        #expect(!terms.isEmpty && !terms.contains { function.contains($0.lowercased()) }, "\(terms)")
        let hits = r["hits"] as? [[String: Any]] ?? []
        let ids = hits.compactMap { $0["id"] as? String }
        #expect(ids.first == "same-subject.txt" && !ids.contains("twin.txt"), "\(ids)")
        let why = hits.flatMap { ($0["why"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String } }
        #expect(!why.contains { function.contains($0.lowercased()) }, "\(why)")
    }

    /// Feedback: an article that shares no word with the source, but the subject words of the
    /// source's closest matches, is found with feedback and not without it.
    @Test func feedbackFindsTheSubjectsOtherWords() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-feedback",
            [
                ("source", "Glaciers retreat quickly in the Alps, surveyors reported."),
                ("n1", "Glaciers retreat in the Alps as meltwater and moraine surveys show thinning ice."),
                ("n2", "Surveyors say Alps glaciers retreat; meltwater lakes grow behind the moraine."),
                ("n3", "Meltwater from retreating glaciers in the Alps fills lakes near the moraine."),
                ("subject", "Meltwater lakes dammed by moraine can burst and flood valleys downstream."),
                ("u1", "The orchestra played a new symphony at the concert hall on Sunday."),
                ("u2", "Farmers sold apples and pears at the market square."),
                ("u3", "The council voted on the budget for road repairs."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ids(_ extra: [String]) throws -> [String] {
            (try related(["source.txt"] + extra, index: idx)["hits"] as? [[String: Any]] ?? []).compactMap {
                $0["id"] as? String
            }
        }
        let without = try ids(["--feedback", "0"])
        let with = try ids(["--feedback", "3"])
        #expect(!without.contains("subject.txt"), "\(without)")
        #expect(with.contains("subject.txt"), "\(with)")
        #expect(!with.contains("source.txt"))
        // It shares no word with the source: its "why" names the neighbours' words that found
        // it, as it writes them (not as stems), instead of an empty list.
        let hits = try related(["source.txt", "--feedback", "3"], index: idx)["hits"] as? [[String: Any]] ?? []
        let subject = hits.first { $0["id"] as? String == "subject.txt" }
        let via = (subject?["via"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect((subject?["why"] as? [Any])?.isEmpty == true)
        #expect(via.contains("meltwater") && via.contains("moraine"), "\(via)")
        let n1 = hits.first { $0["id"] as? String == "n1.txt" }
        #expect((n1?["via"] as? [Any])?.isEmpty == true && (n1?["why"] as? [Any])?.isEmpty == false)
        let text = try Loupe.run(["related", "source.txt", "--feedback", "3", "--index", idx])
        #expect(text.stdout.contains("no shared word; through similar articles' words: "), "\(text.stdout)")
        #expect(!text.stdout.contains("shared: \n"))
    }
}

/// `loupe index` writes the topic model `related` blends in (README "Related articles"); small
/// indexes and `--no-topics` get none; a damaged model is ignored, and made again by the next run.
@Suite("topic model")
struct TopicModelCLITests {
    /// 1,100 JSON Lines articles (enough for a model), half on space flight, half on farming;
    /// (its directory, the corpus).
    static func twoTopicCorpus(_ name: String) throws -> (URL, URL) {
        let dir = try Loupe.tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let space = ["orbit", "rocket", "launches", "satellite", "booster", "payload", "capsule", "astronaut"]
        let farm = ["harvest", "tractor", "wheat", "barley", "cattle", "orchard", "plough", "silo"]
        var lines = ""
        for i in 0..<1_100 {
            let v = i % 2 == 0 ? space : farm
            let words = (0..<6).map { v[($0 * 7 + i * 3) % v.count] }.joined(separator: " ")
            lines += "{\"id\": \"d\(i)\", \"title\": \"item \(i)\", \"text\": \"\(words) report\"}\n"
        }
        try lines.write(to: c.appendingPathComponent("items.jsonl"), atomically: true, encoding: .utf8)
        return (dir, c)
    }

    @Test func indexWritesItAndRelatedToleratesItsAbsenceOrDamage() throws {
        let (dir, c) = try TopicModelCLITests.twoTopicCorpus("loupe-topics")
        let idx = dir.appendingPathComponent("idx").path
        let model = idx + "/topics"
        #expect(try Loupe.run(["index", c.path, "--index", idx, "--no-topics"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: model))
        let plain = try Loupe.run(["related", "d0", "--index", idx, "--json"])
        #expect(plain.status == 0)
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        #expect(FileManager.default.fileExists(atPath: model))
        let blended = try Loupe.run(["related", "d0", "--index", idx, "--json"])
        #expect(blended.status == 0 && !(Loupe.json(blended.stdout)["hits"] as? [[String: Any]] ?? []).isEmpty)
        // Off by option: the same hits as without a model.
        let off = try Loupe.run([
            "related", "d0", "--index", idx, "--json", "--topic-weight", "0", "--topic-expansion", "0",
            "--title-topic-weight", "0",
        ])
        #expect(off.stdout == plain.stdout)
        // Damaged: the same hits as without a model, with a note saying so; `check` names it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: model))
        let damaged = try Loupe.run(["related", "d0", "--index", idx, "--json"])
        #expect(damaged.status == 0 && damaged.stdout == plain.stdout)
        #expect(damaged.stderr.contains("topic model is damaged"), "\(damaged.stderr)")
        #expect(!plain.stderr.contains("topic model"))
        let check = try Loupe.run(["check", "--index", idx])
        #expect(check.status == 2 && check.stderr.contains("topics"), "\(check.stderr)")
        // The next index run, though nothing changed, makes a damaged model again …
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) != bytes)
        #expect(try Loupe.run(["related", "d0", "--index", idx, "--json"]).stdout == blended.stdout)
        // … and `check` finds it sound again.
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }

    /// A rebuilt index gets a new model: with another analyzer its words differ (English stems
    /// `satellit`, the plain analyzer keeps `satellite`), and the model kept from before would
    /// hold none of them, though the corpus and the article count are the same.
    @Test func rebuildMakesTheModelAgain() throws {
        let (dir, c) = try TopicModelCLITests.twoTopicCorpus("loupe-topics-rebuild")
        let idx = dir.appendingPathComponent("idx").path
        let model = URL(fileURLWithPath: idx + "/topics")
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let english = try Data(contentsOf: model)
        #expect(english.range(of: Data("satellit".utf8)) != nil)
        #expect(english.range(of: Data("satellite".utf8)) == nil)
        let plain = try Loupe.run(["index", c.path, "--index", idx, "--analyzer", "plain"])
        #expect(plain.status == 0 && plain.stderr.contains("rebuilding"), "\(plain.stderr)")
        let remade = try Data(contentsOf: model)
        #expect(remade.range(of: Data("satellite".utf8)) != nil)
        #expect(remade.range(of: Data("launches".utf8)) != nil)
        let r = try Loupe.run(["related", "d0", "--index", idx, "--json"])
        #expect(r.status == 0 && !r.stderr.contains("topic model"), "\(r.stderr)")
    }
}
