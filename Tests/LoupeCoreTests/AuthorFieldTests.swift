import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

/// The `author` field: stored with the article, searched with `author:`, one name after another
/// so that a phrase never spans two names (nor two categories).
struct AuthorFieldTests {
    static let articles = [
        Article(
            id: "a", title: "Harbour dredging", body: "The dredging starts in May.", categories: ["ports", "works"],
            authors: ["Jane Doe", "John Roe", "Ann Lee"], source: "a.txt"),
        Article(id: "b", title: "Ferry timetable", body: "Doe Street ferries run late.", source: "b.txt"),
        Article(
            id: "c", title: "Lighthouse repairs", body: "Repairs finished.", categories: ["harbour works", "ports", "dredging sites"],
            authors: ["Doe Smith"], source: "c.txt"),
    ]

    func hits(_ s: Searcher, _ q: String) throws -> [String] {
        try s.search(try s.prepare(try QueryParser().parse(q)), limit: 10).hits.map { try s.reader.article($0.doc).id }
            .sorted()
    }

    @Test(arguments: [1, 3])
    func storedAndSearched(segments: Int) throws {
        let dir = try IndexRoundTripTests.build(Self.articles, analyzer: .english, segments: segments)
        let s = Searcher(reader: try IndexReader(directory: dir))
        #expect(try s.reader.article(0).authors == ["Jane Doe", "John Roe", "Ann Lee"])
        #expect(try s.reader.article(1).authors == [])
        #expect(try hits(s, "author:doe") == ["a", "c"])
        #expect(try hits(s, "author:roe") == ["a"])
        // The body's "Doe" is not an author; the plain field does not search bylines.
        #expect(try hits(s, "doe") == ["b"])
        #expect(try hits(s, "author:\"jane doe\"") == ["a"])
        // "Doe John" would span the two names of article a.
        #expect(try hits(s, "author:\"doe john\"") == [])
        #expect(try hits(s, "author:\"roe ann\"") == [])
        #expect(try hits(s, "author:\"ann lee\"") == ["a"])
        #expect(try hits(s, "author:\"doe smith\"") == ["c"])
        // Categories follow the same rule (a third value used to start one position after the second).
        #expect(try hits(s, "category:\"works ports\"") == [])
        #expect(try hits(s, "category:\"ports dredging\"") == [])
        #expect(try hits(s, "category:\"dredging sites\"") == ["c"])
        #expect(try hits(s, "category:\"harbour works\"") == ["c"])
    }

    @Test func mergedIndexKeepsAuthors() throws {
        let dir = try IndexRoundTripTests.build(Self.articles, analyzer: .plain, segments: 3)
        let w = try IndexWriter(directory: dir, analyzer: .plain, reset: false)
        try w.commit(corpusRoot: nil, optimize: true)
        let r = try IndexReader(directory: dir)
        #expect(r.segments.count == 1)
        #expect(try (0..<3).map { try r.article($0).authors } == [["Jane Doe", "John Roe", "Ann Lee"], [], ["Doe Smith"]])
        #expect(try hits(Searcher(reader: r), "author:doe") == ["a", "c"])
    }

    @Test func codecRoundTrip() throws {
        for a in Self.articles + [
            Article(id: "d", title: "", body: "x", authors: ["Ünïcode Name"], source: "d", idScope: "reuters")
        ] {
            var w = ByteWriter(capacity: 64)
            StoredArticleCodec.encode(a, into: &w)
            let bytes = w.bytes
            let decoded = try bytes.withUnsafeBytes { p -> Article in
                var r = ByteReader(p)
                return try StoredArticleCodec.decode(&r)
            }
            #expect(decoded == a)
        }
    }
}
