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
}
