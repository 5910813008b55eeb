import CBZip2
import CLZMA
import CZlib
import CZstd
import Glibc

/// The bytes of an open file read in order, decompressed on the way when the file is gzip,
/// Zstandard, xz or bzip2 compressed (concatenated members, frames and streams included): what
/// the streaming loaders read, so that a compressed feed, mailbox, JSON dump or tar archive of
/// any size streams in flat memory instead of being inflated whole (which `Gzip.load` caps at
/// 1 GiB). The compressed input may also be a byte array (`init(bytes:kind:cap:)`).
///
/// A damaged or truncated stream is a failure (`read` returns -1, `failure` says why), as is
/// output beyond `cap` bytes (a decompression bomb: see `ArticleLoading.streamedOutputCap`).
public final class ByteStream {
    public enum Kind: Sendable { case plain, gzip, zstd, xz, bzip2 }

    let fd: Int32
    /// The compressed input when it is in memory (then `fd` is -1).
    private let memory: [UInt8]?
    private var memoryOffset = 0
    public let kind: Kind
    /// The most bytes handed out before `read` fails; nil: no limit.
    let cap: Int?
    /// Why the last `read` returned -1 (`gzip data is damaged (truncated)`).
    public private(set) var failure: String?
    /// The same for damaged data, without the kind (`truncated`).
    private var damage: String?
    /// Bytes handed out so far.
    public private(set) var produced = 0

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
        input = .allocate(byteCount: kind == .plain ? 0 : 1 << 16, alignment: 16)
        start()
    }

    /// Decompresses `bytes` (`kind` is not `.plain`).
    public init(bytes: [UInt8], kind: Kind, cap: Int? = nil) {
        fd = -1
        self.kind = kind
        self.cap = cap
        memory = bytes
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        start()
    }

    private func start() {
        switch kind {
        case .plain:
            break
        case .gzip:
            zReady = loupe_inflateInit2(&z, 16 + MAX_WBITS) == Z_OK
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
        }
    }

    /// Everything `bytes` decompress to, at most `cap` bytes.
    static func decompress(_ bytes: [UInt8], kind: Kind, cap: Int) throws -> [UInt8] {
        let s = ByteStream(bytes: bytes, kind: kind, cap: cap)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { s.read($0.baseAddress!, $0.count) }
            if n == 0 { return out }
            if n < 0 {
                if s.overCap {
                    throw Gzip.InflateError.overCap(prefix: Array((out + chunk.prefix(512)).prefix(512)))
                }
                throw Gzip.InflateError.broken(s.damage ?? s.failure ?? "read error")
            }
            out += chunk[0..<n]
        }
    }

    /// Whether the failure is output beyond `cap`.
    private(set) var overCap = false

    /// Reads up to `count` bytes into `buffer`: the number read, 0 at the end, -1 on failure.
    public func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if failure != nil { return -1 }
        if finished || count <= 0 { return 0 }
        let n: Int
        switch kind {
        case .plain: n = readPlain(buffer, count)
        case .gzip: n = readGzip(buffer, count)
        case .zstd: n = readZstd(buffer, count)
        case .xz: n = readXZ(buffer, count)
        case .bzip2: n = readBZip2(buffer, count)
        }
        if n > 0 {
            produced += n
            if let cap, produced > cap {
                overCap = true
                failure = "\(kindName) data expands beyond \(cap >> 20) MB (limit for this file); stopped"
                return -1
            }
        }
        return n
    }

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
        while true {
            let r = Glibc.read(fd, buffer, count)
            if r < 0 && errno == EINTR { continue }
            if r < 0 {
                failure = String(cString: strerror(errno))
                return -1
            }
            if r == 0 { finished = true }
            return r
        }
    }

    /// Refills the compressed input when it is used up; false on a read error.
    private func refill() -> Bool {
        guard inStart == inEnd, !inputEnded else { return true }
        if let memory {
            let k = min(input.count, memory.count - memoryOffset)
            memory.withUnsafeBytes { m in
                if k > 0 { input.baseAddress!.copyMemory(from: m.baseAddress! + memoryOffset, byteCount: k) }
            }
            memoryOffset += k
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
            return true
        }
    }

    /// Refills the input; at its end, 0 (between members or frames: a clean end) or -1 (inside
    /// one: truncated); nil while there is input.
    private func inputEnd() -> Int? {
        guard refill() else { return -1 }
        guard inStart == inEnd else { return nil }
        if inFrame { return damaged("truncated") }
        finished = true
        return 0
    }

    private func readGzip(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            if let end = inputEnd() { return end }
            inFrame = true
            z.next_in = (input.baseAddress! + inStart).assumingMemoryBound(to: Bytef.self)
            z.avail_in = uInt(inEnd - inStart)
            z.next_out = buffer.assumingMemoryBound(to: Bytef.self)
            z.avail_out = uInt(min(count, Int(UInt32.max)))
            let rc = inflate(&z, Z_NO_FLUSH)
            inStart = inEnd - Int(z.avail_in)
            let got = min(count, Int(UInt32.max)) - Int(z.avail_out)
            if rc == Z_STREAM_END {
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
        }
    }

    private func readZstd(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            if let end = inputEnd() { return end }
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
        }
    }

    private func readXZ(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard refill() else { return -1 }
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
            if let end = inputEnd() { return end }
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
        }
    }
}
