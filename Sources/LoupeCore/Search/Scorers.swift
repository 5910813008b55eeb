/// Per-segment cursors that match and score documents, document at a time.
///
/// Every scorer starts before its first document (`doc == -1`); `next()` and `advance(to:)`
/// move forward only; `PostingsCursor.end` marks exhaustion.
class Scorer {
    var doc: Int32 = -1
    func next() -> Int32 { fatalError("abstract") }
    func advance(to target: Int32) -> Int32 {
        while doc < target { _ = next() }
        return doc
    }
    func score() -> Float { 0 }
    /// Matched spans in the current document (positional scorers only).
    func spans() -> [Span] { [] }
    var positional: Bool { false }
    /// An upper bound of `score()` over every document (for MaxScore pruning).
    var maxScore: Float { .infinity }
    /// Documents after `d` are not looked for: a scorer asked about one document (highlighting,
    /// `--explain`) stops there, where a phrase or NEAR would search on to its next match.
    func stop(after d: Int32) {}

    /// Whether document `d` matches, looked for at `d` alone (a one-shot question: the scorer
    /// searches no further).
    final func matches(_ d: Int32) -> Bool {
        stop(after: d)
        return advance(to: d) == d
    }
}

final class EmptyScorer: Scorer {
    override init() {
        super.init()
        doc = PostingsCursor.end
    }
    override func next() -> Int32 { doc }
    override func advance(to target: Int32) -> Int32 { doc }
}

/// Statistics a scorer needs from its segment.
struct ScoringContext {
    let segment: SegmentReader
    let bm25: BM25
    let avgLength: [Float]
}

final class TermScorer: Scorer {
    let cursor: PostingsCursor
    let weight: Float  // idf × boost
    let slot: Int
    let ctx: ScoringContext

    init(cursor: PostingsCursor, weight: Float, slot: Int, ctx: ScoringContext) {
        self.cursor = cursor
        self.weight = weight
        self.slot = slot
        self.ctx = ctx
    }

    override func next() -> Int32 {
        doc = cursor.next()
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        doc = cursor.advance(to: target)
        return doc
    }

    override func score() -> Float {
        let dl = Float(ctx.segment.length(doc, slot: slot))
        return weight * ctx.bm25.tfNorm(Float(cursor.freq), length: dl, avgLength: ctx.avgLength[slot])
    }

    private let positionBuf = PositionBuffer()
    private var spanBuf: [Span] = []

    override func spans() -> [Span] {
        cursor.positions(into: positionBuf)
        spanBuf.removeAll(keepingCapacity: true)
        for i in 0..<positionBuf.count { spanBuf.append(Span(positionBuf[i], positionBuf[i])) }
        return spanBuf
    }
    override var positional: Bool { true }

    /// Largest tf with the shortest document bounds the score: BM25 grows with tf and falls with
    /// length.
    override var maxScore: Float {
        weight
            * ctx.bm25.tfNorm(
                Float(cursor.maxFreq), length: Float(cursor.minLength), avgLength: ctx.avgLength[slot])
    }

    /// Moves to the first document of the first later block whose bound is above `threshold`
    /// (the blocks passed over are judged by their skip entries alone, never decoded).
    func skipBlocks(above threshold: Float) -> Int32 {
        let bm = ctx.bm25
        let avg = ctx.avgLength[slot]
        let w = weight
        doc = cursor.skipBlocks(above: threshold) { tf, dl in
            w * bm.tfNorm(Float(tf), length: Float(dl), avgLength: avg)
        }
        return doc
    }

    /// The same bound for the block holding the current document.
    var blockMaxScore: Float {
        let bm = ctx.bm25
        let avg = ctx.avgLength[slot]
        return weight * cursor.blockMax { tf, dl in bm.tfNorm(Float(tf), length: Float(dl), avgLength: avg) }
    }
}

/// Several terms of one field scored as one (a word and its synonyms, as Lucene's SynonymQuery):
/// a document's frequencies are summed before BM25 saturates them, and one weight (one idf)
/// serves all, so an article that writes both `Kiev` and `Kyiv` is not scored twice, and the
/// rarer spelling does not outrank the common one by its idf. It is no `OrScorer`: top-k
/// collection takes an `OrScorer`'s terms apart and scores each on its own.
final class BlendScorer: Scorer {
    /// The terms' documents, walked as one (`MultiPhraseScorer`'s union of a pattern's words).
    let union: UnionCursor
    let weight: Float
    let slot: Int
    let ctx: ScoringContext

