/// BM25 as in Lucene 8+ and Anserini (see DESIGN.md):
/// `idf = ln(1 + (N − df + 0.5) / (df + 0.5))`,
/// `score = idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))`.
public struct BM25: Sendable, Equatable {
    /// Lucene's defaults; to be revisited by evaluation (issue 5).
    public var k1: Float = 1.2
    public var b: Float = 0.75

    public init(k1: Float = 1.2, b: Float = 0.75) {
        self.k1 = k1
        self.b = b
    }

    public static func idf(docFreq df: Int, documents n: Int) -> Float {
        let d = Double(df)
        return Float(log(1 + (Double(n) - d + 0.5) / (d + 0.5)))
    }

    /// The tf/length part of the score, without idf.
    @inline(__always)
    public func tfNorm(_ tf: Float, length dl: Float, avgLength avgdl: Float) -> Float {
        let norm = k1 * (1 - b + b * dl / max(avgdl, 1e-6))
        return tf * (k1 + 1) / (tf + norm)
    }

    @inline(__always)
    public func score(tf: Float, length: Float, avgLength: Float, idf: Float) -> Float {
        idf * tfNorm(tf, length: length, avgLength: avgLength)
    }
}

/// Loupe's default ranking settings, chosen with `Scripts/eval` on Cranfield and SciFact (train)
/// — a setting was kept only if it helped on both (README "Ranking"): k1 and b stay Lucene's
/// (other cells gained less than 0.004), title matches count a quarter extra (+0.012 / +0.004
/// nDCG@10), pair proximity is off (it lowered both: −0.011 / −0.032 at full weight), stopwords
/// are kept in scoring (dropping them helped one collection only), a word's exact form adds a
/// tenth of its weight to its stem's (+0.0045 / +0.0007).
public enum RankingDefaults {
    public static let k1: Float = 1.2
    public static let b: Float = 0.75
    public static let titleWeight: Float = 0.25
    public static let exactWeight: Float = 0.1
    public static let stopwords = false
    public static let proximity = false
    public static let proximityWeight: Float = 1
    public static let sublinearRepeats = true
    public static let spelling = true
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
