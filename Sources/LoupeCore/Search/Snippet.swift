/// A window of stored text around the matches, with the matched spans as byte ranges into
/// `text` (a phrase or NEAR match is one range).
public struct Snippet: Sendable, Equatable {
    public var text: String
    public var highlights: [Range<Int>]

    public init(text: String, highlights: [Range<Int>]) {
        self.text = text
        self.highlights = highlights
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

    /// `spans` are positions in the `text` field (title, gap, body), as returned by
    /// `Searcher.spans`.
    public static func build(article: Article, spans: [Span], analyzer: Analyzer, words: Int = defaultWords) -> Snippet {
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
            ranges.append((max(a, 0), min(e, n - 1)))
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
        let ws = max(0, bestStart)
        let we = min(n - 1, ws + w - 1)
        let byteStart = ws == 0 ? 0 : starts[ws]
        let byteEnd = we == n - 1 ? body.count : ends[we]
        var text: [UInt8] = []
        let prefix = ws > 0 ? Array("… ".utf8) : []
        text += prefix
        text += body[byteStart..<byteEnd]
        var highlights: [Range<Int>] = []
        for r in merged where r.0 >= ws && r.1 <= we {
            let a = starts[r.0] - byteStart + prefix.count
            let b = ends[r.1] - byteStart + prefix.count
            highlights.append(a..<b)
        }
        if we < n - 1 { text += Array(" …".utf8) }
        // Collapse newlines so a snippet is one line; same byte length keeps offsets valid.
        for i in text.indices where text[i] == 0x0A || text[i] == 0x0D || text[i] == 0x09 { text[i] = 0x20 }
        return Snippet(text: String(decoding: text, as: UTF8.self), highlights: highlights)
    }
}
