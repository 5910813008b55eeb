/// Why a document scored what it did, factor by factor (like Lucene's `explain`).
public struct Explanation: Sendable {
    public var value: Float
    public var description: String
    public var details: [Explanation]

    public init(_ value: Float, _ description: String, _ details: [Explanation] = []) {
        self.value = value
        self.description = description
        self.details = details
    }

    /// Indented lines, one per factor.
    public func lines(indent: String = "") -> [String] {
        var out = ["\(indent)\(formatted(value)) = \(description)"]
        for d in details { out += d.lines(indent: indent + "  ") }
        return out
    }

    private func formatted(_ v: Float) -> String {
        let s = String(Double((v * 10000).rounded()) / 10000)
        return s
    }
}

extension Searcher {
    private static func termText(_ key: [UInt8]) -> String {
        let field = IndexField(rawValue: key.first ?? 0).map { "\($0)" } ?? "?"
        return "\(field):\(String(decoding: key.dropFirst(), as: UTF8.self))"
    }

    /// Explains the score of global document `doc` for `query`.
    public func explain(_ query: BoundQuery, doc: Int) throws -> Explanation {
        guard let (seg, local) = reader.locate(doc) else { return Explanation(0, "no such document") }
        let avg = (0..<IndexField.lengthSlots).map { reader.averageLength(slot: $0) }
        let ctx = ScoringContext(segment: seg, bm25: bm25, avgLength: avg)
        return try explain(query, ctx, local) ?? Explanation(0, "no match")
    }

    private func tfExplanation(_ tf: Float, dl: UInt32, avgdl: Float, label: String) -> Explanation {
        let norm = bm25.tfNorm(tf, length: Float(dl), avgLength: avgdl)
        return Explanation(
            norm, "tf normalisation: \(label) × (k1 + 1) / (\(label) + k1 × (1 − b + b × dl / avgdl))",
            [
                Explanation(tf, label), Explanation(bm25.k1, "k1"), Explanation(bm25.b, "b"),
                Explanation(Float(dl), "dl, document length"), Explanation(avgdl, "avgdl, average length"),
            ])
    }

    private func idfExplanation(_ key: [UInt8]) throws -> Explanation {
        guard let field = IndexField(rawValue: key.first ?? 0) else { return Explanation(0, "idf") }
        let df = try reader.docFreq(field, Array(key.dropFirst()))
        let n = max(reader.documentCount, df)
        return Explanation(
            BM25.idf(docFreq: df, documents: n), "idf = ln(1 + (N − df + 0.5) / (df + 0.5))",
            [Explanation(Float(df), "df, documents with the term"), Explanation(Float(n), "N, documents")])
    }

    private func positional(
        _ q: BoundQuery, _ ctx: ScoringContext, _ doc: Int32, _ w: Float, _ slot: Int, label: String
    ) throws -> Explanation? {
        let s = try scorer(q, ctx)
        guard s.matches(doc) else { return nil }
        let freq = s.spans().reduce(Float(0)) { $0 + $1.weight }
        let tf = tfExplanation(
            freq,
            dl: slot == BoundQuery.unnormalizedSlot
                ? UInt32(ctx.avgLength[0].rounded()) : ctx.segment.length(doc, slot: slot),
            avgdl: slot == BoundQuery.unnormalizedSlot ? ctx.avgLength[0].rounded() : ctx.avgLength[slot],
            label: slot == BoundQuery.unnormalizedSlot ? "phrase frequency (not length-normalised)" : "phrase frequency"
        )
        return Explanation(
            w * tf.value, "weight(\(label)) = sum of the terms' idf × tf normalisation",
            [Explanation(w, "sum of idf"), tf])
    }

