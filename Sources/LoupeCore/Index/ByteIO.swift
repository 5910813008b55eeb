import CLoupeSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The order of keys and words: bytes compared unsigned, a key before its extensions (as
/// `lexicographicallyPrecedes`), by `memcmp`.
enum ByteOrder {
    /// -1, 0 or 1 as `n` bytes at `a` sort before, with or after `m` bytes at `b`.
    @inline(__always)
    static func compare(_ a: UnsafeRawPointer?, _ n: Int, _ b: UnsafeRawPointer?, _ m: Int) -> Int {
        if let a, let b, min(n, m) > 0 {
            let c = memcmp(a, b, min(n, m))
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return n == m ? 0 : (n < m ? -1 : 1)
    }

    /// Whether `n` bytes at `a` and `b` are equal from byte `start` on (those before are known
    /// equal), compared 8 at a time — for `n` ≥ 8 the last word overlaps the one before;
    /// shorter runs byte by byte: no call for a word's bytes.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int, from start: Int = 0) -> Bool {
        guard n >= 8 else {
            for i in start..<n
            where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
                return false
            }
            return true
        }
        var i = start
        while i + 8 < n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }

    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in compare(x.baseAddress, x.count, y.baseAddress, y.count) } }
    }
}

/// Growable little-endian byte buffer used by every index file writer.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) public mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func f32(_ v: Float) { u32(v.bitPattern) }

    /// LEB128 variable-length unsigned integer.
    @inline(__always) public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always) public mutating func varint(_ v: Int) { varint(UInt64(v)) }

    public mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    public mutating func append(_ other: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends `count` bytes that `fill` writes (they start as zeros).
    @inline(__always)
    public mutating func append(count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        guard count > 0 else { return }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { fill($0.baseAddress! + start) }
    }

    /// Length-prefixed bytes.
    public mutating func blob(_ b: [UInt8]) {
        varint(b.count)
        bytes.append(contentsOf: b)
    }

    public mutating func string(_ s: String) { blob(Array(s.utf8)) }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }
}

/// A bounds-checked cursor over immutable bytes (usually a memory-mapped file).
///
/// Release builds compile out `UnsafeRawBufferPointer`'s own checks, so every read here checks
/// explicitly and throws `IndexError.corrupt` instead of reading out of bounds.
public struct ByteReader {
    public let buf: UnsafeRawBufferPointer
    public var pos: Int
    public let file: String

    public init(_ buf: UnsafeRawBufferPointer, at pos: Int = 0, file: String = "") {
        self.buf = buf
        self.pos = pos
        self.file = file
    }

    public var remaining: Int { buf.count - pos }

    @inline(__always) public mutating func u8() throws -> UInt8 {
        guard pos < buf.count else { throw IndexError.corrupt(file, "unexpected end of data at \(pos)") }
        defer { pos += 1 }
        return buf[pos]
    }

    @inline(__always) public mutating func u32() throws -> UInt32 {
        guard pos >= 0, pos + 4 <= buf.count else {
            throw IndexError.corrupt(file, "unexpected end of data at \(pos)")
        }
        defer { pos += 4 }
        return UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
    }

    @inline(__always) public mutating func u64() throws -> UInt64 {
        guard pos >= 0, pos + 8 <= buf.count else {
            throw IndexError.corrupt(file, "unexpected end of data at \(pos)")
        }
        defer { pos += 8 }
        return UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
    }

    @inline(__always) public mutating func f32() throws -> Float { Float(bitPattern: try u32()) }

    @inline(__always) public mutating func varint() throws -> UInt64 {
        var r: UInt64 = 0
        var shift: UInt64 = 0
        while pos < buf.count {
            let b = buf[pos]
            pos += 1
            if shift == 63 && b > 1 { break }
            r |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return r }
            shift += 7
            if shift > 63 { break }
        }
        throw IndexError.corrupt(file, "bad varint at \(pos)")
    }

    /// A varint that must fit a non-negative Int no larger than `limit`.
    @inline(__always) public mutating func count(max limit: Int = Int(Int32.max)) throws -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw IndexError.corrupt(file, "value \(v) out of range at \(pos)") }
        return Int(v)
    }

    public mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, pos + n <= buf.count else { throw IndexError.corrupt(file, "length \(n) past end at \(pos)") }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + n)])
    }

    public mutating func blob() throws -> [UInt8] {
        let n = try count(max: buf.count)
        return Array(try bytes(n))
    }

    public mutating func string() throws -> String {
        let n = try count(max: buf.count)
        return String(decoding: try bytes(n), as: UTF8.self)
    }
}

/// CRC-32C (Castagnoli), the checksum of every index file footer.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// CRC of `data`, continuing from `seed` (the CRC of what came before). Hardware CRC-32C
    /// (SSE 4.2) when available.
    public static func checksum(_ data: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = data.baseAddress else { return seed }
        return loupe_crc32c(seed, base, data.count)
    }

    /// The table-driven reference, for tests.
    static func softwareChecksum(_ data: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        table.withUnsafeBufferPointer { t in
            for b in data { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}

public enum IndexError: Error, CustomStringConvertible, Equatable {
    /// A file of the index is damaged: names the file and what is wrong.
    case corrupt(String, String)
    case missing(String)
    case io(String, String)
    case locked(String)
    /// A file of the index was written in another format version (by another loupe).
    case otherFormat(String, UInt32)

    public var description: String {
        switch self {
        case .corrupt(let f, let m): return "index file \(f) is corrupt: \(m)"
        case .missing(let m): return m
        case .io(let f, let m): return "\(f): \(m)"
        case .locked(let m): return m
        case .otherFormat(let f, let v):
            return
                "\(f) is in index format \(v), and this loupe reads format \(IndexFile.formatVersion): rebuild the index (loupe index CORPUS --rebuild; a plain `loupe index` run rebuilds it by itself)"
        }
    }
}
