import Foundation

/// "More like this": the articles most related to a given one.
///
/// 1. Term selection: the source's words (title and body, the index's analysis, stemmed where
///    the index stems) are weighted by their BM25 weight in the source itself —
///    `idf × tf normalisation` with the source's length — rather than raw tf·idf, which lets
///    frequent words leak in (BM25's idf already makes very common words worth little). Title
///    words count `titleBoost` times. Stopwords, one-character terms, pure numbers, and terms in
///    fewer than `minDocFreq` documents (or, if set below 1, in more than `maxDocFraction` of
///    them) are skipped. The best `maxTerms` form the query.
/// 2. The query is an ordinary ranked disjunction over those terms, each weighted by its
///    selection weight — `idf × tf normalisation in the source` — so that a candidate's score is
///    the sum over shared words of idf × (source tf part) × (candidate tf part), run with the
///    normal BM25 machinery. (`boostByWeight` off: idf alone, as MoreLikeThis without boost.)
/// 3. Relevance feedback (`feedbackDocs`, default 15): the best first-round matches add their
///    own words — each article's word weights scaled to unit length, the feedback articles
///    together worth `feedbackWeight` (1.5) times the source — and the `maxTerms` best words of
///    the sum are searched again. Words the story's neighbours share (its subject) gain on words
///    only the source has (names, one-off details). Measured with `Scripts/eval-related`:
///    Reuters-21578 TOPICS P@10 0.726 → 0.747, 20 Newsgroups 0.776 → 0.784.
///    Each word also matches the candidates' titles, worth the searcher's title weight (0.25)
///    extra, as in `find` (Reuters 0.747 either way, 20 Newsgroups 0.784 → 0.792).
/// 4. The source itself is excluded; copies of one story (same text, near-identical bodies —
///    estimated Jaccard similarity of the bodies' word 4-shingles at least `copyThreshold`) are grouped under
///    their best-ranked member. Copies of the source are set apart.
public struct RelatedOptions: Sendable {
    public var maxTerms = 60
    public var minDocFreq = 2
    public var maxDocFraction: Double = 1.0
    public var titleBoost: Float = 2
    public var copyThreshold: Double = 0.8
    /// Favour articles dated near the source: a hit's score is divided by
    /// `1 + |days apart| / dateScaleDays` (nil: no date preference). Undated articles are not
    /// penalised.
    public var dateScaleDays: Double?
    /// Weight each query word by its selection weight (idf × tf normalisation in the source); off:
    /// every selected word counts by its idf alone, as in Lucene's MoreLikeThis without boost.
    public var boostByWeight = true
    /// Keep only articles dated within this many seconds of the source (nil: no window).
    public var window: Double?
    public var limit = 10
    /// Relevance feedback: the best `feedbackDocs` first-round matches add their words to the
    /// query, together worth `feedbackWeight` times the source (each article's word weights
    /// scaled to unit length first). 0 turns it off.
    public var feedbackDocs = 15
    public var feedbackWeight: Float = 1.5
    /// Topic blend: when the index has a topic model (`TopicModel`), the candidates are
    /// re-ranked by `score + topicWeight × best score × cos(source, candidate)` in topic space.
    /// 0 turns it off.
    public var topicWeight: Float = 1.5

    public init() {}
}

public struct RelatedHit: Sendable {
    public var doc: Int
    public var score: Float
    /// Shared terms that contributed most, best first, with their contribution.
    public var why: [(term: String, score: Float)]
    /// Other articles that are copies of this one (global document numbers).
    public var copies: [Int]
}

public struct RelatedResult: Sendable {
    public var terms: [(term: String, weight: Float)]
    public var hits: [RelatedHit]
    public var copiesOfSource: [Int]
    public var notes: [String]
}

public final class RelatedFinder {
    public let searcher: Searcher
    public var options: RelatedOptions
    private let analyzer: Analyzer
    private let stemmer: EnglishStemmer?

    public init(searcher: Searcher, options: RelatedOptions = RelatedOptions()) {
        self.searcher = searcher
        self.options = options
        analyzer = Analyzer(searcher.reader.analyzer)
        stemmer = searcher.reader.analyzer == .english ? EnglishStemmer() : nil
    }

