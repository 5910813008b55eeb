import Foundation
import Testing

@testable import LoupeCore

/// Lucene-style regular expressions over whole dictionary words (`find '/colou?r/'`).
@Suite("term regular expressions")
struct TermRegexTests {
    static func matches(_ pattern: String, _ word: String) throws -> Bool {
        var r = try TermRegex(pattern)
        return r.matches(word)
    }

    @Test(arguments: [
        ("colou?r", "color", true), ("colou?r", "colour", true), ("colou?r", "colours", false),
        ("col.*", "collar", true), ("col.*", "cool", false), (".*ing", "sailing", true), (".*ing", "ingot", false),
        ("gr[ae]y", "grey", true), ("gr[ae]y", "griy", false), ("[^0-9]+", "abc", true), ("[^0-9]+", "ab1", false),
        ("[a-c]{2,3}", "ab", true), ("[a-c]{2,3}", "abca", false), ("[a-c]{2,3}", "a", false),
        ("a{2}", "aa", true), ("a{2}", "aaa", false), ("a{2,}", "aaaaa", true), ("a{0,1}b", "b", true),
        ("(ab|cd)+e", "abcdabe", true), ("(ab|cd)+e", "e", false), ("x|yz|", "", true), ("x|yz|", "yz", true),
        ("\\d+", "1987", true), ("\\d+", "19a", false), ("\\w+", "naïve_1", true), ("\\D\\d", "a1", true),
        ("[\\d]x", "7x", true), ("a\\.b", "a.b", true), ("a\\.b", "axb", false), ("\"a.b\"c", "a.bc", true),
        ("^iran$", "iran", true), ("^iran$", "iranian", false), ("iran", "iranian", false),
        ("na.ve", "naïve", true), ("(a*)*b", "aaab", true), ("()x", "x", true), ("[-a]+", "a-a", true),
        ("[a-]+", "-a", true), ("[]a]+", "]a", true), ("a$", "a", true),
    ])
    func matchesWholeWords(pattern: String, word: String, expected: Bool) throws {
        #expect(try TermRegexTests.matches(pattern, word) == expected, "/\(pattern)/ on \(word)")
    }

    /// Literal characters are folded as the index writes words (`[A-Z]` covers `a-z` too).
    @Test func foldsLiteralsAndRanges() throws {
        let fold: (Unicode.Scalar) -> [UInt32]? = { c in
            let s = String(c).lowercased().folding(options: .diacriticInsensitive, locale: nil)
            return s.unicodeScalars.map(\.value)
        }
        var r = try TermRegex("[A-Z]aliki", fold: fold)
        let m1 = r.matches("maliki")
        #expect(m1)
        var e = try TermRegex("CAFÉ", fold: fold)
        let m2 = e.matches("cafe")
        #expect(m2)
        let m3 = e.matches("café")
        #expect(!m3)
        #expect(e.literalPrefix == Array("cafe".utf8))
    }

    @Test func literalPrefixNarrowsTheScan() throws {
        #expect(try TermRegex("colou?r").literalPrefix == Array("colo".utf8))
        #expect(try TermRegex("ab{2}c").literalPrefix == Array("abbc".utf8))
        #expect(try TermRegex("ab{2,3}").literalPrefix == Array("abb".utf8))
        #expect(try TermRegex("(ab|ac)").literalPrefix == [])
        #expect(try TermRegex(".*x").literalPrefix == [])
        #expect(try TermRegex("^ir[a]n").literalPrefix == Array("iran".utf8))
        #expect(try TermRegex("ir[ab]n").literalPrefix == Array("ir".utf8))
    }

    /// A prefix that can lead to no match is named, so that a scan skips every word under it.
    @Test func namesTheDeadPrefix() throws {
        var r = try TermRegex("colou?r")
        let m4 = r.matches("cat")
        #expect(!m4)
        #expect(r.deadPrefixBytes == 2)
        let m5 = r.matches("colo")
        #expect(!m5)
        #expect(r.deadPrefixBytes == nil)
        var u = try TermRegex("né.*")
        let m6 = u.matches("nx")
        #expect(!m6)
        #expect(u.deadPrefixBytes == 2)
        let m7 = u.matches("nèa")
        #expect(!m7)
        #expect(u.deadPrefixBytes == 3)
    }

