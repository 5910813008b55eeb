import Foundation
import LoupeCore

/// The article one JSON object gives, for JSON Lines and whole-file JSON alike: the fields of
/// flat corpora (BEIR, Pyserini) and of the shapes news archives come in — TREC Washington Post
/// (TREC News / Core), news-please / CC-News, Guardian Open Platform, New York Times Article
/// Search, IPTC ninjs 1.x / 2.x, NewsAPI.
///
/// For each field the keys are tried in the order below; the first whose value gives something
/// wins (a value of the wrong type, an empty list of names, falls through to the next key).
/// Top-level keys come before the Guardian's `fields` object (`fields.headline`, …), which
/// comes before the WaPo `contents` blocks.
///
/// - **id**: `_id`, `id`, `docid`, `doc_id`, `docno`, `uri`, `guid` (a string, or an integer
///   written out); else the first of `article_url`, `web_url`, `webUrl`, `url`; else
///   `path#n` (n = `position`). An id that is a URL or URI (holds `://`, or starts `urn:` or
///   `tag:`) is global (`idScope` nil); any other id is unique only within its collection,
///   the file's directory.
/// - **title**: `title`, `headline` (NYT: an object, its `main`), `webTitle`,
///   `fields.headline`, then a WaPo `title` block.
/// - **body**: the main text — `text`, `body`, `maintext`, `body_text`, `bodyText`,
///   `contents`, `content`, `article_body`, `articleBody`, `body_html`, `html`,
///   `lead_paragraph`, `abstract`, then `fields.bodyText`, `fields.body`; preceded by a
///   summary, the first of `abstract`, `description`, `description_text`, `trailText`,
///   `summary`, `snippet`, `standfirst`, `fields.trailText`, `fields.standfirst` that is not
///   the main text's own key, unless the main text already contains it (with a title, a
///   summary alone is the body). A string value is taken as it is (trimmed), except that `body_html`, `html`,
///   `fields.body` and any value that plainly is HTML (it starts with a tag such as `<p>`,
///   `<div>`, `<h2>`, `<figure>`) are reduced to text (`HTMLText.plain`); an array of strings
///   is joined by line breaks; a WaPo `contents` array of typed blocks gives the text of its
///   `sanitized_html` blocks in order (markup stripped; images, videos, `author_info`,
///   tweets and the rest left out). NewsAPI's truncation mark (`… [+1234 chars]`) is removed.
/// - **date**: `date`, `published`, `pubDate`, `published_date`, `publishedAt`,
///   `published_at`, `date_publish`, `datePublished`, `pub_date`, `webPublicationDate`,
///   `firstcreated`, `versioncreated`, `timestamp`, then a WaPo `date` block: an ISO 8601,
///   RFC 822 or basic (`20240710`) date string, or a Unix time — a number or a string of
///   digits, seconds when in 10⁸ … 4.1·10⁹, milliseconds when in 10¹¹ … 4.1·10¹² (1973–2099);
///   any other number is no date.
/// - **categories**, in this order, without repeats: the section (`sectionName`,
///   `section_name`, `section`, then a WaPo `kicker` block); the first of `categories`,
///   `category`, `tags`, `topics`, `keywords`, `subject`, `subjects` (strings, or objects
///   giving their `value`, `webTitle`, `name` or `label`; Guardian tags whose `type` is not
///   `keyword` are left out; of the Google Reader API's `user/…` stream ids only the labels);
///   the publisher (`source`: a string or an object's `name`; `source_domain`; `publisher`;
///   `publication`; the Google Reader API's `origin` object's `title`).
/// - **link**: `url`, `link`, `webUrl`, `web_url`, `article_url`, the Google Reader API's
///   `canonical` and `alternate` (`[{"href": …}]`); else the id when it is an http(s) URL.
/// - The Google Reader API's `content` and `summary` objects (`{"content": "<p>…"}`) are HTML
///   text; an object with no text of its own that wraps articles (`{"title": "Starred items",
///   "items": [...]}`: Google Takeout, Inoreader, FreshRSS, Feedbin exports) is their envelope
///   (`envelopeItems`).
/// - **authors**: `author`, `authors`, `byline` (NYT: an object, its `original`), `creator`,
///   `by`, then `fields.byline`, a WaPo `byline` block, and Guardian `contributor` tags'
///   `webTitle`: a string, an object's `name`, or an array of either, through `Bylines`.
///
/// An object with neither a title nor a main text is not an article. One that wraps articles
/// (`wrapped`) is read by the loaders instead.
enum NewsJSON {
    enum Field: Int, CaseIterable {
        case id, urlID, title, body, summary, date, section, category, link, author, publisher

