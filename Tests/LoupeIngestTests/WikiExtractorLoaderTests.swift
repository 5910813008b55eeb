import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct WikiExtractorLoaderTests {
    static let sample = """
        <doc id="12" url="https://wiki.example/?curid=12" title="Salt &amp; Pepper">
        Salt & Pepper

        Salt & Pepper is a made-up duo. When x < y the <br> line breaks.
        Second paragraph with <ref name="a">a note</ref> and &amp; once.
        </doc>
        <doc id="13" url="https://wiki.example/?curid=13" title="Empty Stub">
        Empty Stub

        </doc>
        <doc id="14" url="?curid=14" title="Quotes">
        Not the title line
        Text.
        </doc>

        """

    @Test func docsWithRawAmpersandsAndTags() {
        let r = ArticleLoading.load(Array(Self.sample.utf8), relativePath: "wiki/AA/wiki_00")
        #expect(!r.rejected)
        #expect(r.diagnostics.isEmpty)
        #expect(r.articles.count == 3)
        let a = r.articles[0]
        #expect(a.id == "12")
        #expect(a.title == "Salt & Pepper")
        #expect(a.link == "https://wiki.example/?curid=12")
        #expect(
            a.body
                == "Salt & Pepper is a made-up duo. When x < y the\nline breaks.\nSecond paragraph with a note and & once."
        )
        #expect(a.source == "wiki/AA/wiki_00")
    }

    @Test func emptyBodiesAreKeptAndOnlyARepeatedTitleLineIsDropped() {
        let r = WikiExtractorLoader().load(Array(Self.sample.utf8), relativePath: "w")
        #expect(r.articles[1].title == "Empty Stub")
        #expect(r.articles[1].body == "")
        #expect(r.articles[1].position == 1)
        #expect(r.articles[2].body == "Not the title line\nText.")
        #expect(r.articles[2].link == "?curid=14")
    }

    @Test func missingCloseTag() {
        let s = "<doc id=\"1\" url=\"u1\" title=\"A\">\nA\nalpha\n<doc id=\"2\" url=\"u2\" title=\"B\">\nB\nbeta\n"
        let r = WikiExtractorLoader().load(Array(s.utf8), relativePath: "w")
        #expect(r.articles.map(\.id) == ["1", "2"])
        #expect(r.articles.map(\.body) == ["alpha", "beta"])
        #expect(r.diagnostics.filter { $0.severity == .warning }.map(\.line) == [1, 4])
    }

    @Test func headerWithARawQuoteInTheTitle() {
        let s = "<doc id=\"5\" url=\"u\" title=\"Say \"hi\" now\">\nSay\nText.\n</doc>\n"
        let r = WikiExtractorLoader().load(Array(s.utf8), relativePath: "w")
        #expect(r.articles.count == 1)
        #expect(r.articles.first?.id == "5")
        #expect(r.articles.first?.body.hasSuffix("Text.") == true)
    }

    @Test func detection() {
        #expect(ArticleFormat.detect(Array(Self.sample.utf8)) == .wikiExtractor)
        #expect(ArticleFormat.detect(Array("<DOC>\n".utf8)) == .trec)
    }
}
