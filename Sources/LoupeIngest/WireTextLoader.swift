import LoupeCore

/// News-agency wire text as it came over the wire: ANPA-1312 (the Associated Press and other
/// American services) and IPTC 7901 (dpa and other European services). A file holds one or more
/// messages, each `SOH` header `STX` text `ETX` trailer, ended by `EOT`; control characters
/// mark the parts and lay out tables.
///
/// - ANPA-1312: the header's last line is the slug (`BC-BKN--Heat-Hawks 1stLd-Writethru 02-20
///   0500`); in the text, lines opening with `^` are the headline group: the slug repeated
///   (`^BC-…`), the headline (the first other one), editors' notes (`^Eds: …`), photo notes
///   (`^AP Photo …`), the byline (`^By PAUL BYRNE=`, the author) and its affiliation line
///   (`^Associated Press=`); `<` and `=` end lines; the story's paragraphs are indented. The
///   trailer `AP-WF-11-13-13 1509GMT` gives the date.
/// - IPTC 7901: the header's last line is the keyword (`Germany-politics/`); the text's first
///   line is the headline (its `=` dropped), the rest the story; the trailer `131137 GMT Nov 13`
///   gives the day, hour and minute (UTC).
///
/// id: the file's path (`path#n` for the n-th message of a file of several); a message with no
/// text gives nothing. Control characters inside the text are blanks. Bytes are UTF-8, else
/// Windows-1252 (a warning names the line, as for text files).
enum WireTextLoader {
    static let soh: UInt8 = 0x01, stx: UInt8 = 0x02, etx: UInt8 = 0x03, eot: UInt8 = 0x04

    /// A file that opens (after `SYN`s and blanks) with `SOH` and has an `STX` within its first
    /// kilobyte.
    static func looks(_ b: [UInt8]) -> Bool {
        var i = 0
        while i < b.count && i < 16 && (b[i] == 0x16 || b[i] == 0x0A || b[i] == 0x0D) { i += 1 }
        guard i < b.count, b[i] == soh else { return false }
        return b[i..<min(b.count, i + 1024)].contains(stx)
    }

