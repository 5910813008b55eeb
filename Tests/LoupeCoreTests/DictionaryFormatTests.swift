import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

@Suite struct DictionaryFormatTests {
    /// Every entry reads back as written: packed and escaped prefix/suffix lengths (shared 16 and
    /// more, suffixes of 15 and more, a 300-byte key), df around the one-block limit, total tf
    /// equal to df or not, offsets that go back (an English stem sharing an exact term's
    /// postings). Bounds are kept only for terms of several blocks.
    @Test func entriesRoundTrip() throws {
        let dir = TestScratch.url("loupe-dict")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var keys: [[UInt8]] = []
        for i in 0..<200 {
            let stem = i % 3 == 0 ? "a" : String(repeating: "prefix", count: 1 + i % 5)
            let tail = String(repeating: "x", count: i % 19)
            keys.append([UInt8(i % 7)] + Array("\(stem)\(tail)\(1000 + i)".utf8))
        }
        keys.append([0] + Array(repeating: UInt8(ascii: "z"), count: 300))
        keys = Array(Set(keys)).sorted { $0.lexicographicallyPrecedes($1) }
        var infos: [TermInfo] = []
        var post: UInt64 = 12
        for (i, _) in keys.enumerated() {
            let df = [1, 2, 127, 128, 129, 5000][i % 6]
            let extra = UInt64(i % 4 == 0 ? 0 : i * 3)
            // Every fifth term points back at an earlier term's postings.
            let p = i % 5 == 4 && !infos.isEmpty ? infos[i / 2].postOffset : post
            post += UInt64(3 + i)
            infos.append(
                TermInfo(
                    docFreq: df, totalTermFreq: UInt64(df) + extra, postOffset: p, posOffset: p * 2,
                    maxFreq: UInt32(1 + i), minLength: UInt32(7 + i)))
        }
        let out = try FileOutput(path: dir.path + "/t.dict")
        var w = try DictionaryWriter(out)
        for (k, info) in zip(keys, infos) { try w.add(key: k, info: info) }
        try w.finish()
        let r = try TermDictionaryReader(try MappedFile(path: dir.path + "/t.dict"), name: "t.dict")
        #expect(r.termCount == keys.count)
        var seen = 0
        try r.forEach { k, got in
            let want = infos[seen]
            #expect(k == keys[seen])
            #expect(got.docFreq == want.docFreq && got.totalTermFreq == want.totalTermFreq)
            #expect(got.postOffset == want.postOffset && got.posOffset == want.posOffset)
            if want.docFreq > PostingsFormat.blockSize {
                #expect(got.maxFreq == want.maxFreq && got.minLength == want.minLength)
            } else {
                #expect(got.maxFreq == 0 && got.minLength == 0)
            }
            #expect(got.lengthSlot == (IndexField(rawValue: k[0])?.lengthSlot ?? -1))
            seen += 1
        }
        #expect(seen == keys.count)
        for (k, want) in zip(keys, infos) { #expect(try r.lookup(k)?.postOffset == want.postOffset) }
        // Absent keys before, between and after the blocks' first keys (compared in place in
        // the mapped file), and prefix listings across blocks.
        #expect(r.blockCount > 3)
        let absent: [[UInt8]] = [
            [], [0], Array(keys[0].dropLast()), [255], keys[keys.count / 2] + [0], keys.last! + [1],
        ]
        for a in absent where !keys.contains(a) {
            #expect(try r.lookup(a) == nil, "\(a)")
        }
        for field in 0..<7 {
            let want = keys.filter { $0.first == UInt8(field) }
            #expect(try r.keys(withPrefix: [UInt8(field)], limit: 1000).map(\.0) == want)
        }
        // Many keys at once, in any order, present and absent, repeated: what one lookup each
        // gives.
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 5, 60, 400] {
            var asked = (0..<n).map { _ in
                Bool.random(using: &rng) ? keys.randomElement(using: &rng)! : absent.randomElement(using: &rng)!
            }
            if n == 400 { asked += keys.reversed() }
            let got = try r.lookup(all: asked)
            #expect(got.count == asked.count)
            for (k, info) in zip(asked, got) { #expect(info?.postOffset == (try r.lookup(k))?.postOffset, "\(k)") }
        }
    }

    /// A term of one block gets its bounds from its documents when a cursor opens: the largest
    /// tf, the shortest document, and block bounds no looser than those of its skip entry would be.
    @Test func oneBlockBoundsComeFromTheDocuments() throws {
        let arts = IndexRoundTripTests.articles(600, seed: 3)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        let reader = try IndexReader(directory: dir)
        let seg = try #require(reader.segments.first)
        var checked = 0
        try seg.dictionary.forEach { key, ti in
            guard ti.docFreq <= PostingsFormat.blockSize else { return }
            let c = seg.cursor(ti)
            var maxTF = 0
            var minLen = UInt32.max
            var best: Float = 0
            let bm = BM25()
            let score = { (tf: UInt32, dl: UInt32) in bm.tfNorm(Float(tf), length: Float(dl), avgLength: 50) }
            let slot = try #require(IndexField(rawValue: key[0])).lengthSlot
            var first = true
            var bound: Float = 0
            while c.next() != PostingsCursor.end {
                if first {
                    bound = c.blockMax(score)
                    first = false
                }
                let dl = seg.length(c.doc, slot: slot)
                maxTF = max(maxTF, c.freq)
                minLen = min(minLen, dl)
                best = max(best, score(UInt32(c.freq), dl))
            }
            #expect(c.maxFreq == UInt32(maxTF) && c.minLength == minLen)
            #expect(bound == best)
            checked += 1
        }
        #expect(checked > 100)
    }
}
