/// Growable byte streams carved out of large blocks (Lucene's byte-slice idea): one pool per
/// segment builder holds the postings of every term without one Swift array per term, so
/// appending a posting costs no allocation, no reference counting and no uniqueness check.
///
/// A stream is a chain of slices of growing size; the last 4 bytes of a full slice hold the
/// address of the next one. Addresses are `block << 16 | offset`, 32 bits: a pool holds at
/// most `SlicePool.maxBlocks` blocks (4 GB; its builder flushes before, and stops inverting a
/// document that would fill it alone). A stream's slice level lives beside it (in its
/// `TermRecord`); `noSlice` means empty.
struct SliceStream {
    var start: UInt32 = 0
    var write: UInt32 = 0
    var end: UInt32 = 0
}

final class SlicePool {
    static let blockShift = 16
    static let blockSize = 1 << blockShift
    static let maxBlocks = 1 << 16
    static let noSlice: UInt8 = 0xFF
    static let sizes: [UInt32] = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]

    private var blocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    private var blockCapacity = 64
    private(set) var blockCount = 0
    private var used = SlicePool.blockSize

    /// Blocks this pool may hold (at most `maxBlocks`; tests set fewer).
    let blockLimit: Int

    init(blockLimit: Int = SlicePool.maxBlocks) {
        self.blockLimit = min(blockLimit, SlicePool.maxBlocks)
        blocks = .allocate(capacity: blockCapacity)
    }

    deinit {
        for i in 0..<blockCount { blocks[i].deallocate() }
        blocks.deallocate()
    }

    var bytesAllocated: Int { blockCount * SlicePool.blockSize }

    /// Blocks left before the limit.
    var blocksLeft: Int { blockLimit - blockCount }

    @inline(__always)
    func pointer(_ addr: UInt32) -> UnsafeMutablePointer<UInt8> {
        blocks[Int(addr >> UInt32(SlicePool.blockShift))] + Int(addr & UInt32(SlicePool.blockSize - 1))
    }

    private func alloc(_ size: Int) -> UInt32 {
        if used + size > SlicePool.blockSize {
            precondition(blockCount < blockLimit, "slice pool full")
            if blockCount == blockCapacity {
                let nb = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>.allocate(capacity: blockCapacity * 2)
                nb.moveInitialize(from: blocks, count: blockCount)
                blocks.deallocate()
                blocks = nb
                blockCapacity *= 2
            }
            blocks[blockCount] = .allocate(capacity: SlicePool.blockSize)
            blockCount += 1
            used = 0
        }
        let addr = UInt32((blockCount - 1) << SlicePool.blockShift | used)
        used += size
        return addr
    }

    /// Moves `s` to a new slice: its first, or the next larger one linked from the full one.
    @inline(never)
    private func nextSlice(_ s: inout SliceStream, _ level: inout UInt8) {
        if level == SlicePool.noSlice {
            let a = alloc(Int(SlicePool.sizes[0]))
            s = SliceStream(start: a, write: a, end: a + SlicePool.sizes[0] - 4)
            level = 0
            return
        }
        let lvl = min(Int(level) + 1, SlicePool.sizes.count - 1)
        let size = SlicePool.sizes[lvl]
        let a = alloc(Int(size))
        UnsafeMutableRawPointer(pointer(s.end)).storeBytes(of: a, as: UInt32.self)
        s.write = a
        s.end = a + size - 4
        level = UInt8(lvl)
    }

    @inline(__always)
    func append(_ s: inout SliceStream, _ level: inout UInt8, _ byte: UInt8) {
        if s.write == s.end { nextSlice(&s, &level) }
        pointer(s.write).pointee = byte
        s.write += 1
    }

    @inline(__always)
    func appendVarint(_ s: inout SliceStream, _ level: inout UInt8, _ value: UInt32) {
        if value < 0x80 {
            append(&s, &level, UInt8(truncatingIfNeeded: value))
            return
        }
        var v = value
        while v >= 0x80 {
            append(&s, &level, UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(&s, &level, UInt8(v))
    }

    /// Calls `body` with a whole stream's bytes (`level`: its current slice level): in place
    /// when they lie in its first slice (most terms' streams), else copied into `scratch`.
    @inline(__always)
    func withBytes<R>(
        _ s: SliceStream, level: UInt8, scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        if level == 0 || level == SlicePool.noSlice {
            let n = level == 0 ? Int(s.write - s.start) : 0
            return try body(UnsafeBufferPointer(start: level == 0 ? pointer(s.start) : nil, count: n))
        }
        read(s, level: level, into: &scratch)
        return try scratch.withUnsafeBufferPointer(body)
    }

    /// Copies a whole stream (`level`: its current slice level) into `out`, replacing its
    /// contents.
    private func read(_ s: SliceStream, level: UInt8, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        guard level != SlicePool.noSlice else { return }
        var addr = s.start
        var lvl = 0
        var end = s.start + SlicePool.sizes[0] - 4
        while addr != s.write {
            if addr == end {
                addr = UnsafeRawPointer(pointer(end)).loadUnaligned(as: UInt32.self)
                lvl = min(lvl + 1, SlicePool.sizes.count - 1)
                end = addr + SlicePool.sizes[lvl] - 4
                continue
            }
            // Copy the run up to the slice end or the stream end.
            let stop = (s.write >= addr && s.write <= end) ? s.write : end
            out.append(contentsOf: UnsafeBufferPointer(start: pointer(addr), count: Int(stop - addr)))
            addr = stop
        }
    }
}
