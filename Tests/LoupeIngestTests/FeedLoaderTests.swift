import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct FeedLoaderTests {
    /// `bytes` written to a file and read by the streaming reader in chunks of `chunkSize`.
    func streamed(_ bytes: [UInt8], _ name: String, chunkSize: Int = 1 << 16) throws -> ([Article], [Diagnostic]) {
        let dir = TestScratch.url("feed-stream")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try FileIO.write(bytes, to: path)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var got: [Article] = []
        let diags = FeedLoader().stream(fd: fd, relativePath: name, chunkSize: chunkSize) { got.append($0) }
        return (got, diags)
    }

    func load(_ xml: String, _ path: String = "f.xml") -> LoadResult {
        ArticleLoading.load(Array(xml.utf8), relativePath: path)
    }

    @Test func rss2ItemsWithCDATAHTMLAndDates() {
        let r = load(
            """
            <?xml version="1.0"?>
            <rss version="2.0"><channel><title>C</title>
            <item><title>One &amp; only</title><link>https://e.org/1</link><guid>g1</guid>
            <pubDate>Tue, 24 Jul 2007 10:15:00 +0300</pubDate><category>Iraq</category>
            <description><![CDATA[<p>Hello <b>world</b> caf&eacute; <script>bad()</script>done</p>]]></description></item>
            <item><title>Two</title><link>https://e.org/2</link>
            <description>&lt;p&gt;escaped &amp;amp; markup&lt;/p&gt;</description></item>
            </channel></rss>
            """)
        #expect(!r.rejected)
        #expect(r.articles.count == 2)
        let a = r.articles[0]
        #expect(a.id == "g1")
        #expect(a.title == "One & only")
        #expect(a.link == "https://e.org/1")
        #expect(a.date == "2007-07-24T07:15:00Z")
        #expect(a.categories == ["Iraq"])
        #expect(a.body == "Hello world café done")
        // No GUID: the link is the id.
        #expect(r.articles[1].id == "https://e.org/2")
        #expect(r.articles[1].body == "escaped & markup")
    }

    /// An item's HTML wrapped in the source is read as a browser shows it: one paragraph a
    /// line; a plain-text description (and one with links only) keeps its own lines.
    @Test func wrappedHTMLIsOneLineAParagraph() {
        let r = load(
            """
            <?xml version="1.0"?>
            <rss version="2.0"><channel><title>C</title>
            <item><guid>h</guid><description><![CDATA[<p>The harbour ferry will
            run again from Monday,
            the council said.</p>
            <p>Fares stay.</p>]]></description></item>
            <item><guid>t</guid><description>Studio flat
            Available 22 June
            Call &lt;a href="x"&gt;the agent&lt;/a&gt;</description></item>
            </channel></rss>
            """)
        #expect(
            r.articles.map(\.body) == [
                "The harbour ferry will run again from Monday, the council said.\nFares stay.",
                "Studio flat\nAvailable 22 June\nCall the agent",
            ])
    }

    /// libxml2's safety limits stay on, and the error says so rather than naming the option
    /// that would lift them.
    @Test func safetyLimitsAreNamedNotLifted() {
        let deep =
            "<rss version=\"2.0\"><channel><item><title>t</title><description>"
            + String(repeating: "<div>", count: 300) + "x" + String(repeating: "</div>", count: 300)
            + "</description></item></channel></rss>"
        let r = FeedLoader().load(Array(deep.utf8), relativePath: "deep.xml")
        let message = r.diagnostics.first?.message ?? ""
        #expect(r.rejected && message.contains("libxml2's safety limit, kept"), "\(r.diagnostics)")
        #expect(!message.contains("XML_PARSE_HUGE"))
    }

    /// HTML's named entities outside CDATA with no DTD (a fatal error to XML, common in real
    /// feeds) are read as their characters; an entity HTML does not define either is kept as
    /// written, with a warning naming its line.
    @Test func htmlNamedEntitiesWithoutADTD() {
        let r = load(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Q</title>
            <item><title>Caf&eacute; prices&nbsp;rise &amp; fall</title><guid>q1</guid>
            <description>Rose&nbsp;again &mdash; &ldquo;rent&rdquo;, &alpha; &rarr; &Omega; &hellip;</description></item>
            </channel></rss>
            """)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Café prices rise & fall")
        #expect(r.articles.first?.body == "Rose again — “rent”, α → Ω …")
        let odd = load("<rss version=\"2.0\"><channel>\n<item><title>a &zqfoo; b</title></item></channel></rss>")
        #expect(!odd.rejected)
        #expect(odd.articles.first?.title == "a &zqfoo; b")
        #expect(odd.diagnostics.map(\.line) == [2], "\(odd.diagnostics)")
        #expect(odd.diagnostics.first?.message.contains("undefined entity &zqfoo;") == true)
    }

    /// The places that make real feeds ill-formed XML, read as feed readers read them, each
    /// kind with one warning at its first line: a bare `&` (a name, a link's query), an
    /// undefined entity, `--` inside a comment, control characters raw or as references; a
    /// numeric reference to a C1 code is Windows-1252's character. CDATA is left as it is, and
    /// an entity the document's DTD declares stays the parser's.
    @Test func illFormedFeedsAreReadAsFeedReadersReadThem() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>AT&T news</title>
            <!-- made by a plugin -- v2 ---><!-- ---------------------------------------- -->
            <item><guid>i1</guid><title>Q&A: R&amp;D &zqfoo; 5 &#150; 6 &#X41;&#x42;</title>
            <link>https://e.org/s?a=1&b=2&amp;c=3</link>
            <description><![CDATA[<p>Tom & Jerry &amp; &zqbar; <!-- x -- y --></p>]]></description></item>
            <item><guid>i2</guid><title>Form\u{0C}feed and\u{1B}escape&#8;end</title></item>
            <item><guid>i3</guid><title>Breaks</title><description>a<br>b<BR >c<img src="x.png">d<br/>e<br></br>f</description></item>
            </channel></rss>
            """
        let r = load(xml)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.map(\.title) == ["Q&A: R&D &zqfoo; 5 \u{2013} 6 AB", "Form feed and escape end", "Breaks"])
        #expect(r.articles.last?.body == "a\nb\nc d\ne\nf", "\(r.articles.last?.body ?? "")")
        #expect(r.articles.first?.link == "https://e.org/s?a=1&b=2&c=3")
        #expect(r.articles.first?.body == "Tom & Jerry & &zqbar;")
        let warnings = r.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.count == 5, "\(r.diagnostics)")
        #expect(warning("<br>, <hr> or <img> never closed")?.line == 8)
        #expect(warning("<br>, <hr> or <img> never closed")?.message.contains("(3 in the file)") == true)
        func warning(_ text: String) -> Diagnostic? { warnings.first { $0.message.contains(text) } }
        #expect(warning("& that begins no entity reference")?.line == 2)
        #expect(warning("& that begins no entity reference")?.message.contains("(3 in the file)") == true)
        #expect(warning("undefined entity &zqfoo;")?.line == 4)
        #expect(warning("-- inside a comment")?.line == 3)
        #expect(warning("U+000C, which XML forbids")?.line == 7)
        #expect(warning("U+000C")?.message.contains("(3 in the file)") == true)
        // Streamed in small chunks: the same articles and warnings.
        for size in [16, 21, 29, 64] {
            let (got, diags) = try streamed(Array(xml.utf8), "ill.xml", chunkSize: size)
            #expect(got.map(\.title) == r.articles.map(\.title), "chunk \(size)")
            #expect(got.map(\.body) == r.articles.map(\.body), "chunk \(size)")
            #expect(diags.map(\.line) == r.diagnostics.map(\.line), "chunk \(size): \(diags)")
        }
        // A `<` that begins no tag is text, in XML (written `&lt;` before parsing) and in the
        // item's HTML alike.
        let lt = load(
            "<rss version=\"2.0\"><channel>\n<item><guid>l</guid><title>Rates <5% and x < y</title>"
                + "<description><![CDATA[I <3 ferries, 1<2>3]]></description></item></channel></rss>")
        #expect(lt.articles.first?.title == "Rates <5% and x < y", "\(lt.diagnostics)")
        #expect(lt.articles.first?.body == "I <3 ferries, 1<2>3")
        #expect(
            lt.diagnostics.map(\.line) == [2] && lt.diagnostics.first?.message.contains("< that begins no tag") == true)
        // An entity the internal subset declares is the parser's (no warning for it); one it
        // does not declare is kept as written.
        let declared = load(
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY corp "Acme"> ]>
            <rss version="2.0"><channel><item><guid>d</guid><title>By &corp; and &zz;</title></item></channel></rss>
            """)
        #expect(!declared.rejected, "\(declared.diagnostics)")
        #expect(declared.diagnostics.map(\.message).joined().contains("&zz;"))
        #expect(!declared.diagnostics.map(\.message).joined().contains("&corp;"))
        // A UTF-16 feed is passed through untouched (its bytes are not ASCII's).
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u
            in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><item><guid>u</guid><title>R&amp;D &#233;</title></item></channel></rss>"
            .utf16
        {
            utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        let wide = ArticleLoading.load(utf16, relativePath: "u.xml")
        #expect(wide.articles.first?.title == "R&D é", "\(wide.diagnostics)")
        #expect(wide.diagnostics.isEmpty)
        // Still broken: a mismatched tag rejects the file with its line.
        let broken = load("<rss version=\"2.0\"><channel>\n<item><title>a & b</tite></item></channel></rss>")
        #expect(broken.rejected)
        #expect(broken.diagnostics.contains { $0.severity == .error && $0.line == 2 }, "\(broken.diagnostics)")
    }

    /// A feed declared ISO-8859-1 whose bytes 0x80–0x9F are Windows-1252 (curly quotes,
    /// dashes): read as Windows-1252, as browsers read that label.
    @Test func latin1LabelReadAsWindows1252() {
        var bytes = Array(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item><guid>w</guid><title>"
                .utf8)
        bytes += [0x93, 0x71, 0x94, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x20, 0x96, 0x20, 0x80, 0x35, 0x20, 0x8D, 0x78]
        bytes += Array("</title><description>It".utf8) + [0x92] + Array("s</description></item></channel></rss>".utf8)
        let r = ArticleLoading.load(bytes, relativePath: "w.xml")
        #expect(!r.rejected)
        #expect(r.articles.first?.title == "“q” café – €5 x")
        #expect(r.articles.first?.body == "It’s")
    }

    /// A document UTF-8 by its declaration (or by having none) with bytes that are not UTF-8:
    /// those bytes are read as Windows-1252, valid sequences stay, and a warning names the first
    /// line; a document declaring ISO-8859-1 is decoded by libxml2 as declared, with no warning.
    @Test func invalidUTF8InAUTF8FeedIsReadAsWindows1252() {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n".utf8)
        bytes += Array("<item><guid>x</guid><title>Z\u{FC}rich ".utf8) + [0x93, 0x63, 0x61, 0x66, 0xE9, 0x94]
        bytes += Array(" \u{4E2D}</title></item></channel></rss>".utf8)
        let r = ArticleLoading.load(bytes, relativePath: "x.xml")
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Zürich “café” 中")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 3 && $0.message.contains("Latin-1") })
        var latin = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>".utf8)
        latin += Array("<item><guid>y</guid><title>caf".utf8) + [0xE9] + Array("</title></item></channel></rss>".utf8)
        let l = ArticleLoading.load(latin, relativePath: "y.xml")
        #expect(l.articles.first?.title == "café")
        #expect(!l.diagnostics.contains { $0.severity == .warning })
        let clean = load(
            "<rss version=\"2.0\"><channel><item><guid>z</guid><title>Zürich</title></item></channel></rss>")
        #expect(clean.articles.first?.title == "Zürich")
        #expect(clean.diagnostics.isEmpty)
    }

    /// The streamed reader rewrites the same references, re-reads the same bytes and repairs
    /// the same ill-formed places (CDATA and comments told apart) wherever its chunks cut them
    /// (multi-byte characters included).
    /// An item's relative link is resolved (RFC 3986) against the `xml:base` in force, else
    /// the feed's own address (`rel="self"`), else its site's (Atom's alternate link, RSS's
    /// channel link): a hit's link is one a reader can open.
    @Test func relativeLinksAreResolved() throws {
        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.e.org/">
            <title>B</title><link rel="self" href="https://blog.e.org/feeds/all.atom"/>
            <entry><id>a1</id><title>One</title><link href="posts/1.html"/></entry>
            <entry xml:base="https://other.e.org/dir/"><id>a2</id><title>Two</title><link rel="alternate" href="../x/2"/></entry>
            <entry><id>a3</id><title>Three</title><link href="https://abs.e.com/3"/></entry>
            </feed>
            """
        let rss = """
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>S</title>
            <link>https://site.e.net/news/</link>
            <atom:link rel="self" href="https://site.e.net/news/feed.xml"/>
            <item><title>R1</title><link>/a/1</link></item>
            <item><title>R2</title><link>b/2</link><guid isPermaLink="false">r2</guid></item>
            <item><title>R3</title><link>mailto:desk@e.net</link><guid isPermaLink="false">r3</guid></item>
            </channel></rss>
            """
        let site = """
            <rss version="2.0"><channel><title>S</title><link> https://site.e.net/news/ </link>
            <item><title>P1</title><link>p/1</link><guid isPermaLink="false">p1</guid></item></channel></rss>
            """
        let none = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>N</title><link rel="self" href="/feed"/>
            <entry><id>n1</id><title>N1</title><link href="/n/1"/></entry></feed>
            """
        let cases: [(String, String, [String], [String?])] = [
            (
                atom, "f.atom", ["a1", "a2", "a3"],
                ["https://blog.e.org/posts/1.html", "https://other.e.org/x/2", "https://abs.e.com/3"]
            ),
            (
                rss, "f.rss", ["https://site.e.net/a/1", "r2", "r3"],
                ["https://site.e.net/a/1", "https://site.e.net/news/b/2", "mailto:desk@e.net"]
            ),
            (site, "s.rss", ["p1"], ["https://site.e.net/news/p/1"]),
            (none, "n.atom", ["n1"], ["/n/1"]),
        ]
        for (xml, name, ids, links) in cases {
            let whole = FeedLoader().load(Array(xml.utf8), relativePath: name).articles
            #expect(whole.map(\.id) == ids)
            #expect(whole.map(\.link) == links)
            for chunk in [7, 64] {
                let (streamed, _) = try streamed(Array(xml.utf8), name, chunkSize: chunk)
                #expect(streamed.map(\.link) == links, "\(name), chunks of \(chunk)")
            }
        }
        #expect(
            XMLStreamReader.hasScheme("urn:x") && !XMLStreamReader.hasScheme("a/b:c")
                && !XMLStreamReader.hasScheme(":x"))
    }

    @Test func streamedRepairEqualsWholeFileRepairAtEveryChunkSize() throws {
        var xml: [UInt8] = Array("<rss version=\"2.0\"><channel>".utf8)
        for i in 0..<40 {
            xml += Array("<item><guid>g\(i)</guid><title>t&eacute;&nbsp;\(i)&amp;&thetasym;&ne;x é中😀".utf8)
            if i % 3 == 0 { xml += [0x20, 0xE9, 0x93, 0x41] }
            xml += Array(" R&D&#150;&zq;</title><description>&ldquo;a&rdquo;&mdash;&rArr;\(i)".utf8)
            xml += Array("<![CDATA[ a]] & &zq; <!--]]></description></item><!-- c -- \(i) --->\n".utf8)
        }
        xml += Array("</channel></rss>".utf8)
        let whole = FeedLoader().load(xml, relativePath: "f.xml")
        #expect(!whole.rejected)
        #expect(whole.articles.count == 40)
        #expect(whole.articles.first?.title == "té 0&ϑ≠x é中😀 é“A R&D–&zq;")
        #expect(whole.articles.first?.body == "“a”—⇒0 a]] & &zq; <!--")
        #expect(whole.diagnostics.first?.line == 1)
        #expect(whole.diagnostics.count == 4, "\(whole.diagnostics)")
        for size in [16, 17, 19, 23, 31, 64, 100] {
            let (got, diags) = try streamed(xml, "f.xml", chunkSize: size)
            #expect(!diags.contains { $0.severity == .error }, "\(size): \(diags)")
            #expect(diags.first { $0.severity == .warning }?.line == 1, "\(size): \(diags)")
            #expect(got.map(\.title) == whole.articles.map(\.title), "chunk \(size)")
            #expect(got.map(\.body) == whole.articles.map(\.body), "chunk \(size)")
            #expect(diags.map(\.message) == whole.diagnostics.map(\.message), "chunk \(size)")
        }
    }

    /// Blank lines before the XML declaration (XML allows nothing there; feeds made by scripts
    /// often have them) are moved after it: the feed is read, whole or streamed, and an error
    /// further down keeps its line number.
    @Test func blankLinesBeforeTheDeclaration() throws {
        let xml =
            "\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n"
            + "<item><guid>b1</guid><title>Blank start</title></item>\n</channel></rss>\n"
        let r = load(xml)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Blank start")
        let (got, diags) = try streamed(Array(xml.utf8), "b.xml")
        #expect(diags.isEmpty, "\(diags)")
        #expect(got.first?.title == "Blank start")
        let broken = load(
            "\n\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n<item><title>a b</tite>")
        #expect(broken.rejected)
        #expect(broken.diagnostics.first?.line == 5, "\(broken.diagnostics)")
    }

    /// Comments before the XML declaration (a generator's banner, a test suite's description;
    /// libxml2: "XML declaration allowed only at the start of the document") are moved after
    /// it with the blanks: the feed is read, whole or streamed, its declared encoding still
    /// heeded, and an error further down keeps its line number.
    @Test func commentsBeforeTheDeclaration() throws {
        let xml =
            "<!--\nDescription: made by zqgen -- v2, <?xml inside?>\n-->\n<!-- two -->\n"
            + "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel>\n"
            + "<item><guid>c1</guid><title>Comment start caf\u{E9}</title></item>\n</channel></rss>\n"
        // Latin-1 as declared: é is one byte.
        var latin1: [UInt8] = []
        for u in xml.unicodeScalars { latin1.append(UInt8(u.value)) }
        for doc in [
            latin1, [0xEF, 0xBB, 0xBF] + Array(xml.replacingOccurrences(of: "ISO-8859-1", with: "UTF-8").utf8),
        ] {
            let r = FeedLoader().load(doc, relativePath: "c.xml")
            #expect(!r.rejected, "\(r.diagnostics)")
            #expect(r.articles.map(\.title) == ["Comment start caf\u{E9}"])
            // (The comments must end within the first chunk read: 64 KB when indexing.)
            for size in [256, 1 << 16] {
                let (got, diags) = try streamed(doc, "c.xml", chunkSize: size)
                #expect(!diags.contains { $0.severity == .error }, "\(size): \(diags)")
                #expect(got.map(\.title) == ["Comment start caf\u{E9}"], "chunk \(size)")
            }
        }
        let broken = load(
            "<!-- banner -->\n\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n<item><title>a b</tite>")
        #expect(broken.rejected)
        #expect(broken.diagnostics.first?.line == 5, "\(broken.diagnostics)")
        // An unfinished comment before the declaration: still an error.
        #expect(load("<!-- no end\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>").rejected)
    }

    /// HTML written into a feed's XML as tag soup — a `<p>` or `<b>` never closed, a `</p>` with
    /// no `<p>` open — rejected the whole feed ("Opening and ending tag mismatch"). The open
    /// HTML elements are closed with the element that holds them and stray HTML end tags taken
    /// out, whole or streamed at any chunk size; a mismatch of the feed's own elements (the
    /// badinput suite's unclosed `<title>`), a document cut short and a document whose DTD
    /// declares entities are left to the parser.
    /// A `<` inside a quoted value of an unclosed void tag (`<img alt="a <br> b">`) is escaped,
    /// not read as a tag of its own: the loader fuzzer's `<?<img "<BR>">` crashed `loupe index`
    /// (the inner `<br>`'s closing `/` came before the outer one's, and the output was cut
    /// backwards).
    @Test func tagsInsideAVoidTagsQuotedValue() throws {
        let feed = Array(
            ("<rss><channel><item><guid>q</guid><title>x</title><description>a<img alt=\"x <br> y <img src='q'>\" "
                + "src=\"p.png\">b<hr title='z'>c</description></item></channel></rss>").utf8)
        let whole = FeedLoader().load(feed, relativePath: "q.xml")
        #expect(!whole.rejected, "\(whole.diagnostics)")
        #expect(whole.articles.map(\.body) == ["a b\nc"], "\(whole.articles)")
        for size in [16, 23, 64] {
            let (got, _) = try streamed(feed, "q.xml", chunkSize: size)
            #expect(got.map(\.body) == whole.articles.map(\.body), "chunk \(size)")
        }
        _ = FeedLoader().load(Array("<?<img \"<BR>\">".utf8), relativePath: "f.xml")
        // A comment's or CDATA section's opening inside such a quoted value is no tag either:
        // a chunk is not cut there (it was, and the next chunk began a comment that never ended).
        let comment = Array(
            ("<rss><channel><item><guid>c</guid><title>x</title><description>a<img alt=\"x <!-- y <![CDATA[ z\" "
                + "src=\"p.png\">b <i title='<!-- 1<2 -->'>c</i></description></item></channel></rss>").utf8)
        let c = FeedLoader().load(comment, relativePath: "c.xml")
        #expect(!c.rejected, "\(c.diagnostics)")
        #expect(c.articles.map(\.body) == ["a b c"], "\(c.articles)")
        #expect(
            c.diagnostics.map(\.message).contains(
                "not well-formed XML: < inside a quoted attribute value, read as text (4 in the file)"),
            "\(c.diagnostics)")
        for size in [16, 23, 37, 64, 100] {
            let (got, _) = try streamed(comment, "c.xml", chunkSize: size)
            #expect(got.map(\.body) == c.articles.map(\.body), "chunk \(size)")
        }
    }

    @Test func htmlTagSoupInsideElementsIsClosed() throws {
        var xml = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T</title>\n"
        for i in 0..<12 {
            xml += "<item><guid>s\(i)</guid><title>A <b>bold \(i)</title>\n"
            xml += "<description>One<p>Two <a href=\"u?a>b\" title='x>y'>link</a><p>Three<BR>"
            xml += "<img src=\"i.png\"></description>\n<category>c</category></item>\n"
            xml += "<item><guid>t\(i)</guid><title>Plain</title><description>Text</p> more <LI>x<LI>y"
            xml += "</description></item>\n"
        }
        xml += "</channel></rss>\n"
        let bytes = Array(xml.utf8)
        let whole = FeedLoader().load(bytes, relativePath: "s.xml")
        #expect(!whole.rejected, "\(whole.diagnostics)")
        #expect(whole.articles.count == 24)
        #expect(whole.articles.first?.title == "A bold 0")
        #expect(whole.articles.first?.body == "One\nTwo link\nThree", "\(whole.articles.first?.body ?? "")")
        #expect(whole.articles.first?.categories == ["c"])
        #expect(whole.articles[1].body == "Text more\nx\ny", "\(whole.articles[1].body)")
        #expect(
            whole.diagnostics.map(\.message) == [
                "not well-formed XML: HTML's <br>, <hr> or <img> never closed, read as closed (24 in the file)",
                "not well-formed XML: HTML's <b> never closed, closed with the element holding it (36 in the file)",
                "not well-formed XML: </p> that closes no open element, ignored (12 in the file)",
            ], "\(whole.diagnostics)")
        #expect(whole.diagnostics.map(\.line) == [4, 3, 6])
        for size in [16, 17, 23, 31, 64, 100, 1 << 16] {
            let (got, diags) = try streamed(bytes, "s.xml", chunkSize: size)
            #expect(got.map(\.title) == whole.articles.map(\.title), "chunk \(size)")
            #expect(got.map(\.body) == whole.articles.map(\.body), "chunk \(size)")
            #expect(diags.map(\.message) == whole.diagnostics.map(\.message), "chunk \(size)")
            #expect(diags.map(\.line) == whole.diagnostics.map(\.line), "chunk \(size)")
        }
        // An unclosed void tag whose attributes are repaired too (a bare `&` in its URL; a `>`
        // inside a quoted value): its `/` is written once the scan reaches its end (this crashed:
        // the `/` was written first, and the `&` before it then cut the output backwards).
        let void = Array(
            ("<rss><channel><item><guid>v</guid><title>x</title><description>a<img src=\"p?b=1&c=2\" "
                + "alt='x>y'>b<br title=\"1 &zq; 2\">c</description></item></channel></rss>").utf8)
        let v = FeedLoader().load(void, relativePath: "v.xml")
        #expect(!v.rejected, "\(v.diagnostics)")
        #expect(v.articles.first?.body == "a b\nc", "\(v.articles)")
        for size in [16, 19, 31, 64] {
            let (got, diags) = try streamed(void, "v.xml", chunkSize: size)
            #expect(got.map(\.body) == v.articles.map(\.body), "chunk \(size)")
            #expect(diags.map(\.message) == v.diagnostics.map(\.message), "chunk \(size)")
        }
        // The feed's own elements: still rejected.
        #expect(load("<rss><channel><item><title>zq\n</item></channel></rss>").rejected)
        #expect(load("<rss><channel><item><title>zq</description></item></channel></rss>").rejected)
        // Cut short inside an HTML element: still rejected.
        #expect(load("<rss><channel><item><title>x</title><description>a<p>b").rejected)
        // Entities a DTD declares may hold tags: left to the parser.
        let dtd = load(
            "<!DOCTYPE rss [<!ENTITY zb \"<b>\">]>\n<rss><channel><item><title>x</title>"
                + "<description>a<p>b</description></item></channel></rss>")
        #expect(dtd.rejected)
        // Well-formed HTML in XML, any depth: untouched, no warning.
        let fine = load(
            "<rss><channel><item><title>x</title><description><div><p>a<b>b</b></p><p/><br></br></div>"
                + "</description></item></channel></rss>")
        #expect(!fine.rejected && fine.diagnostics.isEmpty, "\(fine.diagnostics)")
    }

    /// A server's error output before a feed's XML declaration (PHP's warnings, plain or as
    /// HTML) made the file a text article of its own markup, every item lost: the feed is
    /// read, whole or streamed, with a warning quoting the message; lines keep their numbers.
    @Test func serverErrorOutputBeforeTheDeclaration() throws {
        let html =
            "<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in "
            + "<b>/var/www/html/wp-includes/zq.php</b> on line <b>12</b><br />\n"
            + "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Blog</title>\n"
            + "<item><guid>p1</guid><title>First post</title></item>\n"
            + "<item><guid>p2</guid><title>Second post</title></item></channel></rss>\n"
        let plain =
            "Warning: Cannot modify header information in /var/www/feed.php on line 3\n"
            + "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>B</title>\n"
            + "<entry><id>e1</id><title>Only entry</title></entry></feed>\n"
        for (doc, titles, quoted) in [
            (
                html, ["First post", "Second post"],
                "“Deprecated: Function create_function() is deprecated in /var/www/html/"
            ),
            (plain, ["Only entry"], "“Warning: Cannot modify header information in /var/www/feed.php on line 3”"),
        ] {
            let bytes = Array(doc.utf8)
            #expect(ArticleFormat.detect(bytes) == .feed)
            let r = FeedLoader().load(bytes, relativePath: "f.xml")
            #expect(!r.rejected, "\(r.diagnostics)")
            #expect(r.articles.map(\.title) == titles)
            #expect(r.diagnostics.count == 1, "\(r.diagnostics)")
            #expect(r.diagnostics.first?.line == 1)
            #expect(r.diagnostics.first?.message.contains(quoted) == true, "\(r.diagnostics)")
            for size in [512, 1 << 16] {
                let (got, diags) = try streamed(bytes, "f.xml", chunkSize: size)
                #expect(got.map(\.title) == titles, "chunk \(size)")
                #expect(diags.map(\.message) == r.diagnostics.map(\.message), "chunk \(size)")
            }
        }
        // A line number further down is the file's.
        let broken = load(
            "Notice: Undefined index: zq in /srv/feed.php on line 9\n<?xml version=\"1.0\"?>\n"
                + "<rss version=\"2.0\"><channel>\n<item><title>a b</tite>")
        #expect(broken.rejected)
        #expect(broken.diagnostics.last?.line == 4, "\(broken.diagnostics)")
        // Text that is no such message, or a declaration that opens no feed: as before.
        let note = Array("Example feed, as served:\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"></rss>\n".utf8)
        #expect(ArticleFormat.detect(note) == .text)
        let page = Array("Warning: old page\n<?xml version=\"1.0\"?>\n<html><p>x</p></html>\n".utf8)
        #expect(ArticleFormat.detect(page) == .text)
    }

    /// Media RSS: YouTube's and podcasts' entries hold their text only in
    /// `media:group/media:description`; it is the body when the item has no other, never over
    /// a description or content.
    @Test func mediaDescriptionIsTheBodyWhenThereIsNoOther() {
        let r = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
            <entry><id>yt:video:1</id><title>Video</title>
            <media:group><media:title>Video</media:title><media:content url="u"/>
            <media:description>How the zqmediatext works.</media:description>
            <media:community><media:statistics views="5"/></media:community></media:group></entry>
            <entry><id>yt:video:2</id><title>Other</title><summary>The summary.</summary>
            <media:group><media:description>Not this.</media:description></media:group></entry>
            </feed>
            """)
        #expect(!r.rejected)
        #expect(r.articles.map(\.body) == ["How the zqmediatext works.", "The summary."])
    }

    /// Media RSS elements directly in an item describe its media: a `media:content` holding a
    /// `media:credit` (the Guardian's photo credits) is not the item's content, a `media:title`
    /// not its title; a `media:description` inside `media:content` is still a body fallback.
    @Test func mediaContentAndTitleAreNotTheItems() {
        let r = load(
            """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><title>Moon over the bay</title><description>The zqrealtext of the story.</description>
            <media:content width="140" url="https://e.org/p.jpg"><media:credit scheme="urn:ebu">Photograph: Agency</media:credit></media:content>
            <media:title>A picture title</media:title><guid>a</guid></item>
            <item><title>Clip</title><guid>b</guid>
            <media:content url="https://e.org/v.mp4"><media:description>What the clip shows.</media:description></media:content></item>
            </channel></rss>
            """)
        #expect(!r.rejected)
        #expect(r.articles.map(\.title) == ["Moon over the bay", "Clip"])
        #expect(r.articles.map(\.body) == ["The zqrealtext of the story.", "What the clip shows."])
    }

    /// A module's element with a core field's local name (`szf:description`, `itunes:summary`,
    /// `itunes:title`) is not the item's own: the item's `description` wins wherever it stands,
    /// and the module's text is used only when the item gives none (it used to shadow the real
    /// description, which was lost). An item with no title takes its `media:title`.
    @Test func otherNamespacesYieldToTheItemsOwnFields() {
        let r = load(
            """
            <rss version="2.0" xmlns:szf="http://schemas.pocketsoap.com/rss/myDescModule/"
              xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/"
              xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title>C</title>
            <item><guid>a</guid><title>Clash</title><szf:description>Not the zqbody, before.</szf:description>
            <description>The zqcorrect description.</description><szf:description>Not it, after.</szf:description></item>
            <item><guid>b</guid><itunes:title>Episode 5 (feed title)</itunes:title><title>Episode five</title>
            <itunes:summary>A podcast summary.</itunes:summary><description>The show notes.</description></item>
            <item><guid>c</guid><title>Only summary</title><itunes:summary>Only the itunes summary.</itunes:summary></item>
            <item><guid>d</guid><media:title>A media title</media:title><dc:description>Dublin Core text.</dc:description></item>
            <item xmlns:turbo="http://turbo.yandex.ru" xmlns:yandex="http://news.yandex.ru"><guid>e</guid><title>Turbo</title>
            <description>The lead only.</description><yandex:full-text>The lead. And the whole zqstory.</yandex:full-text>
            <turbo:content><![CDATA[<h1>Turbo</h1><p>The lead. And the whole story.</p>]]></turbo:content></item>
            </channel></rss>
            """)
        #expect(!r.rejected)
        #expect(r.articles.map(\.title) == ["Clash", "Episode five", "Only summary", "A media title", "Turbo"])
        #expect(
            r.articles.map(\.body) == [
                "The zqcorrect description.", "The show notes.", "Only the itunes summary.", "Dublin Core text.",
                "The lead. And the whole zqstory.",
            ])
    }

    /// HTML escaped twice (Reddit's RSS: `&amp;lt;p&amp;gt;`) is read as HTML, not shown and
    /// indexed as tags and attributes; text that only mentions a tag keeps it.
    @Test func htmlEscapedTwiceIsReadAsHTML() {
        let r = load(
            """
            <rss version="2.0"><channel><title>C</title>
            <item><guid>a</guid><title>Twice</title><description>&amp;lt;!-- SC_OFF --&amp;gt;&amp;lt;div class=&amp;quot;md&amp;quot;&amp;gt;&amp;lt;p&amp;gt;Hey &amp;lt;a href=&amp;quot;http://x.example/&amp;quot;&amp;gt;Reddit&amp;lt;/a&amp;gt;!&amp;lt;/p&amp;gt;&amp;lt;/div&amp;gt;</description></item>
            <item><guid>b</guid><title>The &amp;lt;blink&amp;gt; tag</title><description>Why &amp;lt;blink&amp;gt; died, and a&amp;lt;b.</description></item>
            <item><guid>c</guid><title>Code</title><description><![CDATA[Write <code>&lt;br /&gt;</code> or <code>&lt;/p&gt;</code>]]></description></item>
            </channel></rss>
            """)
        #expect(r.articles.map(\.body) == ["Hey Reddit!", "Why <blink> died, and a<b.", "Write <br /> or </p>"])
        #expect(r.articles.map(\.title) == ["Twice", "The <blink> tag", "Code"])
        #expect(
            HTMLText.holdsMarkup("a <br/> b") && HTMLText.holdsMarkup("x</P>") && HTMLText.holdsMarkup("<!-- c -->"))
        #expect(!HTMLText.holdsMarkup("if a<b and c</d then") && !HTMLText.holdsMarkup("<blink>"))
    }

    /// XHTML content (Atom's `type="xhtml"`, Atom 0.3's `mode="xml"`, RSS's `xhtml:body`): its
    /// elements are markup — inline ones join words, block ones break lines, `script` and
    /// `style` hold no text — and its text is text (`&lt;blink&gt;` is written, not a tag to
    /// strip). HTML written as XML in an RSS description is read as HTML too.
    @Test func xhtmlContentIsMarkupAndItsTextIsText() {
        let r = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom">
            <entry><id>x1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The <b>pier</b>s</div></title>
            <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>The pier <b>opened</b>.</p><p>History of the &lt;blink&gt; tag<script type="text/javascript">location.href='zqscript';</script><style>p{}</style></p></div></content></entry>
            </feed>
            """)
        #expect(!r.rejected)
        #expect(r.articles.first?.title == "The piers")
        #expect(r.articles.first?.body == "The pier opened.\nHistory of the <blink> tag")
        let old = load(
            """
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><id>x2</id>
            <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">safe<script>zqscript()</script> description</div></content>
            </entry></feed>
            """)
        #expect(old.articles.first?.body == "safe description")
        let rss = load(
            """
            <rss version="2.0"><channel><title>C</title>
            <item><guid>r1</guid><body xmlns="http://www.w3.org/1999/xhtml"><p>Example <i>content</i></p></body></item>
            <item><guid>r2</guid><description><p>Naked <b>mark</b>up</p><script>zqscript()</script><p>end</p></description></item>
            </channel></rss>
            """)
        #expect(rss.articles.map(\.body) == ["Example content", "Naked markup\nend"])
    }

    /// Atom content of a media type that is neither text nor XML is base64 (as is Atom 0.3's
    /// `mode="base64"`): decoded when it is UTF-8 text, left out when it is an image or binary.
    @Test func base64ContentIsDecodedWhenItIsText() {
        let html = "PHA+SGlzdG9yeSBvZiB0aGUgJmx0O2JsaW5rJmd0OyB0YWc8L3A+"  // <p>History of the &lt;blink&gt; tag</p>
        let r = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom">
            <entry><id>b1</id><title>One</title><content type="application/octet-stream">
            \(html)
            </content></entry>
            <entry><id>b2</id><title>Two</title><summary>The summary.</summary><content type="image/png">iVBORw0KGgoAAAANSUhEUg==</content></entry>
            <entry><id>b3</id><title>Three</title><summary>Summary three.</summary><content type="application/octet-stream">AAECAwQF</content></entry>
            </feed>
            """)
        #expect(!r.rejected)
        #expect(r.articles.map(\.body) == ["History of the <blink> tag", "The summary.", "Summary three."])
        let old = load(
            """
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><id>b4</id>
            <summary type="text/html" mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary></entry></feed>
            """)
        #expect(old.articles.first?.body == "Example Atom")
    }

    /// An item's `itunes:category` names its category in `text`; markup alone or a blank term
    /// is no category (a nested `itunes:category` used to add an empty one); an RSS 1.0 item
    /// with neither link nor identifier is known by its `rdf:about`.
    @Test func categoryAttributesAndRDFAbout() {
        let r = load(
            """
            <rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>
            <item><guid>i1</guid><title>T</title><itunes:category text="Technology">
              <itunes:category text="Gadgets"></itunes:category></itunes:category><category> </category></item>
            </channel></rss>
            """)
        #expect(r.articles.first?.categories == ["Technology"])
        let rdf = load(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
            <item rdf:about="http://example.org/1"><title>About</title><description>Text</description></item>
            </rdf:RDF>
            """)
        #expect(rdf.articles.first?.id == "http://example.org/1")
        // A permalink guid (RSS 2.0's default) is the address of an item without a link.
        let guids = load(
            """
            <rss version="2.0"><channel><title>c</title>
            <item><title>A</title><guid>https://e.example/a</guid></item>
            <item><title>B</title><guid isPermaLink="false">https://e.example/b</guid></item>
            <item><title>C</title><guid>tag:e.example,2024:c</guid></item>
            <item><title>D</title><link>https://e.example/d-link</link><guid>https://e.example/d</guid></item>
            </channel></rss>
            """)
        #expect(guids.articles.map(\.link) == ["https://e.example/a", nil, nil, "https://e.example/d-link"])
    }

    @Test func rss1RDF() {
        let r = load(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
              xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="x"><title>C</title></channel>
            <item rdf:about="https://e.org/a"><title>RDF item</title><link>https://e.org/a</link>
            <dc:date>2007-07-24T10:15:00Z</dc:date><description>Body text</description></item>
            </rdf:RDF>
            """)
        #expect(r.articles.count == 1)
        #expect(r.articles[0].title == "RDF item")
        #expect(r.articles[0].date == "2007-07-24T10:15:00Z")
        #expect(r.articles[0].id == "https://e.org/a")
    }

    @Test func atomContentKinds() {
        let r = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Bridge <em>reopens</em></div></title>
            <id>urn:1</id><link rel="alternate" href="https://e.org/1"/><updated>2024-06-01T12:00:00Z</updated>
            <category term="Roads"/>
            <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>After <strong>six</strong> months.</p></div></content></entry>
            <entry><title>Two</title><id>urn:2</id><summary>Only a summary.</summary></entry>
            </feed>
            """)
        #expect(r.articles.count == 2)
        #expect(r.articles[0].title == "Bridge reopens")
        #expect(r.articles[0].body == "After six months.")
        #expect(r.articles[0].link == "https://e.org/1")
        #expect(r.articles[0].categories == ["Roads"])
        #expect(r.articles[1].body == "Only a summary.")
        #expect(r.articles[0].date == "2024-06-01T12:00:00Z")
    }

    /// A WordPress export (WXR): posts and pages (a draft too, dated by its post date), not the
    /// attachments and menu items; the post's `content:encoded`, not the empty excerpt after it;
    /// the author's display name for its login.
    @Test func wordPressExport() throws {
        let r = load(
            #"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel>
              <title>Harbour Blog</title>
              <link>https://blog.example</link>
              <wp:wxr_version>1.2</wp:wxr_version>
              <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ann]]></wp:author_login><wp:author_display_name><![CDATA[Ann Lee]]></wp:author_display_name></wp:author>
              <item>
                <title><![CDATA[Ferry zqwxr fares rise]]></title>
                <link>https://blog.example/2024/03/ferry/</link>
                <pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate>
                <dc:creator><![CDATA[ann]]></dc:creator>
                <guid isPermaLink="false">https://blog.example/?p=12</guid>
                <description></description>
                <content:encoded><![CDATA[<p>The ferry company raised prices.</p>]]></content:encoded>
                <excerpt:encoded><![CDATA[]]></excerpt:encoded>
                <wp:post_id>12</wp:post_id>
                <wp:post_date><![CDATA[2024-03-05 10:00:00]]></wp:post_date>
                <wp:status><![CDATA[publish]]></wp:status>
                <wp:post_type><![CDATA[post]]></wp:post_type>
                <category domain="category" nicename="ferries"><![CDATA[Ferries]]></category>
                <wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_author><![CDATA[Bob]]></wp:comment_author><wp:comment_content><![CDATA[Great zqcomment post]]></wp:comment_content></wp:comment>
              </item>
              <item>
                <title><![CDATA[zqwxr-logo]]></title>
                <link>https://blog.example/logo/</link>
                <pubDate>Tue, 05 Mar 2024 09:00:00 +0000</pubDate>
                <dc:creator><![CDATA[ann]]></dc:creator>
                <guid isPermaLink="false">https://blog.example/wp-content/uploads/logo.png</guid>
                <description></description>
                <content:encoded><![CDATA[]]></content:encoded>
                <wp:post_id>13</wp:post_id>
                <wp:status><![CDATA[inherit]]></wp:status>
                <wp:post_type><![CDATA[attachment]]></wp:post_type>
                <wp:attachment_url><![CDATA[https://blog.example/wp-content/uploads/logo.png]]></wp:attachment_url>
              </item>
              <item>
                <title><![CDATA[Main menu zqwxr]]></title>
                <link>https://blog.example/menu/</link>
                <pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>
                <guid isPermaLink="false">https://blog.example/?p=14</guid>
                <content:encoded><![CDATA[]]></content:encoded>
                <wp:post_type><![CDATA[nav_menu_item]]></wp:post_type>
              </item>
              <item>
                <title><![CDATA[Draft zqwxr idea]]></title>
                <pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>
                <guid isPermaLink="false">https://blog.example/?p=15</guid>
                <content:encoded><![CDATA[<p>Unfinished.</p>]]></content:encoded>
                <wp:post_date><![CDATA[2024-03-06 08:00:00]]></wp:post_date>
                <wp:status><![CDATA[draft]]></wp:status>
                <wp:post_type><![CDATA[post]]></wp:post_type>
              </item>
            </channel>
            </rss>
            """#)
        #expect(r.articles.map(\.title) == ["Ferry zqwxr fares rise", "Draft zqwxr idea"])
        let post = try #require(r.articles.first)
        #expect(post.body == "The ferry company raised prices.")
        #expect(post.authors == ["Ann Lee"])
        #expect(post.categories == ["Ferries"])
        #expect(post.date == "2024-03-05T10:00:00Z")
        #expect(r.articles[1].date == "2024-03-06T08:00:00Z")
        #expect(r.diagnostics.contains { $0.message.hasPrefix("2 WordPress records") }, "\(r.diagnostics)")
    }

    /// Blogger exports: the posts, not the template, the settings or the comments (the classic
    /// export's `#kind` categories, which are no categories), nor deleted posts (the newer
    /// export's `blogger:type` and `blogger:status`).
    @Test func bloggerExports() {
        let kind = "http://schemas.google.com/g/2005#kind"
        func entry(_ id: String, _ k: String, _ title: String, _ extra: String = "") -> String {
            "<entry><id>\(id)</id><published>2007-11-02T09:00:00Z</published>"
                + "<category scheme='\(kind)' term='http://schemas.google.com/blogger/2008/kind#\(k)'/>"
                + "<category scheme='http://www.blogger.com/atom/ns#' term='Harbour'/>"
                + "<title type='text'>\(title)</title><content type='html'>&lt;p&gt;\(title) text&lt;/p&gt;</content>\(extra)</entry>"
        }
        let classic = load(
            "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Blog</title>"
                + entry("t", "template", "Template") + entry("s", "settings", "Setting")
                + entry("p1", "post", "Bell rung again") + entry("c1", "comment", "Nice post")
                + entry("p2", "page", "About the society") + "</feed>")
        #expect(classic.articles.map(\.title) == ["Bell rung again", "About the society"])
        #expect(classic.articles.first?.categories == ["Harbour"])
        #expect(classic.diagnostics.contains { $0.message.hasPrefix("3 Blogger entries") }, "\(classic.diagnostics)")
        let newer = load(
            "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018'>"
                + "<entry><id>a</id><blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status><title>Live post</title><content>x</content></entry>"
                + "<entry><id>b</id><blogger:type>POST</blogger:type><blogger:status>DELETED</blogger:status><title>Gone</title><content>x</content></entry>"
                + "<entry><id>c</id><blogger:type>COMMENT</blogger:type><title>A comment</title><content>x</content></entry>"
                + "</feed>")
        #expect(newer.articles.map(\.title) == ["Live post"])
    }

    /// An Evernote export: one article per note — its ENML text without the markup, the XML
    /// declaration and the embedded image's base64, its creation date, tags, author and source
    /// address; ids by position (a clip's address is its link, not its identity).
    @Test func evernoteExport() throws {
        let enex = #"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
            <en-export export-date="20240306T120000Z" application="Evernote" version="10.0">
              <note>
                <title>Ferry zqenex fares rise</title>
                <created>20240305T100000Z</created>
                <updated>20240305T110000Z</updated>
                <tag>harbour</tag>
                <tag>ferries</tag>
                <note-attributes>
                  <author>Jane Doe</author>
                  <source>web.clip7</source>
                  <source-url>https://gazette.example/ferry</source-url>
                </note-attributes>
                <content><![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">
            <en-note><div>The ferry company raised prices &amp; cut sailings.</div><div><br/></div><en-media type="image/png" hash="abc"/></en-note>]]></content>
                <resource><data encoding="base64">iVBORw0KGgo=</data><mime>image/png</mime></resource>
              </note>
              <note>
                <title>Second zqenex note</title>
                <created>20240306T080000Z</created>
                <content><![CDATA[<en-note>Plain note text.</en-note>]]></content>
              </note>
            </en-export>
            """#
        #expect(ArticleFormat.detect(Array(enex.utf8)) == .feed)
        let r = load(enex, "notes/clips.enex")
        #expect(r.articles.map(\.title) == ["Ferry zqenex fares rise", "Second zqenex note"])
        let a = try #require(r.articles.first)
        #expect(a.body == "The ferry company raised prices & cut sailings.", "\(a.body)")
        #expect(a.date == "2024-03-05T10:00:00Z")
        #expect(a.categories == ["harbour", "ferries"])
        #expect(a.authors == ["Jane Doe"])
        #expect(a.link == "https://gazette.example/ferry")
        #expect(r.articles.map(\.id) == ["notes/clips.enex#0", "notes/clips.enex#1"])
        #expect(r.articles[1].body == "Plain note text.")
    }

    /// An Atom entry's date is when it was `published`; `updated` only when it gives none,
    /// whichever comes first in the entry.
    @Test func atomPublishedOutranksUpdated() {
        let r = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>A</title><id>urn:a</id><updated>2024-06-01T00:00:00Z</updated>
            <published>2024-03-05T10:00:00Z</published><summary>a</summary></entry>
            <entry><title>B</title><id>urn:b</id><published>2024-03-06T10:00:00Z</published>
            <updated>2024-06-02T00:00:00Z</updated><summary>b</summary></entry>
            </feed>
            """)
        #expect(r.articles.map(\.date) == ["2024-03-05T10:00:00Z", "2024-03-06T10:00:00Z"])
    }

    /// RSS 2.0: `<author>` is an e-mail with the name in parentheses; `dc:creator` may repeat
    /// (several authors) and may name the `<author>`'s person again (kept once);
    /// `itunes:author` counts only when there is no other; the channel's `managingEditor` and
    /// `itunes:author`, a `<source>` and Media RSS credits are no item's authors.
    @Test func rss2AuthorEmailDCCreatorsAndPodcastAuthor() {
        let r = load(
            """
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
              xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/">
            <channel><title>C</title><managingEditor>ed@example.com (Ed Itor)</managingEditor>
            <itunes:author>Channel Voice</itunes:author>
            <item><guid>a1</guid><title>One</title><author>jane@example.com (Jane Doe)</author>
            <dc:creator>Jane Doe</dc:creator></item>
            <item><guid>a2</guid><title>Two</title><dc:creator>Ann Poe</dc:creator><dc:creator><![CDATA[Roe, J.]]></dc:creator>
            <source url="https://other.example/rss">Other Feed</source>
            <media:group><media:credit role="author">Photo Person</media:credit><media:description>d</media:description></media:group></item>
            <item><guid>a3</guid><title>Three</title><itunes:author>Pod Caster</itunes:author></item>
            <item><guid>a4</guid><title>Four</title><itunes:author>Pod Caster</itunes:author><author>Host Name</author></item>
            <item><guid>a5</guid><title>Five</title><author/><dc:creator></dc:creator></item>
            <item><guid>a6</guid><title>Six</title><author>By JANE DOE and JOHN ROE, Staff Writers</author></item>
            </channel></rss>
            """)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(
            r.articles.map(\.authors) == [
                ["Jane Doe"], ["Ann Poe", "Roe, J."], ["Pod Caster"], ["Host Name"], [], ["JANE DOE", "JOHN ROE"],
            ])
    }

    @Test func rss1RDFDCCreatorTwice() {
        let r = load(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
              xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="x"><title>C</title><dc:creator>Channel Person</dc:creator></channel>
            <item rdf:about="https://e.org/a"><title>A</title><dc:creator>Smith, K. T.</dc:creator>
            <dc:creator>Jane
              Doe</dc:creator></item>
            <item rdf:about="https://e.org/b"><title>B</title></item>
            </rdf:RDF>
            """)
        #expect(r.articles.map(\.authors) == [["Smith, K. T.", "Jane Doe"], []])
    }

    /// Atom: an entry's `<author>`s (`name`, else `email`; `uri` and `contributor` ignored); an
    /// entry without one takes its `<source>`'s, else the feed's own — those that came before it.
    @Test func atomEntryAuthorsAndInheritedFeedAuthors() throws {
        let xml = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <author><name>Feed Owner</name><uri>https://e.org/</uri></author>
            <entry><id>urn:1</id><title>Own</title>
              <author><name>Jane Doe</name><email>jane@example.com</email><uri>https://e.org/jane</uri></author>
              <author><name> John  Roe </name></author>
              <contributor><name>Helping Hand</name></contributor></entry>
            <entry><id>urn:2</id><title>Inherits</title><contributor><name>Helping Hand</name></contributor></entry>
            <entry><id>urn:3</id><title>Email only</title><author><email>anon@example.com</email></author></entry>
            <entry><id>urn:4</id><title>From a source</title>
              <source><id>urn:other</id><title>Other</title><author><name>Source Writer</name></author></source></entry>
            <entry><id>urn:5</id><title>Source and own</title><author><name>Own Writer</name></author>
              <source><author><name>Source Writer</name></author></source></entry>
            </feed>
            """
        let r = load(xml)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(
            r.articles.map(\.authors) == [
                ["Jane Doe", "John Roe"], ["Feed Owner"], ["anon@example.com"], ["Source Writer"], ["Own Writer"],
            ])
        // Streamed (small chunks): the same.
        let (got, _) = try streamed(Array(xml.utf8), "a.atom", chunkSize: 32)
        #expect(got.map(\.authors) == r.articles.map(\.authors))
        // A feed-level author after the entries names none of the earlier ones (documented).
        let late = load(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:a</id><title>Early</title></entry>
            <author><name>Late Owner</name></author><entry><id>urn:b</id><title>Later</title></entry></feed>
            """)
        #expect(late.articles.map(\.authors) == [[], ["Late Owner"]])
    }

    /// A prefix the feed never declares (`dc:`, `content:`, `itunes:` without their `xmlns`) is
    /// a namespace error, not a well-formedness one: the feed is read, each such element in the
    /// namespace its prefix usually names (so `itunes:summary` still yields to the item's own
    /// description), with one warning; an unknown prefix's element is no core element.
    @Test func undeclaredPrefixesAreReadInTheirUsualNamespaces() {
        let r = load(
            """
            <rss version="2.0"><channel><title>P</title>
            <item><guid>u1</guid><title>Tides</title><zq:title>Not the title</zq:title>
            <dc:creator>Jane Roe</dc:creator><itunes:summary>Not the body.</itunes:summary>
            <description>The own description.</description></item>
            <item><guid>u2</guid><title>Quay</title><content:encoded>&lt;p&gt;Full text.&lt;/p&gt;</content:encoded>
            <description>Short.</description></item>
            </channel></rss>
            """)
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.map(\.title) == ["Tides", "Quay"])
        #expect(r.articles.first?.authors == ["Jane Roe"])
        #expect(r.articles.map(\.body) == ["The own description.", "Full text."])
        #expect(r.diagnostics.count == 1 && r.diagnostics.first?.severity == .warning, "\(r.diagnostics)")
        #expect(r.diagnostics.first?.line == 2)
        #expect(
            r.diagnostics.first?.message.hasPrefix(
                "Namespace prefix zq on title is not defined; read all the same, without a namespace (4 in the file)")
                == true, "\(r.diagnostics)")
        let known = load(
            "<rss version=\"2.0\"><channel>\n<item><dc:creator>Jane Roe</dc:creator></item></channel></rss>")
        #expect(known.diagnostics.first?.message.hasSuffix("read in the namespace dc: usually names") == true)
    }

    @Test func fatalErrorRejectsTheWholeFileWithLine() {
        let r = load(
            """
            <rss version="2.0"><channel>
            <item><title>first</title><description>zqstreamedfirst</description></item>
            <item><title>second</title><description>broken here</descripton></item>
            </channel></rss>
            """)
        #expect(r.rejected)
        let e = r.diagnostics.first { $0.severity == .error }
        #expect(e?.line == 3)
        #expect(e?.description.hasPrefix("f.xml:3:") == true)
    }

    @Test func externalEntitiesAreNeverLoaded() {
        let r = load(
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <rss version="2.0"><channel><item><title>t</title><description>a &x; b</description></item></channel></rss>
            """)
        #expect(!r.articles.contains { $0.body.contains("root:") })
    }

    @Test func unknownRootIsOneGenericArticle() {
        let r = load("<newsdump><title>Dump</title><p>zqunknown words</p><!-- zqcomment --></newsdump>")
        #expect(r.articles.count == 1)
        #expect(r.articles[0].body.contains("zqunknown"))
        #expect(!r.articles[0].body.contains("zqcomment"))
        #expect(r.articles[0].title == "Dump")
    }

    @Test func emptyAndBlankFilesYieldNothing() {
        #expect(load("").articles.isEmpty)
        #expect(load("   \n ").articles.isEmpty)
        #expect(!load("").rejected)
    }
}

