import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

/// Builds real indexes in temporary directories and checks search against brute force.
struct IndexRoundTripTests {
    static func tempDir() -> String {
        let d = TestScratch.url("loupe-core").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Deterministic pseudo-random articles over a small vocabulary (so terms repeat a lot and
    /// postings span several blocks).
    static func articles(_ n: Int, seed: UInt64 = 42) -> [Article] {
        let vocab = [
            "iran", "iraq", "talks", "green", "zone", "baghdad", "oil", "law", "the", "of", "envoy", "security",
            "meeting", "united", "states", "nuclear", "power", "dust", "storm", "cup",
        ]
        var state = seed
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        return (0..<n).map { i in
            let tl = 1 + rnd(5)
            let bl = 5 + rnd(200)
            let title = (0..<tl).map { _ in vocab[rnd(vocab.count)] }.joined(separator: " ")
            let body = (0..<bl).map { _ in vocab[rnd(vocab.count)] }.joined(separator: " ")
            return Article(id: "doc\(i)", title: title, body: body, source: "gen/\(i).txt")
        }
    }

    /// Runs `body` once per file of segment 1, with one byte in the middle of that file flipped
    /// (size kept, written in place), and restores the file after.
    static func withEachFileDamaged(_ dir: String, _ body: (String) throws -> Void) throws {
        for ext in SegmentInfo.fileExtensions {
            let path = dir + "/seg000001." + ext
            var bytes = try FileIO.read(path)
            let original = bytes
            bytes[bytes.count / 2] ^= 0x5A
            try FileIO.write(bytes, to: path)
            try body(ext)
            try FileIO.write(original, to: path)
        }
    }

    static func build(_ arts: [Article], analyzer: AnalyzerKind, segments: Int) throws -> String {
        let dir = tempDir()
        let w = try IndexWriter(directory: dir, analyzer: analyzer, reset: true)
        w.mergeFlushed = false  // the segments as built, to search across them
        let per = max(1, arts.count / segments)
        for (i, a) in arts.enumerated() {
            try w.add(a)
            if (i + 1) % per == 0 { try w.flush() }
        }
        try w.commit(corpusRoot: nil)
        return dir
    }

    /// Independent BM25 over token lists.
    static func bruteForce(_ arts: [Article], query: [String], phrase: Bool, k1: Float = 1.2, b: Float = 0.75)
        -> [(Int, Float)]
    {
        let an = Analyzer(.plain)
        let docs = arts.map { an.terms($0.title) + an.terms($0.body) }
        let n = docs.count
        let avg = Float(docs.reduce(0) { $0 + $1.count }) / Float(n)
        func idf(_ t: String) -> Float {
            let df = docs.filter { $0.contains(t) }.count
            return Float(log(1 + (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5)))
        }
        func norm(_ tf: Float, _ dl: Int) -> Float { tf * (k1 + 1) / (tf + k1 * (1 - b + b * Float(dl) / avg)) }
        var out: [(Int, Float)] = []
        for (i, d) in docs.enumerated() {
            if phrase {
                // The plain analyzer indexes title and body as one stream (like the benchmark).
                var f = 0
                for seq in [d] where seq.count >= query.count {
                    for s in 0...(seq.count - query.count) where Array(seq[s..<(s + query.count)]) == query { f += 1 }
                }
                if f > 0 { out.append((i, query.map(idf).reduce(0, +) * norm(Float(f), d.count))) }
            } else {
                var s: Float = 0
                var matched = false
                for q in query {
                    let tf = d.filter { $0 == q }.count
                    if tf > 0 {
                        matched = true
                        s += idf(q) * norm(Float(tf), d.count)
                    }
                }
                if matched { out.append((i, s)) }
            }
        }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    @Test(arguments: [1, 3])
    func termAndOrQueriesMatchBruteForce(segments: Int) throws {
        let arts = IndexRoundTripTests.articles(700)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: segments)
        let reader = try IndexReader(directory: dir)
        #expect(reader.documentCount == 700)
        #expect(reader.segments.count >= segments)
        let s = Searcher(reader: reader)
        // Plain BM25: no proximity, no whole-query phrase boost.
        s.proximity = false
        s.phraseBoost = false
        for q in [["iran"], ["cup"], ["oil", "law"], ["green", "zone", "dust"], ["absentword"]] {
            let node = try QueryParser().parse(q.joined(separator: " "))
            let r = try s.search(try s.prepare(node), limit: 20)
            let expected = IndexRoundTripTests.bruteForce(arts, query: q, phrase: false)
            #expect(r.total == expected.count, "total for \(q)")
            for (h, e) in zip(r.hits, expected.prefix(20)) {
                #expect(abs(h.score - e.1) < 1e-3 * max(1, e.1), "score for \(q)")
            }
            // Same documents up to float ties.
            let got = Set(r.hits.map(\.doc))
            let want = Set(expected.prefix(20).map(\.0))
            #expect(got.symmetricDifference(want).count <= 2, "docs for \(q)")
        }
        try reader.check()
    }

    @Test func prunedTopKEqualsExhaustive() throws {
        let arts = IndexRoundTripTests.articles(3000, seed: 11)
        for analyzer in [AnalyzerKind.english, .plain] {
            try prunedTopKEqualsExhaustive(arts, analyzer)
        }
    }

    func prunedTopKEqualsExhaustive(_ arts: [Article], _ analyzer: AnalyzerKind) throws {
        let dir = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 2)
        let reader = try IndexReader(directory: dir)
        let s = Searcher(reader: reader)
        let queries = [
            "iran", "cup", "oil law", "green zone dust storm", "the of iran", "+iran talks", "\"green zone\" OR cup",
            // 2–3 words: words and the whole-query phrase, read only where it could lift a document.
            "the of", "of the", "zone the", "the of the",
            "iran AND talks", "the AND of", "oil AND law AND the", "zone AND zqmissing", "the AND iran AND of AND cup",
            "\"green zone\"", "\"of the\"", "\"the oil law\"", "\"zone green\"",
            "the NEAR/3 of", "iran NEAR/5 talks", "oil NEAR/2 \"green zone\"",
            // Eight clauses or more: MaxScore a window at a time.
            "iran talks oil law green zone dust storm cup the of baghdad",
            "the of and to in a is on iran",
        ]
        for q in queries {
            try IndexRoundTripTests.expectPrunedEqualsExhaustive(s, q, ks: [1, 10, 100], totals: true)
        }
    }

    /// Under a `date:` filter the query keeps its pruning (the filter passes documents over as
    /// deletions are): the same hits as exhaustive scoring of the filtered matches, for every
    /// kind of query, with undated articles, two date clauses, and a narrow range whose first
    /// matches come late (the seeded threshold must only count documents in the range).
    @Test func dateFilteredPruningEqualsExhaustive() throws {
        var arts = IndexRoundTripTests.articles(3000, seed: 23)
        for i in arts.indices where i % 7 != 0 {
            let day = 1 + (i * 37) % 28
            let month = 1 + (i / 250) % 12
            arts[i].date = String(format: "2007-%02d-%02dT12:00:00Z", month, day)
        }
        for analyzer in [AnalyzerKind.english, .plain] {
            let dir = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 2)
            let s = Searcher(reader: try IndexReader(directory: dir))
            for words in [
                "iran", "oil law", "the of", "+iran talks", "iran AND talks", "\"green zone\"", "iran NEAR/5 talks",
                "iran talks oil law green zone dust storm cup the of baghdad", "the AND iran AND of",
            ] {
                for filter in [
                    "date:2007-03", "date:2007-11-05..2007-12", "date:..2007-01-10", "date:2007-06..",
                    "date:2007-02..2007-09 date:2007-05..2007-05-20",
                ] {
                    try IndexRoundTripTests.expectPrunedEqualsExhaustive(
                        s, words + " " + filter, ks: [1, 10, 100], totals: true)
                }
            }
        }
    }

