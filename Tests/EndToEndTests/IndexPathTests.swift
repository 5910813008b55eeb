import Foundation
import Testing

/// `--index` naming a file, not a directory: every command says so (exit 2).
@Suite("index path is a file")
struct IndexPathTests {
    @Test(arguments: [
        ["index", "CORPUS"], ["find", "harbour"], ["stats"], ["related", "x"], ["show", "x"], ["check"],
    ])
    func aFileIsNoIndex(args: [String]) throws {
        let dir = try Loupe.tempDir("loupe-index-file")
        let file = dir.appendingPathComponent("notes.txt")
        try "Harbour notes\n\nThe harbour opens.\n".write(to: file, atomically: true, encoding: .utf8)
        let corpus = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let r = try Loupe.run(args.map { $0 == "CORPUS" ? corpus.path : $0 } + ["--index", file.path])
        #expect(r.status == 2, "\(args): \(r)")
        #expect(r.stderr.contains("is a file, not an index directory"), "\(args): \(r.stderr)")
        // The file is left as it was.
        #expect(try String(contentsOf: file, encoding: .utf8) == "Harbour notes\n\nThe harbour opens.\n")
    }
}
