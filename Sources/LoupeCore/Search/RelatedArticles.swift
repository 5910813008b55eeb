import Foundation

/// "More like this": the articles most related to a given one.
///
/// 1. Term selection: the source's words (title and body, the index's analysis, stemmed where
///    the index stems) are weighted by their BM25 weight in the source itself —
///    `idf × tf normalisation` with the source's length — rather than raw tf·idf, which lets
///    frequent words leak in (BM25's idf already makes very common words worth little). Title
///    words count `titleBoost` times. Function words (`Searcher.englishFunctionWords`),
///    one-character terms, pure numbers, and terms in fewer than `minDocFreq` documents (or, if
///    set below 1, in more than `maxDocFraction` of them) are skipped. The best `maxTerms` form the query.
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
/// 4. Topics (when the index has a `TopicModel`): the feedback query gains the strongest words of
///    its reconstruction from topic space (`topicExpansion`), and the best candidates are
///    re-ranked by their topic cosine with the source (`topicWeight`) and their titles' topic
///    cosine (`titleTopicWeight`). README "Related articles" has the measurements.
/// 5. The source itself is excluded; copies of one story (same text, near-identical bodies —
///    estimated Jaccard similarity of the bodies' word 4-shingles at least `copyThreshold`) are grouped under
///    their best-ranked member. Copies of the source are set apart.
public struct RelatedOptions: Sendable {
    public var maxTerms = 60
    public var minDocFreq = 2
    public var maxDocFraction: Double = 1.0
    public var titleBoost: Float = 2
    public var copyThreshold: Double = Copies.defaultThreshold
    /// Favour articles dated near the source: a hit's score is divided by
    /// `1 + |days apart| / dateScaleDays` (nil: no date preference). Undated articles are not
    /// penalised.
    public var dateScaleDays: Double?
    /// Weight each query word by its selection weight (idf × tf normalisation in the source); off:
    /// every selected word counts by its idf alone, as in Lucene's MoreLikeThis without boost.
    public var boostByWeight = true
    /// Keep only articles dated within this many seconds of the source (nil: no window).
    public var window: Double?
    /// Keep only articles this query matches (`related --filter`: a source, dates, words; nil:
    /// all). Feedback still reads the best matches of the whole index.
    public var filter: BoundQuery?
    public var limit = 10
    /// Relevance feedback: the best `feedbackDocs` first-round matches add their words to the
    /// query, together worth `feedbackWeight` times the source (each article's word weights
    /// scaled to unit length first). 0 turns it off.
    public var feedbackDocs = 15
    public var feedbackWeight: Float = 1.5
    /// Words of the first-round query that finds the feedback articles: the source's best.
    public var firstRoundTerms = 30
    /// Topic blend: when the index has a topic model (`TopicModel`), the candidates are
    /// re-ranked by `score + topicWeight × best score × cos(source, candidate)` in topic space.
    /// 0 turns it off.
    public var topicWeight: Float = 1.5
    /// Topic expansion: the feedback query's `expansionTerms` strongest words in its topic-space
    /// reconstruction are added, times `topicExpansion` (0: off).
    public var topicExpansion: Float = 0.5
    public var expansionTerms = 30
    /// Weight of the titles' cosine in topic space (each title's log(1 + tf) × idf words
    /// projected), against the best BM25 score, in the topic blend (0: off).
    public var titleTopicWeight: Float = 0.5
    /// Words taken out of the query for each `unlike` article: its best by the sources' weighing
    /// (Elasticsearch's default `max_query_terms`).
    public var unlikeTerms = 25

    public init() {}
}

public struct RelatedHit: Sendable {
    public var doc: Int
    public var score: Float
    /// Shared terms that contributed most, best first, with their contribution.
    public var why: [(term: String, score: Float)]
    /// When no word of the source matched (a hit found through the words its neighbours or its
    /// topics added to the query): those that contributed most. Empty otherwise.
    public var via: [(term: String, score: Float)] = []
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

