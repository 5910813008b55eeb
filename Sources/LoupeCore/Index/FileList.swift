/// The corpus file records of a commit (`Manifest.files`) in a binary file of their own,
/// `filesNNNNNN.list` (NNNNNN: the generation that wrote it), named in the MANIFEST with its
/// size, CRC and record count.
///
/// An index of one file per article lists every file: as JSON inside the MANIFEST that was
/// 3.3 MB for 20 Newsgroups' 18,846 files and 27 MB for 200,000 files, scanned by every command
/// and rewritten by every `loupe index`. Here a command that needs no path opens nothing more
/// than the MANIFEST, `stats` takes the count from it, and a commit that changed no record
/// (a search-only merge, an update of nothing) keeps the file it has.
///
/// Format: the common header (kind `FILS`), then varint counts and bytes: the segment names
/// the parts refer to (`count`, then each as length and bytes); the number of records; each
/// record in path byte order: the length of the prefix shared with the previous path, the
/// length and bytes of the rest, size and modification time (zigzag), articles, parts
/// (`count`, then segment name index, first document, document count); then, when any record
/// has one, the resume points (`Manifest.Resume`): their count, then for each the record's index
/// in path order, size, CRC, lines and units (a list without them ends after the records, as
/// lists written before them did); the CRC-32C footer.
public enum FileList {
    public static let kind = "FILS"

    /// What the MANIFEST says of its file list.
    public struct Reference: Codable, Sendable, Equatable {
        public var name: String
        public var records: Int
        public var size: Int
        public var crc: UInt32
    }

    /// `files000042.list`; with `again`, `files000042a.list` (a second list of one generation
    /// must not overwrite the one its MANIFEST names).
    public static func name(generation: Int, again: Bool = false) -> String {
        let digits = String(generation)
        return "files" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + (again ? "a" : "") + ".list"
    }

    static func isListName(_ f: String) -> Bool { f.hasPrefix("files") && f.hasSuffix(".list") }

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// The file's bytes for `files`.
    public static func encode(_ files: [String: Manifest.FileRecord]) -> [UInt8] {
        var segmentIndex: [String: Int] = [:]
        var segmentNames: [String] = []
        let records = files.map { (path: Array($0.key.utf8), record: $0.value) }
            .sorted { $0.path.lexicographicallyPrecedes($1.path) }
        for rec in files.values {
            for p in rec.parts where segmentIndex[p.segment] == nil {
                segmentIndex[p.segment] = segmentNames.count
                segmentNames.append(p.segment)
            }
        }
        var w = ByteWriter()
        IndexFile.header(kind: kind, into: &w)
        w.varint(segmentNames.count)
        for s in segmentNames { w.string(s) }
        w.varint(records.count)
        var previous: [UInt8] = []
        for (path, rec) in records {
            var shared = 0
            let limit = min(previous.count, path.count)
            while shared < limit && previous[shared] == path[shared] { shared += 1 }
            w.varint(shared)
            w.varint(path.count - shared)
            w.append(Array(path[shared...]))
            w.varint(zigzag(rec.size))
            w.varint(zigzag(rec.mtime))
            w.varint(rec.articles)
            w.varint(rec.parts.count)
            for p in rec.parts {
                w.varint(segmentIndex[p.segment]!)
                w.varint(p.firstDoc)
                w.varint(p.count)
            }
            previous = path
        }
        let resumes = records.indices.compactMap { i in records[i].record.resume.map { (i, $0) } }
        if !resumes.isEmpty {
            w.varint(resumes.count)
            for (i, r) in resumes {
                w.varint(i)
                w.varint(UInt64(max(0, r.size)))
                w.varint(UInt64(r.crc))
                w.varint(r.lines)
                w.varint(r.units)
            }
        }
        IndexFile.finish(&w)
        return w.bytes
    }

    /// Writes (and fsyncs) the list of `files` as generation `generation`'s.
    public static func write(
        _ files: [String: Manifest.FileRecord], directory: String, generation: Int, replacing current: String?
    ) throws -> Reference {
        let bytes = encode(files)
        var n = name(generation: generation)
        if n == current { n = name(generation: generation, again: true) }
        try FileIO.write(bytes, to: directory + "/" + n)
        let crc = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self) }
        return Reference(name: n, records: files.count, size: bytes.count, crc: UInt32(littleEndian: crc))
    }

    /// The records of a list file's bytes, checked against the MANIFEST's reference.
    public static func decode(_ buf: UnsafeRawBufferPointer, _ ref: Reference, file: String) throws -> [String:
        Manifest.FileRecord]
    {
        guard buf.count == ref.size else {
            throw IndexError.corrupt(file, "\(buf.count) bytes, the manifest says \(ref.size)")
        }
        let payload = try IndexFile.validate(buf, kind: kind, file: file, checksum: true)
        let crc = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: buf.count - 8, as: UInt32.self))
        guard crc == ref.crc else {
            throw IndexError.corrupt(file, "not the file list the manifest names (checksum differs)")
        }
        var r = ByteReader(
            UnsafeRawBufferPointer(rebasing: buf[..<payload.upperBound]), at: payload.lowerBound, file: file)
        let segmentCount = try r.count(max: r.remaining)
        var segments: [String] = []
        segments.reserveCapacity(segmentCount)
        for _ in 0..<segmentCount { segments.append(try r.string()) }
        let records = try r.count(max: r.remaining)
        guard records == ref.records else {
            throw IndexError.corrupt(file, "\(records) records, the manifest says \(ref.records)")
        }
        var out: [String: Manifest.FileRecord] = [:]
        out.reserveCapacity(records)
        var path: [UInt8] = []
        var keys: [String] = []
        keys.reserveCapacity(records)
        for _ in 0..<records {
            let shared = try r.count(max: path.count)
            let rest = try r.count(max: r.remaining)
            path.removeSubrange(shared...)
            path.append(contentsOf: try r.bytes(rest))
            let size = unzigzag(try r.varint())
            let mtime = unzigzag(try r.varint())
            let articles = try r.count(max: Int(Int32.max))
            let partCount = try r.count(max: r.remaining)
            var parts: [Manifest.Part] = []
            parts.reserveCapacity(partCount)
            for _ in 0..<partCount {
                guard !segments.isEmpty else { throw IndexError.corrupt(r.file, "a part names no segment") }
                let s = try r.count(max: segments.count - 1)
                let first = try r.count(max: Int(Int32.max))
                let n = try r.count(max: Int(Int32.max))
                parts.append(Manifest.Part(segment: segments[s], firstDoc: first, count: n))
            }
            let key = String(decoding: path, as: UTF8.self)
            guard
                out.updateValue(
                    Manifest.FileRecord(size: size, mtime: mtime, articles: articles, parts: parts), forKey: key) == nil
            else { throw IndexError.corrupt(r.file, "path \(key) listed twice") }
            keys.append(key)
        }
        if r.remaining > 0 {
            let count = try r.count(max: records)
            var previous = -1
            for _ in 0..<count {
                let i = try r.count(max: records - 1)
                guard i > previous else { throw IndexError.corrupt(r.file, "resume points out of order") }
                previous = i
                let size = try r.count(max: Int(Int64.max))
                let crc = try r.count(max: Int(UInt32.max))
                let lines = try r.count(max: Int(Int64.max))
                let units = try r.count(max: Int(Int32.max))
                out[keys[i]]?.resume = Manifest.Resume(
                    size: Int64(size), crc: UInt32(crc), lines: lines, units: units)
            }
        }
        guard r.remaining == 0 else { throw IndexError.corrupt(r.file, "\(r.remaining) bytes after the records") }
        return out
    }
}
