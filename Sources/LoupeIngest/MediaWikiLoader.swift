import LoupeCore

/// MediaWiki XML export dumps (Wikipedia's `pages-articles.xml`, any wiki's Special:Export;
/// root `<mediawiki>` in the `http://www.mediawiki.org/xml/export-0.N/` namespace), streamed
/// through libxml2: memory holds one page at a time, whatever the size of the dump.
///
/// One article per main-namespace `<page>`:
/// - id: the page's own `<id>` (not its revisions' or contributors'), unique within its
///   collection (`idScope`: the file's directory, as `ArticleLoading.scoped` sets it); without
///   one, `path#n`.
/// - title: `<title>`; link: `<siteinfo><base>`'s wiki path (`…/wiki/`) and the title with
///   underscores, percent-encoded, when the dump names its base.
/// - body, categories: the last `<revision>`'s `<text>` through `WikiText.plain` (a
///   full-history dump's earlier revisions are not read); its `[[Category:…]]` links.
/// - date: the last revision's `<timestamp>`; authors: its contributor's `<username>` (none for
///   an IP address).
///
/// Skipped, and counted in one note: redirects (a `<redirect>` element, or text starting with
/// `#REDIRECT`), and pages outside the main namespace (`<ns>` other than 0; without `<ns>`, a
/// title with a namespace prefix: `Talk:`, `User:`, `Template:`…, the namespaces the dump's
/// `<siteinfo>` lists, and any `… talk:`).
///
/// Broken files: a fatal XML error (a truncated dump) rejects the file with one error naming
/// its line and column, as for feeds.
public struct MediaWikiLoader {
    public init() {}

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        XMLStreamReader.loaded(bytes, url: relativePath) { run($0, relativePath: relativePath, emit: $1) }
    }

    /// Streams a dump from `source` (a compressed file too): articles go to `emit` as each page
    /// closes. When a diagnostic is an error, the caller discards what was emitted.
    public func stream(
        _ source: ByteStream, relativePath: String, chunkSize: Int = 1 << 16, emit: (Article) -> Void
    ) -> [Diagnostic] {
        XMLStreamReader.streamed(source, url: relativePath, chunkSize: chunkSize) {
            run($0, relativePath: relativePath, emit: emit)
        }
    }

    /// Namespace prefixes of non-article pages (lowercased), besides those a dump's siteinfo
    /// lists and any `… talk`.
    static let otherNamespaces: Set<String> = [
        "talk", "user", "wikipedia", "project", "file", "image", "mediawiki", "template", "help", "category",
        "portal", "draft", "module", "special", "media", "timedtext", "gadget", "gadget definition", "book",
        "education program", "topic",
    ]

    struct Page {
        var title = ""
        var ns: String?
        var id: String?
        var redirect = false
        var timestamp = ""
        var username = ""
        var text = ""
    }

    enum Field { case title, ns, id, timestamp, username, text, base, namespace }

    func run(_ r: XMLStreamReader, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let scope = relativePath.split(separator: "/").dropLast().joined(separator: "/")
        var root = ""
        var page: Page?
        var pageDepth = -1
        var inRevision = false
        var inContributor = false
        var inSiteinfo = false
        var field: Field?
        var fieldDepth = -1
        var value = ""
        var base: String?
        var namespaces = Self.otherNamespaces
        var emitted = 0
        var redirects = 0
        var outside = 0

        while r.read() {
            switch r.nodeType {
            case .element:
                let name = r.localName
                let depth = r.depth
                if root.isEmpty {
                    root = name
                    continue
                }
                if field != nil { continue }  // markup inside a field (none in a valid dump)
                var f: Field?
                if page == nil {
                    if name == "page" && depth == 1 {
                        page = Page()
                        pageDepth = depth
                    } else if name == "siteinfo" && depth == 1 {
                        inSiteinfo = !r.isEmptyElement
                    } else if inSiteinfo && name == "base" {
                        f = .base
                    } else if inSiteinfo && name == "namespace" && r.attribute("key") != "0" {
                        f = .namespace
                    }
                } else if depth == pageDepth + 1 {
                    switch name {
                    case "title": f = .title
                    case "ns": f = .ns
                    case "id": f = .id
                    case "redirect": page!.redirect = true
                    case "revision":
                        // Only the last revision counts: each new one starts afresh.
                        page!.timestamp = ""
                        page!.username = ""
                        page!.text = ""
                        inRevision = !r.isEmptyElement
                    default: break
                    }
                } else if inRevision && depth == pageDepth + 2 {
                    switch name {
                    case "timestamp": f = .timestamp
                    case "text": f = .text
                    case "contributor": inContributor = !r.isEmptyElement
                    default: break
                    }
                } else if inContributor && depth == pageDepth + 3 && name == "username" {
                    f = .username
                }
                if let f, !r.isEmptyElement {
                    field = f
                    fieldDepth = depth
                    value = ""
                }
            case .text:
                if field != nil { value += r.value }
            case .entityReference:
                if field != nil { value += "&" + r.name + ";" }
            case .endElement:
                let depth = r.depth
                if let f = field {
                    if depth == fieldDepth {
                        switch f {
                        case .title: page?.title = value.trimmingWhitespace()
                        case .ns: page?.ns = value.trimmingWhitespace()
                        case .id: if page?.id == nil { page?.id = value.trimmingWhitespace() }
                        case .timestamp: page?.timestamp = value.trimmingWhitespace()
                        case .username: page?.username = value.trimmingWhitespace()
                        case .text: page?.text = value
                        case .base: base = value.trimmingWhitespace()
                        case .namespace:
                            let n = value.trimmingWhitespace().lowercased()
                            if !n.isEmpty { namespaces.insert(n) }
                        }
                        field = nil
                        value = ""
                    }
                    continue
                }
                let name = r.localName
                if page != nil && depth == pageDepth && name == "page" {
                    let p = page!
                    page = nil
                    inRevision = false
                    inContributor = false
                    if p.redirect || Self.isRedirect(p.text) {
                        redirects += 1
                    } else if !Self.inMainNamespace(p, namespaces) {
                        outside += 1
                    } else {
                        emit(article(p, base: base, scope: scope, relativePath: relativePath, position: emitted))
                        emitted += 1
                    }
                } else if name == "revision" && depth == pageDepth + 1 {
                    inRevision = false
                } else if name == "contributor" {
                    inContributor = false
                } else if name == "siteinfo" {
                    inSiteinfo = false
                }
            case .documentType, .other:
                break
            }
        }
        diagnostics += r.charsetDiagnostics(path: relativePath)
        if let e = r.errors.first(where: { $0.fatal }) {
            diagnostics.append(
                Diagnostic(path: relativePath, line: e.line, column: e.column, message: e.message, severity: .error))
            return diagnostics
        }
        if root.isEmpty {
            diagnostics.append(Diagnostic(path: relativePath, line: 1, message: "no XML document", severity: .error))
            return diagnostics
        }
        if root != "mediawiki" {
            diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "not a MediaWiki export (root <\(root)>)", severity: .error))
            return diagnostics
        }
        var skipped: [String] = []
        if redirects > 0 { skipped.append(redirects == 1 ? "1 redirect" : "\(redirects) redirects") }
        if outside > 0 {
            skipped.append(
                (outside == 1 ? "1 page" : "\(outside) pages") + " outside the main namespace")
        }
        if !skipped.isEmpty {
            diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "skipped " + skipped.joined(separator: " and "), severity: .note))
        }
        if emitted == 0 && skipped.isEmpty {
            diagnostics.append(Diagnostic(path: relativePath, message: "no <page> articles", severity: .note))
        }
        return diagnostics
    }

    /// Text starting with `#REDIRECT` (any case, blanks before it allowed).
    static func isRedirect(_ text: String) -> Bool {
        var u = text.utf8[...]
        while let f = u.first, f == 0x20 || f == 0x0A || f == 0x0D || f == 0x09 { u = u.dropFirst() }
        let tag = "#redirect".utf8
        guard u.count >= tag.count else { return false }
        return zip(u, tag).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }

    /// `<ns>0</ns>`; without `<ns>`, a title without a known namespace prefix.
    static func inMainNamespace(_ p: Page, _ namespaces: Set<String>) -> Bool {
        if let ns = p.ns { return ns == "0" }
        guard let colon = p.title.firstIndex(of: ":") else { return true }
        let prefix = p.title[..<colon].replacingOccurrences(of: "_", with: " ").trimmingWhitespace().lowercased()
        return !(namespaces.contains(prefix) || prefix.hasSuffix(" talk"))
    }

    /// `https://host/wiki/Main_Page` → `https://host/wiki/`; `…/index.php?title=Main_Page` →
    /// `…/index.php?title=`.
    static func linkPrefix(_ base: String) -> String? {
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else { return nil }
        if let r = base.range(of: "?title=") { return String(base[..<r.upperBound]) }
        guard let slash = base.lastIndex(of: "/") else { return nil }
        return String(base[...slash])
    }

    /// A title as MediaWiki writes it in URLs: blanks as underscores, other bytes outside
    /// `A-Z a-z 0-9 - . _ ~ ; : @ $ ! * ( ) , /` percent-encoded.
    static func urlTitle(_ title: String) -> String {
        let safe = Set("-._~;:@$!*(),/".utf8)
        var out = ""
        for c in title.utf8 {
            if c == 0x20 {
                out += "_"
            } else if MarkupScan.isLetter(c) || MarkupScan.isDigit(c) || safe.contains(c) {
                out.unicodeScalars.append(Unicode.Scalar(c))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(c >> 4)], hex[Int(c & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    private func article(_ p: Page, base: String?, scope: String, relativePath: String, position: Int) -> Article {
        let (body, categories) = WikiText.plain(p.text)
        let id = p.id.flatMap { $0.isEmpty ? nil : $0 } ?? "\(relativePath)#\(position)"
        let link = base.flatMap(Self.linkPrefix).map { $0 + Self.urlTitle(p.title) }
        return Article(
            id: id, title: p.title, body: body, date: DateParsing.iso(p.timestamp), categories: categories,
            link: link, authors: p.username.isEmpty ? [] : [p.username], source: relativePath, position: position,
            idScope: scope)
    }
}
