import Testing

@testable import LoupeCore

/// Damaged postings must end the cursor with an error instead of handing out doc ids that index
/// past the segment's arrays (a segment-fuzzer finding: SIGILL in `isDeleted`).
@Suite struct PostingsValidationTests {
    /// A term of one partial block (no skip entry): varints of doc delta × 2 + 1 (tf 1).
    func cursor(docDeltas: [Int], documents: Int) -> PostingsCursor {
        var w = ByteWriter(capacity: 64)
        for d in docDeltas { w.varint(d << 1 | 1) }
        let post = w.bytes
        let info = TermInfo(
            docFreq: docDeltas.count, totalTermFreq: UInt64(docDeltas.count), postOffset: 0, posOffset: 0,
            maxFreq: 1, minLength: 10)
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
}
