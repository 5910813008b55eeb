import CZlib
import Glibc
import LoupeCore

/// ZIP archives (PKWARE's APPNOTE), read from memory or, when large, from the open file (`Source`):
/// a `.zip` of articles is read like a tar
/// archive (each member a file of the corpus, named `archive.zip/member/path`), and Word,
/// OpenDocument and EPUB files are ZIP archives of XML parts (see `OfficeLoader`).
///
/// The central directory is the truth (a member written with a data descriptor has zeros for
/// its sizes in its local header): the end record is looked for backwards over the last
/// 64 KB + 22 bytes (its comment may be that long), ZIP64's end record and extra fields give
/// sizes and offsets past 4 GB. Every size and offset is checked against the bytes there are
/// before it is used.
/// - members: stored (method 0) and deflated (method 8, zlib raw inflate); an encrypted member
///   or another method is listed with the reason it cannot be read (`unreadable`), and the
///   loaders skip it with a warning naming it;
/// - directories and symbolic links are skipped; hidden members (a name part starting with `.`,
///   such as macOS's `._` files) and macOS's `__MACOSX/` folder are marked (`isHidden`), for the
///   loader to skip as the corpus walker skips hidden files; paths are cleaned (`\` read as `/`, no leading `/`, `.` and `..` parts
///   resolved without ever climbing above the archive);
/// - a damaged archive (no end record, a directory entry or local header that is not one, a
///   member running past the central directory, two members sharing bytes, more than
///   `maxEntries` entries, a split archive) throws `Damaged` with the byte offset and reason;
/// - a member's contents (`contents(of:in:cap:)`) are at most `cap` bytes, and exactly the size
///   and CRC-32 the central directory gives: a member that declares more than the cap is refused
///   before anything is inflated, and inflating stops as soon as a member gives more than it
///   declared.
enum ZipArchive {
    /// The most entries (files and directories) an archive may list.
    static let maxEntries = 100_000
    /// The largest central directory read (100,000 entries with long names take about 30 MB).
    static let maxDirectoryBytes = 256 << 20

    /// Where an archive's bytes are: in memory, or in an open file read with `pread` (so that
    /// several threads may read members of it at once; the descriptor stays the caller's).
    enum Source {
        case memory([UInt8])
        case file(fd: Int32, size: Int)

        var count: Int {
            switch self {
            case .memory(let b): b.count
            case .file(_, let size): size
            }
        }

        /// The `n` bytes at `offset`; nil when they are not all there.
        func bytes(_ offset: Int, _ n: Int) -> [UInt8]? {
            guard offset >= 0, n >= 0, offset <= count, n <= count - offset else { return nil }
            switch self {
            case .memory(let b):
                return Array(b[offset..<(offset + n)])
            case .file(let fd, _):
                return FileIO.read(fd, at: Int64(offset), count: n)
            }
        }

        /// A member's bytes as they inflate, checked against its declared size and CRC-32.
        func stream(_ m: Member) -> ByteStream {
            let kind: ByteStream.Kind = m.method == 8 ? .deflate : .plain
            switch self {
            case .memory(let b): return ByteStream(bytes: b, member: m.data, kind: kind, size: m.size, crc: m.crc)
            case .file(let fd, _): return ByteStream(fd: fd, member: m.data, kind: kind, size: m.size, crc: m.crc)
            }
        }
    }

    struct Member: Equatable {
        var path: String
        /// Why the member cannot be read (encrypted, an unsupported compression method); nil when
        /// it can.
        var unreadable: String?
        var method: UInt16
        var crc: UInt32
        /// The uncompressed size the central directory declares.
        var size: Int
        /// The member's stored (compressed) bytes in the archive.
        var data: Range<Int>

        /// A hidden member (a name part starting with `.`, such as macOS's `._` files) or one of
        /// macOS's `__MACOSX/` folder: not a file of the corpus (a document's parts may be hidden:
        /// `_rels/.rels`).
        var isHidden: Bool { path.split(separator: "/").contains { $0.hasPrefix(".") || $0 == "__MACOSX" } }
    }

    struct Damaged: Error, Equatable {
        var offset: Int
        var reason: String
    }

    enum ContentError: Error, Equatable {
        /// The member declares or inflates to more than `cap` bytes.
        case overCap(Int)
        case damaged(String)
    }

