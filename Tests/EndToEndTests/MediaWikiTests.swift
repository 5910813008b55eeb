import Foundation
import Testing

/// `loupe index` on the sample corpus's MediaWiki export (`Corpus/wiki/`): its main-namespace
/// pages are articles found by their prose, with their titles; what only templates, refs, a
/// redirect or a talk page hold is not indexed.
@Suite("MediaWiki export dumps")
struct MediaWikiTests {
    @Test func wikiPagesAreFoundByTheirProseOnly() throws {
        let (_, idx) = try Loupe.indexedCorpus()
        let r = try Loupe.run(["find", "Marrowgull", "--index", idx, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(hits.count == 1)
        #expect(hits.first?["title"] as? String == "Porthaven Ferry")
        #expect(hits.first?["source"] as? String == "wiki/porthaven-wiki-export.xml")
        #expect(hits.first?["link"] as? String == "https://wiki.porthaven.example/wiki/Porthaven_Ferry")

        let show = Loupe.json(try Loupe.run(["show", "101", "--index", idx, "--json"]).stdout)
        #expect(show["title"] as? String == "Porthaven Lighthouse")
        #expect(show["authors"] as? [String] == ["Brine Archivist"])
        #expect(show["date"] as? String == "2024-06-02T17:45:10Z")
        #expect(show["categories"] as? [String] == ["Lighthouses", "Buildings in Porthaven"])

        // In a template, a ref, an earlier revision, a talk page: not indexed.
        for word in ["zqinfoboxonly", "zqrefonly", "zqdraftonly", "zqtalkonly"] {
            #expect(try Loupe.run(["find", word, "--index", idx]).status == 1, "\(word)")
        }
    }
}
