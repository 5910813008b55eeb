/// A query bound to one index snapshot: terms analysed, weights computed from global statistics
/// (Lucene's Weight). It is immutable; per-segment scorers are built from it.
public indirect enum BoundQuery: Sendable {
    /// The length slot of a phrase or NEAR pseudo-term scored without length normalisation.
    public static let unnormalizedSlot = -1

    case nothing
    /// One dictionary key (field byte + term), its idf × boost, and the length slot.
    case term(key: [UInt8], weight: Float, slot: Int)
    case phrase(keys: [[UInt8]], offsets: [Int32], slop: Int, weight: Float, slot: Int)
    /// Several keys of one field scored as one term (a word and its synonyms, as Lucene's
    /// SynonymQuery): a document's frequencies summed under one BM25 saturation, `weight` one
    /// idf (the most frequent key's) × boost.
    case blend(keys: [[UInt8]], weight: Float, slot: Int)
    /// A phrase whose positions may each be any of several keys (a sloppy phrase with a prefix or
    /// wildcard word, `"interest rate*"~2`: Lucene's MultiPhraseQuery); `weight` the sum of the
    /// positions' idfs (a position of several words: the most frequent one's).
    case multiPhrase(keys: [[[UInt8]]], offsets: [Int32], slop: Int, weight: Float, slot: Int)
    case near(BoundQuery, BoundQuery, distance: Int, ordered: Bool, weight: Float, slot: Int)
    case or([BoundQuery])
    case boolean(must: [BoundQuery], should: [BoundQuery], mustNot: [BoundQuery])
    /// Documents matching at least `k` of the clauses, scored by the sum of those that match
    /// (`find --min-match`: Elasticsearch's minimum_should_match).
    case atLeast(Int, [BoundQuery])
    /// Documents of the query dated within the range (`excluded`: dated outside it, or undated).
    case date(BoundQuery, from: String?, to: String?, excluded: Bool)
    /// Documents of the query dated within any of the ranges (several optional `date:` clauses).
    case dateAny(BoundQuery, ranges: [DateBounds])
    /// Documents holding any of these keys, with no score of their own (the words of a large
    /// prefix or wildcard beyond those that score, most frequent first).
    case anyOf(keys: [[UInt8]])
    /// Every document, with no score of its own (`*:*`).
    case all
    /// The documents with at least one word in a length slot's field, with no score (`author:*`).
    case present(slot: Int)

    /// `.nothing`, or an OR of nothing but such (an empty OR too), a boolean that requires one
    /// or has only such optional clauses, a date filter of one.
    var matchesNothing: Bool {
        switch self {
        case .nothing: return true
        case .anyOf(let keys), .blend(let keys, _, _): return keys.isEmpty
        case .multiPhrase(let keys, _, _, _, _): return keys.isEmpty || keys.contains(where: \.isEmpty)
        case .or(let c): return c.allSatisfy(\.matchesNothing)
        case .boolean(let m, let s, _):
            return m.contains(where: \.matchesNothing) || (m.isEmpty && s.allSatisfy(\.matchesNothing))
        case .atLeast(let k, let c): return c.count(where: { !$0.matchesNothing }) < k
        case .date(let c, _, _, _), .dateAny(let c, _): return c.matchesNothing
        default: return false
        }
    }

    /// No document gets a score: `*:*`, dates alone, exclusions of those (the hits of such a query
    /// tie, and are listed by date).
    public var scoresNothing: Bool {
        switch self {
        case .nothing, .all, .anyOf, .present: return true
        case .date(let c, _, _, _), .dateAny(let c, _): return c.scoresNothing
        case .or(let c): return c.allSatisfy(\.scoresNothing)
        case .boolean(let m, let s, _): return (m + s).allSatisfy(\.scoresNothing)
        case .atLeast(_, let c): return c.allSatisfy(\.scoresNothing)
        default: return false
        }
    }

    var isPositional: Bool {
        switch self {
        case .term, .phrase, .near, .blend, .multiPhrase: return true
        case .or(let c): return !c.isEmpty && c.allSatisfy(\.isPositional)
        default: return false
        }
    }

    /// The dictionary keys of a bound pattern (a prefix's, wildcard's, regex's, range's or fuzzy
    /// word's expansion): its scored words, then those that only match.
    var patternKeys: [[UInt8]] {
        switch self {
        case .term(let k, _, _): return [k]
        case .anyOf(let ks): return ks
        case .or(let c): return c.flatMap(\.patternKeys)
        default: return []
        }
    }

    /// Sum of leaf idf weights (the weight of a phrase or NEAR pseudo-term).
    var leafWeight: Float {
        switch self {
        case .term(_, let w, _), .blend(_, let w, _): return w
        case .phrase(_, _, _, let w, _), .multiPhrase(_, _, _, let w, _): return w
        case .near(_, _, _, _, let w, _): return w
        case .or(let c): return c.map(\.leafWeight).max() ?? 0
        default: return 0
        }
    }
}

extension BoundQuery {
    /// A query matching the same documents, cheaper to walk when nothing is scored (`count`):
    /// optional clauses beside required ones are left out, an unquoted word is its stem alone
    /// (its title and exact-form terms hold none of its documents the stem does not), a phrase
    /// beside one of its own words in an OR is left out (a 2–3-word query's whole-query phrase),
    /// and an OR of words is one set of keys (read into a bit set, not merged document by
    /// document: `s*` ORs a thousand words).
    var forCounting: BoundQuery {
        switch self {
        case .or(let children):
            return BoundQuery.union(children)
        case .boolean(let must, let should, let mustNot):
            let m = must.map(\.forCounting)
            let n = mustNot.map(\.forCounting)
            if m.isEmpty {
                if n.isEmpty { return BoundQuery.union(should) }
                return .boolean(must: [BoundQuery.union(should)], should: [], mustNot: n)
            }
            return .boolean(must: m, should: [], mustNot: n)
        case .date(let c, let from, let to, let excluded):
            return .date(c.forCounting, from: from, to: to, excluded: excluded)
        case .dateAny(let c, let ranges):
            return .dateAny(c.forCounting, ranges: ranges)
        default:
            return self
        }
    }

    /// Whether matching needs positions somewhere (a phrase, NEAR or multi-phrase).
    var readsPositions: Bool {
        switch self {
        case .phrase, .multiPhrase, .near: return true
        case .or(let c), .atLeast(_, let c): return c.contains(where: \.readsPositions)
        case .boolean(let m, let sh, let n): return (m + sh + n).contains(where: \.readsPositions)
        case .date(let c, _, _, _), .dateAny(let c, _): return c.readsPositions
        default: return false
        }
    }

    /// The keys of a term, a blend, an `anyOf`, or an OR of those (nil for anything else).
    private var wordKeys: [[UInt8]]? {
        switch self {
        case .term(let k, _, _): return [k]
        case .blend(let ks, _, _), .anyOf(let ks): return ks
        case .or(let c):
            var all: [[UInt8]] = []
            for x in c {
                guard let ks = x.wordKeys else { return nil }
                all += ks
            }
            return all
        default: return nil
        }
    }

    /// The text stem term of an OR that is one unquoted word: its stem over the text, then its
    /// title and exact-form terms, whose documents are among the stem's (the text field holds
    /// the title, and an exact form has that stem). Nil for any other OR.
    static func unquotedWordStem(_ children: [BoundQuery]) -> (key: [UInt8], slot: Int)? {
        guard children.count >= 2, children.count <= 3, case .term(let k0, _, let slot) = children[0],
            k0.first == IndexField.textStem.rawValue,
            children.dropFirst().allSatisfy({
                if case .term(let k, _, _) = $0 {
                    return k.first == IndexField.titleStem.rawValue || k.first == IndexField.text.rawValue
                }
                return false
            })
        else { return nil }
        return (k0, slot)
    }

    /// The documents of any of `children` (an OR's, or the optional clauses alone of a boolean).
    private static func union(_ children: [BoundQuery]) -> BoundQuery {
        // One unquoted word (as `scorer` reads it with a `WordScorer`): its text stem's documents.
        if let (key, slot) = unquotedWordStem(children) { return .term(key: key, weight: 0, slot: slot) }
        let parts = children.map(\.forCounting)
        // A phrase whose word a sibling of words holds adds no document.
        var kept = Array(parts.indices)
        if parts.contains(where: { if case .phrase = $0 { return true } else { return false } }) {
            let keySets = parts.map { $0.wordKeys.map(Set.init) }
            kept.removeAll { i in
                guard case .phrase(let keys, _, _, _, _) = parts[i] else { return false }
                return keySets.indices.contains { j in
                    j != i && keys.contains { keySets[j]?.contains($0) ?? false }
                }
            }
        }
        if kept.count == 1 { return parts[kept[0]] }
        var keys: [[UInt8]] = []
        for i in kept {
            guard let ks = parts[i].wordKeys else { return .or(kept.map { parts[$0] }) }
            keys += ks
        }
        return .anyOf(keys: keys)
    }
}

/// How many of a query's optional clauses must match: a number, or a share of them (rounded
/// down, as Elasticsearch rounds `75%`), at least one.
public enum MinimumShouldMatch: Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// `3` or `75%`; nil for anything else (0, negative, over 100 %).
    public init?(_ text: String) {
        if text.hasSuffix("%"), let p = Int(text.dropLast()), p > 0, p <= 100 {
            self = .percent(p)
        } else if let n = Int(text), n > 0 {
            self = .count(n)
        } else {
            return nil
        }
    }

    /// Clauses required of `n`.
    public func required(of n: Int) -> Int {
        switch self {
        case .count(let k): return k
        case .percent(let p): return max(1, n * p / 100)
        }
    }

    public var description: String {
        switch self {
        case .count(let k): return "\(k)"
        case .percent(let p): return "\(p)%"
        }
    }
}

/// One end-inclusive `date:` range (either end may be open).
public struct DateBounds: Sendable {
    public var from: String?
    public var to: String?
}

/// One ranked hit.
public struct Hit: Sendable {
    /// Global document number within the snapshot.
    public var doc: Int
    public var score: Float
}

public struct SearchResult: Sendable {
    public var hits: [Hit]
    /// Exact number of matching live documents.
    public var total: Int
    public var notes: [String]
    public var totalIsExact = true
}

