import Foundation
import Testing

/// `loupe terms`: the index's words with their document and collection frequencies.
@Suite("terms")
struct TermsTests {
    /// Titles are the ids (`textCorpus`); every count below follows from these texts.
    static let docs: [(String, String)] = [
        ("quay", "The harbour board met twice. Harbours of the coast, the harbour again."),
        ("port", "The harbor opened. Colour and color."),
        ("ferry", "The ferry harboured nothing."),
    ]

    static func indexed(_ name: String) throws -> (corpus: URL, index: String) {
        let (c, index) = try Loupe.textCorpus(name, docs)
        let r = try Loupe.run(["index", c.path, "--index", index])
        #expect(r.status == 0, "\(r.stderr)")
        return (c, index)
    }

    /// The JSON listing's words as (word, articles, occurrences).
    static func words(_ out: String) -> [(String, Int, Int)] {
        (Loupe.json(out)["words"] as? [[String: Any]] ?? []).map {
            ($0["word"] as? String ?? "", $0["articles"] as? Int ?? -1, $0["occurrences"] as? Int ?? -1)
        }
    }

    @Test func mostFrequentWordsFirstOrInByteOrder() throws {
        let (_, index) = try TermsTests.indexed("loupe-terms-top")
        let r = try Loupe.run(["terms", "--index", index, "--limit", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let top = TermsTests.words(r.stdout)
        // `the`: in all 3 articles, 5 times (title words count: `quay` is its own title).
        #expect(top.count == 2)
        #expect(top.first.map { $0.0 == "the" && $0.1 == 3 && $0.2 == 5 } == true, "\(top)")
        // The bounded selection gives the same first words as the full listing.
        let all = TermsTests.words(try Loupe.run(["terms", "--index", index, "--limit", "0", "--json"]).stdout)
        #expect(all.count == (Loupe.json(r.stdout)["total"] as? Int), "\(r.stdout)")
        #expect(all.prefix(2).map(\.0) == top.map(\.0))
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.1 >= $1.1 }, "\(all)")
        let byWord = TermsTests.words(
            try Loupe.run(["terms", "--index", index, "--limit", "0", "--sort", "word", "--json"]).stdout
        ).map(\.0)
        #expect(byWord == byWord.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(Set(byWord) == Set(all.map(\.0)))
        let text = try Loupe.run(["terms", "--index", index, "--limit", "1"])
        #expect(text.stdout.hasPrefix("articles  occurrences  word\n"), "\(text.stdout)")
        #expect(text.stderr.contains("words in text; the 1 most articles hold shown"), "\(text.stderr)")
    }