    /// A local file header (`PK\3\4`) or, for an empty archive, an end record (`PK\5\6`).
    static func hasMagic(_ b: [UInt8]) -> Bool {
        b.count >= 4 && b[0] == 0x50 && b[1] == 0x4B
            && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))
    }

    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50

    /// The readable and unreadable regular members, in the corpus walker's order (each
    /// directory's names sorted bytewise, depth first), as `TarArchive.members` gives them.
    static func members(_ b: [UInt8]) throws(Damaged) -> [Member] { try members(.memory(b)) }

    static func members(_ source: Source) throws(Damaged) -> [Member] {
        let size = source.count
        // The end record is in the last 64 KB + 22 bytes (its comment may be that long).
        let tailStart = max(0, size - 22 - 0xFFFF)
        guard let tail = source.bytes(tailStart, size - tailStart) else {
            throw Damaged(offset: tailStart, reason: "cannot read the end of the archive")
        }
        guard let endInTail = endRecord(tail) else {
            throw Damaged(offset: max(0, size - 22), reason: "no end of central directory record")
        }
        let end = tailStart + endInTail
        let t = endInTail
        var disk = u16(tail, t + 4)
        var directoryDisk = u16(tail, t + 6)
        var count = UInt64(u16(tail, t + 10))
        var directorySize = UInt64(u32(tail, t + 12))
        var directoryOffset = UInt64(u32(tail, t + 16))
        // The central directory ends where the end record (or ZIP64's, when there is one) starts.
        var directoryLimit = end
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
            let locator = source.bytes(end - 20, 20), u32(locator, 0) == zip64LocatorSignature
        {
            let at = u64(locator, 8)
            guard at <= UInt64(end - 20), end - 20 - Int(at) >= 56, let z64 = source.bytes(Int(at), 56) else {
                throw Damaged(offset: end - 20, reason: "ZIP64 locator points outside the archive")
            }
            let z = Int(at)
            guard u32(z64, 0) == zip64EndSignature else {
                throw Damaged(offset: z, reason: "no ZIP64 end of central directory record")
            }
            disk = Int(u32(z64, 16))
            directoryDisk = Int(u32(z64, 20))
            count = u64(z64, 32)
            directorySize = u64(z64, 40)
            directoryOffset = u64(z64, 48)
            directoryLimit = z
        }
        guard disk == 0 && directoryDisk == 0 else {
            throw Damaged(offset: end, reason: "split (multi-volume) archive")
        }
        guard count <= UInt64(maxEntries) else {
            throw Damaged(offset: end, reason: "\(count) entries (at most \(maxEntries) are read)")
        }
        guard directoryOffset <= UInt64(directoryLimit), directorySize <= UInt64(directoryLimit) - directoryOffset
        else {
            throw Damaged(offset: end, reason: "central directory outside the archive")
        }
        let start = Int(directoryOffset)
        guard Int(count) * 46 <= Int(directorySize) else {
            throw Damaged(offset: start, reason: "central directory too short for \(count) entries")
        }
        guard directorySize <= UInt64(maxDirectoryBytes) else {
            throw Damaged(
                offset: start,
                reason:
                    "central directory of \(sizeText(Int(directorySize))) (at most \(sizeText(maxDirectoryBytes)) are read)"
            )
        }
        guard let b = source.bytes(start, Int(directorySize)) else {
            throw Damaged(offset: start, reason: "cannot read the central directory")
        }
        // Offsets in `b` are from the directory's start.
        let limit = b.count

        var out: [Member] = []
        /// (local header offset, end of data) of every member, to find members sharing bytes.
        var spans: [(Int, Int, String)] = []
        var p = 0
        for _ in 0..<Int(count) {
            guard p + 46 <= limit, u32(b, p) == centralSignature else {
                throw Damaged(offset: start + p, reason: "bad central directory entry")
            }
            let madeBy = u16(b, p + 4)
            let flags = u16(b, p + 8)
            let method = UInt16(u16(b, p + 10))
            let crc = u32(b, p + 16)
            var compressed = UInt64(u32(b, p + 20))
            var size = UInt64(u32(b, p + 24))
            let nameLength = u16(b, p + 28)
            let extraLength = u16(b, p + 30)
            let commentLength = u16(b, p + 32)
            let external = u32(b, p + 38)
            var local = UInt64(u32(b, p + 42))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= limit else {
                throw Damaged(offset: start + p, reason: "central directory entry runs past its end")
            }
            let rawName = b[(p + 46)..<(p + 46 + nameLength)]
            let name = decodeName(rawName, utf8: flags & 0x0800 != 0)
            // ZIP64: the fields that are 0xFFFFFFFF follow in the extra field 0x0001, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(b, e)
                let n = u16(b, e + 2)
                guard e + 4 + n <= extraEnd else { break }
                if id == 0x0001 {
                    var q = e + 4
                    func take(_ v: inout UInt64) {
                        guard v == 0xFFFF_FFFF, q + 8 <= e + 4 + n else { return }
                        v = u64(b, q)
                        q += 8
                    }
                    take(&size)
                    take(&compressed)
                    take(&local)
                }
                e += 4 + n
            }
            p = next
            let isDirectory = rawName.last == UInt8(ascii: "/") || rawName.last == UInt8(ascii: "\\")
            let isLink = madeBy >> 8 == 3 && (external >> 16) & 0o170000 == 0o120000
            if isDirectory || isLink { continue }
            // Every offset is checked before it is read.
            guard local <= UInt64(start), UInt64(start) - local >= 30 else {
                throw Damaged(offset: start + p, reason: "local header of \(name) outside the archive")
            }
            let h = Int(local)
            guard let header = source.bytes(h, 30), u32(header, 0) == localSignature else {
                throw Damaged(offset: h, reason: "no local header for \(name)")
            }
            let dataStart = h + 30 + u16(header, 26) + u16(header, 28)
            guard dataStart <= start, compressed <= UInt64(start - dataStart) else {
                throw Damaged(offset: h, reason: "\(name) runs past the end of its data")
            }
            guard size <= UInt64(Int.max >> 1) else {
                throw Damaged(offset: h, reason: "\(name) declares an impossible size")
            }
            let data = dataStart..<(dataStart + Int(compressed))
            spans.append((h, data.upperBound, name))
            let path = clean(name)
            if path.isEmpty { continue }
            var unreadable: String?
            if flags & 0x0001 != 0 {
                unreadable = "encrypted"
            } else if method != 0 && method != 8 {
                unreadable = "compression method \(method)\(methodNames[method].map { " (\($0))" } ?? "") not supported"
            }
            out.append(
                Member(path: path, unreadable: unreadable, method: method, crc: crc, size: Int(size), data: data))
        }
        // Members sharing bytes are how the smallest zip bombs multiply one deflate stream.
        spans.sort { $0.0 < $1.0 }
        for k in spans.indices.dropFirst() where spans[k].0 < spans[k - 1].1 {
            throw Damaged(offset: spans[k].0, reason: "\(spans[k].2) overlaps \(spans[k - 1].2)")
        }
        func parts(_ p: String) -> [[UInt8]] { p.split(separator: "/").map { Array($0.utf8) } }
        return out.map { (parts($0.path), $0) }.sorted { a, b in
            a.0.lexicographicallyPrecedes(b.0) { $0.lexicographicallyPrecedes($1) }
        }.map(\.1)
    }

    static let methodNames: [UInt16: String] = [
        1: "shrink", 6: "implode", 9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd",
        99: "AES",
    ]

    /// The end of central directory record's offset: the last one whose comment ends the file,
    /// else the last one whose comment fits in it (bytes appended after an archive).
    static func endRecord(_ b: [UInt8]) -> Int? {
        guard b.count >= 22 else { return nil }
        let lowest = max(0, b.count - 22 - 0xFFFF)
        var fits: Int?
        var i = b.count - 22
        while i >= lowest {
            if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 5 && b[i + 3] == 6 {
                let end = i + 22 + u16(b, i + 20)
                if end == b.count { return i }
                if end < b.count && fits == nil { fits = i }
            }
            i -= 1
        }
        return fits
    }

    /// A member's bytes: at most `cap`, checked against the declared size and CRC-32.
    static func contents(of m: Member, in b: [UInt8], cap: Int) throws(ContentError) -> [UInt8] {
        try contents(of: m, in: .memory(b), cap: cap)
    }

    static func contents(of m: Member, in source: Source, cap: Int) throws(ContentError) -> [UInt8] {
        if let why = m.unreadable { throw .damaged(why) }
        guard m.size <= cap else { throw .overCap(cap) }
        if m.method == 0 && m.data.count != m.size {
            throw .damaged("stored member holds \(m.data.count) bytes, its entry says \(m.size)")
        }
        let s = source.stream(m)
        let (out, failed) = s.readAll(reserve: min(m.size, 16 << 20))
        if failed { throw .damaged(s.damageReason.map(describe) ?? s.failure ?? "read error") }
        return out
    }

    /// A stream's damage as a member's: zlib's words for broken deflate data kept.
    private static func describe(_ why: String) -> String {
        switch why {
        case "truncated": "deflate data ends early"
        case _ where why.hasPrefix("inflates to") || why == "CRC-32 mismatch": why
        default: "bad deflate data (\(why))"
        }
    }

    /// `./a/b` → `a/b`; `/a` → `a`; `a/../../b` → `b`; `a\b` → `a/b`.
    static func clean(_ p: String) -> String {
        var parts: [Substring] = []
        for part in p.split(whereSeparator: { $0 == "/" || $0 == "\\" }) {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// A name flagged UTF-8 (general purpose bit 11), or valid UTF-8 anyway (many tools write
    /// UTF-8 without the flag), is UTF-8; any other is code page 437, as APPNOTE says.
    static func decodeName(_ b: ArraySlice<UInt8>, utf8: Bool) -> String {
        if utf8 || b.allSatisfy({ $0 < 0x80 }) { return String(decoding: b, as: UTF8.self) }
        if let s = b.withUnsafeBufferPointer(TextDecoding.utf8String) { return s }
        var s = ""
        for x in b { s.unicodeScalars.append(x < 0x80 ? Unicode.Scalar(x) : cp437[Int(x) - 0x80]) }
        return s
    }

    /// Code page 437's characters for 0x80–0xFF.
    private static let cp437: [Unicode.Scalar] = Array(
        ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
            + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}").unicodeScalars)

    @inline(__always) private static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    @inline(__always) private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    @inline(__always) private static func u64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32
    }
}

