#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns HTML (or text with HTML entities) into plain text: tags removed (`script` and `style`
/// contents too), block tags become line breaks, entities decoded, whitespace collapsed. In
/// HTML that marks its lines (`<p>`, `<div>`, `<br>`…), a line break of the source is a blank
/// outside `<pre>`, as a browser shows it: a paragraph wrapped at 72 columns, as mailers and
/// feed generators write them, is one line of text. Text without such tags (entities, links
/// only) keeps its lines, and so does text whose lines a loader made itself (`keepingLines`: a
/// wire story's paragraphs, read from XML elements, that quote some escaped HTML).
/// Works on UTF-8 bytes: it runs on every item of every feed.
public enum HTMLText {
    public static func plain(_ html: String, keepingLines: Bool = false) -> String {
        var h = html
        return h.withUTF8 { b -> String in
            if !b.contains(0x3C) && !b.contains(0x26) { return collapse(b) }
            return collapse(strip(b, keepingLines: keepingLines))
        }
    }

    /// As `plain`, and once more when the text, which held no markup, still holds some: a feed
    /// that escaped its HTML twice (`&amp;lt;p&amp;gt;`, as Reddit's RSS does) would otherwise
    /// show and index its tags and attributes as words. HTML that writes a tag as text
    /// (`<code>&lt;br /&gt;</code>`) keeps it.
    public static func plainUnescapingTwice(_ html: String) -> String {
        let once = plain(html)
        return holdsMarkup(once) && !holdsMarkup(html) ? plain(once) : once
    }

    /// Whether text holds an HTML end tag of a block or inline element (`</p>`, `</a>`), a
    /// `<br>` (`<br/>`, `<br />`) or a comment: markup, not text about it.
    static func holdsMarkup(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { s -> Bool in
            let n = s.count
            guard let base = s.baseAddress else { return false }
            var i = 0
            while i + 3 < n {
                // To the next `<` at once (most text has none).
                guard let p = memchr(base + i, 0x3C, n - i - 3) else { return false }
                i = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
                defer { i += 1 }
                if s[i + 1] == 0x21 && s[i + 2] == 0x2D && s[i + 3] == 0x2D { return commentEnd(s, from: i + 2) != nil }
                let closing = s[i + 1] == 0x2F
                var name: [UInt8] = []
                var k = readName(s, from: closing ? i + 2 : i + 1, to: n, longest: 12, into: &name)
                if closing {
                    if k < n && s[k] == 0x3E && (blockTags.contains(name) || inlineTags.contains(name)) { return true }
                } else if name == Array("br".utf8) {
                    while k < n && (s[k] == 0x20 || s[k] == 0x2F) { k += 1 }
                    if k < n && s[k] == 0x3E { return true }
                }
            }
            return false
        }
    }

    /// Elements that begin and end lines (HTML's block-level elements, with `br`).
    private static let blockTags: Set<[UInt8]> = Set(
        [
            "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table",
            "pre", "hr", "dl", "dt", "dd", "figure", "figcaption", "caption", "section", "article", "aside",
            "header", "footer", "nav", "main", "address", "details", "summary", "form", "fieldset", "center",
        ].map { Array($0.utf8) })

    private static let preName = Array("pre".utf8)
    /// A blank inside `<pre>`, marked by `strip` for `collapse` to keep (ASCII's unit and
    /// record separators, never text).
    static let preSpace: UInt8 = 0x1F
    static let preTab: UInt8 = 0x1E

    /// Whether `s` marks its lines with tags: a start or end tag of a block element or `<br>`
    /// (`blockTags`). Its source line breaks are then blanks, as HTML's are; text with links
    /// or emphasis only (`<a>`, `<b>`) may be text whose lines are its author's, and keeps them.
    static func marksLines(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        guard let base = s.baseAddress else { return false }
        var i = 0
        var name: [UInt8] = []
        while i + 1 < n {
            guard let p = memchr(base + i, 0x3C, n - i - 1) else { return false }
            i = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base + 1
            let k = readName(s, from: s[i] == 0x2F ? i + 1 : i, to: n, longest: 12, into: &name)
            guard k < n, !name.isEmpty, blockTags.contains(name) else { continue }
            if s[k] == 0x3E || s[k] == 0x2F || isSpace(s[k]) { return true }
        }
        return false
    }

