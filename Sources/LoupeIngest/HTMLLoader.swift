import CLibXML2
import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTML pages (a site saved to disk, a folder of saved articles): one file, one article.
///
/// Parsed by libxml2's HTML parser, which recovers tag soup as a browser would (unclosed `<p>`,
/// implied `<html>` and `<body>`, bare `&`, HTML's named entities), with no network access and
/// no error output. The tree is walked without recursion (a page nested a million deep is read
/// like any other).
///
/// - text: the page's `itemprop="articleBody"`, else its `<article>` when it has exactly one
///   (or one with twice the others' text), else its `<main>` (or the element with
///   `role="main"`), checked against where the paragraphs are (`ContentBlocks`: which takes a
///   page that names none, replaces a named container that misses the story and narrows one
///   that holds furniture); without scripts, styles, forms, navigation (`nav`, `aside`,
///   `footer`, a `header` outside the article, their ARIA roles) and hidden elements; block
///   elements (paragraphs, headings, list items, table rows, `<br>`) end lines.
/// - title: `og:title` (or `twitter:title`), else the `headline` of the page's schema.org
///   article (JSON-LD, below), else the first `<h1>` when the `<title>` contains it (`<title>`
///   usually appends the site's name), else `<title>`, else the `<h1>`, else the file name; a
///   text that opens with the title (its headline) does not repeat it.
/// - date: `article:published_time`, `datePublished` and the other usual `<meta>` names of a
///   publication date, else the JSON-LD article's `datePublished` (or `dateCreated`), else a
///   modification date (`<meta>`, then JSON-LD), else the first `<time datetime>` of the text.
/// - authors: `<meta name="author">` and its usual variants (an `article:author` that is a URL
///   is skipped), else the JSON-LD article's `author` (names, or objects with a `name`), else
///   the page's byline element: the first `rel="author"` or `itemprop="author"` that names
///   someone, else the first class or id with `byline` or `author-name`, else with `author` (not
///   in a comment, navigation or footer; its first line, `By`, `Written by`, `Par`, `Por`, `Von`
///   dropped); link:
///   `<link rel="canonical">`, else `og:url`, else the JSON-LD `url`; categories:
///   `article:section`, `article:tag`, the comma-separated `keywords`, and the JSON-LD
///   `articleSection` and `keywords`.
/// - JSON-LD: the first `<script type="application/ld+json">` object (top level, in an array
///   or in an `@graph`) whose `@type` is an article (`NewsArticle`, `Article`, `BlogPosting`,
///   `ReportageNewsArticle`, …; a type ending in `Article`, `BlogPosting` or `Posting`). Many
///   news sites state their authors and dates only there.
/// - encoding: the page's own declaration (`<meta charset>`, `http-equiv`, a BOM); without one,
///   UTF-8 when the bytes are valid UTF-8, else Windows-1252 (as browsers guess).
/// - id: the file's path, like a text file (a canonical link is not an identity: some sites
///   give every page the same one).
public struct HTMLLoader {
    public init() {}

