import Foundation

/// A fast path for the common JSON Lines object: one flat object whose values are strings,
/// integers, `null`, or arrays of strings. It gives the same dictionary `JSONSerialization`
/// would (strings as `String`, integers as `Int`, arrays as `[Any]`; `null` members left out,
/// which the loader treats alike), or nil for anything else — nested objects, fractions,
/// booleans, invalid UTF-8, lone surrogates, malformed text — which then goes to
/// `JSONSerialization` (and its error messages). Duplicate keys: the last wins.
enum FlatJSON {
    static func object(_ b: UnsafeBufferPointer<UInt8>) -> [String: Any]? {
        var i = 0
        let n = b.count
        @inline(__always) func skipSpace() { skipBlanks(b, &i) }
        guard opens(b, &i) else { return nil }
        // Room for a news record's dozen members at once (growing took a fifth of the reading).
        var out = [String: Any](minimumCapacity: 12)
        skipSpace()
        if i < n, b[i] == 0x7D {  // }
            i += 1
            skipSpace()
            return i == n ? out : nil
        }
        while true {
            skipSpace()
            guard let key = string(b, &i) else { return nil }
            skipSpace()
            guard i < n, b[i] == 0x3A else { return nil }  // :
            i += 1
            skipSpace()
            guard i < n else { return nil }
            switch b[i] {
            case 0x22:  // "
                guard let s = string(b, &i) else { return nil }
                out[key] = s
            case 0x5B:  // [
                i += 1
                var items: [Any] = []
                skipSpace()
                if i < n, b[i] == 0x5D {
                    i += 1
                } else {
                    while true {
                        skipSpace()
                        guard i < n, b[i] == 0x22, let s = string(b, &i) else { return nil }
                        items.append(s)
                        skipSpace()
                        guard i < n else { return nil }
                        if b[i] == 0x2C {
                            i += 1
                            continue
                        }
                        guard b[i] == 0x5D else { return nil }
                        i += 1
                        break
                    }
                }
                out[key] = items
            case 0x6E:  // null
                guard i + 4 <= n, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C else { return nil }
                i += 4
                out[key] = nil
            case 0x2D, 0x30...0x39:
                guard let v = integer(b, &i) else { return nil }
                out[key] = v
            default:
                return nil
            }
            guard let more = memberEnd(b, &i) else { return nil }
            if more { continue }
            return out
        }
    }

    /// After an object's member: a comma (true: another member follows) or the closing brace
    /// with nothing but blanks after it (false: the object ends the line); nil for anything else.
    private static func memberEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool? {
        let n = b.count
        skipBlanks(b, &i)
        guard i < n else { return nil }
        if b[i] == 0x2C {
            i += 1
            return true
        }
        guard b[i] == 0x7D else { return nil }
        i += 1
        skipBlanks(b, &i)
        return i == n ? false : nil
    }

