import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct JSONLinesLoaderTests {
    func load(_ s: String, _ path: String = "beir/corpus.jsonl") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    /// The plain record's fast path (`FlatJSON.plainRecord`, no dictionary) gives exactly the
    /// article the general path gives for the same line; any other object takes the general path.
    @Test func plainRecordsReadAsTheGeneralPathReadsThem() throws {
        let plain = [
            #"{"id": "a1", "title": "Zq title", "text": "Body text."}"#,
            #"{ "_id" : "4983" , "title":"  Padded  ", "body": "\tEscaped \"quote\" \u00e9\n" }"#,
            #"{"docid": "https://e.org/x", "text": "A web id is the link."}"#,
            #"{"docno": "urn:x:1", "title": "URN"}"#,
            #"{"doc_id": "", "title": "Empty id", "text": ""}"#,
            #"{"text": "No id at all", "title": "Caf\u00e9 \ud83d\ude00"}"#,
            #"{"title": "", "id": "   "}"#,
            #"{"id": "12", "url": "https://en.wikipedia.org/wiki?curid=12", "title": "Anarchism", "text": "A."}"#,
            #"{"url": " https://e.org/u ", "text": "The url is the id."}"#,
            #"{"id": "https://e.org/i", "url": "https://e.org/u", "title": "Both"}"#,
            #"{"id": "7", "url": "", "title": "Empty url"}"#,
        ]
        for (n, line) in plain.enumerated() {
            let bytes = Array(line.utf8)
            let record = try #require(bytes.withUnsafeBufferPointer(FlatJSON.plainRecord), "\(line)")
            let general = try #require(bytes.withUnsafeBufferPointer(FlatJSON.object), "\(line)")
            let fast = NewsJSON.article(record, relativePath: "c/corpus.jsonl", position: n, scope: "c")
            let slow = NewsJSON.article(general, relativePath: "c/corpus.jsonl", position: n, scope: "c")
            #expect(fast == slow, "\(line)")
        }
        // The loader over all of them: the same articles, in order.
        let all = plain.joined(separator: "\n")
        let loaded = ArticleLoading.load(Array(all.utf8), relativePath: "c/corpus.jsonl").articles
        let expected = plain.enumerated().map { n, line in
            NewsJSON.article(
                Array(line.utf8).withUnsafeBufferPointer(FlatJSON.object)!, relativePath: "c/corpus.jsonl",
                position: n, scope: "c")!
        }
        #expect(loaded == expected)
        // Not plain: another key, a repeated key, a number, an escaped key, no title or text,
        // null, an array, two texts, invalid JSON.
        for line in [
            #"{"id": "a", "title": "t", "link": "https://e.org"}"#, #"{"id": "a", "title": "t", "title": "u"}"#,
            #"{"url": "https://e.org", "url": "https://e.org/2", "text": "t"}"#,
            #"{"id": 7, "title": "t"}"#, #"{"ti\u0074le": "t"}"#, #"{"id": "a"}"#, #"{"id": null, "title": "t"}"#,
            #"{"title": ["t"]}"#, #"{"text": "a", "body": "b"}"#, #"{"title": "t",}"#, #"{"title": "t"} x"#,
            #"{"title": "\ud800"}"#, "{\"title\": \"a raw\ttab\"}",
        ] {
            #expect(Array(line.utf8).withUnsafeBufferPointer(FlatJSON.plainRecord) == nil, "\(line)")
        }
    }

    /// After 8 lines in a row that are not plain records the loader tries the plain reading on
    /// one line in 64 only: a file whose records change shape on the way (rich, plain, rich,
    /// blank lines and a bad one among them) still gives every line's article, as read alone.
    @Test func recordsThatChangeShapeAreAllRead() throws {
        var lines: [String] = []
        for i in 0..<300 {
            let shape = (i / 100) % 2 == 0 && i % 37 != 5 ? "rich" : "plain"
            if shape == "rich" {
                lines.append(
                    #"{"id": "r\#(i)", "title": "Rich \#(i)", "text": "Zq body \#(i).", "date": "2024-03-05T10:00:00Z", "authors": ["Jane Doe"]}"#
                )
            } else {
                lines.append(#"{"id": "p\#(i)", "title": "Plain \#(i)", "text": "Zq body \#(i)."}"#)
            }
            if i == 150 { lines.append("") }
            if i == 220 { lines.append(#"{"id": "broken""#) }
        }
        let loaded = ArticleLoading.load(Array(lines.joined(separator: "\n").utf8), relativePath: "c/m.jsonl")
        let alone = lines.filter { $0.hasSuffix("}") }.enumerated().map { n, line -> Article in
            var a = ArticleLoading.load(Array(line.utf8), relativePath: "c/m.jsonl").articles[0]
            a.position = n
            return a
        }
        #expect(loaded.articles.count == 300)
        #expect(loaded.articles == alone)
        #expect(loaded.articles[7].date == "2024-03-05T10:00:00Z" && loaded.articles[7].authors == ["Jane Doe"])
    }

    @Test func beirLinesAndABadLine() {
        let r = load(
            """
            {"_id": "4983", "title": "Zq white matter study.", "text": "Diffusion \\u03b1 imaging of newborns.", "metadata": {}}
            {"id": 31715818, "body": "Numeric id, body field."}
            {"_id": "77", "title": "broken", "text": "missing brace"

            [1, 2, 3]
            {"_id": "78", "metadata": {}}
            {"_id": "79", "contents": "Pyserini style.", "categories": ["a", "b"], "date": "2020-05-04", "url": "https://e.example/79"}

            """)
        #expect(!r.rejected)
        #expect(r.articles.map(\.id) == ["4983", "31715818", "79"])
        #expect(r.articles[0].title == "Zq white matter study.")
        #expect(r.articles[0].body == "Diffusion \u{3B1} imaging of newborns.")
        #expect(r.articles[1].title == "")
        #expect(r.articles[1].body == "Numeric id, body field.")
        #expect(r.articles[2].body == "Pyserini style.")
        #expect(r.articles[2].categories == ["a", "b"])
        #expect(r.articles[2].date == "2020-05-04")
        #expect(r.articles[2].link == "https://e.example/79")
        #expect(r.articles.map(\.position) == [0, 1, 2])
        // One warning per bad line, naming it; blank lines are not bad.
        let warnings = r.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map(\.line) == [3, 5, 6])
        #expect(warnings.allSatisfy { $0.path == "beir/corpus.jsonl" && $0.message.contains("skipped") })
    }

    /// Numbers of any length: the fast path takes integers of up to 18 digits and leaves longer
    /// ones to Foundation (a 19th digit used to overflow the fast path's arithmetic and crash
    /// the indexer: found by the loader fuzzer).
    @Test func longNumbersDoNotOverflow() {
        for digits in [18, 19, 20, 40, 400] {
            let n = String(repeating: "9", count: digits)
            let line =
                "{\"id\": \(n), \"title\": \(n)\"Oil\", \"text\": \"Crude oil\"}\n{\"id\": -\(n), \"text\": \"rose\"}"
            let r = JSONLinesLoader().load(Array(line.utf8), relativePath: "n.jsonl")
            // Foundation does not parse a 400-digit number: those lines are skipped with warnings.
            #expect(digits == 400 ? r.diagnostics.count >= 2 : r.articles.count >= 1, "\(digits) digits")
        }
        let r = JSONLinesLoader().load(
            Array("{\"id\": 123456789012345678, \"text\": \"t\"}".utf8), relativePath: "n.jsonl")
        #expect(r.articles.first?.id == "123456789012345678")
    }

    @Test func missingIdUsesPathAndPosition() {
        let r = load("{\"title\": \"t\", \"text\": [\"one\", \"two\"]}\n", "q.jsonl")
        #expect(r.articles.first?.id == "q.jsonl#0")
        #expect(r.articles.first?.body == "one\ntwo")
    }

    /// Several known keys of one field: the first in each list wins, whatever the members'
    /// order in the line; a value that gives nothing (an array of numbers) falls through.
    @Test func knownKeysInOrderOfPreference() {
        let r = load(
            """
            {"id": "second", "body": "the body", "headline": "head", "_id": "first", "text": "the text", "title": "tit"}
            {"content": "content wins", "text": [1, 2], "tags": ["t"], "topics": ["x"], "link": "l", "url": "u"}
            {"pubDate": "2021-02-03", "date": "2020-01-02", "abstract": "only an abstract"}

            """)
        // Without an id key, a URL (`url`, not `link`) is the id (news JSON: see `NewsJSON`).
        #expect(r.articles.map(\.id) == ["first", "u", "beir/corpus.jsonl#2"])
        #expect(r.articles.map(\.title) == ["tit", "", ""])
        #expect(r.articles.map(\.body) == ["the text", "content wins", "only an abstract"])
        #expect(r.articles[1].categories == ["t"])
        #expect(r.articles[1].link == "u")
        #expect(r.articles[2].date == "2020-01-02")
    }

    /// Author keys: a string, an array of strings, objects with a `name`; `author` before
    /// `authors`, `byline`, `creator`, a key that names no one falling through.
    @Test func authorKeys() {
        let r = load(
            """
            {"_id": "1", "text": "t", "author": "By Jane Doe, Staff Writer"}
            {"_id": "2", "text": "t", "authors": ["Jane Doe", "Kim Roe", ""]}
            {"_id": "3", "text": "t", "authors": [{"name": "Ann Poe", "affiliation": "X"}, {"name": "Bo Moe"}, {"id": 3}]}
            {"_id": "4", "text": "t", "creator": {"name": "jane@example.com (Jane Doe)"}, "byline": "By LEE ROE"}
            {"_id": "5", "text": "t", "author": "", "creator": "Jo Hoe"}
            {"_id": "6", "text": "t", "byline": "Jane Doe and Kim Roe", "creator": "Ignored Person"}
            {"_id": "7", "text": "t", "author": null}
            """)
        #expect(!r.rejected)
        #expect(
            r.articles.map(\.authors) == [
                ["Jane Doe"], ["Jane Doe", "Kim Roe"], ["Ann Poe", "Bo Moe"], ["LEE ROE"], ["Jo Hoe"],
                ["Jane Doe", "Kim Roe"], [],
            ])
    }

    @Test func manyBadLinesAreCounted() {
        var s = "{\"_id\": \"1\", \"text\": \"ok\"}\n"
        for _ in 0..<30 { s += "{nope}\n" }
        let r = load(s)
        #expect(r.articles.count == 1)
        let w = r.diagnostics.filter { $0.severity == .warning }
        #expect(w.count == JSONLinesLoader.maxLineWarnings + 1)
        #expect(w.last?.message.contains("10 more") == true)
    }

    @Test func detection() {
        #expect(ArticleFormat.detect(Array("{\"_id\": \"1\", \"text\": \"x\"}\n{\"_id\": \"2\"}".utf8)) == .jsonLines)
        #expect(ArticleFormat.detect(Array("  {\"a\": 1}  ".utf8)) == .jsonLines)
        // A pretty-printed JSON document is not JSON Lines: it is whole-file JSON (it was text
        // before whole-file JSON was read; see `NewsJSONTests`).
        #expect(ArticleFormat.detect(Array("{\n  \"a\": 1\n}\n".utf8)) == .json)
        #expect(ArticleFormat.detect(Array("[{\"a\": 1}]".utf8)) == .json)
    }
}

/// `FlatJSON` must read every line it accepts exactly as `JSONSerialization` does, and leave
/// every other line to it.
struct FlatJSONTests {
    static let flat: [String] = [
        #"{"_id": "1", "title": "Plain", "text": "Body text"}"#,
        #"{"id":42,"text":"no spaces","tags":["a","b",""]}"#,
        #"  {"id": -7, "title": "", "text": "x"}  "#,
        #"{"text": "escapes \" \\ \/ \b \f \n \r \t end"}"#,
        #"{"text": "unicode \u00e9\u4e2d\ud83d\ude00 and raw é 東京 😀"}"#,
        #"{"text": "nul \u0000 inside", "title": null, "headline": "fallback title"}"#,
        #"{"text": "dup", "text": "last wins"}"#,
        #"{"categories": [], "text": "empty list"}"#,
        #"{}"#,
        #"{"id": 0, "docid": "x", "text": "zero id"}"#,
        #"{"text": "t", "authors": ["Jane Doe", "By Kim Roe"], "byline": "x"}"#,
    ]
    static let other: [String] = [
        #"{"text": "nested", "meta": {"a": 1}}"#,
        #"{"text": "fraction", "id": 1.5}"#,
        #"{"text": "exponent", "id": 1e3}"#,
        #"{"text": "bool", "flag": true}"#,
        #"{"text": "lone surrogate \ud800 here"}"#,
        #"{"text": "mixed array", "tags": ["a", 1]}"#,
        #"{"text": "leading zero", "id": 007}"#,
        #"{"text": "trailing comma",}"#,
        #"{"text": "unterminated}"#,
        #"["not", "an object"]"#,
        #"{"text": "two objects"} {"x": "y"}"#,
        #"{"text": "big", "id": 12345678901234567890}"#,
    ]

    static func fields(_ d: [String: Any]) -> [String] {
        [
            JSONLinesLoader.idKeys, JSONLinesLoader.titleKeys, JSONLinesLoader.bodyKeys, JSONLinesLoader.dateKeys,
            JSONLinesLoader.linkKeys,
        ].map { JSONLinesLoader.text(d, $0) ?? "<none>" } + JSONLinesLoader.list(d, JSONLinesLoader.categoryKeys)
            + JSONLinesLoader.authors(d, JSONLinesLoader.authorKeys)
    }

    @Test(arguments: flat) func flatLinesMatchJSONSerialization(_ line: String) throws {
        let bytes = Array(line.utf8)
        let fast = bytes.withUnsafeBufferPointer { FlatJSON.object($0) }
        let reference = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        let d = try #require(fast, "the fast path takes \(line)")
        let r = try #require(reference as? [String: Any])
        #expect(FlatJSONTests.fields(d) == FlatJSONTests.fields(r), "\(line)")
        #expect(Set(d.keys) == Set(r.keys.filter { !(r[$0] is NSNull) }))
    }

    @Test(arguments: other) func otherLinesGoToJSONSerialization(_ line: String) {
        let bytes = Array(line.utf8)
        #expect(bytes.withUnsafeBufferPointer { FlatJSON.object($0) } == nil, "\(line)")
    }

    /// Strings are scanned eight bytes at a time: an escape, a quote or a control character at
    /// every offset of a word must still be found.
    @Test func everyOffsetOfAnEscapeIsRead() throws {
        let pieces = [#"\n"#, #"\""#, #"\\"#, #"\u00e9"#, "é", "東"]
        for piece in pieces {
            for before in 0..<18 {
                for after in [0, 1, 7, 8, 9, 17] {
                    let text = String(repeating: "a", count: before) + piece + String(repeating: "b", count: after)
                    let line = #"{"text": ""# + text + #"", "id": "x\ty"}"#
                    let bytes = Array(line.utf8)
                    let fast = try #require(bytes.withUnsafeBufferPointer { FlatJSON.object($0) }, "\(line)")
                    let reference = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
                    #expect(fast["text"] as? String == reference?["text"] as? String, "\(line)")
                    #expect(fast["id"] as? String == "x\ty")
                }
            }
        }
        // A raw control character is not JSON, wherever it falls.
        for before in 0..<18 {
            let bytes =
                Array(#"{"text": ""#.utf8) + Array(repeating: 0x61, count: before) + [0x01]
                + Array(#"abc"}"#.utf8)
            #expect(bytes.withUnsafeBufferPointer { FlatJSON.object($0) } == nil)
        }
    }

    @Test func invalidUTF8IsLeftToJSONSerialization() {
        let bytes: [UInt8] = Array(#"{"text": "bad "#.utf8) + [0xFF, 0xFE] + Array(#"" }"#.utf8)
        #expect(bytes.withUnsafeBufferPointer { FlatJSON.object($0) } == nil)
    }
}
