import Testing

@testable import LoupeCore

struct QueryParserTests {
    let p = QueryParser()

    @Test func wordsAreOrderedDisjunction() throws {
        #expect(
            try p.parse("green zone")
                == .boolean(must: [], should: [.word("green", field: .text), .word("zone", field: .text)], mustNot: []))
        #expect(try p.parse("iran") == .word("iran", field: .text))
    }

    /// A field name one edit from a field is an error naming it; other words with a colon are
    /// words.
    @Test func misspeltFields() throws {
        do {
            _ = try p.parse("titel:iran")
            Issue.record("expected an error")
        } catch let e as QuerySyntaxError {
            #expect(e.message == "unknown field titel:" && e.hint?.hasPrefix("did you mean title:?") == true, "\(e)")
        }
        for q in ["http://example.com", "10:30 meeting", "note: iran", "dat:2007", "Title:iran", "body:iran"] {
            #expect(throws: Never.self, "\(q)") { try p.parse(q) }
        }
    }

    /// A range whose end comes before its start is an error whose hint is the range turned
    /// round; ends inside one period are not (`2007..2007-03`: January to March).
    @Test func reversedDateRange() throws {
        do {
            _ = try p.parse("iran date:2008-05..2007")
            Issue.record("expected an error")
        } catch let e as QuerySyntaxError {
            #expect(e.message.contains("ends before it starts") && e.hint == "date:2007..2008-05", "\(e)")
        }
        #expect(throws: Never.self) { try p.parse("date:2007..2007-03") }
        #expect(throws: Never.self) { try p.parse("date:2007-05..2007") }
    }

    /// Lucene's and Elasticsearch's range forms are the `..` ranges they mean: `[ ]` include an
    /// end, `{ }` exclude it (the excluded period's neighbouring day), `*` is open, and `>`, `>=`,
    /// `<`, `<=` are open ranges.
    @Test(
        arguments: [
            ("date:[2007 TO 2008-06]", "2007", "2008-06"), ("date:[2007 to 2008]", "2007", "2008"),
            ("date:{2007 TO 2008-06}", "2008-01-01", "2008-05-31"), ("date:[2007-03-01 TO *]", "2007-03-01", nil),
            ("date:{2007-12-31 TO *]", "2008-01-01", nil), ("date:[* TO 2008}", nil, "2007-12-31"),
            ("date:[* TO *]", "0000", "9999"), ("date:>2007", "2008-01-01", nil), ("date:>=2007-02", "2007-02", nil),
            ("date:<2007-03", nil, "2007-02-28"), ("date:<2008-03", nil, "2008-02-29"), ("date:<=2007", nil, "2007"),
            // RFC 3339 times: an excluded end's neighbour is the next or previous second.
            ("date:[2007-10-01T12:00:00Z TO *]", "2007-10-01T12:00:00Z", nil),
            ("date:{2007-10-01T12:00:00Z TO 2007-10-02T00:00:00Z}", "2007-10-01T12:00:01Z", "2007-10-01T23:59:59Z"),
            ("date:>2007-10-01T12:00", "2007-10-01T12:01:00Z", nil),
            ("date:<2007-10-01T12:00:00+02:00", nil, "2007-10-01T09:59:59Z"),
            ("date:2007-10-01T12:00..2007-10-01T13:00", "2007-10-01T12:00", "2007-10-01T13:00"),
        ] as [(String, String?, String?)])
    func luceneDateRanges(query: String, from: String?, to: String?) throws {
        #expect(try p.parse(query) == .dateRange(from: from, to: to))
    }

    @Test(arguments: [
        ("date:{2007 TO 2008}", "holds no day"), ("date:[2008 TO 2007]", "ends before it starts"),
        ("date:[2007 TO 2008", "unterminated"), ("date:[2007 2008]", "bad date range"),
        ("date:>2007x", "bad date"), ("date:{9999 TO *]", "out of range"), ("date:<0000", "out of range"),
        ("date:[2007 TO 2008-13]", "bad date range"), ("date:2007^2", "takes no boost"),
        ("date:[2007 TO 2008]^2", "takes no boost"),
    ])
    func badLuceneDateRanges(query: String, message: String) throws {
        do {
            _ = try p.parse(query)
            Issue.record("expected an error for \(query)")
        } catch let e as QuerySyntaxError {
            #expect(e.message.contains(message), "\(query): \(e)")
        }
    }

    /// A phrase with a prefix or wildcard word is its plain runs as phrases and its patterns,
    /// chained in order by ADJ/0; with a slop, its words one by one; without one it is a phrase as
    /// before.
    @Test func patternsInPhrases() throws {
        #expect(
            try p.parse("\"harb* ferry\"")
                == .near(
                    .prefix("harb", field: .text), .phrase(["ferry"], field: .text, slop: 0), distance: 0, ordered: true
                ))
        // A sloppy one: its words one by one (bound as a phrase whose pattern positions may be
        // any of the pattern's words).
        #expect(try p.parse("title:\"the old harb*\"~2") == .phrase(["the", "old", "harb*"], field: .title, slop: 2))
        // A pattern alone in quotes is the pattern, with or without a slop.
        #expect(try p.parse("\"harb*\"~2") == .prefix("harb", field: .text))
        #expect(try p.parse("\"harb*\"") == .prefix("harb", field: .text))
        #expect(
            try p.parse("\"a gr?en - zo*\"")
                == .near(
                    .near(
                        .phrase(["a"], field: .text, slop: 0), .wildcard("gr?en", field: .text), distance: 0,
                        ordered: true),
                    .prefix("zo", field: .text), distance: 0, ordered: true))
        #expect(try p.parse("\"green zone\"") == .phrase(["green zone"], field: .text, slop: 0))
        #expect(try p.parse("\"who won?\"") == .phrase(["who won?"], field: .text, slop: 0))
    }

    /// Relative dates (Elasticsearch's date math in whole days, UTC) are the days they name,
    /// in every date form; months keep the day of the month where it exists.
    @Test func relativeDates() throws {
        // 2026-03-31T10:00:00Z
        let q = QueryParser(now: DateColumn.seconds("2026-03-31T10:00:00Z"))
        #expect(try q.parse("date:now-7d..") == .dateRange(from: "2026-03-24", to: nil))
        #expect(try q.parse("date:[now-1M TO now]") == .dateRange(from: "2026-02-28", to: "2026-03-31"))
        #expect(try q.parse("date:>=now-2w") == .dateRange(from: "2026-03-17", to: nil))
        #expect(try q.parse("date:<now-1y") == .dateRange(from: nil, to: "2025-03-30"))
        #expect(try q.parse("date:>now") == .dateRange(from: "2026-04-01", to: nil))
        #expect(try q.parse("date:today") == .dateRange(from: "2026-03-31", to: "2026-03-31"))
        #expect(try q.parse("date:yesterday..now+1d") == .dateRange(from: "2026-03-30", to: "2026-04-01"))
        #expect(try q.parse("date:now-13M..now-1Y") == .dateRange(from: "2025-02-28", to: "2025-03-31"))
        for bad in ["date:now-3h", "date:now-7", "date:nowish", "date:now--1d", "date:now-9999999d"] {
            #expect(throws: QuerySyntaxError.self, "\(bad)") { try q.parse(bad) }
        }
    }

    /// Lucene's backslash escape: the character is the word's (never a sign, field, pattern,
    /// keyword or phrase end); before other characters a backslash is text.
    @Test func backslashEscapes() throws {
        func word(_ w: String) -> QueryNode { .word(w, field: .text) }
        #expect(try p.parse("\\-ferry") == word("-ferry"))
        #expect(try p.parse("\\!ferry") == word("!ferry"))
        #expect(try p.parse("\\AND") == word("\\AND"))  // a letter is not escaped: the word `and`
        #expect(try p.parse("c\\+\\+") == word("c++"))
        #expect(try p.parse("title\\:iran") == word("title:iran"))
        #expect(try p.parse("\\(iran\\)") == word("(iran)"))
        #expect(try p.parse("harb\\*") == word("harb "))
        #expect(try p.parse("\"say \\\"no\\\"\"") == .phrase(["say \"no\""], field: .text, slop: 0))
        #expect(try p.parse("C:\\Users\\bob") == word("C:\\Users\\bob"))
        #expect(try p.parse("\"harb\\* ferry\"") == .phrase(["harb  ferry"], field: .text, slop: 0))
        #expect(throws: QuerySyntaxError.self) { try p.parse("\"open \\\"") }
    }

    /// Lucene's `!` is NOT, before a word, a group, a phrase or a field, or alone; inside or at
    /// the end of a word it is the word's.
    @Test func bangIsNot() throws {
        let harbourNotFerry = QueryNode.boolean(
            must: [], should: [.word("harbour", field: .text)], mustNot: [.word("ferry", field: .text)])
        #expect(try p.parse("harbour !ferry") == harbourNotFerry)
        #expect(try p.parse("!ferry harbour") == harbourNotFerry)
        #expect(try p.parse("harbour ! ferry") == harbourNotFerry)
        #expect(try p.parse("harbour !(ferry OR tide)") == p.parse("harbour -(ferry OR tide)"))
        #expect(try p.parse("harbour !\"ferry tide\"") == p.parse("harbour -\"ferry tide\""))
        #expect(try p.parse("harbour !title:tide") == p.parse("harbour -title:tide"))
        #expect(try p.parse("harbour !date:2008") == p.parse("harbour -date:2008"))
        #expect(try p.parse("harbour AND !ferry") == p.parse("harbour AND -ferry"))
        #expect(
            try p.parse("Yahoo! news")
                == .boolean(
                    must: [], should: [.word("Yahoo!", field: .text), .word("news", field: .text)], mustNot: []))
        #expect(throws: QuerySyntaxError.self) { try p.parse("harbour !") }
    }

    /// Lucene's `*:*` is every article; a star alone is an error (no scan of the dictionary).
    @Test func starStarIsEverything() throws {
        #expect(try p.parse("*:*") == .all)
        #expect(
            try p.parse("*:* -sport") == .boolean(must: [], should: [.all], mustNot: [.word("sport", field: .text)]))
        #expect(try p.parse("*zone") == .wildcard("*zone", field: .text))
        // (`author:*` is the articles with an author since the twenty-first session: `fieldExists`.)
        for q in ["*", "**", "body:*", "title:(*)", "iran *", "title:*:*", "author:(*:* x)"] {
            #expect(throws: QuerySyntaxError.self) { try p.parse(q) }
        }
    }

    /// Lucene's boosts: `^N` after a word, phrase, group or field clause.
    @Test func boosts() throws {
        #expect(try p.parse("iran^2") == .boost(.word("iran", field: .text), 2))
        #expect(try p.parse("\"green zone\"^0.5") == .boost(.phrase(["green zone"], field: .text, slop: 0), 0.5))
        #expect(try p.parse("\"green zone\"~3^4") == .boost(.phrase(["green zone"], field: .text, slop: 3), 4))
        #expect(try p.parse("title:iran^3") == .boost(.word("iran", field: .title), 3))
        #expect(
            try p.parse("+iran^2 talks")
                == .boolean(
                    must: [.boost(.word("iran", field: .text), 2)], should: [.word("talks", field: .text)], mustNot: [])
        )
        #expect(
            try p.parse("(iran OR iraq)^1.5 talks")
                == .boolean(
                    must: [],
                    should: [
                        .boost(
                            .boolean(
                                must: [], should: [.word("iran", field: .text), .word("iraq", field: .text)],
                                mustNot: []),
                            1.5),
                        .word("talks", field: .text),
                    ], mustNot: []))
        for bad in ["iran^", "iran^x", "^2", "iran^0", "iran^5000", "iran ^2", "(a)^", "\"a b\"^-1"] {
            #expect(throws: QuerySyntaxError.self, "\(bad)") { try p.parse(bad) }
        }
    }

    @Test func requiredAndExcluded() throws {
        #expect(
            try p.parse("+iran talks -oil")
                == .boolean(
                    must: [.word("iran", field: .text)], should: [.word("talks", field: .text)],
                    mustNot: [.word("oil", field: .text)]))
    }

    @Test func booleanOperatorsAndPrecedence() throws {
        // AND binds tighter than OR.
        let q = try p.parse("a OR b AND c")
        #expect(
            q
                == .boolean(
                    must: [],
                    should: [
                        .word("a", field: .text),
                        .boolean(must: [.word("b", field: .text), .word("c", field: .text)], should: [], mustNot: []),
                    ], mustNot: []))
        #expect(
            try p.parse("iran NOT oil")
                == .boolean(must: [], should: [.word("iran", field: .text)], mustNot: [.word("oil", field: .text)]))
        #expect(
            try p.parse("(iran OR iraq) AND talks")
                == .boolean(
                    must: [
                        .boolean(
                            must: [], should: [.word("iran", field: .text), .word("iraq", field: .text)], mustNot: []),
                        .word("talks", field: .text),
                    ], should: [], mustNot: []))
    }

    @Test func phrasesSlopNearAdjFieldsPrefixDates() throws {
        #expect(try p.parse("\"green zone\"") == .phrase(["green zone"], field: .text, slop: 0))
        #expect(try p.parse("\"iran talks\"~5") == .phrase(["iran talks"], field: .text, slop: 5))
        #expect(
            try p.parse("iran NEAR/10 baghdad")
                == .near(.word("iran", field: .text), .word("baghdad", field: .text), distance: 10, ordered: false))
        #expect(
            try p.parse("iran ADJ baghdad")
                == .near(.word("iran", field: .text), .word("baghdad", field: .text), distance: 10, ordered: true))
        #expect(
            try p.parse("\"green zone\" NEAR/5 (baghdad OR iraq)")
                == .near(
                    .phrase(["green zone"], field: .text, slop: 0),
                    .boolean(
                        must: [], should: [.word("baghdad", field: .text), .word("iraq", field: .text)], mustNot: []),
                    distance: 5, ordered: false))
        #expect(try p.parse("title:talks") == .word("talks", field: .title))
        #expect(try p.parse("title:\"oil law\"") == .phrase(["oil law"], field: .title, slop: 0))
        // A sign before a field is the clause's: `+title:"oil law"` used to require the word
        // "title" and leave the phrase optional.
        #expect(
            try p.parse("+title:\"oil law\" iraq")
                == .boolean(
                    must: [.phrase(["oil law"], field: .title, slop: 0)], should: [.word("iraq", field: .text)],
                    mustNot: []))
        #expect(
            try p.parse("iraq -source:(feeds wire)")
                == .boolean(
                    must: [], should: [.word("iraq", field: .text)],
                    mustNot: [
                        .boolean(
                            must: [], should: [.word("feeds", field: .source), .word("wire", field: .source)],
                            mustNot: [])
                    ]))
        #expect(try p.parse("+body:\"oil law\"") == p.parse("+\"oil law\""))
        #expect(try p.parse("nucl*") == .prefix("nucl", field: .text))
        #expect(
            try p.parse("iran date:2007-05-01..2007-07-31")
                == .boolean(
                    must: [], should: [.word("iran", field: .text), .dateRange(from: "2007-05-01", to: "2007-07-31")],
                    mustNot: []))
        #expect(try p.parse("date:..2007") == .dateRange(from: nil, to: "2007"))
        // `-date:` excludes (it used to be read as the excluded words date and 2007).
        #expect(
            try p.parse("iran -date:2007")
                == .boolean(
                    must: [], should: [.word("iran", field: .text)],
                    mustNot: [.dateRange(from: "2007", to: "2007")]))
        #expect(
            try p.parse("iran +date:2007")
                == .boolean(
                    must: [.dateRange(from: "2007", to: "2007")], should: [.word("iran", field: .text)], mustNot: []))
        #expect(throws: QuerySyntaxError.self) { try p.parse("iran -date:2007-13") }
        #expect(try p.parse("date:2008-02-29") == .dateRange(from: "2008-02-29", to: "2008-02-29"))
        // Days and months that do not exist are errors, not filters that match nothing.
        for bad in ["date:2018-13-01", "date:2018-02-30", "date:2007-02-29..", "date:..2018-1-5", "date:2018-00"] {
            #expect(throws: QuerySyntaxError.self, "\(bad)") { try p.parse("iran " + bad) }
        }
        // Unknown "fields" are just words (URLs, times).
        #expect(try p.parse("http://x") == .word("http://x", field: .text))
    }

    /// Lucene's fuzzy words: `word~` (2 edits), `word~N` for N 0–2, in fields and after `+`;
    /// a `~` inside a word (`~user`) is part of it; distances over 2 or written as Lucene's old
    /// similarity (`roam~0.8`) are errors.
    @Test func fuzzyWords() throws {
        #expect(try p.parse("roam~") == .fuzzy("roam", field: .text, distance: 2))
        #expect(try p.parse("roam~1") == .fuzzy("roam", field: .text, distance: 1))
        #expect(try p.parse("roam~0") == .fuzzy("roam", field: .text, distance: 0))
        #expect(try p.parse("title:tehrn~1") == .fuzzy("tehrn", field: .title, distance: 1))
        #expect(try p.parse("title:(tehrn~1)") == .fuzzy("tehrn", field: .title, distance: 1))
        #expect(try p.parse("roam~1^3") == .boost(.fuzzy("roam", field: .text, distance: 1), 3))
        #expect(
            try p.parse("+roam~ talks")
                == .boolean(
                    must: [.fuzzy("roam", field: .text, distance: 2)], should: [.word("talks", field: .text)],
                    mustNot: []))
        #expect(try p.parse("example.com/~user") == .word("example.com/~user", field: .text))
        #expect(try p.parse("~2") == .word("~2", field: .text))
        #expect(try p.parse("\"a b\"~2") == .phrase(["a b"], field: .text, slop: 2))
    }

    /// Lucene's wildcards: `?` and `*` inside a word (a trailing `*` alone stays a prefix);
    /// question marks ending a word are a question's punctuation.
    @Test func wildcardWords() throws {
        #expect(try p.parse("te?t") == .wildcard("te?t", field: .text))
        #expect(try p.parse("ma*ki") == .wildcard("ma*ki", field: .text))
        #expect(try p.parse("*zone") == .wildcard("*zone", field: .text))
        #expect(try p.parse("title:t?lks") == .wildcard("t?lks", field: .title))
        #expect(try p.parse("te?t??") == .wildcard("te?t", field: .text))
        #expect(try p.parse("nucl*") == .prefix("nucl", field: .text))
        #expect(try p.parse("n?cl*") == .wildcard("n?cl*", field: .text))
        #expect(try p.parse("maliki?") == .word("maliki?", field: .text))
        #expect(try p.parse("??") == .word("??", field: .text))
        #expect(throws: QuerySyntaxError.self) { try p.parse("*") }
    }

    /// Lucene's regular expressions: `/…/` at a word's start, ending the word; anything else
    /// with slashes (`/usr/bin`, `and/or`, `/a b/`) is words as before.
    @Test func regularExpressions() throws {
        #expect(try p.parse("/colou?r/") == .regex("colou?r", field: .text))
        #expect(try p.parse("title:/gr[ae]y/") == .regex("gr[ae]y", field: .title))
        #expect(try p.parse("/a\\/b/") == .regex("a\\/b", field: .text))
        #expect(try p.parse("/(a|b)c/") == .regex("(a|b)c", field: .text))
        #expect(
            try p.parse("-/x.*/ zone")
                == .boolean(must: [], should: [.word("zone", field: .text)], mustNot: [.regex("x.*", field: .text)]))
        #expect(try p.parse("/x.*/^2") == .boost(.regex("x.*", field: .text), 2))
        #expect(
            try p.parse("(/x.*/)")
                == .regex("x.*", field: .text))
        #expect(try p.parse("/usr/bin") == .word("/usr/bin", field: .text))
        #expect(try p.parse("and/or") == .word("and/or", field: .text))
        #expect(try p.parse("/") == .word("/", field: .text))
        #expect(try p.parse("//") == .word("//", field: .text))
        #expect(
            try p.parse("/a b/")
                == .boolean(must: [], should: [.word("/a", field: .text), .word("b/", field: .text)], mustNot: []))
        #expect(try p.parse("\\/x/") == .word("/x/", field: .text))
    }

    /// Lucene's and tantivy's term ranges: `title:[a TO c]`, `{`/`}` excluding an end, `*` open;
    /// text that only looks like one is words.
    @Test func termRanges() throws {
        #expect(
            try p.parse("title:[a TO c]")
                == .termRange(from: "a", to: "c", includeFrom: true, includeTo: true, field: .title))
        #expect(
            try p.parse("author:{m TO *]")
                == .termRange(from: "m", to: nil, includeFrom: false, includeTo: true, field: .author))
        #expect(
            try p.parse("[1990 to 1999}^2")
                == .boost(.termRange(from: "1990", to: "1999", includeFrom: true, includeTo: false, field: .text), 2))
        #expect(
            try p.parse("[citation needed]")
                == .boolean(
                    must: [], should: [.word("[citation", field: .text), .word("needed]", field: .text)], mustNot: []))
        // Both ends open: Lucene's "has a value" (every article for the text).
        #expect(try p.parse("title:[* TO *]") == .exists(.title))
        #expect(try p.parse("[* TO *]") == .all)
    }

    /// Lucene's `author:*` and Elasticsearch's `_exists_:author`: the articles with a value in the
    /// field; `date:*` every dated article.
    @Test func fieldExists() throws {
        #expect(try p.parse("author:*") == .exists(.author))
        #expect(try p.parse("_exists_:author") == .exists(.author))
        #expect(try p.parse("_EXISTS_:Title") == .exists(.title))
        #expect(
            try p.parse("*:* -_exists_:category")
                == .boolean(must: [], should: [.all], mustNot: [.exists(.category)]))
        #expect(try p.parse("date:*") == p.parse("date:[* TO *]"))
        #expect(try p.parse("_exists_:date") == p.parse("date:[* TO *]"))
        #expect(throws: QuerySyntaxError.self) { try p.parse("_exists_:colour") }
        #expect(throws: QuerySyntaxError.self) { try p.parse("text:*") }
    }

    @Test(arguments: [
        ("iran AND", 6), ("AND iran", 1), ("roam~3", 6), ("roam~0.8", 5), ("x roam~2x", 7), ("+roam~12", 7),
        ("(iran", 1), ("iran)", 5), ("\"green zone", 1), ("a NEAR/x b", 8),
        ("", 1), ("()", 1), ("title:", 1), ("\"a b\"~", 6), ("a OR", 3), ("NEAR b", 1),
        ("iran date:2008..2007", 11), ("date:2007-03-02..2007-03-01", 6), ("*", 1), ("a **", 3),
        ("titel:iran", 1), ("iran -auther:doe", 7), ("data:2007", 1),
        ("/x{2,1}/", 3), ("a /(b/", 4), ("-/a&b/", 4), ("title:/*/", 8), ("/a{1000}{20}/", 2),
    ])
    func syntaxErrorsNameTheColumn(query: String, column: Int) {
        do {
            _ = try p.parse(query)
            Issue.record("expected an error for \(query)")
        } catch let e as QuerySyntaxError {
            #expect(e.column == column, "\(query): \(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func hostileInputsAreBounded() {
        let deep = String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000)
        #expect(throws: QuerySyntaxError.self) { try p.parse(deep) }
        let many = (0..<10_000).map { "w\($0)" }.joined(separator: " ")
        #expect(throws: QuerySyntaxError.self) { try p.parse(many) }
        #expect(throws: QuerySyntaxError.self) { try p.parse("a NEAR/99999999999999999999 b") }
        #expect(throws: QuerySyntaxError.self) { try p.parse("\"a b\"~99999999999999999999") }
    }
}
