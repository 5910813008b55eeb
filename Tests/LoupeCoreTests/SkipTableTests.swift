import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

/// Index format 8: a term of several blocks starts with a table of fixed 20-byte skip entries,
/// read in place by its cursors (up to format 7 they were varints, parsed whole at every
/// cursor's creation).
struct SkipTableTests {
    /// Doc i is `3 i`, with tf `1 + i % 5` and positions `i, i + 1, …`; 4 blocks (3 full).
    static let count = 3 * PostingsFormat.blockSize + 17
    static func doc(_ i: Int) -> Int { 3 * i }
    static func tf(_ i: Int) -> Int { 1 + i % 5 }

    /// The encoded `.post` and `.pos` bytes of the term, and its dictionary entry.
    func encode() throws -> (post: [UInt8], posn: [UInt8], info: TermInfo) {
        let dir = TestScratch.url("loupe-skiptable")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var pairs = ByteWriter(capacity: 1024)
        var positions = ByteWriter(capacity: 1024)
        for i in 0..<Self.count {
            pairs.varint(i == 0 ? 0 : 3)
            pairs.varint(Self.tf(i))
            positions.varint(i)
            for _ in 1..<Self.tf(i) { positions.varint(1) }
        }
        let lengths = [UInt32](repeating: 50, count: Self.doc(Self.count))
        let (p, q, info) = try BlockImpactsTests.encodeTerm(
            pairs: pairs, positions: positions, df: Self.count, lengths: lengths, in: dir)
        return withExtendedLifetime((p, q)) { (p.bytes.map { $0 }, q.bytes.map { $0 }, info) }
    }

    /// Runs `body` with a cursor over `post` and `posn`.
    func withCursor<R>(_ post: [UInt8], _ posn: [UInt8], _ info: TermInfo, _ body: (PostingsCursor) -> R) -> R {
        post.withUnsafeBytes { p in
            posn.withUnsafeBytes { q in
                body(PostingsCursor(post: p, posn: q, info: info, file: "t.post", documents: Self.doc(Self.count)))
            }
        }
    }

