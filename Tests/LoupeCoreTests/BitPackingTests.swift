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

/// Patched packing (PFOR) of full postings blocks: round trips, and a width below the largest
/// value when a few values are far larger than the rest.
struct PatchedPackingTests {
    func roundTrip(_ values: [UInt32]) -> (ok: Bool, bytes: [UInt8]) {
        var w = ByteWriter(capacity: 64)
        var scratch = [UInt32](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer {
                PatchedPacking.pack(v.baseAddress!, values.count, scratch: $0.baseAddress!, into: &w)
            }
        }
        let bytes = w.bytes
        var out = [UInt32](repeating: 0xDEAD_BEEF, count: values.count)
        let ok = bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            return out.withUnsafeMutableBufferPointer { o in
                (try? PatchedPacking.unpack(from: &r, values.count, into: o.baseAddress!)) == true
                    && r.pos == bytes.count
            }
        }
        return (ok && out == values, bytes)
    }

    @Test func roundTrips() {
        var state: UInt64 = 7
        func rnd() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 29)
        }
        let cases: [[UInt32]] = [
            [UInt32](repeating: 0, count: 128),
            [UInt32](repeating: .max, count: 128),
            (0..<128).map { _ in rnd() },
            (0..<128).map { _ in rnd() & 7 },
            (0..<128).map { i in i % 40 == 0 ? rnd() : rnd() & 3 },
            (0..<128).map { i in i == 127 ? UInt32.max : 1 },
            (0..<5).map { _ in rnd() & 0xFFFF },
        ]
        for c in cases { #expect(roundTrip(c).ok) }
    }

    @Test func outliersArePatchedNotWidened() {
        // 127 values of 2 bits and one of 20: 2-bit packing (32 bytes) plus one exception,
        // not 20 bits for all (320 bytes).
        let values = (0..<128).map { UInt32($0 == 64 ? 1 << 19 : $0 % 4) }
        let (ok, bytes) = roundTrip(values)
        #expect(ok)
        #expect(bytes[0] == 2)
        #expect(bytes.count == 1 + 32 + 1 + 1 + 3)
    }
}
