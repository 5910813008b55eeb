#if canImport(Glibc)
    import Glibc
#endif

/// HTML's named entities in XML. Feeds often write `&eacute;`, `&nbsp;` or `&mdash;` outside
/// CDATA with no DTD that declares them: XML makes that a fatal error, and every feed reader
/// reads them anyway. Before parsing, a reference `&name;` whose name is one of HTML 4's
/// (`HTMLText.named`, not XML's five) is rewritten as a numeric character reference (`&#233;`),
/// which XML always accepts; anything else, an unknown `&foo;` included, is left for the parser
/// to judge. Line numbers do not change (no line break is added or removed); columns after a
/// rewritten reference on its line move by a few characters.
enum XMLEntityRepair {
    /// Name → code point, for the names HTML defines and XML does not; a name (at most 8 ASCII
    /// bytes) is the key as its bytes packed little-endian in a UInt64 (no array per lookup).
    static let codes: [UInt64: UInt32] = {
        var m: [UInt64: UInt32] = [:]
        for (name, value) in HTMLText.named where !["amp", "lt", "gt", "quot", "apos"].contains(name) {
            let scalars = Array(value.unicodeScalars)
            let bytes = Array(name.utf8)
            precondition(bytes.count <= maxName, "HTML entity names fit in 8 bytes")
            if scalars.count == 1 { m[pack(bytes[...])] = scalars[0].value }
        }
        return m
    }()

    /// The longest HTML entity name (`thetasym`).
    static let maxName = 8

    @inline(__always) static func pack<C: Collection>(_ name: C) -> UInt64 where C.Element == UInt8 {
        var k: UInt64 = 0
        var shift: UInt64 = 0
        for c in name {
            k |= UInt64(c) << shift
            shift += 8
        }
        return k
    }

    /// XML's own five (`lt`, `gt`, `amp`, `quot`, `apos`), packed: the commonest references, left
    /// alone before any lookup.
    private static let xmlOwn: (UInt64, UInt64, UInt64, UInt64, UInt64) = (
        pack(Array("lt".utf8)), pack(Array("gt".utf8)), pack(Array("amp".utf8)), pack(Array("quot".utf8)),
        pack(Array("apos".utf8))
    )

    @inline(__always) static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
    }

    /// `bytes` with HTML's named references rewritten; nil when there are none (the usual case:
    /// no copy).
    static func repaired(_ bytes: [UInt8]) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { b -> [UInt8]? in
            var out: [UInt8]?
            var copied = 0
            var i = 0
            while let at = nextAmpersand(b, from: i) {
                guard let (end, code) = reference(b, at) else {
                    i = at + 1
                    continue
                }
                if out == nil {
                    out = []
                    out!.reserveCapacity(b.count + 64)
                }
                out!.append(contentsOf: b[copied..<at])
                appendNumeric(code, to: &out!)
                copied = end
                i = end
            }
            guard var o = out else { return nil }
            o.append(contentsOf: b[copied...])
            return o
        }
    }

    private static func nextAmpersand(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        guard i < b.count, let base = b.baseAddress,
            let p = memchr(base + i, 0x26, b.count - i)
        else { return nil }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    /// The HTML reference at `at` (a `&`): the index past its `;` and its code point; nil when
    /// it is none (or XML's own, or unfinished).
    private static func reference(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> (Int, UInt32)? {
        var j = at + 1
        var key: UInt64 = 0
        while j < b.count && j - at <= maxName && isNameByte(b[j]) {
            key |= UInt64(b[j]) << (UInt64(j - at - 1) * 8)
            j += 1
        }
        guard j < b.count, b[j] == 0x3B, j > at + 1 else { return nil }
        let own = xmlOwn
        if key == own.0 || key == own.1 || key == own.2 || key == own.3 || key == own.4 { return nil }
        guard let code = codes[key] else { return nil }
        return (j + 1, code)
    }

    private static func appendNumeric(_ code: UInt32, to out: inout [UInt8]) {
        out.append(0x26)
        out.append(0x23)
        out.append(contentsOf: String(code).utf8)
        out.append(0x3B)
    }

    /// Where a chunk that does not end the file must stop so that no reference is cut in two:
    /// before a trailing `&` followed only by name bytes (else the whole chunk).
    static func safeEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var k = b.count - 1
        let low = max(0, b.count - maxName - 1)
        while k >= low {
            let c = b[k]
            if c == 0x26 { return k }
            if !isNameByte(c) { break }
            k -= 1
        }
        return b.count
    }

    /// Rewrites one chunk (already cut at `safeEnd`), appending to `out`.
    static func rewrite(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var copied = 0
        var i = 0
        while let at = nextAmpersand(b, from: i) {
            guard let (end, code) = reference(b, at) else {
                i = at + 1
                continue
            }
            out.append(contentsOf: b[copied..<at])
            appendNumeric(code, to: &out)
            copied = end
            i = end
        }
        out.append(contentsOf: b[copied...])
    }
}
