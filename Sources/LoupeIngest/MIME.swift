import Foundation

/// MIME bodies of mail messages (RFC 2045–2046): transfer encodings (quoted-printable, base64),
/// charsets, and multipart entities, reduced to the message's readable text.
///
/// - `multipart/alternative`: the `text/plain` part, else the best other part;
/// - other multiparts (`mixed`, `related`, `signed`, …): the text of every readable part, in
///   order; attachments (see `read`) are set aside, to be read as articles of their own
///   (`MailLoader.attachments`), and left out of the text;
/// - `text/html` becomes plain text; a `message/rfc822` part is an attachment (a forwarded
///   mail), or, below the forwarding depth read as mail, gives its own body's text.
///
/// Nesting is bounded (`maxDepth`), and a part that cannot be decoded is skipped, never fatal.
enum MIME {
    static let maxDepth = 8

    struct ContentType {
        var type = "text"
        var subtype = "plain"
        var parameters: [String: String] = [:]

        init(_ header: String?) {
            guard let header else { return }
            let pieces = MIME.splitParameters(header)
            guard let first = pieces.first else { return }
            let ts = first.split(separator: "/", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            if ts.count == 2, !ts[0].isEmpty, !ts[1].isEmpty {
                type = ts[0]
                subtype = ts[1]
            }
            for p in pieces.dropFirst() {
                guard let eq = p.firstIndex(of: "=") else { continue }
                let name = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                var value = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                parameters[name] = value
            }
        }
    }

