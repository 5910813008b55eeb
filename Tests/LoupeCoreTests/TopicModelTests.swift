import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

struct TopicModelTests {
    @Test func choleskyQRGivesOrthonormalColumns() {
        var rng = SplitMix(seed: 7)
        let rows = 300
        let cols = 12
        var a = (0..<(rows * cols)).map { _ in rng.gaussian() }
        // A dependent column: it must come out zero, not NaN.
        for r in 0..<rows { a[r * cols + 5] = 2 * a[r * cols + 1] }
        Dense.orthonormalizeColumns(&a, rows: rows, cols: cols)
        for i in 0..<cols {
            for j in 0..<cols {
                var d: Float = 0
                for r in 0..<rows { d += a[r * cols + i] * a[r * cols + j] }
                let want: Float = (i == j && i != 5) ? 1 : 0
                #expect(abs(d - want) < 1e-3, "(\(i), \(j)): \(d)")
            }
        }
    }

    /// The model does not depend on the order in which the sample meets its words: each word's
    /// random row is drawn from a seed made of the word. The same articles added in reverse
    /// order give the same topics (each up to its sign, to rounding), even where the spectrum is
    /// flat (random words) and the randomized SVD has not converged, so that the topics are its
    /// random rows' choice. (With rows drawn in the order words were met, the topics differ.)
    @Test func wordOrderDoesNotChangeTheModel() throws {
        var rng = SplitMix(seed: 5)
        let words = (0..<200).map { "w\($0)" }
        let arts = (0..<1_200).map { i in
            Article(
                id: "d\(i)", title: "", body: (0..<20).map { _ in words[Int(rng.next() % 200)] }.joined(separator: " "),
                source: "g/\(i)")
        }
        func model(_ articles: [Article]) throws -> TopicModel {
            let dir = TestScratch.url("loupe-topics").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let w = try IndexWriter(directory: dir, analyzer: .plain, reset: true)
            for a in articles { try w.add(a) }
            try w.commit(corpusRoot: nil)
            return try #require(try TopicModel.build(try IndexReader(directory: dir), corpus: "c", rank: 8, threads: 1))
        }
        let forward = try model(arts)
        let backward = try model(arts.reversed())
        #expect(forward.terms == backward.terms)
        let k = forward.k
        var worst: Float = 1
        for c in 0..<k {
            var dot: Float = 0
            var na: Float = 0
            var nb: Float = 0
            for t in 0..<forward.termCount {
                let a = forward.rows[t * k + c]
                let b = backward.rows[t * k + c]
                dot += a * b
                na += a * a
                nb += b * b
            }
            worst = min(worst, abs(dot) / (na * nb).squareRoot())
        }
        #expect(worst > 0.999, "least similar topic: |cos| \(worst)")
    }

