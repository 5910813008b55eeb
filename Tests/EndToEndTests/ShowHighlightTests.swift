import Foundation
import Testing

/// `loupe show ID --highlight QUERY`: the whole article with the query's matches marked.
@Suite("show --highlight")
struct ShowHighlightTests {
    static let docs: [(String, String)] = [
        (
            "quay.txt",
            "Quay works begin\n\nThe harbour board said the quay works begin in May. The Green Zone of the harbour stays open."
        ),
        ("other.txt", "Ferry timetable\n\nThe ferry leaves at nine."),
    ]

    static func indexed(_ name: String) throws -> String {
        let dir = try Loupe.tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        for (file, text) in docs {
            try text.write(to: c.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let index = dir.appendingPathComponent("idx").path
        let r = try Loupe.run(["index", c.path, "--index", index])
        #expect(r.status == 0, "\(r.stderr)")
        return index
    }

    @Test func marksTheMatchesInTitleAndText() throws {
        let index = try ShowHighlightTests.indexed("loupe-show-hl")
        let r = try Loupe.run([
            "show", "quay.txt", "--index", index, "--highlight", "\"green zone\" harbour quay*", "--color", "never",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("[Quay] works begin\n"), "\(r.stdout)")
        #expect(
            r.stdout.contains(
                "The [harbour] board said the [quay] works begin in May. The [Green Zone] of the [harbour] stays open."),
            "\(r.stdout)")
        let c = try Loupe.run(["show", "quay.txt", "--index", index, "--highlight", "harbour", "--color", "always"])
        #expect(c.stdout.contains("\u{1B}[1;31mharbour\u{1B}[0m"), "\(c.stdout)")
        // Without --highlight, nothing is marked.
        let plain = try Loupe.run(["show", "quay.txt", "--index", index])
        #expect(!plain.stdout.contains("["), "\(plain.stdout)")
    }

    /// Several ids: each article in turn (JSON Lines with --json), a missing one reported and the
    /// others still printed (exit 1).
    @Test func severalArticlesInTurn() throws {
        let index = try ShowHighlightTests.indexed("loupe-show-several")
        let json = try Loupe.run(["show", "quay.txt", "other.txt", "--index", index, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n").map { Loupe.json(String($0)) }
        #expect(lines.compactMap { $0["id"] as? String } == ["quay.txt", "other.txt"], "\(json.stdout)")
        let text = try Loupe.run(["show", "other.txt", "nope", "quay.txt", "--index", index])
        #expect(text.status == 1)
        #expect(text.stderr.contains("no article with id or path nope"), "\(text.stderr)")
        let parts = text.stdout.components(separatedBy: "\n" + String(repeating: "-", count: 72) + "\n")
        #expect(parts.count == 2, "\(text.stdout)")
        #expect(parts.first?.hasPrefix("Ferry timetable\n") == true && parts.last?.contains("Quay works begin") == true)
        let highlighted = try Loupe.run([
            "show", "quay.txt", "other.txt", "--index", index, "--highlight", "harbour OR ferry", "--color", "never",
        ])
        #expect(highlighted.stdout.contains("The [harbour] board") && highlighted.stdout.contains("The [ferry] leaves"))
    }

    @Test func jsonGivesByteRanges() throws {
        let index = try ShowHighlightTests.indexed("loupe-show-hl-json")
        let r = try Loupe.run(["show", "quay.txt", "--index", index, "--highlight", "\"green zone\" OR quay", "--json"])
        let o = Loupe.json(r.stdout)
        let body = Array((o["body"] as? String ?? "").utf8)
        let title = Array((o["title"] as? String ?? "").utf8)
        let words = (o["matches"] as? [[Int]] ?? []).map { String(decoding: body[$0[0]..<$0[1]], as: UTF8.self) }
        let titleWords = (o["titleMatches"] as? [[Int]] ?? []).map {
            String(decoding: title[$0[0]..<$0[1]], as: UTF8.self)
        }
        #expect(words == ["quay", "Green Zone"], "\(r.stdout)")
        #expect(titleWords == ["Quay"], "\(r.stdout)")
        let none = try Loupe.run(["show", "quay.txt", "--index", index, "--json"])
        #expect(Loupe.json(none.stdout)["matches"] == nil)
    }

    @Test func noMatchIsANoteAndABadQueryAnError() throws {
        let index = try ShowHighlightTests.indexed("loupe-show-hl-none")
        let r = try Loupe.run(["show", "quay.txt", "--index", index, "--highlight", "ferry", "--color", "never"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("the query does not match this article"), "\(r.stderr)")
        #expect(!r.stdout.contains("["))
        let bad = try Loupe.run(["show", "quay.txt", "--index", index, "--highlight", "harbour AND"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("AND needs a right-hand operand") && bad.stderr.contains("^"), "\(bad.stderr)")
    }
}
