import Foundation

/// MIME bodies of mail messages (RFC 2045–2046): transfer encodings (quoted-printable, base64),
/// charsets, and multipart entities, reduced to the message's readable text.
///
/// - `multipart/alternative`: the `text/plain` part, else the best other part;
/// - other multiparts (`mixed`, `related`, `signed`, …): the text of every readable part, in
///   order; attachments (`Content-Disposition: attachment`) and non-text parts are skipped;
/// - `text/html` becomes plain text; `message/rfc822` parts give their own body's text.
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
    static func applies(contentType: String?, transferEncoding: String?) -> Bool {
        let ct = ContentType(contentType)
        let te = (transferEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return ct.type == "multipart" || ct.type == "message" || ct.subtype == "html" || te == "quoted-printable"
            || te == "base64"
    }

    /// The readable text of an entity, or nil when it has none (an attachment, an image, …).
    static func text(
        contentType: String?, transferEncoding: String?, disposition: String? = nil, body: ArraySlice<UInt8>,
        depth: Int = 0
    ) -> String? {
        guard depth <= maxDepth else { return nil }
        let ct = ContentType(contentType)
        if let d = disposition, d.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("attachment") {
            return nil
        }
        switch ct.type {
        case "multipart":
            guard let boundary = ct.parameters["boundary"], !boundary.isEmpty else {
                return decodeText(body, ct: ct, transferEncoding: transferEncoding)
            }
            let parts = split(body, boundary: boundary).map { part -> (ContentType, String?) in
                let (h, b) = partHeaders(part)
                let pct = ContentType(h["content-type"])
                let t = text(
                    contentType: h["content-type"], transferEncoding: h["content-transfer-encoding"],
                    disposition: h["content-disposition"], body: b, depth: depth + 1)
                return (pct, t)
            }
            if ct.subtype == "alternative" {
                if let plain = parts.first(where: { $0.0.type == "text" && $0.0.subtype == "plain" && $0.1 != nil }) {
                    return plain.1
                }
                return parts.last(where: { $0.1 != nil })?.1
            }
            let texts = parts.compactMap(\.1).filter { !$0.isEmpty }
            return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
        case "message":
            let (h, b) = partHeaders(decodeTransfer(body, transferEncoding)[...])
            return text(
                contentType: h["content-type"], transferEncoding: h["content-transfer-encoding"], body: b,
                depth: depth + 1)
        case "text":
            return decodeText(body, ct: ct, transferEncoding: transferEncoding)
        default:
            return nil
        }
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
