import LoupeCore

/// RTF documents (`{\rtf1 …}`), read byte by byte: one article per file whose id and source are
/// the file's path, with the conventions of `OfficeLoader`.
///
/// - Text: the body's paragraphs in order, each a line (or lines) with a blank line between
///   them: `\par`, `\sect`, `\page` and `\column` end a paragraph, `\line` ends a line, `\tab`
///   and `\cell` are a blank, a table's `\row` ends a line (a table is one paragraph, a row a
///   line; text after its last row starts a paragraph); blanks are kept as written (not
///   collapsed), lines trimmed, empty lines dropped. Raw line ends in the source are not text (a
///   `\` before one is a `\par`); U+2028 and U+2029 are a line and a paragraph break. `\~` is a
///   no-break space, `\_` a hyphen, `\-` (optional hyphen) nothing; `\emdash`, `\endash`,
///   `\lquote`, `\rquote`, `\ldblquote`, `\rdblquote`, `\bullet` their characters.
/// - Characters: `\'hh` bytes (and raw bytes above 0x7F) are decoded in the code page of the
///   current font (`\fN`, whose `\fcharsetN` or `\cpgN` the font table gives), else the
///   document's (`\ansicpgN`, `\mac`, `\pc`, `\pca`; Windows-1252 by default), through iconv
///   (`Charsets`); consecutive bytes are decoded together, so a double-byte code page's
///   character split over two escapes (Shift_JIS `\'93\'8c`) is whole (a code page iconv does
///   not know, or beyond the 64th of a file, is read as Windows-1252). `\uN` is a UTF-16 unit
///   (negative values + 65536, surrogate pairs joined), after which `\ucN` (1 by default)
///   fallback characters are skipped (a `\'hh` or a control word counts as one). A double-byte
///   character's trail byte written as a plain ASCII character after an escaped lead byte
///   (`\'83A`) is not joined to it (the lead byte becomes U+FFFD).
/// - Left out: the font, colour, style, list, revision and rsid tables, `\*\generator`,
///   pictures and objects (`\pict`, `\object`, `\nonshppict`, shape properties), headers and
///   footers, footnotes and endnotes (`\footnote`, as `OfficeLoader` leaves notes out),
///   annotations, field instructions (`\fldinst`; a field's result `\fldrslt` is read),
///   bookmarks, index and table-of-contents entries, list numbers (`\listtext`, `\pntext`),
///   the theme, colour scheme, data store, latent styles and other `\*` destinations this reader
///   does not know, and binary data (`\binN` skips N bytes).
/// - `\info`: the title (`\title`), authors (`\author`, `Bylines.names`), date (`\creatim`'s
///   `\yr\mo\dy\hr\min`, else `\revtim`, local time read as UTC as `OfficeLoader` reads an
///   ODT date without a zone) and categories (`\keywords` split on `,` and `;`, then
///   `\subject`); the other fields (`\operator`, `\company`, `\doccomm`, …) are not read.
///   `\upr` groups give their Unicode version (`\*\ud`).
/// - Title, when `\info` gives none: the first paragraph when it is one line of at most 120
///   characters and more text follows (then it is not repeated in the text), else the file
///   name without its extension; a first paragraph equal to the given title is not repeated.
/// - Hostile files: groups nested deeper than `maxDepth` (1,000) stop the reading with a warning
///   (the text read so far is kept); a file that ends with groups still open (truncated) is read
///   with a warning; a `\binN` running past the end stops the reading with a warning; text after
///   the document's closing brace is ignored (a note); a file over `maxBytes` (1 GB) is refused.
///   A document without text is skipped with a note.
struct RTFLoader {
    static let maxBytes = 1 << 30
    static let maxDepth = 1000

    let maxBytes: Int
    let maxDepth: Int

    init(maxBytes: Int = RTFLoader.maxBytes, maxDepth: Int = RTFLoader.maxDepth) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// Where `{\rtf` opens the file (after a UTF-8 BOM and blanks), when it does and is not the
    /// start of a longer control word (`{\rtf1`, `{\rtf` followed by a digit, a blank, `\`…).
    static func start(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
        while i < b.count && MarkupScan.isSpace(b[i]) { i += 1 }
        let magic: [UInt8] = [0x7B, 0x5C, 0x72, 0x74, 0x66]  // {\rtf
        guard i + magic.count <= b.count else { return nil }
        for k in 0..<magic.count where b[i + k] != magic[k] { return nil }
        if i + magic.count < b.count && MarkupScan.isLetter(b[i + magic.count]) { return nil }
        return i
    }

