import LoupeCore

/// Word (DOCX), OpenDocument text (ODT) and EPUB files: ZIP archives of XML parts, each file read
/// as one article whose id and source are the file's path (as a text file's).
///
/// - DOCX (`word/document.xml`, or the main part `_rels/.rels` names under `word/`): the body's paragraphs (`w:p`, tables' and text boxes' too) in
///   document order, each a line with a blank line between them: `w:t` text, `w:tab` a blank,
///   `w:br` and `w:cr` line breaks; deleted text (`w:delText`), text moved away (`w:moveFrom`),
///   field codes (`w:instrText`) and the fallback copy of text boxes (`mc:Fallback`) are left
///   out. `docProps/core.xml` gives the title (`dc:title`), authors (`dc:creator`), date
///   (`dcterms:created`, else `dcterms:modified`) and categories (`cp:keywords` split on `,`
///   and `;`, and `dc:subject`). Headers, footers, footnotes, comments and images are not read.
/// - ODT (`mimetype` `application/vnd.oasis.opendocument.text`, or `content.xml` and
///   `meta.xml`): `office:body/office:text`'s headings and paragraphs (`text:h`, `text:p`, those
///   of lists, tables and frames too), whitespace collapsed as ODF says, `text:s` giving
///   `text:c` blanks (1 by default), `text:tab` a blank, `text:line-break` a line break; tracked
///   changes (`text:tracked-changes`), notes (`text:note`) and comments (`office:annotation`)
///   are left out. `meta.xml` gives `dc:title`, `dc:creator` (else `meta:initial-creator`),
///   `dc:date` (else `meta:creation-date`), `meta:keyword`s and `dc:subject` as categories.
/// - EPUB (`mimetype` `application/epub+zip`, or `META-INF/container.xml`): the container's
///   first `rootfile` names the OPF package: its `dc:title`, `dc:creator`s, `dc:date` and
///   `dc:subject`s; its spine's XHTML documents (manifest `href`s relative to the package,
///   percent-decoded) are read as HTML pages are (`HTMLLoader.pageText`) and joined with blank
///   lines: one article per book. A chapter listed in `META-INF/encryption.xml` (DRM) is skipped
///   with a warning.
/// - Title, when the metadata gives none: a DOCX's or ODT's first paragraph when it is one line of
///   at most 120 characters and more text follows (then it is not repeated in the text), else
///   the file name without its extension; a first paragraph equal to the given title is not
///   repeated either.
/// - Other OpenDocument files (spreadsheets, presentations, drawings) and Office Open XML
///   workbooks and presentations are recognised and skipped with a warning, not read as plain
///   archives of XML.
/// - A part that is not well-formed XML is an error naming it (`file.docx/word/document.xml:
///   line:column`) and the document is rejected; so is a part that cannot be read (encrypted,
///   damaged, over the caps of `ZipArchive.Reader`).
enum OfficeLoader {
    enum Kind: Equatable { case docx, odt, epub }

    enum Recognition: Equatable {
        case document(Kind)
        /// A document format that is not read: what it is.
        case notRead(String)
        /// A plain archive (its members are files of the corpus).
        case archive
    }

    static func recognise(_ zip: inout ZipArchive.Reader) -> Recognition {
        if let m = zip.member("mimetype"), m.size <= 256, let raw = try? zip.read(m) {
            let type = String(decoding: raw, as: UTF8.self).trimmingWhitespace()
            if type == "application/epub+zip" { return .document(.epub) }
            if type.hasPrefix("application/vnd.oasis.opendocument.text") { return .document(.odt) }
            if type.hasPrefix("application/vnd.oasis.opendocument.") {
                return .notRead("OpenDocument file of type \(type)")
            }
        }
        if zip.member("word/document.xml") != nil { return .document(.docx) }
        if zip.member("content.xml") != nil && zip.member("meta.xml") != nil { return .document(.odt) }
        if zip.member("META-INF/container.xml") != nil { return .document(.epub) }
        if zip.member("[Content_Types].xml") != nil {
            if let main = mainPart(&zip), main.hasPrefix("word/"), zip.member(main) != nil { return .document(.docx) }
            if zip.member("xl/workbook.xml") != nil { return .notRead("Excel workbook (XLSX)") }
            if zip.member("ppt/presentation.xml") != nil { return .notRead("PowerPoint presentation (PPTX)") }
        }
        return .archive
    }

