import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

struct RelatedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "related",
        abstract: "Rank the articles most related to a given one (or to several together).",
        discussion: """
            The source is an article id (as shown by find), a corpus file's path (relative to the \
            indexed directory, or as the shell names it: ./a.txt, ../feeds/x.xml, absolute), a \
            member of an indexed archive (as find shows its source), or \
            --text FILE ('-' for stdin) for an article that is not in the \
            index; SOURCE#ID picks one of several articles sharing an id. Its most distinctive \
            words (by their BM25 weight in the article, title words counted twice) form a ranked \
            query; the article itself is excluded, copies of one story are grouped under one hit, \
            and each hit shows the shared words that weighed most.

            Several sources (loupe related A B C) are read as one article, their words \
            together: the articles related to all of them, as Elasticsearch's more-like-this \
            takes several. Each source is excluded and copies of any are set apart; --window and \
            --date-scale count from the nearest source's date.

            --unlike ID (repeatable; Elasticsearch's more-like-this unlike) takes out of the \
            query the 25 words that most characterise that article, by the same weighing, and \
            leaves the article out of the hits: the sources' other subjects come first (related to \
            a story, but not to the part of it already read).

            Examples (on the sample corpus):
              loupe related 000_48ee8ce46de06e27.txt
              loupe related world-0002 world-0003
              loupe related world-0003 --unlike world-0002
              loupe related 000_48ee8ce46de06e27.txt --filter 'date:2007-08'
              loupe related world-0003 --window 30d --json
              echo "Oil prices and pipelines in Iraq" | loupe related --text -

            Exit status: 0 with hits, 1 with none, 2 on error.
            """)

    @Argument(help: "Article ids or corpus-relative paths, one or more (omit with --text or --batch).")
    var articles: [String] = []

    @OptionGroup var location: IndexLocation

    @Option(help: "Read the source article from FILE ('-' for stdin) instead of the index.")
    var text: String?

    @Option(
        help: ArgumentHelp(
            "Not like this article (id or path; repeatable): its 25 most characteristic words are not searched, and it is no hit.",
            valueName: "article"))
    var unlike: [String] = []

    @Option(name: .shortAndLong, help: "Number of related articles.")
    var limit: Int = 10

    @Option(
        help:
            "Keep only articles dated within this distance of the source's date (e.g. 36h, 7d, 2w); articles without a date are dropped."
    )
    var window: String?

    @Option(
        help: ArgumentHelp(
            "Keep only articles this query matches (find's language: source:guardian, date:2007, +iraq); the others make room.",
            valueName: "query"))
    var filter: String?

    @Option(help: "Most words taken from the source.")
    var maxTerms: Int = RelatedOptions().maxTerms

    @Option(help: "Skip words found in fewer documents than this.")
    var minDf: Int = RelatedOptions().minDocFreq

    @Flag(inversion: .prefixedNo, help: "Weight query words by their weight in the source (else by idf alone).")
    var boost = RelatedOptions().boostByWeight

    @Option(help: "Favour articles dated near the source: scores divided by 1 + days apart / DAYS.")
    var dateScale: Double?

    @Option(help: .hidden)
    var copyThreshold: Double = RelatedOptions().copyThreshold

    @Option(help: "Title words count this many times when choosing words.")
    var titleBoost: Float = RelatedOptions().titleBoost

    @Option(
        help: ArgumentHelp(
            "Relevance feedback: the best N first-round matches add their words to the query (0: off).",
            valueName: "N"))
    var feedback: Int = RelatedOptions().feedbackDocs

    @Option(help: "Weight of the feedback articles' words, together, against the source's.")
    var feedbackWeight: Float = RelatedOptions().feedbackWeight

    @Option(
        help: ArgumentHelp(
            "Words of the first-round query, the one that finds the feedback articles: the source's best N.",
            valueName: "N"))
    var firstRoundTerms: Int = RelatedOptions().firstRoundTerms

    @Option(
        help:
            "Weight of the topic similarity (the index's LSI topics, built by loupe index) against the best BM25 score (0: off)."
    )
    var topicWeight: Float = RelatedOptions().topicWeight

    @Option(
        help:
            "Topic expansion: the feedback query's strongest words in its topic-space reconstruction join it, times this weight (0: off)."
    )
    var topicExpansion: Float = RelatedOptions().topicExpansion

    @Option(
        help:
            "Weight of the titles' similarity in topic space against the best BM25 score, in the topic blend (0: off)."
    )
    var titleTopicWeight: Float = RelatedOptions().titleTopicWeight

    @Flag(help: "Print JSON (one object; one line per source with --batch).")
    var json = false

    @Option(help: "Words of context in each hit's snippet (the shared words highlighted; 0: no snippet).")
    var context: Int = SnippetBuilder.defaultWords

    @Option(help: "Colour: auto (only on a terminal, honouring NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Option(
        help:
            "Output format: text, json (same as --json) or tsv (a header line, then rank, score, id, date, title, source and the shared words per hit)."
    )
    var format: BatchFormat = .text

    @Option(help: "Related articles for every article id in FILE (one per line); JSON lines with timings.")
    var batch: String?

    @OptionGroup(title: "Ranking") var ranking: BM25Options

    mutating func validate() throws {
        guard format != .trec else { throw ValidationError("--format takes text, json or tsv here") }
        guard batch == nil || format != .tsv else {
            throw ValidationError("--batch writes JSON lines; --format tsv is for one source")
        }
        let sources = [!articles.isEmpty, text != nil, batch != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give one of: article ids or paths, --text FILE, --batch FILE")
        }
        guard batch == nil || unlike.isEmpty else { throw ValidationError("--unlike is for one search, not --batch") }
        guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
        limit = min(limit, Int(Int32.max))  // no index holds more articles
        guard context >= 0 && context <= 10_000 else { throw ValidationError("--context takes 0 to 10000 words") }
        guard feedback >= 0 && feedback <= 1000 else { throw ValidationError("--feedback takes 0 to 1000 articles") }
        guard feedbackWeight >= 0 && feedbackWeight.isFinite else {
            throw ValidationError("--feedback-weight must be 0 or more")
        }
        guard firstRoundTerms >= 1 else { throw ValidationError("--first-round-terms must be 1 or more") }
        guard topicWeight >= 0 && topicWeight <= 100 else { throw ValidationError("--topic-weight takes 0 to 100") }
        guard topicExpansion >= 0 && topicExpansion <= 100 else {
            throw ValidationError("--topic-expansion takes 0 to 100")
        }
        guard titleTopicWeight >= 0 && titleTopicWeight <= 100 else {
            throw ValidationError("--title-topic-weight takes 0 to 100")
        }
        if let w = window, RelatedCommand.seconds(w) == nil {
            throw ValidationError("--window takes a duration such as 36h, 7d or 2w")
        }
    }

    static func seconds(_ s: String) -> Double? {
        guard let unit = s.last, let n = Double(s.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        case "w": return n * 7 * 86400
        default: return nil
        }
    }

    func run() throws {
        let reader = try openReader(location)
        let searcher = ranking.searcher(reader)
        searcher.proximity = false
        var opts = RelatedOptions()
        opts.limit = limit
        opts.maxTerms = maxTerms
        opts.minDocFreq = minDf
        opts.window = window.flatMap(RelatedCommand.seconds)
        if let filter {
            let node = try FindCommand.parseOrExit(filter) { try QueryParser().parse($0) }
            do {
                opts.filter = try searcher.prepare(node)
            } catch let e as QueryError {
                throw fail("--filter: \(e.message)")
            }
            for n in searcher.notes { printErr("loupe: note: --filter: \(n)") }
        }
        opts.boostByWeight = boost
        opts.titleBoost = titleBoost
        opts.dateScaleDays = dateScale
        opts.copyThreshold = copyThreshold
        opts.feedbackDocs = feedback
        opts.feedbackWeight = feedbackWeight
        opts.firstRoundTerms = firstRoundTerms
        opts.topicWeight = topicWeight
        opts.topicExpansion = topicExpansion
        opts.titleTopicWeight = titleTopicWeight
        let finder = RelatedFinder(searcher: searcher, options: opts)
        if let batch {
            try runBatch(batch, reader, finder)
            return
        }
        var sources: [Article] = []
        var sourceDocs: [Int] = []
        var unlikes: [Article] = []
        var unlikeDocs: [Int] = []
        // An article named by id or path in the index (its document too), else a file read.
        func article(_ key: String, unlike: Bool) throws -> (Article, Int?) {
            if let doc = try RelatedCommand.resolve(key, reader) {
                let a = try reader.article(doc)
                try RelatedCommand.noteSeveral(
                    key, used: a.id, reader, unlike ? "not like its first" : "related to its first")
                return (a, doc)
            }
            if FileManager.default.fileExists(atPath: key) { return (try RelatedCommand.readArticle(key), nil) }
            printErr("loupe: \(unlike ? "--unlike: " : "")no article with id or path \(Diagnostic.escape(key))")
            throw ExitCode(2)
        }
        do {
            for u in unlike {
                let (a, doc) = try article(u, unlike: true)
                unlikes.append(a)
                if let doc { unlikeDocs.append(doc) }
            }
            if let t = text {
                sources.append(try RelatedCommand.readArticle(t))
            }
            for key in articles {
                let (a, doc) = try article(key, unlike: false)
                // The same article named twice (by id and by path) counts once.
                if let doc, sourceDocs.contains(doc) { continue }
                sources.append(a)
                if let doc { sourceDocs.append(doc) }
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail("\(error)")
        }
        let r: RelatedResult
        do {
            r = try finder.related(to: sources, sourceDocs: sourceDocs, unlike: unlikes, unlikeDocs: unlikeDocs)
        } catch {
            throw fail("\(error)")
        }
        for n in r.notes { printErr("loupe: note: \(n)") }
        var hits: [RelatedJSONHit] = []
        let analyzer = Analyzer(reader.analyzer)
        for (i, h) in r.hits.enumerated() {
            let a = try reader.article(h.doc)
            // A snippet around the words that made it related, highlighted as find does.
            var snippet: Snippet?
            let words = (h.why.isEmpty ? h.via : h.why).map(\.term)
            if context > 0 && !words.isEmpty {
                do {
                    let q = try finder.searcher.bind(
                        .boolean(must: [], should: words.map { .word($0, field: .text) }, mustNot: []))
                    let spans = try finder.searcher.spans(q, doc: h.doc)
                    snippet = SnippetBuilder.build(article: a, spans: spans, analyzer: analyzer, words: context)
                } catch {
                    throw fail("\(error)")
                }
            }
            hits.append(
                RelatedJSONHit(
                    rank: i + 1, id: a.id, score: h.score, title: a.title, date: a.date, authors: a.authors,
                    source: a.source, why: h.why.map { RelatedJSONTerm(term: $0.term, score: rounded($0.score)) },
                    via: h.via.map { RelatedJSONTerm(term: $0.term, score: rounded($0.score)) },
                    copies: try h.copies.map { try reader.article($0).id },
                    snippet: snippet?.marked(open: "[", close: "]"),
                    untitled: a.title.isEmpty ? Terminal.untitled(a.body) : "", shownSnippet: snippet))
        }
        let copies = try r.copiesOfSource.map { try reader.article($0).id }
        if json || format == .json {
            print(
                encodeJSON(
                    RelatedJSON(
                        source: RelatedJSONSource(id: sources[0].id, title: sources[0].title, date: sources[0].date),
                        sources: sources.count > 1
                            ? sources.map { RelatedJSONSource(id: $0.id, title: $0.title, date: $0.date) } : nil,
                        unlike: unlikes.isEmpty
                            ? nil : unlikes.map { RelatedJSONSource(id: $0.id, title: $0.title, date: $0.date) },
                        terms: r.terms.map { RelatedJSONTerm(term: $0.term, score: rounded($0.weight)) }, hits: hits,
                        copiesOfSource: copies)))
        } else if format == .tsv {
            var out = "rank\tscore\tid\tdate\ttitle\tsource\tshared\n"
            for h in hits {
                let shared = (h.why.isEmpty ? h.via : h.why).map(\.term).joined(separator: ", ")
                out +=
                    FindCommand.tsvRow(
                        rank: h.rank, score: h.score, id: h.id, date: h.date, title: h.title, source: h.source)
                    + "\t" + FindCommand.tsvField(shared) + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        } else {
            func named(_ a: Article) -> String { a.title.isEmpty ? Terminal.untitled(a.body) : Terminal.clean(a.title) }
            if sources.count == 1 {
                print("Related to: \(named(sources[0]))")
            } else {
                print("Related to all of: " + sources.map(named).joined(separator: " · "))
            }
            if !unlikes.isEmpty { print("  unlike: " + unlikes.map(named).joined(separator: " · ")) }
            if !copies.isEmpty {
                print(
                    "  copies of \(sources.count == 1 ? "this article" : "these articles"): \(copies.joined(separator: ", "))"
                )
            }
            let colour = color.enabled
            let width = Terminal.width()
            for h in hits {
                print("\(h.rank). \(h.title.isEmpty ? h.untitled : Terminal.clean(h.title))")
                let meta = Terminal.hitMeta(
                    date: h.date, authors: h.authors, id: h.id, source: h.source, score: h.score)
                print("   " + (colour ? "\u{1B}[2m\(meta)\u{1B}[0m" : meta))
                if let s = h.shownSnippet, !s.text.isEmpty {
                    let text =
                        colour ? s.marked(open: "\u{1B}[1;31m", close: "\u{1B}[0m") : s.marked(open: "[", close: "]")
                    for line in Terminal.wrap(text, width: width, indent: "   ") { print(line) }
                }
                if !h.why.isEmpty || h.via.isEmpty {
                    print("   shared: " + h.why.map(\.term).joined(separator: ", "))
                } else {
                    let via = h.via.map(\.term).joined(separator: ", ")
                    print("   no shared word; through similar articles' words: " + via)
                }
                if !h.copies.isEmpty { print("   also (copies): " + h.copies.joined(separator: ", ")) }
            }
        }
        if hits.isEmpty { throw ExitCode(1) }
    }

    /// The global document of an article id, or of the first article of a corpus file or of a
    /// member of a corpus archive (`feeds.tar.gz/a/b.xml`, as `find` shows its source).
    /// Several articles of one id: the one whose id is global (not numbered within its
    /// collection), else the first by source path; with `note`, a note names the others' sources
    /// and the `SOURCE#ID` form that picks one.
    static func resolve(_ key: String, _ reader: IndexReader, note: Bool = true) throws -> Int? {
        let same = try reader.articles(id: key)
        func rank(_ m: (doc: Int, article: Article)) -> (Int, String, Int) {
            (m.article.identity == key ? 0 : 1, m.article.source, m.doc)
        }
        if let pick = same.min(by: { rank($0) < rank($1) }) {
            if note && same.count > 1 {
                let others = same.filter { $0.doc != pick.doc }.map(\.article.source).sorted()
                let listed = others.prefix(5).map(Diagnostic.escape).joined(separator: ", ")
                printErr(
                    "loupe: note: \(same.count) articles have id \(Diagnostic.escape(key)); this is the one of "
                        + "\(Diagnostic.escape(pick.article.source)) (the others: \(listed)\(others.count > 5 ? ", …" : ""); "
                        + "name one as SOURCE#ID, e.g. \(Diagnostic.escape(others[0] + "#" + key)))")
            }
            return pick.doc
        }
        // SOURCE#ID: the article of that id from that file or archive member.
        if let hash = key.lastIndex(of: "#"), hash != key.startIndex {
            let source = String(key[..<hash])
            let id = String(key[key.index(after: hash)...])
            if let m = try reader.articles(id: id).first(where: { $0.article.source == source }) { return m.doc }
        }
        let files = try reader.files()
        func inFiles(_ key: String) throws -> Int? {
            if let rec = files[key] { return try firstLive(rec, reader) { _, _ in true } }
            // An archive member: the archive's articles whose source it is (read in order).
            for (path, rec) in files where key.hasPrefix(path + "/") {
                if let d = try firstLive(rec, reader, where: { seg, d in try seg.article(d).source == key }) {
                    return d
                }
            }
            return nil
        }
        if let d = try inFiles(key) { return d }
        // A path as the shell gives it (`./a.txt`, `../feeds/x.xml`, absolute, from another
        // directory): the corpus file it names, by its path in the indexed directory. It used to
        // be read as a text from outside the index (the article then listed as its own copy).
        for rel in corpusPaths(key, root: reader.manifest.corpusRoot) where rel != key {
            if let d = try inFiles(rel) { return d }
        }
        return nil
    }

    /// The names `key`, a path relative to the working directory or absolute, may have in the
    /// index of the corpus at `root`: relative to it as written (`..` and `.` resolved) and with
    /// symbolic links resolved (as far as the path exists: an archive member's does not).
    static func corpusPaths(_ key: String, root: String?) -> [String] {
        guard let root, !key.isEmpty else { return [] }
        let lexical = URL(fileURLWithPath: key).standardizedFileURL.path
        var real: String?
        var head = lexical
        var tail: [String] = []
        while head != "/" && !head.isEmpty {
            if let r = CorpusWalker.realPath(head) {
                real = ([r] + tail.reversed()).joined(separator: "/")
                break
            }
            tail.append((head as NSString).lastPathComponent)
            head = (head as NSString).deletingLastPathComponent
        }
        var out: [String] = []
        for p in [lexical, real].compactMap({ $0 }) {
            // A corpus of one file: its articles' source is its name.
            let rel =
                p == root
                ? (root as NSString).lastPathComponent
                : p.hasPrefix(root + "/") ? String(p.dropFirst(root.count + 1)) : nil
            if let rel, !out.contains(rel) { out.append(rel) }
        }
        return out
    }

    /// How many live articles an indexed corpus file (or archive member) holds; nil when `key`
    /// names neither.
    static func liveArticles(inFile key: String, _ reader: IndexReader) throws -> Int? {
        var n = 0
        var found = false
        for (path, rec) in try reader.files() where path == key || key.hasPrefix(path + "/") {
            found = true
            let member = path != key
            _ = try firstLive(rec, reader) { seg, d in
                if try !member || seg.article(d).source == key { n += 1 }
                return false
            }
        }
        return found ? n : nil
    }

    /// The note `show` and `related` give when `key`, a file of several articles, stood for its
    /// first (`id`); nothing for a one-article file or an id.
    static func noteSeveral(_ key: String, used id: String, _ reader: IndexReader, _ what: String) throws {
        // The key named the article itself (its id, which a message in an archive shares with
        // its path): nothing to count. Counting reads every article of an archive whose member
        // the key names — 18,846 for a 20 Newsgroups archive, 50 ms a `show` before this check.
        guard id != key else { return }
        // A path from the working directory counts as the corpus file it names.
        var file = key
        var n = try liveArticles(inFile: key, reader)
        for rel in corpusPaths(key, root: reader.manifest.corpusRoot) where n == nil {
            n = try liveArticles(inFile: rel, reader)
            file = rel
        }
        guard id != key, id != file, let n, n > 1 else { return }
        printErr(
            "loupe: note: \(Diagnostic.escape(key)) holds \(n) articles; \(what), \(Diagnostic.escape(id)) (give another's id, as find shows it)"
        )
    }

    /// The global document of the first live article of a corpus file that `accept` takes (it
    /// is shown them all, in order, until it takes one).
    private static func firstLive(
        _ rec: Manifest.FileRecord, _ reader: IndexReader, where accept: (SegmentReader, Int32) throws -> Bool
    ) throws -> Int? {
        for part in rec.parts {
            guard let seg = reader.segments.first(where: { $0.info.name == part.segment }) else { continue }
            for d in part.firstDoc..<(part.firstDoc + part.count) where !seg.isDeleted(Int32(d)) {
                if try accept(seg, Int32(d)) { return seg.docBase + d }
            }
        }
        return nil
    }

    static func readArticle(_ path: String) throws -> Article {
        let data = try readInput(path)
        let name = path == "-" ? "stdin" : (path as NSString).lastPathComponent
        let r = ArticleLoading.load(Array(data), relativePath: name)
        guard var a = r.articles.first else {
            // Why, when the loader said (a rejected feed: the parse error with its line).
            if let d = r.diagnostics.first(where: { $0.severity == .error }) ?? r.diagnostics.first {
                throw ValidationError("\(d.description); no article text found")
            }
            throw ValidationError("\(Diagnostic.escape(name)): no article text found")
        }
        // Several articles in one file: relate to all of their text.
        if r.articles.count > 1 { a.body = r.articles.map { $0.title + "\n" + $0.body }.joined(separator: "\n") }
        // A text without a title line read from stdin or a pipe (`<(…)`, whose name is a number)
        // was titled by that name: no word of the text, and no query word.
        var st = stat()
        let stream = path == "-" || (stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG)
        if stream && r.articles.count == 1 && a.title == (name as NSString).deletingPathExtension { a.title = "" }
        return a
    }

    private func runBatch(_ path: String, _ reader: IndexReader, _ finder: RelatedFinder) throws {
        let data = try readInput(path)
        var out = ""
        // (`\r\n` is one Character: split on any line end, as `find --batch` does.)
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let id = line.trimmingCharacters(in: .whitespaces)
            if id.isEmpty { continue }
            let started = ContinuousClock.now
            guard let doc = try RelatedCommand.resolve(id, reader, note: false) else {
                out += encodeJSON(BatchError(qid: id, query: id, error: "no such article")) + "\n"
                continue
            }
            let r = try finder.related(to: try reader.article(doc), sourceDoc: doc)
            let micros = Int((ContinuousClock.now - started) / .microseconds(1))
            var hits: [RelatedBatchHit] = []
            for h in r.hits { hits.append(RelatedBatchHit(id: try reader.article(h.doc).id, score: rounded(h.score))) }
            out += encodeJSON(RelatedBatchLine(id: id, micros: micros, hits: hits)) + "\n"
            if out.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

struct RelatedJSONTerm: Encodable {
    var term: String
    var score: Double
}

struct RelatedJSONHit: Encodable {
    var rank: Int
    var id: String
    var score: Float
    var title: String
    var date: String?
    var authors: [String]
    var source: String
    var why: [RelatedJSONTerm]
    /// No word of the source matched: the neighbours' or topics' words that did.
    var via: [RelatedJSONTerm]
    var copies: [String]
    /// The hit's text around the words that made it related, those words in [brackets].
    var snippet: String?
    /// How the text listing names a hit without a title (not in JSON).
    var untitled = ""
    /// The snippet as the text listing shows it (not in JSON).
    var shownSnippet: Snippet? = nil

    enum CodingKeys: String, CodingKey {
        case rank, id, score, title, date, authors, source, why, via, copies, snippet
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode(rounded(score), forKey: .score)
        try c.encode(title, forKey: .title)
        try c.encode(date, forKey: .date)
        try c.encode(authors, forKey: .authors)
        try c.encode(source, forKey: .source)
        try c.encode(why, forKey: .why)
        try c.encode(via, forKey: .via)
        try c.encode(copies, forKey: .copies)
        try c.encodeIfPresent(snippet, forKey: .snippet)
    }
}

struct RelatedJSONSource: Encodable {
    var id: String
    var title: String
    var date: String?
}

struct RelatedJSON: Encodable {
    /// The source (the first, with several).
    var source: RelatedJSONSource
    /// Every source, when there are several.
    var sources: [RelatedJSONSource]?
    /// The `--unlike` articles.
    var unlike: [RelatedJSONSource]?
    var terms: [RelatedJSONTerm]
    var hits: [RelatedJSONHit]
    var copiesOfSource: [String]

    enum CodingKeys: String, CodingKey {
        case source, sources, unlike, terms, hits
        case copiesOfSource = "copies_of_source"
    }
}

struct RelatedBatchHit: Encodable {
    var id: String
    var score: Double
}

struct RelatedBatchLine: Encodable {
    var id: String
    var micros: Int
    var hits: [RelatedBatchHit]
}