    /// JSON's blanks (space, tab, line feed, carriage return) from `i` on.
    @inline(__always)
    private static func skipBlanks(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    /// Blanks and an object's opening brace, `i` after them; false when no object opens.
    private static func opens(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        skipBlanks(b, &i)
        guard i < b.count, b[i] == 0x7B else { return false }  // {
        i += 1
        return true
    }

    /// The plain record of benchmark, BEIR-style and dataset-hub collections: a flat object of at
    /// most an id (`_id`, `id`, `docid`, `doc_id` or `docno`), a `title`, a text (`text` or
    /// `body`) and a `url` (Wikipedia's dumps on dataset hubs), string values only, each once, with
    /// a title or a text.
    struct PlainRecord {
        var id: String?
        var title: String?
        var text: String?
        var url: String?
    }

    /// `b` as a plain record, read straight into its three strings (no dictionary, no key
    /// strings); nil for any other object, which goes through `object` and `NewsJSON.article`.
    static func plainRecord(_ b: UnsafeBufferPointer<UInt8>) -> PlainRecord? {
        guard let p = b.baseAddress else { return nil }
        var i = 0
        let n = b.count
        @inline(__always) func skipSpace() { skipBlanks(b, &i) }
        guard opens(b, &i) else { return nil }
        var record = PlainRecord()
        var seen = 0
        while true {
            skipSpace()
            guard i < n, b[i] == 0x22 else { return nil }
            let keyStart = i + 1
            let keyEnd = plainRun(p, keyStart, n)
            guard keyEnd < n, b[keyEnd] == 0x22,
                let role = plainRole(UnsafeBufferPointer(rebasing: b[keyStart..<keyEnd])),
                seen & (1 << role) == 0
            else { return nil }
            seen |= 1 << role
            i = keyEnd + 1
            skipSpace()
            guard i < n, b[i] == 0x3A else { return nil }  // :
            i += 1
            skipSpace()
            guard let value = string(b, &i) else { return nil }
            switch role {
            case 0: record.id = value
            case 1: record.title = value
            case 2: record.text = value
            default: record.url = value
            }
            guard let more = memberEnd(b, &i) else { return nil }
            if more { continue }
            return seen & 0b110 != 0 ? record : nil
        }
    }

    /// 0: an id key, 1: `title`, 2: `text` or `body`, 3: `url`; nil for any other key.
    private static func plainRole(_ k: UnsafeBufferPointer<UInt8>) -> Int? {
        func equals(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == k.count && memcmp(s.utf8Start, k.baseAddress!, k.count) == 0
        }
        switch k.count {
        case 2: return equals("id") ? 0 : nil
        case 3: return equals("_id") ? 0 : equals("url") ? 3 : nil
        case 4: return equals("text") || equals("body") ? 2 : nil
        case 5: return equals("title") ? 1 : equals("docid") || equals("docno") ? 0 : nil
        case 6: return equals("doc_id") ? 0 : nil
        default: return nil
        }
    }

    /// An integer literal that fits in 18 digits (else nil: fractions, exponents and big numbers
    /// go to `JSONSerialization`).
    private static func integer(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int? {
        var j = i
        var negative = false
        if b[j] == 0x2D {
            negative = true
            j += 1
        }
        let start = j
        var v = 0
        while j < b.count, b[j] >= 0x30, b[j] <= 0x39 {
            // A 19th digit could overflow: checked before it is added, not after.
            if j - start == 18 { return nil }
            v = v * 10 + Int(b[j] - 0x30)
            j += 1
        }
        let digits = j - start
        guard digits > 0, !(digits > 1 && b[start] == 0x30) else { return nil }
        if j < b.count, b[j] == 0x2E || b[j] == 0x65 || b[j] == 0x45 { return nil }
        i = j
        return negative ? -v : v
    }

    /// The first index from `j` whose byte ends a run of plain string bytes: a quote, a
    /// backslash or a control character (or `n`). Eight bytes at a time: a byte is flagged
    /// exactly when it equals 0x22 or 0x5C or is below 0x20 (the zero-byte and less-than word
    /// tricks have no false negatives, and a flagged word is then searched byte by byte).
    @inline(__always)
    private static func plainRun(_ p: UnsafePointer<UInt8>, _ j: Int, _ n: Int) -> Int {
        var j = j
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= n {
            let w = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
            let q = w ^ (ones &* 0x22)
            let s = w ^ (ones &* 0x5C)
            let flags = ((q &- ones) & ~q | (s &- ones) & ~s | (w &- ones &* 0x20) & ~w) & high
            if flags != 0 { break }
            j += 8
        }
        while j < n {
            let c = p[j]
            if c == 0x22 || c == 0x5C || c < 0x20 { return j }
            j += 1
        }
        return n
    }

    /// A string starting at the quote at `i`; `i` ends after the closing quote.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String? {
        guard i < b.count, b[i] == 0x22, let p = b.baseAddress else { return nil }
        let n = b.count
        let start = i + 1
        var j = plainRun(p, start, n)
        // Without escapes: the bytes as they are (validated as UTF-8).
        guard j < n, p[j] >= 0x20 else { return nil }
        if p[j] == 0x22 {
            i = j + 1
            return TextDecoding.utf8String(UnsafeBufferPointer(start: p + start, count: j - start))
        }
        // With escapes: runs between them are copied whole.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n - start)
        bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: j - start))
        while j < n {
            let c = p[j]
            if c == 0x22 {
                i = j + 1
                return bytes.withUnsafeBufferPointer(TextDecoding.utf8String)
            }
            if c < 0x20 { return nil }
            // c is a backslash.
            j += 1
            guard j < n else { return nil }
            switch p[j] {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x2F: bytes.append(0x2F)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x6E: bytes.append(0x0A)
            case 0x72: bytes.append(0x0D)
            case 0x74: bytes.append(0x09)
            case 0x75:
                guard var u = hex4(b, j + 1) else { return nil }
                j += 4
                if u >= 0xD800 && u < 0xDC00 {
                    // A high surrogate must be followed by an escaped low one.
                    guard j + 6 < n, p[j + 1] == 0x5C, p[j + 2] == 0x75, let lo = hex4(b, j + 3),
                        lo >= 0xDC00, lo < 0xE000
                    else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    j += 6
                } else if u >= 0xDC00 && u < 0xE000 {
                    return nil
                }
                guard let scalar = Unicode.Scalar(u) else { return nil }
                bytes.append(contentsOf: String(Character(scalar)).utf8)
            default:
                return nil
            }
            j += 1
            let k = plainRun(p, j, n)
            bytes.append(contentsOf: UnsafeBufferPointer(start: p + j, count: k - j))
            j = k
        }
        return nil
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = b[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
