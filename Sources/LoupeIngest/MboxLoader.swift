import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// mbox mailboxes: many messages in one file (Thunderbird and Apple Mail exports, Gmail
/// Takeout, Mailman/pipermail monthly archives such as `2007-July.txt`), one article per
/// message.
///
/// Detection (`looksLikeMbox`): the first line (after a UTF-8 BOM) is a `From ` separator line
/// and the lines after it are a mail header block (as `MailLoader.looksLikeMail` requires).
///
/// Splitting: a message starts at a `From ` line at the start of the file or after a blank line
/// (the mboxo/mboxrd convention) that is itself a separator line: `From `, a sender of one to
/// three words (an address, `MAILER-DAEMON`, pipermail's `jane at example.com`), then a date
/// and nothing else. The date is asctime-like and read leniently: an optional weekday, a month
/// name, a day, a time `hh:mm[:ss]` and a four-digit year in any order, optionally a zone
/// (`+0000`, `UTC`) — so `Mon Jul  2 10:00:00 2007`, `Fri Dec 20 12:34:56 +0000 2019` (Gmail)
/// and `Mon, 2 Jul 2007 10:00:00 +0000` all count, while a body line `From the desk of…` or
/// `From here on…` after a blank line does not split a message. `Content-Length` headers are
/// ignored. In each message, lines `>From `, `>>From `… lose one `>` (mboxrd unescaping; in an
/// mboxo file, where `From ` was escaped irreversibly, this restores it too).
///
/// Each message is read by `MailLoader.parse` (headers, encoded-words, MIME bodies reduced to
/// their readable text) and gives one article, followed by its attachments' articles (named
/// `<mailbox>/<n>/attachments/<name>`, see `MailLoader.attachments`):
/// - title: `Subject`; authors: `From` through `Bylines`, pipermail's obfuscated
///   `jane at example.com (Jane Doe)` read as the address it stands for;
/// - date: `Date`, else the date of the `From ` line (taken as UTC when it names no zone);
/// - id: `Message-ID` (global: the same message in two mailboxes, or twice in one, is one
///   article, the later replacing the earlier), else `path#n` scoped to the file's directory;
///   `position` and `n` are the message's index in the file (0-based, skipped messages counted);
/// - categories: `Newsgroups`; Gmail's `X-Gmail-Labels` split on commas, without the labels
///   that record a state rather than a subject (`Opened`, `Unread`, `Important`, `Archived`,
///   `Category …`); the `List-Id`'s identifier as given (`loupe-users.lists.example.org`,
///   without the description and angle brackets).
///
/// Damage: a message without a header block is skipped with a warning naming its line and
/// number; so is a message larger than `maxMessageBytes` (64 MB). The rest of the file is
/// read. A file with no message gets a note. Large files are streamed (`stream`): memory is
/// bounded by the largest message, not the file.
public struct MboxLoader {
    public static let defaultMaxMessageBytes = 64 << 20
    /// Longest separator line considered.
    static let maxSeparatorLine = 1000

    var maxMessageBytes: Int
    /// How many mails this mailbox is attached inside (see `MailLoader.attachments`).
    let depth: Int
    /// The mailbox is a member of an archive: archives attached to its messages are not opened.
    let nested: Bool

    public init(maxMessageBytes: Int = MboxLoader.defaultMaxMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
        self.depth = 0
        self.nested = false
    }

    init(depth: Int, nested: Bool = false) {
        self.maxMessageBytes = MboxLoader.defaultMaxMessageBytes
        self.depth = depth
        self.nested = nested
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        load(bytes, relativePath: relativePath, from: nil)
    }

    /// `from`: `bytes` follow that many lines and messages of the mailbox, and start with a
    /// separator line (see `startsMessage`).
    func load(_ bytes: [UInt8], relativePath: String, from: ReaderPosition?) -> LoadResult {
        var articles: [Article] = []
        var s = Splitter(path: relativePath, cap: maxMessageBytes, depth: depth, nested: nested, from: from)
        bytes.withUnsafeBufferPointer { b in
            _ = s.process(b, eof: true) { articles.append($0) }
        }
        var r = LoadResult(articles: articles, diagnostics: s.finish())
        r.retryLater = s.retryLater
        r.position = s.position
        return r
    }

