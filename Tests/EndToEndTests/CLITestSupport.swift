import Foundation
import LoupeTestSupport
import Testing

/// Runs the real `loupe` binary, built next to the test bundle.
struct Loupe {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        if let p = ProcessInfo.processInfo.environment["LOUPE_BIN"] { return URL(fileURLWithPath: p) }
        // The test executable lives in the products directory, next to `loupe`.
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("loupe")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("loupe")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil, shell: Bool = false) throws
        -> Result
    {
        let p = Process()
        // `shell`: the arguments are `/bin/sh`'s (`-c SCRIPT …`), not loupe's.
        p.executableURL = shell ? URL(fileURLWithPath: "/bin/sh") : binary
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        e["NO_COLOR"] = nil
        for (k, v) in env { e[k] = v }
        p.environment = e
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let (outData, errData) = finish(p, out, err)
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Reads both pipes of a started process to their ends (both at once, so that a large
    /// output cannot block the child), then waits for it to exit.
    static func finish(_ p: Process, _ out: Pipe, _ err: Pipe) -> (stdout: Data, stderr: Data) {
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return (outData, errData)
    }

    /// A fresh temporary directory.
    static func tempDir(_ name: String = "loupe-test") throws -> URL {
        let u = TestScratch.url(name)
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// A fresh corpus of plain-text articles (`<id>.txt`, the id as title line) and the path
    /// of its index (not built yet): (corpus, index).
    static func textCorpus(_ name: String, _ docs: [(String, String)]) throws -> (URL, String) {
        let dir = try tempDir(name)
        let c = dir.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
        for (id, text) in docs {
            try "\(id)\n\n\(text)\n".write(to: c.appendingPathComponent("\(id).txt"), atomically: true, encoding: .utf8)
        }
        return (c, dir.appendingPathComponent("idx").path)
    }

    /// A copy of the repository's `Corpus/` in a temporary directory.
    static func corpusCopy() throws -> URL {
        let dir = try tempDir("loupe-corpus")
        let dest = dir.appendingPathComponent("Corpus")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Corpus"), to: dest)
        return dest
    }

    /// Indexes a copy of `Corpus/` and returns the index path.
    static func indexedCorpus() throws -> (corpus: URL, index: String) {
        let corpus = try corpusCopy()
        let index = corpus.deletingLastPathComponent().appendingPathComponent("idx").path
        let r = try run(["index", corpus.path, "--index", index])
        #expect(r.status == 0, "index failed: \(r.stderr)")
        return (corpus, index)
    }

    static func json(_ s: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:]
    }
}

extension Loupe {
    /// A Reuters-21578 SGML file of one story (its NEWID numbers it within its directory).
    static func writeReutersStory(_ url: URL, newID: Int = 1, title: String) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
        <REUTERS TOPICS="YES" NEWID="\(newID)"><DATE>26-FEB-1987 15:01:01.79</DATE>
        <TEXT><TITLE>\(title)</TITLE><BODY>\(title.lowercased()) in the week's report.</BODY></TEXT>
        </REUTERS>
        """.write(to: url, atomically: true, encoding: .utf8)
    }

    /// An RSS 2.0 feed of one item whose guid (not a permalink) is `guid`: a global id.
    static func writeFeedItem(_ url: URL, guid: String = "1", title: String) throws {
        try """
        <rss version="2.0"><channel><title>F</title><item><guid isPermaLink="false">\(guid)</guid>
        <title>\(title)</title><description>First item.</description></item></channel></rss>
        """.write(to: url, atomically: true, encoding: .utf8)
    }
}
