import Dispatch
import Foundation
import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

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
    /// Unchanged files read again for newer readers (`ArticleLoading.readAgain`: they gave no
    /// article to older ones, or are of a format read now).
    public var rereadFiles = 0
    /// Incremental runs: files that had only grown, read from where the last run stopped (JSON
    /// Lines, mbox and CSV files; see `ArticleLoading.loadAppended`).
    public var appendedFiles = 0
    /// Incremental runs: articles whose winning copy this run deleted (its file removed or
    /// changed) and which a copy in an unchanged file, shadowed until then, brought back.
    public var restoredArticles = 0
    /// Web assets and media (stylesheets, scripts, fonts, images, audio, video) left out by
    /// their extension.
    public var skippedAssets = 0
    /// Editors' backup and autosave files (`notes.txt~`, `#notes.txt#`).
    public var skippedBackups = 0
    /// Symbolic links to directories not followed (`--follow-links` follows them).
    public var unfollowedLinks = 0
    /// Files and directories left out by `--exclude` patterns.
    public var excludedPaths = 0
    public var documentsInIndex = 0
    public var segments = 0
    public var threads = 0

    public init() {}
}

/// Walks a corpus and indexes it with every core.
///
/// The calling thread walks and loads files in order and cuts their articles into chunks;
/// worker threads (one per core) analyse chunks into their own `SegmentBuilder`s, flushing a
/// segment when their share of the memory budget is used. Chunk k goes to worker k mod n and
/// queues are bounded, so a single huge file is spread over every core, memory stays bounded,
/// and segments — hence document numbers — do not depend on thread timing.
///
/// With an existing index of the same corpus, only new or changed files (size or modification
/// time) are read; the articles of changed and removed files are deleted.
public final class CorpusIndexer: @unchecked Sendable {
    public let root: String
    public let writer: IndexWriter
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Articles per chunk handed to a worker.
    public var chunkSize = 64
    /// Feeds at least this large are streamed (see `ArticleLoading.stream`).
    public var streamingThreshold = ArticleLoading.streamingThreshold
    public var onDiagnostic: (Diagnostic) -> Void = { _ in }
    public var onProgress: (IndexSummary, Int64) -> Void = { _, _ in }

    public init(root: String, writer: IndexWriter) {
        self.root = root
        self.writer = writer
    }

    struct Chunk {
        var path: String
        var file: Int
        var firstPosition: Int
        var articles: ArraySlice<Article>
    }

    /// A single-consumer queue bounded by the text bytes it holds (and at least `minChunks`
    /// chunks): while one worker writes a segment, the others keep receiving work — their
    /// chunks wait in the writing worker's queue instead of stopping the reader.
    final class ChunkQueue: @unchecked Sendable {
        private var items: [(chunk: Chunk, size: Int)] = []  // size: counted once, at push
        private var head = 0
        private var closed = false
        private var bytes = 0
        private let cond = NSCondition()
        let capacityBytes: Int
        let minChunks: Int

        init(capacityBytes: Int, minChunks: Int = 4) {
            self.capacityBytes = capacityBytes
            self.minChunks = minChunks
        }

        static func size(_ c: Chunk) -> Int {
            c.articles.reduce(0) { $0 + $1.title.utf8.count + $1.body.utf8.count + 64 }
        }

        func push(_ c: Chunk) {
            let size = ChunkQueue.size(c)
            cond.lock()
            while items.count - head >= minChunks && bytes + size > capacityBytes && !closed { cond.wait() }
            items.append((c, size))
            bytes += size
            cond.broadcast()
            cond.unlock()
        }

        func pop() -> Chunk? {
            cond.lock()
            defer { cond.unlock() }
            while head == items.count && !closed { cond.wait() }
            if head == items.count { return nil }
            let (c, size) = items[head]
            items[head].chunk.articles = []
            head += 1
            bytes -= size
            if head > 64 {
                items.removeFirst(head)
                head = 0
            }
            cond.broadcast()
            return c
        }

        func close() {
            cond.lock()
            closed = true
            cond.broadcast()
            cond.unlock()
        }
    }

    final class Worker: @unchecked Sendable {
        let queue: ChunkQueue
        var failure: Error?
        /// Ids of articles whose inverting stopped early (see `SegmentBuilder.truncatedDocuments`).
        var truncated: [String] = []
        let done = DispatchSemaphore(value: 0)
        /// The writer, until the worker is done with it: a thread's closure outlives its last
        /// statement, and a reference held there would keep the index locked (the writer's
        /// lock is released when it goes) after `run` returned.
        var writer: IndexWriter?
        init(capacityBytes: Int, writer: IndexWriter) {
            queue = ChunkQueue(capacityBytes: capacityBytes)
            self.writer = writer
        }
    }

