import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

@main
struct Loupe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Full-text search for article archives: index a directory, then find, rank and read.",
        discussion: """
            Quick start (from the repository root):
              loupe index Corpus            # build ./.loupe from the sample corpus
              loupe find "Green Zone"       # ranked hits with highlighted snippets
              loupe find '"prime minister" NEAR/5 iraq' --json

            The index lives in $LOUPE_INDEX if set, else ./.loupe; every command takes --index DIR.

            Exit status (like grep): 0 hits or success, 1 no hits, 2 error.
            """,
        version: "0.1.0",
        subcommands: [
            IndexCommand.self, FindCommand.self, RelatedCommand.self, ShowCommand.self, TermsCommand.self,
            StatsCommand.self, CheckCommand.self,
        ]
    )
}

extension Loupe {
    /// Query words may start with '-' (`loupe find iran -oil`): before parsing, the words of
    /// `find` and `related` go after a `--`, options (and their values) before it, so that
    /// `-oil` or `-hezbollah` is never taken for a short option.
    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        if let sub = args.first, let message = unknownCommand(sub, rest: Array(args.dropFirst())) {
            FileHandle.standardError.write(Data(("loupe: " + message + "\n").utf8))
            Foundation.exit(2)
        }
        if let sub = args.first, sub == "find" || sub == "related" {
            args = [sub] + reorder(Array(args.dropFirst()))
        }
        do {
            var command = try parseAsRoot(args)
            try command.run()
        } catch {
            // A usage error (unknown option, bad value) exits with 2, as grep's do and as the
            // help says, not with the parser's 64.
            if exitCode(for: error) == .validationFailure {
                var message = fullMessage(for: error)
                if let hint = optionHint(message, command: args.first) {
                    // After the error's line, before the usage.
                    let cut = message.firstIndex(of: "\n") ?? message.endIndex
                    message.insert(contentsOf: "\n" + hint, at: cut)
                }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// The message for a first argument that is no command (`loupe fnd iran`), naming the
    /// nearest command when one is a typo away; nil for a command, an option or `help`.
    static func unknownCommand(_ word: String, rest: [String] = []) -> String? {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        guard !word.hasPrefix("-"), word != "help", !names.contains(word) else { return nil }
        let list = names.joined(separator: ", ")
        let near = nearest(word, among: names)
        if let name = commandSynonyms[word.lowercased()]
            ?? near.flatMap({ $0.edits <= 2 && $0.edits < $0.name.count ? $0.name : nil })
        {
            return "unknown command '\(word)'; did you mean '\(name)'? (commands: \(list); see loupe --help)"
        }
        // Words alone (`loupe green zone`): most likely a search.
        let words = [word] + rest
        if words.allSatisfy({ !$0.hasPrefix("-") }) && word.contains(where: { $0.isLetter }) {
            let query = words.joined(separator: " ")
            let quoted = words.count == 1 && query.allSatisfy({ $0.isLetter || $0.isNumber }) ? query : "'\(query)'"
            return "unknown command '\(word)' (commands: \(list)); to search for it: loupe find \(quoted)"
        }
        return "unknown command '\(word)' (commands: \(list); see loupe --help)"
    }

    /// The name fewest edits from `word` (lower-cased), first of the closest; nil for none.
    static func nearest(_ word: String, among names: [String]) -> (name: String, edits: Int)? {
        let w = Array(word.lowercased())
        return names.map { ($0, EditDistance.optimalStringAlignment(w, Array($0))) }.min { $0.1 < $1.1 }
    }

    /// Other tools' and everyday names for the commands (`search`, `grep`, `mlt`, `cat`…).
    static let commandSynonyms: [String: String] = [
        "search": "find", "query": "find", "grep": "find", "lookup": "find", "similar": "related", "like": "related",
        "mlt": "related", "more-like-this": "related", "morelikethis": "related", "add": "index", "build": "index",
        "update": "index", "reindex": "index", "cat": "show", "get": "show", "view": "show", "print": "show",
        "info": "stats", "status": "stats", "stat": "stats", "verify": "check", "fsck": "check", "integrity": "check",
        "vocab": "terms", "vocabulary": "terms",
        "words": "terms", "dictionary": "terms", "delve": "terms", "term": "terms",
    ]

    /// "did you mean '--limit'?" for an unknown option (`--limt`) one or two edits from one of
    /// the command's, as its help lists them; nil for any other error.
    static func optionHint(_ message: String, command: String?) -> String? {
        // The parser names the option itself when one starts with the mistyped one.
        guard !message.contains("Did you mean"), let r = message.range(of: "Unknown option '"),
            let end = message[r.upperBound...].firstIndex(of: "'")
        else { return nil }
        let bad = String(message[r.upperBound..<end])
        guard bad.hasPrefix("--"), bad.count > 3 else { return nil }
        let sub = configuration.subcommands.first { $0.configuration.commandName == command }
        // The options as the command's help lists them (`--limit`, `--no-spelling`).
        let help = (sub ?? Loupe.self).helpMessage(columns: 10_000)
        let names = Set(
            help.split { !($0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-")) }
                .filter { $0.hasPrefix("--") && !$0.hasPrefix("---") && $0.count > 3 }.map(String.init))
        guard let (name, d) = nearest(bad, among: names.sorted()), d <= 2 else { return nil }
        return
            "Did you mean '\(name)'? (loupe \(command.map { sub == nil ? "" : $0 + " " } ?? "")--help lists the options)"
    }

    static let valueOptions: Set<String> = [
        "--index", "--limit", "-l", "--context", "--color", "--batch", "--format", "--run-tag", "--rounds", "--warmup",
        "--by", "--k1", "--b", "--title-weight", "--text", "--window", "--max-terms", "--min-df", "--title-boost",
        "--date-scale", "--copy-threshold", "--proximity-weight", "--feedback", "--feedback-weight", "--feedback-terms",
        "--first-round-terms",
        "--topic-weight", "--topic-expansion", "--title-topic-weight",
        "--exact-weight", "--sort", "--offset", "--synonyms", "--per-source", "--unlike", "--min-match", "--filter",
    ]

    static func reorder(_ args: [String]) -> [String] {
        var options: [String] = []
        var words: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" {
                words += args[(i + 1)...]
                break
            }
            if a.hasPrefix("--") || a == "-l" || a == "-h" {
                options.append(a)
                if valueOptions.contains(a) && !a.contains("=") && i + 1 < args.count {
                    options.append(args[i + 1])
                    i += 1
                }
            } else {
                words.append(a)
            }
            i += 1
        }
        return words.isEmpty ? options : options + ["--"] + words
    }
}

/// Options shared by every command that opens an index.
struct IndexLocation: ParsableArguments {
    @Option(name: .long, help: "Index directory (default: $LOUPE_INDEX, else ./.loupe).")
    var index: String?

    var path: String {
        if let i = index { return i }
        if let e = ProcessInfo.processInfo.environment["LOUPE_INDEX"], !e.isEmpty { return e }
        return ".loupe"
    }
}

/// Exits with status 2 after printing `message` to stderr.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("loupe: " + message + "\n").utf8))
    return ExitCode(2)
}

/// "1 file", "2 files": a count and its noun, plural when the count is not one.
func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
}

