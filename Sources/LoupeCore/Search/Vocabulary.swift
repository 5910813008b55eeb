import Foundation

/// The index's vocabulary as `loupe terms` shows it: which words (as written) a field holds, how
/// many articles hold each and how often they occur — what the dictionary and BM25 see (Xapian's
/// `delve`, SQLite's `fts5vocab`, Lucene's terms listing).
///
/// Counts are the index statistics summed over segments, without the articles an update deleted
/// (their segment's `DeletionStats`), which is also what ranking uses.
public struct VocabularyEntry: Sendable, Equatable, Encodable {
    public var word: String
    /// Articles holding the word (document frequency).
    public var articles: Int
    /// Occurrences of the word in all of them (collection frequency).
    public var occurrences: UInt64
}

/// A word's place in the stem space (English analyzer): its stem and the stem's counts, and the
/// indexed words of the same stem — what an unquoted word searches.
public struct StemGroup: Sendable, Equatable, Encodable {
    public var stem: String
    public var articles: Int
    public var occurrences: UInt64
    /// The words as written whose stem this is (the word itself among them when indexed), most
    /// articles first.
    public var forms: [VocabularyEntry]
    /// Hyphenated pairs and dotted initials that close up to one of those words (`cease-fire` for
    /// `ceasefire`, `u.k.` for `uk`): the index counts them in the stem too, so the stem's
    /// articles may outnumber its words'.
    public var joinedForms: [String] = []
    /// The acronym in capitals that the word spells (`US` for `us`: `US` beside lower-case words,
    /// and `U.S.`), which the stem space counts apart and `find US` typed in capitals searches.
    public var acronym: VocabularyEntry?
}

public enum VocabularySort: String, Sendable, CaseIterable {
    /// Most articles first (then occurrences, then byte order).
    case articles
    /// Byte order of the words (as the dictionary keeps them).
    case word
}

extension Searcher {
    /// The counts of `term` (analysed) in field `f`, summed over the segments.
    func counts(_ f: IndexField, _ term: [UInt8]) throws -> (articles: Int, occurrences: UInt64) {
        var df = 0
        var cf: UInt64 = 0
        let key = [f.rawValue] + term
        for s in reader.segments {
            if let i = try s.dictionary.lookup(key) {
                let c = try s.liveCounts(key, i)
                df += c.docs
                cf += c.occurrences
            }
        }
        return (df, cf)
    }

    static func entry(_ term: [UInt8], _ c: (articles: Int, occurrences: UInt64)) -> VocabularyEntry {
        VocabularyEntry(word: String(decoding: term, as: UTF8.self), articles: c.articles, occurrences: c.occurrences)
    }

    public static func sorted(_ entries: [VocabularyEntry], by order: VocabularySort) -> [VocabularyEntry] {
        switch order {
        case .word:
            return entries.sorted { $0.word.utf8.lexicographicallyPrecedes($1.word.utf8) }
        case .articles:
            return entries.sorted {
                if $0.articles != $1.articles { return $0.articles > $1.articles }
                if $0.occurrences != $1.occurrences { return $0.occurrences > $1.occurrences }
                return $0.word.utf8.lexicographicallyPrecedes($1.word.utf8)
            }
        }
    }

    /// The dictionary space of `field`'s words as written; an error for `id:` (ids are no words).
    private func wordSpace(_ field: FieldRef) throws -> IndexField {
        guard field != .id else { throw QueryError(message: "terms lists words; ids are not words (see loupe show)") }
        return field.exactField
    }

