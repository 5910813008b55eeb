import LoupeCore

/// Reuters-21578 files, both the original SGML (`reut2-NNN.sgm`: `<!DOCTYPE lewis ...>`, no root
/// element, 1,000 sibling `<REUTERS>` records, control-character references such as `&#2;` and
/// `&#3;` that are illegal in XML) and S. Luz's XML version (root `<LEWIS>`). Both are read with
/// the same byte scanner, not libxml2, so the one raw Latin-1 byte of `reut2-017` is no error.
///
/// One article per `<REUTERS>` record, always, even when the record has neither `<TITLE>` nor
/// `<BODY>` (such a record is kept with what it has, possibly an empty title and body):
/// - id: the `NEWID` attribute as is (`"1"` … `"21578"`); without one, `path#n` and a warning.
///   Note that plain NEWIDs are small integers: other corpora with numeric ids indexed in the
///   same index can collide with them.
/// - title: `<TITLE>` (one line); empty when the record has none (`TYPE="UNPROC"` texts).
/// - body: `<DATELINE>` then `<BODY>`; without `<BODY>`, the rest of `<TEXT>` (UNPROC tables;
///   the `******` flash marker and the "Blah blah blah." placeholder of BRIEF items are
///   dropped). Control-character references become blanks; `&lt;` and `&amp;` are decoded;
///   the unescaped `>` stays as it is. Line breaks are kept, blank runs collapsed.
/// - date: `<DATE>` (`26-FEB-1987 15:01:01.79`) → ISO 8601 (taken as UTC).
/// - categories: the `<D>` values of `<TOPICS>` then `<PLACES>`, without repeats.
/// - authors: `<AUTHOR>` (`    By Cal Mankowski, Reuters`, entities decoded as in the other
///   fields) through `Bylines.names` → `Cal Mankowski`. About one record in twenty has one;
///   `Reuter` and all-capital forms occur, and a few typos (`Reutersd`) stay as written.
///
/// Fields that are not UTF-8 are read as Latin-1 (one warning per file).
public struct ReutersLoader {
    public init() {}

