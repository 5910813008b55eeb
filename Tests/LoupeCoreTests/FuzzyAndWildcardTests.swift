import LoupeTestSupport
import Testing

@testable import LoupeCore

/// `FuzzyMatcher` against a plain optimal-string-alignment distance computed afresh for every
/// pair: the rows it keeps for shared prefixes and the prefixes it rules out must not change an
/// answer.
struct FuzzyMatcherTests {
    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    /// What the matcher should answer: the distance when within `k` and below both lengths.
    static func expected(_ query: String, _ term: String, _ k: Int) -> Int? {
        let d = optimalStringAlignment(scalars(term), scalars(query))
        let shorter = min(term.unicodeScalars.count, query.unicodeScalars.count)
        return d <= k && (d == 0 || d < shorter) ? d : nil
    }

    static func run(_ m: inout FuzzyMatcher, _ term: String) -> Int? {
        let bytes = Array(term.utf8)
        return bytes.withUnsafeBufferPointer { m.distance($0) }
    }

    @Test func knownDistances() {
        var m = FuzzyMatcher(Array("roam".utf8), maxEdits: 2)
        #expect(FuzzyMatcherTests.run(&m, "roam") == 0)
        #expect(FuzzyMatcherTests.run(&m, "foam") == 1)
        #expect(FuzzyMatcherTests.run(&m, "raom") == 1)  // a swap is one edit
        #expect(FuzzyMatcherTests.run(&m, "roams") == 1)
        #expect(FuzzyMatcherTests.run(&m, "room") == 1)
        #expect(FuzzyMatcherTests.run(&m, "ram") == 1)
        #expect(FuzzyMatcherTests.run(&m, "rome") == 2)
        #expect(FuzzyMatcherTests.run(&m, "roaming") == nil)  // 3 insertions
        #expect(FuzzyMatcherTests.run(&m, "xyz") == nil)
        // Two edits of a two-letter word would be any word of up to four letters.
        var short = FuzzyMatcher(Array("ab".utf8), maxEdits: 2)
        #expect(FuzzyMatcherTests.run(&short, "ab") == 0)
        #expect(FuzzyMatcherTests.run(&short, "abc") == 1)
        #expect(FuzzyMatcherTests.run(&short, "xy") == nil)
        // Scalars, not bytes: é is one letter.
        var cafe = FuzzyMatcher(Array("café".utf8), maxEdits: 1)
        #expect(FuzzyMatcherTests.run(&cafe, "cafe") == 1)
        #expect(FuzzyMatcherTests.run(&cafe, "cafés") == 1)
        #expect(FuzzyMatcherTests.run(&cafe, "caf") == 1)
    }

    /// Random words over a small alphabet (ASCII and two-, three- and four-byte scalars), fed in
    /// byte order as a dictionary gives them, so that consecutive terms share prefixes and whole
    /// prefixes are ruled out; every answer equals the reference's.
    @Test(arguments: [0, 1, 2])
    func sortedDictionaryScanEqualsReference(k: Int) {
        var rng = SplitMix(seed: UInt64(17 + k))
        let alphabet: [String] = ["a", "b", "c", "d", "é", "ж", "中", "😀"]
        func word(_ maxLength: Int) -> String {
            let n = 1 + Int(rng.next() % UInt64(maxLength))
            return (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
        }
        for _ in 0..<30 {
            let query = word(7)
            var terms = Set<String>()
            for _ in 0..<600 { terms.insert(word(9)) }
            // Near misses of the query too, so that there are matches to find.
            for _ in 0..<100 {
                var s = Array(query.unicodeScalars)
                let i = Int(rng.next() % UInt64(s.count))
                switch rng.next() % 4 {
                case 0: s.remove(at: i)
                case 1: s.insert(Unicode.Scalar(alphabet[Int(rng.next() % 8)])!, at: i)
                case 2: s[i] = Unicode.Scalar(alphabet[Int(rng.next() % 8)])!
                default: if i + 1 < s.count { s.swapAt(i, i + 1) }
                }
                if !s.isEmpty { terms.insert(String(String.UnicodeScalarView(s))) }
            }
            let sorted = terms.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            var m = FuzzyMatcher(Array(query.utf8), maxEdits: k)
            var found = 0
            for t in sorted {
                let got = FuzzyMatcherTests.run(&m, t)
                let want = FuzzyMatcherTests.expected(query, t, k)
                #expect(got == want, "query \(query), term \(t), k \(k)")
                if got != nil { found += 1 }
            }
            #expect(found > 0)
        }
    }
}

/// `Wildcard.matches` against a plain recursive matcher over Unicode scalars.
struct WildcardTests {
    static func reference(_ p: ArraySlice<Unicode.Scalar>, _ t: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let c = p.first else { return t.isEmpty }
        switch c {
        case "*":
            var rest = t
            while true {
                if reference(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case "?": return !t.isEmpty && reference(p.dropFirst(), t.dropFirst())
        default: return t.first == c && reference(p.dropFirst(), t.dropFirst())
        }
    }

    static func matches(_ p: String, _ t: String) -> Bool {
        Array(t.utf8).withUnsafeBufferPointer { Wildcard.matches(Array(p.utf8), $0) }
    }

    @Test func knownPatterns() {
        #expect(WildcardTests.matches("te?t", "test"))
        #expect(!WildcardTests.matches("te?t", "tet"))
        #expect(WildcardTests.matches("ma*ki", "maliki"))
        #expect(WildcardTests.matches("ma*ki", "maki"))
        #expect(!WildcardTests.matches("ma*ki", "makis"))
        #expect(WildcardTests.matches("*", ""))
        #expect(WildcardTests.matches("caf?", "café"))  // one scalar, two bytes
        #expect(!WildcardTests.matches("caf??", "café"))
        #expect(WildcardTests.matches("*中", "中中"))
    }

    @Test func randomPatternsEqualReference() {
        var rng = SplitMix(seed: 5)
        let letters: [Unicode.Scalar] = ["a", "b", "é", "中", "😀"]
        func pick(_ xs: [Unicode.Scalar]) -> Unicode.Scalar { xs[Int(rng.next() % UInt64(xs.count))] }
        for _ in 0..<5000 {
            let t = (0..<Int(rng.next() % 7)).map { _ in pick(letters) }
            let p = (0..<Int(rng.next() % 6)).map { _ in pick(letters + ["*", "?", "*"]) }
            let got = WildcardTests.matches(
                String(String.UnicodeScalarView(p)), String(String.UnicodeScalarView(t)))
            #expect(got == WildcardTests.reference(p[...], t[...]), "\(p) \(t)")
        }
    }
}