    /// The blocked products sum in the order of the plain loops: bit for bit the same results
    /// as one product at a time, for sizes that are and are not multiples of the block, rows with
    /// zeros and rows of zeros, on one and two threads.
    @Test func blockedProductsEqualPlainLoopsBitForBit() {
        var rng = SplitMix(seed: 7)
        func value() -> Float {
            let g = rng.gaussian()
            return abs(g) < 0.3 ? 0 : g
        }
        for (rows, cols) in [(1, 1), (3, 5), (9, 7), (17, 12), (40, 3)] {
            var a = (0..<(rows * cols)).map { _ in value() }
            for j in 0..<cols where rows > 2 { a[cols + j] = 0 }  // a row of zeros
            var plain = [Double](repeating: 0, count: cols * cols)
            for r in 0..<rows {
                for i in 0..<cols where a[r * cols + i] != 0 {
                    for j in i..<cols { plain[i * cols + j] += Double(a[r * cols + i]) * Double(a[r * cols + j]) }
                }
            }
            for threads in [1, 2] {
                let g = Dense.gram(a, rows: rows, cols: cols, threads: threads)
                for i in 0..<cols {
                    for j in i..<cols { #expect(g[i * cols + j].bitPattern == plain[i * cols + j].bitPattern) }
                }
            }
        }
        for (rows, columns, width) in [(5, 9, 3), (12, 20, 8), (7, 4, 5)] {
            var rowStart = [0]
            var cols: [Int32] = []
            var vals: [Float] = []
            for r in 0..<rows {
                let n = (r * 3) % 11
                for e in 0..<n {
                    cols.append(Int32((r + e * 5) % columns))
                    vals.append(value())
                }
                rowStart.append(cols.count)
            }
            let x = (0..<(columns * width)).map { _ in value() }
            var plain = [Float](repeating: 0, count: rows * width)
            for r in 0..<rows {
                for e in rowStart[r]..<rowStart[r + 1] {
                    for j in 0..<width { plain[r * width + j] += vals[e] * x[Int(cols[e]) * width + j] }
                }
            }
            for threads in [1, 2] {
                let m = SparseRows(rowStart: rowStart, cols: cols, vals: vals, columns: columns, threads: threads)
                #expect(m.times(x, width: width).map(\.bitPattern) == plain.map(\.bitPattern))
                // The transpose's product: each output summed over the rows in order.
                let y = (0..<(rows * width)).map { _ in value() }
                var plainT = [Float](repeating: 0, count: columns * width)
                for r in 0..<rows {
                    for e in rowStart[r]..<rowStart[r + 1] {
                        for j in 0..<width { plainT[Int(cols[e]) * width + j] += vals[e] * y[r * width + j] }
                    }
                }
                #expect(m.transposed().times(y, width: width).map(\.bitPattern) == plainT.map(\.bitPattern))
            }
        }
        for (rows, cols) in [(5, 3), (7, 8), (6, 13), (9, 1)] {
            let a = (0..<(rows * cols)).map { _ in value() }
            var u = (0..<(cols * cols)).map { _ in value() }
            for i in 0..<cols { for j in 0..<i { u[i * cols + j] = 0 } }
            var plain = [Float](repeating: 0, count: rows * cols)
            for r in 0..<rows {
                for i in 0..<cols where a[r * cols + i] != 0 {
                    for j in i..<cols { plain[r * cols + j] += a[r * cols + i] * u[i * cols + j] }
                }
            }
            for threads in [1, 2] {
                var got = a
                Dense.timesUpper(&got, rows: rows, cols: cols, u, threads: threads)
                #expect(got.map(\.bitPattern) == plain.map(\.bitPattern))
            }
        }
        for (n, inner, width) in [(6, 5, 3), (9, 8, 4), (4, 11, 7), (3, 2, 2)] {
            let b = (0..<(n * inner)).map { _ in value() }
            let w = (0..<(inner * width)).map { _ in value() }
            let order = (0..<n).reversed().map { $0 }
            var plain = [Float](repeating: 0, count: n * width)
            for r in 0..<n {
                for i in 0..<inner where b[order[r] * inner + i] != 0 {
                    for c in 0..<width { plain[r * width + c] += b[order[r] * inner + i] * w[i * width + c] }
                }
            }
            for threads in [1, 2] {
                let got = Dense.rowsTimes(b, order: order, inner: inner, w, width: width, threads: threads)
                #expect(got.map(\.bitPattern) == plain.map(\.bitPattern))
            }
        }
    }

    @Test func jacobiFindsEigenpairs() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1.
        let (values, vectors) = Dense.symmetricEigen([2, 1, 1, 2], n: 2)
        #expect(Set(values.map { ($0 * 1e6).rounded() / 1e6 }) == [1, 3])
        for e in 0..<2 {
            let x = [vectors[0 * 2 + e], vectors[1 * 2 + e]]
            let ax = [2 * x[0] + x[1], x[0] + 2 * x[1]]
            #expect(abs(ax[0] - values[e] * x[0]) < 1e-9 && abs(ax[1] - values[e] * x[1]) < 1e-9)
        }
    }

