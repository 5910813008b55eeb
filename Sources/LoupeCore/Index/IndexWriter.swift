import CLoupeSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The single writer of an index directory.
///
/// Indexing threads each fill their own `SegmentBuilder` and hand it to `flush(_:)`, which
/// writes the segment files without holding any lock and then registers the segment. Articles
/// with the same id are resolved at registration: the later one (`ArticleOrder`) stays, the
/// other is marked deleted, whichever segment it is in (this session's or a committed one).
/// `commit` merges segments by a tiered policy and publishes a new manifest atomically.
///
/// Holds an exclusive `flock` on `write.lock` for its lifetime: a second writer fails at once
/// with a clear message. Readers never take the lock.
public final class IndexWriter: @unchecked Sendable {
    public let directory: String
    public let memoryBudget: Int
    /// Segments beyond this count are merged at commit (the smallest first).
    public var maxSegments = 8
    /// Most segments merged in one step.
    public static let mergeFanIn = 10
    /// The segments a run flushed are merged into one at its commit (a run of en-all flushes 8:
    /// searched as 8, a word took 3.5 times as long as in one, `related` 1.6 times). Off: they
    /// stay as flushed, merged only by the tiered policy.
    public var mergeFlushed = true
    /// Segments flushed since the last commit.
    private var flushedNames: Set<String> = []
    private var flushedSegments: [SegmentInfo] { manifest.segments.filter { flushedNames.contains($0.name) } }
    private var manifest: Manifest
    /// The file records of the last commit (a commit that changes none keeps its list file).
    private var committedFiles: [String: Manifest.FileRecord] = [:]
    private let lock = NSLock()
    private var lockFD: Int32 = -1
    /// The committed snapshot this writer started from (nil when rebuilding).
    private let base: IndexReader?
    private var live: [String: (segment: String, doc: Int32, order: ArticleOrder)] = [:]
    private var deletions: [String: Set<Int>] = [:]
    /// Of `deletions`, those not made by duplicate resolution: committed before this session,
    /// or of files removed, changed or discarded, or articles retracted.
    private var explicit: [String: Set<Int>] = [:]
    /// Per identity, the copies this session deleted as duplicates (order nil: committed
    /// before it): if the copy that won goes (its file discarded), the best of them comes back.
    private var losers: [String: [(segment: String, doc: Int32, order: ArticleOrder?)]] = [:]
    /// Files read in this session: their metadata, and the parts registered by flushes.
    private var fileMeta: [String: FileMeta] = [:]
    struct FileMeta {
        var size: Int64
        var mtime: Int64
        var articles: Int
        var resume: Manifest.Resume?
        /// Read from where its record's `resume` left it: the parts read join the record's.
        var appended: Bool
    }
    private var fileParts: [String: [Manifest.Part]] = [:]
    /// The position in its file of each part's first article, beside `fileParts`.
    private var filePartPositions: [String: [Int]] = [:]
    private var discarded = Set<String>()
    /// Articles of a file added in this session and then found void, by position in the file.
    private var retracted: [String: [Range<Int>]] = [:]
    private var defaultBuilder: SegmentBuilder?
    private var builderCount = 0
    public private(set) var duplicatesReplaced = 0
    /// The order key of this writer session's articles: later sessions win duplicates.
    public let run: Int

