import Testing

@testable import LoupeCore

/// Bit packing round trips at every width, whether the unpacker may read 8-byte words past the
/// packed bytes (`available` larger) or must stop at their end (the tail read byte by byte).
struct BitPackingTests {
    @Test(arguments: Array(0...32)) func roundTripAtEveryWidth(_ bits: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(bits)
        for n in [1, 3, 7, 8, 9, 64, 127, 128] {
            let values: [UInt32] = (0..<n).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let v = UInt32(truncatingIfNeeded: state >> 29)
                return bits == 0 ? 0 : (bits == 32 ? v : v & ((1 << UInt32(bits)) - 1))
            }
            var w = ByteWriter(capacity: 16)
            values.withUnsafeBufferPointer { BitPacking.pack($0.baseAddress!, n, bits: bits, into: &w) }
            #expect(w.count == BitPacking.byteCount(n, bits: bits))
            for slack in [0, 3, 7, 8, 64] {
                let packed = w.bytes + [UInt8](repeating: 0xFF, count: slack)
                var out = [UInt32](repeating: 0xDEAD_BEEF, count: n)
                packed.withUnsafeBufferPointer { src in
                    out.withUnsafeMutableBufferPointer { dst in
                        BitPacking.unpack(
                            src.baseAddress ?? UnsafePointer(bitPattern: 1)!, n, bits: bits, into: dst.baseAddress!,
                            available: src.count)
                    }
                }
                #expect(out == values, "bits \(bits) n \(n) slack \(slack)")
            }
        }
    }
}