    private var field: IndexField { stemmer != nil ? .textStem : .text }

    /// A candidate's word vector (feedback, topics) reads at most this much of its body: a long
    /// article's subject shows in its first pages, and Wikipedia-length candidates cost 5–10 ms
    /// a call otherwise.
    static let candidateBodyBytes = 8192

    /// Word vectors of this call's candidates (feedback articles are usually among the final
    /// candidates, so the topic blend finds most of them made), and the source's.
    private var vectors: [Int: [[UInt8]: Float]] = [:]
    private var sourceVectorCache: [[UInt8]: Float]?

    private func candidateVector(_ doc: Int, _ article: Article?) throws -> [[UInt8]: Float] {
        if let v = vectors[doc] { return v }
        var a = try article ?? searcher.reader.article(doc)
        if a.body.utf8.count > RelatedFinder.candidateBodyBytes {
            a.body = String(decoding: a.body.utf8.prefix(RelatedFinder.candidateBodyBytes), as: UTF8.self)
        }
        let v = try unitVector(a, inIndex: true)
        vectors[doc] = v
        return v
    }

    private func sourceVector(_ source: Article, _ sourceDoc: Int?) throws -> [[UInt8]: Float] {
        if let v = sourceVectorCache { return v }
        let v = try unitVector(source, inIndex: sourceDoc != nil)
        sourceVectorCache = v
        return v
    }

    /// The index's topic model, read on first use (nil: none, or off).
    private lazy var topics: TopicModel? =
        options.topicWeight > 0 ? TopicModel.load(directory: searcher.reader.directory) : nil

    /// Surface form shown for each selected (possibly stemmed) term: the source's most frequent
    /// word with that stem.
    private var display: [[UInt8]: String] = [:]

