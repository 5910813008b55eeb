#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file as the file system identifies it: device, inode, size and the modification and
/// status-change times (nanoseconds). Any write to a file changes its status-change time, which
/// no user call can set back.
public struct FileIdentity: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int
    public var modified: Int64
    public var changed: Int64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
    }

    init(device: UInt64, inode: UInt64, size: Int, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// The identity of `path` now, or nil when it cannot be read.
    static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        return stat(path, &st) == 0 ? FileIdentity(st) : nil
    }
}

/// The index files whose full CRC has been verified, with the identity each had then
/// (`<index>/verified`, a hint any reader may write).
///
/// Verifying every byte at every open costs time in proportion to the index (45 ms per command
/// on a 275 MB index, and every page of it read from disk when it is not cached), so a file
/// whose full checksum was verified once is, at later opens, checked by size, header, footer
/// and the manifest's footer CRC only, as long as it is the same file: same device, inode, size,
/// modification and status-change times. Writing to a file in any way changes its status-change
/// time, so damage done through the file system is still caught at the next open; what this
/// gives up is damage below it (a disk corrupting data at rest after the first check), which
/// `loupe check` and every merge (they always verify in full) still find. A file changed less
/// than `minimumAge` seconds before it was verified is not recorded: file times tick coarsely
/// (a few milliseconds), and a write in the same tick would leave them equal.
///
/// The record is a hint: a missing, unreadable or malformed one means full verification, and
/// failing to write it (a read-only index) changes nothing.
public final class VerifiedFiles {
    public static let fileName = "verified"
    static let header = "loupe-verified 1"

    let directory: String
    let minimumAge: Double
    private var known: [String: (FileIdentity, UInt32)] = [:]
    private var confirmed: [String: (FileIdentity, UInt32)] = [:]
    private var dirty = false
    /// Bytes whose CRC this instance computed (0 when every file was known).
    public private(set) var checksummedBytes = 0

    public init(directory: String, minimumAge: Double = 2) {
        self.directory = directory
        self.minimumAge = minimumAge
        known = VerifiedFiles.read(directory + "/" + VerifiedFiles.fileName)
    }

    /// Validates `file` (named `name` inside the directory): header, kind, version and footer
    /// always; the full CRC unless this same file was verified before.
    public func validate(_ file: MappedFile, name: String, kind: String) throws -> Range<Int> {
        let b = file.bytes
        let footer = IndexFile.footerCRC(b) ?? 0
        if let (id, crc) = known[name], id == file.identity, crc == footer {
            let range = try IndexFile.validate(b, kind: kind, file: file.path, checksum: false)
            confirmed[name] = (id, crc)
            return range
        }
        let range = try IndexFile.validate(b, kind: kind, file: file.path, checksum: true)
        checksummedBytes += b.count
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nowNs = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        if Double(nowNs - file.identity.changed) >= minimumAge * 1e9 {
            confirmed[name] = (file.identity, footer)
            dirty = true
        }
        return range
    }

    /// Writes the record when this instance verified a file it did not know: the files it
    /// confirmed, and the earlier entries whose file is still the same (through a temporary
    /// file and a rename; errors are ignored).
    public func save() {
        guard dirty else { return }
        var entries = confirmed
        for (name, entry) in known where entries[name] == nil {
            if FileIdentity.of(directory + "/" + name) == entry.0 { entries[name] = entry }
        }
        var text = VerifiedFiles.header + "\n"
        for name in entries.keys.sorted() {
            let (id, crc) = entries[name]!
            text += "\(name) \(id.device) \(id.inode) \(id.size) \(id.modified) \(id.changed) \(crc)\n"
        }
        text += "end\n"
        // Unique per writer (two readers of one process may save at once).
        let tmp = directory + "/" + VerifiedFiles.fileName + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        if written != bytes.count || rename(tmp, directory + "/" + VerifiedFiles.fileName) != 0 {
            unlink(tmp)
        }
        dirty = false
    }

    /// The entries of a record, or none when it is missing or malformed in any way.
    static func read(_ path: String) -> [String: (FileIdentity, UInt32)] {
        guard let data = try? FileIO.read(path), data.count < 1 << 20 else { return [:] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == header, lines[lines.count - 2] == "end", lines.last == "" else {
            return [:]
        }
        var out: [String: (FileIdentity, UInt32)] = [:]
        for line in lines[1..<(lines.count - 2)] {
            let f = line.split(separator: " ")
            guard f.count == 7, !f[0].contains("/"), let dev = UInt64(f[1]), let ino = UInt64(f[2]),
                let size = Int(f[3]), let m = Int64(f[4]), let c = Int64(f[5]), let crc = UInt32(f[6])
            else { return [:] }
            out[String(f[0])] = (FileIdentity(device: dev, inode: ino, size: size, modified: m, changed: c), crc)
        }
        return out
    }
}
