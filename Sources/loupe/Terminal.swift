import Foundation

enum Terminal {
    /// Columns of the terminal on stdout (0 when stdout is not a terminal: no wrapping).
    static func width() -> Int {
        guard isatty(1) == 1 else { return 0 }
        var w = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &w) == 0 && w.ws_col > 0 { return Int(w.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 0 { return n }
        return 80
    }

    /// Text as printed: control characters (from titles or paths) escaped.
    static func clean(_ s: String) -> String {
        if !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
        ) {
            return s
        }
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) {
                out += u.value == 0x0A ? " " : "\\u{\(String(u.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// How an article without a title is named in a list: `(untitled)` and the opening words of
    /// its text (at most 60 characters, cut at a word), as feed readers show a post without a
    /// title (a Mastodon or microblog item, a wire brief).
    static func untitled(_ body: String) -> String {
        let head = body.prefix(400)
        guard
            let line = head.split(whereSeparator: \.isNewline).lazy.map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty })
        else { return "(untitled)" }
        let words = clean(line)
        guard words.count > 60 else { return "(untitled) " + words }
        var cut = words.prefix(60)
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= 20 {
            cut = cut[..<space]
        }
        return "(untitled) " + cut.trimmingCharacters(in: .whitespaces) + "…"
    }

    /// `s` cut to at most `n` characters, the cut marked with an ellipsis (at the start when
    /// `keepingEnd`).
    static func truncated(_ s: String, to n: Int, keepingEnd: Bool = false) -> String {
        if s.count <= n { return s }
        return keepingEnd ? "…" + String(s.suffix(max(n - 1, 0))) : String(s.prefix(max(n - 1, 0))) + "…"
    }

    /// A hit's byline as printed: `by Jane Doe`, `by Jane Doe and John Roe`, `by A, B, C and 2
    /// more` (the first `shown` names); nil when the article names no author.
    static func byline(_ authors: [String], shown: Int = 3) -> String? {
        if authors.isEmpty { return nil }
        let names = authors.prefix(shown).map(clean)
        let rest = authors.count - names.count
        if rest > 0 { return "by " + names.joined(separator: ", ") + " and \(rest) more" }
        if names.count == 1 { return "by " + names[0] }
        return "by " + names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// A hit's line of metadata: date, byline, id (what `show` and `related` take; a text file's
    /// is its path, shown once), source and, when given, score, joined by ` · `.
    static func hitMeta(date: String?, authors: [String], id: String, source: String, score: Float?) -> String {
        [
            date.map { String($0.prefix(10)) }, byline(authors), id == source ? nil : clean(id), clean(source),
            score.map { String(format: "score %.3f", $0) },
        ].compactMap { $0 }.joined(separator: " · ")
    }

    /// Word-wraps `text` to `width` columns (ANSI escape sequences take no room), each line
    /// starting with `indent`. Width 0: one line.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        guard width > indent.count + 20 else { return [indent + text] }
        let room = width - indent.count
        var lines: [String] = []
        var line = ""
        var visible = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = visibleLength(word)
            if visible > 0 && visible + 1 + w > room {
                lines.append(indent + line)
                line = ""
                visible = 0
            }
            if visible > 0 {
                line += " "
                visible += 1
            }
            line += word
            visible += w
        }
        if !line.isEmpty || lines.isEmpty { lines.append(indent + line) }
        return lines
    }

    private static func visibleLength(_ s: Substring) -> Int {
        var n = 0
        var inEscape = false
        for ch in s {
            if inEscape {
                if ch.isLetter { inEscape = false }
                continue
            }
            if ch == "\u{1B}" {
                inEscape = true
                continue
            }
            n += 1
        }
        return n
    }
}