        var keys: [String] {
            switch self {
            case .id: ["_id", "id", "docid", "doc_id", "docno", "uri", "guid"]
            case .urlID: ["article_url", "web_url", "webUrl", "url"]
            case .title: ["title", "headline", "webTitle"]
            case .body:
                [
                    "text", "body", "maintext", "body_text", "bodyText", "contents", "content", "article_body",
                    "articleBody", "body_html", "html", "lead_paragraph", "abstract", "full_text",
                ]
            case .summary:
                ["abstract", "description", "description_text", "trailText", "summary", "snippet", "standfirst"]
            case .date:
                [
                    "date", "published", "pubDate", "published_date", "publishedAt", "published_at", "date_publish",
                    "datePublished", "pub_date", "webPublicationDate", "firstcreated", "versioncreated", "timestamp",
                    "created_at",
                ]
            case .section: ["sectionName", "section_name", "section"]
            case .category: ["categories", "category", "tags", "topics", "keywords", "subject", "subjects", "tag"]
            case .link: ["url", "link", "webUrl", "web_url", "article_url", "canonical", "alternate"]
            case .author: ["author", "authors", "byline", "creator", "by"]
            case .publisher: ["source", "source_domain", "publisher", "publication", "origin"]
            }
        }
    }

    /// Every known key: the fields it serves, each with its rank there.
    static let knownKeys: [String: [(field: Field, rank: Int)]] = {
        var d: [String: [(field: Field, rank: Int)]] = [:]
        for f in Field.allCases {
            for (r, k) in f.keys.enumerated() { d[k, default: []].append((f, r)) }
        }
        return d
    }()

    /// Keys whose string values are HTML.
    static let htmlKeys: Set<String> = ["body_html", "html"]

    /// An object's known keys, per field, in order of preference.
    struct Keys {
        var present: [[String]]

        init(_ d: [String: Any]) {
            present = [[String]](repeating: [], count: Field.allCases.count)
            for k in d.keys {
                guard let uses = NewsJSON.knownKeys[k] else { continue }
                for u in uses { present[u.field.rawValue].append(k) }
            }
            for f in present.indices where present[f].count > 1 {
                let field = Field(rawValue: f)!
                present[f].sort { a, b in
                    NewsJSON.rank(a, field) < NewsJSON.rank(b, field)
                }
            }
        }

        subscript(_ f: Field) -> [String] { present[f.rawValue] }
    }

    static func rank(_ key: String, _ f: Field) -> Int {
        knownKeys[key]?.first { $0.field == f }?.rank ?? Int.max
    }

