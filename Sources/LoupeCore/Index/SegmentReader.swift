/// Read access to one immutable segment through memory-mapped files.
public final class SegmentReader: @unchecked Sendable {
    public let info: SegmentInfo
    /// First global document number of this segment within its index snapshot.
    public let docBase: Int
    private let dictFile: MappedFile
    private let postFile: MappedFile
    private let posFile: MappedFile
    private let lenFile: MappedFile
    private let storeFile: MappedFile
    let dictionary: TermDictionaryReader
    private let lengthsBase: Int
    private let datesBase: Int
    private let store: StoredFieldsReader
    private var deleted: [Bool]
    /// The deleted articles' counts (`DeletionStats`), when the manifest lists them.
    private let deletionFile: MappedFile?
    let deletionStats: TermDictionaryReader?
    /// Per length slot, the lengths of the deleted documents summed (BM25's average length
    /// counts live documents only).
    public private(set) var deletedLengthSums = [UInt64](repeating: 0, count: IndexField.lengthSlots)
    public let directory: String
    /// The `.post` file's path, named in cursor errors (made once, not per cursor).
    private let postPath: String

    /// Opens a segment. With `verified`, a file whose full CRC was verified before (and that is
    /// still the same file) is checked by size, header and footer only; without it (merges),
    /// every file's CRC is verified.
    public init(directory: String, info: SegmentInfo, docBase: Int, verified: VerifiedFiles? = nil) throws {
        self.info = info
        self.docBase = docBase
        self.directory = directory
        let base = directory + "/" + info.name
        postPath = base + ".post"
        dictFile = try MappedFile(path: base + ".dict")
        postFile = try MappedFile(path: base + ".post")
        posFile = try MappedFile(path: base + ".pos")
        lenFile = try MappedFile(path: base + ".len")
        storeFile = try MappedFile(path: base + ".store")
        let files = SegmentReader.files(dictFile, postFile, posFile, lenFile, storeFile)
        if let stamps = info.files {
            for (f, ext, _) in files {
                guard let st = stamps[ext] else { continue }
                try SegmentReader.checkStamp(f, size: st.size, crc: st.crc)
            }
        }
        var lp = 0..<0  // the lengths file's payload
        for (f, ext, kind) in files {
            let payload =
                try verified?.validate(f, name: info.name + "." + ext, kind: kind)
                ?? IndexFile.validate(f.bytes, kind: kind, file: f.path, checksum: true)
            if f === lenFile { lp = payload }
        }
        dictionary = try TermDictionaryReader(dictFile, name: base + ".dict", checksum: false)
        var lr = ByteReader(lenFile.bytes, at: lp.lowerBound, file: base + ".len")
        let slots = try lr.u32()
        let n = try lr.u64()
        guard slots == UInt32(IndexField.lengthSlots), n == UInt64(info.documents),
            lp.lowerBound + 12 + Int(n) * (4 * Int(slots) + 8) == lp.upperBound
        else { throw IndexError.corrupt(base + ".len", "document count or size does not match the manifest") }
        lengthsBase = lr.pos
        datesBase = lengthsBase + Int(n) * 4 * Int(slots)

        store = try StoredFieldsReader(
            storeFile.bytes, name: base + ".store", expectedDocuments: info.documents, checksum: false)
        guard dictionary.termCount == info.terms else {
            throw IndexError.corrupt(base + ".dict", "term count does not match the manifest")
        }
        // Verifying the checksums touched every page: let them go (they stay in the page cache,
        // so a later read is a cheap minor fault), or opening many segments at once — a merge —
        // would hold them all as resident memory.
        for (f, _, _) in files { f.release(before: f.bytes.count) }
        if let ds = info.deletionStats {
            let f = try MappedFile(path: directory + "/" + ds.name)
            try SegmentReader.checkStamp(f, size: ds.size, crc: ds.crc)
            _ =
                try verified?.validate(f, name: ds.name, kind: "DICT")
                ?? IndexFile.validate(f.bytes, kind: "DICT", file: f.path, checksum: true)
            deletionStats = try TermDictionaryReader(f, name: f.path, checksum: false)
            deletionFile = f
        } else {
            deletionStats = nil
            deletionFile = nil
        }
        deleted = [Bool](repeating: false, count: info.documents)
        for d in info.deleted where d >= 0 && d < info.documents && !deleted[d] {
            deleted[d] = true
            for k in 0..<IndexField.lengthSlots { deletedLengthSums[k] += UInt64(length(Int32(d), slot: k)) }
        }
    }

