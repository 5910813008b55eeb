import Testing

@testable import LoupeCore

/// Damaged postings must end the cursor with an error instead of handing out doc ids that index
/// past the segment's arrays (a segment-fuzzer finding: SIGILL in `isDeleted`).
@Suite struct PostingsValidationTests {
    /// A term of one partial block (no skip entry): varints of doc delta × 2 + 1 (tf 1).
    func cursor(docDeltas: [Int], documents: Int) -> PostingsCursor {
        var w = ByteWriter(capacity: 64)
        for d in docDeltas { w.varint(d << 1 | 1) }
        return cursor(post: w.bytes, docFreq: docDeltas.count, documents: documents)
    }

    /// A cursor over `post` (a copy that outlives it), one term of `docFreq` documents at
    /// offset 0, every tf 1, no positions.
    func cursor(post: [UInt8], docFreq: Int, documents: Int) -> PostingsCursor {
        let info = TermInfo(
            docFreq: docFreq, totalTermFreq: UInt64(docFreq), postOffset: 0, posOffset: 0, maxFreq: 1, minLength: 10)
        return post.withUnsafeBytes { p in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: p.count, alignment: 8)
            copy.copyMemory(from: p)
            return PostingsCursor(
                post: UnsafeRawBufferPointer(copy), posn: UnsafeRawBufferPointer(start: copy.baseAddress, count: 0),
                info: info, file: "seg.post", documents: documents)
        }
    }

    func drain(_ c: PostingsCursor) -> [Int32] {
        var out: [Int32] = []
        while true {
            let d = c.next()
            if d == PostingsCursor.end { break }
            out.append(d)
        }
        return out
    }

    /// Positions past `PostingsFormat.maxPosition` (a varint delta of 2³¹ − 16, or deltas that
    /// add up beyond it) are damage: the cursor stops with an error, and a phrase of the word
    /// with another does not overflow adding their offsets (a segment-fuzzer finding: an
    /// arithmetic overflow trap in `exactPair`).
    @Test func positionsBeyondTheLimitAreCorrupt() {
        for deltas in [[5, (1 << 31) - 16], [Int(PostingsFormat.maxPosition), 1], [3, 4]] {
            var post = ByteWriter(capacity: 16)
            post.varint(0 << 1)  // doc 0, tf follows
            post.varint(deltas.count)
            var posn = ByteWriter(capacity: 16)
            for d in deltas { posn.varint(d) }
            let info = TermInfo(
                docFreq: 1, totalTermFreq: UInt64(deltas.count), postOffset: 0, posOffset: 0, maxFreq: 2,
                minLength: 10)
            let bytes = post.bytes + posn.bytes
            bytes.withUnsafeBytes { b in
                let c = PostingsCursor(
                    post: UnsafeRawBufferPointer(rebasing: b[0..<post.count]),
                    posn: UnsafeRawBufferPointer(rebasing: b[post.count...]), info: info, file: "seg.post",
                    documents: 4)
                #expect(c.next() == 0)
                let out = PositionBuffer()
                c.positions(into: out)
                if deltas == [3, 4] {
                    #expect(out.array == [3, 7] && c.error == nil)
                } else {
                    #expect(c.error != nil, "\(deltas)")
                    #expect(out.array.allSatisfy { Int64($0) <= PostingsFormat.maxPosition && $0 >= 0 })
                }
            }
        }
    }

    @Test func validPostingsRead() {
        let c = cursor(docDeltas: [1, 2, 4], documents: 8)
        #expect(drain(c) == [1, 3, 7])
        #expect(c.error == nil)
    }

    @Test func docIdBeyondSegmentIsCorrupt() {
        // Doc 9 in a segment of 8 documents.
        let c = cursor(docDeltas: [1, 8], documents: 8)
        #expect(drain(c).allSatisfy { $0 < 8 })
        #expect(c.error != nil)
    }

    @Test func nonIncreasingDocIdsAreCorrupt() {
        // Deltas of zero repeat a doc id (and a wrapped delta would go backwards).
        let c = cursor(docDeltas: [3, 0, 0], documents: 8)
        let docs = drain(c)
        #expect(docs.count <= 1)
        #expect(c.error != nil)
    }

    /// A term of exactly one full block: two patched-packed arrays (gaps, tf − 1), no skip entry.
    func fullBlockCursor(gaps: [UInt32], documents: Int) -> PostingsCursor {
        precondition(gaps.count == PostingsFormat.blockSize)
        var w = ByteWriter(capacity: 1024)
        let ones = [UInt32](repeating: 0, count: gaps.count)
        var scratch = [UInt32](repeating: 0, count: gaps.count)
        scratch.withUnsafeMutableBufferPointer { sp in
            gaps.withUnsafeBufferPointer {
                PatchedPacking.pack($0.baseAddress!, gaps.count, scratch: sp.baseAddress!, into: &w)
            }
            ones.withUnsafeBufferPointer {
                PatchedPacking.pack($0.baseAddress!, gaps.count, scratch: sp.baseAddress!, into: &w)
            }
        }
        return cursor(post: w.bytes + [UInt8](repeating: 0, count: 16), docFreq: gaps.count, documents: documents)
    }

    /// A full block checks its gaps as a whole before summing them: a zero gap (but the first
    /// document of the segment, 0) or ids past 2³² − 1 are damage.
    @Test func fullBlockGapsAreChecked() {
        var gaps = [UInt32](repeating: 2, count: PostingsFormat.blockSize)
        gaps[0] = 0
        let good = fullBlockCursor(gaps: gaps, documents: 1000)
        #expect(drain(good) == (0..<PostingsFormat.blockSize).map { Int32($0 * 2) })
        #expect(good.error == nil)

        var repeated = gaps
        repeated[40] = 0
        let r = fullBlockCursor(gaps: repeated, documents: 1000)
        #expect(drain(r).isEmpty)
        #expect(r.error != nil)

        var wrapped = gaps
        wrapped[1] = UInt32.max
        wrapped[2] = UInt32.max
        let w = fullBlockCursor(gaps: wrapped, documents: Int(Int32.max))
        #expect(drain(w).isEmpty)
        #expect(w.error != nil)
    }
}
