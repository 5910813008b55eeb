import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// CSV and TSV files of articles (`CSVLoader`), and their detection.
struct CSVLoaderTests {
    func load(_ s: String, _ path: String = "news/articles.csv") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    func detect(_ s: String) -> ArticleFormat { ArticleFormat.detect(Array(s.utf8)) }

    /// Commas, doubled quotes and line breaks (LF and CRLF) inside quoted fields; CRLF records.
    /// A spreadsheet's export in Windows-1252: its cells read as such, with one warning.
    @Test func windows1252Cells() {
        var bytes = Array("id,title,content\n1,Caf".utf8) + [0xE9] + Array(" reopens,Prices \u{20AC}5 now\n".utf8)
        bytes += Array("2,Quay ".utf8) + [0x96] + Array(" works,Done\n".utf8)
        let r = CSVLoader().load(bytes, relativePath: "a/b.csv")
        #expect(r.articles.map(\.title) == ["Café reopens", "Quay \u{2013} works"])
        #expect(r.articles[0].body == "Prices \u{20AC}5 now")
        #expect(r.diagnostics.map(\.message) == ["not valid UTF-8; read as Latin-1 (Windows-1252)"])
        #expect(r.diagnostics.first?.line == 2)
    }

    @Test func quotedFields() {
        let csv =
            "id,title,publication,author,date,url,content\r\n"
            + "17283,\"House Republicans Fret, Again\",Zq Times,Carl Hulse,2016-12-31,https://e.example/1,\"He said \"\"no\"\", twice.\r\nThen left.\"\r\n"
            + "17284,Plain title,Zq Post,\"Doe, Jane\",2017-01-02,,\"One\nTwo, three\"\r\n"
        let r = load(csv)
        #expect(!r.rejected)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.articles.map(\.id) == ["17283", "17284"])
        #expect(r.articles[0].title == "House Republicans Fret, Again")
        #expect(r.articles[0].body == "He said \"no\", twice.\r\nThen left.")
        #expect(r.articles[0].date == "2016-12-31")
        #expect(r.articles[0].link == "https://e.example/1")
        #expect(r.articles[0].categories.contains("Zq Times"))
        #expect(r.articles[1].body == "One\nTwo, three")
        #expect(r.articles[1].link == nil || r.articles[1].link == "")
        #expect(r.articles.map(\.position) == [0, 1])
        #expect(r.articles[0].idScope == "news")
        #expect(!r.articles[1].authors.isEmpty)
    }

    @Test func tabsSemicolonsBOMAndHeaderCase() {
        let tsv = "\u{FEFF}Category\tTitle\tContent\nbusiness\tZq tab title\tSales, rose; a lot\n"
        let t = load(tsv, "bbc/news.tsv")
        #expect(t.articles.map(\.title) == ["Zq tab title"])
        #expect(t.articles.first?.body == "Sales, rose; a lot")
        #expect(t.articles.first?.categories == ["business"])
        let semi = "headline;text;date\nZq semi;Body, with a comma;2020-03-04\n"
        let s = load(semi, "s.csv")
        #expect(s.articles.map(\.title) == ["Zq semi"])
        #expect(s.articles.first?.body == "Body, with a comma")
        #expect(s.articles.first?.date == "2020-03-04")
        // Blanks around header names are trimmed; quoted header names are names.
        let q = load("\"id\", \"Title\" ,\"text\"\n1,T,B\n", "q.csv")
        #expect(q.articles.map(\.title) == ["T"])
        #expect(q.articles.first?.id == "1")
    }