    static let options = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | XML_PARSE_HUGE.rawValue)

    private static let setup: Void = {
        xmlInitParser()
        loupe_installDenyLoader()
    }()

    /// libxml2's global set-up (not reentrant): done once, before threads parse.
    static func prepare() { _ = setup }

    /// `charset`: the encoding a transport declared (an archived HTTP response's `Content-Type`),
    /// which takes precedence over the page's own declaration when iconv knows it;
    /// `fallbackTitle`: the title of a page that has none (else the file name).
    public func load(_ bytes: [UInt8], relativePath: String, charset: String? = nil, fallbackTitle: String? = nil)
        -> LoadResult
    {
        _ = HTMLLoader.setup
        var result = LoadResult()
        // libxml2 takes an Int32 size (a page of 2 GB is no page anyway).
        guard bytes.count < 1 << 30 else {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "HTML page larger than 1 GB; skipped", severity: .error))
            return result
        }
        let (doc, invalidLine) = HTMLLoader.parse(bytes, charset: charset)
        if let invalidLine {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, line: invalidLine,
                    message: "not valid UTF-8; those bytes read as Latin-1 (Windows-1252)", severity: .warning))
        }
        guard let doc else {
            result.diagnostics.append(
                Diagnostic(path: relativePath, line: 1, message: "not a readable HTML page", severity: .error))
            return result
        }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "empty page", severity: .note))
            return result
        }
        var page = Page()
        page.survey(root)
        let (collected, text) = HTMLLoader.bodyText(root, page)
        var body = collected
        let h1 = page.h1.map { Page.text(of: $0) } ?? ""
        let docTitle = page.title.map { Page.text(of: $0) } ?? ""
        let ld = LinkedData.article(in: page.linkedData)
        // On a page whose `<h1>` its `<title>` holds (a title of its own), a JSON-LD headline
        // sharing less than half its words with them is no headline (Wikipedia's is the
        // topic's one-line description).
        let ownTitle = !h1.isEmpty && docTitle.contains(h1)
        let headline = ld?.headline.flatMap { !ownTitle || HTMLLoader.fits($0, docTitle + " " + h1) ? $0 : nil }
        var title = page.meta(["og:title", "twitter:title"]) ?? headline ?? ""
        if title.isEmpty {
            // The `<h1>` when the `<title>` holds it and it is most of it (not the site's logo,
            // `V8` of `Outputting standalone binaries · V8`).
            if !h1.isEmpty
                && (docTitle.isEmpty
                    || (docTitle.contains(h1) && HTMLLoader.words(h1) * 2 >= HTMLLoader.words(docTitle)))
            {
                title = h1
            } else {
                title = docTitle
            }
        }
        // The headline usually opens the text too: kept once, as the title.
        if !title.isEmpty, body.hasPrefix(title) {
            let rest = body.dropFirst(title.count)
            if rest.isEmpty || rest.hasPrefix("\n") { body = String(rest.drop { $0 == "\n" }) }
        }
        if title.isEmpty && body.isEmpty {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "no text in the page", severity: .note))
            return result
        }
        if title.isEmpty { title = fallbackTitle ?? TextLoader.fileTitle(relativePath) }
        let date =
            page.meta(HTMLLoader.dateNames).flatMap(DateParsing.iso)
            ?? ld?.published.flatMap(DateParsing.iso)
            ?? page.meta(HTMLLoader.modifiedDateNames).flatMap(DateParsing.iso)
            ?? ld?.modified.flatMap(DateParsing.iso)
            ?? text.firstTime.flatMap(DateParsing.iso)
        var authors: [String] = []
        for raw in page.metas(HTMLLoader.authorNames) where !HTMLLoader.isURL(raw) {
            for n in Bylines.names(raw) where !authors.contains(n) { authors.append(n) }
        }
        if authors.isEmpty {
            for raw in ld?.authors ?? [] where !HTMLLoader.isURL(raw) {
                for n in Bylines.names(raw) where !authors.contains(n) { authors.append(n) }
            }
        }
        if authors.isEmpty { authors = page.bylineNames(below: root) }
        var categories: [String] = []
        func addCategory(_ c: String) {
            let v = HTMLText.collapse(c)
            // `Harbour` from article:tag and `harbour` from keywords are one category.
            let key = v.lowercased()
            if !v.isEmpty && categories.count < 50 && !categories.contains(where: { $0.lowercased() == key }) {
                categories.append(v)
            }
        }
        for c in page.metas(["article:section", "article:tag"]) { addCategory(c) }
        // (Some generators put the page's title there: no category.)
        for k in page.metas(["keywords", "news_keywords"]) where k != docTitle && k != title {
            for part in k.split(separator: ",") { addCategory(String(part)) }
        }
        for c in ld?.sections ?? [] { addCategory(c) }
        for k in ld?.keywords ?? [] where k != title {
            for part in k.split(separator: ",") { addCategory(String(part)) }
        }
        let link = page.canonical ?? page.meta(["og:url"]) ?? ld?.url
        result.articles.append(
            Article(
                id: relativePath, title: title, body: body, date: date, categories: categories,
                link: link.flatMap { $0.isEmpty ? nil : $0 }, authors: authors, source: relativePath, position: 0))
        return result
    }

    /// The page's text as `load` reads it, its headline kept (for pages inside another format:
    /// an EPUB's chapters); empty when libxml2 cannot read it.
    static func pageText(_ bytes: [UInt8]) -> String {
        _ = HTMLLoader.setup
        guard bytes.count < 1 << 30, let doc = HTMLLoader.parse(bytes).doc else { return "" }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return "" }
        var page = Page()
        page.survey(root)
        return HTMLLoader.bodyText(root, page, judged: false).0
    }

    /// Parses a page (see `prepare`); the caller frees the document. A `charset` iconv knows is
    /// decoded first and the page's own declaration ignored.
    private static func parse(_ bytes: [UInt8], charset: String? = nil) -> (doc: htmlDocPtr?, invalidLine: Int?) {
        var input = bytes
        var options = HTMLLoader.options
        var (repaired, encoding, invalidLine): ([UInt8]?, String?, Int?) = (nil, nil, nil)
        if let charset, !HTMLLoader.isUTF8BeyondASCII(bytes), let utf8 = HTMLLoader.transcoded(bytes, charset: charset)
        {
            input = utf8
            (repaired, invalidLine) = HTMLLoader.repairUTF8(input)
            encoding = "UTF-8"
            options |= Int32(HTML_PARSE_IGNORE_ENC.rawValue)
        } else {
            (repaired, encoding, invalidLine) = HTMLLoader.prepare(bytes)
            // Read as UTF-8: a `<meta charset>` naming another (a page re-saved in UTF-8) must
            // not switch the parser.
            if encoding == "UTF-8" { options |= Int32(HTML_PARSE_IGNORE_ENC.rawValue) }
        }
        let doc: htmlDocPtr? = (repaired ?? input).withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            if let encoding { return htmlReadMemory(base, Int32(raw.count), nil, encoding, options) }
            return htmlReadMemory(base, Int32(raw.count), nil, nil, options)
        }
        return (doc, invalidLine)
    }

    /// `bytes` as UTF-8 from a declared `charset` (Latin-1 and ASCII read as Windows-1252, as
    /// browsers do; UTF-8 as is); nil when iconv does not know the name.
    static func transcoded(_ bytes: [UInt8], charset: String) -> [UInt8]? {
        var name = charset.trimmingWhitespace().lowercased()
        if name.hasPrefix("\"") || name.hasPrefix("'") { name = String(name.dropFirst().dropLast()) }
        if name == "utf-8" || name == "utf8" { return bytes }
        if ["iso-8859-1", "latin1", "iso8859-1", "us-ascii", "ascii", "l1", "cp819", "iso_8859-1"].contains(name) {
            name = "windows-1252"
        }
        return Charsets.decode(bytes, charset: name).map { Array($0.utf8) }
    }

    /// The text of the page's one element marked `itemprop="articleBody"` (schema.org
    /// microdata), else of its one `<article>` (or of the one that holds at least twice the text
    /// of all the others: a story beside teasers of other stories), else its `<main>`, else its
    /// `<body>` — as `ContentBlocks` corrects or narrows that choice (see there and below).
    /// `judged`: whether to find the story among the page's furniture (a web page), or take
    /// the container the markup names, else the whole body (a book's chapter, a mail's HTML).
    private static func bodyText(_ root: xmlNodePtr, _ page: Page, judged: Bool = true) -> (String, TextCollector) {
        var article = page.articleBodies.count == 1 ? page.articleBodies[0] : nil
        if article == nil, page.articles.count == 1 {
            article = page.articles[0]
        } else if article == nil, page.articles.count > 1, page.articles.count <= 50 {
            let sizes = page.articles.map {
                Page.text(of: $0).unicodeScalars.count(where: { $0.properties.isAlphabetic })
            }
            let total = sizes.reduce(0, +)
            if let best = sizes.indices.max(by: { sizes[$0] < sizes[$1] }), sizes[best] * 3 >= total * 2,
                sizes[best] >= 200
            {
                article = page.articles[best]
            }
        }
        let semantic = article ?? page.main
        var container = semantic ?? page.body ?? root
        // The paragraphs' judgement (ContentBlocks) checks the markup's: it takes the page
        // that names no container, corrects a container that misses the story, and narrows one
        // that holds the story with furniture when what it leaves out is little text.
        var parts: [xmlNodePtr]? = nil
        if judged, let blocks = ContentBlocks(page.body ?? root) {
            if let semantic {
                let chosen = Double(blocks.partsText)
                let marked = Double(blocks.paragraphText(semantic))
                if ContentBlocks.contains(semantic, blocks.top) {
                    if chosen >= marked * 0.9 { parts = blocks.parts }
                } else if ContentBlocks.contains(blocks.top, semantic) {
                    // A teaser `<article>` inside the story's column.
                    if marked * 2 < chosen { parts = blocks.parts }
                } else if chosen >= marked * 2 {
                    // A `<main>` holding an advert, an `<article>` of another story.
                    parts = blocks.parts
                }
            } else {
                parts = blocks.parts
            }
        }
        var text = TextCollector()
        if let parts {
            container = parts[0].pointee.parent ?? parts[0]
            let boilerplate = Boilerplate(container)
            for p in parts {
                let name = Page.name(p) ?? ""
                if parts.count > 1
                    && (TextCollector.skip(p, name, insideArticle: article != nil)
                        || boilerplate.isBoilerplate(p, name))
                {
                    continue
                }
                text.paragraph()
                text.collect(p, insideArticle: article != nil, boilerplate: boilerplate)
            }
        } else {
            text.collect(container, insideArticle: article != nil, boilerplate: Boilerplate(container))
        }
        var body = text.finish()
        // No letter or digit left (an image's object replacement character): no text.
        if !body.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) {
            body = ""
        }
        if body.isEmpty {
            // Everything looked like boilerplate (a page of links): the text without that filter.
            text = TextCollector()
            text.collect(container, insideArticle: page.articles.count == 1)
            body = text.finish()
        }
        return (body, text)
    }

    /// `<meta>` names (lowercased `name`, `property` or `itemprop`) of a publication date, in
    /// order of preference.
    static let dateNames = [
        "article:published_time", "og:article:published_time", "datepublished", "dc.date.issued", "dcterms.issued",
        "dc.date", "dcterms.date", "dcterms.created", "date", "pubdate", "publishdate", "publish-date",
        "article.published", "sailthru.date", "parsely-pub-date",
    ]

    /// Modification dates: a page's date when it states no publication date.
    static let modifiedDateNames = ["og:updated_time", "article:modified_time", "datemodified"]

    static let authorNames = [
        "author", "article:author", "dc.creator", "dcterms.creator", "byl", "sailthru.author", "parsely-author",
        "twitter:creator:name",
    ]

    /// Whether at least half of `headline`'s words (letters and digits, any case) are words of
    /// `page` (the `<title>` and `<h1>`), or the page has none.
    static func fits(_ headline: String, _ page: String) -> Bool {
        func words(_ s: String) -> [Substring] {
            s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        }
        let have = Set(words(page))
        if have.isEmpty { return true }
        let w = words(headline)
        return w.isEmpty || w.count(where: { have.contains($0) }) * 2 >= w.count
    }

    static func words(_ s: String) -> Int {
        s.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).count
    }

    static func isURL(_ s: String) -> Bool {
        let t = s.trimmingWhitespace().lowercased()
        return t.hasPrefix("http://") || t.hasPrefix("https://") || t.hasPrefix("/")
    }

    /// What to hand libxml2: a page that declares a charset other than UTF-8 (within its first
    /// 4 KB) or starts with a UTF-16 byte-order mark is left to libxml2 (nil encoding); any
    /// other page is read as UTF-8, its bytes that are not UTF-8 rewritten as their
    /// Windows-1252 characters first (then the repaired bytes and the line of the first one).
    static func prepare(_ b: [UInt8]) -> (repaired: [UInt8]?, encoding: String?, invalidLine: Int?) {
        if b.count >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) { return (nil, nil, nil) }
        // A page that declares another charset is left to libxml2, unless its bytes are UTF-8
        // beyond ASCII (a page re-saved in UTF-8 with its old `<meta charset>`): that is
        // practically never true of Latin-1 or East Asian text by chance.
        if let declared = declaredCharset(b), declared != "utf-8" && declared != "utf8",
            !declared.hasPrefix("utf-16"), !isUTF8BeyondASCII(b)
        {
            return (nil, nil, nil)
        }
        let (repaired, line) = repairUTF8(b)
        return (repaired, "UTF-8", line)
    }

    /// Whether `b` is valid UTF-8 and holds characters beyond ASCII.
    static func isUTF8BeyondASCII(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer(XMLRepair.isUTF8BeyondASCII)
    }

    /// UTF-8 bytes with the bytes that are not UTF-8 rewritten as their Windows-1252 characters
    /// (nil when all are valid), and the line of the first such byte.
    static func repairUTF8(_ b: [UInt8]) -> (repaired: [UInt8]?, invalidLine: Int?) {
        b.withUnsafeBufferPointer { p in
            if TextDecoding.isValidUTF8(p) { return (nil, nil) }
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 64)
            let first = XMLRepair.transcodeInvalid(p, into: &out) ?? 0
            let line = 1 + p[..<first].count { $0 == 0x0A }
            return (out, line)
        }
    }

    /// The lowercased value of the first `charset=` within the first 4 KB (`<meta charset>`,
    /// an `http-equiv` content type, an XML declaration's `encoding=` is not looked for).
    static func declaredCharset(_ b: [UInt8]) -> String? {
        let head = b.prefix(4096)
        let key = Array("charset".utf8)
        var i = 0
        while i + key.count <= head.count {
            var match = true
            for k in 0..<key.count where head[i + k] | 0x20 != key[k] {
                match = false
                break
            }
            if match {
                var j = i + key.count
                func blanks() { while j < head.count && (head[j] == 0x20 || head[j] == 0x09) { j += 1 } }
                blanks()
                if j < head.count && head[j] == UInt8(ascii: "=") {
                    j += 1
                    blanks()
                    if j < head.count && (head[j] == UInt8(ascii: "\"") || head[j] == UInt8(ascii: "'")) { j += 1 }
                    var v: [UInt8] = []
                    while j < head.count, v.count < 40 {
                        let c = head[j]
                        if c <= 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: ";")
                            || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
                        {
                            break
                        }
                        v.append(c | (c >= 0x41 && c <= 0x5A ? 0x20 : 0))
                        j += 1
                    }
                    if !v.isEmpty { return String(decoding: v, as: UTF8.self) }
                }
            }
            i += 1
        }
        return nil
    }
}