struct TextLoaderTests {
    @Test func shortFirstLineIsTheTitle() {
        let r = TextLoader().load(Array("Headline here\n\nBody line one.\nTwo.".utf8), relativePath: "d/a.txt")
        #expect(r.articles.first?.title == "Headline here")
        #expect(r.articles.first?.body.contains("Body line one.") == true)
        #expect(r.articles.first?.body.contains("Headline") == false)
        #expect(r.articles.first?.id == "d/a.txt")
    }

    /// The byte-level title split gives what the Character-level one gave, on every shape of
    /// text: blank and whitespace-only lines, Windows and lone carriage returns, no-break spaces,
    /// accents, long lines, no final line end.
    @Test func titleSplitOnBytesMatchesTheCharacterSplit() {
        let pieces = [
            "\n", "\r\n", "\r", " ", "\t", "\u{A0}", "\u{3000}", "a", "Title", "é", "e\u{301}",
            String(repeating: "x", count: 119), "long line ", "",
        ]
        var rng = SystemRandomNumberGenerator()
        var cases = [
            "", "\n", "T\n\nbody", "\r\n\r\nT\r\nbody\r\n", " \n\u{A0}\nT\n \n", "T", "T\n", "T\n \n\t",
            String(repeating: "y", count: 121) + "\nb", String(repeating: "é", count: 120) + "\nb", "T\r\r\nb\r\n",
        ]
        for _ in 0..<3000 {
            cases.append(
                (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
        }
        for text in cases {
            let a = TextLoader.splitTitle(text, fallback: "F")
            let b = TextLoader.splitTitleByCharacters(text, fallback: "F")
            #expect(a == b, "\(Array(text.utf8))")
        }
    }

    /// The blank lines between a title line and the text belong to neither: the body starts at
    /// the text (`show --json` and snippets used to get a leading line break).
    @Test func blankLinesAfterTheTitleAreNotBody() {
        for text in ["Title\n\nBody\n", "Title\r\n\r\n \t\r\n\u{A0}\nBody\n", "Title\nBody\n"] {
            let a = TextLoader().load(Array(text.utf8), relativePath: "t.txt").articles.first
            #expect(a?.title == "Title" && a?.body == "Body\n", "\(Array(text.utf8))")
        }
        // An indented first line keeps its indentation.
        let r = TextLoader().load(Array("Poem\n\n    first line\n".utf8), relativePath: "p.txt")
        #expect(r.articles.first?.body == "    first line\n")
    }

    @Test func longFirstLineFallsBackToFileName() {
        let long = String(repeating: "word ", count: 40)
        let r = TextLoader().load(Array((long + "\nmore").utf8), relativePath: "d/story.txt")
        #expect(r.articles.first?.title == "story")
        #expect(r.articles.first?.body.hasPrefix("word word") == true)
    }

    @Test func encodings() {
        // UTF-16 LE and BE with BOM.
        var le: [UInt8] = [0xFF, 0xFE]
        for u in "Title\nmünchen body".utf16 { le += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        #expect(TextLoader().load(le, relativePath: "x").articles.first?.body == "münchen body")
        var be: [UInt8] = [0xFE, 0xFF]
        for u in "Title\nsão body".utf16 { be += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        #expect(TextLoader().load(be, relativePath: "x").articles.first?.body == "são body")
        // Latin-1 fallback with a warning.
        let l1: [UInt8] = Array("Title\ncaf".utf8) + [0xE9] + Array(" z".utf8) + [0xFC] + Array("rich".utf8)
        let r = TextLoader().load(l1, relativePath: "x")
        #expect(r.articles.first?.body == "café zürich")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.message.contains("Latin-1") })
        // NUL bytes separate words rather than truncating.
        let nul: [UInt8] = Array("Title\nbefore".utf8) + [0] + Array("after".utf8)
        #expect(TextLoader().load(nul, relativePath: "x").articles.first?.body == "before after")
    }

    @Test func binaryIsSkipped() {
        var b: [UInt8] = []
        for i in 0..<2048 { b.append(UInt8((i * 7919) % 256)) }
        let r = TextLoader().load(b, relativePath: "x.txt")
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.contains { $0.message.contains("binary") })
    }
}

extension TextLoader {
    /// The Character-by-Character original of `splitTitle` (the test compares the two).
    static func splitTitleByCharacters(_ text: String, fallback: String) -> (String, String) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: isLineEnd)[...]
        while let f = lines.first, f.allSatisfy({ $0.isWhitespace }) { lines.removeFirst() }
        guard let first = lines.first else { return (fallback, text) }
        let candidate = first.trimmingCharacters(in: .whitespaces)
        var after = lines.dropFirst()
        while after.count > 1, let f = after.first, f.allSatisfy({ $0.isWhitespace }) { after.removeFirst() }
        let rest = after.joined(separator: "\n")
        if candidate.count <= maxTitleCharacters && !rest.allSatisfy({ $0.isWhitespace }) {
            return (candidate, rest)
        }
        return (fallback, text)
    }
}

@Suite("feed trailers")
struct FeedTrailersTests {
    /// The boilerplate publishing tools put at the end of every item (a "Continue reading…"
    /// link, WordPress's "The post … appeared first on …", Medium's footer) is not the item's
    /// text; a last line that merely reads like one is.
    @Test func publishingToolsTrailersAreDropped() {
        let rss = """
            <rss version="2.0"><channel><title>Blog</title>
            <item><guid>g1</guid><title>Harbour</title><description>&lt;p&gt;The ferry zqtrailer runs again.&lt;/p&gt;
            &lt;a href="https://e.org/1"&gt;Continue reading...&lt;/a&gt;</description></item>
            <item><guid>g2</guid><title>Regatta</title><description><![CDATA[<p>Boats gather at dawn [&#8230;]</p>
            <p>The post <a href="https://e.org/2">Regatta</a> appeared first on <a href="https://e.org">Harbour News</a>.</p>]]></description></item>
            <item><guid>g3</guid><title>Tides</title><description><![CDATA[<p>High water at noon.</p>
            <p><a href="https://e.org/3">Continue reading <span>Tides</span> &#8594;</a></p>]]></description></item>
            <item><guid>g4</guid><title>Medium</title><description><![CDATA[<p>Text of the story.</p>
            <hr><p><a href="https://m.com/x">Story</a> was originally published in <a href="https://m.com/p">Pub</a> on Medium, where people are continuing the conversation by highlighting and responding to this story.</p>]]></description></item>
            <item><guid>g5</guid><title>Kept</title><description><![CDATA[<p>The council met.</p><p>Read more about the plan in the minutes, which the council published on Monday.</p><p>More</p>]]></description></item>
            </channel></rss>
            """
        let r = FeedLoader().load(Array(rss.utf8), relativePath: "f.xml")
        #expect(
            r.articles.map(\.body) == [
                "The ferry zqtrailer runs again.", "Boats gather at dawn […]", "High water at noon.",
                "Text of the story.",
                "The council met.\nRead more about the plan in the minutes, which the council published on Monday.",
            ], "\(r.articles.map(\.body))")
        #expect(FeedTrailers.stripped("Read more") == "")
        #expect(FeedTrailers.stripped("Story text.\nRead more of this story at Slashdot.") == "Story text.")
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zqname\n[link] [comments]") == "A post.")
        #expect(FeedTrailers.stripped("Comments") == "")
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zq and friends") != "A post.")
        // A front page's or multireddit's form, the older count, and markup that lost its spaces.
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zq to r/zqsub\n[link] [comments]") == "A post.")
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zq to r/zqsub") == "A post.")
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zq to /r/zqsub") == "A post.")
        #expect(FeedTrailers.stripped("A post.\nsubmitted by /u/zq to the editors") != "A post.")
        #expect(FeedTrailers.stripped("A post.\n[link] [1,024 comments]") == "A post.")
        #expect(FeedTrailers.stripped("submitted bySariel007toUpliftingNews\n[link][194 comments]") == "")
        #expect(
            FeedTrailers.stripped("The report.\nSubmitted by the committee")
                == "The report.\nSubmitted by the committee")
        #expect(FeedTrailers.stripped("The report.\n[link] [see comments]") != "The report.")
        #expect(FeedTrailers.stripped("A line.\nContinue reading the report for details.") != "A line.")
        #expect(FeedTrailers.stripped("Only text") == "Only text")
        // Lines found from the end eight bytes at a time, whatever their length and alignment.
        for k in 0..<20 {
            let long = String(repeating: "w", count: 1000 + k)
            #expect(FeedTrailers.stripped("Text\n\(long)\nContinue reading...") == "Text\n\(long)")
            #expect(
                FeedTrailers.stripped("\(long)\n\(String(repeating: "x", count: k))\nRead more »")
                    == "\(long)\n\(String(repeating: "x", count: k))".trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let tooLong = "Continue reading " + String(repeating: "w", count: 2000) + " →"
        #expect(FeedTrailers.stripped(tooLong) == tooLong)
    }
    /// A section's link on the last line of an item (the Financial Times' `<br /><a
    /// href="…/markets?…">Markets</a>`) is not the item's text but its section: a category.
    @Test func sectionLinkBecomesACategory() throws {
        let rss = """
            <rss version="2.0"><channel><title>Paper</title><link>https://www.e.com</link>
            <item><guid>s1</guid><title>Rates</title><description>&lt;img src="https://i.e.com/a.jpg?w=1&amp;amp;h=2" /&gt;Bank holds zqrates steady&lt;br /&gt;&lt;a href="https://www.e.com/markets?segmentId=77"&gt;Markets&lt;/a&gt;</description></item>
            <item><guid>s2</guid><title>Talks</title><category>Diplomacy</category><description><![CDATA[<p>Envoys meet.</p><p><a href='/world/middle-east/'>Middle East</a></p>]]></description></item>
            <item><guid>s3</guid><title>Budget</title><description><![CDATA[<p>The budget passed.</p>
            <a href="https://www.e.com/uk-politics-policy">UK politics &amp; policy</a>
            ]]></description></item>
            <item><guid>s4</guid><title>Two</title><description><![CDATA[Long read.<br /><a href="https://www.e.com/markets?x=1">Markets</a>, <a href="https://www.e.com/the-big-read?x=1">The Big Read</a>]]></description></item>
            <item><guid>k5</guid><title>Mixed</title><description><![CDATA[Data.<br /><a href="https://www.e.com/markets">Markets</a>, <a href="https://www.e.com/r.pdf">the report</a>]]></description></item>
            <item><guid>k1</guid><title>Report</title><description><![CDATA[Findings out.<br><a href="https://www.e.com/files/report.pdf">Read the report</a>]]></description></item>
            <item><guid>k2</guid><title>Stream</title><description><![CDATA[Stocks rise.<br/><a href="https://www.e.com/stream/c91b1fad">Markets</a>]]></description></item>
            <item><guid>k3</guid><title>Inline</title><description><![CDATA[Shares fell in <a href="https://www.e.com/markets">Markets</a>]]></description></item>
            <item><guid>k4</guid><title>Nested</title><description><![CDATA[Text.<br><a href="https://www.e.com/markets"><b>Markets</b></a>]]></description></item>
            </channel></rss>
            """
        let r = FeedLoader().load(Array(rss.utf8), relativePath: "f.xml")
        let byID = Dictionary(uniqueKeysWithValues: r.articles.map { ($0.id, $0) })
        #expect(byID["s1"]?.body == "Bank holds zqrates steady")
        #expect(byID["s1"]?.categories == ["Markets"])
        #expect(byID["s2"]?.body == "Envoys meet.")
        #expect(byID["s2"]?.categories == ["Diplomacy", "Middle East"])
        #expect(byID["s3"]?.body == "The budget passed.")
        #expect(byID["s3"]?.categories == ["UK politics & policy"])
        #expect(byID["s4"]?.body == "Long read.")
        #expect(byID["s4"]?.categories == ["Markets", "The Big Read"])
        // Links whose words are not their address's last segment, or not on a line of their own.
        #expect(byID["k5"]?.body == "Data.\nMarkets, the report")
        #expect(byID["k1"]?.body == "Findings out.\nRead the report")
        #expect(byID["k2"]?.body == "Stocks rise.\nMarkets")
        #expect(byID["k3"]?.body == "Shares fell in Markets")
        #expect(byID["k4"]?.body == "Text.\nMarkets")
        for id in ["k1", "k2", "k3", "k4", "k5"] { #expect(byID[id]?.categories == []) }
        // JSON Feed's content_html alike.
        let json = """
            {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "j1", "content_html": "<p>Rain due.</p><p><a href=\\"https://j.org/weather\\">Weather</a></p>"}]}
            """
        let j = JSONFeedLoader().load(Array(json.utf8), relativePath: "j.json")
        #expect(j.articles.map(\.body) == ["Rain due."])
        #expect(j.articles.map(\.categories) == [["Weather"]])
    }

}
