import Foundation

/// Byte strings interned as dense ids (0, 1, 2, …): one byte arena and an open-addressing table
/// of ids, so that looking a token up allocates nothing and compares bytes in place. `related`
/// interns every word it reads (a source and its candidates: some 40,000 tokens a call), where a
/// `Dictionary` keyed by `[UInt8]` made an array per token.
struct TermIntern {
    /// Term i is `bytes[starts[i] ..< starts[i + 1]]`.
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slots hold an id, or -1 when empty; the size is a power of two, at most half full.
    private var table: [Int32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        table = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { starts.count - 1 }

    /// Eight bytes at a time (the last, partial word zero-padded), each word mixed in by a
    /// multiply-xor; the low bits index the table.
    @inline(__always) static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = key.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        if let p = key.baseAddress {
            let raw = UnsafeRawPointer(p)
            var i = 0
            while i + 8 <= n {
                mix(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < n {
                var w: UInt64 = 0
                for k in i..<n { w |= UInt64(p[k]) << UInt64(8 * (k - i)) }
                mix(w)
            }
        }
        h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }

    /// Whether term `id` is `key`: compared 8 bytes at a time, in place.
    @inline(__always) private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let a = starts[id]
        let n = starts[id + 1] - a
        guard n == key.count else { return false }
        if n == 0 { return true }
        return bytes.withUnsafeBufferPointer { b in ByteOrder.equal(b.baseAddress! + a, key.baseAddress!, n) }
    }

    /// The id of `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = TermIntern.hash(key)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = table[s]
            if id < 0 { return nil }
            if hashes[Int(id)] == h && equals(Int(id), key) { return Int(id) }
            s = (s + 1) & mask
        }
    }

    /// The id of `key`, added if new (`added`).
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, added: Bool) {
        let h = TermIntern.hash(key)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = table[s]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(Int(id), key) { return (Int(id), false) }
            s = (s + 1) & mask
        }
        let id = count
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        hashes.append(h)
        table[s] = Int32(id)
        if 2 * count > table.count { grow() }
        return (id, true)
    }

    mutating func intern(_ key: [UInt8]) -> Int { key.withUnsafeBufferPointer { intern($0).id } }

    /// The id here of term `id` of `other` (added if new).
    mutating func intern(_ id: Int, of other: TermIntern) -> Int {
        other.bytes.withUnsafeBufferPointer { b in
            intern(UnsafeBufferPointer(rebasing: b[other.starts[id]..<other.starts[id + 1]])).id
        }
    }

    private mutating func grow() {
        table = [Int32](repeating: -1, count: table.count * 2)
        mask = table.count - 1
        for id in 0..<count {
            var s = Int(truncatingIfNeeded: hashes[id]) & mask
            while table[s] >= 0 { s = (s + 1) & mask }
            table[s] = Int32(id)
        }
    }

    /// Term `id`'s bytes, as a new array.
    /// The hash of term `id`'s bytes (`hash(_:)`): a function of the term alone.
    func hash(of id: Int) -> UInt64 { hashes[id] }

    func term(_ id: Int) -> [UInt8] { Array(bytes[starts[id]..<starts[id + 1]]) }

    /// Whether term `a` sorts before term `b` (bytes, then length: `lexicographicallyPrecedes`).
    func precedes(_ a: Int, _ b: Int) -> Bool {
        let x = starts[a]
        let y = starts[b]
        let n = starts[a + 1] - x
        let m = starts[b + 1] - y
        return bytes.withUnsafeBytes { p in ByteOrder.compare(p.baseAddress! + x, n, p.baseAddress! + y, m) } < 0
    }
}