    static func u32(_ b: [UInt8], _ at: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) }
    }
    static func u64(_ b: [UInt8], _ at: Int) -> Int {
        (0..<8).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) }
    }

    @Test func entriesAreFixedWidthLittleEndian() throws {
        let (post, posn, info) = try encode()
        let blocks = 4
        #expect(info.docFreq == Self.count && info.postOffset == 0)
        var impactsEnd = 0
        var dataEnd = 0
        var positionsEnd = 0
        for b in 0..<blocks {
            let e = b * PostingsFormat.skipEntrySize
            let last = min(Self.count, (b + 1) * PostingsFormat.blockSize) - 1
            #expect(Self.u32(post, e) == Self.doc(last), "block \(b)")
            #expect(Self.u32(post, e + 4) > impactsEnd)
            #expect(Self.u32(post, e + 8) > dataEnd)
            #expect(Self.u64(post, e + 12) > positionsEnd)
            impactsEnd = Self.u32(post, e + 4)
            dataEnd = Self.u32(post, e + 8)
            positionsEnd = Self.u64(post, e + 12)
        }
        // Table, impacts, blocks: the term's bytes end with its last block, its positions with
        // the last block's (then each file's footer).
        #expect(blocks * PostingsFormat.skipEntrySize + impactsEnd + dataEnd == post.count - IndexFile.footerSize)
        #expect(positionsEnd == posn.count - IndexFile.footerSize)
    }

    @Test func everyBlockFindsItsDocumentsAndPositions() throws {
        let (post, posn, info) = try encode()
        withCursor(post, posn, info) { c in
            #expect(c.blockCountTotal == 4)
            var i = 0
            while c.next() != PostingsCursor.end {
                #expect(Int(c.doc) == Self.doc(i) && c.freq == Self.tf(i))
                #expect(c.positions() == (0..<Self.tf(i)).map { Int32(i + $0) }, "doc \(i)")
                i += 1
            }
            #expect(i == Self.count && c.error == nil)
        }
        // Straight into the third and fourth blocks, past the others unread.
        withCursor(post, posn, info) { c in
            for i in [2 * PostingsFormat.blockSize + 5, 3 * PostingsFormat.blockSize + 16] {
                #expect(c.advance(to: Int32(Self.doc(i)) - 1) == Int32(Self.doc(i)))
                #expect(c.positions() == (0..<Self.tf(i)).map { Int32(i + $0) }, "doc \(i)")
            }
            #expect(c.next() == PostingsCursor.end && c.error == nil)
        }
    }

    /// Damage in an entry is found where the cursor reads it: the cursor ends with an error,
    /// without a document out of range or a read past the file.
    @Test func aDamagedEntryEndsTheCursor() throws {
        let (post, posn, info) = try encode()
        let e1 = PostingsFormat.skipEntrySize
        func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
            for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        }
        // Block 1's last document out of the segment; then its data end past the file; then its
        // positions' end past the file.
        var cases: [[UInt8]] = []
        var a = post
        put32(&a, e1, UInt32(Self.doc(Self.count) + 5))
        cases.append(a)
        var b = post
        put32(&b, e1 + 8, UInt32(post.count))
        cases.append(b)
        var c = post
        put32(&c, 2 * e1 + 12, UInt32(posn.count + 1))
        cases.append(c)
        // Positions ends beyond any Int (block 1's, read when block 2 loads): checked, no trap.
        var huge = post
        for k in 0..<8 { huge[e1 + 12 + k] = 0xFF }
        cases.append(huge)
        for (k, damaged) in cases.enumerated() {
            withCursor(damaged, posn, info) { cur in
                var n = 0
                while cur.next() != PostingsCursor.end { n += 1 }
                #expect(cur.error != nil, "case \(k)")
                #expect(n < Self.count, "case \(k)")
            }
        }
        // Block 2's impacts ending before block 1's: a bound no block falls under, reported.
        var d = post
        put32(&d, 2 * e1 + 4, 0)
        withCursor(d, posn, info) { cur in
            let bound = cur.bound(ofBlock: 2) { tf, dl in Float(tf) / Float(dl + 1) }
            #expect(bound > 1e6 && cur.error != nil)
        }
        // The last entry's positions end beyond any Int: damage when the cursor is made.
        var last = post
        for k in 0..<8 { last[3 * e1 + 12 + k] = 0xFF }
        withCursor(last, posn, info) { cur in
            #expect(cur.error != nil && cur.doc == PostingsCursor.end)
        }
        // A table cut short: damage when the cursor is made.
        let cut = Array(post[0..<(3 * e1)])
        withCursor(cut, posn, info) { cur in
            #expect(cur.error != nil && cur.doc == PostingsCursor.end)
        }
    }

    /// The encoder finds each block's positions end by skipping the block's frequencies'
    /// varints: positions that do not end with the last document's (one varint too many, one
    /// too few, a varint cut short) are damage, refused when the term is written.
    @Test func positionsThatDoNotEndWithTheLastDocumentAreRefused() throws {
        let dir = TestScratch.url("loupe-skiptable-positions")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var pairs = ByteWriter(capacity: 1024)
        var whole: [UInt8] = []
        for i in 0..<Self.count {
            pairs.varint(i == 0 ? 0 : 3)
            pairs.varint(Self.tf(i))
            var w = ByteWriter(capacity: 16)
            w.varint(i + 200)
            for _ in 1..<Self.tf(i) { w.varint(1) }
            whole += w.bytes
        }
        let lengths = [UInt32](repeating: 50, count: Self.doc(Self.count))
        func encode(_ bytes: [UInt8]) throws -> TermInfo {
            var positions = ByteWriter(capacity: bytes.count)
            for b in bytes { positions.u8(b) }
            return try BlockImpactsTests.encodeTerm(
                pairs: pairs, positions: positions, df: Self.count, lengths: lengths, in: dir
            ).2
        }
        #expect(try encode(whole).docFreq == Self.count)
        for damaged in [whole + [5], Array(whole.dropLast()), Array(whole.dropLast()) + [0x80]] {
            #expect(throws: IndexError.self) { try encode(damaged) }
        }
    }
}