    /// Word vectors (stem ids and unit weights) of this call's candidates (feedback articles are
    /// usually among the final candidates, so the topic blend finds most of them made), and the
    /// source's.
    private var vectors: [Int: [(Int, Float)]] = [:]
    private var sourceVectorCache: [(Int, Float)]?

    private func candidateVector(_ doc: Int, _ article: Article?) throws -> [(Int, Float)] {
        if let v = vectors[doc] { return v }
        var a = try article ?? searcher.reader.article(doc)
        if a.body.utf8.count > RelatedFinder.candidateBodyBytes {
            a.body = String(decoding: a.body.utf8.prefix(RelatedFinder.candidateBodyBytes), as: UTF8.self)
        }
        let v = try unitIds(a, inIndex: true)
        vectors[doc] = v
        return v
    }

    private func sourceVector(_ source: Article, inIndex: Bool) throws -> [(Int, Float)] {
        if let v = sourceVectorCache { return v }
        let v = try unitIds(source, inIndex: inIndex)
        sourceVectorCache = v
        return v
    }

    /// The index's topic model, read on first use (nil: none, or off).
    private lazy var topics: TopicModel? = usesTopics ? TopicModel.load(directory: searcher.reader.directory) : nil
    private var usesTopics: Bool { max(options.topicWeight, options.topicExpansion, options.titleTopicWeight) > 0 }
    /// A model file is there but could not be read: each call says so in a note.
    private lazy var topicsDamaged =
        usesTopics && topics == nil && TopicModel.exists(directory: searcher.reader.directory)

    /// A word vector's (model row, weight) pairs: its words the topic model has.
    private func rowWeights(_ v: [(Int, Float)], _ model: TopicModel) -> [(Int, Float)] {
        var rows: [(Int, Float)] = []
        rows.reserveCapacity(v.count)
        for (s, w) in v {
            let r = row(s, model)
            if r >= 0 { rows.append((r, w)) }
        }
        return rows
    }

    /// The unit topic vector of a word vector (empty: none of its words is in the model).
    private func project(_ v: [(Int, Float)], _ model: TopicModel) -> [Float] {
        model.project(rowWeights: rowWeights(v, model))
    }

    /// The `expansionTerms` strongest words of a word vector's rank-k reconstruction in the
    /// topic model (`V Vᵀ v`, V the model's word rows): (stem id, reconstructed weight), for
    /// weights of at least 5 % of the strongest only.
    private func expansion(of v: [(Int, Float)], _ model: TopicModel) -> [(Int, Float)] {
        guard let z = model.coordinates(rowWeights: rowWeights(v, model)) else { return [] }
        let best = model.strongestRows(z, count: options.expansionTerms)
        // Words far weaker than the strongest are noise of the rank-k approximation.
        let floor = (best.first?.weight ?? 0) * 0.05
        return best.filter { $0.weight >= floor }.map { r, x in
            (model.withTerm(r) { internStem($0, row: Int32(r)) }, x)
        }
    }

    /// The topic model's row of stem `s` (-1: none), cached.
    private func row(_ s: Int, _ model: TopicModel) -> Int {
        var r = stemRow[s]
        if r == -2 {
            r = Int32(model.row(stems.term(s)) ?? -1)
            stemRow[s] = r
        }
        return Int(r)
    }

    /// Surface form shown for each selected (possibly stemmed) term: the source's most frequent
    /// word with that stem.
    private var display: [[UInt8]: String] = [:]

    /// Every word this finder has read, interned (a token costs a table probe, no allocation):
    /// exact forms, each with its stem's id (-1: never a query word — one character, a number, a
    /// stopword), and stems, each with its document frequency (-1 until asked) and its row in
    /// the topic model (-2 until asked, -1 none).
    private var exactForms = TermIntern()
    private var exactStem: [Int32] = []
    private var stems = TermIntern()
    private var stemDF: [Int] = []
    private var stemRow: [Int32] = []
    /// Per stem, its place in the article being read (-1: not in it); reset after each article.
    private var slotOf: [Int32] = []

