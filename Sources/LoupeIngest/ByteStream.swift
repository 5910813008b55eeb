import CBZip2
import CLZMA
import CZlib
import CZstd
import Glibc
import LoupeCore

/// The bytes of an open file read in order, decompressed on the way when the file is gzip,
/// Zstandard, xz or bzip2 compressed (concatenated members, frames and streams included): what
/// the streaming loaders read, so that a compressed feed, mailbox, JSON dump or tar archive of
/// any size streams in flat memory instead of being inflated whole (which `Gzip.load` caps at
/// 1 GiB). The compressed input may also be a byte array (`init(bytes:kind:cap:)`), and a ZIP
/// archive's member is read as a window of the file or array (`init(fd:member:kind:size:crc:)`):
/// stored or raw-deflated, checked against the size and CRC-32 its entry declares.
///
/// A damaged or truncated stream is a failure (`read` returns -1, `failure` says why), as is
/// output beyond `cap` bytes (a decompression bomb: see `ArticleLoading.streamedOutputCap`).
public final class ByteStream {
    /// `deflate`: one raw deflate stream (a ZIP member's), no header or trailer.
    public enum Kind: Sendable { case plain, gzip, zstd, xz, bzip2, deflate }

    let fd: Int32
    /// The compressed input when it is in memory (then `fd` is -1).
    private let memory: [UInt8]?
    private var memoryOffset = 0
    /// Where the input stops: the end of `memory`, or of a member's window of the file.
    private var inputLimit = Int.max
    /// A window of the file, read with `pread` from `filePosition` (the descriptor's own offset
    /// is neither used nor moved, so that other threads may read other members of the file).
    private let windowed: Bool
    /// The next byte of the window to read.
    public private(set) var filePosition = 0
    /// The size and CRC-32 the output must have (a ZIP member's), checked at its end.
    private let check: (size: Int, crc: UInt32)?
    private var crc: UInt = 0
    public let kind: Kind
    /// The most bytes handed out before `read` fails; nil: no limit.
    let cap: Int?
    /// Why the last `read` returned -1 (`gzip data is damaged (truncated)`).
    public private(set) var failure: String?
    /// The same for damaged data, without the kind (`truncated`).
    private var damage: String?
    /// Bytes handed out so far.
    public private(set) var produced = 0
    /// With `tracksContent` (a descriptor's reads, plain or compressed): the CRC-32C of every
    /// byte read from the file, from `contentCRC`'s starting value (where an appendable file was
    /// read to: `Manifest.Resume`), the bytes read (`inputRead`) and the last (up to) three bytes
    /// handed out (`lastOutput`).
    public var tracksContent = false
    public var contentCRC: UInt32 = 0
    public private(set) var inputRead = 0
    public private(set) var lastOutput: [UInt8] = []
    /// The input ended where it may end (between compressed members or frames), nothing wrong.
    public var endedCleanly: Bool { finished && failure == nil }

    private var input: UnsafeMutableRawBufferPointer
    private var inStart = 0
    private var inEnd = 0
    private var inputEnded = false
    private var finished = false
    /// Within a gzip member or Zstandard frame (input fed since its start, its end not seen).
    private var inFrame = false
    private var z = z_stream()
    private var zReady = false
    private var zstd: OpaquePointer?
    private var lz = lzma_stream()
    private var lzReady = false
    private var bz = bz_stream()
    private var bzReady = false

    /// Reads `fd` from its current offset (the descriptor stays the caller's to close).
    public init(fd: Int32, kind: Kind = .plain, cap: Int? = nil) {
        self.fd = fd
        self.kind = kind
        self.cap = cap
        memory = nil
        windowed = false
        check = nil
        input = .allocate(byteCount: kind == .plain ? 0 : 1 << 16, alignment: 16)
        start()
    }

    /// A ZIP member: the bytes `range` of the file `fd` (read with `pread`) or of `bytes`,
    /// stored (`plain`) or raw-deflated (`deflate`), which must give exactly `size` bytes with
    /// the CRC-32 `crc`; more, fewer or others are damage (`inflates to 5 bytes, its entry
    /// says 5000`, `CRC-32 mismatch`).
    init(fd: Int32 = -1, bytes: [UInt8]? = nil, member range: Range<Int>, kind: Kind, size: Int, crc: UInt32) {
        self.fd = fd
        self.kind = kind
        cap = nil
        memory = bytes
        windowed = bytes == nil
        memoryOffset = range.lowerBound
        filePosition = range.lowerBound
        inputLimit = range.upperBound
        check = (size, crc)
        self.crc = CZlib.crc32(0, nil, 0)
        input = .allocate(byteCount: kind == .plain ? 0 : 1 << 16, alignment: 16)
        start()
    }

