import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct MarkdownTests {
    static func load(_ text: String, _ path: String) throws -> Article {
        let r = ArticleLoading.load(Array(text.utf8), relativePath: path)
        #expect(!r.rejected, "\(r.diagnostics)")
        return try #require(r.articles.first)
    }

    /// A Jekyll post: YAML front matter gives the title, date (Jekyll's spaced zone), author and
    /// tags and categories (inline and listed); links and images keep only their text.
    @Test func jekyllPost() throws {
        let a = try Self.load(
            """
            ---
            title: "Ferry survey results"
            date: 2024-03-05 10:00:00 +0100
            author: By Jane Doe
            tags: [ferries, 'harbour']
            categories:
              - transport
              - local
            draft: false
            ---

            The [survey](https://example.org/survey) of ferry users found most want a later boat.
            ![chart of answers](chart.png)
            """, "_posts/2024-03-05-survey.md")
        #expect(a.title == "Ferry survey results")
        #expect(a.date == "2024-03-05T09:00:00Z")
        #expect(a.authors == ["Jane Doe"])
        #expect(a.categories == ["ferries", "harbour", "transport", "local"])
        #expect(a.body == "The survey of ferry users found most want a later boat.\nchart of answers")
    }

    /// Windows line ends.
    @Test func crlfFrontMatter() throws {
        let a = try Self.load("---\r\ntitle: Windows post\r\ntags: a, b\r\n---\r\nBody.\r\n", "w.md")
        #expect(a.title == "Windows post" && a.categories == ["a", "b"])
        // A plain text file with Windows line ends has its first line as title too (its lines
        // were not split: `\r\n` is one Character).
        let t = try Self.load("Headline here\r\n\r\nBody line one.\r\nTwo.\r\n", "win.txt")
        #expect(t.title == "Headline here")
        #expect(t.body == "Body line one.\nTwo.\n")
    }

    /// Hugo's TOML front matter.
    @Test func hugoTOML() throws {
        let a = try Self.load(
            "+++\ntitle = \"Tide tables\"\ndate = 2023-11-02\nauthors = [\"Ann Lee\", \"Bo Chan\"]\n+++\nHigh water at noon.\n",
            "content/tides.md")
        #expect(a.title == "Tide tables" && a.date == "2023-11-02" && a.authors == ["Ann Lee", "Bo Chan"])
        #expect(a.body == "High water at noon.\n")
    }

    /// Heading titles lose their markup; underlined (setext) ones too; a plain text file that
    /// opens with a rule and no keys is read as it was.
    @Test func headingTitles() throws {
        let atx = try Self.load("## Notes on tides ##\n\nHigh water at [noon](http://x.y/z).\n", "notes.txt")
        #expect(atx.title == "Notes on tides")
        #expect(atx.body == "High water at noon.\n")
        let setext = try Self.load("Setext title\n============\n\nBody text.\n", "s.txt")
        #expect(setext.title == "Setext title" && setext.body == "Body text.\n")
        let dashed = try Self.load("Dashed title\n------------\nBody.\n", "d.md")
        #expect(dashed.title == "Dashed title" && dashed.body == "Body.\n")
        let rule = try Self.load("---\nnot front matter, just a rule\n---\n\nPlain [text](kept).\n", "rule.txt")
        #expect(rule.title == "---")
        #expect(rule.body.contains("[text](kept)"))
        #expect(rule.date == nil && rule.categories.isEmpty)
    }

    /// HTML comments are not Markdown's text, except inside a fenced code block; one never
    /// closed stays.
    @Test func commentsAreLeftOut() throws {
        #expect(Markdown.stripComments("a<!-- x -->b\n<!--\nlong\n-->c") == "ab\nc")
        #expect(
            Markdown.stripComments("```html\n<!-- shown -->\n```\n<!-- hidden -->d")
                == "```html\n<!-- shown -->\n```\nd")
        #expect(Markdown.stripComments("~~~\n```\n<!-- in ~~~ -->\n~~~\n") == "~~~\n```\n<!-- in ~~~ -->\n~~~\n")
        #expect(Markdown.stripComments("x <!-- open") == "x <!-- open")
        let a = try Self.load("<!-- generated: do not edit -->\n# Tide tables\n\nHigh <!-- check --> water.\n", "t.md")
        #expect(a.title == "Tide tables" && a.body == "High  water.\n", "\(a.title) | \(a.body)")
        // Compressed, as /usr/share/doc keeps them; a title line's link keeps its text.
        let z = try Self.load("<!-- licence -->\n* [About these tables](about.md)\n\nText.\n", "doc/README.md.gz")
        #expect(z.title == "* About these tables" && z.body == "Text.\n", "\(z.title) | \(z.body)")
        #expect(Markdown.hasMarkdownExtension("a/b.MD.bz2") && !Markdown.hasMarkdownExtension("a.md/notes.gz"))
    }

    @Test func linksAcrossLinesAreLeftAlone() {
        #expect(Markdown.stripLinks("a [b\nc](d) e") == "a [b\nc](d) e")
        #expect(Markdown.stripLinks("x [y] (z) [w](v)") == "x [y] (z) w")
        #expect(Markdown.stripLinks("[unclosed](http://a") == "[unclosed](http://a")
        // Badges: linked images keep their alt text.
        #expect(
            Markdown.stripLinks(
                "[![Build Status](https://ci.example/x.svg)](https://ci.example/x) and [![Docs](d.svg)](d)")
                == "Build Status and Docs")
    }
}
