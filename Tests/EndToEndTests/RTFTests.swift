import Foundation
import Testing

/// `loupe index` on a copy of `Corpus/`: the RTF sample of `Corpus/documents/` is one article
/// that `find` finds by a word of its text under its `\info` title, and `show` prints by its path
/// with its metadata, without its font table, field instruction or `\info` comments.
@Suite("RTF documents")
struct RTFTests {
    @Test func theRTFSampleIsIndexedFoundAndShown() throws {
        let (_, idx) = try Loupe.indexedCorpus()
        let f = try Loupe.run(["find", "lamplighters", "--index", idx, "--color", "never"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(
            f.stdout.contains("1. Night lighting on the south pier")
                && f.stdout.contains("documents/pier-lighting-memo.rtf"), "\(f.stdout)")
        #expect(!f.stdout.contains("2. "), "one article: \(f.stdout)")
        let show = try Loupe.run(["show", "documents/pier-lighting-memo.rtf", "--index", idx])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Night lighting on the south pier\n"), "\(show.stdout)")
        #expect(show.stdout.contains("2008-11-17") && show.stdout.contains("by Halvard Quist and Rosa Menendez"))
        #expect(show.stdout.contains("café terrace") && show.stdout.contains("lighting notice page"), "\(show.stdout)")
        for left in ["Georgia", "HYPERLINK", "Eastmouth", "Draft kept"] {
            #expect(!show.stdout.contains(left), "\(left): \(show.stdout)")
        }
        let json = Loupe.json(
            try Loupe.run(["show", "documents/pier-lighting-memo.rtf", "--index", idx, "--json"]).stdout)
        #expect(json["categories"] as? [String] == ["lamps", "south pier", "night work", "Pier lighting"])
        // The café is found by its folded form too.
        let cafe = try Loupe.run(["find", "cafe terrace", "--index", idx, "--color", "never"])
        #expect(cafe.stdout.contains("pier-lighting-memo.rtf"), "\(cafe.stdout)")
    }
}
