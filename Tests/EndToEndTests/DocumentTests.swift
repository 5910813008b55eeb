import Foundation
import Testing

/// `loupe index` on a corpus holding the Word, OpenDocument and EPUB samples of
/// `Corpus/documents/` and a `.zip` of notes: each document is one article that `find` finds by
/// its words and shows by its title, `show` prints it by its path, the zip's members are files
/// named inside it, and a second run reads nothing again.
@Suite("documents and zip archives")
struct DocumentTests {
    /// A ZIP archive of stored members (no compression needed to test the reading end to end).
    static func storedZip(_ files: [(String, String)]) -> Data {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
        func crc32(_ b: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for x in b {
                c ^= UInt32(x)
                for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
            }
            return ~c
        }
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, text) in files {
            let n = Array(name.utf8)
            let d = Array(text.utf8)
            let fixed = le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0) + le32(crc32(d))
            let sizes = le32(UInt32(d.count)) + le32(UInt32(d.count))
            central += le32(0x0201_4B50) + le16(20) + fixed + sizes + le16(n.count) + le16(0) + le16(0) + le16(0)
            central += le16(0) + le32(0) + le32(UInt32(out.count)) + n
            out += le32(0x0403_4B50) + fixed + sizes + le16(n.count) + le16(0) + n + d
        }
        let end =
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count)
            + le32(UInt32(central.count)) + le32(UInt32(out.count)) + le16(0)
        return Data(out + central + end)
    }

    @Test func documentsAndZipArchivesAreIndexed() throws {
        let dir = try Loupe.tempDir("loupe-docs")
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let samples = Loupe.packageRoot.appendingPathComponent("Corpus/documents")
        for name in ["gangway-vote.docx", "foghorn-returns.odt", "island-ferry-guide.epub"] {
            try FileManager.default.copyItem(
                at: samples.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
        }
        try DocumentTests.storedZip([
            ("articles/pier.txt", "Pier lamps mended\n\nThe zqpierlamps on the east pier shine again.\n"),
            ("articles/quay.txt", "Quay reopens\n\nSmall boats may use the zqnorthquay from Monday.\n"),
        ]).write(to: corpus.appendingPathComponent("bundle.zip"))
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["files"] as? Int == 4 && o["documentsInIndex"] as? Int == 5, "\(r.stdout)")

        for (word, title, source) in [
            ("gangway", "Council agrees new gangway for the ferry pier", "gangway-vote.docx"),
            ("foghorn", "Foghorn returns to the harbour light", "foghorn-returns.odt"),
            ("lifejackets", "The Island Ferry: A Passenger's Guide", "island-ferry-guide.epub"),
            ("zqpierlamps", "Pier lamps mended", "bundle.zip/articles/pier.txt"),
            ("zqnorthquay", "Quay reopens", "bundle.zip/articles/quay.txt"),
        ] {
            let f = try Loupe.run(["find", word, "--index", idx, "--color", "never"])
            #expect(f.status == 0, "\(word): \(f.stderr)")
            #expect(f.stdout.contains("1. \(title)") && f.stdout.contains(source), "\(word): \(f.stdout)")
        }
        // Metadata from the documents' own properties.
        let docx = try Loupe.run(["show", "gangway-vote.docx", "--index", idx])
        #expect(docx.status == 0, "\(docx.stderr)")
        #expect(docx.stdout.hasPrefix("Council agrees new gangway for the ferry pier\n"), "\(docx.stdout)")
        #expect(docx.stdout.contains("2007-09-21") && docx.stdout.contains("by Ines Calloway"), "\(docx.stdout)")
        #expect(docx.stdout.contains("The new gangway will be aluminium"), "\(docx.stdout)")
        #expect(!docx.stdout.contains("wooden"), "deleted text: \(docx.stdout)")
        let odt = Loupe.json(try Loupe.run(["show", "foghorn-returns.odt", "--index", idx, "--json"]).stdout)
        #expect(odt["authors"] as? [String] == ["Tomas Reyes"])
        #expect(odt["categories"] as? [String] == ["harbour light", "safety"])
        #expect((odt["body"] as? String)?.contains("Sound pattern:   two blasts") == true, "\(odt)")
        let epub = try Loupe.run(["show", "island-ferry-guide.epub", "--index", idx])
        #expect(epub.stdout.contains("by Mira Castell and Ines Calloway"), "\(epub.stdout)")
        // The spine's order: the crossing, then the fares.
        let body = epub.stdout
        let crossing = try #require(body.range(of: "forty minutes"))
        let fares = try #require(body.range(of: "A return ticket"))
        #expect(crossing.lowerBound < fares.lowerBound)
        let member = try Loupe.run(["show", "bundle.zip/articles/quay.txt", "--index", idx])
        #expect(member.status == 0 && member.stdout.contains("Quay reopens"), "\(member.stdout)")

        let again = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"]).stdout)
        #expect(again["unchangedFiles"] as? Int == 4)
        #expect(again["documentsInIndex"] as? Int == 5)
    }

    /// A PowerPoint presentation and an Excel workbook are one article each: found by a slide's
    /// word, a speaker note's word and a cell's word, under the first slide's title and the
    /// workbook's own title, the slides in the presentation's order.
    @Test func presentationsAndWorkbooksAreIndexed() throws {
        let dir = try Loupe.tempDir("loupe-slides")
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let pml = """
            xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
            xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
            """
        func rels(_ items: [(String, String, String)]) -> String {
            let r = items.map {
                "<Relationship Id=\"\($0.0)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/\($0.1)\" Target=\"\($0.2)\"/>"
            }
            return
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(r.joined())</Relationships>"
        }
        func shape(_ ph: String?, _ text: String) -> String {
            let nv = ph.map { "<p:nvPr><p:ph type=\"\($0)\"/></p:nvPr>" } ?? "<p:nvPr/>"
            return
                "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"s\"/><p:cNvSpPr/>\(nv)</p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>\(text)</a:t></a:r></a:p></p:txBody></p:sp>"
        }
        func slide(_ root: String, _ shapes: String...) -> String {
            "<p:\(root) \(pml)><p:cSld><p:spTree><p:nvGrpSpPr/><p:grpSpPr/>\(shapes.joined())</p:spTree></p:cSld></p:\(root)>"
        }
        let types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
        try DocumentTests.storedZip([
            ("[Content_Types].xml", types),
            (
                "ppt/presentation.xml",
                "<p:presentation \(pml)><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId3\"/><p:sldId id=\"257\" r:id=\"rId2\"/></p:sldIdLst></p:presentation>"
            ),
            (
                "ppt/_rels/presentation.xml.rels",
                rels([("rId2", "slide", "slides/slide1.xml"), ("rId3", "slide", "slides/slide2.xml")])
            ),
            (
                "ppt/slides/slide1.xml",
                slide("sld", shape("title", "Questions"), shape(nil, "Ask about the zqlastslide"))
            ),
            (
                "ppt/slides/slide2.xml",
                slide(
                    "sld", shape("ctrTitle", "Winter ferry timetable"),
                    shape(nil, "The zqslideword crossing runs hourly"))
            ),
            ("ppt/slides/_rels/slide2.xml.rels", rels([("rId1", "notesSlide", "../notesSlides/notesSlide1.xml")])),
            (
                "ppt/notesSlides/notesSlide1.xml",
                slide(
                    "notes", shape("sldImg", ""), shape("body", "Remind everyone about the zqnotesword"),
                    shape("sldNum", "zqslidenumber"))
            ),
        ]).write(to: corpus.appendingPathComponent("timetable.pptx"))
        let sml =
            "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        try DocumentTests.storedZip([
            ("[Content_Types].xml", types),
            (
                "xl/workbook.xml",
                "<workbook \(sml)><sheets><sheet name=\"Fares\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                rels([("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "sharedStrings", "sharedStrings.xml")])
            ),
            ("xl/sharedStrings.xml", "<sst \(sml)><si><t>Island return</t></si><si><t>zqcellword</t></si></sst>"),
            (
                "xl/worksheets/sheet1.xml",
                "<worksheet \(sml)><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"><v>4.5</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>child</t></is></c></row></sheetData></worksheet>"
            ),
            (
                "docProps/core.xml",
                "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Ferry fares 2024</dc:title></cp:coreProperties>"
            ),
        ]).write(to: corpus.appendingPathComponent("fares.xlsx"))
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["documentsInIndex"] as? Int == 2, "\(r.stdout)")
        for (word, title, source) in [
            ("zqslideword", "Winter ferry timetable", "timetable.pptx"),
            ("zqnotesword", "Winter ferry timetable", "timetable.pptx"),
            ("zqcellword", "Ferry fares 2024", "fares.xlsx"),
        ] {
            let f = try Loupe.run(["find", word, "--index", idx, "--color", "never"])
            #expect(f.status == 0, "\(word): \(f.stderr)")
            #expect(f.stdout.contains("1. \(title)") && f.stdout.contains(source), "\(word): \(f.stdout)")
        }
        #expect(try Loupe.run(["find", "zqslidenumber", "--index", idx]).status == 1)
        let show = try Loupe.run(["show", "timetable.pptx", "--index", idx])
        #expect(show.stdout.hasPrefix("Winter ferry timetable\n"), "\(show.stdout)")
        let first = try #require(show.stdout.range(of: "zqslideword"))
        let notes = try #require(show.stdout.range(of: "zqnotesword"))
        let last = try #require(show.stdout.range(of: "zqlastslide"))
        #expect(first.lowerBound < notes.lowerBound && notes.lowerBound < last.lowerBound)
        let sheet = try Loupe.run(["show", "fares.xlsx", "--index", idx])
        #expect(
            sheet.stdout.contains("Island return · 4.5") && sheet.stdout.contains("zqcellword · child"),
            "\(sheet.stdout)")
    }

    /// A damaged document is reported with its part and position (exit 3); the others stay.
    @Test func aBrokenDocumentIsReportedAndSkipped() throws {
        let dir = try Loupe.tempDir("loupe-docs-broken")
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try DocumentTests.storedZip([
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document xmlns:w=\"urn:w\">\n<w:body><w:p>zqbrokendoc</w:body>"),
        ]).write(to: corpus.appendingPathComponent("broken.docx"))
        let whole = DocumentTests.storedZip([("a.txt", "Note\n\nzqwholenote\n")])
        try whole.prefix(whole.count - 5).write(to: corpus.appendingPathComponent("cut.zip"))
        try "Fine\n\nzqfinenote\n".write(
            to: corpus.appendingPathComponent("fine.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("broken.docx/word/document.xml:2:"), "\(r.stderr)")
        #expect(r.stderr.contains("cut.zip: damaged zip archive at byte "), "\(r.stderr)")
        #expect(try Loupe.run(["find", "zqfinenote", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "zqbrokendoc", "--index", idx]).status == 1)
    }

    /// A legacy Word file (`.doc`): found by its words under its title, shown with its
    /// SummaryInformation's author and date; a cut copy is an error naming the damage, and the
    /// rest of the corpus is indexed.
    @Test func aLegacyWordDocumentIsIndexedFoundAndShown() throws {
        let dir = try Loupe.tempDir("loupe-doc")
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let sample = Loupe.packageRoot.appendingPathComponent("Corpus/documents/tug-crew-rota.doc")
        try FileManager.default.copyItem(at: sample, to: corpus.appendingPathComponent("tug-crew-rota.doc"))
        try "Pier lamps mended\n\nThe zqpierlamps on the east pier shine again.\n".write(
            to: corpus.appendingPathComponent("pier.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["documentsInIndex"] as? Int == 2, "\(r.stdout)")
        let f = try Loupe.run(["find", "bollards", "--index", idx, "--color", "never"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(
            f.stdout.contains("1. Harbour tugs: crew rota for the winter quarter")
                && f.stdout.contains("tug-crew-rota.doc"), "\(f.stdout)")
        // Text from both pieces; the field's result, not its instruction; not the footnote.
        #expect(try Loupe.run(["find", "Παππάς", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "José", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "mailto", "--index", idx]).status == 1)
        #expect(try Loupe.run(["find", "capstan", "--index", idx]).status == 1)
        let show = try Loupe.run(["show", "tug-crew-rota.doc", "--index", idx])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Harbour tugs: crew rota for the winter quarter\n"), "\(show.stdout)")
        #expect(show.stdout.contains("2008-11-24") && show.stdout.contains("by Marta Okonkwo"), "\(show.stdout)")
        #expect(show.stdout.contains("on extension 214, at least a day ahead"), "\(show.stdout)")

        // A cut copy: an error (exit 3), the other files still indexed.
        let bytes = try Data(contentsOf: sample)
        try bytes.prefix(bytes.count - 100).write(to: corpus.appendingPathComponent("cut.doc"))
        let again = try Loupe.run(["index", corpus.path, "--index", idx])
        #expect(again.status == 3, "\(again.stderr)")
        #expect(again.stderr.contains("cut.doc: damaged compound file: "), "\(again.stderr)")
        #expect(try Loupe.run(["find", "bollards", "--index", idx]).status == 0)
    }
}
