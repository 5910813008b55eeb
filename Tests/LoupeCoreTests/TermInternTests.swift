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
