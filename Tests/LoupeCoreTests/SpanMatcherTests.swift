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
}