    /// A worker thread's loop: inverts the chunks of its queue into its own segments, flushed
    /// at its share of the memory budget.
    private static func work(_ w: Worker, budget: Int, run: Int) {
        guard let writer = w.writer else { return }
        var builder = writer.makeBuilder()
        func flush() {
            w.truncated += builder.truncatedDocuments
            do {
                try writer.flush(builder)
            } catch {
                w.failure = error
            }
            builder = writer.makeBuilder()
        }
        while let chunk = w.queue.pop() {
            if w.failure != nil { continue }  // drain
            var first = builder.documentCount
            var pos = chunk.firstPosition
            var firstPosition = pos
            for a in chunk.articles {
                builder.add(a, order: ArticleOrder(run: run, file: chunk.file, position: pos))
                pos += 1
                // Huge articles: the postings pool's limit is checked after each one.
                if builder.mustFlush {
                    builder.recordFilePart(chunk.path, firstDoc: first, firstPosition: firstPosition)
                    flush()
                    first = 0
                    firstPosition = pos
                }
            }
            builder.recordFilePart(chunk.path, firstDoc: first, firstPosition: firstPosition)
            if builder.approximateBytes >= budget { flush() }
        }
        if w.failure == nil { flush() }
    }

    /// Reads `candidates` again (unchanged files) and adds, of each identity in `wanted`, the
    /// copy a fresh build would keep (the last in walk order), ordered after this run's files;
    /// returns how many identities came back.
    private func restore(_ wanted: Set<String>, from candidates: [CorpusFile], run: Int, firstFile: Int) throws -> Int {
        // Of each identity, the last copy: (file, position in it, article).
        var chosen: [String: (file: Int, position: Int, article: Article)] = [:]
        // Read ahead on every core, as the main pass reads (in a feed archive most files hold
        // a shadowed copy of something).
        let prefetch = Prefetcher(files: candidates, streamingThreshold: Int64(streamingThreshold))
        prefetch.start(threads: max(1, threads))
        defer { prefetch.stop() }
        for (k, f) in candidates.enumerated() {
            var position = 0
            func take(_ a: Article) {
                if wanted.contains(a.identity) { chosen[a.identity] = (k, position, a) }
                position += 1
            }
            var retry = false
            if let r = prefetch.take(k) {
                if !r.rejected { for a in r.articles { take(a) } }
            } else if ArticleLoading.stream(f, threshold: streamingThreshold, retryLater: &retry, emit: take) == nil {
                let r = ArticleLoading.load(f)
                if !r.rejected { for a in r.articles { take(a) } }
            }
        }
        // Added file by file, in file order: each file's restored articles are one part of it.
        var builder = writer.makeBuilder()
        var k = -1
        var first = 0
        var firstPosition = 0
        for c in chosen.values.sorted(by: { ($0.file, $0.position) < ($1.file, $1.position) }) {
            if c.file != k || builder.mustFlush {
                if k >= 0 {
                    builder.recordFilePart(candidates[k].relativePath, firstDoc: first, firstPosition: firstPosition)
                }
                if builder.mustFlush {
                    try writer.flush(builder)
                    builder = writer.makeBuilder()
                }
                k = c.file
                first = builder.documentCount
                firstPosition = c.position
            }
            builder.add(c.article, order: ArticleOrder(run: run, file: firstFile + c.file, position: c.position))
        }
        if k >= 0 { builder.recordFilePart(candidates[k].relativePath, firstDoc: first, firstPosition: firstPosition) }
        try writer.flush(builder)
        return chosen.count
    }

