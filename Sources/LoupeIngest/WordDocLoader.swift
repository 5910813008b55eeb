import LoupeCore

/// Legacy Word documents (`.doc`, Word 97–2003, [MS-DOC]): an OLE2 compound file
/// (`CompoundFile`) holding a `WordDocument` stream (the FIB, then the text) and a table stream
/// (`0Table` or `1Table`, as the FIB's `fWhichTblStm` says) holding the piece table. Each file
/// is one article whose id and source are its path, as a DOCX's.
///
/// - Text: the main document only, its first `ccpText` characters (footnotes, headers and
///   footers, comments, endnotes and text boxes follow them and are left out), read piece by
///   piece through the CLX's piece table: a piece with `fCompressed` set is 8-bit text at
///   `fc / 2` in Windows-1252, any other is UTF-16LE at `fc`.
/// - Characters: a paragraph mark (0x0D), a table cell or row end mark (0x07) and a page or
///   section break (0x0C) end a paragraph (each cell is a paragraph, as in a DOCX; paragraphs
///   are separated by a blank line); 0x0B is a line break; a tab (0x09) and a non-breaking space
///   (0xA0) are a blank; a non-breaking hyphen (0x1E) is `-`; an optional hyphen (0x1F),
///   pictures and drawn objects (0x01, 0x08) and every other control character are dropped.
///   Fields (0x13 instruction 0x14 result 0x15, nested too): the result is kept, the
///   instruction (`HYPERLINK "…"`, `PAGE`) dropped. Deleted revisions and hidden text cannot
///   be told apart from other text without reading the character properties, which are not
///   read: they are kept.
/// - Metadata from the `\005SummaryInformation` property set: title (unless file-name-like,
///   as `PDFLoader.isFileNameLike` says), author (`Bylines.names`), creation time (else the
///   last save time) as ISO 8601 in UTC, keywords (split on `,` and `;`) then subject as
///   categories; 8-bit strings in the set's code page. Title, when there is none: the first
///   paragraph when it is one line of at most 120 characters and more text follows, else the
///   file name without extension (`OfficeLoader.Document`'s rules).
/// - Refused: a damaged container, FIB or piece table (an error naming what is wrong); an
///   encrypted or obfuscated document (a warning); Word 6 and Word 95 files (`nFib` below
///   0x00C1: a warning); other compound files (Excel, PowerPoint, Outlook, Visio, encrypted
///   Office Open XML files: a warning naming them). A document without text gets a note.
enum WordDocLoader {
    /// Text past this many bytes of UTF-8 is not read (a warning says so).
    static let maxTextBytes = 256 << 20