    /// `a; b="x;y"; c` → ["a", "b=\"x;y\"", "c"] (semicolons inside quotes kept).
    static func splitParameters(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        for ch in s {
            if ch == "\"" { quoted.toggle() }
            if ch == ";" && !quoted {
                out.append(cur)
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        out.append(cur)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether a message with these headers needs MIME decoding at all.
    static func applies(contentType: String?, transferEncoding: String?, disposition: String? = nil) -> Bool {
        let ct = ContentType(contentType)
        let te = (transferEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        // A declared charset other than UTF-8 or ASCII (ISO-2022-JP is all 7-bit bytes, and
        // reads as its escape sequences unless decoded).
        let cs = (ct.parameters["charset"] ?? "").lowercased()
        let charset = ct.type == "text" && !cs.isEmpty && !["utf-8", "utf8", "us-ascii", "ascii"].contains(cs)
        return ct.type == "multipart" || ct.type == "message" || ct.subtype == "html" || te == "quoted-printable"
            || te == "base64" || Disposition(disposition).attachment || charset
    }

    /// A part set aside as an attachment: its bytes are decoded only when it is read.
    struct Attachment {
        enum Kind {
            /// A file for `ArticleLoading` (PDF, Word, OpenDocument, RTF, HTML, text…).
            case document
            /// A `message/rfc822` part (a forwarded mail), for `MailLoader.parse`.
            case message
        }
        var kind: Kind
        /// The file name as the message gives it (RFC 2231 and RFC 2047 decoded, without
        /// directories); nil when it gives none.
        var name: String?
        var contentType: ContentType
        var transferEncoding: String?
        var body: ArraySlice<UInt8>
    }

    /// Attachments that are not read, by kind (`image`, `signature`…), in order of first sight.
    struct Skipped {
        private(set) var counts: [(kind: String, count: Int)] = []
        var total: Int { counts.reduce(0) { $0 + $1.count } }

        mutating func add(_ kind: String) {
            if let k = counts.firstIndex(where: { $0.kind == kind }) {
                counts[k].count += 1
            } else {
                counts.append((kind, 1))
            }
        }

        /// `3 attachments not read (2 images, 1 signature)`; nil when none was skipped.
        var summary: String? {
            guard total > 0 else { return nil }
            let kinds = counts.map { "\($0.count) \($0.count == 1 ? $0.kind : MIME.plural($0.kind))" }
            return "\(total) attachment\(total == 1 ? "" : "s") not read (\(kinds.joined(separator: ", ")))"
        }
    }

    static func plural(_ kind: String) -> String {
        switch kind {
        case "audio file": return "audio files"
        case "winmail.dat": return "winmail.dat files"
        default: return kind + "s"
        }
    }

    /// What reading a message's MIME body gives: its readable text, the attachments set aside
    /// and the parts not read.
    struct Reading {
        var text: String?
        var attachments: [Attachment] = []
        var skipped = Skipped()
        /// A text part was taken as the message's own body.
        fileprivate var sawBody = false
        /// `message/rfc822` parts become attachments (else their text joins the body, as at
        /// the deepest levels of forwarding).
        fileprivate var messages = true
    }

    /// Reads a message's body: its text (as `text` gives it) and its attachments.
    ///
    /// A part is an attachment when it is not a multipart and
    /// - its `Content-Disposition` is `attachment`; or
    /// - it is a `message/rfc822` part (a forwarded mail; unless `messages` is false); or
    /// - it is not `text/*` (a PDF, a Word file, `application/octet-stream`…), whatever its
    ///   disposition; or
    /// - it is another `text/*` part that carries a file name (`filename=` or `name=`), except
    ///   a direct child of `multipart/alternative` (a version of the body) and the first
    ///   `text/plain` or `text/html` part of the message (the body itself).
    /// Images, audio, video, signatures, keys, calendar files, contact cards and winmail.dat
    /// are not read: counted in `skipped` when they carry a name or an attachment disposition,
    /// ignored otherwise (a logo in an HTML mail).
    static func read(
        contentType: String?, transferEncoding: String?, disposition: String? = nil, body: ArraySlice<UInt8>,
        messages: Bool = true
    ) -> Reading {
        var r = Reading()
        r.messages = messages
        r.text = walk(
            contentType: contentType, transferEncoding: transferEncoding, disposition: disposition, body: body,
            depth: 0,
            isPart: false, inAlternative: false, &r)
        return r
    }

    private static func walk(
        contentType: String?, transferEncoding: String?, disposition: String?, body: ArraySlice<UInt8>, depth: Int,
        isPart: Bool, inAlternative: Bool, _ r: inout Reading
    ) -> String? {
        guard depth <= maxDepth else { return nil }
        let ct = ContentType(contentType)
        let disp = Disposition(disposition)
        // (A message's own entity is an attachment when it is not text, or says it is one.)
        if ct.type != "multipart" && (isPart || (ct.type != "text" && ct.type != "message") || disp.attachment) {
            let name = filename(disposition: disp.parameters, type: ct.parameters)
            let attached = disp.attachment
            if let kind = skippedKind(ct, name: name) {
                if attached || name != nil { r.skipped.add(kind) }
                return nil
            }
            let isRFC822 = ct.type == "message" && (ct.subtype == "rfc822" || ct.subtype == "global")
            let bodyText = ct.type == "text" && (ct.subtype == "plain" || ct.subtype == "html")
            let attachment: Bool
            if isRFC822 {
                attachment = r.messages
            } else if attached || ct.type != "text" && ct.type != "message" {
                attachment = true
            } else if name != nil && !inAlternative {
                attachment = !bodyText || r.sawBody
            } else {
                attachment = false
            }
            if attachment {
                r.attachments.append(
                    Attachment(
                        kind: isRFC822 ? .message : .document, name: name, contentType: ct,
                        transferEncoding: transferEncoding, body: body))
                return nil
            }
            if bodyText { r.sawBody = true }
        }
        switch ct.type {
        case "multipart":
            guard let boundary = ct.parameters["boundary"], !boundary.isEmpty else {
                return decodeText(body, ct: ct, transferEncoding: transferEncoding)
            }
            let alternative = ct.subtype == "alternative"
            let parts = split(body, boundary: boundary).map { part -> (ContentType, String?) in
                let (h, b) = partHeaders(part)
                let pct = ContentType(h["content-type"])
                let t = walk(
                    contentType: h["content-type"], transferEncoding: h["content-transfer-encoding"],
                    disposition: h["content-disposition"], body: b, depth: depth + 1, isPart: true,
                    inAlternative: alternative, &r)
                return (pct, t)
            }
            if alternative {
                if let plain = parts.first(where: { $0.0.type == "text" && $0.0.subtype == "plain" && $0.1 != nil }) {
                    return plain.1
                }
                return parts.last(where: { $0.1 != nil })?.1
            }
            let texts = parts.compactMap(\.1).filter { !$0.isEmpty }
            return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
        case "message":
            let (h, b) = partHeaders(decodeTransfer(body, transferEncoding)[...])
            return walk(
                contentType: h["content-type"], transferEncoding: h["content-transfer-encoding"], disposition: nil,
                body: b, depth: depth + 1, isPart: false, inAlternative: false, &r)
        case "text":
            return decodeText(body, ct: ct, transferEncoding: transferEncoding)
        default:
            return nil
        }
    }

    /// A `Content-Disposition` header: `attachment` or not, and its parameters.
    struct Disposition {
        var attachment = false
        var parameters: [String: String] = [:]

        init(_ header: String?) {
            guard let header else { return }
            let ct = ContentType(header)
            parameters = ct.parameters
            let first = MIME.splitParameters(header).first ?? ""
            attachment = first.trimmingCharacters(in: .whitespaces).lowercased() == "attachment"
        }
    }

    /// The most continuation segments of an RFC 2231 parameter read.
    static let maxSegments = 100
    /// The longest file name kept (in characters; longer ones are cut).
    static let maxNameLength = 200

    /// An attachment's file name: the disposition's `filename`, else the type's `name`, each in
    /// any of its forms: RFC 2231 (`filename*=UTF-8''%E2%82%AC.pdf`, continuations
    /// `filename*0*=`, `filename*1=`…), RFC 2047 encoded-words, plain. Directories (`/`, `\`)
    /// and control characters are removed; nil when nothing is left.
    static func filename(disposition: [String: String], type: [String: String]) -> String? {
        for (key, params) in [("filename", disposition), ("name", type)] {
            if let v = parameter(key, params).map(cleanName), !v.isEmpty { return v }
        }
        return nil
    }

    static func parameter(_ key: String, _ p: [String: String]) -> String? {
        if let v = p[key + "*"] {
            return rfc2231(v, extended: true, first: true).map { decodeCharset($0.1, charset: $0.0) }
        }
        if p[key + "*0*"] != nil || p[key + "*0"] != nil {
            var bytes: [UInt8] = []
            var charset: String?
            for k in 0..<maxSegments {
                if let v = p["\(key)*\(k)*"], let (cs, b) = rfc2231(v, extended: true, first: k == 0) {
                    if k == 0 { charset = cs }
                    bytes += b
                } else if let v = p["\(key)*\(k)"] {
                    bytes += Array(v.utf8)
                } else {
                    break
                }
            }
            return decodeCharset(bytes, charset: charset)
        }
        return p[key].map(MailLoader.decodeEncodedWords)
    }

    /// An RFC 2231 value: `charset'language'%XX…` (the first segment) or `%XX…` (later ones),
    /// as its charset and bytes.
    static func rfc2231(_ v: String, extended: Bool, first: Bool) -> (String?, [UInt8])? {
        var value = Substring(v)
        var charset: String?
        if first {
            let pieces = v.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if pieces.count == 3 {
                charset = pieces[0].isEmpty ? nil : pieces[0].lowercased()
                value = pieces[2]
            }
        }
        let u = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = MarkupScan.hexValue(u[i + 1]),
                let l = MarkupScan.hexValue(u[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return (charset, out)
    }

    /// The last path component, without control characters and outer blanks, at most
    /// `maxNameLength` characters; `.` and `..` are no names.
    static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var s = ""
        for u in last.unicodeScalars {
            switch u.value {
            case 0..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069: s.unicodeScalars.append(" ")
            default: s.unicodeScalars.append(u)
            }
        }
        s = s.trimmingCharacters(in: .whitespaces)
        if s.count > maxNameLength { s = String(s.prefix(maxNameLength)) }
        return s == "." || s == ".." ? "" : s
    }

    /// The kind of attachment that is not read (`image`, `signature`…), by its type or, for a
    /// generic type, its file name's extension; nil for one to read.
    static func skippedKind(_ ct: ContentType, name: String?) -> String? {
        let type = ct.type + "/" + ct.subtype
        let ext = name.flatMap { n in n.lastIndex(of: ".").map { n[n.index(after: $0)...].lowercased() } } ?? ""
        if name?.lowercased() == "winmail.dat" || type == "application/ms-tnef" || type == "application/vnd.ms-tnef" {
            return "winmail.dat"
        }
        switch ct.type {
        case "image": return "image"
        case "audio": return "audio file"
        case "video": return "video"
        default: break
        }
        switch type {
        case "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature":
            return "signature"
        case "application/pkcs7-mime", "application/x-pkcs7-mime": return "encrypted part"
        case "text/calendar", "application/ics", "text/x-vcalendar": return "calendar file"
        case "text/vcard", "text/x-vcard", "text/directory": return "contact card"
        default: break
        }
        if type.hasPrefix("application/pgp") { return type == "application/pgp-keys" ? "key" : "encrypted part" }
        switch ext {
        case "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "svg", "ico": return "image"
        case "mp3", "wav", "m4a", "aac", "ogg", "oga", "flac", "amr", "wma": return "audio file"
        case "mp4", "mov", "avi", "mkv", "webm", "wmv", "m4v", "3gp": return "video"
        case "p7s", "sig": return "signature"
        case "p7m": return "encrypted part"
        case "ics", "vcs": return "calendar file"
        case "vcf": return "contact card"
        default: return nil
        }
    }

    /// A name for an attachment that gives none: `attachment` with the extension of its type.
    static func defaultName(_ a: Attachment) -> String {
        if a.kind == .message { return "message.eml" }
        let ext: String
        switch a.contentType.type + "/" + a.contentType.subtype {
        case "application/pdf": ext = ".pdf"
        case "application/msword": ext = ".doc"
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ext = ".docx"
        case "application/vnd.oasis.opendocument.text": ext = ".odt"
        case "application/vnd.openxmlformats-officedocument.presentationml.presentation": ext = ".pptx"
        case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ext = ".xlsx"
        case "application/vnd.oasis.opendocument.presentation": ext = ".odp"
        case "application/vnd.oasis.opendocument.spreadsheet": ext = ".ods"
        case "application/rtf", "text/rtf": ext = ".rtf"
        case "application/epub+zip": ext = ".epub"
        case "text/html": ext = ".html"
        case "text/plain": ext = ".txt"
        default: ext = ""
        }
        return "attachment" + ext
    }

    /// An attachment's bytes (transfer encoding undone), or nil when they would exceed `cap`.
    static func decodeAttachment(_ a: Attachment, cap: Int) -> [UInt8]? {
        switch (a.transferEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64":
            return base64Lenient(a.body, cap: cap)
        case "quoted-printable":
            // Never longer than its encoding.
            if a.body.count <= cap { return quotedPrintable(a.body) }
            let d = quotedPrintable(a.body)
            return d.count <= cap ? d : nil
        default:
            return a.body.count <= cap ? Array(a.body) : nil
        }
    }

    /// Base64 read leniently and in one pass: characters outside the alphabet (line breaks,
    /// blanks, junk) are passed over; padding ends a group (the bytes it holds are kept, and
    /// decoding goes on, as for pieces encoded one after another). nil when the output would
    /// exceed `cap` bytes.
    static func base64Lenient(_ b: ArraySlice<UInt8>, cap: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(max(0, min(cap, b.count / 4 * 3 + 3)))
        var acc: UInt32 = 0
        var n = 0
        func partial() -> Bool {
            defer {
                acc = 0
                n = 0
            }
            guard n >= 2 else { return true }
            guard out.count + n - 1 <= cap else { return false }
            acc <<= UInt32(6 * (4 - n))
            out.append(UInt8(truncatingIfNeeded: acc >> 16))
            if n == 3 { out.append(UInt8(truncatingIfNeeded: acc >> 8)) }
            return true
        }
        for c in b {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="):
                guard partial() else { return nil }
                continue
            default: continue
            }
            acc = acc << 6 | v
            n += 1
            if n == 4 {
                guard out.count + 3 <= cap else { return nil }
                out.append(UInt8(truncatingIfNeeded: acc >> 16))
                out.append(UInt8(truncatingIfNeeded: acc >> 8))
                out.append(UInt8(truncatingIfNeeded: acc))
                acc = 0
                n = 0
            }
        }
        return partial() ? out : nil
    }

    private static func decodeText(_ body: ArraySlice<UInt8>, ct: ContentType, transferEncoding: String?) -> String {
        let bytes = decodeTransfer(body, transferEncoding)
        let s = decodeCharset(bytes, charset: ct.parameters["charset"])
        return ct.subtype == "html" ? HTMLText.plain(s) : s
    }

    static func decodeTransfer(_ body: ArraySlice<UInt8>, _ encoding: String?) -> [UInt8] {
        switch (encoding ?? "").trimmingCharacters(in: .whitespaces).lowercased() {
        case "quoted-printable": return quotedPrintable(body)
        case "base64": return base64(body) ?? Array(body)
        default: return Array(body)
        }
    }

    /// `=XX` escapes and `=` soft line breaks; anything else as written.
    static func quotedPrintable(_ b: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = b.startIndex
        let hex = MarkupScan.hexValue
        while i < b.endIndex {
            let c = b[i]
            if c == UInt8(ascii: "=") {
                // Soft line break: "=" then optional blanks then CRLF or LF.
                var j = i + 1
                while j < b.endIndex && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
                if j < b.endIndex && b[j] == 0x0D { j += 1 }
                if j < b.endIndex && b[j] == 0x0A {
                    i = j + 1
                    continue
                }
                if i + 2 < b.endIndex, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    static func base64(_ b: ArraySlice<UInt8>) -> [UInt8]? {
        var clean: [UInt8] = []
        clean.reserveCapacity(b.count)
        for c in b where c > 0x20 { clean.append(c) }
        while clean.count % 4 != 0 { clean.append(UInt8(ascii: "=")) }
        guard let d = Data(base64Encoded: Data(clean)) else { return nil }
        return Array(d)
    }

    /// Bytes in a declared charset to text: Latin-1 and Windows-1252 (Latin-1 plus Windows'
    /// punctuation); UTF-8, ASCII, an undeclared or unknown charset by the text-file rules
    /// (UTF-8, a legacy East Asian encoding, else Latin-1); any other charset iconv knows
    /// (ISO-2022-JP, Shift_JIS, GB2312, Big5, EUC-KR, KOI8-R, windows-1251, ISO-8859-5…) by iconv.
    static func decodeCharset(_ bytes: [UInt8], charset: String?) -> String {
        let cs = (charset ?? "").lowercased()
        // Bytes that are UTF-8 beyond ASCII are UTF-8 whatever a byte charset says (a mailer
        // that labels UTF-8 text ISO-8859-1): Latin-1 or East Asian text practically never is.
        if !cs.hasPrefix("utf-16") && !cs.hasPrefix("utf-32") && !cs.hasPrefix("ucs"),
            bytes.withUnsafeBufferPointer(XMLRepair.isUTF8BeyondASCII)
        {
            return String(decoding: bytes, as: UTF8.self)
        }
        switch cs {
        case "iso-8859-1", "latin1", "latin-1", "iso-8859-15":
            return TextDecoding.latin1(bytes)
        case "windows-1252", "cp1252":
            return String(data: Data(bytes), encoding: .windowsCP1252) ?? TextDecoding.latin1(bytes)
        case "", "utf-8", "utf8", "us-ascii", "ascii":
            return TextDecoding.decode(bytes).0
        default:
            return Charsets.decode(bytes, charset: cs) ?? TextDecoding.decode(bytes).0
        }
    }

    /// The end of the line starting at `start` (its line feed's index, or the end) and the start
    /// of the next line.
    @inline(__always)
    static func line(_ b: ArraySlice<UInt8>, from start: Int) -> (end: Int, next: Int) {
        var e = start
        while e < b.endIndex && b[e] != 0x0A { e += 1 }
        return (e, e < b.endIndex ? e + 1 : e)
    }

    /// The parts between `--boundary` delimiter lines (preamble and epilogue dropped).
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delim = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let (lineEnd, next) = line(body, from: lineStart)
            let line = body[lineStart..<lineEnd]
            if line.count >= delim.count && line.starts(with: delim) {
                let rest = line.dropFirst(delim.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                if closing || rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let s = partStart {
                        // The line break before a delimiter belongs to the delimiter.
                        var e = lineStart
                        if e > s && body[e - 1] == 0x0A { e -= 1 }
                        if e > s && body[e - 1] == 0x0D { e -= 1 }
                        parts.append(body[s..<e])
                    }
                    if closing { return parts }
                    partStart = next
                }
            }
            lineStart = next
        }
        // No closing delimiter: the last part runs to the end.
        if let s = partStart, s < body.endIndex { parts.append(body[s..<body.endIndex]) }
        return parts
    }

    /// A part's header lines (names lowercased, continuations joined) and its body.
    static func partHeaders(_ part: ArraySlice<UInt8>) -> ([String: String], ArraySlice<UInt8>) {
        var h: [String: String] = [:]
        var last: String?
        var i = part.startIndex
        while i < part.endIndex {
            let (e, next) = line(part, from: i)
            var le = e
            if le > i && part[le - 1] == 0x0D { le -= 1 }
            if le == i { return (h, part[next..<part.endIndex]) }
            let line = String(decoding: part[i..<le], as: UTF8.self)
            if line.first == " " || line.first == "\t" {
                if let l = last { h[l, default: ""] += " " + line.trimmingCharacters(in: .whitespaces) }
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                if h[name] == nil { h[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
                last = name
            } else {
                // Not a header: a part without headers.
                return ([:], part)
            }
            i = next
        }
        return (h, part[part.endIndex...])
    }
}
