/// Tar archives (POSIX ustar, GNU long names, pax `path` records), read from memory: a corpus
/// often arrives as `feeds.tar.gz` or `archive.tar.zst`, and `loupe index` reads each member as
/// if it were a file of the corpus, named `archive.tar.zst/member/path`.
///
/// Regular files only (directories, links and devices are skipped, and so are hidden members,
/// such as macOS's `._` resource files, as the corpus walker skips hidden files). Every header's
/// checksum is verified; a damaged header or a member running past the end is an error naming
/// its offset, and the archive contributes nothing.
enum TarArchive {
    struct Member: Equatable {
        var path: String
        var data: Range<Int>
    }

    struct Damaged: Error, Equatable {
        var offset: Int
        var reason: String
    }

    static func isHeader(_ b: ArraySlice<UInt8>) -> Bool {
        let s = b.startIndex
        return b.count >= 512 && b[s + 257] == 0x75 && b[s + 258] == 0x73 && b[s + 259] == 0x74
            && b[s + 260] == 0x61 && b[s + 261] == 0x72
    }

    static func members(_ b: [UInt8]) throws(Damaged) -> [Member] {
        var out: [Member] = []
        var i = 0
        var longName: String?
        var paxPath: String?
        while i + 512 <= b.count {
            let h = b[i..<(i + 512)]
            if h.allSatisfy({ $0 == 0 }) { break }  // the end (two zero blocks; one is enough)
            guard let stored = octal(h[(i + 148)..<(i + 156)]) else {
                throw Damaged(offset: i, reason: "bad checksum field")
            }
            var sum = 0
            for (k, x) in h.enumerated() { sum += (k >= 148 && k < 156) ? 0x20 : Int(x) }
            guard sum == stored else { throw Damaged(offset: i, reason: "header checksum mismatch") }
            guard let size = number(h[(i + 124)..<(i + 136)]) else { throw Damaged(offset: i, reason: "bad size") }
            let start = i + 512
            guard size <= b.count - start else { throw Damaged(offset: i, reason: "member runs past the end") }
            let data = start..<(start + size)
            let type = h[i + 156]
            switch type {
            case UInt8(ascii: "L"):
                longName = cString(b[data])
            case UInt8(ascii: "x"):
                paxPath = paxRecord("path", b[data]) ?? paxPath
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                var name = cString(h[i..<(i + 100)])
                if isHeader(h) {
                    let prefix = cString(h[(i + 345)..<(i + 500)])
                    if !prefix.isEmpty { name = prefix + "/" + name }
                }
                let path = clean(paxPath ?? longName ?? name)
                if !path.isEmpty && !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    out.append(Member(path: path, data: data))
                }
                longName = nil
                paxPath = nil
            default:  // directories, links, devices, global pax headers
                if type != UInt8(ascii: "g") {
                    longName = nil
                    paxPath = nil
                }
            }
            i = start + (size + 511) / 512 * 512
        }
        // In the corpus walker's order (each directory's names sorted bytewise, depth first),
        // so that an archive indexes as its unpacked directory does (when an id repeats, the
        // last read wins).
        func parts(_ p: String) -> [[UInt8]] { p.split(separator: "/").map { Array($0.utf8) } }
        return out.map { (parts($0.path), $0) }.sorted { a, b in
            a.0.lexicographicallyPrecedes(b.0) { $0.lexicographicallyPrecedes($1) }
        }.map(\.1)
    }

    /// `./a/b` → `a/b`; `/a` → `a`; `a/../b` → `b` (a `..` never climbs above the archive),
    /// as ZIP member names are cleaned.
    private static func clean(_ p: String) -> String { ZipArchive.clean(p) }

    private static func cString(_ b: ArraySlice<UInt8>) -> String {
        String(decoding: b.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field (spaces and NULs around it allowed); nil when it holds anything else.
    private static func octal(_ b: ArraySlice<UInt8>) -> Int? {
        var v = 0
        var digits = 0
        for x in b {
            if x == 0x20 || x == 0 {
                if digits > 0 { break }
                continue
            }
            guard x >= 0x30 && x <= 0x37, digits < 20 else { return nil }
            v = v * 8 + Int(x - 0x30)
            digits += 1
        }
        return v
    }

    /// A size field: octal, or GNU's base-256 (high bit of the first byte set).
    private static func number(_ b: ArraySlice<UInt8>) -> Int? {
        guard let first = b.first, first & 0x80 != 0 else { return octal(b) }
        var v = Int(first & 0x7F)
        for x in b.dropFirst() {
            guard v < (Int.max >> 8) else { return nil }
            v = v << 8 | Int(x)
        }
        return v
    }

    /// The value of `key` in pax extended-header records (`<length> <key>=<value>\n`).
    private static func paxRecord(_ key: String, _ b: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: b, as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix(key + "=") { return String(record.dropFirst(key.count + 1)) }
        }
        return nil
    }
}