/// Error raised when a query is well-formed but cannot run (for example only exclusions).
public struct QueryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public final class Searcher {
    public let reader: IndexReader
    public var bm25: BM25
    /// A prefix or wildcard of at most this many words scores each of them; one of more scores
    /// only its `scoredPatternTerms` most frequent, and the others match with no score of their
    /// own (as Lucene and tantivy match every word of a prefix, with a constant score).
    public static let maxPrefixExpansions = 1024
    public static let scoredPatternTerms = 64
    /// A prefix or wildcard matches at most this many words (beyond: the first in dictionary
    /// order, with a note).
    public static let maxPatternTerms = 100_000
    /// `maxPatternTerms` for this searcher (tests lower it).
    public var patternTermLimit = Searcher.maxPatternTerms
    /// A fuzzy word searches at most this many indexed words: the closest, then the most
    /// frequent (Lucene's default).
    public static let maxFuzzyExpansions = 50
    private let analyzer: Analyzer
    let stemmer: EnglishStemmer?
    /// What the last `prepare` (and searches since) had to say: spelling corrections, capped patterns…
    public private(set) var notes: [String] = []
    /// Words and phrases of the query being bound that analysis left empty (`...`, `""`).
    private var wordless: [String] = []

    /// `find --min-match`: at least this many of a query's optional clauses must match
    /// (Elasticsearch's minimum_should_match); nil: any one.
    public var minimumShouldMatch: MinimumShouldMatch?

    /// Query-time synonyms (the index's unless set): see `Synonyms`.
    public var synonyms: Synonyms? {
        didSet { synonymTable = nil }
    }
    private var synonymTable: [[UInt8]: [String]]?

    public init(reader: IndexReader, bm25: BM25 = BM25()) {
        self.reader = reader
        self.bm25 = bm25
        synonyms = reader.manifest.synonyms
        analyzer = Analyzer(reader.analyzer)
        stemmer = reader.analyzer == .english ? EnglishStemmer() : nil
    }

    private func idf(_ field: IndexField, _ term: [UInt8]) throws -> Float {
        let df = try reader.docFreq(field, term)
        return BM25.idf(docFreq: df, documents: max(reader.documentCount, df))
    }

    func analyzedTerms(_ text: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        analyzer.analyze(text) { out.append(Array($0.term)) }
        return out
    }

    /// A query word's reading: its stem (title and exact form beside it), or its parts'.
    private func bindWord(_ w: String, field f: FieldRef) throws -> BoundQuery {
        // `near/5` in lower case is words (as in Lucene), most likely meant as the operator.
        for op in ["near/", "adj/"]
        where w.hasPrefix(op) && w.count > op.count
            && w.dropFirst(op.count).allSatisfy({ $0.isASCII && $0.isNumber })
        {
            note("\(w) is searched as words; the operator is written in capitals: \(w.uppercased())")
        }
        let terms = analyzedTerms(w)
        if terms.isEmpty {
            wordless.append(w)
            return .nothing
        }
        if analyzer.kind == .english, w.unicodeScalars.contains(where: { Analyzer.isCJK($0.value) }) {
            // Chinese, Japanese, Korean, Thai…: the index holds pairs of characters. A word of
            // several is the phrase of its pairs; one character alone is every pair it starts
            // (and itself, where it stood alone).
            if terms.count > 1 { return try phrase(terms, field: f, slop: 0) }
            if w.unicodeScalars.count(where: { Analyzer.isCJK($0.value) }) == 1 {
                return try bind(.prefix(w, field: f))
            }
        }
        if terms.count == 1 {
            let symbol = Analyzer.hasSymbolSuffix(terms[0])
            if let stemmer, let sf = f.exactField.stemmed, !symbol {
                // Title matches and the word's exact form (not only its stem) count extra.
                var parts = try stemAndTitle(stemmer.stemUnified(terms[0]), stemField: sf, field: f)
                guard f == .text else { return parts[0] }
                if exactWeight > 0 {
                    let ef = IndexField.text
                    parts.append(
                        .term(
                            key: [ef.rawValue] + terms[0], weight: try idf(ef, terms[0]) * exactWeight,
                            slot: ef.lengthSlot))
                }
                return parts.count > 1 ? .or(parts) : parts[0]
            }
            let ef = f.exactField
            let exact = BoundQuery.term(
                key: [ef.rawValue] + terms[0], weight: try idf(ef, terms[0]), slot: ef.lengthSlot)
            // `C++`, `Disney+`: as written (their stem is the bare word's), the title extra too.
            guard symbol && stemmer != nil && f == .text && titleWeight > 0 else { return exact }
            let tf = IndexField.title
            return .or([
                exact,
                .term(
                    key: [tf.rawValue] + terms[0], weight: try idf(tf, terms[0]) * titleWeight, slot: tf.lengthSlot),
            ])
        }
        // In a name field (`source:guardian.rss`, `author:o'brien`, `category:us-news`) a
        // compound is one value: its parts as a phrase, not any file with "rss" in its name.
        if f == .source || f == .category || f == .author { return try phrase(terms, field: f, slop: 0) }
        let parts: BoundQuery
        switch Searcher.compoundReading(w, parts: terms, english: analyzer.kind == .english) {
        case .name, .phrase:
            parts = try stemPhrase(terms, field: f, weighing: terms)
        case .required(let strong, let weak):
            // The phrase weighs what its weak parts would: beside the other parts, it stands
            // for them (a stray `non` or `three` elsewhere in an article counts nothing).
            let together = try stemPhrase(terms, field: f, weighing: weak)
            let words = try strong.map { t in try bind(.word(String(decoding: t, as: UTF8.self), field: f)) }
            parts = .boolean(must: words, should: [together], mustNot: [])
        case .separate:
            parts = .or(try terms.map { t in try bind(.word(String(decoding: t, as: UTF8.self), field: f)) })
        }
        if let closed = try closedAlternative(w, field: f) {
            return .or([closed, Searcher.scaled(parts, by: Searcher.closedCompoundPartsWeight)])
        }
        return parts
    }

    /// The stem-space term `s` of a query word in `sf`, and in the text its title match beside
    /// it at `titleWeight`.
    private func stemAndTitle(_ s: [UInt8], stemField sf: IndexField, field f: FieldRef) throws -> [BoundQuery] {
        let text = BoundQuery.term(key: [sf.rawValue] + s, weight: try idf(sf, s), slot: sf.lengthSlot)
        guard f == .text, titleWeight > 0 else { return [text] }
        let tf = IndexField.titleStem
        return [text, .term(key: [tf.rawValue] + s, weight: try idf(tf, s) * titleWeight, slot: tf.lengthSlot)]
    }

    /// Binds a parsed query to this snapshot's statistics.
    public func bind(_ node: QueryNode) throws -> BoundQuery {
        if let id = try idNode(node) { return id }
        switch node {
        case .word(let w, let f):
            // `US`, `U.S.` typed in capitals: the acronym, the word's own reading beside it.
            if let acronym = try acronymAlternative(w, field: f) {
                return .or([acronym, Searcher.scaled(try bindWord(w, field: f), by: Searcher.acronymWordWeight)])
            }
            let reading = try bindWord(w, field: f)
            // `healthcare`: also `health care`, written apart.
            if let apart = try wordsApart(w, field: f) { return .or([reading, apart]) }
            return reading
        case .phrase(let words, let f, let slop)
        where words.count > 1 && words.contains(where: { QueryParser.pattern($0, field: f) != nil }):
            return try patternPhrase(words, field: f, slop: slop)
        case .phrase(let words, let f, let slop):
            let terms = analyzedTerms(words.joined(separator: " "))
            if terms.isEmpty {
                wordless.append("\"\(words.joined(separator: " "))\"")
                return .nothing
            }
            return try phrase(terms, field: f, slop: slop)
        case .prefix(let w, let f):
            let terms = analyzedTerms(w)
            guard terms.count == 1 else { return try bind(.word(w, field: f)) }
            return try expansion(f.exactField, literal: terms[0], rest: [Wildcard.star], shown: "\(w)*")
        case .fuzzy(let w, let f, let edits):
            return try fuzzy(w, field: f, edits: edits)
        case .wildcard(let pattern, let f):
            return try wildcard(pattern, field: f)
        case .regex(let r, let f):
            return try regex(r, field: f)
        case .termRange(let a, let b, let ia, let ib, let f):
            return try termRange(from: a, to: b, includeFrom: ia, includeTo: ib, field: f)
        case .near(let a, let b, let d, let ordered):
            // An OR group as an operand: its alternatives' spans.
            func operand(_ n: QueryNode) throws -> BoundQuery {
                var group: [QueryNode]?
                if case .boolean(let m, let s, let x) = n, m.isEmpty, x.isEmpty, !s.isEmpty { group = s }
                if case .synonyms(let s) = n { group = s }
                if let s = group {
                    // Alternatives that match nothing (a prefix no word starts with) drop out.
                    let alternatives = try s.map(operand).filter { !$0.matchesNothing }
                    return alternatives.isEmpty ? .nothing : .or(alternatives)
                }
                var bound = try bind(n)
                // A word of weak and other parts (`COVID-19`; also a pattern that falls back to
                // its words): its parts standing together, the positions NEAR needs (its
                // required parts give none), or its closed-up form (`e-mail`: also `email`).
                var fellBack = false
                if case .boolean = bound { fellBack = true }
                if case .or(let c) = bound, c.count == 2, case .boolean = c[1] { fellBack = true }
                if fellBack, let (w, f) = Searcher.wordText(n) {
                    let terms = analyzedTerms(w)
                    if terms.count > 1,
                        case .required = Searcher.compoundReading(w, parts: terms, english: analyzer.kind == .english)
                    {
                        bound = try stemPhrase(terms, field: f, weighing: terms)
                        if let closed = try closedAlternative(w, field: f) { bound = .or([closed, bound]) }
                    }
                }
                // A large prefix's words that do not score: as terms, for their positions; the
                // most frequent only, up to `maxPrefixExpansions` words in all (every word's
                // positions, merged, would make `(a* OR b*) NEAR/2 c*` run for minutes).
                if case .or(let c) = bound, case .anyOf(let keys) = c.last {
                    let slot = c.first.map(f) ?? 0
                    let room = max(0, Searcher.maxPrefixExpansions - (c.count - 1))
                    if keys.count > room {
                        note(
                            "a prefix or wildcard inside NEAR searches its \(Searcher.maxPrefixExpansions) most frequent words only"
                        )
                    }
                    bound = .or(c.dropLast() + keys.prefix(room).map { .term(key: $0, weight: 0, slot: slot) })
                }
                // An unquoted word is (stem OR title stem OR exact form); the title's positions
                // are the text's and the exact form's are among the stem's, so only the stem
                // gives spans (one cursor instead of three, and a plain term's frequency
                // bound for top-k).
                // (Not an acronym's `US OR us`: both give spans.)
                if case .word = n, case .or(let c) = bound, let stem = c.first, case .term(let k, _, _) = stem,
                    k.first == IndexField.textStem.rawValue,
                    c.allSatisfy({ if case .term = $0 { true } else { false } })
                {
                    return stem
                }
                return bound
            }
            let ba = try operand(a)
            let bb = try operand(b)
            for x in [ba, bb] where !x.isPositional {
                if x.matchesNothing { return .nothing }
                throw QueryError(message: "NEAR and ADJ operands must be words, phrases, or OR groups of those")
            }
            let slot = f(ba)
            return .near(ba, bb, distance: d, ordered: ordered, weight: ba.leafWeight + bb.leafWeight, slot: slot)
        case .boolean(let must, let should, let mustNot):
            let m = try must.map(bind)
            let s = try should.map(bind)
            let n = try mustNot.map(bind)
            if m.isEmpty && s.isEmpty {
                throw QueryError(
                    message:
                        "the query only excludes; add at least one word to search for, or *:* for every article (*:* -sport)"
                )
            }
            if m.contains(where: { if case .nothing = $0 { return true } else { return false } }) { return .nothing }
            return .boolean(must: m, should: s, mustNot: n)
        case .boost(let n, let b):
            return Searcher.scaled(try bind(n), by: b)
        case .synonyms(let options):
            return try synonymGroup(options)
        case .all:
            return .all
        case .exists(let f):
            return .present(slot: f.exactField.lengthSlot)
        case .dateRange(let from, let to):
            // Inside a group (`iran AND (date:2007 OR date:2009)`): the articles dated then, with
            // no score (beside the words, `prepare` applies dates as filters of the whole query).
            return .date(.all, from: from, to: to, excluded: false)
        }
    }

