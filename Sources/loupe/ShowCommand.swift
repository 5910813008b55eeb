import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a stored article by its id (as shown by find).",
        discussion: """
            A corpus file's path (or an archive member's, as find shows its source) shows the \
            file's first article, with a note when the file holds several. When collections \
            indexed together share an id (two Reuters directories' NEWID 1), a note names the \
            others, and SOURCE#ID picks one: loupe show r2/reut2-000.sgm#1.

            --highlight QUERY marks the query's matches (find's query language) in the title and \
            the whole text, as find marks them in its snippets: in colour on a terminal, else \
            [in brackets]; with --json, as byte ranges (matches, titleMatches).

            Several ids print each article in turn (text: separated by a line of dashes; --json: \
            one object a line, JSON Lines), so that a search's hits can be exported whole: \
            loupe find ferry --format tsv | tail -n +2 | cut -f3 | xargs loupe show --json. An id \
            that names no article is reported and the others printed (exit 1).

            Examples:
              loupe show world-0002
              loupe show world-0002 world-0003 --json
              loupe show 000_48ee8ce46de06e27.txt --json
              loupe show 000_48ee8ce46de06e27.txt --highlight '"green zone" maliki'
            """)

    @Argument(help: "Article ids or corpus-relative file paths, one or more.")
    var ids: [String]

    @OptionGroup var location: IndexLocation

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Mark this query's matches in the article (find's query language).")
    var highlight: String?

    @Option(help: "Colour of the marks: auto (only on a terminal, honouring NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    struct Shown: Encodable {
        var id: String
        var title: String
        var date: String?
        var authors: [String]
        var link: String?
        var source: String
        var position: Int
        var categories: [String]
        var body: String
        /// With --highlight: the matches as byte ranges into `body` and `title`.
        var matches: [[Int]]?
        var titleMatches: [[Int]]?
    }

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give an article id or path (as find shows it)") }
    }

    func run() throws {
        let reader = try openReader(location)
        let node = try highlight.map { q in try FindCommand.parseOrExit(q) { try QueryParser().parse($0) } }
        var missing = 0
        var shown = 0
        for id in ids {
            if try show(id, reader, node, separated: shown > 0) { shown += 1 } else { missing += 1 }
        }
        if missing > 0 { throw ExitCode(1) }
    }

    /// Prints one article; false when no article has that id or path (said on stderr).
    /// `separated`: a line of dashes first (text), after an article already shown.
    private func show(_ id: String, _ reader: IndexReader, _ node: QueryNode?, separated: Bool) throws -> Bool {
        let article: Article
        var matches: [Range<Int>] = []
        var titleMatches: [Range<Int>] = []
        do {
            if let doc = try RelatedCommand.resolve(id, reader) {
                article = try reader.article(doc)
                if let node {
                    let searcher = Searcher(reader: reader)
                    let bound = try searcher.prepare(node)
                    let spans = try searcher.spans(bound, doc: doc)
                    let analyzer = Analyzer(reader.analyzer)
                    matches = SnippetBuilder.build(article: article, spans: spans, analyzer: analyzer).matches
                    titleMatches = SnippetBuilder.titleHighlights(article: article, spans: spans, analyzer: analyzer)
                    for n in searcher.notes { printErr("loupe: note: \(n)") }
                    if matches.isEmpty && titleMatches.isEmpty {
                        printErr("loupe: note: the query does not match this article")
                    }
                }
                try RelatedCommand.noteSeveral(id, used: article.id, reader, "this is its first")
            } else {
                printErr("loupe: no article with id or path \(Diagnostic_escape(id))")
                return false
            }
        } catch let e as ExitCode {
            throw e
        } catch let e as QueryError {
            throw fail(e.message)
        } catch {
            throw fail("\(error)")
        }
        if json {
            print(
                encodeJSON(
                    Shown(
                        id: article.id, title: article.title, date: article.date, authors: article.authors,
                        link: article.link, source: article.source,
                        position: article.position, categories: article.categories, body: article.body,
                        matches: node == nil ? nil : matches.map { [$0.lowerBound, $0.upperBound] },
                        titleMatches: node == nil ? nil : titleMatches.map { [$0.lowerBound, $0.upperBound] })))
            return true
        }
        if separated { print("\n" + String(repeating: "-", count: 72) + "\n") }
        let colour = color.enabled
        func marked(_ text: String, _ marks: [Range<Int>]) -> String {
            let s = Snippet(text: text, highlights: marks)
            return colour ? s.marked(open: "\u{1B}[1;31m", close: "\u{1B}[0m") : s.marked(open: "[", close: "]")
        }
        print(article.title.isEmpty ? "(untitled)" : marked(article.title, titleMatches))
        // (A text file's id is its path: shown once.)
        var meta = article.id == article.source ? [article.id] : [article.id, article.source]
        if let by = Terminal.byline(article.authors, shown: 20) { meta.insert(by, at: 0) }
        if let d = article.date { meta.insert(d, at: 0) }
        print(meta.joined(separator: " · "))
        if let l = article.link { print(l) }
        if !article.categories.isEmpty { print("categories: " + article.categories.joined(separator: ", ")) }
        print("")
        // (A text file's body starts with the blank line after its title line: one blank line shown.)
        print(marked(article.body, matches).drop(while: \.isNewline))
        return true
    }
}

func Diagnostic_escape(_ s: String) -> String { Diagnostic.escape(s) }
