import LoupeCore

/// OLE2 compound files ([MS-CFB]), read from memory: the container of legacy Word (`.doc`),
/// Excel (`.xls`), PowerPoint (`.ppt`) and Outlook (`.msg`) files. A little FAT file system in
/// one file: a 512-byte header, then sectors of 512 (version 3) or 4096 (version 4) bytes
/// holding the FAT (sector chains, found through the DIFAT: 109 entries in the header, then a
/// chain of DIFAT sectors), the directory (128-byte entries) and the streams. Streams smaller
/// than the mini stream cutoff (4096 bytes) live in the mini stream (the root entry's stream),
/// in 64-byte mini sectors chained by the mini FAT.
///
/// Every sector number is checked against the sectors the file has before it is used; a chain
/// that visits a sector twice (a loop) or runs out of range is refused; a stream declaring more
/// bytes than the file holds, or more than `maxStreamBytes`, is refused before anything is
/// allocated; a directory of more than `maxEntries` entries is refused. Errors are `Damaged`
/// with a reason (`FAT chain loops at sector 12`).
struct CompoundFile {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    /// The most directory entries (used or not) read.
    static let maxEntries = 100_000
    /// The largest stream read.
    static let maxStreamBytes = 1 << 30

    struct Damaged: Error, Equatable, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    struct Entry: Equatable {
        var name: String
        /// 1 storage, 2 stream, 5 root storage.
        var type: UInt8
        var left: UInt32, right: UInt32, child: UInt32
        var start: UInt32
        var size: UInt64
    }

    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let freeSector: UInt32 = 0xFFFF_FFFF
    static let noStream: UInt32 = 0xFFFF_FFFF

    let bytes: [UInt8]
    let sectorSize: Int
    /// Sectors after the header (a last partial sector counts).
    let sectorCount: Int
    let fat: [UInt32]
    let entries: [Entry]
    let miniCutoff: Int
    private let firstMiniFATSector: UInt32
    private let miniFATSectors: Int

    static func hasMagic(_ b: [UInt8]) -> Bool { b.count >= 8 && b[0..<8].elementsEqual(signature) }

