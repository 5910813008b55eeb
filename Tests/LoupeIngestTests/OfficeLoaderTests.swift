import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// A paragraph of runs.
private func p(_ runs: String...) -> String { "<w:p>" + runs.joined() + "</w:p>" }
/// A run of text.
private func r(_ t: String) -> String { "<w:r><w:t xml:space=\"preserve\">\(t)</w:t></w:r>" }

/// Word, OpenDocument text and EPUB files: one article each, from their XML parts.
struct OfficeLoaderTests {
    static let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
    static let mc = "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""

    static func documentXML(_ body: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \(w) \(mc)><w:body>\(body)</w:body></w:document>"
    }

    static func core(_ fields: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">\(fields)</cp:coreProperties>
        """
    }

    static func docx(_ body: String, core: String? = nil) -> [UInt8] {
        var entries: [TestZip.Entry] = [
            .init(
                "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
            ),
            .init("word/document.xml", documentXML(body)),
        ]
        if let core { entries.append(.init("docProps/core.xml", OfficeLoaderTests.core(core))) }
        return TestZip.archive(entries)
    }

    static func load(_ b: [UInt8], _ path: String) -> LoadResult { ArticleLoading.load(b, relativePath: path) }

    @Test func docxTextAndMetadata() throws {
        let body = [
            p(r("Harbour board minutes")),
            p(
                r("The board met"), "<w:r><w:tab/></w:r>", r("on Monday"),
                "<w:del w:id=\"1\"><w:r><w:delText>zqdeleted</w:delText></w:r></w:del>", r(".")),
            p(
                r("First line"), "<w:r><w:br/></w:r>", r("second line"), "<w:r><w:cr/></w:r>", r("third"),
                "<w:r><w:instrText> HYPERLINK \"zqfieldcode\" </w:instrText></w:r>"),
            "<w:tbl><w:tr><w:tc>\(p(r("Cell one")))</w:tc><w:tc>\(p(r("Cell two")))</w:tc></w:tr></w:tbl>",
            p(
                "<w:moveFrom w:id=\"2\"><w:r><w:t>zqmovedaway</w:t></w:r></w:moveFrom>",
                "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:r><w:t>Text box</w:t></w:r></mc:Choice>",
                "<mc:Fallback><w:r><w:t>zqfallback</w:t></w:r></mc:Fallback></mc:AlternateContent>"),
            "<w:p/>",
            p(r("  spaced  words  ")),
            "<w:sectPr/>",
        ].joined()
        let meta = """
            <dc:title>Minutes of the harbour board</dc:title><dc:creator>Jane Doe; John Roe</dc:creator>\
            <dc:subject>Harbour</dc:subject><cp:keywords>ferries, dredging;tides</cp:keywords>\
            <dcterms:created>2024-03-05T10:00:00+01:00</dcterms:created>\
            <dcterms:modified>2024-04-01T00:00:00Z</dcterms:modified>
            """
        let res = OfficeLoaderTests.load(OfficeLoaderTests.docx(body, core: meta), "docs/minutes.docx")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1)
        #expect(a.id == "docs/minutes.docx" && a.source == "docs/minutes.docx")
        #expect(a.title == "Minutes of the harbour board")
        #expect(
            a.body == """
                Harbour board minutes

                The board met on Monday.

                First line
                second line
                third

                Cell one

                Cell two

                Text box

                spaced  words
                """)
        #expect(a.authors == ["Jane Doe", "John Roe"])
        #expect(a.date == "2024-03-05T09:00:00Z")
        #expect(a.categories == ["ferries", "dredging", "tides", "Harbour"])
    }

    /// Without a title in the metadata: the first paragraph when short (not repeated in the
    /// text), else the file's name; without a creation date, the modification date.
    @Test func docxTitleFallbacks() throws {
        let short = OfficeLoaderTests.load(
            OfficeLoaderTests.docx(
                p(r("Pier lights")) + p(r("The pier lights were mended.")),
                core: "<dcterms:modified>2024-04-01T00:00:00Z</dcterms:modified>"),
            "a/lights.docx")
        #expect(short.articles.first?.title == "Pier lights")
        #expect(short.articles.first?.body == "The pier lights were mended.")
        #expect(short.articles.first?.date == "2024-04-01T00:00:00Z")
        let long = String(repeating: "word ", count: 30)
        let named = OfficeLoaderTests.load(OfficeLoaderTests.docx(p(r(long)) + p(r("More."))), "a/long-first.docx")
        #expect(named.articles.first?.title == "long-first")
        #expect(named.articles.first?.body.hasPrefix("word word") == true)
        // The title repeated as the first paragraph is kept once.
        let repeated = OfficeLoaderTests.load(
            OfficeLoaderTests.docx(
                p(r("Tide tables")) + p(r("High water at six.")), core: "<dc:title>Tide tables</dc:title>"),
            "a/tides.docx")
        #expect(repeated.articles.first?.body == "High water at six.")
        // A document with no text at all: a note, no article.
        let empty = OfficeLoaderTests.load(OfficeLoaderTests.docx("<w:p/>"), "a/empty.docx")
        #expect(empty.articles.isEmpty && !empty.rejected)
    }

    /// The main part is found through `_rels/.rels` when it is not `word/document.xml`.
    @Test func docxMainPartNamedByTheRelationships() throws {
        let rels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="r2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
            Target="docProps/core.xml"/><Relationship Id="r1" \
            Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
            Target="/word/document2.xml"/></Relationships>
            """
        let b = TestZip.archive([
            .init("[Content_Types].xml", "<Types/>"), .init("_rels/.rels", rels),
            .init("word/document2.xml", OfficeLoaderTests.documentXML(p(r("Renamed part")) + p(r("zqrenamed text")))),
        ])
        let res = OfficeLoaderTests.load(b, "d/renamed.docx")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        #expect(res.articles.map(\.title) == ["Renamed part"])
        #expect(res.articles.first?.body == "zqrenamed text")
    }

