import Foundation

/// The boilerplate that publishing tools add at the end of every item's text in a feed: a
/// "Continue reading…" link (The Guardian, WordPress themes), WordPress's "The post … appeared
/// first on …" footer (Yoast SEO's default), Medium's "… was originally published in … on
/// Medium, where people are continuing the conversation…", Slashdot's "Read more of this
/// story", Reddit's "submitted by /u/name [link] [comments]" and Hacker News' "Comments"
/// link. Feed readers show it; a search
/// engine that indexes it gives every post of a site the same words and snippets that end in
/// it, so the last lines of an item's text are dropped while they are such a trailer.
enum FeedTrailers {
    /// `text` (an item's text, markup already out) without its trailing boilerplate lines.
    static func stripped(_ text: String) -> String {
        var t = Substring(text)
        for _ in 0..<3 {
            let trimmed = t.trimmingTrailingBlanks()
            let lineStart = trimmed.lastIndex(of: "\n").map { trimmed.index(after: $0) } ?? trimmed.startIndex
            guard isTrailer(trimmed[lineStart...]) else { break }
            t = trimmed[..<lineStart]
        }
        if t.count == text.count { return text }
        return String(t.trimmingTrailingBlanks())
    }

    /// Phrases of a "more" link, lowercased, once brackets, ellipses and arrows are off.
    static let moreLinks: Set<String> = [
        "continue reading", "read more", "read the full story", "read the full article", "read full story",
        "read full article", "keep reading", "more", "read the rest", "read the rest of this entry",
        "read the rest of this post", "read on", "full story", "view full article", "view article",
        "continue reading this post", "read the full post", "read full post", "",
        // Hacker News' item text is its comments link; Reddit's ends in `[link] [comments]`.
        "comments", "link] [comments",
    ]

    static func isTrailer(_ line: Substring) -> Bool {
        let l = line.trimmingCharacters(in: .whitespaces)
        guard !l.isEmpty, l.count <= 400 else { return false }
        let lower = l.lowercased()
        // WordPress (Yoast SEO): "The post <a>Title</a> appeared first on <a>Site</a>."
        if lower.hasPrefix("the post "), lower.contains(" appeared first on ") { return true }
        // Slashdot; Reddit's "submitted by /u/name" (the line before its links).
        if lower == "read more of this story at slashdot." { return true }
        if lower.hasPrefix("submitted by /u/") && !lower.dropFirst(16).contains(" ") { return true }
        // Medium.
        if lower.contains(" was originally published in "),
            lower.hasSuffix(
                "where people are continuing the conversation by highlighting and responding to this story.")
        {
            return true
        }
        guard l.count <= 120 else { return false }
        let decoration: Set<Character> = [
            "[", "]", "(", ")", "…", ".", "»", "›", "→", ">", "<", "-", "—", "–", ":", " ",
        ]
        let core = String(lower.drop { decoration.contains($0) }.reversed().drop { decoration.contains($0) }.reversed())
        if moreLinks.contains(core) { return core.isEmpty ? l.contains("…") || l.contains("...") : true }
        // A theme's "Continue reading <post title> →".
        return core.hasPrefix("continue reading ") && l.count < core.count + 6
            && (lower.hasSuffix("…") || lower.hasSuffix("...") || "→»›>".contains(lower.last!))
    }
}

extension Substring {
    fileprivate func trimmingTrailingBlanks() -> Substring {
        var s = self
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return s
    }
}