    @inline(__always) static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    @inline(__always) static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    init(_ b: [UInt8]) throws(Damaged) {
        guard Self.hasMagic(b) else { throw Damaged(reason: "no compound file signature") }
        guard b.count >= 512 else { throw Damaged(reason: "header cut short (\(b.count) bytes)") }
        guard Self.u16(b, 0x1C) == 0xFFFE else { throw Damaged(reason: "byte order mark is not 0xFFFE") }
        let shift = Self.u16(b, 0x1E)
        let major = Self.u16(b, 0x1A)
        guard shift == 9 || shift == 12 else { throw Damaged(reason: "sector shift \(shift) (9 or 12 expected)") }
        guard Self.u16(b, 0x20) == 6 else {
            throw Damaged(reason: "mini sector shift \(Self.u16(b, 0x20)) (6 expected)")
        }
        let size = 1 << shift
        sectorSize = size
        bytes = b
        // Sector n starts at (n + 1) × size; the header fills sector "-1".
        sectorCount = b.count > size ? (b.count - size + size - 1) / size : 0
        let cutoff = Int(Self.u32(b, 0x38))
        miniCutoff = cutoff == 0 ? 4096 : min(cutoff, 4096)

        // DIFAT: the FAT's sector numbers, 109 in the header, then a chain of DIFAT sectors
        // (each ends with the next one's number).
        let fatSectors = Int(Self.u32(b, 0x2C))
        guard fatSectors <= sectorCount else {
            throw Damaged(reason: "\(fatSectors) FAT sectors declared, the file has \(sectorCount) sectors")
        }
        var difat: [UInt32] = []
        difat.reserveCapacity(fatSectors)
        for k in 0..<109 where difat.count < fatSectors { difat.append(Self.u32(b, 0x4C + 4 * k)) }
        var next = Self.u32(b, 0x44)
        let perSector = size / 4 - 1
        var seenDIFAT = Set<UInt32>()
        while difat.count < fatSectors {
            guard next != Self.endOfChain && next != Self.freeSector else {
                throw Damaged(reason: "DIFAT lists \(difat.count) of \(fatSectors) FAT sectors")
            }
            guard Int(next) < sectorCount else { throw Damaged(reason: "DIFAT sector \(next) out of range") }
            guard seenDIFAT.insert(next).inserted else { throw Damaged(reason: "DIFAT chain loops at sector \(next)") }
            let at = (Int(next) + 1) * size
            guard at + size <= b.count else { throw Damaged(reason: "DIFAT sector \(next) cut short") }
            for k in 0..<perSector where difat.count < fatSectors { difat.append(Self.u32(b, at + 4 * k)) }
            next = Self.u32(b, at + 4 * perSector)
        }
        var fat: [UInt32] = []
        fat.reserveCapacity(fatSectors * (size / 4))
        for s in difat {
            guard Int(s) < sectorCount else { throw Damaged(reason: "FAT sector \(s) out of range") }
            let at = (Int(s) + 1) * size
            guard at + size <= b.count else { throw Damaged(reason: "FAT sector \(s) cut short") }
            for k in 0..<(size / 4) { fat.append(Self.u32(b, at + 4 * k)) }
        }
        self.fat = fat
        firstMiniFATSector = Self.u32(b, 0x3C)
        miniFATSectors = Int(Self.u32(b, 0x40))

        // The directory: a chain of sectors of 128-byte entries.
        let dir = try Self.chain(
            from: Self.u32(b, 0x30), fat: fat, count: sectorCount, what: "directory",
            limit: Self.maxEntries / (size / 128) + 1)
        var entries: [Entry] = []
        entries.reserveCapacity(dir.count * size / 128)
        for s in dir {
            let base = (Int(s) + 1) * size
            guard base + size <= b.count else { throw Damaged(reason: "directory sector \(s) cut short") }
            for k in 0..<(size / 128) {
                let e = base + 128 * k
                let nameBytes = min(Self.u16(b, e + 0x40), 64)
                var units: [UInt16] = []
                var j = 0
                while j + 1 < nameBytes {
                    let u = UInt16(b[e + j]) | UInt16(b[e + j + 1]) << 8
                    if u == 0 { break }
                    units.append(u)
                    j += 2
                }
                var streamSize = UInt64(Self.u32(b, e + 0x78)) | UInt64(Self.u32(b, e + 0x7C)) << 32
                // Version 3 files may leave garbage in the high half.
                if major == 3 { streamSize &= 0xFFFF_FFFF }
                entries.append(
                    Entry(
                        name: String(decoding: units, as: UTF16.self), type: b[e + 0x42],
                        left: Self.u32(b, e + 0x44), right: Self.u32(b, e + 0x48), child: Self.u32(b, e + 0x4C),
                        start: Self.u32(b, e + 0x74), size: streamSize))
            }
        }
        guard let root = entries.first, root.type == 5 else { throw Damaged(reason: "no root entry") }
        self.entries = entries
    }

    /// The sectors of the chain starting at `start`: each sector number below `count`, none
    /// visited twice, at most `limit` sectors.
    static func chain(from start: UInt32, fat: [UInt32], count: Int, what: String, limit: Int) throws(Damaged)
        -> [UInt32]
    {
        var out: [UInt32] = []
        var seen = [Bool](repeating: false, count: min(count, fat.count))
        var s = start
        while s != endOfChain {
            guard Int(s) < seen.count else {
                throw Damaged(
                    reason: "\(what) chain: sector \(s == freeSector ? "number FREESECT" : String(s)) out of range")
            }
            guard !seen[Int(s)] else { throw Damaged(reason: "\(what) chain loops at sector \(s)") }
            guard out.count < limit else { throw Damaged(reason: "\(what) chain longer than \(limit) sectors") }
            seen[Int(s)] = true
            out.append(s)
            s = fat[Int(s)]
        }
        return out
    }

    /// The entries directly in the root storage (the red-black tree of its children walked
    /// whole; a storage's own children, such as an embedded object's streams, are not).
    var topLevel: [Entry] { children(of: entries[0]) }

    /// The entries directly in `storage` (its red-black tree of children walked whole).
    func children(of storage: Entry) -> [Entry] {
        var out: [Entry] = []
        var seen = [Bool](repeating: false, count: entries.count)
        var stack: [UInt32] = [storage.child]
        while let id = stack.popLast() {
            guard Int(id) < entries.count, !seen[Int(id)] else { continue }
            seen[Int(id)] = true
            let e = entries[Int(id)]
            out.append(e)
            stack.append(e.left)
            stack.append(e.right)
        }
        return out
    }