    static func isRTF(_ b: [UInt8]) -> Bool { b.withUnsafeBufferPointer { start($0) != nil } }

    func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        func fail(_ message: String, _ severity: Diagnostic.Severity) -> LoadResult {
            LoadResult(diagnostics: [Diagnostic(path: relativePath, message: message, severity: severity)])
        }
        guard bytes.count <= maxBytes else {
            return fail("RTF file larger than \(maxBytes >> 20) MB; skipped", .error)
        }
        var reader = Reader(maxDepth: maxDepth)
        let ok = bytes.withUnsafeBufferPointer { b -> Bool in
            guard let s = RTFLoader.start(b) else { return false }
            reader.read(b, from: s)
            return true
        }
        guard ok else { return fail("not an RTF document (no {\\rtf at the start)", .error) }
        var result = LoadResult()
        bytes.withUnsafeBufferPointer { b in
            for (at, message, severity) in reader.problems {
                result.diagnostics.append(
                    Diagnostic(
                        path: relativePath, line: at.map { MarkupScan.line(of: $0, in: b) }, message: message,
                        severity: severity))
            }
        }
        if let a = reader.article(relativePath: relativePath) {
            result.articles.append(a)
        } else {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "no text in the document", severity: .note))
        }
        return result
    }

    // MARK: Control words

    /// Where a group's text goes.
    enum Dest: UInt8 {
        /// The document's text.
        case body
        /// Text dropped, words still read: the font table, `\info`, dates, a `\upr` group.
        case fontTable, info, creatim, revtim, upr
        /// `\info` fields.
        case title, author, subject, keywords
        /// Skipped whole (only braces and `\bin` are looked at).
        case skip
    }

    enum Word: Sendable {
        /// A destination: the group's text goes there.
        case dest(Dest)
        /// A destination whose text is read as its parent's (`\fldrslt`, `\shptxt`…).
        case keep
        /// A character.
        case char(UInt32)
        case blank, par, line, row, intbl
        case u, uc, bin, font, fcharset, cpg, ansicpg, deff, plain, upr, ud
        case codePage(Int)
        case yr, mo, dy, hr, min
    }

    /// A control word's letters (at most 24) packed into three words.
    struct Key: Hashable {
        var a: UInt64 = 0
        var b: UInt64 = 0
        var c: UInt64 = 0

        init() {}

        init(_ s: String) {
            let u = Array(s.utf8)
            precondition(u.count <= 24)
            for (k, x) in u.enumerated() { add(x, at: k) }
        }

        @inline(__always) mutating func add(_ x: UInt8, at k: Int) {
            let v = UInt64(x) << UInt64((k & 7) * 8)
            switch k >> 3 {
            case 0: a |= v
            case 1: b |= v
            default: c |= v
            }
        }
    }

    static let words: [Key: Word] = {
        var w: [Key: Word] = [:]
        for name in [
            "colortbl", "stylesheet", "listtable", "listoverridetable", "revtbl", "rsidtbl", "generator", "pict",
            "object", "objdata", "result", "header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr",
            "footerf", "footnote", "fldinst", "bkmkstart", "bkmkend", "xmlnstbl", "themedata", "colorschememapping",
            "datastore", "latentstyles", "pgdsctbl", "filetbl", "operator", "company", "manager", "category",
            "comment", "doccomm", "hlinkbase", "printim", "buptim", "nonshppict", "shprslt", "sp", "sn", "sv", "xe",
            "tc", "txe", "rxe", "pn", "pntext", "pntxta", "pntxtb", "listtext", "annotation", "atnid", "atnauthor",
            "atndate", "atnref", "atnicn", "atrfstart", "atrfend", "ftnsep", "ftnsepc", "ftncn", "aftnsep",
            "aftnsepc", "aftncn", "template", "docvar", "userprops", "fontemb", "fontfile", "falt", "panose",
            "mmathPr", "blipuid", "protusertbl", "passwordhash", "wgrffmtfilter", "listpicture",
        ] {
            w[Key(name)] = .dest(.skip)
        }
        w[Key("fonttbl")] = .dest(.fontTable)
        w[Key("info")] = .dest(.info)
        w[Key("title")] = .dest(.title)
        w[Key("author")] = .dest(.author)
        w[Key("subject")] = .dest(.subject)
        w[Key("keywords")] = .dest(.keywords)
        w[Key("creatim")] = .dest(.creatim)
        w[Key("revtim")] = .dest(.revtim)
        for name in ["fldrslt", "field", "shp", "shpinst", "shptxt", "dptxbxtext"] { w[Key(name)] = .keep }
        let chars: [(String, UInt32)] = [
            ("emdash", 0x2014), ("endash", 0x2013), ("lquote", 0x2018), ("rquote", 0x2019), ("ldblquote", 0x201C),
            ("rdblquote", 0x201D), ("bullet", 0x2022),
        ]
        for (name, v) in chars { w[Key(name)] = .char(v) }
        for name in ["tab", "cell", "nestcell", "emspace", "enspace", "qmspace"] { w[Key(name)] = .blank }
        for name in ["par", "sect", "page", "column"] { w[Key(name)] = .par }
        w[Key("line")] = .line
        for name in ["row", "nestrow"] { w[Key(name)] = .row }
        w[Key("intbl")] = .intbl
        let plain: [(String, Word)] = [
            ("u", .u), ("uc", .uc), ("bin", .bin), ("f", .font), ("fcharset", .fcharset), ("cpg", .cpg),
            ("ansicpg", .ansicpg), ("deff", .deff), ("plain", .plain), ("upr", .upr), ("ud", .ud),
            ("mac", .codePage(10000)), ("pc", .codePage(437)), ("pca", .codePage(850)), ("yr", .yr), ("mo", .mo),
            ("dy", .dy), ("hr", .hr), ("min", .min),
        ]
        for (name, word) in plain { w[Key(name)] = word }
        return w
    }()

    /// The code page of a font's `\fcharsetN` (0: the document's).
    static func codePage(charset: Int) -> Int {
        switch charset {
        case 77: return 10000
        case 78: return 10001
        case 128: return 932
        case 129: return 949
        case 130: return 1361
        case 134: return 936
        case 136: return 950
        case 161: return 1253
        case 162: return 1254
        case 163: return 1258
        case 177: return 1255
        case 178: return 1256
        case 186: return 1257
        case 204: return 1251
        case 222: return 874
        case 238: return 1250
        case 254: return 437
        case 255: return 850
        default: return 0  // ANSI, default, symbol…: the document's code page
        }
    }

    /// Code pages whose characters may take several bytes: their bytes are decoded in runs.
    static let multiByte: Set<Int> = [
        932, 936, 949, 950, 1361, 10001, 10002, 10003, 10008, 20932, 51932, 51949, 54936, 65001,
    ]

    /// The name iconv knows a Windows code page by.
    static func iconvName(_ cp: Int) -> String {
        switch cp {
        case 10000: return "MACINTOSH"
        case 10001: return "SHIFT_JIS"
        case 20866: return "KOI8-R"
        case 21866: return "KOI8-U"
        case 28591...28599: return "ISO-8859-\(cp - 28590)"
        case 28605: return "ISO-8859-15"
        case 20932, 51932: return "EUC-JP"
        case 51949: return "EUC-KR"
        case 54936: return "GB18030"
        case 65001: return "UTF-8"
        default: return "CP\(cp)"
        }
    }

    /// How a code page's bytes become characters.
    enum Decoding {
        case windows1252
        /// Bytes 0x80–0xFF, each one character.
        case table([UInt32])
        /// Runs of bytes through iconv, by this name.
        case runs(String)
    }

    // MARK: Reading

    struct State {
        var dest: Dest = .body
        /// What `\ud` gives back in a `\upr` group.
        var saved: Dest = .body
        /// Fallback characters after `\uN`.
        var uc: Int = 1
        /// The current font (`\fN`), -1 for the default one (`\deffN`).
        var font: Int = -1
    }

    struct DateParts {
        var yr: Int?
        var mo: Int?
        var dy: Int?
        var hr: Int?
        var min: Int?

        var iso: String? {
            guard let yr, let mo, let dy, (1...9999).contains(yr), (1...12).contains(mo), (1...31).contains(dy)
            else { return nil }
            func p(_ v: Int, _ w: Int) -> String {
                let s = String(v)
                return String(repeating: "0", count: max(0, w - s.count)) + s
            }
            var s = "\(p(yr, 4))-\(p(mo, 2))-\(p(dy, 2))"
            if let hr, (0...23).contains(hr) {
                let m = min.map { (0...59).contains($0) ? $0 : 0 } ?? 0
                s += "T\(p(hr, 2)):\(p(m, 2)):00"
            }
            return DateParsing.iso(s)
        }
    }

    /// The document's text being written: lines trimmed, empty lines dropped, a line break or a
    /// blank line written only before the next visible character.
    struct Body {
        var out: [UInt8] = []
        var lineHasText = false
        var paragraphHasText = false
        /// 0: nothing, 1: a line break, 2: a blank line, before the next visible character.
        var pending = 0
        var paragraphs = 0
        /// Where the first paragraph ends in `out`.
        var firstEnd: Int?
        var firstHasLineBreak = false

        /// Before a visible character.
        @inline(__always) mutating func visible() {
            if lineHasText { return }
            if out.isEmpty {
                paragraphs = 1
            } else if pending == 2 {
                out.append(0x0A)
                out.append(0x0A)
                paragraphs += 1
            } else {
                out.append(0x0A)
                if firstEnd == nil { firstHasLineBreak = true }
            }
            pending = 0
            lineHasText = true
            paragraphHasText = true
        }

        @inline(__always) mutating func blank() { if lineHasText { out.append(0x20) } }

        /// Drops the line's trailing blanks (spaces, U+00A0, U+3000).
        mutating func trim() {
            while let last = out.last {
                let n = out.count
                if last == 0x20 {
                    out.removeLast()
                } else if last == 0xA0 && n >= 2 && out[n - 2] == 0xC2 {
                    out.removeLast(2)
                } else if last == 0x80 && n >= 3 && out[n - 2] == 0x80 && out[n - 3] == 0xE3 {
                    out.removeLast(3)
                } else {
                    break
                }
            }
        }

        mutating func lineBreak() {
            guard lineHasText else { return }
            trim()
            lineHasText = false
            pending = max(pending, 1)
        }

        mutating func paragraphBreak() {
            guard paragraphHasText else { return }
            if lineHasText { trim() }
            if firstEnd == nil { firstEnd = out.count }
            lineHasText = false
            paragraphHasText = false
            pending = 2
        }
    }

    struct Reader {
        let maxDepth: Int
        var state = State()
        var stack: [State] = []
        var body = Body()
        var title: [UInt8] = []
        var author: [UInt8] = []
        var subject: [UInt8] = []
        var keywords: [UInt8] = []
        var created = DateParts()
        var revised = DateParts()
        /// Fallback characters still to skip after `\uN`.
        var ucSkip = 0
        /// A high surrogate waiting for its low half.
        var high: UInt32?
        /// `\*` was read: the next control word is a destination, skipped if unknown.
        var star = false
        /// In a skipped group: the groups opened inside it.
        var skipping = false
        var skipNest = 0
        /// A table row ended and no table paragraph (`\intbl`) has begun since: the next text
        /// starts a paragraph.
        var afterRow = false

        var ansiCodePage = 1252
        var defaultFont = 0
        /// Font number → (code page of its `\fcharset`, its `\cpg`).
        var fonts: [Int: (charset: Int, cpg: Int)] = [:]
        var definingFont = 0
        static let maxFonts = 1 << 16
        var cachedFont: Int?
        var cachedCodePage = 1252
        var decodings: [Int: Decoding] = [:]
        var lastDecoding: (cp: Int, decoding: Decoding)?
        /// Bytes of a multi-byte code page waiting to be decoded together.
        var pending: [UInt8] = []
        var pendingName = ""

        var problems: [(Int?, String, Diagnostic.Severity)] = []

        init(maxDepth: Int) { self.maxDepth = maxDepth }

        mutating func problem(_ at: Int?, _ message: String, _ severity: Diagnostic.Severity = .warning) {
            if problems.count < 20 { problems.append((at, message, severity)) }
        }

        // MARK: The loop

        mutating func read(_ b: UnsafeBufferPointer<UInt8>, from start: Int) {
            let n = b.count
            var i = start
            var stopped = false
            var ended = false
            loop: while i < n {
                let c = b[i]
                if skipping {
                    switch c {
                    case 0x7B:  // {
                        if stack.count + skipNest >= maxDepth {
                            problem(i, "groups nested deeper than \(maxDepth) levels; the rest is not read")
                            stopped = true
                            break loop
                        }
                        skipNest += 1
                        i += 1
                    case 0x7D:  // }
                        if skipNest > 0 {
                            skipNest -= 1
                        } else {
                            skipping = false
                            ucSkip = 0
                            if !close() {
                                trailing(b, from: i + 1)
                                ended = true
                                break loop
                            }
                        }
                        i += 1
                    case 0x5C:  // \: only \binN matters
                        var j = i + 1
                        if j < n && MarkupScan.isLetter(b[j]) {
                            let w = word(b, at: j)
                            j = w.next
                            if w.isBin, let p = w.param, p > 0 {
                                guard p <= n - j else {
                                    problem(i, "\\bin\(p) runs past the end of the file; the rest is not read")
                                    stopped = true
                                    break loop
                                }
                                j += p
                            }
                            i = j
                        } else {
                            i = j + 1
                        }
                    default:
                        // Pictures' hex data: straight to the next brace or backslash.
                        var j = i + 1
                        while j < n {
                            let d = b[j]
                            if d == 0x7B || d == 0x7D || d == 0x5C { break }
                            j += 1
                        }
                        i = j
                    }
                    continue
                }
                switch c {
                case 0x7B:
                    star = false
                    flush()
                    ucSkip = 0
                    if stack.count >= maxDepth {
                        problem(i, "groups nested deeper than \(maxDepth) levels; the rest is not read")
                        stopped = true
                        break loop
                    }
                    stack.append(state)
                    i += 1
                case 0x7D:
                    star = false
                    flush()
                    ucSkip = 0
                    if !close() {
                        trailing(b, from: i + 1)
                        ended = true
                        break loop
                    }
                    i += 1
                case 0x5C:
                    guard let next = control(b, at: i) else {
                        stopped = true
                        break loop
                    }
                    i = next
                case 0x0A, 0x0D:
                    i += 1
                case 0x09:
                    star = false
                    if ucSkip > 0 {
                        ucSkip -= 1
                    } else {
                        flush()
                        scalar(0x20)
                    }
                    i += 1
                case 0..<0x20, 0x7F:
                    i += 1
                case 0x80...:
                    star = false
                    codePageByte(c)
                    i += 1
                default:
                    star = false
                    var j = i + 1
                    while j < n {
                        let d = b[j]
                        if d < 0x20 || d >= 0x7F || d == 0x5C || d == 0x7B || d == 0x7D { break }
                        j += 1
                    }
                    var s = i
                    if ucSkip > 0 {
                        let k = min(ucSkip, j - s)
                        ucSkip -= k
                        s += k
                    }
                    if s < j { ascii(b, s..<j) }
                    i = j
                }
            }
            flush()
            if !stopped && !ended {
                let open = stack.count + skipNest
                problem(
                    nil,
                    "unbalanced braces: \(open) group\(open == 1 ? "" : "s") not closed at the end of the file (truncated?)"
                )
            }
        }

        /// Closes a group; false when it was the document's.
        mutating func close() -> Bool {
            guard let s = stack.popLast() else { return false }
            state = s
            return !stack.isEmpty
        }

        /// After the document's closing brace: anything but blanks is worth a note.
        mutating func trailing(_ b: UnsafeBufferPointer<UInt8>, from i: Int) {
            var k = i
            while k < b.count && (MarkupScan.isSpace(b[k]) || b[k] == 0) { k += 1 }
            if k < b.count { problem(k, "text after the end of the RTF document ignored", .note) }
        }

        /// A control word's letters at `j` (after the backslash), its parameter and the index
        /// past it (and past its blank delimiter).
        @inline(__always) func word(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> (
            key: Key?, param: Int?, next: Int, isBin: Bool
        ) {
            let n = b.count
            var j = start
            var key = Key()
            while j < n && MarkupScan.isLetter(b[j]) {
                if j - start < 24 { key.add(b[j], at: j - start) }
                j += 1
            }
            let length = j - start
            var param: Int?
            if j < n && (b[j] == 0x2D || MarkupScan.isDigit(b[j])) {
                var k = j
                let negative = b[k] == 0x2D
                if negative { k += 1 }
                if k < n && MarkupScan.isDigit(b[k]) {
                    var v = 0
                    while k < n && MarkupScan.isDigit(b[k]) {
                        if v < 1 << 40 { v = v * 10 + Int(b[k] - 0x30) }
                        k += 1
                    }
                    param = negative ? -v : v
                    j = k
                }
            }
            if j < n && b[j] == 0x20 { j += 1 }
            let isBin = length == 3 && key.a == 0x6E_6962  // "bin"
            return (length <= 24 ? key : nil, param, j, isBin)
        }

        /// A control word or symbol at `i` (a backslash): the index past it, nil to stop.
        mutating func control(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
            let n = b.count
            guard i + 1 < n else { return n }
            let c = b[i + 1]
            if !MarkupScan.isLetter(c) {
                if c == 0x27 {  // \'hh
                    star = false
                    var j = i + 2
                    var v: UInt8 = 0
                    var digits = 0
                    while digits < 2 && j < n, let h = MarkupScan.hexValue(b[j]) {
                        v = v << 4 | h
                        digits += 1
                        j += 1
                    }
                    if digits == 2 { codePageByte(v) }
                    return j
                }
                star = false
                flush()
                if ucSkip > 0 {
                    ucSkip -= 1
                    return i + 2
                }
                switch c {
                case 0x5C, 0x7B, 0x7D: scalar(UInt32(c))  // \\ \{ \}
                case 0x7E: scalar(0xA0)  // \~
                case 0x5F: scalar(0x2D)  // \_
                case 0x0A, 0x0D: paragraphBreak()  // \ before a line end
                case 0x2A: star = true  // \*
                default: break  // \- \| \: and others: nothing
                }
                return i + 2
            }
            let w = word(b, at: i + 1)
            let next = w.next
            let wasStar = star
            star = false
            let known = w.key.flatMap { RTFLoader.words[$0] }
            if w.isBin {
                // Binary data is never text; it is one fallback character.
                if ucSkip > 0 { ucSkip -= 1 }
                let p = max(0, w.param ?? 0)
                guard p <= n - next else {
                    problem(i, "\\bin\(p) runs past the end of the file; the rest is not read")
                    return nil
                }
                return next + p
            }
            flush()
            if wasStar {
                switch known {
                case .dest?, .keep?, .ud?: break
                default:
                    skipGroup()
                    return next
                }
            }
            if ucSkip > 0, known.map({ if case .u = $0 { return false } else { return true } }) ?? true {
                ucSkip -= 1
                return next
            }
            guard let known else { return next }
            switch known {
            case .dest(let d):
                if state.dest == .upr { break }
                if d == .skip {
                    skipGroup()
                } else {
                    if d == .author && !author.isEmpty { author.append(0x3B) }
                    if d == .keywords && !keywords.isEmpty { keywords.append(0x2C) }
                    if d == .subject && !subject.isEmpty { subject.append(0x20) }
                    if d == .title && !title.isEmpty { title.append(0x20) }
                    state.dest = d
                }
            case .keep:
                break
            case .char(let v):
                scalar(v)
            case .blank:
                scalar(0x20)
            case .par:
                paragraphBreak()
            case .line:
                lineBreak()
            case .row:
                lineBreak()
                if state.dest == .body { afterRow = true }
            case .intbl:
                afterRow = false
            case .u:
                if let p = w.param {
                    let v = p < 0 ? p + 65536 : p
                    if (0...0x10FFFF).contains(v) { unicode(UInt32(v)) }
                    ucSkip = state.uc
                }
            case .uc:
                state.uc = min(max(w.param ?? 1, 0), 16)
            case .bin:
                break
            case .font:
                let f = w.param ?? 0
                if state.dest == .fontTable {
                    definingFont = f
                } else {
                    state.font = f
                }
            case .fcharset:
                if state.dest == .fontTable, fonts.count < Reader.maxFonts || fonts[definingFont] != nil {
                    fonts[definingFont, default: (0, 0)].charset = RTFLoader.codePage(charset: w.param ?? 0)
                    cachedFont = nil
                }
            case .cpg:
                if state.dest == .fontTable, fonts.count < Reader.maxFonts || fonts[definingFont] != nil,
                    let p = w.param, p > 0
                {
                    fonts[definingFont, default: (0, 0)].cpg = p
                    cachedFont = nil
                }
            case .ansicpg:
                if let p = w.param, p > 0 {
                    ansiCodePage = p
                    cachedFont = nil
                }
            case .codePage(let p):
                ansiCodePage = p
                cachedFont = nil
            case .deff:
                defaultFont = w.param ?? 0
                cachedFont = nil
            case .plain:
                state.font = -1
            case .upr:
                if state.dest != .upr {
                    state.saved = state.dest
                    state.dest = .upr
                }
            case .ud:
                if state.dest == .upr { state.dest = state.saved }
            case .yr, .mo, .dy, .hr, .min:
                if state.dest == .creatim {
                    Reader.set(&created, known, w.param)
                } else if state.dest == .revtim {
                    Reader.set(&revised, known, w.param)
                }
            }
            return next
        }

        static func set(_ d: inout DateParts, _ w: Word, _ p: Int?) {
            guard let p else { return }
            switch w {
            case .yr: d.yr = p
            case .mo: d.mo = p
            case .dy: d.dy = p
            case .hr: d.hr = p
            case .min: d.min = p
            default: break
            }
        }

        mutating func skipGroup() {
            guard !stack.isEmpty else {
                // Outside every group (a damaged file): nothing to skip to.
                return
            }
            skipping = true
            skipNest = 0
        }

        // MARK: Characters

        /// Whether text goes somewhere in the current group.
        var reading: Bool {
            switch state.dest {
            case .body, .title, .author, .subject, .keywords: return true
            default: return false
            }
        }

        /// The current font's code page, else the document's.
        mutating func codePage() -> Int {
            let f = state.font >= 0 ? state.font : defaultFont
            if cachedFont == f { return cachedCodePage }
            var cp = 0
            if let e = fonts[f] { cp = e.cpg != 0 ? e.cpg : e.charset }
            if cp == 0 { cp = ansiCodePage }
            cachedFont = f
            cachedCodePage = cp
            return cp
        }

        mutating func decoding(_ cp: Int) -> Decoding {
            if let l = lastDecoding, l.cp == cp { return l.decoding }
            let d: Decoding
            if let known = decodings[cp] {
                d = known
            } else if decodings.count >= 64 {
                // A file naming code page after code page does not open iconv for each byte.
                d = .windows1252
            } else {
                d = RTFLoader.makeDecoding(cp)
                if case .windows1252 = d, cp != 1252, cp != 0 {
                    problem(nil, "code page \(cp) not known; read as Windows-1252")
                }
                decodings[cp] = d
            }
            lastDecoding = (cp, d)
            return d
        }

        /// A byte of the code page (`\'hh`, or a raw byte above 0x7F).
        mutating func codePageByte(_ x: UInt8) {
            if ucSkip > 0 {
                ucSkip -= 1
                return
            }
            guard reading else { return }
            switch decoding(codePage()) {
            case .windows1252:
                flush()
                if x < 0x80 || x >= 0xA0 {
                    scalar(UInt32(x))
                } else if let w = TextDecoding.windows1252(x) {
                    scalar(w.value)
                } else {
                    scalar(0x20)
                }
            case .table(let t):
                flush()
                scalar(x < 0x80 ? UInt32(x) : t[Int(x) - 0x80])
            case .runs(let name):
                if !pending.isEmpty && (pendingName != name || pending.count >= 1 << 16) { flush() }
                pending.append(x)
                pendingName = name
            }
        }

        /// Decodes the bytes waiting for their code page.
        @inline(__always) mutating func flush() {
            if pending.isEmpty { return }
            flushRun()
        }

        mutating func flushRun() {
            let text = Charsets.decode(pending, charset: pendingName) ?? ""
            pending.removeAll(keepingCapacity: true)
            for u in text.unicodeScalars { scalar(u.value) }
        }

        /// `\uN`'s unit: surrogate pairs joined, a lone half U+FFFD.
        mutating func unicode(_ v: UInt32) {
            if let h = high {
                high = nil
                if (0xDC00...0xDFFF).contains(v) {
                    write(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00))
                    return
                }
                write(0xFFFD)
            }
            if (0xD800...0xDBFF).contains(v) {
                high = v
            } else if (0xDC00...0xDFFF).contains(v) {
                write(0xFFFD)
            } else {
                write(v)
            }
        }

        /// A character that is not half of a pair.
        @inline(__always) mutating func scalar(_ v: UInt32) {
            if high != nil {
                high = nil
                write(0xFFFD)
            }
            write(v)
        }

        /// Writes a character where the current group's text goes: control characters are
        /// blanks, a byte-order mark nothing.
        mutating func write(_ v: UInt32) {
            let blank = v < 0x21 || (v >= 0x7F && v <= 0x9F)
            switch state.dest {
            case .body:
                if blank {
                    body.blank()
                    return
                }
                if v >= 0x2028 {
                    if v == 0xFEFF { return }
                    if v == 0x2028 {
                        body.lineBreak()
                        return
                    }
                    if v == 0x2029 {
                        body.paragraphBreak()
                        return
                    }
                }
                if (v == 0xA0 || v == 0x3000) && !body.lineHasText { return }
                if afterRow { endTable() }
                body.visible()
                RTFLoader.encode(v, into: &body.out)
            case .title: Reader.field(&title, v, blank)
            case .author: Reader.field(&author, v, blank)
            case .subject: Reader.field(&subject, v, blank)
            case .keywords: Reader.field(&keywords, v, blank)
            default: break
            }
        }

        static func field(_ f: inout [UInt8], _ v: UInt32, _ blank: Bool) {
            guard f.count < 1 << 16 else { return }
            if blank {
                f.append(0x20)
            } else {
                RTFLoader.encode(v, into: &f)
            }
        }

        /// A run of printable ASCII (no backslash or brace).
        mutating func ascii(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) {
            flush()
            if high != nil {
                high = nil
                write(0xFFFD)
            }
            switch state.dest {
            case .body:
                var s = r.lowerBound
                if !body.lineHasText {
                    while s < r.upperBound && b[s] == 0x20 { s += 1 }
                    if s == r.upperBound { return }
                    if afterRow { endTable() }
                    body.visible()
                }
                body.out.append(contentsOf: UnsafeBufferPointer(rebasing: b[s..<r.upperBound]))
            case .title, .author, .subject, .keywords:
                for k in r { write(UInt32(b[k])) }
            default:
                break
            }
        }

        mutating func endTable() {
            afterRow = false
            body.paragraphBreak()
        }

        mutating func lineBreak() {
            if high != nil { scalar(0x20) }
            switch state.dest {
            case .body: body.lineBreak()
            default: write(0x20)
            }
        }

        mutating func paragraphBreak() {
            if high != nil { scalar(0x20) }
            switch state.dest {
            case .body: body.paragraphBreak()
            default: write(0x20)
            }
        }

        // MARK: The article

        func article(relativePath: String) -> Article? {
            var body = self.body
            body.paragraphBreak()
            let out = body.out
            var bodyStart = 0
            var title = HTMLText.collapse(self.title)
            if let firstEnd = body.firstEnd, body.paragraphs > 1 {
                let first = String(decoding: out[0..<firstEnd], as: UTF8.self)
                if title.isEmpty {
                    if !body.firstHasLineBreak && first.dropFirst(TextLoader.maxTitleCharacters).isEmpty {
                        title = first
                        bodyStart = firstEnd + 2
                    }
                } else if first == title {
                    bodyStart = firstEnd + 2
                }
            }
            let text = String(decoding: out[min(bodyStart, out.count)...], as: UTF8.self)
            if title.isEmpty && text.isEmpty { return nil }
            if title.isEmpty { title = TextLoader.fileTitle(relativePath) }
            var authors: [String] = []
            for n in Bylines.names(HTMLText.collapse(author)) where !authors.contains(n) { authors.append(n) }
            var categories: [String] = []
            func add(_ raw: Substring) {
                let v = HTMLText.collapse(String(raw))
                if !v.isEmpty && categories.count < 50 && !categories.contains(v) { categories.append(v) }
            }
            let k = HTMLText.collapse(keywords)
            for part in k.split(whereSeparator: { $0 == "," || $0 == ";" }) { add(part) }
            add(Substring(HTMLText.collapse(subject)))
            return Article(
                id: relativePath, title: title, body: text, date: created.iso ?? revised.iso, categories: categories,
                authors: authors, source: relativePath, position: 0)
        }
    }

    static func encode(_ v: UInt32, into out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if let u = Unicode.Scalar(v) {
            UTF8.encode(u) { out.append($0) }
        } else {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
    }

    /// How code page `cp`'s bytes are decoded: Windows-1252 directly; a single-byte code page
    /// through a table iconv fills once per document; a multi-byte one (or one whose 128 high
    /// bytes are not 128 characters) in runs; a code page iconv does not know as Windows-1252.
    static func makeDecoding(_ cp: Int) -> Decoding {
        if cp == 1252 || cp == 0 { return .windows1252 }
        let name = iconvName(cp)
        if multiByte.contains(cp) {
            return Charsets.decode([UInt8](), charset: name) == nil ? .windows1252 : .runs(name)
        }
        guard let text = Charsets.decode(Array(UInt8(0x80)...UInt8(0xFF)), charset: name) else { return .windows1252 }
        let scalars = text.unicodeScalars.map(\.value)
        return scalars.count == 128 ? .table(scalars) : .runs(name)
    }
}
