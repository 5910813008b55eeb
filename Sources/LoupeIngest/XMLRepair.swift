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

    /// Blank lines, spaces and comments before the XML declaration (feeds written by scripts
    /// often start with a line break, generators with a banner comment; XML allows nothing
    /// there, and libxml2 rejected the file: "XML declaration allowed only at the start") are
    /// moved after it, so that lines below keep their numbers. `b[0..<count]` holds the
    /// document's start; false when there was nothing to move (or the declaration, or a comment
    /// before it, does not end within it).
    @discardableResult
    static func moveBlanksAfterDeclaration(_ b: inout [UInt8], count: Int) -> Bool {
        let start = bomLength(b[0..<count])
        var k = start
        let open = Array("<!--".utf8)
        while k < count {
            if b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D {
                k += 1
                continue
            }
            guard k + open.count <= count, Array(b[k..<(k + open.count)]) == open else { break }
            // A comment, to its end.
            var e = k + open.count
            while e + 2 < count && !(b[e] == 0x2D && b[e + 1] == 0x2D && b[e + 2] == 0x3E) { e += 1 }
            guard e + 2 < count else { return false }
            k = e + 3
        }
        guard k > start, opensDeclaration(b[0..<count], at: k) else { return false }
        var e = k + 5
        while e + 1 < count && !(b[e] == 0x3F && b[e + 1] == 0x3E) { e += 1 }
        guard e + 1 < count else { return false }
        let end = e + 2
        let blanks = Array(b[start..<k])
        let declaration = Array(b[k..<end])
        b.replaceSubrange(start..<end, with: declaration + blanks)
        return true
    }

    /// A server's error output before a feed's XML declaration — PHP's `Warning: … in
    /// /var/www/feed.php on line 3`, or its HTML form `<br />\n<b>Deprecated</b>: …<br />` —
    /// which browsers and libxml2 refuse and which made the file a text article of its own
    /// markup: where the declaration starts (`end`) and the text, tags out and blanks
    /// collapsed, cut at 80 characters. Nil unless, within the first 4 KB, a declaration
    /// starts a line (or follows a tag) after text that reads as such a message (one that
    /// opens with `Warning:`, `Notice:`, `Deprecated:`, `Fatal error:`, `Parse error:` or
    /// `Strict Standards:`, or says `on line` and a number) and the document it opens is a
    /// feed (its root `rss`, `RDF` or `feed`).
    static func serverOutputBeforeDeclaration(_ b: UnsafeBufferPointer<UInt8>) -> (
        end: Int, line: Int, text: String
    )? {
        let n = min(b.count, 4096)
        let head = b[0..<n]
        var start = bomLength(head)
        while start < n && MarkupScan.isSpace(b[start]) { start += 1 }
        func declaration(at k: Int) -> Bool { opensDeclaration(head, at: k) }
        guard start < n, !declaration(at: start) else { return nil }
        var j = start + 1
        while j < n {
            if b[j] == 0x3C && (b[j - 1] == 0x0A || b[j - 1] == 0x0D || b[j - 1] == 0x3E) && declaration(at: j) {
                break
            }
            j += 1
        }
        guard j < n else { return nil }
        // The message's text: tags out, blanks collapsed.
        var text: [UInt8] = []
        var inTag = false
        for c in b[start..<j] {
            if c == 0x3C {
                inTag = true
            } else if c == 0x3E && inTag {
                inTag = false
            } else if !inTag {
                let blank = MarkupScan.isSpace(c)
                if blank && (text.last == nil || text.last == 0x20) { continue }
                text.append(blank ? 0x20 : c)
            }
        }
        if text.last == 0x20 { text.removeLast() }
        let message = String(decoding: text, as: UTF8.self)
        let lower = message.lowercased()
        let opens = ["warning:", "notice:", "deprecated:", "fatal error:", "parse error:", "strict standards:"]
        var saysLine = false
        if let r = lower.range(of: " on line ") {
            saysLine = lower[r.upperBound...].first?.isNumber ?? false
        }
        guard opens.contains(where: { lower.hasPrefix($0) }) || saysLine else { return nil }
        guard let root = MarkupScan.sniffRoot(Array(b[j..<min(b.count, j + 4096)])),
            ArticleFormat.classify(root) == .feed
        else { return nil }
        let line = MarkupScan.line(of: start, in: b)
        return (j, line, message.count > 80 ? String(message.prefix(79)) + "…" : message)
    }

    /// Blanks a server's error output before the XML declaration (`serverOutputBeforeDeclaration`)
    /// in `b[0..<count]`, line breaks kept: a repair to report (its line and text), or nil when
    /// there was none.
    static func blankServerOutput(_ b: inout [UInt8], count: Int) -> Repairs.Kind? {
        guard
            let found = b.withUnsafeBufferPointer({
                serverOutputBeforeDeclaration(UnsafeBufferPointer(rebasing: $0[0..<count]))
            })
        else { return nil }
        var k = bomLength(b[...])
        while k < found.end {
            if b[k] != 0x0A && b[k] != 0x0D { b[k] = 0x20 }
            k += 1
        }
        return Repairs.Kind(line: found.line, count: 1, what: found.text)
    }

    /// 3 when `b` opens with UTF-8's byte order mark, else 0.
    static func bomLength<C: RandomAccessCollection>(_ b: C) -> Int where C.Element == UInt8, C.Index == Int {
        b.count >= 3 && b[b.startIndex] == 0xEF && b[b.startIndex + 1] == 0xBB && b[b.startIndex + 2] == 0xBF ? 3 : 0
    }

    /// Whether an XML declaration (`<?xml` and one of XML's blanks) starts at `k` in `b`.
    static func opensDeclaration<C: RandomAccessCollection>(_ b: C, at k: Int) -> Bool
    where C.Element == UInt8, C.Index == Int {
        k + 5 < b.endIndex && b[k] == 0x3C && b[k + 1] == 0x3F && b[k + 2] == 0x78 && b[k + 3] == 0x6D
            && b[k + 4] == 0x6C && [0x20, 0x09, 0x0A, 0x0D].contains(b[k + 5])
    }

    /// How a document's start (its first bytes) gives its encoding: `wide` when it is UTF-16 or
    /// UTF-32 (a UTF-16 byte order mark, or a NUL byte in its first 1,024 bytes), else the
    /// encoding its XML declaration names, lowercased (nil: none).
    static func declaredEncoding(_ head: UnsafeBufferPointer<UInt8>) -> (wide: Bool, name: String?) {
        let n = min(head.count, 1024)
        if n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)) {
            return (true, nil)
        }
        var start = 0
        if n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { start = 3 }
        if head[start..<n].contains(0) { return (true, nil) }
        return (false, declaration(head, from: start)?.encoding?.lowercased())
    }

    /// Whether the document's start (its first bytes) leaves it UTF-8: no UTF-16 byte order
    /// mark or NUL byte, and no XML declaration naming another encoding.
    static func isUTF8Document(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let d = declaredEncoding(head)
        guard !d.wide else { return false }
        guard let name = d.name, !name.isEmpty else { return true }
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
        b.contains(where: { $0 >= 0x80 }) && TextDecoding.isValidUTF8(b)
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
        guard !TextDecoding.isValidUTF8(UnsafeBufferPointer(rebasing: sample[0..<utf8SafeEnd(sample)])) else {
            return nil
        }
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
    /// (through `scratch`), then `scanner`'s repairs. Returns the offset in `piece` of the first
    /// re-read byte, and the repairs made (lines counted from the piece's first).
    static func repair(
        _ piece: UnsafeBufferPointer<UInt8>, transcode: Bool, scanner: inout Scanner, into out: inout [UInt8],
        scratch: inout [UInt8]
    ) -> (firstInvalid: Int?, repairs: Repairs) {
        guard transcode else {
            return (nil, scanner.scan(piece, into: &out, always: true))
        }
        scratch.removeAll(keepingCapacity: true)
        let first = transcodeInvalid(piece, into: &scratch)
        let repairs = scratch.withUnsafeBufferPointer { scanner.scan($0, into: &out, always: true) }
        return (first, repairs)
    }

    /// The whole repair of an in-memory document: blanks before its declaration moved, its
    /// invalid UTF-8 re-read as Windows-1252 (when the document is UTF-8), HTML's named
    /// references rewritten and its ill-formed places repaired (`Scanner`), and the line of the
    /// first re-read byte; nil when nothing changes (the usual case: no copy).
    static func repairedDocument(_ original: [UInt8]) -> (
        bytes: [UInt8], firstInvalidLine: Int?, legacy: String?, misdeclared: String?, repairs: Repairs
    )? {
        var bytes = original
        let serverOutput = blankServerOutput(&bytes, count: bytes.count)
        func noted(_ r: Repairs) -> Repairs {
            var r = r
            if let serverOutput { r.serverOutput = serverOutput }
            return r
        }
        let moved = moveBlanksAfterDeclaration(&bytes, count: min(bytes.count, 4096))
        var scanner = bytes.withUnsafeBufferPointer { Scanner(head: $0) }
        if let r = bytes.withUnsafeBufferPointer({ redeclaration($0) }) {
            // Declared again for libxml2, which decodes it; entities are still rewritten.
            let declared = r.declaration + bytes[r.replacing...]
            var out: [UInt8] = []
            let repairs = declared.withUnsafeBufferPointer { scanner.scan($0, into: &out, always: true) }
            return (out, nil, r.legacy, r.misdeclared, noted(repairs))
        }
        return bytes.withUnsafeBufferPointer {
            b -> (bytes: [UInt8], firstInvalidLine: Int?, legacy: String?, misdeclared: String?, repairs: Repairs)? in
            let transcode = isUTF8Document(b) && !TextDecoding.isValidUTF8(b)
            var out: [UInt8] = []
            if !moved && !transcode {
                // Copied only from the first repair on.
                let repairs = scanner.scan(b, into: &out, always: false)
                return out.isEmpty ? nil : (out, nil, nil, nil, noted(repairs))
            }
            out.reserveCapacity(b.count + b.count / 16)
            var scratch: [UInt8] = []
            let (first, repairs) = repair(b, transcode: transcode, scanner: &scanner, into: &out, scratch: &scratch)
            return (out, first.map { MarkupScan.line(of: $0, in: b) }, nil, nil, noted(repairs))
        }
    }

    /// What `Scanner` repaired in a document (or a piece of it): the first line and the number
    /// of each kind of repair.
    struct Repairs {
        struct Kind {
            /// The first one's line (while a piece is scanned, its offset in the piece).
            var line = 0
            var count = 0
            /// The first one's text: an undefined entity's name, a forbidden character's code.
            var what = ""
        }
        /// `&` that begins no reference (`AT&T`, `?a=1&b=2`), written `&amp;`.
        var bareAmpersand = Kind()
        /// `&name;` that neither XML, HTML nor the document's DTD defines, kept as written.
        var undefinedEntity = Kind()
        /// A comment with `--` inside (counted once a comment).
        var commentDashes = Kind()
        /// A character XML 1.0 forbids (a control character, raw or as a reference), a blank.
        var forbiddenCharacter = Kind()
        /// `<` that begins no tag (`x < 5`, `<3`), written `&lt;`.
        var bareLessThan = Kind()
        /// `<` inside a start tag's quoted value (`<i title="a<b">`), written `&lt;`.
        var quotedLessThan = Kind()
        /// HTML's `<br>`, `<hr>`, `<img …>` or `<wbr>` left open in XML, closed (`<br/>`).
        var unclosedVoid = Kind()
        /// HTML elements left open inside an element, closed before its end tag (`<p>`).
        var unclosedElement = Kind()
        /// HTML end tags that close no open element, taken out (`</p>`).
        var strayEndTag = Kind()
        /// A server's error message before the XML declaration, blanked (see
        /// `serverOutputBeforeDeclaration`; set for the whole document, never by `Scanner`).
        var serverOutput = Kind()

        /// Every kind (key paths are immutable values).
        nonisolated(unsafe) static let kinds: [WritableKeyPath<Repairs, Kind>] = [
            \.bareAmpersand, \.undefinedEntity, \.commentDashes, \.forbiddenCharacter, \.bareLessThan, \.quotedLessThan,
            \.unclosedVoid, \.unclosedElement, \.strayEndTag,
        ]

        /// Adds the repairs of the next piece, whose first line is `linesBefore + 1`.
        mutating func add(_ next: Repairs, linesBefore: Int) {
            for k in Repairs.kinds where next[keyPath: k].count > 0 {
                if self[keyPath: k].count == 0 {
                    self[keyPath: k].line = linesBefore + next[keyPath: k].line
                    self[keyPath: k].what = next[keyPath: k].what
                }
                self[keyPath: k].count += next[keyPath: k].count
            }
        }

        /// One warning per kind, at its first line.
        func diagnostics(path: String) -> [Diagnostic] {
            var out: [Diagnostic] = []
            func say(_ k: Kind, _ message: String) {
                guard k.count > 0 else { return }
                let more = k.count > 1 ? " (\(k.count) in the file)" : ""
                out.append(Diagnostic(path: path, line: k.line, message: message + more, severity: .warning))
            }
            say(
                serverOutput,
                "not well-formed XML: text before the XML declaration (a server's error message?) ignored: "
                    + "“\(serverOutput.what)”")
            say(bareAmpersand, "not well-formed XML: & that begins no entity reference, read as text")
            say(bareLessThan, "not well-formed XML: < that begins no tag, read as text")
            say(quotedLessThan, "not well-formed XML: < inside a quoted attribute value, read as text")
            say(unclosedVoid, "not well-formed XML: HTML's <br>, <hr> or <img> never closed, read as closed")
            say(
                unclosedElement,
                "not well-formed XML: HTML's <\(unclosedElement.what)> never closed, closed with the element holding it"
            )
            say(strayEndTag, "not well-formed XML: </\(strayEndTag.what)> that closes no open element, ignored")
            say(undefinedEntity, "not well-formed XML: undefined entity &\(undefinedEntity.what); kept as written")
            say(commentDashes, "not well-formed XML: -- inside a comment, ignored")
            say(
                forbiddenCharacter,
                "not well-formed XML: \(forbiddenCharacter.what), which XML forbids, read as a blank")
            return out
        }
    }

    /// Repairs the places that make real feeds ill-formed where feed readers read them anyway,
    /// a piece at a time (its state carries over between pieces cut at `safeEnd`):
    /// - outside CDATA sections and comments, HTML's named references (`&eacute;`) become
    ///   numeric ones; an `&` that begins no reference (`AT&T`, a link's `?a=1&b=2`) is written
    ///   `&amp;`, and a `<` that begins no tag (`x < 5`, `<3`) `&lt;`; a well-formed reference
    ///   to an entity neither XML nor HTML defines (`&zqfoo;`) is kept as written (its `&` as
    ///   `&amp;`) unless the document's DTD declares it (`<!ENTITY name`: then it is the
    ///   parser's); a numeric reference to a C1 code
    ///   (`&#150;`, Windows tools' dash) becomes Windows-1252's character, as browsers read it,
    ///   and one to a character XML forbids (`&#8;`) a blank;
    /// - HTML's `<br>`, `<hr>`, `<img …>` and `<wbr>` left open (outside CDATA) are closed;
    /// - HTML's elements written into an element's XML and never closed (`<p>`, `<b>`, `<li>`,
    ///   any case) are closed before the end tag of the element that holds them, and an HTML
    ///   end tag that closes no open element (`</p>` after its `<p>` was closed so) is taken
    ///   out — the elements open at each point are followed, and only HTML's names (not those
    ///   of feeds: `title`, `link`, `source`, `summary`…) are closed or dropped so; any other
    ///   mismatch, or a document whose DTD declares entities (which may hold tags), stops this
    ///   repair and is left to the parser, as is a document cut short;
    /// - `--` inside a comment loses its first dash;
    /// - everywhere, control characters XML forbids (form feeds, `\u{1B}`…) are blanks.
    /// No line break is added or removed. A document that is not ASCII-compatible (UTF-16,
    /// ISO-2022, EBCDIC) is passed through as it is.
    struct Scanner {
        enum Place { case content, comment, cdata }
        private(set) var place = Place.content
        /// The general entities the document declares (`<!ENTITY name …>` in its DTD's
        /// internal subset): references to them are the parser's.
        private(set) var declared: Set<String> = []
        /// False for a document that is not ASCII-compatible: nothing is touched.
        let active: Bool
        /// The comment being read has had its dashes repaired (counted once a comment).
        private var dashesInComment = false
        /// The names of the elements open where the scan stands, innermost last: their bytes
        /// one after another in `openNames[0..<namesUsed]`, each one's end in
        /// `openEnds[0..<depth]` (the arrays only grow: no allocation once they hold the
        /// deepest path).
        private var openNames: [UInt8] = []
        private var namesUsed = 0
        private var openEnds: [Int] = []
        private var depth = 0
        /// The elements could not be followed (a tag cut where a piece ends, an end tag that
        /// matches nothing open and is not HTML's, declared entities): no more closing.
        private var structureLost = false

        /// A scanner for the document that opens with `head`.
        init(head: UnsafeBufferPointer<UInt8>) {
            active = XMLRepair.isASCIICompatible(head)
        }

        /// The name of the `k`-th open element from the innermost (0).
        private func openName(_ k: Int) -> ArraySlice<UInt8> {
            let top = depth - 1 - k
            return openNames[(top > 0 ? openEnds[top - 1] : 0)..<openEnds[top]]
        }

        /// Whether the `k`-th open element from the innermost is named `name`.
        private func isOpen(_ k: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
            let top = depth - 1 - k
            let start = top > 0 ? openEnds[top - 1] : 0
            guard openEnds[top] - start == name.count else { return false }
            return openNames.withUnsafeBufferPointer {
                memcmp($0.baseAddress! + start, name.baseAddress!, name.count) == 0
            }
        }

        private mutating func pop(_ count: Int) {
            depth -= count
            namesUsed = depth > 0 ? openEnds[depth - 1] : 0
        }

        /// A start tag at `at`: its element is open, unless the tag closes itself.
        private mutating func startTag(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, end: Int?) {
            let nameEnd = XMLRepair.nameEnd(b, from: at + 1)
            guard let end else {
                structureLost = true
                return
            }
            if b[end - 1] == 0x2F { return }
            let length = nameEnd - at - 1
            if namesUsed + length > openNames.count {
                openNames += [UInt8](repeating: 0, count: max(256, openNames.count + length))
            }
            let used = namesUsed
            openNames.withUnsafeMutableBufferPointer {
                _ = memcpy($0.baseAddress! + used, b.baseAddress! + at + 1, length)
            }
            namesUsed += length
            if depth == openEnds.count { openEnds.append(namesUsed) } else { openEnds[depth] = namesUsed }
            depth += 1
        }

        /// An end tag at `at`: closes the innermost open element when it names it; else, when
        /// the elements open inside the one it names are all HTML's, they are closed first, and
        /// when it names no open element but is HTML's, it is taken out. Returns where the scan
        /// goes on when the tag was taken out.
        private mutating func endTag(
            _ b: UnsafeBufferPointer<UInt8>, _ at: Int, replace: (Int, Int, [UInt8]) -> Void,
            record: (WritableKeyPath<Repairs, Repairs.Kind>, Int, String) -> Void
        ) -> Int? {
            let nameEnd = XMLRepair.nameEnd(b, from: at + 2)
            guard let end = XMLRepair.tagEnd(b, from: nameEnd), depth > 0 else {
                structureLost = true
                return nil
            }
            let name = UnsafeBufferPointer(rebasing: b[(at + 2)..<nameEnd])
            if isOpen(0, name) {
                pop(1)
                return nil
            }
            // The nearest open element of that name, within 16 levels.
            var k = 1
            while k < min(depth, 16) && !isOpen(k, name) { k += 1 }
            if k < min(depth, 16) {
                var closers: [UInt8] = []
                for m in 0..<k {
                    let inner = openName(m)
                    guard inner.withUnsafeBufferPointer(XMLRepair.isHTMLName) else {
                        structureLost = true
                        return nil
                    }
                    closers += [0x3C, 0x2F] + inner + [0x3E]
                }
                record(\.unclosedElement, at, String(decoding: openName(k - 1), as: UTF8.self))
                replace(at, 0, closers)
                pop(k + 1)
                return nil
            }
            guard XMLRepair.isHTMLName(name) else {
                structureLost = true
                return nil
            }
            record(\.strayEndTag, at, String(decoding: name, as: UTF8.self))
            replace(at, end + 1 - at, [])
            return end + 1
        }

        /// Appends `b`, repaired, to `out`; with `always` false, appends nothing when nothing
        /// was repaired. Returns the repairs, lines counted from `b`'s first.
        mutating func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], always: Bool) -> Repairs {
            var found = Repairs()
            guard active, !b.isEmpty else {
                if always { out.append(contentsOf: b) }
                return found
            }
            let n = b.count
            var copied = 0
            var changed = false
            // Where a `/` closes an HTML void tag: written when the scan gets there, since the
            // tag's attributes, before it, may still be repaired (`<img src="a?b=1&c=2">`).
            var slashAt = -1
            // The `>` of a start tag with a `<` inside a quoted value (`<i title="a<b">`), which
            // XML forbids and HTML allows: every `<` before it is escaped.
            var tagUntil = -1
            func replace(_ at: Int, length: Int, with bytes: [UInt8]) {
                if slashAt >= 0 && slashAt <= at {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<slashAt]))
                    out.append(contentsOf: XMLRepair.slash)
                    copied = slashAt
                    slashAt = -1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<at]))
                out.append(contentsOf: bytes)
                copied = at + length
                changed = true
            }
            func record(_ kind: WritableKeyPath<Repairs, Repairs.Kind>, at: Int, what: String = "") {
                if found[keyPath: kind].count == 0 {
                    found[keyPath: kind].line = at
                    found[keyPath: kind].what = what
                }
                found[keyPath: kind].count += 1
            }
            var i = 0
            // The next of each thing looked for, at or after `i` (n: none); found again only
            // once `i` has passed it.
            var control = -1
            var amp = -1
            var lt = -1
            var dashes = -1
            var close = -1
            while i < n {
                if control < i { control = XMLRepair.nextControl(b, from: i) ?? n }
                // The next thing the place's reading looks for.
                let next: Int
                switch place {
                case .content:
                    if amp < i { amp = XMLRepair.find(b, 0x26, from: i) ?? n }
                    if lt < i { lt = XMLRepair.find(b, 0x3C, from: i) ?? n }
                    next = min(amp, lt)
                case .comment:
                    if dashes < i { dashes = XMLRepair.find(b, "--", from: i) ?? n }
                    next = dashes
                case .cdata:
                    if close < i { close = XMLRepair.find(b, "]]>", from: i) ?? n }
                    next = close
                }
                // A control character XML forbids is a blank wherever it stands.
                if control < min(next, n) {
                    record(\.forbiddenCharacter, at: control, what: XMLRepair.codeName(UInt32(b[control])))
                    replace(control, length: 1, with: XMLRepair.blank)
                    i = control + 1
                    continue
                }
                let at = next
                if at >= n { break }
                switch place {
                case .content where at == lt:
                    let after = at + 1 < n ? b[at + 1] : 0x21
                    if at < slashAt || at < tagUntil {
                        // Inside a quoted value of the void tag being closed (`<img alt="a <br> b">`)
                        // or another start tag: XML allows no `<` there, and no tag begins inside it.
                        record(\.quotedLessThan, at: at)
                        replace(at, length: 1, with: XMLRepair.escapedLessThan)
                        i = at + 1
                    } else if after != 0x21 {
                        // A tag, or a `<` that begins none (`x < 5`, `<3`): text.
                        if !XMLRepair.beginsTag(after) {
                            record(\.bareLessThan, at: at)
                            replace(at, length: 1, with: XMLRepair.escapedLessThan)
                        } else if let close = XMLRepair.unclosedVoidTag(b, at) {
                            // HTML's `<br>` written into XML: closed where it stands.
                            record(\.unclosedVoid, at: at)
                            if slashAt >= 0 { replace(slashAt, length: 0, with: []) }
                            slashAt = close
                            changed = true
                        } else if after != 0x3F {
                            let end = after == 0x2F ? nil : XMLRepair.tagEnd(b, from: at + 1)
                            if let end, let l = XMLRepair.find(b, 0x3C, from: at + 1), l < end { tagUntil = end }
                            if structureLost {
                            } else if !declared.isEmpty {
                                structureLost = true
                            } else if after == 0x2F {
                                if let end = endTag(b, at, replace: replace, record: record) {
                                    i = end
                                    continue
                                }
                            } else {
                                startTag(b, at, end: end)
                            }
                        }
                        i = at + 1
                    } else if XMLRepair.matches(b, at, "<!--") {
                        place = .comment
                        dashesInComment = false
                        i = at + 4
                    } else if XMLRepair.matches(b, at, "<![CDATA[") {
                        place = .cdata
                        i = at + 9
                    } else {
                        if XMLRepair.matches(b, at, "<!ENTITY"), let name = XMLRepair.entityName(b, at + 8) {
                            declared.insert(name)
                        }
                        i = at + 2
                    }
                case .content:
                    i = at + 1
                    switch XMLRepair.reference(b, at, declared: declared) {
                    case .keep(let end):
                        i = end
                    case .replace(let end, let bytes):
                        replace(at, length: end - at, with: bytes)
                        i = end
                    case .forbidden(let end, let code):
                        record(\.forbiddenCharacter, at: at, what: XMLRepair.codeName(code))
                        replace(at, length: end - at, with: XMLRepair.blank)
                        i = end
                    case .undefined(let name):
                        record(\.undefinedEntity, at: at, what: name)
                        replace(at, length: 1, with: XMLRepair.escapedAmpersand)
                    case .bare:
                        record(\.bareAmpersand, at: at)
                        replace(at, length: 1, with: XMLRepair.escapedAmpersand)
                    }
                case .comment:
                    if at + 2 < n && b[at + 2] == 0x3E {
                        place = .content
                        i = at + 3
                    } else if at + 2 >= n {
                        // The document ends inside a comment: left to the parser.
                        i = n
                    } else {
                        if !dashesInComment { record(\.commentDashes, at: at) }
                        dashesInComment = true
                        replace(at, length: 1, with: XMLRepair.blank)
                        i = at + 1
                    }
                case .cdata:
                    place = .content
                    i = at + 3
                }
            }
            if slashAt >= 0 { replace(slashAt, length: 0, with: []) }
            if changed || always { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied...])) }
            // Each kind's first offset becomes its line.
            for k in Repairs.kinds where found[keyPath: k].count > 0 {
                found[keyPath: k].line = MarkupScan.line(of: found[keyPath: k].line, in: b)
            }
            return found
        }
    }

    /// HTML's element names (lowercase) that the scanner closes or drops where a feed's XML
    /// leaves them open or closes them twice. Not the names feeds use for their own elements
    /// (`title`, `link`, `source`, `summary`, `content`, `body`, `head`, `meta`, `html`).
    static let htmlNames: Set<String> = [
        "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "big", "blockquote",
        "button", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div",
        "dl", "dt", "em", "embed", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "i", "iframe", "input", "ins", "kbd", "label", "li", "map", "mark", "nav", "nobr",
        "noscript", "object", "ol", "option", "p", "param", "picture", "pre", "q", "s", "samp", "section",
        "select", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot",
        "th", "thead", "tr", "track", "tt", "u", "ul", "var", "video",
    ]

    static func isHTMLName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count <= 10 else { return false }
        let lower = String(decoding: name.map { MarkupScan.lower($0) }, as: UTF8.self)
        // Only one case throughout (`P` or `p`, not `Li`), as HTML written in a hurry has it.
        let upper = name.allSatisfy { !($0 >= 0x61 && $0 <= 0x7A) }
        let lowerOnly = name.allSatisfy { !($0 >= 0x41 && $0 <= 0x5A) }
        return (upper || lowerOnly) && htmlNames.contains(lower)
    }

    /// The end of a tag's name from `from`: the first blank, `/` or `>` (or `b`'s end).
    static func nameEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var j = from
        while j < b.count && !MarkupScan.isSpace(b[j]) && b[j] != 0x2F && b[j] != 0x3E { j += 1 }
        return j
    }

    /// The index of the `>` that ends the tag at `at` (quoted attribute values skipped), or nil
    /// when it does not end within `b`.
    static func tagEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var j = from
        while j < b.count {
            let c = b[j]
            if c == 0x3E { return j }
            if c == 0x3C { return nil }
            if c == 0x22 || c == 0x27 {
                // A quoted value, to its closing quote at once.
                guard let q = find(b, c, from: j + 1) else { return nil }
                j = q
            }
            j += 1
        }
        return nil
    }

    static let blank: [UInt8] = [0x20]
    static let escapedAmpersand = Array("&amp;".utf8)
    static let escapedLessThan = Array("&lt;".utf8)
    static let slash: [UInt8] = [0x2F]

    /// For HTML's `<br>`, `<hr>`, `<img …>` or `<wbr>` (any case) at `at`, not closed (no `/>`,
    /// and no `</br>` right after it, as XHTML may write): the index of its `>`, where a `/`
    /// closes it. Nil for any other tag, or one not ended within `b`.
    static func unclosedVoidTag(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int? {
        // Most tags are told apart by their first letter.
        let first = at + 1 < b.count ? b[at + 1] | 0x20 : 0
        guard first == 0x62 || first == 0x68 || first == 0x69 || first == 0x77 else { return nil }
        var j = at + 1
        var name: UInt32 = 0
        while j < b.count && j - at <= 4 && b[j] | 0x20 >= 0x61 && b[j] | 0x20 <= 0x7A {
            name = name << 8 | UInt32(b[j] | 0x20)
            j += 1
        }
        // "br", "hr", "img", "wbr"
        guard name == 0x6272 || name == 0x6872 || name == 0x69_6D67 || name == 0x77_6272, j < b.count else {
            return nil
        }
        let after = b[j]
        guard after == 0x3E || after == 0x2F || MarkupScan.isSpace(after) else { return nil }
        // Its `>` outside quoted values, before any other `<` (else it is no tag to close).
        guard let close = tagEnd(b, from: j), b[close - 1] != 0x2F else { return nil }
        // `<br></br>`: closed already.
        var k = close + 1
        while k < b.count && MarkupScan.isSpace(b[k]) { k += 1 }
        if k + 1 < b.count && b[k] == 0x3C && b[k + 1] == 0x2F {
            var m = k + 2
            var same = true
            for x in b[(at + 1)..<j] {
                if m >= b.count || b[m] | 0x20 != x | 0x20 { same = false }
                m += 1
            }
            if same && m < b.count && (b[m] == 0x3E || b[m] == 0x20) { return nil }
        }
        return close
    }

    /// Whether `c`, after `<`, begins a tag: a name's first character (a letter, `_`, `:`, any
    /// non-ASCII byte), `/` (an end tag) or `?` (a processing instruction).
    @inline(__always) static func beginsTag(_ c: UInt8) -> Bool {
        MarkupScan.isLetter(c) || c == 0x5F || c == 0x3A || c >= 0x80 || c == 0x2F || c == 0x3F
    }

    /// `U+000C` for a code point.
    static func codeName(_ code: UInt32) -> String {
        let hex = String(code, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Whether a document opening with `head` keeps ASCII's bytes for ASCII's characters, so
    /// that `&`, `<` and control bytes are what they seem: not UTF-16 or UTF-32 (a byte order
    /// mark or a NUL byte), not declared in a stateful or EBCDIC encoding.
    static func isASCIICompatible(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        let d = declaredEncoding(head)
        guard !d.wide else { return false }
        guard let name = d.name else { return true }
        return !notASCIICompatible.contains { name.hasPrefix($0) }
    }

    /// Encodings (by the start of their names) whose bytes are not ASCII's for ASCII's
    /// characters, or that switch encodings by escape sequences.
    private static let notASCIICompatible = [
        "utf-16", "utf16", "utf-32", "utf32", "ucs", "iso-2022", "iso2022", "csiso2022", "utf-7", "utf7",
        "ebcdic", "cp037", "ibm037", "ibm-037", "cp500", "ibm500", "ibm-500", "cp1047", "ibm1047", "ibm-1047",
        "cp1026", "ibm1026",
    ]

    /// Whether `c` is a control character XML 1.0 forbids (every C0 control but tab, line feed
    /// and carriage return).
    @inline(__always) static func isForbiddenControl(_ c: UInt8) -> Bool {
        c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D
    }

    /// The next forbidden control byte at or after `from` (8 bytes at a time while none is
    /// below 0x20).
    static func nextControl(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = b.baseAddress else { return nil }
        var i = from
        while i + 8 <= b.count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            // Some byte is below 0x20 (exact as a whole; the bytes are then looked at one by one).
            if (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080 != 0 {
                for k in i..<(i + 8) where isForbiddenControl(b[k]) { return k }
            }
            i += 8
        }
        while i < b.count {
            if isForbiddenControl(b[i]) { return i }
            i += 1
        }
        return nil
    }

    /// The next `c` at or after `from`.
    static func find(_ b: UnsafeBufferPointer<UInt8>, _ c: UInt8, from i: Int) -> Int? {
        guard i < b.count, let base = b.baseAddress, let p = memchr(base + i, Int32(c), b.count - i) else {
            return nil
        }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    /// The next occurrence of `needle` (2 or 3 ASCII bytes) at or after `from`.
    static func find(_ b: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from: Int) -> Int? {
        let first = needle.utf8Start.pointee
        var i = from
        while let at = find(b, first, from: i) {
            if matches(b, at, needle) { return at }
            i = at + 1
        }
        return nil
    }

    /// Whether `b` holds `s` at `at`.
    static func matches(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ s: StaticString) -> Bool {
        let m = s.utf8CodeUnitCount
        guard at + m <= b.count, let base = b.baseAddress else { return false }
        return memcmp(base + at, s.utf8Start, m) == 0
    }

    /// The longest unfinished tag held back at a chunk's end (a longer one is judged where it
    /// is cut: an `<img>` tag longer than this and cut there stays as it is).
    static let maxHeldTag = 1024

    /// The longest run of dashes held back at a chunk's end (a longer one, absurd in a feed,
    /// may be judged wrong where a chunk cuts it: the parser then rejects the file).
    static let maxHeldDashes = 4096

    /// What to do with the `&` at `at`.
    enum Reference {
        /// A reference XML reads as it is (XML's own, a valid numeric one, or one the DTD may
        /// declare), ending before `end`.
        case keep(end: Int)
        /// Written as `bytes` up to `end`.
        case replace(end: Int, bytes: [UInt8])
        /// A numeric reference to a character XML forbids.
        case forbidden(end: Int, code: UInt32)
        /// A well-formed reference to an entity nobody defines (its name).
        case undefined(name: String)
        /// An `&` that begins no reference.
        case bare
    }

    /// The name of the general entity an `<!ENTITY` declaration declares, its name starting
    /// after blanks at `from` (nil: a parameter entity, `%`, or none).
    static func entityName(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> String? {
        var j = from
        while j < b.count && MarkupScan.isSpace(b[j]) { j += 1 }
        let start = j
        while j < b.count && MarkupScan.isNameChar(b[j]) { j += 1 }
        guard j > start else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
    }

    /// The reference at `at` (an `&`), judged: see `Reference`. `declared`: the entities the
    /// document declares.
    static func reference(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, declared: Set<String>) -> Reference {
        let n = b.count
        var j = at + 1
        if j < n && b[j] == 0x23 {
            // `&#…;`: XML writes a lowercase `x` before hex digits.
            j += 1
            var hex = false
            var upper = false
            if j < n && (b[j] == 0x78 || b[j] == 0x58) {
                hex = true
                upper = b[j] == 0x58
                j += 1
            }
            var v: UInt32 = 0
            var digits = 0
            while j < n && digits < 8, let d = MarkupScan.hexValue(b[j]), hex || d < 10 {
                v = v * (hex ? 16 : 10) + UInt32(d)
                j += 1
                digits += 1
            }
            guard digits > 0, j < n, b[j] == 0x3B else { return .bare }
            let end = j + 1
            if v >= 0x80 && v <= 0x9F, let w = TextDecoding.windows1252(UInt8(v)), w.value != v {
                return .replace(end: end, bytes: numeric(w.value))
            }
            let allowed =
                v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
                || (v >= 0x10000 && v <= 0x10FFFF)
            if !allowed { return .forbidden(end: end, code: v) }
            return upper ? .replace(end: end, bytes: numeric(v)) : .keep(end: end)
        }
        var key: UInt64 = 0
        var short = true
        while j < n && j - at <= 64 && MarkupScan.isNameChar(b[j]) {
            if j - at <= maxName && isNameByte(b[j]) {
                key |= UInt64(b[j]) << (UInt64(j - at - 1) * 8)
            } else {
                short = false
            }
            j += 1
        }
        guard j < n, b[j] == 0x3B, j > at + 1 else { return .bare }
        // A name cannot begin with a digit, `-` or `.`.
        let first = b[at + 1]
        if MarkupScan.isDigit(first) || first == 0x2D || first == 0x2E { return .bare }
        let end = j + 1
        if short {
            let own = xmlOwn
            if key == own.0 || key == own.1 || key == own.2 || key == own.3 || key == own.4 { return .keep(end: end) }
            if let code = codes[key] { return .replace(end: end, bytes: numeric(code)) }
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[(at + 1)..<j]), as: UTF8.self)
        return declared.contains(name) ? .keep(end: end) : .undefined(name: name)
    }

    /// `&#code;`.
    private static func numeric(_ code: UInt32) -> [UInt8] {
        Array("&#\(code);".utf8)
    }

    /// Where a chunk that does not end the file must stop so that nothing the scanner judges
    /// is cut in two: before a trailing `&` followed only by name bytes or `#` (a reference),
    /// a tag not ended (up to `maxHeldTag` bytes: a `<!--` or `<![CDATA[` beginning, an HTML
    /// `<br>`), or trailing `-` and `]` (a comment's or CDATA section's end).
    static func safeEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = b.count
        var end = n
        var k = n - 1
        while k >= max(0, n - 12) {
            let c = b[k]
            if c == 0x26 {
                end = k
                break
            }
            if !(MarkupScan.isNameChar(c) || c == 0x23) { break }
            k -= 1
        }
        // A tag not ended within the chunk (a `<!` beginning, an HTML `<br>` to judge, a tag to
        // follow): from its `<`, the earliest in the last `maxHeldTag` bytes that no `>` outside
        // quoted values ends (a later, complete `<…>` may stand inside its quoted value:
        // `<img alt="a <br> b`). Read forwards, a tag that ends is passed whole: a `<` inside
        // its quoted values begins nothing (`<img alt="a <!-- b">` is not cut at the `<!--`).
        k = max(0, n - maxHeldTag)
        while k < n, let lt = find(b, 0x3C, from: k) {
            guard let e = tagEnd(b, from: lt + 1) else {
                end = min(end, lt)
                break
            }
            k = e + 1
        }
        // A comment's dashes are judged by what follows their run: the run is held back whole
        // (up to `maxHeldDashes`; the reader's chunk grows to hold it).
        var t = n
        while t > max(0, n - maxHeldDashes) && b[t - 1] == 0x2D { t -= 1 }
        if t == n {
            while t > max(0, n - 2) && b[t - 1] == 0x5D { t -= 1 }
        }
        return min(end, t)
    }
}
