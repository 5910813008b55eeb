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

    /// Spreadsheets and presentations are recognised, and not read as archives of XML files.
    @Test func otherOfficeFormatsAreNotRead() {
        let ods = TestZip.archive([
            .init("mimetype", "application/vnd.oasis.opendocument.spreadsheet", deflate: false),
            .init("content.xml", "<office:document-content/>"), .init("meta.xml", "<office:document-meta/>"),
        ])
        let res = OfficeLoaderTests.load(ods, "s.ods")
        #expect(res.articles.isEmpty && !res.rejected)
        #expect(res.diagnostics.first?.message.contains("spreadsheet") == true)
        let xlsx = TestZip.archive([
            .init("[Content_Types].xml", "<Types/>"), .init("xl/workbook.xml", "<workbook/>"),
        ])
        let x = OfficeLoaderTests.load(xlsx, "s.xlsx")
        #expect(x.articles.isEmpty && x.diagnostics.first?.severity == .warning)
        #expect(x.diagnostics.first?.message.contains("XLSX") == true)
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