    /// The Office Open XML package's main part, as `_rels/.rels` names it (Word calls it
    /// `word/document.xml`, but other writers may not).
    static func mainPart(_ zip: inout ZipArchive.Reader) -> String? {
        guard let m = zip.member("_rels/.rels"), let bytes = try? zip.read(m),
            let r = XMLStreamReader(bytes: bytes, url: "_rels/.rels")
        else { return nil }
        while r.read() {
            if r.nodeType == .element && r.localName == "Relationship",
                r.attribute("Type")?.hasSuffix("/officeDocument") == true, let target = r.attribute("Target")
            {
                return ZipArchive.clean(percentDecoded(target))
            }
        }
        return nil
    }

    static func load(_ kind: Kind, _ zip: inout ZipArchive.Reader, relativePath: String) -> LoadResult {
        var doc = Document(relativePath: relativePath)
        switch kind {
        case .docx: doc.readDOCX(&zip)
        case .odt: doc.readODT(&zip)
        case .epub: doc.readEPUB(&zip)
        }
        return doc.result()
    }

    /// What a document gives while it is read.
    struct Document {
        let relativePath: String
        var diagnostics: [Diagnostic] = []
        var paragraphs: [String] = []
        var title = ""
        var authors: [String] = []
        var date: String?
        var categories: [String] = []

        init(relativePath: String) { self.relativePath = relativePath }

        var failed: Bool { diagnostics.contains { $0.severity == .error } }

        func result() -> LoadResult {
            var result = LoadResult(diagnostics: diagnostics)
            if failed { return result }
            var body = paragraphs[...]
            var title = HTMLText.collapse(self.title)
            if title.isEmpty, let first = body.first, body.count > 1, !first.contains("\n"),
                first.count <= TextLoader.maxTitleCharacters
            {
                title = first
                body = body.dropFirst()
            } else if !title.isEmpty, body.count > 1, body.first == title {
                body = body.dropFirst()
            }
            if title.isEmpty && body.isEmpty {
                result.diagnostics.append(
                    Diagnostic(path: relativePath, message: "no text in the document", severity: .note))
                return result
            }
            if title.isEmpty { title = TextLoader.fileTitle(relativePath) }
            result.articles.append(
                Article(
                    id: relativePath, title: title, body: body.joined(separator: "\n\n"), date: date,
                    categories: categories, authors: authors, source: relativePath, position: 0))
            return result
        }

        mutating func addCategory(_ raw: String) {
            let v = HTMLText.collapse(raw)
            if !v.isEmpty && categories.count < 50 && !categories.contains(v) { categories.append(v) }
        }

        mutating func addAuthors(_ raw: String) {
            for n in Bylines.names(raw) where !authors.contains(n) { authors.append(n) }
        }

        /// Reads part `name` and streams it through `visit`: nil when the archive has no such
        /// part; false (with an error) when it cannot be read or is not well-formed XML.
        @discardableResult
        mutating func parse(_ zip: inout ZipArchive.Reader, _ name: String, _ visit: (XMLStreamReader) -> Void) -> Bool?
        {
            guard let m = zip.member(name) else { return nil }
            let path = relativePath + "/" + name
            let bytes: [UInt8]
            do {
                bytes = try zip.read(m)
            } catch {
                diagnostics.append(Diagnostic(path: path, message: "\(error.message); skipped", severity: .error))
                return false
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                diagnostics.append(Diagnostic(path: path, line: 1, message: "empty XML part", severity: .error))
                return false
            }
            guard let r = XMLStreamReader(bytes: bytes, url: path) else {
                diagnostics.append(
                    Diagnostic(path: path, line: 1, message: "cannot start the XML parser", severity: .error))
                return false
            }
            var sawRoot = false
            while r.read() {
                if r.nodeType == .element { sawRoot = true }
                visit(r)
            }
            if let w = r.latin1Warning(path: path) { diagnostics.append(w) }
            if let e = r.errors.first(where: { $0.fatal }) {
                diagnostics.append(
                    Diagnostic(path: path, line: e.line, column: e.column, message: e.message, severity: .error))
                return false
            }
            if !sawRoot {
                diagnostics.append(Diagnostic(path: path, line: 1, message: "no XML document", severity: .error))
                return false
            }
            return true
        }

