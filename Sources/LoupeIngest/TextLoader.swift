import Foundation
import LoupeCore

/// Plain-text articles: one file, one article.
///
/// Title heuristic: the first non-blank line when it is short (at most 120 characters) and more
/// text follows; it is then not repeated in the body. Otherwise the file name without extension.
/// Markdown and static-site posts (front matter, heading titles, links) are read as `Markdown`
/// says: their front matter may give a date, authors and categories.
public struct TextLoader {
    public static let maxTitleCharacters = 120

    public init() {}

    /// `fallbackTitle`: the title of a text with no title line (else the file name).
    public func load(_ bytes: [UInt8], relativePath: String, fallbackTitle: String? = nil) -> LoadResult {
        var result = LoadResult()
        let (text, outcome) = TextDecoding.decode(bytes)
        switch outcome {
        case .binary:
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: 1, message: "not text (binary content); skipped", severity: .warning))
            return result
        case .latin1(let line):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: line, message: "not valid UTF-8; read as Latin-1 (Windows-1252)",
                    severity: .warning))
        case .utf8WithInvalidBytes(let line):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: line, message: "invalid UTF-8 bytes replaced by U+FFFD",
                    severity: .warning))
        case .legacy(let label):
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: 1, message: "not UTF-8 and no encoding declared; read as \(label)",
                    severity: .note))
        default:
            break
        }
        let clean = text.replacingNUL()
        if clean.allSatisfy({ $0.isWhitespace }) {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "empty file", severity: .note))
            return result
        }
        // Markdown and static-site posts: front matter, heading titles, links (see `Markdown`).
        var rest = clean
        var front: Markdown.FrontMatter?
        if let (fm, after) = Markdown.frontMatter(clean) {
            front = fm
            rest = after
        }
        var markdown = front != nil || Markdown.hasMarkdownExtension(relativePath)
        if markdown { rest = Markdown.stripComments(rest) }
        var title: String
        var body: String
        if let t = front?.title {
            (title, body) = (t, String(rest.drop { TextLoader.isLineEnd($0) || $0 == "\r" }))
        } else {
            (title, body) = TextLoader.splitTitle(rest, fallback: fallbackTitle ?? TextLoader.fileTitle(relativePath))
            if let h = Markdown.headingText(title) {
                title = h
                markdown = true
            } else if let first = body.split(
                maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: TextLoader.isLineEnd
            ).first {
                // A setext heading: the title line underlined with === (or --- in a Markdown file).
                let u = first.trimmingCharacters(in: .whitespaces)
                if u.count >= 2 && (u.allSatisfy { $0 == "=" } || (markdown && u.allSatisfy { $0 == "-" })) {
                    body = String(body.dropFirst(first.count).drop(while: TextLoader.isLineEnd))
                    markdown = true
                }
            }
        }
        if markdown {
            body = Markdown.stripLinks(Markdown.stripComments(body))
            if front?.title == nil { title = Markdown.stripLinks(title) }
        }
        result.articles.append(
            Article(
                id: relativePath, title: title, body: body, date: front?.date, categories: front?.categories ?? [],
                authors: front?.authors ?? [], source: relativePath, position: 0))
        return result
    }

    /// The first non-blank line as the title (trimmed) when it is short and more text follows,
    /// the rest after any blank lines (Windows line ends made `\n`) as the body; else
    /// `fallback` and the whole text.
    /// On bytes: only the lines up to the title are made Strings (splitting a book-length text
    /// into Character lines took a fifth of indexing it).
    static func splitTitle(_ text: String, fallback: String) -> (String, String) {
        var t = text
        return t.withUTF8 { b -> (String, String) in
            let n = b.count
            /// The end of the line starting at `i` (its terminator excluded: `\n`, or `\r\n`)
            /// and where the next line starts (nil: it is the last line).
            func line(_ i: Int) -> (end: Int, next: Int?) {
                guard let base = b.baseAddress, i < n,
                    let nl = memchr(base + i, 0x0A, n - i)
                else { return (n, nil) }
                let at = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                return (at > i && b[at - 1] == 0x0D ? at - 1 : at, at + 1)
            }
            var start = 0
            while true {
                let (end, next) = line(start)
                let first = String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
                if first.allSatisfy({ $0.isWhitespace }) {
                    guard let next else { return (fallback, text) }
                    start = next
                    continue
                }
                let candidate = first.trimmingCharacters(in: .whitespaces)
                guard candidate.count <= maxTitleCharacters, var from = next else { return (fallback, text) }
                // The blank lines between the title and the text are neither.
                while case (let end, let after?) = line(from),
                    String(decoding: UnsafeBufferPointer(rebasing: b[from..<end]), as: UTF8.self)
                        .allSatisfy({ $0.isWhitespace })
                {
                    from = after
                }
                let rest = restWithLineFeeds(UnsafeBufferPointer(rebasing: b[from...]))
                if rest.allSatisfy({ $0.isWhitespace }) { return (fallback, text) }
                return (candidate, rest)
            }
        }
    }

    /// `b` with each `\r\n` made `\n`.
    static func restWithLineFeeds(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        var from = 0
        var i = 0
        while let base = b.baseAddress, i < b.count, let nl = memchr(base + i, 0x0A, b.count - i) {
            let at = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
            if at > 0 && b[at - 1] == 0x0D {
                if out.isEmpty { out.reserveCapacity(b.count) }
                out.append(contentsOf: b[from..<(at - 1)])
                from = at
            }
            i = at + 1
        }
        if out.isEmpty && from == 0 { return String(decoding: b, as: UTF8.self) }
        out.append(contentsOf: b[from...])
        return String(decoding: out, as: UTF8.self)
    }

    /// A line end: `\n`, or Windows' `\r\n` (one Character in Swift, which `\n` does not match).
    static func isLineEnd(_ c: Character) -> Bool { c == "\n" || c == "\r\n" }

    static func fileTitle(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[..<dot]) }
        return name
    }
}

extension String {
    /// NUL characters become spaces (they separate words; a C-string API would truncate).
    /// Whether the UTF-8 bytes hold `needle`: a byte scan (Foundation's `contains` of a string
    /// goes through CFString, a tenth of indexing 20 Newsgroups when asked of every body).
    func containsBytes(_ needle: String) -> Bool {
        var hay = self
        var pin = needle
        return hay.withUTF8 { h in
            pin.withUTF8 { n in
                guard let first = n.first else { return true }
                guard h.count >= n.count else { return false }
                var i = 0
                while i <= h.count - n.count {
                    if h[i] == first && UnsafeBufferPointer(rebasing: h[i..<(i + n.count)]).elementsEqual(n) {
                        return true
                    }
                    i += 1
                }
                return false
            }
        }
    }

    func replacingNUL() -> String {
        var copy = self
        guard copy.withUTF8({ $0.count > 0 && memchr($0.baseAddress!, 0, $0.count) != nil }) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0.value == 0 ? " " : $0 }))
    }
}
