#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every index file is `header | payload | footer`.
///
/// Header (12 bytes): magic `LOUP`, a 4-byte kind (`DICT`, `POST`, `POSN`, `LENS`, `STOR`), format
/// version (u32). Footer (8 bytes): CRC-32C of everything before it, then `PUOL`.
public enum IndexFile {
    public static let magic: [UInt8] = Array("LOUP".utf8)
    public static let footerMagic: [UInt8] = Array("PUOL".utf8)
    /// 5: the English stem space unifies British and American spellings (`SpellingVariants`).
    /// 6: an `author` field (term space and length slot) and authors in the stored articles.
    /// 7: the English analyzer cuts Chinese, Japanese and Korean into character pairs and folds
    ///    compatibility forms and letters like `ß`, `ø`, `æ` (terms of old indexes would not match).
    /// 8: postings skip tables of fixed-width entries, read in place (`PostingsFormat`).
    /// 9: the English analyzer keeps the `+` and `#` of `C++`, `C#`, `Disney+` on their word.
    /// 10: two words joined by a hyphen also count as their closed-up word in the stem space
    ///    (`e-mail` as `email`); the English analyzer passes over soft hyphens and other
    ///    invisible format characters inside words.
    /// 11: an acronym spelt like a function word (`US`, `U.S.`, `IT`, `WHO`) also counts in the
    ///    stem space as its capitals (`US`), apart from the word (`us`); a number with thousands
    ///    separators (`1,500`) as the number without them (`1500`).
    public static let formatVersion: UInt32 = 11
    public static let headerSize = 12
    public static let footerSize = 8

    /// The CRC-32C a file's footer records (what the MANIFEST stamps it with); nil for a file
    /// shorter than a footer.
    public static func footerCRC(_ b: UnsafeRawBufferPointer) -> UInt32? {
        guard b.count >= footerSize else { return nil }
        return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: b.count - 8, as: UInt32.self))
    }

    public static func header(kind: String, into w: inout ByteWriter) {
        w.append(magic)
        w.append(Array(kind.utf8.prefix(4)))
        w.u32(formatVersion)
    }

    /// Appends the checksum footer over everything written so far.
    public static func finish(_ w: inout ByteWriter) {
        let crc = CRC32C.checksum(w.bytes)
        w.u32(crc)
        w.append(footerMagic)
    }

    /// Checks header, kind and version; returns the payload range.
    public static func validate(_ buf: UnsafeRawBufferPointer, kind: String, file: String, checksum: Bool)
        throws -> Range<Int>
    {
        guard buf.count >= headerSize + footerSize else {
            throw IndexError.corrupt(file, "file too short (\(buf.count) bytes)")
        }
        guard Array(buf[0..<4]) == magic else { throw IndexError.corrupt(file, "bad magic") }
        guard Array(buf[4..<8]) == Array(kind.utf8) else {
            throw IndexError.corrupt(file, "expected a \(kind) file")
        }
        let version = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == formatVersion else {
            throw IndexError.otherFormat(file, version)
        }
        guard Array(buf[(buf.count - 4)...]) == footerMagic else {
            throw IndexError.corrupt(file, "bad footer (truncated?)")
        }
        if checksum {
            let stored = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: buf.count - 8, as: UInt32.self))
            let actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[0..<(buf.count - 8)]))
            guard stored == actual else { throw IndexError.corrupt(file, "checksum mismatch") }
        }
        return headerSize..<(buf.count - footerSize)
    }
}

/// A read-only memory mapping of a whole file. Immutable after init, so shareable across threads.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let path: String
    /// What `fstat` said of the file when it was mapped (`VerifiedFiles` keys on it).
    public let identity: FileIdentity

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw IndexError.corrupt(path, "file is missing") }
            throw IndexError.io(path, String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IndexError.io(path, String(cString: strerror(errno))) }
        identity = FileIdentity(st)
        let n = Int(st.st_size)
        if n == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw IndexError.io(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: n)
    }

    deinit {
        if let b = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: b), bytes.count) }
    }

    /// Drops the resident pages before `offset` (they are read again from the file if touched):
    /// a merge streaming through a segment keeps its memory flat.
    public func release(before offset: Int) {
        guard let b = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, bytes.count) / page * page
        if end > 0 { madvise(UnsafeMutableRawPointer(mutating: b), end, MADV_DONTNEED) }
    }
}

