import CZlib
import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Builds WARC records for the tests.
enum TestWARC {
    static func record(
        _ type: String, uri: String?, date: String = "2024-01-02T03:04:05Z", contentType: String, block: [UInt8],
        lf: Bool = false, length: Int? = nil, version: String = "WARC/1.1"
    ) -> [UInt8] {
        var lines = [version, "WARC-Type: \(type)", "WARC-Record-ID: <urn:uuid:\(UUID().uuidString.lowercased())>"]
        lines.append("WARC-Date: \(date)")
        if let uri { lines.append("WARC-Target-URI: \(uri)") }
        lines.append("Content-Type: \(contentType)")
        lines.append("Content-Length: \(length ?? block.count)")
        let eol = lf ? "\n" : "\r\n"
        return Array((lines.joined(separator: eol) + eol + eol).utf8) + block + Array((eol + eol).utf8)
    }

    static func http(_ status: String = "200 OK", _ headers: [String], _ body: [UInt8]) -> [UInt8] {
        Array((["HTTP/1.1 \(status)"] + headers).joined(separator: "\r\n").utf8) + Array("\r\n\r\n".utf8) + body
    }

    /// A response record holding an HTTP response.
    static func response(
        _ uri: String, status: String = "200 OK", type: String? = "text/html; charset=utf-8", headers: [String] = [],
        body: [UInt8], date: String = "2024-01-02T03:04:05Z", lf: Bool = false
    ) -> [UInt8] {
        let h = (type.map { ["Content-Type: \($0)"] } ?? []) + headers
        return record(
            "response", uri: uri, date: date, contentType: "application/http; msgtype=response",
            block: http(status, h, body), lf: lf)
    }

    static func page(_ title: String, _ text: String) -> [UInt8] {
        Array("<!DOCTYPE html><html><head><title>\(title)</title></head><body><p>\(text)</p></body></html>".utf8)
    }

    static func request(_ uri: String) -> [UInt8] {
        record(
            "request", uri: uri, contentType: "application/http; msgtype=request",
            block: Array("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n".utf8))
    }

    /// One gzip member.
    static func gzip(_ b: [UInt8]) -> [UInt8] {
        let crc = TestZip.crc(b)
        let n = UInt32(truncatingIfNeeded: b.count)
        return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + TestZip.deflate(b)
            + [crc, n].flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    static func chunked(_ b: [UInt8], _ size: Int) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let piece = b[i..<min(b.count, i + size)]
            out += Array((String(piece.count, radix: 16) + ";ext=1\r\n").utf8) + piece + Array("\r\n".utf8)
            i += size
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    static var sample: [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? Array(Data(contentsOf: root.appendingPathComponent("Corpus/archive/harbour-site.warc.gz"))))
            ?? []
    }
}

struct WARCLoaderTests {
    static func load(_ b: [UInt8], path: String = "crawl.warc") -> LoadResult {
        ArticleLoading.load(b, relativePath: path)
    }

    static func note(_ r: LoadResult) -> String {
        r.diagnostics.last { $0.severity == .note }?.message ?? ""
    }

    static func warnings(_ r: LoadResult) -> [String] {
        r.diagnostics.filter { $0.severity == .warning }.map(\.message)
    }