    static func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var result = LoadResult()
        let (text, outcome) = TextDecoding.decode(bytes)
        if case .latin1(let line) = outcome {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: line, message: "not valid UTF-8; read as Latin-1 (Windows-1252)",
                    severity: .warning))
        }
        // Messages: from each SOH to the next EOT (or SOH, or the end).
        let scalars = Array(text.unicodeScalars)
        var messages: [(header: String, body: String, trailer: String)] = []
        var i = 0
        while i < scalars.count {
            guard scalars[i].value == UInt32(soh) else {
                i += 1
                continue
            }
            var j = i + 1
            while j < scalars.count && scalars[j].value != UInt32(eot) && scalars[j].value != UInt32(soh) { j += 1 }
            let m = scalars[(i + 1)..<j]
            let s = m.firstIndex { $0.value == UInt32(stx) }
            let e = m.firstIndex { $0.value == UInt32(etx) }
            func str(_ r: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(r)) }
            if let s {
                let end = e.map { $0 > s ? $0 : m.endIndex } ?? m.endIndex
                messages.append(
                    (str(m[m.startIndex..<s]), str(m[(s + 1)..<end]), end < m.endIndex ? str(m[(end + 1)...]) : ""))
            }
            i = j
        }
        for (n, m) in messages.enumerated() {
            let id = messages.count == 1 ? relativePath : "\(relativePath)#\(n)"
            if var a = article(m.header, m.body, m.trailer) {
                a.id = id
                a.source = relativePath
                a.position = n
                result.articles.append(a)
            }
        }
        if result.articles.isEmpty {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "wire text with no story in it", severity: .note))
        }
        return result
    }

    /// A line with its control characters as blanks, trimmed.
    static func clean(_ s: Substring) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars { out.append(u.value < 0x20 || u.value == 0x7F ? " " : u) }
        return String(out).trimmingWhitespace()
    }

    static func lines(_ s: String) -> [String] {
        s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map {
            clean($0)
        }
    }

    /// `s` without the line-end marks `<` and `=` at its end.
    static func unmarked(_ s: String) -> String {
        var t = Substring(s)
        while let l = t.last, l == "<" || l == "=" || l == " " { t = t.dropLast() }
        return String(t)
    }

    static func article(_ header: String, _ text: String, _ trailer: String) -> Article? {
        let head = lines(header).filter { !$0.isEmpty }
        let body = lines(text)
        let anpa =
            header.unicodeScalars.contains { $0.value == 0x13 || $0.value == 0x11 }
            || body.contains { $0.hasPrefix("^") }
        var title = ""
        var authors: [String] = []
        var paragraphs: [String] = []
        if anpa {
            var slug = ""
            var afterByline = false
            for line in body {
                // The text's first line repeats the slug (`^BC-BKN--Heat-Hawks, 1st Ld-Writethru,416<`,
                // `^*9006< ^AP-Top-Entertainment-Headlines,0176<`): the title when there is no other.
                if slug.isEmpty && line.hasPrefix("^") {
                    slug = slugTitle(line)
                    if slug.isEmpty { slug = " " }
                    continue
                }
                guard line.hasPrefix("^") else {
                    afterByline = false
                    let t = unmarked(line)
                    if !t.isEmpty { paragraphs.append(t) }
                    continue
                }
                let t = unmarked(String(line.dropFirst())).trimmingWhitespace()
                if t.isEmpty || t == "END" || t.hasPrefix("Eds:") || t.hasPrefix("AP Photo") {
                    continue
                }
                if t.hasPrefix("By ") {
                    Bylines.add(t, to: &authors)
                    afterByline = true
                    continue
                }
                // The byline's affiliation (`^Associated Press=`, `^AP Sports Writer=`).
                if afterByline && line.hasSuffix("=") {
                    afterByline = false
                    continue
                }
                afterByline = false
                if title.isEmpty {
                    title = t
                } else {
                    paragraphs.append(t)
                }
            }
            if title.isEmpty { title = slug.trimmingWhitespace() }
        } else {
            var rest = body[...]
            while let f = rest.first, f.isEmpty { rest = rest.dropFirst() }
            // A designation before the headline (`1ST LEAD`, `URGENT`, `CORRECTION`): short,
            // in capitals, with a line of text after it.
            if let f = rest.first, f.count <= 20, f == f.uppercased(), f.contains(where: \.isLetter),
                let next = rest.dropFirst().first, !next.isEmpty
            {
                rest = rest.dropFirst()
            }
            if let f = rest.first {
                title = unmarked(f)
                rest = rest.dropFirst()
            }
            // The byline under the headline (`By Manuel Schwarz, dpa =`).
            if let f = rest.first, f.hasPrefix("By "), f.hasSuffix("=") {
                Bylines.add(unmarked(f), to: &authors)
                rest = rest.dropFirst()
            }
            for l in rest where !l.isEmpty { paragraphs.append(unmarked(l)) }
            if title.isEmpty, let k = head.last { title = k }
        }
        guard !title.isEmpty || !paragraphs.isEmpty else { return nil }
        return Article(
            id: "", title: title, body: paragraphs.joined(separator: "\n"), date: date(trailer), authors: authors,
            source: "")
    }

    /// A slug line as a title: its last `^` part, without the service's category prefix
    /// (`BC-WEA--`) and the word count after a comma: `Global Weather-Fahrenheit`.
    static func slugTitle(_ line: String) -> String {
        var t = Substring(unmarked(String(line.split(separator: "^").last ?? "")))
        if t.hasPrefix("BC-"), let r = t.range(of: "--") { t = t[r.upperBound...] }
        if let comma = t.lastIndex(of: ",") {
            let after = t[t.index(after: comma)...]
            if after.allSatisfy({ $0.isNumber || $0 == " " }) { t = t[..<comma] }
        }
        return String(t).trimmingWhitespace()
    }

    /// ANPA's `AP-WF-11-13-13 1509GMT` (month, day, year, hour and minute) or IPTC 7901's
    /// `131137 GMT Nov 13` (day, hour, minute; month; year).
    static func date(_ trailer: String) -> String? {
        let words = clean(Substring(trailer)).split(separator: " ").map(String.init)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        func digits(_ s: Substring) -> Int? { s.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(s) : nil }
        func year(_ y: Int) -> Int { y < 50 ? 2000 + y : 1900 + y }
        for (k, w) in words.enumerated() {
            // ANPA: …-MM-DD-YY HHMMGMT
            let parts = w.split(separator: "-")
            if parts.count >= 3, let m = digits(parts[parts.count - 3]), let d = digits(parts[parts.count - 2]),
                let y = digits(parts[parts.count - 1]), parts[parts.count - 1].count == 2, k + 1 < words.count
            {
                let t = words[k + 1].prefix(4)
                if t.count == 4, let hm = digits(t) {
                    return DateParsing.iso("\(year(y))-\(p2(m))-\(p2(d))T\(p2(hm / 100)):\(p2(hm % 100)):00Z")
                }
            }
            // IPTC 7901: DDHHMM GMT Mon YY
            if w.count == 6, let v = digits(Substring(w)), k + 3 < words.count, words[k + 1] == "GMT",
                let m = DateParsing.monthIndex(Substring(words[k + 2])), let y = digits(Substring(words[k + 3])),
                words[k + 3].count == 2
            {
                let (d, h, mi) = (v / 10000, v / 100 % 100, v % 100)
                return DateParsing.iso("\(year(y))-\(p2(m))-\(p2(d))T\(p2(h)):\(p2(mi)):00Z")
            }
        }
        return nil
    }
}