        // MARK: DOCX

        mutating func readDOCX(_ zip: inout ZipArchive.Reader) {
            var text = Paragraphs()
            var names: [String] = []
            var skipDepth: Int?
            let skipped: Set<String> = ["delText", "moveFrom", "instrText", "delInstrText", "Fallback", "rPr", "pPr"]
            let main = zip.member("word/document.xml") != nil ? "word/document.xml" : OfficeLoader.mainPart(&zip) ?? ""
            parse(&zip, main) { r in
                switch r.nodeType {
                case .element:
                    let name = r.localName
                    let empty = r.isEmptyElement
                    defer { if !empty { names.append(name) } }
                    if skipDepth != nil { return }
                    if skipped.contains(name) {
                        if !empty { skipDepth = r.depth }
                    } else if name == "p" {
                        if !empty { text.open() }
                    } else if name == "tab" && names.last == "r" {
                        text.append(" ", collapsing: false)
                    } else if name == "br" || name == "cr" {
                        text.lineBreak()
                    } else if name == "noBreakHyphen" {
                        text.append("-", collapsing: false)
                    }
                case .endElement:
                    _ = names.popLast()
                    if let d = skipDepth {
                        if r.depth == d { skipDepth = nil }
                        return
                    }
                    if r.localName == "p" { text.close() }
                case .text:
                    if skipDepth == nil && names.last == "t" { text.append(r.value, collapsing: false) }
                default:
                    break
                }
            }
            paragraphs = text.done
            if failed { return }
            var fields = Fields(["title", "creator", "created", "modified", "keywords", "subject"])
            parse(&zip, "docProps/core.xml") { fields.visit($0) }
            title = fields.first("title") ?? ""
            for c in fields.all("creator") { addAuthors(c) }
            date = fields.first("created").flatMap(DateParsing.iso) ?? fields.first("modified").flatMap(DateParsing.iso)
            for k in fields.all("keywords") {
                for part in k.split(whereSeparator: { $0 == "," || $0 == ";" }) { addCategory(String(part)) }
            }
            for s in fields.all("subject") { addCategory(s) }
        }

        // MARK: ODT

        static let textNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
        static let officeNS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