    /// Inline elements: their tags separate nothing (`<b>opened</b>.` is "opened.", as a
    /// browser shows it, not "opened ."); any other tag is a blank.
    private static let inlineTags: Set<[UInt8]> = Set(
        [
            "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
            "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
            "var", "wbr",
        ].map { Array($0.utf8) })

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
    }

    @inline(__always) private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
    }

    /// Removes tags and decodes entities; block tags become newlines, inline tags nothing, other
    /// tags spaces; in HTML that marks its lines (`marksLines`), the source's line breaks
    /// outside `<pre>` spaces, unless `keepingLines`.
    static func strip(_ s: UnsafeBufferPointer<UInt8>, keepingLines: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        let n = s.count
        var i = 0
        var skipUntil: [UInt8]?
        let html = !keepingLines && marksLines(s)
        var pre = 0  // open `<pre>` elements
        while i < n {
            let c = s[i]
            if c == 0x3C {  // <
                // A comment ends at `-->`, not at a `>` inside it (`<!-- <b> -->`); unclosed, it
                // ends at the next `>` as any other tag would.
                if skipUntil == nil && i + 3 < n && s[i + 1] == 0x21 && s[i + 2] == 0x2D && s[i + 3] == 0x2D,
                    let e = commentEnd(s, from: i + 2)
                {
                    i = e
                    continue
                }
                var j = i + 1
                while j < n && s[j] != 0x3E { j += 1 }
                if j >= n {
                    if skipUntil == nil { out.append(c) }
                    i += 1
                    continue
                }
                var k = i + 1
                let closing = k < n && s[k] == 0x2F
                if closing { k += 1 }
                // A tag's name begins with a letter, as browsers read it: `<3`, `1<2>3` and
                // `x < y` are text.
                let letter = k < j && MarkupScan.isLetter(s[k])
                var name: [UInt8] = []
                k = readName(s, from: k, to: j, into: &name)
                let special = i + 1 < n && (s[i + 1] == 0x21 || s[i + 1] == 0x3F)  // <! or <?
                if !letter && !special && !closing {
                    if skipUntil == nil { out.append(c) }  // a literal '<'
                    i += 1
                    continue
                }
                // A `>` inside a quoted attribute value does not end the tag (`<a title="a>b">`),
                // when the quote closes.
                if !name.isEmpty && !closing, let e = tagEnd(s, from: k) { j = e }
                if let skip = skipUntil {
                    if closing && name == skip { skipUntil = nil }
                } else if name == preName {
                    pre = closing ? max(0, pre - 1) : pre + 1
                    out.append(0x0A)
                } else if !closing && (name == Array("script".utf8) || name == Array("style".utf8)) {
                    skipUntil = name
                } else if blockTags.contains(name) {
                    out.append(0x0A)
                } else if !inlineTags.contains(name) {
                    out.append(0x20)
                }
                i = j + 1
                continue
            }
            if skipUntil != nil {
                i += 1
                continue
            }
            if html && pre == 0 && (c == 0x0A || c == 0x0D) {
                out.append(0x20)
                i += 1
                continue
            }
            // Inside `<pre>` a blank is kept as written (`collapse` writes the marks back as
            // blanks); the marks themselves, were they in the text, are blanks to collapse.
            if c == preSpace || c == preTab {
                out.append(0x20)
                i += 1
                continue
            }
            if pre > 0 && (c == 0x20 || c == 0x09) {
                out.append(c == 0x20 ? preSpace : preTab)
                i += 1
                continue
            }
            if c == 0x26 {  // &
                var j = i + 1
                while j < n && j - i <= 32 && s[j] != 0x3B && s[j] != 0x26 && s[j] != 0x3C && !isSpace(s[j]) { j += 1 }
                if j < n && s[j] == 0x3B,
                    let d = decodeEntity(String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<j]), as: UTF8.self))
                {
                    out.append(contentsOf: d.utf8)
                    i = j + 1
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// Reads the tag name at `from` (letters and digits, before `to`, at most `longest` of them)
    /// into `name`, lowercased; the index past it.
    static func readName(
        _ s: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, longest: Int = .max, into name: inout [UInt8]
    ) -> Int {
        name.removeAll(keepingCapacity: true)
        var k = from
        while k < end && isAlnum(s[k]) && name.count < longest {
            name.append(s[k] | (s[k] >= 0x41 && s[k] <= 0x5A ? 0x20 : 0))
            k += 1
        }
        return k
    }

    /// The index just past the `-->` that ends a comment whose `--` starts at `from` (`<!-->`
    /// and `<!--->` are whole comments, as in HTML), or nil when none does.
    static func commentEnd(_ s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var p = from
        let n = s.count
        while p + 2 < n {
            if s[p] == 0x2D && s[p + 1] == 0x2D && s[p + 2] == 0x3E { return p + 3 }
            p += 1
        }
        return nil
    }

    /// The `>` that ends a start tag whose attributes begin at `from`, quoted values passed over;
    /// nil when a quoted value does not close (the first `>` is then the end).
    private static func tagEnd(_ s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var p = from
        let n = s.count
        while p < n {
            let c = s[p]
            if c == 0x3E { return p }
            p += 1
            guard c == 0x3D else { continue }  // =
            while p < n && isSpace(s[p]) { p += 1 }
            guard p < n, s[p] == 0x22 || s[p] == 0x27 else { continue }
            let q = s[p]
            p += 1
            while p < n && s[p] != q { p += 1 }
            guard p < n else { return nil }
            p += 1
        }
        return nil
    }

    static func decodeEntity(_ name: String) -> String? {
        if name.hasPrefix("#") {
            let body = name.dropFirst()
            let v: UInt32?
            if body.hasPrefix("x") || body.hasPrefix("X") {
                v = UInt32(body.dropFirst(), radix: 16)
            } else {
                v = UInt32(body, radix: 10)
            }
            guard let code = v, let u = Unicode.Scalar(code), code != 0 else { return nil }
            return String(u)
        }
        return named[name]
    }

    /// Whitespace runs become one space, except that line breaks are kept (one at most in a row).
    /// ASCII whitespace and U+00A0 count as blanks; `strip`'s marks of a `<pre>`'s blanks are
    /// written back as they were.
    static func collapse(_ s: String) -> String {
        var t = s
        return t.withUTF8 { collapse($0) }
    }

    static func collapse(_ b: [UInt8]) -> String { b.withUnsafeBufferPointer { collapse($0) } }

    static func collapse(_ b: UnsafeBufferPointer<UInt8>) -> String {
        // Written straight into the string's storage (an array appended a byte at a time, then
        // copied, was most of the cost). At most 3 bytes out for 2 in (a C1 control's
        // character), and a blank before it that 1 byte in gave.
        String(unsafeUninitializedCapacity: b.count * 2 + 16) { out in
            collapse(b, into: out.baseAddress!)
        }
    }

    private static func collapse(_ b: UnsafeBufferPointer<UInt8>, into o: UnsafeMutablePointer<UInt8>) -> Int {
        var k = 0
        @inline(__always) func put(_ c: UInt8) {
            o[k] = c
            k += 1
        }
        var pendingSpace = false
        var pendingBreak = false
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == 0x0A || c == 0x0D {
                pendingBreak = true
                i += 1
            } else if c == 0x20 || c == 0x09 || c == 0x0C || c == 0x0B {
                pendingSpace = true
                i += 1
            } else if c == preSpace || c == preTab {
                // A blank `strip` kept inside `<pre>`: written as it was, after a pending break.
                if pendingBreak && k != 0 { put(0x0A) }
                pendingBreak = false
                pendingSpace = false
                if k != 0 { put(c == preSpace ? 0x20 : 0x09) }
                i += 1
            } else if c == 0xC2 && i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0xA0 {
                let x = b[i + 1]
                i += 2
                if x == 0xA0 {
                    pendingSpace = true
                    continue
                }
                // A C1 control (U+0080–U+009F) in text is a Windows-1252 byte read as Latin-1
                // (feeds declared ISO-8859-1 hold curly quotes and dashes so, and browsers read
                // that label as Windows-1252): its character, or nothing for the five bytes
                // Windows-1252 leaves undefined.
                var u = HTMLText.windows1252UTF8[Int(x &- 0x80)]
                if u == 0 { continue }
                if k != 0 {
                    if pendingBreak { put(0x0A) } else if pendingSpace { put(0x20) }
                }
                pendingBreak = false
                pendingSpace = false
                while u != 0 {
                    put(UInt8(truncatingIfNeeded: u))
                    u >>= 8
                }
            } else {
                if k != 0 {
                    if pendingBreak { put(0x0A) } else if pendingSpace { put(0x20) }
                }
                pendingBreak = false
                pendingSpace = false
                put(c)
                i += 1
            }
        }
        return k
    }

    /// The UTF-8 of Windows-1252's characters for bytes 0x80–0x9F, bytes packed little-endian
    /// (0: undefined there).
    static let windows1252UTF8: [UInt32] = windows1252C1.map { v in
        guard v != 0 else { return 0 }
        var packed: UInt32 = 0
        for (k, byte) in String(Unicode.Scalar(v)!).utf8.enumerated() { packed |= UInt32(byte) << (8 * UInt32(k)) }
        return packed
    }

    /// Windows-1252's characters for bytes 0x80–0x9F (0: undefined there).
    static let windows1252C1: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E,
        0x0178,
    ]

    /// HTML 4's named entities (the Latin-1 set, typographic ones, Greek letters and symbols).
    static let named: [String: String] = {
        var m: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
            "ndash": "\u{2013}", "mdash": "\u{2014}", "lsquo": "\u{2018}", "rsquo": "\u{2019}",
            "sbquo": "\u{201A}", "ldquo": "\u{201C}", "rdquo": "\u{201D}", "bdquo": "\u{201E}",
            "hellip": "\u{2026}", "bull": "\u{2022}", "euro": "\u{20AC}", "trade": "\u{2122}",
            "dagger": "\u{2020}", "Dagger": "\u{2021}", "permil": "\u{2030}", "lsaquo": "\u{2039}",
            "rsaquo": "\u{203A}", "oelig": "\u{153}", "OElig": "\u{152}", "scaron": "\u{161}",
            "Scaron": "\u{160}", "Yuml": "\u{178}", "fnof": "\u{192}", "circ": "\u{2C6}", "tilde": "\u{2DC}",
            "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        ]
        let latin1 = [
            "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not",
            "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil",
            "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
            "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave",
            "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
            "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
            "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml",
            "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
            "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
        ]
        for (k, name) in latin1.enumerated() { m[name] = String(Unicode.Scalar(UInt32(0xA1 + k))!) }
        // HTML 4's Greek letters, arrows, mathematical and other symbols.
        let greek = [
            "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu",
            "Nu", "Xi", "Omicron", "Pi", "Rho", "", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega",
        ]
        for (k, name) in greek.enumerated() where !name.isEmpty {
            m[name] = String(Unicode.Scalar(UInt32(0x391 + k))!)
            let lower = name == "Sigma" ? "sigma" : name.lowercased()
            m[lower] = String(Unicode.Scalar(UInt32(0x3B1 + k))!)
        }
        let symbols: [(String, UInt32)] = [
            ("sigmaf", 0x3C2), ("thetasym", 0x3D1), ("upsih", 0x3D2), ("piv", 0x3D6), ("prime", 0x2032),
            ("Prime", 0x2033), ("oline", 0x203E), ("frasl", 0x2044), ("weierp", 0x2118), ("image", 0x2111),
            ("real", 0x211C), ("alefsym", 0x2135), ("larr", 0x2190), ("uarr", 0x2191), ("rarr", 0x2192),
            ("darr", 0x2193), ("harr", 0x2194), ("crarr", 0x21B5), ("lArr", 0x21D0), ("uArr", 0x21D1),
            ("rArr", 0x21D2), ("dArr", 0x21D3), ("hArr", 0x21D4), ("forall", 0x2200), ("part", 0x2202),
            ("exist", 0x2203), ("empty", 0x2205), ("nabla", 0x2207), ("isin", 0x2208), ("notin", 0x2209),
            ("ni", 0x220B), ("prod", 0x220F), ("sum", 0x2211), ("minus", 0x2212), ("lowast", 0x2217),
            ("radic", 0x221A), ("prop", 0x221D), ("infin", 0x221E), ("ang", 0x2220), ("and", 0x2227),
            ("or", 0x2228), ("cap", 0x2229), ("cup", 0x222A), ("int", 0x222B), ("there4", 0x2234), ("sim", 0x223C),
            ("cong", 0x2245), ("asymp", 0x2248), ("ne", 0x2260), ("equiv", 0x2261), ("le", 0x2264), ("ge", 0x2265),
            ("sub", 0x2282), ("sup", 0x2283), ("nsub", 0x2284), ("sube", 0x2286), ("supe", 0x2287),
            ("oplus", 0x2295), ("otimes", 0x2297), ("perp", 0x22A5), ("sdot", 0x22C5), ("lceil", 0x2308),
            ("rceil", 0x2309), ("lfloor", 0x230A), ("rfloor", 0x230B), ("lang", 0x2329), ("rang", 0x232A),
            ("loz", 0x25CA), ("spades", 0x2660), ("clubs", 0x2663), ("hearts", 0x2665), ("diams", 0x2666),
            ("lrm", 0x200E), ("rlm", 0x200F),
        ]
        for (name, v) in symbols { m[name] = String(Unicode.Scalar(v)!) }
        return m
    }()
}
