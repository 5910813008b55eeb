import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct DateParsingTests {
    /// W3C-DTF's reduced precisions (a year, a month) are the first day of it; other short
    /// numbers are no date.
    @Test func aYearOrAMonthAlone() {
        #expect(DateParsing.iso("2003") == "2003-01-01")
        #expect(DateParsing.iso(" 2003-12 ") == "2003-12-01")
        for bad in ["203", "20031", "0999", "2003-13", "2003-1", "2003-00", "2003/12", "20x3", "2003-1x"] {
            #expect(DateParsing.iso(bad) == nil, "\(bad)")
        }
        let rdf = """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
              xmlns:dc="http://purl.org/dc/elements/1.1/">
            <item rdf:about="https://e.org/1"><title>Monthly</title><dc:date>2003-12</dc:date></item>
            <item rdf:about="https://e.org/2"><title>Yearly</title><dc:date>2004</dc:date></item>
            </rdf:RDF>
            """
        let r = FeedLoader().load(Array(rdf.utf8), relativePath: "r.rdf")
        #expect(r.articles.map(\.date) == ["2003-12-01", "2004-01-01"])
    }

    /// RFC 3339 read from its bytes (thirty-first session) gives what the Character-by-Character
    /// reading gave: checked on 400,000 generated strings (58,104 of them dates), which differed
    /// only where a fraction's digit carried a combining mark (`00.0\u{301}Z`: a date before, none
    /// now); these cases were written from the old reading's output, but for that one.
    @Test func rfc3339FormsAndTheirLimits() {
        let cases: [(String, String?)] = [
            ("2024-03-05", "2024-03-05"),
            ("2024-03-05T10:00", "2024-03-05T10:00:00Z"),
            ("2024-03-05t10:00:07", "2024-03-05T10:00:07Z"),
            ("2024-03-05 23:59:59.123456Z", "2024-03-05T23:59:59Z"),
            ("2024-03-05T10:00:5", "2024-03-05T10:00:05Z"),
            ("2024-03-05T10:00:00z", "2024-03-05T10:00:00Z"),
            ("2024-03-05T10:00:00+01:00", "2024-03-05T09:00:00Z"),
            ("2024-03-05T00:30:00+0100", "2024-03-04T23:30:00Z"),
            ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"),
            ("2024-03-05T10:00+0:1:00", "2024-03-05T09:00:00Z"),
            ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
            ("2023-02-29T12:00:00Z", nil),
            ("2024-03-05T10:00:", nil),
            ("2024-03-05T10:00:5Z", nil),
            ("2024-03-05T10:00:00+24:00", nil),
            ("2024-03-05T10:00:00+01:60", nil),
            ("2024-03-05T10:00:00+01:000", nil),
            ("2024-03-05T10:00:00ZZ", nil),
            ("2024-03-05T1:00:00Z", nil),
            ("2024-03-05X10:00:00Z", nil),
            ("2024-13-05", nil),
            ("2024-3-05", nil),
            ("2024-03-05T10:00:00.0\u{301}Z", nil),
            ("２０２４-03-05", nil),
        ]
        for (raw, want) in cases { #expect(DateParsing.rfc3339(raw) == want, "\(raw)") }
    }

    /// The common RFC 822 form is read from its bytes (`strictRFC822`) and gives what the loose
    /// token-by-token reading gives: checked on 800,000 generated strings (256,001 of them read
    /// strictly, every one the same); anything else is left to the loose reading.
    @Test func strictRFC822AgreesWithTheLooseReading() {
        let strict: [(String, String)] = [
            ("Tue, 05 Mar 2024 10:15:00 GMT", "2024-03-05T10:15:00Z"),
            ("Tue, 5 Mar 2024 10:15:00 +0100", "2024-03-05T09:15:00Z"),
            ("5 MAR 2024 23:30:00 -0100", "2024-03-06T00:30:00Z"),
            ("sun, 31 dec 2023 23:59:60 EST", "2024-01-01T04:59:59Z"),
            ("Wed, 01 Jan 2025 00:00:00 nzdt", "2024-12-31T11:00:00Z"),
        ]
        for (raw, want) in strict {
            #expect(DateParsing.strictRFC822(raw) == want, "\(raw)")
            #expect(DateParsing.looseRFC822(raw) == want, "\(raw)")
            #expect(DateParsing.iso(raw) == want, "\(raw)")
        }
        // Left to the loose reading (which reads most of them).
        for raw in [
            "Tue, 05 Mar 2024 10:15:00 +01:00", "Tue, 05 Mar 2024 10:15 GMT", "Tue, 05 Mar 24 10:15:00 GMT",
            "Tue, 05 March 2024 10:15:00 GMT", "Tue, 05 Mar 2024 10:15:00 Z", "Tue, 05 Mar 2024 10:15:00 XYZ",
            "Dienstag, 05 Mär 2024 10:15:00 MEZ", "Tue, 30 Feb 2024 10:15:00 GMT", "Tue, 05 Mar 2024 24:00:00 GMT",
            "Tue, 05 Mar 2024 10:15:00 GMT+0100", "Mar, 05 Mar 2024 10:15:00 GMT", "Tue 05 Mar 2024 10:15:00 GMT",
        ] {
            #expect(DateParsing.strictRFC822(raw) == nil, "\(raw)")
            #expect(DateParsing.rfc822(raw) == DateParsing.looseRFC822(raw), "\(raw)")
        }
    }

    /// Forms of Korean portals, Perforce and Hungarian and Greek feeds, as feedparser reads them
    /// (its date tests); without a zone, the Korean forms are Korean time.
    @Test func regionalForms() {
        let cases: [(String, String?)] = [
            ("2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"),
            ("2004-05-25 오전 11:23:17", "2004-05-25T02:23:17Z"),
            ("2004-05-25 오후 12:05:00", "2004-05-25T03:05:00Z"),
            ("2004-05-25 오전 12:05:00", "2004-05-24T15:05:00Z"),
            ("2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"),
            ("2004년 05월 28일", "2004-05-28"),
            ("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"),
            ("2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"),
            ("2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"),
            ("2004-december-01T23:59:30+01:00", "2004-12-01T22:59:30Z"),
            ("13 július 2004", "2004-07-13"),
            ("Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"),
            ("Τρι, 15 Ιούν 2004 08:00:00 GMT", "2004-06-15T08:00:00Z"),
            ("3 Σεπ 2019", "2019-09-03"),
            // Not dates.
            ("2004년 13월 28일 01:31:15", nil),
            ("2004-05-25 오후 13:23:17", nil),
            ("2004-05-25 저녁 11:23:17", nil),
            ("Fri, 2006/13/15 08:19:53 EDT", nil),
            ("2004-foo-13T9:15-05:00", nil),
            ("2004-július-13", nil),
        ]
        for (raw, want) in cases { #expect(DateParsing.iso(raw) == want, "\(raw)") }
    }

    /// A day the month does not have is no date (it used to be stored as written, which the
    /// date column then could not place); every date kept is one the date column reads.
    /// Dates as real feeds and pages write them beyond RFC 822 and RFC 3339: offsets with a colon
    /// or after `GMT` (JavaScript's `Date.toString()`), 12-hour times, more zone names, Portuguese,
    /// German, French and Spanish month and weekday names (UOL's and heise's feeds), a weekday
    /// that is also a month's name (`mar.`), ISO forms with slashes, a space before the offset
    /// or a trailing `UTC`.
    @Test func looseFormsOfRealFeeds() {
        let cases: [(String, String?)] = [
            ("Tue, 05 Mar 2024 10:00:00 +01:00", "2024-03-05T09:00:00Z"),
            ("Tue Mar 05 2024 10:00:00 GMT+0100 (CET)", "2024-03-05T09:00:00Z"),
            ("Friday, January 29, 2021 04:42 PM", "2021-01-29T16:42:00Z"),
            ("Friday, January 29, 2021 12:05 am", "2021-01-29T00:05:00Z"),
            ("January 29, 2021 4:42pm", "2021-01-29T16:42:00Z"),
            ("Tuesday, March 5, 2024 - 10:00", "2024-03-05T10:00:00Z"),
            ("Tue, 05 Mar 2024 10:00:00 JST", "2024-03-05T01:00:00Z"),
            ("Tue, 05 Mar 2024 10:00:00 AEDT", "2024-03-04T23:00:00Z"),
            ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40Z"),
            ("Qua, 03 Out 2018 10:00:00 -0300", "2018-10-03T13:00:00Z"),
            ("Di, 05 Mär 2024 10:00:00 +0100", "2024-03-05T09:00:00Z"),
            ("Mi, 06 Dez 2023 10:00:00 +0100", "2023-12-06T09:00:00Z"),
            ("mar., 05 mars 2024 10:00:00 +0100", "2024-03-05T09:00:00Z"),
            ("lun, 05 dic 2023 10:00:00 +0100", "2023-12-05T09:00:00Z"),
            ("mar, 05 dic 2023", "2023-12-05"),
            ("12 juil. 2023", "2023-07-12"),
            ("2024/03/05", "2024-03-05"),
            ("2024/03/05 10:00:00", "2024-03-05T10:00:00Z"),
            ("2024-03-05T10:00:00 +0100", "2024-03-05T09:00:00Z"),
            ("2024-03-05 10:00:00 -05:00", "2024-03-05T15:00:00Z"),
            ("2024-03-05 10:00:00 UTC", "2024-03-05T10:00:00Z"),
            ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24Z"),
            ("Wed Oct 10 20:19:24 EDT 2018", "2018-10-11T00:19:24Z"),
            ("Wed Oct 10 20:19:24 2018", "2018-10-10T20:19:24Z"),
            ("Friday, January 29, 2021 13:42 PM", nil),
            ("05/03/2024", nil),
        ]
        for (raw, want) in cases {
            #expect(DateParsing.iso(raw) == want, "\(raw)")
        }
    }

    /// An offset of a day or more, or with an hour or minute out of range, is no zone: an ISO
    /// date with one is no date (`-99:99` used to give `10000-01-01T100:38:59Z`, which no date
    /// column reads), and RFC 822's lenient reading leaves such a zone out. A date that an
    /// offset moves past year 9999 is none either.
    @Test func offsetsOutOfRangeAreNoZones() {
        #expect(DateParsing.iso("9999-12-31T23:59:59-99:99") == nil)
        #expect(DateParsing.iso("2003-12-31T10:14:55+24:00") == nil)
        #expect(DateParsing.iso("2003-12-31T10:14:55+05:60") == nil)
        #expect(DateParsing.iso("9999-12-31T23:59:59-01:00") == nil)
        #expect(DateParsing.iso("Wed, 31 Dec 2003 10:14:55 -9999") == "2003-12-31T10:14:55Z")
        #expect(DateParsing.iso("2003-12-31T10:14:55+13:45") == "2003-12-30T20:29:55Z")
    }

    /// Zone names real feeds write that were read as UTC: Middle European Time (`MET`, `MEST`,
    /// German `MEZ`/`MESZ`), African and Asian zones, and North America's zones without S or D
    /// (`16:31:00 ET`, as feedparser reads them: standard time).
    @Test func moreZoneNames() {
        let cases: [(String, String)] = [
            ("Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z"),
            ("Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z"),
            ("Do, 30 Apr 2015 08:57:00 MESZ", "2015-04-30T06:57:00Z"),
            ("Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z"),
            ("Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"),
            ("Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00Z"),
            ("Mon, 26 January 2004 16:31:00 MT", "2004-01-26T23:31:00Z"),
            ("Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00Z"),
            ("Mon, 26 Jan 2004 16:31:00 EAT", "2004-01-26T13:31:00Z"),
            ("Mon, 26 Jan 2004 16:31:00 WIB", "2004-01-26T09:31:00Z"),
            ("5 March 2024 at 10:00", "2024-03-05T10:00:00Z"),
        ]
        for (raw, want) in cases {
            #expect(DateParsing.iso(raw) == want, "\(raw)")
        }
    }

    @Test func impossibleDaysAreNoDates() {
        for bad in ["2007-02-30", "2007-02-29T10:00:00Z", "2007-04-31", "Fri, 30 Feb 2007 10:00:00 GMT", "2007-13-01"] {
            #expect(DateParsing.iso(bad) == nil, "\(bad)")
        }
        let good = [
            ("2008-02-29", "2008-02-29"), ("2007-12-31T23:30:00-01:00", "2008-01-01T00:30:00Z"),
            ("Tue, 24 Jul 2007 10:15:00 GMT", "2007-07-24T10:15:00Z"), ("2007-04-30", "2007-04-30"),
        ]
        for (raw, iso) in good {
            #expect(DateParsing.iso(raw) == iso, "\(raw)")
            #expect(DateColumn.seconds(iso) != DateColumn.undated, "\(iso)")
        }
    }
}
