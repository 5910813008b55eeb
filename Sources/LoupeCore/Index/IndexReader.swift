import Foundation

/// A consistent, read-only snapshot of an index: one manifest generation and its segments.
/// Opening never blocks on a writer; files of the snapshot stay readable (mapped) even if a
/// later commit removes them.
public final class IndexReader: @unchecked Sendable {
    public let directory: String
    /// The commit's manifest, without its corpus file records (`files()` reads them).
    public let manifest: Manifest
    private let manifestJSON: [UInt8]
    /// The commit's file list (`FileList`), mapped at open: a later commit may remove it.
    private let fileListFile: MappedFile?
    private let filesLock = NSLock()
    private var filesCache: [String: Manifest.FileRecord]?
    public let segments: [SegmentReader]
    /// Live (not deleted) documents.
    public let documentCount: Int
    private let lengthSums: [UInt64]

    /// Bytes whose CRC this open computed: files verified at an earlier open and unchanged since
    /// are not read again (`VerifiedFiles`).
    public let checksummedBytes: Int

    /// Opens the newest commit. `minimumVerifiedAge`: see `VerifiedFiles` (tests pass 0).
    public init(directory: String, minimumVerifiedAge: Double = 2) throws {
        self.directory = directory
        let verified = VerifiedFiles(directory: directory, minimumAge: minimumVerifiedAge)
        // A writer may commit (and remove the old generation's files) between our reading the
        // manifest and opening its segments: then read the new manifest and try again.
        var attempt = 0
        var m: Manifest
        var json: [UInt8]
        var opened: [SegmentReader]
        var list: MappedFile?
        while true {
            (m, json) = try Manifest.load(directory: directory, files: false)
            guard Manifest.supportedFormats.contains(m.format) else {
                throw IndexError.corrupt(directory + "/MANIFEST", "index format \(m.format) is not supported")
            }
            do {
                opened = try IndexReader.open(directory, m, verified)
                list = try m.fileList.map { try MappedFile(path: directory + "/" + $0.name) }
                break
            } catch {
                attempt += 1
                let now = try? Manifest.load(directory: directory, files: false).0
                if attempt >= 20 || now?.generation == m.generation { throw error }
            }
        }
        manifest = m
        manifestJSON = json
        fileListFile = list
        verified.save()
        checksummedBytes = verified.checksummedBytes
        var segs: [SegmentReader] = []
        var sums = [UInt64](repeating: 0, count: IndexField.lengthSlots)
        var live = 0
        for (k, info) in m.segments.enumerated() {
            segs.append(opened[k])
            live += info.liveDocuments
            for j in 0..<min(sums.count, info.lengthSums.count) {
                sums[j] += info.lengthSums[j] &- opened[k].deletedLengthSums[j]
            }
        }
        segments = segs
        documentCount = live
        lengthSums = sums
    }

    private static func open(_ directory: String, _ m: Manifest, _ verified: VerifiedFiles) throws -> [SegmentReader] {
        var base = 0
        var out: [SegmentReader] = []
        for info in m.segments {
            out.append(try SegmentReader(directory: directory, info: info, docBase: base, verified: verified))
            base += info.documents
        }
        return out
    }

    public var analyzer: AnalyzerKind { manifest.analyzer }

    /// This commit's corpus files with where their articles are, decoded on demand (an index
    /// of one file per article lists thousands).
    public func files() throws -> [String: Manifest.FileRecord] {
        filesLock.lock()
        defer { filesLock.unlock() }
        if let filesCache { return filesCache }
        let f: [String: Manifest.FileRecord]
        if let ref = manifest.fileList, let list = fileListFile {
            f = try FileList.decode(list.bytes, ref, file: list.path)
        } else {
            do {
                f = try Manifest.fileRecords(json: manifestJSON)
            } catch {
                throw IndexError.corrupt(directory + "/MANIFEST", "unreadable manifest (\(error))")
            }
        }
        filesCache = f
        return f
    }

