import Foundation
import Testing

/// `loupe index` on a corpus holding the PDF sample of `Corpus/documents/`: its second page's
/// words are found under its title, `show` prints it by its path; without poppler
/// (`LOUPE_NO_POPPLER=1`) the PDF is skipped with a warning and the rest is indexed (exit 0).
@Suite("PDF documents")
struct PDFTests {
    static func corpus(_ name: String) throws -> (URL, String) {
        let dir = try Loupe.tempDir(name)
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Loupe.packageRoot.appendingPathComponent("Corpus/documents/harbour-minutes.pdf"),
            to: corpus.appendingPathComponent("harbour-minutes.pdf"))
        try "Pier lamps mended\n\nThe zqpierlamps on the east pier shine again.\n".write(
            to: corpus.appendingPathComponent("pier.txt"), atomically: true, encoding: .utf8)
        return (corpus, dir.appendingPathComponent("idx").path)
    }

    @Test func aPDFIsIndexedFoundAndShown() throws {
        let (corpus, idx) = try PDFTests.corpus("loupe-pdf")
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["files"] as? Int == 2 && o["documentsInIndex"] as? Int == 2, "\(r.stdout)")
        // "cormorants" is on the second page.
        let f = try Loupe.run(["find", "cormorants", "--index", idx, "--color", "never"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(
            f.stdout.contains("1. Harbour Board: minutes of the October meeting")
                && f.stdout.contains("harbour-minutes.pdf"), "\(f.stdout)")
        let show = try Loupe.run(["show", "harbour-minutes.pdf", "--index", idx])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Harbour Board: minutes of the October meeting\n"), "\(show.stdout)")
        #expect(show.stdout.contains("2007-10-04") && show.stdout.contains("by Mira Castell"), "\(show.stdout)")
        // Page one before page two; a word hyphenated at a line end is whole again.
        let moorings = try #require(show.stdout.range(of: "winter moorings"))
        let dredger = try #require(show.stdout.range(of: "dredger"))
        #expect(moorings.lowerBound < dredger.lowerBound)
        #expect(show.stdout.contains("taken out beyond the breakwater"), "\(show.stdout)")
        let json = Loupe.json(try Loupe.run(["show", "harbour-minutes.pdf", "--index", idx, "--json"]).stdout)
        #expect(json["categories"] as? [String] == ["harbour board", "dredging", "moorings", "minutes"])
    }

    @Test func withoutPopplerPDFsAreSkippedWithAWarning() throws {
        let (corpus, idx) = try PDFTests.corpus("loupe-pdf-none")
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics"], env: ["LOUPE_NO_POPPLER": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "harbour-minutes.pdf: warning: PDF not read: libpoppler-glib8 is not installed (apt-get install libpoppler-glib8)"
            ), "\(r.stderr)")
        #expect(try Loupe.run(["find", "zqpierlamps", "--index", idx]).status == 0)
        #expect(try Loupe.run(["find", "cormorants", "--index", idx]).status == 1)
        // Once the library is there, the next run reads the PDF, though the file is unchanged;
        // the run after reads nothing.
        let again = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics", "--json"]).stdout)
        #expect(again["files"] as? Int == 1, "\(again)")
        #expect(try Loupe.run(["find", "cormorants", "--index", idx]).status == 0)
        let third = Loupe.json(try Loupe.run(["index", corpus.path, "--index", idx, "--no-topics", "--json"]).stdout)
        #expect(third["files"] as? Int == 0, "\(third)")
    }
}
