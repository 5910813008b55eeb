import Foundation
import Testing

@testable import LoupeCore

/// `Searcher.count` walks a query rewritten to match the same documents with less work
/// (`BoundQuery.forCounting`): its totals are those of scoring every match.
@Suite struct CountingTests {
    /// Articles of the round-trip vocabulary, plus 1,500 distinct `w…` words so that `w*` has
    /// more words than are scored (the rest an `anyOf`), dated or not.
    static func articles() -> [Article] {
        var arts = IndexRoundTripTests.articles(1500, seed: 31)
        for i in arts.indices {
            arts[i].body += " w\(i) w\(i * 7 % 1500)x"
            if i % 3 != 0 { arts[i].date = String(format: "2007-%02d-10T00:00:00Z", 1 + i % 12) }
        }
        return arts
    }

    @Test func countEqualsTheTotalOfScoringEveryMatch() throws {
        let arts = CountingTests.articles()
        for analyzer in [AnalyzerKind.english, .plain] {
            let dir = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 2)
            let s = Searcher(reader: try IndexReader(directory: dir))
            for q in [
                "iran", "green zone", "the of iran", "iran OR zqmissing", "\"green zone\" OR cup", "+iran talks",
                "iran -talks", "-iran talks", "(iran OR iraq) -oil", "iran AND talks AND -zone",
                "iran AND (oil OR law)",
                "w*", "w1*", "w* -iran", "iran w*", "\"green w*\"~3", "iran NEAR/5 talks", "(oil OR law) NEAR/3 zone",
                "iran date:2007-03", "iran talks date:2007-02..2007-06", "*:* -iran", "title:iran cup",
            ] {
                let b = try s.prepare(try QueryParser().parse(q))
                let full = try s.search(b, limit: 10, exactTotal: true)
                #expect(try s.count(b) == full.total, "\(q) (\(analyzer))")
                // What `find` asks for: the same hits and total, pruned and counted apart or not.
                let found = try s.searchWithExactTotal(b, limit: 10)
                #expect(found.hits.map(\.doc) == full.hits.map(\.doc) && found.total == full.total, "\(q)")
                #expect(found.totalIsExact)
                // `find --by` counts these documents.
                let all = try s.search(b, limit: 5000, exactTotal: true).hits.map(\.doc).sorted()
                #expect(try s.matchingDocuments(b) == all, "\(q)")
            }
        }
    }

    /// What adds no document is left out of the counted query: a 2–3-word query's whole-query
    /// phrase, a word's title and exact-form terms (its stem holds their documents), optional
    /// clauses beside required ones; the words of an OR become one set of keys.
    @Test func theCountedQueryLeavesOutWhatAddsNoDocument() throws {
        let dir = try IndexRoundTripTests.build(CountingTests.articles(), analyzer: .english, segments: 1)
        let s = Searcher(reader: try IndexReader(directory: dir))
        func counted(_ q: String) throws -> BoundQuery { try s.prepare(try QueryParser().parse(q)).forCounting }
        func phrases(_ q: BoundQuery) -> Int {
            switch q {
            case .phrase, .multiPhrase: return 1
            case .or(let c), .atLeast(_, let c): return c.map(phrases).reduce(0, +)
            case .boolean(let m, let sh, let n): return (m + sh + n).map(phrases).reduce(0, +)
            case .near(let a, let b, _, _, _, _): return phrases(a) + phrases(b)
            case .date(let c, _, _, _), .dateAny(let c, _): return phrases(c)
            default: return 0
            }
        }
        let twoWords = try s.prepare(try QueryParser().parse("green zone"))
        #expect(phrases(twoWords) == 1)
        let c = try counted("green zone")
        #expect(phrases(c) == 0)
        guard case .anyOf(let keys) = c else {
            Issue.record("\(c)")
            return
        }
        #expect(keys.map { $0.first } == [IndexField.textStem.rawValue, IndexField.textStem.rawValue])
        guard case .term(let key, _, _) = try counted("iran") else {
            Issue.record("one word")
            return
        }
        #expect(key.first == IndexField.textStem.rawValue)
        guard case .boolean(let must, let should, _) = try counted("+iran talks") else {
            Issue.record("required and optional")
            return
        }
        #expect(must.count == 1 && should.isEmpty)
        // A phrase asked for is kept (and its matches are then scored in one pass).
        #expect(phrases(try counted("\"green zone\" OR cup")) == 1)
        #expect(try counted("\"green zone\" OR cup").readsPositions && !counted("green zone").readsPositions)
    }
}