/// Small POSIX file helpers with error messages that name the file.
public enum FileIO {
    /// Writes `bytes` to `path` (created or truncated) and fsyncs it (unless `sync` is false).
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IndexError.io(path, String(cString: strerror(errno))) }
        var ok = true
        var err: Int32 = 0
        var what = "write"
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    err = errno
                    return
                }
                off += n
            }
        }
        if ok && sync && fsync(fd) != 0 {
            ok = false
            err = errno
            what = "fsync"
        }
        close(fd)
        if !ok { throw IndexError.io(path, "\(what) failed: \(String(cString: strerror(err)))") }
    }

    /// fsyncs the file at `path` (written earlier without it).
    public static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError.io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IndexError.io(path, "fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// fsync a directory so renames and creations in it are durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError.io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IndexError.io(path, "fsync failed: \(String(cString: strerror(errno)))") }
    }

    public static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw IndexError.io(to, "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        // Create parents as needed.
        var prefix = path.hasPrefix("/") ? "/" : ""
        for comp in path.split(separator: "/") {
            prefix += comp
            if !isDirectory(prefix) && mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw IndexError.io(prefix, "cannot create directory: \(String(cString: strerror(errno)))")
            }
            prefix += "/"
        }
    }

    public static func read(_ path: String) throws -> [UInt8] {
        let m = try MappedFile(path: path)
        return Array(m.bytes)
    }

    /// The `count` bytes of `fd` at `offset` (`pread`: the descriptor's own offset unmoved); nil
    /// when they are not all there.
    public static func read(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0 else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        return out.withUnsafeMutableBytes { read(fd, at: offset, into: $0) } ? out : nil
    }

    /// Fills `buffer` with `fd`'s bytes from `offset` (`pread` until full): false on an error or
    /// the end of the file first.
    public static func read(_ fd: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var got = 0
        while got < buffer.count {
            let r = pread(fd, buffer.baseAddress! + got, buffer.count - got, off_t(offset) + off_t(got))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return false }
            got += r
        }
        return true
    }

    public static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    public static func remove(_ path: String) { unlink(path) }
}

/// A file written sequentially through a buffer, with the running CRC-32C of what was
/// written: index files are streamed to disk, never assembled whole in memory.
public final class FileOutput {
    public let path: String
    private let fd: Int32
    private static let capacity = 1 << 20
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: FileOutput.capacity)
    private var used = 0
    private var flushed = 0
    private var crc: UInt32 = 0
    private var finished = false

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IndexError.io(path, String(cString: strerror(errno))) }
    }

    deinit {
        if !finished { close(fd) }
        buffer.deallocate()
    }

    /// Bytes written so far (the offset of the next byte).
    public var count: Int { flushed + used }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try append($0) }
    }

    public func append(_ w: ByteWriter) throws { try append(w.bytes) }

    /// Copies `b` into the buffer (writing it out whenever it fills). Most appends are a few
    /// bytes (a dictionary entry, a small postings block): those are copied without a call.
    public func append(_ b: UnsafeBufferPointer<UInt8>) throws {
        guard var src = b.baseAddress, b.count > 0 else { return }
        var left = b.count
        while left > 0 {
            let n = min(left, FileOutput.capacity - used)
            let dst = buffer + used
            if n <= 16 {
                for k in 0..<n { dst[k] = src[k] }
            } else {
                dst.update(from: src, count: n)
            }
            used += n
            src += n
            left -= n
            if used == FileOutput.capacity { try flush() }
        }
    }

    private func flush() throws {
        let raw = UnsafeRawBufferPointer(start: buffer, count: used)
        crc = CRC32C.checksum(raw, seed: crc)
        var off = 0
        while off < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw IndexError.io(path, "write failed: \(String(cString: strerror(errno)))")
            }
            off += n
        }
        flushed += used
        used = 0
    }

    /// Writes the header of an index file of `kind`.
    public func header(kind: String) throws {
        var w = ByteWriter()
        IndexFile.header(kind: kind, into: &w)
        try append(w)
    }

    /// Appends the checksum footer, fsyncs (unless `sync` is false) and closes.
    public func finish(sync: Bool = true) throws {
        try flush()
        var footer = ByteWriter()
        footer.u32(crc)
        footer.append(IndexFile.footerMagic)
        try append(footer)
        try flush()
        finished = true
        let ok = !sync || fsync(fd) == 0
        let err = errno
        close(fd)
        if !ok { throw IndexError.io(path, "fsync failed: \(String(cString: strerror(err)))") }
    }
}