    /// Top-k pruning returns the hits of exhaustive scoring (same documents, same scores) at
    /// each k; with `totals`, its total is a lower bound and `count` the exact one.
    static func expectPrunedEqualsExhaustive(_ s: Searcher, _ q: String, ks: [Int], totals: Bool = false) throws {
        let b = try s.prepare(try QueryParser().parse(q))
        for k in ks {
            let full = try s.search(b, limit: k, exactTotal: true)
            let pruned = try s.search(b, limit: k, exactTotal: false)
            #expect(full.hits.map(\.doc) == pruned.hits.map(\.doc), "\(q) k=\(k)")
            for (x, y) in zip(full.hits, pruned.hits) { #expect(abs(x.score - y.score) < 1e-4) }
            if totals {
                #expect(pruned.total <= full.total)
                #expect(try s.count(b) == full.total)
            }
        }
    }

    /// Long queries run MaxScore a window of documents at a time, with each window's clause
    /// bounds taken from the blocks it overlaps. Enough short articles for several windows per
    /// segment, words whose frequency changes along the segment (common early, rare late, and
    /// the reverse) so that a clause is essential in one window and not in the next, and a word
    /// only in the first articles (its cursor lags, then ends): the top k must equal exhaustive
    /// scoring.
    @Test func windowedMaxScoreEqualsExhaustive() throws {
        let vocab = ["iran", "iraq", "talks", "green", "zone", "baghdad", "oil", "law", "the", "of", "envoy", "cup"]
        var state: UInt64 = 17
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        let n = 3 * TopKCollectors.window + 500
        let arts = (0..<n).map { i -> Article in
            var words = (0..<(2 + rnd(6))).map { _ in vocab[rnd(vocab.count)] }
            if i < n / 3 && rnd(3) == 0 { words.append("early") }
            if i > n / 2 && rnd(4) == 0 { words += Array(repeating: "late", count: 1 + rnd(3)) }
            if i < 40 { words.append("first") }
            if rnd(500) == 0 { words.append("scarce") }
            return Article(
                id: "w\(i)", title: vocab[rnd(vocab.count)], body: words.joined(separator: " "), source: "w/\(i).txt")
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        for q in [
            "iran talks oil law green zone early late first scarce cup envoy",
            "early late first scarce the of iran^3 zone^0.5",
            "scarce^4 first^2 late early iran iraq talks green zone baghdad",
        ] {
            try IndexRoundTripTests.expectPrunedEqualsExhaustive(s, q, ks: [1, 10, 30, 200])
        }
    }

    /// A merge hands its postings to a writer thread in batches: with many terms (several
    /// batches), the merged segment holds every term with the same documents, frequencies and
    /// positions as a segment built in one go, and English stems still share exact terms'
    /// postings.
    @Test func mergeInBatchesEqualsOneBuild() throws {
        var state: UInt64 = 41
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        let syllables = ["ka", "lo", "mi", "ren", "tus", "vo", "zel", "qua", "bri", "ston"]
        let arts = (0..<2_000).map { i -> Article in
            let words = (0..<(5 + rnd(40))).map { _ in
                (0..<(2 + rnd(3))).map { _ in syllables[rnd(syllables.count)] }.joined() + (rnd(4) == 0 ? "s" : "")
            }
            return Article(id: "m\(i)", title: words[0], body: words.joined(separator: " "), source: "m/\(i).txt")
        }
        for analyzer in [AnalyzerKind.plain, .english] {
            let merged = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 5)
            let w = try IndexWriter(directory: merged, analyzer: analyzer, reset: false)
            try w.commit(corpusRoot: nil, optimize: true)
            let one = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 1)
            let terms = try IndexRoundTripTests.expectSamePostings(merged, one)
            #expect(terms > 3 * 4096, "several batches of terms: \(terms)")
        }
    }