    init(cursors: [PostingsCursor], weight: Float, slot: Int, ctx: ScoringContext) {
        union = UnionCursor(cursors)
        self.weight = weight
        self.slot = slot
        self.ctx = ctx
    }

    override func next() -> Int32 {
        doc = union.next()
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        doc = union.advance(to: target)
        return doc
    }

    /// The summed frequency of the current document.
    var freq: Int {
        var f = 0
        union.forEachOnDocument { f += $0.freq }
        return f
    }

    override func score() -> Float {
        let dl = Float(ctx.segment.length(doc, slot: slot))
        return weight * ctx.bm25.tfNorm(Float(freq), length: dl, avgLength: ctx.avgLength[slot])
    }

    private let positions = PositionBuffer()

    override func spans() -> [Span] {
        union.positions(into: positions)
        return (0..<positions.count).map { Span(positions[$0], positions[$0]) }
    }
    override var positional: Bool { true }

    /// The summed largest frequencies with the shortest document bound the score.
    override var maxScore: Float {
        var f = 0
        var len = UInt32.max
        for c in union.cursors {
            f += Int(c.maxFreq)
            len = min(len, c.minLength)
        }
        return weight * ctx.bm25.tfNorm(Float(f), length: Float(len), avgLength: ctx.avgLength[slot])
    }
}

/// Documents where a positional match exists; scored as a pseudo-term whose frequency is the
/// sum of match weights.
class PositionalScorer: Scorer {
    let weight: Float
    let slot: Int
    let ctx: ScoringContext
    var matches: [Span] = []

    init(weight: Float, slot: Int, ctx: ScoringContext) {
        self.weight = weight
        self.slot = slot
        self.ctx = ctx
    }

    override func score() -> Float { score(frequency: matches.reduce(Float(0)) { $0 + $1.weight }, doc: doc) }

    /// The score of `doc` with this match frequency (monotone in it).
    @inline(__always) func score(frequency f: Float, doc d: Int32) -> Float {
        if slot == BoundQuery.unnormalizedSlot {
            // Scored as if the article had the average length.
            return weight * ctx.bm25.tfNorm(f, length: ctx.avgLength[0], avgLength: ctx.avgLength[0])
        }
        let dl = Float(ctx.segment.length(d, slot: slot))
        return weight * ctx.bm25.tfNorm(f, length: dl, avgLength: ctx.avgLength[slot])
    }

    /// Set by a top-k collector: documents that cannot score above it may be passed over.
    var minCompetitive = -Float.infinity

    /// The last document searched (`stop(after:)`).
    var stopAfter = Int32.max
    override func stop(after d: Int32) { stopAfter = d }

    /// Whether `d` cannot beat `minCompetitive` even with `frequency` matches (a bound).
    @inline(__always) func cannotCompete(frequency: Int, doc d: Int32) -> Bool {
        minCompetitive > -Float.infinity && score(frequency: Float(frequency), doc: d) <= minCompetitive
    }

    override func spans() -> [Span] { matches }
    override var positional: Bool { true }
    /// tf normalisation never exceeds k1 + 1.
    override var maxScore: Float { weight * (ctx.bm25.k1 + 1) }
}

final class PhraseScorer: PositionalScorer {
    let cursors: [PostingsCursor]
    let offsets: [Int32]
    let slop: Int
    private let buffers: [PositionBuffer]
    /// `buffers` again, unretained, and the lists the matcher reads from them.
    private let unretainedBuffers: [Unmanaged<PositionBuffer>]
    private let positionLists: SpanMatcher.Lists
    /// A two-word phrase's cursors, held unretained (`cursors` owns them): no reference counting
    /// per document in the leap-frog.
    private let pairA: Unmanaged<PostingsCursor>?
    private let pairB: Unmanaged<PostingsCursor>?
    /// Every cursor unretained, for the loops over more than two.
    private let unretained: [Unmanaged<PostingsCursor>]
    private let bufA = PositionBuffer()
    private let bufB = PositionBuffer()

