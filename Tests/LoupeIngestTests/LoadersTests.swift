import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Content-based dispatch and the byte helpers shared by the SGML-like loaders.
struct LoaderDetectionTests {
    func detect(_ s: String) -> ArticleFormat { ArticleFormat.detect(Array(s.utf8)) }

    @Test func formatsByContent() {
        #expect(detect("Just a text file.\nWith lines.") == .text)
        #expect(detect("<3 love letters") == .text)
        #expect(detect("\u{FEFF}<rss version=\"2.0\"></rss>") == .feed)
        #expect(detect("<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"a\"?>\n<feed/>") == .feed)
        #expect(detect("<rdf:RDF xmlns:rdf=\"x\"/>") == .feed)
        #expect(detect("<newsdump><title>x</title></newsdump>") == .xml)
        #expect(detect("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS>") == .reuters)
        #expect(detect("<?xml version=\"1.0\"?>\n<!DOCTYPE x [ <!ENTITY a \"b\"> ]>\n<nitf/>") == .newsML)
        #expect(detect("<doc id=\"1\" url=\"u\" title=\"t\">\nt\n</doc>") == .wikiExtractor)
        #expect(detect("<DOC>\n<DOCNO>x</DOCNO>\n</DOC>") == .trec)
        #expect(detect("{\"id\": 1, \"text\": \"t\"}") == .jsonLines)
        #expect(detect("From: a@b.example\nSubject: s\n\nb") == .mail)
    }

    @Test func textOpeningWithABracketedNameIsText() {
        // Wire stories name companies in angle brackets; their first line is not a start tag.
        #expect(detect("<CINRAM LTD> 4TH QTR NET\n\nShr 45 cts vs 58 cts\n Reuter\n") == .text)
        #expect(detect("<NOVA> WINS OKAY FOR HUSKY <HYO> DEAL\n\nNova said <Union Faith Canada> would buy.") == .text)
        #expect(detect("<Hello there, this never closes") == .text)
        #expect(detect("<note a='1' b=\"2\">") == .text)
        let r = ArticleLoading.load(
            Array("<CINRAM LTD> 4TH QTR NET\n\nShr 45 cts vs 58 cts\n".utf8), relativePath: "c.txt")
        #expect(r.diagnostics.isEmpty)
        #expect(r.articles.first?.title == "<CINRAM LTD> 4TH QTR NET")
        // XML stays XML: declared, or with a well-formed start tag and an element closed.
        #expect(detect("<note a='1' b=\"2\">text</note>") == .xml)
        #expect(detect("<report/>") == .xml)
        #expect(detect("<?xml version=\"1.0\"?><CINRAM LTD>") == .xml)
        #expect(detect("<report><title>cut short</title><body>and trunc") == .xml)
    }

