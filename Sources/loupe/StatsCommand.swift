import ArgumentParser
import Foundation
import LoupeCore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what the index holds: articles, terms, segments, sizes per file kind.",
        discussion: """
            Example:
              loupe stats --index .loupe
              loupe stats --json
            """)

    @OptionGroup var location: IndexLocation

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Stats: Encodable {
        var directory: String
        var generation: Int
        var analyzer: String
        var corpusRoot: String?
        var articles: Int
        var deletedArticles: Int
        var segments: Int
        var terms: Int
        var files: Int
        var bytesByKind: [String: Int]
        var averageLength: [String: Double]
        /// Live articles with a date, the first and last day, and articles naming an author
        /// (from the date column and the author lengths: nothing stored is read).
        var datedArticles: Int
        var firstDate: String?
        var lastDate: String?
        var articlesWithAuthors: Int
        /// `loupe index --exclude` patterns kept with the index.
        var exclude: [String]
        /// `loupe index --follow-links`, kept with the index.
        var followLinks: Bool
        /// Rules of the synonyms kept with the index (`loupe index --synonyms`).
        var synonymRules: Int
    }

    func run() throws {
        let reader = try openReader(location)
        var sizes: [String: Int] = [:]
        var terms = 0
        var deleted = 0
        var dated = 0
        var withAuthors = 0
        var first = Int64.max
        var last = Int64.min
        for s in reader.segments {
            for (k, v) in s.fileSizes { sizes[k, default: 0] += v }
            terms += s.info.terms
            deleted += s.info.deleted.count
            for d in 0..<Int32(s.documentCount) where !s.isDeleted(d) {
                let t = s.dateSeconds(d)
                if t != DateColumn.undated {
                    dated += 1
                    first = min(first, t)
                    last = max(last, t)
                }
                if s.length(d, slot: IndexField.author.lengthSlot) > 0 { withAuthors += 1 }
            }
        }
        let st = Stats(
            directory: location.path, generation: reader.manifest.generation, analyzer: reader.analyzer.rawValue,
            corpusRoot: reader.manifest.corpusRoot, articles: reader.documentCount, deletedArticles: deleted,
            segments: reader.segments.count, terms: terms, files: try reader.fileCount(), bytesByKind: sizes,
            averageLength: [
                "text": Double(reader.averageLength(slot: 0)), "title": Double(reader.averageLength(slot: 1)),
            ], datedArticles: dated, firstDate: dated > 0 ? DateColumn.isoDay(first) : nil,
            lastDate: dated > 0 ? DateColumn.isoDay(last) : nil, articlesWithAuthors: withAuthors,
            exclude: reader.manifest.exclude ?? [], followLinks: reader.manifest.followLinks ?? false,
            synonymRules: reader.manifest.synonyms?.rules.count ?? 0)
        if json {
            print(encodeJSON(st))
            return
        }
        // Small files in bytes or KB (a small `.del` file showed as 0.00 MB).
        func sized(_ b: Int) -> String {
            b < 10_000
                ? "\(b) bytes"
                : b < 1_000_000
                    ? String(format: "%.1f KB", Double(b) / 1e3) : String(format: "%.2f MB", Double(b) / 1e6)
        }
        print("index         \(st.directory) (generation \(st.generation), analyzer \(st.analyzer))")
        if let r = st.corpusRoot { print("corpus        \(r) (\(counted(st.files, "file")))") }
        if !st.exclude.isEmpty { print("excluded      " + st.exclude.map(Terminal.clean).joined(separator: "  ")) }
        if st.followLinks { print("links         followed (--follow-links)") }
        if st.synonymRules > 0 {
            print("synonyms      \(counted(st.synonymRules, "rule")) (index --synonyms; find --no-synonyms)")
        }
        print(
            "articles      \(st.articles)"
                + (deleted > 0 ? " (+\(deleted) deleted: left out of scores, reclaimed by merges)" : ""))
        print(
            "dated         \(st.datedArticles)"
                + (st.firstDate.map { " (\($0) to \(st.lastDate ?? $0))" } ?? ""))
        print("with authors  \(st.articlesWithAuthors)")
        print("segments      \(st.segments)")
        print("terms         \(st.terms) (summed over segments and fields)")
        print(
            String(
                format: "avg length    %.1f words (title %.1f)", st.averageLength["text"]!, st.averageLength["title"]!))
        let labels = [
            ("dict", "dictionary"), ("post", "postings"), ("pos", "positions"), ("len", "lengths"),
            ("store", "stored fields"),
        ]
        for (k, label) in labels {
            print("\(label.padding(toLength: 14, withPad: " ", startingAt: 0))\(sized(sizes[k] ?? 0))")
        }
        if let d = sizes["del"] { print("deletions     \(sized(d)) (the deleted articles' counts, left out of scores)") }
        let inverted = (sizes["dict"] ?? 0) + (sizes["post"] ?? 0) + (sizes["pos"] ?? 0)
        print("inverted      \(sized(inverted)) (dictionary + postings + positions)")
    }
}