extension TarArchive {
    /// Reads a tar archive from `source` a member at a time, in archive order (not the sorted
    /// order of `members`: the archive is never whole in memory): each regular, visible member
    /// goes to `member` with its bytes; a member larger than `maxMemberBytes` to `tooLarge`
    /// instead (its bytes skipped). The same header checks as `members`; a damaged header, or
    /// an archive ending inside a member, throws.
    static func stream(
        _ source: ByteStream, maxMemberBytes: Int, member: (String, [UInt8]) -> Void, tooLarge: (String, Int) -> Void
    ) throws(Damaged) {
        var offset = 0
        var header = [UInt8](repeating: 0, count: 512)
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        /// Fills `buffer`'s first `count` bytes; false at a clean end before the first.
        func fill(_ buffer: inout [UInt8], _ count: Int) throws(Damaged) -> Bool {
            let (got, failed) = buffer.withUnsafeMutableBytes { source.readFully($0.baseAddress!, count) }
            if failed { throw Damaged(offset: offset + got, reason: source.failure ?? "read error") }
            if got == 0 && count > 0 { return false }
            if got < count { throw Damaged(offset: offset + got, reason: "member runs past the end") }
            offset += count
            return true
        }
        func skip(_ count: Int) throws(Damaged) {
            var left = count
            while left > 0 {
                let k = min(left, scratch.count)
                guard try fill(&scratch, k) else { throw Damaged(offset: offset, reason: "member runs past the end") }
                left -= k
            }
        }
        var longName: String?
        var paxPath: String?
        while true {
            let at = offset
            guard try fill(&header, 512) else { break }
            let h = header[...]
            if h.allSatisfy({ $0 == 0 }) { break }
            guard let stored = octal(h[148..<156]) else { throw Damaged(offset: at, reason: "bad checksum field") }
            var sum = 0
            for (k, x) in h.enumerated() { sum += (k >= 148 && k < 156) ? 0x20 : Int(x) }
            guard sum == stored else { throw Damaged(offset: at, reason: "header checksum mismatch") }
            guard let size = number(h[124..<136]) else { throw Damaged(offset: at, reason: "bad size") }
            let padded = (size + 511) / 512 * 512
            let type = h[156]
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"):
                guard size <= 1 << 20 else { throw Damaged(offset: at, reason: "bad size") }
                var data = [UInt8](repeating: 0, count: padded)
                guard try fill(&data, padded) else { throw Damaged(offset: at, reason: "member runs past the end") }
                if type == UInt8(ascii: "L") {
                    longName = cString(data[0..<size])
                } else {
                    paxPath = paxRecord("path", data[0..<size]) ?? paxPath
                }
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                var name = cString(h[0..<100])
                if isHeader(h) {
                    let prefix = cString(h[345..<500])
                    if !prefix.isEmpty { name = prefix + "/" + name }
                }
                let path = clean(paxPath ?? longName ?? name)
                longName = nil
                paxPath = nil
                let visible = !path.isEmpty && !path.split(separator: "/").contains(where: { $0.hasPrefix(".") })
                if visible && size <= maxMemberBytes {
                    var data = [UInt8](repeating: 0, count: size)
                    if size > 0 {
                        guard try fill(&data, size) else {
                            throw Damaged(offset: at, reason: "member runs past the end")
                        }
                    }
                    try skip(padded - size)
                    member(path, data)
                } else {
                    try skip(padded)
                    if visible { tooLarge(path, size) }
                }
            default:  // directories, links, devices, global pax headers
                if type != UInt8(ascii: "g") {
                    longName = nil
                    paxPath = nil
                }
                try skip(padded)
            }
        }
    }
}