    /// A fuzzy word (`word~N`): every indexed word (as written) within N edits of it, found by a
    /// scan of the field's dictionary in each segment; the `maxFuzzyExpansions` closest (then the
    /// most frequent) are OR'ed. As in Lucene, they share one idf (that of the most frequent, so
    /// that a rare misspelling does not outrank the word meant) and each counts
    /// `1 − edits / min(lengths)`.
    private func fuzzy(_ w: String, field: FieldRef, edits: Int) throws -> BoundQuery {
        let terms = analyzedTerms(w)
        if terms.isEmpty { return .nothing }
        if terms.count > 1 {
            // `al-Malikki~`: each part fuzzy, as separate words (see compounds in `bind`).
            return .or(
                try terms.map { try fuzzy(String(decoding: $0, as: UTF8.self), field: field, edits: edits) }.filter {
                    !$0.matchesNothing
                })
        }
        let ef = field.exactField
        var found: [[UInt8]: (edits: Int, df: Int)] = [:]
        for s in reader.segments {
            var m = FuzzyMatcher(terms[0], maxEdits: edits)
            try s.dictionary.scanSkipping(prefix: [ef.rawValue]) { k, info in
                let d = k.withUnsafeBufferPointer { m.distance(UnsafeBufferPointer(rebasing: $0[1...])) }
                if let d {
                    // A word only deleted articles hold is no candidate.
                    let df = try s.liveDocFreq(k, info)
                    guard df > 0 else { return .next }
                    let t = Array(k[1...])
                    found[t] = (d, (found[t]?.df ?? 0) + df)
                    return .next
                }
                // A prefix already too far: every word that starts with it is skipped unread.
                if let dead = m.deadPrefixBytes { return .skip(1 + dead) }
                return .next
            }
        }
        if found.isEmpty {
            note("\(w)~\(edits): no indexed word within \(edits) edit\(edits == 1 ? "" : "s")")
            return .nothing
        }
        let ranked = found.sorted { x, y in
            if x.value.edits != y.value.edits { return x.value.edits < y.value.edits }
            if x.value.df != y.value.df { return x.value.df > y.value.df }
            return x.key.lexicographicallyPrecedes(y.key)
        }
        if ranked.count > Searcher.maxFuzzyExpansions {
            note(
                "\(w)~\(edits) matches \(ranked.count) words; the \(Searcher.maxFuzzyExpansions) closest (then most frequent) were used"
            )
        }
        let kept = ranked.prefix(Searcher.maxFuzzyExpansions)
        let maxDF = kept.map(\.value.df).max() ?? 0
        let idf = BM25.idf(docFreq: maxDF, documents: max(reader.documentCount, maxDF))
        let length = String(decoding: terms[0], as: UTF8.self).unicodeScalars.count
        return .or(
            kept.map { t, v in
                let shorter = min(length, String(decoding: t, as: UTF8.self).unicodeScalars.count)
                let similarity = v.edits == 0 ? 1 : 1 - Float(v.edits) / Float(shorter)
                return .term(key: [ef.rawValue] + t, weight: idf * similarity, slot: ef.lengthSlot)
            })
    }

    /// A wildcard word (`te?t`, `ma*ki`, `*zone`): the indexed words (as written) it matches, `?`
    /// one letter and `*` any run, found by a scan of the dictionary from its literal start (the
    /// whole field's for a leading wildcard); at most `maxPrefixExpansions`, each with its own idf
    /// as a prefix's. The literal parts are folded as words are (`Café*s` → `cafe*s`); a part
    /// analysis would split (`al-ma*`) makes the pattern an ordinary word.
    private func wildcard(_ pattern: String, field: FieldRef) throws -> BoundQuery {
        var folded: [UInt8] = []
        var run = ""
        func flush() -> Bool {
            if run.isEmpty { return true }
            let t = analyzedTerms(run)
            run = ""
            guard t.count == 1 else { return false }
            folded += t[0]
            return true
        }
        for c in pattern.unicodeScalars {
            if c == "*" || c == "?" {
                guard flush() else { return try bind(.word(pattern, field: field)) }
                // Several stars in a row are one.
                if !(c == "*" && folded.last == Wildcard.star) { folded.append(UInt8(c.value)) }
            } else {
                run.unicodeScalars.append(c)
            }
        }
        guard flush() else { return try bind(.word(pattern, field: field)) }
        let literal = Array(folded.prefix { $0 != Wildcard.star && $0 != Wildcard.one })
        return try expansion(
            field.exactField, literal: literal, rest: Array(folded[literal.count...]), shown: pattern)
    }

    /// The words of field `ef` that start with `literal` and whose rest matches the wildcard
    /// pattern `rest`, OR'ed (none: nothing, inside NEAR too, where an empty OR is no operand).
    /// Every one of them matches (up to `maxPatternTerms`, with a note beyond). Up to
    /// `maxPrefixExpansions` words, each scores with its own idf; of more, the
    /// `scoredPatternTerms` most frequent score and the others match with no score of their own,
    /// so that `t*` finds every article with a word starting with t, not only those of its first
    /// 1,024 words in dictionary order.
    private func expansion(_ ef: IndexField, literal: [UInt8], rest: [UInt8], shown: String) throws -> BoundQuery {
        try expansion(ef, literal: literal, shown: shown) { word in
            (Wildcard.matches(rest, UnsafeBufferPointer(rebasing: word[literal.count...])), nil)
        }
    }

    /// A regular expression (`/colou?r/`): the indexed words (as written) it matches whole, found
    /// by a scan of the dictionary from its literal start (every prefix that can lead to no
    /// match skipped unread); at most `maxPrefixExpansions` score, as a wildcard's. Its literal
    /// characters are folded as words are (`/Café.*/` → `cafe.*`).
    private func regex(_ source: String, field: FieldRef) throws -> BoundQuery {
        let fold: (Unicode.Scalar) -> [UInt32]? = { c in
            let t = self.analyzedTerms(String(c))
            guard t.count == 1 else { return nil }
            return String(decoding: t[0], as: UTF8.self).unicodeScalars.map(\.value)
        }
        var m: TermRegex
        do {
            m = try TermRegex(source, fold: fold)
        } catch let e as TermRegex.SyntaxError {
            throw QueryError(message: "/\(source)/: \(e.message)")
        }
        let bound = try expansion(field.exactField, literal: m.literalPrefix, shown: "/\(source)/") { word in
            if m.matches(word) { return (true, nil) }
            return (false, m.deadPrefixBytes)
        }
        if bound.matchesNothing { note("/\(source)/ matches no indexed word") }
        return bound
    }