/// A scorer asked whether one document matches (highlighting, `--explain`) answers for that
/// document alone: a phrase, NEAR or multi-phrase that does not occur there does not search on
/// to its next match (`Scorer.matches`).
@Suite struct OneDocumentTests {
    @Test func aPositionalScorerStopsAtTheDocumentAskedAbout() throws {
        var arts = (0..<40).map { i in
            Article(id: "d\(i)", title: "", body: "zone of a green and other zone", source: "d\(i).txt")
        }
        arts[30].body = "the green zone and the green area"
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 1)
        let reader = try IndexReader(directory: dir)
        let s = Searcher(reader: reader)
        let seg = reader.segments[0]
        let ctx = ScoringContext(segment: seg, bm25: BM25(), avgLength: [1, 1, 1, 1])
        for q in [
            "\"green zone\"", "\"green zone\"~1", "green NEAR/0 zone", "\"green z*\"",
            "(\"green zone\" OR cup) NEAR/3 the",
        ] {
            let b = try s.prepare(try QueryParser().parse(q))
            let asked = try s.scorer(b, ctx)
            #expect(!asked.matches(3), "\(q)")
            #expect(asked.doc == PostingsCursor.end, "\(q): went on to \(asked.doc)")
            #expect(try s.scorer(b, ctx).matches(30), "\(q)")
            // Walked as a search, the scorer still finds the later match.
            #expect(try s.scorer(b, ctx).advance(to: 3) == 30, "\(q)")
            #expect(try s.spans(b, doc: 3).isEmpty, "\(q)")
            #expect(try !s.spans(b, doc: 30).isEmpty, "\(q)")
        }
    }
}

/// A prefix's words gathered over several segments: document frequencies summed, the most
/// frequent scored (ties in dictionary order) and listed in dictionary order, the rest matching
/// most frequent first; beyond the limit, the first words taken, with a note.
@Suite struct PatternExpansionTests {
    @Test func wordsOfEverySegmentSummedAndRanked() throws {
        // 1,200 words `p0000`…: word i in (i % 5) + 1 articles of the first half and (i % 3)
        // of the second (each half a segment), a few only in the second.
        var arts: [Article] = []
        for half in 0..<2 {
            for a in 0..<6 {
                var words: [String] = []
                for i in 0..<1200 where (half == 0 ? (i % 5) + 1 : i % 3) > a && !(half == 0 && i % 97 == 0) {
                    words.append(String(format: "p%04d", i))
                }
                arts.append(Article(id: "h\(half)a\(a)", title: "", body: words.joined(separator: " "), source: "x"))
            }
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let reader = try IndexReader(directory: dir)
        #expect(reader.segments.count == 2)
        var df = [String: Int]()
        for a in arts { for w in Set(a.body.split(separator: " ")) { df[String(w), default: 0] += 1 } }
        let words = df.keys.sorted()
        let ranked = words.sorted { df[$0]! != df[$1]! ? df[$0]! > df[$1]! : $0 < $1 }
        let s = Searcher(reader: reader)
        guard case .or(let clauses) = try s.prepare(try QueryParser().parse("p*")), case .anyOf(let rest) = clauses.last
        else {
            Issue.record("not scored words and the rest")
            return
        }
        let scored = clauses.dropLast().compactMap { c -> String? in
            if case .term(let k, _, _) = c { return String(decoding: k.dropFirst(), as: UTF8.self) }
            return nil
        }
        #expect(scored == Array(ranked.prefix(Searcher.scoredPatternTerms)).sorted())
        #expect(
            rest.map { String(decoding: $0.dropFirst(), as: UTF8.self) }
                == Array(ranked.dropFirst(Searcher.scoredPatternTerms)))
        // A limit of 500 words: the first segment's first 500 (it holds all but every 97th word).
        let capped = Searcher(reader: reader)
        capped.patternTermLimit = 500
        let bound = try capped.prepare(try QueryParser().parse("p*"))
        #expect(capped.notes.contains { $0.contains("more than 500 words") })
        let firstSegment = words.filter { w in arts[0..<6].contains { $0.body.contains(w) } }
        #expect(
            Set(bound.patternKeys.map { String(decoding: $0.dropFirst(), as: UTF8.self) })
                == Set(firstSegment.prefix(500)))
    }
}