    @Test(arguments: [
        ("", 0, "empty"), ("^$", 0, "empty"), ("(ab", 0, "unmatched '('"), ("ab)", 2, "unmatched ')'"),
        ("[ab", 0, "unterminated ["), ("a{3,2}", 1, "reversed"), ("a{x}", 1, "bad repeat"),
        ("*a", 0, "nothing to repeat"),
        ("a|+", 2, "nothing to repeat"), ("a&b", 1, "intersection"), ("~a", 0, "complement"), ("<1-9>", 0, "interval"),
        ("a@", 1, "any string"), ("#", 0, "empty language"), ("[z-a]", 1, "reversed"), ("ab\\", 2, "backslash"),
        ("\"ab", 0, "unterminated \""), ("a{1001}", 1, "too large"), ("(a{1000}){20}", 0, "too large"),
    ])
    func errorsNameWhereAndWhat(pattern: String, offset: Int, message: String) {
        do {
            _ = try TermRegex(pattern)
            Issue.record("expected an error for /\(pattern)/")
        } catch let e as TermRegex.SyntaxError {
            #expect(e.offset == offset, "/\(pattern)/: \(e)")
            #expect(e.message.contains(message), "/\(pattern)/: \(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Random expressions of the syntax both share, against Foundation's regular expressions on
    /// random words (whole-word matches), through the lazy DFA and its cache being started again.
    @Test func agreesWithFoundationOnRandomExpressions() throws {
        var rng = SplitMix(seed: 42)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func expression(_ depth: Int) -> String {
            let atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "[a-b]"]
            var out = ""
            for _ in 0..<(1 + pick(3)) {
                var atom = depth > 0 && pick(4) == 0 ? "(\(expression(depth - 1)))" : atoms[pick(atoms.count)]
                switch pick(7) {
                case 0: atom += "*"
                case 1: atom += "+"
                case 2: atom += "?"
                case 3: atom += "{\(pick(2)),\(2 + pick(2))}"
                default: break
                }
                out += atom
            }
            if depth > 0 && pick(4) == 0 { out += "|" + expression(depth - 1) }
            return out
        }
        var words: [String] = []
        for _ in 0..<300 {
            words.append(String((0..<pick(9)).map { _ in Array("abc")[pick(3)] }))
        }
        var checked = 0
        for _ in 0..<300 {
            let e = expression(2)
            var r = try TermRegex(e)
            let f = try NSRegularExpression(pattern: "^(?:\(e))$")
            for w in words {
                let theirs = f.firstMatch(in: w, range: NSRange(w.startIndex..., in: w)) != nil
                let m8 = r.matches(w)
                #expect(m8 == theirs, "/\(e)/ on \(w)")
                checked += 1
            }
        }
        // More DFA states than the cache keeps: an 'a' 12 letters from the end.
        let e = "[ab]*a[ab]{12}"
        var r = try TermRegex(e)
        let f = try NSRegularExpression(pattern: "^(?:\(e))$")
        for _ in 0..<3000 {
            let w = String((0..<(12 + pick(8))).map { _ in Array("ab")[pick(2)] })
            let m9 = r.matches(w)
            #expect(m9 == (f.firstMatch(in: w, range: NSRange(w.startIndex..., in: w)) != nil), "\(w)")
        }
        #expect(checked == 90_000)
        #expect(r.cacheRestarts > 0)
    }
}

/// Regular expressions and term ranges over a real index (two segments): the articles found are
/// those holding a word the expression or range admits, by brute force over the articles' words.
@Suite("regular expressions and term ranges in an index")
struct PatternIndexTests {
    @Test func agreeWithBruteForce() throws {
        var rng = SplitMix(seed: 11)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let letters = Array("abcdeé")
        func word() -> String { String((0..<(1 + pick(5))).map { _ in letters[pick(letters.count)] }) }
        let arts = (0..<300).map { i in
            Article(id: "d\(i)", title: "", body: (0..<4).map { _ in word() }.joined(separator: " "), source: "g/\(i)")
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        func found(_ q: String) throws -> Set<String> {
            Set(
                try s.search(try s.prepare(try QueryParser().parse(q)), limit: 1000).hits.map {
                    try s.reader.article($0.doc).id
                })
        }
        func want(_ admits: (String) -> Bool) -> Set<String> {
            Set(arts.filter { $0.body.split(separator: " ").contains { admits(String($0)) } }.map(\.id))
        }
        func before(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        var nonEmpty = 0
        for _ in 0..<60 {
            var (lo, hi) = (word(), word())
            if before(hi, lo) { swap(&lo, &hi) }
            let incLo = pick(2) == 0
            let incHi = pick(2) == 0
            let openLo = pick(5) == 0
            let openHi = !openLo && pick(5) == 0
            let q = "\(incLo ? "[" : "{")\(openLo ? "*" : lo) TO \(openHi ? "*" : hi)\(incHi ? "]" : "}")"
            let expected = want { w in
                (openLo || (incLo ? !before(w, lo) : before(lo, w)))
                    && (openHi || (incHi ? !before(hi, w) : before(w, hi)))
            }
            let got = try found(q)
            #expect(got == expected, "\(q)")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        for e in ["a.*", "[ab]+é?", ".*(cd|dc).*", "e{2,}.?", "[^a]b.*", "é.", "(a|é)*c"] {
            let f = try NSRegularExpression(pattern: "^(?:\(e))$")
            let expected = want { w in f.firstMatch(in: w, range: NSRange(w.startIndex..., in: w)) != nil }
            #expect(try found("/\(e)/") == expected, "/\(e)/")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 40)
    }
}
