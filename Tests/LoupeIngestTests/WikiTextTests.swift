import Testing

@testable import LoupeIngest

struct WikiTextTests {
    func text(_ s: String) -> String { WikiText.plain(s).text }

    @Test func templatesAndParserFunctionsAreDroppedNested() {
        #expect(text("a {{Infobox|x={{nowrap|zqin}}|y=2}} b") == "a b")
        #expect(text("a{{#if:{{{1|}}}|yes|no}}b") == "ab")
        #expect(text("{{a|\n{{b}}\n}}\nText") == "Text")
    }

    @Test func tablesAreDroppedNested() {
        let t = """
            Before
            {| class="wikitable"
            ! H
            |-
            | cell {{tmpl}}
            {|
            | inner
            |}
            |}
            After
            """
        #expect(text(t) == "Before\n\nAfter")
    }

    @Test func refsCommentsAndExtensionBlocksAreDropped() {
        #expect(text("Fact.<ref name=\"a\">Source zqref</ref> Next.<ref name=\"a\" /> End") == "Fact. Next. End")
        #expect(text("a <!-- hidden zqc --> b") == "a b")
        #expect(text("a <gallery>\nx.jpg|c\n</gallery> b <math>x^2</math> c") == "a b c")
        #expect(text("a <syntaxhighlight lang=\"c\">int x;</syntaxhighlight> b <source>y</source> c") == "a b c")
        #expect(text("__TOC__\nIntro __NOEDITSECTION__ text") == "Intro text")
    }

    @Test func htmlTagsKeepTheirText() {
        #expect(text("a <small>little</small> b<br/>c") == "a little b\nc")
        #expect(text("x<sup>2</sup> and <span style=\"color:red\">red</span>") == "x2 and red")
        #expect(text("if a < b and c > d") == "if a < b and c > d")
        #expect(text("<nowiki>{{not a template}} [[nor a link]]</nowiki>") == "{{not a template}} [[nor a link]]")
    }

    @Test func internalLinks() {
        #expect(text("[[Gull Rock]] and [[Porthaven harbour|the harbour]]") == "Gull Rock and the harbour")
        #expect(text("many [[pilchard]]s") == "many pilchards")
        #expect(text("[[Harbour (town)|]] [[:Category:Ports]]") == "Harbour Category:Ports")
    }

    @Test func fileInterlanguageAndCategoryLinks() {
        let r = WikiText.plain(
            """
            Text [[File:Lamp.jpg|thumb|A [[lamp]] on the [[Gull Rock|rock]]]] here.
            [[Image:x.png]]
            [[Category:Lighthouses]]
            [[Category:Buildings in Porthaven|Lighthouse]]
            [[Category:Lighthouses]]
            [[de:Leuchtturm]] [[zh-min-nan:Teng-thah]]
            """)
        #expect(r.text == "Text here.")
        #expect(r.categories == ["Lighthouses", "Buildings in Porthaven"])
    }

    @Test func externalLinks() {
        #expect(text("See [https://example.org/tides tide tables] now") == "See tide tables now")
        #expect(text("Bare [https://example.org/x] gone") == "Bare gone")
        #expect(text("Not a link [sic] here") == "Not a link [sic] here")
    }

    @Test func quotesHeadingsListsEntitiesAndBlankLines() {
        let t = """
            The '''bold''' and ''italic'' and '''''both''''' and rock'n'roll.
            == Keepers ==
            * first
            ## second
            : indented
            ; term
            ----
            &amp; &lt;x&gt; caf&eacute; 1&ndash;2 a&nbsp;b &#65;&#x42;



            End
            """
        #expect(
            text(t)
                == "The bold and italic and both and rock'n'roll.\n\nKeepers\n\nfirst\nsecond\nindented\nterm\n\n& <x> café 1–2 a b AB\n\nEnd"
        )
    }

    @Test func unterminatedConstructsLeaveText() {
        #expect(text("a {{broken template") == "a {{broken template")
        #expect(text("[[Unclosed link and more") == "Unclosed link and more")
        #expect(text("x <ref>never closed") == "x never closed")
        #expect(text("y <!-- never closed") == "y")
        #expect(text("{|\nstray table") == "{|\nstray table")
        #expect(text("closers }} ]] |} alone") == "closers }} ]] |} alone")
    }

    @Test func hostileInputReturns() {
        let braces = String(repeating: "{{[[", count: 256 * 1024)
        #expect(text(braces).count <= braces.utf8.count)
        let deep = String(repeating: "{{", count: 100_000) + "x" + String(repeating: "}}", count: 100_000) + "y"
        #expect(text(deep) == "y")
        let links = String(repeating: "[[a|", count: 100_000) + String(repeating: "]]", count: 100_000)
        _ = text(links)
        let tags = String(repeating: "<ref><nowiki><!-", count: 50_000) + String(repeating: "[http://x ", count: 50_000)
        _ = text(tags)
    }
}