    /// Every eligible term of an article with its selection weight and idf: (term bytes, weight, idf).
    func weightedTerms(_ a: Article, inIndex: Bool = true, keepForms: Bool = true) throws -> [([UInt8], Float, Float)] {
        // The source's own occurrence counts in df when it is in the index.
        let minDf = max(1, options.minDocFreq - (inIndex ? 0 : 1))
        // Term frequencies in first-occurrence order: every later sum over them (a vector's
        // length, feedback weights) then adds in the same order in every process (a Dictionary's
        // iteration order changes from run to run, and with it the last bits of a float sum).
        var slot: [[UInt8]: Int] = [:]
        var keys: [[UInt8]] = []
        var tfs: [Float] = []
        var forms: [[UInt8]: [[UInt8]: Int]] = [:]
        var length = 0
        func add(_ text: String, _ w: Float) {
            analyzer.analyze(text) { tok in
                length += 1
                let exact = Array(tok.term)
                if exact.count < 2 || exact.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return }
                if Searcher.englishStopwords.contains(String(decoding: exact, as: UTF8.self)) { return }
                let key: [UInt8]
                if let s = stemCache[exact] {
                    key = s
                } else {
                    key = stemmer?.stemUnified(exact) ?? exact
                    stemCache[exact] = key
                }
                if let i = slot[key] {
                    tfs[i] += w
                } else {
                    slot[key] = keys.count
                    keys.append(key)
                    tfs.append(w)
                }
                if keepForms { forms[key, default: [:]][exact, default: 0] += 1 }
            }
        }
        add(a.title, options.titleBoost)
        add(Dateline.stripped(a.body), 1)  // a wire dateline names a place, not the subject
        let n = max(searcher.reader.documentCount, 1)
        let avg = searcher.reader.averageLength(slot: 0)
        var scored: [([UInt8], Float, Float)] = []
        for (t, f) in zip(keys, tfs) {
            let df: Int
            if let d = dfCache[t] {
                df = d
            } else {
                df = try searcher.reader.docFreq(field, t)
                dfCache[t] = df
            }
            if df < minDf || Double(df) > options.maxDocFraction * Double(n) { continue }
            let idf = BM25.idf(docFreq: df, documents: max(n, df))
            let w = idf * searcher.bm25.tfNorm(f, length: Float(length), avgLength: avg)
            scored.append((t, w, idf))
        }
        if keepForms { lastForms = forms }
        return scored
    }

    private var stemCache: [[UInt8]: [UInt8]] = [:]
    private var dfCache: [[UInt8]: Int] = [:]
    private var lastForms: [[UInt8]: [[UInt8]: Int]] = [:]

    /// Selected query terms for an article: (term bytes, selection weight, idf).
    func selectTerms(_ a: Article, inIndex: Bool = true) throws -> [([UInt8], Float, Float)] {
        var scored = try weightedTerms(a, inIndex: inIndex)
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lexicographicallyPrecedes($1.0) }
        let top = Array(scored.prefix(options.maxTerms))
        display = [:]
        for (t, _, _) in top {
            let best =
                lastForms[t]?.max {
                    $0.value != $1.value
                        ? $0.value < $1.value
                        : $0.key.count != $1.key.count
                            ? $0.key.count > $1.key.count : $1.key.lexicographicallyPrecedes($0.key)
                }?.key ?? t
            display[t] = String(decoding: best, as: UTF8.self)
        }
        return top
    }

    /// Bottom-k MinHash sketch of word 4-shingles of a text.
    static func sketch(_ text: String, analyzer: Analyzer, k: Int = 64) -> [UInt64] {
        var words: [UInt64] = []
        analyzer.analyze(text) { tok in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in tok.term {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            words.append(h)
        }
        var shingles = Set<UInt64>()
        if words.count < 4 {
            shingles.insert(words.reduce(0x9E37_79B9_7F4A_7C15) { ($0 ^ $1) &* 0xff51_afd7_ed55_8ccd })
        } else {
            for i in 0...(words.count - 4) {
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                for j in 0..<4 { h = (h ^ words[i + j]) &* 0xff51_afd7_ed55_8ccd }
                shingles.insert(h ^ (h >> 29))
            }
        }
        return Array(shingles.sorted().prefix(k))
    }

    /// Estimated Jaccard similarity of two bottom-k sketches.
    static func similarity(_ a: [UInt64], _ b: [UInt64]) -> Double {
        if a.isEmpty || b.isEmpty { return 0 }
        let k = min(64, max(a.count, b.count))
        var i = 0
        var j = 0
        var seen = 0
        var common = 0
        while seen < k && (i < a.count || j < b.count) {
            if j >= b.count || (i < a.count && a[i] < b[j]) {
                i += 1
            } else if i >= a.count || b[j] < a[i] {
                j += 1
            } else {
                common += 1
                i += 1
                j += 1
            }
            seen += 1
        }
        return Double(common) / Double(max(seen, 1))
    }

    /// Formatters are costly to make: one of each per finder.
    private let dateTimeFormat = ISO8601DateFormatter()
    private let dayFormat: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f
    }()

    func parseDate(_ iso: String?) -> Date? {
        guard let s = iso else { return nil }
        return (s.count == 10 ? dayFormat : dateTimeFormat).date(from: s)
    }

    /// An article's weighted terms scaled to unit length (so that a long feedback article does
    /// not outweigh a short source).
    func unitVector(_ a: Article, inIndex: Bool) throws -> [[UInt8]: Float] {
        let v = try weightedTerms(a, inIndex: inIndex, keepForms: false)
        var norm: Float = 0
        for x in v { norm += x.1 * x.1 }
        norm = max(norm.squareRoot(), 1e-9)
        var d: [[UInt8]: Float] = [:]
        d.reserveCapacity(v.count)
        for x in v { d[x.0] = x.1 / norm }
        return d
    }

    /// Articles related to `source`; `sourceDoc` (if it is in the index) is excluded.
    public func related(to source: Article, sourceDoc: Int?) throws -> RelatedResult {
        vectors = [:]
        sourceVectorCache = nil
        var notes: [String] = []
        let selected = try selectTerms(source, inIndex: sourceDoc != nil)
        let sourceForms = display
        if selected.isEmpty {
            return RelatedResult(terms: [], hits: [], copiesOfSource: [], notes: ["no distinctive words to search for"])
        }
        let f = field
        var window: (Date, Double)?
        if let w = options.window {
            if let d = parseDate(source.date) {
                window = (d, w)
            } else {
                notes.append("the source has no date: --window ignored")
            }
        }
        // The query: (term, weight), best first.
        var terms: [([UInt8], Float)] = selected.map { ($0.0, options.boostByWeight ? $0.1 : $0.2) }
        // Each word also matches candidates' titles, a `titleWeight` (the searcher's) extra.
        let tw = searcher.titleWeight
        let tfield: IndexField = f == .textStem ? .titleStem : .title
        func bound(_ t: [([UInt8], Float)]) -> BoundQuery {
            if tw > 0 {
                return .or(
                    t.map {
                        .or([
                            .term(key: [f.rawValue] + $0.0, weight: $0.1, slot: 0),
                            .term(key: [tfield.rawValue] + $0.0, weight: $0.1 * tw, slot: 1),
                        ])
                    })
            }
            return .or(t.map { .term(key: [f.rawValue] + $0.0, weight: $0.1, slot: 0) })
        }
        if options.feedbackDocs > 0 {
            // Relevance feedback: the best first-round matches add their own words, so that the
            // words the story's neighbours share (its subject) gain on words only the source has.
            let first = try searcher.search(bound(terms), limit: options.feedbackDocs + 1, exactTotal: false)
            var acc = try sourceVector(source, sourceDoc)
            let each = options.feedbackWeight / Float(options.feedbackDocs)
            for h in first.hits.filter({ $0.doc != sourceDoc }).prefix(options.feedbackDocs) {
                for (t, w) in try candidateVector(h.doc, nil) { acc[t, default: 0] += each * w }
            }
            terms = acc.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
                .prefix(options.maxTerms).map { ($0.key, $0.value) }
        }
        let query = bound(terms)
        let names = terms.map { sourceForms[$0.0] ?? String(decoding: $0.0, as: UTF8.self) }
        // Enough candidates to fill the page after grouping copies and the window filter; more
        // when copies or the window took too many.
        var want = window == nil ? options.limit * 2 + 10 : max(options.limit * 4 + 10, 500)
        while true {
            let (hits, copiesOfSource, full) = try rank(
                query, want: want, window: window, source: source, sourceDoc: sourceDoc)
            if hits.count < options.limit && full && want < 100_000 {
                want *= 8
                continue
            }
            var out: [RelatedHit] = []
            let shares = try contributions(query, names: names, docs: hits.map(\.doc))
            for var h in hits {
                // Why: the shared words — query words of the source itself — that contributed most.
                h.why = Array(
                    (shares[h.doc] ?? []).filter { sourceForms[$0.key] != nil }.prefix(5).map { ($0.term, $0.score) })
                out.append(h)
            }
            return RelatedResult(
                terms: zip(names, terms).map { ($0, $1.1) }, hits: out, copiesOfSource: copiesOfSource, notes: notes)
        }
    }

    /// The best `want` matches of `query`, filtered by the window, date-scaled, and grouped into
    /// copies; `full` when the search returned all `want` (more may exist).
    private func rank(
        _ query: BoundQuery, want: Int, window: (Date, Double)?, source: Article, sourceDoc: Int?
    ) throws -> ([RelatedHit], [Int], Bool) {
        var result = try searcher.search(query, limit: want, exactTotal: false)
        let full = result.hits.count >= want
        if let (center, span) = window {
            result.hits = try result.hits.filter { h in
                guard let d = parseDate(try searcher.reader.articleDate(h.doc)) else { return false }
                return abs(d.timeIntervalSince(center)) <= span
            }
        }
        // Copies are judged on the body (syndicated copies often retitle a story).
        func text(_ a: Article) -> String { a.body.isEmpty ? a.title : a.body }
        let sourceSketch = RelatedFinder.sketch(text(source), analyzer: analyzer)
        if let scale = options.dateScaleDays, let center = parseDate(source.date) {
            var rescored: [Hit] = []
            for h in result.hits {
                var hit = h
                if let d = parseDate(try searcher.reader.articleDate(h.doc)) {
                    hit.score = h.score / Float(1 + abs(d.timeIntervalSince(center)) / 86400 / scale)
                }
                rescored.append(hit)
            }
            result.hits = rescored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.doc < $1.doc }
        }
        // Each candidate read once: for the topic blend and for copy detection.
        var articles: [Int: Article] = [:]
        for h in result.hits where h.doc != sourceDoc { articles[h.doc] = try searcher.reader.article(h.doc) }
        if let model = topics, let best = result.hits.first(where: { $0.doc != sourceDoc })?.score, best > 0 {
            let zs = model.project(try sourceVector(source, sourceDoc))
            if !zs.isEmpty {
                let lambda = options.topicWeight * best
                var blended: [Hit] = []
                for h in result.hits {
                    var hit = h
                    if let a = articles[h.doc] {
                        hit.score += lambda * TopicModel.cosine(zs, model.project(try candidateVector(h.doc, a)))
                    }
                    blended.append(hit)
                }
                result.hits = blended.sorted { $0.score != $1.score ? $0.score > $1.score : $0.doc < $1.doc }
            }
        }
        var hits: [RelatedHit] = []
        var sketches: [[UInt64]] = []
        var copiesOfSource: [Int] = []
        for h in result.hits where h.doc != sourceDoc {
            guard let a = articles[h.doc] else { continue }
            let sk = RelatedFinder.sketch(text(a), analyzer: analyzer)
            if RelatedFinder.similarity(sk, sourceSketch) >= options.copyThreshold {
                copiesOfSource.append(h.doc)
                continue
            }
            if let g = sketches.firstIndex(where: { RelatedFinder.similarity($0, sk) >= options.copyThreshold }) {
                hits[g].copies.append(h.doc)
                continue
            }
            if hits.count >= options.limit { continue }
            hits.append(RelatedHit(doc: h.doc, score: h.score, why: [], copies: []))
            sketches.append(sk)
        }
        return (hits, copiesOfSource, full)
    }

    /// Each query term's share of each document's score, best first. One cursor per term and
    /// segment serves every document (taken in document order): making a cursor reads its
    /// term's skip list, which for a common word costs more than the advance itself.
    private func contributions(_ q: BoundQuery, names: [String], docs: [Int]) throws -> [Int: [(
        key: [UInt8], term: String, score: Float
    )]] {
        guard case .or(let terms) = q else { return [:] }
        let avg = searcher.reader.averageLength(slot: 0)
        var out: [Int: [(key: [UInt8], term: String, score: Float)]] = [:]
        var bySegment: [ObjectIdentifier: (SegmentReader, [(local: Int32, doc: Int)])] = [:]
        var order: [ObjectIdentifier] = []
        for d in docs {
            guard let (seg, local) = searcher.reader.locate(d) else { continue }
            let id = ObjectIdentifier(seg)
            if bySegment[id] == nil {
                bySegment[id] = (seg, [])
                order.append(id)
            }
            bySegment[id]!.1.append((local, d))
        }
        for id in order {
            let (seg, members) = bySegment[id]!
            let sorted = members.sorted { $0.local < $1.local }
            for (i, word) in terms.enumerated() {
                // A word is its text term, or an OR of its text and title terms.
                var t = word
                if case .or(let parts) = word, let first = parts.first { t = first }
                guard case .term(let key, let w, _) = t, i < names.count, let ti = try seg.dictionary.lookup(key) else {
                    continue
                }
                let c = seg.cursor(ti)
                for (local, doc) in sorted {
                    let at = c.doc < local ? c.advance(to: local) : c.doc
                    if at == PostingsCursor.end { break }
                    guard at == local else { continue }
                    let dl = Float(seg.length(local, slot: 0))
                    out[doc, default: []].append(
                        (
                            Array(key.dropFirst()), names[i],
                            w * searcher.bm25.tfNorm(Float(c.freq), length: dl, avgLength: avg)
                        ))
                }
            }
        }
        for k in out.keys { out[k]!.sort { $0.score > $1.score } }
        return out
    }
}
