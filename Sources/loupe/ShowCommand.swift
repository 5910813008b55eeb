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

            Examples:
              loupe show world-0002
              loupe show 000_48ee8ce46de06e27.txt --json
            """)

    @Argument(help: "The article id, or a corpus-relative file path.")
    var id: String

    @OptionGroup var location: IndexLocation

    @Flag(help: "Print one JSON object.")
    var json = false

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
    }

    func run() throws {
        let reader = try openReader(location)
        let article: Article
        do {
            if let doc = try RelatedCommand.resolve(id, reader) {
                article = try reader.article(doc)
                try RelatedCommand.noteSeveral(id, used: article.id, reader, "this is its first")
            } else {
                printErr("loupe: no article with id or path \(Diagnostic_escape(id))")
                throw ExitCode(1)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw fail("\(error)")
        }
        if json {
            print(
                encodeJSON(
                    Shown(
                        id: article.id, title: article.title, date: article.date, authors: article.authors,
                        link: article.link, source: article.source,
                        position: article.position, categories: article.categories, body: article.body)))
            return
        }
        print(article.title.isEmpty ? "(untitled)" : article.title)
        // (A text file's id is its path: shown once.)
        var meta = article.id == article.source ? [article.id] : [article.id, article.source]
        if let by = Terminal.byline(article.authors, shown: 20) { meta.insert(by, at: 0) }
        if let d = article.date { meta.insert(d, at: 0) }
        print(meta.joined(separator: " · "))
        if let l = article.link { print(l) }
        if !article.categories.isEmpty { print("categories: " + article.categories.joined(separator: ", ")) }
        print("")
        // (A text file's body starts with the blank line after its title line: one blank line shown.)
        print(article.body.drop(while: \.isNewline))
    }
}

func Diagnostic_escape(_ s: String) -> String { Diagnostic.escape(s) }
