import LoupeCore

/// Markdown and static-site posts among text files (Jekyll, Hugo, Eleventy, Obsidian notes).
///
/// - Front matter: a file that opens with a `---` line (YAML) or a `+++` line (TOML) and closes it
///   within its first 200 lines, holding `key: value` (or `key = value`) lines, gives `title`,
///   `date` (also `published`, `pubDate`), `author`/`authors`, and `tags`/`categories`/`keywords`
///   (inline `[a, b]`, a following `- item` list, or comma-separated). A block that names none of
///   those keys is not front matter: the file is read as it is.
/// - A title line written as a heading (`# Title`, `## Title`, or underlined with `===`/`---`)
///   loses its markup.
/// - In a Markdown file (`.md`, `.markdown`, `.mdown`, `.mkd`, or one with front matter or a
///   heading title), links and images keep their text (`[text](url)` → `text`, `![alt](url)` →
///   `alt`), so that addresses do not become words, and HTML comments are left out (a file by
///   its extension or front matter loses them before its title is found: a licence in a comment
///   is no title).
enum Markdown {
    struct FrontMatter {
        var title: String?
        var date: String?
        var authors: [String] = []
        var categories: [String] = []
    }

    static let extensions: Set<String> = ["md", "markdown", "mdown", "mkd"]

    /// Whether `path` names a Markdown file, compressed or not (`README.md`, `README.md.gz`).
    static func hasMarkdownExtension(_ path: String) -> Bool {
        var name = Substring(path)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        for suffix in [".gz", ".zst", ".xz", ".bz2"] where name.lowercased().hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
            break
        }
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The front matter of `text` and the text after it, or nil when `text` has none.
    static func frontMatter(_ text: String) -> (FrontMatter, String)? {
        guard text.hasPrefix("---") || text.hasPrefix("+++") else { return nil }
        let fence = String(text.prefix(3))
        var lines = text.split(maxSplits: 201, omittingEmptySubsequences: false, whereSeparator: TextLoader.isLineEnd)
        // (Windows line ends too: `\r` is trimmed.)
        guard lines.count > 1, lines[0].trimmingCharacters(in: .whitespacesAndNewlines) == fence else { return nil }
        guard
            let close = lines.indices.dropFirst().first(where: {
                let t = lines[$0].trimmingCharacters(in: .whitespacesAndNewlines)
                return t == fence || (fence == "---" && t == "...")
            }), close < 201
        else { return nil }
        var fm = FrontMatter()
        var known = false
        var listKey: String?
        for raw in lines[1..<close] {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let key = listKey, trimmed.hasPrefix("- ") || trimmed == "-" {
                known = add(key, [unquote(String(trimmed.dropFirst(1)))], to: &fm) || known
                continue
            }
            listKey = nil
            guard !line.hasPrefix(" ") && !line.hasPrefix("\t"),
                let sep = line.firstIndex(where: { $0 == ":" || $0 == "=" })
            else { continue }
            let key = line[..<sep].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                continue
            }
            let value = line[line.index(after: sep)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty {
                listKey = key
                continue
            }
            if value.hasPrefix("[") && value.hasSuffix("]") {
                let items = value.dropFirst().dropLast().split(separator: ",").map { unquote(String($0)) }
                known = add(key, items, to: &fm) || known
            } else if key == "tags" || key == "categories" || key == "keywords" {
                known = add(key, value.split(separator: ",").map { unquote(String($0)) }, to: &fm) || known
            } else {
                known = add(key, [unquote(value)], to: &fm) || known
            }
        }
        guard known else { return nil }
        lines.removeSubrange(0...close)
        return (fm, lines.joined(separator: "\n"))
    }

    /// Records a front-matter value; false when the key is not one Loupe reads.
    private static func add(_ key: String, _ values: [String], to fm: inout FrontMatter) -> Bool {
        let values = values.filter { !$0.isEmpty }
        switch key {
        case "title":
            if fm.title == nil, let v = values.first { fm.title = v }
        case "date", "published", "pubdate", "publishdate":
            if fm.date == nil, let v = values.first { fm.date = LoaderDates.iso(v) ?? LoaderDates.iso(joinZone(v)) }
        case "author", "authors", "byline":
            for v in values { Bylines.add(v, to: &fm.authors) }
        case "tags", "categories", "keywords", "category", "tag":
            for v in values where !fm.categories.contains(v) && fm.categories.count < 50 { fm.categories.append(v) }
        default:
            return false
        }
        return true
    }

