import Testing

@testable import LoupeCore

struct SpanMatcherTests {
    @Test func exactPhraseNeedsAdjacentInOrder() {
        // "green zone": green at 4, 9; zone at 5, 20.
        let m = SpanMatcher.phrase([[4, 9], [5, 20]], offsets: [0, 1], slop: 0)
        #expect(m == [Span(4, 5)])
        #expect(SpanMatcher.phrase([[5], [4]], offsets: [0, 1], slop: 0).isEmpty)
    }

    @Test func luceneSlopCountsMovesAndSwapCostsTwo() {
        // "a b"~1 matches a x b.
        #expect(!SpanMatcher.phrase([[0], [2]], offsets: [0, 1], slop: 1).isEmpty)
        #expect(SpanMatcher.phrase([[0], [3]], offsets: [0, 1], slop: 1).isEmpty)
        // "a b" against "b a": needs slop 2.
        #expect(SpanMatcher.phrase([[1], [0]], offsets: [0, 1], slop: 1).isEmpty)
        #expect(!SpanMatcher.phrase([[1], [0]], offsets: [0, 1], slop: 2).isEmpty)
        // Three terms: "a b c"~2 on "a x b x c": relative positions 0, 1, 2 -> spread 2.
        #expect(!SpanMatcher.phrase([[0], [2], [4]], offsets: [0, 1, 2], slop: 2).isEmpty)
        #expect(SpanMatcher.phrase([[0], [2], [4]], offsets: [0, 1, 2], slop: 1).isEmpty)
    }

    @Test func repeatedTermMustUseDistinctPositions() {
        // "a a"~1 on a single "a": not a match.
        #expect(SpanMatcher.phrase([[3], [3]], offsets: [0, 1], slop: 1).isEmpty)
        #expect(!SpanMatcher.phrase([[3, 4], [3, 4]], offsets: [0, 1], slop: 0).isEmpty)
    }

    @Test func nearCountsWordsBetweenEitherOrder() {
        let a = [Span(10, 10)]
        // b at 13: two words between.
        #expect(!SpanMatcher.near(a, [Span(13, 13)], distance: 2, ordered: false).isEmpty)
        #expect(SpanMatcher.near(a, [Span(13, 13)], distance: 1, ordered: false).isEmpty)
        // Either order for NEAR, only a-then-b for ADJ.
        #expect(!SpanMatcher.near(a, [Span(8, 8)], distance: 1, ordered: false).isEmpty)
        #expect(SpanMatcher.near(a, [Span(8, 8)], distance: 1, ordered: true).isEmpty)
        // N = 0 means adjacent.
        #expect(!SpanMatcher.near(a, [Span(11, 11)], distance: 0, ordered: true).isEmpty)
        // Overlapping spans never match each other.
        #expect(SpanMatcher.near([Span(3, 5)], [Span(4, 4)], distance: 5, ordered: false).isEmpty)
        // Phrase operands: the gap is measured between span edges.
        let m = SpanMatcher.near([Span(0, 1)], [Span(5, 6)], distance: 3, ordered: true)
        #expect(m == [Span(0, 6, weight: 0.25)])
    }

    /// Two words' positions matched in one merge (NEAR of plain words, as `NearScorer` does) give
    /// what `near` gives for their one-position spans: the same spans and weights, in order, for
    /// random position lists, both orders and distances 0 to 6 — ties between a word before and
    /// one after included.
    @Test func nearOfPositionsEqualsNearOfSpans() {
        var rng = SystemRandomNumberGenerator()
        func buffer(_ v: [Int32]) -> PositionBuffer {
            let b = PositionBuffer()
            b.reserve(v.count)
            for (i, x) in v.enumerated() { b.values[i] = x }
            b.count = v.count
            return b
        }
        var out: [Span] = []
        var compared = 0
        for _ in 0..<400 {
            let a = (0..<Int.random(in: 1...12, using: &rng)).map { _ in Int32.random(in: 0...40, using: &rng) }
            let b = (0..<Int.random(in: 1...12, using: &rng)).map { _ in Int32.random(in: 0...40, using: &rng) }
            let sa = Array(Set(a)).sorted()
            let sb = Array(Set(b)).sorted()
            for n in 0...6 {
                for ordered in [false, true] {
                    let expected = SpanMatcher.near(
                        sa.map { Span($0, $0) }, sb.map { Span($0, $0) }, distance: n, ordered: ordered)
                    SpanMatcher.nearPositions(buffer(sa), buffer(sb), distance: n, ordered: ordered, into: &out)
                    #expect(out == expected, "\(sa) \(sb) n \(n) ordered \(ordered)")
                    compared += expected.count
                }
            }
        }
        #expect(compared > 1000)
        // A tie: 5 is as near to 3 as to 7; the one before wins, as in `near`.
        SpanMatcher.nearPositions(buffer([5]), buffer([3, 7]), distance: 2, ordered: false, into: &out)
        #expect(out == [Span(3, 5, weight: 0.5)])
    }

