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

    /// FNV-1a, then a multiply-xor finish (the table is indexed by the low bits).
    @inline(__always) static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        return h ^ (h >> 32)
    }

    @inline(__always) private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let a = starts[id]
        let n = starts[id + 1] - a
        guard n == key.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            n == 0 || memcmp(b.baseAddress! + a, key.baseAddress!, n) == 0
        }
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