    /// The article `d` gives, or nil when it has neither a title nor a body.
    /// `scope`: the collection (the file's directory) of ids that are not URLs or URIs.
    static func article(_ d: [String: Any], relativePath: String, position: Int, scope: String) -> Article? {
        // A record wrapped in one key (a Twitter archive's `{"tweet": {…}}`), or an ActivityPub
        // activity creating a post (a Mastodon archive's `outbox.json`): the record.
        if d.count == 1, let inner = d.first?.value as? [String: Any] {
            return article(inner, relativePath: relativePath, position: position, scope: scope)
        }
        if let type = d["type"] as? String, type == "Create", let object = d["object"] as? [String: Any] {
            return article(object, relativePath: relativePath, position: position, scope: scope)
        }
        let keys = Keys(d)
        let fields = d["fields"] as? [String: Any]
        let blocks = (d["contents"] as? [Any]).flatMap(WaPoBlocks.init)

        var title = text(d, keys[.title])
        if title == nil, let f = fields { title = text(f, ["headline"]) }
        if title == nil, let t = blocks?.title { title = t }

        var (main, mainKey) = body(d, keys[.body], blocks: blocks)
        if main == nil, let f = fields {
            (main, mainKey) = body(f, ["bodyText", "body"], blocks: nil, html: ["body"])
        }
        var lead: String?
        for k in keys[.summary] where k != mainKey {
            if let s = text(d, [k]), !s.isEmpty {
                lead = htmlOrText(s, key: k)
                break
            }
        }
        if lead == nil, let f = fields { lead = text(f, ["trailText", "standfirst"]).map { HTMLText.plain($0) } }
        let bodyText: String?
        switch (lead, main) {
        case (nil, let m): bodyText = m
        case (let l?, nil): bodyText = l
        case (let l?, let m?): bodyText = l.isEmpty || m.contains(l) ? m : m.isEmpty ? l : l + "\n" + m
        }
        // A summary alone does not make an article (a `package.json` has a `description`).
        guard title != nil || main != nil else { return nil }

        var id = text(d, keys[.id]).flatMap { $0.isEmpty ? nil : $0 }
        if id == nil { id = text(d, keys[.urlID]).flatMap { $0.isEmpty ? nil : $0 } }
        let global = id.map(isGlobalID) ?? false
        var link = text(d, keys[.link]).flatMap { $0.isEmpty ? nil : $0 }
        if link == nil, let i = id, i.hasPrefix("http://") || i.hasPrefix("https://") { link = i }

        var date: String?
        for k in keys[.date] {
            if let v = d[k], let s = dateValue(v) {
                date = s
                break
            }
        }
        if date == nil, let v = blocks?.date { date = dateValue(v) }

        var cats: [String] = []
        func addCategory(_ s: String) {
            var t = s.trimmingWhitespace()
            // The Google Reader API's stream ids: a label is a category, a state (starred,
            // read) is not.
            if t.hasPrefix("user/") {
                guard let r = t.range(of: "/label/") else { return }
                t = String(t[r.upperBound...])
            }
            if !t.isEmpty && !cats.contains(t) { cats.append(t) }
        }
        if let s = text(d, keys[.section]) {
            addCategory(s)
        } else if let k = blocks?.kicker {
            addCategory(k)
        }
        for c in list(d, keys[.category]) { addCategory(c) }
        for k in keys[.publisher] {
            // (`origin` names the feed as an object; a string there may be anything.)
            if let s = d[k] as? String, k != "origin" {
                addCategory(s)
            } else if let o = d[k] as? [String: Any], let s = (o["name"] ?? o["title"]) as? String {
                addCategory(s)
            } else {
                continue
            }
            break
        }

        var names = authors(d, keys[.author])
        if names.isEmpty, let b = fields?["byline"] { Bylines.add(json: b, to: &names) }
        if names.isEmpty, let b = blocks?.byline { Bylines.add(b, to: &names) }
        if names.isEmpty, let tags = d["tags"] as? [Any] {
            for case let t as [String: Any] in tags where t["type"] as? String == "contributor" {
                if let n = t["webTitle"] as? String { Bylines.add(n, to: &names) }
            }
        }
        return Article(
            id: id ?? "\(relativePath)#\(position)", title: title ?? "", body: bodyText ?? "", date: date,
            categories: cats, link: link, authors: names, source: relativePath, position: position,
            idScope: global ? nil : scope)
    }

    /// The article of a plain record (`FlatJSON.plainRecord`): what `article` gives for the
    /// same object, without a dictionary. The texts are trimmed; `text` and `body` are taken as
    /// written (`literalKeys`); the `url` is the link, and the id when there is no other; an id
    /// that is a web address is the link when there is no `url`.
    static func article(_ r: FlatJSON.PlainRecord, relativePath: String, position: Int, scope: String) -> Article {
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let url = nonEmpty(r.url?.trimmingWhitespace())
        let known = nonEmpty(r.id?.trimmingWhitespace()) ?? url
        let global = known.map(isGlobalID) ?? false
        let link = url ?? known.flatMap { $0.hasPrefix("http://") || $0.hasPrefix("https://") ? $0 : nil }
        return Article(
            id: known ?? "\(relativePath)#\(position)", title: r.title?.trimmingWhitespace() ?? "",
            body: r.text?.trimmingWhitespace() ?? "", date: nil, categories: [], link: link, authors: [],
            source: relativePath, position: position, idScope: global ? nil : scope)
    }

