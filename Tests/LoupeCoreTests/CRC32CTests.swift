import Testing

@testable import LoupeCore

struct CRC32CTests {
    @Test func knownVectorAndChaining() {
        // The standard check value of CRC-32C: "123456789" -> 0xE3069283.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(data)
        let soft = data.withUnsafeBytes { CRC32C.softwareChecksum($0) }
        #expect(whole == soft)
        // Continuing from a seed equals one pass.
        let a = data[0..<3333].withUnsafeBytes { CRC32C.checksum($0) }
        let b = data[3333...].withUnsafeBytes { CRC32C.checksum($0, seed: a) }
        #expect(b == whole)
    }

    /// Buffers of three 4 KB lanes and more go through three interleaved streams joined by a
    /// table shift: equal to the table-driven software CRC at every length and offset around
    /// the lane boundaries, and when continued from a seed.
    @Test func interleavedStreamsMatchSoftware() {
        var state: UInt64 = 99
        let data = (0..<100_000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for n in [12_287, 12_288, 12_289, 24_576, 24_583, 36_864 + 5, 100_000] {
            for start in [0, 1, 7] where start + n <= data.count {
                let slice = data[start..<(start + n)]
                let hw = slice.withUnsafeBytes { CRC32C.checksum($0) }
                let soft = slice.withUnsafeBytes { CRC32C.softwareChecksum($0) }
                #expect(hw == soft, "length \(n) at \(start)")
            }
        }
        let seed = data[0..<5000].withUnsafeBytes { CRC32C.checksum($0) }
        let rest = data[5000...].withUnsafeBytes { CRC32C.checksum($0, seed: seed) }
        #expect(rest == data.withUnsafeBytes { CRC32C.softwareChecksum($0) })
    }
}
