import LoupeCore

/// News-agency wire formats, streamed through libxml2 (`XMLStreamReader`, with its safe options):
///
/// - **NITF** (root `nitf`): one article. Title `hl1` (else `head/title`); body the text of
///   `body.content` — when one of its `block`s is the `full_text` (the New York Times Annotated
///   Corpus), without the other classed blocks (its `lead_paragraph` repeats the text's
///   start); date `date.issue@norm` (else `date.release@norm`, `pubdata@date.publication`); id
///   `doc-id@id-string` (else the file path); categories `subj:` +
///   `tobject.subject@tobject.subject.refnum`, the `descriptor` and `general_descriptor`
///   `classifier`s and the `online_sections` meta (NYT); authors from `byline` (outside
///   `body.content`): its `person` children when it has any, else its text without the `byttl`
///   title (`By BERNARD DOE<byttl>AP Business Writer</byttl>` → `BERNARD DOE`); a
///   `normalized_byline` (`Doe, Bernard`, beside the printed one) only when there is no other.
/// - **NewsML 1.2** (root `NewsML`): one article per `NewsItem`. Title the `HeadLine` of the
///   item's first `NewsLines` (photo captions come later), else `NameLabel`; body the text of
///   every `DataContent` (XHTML, nested NITF or CDATA-escaped HTML); date `ThisRevisionCreated`,
///   else `FirstCreated`, `DateLineDate`, the envelope's `DateAndTime`; categories `subj:` +
///   the IPTC codes of `SubjectCode/*@FormalName`; authors the `ByLine` of the item's first
///   `NewsLines` (AFP's later `NewsLines` are photos', whose `ByLine` is the photographer);
///   id the story's URN: `PublicIdentifier`
///   without its trailing `:RevisionId` (e.g. `urn:newsml:afp.com:20231124T192141Z:TX-PAR-EWE94`),
///   so that revisions of a story share one id (the index keeps the last one loaded), like
///   NewsML-G2's `guid`.
/// - **NewsML-G2** (root `newsMessage` or `newsItem`): one article per `newsItem`
///   (`packageItem`s and `conceptItem`s are skipped). Title `contentMeta/headline`, else
///   `itemMeta/title`, else the title of the inline XHTML/NITF; body the text of `inlineXML` /
///   `inlineData` (without the XHTML `head`),
///   else `contentMeta/description`; date `versionCreated`, else `firstCreated`,
///   `contentCreated`, the message's `sent`; id `@guid`; categories `contentMeta/subject@qcode`
///   (else `@literal`); authors `contentMeta/by` (the byline as printed), else the `name`s of
///   `contentMeta/creator` (a creator's `literal` or `qcode` alone is an agency or a login,
///   not a name).
///
/// - **Reuters Corpus (RCV1, RCV2)** (root `newsitem`, one story a file): title `headline`
///   (else `title`, which prefixes a country: `MEXICO: …`); body the `text` paragraphs; date
///   `@date` (else the `dc.date.created` metadata); id `@itemid`, unique within its collection,
///   so scoped to the file's directory as Reuters-21578's NEWID is; authors `byline`;
///   categories the codes of `metadata/codes`: topics as written (`C15`, `E11`, `GCAT`),
///   countries and industries prefixed (`country:MEX`, `industry:I81402`). The `dateline`
///   (where the story was filed) and `copyright` are not text.
///
/// Author values go through `Bylines.names`; agencies' initials (`gr/bp`) stay as written.
///
/// Dates in ISO 8601 basic format (`20151210T191044Z`) are normalised too. Items with neither
/// title nor text are skipped (a note says how many). As in `FeedLoader`, a fatal XML error
/// rejects the whole file with one error naming its line and column.
public struct NewsMLLoader {
    public init() {}

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var result = LoadResult()
        guard let r = XMLStreamReader(bytes: bytes, url: relativePath) else {
            result.diagnostics.append(
                Diagnostic(path: relativePath, line: 1, message: "cannot start the XML parser", severity: .error))
            return result
        }
        let p = Parser()
        while r.read() {
            switch r.nodeType {
            case .element: p.start(r)
            case .endElement: p.end(r.localName, depth: r.depth)
            case .text: p.text(r.value)
            case .entityReference: p.text("&" + r.name + ";")
            case .documentType, .other: break
            }
        }
        result.diagnostics += r.charsetDiagnostics(path: relativePath)
        if let e = r.errors.first(where: { $0.fatal }) {
            result.diagnostics.append(
                Diagnostic(path: relativePath, line: e.line, column: e.column, message: e.message, severity: .error))
            return result
        }
        guard let dialect = p.dialect else {
            let what = p.root.isEmpty ? "no XML document" : "root <\(p.root)> is not NITF or NewsML"
            result.diagnostics.append(Diagnostic(path: relativePath, line: 1, message: what, severity: .error))
            return result
        }
        if dialect == .nitf || dialect == .rcv1, let item = p.current { p.items.append(item) }
        var skipped = 0
        for item in p.items {
            let n = result.articles.count
            guard
                let a = article(
                    item, dialect: dialect, envelopeDate: p.envelopeDate, relativePath: relativePath, position: n)
            else {
                skipped += 1
                continue
            }
            result.articles.append(a)
        }
        if skipped > 0 {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "\(skipped) news item(s) with neither headline nor text skipped",
                    severity: .note))
        }
        return dialect == .rcv1 ? ArticleLoading.scoped(result, relativePath) : result
    }

    enum Dialect { case nitf, newsML1, g2, rcv1 }

    struct Item {
        var guid = ""
        var publicIdentifier = ""
        var providerId = ""
        var dateId = ""
        var newsItemId = ""
        var revisionId = ""
        var title = ""
        var titleSeen = false
        var altTitle = ""
        var inlineTitle = ""
        var body = ""
        var description = ""
        var dates: [String: String] = [:]
        var categories: [String] = []
        /// NITF `byline`, NewsML 1.2 `ByLine`, NewsML-G2 `by`: names.
        var bylines: [String] = []
        /// NewsML-G2 `creator/name`: names, when there is no byline.
        var creators: [String] = []
        /// NewsML 1.2: how many `NewsLines` were opened (only the first one's `ByLine` counts).
        var newsLines = 0
        /// NITF: the body's classed `block`s other than `full_text` (UTF-8 offsets in `body`),
        /// left out when a `full_text` block was seen.
        var asideBlocks: [Range<Int>] = []
        var hasFullText = false
    }

    private func article(_ item: Item, dialect: Dialect, envelopeDate: String?, relativePath: String, position: Int)
        -> Article?
    {
        func oneLine(_ s: String) -> String {
            HTMLText.plain(s).split(whereSeparator: { $0 == "\n" }).joined(separator: " ")
        }
        var title = oneLine(item.title)
        if title.isEmpty { title = oneLine(item.altTitle) }
        if title.isEmpty { title = oneLine(item.inlineTitle) }
        var raw = item.body
        if item.hasFullText && !item.asideBlocks.isEmpty {
            let u = Array(raw.utf8)
            var kept: [UInt8] = []
            var from = 0
            for r in item.asideBlocks where r.lowerBound >= from && r.upperBound <= u.count {
                kept += u[from..<r.lowerBound]
                from = r.upperBound
            }
            kept += u[from...]
            raw = String(decoding: kept, as: UTF8.self)
        }
        // The body's lines are the XML's paragraphs (`blockNames`); escaped HTML inside them is
        // text to decode, its line breaks kept.
        var body = HTMLText.plain(raw, keepingLines: true)
        if body.isEmpty { body = HTMLText.plain(item.description) }
        if title.isEmpty && body.isEmpty { return nil }
        let order: [String]
        var id: String
        switch dialect {
        case .nitf:
            order = ["date.issue", "date.release", "date.publication"]
            id = item.guid.isEmpty ? relativePath : item.guid
        case .newsML1:
            order = ["ThisRevisionCreated", "FirstCreated", "DateLineDate"]
            id = Self.storyURN(item) ?? "\(relativePath)#\(position)"
        case .g2:
            order = ["versionCreated", "firstCreated", "contentCreated"]
            id = item.guid.isEmpty ? "\(relativePath)#\(position)" : item.guid
        case .rcv1:
            order = ["date", "dc.date.created"]
            id = item.guid.isEmpty ? relativePath : item.guid
        }
        id = id.trimmingWhitespace()
        var date: String?
        for k in order {
            if let v = item.dates[k], let d = LoaderDates.iso(v) {
                date = d
                break
            }
        }
        if date == nil, let e = envelopeDate { date = LoaderDates.iso(e) }
        return Article(
            id: id, title: title, body: body, date: date, categories: item.categories,
            authors: item.bylines.isEmpty ? item.creators : item.bylines, source: relativePath, position: position)
    }

    /// `PublicIdentifier` without its revision, else `urn:newsml:provider:date:itemid`.
    static func storyURN(_ item: Item) -> String? {
        let pub = item.publicIdentifier.trimmingWhitespace()
        if !pub.isEmpty {
            let rev = item.revisionId.trimmingWhitespace()
            if !rev.isEmpty && pub.hasSuffix(":" + rev) { return String(pub.dropLast(rev.count + 1)) }
            return pub
        }
        let itemId = item.newsItemId.trimmingWhitespace()
        guard !itemId.isEmpty else { return nil }
        return "urn:newsml:\(item.providerId.trimmingWhitespace()):\(item.dateId.trimmingWhitespace()):\(itemId)"
    }

    /// The streaming state: which item is open, which field or body text is being collected.
    final class Parser {
        var root = ""
        var dialect: Dialect?
        var stack: [String] = []
        var items: [Item] = []
        var current: Item?
        var itemDepth = -1
        var field: String?
        var fieldDepth = -1
        var fieldText = ""
        var bodyDepth = -1
        var skipDepth = -1
        var envelopeDate: String?
        /// NITF: the `byline` being read (its depth; -1: none), its own text, its `person`s.
        var bylineDepth = -1
        var bylineText = ""
        var bylinePersons: [String] = []
        /// Depth of the `person` (collected) or `byttl` (skipped) open in the byline; -1: none.
        var bylineChildDepth = -1
        var bylineChildIsPerson = false
        /// The byline being read is NYT's `normalized_byline` (`Doe, Jane`).
        var bylineNormalized = false
        /// NITF: the classed `block` open in the body (its depth; -1: none), whether it is the
        /// `full_text`, and where its text starts in the body.
        var blockDepth = -1
        var blockIsFullText = false
        var blockStart = 0
        /// RCV1: the `class` of the `codes` element open (topics, countries, industries).
        var codesClass = ""

        static let blockNames: Set<String> = [
            "p", "P", "br", "div", "li", "tr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hl1", "hl2", "block",
            "blockquote", "table", "ul", "ol", "body.content", "media-caption",
        ]

        func start(_ r: XMLStreamReader) {
            let name = r.localName
            let depth = r.depth
            let empty = r.isEmptyElement
            if root.isEmpty {
                root = name
                switch name {
                case "nitf":
                    dialect = .nitf
                    current = Item()
                    itemDepth = depth
                case "NewsML": dialect = .newsML1
                case "newsMessage", "newsItem": dialect = .g2
                case "newsitem":
                    dialect = .rcv1
                    current = Item()
                    itemDepth = depth
                    current?.guid = r.attribute("itemid") ?? ""
                    if let d = r.attribute("date") { current?.dates["date"] = d }
                default: break
                }
            }
            defer { if !empty { stack.append(name) } }
            if bylineDepth >= 0 {
                if bylineChildDepth < 0 && !empty && (name == "person" || name == "byttl") {
                    bylineChildDepth = depth
                    bylineChildIsPerson = name == "person"
                    if bylineChildIsPerson { bylinePersons.append("") }
                } else if bylineChildDepth < 0 {
                    bylineText += " "
                } else if bylineChildIsPerson {
                    bylinePersons[bylinePersons.count - 1] += " "
                }
                return
            }
            if field != nil {
                fieldText += " "
                return
            }
            if skipDepth >= 0 {
                // The XHTML / NITF head inside G2 content: only its title is of use (a fallback).
                if name == "title" { open("inlineTitle", depth, empty) }
                return
            }
            if bodyDepth >= 0 {
                if dialect == .g2 && name == "head" && !empty {
                    skipDepth = depth
                } else if dialect == .g2 && name == "hl1" {
                    open("inlineTitle", depth, empty)
                } else {
                    if dialect == .nitf && name == "block" && blockDepth < 0 && !empty, let c = r.attribute("class") {
                        blockDepth = depth
                        blockIsFullText = c == "full_text"
                        blockStart = current?.body.utf8.count ?? 0
                    }
                    current?.body += Self.blockNames.contains(name) ? "\n" : " "
                }
                return
            }
            let parent = stack.last ?? ""
            switch dialect {
            case .nitf?:
                switch name {
                case "hl1": if current?.titleSeen == false { open(name, depth, empty) }
                case "title": if stack.contains("head") { open(name, depth, empty) }
                case "doc-id": if let v = r.attribute("id-string") { current?.guid = v }
                case "date.issue", "date.release": if let v = r.attribute("norm") { current?.dates[name] = v }
                case "pubdata":
                    if let v = r.attribute("date.publication") { current?.dates["date.publication"] = v }
                case "classifier":
                    if let t = r.attribute("type"), t == "descriptor" || t == "general_descriptor" {
                        open("classifier", depth, empty)
                    }
                case "meta":
                    if r.attribute("name") == "online_sections", let v = r.attribute("content") {
                        for part in v.split(separator: ";") { addCategory(String(part)) }
                    }
                case "tobject.subject":
                    if let v = r.attribute("tobject.subject.refnum") { addCategory("subj:" + v) }
                case "body.content": if !empty { bodyDepth = depth }
                case "byline":
                    if !empty {
                        bylineDepth = depth
                        bylineText = ""
                        bylinePersons = []
                        bylineNormalized = r.attribute("class") == "normalized_byline"
                    }
                default: break
                }
            case .newsML1?:
                if name == "NewsItem" {
                    beginItem(depth, empty)
                    return
                }
                guard current != nil else {
                    if name == "DateAndTime" { open(name, depth, empty) }
                    return
                }
                switch name {
                case "PublicIdentifier", "ProviderId", "DateId", "NewsItemId", "RevisionId", "NameLabel",
                    "FirstCreated",
                    "ThisRevisionCreated", "DateLineDate":
                    open(name, depth, empty)
                case "HeadLine": if current?.titleSeen == false { open(name, depth, empty) }
                case "NewsLines": current?.newsLines += 1
                case "ByLine": if parent == "NewsLines" && current?.newsLines == 1 { open(name, depth, empty) }
                case "Subject", "SubjectMatter", "SubjectDetail":
                    if parent == "SubjectCode", let v = r.attribute("FormalName") { addCategory("subj:" + v) }
                case "DataContent": if !empty { bodyDepth = depth }
                default: break
                }
            case .g2?:
                if name == "newsItem" {
                    beginItem(depth, empty)
                    current?.guid = r.attribute("guid") ?? ""
                    return
                }
                guard current != nil else {
                    if name == "sent" && parent == "header" { open(name, depth, empty) }
                    return
                }
                switch name {
                case "headline": if parent == "contentMeta" && current?.titleSeen == false { open(name, depth, empty) }
                case "title": if parent == "itemMeta" { open(name, depth, empty) }
                case "description": if parent == "contentMeta" { open(name, depth, empty) }
                case "versionCreated", "firstCreated", "contentCreated": open(name, depth, empty)
                case "by": if parent == "contentMeta" { open(name, depth, empty) }
                case "name":
                    if parent == "creator" && stack.count >= 2 && stack[stack.count - 2] == "contentMeta" {
                        open("creator", depth, empty)
                    }
                case "subject":
                    if parent == "contentMeta", let v = r.attribute("qcode") ?? r.attribute("literal") {
                        addCategory(v)
                    }
                case "inlineXML", "inlineData": if !empty { bodyDepth = depth }
                default: break
                }
            case .rcv1?:
                switch name {
                case "headline", "title": if parent == "newsitem" { open(name, depth, empty) }
                case "byline": if parent == "newsitem" { open("by", depth, empty) }
                case "text": if parent == "newsitem" && !empty { bodyDepth = depth }
                case "codes": codesClass = r.attribute("class") ?? ""
                case "code":
                    if parent == "codes", let v = r.attribute("code") {
                        if codesClass.hasPrefix("bip:topics") {
                            addCategory(v)
                        } else if codesClass.hasPrefix("bip:countries") {
                            addCategory("country:" + v)
                        } else if codesClass.hasPrefix("bip:industries") {
                            addCategory("industry:" + v)
                        }
                    }
                case "dc":
                    if r.attribute("element") == "dc.date.created", let v = r.attribute("value") {
                        current?.dates["dc.date.created"] = v
                    }
                default: break
                }
            case nil:
                break
            }
        }

        private func beginItem(_ depth: Int, _ empty: Bool) {
            if let c = current { items.append(c) }
            current = Item()
            itemDepth = depth
            if empty {
                items.append(current!)
                current = nil
            }
        }

        /// Adds a category unless one that differs only in case is there (NYT's indexers write
        /// `LIGHTHOUSES` where its online producers write `Lighthouses`).
        private func addCategory(_ c: String) {
            let v = c.trimmingWhitespace()
            let key = v.lowercased()
            if !v.isEmpty && current?.categories.contains(where: { $0.lowercased() == key }) == false {
                current?.categories.append(v)
            }
        }

        private func open(_ name: String, _ depth: Int, _ empty: Bool) {
            if empty {
                apply(name, "")
                return
            }
            field = name
            fieldDepth = depth
            fieldText = ""
        }

        func end(_ name: String, depth: Int) {
            if !stack.isEmpty { stack.removeLast() }
            if bylineDepth >= 0 {
                if depth == bylineDepth {
                    if current != nil && bylineNormalized {
                        // `Doe, Jane` → `Jane Doe`: kept for an article with no other byline.
                        let parts = bylineText.split(separator: ",").map { String($0).trimmingWhitespace() }
                        let name = parts.count == 2 && !parts[1].isEmpty ? parts[1] + " " + parts[0] : bylineText
                        Bylines.add(name, to: &current!.creators)
                    } else if current != nil {
                        if bylinePersons.contains(where: { !$0.isEmpty }) {
                            for p in bylinePersons { Bylines.add(p, to: &current!.bylines) }
                        } else {
                            Bylines.add(bylineText, to: &current!.bylines)
                        }
                    }
                    bylineDepth = -1
                } else if depth == bylineChildDepth {
                    bylineChildDepth = -1
                }
                return
            }
            if let f = field {
                if depth == fieldDepth {
                    apply(f, fieldText)
                    field = nil
                    fieldDepth = -1
                } else {
                    fieldText += " "
                }
                return
            }
            if skipDepth >= 0 {
                if depth == skipDepth { skipDepth = -1 }
                return
            }
            if bodyDepth >= 0 {
                let closesBody = depth == bodyDepth
                if closesBody { bodyDepth = -1 }
                if depth == blockDepth {
                    if blockIsFullText {
                        current?.hasFullText = true
                    } else if let c = current {
                        current?.asideBlocks.append(blockStart..<c.body.utf8.count)
                    }
                    blockDepth = -1
                }
                current?.body += closesBody || Self.blockNames.contains(name) ? "\n" : " "
                return
            }
            if dialect != .nitf && dialect != .rcv1, current != nil, depth == itemDepth {
                items.append(current!)
                current = nil
                itemDepth = -1
            }
        }

        func text(_ v: String) {
            if bylineDepth >= 0 {
                if bylineChildDepth < 0 {
                    bylineText += v
                } else if bylineChildIsPerson {
                    bylinePersons[bylinePersons.count - 1] += v
                }
            } else if field != nil {
                fieldText += v
            } else if skipDepth >= 0 {
                return
            } else if bodyDepth >= 0 {
                current?.body += v
            }
        }

        private func apply(_ name: String, _ raw: String) {
            let v = raw.trimmingWhitespace()
            if current == nil {
                if name == "DateAndTime" || name == "sent" { envelopeDate = v }
                return
            }
            switch name {
            case "hl1", "HeadLine", "headline":
                current!.title = raw
                current!.titleSeen = true
            case "title", "NameLabel": if current!.altTitle.isEmpty { current!.altTitle = raw }
            case "inlineTitle": if current!.inlineTitle.isEmpty { current!.inlineTitle = raw }
            case "description": current!.description = raw
            case "PublicIdentifier": current!.publicIdentifier = v
            case "ProviderId": current!.providerId = v
            case "DateId": current!.dateId = v
            case "NewsItemId": current!.newsItemId = v
            case "RevisionId": current!.revisionId = v
            case "ByLine", "by": Bylines.add(raw, to: &current!.bylines)
            case "creator": Bylines.add(raw, to: &current!.creators)
            case "classifier": addCategory(v)
            default: if current!.dates[name] == nil && !v.isEmpty { current!.dates[name] = v }
            }
        }
    }
}