    @Test func malformedXMLPartRejectsTheDocumentNamingThePart() throws {
        let b = TestZip.archive([
            .init("word/document.xml", "<w:document \(OfficeLoaderTests.w)><w:body>\n<w:p><w:t>open</w:p></w:body>")
        ])
        let res = OfficeLoaderTests.load(b, "d/broken.docx")
        #expect(res.rejected && res.articles.isEmpty)
        let e = try #require(res.diagnostics.first { $0.severity == .error })
        #expect(e.path == "d/broken.docx/word/document.xml")
        #expect(e.line == 2 && e.column != nil)
        #expect(e.description.hasPrefix("d/broken.docx/word/document.xml:2:"))
        // A broken metadata part rejects the document too.
        let badCore = TestZip.archive([
            .init("word/document.xml", OfficeLoaderTests.documentXML(p(r("Text")))),
            .init("docProps/core.xml", "<cp:coreProperties><dc:title>x</cp:coreProperties>"),
        ])
        let c = OfficeLoaderTests.load(badCore, "d/core.docx")
        #expect(c.rejected)
        #expect(c.diagnostics.contains { $0.path == "d/core.docx/docProps/core.xml" })
        // An empty part says so.
        let empty = OfficeLoaderTests.load(TestZip.archive([.init("word/document.xml", " \n")]), "d/e.docx")
        #expect(empty.rejected)
        #expect(empty.diagnostics.map(\.description) == ["d/e.docx/word/document.xml:1: empty XML part"])
    }

