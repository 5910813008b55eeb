/// Growable byte streams carved out of large blocks (Lucene's byte-slice idea): one pool per
/// segment builder holds the postings of every term without one Swift array per term, so
/// appending a posting costs no allocation, no reference counting and no uniqueness check.
///
/// A stream is a chain of slices of growing size; the last 8 bytes of a full slice hold the
/// address of the next one. Addresses are `block << 16 | offset`.
struct SliceStream {
    var start = -1
    var write = 0
    var end = 0
    var level: UInt8 = 0
}

final class SlicePool {
    static let blockShift = 16
    static let blockSize = 1 << blockShift
    static let sizes = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]

    private var blocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    private var blockCapacity = 64
    private(set) var blockCount = 0
    private var used = SlicePool.blockSize

    init() { blocks = .allocate(capacity: blockCapacity) }

    deinit {
        for i in 0..<blockCount { blocks[i].deallocate() }
        blocks.deallocate()
    }

    var bytesAllocated: Int { blockCount * SlicePool.blockSize }

    @inline(__always)
    func pointer(_ addr: Int) -> UnsafeMutablePointer<UInt8> {
        blocks[addr >> SlicePool.blockShift] + (addr & (SlicePool.blockSize - 1))
    }

    private func alloc(_ size: Int) -> Int {
        if used + size > SlicePool.blockSize {
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
        let addr = (blockCount - 1) << SlicePool.blockShift | used
        used += size
        return addr
    }

    @inline(__always)
    func append(_ s: inout SliceStream, _ byte: UInt8) {
        if s.start < 0 {
            let a = alloc(SlicePool.sizes[0])
            s = SliceStream(start: a, write: a, end: a + SlicePool.sizes[0] - 8, level: 0)
        } else if s.write == s.end {
            let lvl = min(Int(s.level) + 1, SlicePool.sizes.count - 1)
            let a = alloc(SlicePool.sizes[lvl])
            UnsafeMutableRawPointer(pointer(s.end)).storeBytes(of: a, as: Int.self)
            s.write = a
            s.end = a + SlicePool.sizes[lvl] - 8
            s.level = UInt8(lvl)
        }
        pointer(s.write).pointee = byte
        s.write += 1
    }

    @inline(__always)
    func appendVarint(_ s: inout SliceStream, _ value: UInt32) {
        var v = value
        while v >= 0x80 {
            append(&s, UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(&s, UInt8(v))
    }

    /// Copies a whole stream into `out` (replacing its contents).
    func read(_ s: SliceStream, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        guard s.start >= 0 else { return }
        var addr = s.start
        var level = 0
        var end = s.start + SlicePool.sizes[0] - 8
        while addr != s.write {
            if addr == end {
                addr = UnsafeRawPointer(pointer(end)).loadUnaligned(as: Int.self)
                level = min(level + 1, SlicePool.sizes.count - 1)
                end = addr + SlicePool.sizes[level] - 8
                continue
            }
            // Copy the run up to the slice end or the stream end.
            let stop = (s.write >= addr && s.write <= end) ? s.write : end
            out.append(contentsOf: UnsafeBufferPointer(start: pointer(addr), count: stop - addr))
            addr = stop
        }
    }
}