    private func stemID(_ exact: UnsafeBufferPointer<UInt8>) -> Int32 {
        if exact.count < 2 || exact.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return -1 }
        if Searcher.englishFunctionWords.contains(String(decoding: exact, as: UTF8.self)) { return -1 }
        let key = stemmer?.stemUnified(Array(exact)) ?? Array(exact)
        return Int32(key.withUnsafeBufferPointer { internStem($0) })
    }

    /// The id of stem `key`, with its per-stem state made when it is new (`row`: its topic-model
    /// row when known).
    private func internStem(_ key: UnsafeBufferPointer<UInt8>, row: Int32 = -2) -> Int {
        let (id, added) = stems.intern(key)
        if added {
            stemDF.append(-1)
            stemRow.append(row)
            slotOf.append(-1)
        }
        return id
    }

    /// Words in fewer documents than this are skipped (the source's own occurrence counts in
    /// df when it is in the index).
    private func minDocFreq(inIndex: Bool) -> Int { max(1, options.minDocFreq - (inIndex ? 0 : 1)) }

    /// The eligible stems of `texts` (each with the weight of one occurrence) in first-occurrence
    /// order, their weighted counts, and the number of tokens read; with `forms`, each stem's
    /// exact forms (ids) and their counts.
    private func countStems(_ texts: [(String, Float)], _ forms: inout [Int: [Int: Int]]?) -> (
        ids: [Int], tfs: [Float], length: Int
    ) {
        var ids: [Int] = []
        var tfs: [Float] = []
        var length = 0
        for (text, w) in texts {
            analyzer.analyze(text) { tok in
                length += 1
                let (e, added) = exactForms.intern(tok.term)
                if added {
                    let st = stemID(tok.term)
                    exactStem.append(st)
                }
                let s = Int(exactStem[e])
                if s < 0 { return }
                let at = slotOf[s]
                if at >= 0 {
                    tfs[Int(at)] += w
                } else {
                    slotOf[s] = Int32(ids.count)
                    ids.append(s)
                    tfs.append(w)
                }
                forms?[s, default: [:]][e, default: 0] += 1
            }
        }
        for s in ids { slotOf[s] = -1 }
        return (ids, tfs, length)
    }

    /// Stem `s`'s document frequency in the index, cached.
    private func docFreq(_ s: Int) throws -> Int {
        if stemDF[s] < 0 { stemDF[s] = try searcher.reader.docFreq(field, stems.term(s)) }
        return stemDF[s]
    }

    /// The forms of each stem in the last article read with `keepForms`: stem id → exact form
    /// id → count.
    private var lastForms: [Int: [Int: Int]] = [:]

    /// Every eligible stem of an article with its selection weight and idf, in first-occurrence
    /// order: every later sum over them (a vector's length, feedback weights) then adds in the
    /// same order in every process.
    func weightedIDs(_ a: Article, inIndex: Bool = true, keepForms: Bool = true) throws -> [(
        id: Int, weight: Float, idf: Float
    )] {
        let minDf = minDocFreq(inIndex: inIndex)
        var forms: [Int: [Int: Int]]? = keepForms ? [:] : nil
        // A wire dateline names a place, not the subject.
        let (ids, tfs, length) = countStems([(a.title, options.titleBoost), (Dateline.stripped(a.body), 1)], &forms)
        let n = max(searcher.reader.documentCount, 1)
        let avg = searcher.reader.averageLength(slot: 0)
        var scored: [(id: Int, weight: Float, idf: Float)] = []
        scored.reserveCapacity(ids.count)
        for (s, f) in zip(ids, tfs) {
            let df = try docFreq(s)
            if df < minDf || Double(df) > options.maxDocFraction * Double(n) { continue }
            let idf = BM25.idf(docFreq: df, documents: max(n, df))
            let w = idf * searcher.bm25.tfNorm(f, length: Float(length), avgLength: avg)
            scored.append((s, w, idf))
        }
        if let forms { lastForms = forms }
        return scored
    }

    /// Every eligible term of an article with its selection weight and idf: (term bytes, weight, idf).
    func weightedTerms(_ a: Article, inIndex: Bool = true, keepForms: Bool = true) throws -> [([UInt8], Float, Float)] {
        try weightedIDs(a, inIndex: inIndex, keepForms: keepForms).map { (stems.term($0.id), $0.weight, $0.idf) }
    }

    /// Of a stem's exact forms (form id → count), the one to show: the most frequent, then the
    /// shortest, then the first in byte order.
    private func preferredForm(_ counts: [Int: Int]) -> [UInt8]? {
        counts.min {
            if $0.value != $1.value { return $0.value > $1.value }
            let x = exactForms.term($0.key)
            let y = exactForms.term($1.key)
            return x.count != y.count ? x.count < y.count : x.lexicographicallyPrecedes(y)
        }.map { exactForms.term($0.key) }
    }

    /// Each stem of an article with its preferred form there.
    private func wordForms(_ a: Article) -> [[UInt8]: String] {
        var forms: [Int: [Int: Int]]? = [:]
        _ = countStems([(a.title, 1), (a.body, 1)], &forms)
        var out: [[UInt8]: String] = [:]
        for (stem, counts) in forms ?? [:] {
            if let f = preferredForm(counts) { out[stems.term(stem)] = String(decoding: f, as: UTF8.self) }
        }
        return out
    }

    /// Selected query terms for an article: (term bytes, selection weight, idf).
    func selectTerms(_ a: Article, inIndex: Bool = true) throws -> [([UInt8], Float, Float)] {
        var scored = try weightedIDs(a, inIndex: inIndex)
        scored.sort { $0.weight != $1.weight ? $0.weight > $1.weight : stems.precedes($0.id, $1.id) }
        let top = scored.prefix(options.maxTerms)
        setDisplay(top.map(\.id), forms: lastForms)
        return top.map { (stems.term($0.id), $0.weight, $0.idf) }
    }

    /// How the selected stems are shown: each one's preferred form among `forms` (stem id → form
    /// id → count), else the stem.
    private func setDisplay(_ selected: [Int], forms: [Int: [Int: Int]]) {
        display = [:]
        for s in selected {
            display[stems.term(s)] = String(decoding: forms[s].flatMap(preferredForm) ?? stems.term(s), as: UTF8.self)
        }
    }

    /// Selected query terms for several articles together: each article's weighted words scaled
    /// to unit length (a long source does not outweigh a short one), summed (in the sources' order,
    /// each in first-occurrence order), the best `maxTerms`; the sum is scaled to the sources' mean
    /// length. The sum scaled to unit length is the sources' vector (feedback, topics).
    private func selectTerms(_ sources: [Article], inIndex: Bool) throws -> [([UInt8], Float, Float)] {
        var acc: [Int: (weight: Float, idf: Float)] = [:]
        var order: [Int] = []
        var forms: [Int: [Int: Int]] = [:]
        var meanNorm: Float = 0
        for a in sources {
            let v = try weightedIDs(a, inIndex: inIndex)
            for (s, counts) in lastForms { forms[s, default: [:]].merge(counts, uniquingKeysWith: +) }
            var norm: Float = 0
            for x in v { norm += x.weight * x.weight }
            norm = norm.squareRoot()
            guard norm > 0 else { continue }
            meanNorm += norm / Float(sources.count)
            for x in v {
                if acc[x.id] == nil { order.append(x.id) }
                acc[x.id, default: (0, x.idf)].weight += x.weight / norm
            }
        }
        var total: Float = 0
        for s in order { total += acc[s]!.weight * acc[s]!.weight }
        total = max(total.squareRoot(), 1e-9)
        sourceVectorCache = order.map { ($0, acc[$0]!.weight / total) }
        order.sort {
            acc[$0]!.weight != acc[$1]!.weight ? acc[$0]!.weight > acc[$1]!.weight : stems.precedes($0, $1)
        }
        let top = order.prefix(options.maxTerms)
        setDisplay(Array(top), forms: forms)
        let scale = meanNorm / total
        return top.map { (stems.term($0), acc[$0]!.weight * scale, acc[$0]!.idf) }
    }

    /// An article's title as (stem id, log(1 + tf) × idf), in first-occurrence order (for the
    /// titles' topic cosine: scale does not matter).
    private func titleVector(_ a: Article, inIndex: Bool) throws -> [(Int, Float)] {
        let minDf = minDocFreq(inIndex: inIndex)
        var none: [Int: [Int: Int]]? = nil
        let (ids, tfs, _) = countStems([(a.title, 1)], &none)
        let n = max(searcher.reader.documentCount, 1)
        var out: [(Int, Float)] = []
        for (s, f) in zip(ids, tfs) {
            let df = try docFreq(s)
            if df < minDf { continue }
            out.append((s, log(1 + f) * BM25.idf(docFreq: df, documents: max(n, df))))
        }
        return out
    }

    /// An article's weighted stems scaled to unit length (so that a long feedback article does
    /// not outweigh a short source): (stem id, weight), in first-occurrence order.
    private func unitIds(_ a: Article, inIndex: Bool) throws -> [(Int, Float)] {
        let v = try weightedIDs(a, inIndex: inIndex, keepForms: false)
        var norm: Float = 0
        for x in v { norm += x.weight * x.weight }
        norm = max(norm.squareRoot(), 1e-9)
        return v.map { ($0.id, $0.weight / norm) }
    }

    /// An article's weighted terms scaled to unit length, as ids of `terms`, in the terms'
    /// byte order.
    func sortedUnitIds(_ a: Article, inIndex: Bool) throws -> [(Int, Float)] {
        try unitIds(a, inIndex: inIndex).sorted { stems.precedes($0.0, $1.0) }
    }

    /// The terms `sortedUnitIds` numbers.
    var terms: TermIntern { stems }

    /// An article's weighted terms scaled to unit length.
    func unitVector(_ a: Article, inIndex: Bool) throws -> [[UInt8]: Float] {
        let v = try unitIds(a, inIndex: inIndex)
        var d: [[UInt8]: Float] = [:]
        d.reserveCapacity(v.count)
        for (s, w) in v { d[stems.term(s)] = w }
        return d
    }

    /// Articles related to `source`; `sourceDoc` (if it is in the index) is excluded.
    public func related(to source: Article, sourceDoc: Int?) throws -> RelatedResult {
        try related(to: [source], sourceDocs: sourceDoc.map { [$0] } ?? [])
    }

    /// Articles related to all of `sources` together (Elasticsearch's more-like-this with several
    /// `like` articles): their texts are read as one article (titles together, bodies one after
    /// another, each without its dateline); `sourceDocs`, the sources in the index, are excluded,
    /// and a copy of any source is set apart. The window and the date preference count from the
    /// nearest source's date.
    ///
    /// `unlike` (Elasticsearch's more-like-this `unlike`): the words that characterise these
    /// articles — each one's `unlikeTerms` best by the same weighing — are not searched, and
    /// `unlikeDocs`, those in the index, are no hits: the sources' other subjects come first.
    public func related(
        to sources: [Article], sourceDocs: [Int], unlike: [Article] = [], unlikeDocs: [Int] = []
    ) throws -> RelatedResult {
        precondition(!sources.isEmpty, "related needs a source")
        let source: Article
        if sources.count == 1 {
            source = sources[0]
        } else {
            source = Article(
                id: sources.map(\.id).joined(separator: " + "), title: sources.map(\.title).joined(separator: " "),
                body: sources.map { Dateline.stripped($0.body) }.joined(separator: "\n\n"), date: nil, source: "")
        }
        let excluded = Set(sourceDocs + unlikeDocs)
        let inIndex = !sourceDocs.isEmpty
        // The filter's documents, ascending (looked up by binary search).
        let allowed = try options.filter.map { try searcher.matchingDocuments($0) }
        vectors = [:]
        sourceVectorCache = nil
        var notes: [String] = []
        if topicsDamaged {
            notes.append("the topic model is damaged: ranked without it (the next `loupe index` makes it again)")
        }
        var selected =
            try sources.count == 1 ? selectTerms(source, inIndex: inIndex) : selectTerms(sources, inIndex: inIndex)
        let sourceForms = display
        // The unlike articles' best words, not searched.
        var banned = Set<Int>()
        for u in unlike {
            let v = try weightedIDs(u, inIndex: !unlikeDocs.isEmpty, keepForms: false)
                .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : stems.precedes($0.id, $1.id) }
            for x in v.prefix(options.unlikeTerms) { banned.insert(x.id) }
        }
        if !banned.isEmpty {
            let bannedTerms = Set(banned.map { stems.term($0) })
            selected.removeAll { bannedTerms.contains($0.0) }
            if selected.isEmpty {
                return RelatedResult(
                    terms: [], hits: [], copiesOfSource: [],
                    notes: ["no distinctive words left once the unlike articles' words are taken out"])
            }
        }
        if selected.isEmpty {
            return RelatedResult(terms: [], hits: [], copiesOfSource: [], notes: ["no distinctive words to search for"])
        }
        let f = field
        // The sources' dates, for the window and the date preference.
        let dates = sources.map { DateColumn.seconds($0.date) }.filter { $0 != DateColumn.undated }
        var window: ([Int64], Double)?
        if let w = options.window {
            if !dates.isEmpty {
                window = (dates, w)
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
            // The first round only has to find the feedback articles: the source's best words do
            // (half the query: as precise, in 18 % less time a call on en-all).
            let first = try searcher.search(
                bound(Array(terms.prefix(options.firstRoundTerms))),
                limit: options.feedbackDocs + max(1, excluded.count),
                exactTotal: false)
            let own = try sourceVector(source, inIndex: inIndex)
            var others: [[(Int, Float)]] = []
            for h in first.hits.filter({ !excluded.contains($0.doc) }).prefix(options.feedbackDocs) {
                others.append(try candidateVector(h.doc, nil))
            }
            // Summed per stem in a fixed order (the source, then the articles best first).
            let each = options.feedbackWeight / Float(options.feedbackDocs)
            var acc = [Float](repeating: 0, count: stems.count)
            var touched = [Bool](repeating: false, count: stems.count)
            var order: [Int] = []
            func add(_ s: Int, _ w: Float) {
                acc[s] += w
                if !touched[s] {
                    touched[s] = true
                    order.append(s)
                }
            }
            for (s, w) in own { add(s, w) }
            for v in others { for (s, w) in v { add(s, each * w) } }
            if options.topicExpansion > 0, let model = topics {
                // The sum's shadow in topic space, back in word space: its strongest words (often
                // the subject's words the source never wrote) join the query.
                let adds = expansion(of: order.map { ($0, acc[$0]) }, model)
                if stems.count > acc.count {
                    acc += [Float](repeating: 0, count: stems.count - acc.count)
                    touched += [Bool](repeating: false, count: stems.count - touched.count)
                }
                for (s, w) in adds { add(s, options.topicExpansion * w) }
            }
            if !banned.isEmpty { order.removeAll { banned.contains($0) } }
            order.sort { acc[$0] != acc[$1] ? acc[$0] > acc[$1] : stems.precedes($0, $1) }
            terms = order.prefix(options.maxTerms).map { (stems.term($0), acc[$0]) }
        }
        let query = bound(terms)
        let names = terms.map { sourceForms[$0.0] ?? String(decoding: $0.0, as: UTF8.self) }
        // Enough candidates to fill the page after grouping copies and the window filter; more
        // when copies or the window took too many.
        var want = window == nil ? options.limit * 2 + 10 : max(options.limit * 4 + 10, 500)
        while true {
            let (hits, copiesOfSource, full) = try rank(
                query, want: want, window: window, dates: dates, sources: sources, source: source,
                excluded: excluded, allowed: allowed)
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
                if h.why.isEmpty, let found = shares[h.doc], !found.isEmpty {
                    // Not the source's words: named as the hit writes them (not as stems).
                    let forms = wordForms(try searcher.reader.article(h.doc))
                    h.via = found.prefix(5).map { (forms[$0.key] ?? $0.term, $0.score) }
                }
                out.append(h)
            }
            return RelatedResult(
                terms: zip(names, terms).map { ($0, $1.1) }, hits: out, copiesOfSource: copiesOfSource, notes: notes)
        }
    }

    /// The best `want` matches of `query`, filtered by the window, date-scaled, and grouped into
    /// copies; `full` when the search returned all `want` (more may exist).
    private func rank(
        _ query: BoundQuery, want: Int, window: ([Int64], Double)?, dates: [Int64], sources: [Article],
        source: Article, excluded: Set<Int>, allowed: [Int]?
    ) throws -> ([RelatedHit], [Int], Bool) {
        let inIndex = !excluded.isEmpty
        var result = try searcher.search(query, limit: want, exactTotal: false)
        let full = result.hits.count >= want
        if let allowed {
            result.hits = result.hits.filter { h in
                var lo = 0
                var hi = allowed.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if allowed[mid] < h.doc { lo = mid + 1 } else { hi = mid }
                }
                return lo < allowed.count && allowed[lo] == h.doc
            }
        }
        // Dates from the date column (no stored article read, no date text parsed).
        // Seconds from a date to the nearest source's.
        func apart(_ d: Int64) -> Double { dates.map { abs(Double(d - $0)) }.min() ?? 0 }
        if let (_, span) = window {
            result.hits = try result.hits.filter { h in
                let d = try searcher.reader.dateSeconds(h.doc)
                return d != DateColumn.undated && apart(d) <= span
            }
        }
        let sourceSketches = sources.map { Copies.sketch($0, analyzer: analyzer) }
        if let scale = options.dateScaleDays, !dates.isEmpty {
            var rescored: [Hit] = []
            for h in result.hits {
                var hit = h
                let d = try searcher.reader.dateSeconds(h.doc)
                if d != DateColumn.undated {
                    hit.score = h.score / Float(1 + apart(d) / 86400 / scale)
                }
                rescored.append(hit)
            }
            result.hits = rescored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.doc < $1.doc }
        }
        // Each candidate read once: for the topic blend and for copy detection.
        var articles: [Int: Article] = [:]
        for h in result.hits where !excluded.contains(h.doc) { articles[h.doc] = try searcher.reader.article(h.doc) }
        if let model = topics, let best = result.hits.first(where: { !excluded.contains($0.doc) })?.score, best > 0 {
            let zs = project(try sourceVector(source, inIndex: inIndex), model)
            if !zs.isEmpty {
                let lambda = options.topicWeight * best
                // The titles' topics too: a headline names the kind of story in few words.
                let mu = options.titleTopicWeight * best
                let ts = mu > 0 ? project(try titleVector(source, inIndex: inIndex), model) : []
                var blended: [Hit] = []
                for h in result.hits {
                    var hit = h
                    if let a = articles[h.doc] {
                        if lambda > 0 {
                            hit.score += lambda * TopicModel.cosine(zs, project(try candidateVector(h.doc, a), model))
                        }
                        if !ts.isEmpty {
                            hit.score += mu * TopicModel.cosine(ts, project(try titleVector(a, inIndex: true), model))
                        }
                    }
                    blended.append(hit)
                }
                result.hits = blended.sorted { $0.score != $1.score ? $0.score > $1.score : $0.doc < $1.doc }
            }
        }
        var copiesOfSource: [Int] = []
        var candidates: [(hit: Hit, sketch: [UInt64])] = []
        for h in result.hits where !excluded.contains(h.doc) {
            guard let a = articles[h.doc] else { continue }
            let sk = Copies.sketch(a, analyzer: analyzer)
            if sourceSketches.contains(where: { Copies.similarity(sk, $0) >= options.copyThreshold }) {
                copiesOfSource.append(h.doc)
            } else {
                candidates.append((h, sk))
            }
        }
        let groups = Copies.group(candidates.map(\.sketch), threshold: options.copyThreshold)
        let hits = groups.prefix(options.limit).map { g in
            let lead = candidates[g.leader].hit
            return RelatedHit(
                doc: lead.doc, score: lead.score, why: [], copies: g.copies.map { candidates[$0].hit.doc })
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
