import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeIngest

@Suite("corpus walker --exclude patterns")
struct CorpusWalkerTests {
    func excluded(_ path: String, directory: Bool = false, _ patterns: [String]) -> Bool {
        let p = Array(path.utf8)
        let name = Array(path.split(separator: "/").last.map(String.init)?.utf8 ?? path.utf8)
        return CorpusWalker.isExcluded(name: name, path: p, directory: directory, patterns: patterns)
    }

    /// Without a slash a pattern matches a name at any depth; with one, the path from the root
    /// (a leading slash optional), `*` never crossing a slash; a trailing slash, directories only.
    @Test func patternSemantics() {
        #expect(excluded("a.log", ["*.log"]))
        #expect(excluded("deep/er/a.log", ["*.log"]))
        #expect(!excluded("a.log.txt", ["*.log"]))
        #expect(excluded("x/node_modules", directory: true, ["node_modules"]))
        #expect(excluded("feeds/old.rdf", ["feeds/*.rdf"]))
        #expect(excluded("feeds/old.rdf", ["/feeds/*.rdf"]))
        #expect(!excluded("feeds/sub/old.rdf", ["feeds/*.rdf"]))
        #expect(!excluded("other/feeds/old.rdf", ["feeds/*.rdf"]))
        #expect(excluded("mail", directory: true, ["mail/"]))
        #expect(!excluded("mail", directory: false, ["mail/"]))
        #expect(excluded("d2007-03.sgm", ["d200[0-9]-??.sgm"]))
        #expect(!excluded("a.txt", ["", "*.log"]))
    }
}

/// Another loupe index inside the corpus is skipped whole (its MANIFEST is no article, its
/// segments no text); a directory with only a file named MANIFEST is walked as any other.
@Suite("corpus walker: indexes inside the corpus")
struct NestedIndexTests {
    @Test func anotherIndexIsSkipped() throws {
        let fm = FileManager.default
        let root = TestScratch.url("loupe-nested-index")
        for d in ["old-index", "notes"] {
            try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        for (path, text) in [
            ("old-index/MANIFEST", "{\"format\": 7}"), ("old-index/seg000001.dict", "x"), ("a.txt", "A\n\nalpha"),
            ("notes/MANIFEST", "Manifest\n\na shipping manifest"),
        ] {
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        var notes: [String] = []
        let files = CorpusWalker(root: root.path).walk { notes.append($0.description) }.map(\.relativePath)
        #expect(files == ["a.txt", "notes/MANIFEST"])
        #expect(notes.contains { $0.contains("old-index: note: a loupe index; skipped") }, "\(notes)")
    }
}

/// Editors' backup and autosave files (`notes.txt~`, `#notes.txt#`) are older copies of a file
/// beside them: counted and left out; a `~` inside a name is an ordinary name.
@Suite("corpus walker: editor backups")
struct EditorBackupTests {
    @Test func backupsAreCountedAndLeftOut() throws {
        let root = TestScratch.url("loupe-backups")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for name in ["notes.txt", "notes.txt~", "#notes.txt#", "a~b.txt", "#tag.txt"] {
            try "T\n\ntext".write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var counts = CorpusWalker.WalkCounts()
        let files = CorpusWalker(root: root.path).walk(counts: &counts) { _ in }.map(\.relativePath)
        #expect(files == ["#tag.txt", "a~b.txt", "notes.txt"])
        #expect(counts.backups == 2 && counts.assets == 0)
    }
}