    /// A small crawl: what becomes an article and what is counted as skipped.
    static var crawl: [UInt8] {
        TestWARC.record(
            "warcinfo", uri: nil, contentType: "application/warc-fields", block: Array("software: test\r\n".utf8))
            + TestWARC.request("http://example.org/a")
            + TestWARC.response(
                "http://example.org/a", body: TestWARC.page("Quay works", "The quay reopens on Monday."))
            + TestWARC.response("http://example.org/b.png", type: "image/png", body: [0x89, 0x50, 0x4E, 0x47, 0, 1])
            + TestWARC.response("http://example.org/old", status: "301 Moved", headers: ["Location: /a"], body: [])
            + TestWARC.response("http://example.org/gone", status: "404 Not Found", body: TestWARC.page("Gone", "No."))
            + TestWARC.response(
                "http://example.org/s.css", type: "text/css", body: Array("body{color:red}".utf8))
            + TestWARC.response(
                "http://example.org/d.json", type: "application/json", body: Array("{\"a\":1}".utf8))
            + TestWARC.record(
                "revisit", uri: "http://example.org/a", contentType: "application/http; msgtype=response",
                block: TestWARC.http("200 OK", ["Content-Type: text/html"], []))
            + TestWARC.record(
                "metadata", uri: "http://example.org/a", contentType: "application/warc-fields",
                block: Array("outlinks: x\r\n".utf8))
            + TestWARC.record(
                "resource", uri: "http://example.org/notes.txt", contentType: "text/plain",
                block: Array("Harbour notes\n\nThe ferry runs late on Sundays.\n".utf8))
            + TestWARC.record(
                "resource", uri: "metadata://gnu.org/software/wget/warc/wget.log", contentType: "text/plain",
                block: Array("wget log line\n".utf8))
            + TestWARC.record(
                "conversion", uri: "http://example.org/report.doc", contentType: "text/plain; charset=utf-8",
                block: Array("Annual report\n\nTonnage rose by a tenth.\n".utf8))
    }

    @Test func detection() {
        let plain = Self.crawl
        #expect(ArticleFormat.detect(plain) == .warc)
        #expect(ArticleFormat.detect(TestWARC.gzip(plain)) == .gzip)
        #expect(WARCLoader.gzipHoldsWARC(TestWARC.gzip(plain)))
        #expect(!WARCLoader.gzipHoldsWARC(TestWARC.gzip(Array("WARC is a format\n".utf8))))
        #expect(ArticleFormat.detect(Array("WARC/0.9\r\n".utf8)) != .warc)
        // By content, whatever the name.
        #expect(Self.load(plain, path: "x.txt").articles.count == 3)
        #expect(Self.load(TestWARC.gzip(plain), path: "x.bin").articles.count == 3)
    }