    public func run(optimize: Bool = false) throws -> IndexSummary {
        let clock = ContinuousClock.now
        var summary = IndexSummary()
        let indexReal = CorpusWalker.realPath(writer.directory)
        let walker = CorpusWalker(
            root: root, excluded: indexReal.map { [$0] } ?? [], patterns: writer.exclude,
            followLinks: writer.followLinks)
        var counts = CorpusWalker.WalkCounts()
        var files = walker.walk(counts: &counts) { d in
            summary.warnings += d.severity == .warning ? 1 : 0
            onDiagnostic(d)
        }
        summary.skippedAssets = counts.assets
        summary.skippedBackups = counts.backups
        summary.excludedPaths = counts.excluded
        summary.unfollowedLinks = counts.linkedDirectories
        // Unchanged files, in walk order: they may hold copies of articles this run deletes.
        var kept: [CorpusFile] = []
        // Files that may only have grown (by index in `files`): read from their resume point;
        // their articles stay until that turns out not to be so. They are also restore
        // candidates, for the articles they had.
        var grown: [Int: Manifest.Resume] = [:]
        if writer.isIncremental {
            let walked = Set(files.map(\.relativePath))
            for path in writer.knownFiles where !walked.contains(path) {
                writer.deleteFile(path)
                summary.removedFiles += 1
            }
            let readers = writer.loaders
            var read: [CorpusFile] = []
            for f in files {
                guard let rec = writer.fileRecord(f.relativePath) else {
                    read.append(f)
                    continue
                }
                let again = ArticleLoading.readAgain(f.relativePath, articles: rec.articles, since: readers)
                if rec.size == f.size && rec.mtime == f.mtimeNanos {
                    if !again {
                        summary.unchangedFiles += 1
                        kept.append(f)
                        continue
                    }
                    summary.rereadFiles += 1
                }
                if let from = rec.resume, f.size >= from.size, !again {
                    grown[read.count] = from
                    kept.append(f)
                } else {
                    writer.deleteFile(f.relativePath)
                }
                read.append(f)
            }
            files = read
        }
        let totalBytes = files.indices.reduce(Int64(0)) { $0 + files[$1].size - (grown[$1]?.size ?? 0) }
        let n = max(1, threads)
        summary.threads = n
        let budget = writer.memoryBudget / n
        let run = writer.run
        let idx = self.writer
        // Each queue may hold an eighth of its worker's budget of text (the chunks read while
        // that worker writes a segment).
        let workers = (0..<n).map { _ in Worker(capacityBytes: max(1 << 20, budget / 8), writer: idx) }
        for w in workers {
            Thread {
                Self.work(w, budget: budget, run: run)
                w.writer = nil
                w.done.signal()
            }.start()
        }
        // Files are read and parsed ahead on `n` threads (a corpus of one small file per
        // article is mostly parsing), and taken here in order, so chunks and segments are the
        // same as read one by one.
        let prefetch = Prefetcher(files: files, streamingThreshold: Int64(streamingThreshold), grown: grown)
        prefetch.start(threads: n)
        defer { prefetch.stop() }
        var next = 0
        for (seq, f) in files.enumerated() {
            if workers.contains(where: { $0.failure != nil }) { break }
            let loaded = prefetch.take(seq)
            // A grown file: what follows its resume point (`from`), its articles numbered after
            // the `before` it had; else (it did not only grow) a changed file, read whole.
            var from = grown[seq]
            if from != nil, let r = loaded, !r.appended {
                writer.deleteFile(f.relativePath)
                from = nil
            }
            let before = from.map { _ in writer.fileRecord(f.relativePath)?.articles ?? 0 } ?? 0
            // The bytes to read: what follows the resume point, or the whole file.
            func newBytes() -> Int64 { f.size - (from?.size ?? 0) }
            // Large feeds stream through in chunks; a fatal error later in the file discards
            // what was already handed out (nothing from a rejected file stays in the index).
            var pending: [Article] = []
            var streamed = 0
            var retryStreamed = false
            var resume: Manifest.Resume?
            // A damaged member of a streamed ZIP archive: its articles already out are left out.
            var retracted: [Range<Int>] = []
            // A file read from its resume point that had not grown (only its time changed, its
            // bytes the same) is an unchanged one.
            func count() {
                let bytes = newBytes()
                if from != nil && bytes == 0 {
                    summary.unchangedFiles += 1
                    return
                }
                summary.files += 1
                summary.bytes += bytes
                if from != nil { summary.appendedFiles += 1 }
            }
            func progress(_ at: Int64) {
                // A large file's progress, as it is read.
                var live = summary
                live.bytes += min(max(0, at - (from?.size ?? 0)), newBytes())
                live.articles += streamed + pending.count
                live.seconds = (ContinuousClock.now - clock).seconds
                onProgress(live, totalBytes)
            }
            func take(_ a: Article) {
                pending.append(a)
                if pending.count == chunkSize {
                    workers[next % n].queue.push(
                        Chunk(path: f.relativePath, file: seq, firstPosition: before + streamed, articles: pending[...])
                    )
                    next += 1
                    streamed += pending.count
                    pending.removeAll(keepingCapacity: true)
                }
            }
            var streamedDiagnostics: [Diagnostic]?
            if loaded == nil, let start = from {
                streamedDiagnostics = ArticleLoading.streamAppended(
                    f, from: start, retryLater: &retryStreamed, resume: &resume, progress: progress, emit: take)
                if streamedDiagnostics == nil {
                    writer.deleteFile(f.relativePath)
                    from = nil
                }
            }
            if loaded == nil && from == nil {
                streamedDiagnostics = ArticleLoading.stream(
                    f, threshold: streamingThreshold, retryLater: &retryStreamed, resume: &resume,
                    progress: progress, retract: { retracted.append($0) }, emit: take)
            }
            if let diags = streamedDiagnostics {
                // An error of the file rejects it; one of a member of a streamed archive
                // (`archive.tar.gz/member`) is that member's, and any articles it gave before
                // the error are `retracted`.
                let rejected = diags.contains { $0.severity == .error && $0.path == f.relativePath }
                summary.filesWithErrors += diags.count { $0.severity == .error && $0.path != f.relativePath }
                if !rejected && !pending.isEmpty {
                    workers[next % n].queue.push(
                        Chunk(path: f.relativePath, file: seq, firstPosition: before + streamed, articles: pending[...])
                    )
                    next += 1
                }
                streamed += pending.count
                count()
                for d in Diagnostic.inLineOrder(diags) {
                    if d.severity == .warning { summary.warnings += 1 }
                    onDiagnostic(d)
                }
                if rejected {
                    summary.filesWithErrors += 1
                    // As a whole reading would: nothing of the file stays.
                    if from != nil { writer.deleteFile(f.relativePath) }
                    writer.discardFile(f.relativePath)
                } else {
                    for r in retracted { writer.discardArticles(f.relativePath, positions: r) }
                    streamed -= retracted.reduce(0) { $0 + $1.count }
                    summary.articles += streamed
                }
                writer.recordFile(
                    f.relativePath, size: retryStreamed ? -1 : f.size, mtime: f.mtimeNanos,
                    articles: rejected ? 0 : before + streamed, resume: rejected ? nil : resume,
                    appended: from != nil && !rejected)
                summary.seconds = (ContinuousClock.now - clock).seconds
                onProgress(summary, totalBytes)
                continue
            }
            let r = loaded ?? ArticleLoading.load(f)
            count()
            for d in Diagnostic.inLineOrder(r.diagnostics) {
                if d.severity == .warning { summary.warnings += 1 }
                onDiagnostic(d)
            }
            let articles = r.rejected ? [] : r.articles
            if r.rejected {
                summary.filesWithErrors += 1
                if from != nil { writer.deleteFile(f.relativePath) }
            } else {
                summary.articles += articles.count
            }
            summary.filesWithErrors += r.rejectedMembers
            // A file to read again next time is recorded with an impossible size: it then counts
            // as changed (its articles, if any, are replaced).
            writer.recordFile(
                f.relativePath, size: r.retryLater ? -1 : f.size, mtime: f.mtimeNanos,
                articles: r.rejected ? 0 : before + articles.count, resume: r.resume,
                appended: from != nil && !r.rejected)
            var start = 0
            while start < articles.count {
                let end = min(start + chunkSize, articles.count)
                workers[next % n].queue.push(
                    Chunk(
                        path: f.relativePath, file: seq, firstPosition: before + start,
                        articles: articles[start..<end]))
                next += 1
                start = end
            }
            summary.seconds = (ContinuousClock.now - clock).seconds
            onProgress(summary, totalBytes)
        }
        for w in workers { w.queue.close() }
        for w in workers { w.done.wait() }
        if let failure = workers.compactMap(\.failure).first { throw failure }
        for id in workers.flatMap(\.truncated) {
            summary.warnings += 1
            onDiagnostic(
                Diagnostic(
                    path: id,
                    message:
                        "article too large to index whole (its words alone would fill a segment); only its beginning is searchable",
                    severity: .warning))
        }
        // Files rejected and articles retracted go now (their copies elsewhere come back), so
        // that what follows sees what the commit will hold.
        writer.applyDiscards()
        // An article whose winning copy this run deleted, and that no file read in this run
        // gives again, comes back from the unchanged files holding a copy of it (shadowed until
        // now): a fresh build would have it.
        if writer.deletedLiveArticles && !kept.isEmpty {
            let shadowing = writer.filesWithShadowedArticles()
            let candidates = kept.filter { shadowing.contains($0.relativePath) }
            if !candidates.isEmpty {
                let wanted = try writer.restorableIdentities()
                if !wanted.isEmpty {
                    summary.restoredArticles = try restore(wanted, from: candidates, run: run, firstFile: files.count)
                }
            }
        }
        // The builders are gone: hand their memory back before merging (glibc keeps freed
        // memory in per-thread arenas otherwise, and the merge would add to it).
        Memory.releaseFreed()
        writer.setLoaders(ArticleLoading.version)
        try writer.commit(corpusRoot: CorpusWalker.realPath(root) ?? root, optimize: optimize)
        let m = writer.currentManifest
        summary.duplicates = writer.duplicatesReplaced
        summary.segments = m.segments.count
        summary.documentsInIndex = m.segments.reduce(0) { $0 + $1.liveDocuments }
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }
}

