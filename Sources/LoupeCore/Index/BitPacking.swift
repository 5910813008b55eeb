/// Fixed-width bit packing of 32-bit integers, the body of every full postings block.
public enum BitPacking {
    /// Bits needed for the largest of `values`.
    @inline(__always)
    public static func width(_ values: UnsafePointer<UInt32>, _ n: Int) -> Int {
        var acc: UInt32 = 0
        for i in 0..<n { acc |= values[i] }
        return acc == 0 ? 0 : 32 - acc.leadingZeroBitCount
    }

    /// Appends `n` values packed at `bits` bits each (LSB first); `(n * bits + 7) / 8` bytes.
    public static func pack(_ values: UnsafePointer<UInt32>, _ n: Int, bits: Int, into w: inout ByteWriter) {
        w.append(count: byteCount(n, bits: bits)) { _ = pack(values, n, bits: bits, to: $0) }
    }

    /// Writes `n` values (each below 2^bits) packed at `bits` bits each (LSB first) to `dst`;
    /// returns the byte count, `(n * bits + 7) / 8`.
    @inline(__always)
    static func pack(_ values: UnsafePointer<UInt32>, _ n: Int, bits: Int, to dst: UnsafeMutablePointer<UInt8>)
        -> Int
    {
        if bits == 0 { return 0 }
        let total = byteCount(n, bits: bits)
        let raw = UnsafeMutableRawPointer(dst)
        var acc: UInt64 = 0
        var filled = 0
        var o = 0
        for i in 0..<n {
            acc |= UInt64(values[i]) << UInt64(filled)
            filled += bits
            if filled >= 32 {
                raw.storeBytes(of: UInt32(truncatingIfNeeded: acc).littleEndian, toByteOffset: o, as: UInt32.self)
                o += 4
                acc >>= 32
                filled -= 32
            }
        }
        while o < total {
            dst[o] = UInt8(truncatingIfNeeded: acc)
            acc >>= 8
            o += 1
        }
        return total
    }

    public static func byteCount(_ n: Int, bits: Int) -> Int { (n * bits + 7) / 8 }

    /// Unpacks `n` values of `bits` bits from `src` (which must hold `byteCount(n, bits)` bytes).
    @inline(__always)
    /// `available`: bytes readable from `src` (at least the packed size). Values whose 8-byte
    /// window fits in it are read with one unaligned load each; the rest byte by byte.
    public static func unpack(
        _ src: UnsafePointer<UInt8>, _ n: Int, bits: Int, into out: UnsafeMutablePointer<UInt32>,
        available: Int = 0
    ) {
        if bits == 0 {
            for i in 0..<n { out[i] = 0 }
            return
        }
        // Whole groups of 8 values (8 × bits bits = `bits` bytes) with the width a constant:
        // every load offset and shift is then fixed, and the group unrolls. The last group's
        // loads reach at most 7 bytes past it, hence the `available` test.
        if n & 7 == 0 && available >= n / 8 * bits + 8 {
            switch bits {
            case 1: unpackGroups(src, n, 1, out)
            case 2: unpackGroups(src, n, 2, out)
            case 3: unpackGroups(src, n, 3, out)
            case 4: unpackGroups(src, n, 4, out)
            case 5: unpackGroups(src, n, 5, out)
            case 6: unpackGroups(src, n, 6, out)
            case 7: unpackGroups(src, n, 7, out)
            case 8: unpackGroups(src, n, 8, out)
            case 9: unpackGroups(src, n, 9, out)
            case 10: unpackGroups(src, n, 10, out)
            case 11: unpackGroups(src, n, 11, out)
            case 12: unpackGroups(src, n, 12, out)
            case 13: unpackGroups(src, n, 13, out)
            case 14: unpackGroups(src, n, 14, out)
            case 15: unpackGroups(src, n, 15, out)
            case 16: unpackGroups(src, n, 16, out)
            case 17: unpackGroups(src, n, 17, out)
            case 18: unpackGroups(src, n, 18, out)
            case 19: unpackGroups(src, n, 19, out)
            case 20: unpackGroups(src, n, 20, out)
            case 21: unpackGroups(src, n, 21, out)
            case 22: unpackGroups(src, n, 22, out)
            case 23: unpackGroups(src, n, 23, out)
            case 24: unpackGroups(src, n, 24, out)
            case 25: unpackGroups(src, n, 25, out)
            default: unpackGroups(src, n, bits, out)
            }
            return
        }
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt64(bits)) - 1
        // Value i starts at bit i × bits: load the 8 bytes from its first byte and shift.
        var fast = 0
        if available >= 8 { fast = min(n, ((available - 8) * 8) / bits + 1) }
        let raw = UnsafeRawPointer(src)
        var bit = 0
        for i in 0..<fast {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            out[i] = UInt32(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
            bit += bits
        }
        if fast == n { return }
        var acc: UInt64 = 0
        var filled = 0
        var p = bit >> 3
        if bit & 7 != 0 {
            acc = UInt64(src[p]) >> UInt64(bit & 7)
            filled = 8 - (bit & 7)
            p += 1
        }
        for i in fast..<n {
            while filled < bits {
                acc |= UInt64(src[p]) << UInt64(filled)
                p += 1
                filled += 8
            }
            out[i] = UInt32(truncatingIfNeeded: acc & mask)
            acc >>= UInt64(bits)
            filled -= bits
        }
    }
}

