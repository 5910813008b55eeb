import LoupeCore

/// RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom 1.0 feeds, streamed through libxml2.
///
/// Authors (`Article.authors`, each value through `Bylines.names`): an item's RSS `<author>`
/// (an e-mail with the name in parentheses) and `dc:creator` elements, in order, a name given by
/// both only once; else its `itunes:author` (or another namespace's `author`, such as Google
/// Play's). An Atom entry's `<author>` elements (`name`, else `email`; `contributor`s are not
/// authors); an entry with none takes those of its `<source>`, else the feed's own `<author>`s —
/// only those that come before the entry (nearly every feed puts them first; an entry before a
/// late feed-level `<author>` has none). Channel-level RSS elements (`managingEditor`, the
/// channel's `itunes:author`) are not items' authors, and neither is any `author` nested deeper
/// in an item (inside `media:group`, say).
///
/// WordPress exports (WXR: RSS 2.0 with the `wp:` namespace, as a blog migrates or is archived)
/// give their posts and pages: items whose `wp:post_type` is an attachment, a menu item, a
/// revision or another of WordPress's own records are skipped (one note counts them); the
/// `excerpt:encoded` excerpt is a summary (it once overwrote the post's `content:encoded`); a
/// draft without a `pubDate` is dated by its `wp:post_date_gmt` (else `wp:post_date`); and an
/// author's login (`dc:creator`) is shown as the display name the export's `wp:author` gives.
///
/// Blogger exports (Atom): posts and pages; the comments, the template and the settings,
/// entries of other kinds (their `#kind` category, or the newer export's `blogger:type`), and
/// deleted posts are skipped (one note counts them), and the kind is no category.
///
/// Evernote exports (`.enex`, root `en-export`: a web clipper's or a notebook's notes) give one
/// article per `note`: its title, its ENML `content` as text (the embedded images and files,
/// `resource`s, are not read), `created` as the date (`updated` when there is none), `tag`s as
/// categories, `note-attributes/author` and `source-url` as author and link; a note's id is its
/// position in the file (notes carry none, and two clips of one page are two notes).
///
/// Policy for broken files: a file with a fatal XML error is rejected whole, with one error
/// naming its line and column; none of its items are indexed, even those streamed before the
/// error (libxml2's reader hands them out first). Well-formed XML whose root is none of
/// `rss`, `RDF`, `feed` is indexed as one generic article holding all its text.
public struct FeedLoader {
    public init() {}

    struct Item {
        var title = ""
        var link: String?
        /// The `xml:base` in force at the link, when that is a web address.
        var linkBase: String?
        var guid: String?
        var date: String?
        /// Atom's `updated` (RSS 1.0's `dcterms:modified`): the date of an item that gives no
        /// publication date, wherever it stands in the item.
        var modified: String?
        var categories: [String] = []
        var description = ""
        var content = ""
        /// A title, description or content in another vocabulary's namespace (`itunes:summary`,
        /// a module's `szf:description`, Yandex's `turbo:content`): each used only when the item
        /// gives no title, description or content of its own — a full text (`turbo:content`,
        /// `yandex:full-text`) still before a description.
        var foreignTitle = ""
        var foreignDescription = ""
        var foreignContent = ""
        /// Media RSS's `media:description`, at any depth (YouTube's and podcasts' feeds hold their
        /// text only there, inside `media:group`): the body when there is no other.
        var mediaDescription = ""
        /// `<author>` (RSS or Atom) and `dc:creator`, in order.
        var authors: [String] = []
        /// `itunes:author` and other namespaces' `author`: when there is no other.
        var podcastAuthors: [String] = []
        /// Atom: the authors of the entry's `<source>`, when the entry names none.
        var sourceAuthors: [String] = []
        /// RSS 1.0's `rdf:about`: the id of an item without a `guid`, `dc:identifier` or link.
        var about: String?
        /// RSS 2.0: the `guid` is the item's address (`isPermaLink`, true unless said false).
        var guidIsPermaLink = true
        /// An Evernote note: its id is its position in the file, never its link.
        var positionalID = false
        /// Blogger exports: the entry's kind (`…#post`, `…#comment`, `…#template`, `…#settings`),
        /// and the newer export's `blogger:type` (`POST`, `PAGE`, `COMMENT`) and `blogger:status`.
        var bloggerKind: String?
        var bloggerType: String?
        var bloggerStatus: String?
        /// WordPress: `wp:post_type`, and `wp:post_date_gmt` / `wp:post_date`.
        var postType: String?
        var postDate: String?
        var postDateLocal: String?
    }