    static func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        load(bytes, relativePath: relativePath, maxTextBytes: maxTextBytes)
    }

    static func load(_ bytes: [UInt8], relativePath: String, maxTextBytes: Int) -> LoadResult {
        func fail(_ message: String, _ severity: Diagnostic.Severity) -> LoadResult {
            LoadResult(diagnostics: [Diagnostic(path: relativePath, message: message, severity: severity)])
        }
        let cfb: CompoundFile
        do {
            cfb = try CompoundFile(bytes)
        } catch {
            return fail("damaged compound file: \(error.reason)", .error)
        }
        guard let entry = cfb.entry(named: "WordDocument"), entry.type == 2 else {
            if OutlookMessageLoader.isMessage(cfb) { return OutlookMessageLoader.load(cfb, relativePath: relativePath) }
            return fail("\(otherKind(cfb)): not read; skipped", .warning)
        }
        let word: [UInt8]
        do {
            word = try cfb.contents(of: entry, name: "WordDocument")
        } catch {
            return fail("damaged compound file: \(error.reason)", .error)
        }
        let fib: FIB
        switch FIB.read(word) {
        case .failure(.damaged(let why)): return fail("damaged Word document: \(why)", .error)
        case .failure(.notRead(let why)): return fail(why, .warning)
        case .success(let f): fib = f
        }
        let table: [UInt8]
        do {
            guard let t = try cfb.stream(named: fib.tableStream) else {
                return fail("damaged Word document: no \(fib.tableStream) stream", .error)
            }
            table = t
        } catch {
            return fail("damaged compound file: \(error.reason)", .error)
        }
        let pieces: [Piece]
        switch Piece.table(table, fib: fib, wordCount: word.count) {
        case .failure(.damaged(let why)): return fail("damaged Word document: \(why)", .error)
        case .failure(.notRead(let why)): return fail(why, .warning)
        case .success(let p): pieces = p
        }
        var text = Text(maxBytes: maxTextBytes)
        for p in pieces where !text.full { text.read(p, from: word) }
        text.endParagraph()

        var doc = OfficeLoader.Document(relativePath: relativePath)
        if text.full {
            doc.diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "text over \(maxTextBytes >> 20) MB: the rest not read",
                    severity: .warning))
        }
        doc.paragraphs = text.paragraphs
        // The metadata is a nicety: a damaged property set is passed over.
        if let raw = try? cfb.stream(named: "\u{5}SummaryInformation") {
            let s = Summary(raw)
            if let t = s.title, !PDFLoader.isFileNameLike(t.trimmingWhitespace()) { doc.title = t }
            if let a = s.author { doc.addAuthors(a) }
            doc.date = (s.created ?? s.saved).map(PDFLoader.iso)
            for k in s.keywords?.split(whereSeparator: { $0 == "," || $0 == ";" }) ?? [] {
                doc.addCategory(String(k))
            }
            if let subject = s.subject { doc.addCategory(subject) }
        }
        return doc.result()
    }

    /// What a compound file without a `WordDocument` stream is, by its streams' names.
    static func otherKind(_ cfb: CompoundFile) -> String {
        let names = Set(cfb.topLevel.map { $0.name.uppercased() })
        if names.contains("WORKBOOK") || names.contains("BOOK") { return "Excel workbook (XLS)" }
        if names.contains("POWERPOINT DOCUMENT") { return "PowerPoint presentation (PPT)" }
        if names.contains("ENCRYPTEDPACKAGE") { return "encrypted Office document (needs a password)" }
        if names.contains("VISIODOCUMENT") { return "Visio drawing (VSD)" }
        if names.contains("QUILL") { return "Publisher document (PUB)" }
        if names.contains("__PROPERTIES_VERSION1.0") || names.contains(where: { $0.hasPrefix("__SUBSTG1.0_") }) {
            return "Outlook message (MSG)"
        }
        if names.contains("EQUATION NATIVE") { return "Equation Editor object" }
        return "OLE2 compound file without a WordDocument stream"
    }

    enum Refusal: Error, Equatable {
        /// The file is damaged: an error.
        case damaged(String)
        /// A kind of document that is not read: a warning.
        case notRead(String)
    }

    @inline(__always) static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    @inline(__always) static func u32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
    }

    /// What the File Information Block gives.
    struct FIB: Equatable {
        var tableStream: String
        /// Characters of the main document.
        var ccpText: Int
        var fcClx: Int
        var lcbClx: Int

        static func read(_ w: [UInt8]) -> Result<FIB, Refusal> {
            guard w.count >= 0x22 else { return .failure(.damaged("FIB cut short (\(w.count) bytes)")) }
            let ident = u16(w, 0)
            let nFib = u16(w, 2)
            let flags = u16(w, 0x0A)
            guard ident == 0xA5EC || ident == 0xA5DC else {
                return .failure(
                    .damaged("FIB identifier 0x\(String(ident, radix: 16, uppercase: true)) (0xA5EC expected)"))
            }
            if flags & 0x0100 != 0 || flags & 0x8000 != 0 {
                return .failure(.notRead("encrypted Word document (needs a password); skipped"))
            }
            if ident == 0xA5DC || nFib < 0x00C1 { return .failure(.notRead("Word 6/95 document; not read")) }
            // FibBase (32 bytes), then csw 16-bit words, cslw 32-bit words (ccpText is the
            // fourth), cbRgFcLcb pairs of 32-bit fc/lcb (the CLX's is the 34th).
            var p = 0x20
            let csw = u16(w, p)
            p += 2 + 2 * csw
            guard p + 2 <= w.count else { return .failure(.damaged("FIB cut short (fibRgW)")) }
            let cslw = u16(w, p)
            p += 2
            let lw = p
            p += 4 * cslw
            guard cslw >= 4, p + 2 <= w.count else { return .failure(.damaged("FIB cut short (fibRgLw)")) }
            let cbRgFcLcb = u16(w, p)
            p += 2
            guard cbRgFcLcb >= 34, p + 8 * 34 <= w.count else {
                return .failure(.damaged("FIB cut short (fibRgFcLcb)"))
            }
            let ccpText = u32(w, lw + 12)
            guard ccpText < 1 << 31 else { return .failure(.damaged("negative ccpText")) }
            let fcClx = u32(w, p + 33 * 8)
            let lcbClx = u32(w, p + 33 * 8 + 4)
            if lcbClx == 0 { return .failure(.notRead("Word document without a piece table (CLX); not read")) }
            let table = flags & 0x0200 != 0 ? "1Table" : "0Table"
            return .success(FIB(tableStream: table, ccpText: ccpText, fcClx: fcClx, lcbClx: lcbClx))
        }
    }

    /// A run of the main document's text: `count` characters at byte `start` of the
    /// `WordDocument` stream, one byte each (`compressed`) or two.
    struct Piece: Equatable {
        var start: Int
        var count: Int
        var compressed: Bool

        var byteCount: Int { compressed ? count : 2 * count }

        /// The pieces of the first `fib.ccpText` characters, from the CLX in `table`: its
        /// property modifiers (`Prc`, 0x01) skipped, its piece table (`Pcdt`, 0x02) read.
        static func table(_ t: [UInt8], fib: FIB, wordCount: Int) -> Result<[Piece], Refusal> {
            guard fib.fcClx <= t.count, fib.lcbClx <= t.count - fib.fcClx else {
                return .failure(
                    .damaged(
                        "CLX (\(fib.lcbClx) bytes at \(fib.fcClx)) outside the \(fib.tableStream) stream (\(t.count) bytes)"
                    ))
            }
            let end = fib.fcClx + fib.lcbClx
            var q = fib.fcClx
            var plc: Range<Int>?
            while q < end && plc == nil {
                switch t[q] {
                case 0x01:
                    guard q + 3 <= end else { return .failure(.damaged("CLX cut short at byte \(q)")) }
                    let cb = u16(t, q + 1)
                    guard cb < 0x8000, q + 3 + cb <= end else {
                        return .failure(.damaged("CLX property modifier at byte \(q) runs past the CLX"))
                    }
                    q += 3 + cb
                case 0x02:
                    guard q + 5 <= end else { return .failure(.damaged("CLX cut short at byte \(q)")) }
                    let lcb = u32(t, q + 1)
                    guard lcb <= end - (q + 5) else {
                        return .failure(.damaged("piece table at byte \(q) runs past the CLX"))
                    }
                    plc = (q + 5)..<(q + 5 + lcb)
                default:
                    return .failure(
                        .damaged("CLX entry of type 0x\(String(t[q], radix: 16, uppercase: true)) at byte \(q)"))
                }
            }
            guard let plc else { return .failure(.damaged("no piece table in the CLX")) }
            guard plc.count >= 16, (plc.count - 4) % 12 == 0 else {
                return .failure(.damaged("piece table of \(plc.count) bytes (4 + 12 × pieces expected)"))
            }
            let n = (plc.count - 4) / 12
            let pcds = plc.lowerBound + 4 * (n + 1)
            var out: [Piece] = []
            var total = 0
            var previous = 0
            for i in 0..<n {
                let cp = u32(t, plc.lowerBound + 4 * i)
                let next = u32(t, plc.lowerBound + 4 * (i + 1))
                guard cp >= previous, next >= cp else {
                    return .failure(.damaged("piece table out of order at piece \(i)"))
                }
                previous = cp
                if cp >= fib.ccpText { break }
                let count = min(next, fib.ccpText) - cp
                if count == 0 { continue }
                let raw = u32(t, pcds + 8 * i + 2)
                let compressed = raw & 0x4000_0000 != 0
                let fc = raw & 0x3FFF_FFFF
                let piece = Piece(start: compressed ? fc / 2 : fc, count: count, compressed: compressed)
                guard piece.start <= wordCount, piece.byteCount <= wordCount - piece.start else {
                    return .failure(
                        .damaged(
                            "piece \(i) (\(piece.byteCount) bytes at \(piece.start)) outside the WordDocument stream (\(wordCount) bytes)"
                        ))
                }
                // Pieces sharing bytes could multiply a small file's text: together they may
                // not claim more than the stream holds.
                total += piece.byteCount
                guard total <= wordCount else {
                    return .failure(.damaged("the pieces claim more text than the WordDocument stream holds"))
                }
                out.append(piece)
            }
            return .success(out)
        }
    }

    /// The main document's characters turned into paragraphs (see the type's comment).
    struct Text {
        private(set) var paragraphs: [String] = []
        /// The paragraph being read, as UTF-8, its line breaks 0x0A.
        private var line: [UInt8] = []
        /// Each open field: true once its separator (0x14) was read.
        private var fields: [Bool] = []
        /// Open fields still in their instruction (nothing shows while one is).
        private var inInstruction = 0
        private var bytes = 0
        let maxBytes: Int
        private(set) var full = false

        init(maxBytes: Int) { self.maxBytes = maxBytes }

        mutating func read(_ p: Piece, from w: [UInt8]) {
            w.withUnsafeBufferPointer { b in
                var i = p.start
                let end = p.start + p.byteCount
                if p.compressed {
                    while i < end && !full {
                        let x = b[i]
                        i += 1
                        if x >= 0x80 && x <= 0x9F {
                            // Windows-1252's characters; its five undefined bytes are dropped.
                            if let u = TextDecoding.windows1252(x) { put(u.value) }
                        } else {
                            put(UInt32(x))
                        }
                    }
                } else {
                    while i + 1 < end && !full {
                        let u = UInt32(b[i]) | UInt32(b[i + 1]) << 8
                        i += 2
                        if u >= 0xD800 && u <= 0xDBFF, i + 1 < end {
                            let v = UInt32(b[i]) | UInt32(b[i + 1]) << 8
                            if v >= 0xDC00 && v <= 0xDFFF {
                                i += 2
                                put(0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00))
                                continue
                            }
                        }
                        put(u >= 0xD800 && u <= 0xDFFF ? 0xFFFD : u)
                    }
                }
            }
        }

        @inline(__always) mutating func put(_ u: UInt32) {
            switch u {
            case 0x13:
                fields.append(false)
                inInstruction += 1
                return
            case 0x14:
                if let last = fields.last, !last {
                    fields[fields.count - 1] = true
                    inInstruction -= 1
                }
                return
            case 0x15:
                if let last = fields.popLast(), !last { inInstruction -= 1 }
                return
            default:
                break
            }
            if inInstruction > 0 { return }
            switch u {
            case 0x0D, 0x07, 0x0C:
                endParagraph()
            case 0x0B:
                line.append(0x0A)
            case 0x09, 0xA0, 0x7F...0x9F:
                line.append(0x20)
            case 0x1E:
                line.append(UInt8(ascii: "-"))
            case 0..<0x20:
                break  // 0x1F optional hyphen, 0x01 picture, 0x08 drawn object, other marks
            case 0x20..<0x80:
                line.append(UInt8(u))
            default:
                let s = Unicode.Scalar(u) ?? "\u{FFFD}"
                UTF8.encode(s) { line.append($0) }
            }
        }

        /// Ends the paragraph being read: its lines trimmed, blank ones dropped (as
        /// `OfficeLoader.Paragraphs` does).
        mutating func endParagraph() {
            guard !line.isEmpty else { return }
            defer { line.removeAll(keepingCapacity: true) }
            bytes += line.count
            if bytes > maxBytes {
                full = true
                return
            }
            let text = String(decoding: line, as: UTF8.self)
            let lines = text.split(separator: "\n").map { String($0).trimmingWhitespace() }
            let joined = lines.filter { !$0.isEmpty }.joined(separator: "\n")
            if !joined.isEmpty && paragraphs.count < OfficeLoader.Paragraphs.maxParagraphs {
                paragraphs.append(joined)
            }
        }
    }

    /// The `\005SummaryInformation` property set ([MS-OLEPS]) fields read.
    struct Summary: Equatable {
        var title, subject, author, keywords: String?
        /// Seconds since 1970 (UTC).
        var created, saved: Int?

        static let fmtid: [UInt8] = [
            0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10, 0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27, 0xB3, 0xD9,
        ]

        init(_ s: [UInt8]) {
            guard s.count >= 48, u16(s, 0) == 0xFFFE, u32(s, 24) >= 1, s[28..<44].elementsEqual(Self.fmtid) else {
                return
            }
            let set = u32(s, 44)
            guard set <= s.count - 8 else { return }
            let setEnd = min(s.count, set + u32(s, set))
            let n = min(u32(s, set + 4), max(0, (setEnd - set - 8) / 8))
            var props: [(id: Int, at: Int)] = []
            var codePage = 1252
            for k in 0..<n {
                let id = u32(s, set + 8 + 8 * k)
                let at = set + u32(s, set + 8 + 8 * k + 4)
                guard at >= set, at <= setEnd - 8 else { continue }
                if id == 1 && u32(s, at) == 2 { codePage = u16(s, at + 4) }
                props.append((id, at))
            }
            for (id, at) in props {
                switch id {
                case 2: title = Self.string(s, at, setEnd, codePage)
                case 3: subject = Self.string(s, at, setEnd, codePage)
                case 4: author = Self.string(s, at, setEnd, codePage)
                case 5: keywords = Self.string(s, at, setEnd, codePage)
                case 12: created = Self.time(s, at, setEnd)
                case 13: saved = Self.time(s, at, setEnd)
                default: break
                }
            }
        }

        /// A VT_LPSTR (in `codePage`) or VT_LPWSTR property's value, up to its first NUL.
        static func string(_ s: [UInt8], _ at: Int, _ end: Int, _ codePage: Int) -> String? {
            let type = u32(s, at)
            let n = u32(s, at + 4)
            let from = at + 8
            switch type {
            case 0x1E:
                guard n <= end - from else { return nil }
                if codePage == 1200 { return utf16(s[from..<(from + n)]) }
                var bytes = s[from..<(from + min(n, 1 << 16))]
                if let nul = bytes.firstIndex(of: 0) { bytes = bytes[..<nul] }
                switch codePage {
                case 65001: return String(decoding: bytes, as: UTF8.self)
                case 1252, 0, 28591: return TextDecoding.latin1(bytes)
                default:
                    return bytes.allSatisfy({ $0 < 0x80 })
                        ? String(decoding: bytes, as: UTF8.self)
                        : Charsets.decode(bytes, charset: "CP\(codePage)") ?? TextDecoding.latin1(bytes)
                }
            case 0x1F:
                guard n <= (end - from) / 2 else { return nil }
                return utf16(s[from..<(from + 2 * min(n, 1 << 16))])
            default:
                return nil
            }
        }

        static func utf16(_ b: ArraySlice<UInt8>) -> String {
            var units: [UInt16] = []
            var i = b.startIndex
            while i + 1 < b.endIndex {
                let u = UInt16(b[i]) | UInt16(b[i + 1]) << 8
                if u == 0 { break }
                units.append(u)
                i += 2
            }
            return String(decoding: units, as: UTF16.self)
        }

        /// A VT_FILETIME (100 ns since 1601) as seconds since 1970; nil when unset or past 9999.
        static func time(_ s: [UInt8], _ at: Int, _ end: Int) -> Int? {
            guard u32(s, at) == 0x40, at + 12 <= end else { return nil }
            let ft = UInt64(u32(s, at + 4)) | UInt64(u32(s, at + 8)) << 32
            let t = Int(ft / 10_000_000) - 11_644_473_600
            guard ft != 0, t > 0, t < 253_402_300_800 else { return nil }
            return t
        }
    }
}
