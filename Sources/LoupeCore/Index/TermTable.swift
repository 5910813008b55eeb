/// Open-addressing hash table interning term keys (field byte + term bytes) into dense ids.
///
/// Keys live in one byte arena; slots hold ids; stored 32-bit hashes avoid most comparisons.
/// About 4× faster than `Dictionary<[UInt8], Int32>` on this machine (see SWIFT-NOTES).
final class TermTable {
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int32] = []
    private(set) var keyLength: [UInt16] = []
    private var hashes: [UInt32] = []
    private var slots: [Int32]
    private var mask: Int
    /// A direct-mapped cache in front of the table, `hash << 32 | id + 1` per entry (0: empty):
    /// frequent words (most tokens) are found in this small, cache-resident array instead of
    /// the large slot array.
    private var front = [UInt64](repeating: 0, count: TermTable.frontSize)
    private static let frontSize = 1 << 14

    init(capacity: Int = 1 << 16) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        arena.reserveCapacity(capacity * 8)
    }

    var count: Int { keyStart.count }
    var arenaBytes: Int { arena.count }

    @inline(__always)
    private static func hash(_ field: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 2_166_136_261 ^ UInt32(field)
        h = h &* 16_777_619
        for b in key {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        return h
    }

    /// The id of `field`+`key`, adding it if new. `isNew` tells which.
    @inline(__always)
    func intern(_ field: UInt8, _ key: UnsafeBufferPointer<UInt8>, isNew: inout Bool) -> Int32 {
        let h = TermTable.hash(field, key)
        let f = Int(h >> 7) & (TermTable.frontSize - 1)
        let cached = front[f]
        if cached != 0 && UInt32(truncatingIfNeeded: cached >> 32) == h {
            let id = Int32(truncatingIfNeeded: cached) - 1
            if matches(id, field, key) {
                isNew = false
                return id
            }
        }
        var i = Int(h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if hashes[Int(id)] == h && matches(id, field, key) {
                isNew = false
                front[f] = UInt64(h) << 32 | UInt64(id + 1)
                return id
            }
            i = (i + 1) & mask
        }
        let id = Int32(keyStart.count)
        keyStart.append(Int32(arena.count))
        keyLength.append(UInt16(key.count + 1))
        hashes.append(h)
        arena.append(field)
        arena.append(contentsOf: key)
        slots[i] = id
        front[f] = UInt64(h) << 32 | UInt64(id + 1)
        isNew = true
        if keyStart.count * 2 > slots.count { grow() }
        return id
    }

    @inline(__always)
    private func matches(_ id: Int32, _ field: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(keyLength[Int(id)]) == key.count + 1 else { return false }
        let s = Int(keyStart[Int(id)])
        return arena.withUnsafeBufferPointer { a -> Bool in
            if a[s] != field { return false }
            if key.isEmpty { return true }
            return memcmp(a.baseAddress! + s + 1, key.baseAddress!, key.count) == 0
        }
    }

    private func grow() {
        let cap = slots.count * 2
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        for id in 0..<keyStart.count {
            var i = Int(hashes[id]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
    }

    /// The key bytes (field byte first) of `id`.
    func key(_ id: Int32) -> ArraySlice<UInt8> {
        let s = Int(keyStart[Int(id)])
        return arena[s..<(s + Int(keyLength[Int(id)]))]
    }

    /// Ids sorted by key bytes (field byte first, then bytewise).
    func sortedIds() -> [Int32] {
        var ids = (0..<Int32(count)).map { $0 }
        arena.withUnsafeBufferPointer { a in
            let base = a.baseAddress!
            keyStart.withUnsafeBufferPointer { ks in
                keyLength.withUnsafeBufferPointer { kl in
                    ids.sort { x, y in
                        let sx = Int(ks[Int(x)])
                        let lx = Int(kl[Int(x)])
                        let sy = Int(ks[Int(y)])
                        let ly = Int(kl[Int(y)])
                        let c = memcmp(base + sx, base + sy, min(lx, ly))
                        return c != 0 ? c < 0 : lx < ly
                    }
                }
            }
        }
        return ids
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
