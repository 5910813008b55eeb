import LoupeCore

/// Word (DOCX), PowerPoint (PPTX), Excel (XLSX), OpenDocument text, presentation and spreadsheet
/// (ODT, ODP, ODS) and EPUB files: ZIP archives of XML parts, each file read as one article
/// whose id and source are the file's path (as a text file's).
///
/// - DOCX (`word/document.xml`, or the main part `_rels/.rels` names under `word/`): the body's paragraphs (`w:p`, tables' and text boxes' too) in
///   document order, each a line with a blank line between them: `w:t` text, `w:tab` a blank,
///   `w:br` and `w:cr` line breaks; deleted text (`w:delText`), text moved away (`w:moveFrom`),
///   field codes (`w:instrText`) and the fallback copy of text boxes (`mc:Fallback`) are left
///   out. `docProps/core.xml` gives the title (`dc:title`), authors (`dc:creator`), date
///   (`dcterms:created`, else `dcterms:modified`) and categories (`cp:keywords` split on `,`
///   and `;`, and `dc:subject`). Headers, footers, footnotes, comments and images are not read.
/// - PPTX (`ppt/presentation.xml`, or the main part `_rels/.rels` names under `ppt/`): the
///   slides in the order of the presentation's `p:sldIdLst`, its `r:id`s resolved through
///   `ppt/_rels/presentation.xml.rels` (when that names no slide, the `ppt/slides/slideN.xml`
///   parts by number N); for each slide its paragraphs (`a:p`, those of shapes, groups and
///   tables in document order: `a:t` text, `a:tab` a blank, `a:br` a line break), then those of
///   its notes slide (the slide's `notesSlide` relationship). Slide-image, slide-number, date,
///   footer and header placeholders (`p:ph` `sldImg`, `sldNum`, `dt`, `ftr`, `hdr`) and
///   `mc:Fallback` copies are left out. Metadata from `docProps/core.xml` as a DOCX's; without a
///   title there, the text of the first slide's title placeholder (`title` or `ctrTitle`).
/// - XLSX (`xl/workbook.xml`, or the main part under `xl/`): the worksheets in the workbook's
///   order (`sheet` `r:id`s resolved through `xl/_rels/workbook.xml.rels`, else
///   `xl/worksheets/sheetN.xml` by number), each a paragraph: the sheet's name, then a line per
///   row with a value, the values joined by ` · `. Shared strings (`xl/sharedStrings.xml`, rich
///   runs joined, phonetic runs left out; an index out of range is skipped), inline strings,
///   formulas' string results, booleans (`TRUE`, `FALSE`) and numbers as written in `v` (a
///   date is its serial number); error values, formulas, and empty cells, rows and sheets are
///   left out. Metadata from `docProps/core.xml`; without a title, the file name.
/// - ODT (`mimetype` `application/vnd.oasis.opendocument.text`, or `content.xml` and
///   `meta.xml`): `office:body/office:text`'s headings and paragraphs (`text:h`, `text:p`, those
///   of lists, tables and frames too), whitespace collapsed as ODF says, `text:s` giving
///   `text:c` blanks (1 by default), `text:tab` a blank, `text:line-break` a line break; tracked
///   changes (`text:tracked-changes`), notes (`text:note`) and comments (`office:annotation`)
///   are left out. `meta.xml` gives `dc:title`, `dc:creator` (else `meta:initial-creator`),
///   `dc:date` (else `meta:creation-date`), `meta:keyword`s and `dc:subject` as categories.
/// - ODP (`mimetype` `application/vnd.oasis.opendocument.presentation`): `content.xml`'s
///   `draw:page`s in order, the text of each page's frames and shapes read as an ODT's, then
///   that of its notes (`presentation:notes`); page-number, date, footer and header frames are
///   left out. Metadata from `meta.xml` as an ODT's; without a title there, the text of the first
///   page's title frame (`presentation:class="title"`).
/// - ODS (`mimetype` `application/vnd.oasis.opendocument.spreadsheet`): `content.xml`'s
///   `table:table`s, each a paragraph as an XLSX sheet: its `table:name`, then a line per row
///   with a value, the cells' text (`text:p`, read as an ODT's) joined by ` · `. An empty cell
///   or row is never expanded, however often `table:number-columns-repeated` or
///   `table:number-rows-repeated` repeats it; one with text is written at most
///   `Sheets.maxRepeats` (100) times. Metadata from `meta.xml`; without a title, the file name.
///   (An OpenDocument file without a `mimetype` whose body is a presentation or a spreadsheet
///   is read as one too.)
/// - A spreadsheet's text is at most what the archive's members may inflate to in all (the
///   total cap of `ZipArchive.Reader`), so that shared strings or repeated cells cannot
///   multiply it; past that the rest is left out with a warning.
/// - EPUB (`mimetype` `application/epub+zip`, or `META-INF/container.xml`): the container's
///   first `rootfile` names the OPF package: its `dc:title`, `dc:creator`s, `dc:date` and
///   `dc:subject`s; its spine's XHTML documents (manifest `href`s relative to the package,
///   percent-decoded) are read as HTML pages are (`HTMLLoader.pageText`) and joined with blank
///   lines: one article per book. A chapter listed in `META-INF/encryption.xml` (DRM) is skipped
///   with a warning.
/// - Title, when the metadata gives none: a DOCX's, PPTX's, ODT's or ODP's first paragraph when
///   it is one line of at most 120 characters and more text follows (then it is not repeated in
///   the text), else the file name without its extension; a first paragraph equal to the given
///   title is not repeated either. A presentation's title placeholder comes before that rule; a
///   spreadsheet is named by its file.
/// - Other OpenDocument files (drawings, charts, formulas, databases) are recognised and skipped
///   with a warning, not read as plain archives of XML.
/// - A part that is not well-formed XML is an error naming it (`file.docx/word/document.xml:
///   line:column`, `file.pptx/ppt/slides/slide1.xml:line:column`) and the document is rejected;
///   so is a part that cannot be read (encrypted, damaged, over the caps of
///   `ZipArchive.Reader`). A missing optional part (notes, shared strings, relationships,
///   `docProps/core.xml`, `meta.xml`) is no error.
enum OfficeLoader {
    enum Kind: Equatable { case docx, pptx, xlsx, odt, odp, ods, epub }

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
            if type.hasPrefix("application/vnd.oasis.opendocument.presentation") { return .document(.odp) }
            if type.hasPrefix("application/vnd.oasis.opendocument.spreadsheet") { return .document(.ods) }
            if type.hasPrefix("application/vnd.oasis.opendocument.") {
                return .notRead("OpenDocument file of type \(type)")
            }
        }
        if zip.member("word/document.xml") != nil { return .document(.docx) }
        if zip.member("content.xml") != nil && zip.member("meta.xml") != nil { return .document(.odt) }
        if zip.member("META-INF/container.xml") != nil { return .document(.epub) }
        if zip.member("[Content_Types].xml") != nil {
            var main = mainPart(&zip)
            if let m = main, zip.member(m) == nil { main = nil }
            if main?.hasPrefix("word/") == true { return .document(.docx) }
            if zip.member("xl/workbook.xml") != nil || main?.hasPrefix("xl/") == true { return .document(.xlsx) }
            if zip.member("ppt/presentation.xml") != nil || main?.hasPrefix("ppt/") == true {
                return .document(.pptx)
            }
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
        case .pptx: doc.readPPTX(&zip)
        case .xlsx: doc.readXLSX(&zip)
        case .odt: doc.readODT(&zip)
        case .odp: doc.readODP(&zip)
        case .ods: doc.readODS(&zip)
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
        /// Whether a short first paragraph may be the title (not a spreadsheet's first sheet).
        var titleFromText = true

        init(relativePath: String) { self.relativePath = relativePath }

        var failed: Bool { diagnostics.contains { $0.severity == .error } }

        func result() -> LoadResult {
            var result = LoadResult(diagnostics: diagnostics)
            if failed { return result }
            var body = paragraphs[...]
            var title = HTMLText.collapse(self.title)
            if title.isEmpty, titleFromText, let first = body.first, body.count > 1, !first.contains("\n"),
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
            diagnostics += r.charsetDiagnostics(path: path)
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
            readCoreProperties(&zip)
        }

        /// An Office Open XML package's `docProps/core.xml` (none is fine): the title, authors,
        /// date and categories.
        mutating func readCoreProperties(_ zip: inout ZipArchive.Reader) {
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

        static let drawNS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
        static let presentationNS = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
        static let tableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

        mutating func readODT(_ zip: inout ZipArchive.Reader) {
            var odf = ODFText()
            var bodyDepth: Int?
            var sawText = false
            /// `office:body`'s child when it is a presentation's or a spreadsheet's.
            var otherBody: String?
            let found = parse(&zip, "content.xml") { r in
                odf.visit(r, reading: bodyDepth != nil)
                switch r.nodeType {
                case .element:
                    // office:document-content/office:body/office:text
                    guard bodyDepth == nil, !odf.skipping, !r.isEmptyElement, r.inNamespace(Self.officeNS) else {
                        return
                    }
                    let name = r.localName
                    if name == "text" {
                        bodyDepth = r.depth
                        sawText = true
                    } else if (name == "presentation" || name == "spreadsheet") && r.depth == 2 && otherBody == nil {
                        otherBody = name
                    }
                case .endElement:
                    if let d = bodyDepth, r.depth == d { bodyDepth = nil }
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
            if failed { return }
            // A file without a mimetype member, recognised by its content.xml and meta.xml.
            if !sawText, let otherBody {
                if otherBody == "presentation" { readODP(&zip) } else { readODS(&zip) }
                return
            }
            paragraphs = odf.text.done
            readODFMeta(&zip)
        }

        /// An OpenDocument file's `meta.xml` (none is fine): the title, authors, date and
        /// categories.
        mutating func readODFMeta(_ zip: inout ZipArchive.Reader) {
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

        /// `content.xml`, streamed through `visit`; an error when there is none.
        mutating func parseContent(_ zip: inout ZipArchive.Reader, _ what: String, _ visit: (XMLStreamReader) -> Void) {
            if parse(&zip, "content.xml", visit) == nil {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath, message: "OpenDocument \(what) without content.xml; skipped",
                        severity: .error))
            }
        }

        // MARK: PPTX

        /// Placeholders whose text is not the slide's own: the slide image of a notes page, slide
        /// numbers, dates, footers and headers.
        static let skippedPlaceholders: Set<String> = ["sldImg", "sldNum", "dt", "ftr", "hdr"]

        mutating func readPPTX(_ zip: inout ZipArchive.Reader) {
            let main =
                zip.member("ppt/presentation.xml") != nil ? "ppt/presentation.xml" : OfficeLoader.mainPart(&zip) ?? ""
            var ids: [String] = []
            let found = parse(&zip, main) { r in
                if r.nodeType == .element && r.localName == "sldId" && ids.count < ZipArchive.maxEntries,
                    let id = r.attribute("r:id")
                {
                    ids.append(id)
                }
            }
            if found == nil {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath, message: "PowerPoint presentation without ppt/presentation.xml; skipped",
                        severity: .error))
            }
            if failed { return }
            let rels = relationships(&zip, of: main)
            if failed { return }
            var slides: [String] = []
            var seen: Set<String> = []
            for id in ids {
                guard let rel = rels[id], rel.type.hasSuffix("/slide"), zip.member(rel.target) != nil,
                    seen.insert(rel.target).inserted
                else { continue }
                slides.append(rel.target)
            }
            if slides.isEmpty {
                slides = OfficeLoader.numberedParts(zip, OfficeLoader.folder(of: main) + "/slides/slide")
            }
            var text = Paragraphs()
            var slideTitle = ""
            for (k, slide) in slides.enumerated() {
                let t = readSlide(&zip, slide, into: &text)
                if failed { return }
                if k == 0 { slideTitle = t }
                let notes = relationships(&zip, of: slide).filter { $0.value.type.hasSuffix("/notesSlide") }
                    .min { $0.key < $1.key }?.value.target
                if failed { return }
                if let notes, seen.insert(notes).inserted {
                    readSlide(&zip, notes, into: &text)
                    if failed { return }
                }
            }
            paragraphs = text.done
            readCoreProperties(&zip)
            if title.isEmpty { title = slideTitle }
        }

        /// Reads the paragraphs of slide (or notes slide) `part` into `text` (see `readPPTX`);
        /// gives the text of its title placeholder ("" when it has none).
        @discardableResult
        mutating func readSlide(_ zip: inout ZipArchive.Reader, _ part: String, into text: inout Paragraphs) -> String {
            var names: [String] = []
            var skipDepth: Int?
            var titleDepth: Int?
            var title: [String] = []
            parse(&zip, part) { r in
                switch r.nodeType {
                case .element:
                    let name = r.localName
                    let empty = r.isEmptyElement
                    defer { if !empty { names.append(name) } }
                    if skipDepth != nil { return }
                    switch name {
                    case "Fallback":
                        if !empty { skipDepth = r.depth }
                    case "p":
                        if !empty { text.open() }
                    case "br" where names.last == "p":
                        text.lineBreak()
                    case "tab" where names.last == "p":
                        // (The `a:tab`s of tab stop lists are not text.)
                        text.append(" ", collapsing: false)
                    case "ph" where names.last == "nvPr" && r.depth >= 3:
                        // p:sp/p:nvSpPr/p:nvPr/p:ph: the shape is three levels up.
                        let type = r.attribute("type") ?? ""
                        if Self.skippedPlaceholders.contains(type) {
                            skipDepth = r.depth - 3
                        } else if (type == "title" || type == "ctrTitle") && titleDepth == nil {
                            titleDepth = r.depth - 3
                        }
                    default:
                        break
                    }
                case .endElement:
                    _ = names.popLast()
                    if let d = skipDepth {
                        if r.depth == d { skipDepth = nil }
                        return
                    }
                    if r.localName == "p" {
                        let before = text.done.count
                        text.close()
                        if titleDepth != nil && text.done.count > before {
                            title.append(Sheets.oneLine(text.done[before]))
                        }
                    } else if r.depth == titleDepth {
                        titleDepth = nil
                    }
                case .text:
                    if skipDepth == nil && names.last == "t" { text.append(r.value, collapsing: false) }
                default:
                    break
                }
            }
            return title.joined(separator: " ")
        }

        /// A relationship of an Office Open XML part: its type and its target's path in the archive.
        struct Relationship {
            var type: String
            var target: String
        }

        /// The relationships of `part` (from `folder/_rels/name.rels`) by id, their targets
        /// resolved against the part's folder; external ones are left out. None when there is no
        /// such part (an error when it is not well-formed).
        mutating func relationships(_ zip: inout ZipArchive.Reader, of part: String) -> [String: Relationship] {
            let folder = OfficeLoader.folder(of: part)
            let file = part.split(separator: "/").last.map(String.init) ?? part
            var out: [String: Relationship] = [:]
            parse(&zip, (folder.isEmpty ? "" : folder + "/") + "_rels/" + file + ".rels") { r in
                guard r.nodeType == .element, r.localName == "Relationship", out.count < ZipArchive.maxEntries,
                    r.attribute("TargetMode")?.lowercased() != "external", let id = r.attribute("Id"), out[id] == nil,
                    let target = r.attribute("Target"), let path = OfficeLoader.resolve(target, base: folder)
                else { return }
                out[id] = Relationship(type: r.attribute("Type") ?? "", target: path)
            }
            return out
        }

        // MARK: XLSX

        mutating func readXLSX(_ zip: inout ZipArchive.Reader) {
            titleFromText = false
            let main = zip.member("xl/workbook.xml") != nil ? "xl/workbook.xml" : OfficeLoader.mainPart(&zip) ?? ""
            var listed: [(name: String, id: String)] = []
            var date1904 = false
            let found = parse(&zip, main) { r in
                if r.nodeType == .element && r.localName == "sheet" && listed.count < ZipArchive.maxEntries {
                    listed.append((r.attribute("name") ?? "", r.attribute("r:id") ?? ""))
                } else if r.nodeType == .element && r.localName == "workbookPr" {
                    let v = r.attribute("date1904")?.lowercased()
                    date1904 = v == "1" || v == "true"
                }
            }
            if found == nil {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath, message: "Excel workbook without xl/workbook.xml; skipped", severity: .error
                    ))
            }
            if failed { return }
            let rels = relationships(&zip, of: main)
            if failed { return }
            var sheets: [(name: String, part: String)] = []
            var seen: Set<String> = []
            for s in listed {
                guard let rel = rels[s.id], rel.type.hasSuffix("/worksheet"), zip.member(rel.target) != nil,
                    seen.insert(rel.target).inserted
                else { continue }
                sheets.append((s.name, rel.target))
            }
            let folder = OfficeLoader.folder(of: main)
            if sheets.isEmpty {
                sheets = OfficeLoader.numberedParts(zip, folder + "/worksheets/sheet").map { ("", $0) }
            }
            let shared =
                rels.values.filter { $0.type.hasSuffix("/sharedStrings") }.map(\.target).min()
                ?? folder + "/sharedStrings.xml"
            let strings = sharedStrings(&zip, shared)
            if failed { return }
            let styles =
                rels.values.filter { $0.type.hasSuffix("/styles") }.map(\.target).min() ?? folder + "/styles.xml"
            var cells = CellFormats(dateStyles: dateStyles(&zip, styles), date1904: date1904)
            cells.strings = strings
            if failed { return }
            var out = Sheets(budget: zip.total)
            for sheet in sheets {
                readWorksheet(&zip, sheet.part, cells, into: &out)
                if failed { return }
                out.endSheet(name: sheet.name)
            }
            finish(out)
            readCoreProperties(&zip)
        }

        /// The shared strings of a workbook (none when it has no such part): each `si`'s text
        /// (`t`, or its rich text runs' `r/t`), phonetic runs (`rPh`) left out.
        mutating func sharedStrings(_ zip: inout ZipArchive.Reader, _ part: String) -> [String] {
            var strings: [String] = []
            var names: [String] = []
            var current: String?
            var skipDepth: Int?
            parse(&zip, part) { r in
                switch r.nodeType {
                case .element:
                    let empty = r.isEmptyElement
                    defer { if !empty { names.append(r.localName) } }
                    if skipDepth != nil { return }
                    switch r.localName {
                    case "si":
                        if empty { strings.append("") } else { current = "" }
                    case "rPh":
                        if !empty { skipDepth = r.depth }
                    default:
                        break
                    }
                case .endElement:
                    _ = names.popLast()
                    if let d = skipDepth {
                        if r.depth == d { skipDepth = nil }
                        return
                    }
                    if r.localName == "si", let c = current {
                        strings.append(c)
                        current = nil
                    }
                case .text:
                    if skipDepth == nil && current != nil && names.last == "t" { current! += r.value }
                default:
                    break
                }
            }
            return strings
        }

        /// The cell styles of a workbook's `styles.xml` (none is fine) whose number format shows a
        /// date or a time: the built-in ones (14–22, 45–47) and custom formats whose code, outside
        /// quoted text, escapes and `[…]` sections, holds d, y, h or s.
        mutating func dateStyles(_ zip: inout ZipArchive.Reader, _ part: String) -> [Int: CellFormats.Kind] {
            var custom: [Int: String] = [:]
            var xfs: [Int] = []
            var inCellXfs = false
            parse(&zip, part) { r in
                switch r.nodeType {
                case .element:
                    switch r.localName {
                    case "numFmt":
                        if let id = r.attribute("numFmtId").flatMap({ Int($0) }), custom.count < 4096 {
                            custom[id] = r.attribute("formatCode") ?? ""
                        }
                    case "cellXfs": inCellXfs = !r.isEmptyElement
                    case "xf" where inCellXfs && xfs.count < 65536:
                        xfs.append(r.attribute("numFmtId").flatMap { Int($0) } ?? 0)
                    default: break
                    }
                case .endElement:
                    if r.localName == "cellXfs" { inCellXfs = false }
                default:
                    break
                }
            }
            var out: [Int: CellFormats.Kind] = [:]
            for (i, id) in xfs.enumerated() {
                if let kind = custom[id].map(CellFormats.kind(ofCode:)) ?? CellFormats.builtIn[id], kind != .number {
                    out[i] = kind
                }
            }
            return out
        }

        /// The rows of worksheet `part` into `out` (see `readXLSX`).
        mutating func readWorksheet(
            _ zip: inout ZipArchive.Reader, _ part: String, _ formats: CellFormats, into out: inout Sheets
        ) {
            var names: [String] = []
            /// The open cell: its type (`t`), its `v`, its inline string and its style.
            var cell: (type: String, value: String, inline: String, style: Int)?
            var skipDepth: Int?
            parse(&zip, part) { r in
                switch r.nodeType {
                case .element:
                    let empty = r.isEmptyElement
                    defer { if !empty { names.append(r.localName) } }
                    if skipDepth != nil || empty { return }
                    switch r.localName {
                    case "c": cell = (r.attribute("t") ?? "n", "", "", r.attribute("s").flatMap { Int($0) } ?? 0)
                    case "rPh": skipDepth = r.depth
                    default: break
                    }
                case .endElement:
                    _ = names.popLast()
                    if let d = skipDepth {
                        if r.depth == d { skipDepth = nil }
                        return
                    }
                    switch r.localName {
                    case "c":
                        if let c = cell { out.cell(formats.text(c)) }
                        cell = nil
                    case "row":
                        out.endRow()
                    default:
                        break
                    }
                case .text:
                    guard skipDepth == nil, cell != nil else { return }
                    if names.last == "v" {
                        cell!.value += r.value
                    } else if names.last == "t" {
                        cell!.inline += r.value
                    }
                default:
                    break
                }
            }
        }

        /// Takes a spreadsheet's sheets as the document's paragraphs.
        mutating func finish(_ sheets: Sheets) {
            paragraphs = sheets.done
            if sheets.overBudget {
                diagnostics.append(
                    Diagnostic(
                        path: relativePath,
                        message: "spreadsheet text over \(sizeText(sheets.budget)); the rest left out",
                        severity: .warning))
            }
        }

        // MARK: ODP

        /// Frames of a page that are not its text: page numbers, dates, footers, headers, the
        /// slide image of a notes page.
        static let skippedFrameClasses: Set<String> = ["page-number", "date-time", "footer", "header", "page"]

        mutating func readODP(_ zip: inout ZipArchive.Reader) {
            var odf = ODFText()
            var bodyDepth: Int?
            var pageDepth: Int?
            var pages = 0
            var notesDepth: Int?
            /// The page's text while its notes are read; the notes of the page.
            var pageText = Paragraphs()
            var notes: [String] = []
            var titleDepth: Int?
            var titleStart = 0
            var slideTitle = ""
            parseContent(&zip, "presentation") { r in
                odf.visit(r, reading: pageDepth != nil)
                if odf.skipping { return }
                switch r.nodeType {
                case .element:
                    guard !r.isEmptyElement else { return }
                    let name = r.localName
                    if bodyDepth == nil {
                        if name == "presentation" && r.inNamespace(Self.officeNS) { bodyDepth = r.depth }
                    } else if pageDepth == nil {
                        if name == "page" && r.inNamespace(Self.drawNS) {
                            pageDepth = r.depth
                            pages += 1
                        }
                    } else if name == "notes" && notesDepth == nil && r.inNamespace(Self.presentationNS) {
                        notesDepth = r.depth
                        swap(&pageText, &odf.text)
                    } else if let c = r.attribute("presentation:class") {
                        if Self.skippedFrameClasses.contains(c) {
                            odf.skip(r)
                        } else if c == "title" && pages == 1 && notesDepth == nil && titleDepth == nil {
                            titleDepth = r.depth
                            titleStart = odf.text.done.count
                        }
                    }
                case .endElement:
                    let d = r.depth
                    if d == titleDepth {
                        slideTitle = Sheets.oneLine(
                            odf.text.done[min(titleStart, odf.text.done.count)...].joined(separator: " "))
                        titleDepth = nil
                    } else if d == notesDepth {
                        notes += odf.text.done
                        swap(&pageText, &odf.text)
                        pageText = Paragraphs()
                        notesDepth = nil
                    } else if d == pageDepth {
                        odf.text.add(notes)
                        notes = []
                        pageDepth = nil
                    } else if d == bodyDepth {
                        bodyDepth = nil
                    }
                default:
                    break
                }
            }
            if failed { return }
            paragraphs = odf.text.done
            readODFMeta(&zip)
            if title.isEmpty { title = slideTitle }
        }

        // MARK: ODS

        mutating func readODS(_ zip: inout ZipArchive.Reader) {
            titleFromText = false
            var odf = ODFText()
            var out = Sheets(budget: zip.total)
            var bodyDepth: Int?
            var table: (depth: Int, name: String)?
            var row: (depth: Int, repeated: Int)?
            var cell: (depth: Int, repeated: Int)?
            func repeats(_ r: XMLStreamReader, _ name: String) -> Int { r.attribute(name).flatMap { Int($0) } ?? 1 }
            parseContent(&zip, "spreadsheet") { r in
                odf.visit(r, reading: cell != nil)
                if odf.skipping { return }
                switch r.nodeType {
                case .element:
                    // Empty rows and cells (however often repeated) are nothing to read.
                    guard !r.isEmptyElement else { return }
                    let name = r.localName
                    if bodyDepth == nil {
                        if name == "spreadsheet" && r.inNamespace(Self.officeNS) { bodyDepth = r.depth }
                    } else if r.inNamespace(Self.tableNS) {
                        if name == "table" && table == nil {
                            table = (r.depth, r.attribute("table:name") ?? "")
                        } else if name == "table-row" && table != nil && row == nil {
                            row = (r.depth, repeats(r, "table:number-rows-repeated"))
                        } else if (name == "table-cell" || name == "covered-table-cell") && row != nil && cell == nil {
                            cell = (r.depth, repeats(r, "table:number-columns-repeated"))
                            odf.text = Paragraphs()
                        }
                    }
                case .endElement:
                    let d = r.depth
                    if let c = cell, c.depth == d {
                        out.cell(odf.text.done.joined(separator: " "), repeated: c.repeated)
                        cell = nil
                    } else if let w = row, w.depth == d {
                        out.endRow(repeated: w.repeated)
                        row = nil
                    } else if let t = table, t.depth == d {
                        out.endSheet(name: t.name)
                        table = nil
                    } else if d == bodyDepth {
                        bodyDepth = nil
                    }
                default:
                    break
                }
            }
            if failed { return }
            finish(out)
            readODFMeta(&zip)
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

    /// How a workbook's cells read: its shared strings, and which cell styles show a number as a
    /// date or a time (a date cell holds its serial number: days since 1899-12-30, or since
    /// 1904-01-01 in a `date1904` workbook, the time of day as the fraction).
    struct CellFormats {
        enum Kind { case number, date, time, dateTime }
        /// Style index (`s`) → how it shows its number, for the styles that are no plain number.
        var dateStyles: [Int: Kind]
        var date1904: Bool
        var strings: [String] = []

        /// Excel's built-in number formats that show dates or times.
        static let builtIn: [Int: Kind] = [
            14: .date, 15: .date, 16: .date, 17: .date, 18: .time, 19: .time, 20: .time, 21: .time, 22: .dateTime,
            45: .time, 46: .time, 47: .time,
        ]

        /// What a custom format code shows: its first section, outside quoted text, escaped
        /// characters and `[…]` (colours, locales; `[h]` is elapsed time, no date).
        static func kind(ofCode code: String) -> Kind {
            var date = false
            var time = false
            var quoted = false
            var bracket = false
            var escaped = false
            for c in code.lowercased() {
                if escaped {
                    escaped = false
                    continue
                }
                if quoted {
                    if c == "\"" { quoted = false }
                    continue
                }
                if bracket {
                    if c == "]" { bracket = false }
                    continue
                }
                switch c {
                case "\\", "_", "*": escaped = true  // the next character is literal (or a fill)
                case "\"": quoted = true
                case "[": bracket = true
                case ";": return date ? (time ? .dateTime : .date) : (time ? .time : .number)
                case "d", "y": date = true
                case "h", "s": time = true
                default: break
                }
            }
            return date ? (time ? .dateTime : .date) : (time ? .time : .number)
        }

        /// A cell's text: "" for an error, an empty cell or a shared string that is not there; a
        /// number in a date or time style as `YYYY-MM-DD`, `HH:MM[:SS]` or both.
        func text(_ c: (type: String, value: String, inline: String, style: Int)) -> String {
            switch c.type {
            case "s":
                guard let i = Int(c.value.trimmingWhitespace()), strings.indices.contains(i) else { return "" }
                return strings[i]
            case "inlineStr": return c.inline
            case "b":
                switch c.value.trimmingWhitespace() {
                case "1": return "TRUE"
                case "0": return "FALSE"
                default: return ""
                }
            case "e": return ""
            case "n":
                guard let kind = dateStyles[c.style], let serial = Double(c.value.trimmingWhitespace()) else {
                    return c.value
                }
                return dateText(serial, kind) ?? c.value
            default: return c.value
            }
        }

        /// A serial date in `kind`'s form; nil outside years 1900 (1904) to 9999.
        func dateText(_ serial: Double, _ kind: Kind) -> String? {
            guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
            var whole = serial.rounded(.down)
            var seconds = Int64(((serial - whole) * 86_400).rounded())
            if seconds == 86_400 {
                whole += 1
                seconds = 0
            }
            // 1900 system: serial 1 is 1900-01-01, and 60 the 29 February 1900 Excel counts (as
            // Lotus did), which never was: serials from 61 are days since 1899-12-30.
            let days: Int64
            if date1904 {
                days = Int64(whole) - 24_107
            } else {
                guard whole != 60 || kind == .time else { return nil }
                days = Int64(whole) - (whole < 60 ? 25_568 : 25_569)
            }
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let clock =
                "\(two(seconds / 3600)):\(two(seconds / 60 % 60))" + (seconds % 60 == 0 ? "" : ":\(two(seconds % 60))")
            switch kind {
            case .number: return nil
            case .time: return clock
            case .date: return whole < 1 && !date1904 ? nil : DateColumn.isoDay(days * 86_400)
            case .dateTime: return whole < 1 && !date1904 ? nil : DateColumn.isoDay(days * 86_400) + " " + clock
            }
        }
    }

    /// The folder of an archive's part (`ppt/slides/slide1.xml` → `ppt/slides`; "" at the top).
    static func folder(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[..<slash])
    }

    /// The parts `prefixN.xml` of the archive (`ppt/slides/slide` + `10` + `.xml`), by number N.
    static func numberedParts(_ zip: ZipArchive.Reader, _ prefix: String) -> [String] {
        var found: [(n: Int, path: String)] = []
        var seen: Set<String> = []
        for m in zip.members where m.path.hasPrefix(prefix) && m.path.hasSuffix(".xml") {
            let digits = m.path.utf8.dropFirst(prefix.utf8.count).dropLast(4)
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let n = Int(String(decoding: digits, as: UTF8.self)), seen.insert(m.path).inserted
            else { continue }
            found.append((n, m.path))
        }
        return found.sorted { $0.n < $1.n }.map(\.path)
    }

    /// The text of OpenDocument content streamed through `visit` into `text` while `reading`:
    /// `text:p` and `text:h` paragraphs, whitespace collapsed as ODF says, `text:s` giving
    /// `text:c` blanks (1 by default), `text:tab` a blank, `text:line-break` a line break; only
    /// the text of the text namespace's elements (a frame's `svg:title` is not); tracked changes,
    /// notes and comments left out.
    struct ODFText {
        var text = Paragraphs()
        /// Whether each open element is in the text namespace.
        private var inText: [Bool] = []
        private var skipDepth: Int?

        /// Inside a subtree left out (up to and including its end element's visit).
        var skipping: Bool { skipDepth != nil }

        /// Leaves out the subtree of the element just visited.
        mutating func skip(_ r: XMLStreamReader) {
            if skipDepth == nil && !r.isEmptyElement { skipDepth = r.depth }
        }

        mutating func visit(_ r: XMLStreamReader, reading: Bool) {
            switch r.nodeType {
            case .element:
                let empty = r.isEmptyElement
                let isText = r.inNamespace(Document.textNS)
                if !empty { inText.append(isText) }
                if skipDepth != nil || !reading { return }
                if isText {
                    switch r.localName {
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
                } else if r.localName == "annotation" && r.inNamespace(Document.officeNS) && !empty {
                    skipDepth = r.depth
                }
            case .endElement:
                _ = inText.popLast()
                if let d = skipDepth {
                    if r.depth == d { skipDepth = nil }
                    return
                }
                if reading && r.inNamespace(Document.textNS) && (r.localName == "p" || r.localName == "h") {
                    text.close()
                }
            case .text:
                if skipDepth == nil && reading && inText.last == true { text.append(r.value, collapsing: true) }
            default:
                break
            }
        }
    }

    /// Spreadsheet text being read: a paragraph per sheet with a value, its name (when it has
    /// one) then a line per row with a value, the row's values joined by `separator`; blank
    /// cells, rows and sheets give nothing, however often they are repeated. All of it within
    /// `budget` bytes (past that, nothing more is taken: `overBudget`).
    struct Sheets {
        static let separator = " · "
        /// The most copies of a repeated cell or row with a value.
        static let maxRepeats = 100
        private(set) var done: [String] = []
        let budget: Int
        private var left: Int
        private(set) var overBudget = false
        private var lines: [String] = []
        private var row: [String] = []

        init(budget: Int) {
            self.budget = budget
            left = budget
        }

        /// One line: whitespace runs (line breaks too) a blank, none at the ends.
        static func oneLine(_ s: String) -> String {
            let c = HTMLText.collapse(s)
            return c.contains("\n") ? c.split(separator: "\n").joined(separator: " ") : c
        }

        private mutating func spend(_ n: Int) -> Bool {
            if overBudget || n > left {
                overBudget = true
                return false
            }
            left -= n
            return true
        }

        /// A cell of the current row (`repeated` times, at most `maxRepeats`).
        mutating func cell(_ raw: String, repeated: Int = 1) {
            let v = Self.oneLine(raw)
            if v.isEmpty { return }
            for _ in 0..<min(max(repeated, 1), Self.maxRepeats) {
                guard spend(v.utf8.count + Self.separator.utf8.count) else { return }
                row.append(v)
            }
        }

        /// Ends the current row (written `repeated` times, at most `maxRepeats`, if it has a value).
        mutating func endRow(repeated: Int = 1) {
            defer { row.removeAll(keepingCapacity: true) }
            guard !row.isEmpty else { return }
            let line = row.joined(separator: Self.separator)
            lines.append(line)
            for _ in 1..<min(max(repeated, 1), Self.maxRepeats) {
                guard spend(line.utf8.count + 1) else { return }
                lines.append(line)
            }
        }

        /// Ends the current sheet, named `name`.
        mutating func endSheet(name: String) {
            endRow()
            defer { lines.removeAll() }
            guard !lines.isEmpty, done.count < Paragraphs.maxParagraphs else { return }
            let n = Self.oneLine(name)
            done.append((n.isEmpty ? lines : [n] + lines).joined(separator: "\n"))
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

        /// Paragraphs read elsewhere, added as they are.
        mutating func add(_ paragraphs: [String]) {
            for p in paragraphs where done.count < Self.maxParagraphs { done.append(p) }
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