/// What one pass over the tree finds: the candidate containers, the title elements, the metas.
struct Page {
    var articles: [xmlNodePtr] = []
    /// Elements marked `itemprop="articleBody"` (at most 2: more than one is no signal).
    var articleBodies: [xmlNodePtr] = []
    var main: xmlNodePtr?
    var body: xmlNodePtr?
    var title: xmlNodePtr?
    var h1: xmlNodePtr?
    var canonical: String?
    /// (lowercased name, content) in document order.
    var metaPairs: [(String, String)] = []
    /// The JSON-LD scripts' texts (at most 8, each at most 1 MB), in document order.
    var linkedData: [String] = []
    /// Elements whose markup says they name the author, with how surely (`bylineRank`), in
    /// document order (at most 64).
    var bylines: [(node: xmlNodePtr, rank: Int)] = []

    mutating func survey(_ root: xmlNodePtr) {
        Page.walk(
            root,
            enter: { cur in
                guard cur.pointee.type == XML_ELEMENT_NODE, let name = Page.name(cur) else { return false }
                switch name {
                case "article":
                    // Nested articles (comments inside a post) are not candidates of their own.
                    if !Page.hasAncestor(cur, named: "article", below: root) { articles.append(cur) }
                case "main": if main == nil { main = cur }
                case "body": if body == nil { body = cur }
                case "title": if title == nil { title = cur }
                case "h1": if h1 == nil { h1 = cur }
                case "meta":
                    let key =
                        Page.attribute(cur, "property") ?? Page.attribute(cur, "name")
                        ?? Page.attribute(cur, "itemprop")
                    if let key, let content = Page.attribute(cur, "content"), metaPairs.count < 1000 {
                        metaPairs.append((key.lowercased(), HTMLText.collapse(content)))
                    }
                case "link":
                    if canonical == nil, Page.attribute(cur, "rel")?.lowercased() == "canonical" {
                        canonical = Page.attribute(cur, "href").map(HTMLText.collapse)
                    }
                case "script":
                    if linkedData.count < 8, Page.attribute(cur, "type")?.lowercased().contains("ld+json") == true,
                        let v = xmlNodeGetContent(cur)
                    {
                        defer { loupe_xmlFree(v) }
                        let n = strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self))
                        if n <= 1 << 20 {
                            linkedData.append(String(decoding: UnsafeBufferPointer(start: v, count: n), as: UTF8.self))
                        }
                    }
                    return false
                case "style", "template": return false
                default:
                    if main == nil && Page.attribute(cur, "role") == "main" { main = cur }
                }
                if articleBodies.count < 2, let v = Page.attribute(cur, "itemprop"),
                    v.lowercased().split(separator: " ").contains("articlebody")
                {
                    articleBodies.append(cur)
                }
                if bylines.count < 64 {
                    let rank = Page.bylineRank(cur)
                    if rank > 0 { bylines.append((cur, rank)) }
                }
                return true
            }, leave: { _ in })
    }

    /// The names of the surest byline element that gives some (see `bylineNames(of:below:)`).
    func bylineNames(below root: xmlNodePtr) -> [String] {
        for rank in [3, 2, 1] {
            for b in bylines where b.rank == rank {
                let names = Page.bylineNames(of: b.node, below: root)
                if !names.isEmpty { return names }
            }
        }
        return []
    }

    /// How surely an element's markup says it names the author: 3 for `rel` or `itemprop`
    /// holding `author`, 2 for a class or id holding `byline`, `writtenby` or `author-name`
    /// (`authorname`, `author_name`, `author__name`), 1 for one holding `author` otherwise (not
    /// an avatar's, a biography's, a note's or a comment's); 0 for none. Read in place: this
    /// runs on every element.
    static func bylineRank(_ node: xmlNodePtr) -> Int {
        var best = 0
        var a = node.pointee.properties
        while let attr = a {
            a = attr.pointee.next
            guard let n = attr.pointee.name, let text = attr.pointee.children, text.pointee.next == nil,
                let v = text.pointee.content
            else { continue }
            let name = UnsafeRawPointer(n).assumingMemoryBound(to: CChar.self)
            let value = UnsafeBufferPointer(
                start: v, count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self)))
            if strcmp(name, "rel") == 0 || strcmp(name, "itemprop") == 0 {
                if has(value, "author") { return 3 }
            } else if strcmp(name, "class") == 0 || strcmp(name, "id") == 0 {
                if has(value, "comment") || has(value, "avatar") || has(value, "bio") || has(value, "authority")
                    || has(value, "photo") || has(value, "image") || has(value, "img") || has(value, "thumb")
                    || has(value, "note") || has(value, "follow")
                {
                    continue
                }
                if has(value, "byline") || has(value, "writtenby") || has(value, "authorname")
                    || has(value, "author-name") || has(value, "author_name") || has(value, "author__name")
                {
                    best = max(best, 2)
                } else if has(value, "author") {
                    best = max(best, 1)
                }
            }
        }
        return best
    }

    /// Walks what a reader sees below `root`: elements `TextCollector.skip` leaves out are not
    /// entered, and `element` may refuse others; `text` gets each text node's bytes, `leave`
    /// each element entered once its children are done.
    static func walkVisible(
        _ root: xmlNodePtr, insideArticle: Bool, element: (xmlNodePtr, String) -> Bool,
        text: (UnsafePointer<UInt8>) -> Void, leave: (xmlNodePtr) -> Void
    ) {
        walk(
            root,
            enter: { cur in
                switch cur.pointee.type {
                case XML_ELEMENT_NODE:
                    let name = Page.name(cur) ?? ""
                    if TextCollector.skip(cur, name, insideArticle: insideArticle) { return false }
                    return element(cur, name)
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let c = cur.pointee.content { text(UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self)) }
                    return false
                default:
                    return false
                }
            }, leave: leave)
    }

    /// A text node's characters that are not white space (Unicode scalars) and its commas
    /// (`,`, and the full-width and ideographic ones of Chinese and Japanese).
    static func visibleText(_ c: UnsafePointer<UInt8>) -> (characters: Int, commas: Int) {
        var i = 0
        var chars = 0
        var commas = 0
        while c[i] != 0 {
            let b = c[i]
            if b == 0x2C {
                commas += 1
            } else if b == 0xEF && c[i + 1] == 0xBC && c[i + 2] == 0x8C {
                commas += 1  // U+FF0C
            } else if b == 0xE3 && c[i + 1] == 0x80 && c[i + 2] == 0x81 {
                commas += 1  // U+3001
            }
            if !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b & 0xC0 == 0x80) { chars += 1 }
            i += 1
        }
        return (chars, commas)
    }

    /// Calls `body` with each attribute's name and value (uncopied; empty when it has none or
    /// is made of several nodes) until it returns true; whether it did.
    static func anyAttribute(
        _ node: xmlNodePtr, _ body: (UnsafePointer<CChar>, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        var a = node.pointee.properties
        while let attr = a {
            a = attr.pointee.next
            guard let n = attr.pointee.name else { continue }
            var value = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            if let text = attr.pointee.children, text.pointee.next == nil, let v = text.pointee.content {
                value = UnsafeBufferPointer(
                    start: v, count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self)))
            }
            if body(UnsafeRawPointer(n).assumingMemoryBound(to: CChar.self), value) { return true }
        }
        return false
    }

    /// An attribute value in ASCII lower case, surrounding white space removed.
    static func lowercased(_ v: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: v.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self).trimmingWhitespace()
    }

    /// Whether a `class` or `id` value, cut into words at white space, `-` and `_` and
    /// lowercased, has a word of `set` (ASCII words of at most 15 bytes: no allocation).
    static func namesWord(_ v: UnsafeBufferPointer<UInt8>, in set: Set<String>) -> Bool {
        var i = 0
        while i < v.count {
            while i < v.count && Page.separates(v[i]) { i += 1 }
            let start = i
            while i < v.count && !Page.separates(v[i]) { i += 1 }
            if i > start && i - start <= 15 {
                let word = String(
                    unsafeUninitializedCapacity: i - start,
                    initializingUTF8With: { out in
                        for k in start..<i {
                            let b = v[k]
                            out[k - start] = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
                        }
                        return i - start
                    })
                if set.contains(word) { return true }
            }
        }
        return false
    }

    static func separates(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x2D || b == 0x5F || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C
    }

    /// Whether `value` holds the lower-case ASCII `needle`, in any case (and, with
    /// `ignoringBlanks`, with spaces, tabs and line breaks anywhere between its bytes:
    /// `display : none`).
    static func has(_ value: UnsafeBufferPointer<UInt8>, _ needle: StaticString, ignoringBlanks: Bool = false)
        -> Bool
    {
        let k = needle.utf8CodeUnitCount
        guard value.count >= k else { return false }
        let w = needle.utf8Start
        var i = 0
        while i + k <= value.count {
            var j = 0
            var m = i
            while j < k && m < value.count {
                let b = value[m]
                if ignoringBlanks && j > 0 && (b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D) {
                    m += 1
                    continue
                }
                guard (b | 0x20) == w[j] else { break }
                j += 1
                m += 1
            }
            if j == k { return true }
            i += 1
        }
        return false
    }

    /// Words that make a byline element's line no name (a follow button, a date line).
    static let notNames = ["follow", "updated", "published", "share", "subscribe", "comment", "posted", "more"]

    /// The names a byline element gives: its text's first line through `Bylines` (`By Jane
    /// Doe` → Jane Doe), at most 100 characters; none when it is inside a comment, the
    /// navigation, a footer or a form, or when a name holds a digit or a word of `notNames`.
    static func bylineNames(of node: xmlNodePtr, below root: xmlNodePtr) -> [String] {
        var p: xmlNodePtr? = node
        while let q = p, q != root {
            if q.pointee.type == XML_ELEMENT_NODE {
                if let n = name(q), ["nav", "footer", "aside", "form", "head", "noscript"].contains(n) { return [] }
                for key in ["class", "id"] where attribute(q, key)?.lowercased().contains("comment") == true {
                    return []
                }
            }
            p = q.pointee.parent
        }
        // The first line that is more than a `By` (`By` on a line of its own, then the name).
        var line = ""
        for l in text(of: node).split(separator: "\n") {
            line = String(l).trimmingWhitespace()
            for prefix in ["written by", "posted by", "reported by", "par", "por", "von", "door"] {
                let lower = line.lowercased()
                if lower == prefix || lower == "by" {
                    line = ""
                } else if lower.hasPrefix(prefix + " ") {
                    line = String(line.dropFirst(prefix.count + 1)).trimmingWhitespace()
                }
            }
            if !line.isEmpty { break }
        }
        // A date after the name on the same line (`By Jane Doe March 25, 2015`) is cut off.
        if let digit = line.firstIndex(where: \.isNumber) {
            var words = line[..<digit].split(separator: " ")
            while let w = words.last,
                DateParsing.monthIndex(w) != nil || ["on", "at", "|", "-", "–", "—", "·", ","].contains(w.lowercased())
                    || w.allSatisfy({ !$0.isLetter })
            {
                words.removeLast()
            }
            line = words.joined(separator: " ").trimmingCharacters(in: [",", ";", "|", "·"])
        }
        guard line.count >= 3, line.count <= 100 else { return [] }
        let names = Bylines.names(line)
        for n in names {
            let l = n.lowercased()
            if n.contains(where: \.isNumber) || !n.contains(where: \.isLetter) { return [] }
            if l.split(separator: " ").contains(where: { notNames.contains(String($0)) }) { return [] }
        }
        return names
    }

    func meta(_ names: [String]) -> String? {
        for want in names {
            if let v = metaPairs.first(where: { $0.0 == want && !$0.1.isEmpty }) { return v.1 }
        }
        return nil
    }

    func metas(_ names: [String]) -> [String] {
        metaPairs.filter { names.contains($0.0) && !$0.1.isEmpty }.map(\.1)
    }

    /// Walks `root`'s descendants depth first, without recursion: `enter` is called for each
    /// node and says whether to go into its children; `leave` is called for each node entered
    /// once its children are done (at once when it has none).
    static func walk(_ root: xmlNodePtr, enter: (xmlNodePtr) -> Bool, leave: (xmlNodePtr) -> Void) {
        var n: xmlNodePtr? = root.pointee.children
        while let cur = n {
            if enter(cur) {
                if let c = cur.pointee.children {
                    n = c
                    continue
                }
                leave(cur)
            }
            // Up and across, leaving each node passed on the way up.
            var m = cur
            n = nil
            while m != root {
                if let s = m.pointee.next {
                    n = s
                    break
                }
                guard let p = m.pointee.parent, p != root else { break }
                m = p
                leave(m)
            }
        }
    }

    /// An element's name (the HTML parser lowercases it); nil for names longer than 15 bytes,
    /// which no element that matters has (short names need no allocation).
    static func name(_ node: xmlNodePtr) -> String? {
        guard let p = node.pointee.name else { return nil }
        let s = UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)
        if strlen(s) > 15 { return nil }
        return String(cString: s)
    }

    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let v = xmlGetProp(node, name) else { return nil }
        defer { loupe_xmlFree(v) }
        return String(cString: UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self))
    }

    static func hasAncestor(_ node: xmlNodePtr, named want: String, below root: xmlNodePtr?) -> Bool {
        var p = node.pointee.parent
        while let q = p, q != root {
            if q.pointee.type == XML_ELEMENT_NODE && name(q) == want { return true }
            p = q.pointee.parent
        }
        return false
    }

    /// The text of an element (title, heading), whitespace collapsed, scripts left out.
    static func text(of node: xmlNodePtr) -> String {
        var t = TextCollector()
        t.collect(node, insideArticle: true)
        return HTMLText.collapse(t.finish())
    }
}

