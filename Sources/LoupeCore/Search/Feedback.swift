import Foundation

/// Pseudo-relevance feedback for ranked queries: the best first-round matches are taken as
/// relevant, their words (weighted as `related` weighs an article's words, each article scaled to
/// unit length) are summed, and the best `terms` of them are added to the query as optional
/// words, together worth `weight` times the query's own word weights.
public struct FeedbackSettings: Sendable, Equatable {
    public var docs: Int
    public var weight: Float
    public var terms: Int

    public init(docs: Int = 0, weight: Float = 0.25, terms: Int = 20) {
        self.docs = docs
        self.weight = weight
        self.terms = terms
    }
}

extension Searcher {
    /// Leaf term keys and weights of a bound query.
    static func termWeights(_ q: BoundQuery, into out: inout [[UInt8]: Float]) {
        switch q {
        case .term(let k, let w, _): out[k, default: 0] += w
        case .or(let c): for x in c { termWeights(x, into: &out) }
        case .boolean(let m, let s, _):
            for x in m + s { termWeights(x, into: &out) }
        case .atLeast(_, let c): for x in c { termWeights(x, into: &out) }
        case .date(let c, _, _, _), .dateAny(let c, _): termWeights(c, into: &out)
        case .blend(let ks, let w, _): for k in ks { out[k, default: 0] += w }
        case .phrase, .multiPhrase, .near, .nothing, .anyOf, .all, .present: break
        }
    }

    /// `query` with feedback words added from its best `settings.docs` matches (unchanged when
    /// feedback is off or nothing matched).
    public func withFeedback(_ query: BoundQuery, settings: FeedbackSettings) throws -> BoundQuery {
        guard settings.docs > 0, settings.terms > 0, settings.weight > 0 else { return query }
        let first = try search(query, limit: settings.docs, exactTotal: false)
        guard !first.hits.isEmpty else { return query }
        var own: [[UInt8]: Float] = [:]
        Searcher.termWeights(query, into: &own)
        var norm: Float = 0
        // In a fixed order: a Dictionary's iteration order changes from run to run.
        for w in own.values.sorted() { norm += w * w }
        norm = norm.squareRoot()
        guard norm > 0 else { return query }
        var options = RelatedOptions()
        options.minDocFreq = 2
        let finder = RelatedFinder(searcher: self, options: options)
        let field: IndexField = reader.analyzer == .english ? .textStem : .text
        var acc: [[UInt8]: Float] = [:]
        for h in first.hits {
            for (t, w) in try finder.unitVector(try reader.article(h.doc), inIndex: true) { acc[t, default: 0] += w }
        }
        let scale = settings.weight * norm / Float(first.hits.count)
        let best = acc.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
            .prefix(settings.terms)
        let expansion = BoundQuery.or(
            best.map { .term(key: [field.rawValue] + $0.key, weight: $0.value * scale, slot: 0) })
        // The query stays required: feedback re-ranks its matches and never widens them, so
        // boolean operators, fields and totals keep their meaning.
        return .boolean(must: [query], should: [expansion], mustNot: [])
    }
}
