import CZlib
import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// A minimal PDF written for the tests: a catalog, a page tree, one page per entry of `pages`
/// (each line drawn with Helvetica, WinAnsiEncoding), an Info dictionary, a correct xref table.
struct TestPDF {
    var pages: [[String]]
    var info: [String: String] = [:]
    /// The content streams FlateDecode-compressed (zlib).
    var compressed = false
    /// A standard-security Encrypt dictionary whose keys match no password (not even the empty one).
    var encrypted = false
    /// Bytes before `%PDF-` (PDF readers allow junk there).
    var junk = ""

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "(" || c == ")" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func deflate(_ b: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(b.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let rc = out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { compress2(o.baseAddress, &size, $0.baseAddress, uLong(b.count), 9) }
        }
        precondition(rc == Z_OK)
        return Array(out.prefix(Int(size)))
    }

    var bytes: [UInt8] {
        var objects: [[UInt8]] = []  // object k+1's dictionary (and stream)
        func add(_ s: String) -> Int {
            objects.append(Array(s.utf8))
            return objects.count
        }
        _ = add("<< /Type /Catalog /Pages 2 0 R >>")
        _ = add("")  // the page tree, once its kids are known
        let font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        var kids: [Int] = []
        for lines in pages {
            var content = "BT /F1 12 Tf 72 720 Td"
            for l in lines { content += " (\(TestPDF.escape(l))) Tj 0 -14 Td" }
            content += " ET"
            var data = Array(content.utf8)
            var filter = ""
            if compressed {
                data = TestPDF.deflate(data)
                filter = " /Filter /FlateDecode"
            }
            objects.append(
                Array("<< /Length \(data.count)\(filter) >>\nstream\n".utf8) + data + Array("\nendstream".utf8))
            let stream = objects.count
            kids.append(
                add(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 \(font) 0 R >> >> /Contents \(stream) 0 R >>"
                ))
        }
        objects[1] = Array(
            "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>".utf8)
        let infoEntries = info.sorted { $0.key < $1.key }.map { "/\($0.key) (\(TestPDF.escape($0.value)))" }
        let infoObject = add("<< \(infoEntries.joined(separator: " ")) >>")
        var trailerExtra = ""
        if encrypted {
            let o = String(repeating: "4A", count: 32)
            let u = String(repeating: "7C", count: 32)
            let e = add("<< /Filter /Standard /V 1 /R 2 /O <\(o)> /U <\(u)> /P -4 >>")
            trailerExtra =
                " /Encrypt \(e) 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]"
        }
        var out = Array((junk + "%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n").utf8)
        var offsets: [Int] = []
        for (k, o) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(k + 1) 0 obj\n".utf8) + o + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for off in offsets {
            let s = String(off)
            table += String(repeating: "0", count: 10 - s.count) + s + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info \(infoObject) 0 R\(trailerExtra) >>\n"
        table += "startxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }
}

@Suite("PDF loader")
struct PDFLoaderTests {
    static let twoPages = TestPDF(
        pages: [["Harbour dues", "The dues rise in May."], ["Second page", "The zqsecond lighthouse is painted."]],
        info: [
            "Title": "Minutes of the harbour board", "Author": "Ines Calloway and Tomas Reyes",
            "CreationDate": "D:20070918120000Z", "ModDate": "D:20080101000000Z", "Keywords": "harbour, dues; board",
            "Subject": "minutes",
        ])

    static func load(_ pdf: TestPDF, _ path: String = "docs/minutes.pdf") -> LoadResult {
        ArticleLoading.load(pdf.bytes, relativePath: path)
    }

    @Test func textOfTwoPagesInOrderAndMetadata() throws {
        for compressed in [false, true] {
            var pdf = Self.twoPages
            pdf.compressed = compressed
            let r = Self.load(pdf)
            #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
            let a = try #require(r.articles.first)
            #expect(r.articles.count == 1)
            #expect(a.id == "docs/minutes.pdf" && a.source == "docs/minutes.pdf")
            #expect(a.title == "Minutes of the harbour board")
            #expect(
                a.body == "Harbour dues\nThe dues rise in May.\n\nSecond page\nThe zqsecond lighthouse is painted.",
                "\(a.body)")
            #expect(a.authors == ["Ines Calloway", "Tomas Reyes"])
            #expect(a.date == "2007-09-18T12:00:00Z")
            #expect(a.categories == ["harbour", "dues", "board", "minutes"])
        }
    }

