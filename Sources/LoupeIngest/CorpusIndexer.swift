import Dispatch
import Foundation
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
    /// Incremental runs: files left alone because their size and time did not change, and
    /// files that disappeared (their articles were deleted).
    public var unchangedFiles = 0
    public var removedFiles = 0
    public var documentsInIndex = 0
    public var segments = 0
    public var threads = 0

    public init() {}
}

/// Walks a corpus and indexes it with every core: each worker thread loads its files and
/// analyses their articles into its own `SegmentBuilder`, flushing a segment when its share of
/// the memory budget is used. Files go to workers in fixed batches (batch k to worker k mod n),
/// so the segments — and document numbers — do not depend on thread timing.
///
/// With an existing index of the same corpus, only new or changed files (size or modification
/// time) are read; the articles of changed and removed files are deleted.
public final class CorpusIndexer: @unchecked Sendable {
    public let root: String
    public let writer: IndexWriter
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Files per batch: at most this, fewer for small corpora so that every thread gets work.
    public var maxBatchSize = 32
    public var onDiagnostic: (Diagnostic) -> Void = { _ in }
    public var onProgress: (IndexSummary, Int64) -> Void = { _, _ in }
    private let lock = NSLock()

    public init(root: String, writer: IndexWriter) {
        self.root = root
        self.writer = writer
    }

    public func run(optimize: Bool = false) throws -> IndexSummary {
        let clock = ContinuousClock.now
        var summary = IndexSummary()
        let indexReal = CorpusWalker.realPath(writer.directory)
        let walker = CorpusWalker(root: root, excluded: indexReal.map { [$0] } ?? [])
        var found = walker.walk { d in
            summary.warnings += d.severity == .warning ? 1 : 0
            onDiagnostic(d)
        }
        if writer.isIncremental {
            let walked = Set(found.map(\.relativePath))
            for path in writer.knownFiles where !walked.contains(path) {
                writer.deleteFile(path)
                summary.removedFiles += 1
            }
            found = found.filter { f in
                guard let rec = writer.fileRecord(f.relativePath) else { return true }
                if rec.size == f.size && rec.mtime == f.mtimeNanos {
                    summary.unchangedFiles += 1
                    return false
                }
                writer.deleteFile(f.relativePath)
                return true
            }
        }
        let files = found
        let batchSize = max(1, min(maxBatchSize, files.count / max(1, threads * 8)))
        let totalBytes = files.reduce(Int64(0)) { $0 + $1.size }
        let batches = (files.count + batchSize - 1) / batchSize
        let workers = max(1, min(threads, batches))
        summary.threads = workers
        let perWorkerBudget = writer.memoryBudget / workers
        nonisolated(unsafe) var shared = summary
        nonisolated(unsafe) var failure: Error?
        let run = writer.run
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var builder = writer.makeBuilder()
            var batch = w
            outer: while batch < batches {
                for seq in (batch * batchSize)..<min((batch + 1) * batchSize, files.count) {
                    if lock.withLock({ failure != nil }) { break outer }
                    let f = files[seq]
                    let r = ArticleLoading.load(f)
                    let first = builder.documentCount
                    if !r.rejected {
                        for (i, a) in r.articles.enumerated() {
                            builder.add(a, order: ArticleOrder(run: run, file: seq, position: i))
                        }
                    }
                    builder.recordFile(f.relativePath, size: f.size, mtime: f.mtimeNanos, firstDoc: first)
                    lock.withLock {
                        shared.files += 1
                        shared.bytes += f.size
                        for d in r.diagnostics {
                            if d.severity == .warning { shared.warnings += 1 }
                            onDiagnostic(d)
                        }
                        if r.rejected { shared.filesWithErrors += 1 } else { shared.articles += r.articles.count }
                        shared.seconds = (ContinuousClock.now - clock).seconds
                        onProgress(shared, totalBytes)
                    }
                    if builder.approximateBytes >= perWorkerBudget {
                        do {
                            try writer.flush(builder)
                        } catch {
                            lock.withLock { if failure == nil { failure = error } }
                            break outer
                        }
                        builder = writer.makeBuilder()
                    }
                }
                batch += workers
            }
            do {
                try writer.flush(builder)
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
        if let failure { throw failure }
        summary = shared
        try writer.commit(corpusRoot: CorpusWalker.realPath(root) ?? root, optimize: optimize)
        let m = writer.currentManifest
        summary.duplicates = writer.duplicatesReplaced
        summary.segments = m.segments.count
        summary.documentsInIndex = m.segments.reduce(0) { $0 + $1.liveDocuments }
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
