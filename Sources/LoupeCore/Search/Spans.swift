/// A matched run of positions `[start, end]` (inclusive) with a closeness weight in (0, 1].
public struct Span: Equatable, Sendable {
    public var start: Int32
    public var end: Int32
    public var weight: Float

    public init(_ start: Int32, _ end: Int32, weight: Float = 1) {
        self.start = start
        self.end = end
        self.weight = weight
    }
}

/// Positional matching on sorted position lists, shared by search and highlighting.
public enum SpanMatcher {
    /// Lucene's sloppy phrase: term `i` (query offset `offsets[i]`) at position `p` has relative
    /// position `p − offsets[i]`; a match is one position per term, all distinct, whose relative
    /// positions differ by at most `slop` (so `"a b"~1` matches `a x b`, and `"b a"` needs 2).
    /// Exact phrases are slop 0. Each match weighs `1 / (1 + spread)`.
    public static func phrase(_ lists: [[Int32]], offsets: [Int32], slop: Int) -> [Span] {
        var out: [Span] = []
        phrase(lists, offsets: offsets, slop: slop, into: &out)
        return out
    }

    /// Exact two-term phrase: positions of `b` exactly `delta` after positions of `a`.
    @inline(__always)
    static func exactPair(
        _ a: PositionBuffer, _ b: PositionBuffer, delta: Int32, start: Int32, lo: Int32, hi: Int32,
        into out: inout [Span]
    ) {
        out.removeAll(keepingCapacity: true)
        let na = a.count
        let nb = b.count
        let pa = a.values
        let pb = b.values
        var j = 0
        for i in 0..<na {
            let want = pa[i] + delta
            while j < nb && pb[j] < want { j += 1 }
            if j == nb { return }
            if pb[j] == want {
                let rel = pa[i] - start
                out.append(Span(rel + lo, rel + hi))
            }
        }
    }

    /// A phrase's position lists, ascending, one per term (`offsets[i]` its query offset), read
    /// through raw pointers: `phrase(_:slop:into:)` neither allocates nor counts references per
    /// document. `lo` / `hi`: the smallest and largest offset.
    final class Lists {
        let k: Int
        let values: UnsafeMutablePointer<UnsafePointer<Int32>>
        let counts: UnsafeMutablePointer<Int>
        let offsets: UnsafeMutablePointer<Int32>
        /// Scratch: one cursor per list.
        let ptr: UnsafeMutablePointer<Int>
        let lo: Int32
        let hi: Int32

        init(offsets o: [Int32]) {
            k = o.count
            values = .allocate(capacity: max(k, 1))
            counts = .allocate(capacity: max(k, 1))
            offsets = .allocate(capacity: max(k, 1))
            ptr = .allocate(capacity: max(k, 1))
            counts.initialize(repeating: 0, count: max(k, 1))
            offsets.initialize(repeating: 0, count: max(k, 1))
            ptr.initialize(repeating: 0, count: max(k, 1))
            for (i, x) in o.enumerated() { offsets[i] = x }
            lo = o.min() ?? 0
            hi = o.max() ?? 0
        }

        deinit {
            values.deallocate()
            counts.deallocate()
            offsets.deallocate()
            ptr.deallocate()
        }

        /// List `i` is `buffer`'s positions (until the buffer is next written).
        @inline(__always) func set(_ i: Int, _ buffer: PositionBuffer) {
            values[i] = UnsafePointer(buffer.values)
            counts[i] = buffer.count
        }
    }

    /// Lucene's sloppy phrase (see `phrase(_:offsets:slop:)`) on `lists`, into `out` (replaced).
    static func phrase(_ lists: Lists, slop: Int, into out: inout [Span]) {
        out.removeAll(keepingCapacity: true)
        let k = lists.k
        if k == 0 { return }
        let values = lists.values
        let counts = lists.counts
        let offsets = lists.offsets
        let ptr = lists.ptr
        for i in 0..<k {
            if counts[i] == 0 { return }
            ptr[i] = 0
        }
        if slop == 0 {
            // Intersect relative positions: walk the first list, search forward in the others.
            let first = values[0]
            outer: for i0 in 0..<counts[0] {
                let rel = first[i0] - offsets[0]
                for i in 1..<k {
                    let want = rel + offsets[i]
                    let l = values[i]
                    let n = counts[i]
                    var j = ptr[i]
                    while j < n && l[j] < want { j += 1 }
                    ptr[i] = j
                    if j == n { return }
                    if l[j] != want { continue outer }
                }
                out.append(Span(rel + lists.lo, rel + lists.hi))
            }
            return
        }
        // Smallest-window sweep over relative positions, one pointer per term.
        var lastEnd: Int32 = -1
        while true {
            var minI = 0
            var lo = Int32.max
            var hi = Int32.min
            var start = Int32.max
            var end = Int32.min
            for i in 0..<k {
                let p = values[i][ptr[i]]
                let r = p - offsets[i]
                if r < lo {
                    lo = r
                    minI = i
                }
                hi = max(hi, r)
                start = min(start, p)
                end = max(end, p)
            }
            if Int(hi) - Int(lo) <= slop && start > lastEnd {
                var distinct = true
                for i in 0..<k where distinct {
                    let p = values[i][ptr[i]]
                    for j in (i + 1)..<max(i + 1, k) where p == values[j][ptr[j]] { distinct = false }
                }
                if distinct {
                    out.append(Span(start, end, weight: 1 / Float(1 + Int(hi) - Int(lo))))
                    lastEnd = end
                }
            }
            ptr[minI] += 1
            if ptr[minI] >= counts[minI] { break }
        }
    }

