import LoupeCore

/// TREC-style files: a sequence of `<DOC> <DOCNO>…</DOCNO> … <TEXT>…</TEXT> </DOC>` with no root
/// element (AP, WSJ, FT, LA Times, FBIS, …). Read with a byte scanner, not libxml2, which cannot
/// recover such files; markup inside is SGML-ish (unclosed `<P>`, raw `&` and `<`).
///
/// - Documents are delimited by `<DOC>` … `</DOC>` only: an unclosed `<P>` or a stray `<` inside
///   never merges two documents. A `<DOC>` without `</DOC>` ends at the next `<DOC>` (warning).
/// - id: `<DOCNO>`, trimmed; else the `<DOC>`'s own `id` attribute (LDC's Gigaword, AQUAINT-2 and
///   TAC files: `<DOC id="AFP_ENG_20090531.0001" type="story">`); without either, `path#n` and a
///   warning.
/// - title: the first non-empty of `<TITLE>`, `<HEADLINE>`, `<HL>`, `<HEAD>`, FBIS's `<TI>`, the
///   Federal Register's `<DOCTITLE>` and the Congressional Record's `<TTL>` (inner tags removed);
///   the Financial Times' `FT  14 MAY 91 / ` before a headline is left out (it repeats the date).
/// - date: `<DATE>` (or `<DATE1>`, `<DD>`, AQUAINT's `<DATE_TIME>`) when present and readable: RFC
///   822, ISO 8601 (also basic `19910514`), `YYMMDD` (FT), `MM/DD/YY[YY]` (WSJ), `January 1, 1989,
///   Sunday` (LA Times). Else the day an LDC newswire id names (`AFP_ENG_20090531.0001`,
///   `APW19980601.0003`: Gigaword and AQUAINT have no date element), a TREC AP id
///   (`AP880212-0001`) or a Federal Register one (`FR940104-0-00001`).
/// - categories: the first part of `<SECTION>` (LA Times: `Metro; Part 2; Page 1` → `Metro`).
/// - authors: every closed `<BYLINE>` and `<AUTHOR>` element (LA Times, FT, AP, WSJ), in order,
///   inner tags removed, through `Bylines.names` (`By JANE DOE, Times Staff Writer` → `JANE
///   DOE`). A later byline that is only an affiliation (AP's second `<BYLINE>Associated Press
///   Writer</BYLINE>`) is no name.
/// - body: every `<TEXT>` element, and the San Jose Mercury News' `<LEADPARA>` (its first
///   paragraph, kept outside `<TEXT>`), in order, inner tags removed (block tags → line breaks);
///   a document with neither gets all its content except the id, header, title and date
///   elements.
/// - entities: `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`, numeric references and the HTML names
///   are decoded; a stray `&` or a `<` that does not start a well-formed tag is left as is.
public struct TRECLoader {
    public init() {}