    /// Every word of `field` (as written) with its counts, in `order`; with `limit`, only the first
    /// that many of that order (the whole dictionary of the field is read either way).
    public func vocabulary(field: FieldRef, order: VocabularySort, limit: Int?) throws -> (
        entries: [VocabularyEntry], total: Int
    ) {
        let f = try wordSpace(field)
        var found: [[UInt8]: (Int, UInt64)] = [:]
        var inOrder: [([UInt8], Int, UInt64)] = []
        let single = reader.segments.count == 1
        for s in reader.segments {
            let live = try s.liveCountsWalk()
            try s.dictionary.scan(prefix: [f.rawValue]) { k, info in
                let c = try live.counts(k, info)
                guard c.docs > 0 else { return true }  // only in deleted articles
                let t = Array(k.dropFirst())
                if single {
                    inOrder.append((t, c.docs, c.occurrences))
                } else {
                    let old = found[t] ?? (0, 0)
                    found[t] = (old.0 + c.docs, old.1 + c.occurrences)
                }
                return true
            }
        }
        if !single { inOrder = found.map { ($0.key, $0.value.0, $0.value.1) } }
        let total = inOrder.count
        switch order {
        case .word:
            if !single { inOrder.sort { $0.0.lexicographicallyPrecedes($1.0) } }
        case .articles:
            func before(_ a: ([UInt8], Int, UInt64), _ b: ([UInt8], Int, UInt64)) -> Bool {
                if a.1 != b.1 { return a.1 > b.1 }
                if a.2 != b.2 { return a.2 > b.2 }
                return a.0.lexicographicallyPrecedes(b.0)
            }
            if let limit, limit < inOrder.count {
                // The best `limit` only: a bounded selection instead of sorting the dictionary.
                var best: [([UInt8], Int, UInt64)] = []
                best.reserveCapacity(limit + 1)
                for e in inOrder {
                    if best.count == limit, let last = best.last, !before(e, last) { continue }
                    var lo = 0
                    var hi = best.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if before(e, best[mid]) { hi = mid } else { lo = mid + 1 }
                    }
                    best.insert(e, at: lo)
                    if best.count > limit { best.removeLast() }
                }
                inOrder = best
            } else {
                inOrder.sort(by: before)
            }
        }
        let shown = limit.map { inOrder.prefix($0) } ?? inOrder[...]
        return (shown.map { Searcher.entry($0.0, ($0.1, $0.2)) }, total)
    }

    /// The words of its field that a word pattern matches, as `find` expands it: a prefix
    /// (`harb*`), wildcard (`te?t`), regular expression (`/colou?r/`), term range (`[a TO c]`) or
    /// fuzzy word (`malikki~1`, the closest 50); the field is the pattern's (`title:harb*`). Notes
    /// (a capped expansion, a bad pattern) are in `notes`.
    public func vocabulary(matching node: QueryNode) throws -> [VocabularyEntry] {
        let field: FieldRef
        switch node {
        case .prefix(_, let f), .wildcard(_, let f), .regex(_, let f), .termRange(_, _, _, _, let f),
            .fuzzy(_, let f, _):
            field = f
        default:
            throw QueryError(
                message:
                    "terms takes one word or pattern: harb*, te?t, /colou?r/, [a TO c] or word~1 (a field first: title:harb*)"
            )
        }
        let f = try wordSpace(field)
        let keys = try bind(node).patternKeys
        var seen = Set<[UInt8]>()
        var out: [VocabularyEntry] = []
        for k in keys where k.first == f.rawValue && seen.insert(k).inserted {
            let t = Array(k.dropFirst())
            out.append(Searcher.entry(t, try counts(f, t)))
        }
        return out
    }

    /// A word (as typed; analysed as `find` analyses it) in `field`: each of its terms as written
    /// with its counts (zero when not indexed) and, with the English analyzer in the text or title,
    /// its stem group — the indexed words an unquoted word also finds.
    public func vocabulary(word: String, field: FieldRef) throws -> [(entry: VocabularyEntry, stem: StemGroup?)] {
        let f = try wordSpace(field)
        var out: [(VocabularyEntry, StemGroup?)] = []
        for t in analyzedTerms(word) {
            var group: StemGroup?
            if let stemmer, let sf = f.stemmed {
                let s = stemmer.stemUnified(t)
                let c = try counts(sf, s)
                let words = Searcher.sorted(try forms(of: s, in: f, stemmer: stemmer), by: .articles)
                group = StemGroup(
                    stem: String(decoding: s, as: UTF8.self), articles: c.articles, occurrences: c.occurrences,
                    forms: words,
                    joinedForms: try joinedForms(closingUpTo: words.map { Array($0.word.utf8) } + [t], in: f))
                if let a = Analyzer.acronymTerm(t) {
                    let c = try counts(sf, a)
                    if c.articles > 0 { group?.acronym = Searcher.entry(a, c) }
                }
            }
            out.append((Searcher.entry(t, try counts(f, t)), group))
        }
        return out
    }

    /// The hyphenated pairs and dotted initials of field `f` that close up to one of `words` (the
    /// first three and the word asked for): each split of a word into two indexed words, or into
    /// its letters, that stand together in some article (`cease` `fire`, `u` `k`; `em` `ail` do
    /// not), written with hyphen or dots.
    private func joinedForms(closingUpTo words: [[UInt8]], in f: IndexField) throws -> [String] {
        var out: [String] = []
        var tried = Set<[UInt8]>()
        func together(_ parts: [[UInt8]]) throws -> Bool {
            for p in parts where try reader.docFreq(f, p) == 0 { return false }
            return try count(
                .phrase(
                    keys: parts.map { [f.rawValue] + $0 }, offsets: (0..<parts.count).map { Int32($0) }, slop: 0,
                    weight: 1, slot: f.lengthSlot)) > 0
        }
        for w in words.prefix(3) + words.suffix(1) where w.count >= 2 && tried.insert(w).inserted {
            let letters = w.allSatisfy({ $0 &- 0x61 < 26 }) && Analyzer.closedInitialism(w) == w
            // (Two letters together are told as initials: the phrase does not tell `u-k` from `u.k.`.)
            for k in 1..<w.count where !(letters && w.count == 2) {
                let a = Array(w[..<k])
                let b = Array(w[k...])
                // Split between two bytes of one character, or into halves that make no pair.
                guard Analyzer.closedCompound(a, b) == w,
                    String(validating: a, as: UTF8.self) != nil, String(validating: b, as: UTF8.self) != nil
                else { continue }
                if try together([a, b]) {
                    out.append(String(decoding: a, as: UTF8.self) + "-" + String(decoding: b, as: UTF8.self))
                }
            }
            if letters, try together(w.map { [$0] }) {
                out.append(w.map { String(UnicodeScalar($0)) + "." }.joined())
            }
        }
        return out
    }

    /// The words of field `f` whose unified stem is `stem`. A stem keeps its word's first letter,
    /// but for the British `ae`/`oe` at the start (`aesthetic`, `oestrogen`, unified without the
    /// first letter), so only the words under those prefixes are stemmed.
    private func forms(of stem: [UInt8], in f: IndexField, stemmer: EnglishStemmer) throws -> [VocabularyEntry] {
        guard let first = stem.first else { return [] }
        var prefixes: [[UInt8]] = [[first]]
        if first == UInt8(ascii: "e") { prefixes += [Array("ae".utf8), Array("oe".utf8)] }
        var found: [[UInt8]: (Int, UInt64)] = [:]
        for s in reader.segments {
            for p in prefixes {
                try s.dictionary.scan(prefix: [f.rawValue] + p) { k, info in
                    let t = Array(k.dropFirst())
                    if stemmer.stemUnified(t) == stem {
                        let c = try s.liveCounts(k, info)
                        guard c.docs > 0 else { return true }
                        let old = found[t] ?? (0, 0)
                        found[t] = (old.0 + c.docs, old.1 + c.occurrences)
                    }
                    return true
                }
            }
        }
        return found.map { Searcher.entry($0.key, $0.value) }
    }
}