    /// The same, into `out` (replaced), reusing its storage.
    public static func phrase(_ lists: [[Int32]], offsets: [Int32], slop: Int, into out: inout [Span]) {
        let l = Lists(offsets: offsets)
        let buffers = lists.map { list in
            let b = PositionBuffer()
            b.append(list, list.count)
            return b
        }
        for (i, b) in buffers.enumerated() { l.set(i, b) }
        withExtendedLifetime(buffers) { phrase(l, slop: slop, into: &out) }
    }

    @inline(__always)
    static func contains(_ a: [Int32], _ x: Int32) -> Bool {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let m = (lo + hi) >> 1
            if a[m] < x { lo = m + 1 } else { hi = m }
        }
        return lo < a.count && a[lo] == x
    }

    /// `a NEAR/n b` (or `ADJ/n`, `ordered`): a span of `a` and one of `b` that do not overlap and
    /// have at most `n` other positions between them (`ordered`: the `a` span comes first).
    /// Each `a` span yields at most one match, with its closest `b` partner; the match covers
    /// both, weighted `1 / (1 + gap)`.
    public static func near(_ a: [Span], _ b: [Span], distance n: Int, ordered: Bool) -> [Span] {
        var out: [Span] = []
        if a.isEmpty || b.isEmpty { return out }
        // With `b` sorted by start (term positions, unions and phrases are), only the spans of
        // `b` that start within reach of `x` are looked at: a window found by binary search,
        // instead of all of `b` for every `x`.
        var sorted = true
        var maxLength = 0
        for k in b.indices {
            if k > 0 && b[k].start < b[k - 1].start {
                sorted = false
                break
            }
            maxLength = max(maxLength, Int(b[k].end) - Int(b[k].start))
        }
        for x in a {
            var best: Span?
            var bestGap = Int.max
            var j = 0
            var last = b.count
            if sorted {
                // A y before x ends at least x.start − n − 1, so starts at least that − maxLength.
                let from = Int(x.start) - n - 1 - maxLength
                var lo = 0
                var hi = b.count
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if Int(b[mid].start) < from { lo = mid + 1 } else { hi = mid }
                }
                j = lo
                // A y after x starts at most x.end + n + 1.
                let to = Int(x.end) + n + 1
                last = j
                while last < b.count && Int(b[last].start) <= to { last += 1 }
            }
            while j < last {
                let y = b[j]
                j += 1
                let gap: Int
                if y.start > x.end {
                    gap = Int(y.start) - Int(x.end) - 1
                } else if !ordered && y.end < x.start {
                    gap = Int(x.start) - Int(y.end) - 1
                } else {
                    continue
                }
                if gap <= n && gap < bestGap {
                    bestGap = gap
                    best = Span(min(x.start, y.start), max(x.end, y.end), weight: x.weight * y.weight / Float(1 + gap))
                }
            }
            if let s = best { out.append(s) }
        }
        return out
    }

    /// `near` of two words' positions (spans of one position each, weight 1, ascending), the
    /// same matches in one merge of the two lists: each position of `a` with the nearest
    /// position of `b` within `n` words between (after it; or, unordered, before it — before
    /// first on a tie, as `near` takes the earlier span of `b`).
    static func nearPositions(
        _ a: PositionBuffer, _ b: PositionBuffer, distance n: Int, ordered: Bool, into out: inout [Span]
    ) {
        out.removeAll(keepingCapacity: true)
        let na = a.count
        let nb = b.count
        guard na > 0 && nb > 0 else { return }
        let av = a.values
        let bv = b.values
        var j = 0  // the first position of b not before p
        for i in 0..<na {
            let p = av[i]
            while j < nb && bv[j] < p { j += 1 }
            var bestGap = Int.max
            var q: Int32 = 0
            if !ordered && j > 0 {
                let g = Int(p) - Int(bv[j - 1]) - 1
                if g <= n {
                    bestGap = g
                    q = bv[j - 1]
                }
            }
            var k = j
            while k < nb && bv[k] == p { k += 1 }
            if k < nb {
                let g = Int(bv[k]) - Int(p) - 1
                if g <= n && g < bestGap {
                    bestGap = g
                    q = bv[k]
                }
            }
            if bestGap != Int.max {
                out.append(Span(min(p, q), max(p, q), weight: 1 / Float(1 + bestGap)))
            }
        }
    }

    /// Sorted union of span lists.
    /// The spans of all lists in order; a span found by several alternatives (`movie OR movies`
    /// share a stem; a word's title and exact-form postings repeat its stem's positions) counts
    /// once, with its best weight.
    public static func union(_ lists: [[Span]]) -> [Span] {
        var all = lists.flatMap { $0 }
        all.sort {
            $0.start != $1.start ? $0.start < $1.start : $0.end != $1.end ? $0.end < $1.end : $0.weight > $1.weight
        }
        var out: [Span] = []
        out.reserveCapacity(all.count)
        for s in all where out.last.map({ $0.start != s.start || $0.end != s.end }) ?? true { out.append(s) }
        return out
    }
}