    /// No entity from a DTD is expanded and nothing outside the archive is read.
    @Test func entitiesAndExternalFilesAreNotExpanded() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY big "zqexpanded">]>
            <w:document \(OfficeLoaderTests.w)><w:body><w:p><w:r><w:t>Before &xxe;&big; after</w:t></w:r></w:p>\
            <w:p><w:r><w:t>Second paragraph</w:t></w:r></w:p></w:body></w:document>
            """
        let res = OfficeLoaderTests.load(TestZip.archive([.init("word/document.xml", xml)]), "x.docx")
        let a = try #require(res.articles.first)
        #expect(!a.body.contains("zqexpanded") && !a.title.contains("zqexpanded"))
        #expect(a.title == "Before after" || a.title == "Before  after")
    }

    static let odfNS = """
        xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
        xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
        xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" \
        xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
        """

    static func odt(_ text: String, meta: String, mimetype: Bool = true) -> [UInt8] {
        var entries: [TestZip.Entry] = []
        if mimetype { entries.append(.init("mimetype", "application/vnd.oasis.opendocument.text", deflate: false)) }
        entries.append(
            .init(
                "content.xml",
                "<office:document-content \(odfNS)><office:body><office:text>\(text)</office:text></office:body></office:document-content>"
            ))
        entries.append(
            .init(
                "meta.xml", "<office:document-meta \(odfNS)><office:meta>\(meta)</office:meta></office:document-meta>"))
        return TestZip.archive(entries)
    }

    @Test func odtSpacesStructureAndMetadata() throws {
        let text = """
            <text:tracked-changes><text:changed-region><text:deletion><text:p>zqdeleted</text:p></text:deletion>\
            </text:changed-region></text:tracked-changes>
            <text:h text:outline-level="1">Ferry fares rise</text:h>
            <text:p>Three<text:s text:c="3"/>spaces and   collapsed
              blanks, <text:span>a span</text:span> and <text:a>a link</text:a>.</text:p>
            <text:p>Tab<text:tab/>here<text:line-break/>next line<text:s/>end</text:p>
            <text:p>Note<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>zqnote</text:p>\
            </text:note-body></text:note> here.<office:annotation><text:p>zqcomment</text:p></office:annotation></text:p>
            <text:list><text:list-item><text:p>First item</text:p></text:list-item>\
            <text:list-item><text:p>Second item</text:p></text:list-item></text:list>
            <text:p><draw:frame><svg:title>zqalttext</svg:title></draw:frame>Framed</text:p>
            """
        let meta = """
            <meta:initial-creator>First Author</meta:initial-creator>\
            <meta:creation-date>2024-03-05T10:00:00</meta:creation-date>\
            <meta:keyword>ferries</meta:keyword><meta:keyword>fares</meta:keyword>
            """
        let res = OfficeLoaderTests.load(OfficeLoaderTests.odt(text, meta: meta), "o/fares.odt")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(a.title == "Ferry fares rise")
        #expect(
            a.body == """
                Three   spaces and collapsed blanks, a span and a link.

                Tab here
                next line end

                Note here.

                First item

                Second item

                Framed
                """)
        #expect(a.authors == ["First Author"])
        #expect(a.date == "2024-03-05T10:00:00Z")
        #expect(a.categories == ["ferries", "fares"])
        // dc:title, dc:creator and dc:date come first; no mimetype member is needed.
        let meta2 = """
            <dc:title>Fare table</dc:title><meta:initial-creator>First Author</meta:initial-creator>\
            <dc:creator>Second Author</dc:creator><meta:creation-date>2024-03-05</meta:creation-date>\
            <dc:date>2024-03-07T08:00:00Z</dc:date>
            """
        let r2 = OfficeLoaderTests.load(
            OfficeLoaderTests.odt("<text:p>Fares</text:p>", meta: meta2, mimetype: false), "o/t.odt")
        let b = try #require(r2.articles.first)
        #expect(b.title == "Fare table" && b.body == "Fares")
        #expect(b.authors == ["Second Author"])
        #expect(b.date == "2024-03-07T08:00:00Z")
    }

    static func epub(
        spine: [String], manifest: [(String, String)], chapters: [(String, String)], extra: [TestZip.Entry] = []
    ) -> [UInt8] {
        let items = manifest.map { "<item id=\"\($0.0)\" href=\"\($0.1)\" media-type=\"application/xhtml+xml\"/>" }
        let opf = """
            <?xml version="1.0" encoding="UTF-8"?>
            <package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\
            <dc:title>Island Ferry Guide</dc:title><dc:creator>Mira Castell</dc:creator><dc:creator>Tomas Reyes</dc:creator>\
            <dc:date>2007-09-15</dc:date><dc:subject>ferries</dc:subject><dc:subject>travel</dc:subject></metadata>\
            <manifest>\(items.joined())<item id="css" href="style.css" media-type="text/css"/></manifest>\
            <spine>\(spine.map { "<itemref idref=\"\($0)\"/>" }.joined())<itemref idref="css"/></spine></package>
            """
        var entries: [TestZip.Entry] = [
            .init("mimetype", "application/epub+zip", deflate: false),
            .init(
                "META-INF/container.xml",
                "<container xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" version=\"1.0\"><rootfiles><rootfile full-path=\"OPS/pkg/book.opf\"/><rootfile full-path=\"other.opf\"/></rootfiles></container>"
            ),
            .init("OPS/pkg/book.opf", opf),
            .init("OPS/style.css", "body { color: red }"),
        ]
        for (path, text) in chapters {
            entries.append(
                .init(
                    path,
                    "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>T</title><script>zqscript</script></head><body>\(text)</body></html>"
                ))
        }
        return TestZip.archive(entries + extra)
    }

    @Test func epubSpineOrderAndMetadata() throws {
        let b = OfficeLoaderTests.epub(
            spine: ["c2", "c1", "c3", "gone"],
            manifest: [
                ("c1", "ch%201.xhtml#start"), ("c2", "../text/second.xhtml"), ("c3", "ch%201.xhtml"),
                ("gone", "missing.xhtml"),
            ],
            chapters: [
                ("OPS/pkg/ch 1.xhtml", "<h1>Chapter one</h1><p>The first crossing.</p>"),
                ("OPS/text/second.xhtml", "<h1>Chapter two</h1><p>The return crossing.</p>"),
            ])
        let res = OfficeLoaderTests.load(b, "books/guide.epub")
        #expect(!res.rejected)
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1)
        #expect(a.id == "books/guide.epub")
        #expect(a.title == "Island Ferry Guide")
        #expect(a.authors == ["Mira Castell", "Tomas Reyes"])
        #expect(a.date == "2007-09-15")
        #expect(a.categories == ["ferries", "travel"])
        // Spine order (not the manifest's), a chapter listed twice read once, no scripts.
        #expect(a.body == "Chapter two\n\nThe return crossing.\n\nChapter one\n\nThe first crossing.")
        #expect(res.diagnostics.map(\.path) == ["books/guide.epub/OPS/pkg/missing.xhtml"])
    }

    @Test func epubEncryptedChaptersAndBrokenPackages() throws {
        let encryption = """
            <encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">\
            <enc:EncryptedData><enc:CipherData><enc:CipherReference URI="OPS/pkg/locked.xhtml"/></enc:CipherData>\
            </enc:EncryptedData></encryption>
            """
        let b = OfficeLoaderTests.epub(
            spine: ["open", "locked"], manifest: [("open", "open.xhtml"), ("locked", "locked.xhtml")],
            chapters: [("OPS/pkg/open.xhtml", "<p>Open text.</p>"), ("OPS/pkg/locked.xhtml", "<p>zqlocked</p>")],
            extra: [.init("META-INF/encryption.xml", encryption)])
        let res = OfficeLoaderTests.load(b, "e.epub")
        #expect(res.articles.first?.body == "Open text.")
        #expect(
            res.diagnostics.contains {
                $0.path == "e.epub/OPS/pkg/locked.xhtml" && $0.severity == .warning && $0.message.contains("encrypted")
            })
        // No package where the container says: an error, nothing indexed.
        let noPackage = TestZip.archive([
            .init("mimetype", "application/epub+zip", deflate: false),
            .init(
                "META-INF/container.xml",
                "<container><rootfiles><rootfile full-path=\"none.opf\"/></rootfiles></container>"),
        ])
        #expect(OfficeLoaderTests.load(noPackage, "n.epub").rejected)
        let noRootfile = TestZip.archive([.init("META-INF/container.xml", "<container/>")])
        let nr = OfficeLoaderTests.load(noRootfile, "r.epub")
        #expect(nr.rejected)
        #expect(nr.diagnostics.first?.path == "r.epub/META-INF/container.xml")
    }

    /// Spreadsheets and presentations (OpenDocument and Office Open XML) are read now; an
    /// OpenDocument type that is neither text, presentation nor spreadsheet is still recognised
    /// and skipped with a warning, not read as an archive of XML files. A workbook or a
    /// presentation without text gives what an empty Word file gives: a note, no article.
    @Test func otherOpenDocumentTypesAreStillNotRead() throws {
        func recognised(_ b: [UInt8]) throws -> OfficeLoader.Recognition {
            var zip = ZipArchive.Reader(b, try ZipArchive.members(b))
            return OfficeLoader.recognise(&zip)
        }
        func odf(_ type: String) -> [UInt8] {
            TestZip.archive([
                .init("mimetype", "application/vnd.oasis.opendocument.\(type)", deflate: false),
                .init("content.xml", "<office:document-content \(OfficeLoaderTests.odfNS)/>"),
                .init("meta.xml", "<office:document-meta \(OfficeLoaderTests.odfNS)/>"),
            ])
        }
        for type in ["graphics", "chart", "formula", "image", "base"] {
            #expect(
                try recognised(odf(type))
                    == .notRead("OpenDocument file of type application/vnd.oasis.opendocument.\(type)"))
            let res = OfficeLoaderTests.load(odf(type), "d.od")
            #expect(res.articles.isEmpty && !res.rejected)
            #expect(res.diagnostics.map(\.severity) == [.warning])
            #expect(res.diagnostics.first?.message.contains(type) == true, "\(res.diagnostics)")
        }
        #expect(try recognised(odf("spreadsheet")) == .document(.ods))
        #expect(try recognised(odf("spreadsheet-template")) == .document(.ods))
        #expect(try recognised(odf("presentation")) == .document(.odp))
        #expect(try recognised(odf("text")) == .document(.odt))
        let xlsx = TestZip.archive([
            .init("[Content_Types].xml", "<Types/>"), .init("xl/workbook.xml", "<workbook/>"),
        ])
        let pptx = TestZip.archive([
            .init("[Content_Types].xml", "<Types/>"), .init("ppt/presentation.xml", "<presentation/>"),
        ])
        #expect(try recognised(xlsx) == .document(.xlsx))
        #expect(try recognised(pptx) == .document(.pptx))
        // No text at all: a note, no article, nothing rejected (as for `<w:p/>` in a DOCX).
        for (bytes, path) in [
            (odf("spreadsheet"), "s.ods"), (odf("presentation"), "p.odp"), (xlsx, "s.xlsx"), (pptx, "p.pptx"),
        ] {
            let res = OfficeLoaderTests.load(bytes, path)
            #expect(res.articles.isEmpty && !res.rejected, "\(path)")
            #expect(res.diagnostics.map(\.description) == ["\(path): note: no text in the document"], "\(path)")
        }
    }

    /// A document inside an archive is one member's article (an archive inside is skipped).
    @Test func documentsInsideArchivesAreRead() {
        let doc = OfficeLoaderTests.docx(p(r("Quay notes")) + p(r("zqinside text")))
        let zip = TestZip.archive([.init("docs/q.docx", doc), .init("t.txt", "Note\n\nzqnote\n")])
        let z = OfficeLoaderTests.load(zip, "a.zip")
        #expect(z.articles.map(\.source) == ["a.zip/docs/q.docx", "a.zip/t.txt"])
        #expect(z.articles.first?.title == "Quay notes")
        let tar = TarTests.archive([TarTests.entry("in/q.docx", doc)])
        let t = OfficeLoaderTests.load(tar, "b.tar")
        #expect(t.articles.map(\.id) == ["b.tar/in/q.docx"])
        // A broken document inside an archive rejects that member only.
        let broken = TestZip.archive([.init("word/document.xml", "<w:document")])
        let mixed = OfficeLoaderTests.load(
            TestZip.archive([.init("bad.docx", broken), .init("t.txt", "Note\n\nzq\n")]), "m.zip")
        #expect(!mixed.rejected && mixed.rejectedMembers == 1)
        #expect(mixed.articles.map(\.source) == ["m.zip/t.txt"])
        #expect(mixed.diagnostics.contains { $0.path == "m.zip/bad.docx/word/document.xml" })
    }

    /// Every cut of a document's main XML part is an error naming that part, or (cut where the
    /// rest is still well-formed) an article: never a crash, never text from another part.
    @Test func cutPartsAreErrorsNamingThePart() {
        let xml = OfficeLoaderTests.documentXML(p(r("Harbour &amp; pier")) + p(r("Second <b>"), "<w:r><w:tab/></w:r>"))
        let odt =
            "<office:document-content \(OfficeLoaderTests.odfNS)><office:body><office:text><text:p>A<text:s text:c=\"2\"/>b</text:p></office:text></office:body></office:document-content>"
        let cases: [(String, String, [TestZip.Entry])] = [
            ("d.docx", "word/document.xml", []),
            ("o.odt", "content.xml", [.init("meta.xml", "<office:document-meta \(OfficeLoaderTests.odfNS)/>")]),
        ]
        for (file, part, rest) in cases {
            let whole = part == "content.xml" ? odt : xml
            let bytes = Array(whole.utf8)
            for n in stride(from: 0, to: bytes.count, by: 3) {
                let zip = TestZip.archive([.init(part, Array(bytes.prefix(n)))] + rest)
                let res = OfficeLoaderTests.load(zip, file)
                if res.rejected {
                    #expect(res.diagnostics.contains { $0.path == file + "/" + part && $0.severity == .error })
                } else {
                    #expect(res.articles.count <= 1)
                }
            }
        }
    }
}

/// PowerPoint and Excel files (Office Open XML), OpenDocument presentations and spreadsheets.
extension OfficeLoaderTests {
    static let pml = """
        xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
        xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        """
    static let relType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

    /// A relationships part: (id, type after `relType`, target).
    static func rels(_ items: [(String, String, String)]) -> String {
        let r = items.map { "<Relationship Id=\"\($0.0)\" Type=\"\(relType)\($0.1)\" Target=\"\($0.2)\"/>" }
        return
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(r.joined())</Relationships>"
    }

    /// A DrawingML paragraph: each item a run of text, or markup when it starts with `<`.
    static func ap(_ items: String...) -> String {
        "<a:p>" + items.map { $0.hasPrefix("<") ? $0 : "<a:r><a:rPr lang=\"en-GB\"/><a:t>\($0)</a:t></a:r>" }.joined()
            + "</a:p>"
    }

    /// A shape: a placeholder of type `ph` (nil: a text box) holding `paragraphs`.
    static func sp(_ ph: String?, _ paragraphs: String...) -> String {
        let nv = ph.map { "<p:nvPr><p:ph type=\"\($0)\" idx=\"1\"/></p:nvPr>" } ?? "<p:nvPr/>"
        return """
            <p:sp><p:nvSpPr><p:cNvPr id="2" name="Shape"/><p:cNvSpPr/>\(nv)</p:nvSpPr><p:spPr/>\
            <p:txBody><a:bodyPr/><a:lstStyle/>\(paragraphs.joined())</p:txBody></p:sp>
            """
    }

    /// A slide (`root` `sld`) or notes slide (`notes`) of `shapes`.
    static func slide(_ shapes: String..., root: String = "sld") -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <p:\(root) \(pml)><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>\
        </p:nvGrpSpPr><p:grpSpPr/>\(shapes.joined())</p:spTree></p:cSld></p:\(root)>
        """
    }

    /// A PPTX of `slides` (`ppt/slides/<name>`, its notes slide if any), shown in `order`; the
    /// presentation's relationships list them in the archive's order under unrelated ids.
    static func pptx(
        _ slides: [(name: String, xml: String, notes: String?)], order: [String], core: String? = nil,
        presentationRels: Bool = true
    ) -> [UInt8] {
        func rid(_ name: String) -> String { "rId\(100 - slides.firstIndex { $0.name == name }!)" }
        let list = order.enumerated().map { "<p:sldId id=\"\(256 + $0.offset)\" r:id=\"\(rid($0.element))\"/>" }
        var entries: [TestZip.Entry] = [
            .init(
                "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
            ),
            .init(
                "ppt/presentation.xml",
                "<p:presentation \(pml)><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst><p:sldIdLst>\(list.joined())</p:sldIdLst></p:presentation>"
            ),
        ]
        if presentationRels {
            entries.append(
                .init(
                    "ppt/_rels/presentation.xml.rels",
                    rels(
                        [("rId1", "slideMaster", "slideMasters/slideMaster1.xml")]
                            + slides.map { (rid($0.name), "slide", "slides/\($0.name)") })))
        }
        for (k, s) in slides.enumerated() {
            entries.append(.init("ppt/slides/\(s.name)", s.xml))
            var r = [("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml")]
            if let notes = s.notes {
                r.append(("rId2", "notesSlide", "../notesSlides/notesSlide\(k + 1).xml"))
                entries.append(.init("ppt/notesSlides/notesSlide\(k + 1).xml", notes))
            }
            entries.append(.init("ppt/slides/_rels/\(s.name).rels", rels(r)))
        }
        if let core { entries.append(.init("docProps/core.xml", OfficeLoaderTests.core(core))) }
        return TestZip.archive(entries)
    }

    /// Three slides shown 2, 10, 1 (neither by name nor by number); slide 2 has a title, a
    /// line break, tabs (tab stops are not text), slide-number and date placeholders and notes.
    static func deck(core: String? = nil, presentationRels: Bool = true) -> [UInt8] {
        let two = slide(
            sp("title", ap("Harbour budget 2024")),
            sp(
                "body",
                ap(
                    "<a:pPr><a:tabLst><a:tab pos=\"457200\" algn=\"l\"/></a:tabLst></a:pPr>", "First line", "<a:br/>",
                    "second", "<a:tab/>", "tabbed\tagain")),
            sp("sldNum", ap("<a:fld id=\"{1}\" type=\"slidenum\"><a:t>zqslidenumber</a:t></a:fld>")),
            sp("dt", ap("zqslidedate")))
        let notes = slide(
            sp("sldImg"), sp("body", ap("Mention the zqnotesword ferry")), sp("sldNum", ap("zqnotesnumber")),
            root: "notes")
        return pptx(
            [
                ("slide1.xml", slide(sp(nil, ap("Closing remarks")), sp(nil, ap("zqslideone"))), nil),
                ("slide2.xml", two, notes),
                ("slide10.xml", slide(sp("title", ap("Dredging costs")), sp(nil, ap("zqslideten"))), nil),
            ], order: ["slide2.xml", "slide10.xml", "slide1.xml"], core: core, presentationRels: presentationRels)
    }

    @Test func pptxSlidesInPresentationOrderWithNotes() throws {
        let res = OfficeLoaderTests.load(OfficeLoaderTests.deck(), "talks/budget.pptx")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1)
        #expect(a.id == "talks/budget.pptx" && a.source == "talks/budget.pptx")
        // The first slide's title placeholder, not repeated in the text.
        #expect(a.title == "Harbour budget 2024")
        #expect(
            a.body == """
                First line
                second tabbed again

                Mention the zqnotesword ferry

                Dredging costs

                zqslideten

                Closing remarks

                zqslideone
                """)
        // Without the presentation's relationships: the slides by number (10 after 2).
        let byNumber = OfficeLoaderTests.load(OfficeLoaderTests.deck(presentationRels: false), "talks/n.pptx")
        let b = try #require(byNumber.articles.first)
        #expect(b.title == "Closing remarks")
        #expect(
            b.body.components(separatedBy: "\n\n")
                == [
                    "zqslideone", "Harbour budget 2024", "First line\nsecond tabbed again",
                    "Mention the zqnotesword ferry", "Dredging costs", "zqslideten",
                ])
    }

    @Test func pptxTitleRules() throws {
        // The core properties' title and metadata come first.
        let meta = """
            <dc:title>Annual harbour report</dc:title><dc:creator>Jane Doe</dc:creator>\
            <cp:keywords>budget; dredging</cp:keywords><dcterms:created>2024-03-05T10:00:00Z</dcterms:created>
            """
        let withCore = OfficeLoaderTests.load(OfficeLoaderTests.deck(core: meta), "t/a.pptx")
        let a = try #require(withCore.articles.first)
        #expect(a.title == "Annual harbour report")
        #expect(a.body.hasPrefix("Harbour budget 2024\n\nFirst line"))
        #expect(
            a.authors == ["Jane Doe"] && a.categories == ["budget", "dredging"] && a.date == "2024-03-05T10:00:00Z")
        // An empty core title: the first slide's centred title (its lines joined).
        let centred = OfficeLoaderTests.slide(
            OfficeLoaderTests.sp("ctrTitle", OfficeLoaderTests.ap("Winter", "<a:br/>", "timetable")),
            OfficeLoaderTests.sp("subTitle", OfficeLoaderTests.ap("Island ferries")))
        let c = OfficeLoaderTests.load(
            OfficeLoaderTests.pptx(
                [("slide1.xml", centred, nil)], order: ["slide1.xml"], core: "<dc:title> </dc:title>"),
            "t/c.pptx")
        #expect(c.articles.first?.title == "Winter timetable")
        #expect(c.articles.first?.body == "Winter\ntimetable\n\nIsland ferries")
        // No title placeholder: a DOCX's rules (a short first paragraph, else the file name).
        let long = String(repeating: "word ", count: 30)
        let plain = OfficeLoaderTests.slide(
            OfficeLoaderTests.sp(nil, OfficeLoaderTests.ap(long)),
            OfficeLoaderTests.sp(nil, OfficeLoaderTests.ap("More")))
        let named = OfficeLoaderTests.load(
            OfficeLoaderTests.pptx([("slide1.xml", plain, nil)], order: ["slide1.xml"]), "t/long-first.pptx")
        #expect(named.articles.first?.title == "long-first")
        // A title placeholder on the second slide only does not name the presentation.
        let second = OfficeLoaderTests.slide(OfficeLoaderTests.sp("title", OfficeLoaderTests.ap("Second title")))
        let s = OfficeLoaderTests.load(
            OfficeLoaderTests.pptx(
                [("slide1.xml", plain, nil), ("slide2.xml", second, nil)], order: ["slide1.xml", "slide2.xml"]),
            "t/second.pptx")
        #expect(s.articles.first?.title == "second")
    }

    @Test func pptxMalformedPartRejectsNamingThePart() throws {
        let broken = "<p:sld \(OfficeLoaderTests.pml)>\n<p:cSld><a:p><a:t>zqopen</a:p>"
        let b = OfficeLoaderTests.pptx(
            [
                ("slide1.xml", broken, nil),
                ("slide2.xml", OfficeLoaderTests.slide(OfficeLoaderTests.sp(nil, OfficeLoaderTests.ap("Fine"))), nil),
            ],
            order: ["slide2.xml", "slide1.xml"])
        let res = OfficeLoaderTests.load(b, "d/deck.pptx")
        #expect(res.rejected && res.articles.isEmpty)
        let e = try #require(res.diagnostics.first { $0.severity == .error })
        #expect(e.path == "d/deck.pptx/ppt/slides/slide1.xml")
        #expect(e.line == 2 && e.column != nil)
        #expect(e.description.hasPrefix("d/deck.pptx/ppt/slides/slide1.xml:2:"), "\(e)")
        // Broken notes reject the presentation too; missing notes are no error.
        let badNotes = OfficeLoaderTests.pptx(
            [
                (
                    "slide1.xml", OfficeLoaderTests.slide(OfficeLoaderTests.sp(nil, OfficeLoaderTests.ap("Fine"))),
                    "<p:notes>"
                )
            ],
            order: ["slide1.xml"])
        let n = OfficeLoaderTests.load(badNotes, "d/n.pptx")
        #expect(n.rejected)
        #expect(
            n.diagnostics.contains { $0.path == "d/n.pptx/ppt/notesSlides/notesSlide1.xml" && $0.severity == .error })
        var entries = [
            TestZip.Entry(
                "ppt/presentation.xml",
                "<p:presentation \(OfficeLoaderTests.pml)><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId2\"/></p:sldIdLst></p:presentation>"
            ),
            TestZip.Entry(
                "ppt/_rels/presentation.xml.rels", OfficeLoaderTests.rels([("rId2", "slide", "slides/slide1.xml")])),
            TestZip.Entry(
                "ppt/slides/slide1.xml",
                OfficeLoaderTests.slide(OfficeLoaderTests.sp(nil, OfficeLoaderTests.ap("Alone")))),
            TestZip.Entry(
                "ppt/slides/_rels/slide1.xml.rels",
                OfficeLoaderTests.rels([("rId2", "notesSlide", "../notesSlides/gone.xml")])),
        ]
        entries.insert(.init("[Content_Types].xml", "<Types/>"), at: 0)
        let missing = OfficeLoaderTests.load(TestZip.archive(entries), "d/m.pptx")
        #expect(missing.diagnostics.isEmpty, "\(missing.diagnostics)")
        #expect(missing.articles.first?.body == "Alone")
    }

    static let sml = """
        xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        """

    static func sheet(_ rows: String...) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet \(sml)><dimension ref=\"A1\"/><sheetData>\(rows.map { "<row>\($0)</row>" }.joined())</sheetData></worksheet>"
    }

    /// An XLSX of `sheets` (name, `xl/worksheets/` part, its XML) listed in that order, the
    /// relationships in another, with `shared` strings when given.
    static func xlsx(_ sheets: [(String, String, String)], shared: String?, core: String? = nil) -> [UInt8] {
        let list = sheets.enumerated().map {
            "<sheet name=\"\($0.element.0)\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\(7 + $0.offset)\"/>"
        }
        var r = [("rId1", "styles", "styles.xml")]
        for (k, s) in sheets.enumerated().reversed() { r.append(("rId\(7 + k)", "worksheet", "worksheets/\(s.1)")) }
        if shared != nil { r.append(("rId2", "sharedStrings", "/xl/sharedStrings.xml")) }
        var entries: [TestZip.Entry] = [
            .init("[Content_Types].xml", "<Types/>"),
            .init("xl/workbook.xml", "<workbook \(sml)><bookViews/><sheets>\(list.joined())</sheets></workbook>"),
            .init("xl/_rels/workbook.xml.rels", rels(r)),
            .init("xl/styles.xml", "<styleSheet \(sml)/>"),
        ]
        for s in sheets { entries.append(.init("xl/worksheets/\(s.1)", s.2)) }
        if let shared { entries.append(.init("xl/sharedStrings.xml", "<sst \(sml)>\(shared)</sst>")) }
        if let core { entries.append(.init("docProps/core.xml", OfficeLoaderTests.core(core))) }
        return TestZip.archive(entries)
    }

    /// A number in a date or time style (built-in or custom) reads as the date or time it shows;
    /// other numbers as stored; a `date1904` workbook counts from 1904.
    @Test func xlsxDateCellsReadAsDates() throws {
        let styles = """
            <styleSheet \(OfficeLoaderTests.sml)><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/>\
            <numFmt numFmtId="165" formatCode="0.0&quot;d&quot;"/><numFmt numFmtId="166" formatCode="[$-409]mmm\\ yy;@"/>\
            </numFmts><cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="2"/>\
            <xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="20"/></cellXfs></styleSheet>
            """
        func book(_ row: String, date1904: Bool = false) -> [UInt8] {
            TestZip.archive([
                .init("[Content_Types].xml", "<Types/>"),
                .init(
                    "xl/workbook.xml",
                    "<workbook \(OfficeLoaderTests.sml)>\(date1904 ? "<workbookPr date1904=\"1\"/>" : "")<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>"
                ),
                .init(
                    "xl/_rels/workbook.xml.rels",
                    OfficeLoaderTests.rels([
                        ("rId1", "styles", "styles.xml"), ("rId7", "worksheet", "worksheets/sheet1.xml"),
                    ])),
                .init("xl/styles.xml", styles),
                .init("xl/worksheets/sheet1.xml", OfficeLoaderTests.sheet(row)),
            ])
        }
        let cells = [
            ("1", "45292"), ("2", "45292.5"), ("3", "3.5"), ("4", "7"), ("0", "45292"), ("5", "45352"), ("6", "0.75"),
            ("1", "59"), ("1", "61"), ("1", "60"), ("1", "-3"),
        ].enumerated().map { "<c r=\"A\($0.offset + 1)\" s=\"\($0.element.0)\"><v>\($0.element.1)</v></c>" }.joined()
        let a = try #require(OfficeLoaderTests.load(book(cells), "d.xlsx").articles.first)
        #expect(
            a.body
                == "S\n2024-01-01 · 2024-01-01 12:00 · 3.5 · 7 · 45292 · 2024-03-01 · 18:00 · 1900-02-28 · 1900-03-01 · 60 · -3",
            "\(a.body)")
        let b = try #require(
            OfficeLoaderTests.load(
                book("<c r=\"A1\" s=\"1\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>43830</v></c>", date1904: true), "e.xlsx"
            )
            .articles.first)
        #expect(b.body == "S\n1904-01-01 · 2024-01-01", "\(b.body)")
    }

    @Test func xlsxSheetsInWorkbookOrderWithTheirCells() throws {
        let shared = """
            <si><t>Route</t></si>\
            <si><r><t xml:space="preserve">Island </t></r><r><rPr><b/></rPr><t>ferry</t></r>\
            <rPh sb="0" eb="1"><t>zqphonetic</t></rPh></si>\
            <si><t xml:space="preserve">  Harbour
              launch </t></si>
            """
        let fares = OfficeLoaderTests.sheet(
            "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\"><is><t>Fare</t></is></c><c r=\"C1\" t=\"str\"><f>\"Ret\"&amp;\"urn\"</f><v>Return</v></c>",
            "<c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\"><v>4.5</v></c><c r=\"C2\" t=\"b\"><v>1</v></c><c r=\"D2\" t=\"b\"><v>0</v></c>",
            "<c r=\"A3\"/><c r=\"B3\" s=\"1\"/>",
            "<c r=\"A4\" t=\"s\"><v>2</v></c><c r=\"B4\" t=\"e\"><v>#DIV/0!</v></c><c r=\"C4\" t=\"s\"><v>99</v></c><c r=\"D4\" t=\"n\"><f>A9*2</f><v>12</v></c>"
        )
        let tides = OfficeLoaderTests.sheet(
            "<c r=\"A1\" t=\"d\"><v>2024-03-05T06:00:00</v></c><c r=\"B1\"><v>6.25</v></c>")
        let sheets = [
            ("Fares", "sheet2.xml", fares),
            ("Empty", "sheet3.xml", "<worksheet \(OfficeLoaderTests.sml)><sheetData/></worksheet>"),
            ("Tide times", "sheet1.xml", tides),
        ]
        let res = OfficeLoaderTests.load(OfficeLoaderTests.xlsx(sheets, shared: shared), "books/fares-2024.xlsx")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1 && a.id == "books/fares-2024.xlsx")
        #expect(a.title == "fares-2024")
        #expect(
            a.body == """
                Fares
                Route · Fare · Return
                Island ferry · 4.5 · TRUE · FALSE
                Harbour launch · 12

                Tide times
                2024-03-05T06:00:00 · 6.25
                """)
        let withCore = OfficeLoaderTests.load(
            OfficeLoaderTests.xlsx(
                sheets, shared: shared, core: "<dc:title>Ferry fares</dc:title><dc:creator>Jane Doe</dc:creator>"),
            "books/f.xlsx")
        #expect(withCore.articles.first?.title == "Ferry fares")
        #expect(withCore.articles.first?.authors == ["Jane Doe"])
        #expect(withCore.articles.first?.body.hasPrefix("Fares\nRoute") == true)
    }

    /// A shared-string index that is not there (out of range, negative, not a number, too
    /// large, or no shared strings at all) is skipped; the rest of the row stays.
    @Test func xlsxSharedStringIndexOutOfRangeIsSkipped() throws {
        let cells = OfficeLoaderTests.sheet(
            "<c t=\"s\"><v>1</v></c><c t=\"s\"><v>-1</v></c><c t=\"s\"><v>x</v></c><c t=\"s\"><v>99999999999999999999999</v></c><c t=\"s\"><v>0</v></c><c><v>7</v></c>"
        )
        let one = OfficeLoaderTests.load(
            OfficeLoaderTests.xlsx([("Sheet1", "sheet1.xml", cells)], shared: "<si><t>Only</t></si>"), "s/one.xlsx")
        #expect(one.diagnostics.isEmpty, "\(one.diagnostics)")
        #expect(one.articles.first?.body == "Sheet1\nOnly · 7")
        let none = OfficeLoaderTests.load(
            OfficeLoaderTests.xlsx([("Sheet1", "sheet1.xml", cells)], shared: nil), "s/none.xlsx")
        #expect(none.diagnostics.isEmpty, "\(none.diagnostics)")
        #expect(none.articles.first?.body == "Sheet1\n7")
        // A malformed worksheet rejects the workbook, naming the part.
        let bad = OfficeLoaderTests.load(
            OfficeLoaderTests.xlsx(
                [("Sheet1", "sheet1.xml", "<worksheet>\n<sheetData><row></sheetData>")], shared: nil),
            "s/bad.xlsx")
        #expect(bad.rejected)
        #expect(
            bad.diagnostics.first { $0.severity == .error }?.description.hasPrefix(
                "s/bad.xlsx/xl/worksheets/sheet1.xml:2:") == true)
    }

    static let odfAllNS =
        odfNS + """
             xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" \
            xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
            """

    /// An OpenDocument file of `type` (`presentation`, `spreadsheet`) whose body is `body`.
    static func odf(_ type: String, _ body: String, meta: String = "", mimetype: Bool = true) -> [UInt8] {
        var entries: [TestZip.Entry] = []
        if mimetype { entries.append(.init("mimetype", "application/vnd.oasis.opendocument.\(type)", deflate: false)) }
        entries.append(
            .init(
                "content.xml",
                "<office:document-content \(odfAllNS)><office:body><office:\(type)>\(body)</office:\(type)></office:body></office:document-content>"
            ))
        entries.append(
            .init(
                "meta.xml",
                "<office:document-meta \(odfAllNS)><office:meta>\(meta)</office:meta></office:document-meta>"))
        return TestZip.archive(entries)
    }

    @Test func odpPagesNotesAndTitle() throws {
        func frame(_ cls: String, _ text: String) -> String {
            "<draw:frame presentation:class=\"\(cls)\"><draw:text-box>\(text)</draw:text-box></draw:frame>"
        }
        let body = """
            <presentation:footer-decl presentation:name="ftr1">zqfooterdecl</presentation:footer-decl>
            <draw:page draw:name="page1">\
            <presentation:notes><draw:page-thumbnail presentation:class="page"/>\
            \(frame("notes", "<text:p>Speak about the <text:span>zqodpnotes</text:span></text:p>"))</presentation:notes>\
            \(frame("title", "<text:p>Ferry timetable</text:p>"))\
            \(frame("outline", "<text:list><text:list-item><text:p>Boats leave at<text:s text:c=\"2\"/>six</text:p></text:list-item></text:list>"))\
            \(frame("page-number", "<text:p>zqpagenumber</text:p>"))\(frame("footer", "<text:p>zqfooter</text:p>"))\
            </draw:page>
            <draw:page draw:name="page2">\
            \(frame("title", "<text:h>Winter service</text:h>"))\
            <draw:custom-shape><text:p>Second<text:line-break/>page<office:annotation><text:p>zqcomment</text:p></office:annotation></text:p></draw:custom-shape>\
            </draw:page>
            """
        let res = OfficeLoaderTests.load(OfficeLoaderTests.odf("presentation", body), "p/timetable.odp")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1 && a.id == "p/timetable.odp")
        #expect(a.title == "Ferry timetable")
        // Each page's frames, then its notes.
        #expect(a.body == "Boats leave at  six\n\nSpeak about the zqodpnotes\n\nWinter service\n\nSecond\npage")
        // meta.xml's title and metadata come first; without a mimetype member too.
        let meta =
            "<dc:title>Timetable talk</dc:title><dc:creator>Jane Doe</dc:creator><dc:date>2024-03-07T08:00:00Z</dc:date>"
        let m = OfficeLoaderTests.load(
            OfficeLoaderTests.odf("presentation", body, meta: meta, mimetype: false), "p/m.odp")
        let b = try #require(m.articles.first)
        #expect(b.title == "Timetable talk" && b.authors == ["Jane Doe"] && b.date == "2024-03-07T08:00:00Z")
        #expect(b.body.hasPrefix("Ferry timetable\n\nBoats leave"))
        // Without a title frame: the first paragraph rule.
        let untitled = OfficeLoaderTests.load(
            OfficeLoaderTests.odf(
                "presentation",
                "<draw:page>\(frame("outline", "<text:p>Quay works</text:p><text:p>From Monday.</text:p>"))</draw:page>"
            ),
            "p/u.odp")
        #expect(untitled.articles.first?.title == "Quay works" && untitled.articles.first?.body == "From Monday.")
    }

    /// Empty cells and rows repeated as files in the wild repeat them (16384 columns, 1,048,576
    /// rows) are never expanded; a repeated cell or row with text is written 100 times at most.
    @Test func odsRepeatedCellsAndRowsStayBounded() throws {
        func cell(_ text: String, _ repeated: Int = 1) -> String {
            let r = repeated == 1 ? "" : " table:number-columns-repeated=\"\(repeated)\""
            return text.isEmpty
                ? "<table:table-cell\(r)/>" : "<table:table-cell\(r)><text:p>\(text)</text:p></table:table-cell>"
        }
        func row(_ cells: String, _ repeated: Int = 1) -> String {
            let r = repeated == 1 ? "" : " table:number-rows-repeated=\"\(repeated)\""
            return "<table:table-row\(r)>\(cells)</table:table-row>"
        }
        let fares = [
            row(cell("Route") + cell("Fare") + cell("", 16384)),
            row(cell("Ferry") + cell("4", 3) + cell("", 16380)),
            row(cell("", 16384), 1_048_576),
            "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\"><text:p/></table:table-cell></table:table-row>",
            row(cell("zqrepeated", 1_000_000)),
            row(cell("Last"), 1000),
            row(cell("", 16384), 1_048_576),
        ].joined()
        let twoParagraphs = """
            <table:table-cell><text:p>Two</text:p><text:p>paragraphs<text:s text:c="3"/>here</text:p>\
            <office:annotation><text:p>zqcomment</text:p></office:annotation></table:table-cell><table:covered-table-cell/>
            """
        let body = """
            <table:table table:name="Fares"><table:table-column table:number-columns-repeated="16384"/>\(fares)</table:table>\
            <table:table table:name="Blank">\(row(cell("", 16384), 1_048_576))</table:table>\
            <table:table table:name="Notes"><table:table-header-rows>\(row(cell("Heading")))</table:table-header-rows>\
            \(row(twoParagraphs))</table:table>
            """
        let res = OfficeLoaderTests.load(OfficeLoaderTests.odf("spreadsheet", body), "s/fares.ods")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(a.title == "fares")
        #expect(a.body.utf8.count < 5000, "\(a.body.utf8.count) bytes")
        let sheets = a.body.components(separatedBy: "\n\n")
        #expect(sheets.count == 2 && sheets.last == "Notes\nHeading\nTwo paragraphs here", "\(sheets)")
        let lines = sheets[0].split(separator: "\n")
        #expect(lines.prefix(3) == ["Fares", "Route · Fare", "Ferry · 4 · 4 · 4"])
        #expect(lines.count { $0 == "Last" } == OfficeLoader.Sheets.maxRepeats)
        let repeated = try #require(lines.first { $0.hasPrefix("zqrepeated") })
        #expect(repeated.components(separatedBy: " · ").count == 100)
        #expect(lines.count == 3 + 1 + 100)
        // meta.xml's title; without a mimetype member too.
        let m = OfficeLoaderTests.load(
            OfficeLoaderTests.odf("spreadsheet", body, meta: "<dc:title>Fare table</dc:title>", mimetype: false),
            "s/m.ods")
        #expect(m.articles.first?.title == "Fare table" && m.articles.first?.body == a.body)
    }

    /// Every cut of a slide, a worksheet or a spreadsheet's content is an error naming that part,
    /// or an article: never a crash.
    @Test func cutSlidesSheetsAndTablesAreErrorsNamingThePart() {
        let slide = OfficeLoaderTests.slide(
            OfficeLoaderTests.sp("title", OfficeLoaderTests.ap("Quay &amp; pier", "<a:br/>", "works")),
            OfficeLoaderTests.sp("sldNum", OfficeLoaderTests.ap("3")))
        let sheet = OfficeLoaderTests.sheet(
            "<c t=\"s\"><v>0</v></c><c t=\"inlineStr\"><is><r><t>rich</t></r></is></c><c t=\"b\"><v>1</v></c>")
        let table = """
            <office:document-content \(OfficeLoaderTests.odfAllNS)><office:body><office:spreadsheet><table:table table:name="T">\
            <table:table-row table:number-rows-repeated="9"><table:table-cell table:number-columns-repeated="9">\
            <text:p>A<text:s text:c="2"/>b</text:p></table:table-cell></table:table-row></table:table>\
            </office:spreadsheet></office:body></office:document-content>
            """
        let cases: [(String, String, String, (String) -> [UInt8])] = [
            (
                "d.pptx", "ppt/slides/slide1.xml", slide,
                { OfficeLoaderTests.pptx([("slide1.xml", $0, nil)], order: ["slide1.xml"]) }
            ),
            (
                "d.xlsx", "xl/worksheets/sheet1.xml", sheet,
                {
                    OfficeLoaderTests.xlsx([("S", "sheet1.xml", $0)], shared: "<si><t>x</t></si>")
                }
            ),
            (
                "d.ods", "content.xml", table,
                {
                    TestZip.archive([
                        .init("mimetype", "application/vnd.oasis.opendocument.spreadsheet", deflate: false),
                        .init("content.xml", $0),
                    ])
                }
            ),
        ]
        for (file, part, whole, make) in cases {
            let bytes = Array(whole.utf8)
            for n in stride(from: 0, to: bytes.count, by: 5) {
                let res = OfficeLoaderTests.load(make(String(decoding: bytes.prefix(n), as: UTF8.self)), file)
                if res.rejected {
                    #expect(
                        res.diagnostics.contains { $0.path == file + "/" + part && $0.severity == .error },
                        "\(file) \(n)")
                } else {
                    #expect(res.articles.count <= 1)
                }
            }
        }
    }

    /// All of a spreadsheet's text together stays within its budget: past it, a warning.
    @Test func spreadsheetTextStaysWithinItsBudget() {
        var s = OfficeLoader.Sheets(budget: 100)
        for _ in 0..<10 {
            s.cell("abcdefghij", repeated: 50)
            s.endRow(repeated: 100)
        }
        s.endSheet(name: "Big")
        #expect(s.overBudget)
        #expect(s.done.joined().utf8.count < 200)
    }
}
