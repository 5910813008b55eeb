/// A window of stored text around the matches, with the matched spans as byte ranges into
/// `text` (a phrase or NEAR match is one range).
public struct Snippet: Sendable, Equatable {
    public var text: String
    public var highlights: [Range<Int>]
    /// Every match as a byte range into the stored body (not only those in the snippet).
    public var matches: [Range<Int>]

    public init(text: String, highlights: [Range<Int>], matches: [Range<Int>] = []) {
        self.text = text
        self.highlights = highlights
        self.matches = matches
    }

    /// The snippet with each highlight wrapped in `open` / `close`.
    public func marked(open: String, close: String) -> String {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        var last = 0
        for h in highlights {
            out += b[last..<h.lowerBound]
            out += Array(open.utf8)
            out += b[h]
            out += Array(close.utf8)
            last = h.upperBound
        }
        out += b[last...]
        return String(decoding: out, as: UTF8.self)
    }
}

/// Picks the best window of about `words` words of an article body around the matched spans.
public enum SnippetBuilder {
    public static let defaultWords = 30

    /// The matched words of the title, as byte ranges into `article.title` (a phrase is one
    /// range). `spans` are text-field positions: the title's words come first.
    public static func titleHighlights(article: Article, spans: [Span], analyzer: Analyzer) -> [Range<Int>] {
        var starts: [Int] = []
        var ends: [Int] = []
        analyzer.analyze(article.title) { t in
            starts.append(t.start)
            ends.append(t.end)
        }
        let n = starts.count
        let title = Array(article.title.utf8)
        var out: [Range<Int>] = []
        for s in spans.sorted(by: { $0.start < $1.start }) where s.start >= 0 && Int(s.start) < n {
            let (a, e) = widened(Int(s.start), min(Int(s.end), n - 1), starts: starts, ends: ends, bytes: title)
            let r = starts[a]..<ends[e]
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// Tokens `a...e` widened over a two-word hyphenated compound, a run of initials or a number's
    /// groups they start or end inside: `cease-fire`, `U.K.` and `1,500` are lit whole, whether
    /// `fire` or `ceasefire`, `k` or `uk`, `500` or `1500` (indexed at the last part) matched.
    static func widened(_ a: Int, _ e: Int, starts: [Int], ends: [Int], bytes: [UInt8]) -> (Int, Int) {
        bytes.withUnsafeBufferPointer { buf -> (Int, Int) in
            guard let base = buf.baseAddress else { return (a, e) }
            let n = starts.count
            func joined(_ k: Int) -> Bool {  // tokens k and k + 1
                k >= 0 && k + 1 < n && Analyzer.isHyphenJoin(base, from: ends[k], to: starts[k + 1])
            }
            func pair(_ k: Int) -> Bool { joined(k) && !joined(k - 1) && !joined(k + 1) }
            func initial(_ k: Int) -> Bool {
                k >= 0 && k < n && ends[k] - starts[k] == 1 && (base[starts[k]] | 0x20) &- 0x61 < 26
            }
            func dotted(_ k: Int) -> Bool {  // initials k and k + 1
                initial(k) && initial(k + 1) && Analyzer.isDotJoin(base, from: ends[k], to: starts[k + 1])
            }
            func grouped(_ k: Int) -> Bool {  // a number's groups k and k + 1 (`1,500`)
                k >= 0 && k + 1 < n && Analyzer.isCommaJoin(base, from: ends[k], to: starts[k + 1])
                    && Analyzer.isDigits(base, starts[k], ends[k])
                    && Analyzer.isDigits(base, starts[k + 1], ends[k + 1], count: 3)
            }
            var (a, e) = (pair(a - 1) ? a - 1 : a, pair(e) ? e + 1 : e)
            while dotted(a - 1) { a -= 1 }
            while dotted(e) { e += 1 }
            while grouped(a - 1) { a -= 1 }
            while grouped(e) { e += 1 }
            return (a, e)
        }
    }

    /// `spans` are positions in the `text` field (title, gap, body), as returned by
    /// `Searcher.spans`.
    public static func build(article: Article, spans: [Span], analyzer: Analyzer, words: Int = defaultWords) -> Snippet
    {
        var titleCount: Int32 = 0
        analyzer.analyze(article.title) { _ in titleCount += 1 }
        let bodyStart = titleCount > 0 ? titleCount + FieldLayout.gap(analyzer.kind) : 0
        var starts: [Int] = []
        var ends: [Int] = []
        analyzer.analyze(article.body) { t in
            starts.append(t.start)
            ends.append(t.end)
        }
        let body = Array(article.body.utf8)
        let n = starts.count
        if n == 0 { return Snippet(text: String(article.body.prefix(200)), highlights: []) }
        // Body token ranges of matches.
        var ranges: [(Int, Int)] = []
        for s in spans {
            let a = Int(s.start) - Int(bodyStart)
            let e = Int(s.end) - Int(bodyStart)
            if e < 0 || a >= n { continue }
            ranges.append(widened(max(a, 0), min(e, n - 1), starts: starts, ends: ends, bytes: body))
        }
        ranges.sort { $0.0 < $1.0 }
        // Merge overlapping ranges.
        var merged: [(Int, Int)] = []
        for r in ranges {
            if let l = merged.last, r.0 <= l.1 {
                merged[merged.count - 1].1 = max(l.1, r.1)
            } else {
                merged.append(r)
            }
        }
        let w = max(words, 1)
        var bestStart = 0
        if !merged.isEmpty {
            // Window start maximising the number of ranges inside it (first such window).
            var best = -1
            for (k, r) in merged.enumerated() {
                let ws = max(0, min(r.0 - w / 4, n - w))
                var count = 0
                for q in merged[k...] where q.1 < ws + w { count += 1 }
                if count > best {
                    best = count
                    bestStart = ws
                }
            }
        }
        var ws = max(0, bestStart)
        var we = min(n - 1, ws + w - 1)
        // Matches far from the best window get a second fragment, joined with an ellipsis.
        var fragments: [(Int, Int)] = []
        if let far = merged.first(where: { $0.0 > we || $0.1 < ws }), w >= 9 {
            let w1 = (w * 2) / 3
            let w2 = w - w1
            we = min(n - 1, ws + w1 - 1)
            if let cross = merged.first(where: { $0.0 >= ws && $0.0 <= we && $0.1 > we }) { we = min(n - 1, cross.1) }
            let s2 = max(0, min(far.0 - w2 / 4, n - w2))
            let e2 = min(n - 1, s2 + w2 - 1)
            if s2 > we + 1 {
                fragments = far.0 < ws ? [(s2, e2), (ws, we)] : [(ws, we), (s2, e2)]
            } else if e2 < ws - 1 {
                fragments = [(s2, e2), (ws, we)]
            } else {
                ws = min(ws, s2)
                we = max(we, e2)
            }
        }
        if fragments.isEmpty { fragments = [(ws, we)] }
        var text: [UInt8] = []
        var highlights: [Range<Int>] = []
        for (k, (fs, fe)) in fragments.enumerated() {
            if k > 0 {
                text += Array(" … ".utf8)
            } else if fs > 0 {
                text += Array("… ".utf8)
            }
            // The body's first and last words take the punctuation around them (an opening
            // quote, a full stop) but not the blank lines or spaces.
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
            var byteStart = starts[fs]
            if fs == 0 { while byteStart > 0 && !isSpace(body[byteStart - 1]) { byteStart -= 1 } }
            var byteEnd = ends[fe]
            if fe == n - 1 { while byteEnd < body.count && !isSpace(body[byteEnd]) { byteEnd += 1 } }
            let base = text.count
            text += body[byteStart..<byteEnd]
            for r in merged where r.0 >= fs && r.1 <= fe {
                highlights.append((starts[r.0] - byteStart + base)..<(ends[r.1] - byteStart + base))
            }
        }
        if let last = fragments.last, last.1 < n - 1 { text += Array(" …".utf8) }
        // One line: each run of spaces, tabs and line ends (a paragraph break) becomes one space,
        // and the highlights move with the bytes they mark.
        var line: [UInt8] = []
        line.reserveCapacity(text.count)
        var moved = [Int](repeating: 0, count: text.count + 1)
        for (i, b) in text.enumerated() {
            moved[i] = line.count
            // A soft hyphen (U+00AD, HTML's `&shy;`) only marks where a long word may break a
            // line: a snippet is one line, and some terminals draw it.
            if (b == 0xC2 && i + 1 < text.count && text[i + 1] == 0xAD) || (b == 0xAD && i > 0 && text[i - 1] == 0xC2) {
                continue
            }
            let space = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
            if !space {
                line.append(b)
            } else if line.last != 0x20 {
                line.append(0x20)
            }
        }
        moved[text.count] = line.count
        highlights = highlights.map { moved[$0.lowerBound]..<moved[$0.upperBound] }
        let matches = merged.map { starts[$0.0]..<ends[$0.1] }
        return Snippet(text: String(decoding: line, as: UTF8.self), highlights: highlights, matches: matches)
    }
}