    @Test func badRowsAreWarnedEmptyRowsNoted() {
        let csv = """
            id,title,content
            1,One,First body
            2,Two
            3,,
            4,Four,"Fourth, quoted"
            5,Five,x,extra

            6,Six,Sixth
            """
        let r = load(csv)
        #expect(r.articles.map(\.title) == ["One", "Four", "Six"])
        // Positions are the rows' indexes among data rows.
        #expect(r.articles.map(\.position) == [0, 3, 5])
        let warnings = r.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map(\.line) == [3, 6])
        #expect(warnings.first?.message == "row has 2 fields, the header 3; skipped")
        #expect(warnings.last?.message == "row has 4 fields, the header 3; skipped")
        #expect(
            r.diagnostics.contains { $0.severity == .note && $0.message == "1 row without a title or text skipped" })
        // Past the budget, one warning counts the rest.
        var many = "title,text\n"
        for i in 0..<30 { many += "t\(i)\n" }
        let m = CSVLoader().load(Array(many.utf8), relativePath: "m.csv")
        #expect(m.articles.isEmpty)
        #expect(m.diagnostics.filter { $0.severity == .warning }.count == JSONLinesLoader.maxLineWarnings + 1)
        #expect(m.diagnostics.contains { $0.message == "10 more bad rows skipped" })
    }

    @Test func openQuoteAtTheEndIsAWarning() throws {
        let csv = "id,title,text\n1,Zq one,fine\n2,Zq two,\"never closed\nand more\n"
        let r = load(csv)
        #expect(r.articles.map(\.title) == ["Zq one"])
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 3 && $0.message.contains("quote") })
        let (fd, _) = try StreamedCompressionTests.open(Array(csv.utf8), "open.csv")
        defer { close(fd) }
        var got: [Article] = []
        let d = CSVLoader().stream(ByteStream(fd: fd), relativePath: "open.csv") { got.append($0) }
        #expect(got.map(\.title) == ["Zq one"])
        #expect(d.contains { $0.severity == .warning && $0.message.contains("quote") })
    }

    /// Rows of about 3 KB, so that records and CRLFs straddle the 1 MB blocks.
    static func bigCSV(rows: Int) -> String {
        var s = "\u{FEFF}id,title,author,date,content\r\n"
        let filler = String(repeating: "harbour, \"tide\" and\r\nquay ", count: 100)
        for i in 0..<rows {
            s +=
                "r\(i),\"Row \(i), quoted\",Ann Lee,2021-05-\(10 + i % 18),\"zqrow\(i) \(filler.replacingOccurrences(of: "\"", with: "\"\""))\"\r\n"
        }
        return s
    }

    @Test func loadAndStreamGiveTheSameArticles() throws {
        let bytes = Array(Self.bigCSV(rows: 1200).utf8)
        #expect(ArticleFormat.detect(bytes) == .csv)
        let whole = CSVLoader().load(bytes, relativePath: "dumps/big.csv")
        #expect(whole.articles.count == 1200)
        #expect(whole.diagnostics.isEmpty)
        #expect(whole.articles[7].body.hasPrefix("zqrow7 harbour, \"tide\" and\r\nquay"))
        let (fd, _) = try StreamedCompressionTests.open(bytes, "big.csv")
        defer { close(fd) }
        var got: [Article] = []
        let d = CSVLoader().stream(ByteStream(fd: fd), relativePath: "dumps/big.csv") { got.append($0) }
        #expect(d.isEmpty)
        #expect(got.map(\.id) == whole.articles.map(\.id))
        #expect(got.map(\.title) == whole.articles.map(\.title))
        #expect(got.map(\.body) == whole.articles.map(\.body))
        #expect(got.map(\.date) == whole.articles.map(\.date))
        // Gzip compressed, streamed as it inflates.
        let s = try StreamedCompressionTests.streamed(try GzipTests.gzip(bytes), "big.csv.gz")
        #expect(!s.diagnostics.contains { $0.severity == .error }, "\(s.diagnostics)")
        #expect(s.articles.map(\.title) == whole.articles.map(\.title))
        #expect(s.articles.map(\.body) == whole.articles.map(\.body))
    }

    @Test func overlongRecordsAreSkipped() throws {
        let long = String(repeating: "x", count: 5000)
        let csv = "title,text\nBefore,zqa\nHuge,\"\(long)\"\nAfter,zqb\n"
        let (fd, _) = try StreamedCompressionTests.open(Array(csv.utf8), "long.csv")
        defer { close(fd) }
        var got: [Article] = []
        let d = CSVLoader().stream(ByteStream(fd: fd), relativePath: "long.csv", maxRecordBytes: 1000) {
            got.append($0)
        }
        #expect(got.map(\.title) == ["Before", "After"])
        #expect(d.contains { $0.line == 3 && $0.message == "record longer than 1000 bytes; skipped" })
    }

    @Test func detection() {
        #expect(detect("id,title,author,date,content\n1,\"A, b\",C,2020-01-01,\"x\ny\"\n") == .csv)
        #expect(detect("Title\tContent\nA\tB") == .csv)
        #expect(detect(",id,title,publication\n0,17283,T,P\n") == .csv)
        #expect(detect(Self.bigCSV(rows: 3)) == .csv)
        // A first row longer than the 64 KB looked at: its fields so far are not too many.
        let long = String(repeating: "zq long body, ", count: 6000)
        #expect(detect("id,title,text\n1,Long,\"\(long)\"\n") == .csv)
        #expect(detect("id,title,text\n1,Long,more,\"\(long)\"\n") == .text)
        // Not articles, or not CSV: stays text.
        #expect(detect("a,b,c\n1,2,3\n") == .text)
        #expect(detect("Hello, world\nHow are you, today?\n") == .text)
        #expect(
            detect(
                "The harbour was quiet, the boats were in, and the tide was low.\nNobody, not even the gulls, moved.\n")
                == .text)
        #expect(detect("title,text\n") == .text)
        #expect(detect("title,text\nonly one field\n") == .text)
        #expect(detect("Title,te  xt\nA,B\n") == .text)
        #expect(detect("Title, full text\nA,B\n") == .csv)
        #expect(detect("title,\(String(repeating: "x", count: 41))\nA,B\n") == .text)
        #expect(detect("title,text\n\"never closed,B\n") == .text)
        // A plain text file stays one text article.
        let t = load("Hello, world\nHow are you, today?\n", "hello.txt")
        #expect(t.articles.count == 1)
    }

    /// A CSV whose header names no title or text column, loaded directly: a note, no articles.
    @Test func noTitleOrTextColumn() {
        let r = CSVLoader().load(Array("a,b\n1,2\n".utf8), relativePath: "n.csv")
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.map(\.severity) == [.note])
    }
}
