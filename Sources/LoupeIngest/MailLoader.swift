import Foundation
import LoupeCore

/// RFC 822 mail and Usenet messages (as in 20 Newsgroups): one message per file, one article.
///
/// Detection (`looksLikeMail`): the file starts with a block of header lines `Name: value`
/// (continuation lines start with a blank; leading continuation lines are tolerated, as some
/// 20 Newsgroups files begin mid-header), holding at least two well-known header names (`From`,
/// `Subject`, `Newsgroups`, `Path`, `Message-ID`, `Date`, …), so that ordinary text files
/// stay text. The header block ends at the first blank line (or, leniently, at the first line
/// that is not a header once two known headers were seen).
///
/// - title: `Subject` (MIME encoded-words `=?charset?Q|B?…?=` decoded for UTF-8 / ASCII /
///   Latin-1 / Windows-1252); empty when absent.
/// - authors: the `From` header (encoded-words decoded like the subject) through
///   `Bylines.names`: `jane@example.com (Jane Doe)` and `Jane Doe <jane@example.com>` give
///   `Jane Doe`, a bare address is kept.
/// - date: `Date` → ISO 8601; id: `Message-ID` without its angle brackets, else the file path;
///   categories: the `Newsgroups` list; body: everything after the header block, decoded like
///   a text file (UTF-8, else Latin-1 with a warning) and otherwise left as written (quoted
///   replies, signatures). MIME bodies (quoted-printable, base64, charsets, multipart, HTML)
///   are reduced to their readable text (see `MIME`).
///
/// Attachments (PDF, Word, OpenDocument, RTF, HTML, text… and forwarded messages) give
/// articles of their own after the message's, named `mail.eml/attachments/<name>` (see
/// `MailLoader.attachments`).
public struct MailLoader {
    /// How many mails this one is inside (as an attachment of an attachment…).
    let depth: Int
    /// The mail is a member of an archive: an archive attached to it is not opened.
    let nested: Bool

    public init() {
        self.depth = 0
        self.nested = false
    }

    init(depth: Int, nested: Bool = false) {
        self.depth = depth
        self.nested = nested
    }

    static let knownHeaders: Set<String> = [
        "from", "subject", "newsgroups", "path", "xref", "message-id", "date", "organization", "lines", "reply-to",
        "references", "sender", "to", "cc", "nntp-posting-host", "mime-version", "content-type",
        "content-transfer-encoding", "received", "return-path", "article-i.d.", "keywords", "summary",
        "distribution", "followup-to", "in-reply-to", "x-newsreader", "x-mailer", "approved", "expires",
        "delivered-to", "originator", "user-agent",
    ]

    struct Headers {
        var fields: [(name: String, value: Range<Int>, continuations: [Range<Int>])] = []
        var known = 0
        var bodyStart = 0
        /// The block ran into the end of the scanned bytes.
        var reachedLimit = false
    }