    /// Distinct positions below `limit`, ascending: as many as drawn from `count`.
    static func positions(
        _ count: ClosedRange<Int>, below limit: Int32, _ rng: inout SystemRandomNumberGenerator
    ) -> [Int32] {
        Array(Set((0..<Int.random(in: count, using: &rng)).map { _ in Int32.random(in: 0..<limit, using: &rng) }))
            .sorted()
    }

    /// `lists` set to buffers of `values` (returned: they must outlive the lists' use).
    static func fill(_ lists: SpanMatcher.Lists, _ values: [[Int32]]) -> [PositionBuffer] {
        let buffers = values.map { v -> PositionBuffer in
            let b = PositionBuffer()
            b.append(v, v.count)
            return b
        }
        for (i, b) in buffers.enumerated() { lists.set(i, b) }
        return buffers
    }

    /// An exact phrase on the scorers' reused pointer lists: each position of the first word
    /// whose relative position every other word holds at its offset, for random lists of one to
    /// four words (a word repeated at two offsets included), one `Lists` reused for every case as
    /// a scorer reuses it from document to document.
    @Test func exactPhraseOnReusedListsFindsEveryFullMatch() {
        var rng = SystemRandomNumberGenerator()
        var out: [Span] = []
        var found = 0
        for k in 1...4 {
            let offsets = (0..<k).map { Int32($0) + (k == 4 && $0 == 3 ? 2 : 0) }
            let lists = SpanMatcher.Lists(offsets: offsets)
            for _ in 0..<300 {
                let values = (0..<k).map { _ in Self.positions(0...15, below: 31, &rng) }
                let buffers = Self.fill(lists, values)
                withExtendedLifetime(buffers) { SpanMatcher.phrase(lists, slop: 0, into: &out) }
                var expected: [Span] = []
                for p in values[0] {
                    let rel = p - offsets[0]
                    if (0..<k).allSatisfy({ values[$0].contains(rel + offsets[$0]) }) {
                        expected.append(Span(rel + offsets.min()!, rel + offsets.max()!))
                    }
                }
                #expect(out == expected, "\(values) offsets \(offsets)")
                #expect(SpanMatcher.phrase(values, offsets: offsets, slop: 0) == expected)
                found += expected.count
            }
        }
        #expect(found > 300)
    }

    /// A sloppy phrase on reused lists gives what fresh lists give, document after document
    /// (no cursor left over from the last one).
    @Test func sloppyPhraseOnReusedListsEqualsFreshLists() {
        var rng = SystemRandomNumberGenerator()
        var out: [Span] = []
        let offsets: [Int32] = [0, 1, 2]
        let reused = SpanMatcher.Lists(offsets: offsets)
        var matched = 0
        for _ in 0..<500 {
            let values = (0..<3).map { _ in Self.positions(1...10, below: 26, &rng) }
            let buffers = Self.fill(reused, values)
            let slop = Int.random(in: 1...4, using: &rng)
            withExtendedLifetime(buffers) { SpanMatcher.phrase(reused, slop: slop, into: &out) }
            let fresh = SpanMatcher.phrase(values, offsets: offsets, slop: slop)
            #expect(out == fresh)
            matched += fresh.count
        }
        #expect(matched > 100)
    }

    /// Appending past the buffer's capacity keeps what it held.
    @Test func positionBufferAppendKeepsValuesWhenGrowing() {
        let b = PositionBuffer()
        var all: [Int32] = []
        for chunk in 0..<20 {
            let part = (0..<(chunk * 7 + 1)).map { Int32(chunk * 1000 + $0) }
            b.append(part, part.count)
            all += part
            #expect(b.array == all)
        }
    }
}