    /// Expects the one-segment indexes `x` and `y` to hold the same terms with the same
    /// documents, frequencies and positions (and a reset cursor to read what a new one does);
    /// returns the number of terms.
    static func expectSamePostings(_ x: String, _ y: String) throws -> Int {
        let a = try IndexReader(directory: x)
        let b = try IndexReader(directory: y)
        #expect(a.segments.count == 1 && b.segments.count == 1)
        let ia = try DictionaryIterator(a.segments[0].dictionary)
        let ib = try DictionaryIterator(b.segments[0].dictionary)
        var terms = 0
        var reused: PostingsCursor?
        while let (ka, ta) = ia.current {
            let (kb, tb) = try #require(ib.current)
            #expect(ka == kb)
            #expect(ta.docFreq == tb.docFreq && ta.totalTermFreq == tb.totalTermFreq)
            let ca = a.segments[0].cursor(ta)
            let cb = b.segments[0].cursor(tb)
            let rc = reused ?? b.segments[0].cursor(tb)
            if reused != nil { rc.reset(tb) }
            reused = rc
            #expect(rc.maxFreq == cb.maxFreq && rc.minLength == cb.minLength)
            while ca.next() != PostingsCursor.end {
                #expect(cb.next() == ca.doc)
                #expect(rc.next() == ca.doc)
                #expect(ca.freq == cb.freq && ca.positions() == cb.positions())
                #expect(rc.freq == cb.freq && rc.positions() == cb.positions())
            }
            #expect(cb.next() == PostingsCursor.end)
            #expect(rc.next() == PostingsCursor.end && rc.error == nil)
            terms += 1
            try ia.advance()
            try ib.advance()
        }
        #expect(ib.current == nil)
        try a.check()
        return terms
    }