    /// Whether a mailbox that ends with `end` (its last bytes) ends where a message may follow:
    /// with a blank line, as a separator line must come after one.
    static func endsBeforeSeparator(_ end: [UInt8]) -> Bool {
        end.last == 0x0A && end.withUnsafeBufferPointer { endsBlankLine($0, end.count - 1) }
    }

    /// Whether the line break at `p` ends a blank line (LF or CRLF before it), as the one before
    /// a separator line must.
    @inline(__always) static func endsBlankLine(_ b: MarkupScan.Bytes, _ p: Int) -> Bool {
        p >= 1 && (b[p - 1] == 0x0A || (b[p - 1] == 0x0D && p >= 2 && b[p - 2] == 0x0A))
    }

    /// Whether `b` opens with a separator line (`From ` and a date), as appended messages do.
    static func startsMessage(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { p in
            guard let nl = MarkupScan.next(0x0A, p, from: 0, to: min(p.count, maxSeparatorLine + 1)) else {
                return false
            }
            return fromLine(p, 0, nl) != nil
        }
    }

    /// Streams a mailbox from `fd` (from its current offset), a megabyte at a time: each
    /// message (then its attachments' articles) goes to `emit` once the next separator (or the
    /// end) is seen.
    public func stream(fd: Int32, relativePath: String, blockSize: Int = 1 << 20, emit: (Article) -> Void)
        -> [Diagnostic]
    {
        var retryLater = false
        return stream(fd: fd, relativePath: relativePath, blockSize: blockSize, retryLater: &retryLater, emit: emit)
    }

    /// As `stream(fd:relativePath:blockSize:emit:)`; `retryLater` is set when an attachment
    /// could not be read for want of a library (the PDF library).
    public func stream(
        fd: Int32, relativePath: String, blockSize: Int = 1 << 20, retryLater: inout Bool, emit: (Article) -> Void
    ) -> [Diagnostic] {
        stream(
            ByteStream(fd: fd), relativePath: relativePath, blockSize: blockSize, retryLater: &retryLater, emit: emit)
    }

    /// As `stream(fd:relativePath:blockSize:retryLater:emit:)`, from `source` (a compressed
    /// file too).
    public func stream(
        _ source: ByteStream, relativePath: String, blockSize: Int = 1 << 20, retryLater: inout Bool,
        emit: (Article) -> Void
    ) -> [Diagnostic] {
        var reached: ReaderPosition?
        return stream(
            source, relativePath: relativePath, blockSize: blockSize, retryLater: &retryLater, from: nil,
            reached: &reached, emit: emit)
    }

    /// As `stream(_:relativePath:blockSize:retryLater:emit:)`, going on `from` a position (see
    /// `load(_:relativePath:from:)`); `reached`: where it stopped.
    func stream(
        _ source: ByteStream, relativePath: String, blockSize: Int = 1 << 20, retryLater: inout Bool,
        from: ReaderPosition?, reached: inout ReaderPosition?, emit: (Article) -> Void
    ) -> [Diagnostic] {
        var s = Splitter(path: relativePath, cap: maxMessageBytes, depth: depth, from: from)
        defer {
            retryLater = s.retryLater
            reached = s.position
        }
        var carry: [UInt8] = []
        var block = [UInt8](repeating: 0, count: max(1, blockSize))
        while true {
            let n = block.withUnsafeMutableBytes { source.read($0.baseAddress!, $0.count) }
            if n < 0 {
                return s.finish() + [
                    Diagnostic(path: relativePath, message: source.failure ?? "read error", severity: .error)
                ]
            }
            let eof = n == 0
            if !eof { carry.append(contentsOf: block[0..<n]) }
            let used = carry.withUnsafeBufferPointer { s.process($0, eof: eof, emit: emit) }
            carry.removeFirst(used)
            if eof { break }
        }
        return s.finish()
    }

    // MARK: - Detection and separator lines

    /// Whether `b` starts (after a UTF-8 BOM) with a `From ` separator line followed by a mail
    /// header block.
    static func looksLikeMbox(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { p in
            var s = 0
            if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { s = 3 }
            guard p.count >= s + 5, p[s] == UInt8(ascii: "F"), p[s + 1] == UInt8(ascii: "r"),
                p[s + 2] == UInt8(ascii: "o"), p[s + 3] == UInt8(ascii: "m"), p[s + 4] == 0x20
            else { return false }
            let limit = min(p.count, ArticleFormat.sniffBytes)
            guard let nl = MarkupScan.next(0x0A, p, from: s, to: min(limit, s + maxSeparatorLine + 1)),
                fromLine(p, s, nl) != nil,
                let h = MailLoader.headers(p, from: nl + 1, limit: limit)
            else { return false }
            return h.known >= 2 && h.fields.count >= 2
        }
    }

