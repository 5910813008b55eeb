import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

/// A block's impacts bound every score in it: exactly when its non-dominated (tf, length) pairs
/// fit in `maxImpacts`, and still from above when more must be folded.
struct BlockImpactsTests {
    /// Encodes one term's postings (doc i has `freqs[i]` and length `lengths[i]`), reads them back.
    func encoded(freqs: [UInt32], lengths: [UInt32]) throws -> (PostingsCursor, [MappedFile]) {
        let dir = TestScratch.url("loupe-impacts")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var pairs = ByteWriter(capacity: 1024)
        var positions = ByteWriter(capacity: 1024)
        for (i, f) in freqs.enumerated() {
            pairs.varint(i == 0 ? 0 : 1)
            pairs.varint(Int(f))
            for _ in 0..<f { positions.varint(1) }
        }
        let (p, q, info) = try Self.encodeTerm(
            pairs: pairs, positions: positions, df: freqs.count, lengths: lengths, in: dir)
        // The mapped files must outlive the cursor: returned with it.
        return (
            PostingsCursor(post: p.bytes, posn: q.bytes, info: info, file: "t.post", documents: freqs.count), [p, q]
        )
    }

    /// One term's postings (`pairs`: varint doc-delta and tf pairs; `positions`: every
    /// document's, in order) encoded into `dir`'s `t.post` and `t.pos`, mapped, and its
    /// dictionary entry. Lengths by document, one slot.
    static func encodeTerm(
        pairs: ByteWriter, positions: ByteWriter, df: Int, lengths: [UInt32], in dir: URL
    ) throws -> (MappedFile, MappedFile, TermInfo) {
        let post = try FileOutput(path: dir.path + "/t.post")
        let posn = try FileOutput(path: dir.path + "/t.pos")
        let info = try pairs.bytes.withUnsafeBufferPointer { pb in
            try positions.bytes.withUnsafeBufferPointer { ps in
                try lengths.withUnsafeBufferPointer { lens in
                    var source = PairedVarintPostings(pairs: pb)
                    return try PostingsEncoder().encode(
                        &source, positions: ps, df: df, lengths: lens, slot: 0, post: post, posn: posn,
                        lengthStride: 1)
                }
            }
        }
        try post.finish()
        try posn.finish()
        return (try MappedFile(path: dir.path + "/t.post"), try MappedFile(path: dir.path + "/t.pos"), info)
    }

