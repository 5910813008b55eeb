import ArgumentParser
import Foundation
import LoupeCore

struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Search the index; print ranked hits with highlighted snippets.",
        discussion: """
            Words are OR'ed and ranked by BM25; +word is required, -word excluded; AND, OR, NOT and
            parentheses combine; "exact phrase", "sloppy phrase"~N, a NEAR/N b (either order, at
            most N words between), a ADJ/N b (in order); title:, category:, source: restrict to a
            field; prefix* expands through the dictionary; date:2007-05-01..2007-07-31 filters.

            Examples (on the sample corpus):
              loupe find "Green Zone"
              loupe find '"green zone"' --json
              loupe find 'iran NEAR/10 baghdad'
              loupe find 'title:talks +iraq -oil' --limit 5

            Exit status: 0 with hits, 1 with none, 2 on error (bad query, missing index).
            """)

    @Argument(help: "The query.")
    var query: String

    @OptionGroup var location: IndexLocation

    @Option(name: .shortAndLong, help: "Number of hits to print.")
    var limit: Int = 10

    @Flag(help: "Print one JSON object with all hits.")
    var json = false

    @Option(help: "Words of context in each snippet.")
    var context: Int = SnippetBuilder.defaultWords

    @Option(help: "BM25 k1.")
    var k1: Float = 1.2

    @Option(help: "BM25 b.")
    var b: Float = 0.75

    @Option(help: "Colour: auto (only on a terminal, honouring NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        guard context >= 1 else { throw ValidationError("--context must be 1 or more") }
    }

    func run() throws {
        let node: QueryNode
        do {
            node = try QueryParser().parse(query)
        } catch let e as QuerySyntaxError {
            printErr("loupe: \(e.description)")
            let shown = Diagnostic_escape(query)
            printErr("  " + shown)
            printErr("  " + String(repeating: " ", count: max(0, caretOffset(query, column: e.column))) + "^")
            if let h = e.hint { printErr("hint: \(h)") }
            throw ExitCode(2)
        }
        let reader = try openReader(location)
        let searcher = Searcher(reader: reader, bm25: BM25(k1: k1, b: b))
        let bound: BoundQuery
        let result: SearchResult
        do {
            bound = try searcher.prepare(node)
            result = try searcher.search(bound, limit: limit)
        } catch let e as QueryError {
            throw fail(e.message)
        } catch {
            throw fail("\(error)")
        }
        for n in result.notes { printErr("loupe: note: \(n)") }
        let analyzer = Analyzer(reader.analyzer)
        var outHits: [JSONHit] = []
        for (i, h) in result.hits.enumerated() {
            let a: Article
            let spans: [Span]
            do {
                a = try reader.article(h.doc)
                spans = try searcher.spans(bound, doc: h.doc)
            } catch {
                throw fail("\(error)")
            }
            let snip = SnippetBuilder.build(article: a, spans: spans, analyzer: analyzer, words: context)
            outHits.append(
                JSONHit(
                    rank: i + 1, id: a.id, score: h.score, title: a.title, date: a.date, source: a.source,
                    link: a.link, snippet: snip.marked(open: "[", close: "]"), snippetText: snip.text,
                    highlights: snip.highlights.map { [$0.lowerBound, $0.upperBound] }))
        }
        if json {
            let out = JSONResult(query: query, total: result.total, totalExact: true, hits: outHits)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try enc.encode(out), as: UTF8.self))
        } else {
            let colour = color.enabled
            for h in outHits {
                let snip = Snippet(text: h.snippetText, highlights: h.highlights.map { $0[0]..<$0[1] })
                let title = h.title.isEmpty ? "(untitled)" : h.title
                print("\(h.rank). " + (colour ? "\u{1B}[1m\(title)\u{1B}[0m" : title))
                let meta = ([h.date.map { String($0.prefix(10)) }, h.source, String(format: "score %.3f", h.score)]
                    .compactMap { $0 }).joined(separator: " · ")
                print("   " + (colour ? "\u{1B}[2m\(meta)\u{1B}[0m" : meta))
                print("   " + (colour ? snip.marked(open: "\u{1B}[1;31m", close: "\u{1B}[0m") : snip.marked(open: "[", close: "]")))
            }
            let shown = outHits.count
            printErr("\(result.total) matching article\(result.total == 1 ? "" : "s")" + (shown < result.total ? ", top \(shown) shown" : ""))
        }
        if result.total == 0 { throw ExitCode(1) }
    }

    private func caretOffset(_ q: String, column: Int) -> Int {
        // Column counts Unicode scalars; the echoed query escapes control characters.
        var off = 0
        for (i, u) in q.unicodeScalars.enumerated() where i < column - 1 {
            off += Diagnostic_escape(String(u)).count
        }
        return off
    }
}

import LoupeIngest

func Diagnostic_escape(_ s: String) -> String { Diagnostic.escape(s) }

enum ColorChoice: String, ExpressibleByArgument {
    case auto, always, never

    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
            return isatty(1) == 1
        }
    }
}

struct JSONHit: Encodable {
    var rank: Int
    var id: String
    var score: Float
    var title: String
    var date: String?
    var source: String
    var link: String?
    var snippet: String
    var snippetText: String
    var highlights: [[Int]]

    enum CodingKeys: String, CodingKey {
        case rank, id, score, title, date, source, link, snippet, highlights
        case snippetText = "snippet_text"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode((Double(score) * 10000).rounded() / 10000, forKey: .score)
        try c.encode(title, forKey: .title)
        try c.encode(date, forKey: .date)
        try c.encode(source, forKey: .source)
        try c.encode(link, forKey: .link)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(snippetText, forKey: .snippetText)
        try c.encode(highlights, forKey: .highlights)
    }
}

struct JSONResult: Encodable {
    var query: String
    var total: Int
    var totalExact: Bool
    var hits: [JSONHit]

    enum CodingKeys: String, CodingKey {
        case query, total, hits
        case totalExact = "total_exact"
    }
}