    init(cursors: [PostingsCursor], offsets: [Int32], slop: Int, weight: Float, slot: Int, ctx: ScoringContext) {
        // Rarest term first: it drives the leap-frog.
        let order = cursors.indices.sorted { cursors[$0].info.docFreq < cursors[$1].info.docFreq }
        self.cursors = order.map { cursors[$0] }
        self.offsets = order.map { offsets[$0] }
        self.slop = slop
        buffers = cursors.map { _ in PositionBuffer() }
        unretainedBuffers = buffers.map { Unmanaged.passUnretained($0) }
        positionLists = SpanMatcher.Lists(offsets: self.offsets)
        pairA = cursors.count == 2 ? Unmanaged.passUnretained(self.cursors[0]) : nil
        pairB = cursors.count == 2 ? Unmanaged.passUnretained(self.cursors[1]) : nil
        unretained = self.cursors.map { Unmanaged.passUnretained($0) }
        super.init(weight: weight, slot: slot, ctx: ctx)
    }

    /// Leap-frog to the next document containing every term, from `target`.
    private func align(_ target: Int32) -> Int32 {
        var t = target
        if let a = pairA, let b = pairB {
            // Two terms (the common case): leap-frog without touching the array.
            var da = a._withUnsafeGuaranteedRef { $0.advance(to: t) }
            while da != PostingsCursor.end {
                let db = b._withUnsafeGuaranteedRef { $0.advance(to: da) }
                if db == da { return da }
                if db == PostingsCursor.end { return db }
                da = a._withUnsafeGuaranteedRef { $0.advance(to: db) }
            }
            return da
        }
        while true {
            var agreed = true
            for c in unretained {
                let d = c._withUnsafeGuaranteedRef { $0.advance(to: t) }
                if d == PostingsCursor.end { return d }
                if d > t {
                    t = d
                    agreed = false
                }
            }
            if agreed { return t }
        }
    }

    private func search(from target: Int32) -> Int32 {
        var t = target
        while true {
            let d = align(t)
            if d == PostingsCursor.end || d > stopAfter {
                doc = PostingsCursor.end
                return doc
            }
            if slop == 0 && minCompetitive > -Float.infinity {
                // An exact phrase occurs at most as often as its rarest word in the document:
                // when even that frequency cannot compete, its positions are never read.
                var f = Int.max
                if let a = pairA, let b = pairB {
                    f = min(a._withUnsafeGuaranteedRef { $0.freq }, b._withUnsafeGuaranteedRef { $0.freq })
                } else {
                    for c in unretained { f = min(f, c._withUnsafeGuaranteedRef { $0.freq }) }
                }
                if cannotCompete(frequency: f, doc: d) {
                    t = d + 1
                    continue
                }
            }
            if matchPositions() {
                doc = d
                return d
            }
            t = d + 1
        }
    }

    /// The phrase's matches in the document every cursor is on; true when there are any.
    private func matchPositions() -> Bool {
        if slop == 0, let a = pairA, let b = pairB {
            a._withUnsafeGuaranteedRef { $0.positions(into: bufA) }
            b._withUnsafeGuaranteedRef { $0.positions(into: bufB) }
            SpanMatcher.exactPair(
                bufA, bufB, delta: offsets[1] - offsets[0], start: offsets[0], lo: positionLists.lo,
                hi: positionLists.hi, into: &matches)
        } else {
            let lists = positionLists
            for i in 0..<lists.k {
                unretainedBuffers[i]._withUnsafeGuaranteedRef { buffer in
                    unretained[i]._withUnsafeGuaranteedRef { $0.positions(into: buffer) }
                    lists.set(i, buffer)
                }
            }
            SpanMatcher.phrase(lists, slop: slop, into: &matches)
        }
        return !matches.isEmpty
    }