    /// The date of a separator line.
    struct FromLine {
        var day: Int
        var month: Int
        var year: Int
        var time: Substring
        var zone: Substring?

        /// ISO 8601 (UTC when the line names no zone).
        var iso: String? {
            let months = DateParsing.months
            return DateParsing.iso("\(day) \(months[month - 1]) \(year) \(time) \(zone ?? "+0000")")
        }
    }

    /// Reads `b[start..<end]` (one line, without its `\n`) as a separator line: `From `, a
    /// sender of one to three words, and a date of nothing but date words; nil when it is not one.
    static func fromLine(_ b: MarkupScan.Bytes, _ start: Int, _ end: Int) -> FromLine? {
        var e = end
        if e > start && b[e - 1] == 0x0D { e -= 1 }
        guard e - start > 5, e - start <= maxSeparatorLine, b[start] == UInt8(ascii: "F"),
            b[start + 1] == UInt8(ascii: "r"), b[start + 2] == UInt8(ascii: "o"), b[start + 3] == UInt8(ascii: "m"),
            b[start + 4] == 0x20
        else { return nil }
        // ASCII only: a separator is written by software.
        var tokens: [Substring] = []
        var i = start + 5
        var word: [UInt8] = []
        var words: [[UInt8]] = []
        while i < e {
            let c = b[i]
            if c >= 0x80 || (c < 0x20 && c != 0x09) { return nil }
            if c == 0x20 || c == 0x09 {
                if !word.isEmpty {
                    words.append(word)
                    word.removeAll(keepingCapacity: true)
                }
            } else {
                word.append(c)
            }
            i += 1
        }
        if !word.isEmpty { words.append(word) }
        guard words.count >= 5, words.count <= 12 else { return nil }
        tokens = words.map { Substring(String(decoding: $0, as: UTF8.self)) }
        for j in 1...min(3, tokens.count - 4) {
            if let d = date(tokens[j...]) { return d }
        }
        return nil
    }

    static let weekdays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// The words of an asctime-like date: an optional weekday first, then a month, a day, a
    /// time and a year in any order and at most one zone; nil when any word is something else.
    static func date(_ words: ArraySlice<Substring>) -> FromLine? {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: Substring?
        var zone: Substring?
        for (k, raw) in words.enumerated() {
            let w = raw.hasSuffix(",") ? raw.dropLast() : raw
            guard !w.isEmpty else { return nil }
            let lower = w.lowercased()
            let allDigits = w.allSatisfy { $0.isASCII && $0.isNumber }
            if k == 0 && w.count == 3 && weekdays.contains(lower) { continue }
            if month == nil && w.count == 3, let m = DateParsing.months.firstIndex(of: lower) {
                month = m + 1
            } else if day == nil && allDigits && w.count <= 2, let d = Int(w), (1...31).contains(d) {
                day = d
            } else if year == nil && allDigits && w.count == 4, let y = Int(w), (1900...2199).contains(y) {
                year = y
            } else if time == nil && isTime(w) {
                time = w
            } else if zone == nil && isZone(w) && k > 0 {
                zone = w
            } else {
                return nil
            }
        }
        guard let day, let month, let year, let time else { return nil }
        return FromLine(day: day, month: month, year: year, time: time, zone: zone)
    }

