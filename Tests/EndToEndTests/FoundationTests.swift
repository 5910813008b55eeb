import Foundation
import Testing

@Suite("loupe index + find on Corpus/")
struct FoundationTests {
    @Test func seedArticleIsFirstForGreenZoneWithHighlight() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "Green Zone", "--index", index, "--json"])
        #expect(r.status == 0)
        let o = Loupe.json(r.stdout)
        #expect(o["query"] as? String == "Green Zone")
        let hits = o["hits"] as? [[String: Any]] ?? []
        #expect(hits.count >= 2)
        let first = hits.first ?? [:]
        #expect(first["source"] as? String == "000_48ee8ce46de06e27.txt")
        #expect(first["rank"] as? Int == 1)
        let snippet = first["snippet"] as? String ?? ""
        #expect(snippet.contains("[Green Zone]"), "snippet: \(snippet)")
        for key in ["rank", "id", "score", "title", "date", "source", "snippet"] {
            #expect(first.keys.contains(key), "missing key \(key)")
        }
        // Scores are ranked.
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))
        #expect((o["total"] as? Int ?? 0) >= hits.count)
    }

    @Test func reversedPhraseDoesNotMatchSeed() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "\"zone green\"", "--index", index, "--json"])
        let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(!hits.contains { ($0["source"] as? String) == "000_48ee8ce46de06e27.txt" })
        #expect(r.status == 1)
        // The phrase in its real order does match, by positions.
        let ok = try Loupe.run(["find", "\"green zone\"", "--index", index, "--json"])
        #expect(ok.status == 0)
        let okHits = Loupe.json(ok.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(okHits.first?["source"] as? String == "000_48ee8ce46de06e27.txt")
    }

    @Test func noHitsExitsOne() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "nosuchwordanywhere", "--index", index])
        #expect(r.status == 1)
    }

    @Test func missingIndexExitsTwoWithHowTo() throws {
        let dir = try Loupe.tempDir()
        let r = try Loupe.run(["find", "iran", "--index", dir.appendingPathComponent("none").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("loupe index"), "stderr: \(r.stderr)")
        // The corpus given as the index: say so, and how to index it.
        let corpus = try Loupe.corpusCopy()
        let c = try Loupe.run(["find", "iran", "--index", corpus.path])
        #expect(c.status == 2)
        #expect(c.stderr.contains("is not an index") && c.stderr.contains("loupe index \(corpus.path)"), "\(c.stderr)")
    }

    /// An index written into the corpus directory itself would read its own files as articles
    /// (its MANIFEST as a JSON article, its segments as binary files): refused, nothing written.
    @Test func indexInTheCorpusDirectoryItselfIsRefused() throws {
        let corpus = try Loupe.corpusCopy()
        let before = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        let r = try Loupe.run(["index", corpus.path, "--index", corpus.path])
        #expect(r.status == 2 && r.stderr.contains("the index directory is the corpus directory"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() == before)
        let dot = try Loupe.run(["index", ".", "--index", "."], cwd: corpus)
        #expect(dot.status == 2)
        // The default (./.loupe inside the corpus) is skipped by the walk, as before.
        let inside = try Loupe.run(["index", "."], cwd: corpus)
        #expect(inside.status == 0 && inside.stdout.contains("indexed 41 files"), "\(inside.stdout)")
    }

    /// The summary counts the editor backups it left out (`notes.txt~`), in JSON too.
    @Test func editorBackupsAreCountedInTheSummary() throws {
        let (c, idx) = try Loupe.textCorpus("loupe-backups", [("notes", "harbour notes")])
        try "notes\n\nharbour notes, older".write(
            to: c.appendingPathComponent("notes.txt~"), atomically: true, encoding: .utf8)
        let r = try Loupe.run(["index", c.path, "--index", idx])
        #expect(r.stdout.contains("indexed 1 file, 1 article") && r.stdout.contains("; 1 editor backup file skipped"))
        let j = Loupe.json(try Loupe.run(["index", c.path, "--index", idx, "--rebuild", "--json"]).stdout)
        #expect(j["skippedBackups"] as? Int == 1)
    }

    @Test func defaultIndexLocationHonoursEnvironment() throws {
        let corpus = try Loupe.corpusCopy()
        let idx = corpus.deletingLastPathComponent().appendingPathComponent("envidx").path
        let r = try Loupe.run(["index", corpus.path], env: ["LOUPE_INDEX": idx])
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: idx + "/MANIFEST"))
        let f = try Loupe.run(["find", "baghdad"], env: ["LOUPE_INDEX": idx])
        #expect(f.status == 0)
        // Without the variable, ./.loupe in the working directory.
        let cwd = corpus.deletingLastPathComponent()
        let r2 = try Loupe.run(["index", corpus.path], env: ["LOUPE_INDEX": ""], cwd: cwd)
        #expect(r2.status == 0)
        #expect(FileManager.default.fileExists(atPath: cwd.appendingPathComponent(".loupe/MANIFEST").path))
    }

    @Test func indexSummaryLine() throws {
        let corpus = try Loupe.corpusCopy()
        let idx = corpus.deletingLastPathComponent().appendingPathComponent("i").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(r.status == 0)
        // files, articles, MB, seconds
        #expect(r.stdout.contains("indexed 41 files, 73 articles"), "\(r.stdout)")
        #expect(r.stdout.contains(" MB in ") && r.stdout.hasSuffix(" s\n"))
        let j = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--rebuild"])
        let o = Loupe.json(j.stdout)
        #expect(o["articles"] as? Int == 73)
        #expect(o["files"] as? Int == 41)
    }

    /// Counts of one are singular in the summaries: "1 file", "1 article", "1 file removed".
    @Test func summariesCountInTheSingular() throws {
        let dir = try Loupe.tempDir()
        let corpus = dir.appendingPathComponent("one")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try "Harbour pilots\n\nThe pilots met.\n".write(
            to: corpus.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "Tug crews\n\nThe tugs waited.\n".write(
            to: corpus.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let first = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(first.stdout.hasPrefix("indexed 2 files, 2 articles"), "\(first.stdout)")
        try FileManager.default.removeItem(at: corpus.appendingPathComponent("b.txt"))
        try "Harbour pilots\n\nThe pilots met again.\n".write(
            to: corpus.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let again = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(again.stdout.hasPrefix("indexed 1 file, 1 article, "), "\(again.stdout)")
        #expect(again.stdout.contains("; 1 file removed"), "\(again.stdout)")
        let check = try Loupe.run(["check", "--index", idx])
        #expect(check.stdout.contains(", 1 article, "), "\(check.stdout)")
        let stats = try Loupe.run(["stats", "--index", idx])
        #expect(stats.stdout.contains("(1 file)"), "\(stats.stdout)")
        // Small files' sizes in bytes, not as 0.00 MB.
        #expect(!stats.stdout.contains("0.00 MB") && stats.stdout.contains(" bytes"), "\(stats.stdout)")
    }

    /// The Japanese sample is found by its words, written without spaces: a word of several
    /// characters (a phrase of character pairs, highlighted whole), a quoted phrase, and one
    /// character alone; a word it does not hold finds nothing.
    @Test func japaneseSampleIsFoundByItsWords() throws {
        let (_, index) = try Loupe.indexedCorpus()
        for q in ["東京港", "浚渫", "\"水深を十六メートル\"", "港"] {
            let r = Loupe.json(try Loupe.run(["find", q, "--index", index, "--json"]).stdout)
            let hits = r["hits"] as? [[String: Any]] ?? []
            #expect(hits.first?["source"] as? String == "text/tokyo-port-ja.txt", "\(q)")
            #expect(r["total"] as? Int == 1, "\(q)")
        }
        let s = try Loupe.run(["find", "東京港", "--index", index, "--color", "never"])
        #expect(s.stdout.contains("[東京港]"), "\(s.stdout)")
        // 大阪港 shares 港 but not its pairs; 東京都 is inside 東京都港湾局.
        #expect(try Loupe.run(["find", "大阪港", "--index", index]).status == 1)
        #expect(try Loupe.run(["find", "東京都", "--index", index]).status == 0)
    }

    /// `--by author|category|source` counts the matches per value, the most frequent first,
    /// values differing only in case as one; `--limit` cuts the list and says how many more.
    /// A timeline gives each period's share of the archive's articles then (a count that grows
    /// with the archive is not a story that grows): articles is every dated article of the
    /// period, as `*:* date:PERIOD` counts them.
    @Test func timelineSharesOfEachPeriod() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "harbour", "--by", "year", "--index", index, "--json"])
        let buckets = Loupe.json(r.stdout)["buckets"] as? [[String: Any]] ?? []
        #expect(!buckets.isEmpty)
        var partial = 0
        for b in buckets {
            let period = b["period"] as? String ?? ""
            let count = b["count"] as? Int ?? 0
            let articles = b["articles"] as? Int ?? 0
            let share = b["share"] as? Double ?? -1
            let all = Loupe.json(try Loupe.run(["find", "*:* date:\(period)", "--index", index, "--json"]).stdout)
            #expect(articles == all["total"] as? Int && articles >= count, "\(period)")
            #expect(abs(share - Double(count) / Double(articles)) < 0.0001, "\(b)")
            if count < articles { partial += 1 }
        }
        #expect(partial > 0)
        let text = try Loupe.run(["find", "harbour", "--by", "year", "--index", index, "--color", "never"])
        #expect(text.stdout.contains(" % of "), "\(text.stdout)")
        // Every article matching: no share column.
        let all = try Loupe.run(["find", "*:*", "--by", "year", "--index", index, "--color", "never"])
        #expect(!all.stdout.contains(" % of "), "\(all.stdout)")
    }

    /// `--by week`: ISO weeks (from Monday; a week belongs to the year of its Thursday).
    @Test func timelineByIsoWeek() throws {
        let dir = try Loupe.tempDir("loupe-weeks")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        let dates = [
            "Sat, 01 Jan 2005 10:00:00 GMT", "Tue, 30 Oct 2007 10:00:00 GMT", "Mon, 29 Oct 2007 08:00:00 GMT",
            "Sun, 28 Oct 2007 23:00:00 GMT", "Mon, 29 Dec 2008 10:00:00 GMT", "Thu, 01 Jan 1970 10:00:00 GMT",
        ]
        var rss = "<rss version=\"2.0\"><channel><title>t</title>\n"
        for (i, d) in dates.enumerated() {
            rss +=
                "<item><title>Item \(i)</title><guid>w\(i)</guid><pubDate>\(d)</pubDate><description>tide</description></item>\n"
        }
        rss += "</channel></rss>\n"
        try rss.write(to: c.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", index]).status == 0)
        let r = try Loupe.run(["find", "tide", "--by", "week", "--index", index, "--format", "tsv"])
        let rows = r.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: "\t").prefix(2).joined(separator: " ")
        }
        #expect(rows == ["1970-W01 1", "2004-W53 1", "2007-W43 1", "2007-W44 2", "2009-W01 1"], "\(r.stdout)")
    }

    /// A burst: a month whose share of matches stands out from the query's share of the whole
    /// dated archive (8 of a month's 10 articles against 9 of 40 overall), marked in text, JSON
    /// and TSV; a month with one match is not.
    @Test func timelineMarksBursts() throws {
        let dir = try Loupe.tempDir("loupe-burst")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        var rss = "<rss version=\"2.0\"><channel><title>t</title>\n"
        for m in 1...4 {
            for i in 0..<10 {
                let word = (m == 3 && i < 8) || (m == 1 && i == 0) ? "flood" : "market"
                rss +=
                    "<item><title>Item \(m)-\(i)</title><guid>\(m)-\(i)</guid><pubDate>\(10 + i) Mar 2007 10:00:00 GMT</pubDate><description>The \(word) report.</description></item>\n"
                    .replacingOccurrences(of: "Mar", with: ["Jan", "Feb", "Mar", "Apr"][m - 1])
            }
        }
        rss += "</channel></rss>\n"
        try rss.write(to: c.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", index]).status == 0)
        let o = Loupe.json(try Loupe.run(["find", "flood", "--by", "month", "--index", index, "--json"]).stdout)
        let buckets = o["buckets"] as? [[String: Any]] ?? []
        let bursts = buckets.filter { $0["burst"] as? Bool == true }.compactMap { $0["period"] as? String }
        #expect(bursts == ["2007-03"], "\(buckets)")
        #expect(buckets.count == 2)
        let text = try Loupe.run(["find", "flood", "--by", "month", "--index", index, "--color", "never"])
        #expect(text.stdout.contains("2007-03       8   80.0 % of 10 ▲"), "\(text.stdout)")
        #expect(text.stdout.contains("2007-01       1   10.0 % of 10\n"), "\(text.stdout)")
        // The hint names the command that tells what the burst was about, and that command runs.
        #expect(
            text.stderr.contains("▲ burst; what 2007-03 was about: loupe terms --in '(flood) date:2007-03'"),
            "\(text.stderr)")
        let about = try Loupe.run(["terms", "--in", "(flood) date:2007-03", "--index", index, "--json"])
        #expect(Loupe.json(about.stdout)["matches"] as? Int == 8, "\(about.stdout)")
        let tsv = try Loupe.run(["find", "flood", "--by", "month", "--index", index, "--format", "tsv"])
        #expect(tsv.stdout.contains("2007-03\t8\t10\t0.8\t1\n") && tsv.stdout.contains("2007-01\t1\t10\t0.1\t\n"))
    }

    @Test func countsMatchesByAuthorCategoryAndSource() throws {
        let (_, index) = try Loupe.indexedCorpus()
        func counts(_ by: String, _ extra: [String] = []) throws -> [String: Any] {
            let r = try Loupe.run(["find", "harbour OR talks", "--by", by, "--index", index, "--json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return Loupe.json(r.stdout)
        }
        func pairs(_ o: [String: Any]) -> [(String, Int)] {
            (o["values"] as? [[String: Any]] ?? []).map { ($0["value"] as? String ?? "", $0["count"] as? Int ?? 0) }
        }
        // All of them (more sources match than the default limit of 10 shows).
        let source = try counts("source", ["--limit", "100"])
        let total = source["total"] as? Int ?? 0
        // Every article has one source: the counts add up to the matches.
        #expect(total > 3 && pairs(source).map(\.1).reduce(0, +) == total, "\(source)")
        #expect(pairs(source).first! == ("mail/harbour-list-2007-10.mbox", 4))
        #expect(pairs(source).contains { $0 == ("feeds/world-desk.rss.xml", 3) })
        #expect(pairs(source).map(\.1) == pairs(source).map(\.1).sorted(by: >))
        let authors = try counts("author", ["--limit", "100"])
        #expect(pairs(authors).contains { $0 == ("Mira Castell", 3) }, "\(authors)")
        #expect((authors["without"] as? Int ?? 0) + pairs(authors).map(\.1).reduce(0, +) >= total)
        let categories = try counts("category")
        // The page says Harbour, the Markdown post harbour: one value, 2 articles.
        #expect(pairs(categories).filter { $0.0.lowercased() == "harbour" }.map(\.1) == [2], "\(categories)")
        #expect(pairs(categories).contains { $0 == ("Harbour", 2) })  // a tie of forms: the first in order
        let one = try counts("category", ["--limit", "1"])
        // (The default limit shows 10 values: the others are counted as more.)
        let distinct = pairs(categories).count + (categories["moreValues"] as? Int ?? 0)
        #expect(pairs(one).count == 1 && (one["moreValues"] as? Int ?? 0) == distinct - 1)
        let text = try Loupe.run(["find", "harbour OR talks", "--by", "author", "--index", index, "--color", "never"])
        #expect(text.stdout.contains("Mira Castell") && text.stdout.contains("without an author"), "\(text.stdout)")
        let more = try Loupe.run(["find", "harbour OR talks", "--by", "category", "--index", index, "--limit", "1"])
        #expect(more.stdout.contains(" more categories)"), "\(more.stdout)")
    }

    /// The sample JSON Feed's items are articles with their dates and sources.
    @Test func jsonFeedSampleIsSearchable() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = Loupe.json(try Loupe.run(["find", "breakwater", "--index", index, "--json"]).stdout)
        let hit = (r["hits"] as? [[String: Any]])?.first
        #expect(hit?["title"] as? String == "Breakwater repairs begin after storm damage")
        #expect(hit?["source"] as? String == "feeds/harbour-blog.json")
        #expect(hit?["date"] as? String == "2007-09-12T13:00:00Z")
    }

    /// The sample HTML page: its article's text (not the site's menus or footer), its metadata,
    /// its byline searchable with `author:` and shown in the hit line.
    @Test func htmlPageSampleIsSearchable() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = Loupe.json(try Loupe.run(["find", "spoil marsh", "--index", index, "--json"]).stdout)
        let hit = try #require((r["hits"] as? [[String: Any]])?.first)
        #expect(hit["title"] as? String == "Council approves harbour dredging")
        #expect(hit["source"] as? String == "pages/harbour-dredging.html")
        #expect(hit["date"] as? String == "2007-09-18T07:30:00Z")
        #expect(hit["authors"] as? [String] == ["Mira Castell"])
        #expect(hit["link"] as? String == "https://harbour-gazette.example/2007/09/council-approves-dredging")
        // The site's header, menu and footer are not the article.
        for word in ["subscribe", "weather", "contact"] {
            let q = Loupe.json(try Loupe.run(["find", word, "--index", index, "--json"]).stdout)
            let sources = (q["hits"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
            #expect(!sources.contains("pages/harbour-dredging.html"), "\(word)")
        }
        let byAuthor = try Loupe.run(["find", "author:castell", "--index", index, "--color", "never"])
        #expect(byAuthor.status == 0)
        #expect(
            byAuthor.stdout.contains("2007-09-18 · by Mira Castell · pages/harbour-dredging.html"), "\(byAuthor.stdout)"
        )
        #expect(try Loupe.run(["find", "castell", "--index", index]).status == 0)  // the byline in the text
        #expect(try Loupe.run(["find", "author:gazette", "--index", index]).status == 1)  // the site is no author
    }

    /// A saved site: its page is an article; its stylesheets, scripts, images and fonts are
    /// counted as skipped (never read, no message each), in any letter case.
    @Test func savedSiteSkipsWebAssets() throws {
        let dir = try Loupe.tempDir("loupe-site")
        let site = dir.appendingPathComponent("site")
        for sub in ["css", "js", "img"] {
            try FileManager.default.createDirectory(
                at: site.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let files: [(String, String)] = [
            (
                "index.html",
                "<html><head><title>Tide tables</title></head><body><p>High water at noon.</p></body></html>"
            ),
            ("css/main.css", "body { color: red }"), ("js/app.js", "function track() { return document.cookie }"),
            ("img/logo.SVG", "<svg xmlns='http://www.w3.org/2000/svg'><text>Gazette</text></svg>"),
            ("img/photo.jpg", "\u{FF}\u{D8}\u{FF} not text"), ("img/font.woff2", "wOF2"),
            ("notes.txt", "Ferry notes\n\ncookie jar"),
        ]
        for (name, text) in files {
            try text.write(to: site.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", site.path, "--index", idx, "--json"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["files"] as? Int == 2 && o["articles"] as? Int == 2 && o["skippedAssets"] as? Int == 5, "\(r.stdout)")
        let hits = Loupe.json(try Loupe.run(["find", "cookie OR gazette", "--index", idx, "--json"]).stdout)
        #expect((hits["hits"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String } == ["notes.txt"])
        let text = try Loupe.run(["index", site.path, "--index", idx, "--rebuild"])
        #expect(text.stdout.contains("; 5 web assets and media files skipped"), "\(text.stdout)")
    }

    /// `--offset` pages through one order: pages neither share nor skip a hit, even where many
    /// hits tie (identical articles), by relevance and by date; ranks continue.
    @Test func offsetPagesPartitionTheHits() throws {
        // Twelve identical articles (one score) in a file whose order is oldest first: ties are
        // shown newest first, the reverse of the order the index finds them in.
        let dir = try Loupe.tempDir("loupe-offset")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var lines = (0..<12).map {
            #"{"id": "same\#($0)", "title": "Timetable", "body": "harbour ferry timetable", "date": "20\#(10 + $0)-01-01"}"#
        }
        lines += (0..<5).map {
            #"{"id": "other\#($0)", "title": "Notes", "body": "harbour notes \#(String(repeating: "ferry ", count: $0 + 1))"}"#
        }
        try lines.joined(separator: "\n").write(
            to: corpus.appendingPathComponent("a.jsonl"), atomically: false, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        for sort in ["relevance", "newest"] {
            func ids(_ extra: [String]) throws -> [(Int, String)] {
                let r = try Loupe.run(["find", "ferry", "--index", idx, "--json", "--sort", sort] + extra)
                return (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).map {
                    ($0["rank"] as? Int ?? 0, $0["id"] as? String ?? "")
                }
            }
            let all = try ids(["--limit", "100"])
            #expect(all.count == 17)
            var paged: [(Int, String)] = []
            for page in 0..<4 { paged += try ids(["--offset", String(page * 5), "--limit", "5"]) }
            #expect(paged.map(\.1) == all.map(\.1), "\(sort)")
            #expect(paged.map(\.0) == Array(1...17))
        }
        let text = try Loupe.run(["find", "ferry", "--index", idx, "--offset", "15"])
        #expect(text.stderr.contains("17 matching articles, 16–17 shown"), "\(text.stderr)")
    }

    /// `stats` counts dated articles (with their first and last day) and articles naming an
    /// author, live ones only.
    @Test func statsCountDatesAndAuthors() throws {
        let corpus = try Loupe.corpusCopy()
        let idx = corpus.deletingLastPathComponent().appendingPathComponent("i").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        var o = Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)
        #expect(o["datedArticles"] as? Int == 61 && o["articlesWithAuthors"] as? Int == 35, "\(o)")
        #expect(o["firstDate"] as? String == "1987-03-06" && o["lastDate"] as? String == "2024-08-11")
        try FileManager.default.removeItem(at: corpus.appendingPathComponent("pages/harbour-dredging.html"))
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        o = Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)
        #expect(o["datedArticles"] as? Int == 60 && o["articlesWithAuthors"] as? Int == 34, "\(o)")
        let text = try Loupe.run(["stats", "--index", idx]).stdout
        #expect(
            text.contains("dated         60 (1987-03-06 to 2024-08-11)") && text.contains("with authors  34"), "\(text)"
        )
    }

    /// `--sort newest|oldest`: by date, undated articles last; `--sort` takes its value before
    /// or after the query's words.
    @Test func sortByDate() throws {
        let (_, index) = try Loupe.indexedCorpus()
        func dates(_ args: [String]) throws -> [String?] {
            let r = try Loupe.run(["find"] + args + ["--index", index, "--json", "--limit", "5"])
            #expect(r.status == 0, "\(r.stderr)")
            return (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).map { $0["date"] as? String }
        }
        #expect(
            try dates(["talks", "--sort", "newest"])
                == ["2007-08-10T14:20:00Z", "2007-08-07T12:00:00Z", "2007-07-30T14:05:00Z", nil, nil])
        #expect(
            try dates(["--sort", "oldest", "talks"])
                == ["2007-07-30T14:05:00Z", "2007-08-07T12:00:00Z", "2007-08-10T14:20:00Z", nil, nil])
        #expect(try Loupe.run(["find", "talks", "--sort", "sideways", "--index", index]).status == 2)
    }

    /// The sample Markdown post: its front matter's title, date, author and tags.
    @Test func markdownPostSampleIsSearchable() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = Loupe.json(try Loupe.run(["find", "friday sailing", "--index", index, "--json"]).stdout)
        let hit = try #require((r["hits"] as? [[String: Any]])?.first)
        #expect(hit["title"] as? String == "Ferry users ask for a later Friday sailing")
        #expect(hit["source"] as? String == "notes/ferry-survey.md")
        #expect(hit["date"] as? String == "2007-09-20T17:00:00Z")
        #expect(hit["authors"] as? [String] == ["Tomas Reyes"])
        #expect(hit["categories"] as? [String] == ["ferries", "survey", "harbour"])
        #expect(try Loupe.run(["find", "category:survey", "--index", index]).status == 0)
        // The link's address is not words of the post.
        let q = Loupe.json(try Loupe.run(["find", "example", "--index", index, "--json"]).stdout)
        #expect(!(q["hits"] as? [[String: Any]] ?? []).contains { $0["source"] as? String == "notes/ferry-survey.md" })
    }

    @Test func feedsAreSearchableWithDatesAndSources() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "glaciers", "--index", index, "--json"])
        let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(hits.first?["source"] as? String == "feeds/science.atom.xml")
        #expect(hits.first?["date"] as? String == "2007-08-14T08:00:00Z")
        #expect(hits.first?["title"] as? String == "Glacier retreat measured from orbit")
        let rss = try Loupe.run(["find", "oil law", "--index", index, "--json"])
        let rh = Loupe.json(rss.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(rh.first?["id"] as? String == "world-0002")
        #expect(rh.first?["date"] as? String == "2007-07-30T14:05:00Z")
    }

    /// The sample corpus's Reuters Corpus (RCV1) item: id, byline, date and topic codes.
    @Test func reutersCorpusItemSample() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let o = Loupe.json(try Loupe.run(["find", "category:C42 dockers", "--index", index, "--json"]).stdout)
        let hit = (o["hits"] as? [[String: Any]])?.first
        #expect(hit?["id"] as? String == "31275")
        #expect(hit?["source"] as? String == "wire/31275newsML.xml")
        #expect(hit?["title"] as? String == "Porthaven dockers end overtime ban after pay offer.")
        #expect(hit?["authors"] as? [String] == ["Nell Skerrow"])
        #expect(hit?["date"] as? String == "1996-10-14")
        #expect(try Loupe.run(["show", "31275", "--index", index]).status == 0)
    }

    @Test func checkPassesOnFreshIndex() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["check", "--index", index])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func syntaxErrorShowsCaretAndExitsTwo() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "iran AND", "--index", index])
        #expect(r.status == 2)
        #expect(r.stderr.contains("column 6"), "\(r.stderr)")
        #expect(r.stderr.contains("     ^"))
    }

    /// `find --group-copies`: copies of one story (the same body under other titles or files)
    /// are listed under their best-ranked hit; --limit and --offset count groups; without the
    /// flag every copy is a hit of its own.
    @Test func findGroupsCopies() throws {
        let dir = try Loupe.tempDir()
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let body =
            "The island ferry crews returned to work on Monday after a three day zqstrike over rota changes, the union said, and the first sailing left at seven."
        for (name, title) in [("a", "Ferry zqstrike ends"), ("b", "Ferry zqstrike ends"), ("c", "Crews back at work")] {
            try "\(title)\n\n\(body)\n".write(
                to: corpus.appendingPathComponent("\(name).txt"), atomically: true, encoding: .utf8)
        }
        try
            "Fares rise\n\nFares will rise in spring, the operator said, after the zqstrike cost it a week of sailings.\n"
            .write(to: corpus.appendingPathComponent("d.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("i").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx]).status == 0)
        func ids(_ args: [String]) throws -> [[String]] {
            let o = Loupe.json(try Loupe.run(["find", "zqstrike ferry", "--index", idx, "--json"] + args).stdout)
            return ((o["hits"] as? [[String: Any]]) ?? []).map {
                [$0["id"] as? String ?? ""] + (($0["copies"] as? [String]) ?? [])
            }
        }
        #expect(try ids([]) == [["a.txt"], ["b.txt"], ["c.txt"], ["d.txt"]])
        #expect(try ids(["--group-copies"]) == [["a.txt", "b.txt", "c.txt"], ["d.txt"]])
        #expect(try ids(["--group-copies", "--limit", "1"]) == [["a.txt", "b.txt", "c.txt"]])
        #expect(try ids(["--group-copies", "--offset", "1"]) == [["d.txt"]])
        let text = try Loupe.run(["find", "zqstrike ferry", "--index", idx, "--group-copies"])
        #expect(text.stdout.contains("   also (2 copies): b.txt, c.txt\n"), "\(text.stdout)")
        #expect(text.stderr.contains("4 matching articles, top 2 shown (copies grouped)"), "\(text.stderr)")
        let queries = dir.appendingPathComponent("q.tsv")
        try "q\tzqstrike\n".write(to: queries, atomically: true, encoding: .utf8)
        let batch = try Loupe.run(["find", "--batch", queries.path, "--index", idx, "--group-copies"])
        #expect(batch.status == 2)
    }
}
