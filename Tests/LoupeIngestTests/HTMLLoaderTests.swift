import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct HTMLLoaderTests {
    static func load(_ html: String, path: String = "site/page.html") -> LoadResult {
        ArticleLoading.load(Array(html.utf8), relativePath: path)
    }

    /// A page that states its headline, authors, dates and sections only in schema.org JSON-LD
    /// (in an `@graph`, beside the site's other nodes): they are read from there; a broken script
    /// before it is passed over; `<meta>` tags, where present, still come first, but a JSON-LD
    /// publication date outranks a `<meta>` modification date.
    /// JSON-LD wrapped in `<![CDATA[ … ]]>` (as XHTML wants, often behind `//`) or in an HTML
    /// comment is read: its date and author were lost (Readability's test pages have three).
    /// `HTMLText.collapse` writes straight into the string's storage: blank runs become one
    /// space, line breaks one break, no-break spaces blanks, a C1 control Windows-1252's
    /// character (three bytes out for two in, the most it grows), `<pre>`'s marked blanks as
    /// they were.
    @Test func collapseWritesEachCaseIntoTheString() {
        func c(_ bytes: [UInt8]) -> String { HTMLText.collapse(bytes) }
        #expect(c([]) == "")
        #expect(c(Array("  a \t\u{0B} b  ".utf8)) == "a b")
        #expect(c(Array("a \r\n\n b\n".utf8)) == "a\nb")
        #expect(c(Array("a\u{A0}\u{A0}b".utf8)) == "a b")
        #expect(c([0x61, 0x20, 0xC2, 0x80, 0x20, 0xC2, 0x81, 0xC2, 0x97, 0x62]) == "a \u{20AC} \u{2014}b")
        #expect(c([0x0A, HTMLText.preSpace, 0x78, 0x0A, HTMLText.preSpace, HTMLText.preSpace, 0x79]) == "x\n  y")
        #expect(c([0x78, 0x20, HTMLText.preTab, 0x79]) == "x\ty")
        let many: [UInt8] = (0..<3000).map { k in [0x20, 0xC2, 0x80][k % 3] }
        #expect(c(many) == Array(repeating: "\u{20AC}", count: 1000).joined(separator: " "))
        #expect(c(Array("caf\u{E9} \u{1F600}".utf8)) == "caf\u{E9} \u{1F600}")
    }

    @Test func jsonLDInsideCDATAOrComments() throws {
        for (open, close) in [("<![CDATA[", "]]>"), ("//<![CDATA[\n", "\n//]]>"), ("<!--", "-->")] {
            let html = """
                <html><head><title>Gazette</title><script type="application/ld+json">\(open)
                {"@context":"https://schema.org","@type":"BlogPosting","datePublished":"2024-06-25T09:00",
                 "author":{"@type":"Person","name":"Dave Steer"}}\(close)</script></head>
                <body><p>The survey found three surprising results about developer security.</p></body></html>
                """
            let a = try #require(HTMLLoaderTests.load(html).articles.first)
            #expect(a.date == "2024-06-25T09:00:00Z", "\(open)")
            #expect(a.authors == ["Dave Steer"], "\(open)")
        }
        #expect(LinkedData.unwrapped("{\"a\":1}") == nil)
    }

    /// A JSON-LD `headline` that is not the page's (Wikipedia's is the topic's one-line
    /// description) does not replace the title; one that the `<title>` holds does.
    @Test func jsonLDHeadlineMustFitThePage() throws {
        func title(_ headline: String, _ pageTitle: String, _ h1: String) throws -> String {
            let html = """
                <html><head><title>\(pageTitle)</title><script type="application/ld+json">
                {"@context":"https://schema.org","@type":"Article","headline":"\(headline)"}</script></head>
                <body><h1>\(h1)</h1><p>New Zealand is an island country in the south-western Pacific Ocean.</p></body></html>
                """
            return try #require(HTMLLoaderTests.load(html).articles.first).title
        }
        #expect(
            try title("constitutional monarchy in Oceania", "New Zealand - Wikipedia", "New Zealand") == "New Zealand")
        #expect(
            try title("Harbour reopens after repairs", "Harbour reopens after repairs | Gazette", "Harbour")
                == "Harbour reopens after repairs")
    }

    @Test func jsonLDArticle() throws {
        let html = """
            <html><head><title>Gazette</title>
            <meta property="article:modified_time" content="2024-06-01T00:00:00Z">
            <script type="application/ld+json">{ not json</script>
            <script type="application/ld+json">
            {"@context": "https://schema.org", "@graph": [
              {"@type": "WebSite", "name": "Portside Gazette", "url": "https://gazette.example/"},
              {"@type": ["NewsArticle", "ReportageNewsArticle"], "headline": "Ferry fares &amp; timetables change",
               "datePublished": "2024-03-05T10:00:00+01:00", "dateModified": "2024-06-01T00:00:00Z",
               "author": [{"@type": "Person", "name": "Jane Doe"}, "John Roe"],
               "articleSection": ["Local", "Transport"], "keywords": "ferries, fares",
               "mainEntityOfPage": {"@id": "https://gazette.example/ferry"}}]}
            </script></head>
            <body><p>The ferry company published its summer timetable with higher fares.</p></body></html>
            """
        let a = try #require(Self.load(html).articles.first)
        #expect(a.title == "Ferry fares & timetables change")
        #expect(a.date == "2024-03-05T09:00:00Z", "\(a.date ?? "nil")")
        #expect(a.authors == ["Jane Doe", "John Roe"])
        #expect(a.categories == ["Local", "Transport", "ferries", "fares"])
        #expect(a.link == "https://gazette.example/ferry")
        #expect(!a.body.contains("NewsArticle"))
        // `<meta>` tags first; a WebPage whose main entity is the article.
        let withMeta = """
            <html><head><meta name="author" content="Ann Lee"><meta property="og:title" content="OG title">
            <script type="application/ld+json">{"@type": "WebPage", "mainEntity": {"@type": "BlogPosting",
              "headline": "LD title", "author": {"name": "Bo Chan"}, "dateCreated": "2023-11-02"}}</script>
            </head><body><p>Text.</p></body></html>
            """
        let b = try #require(Self.load(withMeta).articles.first)
        #expect(b.title == "OG title" && b.authors == ["Ann Lee"])
        #expect(b.date?.hasPrefix("2023-11-02") == true)
        // A JSON-LD node that is not an article (an organisation, a recipe) gives nothing.
        let other = """
            <html><head><title>Page</title><script type="application/ld+json">{"@type": "Recipe",
              "name": "Soup", "author": "Chef", "datePublished": "2020-01-01"}</script></head>
            <body><p>Text.</p></body></html>
            """
        let c = try #require(Self.load(other).articles.first)
        #expect(c.title == "Page" && c.authors.isEmpty && c.date == nil)
    }

    /// A news page: the article's text without the site's navigation, scripts, styles, forms,
    /// asides, footers, hidden parts; its metadata from the usual `<meta>` tags.
    @Test func newsPage() throws {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head>
            <meta charset="utf-8">
            <title>Harbour council approves dredging | Portside Gazette</title>
            <meta name="author" content="By Jane Doe and John Roe">
            <meta property="article:author" content="https://gazette.example/staff/doe">
            <meta property="article:published_time" content="2024-03-05T10:00:00+01:00">
            <meta property="article:section" content="Local">
            <meta property="article:tag" content="harbour">
            <meta name="keywords" content="dredging, council , Harbour">
            <link rel="canonical" href="https://gazette.example/2024/dredging">
            <script>var a = 1 < 2 && "scriptword";</script>
            <style>p { color: red } .styleword {}</style>
            </head><body>
            <header><a href="/">Portside Gazette</a> bannerword</header>
            <nav><a href="/news">News</a> navword</nav>
            <article>
              <header><h1>Harbour council approves dredging</h1><p class="byline">By Jane Doe</p></header>
              <p>The council voted on Tuesday to dredge the inner harbour&nbsp;&mdash; a plan first
                 raised in 2019.
              <p>Work starts in May<br>and ends in autumn.
              <aside>asideword</aside>
              <div hidden>hiddenword</div><span aria-hidden="true">ariaword</span>
              <div role="navigation">roleword</div>
              <form><button>formword</button></form>
              <ul><li>First point<li>Second point</ul>
              <pre>line one
            line two</pre>
            </article>
            <footer>footerword &copy; 2024</footer>
            </body></html>
            """
        let r = Self.load(html)
        #expect(ArticleFormat.detect(Array(html.utf8)) == .html)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let a = try #require(r.articles.first)
        #expect(r.articles.count == 1)
        #expect(a.id == "site/page.html" && a.source == "site/page.html")
        // The <h1> (the <title> holds it, with the site's name after).
        #expect(a.title == "Harbour council approves dredging")
        #expect(a.date == "2024-03-05T09:00:00Z")
        // "By" dropped, two names; the article:author URL is no name.
        #expect(a.authors == ["Jane Doe", "John Roe"])
        #expect(a.link == "https://gazette.example/2024/dredging")
        // The keywords' Harbour is the tag's harbour: one category, in its first form.
        #expect(a.categories == ["Local", "harbour", "dredging", "council"])
        for word in [
            "scriptword", "styleword", "bannerword", "navword", "asideword", "hiddenword", "ariaword", "roleword",
            "formword", "footerword",
        ] {
            #expect(!a.body.contains(word), "\(word) in \(a.body)")
        }
        // The headline is not repeated; the article's own header (byline) stays; blocks end lines.
        #expect(
            a.body
                == """
                By Jane Doe

                The council voted on Tuesday to dredge the inner harbour\u{A0}— a plan first raised in 2019.

                Work starts in May
                and ends in autumn.

                First point
                Second point

                line one
                line two
                """)
    }

    /// A `<pre>` block keeps its lines' indentation and inner blanks (code, a table drawn with
    /// spaces); text around it is collapsed as before.
    @Test func preKeepsItsIndentation() throws {
        let html =
            "<html><head><title>Tides</title></head><body><article><p>Run  the\n script:</p>"
            + "<pre>\nfor t in tides {\n    print(t,  \"m\")\n}</pre><p>Done.</p></article></body></html>"
        let a = try #require(Self.load(html).articles.first)
        #expect(a.body == "Run the script:\n\nfor t in tides {\n    print(t,  \"m\")\n}\n\nDone.", "\(a.body)")
    }

    /// og:title wins; a <title> that does not hold the <h1> is the title; no title at all: the
    /// file name. Without <article>, <main> is the text; without either, <body>.
    /// A page that names its author in neither `<meta>` nor JSON-LD: its byline element
    /// (`rel="author"` or `itemprop="author"` first, then a `byline` or `author-name` class,
    /// then any `author` class), its first line, `By`/`Par`/`Por` dropped; never a comment's
    /// author, a follow button or a name with a digit; a `<meta name="author">` still wins.
    @Test func bylineElements() throws {
        func authors(_ body: String, head: String = "") -> [String] {
            HTMLLoaderTests.load("<html><head><title>T</title>\(head)</head><body>\(body)</body></html>")
                .articles.first?.authors ?? []
        }
        let text = "<p>The harbour reopened on Monday after a week of repairs to the quay.</p>"
        #expect(
            authors("<article><h1>T</h1><span class=\"byline\">By Jane Doe</span>\(text)</article>") == ["Jane Doe"])
        #expect(
            authors(
                "<div class=\"c-byline\">By<br><a href=\"/p/n\">Nathan Willis</a><br>March 25, 2015</div>\(text)")
                == ["Nathan Willis"])
        #expect(
            authors("<p class=\"byline\">By Erin Cunningham March 25, 2015 at 10:00</p>\(text)") == ["Erin Cunningham"])
        #expect(
            authors("<div class=\"authorInfo\"><span>por</span><br><span>César Salza</span></div>\(text)") == [
                "César Salza"
            ])
        #expect(
            authors(
                "<div class=\"author\">Tech Section</div><a rel=\"author\" href=\"/p\"><img alt=\"x\" src=\"a.jpg\"></a>"
                    + "<span itemprop=\"author\"><span itemprop=\"name\">Alex Perry</span></span>\(text)") == [
                    "Alex Perry"
                ])
        #expect(
            authors("<div class=\"author-name\">Kim Lee</div><div class=\"author\">Desk</div>\(text)") == ["Kim Lee"])
        #expect(
            authors("\(text)<div class=\"comments\"><p><span class=\"author\">Troll Person</span> said</p></div>")
                .isEmpty)
        #expect(
            authors(
                "<div id=\"FollowAuthor\">Follow Author</div><span class=\"author\">Updated 3 hours ago</span>\(text)"
            ).isEmpty)
        #expect(
            authors(
                "<span class=\"byline\">Jane Doe</span>\(text)", head: "<meta name=\"author\" content=\"Meta Name\">")
                == ["Meta Name"])
    }

    /// The text container: the one `itemprop="articleBody"`, else the `<article>` that holds
    /// twice the text of the others together (a story beside teasers of other stories: the page
    /// used to fall back to its whole body, and TMZ's kept only an image's U+FFFC); a body with
    /// no letter or digit is no text (the unfiltered page is read instead).
    @Test func articleBodyAndDominantArticle() throws {
        let story = String(repeating: "The harbour reopened on Monday after a week of repairs to the quay. ", count: 5)
        let teaser = "<article class=\"clearfix\"><p>zqteaser of another story</p></article>"
        let dominant = try #require(
            HTMLLoaderTests.load(
                "<html><head><title>T</title></head><body><div class=\"menu\">Home News</div><article class=\"news\"><p>\(story)</p></article>\(teaser)\(teaser)</body></html>"
            ).articles.first)
        #expect(!dominant.body.contains("zqteaser") && dominant.body.contains("harbour reopened"))
        let listing = try #require(
            HTMLLoaderTests.load(
                "<html><head><title>T</title></head><body><article><p>\(story)</p></article><article><p>\(story) zqsecond</p></article></body></html>"
            ).articles.first)
        #expect(listing.body.contains("zqsecond"))
        let micro = try #require(
            HTMLLoaderTests.load(
                "<html><head><title>T</title></head><body><div><h2>zqdek</h2><section itemprop=\"articleBody\"><p>\(story)</p></section><p>Order Reprints | zqpaper</p></div></body></html>"
            ).articles.first)
        #expect(micro.body.contains("harbour reopened") && !micro.body.contains("zqpaper"))
        let image = try #require(
            HTMLLoaderTests.load(
                "<html><head><title>T</title></head><body><div class=\"share\"><p>\(story)</p></div><p>\u{FFFC}</p></body></html>"
            ).articles.first)
        #expect(image.body.contains("harbour reopened"))
    }

    /// Where the markup names no container, or names one that misses the story, the page's
    /// paragraphs decide (`ContentBlocks`): cases from the article-extraction benchmark's kinds
    /// of pages, written anew.
    @Test func paragraphsFindTheStory() throws {
        let story = (1...6).map {
            "<p>Paragraph \($0) of the story: the harbour reopened on Monday, after a week of repairs, and the ferries ran again.</p>"
        }.joined()
        func body(_ html: String) throws -> String {
            try #require(
                HTMLLoaderTests.load("<html><head><title>T</title></head><body>\(html)</body></html>").articles.first
            ).body
        }
        // A first <main> that holds only an advert, the story in a second.
        let ad = try body(
            "<main><section class=\"billboard\"><div>zqadvert</div></section></main><main role=\"main\"><div class=\"story\">\(story)</div></main>"
        )
        #expect(ad.contains("Paragraph 6 of the story") && !ad.contains("zqadvert"))
        // The page's one <article> is a teaser of another story, inside the story's column.
        let teaser = try body(
            "<div class=\"wrapper\"><div class=\"see-also\"><article><h3>zqteaser headline</h3><div>Two people have been diagnosed, ...</div></article></div><div class=\"entry\">\(story)</div></div>"
        )
        #expect(teaser.contains("Paragraph 1 of the story") && !teaser.contains("zqteaser"))
        // No container named: the site's list of popular stories and its footer's address are
        // not the story.
        let plain = try body(
            "<div class=\"top\"><ol><li>zqpopular one</li><li>zqpopular two</li></ol></div><div class=\"col\">\(story)</div><div class=\"site-info\"><p>zqaddress: 1 Quay Street, Harbourtown, postcode 1234, all rights reserved.</p></div>"
        )
        #expect(
            plain.contains("Paragraph 3 of the story") && !plain.contains("zqpopular") && !plain.contains("zqaddress"))
        // A story written beside blocks, between pictures and <br>s.
        let loose = try body(
            "<div class=\"menu\"><ul><li><a href=\"/a\">June (15)</a></li><li><a href=\"/b\">May (5)</a></li></ul></div><div class=\"col\"><p class=\"titulo\">Headline</p><small>05/10/2018 - by Clarissa</small><br><img src=\"a.jpg\">The team of the home care service registered, this morning, the break-in of two of the five cars of the unit, which were left without their batteries.<br><br>The police came to the site to check.<div class=\"row\"><div>zqshare</div></div></div><div class=\"rodape\"><p>zqfooter text of the site, with its address, phone and e-mail, and a note on the cookies it sets.</p></div>"
        )
        #expect(loose.contains("break-in of two of the five cars") && !loose.contains("zqfooter"))
        // Readers' comments, long as they are, do not outscore a short story.
        let comment =
            "<div class=\"comment\"><div class=\"comment_content\"><p>\(String(repeating: "I agree, but it begs the question, who was in charge, and why, and since when, and how? ", count: 8))zqcomment</p></div></div>"
        let discussed = try body(
            "<div class=\"article\"><h1>Title</h1><div class=\"content\">Apple plans to release a new laptop with another keyboard in the first half of the year, according to sources.<br><br>It would follow the larger model.</div></div><div id=\"comments\">\(comment)\(comment)</div>"
        )
        #expect(discussed.contains("another keyboard") && !discussed.contains("zqcomment"))
        // A story split into steps, with adverts between: every step stays.
        let steps = (1...6).map {
            "<div class=\"mod step\"><div class=\"stepContent\"><div class=\"content\"><p>Step \($0): measure the glass, cut the moss, and place it gently, so that the terrarium keeps its shape.</p></div></div></div><div class=\"mod Inline\"><div>Advertisement</div></div>"
        }.joined()
        let howto = try body(
            "<section class=\"body\"><div class=\"col-main\">\(steps)</div></section><div class=\"col-rail\"><p>zqrail</p></div>"
        )
        #expect((1...6).allSatisfy { howto.contains("Step \($0):") })
        // A <main> that holds the story and a list of other stories' short lines: narrowed to
        // the story when that leaves out little text.
        let narrowed = try body(
            "<main><div class=\"article-body\">\(story)</div><div class=\"most\"><h4>Most Popular</h4><ol><li>zqother story one</li><li>2</li><li>zqother story two</li></ol></div></main>"
        )
        #expect(narrowed.contains("Paragraph 6") && !narrowed.contains("zqother"))
        // ... but not when the rest of the container is text too.
        let kept = try body(
            "<article><div class=\"lead\">\(story)</div><ul><li>\(String(repeating: "A point of the story that is written as a list item, with details. ", count: 12))</li></ul></article>"
        )
        #expect(kept.contains("A point of the story"))
    }

    /// An inline style that hides an element (`display: none`, `visibility:hidden`) hides its
    /// text, as a browser shows the page: a microdata copy of the headline and dates, a share
    /// bar waiting for a script.
    @Test func hiddenByStyle() throws {
        let a = try #require(
            HTMLLoaderTests.load(
                #"<html><body><div style="display:none;" itemscope><div itemprop="headline">zqcopy</div><div itemprop="datePublished">2019-11-19</div></div><p>The story itself.</p><div style="Visibility: Hidden">zqshare</div><div style="display: block">Shown.</div></body></html>"#
            ).articles.first)
        #expect(a.body == "The story itself.\n\nShown.")
    }

    /// A book's chapter or a mail's HTML is read whole: the paragraphs' judgement is for web
    /// pages.
    @Test func pageTextIsNotJudged() {
        let chapter =
            "<html><body><h1>Chapter One</h1><div class=\"chapter\">"
            + (1...4).map {
                "<p>Sentence \($0) of the chapter, long enough to count as a paragraph, with commas, and more.</p>"
            }.joined() + "</div><p>Notes</p></body></html>"
        let t = HTMLLoader.pageText(Array(chapter.utf8))
        #expect(t.hasPrefix("Chapter One") && t.hasSuffix("Notes"))
    }

    /// The `<h1>` is the title when the `<title>` holds it and it is at least half of it: a
    /// site's logo in an `<h1>` (`V8`) is not the post's title.
    @Test func logoHeadingIsNoTitle() {
        let logo = Self.load(
            "<html><head><title>Outside the web: standalone binaries using Emscripten · V8</title></head><body><h1>V8</h1><p>Text.</p></body></html>"
        )
        #expect(logo.articles.first?.title == "Outside the web: standalone binaries using Emscripten · V8")
        let story = Self.load(
            "<html><head><title>Harbour reopens after repairs - The Gazette</title></head><body><h1>Harbour reopens after repairs</h1><p>Text.</p></body></html>"
        )
        #expect(story.articles.first?.title == "Harbour reopens after repairs")
    }

    @Test func titlesAndContainers() throws {
        let og = Self.load(
            #"<html><head><meta property="og:title" content="The real headline"><title>Site</title></head><body><h1>Other</h1><p>x</p></body></html>"#
        )
        #expect(og.articles.first?.title == "The real headline")
        let plain = Self.load(
            "<html><head><title>Annual report</title></head><body><h1>Contents</h1><p>text</p></body></html>")
        #expect(plain.articles.first?.title == "Annual report")
        #expect(plain.articles.first?.body == "Contents\n\ntext")
        let none = Self.load("<html><body><p>Just a paragraph.</p></body></html>", path: "dump/notes.htm")
        #expect(none.articles.first?.title == "notes")
        let main = Self.load("<html><body><div>menu words</div><main><p>Main text.</p></main></body></html>")
        #expect(main.articles.first?.body == "Main text.")
        let role = Self.load(#"<html><body><div>menu</div><div role="main">Role text.</div></body></html>"#)
        #expect(role.articles.first?.body == "Role text.")
        // Several <article>s (a listing page): the whole body, and their headers stay.
        let listing = Self.load(
            "<html><body><header>Site banner</header><article><header>One</header><p>a</p></article><article><p>b</p></article></body></html>"
        )
        #expect(listing.articles.first?.body == "One\n\na\n\nb")
        // A <time datetime> in the text dates a page without date metadata.
        let timed = Self.load(
            #"<html><body><article><time datetime="2023-11-02">2 Nov</time><p>x</p></article></body></html>"#)
        #expect(timed.articles.first?.date == "2023-11-02")
    }

    /// A page without semantic elements (div soup): blocks named as menus, footers, share bars,
    /// related links or comments, and blocks that are mostly link text, are the site's; a block
    /// naming the content too stays. A page of nothing but links keeps its text.
    @Test func boilerplateOfDivSoup() throws {
        let html = """
            <html><head><title>Tide tables</title><meta name="keywords" content="Tide tables"></head><body>
            <div id="top-menu"><a href="/">Home</a> <a href="/w">World</a></div>
            <div class="content">
              <div class="article-header">Tide tables for the week</div>
              <p>High water is at 06:12 on Monday, <a href="/t">later</a> each day after.</p>
              <ul><li><a href="/1">Ferry times change</a><li><a href="/2">Storm closes pier</a></ul>
              <div class="share-bar">Share this</div>
              <div id="comments">First comment</div>
            </div>
            <div class="site_footer">Copyright notice</div>
            </body></html>
            """
        let a = try #require(Self.load(html).articles.first)
        #expect(a.body == "Tide tables for the week\n\nHigh water is at 06:12 on Monday, later each day after.")
        #expect(a.categories.isEmpty)
        let links = Self.load(
            #"<html><body><ul><li><a href="/a">Alpha page</a><li><a href="/b">Beta page</a></ul></body></html>"#)
        #expect(links.articles.first?.body == "Alpha page\nBeta page")
    }

    /// Tag soup as browsers read it: unclosed elements, stray ampersands, HTML's named entities,
    /// upper-case tags, a fragment without <html>.
    @Test func tagSoup() throws {
        let soup = Self.load("<HTML><BODY><P>Fish &amp; chips & peas<P>Caf&eacute; <B>bold <I>both</B> italic</BODY>")
        #expect(soup.articles.first?.body == "Fish & chips & peas\n\nCafé bold both italic")
        let fragment = "<p>One paragraph<p>Another"
        #expect(ArticleFormat.detect(Array(fragment.utf8)) == .html)
        #expect(Self.load(fragment).articles.first?.body == "One paragraph\n\nAnother")
        let xhtml = #"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>"#
        #expect(ArticleFormat.detect(Array(xhtml.utf8)) == .html)
        // Feeds and other XML keep their loaders.
        #expect(ArticleFormat.detect(Array("<rss version=\"2.0\"><channel/></rss>".utf8)) == .feed)
        #expect(ArticleFormat.detect(Array("<catalog><item/></catalog>".utf8)) == .xml)
        // An XML document whose root is named like an HTML element (JATS) stays XML.
        let jats = #"<?xml version="1.0"?><article article-type="research"><front/><body><p>x</p></body></article>"#
        #expect(ArticleFormat.detect(Array(jats.utf8)) == .xml)
    }

    /// Nesting deeper than libxml2's default limit (256) loses nothing: a thousand unclosed
    /// <font> tags (old pages have them) and 100,000 nested <div>s.
    @Test func deepNesting() throws {
        let fonts = "<html><body>" + (0..<1000).map { "<font size=2>w\($0) " }.joined() + "lastword</body></html>"
        let f = try #require(Self.load(fonts).articles.first)
        #expect(f.body.hasSuffix("w999 lastword"))
        let divs =
            "<html><body>" + String(repeating: "<div>", count: 100_000) + "deepword"
            + String(repeating: "</div>", count: 100_000) + "<p>after</p></body></html>"
        let d = try #require(Self.load(divs).articles.first)
        #expect(d.body == "deepword\n\nafter")
        // Four stories' worth of paragraphs, each at the bottom of its own chain 20,000 deep:
        // finding what holds three of them is one walk up from each, not one per ancestor.
        let chain =
            String(repeating: "<div>", count: 20_000)
            + "<div class=\"part\"><p>A paragraph of the story, with commas, and clauses, long enough to count.</p></div>"
            + String(repeating: "</div>", count: 20_000)
        let chains = try #require(
            Self.load("<html><body>" + String(repeating: chain, count: 4) + "</body></html>").articles.first)
        #expect(chains.body.components(separatedBy: "A paragraph of the story").count == 5)
    }

    /// Encodings: a declared charset is libxml2's to decode; an undeclared page is UTF-8, its
    /// bytes that are not UTF-8 read as Windows-1252 (with a warning naming the line).
    @Test func encodings() throws {
        let declared: [UInt8] =
            Array(
                #"<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Na"#.utf8)
            + [0xEF] + Array("ve</title></head><body><p>r".utf8) + [0xE9] + Array("sum".utf8) + [0xE9]
            + Array("</p></body></html>".utf8)
        let d = ArticleLoading.load(declared, relativePath: "d.html")
        #expect(d.articles.first?.title == "Naïve")
        #expect(d.articles.first?.body == "résumé")
        #expect(d.diagnostics.isEmpty)
        let mixed: [UInt8] =
            Array("<html><body>\n<p>cr\u{E8}me ".utf8) + [0x93] + Array("quoted".utf8) + [0x94, 0x0A]
            + Array("</p></body></html>".utf8)
        let m = ArticleLoading.load(mixed, relativePath: "m.html")
        #expect(m.articles.first?.body == "crème “quoted”")
        #expect(m.diagnostics.map(\.line) == [2])
        #expect(m.diagnostics.first?.severity == .warning)
        #expect(!m.rejected)
    }

    /// A page with no text and no title gives no article, and says so; a title alone is an
    /// article.
    @Test func emptyPages() {
        let empty = Self.load("<html><head><script>x()</script></head><body> </body></html>")
        #expect(empty.articles.isEmpty && !empty.rejected)
        #expect(empty.diagnostics.map(\.severity) == [.note])
        #expect(
            Self.load("<html><head><title>Only a title</title></head></html>").articles.first?.title == "Only a title")
    }
}
