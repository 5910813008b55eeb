import Foundation
import Testing

/// Whole-file JSON and news JSON Lines through the real `loupe` binary.
struct NewsJSONEndToEndTests {
    @Test func guardianResponseAndWashingtonPostLines() throws {
        let dir = try Loupe.tempDir("loupe-newsjson")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let guardian = """
            {
              "response": {
                "status": "ok",
                "results": [
                  {
                    "id": "port/2020/jan/02/zqbollard-survey",
                    "sectionName": "Port news",
                    "webPublicationDate": "2020-01-02T08:00:00Z",
                    "webTitle": "Bollard survey finds rust",
                    "webUrl": "https://news.example.org/port/2020/jan/02/zqbollard-survey",
                    "fields": {"byline": "Ines Moreau", "body": "<p>Inspectors found zqbollard rust on the old quay.</p>"}
                  }
                ]
              }
            }
            """
        try guardian.write(to: corpus.appendingPathComponent("guardian.json"), atomically: true, encoding: .utf8)
        var lines: [String] = []
        for i in 0..<3 {
            lines.append(
                #"{"id": "wp-\#(i)", "article_url": "https://www.example.com/local/\#(i)/", "title": "Dock story \#(i)", "author": "Kim Roe", "published_date": \#(1_325_376_000_000 + i * 86_400_000), "contents": [{"type": "kicker", "content": "Local"}, {"type": "sanitized_html", "subtype": "paragraph", "content": "The zqdock\#(i) gate <b>opened</b>."}]}"#
            )
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: corpus.appendingPathComponent("wapo.jl"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Loupe.json(r.stdout)["articles"] as? Int == 4, "\(r.stdout)")

        let g = Loupe.json(try Loupe.run(["find", "zqbollard", "--index", idx, "--json"]).stdout)
        let gh = try #require((g["hits"] as? [[String: Any]])?.first)
        #expect(gh["title"] as? String == "Bollard survey finds rust")
        #expect((gh["date"] as? String)?.hasPrefix("2020-01-02") == true, "\(gh)")
        #expect(gh["id"] as? String == "port/2020/jan/02/zqbollard-survey")

        let w = Loupe.json(try Loupe.run(["find", "zqdock1", "--index", idx, "--json"]).stdout)
        let wh = try #require((w["hits"] as? [[String: Any]])?.first)
        #expect(wh["title"] as? String == "Dock story 1")
        #expect((wh["date"] as? String)?.hasPrefix("2012-01-02") == true, "\(wh)")

        let show = try Loupe.run(["show", "wp-1", "--index", idx])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(
            show.stdout.contains("Dock story 1") && show.stdout.contains("The zqdock1 gate opened"), "\(show.stdout)")
        let sg = try Loupe.run(["show", "port/2020/jan/02/zqbollard-survey", "--index", idx])
        #expect(sg.stdout.contains("Inspectors found zqbollard rust on the old quay."), "\(sg.stdout)")
    }

    /// A JSON array above the streaming threshold is streamed element by element: the same
    /// articles as a whole-file read.
    /// A Twitter (X) archive as downloaded: `data/tweets.js` is read (tweets as articles) though
    /// `.js` files are otherwise skipped as web assets, like the archive viewer's own scripts.
    @Test func twitterArchive() throws {
        let dir = try Loupe.tempDir("loupe-twitter")
        let archive = dir.appendingPathComponent("twitter-2023")
        for sub in ["data", "assets/js"] {
            try FileManager.default.createDirectory(
                at: archive.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try """
        window.YTD.tweets.part0 = [
          {"tweet": {"id": "1667000000000000001", "full_text": "New zqtweet capstan on the north quay",
            "created_at": "Mon Jun 12 08:00:00 +0000 2023"}},
          {"tweet": {"id": "1667000000000000002", "full_text": "Fog again, zqtweet ferries late",
            "created_at": "Tue Jun 13 07:00:00 +0000 2023"}}
        ]
        """.write(to: archive.appendingPathComponent("data/tweets.js"), atomically: true, encoding: .utf8)
        try "window.__THAR_CONFIG = {};".write(
            to: archive.appendingPathComponent("assets/js/app.js"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", archive.path, "--index", idx, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["articles"] as? Int == 2 && o["skippedAssets"] as? Int == 1, "\(r.stdout)")
        let f = Loupe.json(try Loupe.run(["find", "zqtweet", "--index", idx, "--json", "--sort", "newest"]).stdout)
        let hits = (f["hits"] as? [[String: Any]]) ?? []
        #expect(hits.compactMap { $0["id"] as? String } == ["1667000000000000002", "1667000000000000001"])
        #expect(hits.first?["date"] as? String == "2023-06-13T07:00:00Z")
    }

    @Test func streamedArray() throws {
        let dir = try Loupe.tempDir("loupe-newsjson-stream")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var items: [String] = []
        for i in 0..<200 {
            items.append(
                i == 100
                    ? #"{"id": "bad", "title": oops}"#
                    : #"{"id": "a\#(i)", "title": "Item \#(i)", "text": "zqarray item\#(i)"}"#)
        }
        try ("[\n" + items.joined(separator: ",\n") + "\n]\n").write(
            to: corpus.appendingPathComponent("items.json"), atomically: true, encoding: .utf8)
        for (name, env) in [("streamed", ["LOUPE_STREAM_BYTES": "1024"]), ("whole", [:])] {
            let idx = dir.appendingPathComponent(name).path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json"], env: env)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stderr.contains("items.json:102"), "\(name): \(r.stderr)")
            let o = Loupe.json(try Loupe.run(["find", "zqarray", "--index", idx, "--json"]).stdout)
            #expect(o["total"] as? Int == 199, "\(name)")
        }
    }
}