    /// Two subjects, each a vocabulary of its own: articles draw a few words of one subject. With
    /// two topics (fewer than the words, as in any real index) two
    /// new articles of one subject that share no word end up close in topic space; articles of
    /// different subjects do not.
    @Test func wordsThatCoOccurShareATopic() throws {
        let space = ["orbit", "rocket", "launch", "satellite", "booster", "payload", "capsule", "astronaut"]
        let farm = ["harvest", "tractor", "wheat", "barley", "cattle", "orchard", "plough", "silo"]
        var rng = SplitMix(seed: 3)
        var arts: [Article] = []
        for i in 0..<1_200 {
            let vocab = i % 2 == 0 ? space : farm
            let words = (0..<6).map { _ in vocab[Int(rng.next() % UInt64(vocab.count))] }
            arts.append(Article(id: "d\(i)", title: "", body: words.joined(separator: " ") + " news", source: "g/\(i)"))
        }
        let dir = TestScratch.url("loupe-topics").path
        let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
        for a in arts { try w.add(a) }
        try w.commit(corpusRoot: nil)
        let reader = try IndexReader(directory: dir)
        let model = try #require(try TopicModel.build(reader, corpus: "c", rank: 2))
        try model.write(directory: dir)
        let loaded = try #require(TopicModel.load(directory: dir))
        #expect(loaded.k == model.k && loaded.terms == model.terms && Array(loaded.rows) == Array(model.rows))
        #expect(loaded.documents == model.documents && loaded.corpus == model.corpus)
        // It records the index's count of articles added (`TOPN`); without one it writes `TOPM`.
        #expect(model.added == 1_200 && loaded.added == 1_200)
        var unmarked = model
        unmarked.added = nil
        try FileManager.default.createDirectory(atPath: dir + "/unmarked", withIntermediateDirectories: true)
        try unmarked.write(directory: dir + "/unmarked")
        let plain = try #require(TopicModel.load(directory: dir + "/unmarked"))
        #expect(plain.added == nil && plain.terms == model.terms && Array(plain.rows) == Array(model.rows))
        // A model of the earlier layout (terms with a length byte each) still loads, the same.
        var old = ByteWriter()
        IndexFile.header(kind: "TOPC", into: &old)
        old.u32(UInt32(model.k))
        old.u64(UInt64(model.documents))
        old.u32(UInt32(model.corpus.utf8.count))
        old.append(Array(model.corpus.utf8))
        old.u32(UInt32(model.terms.count))
        for t in model.terms {
            old.u8(UInt8(t.count))
            old.append(t)
        }
        for x in model.rows { old.f32(x) }
        IndexFile.finish(&old)
        try FileManager.default.createDirectory(atPath: dir + "/old", withIntermediateDirectories: true)
        try FileIO.write(old.bytes, to: dir + "/old/" + TopicModel.fileName)
        let earlier = try #require(TopicModel.load(directory: dir + "/old"))
        #expect(earlier.terms == model.terms && Array(earlier.rows) == Array(model.rows))
        let finder = RelatedFinder(searcher: Searcher(reader: reader))
        func z(_ text: String) throws -> [Float] {
            loaded.project(try finder.unitVector(Article(id: "x", title: "", body: text, source: "x"), inIndex: false))
        }
        let a1 = try z("orbit rocket launch")
        let a2 = try z("satellite payload capsule")
        let b1 = try z("harvest wheat tractor")
        #expect(TopicModel.cosine(a1, a2) > 0.8, "\(TopicModel.cosine(a1, a2))")
        #expect(TopicModel.cosine(a1, b1) < 0.2, "\(TopicModel.cosine(a1, b1))")
        // A damaged file is no model.
        let path = dir + "/" + TopicModel.fileName
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(TopicModel.load(directory: dir) == nil)
    }

    /// The two-subject corpus above, titled from its subject, indexed with a two-topic model.
    static func twoSubjects(extra: [Article] = []) throws -> IndexReader {
        let space = ["orbit", "rocket", "launch", "satellite", "booster", "payload", "capsule", "astronaut"]
        let farm = ["harvest", "tractor", "wheat", "barley", "cattle", "orchard", "plough", "silo"]
        var rng = SplitMix(seed: 3)
        let dir = TestScratch.url("loupe-topics").path
        let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
        for i in 0..<1_200 {
            let vocab = i % 2 == 0 ? space : farm
            func pick(_ n: Int) -> String {
                (0..<n).map { _ in vocab[Int(rng.next() % UInt64(vocab.count))] }.joined(separator: " ")
            }
            try w.add(Article(id: "d\(i)", title: pick(2), body: pick(6) + " news", source: "g/\(i)"))
        }
        for a in extra { try w.add(a) }
        try w.commit(corpusRoot: nil)
        let reader = try IndexReader(directory: dir)
        try #require(try TopicModel.build(reader, corpus: "c", rank: 2)).write(directory: dir)
        return reader
    }

    /// Topic expansion adds the subject's words the source and its feedback article lack, each
    /// weighing more than any of the other subject's; off, the query holds only their words.
    @Test func topicExpansionAddsTheSubjectsWords() throws {
        let reader = try TopicModelTests.twoSubjects()
        let space = ["orbit", "rocket", "launch", "satellit", "booster", "payload", "capsul", "astronaut"]
        let farm = ["harvest", "tractor", "wheat", "barley", "cattl", "orchard", "plough", "silo"]
        let source = Article(id: "x", title: "", body: "orbit rocket orbit", source: "x")
        func terms(_ expansion: Float) throws -> [String: Float] {
            var o = RelatedOptions()
            o.feedbackDocs = 1
            o.topicExpansion = expansion
            let f = RelatedFinder(searcher: Searcher(reader: reader), options: o)
            let t = try f.related(to: source, sourceDoc: nil).terms
            return Dictionary(t.map { ($0.term, $0.weight) }, uniquingKeysWith: max)
        }
        let plain = try terms(0)
        let expanded = try terms(0.5)
        #expect(!Set(space).isSubset(of: plain.keys), "the feedback article alone has every word: \(plain)")
        #expect(Set(space).isSubset(of: expanded.keys), "\(expanded)")
        let weakestSpace = space.compactMap { expanded[$0] }.min() ?? 0
        let strongestFarm = farm.compactMap { expanded[$0] }.max() ?? 0
        #expect(weakestSpace > strongestFarm, "\(expanded)")
    }