    /// Jekyll writes `2024-03-05 10:00:00 +0100`: the zone joined to the time.
    static func joinZone(_ v: String) -> String {
        guard v.count > 19, let space = v.lastIndex(of: " "), v.distance(from: v.startIndex, to: space) >= 16,
            let sign = v[v.index(after: space)...].first, sign == "+" || sign == "-"
        else { return v }
        return String(v[..<space]) + v[v.index(after: space)...]
    }

    private static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let f = t.first, f == "\"" || f == "'", t.last == f { return String(t.dropFirst().dropLast()) }
        return t
    }

    /// A heading line's text (`## Title` → `Title`), or nil when the line is no ATX heading.
    static func headingText(_ line: String) -> String? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.first == " " || rest.first == "\t" else { return nil }
        var t = rest.trimmingCharacters(in: .whitespaces)
        while t.hasSuffix("#") { t.removeLast() }  // closing hashes
        t = t.trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : t
    }

    /// Without its HTML comments (`<!-- … -->`: a licence header, notes for editors, a
    /// generator's banner), which rendered Markdown does not show; inside a fenced code block
    /// (``` or ~~~) a comment is the code's text and stays, and so does one never closed.
    static func stripComments(_ s: String) -> String {
        guard s.containsBytes("<!--") else { return s }
        let b = Array(s.utf8)
        let n = b.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var i = 0
        var fence: UInt8 = 0  // the open fence's character, 0 outside one
        var lineStart = true
        while i < n {
            if lineStart {
                var k = i
                while k < n && k - i < 4 && b[k] == 0x20 { k += 1 }
                if k + 2 < n && (b[k] == 0x60 || b[k] == 0x7E) && b[k + 1] == b[k] && b[k + 2] == b[k]
                    && (fence == 0 || fence == b[k])
                {
                    fence = fence == 0 ? b[k] : 0
                }
            }
            if fence == 0 && b[i] == 0x3C && i + 3 < n && b[i + 1] == 0x21 && b[i + 2] == 0x2D && b[i + 3] == 0x2D,
                let end = b.withUnsafeBufferPointer({ HTMLText.commentEnd($0, from: i + 4) })
            {
                i = end
                lineStart = false
                continue
            }
            lineStart = b[i] == 0x0A
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `[![alt](image)](link)` at `i` (on one line): its alt text and the index past it.
    private static func linkedImage(_ s: String, at i: String.Index) -> (Substring, String.Index)? {
        let rest = s[s.index(after: i)...]
        guard rest.hasPrefix("![") else { return nil }
        func upTo(_ from: Substring.Index, _ stop: Character) -> Substring.Index? {
            guard let k = rest[from...].firstIndex(where: { $0 == stop || $0 == "\n" }), rest[k] == stop else {
                return nil
            }
            return k
        }
        let altStart = rest.index(rest.startIndex, offsetBy: 2)
        guard let altEnd = upTo(altStart, "]"), rest[rest.index(after: altEnd)...].hasPrefix("("),
            let imageEnd = upTo(rest.index(after: altEnd), ")"),
            rest[rest.index(after: imageEnd)...].hasPrefix("]("),
            let linkEnd = upTo(rest.index(imageEnd, offsetBy: 2), ")")
        else { return nil }
        return (rest[altStart..<altEnd], rest.index(after: linkEnd))
    }

    /// `[text](url)` → `text`, `![alt](url)` → `alt`, `[![alt](image)](link)` → `alt`; other
    /// text as it is.
    static func stripLinks(_ s: String) -> String {
        guard s.containsBytes("](") else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            // A badge: a linked image, `[![alt](image)](link)` → `alt`.
            if c == "[", let (alt, end) = linkedImage(s, at: i) {
                out += alt
                i = end
                continue
            }
            if c == "[" || (c == "!" && s.index(after: i) < s.endIndex && s[s.index(after: i)] == "[") {
                let open = c == "!" ? s.index(after: i) : i
                // The label: up to the matching `]` on the same line, then `(` … `)`.
                if let close = s[s.index(after: open)...].firstIndex(where: { $0 == "]" || $0 == "\n" }),
                    s[close] == "]",
                    s.index(after: close) < s.endIndex, s[s.index(after: close)] == "(",
                    let end = s[s.index(after: close)...].firstIndex(where: { $0 == ")" || $0 == "\n" }), s[end] == ")"
                {
                    out += s[s.index(after: open)..<close]
                    i = s.index(after: end)
                    continue
                }
            }
            out.append(c)
            i = s.index(after: i)
        }
        return out
    }
}