    /// Whether the phrase occurs in `d` (≥ every cursor's document), looking at `d` alone —
    /// never searching past it; on true, `doc` is `d` and `score()` scores it. With `needed`,
    /// also false when the phrase could not score above it: an exact phrase occurs at most as
    /// often as its rarest word, so then its positions are never read.
    func occurs(in d: Int32, needed: Float? = nil) -> Bool {
        for c in unretained where c._withUnsafeGuaranteedRef({ $0.advance(to: d) }) != d { return false }
        if let needed, slop == 0 {
            var f = Int.max
            for c in unretained { f = min(f, c._withUnsafeGuaranteedRef { $0.freq }) }
            if score(frequency: Float(f), doc: d) <= needed { return false }
        }
        guard matchPositions() else { return false }
        doc = d
        return true
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : search(from: doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : search(from: target) }
}

/// Several terms' postings read as one: the documents of any, and their positions merged (one
/// position of a `MultiPhraseScorer` that may be any of a pattern's words).
final class UnionCursor: Scorer {
    let cursors: [PostingsCursor]
    /// Documents summed over the terms (an upper bound of the union's): the rarest position
    /// leads the leap-frog.
    let docFreq: Int
    private let buffer = PositionBuffer()
    /// Of more than a few terms (a pattern's hundreds of words): their indices in a min-heap by
    /// current document, so that an advance moves only the cursors behind the target (a scan of
    /// every cursor per advance made `"the s*"~2` four times slower than `the NEAR/2 s*`).
    private var heap: [Int]
    private let usesHeap: Bool
    /// Scratch: the heap slots holding the current document.
    private var stack: [Int] = []

    /// The cursors again, unretained (`cursors` keeps them): no reference counting per move.
    private let unretained: [Unmanaged<PostingsCursor>]

    init(_ cursors: [PostingsCursor]) {
        self.cursors = cursors
        unretained = cursors.map { Unmanaged.passUnretained($0) }
        docFreq = cursors.reduce(0) { $0 + $1.info.docFreq }
        usesHeap = cursors.count > 8
        // Every cursor starts before its first document: any order is a heap.
        heap = usesHeap ? Array(cursors.indices) : []
    }

    @inline(__always) private func docOf(_ slot: Int) -> Int32 {
        unretained[heap[slot]]._withUnsafeGuaranteedRef { $0.doc }
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : advance(to: doc + 1) }

    override func advance(to target: Int32) -> Int32 {
        if doc >= target { return doc }
        if usesHeap {
            while docOf(0) < target {
                _ = unretained[heap[0]]._withUnsafeGuaranteedRef { $0.advance(to: target) }
                siftDown(0)
            }
            doc = docOf(0)
            return doc
        }
        var m = PostingsCursor.end
        for u in unretained {
            let d = u._withUnsafeGuaranteedRef { c in c.doc >= target ? c.doc : c.advance(to: target) }
            if d < m { m = d }
        }
        doc = m
        return m
    }

    private func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let top = docOf(start)
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var m = l
            var dm = docOf(l)
            if l + 1 < n {
                let dr = docOf(l + 1)
                if dr < dm {
                    m = l + 1
                    dm = dr
                }
            }
            if dm >= top { return }
            heap.swapAt(i, m)
            i = m
        }
    }

    /// Calls `body` with each cursor on the current document.
    func forEachOnDocument(_ body: (PostingsCursor) -> Void) {
        guard usesHeap else {
            for c in cursors where c.doc == doc { body(c) }
            return
        }
        // The heap's slots on the current document form a subtree at its root.
        stack.removeAll(keepingCapacity: true)
        if !heap.isEmpty && cursors[heap[0]].doc == doc { stack.append(0) }
        while let i = stack.popLast() {
            body(cursors[heap[i]])
            let l = 2 * i + 1
            if l < heap.count && cursors[heap[l]].doc == doc { stack.append(l) }
            if l + 1 < heap.count && cursors[heap[l + 1]].doc == doc { stack.append(l + 1) }
        }
    }

    /// The positions of every term on the current document, ascending.
    func positions(into out: PositionBuffer) {
        out.count = 0
        var several = false
        forEachOnDocument { c in
            c.positions(into: buffer)
            if out.count > 0 { several = true }
            out.append(buffer.values, buffer.count)
        }
        if several {
            var all = UnsafeMutableBufferPointer(start: out.values, count: out.count)
            all.sort()
        }
    }
}