    /// A merge of segments with deletions (articles replaced: scattered ones, a run of them, the
    /// first and the last) drops the deleted documents' postings and positions: the merged
    /// segment equals one built from the live articles in their order.
    @Test func mergeWithDeletionsEqualsOneBuildOfTheLiveArticles() throws {
        var state: UInt64 = 7
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        let syllables = ["ka", "lo", "mi", "ren", "tus", "vo", "zel", "qua"]
        func text(_ n: Int) -> String {
            (0..<n).map { _ in (0..<(1 + rnd(2))).map { _ in syllables[rnd(syllables.count)] }.joined() }
                .joined(separator: " ")
        }
        let arts = (0..<1_200).map { i in
            Article(id: "d\(i)", title: text(3), body: text(5 + rnd(200)), source: "d/\(i).txt")
        }
        let replaced = Set([0, 1, 7, 300, 301, 555, 1_199] + Array(600..<680))
        for analyzer in [AnalyzerKind.plain, .english] {
            let merged = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 4)
            let w = try IndexWriter(directory: merged, analyzer: analyzer, reset: false)
            var later: [Article] = []
            for i in replaced.sorted() {
                var a = arts[i]
                a.body = text(30)
                try w.add(a)
                later.append(a)
            }
            try w.commit(corpusRoot: nil, optimize: true)
            let live = arts.indices.filter { !replaced.contains($0) }.map { arts[$0] } + later
            let one = try IndexRoundTripTests.build(live, analyzer: analyzer, segments: 1)
            let reader = try IndexReader(directory: merged)
            #expect(try (0..<reader.documentCount).map { try reader.articleID($0) } == live.map(\.id))
            #expect(try IndexRoundTripTests.expectSamePostings(merged, one) > 100)
        }
    }

    /// An update that deletes less than a fifth of a segment keeps the deleted articles in it,
    /// with their counts (`DeletionStats`): document frequencies, occurrences, average lengths,
    /// the vocabulary and scores equal those of one build of the live articles, through updates
    /// that add to the counts (more of the same segment) and delete in a later segment; `check`
    /// compares the counts with the postings. Past a fifth, the segment is rewritten.
    @Test func keptDeletionsCountLikeAFreshBuild() throws {
        var state: UInt64 = 11
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        let words = [
            "Harbour", "harbours", "ferry", "ferries", "Ferrying", "council", "World Health Organization (WHO)", "WHO",
            "U.S.", "colour", "color", "running", "ran", "runs", "pier-lighting", "1,200", "3.5%", "the", "a",
            "Porthaven", "tides", "tide", "dredging", "dredged", "e-mail", "email",
        ]
        func text(_ n: Int) -> String { (0..<n).map { _ in words[rnd(words.count)] }.joined(separator: " ") }
        var arts = (0..<300).map { i in
            Article(
                id: "d\(i)", title: text(1 + rnd(4)), body: text(3 + rnd(120)),
                categories: rnd(3) == 0 ? ["Port news", "ferries"] : [], authors: rnd(4) == 0 ? ["Ann Lee"] : [],
                source: "d/\(i).txt")
        }
        let dir = IndexRoundTripTests.tempDir()
        do {
            let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
            for a in arts { try w.add(a) }
            try w.commit(corpusRoot: nil)
        }
        func update(_ replaced: [Int]) throws {
            let w = try IndexWriter(directory: dir, analyzer: .english, reset: false)
            for i in replaced {
                arts[i].body = text(2 + rnd(40))
                arts[i].title = text(2)
                try w.add(arts[i])
            }
            try w.commit(corpusRoot: nil)
        }
        func expectFreshCounts() throws {
            let reader = try IndexReader(directory: dir)
            let fresh = try IndexReader(directory: IndexRoundTripTests.build(arts, analyzer: .english, segments: 1))
            #expect(reader.documentCount == fresh.documentCount)
            for slot in 0..<IndexField.lengthSlots {
                #expect(reader.averageLength(slot: slot) == fresh.averageLength(slot: slot), "slot \(slot)")
            }
            var keys = Set<[UInt8]>()
            for s in reader.segments + fresh.segments { try s.dictionary.forEach { k, _ in keys.insert(k) } }
            var differ: [String] = []
            for k in keys {
                let f = IndexField(rawValue: k[0])!
                let t = Array(k.dropFirst())
                if try reader.docFreq(f, t) != fresh.docFreq(f, t) { differ.append(String(decoding: k, as: UTF8.self)) }
            }
            #expect(differ.isEmpty, "document frequencies differ: \(differ.prefix(5))")
            let a = Searcher(reader: reader)
            let b = Searcher(reader: fresh)
            for field in [FieldRef.text, .title, .category, .author] {
                let va = try a.vocabulary(field: field, order: .articles, limit: nil).entries
                let vb = try b.vocabulary(field: field, order: .articles, limit: nil).entries
                #expect(va == vb, "\(field)")
            }
            for q in ["ferry", "harbour OR tides", "\"world health organization\"", "colour", "ferr*", "dredgin~1"] {
                func scores(_ s: Searcher) throws -> [String] {
                    try s.search(try s.prepare(try QueryParser().parse(q)), limit: 400).hits.map {
                        "\(try s.reader.article($0.doc).id) \($0.score)"
                    }.sorted()
                }
                #expect(try scores(a) == scores(b), "\(q)")
            }
            try reader.check()
        }
        try update([3, 40, 41, 42, 200])
        var m = try IndexReader(directory: dir).manifest
        #expect(m.segments.count == 2)
        #expect(m.segments[0].deleted == [3, 40, 41, 42, 200])
        #expect(m.segments[0].deletionStats != nil)
        try expectFreshCounts()
        let first = m.segments[0].deletionStats!.name
        // More of the first segment, and one article of the second.
        try update([5, 41, 299, 120])
        m = try IndexReader(directory: dir).manifest
        #expect(m.segments[0].deleted == [3, 5, 40, 41, 42, 120, 200, 299])
        #expect(m.segments[0].deletionStats?.name != first)
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + first), "the older counts are removed")
        try expectFreshCounts()

        // Counts that are not the deleted articles' are found by check.
        let info = m.segments[0]
        var wrong = info
        wrong.deleted = info.deleted.map { $0 == 40 ? 39 : $0 }
        #expect(throws: IndexError.self) { try SegmentReader(directory: dir, info: wrong, docBase: 0).check() }
        try SegmentReader(directory: dir, info: info, docBase: 0).check()
        // Counts of another segment's articles, above this one's: never a negative frequency.
        if let other = m.segments.first(where: { $0.name != info.name }) {
            var foreign = other
            foreign.deleted = [0]
            foreign.deletionStats = info.deletionStats
            let seg = try SegmentReader(directory: dir, info: foreign, docBase: 0)
            var negative = 0
            var subtracted = 0
            try seg.dictionary.forEach { k, ti in
                let live = try seg.liveCounts(k, ti)
                let df = try seg.liveDocFreq(k, ti)
                if live.docs < 0 || df < 0 { negative += 1 }
                if live.docs < ti.docFreq { subtracted += 1 }
            }
            #expect(negative == 0 && subtracted > 0)
            #expect(throws: IndexError.self) { try seg.check() }
        }

        // A fifth of the first segment deleted: it is rewritten without them. (The updates'
        // small segments were merged into one, which keeps its one deleted copy, under a fifth.)
        try update(Array(100..<160))
        m = try IndexReader(directory: dir).manifest
        #expect(m.segments.filter { $0.documents >= 60 }.allSatisfy { $0.deleted.isEmpty && $0.deletionStats == nil })
        #expect(m.segments.allSatisfy { $0.deleted.count * 5 < $0.documents })
        #expect(
            Set(FileIO.listDirectory(dir).filter { $0.hasSuffix(".del") })
                == Set(m.segments.compactMap { $0.deletionStats?.name }))
        try expectFreshCounts()

        // A copy that replaces an article of a segment flushed earlier in the same session: that
        // segment's counts are made from the segment just written.
        do {
            let w = try IndexWriter(directory: dir, analyzer: .english, reset: false)
            w.mergeFlushed = false
            for i in 200..<240 {
                arts[i].title = text(3)
                try w.add(arts[i])
            }
            try w.flush()
            arts[205].body = text(9)
            try w.add(arts[205])
            try w.commit(corpusRoot: nil)
        }
        m = try IndexReader(directory: dir).manifest
        #expect(m.segments.contains { $0.documents == 40 && $0.deleted == [5] && $0.deletionStats != nil })
        try expectFreshCounts()
    }

    /// The deleted articles' counts are the same file whether the articles are analysed on one
    /// thread or several, in one batch or many, at once or added to an earlier file's.
    @Test func deletionCountsDoNotDependOnThreadsOrBatches() throws {
        var arts = IndexRoundTripTests.articles(500, seed: 9)
        for i in arts.indices where i % 4 == 0 {
            arts[i].title += " U.S. World Health Organization (WHO)"
            arts[i].categories = ["Port news"]
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        let seg = try IndexReader(directory: dir).segments[0]
        let docs = Array(stride(from: 1, to: 500, by: 3))
        func file(_ name: String, _ docs: [Int], threads: Int, batch: Int, previous: TermDictionaryReader? = nil) throws
            -> [UInt8]
        {
            try DeletionStats.write(
                adding: docs, of: seg, previous: previous, to: dir + "/" + name, threads: threads, batch: batch)
            return try FileIO.read(dir + "/" + name)
        }
        let one = try file("a.del", docs, threads: 1, batch: 10_000)
        #expect(try file("b.del", docs, threads: 2, batch: 37) == one)
        #expect(try file("c.del", docs, threads: 3, batch: 64) == one)
        _ = try file("d.del", Array(docs.prefix(60)), threads: 2, batch: 16)
        let earlier = try TermDictionaryReader(try MappedFile(path: dir + "/d.del"), name: "d.del")
        #expect(try file("e.del", Array(docs.dropFirst(60)), threads: 2, batch: 16, previous: earlier) == one)
    }

    /// A term named in a `check` message cannot carry terminal controls or reorder the line.
    @Test func termsInMessagesArePrintable() {
        let bytes: [UInt8] = [0x61, 0x1B, 0x5B, 0x32, 0x4A, 0x00] + Array("b\u{202E}c\u{85}é".utf8)
        #expect(SegmentReader.printable(bytes[...]) == "a?[2J?b?c?é")
    }

    /// A long deletion list is written packed (and the MANIFEST is format 2, which an older loupe
    /// refuses); a short one stays a JSON array (format 1); both read back the same.
    @Test func longDeletionListsArePacked() throws {
        var info = SegmentInfo(name: "seg000001", documents: 9_000_000, terms: 1, lengthSums: [1], analyzer: .plain)
        info.deleted = [0, 1, 2, 200, 201, 70_000, 8_999_999] + Array(stride(from: 300, to: 6_000, by: 3))
        info.deleted.sort()
        let packed = try JSONEncoder().encode(info)
        #expect(String(decoding: packed, as: UTF8.self).contains("\"deletedPacked\""))
        #expect(!String(decoding: packed, as: UTF8.self).contains("\"deleted\""))
        #expect(try JSONDecoder().decode(SegmentInfo.self, from: packed) == info)
        info.deleted = [3, 9]
        let plain = try JSONEncoder().encode(info)
        #expect(String(decoding: plain, as: UTF8.self).contains("\"deleted\":[3,9]"))
        #expect(try JSONDecoder().decode(SegmentInfo.self, from: plain) == info)
        for bad in ["not base64!", "AA==", "gA=="] {  // a gap of 0; a varint cut short
            #expect(SegmentInfo.unpack(bad) == nil, "\(bad)")
        }

        let arts = IndexRoundTripTests.articles(2_000, seed: 5)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 1)
        do {
            let w = try IndexWriter(directory: dir, analyzer: .plain, reset: false)
            w.rewriteDeletedShare = 0.9
            for a in arts.prefix(1_100) { try w.add(a) }
            try w.commit(corpusRoot: nil)
        }
        let r = try IndexReader(directory: dir)
        #expect(r.manifest.format == 2)
        #expect(r.manifest.segments[0].deleted == Array(0..<1_100))
        #expect(r.documentCount == 2_000)
        try r.check()
        let w2 = try IndexWriter(directory: dir, analyzer: .plain, reset: false)
        try w2.commit(corpusRoot: nil, optimize: true)
        #expect(try IndexReader(directory: dir).manifest.format == 1)
    }

    /// A conjunction of common words over many blocks: its block-max windows are tried, then
    /// tried only now and then while they fail to prune (two common words), then again when
    /// they prune (later articles where one word is dense). The top k must equal exhaustive
    /// scoring throughout.
    @Test func conjunctionWindowsEqualExhaustive() throws {
        var state: UInt64 = 29
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        let n = 40 * PostingsFormat.blockSize
        let arts = (0..<n).map { i -> Article in
            var words = ["alpha", "beta", "gamma", "delta", "epsilon"].filter { _ in rnd(3) > 0 }
            words += (0..<rnd(30)).map { _ in "filler\(rnd(50))" }
            if i > n / 2 && rnd(7) == 0 { words += Array(repeating: "alpha", count: 2 + rnd(5)) }
            if rnd(60) == 0 { words.append("scarce") }
            return Article(id: "c\(i)", title: "t\(rnd(9))", body: words.joined(separator: " "), source: "c/\(i).txt")
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 1)
        let s = Searcher(reader: try IndexReader(directory: dir))
        for q in ["alpha AND beta", "beta AND gamma AND delta", "alpha AND scarce", "epsilon AND alpha^2"] {
            try IndexRoundTripTests.expectPrunedEqualsExhaustive(s, q, ks: [1, 10, 50], totals: true)
        }
    }

    /// A rare word OR a common one: MaxScore seeds its threshold from the rare word's first
    /// documents; the top k must still equal exhaustive scoring.
    @Test func seededMaxScoreEqualsExhaustive() throws {
        var arts = IndexRoundTripTests.articles(3000, seed: 5)
        for i in arts.indices {
            // In 60 % of the articles (a word in all of them would weigh nothing).
            if i % 5 < 3 { arts[i].body += " common" + String(repeating: " common", count: i % 4) }
            if i % 150 == 7 { arts[i].body += String(repeating: " zqrare", count: 1 + i % 3) }
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        for q in ["zqrare OR common", "common zqrare", "zqrare OR common OR iran"] {
            try IndexRoundTripTests.expectPrunedEqualsExhaustive(s, q, ks: [1, 5, 10, 25])
        }
    }

    /// NEAR counts each match once, weighted 1/(1 + gap): with the English analyzer an unquoted
    /// word is its stem, title and exact form, whose positions repeat (they were counted two or
    /// three times), and `movie OR movies` share a stem.
    @Test func nearCountsEachMatchOnce() throws {
        let arts = [
            Article(id: "a", title: "Movie plays", body: "The movie plays well.", source: "a.txt"),
            Article(id: "b", title: "Cinema", body: "Her movies played to full houses.", source: "b.txt"),
            Article(id: "c", title: "Other", body: "Nothing here about it.", source: "c.txt"),
        ]
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        let s = Searcher(reader: try IndexReader(directory: dir))
        func score(_ q: String, doc: Int) throws -> Float? {
            try s.search(try s.prepare(try QueryParser().parse(q)), limit: 10).hits.first { $0.doc == doc }?.score
        }
        let bm = BM25()
        let avg = s.reader.averageLength(slot: IndexField.textStem.lengthSlot)
        func expected(freq: Float, dl: Float) throws -> Float {
            // The NEAR weight is the operands' stem idf sum.
            let w = try ["movi", "play"].reduce(Float(0)) {
                $0
                    + BM25.idf(
                        docFreq: try s.reader.docFreq(.textStem, Array($1.utf8)), documents: s.reader.documentCount)
            }
            return w * bm.tfNorm(freq, length: dl, avgLength: avg)
        }
        // Article a: "movie plays" adjacent twice (title and body): 1 + 1.
        let a = try #require(try score("movie NEAR/5 plays", doc: 0))
        #expect(abs(a - (try expected(freq: 2, dl: 6))) < 1e-4)
        #expect(try score("(movie OR movies) NEAR/5 plays", doc: 0) == a)
        // Article b: "movies played", stems only, adjacent once.
        let b = try #require(try score("movie NEAR/5 plays", doc: 1))
        #expect(abs(b - (try expected(freq: 1, dl: 7))) < 1e-4)
    }

    /// One English word (stem, title and exact-form terms): block-max over the stem, where a
    /// block is either skipped, scored whole, or scored only on its title matches. The top k
    /// must equal exhaustive scoring.
    @Test func wordBlockMaxEqualsExhaustive() throws {
        var arts = IndexRoundTripTests.articles(3000, seed: 9)
        for i in arts.indices {
            // Common in the text, written two ways; rare in titles.
            if i % 5 < 3 {
                arts[i].body += (i % 2 == 0 ? " common" : " commons") + String(repeating: " common", count: i % 4)
            }
            if i % 97 == 3 { arts[i].title += " common" }
        }
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        for q in ["common", "commons", "iran", "the"] {
            try IndexRoundTripTests.expectPrunedEqualsExhaustive(s, q, ks: [1, 5, 10, 25])
        }
    }

    /// A boost multiplies its clause's score: `iran^2 talks` = 2 × iran's part + talks' part.
    @Test func boostScalesTheClauseScore() throws {
        let arts = IndexRoundTripTests.articles(400, seed: 13)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        func scores(_ q: String) throws -> [Int: Float] {
            let r = try s.search(try s.prepare(try QueryParser().parse(q)), limit: 1000)
            return Dictionary(uniqueKeysWithValues: r.hits.map { ($0.doc, $0.score) })
        }
        let iran = try scores("iran")
        let talks = try scores("talks")
        let boosted = try scores("iran^2")
        #expect(boosted.count == iran.count)
        for (d, v) in iran { #expect(abs((boosted[d] ?? 0) - 2 * v) <= 1e-4 * max(1, v)) }
        // Four words: no whole-query phrase, so the sum is exactly the two parts.
        let both = try scores("iran^2 talks zqnone zqother")
        for (d, v) in both {
            #expect(abs(v - (2 * (iran[d] ?? 0) + (talks[d] ?? 0))) <= 1e-3 * max(1, v))
        }
        // Boosts apply to phrases and NEAR too.
        let phrase = try scores("\"green zone\"")
        let phrase3 = try scores("\"green zone\"^3")
        for (d, v) in phrase { #expect(abs((phrase3[d] ?? 0) - 3 * v) <= 1e-4 * max(1, v)) }
    }

    @Test func phraseQueriesMatchBruteForce() throws {
        let arts = IndexRoundTripTests.articles(500, seed: 7)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let reader = try IndexReader(directory: dir)
        let s = Searcher(reader: reader)
        for q in [["green", "zone"], ["the", "oil", "law"], ["zone", "green"]] {
            let node = try QueryParser().parse("\"\(q.joined(separator: " "))\"")
            let r = try s.search(try s.prepare(node), limit: 10)
            let expected = IndexRoundTripTests.bruteForce(arts, query: q, phrase: true)
            #expect(r.total == expected.count, "total for \(q)")
            for (h, e) in zip(r.hits, expected.prefix(10)) {
                #expect(abs(h.score - e.1) < 1e-3 * max(1, e.1), "score for \(q)")
            }
        }
    }

    @Test func storedArticlesRoundTrip() throws {
        var arts = IndexRoundTripTests.articles(50)
        arts[3].date = "2007-07-24T10:15:00Z"
        arts[3].categories = ["Iraq", "Diplomacy"]
        arts[3].link = "https://example.org/x"
        arts[4].body = "Ünïcödé — 東京 \u{0}text"
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 2)
        let reader = try IndexReader(directory: dir)
        for i in 0..<50 { #expect(try reader.article(i) == arts[i]) }
    }

    /// An optimizing merge copies the compressed stored blocks of segments without deletions
    /// and re-encodes the others: every live article reads back unchanged, in order.
    @Test func mergedStoredArticlesRoundTrip() throws {
        var arts = IndexRoundTripTests.articles(400)
        for i in stride(from: 0, to: arts.count, by: 7) {
            arts[i].date = "2007-07-\(10 + i % 18)T10:15:00Z"
            arts[i].categories = ["c\(i % 3)"]
        }
        // Long bodies so that segments span several 32 KB blocks.
        for i in stride(from: 1, to: arts.count, by: 5) {
            arts[i].body += String(repeating: " \(arts[i].title)", count: 300)
        }
        let dir = IndexRoundTripTests.tempDir()
        do {
            let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
            for (i, a) in arts.enumerated() {
                try w.add(a)
                if (i + 1) % 100 == 0 { try w.flush() }
            }
            try w.commit(corpusRoot: nil)
        }
        // Replace two articles of the second segment (deletions there only), then optimize.
        let w2 = try IndexWriter(directory: dir, analyzer: .english, reset: false)
        var expected = arts
        for i in [120, 171] {
            var a = arts[i]
            a.body = "replaced \(i)"
            try w2.add(a)
            expected.remove(at: expected.firstIndex { $0.id == a.id }!)
            expected.append(a)
        }
        try w2.commit(corpusRoot: nil, optimize: true)
        let reader = try IndexReader(directory: dir)
        #expect(reader.segments.count == 1)
        #expect(reader.documentCount == arts.count)
        var byId: [String: Article] = [:]
        for a in expected { byId[a.id] = a }
        var seen = Set<String>()
        for d in 0..<reader.documentCount {
            let a = try reader.article(d)
            #expect(a == byId[a.id], "article \(a.id)")
            seen.insert(a.id)
        }
        #expect(seen.count == arts.count)
        try reader.check()
    }

    /// A merge of a segment with deletions copies the compressed blocks that hold no deleted
    /// article as they are, and compresses the live articles of the others again.
    @Test func storeBlocksWithoutDeletionsAreCopied() throws {
        var arts = IndexRoundTripTests.articles(300)
        for i in arts.indices { arts[i].body += String(repeating: " \(arts[i].title) \(i)", count: 40) }
        let dir = IndexRoundTripTests.tempDir()
        let w = try IndexWriter(directory: dir, analyzer: .plain, reset: true)
        for a in arts { try w.add(a) }
        try w.commit(corpusRoot: nil)
        let reader = try IndexReader(directory: dir)  // keeps the store mapped
        let source = reader.segments[0].storedFields
        var blocks: [[UInt8]] = []
        try source.withRawBlocks { c, _ in blocks.append(Array(c.bindMemory(to: UInt8.self))) }
        #expect(blocks.count > 8, "several blocks: \(blocks.count)")
        // Deleted: three articles of the first block and every article of another.
        let inThird = try (0..<source.count).filter { try source.location($0).0 == 3 }
        let deleted = Set([1, 2, 5] + inThird)
        let path = dir + "/copy.store"
        var out = StoredFieldsWriter()
        try out.stream(to: try FileOutput(path: path))
        try out.appendLive(of: source) { !deleted.contains($0) }
        try out.finish(path: path)
        let file = try MappedFile(path: path)
        let live = arts.indices.filter { !deleted.contains($0) }
        let copy = try StoredFieldsReader(file.bytes, name: path, expectedDocuments: live.count)
        for (k, i) in live.enumerated() { #expect(try copy.article(k) == arts[i]) }
        var copied: [[UInt8]] = []
        try copy.withRawBlocks { c, _ in copied.append(Array(c.bindMemory(to: UInt8.self))) }
        // The first block's live articles were compressed again, the fourth block (all deleted)
        // is gone, and every other block is the source's bytes.
        #expect(deleted.isSuperset(of: [1, 2, 5]) && (0..<6).allSatisfy { try! source.location($0).0 == 0 })
        #expect(copied.count == blocks.count - 1)
        #expect(copied[0] != blocks[0])
        #expect(Array(copied[1...]) == Array(blocks[1..<3] + blocks[4...]))
        withExtendedLifetime((reader, file)) {}
    }

    /// Two workers' segments flushed in the "wrong" order (the later files first) merge in
    /// document order all the same: numbering does not depend on which thread flushed first.
    @Test func mergeNumbersDocumentsInFileOrderNotFlushOrder() throws {
        let dir = IndexRoundTripTests.tempDir()
        let w = try IndexWriter(directory: dir, analyzer: .plain, reset: true)
        let first = w.makeBuilder()
        let second = w.makeBuilder()
        for i in 0..<3 {
            first.add(
                Article(id: "a\(i)", title: "t", body: "zqword", source: "a"), order: ArticleOrder(file: 0, position: i)
            )
            second.add(
                Article(id: "b\(i)", title: "t", body: "zqword", source: "b"), order: ArticleOrder(file: 1, position: i)
            )
        }
        try w.flush(second)
        try w.flush(first)
        try w.commit(corpusRoot: nil, optimize: true)
        let reader = try IndexReader(directory: dir)
        #expect(try (0..<6).map { try reader.articleID($0) } == ["a0", "a1", "a2", "b0", "b1", "b2"])
    }

    @Test func duplicateIdsKeepTheLatest() throws {
        let dir = IndexRoundTripTests.tempDir()
        let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
        try w.add(Article(id: "x", title: "first", body: "zqfirstversion", source: "a"))
        try w.flush()
        try w.add(Article(id: "y", title: "other", body: "zqother", source: "a"))
        try w.add(Article(id: "x", title: "second", body: "zqsecondversion", source: "a"))
        try w.commit(corpusRoot: nil)
        let reader = try IndexReader(directory: dir)
        #expect(reader.documentCount == 2)
        let s = Searcher(reader: reader)
        #expect(try s.search(try s.prepare(try QueryParser().parse("zqfirstversion")), limit: 5).total == 0)
        #expect(try s.search(try s.prepare(try QueryParser().parse("zqsecondversion")), limit: 5).total == 1)
    }

    @Test func secondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = IndexRoundTripTests.tempDir()
        let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
        #expect(throws: IndexError.self) { _ = try IndexWriter(directory: dir, analyzer: .english, reset: true) }
        _ = w
    }

    @Test func checkDetectsAFlippedByteInEveryFileKind() throws {
        let arts = IndexRoundTripTests.articles(300)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        try IndexRoundTripTests.withEachFileDamaged(dir) { ext in
            var caught: Error?
            do {
                let r = try IndexReader(directory: dir)
                try r.check()
            } catch {
                caught = error
            }
            #expect(caught != nil, "flip in .\(ext) not detected")
            if let e = caught { #expect("\(e)".contains("seg000001.\(ext)"), "error names the file: \(e)") }
        }
        try IndexReader(directory: dir).check()
    }
}

/// NEAR whose sides are plain words or ORs of plain words (a pattern's expansions, a group) reads
/// them as one cursor or a `UnionCursor` and merges their positions; the same query with an
/// alternative on each side that is neither (a phrase that matches nothing) takes the span path.
/// Both give the same matches, totals and scores, for the plain and English analyzers, a union of
/// 2 words and one of 10 (a heap), ordered and not.
struct NearOfWordsTests {
    static func withSpanPath(_ q: BoundQuery) -> BoundQuery {
        guard case .near(let a, let b, let d, let o, let w, let slot) = q else { return q }
        func pad(_ side: BoundQuery) -> BoundQuery {
            var field: UInt8 = IndexField.text.rawValue
            if case .term(let k, _, _) = side, let f = k.first { field = f }
            if case .or(let c) = side, case .term(let k, _, _) = c.first, let f = k.first { field = f }
            let nothing = BoundQuery.phrase(
                keys: [[field] + Array("zqabsent".utf8), [field] + Array("zqnone".utf8)], offsets: [0, 1], slop: 0,
                weight: 0, slot: 0)
            if case .or(let c) = side { return .or(c + [nothing]) }
            return .or([side, nothing])
        }
        return .near(pad(a), pad(b), distance: d, ordered: o, weight: w, slot: slot)
    }

    @Test func unionAndTermPositionsMatchTheSpanPath() throws {
        let arts = IndexRoundTripTests.articles(2000, seed: 5)
        let group = "(iran OR iraq OR talks OR green OR zone OR baghdad OR oil OR law OR envoy OR security)"
        for analyzer in [AnalyzerKind.plain, .english] {
            let dir = try IndexRoundTripTests.build(arts, analyzer: analyzer, segments: 2)
            let s = Searcher(reader: try IndexReader(directory: dir))
            var compared = 0
            for q in [
                "i* NEAR/3 talks", "talks NEAR/2 i*", "\(group) NEAR/2 the", "the ADJ/1 \(group)", "iran NEAR/4 oil",
                "i* ADJ/3 s*",
            ] {
                let b = try s.prepare(try QueryParser().parse(q))
                guard case .near = b else {
                    Issue.record("\(q) is not bound as NEAR: \(b)")
                    continue
                }
                let fast = try s.search(b, limit: 3000, exactTotal: true)
                let spans = try s.search(Self.withSpanPath(b), limit: 3000, exactTotal: true)
                #expect(fast.total == spans.total && fast.total > 0, "\(q) \(analyzer)")
                #expect(fast.hits.map(\.doc) == spans.hits.map(\.doc), "\(q) \(analyzer)")
                for (x, y) in zip(fast.hits, spans.hits) { #expect(x.score == y.score, "\(q)") }
                compared += fast.total
            }
            #expect(compared > 1000)
        }
    }
}