    /// The documents and occurrences of `key` (field byte + term) that are in deleted documents,
    /// to subtract from its dictionary entry's counts: (0, 0) without deletion statistics.
    @inline(__always)
    func deletedCounts(_ key: [UInt8]) throws -> (docs: Int, occurrences: UInt64) {
        guard let deletionStats, let i = try deletionStats.lookup(key) else { return (0, 0) }
        return (i.docFreq, i.totalTermFreq)
    }

    /// `info`'s document frequency and occurrences without the deleted documents' (`key`: its
    /// field byte + term).
    public func liveCounts(_ key: [UInt8], _ info: TermInfo) throws -> (docs: Int, occurrences: UInt64) {
        guard deletionStats != nil else { return (info.docFreq, info.totalTermFreq) }
        return SegmentReader.subtract(info, try deletedCounts(key))
    }

    /// `info`'s counts less the deleted ones, never below 0 (counts that are not this segment's
    /// deleted articles', which `check` reports, give no negative frequency to BM25).
    @inline(__always)
    static func subtract(_ info: TermInfo, _ d: (docs: Int, occurrences: UInt64)) -> (docs: Int, occurrences: UInt64) {
        (max(0, info.docFreq - d.docs), info.totalTermFreq > d.occurrences ? info.totalTermFreq - d.occurrences : 0)
    }

    /// Live counts of keys given in increasing order (a dictionary scan's), the deletion
    /// statistics read alongside instead of looked up term by term.
    public final class LiveCountsWalk {
        private let segment: SegmentReader
        private let deleted: DictionaryIterator?

        init(_ segment: SegmentReader) throws {
            self.segment = segment
            deleted = try segment.deletionStats.map { try DictionaryIterator($0) }
        }

        /// `key` must not precede the key of the previous call.
        public func counts(_ key: [UInt8], _ info: TermInfo) throws -> (docs: Int, occurrences: UInt64) {
            guard let it = deleted else { return (info.docFreq, info.totalTermFreq) }
            while !it.isAtEnd {
                let k = it.key
                let c = key.withUnsafeBufferPointer {
                    ByteOrder.compare(k.baseAddress, k.count, $0.baseAddress, $0.count)
                }
                if c > 0 { break }
                if c == 0 { return SegmentReader.subtract(info, (it.info.docFreq, it.info.totalTermFreq)) }
                try it.advance()
            }
            return (info.docFreq, info.totalTermFreq)
        }
    }

    public func liveCountsWalk() throws -> LiveCountsWalk { try LiveCountsWalk(self) }

    /// `info`'s document frequency without the deleted documents (`key`: its field byte + term).
    public func liveDocFreq(_ key: [UInt8], _ info: TermInfo) throws -> Int { try liveCounts(key, info).docs }