/// Gathers an element's readable text: whitespace collapsed (inside `<pre>`, lines and their
/// blanks kept), a line or a blank line between blocks, skipped subtrees left out.
struct TextCollector {
    private var out: [UInt8] = []
    /// 0: nothing, 1: a space, 2: a line break, 3: a paragraph break before the next text.
    private var pending = 0
    private var preDepth = 0
    /// The first `<time datetime>` met.
    var firstTime: String?

    /// Subtrees that are never text.
    static let skipped: Set<String> = [
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "nav", "aside",
        "footer", "form", "button", "select", "textarea", "input", "head", "dialog", "menu", "audio", "video",
    ]
    static let paragraphs: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article", "header", "table",
        "ul", "ol", "dl", "figure", "figcaption", "hr", "address", "main", "details", "summary", "center",
    ]
    static let lines: Set<String> = ["li", "dt", "dd", "tr", "br", "option", "caption"]
    static let skippedRoles: Set<String> = ["navigation", "banner", "contentinfo", "complementary", "search"]

    mutating func collect(_ root: xmlNodePtr, insideArticle: Bool, boilerplate: Boilerplate? = nil) {
        Page.walkVisible(
            root, insideArticle: insideArticle,
            element: { cur, name in
                if let boilerplate, boilerplate.isBoilerplate(cur, name) { return false }
                if name == "pre" { preDepth += 1 }
                if name == "time" && firstTime == nil { firstTime = Page.attribute(cur, "datetime") }
                brk(
                    Self.paragraphs.contains(name)
                        ? 3 : Self.lines.contains(name) ? 2 : name == "td" || name == "th" ? 1 : 0)
                return true
            },
            text: { append($0) },
            leave: { cur in leave(Page.name(cur) ?? "") })
    }

    static func skip(_ node: xmlNodePtr, _ name: String, insideArticle: Bool) -> Bool {
        if Self.skipped.contains(name) { return true }
        if name == "header" && !insideArticle && !Page.hasAncestor(node, named: "article", below: nil) { return true }
        guard node.pointee.properties != nil else { return false }
        return Page.anyAttribute(node) { n, v in
            if strcmp(n, "hidden") == 0 { return true }
            if strcmp(n, "aria-hidden") == 0 { return Page.lowercased(v) == "true" }
            if strcmp(n, "role") == 0 { return Self.skippedRoles.contains(Page.lowercased(v)) }
            if strcmp(n, "style") == 0 { return Self.hides(v) }
            return false
        }
    }

    /// Whether an inline style hides its element (`display: none`, `visibility: hidden`), as a
    /// browser would not show it: microdata copies of the headline and dates, share bars, menus
    /// waiting for a script.
    static func hides(_ style: UnsafeBufferPointer<UInt8>) -> Bool {
        Page.has(style, "display:none", ignoringBlanks: true)
            || Page.has(style, "visibility:hidden", ignoringBlanks: true)
    }

    private mutating func leave(_ name: String) {
        if name == "pre" { preDepth -= 1 }
        brk(Self.paragraphs.contains(name) ? 3 : Self.lines.contains(name) ? 2 : 0)
    }

    /// A paragraph break before the next text (between the parts of a text).
    mutating func paragraph() { brk(3) }

    private mutating func brk(_ level: Int) { if level > pending { pending = level } }

    private mutating func append(_ s: UnsafePointer<UInt8>) {
        var i = 0
        while s[i] != 0 {
            let c = s[i]
            if preDepth > 0 && (c == 0x20 || c == 0x09) && !out.isEmpty {
                // Inside `<pre>` a line keeps its indentation (and its inner blanks): code, poems,
                // tables drawn with spaces.
                flushPending()
                out.append(c)
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                brk(preDepth > 0 && c == 0x0A ? 2 : 1)
            } else {
                flushPending()
                out.append(c)
            }
            i += 1
        }
    }

    /// The pending blank, line or paragraph break, written before the next text.
    private mutating func flushPending() {
        if !out.isEmpty {
            switch pending {
            case 1: out.append(0x20)
            case 2: out.append(0x0A)
            case 3: out.append(contentsOf: [0x0A, 0x0A])
            default: break
            }
        }
        pending = 0
    }

    func finish() -> String { String(decoding: out, as: UTF8.self) }
}