extension ZipArchive {
    /// An archive's members read within caps: each member at most `Gzip.outputCap` of its stored
    /// size (20×, 16 MB at least, 1 GB at most), and all of them together at most `Gzip.outputCap`
    /// of the archive's size, so that neither one bomb nor many small ones can fill memory.
    struct Reader {
        let source: Source
        let members: [Member]
        private let byPath: [String: Int]
        private let memberCap: (Int) -> Int
        /// The most bytes all members together may inflate to.
        let total: Int
        /// What is left of `total`.
        private(set) var left: Int

        struct Failure: Error {
            var message: String
            /// The archive's total was reached: no further member can be read.
            var exhausted = false
        }

        init(
            _ bytes: [UInt8], _ members: [Member], memberCap: @escaping (Int) -> Int = Gzip.outputCap,
            totalCap: Int? = nil
        ) {
            self.init(.memory(bytes), members, memberCap: memberCap, totalCap: totalCap)
        }

        init(
            _ source: Source, _ members: [Member], memberCap: @escaping (Int) -> Int = Gzip.outputCap,
            totalCap: Int? = nil
        ) {
            self.source = source
            self.members = members
            self.memberCap = memberCap
            total = totalCap ?? Gzip.outputCap(compressedSize: source.count)
            left = total
            var byPath: [String: Int] = [:]
            for (k, m) in members.enumerated() where byPath[m.path] == nil { byPath[m.path] = k }
            self.byPath = byPath
        }

