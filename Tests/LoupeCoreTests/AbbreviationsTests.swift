import Testing

@testable import LoupeCore

struct AbbreviationsTests {
    private func defs(_ text: String) -> [(String, String)] {
        var t = text
        let a = Analyzer(.english)
        return t.withUTF8 { Abbreviations.definitions(in: $0, analyzer: a) }.map {
            (
                String(decoding: $0.short, as: UTF8.self),
                $0.long.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            )
        }
    }

    @Test func findsDefinitions() {
        let d = defs(
            "Endoplasmic reticulum (ER) stress causes β-cell loss. Wolfram syndrome 1 ( WFS1 ) regulates it; "
                + "the International Atomic Energy Agency (IAEA) and Alzheimer's disease (AD) too. ER again (ER).")
        #expect(d.map(\.0) == ["ER", "WFS1", "IAEA", "AD"])
        #expect(
            d.map(\.1) == [
                "endoplasmic reticulum", "wolfram syndrome 1", "international atomic energy agency",
                "alzheimer disease",
            ])
    }

    @Test func ignoresParenthesesThatDefineNothing() {
        for text in [
            "The result held (see below).", "Rates fell (2007).", "The cat sat (ER) down.", "Values (p < 0.05) differ.",
            "A protein (Tp53-like marker) binds.", "one (ONE)", "Iraq (IQ) talks", "(ER)",
        ] {
            #expect(defs(text).isEmpty, "\(text): \(defs(text))")
        }
    }

    @Test func longFormIsWithinReach() {
        // At most min(|short| + 5, 2 × |short|) words back (4 for ER), and its first letter
        // starts a word.
        #expect(defs("Endoplasmic one two reticulum (ER) swells.").map(\.1) == ["endoplasmic one two reticulum"])
        #expect(defs("Endoplasmic one two three reticulum (ER) swells.").isEmpty)
        #expect(defs("The interim reticulum (ER) swells.").isEmpty)
    }

    /// The index a segment builder looks short forms up in: exact bytes, first definition kept.
    @Test func abbreviationIndexFindsShortFormsByTheirBytes() {
        var index = AbbreviationIndex()
        #expect(index.isEmpty)
        for k in 0..<3000 { index.add(Array("A\(k)".utf8), stems: [Array("s\(k)".utf8)]) }
        index.add(Array("ER".utf8), stems: [Array("endoplasm".utf8)])
        func find(_ s: String) -> Int? { Array(s.utf8).withUnsafeBufferPointer { index.find($0) } }
        #expect(find("ER").map { index.all[$0].stems } == [Array("endoplasm".utf8)])
        #expect(find("A2999").map { index.all[$0].short } == Array("A2999".utf8))
        #expect(find("Er") == nil && find("E") == nil && find("A3000") == nil && find("") == nil)
    }
}