/// Blocks of a page that are the site's, not the article's, for pages that do not mark them
/// (`nav`, `aside`, `footer`): as Readability and Boilerpipe judge them, a block whose `class` or
/// `id` names a menu, footer, sidebar, share bar, comments, related links, a cookie notice or
/// an advert (unless it also names the content: `article-header`, `post-footer`), and a block
/// whose text is mostly link text (a menu, a list of related stories, a tag cloud).
struct Boilerplate {
    /// Link text share of each block element that has text (`linkShare`), by node.
    private var linkShare: [UnsafeMutableRawPointer: Float] = [:]

    static let blocks: Set<String> = ["div", "ul", "ol", "dl", "table", "section", "p", "header", "span", "td", "li"]
    static let hints: Set<String> = [
        "nav", "navbar", "navigation", "menu", "menubar", "footer", "sidebar", "breadcrumb", "breadcrumbs", "comment",
        "comments", "share", "sharing", "social", "related", "cookie", "cookies", "banner", "advert", "advertisement",
        "ad", "ads", "promo", "newsletter", "subscribe", "pagination", "pager", "popup", "header", "masthead",
        "toolbar", "widget", "widgets", "sponsor", "sponsored", "outbrain", "taboola", "disqus",
    ]
    static let content: Set<String> = ["article", "content", "main", "body", "story", "post", "entry", "text"]

