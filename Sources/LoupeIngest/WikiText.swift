/// MediaWiki wikitext to plain text, for `MediaWikiLoader`: what a reader sees of an article's
/// prose, not a renderer. Linear in the input, whatever it holds (every pass is a single scan;
/// unterminated constructs are left as text, never searched for again and again):
/// - dropped: templates and parser functions `{{…}}` (nested), tables `{| … |}` (nested, at
///   line starts), `<ref>…</ref>` and `<ref …/>`, HTML comments, `<gallery>`, `<math>`,
///   `<syntaxhighlight>` / `<source>` and a few other extension blocks, behaviour switches
///   (`__TOC__`), File/Image links (captions too), interlanguage links (`[[de:…]]`), bare
///   external links `[http://x]`;
/// - kept as their text: other HTML tags (`<small>x</small>` → `x`), `<nowiki>` and `<pre>`
///   (literally), internal links (`[[T]]` → `T`, `[[T|label]]` → `label`, `[[T]]s` → `Ts`),
///   labelled external links (`[http://x label]` → `label`), headings (`== H ==` → `H`);
/// - removed: bold and italic quotes, list markers at line starts, `----` rules;
/// - category links are collected (their names, without sort keys) and removed;
/// - HTML entities decoded; runs of blanks and of blank lines collapsed.
enum WikiText {
    static func plain(_ s: String) -> (text: String, categories: [String]) {
        var b = Array(s.utf8)
        // Control bytes stand for protected characters (inside <nowiki>) below.
        for i in b.indices where b[i] < 0x20 && b[i] != 0x0A && b[i] != 0x09 { b[i] = 0x20 }
        b = tags(b)
        b = dropTemplatesAndTables(b)
        var categories: [String] = []
        b = links(b, &categories)
        b = lines(b)
        return (finish(b), categories)
    }