/// A phrase whose positions may each be any of several terms (Lucene's MultiPhraseQuery), with
/// `PhraseScorer`'s slop rules: the documents where every position has a term, leap-frogged from
/// the rarest, then their merged positions matched.
final class MultiPhraseScorer: PositionalScorer {
    let unions: [UnionCursor]
    let offsets: [Int32]
    let slop: Int
    private let buffers: [PositionBuffer]
    private let lists: SpanMatcher.Lists
    /// The documents where every position has a term.
    private let every: AndScorer

    init(unions: [UnionCursor], offsets: [Int32], slop: Int, weight: Float, slot: Int, ctx: ScoringContext) {
        let order = unions.indices.sorted { unions[$0].docFreq < unions[$1].docFreq }
        self.unions = order.map { unions[$0] }
        self.offsets = order.map { offsets[$0] }
        self.slop = slop
        buffers = unions.map { _ in PositionBuffer() }
        lists = SpanMatcher.Lists(offsets: self.offsets)
        every = AndScorer(self.unions)
        super.init(weight: weight, slot: slot, ctx: ctx)
    }

    private func search(from target: Int32) -> Int32 {
        var d = every.advance(to: target)
        while d != PostingsCursor.end {
            if d > stopAfter {
                d = PostingsCursor.end
                break
            }
            for i in 0..<unions.count {
                unions[i].positions(into: buffers[i])
                lists.set(i, buffers[i])
            }
            SpanMatcher.phrase(lists, slop: slop, into: &matches)
            if !matches.isEmpty { break }
            d = every.next()
        }
        doc = d
        return d
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : search(from: doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : search(from: target) }
}

final class NearScorer: PositionalScorer {
    let a: Scorer
    let b: Scorer
    let distance: Int
    let ordered: Bool

    /// Each side as positions when it is a plain word or an OR of plain words (a pattern's
    /// expansions): the side's documents and merged positions come from one cursor or a
    /// `UnionCursor` (a heap beyond 8 words: an advance moves only the words behind it, where the
    /// OR's advance visited all of its up to 1,024), and both sides' positions are matched
    /// directly (`SpanMatcher.nearPositions`). Nil when a side is anything else (a phrase, a
    /// group of phrases): then the sides' spans.
    private let wordsA: Scorer?
    private let wordsB: Scorer?
    private let bufferA = PositionBuffer()
    private let bufferB = PositionBuffer()

    /// A side read as positions: a word's cursor, or a union of words.
    private enum Words {
        case word(Unmanaged<PostingsCursor>)
        case union(Unmanaged<UnionCursor>)
    }
    /// The same, unretained (the scorers above own them): no reference counting per document.
    private let positionsA: Words?
    private let positionsB: Words?
    /// What each side walks: its words, or the side itself.
    private let walkA: Unmanaged<Scorer>
    private let walkB: Unmanaged<Scorer>
    /// Side `a`'s cursor when it is one word (its frequency bounds the score).
    private let leadCursor: Unmanaged<PostingsCursor>?

    init(a: Scorer, b: Scorer, distance: Int, ordered: Bool, weight: Float, slot: Int, ctx: ScoringContext) {
        self.a = a
        self.b = b
        self.distance = distance
        self.ordered = ordered
        func words(_ s: Scorer) -> Scorer? {
            if s is TermScorer { return s }
            if type(of: s) == OrScorer.self, let o = s as? OrScorer, o.children.allSatisfy({ $0 is TermScorer }) {
                return UnionCursor(o.children.map { ($0 as! TermScorer).cursor })
            }
            return nil
        }
        func view(_ s: Scorer?) -> Words? {
            if let t = s as? TermScorer { return .word(Unmanaged.passUnretained(t.cursor)) }
            if let u = s as? UnionCursor { return .union(Unmanaged.passUnretained(u)) }
            return nil
        }
        let wa = words(a)
        let wb = words(b)
        wordsA = wa != nil && wb != nil ? wa : nil
        wordsB = wa != nil && wb != nil ? wb : nil
        positionsA = view(wordsA)
        positionsB = view(wordsB)
        walkA = Unmanaged.passUnretained(wordsA ?? a)
        walkB = Unmanaged.passUnretained(wordsB ?? b)
        leadCursor = (a as? TermScorer).map { Unmanaged.passUnretained($0.cursor) }
        super.init(weight: weight, slot: slot, ctx: ctx)
    }

