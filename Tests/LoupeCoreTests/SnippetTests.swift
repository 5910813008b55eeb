import Testing

@testable import LoupeCore

@Suite("snippets")
struct SnippetTests {
    /// Positions of the body's words in the text field (no title here, so they start at 0).
    func snippet(_ body: String, matching positions: [Int32], words: Int = 30) -> Snippet {
        let a = Article(id: "a", title: "", body: body, source: "a.txt")
        return SnippetBuilder.build(
            article: a, spans: positions.map { Span($0, $0) }, analyzer: Analyzer(.english), words: words)
    }

    /// A whole short body: no blank lines or spaces around it, its quotes and full stop kept.
    @Test func aWholeBodyIsTrimmedButKeepsItsPunctuation() {
        let s = snippet("\n\n  \"Body of première text.\"  \n", matching: [2])
        #expect(s.text == "\"Body of première text.\"")
        #expect(s.marked(open: "[", close: "]") == "\"Body of [première] text.\"")
    }

    /// A paragraph break or a run of spaces inside the snippet is one space, and the
    /// highlights after it still mark their words.
    @Test func breaksAndRunsOfSpacesAreOneSpace() {
        let s = snippet("The palm trees stay green.\n\nDiplomats,\t\tcontractors   and journalists.", matching: [4, 6])
        #expect(s.text == "The palm trees stay green. Diplomats, contractors and journalists.")
        #expect(
            s.marked(open: "[", close: "]") == "The palm trees stay [green]. Diplomats, [contractors] and journalists.")
    }

    /// A window inside a long body says so with ellipses; the last word keeps its full stop.
    @Test func aWindowInsideTheBodyHasEllipses() {
        let body = (0..<40).map { "w\($0)" }.joined(separator: " ") + ".\n"
        let s = snippet(body, matching: [35], words: 8)
        #expect(s.text.hasPrefix("… "))
        #expect(s.text.hasSuffix("w39."))
        #expect(s.marked(open: "[", close: "]").contains("[w35]"))
    }
}