    /// WordPress's record types that are not posts or pages.
    static let wordPressRecords: Set<String> = [
        "attachment", "nav_menu_item", "revision", "custom_css", "customize_changeset", "oembed_cache",
        "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles", "wp_navigation",
        "wp_font_family", "wp_font_face", "shop_order", "shop_coupon", "feedback",
    ]
    static let wordPress = "http://wordpress.org/export/"
    static let blogger = "http://schemas.google.com/blogger/"
    static let bloggerKindScheme = "http://schemas.google.com/g/2005#kind"

    /// Whether an entry of a Blogger export is a post or a page (every entry of another feed is):
    /// its comments, templates, settings and deleted posts are not articles.
    static func isBloggerPost(_ item: Item) -> Bool {
        if let k = item.bloggerKind, !(k.hasSuffix("#post") || k.hasSuffix("#page")) { return false }
        if let t = item.bloggerType?.trimmingWhitespace().uppercased(), t != "POST" && t != "PAGE" { return false }
        if let s = item.bloggerStatus?.trimmingWhitespace().uppercased(), s.contains("DELETED") || s.contains("TRASH") {
            return false
        }
        return true
    }

    /// An author element being read: its own text (RSS, `dc:creator`) and, for Atom's
    /// `<author><name>…</name><email>…</email><uri>…</uri></author>`, its name and e-mail.
    struct AuthorElement {
        enum Target { case item, podcast, source, feed }
        enum Part { case own, name, email, other }
        let target: Target
        let depth: Int
        var part = Part.own
        var own = ""
        var name = ""
        var email = ""

        init(_ target: Target, depth: Int) {
            self.target = target
            self.depth = depth
        }

        mutating func append(_ v: String) {
            switch part {
            case .own: own += v
            case .name: name += v
            case .email: email += v
            case .other: break
            }
        }

        /// The name, else the e-mail, else the element's own text.
        var value: String {
            if name.contains(where: { !$0.isWhitespace }) { return name }
            if email.contains(where: { !$0.isWhitespace }) { return email }
            return own
        }
    }

    /// Roots of the vocabularies read item by item (any other root is one generic article).
    static let roots: Set<String> = ["rss", "RDF", "feed", "en-export"]
    static let mediaRSS = "http://search.yahoo.com/mrss/"
    static let atom = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let xhtml = "http://www.w3.org/1999/xhtml"
    /// The namespaces whose `title`, `description`, `content`… are an item's own, besides none
    /// and the item element's: Atom (1.0, 0.3), RSS 1.0 and 0.90, Dublin Core, DC terms, RSS
    /// 1.0's content module, XHTML (`xhtml:body`).
    static let ownNamespaces: Set<String> = [
        atom, atom03, "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/", "http://purl.org/rss/1.0/modules/content/",
        xhtml,
    ]

    /// The fields whose namespace decides whether they are the item's own (see `Item.foreignTitle`).
    static let textFields = descriptionFields.union(contentFields).union(["title"])
    static let descriptionFields: Set<String> = ["description", "summary", "abstract", "excerpt"]
    static let contentFields: Set<String> = ["encoded", "content", "body", "fullitem", "full-text"]

