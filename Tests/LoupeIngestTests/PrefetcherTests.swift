import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

@Suite("reading corpus files ahead")
struct PrefetcherTests {
    /// More files than may wait at once, read on three threads: each is taken in order with
    /// what `ArticleLoading.load` gives it, and a file at the streaming threshold is left to
    /// the caller (nil).
    @Test func filesAreTakenInOrderWithTheirOwnArticles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-prefetch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<300 {
            let text = i == 150 ? String(repeating: "big words ", count: 500) : "Title \(i)\n\nbody of file \(i)\n"
            try text.write(
                to: dir.appendingPathComponent(String(format: "f%03d.txt", i)), atomically: true, encoding: .utf8)
        }
        let files = CorpusWalker(root: dir.path).walk { _ in }
        #expect(files.count == 300)
        let p = Prefetcher(files: files, streamingThreshold: 4000)
        p.start(threads: 3)
        defer { p.stop() }
        for (i, f) in files.enumerated() {
            let r = p.take(i)
            if f.size >= 4000 {
                #expect(r == nil)
            } else {
                #expect(r?.articles.map(\.title) == ["Title \(i)"], "\(f.relativePath)")
            }
        }
    }

    /// Stopping before every file was taken ends the threads (no file is read past the ones
    /// already started).
    @Test func stoppingEarlyEndsTheThreads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-prefetch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<600 {
            try "T\(i)\n\nbody\n".write(
                to: dir.appendingPathComponent(String(format: "f%03d.txt", i)), atomically: true, encoding: .utf8)
        }
        let p = Prefetcher(files: CorpusWalker(root: dir.path).walk { _ in }, streamingThreshold: 1 << 30)
        p.start(threads: 2)
        #expect(p.take(0)?.articles.first?.title == "T0")
        p.stop()
    }
}

@Suite("a reader's corpus file records")
struct ReaderFileRecordsTests {
    /// A reader opens the manifest without its file records (thousands for a corpus of one file
    /// per article) and decodes them when asked: the same records the writer stored.
    @Test func fileRecordsAreReadOnDemand() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-files-\(UUID())").path
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for i in 0..<40 {
            try "Note \(i)\n\nbody \(i)\n".write(toFile: corpus + "/n\(i).txt", atomically: true, encoding: .utf8)
        }
        let writer = try IndexWriter(directory: root + "/index", analyzer: .english, reset: true)
        _ = try CorpusIndexer(root: corpus, writer: writer).run()
        let reader = try IndexReader(directory: root + "/index")
        #expect(reader.manifest.files.isEmpty)
        let files = try reader.files()
        #expect(files == (try Manifest.load(directory: root + "/index").files))
        #expect(files.count == 40 && files["n7.txt"]?.articles == 1)
        #expect(reader.manifest.segments.count >= 1 && reader.documentCount == 40)
    }
}