/// Loads corpus files ahead of the indexer on threads of their own: file i's result waits in
/// slot i until `take(i)`. At most `maxAheadFiles` files and `maxAheadBytes` of them (by size on
/// disk; one file beyond that when none waits) are read ahead. Files of `streamingThreshold`
/// bytes or more are left to the caller (nil), which streams them.
final class Prefetcher: @unchecked Sendable {
    let files: [CorpusFile]
    let streamingThreshold: Int64
    /// Files that may only have grown since they were read to this point: what follows it is
    /// read (`ArticleLoading.loadAppended`), or the whole file when it did not only grow.
    let grown: [Int: Manifest.Resume]
    let maxAheadFiles = 256
    let maxAheadBytes: Int64 = 64 << 20
    private var slots: [LoadResult?]
    private var ready: [Bool]
    private var nextToLoad = 0
    private var consumed = 0
    private var aheadBytes: Int64 = 0
    private var stopped = false
    private let cond = NSCondition()
    private var threads: [Thread] = []
    private let done = DispatchGroup()

    init(files: [CorpusFile], streamingThreshold: Int64, grown: [Int: Manifest.Resume] = [:]) {
        self.files = files
        self.streamingThreshold = streamingThreshold
        self.grown = grown
        slots = Array(repeating: nil, count: files.count)
        ready = Array(repeating: false, count: files.count)
    }

