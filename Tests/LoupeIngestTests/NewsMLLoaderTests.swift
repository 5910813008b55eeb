import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct NewsMLLoaderTests {
    func load(_ xml: String, _ path: String = "wire/item.xml") -> LoadResult {
        ArticleLoading.load(Array(xml.utf8), relativePath: path)
    }

    @Test func nitf() {
        let r = load(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <nitf version="-//IPTC//DTD NITF 3.4//EN">
              <head>
                <title>Head title (fallback)</title>
                <tobject tobject.type="News"><tobject.subject tobject.subject.refnum="15000000" tobject.subject.matter="Sport"/></tobject>
                <docdata>
                  <doc-id id-string="ZQ.1234.5678"/>
                  <date.issue norm="20150218T160141+0100"/>
                </docdata>
              </head>
              <body>
                <body.head><hedline><hl1>Harbour &amp; ferry <em>strike</em> ends</hl1></hedline></body.head>
                <body.content>
                  <p>First paragraph.</p><p>Second<br/>line.</p>
                  <pre>Table
            row</pre>
                </body.content>
              </body>
            </nitf>
            """)
        #expect(!r.rejected)
        #expect(r.articles.count == 1)
        let a = r.articles[0]
        #expect(a.id == "ZQ.1234.5678")
        #expect(a.title == "Harbour & ferry strike ends")
        #expect(a.date == "2015-02-18T15:01:41Z")
        #expect(a.categories == ["subj:15000000"])
        #expect(a.body == "First paragraph.\nSecond\nline.\nTable\nrow")
    }

    /// NITF shares the feeds' input repairs: an HTML entity and a Latin-1 byte in a UTF-8
    /// document (with its warning).
    @Test func nitfWithHTMLEntityAndLatin1Byte() {
        var b = Array("<?xml version=\"1.0\"?>\n<nitf><head><docdata><doc-id id-string=\"E1\"/></docdata></head>".utf8)
        b += Array("\n<body><body.head><hedline><hl1>Caf&eacute; &mdash; Z".utf8) + [0xFC]
        b += Array("rich</hl1></hedline></body.head><body.content><p>Text.</p></body.content></body></nitf>".utf8)
        let r = ArticleLoading.load(b, relativePath: "wire/e.xml")
        #expect(!r.rejected, "\(r.diagnostics)")
        #expect(r.articles.first?.title == "Café — Zürich")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 3 })
    }

    @Test func nitfWithoutHeadlineOrIdFallsBack() {
        let r = load(
            "<nitf><head><title>Only head title</title><docdata><date.issue norm=\"20151014\"/></docdata></head>"
                + "<body><body.content><p>Text.</p></body.content></body></nitf>", "w/pa.xml")
        #expect(r.articles.first?.title == "Only head title")
        #expect(r.articles.first?.id == "w/pa.xml")
        #expect(r.articles.first?.date == "2015-10-14")
    }

    static let newsML12 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <NewsML Version="1.2">
          <NewsEnvelope><DateAndTime>20231124T192141Z</DateAndTime></NewsEnvelope>
          <NewsItem>
            <Identification>
              <NewsIdentifier>
                <ProviderId>wire.example</ProviderId><DateId>20231124</DateId><NewsItemId>TX-ZQ1</NewsItemId>
                <RevisionId PreviousRevision="1" Update="N">2</RevisionId>
                <PublicIdentifier>urn:newsml:wire.example:20231124:TX-ZQ1:2</PublicIdentifier>
              </NewsIdentifier>
              <NameLabel>slug-alert</NameLabel>
            </Identification>
            <NewsManagement>
              <FirstCreated>20231124T190000Z</FirstCreated>
              <ThisRevisionCreated>20231124T192141+0200</ThisRevisionCreated>
            </NewsManagement>
            <NewsComponent>
              <NewsLines><HeadLine xml:lang="en"/></NewsLines>
              <DescriptiveMetadata>
                <SubjectCode><Subject FormalName="11000000"/></SubjectCode>
                <SubjectCode><SubjectMatter FormalName="11006000"/></SubjectCode>
                <SubjectCode><Subject FormalName="11000000"/></SubjectCode>
              </DescriptiveMetadata>
              <ContentItem><DataContent><nitf><body><body.content><p>Alert line one.</p></body.content></body></nitf></DataContent></ContentItem>
              <NewsComponent Duid="photo0">
                <NewsLines><HeadLine>Photo caption headline</HeadLine></NewsLines>
                <ContentItem><DataContent><p>Caption text.</p></DataContent></ContentItem>
              </NewsComponent>
            </NewsComponent>
          </NewsItem>
          <NewsItem>
            <Identification><NewsIdentifier><ProviderId>ana.example</ProviderId><DateId>20180404</DateId>
              <NewsItemId>19336333</NewsItemId><RevisionId>1</RevisionId></NewsIdentifier></Identification>
            <NewsComponent>
              <NewsLines><HeadLine><![CDATA[Wage balance positive]]></HeadLine></NewsLines>
              <ContentItem><DataContent><![CDATA[<P>Hiring grew &amp; more.</P><P>Second.</P>]]></DataContent></ContentItem>
            </NewsComponent>
          </NewsItem>
        </NewsML>
        """

    @Test func newsML12Items() {
        let r = load(Self.newsML12)
        #expect(!r.rejected)
        #expect(r.articles.count == 2)
        let a = r.articles[0]
        // Story identity: the PublicIdentifier without its revision.
        #expect(a.id == "urn:newsml:wire.example:20231124:TX-ZQ1")
        // Empty HeadLine (an alert): NameLabel, not the photo caption's headline.
        #expect(a.title == "slug-alert")
        #expect(a.date == "2023-11-24T17:21:41Z")
        #expect(a.categories == ["subj:11000000", "subj:11006000"])
        #expect(a.body == "Alert line one.\nCaption text.")
        let b = r.articles[1]
        #expect(b.id == "urn:newsml:ana.example:20180404:19336333")
        #expect(b.title == "Wage balance positive")
        #expect(b.body == "Hiring grew & more.\nSecond.")
        // No item date: the envelope's.
        #expect(b.date == "2023-11-24T19:21:41Z")
        #expect(b.position == 1)
    }

    @Test func newsMLG2Message() {
        let r = load(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ns0:newsMessage xmlns:ns0="http://iptc.org/std/nar/2006-10-01/">
              <ns0:header><ns0:sent>2014-07-16T15:53:10.000Z</ns0:sent></ns0:header>
              <ns0:itemSet>
                <ns0:packageItem guid="pkg-1"><ns0:itemMeta><ns0:title>Package</ns0:title></ns0:itemMeta></ns0:packageItem>
                <ns0:newsItem guid="tag:wire.example,2014:newsml_ZQ1" version="5">
                  <ns0:itemMeta>
                    <ns0:versionCreated>2014-07-16T15:53:10.000Z</ns0:versionCreated>
                    <ns0:title>Item meta title</ns0:title>
                  </ns0:itemMeta>
                  <ns0:contentMeta>
                    <ns0:subject qcode="subj:02000000"/>
                    <ns0:subject qcode="N2:SYR"><ns0:broader qcode="N2:MEAST"/></ns0:subject>
                    <ns0:subject literal="Politics"/>
                    <ns0:headline>Leader starts new term </ns0:headline>
                    <ns0:description role="descRole:caption">A caption</ns0:description>
                  </ns0:contentMeta>
                  <ns0:contentSet>
                    <ns0:inlineXML contenttype="application/xhtml+html">
                      <html xmlns="http://www.w3.org/1999/xhtml"><head><title>zqheadtitle</title></head>
                      <body><p>CITY (Wire) - First.</p><p>Second &amp; last.</p></body></html>
                    </ns0:inlineXML>
                  </ns0:contentSet>
                </ns0:newsItem>
                <ns0:newsItem guid="pic-2">
                  <ns0:itemMeta><ns0:firstCreated>2014-07-16T08:10:15Z</ns0:firstCreated></ns0:itemMeta>
                  <ns0:contentMeta><ns0:description>Only a picture caption.</ns0:description></ns0:contentMeta>
                </ns0:newsItem>
              </ns0:itemSet>
            </ns0:newsMessage>
            """, "tag_wire_newsml_ZQ1")
        #expect(!r.rejected)
        #expect(r.articles.count == 2)
        let a = r.articles[0]
        #expect(a.id == "tag:wire.example,2014:newsml_ZQ1")
        #expect(a.title == "Leader starts new term")
        #expect(a.body == "CITY (Wire) - First.\nSecond & last.")
        #expect(!a.body.contains("zqheadtitle"))
        #expect(a.date == "2014-07-16T15:53:10Z")
        #expect(a.categories == ["subj:02000000", "N2:SYR", "Politics"])
        let b = r.articles[1]
        #expect(b.id == "pic-2")
        #expect(b.title == "")
        #expect(b.body == "Only a picture caption.")
        #expect(b.date == "2014-07-16T08:10:15Z")
    }

    @Test func g2NewsItemRootWithInlineNITFTitle() {
        let r = load(
            """
            <newsItem guid="urn:newsml:stt.example:20171219:1" xmlns="http://iptc.org/std/nar/2006-10-01/">
              <itemMeta><versionCreated>2017-12-19 09:16:43</versionCreated></itemMeta>
              <contentMeta><headline/></contentMeta>
              <contentSet><inlineXML><nitf><head><title>Inline NITF title</title></head>
                <body><body.content><p>Text here.</p></body.content></body></nitf></inlineXML></contentSet>
            </newsItem>
            """)
        #expect(r.articles.first?.title == "Inline NITF title")
        #expect(r.articles.first?.body == "Text here.")
        #expect(r.articles.first?.date == "2017-12-19T09:16:43Z")
    }

    /// NITF `byline`: its text without the `byttl` title, or its `person`s; initials as written;
    /// a `byline` inside the body text is text, not an author.
    /// The New York Times Annotated Corpus's NITF: the body is the `full_text` block (its
    /// `lead_paragraph` block repeats the first paragraph), the printed byline is the author
    /// (the `normalized_byline` only when it is the one byline), the date is
    /// `pubdata@date.publication`, the descriptors and online sections are categories (one per
    /// word whatever its case).
    @Test func nytAnnotatedCorpus() throws {
        func doc(_ bylines: String) -> String {
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <nitf version="-//IPTC//DTD NITF 3.3//EN"><head><title>LIGHTHOUSE KEEPERS RETURN</title>
            <meta content="New York and Region; Science" name="online_sections"/>
            <docdata><doc-id id-string="1"/><identified-content>
            <classifier class="indexing_service" type="descriptor">LIGHTHOUSES</classifier>
            <classifier class="online_producer" type="descriptor">Lighthouses</classifier>
            <classifier class="online_producer" type="taxonomic_classifier">Top/News/New York and Region</classifier>
            <classifier class="online_producer" type="general_descriptor">Maritime Safety</classifier>
            </identified-content></docdata>
            <pubdata date.publication="19870101T000000" name="The New York Times"/></head>
            <body><body.head><hedline><hl1>Lighthouse Keepers Return</hl1></hedline>\(bylines)
            <abstract><p>Keepers return.</p></abstract></body.head>
            <body.content>
            <block class="lead_paragraph"><p>LEAD: The keepers came back.</p></block>
            <block class="full_text"><p>LEAD: The keepers came back.</p><p>The beacon was lit.</p></block>
            </body.content></body></nitf>
            """
        }
        let a = try #require(
            load(
                doc(
                    "<byline class=\"print_byline\">By TARROW SKEN</byline>"
                        + "<byline class=\"normalized_byline\">Sken, Tarrow</byline>")
            ).articles.first)
        #expect(a.title == "Lighthouse Keepers Return")
        #expect(a.body == "LEAD: The keepers came back.\nThe beacon was lit.", "\(a.body)")
        #expect(a.authors == ["TARROW SKEN"])
        #expect(a.date?.hasPrefix("1987-01-01") == true, "\(a.date ?? "nil")")
        #expect(a.categories == ["New York and Region", "Science", "LIGHTHOUSES", "Maritime Safety"])
        let b = try #require(load(doc("<byline class=\"normalized_byline\">Sken, Tarrow</byline>")).articles.first)
        #expect(b.authors == ["Tarrow Sken"])
        // Blocks without a full text are all kept.
        let c = try #require(
            load(
                "<nitf><body><body.content><block class=\"lead_paragraph\"><p>Lead.</p></block>"
                    + "<block class=\"online_lead_paragraph\"><p>Online.</p></block></body.content></body></nitf>"
            ).articles.first)
        #expect(c.body == "Lead.\nOnline.", "\(c.body)")
    }

    @Test func nitfByline() {
        func authors(_ byline: String) -> [String]? {
            load(
                "<nitf><body><body.head><hedline><hl1>H</hl1></hedline>\(byline)</body.head>"
                    + "<body.content><p>Text.</p><byline>By Body Text</byline></body.content></body></nitf>"
            ).articles.first?.authors
        }
        #expect(authors("<byline>By KIM DOE<byttl>Wire Business Writer</byttl></byline>") == ["KIM DOE"])
        #expect(
            authors("<byline>\n By <person>Lee Roe</person>\n <byttl>Network Online</byttl></byline>") == ["Lee Roe"])
        #expect(
            authors("<byline>By<person>Ann Poe</person> and <person>Bo Moe</person></byline>") == ["Ann Poe", "Bo Moe"])
        #expect(authors("<byline>By Ann Poe, Press Association Political Correspondent</byline>") == ["Ann Poe"])
        #expect(authors("<byline>zq/xy</byline>") == ["zq/xy"])
        #expect(authors("<byline/>") == [])
        #expect(authors("") == [])
    }

    /// NewsML 1.2: the `ByLine` of the item's first `NewsLines`; a photo component's `ByLine`
    /// (the photographer) is not the story's author.
    @Test func newsML12ByLineOfTheFirstNewsLinesOnly() {
        let r = load(
            """
            <NewsML Version="1.2"><NewsItem>
              <Identification><NewsIdentifier><ProviderId>w.example</ProviderId><DateId>20230101</DateId>
                <NewsItemId>A1</NewsItemId></NewsIdentifier></Identification>
              <NewsComponent>
                <NewsLines><HeadLine>Story</HeadLine><ByLine>By Jo Writer</ByLine></NewsLines>
                <ContentItem><DataContent><p>Text.</p></DataContent></ContentItem>
                <NewsComponent Duid="photo0"><NewsLines><HeadLine>Caption</HeadLine><ByLine>Pat Lens</ByLine></NewsLines></NewsComponent>
              </NewsComponent>
            </NewsItem><NewsItem>
              <Identification><NewsIdentifier><ProviderId>w.example</ProviderId><DateId>20230101</DateId>
                <NewsItemId>A2</NewsItemId></NewsIdentifier></Identification>
              <NewsComponent>
                <NewsLines><HeadLine>Photo story</HeadLine></NewsLines>
                <ContentItem><DataContent><p>Text.</p></DataContent></ContentItem>
                <NewsComponent Duid="photo0"><NewsLines><ByLine>Pat Lens</ByLine></NewsLines></NewsComponent>
              </NewsComponent>
            </NewsItem></NewsML>
            """)
        #expect(r.articles.map(\.authors) == [["Jo Writer"], []])
    }

    /// NewsML-G2: `contentMeta/by` as printed, else the `name`s of `contentMeta/creator` (its
    /// `literal` or `qcode` alone names an agency or a login, not a person).
    @Test func g2CreatorNameAndBy() {
        func item(_ guid: String, _ meta: String) -> String {
            "<newsItem guid=\"\(guid)\"><contentMeta><headline>H</headline>\(meta)</contentMeta></newsItem>"
        }
        let r = load(
            "<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\"><itemSet>"
                + item("c", "<creator qcode=\"ed:1893\"><name>Doe Jane</name></creator>")
                + item("l", "<creator literal=\"Wire\" role=\"cRole:source\"/>")
                + item("b", "<creator qcode=\"ed:1\"><name>Doe Jane</name></creator><by>Jane Doe, Kim Roe</by>")
                + item("q", "<creator qcode=\"ed:2\"/><contributor><name>Helper Person</name></contributor><by/>")
                + "</itemSet></newsMessage>")
        #expect(!r.rejected)
        #expect(r.articles.map(\.authors) == [["Doe Jane"], [], ["Jane Doe", "Kim Roe"], []])
    }

    @Test func itemsWithNothingAreSkippedWithANote() {
        let r = load("<newsMessage><itemSet><newsItem guid=\"x\"><itemMeta/></newsItem></itemSet></newsMessage>")
        #expect(r.articles.isEmpty)
        #expect(!r.rejected)
        #expect(r.diagnostics.contains { $0.severity == .note })
    }

    @Test func fatalXMLErrorRejectsTheFile() {
        let r = load("<nitf><body><body.content><hl1>one two</hl2></body.content></body></nitf>")
        #expect(r.rejected)
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.first?.line == 1)
    }

    @Test func detection() {
        for root in ["nitf", "NewsML", "newsMessage", "newsItem", "g2:newsMessage"] {
            let xml = "<?xml version=\"1.0\"?>\n<!-- wire -->\n<\(root) a=\"1\"></\(root)>"
            #expect(ArticleFormat.detect(Array(xml.utf8)) == .newsML)
        }
        #expect(ArticleFormat.detect(Array("<!DOCTYPE nitf SYSTEM \"nitf.dtd\"><nitf/>".utf8)) == .newsML)
        #expect(ArticleFormat.detect(Array("<rss version=\"2.0\"/>".utf8)) == .feed)
    }

    /// Reuters Corpus (RCV1/RCV2) `newsitem` files: the headline without the country prefix,
    /// the paragraphs, `@date`, `@itemid` scoped to the directory, the byline, the topic codes
    /// (countries and industries prefixed); dateline, copyright and metadata are not text.
    @Test func reutersCorpusNewsItem() {
        let xml = """
            <?xml version="1.0" encoding="iso-8859-1" ?>
            <newsitem itemid="40017" id="root" date="1996-09-02" xml:lang="en">
            <title>FRANCE: Ferry operators cut winter crossings.</title>
            <headline>Ferry operators cut winter crossings.</headline>
            <byline>Ana Zqwriter</byline>
            <dateline>CALAIS 1996-09-02</dateline>
            <text>
            <p>Two ferry operators will cut zqwinter crossings.</p>
            <p>Fares stay the same, they said.</p>
            </text>
            <copyright>(c) Zqcopyright Wire 1996</copyright>
            <metadata>
            <codes class="bip:countries:1.0"><code code="FR"><editdetail action="confirmed"/></code></codes>
            <codes class="bip:industries:1.0"><code code="I74000"/></codes>
            <codes class="bip:topics:1.0"><code code="C24"/><code code="CCAT"/></codes>
            <dc element="dc.date.created" value="1996-09-03"/>
            <dc element="dc.creator.location" value="CALAIS"/>
            </metadata>
            </newsitem>
            """
        let r = load(xml, "rcv1/19960902/40017newsML.xml")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let a = r.articles.first
        #expect(r.articles.count == 1)
        #expect(a?.id == "40017")
        #expect(a?.idScope == "rcv1/19960902")
        #expect(a?.title == "Ferry operators cut winter crossings.")
        #expect(a?.body == "Two ferry operators will cut zqwinter crossings.\nFares stay the same, they said.")
        #expect(a?.date == "1996-09-02")
        #expect(a?.authors == ["Ana Zqwriter"])
        #expect(a?.categories == ["country:FR", "industry:I74000", "C24", "CCAT"])
        // Without @date: the creation date of the metadata; without a headline: the title.
        let bare = load(
            xml.replacingOccurrences(of: " date=\"1996-09-02\"", with: "")
                .replacingOccurrences(of: "<headline>Ferry operators cut winter crossings.</headline>", with: ""))
        #expect(bare.articles.first?.date == "1996-09-03")
        #expect(bare.articles.first?.title == "FRANCE: Ferry operators cut winter crossings.")
        #expect(ArticleFormat.detect(Array(xml.utf8)) == .newsML)
    }
}
