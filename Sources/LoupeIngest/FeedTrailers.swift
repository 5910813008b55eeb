import Foundation

/// The boilerplate that publishing tools add at the end of every item's text in a feed: a
/// "Continue reading…" link (The Guardian, WordPress themes), WordPress's "The post … appeared
/// first on …" footer (Yoast SEO's default), Medium's "… was originally published in … on
/// Medium, where people are continuing the conversation…", Slashdot's "Read more of this
/// story", Reddit's "submitted by /u/name [link] [comments]" and Hacker News' "Comments"
/// link. Feed readers show it; a search engine that indexes it gives every post of a site the
/// same words and snippets that end in it, so the last lines of an item's text are dropped
/// while they are such a trailer.
enum FeedTrailers {
    /// `text` (an item's text, markup already out) without its trailing boilerplate lines. Read
    /// as bytes: a line is made a string only when its first byte could begin a trailer.
    static func stripped(_ text: String) -> String {
        var t = text
        let kept = t.withUTF8 { b -> String? in
            var end = b.count
            var removed = false
            var redditLinks = false
            for _ in 0..<3 {
                var e = end
                while e > 0 && MarkupScan.isSpace(b[e - 1]) { e -= 1 }
                // The line's start: after the last line break within `maxLine` bytes before `e`.
                guard let s = lineStart(b, before: e) else { break }
                guard e > s, mayBeTrailer(b, s, e) else { break }
                let line = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
                guard isTrailer(line[...]) || redditLinks && isRedditSubmitter(line[...]) else { break }
                redditLinks = isRedditLinks(line[...])
                end = s
                removed = true
            }
            guard removed else { return nil }
            while end > 0 && MarkupScan.isSpace(b[end - 1]) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[..<end]), as: UTF8.self)
        }
        return kept ?? text
    }

    /// Trailers are short: a longer last line is text.
    static let maxLine = 512

    /// Where the line that ends at `e` starts (after the last line break before `e`, or at 0),
    /// or nil when that is over `maxLine` bytes back. Eight bytes a step.
    static func lineStart(_ b: UnsafeBufferPointer<UInt8>, before e: Int) -> Int? {
        let limit = max(0, e - maxLine)
        var j = e
        let ones: UInt64 = 0x0101_0101_0101_0101
        while j - 8 >= limit {
            let w = UnsafeRawPointer(b.baseAddress! + j - 8).loadUnaligned(as: UInt64.self) ^ (ones &* 0x0A)
            if (w &- ones) & ~w & (ones &* 0x80) != 0 { break }
            j -= 8
        }
        while j > limit {
            if b[j - 1] == 0x0A { return j }
            j -= 1
        }
        return limit == 0 ? 0 : nil
    }

    /// Whether the line `b[s..<e]` (blanks trimmed at its end) could be a trailer: it opens as
    /// one does (`continue`, `read`, `the post `, `submitted by`…, any case; punctuation such as
    /// `[…]`, `» more`), or ends as Medium's footer does.
    static func mayBeTrailer(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e && MarkupScan.isSpace(b[i]) { i += 1 }
        guard i < e else { return false }
        // `[…]`, `(more…)`, `» Read more`, `… more`, `→ Continue`, `- Read more`.
        if "[(.-<>:".utf8.contains(b[i]) { return true }
        if i + 1 < e && b[i] == 0xC2 && b[i + 1] == 0xBB { return true }
        if i + 2 < e && b[i] == 0xE2 && (b[i + 1] == 0x80 || b[i + 1] == 0x86)
            && [0xBA, 0xA6, 0x94, 0x93, 0x92].contains(b[i + 2])
        {
            return true
        }
        let first = MarkupScan.lower(b[i])
        for p in openings where p[0] == first && e - i >= p.count {
            if p.indices.allSatisfy({ MarkupScan.lower(b[i + $0]) == p[$0] }) { return true }
        }
        return e - s >= mediumEnd.count && b[(e - mediumEnd.count)..<e].elementsEqual(mediumEnd)
    }

    static let openings: [[UInt8]] = [
        "continue", "read", "the post ", "submitted by", "keep reading", "more", "full story", "view ", "comments",
    ].map { Array($0.utf8) }
    static let mediumEnd = Array("responding to this story.".utf8)

    /// Phrases of a "more" link, lowercased, once brackets, ellipses and arrows are off.
    static let moreLinks: Set<String> = [
        "continue reading", "read more", "read the full story", "read the full article", "read full story",
        "read full article", "keep reading", "more", "read the rest", "read the rest of this entry",
        "read the rest of this post", "read on", "full story", "view full article", "view article",
        "continue reading this post", "read the full post", "read full post", "",
        // Hacker News' item text is its comments link.
        "comments",
    ]

    /// Whether `line` (one line of an item's text) is a trailer. On its bytes, ASCII letters
    /// lowercased: no Foundation string search, a few hundred lines of a large feed archive.
    static func isTrailer(_ line: Substring) -> Bool {
        var l = Array(line.utf8)
        while let c = l.last, MarkupScan.isSpace(c) { l.removeLast() }
        let lead = l.prefix { MarkupScan.isSpace($0) }.count
        l.removeFirst(lead)
        guard !l.isEmpty, l.count <= 600 else { return false }
        let lower = l.map(MarkupScan.lower)
        func has(_ s: String) -> Bool { contains(lower, Array(s.utf8)) }
        func starts(_ s: String) -> Bool { lower.starts(with: s.utf8) }
        func ends(_ s: String) -> Bool { lower.reversed().starts(with: s.utf8.reversed()) }
        // WordPress (Yoast SEO): "The post <a>Title</a> appeared first on <a>Site</a>."
        if starts("the post ") && has(" appeared first on ") { return true }
        // Slashdot; Reddit's "submitted by /u/name" (the line before its links).
        if lower.elementsEqual("read more of this story at slashdot.".utf8) { return true }
        if starts("submitted by /u/") {
            // `/u/name`, or `/u/name to r/sub` or `to /r/sub` (a front page's or a multireddit's feed).
            let rest = lower.dropFirst(16).split(separator: 0x20)
            if rest.count == 1
                || rest.count == 3 && rest[1].elementsEqual("to".utf8)
                    && (rest[2].starts(with: "r/".utf8) || rest[2].starts(with: "/r/".utf8))
            {
                return true
            }
        }
        if isRedditLinks(line) { return true }
        // Medium.
        if has(" was originally published in ")
            && ends("where people are continuing the conversation by highlighting and responding to this story.")
        {
            return true
        }
        guard l.count <= 160 else { return false }
        // The words between the decoration: brackets, dots, ellipses, arrows, dashes.
        var a = 0
        var b = lower.count
        while a < b, let w = decoration(lower, at: a) { a += w }
        while a < b, let w = decorationEnding(lower, at: b) { b -= w }
        let core = lower[a..<b]
        if moreLinks.contains(String(decoding: core, as: UTF8.self)) {
            return !core.isEmpty || has("…") || has("...")
        }
        // A theme's "Continue reading <post title> →": after the title an ellipsis or an arrow.
        let tail = Array(lower[b...])
        let pointing = ["…", "...", "→", "»", "›", ">"].contains { contains(tail, Array($0.utf8)) }
        return core.starts(with: "continue reading ".utf8) && pointing && tail.count <= 6
    }

    /// Reddit's `[link] [comments]` line, also with the count (`[link] [194 comments]`) and
    /// without the blank (feeds whose markup lost its spaces).
    static func isRedditLinks(_ line: Substring) -> Bool {
        let l = line.utf8.filter { $0 != 0x20 && $0 != 0x09 }.map(MarkupScan.lower)
        guard l.starts(with: "[link][".utf8), l.count <= 40 else { return false }
        var rest = l.dropFirst(7)
        while let c = rest.first, MarkupScan.isDigit(c) || c == 0x2C { rest = rest.dropFirst() }
        return rest.elementsEqual("comments]".utf8) || rest.elementsEqual("comment]".utf8)
    }

    /// Reddit's "submitted by …" line before its `[link] [comments]` line: whatever the name
    /// and the subreddit (`submitted by /u/name to r/sub`; `submitted bynametosub` where the
    /// markup's spaces were lost).
    static func isRedditSubmitter(_ line: Substring) -> Bool {
        let l = line.utf8.drop { MarkupScan.isSpace($0) }
        let opening = "submitted by".utf8
        guard l.count <= 120, l.count >= opening.count else { return false }
        return zip(l, opening).allSatisfy { MarkupScan.lower($0) == $1 }
    }

    /// Decoration around a "more" link's words: ASCII `[](). >-:` and `…`, `»`, `›`, `→`, `—`,
    /// `–`, as their UTF-8 bytes.
    static let decorations: [[UInt8]] = [
        "[", "]", "(", ")", ".", " ", ">", "<", "-", ":", "…", "»", "›", "→", "—", "–",
    ]
    .map { Array($0.utf8) }

    /// The length of the decoration that starts at `i`, if one does.
    static func decoration(_ s: [UInt8], at i: Int) -> Int? {
        decorations.first { d in i + d.count <= s.count && s[i..<(i + d.count)].elementsEqual(d) }?.count
    }

    /// The length of the decoration that ends at `end`, if one does.
    static func decorationEnding(_ s: [UInt8], at end: Int) -> Int? {
        decorations.first { d in end - d.count >= 0 && s[(end - d.count)..<end].elementsEqual(d) }?.count
    }

    static func contains(_ s: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= s.count else { return false }
        for i in 0...(s.count - needle.count) where s[i] == needle[0] {
            if s[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// Section or tag links at the end of an item's HTML, on a line of their own (after `<br>`,
    /// after a paragraph, or as a paragraph), each of whose words name its own address's last
    /// path segment: `<br /><a href="https://www.ft.com/markets?segmentId=…">Markets</a>` ends
    /// every item of the Financial Times' feeds (`…>Markets</a>, <a …/the-big-read?…>The Big
    /// Read</a>` some), `<p><a href="/world/middle-east">Middle East</a></p>`. A feed reader
    /// shows them as links to the sections; as text they gave every such item the words and a
    /// snippet ending in them. Returns the HTML before them and the sections' names (which become
    /// categories), or nil. A line with a link whose words are not its address's (`Read the
    /// report` to a PDF, `Markets` to `/stream/c91b…`), or with other text, stays.
    static func sectionLinks(_ html: String) -> (html: String, sections: [String])? {
        var h = html
        return h.withUTF8 { b -> (html: String, sections: [String])? in
            func trimmed(_ e: Int) -> Int {
                var e = e
                while e > 0 && MarkupScan.isSpace(b[e - 1]) { e -= 1 }
                return e
            }
            func endsWith(_ s: StaticString, at e: Int) -> Bool {
                let n = s.utf8CodeUnitCount
                guard e >= n else { return false }
                for k in 0..<n where MarkupScan.lower(b[e - n + k]) != s.utf8Start[k] { return false }
                return true
            }
            func string(_ r: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
            }
            /// The tag that ends just before `end` (its `>` at `end - 1`), read by `MarkupScan.tag`.
            func tag(endingAt end: Int) -> MarkupScan.Tag? {
                guard end > 0, b[end - 1] == 0x3E else { return nil }
                var lt = end - 1
                while lt > 0 && end - lt < 1024 && b[lt] != 0x3C { lt -= 1 }
                guard b[lt] == 0x3C, let t = MarkupScan.tag(b, at: lt, limit: end), t.end == end else { return nil }
                return t
            }
            var e = trimmed(b.count)
            var ownParagraph = false
            if endsWith("</p>", at: e) {
                e = trimmed(e - 4)
                ownParagraph = true
            }
            var sections: [String] = []
            while sections.count < 8 {
                guard endsWith("</a>", at: e) else { return nil }
                let textEnd = e - 4
                // The anchor's words (no markup inside) and its opening tag.
                var g = textEnd
                while g > 0 && textEnd - g < 120 && b[g - 1] != 0x3E && b[g - 1] != 0x3C { g -= 1 }
                guard let a = tag(endingAt: g), !a.closing, MarkupScan.nameIs(b, a.name, FeedTrailers.anchorName),
                    let href = MarkupScan.attribute(b, a, FeedTrailers.hrefName),
                    let name = sectionName(string(g..<textEnd), href: string(href))
                else { return nil }
                if !sections.contains(name) { sections.insert(name, at: 0) }
                // Another link before it on the line, after a comma, a bar or a middle dot.
                let before = trimmed(a.start)
                if before > 0 && (b[before - 1] == 0x2C || b[before - 1] == 0x7C) {
                    e = trimmed(before - 1)
                    continue
                }
                if before > 1 && b[before - 2] == 0xC2 && b[before - 1] == 0xB7 {
                    e = trimmed(before - 2)
                    continue
                }
                // On a line of its own: after <br>, after </p> or </div>, or opening its paragraph.
                guard let t = tag(endingAt: before) else { return nil }
                let cut: Int
                if !t.closing && MarkupScan.nameIs(b, t.name, FeedTrailers.breakName) {
                    cut = t.start
                } else if t.closing
                    && (MarkupScan.nameIs(b, t.name, FeedTrailers.paragraphName)
                        || MarkupScan.nameIs(b, t.name, FeedTrailers.divisionName))
                {
                    cut = before
                } else if ownParagraph && !t.closing && MarkupScan.nameIs(b, t.name, FeedTrailers.paragraphName) {
                    cut = t.start
                } else {
                    return nil
                }
                return (string(0..<cut), sections)
            }
            return nil
        }
    }

    static let anchorName = Array("a".utf8)
    static let hrefName = Array("href".utf8)
    static let breakName = Array("br".utf8)
    static let paragraphName = Array("p".utf8)
    static let divisionName = Array("div".utf8)

    /// The link's words, when they name the last segment of its address (a section or tag
    /// page: `Markets` → `/markets`, `UK politics &amp; policy` → `/uk-politics-policy`).
    /// A page's extensions, left out of an address's last segment (in this order).
    private static let pageExtensions = [".html", ".htm", ".php", ".aspx"].map { Array($0.utf8) }

    static func sectionName(_ anchor: String, href: String) -> String? {
        // The address's last path segment, without query, fragment or a page extension, folded
        // (read from the bytes: a Character-by-Character reading took some 40,000 instructions
        // a link), and compared before the anchor is made plain text.
        let u = Array(href.utf8)
        var end = u.firstIndex(where: { $0 == 0x3F || $0 == 0x23 }) ?? u.count  // `?`, `#`
        var start = 0
        var scheme: Int?
        if end >= 3 {
            for k in 0...(end - 3) where u[k] == 0x3A && u[k + 1] == 0x2F && u[k + 2] == 0x2F {
                scheme = k
                break
            }
        }
        if let k = scheme {
            guard let slash = u[(k + 3)..<end].firstIndex(of: 0x2F) else { return nil }
            start = slash
        } else if end >= 2 && u[0] == 0x2F && u[1] == 0x2F {
            guard let slash = u[2..<end].firstIndex(of: 0x2F) else { return nil }
            start = slash
        }
        while end > start && u[end - 1] == 0x2F { end -= 1 }
        var segmentEnd = end
        let segmentStart = (u[start..<end].lastIndex(of: 0x2F) ?? (start - 1)) + 1
        for e in pageExtensions {
            guard segmentEnd - segmentStart >= e.count else { continue }
            if zip(u[(segmentEnd - e.count)..<segmentEnd], e).allSatisfy({ MarkupScan.lower($0) == $1 }) {
                segmentEnd -= e.count
            }
        }
        func folded<C: Collection>(_ s: C) -> [UInt8] where C.Element == UInt8 {
            s.filter { MarkupScan.isLetter($0) || MarkupScan.isDigit($0) || $0 >= 0x80 }.map(MarkupScan.lower)
        }
        let want = folded(u[segmentStart..<max(segmentStart, segmentEnd)])
        guard want.count >= 2 else { return nil }
        let section = HTMLText.plain(anchor)
        guard !section.isEmpty, section.utf8.count <= 60, section.split(separator: " ").count <= 5,
            section.unicodeScalars.contains(where: { $0.properties.isAlphabetic })
        else { return nil }
        return folded(section.utf8) == want ? section : nil
    }
}
