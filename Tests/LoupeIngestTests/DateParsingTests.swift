import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct DateParsingTests {
    /// A day the month does not have is no date (it used to be stored as written, which the
    /// date column then could not place); every date kept is one the date column reads.
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
