import Testing

@testable import LoupeCore

/// The synonyms file (Solr's format) and its lookup table.
@Suite("synonyms")
struct SynonymsTests {
    @Test func parsesEquivalentsMappingsAndComments() throws {
        let s = try Synonyms.parse(
            """
            # names that changed
            Burma, Myanmar
              UN ,  United   Nations   # an abbreviation

            Kiev => Kyiv, Kiev
            """)
        #expect(
            s.rules == [
                .init(from: ["Burma", "Myanmar"], to: nil),
                .init(from: ["UN", "United Nations"], to: nil),
                .init(from: ["Kiev"], to: ["Kyiv", "Kiev"]),
            ])
    }

    @Test(arguments: [
        ("a, b\nalone\n", 2, "one entry alone"), ("a,, b", 1, "empty entry"), ("a, b,", 1, "empty entry"),
        ("a => b => c", 1, "more than one =>"), ("a, b\n\n=> c", 3, "empty entry"),
    ])
    func errorsNameTheLine(text: String, line: Int, message: String) {
        do {
            _ = try Synonyms.parse(text)
            Issue.record("expected an error for \(text)")
        } catch let e as Synonyms.ParseError {
            #expect(e.line == line && e.message.contains(message), "\(e)")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Keys are the analysed words (folded, a phrase word for word); an entry of several rules
    /// gets every rule's alternatives.
    @Test func tableKeysAreAnalysedWords() throws {
        let a = Analyzer(.english)
        func terms(_ s: String) -> [[UInt8]] {
            var out: [[UInt8]] = []
            a.analyze(s) { out.append(Array($0.term)) }
            return out
        }
        let s = try Synonyms.parse("Café, coffee shop\ncafe, bistro\nKiev => Kyiv")
        let t = s.table(terms)
        #expect(t[Array("cafe".utf8)] == ["Café", "coffee shop", "bistro"])
        #expect(t[Array("coffee shop".utf8)] == ["Café", "coffee shop"])
        #expect(t[Array("kiev".utf8)] == ["Kyiv"])
        #expect(t[Array("kyiv".utf8)] == nil)
    }
}
