import Foundation
import Testing

/// `loupe index` on web archives: the sample `Corpus/archive/harbour-site.warc.gz` gives one
/// article per archived page, found by its words with its title and URI, shown by its URI; a
/// page captured twice is one article (the later capture), also when the archive is streamed.
@Suite("WARC web archives")
struct WARCTests {
    @Test func sampleArchivePagesAreFoundAndShown() throws {
        let (_, index) = try Loupe.indexedCorpus()
        let r = Loupe.json(try Loupe.run(["find", "winch", "--index", index, "--json"]).stdout)
        let hits = r["hits"] as? [[String: Any]] ?? []
        #expect(r["total"] as? Int == 1)
        #expect(hits.first?["title"] as? String == "New capstan for the north quay")
        #expect(hits.first?["link"] as? String == "http://harbour-authority.example/")
        #expect(hits.first?["id"] as? String == "http://harbour-authority.example/")
        #expect(hits.first?["source"] as? String == "archive/harbour-site.warc.gz")
        // capstan is in other samples too; the archived page is among its hits.
        let c = Loupe.json(try Loupe.run(["find", "capstan", "--index", index, "--json"]).stdout)
        #expect(
            (c["hits"] as? [[String: Any]] ?? []).contains {
                $0["title"] as? String == "New capstan for the north quay"
            })
        // The windows-1252 page declared in the HTTP header only.
        let cafe = Loupe.json(try Loupe.run(["find", "café", "--index", index, "--json"]).stdout)
        #expect((cafe["hits"] as? [[String: Any]])?.first?["title"] as? String == "Tide tables for Porthaven")

        let show = try Loupe.run(["show", "http://harbour-authority.example/tides", "--index", index])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Tide tables for Porthaven\n"), "\(show.stdout)")
        #expect(show.stdout.contains("http://harbour-authority.example/tides"))
        #expect(show.stdout.contains("tables\u{2019} mean"))
        // Skipped records are no articles.
        #expect(try Loupe.run(["show", "http://harbour-authority.example/style.css", "--index", index]).status != 0)
        #expect(try Loupe.run(["find", "font-family", "--index", index]).status == 1)
    }

    /// The same URI captured twice: one article, the later capture's text; the summary counts
    /// a replaced duplicate. Streamed (a tiny threshold) or not, the same.
    @Test func laterCaptureReplacesTheEarlier() throws {
        func record(_ uri: String, _ date: String, _ html: String) -> String {
            let http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
            return "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <\(uri)>\r\nWARC-Date: \(date)\r\n"
                + "Content-Type: application/http; msgtype=response\r\nContent-Length: \(http.utf8.count)\r\n\r\n"
                + http + "\r\n\r\n"
        }
        let warc =
            record("http://example.org/a", "2024-01-01T00:00:00Z", "<title>Old</title><p>zqoldcapture text</p>")
            + record("http://example.org/b", "2024-01-01T00:00:00Z", "<title>Other</title><p>other page</p>")
            + record("http://example.org/a", "2024-02-01T00:00:00Z", "<title>New</title><p>zqnewcapture text</p>")
        for stream in [false, true] {
            let dir = try Loupe.tempDir("loupe-warc")
            let corpus = dir.appendingPathComponent("corpus")
            try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
            try Data(warc.utf8).write(to: corpus.appendingPathComponent("crawl.warc"))
            let idx = dir.appendingPathComponent("idx").path
            let r = try Loupe.run(
                ["index", corpus.path, "--index", idx], env: stream ? ["LOUPE_STREAM_BYTES": "100"] : [:])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("3 articles") && r.stdout.contains("1 duplicate replaced"), "\(r.stdout)")
            #expect(try Loupe.run(["find", "zqoldcapture", "--index", idx]).status == 1)
            let show = try Loupe.run(["show", "http://example.org/a", "--index", idx])
            #expect(show.stdout.hasPrefix("New\n") && show.stdout.contains("zqnewcapture"), "\(show.stdout)")
            let stats = Loupe.json(try Loupe.run(["stats", "--index", idx, "--json"]).stdout)
            #expect(stats["articles"] as? Int == 2, "\(stats)")
        }
    }

    /// An archived PDF skipped for want of the PDF library makes the archive be read again by
    /// the next `loupe index`, streamed or read whole.
    @Test func anArchivedPDFWithoutThePDFLibraryIsReadAgain() throws {
        let pdf = Array(
            try Data(contentsOf: Loupe.packageRoot.appendingPathComponent("Corpus/documents/harbour-minutes.pdf")))
        let http = Array("HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n".utf8) + pdf
        let head =
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:0e7b3e0c-1c4f-4a8e-9d52-7a0f1d2c3b4a>\r\n"
            + "WARC-Date: 2024-01-02T03:04:05Z\r\nWARC-Target-URI: http://harbour.example/minutes.pdf\r\n"
            + "Content-Type: application/http; msgtype=response\r\nContent-Length: \(http.count)\r\n\r\n"
        let warc = Array(head.utf8) + http + Array("\r\n\r\n".utf8)
        for stream in ["1000", "0"] {
            let dir = try Loupe.tempDir("loupe-warc-pdf")
            let c = dir.appendingPathComponent("c")
            try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
            try Data(warc).write(to: c.appendingPathComponent("site.warc"))
            let idx = dir.appendingPathComponent("idx").path
            let env = stream == "0" ? [:] : ["LOUPE_STREAM_BYTES": stream]
            let first = try Loupe.run(
                ["index", c.path, "--index", idx, "--no-topics"],
                env: env.merging(["LOUPE_NO_POPPLER": "1"]) { a, _ in a })
            #expect(first.status == 0, "\(first.stderr)")
            let again = Loupe.json(
                try Loupe.run(["index", c.path, "--index", idx, "--no-topics", "--json"], env: env).stdout)
            #expect(again["files"] as? Int == 1, "stream \(stream): \(again)")
            let hit = Loupe.json(try Loupe.run(["find", "cormorants", "--index", idx, "--json"]).stdout)
            #expect((hit["hits"] as? [[String: Any]])?.first?["id"] as? String == "http://harbour.example/minutes.pdf")
        }
    }
}
