import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Search the index; print ranked hits with highlighted snippets.",
        discussion: """
            Words are OR'ed and ranked by BM25; +word is required, -word (or !word) excluded; AND, OR, \
            NOT (&&, ||, !) and parentheses combine; "exact phrase", "sloppy phrase"~N, a NEAR/N b (either order, at \
            most N words between), a ADJ/N b (in order); title:, author:, category:, source: \
            restrict to a field (author:* or _exists_:author: the articles with one; title:[a TO c]: a range of words; id:hn-105 an article by id); prefix* expands through the dictionary, as do wildcards (te?t, ma*ki), \
            in phrases too ("harb* ferry"), and regular expressions over whole words (/colou?r/); word~ or \
            word~1 matches the words within 2 or 1 edits (fuzzy); date:2007-05-01..2007-07-31, \
            date:[2007 TO 2008}, date:>=2007-06, date:>=2007-06-01T12:00:00Z, date:now-7d.. filter; word^2, "a phrase"^0.5 or \
            (a group)^3 boost a clause. *:* is every article; with it, or with dates alone, find \
            browses the archive (a query that scores nothing lists its hits newest first).

            Spellings meet (English analyzer): ceasefire finds cease-fire, UK finds U.K., 1500 finds \
            1,500, healthcare finds health care; US, IT or WHO typed in capitals is the acronym (U.S. \
            too), us in lower case the word; a quoted word is as written.

            Examples (on the sample corpus):
              loupe find "Green Zone"
              loupe find '"green zone"' --json
              loupe find 'iran NEAR/10 baghdad' --explain
              loupe find '"green zone" NEAR/5 iraq -oil' --explain-query
              loupe find 'title:talks +iraq -oil' --limit 5
              loupe find 'author:castell'
              loupe find 'malikki~1'
              loupe find '/harbou?r/ -ferry'
              loupe find 'date:2007-10' --sort oldest
              loupe find '*:* -harbour' --by year
              printf 'q1\\tgreen zone\\nq2\\toil law\\n' > q.tsv
              loupe find --batch q.tsv --json
              loupe find --batch q.tsv --format trec --run-tag loupe --plain

            Exit status: 0 with hits, 1 with none, 2 on error (bad query, missing index).
            """)

    /// Every argument that is not an option belongs to the query, so `loupe find -oil +iran`
    /// works without `--` (the words are joined by spaces).
    @Argument(parsing: .allUnrecognized, help: "The query (omit with --batch).")
    var words: [String] = []

    /// Before the `--` that `main` inserts, every word is an option the parser did not know
    /// (`--limt 5`): an error, not a query word.
    var unknownOption: String? {
        guard let sep = words.firstIndex(of: "--") else { return words.first { $0.hasPrefix("-") && $0 != "-" } }
        return words[..<sep].first { $0.hasPrefix("-") && $0 != "-" }
    }

    var query: String? {
        var w = words
        if let i = w.firstIndex(of: "--") { w.remove(at: i) }  // the separator `main` inserts
        return w.isEmpty ? nil : w.joined(separator: " ")
    }

    @OptionGroup var location: IndexLocation

    @Option(name: .shortAndLong, help: "Number of hits to print.")
    var limit: Int = 10

    @Option(help: "Skip this many hits first (pages: --offset 10 --limit 10 is the second page).")
    var offset: Int = 0

    @Flag(help: "Print JSON: one object (one per line with --batch).")
    var json = false

    @Option(help: "Words of context in each snippet.")
    var context: Int = SnippetBuilder.defaultWords

    @OptionGroup(title: "Ranking") var ranking: RankingOptions

    @Option(
        help: ArgumentHelp(
            "Relevance feedback: add the words of the best N first-round hits to a ranked query (0: off; helps long, descriptive queries).",
            valueName: "N"))
    var feedback: Int = 0

    @Option(help: "Weight of the feedback words, together, against the query's own (with --feedback).")
    var feedbackWeight: Float = FeedbackSettings().weight

    @Option(help: "Most feedback words added (with --feedback).")
    var feedbackTerms: Int = FeedbackSettings().terms

    var feedbackSettings: FeedbackSettings {
        FeedbackSettings(docs: feedback, weight: feedbackWeight, terms: feedbackTerms)
    }

    @Option(help: "Colour: auto (only on a terminal, honouring NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Flag(help: "Explain each hit's score factor by factor.")
    var explain = false

    @Option(
        help: ArgumentHelp(
            "Synonyms from FILE for this search, instead of the index's (see loupe index --synonyms).",
            valueName: "file"))
    var synonyms: String?

    @Flag(help: "Search without the index's synonyms.")
    var noSynonyms = false

    @Option(
        help:
            "At most N hits from one source file (a feed, a mailbox, an archive): the others make room for other sources; --limit and --offset count what is left."
    )
    var perSource: Int?

    @Option(
        help: ArgumentHelp(
            "At least N (or P%) of the query's optional words, phrases and groups must match, not any one (Elasticsearch's minimum_should_match; 75% of 4 words is 3).",
            valueName: "N|P%"))
    var minMatch: String?

    @Flag(
        help:
            "Print how the query is read (its tree, each operator's meaning) and searched (the analysed terms, their document frequencies and weights, expansions, filters) instead of searching."
    )
    var explainQuery = false

    @Option(help: "Run every query of FILE ('-' for stdin): one per line, 'query' or 'qid<TAB>query'.")
    var batch: String?

    @Option(
        help:
            "Output format: text, json (same as --json), tsv (a header line, then rank, score, id, date, title, source per hit; with --batch a qid column first) or trec (qid Q0 docid rank score tag)."
    )
    var format: BatchFormat = .text

    @Option(help: "Run tag for --format trec.")
    var runTag: String = "loupe"

    @Option(
        help:
            "Count the matches instead of listing hits: per day, week (ISO, 2007-W44), month or year (a timeline), or per author, category or source (the most frequent first, --limit of them)."
    )
    var by: CountBy?

    @Option(
        help: "Order of the hits: relevance (BM25), newest or oldest (by date, then relevance; undated last).")
    var sort: HitOrder = .relevance

    @Option(help: "Batch: timed evaluations of each query (micros reports their median).")
    var rounds: Int = 1

    @Option(help: "Batch: untimed evaluations of each query before the timed ones.")
    var warmup: Int = 0

    @Flag(help: "Treat every query as plain words: no operators, quotes or fields.")
    var plain = false

    @Flag(
        help:
            "Group copies of one story (near-identical bodies: syndicated duplicates, feed repeats) under their best-ranked hit, listed with it; --limit and --offset count groups."
    )
    var groupCopies = false

    /// The most hits fetched to fill a page of groups.
    static let maxGrouped = 20_000

    mutating func validate() throws {
        if let o = unknownOption { throw ValidationError("Unknown option '\(o)'") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        // No index holds more articles: a larger limit is "all" (and `offset + limit` then
        // cannot overflow).
        limit = min(limit, Int(Int32.max))
        guard offset >= 0 && offset <= 1_000_000 else { throw ValidationError("--offset takes 0 to 1000000") }
        guard offset == 0 || batch == nil else { throw ValidationError("--offset pages one query's hits, not --batch") }
        guard !groupCopies || batch == nil else {
            throw ValidationError("--group-copies groups one query's hits, not --batch")
        }
        if let n = perSource {
            guard n >= 1 else { throw ValidationError("--per-source must be 1 or more") }
            guard batch == nil && by == nil else {
                throw ValidationError("--per-source spreads one query's hits over sources: not with --batch or --by")
            }
        }
        guard !explainQuery || (batch == nil && by == nil) else {
            throw ValidationError("--explain-query explains one query instead of searching: not with --batch or --by")
        }
        if let m = minMatch, MinimumShouldMatch(m) == nil {
            throw ValidationError("--min-match takes a number of clauses (3) or a share of them (75%)")
        }
        guard context >= 1 else { throw ValidationError("--context must be 1 or more") }
        guard feedback >= 0 && feedback <= 1000 else { throw ValidationError("--feedback takes 0 to 1000 hits") }
        guard feedbackWeight >= 0 && feedbackWeight.isFinite else {
            throw ValidationError("--feedback-weight must be 0 or more")
        }
        guard feedbackTerms >= 1 && feedbackTerms <= 1000 else {
            throw ValidationError("--feedback-terms takes 1 to 1000 words")
        }
        guard (query == nil) != (batch == nil) else {
            throw ValidationError("give either a query or --batch FILE")
        }
    }

    /// `--min-match`, and the synonyms this search uses: `--synonyms FILE`, none with
    /// `--no-synonyms`, else the index's.
    func configure(_ searcher: Searcher) throws {
        searcher.minimumShouldMatch = minMatch.flatMap(MinimumShouldMatch.init)
        if noSynonyms {
            searcher.synonyms = nil
        } else if let synonyms {
            searcher.synonyms = try loadSynonyms(synonyms)
        }
    }

    /// `query` parsed by `parse`; a syntax error is shown with a caret under its column (exit 2).
    static func parseOrExit(_ query: String, _ parse: (String) throws -> QueryNode) throws -> QueryNode {
        do {
            return try parse(query)
        } catch let e as QuerySyntaxError {
            printErr("loupe: \(e.description)")
            printErr("  " + Diagnostic.escape(query))
            printErr("  " + String(repeating: " ", count: caretOffset(query, column: e.column)) + "^")
            if let h = e.hint { printErr("hint: \(h)") }
            throw ExitCode(2)
        }
    }

    func parse(_ text: String) throws -> QueryNode {
        plain ? try QueryParser().parsePlain(text) : try QueryParser().parse(text)
    }

    func run() throws {
        let reader: IndexReader
        if let batch {
            reader = try openReader(location)
            try runBatch(batch, reader)
            return
        }
        let query = self.query ?? ""
        let node = try FindCommand.parseOrExit(query) { try parse($0) }
        reader = try openReader(location)
        let searcher = ranking.searcher(reader)
        try configure(searcher)
        if let by {
            if let unit = by.period {
                try timeline(node, unit, reader, searcher)
            } else {
                try facets(node, by, reader, searcher)
            }
            return
        }
        let bound: BoundQuery
        let ranked: BoundQuery
        do {
            // Feedback changes the ranking only: highlights and the exact total follow the query.
            bound = try searcher.prepare(node)
            ranked = try searcher.withFeedback(bound, settings: feedbackSettings)
        } catch let e as QueryError {
            throw fail(e.message)
        } catch {
            throw fail("\(error)")
        }
        if explainQuery {
            let parsed = node.describe()
            let searched = searcher.describe(ranked)
            if json {
                print(
                    encodeJSON(
                        QueryExplanation(
                            query: query, parsed: parsed, searched: searched,
                            notes: searcher.notes.isEmpty ? nil : searcher.notes)))
            } else {
                print("parsed:")
                for l in parsed { print("  " + Terminal.clean(l)) }
                print("searched:")
                for l in searched { print("  " + Terminal.clean(l)) }
                fflush(nil)
                for n in searcher.notes { printErr("loupe: note: \(n)") }
            }
            return
        }
        let analyzer = Analyzer(reader.analyzer)
        var articles: [Int: Article] = [:]
        var result: SearchResult
        // Hits fetched: the page's, or with copies grouped, enough for the page's groups (more
        // when copies took too many).
        var want = offset + limit
        let regrouped = groupCopies || perSource != nil
        if regrouped { want = min(max(want * 4, want + 50), Self.maxGrouped) }
        var groups: [(leader: Int, copies: [Int])] = []
        var sketches: [Int: [UInt64]] = [:]
        while true {
            result = try fetch(want, ranked, searcher, &articles)
            guard regrouped else { break }
            if groupCopies {
                for h in result.hits where sketches[h.doc] == nil {
                    sketches[h.doc] = articles[h.doc].map { Copies.sketch($0, analyzer: analyzer) } ?? []
                }
                groups = Copies.group(result.hits.map { sketches[$0.doc] ?? [] })
            } else {
                groups = result.hits.indices.map { ($0, []) }
            }
            if let n = perSource {
                // At most n hits (groups) from one source file, the best of them.
                var seen: [String: Int] = [:]
                groups = groups.filter { g in
                    let s = articles[result.hits[g.leader].doc]?.source ?? ""
                    seen[s, default: 0] += 1
                    return seen[s]! <= n
                }
            }
            if groups.count >= offset + limit || result.hits.count < want || want >= Self.maxGrouped { break }
            want = min(want * 2, Self.maxGrouped)
        }
        for n in result.notes { printErr("loupe: note: \(n)") }
        var copies: [Int: [String]] = [:]
        if regrouped {
            let page = groups.dropFirst(offset).prefix(limit)
            for g in page where !g.copies.isEmpty {
                copies[result.hits[g.leader].doc] = g.copies.map { articles[result.hits[$0].doc]?.id ?? "" }
            }
            result.hits = page.map { result.hits[$0.leader] }
        } else {
            result.hits = Array(result.hits.dropFirst(offset).prefix(limit))
        }
        var outHits: [JSONHit] = []
        var explanations: [[String]] = []
        for (i, h) in result.hits.enumerated() {
            let a: Article
            let spans: [Span]
            do {
                a = try articles[h.doc] ?? reader.article(h.doc)
                spans = try searcher.spans(bound, doc: h.doc)
                if explain { explanations.append(try searcher.explain(ranked, doc: h.doc).lines()) }
            } catch {
                throw fail("\(error)")
            }
            let snip = SnippetBuilder.build(article: a, spans: spans, analyzer: analyzer, words: context)
            outHits.append(
                JSONHit(
                    rank: offset + i + 1, id: a.id, score: h.score, title: a.title, date: a.date, authors: a.authors,
                    categories: a.categories, source: a.source, link: a.link,
                    snippet: snip.marked(open: "[", close: "]"), snippetText: snip.text,
                    highlights: snip.highlights.map { [$0.lowerBound, $0.upperBound] },
                    matches: snip.matches.map { [$0.lowerBound, $0.upperBound] },
                    titleHighlights: SnippetBuilder.titleHighlights(article: a, spans: spans, analyzer: analyzer).map {
                        [$0.lowerBound, $0.upperBound]
                    },
                    explanation: explain ? explanations[i] : nil, copies: groupCopies ? copies[h.doc] ?? [] : nil,
                    untitled: a.title.isEmpty ? Terminal.untitled(a.body) : ""))
        }
        if json || format == .json {
            let out = JSONResult(
                query: query, total: result.total, totalExact: true, hits: outHits,
                notes: result.notes.isEmpty ? nil : result.notes)
            print(encodeJSON(out))
        } else if format == .tsv || format == .trec {
            var out = format == .tsv ? FindCommand.tsvHeader + "\n" : ""
            let unscored = ranked.scoresNothing
            for h in outHits {
                if format == .tsv {
                    out +=
                        FindCommand.tsvRow(
                            rank: h.rank, score: unscored ? nil : h.score, id: h.id, date: h.date, title: h.title,
                            source: h.source) + "\n"
                } else {
                    out += FindCommand.trecRow(qid: "1", id: h.id, rank: h.rank, score: h.score, tag: runTag) + "\n"
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            printErr(counted(result.total, "matching article"))
        } else {
            let colour = color.enabled
            let unscored = ranked.scoresNothing
            let width = Terminal.width()
            for h in outHits {
                let snip = Snippet(text: h.snippetText, highlights: h.highlights.map { $0[0]..<$0[1] })
                let title: String
                if h.title.isEmpty {
                    title = h.untitled
                } else if colour {
                    // The title in bold, its matched words also in the snippet's colour (unless
                    // escaping control characters moved its bytes).
                    let clean = Terminal.clean(h.title)
                    let marks = clean == h.title ? h.titleHighlights.map { $0[0]..<$0[1] } : []
                    let marked = Snippet(text: clean, highlights: marks).marked(open: "\u{1B}[31m", close: "\u{1B}[39m")
                    title = "\u{1B}[1m" + marked + "\u{1B}[0m"
                } else {
                    title = Terminal.clean(h.title)
                }
                print("\(h.rank). " + title)
                let meta = Terminal.hitMeta(
                    date: h.date, authors: h.authors, id: h.id, source: h.source, score: unscored ? nil : h.score)
                print("   " + (colour ? "\u{1B}[2m\(meta)\u{1B}[0m" : meta))
                let text =
                    colour
                    ? snip.marked(open: "\u{1B}[1;31m", close: "\u{1B}[0m") : snip.marked(open: "[", close: "]")
                // An article of a title alone (a feed item without description) has no snippet:
                // no blank line for it.
                if !snip.text.isEmpty {
                    for line in Terminal.wrap(text, width: width, indent: "   ") { print(line) }
                }
                if let c = h.copies, !c.isEmpty {
                    let list = c.prefix(5).map(Terminal.clean).joined(separator: ", ") + (c.count > 5 ? ", …" : "")
                    print("   also (\(counted(c.count, "copy", plural: "copies"))): " + list)
                }
                if let e = h.explanation { for l in e { print("     " + l) } }
            }
            let shown = outHits.count
            let range = shown == 0 ? "none" : "\(offset + 1)–\(offset + shown)"
            printErr(
                counted(result.total, "matching article")
                    + (offset > 0 ? ", \(range) shown" : shown < result.total ? ", top \(shown) shown" : "")
                    + (copies.isEmpty ? "" : " (copies grouped)"))
        }
        if result.total == 0 { throw ExitCode(1) }
    }

    /// The best `want` hits (by relevance: found with every hit tied with the last one, so that
    /// pages never share or skip a hit), in a stable order (score, then date, newest first, then
    /// document number; by date: as searched), their articles read into `articles`.
    private func fetch(
        _ want: Int, _ ranked: BoundQuery, _ searcher: Searcher, _ articles: inout [Int: Article]
    ) throws -> SearchResult {
        var result: SearchResult
        do {
            // A query that scores nothing (`*:*`, dates alone) ties every hit: by relevance, its hits
            // come newest first (the order ties take), found as such rather than by fetching all.
            if sort == .relevance && !ranked.scoresNothing {
                var fetch = want
                repeat {
                    result = try searcher.searchWithExactTotal(ranked, limit: fetch + 1)
                    let h = result.hits
                    if want == 0 || h.count <= fetch || h[want - 1].score != h[h.count - 1].score { break }
                    fetch *= 2
                } while true
            } else {
                result = try searcher.searchByDate(ranked, limit: want, newestFirst: sort != .oldest)
            }
        } catch let e as QueryError {
            throw fail(e.message)
        } catch {
            throw fail("\(error)")
        }
        if sort == .relevance && !ranked.scoresNothing {
            // Ties by date from the date column (undated last), then document number: a query
            // whose matches all tie (`source:guardian`, one file's articles) reads no article
            // beyond the page's (it read every match's, 1.6 s and 450 MB on en-all).
            // (`DateColumn.undated` is the least date.)
            let reader = searcher.reader
            let keyed = result.hits.map { h in (hit: h, date: (try? reader.dateSeconds(h.doc)) ?? DateColumn.undated) }
            result.hits = keyed.sorted { x, y in
                if x.hit.score != y.hit.score { return x.hit.score > y.hit.score }
                if x.date != y.date { return x.date > y.date }
                return x.hit.doc < y.hit.doc
            }.map(\.hit)
            if want > 0 && result.hits.count > want { result.hits.removeSubrange(want...) }
        }
        for h in result.hits where articles[h.doc] == nil { articles[h.doc] = try? searcher.reader.article(h.doc) }
        return result
    }

    private func runBatch(_ path: String, _ reader: IndexReader) throws {
        let data: Data
        data = try readInput(path)
        let searcher = ranking.searcher(reader)
        try configure(searcher)
        let fmt: BatchFormat = json ? .json : format
        var failures = 0
        var lineNo = 0
        var wroteHeader = false
        var out = ""
        for rawLine in Array(data).split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNo += 1
            var line = String(decoding: rawLine, as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var qid = String(lineNo)
            var text = line
            if let tab = line.firstIndex(of: "\t") {
                qid = String(line[..<tab])
                text = String(line[line.index(after: tab)...])
            }
            // Timed: parse, bind and top-k with pruning. The exact total comes from a separate,
            // untimed counting pass.
            var result: SearchResult
            var times: [Int] = []
            let bound: BoundQuery
            do {
                bound = try searcher.withFeedback(try searcher.prepare(try parse(text)), settings: feedbackSettings)
                for _ in 0..<max(0, warmup) { _ = try searcher.search(bound, limit: limit, exactTotal: false) }
                repeat {
                    let started = ContinuousClock.now
                    result = try searcher.search(
                        try searcher.withFeedback(try searcher.prepare(try parse(text)), settings: feedbackSettings),
                        limit: limit, exactTotal: false)
                    times.append(Int((ContinuousClock.now - started) / .microseconds(1)))
                } while times.count < max(1, rounds)
                result.total = try searcher.count(bound)
            } catch {
                failures += 1
                let message = (error as? QuerySyntaxError)?.description ?? (error as? QueryError)?.message ?? "\(error)"
                switch fmt {
                case .json: out += encodeJSON(BatchError(qid: qid, query: text, error: message)) + "\n"
                default: printErr("loupe: query \(Diagnostic.escape(qid)): \(Diagnostic.escape(message))")
                }
                continue
            }
            let micros = times.sorted()[times.count / 2]
            var hits: [BatchHit] = []
            for (i, h) in result.hits.enumerated() {
                if fmt == .json || fmt == .tsv {
                    let a = try reader.article(h.doc)
                    hits.append(
                        BatchHit(rank: i + 1, id: a.id, score: h.score, title: a.title, source: a.source, date: a.date))
                } else {
                    hits.append(
                        BatchHit(rank: i + 1, id: try reader.articleID(h.doc), score: h.score, title: "", source: ""))
                }
            }
            switch fmt {
            case .json:
                out +=
                    encodeJSON(
                        BatchLine(
                            qid: qid, query: text, total: result.total, micros: micros,
                            microsRounds: times.count > 1 ? times : nil, hits: hits,
                            notes: result.notes.isEmpty ? nil : result.notes)) + "\n"
            case .trec:
                for h in hits {
                    out += FindCommand.trecRow(qid: qid, id: h.id, rank: h.rank, score: h.score, tag: runTag) + "\n"
                }
            case .tsv:
                if !wroteHeader {
                    out += "qid\t" + FindCommand.tsvHeader + "\n"
                    wroteHeader = true
                }
                for h in hits {
                    out +=
                        FindCommand.tsvField(qid) + "\t"
                        + FindCommand.tsvRow(
                            rank: h.rank, score: h.score, id: h.id, date: h.date, title: h.title, source: h.source)
                        + "\n"
                }
            case .text:
                out += "# \(qid)\t\(text)\t\(result.total) matching\n"
                for h in hits { out += "\(h.rank)\t\(h.id)\t\(String(format: "%.4f", h.score))\t\(h.title)\n" }
            }
            if out.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if failures > 0 { throw ExitCode(2) }
    }

    private func timeline(_ node: QueryNode, _ unit: TimelineUnit, _ reader: IndexReader, _ searcher: Searcher) throws {
        let docs = try matches(node, searcher)
        var counts: [String: Int] = [:]
        var undated = 0
        var perDay: [Int64: Int] = [:]  // days since 1970, from the date column
        for d in docs {
            let t = try reader.dateSeconds(d)
            if t == DateColumn.undated {
                undated += 1
            } else {
                perDay[DateColumn.dayIndex(t), default: 0] += 1
            }
        }
        for (day, n) in perDay {
            counts[unit.label(day: day), default: 0] += n
        }
        // Every article of each period, matching or not (the date column alone): a count that
        // grows with the archive is not a story that grows.
        var allPerDay: [Int64: Int] = [:]
        for s in reader.segments {
            for d in 0..<Int32(s.documentCount) where !s.isDeleted(d) {
                let t = s.dateSeconds(d)
                if t != DateColumn.undated { allPerDay[DateColumn.dayIndex(t), default: 0] += 1 }
            }
        }
        var all: [String: Int] = [:]
        for (day, n) in allPerDay {
            let p = unit.label(day: day)
            if counts[p] != nil { all[p, default: 0] += n }
        }
        // A burst: a period whose share stands out from the query's share of the whole dated
        // archive — at least 3 matches, twice those expected, and 3 standard deviations above
        // them (a binomial's z-score).
        let datedMatches = docs.count - undated
        let datedAll = allPerDay.values.reduce(0, +)
        let p = datedAll > 0 ? Double(datedMatches) / Double(datedAll) : 0
        let buckets = counts.keys.sorted().map { period in
            let n = counts[period]!
            let a = max(all[period] ?? n, n)
            let expected = Double(a) * p
            let z = expected > 0 && p < 1 ? (Double(n) - expected) / (expected * (1 - p)).squareRoot() : 0
            return TimelineBucket(
                period: period, count: n, articles: a, share: (Double(n) / Double(a) * 10_000).rounded() / 10_000,
                burst: n >= 3 && Double(n) >= 2 * expected && z >= 3)
        }
        if format == .tsv && !json {
            // Every period, then the undated articles as an empty period.
            var out = "\(unit.rawValue)\tcount\tarticles\tshare\tburst\n"
            for b in buckets {
                out += "\(b.period)\t\(b.count)\t\(b.articles)\t\(b.share)\t\(b.burst ? "1" : "")\n"
            }
            if undated > 0 { out += "\t\(undated)\t\t\t\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
            printErr(counted(docs.count, "matching article"))
        } else if json {
            print(
                encodeJSON(
                    TimelineJSON(
                        query: query ?? "", by: unit.rawValue, total: docs.count, undated: undated, buckets: buckets)))
        } else {
            // The share of the period's articles, unless every article matched (`*:*`, dates alone).
            let shares = buckets.contains { $0.count < $0.articles }
            printCounts(
                buckets.map { ($0.period, $0.count) },
                after: shares
                    ? buckets.map {
                        String(format: "%5.1f %% of %d", $0.share * 100, $0.articles) + ($0.burst ? " ▲" : "")
                    } : nil)
            if undated > 0 { print("undated  " + String(format: "%6d", undated)) }
            printErr(counted(docs.count, "matching article"))
            // What the strongest burst was about: the words that set its matches apart.
            if unit != .week, let q = query, let top = buckets.filter(\.burst).max(by: { $0.share < $1.share }) {
                let shell = "(\(q)) date:\(top.period)".replacingOccurrences(of: "'", with: "'\\''")
                printErr("▲ burst; what \(top.period) was about: loupe terms --in '\(shell)'")
            }
        }
        if docs.isEmpty { throw ExitCode(1) }
    }

    /// Every document `node` matches (`--by`), a query error said as one.
    private func matches(_ node: QueryNode, _ searcher: Searcher) throws -> [Int] {
        do {
            return try searcher.matchingDocuments(try searcher.prepare(node))
        } catch let e as QueryError {
            throw fail(e.message)
        }
    }

    /// `--by`'s lines: each label padded to the longest, its count, and on a terminal (or with
    /// colour) a bar scaled to the largest count.
    private func printCounts(_ rows: [(label: String, count: Int)], after: [String]? = nil) {
        let width = rows.map(\.label.count).max() ?? 0
        let top = rows.map(\.count).max() ?? 1
        let bar = color.enabled || isatty(1) == 1
        let afterWidth = after?.map(\.count).max() ?? 0
        for (i, r) in rows.enumerated() {
            let n = bar ? max(1, r.count * 40 / max(top, 1)) : 0
            var extra = ""
            if let after {
                extra = "  " + after[i] + String(repeating: " ", count: afterWidth - after[i].count)
            }
            let line =
                r.label + String(repeating: " ", count: width - r.label.count) + "  " + String(format: "%6d", r.count)
                + extra + (bar ? "  " + String(repeating: "█", count: n) : "")
            print(bar ? line : String(line.reversed().drop(while: { $0 == " " }).reversed()))
        }
    }

    /// `--by author|category|source`: how many matches have each value, the most frequent first.
    private func facets(_ node: QueryNode, _ by: CountBy, _ reader: IndexReader, _ searcher: Searcher) throws {
        let docs = try matches(node, searcher)
        // Values that differ only in case are one (`Harbour`, `harbour`), shown in their most
        // frequent form.
        var counts: [String: Int] = [:]
        var forms: [String: [String: Int]] = [:]
        var without = 0
        // Each distinct value trimmed and folded once (most articles repeat a few values: a
        // source file, a desk's categories), not once per article.
        var normal: [String: (shown: String, key: String)?] = [:]
        func normalised(_ v: String) -> (shown: String, key: String)? {
            if let n = normal[v] { return n }
            let t = FindCommand.trimmed(v)
            let n = t.isEmpty ? nil : (shown: t, key: t.lowercased())
            if normal.count < 1 << 16 { normal[v] = n }
            return n
        }
        for d in docs {
            let f = try reader.articleFacets(d)
            let values: [String]
            switch by {
            case .author: values = f.authors
            case .category: values = f.categories
            default: values = [f.source]
            }
            // An article counts once per value, however often it names it.
            var seen = Set<String>()
            for v in values {
                guard let (t, key) = normalised(v) else { continue }
                forms[key, default: [:]][t, default: 0] += 1
                if seen.insert(key).inserted { counts[key, default: 0] += 1 }
            }
            if seen.isEmpty { without += 1 }
        }
        func display(_ key: String) -> String {
            let f = forms[key] ?? [:]
            return f.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? key
        }
        let ranked = counts.map { (value: display($0.key), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        let shown = ranked.prefix(max(limit, 0)).map { FacetValue(value: $0.value, count: $0.count) }
        let more = ranked.count - shown.count
        if format == .tsv && !json {
            // The --limit most frequent values, then the articles without one as an empty value.
            var out = "\(by.rawValue)\tcount\n"
            for r in shown { out += FindCommand.tsvField(r.value) + "\t\(r.count)\n" }
            if without > 0 { out += "\t\(without)\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
            printErr(counted(docs.count, "matching article"))
        } else if json {
            print(
                encodeJSON(
                    FacetJSON(
                        query: query ?? "", by: by.rawValue, total: docs.count, without: without, values: shown,
                        moreValues: more)))
        } else {
            // A long path keeps its end (the file), a long name its beginning.
            printCounts(
                shown.map {
                    (Terminal.clean(Terminal.truncated($0.value, to: 48, keepingEnd: by == .source)), $0.count)
                })
            if more > 0 { print("(\(counted(more, "more \(by.noun)", plural: "more \(by.plural)")))") }
            if without > 0 { print("(\(counted(without, "article")) without \(by.article) \(by.noun))") }
            printErr(counted(docs.count, "matching article"))
        }
        if docs.isEmpty { throw ExitCode(1) }
    }

    /// `v` without white space (and newlines) at either end.
    static func trimmed(_ v: String) -> String {
        let s = v.unicodeScalars
        var a = s.startIndex
        var b = s.endIndex
        while a < b && s[a].properties.isWhitespace { a = s.index(after: a) }
        while b > a && s[s.index(before: b)].properties.isWhitespace { b = s.index(before: b) }
        return a == s.startIndex && b == s.endIndex ? v : String(s[a..<b])
    }

    static let tsvHeader = "rank\tscore\tid\tdate\ttitle\tsource"

    /// A field of a TSV line: tabs, line breaks and other control characters become spaces.
    static func tsvField(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        return String(
            String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// One hit as a TSV line (no score for a query that scores nothing; no date for an undated
    /// article: empty fields).
    static func tsvRow(rank: Int, score: Float?, id: String, date: String?, title: String, source: String) -> String {
        [String(rank), score.map { String(format: "%.4f", $0) } ?? "", id, date ?? "", title, source]
            .map(tsvField).joined(separator: "\t")
    }

    /// One hit as a TREC run line (spaces in the id become underscores: the format splits on them).
    static func trecRow(qid: String, id: String, rank: Int, score: Float, tag: String) -> String {
        let id = id.contains(" ") ? id.replacingOccurrences(of: " ", with: "_") : id
        return "\(qid) Q0 \(id) \(rank) \(String(format: "%.6f", score)) \(tag)"
    }

    private static func caretOffset(_ q: String, column: Int) -> Int {
        // Column counts Unicode scalars; the echoed query escapes control characters.
        var off = 0
        for (i, u) in q.unicodeScalars.enumerated() where i < column - 1 {
            off += Diagnostic.escape(String(u)).count
        }
        return off
    }
}

func encodeJSON<T: Encodable>(_ v: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: enc.encode(v), as: UTF8.self)) ?? "{}"
}

/// `find --explain-query --json`.
struct QueryExplanation: Encodable {
    var query: String
    var parsed: [String]
    var searched: [String]
    var notes: [String]?
}

enum BatchFormat: String, ExpressibleByArgument {
    case text, json, trec, tsv
}

enum ColorChoice: String, ExpressibleByArgument {
    case auto, always, never

    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
            return isatty(1) == 1
        }
    }
}

/// Scores are printed rounded to 4 decimals.
func rounded(_ s: Float) -> Double { (Double(s) * 10000).rounded() / 10000 }

struct BatchHit: Encodable {
    var rank: Int
    var id: String
    var score: Float
    var title: String
    var source: String
    /// For `--format tsv` (not in the batch JSON, whose lines stay as they were).
    var date: String? = nil

    enum CodingKeys: String, CodingKey { case rank, id, score, title, source }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode(rounded(score), forKey: .score)
        try c.encode(title, forKey: .title)
        try c.encode(source, forKey: .source)
    }
}

struct BatchLine: Encodable {
    var qid: String
    var query: String
    var total: Int
    var micros: Int
    var microsRounds: [Int]?
    var hits: [BatchHit]
    /// What the search changed or cut (a corrected word, a capped prefix); absent when none.
    var notes: [String]?

    enum CodingKeys: String, CodingKey {
        case qid, query, total, micros, hits, notes
        case microsRounds = "micros_rounds"
    }
}

struct BatchError: Encodable {
    var qid: String
    var query: String
    var error: String
}

struct JSONHit: Encodable {
    var rank: Int
    var id: String
    var score: Float
    var title: String
    var date: String?
    var authors: [String]
    var categories: [String]
    var source: String
    var link: String?
    var snippet: String
    var snippetText: String
    var highlights: [[Int]]
    var matches: [[Int]]
    /// The title's matched words, as UTF-8 byte ranges into `title`.
    var titleHighlights: [[Int]]
    var explanation: [String]?
    /// With `--group-copies`: the ids of the hit's copies.
    var copies: [String]? = nil
    /// How the text listing names a hit without a title (not in JSON, whose title stays empty).
    var untitled = ""

    enum CodingKeys: String, CodingKey {
        case rank, id, score, title, date, authors, categories, source, link, snippet, highlights, matches, explanation
        case copies
        case snippetText = "snippet_text"
        case titleHighlights = "title_highlights"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode(rounded(score), forKey: .score)
        try c.encode(title, forKey: .title)
        try c.encode(date, forKey: .date)
        try c.encode(authors, forKey: .authors)
        try c.encode(categories, forKey: .categories)
        try c.encode(source, forKey: .source)
        try c.encode(link, forKey: .link)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(snippetText, forKey: .snippetText)
        try c.encode(highlights, forKey: .highlights)
        try c.encode(matches, forKey: .matches)
        try c.encode(titleHighlights, forKey: .titleHighlights)
        try c.encodeIfPresent(explanation, forKey: .explanation)
        try c.encodeIfPresent(copies, forKey: .copies)
    }
}

struct JSONResult: Encodable {
    var query: String
    var total: Int
    var totalExact: Bool
    var hits: [JSONHit]
    var notes: [String]?

    enum CodingKeys: String, CodingKey {
        case query, total, hits, notes
        case totalExact = "total_exact"
    }
}

enum HitOrder: String, ExpressibleByArgument, CaseIterable {
    case relevance, newest, oldest
}

/// What `find --by` counts the matches by.
enum CountBy: String, ExpressibleByArgument, CaseIterable {
    case day, week, month, year, author, category, source

    var period: TimelineUnit? { TimelineUnit(rawValue: rawValue) }
    var noun: String { rawValue }
    var plural: String { self == .category ? "categories" : rawValue + "s" }
    var article: String { self == .author ? "an" : "a" }
}

struct FacetValue: Encodable {
    var value: String
    var count: Int
}

struct FacetJSON: Encodable {
    var query: String
    var by: String
    /// Matching articles.
    var total: Int
    /// Matching articles with no value (no author, no category).
    var without: Int
    var values: [FacetValue]
    /// Values beyond `--limit`.
    var moreValues: Int
}

enum TimelineUnit: String {
    case day, week, month, year

    /// The period holding `day` (days since 1970-01-01): `2007-10-30`, an ISO week `2007-W44`
    /// (weeks from Monday; a week belongs to the year of its Thursday), `2007-10`, `2007`.
    func label(day: Int64) -> String {
        switch self {
        case .day: return DateColumn.isoDay(day * 86_400)
        case .month: return String(DateColumn.isoDay(day * 86_400).prefix(7))
        case .year: return String(DateColumn.isoDay(day * 86_400).prefix(4))
        case .week:
            // 1970-01-01 was a Thursday: Monday is 0.
            let weekday = ((day + 3) % 7 + 7) % 7
            let thursday = day - weekday + 3
            let thursdayYear = DateColumn.isoDay(thursday * 86_400).prefix(4)
            let jan1 = DateColumn.dayIndex(DateColumn.seconds(thursdayYear + "-01-01"))
            let week = (thursday - jan1) / 7 + 1
            return thursdayYear + "-W" + (week < 10 ? "0" : "") + String(week)
        }
    }
}

struct TimelineBucket: Encodable {
    var period: String
    var count: Int
    /// Every dated article of the period, matching or not.
    var articles: Int
    /// `count / articles`.
    var share: Double
    /// The period's share stands out from the query's share of the whole dated archive.
    var burst: Bool
}

struct TimelineJSON: Encodable {
    var query: String
    var by: String
    var total: Int
    var undated: Int
    var buckets: [TimelineBucket]
}
