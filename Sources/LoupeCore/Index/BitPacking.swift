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
        if bits == 0 { return }
        var acc: UInt64 = 0
        var filled = 0
        for i in 0..<n {
            acc |= UInt64(values[i]) << UInt64(filled)
            filled += bits
            while filled >= 8 {
                w.u8(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                filled -= 8
            }
        }
        if filled > 0 { w.u8(UInt8(truncatingIfNeeded: acc)) }
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
