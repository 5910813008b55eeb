import Foundation

/// The commit point of an index: which segments are live, with their deletions, and which
/// corpus files they came from. Written to `MANIFEST.tmp`, fsynced, renamed to `MANIFEST`, and
/// the directory fsynced: a reader sees the old commit or the new one, never a mix.
public struct Manifest: Codable, Sendable {
    public static let fileName = "MANIFEST"
    public static let currentFormat = 1
    /// Format 2: a segment's deletion list may be packed (`SegmentInfo.packedDeletions`); a
    /// commit writes it only then, so that an older loupe refuses what it would misread.
    /// Format 3: the file list records where appendable files were read to (`FileRecord.resume`).
    public static let supportedFormats = 1...3

    public var format: Int = Manifest.currentFormat
    public var generation: Int = 0
    public var analyzer: AnalyzerKind
    /// Absolute path of the indexed corpus directory.
    public var corpusRoot: String?
    public var segments: [SegmentInfo] = []
    /// Corpus files by path relative to the root, with what they produced. Kept in a file of
    /// their own (`FileList`, named by `fileList`); older indexes held them in the JSON.
    public var files: [String: FileRecord] = [:]
    /// The file holding `files` (nil: none written yet, or an older index's JSON holds them).
    public var fileList: FileList.Reference?
    public var nextSegment: Int = 1
    /// Ranking defaults stored with the index (`loupe index --k1 …`); `find` flags override.
    public var scoring: ScoringDefaults?
    /// Paths left out of the corpus (`loupe index --exclude`), kept by later updates.
    public var exclude: [String]?
    /// Query-time synonyms (`loupe index --synonyms FILE`), kept by later updates.
    public var synonyms: Synonyms?
    /// Symbolic links to directories and out of the corpus are followed (`loupe index
    /// --follow-links`), kept by later updates.
    public var followLinks: Bool?
    /// The version of the corpus readers that read the files (`ArticleLoading.version`; nil:
    /// 1, before it was recorded). A later loupe with newer readers reads again the files that
    /// gave no article.
    public var loaders: Int?
    /// Articles added by every commit so far, replacements of changed files' articles included
    /// (nil: an index made before it was counted). The topic model records it (`TopicModel.added`).
    public var articlesAdded: Int?

    public struct ScoringDefaults: Codable, Sendable, Equatable {
        public var k1: Float?
        public var b: Float?
        public var titleWeight: Float?
        public var stopwords: Bool?
        public var proximity: Bool?
        public var proximityWeight: Float?
        public var exactWeight: Float?
        public var sublinearRepeats: Bool?
        public var spelling: Bool?

        public init(
            k1: Float? = nil, b: Float? = nil, titleWeight: Float? = nil, stopwords: Bool? = nil,
            proximity: Bool? = nil,
            proximityWeight: Float? = nil, exactWeight: Float? = nil, sublinearRepeats: Bool? = nil,
            spelling: Bool? = nil
        ) {
            self.sublinearRepeats = sublinearRepeats
            self.spelling = spelling
            self.k1 = k1
            self.b = b
            self.titleWeight = titleWeight
            self.stopwords = stopwords
            self.proximity = proximity
            self.proximityWeight = proximityWeight
            self.exactWeight = exactWeight
        }
    }

    public init(analyzer: AnalyzerKind) { self.analyzer = analyzer }

    enum CodingKeys: String, CodingKey {
        case format, generation, analyzer, corpusRoot, segments, files, fileList, nextSegment, scoring, exclude,
            followLinks, loaders, synonyms, articlesAdded
    }

