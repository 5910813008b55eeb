import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Repairs of XML input before libxml2 sees it, all what feed readers do (blanks before the
/// XML declaration are moved after it, see `moveBlanksAfterDeclaration`).
///
/// Bytes that are not UTF-8 in a document that is UTF-8 by its declaration (or by having
/// none): each such byte is read as Windows-1252 (Latin-1 as browsers read it) and written as
/// UTF-8, valid sequences staying as they are; the loader warns with the first such line. A
/// document declaring another encoding (or in UTF-16) is left to libxml2's decoders.
///
/// HTML's named entities in XML. Feeds often write `&eacute;`, `&nbsp;` or `&mdash;` outside
/// CDATA with no DTD that declares them: XML makes that a fatal error, and every feed reader
/// reads them anyway. Before parsing, a reference `&name;` whose name is one of HTML 4's
/// (`HTMLText.named`, not XML's five) is rewritten as a numeric character reference (`&#233;`),
/// which XML always accepts; anything else, an unknown `&foo;` included, is left for the parser
/// to judge. Line numbers do not change (no line break is added or removed); columns after a
/// rewritten reference on its line move by a few characters.
enum XMLRepair {
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

    /// Blank lines or spaces before the XML declaration (feeds written by scripts often start
    /// with a line break; XML allows nothing there) are moved after it, so that lines below keep
    /// their numbers. `b[0..<count]` holds the document's start; false when there was nothing to
    /// move (or the declaration does not end within it).
    @discardableResult
    static func moveBlanksAfterDeclaration(_ b: inout [UInt8], count: Int) -> Bool {
        var start = 0
        if count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { start = 3 }
        var k = start
        while k < count && (b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D) { k += 1 }
        let decl = Array("<?xml".utf8)
        guard k > start, k + decl.count < count, Array(b[k..<(k + decl.count)]) == decl else { return false }
        let after = b[k + decl.count]
        guard after == 0x20 || after == 0x09 || after == 0x0A || after == 0x0D else { return false }
        var e = k + decl.count
        while e + 1 < count && !(b[e] == 0x3F && b[e + 1] == 0x3E) { e += 1 }
        guard e + 1 < count else { return false }
        let end = e + 2
        let blanks = Array(b[start..<k])
        let declaration = Array(b[k..<end])
        b.replaceSubrange(start..<end, with: declaration + blanks)
        return true
    }

    /// Whether the document's start (its first bytes) leaves it UTF-8: no UTF-16 byte order
    /// mark or NUL byte, and no XML declaration naming another encoding.
    static func isUTF8Document(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(head.count, 1024)
        if n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)) { return false }
        var start = 0
        if n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { start = 3 }
        if head[start..<n].contains(0) { return false }
        guard let name = declaration(head, from: start)?.encoding?.lowercased(), !name.isEmpty else { return true }
        return name == "utf-8" || name == "utf8"
    }

    /// The XML declaration that opens `head` at `start` (`<?xml … encoding="NAME" … ?>`, ended
    /// within the first 1,024 bytes): the index just past its `?>`, and the encoding it names —
    /// nil when it names none, empty when `encoding` is not followed by a quoted name. Nil when
    /// the document does not open with a declaration.
    static func declaration(_ head: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> (
        end: Int, encoding: String?
    )? {
        let n = min(head.count, 1024)
        guard start + 5 <= n, UnsafeBufferPointer(rebasing: head[start..<n]).starts(with: "<?xml".utf8) else {
            return nil
        }
        var e = start + 5
        while e + 1 < n && !(head[e] == 0x3F && head[e + 1] == 0x3E) { e += 1 }
        guard e + 1 < n else { return nil }
        let decl = String(decoding: UnsafeBufferPointer(rebasing: head[start..<e]), as: UTF8.self)
        guard let r = decl.range(of: "encoding") else { return (e + 2, nil) }
        var rest = decl[r.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return (e + 2, "") }
        rest = rest.dropFirst()
        return (e + 2, String(rest.prefix { $0 != quote }))
    }

    /// Whether `b` is valid UTF-8 holding characters beyond ASCII: text in Latin-1 or an East
    /// Asian encoding practically never is by chance, so a document that is, whatever it
    /// declares, was written in UTF-8.
    static func isUTF8BeyondASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.contains(where: { $0 >= 0x80 }) && isValidUTF8(b)
    }

    /// How a document's start is declared again for libxml2 to read it right, when it must
    /// be: declared in a byte encoding but UTF-8 (`misdeclaredUTF8`), or undeclared and in a
    /// legacy encoding (`undeclaredLegacyEncoding`). `declaration` goes first, in place of the
    /// document's own up to `replacing` (0: none); `legacy` or `misdeclared` names the case.
    struct Redeclaration {
        let declaration: [UInt8]
        let replacing: Int
        let legacy: String?
        let misdeclared: String?
    }

    /// See `Redeclaration`; nil when the document is read as it declares.
    static func redeclaration(_ head: UnsafeBufferPointer<UInt8>) -> Redeclaration? {
        if let m = misdeclaredUTF8(head) {
            return Redeclaration(
                declaration: utf8Declaration, replacing: m.replacing, legacy: nil, misdeclared: m.declared)
        }
        if let l = undeclaredLegacyEncoding(head) {
            return Redeclaration(declaration: l.declaration, replacing: l.replacing, legacy: l.label, misdeclared: nil)
        }
        return nil
    }

    /// A document whose XML declaration names a byte encoding other than UTF-8 (`ISO-8859-1`,
    /// `windows-1252`, `GB2312`…) but whose bytes are UTF-8, with characters beyond ASCII — as
    /// a feed re-saved in UTF-8 without its declaration changed is (a real AFP item declares
    /// ISO-8859-1 and is UTF-8): Latin-1 or an East Asian encoding is practically never valid
    /// UTF-8 by chance. The encoding declared and the end of the declaration to replace, else
    /// nil. `head`: the document's first bytes (its whole when it is read whole).
    static func misdeclaredUTF8(_ head: UnsafeBufferPointer<UInt8>) -> (declared: String, replacing: Int)? {
        guard head.count >= 20, let d = declaration(head), let name = d.encoding else { return nil }
        let lower = name.lowercased()
        guard !lower.isEmpty, lower != "utf-8", lower != "utf8", !lower.hasPrefix("utf-16"), !lower.hasPrefix("utf-32"),
            !lower.hasPrefix("ucs"), !lower.hasPrefix("iso-10646")
        else { return nil }
        guard let base = head.baseAddress, memchr(base, 0, head.count) == nil else { return nil }
        guard isUTF8BeyondASCII(UnsafeBufferPointer(rebasing: head[0..<utf8SafeEnd(head)])) else { return nil }
        return (name, d.end)
    }

    /// The declaration that replaces a misdeclared one.
    static let utf8Declaration = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>".utf8)

    /// A document that declares no encoding (no byte order mark, no `encoding` in its XML
    /// declaration), is not UTF-8 and whose text — the bytes outside its tags — reads as a legacy
    /// East Asian or Cyrillic encoding, as undeclared text files are read (`Charsets`: Shift_JIS,
    /// EUC-JP, EUC-KR, GB18030, Big5, windows-1251, KOI8-R): the encoding's label, the
    /// declaration that names it (for libxml2 to decode with), and the end of the document's own
    /// declaration, which it replaces (0: none). `head`: the document's first bytes.
    static func undeclaredLegacyEncoding(_ head: UnsafeBufferPointer<UInt8>) -> (
        label: String, declaration: [UInt8], replacing: Int
    )? {
        let n = head.count
        guard n >= 4, !(head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF), isUTF8Document(head) else {
            return nil
        }
        var replacing = 0
        if head.starts(with: "<?xml".utf8) {
            guard let d = declaration(head), d.encoding == nil else { return nil }  // declared UTF-8: as declared
            replacing = d.end
        }
        let sample = UnsafeBufferPointer(rebasing: head[0..<min(n, 1 << 16)])
        guard !isValidUTF8(UnsafeBufferPointer(rebasing: sample[0..<utf8SafeEnd(sample)])) else { return nil }
        // The text alone: tag names and attributes are ASCII, and would outweigh a short text's
        // letters.
        var text: [UInt8] = []
        text.reserveCapacity(sample.count)
        var inTag = false
        for x in sample {
            if x == 0x3C {
                inTag = true
            } else if x == 0x3E && inTag {
                inTag = false
                text.append(0x20)
            } else if !inTag {
                text.append(x)
            }
        }
        guard let label = Charsets.legacyEastAsian(text[...]) ?? Charsets.legacyCyrillic(text[...]) else { return nil }
        let declaration = Array("<?xml version=\"1.0\" encoding=\"\(Charsets.iconvName(label))\"?>".utf8)
        return (label, declaration, replacing)
    }

    /// Appends `b` to `out` with every byte that is not part of a valid UTF-8 sequence written
    /// as its Windows-1252 character; returns the index of the first such byte (nil: none).
    /// `b` must not end inside a sequence it means to keep (`utf8SafeEnd`).
    @discardableResult
    static func transcodeInvalid(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int? {
        var first: Int?
        var copied = 0
        var i = 0
        while i < b.count {
            if b[i] < 0x80 {
                i += 1
                continue
            }
            let w = TextDecoding.utf8Width(b, i, end: b.count)
            if w > 0 {
                i += w
                continue
            }
            if first == nil { first = i }
            out.append(contentsOf: b[copied..<i])
            out.append(contentsOf: String(TextDecoding.windows1252(b[i]) ?? Unicode.Scalar(b[i])).utf8)
            i += 1
            copied = i
        }
        out.append(contentsOf: b[copied...])
        return first
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

    /// Where a chunk that does not end the file must stop so that no UTF-8 sequence is cut: before
    /// the lead byte of an unfinished sequence in its last three bytes (else the whole chunk).
    static func utf8SafeEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var k = b.count - 1
        while k >= 0 && k >= b.count - 3 {
            let c = b[k]
            if c & 0xC0 == 0x80 {
                k -= 1
                continue
            }
            if c >= 0xC0 {
                let need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
                return b.count - k < need ? k : b.count
            }
            return b.count
        }
        return b.count
    }

    /// One piece of a document (all of it, or a chunk cut at `safeEnd` and `utf8SafeEnd`)
    /// repaired into `out`: with `transcode`, bytes that are not UTF-8 re-read as Windows-1252
    /// (through `scratch`), then HTML's named references rewritten. Returns the offset in
    /// `piece` of the first re-read byte.
    static func repair(
        _ piece: UnsafeBufferPointer<UInt8>, transcode: Bool, into out: inout [UInt8], scratch: inout [UInt8]
    ) -> Int? {
        guard transcode else {
            rewrite(piece, into: &out)
            return nil
        }
        scratch.removeAll(keepingCapacity: true)
        let first = transcodeInvalid(piece, into: &scratch)
        scratch.withUnsafeBufferPointer { rewrite($0, into: &out) }
        return first
    }

    /// The whole repair of an in-memory document: blanks before its declaration moved, its
    /// invalid UTF-8 re-read as Windows-1252 (when the document is UTF-8) and HTML's named
    /// references rewritten, and the line of the first re-read byte; nil when nothing changes
    /// (the usual case: no copy).
    static func repairedDocument(_ original: [UInt8]) -> (
        bytes: [UInt8], firstInvalidLine: Int?, legacy: String?, misdeclared: String?
    )? {
        var bytes = original
        let moved = moveBlanksAfterDeclaration(&bytes, count: min(bytes.count, 4096))
        if let r = bytes.withUnsafeBufferPointer({ redeclaration($0) }) {
            // Declared again for libxml2, which decodes it; entities are still rewritten.
            let declared = r.declaration + bytes[r.replacing...]
            let repaired = declared.withUnsafeBufferPointer { b in
                var out: [UInt8] = []
                var scratch: [UInt8] = []
                _ = repair(b, transcode: false, into: &out, scratch: &scratch)
                return out
            }
            return (repaired, nil, r.legacy, r.misdeclared)
        }
        return bytes.withUnsafeBufferPointer {
            b -> (bytes: [UInt8], firstInvalidLine: Int?, legacy: String?, misdeclared: String?)? in
            let transcode = isUTF8Document(b) && !isValidUTF8(b)
            guard moved || transcode || hasReference(b) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(b.count + b.count / 16)
            var scratch: [UInt8] = []
            let first = repair(b, transcode: transcode, into: &out, scratch: &scratch)
            return (out, first.map { MarkupScan.line(of: $0, in: b) }, nil, nil)
        }
    }

    /// Whether `b` holds an HTML reference to rewrite.
    private static func hasReference(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while let at = nextAmpersand(b, from: i) {
            if reference(b, at) != nil { return true }
            i = at + 1
        }
        return false
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