    private func explain(_ q: BoundQuery, _ ctx: ScoringContext, _ doc: Int32) throws -> Explanation? {
        switch q {
        case .nothing:
            return nil
        case .term(let key, let w, let slot):
            guard let ti = try ctx.segment.dictionary.lookup(key) else { return nil }
            let c = ctx.segment.cursor(ti)
            guard c.advance(to: doc) == doc else { return nil }
            let tf = tfExplanation(
                Float(c.freq), dl: ctx.segment.length(doc, slot: slot), avgdl: ctx.avgLength[slot], label: "tf")
            let idf = try idfExplanation(key)
            // The term's weight beyond its idf: a word's title or exact-form part, a `^` boost,
            // or a weight `related` gave it.
            let factor = idf.value > 0 ? w / idf.value : 1
            if abs(factor - 1) > 1e-4 {
                let field = IndexField(rawValue: key.first ?? 0)
                let what: String
                if (field == .titleStem || field == .title) && abs(factor - titleWeight) <= 1e-4 {
                    what = "title weight (--title-weight)"
                } else if field == .text && reader.analyzer == .english && abs(factor - exactWeight) <= 1e-4 {
                    what = "exact-form weight (--exact-weight)"
                } else {
                    what = "query weight (a ^ boost, or related's word weight)"
                }
                return Explanation(
                    w * tf.value, "weight(\(Searcher.termText(key))) = idf × \(what) × tf normalisation",
                    [idf, Explanation(factor, what), tf])
            }
            return Explanation(
                w * tf.value, "weight(\(Searcher.termText(key))) = idf × tf normalisation", [idf, tf])
        case .blend(let keys, let w, let slot):
            var tfSum = 0
            var present: [String] = []
            for k in keys {
                guard let ti = try ctx.segment.dictionary.lookup(k) else { continue }
                let c = ctx.segment.cursor(ti)
                if c.advance(to: doc) == doc {
                    tfSum += c.freq
                    present.append("\(String(decoding: k.dropFirst(), as: UTF8.self)) \(c.freq)")
                }
            }
            guard tfSum > 0 else { return nil }
            let tf = tfExplanation(
                Float(tfSum), dl: ctx.segment.length(doc, slot: slot), avgdl: ctx.avgLength[slot],
                label: "tf")
            let words = keys.map { Searcher.termText($0) }.joined(separator: " | ")
            return Explanation(
                w * tf.value,
                "weight(\(words)) = one idf (the most frequent synonym's) × weight × tf normalisation, tf summed over the synonyms (\(present.joined(separator: " + ")))",
                [Explanation(w, "idf × weight"), tf])
        case .phrase(let keys, _, let slop, let w, let slot):
            let words = keys.map { String(decoding: $0.dropFirst(), as: UTF8.self) }.joined(separator: " ")
            return try positional(q, ctx, doc, w, slot, label: "phrase \"\(words)\"" + (slop > 0 ? "~\(slop)" : ""))
        case .multiPhrase(let keys, _, let slop, let w, let slot):
            let words = keys.map { a in
                a.count == 1 ? String(decoding: a[0].dropFirst(), as: UTF8.self) : "(\(a.count) words)"
            }
            return try positional(q, ctx, doc, w, slot, label: "phrase \"\(words.joined(separator: " "))\"~\(slop)")
        case .near(_, _, let d, let o, let w, let slot):
            return try positional(
                q, ctx, doc, w, slot, label: "\(o ? "ADJ" : "NEAR")/\(d), matches weighted 1/(1 + gap)")
        case .or(let children):
            let parts = try children.compactMap { try explain($0, ctx, doc) }
            if parts.isEmpty { return nil }
            return Explanation(parts.reduce(0) { $0 + $1.value }, "sum of:", parts)
        case .atLeast(let k, let children):
            let parts = try children.compactMap { try explain($0, ctx, doc) }
            if parts.count < k { return nil }
            return Explanation(
                parts.reduce(0) { $0 + $1.value }, "sum of (at least \(k) of \(children.count) match):", parts)
        case .boolean(let must, let should, let not):
            for n in not where try explain(n, ctx, doc) != nil { return nil }
            var parts: [Explanation] = []
            for m in must {
                guard let e = try explain(m, ctx, doc) else { return nil }
                parts.append(e)
            }
            for s in should { if let e = try explain(s, ctx, doc) { parts.append(e) } }
            if parts.isEmpty { return nil }
            return Explanation(parts.reduce(0) { $0 + $1.value }, "sum of:", parts)
        case .date(let c, let from, let to, let excluded):
            // Only where the article's date passes (a range of several, `date:A OR date:B`, lists
            // the one that does).
            guard try scorer(q, ctx).matches(doc) else { return nil }
            if case .all = c {
                let range = "date:\(from ?? "")..\(to ?? "")"
                return Explanation(
                    0, excluded ? "not dated within \(range) (no score)" : "dated within \(range) (no score)", [])
            }
            return try explain(c, ctx, doc)
        case .dateAny(let c, _):
            guard try scorer(q, ctx).matches(doc) else { return nil }
            return try explain(c, ctx, doc)
        case .anyOf(let keys):
            guard try scorer(q, ctx).matches(doc) else { return nil }
            return Explanation(0, "matches one of \(keys.count) more words of the pattern (no score of their own)", [])
        case .all:
            return Explanation(0, "matches every article (*:* or dates alone; no score of its own)", [])
        case .present:
            guard try scorer(q, ctx).matches(doc) else { return nil }
            return Explanation(0, "has a value in the field (field:*; no score of its own)", [])
        }
    }
}
