#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The single writer of an index directory. Buffers articles into a `SegmentBuilder` up to a
/// memory budget, flushes segments, and commits them atomically with a new manifest.
///
/// Holds an exclusive `flock` on `write.lock` for its lifetime: a second writer fails at once
/// with a clear message. Readers never take the lock.
public final class IndexWriter {
    public let directory: String
    public private(set) var manifest: Manifest
    public let memoryBudget: Int
    private var builder: SegmentBuilder?
    private var lockFD: Int32 = -1
    private var pendingFiles: [String: Manifest.FileRecord] = [:]
    /// Article id -> (segment name, local doc), for the documents added in this session and the
    /// segments flushed in it: a later article with the same id replaces the earlier one.
    private var liveIds: [String: (String, Int32)] = [:]
    public private(set) var duplicatesReplaced = 0

    /// Opens (creating if needed) the index in `directory`. With `reset`, starts from an empty
    /// index (the old segments are removed at commit).
    public init(directory: String, analyzer: AnalyzerKind, memoryBudget: Int = 256 << 20, reset: Bool) throws {
        self.directory = directory
        self.memoryBudget = max(memoryBudget, 1 << 20)
        try FileIO.makeDirectory(directory)
        let lockPath = directory + "/write.lock"
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw IndexError.io(lockPath, String(cString: strerror(errno))) }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            close(lockFD)
            lockFD = -1
            throw IndexError.locked(
                "another loupe is writing the index at \(directory) (\(lockPath) is held); wait for it to finish")
        }
        if !reset, let m = try? Manifest.load(directory: directory) {
            manifest = m
        } else {
            var m = Manifest(analyzer: analyzer)
            if let old = try? Manifest.load(directory: directory) {
                m.generation = old.generation
                m.nextSegment = old.nextSegment
            }
            manifest = m
        }
        manifest.analyzer = reset ? analyzer : manifest.analyzer
    }

    deinit {
        if lockFD >= 0 {
            flock(lockFD, LOCK_UN)
            close(lockFD)
        }
    }

    public var analyzer: AnalyzerKind { manifest.analyzer }

    private func currentBuilder() -> SegmentBuilder {
        if let b = builder { return b }
        let b = SegmentBuilder(analyzer: manifest.analyzer)
        builder = b
        return b
    }

    private var pendingSegmentName: String { segmentName(manifest.nextSegment) }

    /// Adds one article. An earlier article with the same id (in this writer session) is deleted.
    public func add(_ article: Article) throws {
        let b = currentBuilder()
        let seg = pendingSegmentName
        if let (s, d) = liveIds[article.id] {
            markDeleted(segment: s, doc: d)
            duplicatesReplaced += 1
        }
        liveIds[article.id] = (seg, Int32(b.documentCount))
        b.add(article)
        if b.approximateBytes >= memoryBudget { try flush() }
    }

    private var pendingDeletes: [String: [Int32]] = [:]

    private func markDeleted(segment: String, doc: Int32) {
        if let i = manifest.segments.firstIndex(where: { $0.name == segment }) {
            manifest.segments[i].deleted.append(Int(doc))
            manifest.segments[i].deleted.sort()
        } else {
            pendingDeletes[segment, default: []].append(doc)
        }
    }

    /// Records that a corpus file was read and what it produced.
    public func recordFile(_ path: String, _ record: Manifest.FileRecord) { pendingFiles[path] = record }

    /// Writes the buffered articles as a new segment (not yet committed).
    public func flush() throws {
        guard let b = builder, b.documentCount > 0 else { return }
        let name = pendingSegmentName
        var info = try b.write(to: directory, name: name)
        info.deleted = (pendingDeletes.removeValue(forKey: name) ?? []).map { Int($0) }.sorted()
        manifest.segments.append(info)
        manifest.nextSegment += 1
        builder = nil
    }

    /// Flushes and atomically publishes everything added so far; removes files of segments that
    /// are no longer referenced.
    public func commit(corpusRoot: String?) throws {
        try flush()
        if let r = corpusRoot { manifest.corpusRoot = r }
        for (k, v) in pendingFiles { manifest.files[k] = v }
        pendingFiles.removeAll()
        manifest.generation += 1
        try manifest.commit(directory: directory)
        removeUnreferencedFiles()
    }

    private func removeUnreferencedFiles() {
        let live = Set(manifest.segments.map(\.name))
        for f in FileIO.listDirectory(directory) where f.hasPrefix("seg") {
            let stem = String(f.prefix { $0 != "." })
            if !live.contains(stem) { FileIO.remove(directory + "/" + f) }
        }
    }
}

/// `seg000042`-style segment names.
func segmentName(_ n: Int) -> String {
    let digits = String(n)
    let pad = digits.count < 6 ? 6 - digits.count : 0
    return "seg" + String(repeating: "0", count: pad) + digits
}
