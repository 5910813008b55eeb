import Foundation
import Testing

/// Query-side ranking rules that the evaluation chose (README "Ranking"): repeated words count
/// √n times, words that match nothing are corrected with a note, and British and American
/// spellings meet in the stem space.
@Suite("query words: repeats, corrections, spellings")
struct QueryWordRankingTests {
    private static func scores(_ r: Loupe.Result) -> [String: Double] {
        var out: [String: Double] = [:]
        for h in Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? [] {
            if let id = h["id"] as? String, let s = h["score"] as? Double { out[id] = s }
        }
        return out
    }

    /// The ids `find q` ranks (at most 20) on the index `idx`.
    static func ranked(_ q: String, _ idx: String, _ extra: [String] = []) throws -> [String] {
        let r = try Loupe.run(["find", q, "--index", idx, "--json", "--limit", "20"] + extra)
        return (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    private static func corpus(_ name: String) throws -> String {
        let (c, idx) = try Loupe.textCorpus(
            name,
            [
                ("a", "Fluorescent markers light the tumour cells in the centre of the sample."),
                ("b", "Each patient took a 400 mg dose of the drug twice a day."),
                ("c", "The committee discussed the budget of the programme."),
                ("d", "Markers and dyes were randomised across the trial."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        return idx
    }

    @Test func repeatedWordsCountSquareRootTimes() throws {
        let idx = try Self.corpus("loupe-repeats")
        let once = Self.scores(try Loupe.run(["find", "markers", "--index", idx, "--json"]))
        let twice = Self.scores(try Loupe.run(["find", "markers markers", "--index", idx, "--json"]))
        let summed = Self.scores(
            try Loupe.run(["find", "markers markers", "--index", idx, "--json", "--no-sublinear-repeats"]))
        #expect(!once.isEmpty && once.keys.sorted() == twice.keys.sorted())
        for (id, s) in once {
            #expect(abs(twice[id]! - s * 2.0.squareRoot()) < 1e-3 * s, "\(id): \(twice[id]!) vs √2 × \(s)")
            #expect(abs(summed[id]! - s * 2) < 1e-3 * s, "\(id): \(summed[id]!) vs 2 × \(s)")
        }
        // Repeats inside compound words count too: `dose-dose` is `dose` twice.
        let compound = Self.scores(try Loupe.run(["find", "dose-dose patient", "--index", idx, "--json"]))
        let plain = Self.scores(try Loupe.run(["find", "dose^1.4142135 patient", "--index", idx, "--json"]))
        #expect(!compound.isEmpty && compound.keys.sorted() == plain.keys.sorted())
        for (id, s) in plain { #expect(abs(compound[id]! - s) < 1e-3 * s) }
    }

    @Test func wordsThatMatchNothingAreCorrectedWithANote() throws {
        let idx = try Self.corpus("loupe-spelling")
        let r = try Loupe.run(["find", "florescent", "--index", idx, "--json"])
        #expect(Set(Self.scores(r).keys) == ["a.txt"], "\(r.stdout)")
        #expect(r.stderr.contains("florescent matches no article; searched for fluorescent instead"), "\(r.stderr)")
        let off = try Loupe.run(["find", "florescent", "--index", idx, "--no-spelling"])
        #expect(off.status == 1, "without correction nothing matches: \(off.stdout)")
        // Letter and digit runs: 400mg → 400 mg.
        let mg = try Loupe.run(["find", "400mg", "--index", idx, "--json"])
        #expect(Self.scores(mg).keys.first == "b.txt" && mg.stderr.contains("searched for 400 mg"), "\(mg.stderr)")
        // In a ranked bag only the unknown word changes; a word that is indexed is never touched.
        let bag = try Loupe.run(["find", "florescent budget", "--index", idx, "--json"])
        #expect(Set(Self.scores(bag).keys) == ["a.txt", "c.txt"])
        // Quoted words, required words and fields are taken as written.
        for q in ["\"florescent\"", "+florescent", "title:florescent"] {
            let x = try Loupe.run(["find", q, "--index", idx])
            #expect(x.status == 1 && !x.stderr.contains("searched for"), "\(q): \(x.stdout) \(x.stderr)")
        }
    }

    /// `C++` finds C++, not every `c` (`C$1.5 billion`, `C#`, `Hinkley Point C`); `disney` still
    /// finds `Disney+` (README "Analysis and formats").
    @Test func symbolWordsAreSearchedAsWritten() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-symbols",
            [
                ("cpp", "Templates in C++ are checked when they are instantiated."),
                ("csharp", "C# gained records in its ninth version."),
                ("dollar", "Exports rose to C$1.5 billion at Hinkley Point C."),
                ("stream", "Disney+’s subscribers grew while the studio cut costs."),
                ("studio", "The Disney studio opened a park."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ids(_ q: String) throws -> Set<String> {
            Set(Self.scores(try Loupe.run(["find", q, "--index", idx, "--json"])).keys)
        }
        #expect(try ids("C++") == ["cpp.txt"])
        #expect(try ids("c#") == ["csharp.txt"])
        #expect(try ids("\"C++ are\"") == ["cpp.txt"])
        #expect(try ids("c") == ["cpp.txt", "csharp.txt", "dollar.txt"])
        #expect(try ids("disney") == ["stream.txt", "studio.txt"])
        #expect(try ids("Disney+") == ["stream.txt"])
        #expect(try ids("subscriber") == ["stream.txt"])
        #expect(try ids("c -C++") == ["csharp.txt", "dollar.txt"])
        let hit = try Loupe.run(["find", "C++", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("in [C++] are"), "\(hit.stdout)")
        let explained = try Loupe.run(["find", "C++", "--index", idx, "--explain-query"])
        #expect(explained.stdout.contains("word C++ (as written, ranked by BM25: it ends in + or #)"))
        #expect(explained.stdout.contains("text:c++ (in 1 article"), "\(explained.stdout)")
        let number = try Loupe.run(["find", "10+", "--index", idx, "--explain-query"])
        #expect(number.stdout.contains("word 10+ (its stem, ranked by BM25)"), "\(number.stdout)")
        let terms = try Loupe.run(["terms", "disney+", "--index", idx])
        #expect(terms.stderr.contains("find disney+ searches only disney+"), "\(terms.stderr)")
    }

    /// A compound query word with a part that says little alone (a letter, a number, a function
    /// word) requires its other parts and ranks them together first; of such parts only, it is
    /// their phrase. Other compounds stay separate ranked words.
    @Test func compoundsWithWeakPartsHoldTogether() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-compounds",
            [
                ("att", "Shares of AT&T rose after the phone company raised prices."),
                ("noon", "The board met at noon; T cells were discussed at length."),
                ("pandemic", "Covid-19 cases fell in the spring."),
                ("covid", "Covid cases rose again after the holiday."),
                ("nineteen", "The 19 delegates voted on the budget."),
                ("rate", "Inflation reached 3.5 percent, 3 points above 0.5 percent."),
                ("lift", "The lift of the wing was measured."),
                ("shells", "The non-linear theory of thin shells."),
                ("members", "A linear theory; non members disagreed."),
                ("site", "The notice is posted on harbourmaster.org today."),
                ("office", "The harbourmaster wrote to the org committee."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ranked(_ q: String) throws -> [String] { try Self.ranked(q, idx) }
        #expect(try ranked("AT&T") == ["att.txt"])
        #expect(try ranked("3.5") == ["rate.txt"])
        let covid = try ranked("COVID-19")
        #expect(covid == ["pandemic.txt", "covid.txt"], "\(covid)")
        #expect(try ranked("lift-drag") == ["lift.txt"])
        // Parts joined by a dot (or `@`, `:`, `_`, an apostrophe) are one name.
        #expect(try ranked("harbourmaster.org") == ["site.txt"])
        #expect(Set(try ranked("harbourmaster-org")) == ["site.txt", "office.txt"])
        // A prefix is a weak part: it counts only beside its word.
        let r = try Loupe.run(["find", "non-linear", "--index", idx, "--json"])
        let s = Self.scores(r)
        #expect(Set(s.keys) == ["shells.txt", "members.txt"], "\(r.stdout)")
        #expect((s["shells.txt"] ?? 0) > 1.3 * (s["members.txt"] ?? 0), "\(s)")
        // Inside NEAR, such a word is its parts standing together.
        #expect(try ranked("COVID-19 NEAR/4 spring") == ["pandemic.txt"])
        #expect(try ranked("AT&T NEAR/2 rose") == ["att.txt"])
        // A pattern that falls back to such words is no error either.
        #expect(try Loupe.run(["find", "COVID-1* NEAR/4 spring", "--index", idx]).status != 2)
        // `--explain-query` tells each reading.
        for (q, reading) in [
            ("AT&T", "(the phrase \"at t\" of its parts' stems, each of little meaning alone)"),
            ("COVID-19", "(covid required; the phrase \"covid 19\" of its parts' stems ranks higher; also"),
            ("lift-drag", "(its parts lift, drag, each ranked by BM25; also the one word liftdrag"),
            ("harbourmaster.org", "(one name: the phrase \"harbourmaster org\" of its parts' stems)"),
        ] {
            let x = try Loupe.run(["find", q, "--index", idx, "--explain-query"])
            #expect(x.stdout.contains("word \(q) \(reading)"), "\(x.stdout)")
        }
        let hit = try Loupe.run(["find", "AT&T", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("Shares of [AT&T] rose"), "\(hit.stdout)")
    }

    /// `cease-fire` and `ceasefire`, `e-mail` and `email` are one word: each spelling finds the
    /// other (the index counts a hyphenated pair as its closed-up word too); the spelling typed
    /// ranks first; a quoted word is as written; a compound whose closed form the index does not
    /// hold reads as before (README "Query language").
    @Test func hyphenatedAndClosedSpellingsMeet() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-closed-compounds",
            [
                ("hyphen", "The cease-fire held overnight in the north."),
                ("closed", "The ceasefire held overnight in the south; the ceasefire was signed."),
                ("open", "Both armies agreed to cease fire at noon."),
                ("blaze", "A fire broke out in the warehouse."),
                ("letter", "Send me an e-mail about the co\u{2010}operation agreement."),
                ("mails", "Their emails were read by the cooperation committee."),
                ("wing", "The lift-drag ratio of the wing was measured."),
                ("art", "A state-of-the-art harbour crane."),
                ("britain", "The U.K. economy grew, the F.B.I. said at 9 a.m. on Tuesday."),
                ("pound", "The UK pound fell."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ranked(_ q: String) throws -> [String] { try Self.ranked(q, idx) }
        #expect(Set(try ranked("ceasefire")) == ["hyphen.txt", "closed.txt"])
        #expect(try ranked("ceasefire").first == "closed.txt")
        // The hyphenated query finds both spellings, its own first, then the parts apart.
        let typed = try ranked("cease-fire")
        #expect(Array(typed.prefix(3)) == ["hyphen.txt", "closed.txt", "open.txt"], "\(typed)")
        #expect(Set(typed) == ["hyphen.txt", "closed.txt", "open.txt", "blaze.txt"])
        #expect(try ranked("\"ceasefire\"") == ["closed.txt"])
        #expect(Set(try ranked("\"cease-fire\"")) == ["hyphen.txt", "open.txt"])  // the phrase of its words
        #expect(Set(try ranked("email")) == ["letter.txt", "mails.txt"])
        #expect(Set(try ranked("e-mails")) == ["letter.txt", "mails.txt"])
        #expect(Set(try ranked("cooperation")) == ["letter.txt", "mails.txt"])
        #expect(Set(try ranked("ceasefire NEAR/2 held")) == ["hyphen.txt", "closed.txt"])
        #expect(Set(try ranked("e-mail NEAR/3 send")) == ["letter.txt"])
        // No closed form written anywhere: the parts' reading alone; no longer compound closes up.
        #expect(try ranked("lift-drag") == ["wing.txt"])
        #expect(try ranked("liftdrag") == ["wing.txt"])
        #expect(try ranked("stateoftheart").isEmpty)
        let lift = try Loupe.run(["find", "lift-drag", "--index", idx, "--explain-query"])
        #expect(!lift.stdout.contains("stem:liftdrag"), "\(lift.stdout)")
        let x = try Loupe.run(["find", "cease-fire", "--index", idx, "--explain-query"])
        #expect(x.stdout.contains("text stem:ceasefir (in 2 articles)"), "\(x.stdout)")
        #expect(x.stdout.contains("also the one word ceasefire, either spelling"), "\(x.stdout)")
        // The compound is lit whole in snippets.
        let hit = try Loupe.run(["find", "ceasefire", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("The [cease-fire] held"), "\(hit.stdout)")
        // Initials joined by dots are their closed-up word too (not `U.S.`, `a.m.`: function words).
        #expect(Set(try ranked("UK")) == ["britain.txt", "pound.txt"])
        #expect(Set(try ranked("U.K.")) == ["britain.txt", "pound.txt"])
        #expect(try ranked("fbi") == ["britain.txt"])
        #expect(try Loupe.run(["find", "am", "--index", idx, "--no-spelling"]).status == 1)
        let uk = try Loupe.run(["find", "UK", "--index", idx, "--color", "never"])
        #expect(uk.stdout.contains("The [U.K]. economy"), "\(uk.stdout)")
        // `terms` names the hyphenated pairs its stem counts.
        let terms = try Loupe.run(["terms", "ceasefire", "--index", idx, "--json"])
        let stem = Loupe.json(terms.stdout)["stem"] as? [String: Any] ?? [:]
        #expect(stem["articles"] as? Int == 2, "\(terms.stdout)")
        #expect(stem["joinedForms"] as? [String] == ["cease-fire"], "\(terms.stdout)")
        let mail = try Loupe.run(["terms", "email", "--index", idx])
        #expect(mail.stderr.contains("the stem also counts e-mail (written apart, also"), "\(mail.stderr)")
        let kingdom = try Loupe.run(["terms", "uk", "--index", idx])
        #expect(kingdom.stderr.contains("the stem also counts u.k. (written apart"), "\(kingdom.stderr)")
    }

    /// `healthcare` also finds `health care`, written apart, a little after the spelling typed;
    /// a split whose part is no common word of its own here (`acc ept`) is not searched; a
    /// quoted word is as written (README "Query language").
    @Test func wordsWrittenTogetherFindThemApart() throws {
        var docs: [(String, String)] = [
            ("closed", "Healthcare costs rose sharply this year."),
            ("apart", "Health care costs rose sharply this year."),
            ("terms", "We accept the terms of the harbour board."),
            ("file", "The acc ept file was renamed."),
        ]
        // `health` and `care` are common words here, each in more articles than `healthcare`.
        for i in 0..<10 { docs.append(("note\(i)", "Note \(i) on the health of the fleet and the care of its nets.")) }
        let (c, idx) = try Loupe.textCorpus("loupe-words-apart", docs)
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ranked(_ q: String) throws -> [String] { try Self.ranked(q, idx, ["--no-spelling"]) }
        #expect(try ranked("healthcare") == ["closed.txt", "apart.txt"])
        #expect(try ranked("\"healthcare\"") == ["closed.txt"])
        #expect(try ranked("accept") == ["terms.txt"])
        let x = try Loupe.run(["find", "healthcare", "--index", idx, "--explain-query"])
        #expect(x.stdout.contains("phrase text stem:\"health@0 care@1\""), "\(x.stdout)")
        let hit = try Loupe.run(["find", "healthcare", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("[Health care] costs"), "\(hit.stdout)")
    }

    /// `1500` finds `1,500` and `1,500` finds `1500` (the index counts a number written with
    /// thousands separators as the number without them too); the number is lit whole; a quoted
    /// number is as written (README "Query language").
    @Test func numbersWithAndWithoutSeparatorsMeet() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-digit-groups",
            [
                ("grouped", "The army sent 1,500 troops and $2,000,000 in aid."),
                ("plain", "About 1500 troops arrived with 2000000 dollars."),
                ("decimal", "The rate was 1,5 percent; the list read 1,2,3."),
                ("code", "Part a1,500 was replaced."),
                ("pounds", "The flat cost £1,500 a month."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ranked(_ q: String) throws -> [String] { try Self.ranked(q, idx, ["--no-spelling"]) }
        #expect(Set(try ranked("1500")) == ["grouped.txt", "plain.txt", "pounds.txt"])
        #expect(Set(try ranked("1,500")) == ["grouped.txt", "plain.txt", "pounds.txt"])  // not `a1,500`
        #expect(Set(try ranked("$1,500")) == ["grouped.txt", "plain.txt", "pounds.txt"])
        #expect(Set(try ranked("2000000")) == ["grouped.txt", "plain.txt"])
        #expect(Set(try ranked("1500 NEAR/1 troops")) == ["grouped.txt", "plain.txt"])
        #expect(try ranked("\"1500\"") == ["plain.txt"])
        #expect(try ranked("15").isEmpty)
        let hit = try Loupe.run(["find", "1500", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("The army sent [1,500] troops"), "\(hit.stdout)")
    }

    /// `US` typed in capitals is the country, `U.S.` too, and either finds the other; the pronoun
    /// `us` ranks after them and `us` in lower case is the word as before; a word in capitals in
    /// a text all in capitals is no acronym; `IT` is information technology first (README "Query
    /// language").
    @Test func acronymsSpeltLikeFunctionWordsMeet() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-acronyms",
            [
                ("country", "The U.S. economy grew in May, the report said."),
                ("capitals", "US markets rallied on Friday as bonds fell."),
                ("pronoun", "Tell us about the economy, the readers asked."),
                ("heading", "US SAYS IT WILL ACT ON TRADE"),
                ("tech", "IT spending rose at the bank this year."),
                ("weather", "It rained, and it was cold all week."),
                ("health", "The WHO issued new guidance on the virus."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        func ranked(_ q: String, _ extra: [String] = []) throws -> [String] { try Self.ranked(q, idx, extra) }
        let us = try ranked("US")
        #expect(Set(us.prefix(2)) == ["country.txt", "capitals.txt"], "\(us)")
        #expect(Set(us) == ["country.txt", "capitals.txt", "pronoun.txt", "heading.txt"], "\(us)")
        let dotted = try ranked("U.S.")
        #expect(Set(dotted.prefix(2)) == ["country.txt", "capitals.txt"], "\(dotted)")
        #expect(Set(try ranked("us")) == ["capitals.txt", "pronoun.txt", "heading.txt"])
        #expect(Set(try ranked("\"US\"")) == ["capitals.txt", "pronoun.txt", "heading.txt"])
        #expect(try ranked("US economy").first == "country.txt")
        let near = try ranked("US NEAR/2 economy")
        #expect(near == ["country.txt", "pronoun.txt"], "\(near)")
        #expect(try ranked("IT").first == "tech.txt")
        #expect(try ranked("WHO").first == "health.txt")
        // `it` is a stopword; `IT` in capitals is not.
        #expect(try ranked("IT spending", ["--stopwords", "--limit", "1"]) == ["tech.txt"])
        let x = try Loupe.run(["find", "US", "--index", idx, "--explain-query"])
        #expect(x.stdout.contains("typed in capitals: the acronym US (written US or U.S.)"), "\(x.stdout)")
        #expect(x.stdout.contains("stem:US (in 2 articles)"), "\(x.stdout)")
        let hit = try Loupe.run(["find", "US", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("The [U.S]. economy"), "\(hit.stdout)")
        // `terms` counts the acronym apart from the word.
        let terms = try Loupe.run(["terms", "us", "--index", idx])
        #expect(
            terms.stderr.contains("the acronym US (US beside lower-case words, or U.S.) counts apart: 2 articles"),
            "\(terms.stderr)")
        let json = try Loupe.run(["terms", "US", "--index", idx, "--json"])
        let acronym = (Loupe.json(json.stdout)["stem"] as? [String: Any])?["acronym"] as? [String: Any]
        #expect(acronym?["word"] as? String == "US" && acronym?["articles"] as? Int == 2, "\(json.stdout)")
    }

    /// A soft hyphen (`&shy;` in HTML, U+00AD in text) does not split its word; snippets leave it
    /// out.
    @Test func softHyphensDoNotSplitWords() throws {
        let dir = try Loupe.tempDir("loupe-soft-hyphens")
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        try
            "<html><head><title>Limits</title></head><body><p>The govern&shy;ment spoke of phys&#173;i&#xad;cal limits.</p></body></html>"
            .write(to: c.appendingPathComponent("page.html"), atomically: true, encoding: .utf8)
        try "note\n\nThe inter\u{AD}national community watched.\n"
            .write(to: c.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        let idx = dir.appendingPathComponent("idx").path
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        for (q, id) in [("government", "page.html"), ("physical", "page.html"), ("international", "note.txt")] {
            let r = try Loupe.run(["find", q, "--index", idx, "--json", "--no-spelling"])
            let ids = (Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [id], "\(q): \(r.stdout)")
        }
        #expect(try Loupe.run(["find", "national", "--index", idx, "--no-spelling"]).status == 1)
        let hit = try Loupe.run(["find", "physical", "--index", idx, "--color", "never"])
        #expect(hit.stdout.contains("The government spoke of [physical] limits."), "\(hit.stdout)")
    }

    @Test func britishAndAmericanSpellingsMeetUnlessQuoted() throws {
        let idx = try Self.corpus("loupe-variants")
        for (q, id) in [("tumor", "a.txt"), ("center", "a.txt"), ("program", "c.txt"), ("randomized", "d.txt")] {
            let r = try Loupe.run(["find", q, "--index", idx, "--json"])
            #expect(Set(Self.scores(r).keys) == [id], "\(q): \(r.stdout)")
            let quoted = try Loupe.run(["find", "\"\(q)\"", "--index", idx])
            #expect(quoted.status == 1, "a quoted word matches as written: \(q)")
        }
    }
}

/// An abbreviation an article defines counts, at each later mention, as its long form's words in
/// the stem space (README "Ranking").
@Suite("abbreviations")
struct AbbreviationRankingTests {
    @Test func laterMentionsCountAsTheLongForm() throws {
        let (c, idx) = try Loupe.textCorpus(
            "loupe-abbr",
            [
                // Same length; "a" sorts first, so without expansion it would win the tie.
                ("a", "The endoplasmic reticulum (cell) swells. Under stress the cell grows and the cell splits."),
                ("b", "The endoplasmic reticulum (ER) swells. Under stress the ER grows and the ER splits."),
                ("c", "Unrelated words about the weather in spring and the rain."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", idx]).status == 0)
        let r = try Loupe.run(["find", "reticulum", "--index", idx, "--json"])
        let hits = Loupe.json(r.stdout)["hits"] as? [[String: Any]] ?? []
        #expect(hits.compactMap { $0["id"] as? String } == ["b.txt", "a.txt"], "\(r.stdout)")
        let s = hits.compactMap { $0["score"] as? Double }
        #expect(s.count == 2 && s[0] > s[1])
        // Exact words and phrases are as written: "reticulum grows" is not in b.
        #expect(try Loupe.run(["find", "\"reticulum grows\"", "--index", idx]).status == 1)
        #expect(try Loupe.run(["find", "\"ER grows\"", "--index", idx]).status == 0)
        // Unquoted NEAR reads stems: the mention is near "grows".
        let near = try Loupe.run(["find", "reticulum NEAR/1 grows", "--index", idx, "--json"])
        #expect(
            (Loupe.json(near.stdout)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == ["b.txt"])
        // The index checks clean (the expanded stem terms have postings of their own).
        #expect(try Loupe.run(["check", "--index", idx]).status == 0)
    }
}