    /// One post-order pass over `root`'s subtree (a stack of counters, no recursion): the
    /// non-blank bytes of text under each block, and those inside links.
    init(_ root: xmlNodePtr) {
        struct Frame {
            var node: xmlNodePtr
            var text = 0
            var link = 0
            var isLink: Bool
            var isBlock: Bool
        }
        var stack: [Frame] = [Frame(node: root, isLink: false, isBlock: false)]
        func close() {
            let f = stack.removeLast()
            if f.isBlock && f.text > 0 {
                linkShare[UnsafeMutableRawPointer(f.node)] = Float(f.link) / Float(f.text)
            }
            if !stack.isEmpty {
                stack[stack.count - 1].text += f.text
                stack[stack.count - 1].link += f.isLink ? f.text : f.link
            }
        }
        Page.walk(
            root,
            enter: { cur in
                switch cur.pointee.type {
                case XML_ELEMENT_NODE:
                    let name = Page.name(cur) ?? ""
                    if TextCollector.skipped.contains(name) { return false }
                    stack.append(Frame(node: cur, isLink: name == "a", isBlock: Boilerplate.blocks.contains(name)))
                    return true
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let c = cur.pointee.content { stack[stack.count - 1].text += Page.visibleText(c).characters }
                    return false
                default:
                    return false
                }
            }, leave: { _ in close() })
    }

    func isBoilerplate(_ node: xmlNodePtr, _ name: String) -> Bool {
        guard Boilerplate.blocks.contains(name) else { return false }
        if let share = linkShare[UnsafeMutableRawPointer(node)], share > 0.5 { return true }
        return Boilerplate.namesFurniture(node)
    }

    /// Whether a block's `class` or `id` names site furniture and not the content.
    static func namesFurniture(_ node: xmlNodePtr) -> Bool { names(node, one: hints) }

    /// Whether a block's `class` or `id` has a word of `words` and none that names the content
    /// (`article`, `story`, `post`…).
    static func names(_ node: xmlNodePtr, one words: Set<String>) -> Bool {
        guard node.pointee.properties != nil else { return false }
        var found = false
        let content = Page.anyAttribute(node) { n, v in
            guard strcmp(n, "class") == 0 || strcmp(n, "id") == 0 else { return false }
            if Page.namesWord(v, in: Boilerplate.content) { return true }
            if Page.namesWord(v, in: words) { found = true }
            return false
        }
        return found && !content
    }
}
