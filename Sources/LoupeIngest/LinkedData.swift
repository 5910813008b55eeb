import Foundation

/// The schema.org article a web page describes in JSON-LD (`<script type="application/ld+json">`):
/// what news sites put there for search engines, and often nowhere else (authors, dates).
struct LinkedData: Equatable {
    var headline: String?
    var published: String?
    var modified: String?
    var authors: [String] = []
    var sections: [String] = []
    var keywords: [String] = []
    var url: String?

    /// The first article node of `scripts` (each a JSON-LD script's text): a top-level object,
    /// an array's element or an `@graph` member whose `@type` is an article type. Nil when
    /// none is (or no script is JSON: a broken script is passed over).
    static func article(in scripts: [String]) -> LinkedData? {
        for script in scripts {
            guard let json = parsed(script) ?? unwrapped(script).flatMap(parsed) else { continue }
            if let node = firstArticle(json, depth: 0) { return LinkedData(node) }
        }
        return nil
    }

    private static func parsed(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// A script's JSON from its first `{` or `[` to its last `}` or `]`: without the
    /// `<![CDATA[ … ]]>` or `<!-- … -->` around it that some pages write (as XHTML wants, often
    /// behind `//`); nil when there is no such span.
    static func unwrapped(_ script: String) -> String? {
        var t = script
        for marker in ["<![CDATA[", "]]>", "<!--", "-->"] { t = t.replacingOccurrences(of: marker, with: " ") }
        let u = Array(t.utf8)
        guard let first = u.firstIndex(where: { $0 == 0x7B || $0 == 0x5B }),
            let last = u.lastIndex(where: { $0 == 0x7D || $0 == 0x5D }), last > first
        else { return nil }
        let json = String(decoding: u[first...last], as: UTF8.self)
        return json == script ? nil : json
    }

    /// Article types: `NewsArticle`, `Article`, `ReportageNewsArticle`, `BlogPosting`,
    /// `LiveBlogPosting`, `SocialMediaPosting`, `ScholarlyArticle`, … (a name, or a full
    /// `https://schema.org/…` IRI).
    static func isArticleType(_ t: String) -> Bool {
        let name = t.split(separator: "/").last.map(String.init) ?? t
        return name.hasSuffix("Article") || name.hasSuffix("Posting")
    }

    private static func firstArticle(_ v: Any, depth: Int) -> [String: Any]? {
        guard depth < 4 else { return nil }
        if let list = v as? [Any] {
            for x in list.prefix(100) {
                if let a = firstArticle(x, depth: depth + 1) { return a }
            }
            return nil
        }
        guard let o = v as? [String: Any] else { return nil }
        if strings(o["@type"]).contains(where: isArticleType) { return o }
        if let graph = o["@graph"] { return firstArticle(graph, depth: depth + 1) }
        // A page (`WebPage`) whose main entity is the article.
        if let main = o["mainEntity"] as? [String: Any], strings(main["@type"]).contains(where: isArticleType) {
            return main
        }
        return nil
    }

    private init(_ o: [String: Any]) {
        headline = Self.text(o["headline"]) ?? Self.text(o["name"])
        published = Self.text(o["datePublished"]) ?? Self.text(o["dateCreated"])
        modified = Self.text(o["dateModified"])
        for a in Self.list(o["author"]) + Self.list(o["creator"]) {
            if let name = Self.text(a) ?? (a as? [String: Any]).flatMap({ Self.text($0["name"]) }),
                !authors.contains(name)
            {
                authors.append(name)
            }
        }
        sections = Self.strings(o["articleSection"])
        keywords = Self.strings(o["keywords"])
        url =
            Self.text(o["url"]) ?? (o["mainEntityOfPage"] as? [String: Any]).flatMap { Self.text($0["@id"]) }
            ?? Self.text(o["mainEntityOfPage"])
        if authors.count > 50 { authors.removeSubrange(50...) }
    }

    /// A non-empty string on one line, trimmed (the entities and tags some sites leave in it
    /// read as HTML).
    private static func text(_ v: Any?) -> String? {
        guard let s = v as? String else { return nil }
        let t = HTMLText.plain(s).split(whereSeparator: \.isNewline).joined(separator: " ").trimmingWhitespace()
        return t.isEmpty ? nil : t
    }

    private static func list(_ v: Any?) -> [Any] {
        if let a = v as? [Any] { return Array(a.prefix(100)) }
        return v.map { [$0] } ?? []
    }

    private static func strings(_ v: Any?) -> [String] { list(v).compactMap { text($0) } }
}
