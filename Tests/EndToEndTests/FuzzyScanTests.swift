import Foundation
import LoupeTestSupport
import Testing

/// Fuzzy words on a corpus of a few thousand distinct words (enough dictionary blocks for the
/// scan to skip whole blocks of words whose prefix is already too far): the matching articles
/// are exactly those holding a word within reach, found here by brute force.
@Suite("fuzzy dictionary scan")
struct FuzzyScanTests {
    @Test func matchesEqualBruteForce() throws {
        let dir = try Loupe.tempDir("loupe-fuzzyscan")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let letters = Array("abcdefg")
        var docs: [[String]] = []
        for f in 0..<40 {
            var words: [String] = []
            for _ in 0..<120 {
                words.append(String((0..<(3 + next() % 6)).map { _ in letters[next() % letters.count] }))
            }
            docs.append(words)
            try ("Doc \(f)\n\n" + words.joined(separator: " ") + "\n").write(
                to: corpus.appendingPathComponent("d\(f).txt"), atomically: true, encoding: .utf8)
        }
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"]).status == 0)
        var compared = 0
        for (query, k) in [("abcde", 1), ("gfedcb", 2), ("aaa", 1), ("cabbage", 2), ("ddd", 0), ("bacdef", 1)] {
            let q = Array(query)
            let want = Set(
                docs.indices.filter { i in
                    docs[i].contains { w in
                        let d = optimalStringAlignment(Array(w), q)
                        return d <= k && (d == 0 || d < min(w.count, q.count))
                    }
                }.map { "d\($0).txt" })
            let r = try Loupe.run(["find", "\(query)~\(k)", "--index", idx, "--json", "--limit", "100"])
            let got = Set(
                ((Loupe.json(r.stdout)["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            // Over 50 matching words only the 50 closest are searched: compare only when fewer.
            if !r.stderr.contains("closest") {
                #expect(got == want, "\(query)~\(k)")
                compared += 1
            }
            #expect(!got.isEmpty || want.isEmpty, "\(query)~\(k)")
        }
        #expect(compared >= 4)
    }
}