    @Test func recordsReadAndSkipped() throws {
        let r = Self.load(Self.crawl, path: "crawl.warc")
        #expect(
            r.articles.map(\.id) == [
                "http://example.org/a", "http://example.org/notes.txt", "http://example.org/report.doc",
            ])
        let a = try #require(r.articles.first)
        #expect(a.title == "Quay works")
        #expect(a.body == "The quay reopens on Monday.")
        #expect(a.link == "http://example.org/a")
        #expect(a.date == "2024-01-02T03:04:05Z")
        #expect(a.source == "crawl.warc")
        #expect(a.idScope == nil)
        #expect(a.position == 2)  // the record's index: warcinfo, request, response
        #expect(r.articles[1].title == "Harbour notes")
        #expect(r.articles[1].body.trimmingCharacters(in: .whitespacesAndNewlines) == "The ferry runs late on Sundays.")
        #expect(r.articles[2].title == "Annual report")
        #expect(Self.warnings(r).isEmpty)
        #expect(
            Self.note(r)
                == "13 records read, 3 pages indexed; skipped: 3 non-text responses, 1 request, 1 metadata record, "
                + "1 warcinfo record, 1 revisit, 1 redirect, 1 other non-2xx response, 1 record of a non-web URI")
    }

    @Test func lfOnlyLineEndsAndBracketedURIs() throws {
        let body = TestWARC.http(
            "200 OK", ["Content-Type: text/html"], TestWARC.page("Tide board", "Low water at noon."))
        let b =
            TestWARC.record(
                "response", uri: "<http://example.org/tides>", contentType: "application/http; msgtype=response",
                block: body, lf: true, version: "WARC/1.0")
            + TestWARC.response("http://example.org/x", body: TestWARC.page("Second", "Another page."), lf: true)
        let r = Self.load(b)
        #expect(r.articles.map(\.id) == ["http://example.org/tides", "http://example.org/x"])
        #expect(r.articles.first?.title == "Tide board")
        #expect(Self.warnings(r).isEmpty)
    }

    @Test func chunkedAndGzipPayloads() throws {
        let html = TestWARC.page("Dredging", "The inner basin is dredged in May.")
        let gz = TestWARC.gzip(html)
        let b =
            TestWARC.response(
                "http://example.org/1", headers: ["Content-Encoding: gzip", "Transfer-Encoding: chunked"],
                body: TestWARC.chunked(gz, 7))
            + TestWARC.response(
                "http://example.org/2", headers: ["Transfer-Encoding: chunked"], body: TestWARC.chunked(html, 5))
            + TestWARC.response(
                "http://example.org/3", headers: ["Content-Encoding: deflate"],
                body: TestWARC.deflateZlib(html))
            // Stored decoded although the header says gzip (some crawlers do): read as it is.
            + TestWARC.response("http://example.org/4", headers: ["Content-Encoding: gzip"], body: html)
            + TestWARC.response("http://example.org/5", headers: ["Content-Encoding: br"], body: [1, 2, 3, 4])
        let r = Self.load(b)
        #expect(r.articles.map(\.id) == (1...4).map { "http://example.org/\($0)" })
        for a in r.articles {
            #expect(a.title == "Dredging")
            #expect(a.body == "The inner basin is dredged in May.")
        }
        #expect(Self.note(r).contains("1 payload in an unsupported encoding"))
    }

    @Test func dechunkBounds() {
        #expect(WARCLoader.dechunk(Array("5\r\nhello\r\n0\r\n\r\n".utf8)) == Array("hello".utf8))
        // A chunk longer than what follows keeps what is there.
        #expect(WARCLoader.dechunk(Array("ff\r\nabc".utf8)) == Array("abc".utf8))
        // Not chunked after all (stored de-chunked).
        #expect(WARCLoader.dechunk(Array("<html>".utf8)) == nil)
        #expect(WARCLoader.dechunk(Array("abc def".utf8)) == nil)
        #expect(WARCLoader.dechunk(Array("fffffffffffffffffff\r\nx".utf8)) == nil)
    }

    @Test func charsets() throws {
        // "Caf\u{E9} \u{201C}quoted\u{201D}" in windows-1252.
        let cp1252: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0x93] + Array("quoted".utf8) + [0x94]
        let declaredInHTTP =
            Array("<html><head><title>Menu</title></head><body><p>".utf8) + cp1252 + Array("</p></body></html>".utf8)
        let declaredInMeta =
            Array("<html><head><meta charset=\"windows-1252\"><title>Menu</title></head><body><p>".utf8) + cp1252
            + Array("</p></body></html>".utf8)
        // The HTTP header wins over a wrong declaration in the page.
        let conflicting =
            Array("<html><head><meta charset=\"utf-8\"><title>Menu</title></head><body><p>".utf8) + cp1252
            + Array("</p></body></html>".utf8)
        let text = cp1252
        let b =
            TestWARC.response("http://example.org/1", type: "text/html; charset=windows-1252", body: declaredInHTTP)
            + TestWARC.response("http://example.org/2", type: "text/html", body: declaredInMeta)
            + TestWARC.response("http://example.org/3", type: "text/html; charset=\"Windows-1252\"", body: conflicting)
            + TestWARC.response("http://example.org/4", type: "text/plain; charset=iso-8859-1", body: text)
        let r = Self.load(b)
        #expect(r.articles.count == 4)
        for a in r.articles { #expect(a.body.contains("Caf\u{E9} \u{201C}quoted\u{201D}"), "\(a.id): \(a.body)") }
        #expect(Self.warnings(r).isEmpty)
    }

    @Test func duplicateURIsAndRevisits() throws {
        let b =
            TestWARC.response(
                "http://example.org/a", body: TestWARC.page("First", "Old text."), date: "2024-01-01T00:00:00Z")
            + TestWARC.record(
                "revisit", uri: "http://example.org/a", contentType: "application/http; msgtype=response",
                block: TestWARC.http("200 OK", ["Content-Type: text/html"], []))
            + TestWARC.response(
                "http://example.org/a", body: TestWARC.page("Second", "New text."), date: "2024-02-01T00:00:00Z")
        let r = Self.load(b)
        // Both captures are handed out with one id: the index keeps the later (see the end-to-end test).
        #expect(r.articles.map(\.id) == ["http://example.org/a", "http://example.org/a"])
        #expect(r.articles.map(\.title) == ["First", "Second"])
        #expect(r.articles[1].position > r.articles[0].position)
        #expect(r.articles.map(\.date) == ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"])
        #expect(Self.note(r).contains("1 revisit"))
    }

    @Test func pageDateWinsOverCaptureDate() {
        let html = Array(
            "<html><head><meta property=\"article:published_time\" content=\"2020-05-06\"><title>T</title></head><body><p>x y</p></body></html>"
                .utf8)
        let r = Self.load(TestWARC.response("http://example.org/a", body: html))
        #expect(r.articles.first?.date == "2020-05-06")
        // No title at all: the URI.
        let untitled = Self.load(
            TestWARC.response(
                "http://example.org/u", body: Array("<html><body><p>Only text here.</p></body></html>".utf8)))
        #expect(untitled.articles.first?.title == "http://example.org/u")
    }

    @Test func truncatedArchiveKeepsEarlierRecords() throws {
        let good = TestWARC.response("http://example.org/a", body: TestWARC.page("Kept", "Kept text."))
        let last = TestWARC.response("http://example.org/b", body: TestWARC.page("Cut", "Cut text."))
        let b = good + Array(last.prefix(last.count - 30))
        let r = Self.load(b)
        #expect(!r.rejected)
        #expect(r.articles.map(\.title) == ["Kept"])
        let w = Self.warnings(r)
        #expect(w.count == 1)
        #expect(w.first?.contains("record at byte \(good.count) cut short") == true)
        // A skipped record cut short (an image) is reported too.
        let img = TestWARC.response(
            "http://example.org/p.png", type: "image/png", body: [UInt8](repeating: 7, count: 500))
        let r2 = Self.load(good + Array(img.prefix(300)))
        #expect(r2.articles.count == 1)
        #expect(Self.warnings(r2).first?.contains("record at byte \(good.count) cut short") == true)
        // A length past the end in the middle of the file: the rest is passed over, with a warning.
        let liar = TestWARC.record(
            "resource", uri: "http://example.org/t.txt", contentType: "text/plain", block: Array("short\n".utf8),
            length: 100_000)
        let r3 = Self.load(good + liar + good)
        #expect(r3.articles.count == 1)
        #expect(Self.warnings(r3).first?.contains("record at byte \(good.count) cut short") == true)
    }

    @Test func garbageBetweenRecordsIsSkipped() throws {
        let a = TestWARC.response("http://example.org/a", body: TestWARC.page("One", "First page."))
        let c = TestWARC.response("http://example.org/c", body: TestWARC.page("Two", "Second page."))
        // (A line that starts like a version line but is not one is garbage too.)
        let junk =
            Array("this is not a record\r\nWARC/1.1 is a version, but this is no version line\r\n".utf8) + [
                0, 0xFF, 10,
            ]
        let r = Self.load(a + junk + c)
        #expect(r.articles.map(\.title) == ["One", "Two"])
        let w = Self.warnings(r)
        #expect(w.count == 1)
        #expect(w.first?.contains("at byte \(a.count) are not a WARC record") == true)
        #expect(w.first?.contains("next record at byte \(a.count + junk.count)") == true)
        // A header without a Content-Length: skipped to the next record.
        let noLength = Array("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 12x\r\n\r\nabc\r\n\r\n".utf8)
        let r2 = Self.load(a + noLength + c)
        #expect(r2.articles.map(\.title) == ["One", "Two"])
        #expect(Self.warnings(r2).first?.contains("no valid Content-Length") == true)
        // Garbage at the end.
        let r3 = Self.load(a + Array("trailing junk".utf8))
        #expect(r3.articles.count == 1)
        #expect(Self.warnings(r3).first?.contains("to the end are not a WARC record") == true)
    }

    @Test func decompressionIsCapped() throws {
        // 64 MB of zeros gzip to ~64 KB: over a 1 MB cap, the record is skipped with a warning.
        let zeros = [UInt8](repeating: 0x20, count: 64 << 20)
        let bomb = TestWARC.gzip(zeros)
        #expect(bomb.count < 100_000)
        let b =
            TestWARC.response("http://example.org/bomb", headers: ["Content-Encoding: gzip"], body: bomb)
            + TestWARC.response("http://example.org/ok", body: TestWARC.page("Fine", "After the bomb."))
        let loader = WARCLoader(maxRecordBytes: 8 << 20, maxPayloadBytes: 1 << 20)
        let r = loader.load(b, relativePath: "bomb.warc")
        #expect(r.articles.map(\.title) == ["Fine"])
        #expect(Self.warnings(r).first?.contains("expands beyond 1 MB") == true)
        #expect(Self.note(r).contains("1 payload over the size limit"))
        // A record larger than the record cap is passed over without being read.
        let big = TestWARC.response("http://example.org/big", body: [UInt8](repeating: 0x41, count: 200))
        let small = WARCLoader(maxRecordBytes: 100, maxPayloadBytes: 1 << 20).load(big, relativePath: "b.warc")
        #expect(small.articles.isEmpty)
        #expect(Self.note(small).contains("1 record over the size limit"))
        // The whole stream of a .warc.gz is capped too.
        let inflater = WARCLoader.Inflater(cap: 1 << 20)
        var out = 0
        bomb.withUnsafeBufferPointer { inflater.push($0) { out += $0.count } }
        #expect(out <= 1 << 20)
        #expect(inflater.finish()?.contains("expands beyond 1 MB") == true)
    }

    @Test func gzipMembersAndTheSample() throws {
        let records = [
            TestWARC.request("http://example.org/a"),
            TestWARC.response("http://example.org/a", body: TestWARC.page("One", "First page.")),
            TestWARC.response("http://example.org/b", body: TestWARC.page("Two", "Second page.")),
        ]
        let perRecord = records.flatMap(TestWARC.gzip)
        let whole = TestWARC.gzip(records.flatMap { $0 })
        let plain = Self.load(records.flatMap { $0 })
        for gz in [perRecord, whole] {
            let r = Self.load(gz, path: "c.warc.gz")
            #expect(
                r.articles
                    == plain.articles.map {
                        var a = $0
                        a.source = "c.warc.gz"
                        return a
                    })
            #expect(Self.warnings(r).isEmpty)
        }
        // A cut member: earlier records kept, a warning.
        let cut = Self.load(Array(perRecord.prefix(perRecord.count - 20)), path: "c.warc.gz")
        #expect(cut.articles.map(\.title) == ["One"])
        #expect(!Self.warnings(cut).isEmpty)

        let sample = TestWARC.sample
        try #require(!sample.isEmpty)
        let r = ArticleLoading.load(sample, relativePath: "archive/harbour-site.warc.gz")
        #expect(
            r.articles.map(\.id) == [
                "http://harbour-authority.example/", "http://harbour-authority.example/tides",
                "http://harbour-authority.example/history", "http://harbour-authority.example/notices.txt",
            ])
        #expect(
            r.articles.map(\.title) == [
                "New capstan for the north quay", "Tide tables for Porthaven", "A short history of the harbour",
                "Notices to mariners, June 2023",
            ])
        #expect(r.articles[0].body.contains("capstan"))
        #expect(r.articles[0].authors == ["Ines Calloway"])
        #expect(r.articles[0].date == "2023-06-12T09:30:00Z")
        #expect(r.articles[1].body.contains("caf\u{E9}"))
        #expect(r.articles[1].date == "2023-06-14T08:00:02Z")
        #expect(r.articles[2].body.contains("pilots\u{2019}"))
        #expect(r.articles[2].date == "2021-04-02")
        #expect(Self.warnings(r).isEmpty)
        #expect(
            Self.note(r)
                == "15 records read, 4 pages indexed; skipped: 2 non-text responses, 6 requests, 1 warcinfo record, 1 revisit, 1 redirect"
        )
    }

    /// A large file is streamed (here with a tiny threshold): the same articles as a whole load.
    @Test func streamedGivesTheSameArticles() throws {
        var records: [[UInt8]] = []
        for k in 0..<40 {
            records.append(TestWARC.request("http://example.org/\(k)"))
            records.append(
                TestWARC.response(
                    "http://example.org/\(k)", headers: k % 3 == 0 ? ["Transfer-Encoding: chunked"] : [],
                    body: k % 3 == 0
                        ? TestWARC.chunked(TestWARC.page("Page \(k)", "Text of page \(k)."), 9)
                        : TestWARC.page("Page \(k)", String(repeating: "word\(k) ", count: 50 * k))))
            records.append(
                TestWARC.response(
                    "http://example.org/\(k).png", type: "image/png", body: [UInt8](repeating: 1, count: 3000)))
        }
        let dir = TestScratch.url("warc-stream")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, bytes) in [
            ("s.warc", records.flatMap { $0 }), ("s.warc.gz", records.flatMap(TestWARC.gzip)),
        ] {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            let whole = ArticleLoading.load(bytes, relativePath: name)
            #expect(whole.articles.count == 40)
            let file = try #require(CorpusWalker(root: dir.path).walk { _ in }.first { $0.relativePath == name })
            var streamed: [Article] = []
            let diags = ArticleLoading.stream(file, threshold: 1024) { streamed.append($0) }
            #expect(diags != nil)
            #expect(streamed == whole.articles)
            #expect(diags?.map(\.message) == whole.diagnostics.map(\.message))
            // The reader fed in small pieces gives them too.
            var reader = WARCLoader.Reader(WARCLoader(), name)
            var pieces: [Article] = []
            let plain = records.flatMap { $0 }
            plain.withUnsafeBufferPointer { b in
                var i = 0
                var step = 1
                while i < b.count {
                    let e = min(b.count, i + step)
                    reader.feed(UnsafeBufferPointer(rebasing: b[i..<e])) { pieces.append($0) }
                    i = e
                    step = step * 2 % 4099 + 1
                }
            }
            _ = reader.finish { pieces.append($0) }
            #expect(pieces.map(\.body) == whole.articles.map(\.body))
        }
    }

    /// Cut at every offset, bytes flipped at random: no crash, no hang.
    @Test func hostileInput() {
        let base =
            TestWARC.response(
                "http://example.org/a", headers: ["Transfer-Encoding: chunked"],
                body: TestWARC.chunked(TestWARC.page("One", "First."), 4))
            + TestWARC.response(
                "http://example.org/b", headers: ["Content-Encoding: gzip"],
                body: TestWARC.gzip(TestWARC.page("Two", "Second.")))
            + TestWARC.record(
                "resource", uri: "http://example.org/t", contentType: "text/plain", block: Array("Notes\n\nabc\n".utf8))
        for cut in 0...base.count {
            _ = Self.load(Array(base.prefix(cut)))
        }
        let gz = TestWARC.sample
        for cut in stride(from: 0, through: gz.count, by: 7) {
            _ = ArticleLoading.load(Array(gz.prefix(cut)), relativePath: "s.warc.gz")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var b = Bool.random(using: &rng) ? base : gz
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = ArticleLoading.load(b, relativePath: "f.warc")
        }
        // Digits as lengths: huge values and many digits.
        for len in ["999999999999999999", "9999999999999999999999", "-1", ""] {
            let b = Array("WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: \(len)\r\n\r\nabc".utf8)
            _ = Self.load(b)
        }
    }

    @Test func groupedNumbers() {
        #expect(WARCLoader.grouped(0) == "0")
        #expect(WARCLoader.grouped(999) == "999")
        #expect(WARCLoader.grouped(1234) == "1,234")
        #expect(WARCLoader.grouped(1_234_567) == "1,234,567")
    }
}

extension TestWARC {
    /// A zlib stream (what HTTP calls `deflate`).
    static func deflateZlib(_ b: [UInt8]) -> [UInt8] {
        let raw = TestZip.deflate(b)
        var a: UInt32 = 1
        var s: UInt32 = 0
        for x in b {
            a = (a + UInt32(x)) % 65521
            s = (s + a) % 65521
        }
        let adler = s << 16 | a
        return [0x78, 0xDA] + raw + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) }
    }
}
