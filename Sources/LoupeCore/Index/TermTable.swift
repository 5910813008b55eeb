import CLoupeSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One term of a segment being built, 64 bytes (one cache line): the key's first bytes (most
/// words whole) for the hash table, then everything inverting a token or closing a document
/// touches. A token costs one slot probe and this line, not a walk over several arrays.
struct TermRecord {
    /// Field byte, then up to 7 key bytes, little-endian, zero padded.
    var prefix: UInt64 = 0
    var keyStart: UInt32 = 0  // field byte + key in the arena
    var keyLength: UInt16 = 0
    var positionsLevel: UInt8 = SlicePool.noSlice
    var docsLevel: UInt8 = SlicePool.noSlice
    var lastDoc: Int32 = -1
    var lastPos: Int32 = 0
    var freqInDoc: Int32 = 0
    var docFreq: Int32 = 0
    var stemOf: Int32 = -1  // exact term -> its stem term
    var stemMembers: Int32 = 0  // stem term -> number of distinct exact variants
    var positions = SliceStream()  // position deltas, restarting at each document
    var docs = SliceStream()  // (doc delta, freq) varint pairs
}

/// Open-addressing hash table interning term keys (field byte + term bytes) into dense ids,
/// each with its `TermRecord`.
///
/// Slots hold `hash << 32 | id + 1` (0: empty), so a probe compares hashes without touching
/// a record; a record's prefix and length settle keys of up to 7 bytes, longer ones compare
/// the rest in the key arena. Keys, records and slots live in manually managed memory: no
/// bounds or uniqueness checks per token.
final class TermTable {
    private(set) var records: UnsafeMutablePointer<TermRecord>
    private var recordCapacity: Int
    private(set) var count = 0
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private(set) var arenaBytes = 0
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotCount: Int
    /// A direct-mapped cache in front of the slots, in the slots' format: frequent words (most
    /// tokens) are found in this small, cache-resident array instead of the large slot array.
    private let front: UnsafeMutablePointer<UInt64>
    private static let frontSize = 1 << 14

