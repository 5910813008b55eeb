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

/// The log-likelihood ratio behind `loupe terms --in`.
@Suite("log-likelihood")
struct LogLikelihoodTests {
    @Test func zeroWhenTheSharesAgreeAndGrowingWithTheGap() {
        // 10 % of the set and 10 % of the rest: nothing sets them apart.
        #expect(abs(Searcher.logLikelihood(a: 5, b: 45, c: 10, d: 90)) < 1e-9)
        let small = Searcher.logLikelihood(a: 10, b: 40, c: 10, d: 90)
        let large = Searcher.logLikelihood(a: 30, b: 20, c: 10, d: 90)
        #expect(small > 0 && large > small)
        // Symmetric in the table's rows and columns.
        #expect(
            abs(Searcher.logLikelihood(a: 30, b: 20, c: 10, d: 90) - Searcher.logLikelihood(a: 30, b: 10, c: 20, d: 90))
                < 1e-9)
        // By hand: a = b = c = d halves nothing; [[10, 0], [0, 10]] is 2 × 20 ln 2.
        #expect(abs(Searcher.logLikelihood(a: 10, b: 0, c: 0, d: 10) - 40 * log(2.0)) < 1e-9)
    }
}
