import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct TRECLoaderTests {
    func load(_ s: String, _ path: String = "trec/ap001") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    @Test func twoDocsWithStrayMarkupStaySeparate() {
        let r = load(
            """
            <DOC>
            <DOCNO> ZQ880101-0001 </DOCNO>
            <FILEID>AP-NR-01-01-88 0001EST</FILEID>
            <HEAD>Harbour Tolls Rise</HEAD>
            <DATE>880101</DATE>
            <TEXT>
            <P>The toll went from 3 < 4 dollars, said AT&T's R&D office &amp; the port.
            <P>A second paragraph with an unclosed tag and a stray & sign.
            </TEXT>
            </DOC>
            <DOC>
            <DOCNO> ZQ880101-0002 </DOCNO>
            <HEAD>Second Story</HEAD>
            <TEXT>
            Plain text of the second story.
            </TEXT>
            </DOC>
            """)
        #expect(!r.rejected)
        #expect(r.articles.count == 2)
        let a = r.articles[0]
        #expect(a.id == "ZQ880101-0001")
        #expect(a.title == "Harbour Tolls Rise")
        #expect(a.date == "1988-01-01")
        #expect(
            a.body == "The toll went from 3 < 4 dollars, said AT&T's R&D office & the port.\n"
                + "A second paragraph with an unclosed tag and a stray & sign.")
        #expect(!a.body.contains("Second Story"))
        #expect(r.articles[1].id == "ZQ880101-0002")
        #expect(r.articles[1].title == "Second Story")
        #expect(r.articles[1].body == "Plain text of the second story.")
        #expect(r.articles[1].position == 1)
        #expect(r.diagnostics.isEmpty)
    }

    @Test func missingCloseTagEndsAtTheNextDoc() {
        let r = load(
            """
            <DOC><DOCNO>A1</DOCNO><TEXT><P>first text
            <DOC><DOCNO>A2</DOCNO><TEXT>second text</TEXT></DOC>
            """)
        #expect(r.articles.map(\.id) == ["A1", "A2"])
        #expect(r.articles[0].body == "first text")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 1 })
    }

    @Test func titleElementsAndDateForms() {
        let r = load(
            """
            <DOC><DOCNO>LA010189-0001</DOCNO>
            <DATE><P>January 5, 1989, Thursday, Home Edition</P></DATE>
            <HEADLINE><P>ZQ HEADLINE IN PARAGRAPH</P></HEADLINE>
            <TEXT><P>Body.</P></TEXT></DOC>
            <DOC><DOCNO>WSJ900214-0001</DOCNO><HL> Markets &amp; Money </HL><DD> 02/14/90 </DD>
            <TEXT>x</TEXT></DOC>
            <DOC><DOCNO>FT911-1</DOCNO><TITLE>Title wins</TITLE><HEADLINE>not this</HEADLINE>
            <DATE>19910514</DATE><TEXT>y</TEXT></DOC>
            <DOC><DOCNO>X-4</DOCNO><DATE>not a date</DATE><TEXT>z</TEXT></DOC>
            """)
        #expect(r.articles.count == 4)
        #expect(r.articles[0].title == "ZQ HEADLINE IN PARAGRAPH")
        #expect(r.articles[0].date == "1989-01-05")
        #expect(r.articles[1].title == "Markets & Money")
        #expect(r.articles[1].date == "1990-02-14")
        #expect(r.articles[2].title == "Title wins")
        #expect(r.articles[2].date == "1991-05-14")
        #expect(r.articles[3].date == nil)
    }

    /// The title elements of TREC disks 4 and 5 and of the San Jose Mercury News: FBIS's `<TI>`
    /// in its header, the Federal Register's `<DOCTITLE>` and the Congressional Record's `<TTL>`
    /// inside the text; an FT headline without its date line; SJMN's lead paragraph, kept
    /// outside `<TEXT>`, opens the body.
    @Test func disk45TitlesAndLeadParagraphs() {
        let r = load(
            """
            <DOC>
            <DOCNO> FBIS3-1 </DOCNO>
            <HT>  "cr00000011094001" </HT>
            <HEADER>
            <H2>  March 1994 </H2>
            <DATE1>  1 March 1994 </DATE1>
            Article Type:FBIS Translated Text
            <H3> <TI>      FOREIGN MINISTRY SPOKESMAN ON LIGHTHOUSE ISSUE </TI></H3>
            </HEADER>
            <TEXT>
              [Text] The spokesman said the keepers had been paid.
            </TEXT>
            </DOC>
            <DOC>
            <DOCNO> FR940104-0-00001 </DOCNO>
            <TEXT>
            <!-- PJG FTAG 4700 -->
            <USDEPT>DEPARTMENT OF AGRICULTURE</USDEPT>
            <DOCTITLE>General Crop Insurance Regulations; Barley Endorsement</DOCTITLE>
            <SUMMARY> The Corporation amends the regulations.</SUMMARY>
            </TEXT>
            </DOC>
            <DOC><DOCNO> CR93E-1 </DOCNO><TEXT>
            <TTL>TRIBUTE TO THE CANAL KEEPERS</TTL>
              Mr. SPEAKER, I rise today.
            </TEXT></DOC>
            <DOC><DOCNO>FT911-5</DOCNO><HEADLINE>
            FT  14 MAY 91 / International Company News: Tarrow buys a ferry
            </HEADLINE><TEXT>z</TEXT></DOC>
            <DOC><DOCNO>FT911-6</DOCNO><HEADLINE>FT 4 JAN 92 /</HEADLINE><TEXT>z</TEXT></DOC>
            <DOC><DOCNO>SJMN91-06001001</DOCNO><HEADLINE> HARBOUR REOPENS </HEADLINE>
            <LEADPARA> The harbour reopened on Monday. </LEADPARA>
            <TEXT> Ferries resumed their crossings. </TEXT></DOC>
            """)
        #expect(r.articles.count == 6)
        #expect(
            r.articles.map(\.title) == [
                "FOREIGN MINISTRY SPOKESMAN ON LIGHTHOUSE ISSUE",
                "General Crop Insurance Regulations; Barley Endorsement",
                "TRIBUTE TO THE CANAL KEEPERS",
                "International Company News: Tarrow buys a ferry",
                "FT 4 JAN 92 /",
                "HARBOUR REOPENS",
            ])
        #expect(r.articles[0].date == "1994-03-01")
        #expect(r.articles[0].body.trimmingWhitespace() == "The spokesman said the keepers had been paid.")
        #expect(!r.articles[1].body.contains("PJG"))
        let sjmn = r.articles[5].body.split(separator: "\n").map { String($0).trimmingWhitespace() }.filter {
            !$0.isEmpty
        }
        #expect(sjmn == ["The harbour reopened on Monday.", "Ferries resumed their crossings."], "\(sjmn)")
    }

    /// `<BYLINE>` (LA Times with paragraphs, AP with a second affiliation-only byline, FT) and
    /// `<AUTHOR>` (WSJ): the names, without "By" and staff titles.
    @Test func bylineAndAuthorElements() {
        let r = load(
            """
            <DOC><DOCNO>LA010189-0002</DOCNO>
            <BYLINE><P>By JANE DOE and JOHN ROE, Times Staff Writers</P></BYLINE>
            <TEXT><P>Body.</P></TEXT></DOC>
            <DOC><DOCNO>AP880101-0002</DOCNO>
            <BYLINE>By KIM POE</BYLINE>
            <BYLINE>Associated Press Writer</BYLINE>
            <TEXT>x</TEXT></DOC>
            <DOC><DOCNO>WSJ900214-0002</DOCNO><AUTHOR> Lee Moe (WSJ) </AUTHOR><TEXT>y</TEXT></DOC>
            <DOC><DOCNO>FT911-2</DOCNO><BYLINE> By ANN HOE </BYLINE><TEXT>z</TEXT></DOC>
            <DOC><DOCNO>X-5</DOCNO><BYLINE>Unclosed byline<TEXT>w</TEXT></DOC>
            <DOC><DOCNO>X-6</DOCNO><TEXT>none</TEXT></DOC>
            """)
        #expect(
            r.articles.map(\.authors) == [
                ["JANE DOE", "JOHN ROE"], ["KIM POE"], ["Lee Moe (WSJ)"], ["ANN HOE"], [], [],
            ])
        #expect(r.articles[0].body == "Body.")
    }

    @Test func severalTextElementsAndEntities() {
        let r = load(
            """
            <DOC><DOCNO>FR-1</DOCNO><TEXT>Part one &hyph; see &sect;2 &#233;t&#xE9;.</TEXT>
            <TEXT>Part <B>two</B> &unknown; stays.</TEXT></DOC>
            """)
        #expect(r.articles.first?.body == "Part one - see \u{A7}2 \u{E9}t\u{E9}.\nPart two &unknown; stays.")
    }

    @Test func docWithoutTextGetsItsOtherContent() {
        let r = load("<DOC>\n<DOCNO>W-1</DOCNO>\n<DOCHDR>http://x.example/ 200</DOCHDR>\n<p>Web page words</p>\n</DOC>")
        #expect(r.articles.first?.body == "Web page words")
        #expect(r.articles.first?.title == "")
    }

    @Test func missingDocnoUsesPathAndPosition() {
        let r = load("<DOC><TEXT>a</TEXT></DOC>\n<DOC><TEXT>b</TEXT></DOC>", "t/f")
        #expect(r.articles.map(\.id) == ["t/f#0", "t/f#1"])
        #expect(r.diagnostics.filter { $0.severity == .warning }.count == 2)
    }

    @Test func repeatedWarningsAreCapped() {
        let s = String(repeating: "<DOC><TEXT>t</TEXT></DOC>\n", count: 25)
        let r = load(s)
        #expect(r.articles.count == 25)
        let w = r.diagnostics.filter { $0.severity == .warning }
        #expect(w.count == WarningBudget.perKind + 1)
        #expect(w.prefix(3).map(\.line) == [1, 2, 3])
        #expect(w.last?.message.hasPrefix("5 more") == true)
    }

    @Test func detection() {
        #expect(ArticleFormat.detect(Array("<DOC>\n<DOCNO>1</DOCNO></DOC>".utf8)) == .trec)
        #expect(ArticleFormat.detect(Array("\n\n<DOC >\n".utf8)) == .trec)
        #expect(ArticleFormat.detect(Array("<doc>\n<docno>1</docno></doc>".utf8)) == .trec)
        #expect(ArticleFormat.detect(Array("<DOCUMENT>x</DOCUMENT>".utf8)) != .trec)
    }

    @Test func latin1Document() {
        var b = Array("<DOC><DOCNO>L1</DOCNO>\n<TEXT>caf".utf8)
        b += [0xE9]
        b += Array("</TEXT></DOC>".utf8)
        let r = ArticleLoading.load(b, relativePath: "l")
        #expect(r.articles.first?.body == "caf\u{E9}")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 2 && $0.message.contains("Latin-1") })
    }

    /// Latin-1 read as Windows-1252, as browsers read the label: 0x93/0x94 are curly quotes,
    /// 0x92 an apostrophe, 0x96 a dash; a byte Windows-1252 leaves undefined (0x81) makes the
    /// field invalid UTF-8 instead (a separator).
    @Test func windows1252Bytes() {
        var b = Array("<DOC><DOCNO>W1</DOCNO>\n<TEXT>".utf8)
        b += [0x93, 0x71, 0x94, 0x20, 0x69, 0x74, 0x92, 0x73, 0x20, 0x96, 0x20, 0x63, 0x61, 0x66, 0xE9]
        b += Array("</TEXT></DOC>".utf8)
        #expect(ArticleLoading.load(b, relativePath: "w").articles.first?.body == "“q” it’s – café")
        var u = Array("<DOC><DOCNO>W2</DOCNO>\n<TEXT>a".utf8)
        u += [0x81, 0x62]
        u += Array("</TEXT></DOC>".utf8)
        #expect(ArticleLoading.load(u, relativePath: "u").articles.first?.body.contains("’") == false)
    }

    /// The same for a plain text file.
    @Test func windows1252TextFile() {
        var b = Array("Title line\n\n".utf8)
        b += [0x93, 0x71, 0x94, 0x20, 0x69, 0x74, 0x92, 0x73, 0x20, 0x80, 0x35, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A]
        let (text, outcome) = TextDecoding.decode(b)
        #expect(text == "Title line\n\n“q” it’s €5 café\n")
        #expect(outcome == .latin1(line: 3))
        let r = ArticleLoading.load(b, relativePath: "t.txt")
        #expect(r.articles.first?.body.contains("“q” it’s €5 café") == true)
    }

    /// LDC newswire (Gigaword, AQUAINT-2, TAC): the id is the `<DOC>`'s attribute and the day
    /// comes from it; AQUAINT's `<DATE_TIME>`; a TREC AP id names its day too.
    @Test func ldcNewswireIdsAndDates() {
        let giga = load(
            """
            <DOC id="AFP_ENG_20090531.0001" type="story" >
            <HEADLINE>
            Pilots call off strike
            </HEADLINE>
            <DATELINE>PORTHAVEN, May 31, 2009 (AFP)</DATELINE>
            <TEXT>
            <P>Harbour pilots called off a strike.</P>
            </TEXT>
            </DOC>
            """, "gigaword/afp_eng_200905")
        #expect(giga.diagnostics.isEmpty, "\(giga.diagnostics)")
        #expect(giga.articles.first?.id == "AFP_ENG_20090531.0001")
        #expect(giga.articles.first?.date == "2009-05-31")
        #expect(giga.articles.first?.title == "Pilots call off strike")
        let aquaint = load(
            """
            <DOC>
            <DOCNO> APW19980601.0003 </DOCNO>
            <DATE_TIME> 1998-06-01 00:16:00 </DATE_TIME>
            <BODY><HEADLINE> Ferry fares to rise </HEADLINE>
            <TEXT><P> Fares rise in July. </P></TEXT></BODY>
            </DOC>
            """)
        #expect(aquaint.articles.first?.date == "1998-06-01T00:16:00Z")
        #expect(TRECLoader.dateOfID("APW19980601.0003") == "1998-06-01")
        #expect(TRECLoader.dateOfID("NYT_ENG_19940701.0001") == "1994-07-01")
        #expect(TRECLoader.dateOfID("AP880212-0001") == "1988-02-12")
        #expect(TRECLoader.dateOfID("FR940104-0-00001") == "1994-01-04")
        #expect(TRECLoader.dateOfID("FR891103-0001") == "1989-11-03")
        let fr = load(
            """
            <DOC>
            <DOCNO> FR940104-0-00001 </DOCNO>
            <PARENT> FR940104-0-00001 </PARENT>
            <TEXT>
            <!-- PJG ITAG l=50 g=1 f=1 -->
            Tuesday, January 4, 1994
            <DOCTITLE>Harbour Fees</DOCTITLE>
            </TEXT>
            </DOC>
            """)
        #expect(fr.articles.first?.date == "1994-01-04")
        #expect(fr.articles.first?.title == "Harbour Fees")
        for other in [
            "FT911-1", "LA010189-0001", "WSJ870324-0001", "AFP_ENG_20091331.0001", "x19980601.0003", "",
            "FR941304-0-00001", "FR940104-", "FR940104-0-x", "FRA40104-0-00001",
        ] {
            #expect(TRECLoader.dateOfID(other) == nil, "\(other)")
        }
    }

    /// FBIS documents open with the same header lines (`Language: Spanish`, `Article Type:BFN`)
    /// and a `[Text]` mark: not the story's words, nor its snippet's start.
    @Test func fbisHeaderLinesAreNoText() {
        let r = load(
            """
            <DOC>
            <DOCNO> FBIS3-1 </DOCNO>
            <HEADER>
            <DATE1>  1 March 1994 </DATE1>
            <H3> <TI>      Former President Speaks </TI></H3>
            </HEADER>
            <TEXT>
            Language: <F P=105>Spanish </F>
            Article Type:BFN

            <F P=106> [Text] </F> The former president zqspoke today.
            </TEXT>
            </DOC>
            <DOC>
            <DOCNO> FBIS3-2 </DOCNO>
            <TEXT>
            Article Type:CSO

            <F P=106> [Report by Ana Ruiz] </F>
              [Text] Language: the law on it changed.
            </TEXT>
            </DOC>
            <DOC>
            <DOCNO> LA010189-0002 </DOCNO>
            <TEXT>
            Language: a column on words.
            </TEXT>
            </DOC>
            """)
        #expect(
            r.articles.map(\.body) == [
                "The former president zqspoke today.", "[Report by Ana Ruiz]\n[Text] Language: the law on it changed.",
                "Language: a column on words.",
            ])
        #expect(r.articles.first?.title == "Former President Speaks")
    }

    /// The LA Times' `<SECTION>` names the paper's section before its page: a category.
    @Test func laTimesSectionIsACategory() {
        let r = load(
            """
            <DOC>
            <DOCNO> LA010189-0001 </DOCNO>
            <SECTION>
            <P>
            Metro; Part 2; Page 1; Column 1
            </P>
            </SECTION>
            <HEADLINE><P>HARBOUR ZQVOTE</P></HEADLINE>
            <TEXT><P>The board voted.</P></TEXT>
            </DOC>
            <DOC>
            <DOCNO> LA010189-0002 </DOCNO>
            <SECTION><P>Page 3</P></SECTION>
            <TEXT><P>Text.</P></TEXT>
            </DOC>
            """)
        #expect(r.articles.map(\.categories) == [["Metro"], []])
        #expect(r.articles.map(\.body) == ["The board voted.", "Text."])
    }
}