    /// A URL or a URI: unique beyond its collection.
    static func isGlobalID(_ id: String) -> Bool {
        // `://` looked for in the bytes: `String.contains` goes through Foundation's string
        // search, per article (1 % of indexing a JSON Lines corpus).
        var id = id
        let scheme = id.withUTF8 { b -> Bool in
            var i = 0
            while i + 2 < b.count {
                if b[i] == 0x3A && b[i + 1] == 0x2F && b[i + 2] == 0x2F { return true }
                i += 1
            }
            return false
        }
        return scheme || id.hasPrefix("urn:") || id.hasPrefix("tag:")
    }

    /// A string field (numbers are written out; arrays of strings joined by line breaks; NYT's
    /// `headline` object gives its `main`).
    static func text(_ d: [String: Any], _ keys: [String]) -> String? {
        for k in keys {
            guard let v = d[k] else { continue }
            if let s = v as? String { return s.trimmingWhitespace() }
            if let a = v as? [Any] {
                let parts = a.compactMap { $0 as? String }
                if !parts.isEmpty || a.isEmpty { return parts.joined(separator: "\n").trimmingWhitespace() }
                // The Google Reader API's links: `[{"href": …}]`.
                if let o = a.first as? [String: Any], let h = o["href"] as? String { return h.trimmingWhitespace() }
                continue
            }
            if let i = v as? Int { return String(i) }
            if let x = v as? Double { return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
            if let o = v as? [String: Any], let s = (o["main"] ?? o["content"]) as? String {
                return s.trimmingWhitespace()
            }
        }
        return nil
    }

    /// The main text and the key it came from.
    static func body(_ d: [String: Any], _ keys: [String], blocks: WaPoBlocks?, html: Set<String> = htmlKeys)
        -> (String?, String?)
    {
        for k in keys {
            guard let v = d[k] else { continue }
            if k == "contents", let b = blocks { return (b.paragraphs, k) }
            if let s = v as? String {
                var t = html.contains(k) ? HTMLText.plain(s) : htmlOrText(s.trimmingWhitespace(), key: k)
                if k == "content" { t = withoutTruncationMark(t) }
                return (t, k)
            }
            if let a = v as? [Any] {
                let parts = a.compactMap { $0 as? String }
                if !parts.isEmpty || a.isEmpty { return (parts.joined(separator: "\n").trimmingWhitespace(), k) }
                continue
            }
            // The Google Reader API's `{"direction": "ltr", "content": "<p>…"}`: HTML.
            if let o = v as? [String: Any], let s = o["content"] as? String {
                return (HTMLText.plain(s), k)
            }
        }
        return (nil, nil)
    }

    /// `s` reduced to text when it plainly is HTML, else as it is. The generic keys of
    /// benchmark and BEIR-style collections (`text`, `body`, `contents`) are taken as written,
    /// as before news shapes were read: en-all's Wikipedia bodies that open with leftover
    /// `<div …>` markup keep the words tantivy, Lucene and SQLite index for them (the peer
    /// benchmark's match counts differed on 3 of its 100 OR queries otherwise).
    static func htmlOrText(_ s: String, key: String) -> String {
        literalKeys.contains(key) || !looksLikeHTML(s) ? s : HTMLText.plain(s)
    }

    static let literalKeys: Set<String> = ["text", "body", "contents"]

    /// Elements that make a text field's value plainly HTML when it starts with one.
    static let htmlStarts: Set<String> = [
        "p", "div", "article", "section", "span", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "figure",
        "table", "blockquote", "br", "a", "b", "i", "em", "strong", "img", "header", "main", "aside", "body",
        "html", "!doctype",
    ]

    /// Starts (after blanks) with `<name>`, `<name ` or `<name/` of a common HTML element, or a comment.
    static func looksLikeHTML(_ s: String) -> Bool {
        var u = s.utf8[...]
        while let c = u.first, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { u = u.dropFirst() }
        guard u.first == UInt8(ascii: "<") else { return false }
        if u.starts(with: "<!--".utf8) { return true }
        var name: [UInt8] = []
        for c in u.dropFirst() {
            if MarkupScan.isLetter(c) || MarkupScan.isDigit(c) || (name.isEmpty && c == UInt8(ascii: "!")) {
                if name.count > 10 { return false }
                name.append(MarkupScan.lower(c))
                continue
            }
            guard c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || MarkupScan.isSpace(c) else { return false }
            break
        }
        return htmlStarts.contains(String(decoding: name, as: UTF8.self))
    }

    /// NewsAPI cuts `content` at 200 characters and ends it with `… [+1234 chars]`.
    static func withoutTruncationMark(_ s: String) -> String {
        guard s.hasSuffix(" chars]"), let open = s.range(of: "[+", options: .backwards) else { return s }
        let digits = s[open.upperBound...].dropLast(" chars]".count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return s }
        var t = s[..<open.lowerBound]
        while let l = t.last, l.isWhitespace || l == "…" { t = t.dropLast() }
        return String(t)
    }

    /// A date from a string (ISO 8601, RFC 822, basic, or digits of a Unix time) or a number.
    static func dateValue(_ v: Any) -> String? {
        if let s = v as? String {
            if let d = LoaderDates.iso(s) { return d }
            let t = s.trimmingWhitespace()
            guard !t.isEmpty, t.utf8.count <= 15, t.utf8.allSatisfy(MarkupScan.isDigit), let n = Double(t) else {
                return nil
            }
            return epoch(n)
        }
        if let i = v as? Int { return epoch(Double(i)) }
        if let x = v as? Double { return epoch(x) }
        return nil
    }

    /// A Unix time in seconds (10⁸ ≤ n < 4.1·10⁹) or milliseconds (10¹¹ ≤ n < 4.1·10¹²) as
    /// ISO 8601 UTC; nil for any other number.
    static func epoch(_ n: Double) -> String? {
        let seconds: Int
        if n >= 1e8 && n < 4.1e9 {
            seconds = Int(n)
        } else if n >= 1e11 && n < 4.1e12 {
            seconds = Int(n / 1000)
        } else {
            return nil
        }
        let rest = seconds % 86400
        let (y, m, d) = DateColumn.day(Int64(seconds))
        let (year, month, day) = (Int(y), Int(m), Int(d))
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(p2(month))-\(p2(day))T\(p2(rest / 3600)):\(p2(rest / 60 % 60)):\(p2(rest % 60))Z"
    }

    /// The names of the first key that gives any: a string, `{"name": …}`, NYT's
    /// `{"original": …}`, or an array of them.
    static func authors(_ d: [String: Any], _ keys: [String]) -> [String] {
        for k in keys {
            guard let v = d[k] else { continue }
            var names: [String] = []
            if let o = v as? [String: Any], o["name"] == nil, let s = o["original"] as? String {
                Bylines.add(s, to: &names)
            } else {
                Bylines.add(json: v, to: &names)
            }
            if !names.isEmpty { return names }
        }
        return []
    }

    /// The first key's list: a string, or an array of strings and of objects giving their
    /// `value`, `webTitle`, `name` or `label` (objects with a `type` other than `keyword` are
    /// Guardian tags of another kind, left out).
    static func list(_ d: [String: Any], _ keys: [String]) -> [String] {
        for k in keys {
            guard let v = d[k] else { continue }
            if let s = v as? String { return s.isEmpty ? [] : [s] }
            if let a = v as? [Any] {
                return a.compactMap { x -> String? in
                    if let s = x as? String { return s.isEmpty ? nil : s }
                    guard let o = x as? [String: Any] else { return nil }
                    if let t = o["type"] as? String, t != "keyword", o["webTitle"] != nil { return nil }
                    for f in ["value", "webTitle", "name", "label"] {
                        if let s = o[f] as? String, !s.isEmpty { return s }
                    }
                    return nil
                }
            }
        }
        return []
    }

    /// Keys under which an object wraps its articles (or, for `response` / `hits` / `data`,
    /// an object that does).
    static let wrapperKeys = [
        "articles", "results", "docs", "data", "items", "response", "hits", "documents", "stories", "news",
        "records", "entries", "posts", "content", "db", "orderedItems",
    ]

    /// The articles an object that is not itself an article wraps: NewsAPI's `articles`,
    /// the Guardian's `response.results` (or one `response.content`), NYT's `response.docs`,
    /// `data`, `items`, `results`, Elasticsearch's `hits.hits` (each hit's `_source`, with its
    /// `_id`), … (`wrapperKeys`, nested up to three levels). Nil when it wraps none.
    static func wrapped(_ d: [String: Any], depth: Int = 0) -> [Any]? {
        guard depth < 3 else { return nil }
        for k in wrapperKeys {
            guard let v = d[k] else { continue }
            if let a = v as? [Any], a.contains(where: { $0 is [String: Any] }) {
                // A list of envelopes (Ghost's `{"db": [{"meta": …, "data": {"posts": [...]}}]}`):
                // their articles.
                if !a.prefix(8).contains(where: isArticle) {
                    let inner = a.prefix(100).compactMap {
                        ($0 as? [String: Any]).flatMap { wrapped($0, depth: depth + 1) }
                    }
                    if !inner.isEmpty { return inner.flatMap { $0 } }
                }
                return a.map(unwrapHit)
            }
            if let o = v as? [String: Any] {
                if let inner = wrapped(o, depth: depth + 1) { return inner }
                if k == "content" || k == "response" || k == "data",
                    article(o, relativePath: "", position: 0, scope: "") != nil
                {
                    return [o]
                }
            }
        }
        return nil
    }

    /// The articles a top-level object wraps (see `wrapped`) when it is their envelope: it is
    /// no article itself (`article` is nil), or one with no text of its own that wraps at least
    /// one article — a feed reader's export such as Google Reader's (and Inoreader's, FreshRSS's,
    /// Feedbin's) `{"title": "Starred items", "items": [...]}`. Nil when it is not one.
    static func envelopeItems(_ d: [String: Any], article a: Article?) -> [Any]? {
        if let a, !a.body.isEmpty { return nil }
        guard let items = wrapped(d) else { return nil }
        if a == nil { return items }
        return items.contains(where: isArticle) ? items : nil
    }

    /// Whether `x`, an element of a JSON value, is an object that gives an article.
    static func isArticle(_ x: Any) -> Bool {
        (x as? [String: Any]).map { article($0, relativePath: "", position: 0, scope: "") != nil } ?? false
    }

    /// An Elasticsearch hit's `_source`, with the hit's `_id` when the source has no id.
    static func unwrapHit(_ x: Any) -> Any {
        guard let h = x as? [String: Any], var s = h["_source"] as? [String: Any] else { return x }
        if s["_id"] == nil && s["id"] == nil, let id = h["_id"] { s["_id"] = id }
        return s
    }
}

/// The typed blocks of a TREC Washington Post `contents` array.
struct WaPoBlocks {
    var paragraphs = ""
    var kicker: String?
    var title: String?
    var byline: String?
    var date: Any?

    /// Nil when the array is not one of typed blocks (a list of strings, say).
    init?(_ a: [Any]) {
        var typed = false
        var parts: [String] = []
        for case let b as [String: Any] in a {
            guard let type = b["type"] as? String else { continue }
            typed = true
            switch type {
            case "sanitized_html":
                if let s = b["content"] as? String {
                    let t = HTMLText.plain(s)
                    if !t.isEmpty { parts.append(t) }
                }
            case "kicker": if kicker == nil { kicker = (b["content"] as? String).map { HTMLText.plain($0) } }
            case "title": if title == nil { title = (b["content"] as? String).map { HTMLText.plain($0) } }
            case "byline": if byline == nil { byline = b["content"] as? String }
            case "date": if date == nil { date = b["content"] }
            default: break
            }
        }
        guard typed else { return nil }
        paragraphs = parts.joined(separator: "\n")
    }
}
