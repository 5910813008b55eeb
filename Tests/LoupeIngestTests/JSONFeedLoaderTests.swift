import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct JSONFeedLoaderTests {
    /// A pretty-printed JSON Feed 1.1: its items are the articles (text, HTML or summary bodies,
    /// dates, tags, links, a number id), not one plain-text article of JSON.
    @Test func itemsAreArticles() {
        let json = """
            {
              "version": "https://jsonfeed.org/version/1.1",
              "title": "Example",
              "items": [
                {"id": "2", "title": "Second", "content_text": "Plain   text\\nbody.",
                 "url": "https://e.org/2", "date_published": "2024-02-01T10:00:00+01:00", "tags": ["a", "b"]},
                {"id": 7, "content_html": "<p>Hello <b>there</b>, caf&eacute;</p>", "external_url": "https://x.org/7"},
                {"summary": "Only a summary.", "url": "https://e.org/s"},
                {"title": "Nothing else"}
              ]
            }
            """
        let r = ArticleLoading.load(Array(json.utf8), relativePath: "blog/feed.json")
        #expect(ArticleFormat.detect(Array(json.utf8)) == .jsonFeed)
        #expect(!r.rejected)
        #expect(r.articles.map(\.id) == ["2", "7", "https://e.org/s", "blog/feed.json#3"])
        #expect(r.articles.map(\.title) == ["Second", "", "", "Nothing else"])
        #expect(r.articles[0].body == "Plain text\nbody.")
        #expect(r.articles[0].date == "2024-02-01T09:00:00Z")
        #expect(r.articles[0].categories == ["a", "b"])
        #expect(r.articles[0].link == "https://e.org/2")
        #expect(r.articles[1].body == "Hello there, café")  // inline tags separate nothing
        #expect(r.articles[1].link == "https://x.org/7")
        #expect(r.articles[2].body == "Only a summary.")
    }

    /// JSON Feed 1.1 `authors` (objects: name, url, avatar) and 1.0 `author` (one object); items
    /// without their own take the feed's.
    @Test func authorsOfItemsAndInheritedFromTheFeed() {
        let v11 = """
            {"version": "https://jsonfeed.org/version/1.1", "title": "Blog",
             "authors": [{"name": "Feed Owner", "url": "https://e.org/"}],
             "items": [
               {"id": "1", "content_text": "a", "authors": [
                 {"name": "Jane Doe", "url": "https://e.org/jane", "avatar": "https://e.org/j.png"},
                 {"name": "By John Roe"}, {"url": "https://e.org/nameless"}]},
               {"id": "2", "content_text": "b"},
               {"id": "3", "content_text": "c", "authors": []}
             ]}
            """
        let r = ArticleLoading.load(Array(v11.utf8), relativePath: "blog/feed.json")
        #expect(!r.rejected)
        #expect(r.articles.map(\.authors) == [["Jane Doe", "John Roe"], ["Feed Owner"], ["Feed Owner"]])
        let v10 = """
            {"version": "https://jsonfeed.org/version/1", "author": {"name": "Old Owner", "url": "https://e.org/"},
             "items": [
               {"id": "1", "content_text": "a", "author": {"name": "jane@example.com (Jane Doe)"}},
               {"id": "2", "content_text": "b"}
             ]}
            """
        let o = ArticleLoading.load(Array(v10.utf8), relativePath: "old/feed.json")
        #expect(o.articles.map(\.authors) == [["Jane Doe"], ["Old Owner"]])
        let none = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "content_text": "a"}]}"#
        #expect(ArticleLoading.load(Array(none.utf8), relativePath: "n.json").articles.map(\.authors) == [[]])
    }

    /// On one line (which JSON Lines detection would take) and with escaped slashes, as PHP
    /// writes it: still a JSON Feed. A broken one is rejected with the parser's reason.
    @Test func oneLineEscapedSlashesAndBrokenJSON() {
        let line = #"{"version":"https:\/\/jsonfeed.org\/version\/1","items":[{"id":"a","title":"One line"}]}"#
        #expect(ArticleFormat.detect(Array(line.utf8)) == .jsonFeed)
        #expect(ArticleLoading.load(Array(line.utf8), relativePath: "f.json").articles.map(\.title) == ["One line"])
        let broken = #"{"version": "https://jsonfeed.org/version/1.1", "items": [ {"id": "a", }"#
        let r = ArticleLoading.load(Array(broken.utf8), relativePath: "b.json")
        #expect(r.rejected)
        #expect(r.diagnostics.first?.message.contains("not valid JSON") == true)
        // JSON Lines that merely mention jsonfeed.org in a text stay JSON Lines.
        let jsonl = #"{"id": "1", "text": "see jsonfeed.org"}"# + "\n" + #"{"id": "2", "text": "x"}"#
        #expect(ArticleFormat.detect(Array(jsonl.utf8)) == .jsonLines)
    }
}