/// A word that sets a set of articles apart from the archive (`loupe terms --in QUERY`).
public struct SignificantWord: Sendable, Equatable, Encodable {
    public var word: String
    /// Articles of the set holding it (estimated from the sample when only a sample was read).
    public var articles: Int
    /// Articles of the whole archive holding it (the index's document frequency).
    public var archive: Int
    /// Log-likelihood ratio (G²) of its share in the set against its share in the rest.
    public var score: Double
}

public struct SignificantWords: Sendable {
    public var words: [SignificantWord]
    /// Articles in the set, and how many of them were read.
    public var articles: Int
    public var read: Int
}

extension Searcher {
    /// The words (as written) that set the articles `docs` apart from the rest of the archive:
    /// Elasticsearch's significant_terms, scored by Dunning's log-likelihood ratio (G², 1993) of
    /// the 2×2 table (articles of the set / of the rest, with / without the word), over-represented
    /// words only. G² weighs both how much more often the set holds a word and how many articles
    /// that is, so a word three articles of the set share does not outrank the word most of them
    /// share for being rarer (JLH, Elasticsearch's default, ranks by the ratio first). Words in
    /// fewer than `minArticles` of the set, one-letter words and, with the English analyzer,
    /// function words (`Searcher.englishFunctionWords`) are left out. At most `sample` articles
    /// are read (spread evenly over `docs`), their counts scaled to the set. `field`: the text (titles and bodies) or the titles.
    public func significantWords(
        in docs: [Int], field: FieldRef = .text, limit: Int, minArticles: Int = 3, sample: Int = 10_000
    ) throws -> SignificantWords {
        guard field == .text || field == .title else {
            throw QueryError(
                message: "terms --in compares the words of the text or of the titles (--field text or title)")
        }
        let n = reader.documentCount
        let chosen: [Int]
        if docs.count > sample {
            chosen = (0..<sample).map { docs[$0 * docs.count / sample] }
        } else {
            chosen = docs
        }
        let analyzer = Analyzer(reader.analyzer)
        var words = TermIntern(capacity: 1 << 14)
        var inArticles: [Int32] = []
        var lastSeen: [Int32] = []
        for (i, doc) in chosen.enumerated() {
            let a = try reader.article(doc)
            func count(_ text: String) {
                analyzer.analyze(text) { tok in
                    let (id, added) = words.intern(tok.term)
                    if added {
                        inArticles.append(0)
                        lastSeen.append(-1)
                    }
                    if lastSeen[id] != Int32(i) {
                        lastSeen[id] = Int32(i)
                        inArticles[id] += 1
                    }
                }
            }
            count(a.title)
            if field == .text { count(a.body) }
        }
        let scale = chosen.isEmpty ? 1 : Double(docs.count) / Double(chosen.count)
        let set = Double(docs.count)
        let rest = Double(max(n - docs.count, 0))
        let english = reader.analyzer == .english
        let f = field.exactField
        var out: [SignificantWord] = []
        for id in 0..<words.count where Int(inArticles[id]) >= minArticles {
            let t = words.term(id)
            if t.count < 2 && t.allSatisfy({ $0 < 0x80 }) { continue }
            let w = String(decoding: t, as: UTF8.self)
            if english && Searcher.englishFunctionWords.contains(w) { continue }
            let df = try reader.docFreq(f, t)
            // The set's articles with the word (estimated), within what the archive holds.
            let a = min(Double(inArticles[id]) * scale, Double(max(df, Int(inArticles[id]))), set)
            let c = max(Double(df) - a, 0)  // the rest's
            guard rest > 0, a / set > c / rest else { continue }
            out.append(
                SignificantWord(
                    word: w, articles: Int(a.rounded()), archive: df,
                    score: Searcher.logLikelihood(a: a, b: set - a, c: c, d: rest - c)))
        }
        out.sort { $0.score != $1.score ? $0.score > $1.score : $0.word.utf8.lexicographicallyPrecedes($1.word.utf8) }
        return SignificantWords(words: Array(out.prefix(limit)), articles: docs.count, read: chosen.count)
    }

    /// G² of the 2×2 table [[a, b], [c, d]]: 2 Σ O ln(O / E).
    static func logLikelihood(a: Double, b: Double, c: Double, d: Double) -> Double {
        let total = a + b + c + d
        guard total > 0 else { return 0 }
        func term(_ o: Double, _ row: Double, _ col: Double) -> Double {
            let e = row * col / total
            return o > 0 && e > 0 ? o * log(o / e) : 0
        }
        return 2 * (term(a, a + b, a + c) + term(b, a + b, b + d) + term(c, c + d, a + c) + term(d, c + d, b + d))
    }
}
