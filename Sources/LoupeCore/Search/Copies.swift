/// Copies of one story: syndicated duplicates, feed repeats, near-identical texts. Two articles
/// are copies when the estimated Jaccard similarity of their bodies' word 4-shingles (bottom-k
/// MinHash sketches, k = 64) is at least a threshold (0.8 by default). The body is compared, not
/// the title: syndicated copies often retitle a story. `related` groups its hits so, and `find
/// --group-copies` its own.
public enum Copies {
    public static let defaultThreshold = 0.8

    /// Bottom-k MinHash sketch of word 4-shingles of a text.
    public static func sketch(_ text: String, analyzer: Analyzer, k: Int = 64) -> [UInt64] {
        var words: [UInt64] = []
        analyzer.analyze(text) { tok in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in tok.term {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            words.append(h)
        }
        // The k smallest distinct shingle hashes (sorted, duplicates dropped: no hash set).
        var shingles: [UInt64] = []
        if words.count < 4 {
            shingles.append(words.reduce(0x9E37_79B9_7F4A_7C15) { ($0 ^ $1) &* 0xff51_afd7_ed55_8ccd })
        } else {
            shingles.reserveCapacity(words.count - 3)
            for i in 0...(words.count - 4) {
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                for j in 0..<4 { h = (h ^ words[i + j]) &* 0xff51_afd7_ed55_8ccd }
                shingles.append(h ^ (h >> 29))
            }
        }
        shingles.sort()
        var out: [UInt64] = []
        out.reserveCapacity(k)
        for h in shingles where out.last != h {
            out.append(h)
            if out.count == k { break }
        }
        return out
    }

    /// Estimated Jaccard similarity of two bottom-k sketches.
    public static func similarity(_ a: [UInt64], _ b: [UInt64]) -> Double {
        if a.isEmpty || b.isEmpty { return 0 }
        let k = min(64, max(a.count, b.count))
        var i = 0
        var j = 0
        var seen = 0
        var common = 0
        while seen < k && (i < a.count || j < b.count) {
            if j >= b.count || (i < a.count && a[i] < b[j]) {
                i += 1
            } else if i >= a.count || b[j] < a[i] {
                j += 1
            } else {
                common += 1
                i += 1
                j += 1
            }
            seen += 1
        }
        return Double(common) / Double(max(seen, 1))
    }

    /// An article's sketch: of its body, or of its title when it has no body.
    public static func sketch(_ a: Article, analyzer: Analyzer) -> [UInt64] {
        sketch(a.body.isEmpty ? a.title : a.body, analyzer: analyzer)
    }

    /// Ranked items grouped into copies: each group is led by its best-ranked member, and an
    /// item joins the first group whose leader it copies. Returns, per group in rank order, the
    /// indexes of its leader and of its copies.
    public static func group(_ sketches: [[UInt64]], threshold: Double = defaultThreshold) -> [(
        leader: Int, copies: [Int]
    )] {
        var groups: [(leader: Int, copies: [Int])] = []
        for (i, sk) in sketches.enumerated() {
            if let g = groups.firstIndex(where: { similarity(sketches[$0.leader], sk) >= threshold }) {
                groups[g].copies.append(i)
            } else {
                groups.append((i, []))
            }
        }
        return groups
    }
}