    /// The titles' topic cosine favours the candidate whose title is on the source title's
    /// subject: two candidates with the same words in their bodies (the same BM25 score) and
    /// titles of either subject move apart as the title weight grows.
    @Test func titleTopicsFavourTheSubjectsTitle() throws {
        let body = "alpha beta gamma delta alpha beta gamma delta alpha beta"
        let words = body.split(separator: " ")
        let reader = try TopicModelTests.twoSubjects(extra: [
            Article(id: "farm", title: "wheat tractor", body: words.reversed().joined(separator: " "), source: "f"),
            Article(id: "space", title: "capsule booster", body: words.shuffled().joined(separator: " "), source: "s"),
        ])
        let source = Article(id: "x", title: "orbit rocket", body: body, source: "x")
        func gap(_ mu: Float) throws -> Float {
            var o = RelatedOptions()
            o.titleTopicWeight = mu
            // The two candidates stay on top: no feedback, the articles' topic cosine nearly off.
            o.feedbackDocs = 0
            o.topicWeight = 0.01
            o.limit = 20
            let f = RelatedFinder(searcher: Searcher(reader: reader), options: o)
            let res = try f.related(to: source, sourceDoc: nil)
            let hits = res.hits
            let ids = try hits.map { try reader.article($0.doc).id }
            let s = try #require(ids.firstIndex(of: "space"))
            let fm = try #require(ids.firstIndex(of: "farm"))
            return hits[s].score - hits[fm].score
        }
        let without = try gap(0)
        let with = try gap(RelatedOptions().titleTopicWeight)
        #expect(with > without + 0.1, "\(without) -> \(with)")
    }

    @Test func smallIndexesGetNoModel() throws {
        let dir = TestScratch.url("loupe-topics").path
        let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
        try w.add(Article(id: "a", title: "t", body: "orbit rocket", source: "a"))
        try w.commit(corpusRoot: nil)
        #expect(try TopicModel.build(try IndexReader(directory: dir), corpus: "c") == nil)
    }

    /// Parallel slices cover every item once, in contiguous non-empty parts.
    @Test func parallelSlicesCoverEveryItemOnce() {
        for (count, parts) in [(0, 2), (1, 4), (7, 2), (10, 3), (1000, 8)] {
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            seen.initialize(repeating: 0)
            defer { seen.deallocate() }
            let sizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
            sizes.initialize(repeating: -1)
            defer { sizes.deallocate() }
            Parallel.slices(count, parts: parts) { part, range in
                sizes[part] = range.count
                for i in range { seen[i] += 1 }
            }
            #expect((0..<count).allSatisfy { seen[$0] == 1 }, "\(count) in \(parts)")
            let used = sizes.filter { $0 >= 0 }
            #expect(used.allSatisfy { $0 > 0 } && used.reduce(0, +) == count)
        }
    }

    /// The model is the same, bit for bit, whatever the number of threads that build it.
    @Test func threadsDoNotChangeTheModel() throws {
        var rng = SplitMix(seed: 11)
        let words = (0..<300).map { "w\($0)" }
        let dir = TestScratch.url("loupe-topics").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try IndexWriter(directory: dir, analyzer: .plain, reset: true)
        for i in 0..<1_500 {
            let body = (0..<12).map { _ in words[Int(rng.next() % 60) + 60 * (i % 5)] }.joined(separator: " ")
            try w.add(Article(id: "d\(i)", title: "t\(i % 7)", body: body, source: "g/\(i)"))
        }
        try w.commit(corpusRoot: nil)
        let reader = try IndexReader(directory: dir)
        let one = try #require(try TopicModel.build(reader, corpus: "c", rank: 8, threads: 1))
        for threads in [2, 3] {
            let many = try #require(try TopicModel.build(reader, corpus: "c", rank: 8, threads: threads))
            #expect(many.terms == one.terms)
            #expect(many.rows.elementsEqual(one.rows) { $0.bitPattern == $1.bitPattern }, "\(threads) threads")
        }
    }
}