    /// A term range (`title:[a TO c]`): the indexed words (as written) between the bounds in byte
    /// order, each bound analysed as a word is (folded: `[A TO C]` is `[a TO c]`); a bound that is
    /// not one word is an error. Lexicographic, as Lucene's and tantivy's on a text field: `[1990 TO
    /// 1999]` holds `19905` too.
    private func termRange(
        from a: String?, to b: String?, includeFrom: Bool, includeTo: Bool, field: FieldRef
    ) throws -> BoundQuery {
        func folded(_ s: String?) throws -> [UInt8]? {
            guard let s else { return nil }
            let t = analyzedTerms(s)
            guard t.count == 1 else {
                throw QueryError(message: "a range bound must be one word: \(s)")
            }
            return t[0]
        }
        let lo = try folded(a)
        let hi = try folded(b)
        var common: [UInt8] = []
        if let lo, let hi {
            if ByteOrder.compare(hi, lo) < 0 {
                throw QueryError(message: "the range [\(a!) TO \(b!)] ends before it starts (words are in byte order)")
            }
            common = Array(zip(lo, hi).prefix { $0 == $1 }.map(\.0))
        }
        let shown = "\(includeFrom ? "[" : "{")\(a ?? "*") TO \(b ?? "*")\(includeTo ? "]" : "}")"
        func cmp(_ w: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Int {
            b.withUnsafeBufferPointer { ByteOrder.compare(w.baseAddress, w.count, $0.baseAddress, $0.count) }
        }
        let bound = try expansion(field.exactField, literal: common, shown: shown) { word in
            if let hi {
                let c = cmp(word, hi)
                // Past the upper bound: no later word can be in the range (skip the field's rest).
                if c > 0 || (c == 0 && !includeTo) { return (false, c > 0 ? 0 : nil) }
            }
            if let lo {
                let c = cmp(word, lo)
                if c < 0 {
                    // Below the lower bound at byte p: so is every word that starts with the same
                    // p + 1 bytes (the scan passes over them unread).
                    var p = 0
                    while p < word.count && p < lo.count && word[p] == lo[p] { p += 1 }
                    return (false, p < word.count && p < lo.count ? p + 1 : nil)
                }
                if c == 0 && !includeFrom { return (false, nil) }
            }
            return (true, nil)
        }
        if bound.matchesNothing { note("\(shown) holds no indexed word") }
        return bound
    }

    /// The words of field `ef` that start with `literal` and pass `test` (given the whole word;
    /// it answers whether the word matches, and may name a prefix length in bytes past whose
    /// words the scan skips), OR'ed as in `expansion(_:literal:rest:shown:)`.
    private func expansion(
        _ ef: IndexField, literal: [UInt8], shown: String,
        test: (UnsafeBufferPointer<UInt8>) -> (Bool, Int?)
    ) throws -> BoundQuery {
        // Dictionary keys (field byte + word), in dictionary order, and their document
        // frequencies summed over the segments (each segment's scan is in order: merged).
        var keys: [[UInt8]] = []
        var docFreq: [Int] = []
        var capped = false
        for s in reader.segments {
            var segmentKeys: [[UInt8]] = []
            var segmentFreq: [Int] = []
            try s.dictionary.scanSkipping(prefix: [ef.rawValue] + literal) { k, info in
                let (match, skip) = k.withUnsafeBufferPointer { b in test(UnsafeBufferPointer(rebasing: b[1...])) }
                guard match else { return skip.map { .skip(1 + $0) } ?? .next }
                let df = try s.liveDocFreq(k, info)
                guard df > 0 else { return .next }  // only in deleted articles
                segmentKeys.append(k)
                segmentFreq.append(df)
                return .next
            }
            // New words are taken, in order, while there is room for them.
            var mergedKeys: [[UInt8]] = []
            var mergedFreq: [Int] = []
            mergedKeys.reserveCapacity(keys.count + segmentKeys.count)
            mergedFreq.reserveCapacity(keys.count + segmentKeys.count)
            var room = patternTermLimit - keys.count
            var i = 0
            var j = 0
            while i < keys.count || j < segmentKeys.count {
                let c = i == keys.count ? 1 : j == segmentKeys.count ? -1 : ByteOrder.compare(keys[i], segmentKeys[j])
                if c < 0 {
                    mergedKeys.append(keys[i])
                    mergedFreq.append(docFreq[i])
                    i += 1
                } else if c == 0 {
                    mergedKeys.append(keys[i])
                    mergedFreq.append(docFreq[i] + segmentFreq[j])
                    i += 1
                    j += 1
                } else {
                    if room > 0 {
                        mergedKeys.append(segmentKeys[j])
                        mergedFreq.append(segmentFreq[j])
                        room -= 1
                    } else {
                        capped = true
                    }
                    j += 1
                }
            }
            keys = mergedKeys
            docFreq = mergedFreq
        }
        if capped {
            note(
                "\(shown) matches more than \(patternTermLimit) words; only the first \(patternTermLimit) were searched"
            )
        }
        if keys.isEmpty { return .nothing }
        // The most frequent score (ties: dictionary order), in dictionary order; the rest only
        // match, most frequent first (NEAR keeps the first of them).
        let ranked = keys.indices.sorted { docFreq[$0] != docFreq[$1] ? docFreq[$0] > docFreq[$1] : $0 < $1 }
        let scored = ranked.count > Searcher.maxPrefixExpansions ? Searcher.scoredPatternTerms : ranked.count
        var clauses: [BoundQuery] = try ranked.prefix(scored).sorted().map {
            .term(key: keys[$0], weight: try idf(ef, Array(keys[$0].dropFirst())), slot: ef.lengthSlot)
        }
        if ranked.count > scored { clauses.append(.anyOf(keys: ranked.dropFirst(scored).map { keys[$0] })) }
        return .or(clauses)
    }

    /// `id:X` (an article id as written, not analysed: `id:hn-105`, `id:"a b"`, `id:hn-1*` a
    /// prefix), bound; nil for any other node. Every id matches with no score of its own.
    private func idNode(_ node: QueryNode) throws -> BoundQuery? {
        let text: String
        var prefix = false
        switch node {
        case .word(let w, .id): text = w
        case .phrase(let words, .id, _): text = words.joined(separator: " ")
        case .prefix(let w, .id):
            text = w
            prefix = true
        case .wildcard(_, .id), .regex(_, .id), .fuzzy(_, .id, _), .termRange(_, _, _, _, .id):
            throw QueryError(message: "id: takes an article id as written, or its start (id:hn-1*)")
        default: return nil
        }
        let key = [IndexField.id.rawValue] + SegmentBuilder.idTerm(text)
        guard prefix else { return .anyOf(keys: [key]) }
        var keys = Set<[UInt8]>()
        for s in reader.segments {
            try s.dictionary.scan(prefix: key) { k, _ in
                keys.insert(Array(k))
                return keys.count < patternTermLimit
            }
        }
        return .anyOf(keys: keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// `node` with each word or phrase that has synonyms searched as any of them (the word as
    /// typed among them unless a `=>` rule replaces it).
    func withSynonyms(_ node: QueryNode) -> QueryNode {
        guard let synonyms, !synonyms.rules.isEmpty else { return node }
        // Entries and query words meet by their stems (with the English analyzer): `ports` finds
        // the synonyms of `port`.
        func stems(_ s: String) -> [[UInt8]] { analyzedTerms(s).map { stemmer?.stemUnified($0) ?? $0 } }
        if synonymTable == nil { synonymTable = synonyms.table(stems) }
        let table = synonymTable ?? [:]
        func key(_ s: String) -> [UInt8] { Array(stems(s).joined(separator: [0x20])) }
        func expanded(_ original: QueryNode, _ text: String, _ f: FieldRef) -> QueryNode {
            let k = key(text)
            guard !k.isEmpty, let alternatives = table[k] else { return original }
            var options: [QueryNode] = []
            for a in alternatives {
                if key(a) == k {
                    if !options.contains(original) { options.append(original) }
                } else {
                    let n: QueryNode = a.contains(" ") ? .phrase([a], field: f, slop: 0) : .word(a, field: f)
                    if !options.contains(n) { options.append(n) }
                }
            }
            if options.count == 1 { return options[0] }
            return .synonyms(options)
        }
        func walk(_ n: QueryNode) -> QueryNode {
            switch n {
            case .word(let w, let f): return expanded(n, w, f)
            case .phrase(let words, let f, 0): return expanded(n, words.joined(separator: " "), f)
            case .near(let a, let b, let d, let o): return .near(walk(a), walk(b), distance: d, ordered: o)
            case .boolean(let m, let s, let x):
                return .boolean(must: m.map(walk), should: s.map(walk) + runs(s), mustNot: x.map(walk))
            case .boost(let c, let b): return .boost(walk(c), b)
            default: return n
            }
        }
        // Optional words typed one after another that make an entry (`united nations sanctions`
        // holds "United Nations"): the entry as a phrase or its synonyms, one more optional
        // clause beside the words themselves.
        func runs(_ should: [QueryNode]) -> [QueryNode] {
            var out: [QueryNode] = []
            for i in should.indices {
                guard case .word(_, let f) = should[i] else { continue }
                var words: [String] = []
                for j in i..<min(should.count, i + 4) {
                    guard case .word(let w, let g) = should[j], g == f else { break }
                    words.append(w)
                    if words.count < 2 { continue }
                    let text = words.joined(separator: " ")
                    let e = expanded(.phrase([text], field: f, slop: 0), text, f)
                    if case .synonyms = e { out.append(e) }
                }
            }
            return out
        }
        return walk(node)
    }

    /// A sloppy phrase with prefix or wildcard words (`"interest rate*"~2`; the parser gives its
    /// words one by one): each pattern one position of any of its words (the most frequent
    /// `maxPrefixExpansions`, as inside NEAR), each other word its analysed terms; nothing when a
    /// pattern matches no word.
    private func patternPhrase(_ words: [String], field: FieldRef, slop: Int) throws -> BoundQuery {
        let ef = field.exactField
        var keys: [[[UInt8]]] = []
        var weight: Float = 0
        for w in words {
            if let p = QueryParser.pattern(w, field: field) {
                var alternatives = try bind(p).patternKeys.filter { $0.first == ef.rawValue }
                if alternatives.isEmpty { return .nothing }
                if alternatives.count > Searcher.maxPrefixExpansions {
                    note(
                        "a prefix or wildcard in a phrase searches its \(Searcher.maxPrefixExpansions) most frequent words only"
                    )
                    alternatives = Array(alternatives.prefix(Searcher.maxPrefixExpansions))
                }
                var maxDF = 0
                for k in alternatives { maxDF = max(maxDF, try reader.docFreq(ef, Array(k.dropFirst()))) }
                weight += BM25.idf(docFreq: maxDF, documents: max(reader.documentCount, maxDF))
                keys.append(alternatives)
            } else {
                for t in analyzedTerms(w) {
                    weight += try idf(ef, t)
                    keys.append([[ef.rawValue] + t])
                }
            }
        }
        if keys.isEmpty { return .nothing }
        if keys.count == 1 {
            return keys[0].count == 1
                ? .term(key: keys[0][0], weight: weight, slot: ef.lengthSlot)
                : .or(keys[0].map { .term(key: $0, weight: weight, slot: ef.lengthSlot) })
        }
        return .multiPhrase(
            keys: keys, offsets: (0..<keys.count).map { Int32($0) }, slop: slop, weight: weight, slot: ef.lengthSlot)
    }

    /// A word or phrase and its synonyms: the single words as one blended word (`.blend` per part
    /// of a word: its stem, its title stem, its exact form — frequencies added, the most frequent
    /// word's idf), the rest (phrases, compounds) as optional clauses beside it.
    private func synonymGroup(_ options: [QueryNode]) throws -> BoundQuery {
        var words: [(term: [UInt8], node: QueryNode)] = []
        var field = FieldRef.text
        var others: [QueryNode] = []
        for o in options {
            if case .word(let w, let f) = o, f != .id,
                !(analyzer.kind == .english && w.unicodeScalars.contains(where: { Analyzer.isCJK($0.value) }))
            {
                let t = analyzedTerms(w)
                if t.count == 1 {
                    if !words.contains(where: { $0.term == t[0] }) { words.append((t[0], o)) }
                    field = f
                    continue
                }
            }
            others.append(o)
        }
        var clauses = try others.map(bind)
        if words.count == 1 {
            clauses.insert(try bind(words[0].node), at: 0)
        } else if words.count > 1 {
            clauses.insert(try blendedWord(words.map(\.term), field: field), at: 0)
        }
        if clauses.count == 1 { return clauses[0] }
        return .boolean(must: [], should: clauses, mustNot: [])
    }

    /// Analysed words of one field scored as one word, as `bind` scores a word: its stem (with
    /// the English analyzer), in the text also its title stem and exact form.
    private func blendedWord(_ terms: [[UInt8]], field: FieldRef) throws -> BoundQuery {
        func blend(_ f: IndexField, _ keys: [[UInt8]], factor: Float) throws -> BoundQuery {
            var unique: [[UInt8]] = []
            for k in keys where !unique.contains(k) { unique.append(k) }
            if unique.count == 1 {
                return .term(key: [f.rawValue] + unique[0], weight: try idf(f, unique[0]) * factor, slot: f.lengthSlot)
            }
            var maxDF = 0
            for k in unique { maxDF = max(maxDF, try reader.docFreq(f, k)) }
            let w = BM25.idf(docFreq: maxDF, documents: max(reader.documentCount, maxDF)) * factor
            return .blend(keys: unique.map { [f.rawValue] + $0 }, weight: w, slot: f.lengthSlot)
        }
        let ef = field.exactField
        let symbol = terms.contains { Analyzer.hasSymbolSuffix($0) }
        guard let stemmer, let sf = ef.stemmed, !symbol else { return try blend(ef, terms, factor: 1) }
        let stems = terms.map { stemmer.stemUnified($0) }
        var parts = [try blend(sf, stems, factor: 1)]
        guard field == .text else { return parts[0] }
        if titleWeight > 0 { parts.append(try blend(.titleStem, stems, factor: titleWeight)) }
        if exactWeight > 0 { parts.append(try blend(.text, terms, factor: exactWeight)) }
        return parts.count > 1 ? .or(parts) : parts[0]
    }

    /// `q` with every score weight multiplied by `b` (a boost; exclusions keep theirs).
    static func scaled(_ q: BoundQuery, by b: Float) -> BoundQuery {
        switch q {
        case .nothing: return .nothing
        case .term(let k, let w, let s): return .term(key: k, weight: w * b, slot: s)
        case .blend(let k, let w, let s): return .blend(keys: k, weight: w * b, slot: s)
        case .multiPhrase(let k, let o, let sl, let w, let s):
            return .multiPhrase(keys: k, offsets: o, slop: sl, weight: w * b, slot: s)
        case .phrase(let k, let o, let sl, let w, let s):
            return .phrase(keys: k, offsets: o, slop: sl, weight: w * b, slot: s)
        case .near(let x, let y, let d, let o, let w, let s):
            return .near(x, y, distance: d, ordered: o, weight: w * b, slot: s)
        case .or(let c): return .or(c.map { scaled($0, by: b) })
        case .atLeast(let k, let c): return .atLeast(k, c.map { scaled($0, by: b) })
        case .boolean(let m, let sh, let n):
            return .boolean(must: m.map { scaled($0, by: b) }, should: sh.map { scaled($0, by: b) }, mustNot: n)
        case .date(let c, let from, let to, let x): return .date(scaled(c, by: b), from: from, to: to, excluded: x)
        case .dateAny(let c, let r): return .dateAny(scaled(c, by: b), ranges: r)
        case .anyOf, .all, .present: return q
        }
    }

    private func f(_ q: BoundQuery) -> Int {
        switch q {
        case .term(_, _, let s), .phrase(_, _, _, _, let s), .near(_, _, _, _, _, let s), .blend(_, _, let s),
            .multiPhrase(_, _, _, _, let s):
            return s
        case .or(let c): return c.first.map(f) ?? 0
        default: return 0
        }
    }

    /// The text and field of a word or of a pattern (which may fall back to its words).
    static func wordText(_ n: QueryNode) -> (String, FieldRef)? {
        switch n {
        case .word(let w, let f), .prefix(let w, let f), .wildcard(let w, let f): return (w, f)
        default: return nil
        }
    }

    /// How a query word that the analyzer cuts into several parts is searched.
    public enum CompoundReading: Equatable {
        /// Parts joined by a dot, `@`, `:`, `_` or an apostrophe — a domain, an address, a file
        /// or package name, a time, a name: `nytimes.com`, `jane@example.org`, `node.js`,
        /// `read_me`, `10:30`, `O'Brien` — are one name: their phrase. (Slashes and plus signs
        /// join lists, `MyD88/CD40`, `CD4+/CD8+`: as hyphens.)
        case name
        /// Parts that each say little alone — one character, a number, a function word, a
        /// prefix: `AT&T`, `9/11`, `F-16` — are their phrase (as Xapian, tantivy and FTS5 read
        /// every compound): apart, `at` and `t` would match nearly every article.
        case phrase
        /// Such parts beside others (`COVID-19`, `non-linear`): the others are required, and
        /// where the parts stand together (their stems' phrase) the article ranks higher —
        /// `COVID-19` finds every `covid`, `covid-19` first.
        case required(strong: [[UInt8]], weak: [[UInt8]])
        /// Any other compound (`lift-drag`, `al-Maliki`): its parts as separate ranked words
        /// (measured better than an exact phrase).
        case separate
    }

    /// The reading of query word `w`, whose analysed parts are `parts` (two or more).
    public static func compoundReading(_ w: String, parts: [[UInt8]], english: Bool) -> CompoundReading {
        if w.unicodeScalars.contains(where: joinsAName) { return .name }
        let weak = parts.filter { isWeakPart($0, english: english) }
        if weak.isEmpty { return .separate }
        if weak.count == parts.count { return .phrase }
        return .required(strong: parts.filter { !isWeakPart($0, english: english) }, weak: weak)
    }

    /// Whether a part of a compound word says little alone: one byte, digits only, or (English)
    /// a function word or a prefix.
    static func isWeakPart(_ t: [UInt8], english: Bool) -> Bool {
        if t.count <= 1 || t.allSatisfy({ $0 &- 0x30 < 10 }) { return true }
        guard english else { return false }
        let s = String(decoding: t, as: UTF8.self)
        return englishFunctionWords.contains(s) || englishPrefixes.contains(s)
    }

    /// A character that joins the parts of one name inside a query word.
    static func joinsAName(_ s: Unicode.Scalar) -> Bool {
        s == "." || s == "@" || s == ":" || s == "_" || s == "'" || s == "\u{2019}"
    }

    /// Prefixes English writes with a hyphen (`non-profit`, `co-operation`, `re-entry`): a part
    /// of a compound that says little alone.
    static let englishPrefixes: Set<String> = [
        "anti", "bi", "co", "de", "ex", "mid", "multi", "non", "post", "pre", "pro", "re", "semi", "sub", "tri", "un",
    ]

    /// A word of two parts joined by a hyphen (`e-mail`, `cease-fire`, `co-operation`), when the
    /// index also holds the two written closed up as one word (`email`): that word, which finds
    /// both spellings (the index counts every hyphenated pair as its closed-up word too; see
    /// `SegmentBuilder`), beside the parts' own reading — an archive that writes both, as news
    /// did over the years, is searched for both. Where the closed form is nowhere written
    /// (`lift-drag`), the parts' reading alone, as before.
    ///
    /// The parts' reading then counts a quarter: the closed-up word already scores every article
    /// of the hyphenated spelling, and at full weight (adding up) an article that writes
    /// `cease-fire` once outranked one that writes `ceasefire` throughout. A quarter keeps the
    /// spelling typed a little ahead and still finds the parts written apart (`cease fire`).
    /// Cranfield nDCG@10 0.3883 / 0.3883 / 0.3884 / 0.3875 and SciFact 0.7114 / 0.7119 / 0.7124 /
    /// 0.7126 with the parts at 1, 0.5, 0.25 and 0 (before: 0.3874 and 0.7104).
    static let closedCompoundPartsWeight: Float = 0.25

    private func closedAlternative(_ w: String, field f: FieldRef) throws -> BoundQuery? {
        guard stemmer != nil, f == .text || f == .title, let closed = analyzer.closedCompound(of: w),
            try reader.docFreq(f.exactField, closed) > 0
        else { return nil }
        return try bind(.word(String(decoding: closed, as: UTF8.self), field: f))
    }

    /// A query word typed in capitals that names an acronym spelt like a function word (`US`,
    /// `U.S.`, `IT`, `WHO`; `Analyzer.typedAcronym`) is that acronym, which the index holds in
    /// capitals (`US`, from `US` beside lower-case words and from `U.S.`), the word's own
    /// reading (`us`, `u s`) beside it at a quarter: `US` finds `U.S.` and ranks the country
    /// before the pronoun, and nothing it used to match is lost. `us` in lower case is the word
    /// alone, as before.
    static let acronymWordWeight: Float = 0.25

    private func acronymAlternative(_ w: String, field f: FieldRef) throws -> BoundQuery? {
        guard stemmer != nil, f == .text || f == .title, let acronym = Analyzer.typedAcronym(w),
            let sf = f.exactField.stemmed, try reader.docFreq(sf, acronym) > 0
        else { return nil }
        let parts = try stemAndTitle(acronym, stemField: sf, field: f)
        return parts.count > 1 ? .or(parts) : parts[0]
    }

    /// A query word that is two words written together (`healthcare`, `workforce`, `airport`)
    /// also finds them written apart (`health care`, `work force`): of its splits into two parts
    /// of three letters or more, neither a function word (`therapist` is not `the rapist`), each
    /// part a word in more articles than the word itself and in at least
    /// `wordsApartMinimumDF` (a compound's parts are more general words: `season` is not `sea
    /// son`, `another` not `ano ther`), the split whose rarer part is most common is also
    /// searched as the phrase of its parts' stems, weighing half what the word does (or, where
    /// the word is nowhere written closed up, half what the phrase of its parts would). On en-all
    /// `healthcare` was written closed up in 254 articles and apart in 438. English analyzer,
    /// unquoted words of letters only, text or title. Cost: the dictionary lookups of the parts
    /// (en-all, English, the peer benchmark's queries: term p50 19 → 23 µs, AND 164 → 184 µs).
    /// Without the parts' frequency rule every word had such splits (`acc ept`, `alr eadi`):
    /// term 19 → 54 µs.
    private func wordsApart(_ w: String, field f: FieldRef) throws -> BoundQuery? {
        guard let stemmer, f == .text || f == .title, let sf = f.exactField.stemmed else { return nil }
        let terms = analyzedTerms(w)
        guard terms.count == 1, terms[0].count >= 6, terms[0].count <= 24,
            terms[0].allSatisfy({ $0 &- 0x61 < 26 }), !Analyzer.isFunctionWord(terms[0])
        else { return nil }
        let t = terms[0]
        let ef = f.exactField
        let wordDF = try reader.docFreq(ef, t)
        // The split whose rarer part is most common, each part more common than the word.
        var best: (a: [UInt8], b: [UInt8], df: Int)?
        for k in 3...(t.count - 3) {
            let a = Array(t[..<k])
            let b = Array(t[k...])
            let dfA = try reader.docFreq(ef, a)
            guard dfA > wordDF, dfA >= Searcher.wordsApartMinimumDF else { continue }
            let dfB = try reader.docFreq(ef, b)
            guard dfB > wordDF, dfB >= Searcher.wordsApartMinimumDF, !Analyzer.isFunctionWord(a),
                !Analyzer.isFunctionWord(b), min(dfA, dfB) > best?.df ?? 0
            else { continue }
            best = (a, b, min(dfA, dfB))
        }
        guard let (a, b, _) = best else { return nil }
        let stem = stemmer.stemUnified(t)
        let weight = try reader.docFreq(sf, stem) > 0 ? try idf(sf, stem) : try stemIDF([a, b], field: f)
        return .phrase(
            keys: [a, b].map { [sf.rawValue] + stemmer.stemUnified($0) }, offsets: [0, 1], slop: 0,
            weight: weight * Searcher.wordsApartWeight, slot: sf.lengthSlot)
    }

    /// Parts rarer than this are no words of their own here (`wordsApart`).
    static let wordsApartMinimumDF = 10

    /// What a word's parts written apart weigh beside the word (`wordsApart`): Cranfield nDCG@10
    /// 0.3880 / 0.3888 / 0.3885 and SciFact 0.7121 / 0.7126 / 0.7126 at 1, 0.5 and 0.25 with every
    /// split (before the parts' frequency rule); with the rule, at 0.5, 0.3891 / 0.7125 (without
    /// any split 0.3884 / 0.7124).
    static let wordsApartWeight: Float = 0.5

    /// The summed idf of words in the stem space (as written with the plain analyzer).
    private func stemIDF(_ terms: [[UInt8]], field: FieldRef) throws -> Float {
        let ef = field.exactField
        var w: Float = 0
        for t in terms {
            if let stemmer, let sf = ef.stemmed {
                w += try idf(sf, stemmer.stemUnified(t))
            } else {
                w += try idf(ef, t)
            }
        }
        return w
    }

    /// The adjacent words of a compound, matched by their stems (`X-rays` finds `x-ray`),
    /// weighing the idf of the words `weighing`.
    private func stemPhrase(_ terms: [[UInt8]], field: FieldRef, weighing: [[UInt8]]) throws -> BoundQuery {
        guard let stemmer, let sf = field.exactField.stemmed else {
            let p = try phrase(terms, field: field, slop: 0)
            let all = try stemIDF(terms, field: field)
            return all > 0 ? Searcher.scaled(p, by: try stemIDF(weighing, field: field) / all) : p
        }
        let stems = terms.map { stemmer.stemUnified($0) }
        let w = try stemIDF(weighing, field: field)
        return .phrase(
            keys: stems.map { [sf.rawValue] + $0 }, offsets: (0..<stems.count).map { Int32($0) }, slop: 0, weight: w,
            slot: sf.lengthSlot)
    }

    private func phrase(_ terms: [[UInt8]], field: FieldRef, slop: Int) throws -> BoundQuery {
        let ef = field.exactField
        if terms.count == 1 {
            return .term(key: [ef.rawValue] + terms[0], weight: try idf(ef, terms[0]), slot: ef.lengthSlot)
        }
        var w: Float = 0
        for t in terms { w += try idf(ef, t) }
        return .phrase(
            keys: terms.map { [ef.rawValue] + $0 }, offsets: (0..<terms.count).map { Int32($0) }, slop: slop, weight: w,
            slot: ef.lengthSlot)
    }

    /// Date filters: `date:` clauses inside a boolean apply to its other clauses; excluded ones
    /// (`-date:`, `NOT date:`) leave out the articles dated within them.
    /// A query of dates alone (`date:2007-05`, `date:2007 -date:2007-05`) keeps every article they
    /// allow; excluded dates alone are a query that only excludes.
    private func extractDates(_ node: QueryNode) -> (
        QueryNode, [(String?, String?, excluded: Bool)], anyOf: [(String?, String?)]
    ) {
        if case .dateRange(let a, let b) = node { return (.all, [(a, b, false)], []) }
        guard case .boolean(let must, let should, let not) = node else { return (node, [], []) }
        var dates: [(String?, String?, excluded: Bool)] = []
        func split(_ clauses: [QueryNode], excluded: Bool) -> [QueryNode] {
            clauses.filter { c in
                guard case .dateRange(let a, let b) = c else { return true }
                dates.append((a, b, excluded))
                return false
            }
        }
        let m = split(must, excluded: false)
        // Several optional dates (`date:2007-07 OR date:2007-09`, `iran date:2007 date:2009`)
        // filter together: an article of any of them, not of every range at once.
        var anyOf: [(String?, String?)] = []
        for c in should { if case .dateRange(let a, let b) = c { anyOf.append((a, b)) } }
        if anyOf.count == 1 { anyOf = [] }
        let s = should.filter { c in
            guard case .dateRange(let a, let b) = c else { return true }
            if anyOf.isEmpty { dates.append((a, b, false)) }
            return false
        }
        let n = split(not, excluded: true)
        if m.isEmpty && s.isEmpty && (!anyOf.isEmpty || dates.contains(where: { !$0.excluded })) {
            return (.boolean(must: [.all], should: [], mustNot: n), dates, anyOf)
        }
        return (.boolean(must: m, should: s, mustNot: n), dates, anyOf)
    }

    /// Term-proximity scoring for plain word queries: each pair of consecutive query words adds a
    /// pseudo-term whose frequency sums `1 / (1 + gap)` over their co-occurrences with at most
    /// `proximityWindow` words between them (either order). It only reorders documents that
    /// already match; it never adds matches.
    public var proximity = RankingDefaults.proximity
    public static let proximityWindow = 5
    /// Scale of the proximity pseudo-term's weight (relative to the pair's idf sum).
    public var proximityWeight: Float = 1

    private func addProximity(_ node: QueryNode, _ bound: BoundQuery) -> BoundQuery {
        guard proximity, proximityWeight > 0, case .boolean(let must, let should, let not) = node,
            case .boolean(let bm, let bs, let bn) = bound
        else { return bound }
        let words = must + should
        guard words.count >= 2, words.count <= 16,
            words.allSatisfy({ if case .word(_, .text) = $0 { return true } else { return false } })
        else { return bound }
        // A word with title weighting is (text term OR title term): pair the text terms.
        let leaves = (bm + bs).map { q -> BoundQuery in
            if case .or(let c) = q, let first = c.first, case .term = first { return first }
            return q
        }
        var extra: [BoundQuery] = []
        for i in 0..<(leaves.count - 1) {
            let a = leaves[i]
            let b = leaves[i + 1]
            guard case .term = a, case .term = b else { continue }
            extra.append(
                .near(
                    a, b, distance: Searcher.proximityWindow, ordered: false,
                    weight: (a.leafWeight + b.leafWeight) * proximityWeight, slot: 0))
        }
        _ = not
        return .boolean(must: bm, should: bs + extra, mustNot: bn)
    }

    /// Weight of title matches added to unquoted words' scores (0: title and body count alike,
    /// as one field). Chosen by evaluation; see README "Ranking".
    public var titleWeight: Float = RankingDefaults.titleWeight

    /// Weight of matches of an unquoted word's exact form, added to its stem's score (stemming
    /// conflates forms; the form the user typed is a little more likely to be meant).
    public var exactWeight: Float = RankingDefaults.exactWeight

    /// Drop English stopwords from ranked bag-of-words queries (they stay indexed, so phrases
    /// like "prime minister of iraq" still match them; a query of stopwords only keeps them).
    public var stopwords = false

    /// Lucene's EnglishAnalyzer stopword list.
    public static let englishStopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will",
        "with",
    ]

    /// Words that say nothing of a subject, never `related`'s query words nor `terms --in`'s
    /// significant words: the stopwords above and the rest of English's function words
    /// (pronouns, auxiliaries, prepositions, quantifiers), the reporting verbs of news (said,
    /// told) and the number words one to ten. On a large index their low idf keeps them out
    /// anyway; on a small one they were `related`'s query words and filled its "shared" lines
    /// (the sample corpus: said, had, over, has, may — the modal found a May timetable), and
    /// `terms --in talks` listed `would`. `Scripts/eval-related`: Reuters 0.781 → 0.779, 20
    /// Newsgroups 0.830 → 0.831 (within the samples' noise).
    public static let englishFunctionWords: Set<String> = englishStopwords.union([
        "about", "above", "after", "again", "against", "all", "also", "am", "any", "because", "been", "before",
        "being", "below", "between", "both", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
        "few", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
        "himself", "his", "how", "i", "its", "itself", "just", "may", "me", "might", "more", "most", "must", "my",
        "myself", "nor", "now", "off", "once", "only", "other", "ought", "our", "ours", "ourselves", "out", "over",
        "own", "s", "same", "shall", "she", "should", "so", "some", "t", "than", "them", "themselves", "those",
        "through", "too", "under", "until", "up", "us", "very", "we", "were", "what", "when", "where", "which",
        "while", "who", "whom", "why", "would", "you", "your", "yours", "yourself", "yourselves",
        "said", "say", "says", "told",
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ])

    private func dropStopwords(_ node: QueryNode) -> QueryNode {
        guard stopwords, case .boolean(let must, let should, let not) = node, must.isEmpty else { return node }
        func isStop(_ q: QueryNode) -> Bool {
            // `IT`, `US` in capitals are acronyms (`acronymAlternative`), not stopwords.
            guard case .word(let w, _) = q, Analyzer.typedAcronym(w) == nil || stemmer == nil else { return false }
            let t = analyzer.terms(w)
            return t.count == 1 && Searcher.englishStopwords.contains(t[0])
        }
        let kept = should.filter { !isStop($0) }
        if kept.isEmpty || kept.count == should.count { return node }
        return .boolean(must: [], should: kept, mustNot: not)
    }

    /// Short ranked queries (2 to `phraseBoostMaxWords` plain words) that look like a name —
    /// `Green Zone`, `Prime Minister` — also score the whole query as a phrase (stemmed, in
    /// order), so an article with the exact name outranks one with the words scattered. Longer,
    /// natural-language queries are left alone (measured: no change on Cranfield and SciFact,
    /// whose queries are longer).
    public var phraseBoost = true
    public static let phraseBoostMaxWords = 3

    private func addPhraseBoost(_ node: QueryNode, _ bound: BoundQuery) throws -> BoundQuery {
        guard phraseBoost, case .boolean(let must, let should, let not) = node, must.isEmpty,
            case .boolean(let bm, let bs, let bn) = bound,
            should.count >= 2, should.count <= Searcher.phraseBoostMaxWords,
            should.allSatisfy({ if case .word(_, .text) = $0 { return true } else { return false } })
        else { return bound }
        _ = not
        var keys: [[UInt8]] = []
        var weight: Float = 0
        for w in should {
            guard case .word(let text, _) = w else { return bound }
            let terms = analyzedTerms(text)
            guard terms.count == 1 else { return bound }
            let field: IndexField = stemmer != nil ? .textStem : .text
            let t = stemmer?.stemUnified(terms[0]) ?? terms[0]
            keys.append([field.rawValue] + t)
            weight += try idf(field, t)
        }
        // Not length-normalised: a short query found as written is strong evidence in an
        // article of any length (else a long article with the phrase can lose to a short one
        // holding one of the words).
        let phrase = BoundQuery.phrase(
            keys: keys, offsets: (0..<keys.count).map { Int32($0) }, slop: 0, weight: weight,
            slot: BoundQuery.unnormalizedSlot)
        return .boolean(must: bm, should: bs + [phrase], mustNot: bn)
    }

    /// Repeated words of a ranked word query count √n times (n: how often they are written), not
    /// n times: a claim or question that repeats its subject stresses it without letting it
    /// outweigh the other words (README "Ranking": +0.002 Cranfield, +0.003 SciFact).
    public var sublinearRepeats = RankingDefaults.sublinearRepeats

    /// The words of a ranked bag (`a b c`, compound words split into their parts), each with its
    /// analysed term, or nil for a clause that is not an unquoted word.
    private func bagParts(_ should: [QueryNode]) -> [(term: [UInt8]?, node: QueryNode)] {
        var parts: [(term: [UInt8]?, node: QueryNode)] = []
        for c in should {
            guard case .word(let w, .text) = c else {
                parts.append((nil, c))
                continue
            }
            let terms = analyzedTerms(w)
            if terms.count == 1 {
                parts.append((terms[0], c))
            } else {
                // A compound's parts are ranked as separate words anyway (see `bind`).
                for t in terms { parts.append((t, .word(String(decoding: t, as: UTF8.self), field: .text))) }
            }
        }
        return parts
    }

    /// `a b a` → `a^1.41 b`. Queries without a repeated word are returned unchanged.
    func mergeRepeats(_ node: QueryNode) -> QueryNode {
        guard sublinearRepeats, case .boolean(let must, let should, let not) = node, must.isEmpty else { return node }
        let parts = bagParts(should)
        var counts: [[UInt8]: Int] = [:]
        for p in parts { if let t = p.term { counts[t, default: 0] += 1 } }
        guard counts.values.contains(where: { $0 > 1 }) else { return node }
        var seen = Set<[UInt8]>()
        var out: [QueryNode] = []
        for p in parts {
            guard let t = p.term else {
                out.append(p.node)
                continue
            }
            guard seen.insert(t).inserted else { continue }
            let n = counts[t]!
            out.append(n > 1 ? .boost(p.node, Float(n).squareRoot()) : p.node)
        }
        return .boolean(must: [], should: out, mustNot: not)
    }

    /// A word of a ranked query that no article holds (neither as written nor by its stem) is
    /// replaced, with a note: by its letter and digit runs when each is indexed (`400mg` →
    /// `400 mg`), else by the indexed word one edit away (a letter deleted, inserted, replaced or
    /// two swapped) that the most articles hold (`florescent` → `fluorescent`). Only words of
    /// five or more ASCII letters are corrected; words in phrases, fields and required or
    /// excluded clauses are left as written.
    public var spelling = RankingDefaults.spelling

    func correctUnknownWords(_ node: QueryNode) throws -> QueryNode {
        guard spelling else { return node }
        switch node {
        case .word(let w, .text):
            guard let fix = try correction(w) else { return node }
            return fix.count == 1
                ? .word(fix[0], field: .text)
                : .boolean(must: [], should: fix.map { .word($0, field: .text) }, mustNot: [])
        case .boolean(let must, let should, let not) where must.isEmpty:
            var changed = false
            var out: [QueryNode] = []
            for c in should {
                if case .word(let w, .text) = c, let fix = try correction(w) {
                    changed = true
                    out += fix.map { .word($0, field: .text) }
                } else {
                    out.append(c)
                }
            }
            return changed ? .boolean(must: [], should: out, mustNot: not) : node
        default:
            return node
        }
    }

    private func note(_ n: String) {
        if !notes.contains(n) { notes.append(n) }
    }

    private func isIndexed(_ t: [UInt8]) throws -> Bool {
        if try reader.docFreq(.text, t) > 0 { return true }
        if let stemmer, try reader.docFreq(.textStem, stemmer.stemUnified(t)) > 0 { return true }
        return false
    }

    /// The words to search for instead of `word`, or nil to keep it.
    private func correction(_ word: String) throws -> [String]? {
        let terms = analyzedTerms(word)
        guard terms.count == 1, reader.documentCount > 0 else { return nil }
        let t = terms[0]
        guard try !isIndexed(t) else { return nil }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func isLetter(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
        // Letter and digit runs: 400mg → 400 mg.
        if t.allSatisfy({ isDigit($0) || isLetter($0) }), t.contains(where: isDigit), t.contains(where: isLetter) {
            var runs: [[UInt8]] = []
            for b in t {
                if let last = runs.last?.last, isDigit(last) == isDigit(b) {
                    runs[runs.count - 1].append(b)
                } else {
                    runs.append([b])
                }
            }
            return try runs.allSatisfy(isIndexed) ? corrected(t, runs) : nil
        }
        guard t.count >= 5, t.count <= 40, t.allSatisfy(isLetter) else { return nil }
        var best: [UInt8] = []
        var bestDF = 0
        func consider(_ c: [UInt8]) throws {
            let df = try reader.docFreq(.text, c)
            if df > bestDF || (df == bestDF && df > 0 && c.lexicographicallyPrecedes(best)) {
                best = c
                bestDF = df
            }
        }
        let n = t.count
        for i in 0..<n {  // deletion
            var c = t
            c.remove(at: i)
            try consider(c)
        }
        for i in 0..<(n - 1) where t[i] != t[i + 1] {  // transposition
            var c = t
            c.swapAt(i, i + 1)
            try consider(c)
        }
        for i in 0..<n {  // replacement
            var c = t
            for l in UInt8(97)...122 where l != t[i] {
                c[i] = l
                try consider(c)
            }
        }
        for i in 0...n {  // insertion
            var c = t
            c.insert(97, at: i)
            for l in UInt8(97)...122 {
                c[i] = l
                try consider(c)
            }
        }
        return bestDF > 0 ? corrected(t, [best]) : nil
    }

    /// `fix` as words, with the note that says what replaced `term`.
    private func corrected(_ term: [UInt8], _ fix: [[UInt8]]) -> [String] {
        let words = fix.map { String(decoding: $0, as: UTF8.self) }
        note(
            "\(String(decoding: term, as: UTF8.self)) matches no article; searched for \(words.joined(separator: " ")) instead"
        )
        return words
    }

    public func prepare(_ node: QueryNode) throws -> BoundQuery {
        notes = []
        wordless = []
        let (rest0, dates, anyOf) = extractDates(node)
        let rest = mergeRepeats(try correctUnknownWords(dropStopwords(rest0)))
        // Synonyms are alternatives of a word, not more words of the query: the whole-query phrase
        // and proximity follow the words as typed.
        var q = try addPhraseBoost(rest, addProximity(rest, try atLeast(bind(withSynonyms(rest)))))
        // A query that is nothing because its words hold no letter or digit (`""`, `...`, `@#$`)
        // says so, rather than finding nothing silently.
        if q.matchesNothing && !wordless.isEmpty {
            let parts = wordless.prefix(3).joined(separator: ", ")
            note(
                "\(parts) \(wordless.count == 1 ? "holds" : "hold") no letter or digit: punctuation and symbols are not indexed, so there is nothing to search for"
            )
        }
        for (a, b, x) in dates { q = .date(q, from: a, to: b, excluded: x) }
        if !anyOf.isEmpty { q = .dateAny(q, ranges: anyOf.map { DateBounds(from: $0.0, to: $0.1) }) }
        return q
    }

    /// `q` with `minimumShouldMatch` applied to its optional clauses (when it has two or more):
    /// at least that many of them become one required clause.
    private func atLeast(_ q: BoundQuery) -> BoundQuery {
        guard let mm = minimumShouldMatch, case .boolean(let m, let s, let x) = q, s.count >= 2 else { return q }
        let live = s.filter { !$0.matchesNothing }
        let k = mm.required(of: live.count)
        if k <= 1 { return q }
        if k > live.count {
            note("--min-match \(mm) asks for \(k) of \(live.count) optional clauses: nothing can match")
            return .nothing
        }
        return .boolean(must: m + [.atLeast(k, live)], should: [], mustNot: x)
    }

    // MARK: Scorers

    func scorer(_ q: BoundQuery, _ ctx: ScoringContext) throws -> Scorer {
        switch q {
        case .nothing:
            return EmptyScorer()
        case .term(let key, let w, let slot):
            guard let ti = try ctx.segment.dictionary.lookup(key) else { return EmptyScorer() }
            return TermScorer(cursor: ctx.segment.cursor(ti), weight: w, slot: slot, ctx: ctx)
        case .blend(let keys, let w, let slot):
            var cursors: [PostingsCursor] = []
            for k in keys {
                if let ti = try ctx.segment.dictionary.lookup(k) { cursors.append(ctx.segment.cursor(ti)) }
            }
            if cursors.isEmpty { return EmptyScorer() }
            return BlendScorer(cursors: cursors, weight: w, slot: slot, ctx: ctx)
        case .multiPhrase(let keys, let offsets, let slop, let w, let slot):
            var unions: [UnionCursor] = []
            for alternatives in keys {
                var cursors: [PostingsCursor] = []
                for k in alternatives {
                    if let ti = try ctx.segment.dictionary.lookup(k) { cursors.append(ctx.segment.cursor(ti)) }
                }
                if cursors.isEmpty { return EmptyScorer() }
                unions.append(UnionCursor(cursors))
            }
            return MultiPhraseScorer(unions: unions, offsets: offsets, slop: slop, weight: w, slot: slot, ctx: ctx)
        case .phrase(let keys, let offsets, let slop, let w, let slot):
            var cursors: [PostingsCursor] = []
            for k in keys {
                guard let ti = try ctx.segment.dictionary.lookup(k) else { return EmptyScorer() }
                cursors.append(ctx.segment.cursor(ti))
            }
            return PhraseScorer(cursors: cursors, offsets: offsets, slop: slop, weight: w, slot: slot, ctx: ctx)
        case .near(let a, let b, let d, let o, let w, let slot):
            return NearScorer(
                a: try scorer(a, ctx), b: try scorer(b, ctx), distance: d, ordered: o, weight: w, slot: slot, ctx: ctx)
        case .or(let children):
            let s = try children.map { try scorer($0, ctx) }
            if s.count == 1 { return s[0] }
            if BoundQuery.unquotedWordStem(children) != nil, let lead = s[0] as? TermScorer {
                return WordScorer(lead: lead, rest: s.dropFirst().compactMap { $0 as? TermScorer }, all: s)
            }
            return OrScorer(s)
        case .boolean(let must, let should, let not):
            let ms = try must.map { try scorer($0, ctx) }
            let ss = try should.map { try scorer($0, ctx) }
            let ns = try not.map { try scorer($0, ctx) }
            let required: Scorer
            var optional: Scorer?
            if ms.isEmpty {
                required = ss.count == 1 ? ss[0] : OrScorer(ss)
            } else {
                required = ms.count == 1 ? ms[0] : AndScorer(ms)
                if !ss.isEmpty { optional = ss.count == 1 ? ss[0] : OrScorer(ss) }
            }
            if ns.isEmpty && optional == nil { return required }
            return BooleanScorer(
                required: required, optional: optional,
                excluded: ns.isEmpty ? nil : (ns.count == 1 ? ns[0] : OrScorer(ns)))
        case .atLeast(let k, let children):
            return AtLeastScorer(try children.map { try scorer($0, ctx) }, k: k)
        case .dateAny(let child, let ranges):
            return DateUnionScorer(
                child: try scorer(child, ctx), segment: ctx.segment,
                ranges: ranges.compactMap { DateColumn.range(from: $0.from, to: $0.to) })
        case .date(let child, let from, let to, let excluded):
            return DateFilterScorer(
                child: try scorer(child, ctx), segment: ctx.segment, from: from, to: to, excluded: excluded)
        case .all:
            return AllScorer(documentCount: ctx.segment.documentCount)
        case .present(let slot):
            let seg = ctx.segment
            var bits = [UInt64](repeating: 0, count: (seg.documentCount + 63) / 64)
            var any = false
            for d in 0..<Int32(seg.documentCount) where seg.length(d, slot: slot) > 0 {
                bits[Int(d) >> 6] |= 1 << (UInt64(d) & 63)
                any = true
            }
            return any ? DocSetScorer(bits) : EmptyScorer()
        case .anyOf(let keys):
            // Every document of every key, once, in a bit set.
            var bits = [UInt64](repeating: 0, count: (ctx.segment.documentCount + 63) / 64)
            var any = false
            for info in try ctx.segment.dictionary.lookup(all: keys) {
                guard let ti = info else { continue }
                let c = ctx.segment.cursor(ti)
                var d = c.next()
                while d != PostingsCursor.end {
                    bits[Int(d) >> 6] |= 1 << (UInt64(d) & 63)
                    d = c.next()
                }
                any = true
            }
            return any ? DocSetScorer(bits) : EmptyScorer()
        }
    }

    /// Ranks documents for `query`: the best `limit` hits (score descending, then document
    /// order). With `exactTotal`, every match is scored and counted; without it, top-k pruning
    /// (block-max, MaxScore) skips documents that cannot make the top `limit`, and `total` only
    /// counts the documents that were scored (a lower bound).
    public func search(_ query: BoundQuery, limit: Int, exactTotal: Bool = true) throws -> SearchResult {
        let avg = (0..<IndexField.lengthSlots).map { reader.averageLength(slot: $0) }
        var heap = TopK(limit)
        var total = 0
        for seg in reader.segments {
            let ctx = ScoringContext(segment: seg, bm25: bm25, avgLength: avg)
            let s = try scorer(query, ctx)
            if exactTotal {
                total += TopKCollectors.exhaustive(s, segment: seg, into: &heap)
            } else {
                total += TopKCollectors.collect(s, segment: seg, into: &heap)
            }
        }
        var r = SearchResult(hits: heap.sorted(), total: total, notes: notes)
        r.totalIsExact = exactTotal
        return r
    }

    /// The best `limit` hits with the exact total, by the cheaper way: top-k pruning, then a
    /// count of the matches without scores; or, where counting would read positions (a phrase
    /// or NEAR that every match must pass), one pass scoring every match — two passes through
    /// the positions would cost more.
    public func searchWithExactTotal(_ query: BoundQuery, limit: Int) throws -> SearchResult {
        let counted = query.forCounting
        if counted.readsPositions { return try search(query, limit: limit, exactTotal: true) }
        var r = try search(query, limit: limit, exactTotal: false)
        r.total = try count(counted: counted)
        r.totalIsExact = true
        return r
    }

    /// The best `limit` hits by date (`newestFirst`, else oldest first; undated articles last),
    /// then score, then document order: every match is scored and counted.
    public func searchByDate(_ query: BoundQuery, limit: Int, newestFirst: Bool) throws -> SearchResult {
        let avg = (0..<IndexField.lengthSlots).map { reader.averageLength(slot: $0) }
        // Ordered by key: a date's seconds (negated for newest first; undated after every date).
        var found: [(key: Int64, score: Float, doc: Int)] = []
        var total = 0
        func worse(_ a: (key: Int64, score: Float, doc: Int), _ b: (key: Int64, score: Float, doc: Int)) -> Bool {
            if a.key != b.key { return a.key > b.key }
            if a.score != b.score { return a.score < b.score }
            return a.doc > b.doc
        }
        for seg in reader.segments {
            let s = try scorer(query, ScoringContext(segment: seg, bm25: bm25, avgLength: avg))
            var d = s.next()
            while d != PostingsCursor.end {
                if !seg.isDeleted(d) {
                    total += 1
                    let t = seg.dateSeconds(d)
                    let key = t == DateColumn.undated ? Int64.max : newestFirst ? -t : t
                    found.append((key, s.score(), seg.docBase + Int(d)))
                    // Keep the memory at a few times the limit: drop all but the best `limit`.
                    if found.count >= max(4 * limit, 1024) {
                        found.sort { worse($1, $0) }
                        found.removeSubrange(limit...)
                    }
                }
                d = s.next()
            }
        }
        found.sort { worse($1, $0) }
        let hits = found.prefix(limit).map { Hit(doc: $0.doc, score: $0.score) }
        return SearchResult(hits: Array(hits), total: total, notes: notes)
    }

    /// Every live document matching `query` (global numbers, ascending), without scoring.
    public func matchingDocuments(_ query: BoundQuery) throws -> [Int] {
        var out: [Int] = []
        try forEachMatch(query.forCounting) { out.append($0) }
        return out
    }

    /// The exact number of live documents matching `query`, without scoring.
    public func count(_ query: BoundQuery) throws -> Int { try count(counted: query.forCounting) }

    private func count(counted query: BoundQuery) throws -> Int {
        var total = 0
        try forEachMatch(query) { _ in total += 1 }
        return total
    }

    /// Calls `body` with each live document of `query` (global numbers, ascending), unscored.
    private func forEachMatch(_ query: BoundQuery, _ body: (Int) -> Void) throws {
        let avg = (0..<IndexField.lengthSlots).map { reader.averageLength(slot: $0) }
        for seg in reader.segments {
            let s = try scorer(query, ScoringContext(segment: seg, bm25: bm25, avgLength: avg))
            var d = s.next()
            while d != PostingsCursor.end {
                if !seg.isDeleted(d) { body(seg.docBase + Int(d)) }
                d = s.next()
            }
        }
    }

    /// Positional spans of `query` in one document, for highlighting matches in the index.
    public func spans(_ query: BoundQuery, doc: Int) throws -> [Span] {
        guard let (seg, local) = reader.locate(doc) else { return [] }
        let ctx = ScoringContext(segment: seg, bm25: bm25, avgLength: [1, 1, 1, 1])
        var out: [Span] = []
        try collectSpans(query, ctx, local, into: &out)
        return SpanMatcher.union([out])
    }

    /// Whether a positional clause searches the text or the title.
    static func highlightable(_ q: BoundQuery) -> Bool {
        let fields: Set<UInt8> = [
            IndexField.text.rawValue, IndexField.textStem.rawValue, IndexField.title.rawValue,
            IndexField.titleStem.rawValue,
        ]
        switch q {
        case .term(let key, _, _): return key.first.map(fields.contains) ?? false
        case .blend(let keys, _, _): return keys.first?.first.map(fields.contains) ?? false
        case .multiPhrase(let keys, _, _, _, _): return keys.first?.first?.first.map(fields.contains) ?? false
        case .phrase(let keys, _, _, _, _): return keys.first?.first.map(fields.contains) ?? false
        case .near(let a, let b, _, _, _, _): return highlightable(a) && highlightable(b)
        case .or(let c): return c.allSatisfy(highlightable)
        default: return false
        }
    }

    private func collectSpans(_ q: BoundQuery, _ ctx: ScoringContext, _ doc: Int32, into out: inout [Span]) throws {
        switch q {
        case .term, .phrase, .near, .blend, .multiPhrase:
            // Only matches in the text and title fields are highlighted (a title's positions are
            // the text's first ones); an author's or a source's positions are not the text's.
            guard Searcher.highlightable(q) else { return }
            let s = try scorer(q, ctx)
            if s.matches(doc) { out.append(contentsOf: s.spans()) }
        case .or(let c):
            for x in c { try collectSpans(x, ctx, doc, into: &out) }
        case .boolean(let m, let s, _):
            for x in m + s { try collectSpans(x, ctx, doc, into: &out) }
        case .atLeast(_, let c):
            for x in c { try collectSpans(x, ctx, doc, into: &out) }
        case .date(let c, _, _, _), .dateAny(let c, _):
            try collectSpans(c, ctx, doc, into: &out)
        case .nothing, .anyOf, .all, .present:
            break
        }
    }
}

/// Bounded min-heap keeping the best `k` hits; ties go to the lower document number.
struct TopK {
    private var heap: [Hit] = []
    let k: Int

    init(_ k: Int) { self.k = max(k, 0) }

    @inline(__always)
    private static func worse(_ a: Hit, _ b: Hit) -> Bool {
        a.score != b.score ? a.score < b.score : a.doc > b.doc
    }

    /// Adds a hit if it belongs in the top k. The common case — a full heap and a hit no better
    /// than its worst — returns here, inlined into the collectors' loops.
    @inline(__always)
    mutating func offer(doc: Int, score: Float) {
        if heap.count >= k {
            if k == 0 { return }
            let top = heap[0]
            if score < top.score || (score == top.score && doc >= top.doc) { return }
        }
        insert(doc: doc, score: score)
    }

    private mutating func insert(doc: Int, score: Float) {
        let h = Hit(doc: doc, score: score)
        if heap.count < k {
            heap.append(h)
            var i = heap.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if TopK.worse(heap[i], heap[p]) {
                    heap.swapAt(i, p)
                    i = p
                } else {
                    break
                }
            }
        } else if TopK.worse(heap[0], h) {
            heap[0] = h
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count && TopK.worse(heap[l], heap[m]) { m = l }
                if r < heap.count && TopK.worse(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    var threshold: Float { heap.count < k ? -Float.infinity : heap[0].score }
    var isFull: Bool { k > 0 && heap.count >= k }

    func sorted() -> [Hit] { heap.sorted { TopK.worse($1, $0) } }
}