extension BitPacking {
    /// `n` (a multiple of 8) values of `bits` bits; inlined with `bits` a constant (widths over
    /// 25 are rare in postings and share one copy with a variable width). A value's bits lie
    /// within the 8 bytes from its first byte: bit offset (≤ 7) + width (≤ 32) ≤ 39.
    @inline(__always)
    static func unpackGroups(_ src: UnsafePointer<UInt8>, _ n: Int, _ bits: Int, _ out: UnsafeMutablePointer<UInt32>) {
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt64(bits)) - 1
        let raw = UnsafeRawPointer(src)
        var g = 0
        while g < n {
            let base = (g >> 3) * bits
            for j in 0..<8 {
                let bit = j * bits
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + bit >> 3, as: UInt64.self))
                out[g + j] = UInt32(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
            }
            g += 8
        }
    }
}

/// Patched frame of reference (PFOR): values packed at a width that most of them fit, the few
/// larger ones ("exceptions") stored after as their position and high bits. Layout: width byte,
/// `n` values' low bits packed at that width, exception count byte, then per exception its index
/// (one byte) and its high bits (`value >> width`, a varint). The width is the one that makes
/// the whole smallest, so a block with one long gap or one high tf no longer widens all 128.
public enum PatchedPacking {
    /// Appends `values[0..<n]` (n ≤ 256); `scratch` must hold `n` values.
    public static func pack(
        _ values: UnsafePointer<UInt32>, _ n: Int, scratch: UnsafeMutablePointer<UInt32>, into w: inout ByteWriter
    ) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxBytes(n)) { buf in
            let count = pack(values, n, scratch: scratch, to: buf.baseAddress!)
            w.append(UnsafeBufferPointer(rebasing: buf[0..<count]))
        }
    }

    /// The most bytes `pack` writes for `n` values: width, 32-bit values, count, and an index
    /// and a 5-byte varint per value.
    static func maxBytes(_ n: Int) -> Int { 2 + n * 4 + n * 6 }

    /// Writes `values[0..<n]` (n ≤ 256) to `dst` (room for `maxBytes(n)`); returns the byte
    /// count. `scratch` must hold `n` values.
    @inline(__always)
    static func pack(
        _ values: UnsafePointer<UInt32>, _ n: Int, scratch: UnsafeMutablePointer<UInt32>,
        to dst: UnsafeMutablePointer<UInt8>
    ) -> Int {
        // Bit lengths' histogram (on the stack: one per block array); the cost of each width.
        let best = withUnsafeTemporaryAllocation(of: Int.self, capacity: 33) { count -> Int in
            count.initialize(repeating: 0)
            var maxLen = 0
            for i in 0..<n {
                let len = values[i] == 0 ? 0 : 32 - values[i].leadingZeroBitCount
                count[len] += 1
                maxLen = max(maxLen, len)
            }
            var best = maxLen
            var bestCost = Int(Int32.max)
            var width = maxLen
            while width >= 0 {
                var cost = (n * width + 7) / 8
                var exceptions = 0
                var len = width + 1
                while len <= maxLen {
                    if count[len] > 0 {
                        exceptions += count[len]
                        cost += count[len] * (1 + (len - width + 6) / 7)
                    }
                    len += 1
                }
                if exceptions > 255 || cost > bestCost + 64 { break }
                if cost < bestCost {
                    bestCost = cost
                    best = width
                }
                width -= 1
            }
            return best
        }
        let mask: UInt32 = best >= 32 ? .max : (1 << UInt32(best)) - 1
        var exceptions = 0
        for i in 0..<n {
            scratch[i] = values[i] & mask
            if values[i] > mask { exceptions += 1 }
        }
        dst[0] = UInt8(best)
        var o = 1 + BitPacking.pack(UnsafePointer(scratch), n, bits: best, to: dst + 1)
        dst[o] = UInt8(exceptions)
        o += 1
        if exceptions > 0 {
            for i in 0..<n where values[i] > mask {
                dst[o] = UInt8(i)
                o += 1
                Varint.put(UInt64(values[i] >> UInt32(best)), dst, &o)
            }
        }
        return o
    }

    /// Reads `n` values written by `pack` from `r` (its buffer is the whole mapped file, so the
    /// unpacker may read whole words past the packed bytes); false on a bad width or exception.
    @inline(__always)
    public static func unpack(from r: inout ByteReader, _ n: Int, into out: UnsafeMutablePointer<UInt32>) throws
        -> Bool
    {
        let w = Int(try r.u8())
        guard w <= 32 else { return false }
        if w > 0 {
            let b = try r.bytes(BitPacking.byteCount(n, bits: w))
            BitPacking.unpack(
                b.baseAddress!.assumingMemoryBound(to: UInt8.self), n, bits: w, into: out,
                available: r.buf.count - (b.baseAddress! - r.buf.baseAddress!))
        } else {
            for k in 0..<n { out[k] = 0 }
        }
        let exceptions = Int(try r.u8())
        for _ in 0..<exceptions {
            let i = Int(try r.u8())
            let high = try r.varint()
            guard i < n, w < 32, high <= UInt64(UInt32.max) >> UInt64(w) else { return false }
            out[i] |= UInt32(high) << UInt32(w)
        }
        return true
    }
}

/// LEB128 varints written through a pointer (the hot encoders' blocks).
enum Varint {
    /// Writes `value` at `dst + o` and moves `o` past it (at most 10 bytes).
    @inline(__always)
    static func put(_ value: UInt64, _ dst: UnsafeMutablePointer<UInt8>, _ o: inout Int) {
        var v = value
        while v >= 0x80 {
            dst[o] = UInt8(truncatingIfNeeded: v) | 0x80
            o += 1
            v >>= 7
        }
        dst[o] = UInt8(v)
        o += 1
    }
}
