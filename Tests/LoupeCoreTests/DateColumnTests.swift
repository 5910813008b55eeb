import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore

/// The date column: seconds of stored dates, the `date:` filter and the date orders read from it.
struct DateColumnTests {
    @Test func secondsOfISODates() {
        #expect(DateColumn.seconds("1970-01-01") == 0)
        #expect(DateColumn.seconds("1970-01-02T00:00:01Z") == 86_401)
        #expect(DateColumn.seconds("1969-12-31T23:59:59Z") == -1)
        #expect(DateColumn.seconds("2000-03-01") == 951_868_800)
        #expect(DateColumn.seconds("2007-07-24T10:15:00+03:00") == DateColumn.seconds("2007-07-24T07:15:00Z"))
        #expect(DateColumn.seconds("2007-07-24T10:15:00.250Z") == DateColumn.seconds("2007-07-24T10:15:00Z"))
        #expect(DateColumn.seconds("2008-02-29") != DateColumn.undated)
        for bad in [nil, "", "2007", "2007-02-29", "2007-13-01", "07-07-24", "2007-07-24T25:00:00Z", "2007-07-24junk"] {
            #expect(DateColumn.seconds(bad) == DateColumn.undated, "\(bad ?? "nil")")
        }
    }

    /// `day` inverts the seconds of every day from 1600 to 2400.
    @Test func daysRoundTrip() {
        var t = DateColumn.seconds("1600-01-01")
        let end = DateColumn.seconds("2400-12-31")
        var previous: (year: Int64, month: Int64, day: Int64)?
        while t <= end {
            let c = DateColumn.day(t + 3_600)
            #expect(DateColumn.days(year: c.year, month: c.month, day: c.day) * 86_400 == t)
            if let p = previous { #expect((c.year, c.month, c.day) > (p.year, p.month, p.day)) }
            previous = c
            t += 86_400 * 7
        }
    }

    @Test func periods() throws {
        let y = try #require(DateColumn.range(from: "2007", to: "2007"))
        #expect(y.lower == DateColumn.seconds("2007-01-01") && y.upper == DateColumn.seconds("2007-12-31T23:59:59Z"))
        #expect(DateColumn.range(from: nil, to: "2007-02")?.upper == DateColumn.seconds("2007-02-28T23:59:59Z"))
        #expect(DateColumn.range(from: nil, to: "2008-02")?.upper == DateColumn.seconds("2008-02-29T23:59:59Z"))
        #expect(DateColumn.range(from: "2007-06-15", to: nil)?.lower == DateColumn.seconds("2007-06-15"))
        #expect(DateColumn.range(from: "2007-13", to: nil) == nil)
        #expect(DateColumn.range(from: "2007-06-31", to: nil) == nil)
        #expect(DateColumn.range(from: "June", to: nil) == nil)
    }

    /// A time on a day is its minute, or its second when the seconds are written; a zone is
    /// applied (RFC 3339 bounds, as tantivy's and Elasticsearch's).
    @Test func timesArePeriodsToo() throws {
        let t = DateColumn.seconds("2007-10-01T12:00:00Z")
        #expect(DateColumn.period("2007-10-01T12:00") == t...t + 59)
        #expect(DateColumn.period("2007-10-01T12:00Z") == t...t + 59)
        #expect(DateColumn.period("2007-10-01T12:00:00Z") == t...t)
        #expect(DateColumn.period("2007-10-01T14:00:00+02:00") == t...t)
        #expect(DateColumn.period("2007-10-01T07:00-05:00") == t...t + 59)
        #expect(DateColumn.period("2007-10-01T12") == nil)
        #expect(DateColumn.period("2007-10-01T24:00") == nil)
        #expect(DateColumn.period("2007-10-01T") == nil)
        #expect(DateColumn.isoTime(t + 61) == "2007-10-01T12:01:01Z")
        #expect(DateColumn.isoTime(DateColumn.seconds("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z")
    }

    static func datedArticles(_ n: Int, seed: UInt64) -> [Article] {
        var rng = SplitMix(seed: seed)
        let words = ["iran", "oil", "talks", "zone", "harbour", "ferry"]
        return (0..<n).map { i in
            let body = (0..<6).map { _ in words[Int(rng.next() % 6)] }.joined(separator: " ")
            let y = 1995 + Int(rng.next() % 20)
            let m = 1 + Int(rng.next() % 12)
            let d = 1 + Int(rng.next() % 28)
            let date: String?
            switch rng.next() % 4 {
            case 0: date = nil
            case 1: date = String(format: "%04d-%02d-%02d", y, m, d)
            default:
                date = String(
                    format: "%04d-%02d-%02dT%02d:%02d:00Z", y, m, d, Int(rng.next() % 24), Int(rng.next() % 60))
            }
            return Article(id: "d\(i)", title: "", body: body, date: date, source: "g/\(i)")
        }
    }

    /// `date:` on the column agrees with the stored dates' text, as it was compared before, over
    /// random periods, on several segments and after a merge.
    @Test(arguments: [1, 3]) func dateFilterMatchesTheStoredDates(segments: Int) throws {
        let arts = Self.datedArticles(600, seed: 7)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: segments)
        if segments > 1 {
            try IndexWriter(directory: dir, analyzer: .plain, reset: false).commit(corpusRoot: nil, optimize: true)
        }
        let s = Searcher(reader: try IndexReader(directory: dir))
        var rng = SplitMix(seed: 3)
        func period() -> String? {
            let y = 1995 + Int(rng.next() % 20)
            switch rng.next() % 4 {
            case 0: return nil
            case 1: return String(y)
            case 2: return String(format: "%04d-%02d", y, 1 + Int(rng.next() % 12))
            default: return String(format: "%04d-%02d-%02d", y, 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))
            }
        }
        for _ in 0..<60 {
            let (from, to) = (period(), period())
            if from == nil && to == nil { continue }
            let q = "oil date:\(from ?? "")..\(to ?? "")"
            // A range that ends before it starts is a syntax error (no article could match).
            if let f = from.flatMap(DateColumn.period), let t = to.flatMap(DateColumn.period),
                t.upperBound < f.lowerBound
            {
                #expect(throws: QuerySyntaxError.self) { try QueryParser().parse(q) }
                continue
            }
            let got = try s.search(try s.prepare(try QueryParser().parse(q)), limit: 1000).hits.map {
                try s.reader.article($0.doc).id
            }
            let want = arts.filter { a in
                guard a.body.contains("oil"), let date = a.date else { return false }
                let day = String(date.prefix(10))
                if let f = from, day < f { return false }
                if let t = to, String(day.prefix(t.count)) > t { return false }
                return true
            }.map(\.id)
            #expect(Set(got) == Set(want), "\(q)")
        }
    }

    /// Newest and oldest first: by date, then score, then document; undated last.
    @Test func searchByDateOrdersEveryMatch() throws {
        let arts = Self.datedArticles(400, seed: 11)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .plain, segments: 2)
        let s = Searcher(reader: try IndexReader(directory: dir))
        let q = try s.prepare(try QueryParser().parse("harbour ferry"))
        let all = try s.search(q, limit: 10_000).hits
        let score = Dictionary(uniqueKeysWithValues: all.map { ($0.doc, $0.score) })
        for newest in [true, false] {
            let got = try s.searchByDate(q, limit: 25, newestFirst: newest)
            #expect(got.total == all.count)
            let want = all.map(\.doc).sorted { a, b in
                let ta = try! s.reader.dateSeconds(a)
                let tb = try! s.reader.dateSeconds(b)
                if ta != tb {
                    if ta == DateColumn.undated { return false }
                    if tb == DateColumn.undated { return true }
                    return newest ? ta > tb : ta < tb
                }
                if score[a]! != score[b]! { return score[a]! > score[b]! }
                return a < b
            }
            #expect(got.hits.map(\.doc) == Array(want.prefix(25)))
            #expect(got.hits.allSatisfy { score[$0.doc] == $0.score })
            // The column holds the stored date.
            for h in got.hits {
                #expect(try s.reader.dateSeconds(h.doc) == DateColumn.seconds(try s.reader.articleDate(h.doc)))
            }
        }
    }
}
