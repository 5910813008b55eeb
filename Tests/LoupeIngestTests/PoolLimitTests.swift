import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// A segment builder's postings pool has 32-bit addresses (4 GB). Here the limit is set to 8 MB
/// (128 blocks): articles that fill it one after another make the workers flush after the
/// article that crossed three quarters of it, even inside a chunk; one article that would fill
/// it alone is inverted up to a margin and reported — nothing crashes, nothing else is lost.
struct PoolLimitTests {
    @Test func hugeArticlesFlushOrAreCutWithAWarning() throws {
        let root = TestScratch.url("loupe-pool")
            .path
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Distinct words take two 16-byte slices each: 60,000 of them about 2 MB.
        func words(_ from: Int, _ n: Int) -> String { (from..<(from + n)).map { "w\($0)x" }.joined(separator: " ") }
        for i in 0..<6 {
            try ("medium \(i)\n\n" + words(i * 60_000, 60_000)).write(
                toFile: corpus + "/m\(i).txt", atomically: true, encoding: .utf8)
        }
        // 400,000 distinct words: about 13 MB of slices, more than the whole pool.
        try ("huge\n\nfirstword " + words(1_000_000, 400_000) + " lastword").write(
            toFile: corpus + "/huge.txt", atomically: true, encoding: .utf8)
        let writer = try IndexWriter(directory: root + "/index", analyzer: .plain, reset: true)
        writer.builderPoolBlocks = 128
        writer.mergeFlushed = false  // the flushed segments are what is counted
        let indexer = CorpusIndexer(root: corpus, writer: writer)
        indexer.threads = 1
        var warnings: [Diagnostic] = []
        indexer.onDiagnostic = { if $0.severity == .warning { warnings.append($0) } }
        let summary = try indexer.run()
        #expect(summary.articles == 7 && summary.documentsInIndex == 7)
        #expect(warnings.count == 1 && warnings.first?.message.contains("too large to index whole") == true)
        #expect(warnings.first?.path.contains("huge") == true)
        let reader = try IndexReader(directory: root + "/index")
        #expect(reader.segments.count >= 3, "flushed at the pool's limit: \(reader.segments.count)")
        let searcher = Searcher(reader: reader)
        func hits(_ q: String) throws -> Int {
            try searcher.search(try searcher.prepare(try QueryParser().parse(q)), limit: 10).total
        }
        #expect(try hits("firstword") == 1)
        #expect(try hits("lastword") == 0)  // cut: only the beginning is searchable
        #expect(try hits("w359999x") == 1)  // the last medium article's last word
        try reader.check()
    }
}
