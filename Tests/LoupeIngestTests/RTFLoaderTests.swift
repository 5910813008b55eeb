import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// RTF documents: one article each, read byte by byte.
struct RTFLoaderTests {
    static func load(_ s: String, _ path: String = "d/memo.rtf") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    /// The body of a one-paragraph-or-more document whose title comes from `\info`.
    static func body(_ rtf: String) -> String {
        let r = load("{\\rtf1\\ansi{\\info{\\title T}}" + rtf + "}")
        return r.articles.first?.body ?? "<no article: \(r.diagnostics)>"
    }

    static var sample: [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? Array(Data(contentsOf: root.appendingPathComponent("Corpus/documents/pier-lighting-memo.rtf"))))
            ?? []
    }

    @Test func detection() {
        func format(_ s: String) -> ArticleFormat { ArticleFormat.detect(Array(s.utf8)) }
        #expect(format("{\\rtf1\\ansi Hello}") == .rtf)
        #expect(format("\u{FEFF}\n  {\\rtf1 Hello}") == .rtf)
        #expect(format("{\\rtf\\ansi Hello}") == .rtf)
        #expect(format("{\\rtf2 Hello}") == .rtf)
        #expect(format("{\\rtfx Hello}") != .rtf)
        // `{\rtf` later in a text file, or a JSON line, is not RTF.
        #expect(format("Notes on formats\n\nA file opens with {\\rtf1 and a brace.\n") == .text)
        #expect(format("{\"rtf\": 1}\n") == .jsonLines)
        #expect(format("x{\\rtf1 Hello}") == .text)
    }

    @Test func hexEscapesInWindows1252() {
        #expect(RTFLoaderTests.body("caf\\'e9 \\'93quoted\\'94 \\'80") == "café “quoted” €")
        // Upper-case hex digits, and a byte Windows-1252 leaves undefined (a blank).
        #expect(RTFLoaderTests.body("na\\'EFve a\\'81b") == "naïve a b")
        // A broken escape is dropped.
        #expect(RTFLoaderTests.body("a\\'zb c\\'4") == "azb c")
    }

    @Test func hexEscapesInOtherCodePages() {
        // Shift_JIS: two escapes make one character; a raw line end between them changes nothing.
        let sjis = RTFLoaderTests.load("{\\rtf1\\ansi\\ansicpg932{\\info{\\title T}}\\'93\\'8c\r\n\\'8b\\'9e\\par}")
        #expect(sjis.articles.first?.body == "東京")
        // windows-1251 for the whole document.
        #expect(
            RTFLoaderTests.load("{\\rtf1\\ansi\\ansicpg1251 \\'cc\\'ee\\'f1\\'ea\\'e2\\'e0}").articles.first?.body
                == "Москва")
        // The font's charset overrides the document's code page; \plain goes back to \deff's.
        let fonts = """
            {\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}{\\f1\\fnil\\fcharset128 MS Mincho;}\
            {\\f2\\fnil\\fcharset204 Cyrillic;}{\\f3\\fnil\\fcharset161 Greek;}{\\f4\\fcharset0\\cpg1250 Central;}}
            {\\info{\\title T}}caf\\'e9 {\\f1 \\'93\\'8c\\'8b\\'9e} {\\f2 \\'cc\\'ee\\'f1\\'ea\\'e2\\'e0} \\f3 \\'e1\\'e8\\'ec\\plain  \\'e9 \\f4 \\'9a}
            """
        #expect(RTFLoaderTests.load(fonts).articles.first?.body == "café 東京 Москва αθμ é š")
        // Japanese as the default font's charset.
        let deff = "{\\rtf1\\ansi\\deff1{\\fonttbl{\\f0 Arial;}{\\f1\\fcharset128 Mincho;}}\\'93\\'8c\\'8b\\'9e}"
        #expect(RTFLoaderTests.load(deff).articles.first?.body == "東京")
        // A code page iconv does not know: Windows-1252, with a warning.
        let unknown = RTFLoaderTests.load("{\\rtf1\\ansi\\ansicpg99999 caf\\'e9}")
        #expect(unknown.articles.first?.body == "café")
        #expect(unknown.diagnostics.contains { $0.message.contains("code page 99999") && $0.severity == .warning })
    }

    @Test func unicodeEscapes() {
        #expect(RTFLoaderTests.body("\\u8364? and \\u-21504?\\u-21503?") == "€ and 가각")
        // \ucN fallback characters, a \'hh counting as one; a group restores the count.
        #expect(RTFLoaderTests.body("{\\uc2\\u26481\\'93\\'8c}\\u20140?x \\uc0\\u26481 y") == "東京x 東y")
        #expect(RTFLoaderTests.body("\\uc1\\u233\\'e9t\\u233 e") == "été")
        // U+2028 and U+2029 (TextEdit writes them) are a line and a paragraph break.
        #expect(RTFLoaderTests.body("a\\uc0\\u8232 b\\u8233 c") == "a\nb\n\nc")
        // A fallback cut by the group's end skips nothing more.
        #expect(RTFLoaderTests.body("{\\uc3\\u26481 a}bc") == "東bc")
    }

    @Test func surrogatePairs() {
        #expect(RTFLoaderTests.body("ship \\u-10179?\\u-8704? ahoy") == "ship \u{1F600} ahoy")
        // A lone half is U+FFFD.
        #expect(RTFLoaderTests.body("a\\u-10179?b \\u-8704?c") == "a\u{FFFD}b \u{FFFD}c")
    }

    @Test func controlSymbolsAndSpecialCharacters() {
        #expect(RTFLoaderTests.body("a\\\\b \\{c\\} d\\~e f\\-g h\\_i") == "a\\b {c} d\u{A0}e fg h-i")
        #expect(
            RTFLoaderTests.body("\\lquote x\\rquote  \\ldblquote y\\rdblquote\\emdash z\\endash w \\bullet v")
                == "‘x’ “y”—z–w •v")
        // Raw line ends are not text; a backslash before one is a paragraph break.
        #expect(RTFLoaderTests.body("har\r\nbour\nmaster\\\nnext") == "harbourmaster\n\nnext")
        // A tab is a blank; the delimiting blank of a control word is not text, a second one is.
        #expect(RTFLoaderTests.body("a\\tab b\\b  c\\b0 d") == "a b cd")
    }

    @Test func paragraphsLinesAndTables() {
        let rtf = """
            \\pard First line\\line second line\\par\\par\\pard   \\par
            \\pard Indented   words  \\par
            \\trowd\\pard\\intbl A1\\cell A2\\cell\\row\\pard\\intbl B1\\cell B2\\cell\\row
            \\pard After the table\\sect Next section\\page Next page
            """
        #expect(
            RTFLoaderTests.body(rtf) == """
                First line
                second line

                Indented   words

                A1 A2
                B1 B2

                After the table

                Next section

                Next page
                """)
    }

    @Test func skippedDestinations() throws {
        let rtf = """
            {\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman\\fcharset0 Zqfontname;}{\\f1{\\*\\panose 0}Zqfonttwo;}}
            {\\colortbl;\\red255\\green0\\blue0;}{\\stylesheet{\\s0 Zqstyle;}}{\\*\\generator Zqgenerator 1.0;}
            {\\*\\listtable{\\list{\\listlevel{\\leveltext zqlevel;}}}}{\\*\\rsidtbl \\rsid1}{\\*\\xmlnstbl{\\xmlns1 zqxmlns}}
            {\\info{\\title Field notes}{\\operator Zqoperator}{\\company Zqcompany}{\\doccomm Zqcomment}{\\*\\zqinfo zqinfo}}
            {\\header Zqheader}{\\footerr Zqfooter}{\\*\\themedata 504b0304zqtheme}{\\*\\colorschememapping zqscheme}
            {\\*\\latentstyles{\\lsdlockedexcept zqlatent}}{\\*\\datastore 0105zqdata}{\\*\\pgdsctbl zqpgdsc}
            \\pard Kept text{\\*\\bkmkstart zqbookmark}{\\*\\bkmkend zqbookmark} and a \
            {\\field{\\*\\fldinst{ HYPERLINK "https://zqinstr.example/" }}{\\fldrslt{\\ul field result}}}. \
            Note{\\footnote\\pard\\plain{\\super\\chftn} Zqfootnote text.} here.{\\*\\zqunknown unknown text}
            {\\pict\\pngblip\\picw10 89504e470d0a1a0a zqpict {nested} \\'ff}{\\object\\objemb{\\*\\objdata zqobj}{\\result zqresult}}
            {\\*\\annotation zqannotation}{\\listtext 1.\\tab}{\\pntext\\f1 \\'b7\\tab}{\\xe {\\txe zqindex}}\\par
            {\\fldinst zqoldinst}{\\*\\ud zqnoupr}\\par}
            """
        let r = RTFLoaderTests.load(rtf)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let a = try #require(r.articles.first)
        #expect(a.title == "Field notes")
        #expect(a.body == "Kept text and a field result. Note here.\n\nzqnoupr", "\(a.body)")
        #expect(!a.body.lowercased().contains("zqfont"))
    }

    @Test func infoMetadata() throws {
        let rtf = """
            {\\rtf1\\ansi{\\info{\\title  Ferry\\~timetable  changes }{\\author Jane Doe and John Roe}\
            {\\subject Ferries}{\\keywords timetable, winter; ferries}\
            {\\creatim\\yr2009\\mo2\\dy3\\hr14\\min5}{\\revtim\\yr2010\\mo1\\dy1}}
            \\pard Ferry timetable changes\\par The winter timetable starts on Monday.\\par}
            """
        let r = RTFLoaderTests.load(rtf, "ferries/winter.rtf")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let a = try #require(r.articles.first)
        #expect(a.id == "ferries/winter.rtf" && a.source == "ferries/winter.rtf" && a.position == 0)
        #expect(a.title == "Ferry timetable changes")
        // The first paragraph repeats the title: not kept twice.
        #expect(a.body == "The winter timetable starts on Monday.")
        #expect(a.authors == ["Jane Doe", "John Roe"])
        #expect(a.date == "2009-02-03T14:05:00Z")
        #expect(a.categories == ["timetable", "winter", "ferries", "Ferries"])
        // Without \creatim, \revtim; a date without a time is a day; a bad date is none.
        let rev = RTFLoaderTests.load("{\\rtf1{\\info{\\revtim\\yr2010\\mo1\\dy31}}Text}").articles.first
        #expect(rev?.date == "2010-01-31")
        let bad = RTFLoaderTests.load("{\\rtf1{\\info{\\creatim\\yr2010\\mo2\\dy30}}Text}").articles.first
        #expect(bad?.date == nil)
        // \upr: the Unicode version (\*\ud) of an \info field, not the ANSI one.
        let upr = RTFLoaderTests.load(
            "{\\rtf1{\\info{\\upr{\\title Tokyo ferry}{\\*\\ud{\\title \\u26481?\\u20140? ferry}}}}Text}"
        ).articles.first
        #expect(upr?.title == "東京 ferry")
    }

    @Test func titleFromTheFirstParagraph() {
        func article(_ body: String, _ path: String = "a/notes.rtf") -> Article? {
            RTFLoaderTests.load("{\\rtf1\\ansi " + body + "}", path).articles.first
        }
        let short = article("\\pard Pier lights\\par\\pard The pier lights were mended.\\par")
        #expect(short?.title == "Pier lights" && short?.body == "The pier lights were mended.")
        let long = String(repeating: "word ", count: 30)
        let named = article("\\pard \(long)\\par More.\\par", "a/long-first.rtf")
        #expect(named?.title == "long-first" && named?.body.hasPrefix("word word") == true)
        // A first paragraph of two lines, or the only paragraph, is not a title.
        let lines = article("One\\line two\\par Three\\par", "a/lines.rtf")
        #expect(lines?.title == "lines" && lines?.body == "One\ntwo\n\nThree")
        let only = article("Only paragraph", "a/only.rtf")
        #expect(only?.title == "only" && only?.body == "Only paragraph")
    }

    @Test func noTextGivesANote() {
        for rtf in ["{\\rtf1}", "{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\pard\\par\\par}", "{\\rtf1{\\pict 0101}}"] {
            let r = RTFLoaderTests.load(rtf)
            #expect(r.articles.isEmpty && !r.rejected, "\(rtf)")
            #expect(r.diagnostics.map(\.message) == ["no text in the document"], "\(rtf)")
            #expect(r.diagnostics.first?.severity == .note)
        }
    }

    @Test func binaryData() throws {
        // \binN skips N raw bytes, braces and backslashes included.
        let rtf = "{\\rtf1{\\info{\\title T}}Before {\\*\\blob\\bin6 }}\\{\\}x} after\\bin4 a}{\\ text}"
        #expect(RTFLoaderTests.load(rtf).articles.first?.body == "Before  after text")
        // Past the end of the file: the reading stops with a warning, the text so far kept.
        let r = RTFLoaderTests.load("{\\rtf1{\\info{\\title T}}Kept\\bin999999 zz}")
        #expect(r.articles.first?.body == "Kept")
        #expect(r.diagnostics.contains { $0.severity == .warning && $0.message.contains("\\bin999999 runs past") })
        let skipped = RTFLoaderTests.load("{\\rtf1 Kept{\\*\\zq\\bin999999 zz}}")
        #expect(skipped.articles.first?.body == "Kept" && !skipped.rejected)
        #expect(skipped.diagnostics.contains { $0.message.contains("runs past the end") })
    }

    @Test func unbalancedBraces() throws {
        // A truncated file: its text is kept, with a warning.
        let open = RTFLoaderTests.load("{\\rtf1{\\info{\\title T}}\\pard Cut short {\\b here")
        #expect(open.articles.first?.body == "Cut short here")
        let w = try #require(open.diagnostics.first)
        #expect(w.severity == .warning && w.message.contains("2 groups not closed"), "\(w)")
        // Text after the document's closing brace is ignored, with a note.
        let after = RTFLoaderTests.load("{\\rtf1{\\info{\\title T}}Inside}} Outside {\\b more}")
        #expect(after.articles.first?.body == "Inside")
        #expect(after.diagnostics.map(\.severity) == [.note])
        #expect(RTFLoaderTests.load("{\\rtf1 Inside}\r\n\0").diagnostics.isEmpty)
    }

    @Test func deepNesting() throws {
        let deep =
            "{\\rtf1 Before " + String(repeating: "{", count: 5000) + "inside" + String(repeating: "}", count: 5000)
            + "}"
        let r = RTFLoaderTests.load(deep)
        #expect(r.articles.first?.body == "Before" && !r.rejected)
        #expect(r.diagnostics.contains { $0.message.contains("nested deeper than 1000") })
        // Inside a skipped group too.
        let skipped = "{\\rtf1 Before{\\*\\zq " + String(repeating: "{", count: 5000) + "}"
        #expect(RTFLoaderTests.load(skipped).diagnostics.contains { $0.message.contains("nested deeper") })
        // A smaller cap, as a parameter.
        let capped = RTFLoader(maxDepth: 3).load(Array("{\\rtf1 a{b{c{d}}}}".utf8), relativePath: "x.rtf")
        #expect(capped.articles.first?.body == "abc")
    }

    @Test func sizeCap() {
        let r = RTFLoader(maxBytes: 8).load(Array("{\\rtf1 Too long}".utf8), relativePath: "big.rtf")
        #expect(r.rejected && r.diagnostics.first?.message == "RTF file larger than 0 MB; skipped")
    }

    /// Cut at every byte, and each byte replaced by bytes that matter to RTF: every load returns.
    @Test func hostileInput() {
        let s = RTFLoaderTests.sample
        #expect(s.count > 1000)
        for n in 0...s.count {
            let r = ArticleLoading.load(Array(s[0..<n]), relativePath: "cut.rtf")
            #expect(r.articles.count <= 1)
        }
        let replacements: [UInt8] = [0x7B, 0x7D, 0x5C, 0x27, 0x2D, 0x39, 0x00, 0xFF, 0x93]
        var b = s
        for i in 0..<s.count {
            for x in replacements {
                b[i] = x
                _ = RTFLoader().load(b, relativePath: "flip.rtf")
            }
            b[i] = s[i]
        }
        // Random bytes after a header, in a double-byte code page too.
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x7B, 0x7D, 0x5C, 0x27, 0x75, 0x62, 0x69, 0x6E, 0x2D, 0x31, 0x20, 0x39, 0x8C, 0xFF]
        for cp in ["1252", "932", "1251"] {
            for _ in 0..<200 {
                let tail = (0..<Int.random(in: 0..<400, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                _ = RTFLoader().load(Array("{\\rtf1\\ansicpg\(cp) ".utf8) + tail, relativePath: "r.rtf")
            }
        }
        // Code page after code page: Windows-1252 after the 64th, no iconv per byte.
        let pages = (0..<20_000).map { "\\ansicpg\(1250 + $0 % 200)\\'e9" }.joined()
        #expect(RTFLoaderTests.load("{\\rtf1 " + pages + "}").articles.first?.body.unicodeScalars.count ?? 0 > 19_000)
        // Huge numbers and long words.
        for t in [
            "{\\rtf1 \\u99999999999999999999999 \\uc-5\\u-999999 x\\bin-4 y\\f99999999999999 z}",
            "{\\rtf1 \\" + String(repeating: "a", count: 100_000) + " tail}", "{\\rtf1 \\", "{\\rtf1 \\'",
            "{\\rtf1 \\'9",
        ] {
            _ = RTFLoaderTests.load(t)
        }
    }

    /// The sample of `Corpus/documents/` through the loaders' entry point.
    @Test func sampleEndToEnd() throws {
        let r = ArticleLoading.load(RTFLoaderTests.sample, relativePath: "documents/pier-lighting-memo.rtf")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let a = try #require(r.articles.first)
        #expect(r.articles.count == 1)
        #expect(a.id == "documents/pier-lighting-memo.rtf" && a.source == a.id)
        #expect(a.title == "Night lighting on the south pier")
        #expect(a.authors == ["Halvard Quist", "Rosa Menendez"])
        #expect(a.date == "2008-11-17T08:45:00Z")
        #expect(a.categories == ["lamps", "south pier", "night work", "Pier lighting"])
        #expect(a.body.hasPrefix("To the harbour master and the duty crews.\n\n"), "\(a.body)")
        for kept in [
            "lamplighters", "café terrace", "(€4,200", "1\u{A0}to\u{A0}6 Seaward rail Ordered", "lighting notice page",
        ] {
            #expect(a.body.contains(kept), "\(kept)")
        }
        for left in [
            "Georgia", "Port Office Writer", "typing pool", "Eastmouth", "Draft kept", "HYPERLINK", "0100090000",
        ] {
            #expect(!a.body.contains(left) && !a.title.contains(left), "\(left)")
        }
    }
}