    /// A generic XML document libxml2 refuses (an entity its external DTD declares, `--` in a
    /// comment, SGML's lowercase doctype) is read as text, its error a warning; nothing of it is
    /// lost, no entity is expanded. A broken feed keeps its error.
    @Test func refusedXMLDocumentsAreReadAsText() {
        let docbook = """
            <?xml version="1.0"?>
            <!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.3//EN" "docbookx.dtd" [
            <!ENTITY % defs SYSTEM "defs.ent"> %defs;
            ]>
            <book>
            <bookinfo><title>Harbour Transport Interface</title>
            <releaseinfo>Release &fullrelvers;</releaseinfo></bookinfo>
            <para>The ferry &amp; the tug share berth three.</para>
            </book>
            """
        let r = ArticleLoading.load(Array(docbook.utf8), relativePath: "doc/transport.xml")
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Harbour Transport Interface", "\(r.articles)")
        let body = r.articles.first?.body ?? ""
        #expect(
            body.contains("Release &fullrelvers;") && body.contains("The ferry & the tug share berth three."), "\(body)"
        )
        #expect(!body.contains("defs.ent") && !body.contains("DocBook"), "\(body)")
        #expect(!body.hasPrefix(" ") && !body.contains("\n ") && !body.contains("\n\n"), "\(body)")
        func warns(_ r: LoadResult, _ text: String) -> Bool {
            r.diagnostics.contains { $0.severity == .warning && $0.message.contains(text) }
        }
        // Its undeclared entity is kept as written (`XMLRepair.Scanner`), so libxml2 reads it.
        #expect(warns(r, "undefined entity &fullrelvers;"), "\(r.diagnostics)")
        let comment =
            "<?xml version=\"1.0\"?>\n<!-- use --key here -->\n<note><body>Tide tables for May.</body></note>\n"
        let c = ArticleLoading.load(Array(comment.utf8), relativePath: "n.xml")
        #expect(!c.rejected && c.articles.first?.body.contains("Tide tables for May.") == true, "\(c)")
        let sgml =
            "<!doctype refentry PUBLIC \"-//OASIS//DTD DocBook V4.1//EN\" [\n<!ENTITY a \"b\">\n]>\n<refentry><refnamediv><refname>harbourctl</refname>\n<refpurpose>open the lock gates</refpurpose></refnamediv></refentry>\n"
        let g = ArticleLoading.load(Array(sgml.utf8), relativePath: "harbourctl.sgml")
        #expect(
            !g.rejected && g.articles.first.map { "\($0.title) \($0.body)" }?.contains("open the lock gates") == true,
            "\(g)")
        #expect(warns(g, "read as text"), "\(g.diagnostics)")
        let laughs =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<l><t>Laughs</t> &b;&b; &undeclared;</l>\n"
        let l = ArticleLoading.load(Array(laughs.utf8), relativePath: "l.xml")
        #expect(l.articles.allSatisfy { !$0.body.contains("aaaaaaaaaa") }, "\(l)")
        // A Latin-1 document keeps its letters (decoded as a text file's, not as UTF-8 first).
        var latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<d><!-- a -- b --><t>Caf".utf8)
        latin1 += [0xE9] + Array(" du port</t></d>\n".utf8)
        let la = ArticleLoading.load(latin1, relativePath: "cafe.xml")
        #expect(la.articles.first?.body.contains("Caf\u{E9} du port") == true, "\(la)")
        // A feed that breaks stays an error.
        let feed = "<rss version=\"2.0\"><channel><item><title>A</description></item></channel></rss>"
        #expect(ArticleLoading.load(Array(feed.utf8), relativePath: "f.xml").rejected)
    }

    /// A Markdown or text file that opens with HTML comments (a licence, a note for editors)
    /// and then text is text, not broken XML; comments before markup still lead to it.
    @Test func commentsThenTextIsText() {
        #expect(
            detect("<!--- Licensed to the ASF -->\n<!--- GENERATED\n <properties> --->\nApache Commons CLI\n====\n")
                == .text)
        #expect(
            detect("<!--\n  NB: keep in sync\n-->\n\n<!--introduced_in=v0.10.0-->\n\n* [About](a.md)\n<hr/>") == .text)
        #expect(detect("<!-- c -->\n<rss version=\"2.0\"></rss>") == .feed)
        #expect(detect("<!-- c -->\n<html><body>x</body></html>") == .html)
        #expect(detect("<!-- never closed\ntext") != .text)
        let md =
            "<!-- Licensed under the Apache License -->\nHarbour guide\n=============\n\nThe *ferry* leaves at nine.\n"
        let r = ArticleLoading.load(Array(md.utf8), relativePath: "guide.md")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Harbour guide", "\(r.articles)")
        #expect(r.articles.first?.body == "The *ferry* leaves at nine.\n", "\(r.articles)")
    }

    @Test func utf16NewsMLGoesToTheNewsMLLoader() {
        var b: [UInt8] = [0xFF, 0xFE]
        for u
            in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><nitf><body><body.content><p>Z\u{FC}rich</p></body.content></body></nitf>"
            .utf16
        {
            b += [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        #expect(ArticleFormat.detect(b) == .newsML)
        #expect(ArticleLoading.load(b, relativePath: "u16.xml").articles.first?.body == "Z\u{FC}rich")
    }

    @Test func markupTextCleaning() {
        func clean(_ s: String, _ mode: MarkupText.Mode, keepLines: Bool = true) -> String {
            let b = Array(s.utf8)
            return b.withUnsafeBufferPointer { p in
                var t = MarkupText(keepLines: keepLines)
                t.append(p, 0..<p.count, mode: mode)
                return t.string
            }
        }
        #expect(clean("  a &amp; b &lt;c> &#2;d&#3;  ", .entities) == "a & b <c> d")
        #expect(clean("x<P>y <b>z</b> < w & v &nosuch; <!-- c --> q", .tags) == "x\ny z < w & v &nosuch; q")
        #expect(clean("a\n\n\n  b\t\tc", .entities) == "a\nb c")
        #expect(clean("a\nb", .entities, keepLines: false) == "a b")
        #expect(clean("&#233;&#xE9;&eacute;&#0;", .entities) == "\u{E9}\u{E9}\u{E9}")
        // Stray `<` followed by a letter is not a tag unless the tag is well-formed.
        #expect(clean("if a<b then", .tags) == "if a<b then")
        #expect(clean("see <http://x.example/>", .tags) == "see <http://x.example/>")
    }

    /// HTML fields (feed descriptions, JSON bodies): inline tags separate nothing, block tags
    /// break lines, other tags are blanks.
    @Test func htmlTextKeepsInlineTagsInTheirWords() {
        #expect(
            HTMLText.plain("The pier <b>opened</b>. It <a href=\"x\">was</a>, at last, <i>finished</i>!")
                == "The pier opened. It was, at last, finished!")
        #expect(HTMLText.plain("<p>One</p><p>Two</p>") == "One\nTwo")
        #expect(HTMLText.plain("un<wbr>breakable <span>Ha</span><span>rbour</span>") == "unbreakable Harbour")
        #expect(HTMLText.plain("cell<td>cell") == "cell cell")
        #expect(HTMLText.plain("a<img src=x>b") == "a b")
    }

    /// A `<` that begins no tag (not followed by a letter, `/`, `!` or `?`) is text, as browsers
    /// show it: `<3` and `1<2>3` used to swallow everything up to the next `>`.
    @Test func lessThanThatBeginsNoTagIsText() {
        #expect(
            HTMLText.plain("I <3 harbours, x < y and <b>bold</b> 1<2>3 <=5")
                == "I <3 harbours, x < y and bold 1<2>3 <=5")
        #expect(HTMLText.plain("a</>b <!-- c --> d <?php e ?> f") == "a b d f")
    }

    /// In HTML that marks its lines with tags, a source line break is a blank, as browsers show
    /// it: a paragraph that a mailer or feed generator wrapped is one line; block elements
    /// (figure captions, code blocks) still begin lines, and `<pre>` keeps its lines. Text
    /// without such tags keeps its lines.
    @Test func htmlSourceLineBreaksAreBlanks() {
        #expect(
            HTMLText.plain("<p>The harbour ferry\nwill run again\r\nfrom Monday.</p>\n<p>Second.</p>")
                == "The harbour ferry will run again from Monday.\nSecond.")
        #expect(HTMLText.plain("Wrapped\nline<br>next\nline") == "Wrapped line\nnext line")
        #expect(HTMLText.plain("<figure><img src=x><figcaption>The quay</figcaption></figure>Text") == "The quay\nText")
        #expect(
            HTMLText.plain("<p>Run:</p><pre>make\nmake install</pre>done\nhere")
                == "Run:\nmake\nmake install\ndone here")
        #expect(HTMLText.plain("<DIV CLASS=x>a\nb</DIV>") == "a b")
        // A code block keeps its indentation and inner blanks.
        #expect(
            HTMLText.plain("<p>Run:</p><pre>if x {\n    go(1,  2)\n\tend\n}</pre>after")
                == "Run:\nif x {\n    go(1,  2)\n\tend\n}\nafter")
        #expect(HTMLText.plain("<p>a\u{1F}  b</p>") == "a b")
        // No tag that marks lines: the lines stay (plain descriptions, text with entities or
        // links only, a literal `<`), and where a loader made the lines itself.
        #expect(HTMLText.plain("Call <a href=\"x\">us</a>\nat noon<!-- c -->") == "Call us\nat noon")
        #expect(HTMLText.plain("One\n<div>embed</div>\nTwo", keepingLines: true) == "One\nembed\nTwo")
        #expect(HTMLText.plain("Fish &amp; chips\nat noon") == "Fish & chips\nat noon")
        #expect(HTMLText.plain("if a < b\nthen") == "if a < b\nthen")
        #expect(HTMLText.plain("first\nsecond") == "first\nsecond")
    }

    /// A comment ends at `-->` (a `>` inside it used to end it, and the rest showed as text),
    /// and a quoted attribute value may hold `>`; unclosed, both end at the next `>` as before.
    @Test func htmlTextCommentsAndQuotedAttributes() {
        #expect(HTMLText.plain("a<!-- <script> -->b<!-- x > y -->c") == "abc")
        #expect(HTMLText.plain("a<!-->b<!--->c") == "abc")
        #expect(HTMLText.plain("a <!-- unclosed > b") == "a b")
        #expect(HTMLText.plain("<a title=\"a>b\" href='x>y'>link</a> text") == "link text")
        #expect(HTMLText.plain("<a title=\"open>b c") == "b c")
        #expect(HTMLText.plain("<div onmouseover=\"f();\">x</div><!-- \n\t<script> \n-->y") == "x\ny")
    }

    @Test func isoBasicDates() {
        #expect(LoaderDates.iso("20151210T191044Z") == "2015-12-10T19:10:44Z")
        #expect(LoaderDates.iso("20180404T175859+0300") == "2018-04-04T14:58:59Z")
        #expect(LoaderDates.iso("20150218T160141") == "2015-02-18T16:01:41Z")
        #expect(LoaderDates.iso("20240710") == "2024-07-10")
        #expect(LoaderDates.iso("2014-07-16T15:53:10.000Z") == "2014-07-16T15:53:10Z")
        #expect(LoaderDates.iso("20241399") == nil)
    }
}

@Suite("diagnostics in line order")
struct DiagnosticOrderTests {
    /// Each file's diagnostics come in the order of their lines (then columns), those without
    /// a line after them as they came; runs of other paths (an archive's members) keep their order.
    @Test func eachFilesDiagnosticsComeInLineOrder() {
        func d(_ path: String, _ line: Int?, _ column: Int? = nil, _ m: String) -> Diagnostic {
            Diagnostic(path: path, line: line, column: column, message: m, severity: .warning)
        }
        let given = [
            d("a.xml", 9, nil, "late"), d("a.xml", nil, nil, "count"), d("a.xml", 2, 7, "b"), d("a.xml", 2, 3, "a"),
            d("z.tar/m2.xml", 5, nil, "m2"), d("z.tar/m1.xml", 1, nil, "m1"), d("a.xml", 1, nil, "again"),
        ]
        #expect(Diagnostic.inLineOrder(given).map(\.message) == ["a", "b", "late", "count", "m2", "m1", "again"])
        #expect(Diagnostic.inLineOrder([]).isEmpty)
    }
}