    /// How a field's text is held: as written (HTML escaped or not), as XHTML (its child
    /// elements are markup and its text is text: Atom's `type="xhtml"`, Atom 0.3's `mode="xml"`,
    /// `xhtml:body`), or base64 (Atom content of a non-text media type, Atom 0.3's
    /// `mode="base64"`) with that media type.
    enum FieldMode: Equatable {
        case raw, xhtml
        case base64(String)
    }

    /// The mode of an item child `name` that the reader is on.
    static func fieldMode(_ r: XMLStreamReader, _ name: String) -> FieldMode {
        if name == "body" { return r.inNamespace(xhtml) ? .xhtml : .raw }
        guard name == "content" || name == "summary" || name == "title" || name == "description" else { return .raw }
        guard r.inNamespace(atom) || r.inNamespace(atom03) else { return .raw }
        let type = r.attribute("type")?.trimmingWhitespace().lowercased() ?? ""
        switch r.attribute("mode")?.trimmingWhitespace().lowercased() {
        case "base64": return .base64(type)
        case "xml": return .xhtml
        case "escaped": return .raw
        default: break
        }
        if type == "xhtml" || type == "application/xhtml+xml" { return .xhtml }
        // Atom 1.0: any other media type that is neither text nor XML is base64.
        if type.contains("/") && !type.hasPrefix("text/") && !type.hasSuffix("+xml") && !type.hasSuffix("/xml") {
            return .base64(type)
        }
        return .raw
    }