    /// A side's positions in the current document into `buffer` (a union's ascending, each once).
    @inline(__always)
    private func fill(_ side: Words, _ buffer: PositionBuffer) {
        switch side {
        case .word(let c):
            c._withUnsafeGuaranteedRef { $0.positions(into: buffer) }
        case .union(let u):
            u._withUnsafeGuaranteedRef { $0.positions(into: buffer) }
            let v = buffer.values
            var w = 0
            for i in 0..<buffer.count where w == 0 || v[i] != v[w - 1] {
                v[w] = v[i]
                w += 1
            }
            buffer.count = w
        }
    }

    private func search(from target: Int32) -> Int32 {
        var t = target
        let sa = walkA
        let sb = walkB
        while true {
            var da = sa._withUnsafeGuaranteedRef { $0.advance(to: t) }
            var db = sb._withUnsafeGuaranteedRef { $0.advance(to: t) }
            while da != db && da != PostingsCursor.end && db != PostingsCursor.end {
                if da < db {
                    da = sa._withUnsafeGuaranteedRef { $0.advance(to: db) }
                } else {
                    db = sb._withUnsafeGuaranteedRef { $0.advance(to: da) }
                }
            }
            if da == PostingsCursor.end || db == PostingsCursor.end || da > stopAfter {
                doc = PostingsCursor.end
                return doc
            }
            // Each span of `a` makes at most one match, of weight at most 1: a plain word's
            // frequency bounds the score, and a document that cannot compete is passed over
            // without reading positions.
            if let lc = leadCursor, cannotCompete(frequency: lc._withUnsafeGuaranteedRef { $0.freq }, doc: da) {
                t = da + 1
                continue
            }
            if let pa = positionsA, let pb = positionsB {
                fill(pa, bufferA)
                fill(pb, bufferB)
                SpanMatcher.nearPositions(bufferA, bufferB, distance: distance, ordered: ordered, into: &matches)
            } else {
                matches = SpanMatcher.near(a.spans(), b.spans(), distance: distance, ordered: ordered)
            }
            if !matches.isEmpty {
                doc = da
                return doc
            }
            t = da + 1
        }
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : search(from: doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : search(from: target) }
    override func stop(after d: Int32) {
        super.stop(after: d)
        a.stop(after: d)
        b.stop(after: d)
    }
}

/// Disjunction: documents matching any child; the score sums the matching children.
class OrScorer: Scorer {
    let children: [Scorer]
    /// The children again, unretained (`children` keeps them): walked per document without
    /// reference counting.
    private let kids: [Unmanaged<Scorer>]

    init(_ children: [Scorer]) {
        self.children = children
        kids = children.map { Unmanaged.passUnretained($0) }
    }

    private func settle() -> Int32 {
        var m = PostingsCursor.end
        for k in kids { m = min(m, k._withUnsafeGuaranteedRef { $0.doc }) }
        doc = m
        return m
    }

    override func next() -> Int32 {
        if doc == -1 {
            for k in kids { _ = k._withUnsafeGuaranteedRef { $0.next() } }
            return settle()
        }
        if doc == PostingsCursor.end { return doc }
        let d = doc
        for k in kids { k._withUnsafeGuaranteedRef { c in if c.doc == d { _ = c.next() } } }
        return settle()
    }

    override func advance(to target: Int32) -> Int32 {
        if doc >= target { return doc }
        for k in kids { k._withUnsafeGuaranteedRef { c in if c.doc < target { _ = c.advance(to: target) } } }
        return settle()
    }
    override func stop(after d: Int32) { for c in children { c.stop(after: d) } }

    override func score() -> Float {
        var s: Float = 0
        let d = doc
        for k in kids { k._withUnsafeGuaranteedRef { c in if c.doc == d { s += c.score() } } }
        return s
    }

    override func spans() -> [Span] {
        SpanMatcher.union(children.filter { $0.doc == doc }.map { $0.spans() })
    }