    @Test func modificationDateWhenNoCreationDate() throws {
        let pdf = TestPDF(pages: [["Dues"]], info: ["ModDate": "D:20080102030405+01'00'"])
        let a = try #require(Self.load(pdf).articles.first)
        #expect(a.date == "2008-01-02T02:04:05Z")
        #expect(TestPDF(pages: [["Dues"]]).bytes.isEmpty == false)
        #expect(try #require(Self.load(TestPDF(pages: [["Dues"]])).articles.first).date == nil)
    }

    @Test func titleFallbacks() throws {
        // No Title: the first non-blank line.
        var a = try #require(Self.load(TestPDF(pages: [["Pier lamps mended", "They shine."]])).articles.first)
        #expect(a.title == "Pier lamps mended")
        // A file name or an application's name as Title: ignored.
        for bogus in [
            "Microsoft Word - minutes.docx", "untitled", "minutes-final.pdf", "Report.doc", "Annual report 2007.pdf",
            "  ",
        ] {
            a = try #require(
                Self.load(TestPDF(pages: [["Pier lamps mended", "x"]], info: ["Title": bogus])).articles.first)
            #expect(a.title == "Pier lamps mended", "\(bogus)")
        }
        // A first line over 120 characters: the file name without extension.
        // (Poppler drops text past the page's edge, so this is checked on the text itself.)
        let long = String(repeating: "word ", count: 30)
        #expect(PDFLoader.title(property: nil, text: long + "\nmore", relativePath: "a/long-line.pdf") == "long-line")
        #expect(PDFLoader.title(property: "untitled", text: "", relativePath: "a/b.c.pdf") == "b.c")
        // A real title with a dot stays.
        a = try #require(Self.load(TestPDF(pages: [["x"]], info: ["Title": "Version 2.0 of the rules"])).articles.first)
        #expect(a.title == "Version 2.0 of the rules")
    }

    @Test func cleaningJoinsHyphensAndCollapsesBlankLines() {
        #expect(
            PDFLoader.clean(["the har-\nbour wall\n\n\n\nnext\u{0C}after  \n"]) == "the harbour wall\n\nnext\n\nafter")
        // Not joined before a capital or after a non-letter.
        #expect(PDFLoader.clean(["North-\nEast\n2-\nway"]) == "North-\nEast\n2-\nway")
        #expect(PDFLoader.clean(["\n\n", " "]).isEmpty)
        #expect(PDFLoader.clean(["a\r\nb", "c"]) == "a\nb\n\nc")
    }

    @Test func hyphenatedWordAcrossLinesInAPDF() throws {
        let a = try #require(Self.load(TestPDF(pages: [["the old har-", "bour wall"]])).articles.first)
        #expect(a.body == "the old harbour wall", "\(a.body)")
    }

    @Test func noTextIsANote() {
        let r = Self.load(TestPDF(pages: [[], []]))
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.map(\.message) == ["no text (scanned pages?); skipped"])
        #expect(r.diagnostics.first?.severity == .note)
    }

    @Test func encryptedPDFIsSkippedWithAWarning() {
        var pdf = Self.twoPages
        pdf.encrypted = true
        let r = Self.load(pdf)
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.count == 1 && r.diagnostics.first?.severity == .warning, "\(r.diagnostics)")
        #expect(r.diagnostics.first?.message.contains("encrypted") == true, "\(r.diagnostics)")
    }

    @Test func truncatedAndGarbagePDFsNeverCrash() {
        for compressed in [false, true] {
            var pdf = Self.twoPages
            pdf.compressed = compressed
            let whole = pdf.bytes
            var cuts = Array(stride(from: 6, to: whole.count, by: 37)) + [whole.count - 1, whole.count - 7]
            cuts += [9, 20, 100]
            for cut in cuts {
                let r = ArticleLoading.load(Array(whole.prefix(cut)), relativePath: "cut.pdf")
                // Poppler reconstructs what it can: an article, an error, or a note; never a crash.
                if r.articles.isEmpty {
                    #expect(!r.diagnostics.isEmpty, "cut at \(cut)")
                }
            }
        }
        var g = SystemRandomNumberGenerator()
        for n in [10, 100, 1000, 10_000] {
            let garbage = Array("%PDF-1.7\n".utf8) + (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
            let r = ArticleLoading.load(garbage, relativePath: "garbage.pdf")
            #expect(r.articles.isEmpty)
            #expect(r.rejected || r.diagnostics.contains { $0.severity == .note }, "\(r.diagnostics)")
        }
        // A damaged file: an error with poppler's message.
        let r = ArticleLoading.load(Array("%PDF-1.4\nnot a pdf at all\n".utf8), relativePath: "bad.pdf")
        #expect(r.rejected)
        #expect(r.diagnostics.first?.message.hasPrefix("PDF not read: ") == true, "\(r.diagnostics)")
        // Flipped bytes in the middle of a compressed stream.
        var pdf = Self.twoPages
        pdf.compressed = true
        var b = pdf.bytes
        for k in stride(from: 300, to: min(b.count, 700), by: 3) { b[k] ^= 0x5A }
        _ = ArticleLoading.load(b, relativePath: "flipped.pdf")
    }

    @Test func detectionAllowsJunkBeforeTheHeader() throws {
        var pdf = Self.twoPages
        pdf.junk = "MIME junk from a mail gateway\r\n\r\n"
        #expect(ArticleFormat.detect(pdf.bytes) == .pdf)
        let a = try #require(Self.load(pdf).articles.first)
        #expect(a.title == "Minutes of the harbour board")
        // Past the first 1024 bytes it is not a PDF; a text mentioning %PDF- without a version neither.
        pdf.junk = String(repeating: "x", count: 1100)
        #expect(ArticleFormat.detect(pdf.bytes) != .pdf)
        #expect(ArticleFormat.detect(Array("Files start with %PDF- and a version.\n".utf8)) == .text)
    }

    @Test func aPDFInsideATarArchive() throws {
        let tar = TarTests.archive([
            TarTests.entry("box/minutes.pdf", Self.twoPages.bytes),
            TarTests.entry("box/note.txt", Array("Note\n\nA plain note.\n".utf8)),
        ])
        let r = ArticleLoading.load(tar, relativePath: "dump.tar")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.articles.map(\.id) == ["dump.tar/box/minutes.pdf", "dump.tar/box/note.txt"])
        #expect(r.articles.first?.body.contains("zqsecond") == true)
    }

    @Test func missingLibraryIsAWarning() {
        let r = PDFLoader(poppler: nil).load(Self.twoPages.bytes, relativePath: "a.pdf")
        #expect(r.articles.isEmpty && !r.rejected)
        #expect(
            r.diagnostics == [
                Diagnostic(
                    path: "a.pdf",
                    message: "PDF not read: libpoppler-glib8 is not installed (apt-get install libpoppler-glib8)",
                    severity: .warning)
            ])
    }

    @Test func textCapStopsReadingPages() throws {
        let pdf = TestPDF(pages: (1...5).map { ["Page \($0) text"] })
        let r = PDFLoader(poppler: Poppler.shared, maxTextBytes: 20).load(pdf.bytes, relativePath: "cap.pdf")
        let a = try #require(r.articles.first)
        #expect(a.body.contains("Page 2") && !a.body.contains("Page 3"), "\(a.body)")
        #expect(r.diagnostics.first?.severity == .warning)
    }

    @Test func isoDates() {
        #expect(PDFLoader.iso(0) == "1970-01-01T00:00:00Z")
        #expect(PDFLoader.iso(1_190_116_800) == "2007-09-18T12:00:00Z")
    }
}
