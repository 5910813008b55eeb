// Fuzz target `query`: the query parser (both grammars), then binding and running the parsed
// query on a small index, as `loupe find` does (scorers, top-k pruning, spans, snippets).
import Foundation

@testable import LoupeCore

nonisolated(unsafe) private var searcher: Searcher? = nil

private func setUp() -> Searcher {
    if let s = searcher { return s }
    let dir = FuzzSupport.root + "/index"
    FuzzSupport.buildIndex(in: dir)
    guard let reader = try? IndexReader(directory: dir) else { fatalError("fuzz: cannot open \(dir)") }
    let s = Searcher(reader: reader)
    // Synonyms of the corpus's words: one-word alternatives blended, phrase ones beside them.
    s.synonyms = try? Synonyms.parse("oil, crude, opec\ncoffee => cocoa, coffee\nUS, united states\nrate, price\n")
    searcher = s
    return s
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let s = setUp()
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let node = try? QueryParser().parse(text) {
        FuzzSupport.exercise(s, node)
        // Again with --min-match (at least 60 % of the optional clauses).
        s.minimumShouldMatch = .percent(60)
        FuzzSupport.exercise(s, node)
        s.minimumShouldMatch = nil
        // The parse is a pure function of the text.
        precondition((try? QueryParser().parse(text)) == node, "parse is not deterministic")
    }
    if let node = try? QueryParser().parsePlain(text) {
        FuzzSupport.exercise(s, node)
    }
    return 0
}
