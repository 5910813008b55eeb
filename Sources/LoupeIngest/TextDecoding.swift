/// Turns raw file bytes into text: BOM-detected UTF-16, UTF-8 (invalid sequences become
/// U+FFFD, which the analyzer treats as a separator), or Latin-1 when the bytes are clearly not
/// UTF-8 (see `decode`).
public enum TextDecoding {
    public enum Outcome: Sendable, Equatable {
        case utf8
        case utf8WithInvalidBytes(line: Int)
        case utf16LE
        case utf16BE
        case latin1(line: Int)
        /// Not UTF-8, read in a legacy East Asian or Cyrillic encoding (`Charsets`): its label.
        case legacy(String)
        case binary
    }

    /// Binary when, in the first 8 KB, more than 10 % of the bytes are NUL, or more than 30 % are
    /// control bytes (other than tab, line breaks and form feed) or bytes that are not valid
    /// UTF-8. (A short text with a few stray control bytes — real mail has them — stays text;
    /// random bytes are about half invalid UTF-8.)
    public static func looksBinary(_ b: [UInt8]) -> Bool {
        let n = min(b.count, 8192)
        if n == 0 { return false }
        var suspicious = 0
        var nuls = 0
        var i = 0
        let s = b[0..<n]
        while i < n {
            let c = s[i]
            if c == 0 {
                nuls += 1
                i += 1
            } else if c < 0x20 {
                if c != 0x09 && c != 0x0A && c != 0x0D && c != 0x0C { suspicious += 1 }
                i += 1
            } else if c < 0x80 {
                i += 1
            } else {
                let w = utf8Width(s, i)
                if w == 0 {
                    // A truncated sequence at the 8 KB cut is not evidence.
                    if i + 4 < n { suspicious += 1 }
                    i += 1
                } else {
                    i += w
                }
            }
        }
        return nuls * 10 > n || suspicious * 10 > n * 3
    }

    /// Bytes read as Latin-1 the way browsers read that label, as Windows-1252: each byte is the
    /// code point of the same value, but for 0x80–0x9F, Windows-1252's curly quotes, dashes,
    /// euro sign… (the five bytes it leaves undefined stay C1 controls).
    static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = ""
        s.unicodeScalars.reserveCapacity(bytes.count)
        for x in bytes {
            if let w = windows1252(x) {
                s.unicodeScalars.append(w)
            } else {
                s.unicodeScalars.append(Unicode.Scalar(x))
            }
        }
        return s
    }

    /// Windows-1252's character for a byte 0x80–0x9F (nil: undefined, or not such a byte).
    static func windows1252(_ x: UInt8) -> Unicode.Scalar? {
        guard x >= 0x80 && x <= 0x9F else { return nil }
        let v = HTMLText.windows1252C1[Int(x - 0x80)]
        return v == 0 ? nil : Unicode.Scalar(v)
    }

    /// Decodes `b`. Latin-1 (read as Windows-1252) is chosen when the bytes are not valid
    /// UTF-8, contain no valid multi-byte UTF-8 sequence at all, and no byte Windows-1252
    /// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): then every high byte is most plausibly
    /// one character of that code page. Otherwise invalid sequences become U+FFFD.
    public static func decode(_ b: [UInt8]) -> (String, Outcome) {
        if b.count >= 2 && b[0] == 0xFF && b[1] == 0xFE { return (utf16(b, from: 2, little: true), .utf16LE) }
        if b.count >= 2 && b[0] == 0xFE && b[1] == 0xFF { return (utf16(b, from: 2, little: false), .utf16BE) }
        var start = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { start = 3 }
        let body = b[start...]
        if looksBinary(Array(body.prefix(8192))) {
            // Shift_JIS or Big5 text is mostly bytes that are not UTF-8: binary at first sight.
            if let decoded = legacy(body) { return decoded }
            return ("", .binary)
        }
        var validMulti = 0
        var firstInvalidLine = 0
        var c1 = false
        var line = 1
        var i = body.startIndex
        while i < body.endIndex {
            let x = body[i]
            if x == 0x0A { line += 1 }
            if x < 0x80 {
                i += 1
                continue
            }
            if x >= 0x80 && x <= 0x9F && windows1252(x) == nil { c1 = true }
            let w = utf8Width(body, i)
            if w == 0 {
                if firstInvalidLine == 0 { firstInvalidLine = line }
                i += 1
            } else {
                validMulti += 1
                i += w
            }
        }
        if firstInvalidLine == 0 { return (String(decoding: body, as: UTF8.self), .utf8) }
        if let decoded = legacy(body) { return decoded }
        if validMulti == 0 && !c1 { return (latin1(body), .latin1(line: firstInvalidLine)) }
        return (String(decoding: body, as: UTF8.self), .utf8WithInvalidBytes(line: firstInvalidLine))
    }

    /// Undeclared East Asian or Cyrillic text (`Charsets`), decoded with its encoding.
    private static func legacy(_ body: ArraySlice<UInt8>) -> (String, Outcome)? {
        guard let label = Charsets.legacyEastAsian(body) ?? Charsets.legacyCyrillic(body),
            let text = Charsets.decode(body, charset: Charsets.iconvName(label))
        else { return nil }
        return (text, .legacy(label))
    }

    /// Whether every byte of `b` is ASCII or part of a valid UTF-8 sequence (8 bytes at a time
    /// while they are ASCII).
    static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        var i = 0
        while i < b.count {
            if i + 8 <= b.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            if b[i] < 0x80 {
                i += 1
                continue
            }
            let w = TextDecoding.utf8Width(b, i, end: b.count)
            if w == 0 { return false }
            i += w
        }
        return true
    }

    /// `b` as a string when it is valid UTF-8, else nil. The same as `String(validating:as:)`,
    /// whose generic path (type metadata looked up per call) took half again as long as the
    /// validation itself: a tenth of reading a JSON Lines corpus, a string per field.
    static func utf8String(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        isValidUTF8(b) ? String(decoding: b, as: UTF8.self) : nil
    }

    private static func utf8Width(_ b: ArraySlice<UInt8>, _ i: Int) -> Int { utf8Width(b, i, end: b.endIndex) }

    /// Length of the valid UTF-8 sequence starting at `i` (whose first byte is ≥ 0x80), or 0
    /// when it is invalid: overlong forms, surrogates and code points above U+10FFFF are invalid.
    static func utf8Width<C: RandomAccessCollection>(_ b: C, _ i: Int, end: Int) -> Int
    where C.Element == UInt8, C.Index == Int {
        let x = b[i]
        func cont(_ k: Int) -> Bool { i + k < end && b[i + k] & 0xC0 == 0x80 }
        if x >= 0xC2 && x <= 0xDF { return cont(1) ? 2 : 0 }
        if x >= 0xE0 && x <= 0xEF {
            guard cont(1) && cont(2) else { return 0 }
            if x == 0xE0 && b[i + 1] < 0xA0 { return 0 }
            if x == 0xED && b[i + 1] >= 0xA0 { return 0 }
            return 3
        }
        if x >= 0xF0 && x <= 0xF4 {
            guard cont(1) && cont(2) && cont(3) else { return 0 }
            if x == 0xF0 && b[i + 1] < 0x90 { return 0 }
            if x == 0xF4 && b[i + 1] > 0x8F { return 0 }
            return 4
        }
        return 0
    }

    private static func utf16(_ b: [UInt8], from: Int, little: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity((b.count - from) / 2)
        var i = from
        while i + 1 < b.count {
            units.append(little ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : UInt16(b[i]) << 8 | UInt16(b[i + 1]))
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