    /// A term's bytes for a message: control and bidirectional-override characters as `?`.
    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(
            String(decoding: bytes, as: UTF8.self).unicodeScalars.map { u -> Character in
                u.value < 0x20 || (0x7F...0x9F).contains(u.value) || (0x202A...0x202E).contains(u.value)
                    || (0x2066...0x2069).contains(u.value) ? "?" : Character(u)
            })
    }

    /// That `f` is the file the manifest lists: its size and footer CRC-32C (a file of another
    /// index or segment, or a truncated one, is caught at open).
    private static func checkStamp(_ f: MappedFile, size: Int, crc: UInt32) throws {
        guard f.bytes.count == size else {
            throw IndexError.corrupt(f.path, "\(f.bytes.count) bytes, the manifest says \(size)")
        }
        guard IndexFile.footerCRC(f.bytes) == crc else {
            throw IndexError.corrupt(f.path, "not the file the manifest lists (checksum differs)")
        }
    }

    /// A segment's five files with their extension and header kind, in one order for every check.
    private static func files(
        _ dict: MappedFile, _ post: MappedFile, _ pos: MappedFile, _ len: MappedFile, _ store: MappedFile
    ) -> [(file: MappedFile, ext: String, kind: String)] {
        [
            (dict, "dict", "DICT"), (post, "post", "POST"), (pos, "pos", "POSN"), (len, "len", "LENS"),
            (store, "store", "STOR"),
        ]
    }

    public var documentCount: Int { info.documents }

    @inline(__always) public func isDeleted(_ doc: Int32) -> Bool { deleted[Int(doc)] }

    public var hasDeletions: Bool { !info.deleted.isEmpty }

    /// The length table: `lengthSlots` little-endian UInt32 per document (see `length`).
    public var lengthTable: UnsafeRawPointer { lenFile.bytes.baseAddress! + lengthsBase }

    /// `doc`'s date as seconds since 1970 UTC (`DateColumn`), `DateColumn.undated` when it has none.
    @inline(__always) public func dateSeconds(_ doc: Int32) -> Int64 {
        Int64(littleEndian: lenFile.bytes.loadUnaligned(fromByteOffset: datesBase + Int(doc) * 8, as: Int64.self))
    }

    /// Exact length of `doc` in the given slot (number of tokens).
    @inline(__always) public func length(_ doc: Int32, slot: Int) -> UInt32 {
        let off = lengthsBase + (Int(doc) * IndexField.lengthSlots + slot) * 4
        return UInt32(littleEndian: lenFile.bytes.loadUnaligned(fromByteOffset: off, as: UInt32.self))
    }

    public func termInfo(_ field: IndexField, _ term: [UInt8]) throws -> TermInfo? {
        try dictionary.lookup([field.rawValue] + term)
    }

    public func cursor(_ info: TermInfo) -> PostingsCursor {
        PostingsCursor(
            post: postFile.bytes, posn: posFile.bytes, info: info, file: postPath,
            documents: self.info.documents, lengths: lengthTable)
    }

    /// All of a term's positions as stored, every document's in order (`totalTermFreq` varints
    /// from its offset; a merge copies them whole); nil when they do not end within the file's
    /// payload.
    func positionRun(_ info: TermInfo) -> UnsafeRawBufferPointer? {
        let b = posFile.bytes
        let limit = b.count - IndexFile.footerSize
        guard info.posOffset < UInt64(limit), info.totalTermFreq <= UInt64(limit) else { return nil }
        let start = Int(info.posOffset)
        let end = PostingsCursor.skipVarints(Int(info.totalTermFreq), in: b, from: start)
        guard end > start, end <= limit, b[end - 1] & 0x80 == 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: b[start..<end])
    }

    /// Terms of `field` beginning with `prefix` (without the field byte), at most `limit`.
    public func terms(_ field: IndexField, prefix: [UInt8], limit: Int) throws -> [[UInt8]] {
        try dictionary.keys(withPrefix: [field.rawValue] + prefix, limit: limit).map { Array($0.0.dropFirst()) }
    }

    /// The stored-fields reader (the merger copies its blocks).
    var storedFields: StoredFieldsReader { store }

    public func article(_ doc: Int32) throws -> Article { try store.article(Int(doc)) }

    public func articleID(_ doc: Int32) throws -> String { try store.id(Int(doc)) }

    /// `doc`'s `Article.identity` (id and id scope), without decoding its text.
    public func articleIdentity(_ doc: Int32) throws -> String { try store.identity(Int(doc)) }

    /// `doc`'s source, categories and authors, without decoding its text.
    public func articleFacets(_ doc: Int32) throws -> ArticleFacets { try store.facets(Int(doc)) }

    /// The stored date of `doc` (ISO 8601), without decoding the rest of the article.
    public func articleDate(_ doc: Int32) throws -> String? { try store.date(Int(doc)) }

    /// Verifies every file's checksum and the postings structure (for `loupe check`).
    public func check() throws {
        let base = directory + "/" + info.name
        for (f, _, kind) in SegmentReader.files(dictFile, postFile, posFile, lenFile, storeFile) {
            _ = try IndexFile.validate(f.bytes, kind: kind, file: f.path, checksum: true)
        }
        if let f = deletionFile { _ = try IndexFile.validate(f.bytes, kind: "DICT", file: f.path, checksum: true) }
        // The deleted documents' counts, read alongside (both in key order): each term's must be
        // what its postings hold in deleted documents.
        let deletedCounts = try deletionStats.map { try DictionaryIterator($0) }
        let statsPath = deletionFile?.path ?? base + ".del"
        var previous: [UInt8] = []
        var count = 0
        try dictionary.forEach { key, ti in
            guard key.count > 1, IndexField(rawValue: key[0]) != nil else {
                throw IndexError.corrupt(base + ".dict", "bad key")
            }
            guard previous.isEmpty || previous.lexicographicallyPrecedes(key) else {
                throw IndexError.corrupt(base + ".dict", "keys out of order")
            }
            previous = key
            count += 1
            let c = cursor(ti)
            var n = 0
            var last: Int32 = -1
            var tf: UInt64 = 0
            var deletedDocs = 0
            var deletedTF: UInt64 = 0
            while c.next() != PostingsCursor.end {
                guard c.doc > last, Int(c.doc) < info.documents else {
                    throw IndexError.corrupt(base + ".post", "doc ids not increasing or out of range")
                }
                last = c.doc
                tf += UInt64(c.freq)
                n += 1
                if deleted[Int(c.doc)] {
                    deletedDocs += 1
                    deletedTF += UInt64(c.freq)
                }
                let ps = c.positions()
                guard ps.count == c.freq else { throw IndexError.corrupt(base + ".pos", "positions truncated") }
            }
            if let e = c.error { throw e }
            guard n == ti.docFreq, tf == ti.totalTermFreq else {
                throw IndexError.corrupt(base + ".post", "document frequency does not match the dictionary")
            }
            if let it = deletedCounts {
                var expected = (docs: 0, occurrences: UInt64(0))
                if !it.isAtEnd {
                    let k = it.key
                    let c = key.withUnsafeBufferPointer {
                        ByteOrder.compare(k.baseAddress, k.count, $0.baseAddress, $0.count)
                    }
                    if c < 0 { throw IndexError.corrupt(statsPath, "counts for a term the segment does not hold") }
                    if c == 0 {
                        expected = (it.info.docFreq, it.info.totalTermFreq)
                        try it.advance()
                    }
                }
                guard expected.docs == deletedDocs, expected.occurrences == deletedTF else {
                    throw IndexError.corrupt(
                        statsPath,
                        "deleted articles' counts do not match the postings (term \"\(SegmentReader.printable(key.dropFirst()))\")"
                    )
                }
            }
        }
        if let it = deletedCounts, !it.isAtEnd {
            throw IndexError.corrupt(statsPath, "counts for a term the segment does not hold")
        }
        guard count == info.terms else { throw IndexError.corrupt(base + ".dict", "term count mismatch") }
        for d in 0..<info.documents { _ = try article(Int32(d)) }
    }

    /// Lets go of resident postings and positions pages before these offsets (merges).
    func releasePages(post: UInt64, pos: UInt64) {
        postFile.release(before: Int(clamping: post))
        posFile.release(before: Int(clamping: pos))
    }

    func releaseStoredPages() { storeFile.release(before: storeFile.bytes.count) }

    public var fileSizes: [String: Int] {
        var sizes = [
            "dict": dictFile.bytes.count, "post": postFile.bytes.count, "pos": posFile.bytes.count,
            "len": lenFile.bytes.count, "store": storeFile.bytes.count,
        ]
        if let deletionFile { sizes["del"] = deletionFile.bytes.count }
        return sizes
    }
}
