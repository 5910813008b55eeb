import Testing

@testable import LoupeIngest

struct BylinesTests {
    @Test func blanksAreCollapsedAndNothingIsDecoded() {
        #expect(Bylines.names("  Jane \n\t Doe\u{A0} ") == ["Jane Doe"])
        // Encoded words are the mail loader's business.
        #expect(Bylines.names("=?utf-8?Q?Jos=C3=A9?= Doe") == ["=?utf-8?Q?Jos=C3=A9?= Doe"])
        #expect(Bylines.names("") == [])
        #expect(Bylines.names(" \n ") == [])
    }

    /// A full name followed by where the story was filed keeps the name only; other uses of
    /// "in" stay.
    @Test func placesAfterAFullNameAreDropped() {
        #expect(Bylines.names("Tom McCarthy in New York") == ["Tom McCarthy"])
        #expect(Bylines.names("Associated Press in Palm Beach, Florida") == ["Associated Press"])
        #expect(
            Bylines.names("David Smith in Washington and Lauren Gambino in New York") == [
                "David Smith", "Lauren Gambino",
            ])
        #expect(Bylines.names("Tom McCarthy in New York; Tom McCarthy") == ["Tom McCarthy"])
        #expect(Bylines.names("Guardian staff in london") == ["Guardian staff in london"])
        #expect(Bylines.names("Lost in Translation") == ["Lost in Translation"])
        #expect(Bylines.names("Jean in Paris") == ["Jean in Paris"])
        #expect(Bylines.names("José Núñez in Madrid") == ["José Núñez"])
        #expect(Bylines.names("Tom McCarthy in") == ["Tom McCarthy in"])
        #expect(Bylines.names("Tom McCarthy inNew York") == ["Tom McCarthy inNew York"])
    }

    @Test func rssAuthorEmailWithTheNameInAComment() {
        #expect(Bylines.names("jane@example.com (Jane Doe)") == ["Jane Doe"])
        #expect(Bylines.names("jane@example.com ()") == ["jane@example.com"])
        #expect(Bylines.names("jane@example.com (.....)") == ["jane@example.com"])
        #expect(Bylines.names("jane@example.com (\"\")") == ["jane@example.com"])
        // A UUCP bang path counts as an address; a lone comment gives its inside.
        #expect(Bylines.names("host.example!jdoe (Jane Doe)") == ["Jane Doe"])
        #expect(Bylines.names("(Jane Doe)") == ["Jane Doe"])
        // Odd forms of Usenet headers.
        #expect(Bylines.names("jd@x.example(Jane Doe) The Great") == ["Jane Doe"])
        #expect(Bylines.names("jd@x.example <Jane Doe>") == ["Jane Doe"])
        #expect(Bylines.names("jd@x.example (Jane Doe <jd@x.example>)") == ["Jane Doe"])
        #expect(Bylines.names("jd@x.example (Jane (JD) Doe)") == ["Jane (JD) Doe"])
        // The comment goes through the text rules: empty pieces dropped, one name kept whole.
        #expect(Bylines.names("jdoe@example.com (Jane Doe,,,)") == ["Jane Doe"])
        #expect(Bylines.names("jdoe@example.com (Doe, Jane Q.)") == ["Doe, Jane Q."])
    }

    @Test func displayNameBeforeAnAddress() {
        #expect(Bylines.names("Jane Doe <jane@example.com>") == ["Jane Doe"])
        #expect(Bylines.names("Charles Q. Roe, Jr. <roe@example.com>") == ["Charles Q. Roe, Jr."])
        #expect(Bylines.names("<jane@example.com>") == ["jane@example.com"])
    }

    @Test func quotedDisplayNameIsOneNameWithoutItsQuotes() {
        #expect(Bylines.names("\"Doe, Jane\" <j@x.example>") == ["Doe, Jane"])
        #expect(Bylines.names("\"Jane Doe, Some University Lab\" <j@x.example>") == ["Jane Doe, Some University Lab"])
        #expect(Bylines.names("\"Jane \\\"JD\\\" Doe\" <j@x.example>") == ["Jane \"JD\" Doe"])
        #expect(Bylines.names("\"\" <j@x.example>") == ["j@x.example"])
    }

    @Test func bareAddressIsKept() {
        #expect(Bylines.names("jane@example.com") == ["jane@example.com"])
        #expect(Bylines.names("  robot@listings.example ") == ["robot@listings.example"])
    }

    /// A mailbox is one person: after the first name, a comment's or display name's pieces are
    /// decoration (phone numbers, rooms, employers); a quoted one is taken whole.
    @Test func oneMailboxNamesOnePerson() {
        #expect(Bylines.names("hf@host.example (Hal Foe;555-0100;Room 5)") == ["Hal Foe"])
        #expect(Bylines.names("tf@host.example (Tom Foe | 2D-337 | x4341)") == ["Tom Foe"])
        #expect(Bylines.names("ld@uni.example (Lee Doe, Springfield University)") == ["Lee Doe"])
        #expect(Bylines.names("Lee Doe, Springfield University <ld@uni.example>") == ["Lee Doe"])
        #expect(
            Bylines.names("kc@host.example (Kim \"Justified And Ancient\" Coe)") == [
                "Kim \"Justified And Ancient\" Coe"
            ])
        #expect(Bylines.names("\"Jane Doe and John Roe\" <team@x.example>") == ["Jane Doe and John Roe"])
    }

    @Test func addressListGivesEachMailbox() {
        #expect(
            Bylines.names("Jane Doe <j@x.example>, \"Roe, John\" <r@y.example>, k@z.example")
                == ["Jane Doe", "Roe, John", "k@z.example"])
    }

    @Test func leadingByIsDropped() {
        #expect(Bylines.names("By JOHN SMITH") == ["JOHN SMITH"])
        #expect(Bylines.names("by Jane Doe") == ["Jane Doe"])
        #expect(Bylines.names("BY Jane Doe") == ["Jane Doe"])
        #expect(Bylines.names("By: Jane Doe") == ["Jane Doe"])
        #expect(Bylines.names("By:Jane Doe") == ["Jane Doe"])
        // Not a "By" word.
        #expect(Bylines.names("Byron Doe") == ["Byron Doe"])
        #expect(Bylines.names("bY Jane Doe") == ["bY Jane Doe"])
        // From each name too.
        #expect(Bylines.names("By Jane Doe; by John Roe") == ["Jane Doe", "John Roe"])
    }

    @Test func severalNamesOnSemicolonBarAndConjunctions() {
        #expect(Bylines.names("Jane Doe; John Roe") == ["Jane Doe", "John Roe"])
        #expect(Bylines.names("Jane Doe | John Roe") == ["Jane Doe", "John Roe"])
        #expect(Bylines.names("Jane Doe and John Roe") == ["Jane Doe", "John Roe"])
        #expect(Bylines.names("JANE DOE AND JOHN ROE") == ["JANE DOE", "JOHN ROE"])
        #expect(Bylines.names("Jane Doe & John Roe") == ["Jane Doe", "John Roe"])
        #expect(Bylines.names("Doe and Roe") == ["Doe", "Roe"])
        // A lower-case word after the conjunction, or a company's tail: no split.
        #expect(Bylines.names("Staff and agencies") == ["Staff and agencies"])
        #expect(Bylines.names("Jane Doe and others") == ["Jane Doe and others"])
        #expect(Bylines.names("Doe & Co") == ["Doe & Co"])
        #expect(Bylines.names("Roe & Sons") == ["Roe & Sons"])
        // Nor inside quotes.
        #expect(Bylines.names("Kim \"Justified And Ancient\" Coe") == ["Kim \"Justified And Ancient\" Coe"])
        // A bare `|` or an `and` inside a word is no separator.
        #expect(Bylines.names("Andrea Sand|Roe") == ["Andrea Sand|Roe"])
    }

    @Test func commasSplitOnlyFullNames() {
        #expect(Bylines.names("Smith, John") == ["Smith, John"])
        #expect(Bylines.names("Smith, K. T.") == ["Smith, K. T."])
        #expect(Bylines.names("Jane Doe, John Roe") == ["Jane Doe", "John Roe"])
        #expect(Bylines.names("JANE DOE, JOHN ROE ") == ["JANE DOE", "JOHN ROE"])
        #expect(Bylines.names("Jane Doe, Ludwig van Roe, Ann Poe") == ["Jane Doe", "Ludwig van Roe", "Ann Poe"])
        // Not full names: a suffix, digits, lower-case words, only initials.
        #expect(Bylines.names("Charles Roe, Jr.") == ["Charles Roe, Jr."])
        #expect(Bylines.names("Mark Roe, ext. 8056") == ["Mark Roe, ext. 8056"])
        #expect(Bylines.names("Dan Roe, Attorney to Be") == ["Dan Roe, Attorney to Be"])
        #expect(Bylines.names("ROE JR, D. J.") == ["ROE JR, D. J."])
        // Journals' surname-and-initials lists.
        #expect(
            Bylines.names("Ash, C., Fahrenkamp-Uppenbrink, J., Roe, K. L.") == [
                "Ash, C.", "Fahrenkamp-Uppenbrink, J.", "Roe, K. L.",
            ])
        #expect(Bylines.names("Ash, C., Roe, Kim") == ["Ash, C., Roe, Kim"])
        // Scripts without case split like capitalised ones.
        #expect(Bylines.names("جويل صمد, لويس جيني") == ["جويل صمد", "لويس جيني"])
    }

    @Test func wireAndStaffAffiliationsAfterACommaAreDropped() {
        #expect(Bylines.names("    by Cal Mankowski, Reuters") == ["Cal Mankowski"])
        #expect(Bylines.names("By JANE DOE, Times Staff Writer") == ["JANE DOE"])
        #expect(Bylines.names("Jane Doe, Associated Press") == ["Jane Doe"])
        #expect(Bylines.names("By Jane Doe, Reuters.") == ["Jane Doe"])
        #expect(Bylines.names("By Jane Doe, Reuter") == ["Jane Doe"])
        #expect(Bylines.names("By Jane Doe, Press Association Political Correspondent") == ["Jane Doe"])
        #expect(Bylines.names("Jane Doe, AP Business Writer") == ["Jane Doe"])
        #expect(Bylines.names("Roe, AFP") == ["Roe"])
        #expect(
            Bylines.names("By STEPHEN DOE AND PHILIP ROE, REUTERS") == ["STEPHEN DOE", "PHILIP ROE"])
        #expect(
            Bylines.names("By JANE DOE and JOHN ROE, Times Staff Writers") == ["JANE DOE", "JOHN ROE"])
        // The first piece is a name even when it is an agency's.
        #expect(Bylines.names("Reuters Staff") == ["Reuters Staff"])
        #expect(Bylines.names("Associated Press") == ["Associated Press"])
        #expect(Bylines.names("Reuters, Jane Doe") == ["Reuters, Jane Doe"])
        // A piece with none of the words stays.
        #expect(Bylines.names("Jane Doe, Springfield") == ["Jane Doe, Springfield"])
    }

    @Test func emptiesAndRepeatsDroppedAndLimits() {
        #expect(Bylines.names("Jane Doe; jane doe; ; JANE DOE") == ["Jane Doe"])
        #expect(Bylines.names(" ; - ; ") == [])
        #expect(Bylines.names("By") == [])
        #expect(Bylines.names("By: ") == [])
        let many = (1...30).map { "Name\($0) Person" }.joined(separator: "; ")
        let got = Bylines.names(many)
        #expect(got.count == Bylines.maxNames)
        #expect(got.first == "Name1 Person")
        let long = String(repeating: "x", count: 500)
        #expect(Bylines.names(long) == [String(repeating: "x", count: Bylines.maxLength)])
    }

    /// Initials and separators the rules do not know are kept as written.
    @Test func agencyInitialsStayAsWritten() {
        #expect(Bylines.names("gr/bp") == ["gr/bp"])
        #expect(Bylines.names("Geir Doe / Factcheck.example") == ["Geir Doe / Factcheck.example"])
    }

    /// The fast path for plain names gives what the rules give.
    @Test func plainNamesTakeTheFastPathUnchanged() {
        for plain in ["Jane Doe", "José Bautista", "Ann-Marie O’Doe", "DJ Roe", "Rebecca Davis O'Doe", "x"] {
            #expect(Bylines.names(plain) == [plain])
        }
        #expect(Bylines.names("By") == [])
        #expect(Bylines.names("BY JANE DOE") == ["JANE DOE"])
        #expect(Bylines.names("Jane  Doe") == ["Jane Doe"])
        #expect(Bylines.names("Jane\u{A0}Doe") == ["Jane Doe"])
        #expect(Bylines.names("Jane Doe AND Kim Roe") == ["Jane Doe", "Kim Roe"])
        #expect(Bylines.names("Andy Sandberg") == ["Andy Sandberg"])
        #expect(Bylines.names("…") == [])
        var names = ["JANE DOE"]
        Bylines.add("Jane Doe", to: &names)
        #expect(names == ["JANE DOE"])
    }

    /// Several author elements of one article merge without repeats, in order.
    @Test func mergingSeveralValues() {
        var names: [String] = []
        Bylines.add("jane@example.com (Jane Doe)", to: &names)
        Bylines.add("Jane Doe", to: &names)
        Bylines.add("John Roe", to: &names)
        #expect(names == ["Jane Doe", "John Roe"])
    }
}