        /// The (first) member named `path`.
        func member(_ path: String) -> Member? { byPath[path].map { members[$0] } }

        /// Checks member `m` against the caps (its own: `memberCap` of its stored size, or
        /// `cap` when given; the archive's: what is `left`) by the size its entry declares (the
        /// most it may give), and takes that from what is left.
        mutating func reserve(_ m: Member, cap: Int? = nil) throws(Failure) {
            if let why = m.unreadable { throw Failure(message: why) }
            let own = cap ?? memberCap(m.data.count)
            if m.size > own {
                throw Failure(
                    message: "member expands beyond \(sizeText(own)) (limit for \(m.data.count) stored bytes)")
            }
            if m.size > left {
                throw Failure(
                    message:
                        "the archive's members expand beyond \(sizeText(total)) in all (limit for a \(source.count)-byte archive)",
                    exhausted: true)
            }
            left -= m.size
        }

        /// A member's bytes (reserved first: see `reserve`); from any thread.
        static func read(_ m: Member, in source: Source) throws(Failure) -> [UInt8] {
            do {
                return try ZipArchive.contents(of: m, in: source, cap: m.size)
            } catch {
                switch error {
                case .overCap: throw Failure(message: "member expands beyond its declared \(m.size) bytes")
                case .damaged(let why): throw Failure(message: "damaged member: \(why)")
                }
            }
        }

        mutating func read(_ m: Member) throws(Failure) -> [UInt8] {
            try reserve(m)
            return try Self.read(m, in: source)
        }
    }
}