    func start(threads k: Int) {
        guard !files.isEmpty else { return }
        // libxml2's global set-up, once, before any thread parses.
        XMLStreamReader.prepare()
        HTMLLoader.prepare()
        for _ in 0..<max(1, k) {
            done.enter()
            let t = Thread { [self] in
                loop()
                done.leave()
            }
            t.start()
        }
    }

    private func loop() {
        while true {
            cond.lock()
            while !stopped && nextToLoad < files.count
                && (nextToLoad - consumed >= maxAheadFiles || (aheadBytes >= maxAheadBytes && nextToLoad > consumed))
            {
                cond.wait()
            }
            if stopped || nextToLoad >= files.count {
                cond.unlock()
                return
            }
            let i = nextToLoad
            nextToLoad += 1
            let f = files[i]
            let read = bytesToRead(i)
            let big = read >= streamingThreshold
            if !big { aheadBytes += read }
            cond.unlock()
            var r: LoadResult?
            if big {
                r = nil
            } else if let from = grown[i] {
                r = ArticleLoading.loadAppended(f, from: from)
                if r == nil && f.size < streamingThreshold { r = ArticleLoading.load(f) }
            } else {
                r = ArticleLoading.load(f)
            }
            cond.lock()
            slots[i] = r
            ready[i] = true
            cond.broadcast()
            cond.unlock()
        }
    }

    /// The bytes file i is expected to give: what follows its resume point if it may only
    /// have grown.
    private func bytesToRead(_ i: Int) -> Int64 { files[i].size - (grown[i]?.size ?? 0) }

    /// File i's result (nil: a file to stream), once loaded; each i once, in order.
    func take(_ i: Int) -> LoadResult? {
        cond.lock()
        defer { cond.unlock() }
        while !ready[i] { cond.wait() }
        let r = slots[i]
        slots[i] = nil
        consumed = i + 1
        let read = bytesToRead(i)
        if read < streamingThreshold { aheadBytes -= read }
        cond.broadcast()
        return r
    }

    /// Stops the loaders (after the file each is reading) and waits for them.
    func stop() {
        cond.lock()
        stopped = true
        cond.broadcast()
        cond.unlock()
        done.wait()
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
