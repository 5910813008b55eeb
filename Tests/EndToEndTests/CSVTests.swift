import Foundation
import Testing

/// A CSV file of articles (a Kaggle-style news dataset) through the real `loupe` binary, read
/// whole and streamed.
struct CSVTests {
    static func csv(rows: Int) -> String {
        var s = "id,title,publication,author,date,url,content\r\n"
        for i in 0..<rows {
            s +=
                "\(i),\"Harbour report \(i), part one\",Zq Gazette,Mara Quill,2019-03-\(10 + i % 18),https://news.example.org/\(i),\"Boats came in, \"\"slowly\"\".\nThe zqrow\(i) crew unloaded cod.\"\r\n"
        }
        return s
    }

    @Test func csvOfArticlesIndexedWholeAndStreamed() throws {
        let dir = try Loupe.tempDir("loupe-csv")
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try Self.csv(rows: 300).write(
            to: corpus.appendingPathComponent("articles.csv"), atomically: true, encoding: .utf8)
        for env in [[:], ["LOUPE_STREAM_BYTES": "1024"]] {
            let idx = dir.appendingPathComponent("idx\(env.count)").path
            let r = try Loupe.run(["index", corpus.path, "--index", idx, "--json", "--no-topics"], env: env)
            #expect(r.status == 0, "\(env): \(r.stderr)")
            let o = Loupe.json(r.stdout)
            #expect(o["articles"] as? Int == 300, "\(env): \(r.stdout)")
            #expect(o["documentsInIndex"] as? Int == 300, "\(env)")
            let f = Loupe.json(try Loupe.run(["find", "zqrow137", "--index", idx, "--json"]).stdout)
            #expect(f["total"] as? Int == 1, "\(env)")
            let hit = try #require((f["hits"] as? [[String: Any]])?.first, "\(env)")
            #expect(hit["title"] as? String == "Harbour report 137, part one")
            #expect((hit["date"] as? String)?.hasPrefix("2019-03-21") == true, "\(hit)")
            #expect(hit["authors"] as? [String] == ["Mara Quill"], "\(hit)")
            #expect(hit["link"] as? String == "https://news.example.org/137", "\(hit)")
        }
    }
}