    static let docName = Array("DOC".utf8)
    static let docnoName = Array("DOCNO".utf8)
    static let idName = Array("id".utf8)
    static let textName = Array("TEXT".utf8)
    static let titleNames = ["TITLE", "HEADLINE", "HL", "HEAD", "TI", "DOCTITLE", "TTL"].map { Array($0.utf8) }
    static let leadName = Array("LEADPARA".utf8)
    static let sectionName = Array("SECTION".utf8)
    static let dateNames = ["DATE", "DATE1", "DD", "DATE_TIME"].map { Array($0.utf8) }
    static let authorNames = ["BYLINE", "AUTHOR"].map { Array($0.utf8) }
    /// Left out of the fallback body (no `<TEXT>`).
    static let metaNames = ["DOCNO", "DOCOLDNO", "DOCID", "DOCHDR", "FILEID", "FIRST", "SECOND"].map { Array($0.utf8) }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        bytes.withUnsafeBufferPointer { load($0, relativePath: relativePath) }
    }

    private func load(_ b: MarkupScan.Bytes, relativePath: String) -> LoadResult {
        var result = LoadResult()
        var pos = 0
        var notes = EncodingNotes()
        var lines = LineCounter()
        var budget = WarningBudget()
        while let open = MarkupScan.findTag(b, Self.docName, closing: false, in: pos..<b.count) {
            var end = b.count
            var next = b.count
            var closed = false
            var i = open.end
            while let lt = MarkupScan.next(UInt8(ascii: "<"), b, from: i, to: b.count) {
                if let t = MarkupScan.tag(b, at: lt, limit: b.count), MarkupScan.nameIs(b, t.name, Self.docName) {
                    end = lt
                    next = t.closing ? t.end : lt
                    closed = t.closing
                    break
                }
                i = lt + 1
            }
            let n = result.articles.count
            if !closed && budget.allow("<DOC>s without </DOC>") {
                result.diagnostics.append(
                    Diagnostic(
                        path: relativePath, line: lines.line(at: open.start, in: b),
                        message:
                            "<DOC> without </DOC>; read up to \(next < b.count ? "the next <DOC>" : "the end of the file")",
                        severity: .warning))
            }
            var t = Doc(b: b, content: open.end..<end)
            var article = t.article(relativePath: relativePath, position: n)
            if article.id.isEmpty, let v = MarkupScan.attribute(b, open, Self.idName) {
                article.id = t.text(v, mode: .tags)
            }
            if article.date == nil { article.date = Self.dateOfID(article.id) }
            if article.id.isEmpty {
                article.id = "\(relativePath)#\(n)"
                if budget.allow("<DOC>s without <DOCNO>") {
                    result.diagnostics.append(
                        Diagnostic(
                            path: relativePath, line: lines.line(at: open.start, in: b),
                            message: "<DOC> without <DOCNO>; id \(article.id)", severity: .warning))
                }
            }
            notes.latin1At = notes.latin1At ?? t.notes.latin1At
            notes.invalidAt = notes.invalidAt ?? t.notes.invalidAt
            result.articles.append(article)
            pos = max(next, open.end)
        }
        result.diagnostics += budget.summary(path: relativePath)
        result.diagnostics += notes.diagnostics(b, path: relativePath)
        if result.articles.isEmpty {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "no <DOC> documents", severity: .note))
        }
        return result
    }

    private struct Doc {
        let b: MarkupScan.Bytes
        let content: Range<Int>
        var notes = EncodingNotes()

        init(b: MarkupScan.Bytes, content: Range<Int>) {
            self.b = b
            self.content = content
        }

        mutating func text(_ r: Range<Int>, mode: MarkupText.Mode, keepLines: Bool = false) -> String {
            var t = MarkupText(keepLines: keepLines)
            t.append(b, r, mode: mode)
            note(t)
            return t.string
        }

        mutating func note(_ t: MarkupText) { notes.note(t) }

        mutating func article(relativePath: String, position: Int) -> Article {
            var used: [Range<Int>] = []
            var id = ""
            if let e = MarkupScan.element(b, TRECLoader.docnoName, in: content) {
                id = text(e.content, mode: .tags)
            }
            var title = ""
            for name in TRECLoader.titleNames {
                guard let e = MarkupScan.element(b, name, in: content) else { continue }
                let t = TRECLoader.withoutFTDate(text(e.content, mode: .tags))
                if !t.isEmpty {
                    title = t
                    used.append(e.open.start..<e.end)
                    break
                }
            }
            var date: String?
            for name in TRECLoader.dateNames {
                guard let e = MarkupScan.element(b, name, in: content) else { continue }
                used.append(e.open.start..<e.end)
                if let d = TRECLoader.date(text(e.content, mode: .tags)) {
                    date = d
                    break
                }
            }
            // The LA Times' (and the San Jose Mercury News') `<SECTION>`: its first part, before
            // the page (`Metro; Part 2; Page 1; Column 1` → `Metro`).
            var categories: [String] = []
            if let e = MarkupScan.element(b, TRECLoader.sectionName, in: content) {
                used.append(e.open.start..<e.end)
                let first = text(e.content, mode: .tags).split(separator: ";").first.map {
                    String($0).trimmingWhitespace()
                }
                if let first, !first.isEmpty, first.utf8.count <= 40, first.contains(where: \.isLetter),
                    !first.hasPrefix("Page ")
                {
                    categories.append(first)
                }
            }
            var authors: [String] = []
            // One pass for both names, so that bylines keep their order.
            var i = content.lowerBound
            while let lt = MarkupScan.next(UInt8(ascii: "<"), b, from: i, to: content.upperBound) {
                i = lt + 1
                guard let t = MarkupScan.tag(b, at: lt, limit: content.upperBound), !t.closing,
                    let name = TRECLoader.authorNames.first(where: { MarkupScan.nameIs(b, t.name, $0) }),
                    let close = MarkupScan.findTag(b, name, closing: true, in: t.end..<content.upperBound)
                else { continue }
                let v = text(t.end..<close.start, mode: .tags)
                if authors.isEmpty || Bylines.droppingBy(v) != v || !Bylines.isAffiliation(v) {
                    Bylines.add(v, to: &authors)
                }
                i = close.end
            }
            var body = MarkupText(keepLines: true)
            let texts =
                (MarkupScan.elements(b, TRECLoader.leadName, in: content)
                + MarkupScan.elements(b, TRECLoader.textName, in: content)).sorted { $0.open.start < $1.open.start }
            if !texts.isEmpty {
                for e in texts {
                    body.append(b, e.content, mode: .tags)
                    body.lineBreak()
                }
            } else {
                for name in TRECLoader.metaNames {
                    if let e = MarkupScan.element(b, name, in: content) { used.append(e.open.start..<e.end) }
                }
                used.sort { $0.lowerBound < $1.lowerBound }
                var from = content.lowerBound
                for r in used where r.lowerBound >= from {
                    body.append(b, from..<r.lowerBound, mode: .tags)
                    body.lineBreak()
                    from = r.upperBound
                }
                body.append(b, from..<content.upperBound, mode: .tags)
            }
            note(body)
            let bodyText = id.hasPrefix("FBIS") ? TRECLoader.withoutFBISHeader(body.string) : body.string
            return Article(
                id: id, title: title, body: bodyText, date: date, categories: categories, authors: authors,
                source: relativePath, position: position)
        }
    }

    /// An FBIS document's text without the header lines every one of them opens with —
    /// `Language: Spanish`, `Article Type:BFN` — and the `[Text]` mark before the story (its
    /// other bracketed notes, `[Report by …]`, say who wrote it and stay).
    static func withoutFBISHeader(_ text: String) -> String {
        var rest = text[...]
        while true {
            let blank = rest.prefix { $0 == " " || $0 == "\n" || $0 == "\t" }
            let line = rest.dropFirst(blank.count).prefix { $0 != "\n" }
            guard line.utf8.count <= 60, line.hasPrefix("Language:") || line.hasPrefix("Article Type:") else { break }
            rest = rest.dropFirst(blank.count + line.count)
        }
        rest = rest.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
        if rest.hasPrefix("[Text]") { rest = rest.dropFirst(6).drop { $0 == " " || $0 == "\t" } }
        return rest.startIndex == text.startIndex ? text : String(rest)
    }

    /// `headline` without the Financial Times' date line before it: `FT  14 MAY 91 / Jobless
    /// pay` → `Jobless pay` (the whole headline when that is all there is).
    static func withoutFTDate(_ headline: String) -> String {
        let u = Array(headline.utf8)
        guard u.count > 12, u[0] == UInt8(ascii: "F"), u[1] == UInt8(ascii: "T"), u[2] == 0x20 else { return headline }
        var k = 2
        while k < u.count && u[k] == 0x20 { k += 1 }
        // Day (1–2 digits), month (3 capitals), year (2 digits), then " / ".
        var d = 0
        while k < u.count && MarkupScan.isDigit(u[k]) && d < 2 {
            k += 1
            d += 1
        }
        guard d > 0, k + 11 <= u.count, u[k] == 0x20, (1...3).allSatisfy({ u[k + $0] &- 65 < 26 }), u[k + 4] == 0x20,
            MarkupScan.isDigit(u[k + 5]), MarkupScan.isDigit(u[k + 6]), u[k + 7] == 0x20, u[k + 8] == UInt8(ascii: "/")
        else { return headline }
        let rest = String(decoding: u[(k + 9)...], as: UTF8.self).trimmingWhitespace()
        return rest.isEmpty ? headline : rest
    }

    /// The day an LDC newswire id names: `AFP_ENG_20090531.0001` (Gigaword, AQUAINT-2, TAC),
    /// `APW19980601.0003` (AQUAINT), a TREC AP id, `AP880212-0001`, or a Federal Register one,
    /// `FR940104-0-00001`; nil for other ids.
    static func dateOfID(_ id: String) -> String? {
        let u = Array(id.utf8)
        func digits(_ r: Range<Int>) -> String? {
            r.upperBound <= u.count && u[r].allSatisfy(MarkupScan.isDigit)
                ? String(decoding: u[r], as: UTF8.self) : nil
        }
        func upper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
        // Letters (and underscores), then 8 digits, a dot and 4 digits.
        var k = 0
        while k < u.count && (upper(u[k]) || u[k] == UInt8(ascii: "_")) { k += 1 }
        if k >= 2, u.count == k + 13, u[k + 8] == UInt8(ascii: "."), let d = digits(k..<(k + 8)),
            digits((k + 9)..<(k + 13)) != nil
        {
            return DateParsing.iso("\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))")
        }
        // AP, then 6 digits (YYMMDD), a dash and 4 digits.
        if u.count == 13, id.hasPrefix("AP"), u[8] == UInt8(ascii: "-"), let d = digits(2..<8),
            digits(9..<13) != nil
        {
            return DateParsing.iso("19\(d.prefix(2))-\(d.dropFirst(2).prefix(2))-\(d.suffix(2))")
        }
        // The Federal Register: FR, then 6 digits (YYMMDD), a dash, then digits and dashes
        // (`FR940104-0-00001`; its documents have no date element, the day is in their text).
        if u.count > 9, id.hasPrefix("FR"), u[8] == UInt8(ascii: "-"), let d = digits(2..<8),
            u[9...].allSatisfy({ MarkupScan.isDigit($0) || $0 == UInt8(ascii: "-") }),
            u[9...].contains(where: MarkupScan.isDigit)
        {
            return DateParsing.iso("19\(d.prefix(2))-\(d.dropFirst(2).prefix(2))-\(d.suffix(2))")
        }
        return nil
    }

    /// The date forms of TREC collections (see the type's comment); nil when unreadable.
    static func date(_ raw: String) -> String? {
        let s = raw.trimmingWhitespace()
        if s.isEmpty { return nil }
        let u = Array(s.utf8)
        if u.count == 6 && u.allSatisfy(MarkupScan.isDigit) {
            // YYMMDD (FT).
            let yy = Int(s.prefix(2))!
            return DateParsing.iso("\(yy < 50 ? 2000 + yy : 1900 + yy)-\(s.dropFirst(2).prefix(2))-\(s.suffix(2))")
        }
        let slash = s.split(separator: "/")
        if slash.count == 3, let m = Int(slash[0]), let d = Int(slash[1]),
            let y0 = Int(slash[2].prefix { $0.isASCII && $0.isNumber }), (1...12).contains(m), (1...31).contains(d)
        {
            let y = slash[2].prefix { $0.isNumber }.count == 2 ? (y0 < 50 ? 2000 + y0 : 1900 + y0) : y0
            func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return DateParsing.iso("\(y)-\(p2(m))-\(p2(d))")
        }
        return LoaderDates.iso(s)
    }
}