    // MARK: - Bytes

    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
    private static let lbrace = UInt8(ascii: "{"), rbrace = UInt8(ascii: "}"), pipe = UInt8(ascii: "|")
    private static let lbracket = UInt8(ascii: "["), rbracket = UInt8(ascii: "]"), nl = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), quote = UInt8(ascii: "'")
    private static let colon = UInt8(ascii: ":"), equals = UInt8(ascii: "="), underscore = UInt8(ascii: "_")

    @inline(__always) private static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
    @inline(__always) private static func lower(_ c: UInt8) -> UInt8 {
        c >= 0x41 && c <= 0x5A ? c | 0x20 : c
    }

    private static func starts(_ b: [UInt8], _ i: Int, _ p: [UInt8], ignoringCase: Bool = false) -> Bool {
        guard i + p.count <= b.count else { return false }
        for k in p.indices where (ignoringCase ? lower(b[i + k]) : b[i + k]) != p[k] { return false }
        return true
    }

    /// Characters that mean something to wikitext, protected inside `<nowiki>` and `<pre>` by
    /// control bytes (restored by `finish`).
    private static let protectedChars: [UInt8] = Array("{}[]'|<=_*#:;-".utf8)
    private static let protectBytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17]
    private static let protectTable: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for (c, p) in zip(protectedChars, protectBytes) { t[Int(c)] = p }
        return t
    }()
    private static let restoreTable: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 32)
        for (c, p) in zip(protectedChars, protectBytes) { t[Int(p)] = c }
        return t
    }()

    // MARK: - Pass 1: comments and tags

    /// Extension blocks dropped with their content.
    private static let droppedBlocks: Set<String> = [
        "ref", "references", "gallery", "math", "chem", "ce", "syntaxhighlight", "source", "timeline", "score",
        "graph", "hiero", "imagemap", "mapframe", "maplink", "includeonly", "templatedata", "templatestyles",
        "inputbox", "categorytree", "indicator", "charinsert", "section",
    ]
    /// Blocks whose content is literal text.
    private static let literalBlocks: Set<String> = ["nowiki", "pre"]
    /// HTML tags (and transparent extension tags) removed, their text kept.
    private static let htmlTags: Set<String> = [
        "abbr", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code", "data", "dd",
        "del", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd",
        "li", "mark", "noinclude", "ol", "onlyinclude", "p", "poem", "q", "rb", "rp", "rt", "rtc", "ruby", "s",
        "samp", "small", "span", "strike", "strong", "sub", "sup", "table", "td", "th", "time", "tr", "tt", "u",
        "ul", "var", "wbr", "blockquote", "meta", "link",
    ]
    /// Tags that stand between words (the others are inline: `x<sup>2</sup>` stays one word).
    private static let breakingTags: Set<String> = [
        "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "li", "ol", "p", "poem", "table", "td", "th", "tr", "ul",
    ]

    private struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var end: Int  // after `>`
    }

    /// A tag at `i` (`<name …>`, `</name>`, `<name/>`); nil when there is none. Its scan stops
    /// at the next `<`, so scans never overlap.
    private static func tag(_ b: [UInt8], _ i: Int) -> Tag? {
        var j = i + 1
        let closing = j < b.count && b[j] == slash
        if closing { j += 1 }
        let nameStart = j
        while j < b.count && j - nameStart <= 24
            && (MarkupScan.isLetter(b[j]) || (j > nameStart && MarkupScan.isDigit(b[j])))
        {
            j += 1
        }
        guard j > nameStart, j < b.count, isBlank(b[j]) || b[j] == nl || b[j] == slash || b[j] == gt else {
            return nil
        }
        let name = String(decoding: b[nameStart..<j].map(lower), as: UTF8.self)
        while j < b.count && b[j] != gt && b[j] != lt { j += 1 }
        guard j < b.count, b[j] == gt else { return nil }
        return Tag(name: name, closing: closing, selfClosing: b[j - 1] == slash, end: j + 1)
    }

    /// The first `</name>` at or after a position, remembered per name so that unterminated
    /// blocks do not make the scan quadratic.
    private struct Closers {
        var found: [String: (from: Int, at: Range<Int>?)] = [:]

        mutating func next(_ name: String, in b: [UInt8], from: Int) -> Range<Int>? {
            if let f = found[name], f.from <= from, f.at.map({ $0.lowerBound >= from }) ?? true { return f.at }
            let n = Array(name.utf8)
            var i = from
            var at: Range<Int>?
            while i + 2 + n.count < b.count {
                if b[i] == lt && b[i + 1] == slash && starts(b, i + 2, n, ignoringCase: true) {
                    var j = i + 2 + n.count
                    while j < b.count && (isBlank(b[j]) || b[j] == nl) { j += 1 }
                    if j < b.count && b[j] == gt {
                        at = i..<(j + 1)
                        break
                    }
                }
                i += 1
            }
            found[name] = (from, at)
            return at
        }
    }

    private static func tags(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var closers = Closers()
        let commentOpen = Array("<!--".utf8)
        let commentClose = Array("-->".utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            guard c == lt else {
                out.append(c)
                i += 1
                continue
            }
            if starts(b, i, commentOpen) {
                var j = i + 4
                while j < b.count && !starts(b, j, commentClose) { j += 1 }
                i = min(b.count, j + 3)  // unterminated: to the end, as MediaWiki does
                continue
            }
            guard let t = tag(b, i) else {
                out.append(c)
                i += 1
                continue
            }
            if droppedBlocks.contains(t.name) {
                if !t.closing && !t.selfClosing, let close = closers.next(t.name, in: b, from: t.end) {
                    i = close.upperBound
                } else {
                    i = t.end  // a stray or unterminated tag: only the tag goes
                }
            } else if literalBlocks.contains(t.name) {
                if !t.closing && !t.selfClosing, let close = closers.next(t.name, in: b, from: t.end) {
                    for k in t.end..<close.lowerBound {
                        let p = protectTable[Int(b[k])]
                        out.append(p != 0 ? p : b[k])
                    }
                    i = close.upperBound
                } else {
                    i = t.end
                }
            } else if htmlTags.contains(t.name) {
                if breakingTags.contains(t.name) { out.append(t.name == "br" || t.name == "p" ? nl : space) }
                i = t.end
            } else {
                out.append(c)  // not a tag MediaWiki knows: text
                i += 1
            }
        }
        return out
    }

    // MARK: - Pass 2: templates and tables

    /// Drops `{{…}}` and line-start `{| … |}`, nested in each other; an opener never closed
    /// stays as text. One scan pairs openers and closers on a stack; the outermost pairs are
    /// then cut out.
    private static func dropTemplatesAndTables(_ b: [UInt8]) -> [UInt8] {
        var stack: [Int] = []  // opener positions; a table's as -1 - position
        var pairs: [(open: Int, end: Int)] = []
        var lineStart = true
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == nl {
                lineStart = true
                i += 1
                continue
            }
            if i + 1 < n {
                let d = b[i + 1]
                if c == lbrace && d == lbrace {
                    stack.append(i)
                    lineStart = false
                    i += 2
                    continue
                }
                if c == lbrace && d == pipe && lineStart {
                    stack.append(-1 - i)
                    lineStart = false
                    i += 2
                    continue
                }
                if c == pipe && d == rbrace && lineStart, let top = stack.last, top < 0 {
                    stack.removeLast()
                    pairs.append((-1 - top, i + 2))
                    lineStart = false
                    i += 2
                    continue
                }
                if c == rbrace && d == rbrace, let top = stack.last, top >= 0 {
                    stack.removeLast()
                    pairs.append((top, i + 2))
                    lineStart = false
                    i += 2
                    continue
                }
            }
            if !isBlank(c) { lineStart = false }
            i += 1
        }
        guard !pairs.isEmpty else { return b }
        // Pairs come in closing order and nest: walking back, a pair opening before all the
        // later-closing ones seen so far is outermost.
        var outer: [(open: Int, end: Int)] = []
        var minOpen = Int.max
        for p in pairs.reversed() where p.open < minOpen {
            outer.append(p)
            minOpen = p.open
        }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var from = 0
        for p in outer.reversed() {
            out += b[from..<p.open]
            from = p.end
        }
        out += b[from...]
        return out
    }

    // MARK: - Pass 3: links

    /// Deepest nesting of `[[` read as links (a File caption holds links; deeper is hostile).
    private static let maxLinkDepth = 8

    private static func links(_ b: [UInt8], _ categories: inout [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var stack: [Int] = []  // where each open link's content starts in `out`
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == nl && i + 1 < n && b[i + 1] == nl {
                stack.removeAll()  // a link never spans a paragraph: unclosed ones stay text
            } else if c == lbracket && i + 1 < n && b[i + 1] == lbracket && stack.count < maxLinkDepth {
                stack.append(out.count)
                i += 2
                continue
            } else if c == rbracket && i + 1 < n && b[i + 1] == rbracket, let start = stack.popLast() {
                let content = Array(out[start...])
                out.removeSubrange(start...)
                link(content, into: &out, &categories)
                i += 2
                continue
            } else if c == lbracket, let u = externalLink(b, i) {
                out += b[u.label]
                i = u.end
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    private static let schemes: [[UInt8]] = [
        "http://", "https://", "ftp://", "ftps://", "sftp://", "//", "mailto:", "irc://", "ircs://", "news:",
        "git://", "svn://",
    ].map { Array($0.utf8) }

    /// `[url label]` at `i`: the label's range (empty for `[url]`) and the end. The scan stops
    /// at a line end or bracket, so scans never overlap.
    private static func externalLink(_ b: [UInt8], _ i: Int) -> (label: Range<Int>, end: Int)? {
        guard schemes.contains(where: { starts(b, i + 1, $0, ignoringCase: true) }) else { return nil }
        var j = i + 1
        var urlEnd: Int?
        while j < b.count && b[j] != rbracket && b[j] != nl && b[j] != lbracket {
            if urlEnd == nil && isBlank(b[j]) { urlEnd = j }
            j += 1
        }
        guard j < b.count, b[j] == rbracket else { return nil }
        var s = urlEnd.map { $0 + 1 } ?? j
        while s < j && isBlank(b[s]) { s += 1 }
        return (s..<j, j + 1)
    }

    private static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, isBlank(f) || f == nl { s.removeFirst() }
        while let l = s.last, isBlank(l) || l == nl { s.removeLast() }
        return s
    }

    private static let fileNamespaces: Set<String> = ["file", "image", "media"]

    /// A language code as interlanguage links use them: `de`, `fr`, `zh-min-nan`, `simple`.
    private static func isLanguageCode(_ p: ArraySlice<UInt8>) -> Bool {
        if p.elementsEqual("simple".utf8) { return true }
        guard let first = p.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).first,
            (2...3).contains(first.count)
        else { return false }
        return p.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-") }
    }

    /// The text of `[[content]]`, appended to `out`; a category's name goes to `categories`.
    private static func link(_ content: [UInt8], into out: inout [UInt8], _ categories: inout [String]) {
        let bar = content.firstIndex(of: pipe)
        var target = trimmed(content[..<(bar ?? content.count)])
        let leadingColon = target.first == colon
        if leadingColon { target = trimmed(target.dropFirst()) }
        if !leadingColon, let c = target.firstIndex(of: colon) {
            let prefix = trimmed(target[..<c])
            let ns = String(decoding: prefix.map(lower), as: UTF8.self).replacingOccurrences(of: "_", with: " ")
            if fileNamespaces.contains(ns) { return }
            if ns == "category" {
                let name = String(decoding: trimmed(target[(c + 1)...]), as: UTF8.self)
                    .replacingOccurrences(of: "_", with: " ").trimmingWhitespace()
                if !name.isEmpty && !categories.contains(name) { categories.append(name) }
                return
            }
            if bar == nil && isLanguageCode(prefix) { return }
        }
        if let bar {
            let label = trimmed(content[(bar + 1)...])
            if !label.isEmpty {
                out += label
                return
            }
            // The pipe trick: `[[Harbour (town)|]]` shows `Harbour`.
            var t = target
            if let c = t.firstIndex(of: colon) { t = trimmed(t[(c + 1)...]) }
            if t.last == UInt8(ascii: ")"), let p = t.lastIndex(of: UInt8(ascii: "(")) { t = trimmed(t[..<p]) }
            out += t
            return
        }
        out += target
    }

    // MARK: - Pass 4: line markup

    private static func lines(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var s = 0
        let n = b.count
        while s < n {
            let e = b[s...].firstIndex(of: nl) ?? n
            var i = s
            while i < e && isBlank(b[i]) { i += 1 }
            var end = e
            while end > i && isBlank(b[end - 1]) { end -= 1 }
            if i < end && b[i] == equals && b[end - 1] == equals && end - i >= 3 {
                // A heading: `== H ==` on a line of its own.
                var a = i
                var z = end
                while a < z && b[a] == equals { a += 1 }
                while z > a && b[z - 1] == equals { z -= 1 }
                out.append(nl)
                inline(b, a..<z, into: &out)
                out.append(nl)
            } else {
                while i < end
                    && (b[i] == UInt8(ascii: "*") || b[i] == UInt8(ascii: "#") || b[i] == colon
                        || b[i] == UInt8(ascii: ";"))
                {
                    i += 1
                }
                var dashes = i
                while dashes < end && b[dashes] == UInt8(ascii: "-") { dashes += 1 }
                if dashes - i >= 4 { i = dashes }
                inline(b, i..<end, into: &out)
            }
            out.append(nl)
            s = e + 1
        }
        return out
    }

    /// A line's text without quote runs (`''`, `'''`) and behaviour switches (`__TOC__`).
    private static func inline(_ b: [UInt8], _ r: Range<Int>, into out: inout [UInt8]) {
        var i = r.lowerBound
        while i < r.upperBound {
            let c = b[i]
            if c == quote && i + 1 < r.upperBound && b[i + 1] == quote {
                while i < r.upperBound && b[i] == quote { i += 1 }
                continue
            }
            if c == underscore && i + 1 < r.upperBound && b[i + 1] == underscore {
                var j = i + 2
                while j < r.upperBound && b[j] >= 0x41 && b[j] <= 0x5A { j += 1 }
                if j > i + 2 && j + 1 < r.upperBound && b[j] == underscore && b[j + 1] == underscore {
                    i = j + 2
                    continue
                }
            }
            out.append(c)
            i += 1
        }
    }

    // MARK: - Pass 5: entities, protected characters, blanks

    private static func finish(_ b: [UInt8]) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(b.count)
        b.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let c = p[i]
                if c == UInt8(ascii: "&"), let (scalars, next) = MarkupText.entity(p, at: i, end: p.count) {
                    for u in scalars {
                        if u == "\u{A0}" {
                            decoded.append(space)
                        } else {
                            decoded += Array(String(Character(u)).utf8)
                        }
                    }
                    i = next
                    continue
                }
                if c < 0x20, restoreTable[Int(c)] != 0 {
                    decoded.append(restoreTable[Int(c)])
                } else {
                    decoded.append(c == tab ? space : c)
                }
                i += 1
            }
        }
        // Blanks: one space between words, none at line ends, one blank line between paragraphs.
        var out: [UInt8] = []
        out.reserveCapacity(decoded.count)
        var pendingSpace = false
        var newlines = 0
        for c in decoded {
            if c == space {
                pendingSpace = true
            } else if c == nl {
                pendingSpace = false
                newlines += 1
            } else {
                if !out.isEmpty {
                    if newlines > 0 {
                        out += newlines > 1 ? [nl, nl] : [nl]
                    } else if pendingSpace {
                        out.append(space)
                    }
                }
                newlines = 0
                pendingSpace = false
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
