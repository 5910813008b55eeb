/// Top-k retrieval that does not score every candidate.
///
/// * One term: block-max skipping. A block whose bound (largest tf, shortest document) cannot
///   beat the current k-th score is skipped whole.
/// * A disjunction: MaxScore (Turtle and Flood). Clauses sorted by their score bound; the
///   smallest ones whose bounds add up to at most the k-th score are "non-essential": documents
///   matching only those cannot enter the top k, so only the essential clauses drive the
///   iteration, and the others are probed with `advance(to:)` only while they can still matter.
///
/// Both return exactly the same top k as exhaustive scoring (ties aside); they only skip work.
/// Which of a segment's documents a collector may return: the live ones, and under a `date:`
/// filter on the date column only those dated within it.
struct DocFilter {
    let segment: SegmentReader
    let deletions: Bool
    /// Groups of ranges a document's date must fall in, one of each (a `date:` clause is a group
    /// of one; several optional ones, one group).
    let unions: [[(lower: Int64, upper: Int64)]]
    /// Ranges whose dated documents are left out (`-date:`; undated ones stay).
    let excluded: [(lower: Int64, upper: Int64)]

    init(
        _ segment: SegmentReader, unions: [[(lower: Int64, upper: Int64)]] = [],
        excluded: [(lower: Int64, upper: Int64)] = []
    ) {
        self.segment = segment
        deletions = segment.hasDeletions
        self.unions = unions
        self.excluded = excluded
    }

    var active: Bool { deletions || !unions.isEmpty || !excluded.isEmpty }

    /// This filter narrowed to the documents dated within one of `ranges` as well.
    func dated(anyOf ranges: [(lower: Int64, upper: Int64)]) -> DocFilter {
        DocFilter(segment, unions: unions + [ranges], excluded: excluded)
    }

    /// This filter with the documents dated within `r` left out as well.
    func excluding(_ r: (lower: Int64, upper: Int64)) -> DocFilter {
        DocFilter(segment, unions: unions, excluded: excluded + [r])
    }

    @inline(__always) func accepts(_ d: Int32) -> Bool {
        if deletions && segment.isDeleted(d) { return false }
        if !unions.isEmpty || !excluded.isEmpty {
            let t = segment.dateSeconds(d)
            for u in unions where !DateColumn.within(t, anyOf: u) { return false }
            for r in excluded where DateColumn.within(t, r) { return false }
        }
        return true
    }
}

enum TopKCollectors {
    static func collect(_ scorer: Scorer, segment: SegmentReader, into heap: inout TopK, filter: DocFilter? = nil)
        -> Int
    {
        let filter = filter ?? DocFilter(segment)
        // A date filter on the column: its documents are passed over like deleted ones, so the
        // query under it keeps its pruning.
        if let f = scorer as? DateFilterScorer, let r = f.range {
            return collect(
                f.child, segment: segment, into: &heap,
                filter: f.excluded ? filter.excluding(r) : filter.dated(anyOf: [r]))
        }
        if let f = scorer as? DateUnionScorer {
            return collect(f.child, segment: segment, into: &heap, filter: filter.dated(anyOf: f.ranges))
        }
        if let t = scorer as? TermScorer { return blockMax(t, segment: segment, into: &heap, filter: filter) }
        if let w = scorer as? WordScorer {
            return blockMax(w.lead, rest: w.rest, segment: segment, into: &heap, filter: filter)
        }
        if let p = scorer as? PhraseScorer { return positional(p, segment: segment, into: &heap, filter: filter) }
        if let p = scorer as? NearScorer { return positional(p, segment: segment, into: &heap, filter: filter) }
        if let a = scorer as? AndScorer, a.children.count > 1 {
            var clauses: [Clause] = []
            if a.children.allSatisfy({ c in
                if let t = c as? TermScorer {
                    clauses.append(Clause(lead: t))
                } else if let w = c as? WordScorer {
                    clauses.append(Clause(lead: w.lead, rest: w.rest))
                } else {
                    return false
                }
                return true
            }) {
                return termConjunction(clauses, segment: segment, into: &heap, filter: filter)
            }
        }
        if let o = scorer as? OrScorer, o.children.count > 1 {
            var terms: [Clause] = []
            if flatten(o, into: &terms) { return termMaxScore(terms, segment: segment, into: &heap, filter: filter) }
            // A 2–3-word query: its words and its whole-query phrase.
            terms.removeAll()
            let phrases = o.children.compactMap { $0 as? PhraseScorer }
            if phrases.count == 1, let p = phrases.first, p.slop == 0, p.slot == BoundQuery.unnormalizedSlot,
                o.children.allSatisfy({ $0 === p || flatten($0, into: &terms) }), !terms.isEmpty,
                terms.count < windowedClauses
            {
                return termMaxScore(terms, phrase: p, segment: segment, into: &heap, filter: filter)
            }
            return maxScore(o.children, segment: segment, into: &heap, filter: filter)
        }
        return exhaustive(scorer, segment: segment, into: &heap, filter: filter)
    }

