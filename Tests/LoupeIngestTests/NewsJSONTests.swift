import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// The news archives' JSON shapes (records invented for these tests), in JSON Lines and in
/// whole-file JSON.
struct NewsJSONTests {
    func load(_ s: String, _ path: String = "news/a.json") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    static let wapo = #"""
        {"id": "b1c2-77aa", "article_url": "https://www.example.com/local/quay-crane/", "title": "Quay crane returns to service", "author": "Jane Doe", "published_date": 1325376000000, "type": "article", "source": "The Example Post", "contents": [{"type": "kicker", "content": "Local", "mime": "text/plain"}, {"type": "title", "content": "Quay crane returns to service"}, {"type": "byline", "content": "By Jane Doe"}, {"type": "date", "content": 1325376000000}, {"type": "image", "fullcaption": "A crane at dusk (zqcaption)", "imageURL": "https://img.example.com/1.jpg"}, {"type": "sanitized_html", "subtype": "paragraph", "content": "The <a href=\"x\">zqcrane</a> lifted its first box &amp; crate."}, null, {"type": "sanitized_html", "subtype": "paragraph", "content": "Workers cheered."}, {"type": "author_info", "bio": "Jane writes zqbio."}, {"type": "video", "content": "zqvideo"}]}
        """#

    @Test func trecWashingtonPost() throws {
        let r = load(Self.wapo + "\n", "wapo/part1.jl")
        #expect(ArticleFormat.detect(Array(Self.wapo.utf8)) == .jsonLines)
        let a = try #require(r.articles.first)
        #expect(a.id == "b1c2-77aa")
        #expect(a.idScope == "wapo")
        #expect(a.title == "Quay crane returns to service")
        #expect(a.body == "The zqcrane lifted its first box & crate.\nWorkers cheered.")
        #expect(a.date == "2012-01-01T00:00:00Z")
        #expect(a.authors == ["Jane Doe"])
        #expect(a.categories == ["Local", "The Example Post"])
        #expect(a.link == "https://www.example.com/local/quay-crane/")
        #expect(!a.body.contains("zqcaption") && !a.body.contains("zqbio") && !a.body.contains("zqvideo"))
    }

    /// All the News' `publication` names the publisher, as `source` and `publisher` do.
    @Test func publicationIsThePublisher() throws {
        let r = load(
            #"{"id": "17283", "title": "Ferry fares rise", "publication": "Zq Harbour Times", "content": "Fares rise."}"#
                + "\n", "news/a.jsonl")
        #expect(try #require(r.articles.first).categories == ["Zq Harbour Times"])
    }

    @Test func trecWashingtonPostBlocksOnly() throws {
        // No top-level title, author or date: the blocks give them.
        let line =
            #"{"id": 7, "contents": [{"type": "title", "content": "Block title"}, {"type": "byline", "content": "By Kim Roe and Lee Poe"}, {"type": "date", "content": 1325376000000}, {"type": "sanitized_html", "content": "<p>Text.</p>"}]}"#
        let a = try #require(load(line, "w/x.jl").articles.first)
        #expect(a.title == "Block title")
        #expect(a.authors == ["Kim Roe", "Lee Poe"])
        #expect(a.date == "2012-01-01T00:00:00Z")
        #expect(a.body == "Text.")
        #expect(a.id == "7" && a.idScope == "w")
    }

    @Test func newsPlease() throws {
        let line =
            #"{"authors": ["Ann Poe", "Bo Moe"], "date_download": "2019-03-06 08:00:00", "date_modify": null, "date_publish": "2019-03-05 10:00:00", "description": "A short summary of the pilot boat.", "filename": "x.json", "language": "en", "maintext": "The pilot boat zqpilot left at dawn.\nIt returned by noon.", "source_domain": "news.example.org", "title": "Pilot boat trial", "url": "https://news.example.org/pilot-boat"}"#
        let a = try #require(load(line + "\n", "cc/news.jsonl").articles.first)
        #expect(a.title == "Pilot boat trial")
        #expect(
            a.body == "A short summary of the pilot boat.\nThe pilot boat zqpilot left at dawn.\nIt returned by noon.")
        #expect(a.date == "2019-03-05T10:00:00Z")
        #expect(a.authors == ["Ann Poe", "Bo Moe"])
        #expect(a.categories == ["news.example.org"])
        #expect(a.id == "https://news.example.org/pilot-boat" && a.idScope == nil)
        #expect(a.link == "https://news.example.org/pilot-boat")
        // A description the main text already holds is not repeated.
        let dup = #"{"title": "t", "maintext": "First line. More.", "description": "First line."}"#
        #expect(load(dup + "\n", "cc/d.jsonl").articles.first?.body == "First line. More.")
    }

    static let guardian = #"""
        {
          "response": {
            "status": "ok",
            "total": 2,
            "results": [
              {
                "id": "world/2019/mar/05/harbour-wall",
                "type": "article",
                "sectionName": "World news",
                "webPublicationDate": "2019-03-05T10:00:00Z",
                "webTitle": "Harbour wall repaired",
                "webUrl": "https://www.example.co.uk/world/2019/mar/05/harbour-wall",
                "fields": {
                  "headline": "Harbour wall repaired (headline)",
                  "trailText": "<strong>Masons</strong> finished early",
                  "byline": "Jane Doe and Kim Roe",
                  "body": "<p>The zqmason crews worked at night.</p><p>Tides helped.</p>"
                },
                "tags": [
                  {"id": "world/ports", "type": "keyword", "webTitle": "Ports"},
                  {"id": "profile/jane", "type": "contributor", "webTitle": "Jane Doe"}
                ]
              },
              {
                "id": "uk/2019/mar/06/ferry",
                "sectionName": "UK news",
                "webPublicationDate": "2019-03-06T09:30:00Z",
                "webTitle": "Ferry timetable",
                "webUrl": "https://www.example.co.uk/uk/2019/mar/06/ferry",
                "fields": {"bodyText": "Plain zqferry text."},
                "tags": [{"id": "profile/lee", "type": "contributor", "webTitle": "Lee Poe"}]
              }
            ]
          }
        }
        """#

    @Test func guardianWrapped() throws {
        #expect(ArticleFormat.detect(Array(Self.guardian.utf8)) == .json)
        let r = load(Self.guardian, "guardian/page1.json")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.articles.count == 2)
        let a = r.articles[0]
        #expect(a.title == "Harbour wall repaired")
        #expect(a.body == "Masons finished early\nThe zqmason crews worked at night.\nTides helped.")
        #expect(a.date == "2019-03-05T10:00:00Z")
        #expect(a.authors == ["Jane Doe", "Kim Roe"])
        #expect(a.categories == ["World news", "Ports"])
        #expect(a.id == "world/2019/mar/05/harbour-wall" && a.idScope == "guardian")
        #expect(a.link == "https://www.example.co.uk/world/2019/mar/05/harbour-wall")
        #expect(r.articles[1].body == "Plain zqferry text.")
        #expect(r.articles[1].authors == ["Lee Poe"])  // a contributor tag when no byline
        #expect(r.articles[1].categories == ["UK news"])
        #expect(r.articles.map(\.position) == [0, 1])
    }

    @Test func newYorkTimes() throws {
        let doc = #"""
            {"status": "OK", "response": {"docs": [{
              "abstract": "Tugboats zqtug gather for a race.",
              "web_url": "https://www.example.com/2019/03/05/nyregion/tug-race.html",
              "snippet": "Tugboats zqtug gather for a race.",
              "lead_paragraph": "Every spring the tugboats line up at the pier.",
              "source": "The Example Times",
              "headline": {"main": "Tugboats Race on the River", "kicker": null, "print_headline": "Tug Race"},
              "keywords": [{"name": "subject", "value": "Ships and Shipping", "rank": 1}, {"name": "glocations", "value": "Hudson River", "rank": 2}],
              "pub_date": "2019-03-05T10:00:00+0000",
              "section_name": "New York",
              "byline": {"original": "By Jane Doe and John Roe", "person": [{"firstname": "Jane", "lastname": "Doe"}]},
              "_id": "nyt://article/0f1e2d3c-0000-5000-8000-abcdefabcdef",
              "uri": "nyt://article/0f1e2d3c-0000-5000-8000-abcdefabcdef"
            }]}}
            """#
        let r = load(doc, "nyt/2019-03.json")
        let a = try #require(r.articles.first)
        #expect(a.title == "Tugboats Race on the River")
        #expect(a.body == "Tugboats zqtug gather for a race.\nEvery spring the tugboats line up at the pier.")
        #expect(a.date == "2019-03-05T10:00:00Z")
        #expect(a.authors == ["Jane Doe", "John Roe"])
        #expect(a.categories == ["New York", "Ships and Shipping", "Hudson River", "The Example Times"])
        #expect(a.id == "nyt://article/0f1e2d3c-0000-5000-8000-abcdefabcdef" && a.idScope == nil)
        #expect(a.link == "https://www.example.com/2019/03/05/nyregion/tug-race.html")
    }

    @Test func ninjs() throws {
        let v1 =
            #"{"uri": "urn:newsml:example.org:20190305:zq1", "type": "text", "versioncreated": "2019-03-05T12:00:00Z", "firstcreated": "2019-03-05T10:00:00Z", "headline": "Dock strike ends", "byline": "By Jane Doe, Example Press", "description_text": "Summary of the strike.", "body_html": "<p>Dockers <b>zqdock</b> returned.</p><p>Cargo moved.</p>", "subject": [{"name": "labour", "code": "medtop:1"}, {"name": "transport"}]}"#
        let a = try #require(load(v1 + "\n", "ninjs/a.jsonl").articles.first)
        #expect(a.id == "urn:newsml:example.org:20190305:zq1" && a.idScope == nil)
        #expect(a.title == "Dock strike ends")
        #expect(a.body == "Summary of the strike.\nDockers zqdock returned.\nCargo moved.")
        #expect(a.date == "2019-03-05T10:00:00Z")
        #expect(a.authors == ["Jane Doe"])
        #expect(a.categories == ["labour", "transport"])
        #expect(a.link == nil)
        let v2 =
            #"{"uri": "http://example.org/n/2", "headline": "H", "body_text": "Plain body.", "versioncreated": "2019-03-05T12:00:00+01:00"}"#
        let b = try #require(load(v2 + "\n", "ninjs/b.jsonl").articles.first)
        #expect(b.body == "Plain body.")
        #expect(b.date == "2019-03-05T11:00:00Z")
        #expect(b.link == "http://example.org/n/2")
    }

    static let newsAPI = #"""
        {"status": "ok", "totalResults": 2, "articles": [
          {"source": {"id": null, "name": "Example Wire"}, "author": "Jane Doe, Kim Roe", "title": "Lighthouse relit", "description": "The lighthouse shines again.", "url": "https://wire.example.net/lighthouse", "urlToImage": null, "publishedAt": "2019-03-05T10:00:00Z", "content": "Keepers zqkeeper relit the lamp on Tuesday after a year of repairs to the tower… [+1234 chars]"},
          {"source": {"id": null, "name": "Example Wire"}, "author": null, "title": null, "description": null, "url": "https://wire.example.net/empty", "publishedAt": "2019-03-05T11:00:00Z", "content": null}
        ]}
        """#

    @Test func newsAPIWrapped() throws {
        let r = load(Self.newsAPI, "api/top.json")
        #expect(r.articles.count == 1)
        let a = try #require(r.articles.first)
        #expect(a.title == "Lighthouse relit")
        #expect(
            a.body
                == "The lighthouse shines again.\nKeepers zqkeeper relit the lamp on Tuesday after a year of repairs to the tower"
        )
        #expect(a.date == "2019-03-05T10:00:00Z")
        #expect(a.authors == ["Jane Doe", "Kim Roe"])
        #expect(a.categories == ["Example Wire"])
        #expect(a.id == "https://wire.example.net/lighthouse" && a.idScope == nil)
        // The empty article is skipped with one warning counting it.
        let w = r.diagnostics.filter { $0.severity == .warning }
        #expect(w.count == 1 && w[0].message.contains("1 elements without a title"), "\(r.diagnostics)")
        // The same response on one line (an API page saved as it came) is JSON Lines: same article.
        let oneLine = Self.newsAPI.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        #expect(ArticleFormat.detect(Array(oneLine.utf8)) == .jsonLines)
        let l = load(oneLine, "api/top.json")
        #expect(l.articles == r.articles)
    }

    @Test func htmlBodies() {
        let lines = [
            #"{"title": "a", "maintext": "<p>One &amp; two</p><p>Three</p>"}"#,
            #"{"title": "b", "html": "<span>x</span> y"}"#,
            #"{"title": "c", "content": "  <div class=\"c\">Inside</div>"}"#,
            #"{"title": "d", "maintext": "Use <p> for paragraphs & more"}"#,
            #"{"title": "e", "maintext": "<not html> text"}"#,
            // BEIR-style `text`, `body`, `contents`: as written (the peers index them so).
            #"{"title": "f", "body": "<div class=\"c\">Inside</div>"}"#,
            #"{"title": "g", "text": "<p>One</p>"}"#,
        ].joined(separator: "\n")
        let r = load(lines, "h/a.jsonl")
        #expect(
            r.articles.map(\.body) == [
                "One & two\nThree", "x y", "Inside", "Use <p> for paragraphs & more", "<not html> text",
                "<div class=\"c\">Inside</div>", "<p>One</p>",
            ])
    }

    @Test func epochDates() {
        let lines = [
            #"{"title": "s", "timestamp": 1551780000}"#,
            #"{"title": "ms", "published_date": 1551780000000}"#,
            #"{"title": "str", "date": "1551780000"}"#,
            #"{"title": "small", "timestamp": 12345}"#,
            #"{"title": "huge", "timestamp": 99999999999999999}"#,
            #"{"title": "between", "timestamp": 50000000000}"#,
            #"{"title": "basic", "date": "20190305"}"#,
            #"{"title": "rfc", "pubDate": "Tue, 05 Mar 2019 10:00:00 GMT"}"#,
            #"{"title": "frac", "timestamp": 1551780000.5}"#,
        ].joined(separator: "\n")
        let r = load(lines, "d/a.jsonl")
        #expect(
            r.articles.map(\.date) == [
                "2019-03-05T10:00:00Z", "2019-03-05T10:00:00Z", "2019-03-05T10:00:00Z", nil, nil, nil, "2019-03-05",
                "2019-03-05T10:00:00Z", "2019-03-05T10:00:00Z",
            ])
        #expect(NewsJSON.epoch(0) == nil)
        #expect(NewsJSON.epoch(4_102_444_799) == nil)  // 2099-12-31, beyond the seconds range
        #expect(NewsJSON.epoch(951_782_400) == "2000-02-29T00:00:00Z")
    }

    @Test func wholeFileArrayPrettyAndNot() {
        let pretty = """
            [
              {
                "id": "a1",
                "title": "First",
                "text": "One"
              },
              {"id": "a2", "title": "Second", "text": "Two", "tags": ["x"]},
              "not an object",
              {"id": "a3", "text": "Three"}
            ]
            """
        #expect(ArticleFormat.detect(Array(pretty.utf8)) == .json)
        let r = load(pretty, "arr/p.json")
        #expect(r.articles.map(\.id) == ["a1", "a2", "a3"])
        #expect(r.articles.map(\.position) == [0, 1, 3])
        #expect(r.articles.allSatisfy { $0.idScope == "arr" })
        #expect(r.diagnostics.map(\.message) == ["1 elements without a title or text field skipped"])
        let compact =
            #"[{"id":"a1","title":"First","text":"One"},{"id":"a2","title":"Second","text":"Two","tags":["x"]},"not an object",{"id":"a3","text":"Three"}]"#
        #expect(ArticleFormat.detect(Array(compact.utf8)) == .json)
        #expect(load(compact, "arr/p.json").articles == r.articles)
    }

    @Test func wrappedShapes() {
        for key in ["data", "items", "results", "docs", "articles"] {
            let s = "{\n \"\(key)\": [\n  {\"title\": \"T\", \"body\": \"B\"}\n ],\n \"page\": 1\n}\n"
            let r = load(s)
            #expect(r.articles.map(\.title) == ["T"], "\(key)")
        }
        let es = #"{"hits": {"total": 1, "hits": [{"_id": "e1", "_source": {"title": "Hit", "text": "x"}}]}}"#
        #expect(load(es + "\n").articles.map(\.id) == ["e1"])
        let single =
            #"{"response": {"status": "ok", "content": {"id": "p/1", "webTitle": "One item", "fields": {"bodyText": "Only."}}}}"#
        #expect(load(single + "\n").articles.map(\.title) == ["One item"])
    }

    /// A feed reader's export in the Google Reader API's shape (Google Takeout's `starred.json`,
    /// Inoreader, FreshRSS, Feedbin): the envelope has a title but no text of its own, so its
    /// items are the articles — HTML `content`/`summary` objects, `alternate`/`canonical` links,
    /// labels as categories (not the starred/read states), the origin feed as publisher. In JSON
    /// Lines too. An article that has text and happens to hold an `items` list stays one article.
    @Test func googleReaderExport() throws {
        let export = #"""
            {"id": "user/123/state/com.google/starred", "title": "Starred items", "author": "someone",
             "updated": 1320000000, "items": [
              {"id": "tag:google.com,2005:reader/item/0123456789abcdef",
               "categories": ["user/123/state/com.google/starred", "user/123/label/Harbour", "Ferries"],
               "title": "Ferry fares rise", "published": 1309999999,
               "alternate": [{"href": "https://gazette.example/ferry", "type": "text/html"}],
               "summary": {"direction": "ltr", "content": "<p>The ferry company raised prices.</p>"},
               "author": "Jane Doe", "origin": {"streamId": "feed/https://gazette.example/rss", "title": "Gazette"}},
              {"id": "tag:google.com,2005:reader/item/fedcba9876543210", "title": "Second item",
               "published": 1310000500, "canonical": [{"href": "https://gazette.example/second"}],
               "content": {"direction": "ltr", "content": "<div>Full <b>content</b> text.</div>"},
               "origin": {"title": "Gazette"}}]}
            """#
        for (text, path) in [
            (export, "reader/starred.json"),
            (export.replacingOccurrences(of: "\n", with: " ") + "\n", "reader/starred.jsonl"),
        ] {
            let r = load(text, path)
            #expect(r.articles.count == 2, "\(path): \(r.articles.map(\.title))")
            guard r.articles.count == 2 else { continue }
            let a = r.articles[0]
            #expect(a.title == "Ferry fares rise" && a.body == "The ferry company raised prices.")
            #expect(a.link == "https://gazette.example/ferry")
            #expect(a.date == "2011-07-07T00:53:19Z")
            #expect(a.authors == ["Jane Doe"])
            #expect(a.categories == ["Harbour", "Ferries", "Gazette"], "\(a.categories)")
            #expect(a.id == "tag:google.com,2005:reader/item/0123456789abcdef")
            let b = r.articles[1]
            #expect(b.body == "Full content text." && b.link == "https://gazette.example/second")
        }
        let article = #"{"title": "List story", "body": "Ten ferries.", "items": [{"title": "One", "body": "x"}]}"#
        #expect(load(article + "\n").articles.map(\.title) == ["List story"])
    }

    /// A Ghost blog's export: `{"db": [{"meta": …, "data": {"posts": [...], "tags": [...]}}]}`,
    /// each post's `html` as text, `published_at` as its date.
    @Test func ghostExport() {
        let ghost = #"""
            {"db": [{"meta": {"exported_on": 1194000000000, "version": "5.0.0"},
              "data": {"posts": [
                {"id": "6543a1", "title": "Bell rung again", "slug": "bell", "html": "<p>The bell <b>rang</b>.</p>",
                 "status": "published", "published_at": "2007-11-02T09:30:00.000Z", "type": "post"},
                {"id": "6543a2", "title": "Lectures", "html": "<p>Planned.</p>", "status": "draft", "published_at": null}],
               "tags": [{"id": "t1", "name": "History", "slug": "history"}]}}]}
            """#
        let r = load(ghost, "blog/ghost-export.json")
        #expect(r.articles.map(\.title) == ["Bell rung again", "Lectures"], "\(r.diagnostics)")
        #expect(r.articles.first?.body == "The bell rang.")
        #expect(r.articles.first?.date == "2007-11-02T09:30:00Z")
    }

    /// Social media archives: a Twitter (X) archive's `data/tweets.js` (a JavaScript assignment
    /// of `[{"tweet": {…}}]`: each tweet's `full_text`, `created_at`, id) and a Mastodon archive's
    /// `outbox.json` (ActivityPub `Create` activities in `orderedItems`: each post's HTML
    /// `content`, date, URL, hashtags; boosts, whose object is only an address, are no posts).
    @Test func socialMediaArchives() throws {
        let tweets = #"""
            window.YTD.tweets.part0 = [
              {"tweet": {"id_str": "1050118621198921728", "id": "1050118621198921728",
                "full_text": "The pilot boat Wren is back on station #harbour", "lang": "en",
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "entities": {"hashtags": [{"text": "harbour", "indices": ["39", "47"]}]}}},
              {"tweet": {"id": "1050118621198921729", "full_text": "Fog on the quay this morning",
                "created_at": "Thu Oct 11 07:02:00 +0000 2018"}}
            ]
            """#
        #expect(ArticleFormat.detect(Array(tweets.utf8)) == .json)
        let t = load(tweets, "twitter/data/tweets.js")
        #expect(
            t.articles.map(\.body) == [
                "The pilot boat Wren is back on station #harbour", "Fog on the quay this morning",
            ], "\(t.diagnostics)")
        #expect(t.articles.first?.date == "2018-10-10T20:19:24Z")
        #expect(t.articles.first?.id == "1050118621198921728")
        let outbox = #"""
            {"@context": "https://www.w3.org/ns/activitystreams", "id": "https://harbour.social/users/edna/outbox",
             "type": "OrderedCollection", "totalItems": 2, "orderedItems": [
              {"id": "https://harbour.social/users/edna/statuses/1/activity", "type": "Create",
               "actor": "https://harbour.social/users/edna", "published": "2023-06-12T08:00:00Z",
               "object": {"id": "https://harbour.social/users/edna/statuses/1", "type": "Note",
                 "published": "2023-06-12T08:00:00Z", "url": "https://harbour.social/@edna/1",
                 "content": "<p>New capstan on the north quay! <a href=\"https://harbour.social/tags/harbour\">#harbour</a></p>",
                 "tag": [{"type": "Hashtag", "name": "#harbour"}]}},
              {"id": "https://harbour.social/users/edna/statuses/2/activity", "type": "Announce",
               "published": "2023-06-13T08:00:00Z", "object": "https://elsewhere.example/statuses/9"}]}
            """#
        let m = load(outbox, "mastodon/outbox.json")
        let post = try #require(m.articles.first)
        #expect(m.articles.count == 1)
        #expect(post.body == "New capstan on the north quay! #harbour")
        #expect(post.link == "https://harbour.social/@edna/1" && post.date == "2023-06-12T08:00:00Z")
        #expect(post.categories == ["#harbour"])
    }

    @Test func prettySingleObjectAndSequence() {
        let one = """
            {
              "title": "Alone",
              "body": "Just one article.",
              "date": "2020-01-02"
            }
            """
        #expect(ArticleFormat.detect(Array(one.utf8)) == .json)
        let r = load(one, "s/one.json")
        #expect(r.articles.map(\.title) == ["Alone"])
        #expect(r.articles.first?.id == "s/one.json#0")
        #expect(r.diagnostics.isEmpty)
        let seq = one + "\n" + one.replacingOccurrences(of: "Alone", with: "Again")
        let s = load(seq, "s/seq.json")
        #expect(s.articles.map(\.title) == ["Alone", "Again"])
        #expect(s.articles.map(\.position) == [0, 1])
    }

    @Test func detection() {
        // JSON Feed stays JSON Feed, pretty or not.
        let feed =
            "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"items\": [{\"id\": \"1\", \"content_text\": \"x\"}]\n}"
        #expect(ArticleFormat.detect(Array(feed.utf8)) == .jsonFeed)
        #expect(load(feed).articles.count == 1)
        // JSON Lines stays JSON Lines.
        #expect(
            ArticleFormat.detect(Array("{\"_id\": \"1\", \"text\": \"x\"}\n{\"_id\": \"2\", \"text\": \"y\"}\n".utf8))
                == .jsonLines)
        // Text that opens with a brace or bracket stays text.
        for t in [
            "{draft} Notes on the harbour wall.\nMore text.", "[1] Introduction\nThe port grew.",
            "{\n  not json here\n}",
            "[Updated] Port news", "{\"a\": 1} and then prose", "[\"a\",\n \"b\"", "[1, 2,\n x]",
        ] {
            #expect(ArticleFormat.detect(Array(t.utf8)) != .json, "\(t)")
            #expect(ArticleFormat.detect(Array(t.utf8)) != .jsonLines || t.hasPrefix("{\"a\""), "\(t)")
        }
        // A JSON file that holds no articles: a note, not an error, not text.
        let package = """
            {
              "name": "some-tool",
              "version": "1.0.0",
              "description": "A tool.",
              "dependencies": {"left-pad": "^1.3.0"}
            }
            """
        #expect(ArticleFormat.detect(Array(package.utf8)) == .json)
        let p = load(package, "tool/package.json")
        #expect(p.articles.isEmpty && !p.rejected)
        #expect(p.diagnostics.map(\.message) == ["JSON without articles; skipped"])
        #expect(p.diagnostics.map(\.severity) == [.note])
        // On one line too (JSON Lines of one non-article object).
        let flat = #"{"name": "some-tool", "version": "1.0.0"}"#
        #expect(load(flat, "tool/package.json").diagnostics.map(\.message) == ["JSON without articles; skipped"])
        #expect(load("[1, 2, 3]", "n.json").diagnostics.map(\.message) == ["JSON without articles; skipped"])
    }

    @Test func badElementsAreSkippedWithWarnings() {
        let s = """
            [
              {"id": "1", "title": "ok", "text": "one"},
              {"id": "2", "title": "bad", "text": tru},
              {"id": "3", "title": "ok", "text": "three"}
            ]
            """
        let r = load(s, "b/x.json")
        #expect(r.articles.map(\.id) == ["1", "3"])
        #expect(r.articles.map(\.position) == [0, 2])
        let w = r.diagnostics.filter { $0.severity == .warning }
        #expect(w.count == 1 && w[0].line == 3 && w[0].message.contains("element 1"), "\(r.diagnostics)")
        // Cut short: the elements before the cut are kept.
        let cut = load(String(s.prefix(s.count - 60)), "b/x.json")
        #expect(cut.articles.map(\.id) == ["1"])
        #expect(cut.diagnostics.contains { $0.message.contains("cut short") })
        // Many bad elements: the first are named, the rest counted.
        let many =
            #"[{"title": "t", "text": "u"}, "# + Array(repeating: #"{"title": x}"#, count: 30).joined(separator: ",")
            + "]"
        let m = load(many, "b/m.json")
        #expect(m.articles.count == 1)
        #expect(m.diagnostics.filter { $0.severity == .warning }.count == JSONDocumentLoader.maxWarnings + 1)
    }

    /// Records for the streaming tests: WaPo-style, with escapes and HTML.
    static func records(_ n: Int) -> [String] {
        (0..<n).map { i in
            #"{"id": "r\#(i)", "title": "Record \#(i) \"quoted\" \\ back", "published_date": \#(1_325_376_000_000 + i * 60_000), "contents": [{"type": "sanitized_html", "subtype": "paragraph", "content": "<p>Text [\#(i)] with {braces} and \u00e9 ]}</p>"}]}"#
        }
    }

    @Test func streamedArrayEqualsWholeFileLoad() throws {
        let recs = Self.records(200)
        let text = "[\n" + recs.joined(separator: ",\n") + "\n]\n"
        let bytes = Array(text.utf8)
        let whole = ArticleLoading.load(bytes, relativePath: "big/arr.json")
        #expect(whole.articles.count == 200)
        #expect(whole.diagnostics.isEmpty, "\(whole.diagnostics)")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-newsjson-\(getpid()).json")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = CorpusFile(
            relativePath: "big/arr.json", path: Array(url.path.utf8CString), size: Int64(bytes.count), mtimeNanos: 0)
        var streamed: [Article] = []
        let d = try #require(ArticleLoading.stream(file, threshold: 1) { streamed.append($0) })
        #expect(d.isEmpty, "\(d)")
        #expect(streamed == whole.articles)
        // Every small block size: the scanner resumes across blocks (strings, escapes, brackets).
        for block in [1, 2, 3, 7, 64, 1000] {
            let fd = open(url.path, O_RDONLY)
            defer { close(fd) }
            var got: [Article] = []
            let diags = JSONDocumentLoader(blockSize: block).stream(fd: fd, relativePath: "big/arr.json") {
                got.append($0)
            }
            #expect(diags.isEmpty, "block \(block): \(diags)")
            #expect(got == whole.articles, "block \(block)")
        }
        // An element over the cap is skipped with a warning; the others are read.
        let capped = JSONDocumentLoader(maxValueBytes: 100, blockSize: 16).load(
            Array(("[" + #"{"title": "short", "text": "x"}, "# + recs[0] + "]").utf8), relativePath: "c.json")
        #expect(capped.articles.map(\.title) == ["short"])
        #expect(capped.diagnostics.contains { $0.message.contains("larger than") })
    }

    /// Hostile input: every prefix of the samples, and byte flips, never crash and never
    /// give more articles than the whole.
    @Test func hostileLoop() {
        let samples = [Self.guardian, Self.newsAPI, "[" + Self.records(3).joined(separator: ",") + "]", Self.wapo]
        for s in samples {
            let b = Array(s.utf8)
            let full = ArticleLoading.load(b, relativePath: "h/x.json").articles.count
            for cut in 0...b.count {
                let r = ArticleLoading.load(Array(b[0..<cut]), relativePath: "h/x.json")
                #expect(r.articles.count <= max(full, 1))
            }
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<300 {
                var c = b
                for _ in 0..<3 {
                    let k = Int.random(in: 0..<c.count, using: &rng)
                    c[k] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x00, 0xFF, 0x0A].randomElement(
                        using: &rng)!
                }
                _ = ArticleLoading.load(c, relativePath: "h/x.json")
                _ = c.withUnsafeBufferPointer { JSONDocumentLoader.plausible(Array($0), from: 0) }
            }
        }
    }

    /// An id with a URL scheme (`://` anywhere), a `urn:` or a `tag:` is global; any other id
    /// belongs to its collection.
    @Test func globalIdsAreUrlsAndUris() {
        for id in ["https://example.org/a", "x://y", "urn:uuid:1234", "tag:example.org,2024:1", "a://"] {
            #expect(NewsJSON.isGlobalID(id), "\(id)")
        }
        for id in ["wiki:56564557", "1234", "", ":/", "a:/b", "//x", "urn", "été:/ /"] {
            #expect(!NewsJSON.isGlobalID(id), "\(id)")
        }
    }
}