    /// Opens (creating if needed) the index in `directory`. With `reset`, starts from an empty
    /// index (the old segments stay until the new commit replaces them).
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
        let hasManifest = FileIO.exists(directory + "/" + Manifest.fileName)
        let old: Manifest?
        if reset {
            // A rebuild needs only the old numbering and settings, not the file records: an index
            // whose file list is in another format or damaged, or whose MANIFEST cannot be read
            // at all, is made again instead of refused.
            old = hasManifest ? try? Manifest.load(directory: directory, files: false).0 : nil
        } else {
            old = hasManifest ? try Manifest.load(directory: directory) : nil
        }
        if let old, !reset, old.analyzer == analyzer {
            manifest = old
            committedFiles = old.files
            base = try IndexReader(directory: directory)
            for s in old.segments where !s.deleted.isEmpty { deletions[s.name] = Set(s.deleted) }
            explicit = deletions
        } else {
            var m = Manifest(analyzer: analyzer)
            // Without a readable MANIFEST, numbers past every segment and list left in the
            // directory: a new file never takes the name of an old one.
            let left = old == nil ? IndexWriter.highestNumbers(in: directory) : (segment: 0, generation: 0)
            m.generation = old?.generation ?? left.generation
            m.nextSegment = old?.nextSegment ?? (left.segment + 1)
            m.scoring = old?.scoring
            m.exclude = old?.exclude
            m.synonyms = old?.synonyms
            m.followLinks = old?.followLinks
            manifest = m
            base = nil
        }
        run = manifest.generation + 1
    }

    deinit {
        if lockFD >= 0 {
            flock(lockFD, LOCK_UN)
            close(lockFD)
        }
    }

    public var analyzer: AnalyzerKind { manifest.analyzer }

    /// A snapshot of the manifest as it stands (not yet committed changes included).
    public var currentManifest: Manifest {
        lock.lock()
        defer { lock.unlock() }
        return manifest
    }

    /// True when this writer continues an existing index (incremental update).
    public var isIncremental: Bool { base != nil }

    /// A builder for one indexing thread, with its share of the memory budget.
    public func makeBuilder() -> SegmentBuilder {
        SegmentBuilder(analyzer: manifest.analyzer, poolBlocks: builderPoolBlocks)
    }

    /// The postings pool limit of new builders, in 64 KB blocks (tests set a small one).
    public var builderPoolBlocks = 1 << 16

    /// Single-threaded convenience: adds to an internal builder, flushing at the budget.
    public func add(_ article: Article, order: ArticleOrder? = nil) throws {
        let b = defaultBuilder ?? makeBuilder()
        defaultBuilder = b
        let o = order ?? ArticleOrder(run: run, file: Int.max, position: builderCount)
        builderCount += 1
        b.add(article, order: o)
        if b.approximateBytes >= memoryBudget || b.mustFlush { try flush() }
    }

    /// Flushes the internal builder of `add(_:)`.
    public func flush() throws {
        if let b = defaultBuilder {
            defaultBuilder = nil
            try flush(b)
        }
    }

    private func reserveName() -> String {
        lock.lock()
        defer { lock.unlock() }
        let name = segmentName(manifest.nextSegment)
        manifest.nextSegment += 1
        return name
    }

    /// `entry` becomes `fresh` when it is new (doc -1) or older; returns the entry it was when
    /// one was there.
    private static func register(
        _ fresh: (segment: String, doc: Int32, order: ArticleOrder),
        in entry: inout (segment: String, doc: Int32, order: ArticleOrder)
    ) -> (segment: String, doc: Int32, order: ArticleOrder)? {
        if entry.doc < 0 {
            entry = fresh
            return nil
        }
        let prev = entry
        if prev.order < fresh.order { entry = fresh }
        return prev
    }

    /// Writes `builder` as a new segment (not yet committed) and registers it.
    public func flush(_ builder: SegmentBuilder) throws {
        guard builder.documentCount > 0 else { return }
        let name = reserveName()
        let info = try builder.write(to: directory, name: name)
        CrashPoint.hit("flush-after-write")
        lock.lock()
        defer { lock.unlock() }
        manifest.segments.append(info)
        manifest.articlesAdded = (manifest.articlesAdded ?? 0) + info.documents
        flushedNames.insert(name)
        // Grown once per flush, not as it fills (each growth hashes every id again).
        live.reserveCapacity(live.count + builder.docIds.count)
        for (i, id) in builder.docIds.enumerated() {
            let order = builder.docOrder[i]
            // One hash of the id: it is inserted, or the entry found is kept or replaced.
            let fresh = (segment: name, doc: Int32(i), order: order)
            let prev = IndexWriter.register(fresh, in: &live[id, default: (segment: "", doc: -1, order: order)])
            if let prev {
                duplicatesReplaced += 1
                if prev.order < order {
                    deletions[prev.segment, default: []].insert(Int(prev.doc))
                    losers[id, default: []].append((prev.segment, prev.doc, prev.order))
                } else {
                    deletions[name, default: []].insert(i)
                    losers[id, default: []].append((name, Int32(i), order))
                }
                continue
            }
            if let base {
                for (seg, doc) in (try? IndexWriter.lookup(id, in: base)) ?? []
                where deletions[seg.info.name]?.contains(Int(doc)) != true {
                    deletions[seg.info.name, default: []].insert(Int(doc))
                    losers[id, default: []].append((seg.info.name, doc, nil))
                    duplicatesReplaced += 1
                }
            }
        }
        for p in builder.fileParts {
            fileParts[p.path, default: []].append(Manifest.Part(segment: name, firstDoc: p.firstDoc, count: p.count))
            filePartPositions[p.path, default: []].append(p.firstPosition)
        }
    }

    /// Documents of identity `identity` (`Article.identity`) in `reader`: the id term at
    /// position 0. (A collection-scoped article also has its bare id at position 1, for `show`
    /// and `related`; a feed item of guid `1` is not a copy of the Reuters story of NEWID 1.)
    /// A scoped identity holds the unit separator, which no bare id does: its term is never a
    /// bare id, and its positions need no reading.
    static func lookup(_ identity: String, in reader: IndexReader) throws -> [(SegmentReader, Int32)] {
        var out: [(SegmentReader, Int32)] = []
        let term = SegmentBuilder.idTerm(identity)
        let scoped = identity.utf8.contains(0x1F)
        for s in reader.segments {
            guard let ti = try s.termInfo(.id, term) else { continue }
            let c = s.cursor(ti)
            while c.next() != PostingsCursor.end {
                if !scoped {
                    c.positions(into: lookupPositions)
                    guard lookupPositions.count > 0 && lookupPositions[0] == 0 else { continue }
                }
                out.append((s, c.doc))
            }
        }
        return out
    }

    /// `lookup`'s position buffer (flushes hold the writer's lock; a process has one writer).
    nonisolated(unsafe) private static let lookupPositions = PositionBuffer()

    /// Stores ranking defaults with the index (kept by later updates unless replaced).
    public func setScoring(_ d: Manifest.ScoringDefaults) {
        lock.lock()
        defer { lock.unlock() }
        manifest.scoring = d
    }

    /// The stored exclusion patterns (`loupe index --exclude`).
    public var exclude: [String] {
        lock.lock()
        defer { lock.unlock() }
        return manifest.exclude ?? []
    }

    /// The version of the corpus readers that read the committed files (1: not recorded).
    public var loaders: Int {
        lock.lock()
        defer { lock.unlock() }
        return manifest.loaders ?? 1
    }

    /// Records that this commit's files were read by readers of version `v`.
    public func setLoaders(_ v: Int) {
        lock.lock()
        defer { lock.unlock() }
        manifest.loaders = v
    }

    /// Whether the corpus walk follows symbolic links out of the corpus and to directories
    /// (`loupe index --follow-links`).
    public var followLinks: Bool {
        get {
            lock.lock()
            defer { lock.unlock() }
            return manifest.followLinks ?? false
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            manifest.followLinks = newValue ? true : nil
        }
    }

    /// Stores the exclusion patterns with the index (kept by later updates unless replaced).
    /// Sets (nil: forgets) the index's query-time synonyms.
    public func setSynonyms(_ s: Synonyms?) {
        lock.lock()
        defer { lock.unlock() }
        manifest.synonyms = s.flatMap { $0.rules.isEmpty ? nil : $0 }
    }

    public func setExclude(_ patterns: [String]) {
        lock.lock()
        defer { lock.unlock() }
        manifest.exclude = patterns.isEmpty ? nil : patterns
    }

    /// Records a corpus file read in this session (its parts arrive with the flushes).
    /// `articles`: all the file has given, `resume`: where a later run may go on reading it;
    /// `appended`: only what followed its record's `resume` was read this time (its committed
    /// articles stay, and the parts read join them).
    public func recordFile(
        _ path: String, size: Int64, mtime: Int64, articles: Int, resume: Manifest.Resume? = nil,
        appended: Bool = false
    ) {
        lock.lock()
        defer { lock.unlock() }
        fileMeta[path] = FileMeta(size: size, mtime: mtime, articles: articles, resume: resume, appended: appended)
    }

    /// Forgets every article of `path` added in this session (a streamed file that turned out
    /// to be broken): they are deleted at commit, whichever segments they reached.
    public func discardFile(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        discarded.insert(path)
    }

    /// Forgets the articles of `path` added in this session at `positions` in the file (a member
    /// of a streamed archive that turned out damaged after some of its articles were out): they
    /// are deleted at commit, the file's other articles kept.
    public func discardArticles(_ path: String, positions: Range<Int>) {
        guard !positions.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        retracted[path, default: []].append(positions)
    }

    /// The committed record of a corpus file, if any.
    public func fileRecord(_ path: String) -> Manifest.FileRecord? {
        lock.lock()
        defer { lock.unlock() }
        return manifest.files[path]
    }

    public var knownFiles: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(manifest.files.keys)
    }

    /// Deletes the articles that came from corpus file `path` and forgets the file.
    public func deleteFile(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        guard let rec = manifest.files.removeValue(forKey: path) else { return }
        for part in rec.parts {
            guard let info = manifest.segments.first(where: { $0.name == part.segment }) else { continue }
            for d in part.firstDoc..<min(part.firstDoc + part.count, info.documents) {
                explicit[part.segment, default: []].insert(d)
                if deletions[part.segment, default: []].insert(d).inserted {
                    deletedLive.append((part.segment, d))
                }
            }
        }
    }

    /// Committed articles that `deleteFile` deleted in this session while they were live: if
    /// one was the copy of its id that won over copies in other files, those copies come back
    /// (`restorableIdentities`).
    private var deletedLive: [(segment: String, doc: Int)] = []

    /// Whether this session deleted articles that were live (removed or changed files).
    public var deletedLiveArticles: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !deletedLive.isEmpty
    }

    /// Committed files (not removed or changed in this session; appended ones count, for the
    /// articles they had) that gave more articles than they have live: copies that lost to a
    /// duplicate elsewhere (or in the file itself).
    public func filesWithShadowedArticles() -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        var out: Set<String> = []
        for (path, rec) in manifest.files where fileMeta[path]?.appended ?? true {
            var live = 0
            for part in rec.parts {
                let dead = deletions[part.segment]
                for d in part.firstDoc..<(part.firstDoc + part.count) where dead?.contains(d) != true { live += 1 }
            }
            if live < rec.articles { out.insert(path) }
        }
        return out
    }

    /// The identities (`Article.identity`) of the articles this session deleted that no live
    /// article holds any more, once this session's articles are flushed: copies of them in
    /// unchanged files, shadowed until now, should take their place, as a fresh build would
    /// have them.
    public func restorableIdentities() throws -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        guard let base, !deletedLive.isEmpty else { return [] }
        let byName = Dictionary(base.segments.map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: Set<String> = []
        for (name, doc) in deletedLive {
            guard let seg = byName[name] else { continue }
            let identity = try seg.articleIdentity(Int32(doc))
            if out.contains(identity) { continue }
            if live[identity] != nil { continue }
            let holders = try IndexWriter.lookup(identity, in: base)
            if holders.contains(where: { deletions[$0.0.info.name]?.contains(Int($0.1)) != true }) { continue }
            out.insert(identity)
        }
        return out
    }

    /// Deletes the articles of files discarded and the articles retracted in this session (all
    /// flushed by now), and where such an article had won over copies of its id, brings back
    /// the best copy that nothing else deleted — as if the discarded article had never been read.
    public func applyDiscards() {
        lock.lock()
        defer { lock.unlock() }
        applyDiscardsLocked()
    }

    private func applyDiscardsLocked() {
        var gone: [String: Set<Int>] = [:]
        for (path, ranges) in retracted where !discarded.contains(path) {
            for (part, first) in zip(fileParts[path] ?? [], filePartPositions[path] ?? []) {
                for r in ranges {
                    let lo = max(r.lowerBound, first)
                    let hi = min(r.upperBound, first + part.count)
                    for p in lo..<max(lo, hi) { gone[part.segment, default: []].insert(part.firstDoc + p - first) }
                }
            }
        }
        retracted.removeAll()
        for path in discarded {
            for part in fileParts[path] ?? [] {
                for d in part.firstDoc..<(part.firstDoc + part.count) { gone[part.segment, default: []].insert(d) }
            }
            fileParts[path] = nil
            if var m = fileMeta[path] {
                m.articles = 0
                m.resume = nil
                fileMeta[path] = m
            }
        }
        discarded.removeAll()
        guard !gone.isEmpty else { return }
        for (segment, docs) in gone {
            deletions[segment, default: []].formUnion(docs)
            explicit[segment, default: []].formUnion(docs)
        }
        // Identities whose winning copy is gone leave `live`, and the best remaining loser comes
        // back (this session's by order, then in `live`; else the committed one it replaced).
        let orphaned = live.filter { gone[$0.value.segment]?.contains(Int($0.value.doc)) == true }.map(\.key)
        for identity in orphaned {
            live[identity] = nil
            let standing = (losers[identity] ?? []).filter { explicit[$0.segment]?.contains(Int($0.doc)) != true }
            guard
                let best = standing.max(by: {
                    switch ($0.order, $1.order) {
                    case (nil, nil): return $0.segment < $1.segment
                    case (nil, _): return true
                    case (_, nil): return false
                    case (let a?, let b?): return a < b
                    }
                })
            else { continue }
            deletions[best.segment]?.remove(Int(best.doc))
            duplicatesReplaced -= 1
            if let o = best.order { live[identity] = (best.segment, best.doc, o) }
        }
    }

    /// Flushes, merges by policy (or into one segment with `optimize`), and atomically
    /// publishes everything; removes files of segments no longer referenced.
    public func commit(corpusRoot: String?, optimize: Bool = false) throws {
        try flush()
        lock.lock()
        defer { lock.unlock() }
        if let r = corpusRoot { manifest.corpusRoot = r }
        applyDiscardsLocked()
        for (path, m) in fileMeta {
            let kept = m.appended ? manifest.files[path]?.parts ?? [] : []
            manifest.files[path] = Manifest.FileRecord(
                size: m.size, mtime: m.mtime, articles: m.articles, parts: kept + (fileParts[path] ?? []),
                resume: m.resume)
        }
        // Articles restored from an unchanged file join its record.
        for (path, parts) in fileParts where fileMeta[path]?.appended ?? true {
            manifest.files[path]?.parts += parts
        }
        fileMeta.removeAll()
        fileParts.removeAll()
        filePartPositions.removeAll()
        applyDeletions()
        try merge(all: optimize)
        // The run's own segments into one, ten at a time (the smallest first), so memory and
        // open files stay bounded.
        while !optimize && mergeFlushed && flushedSegments.count > 1 {
            try merge(all: false, flushed: true)
        }
        flushedNames.removeAll()
        // Small segments of one tier (the updates of several runs) into one.
        while !optimize && mergeFlushed, let victims = tierVictims() { try merge(victims) }
        // Many small segments: merge them ten at a time, so memory and open files stay bounded.
        while !optimize && manifest.segments.count > maxSegments { try merge(all: false) }
        // Each file's runs that continue one another as one part: new files arrive batch by
        // batch, merges lay runs end to end, and earlier versions listed every batch.
        for (path, rec) in manifest.files where rec.parts.count > 1 {
            manifest.files[path]?.parts = Manifest.Part.coalesced(rec.parts)
        }
        try writeDeletionStats()
        try stampFiles()
        manifest.format =
            manifest.files.values.contains { $0.resume != nil }
            ? 3 : manifest.segments.contains { $0.deleted.count > SegmentInfo.packedDeletions } ? 2 : 1
        manifest.generation += 1
        CrashPoint.hit("commit-before-manifest")
        try manifest.commit(directory: directory, filesUnchanged: manifest.files == committedFiles)
        committedFiles = manifest.files
        CrashPoint.hit("commit-after-rename")
        removeUnreferencedFiles()
    }

    private func applyDeletions() {
        for k in manifest.segments.indices {
            let name = manifest.segments[k].name
            if let d = deletions[name] { manifest.segments[k].deleted = d.sorted() }
        }
        // Segments with nothing live are dropped.
        let dead = Set(manifest.segments.filter { $0.liveDocuments == 0 }.map(\.name))
        manifest.segments.removeAll { dead.contains($0.name) }
        for (path, rec) in manifest.files where rec.parts.contains(where: { dead.contains($0.segment) }) {
            manifest.files[path]?.parts.removeAll { dead.contains($0.segment) }
        }
        sortSegments()
    }

    /// A segment keeps its deleted documents (with `DeletionStats`, so that statistics stay
    /// exact) until they are this share of its documents; then it is rewritten without them.
    public var rewriteDeletedShare = 0.2

    /// Whether `s` has deleted enough of its documents to be rewritten.
    private func mustRewrite(_ s: SegmentInfo) -> Bool {
        !s.deleted.isEmpty && Double(s.deleted.count) >= rewriteDeletedShare * Double(s.documents)
    }

    /// Makes the deletion statistics of every segment whose deletions changed (`DeletionStats`):
    /// a committed segment's earlier statistics with the newly deleted documents' added, else
    /// (a segment flushed in this run, or deletions an older loupe made) all of its deleted
    /// documents analysed again.
    private func writeDeletionStats() throws {
        let committed = Dictionary(
            (base?.segments ?? []).map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
        for k in manifest.segments.indices {
            let info = manifest.segments[k]
            guard !info.deleted.isEmpty else {
                manifest.segments[k].deletionStats = nil
                continue
            }
            let reader: SegmentReader
            var previous: TermDictionaryReader?
            var adding = info.deleted
            if let old = committed[info.name], old.info.deletionStats != nil,
                old.info.deletionStats == info.deletionStats
            {
                if old.info.deleted == info.deleted { continue }
                reader = old
                let new = Set(info.deleted)
                if old.info.deleted.allSatisfy({ new.contains($0) }) {
                    previous = old.deletionStats
                    let had = Set(old.info.deleted)
                    adding = info.deleted.filter { !had.contains($0) }
                }
            } else if let old = committed[info.name] {
                reader = old
            } else {
                var fresh = info
                fresh.deletionStats = nil
                reader = try SegmentReader(directory: directory, info: fresh, docBase: 0)
            }
            let name = DeletionStats.fileName(segment: info.name, generation: manifest.generation + 1)
            let path = directory + "/" + name
            try DeletionStats.write(adding: adding, of: reader, previous: previous, to: path)
            let m = try MappedFile(path: path)
            guard let crc = IndexFile.footerCRC(m.bytes) else { throw IndexError.corrupt(m.path, "file too short") }
            manifest.segments[k].deletionStats = SegmentInfo.NamedStamp(name: name, size: m.bytes.count, crc: crc)
        }
    }

    /// Tiered policy: while there are more than `maxSegments`, merge the smallest ones so that
    /// `maxSegments` remain (at least two at a time). A segment with deleted documents keeps
    /// them, with statistics that leave them out (`DeletionStats`: an updated index scores
    /// exactly like a fresh build), until they are `rewriteDeletedShare` of it; then it is
    /// rewritten without them. `all`: merge everything. `flushed`: the smallest (up to ten) of
    /// the segments flushed since the last commit.
    private func merge(all: Bool, flushed: Bool = false) throws {
        let count = manifest.segments.count
        var victims: [SegmentInfo]
        if all {
            guard count > 1 || (count == 1 && !manifest.segments[0].deleted.isEmpty) else { return }
            victims = manifest.segments
        } else if flushed {
            victims = Array(
                flushedSegments.sorted { $0.liveDocuments < $1.liveDocuments }.prefix(IndexWriter.mergeFanIn))
            guard victims.count > 1 else { return }
        } else {
            var chosen = Set(manifest.segments.filter(mustRewrite).map(\.name))
            // The run's segments join a rewrite of those with deletions (one step, not two),
            // when it merges them all at once.
            let fresh = flushedSegments.map(\.name)
            if mergeFlushed && !chosen.isEmpty && fresh.count > 1
                && chosen.union(fresh).count <= IndexWriter.mergeFanIn
            {
                chosen.formUnion(fresh)
            }
            if count > maxSegments {
                let k = min(IndexWriter.mergeFanIn, count - maxSegments + 1)
                for s in manifest.segments.sorted(by: { $0.liveDocuments < $1.liveDocuments }).prefix(k) {
                    chosen.insert(s.name)
                }
            }
            guard !chosen.isEmpty else { return }
            victims = manifest.segments.filter { chosen.contains($0.name) }
        }
        try merge(victims)
    }

    /// A segment is small when it holds under `1 / tierFactor` of the largest segment's live
    /// articles; small segments fall in tiers by the powers of `tierFactor` of their live
    /// articles.
    public var tierFactor = 8

    /// Log-structured tiers for the small segments updates add (each run leaves one): the small
    /// segments of the lowest tier that holds two or more (up to ten, the smallest first), or
    /// nil. Runs that each add a few articles then keep the large segment and about one small
    /// segment per tier — not one per run until `maxSegments` (each segment is one more
    /// dictionary lookup per word for every search) — and each article is rewritten about
    /// `tierFactor / 2` times per tier it climbs. Segments of like size (a `--no-merge` run's,
    /// an index kept in several large segments) are not small, and stay.
    func tierVictims() -> [SegmentInfo]? {
        guard let largest = manifest.segments.map(\.liveDocuments).max() else { return nil }
        func tier(_ n: Int) -> Int {
            var (t, x) = (0, max(1, n))
            while x >= tierFactor {
                x /= tierFactor
                t += 1
            }
            return t
        }
        let small = manifest.segments.filter { $0.liveDocuments * tierFactor < largest }
        let tiers = Dictionary(grouping: small) { tier($0.liveDocuments) }
        guard let lowest = tiers.filter({ $0.value.count > 1 }).keys.min(), let v = tiers[lowest] else { return nil }
        return Array(v.sorted { $0.liveDocuments < $1.liveDocuments }.prefix(IndexWriter.mergeFanIn))
    }

    /// Merges `victims` into one new segment.
    private func merge(_ victims: [SegmentInfo]) throws {
        var victims = victims
        // In document order (the segments' order keys), not flush order: merged numbering must
        // not depend on which thread flushed first.
        victims.sort(by: IndexWriter.documentOrder)
        let readers = try victims.map { try SegmentReader(directory: directory, info: $0, docBase: 0) }
        let name = segmentName(manifest.nextSegment)
        manifest.nextSegment += 1
        let merged = try SegmentMerger(analyzer: manifest.analyzer).merge(readers, into: directory, name: name)
        CrashPoint.hit("merge-after-write")
        let victimNames = Set(victims.map(\.name))
        // Re-point file records at the merged segment: a run of documents stays a run.
        for (path, rec) in manifest.files where rec.parts.contains(where: { victimNames.contains($0.segment) }) {
            var parts: [Manifest.Part] = []
            for part in rec.parts {
                guard victimNames.contains(part.segment), let map = merged.docMaps[part.segment] else {
                    parts.append(part)
                    continue
                }
                var first = -1
                var n = 0
                for d in part.firstDoc..<(part.firstDoc + part.count) where d < map.count && map[d] >= 0 {
                    if first < 0 { first = Int(map[d]) }
                    n += 1
                }
                if n > 0 { parts.append(Manifest.Part(segment: name, firstDoc: first, count: n)) }
            }
            manifest.files[path]?.parts = parts
        }
        manifest.segments.removeAll { victimNames.contains($0.name) }
        var info = merged.info
        info.order = victims.compactMap(\.order).min { $0.lexicographicallyPrecedes($1) }
        manifest.segments.append(info)
        // A merge of the run's segments is one of them, for the next step.
        if victims.contains(where: { flushedNames.contains($0.name) }) { flushedNames.insert(name) }
        sortSegments()
    }

    /// Document numbering follows the segments' order keys, so it does not depend on which
    /// thread flushed first.
    private func sortSegments() { manifest.segments.sort(by: IndexWriter.documentOrder) }

    static func documentOrder(_ a: SegmentInfo, _ b: SegmentInfo) -> Bool {
        let ka = a.order ?? [Int.max]
        let kb = b.order ?? [Int.max]
        return ka != kb ? ka.lexicographicallyPrecedes(kb) : a.name < b.name
    }

    /// Records the size and footer CRC of the files of segments new in this commit, and fsyncs
    /// them: segments are written without it, and only those this commit lists need it (the
    /// run's flushed segments that a merge replaced were never synced, so their pages can be
    /// dropped without reaching the disk).
    private func stampFiles() throws {
        for k in manifest.segments.indices where manifest.segments[k].files == nil {
            var stamps: [String: SegmentInfo.FileStamp] = [:]
            for ext in ["dict", "post", "pos", "len", "store"] {
                let path = directory + "/" + manifest.segments[k].name + "." + ext
                try FileIO.sync(path)
                let m = try MappedFile(path: path)
                guard let crc = IndexFile.footerCRC(m.bytes) else { throw IndexError.corrupt(m.path, "file too short") }
                stamps[ext] = SegmentInfo.FileStamp(size: m.bytes.count, crc: crc)
            }
            manifest.segments[k].files = stamps
        }
    }

    /// The highest segment number and list generation among the files of `directory` (0: none).
    static func highestNumbers(in directory: String) -> (segment: Int, generation: Int) {
        var segment = 0
        var generation = 0
        for f in FileIO.listDirectory(directory) {
            if FileList.isListName(f) {
                let digits = f.dropFirst("files".count).prefix { $0.isASCII && $0.isNumber }
                generation = max(generation, Int(digits) ?? 0)
            } else if f.hasPrefix("seg") {
                let digits = f.dropFirst("seg".count).prefix { $0.isASCII && $0.isNumber }
                segment = max(segment, Int(digits) ?? 0)
            }
        }
        return (segment, generation)
    }

    private func removeUnreferencedFiles() {
        let live = Set(manifest.segments.map(\.name))
        let stats = Set(manifest.segments.compactMap(\.deletionStats?.name))
        for f in FileIO.listDirectory(directory) {
            if FileList.isListName(f) {
                if f != manifest.fileList?.name { FileIO.remove(directory + "/" + f) }
            } else if DeletionStats.isFileName(f) {
                if !stats.contains(f) { FileIO.remove(directory + "/" + f) }
            } else if f.hasPrefix("seg") {
                let stem = String(f.prefix { $0 != "." })
                if !live.contains(stem) { FileIO.remove(directory + "/" + f) }
            } else if f.hasPrefix(VerifiedFiles.fileName + ".") && f.hasSuffix(".tmp") {
                // A reader killed while it wrote the record of verified files (a hint; a reader
                // writing one now only loses its update).
                FileIO.remove(directory + "/" + f)
            }
        }
    }
}

/// Process memory helpers.
public enum Memory {
    /// Gives freed heap memory back to the system (after the indexing threads are done).
    public static func releaseFreed() { loupe_release_free_memory() }
}

/// `seg000042`-style segment names.
func segmentName(_ n: Int) -> String {
    let digits = String(n)
    let pad = digits.count < 6 ? 6 - digits.count : 0
    return "seg" + String(repeating: "0", count: pad) + digits
}
