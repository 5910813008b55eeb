import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// `ArticleLoading.loadAppended` and `streamAppended` give, of a grown file, exactly the articles
/// a whole reading gives after the ones it had — ids numbered by place, positions, fields — and
/// the resume point a whole reading of the grown file records.
@Suite("appended files")
struct AppendedFilesTests {
    func file(_ name: String, _ bytes: [UInt8]) throws -> CorpusFile {
        let dir = TestScratch.url("appended")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return CorpusFile(
            relativePath: "c/" + name, path: Array(url.path.utf8CString), size: Int64(bytes.count), mtimeNanos: 0)
    }

    static let jsonl: [[UInt8]] = (0..<40).map { i in
        Array(
            ((i % 3 == 0
                ? "{\"title\": \"Item \(i)\", \"text\": \"Words \(i).\"}"
                : "{\"id\": \"n\(i)\", \"title\": \"Item \(i)\", \"text\": \"Words \(i).\"}")
                + (i == 17 ? "\n{broken\n\n" : "\n")).utf8)
    }

    static let mbox: [[UInt8]] = (0..<12).map { i in
        Array(
            ("From a@example.org Mon Jul  2 10:\(10 + i):00 2007\nFrom: A <a@example.org>\nSubject: Note \(i)\n"
                + (i % 2 == 0 ? "Message-ID: <n\(i)@x>\n" : "") + "\nBody \(i).\n>From the desk\n\n").utf8)
    }

    /// A header, then rows with ids or not, quoted delimiters and line breaks, a row of the wrong
    /// width (its warning names its line), a CRLF row.
    static let csv: [[UInt8]] =
        [Array("id,title,content\n".utf8)]
        + (0..<30).map { i in
            Array(
                (i % 4 == 0
                    ? ",\"Row \(i), quoted\",\"Text \(i)\nacross lines\"\n"
                    : i == 9
                        ? "r\(i),Row \(i),Text,extra\n"
                        : i == 13 ? "r\(i),Row \(i),Text \(i)\r\n" : "r\(i),Row \(i),Text \(i).\n")
                    .utf8)
        }

    @Test(arguments: ["jsonl", "mbox", "csv"]) func appendedPartsReadAsTheWholeFile(kind: String) throws {
        let records = kind == "jsonl" ? Self.jsonl : kind == "mbox" ? Self.mbox : Self.csv
        let whole = records.joined().map { $0 }
        // (A CSV header alone is not detected as CSV: a text file, read whole when it grows.)
        for cut in [kind == "csv" ? 2 : 1, records.count / 2, records.count - 1] {
            let f = try file("grown-\(cut)." + kind, records.prefix(cut).joined().map { $0 })
            let first = ArticleLoading.load(f)
            let from = try #require(first.resume)
            try Data(whole).write(to: URL(fileURLWithPath: String(cString: f.path)))
            var grown = f
            grown.size = Int64(whole.count)
            let expected = ArticleLoading.load(grown)
            let resumeOfWhole = try #require(expected.resume)
            #expect(resumeOfWhole.size == Int64(whole.count))
            let r = try #require(ArticleLoading.loadAppended(grown, from: from))
            #expect(r.appended)
            #expect(r.articles.count == expected.articles.count - first.articles.count)
            #expect(first.articles + r.articles == expected.articles, "cut \(cut)")
            #expect(r.resume == resumeOfWhole)
            var streamed: [Article] = []
            var retry = false
            var resume: Manifest.Resume?
            let d = ArticleLoading.streamAppended(grown, from: from, retryLater: &retry, resume: &resume) {
                streamed.append($0)
            }
            #expect(d != nil)
            #expect(streamed == r.articles)
            #expect(resume == resumeOfWhole)
            // The lines of warnings are the whole file's.
            #expect(
                (first.diagnostics + r.diagnostics).compactMap(\.line) == expected.diagnostics.compactMap(\.line))
            // A streamed whole reading records the same point.
            var again: Manifest.Resume?
            _ = ArticleLoading.stream(grown, threshold: 1, retryLater: &retry, resume: &again) { _ in }
            #expect(again == resumeOfWhole)
        }
    }

    /// A last line without its line break that gives no article (a record being written) is
    /// left to the next reading, from its start; one that gives an article leaves no resume point.
    @Test(arguments: [false, true]) func anUnfinishedLastLineIsReadAgainWhole(streamed: Bool) throws {
        let records = Self.jsonl
        let whole = records.joined().map { $0 }
        let k = 12
        let done = records.prefix(k).joined().map { $0 }
        let f = try file("unfinished-\(streamed).jsonl", done + records[k].prefix(records[k].count / 2))
        var first: [Article] = []
        var from: Manifest.Resume?
        if streamed {
            var retry = false
            _ = ArticleLoading.stream(f, threshold: 1, retryLater: &retry, resume: &from) { first.append($0) }
        } else {
            let r = ArticleLoading.load(f)
            first = r.articles
            from = r.resume
        }
        let start = try #require(from)
        #expect(start.size == Int64(done.count) && start.units == k && first.count == k)
        try Data(whole).write(to: URL(fileURLWithPath: String(cString: f.path)))
        var grown = f
        grown.size = Int64(whole.count)
        let expected = ArticleLoading.load(grown)
        let r = try #require(ArticleLoading.loadAppended(grown, from: start))
        #expect(first + r.articles == expected.articles)
        #expect(r.resume == expected.resume)
        // Whole but without its line break: an article, and no resume point.
        let g = try file("whole-last.jsonl", done + records[k].dropLast())
        let w = ArticleLoading.load(g)
        #expect(w.articles.count == k + 1 && w.resume == nil)
    }

    @Test func onlyFilesThatOnlyGrewAreAppended() throws {
        let before = Self.jsonl.prefix(10).joined().map { $0 }
        let f = try file("changed.jsonl", before)
        let from = try #require(ArticleLoading.load(f).resume)
        let url = URL(fileURLWithPath: String(cString: f.path))
        func grown(_ bytes: [UInt8]) throws -> CorpusFile {
            try Data(bytes).write(to: url)
            var g = f
            g.size = Int64(bytes.count)
            return g
        }
        let more = Self.jsonl[10]
        #expect(ArticleLoading.loadAppended(try grown(before + more), from: from) != nil)
        // One byte of the old part changed.
        var edited = before
        edited[5] ^= 0x01
        #expect(ArticleLoading.loadAppended(try grown(edited + more), from: from) == nil)
        // The same bytes (its time changed): nothing new, the same resume point.
        let same = try #require(ArticleLoading.loadAppended(try grown(before), from: from))
        #expect(same.articles.isEmpty && same.resume == from)
        // Shorter.
        #expect(ArticleLoading.loadAppended(try grown(Array(before.dropLast(3))), from: from) == nil)
        // Compressed: not appendable, no resume point.
        let gz = try file("c.jsonl.gz", GzipTests.gzip(before))
        #expect(ArticleLoading.load(gz).resume == nil)
        // A last line that gives nothing: the resume point is before it.
        #expect(ArticleLoading.load(try file("cut.jsonl", before + Array("{\"title\": \"x".utf8))).resume == from)
        // A text file: none.
        #expect(ArticleLoading.load(try file("t.txt", Array("Title\n\nSome text.\n".utf8))).resume == nil)
    }
}