    override var positional: Bool { children.allSatisfy(\.positional) }
    override var maxScore: Float { children.reduce(0) { $0 + $1.maxScore } }
}

/// Conjunction by leap-frogging `advance(to:)`; the score sums the children.
final class AndScorer: Scorer {
    let children: [Scorer]
    /// The children again, unretained (`children` keeps them).
    private let kids: [Unmanaged<Scorer>]

    init(_ children: [Scorer]) {
        self.children = children
        kids = children.map { Unmanaged.passUnretained($0) }
    }

    private func search(from target: Int32) -> Int32 {
        var t = target
        while true {
            var agreed = true
            for k in kids {
                let d = k._withUnsafeGuaranteedRef { $0.advance(to: t) }
                if d == PostingsCursor.end {
                    doc = d
                    return d
                }
                if d > t {
                    t = d
                    agreed = false
                }
            }
            if agreed {
                doc = t
                return t
            }
        }
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : search(from: doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : search(from: target) }
    override func stop(after d: Int32) { for c in children { c.stop(after: d) } }

    override func score() -> Float {
        var s: Float = 0
        for k in kids { s += k._withUnsafeGuaranteedRef { $0.score() } }
        return s
    }
    override var maxScore: Float { children.reduce(0) { $0 + $1.maxScore } }
}

/// Documents matching at least `k` of the children (Lucene's minimum-should-match disjunction):
/// the score sums the children that match. No `OrScorer` subclass, though it sums as one: top-k
/// collection takes an `OrScorer` apart into its terms (and would drop the `k`).
final class AtLeastScorer: Scorer {
    let children: [Scorer]
    let k: Int

    init(_ children: [Scorer], k: Int) {
        self.children = children
        self.k = k
    }

    private func search(from target: Int32) -> Int32 {
        for c in children where c.doc < target { _ = c.advance(to: target) }
        while true {
            var m = PostingsCursor.end
            for c in children where c.doc < m { m = c.doc }
            if m == PostingsCursor.end { break }
            if children.count(where: { $0.doc == m }) >= k {
                doc = m
                return m
            }
            for c in children where c.doc == m { _ = c.next() }
        }
        doc = PostingsCursor.end
        return doc
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : search(from: doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : search(from: target) }
    override func stop(after d: Int32) { for c in children { c.stop(after: d) } }

    override func score() -> Float {
        var s: Float = 0
        for c in children where c.doc == doc { s += c.score() }
        return s
    }

    override func spans() -> [Span] {
        SpanMatcher.union(children.filter { $0.doc == doc }.map { $0.spans() })
    }

    override var maxScore: Float { children.reduce(0) { $0 + $1.maxScore } }
}

/// Required part, minus excluded documents, plus optional scoring clauses.
final class BooleanScorer: Scorer {
    let required: Scorer
    let optional: Scorer?
    let excluded: Scorer?

    init(required: Scorer, optional: Scorer?, excluded: Scorer?) {
        self.required = required
        self.optional = optional
        self.excluded = excluded
    }

    private func skipExcluded(_ d: Int32) -> Int32 {
        var d = d
        while d != PostingsCursor.end, let ex = excluded, ex.advance(to: d) == d {
            d = required.next()
        }
        doc = d
        return d
    }

    override func next() -> Int32 { skipExcluded(required.next()) }
    override func advance(to target: Int32) -> Int32 { skipExcluded(required.advance(to: target)) }
    override func stop(after d: Int32) {
        required.stop(after: d)
        optional?.stop(after: d)
        excluded?.stop(after: d)
    }

    override func score() -> Float {
        var s = required.score()
        if let o = optional, o.advance(to: doc) == doc { s += o.score() }
        return s
    }
}

/// The documents of a bit set, with no score (`BoundQuery.anyOf`).
final class DocSetScorer: Scorer {
    let bits: [UInt64]

    init(_ bits: [UInt64]) { self.bits = bits }

    /// The first document from `d` on in the set.
    private func seek(_ d: Int32) -> Int32 {
        var w = Int(d) >> 6
        guard w < bits.count else {
            doc = PostingsCursor.end
            return doc
        }
        var word = bits[w] & (~0 << (UInt64(d) & 63))
        while word == 0 {
            w += 1
            guard w < bits.count else {
                doc = PostingsCursor.end
                return doc
            }
            word = bits[w]
        }
        doc = Int32(w << 6 + word.trailingZeroBitCount)
        return doc
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : seek(doc + 1) }
    override func advance(to target: Int32) -> Int32 { doc >= target ? doc : seek(target) }
    override var maxScore: Float { 0 }
}

/// Every document of the segment, with no score (`*:*`); deleted ones are skipped by the collectors,
/// as for every scorer.
final class AllScorer: Scorer {
    let documentCount: Int32

