import Foundation
import LoupeCore

/// JSON Feed (jsonfeed.org, versions 1 and 1.1): the feed format of many blogs, one JSON object
/// whose `items` are the articles. Recognised by its `version` URL, so that a pretty-printed or
/// one-line JSON Feed is neither plain text nor JSON Lines.
///
/// Each item: `id` (a string, or a number written as one; else its `url`, else `path#n`),
/// `title`, body from `content_text`, else `content_html` (markup stripped), else `summary`;
/// `date_published` (else `date_modified`), `tags` as categories, `url` (else `external_url`) as
/// the link; authors from the item's `authors` (1.1: objects with a `name`) or `author` (1.0:
/// one object), else from the feed's top-level `authors` / `author`, which items inherit (each
/// name through `Bylines.names`; a plain string is taken as a name too). A file that is not
/// valid JSON is rejected with the parser's message.
public struct JSONFeedLoader {
    public init() {}

    /// Whether the document's start looks like a JSON Feed: a JSON object naming jsonfeed.org
    /// and a `version` key in its first 4 KB (slashes may be escaped, `https:\/\/jsonfeed.org`).
    static func looks(_ b: [UInt8], from i: Int) -> Bool {
        let head = b[i..<min(b.count, i + 4096)]
        return contains(head, Array("jsonfeed.org".utf8)) && contains(head, Array("\"version\"".utf8))
    }

    private static func contains(_ h: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard h.count >= needle.count else { return false }
        var k = h.startIndex
        while k + needle.count <= h.endIndex {
            if h[k] == needle[0] && h[k..<(k + needle.count)].elementsEqual(needle) { return true }
            k += 1
        }
        return false
    }

    /// The names of an item's or feed's `authors` (1.1), else its `author` (1.0).
    static func authors(_ object: [String: Any]) -> [String] {
        var names: [String] = []
        if let list = object["authors"] as? [Any] { Bylines.add(json: list, to: &names) }
        if names.isEmpty, let one = object["author"], !(one is [Any]) { Bylines.add(json: one, to: &names) }
        return names
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var result = LoadResult()
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            let why = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "JSON Feed is not valid JSON (\(why))", severity: .error))
            return result
        }
        guard let feed = object as? [String: Any], let items = feed["items"] as? [Any] else {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "JSON Feed without an items array", severity: .error))
            return result
        }
        let feedAuthors = Self.authors(feed)
        for (n, element) in items.enumerated() {
            guard let item = element as? [String: Any] else { continue }
            func string(_ key: String) -> String? {
                if let s = item[key] as? String { return s.isEmpty ? nil : s }
                if let v = item[key] as? NSNumber, !(item[key] is Bool) { return v.stringValue }
                return nil
            }
            let link = string("url") ?? string("external_url")
            let body: String
            var tags = (item["tags"] as? [Any])?.compactMap { $0 as? String } ?? []
            if let text = string("content_text") {
                body = HTMLText.collapse(text)
            } else if var html = string("content_html") {
                if let (rest, sections) = FeedTrailers.sectionLinks(html) {
                    html = rest
                    for s in sections where !tags.contains(s) { tags.append(s) }
                }
                body = HTMLText.plain(html)
            } else {
                body = HTMLText.plain(string("summary") ?? "")
            }
            let own = Self.authors(item)
            result.articles.append(
                Article(
                    id: string("id") ?? link ?? "\(relativePath)#\(n)",
                    title: HTMLText.plain(string("title") ?? ""), body: FeedTrailers.stripped(body),
                    date: (string("date_published") ?? string("date_modified")).flatMap(DateParsing.iso),
                    categories: tags, link: link, authors: own.isEmpty ? feedAuthors : own, source: relativePath,
                    position: n))
        }
        if result.articles.isEmpty {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "JSON Feed with no items", severity: .note))
        }
        return result
    }
}