/// The whole of `path` (`-`: standard input), read as a stream: pipes, FIFOs and process
/// substitutions (`<(…)`, `/dev/fd/63`) too, whose size is unknown. The error says why not.
/// A synonyms file (`index --synonyms`, `find --synonyms`), parsed; its errors name the line.
func loadSynonyms(_ path: String) throws -> Synonyms {
    let data = try readInput(path)
    do {
        return try Synonyms.parse(String(decoding: data, as: UTF8.self))
    } catch let e as Synonyms.ParseError {
        throw fail("\(Diagnostic.escape(path)), \(e)")
    }
}

func readInput(_ path: String) throws -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw fail("cannot read \(Diagnostic.escape(path)): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
        throw fail("cannot read \(Diagnostic.escape(path)): it is a directory")
    }
    var out = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw fail("cannot read \(Diagnostic.escape(path)): \(String(cString: strerror(errno)))")
        }
        if n == 0 { return out }
        out.append(contentsOf: buffer[0..<n])
    }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// An index is a directory: `--index` naming an existing file is an error that says so (it used
/// to fail on `FILE/write.lock: Not a directory`, or advise building an index at the file's path).
func refuseFileAsIndex(_ path: String) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
        throw fail(
            "\(Diagnostic.escape(path)) is a file, not an index directory; give --index a directory (made if missing)")
    }
}

func openReader(_ location: IndexLocation) throws -> IndexReader {
    try refuseFileAsIndex(location.path)
    do {
        return try IndexReader(directory: location.path)
    } catch IndexError.missing {
        // `--index` naming the corpus itself (a directory of articles, not an index).
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: location.path, isDirectory: &isDir), isDir.boolValue,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: location.path),
            entries.contains(where: { !$0.hasPrefix(".") }),
            !entries.contains(where: { $0.hasPrefix("MANIFEST") || $0.hasPrefix("seg") || $0 == "write.lock" })
        {
            throw fail(
                "\(location.path) is not an index (it has no MANIFEST) but a directory of files; to index it: loupe index \(location.path) (the index goes to $LOUPE_INDEX or ./.loupe, or --index DIR)"
            )
        }
        throw fail("no index at \(location.path); build one with: loupe index <corpus-dir> --index \(location.path)")
    } catch {
        throw fail("\(error)")
    }
}

/// The ranking parameters `related` uses (its query is made of weighted words, not parsed: the
/// query-language settings of `find` do not apply to it).
struct BM25Options: ParsableArguments {
    @Option(help: "BM25 k1, term frequency saturation (default: \(RankingDefaults.k1)).")
    var k1: Float?

