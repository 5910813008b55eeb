import LoupeCore

/// CSV and TSV files of articles (Kaggle-style news datasets: "All the News", BBC News, News
/// Category…): a header row naming the columns, then one article per record.
///
/// Parsed byte by byte on UTF-8 (RFC 4180): the delimiter is `,` or a tab, whichever splits
/// the header line into more fields, or `;` when it gives more than both; a field in double
/// quotes may hold delimiters, line breaks and doubled quotes (`""`); records end with LF or
/// CRLF (a lone CR too); a UTF-8 BOM is skipped; blank lines and spaces before a field are
/// ignored. A quote inside an unquoted field is kept as it is, and so are the bytes after a
/// closing quote that are not a delimiter or line break (lenient, as spreadsheets are).
///
/// Columns: each data row becomes an object of column name → cell (empty cells left out) read
/// as JSON Lines objects are, by `NewsJSON` (`id`, `title`, `text`, `content`, `body`, `date`,
/// `author`, `url`, `section`, `category`, `publisher`, `publication`…). A header name is trimmed of blanks and matched as written; when that is no
/// known key its lowercased form is tried (`Title`, `Content`). A row's position is its index among the data rows; an id that is not a URL or
/// URI is scoped to the file's directory.
///
/// Bad rows: a row with a different number of fields than the header, or a record longer
/// than `maxRecordBytes`, gets a warning naming its line and is skipped (after
/// `JSONLinesLoader.maxLineWarnings` warnings, one last warning counts the rest); rows with
/// neither a title nor a text are counted in one note. A quote left open at the end of the
/// file skips its record with a warning.
///
/// Detection (`looks`) is by content and conservative: see `ArticleFormat.csv`.
public struct CSVLoader {
    /// A record longer than this is skipped (when streaming, memory stays flat however large
    /// the file).
    public static let maxRecordBytes = 64 << 20
    /// The longest header name `looks` accepts.
    static let maxHeaderName = 40

    public init() {}

    // MARK: Parsing

    /// The RFC 4180 state machine, fed bytes in any number of pieces.
    struct Parser {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        let delimiter: UInt8
        let maxRecordBytes: Int
        var state = State.fieldStart
        /// The current record's fields, concatenated; `ends`: where each ends.
        var bytes: [UInt8] = []
        var ends: [Int] = []
        /// Bytes of the current record seen (kept or not).
        var recordBytes = 0
        /// The current record ran over `maxRecordBytes`: its bytes are dropped up to its end.
        var tooLong = false
        /// A CR ended the last record: an LF right after it belongs to it.
        var skipLF = false
        /// The physical line being read (1-based) and the one the current record started on.
        var line = 1
        var recordLine = 1

        init(delimiter: UInt8, maxRecordBytes: Int) {
            self.delimiter = delimiter
            self.maxRecordBytes = maxRecordBytes
        }

        enum Record {
            case fields([UInt8], [Int], line: Int)
            case tooLong(line: Int)
        }

        mutating func feed(_ b: UnsafeBufferPointer<UInt8>, _ record: (Record) -> Void) {
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if skipLF {
                    skipLF = false
                    if c == 0x0A {
                        i += 1
                        continue
                    }
                }
                switch state {
                case .fieldStart, .unquoted:
                    // Blanks before a field (and its opening quote) are dropped.
                    if state == .fieldStart && (c == 0x22 || c == 0x20) {
                        if c == 0x22 { state = .quoted }
                        recordBytes += 1
                        i += 1
                        continue
                    }
                    // A run of ordinary bytes at once.
                    var j = i
                    while j < n {
                        let x = b[j]
                        if x == delimiter || x == 0x0A || x == 0x0D { break }
                        j += 1
                    }
                    if j > i {
                        take(b, i, j)
                        state = .unquoted
                        i = j
                        continue
                    }
                    recordBytes += 1
                    if c == delimiter {
                        endField()
                    } else {
                        if c == 0x0D { skipLF = true }
                        line += 1
                        endRecord(record)
                    }
                    i += 1
                case .quoted:
                    var j = i
                    while j < n && b[j] != 0x22 {
                        if b[j] == 0x0A { line += 1 }
                        j += 1
                    }
                    if j > i { take(b, i, j) }
                    if j < n {
                        state = .quoteInQuoted
                        recordBytes += 1
                        j += 1
                    }
                    i = j
                case .quoteInQuoted:
                    // (Counted before a line break ends the record: the break is this record's.)
                    recordBytes += 1
                    if c == 0x22 {
                        append(0x22)
                        state = .quoted
                    } else if c == delimiter {
                        endField()
                    } else if c == 0x0A || c == 0x0D {
                        if c == 0x0D { skipLF = true }
                        line += 1
                        endRecord(record)
                    } else {
                        append(c)
                        state = .unquoted
                    }
                    i += 1
                }
            }
        }

