import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct ReutersLoaderTests {
    /// Three hand-written records in the SGML layout: a full one, an empty UNPROC one, a BRIEF one.
    static let sgml: [UInt8] =
        Array(
            """
            <!DOCTYPE lewis SYSTEM "lewis.dtd">
            <REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="9001" NEWID="501">
            <DATE> 5-MAR-1987 10:20:30.44</DATE>
            <TOPICS><D>grain</D><D>wheat</D></TOPICS>
            <PLACES><D>canada</D><D>grain</D></PLACES>
            <PEOPLE></PEOPLE>
            <ORGS></ORGS>
            <EXCHANGES></EXCHANGES>
            <COMPANIES></COMPANIES>
            <UNKNOWN>&#5;&#5;&#5;G&#22;&#22;&#1;f1234&#31;reute</UNKNOWN>
            <TEXT>&#2;
            <TITLE>PRAIRIE MILLS &lt;PML> RAISE FLOUR OUTPUT</TITLE>
            <DATELINE>    WINNIPEG, March 5 - </DATELINE><BODY>Prairie Mills Ltd said it will raise
            flour output by 12 pct &amp; hire staff at its new plant.
                Officials said the move follows a wet autumn.

             Reuter
            &#3;</BODY></TEXT>
            </REUTERS>
            <REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="9002" NEWID="502">
            <DATE> 5-MAR-1987 10:21:00.00</DATE>
            <TOPICS></TOPICS>
            <PLACES></PLACES>
            <TEXT TYPE="UNPROC">&#2;
            &#3;

            </TEXT>
            </REUTERS>
            <REUTERS TOPICS="NO" LEWISSPLIT="TEST" CGISPLIT="TRAINING-SET" OLDID="9003" NEWID="503">
            <DATE> 5-MAR-1987 10:22:00.00</DATE>
            <TOPICS></TOPICS>
            <PLACES><D>usa</D></PLACES>
            <TEXT TYPE="BRIEF">&#2;
            ******<TITLE>FLASH HEADLINE ABOUT ZQBRIEF COMPANY
            </TITLE>Blah blah blah.
            &#3;

            </TEXT>
            </REUTERS>

            """.utf8)

    @Test func fieldsOfAFullRecord() {
        let r = ArticleLoading.load(Self.sgml, relativePath: "reut/reut2-900.sgm")
        #expect(!r.rejected)
        #expect(r.articles.count == 3)
        let a = r.articles[0]
        #expect(a.id == "501")
        #expect(a.title == "PRAIRIE MILLS <PML> RAISE FLOUR OUTPUT")
        #expect(a.date == "1987-03-05T10:20:30Z")
        #expect(a.categories == ["grain", "wheat", "canada"])
        #expect(
            a.body.hasPrefix("WINNIPEG, March 5 - Prairie Mills Ltd said it will raise\nflour output by 12 pct & hire"))
        #expect(a.body.hasSuffix("wet autumn.\nReuter"))
        #expect(a.source == "reut/reut2-900.sgm")
        #expect(a.position == 0)
        #expect(a.link == nil)
    }

    @Test func controlCharacterReferencesNeverReachTheText() {
        let r = ReutersLoader().load(Self.sgml, relativePath: "x.sgm")
        for a in r.articles {
            for s in [a.title, a.body] {
                #expect(!s.contains("&#"))
                #expect(!s.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
            }
        }
        // The UNKNOWN block (wire routing codes) is not text of the article.
        #expect(!r.articles[0].body.contains("reute\n") && !r.articles[0].body.contains("f1234"))
    }

    @Test func emptyRecordIsStillAnArticle() {
        let r = ReutersLoader().load(Self.sgml, relativePath: "x.sgm")
        let a = r.articles[1]
        #expect(a.id == "502")
        #expect(a.title.isEmpty)
        #expect(a.body.isEmpty)
        #expect(a.date == "1987-03-05T10:21:00Z")
        #expect(a.position == 1)
    }

    @Test func briefRecordKeepsItsTitleAndDropsTheFiller() {
        let a = ReutersLoader().load(Self.sgml, relativePath: "x.sgm").articles[2]
        #expect(a.id == "503")
        #expect(a.title == "FLASH HEADLINE ABOUT ZQBRIEF COMPANY")
        #expect(a.body.isEmpty)
        #expect(a.categories == ["usa"])
    }

    @Test func unprocessedTextIsTheBody() {
        let s = """
            <REUTERS NEWID="7"><DATE>26-FEB-1987 16:35:24.57</DATE><TEXT TYPE="UNPROC">&#2;
            WEEKLY RESERVES REPORT - FEB 26
             Net free reserves.....644 vs.....1,337
             Reuter
            &#3;</TEXT></REUTERS>
            """
        let a = ReutersLoader().load(Array(s.utf8), relativePath: "u.sgm").articles[0]
        #expect(a.title == "")
        #expect(a.body == "WEEKLY RESERVES REPORT - FEB 26\nNet free reserves.....644 vs.....1,337\nReuter")
    }

    @Test func latin1ByteIsDecodedWithAWarningOnItsLine() {
        var b = Array("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS NEWID=\"9\">\n<TEXT><BODY>growth.".utf8)
        b += [0xFC]
        b += Array("&#5;&#30;side measures\n&#3;</BODY></TEXT>\n</REUTERS>\n".utf8)
        let r = ArticleLoading.load(b, relativePath: "l1.sgm")
        #expect(!r.rejected)
        #expect(r.articles.first?.body == "growth.\u{FC} side measures")
        let w = r.diagnostics.first { $0.severity == .warning }
        #expect(w?.message.contains("Latin-1") == true)
        #expect(w?.line == 3)
    }

    @Test func xmlVersionIsReadTheSameWay() {
        let xml = """
            <?xml version="1.0"?>
            <LEWIS>
            <REUTERS TOPICS="YES" NEWID="11">
            <DATE>1-APR-1987 08:00:00.00</DATE>
            <TOPICS><D>acq</D></TOPICS>
            <TEXT>
            <TITLE>ZQXML TITLE</TITLE>
            <DATELINE>LONDON, April 1 - </DATELINE><BODY>Body &amp; more &lt;XY&gt;.</BODY></TEXT>
            </REUTERS>
            <REUTERS NEWID="12"><TEXT></TEXT></REUTERS>
            </LEWIS>
            """
        #expect(ArticleFormat.detect(Array(xml.utf8)) == .reuters)
        let r = ArticleLoading.load(Array(xml.utf8), relativePath: "reut2-000.xml")
        #expect(r.articles.map(\.id) == ["11", "12"])
        #expect(r.articles[0].title == "ZQXML TITLE")
        #expect(r.articles[0].body == "LONDON, April 1 - Body & more <XY>.")
        #expect(r.articles[0].categories == ["acq"])
        #expect(r.articles[0].date == "1987-04-01T08:00:00Z")
    }

    /// `<AUTHOR>`: the byline's name, without "by" and the agency (entities decoded); never in
    /// the body, with or without `<BODY>`.
    @Test func authorElementGivesTheByline() {
        let s = """
            <REUTERS NEWID="21"><TEXT>&#2;
            <TITLE>ZQ TALKING POINT</TITLE>
            <AUTHOR>    by Pat D&#39;Arcy, Reuters</AUTHOR>
            <DATELINE>    NEW YORK, March 2 - </DATELINE><BODY>Text of the story.
             Reuter
            &#3;</BODY></TEXT></REUTERS>
            <REUTERS NEWID="22"><TEXT TYPE="UNPROC">&#2;
            <AUTHOR>    BY LEE ROE AND KIM POE, REUTER</AUTHOR>
            Unprocessed text.
            &#3;</TEXT></REUTERS>
            <REUTERS NEWID="23"><TEXT><BODY>No byline.</BODY></TEXT></REUTERS>
            """
        let r = ReutersLoader().load(Array(s.utf8), relativePath: "a.sgm")
        #expect(r.articles.map(\.authors) == [["Pat D'Arcy"], ["LEE ROE", "KIM POE"], []])
        #expect(!r.articles[0].body.contains("Arcy"))
        #expect(r.articles[1].body == "Unprocessed text.")
    }

    @Test func detection() {
        #expect(ArticleFormat.detect(Self.sgml) == .reuters)
        #expect(ArticleFormat.detect(Array("<REUTERS NEWID=\"1\"></REUTERS>".utf8)) == .reuters)
    }

    @Test func unterminatedRecordEndsAtTheNextOne() {
        let s = """
            <REUTERS NEWID="1"><TEXT><TITLE>ONE</TITLE><BODY>first body
            <REUTERS NEWID="2"><TEXT><TITLE>TWO</TITLE><BODY>second body</BODY></TEXT></REUTERS>
            """
        let r = ReutersLoader().load(Array(s.utf8), relativePath: "t.sgm")
        #expect(r.articles.map(\.id) == ["1", "2"])
        #expect(r.articles[0].body == "first body")
        #expect(r.articles[1].body == "second body")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.line == 1 })
        #expect(!r.rejected)
    }

    @Test func missingNewidFallsBackToPathAndPosition() {
        let r = ReutersLoader().load(
            Array("<REUTERS><TEXT><BODY>x</BODY></TEXT></REUTERS>".utf8), relativePath: "m.sgm")
        #expect(r.articles.first?.id == "m.sgm#0")
        #expect(r.diagnostics.contains { $0.severity == .warning })
    }

    @Test func brokenTimeKeepsTheDay() {
        let r = ReutersLoader().load(
            Array("<REUTERS NEWID=\"3\"><DATE>31-MAR-1987 605:12:19.12</DATE></REUTERS>".utf8), relativePath: "d.sgm")
        #expect(r.articles.first?.date == "1987-03-31")
    }

    // MARK: - The real collection, when present

    static let corpusDir: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("../shared/corpora/reuters21578/sgml").standardizedFileURL.path
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: corpusDir)))
    func allOfReuters21578() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpusDir).filter { $0.hasSuffix(".sgm") }
            .sorted()
        #expect(files.count == 22)
        var ids = Set<String>()
        var count = 0
        var warnings: [Diagnostic] = []
        var withAuthors = 0
        for f in files {
            let bytes = try ArticleLoading.readFile(Array((Self.corpusDir + "/" + f).utf8CString))
            #expect(ArticleFormat.detect(bytes) == .reuters)
            let r = ArticleLoading.load(bytes, relativePath: f)
            #expect(!r.rejected)
            warnings += r.diagnostics.filter { $0.severity == .warning }
            count += r.articles.count
            for a in r.articles {
                ids.insert(a.id)
                if a.id == "17980" { #expect(a.body.contains("growth.\u{FC}")) }
                if !a.authors.isEmpty { withAuthors += 1 }
                #expect(!a.authors.contains { $0.lowercased().hasPrefix("by ") || $0.hasSuffix(", Reuters") })
                #expect(!a.body.contains("&#"))
            }
        }
        #expect(count == 21_578)
        #expect(ids.count == 21_578)
        // 875 records have an <AUTHOR>, each naming someone.
        #expect(withAuthors == 875)
        // The one Latin-1 byte of reut2-017 is the only thing worth a warning.
        #expect(warnings.count == 1)
        #expect(warnings.first?.path == "reut2-017.sgm")
    }
}