    init(capacity: Int = 1 << 16) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slotCount = cap
        slots = .allocate(capacity: cap)
        slots.initialize(repeating: 0, count: cap)
        front = .allocate(capacity: TermTable.frontSize)
        front.initialize(repeating: 0, count: TermTable.frontSize)
        recordCapacity = max(capacity, 16)
        records = TermTable.allocateRecords(recordCapacity)
        arenaCapacity = max(capacity * 8, 64)
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        front.deallocate()
        UnsafeMutableRawPointer(records).deallocate()
        arena.deallocate()
    }

    private static func allocateRecords(_ n: Int) -> UnsafeMutablePointer<TermRecord> {
        UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<TermRecord>.stride, alignment: 64)
            .bindMemory(to: TermRecord.self, capacity: n)
    }

    /// Bytes held: records, slots, keys.
    var bytesHeld: Int { recordCapacity * MemoryLayout<TermRecord>.stride + slotCount * 8 + arenaCapacity }

    /// The key's prefix (see `TermRecord.prefix`) and its 32-bit hash, a word at a time.
    @inline(__always)
    static func prefixAndHash(_ field: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt32) {
        let n = key.count
        var pre = UInt64(field)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        if n >= 8, let p = key.baseAddress {
            pre |= UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) << 8
            mix(pre)
            var j = 7
            while j + 8 <= n {
                mix(UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
                j += 8
            }
            if j < n { mix(UnsafeRawPointer(p + n - 8).loadUnaligned(as: UInt64.self)) }
        } else {
            var w: UInt64 = 0
            for k in 0..<n { w |= UInt64(key[k]) << UInt64(8 * k) }
            return shortKey(field, n, w)
        }
        h = h &* 0x94D0_49BB_1331_11EB
        return (pre, UInt32(truncatingIfNeeded: h >> 32))
    }

    /// `prefixAndHash` of a key of `n` < 8 bytes, given as the little-endian word `w`.
    @inline(__always)
    private static func shortKey(_ field: UInt8, _ n: Int, _ w: UInt64) -> (UInt64, UInt32) {
        let pre = UInt64(field) | w << 8
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        h = (h ^ pre) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        h = h &* 0x94D0_49BB_1331_11EB
        return (pre, UInt32(truncatingIfNeeded: h >> 32))
    }

    /// `prefixAndHash` for a key with at least 8 readable bytes from its start (an analyzer
    /// token: `Token.slack`): a short key's prefix from one masked load.
    @inline(__always)
    static func prefixAndHashPadded(_ field: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt32) {
        let n = key.count
        guard n < 8, let p = key.baseAddress else { return prefixAndHash(field, key) }
        return shortKey(field, n, UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) & ((1 << UInt64(8 * n)) &- 1))
    }

    @inline(__always)
    private func matches(_ id: Int, _ pre: UInt64, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let r = records + id
        guard r.pointee.prefix == pre, Int(r.pointee.keyLength) == key.count + 1 else { return false }
        // The prefix settles keys of up to 7 bytes; longer ones compare the rest.
        return key.count < 8
            || ByteOrder.equal(arena + Int(r.pointee.keyStart) + 1, key.baseAddress!, key.count, from: 7)
    }

    /// Starts loading what a lookup of hash `h` reads first: its front-cache entry and slot.
    @inline(__always)
    func prefetchSlot(_ h: UInt32) {
        loupe_prefetch(front + (Int(h >> 7) & (TermTable.frontSize - 1)))
        loupe_prefetch(slots + (Int(h) & (slotCount - 1)))
    }

    /// Starts loading the record a lookup of hash `h` will most likely compare (read from its
    /// front-cache entry or first slot, once `prefetchSlot` has brought them in).
    @inline(__always)
    func prefetchRecord(_ h: UInt32) {
        var s = front[Int(h >> 7) & (TermTable.frontSize - 1)]
        if UInt32(truncatingIfNeeded: s >> 32) != h || s == 0 { s = slots[Int(h) & (slotCount - 1)] }
        if s != 0 && UInt32(truncatingIfNeeded: s >> 32) == h {
            loupe_prefetch(records + (Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1))
        }
    }

    /// The id of `field`+`key`, adding it (with a fresh record) if new. `isNew` tells which.
    @inline(__always)
    func intern(_ field: UInt8, _ key: UnsafeBufferPointer<UInt8>, isNew: inout Bool) -> Int32 {
        let (pre, h) = TermTable.prefixAndHash(field, key)
        return intern(field, key, prefix: pre, hash: h, isNew: &isNew)
    }

    /// `intern` with the key's prefix and hash already computed (`prefixAndHash`).
    @inline(__always)
    func intern(
        _ field: UInt8, _ key: UnsafeBufferPointer<UInt8>, prefix pre: UInt64, hash h: UInt32, isNew: inout Bool
    ) -> Int32 {
        let f = Int(h >> 7) & (TermTable.frontSize - 1)
        let cached = front[f]
        if UInt32(truncatingIfNeeded: cached >> 32) == h && cached != 0 {
            let id = Int(truncatingIfNeeded: cached & 0xFFFF_FFFF) - 1
            if matches(id, pre, key) {
                isNew = false
                return Int32(id)
            }
        }
        let mask = slotCount - 1
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if UInt32(truncatingIfNeeded: s >> 32) == h {
                let id = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                if matches(id, pre, key) {
                    isNew = false
                    front[f] = s
                    return Int32(id)
                }
            }
            i = (i + 1) & mask
        }
        let id = add(pre, field, key)
        let s = UInt64(h) << 32 | UInt64(id + 1)
        slots[i] = s
        front[f] = s
        isNew = true
        if count * 2 > slotCount { grow() }
        return Int32(id)
    }

    private func add(_ pre: UInt64, _ field: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        if count == recordCapacity {
            let n = TermTable.allocateRecords(recordCapacity * 2)
            n.moveInitialize(from: records, count: count)
            UnsafeMutableRawPointer(records).deallocate()
            records = n
            recordCapacity *= 2
        }
        let len = key.count + 1
        if arenaBytes + len > arenaCapacity {
            var cap = arenaCapacity * 2
            while arenaBytes + len > cap { cap *= 2 }
            let a = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
            a.moveInitialize(from: arena, count: arenaBytes)
            arena.deallocate()
            arena = a
            arenaCapacity = cap
        }
        arena[arenaBytes] = field
        if let p = key.baseAddress { (arena + arenaBytes + 1).update(from: p, count: key.count) }
        let id = count
        (records + id).initialize(
            to: TermRecord(prefix: pre, keyStart: UInt32(arenaBytes), keyLength: UInt16(len)))
        arenaBytes += len
        count += 1
        return id
    }

    private func grow() {
        let old = slots
        let oldCount = slotCount
        slotCount *= 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for k in 0..<oldCount where old[k] != 0 {
            var i = Int(old[k] >> 32) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = old[k]
        }
        old.deallocate()
    }

    /// The key bytes (field byte first) of `id`, valid until the next `intern`.
    func key(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
        let r = records[Int(id)]
        return UnsafeBufferPointer(start: arena + Int(r.keyStart), count: Int(r.keyLength))
    }

    /// Ids sorted by key bytes (field byte first, then bytewise; a key before its extensions).
    /// Sorted as (prefix, id) pairs side by side, not by comparing records (two cache misses
    /// per comparison in a large table): the big-endian prefixes order keys by their first 8
    /// bytes (zero padding sorts a shorter key first); keys with equal prefixes then compare in
    /// full.
    func sortedIds() -> [Int32] {
        let recs = records
        let base = arena
        var pairs = (0..<count).map { (key: recs[$0].prefix.byteSwapped, id: Int32($0)) }
        pairs.sort { x, y in
            if x.key != y.key { return x.key < y.key }
            let rx = recs + Int(x.id)
            let ry = recs + Int(y.id)
            return ByteOrder.compare(
                base + Int(rx.pointee.keyStart), Int(rx.pointee.keyLength), base + Int(ry.pointee.keyStart),
                Int(ry.pointee.keyLength)) < 0
        }
        return pairs.map(\.id)
    }
}
