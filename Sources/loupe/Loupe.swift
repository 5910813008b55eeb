import ArgumentParser
import Foundation
import LoupeCore

@main
struct Loupe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Full-text search for article archives: index a directory, then find, rank and read.",
        discussion: """
            Quick start (from the repository root):
              loupe index Corpus            # build ./.loupe from the sample corpus
              loupe find "Green Zone"        # ranked hits with highlighted snippets
              loupe find '"prime minister" NEAR/5 iraq' --json

            The index lives in $LOUPE_INDEX if set, else ./.loupe; every command takes --index DIR.
            Exit status (like grep): 0 hits or success, 1 no hits, 2 error.
            """,
        version: "0.1.0",
        subcommands: [IndexCommand.self, FindCommand.self, ShowCommand.self, StatsCommand.self, CheckCommand.self]
    )
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

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

func openReader(_ location: IndexLocation) throws -> IndexReader {
    do {
        return try IndexReader(directory: location.path)
    } catch IndexError.missing {
        throw fail("no index at \(location.path); build one with: loupe index <corpus-dir> --index \(location.path)")
    } catch {
        throw fail("\(error)")
    }
}
