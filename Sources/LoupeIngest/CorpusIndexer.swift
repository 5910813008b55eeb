import Dispatch
import LoupeCore

/// What one `loupe index` run did.
public struct IndexSummary: Codable, Sendable {
    public var files = 0
    public var articles = 0
    public var bytes: Int64 = 0
    public var seconds = 0.0
    public var duplicates = 0
    public var filesWithErrors = 0
    public var warnings = 0
    public var documentsInIndex = 0
    public var segments = 0

    public init() {}
}

/// Walks a corpus, loads files in parallel (in order-preserving batches), and feeds the
/// articles to an `IndexWriter`, then commits.
public final class CorpusIndexer {
    public let root: String
    public let writer: IndexWriter
    public var onDiagnostic: (Diagnostic) -> Void = { _ in }
    public var onProgress: (IndexSummary, Int64) -> Void = { _, _ in }

    public init(root: String, writer: IndexWriter) {
        self.root = root
        self.writer = writer
    }

    final class Batch: @unchecked Sendable {
        var results: [LoadResult]
        init(_ n: Int) { results = Array(repeating: LoadResult(), count: n) }
    }

    public func run() throws -> IndexSummary {
        let clock = ContinuousClock.now
        var summary = IndexSummary()
        let indexReal = CorpusWalker.realPath(writer.directory)
        let walker = CorpusWalker(root: root, excluded: indexReal.map { [$0] } ?? [])
        let files = walker.walk { d in
            summary.warnings += d.severity == .warning ? 1 : 0
            onDiagnostic(d)
        }
        let totalBytes = files.reduce(Int64(0)) { $0 + $1.size }
        let batchSize = 64
        var start = 0
        while start < files.count {
            let chunk = Array(files[start..<min(start + batchSize, files.count)])
            let batch = Batch(chunk.count)
            DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
                let r = ArticleLoading.load(chunk[i])
                batch.results[i] = r
            }
            for (i, r) in batch.results.enumerated() {
                let f = chunk[i]
                summary.files += 1
                summary.bytes += f.size
                for d in r.diagnostics {
                    if d.severity == .warning { summary.warnings += 1 }
                    onDiagnostic(d)
                }
                if r.rejected {
                    summary.filesWithErrors += 1
                } else {
                    for a in r.articles { try writer.add(a) }
                    summary.articles += r.articles.count
                }
                writer.recordFile(
                    f.relativePath,
                    Manifest.FileRecord(size: f.size, mtime: f.mtimeNanos, articles: r.rejected ? 0 : r.articles.count))
            }
            start += batchSize
            summary.seconds = (ContinuousClock.now - clock).seconds
            onProgress(summary, totalBytes)
        }
        try writer.commit(corpusRoot: CorpusWalker.realPath(root) ?? root)
        summary.duplicates = writer.duplicatesReplaced
        summary.segments = writer.manifest.segments.count
        summary.documentsInIndex = writer.manifest.segments.reduce(0) { $0 + $1.liveDocuments }
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
