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

    /// `f` read whole, in memory or streamed: its articles, resume point and diagnostics.
    func read(_ f: CorpusFile, streamed: Bool) -> (
        articles: [Article], resume: Manifest.Resume?, diagnostics: [Diagnostic]
    ) {
        if streamed {
            var articles: [Article] = []
            var retry = false
            var resume: Manifest.Resume?
            let d = ArticleLoading.stream(f, threshold: 1, retryLater: &retry, resume: &resume) { articles.append($0) }
            return (articles, resume, d ?? [])
        }
        let r = ArticleLoading.load(f)
        return (r.articles, r.resume, r.diagnostics)
    }

    /// `f` with `bytes` in its place (grown).
    func rewrite(_ f: CorpusFile, _ bytes: [UInt8]) throws -> CorpusFile {
        try Data(bytes).write(to: URL(fileURLWithPath: String(cString: f.path)))
        var g = f
        g.size = Int64(bytes.count)
        return g
    }

    /// `f` read whole, then grown to `whole` and read from its resume point, in memory and
    /// streamed: the whole reading's articles and resume point (streamed whole too). Returns
    /// the first reading, the appended one (in memory; and the streamed one's diagnostics) and
    /// the whole one.
    func expectReadAsWhole(_ f: CorpusFile, grownTo whole: [UInt8], _ label: String) throws -> (
        first: LoadResult, appended: LoadResult, streamed: [Diagnostic], whole: LoadResult
    ) {
        let first = ArticleLoading.load(f)
        let from = try #require(first.resume, "\(label)")
        let grown = try rewrite(f, whole)
        let expected = ArticleLoading.load(grown)
        let resumeOfWhole = try #require(expected.resume, "\(label)")
        #expect(resumeOfWhole.size == Int64(whole.count), "\(label)")
        let r = try #require(ArticleLoading.loadAppended(grown, from: from), "\(label)")
        #expect(r.appended)
        #expect(first.articles + r.articles == expected.articles, "\(label)")
        #expect(r.resume == resumeOfWhole, "\(label)")
        var streamed: [Article] = []
        var retry = false
        var resume: Manifest.Resume?
        let d = try #require(
            ArticleLoading.streamAppended(grown, from: from, retryLater: &retry, resume: &resume) {
                streamed.append($0)
            }, "\(label)")
        #expect(streamed == r.articles, "\(label)")
        #expect(resume == resumeOfWhole, "\(label)")
        // A streamed whole reading: the same articles and point.
        let all = read(grown, streamed: true)
        #expect(all.resume == resumeOfWhole && all.articles == expected.articles, "\(label)")
        return (first, r, d, expected)
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
            let (first, r, _, expected) = try expectReadAsWhole(f, grownTo: whole, "\(kind) cut \(cut)")
            #expect(r.articles.count == expected.articles.count - first.articles.count)
            // The lines of warnings are the whole file's.
            #expect(
                (first.diagnostics + r.diagnostics).compactMap(\.line) == expected.diagnostics.compactMap(\.line))
        }
    }

    /// A crawl's records: skipped kinds, pages, bytes between records that are not one (their
    /// warning names their offset), a page captured again, a text page, a redirect.
    static let warc: [[UInt8]] = [
        TestWARC.record(
            "warcinfo", uri: nil, contentType: "application/warc-fields", block: Array("software: test\r\n".utf8)),
        TestWARC.request("http://example.org/a"),
        TestWARC.response("http://example.org/a", body: TestWARC.page("Quay works", "The quay reopens on Monday.")),
        TestWARC.response("http://example.org/b.png", type: "image/png", body: [0x89, 0x50, 0x4E, 0x47]),
        TestWARC.response("http://example.org/c", body: TestWARC.page("Tides", "Spring tides this week.")),
        Array("junk between records\r\n".utf8)
            + TestWARC.response("http://example.org/d", body: TestWARC.page("Dredging", "The dredger is back.")),
        TestWARC.response("http://example.org/a", body: TestWARC.page("Quay works done", "The quay reopened.")),
        TestWARC.record(
            "revisit", uri: "http://example.org/c", contentType: "application/http; msgtype=response", block: []),
        TestWARC.response("http://example.org/e.txt", type: "text/plain", body: Array("Ferry notes.\n".utf8)),
        TestWARC.response("http://example.org/old", status: "301 Moved", body: []),
        TestWARC.response("http://example.org/f", body: TestWARC.page("Regatta", "Boats at dawn."), lf: true),
    ]

    /// A web archive that grew by records (plain) or by gzip members of a record each (as
    /// crawlers write `.warc.gz`): the new records read alone give a whole reading's articles
    /// (with their record positions), warnings (with their offsets) and resume point.
    @Test(arguments: [false, true]) func webArchivesGrownByRecordsReadOnlyTheNewOnes(gzip: Bool) throws {
        let records = Self.warc.map { gzip ? TestWARC.gzip($0) : $0 }
        let whole = records.joined().map { $0 }
        func warnings(_ r: LoadResult) -> [String] { r.diagnostics.filter { $0.severity == .warning }.map(\.message) }
        for cut in [1, 4, 6, records.count - 1] {
            let f = try file("grown-\(cut).warc" + (gzip ? ".gz" : ""), records.prefix(cut).joined().map { $0 })
            let (first, r, d, expected) = try expectReadAsWhole(f, grownTo: whole, "cut \(cut)")
            #expect(first.resume?.size == Int64(records.prefix(cut).joined().count))
            #expect(expected.resume?.units == records.count)
            #expect(!r.articles.isEmpty)
            #expect(warnings(first) + warnings(r) == warnings(expected), "cut \(cut)")
            #expect(d.filter { $0.severity == .warning }.map(\.message) == warnings(r))
        }
    }

    /// An archive that does not end between two records (and, compressed, two members) gets no
    /// resume point: read whole when it grows.
    @Test func webArchivesCutInsideARecordHaveNoResumePoint() throws {
        let plain = Self.warc.prefix(5).joined().map { $0 }
        let next = Self.warc[5]
        #expect(ArticleLoading.load(try file("p.warc", plain)).resume != nil)
        // Cut inside a record's block, inside its header, or in bytes that are no record.
        for bytes in [plain + next.prefix(next.count - 9), plain + next.prefix(30), plain + next.prefix(8)] {
            let f = try file("cut.warc", bytes)
            #expect(read(f, streamed: false).resume == nil && read(f, streamed: true).resume == nil)
        }
        // Compressed whole as one member: a resume point at its end (the records' end too).
        let one = TestWARC.gzip(plain)
        let from = try #require(ArticleLoading.load(try file("one.warc.gz", one)).resume)
        #expect(from.size == Int64(one.count) && from.lines == plain.count)
        // A member that ends inside a record: none.
        let split = TestWARC.gzip(plain + next.prefix(40)) + TestWARC.gzip(Array(next.dropFirst(40)))
        let s = ArticleLoading.load(try file("split.warc.gz", split))
        #expect(s.resume != nil && s.articles.count == 3)
        #expect(ArticleLoading.load(try file("half.warc.gz", TestWARC.gzip(plain + next.prefix(40)))).resume == nil)
        // A member cut short.
        #expect(ArticleLoading.load(try file("short.warc.gz", one.dropLast(5).map { $0 })).resume == nil)
        // An archive grown after a changed byte is not appended.
        let g = try file("edited.warc", plain)
        let start = try #require(ArticleLoading.load(g).resume)
        var edited = plain
        edited[plain.count - 20] ^= 0x20
        try Data(edited + next).write(to: URL(fileURLWithPath: String(cString: g.path)))
        var grown = g
        grown.size = Int64(edited.count + next.count)
        #expect(ArticleLoading.loadAppended(grown, from: start) == nil)
    }

    /// A last line without its line break that gives no article (a record being written) is
    /// left to the next reading, from its start; one that gives an article leaves no resume point.
    @Test(arguments: [false, true]) func anUnfinishedLastLineIsReadAgainWhole(streamed: Bool) throws {
        let records = Self.jsonl
        let whole = records.joined().map { $0 }
        let k = 12
        let done = records.prefix(k).joined().map { $0 }
        let f = try file("unfinished-\(streamed).jsonl", done + records[k].prefix(records[k].count / 2))
        let (first, from, _) = read(f, streamed: streamed)
        let start = try #require(from)
        #expect(start.size == Int64(done.count) && start.units == k && first.count == k)
        let grown = try rewrite(f, whole)
        let expected = ArticleLoading.load(grown)
        let r = try #require(ArticleLoading.loadAppended(grown, from: start))
        #expect(first + r.articles == expected.articles)
        #expect(r.resume == expected.resume)
        // Whole but without its line break: an article, and no resume point.
        let g = try file("whole-last.jsonl", done + records[k].dropLast())
        let w = ArticleLoading.load(g)
        #expect(w.articles.count == k + 1 && w.resume == nil)
    }

    /// A CSV file whose last row ends inside a quoted field (a row still being written: it gives
    /// no article, with a warning) is resumed at that row's start; a last row cut outside quotes
    /// (which gives an article) leaves no resume point.
    @Test(arguments: [false, true]) func aCSVRowCutInsideQuotesIsReadAgainWhole(streamed: Bool) throws {
        let records = Self.csv
        let whole = records.joined().map { $0 }
        // The header and rows 0 to 7 (rows 0 and 4 on two lines each), then row 8 cut inside
        // its quoted text, which spans two lines.
        let k = 9
        let done = records.prefix(k).joined().map { $0 }
        let f = try file("cut-\(streamed).csv", done + records[k].dropLast(5))
        let (first, from, diagnostics) = read(f, streamed: streamed)
        #expect(diagnostics.contains { $0.message.hasPrefix("quote not closed") })
        let start = try #require(from)
        #expect(start.size == Int64(done.count) && start.lines == 11 && start.units == 8)
        #expect(first.count == 8)
        let grown = try rewrite(f, whole)
        let expected = ArticleLoading.load(grown)
        let r = try #require(ArticleLoading.loadAppended(grown, from: start))
        #expect(first + r.articles == expected.articles)
        #expect(r.resume == expected.resume)
        #expect(r.diagnostics.compactMap(\.line) == expected.diagnostics.compactMap(\.line).filter { $0 > 11 })
        // A row still being written after a row whose last field is quoted: the line break after
        // the closing quote is that row's (it was counted in the next, and the whole file had no
        // resume point while a reading from an earlier one had; found by the loader fuzzer).
        let quoted = Array("id,title,text\nr1,T1,\"one, two\"\nr2,T2,\"unfinished".utf8)
        let q = try file("cut-after-quoted-\(streamed).csv", quoted)
        let (rows, at, _) = read(q, streamed: streamed)
        #expect(rows.count == 1)
        #expect(
            at?.size == Int64(quoted.count - "r2,T2,\"unfinished".utf8.count) && at?.units == 1,
            "\(String(describing: at))")
        // Cut outside quotes: the part read is an article, and there is no resume point.
        let g = try file("cut-row.csv", done + Array("r99,Row 99,Tex".utf8))
        let w = ArticleLoading.load(g)
        #expect(w.articles.count == 9 && w.resume == nil)
    }

    static func compress(_ b: [UInt8], _ kind: String) -> [UInt8] {
        switch kind {
        case "gz": TestWARC.gzip(b)
        case "zst": StreamedCompressionTests.zstd(b)
        case "xz": StreamedCompressionTests.xz(b)
        default: StreamedCompressionTests.bzip2(b)
        }
    }

    /// A compressed JSON Lines, mbox or CSV file grown by whole members, frames or streams
    /// (`gzip -c more >> f.jsonl.gz`): the new ones read alone give a whole reading's articles
    /// and resume point (the file's compressed bytes, the content's counts), in memory and
    /// streamed.
    @Test(arguments: [
        ("jsonl", "gz"), ("jsonl", "zst"), ("jsonl", "xz"), ("jsonl", "bz2"), ("mbox", "gz"), ("csv", "gz"),
        ("csv", "zst"),
    ])
    func compressedFilesGrownByMembers(format: String, kind: String) throws {
        let records = format == "jsonl" ? Self.jsonl : format == "mbox" ? Self.mbox : Self.csv
        for cut in [format == "csv" ? 2 : 1, records.count / 2, records.count - 1] {
            let first = Self.compress(records.prefix(cut).joined().map { $0 }, kind)
            let whole = first + Self.compress(records.dropFirst(cut).joined().map { $0 }, kind)
            let f = try file("grown-\(cut).\(format).\(kind)", first)
            let (r0, _, _, expected) = try expectReadAsWhole(f, grownTo: whole, "\(format).\(kind) cut \(cut)")
            #expect(r0.resume?.size == Int64(first.count))
            // The same bytes (its time changed): nothing new, the same point.
            let grown = try rewrite(f, whole)
            let point = try #require(expected.resume)
            let same = try #require(ArticleLoading.loadAppended(grown, from: point))
            #expect(same.articles.isEmpty && same.resume == expected.resume)
        }
        // An empty member appended (found by the loader fuzzer): no articles, and the point
        // after it, as a whole reading gives.
        let records3 = records.prefix(3).joined().map { $0 }
        let f = try file("empty-member.\(format).\(kind)", Self.compress(records3, kind))
        let from = try #require(ArticleLoading.load(f).resume)
        let more = Self.compress(records3, kind) + Self.compress([], kind)
        try Data(more).write(to: URL(fileURLWithPath: String(cString: f.path)))
        var g = f
        g.size = Int64(more.count)
        let r = try #require(ArticleLoading.loadAppended(g, from: from))
        #expect(r.articles.isEmpty)
        #expect(r.resume != nil && r.resume == ArticleLoading.load(g).resume)
    }

    /// A compressed file whose last member ends inside a record gets no resume point; one
    /// compressed again as a whole is not appended.
    @Test func compressedFilesEndingInsideARecordAreReadWhole() throws {
        let part = Self.jsonl.prefix(10).joined().map { $0 }
        let next = Self.jsonl[10]
        #expect(ArticleLoading.load(try file("m.jsonl.gz", TestWARC.gzip(part))).resume != nil)
        let cut = try file("cut.jsonl.gz", TestWARC.gzip(part + next.prefix(5)))
        #expect(read(cut, streamed: false).resume == nil && read(cut, streamed: true).resume == nil)
        // Compressed again whole, with a record more: its first bytes differ.
        let f = try file("again.jsonl.gz", TestWARC.gzip(part))
        let from = try #require(ArticleLoading.load(f).resume)
        let again = StreamedCompressionTests.zstd(part + next)
        try Data(again).write(to: URL(fileURLWithPath: String(cString: f.path)))
        var g = f
        g.size = Int64(again.count)
        #expect(ArticleLoading.loadAppended(g, from: from) == nil)
        // A compressed mailbox whose new member does not open a message.
        let m = Self.mbox.prefix(3).joined().map { $0 }
        let mf = try file("m.mbox.gz", TestWARC.gzip(m))
        let mfrom = try #require(ArticleLoading.load(mf).resume)
        let more = TestWARC.gzip(m) + TestWARC.gzip(Array("A line the last message gained.\n\n".utf8))
        try Data(more).write(to: URL(fileURLWithPath: String(cString: mf.path)))
        var mg = mf
        mg.size = Int64(more.count)
        #expect(ArticleLoading.loadAppended(mg, from: mfrom) == nil)
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
        // Compressed as a whole: a resume point of its compressed bytes (see
        // `compressedFilesGrownByMembers`).
        let gz = try file("c.jsonl.gz", GzipTests.gzip(before))
        #expect(ArticleLoading.load(gz).resume?.size == gz.size)
        // A last line that gives nothing: the resume point is before it.
        #expect(ArticleLoading.load(try file("cut.jsonl", before + Array("{\"title\": \"x".utf8))).resume == from)
        // A text file: none.
        #expect(ArticleLoading.load(try file("t.txt", Array("Title\n\nSome text.\n".utf8))).resume == nil)
    }
}