    /// `h:mm`, `hh:mm` or `hh:mm:ss`.
    static func isTime(_ w: Substring) -> Bool {
        let parts = w.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return false }
        for (k, p) in parts.enumerated() {
            guard p.count == 2 || (k == 0 && p.count == 1), p.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return false
            }
        }
        return true
    }

    /// `+hhmm`, `-hhmm`, or an upper-case zone name of up to five letters (`UTC`, `CEST`).
    static func isZone(_ w: Substring) -> Bool {
        if let f = w.first, f == "+" || f == "-" {
            return w.count == 5 && w.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
        }
        return w.count <= 5 && w.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    // MARK: - Splitting

    enum Search {
        /// A message starts at this index (its `From ` line).
        case found(Int)
        /// The line of a candidate at this `\n` runs past the bytes at hand.
        case needMore(Int)
        case none
    }

    /// The next separator line preceded by a blank line, looking for `\nFrom ` from `from`.
    static func nextSeparator(_ b: MarkupScan.Bytes, from: Int, eof: Bool) -> Search {
        var i = max(from, 0)
        while let p = MarkupScan.next(0x0A, b, from: i, to: b.count) {
            i = p + 1
            let c = p + 1
            // `\nFrom ` (a candidate cut short by the end of the bytes at hand waits for more).
            if c + 5 > b.count {
                return !eof && isFromPrefix(b, c, b.count) ? .needMore(p) : .none
            }
            guard b[c] == UInt8(ascii: "F"), b[c + 1] == UInt8(ascii: "r"), b[c + 2] == UInt8(ascii: "o"),
                b[c + 3] == UInt8(ascii: "m"), b[c + 4] == 0x20
            else { continue }
            guard endsBlankLine(b, p) else { continue }
            let lineLimit = min(b.count, c + maxSeparatorLine + 2)
            if let nl = MarkupScan.next(0x0A, b, from: c, to: lineLimit) {
                if fromLine(b, c, nl) != nil { return .found(c) }
            } else if lineLimit == b.count {
                if !eof { return .needMore(p) }
                if fromLine(b, c, b.count) != nil { return .found(c) }
            }
        }
        return .none
    }

    /// `b[c..<end]` is the start of `From `.
    static func isFromPrefix(_ b: MarkupScan.Bytes, _ c: Int, _ end: Int) -> Bool {
        let from: [UInt8] = [0x46, 0x72, 0x6F, 0x6D, 0x20]
        var k = 0
        while c + k < end && k < 5 {
            if b[c + k] != from[k] { return false }
            k += 1
        }
        return true
    }

    @inline(__always) static func newlines(_ b: MarkupScan.Bytes, _ r: Range<Int>) -> Int {
        var n = 0
        var i = r.lowerBound
        while let j = MarkupScan.next(0x0A, b, from: i, to: r.upperBound) {
            n += 1
            i = j + 1
        }
        return n
    }

    /// The bytes of `r` with mboxrd quoting undone (a line `>From `, `>>From `… loses one `>`)
    /// and CRLF line ends made LF.
    static func unescaped(_ b: MarkupScan.Bytes, _ r: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var copied = r.lowerBound
        var lineStart = r.lowerBound
        while lineStart < r.upperBound {
            if b[lineStart] == UInt8(ascii: ">") {
                var k = lineStart
                while k < r.upperBound && b[k] == UInt8(ascii: ">") { k += 1 }
                if k + 5 <= r.upperBound && b[k] == UInt8(ascii: "F") && b[k + 1] == UInt8(ascii: "r")
                    && b[k + 2] == UInt8(ascii: "o") && b[k + 3] == UInt8(ascii: "m") && b[k + 4] == 0x20
                {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<lineStart]))
                    copied = lineStart + 1
                }
            }
            guard let nl = MarkupScan.next(0x0A, b, from: lineStart, to: r.upperBound) else { break }
            lineStart = nl + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<r.upperBound]))
        // CRLF → LF, as the rest of a mailbox exported on Windows reads.
        if out.withUnsafeBufferPointer({ MarkupScan.next(0x0D, $0, from: 0, to: $0.count) }) != nil {
            var w = 0
            for i in out.indices where !(out[i] == 0x0D && i + 1 < out.count && out[i + 1] == 0x0A) {
                out[w] = out[i]
                w += 1
            }
            out.removeSubrange(w...)
        }
        return out
    }

    /// Splits a mailbox given in one or more pieces and reads its messages.
    struct Splitter {
        let path: String
        let dir: String
        let cap: Int
        let depth: Int
        let nested: Bool
        var started = false
        /// An attachment needs the PDF library (see `LoadResult.retryLater`).
        var retryLater = false
        /// Bytes up to the next separator are not a message to read (text before the first
        /// message, or the rest of an oversized one).
        var skipping = false
        /// Where the separator search resumes in the bytes at hand.
        var resume = 0
        /// Line number of the first byte at hand.
        var line = 1
        /// Messages seen (skipped ones counted).
        var index = 0
        var diagnostics: [Diagnostic] = []
        var budget = WarningBudget()

        init(path: String, cap: Int, depth: Int = 0, nested: Bool = false, from: ReaderPosition? = nil) {
            self.path = path
            self.dir = path.split(separator: "/").dropLast().joined(separator: "/")
            self.cap = cap
            self.depth = depth
            self.nested = nested
            if let from {
                started = true
                line = from.lines + 1
                index = from.units
            }
        }

        /// Lines and messages read.
        var position: ReaderPosition { ReaderPosition(lines: line - 1, units: index) }

        mutating func warn(_ kind: String, line: Int, _ message: String, severity: Diagnostic.Severity = .warning) {
            if budget.allow(kind) {
                diagnostics.append(Diagnostic(path: path, line: line, message: message, severity: severity))
            }
        }

        func finish() -> [Diagnostic] {
            var d = diagnostics + budget.summary(path: path)
            if index == 0 { d.append(Diagnostic(path: path, message: "mailbox with no messages", severity: .note)) }
            return d
        }

        /// Reads the complete messages at the start of `b` (all of them when `eof`) and returns
        /// how many bytes it is done with; the rest comes again, with more bytes after it.
        mutating func process(_ b: MarkupScan.Bytes, eof: Bool, emit: (Article) -> Void) -> Int {
            var start = 0
            func done(_ used: Int) -> Int {
                line += MboxLoader.newlines(b, start..<used)
                resume = max(0, resume - used)
                return used
            }
            if !started {
                var s = 0
                if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
                    s = 3
                } else if b.count < 3 && !eof {
                    return 0
                }
                let nl = MarkupScan.next(0x0A, b, from: s, to: b.count)
                if nl == nil && !eof && b.count - s <= MboxLoader.maxSeparatorLine { return 0 }
                started = true
                if MboxLoader.fromLine(b, s, nl ?? b.count) == nil {
                    if b.count > s {
                        warn(
                            "text before the first message", line: 1,
                            "does not start with a \"From \" line; text up to the first message skipped")
                    }
                    skipping = true
                }
                start = s
                resume = s
            }
            while start < b.count {
                if skipping {
                    switch MboxLoader.nextSeparator(b, from: max(start, resume), eof: eof) {
                    case .found(let c):
                        line += MboxLoader.newlines(b, start..<c)
                        start = c
                        resume = c
                        skipping = false
                        continue
                    case .needMore(let p):
                        let keep = max(start, p - 2)
                        resume = p
                        return done(keep)
                    case .none:
                        if eof { return done(b.count) }
                        let keep = max(start, b.count - 8)
                        resume = keep + 2
                        return done(keep)
                    }
                }
                // A message starts at `start`, with its separator line.
                guard let fl = MarkupScan.next(0x0A, b, from: start, to: b.count) else {
                    if eof {
                        message(b, start..<b.count, emit: emit)
                        return done(b.count)
                    }
                    if b.count - start > cap { return oversized(b, start) }
                    return done(start)
                }
                switch MboxLoader.nextSeparator(b, from: max(fl, resume), eof: eof) {
                case .found(let c):
                    message(b, start..<c, emit: emit)
                    line += MboxLoader.newlines(b, start..<c)
                    start = c
                    resume = c
                case .none where eof:
                    message(b, start..<b.count, emit: emit)
                    return done(b.count)
                case .needMore(let p):
                    if b.count - start > cap { return oversized(b, start) }
                    resume = p
                    return done(start)
                case .none:
                    if b.count - start > cap { return oversized(b, start) }
                    resume = max(fl, b.count - 6)
                    return done(start)
                }
            }
            return done(start)
        }

        /// The message at `start` grew past the cap before its end was seen: warn, then skip to
        /// the next separator.
        private mutating func oversized(_ b: MarkupScan.Bytes, _ start: Int) -> Int {
            index += 1
            warn(
                "message larger than the limit skipped", line: line,
                "message \(index) is larger than \(sizeText(cap)); skipped")
            skipping = true
            // Keep enough for a separator line whose end has not arrived yet.
            let keep = max(start, b.count - (MboxLoader.maxSeparatorLine + 16))
            line += MboxLoader.newlines(b, start..<keep)
            resume = max(0, resume - keep)
            return keep
        }

        /// One message, `r` from its separator line to the next one (or the end).
        private mutating func message(_ b: MarkupScan.Bytes, _ r: Range<Int>, emit: (Article) -> Void) {
            let n = index
            index += 1
            let at = line
            if r.count > cap {
                warn(
                    "message larger than the limit skipped", line: at,
                    "message \(n + 1) is larger than \(sizeText(cap)); skipped")
                return
            }
            let fl = MarkupScan.next(0x0A, b, from: r.lowerBound, to: r.upperBound) ?? r.upperBound
            let separator = MboxLoader.fromLine(b, r.lowerBound, fl)
            let bytes = MboxLoader.unescaped(b, min(fl + 1, r.upperBound)..<r.upperBound)
            if bytes.allSatisfy(MarkupScan.isSpace) {
                warn("empty message", line: at, "message \(n + 1) is empty", severity: .note)
                return
            }
            let m = MailLoader.parse(bytes, relativePath: path, position: n, depth: depth)
            guard m.hasHeaders, var meta = m.meta else {
                warn(
                    "message with no header block skipped", line: at,
                    "message \(n + 1) has no header block; skipped")
                return
            }
            for var d in m.diagnostics {
                // Lines of the message's bytes, which start on the line after the separator.
                d.line = d.line.map { $0 + at } ?? at
                warn(d.message, line: d.line ?? at, d.message, severity: d.severity)
            }
            if (m.values["message-id"]?.trimmingWhitespace() ?? "").isEmpty {
                meta.id = "\(path)#\(n)"
                meta.idScope = dir
            }
            if meta.date == nil { meta.date = separator?.iso }
            if let from = m.values["from"], let plain = MboxLoader.deobfuscated(from) {
                meta.authors = Bylines.names(plain)
            }
            if let labels = m.values["x-gmail-labels"] {
                for l in MboxLoader.gmailLabels(labels) where !meta.categories.contains(l) { meta.categories.append(l) }
            }
            if let list = m.values["list-id"].flatMap(MboxLoader.listID), !meta.categories.contains(list) {
                meta.categories.append(list)
            }
            if let own = m.article {
                var a = meta
                a.body = own.body
                emit(a)
            }
            // Its attachments' articles follow it (`<mailbox>/<n>/attachments/<name>`).
            var caps = AttachmentBudget()
            let r = MailLoader.attachments(
                of: m, parent: meta, base: "\(path)/\(n)/attachments", depth: depth, nested: nested, budget: &caps)
            retryLater = retryLater || r.retryLater
            for d in r.diagnostics where budget.allow(d.message) { diagnostics.append(d) }
            r.articles.forEach(emit)
        }
    }

    // MARK: - Header values

    /// Pipermail's `jane at example.com (Jane Doe)` → `jane@example.com (Jane Doe)`; nil when
    /// the value holds an `@` or no `word at host.name`.
    static func deobfuscated(_ from: String) -> String? {
        guard !from.contains("@") else { return nil }
        var words = from.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard
            let k = words.indices.first(where: { i in
                i > 0 && i + 1 < words.count && words[i] == "at" && words[i + 1].contains(".")
                    && !words[i - 1].hasPrefix("(") && !words[i + 1].hasPrefix("(")
            })
        else { return nil }
        words[k - 1] = words[k - 1] + "@" + words[k + 1]
        words.removeSubrange(k...(k + 1))
        return words.joined(separator: " ")
    }

    /// Gmail labels that record a message's state, not what it is about.
    static let stateLabels: Set<String> = ["opened", "unread", "important", "archived"]

    /// `X-Gmail-Labels: Inbox,Important,Opened,"Ferry, timetables"` → `Inbox`,
    /// `Ferry, timetables` (state labels and `Category …` dropped).
    static func gmailLabels(_ value: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        func flush() {
            let l = current.trimmingWhitespace()
            current = ""
            guard !l.isEmpty, !stateLabels.contains(l.lowercased()), !l.lowercased().hasPrefix("category "),
                !out.contains(l)
            else { return }
            out.append(l)
        }
        for ch in value {
            if ch == "\"" {
                quoted.toggle()
            } else if ch == "," && !quoted {
                flush()
            } else {
                current.append(ch)
            }
        }
        flush()
        return out
    }

    /// `Loupe users <loupe-users.lists.example.org>` → `loupe-users.lists.example.org`.
    static func listID(_ value: String) -> String? {
        var v = Substring(value)
        if let lt = v.lastIndex(of: "<"), let gt = v.lastIndex(of: ">"), lt < gt {
            v = v[v.index(after: lt)..<gt]
        }
        let s = String(v).trimmingWhitespace()
        return s.isEmpty || s.contains(" ") ? nil : s
    }
}