    init(documentCount: Int) {
        self.documentCount = Int32(documentCount)
    }

    override func next() -> Int32 { doc == PostingsCursor.end ? doc : advance(to: doc + 1) }
    override func advance(to target: Int32) -> Int32 {
        if doc < target { doc = target < documentCount ? target : PostingsCursor.end }
        return doc
    }
    override var maxScore: Float { 0 }
}

/// The documents of `child` that `accepts` keeps, with their scores and spans.
class FilterScorer: Scorer {
    let child: Scorer
    let segment: SegmentReader

    init(child: Scorer, segment: SegmentReader) {
        self.child = child
        self.segment = segment
    }

    func accepts(_ d: Int32) -> Bool { fatalError("abstract") }

    private func filter(_ d: Int32) -> Int32 {
        var d = d
        while d != PostingsCursor.end && !accepts(d) { d = child.next() }
        doc = d
        return d
    }

    override func next() -> Int32 { filter(child.next()) }
    override func advance(to target: Int32) -> Int32 { filter(child.advance(to: target)) }
    override func stop(after d: Int32) { child.stop(after: d) }
    override func score() -> Float { child.score() }
    override func spans() -> [Span] { child.spans() }
}

/// Keeps documents whose stored date lies in `[from, to]` (ISO strings compare as dates); with
/// `excluded`, those dated outside it or undated.
final class DateFilterScorer: FilterScorer {
    let from: String?
    let to: String?
    let excluded: Bool
    /// The bounds in seconds (`DateColumn.range`); nil when a bound is no year, month or day,
    /// which then compares the stored date's text.
    let range: (lower: Int64, upper: Int64)?
    /// Set when a stored date could not be read (the document is then left out).
    private(set) var error: Error?

    /// Dates come from the segment's date column (8 bytes a document), only for the child's
    /// matches.
    init(child: Scorer, segment: SegmentReader, from: String?, to: String?, excluded: Bool = false) {
        self.from = from
        self.to = to
        self.excluded = excluded
        self.range = DateColumn.range(from: from, to: to)
        super.init(child: child, segment: segment)
    }

    override func accepts(_ d: Int32) -> Bool {
        // Excluded: undated, or dated outside the range.
        if let range {
            return DateColumn.within(segment.dateSeconds(d), range) != excluded
        }
        let stored: String?
        do {
            stored = try segment.articleDate(d)
        } catch {
            self.error = error
            return false
        }
        guard let date = stored else { return excluded }
        return within(date) != excluded
    }

    /// A stored date's day within `[from, to]`, compared as text.
    private func within(_ date: String) -> Bool {
        let day = String(date.prefix(10))
        if let f = from, day < f { return false }
        if let t = to, String(day.prefix(t.count)) > t { return false }
        return true
    }
}

/// Keeps documents dated within any of `ranges` (several optional `date:` clauses, from the date
/// column); undated ones never pass.
final class DateUnionScorer: FilterScorer {
    let ranges: [(lower: Int64, upper: Int64)]

    init(child: Scorer, segment: SegmentReader, ranges: [(lower: Int64, upper: Int64)]) {
        self.ranges = ranges
        super.init(child: child, segment: segment)
    }

    override func accepts(_ d: Int32) -> Bool { DateColumn.within(segment.dateSeconds(d), anyOf: ranges) }
}

/// A word's stem term with its title and exact-form terms, whose documents are a subset of the
/// stem's: the same sum as an `OrScorer`, but top-k collection can drive it by the stem's
/// postings alone and probe the others only on those documents.
final class WordScorer: OrScorer {
    let lead: TermScorer
    let rest: [TermScorer]

    init(lead: TermScorer, rest: [TermScorer], all: [Scorer]) {
        self.lead = lead
        self.rest = rest
        super.init(all)
    }
}