    /// A stream or storage directly in the root storage (names compared without case, as
    /// [MS-CFB] does).
    func entry(named name: String) -> Entry? {
        let key = name.uppercased()
        return topLevel.first { ($0.type == 1 || $0.type == 2) && $0.name.uppercased() == key }
    }

    /// The bytes of stream `name` of the root storage; nil when there is none.
    func stream(named name: String) throws(Damaged) -> [UInt8]? {
        guard let e = entry(named: name), e.type == 2 else { return nil }
        return try contents(of: e, name: name)
    }

    func contents(of e: Entry, name: String) throws(Damaged) -> [UInt8] {
        guard e.size <= UInt64(bytes.count) else {
            throw Damaged(reason: "stream \(name) declares \(e.size) bytes, more than the file's \(bytes.count)")
        }
        let size = Int(e.size)
        guard size <= Self.maxStreamBytes else {
            throw Damaged(reason: "stream \(name) of \(size) bytes (at most \(Self.maxStreamBytes) are read)")
        }
        if size == 0 { return [] }
        if e.type == 2 && size < miniCutoff { return try miniContents(start: e.start, size: size, name: name) }
        return try regular(start: e.start, size: size, name: name)
    }

    /// `size` bytes of the sector chain at `start`.
    private func regular(start: UInt32, size: Int, name: String) throws(Damaged) -> [UInt8] {
        try Self.gather(
            start: start, size: size, unit: sectorSize, next: fat, sectors: min(sectorCount, fat.count), from: bytes,
            base: sectorSize, name: name, mini: false)
    }

    /// `size` bytes of the mini sector chain at `start`, in the root entry's mini stream.
    private func miniContents(start: UInt32, size: Int, name: String) throws(Damaged) -> [UInt8] {
        let root = entries[0]
        guard root.size <= UInt64(bytes.count) else {
            throw Damaged(reason: "mini stream declares \(root.size) bytes, more than the file's \(bytes.count)")
        }
        let mini = try regular(start: root.start, size: Int(root.size), name: "mini stream")
        guard miniFATSectors <= sectorCount else {
            throw Damaged(reason: "\(miniFATSectors) mini FAT sectors declared, the file has \(sectorCount) sectors")
        }
        let miniFATBytes = try regular(
            start: firstMiniFATSector, size: miniFATSectors * sectorSize, name: "mini FAT")
        let miniFAT = stride(from: 0, to: miniFATBytes.count, by: 4).map { Self.u32(miniFATBytes, $0) }
        return try Self.gather(
            start: start, size: size, unit: 64, next: miniFAT, sectors: miniFAT.count, from: mini, base: 0,
            name: name, mini: true)
    }

    /// Follows a chain of `unit`-byte sectors (sector s at `base + s × unit` of `source`, the
    /// next one `next[s]`) for `size` bytes: every sector number below `sectors`, none visited
    /// twice, every sector within `source`.
    private static func gather(
        start: UInt32, size: Int, unit: Int, next: [UInt32], sectors: Int, from source: [UInt8], base: Int,
        name: String, mini: Bool
    ) throws(Damaged) -> [UInt8] {
        let needed = (size + unit - 1) / unit
        var out: [UInt8] = []
        out.reserveCapacity(size)
        var seen = [Bool](repeating: false, count: sectors)
        var s = start
        for _ in 0..<needed {
            guard s != endOfChain else { throw Damaged(reason: "stream \(name) ends before its \(size) bytes") }
            guard Int(s) < seen.count else {
                throw Damaged(reason: "stream \(name): \(mini ? "mini sector" : "sector") \(s) out of range")
            }
            guard !seen[Int(s)] else {
                throw Damaged(reason: "\(mini ? "mini FAT" : "FAT") chain of \(name) loops at sector \(s)")
            }
            seen[Int(s)] = true
            let at = base + Int(s) * unit
            let n = min(unit, size - out.count)
            guard at + n <= source.count else {
                throw Damaged(
                    reason: mini
                        ? "stream \(name): mini sector \(s) past the end of the mini stream"
                        : "stream \(name) runs past the end of the file (sector \(s))")
            }
            out.append(contentsOf: source[at..<(at + n)])
            s = next[Int(s)]
        }
        return out
    }
}