    /// Reads the header block of `b[start..<limit]`; nil when it is not one.
    static func headers(_ b: MarkupScan.Bytes, from start: Int, limit: Int) -> Headers? {
        var h = Headers()
        var i = start
        while i < limit {
            let nl = MarkupScan.next(0x0A, b, from: i, to: limit)
            let lineEnd = nl ?? limit
            var e = lineEnd
            if e > i && b[e - 1] == 0x0D { e -= 1 }
            let next = nl.map { $0 + 1 } ?? limit
            if e == i {  // blank line: end of headers
                h.bodyStart = next
                return h
            }
            if b[i] == 0x20 || b[i] == 0x09 {
                if !h.fields.isEmpty { h.fields[h.fields.count - 1].continuations.append(i..<e) }
                i = next
                continue
            }
            guard let k = headerColon(b, at: i, end: e) else {
                // Not a header line: the body starts here when the block was convincing —
                // unless the next line is a known or `X-` header (a broken fold, as Exchange
                // writes long diagnostics: the line is passed over, the headers go on).
                guard h.known >= 2 else { return nil }
                if next < limit, let colon = headerColon(b, at: next, end: limit),
                    case let name = String(decoding: UnsafeBufferPointer(rebasing: b[next..<colon]), as: UTF8.self)
                        .lowercased(),
                    knownHeaders.contains(name) || name.hasPrefix("x-")
                {
                    i = next
                    continue
                }
                h.bodyStart = i
                return h
            }
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[i..<k]), as: UTF8.self).lowercased()
            if knownHeaders.contains(name) { h.known += 1 }
            h.fields.append((name, (k + 1)..<e, []))
            i = next
        }
        h.bodyStart = limit
        h.reachedLimit = true
        return h
    }

    /// The colon of the header line at `i` (`Name:`, the name of printable ASCII, at most 77
    /// bytes, before `end`); nil when the line is no header.
    static func headerColon(_ b: MarkupScan.Bytes, at i: Int, end: Int) -> Int? {
        var k = i
        while k < end && k - i <= 76 && b[k] > 0x20 && b[k] < 0x7F && b[k] != UInt8(ascii: ":") { k += 1 }
        return k > i && k < end && b[k] == UInt8(ascii: ":") ? k : nil
    }

    /// A Message-ID as an article id: trimmed, without its angle brackets; nil when blank.
    static func messageID(_ raw: String?) -> String? {
        guard var m = raw?.trimmingWhitespace(), !m.isEmpty else { return nil }
        if m.hasPrefix("<") && m.hasSuffix(">") && m.count > 2 { m = String(m.dropFirst().dropLast()) }
        return m
    }

    /// Apple Mail's `.emlx` (and `.partial.emlx`) file: a first line giving the message's length
    /// in bytes, the message, then an XML property list of Mail's own (flags, dates) that is no
    /// part of it. The message's range; nil for any other file.
    static func emlxMessage(_ b: [UInt8]) -> Range<Int>? {
        var i = 0
        while i < b.count && i < 12 && MarkupScan.isDigit(b[i]) { i += 1 }
        guard i > 0, i < 12 else { return nil }
        var j = i
        while j < b.count && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
        guard j < b.count, b[j] == 0x0A || (b[j] == 0x0D && j + 1 < b.count && b[j + 1] == 0x0A),
            let n = Int(String(decoding: b[0..<i], as: UTF8.self)), n > 0
        else { return nil }
        let start = b[j] == 0x0D ? j + 2 : j + 1
        let end = min(b.count, start + n)
        guard start < end, looksLikeMail(Array(b[start..<min(end, start + ArticleFormat.sniffBytes)])) else {
            return nil
        }
        return start..<end
    }

    /// Whether `b` starts with a mail/news header block (see the type's comment).
    static func looksLikeMail(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { p in
            var s = 0
            if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { s = 3 }
            guard let h = headers(p, from: s, limit: min(p.count, ArticleFormat.sniffBytes)) else { return false }
            return h.known >= 2 && h.fields.count >= 2
        }
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        if let r = Self.emlxMessage(bytes) { return load(Array(bytes[r]), relativePath: relativePath) }
        let m = Self.parse(bytes, relativePath: relativePath, depth: depth)
        if let page = Self.savedPage(m, bytes, relativePath: relativePath) { return page }
        var r = LoadResult(articles: m.article.map { [$0] } ?? [], diagnostics: m.diagnostics)
        if let meta = m.meta {
            var budget = AttachmentBudget()
            let a = Self.attachments(
                of: m, parent: meta, base: relativePath + "/attachments", depth: depth, nested: nested,
                budget: &budget)
            r.articles += a.articles
            r.diagnostics += a.diagnostics
            r.retryLater = a.retryLater
        }
        return r
    }

    /// One parsed message: its article (nil when it gave none), the header values (lower-case
    /// names, the first of each, encoded-words decoded) and what was noticed, lines counted
    /// from the start of `bytes`.
    struct Message {
        var article: Article?
        var values: [String: String] = [:]
        /// The message started with a header block holding at least one known header name.
        var hasHeaders = false
        var diagnostics: [Diagnostic] = []
        /// The message's fields (id, title, date, authors, categories, source, position) with no
        /// body, also when it gave no article; nil when it has no header block.
        var meta: Article?
        /// Its MIME body read: the attachments set aside and those not read.
        var reading: MIME.Reading?
        /// Where its body starts in the bytes parsed.
        var bodyStart = 0
    }

    /// A web page saved as one file (MHTML: Chrome's and Edge's "Webpage, Single File", Internet
    /// Explorer's `.mht`): a `multipart/related` message from `<Saved by Blink>` (or with a
    /// `Snapshot-Content-Location`, or named `.mht`/`.mhtml`) whose first `text/html` part is
    /// the page. It is read as an HTML page is (article text without menus, title, date,
    /// authors from the page), its link the address it was saved from, its date the message's
    /// when the page gives none; the images and style sheets beside it are not read. Nil for
    /// any other message.
    static func savedPage(_ m: Message, _ bytes: [UInt8], relativePath: String) -> LoadResult? {
        let ct = MIME.ContentType(m.values["content-type"])
        let name = relativePath.lowercased()
        guard ct.type == "multipart", ct.subtype == "related", let boundary = ct.parameters["boundary"],
            !boundary.isEmpty,
            m.values["snapshot-content-location"] != nil
                || (m.values["from"] ?? "").lowercased().hasPrefix("<saved by")
                || name.hasSuffix(".mht") || name.hasSuffix(".mhtml")
        else { return nil }
        for part in MIME.split(bytes[m.bodyStart...], boundary: boundary) {
            let (h, b) = MIME.partHeaders(part)
            let pct = MIME.ContentType(h["content-type"])
            guard pct.type == "text" && pct.subtype == "html" else { continue }
            let html = MIME.decodeTransfer(b, h["content-transfer-encoding"])
            var r = HTMLLoader().load(
                html, relativePath: relativePath, charset: pct.parameters["charset"],
                fallbackTitle: m.values["subject"])
            for i in r.articles.indices {
                let saved = m.values["snapshot-content-location"] ?? h["content-location"]
                if r.articles[i].link == nil { r.articles[i].link = saved?.trimmingWhitespace() }
                if r.articles[i].date == nil { r.articles[i].date = m.meta?.date }
            }
            r.diagnostics = m.diagnostics + r.diagnostics
            return r
        }
        return nil
    }

    /// Parses one message (a whole file, or one message of a mailbox: see `MboxLoader`).
    static func parse(_ bytes: [UInt8], relativePath: String, position: Int = 0, depth: Int = 0) -> Message {
        var message = Message()
        var result = LoadResult()
        var values: [String: String] = [:]
        var bodyStart = 0
        var headerNotes = EncodingNotes()
        var headerDiagnostics: [Diagnostic] = []
        bytes.withUnsafeBufferPointer { p in
            var s = 0
            if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { s = 3 }
            guard let h = Self.headers(p, from: s, limit: p.count) else { return }
            message.hasHeaders = h.known >= 1
            bodyStart = h.bodyStart
            for f in h.fields where values[f.name] == nil {
                var t = MarkupText(keepLines: false)
                t.appendRaw(p, f.value)
                for c in f.continuations {
                    t.space()
                    t.appendRaw(p, c)
                }
                headerNotes.note(t)
                values[f.name] = Self.decodeEncodedWords(t.string)
            }
            headerDiagnostics = headerNotes.diagnostics(p, path: relativePath)
        }
        result.diagnostics += headerDiagnostics
        message.values = values
        message.bodyStart = bodyStart
        let bodyLine = 1 + bytes[..<bodyStart].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let text: String
        let outcome: TextDecoding.Outcome
        if MIME.applies(
            contentType: values["content-type"], transferEncoding: values["content-transfer-encoding"],
            disposition: values["content-disposition"])
        {
            // MIME: transfer encodings, charsets and parts decoded to the readable text; the
            // attachments set aside.
            let reading = MIME.read(
                contentType: values["content-type"], transferEncoding: values["content-transfer-encoding"],
                disposition: values["content-disposition"], body: bytes[bodyStart...], messages: depth < maxDepth)
            text = reading.text ?? ""
            message.reading = reading
            outcome = .utf8
        } else {
            (text, outcome) = TextDecoding.decode(Array(bytes[bodyStart...]))
        }
        let id = Self.messageID(values["message-id"]) ?? relativePath
        let groups = (values["newsgroups"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " })
            .map { String($0) }.filter { !$0.isEmpty }
        let meta = Article(
            id: id, title: values["subject"] ?? "", body: "", date: values["date"].flatMap(LoaderDates.iso),
            categories: groups, authors: values["from"].map(Bylines.names) ?? [], source: relativePath,
            position: position)
        message.meta = meta
        switch outcome {
        case .binary:
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: bodyLine, message: "message body is not text (binary content); skipped",
                    severity: .warning))
            message.diagnostics = result.diagnostics
            return message
        case .latin1(let line):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: bodyLine + line - 1,
                    message: "not valid UTF-8; read as Latin-1 (Windows-1252)",
                    severity: .warning))
        case .utf8WithInvalidBytes(let line):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: bodyLine + line - 1, message: "invalid UTF-8 bytes replaced by U+FFFD",
                    severity: .warning))
        case .legacy(let label):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: bodyLine, message: "no charset declared; body read as \(label)",
                    severity: .note))
        default:
            break
        }
        let body = text.replacingNUL().trimmingWhitespace()
        let title = values["subject"] ?? ""
        if body.isEmpty && title.isEmpty {
            // (A message that only carries attachments gives their articles.)
            if message.reading?.attachments.isEmpty ?? true {
                result.diagnostics.append(
                    Diagnostic(path: relativePath, message: "message with no subject or text", severity: .note))
            }
            message.diagnostics = result.diagnostics
            return message
        }
        var article = meta
        article.body = body
        message.article = article
        message.diagnostics = result.diagnostics
        return message
    }

    /// RFC 2047 encoded-words; unknown charsets are left encoded.
    static func decodeEncodedWords(_ s: String) -> String {
        guard s.containsBytes("=?") else { return s }
        var out = ""
        var rest = Substring(s)
        var lastWasEncoded = false
        while let r = rest.range(of: "=?") {
            let before = rest[..<r.lowerBound]
            let tail = rest[r.upperBound...]
            let parts = tail.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let end = parts[2].range(of: "?="),
                let decoded = decodeWord(charset: parts[0], encoding: parts[1], text: parts[2][..<end.lowerBound])
            else {
                out += before + "=?"
                rest = tail
                lastWasEncoded = false
                continue
            }
            // Blanks between two encoded words are dropped.
            if !(lastWasEncoded && before.allSatisfy({ $0 == " " || $0 == "\t" })) { out += before }
            out += decoded
            rest = parts[2][end.upperBound...]
            lastWasEncoded = true
        }
        return out + rest
    }

    private static func decodeWord(charset: Substring, encoding: Substring, text: Substring) -> String? {
        var bytes: [UInt8] = []
        switch encoding.lowercased() {
        case "q":
            let u = Array(text.utf8)
            var i = 0
            while i < u.count {
                if u[i] == UInt8(ascii: "_") {
                    bytes.append(0x20)
                } else if u[i] == UInt8(ascii: "="), i + 2 < u.count,
                    let v = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
                {
                    bytes.append(v)
                    i += 2
                } else {
                    bytes.append(u[i])
                }
                i += 1
            }
        case "b":
            var t = String(text)
            while t.utf8.count % 4 != 0 { t += "=" }
            guard let d = Data(base64Encoded: t) else { return nil }
            bytes = Array(d)
        default:
            return nil
        }
        let cs = charset.split(separator: "*").first.map { $0.lowercased() } ?? ""
        switch cs {
        case "utf-8", "utf8", "us-ascii", "ascii":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252", "cp1252":
            return TextDecoding.latin1(bytes)
        default:  // ISO-2022-JP, KOI8-R, GB2312…: whatever iconv knows
            return Charsets.decode(bytes, charset: cs)
        }
    }
}

extension MarkupText {
    /// Appends plain bytes (no markup): only encoding and blank handling.
    mutating func appendRaw(_ b: MarkupScan.Bytes, _ r: Range<Int>) {
        append(b, r, mode: .raw)
    }
}