    /// Decompresses `bytes` (`kind` is not `.plain`).
    public init(bytes: [UInt8], kind: Kind, cap: Int? = nil) {
        fd = -1
        self.kind = kind
        self.cap = cap
        memory = bytes
        windowed = false
        check = nil
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        start()
    }

    private func start() {
        switch kind {
        case .plain:
            break
        case .gzip, .deflate:
            zReady = loupe_inflateInit2(&z, kind == .gzip ? 16 + MAX_WBITS : -MAX_WBITS) == Z_OK
            if !zReady { failure = "zlib init failed" }
        case .zstd:
            zstd = ZSTD_createDStream()
            if zstd == nil { failure = "zstd init failed" }
        case .xz:
            // Concatenated streams are one; no memory limit beyond the format's own.
            lzReady = lzma_stream_decoder(&lz, UInt64.max, 0x08 /* LZMA_CONCATENATED */) == LZMA_OK
            if !lzReady { failure = "xz init failed" }
        case .bzip2:
            bzReady = BZ2_bzDecompressInit(&bz, 0, 0) == BZ_OK
            if !bzReady { failure = "bzip2 init failed" }
        }
    }

    deinit {
        if zReady { inflateEnd(&z) }
        if let zstd { ZSTD_freeDStream(zstd) }
        if lzReady { lzma_end(&lz) }
        if bzReady { BZ2_bzDecompressEnd(&bz) }
        input.deallocate()
    }

    /// Fails with damaged data: `why` as the compression library says it.
    private func damaged(_ why: String) -> Int {
        damage = why
        failure = "\(kindName) data is damaged (\(why))"
        return -1
    }

    private var kindName: String {
        switch kind {
        case .plain: "file"
        case .gzip: "gzip"
        case .zstd: "zstd"
        case .xz: "xz"
        case .bzip2: "bzip2"
        case .deflate: "deflate"
        }
    }

    /// Everything `bytes` decompress to, at most `cap` bytes.
    static func decompress(_ bytes: [UInt8], kind: Kind, cap: Int) throws -> [UInt8] {
        let s = ByteStream(bytes: bytes, kind: kind, cap: cap)
        let (out, failed) = s.readAll()
        guard failed else { return out }
        // (The cap is at least 16 MB: what was read holds the first 512 bytes.)
        if s.overCap { throw Gzip.InflateError.overCap(prefix: Array(out.prefix(512))) }
        throw Gzip.InflateError.broken(s.damage ?? s.failure ?? "read error")
    }

