import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

struct TermsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terms",
        abstract: "List the index's words: which are there, in how many articles, how often.",
        discussion: """
            With no PATTERN, the words most articles hold (--limit of them; --sort word for the \
            dictionary in byte order). A PATTERN in find's forms lists the indexed words it matches, \
            as find expands it: a prefix (qadd*), a wildcard (te?t, *zone), a regular expression \
            (/q[ae]dh?af+i/), a range ([a TO c]) or a fuzzy word (malikki~2). A plain word shows its \
            counts and, with the English analyzer, its stem and the indexed words of that stem: \
            the forms an unquoted word finds (a quoted one finds only its own). Useful to check \
            spellings before a search and to write a synonyms file (loupe index --synonyms).

            --in QUERY lists instead the words that set apart the articles matching QUERY (find's \
            query language: a subject, a month, a source) from the rest of the archive, as \
            Elasticsearch's significant_terms does: words far more frequent among them than \
            elsewhere, by log-likelihood (G²), each with the matches and the archive's articles \
            holding it. What a month was about: loupe terms --in 'date:2025-04'; what goes with a \
            subject: loupe terms --in tariffs. Up to 10,000 matches are read (spread over them; \
            counts scaled).

            Words are listed as the index holds them (folded: lower case, no accents). The field \
            is the text (titles and bodies) unless the pattern names one (title:harb*) or --field \
            does. Counts are the index's statistics, which ranking uses (the articles of changed and \
            removed files left out, as in a fresh build).

            Examples:
              loupe terms                       # the 20 words most articles hold
              loupe terms 'harb*'               # the words starting with harb
              loupe terms harbour               # the word, its stem and that stem's forms
              loupe terms 'malikki~2' --json
              loupe terms --field author --limit 50
              loupe terms 'title:/gr[ae]y/' --format tsv
              loupe terms --in 'date:2007-11'     # what the archive's November 2007 was about
              loupe terms --in ferry --limit 10   # the words that go with ferry

            Exit status: 0 when some word is listed, 1 when none, 2 on error.
            """)

    @Argument(help: "A word or pattern (omit for the most frequent words).")
    var pattern: String?

    @OptionGroup var location: IndexLocation

    @Option(help: "Field of a pattern without one: text, title, author, category or source. (default: text)")
    var field: String?

    @Option(name: [.short, .long], help: "Most words listed (0: all).")
    var limit = 20

    @Option(help: "Order: articles (most first) or word (byte order, as the dictionary).")
    var sort: TermOrder = .articles

    @Option(
        name: .customLong("in"),
        help: ArgumentHelp(
            "The words that set apart the articles matching QUERY from the rest of the archive, most significant first.",
            valueName: "query"))
    var within: String?

    @Option(help: "With --in: leave out words fewer matches than this hold (Elasticsearch's min_doc_count).")
    var minArticles = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(
        help: "Output format: text, json (same as --json) or tsv (a header line, then word, articles, occurrences).")
    var format: BatchFormat = .text

    enum TermOrder: String, ExpressibleByArgument, CaseIterable {
        case articles, word
        var order: VocabularySort { self == .word ? .word : .articles }
    }

    struct Listing: Encodable {
        var field: String
        var pattern: String?
        /// Words matched (before --limit).
        var total: Int
        var words: [VocabularyEntry]
        /// A plain word: its stem group (English analyzer; text or title).
        var stem: StemGroup?
        var notes: [String]?
    }

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
        if within != nil && pattern != nil {
            throw ValidationError("give a pattern or --in QUERY, not both")
        }
        if minArticles < 1 { throw ValidationError("--min-articles must be 1 or more") }
        if within != nil && sort == .word {
            throw ValidationError("--in ranks words by how much they set the matches apart; --sort is for listings")
        }
        if format == .trec {
            throw ValidationError("--format trec lists hits of queries; terms prints text, json or tsv")
        }
        if let field, FieldRef(rawValue: field) == nil || field == "id" {
            throw ValidationError("--field must be text, title, author, category or source")
        }
    }

    struct Significant: Encodable {
        var query: String
        var field: String
        /// Articles matching the query, how many were read, and the archive's.
        var matches: Int
        var read: Int
        var archive: Int
        var words: [SignificantWord]
        var notes: [String]?
    }

    func run() throws {
        let reader = try openReader(location)
        let searcher = Searcher(reader: reader)
        if let within {
            try runSignificant(within, reader, searcher)
            return
        }
        let field = field.flatMap(FieldRef.init(rawValue:)) ?? .text
        let output: BatchFormat = json ? .json : format
        var listing = Listing(field: field.rawValue, pattern: pattern, total: 0, words: [])
        var isWord = false
        do {
            // `*` (or `title:*`): every word of the field, as with no pattern.
            var fieldOfAll: FieldRef? = pattern == nil || pattern == "*" ? field : nil
            if let p = pattern, p.hasSuffix(":*"), let f = FieldRef(rawValue: String(p.dropLast(2))) { fieldOfAll = f }
            if let pattern, fieldOfAll == nil {
                // The field as a pattern prefix, unless the pattern names one.
                let named = FieldRef.allCases.contains { pattern.hasPrefix($0.rawValue + ":") }
                let text = named || field == .text ? pattern : "\(field.rawValue):\(pattern)"
                let node = try FindCommand.parseOrExit(text) { try QueryParser().parse($0) }
                if case .word(let w, let f) = node {
                    isWord = true
                    listing.field = f.rawValue
                    let found = try searcher.vocabulary(word: w, field: f)
                    if found.isEmpty {
                        throw fail("\(Diagnostic.escape(w)) holds no word (no letter or digit)")
                    }
                    listing.words = found.map(\.entry)
                    // One word (not a compound of several): its stem group.
                    if found.count == 1, let g = found[0].stem { listing.stem = g }
                    listing.total = listing.words.count
                } else {
                    if case .prefix(_, let f) = node { listing.field = f.rawValue }
                    if case .wildcard(_, let f) = node { listing.field = f.rawValue }
                    if case .regex(_, let f) = node { listing.field = f.rawValue }
                    if case .termRange(_, _, _, _, let f) = node { listing.field = f.rawValue }
                    if case .fuzzy(_, let f, _) = node { listing.field = f.rawValue }
                    let all = Searcher.sorted(try searcher.vocabulary(matching: node), by: sort.order)
                    listing.total = all.count
                    listing.words = limit == 0 ? all : Array(all.prefix(limit))
                }
            } else if let f = fieldOfAll {
                listing.field = f.rawValue
                listing.pattern = nil
                let (entries, total) = try searcher.vocabulary(
                    field: f, order: sort.order, limit: limit == 0 ? nil : limit)
                listing.words = entries
                listing.total = total
            }
        } catch let e as QueryError {
            throw fail(e.message)
        }
        let notes = searcher.notes
        if !notes.isEmpty { listing.notes = notes }
        let any = listing.words.contains { $0.articles > 0 }
        switch output {
        case .json:
            print(encodeJSON(listing))
        case .tsv:
            print("word\tarticles\toccurrences")
            for e in listing.words { print("\(FindCommand.tsvField(e.word))\t\(e.articles)\t\(e.occurrences)") }
            if let g = listing.stem {
                for e in g.forms where !listing.words.contains(where: { $0.word == e.word }) {
                    print("\(FindCommand.tsvField(e.word))\t\(e.articles)\t\(e.occurrences)")
                }
            }
            for n in notes { printErr("loupe: note: \(n)") }
        case .text, .trec:
            for n in notes { printErr("loupe: note: \(n)") }
            printText(listing, word: isWord)
        }
        if !any && !(listing.stem.map { $0.articles > 0 } ?? false) { throw ExitCode(1) }
    }

    /// `--in QUERY`: the words that set its matches apart.
    private func runSignificant(_ query: String, _ reader: IndexReader, _ searcher: Searcher) throws {
        let f = field.flatMap(FieldRef.init(rawValue:)) ?? .text
        let node = try FindCommand.parseOrExit(query) { try QueryParser().parse($0) }
        let found: SignificantWords
        do {
            let docs = try searcher.matchingDocuments(try searcher.prepare(node))
            found = try searcher.significantWords(
                in: docs, field: f, limit: limit == 0 ? Int.max : limit, minArticles: minArticles)
        } catch let e as QueryError {
            throw fail(e.message)
        }
        let notes = searcher.notes
        let archive = reader.documentCount
        switch json ? .json : format {
        case .json:
            print(
                encodeJSON(
                    Significant(
                        query: query, field: f.rawValue, matches: found.articles, read: found.read, archive: archive,
                        words: found.words, notes: notes.isEmpty ? nil : notes)))
        case .tsv:
            print("word\tarticles\tarchive\tscore")
            for w in found.words {
                print(
                    "\(FindCommand.tsvField(w.word))\t\(w.articles)\t\(w.archive)\t\(String(format: "%.1f", w.score))")
            }
            for n in notes { printErr("loupe: note: \(n)") }
        case .text, .trec:
            for n in notes { printErr("loupe: note: \(n)") }
            func share(_ k: Int, _ of: Int) -> String {
                String(format: "%5.1f %%", 100 * Double(k) / Double(max(of, 1)))
            }
            let a = max(String(found.words.map(\.articles).max() ?? 0).count, 4)
            let b = max(String(found.words.map(\.archive).max() ?? 0).count, 4)
            if !found.words.isEmpty {
                let left = "in matches"
                let right = "in archive"
                let wl = max(left.count, a + 9)
                let wr = max(right.count, b + 9)
                print(pad(left, wl) + "  " + pad(right, wr) + "  word")
                for w in found.words {
                    print(
                        pad("\(pad(String(w.articles), a)) \(share(w.articles, found.articles))", wl) + "  "
                            + pad("\(pad(String(w.archive), b)) \(share(w.archive, archive))", wr) + "  "
                            + Terminal.clean(w.word))
                }
            }
            let read = found.read < found.articles ? "a sample of \(found.read) read" : "all read"
            if found.articles > 0 && found.articles >= archive {
                printErr("every article of the archive matches: no word sets them apart")
            } else {
                printErr(
                    "words that set apart \(counted(found.articles, "matching article")) (\(read)) from the archive's \(archive), by log-likelihood"
                        + (found.articles == 0 ? "" : found.words.isEmpty ? ": none" : ""))
            }
        }
        if found.words.isEmpty { throw ExitCode(1) }
    }

    /// `s` right-aligned in `n` columns.
    private func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }

    private func printText(_ l: Listing, word isWord: Bool) {
        // A word not indexed as written is said, not listed with zeros.
        var rows = l.words.filter { !isWord || $0.articles > 0 }.map { ($0, "") }
        if let g = l.stem {
            for e in g.forms where !l.words.contains(where: { $0.word == e.word }) {
                rows.append((e, "same stem"))
            }
        }
        let a = max("articles".count, rows.map { String($0.0.articles).count }.max() ?? 0)
        let o = max("occurrences".count, rows.map { String($0.0.occurrences).count }.max() ?? 0)
        if !rows.isEmpty {
            print("\(pad("articles", a))  \(pad("occurrences", o))  word")
            for (e, mark) in rows {
                let word = Terminal.clean(e.word)
                print(
                    "\(pad(String(e.articles), a))  \(pad(String(e.occurrences), o))  \(word)\(mark.isEmpty ? "" : "  (\(mark))")"
                )
            }
        }
        let inField = l.field == "text" ? "" : " in \(l.field)"
        if isWord {
            for e in l.words where e.articles == 0 { printErr("no indexed word \(Terminal.clean(e.word))\(inField)") }
            if let g = l.stem, g.articles > 0, let w = l.words.first.map({ Terminal.clean($0.word) }) {
                var line = "stem \(g.stem)\(inField): \(counted(g.articles, "article"))"
                if Analyzer.endsInSymbol(w) {
                    line += "; find \(w) searches only \(w) (a word ending in + or # is searched as written)"
                } else if g.forms.count > 1 {
                    line += "; find \(w) searches its \(g.forms.count) indexed forms, find '\"\(w)\"' only \(w)"
                }
                if !g.joinedForms.isEmpty {
                    let pairs = g.joinedForms.map(Terminal.clean).joined(separator: ", ")
                    line += "; the stem also counts \(pairs) (written apart, also the word closed up)"
                }
                if let a = g.acronym {
                    let dotted = a.word.map { "\($0)." }.joined()
                    line +=
                        "; the acronym \(a.word) (\(a.word) beside lower-case words, or \(dotted)) counts apart: "
                        + "\(counted(a.articles, "article")), searched by \(a.word) typed in capitals"
                }
                printErr(line)
            }
            return
        }
        let what = l.pattern.map { " match\(l.total == 1 ? "es" : "") \(Terminal.clean($0))" } ?? " in \(l.field)"
        if l.total == 0 {
            printErr(l.pattern.map { "no indexed word matches \(Terminal.clean($0))\(inField)" } ?? "no word\(inField)")
        } else if l.total > l.words.count {
            let which =
                sort == .word ? "the first \(l.words.count) in byte order" : "the \(l.words.count) most articles hold"
            printErr("\(counted(l.total, "word"))\(what); \(which) shown (--limit 0: all)")
        } else {
            printErr("\(counted(l.total, "word"))\(what)")
        }
    }
}