        private mutating func take(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
            recordBytes += to - from
            if tooLong { return }
            if recordBytes > maxRecordBytes {
                tooLong = true
                bytes = []
                ends = []
                return
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[from..<to]))
        }

        private mutating func append(_ c: UInt8) {
            if !tooLong { bytes.append(c) }
        }

        private mutating func endField() {
            if !tooLong { ends.append(bytes.count) }
            state = .fieldStart
        }

        private mutating func endRecord(_ record: (Record) -> Void) {
            if tooLong {
                record(.tooLong(line: recordLine))
            } else {
                ends.append(bytes.count)
                // A blank line is no record.
                if !(ends.count == 1 && bytes.isEmpty) { record(.fields(bytes, ends, line: recordLine)) }
            }
            bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)
            ends.removeAll(keepingCapacity: true)
            recordBytes = 0
            tooLong = false
            state = .fieldStart
            recordLine = line
        }

        /// At the end of the input: the last record (without a line break), or nil; `open`:
        /// it ends inside a quoted field.
        mutating func finish(_ record: (Record) -> Void) -> (open: Bool, line: Int) {
            let openLine = recordLine
            if state == .quoted { return (true, openLine) }
            if state != .fieldStart || !ends.isEmpty || tooLong { endRecord(record) }
            return (false, openLine)
        }
    }

    /// The delimiter of a file whose first line is `line`: `,` or tab, whichever occurs more
    /// often outside quotes (`,` on a tie), or `;` when it occurs more often than both.
    static func delimiter(_ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var comma = 0
        var tab = 0
        var semicolon = 0
        var quoted = false
        for c in b {
            if c == 0x22 {
                quoted.toggle()
            } else if !quoted {
                if c == 0x0A || c == 0x0D { break }
                if c == 0x2C { comma += 1 } else if c == 0x09 { tab += 1 } else if c == 0x3B { semicolon += 1 }
            }
        }
        if semicolon > comma && semicolon > tab { return 0x3B }
        return tab > comma ? 0x09 : 0x2C
    }

    /// A header name as `NewsJSON` is to read it: trimmed; lowercased when only that is a known
    /// key.
    static func key(_ raw: String) -> String {
        let name = raw.trimmingBlanks
        if NewsJSON.knownKeys[name] != nil { return name }
        let lower = name.lowercased()
        return NewsJSON.knownKeys[lower] != nil ? lower : name
    }

    /// Whether NewsJSON reads one of `keys` (header names, as `key` gives them) as a title or a main text.
    static func hasTitleOrText(_ keys: [String]) -> Bool {
        keys.contains { k in
            NewsJSON.knownKeys[k]?.contains { $0.field == .title || $0.field == .body } ?? false
        }
    }

    // MARK: Reading

    /// A file being read: the parser and what the rows gave so far.
    struct Reader {
        let relativePath: String
        let maxRecordBytes: Int
        var parser: Parser?
        var header: [String]?
        var rows = 0
        var count = 0
        var bad = 0
        var empty = 0
        var noColumns = false
        /// The line of the first cell that was not UTF-8 (read as Windows-1252).
        var latin1Line: Int?
        var diagnostics: [Diagnostic] = []
        let scope: String

        init(relativePath: String, maxRecordBytes: Int) {
            self.relativePath = relativePath
            self.maxRecordBytes = maxRecordBytes
            scope = JSONLinesLoader.directory(relativePath)
        }

        /// Going on after `from` (lines, data rows) in a file whose first bytes are `head`: its
        /// header and delimiter read again from them. Nil when they do not hold the header.
        init?(relativePath: String, maxRecordBytes: Int, head: [UInt8], from: ReaderPosition) {
            var first = Reader(relativePath: relativePath, maxRecordBytes: maxRecordBytes)
            first.feedHead(head) { _ in }
            guard let header = first.header, let delimiter = first.parser?.delimiter else { return nil }
            self.init(relativePath: relativePath, maxRecordBytes: maxRecordBytes)
            self.header = header
            noColumns = first.noColumns
            var p = Parser(delimiter: delimiter, maxRecordBytes: maxRecordBytes)
            p.line = from.lines + 1
            p.recordLine = p.line
            parser = p
            rows = from.units
        }

        /// Lines and data rows read, when reading stands between records (not inside one, nor
        /// after a CR whose LF may follow) — or inside a quoted field of the last record, which
        /// the end of the input leaves unread (a row still being written): then before that
        /// record, its bytes `unfinished`.
        var position: ReaderPosition? {
            guard let p = parser, header != nil else { return nil }
            if p.state == .quoted {
                return ReaderPosition(lines: p.recordLine - 1, units: rows, unfinished: p.recordBytes)
            }
            guard p.state == .fieldStart, p.ends.isEmpty, p.bytes.isEmpty, !p.tooLong, !p.skipLF else { return nil }
            return ReaderPosition(lines: p.line - 1, units: rows)
        }

        /// The next piece of the file; the first holds the first line, after any BOM.
        mutating func feed(_ piece: UnsafeBufferPointer<UInt8>, _ emit: (Article) -> Void) {
            var p = parser ?? Parser(delimiter: CSVLoader.delimiter(piece), maxRecordBytes: maxRecordBytes)
            parser = nil
            p.feed(piece) { row($0, emit) }
            parser = p
        }

        /// The first piece, with a BOM.
        mutating func feedHead(_ head: [UInt8], _ emit: (Article) -> Void) {
            head.withUnsafeBufferPointer { b in
                var i = 0
                if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
                feed(UnsafeBufferPointer(rebasing: b[i...]), emit)
            }
        }

        mutating func finish(_ emit: (Article) -> Void) -> [Diagnostic] {
            if var p = parser {
                parser = nil
                let end = p.finish { row($0, emit) }
                if end.open {
                    diagnostics.append(
                        Diagnostic(
                            path: relativePath, line: end.line,
                            message: "quote not closed at the end of the file; record skipped", severity: .warning))
                }
            }
            if noColumns {
                return [
                    Diagnostic(
                        path: relativePath, message: "CSV without a title or text column; skipped", severity: .note)
                ]
            }
            var d = diagnostics
            if let line = latin1Line {
                d.append(
                    Diagnostic(
                        path: relativePath, line: line, message: "not valid UTF-8; read as Latin-1 (Windows-1252)",
                        severity: .warning))
            }
            if bad > JSONLinesLoader.maxLineWarnings {
                d.append(
                    Diagnostic(
                        path: relativePath, message: "\(bad - JSONLinesLoader.maxLineWarnings) more bad rows skipped",
                        severity: .warning))
            }
            if empty > 0 {
                d.append(
                    Diagnostic(
                        path: relativePath,
                        message: "\(empty) \(empty == 1 ? "row" : "rows") without a title or text skipped",
                        severity: .note))
            }
            if header == nil {
                d.append(Diagnostic(path: relativePath, message: "no CSV header", severity: .note))
            }
            return d
        }

        private mutating func warn(_ line: Int, _ message: String) {
            bad += 1
            if bad <= JSONLinesLoader.maxLineWarnings {
                diagnostics.append(Diagnostic(path: relativePath, line: line, message: message, severity: .warning))
            }
        }

        /// One record: the header, an article, or a warning naming its line.
        private mutating func row(_ record: Parser.Record, _ emit: (Article) -> Void) {
            switch record {
            case .tooLong(let line):
                if header == nil { header = [] }
                rows += 1
                warn(line, "record longer than \(sizeText(maxRecordBytes)); skipped")
            case .fields(let bytes, let ends, let line):
                var cells: [String] = []
                cells.reserveCapacity(ends.count)
                var start = 0
                for e in ends {
                    // Not UTF-8 (an export from a spreadsheet in Windows-1252): read as such.
                    let cell = bytes[start..<e]
                    if let s = cell.withUnsafeBufferPointer(TextDecoding.utf8String) {
                        cells.append(s)
                    } else {
                        cells.append(TextDecoding.latin1(cell))
                        if latin1Line == nil { latin1Line = line }
                    }
                    start = e
                }
                guard let header else {
                    let keys = cells.map(CSVLoader.key)
                    header = keys
                    if !CSVLoader.hasTitleOrText(keys) { noColumns = true }
                    return
                }
                if noColumns { return }
                let position = rows
                rows += 1
                guard cells.count == header.count else {
                    warn(line, "row has \(cells.count) fields, the header \(header.count); skipped")
                    return
                }
                var d: [String: Any] = [:]
                for (k, v) in zip(header, cells) where !v.isEmpty && !k.isEmpty && d[k] == nil {
                    d[k] = v
                }
                guard let a = NewsJSON.article(d, relativePath: relativePath, position: position, scope: scope)
                else {
                    empty += 1
                    return
                }
                count += 1
                emit(a)
            }
        }
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var articles: [Article] = []
        var reader = Reader(relativePath: relativePath, maxRecordBytes: Self.maxRecordBytes)
        reader.feedHead(bytes) { articles.append($0) }
        let position = reader.position
        let diagnostics = reader.finish { articles.append($0) }
        var r = LoadResult(articles: articles, diagnostics: diagnostics)
        r.position = position
        return r
    }

    /// `bytes` follow `from` in a file whose first bytes are `head` (see `Reader.init(head:)`);
    /// nil when the head does not hold its header.
    func load(_ bytes: [UInt8], relativePath: String, head: [UInt8], from: ReaderPosition) -> LoadResult? {
        guard
            var reader = Reader(relativePath: relativePath, maxRecordBytes: Self.maxRecordBytes, head: head, from: from)
        else { return nil }
        var articles: [Article] = []
        bytes.withUnsafeBufferPointer { reader.feed($0) { articles.append($0) } }
        let position = reader.position
        let diagnostics = reader.finish { articles.append($0) }
        var r = LoadResult(articles: articles, diagnostics: diagnostics)
        r.position = position
        return r
    }

    /// Streams a CSV file from `source` (a compressed file too), a block at a time: memory
    /// does not grow with the file (a record over `maxRecordBytes` is dropped as it is read).
    public func stream(
        _ source: ByteStream, relativePath: String, maxRecordBytes: Int = CSVLoader.maxRecordBytes,
        emit: (Article) -> Void
    ) -> [Diagnostic] {
        var reached: ReaderPosition?
        return stream(
            source, relativePath: relativePath, maxRecordBytes: maxRecordBytes, head: nil, from: nil,
            reached: &reached, emit: emit) ?? []
    }

    /// As `stream(_:relativePath:maxRecordBytes:emit:)`; going on `from` a position (the source
    /// holds what follows it, `head` the file's first bytes; nil when they do not hold its
    /// header); `reached`: where it stopped, when between records.
    func stream(
        _ source: ByteStream, relativePath: String, maxRecordBytes: Int = CSVLoader.maxRecordBytes,
        head fileHead: [UInt8]?,
        from: ReaderPosition?, reached: inout ReaderPosition?, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        var reader = Reader(relativePath: relativePath, maxRecordBytes: maxRecordBytes)
        if let from {
            guard let fileHead,
                let r = Reader(relativePath: relativePath, maxRecordBytes: maxRecordBytes, head: fileHead, from: from)
            else { return nil }
            reader = r
        }
        var block = [UInt8](repeating: 0, count: 1 << 20)
        // The start, kept until it holds the first line (or 64 KB): the delimiter is read from it.
        var head: [UInt8] = []
        var started = from != nil
        while true {
            let n = block.withUnsafeMutableBytes { source.read($0.baseAddress!, $0.count) }
            if n < 0 {
                var d = reader.diagnostics
                d.append(Diagnostic(path: relativePath, message: source.failure ?? "read error", severity: .error))
                return d
            }
            if n == 0 { break }
            if started {
                block.withUnsafeBufferPointer { reader.feed(UnsafeBufferPointer(rebasing: $0[0..<n]), emit) }
                continue
            }
            head.append(contentsOf: block[0..<n])
            if head.count >= ArticleFormat.sniffBytes || head.contains(0x0A) {
                started = true
                reader.feedHead(head, emit)
                head = []
            }
        }
        if !started && !head.isEmpty { reader.feedHead(head, emit) }
        reached = reader.position
        return reader.finish(emit)
    }

    // MARK: Detection

    /// Whether `b` (a file's first bytes) is a CSV or TSV file of articles: its first line
    /// (after a BOM) splits by `,`, tab or `;` (see `delimiter`) into at least two header-like
    /// names (not empty, except a first unnamed index column as pandas writes; at most 40
    /// bytes; no control bytes or runs of blanks; quotes around a name allowed), one of which
    /// NewsJSON reads as the title or the main text; and the next record, within the first
    /// 64 KB (quotes honoured), has as many fields (or is cut there with no more).
    static func looks(_ all: [UInt8]) -> Bool {
        var start = 0
        if all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF { start = 3 }
        let end = min(all.count, start + ArticleFormat.sniffBytes)
        guard end > start else { return false }
        return all.withUnsafeBufferPointer { whole in
            let b = UnsafeBufferPointer(rebasing: whole[start..<end])
            let cut = end < all.count
            let delimiter = Self.delimiter(b)
            var parser = Parser(delimiter: delimiter, maxRecordBytes: ArticleFormat.sniffBytes)
            var records: [(bytes: [UInt8], ends: [Int])] = []
            // A piece at a time, up to the second record (plain text is rejected at its first line).
            var at = 0
            while at < b.count && records.count < 2 {
                let next = min(b.count, at + 4096)
                parser.feed(UnsafeBufferPointer(rebasing: b[at..<next])) { r in
                    if case .fields(let bytes, let ends, _) = r, records.count < 2 { records.append((bytes, ends)) }
                }
                at = next
                if let h = records.first, !Self.plausibleHeader(h.bytes, h.ends) { return false }
            }
            var partial: [Int]?
            if records.count < 2 && cut {
                // The first data record runs past the sniffed bytes: its fields so far.
                if !(parser.state == .fieldStart && parser.ends.isEmpty && parser.bytes.isEmpty) {
                    partial = parser.ends + [parser.bytes.count]
                }
            } else if records.count < 2 {
                let end = parser.finish { r in
                    if case .fields(let bytes, let ends, _) = r, records.count < 2 { records.append((bytes, ends)) }
                }
                if end.open { return false }
            }
            guard let header = records.first, Self.plausibleHeader(header.bytes, header.ends) else { return false }
            if records.count >= 2 { return records[1].ends.count == header.ends.count }
            if let partial { return partial.count <= header.ends.count }
            return false
        }
    }

    /// Whether a first record is a header of articles: at least two header-like names (the
    /// first may be empty: an index column), one of them a title or text key; no line breaks.
    static func plausibleHeader(_ bytes: [UInt8], _ ends: [Int]) -> Bool {
        guard ends.count >= 2, !bytes.contains(0x0A), !bytes.contains(0x0D) else { return false }
        var names: [String] = []
        var s = 0
        for (n, e) in ends.enumerated() {
            let name = bytes[s..<e]
            s = e
            if name.isEmpty && n == 0 && ends.count >= 3 {
                names.append("")
                continue
            }
            guard headerLike(name) else { return false }
            names.append(key(String(decoding: name, as: UTF8.self)))
        }
        return hasTitleOrText(names)
    }

    /// A name that could head a column: 1…40 bytes, no control bytes, no leading, trailing or
    /// doubled blanks (after trimming the spaces around it).
    static func headerLike(_ raw: ArraySlice<UInt8>) -> Bool {
        var s = raw.startIndex
        var e = raw.endIndex
        while s < e && raw[s] == 0x20 { s += 1 }
        while e > s && raw[e - 1] == 0x20 { e -= 1 }
        guard e > s, e - s <= maxHeaderName else { return false }
        var previous: UInt8 = 0
        for c in raw[s..<e] {
            if c < 0x20 || c == 0x7F { return false }
            if c == 0x20 && previous == 0x20 { return false }
            previous = c
        }
        return true
    }
}

extension String {
    /// Without the spaces and tabs around it.
    fileprivate var trimmingBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
