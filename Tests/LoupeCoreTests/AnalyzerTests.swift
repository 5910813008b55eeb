import Testing

@testable import LoupeCore

struct AnalyzerTests {
    /// The ASCII word bytes (a bit mask) are exactly the letters and digits.
    @Test func asciiWordBytesAreLettersAndDigits() {
        for b in UInt8(0)..<128 {
            let c = Character(Unicode.Scalar(b))
            #expect(Analyzer.isASCIIWordByte(b) == (c.isLetter || c.isNumber), "\(b)")
        }
    }

    @Test func lowercasesAndSplitsOnPunctuation() {
        let a = Analyzer(.english)
        #expect(
            a.terms("Green Zone, heavily-fortified (Baghdad)!") == ["green", "zone", "heavily", "fortified", "baghdad"])
    }

    @Test func positionsAndByteOffsets() {
        let a = Analyzer(.english)
        var toks: [(String, Int32, Int, Int)] = []
        a.analyze("Iraq — café talks") { t in
            toks.append((String(decoding: t.term, as: UTF8.self), t.position, t.start, t.end))
        }
        #expect(toks.map(\.0) == ["iraq", "cafe", "talks"])
        #expect(toks.map(\.1) == [0, 1, 2])
        // "Iraq — " is 4 + 1 + 3 (em dash) + 1 bytes; "café" is 5 bytes.
        #expect(toks[1].2 == 9 && toks[1].3 == 14)
    }

    @Test func foldsDiacriticsInNFCAndNFD() {
        let a = Analyzer(.english)
        #expect(a.terms("Café") == ["cafe"])
        #expect(a.terms("Cafe\u{301}") == ["cafe"])
        #expect(a.terms("MÜNCHEN São Zürich") == ["munchen", "sao", "zurich"])
    }

    @Test func dropsEnglishPossessive() {
        let a = Analyzer(.english)
        #expect(
            a.terms("Iran's nuclear programme and Maliki’s office") == [
                "iran", "nuclear", "programme", "and", "maliki", "office",
            ])
        // Not a possessive: "'s" followed by more letters.
        #expect(a.terms("it'sy") == ["it", "sy"])
    }

    @Test func plainAnalyzerKeepsDiacriticsAndSplitsMarks() {
        let a = Analyzer(.plain)
        #expect(a.terms("Café Iran's") == ["café", "iran", "s"])
        // A combining mark is not a letter: it separates in the benchmark's tokenizer.
        #expect(a.terms("cafe\u{301}x") == ["cafe", "x"])
    }

    @Test func numbersAndNonLatinScripts() {
        let a = Analyzer(.english)
        #expect(a.terms("1980 444 days 2½") == ["1980", "444", "days", "2½"])
        #expect(a.terms("東京 Москва") == ["東京", "москва"])
    }

    @Test func invalidUTF8SeparatesWords() {
        let a = Analyzer(.english)
        let bytes: [UInt8] =
            Array("abc".utf8) + [0xFF] + Array("def".utf8) + [0xC3] + Array("ghi".utf8) + [0xED, 0xA0, 0x80]
        var terms: [String] = []
        bytes.withUnsafeBufferPointer { b in
            a.analyze(b) { terms.append(String(decoding: $0.term, as: UTF8.self)) }
        }
        #expect(terms == ["abc", "def", "ghi"])
    }

    @Test func overlongTokensAreDropped() {
        let a = Analyzer(.english)
        let long = String(repeating: "x", count: 5000)
        #expect(a.terms("head \(long) tail") == ["head", "tail"])
        var positions: [Int32] = []
        a.analyze("head \(long) tail") { positions.append($0.position) }
        #expect(positions == [0, 1])
    }
}