    /// Scores every document; returns how many matched.
    static func exhaustive(_ s: Scorer, segment: SegmentReader, into heap: inout TopK, filter: DocFilter? = nil) -> Int
    {
        let filter = filter ?? DocFilter(segment)
        var n = 0
        var d = s.next()
        let filtered = filter.active
        while d != PostingsCursor.end {
            if !filtered || filter.accepts(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: s.score())
            }
            d = s.next()
        }
        return n
    }

    /// A phrase or NEAR alone: once the heap is full, the scorer passes over documents whose
    /// bound (a word's frequency as the match frequency) cannot beat the k-th score.
    static func positional(
        _ p: PositionalScorer, segment: SegmentReader, into heap: inout TopK, filter: DocFilter? = nil
    ) -> Int {
        let filter = filter ?? DocFilter(segment)
        var n = 0
        let filtered = filter.active
        p.minCompetitive = heap.isFull ? heap.threshold : -Float.infinity
        var d = p.next()
        while d != PostingsCursor.end {
            if !filtered || filter.accepts(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: p.score())
                if heap.isFull { p.minCompetitive = heap.threshold }
            }
            d = p.next()
        }
        return n
    }

    /// Block-max for one term, or one unquoted word (English analyzer): its stem term (`lead`)
    /// with its title and exact-form terms (`rest`), whose documents are among the stem's. A
    /// block of the lead is bounded by its best score plus the other terms' bounds, and skipped
    /// whole when that cannot beat the k-th score; where the lead and the smaller of the others
    /// cannot reach it without the larger one (the title, for common words: a title match is
    /// what lifts a document into the top k), only that term's documents in the block are
    /// scored, found through its own postings.
    static func blockMax(
        _ lead: TermScorer, rest: [TermScorer] = [], segment: SegmentReader, into heap: inout TopK,
        filter: DocFilter? = nil
    ) -> Int {
        let filter = filter ?? DocFilter(segment)
        // Scores computed as the term clauses' are: lengths read from the mapped table.
        let sc = ClauseScoring([Clause(lead: lead, rest: rest)], segment: segment)
        let bounds = rest.map(\.maxScore)
        let restSum = bounds.reduce(0, +)
        let big = bounds.indices.max { bounds[$0] < bounds[$1] }
        let others = big.map { restSum - bounds[$0] } ?? restSum
        let end = PostingsCursor.end
        let filtered = filter.active
        var n = 0
        var d = lead.next()
        var boundBlock: Int32 = -1
        var leadBound: Float = .infinity
        return withExtendedLifetime((lead, rest)) {
            while d != end {
                if heap.isFull {
                    let last = lead.cursor.blockLastDoc
                    if last != boundBlock {
                        boundBlock = last
                        leadBound = lead.blockMaxScore
                    }
                    let t = heap.threshold
                    if leadBound + restSum <= t {
                        if last == end || last == Int32.max { break }
                        d = lead.skipBlocks(above: t - restSum)
                        continue
                    }
                    if let big, leadBound + others <= t {
                        // Only documents holding the larger term can compete in this block.
                        let r = rest[big]
                        var x = r.doc < d ? r.advance(to: d) : r.doc
                        while x != end && x <= last {
                            if lead.advance(to: x) == x, !filtered || filter.accepts(x) {
                                n += 1
                                heap.offer(doc: segment.docBase + Int(x), score: sc.score(0, x))
                            }
                            x = r.next()
                        }
                        if last == end || last == Int32.max { break }
                        d = lead.advance(to: last + 1)
                        continue
                    }
                }
                if !filtered || filter.accepts(d) {
                    n += 1
                    heap.offer(doc: segment.docBase + Int(d), score: sc.score(0, d))
                }
                d = lead.next()
            }
            return n
        }
    }

    /// A clause of `termMaxScore`: a term, and terms whose documents are among its own (a
    /// word's title and exact-form terms), probed only on the lead's documents.
    struct Clause {
        var lead: TermScorer
        var rest: [TermScorer] = []
        var maxScore: Float { rest.reduce(lead.maxScore) { $0 + $1.maxScore } }
    }

    /// The clauses of nested disjunctions of terms (an OR's score is the sum of its children's),
    /// or false when another kind of scorer is among them.
    static func flatten(_ s: Scorer, into out: inout [Clause]) -> Bool {
        if let t = s as? TermScorer {
            out.append(Clause(lead: t))
            return true
        }
        if s is EmptyScorer { return true }
        if let w = s as? WordScorer {
            out.append(Clause(lead: w.lead, rest: w.rest))
            return true
        }
        if let o = s as? OrScorer { return o.children.allSatisfy { flatten($0, into: &out) } }
        return false
    }

    /// MaxScore over plain terms, without scorer objects in the loop: the cursors are held
    /// unretained (`clauses` keeps them alive) and document lengths are read straight from the
    /// segment's length table, so nothing is retained or released per posting. Each clause is
    /// driven by its lead term; its other terms are advanced only to the lead's documents.
    /// Clauses ready for scoring without scorer objects in the loop: the cursors are held
    /// unretained (the clauses array, kept alive by the caller, owns them) and document lengths
    /// are read straight from the segment's length table, so nothing is retained or released
    /// per posting. Each clause is driven by its lead term; its other terms are advanced only to
    /// the lead's documents.
    struct ClauseScoring {
        let cursors: [Unmanaged<PostingsCursor>]
        private let weights: [Float]
        private let slots: [Int]
        private let avgs: [Float]
        /// The other terms, flat: clause i's are extra[extraStart[i]..<extraStart[i + 1]].
        private let extraStart: [Int]
        private let extra: [(cursor: Unmanaged<PostingsCursor>, weight: Float, slot: Int, avg: Float)]
        /// Upper bound of the other terms' part, per clause.
        private let extraBounds: [Float]
        private let bm25: BM25
        private let lengths: UnsafeRawPointer
        private let stride = IndexField.lengthSlots

        init(_ clauses: [Clause], segment: SegmentReader) {
            cursors = clauses.map { Unmanaged.passUnretained($0.lead.cursor) }
            weights = clauses.map(\.lead.weight)
            slots = clauses.map(\.lead.slot)
            avgs = clauses.map { $0.lead.ctx.avgLength[$0.lead.slot] }
            var starts = [0]
            var flat: [(cursor: Unmanaged<PostingsCursor>, weight: Float, slot: Int, avg: Float)] = []
            for c in clauses {
                for t in c.rest {
                    flat.append((Unmanaged.passUnretained(t.cursor), t.weight, t.slot, t.ctx.avgLength[t.slot]))
                }
                starts.append(flat.count)
            }
            extraStart = starts
            extra = flat
            extraBounds = clauses.map { $0.rest.reduce(0) { $0 + $1.maxScore } }
            bm25 = clauses.first?.lead.ctx.bm25 ?? BM25()
            lengths = segment.lengthTable
        }

        @inline(__always) private func termScore(_ tf: Int, _ d: Int32, _ slot: Int, _ w: Float, _ avg: Float) -> Float
        {
            let dl = UInt32(
                littleEndian: lengths.loadUnaligned(fromByteOffset: (Int(d) * stride + slot) * 4, as: UInt32.self))
            return w * bm25.tfNorm(Float(tf), length: Float(dl), avgLength: avg)
        }

        /// Clause i's lead term's score on `d`, where it is.
        @inline(__always) func leadScore(_ i: Int, _ d: Int32) -> Float {
            termScore(cursors[i]._withUnsafeGuaranteedRef { $0.freq }, d, slots[i], weights[i], avgs[i])
        }

        /// Clause i's score on `d` given its lead term's: the other terms' scores added to it
        /// one by one.
        @inline(__always) func score(_ i: Int, _ d: Int32, lead: Float) -> Float {
            var s = lead
            var j = extraStart[i]
            while j < extraStart[i + 1] {
                let e = extra[j]
                let at = e.cursor._withUnsafeGuaranteedRef { $0.doc < d ? $0.advance(to: d) : $0.doc }
                if at == d { s += termScore(e.cursor._withUnsafeGuaranteedRef { $0.freq }, d, e.slot, e.weight, e.avg) }
                j += 1
            }
            return s
        }

        /// Clause i's score on `d`, where its lead term is.
        @inline(__always) func score(_ i: Int, _ d: Int32) -> Float { score(i, d, lead: leadScore(i, d)) }

        /// Bound of the lead term's score of clause i over block `b` of its postings.
        @inline(__always) func leadBound(_ i: Int, ofBlock b: Int, _ c: PostingsCursor) -> Float {
            bound(c, ofBlock: b, weights[i], avgs[i])
        }

        /// Bound of a term's score (weight `w`) over block `b` of its postings.
        @inline(__always) private func bound(_ c: PostingsCursor, ofBlock b: Int, _ w: Float, _ avg: Float) -> Float {
            let bm = bm25
            return w * c.bound(ofBlock: b) { tf, dl in bm.tfNorm(Float(tf), length: Float(dl), avgLength: avg) }
        }

        @inline(__always) func extraBound(_ i: Int) -> Float { extraBounds[i] }

        /// The other terms, all clauses' together.
        var extraCount: Int { extra.count }

        /// Bound of other term j's score on `d` or later documents of the block that would hold
        /// `d` (0 when it has none ≥ `d`), from its skip entry; `block`/`value` keep the last one.
        @inline(__always) func extraBlockBound(_ j: Int, _ d: Int32, _ block: inout Int, _ value: inout Float) -> Float
        {
            let e = extra[j]
            return e.cursor._withUnsafeGuaranteedRef { c in
                if c.doc > d { return 0 }  // past `d`: the term is not in it
                if c.doc == d { return termScore(c.freq, d, e.slot, e.weight, e.avg) }
                let b = c.shallowBlock(d)
                guard b < c.blockCountTotal else { return 0 }
                if b != block {
                    block = b
                    value = bound(c, ofBlock: b, e.weight, e.avg)
                }
                return value
            }
        }

        /// Bound of clause i's score over the lead's current block: the block's best impact,
        /// plus the other terms' global bounds.
        @inline(__always) func blockBound(_ i: Int) -> Float {
            let w = weights[i]
            let avg = avgs[i]
            let bm = bm25
            return w
                * cursors[i]._withUnsafeGuaranteedRef { c in
                    c.blockMax { tf, dl in bm.tfNorm(Float(tf), length: Float(dl), avgLength: avg) }
                } + extraBounds[i]
        }
    }

    /// Block bounds of each clause over a window of documents, from the skip entries alone (the
    /// block-max part of windowed MaxScore). Windows move forward, so each clause keeps the first
    /// block a window can touch, and the bound of the last block it computed (a window's last
    /// block is usually the next one's first).
    struct WindowBounds {
        private var first: [Int]
        private var memoBlock: [Int]
        private var memo: [Float]

        init(_ m: Int) {
            first = [Int](repeating: 0, count: m)
            memoBlock = [Int](repeating: -1, count: m)
            memo = [Float](repeating: 0, count: m)
        }

        /// The best score clause `i` can give a document in `from..<to` (0: none there).
        @inline(__always) mutating func bound(_ i: Int, from: Int32, to: Int32, _ sc: ClauseScoring) -> Float {
            let c = sc.cursors[i]
            return c._withUnsafeGuaranteedRef { c in
                if c.doc == PostingsCursor.end { return 0 }
                let n = c.blockCountTotal
                var b = first[i]
                while b < n && c.lastDoc(ofBlock: b) < from { b += 1 }
                first[i] = b
                var best: Float = 0
                while b < n {
                    let v: Float
                    if memoBlock[i] == b {
                        v = memo[i]
                    } else {
                        v = sc.leadBound(i, ofBlock: b, c)
                        memoBlock[i] = b
                        memo[i] = v
                    }
                    best = max(best, v)
                    if c.lastDoc(ofBlock: b) >= to - 1 { break }
                    b += 1
                }
                return best > 0 ? best + sc.extraBound(i) : 0
            }
        }
    }

    /// Clauses sorted by their score bounds, their scoring, and the bounds' prefix sums.
    static func maxScoreSetup(_ clauses: [Clause], segment: SegmentReader) -> ([Clause], ClauseScoring, [Float]) {
        let sorted = clauses.sorted { $0.maxScore < $1.maxScore }
        var prefix = [Float](repeating: 0, count: sorted.count + 1)
        for i in sorted.indices { prefix[i + 1] = prefix[i] + sorted[i].maxScore }
        return (sorted, ClauseScoring(sorted, segment: segment), prefix)
    }

    /// A lower bound of the k-th best score before any hit is collected: the exact scores of
    /// the first k documents of the clause with the highest bound (read with cursors of their
    /// own), the k-th of them, less a margin for rounding — k documents score at least that, so
    /// nothing below it can make the top k. MaxScore then prunes from its first candidate
    /// instead of walking a common word's postings until ten good hits turn up.
    static func seedThreshold(_ sorted: [Clause], k: Int, segment: SegmentReader, filter: DocFilter? = nil) -> Float {
        let filter = filter ?? DocFilter(segment)
        guard k > 0, let top = sorted.last else { return -Float.infinity }
        func fresh(_ t: TermScorer) -> TermScorer {
            TermScorer(cursor: segment.cursor(t.cursor.info), weight: t.weight, slot: t.slot, ctx: t.ctx)
        }
        let probe = sorted.map { Clause(lead: fresh($0.lead), rest: $0.rest.map(fresh)) }
        let sc = ClauseScoring(probe, segment: segment)
        let driver = fresh(top.lead)
        var scores: [Float] = []
        return withExtendedLifetime((probe, driver)) {
            var d = driver.next()
            while d != PostingsCursor.end && scores.count < k {
                if !filter.active || filter.accepts(d) {
                    var s: Float = 0
                    for i in probe.indices {
                        let at = sc.cursors[i]._withUnsafeGuaranteedRef { $0.advance(to: d) }
                        if at == d { s += sc.score(i, d) }
                    }
                    scores.append(s)
                }
                d = driver.next()
            }
            guard scores.count == k, let kth = scores.min() else { return -Float.infinity }
            return kth - abs(kth) * 1e-4
        }
    }

    /// Adds the non-essential clauses (those below `firstEssential`) on `d` to its essential
    /// part `s`, largest bound first, while they can still lift it over the k-th score.
    @inline(__always)
    static func addNonEssential(
        _ d: Int32, _ s: Float, below firstEssential: Int, prefix: [Float], docs: inout [Int32], sc: ClauseScoring,
        full: Bool, threshold: Float
    ) -> Float {
        var s = s
        var i = firstEssential - 1
        while i >= 0 {
            if full && s + prefix[i + 1] <= threshold { break }
            if docs[i] < d { docs[i] = sc.cursors[i]._withUnsafeGuaranteedRef { $0.advance(to: d) } }
            if docs[i] == d { s += sc.score(i, d) }
            i -= 1
        }
        return s
    }

    /// MaxScore over clauses of terms (see `ClauseScoring`). `phrase`: the whole-query phrase of
    /// a 2–3-word query, whose words are the clauses — its documents hold every word, so it never
    /// brings a candidate of its own: it is added last, only where it can still lift a candidate
    /// over the k-th score, and an essential clause always remains while it could.
    static func termMaxScore(
        _ clauses: [Clause], phrase: PhraseScorer? = nil, segment: SegmentReader, into heap: inout TopK,
        filter: DocFilter? = nil
    ) -> Int {
        let filter = filter ?? DocFilter(segment)
        if clauses.count >= windowedClauses && phrase == nil {
            return windowedMaxScore(clauses, segment: segment, into: &heap, filter: filter)
        }
        let (sorted, sc, prefix) = maxScoreSetup(clauses, segment: segment)
        // The seed reads each term again with a cursor of its own (a skip-list parse each): worth
        // it for clauses of one term (the plain analyzer: `a OR b` on en-all p99 2.1 -> 0.8 ms),
        // not for english words of three terms each (2–3-word queries: p50 +15 %, tails level).
        // Only where a slow start is likely: the clause that can score most (which drives the
        // seed) is far rarer than the commonest clause, whose postings MaxScore would walk.
        let dfs = sorted.map { $0.lead.cursor.info.docFreq }
        let seeded =
            !heap.isFull && sorted.allSatisfy { $0.rest.isEmpty } && (dfs.max() ?? 0) >= 64 * max(dfs.last ?? 0, 1)
        let seed = seeded ? seedThreshold(sorted, k: heap.k, segment: segment, filter: filter) : -Float.infinity
        let phraseBound = phrase.map { $0.maxScore } ?? 0
        let phraseRef = phrase.map { Unmanaged.passUnretained($0) }
        // Clause sums are compared with a margin for rounding when the phrase bound is added.
        let margin: (Float) -> Float = { t in phraseBound + abs(t) * 1e-4 }
        let m = sorted.count
        let cursors = sc.cursors
        let filtered = filter.active
        var docs = cursors.map { c in c._withUnsafeGuaranteedRef { $0.next() } }
        var firstEssential = 0
        var n = 0
        return withExtendedLifetime((sorted, phrase)) {
            // One pass over the essential clauses per candidate: score the ones on `d`, move
            // them on, and note the next candidate.
            var d = PostingsCursor.end
            for i in 0..<m where docs[i] < d { d = docs[i] }
            while d != PostingsCursor.end {
                // Prune with the heap's k-th score or, before the heap is full, the seed's.
                let full = heap.isFull || seed > -Float.infinity
                let t = max(heap.threshold, seed)
                if full {
                    if phrase != nil {
                        // Documents on non-essential clauses only cannot hold the phrase.
                        if prefix[m] <= t - margin(t) { break }
                        while firstEssential < m - 1 && prefix[firstEssential + 1] <= t { firstEssential += 1 }
                    } else {
                        while firstEssential < m && prefix[firstEssential + 1] <= t { firstEssential += 1 }
                        if firstEssential == m { break }
                    }
                }
                var s: Float = 0
                var next = PostingsCursor.end
                for i in firstEssential..<m {
                    if docs[i] == d {
                        s += sc.score(i, d)
                        docs[i] = cursors[i]._withUnsafeGuaranteedRef { $0.next() }
                    }
                    if docs[i] < next { next = docs[i] }
                }
                s = addNonEssential(
                    d, s, below: firstEssential, prefix: prefix, docs: &docs, sc: sc, full: full,
                    threshold: phrase == nil ? t : t - margin(t))
                // The phrase only where it could lift the document over the k-th score.
                // (Through an unretained reference: binding the optional retained and released
                // the phrase scorer at every candidate.)
                if let p = phraseRef, !full || s > t - margin(t),
                    p._withUnsafeGuaranteedRef({ $0.occurs(in: d, needed: full ? t - s - abs(t) * 1e-4 : nil) })
                {
                    s += p._withUnsafeGuaranteedRef { $0.score() }
                }
                if !filtered || filter.accepts(d) {
                    n += 1
                    heap.offer(doc: segment.docBase + Int(d), score: s)
                }
                d = next
            }
            return n
        }
    }

    /// From this many clauses on (long queries, `related`), MaxScore runs a window at a time.
    static let windowedClauses = 8
    static let window = 8192

    /// MaxScore a window of documents at a time: each essential clause adds its scores for the
    /// window into an accumulator (term at a time, a tight loop over one posting list), then the
    /// window's candidates are finished in document order with the non-essential clauses, as in
    /// `termMaxScore`. The essential clauses are chosen at each window's start from the clauses'
    /// bounds over that window (the best impact of the blocks it overlaps, from the skip entries):
    /// a common word whose blocks there hold only long articles or low frequencies stops being
    /// essential, where its bound over the whole segment would keep it. The clauses are ordered
    /// by bound per posting rather than by bound, so that the non-essential ones save the most
    /// postings (`related` on en-all: 15–20 % less time). A document's score adds its essential
    /// clauses in that order, then its non-essential ones from the last down.
    static func windowedMaxScore(
        _ clauses: [Clause], segment: SegmentReader, into heap: inout TopK, window w: Int = window,
        filter: DocFilter? = nil
    ) -> Int {
        let filter = filter ?? DocFilter(segment)
        precondition(w > 0 && w % 64 == 0)
        // Clauses in order of bound per posting: the non-essential ones (a prefix of this order
        // whose bounds sum to at most the k-th score) are then those that save the most postings
        // for their share of the bound — common words before rare ones of the same weight.
        let sorted = clauses.sorted {
            let a = $0.maxScore / Float(max($0.lead.cursor.info.docFreq, 1))
            let b = $1.maxScore / Float(max($1.lead.cursor.info.docFreq, 1))
            return a != b ? a < b : $0.maxScore < $1.maxScore
        }
        let sc = ClauseScoring(sorted, segment: segment)
        let m = sorted.count
        let cursors = sc.cursors
        let filtered = filter.active
        var docs = cursors.map { c in c._withUnsafeGuaranteedRef { $0.next() } }
        var bounds = WindowBounds(m)
        // Prefix sums of the window's clause bounds (non-essential clauses are those whose sum
        // stays at or below the k-th score).
        var prefix = [Float](repeating: 0, count: m + 1)
        var n = 0
        var acc = [Float](repeating: 0, count: w)
        var seen = [UInt64](repeating: 0, count: w / 64)
        return withExtendedLifetime(sorted) {
            var start = docs.min() ?? PostingsCursor.end
            while start != PostingsCursor.end {
                let end = Int32(min(Int(start) + w, Int(PostingsCursor.end)))
                var firstEssential = 0
                if heap.isFull {
                    for i in 0..<m { prefix[i + 1] = prefix[i] + bounds.bound(i, from: start, to: end, sc) }
                    let t = heap.threshold
                    while firstEssential < m && prefix[firstEssential + 1] <= t { firstEssential += 1 }
                }
                if firstEssential < m {
                    for i in firstEssential..<m {
                        var d = docs[i]
                        if d < start { d = cursors[i]._withUnsafeGuaranteedRef { $0.advance(to: start) } }
                        while d < end {
                            let k = Int(d - start)
                            acc[k] += sc.score(i, d)
                            seen[k >> 6] |= 1 << UInt64(k & 63)
                            d = cursors[i]._withUnsafeGuaranteedRef { $0.next() }
                        }
                        docs[i] = d
                    }
                    for word in 0..<(w / 64) {
                        var bits = seen[word]
                        if bits == 0 { continue }
                        seen[word] = 0
                        while bits != 0 {
                            let k = word * 64 + bits.trailingZeroBitCount
                            bits &= bits - 1
                            let d = start + Int32(k)
                            let s = addNonEssential(
                                d, acc[k], below: firstEssential, prefix: prefix, docs: &docs, sc: sc,
                                full: heap.isFull, threshold: heap.threshold)
                            acc[k] = 0
                            if !filtered || filter.accepts(d) {
                                n += 1
                                heap.offer(doc: segment.docBase + Int(d), score: s)
                            }
                        }
                    }
                }
                // The next window starts at the first document any clause may still hold. A
                // non-essential clause's cursor may lag behind this window: it may hold documents
                // from `end` on if its last block ends there or later.
                var next = PostingsCursor.end
                for i in 0..<m {
                    var d = docs[i]
                    if d < end {
                        d = cursors[i]._withUnsafeGuaranteedRef { c in
                            c.blockCountTotal > 0 && c.lastDoc(ofBlock: c.blockCountTotal - 1) >= end
                                ? end : PostingsCursor.end
                        }
                    }
                    if d < next { next = d }
                }
                start = next
            }
            return n
        }
    }

    /// A conjunction of term clauses: leap-frog from the rarest lead term, and block-max
    /// skipping — when the clauses' current blocks together cannot beat the k-th score, every
    /// document up to the first of those blocks' ends is skipped unscored.
    static func termConjunction(
        _ clauses: [Clause], segment: SegmentReader, into heap: inout TopK, filter: DocFilter? = nil
    ) -> Int {
        let filter = filter ?? DocFilter(segment)
        let sorted = clauses.sorted { $0.lead.cursor.info.docFreq < $1.lead.cursor.info.docFreq }
        let m = sorted.count
        let sc = ClauseScoring(sorted, segment: segment)
        let cursors = sc.cursors
        let filtered = filter.active
        let end = PostingsCursor.end
        var n = 0
        return withExtendedLifetime(sorted) {
            var target: Int32 = 0
            var windowEnd: Int32 = -1
            var windowBound: Float = 0
            let hasExtras = sorted.contains { !$0.rest.isEmpty }
            let extrasBound = (0..<m).reduce(Float(0)) { $0 + sc.extraBound($1) }
            var leadScores = [Float](repeating: 0, count: m)
            var windows = 0
            var tried = 0
            var pruned = 0
            // Shallow checks: the rarest term's score on its document plus the other terms'
            // bounds over the blocks that hold it (found from skip entries, not decoded). Tried
            // while at least one in eight prunes, else on every 8th candidate; not for words
            // with other terms (titles, exact forms): their global bounds are too loose to
            // prune, and the checks only cost (English AND p50 227 -> 250 µs with them).
            var extraBlock = [Int](repeating: -1, count: hasExtras ? sc.extraCount : 0)
            var extraValue = [Float](repeating: 0, count: hasExtras ? sc.extraCount : 0)
            var extraTried = 0
            var extraPruned = 0
            var boundBlock = [Int](repeating: -1, count: hasExtras ? 0 : m)
            var boundValue = [Float](repeating: 0, count: hasExtras ? 0 : m)
            var candidates = 0
            var shallowTried = 0
            var shallowPruned = 0
            outer: while true {
                // Leap-frog: every lead term on one document `d`.
                var d = cursors[0]._withUnsafeGuaranteedRef { $0.advance(to: target) }
                while true {
                    if d == end { break outer }
                    candidates += 1
                    if !hasExtras && heap.isFull
                        && (shallowTried < 64 || shallowPruned * 8 >= shallowTried || candidates & 7 == 0)
                    {
                        shallowTried += 1
                        var bound = sc.leadScore(0, d)
                        for i in 1..<m {
                            let left = cursors[i]._withUnsafeGuaranteedRef { c -> Bool in
                                let b = c.shallowBlock(d)
                                guard b < c.blockCountTotal else { return false }
                                if b != boundBlock[i] {
                                    boundBlock[i] = b
                                    boundValue[i] = sc.leadBound(i, ofBlock: b, c)
                                }
                                return true
                            }
                            if !left { break outer }  // no document ≥ d left in this term
                            bound += boundValue[i]
                        }
                        if bound * 1.0001 <= heap.threshold {
                            shallowPruned += 1
                            d = cursors[0]._withUnsafeGuaranteedRef { $0.advance(to: d + 1) }
                            continue
                        }
                    }
                    var agreed = true
                    for i in 1..<m {
                        let x = cursors[i]._withUnsafeGuaranteedRef { $0.advance(to: d) }
                        if x == end { break outer }
                        if x > d {
                            d = cursors[0]._withUnsafeGuaranteedRef { $0.advance(to: x) }
                            agreed = false
                            break
                        }
                    }
                    if agreed { break }
                }
                if heap.isFull {
                    // The window where every cursor stays in its current block, and the sum of
                    // their block bounds: computed once per window, not per candidate (cursors
                    // only move forward, so up to `windowEnd` each is still in that block).
                    if d > windowEnd || windowEnd < 0 {
                        windowEnd = Int32.max
                        for i in 0..<m {
                            windowEnd = min(windowEnd, cursors[i]._withUnsafeGuaranteedRef { $0.blockLastDoc })
                        }
                        // The bound costs each block's impacts; where windows seldom prune (two
                        // common words: most blocks hold a short document with a high tf), only
                        // every 8th window is tried, until they prune again.
                        windows += 1
                        if windows <= 16 || pruned * 8 >= tried || windows & 7 == 0 {
                            tried += 1
                            windowBound = 0
                            for i in 0..<m { windowBound += sc.blockBound(i) }
                            if windowBound <= heap.threshold { pruned += 1 }
                        } else {
                            windowBound = .infinity
                        }
                    }
                    if windowBound <= heap.threshold {
                        if windowEnd == end || windowEnd == Int32.max { break }
                        target = windowEnd + 1
                        continue
                    }
                }
                var s: Float = 0
                if hasExtras {
                    // Words with other terms (title, exact form): their lead terms' scores and
                    // the others' bounds first; a document that cannot enter stops there,
                    // without moving the other terms' cursors (each move may decode a block). The score is then
                    // summed as `score` does, the same float for float; the bound has a margin
                    // for the different order of its sum.
                    var leads: Float = 0
                    for i in 0..<m {
                        leadScores[i] = sc.leadScore(i, d)
                        leads += leadScores[i]
                    }
                    if heap.isFull && (leads + extrasBound) * 1.0001 <= heap.threshold {
                        target = d + 1
                        continue
                    }
                    // Then the other terms' bounds over the blocks that hold `d` (from their
                    // skip entries: nothing decoded), while at least one in eight prunes.
                    if heap.isFull
                        && (extraTried < 64 || extraPruned * 8 >= extraTried || candidates & 7 == 0)
                    {
                        extraTried += 1
                        var bound = leads
                        for j in 0..<extraBlock.count {
                            bound += sc.extraBlockBound(j, d, &extraBlock[j], &extraValue[j])
                        }
                        if bound * 1.0001 <= heap.threshold {
                            extraPruned += 1
                            target = d + 1
                            continue
                        }
                    }
                    for i in 0..<m { s += sc.score(i, d, lead: leadScores[i]) }
                } else {
                    for i in 0..<m { s += sc.score(i, d) }
                }
                if !filtered || filter.accepts(d) {
                    n += 1
                    heap.offer(doc: segment.docBase + Int(d), score: s)
                }
                target = d + 1
            }
            return n
        }
    }

    static func maxScore(_ clauses: [Scorer], segment: SegmentReader, into heap: inout TopK, filter: DocFilter? = nil)
        -> Int
    {
        let filter = filter ?? DocFilter(segment)
        let sorted = clauses.sorted { $0.maxScore < $1.maxScore }
        let bounds = sorted.map(\.maxScore)
        var prefix = [Float](repeating: 0, count: sorted.count + 1)
        for i in 0..<sorted.count { prefix[i + 1] = prefix[i] + bounds[i] }
        for c in sorted { _ = c.next() }
        let filtered = filter.active
        var firstEssential = 0
        var n = 0
        while true {
            // Clauses below `firstEssential` together cannot reach the threshold.
            if heap.isFull {
                while firstEssential < sorted.count && prefix[firstEssential + 1] <= heap.threshold {
                    firstEssential += 1
                }
                if firstEssential == sorted.count { break }
            }
            var d = PostingsCursor.end
            for i in firstEssential..<sorted.count where sorted[i].doc < d { d = sorted[i].doc }
            if d == PostingsCursor.end { break }
            var score: Float = 0
            for i in firstEssential..<sorted.count where sorted[i].doc == d { score += sorted[i].score() }
            // Non-essential clauses, largest first, while they can still lift the score over.
            var i = firstEssential - 1
            while i >= 0 {
                if heap.isFull && score + prefix[i + 1] <= heap.threshold { break }
                let c = sorted[i]
                if c.doc < d { _ = c.advance(to: d) }
                if c.doc == d { score += c.score() }
                i -= 1
            }
            if !filtered || filter.accepts(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: score)
            }
            for j in firstEssential..<sorted.count where sorted[j].doc == d { _ = sorted[j].next() }
        }
        return n
    }
}
