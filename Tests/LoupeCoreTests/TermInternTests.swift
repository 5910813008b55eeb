import Testing

@testable import LoupeCore

struct TermInternTests {
    /// Ids are dense and stable through the table's growth; lookups find exactly the interned
    /// terms (the empty term and prefixes included); `precedes` is byte order, then length.
    @Test func internsAndFinds() {
        var t = TermIntern(capacity: 4)
        let words = (0..<5000).map { Array("w\($0 * 7919 % 10007)".utf8) } + [[], Array("w1".utf8), Array("w".utf8)]
        var ids: [Int] = []
        for w in words { ids.append(t.intern(w)) }
        #expect(ids[..<5000] == ArraySlice(0..<5000))
        #expect(t.count == Set(words).count)
        for (w, id) in zip(words, ids) {
            #expect(t.term(id) == w)
            #expect(w.withUnsafeBufferPointer { t.find($0) } == id)
            #expect(t.intern(w) == id)
        }
        for absent in ["w10007", "x", "w00"] {
            #expect(Array(absent.utf8).withUnsafeBufferPointer { t.find($0) } == nil)
        }
        for _ in 0..<2000 {
            let a = ids.randomElement()!
            let b = ids.randomElement()!
            #expect(t.precedes(a, b) == t.term(a).lexicographicallyPrecedes(t.term(b)))
        }
    }
}

/// The segment builder's term table: keys of every length (up to 7 bytes settled by the
/// record's prefix, longer ones by the arena), through growth, in byte order.
struct TermTableTests {
    @Test func internsKeysOfEveryLengthAndSortsThem() {
        let t = TermTable(capacity: 4)
        var keys: [(UInt8, [UInt8])] = []
        for n in 0..<40 {
            for v in 0..<30 {
                // Keys that share their first bytes and differ late, at the end or in length.
                var k = [UInt8](repeating: 0x61, count: n)
                if n > 0 { k[(v * 7) % n] = UInt8(0x61 + v % 26) }
                keys.append((UInt8(1 + v % 3), k))
            }
        }
        keys.append((1, [0, 0]))  // zero bytes are key bytes too
        keys.append((1, [0]))
        var ids: [Int32] = []
        var seen: [[UInt8]: Int32] = [:]
        for (f, k) in keys {
            var isNew = false
            let id = k.withUnsafeBufferPointer { t.intern(f, $0, isNew: &isNew) }
            let full = [f] + k
            #expect(isNew == (seen[full] == nil))
            if let old = seen[full] { #expect(old == id) } else { seen[full] = id }
            ids.append(id)
        }
        #expect(t.count == seen.count)
        for (full, id) in seen {
            #expect(Array(t.key(id)) == full)
            var isNew = true
            let again = full.dropFirst().withUnsafeBufferPointer { t.intern(full[0], $0, isNew: &isNew) }
            #expect(again == id && !isNew)
        }
        let sorted = t.sortedIds().map { Array(t.key($0)) }
        #expect(sorted == seen.keys.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(MemoryLayout<TermRecord>.stride == 64)
    }

    /// The padded variant (one masked load for a short key) gives the same prefix and hash,
    /// whatever bytes follow the key.
    @Test func paddedPrefixAndHashEqualsTheByteWiseOne() {
        var bytes = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        for n in 1...16 {
            for junk in [UInt8(0), 0x41, 0xFF] {
                for k in n..<bytes.count { bytes[k] = junk }
                bytes.withUnsafeBufferPointer { b in
                    let key = UnsafeBufferPointer(rebasing: b[0..<n])
                    let a = TermTable.prefixAndHash(3, key)
                    let p = TermTable.prefixAndHashPadded(3, key)
                    #expect(a.0 == p.0 && a.1 == p.1, "\(n) bytes, then \(junk)")
                }
                bytes = Array("abcdefghijklmnopqrstuvwxyz".utf8)
            }
        }
    }
}