    /// Everything left to read, grown 64 KB at a time from `reserve` bytes of capacity (a
    /// declared size may lie), and whether reading failed (see `failure`) before the end.
    func readAll(reserve: Int = 0) -> (bytes: [UInt8], failed: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(reserve)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read($0.baseAddress!, $0.count) }
            if n <= 0 { return (out, n < 0) }
            out += chunk[0..<n]
        }
    }

    /// Whether the failure is output beyond `cap`.
    private(set) var overCap = false

    /// Reads up to `count` bytes into `buffer`: the number read, 0 at the end, -1 on failure.
    public func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if failure != nil { return -1 }
        if count <= 0 { return 0 }
        // zlib's CRC-32 takes a 32-bit length.
        let count = check == nil ? count : min(count, 1 << 30)
        let n: Int
        switch kind {
        case _ where finished: n = 0
        case .plain: n = readPlain(buffer, count)
        case .gzip, .deflate: n = readGzip(buffer, count)
        case .zstd: n = readZstd(buffer, count)
        case .xz: n = readXZ(buffer, count)
        case .bzip2: n = readBZip2(buffer, count)
        }
        if n > 0 {
            produced += n
            if tracksContent {
                let out = UnsafeRawBufferPointer(start: buffer, count: n)
                lastOutput = n >= 3 ? Array(out.suffix(3)) : Array((lastOutput + out).suffix(3))
            }
            if let cap, produced > cap {
                overCap = true
                failure = "\(kindName) data expands beyond \(cap >> 20) MB (limit for this file); stopped"
                return -1
            }
        }
        if let check {
            if n > 0 {
                crc = CZlib.crc32(crc, buffer.assumingMemoryBound(to: Bytef.self), uInt(n))
                if produced > check.size {
                    return damaged("inflates to more than the \(check.size) bytes its entry says")
                }
            } else if n == 0 {
                if produced != check.size {
                    return damaged("inflates to \(produced) bytes, its entry says \(check.size)")
                }
                if UInt32(truncatingIfNeeded: crc) != check.crc { return damaged("CRC-32 mismatch") }
            }
        }
        return n
    }

    /// Why reading failed on damaged data, without the kind (`CRC-32 mismatch`); nil when it did
    /// not.
    var damageReason: String? { damage }

    /// Reads until `count` bytes, the end or a failure: the number read (fewer than `count`
    /// only then), and whether reading failed (see `failure`).
    public func readFully(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> (count: Int, failed: Bool) {
        var got = 0
        while got < count {
            let n = read(buffer + got, count - got)
            if n < 0 { return (got, true) }
            if n == 0 { break }
            got += n
        }
        return (got, false)
    }

    private func readPlain(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if memory != nil || windowed {
            let k = fill(buffer, count)
            if k == 0 { finished = true }
            return k
        }
        while true {
            let r = Glibc.read(fd, buffer, count)
            if r < 0 && errno == EINTR { continue }
            if r < 0 {
                failure = String(cString: strerror(errno))
                return -1
            }
            if r == 0 { finished = true }
            if tracksContent && r > 0 {
                contentCRC = CRC32C.checksum(UnsafeRawBufferPointer(start: buffer, count: r), seed: contentCRC)
                inputRead += r
            }
            return r
        }
    }

    /// Copies the next input bytes of `memory` or of the window into `buffer`: the number copied
    /// (0 at the end), or -1 on a read error.
    private func fill(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if let memory {
            let k = max(0, min(count, min(memory.count, inputLimit) - memoryOffset))
            memory.withUnsafeBytes { m in
                if k > 0 { buffer.copyMemory(from: m.baseAddress! + memoryOffset, byteCount: k) }
            }
            memoryOffset += k
            return k
        }
        let want = min(count, inputLimit - filePosition)
        guard want > 0 else { return 0 }
        while true {
            let r = pread(fd, buffer, want, off_t(filePosition))
            if r < 0 && errno == EINTR { continue }
            if r < 0 {
                failure = String(cString: strerror(errno))
                return -1
            }
            // The file ends inside the window (its directory says more than there is).
            if r == 0 { return damaged("truncated") }
            filePosition += r
            return r
        }
    }

    /// Refills the compressed input when it is used up; false on a read error.
    private func refill() -> Bool {
        guard inStart == inEnd, !inputEnded else { return true }
        if memory != nil || windowed {
            let k = fill(input.baseAddress!, input.count)
            if k < 0 { return false }
            inStart = 0
            inEnd = k
            if k == 0 { inputEnded = true }
            return true
        }
        while true {
            let r = Glibc.read(fd, input.baseAddress!, input.count)
            if r < 0 && errno == EINTR { continue }
            if r < 0 {
                failure = String(cString: strerror(errno))
                return false
            }
            inStart = 0
            inEnd = r
            if r == 0 { inputEnded = true }
            if tracksContent && r > 0 {
                contentCRC = CRC32C.checksum(
                    UnsafeRawBufferPointer(start: input.baseAddress, count: r), seed: contentCRC)
                inputRead += r
            }
            return true
        }
    }

    /// Refills the input: whether it is used up (nil on a read error). At its end between
    /// members or frames, the stream ends cleanly (`finished`); inside one, the decoder is still
    /// called, since it may hold output for a buffer that was full, and its stream is truncated
    /// only when it then gives nothing (`stalled`).
    private func refillOrEnd() -> Bool? {
        guard refill() else { return nil }
        let exhausted = inStart == inEnd
        if exhausted && !inFrame { finished = true }
        return exhausted
    }

    /// After a decoder call that gave nothing: truncated when no input is left inside a frame.
    private func stalled(_ exhausted: Bool) -> Int? { exhausted && inFrame ? damaged("truncated") : nil }

    private func readGzip(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard let exhausted = refillOrEnd() else { return -1 }
            if finished { return 0 }
            inFrame = true
            z.next_in = (input.baseAddress! + inStart).assumingMemoryBound(to: Bytef.self)
            z.avail_in = uInt(inEnd - inStart)
            z.next_out = buffer.assumingMemoryBound(to: Bytef.self)
            z.avail_out = uInt(min(count, Int(UInt32.max)))
            let rc = inflate(&z, Z_NO_FLUSH)
            inStart = inEnd - Int(z.avail_in)
            let got = min(count, Int(UInt32.max)) - Int(z.avail_out)
            if rc == Z_STREAM_END && kind == .deflate {
                // One stream: what follows it is not read.
                inFrame = false
                finished = true
                return got
            } else if rc == Z_STREAM_END {
                // Another member may follow.
                inFrame = false
                guard inflateReset(&z) == Z_OK else {
                    failure = "zlib reset failed"
                    return -1
                }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                return damaged(z.msg.map { String(cString: $0) } ?? "error \(rc)")
            }
            if got > 0 { return got }
            if let end = stalled(exhausted) { return end }
        }
    }

    private func readZstd(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard let exhausted = refillOrEnd() else { return -1 }
            if finished { return 0 }
            var src = ZSTD_inBuffer(src: input.baseAddress! + inStart, size: inEnd - inStart, pos: 0)
            var dst = ZSTD_outBuffer(dst: buffer, size: count, pos: 0)
            let ret = ZSTD_decompressStream(zstd, &dst, &src)
            inStart += src.pos
            if ZSTD_isError(ret) != 0 {
                return damaged(String(cString: ZSTD_getErrorName(ret)))
            }
            // 0: a frame is complete (another may follow); otherwise more input is due.
            inFrame = ret != 0
            if dst.pos > 0 { return dst.pos }
            if let end = stalled(exhausted) { return end }
        }
    }

    private func readXZ(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard refill() else { return -1 }
            // No input at all (what follows a grown file's last stream, when nothing did) ends
            // cleanly, as the other decoders' does; liblzma would call it truncated.
            if inputEnded && inStart == inEnd && lz.total_in == 0 {
                finished = true
                return 0
            }
            lz.next_in = UnsafePointer((input.baseAddress! + inStart).assumingMemoryBound(to: UInt8.self))
            lz.avail_in = inEnd - inStart
            lz.next_out = buffer.assumingMemoryBound(to: UInt8.self)
            lz.avail_out = count
            // At the end of the input, LZMA_FINISH: a stream cut short is then an error.
            let rc = lzma_code(&lz, inputEnded ? LZMA_FINISH : LZMA_RUN)
            inStart = inEnd - lz.avail_in
            let got = count - lz.avail_out
            if rc == LZMA_STREAM_END {
                finished = true
                return got
            }
            guard rc == LZMA_OK else {
                let why: String
                switch rc {
                case LZMA_BUF_ERROR: why = "truncated"
                case LZMA_FORMAT_ERROR: why = "not xz data"
                case LZMA_DATA_ERROR: why = "corrupt data"
                case LZMA_OPTIONS_ERROR: why = "unsupported options"
                case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR: why = "out of memory"
                default: why = "error \(rc.rawValue)"
                }
                return damaged(why)
            }
            if got > 0 { return got }
        }
    }

    private func readBZip2(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard let exhausted = refillOrEnd() else { return -1 }
            if finished { return 0 }
            inFrame = true
            bz.next_in = (input.baseAddress! + inStart).assumingMemoryBound(to: CChar.self)
            bz.avail_in = UInt32(inEnd - inStart)
            bz.next_out = buffer.assumingMemoryBound(to: CChar.self)
            bz.avail_out = UInt32(min(count, Int(UInt32.max)))
            let rc = BZ2_bzDecompress(&bz)
            inStart = inEnd - Int(bz.avail_in)
            let got = min(count, Int(UInt32.max)) - Int(bz.avail_out)
            if rc == BZ_STREAM_END {
                // Another stream may follow (pbzip2 writes many).
                inFrame = false
                BZ2_bzDecompressEnd(&bz)
                bz = bz_stream()
                bzReady = BZ2_bzDecompressInit(&bz, 0, 0) == BZ_OK
                guard bzReady else {
                    failure = "bzip2 init failed"
                    return -1
                }
            } else if rc != BZ_OK {
                return damaged(rc == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" : "corrupt data")
            }
            if got > 0 { return got }
            if let end = stalled(exhausted) { return end }
        }
    }
}