    func check(freqs: [UInt32], lengths: [UInt32], exact: Bool) throws {
        let (c, files) = try encoded(freqs: freqs, lengths: lengths)
        defer { withExtendedLifetime(files) {} }
        let bm = BM25()
        let score = { (tf: UInt32, dl: UInt32) in bm.tfNorm(Float(tf), length: Float(dl), avgLength: 100) }
        #expect(c.next() == 0)
        let bound = c.blockMax(score)
        var best: Float = 0
        // The first block's documents (these cursors have no length table, so a term of one
        // block would be bounded by its largest tf with its shortest length, not exactly).
        for i in 0..<min(freqs.count, PostingsFormat.blockSize) { best = max(best, score(freqs[i], lengths[i])) }
        #expect(bound >= best)
        if exact { #expect(bound == best) }
        var seen = 0
        while c.doc != PostingsCursor.end {
            #expect(c.freq == Int(freqs[Int(c.doc)]))
            seen += 1
            c.next()
        }
        #expect(seen == freqs.count && c.error == nil)
    }

    /// Two blocks of 128 documents, none dominated: tf k with length 900 + 10 k (more tf, longer).
    @Test func foldedImpactsStillBoundEveryScore() throws {
        let freqs = (1...256).map { UInt32(1 + ($0 - 1) % 128) }
        try check(freqs: freqs, lengths: freqs.map { 900 + 10 * $0 }, exact: false)
    }

    /// A stopword-like block: twelve distinct tfs, the shortest document of each tf longer as tf
    /// grows (twelve non-dominated pairs), fit without folding — the bound is exact.
    @Test func stopwordBlockBoundIsExact() throws {
        let freqs = (0..<256).map { UInt32(1 + $0 % 12) }
        let lengths: [UInt32] = (0..<256).map { (i: Int) -> UInt32 in
            let tf = 1 + i % 12
            return UInt32(20 + 10 * tf + 5 * (i / 12))
        }
        try check(freqs: freqs, lengths: lengths, exact: true)
    }

    /// A term of one block: no skip entry, the documents as varints of delta × 2 + (tf == 1)
    /// with tf after when it is not 1. Its lengths are not read when it is written (nothing of
    /// them is stored): without a length table (as here) its bound is (largest tf, length 0),
    /// as from the dictionary; a segment's cursor computes exact impacts.
    @Test func oneBlockTermHasNoSkipEntry() throws {
        let (c, files) = try encoded(freqs: [1, 3, 1], lengths: [40, 50, 60])
        defer { withExtendedLifetime(files) {} }
        // Docs 0, 1, 2: (0 << 1 | 1), (1 << 1), 3, (1 << 1 | 1); then the footer.
        let post = Array(files[0].bytes)
        #expect(post.count == 4 + IndexFile.footerSize)
        #expect(Array(post.prefix(4)) == [1, 2, 3, 3])
        #expect(c.info.maxFreq == 3 && c.info.minLength == 0)
        var docs: [Int32] = []
        var tfs: [Int] = []
        while c.next() != PostingsCursor.end {
            docs.append(c.doc)
            tfs.append(c.freq)
        }
        #expect(docs == [0, 1, 2] && tfs == [1, 3, 1] && c.error == nil)
        let bm = BM25()
        #expect(c.blockMax { tf, dl in bm.tfNorm(Float(tf), length: Float(dl), avgLength: 100) } > 0)
    }

    /// A skip entry only locates its block's impacts; they are read when a bound is first asked
    /// for, in any block order, and bound exactly the block's scores.
    @Test func blockImpactsAreReadOnDemandInAnyOrder() throws {
        let n = 5 * PostingsFormat.blockSize + 17
        let freqs = (0..<n).map { UInt32(1 + ($0 * 7919) % 13) }
        let lengths = (0..<n).map { UInt32(20 + ($0 * 104_729) % 400) }
        let (c, files) = try encoded(freqs: freqs, lengths: lengths)
        defer { withExtendedLifetime(files) {} }
        let bm = BM25()
        let score = { (tf: UInt32, dl: UInt32) in bm.tfNorm(Float(tf), length: Float(dl), avgLength: 100) }
        #expect(c.blockCountTotal == 6)
        for b in [4, 1, 5, 0, 3, 2, 4] {
            let docs = (b * PostingsFormat.blockSize)..<min(n, (b + 1) * PostingsFormat.blockSize)
            let best = docs.map { score(freqs[$0], lengths[$0]) }.max()!
            #expect(c.bound(ofBlock: b, score) == best, "block \(b)")
            #expect(c.lastDoc(ofBlock: b) == Int32(docs.upperBound - 1))
        }
        #expect(c.error == nil)
    }

    /// A skip list cut short inside a block's impacts is damage at the cursor's creation.
    @Test func truncatedImpactsAreDamage() throws {
        let n = 3 * PostingsFormat.blockSize
        let (c, files) = try encoded(
            freqs: (0..<n).map { UInt32(1 + $0 % 40) }, lengths: (0..<n).map { UInt32(10 + $0) })
        defer { withExtendedLifetime(files) {} }
        #expect(c.error == nil)
        let post = files[0].bytes
        for cut in [5, 9, 14] {
            let short = PostingsCursor(
                post: UnsafeRawBufferPointer(rebasing: post[0..<cut]), posn: files[1].bytes, info: c.info,
                file: "t.post", documents: n)
            #expect(short.error != nil, "cut at \(cut)")
            #expect(short.doc == PostingsCursor.end)
        }
    }
}