    static let reutersName = Array("REUTERS".utf8)
    static let dateName = Array("DATE".utf8)
    static let topicsName = Array("TOPICS".utf8)
    static let placesName = Array("PLACES".utf8)
    static let dName = Array("D".utf8)
    static let textName = Array("TEXT".utf8)
    static let titleName = Array("TITLE".utf8)
    static let datelineName = Array("DATELINE".utf8)
    static let bodyName = Array("BODY".utf8)
    static let authorName = Array("AUTHOR".utf8)
    static let newidName = Array("NEWID".utf8)

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        bytes.withUnsafeBufferPointer { load($0, relativePath: relativePath) }
    }

    private func load(_ b: MarkupScan.Bytes, relativePath: String) -> LoadResult {
        var result = LoadResult()
        var pos = 0
        var notes = EncodingNotes()
        var lines = LineCounter()
        var budget = WarningBudget()
        while let open = MarkupScan.findTag(b, Self.reutersName, closing: false, in: pos..<b.count) {
            // The record ends at </REUTERS>, or (unterminated) at the next <REUTERS> or the end.
            var end = b.count
            var next = b.count
            var closed = false
            var i = open.end
            while let lt = MarkupScan.next(UInt8(ascii: "<"), b, from: i, to: b.count) {
                if let t = MarkupScan.tag(b, at: lt, limit: b.count), MarkupScan.nameIs(b, t.name, Self.reutersName) {
                    end = lt
                    next = t.closing ? t.end : lt
                    closed = t.closing
                    break
                }
                i = lt + 1
            }
            let n = result.articles.count
            if !closed && budget.allow("<REUTERS> records without </REUTERS>") {
                result.diagnostics.append(
                    Diagnostic(
                        path: relativePath, line: lines.line(at: open.start, in: b),
                        message:
                            "<REUTERS> record without </REUTERS>; read up to \(next < b.count ? "the next record" : "the end of the file")",
                        severity: .warning))
            }
            var article = record(b, open: open, content: open.end..<end, relativePath: relativePath, notes: &notes)
            article.position = n
            if article.id.isEmpty {
                article.id = "\(relativePath)#\(n)"
                if budget.allow("<REUTERS> records without NEWID") {
                    result.diagnostics.append(
                        Diagnostic(
                            path: relativePath, line: lines.line(at: open.start, in: b),
                            message: "<REUTERS> record without NEWID; id \(article.id)", severity: .warning))
                }
            }
            result.articles.append(article)
            pos = max(next, open.end)
        }
        result.diagnostics += budget.summary(path: relativePath)
        result.diagnostics += notes.diagnostics(b, path: relativePath)
        if result.articles.isEmpty {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "no <REUTERS> records", severity: .note))
        }
        return result
    }

    private func record(
        _ b: MarkupScan.Bytes, open: MarkupScan.Tag, content: Range<Int>, relativePath: String,
        notes: inout EncodingNotes
    ) -> Article {
        func text(_ r: Range<Int>) -> String {
            var t = MarkupText(keepLines: false)
            t.append(b, r, mode: .entities)
            notes.note(t)
            return t.string
        }
        let id = MarkupScan.attribute(b, open, Self.newidName).map { text($0) } ?? ""

        var date: String?
        if let d = MarkupScan.element(b, Self.dateName, in: content) {
            // A few dates have a broken time (`31-MAR-1987 605:12:19.12`): keep the day then.
            let raw = text(d.content)
            date = LoaderDates.iso(raw) ?? raw.split(separator: " ").first.flatMap { LoaderDates.iso(String($0)) }
        }

        var categories: [String] = []
        for list in [Self.topicsName, Self.placesName] {
            guard let e = MarkupScan.element(b, list, in: content) else { continue }
            for d in MarkupScan.elements(b, Self.dName, in: e.content) {
                let v = text(d.content)
                if !v.isEmpty && !categories.contains(v) { categories.append(v) }
            }
        }

        var title = ""
        var body = ""
        var authors: [String] = []
        if let t = MarkupScan.element(b, Self.textName, in: content) {
            let inner = t.content
            let authorEl = MarkupScan.element(b, Self.authorName, in: inner)
            if let e = authorEl { authors = Bylines.names(text(e.content)) }
            let titleEl = MarkupScan.element(b, Self.titleName, in: inner)
            let datelineEl = MarkupScan.element(b, Self.datelineName, in: inner)
            let bodyEl = MarkupScan.element(b, Self.bodyName, in: inner)
            if let e = titleEl { title = text(e.content) }
            var out = MarkupText(keepLines: true)
            if let e = datelineEl {
                out.append(b, e.content, mode: .entities)
                out.space()
            }
            if let e = bodyEl {
                out.append(b, e.content, mode: .entities)
                body = out.string
            } else {
                // No <BODY>: the rest of <TEXT>, without its TITLE, DATELINE and AUTHOR elements.
                var skip = [titleEl, datelineEl, authorEl]
                    .compactMap { $0 }.map { $0.open.start..<$0.end }
                skip.sort { $0.lowerBound < $1.lowerBound }
                var from = inner.lowerBound
                for r in skip where r.lowerBound >= from {
                    out.append(b, from..<r.lowerBound, mode: .entities)
                    out.space()
                    from = r.upperBound
                }
                out.append(b, from..<inner.upperBound, mode: .entities)
                body = Self.dropBriefFiller(out.string)
            }
            notes.note(out)
        }
        return Article(
            id: id, title: title, body: body, date: date, categories: categories, authors: authors, source: relativePath
        )
    }

    /// BRIEF items: `******<TITLE>...</TITLE>Blah blah blah.` carry no text of their own.
    static func dropBriefFiller(_ s: String) -> String {
        var t = Substring(s)
        while let f = t.first, f == "*" || f == " " || f == "\n" { t = t.dropFirst() }
        if t == "Blah blah blah." || t == "Blah blah blah" { return "" }
        return String(t)
    }
}
