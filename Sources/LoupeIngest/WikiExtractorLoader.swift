import LoupeCore

/// WikiExtractor output (decompressed): `<doc id="…" url="…" title="…">` lines, the article's
/// text, and `</doc>` lines, with no root element. The text is not XML (raw `&`, `<`, stray
/// `<br>`), so this is a line scanner, not libxml2. One article per `<doc>`:
/// - id: the `id` attribute (a page id, unique within a file — and a small integer that other
///   corpora's numeric ids can collide with in a shared index); without one, `path#n`.
/// - link: the `url` attribute as given (the enwiki dumps give relative `?curid=…` URLs).
/// - title: the `title` attribute, entities decoded.
/// - body: the text after the first line when that line repeats the title (WikiExtractor
///   always writes it), else all the text; well-formed tags (`<br>`, `<ref …>`) removed, known
///   entities decoded, stray `&` and `<` kept; paragraphs (lines) kept, blank runs collapsed.
///   Articles with an empty body (redirects and stubs, common in these dumps) are kept: their
///   title is still searchable.
/// - A `<doc>` without `</doc>` ends at the next `<doc>` or the end of the file (warning).
/// - authors: none (wiki pages have editors, not bylines, and the dumps name none).
public struct WikiExtractorLoader {
    public init() {}

    static let docName = Array("doc".utf8)
    static let closeLine = Array("</doc>".utf8)

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        bytes.withUnsafeBufferPointer { load($0, relativePath: relativePath) }
    }

    private struct Open {
        var tag: MarkupScan.Tag
        var line: Int
    }

    private func load(_ b: MarkupScan.Bytes, relativePath: String) -> LoadResult {
        var result = LoadResult()
        var open: Open?
        var line = 0
        var i = 0
        var notes = EncodingNotes()
        var budget = WarningBudget()

        func finish(_ o: Open, bodyEnd: Int) {
            let n = result.articles.count
            result.articles.append(
                article(b, o.tag, bodyEnd: bodyEnd, relativePath: relativePath, position: n, notes: &notes))
        }

        while i < b.count {
            line += 1
            let lineEnd = MarkupScan.next(0x0A, b, from: i, to: b.count) ?? b.count
            if b[i] == UInt8(ascii: "<") {
                var e = lineEnd
                while e > i && MarkupScan.isSpace(b[e - 1]) { e -= 1 }
                if e - i == Self.closeLine.count && MarkupScan.nameIs(b, i..<e, Self.closeLine) {
                    if let o = open {
                        finish(o, bodyEnd: i)
                        open = nil
                    }
                } else if let t = Self.docTag(b, i..<e) {
                    if let o = open {
                        if budget.allow("<doc>s without </doc>") {
                            result.diagnostics.append(
                                Diagnostic(
                                    path: relativePath, line: o.line,
                                    message: "<doc> without </doc>; ends at line \(line)",
                                    severity: .warning))
                        }
                        finish(o, bodyEnd: i)
                    }
                    open = Open(tag: t, line: line)
                }
            }
            i = lineEnd + 1
        }
        if let o = open {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: o.line, message: "<doc> without </doc> at the end of the file",
                    severity: .warning))
            finish(o, bodyEnd: b.count)
        }
        result.diagnostics += budget.summary(path: relativePath)
        result.diagnostics += notes.diagnostics(b, path: relativePath)
        if result.articles.isEmpty {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "no <doc> articles", severity: .note))
        }
        return result
    }

    /// A `<doc id=... url=... title=...>` line (read leniently: a title with a raw quote still
    /// opens an article).
    static func docTag(_ b: MarkupScan.Bytes, _ line: Range<Int>) -> MarkupScan.Tag? {
        let i = line.lowerBound
        guard line.count >= 6, b[line.upperBound - 1] == UInt8(ascii: ">"), b[i + 4] == 0x20 || b[i + 4] == 0x09,
            MarkupScan.nameIs(b, (i + 1)..<(i + 4), docName)
        else { return nil }
        let t = MarkupScan.Tag(
            start: i, end: line.upperBound, name: (i + 1)..<(i + 4), closing: false,
            attributes: (i + 4)..<(line.upperBound - 1))
        return MarkupScan.attribute(b, t, idName) != nil ? t : nil
    }

    static let idName = Array("id".utf8)

    private func article(
        _ b: MarkupScan.Bytes, _ tag: MarkupScan.Tag, bodyEnd: Int, relativePath: String, position: Int,
        notes: inout EncodingNotes
    ) -> Article {
        func attr(_ name: String) -> String? {
            MarkupScan.attribute(b, tag, Array(name.utf8)).map { MarkupScan.decodeAttribute(b, $0) }
        }
        let title = attr("title") ?? ""
        let id = attr("id").flatMap { $0.isEmpty ? nil : $0 } ?? "\(relativePath)#\(position)"
        let url = attr("url").flatMap { $0.isEmpty ? nil : $0 }

        // The body starts on the line after the <doc> tag; drop the first non-blank line when it
        // repeats the title.
        var start = MarkupScan.next(0x0A, b, from: tag.end, to: bodyEnd).map { $0 + 1 } ?? bodyEnd
        while start < bodyEnd && MarkupScan.isSpace(b[start]) { start += 1 }
        let firstEnd = MarkupScan.next(0x0A, b, from: start, to: bodyEnd) ?? bodyEnd
        var first = MarkupText(keepLines: false)
        first.append(b, start..<firstEnd, mode: .tags)
        if first.string == title || (title.isEmpty && !first.isEmpty) { start = firstEnd }
        var body = MarkupText(keepLines: true)
        body.append(b, start..<bodyEnd, mode: .tags)
        notes.note(first)
        notes.note(body)
        return Article(
            id: id, title: title.isEmpty ? first.string : title, body: body.string, link: url, source: relativePath,
            position: position)
    }
}

extension MarkupScan {
    /// An attribute value with its entities decoded, on one line.
    static func decodeAttribute(_ b: Bytes, _ r: Range<Int>) -> String { MarkupText.decode(b, r) }
}