    @Test func patternsListTheWordsTheyExpandTo() throws {
        let (_, index) = try TermsTests.indexed("loupe-terms-patterns")
        func listed(_ pattern: String, _ more: [String] = []) throws -> [(String, Int, Int)] {
            let r = try Loupe.run(["terms", pattern, "--index", index, "--json"] + more)
            #expect(r.status == 0, "\(pattern): \(r.stderr)")
            return TermsTests.words(r.stdout)
        }
        let harb = try listed("harb*", ["--sort", "word"])
        #expect(harb.map(\.0) == ["harbor", "harbour", "harboured", "harbours"], "\(harb)")
        #expect(harb.first { $0.0 == "harbour" }.map { $0.1 == 1 && $0.2 == 2 } == true, "\(harb)")
        // Most articles first, then most occurrences.
        #expect(try listed("harb*").first?.0 == "harbour")
        #expect(try listed("/colou?r/").map(\.0).sorted() == ["color", "colour"])
        #expect(try listed("harbor~1").map(\.0).contains("harbour"))
        #expect(try listed("[coast TO color]", ["--sort", "word"]).map(\.0) == ["coast", "color"])
        #expect(try listed("h?rbor").map(\.0) == ["harbor"])
        // A field: the pattern's, or --field's; `*` alone, every word of it.
        #expect(try listed("title:q*").map(\.0) == ["quay"])
        #expect(try listed("p*", ["--field", "title"]).map(\.0) == ["port"])
        #expect(try listed("title:*").map(\.0).sorted() == ["ferry", "port", "quay"])
        #expect(try listed("*", ["--field", "title"]).map(\.0).sorted() == ["ferry", "port", "quay"])
        let none = try Loupe.run(["terms", "zz*", "--index", index])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no indexed word matches zz*"), "\(none.stderr)")
        let tsv = try Loupe.run(["terms", "harbour*", "--index", index, "--format", "tsv", "--sort", "word"])
        #expect(
            tsv.stdout == "word\tarticles\toccurrences\nharbour\t1\t2\nharboured\t1\t1\nharbours\t1\t1\n",
            "\(tsv.stdout)")
    }

    @Test func aWordShowsItsStemAndTheFormsItFinds() throws {
        let (_, index) = try TermsTests.indexed("loupe-terms-word")
        let r = try Loupe.run(["terms", "Harbours", "--index", index, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(TermsTests.words(r.stdout).map { "\($0.0) \($0.1) \($0.2)" } == ["harbours 1 1"], "\(r.stdout)")
        let stem = Loupe.json(r.stdout)["stem"] as? [String: Any] ?? [:]
        // British and American spellings share the stem: 3 articles.
        #expect(stem["stem"] as? String == "harbor", "\(r.stdout)")
        #expect(stem["articles"] as? Int == 3, "\(r.stdout)")
        let forms = (stem["forms"] as? [[String: Any]] ?? []).compactMap { $0["word"] as? String }
        #expect(Set(forms) == ["harbor", "harbour", "harboured", "harbours"], "\(forms)")
        // What `find` does with it agrees: the unquoted word finds all three articles.
        let found = try Loupe.run(["find", "harbours", "--index", index, "--json"])
        #expect(Loupe.json(found.stdout)["total"] as? Int == 3, "\(found.stdout)")
        let text = try Loupe.run(["terms", "harbours", "--index", index])
        #expect(text.stdout.contains("harbor  (same stem)"), "\(text.stdout)")
        #expect(
            text.stderr.contains("stem harbor: 3 articles; find harbours searches its 4 indexed forms"),
            "\(text.stderr)")
        let missing = try Loupe.run(["terms", "harbourz", "--index", index])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no indexed word harbourz"), "\(missing.stderr)")
    }

    @Test func countsAreSummedOverSegments() throws {
        let (c, index) = try TermsTests.indexed("loupe-terms-segments")
        try "Pier\n\nThe harbour pier.\n".write(
            to: c.appendingPathComponent("pier.txt"), atomically: true, encoding: .utf8)
        let r = try Loupe.run(["index", c.path, "--index", index, "--no-merge"])
        #expect(r.status == 0, "\(r.stderr)")
        let stats = Loupe.json(try Loupe.run(["stats", "--index", index, "--json"]).stdout)
        #expect(stats["segments"] as? Int == 2, "\(stats)")
        let w = TermsTests.words(try Loupe.run(["terms", "harbour", "--index", index, "--json"]).stdout)
        #expect(w.map { "\($0.0) \($0.1) \($0.2)" } == ["harbour 2 3"], "\(w)")
        let top = TermsTests.words(try Loupe.run(["terms", "--index", index, "--json"]).stdout)
        #expect(top.first.map { $0.0 == "the" && $0.1 == 4 } == true, "\(top)")
        #expect(Set(top.map(\.0)).count == top.count, "each word once: \(top)")
    }

    /// `terms --in QUERY`: the words that set the query's matches apart from the rest, by
    /// log-likelihood; a word all the matches and nothing else hold comes first, function words
    /// (would: in all the matches and nowhere else) and words in fewer than 3 matches never.
    @Test func wordsThatSetTheMatchesApart() throws {
        let (c, index) = try Loupe.textCorpus(
            "loupe-terms-in",
            [
                ("f1", "The ferry timetable changes and the island crossing would move."),
                ("f2", "The winter ferry timetable would drop the island crossing."),
                ("f3", "A ferry timetable for the island would put the crossing at nine."),
                ("o1", "The council met about the island roads."),
                ("o2", "The market opened and the council closed the roads."),
                ("o3", "The library opens late and the market early."),
                ("o4", "The museum opens a new room."),
            ])
        #expect(try Loupe.run(["index", c.path, "--index", index]).status == 0)
        let r = try Loupe.run(["terms", "--in", "ferry", "--index", index, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = Loupe.json(r.stdout)
        #expect(o["matches"] as? Int == 3 && o["read"] as? Int == 3 && o["archive"] as? Int == 7, "\(o)")
        let words = (o["words"] as? [[String: Any]] ?? []).map {
            ($0["word"] as? String ?? "", $0["articles"] as? Int ?? -1, $0["archive"] as? Int ?? -1)
        }
        // ferry, timetable and crossing: in all 3 matches and nowhere else; island: in 4 articles.
        #expect(Set(words.prefix(3).map(\.0)) == ["ferry", "timetable", "crossing"], "\(words)")
        #expect(words.contains { $0 == ("island", 3, 4) }, "\(words)")
        #expect(words.firstIndex { $0.0 == "island" }! >= 3, "\(words)")
        // Stopwords and words of fewer than 3 matches (winter, changes) are left out, unless
        // --min-articles says fewer.
        #expect(!words.contains { ["the", "and", "would", "winter", "changes"].contains($0.0) }, "\(words)")
        let two = Loupe.json(
            try Loupe.run(["terms", "--in", "ferry", "--index", index, "--json", "--min-articles", "1", "--limit", "0"])
                .stdout)
        let twoWords = (two["words"] as? [[String: Any]] ?? []).compactMap { $0["word"] as? String }
        #expect(twoWords.contains("winter") && twoWords.contains("changes") && !twoWords.contains("the"), "\(twoWords)")
        let scores = (o["words"] as? [[String: Any]] ?? []).compactMap { $0["score"] as? Double }
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 }, "\(scores)")
        let text = try Loupe.run(["terms", "--in", "ferry", "--index", index, "--limit", "1"])
        // Equal scores go in byte order: crossing, in all 3 matches (100 %) and 3 of 7 articles.
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix("in archive  word"), "\(text.stdout)")
        #expect(
            lines.count == 2 && lines[1].contains("100.0 %") && lines[1].hasSuffix("42.9 %  crossing"), "\(text.stdout)"
        )
        #expect(
            text.stderr.contains("words that set apart 3 matching articles (all read) from the archive's 7"),
            "\(text.stderr)")
        let none = try Loupe.run(["terms", "--in", "zeppelin", "--index", index])
        #expect(none.status == 1, "\(none.stderr)")
        let all = try Loupe.run(["terms", "--in", "*:*", "--index", index])
        #expect(all.status == 1 && all.stderr.contains("every article of the archive matches"), "\(all.stderr)")
        for args in [
            ["ferry", "--in", "ferry"], ["--in", "ferry", "--sort", "word"], ["--in", "ferry", "--field", "author"],
        ] {
            #expect(try Loupe.run(["terms"] + args + ["--index", index]).status == 2, "\(args)")
        }
    }

    @Test func refusesWhatIsNoWord() throws {
        let (_, index) = try TermsTests.indexed("loupe-terms-errors")
        for args in [
            ["\"harbour board\""], ["id:quay"], ["x", "--field", "id"], ["x", "--format", "trec"],
            ["x", "--limit", "-1"],
        ] {
            let r = try Loupe.run(["terms"] + args + ["--index", index])
            #expect(r.status == 2, "\(args): \(r.stdout) \(r.stderr)")
        }
        let near = try Loupe.run(["vocab", "--index", index])
        #expect(near.stderr.contains("did you mean 'terms'"), "\(near.stderr)")
    }
}