        mutating func readODT(_ zip: inout ZipArchive.Reader) {
            var text = Paragraphs()
            /// Whether each open element is in the text namespace.
            var inText: [Bool] = []
            var bodyDepth: Int?
            var skipDepth: Int?
            let found = parse(&zip, "content.xml") { r in
                switch r.nodeType {
                case .element:
                    let name = r.localName
                    let empty = r.isEmptyElement
                    let isText = r.inNamespace(Self.textNS)
                    defer { if !empty { inText.append(isText) } }
                    if skipDepth != nil { return }
                    if bodyDepth == nil {
                        // office:document-content/office:body/office:text
                        if name == "text" && r.inNamespace(Self.officeNS) && !empty { bodyDepth = r.depth }
                        return
                    }
                    if isText {
                        switch name {
                        case "tracked-changes", "note":
                            if !empty { skipDepth = r.depth }
                        case "p", "h":
                            if !empty { text.open() }
                        case "s":
                            let n = r.attribute("text:c").flatMap { Int($0) } ?? 1
                            text.append(String(repeating: " ", count: min(max(n, 1), 1000)), collapsing: false)
                        case "tab":
                            text.append(" ", collapsing: false)
                        case "line-break":
                            text.lineBreak()
                        default:
                            break
                        }
                    } else if name == "annotation" && r.inNamespace(Self.officeNS) && !empty {
                        skipDepth = r.depth
                    }
                case .endElement:
                    _ = inText.popLast()
                    if let d = skipDepth {
                        if r.depth == d { skipDepth = nil }
                        return
                    }
                    if let d = bodyDepth, r.depth == d {
                        bodyDepth = nil
                    } else if bodyDepth != nil && r.inNamespace(Self.textNS)
                        && (r.localName == "p" || r.localName == "h")
                    {
                        text.close()
                    }
                case .text:
                    // Text of the text namespace's elements only (a frame's `svg:title` is not).
                    if skipDepth == nil && bodyDepth != nil && inText.last == true {
                        text.append(r.value, collapsing: true)
                    }
                default:
                    break
                }
            }
            if found == nil {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath, message: "OpenDocument text without content.xml; skipped", severity: .error)
                )
            }
            paragraphs = text.done
            if failed { return }
            var fields = Fields(["title", "creator", "initial-creator", "date", "creation-date", "keyword", "subject"])
            parse(&zip, "meta.xml") { fields.visit($0) }
            title = fields.first("title") ?? ""
            let creators = fields.all("creator")
            for c in creators.isEmpty ? fields.all("initial-creator") : creators { addAuthors(c) }
            date =
                fields.first("date").flatMap(DateParsing.iso) ?? fields.first("creation-date").flatMap(DateParsing.iso)
            for k in fields.all("keyword") { addCategory(k) }
            for s in fields.all("subject") { addCategory(s) }
        }

        // MARK: EPUB

        mutating func readEPUB(_ zip: inout ZipArchive.Reader) {
            var rootfile: String?
            let found = parse(&zip, "META-INF/container.xml") { r in
                if rootfile == nil && r.nodeType == .element && r.localName == "rootfile" {
                    rootfile = r.attribute("full-path")
                }
            }
            guard found != false else { return }
            guard let rootfile, !rootfile.isEmpty else {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath + "/META-INF/container.xml",
                        message: "no rootfile names the package; skipped",
                        severity: .error))
                return
            }
            let opf = ZipArchive.clean(rootfile)
            var fields = Fields(["title", "creator", "date", "subject"])
            var manifest: [String: (href: String, type: String)] = [:]
            var spine: [String] = []
            var metadataDepth: Int?
            let read = parse(&zip, opf) { r in
                switch r.nodeType {
                case .element:
                    switch r.localName {
                    case "metadata":
                        if metadataDepth == nil && !r.isEmptyElement { metadataDepth = r.depth }
                    case "item":
                        if let id = r.attribute("id"), let href = r.attribute("href"), manifest[id] == nil {
                            manifest[id] = (href, r.attribute("media-type") ?? "")
                        }
                    case "itemref":
                        if let id = r.attribute("idref"), spine.count < ZipArchive.maxEntries { spine.append(id) }
                    default:
                        break
                    }
                case .endElement:
                    if r.depth == metadataDepth { metadataDepth = nil }
                default:
                    break
                }
                if metadataDepth != nil { fields.visit(r) }
            }
            if read == nil {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath,
                        message: "the package \(rootfile) named by META-INF/container.xml is missing; skipped",
                        severity: .error))
            }
            if failed { return }
            // Not a chapter's text: a book without a title is named by its file.
            title = fields.first("title") ?? TextLoader.fileTitle(relativePath)
            for c in fields.all("creator") { addAuthors(c) }
            date = fields.first("date").flatMap(DateParsing.iso)
            for s in fields.all("subject") { addCategory(s) }

            // DRM: the parts META-INF/encryption.xml lists cannot be read (fonts obfuscated by
            // the IDPF's scheme are listed there too, but are never chapters).
            var encrypted: Set<String> = []
            parse(&zip, "META-INF/encryption.xml") { r in
                if r.nodeType == .element && r.localName == "CipherReference", let uri = r.attribute("URI") {
                    encrypted.insert(ZipArchive.clean(OfficeLoader.percentDecoded(uri)))
                }
            }
            if failed { return }
            let base = opf.split(separator: "/").dropLast().joined(separator: "/")
            var seen: Set<String> = []
            for id in spine {
                guard let item = manifest[id] else { continue }
                let type = item.type.lowercased()
                guard type.isEmpty || type == "application/xhtml+xml" || type == "text/html" else { continue }
                guard let path = OfficeLoader.resolve(item.href, base: base), seen.insert(path).inserted else {
                    continue
                }
                if encrypted.contains(path) {
                    diagnostics.append(
                        Diagnostic(
                            path: relativePath + "/" + path, message: "encrypted (DRM); chapter skipped",
                            severity: .warning))
                    continue
                }
                guard let m = zip.member(path) else {
                    diagnostics.append(
                        Diagnostic(
                            path: relativePath + "/" + path, message: "spine item missing from the archive",
                            severity: .warning))
                    continue
                }
                do {
                    let text = HTMLLoader.pageText(try zip.read(m))
                    if !text.isEmpty { paragraphs.append(text) }
                } catch {
                    diagnostics.append(
                        Diagnostic(
                            path: relativePath + "/" + path, message: "\(error.message); skipped", severity: .error))
                    return
                }
            }
        }
    }

    /// An `href` of a package at `base` (the package's directory) as a path in the archive: its
    /// fragment dropped, percent-decoded, `..` resolved; nil for another site's address.
    static func resolve(_ href: String, base: String) -> String? {
        var h = Substring(href)
        if let hash = h.firstIndex(of: "#") { h = h[..<hash] }
        if let q = h.firstIndex(of: "?") { h = h[..<q] }
        if h.isEmpty { return nil }
        if let colon = h.firstIndex(of: ":"), colon < (h.firstIndex(of: "/") ?? h.endIndex) { return nil }
        let decoded = percentDecoded(String(h))
        let path = ZipArchive.clean(decoded.hasPrefix("/") || base.isEmpty ? decoded : base + "/" + decoded)
        return path.isEmpty ? nil : path
    }

    /// `%20` → a blank (bytes as UTF-8); a `%` not followed by two hex digits stays.
    static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        let hex = MarkupScan.hexValue
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let a = hex(u[i + 1]), let b = hex(u[i + 2]) {
                out.append(a << 4 | b)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text fields of a metadata part: the text of each element with one of the local `names`
    /// (its descendants' text included), in document order.
    struct Fields {
        let names: Set<String>
        private var values: [(String, String)] = []
        private var open: (name: String, depth: Int, text: String)?

        init(_ names: Set<String>) { self.names = names }

        mutating func visit(_ r: XMLStreamReader) {
            switch r.nodeType {
            case .element:
                if open == nil && !r.isEmptyElement && names.contains(r.localName) {
                    open = (r.localName, r.depth, "")
                }
            case .endElement:
                if let o = open, o.depth == r.depth {
                    values.append((o.name, o.text))
                    open = nil
                }
            case .text:
                if open != nil && open!.text.utf8.count < 1 << 16 { open!.text += r.value }
            default:
                break
            }
        }

        /// The first non-blank value of `name`, whitespace collapsed.
        func first(_ name: String) -> String? { all(name).first }

        func all(_ name: String) -> [String] {
            values.compactMap { $0.0 == name ? HTMLText.collapse($0.1) : nil }.filter { !$0.isEmpty }
        }
    }

    /// Paragraphs being read (nested ones, such as a text box's inside a paragraph, close first):
    /// each becomes lines, whitespace runs a blank (collapsed, as ODF wants, or kept, as DOCX
    /// writes them), blank lines dropped.
    struct Paragraphs {
        private(set) var done: [String] = []
        private var stack: [(text: String, blank: Bool)] = []
        /// Paragraphs kept (a part of a million empty paragraphs keeps no array of them).
        static let maxParagraphs = 1 << 20

        mutating func open() { stack.append(("", false)) }

        mutating func close() {
            guard let p = stack.popLast() else { return }
            let lines = p.text.split(separator: "\n").map { String($0).trimmingWhitespace() }
            let text = lines.filter { !$0.isEmpty }.joined(separator: "\n")
            if !text.isEmpty && done.count < Self.maxParagraphs { done.append(text) }
        }

        mutating func lineBreak() {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += "\n"
            stack[stack.count - 1].blank = false
        }

        /// `collapsing`: a run of blanks (and line ends) is one blank, and none opens a line;
        /// otherwise each blank is kept (after a collapsed blank still waiting).
        mutating func append(_ s: String, collapsing: Bool) {
            guard !stack.isEmpty else { return }
            var p = stack.removeLast()
            func flush() {
                if p.blank, let last = p.text.unicodeScalars.last, last != "\n" { p.text += " " }
                p.blank = false
            }
            if !collapsing { flush() }
            for u in s.unicodeScalars {
                let v = u.value
                let isBlank = v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D || v < 0x20 || (v >= 0x7F && v <= 0x9F)
                if isBlank {
                    if collapsing {
                        p.blank = true
                    } else {
                        p.text.unicodeScalars.append(" ")
                    }
                    continue
                }
                flush()
                p.text.unicodeScalars.append(u)
            }
            stack.append(p)
        }
    }
}
