import Foundation
import Testing

@testable import LoupeCore

struct BM25Tests {
    @Test func idfMatchesLuceneFormula() {
        // ln(1 + (N - df + 0.5) / (df + 0.5)) with N = 10, df = 2: ln(1 + 8.5 / 2.5) = ln(4.4)
        #expect(abs(BM25.idf(docFreq: 2, documents: 10) - 1.4816045) < 1e-5)
        // df = N: ln(1 + 0.5 / (N + 0.5)) stays positive.
        #expect(BM25.idf(docFreq: 10, documents: 10) > 0)
    }

    @Test func scoreByHand() {
        let bm = BM25(k1: 1.2, b: 0.75)
        // tf 3, dl 100, avgdl 50: norm = 1.2 * (0.25 + 0.75 * 2) = 2.1; 3 * 2.2 / 5.1 = 1.2941176
        #expect(abs(bm.tfNorm(3, length: 100, avgLength: 50) - 1.2941176) < 1e-5)
        let idf = BM25.idf(docFreq: 2, documents: 10)
        #expect(abs(bm.score(tf: 3, length: 100, avgLength: 50, idf: idf) - 1.4816045 * 1.2941176) < 1e-4)
        // b = 0: no length normalisation; tf 1 gives exactly 1.
        #expect(abs(BM25(k1: 1.2, b: 0).tfNorm(1, length: 999, avgLength: 1) - 1) < 1e-6)
    }
}