    @Option(help: "BM25 b, document length normalisation from 0 to 1 (default: \(RankingDefaults.b)).")
    var b: Float?

    @Option(
        name: .customLong("title-weight"),
        help:
            "Extra weight of a word's matches in titles (find: of unquoted words) (default: \(RankingDefaults.titleWeight))."
    )
    var titleWeight: Float?

    func validate() throws {
        if let k1, !(k1 >= 0 && k1 <= 100) { throw ValidationError("--k1 must be between 0 and 100") }
        if let b, !(b >= 0 && b <= 1) { throw ValidationError("--b must be between 0 and 1") }
        if let w = titleWeight, !(w >= 0 && w <= 100) {
            throw ValidationError("--title-weight must be between 0 and 100")
        }
    }

    func searcher(_ reader: IndexReader) -> Searcher {
        BM25Options.searcher(reader, k1: k1, b: b, titleWeight: titleWeight)
    }

    /// A searcher with these settings over the index's stored defaults over Loupe's.
    static func searcher(_ reader: IndexReader, k1: Float?, b: Float?, titleWeight: Float?) -> Searcher {
        let d = reader.manifest.scoring ?? Manifest.ScoringDefaults()
        let s = Searcher(
            reader: reader, bm25: BM25(k1: k1 ?? d.k1 ?? RankingDefaults.k1, b: b ?? d.b ?? RankingDefaults.b))
        s.titleWeight = titleWeight ?? d.titleWeight ?? RankingDefaults.titleWeight
        return s
    }
}

/// Ranking parameters: on `find` they apply to that search; on `index` they are stored as the
/// index's defaults. Unset ones fall back to the index's defaults, then to Loupe's.
struct RankingOptions: ParsableArguments {
    @OptionGroup var bm25: BM25Options
    var k1: Float? { bm25.k1 }
    var b: Float? { bm25.b }
    var titleWeight: Float? { bm25.titleWeight }

    @Flag(
        inversion: .prefixedNo,
        help:
            "Drop English stopwords from ranked word queries; phrases keep them (default: \(RankingDefaults.stopwords))."
    )
    var stopwords: Bool?

    @Flag(inversion: .prefixedNo, help: "Score consecutive query words that occur close together higher.")
    var proximity: Bool?

    @Option(
        help: "Weight of the proximity score relative to the words' own (default: \(RankingDefaults.proximityWeight)).")
    var proximityWeight: Float?

    @Option(
        help:
            "Extra weight of a word's exact form over its other forms (same stem) for unquoted words (default: \(RankingDefaults.exactWeight))."
    )
    var exactWeight: Float?

    @Flag(
        inversion: .prefixedNo,
        help:
            "A word written n times in a ranked query counts √n times, not n (default: \(RankingDefaults.sublinearRepeats))."
    )
    var sublinearRepeats: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Replace a ranked query word that matches no article by the indexed word one edit away that most articles hold, or by its letter and digit runs (400mg: 400 mg), with a note (default: \(RankingDefaults.spelling))."
    )
    var spelling: Bool?

    func validate() throws {
        try bm25.validate()
        if let w = exactWeight, !(w >= 0 && w <= 100) {
            throw ValidationError("--exact-weight must be between 0 and 100")
        }
    }

    var defaults: Manifest.ScoringDefaults {
        Manifest.ScoringDefaults(
            k1: k1, b: b, titleWeight: titleWeight, stopwords: stopwords, proximity: proximity,
            proximityWeight: proximityWeight, exactWeight: exactWeight, sublinearRepeats: sublinearRepeats,
            spelling: spelling)
    }

    var isEmpty: Bool {
        k1 == nil && b == nil && titleWeight == nil && stopwords == nil && proximity == nil && proximityWeight == nil
            && exactWeight == nil && sublinearRepeats == nil && spelling == nil
    }

    /// A searcher with these settings over the index's stored defaults over Loupe's.
    func searcher(_ reader: IndexReader) -> Searcher {
        let d = reader.manifest.scoring ?? Manifest.ScoringDefaults()
        let s = BM25Options.searcher(reader, k1: k1, b: b, titleWeight: titleWeight)
        s.stopwords = stopwords ?? d.stopwords ?? RankingDefaults.stopwords
        s.proximity = proximity ?? d.proximity ?? RankingDefaults.proximity
        s.proximityWeight = proximityWeight ?? d.proximityWeight ?? RankingDefaults.proximityWeight
        s.exactWeight = exactWeight ?? d.exactWeight ?? RankingDefaults.exactWeight
        s.sublinearRepeats = sublinearRepeats ?? d.sublinearRepeats ?? RankingDefaults.sublinearRepeats
        s.spelling = spelling ?? d.spelling ?? RankingDefaults.spelling
        return s
    }
}