    /// How many corpus files the commit lists (from the MANIFEST when it says).
    public func fileCount() throws -> Int { try manifest.fileList?.records ?? files().count }

    /// Average document length in a length slot, over the live documents of the snapshot.
    public func averageLength(slot: Int) -> Float {
        documentCount == 0 ? 1 : Float(Double(lengthSums[slot]) / Double(documentCount))
    }

    /// Document frequency of a term summed over segments, deleted documents not counted (when
    /// their segment has deletion statistics: `DeletionStats`).
    public func docFreq(_ field: IndexField, _ term: [UInt8]) throws -> Int {
        var df = 0
        let key = [field.rawValue] + term
        for s in segments {
            if let info = try s.dictionary.lookup(key) { df += try s.liveDocFreq(key, info) }
        }
        return df
    }

    /// The segment holding global document `doc`, and the local id.
    public func locate(_ doc: Int) -> (SegmentReader, Int32)? {
        for s in segments where doc >= s.docBase && doc < s.docBase + s.documentCount {
            return (s, Int32(doc - s.docBase))
        }
        return nil
    }

    /// The id of global document `doc` (cheaper than the whole article).
    public func articleID(_ doc: Int) throws -> String {
        guard let (s, local) = locate(doc) else { throw IndexError.corrupt(directory, "no document \(doc)") }
        return try s.articleID(local)
    }

    /// `doc`'s source, categories and authors, without decoding its text.
    public func articleFacets(_ doc: Int) throws -> ArticleFacets {
        guard let (s, local) = locate(doc) else { throw IndexError.corrupt(directory, "no document \(doc)") }
        return try s.articleFacets(local)
    }

    /// `doc`'s date in seconds since 1970 UTC from the date column (`DateColumn.undated`: none).
    public func dateSeconds(_ doc: Int) throws -> Int64 {
        guard let (s, local) = locate(doc) else { throw IndexError.corrupt(directory, "no document \(doc)") }
        return s.dateSeconds(local)
    }

    /// The stored date of `doc`, without decoding its text.
    public func articleDate(_ doc: Int) throws -> String? {
        guard let (s, local) = locate(doc) else { throw IndexError.corrupt(directory, "no document \(doc)") }
        return try s.articleDate(local)
    }

    public func article(_ doc: Int) throws -> Article {
        guard let (s, local) = locate(doc) else { throw IndexError.corrupt(directory, "no document \(doc)") }
        return try s.article(local)
    }

    /// Every live article whose id is `id` (global document, article), in document order: one,
    /// unless collections indexed together number their articles alike (two Reuters
    /// directories' NEWID 1, a feed item of guid `1`).
    public func articles(id: String) throws -> [(doc: Int, article: Article)] {
        let term = SegmentBuilder.idTerm(id)
        var out: [(doc: Int, article: Article)] = []
        for s in segments {
            guard let ti = try s.termInfo(.id, term) else { continue }
            let c = s.cursor(ti)
            while c.next() != PostingsCursor.end {
                if !s.isDeleted(c.doc) {
                    let a = try s.article(c.doc)
                    if a.id == id { out.append((s.docBase + Int(c.doc), a)) }
                }
            }
        }
        return out
    }

    /// Verifies every segment and the file list, whose parts must lie within live segments
    /// (`loupe check`).
    public func check() throws {
        for s in segments { try s.check() }
        let byName = Dictionary(segments.map { ($0.info.name, $0) }, uniquingKeysWith: { a, _ in a })
        let file = fileListFile?.path ?? directory + "/" + Manifest.fileName
        for (path, rec) in try files() {
            for p in rec.parts {
                guard let s = byName[p.segment] else {
                    throw IndexError.corrupt(
                        file, "\(path) has articles in \(p.segment), which the commit does not hold")
                }
                guard p.firstDoc + p.count <= s.documentCount else {
                    throw IndexError.corrupt(
                        file,
                        "\(path) has documents \(p.firstDoc)..<\(p.firstDoc + p.count) of \(p.segment), which holds \(s.documentCount)"
                    )
                }
            }
        }
    }
}
