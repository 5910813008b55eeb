import CZlib
import CZstd
import Glibc

/// The bytes of an open file read in order, inflated on the way when the file is gzip
/// (concatenated members included) or Zstandard compressed: what the streaming loaders read, so
/// that a compressed feed, mailbox, JSON dump or tar archive of any size streams in flat memory
/// instead of being inflated whole (which `Gzip.load` caps at 1 GiB).
///
/// A damaged or truncated stream is a failure (`read` returns -1, `failure` says why), as is
/// output beyond `cap` bytes (a decompression bomb: see `ArticleLoading.streamedOutputCap`).
public final class ByteStream {
    public enum Kind: Sendable { case plain, gzip, zstd }

    let fd: Int32
    public let kind: Kind
    /// The most bytes handed out before `read` fails; nil: no limit.
    let cap: Int?
    /// Why the last `read` returned -1.
    public private(set) var failure: String?
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

    /// Reads `fd` from its current offset (the descriptor stays the caller's to close).
    public init(fd: Int32, kind: Kind = .plain, cap: Int? = nil) {
        self.fd = fd
        self.kind = kind
        self.cap = cap
        input = .allocate(byteCount: kind == .plain ? 0 : 1 << 16, alignment: 16)
        switch kind {
        case .plain:
            break
        case .gzip:
            zReady = loupe_inflateInit2(&z, 16 + MAX_WBITS) == Z_OK
            if !zReady { failure = "zlib init failed" }
        case .zstd:
            zstd = ZSTD_createDStream()
            if zstd == nil { failure = "zstd init failed" }
        }
    }

    deinit {
        if zReady { inflateEnd(&z) }
        if let zstd { ZSTD_freeDStream(zstd) }
        input.deallocate()
    }

    private var kindName: String { kind == .zstd ? "zstd" : kind == .gzip ? "gzip" : "file" }

    /// Reads up to `count` bytes into `buffer`: the number read, 0 at the end, -1 on failure.
    public func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if failure != nil { return -1 }
        if finished || count <= 0 { return 0 }
        let n: Int
        switch kind {
        case .plain: n = readPlain(buffer, count)
        case .gzip: n = readGzip(buffer, count)
        case .zstd: n = readZstd(buffer, count)
        }
        if n > 0 {
            produced += n
            if let cap, produced > cap {
                failure = "\(kindName) data expands beyond \(cap >> 20) MB (limit for this file); stopped"
                return -1
            }
        }
        return n
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

    private func readGzip(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard refill() else { return -1 }
            if inStart == inEnd {
                // The input is over: a clean end only between members.
                if inFrame {
                    failure = "gzip data is damaged (truncated)"
                    return -1
                }
                finished = true
                return 0
            }
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
                failure = "gzip data is damaged (\(z.msg.map { String(cString: $0) } ?? "error \(rc)"))"
                return -1
            }
            if got > 0 { return got }
        }
    }

    private func readZstd(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            guard refill() else { return -1 }
            if inStart == inEnd {
                if inFrame {
                    failure = "zstd data is damaged (truncated)"
                    return -1
                }
                finished = true
                return 0
            }
            var src = ZSTD_inBuffer(src: input.baseAddress! + inStart, size: inEnd - inStart, pos: 0)
            var dst = ZSTD_outBuffer(dst: buffer, size: count, pos: 0)
            let ret = ZSTD_decompressStream(zstd, &dst, &src)
            inStart += src.pos
            if ZSTD_isError(ret) != 0 {
                failure = "zstd data is damaged (\(String(cString: ZSTD_getErrorName(ret))))"
                return -1
            }
            // 0: a frame is complete (another may follow); otherwise more input is due.
            inFrame = ret != 0
            if dst.pos > 0 { return dst.pos }
        }
    }
}