    /// Set in a decoder's `userInfo` to leave `files` out (empty): a corpus of one file per
    /// article has a record per file, and decoding 18,846 of them took 170 ms of every `find`.
    static let skipFiles = CodingUserInfoKey(rawValue: "loupe.manifest.skipFiles")!

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(Int.self, forKey: .format) ?? Manifest.currentFormat
        generation = try c.decodeIfPresent(Int.self, forKey: .generation) ?? 0
        analyzer = try c.decode(AnalyzerKind.self, forKey: .analyzer)
        corpusRoot = try c.decodeIfPresent(String.self, forKey: .corpusRoot)
        segments = try c.decodeIfPresent([SegmentInfo].self, forKey: .segments) ?? []
        fileList = try c.decodeIfPresent(FileList.Reference.self, forKey: .fileList)
        if decoder.userInfo[Manifest.skipFiles] as? Bool != true {
            files = try c.decodeIfPresent([String: FileRecord].self, forKey: .files) ?? [:]
        }
        nextSegment = try c.decodeIfPresent(Int.self, forKey: .nextSegment) ?? 1
        scoring = try c.decodeIfPresent(ScoringDefaults.self, forKey: .scoring)
        exclude = try c.decodeIfPresent([String].self, forKey: .exclude)
        followLinks = try c.decodeIfPresent(Bool.self, forKey: .followLinks)
        loaders = try c.decodeIfPresent(Int.self, forKey: .loaders)
        articlesAdded = try c.decodeIfPresent(Int.self, forKey: .articlesAdded)
        synonyms = try c.decodeIfPresent(Synonyms.self, forKey: .synonyms)
    }

    /// Everything but `files`, which go to their own file (`commit`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(generation, forKey: .generation)
        try c.encode(analyzer, forKey: .analyzer)
        try c.encodeIfPresent(corpusRoot, forKey: .corpusRoot)
        try c.encode(segments, forKey: .segments)
        try c.encodeIfPresent(fileList, forKey: .fileList)
        try c.encode(nextSegment, forKey: .nextSegment)
        try c.encodeIfPresent(scoring, forKey: .scoring)
        try c.encodeIfPresent(exclude, forKey: .exclude)
        try c.encodeIfPresent(followLinks, forKey: .followLinks)
        try c.encodeIfPresent(loaders, forKey: .loaders)
        try c.encodeIfPresent(articlesAdded, forKey: .articlesAdded)
        try c.encodeIfPresent(synonyms, forKey: .synonyms)
    }

    /// Only the corpus files' records of a manifest's JSON (see `load(directory:files:)`).
    struct FilesOnly: Decodable {
        var files: [String: FileRecord]?
    }

    /// One corpus file: its size and modification time when read, how many articles it gave,
    /// and where they are: runs of consecutive documents in segments (some may since be deleted).
    public struct FileRecord: Codable, Sendable, Equatable {
        public var size: Int64
        public var mtime: Int64  // nanoseconds
        public var articles: Int
        public var parts: [Part]
        /// An appendable file (JSON Lines, mbox, CSV) read to a record boundary: a later run that
        /// finds it grown, its first `resume.size` bytes unchanged, reads only what follows.
        public var resume: Resume?

        public init(size: Int64, mtime: Int64, articles: Int, parts: [Part] = [], resume: Resume? = nil) {
            self.size = size
            self.mtime = mtime
            self.articles = articles
            self.parts = parts
            self.resume = resume
        }
    }

    /// Where a file's reader stopped, at the end of a whole record: the bytes read (`size`), their
    /// CRC-32C, and the reader's counts there (`lines` read; `units`: articles of a JSON Lines
    /// file, messages of a mailbox, skipped ones counted, data rows of a CSV file; for a web
    /// archive, `lines` is the offset in its inflated record stream and `units` the records
    /// read), from which it goes on.
    public struct Resume: Codable, Sendable, Equatable {
        public var size: Int64
        public var crc: UInt32
        public var lines: Int
        public var units: Int

        public init(size: Int64, crc: UInt32, lines: Int, units: Int) {
            self.size = size
            self.crc = crc
            self.lines = lines
            self.units = units
        }
    }

    public struct Part: Codable, Sendable, Equatable {
        public var segment: String
        public var firstDoc: Int
        public var count: Int

        public init(segment: String, firstDoc: Int, count: Int) {
            self.segment = segment
            self.firstDoc = firstDoc
            self.count = count
        }

        /// `parts` in segment and document order, with parts that continue one another (same
        /// segment, the next starting where the previous ends) joined into one. A large file is
        /// read in batches of a few dozen articles, and after a merge its parts lie end to end: a
        /// MANIFEST listing each batch grew to 250 KB on en-all and took a fifth of a command's
        /// start to decode.
        public static func coalesced(_ parts: [Part]) -> [Part] {
            var out: [Part] = []
            out.reserveCapacity(parts.count)
            let sorted = parts.sorted {
                $0.segment != $1.segment ? $0.segment < $1.segment : $0.firstDoc < $1.firstDoc
            }
            for p in sorted {
                if let last = out.last, last.segment == p.segment, last.firstDoc + last.count == p.firstDoc {
                    out[out.count - 1].count += p.count
                } else {
                    out.append(p)
                }
            }
            return out
        }
    }

    /// The manifest of `directory`; with `files: false` its corpus file records are left out
    /// (`files` empty: see `skipFiles`), and `json` gives the checked bytes to read them from
    /// later (`fileRecords(json:)`).
    public static func load(directory: String) throws -> Manifest { try load(directory: directory, files: true).0 }

    public static func load(directory: String, files: Bool) throws -> (Manifest, [UInt8]) {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else {
            throw IndexError.missing("no index at \(directory)")
        }
        var bytes = try FileIO.read(path)
        // Trailer: "\ncrc32c XXXXXXXX\n" over the JSON before it (absent in older indexes).
        let tag = Array("\ncrc32c ".utf8)
        if bytes.count >= tag.count + 9, Array(bytes[(bytes.count - 17)..<(bytes.count - 9)]) == tag {
            let hex = String(decoding: bytes[(bytes.count - 9)..<(bytes.count - 1)], as: UTF8.self)
            let json = Array(bytes[0..<(bytes.count - 17)])
            guard let stored = UInt32(hex, radix: 16), stored == CRC32C.checksum(json) else {
                throw IndexError.corrupt(path, "checksum mismatch")
            }
            bytes = json
        } else if bytes.last != UInt8(ascii: "}") {
            throw IndexError.corrupt(path, "truncated manifest (no checksum trailer)")
        }
        var m: Manifest
        do {
            let d = JSONDecoder()
            if !files { d.userInfo[Manifest.skipFiles] = true }
            m = try d.decode(Manifest.self, from: Data(bytes))
        } catch {
            throw IndexError.corrupt(path, "unreadable manifest (\(error))")
        }
        if files, let ref = m.fileList {
            let list = try MappedFile(path: directory + "/" + ref.name)
            m.files = try FileList.decode(list.bytes, ref, file: list.path)
        }
        return (m, bytes)
    }

    /// The corpus file records of a manifest's checked JSON bytes.
    public static func fileRecords(json: [UInt8]) throws -> [String: FileRecord] {
        try JSONDecoder().decode(FilesOnly.self, from: Data(json)).files ?? [:]
    }

    /// Atomically replaces the manifest of `directory` with this one, after writing `files` to a
    /// new list file — unless `filesUnchanged` and the list named already holds them.
    public mutating func commit(directory: String, filesUnchanged: Bool = false) throws {
        if !filesUnchanged || fileList == nil {
            fileList = try FileList.write(
                files, directory: directory, generation: generation, replacing: fileList?.name)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = Array(try enc.encode(self))
        let crc = String(CRC32C.checksum(data), radix: 16)
        let trailer = "\ncrc32c " + String(repeating: "0", count: 8 - crc.count) + crc + "\n"
        let tmp = directory + "/" + Manifest.fileName + ".tmp"
        try FileIO.write(data + Array(trailer.utf8), to: tmp)
        CrashPoint.hit("commit-before-rename")
        try FileIO.rename(tmp, directory + "/" + Manifest.fileName)
        try FileIO.syncDirectory(directory)
    }
}