    /// Base64 content decoded, when it is text: nothing for images, sound, video, or bytes that
    /// are not UTF-8 text.
    static func decodedBase64(_ raw: String, type: String) -> String {
        if type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/") { return "" }
        guard let bytes = MIME.base64Lenient(Array(raw.utf8)[...], cap: 1 << 30), !bytes.isEmpty,
            let s = bytes.withUnsafeBufferPointer(TextDecoding.utf8String),
            !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" })
        else { return "" }
        return s
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var result = LoadResult()
        if bytes.isEmpty {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "empty file", severity: .note))
            return result
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "no XML content (only blanks)", severity: .note))
            return result
        }
        return XMLStreamReader.loaded(bytes, url: relativePath) { run($0, relativePath: relativePath, emit: $1) }
    }

    /// Streams a feed from an open file: articles go to `emit` as they are read (memory does
    /// not grow with the file). Returns the diagnostics; when one is an error, the caller must
    /// discard what was emitted (see `CorpusIndexer`).
    public func stream(fd: Int32, relativePath: String, chunkSize: Int = 1 << 16, emit: (Article) -> Void)
        -> [Diagnostic]
    {
        stream(ByteStream(fd: fd), relativePath: relativePath, chunkSize: chunkSize, emit: emit)
    }

    /// As `stream(fd:relativePath:chunkSize:emit:)`, from `source` (a compressed file too). A
    /// read failure (damaged compressed data) is an error of the file.
    public func stream(
        _ source: ByteStream, relativePath: String, chunkSize: Int = 1 << 16, emit: (Article) -> Void
    ) -> [Diagnostic] {
        XMLStreamReader.streamed(source, url: relativePath, chunkSize: chunkSize) {
            run($0, relativePath: relativePath, emit: emit)
        }
    }

    /// Longest text kept for a generic (unknown vocabulary) XML document.
    static let maxGenericBytes = 16 << 20

    func run(_ r: XMLStreamReader, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        var result = LoadResult()
        var itemCount = 0
        var root = ""
        var current: Item?
        var itemDepth = -1
        var field: String?  // local name of the item child being read
        var fieldDepth = -1
        var fieldMode = FieldMode.raw
        var fieldForeign = false
        var itemNamespace = ""
        var text = ""
        var genericTitle: String?
        var genericTitleOpen = false
        var generic = ""
        var ok = true
        var author: AuthorElement?
        /// Atom: the feed's `<author>`s seen so far (entries without their own inherit them).
        var feedAuthors: [String] = []
        /// WordPress: the channel's `wp:author` logins and display names, the one being read.
        var wpNames: [String: String] = [:]
        var wpField: String?
        var wpText = ""
        var wpLogin = ""
        var wpSkipped = 0
        var bloggerSkipped = 0
        var selfLink: String?
        var siteLink: String?
        var siteLinkText: String?
        func emitOrSkip(_ item: Item) {
            if let t = item.postType?.trimmingWhitespace(), FeedLoader.wordPressRecords.contains(t) {
                wpSkipped += 1
                return
            }
            if !FeedLoader.isBloggerPost(item) {
                bloggerSkipped += 1
                return
            }
            var item = item
            if let l = item.link {
                item.link = XMLStreamReader.resolve(l, against: item.linkBase ?? selfLink ?? siteLink)
            }
            emitItem(item, itemCount, relativePath, feedAuthors, wpNames, emit)
            itemCount += 1
        }

        func finish(_ a: AuthorElement) {
            switch a.target {
            case .item: Bylines.add(a.value, to: &current!.authors)
            case .podcast: Bylines.add(a.value, to: &current!.podcastAuthors)
            case .source: Bylines.add(a.value, to: &current!.sourceAuthors)
            case .feed: Bylines.add(a.value, to: &feedAuthors)
            }
        }

        while true {
            guard r.read() else { break }
            switch r.nodeType {
            case .element:
                let name = r.localName
                let depth = r.depth
                if root.isEmpty { root = name }
                let feedRoot = FeedLoader.roots.contains(root)
                if !feedRoot {
                    if name == "title" && genericTitle == nil { genericTitleOpen = true }
                    generic += " "
                    continue
                }
                if author != nil {
                    // A child of an author element: Atom's name and email are read.
                    if depth == author!.depth + 1 && !r.isEmptyElement {
                        author!.part = name == "name" ? .name : name == "email" ? .email : .other
                    }
                    continue
                }
                let itemName = root == "en-export" ? name == "note" : name == "item" || name == "entry"
                if current == nil && itemName {
                    current = Item()
                    itemNamespace = r.namespaceURI
                    current!.positionalID = root == "en-export"
                    // RSS 1.0: the item's URI, its id when it gives no other.
                    if root == "RDF" { current!.about = r.attribute("rdf:about") }
                    itemDepth = depth
                    if r.isEmptyElement {
                        emitOrSkip(current!)
                        current = nil
                    }
                    continue
                }
                guard current != nil else {
                    // The feed's own address (Atom's, or RSS's `atom:link rel="self"`) and its
                    // site's: what an item's relative link is resolved against.
                    if name == "link" && (depth == 1 || depth == 2 && root != "feed") {
                        if let href = r.attribute("href") {
                            let rel = r.attribute("rel") ?? "alternate"
                            let address = XMLStreamReader.resolve(href, against: r.webBase)
                            if XMLStreamReader.isWebAddress(address) {
                                if rel == "self" && selfLink == nil { selfLink = address }
                                if rel == "alternate" && siteLink == nil { siteLink = address }
                            }
                        } else if root != "feed" && siteLink == nil && !r.isEmptyElement {
                            siteLinkText = ""  // RSS's channel link, read as text
                        }
                        continue
                    }
                    if (name == "author_login" || name == "author_display_name") && !r.isEmptyElement
                        && r.inNamespace(startingWith: FeedLoader.wordPress)
                    {
                        wpField = name
                        wpText = ""
                    }
                    if name == "author" && depth == 1 && root == "feed" && !r.isEmptyElement {
                        author = AuthorElement(.feed, depth: depth)
                    }
                    continue
                }
                if root == "en-export" && field == nil && depth > itemDepth {
                    // A note's attributes: its author and source; its resources are not text.
                    if depth == itemDepth + 2 && (name == "author" || name == "source-url") && !r.isEmptyElement {
                        field = name == "author" ? "note-author" : "link"
                        fieldDepth = depth
                        text = ""
                        continue
                    }
                    if depth == itemDepth + 2 || name == "note-attributes" || name == "resource" { continue }
                }
                if field == nil && depth == itemDepth + 1 {
                    switch name {
                    case "link":
                        if let href = r.attribute("href") {
                            let rel = r.attribute("rel") ?? "alternate"
                            if rel == "alternate" && current!.link == nil {
                                current!.link = href
                                if !XMLStreamReader.hasScheme(href) { current!.linkBase = r.webBase }
                            }
                            continue
                        }
                    case "category":
                        // Atom's `term`; an item's `itunes:category` names it in `text`.
                        if let term = r.attribute("term") ?? r.attribute("text") {
                            // Blogger's entry kind (post, comment, template, settings) is no category.
                            if r.attribute("scheme") == FeedLoader.bloggerKindScheme {
                                current!.bloggerKind = term
                            } else if !term.trimmingWhitespace().isEmpty {
                                current!.categories.append(term.trimmingWhitespace())
                            }
                            continue
                        }
                    case "type" where r.inNamespace(startingWith: FeedLoader.blogger),
                        "status" where r.inNamespace(startingWith: FeedLoader.blogger):
                        if !r.isEmptyElement {
                            field = "blogger:" + name
                            fieldDepth = depth
                            text = ""
                        }
                        continue
                    case "group" where r.inNamespace(FeedLoader.mediaRSS):
                        continue  // its children are read one by one (media:description)
                    case "author":
                        if !r.isEmptyElement {
                            let own = r.inNamespace("") || r.inNamespace(FeedLoader.atom)
                            author = AuthorElement(own ? .item : .podcast, depth: depth)
                        }
                        continue
                    case "creator":
                        if !r.isEmptyElement { author = AuthorElement(.item, depth: depth) }
                        continue
                    case "description":
                        break
                    case "guid":
                        current!.guidIsPermaLink =
                            r.attribute("isPermaLink")?.trimmingWhitespace().lowercased() != "false"
                    case "encoded" where r.inNamespace(startingWith: FeedLoader.wordPress):
                        // `excerpt:encoded`: the post's excerpt, a summary.
                        if !r.isEmptyElement {
                            field = "excerpt"
                            fieldDepth = depth
                            text = ""
                        }
                        continue
                    default:
                        // Media RSS describes the item's media, not the item: a `media:content`
                        // holding a `media:credit` ("Photograph: …") is no content, and a
                        // `media:title` is the title only of an item without one (as in
                        // feedparser). Only `media:description` is read besides.
                        if r.inNamespace(FeedLoader.mediaRSS) && name != "title" { continue }
                    }
                    if !r.isEmptyElement {
                        field = name
                        fieldDepth = depth
                        text = ""
                        fieldMode = FeedLoader.fieldMode(r, name)
                        if FeedLoader.textFields.contains(name) {
                            let ns = r.namespaceURI
                            fieldForeign = !ns.isEmpty && ns != itemNamespace && !FeedLoader.ownNamespaces.contains(ns)
                        }
                    }
                } else if field == nil && name == "description" && !r.isEmptyElement
                    && r.inNamespace(FeedLoader.mediaRSS)
                {
                    field = "media:description"
                    fieldDepth = depth
                    text = ""
                } else if name == "author" && field == "source" && depth == fieldDepth + 1 && !r.isEmptyElement {
                    author = AuthorElement(.source, depth: depth)  // Atom's entry/source/author
                } else if field != nil {
                    // Markup inside the field (XHTML, or HTML written as XML): kept as tags, so
                    // that block and inline elements separate words as in HTML and `script` and
                    // `style` contents are dropped.
                    text += "<" + name + (r.isEmptyElement ? "/>" : ">")
                }
            case .text:
                if siteLinkText != nil {
                    siteLinkText! += r.value
                } else if wpField != nil {
                    wpText += r.value
                } else if author != nil {
                    author!.append(r.value)
                } else if field != nil {
                    if fieldMode == .xhtml {
                        // XHTML's text is text: `&lt;blink&gt;` is no tag to strip.
                        text += r.value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
                            of: "<", with: "&lt;")
                    } else {
                        text += r.value
                    }
                } else if current == nil && !root.isEmpty && !FeedLoader.roots.contains(root) {
                    let v = r.value
                    if genericTitleOpen { genericTitle = (genericTitle ?? "") + v }
                    if generic.utf8.count < FeedLoader.maxGenericBytes { generic += v }
                }
            case .endElement:
                let depth = r.depth
                if let a = author {
                    if depth == a.depth {
                        finish(a)
                        author = nil
                    } else if depth == a.depth + 1 {
                        author!.part = .own
                    }
                    continue
                }
                if genericTitleOpen && r.localName == "title" { genericTitleOpen = false }
                if let t = siteLinkText {
                    let address = t.trimmingWhitespace()
                    if XMLStreamReader.isWebAddress(address) { siteLink = address }
                    siteLinkText = nil
                    continue
                }
                if let f = wpField {
                    let v = wpText.trimmingWhitespace()
                    if f == "author_login" {
                        wpLogin = v
                    } else if !wpLogin.isEmpty && !v.isEmpty {
                        wpNames[wpLogin] = v
                    }
                    wpField = nil
                    continue
                }
                if let f = field, depth == fieldDepth {
                    if case .base64(let type) = fieldMode { text = FeedLoader.decodedBase64(text, type: type) }
                    apply(f, text, foreign: fieldForeign, to: &current!)
                    // A relative link's base: the `xml:base` in force at its element (this end).
                    if f == "link", current!.linkBase == nil, let l = current!.link, !XMLStreamReader.hasScheme(l) {
                        current!.linkBase = r.webBase
                    }
                    field = nil
                    fieldDepth = -1
                    fieldMode = .raw
                    fieldForeign = false
                } else if field != nil && depth > fieldDepth {
                    text += "</" + r.localName + ">"
                } else if current != nil && depth == itemDepth && field == nil {
                    emitOrSkip(current!)
                    current = nil
                    itemDepth = -1
                }
            case .entityReference:
                if author != nil {
                    author!.append("&" + r.name + ";")
                } else if field != nil {
                    text += "&" + r.name + ";"
                }
            case .documentType, .other:
                break
            }
        }
        result.diagnostics += r.charsetDiagnostics(path: relativePath)
        let fatal = r.errors.first { $0.fatal }
        if let e = fatal {
            result.diagnostics.append(
                Diagnostic(path: relativePath, line: e.line, column: e.column, message: e.message, severity: .error))
            ok = false
        } else if root.isEmpty {
            result.diagnostics.append(
                Diagnostic(path: relativePath, line: 1, message: "no XML document", severity: .error))
            ok = false
        }
        guard ok else { return result.diagnostics }
        if bloggerSkipped > 0 {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath,
                    message:
                        "\(bloggerSkipped) Blogger entries that are not posts or pages (comments, templates, settings, deleted posts) skipped",
                    severity: .note))
        }
        if wpSkipped > 0 {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath,
                    message:
                        "\(wpSkipped) WordPress records that are not posts or pages (attachments, menu items, revisions…) skipped",
                    severity: .note))
        }

        if !FeedLoader.roots.contains(root) {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "unknown XML vocabulary <\(root)>; indexed as one generic article",
                    severity: .note))
            let body = HTMLText.collapse(generic)
            let title = genericTitle.map { HTMLText.collapse($0) } ?? TextLoader.fileTitle(relativePath)
            if !body.isEmpty { emit(Article(id: relativePath, title: title, body: body, source: relativePath)) }
        }
        return result.diagnostics
    }

    /// `feedAuthors`: an Atom feed's own authors so far, for an entry without any; `names`: a
    /// WordPress export's display names by login.
    private func emitItem(
        _ item: Item, _ n: Int, _ relativePath: String, _ feedAuthors: [String], _ names: [String: String],
        _ emit: (Article) -> Void
    ) {
        var text = item.mediaDescription
        for t in [item.content, item.foreignContent, item.description, item.foreignDescription] where !t.isEmpty {
            text = t
            break
        }
        var categories = item.categories
        if let (rest, sections) = FeedTrailers.sectionLinks(text) {
            text = rest
            for s in sections where !categories.contains(s) { categories.append(s) }
        }
        let body = FeedTrailers.stripped(HTMLText.plainUnescapingTwice(text))
        let title = HTMLText.plainUnescapingTwice(item.title.isEmpty ? item.foreignTitle : item.title)
        // An item without a link whose `guid` is a permalink (RSS 2.0's default) is at that address.
        var link = item.link
        if link == nil, item.guidIsPermaLink, let g = item.guid?.trimmingWhitespace(),
            g.hasPrefix("http://") || g.hasPrefix("https://")
        {
            link = g
        }
        let positional = "\(relativePath)#\(n)"
        var id = positional
        if !item.positionalID {
            if let g = item.guid, !g.isEmpty {
                id = g
            } else if let l = item.link {
                id = l
            } else if let a = item.about, !a.isEmpty {
                id = a
            }
        }
        var authors =
            !item.authors.isEmpty
            ? item.authors
            : !item.podcastAuthors.isEmpty
                ? item.podcastAuthors : !item.sourceAuthors.isEmpty ? item.sourceAuthors : feedAuthors
        if !names.isEmpty { authors = authors.map { names[$0] ?? $0 } }
        // A WordPress draft has no real `pubDate` (`30 Nov -0001`): its post date.
        let date =
            item.date.flatMap(LoaderDates.iso) ?? item.modified.flatMap(LoaderDates.iso)
            ?? item.postDate.flatMap(DateParsing.iso) ?? item.postDateLocal.flatMap(DateParsing.iso)
        emit(
            Article(
                id: id, title: title, body: body, date: date,
                categories: categories, link: link, authors: authors, source: relativePath, position: n))
    }

    /// `foreign`: the element is in another vocabulary's namespace (see `Item.foreignTitle`).
    private func apply(_ field: String, _ raw: String, foreign: Bool = false, to item: inout Item) {
        let v = raw.trimmingWhitespace()
        if foreign {  // only `textFields` are ever foreign
            if field == "title" {
                if item.foreignTitle.isEmpty { item.foreignTitle = v }
            } else if FeedLoader.descriptionFields.contains(field) {
                if item.foreignDescription.isEmpty { item.foreignDescription = raw }
            } else if item.foreignContent.isEmpty {
                item.foreignContent = raw
            }
            return
        }
        switch field {
        case "title": item.title = v
        case "link": if item.link == nil && !v.isEmpty { item.link = v }
        case "guid", "id", "identifier": if item.guid == nil { item.guid = v }
        case "pubDate", "date", "published", "issued": if item.date == nil || field == "pubDate" { item.date = v }
        case "updated", "modified": if item.modified == nil { item.modified = v }
        case "category", "subject", "tag":
            // Markup alone (a nested `itunes:category`) is no category.
            let c = HTMLText.plain(v)
            if !c.isEmpty { item.categories.append(c) }
        case "created": if item.date == nil { item.date = v }
        case "note-author": Bylines.add(raw, to: &item.authors)
        case "description", "summary", "abstract", "excerpt":
            if item.description.isEmpty { item.description = raw }
        case "post_type": item.postType = v
        case "blogger:type": item.bloggerType = v
        case "blogger:status": item.bloggerStatus = v
        case "post_date_gmt": if !v.hasPrefix("0000") { item.postDate = v }
        case "post_date": if !v.hasPrefix("0000") { item.postDateLocal = v }
        case "encoded", "content", "body", "fullitem": item.content = raw
        case "media:description": if item.mediaDescription.isEmpty { item.mediaDescription = raw }
        default: break
        }
    }
}
