import CZlib
import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// WARC web archives (ISO 28500, WARC/1.0 and 1.1: Heritrix, wget `--warc-file`, browsertrix,
/// webrecorder, the Internet Archive): one article per archived page. Recognised by content:
/// `WARC/1.` at the start of the file, or of a gzip file's content (`.warc.gz`, one gzip member
/// per record, is read member by member).
///
/// Records are a version line, header fields, a blank line, a block of exactly `Content-Length`
/// bytes and `CRLF CRLF`; header lines may end in LF alone. Read as articles:
/// - `response` records holding an HTTP response (`application/http`) with a 2xx status and a
///   `text/html`, `application/xhtml+xml` or `text/plain` payload (HTML read as `HTMLLoader`
///   reads a page, text as `TextLoader` reads a file); `application/pdf` payloads go to
///   `PDFLoader` (read when the PDF library is installed);
/// - `resource` and `conversion` records of those media types (the record's `Content-Type`).
/// The HTTP payload is de-chunked (`Transfer-Encoding: chunked`) and decompressed
/// (`Content-Encoding: gzip`, `deflate`; at most `maxPayloadBytes`, past which the record is
/// skipped with a warning; `br` and other encodings are skipped and counted). Its charset is
/// the HTTP `Content-Type`'s when iconv knows it, else the page's own declaration, else the
/// usual detection.
///
/// Skipped, counted in one note per file: `request`, `metadata`, `warcinfo`, `revisit` (the
/// same content as an earlier capture) and `continuation` records, redirects and other non-2xx
/// responses, other media types (images, scripts, CSS, fonts, JSON…), records whose target is
/// not an `http`, `https` or `ftp` URI (a crawler's `metadata://` log, browsertrix's `urn:`
/// records), records of more than `maxRecordBytes`, empty pages.
///
/// Article: id and link the record's `WARC-Target-URI` (without the `<>` WARC 1.0 sometimes
/// writes), global (a URL is unique everywhere): a page captured twice in one archive is one
/// article, the later capture's. Date: the page's own, else `WARC-Date`. Title: the page's,
/// else the URI. Position: the record's index in the file.
///
/// Damage: a record whose `Content-Length` runs past the end (a truncated archive) ends the
/// reading with a warning naming its byte offset, earlier records kept; bytes between records
/// that are not a record are skipped up to the next `WARC/1.` at the start of a line, with a
/// warning naming their offset; a header with no valid `Content-Length` is skipped likewise.
/// Byte offsets are in the decompressed stream. Memory is bounded by the largest record kept
/// (skipped blocks are passed over, not buffered), also when a large file is streamed.
public struct WARCLoader {
    /// Records whose block is larger are skipped (counted).
    public static let maxRecordBytes = 64 << 20
    /// A payload decompressed past this is skipped with a warning.
    public static let maxPayloadBytes = 32 << 20
    /// The most header bytes of one record (WARC or HTTP).
    static let maxHeaderBytes = 64 << 10

    let maxRecordBytes: Int
    let maxPayloadBytes: Int
    let pdf: PDFLoader

    public init() {
        self.init(maxRecordBytes: WARCLoader.maxRecordBytes, maxPayloadBytes: WARCLoader.maxPayloadBytes)
    }

    init(maxRecordBytes: Int, maxPayloadBytes: Int, pdf: PDFLoader = PDFLoader()) {
        self.maxRecordBytes = maxRecordBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.pdf = pdf
    }

    static let magic = Array("WARC/1.".utf8)

    /// `WARC/1.` at the start.
    static func looks(_ b: [UInt8]) -> Bool { b.count >= magic.count && b[0..<magic.count].elementsEqual(magic) }

    /// A gzip file whose content starts with `WARC/1.`.
    static func gzipHoldsWARC(_ b: [UInt8]) -> Bool {
        guard Gzip.hasMagic(b) else { return false }
        var strm = z_stream()
        guard loupe_inflateInit2(&strm, 16 + MAX_WBITS) == Z_OK else { return false }
        defer { inflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: magic.count)
        let produced: Int = b.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                strm.avail_in = uInt(src.count)
                strm.next_out = dst.baseAddress
                strm.avail_out = uInt(dst.count)
                _ = CZlib.inflate(&strm, Z_SYNC_FLUSH)
                return dst.count - Int(strm.avail_out)
            }
        }
        return produced == magic.count && out == magic
    }

    /// A whole uncompressed archive; or, `from` a position (a grown file's resume point: the
    /// stream offset and records read before), what followed it. `position` is set when the
    /// input ends between two records.
    public func load(_ bytes: [UInt8], relativePath: String, from: ReaderPosition? = nil) -> LoadResult {
        var reader = Reader(self, relativePath, from: from)
        var result = LoadResult()
        bytes.withUnsafeBufferPointer { reader.feed($0) { result.articles.append($0) } }
        result.position = reader.boundary
        result.diagnostics = reader.finish { result.articles.append($0) }
        result.retryLater = reader.retryLater
        return result
    }

    /// A whole gzip-compressed archive, inflated member by member into the reader; or what
    /// followed a resume point (`from`, `compressedAt` the file's bytes before it, `fileSize`
    /// its size). `position` is set when the input ends between two members and two records.
    func loadGzip(
        _ bytes: [UInt8], relativePath: String, from: ReaderPosition? = nil, compressedAt: Int = 0,
        fileSize: Int? = nil
    ) -> LoadResult {
        var reader = Reader(self, relativePath, from: from)
        var result = LoadResult()
        let inflater = Inflater(
            cap: WARCLoader.streamCap(compressed: fileSize ?? bytes.count), produced: from?.lines ?? 0,
            consumed: compressedAt)
        bytes.withUnsafeBufferPointer { src in
            inflater.push(src) { reader.feed($0) { result.articles.append($0) } }
        }
        if inflater.betweenMembers { result.position = reader.boundary }
        if let problem = inflater.finish() { reader.warn(problem) }
        result.diagnostics = reader.finish { result.articles.append($0) }
        result.retryLater = reader.retryLater
        return result
    }

    /// Streams an archive from `fd` (plain, or gzip when `gzip`) from where it is positioned:
    /// articles go to `emit` as records are read; the diagnostics come at the end (never an
    /// error: damage stops the reading with a warning, what came before is kept). `from` is
    /// a grown file's resume point, the file positioned after its bytes; `resume` is set when
    /// the file ends between two records (and members): the bytes read, their CRC-32C (taken
    /// as they were read), the stream offset and the records read.
    func stream(
        fd: Int32, size: Int, gzip: Bool, relativePath: String, retryLater: inout Bool,
        from: Manifest.Resume? = nil, resume: inout Manifest.Resume?, emit: (Article) -> Void
    ) -> [Diagnostic] {
        var reader = Reader(self, relativePath, from: from.map { ReaderPosition(lines: $0.lines, units: $0.units) })
        let inflater = Inflater(
            cap: WARCLoader.streamCap(compressed: size), produced: from?.lines ?? 0, consumed: Int(from?.size ?? 0))
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var total = Int(from?.size ?? 0)
        var crc = from?.crc ?? 0
        var failed = false
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                reader.warn("read error: \(String(cString: strerror(errno))); stopped")
                failed = true
                break
            }
            if n == 0 { break }
            total += n
            block.withUnsafeBufferPointer { b in
                let piece = UnsafeBufferPointer(rebasing: b[0..<n])
                crc = CRC32C.checksum(UnsafeRawBufferPointer(piece), seed: crc)
                if gzip {
                    inflater.push(piece) { reader.feed($0, emit) }
                } else {
                    reader.feed(piece, emit)
                }
            }
            if gzip && inflater.stopped {
                failed = true
                break
            }
        }
        if !failed && (!gzip || inflater.betweenMembers), let p = reader.boundary, total > 0 {
            resume = Manifest.Resume(size: Int64(total), crc: crc, lines: p.lines, units: p.units)
        }
        if gzip, let problem = inflater.finish() { reader.warn(problem) }
        let diagnostics = reader.finish(emit)
        retryLater = retryLater || reader.retryLater
        if retryLater { resume = nil }
        return diagnostics
    }

    /// The most bytes a gzip-compressed archive may inflate to: 1 GiB, or 100× its size.
    static func streamCap(compressed: Int) -> Int {
        let (scaled, overflow) = compressed.multipliedReportingOverflow(by: 100)
        return overflow ? Int.max : max(Gzip.absoluteCap, scaled)
    }
}

// MARK: - Gzip members

extension WARCLoader {
    /// Inflates concatenated gzip members in pieces, at most `cap` bytes in all. (A class: zlib
    /// keeps a pointer back to its stream, which must not move.)
    final class Inflater {
        private let strm = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        private var ready = false
        private var out = [UInt8](repeating: 0, count: 1 << 16)
        private(set) var produced = 0
        private(set) var consumed = 0
        /// Between members (or before the first): the input may end here.
        private var atBoundary = true
        private(set) var stopped = false
        private var problem: String?
        let cap: Int

        /// `produced` and `consumed`: the bytes before (a grown file read from a member's end),
        /// counted in the cap and in the offsets warnings name.
        init(cap: Int, produced: Int = 0, consumed: Int = 0) {
            self.cap = cap
            self.produced = produced
            self.consumed = consumed
            strm.initialize(to: z_stream())
            ready = loupe_inflateInit2(strm, 16 + MAX_WBITS) == Z_OK
            if !ready { stop("zlib init failed") }
        }

        deinit {
            if ready { inflateEnd(strm) }
            strm.deallocate()
        }

        private func stop(_ why: String) {
            stopped = true
            if problem == nil { problem = why }
        }

        func push(_ input: UnsafeBufferPointer<UInt8>, _ sink: (UnsafeBufferPointer<UInt8>) -> Void) {
            guard !stopped, input.count > 0 else { return }
            var offset = 0
            while offset < input.count && !stopped {
                if atBoundary {
                    // Padding after the last member (NULs) is not another member.
                    if input[offset] != 0x1F {
                        if input[offset...].contains(where: { $0 != 0 }) {
                            stop("bytes after the gzip data at compressed byte \(consumed + offset) ignored")
                        }
                        offset = input.count
                        break
                    }
                }
                strm.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + offset)
                strm.pointee.avail_in = uInt(input.count - offset)
                var rc: Int32 = Z_OK
                repeat {
                    rc = out.withUnsafeMutableBufferPointer { dst in
                        strm.pointee.next_out = dst.baseAddress
                        strm.pointee.avail_out = uInt(dst.count)
                        return CZlib.inflate(strm, Z_NO_FLUSH)
                    }
                    let n = out.count - Int(strm.pointee.avail_out)
                    atBoundary = false
                    if n > 0 {
                        if produced + n > cap {
                            stop("gzip data expands beyond \(cap >> 20) MB; stopped there")
                            break
                        }
                        produced += n
                        out.withUnsafeBufferPointer { sink(UnsafeBufferPointer(rebasing: $0[0..<n])) }
                    }
                } while rc == Z_OK && (strm.pointee.avail_out == 0 || strm.pointee.avail_in > 0)
                let used = (input.count - offset) - Int(strm.pointee.avail_in)
                offset += used
                if stopped { break }
                if rc == Z_STREAM_END {
                    consumed += used
                    atBoundary = true
                    _ = inflateReset(strm)
                    continue
                }
                if rc == Z_BUF_ERROR || rc == Z_OK {
                    consumed += used
                    if used == 0 { break }  // no progress: wait for more input
                    continue
                }
                let msg = strm.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                stop("gzip data damaged at compressed byte \(consumed + used) (\(msg)); stopped there")
            }
        }

        /// The input so far ends a member, with nothing wrong: more members may follow.
        var betweenMembers: Bool { ready && atBoundary && !stopped }

        /// Ends the stream: the problem met, if any (a member cut short too).
        func finish() -> String? {
            if ready {
                if !stopped && !atBoundary { stop("gzip data cut short; the last record may be incomplete") }
                inflateEnd(strm)
                ready = false
            }
            return problem
        }
    }
}

// MARK: - Records

extension WARCLoader {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The header fields read (others are passed over).
    struct Header {
        var type = ""
        var uri = ""
        var date = ""
        var contentType = ""
        var length: Int?
    }

    enum Media {
        case html, text, pdf
    }

    /// Skip reasons, in the order the note lists them: (singular, plural).
    enum Skip: Int, CaseIterable {
        case nonText, request, metadata, warcinfo, revisit, redirect, notOK, nonWeb, encoding, overCap, oversized,
            empty, unreadable, pdfNotRead, noURI, other

        var words: (String, String) {
            switch self {
            case .nonText: ("non-text response", "non-text responses")
            case .request: ("request", "requests")
            case .metadata: ("metadata record", "metadata records")
            case .warcinfo: ("warcinfo record", "warcinfo records")
            case .revisit: ("revisit", "revisits")
            case .redirect: ("redirect", "redirects")
            case .notOK: ("other non-2xx response", "other non-2xx responses")
            case .nonWeb: ("record of a non-web URI", "records of non-web URIs")
            case .encoding: ("payload in an unsupported encoding", "payloads in unsupported encodings")
            case .overCap: ("payload over the size limit", "payloads over the size limit")
            case .oversized: ("record over the size limit", "records over the size limit")
            case .empty: ("page without text", "pages without text")
            case .unreadable: ("unreadable page", "unreadable pages")
            case .pdfNotRead: ("PDF not read", "PDFs not read")
            case .noURI: ("record without a target URI", "records without a target URI")
            case .other: ("other record", "other records")
            }
        }
    }

    /// What to do with a record once its header (and, for HTTP, the response head) is read.
    enum Plan {
        case skip(Skip)
        /// Read the whole block: an HTTP response, or a payload of `media` (resource, conversion).
        case http
        case direct(Media, charset: String?)
    }

    /// An HTTP response head: status, the payload's media type and charset, codings.
    struct HTTPHead {
        var status = 0
        var mediaType = ""
        var charset: String?
        var contentEncoding = ""
        var chunked = false
        /// Where the payload starts in the block.
        var bodyStart = 0
    }

    /// The WARC reader: fed bytes in pieces (a whole file at once, or the chunks of a stream),
    /// it hands out articles as records complete. Unconsumed bytes (a record not yet whole) wait
    /// in `carry`.
    struct Reader {
        let loader: WARCLoader
        let path: String
        private var carry: [UInt8] = []
        /// Stream offset of the first byte not yet consumed.
        private var offset = 0
        /// Bytes of a skipped block still to pass over, and the record they belong to.
        private var skip = 0
        private var skipRecord: (offset: Int, length: Int)?
        /// Do not try again before `carry` holds this many bytes.
        private var need = 0
        private var garbageAt: Int?
        private var stopped = false
        private(set) var records = 0
        private(set) var pages = 0
        private var skipped = [Int](repeating: 0, count: Skip.allCases.count)
        private var diagnostics: [Diagnostic] = []
        private var budget = WarningBudget()

        /// `from`: a grown file's resume point (`lines` the stream offset, `units` the records
        /// before), the input being what follows it.
        init(_ loader: WARCLoader, _ path: String, from: ReaderPosition? = nil) {
            self.loader = loader
            self.path = path
            if let from {
                offset = from.lines
                records = from.units
            }
        }

        /// Where the input so far ends, when that is between two records (nothing buffered,
        /// no block to pass over, no damage): the stream offset (`lines`) and the records read
        /// (`units`). Bytes appended there read as they would in a whole reading.
        var boundary: ReaderPosition? {
            carry.isEmpty && skip == 0 && garbageAt == nil && !stopped
                ? ReaderPosition(lines: offset, units: records) : nil
        }

        mutating func warn(_ message: String) {
            diagnostics.append(Diagnostic(path: path, message: message, severity: .warning))
        }

        /// A warning of a kind that may repeat once per record (capped per kind).
        private mutating func warn(kind: String, _ message: String) {
            if budget.allow(kind) { warn(message) }
        }

        mutating func feed(_ piece: Bytes, _ emit: (Article) -> Void) {
            guard !stopped, piece.count > 0 else { return }
            var input = piece
            // Passing over a skipped block needs no buffering.
            if skip > 0 && carry.isEmpty {
                let n = min(skip, input.count)
                skip -= n
                offset += n
                if skip > 0 { return }
                skipRecord = nil
                input = UnsafeBufferPointer(rebasing: input[n...])
                if input.isEmpty { return }
            }
            if carry.isEmpty {
                let used = process(input, final: false, emit)
                if used < input.count { carry.append(contentsOf: input[used...]) }
            } else {
                carry.append(contentsOf: input)
                if carry.count < need { return }
                let buffered = carry
                let used = buffered.withUnsafeBufferPointer { process($0, final: false, emit) }
                carry.removeFirst(used)
            }
        }

        /// Ends the input: what remains is a cut record or garbage. Returns the diagnostics.
        mutating func finish(_ emit: (Article) -> Void) -> [Diagnostic] {
            if !stopped {
                let buffered = carry
                carry = []
                _ = buffered.withUnsafeBufferPointer { process($0, final: true, emit) }
            }
            if let (at, length) = skipRecord, skip > 0 {
                warn(
                    "record at byte \(at) cut short: Content-Length \(length) runs \(skip) bytes past the end; stopped"
                )
            }
            var d = diagnostics + budget.summary(path: path)
            var note =
                "\(WARCLoader.grouped(records)) record\(records == 1 ? "" : "s") read, "
                + "\(WARCLoader.grouped(pages)) page\(pages == 1 ? "" : "s") indexed"
            let reasons = Skip.allCases.compactMap { s -> String? in
                let n = skipped[s.rawValue]
                return n == 0 ? nil : "\(WARCLoader.grouped(n)) \(n == 1 ? s.words.0 : s.words.1)"
            }
            if !reasons.isEmpty { note += "; skipped: " + reasons.joined(separator: ", ") }
            d.append(Diagnostic(path: path, message: note, severity: .note))
            return d
        }

        private mutating func count(_ s: Skip) { skipped[s.rawValue] += 1 }

        /// A PDF was skipped for want of the PDF library: the archive is to be read again.
        var retryLater: Bool { skipped[Skip.pdfNotRead.rawValue] > 0 }

        /// Reads records from `b` (which starts at stream offset `offset`); returns how many
        /// bytes were consumed. Not final: stops at a record not yet whole.
        private mutating func process(_ b: Bytes, final: Bool, _ emit: (Article) -> Void) -> Int {
            var i = 0
            need = 0
            defer { offset += i }
            while i < b.count && !stopped {
                if skip > 0 {
                    let n = min(skip, b.count - i)
                    i += n
                    skip -= n
                    if skip > 0 { return i }
                    skipRecord = nil
                    continue
                }
                // Line ends between records (the block's trailing CRLF CRLF, extra blank lines).
                while i < b.count && (b[i] == 0x0D || b[i] == 0x0A) { i += 1 }
                if i == b.count { break }
                if b.count - i < WARCLoader.magic.count && !final { return i }
                let version = WARCLoader.versionLine(b, i)
                if version == nil && !final && b.count - i < 32 { return i }
                if version != true {
                    if garbageAt == nil { garbageAt = offset + i }
                    if let j = WARCLoader.nextMagic(b, from: i) {
                        endGarbage(at: offset + j)
                        i = j
                        continue
                    }
                    if final {
                        endGarbage(at: nil)
                        i = b.count
                        break
                    }
                    // Keep a tail that may be the start of the next record's line (and the byte
                    // before it, which must be a line end).
                    let keep = max(i, b.count - WARCLoader.magic.count - 1)
                    i = keep
                    return i
                }
                let recordAt = offset + i
                if garbageAt != nil { endGarbage(at: recordAt) }
                guard let (header, blockStart) = WARCLoader.header(b, from: i) else {
                    if b.count - i <= WARCLoader.maxHeaderBytes && !final {
                        need = b.count - i + 1
                        return i
                    }
                    if final && b.count - i <= WARCLoader.maxHeaderBytes {
                        warn("record at byte \(recordAt) cut short in its header; stopped")
                        i = b.count
                        break
                    }
                    warn("record at byte \(recordAt) has no end to its header; skipped to the next record")
                    i = WARCLoader.nextMagic(b, from: i + 1) ?? b.count
                    continue
                }
                guard let length = header.length else {
                    warn("record at byte \(recordAt) has no valid Content-Length; skipped to the next record")
                    i = WARCLoader.nextMagic(b, from: blockStart) ?? b.count
                    continue
                }
                let available = b.count - blockStart
                var plan = WARCLoader.plan(header)
                if case .http = plan {
                    // The response head decides whether the block is read at all.
                    let window = min(length, WARCLoader.maxHeaderBytes)
                    if available < window && !final {
                        need = blockStart - i + window
                        return i
                    }
                    let head = UnsafeBufferPointer(rebasing: b[blockStart..<(blockStart + min(window, available))])
                    if let h = WARCLoader.httpHead(head) {
                        if let s = WARCLoader.skipReason(h) { plan = .skip(s) }
                    } else if available >= window {
                        plan = .skip(.other)
                    }
                }
                if case .skip = plan {
                } else if length > loader.maxRecordBytes {
                    plan = .skip(.oversized)
                }
                if case .skip(let why) = plan {
                    count(why)
                    records += 1
                    skip = length
                    skipRecord = (recordAt, length)
                    i = blockStart
                    continue
                }
                guard available >= length else {
                    if final {
                        warn(
                            "record at byte \(recordAt) cut short: Content-Length \(length) runs \(length - available) bytes past the end; stopped"
                        )
                        i = b.count
                        stopped = true
                        break
                    }
                    need = blockStart - i + length
                    return i
                }
                let block = UnsafeBufferPointer(rebasing: b[blockStart..<(blockStart + length)])
                if let a = article(header, plan, block, recordAt: recordAt, index: records) {
                    pages += 1
                    emit(a)
                }
                records += 1
                i = blockStart + length
            }
            return i
        }

        private mutating func endGarbage(at next: Int?) {
            guard let at = garbageAt else { return }
            garbageAt = nil
            if let next {
                warn(
                    kind: "bytes between records skipped",
                    "\(next - at) bytes at byte \(at) are not a WARC record; skipped to the next record at byte \(next)"
                )
            } else {
                warn(
                    kind: "bytes between records skipped",
                    "bytes from byte \(at) to the end are not a WARC record; skipped")
            }
        }

        /// The article of a record read whole, or nil (counted as skipped).
        private mutating func article(_ h: Header, _ plan: Plan, _ block: Bytes, recordAt: Int, index: Int) -> Article?
        {
            let uri = WARCLoader.cleanURI(h.uri)
            var media: Media
            var charset: String?
            var payload: [UInt8]
            switch plan {
            case .skip: return nil
            case .direct(let m, let cs):
                (media, charset, payload) = (m, cs, Array(block))
            case .http:
                guard let head = WARCLoader.httpHead(block) else {
                    count(.other)
                    return nil
                }
                if let s = WARCLoader.skipReason(head) {
                    count(s)
                    return nil
                }
                var body = Array(block[head.bodyStart...])
                if head.chunked, let plain = WARCLoader.dechunk(body) { body = plain }
                switch WARCLoader.decode(body, codings: head.contentEncoding, cap: loader.maxPayloadBytes) {
                case .ok(let d): body = d
                case .unsupported:
                    count(.encoding)
                    return nil
                case .overCap:
                    count(.overCap)
                    warn(
                        kind: "payload over the size limit",
                        "\(uri) (record at byte \(recordAt)): payload expands beyond \(loader.maxPayloadBytes >> 20) MB; skipped"
                    )
                    return nil
                }
                guard let m = WARCLoader.media(head.mediaType, body) else {
                    count(.nonText)
                    return nil
                }
                (media, charset, payload) = (m, head.charset, body)
            }
            if payload.isEmpty {
                count(.empty)
                return nil
            }
            let r: LoadResult
            switch media {
            case .html:
                r = HTMLLoader().load(payload, relativePath: path, charset: charset, fallbackTitle: uri)
            case .text:
                if let cs = charset, let utf8 = HTMLLoader.transcoded(payload, charset: cs) { payload = utf8 }
                r = TextLoader().load(payload, relativePath: path, fallbackTitle: uri)
            case .pdf:
                r = loader.pdf.load(payload, relativePath: path)
            }
            for d in r.diagnostics where d.severity != .note {
                warn(kind: d.message, "\(uri) (record at byte \(recordAt)): \(d.message)")
            }
            guard var a = r.articles.first else {
                if media == .pdf && r.retryLater {
                    count(.pdfNotRead)
                } else if r.diagnostics.contains(where: { $0.severity != .note }) {
                    count(.unreadable)
                } else {
                    count(.empty)
                }
                return nil
            }
            a.id = uri
            a.link = uri
            a.source = path
            a.position = index
            a.idScope = nil
            if a.date == nil { a.date = LoaderDates.iso(h.date) }
            if media == .pdf && a.title == TextLoader.fileTitle(path) { a.title = uri }
            return a
        }
    }

    // MARK: Parsing

    @inline(__always) static func startsWithMagic(_ b: Bytes, _ i: Int) -> Bool {
        guard b.count - i >= magic.count else { return false }
        for k in 0..<magic.count where b[i + k] != magic[k] { return false }
        return true
    }

    /// Whether a version line (`WARC/1.0`, `WARC/1.1`: `WARC/1.` and digits, alone on its line)
    /// starts at `i`; nil when its line end is not within `b` yet.
    static func versionLine(_ b: Bytes, _ i: Int) -> Bool? {
        guard startsWithMagic(b, i) else { return false }
        let limit = min(b.count, i + 32)
        guard let nl = MarkupScan.next(0x0A, b, from: i, to: limit) else { return limit - i < 32 ? nil : false }
        var e = nl
        if e > i && b[e - 1] == 0x0D { e -= 1 }
        let digits = i + magic.count..<e
        return !digits.isEmpty && digits.allSatisfy { MarkupScan.isDigit(b[$0]) }
    }

    /// The next version line (or what may be one, cut by the end of `b`) at the start of a line
    /// after `from`.
    static func nextMagic(_ b: Bytes, from: Int) -> Int? {
        var i = from
        while let nl = MarkupScan.next(0x0A, b, from: i, to: b.count) {
            if versionLine(b, nl + 1) != false { return nl + 1 }
            i = nl + 1
        }
        return nil
    }

    /// A record header at `i` (which starts with `WARC/1.`): its fields and where its block
    /// starts; nil when the blank line ending it is not within `maxHeaderBytes`.
    static func header(_ b: Bytes, from start: Int) -> (Header, Int)? {
        let limit = min(b.count, start + maxHeaderBytes)
        guard var nl = MarkupScan.next(0x0A, b, from: start, to: limit) else { return nil }
        var h = Header()
        var lengthSeen = false
        var last: Int?  // which field a continuation line extends
        while true {
            let s = nl + 1
            guard let e = MarkupScan.next(0x0A, b, from: s, to: limit) else { return nil }
            var end = e
            if end > s && b[end - 1] == 0x0D { end -= 1 }
            nl = e
            if end == s { break }
            if b[s] == 0x20 || b[s] == 0x09 {
                // A folded line: only the URI and Content-Type are worth continuing.
                let more = latin1(b, s..<end).trimmingWhitespace()
                if last == 1 { h.uri += more } else if last == 2 { h.contentType += " " + more }
                continue
            }
            guard let colon = MarkupScan.next(UInt8(ascii: ":"), b, from: s, to: end) else {
                last = nil
                continue
            }
            let name = s..<colon
            var v = colon + 1
            while v < end && (b[v] == 0x20 || b[v] == 0x09) { v += 1 }
            var ve = end
            while ve > v && (b[ve - 1] == 0x20 || b[ve - 1] == 0x09) { ve -= 1 }
            last = nil
            if MarkupScan.nameIs(b, name, fType) {
                h.type = latin1(b, v..<ve).lowercased()
            } else if MarkupScan.nameIs(b, name, fURI) {
                h.uri = latin1(b, v..<ve)
                last = 1
            } else if MarkupScan.nameIs(b, name, fDate) {
                h.date = latin1(b, v..<ve)
            } else if MarkupScan.nameIs(b, name, fContentType) {
                h.contentType = latin1(b, v..<ve)
                last = 2
            } else if MarkupScan.nameIs(b, name, fLength) {
                // Digits only, at most 18 of them; a second, different length is no length.
                var n = 0
                var ok = v < ve && ve - v <= 18
                for k in v..<ve where ok {
                    if MarkupScan.isDigit(b[k]) { n = n * 10 + Int(b[k] - 0x30) } else { ok = false }
                }
                if lengthSeen && h.length != (ok ? n : nil) { ok = false }
                h.length = ok ? n : nil
                lengthSeen = true
            }
        }
        return (h, nl + 1)
    }

    private static let fType = Array("WARC-Type".utf8)
    private static let fURI = Array("WARC-Target-URI".utf8)
    private static let fDate = Array("WARC-Date".utf8)
    private static let fContentType = Array("Content-Type".utf8)
    private static let fLength = Array("Content-Length".utf8)
    private static let fEncoding = Array("Content-Encoding".utf8)
    private static let fTransfer = Array("Transfer-Encoding".utf8)

    /// A header value as text: UTF-8 when valid (IRIs), else Latin-1.
    static func latin1(_ b: Bytes, _ r: Range<Int>) -> String {
        let s = UnsafeBufferPointer(rebasing: b[r])
        if let t = TextDecoding.utf8String(s) { return t }
        return TextDecoding.latin1(s)
    }

    /// The target URI without the `<>` WARC 1.0 writers sometimes put around it.
    static func cleanURI(_ raw: String) -> String {
        var s = raw.trimmingWhitespace()
        if s.hasPrefix("<") && s.hasSuffix(">") && s.count >= 2 { s = String(s.dropFirst().dropLast()) }
        return s.trimmingWhitespace()
    }

    static func isWebURI(_ uri: String) -> Bool {
        let u = uri.prefix(8).lowercased()
        return u.hasPrefix("http://") || u.hasPrefix("https://") || u.hasPrefix("ftp://")
    }

    /// What the record's header says of it.
    static func plan(_ h: Header) -> Plan {
        switch h.type {
        case "request": return .skip(.request)
        case "metadata": return .skip(.metadata)
        case "warcinfo": return .skip(.warcinfo)
        case "revisit": return .skip(.revisit)
        case "response", "resource", "conversion": break
        default: return .skip(.other)
        }
        let uri = cleanURI(h.uri)
        if uri.isEmpty { return .skip(.noURI) }
        if !isWebURI(uri) { return .skip(.nonWeb) }
        let (type, charset) = mediaType(h.contentType)
        if h.type == "response" && type == "application/http" { return .http }
        guard let m = media(type, nil) else { return .skip(.nonText) }
        return .direct(m, charset: charset)
    }

    /// `type/subtype` lowercased, and the `charset` parameter.
    static func mediaType(_ value: String) -> (String, String?) {
        let parts = value.split(separator: ";")
        let type = parts.first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
        var charset: String?
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            if kv.count == 2 && String(kv[0]).trimmingWhitespace().lowercased() == "charset" {
                var v = String(kv[1]).trimmingWhitespace()
                if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                if !v.isEmpty { charset = v }
            }
        }
        return (type, charset)
    }

    /// The media read; an HTTP response without a type is HTML when its payload looks it.
    static func media(_ type: String, _ payload: [UInt8]?) -> Media? {
        switch type {
        case "text/html", "application/xhtml+xml": return .html
        case "text/plain": return .text
        case "application/pdf": return .pdf
        case "":
            if let p = payload, ArticleFormat.detect(Array(p.prefix(ArticleFormat.sniffBytes))) == .html {
                return .html
            }
            return nil
        default: return nil
        }
    }

    /// Why a response is not read, from its head alone.
    static func skipReason(_ h: HTTPHead) -> Skip? {
        if (300..<400).contains(h.status) { return .redirect }
        if !(200..<300).contains(h.status) { return .notOK }
        if h.mediaType.isEmpty { return nil }  // decided on the payload
        return media(h.mediaType, nil) == nil ? .nonText : nil
    }

    /// The status line and headers of an HTTP response at the start of `b`; nil when they are
    /// not there (or not whole within `b`).
    static func httpHead(_ b: Bytes) -> HTTPHead? {
        let http = Array("HTTP/".utf8)
        guard b.count >= 12, (0..<5).allSatisfy({ b[$0] == http[$0] }) else { return nil }
        guard let first = MarkupScan.next(0x0A, b, from: 0, to: b.count),
            let sp = MarkupScan.next(0x20, b, from: 5, to: first), sp + 3 < first
        else { return nil }
        var h = HTTPHead()
        var status = 0
        for k in (sp + 1)..<(sp + 4) {
            guard k < b.count, MarkupScan.isDigit(b[k]) else { return nil }
            status = status * 10 + Int(b[k] - 0x30)
        }
        h.status = status
        var nl = first
        while true {
            let s = nl + 1
            guard let e = MarkupScan.next(0x0A, b, from: s, to: b.count) else { return nil }
            var end = e
            if end > s && b[end - 1] == 0x0D { end -= 1 }
            nl = e
            if end == s { break }
            guard let colon = MarkupScan.next(UInt8(ascii: ":"), b, from: s, to: end) else { continue }
            var ne = colon
            while ne > s && (b[ne - 1] == 0x20 || b[ne - 1] == 0x09) { ne -= 1 }
            let name = s..<ne
            let value = colon + 1..<end
            if MarkupScan.nameIs(b, name, fContentType) {
                (h.mediaType, h.charset) = mediaType(latin1(b, value))
            } else if MarkupScan.nameIs(b, name, fEncoding) {
                let v = latin1(b, value).trimmingWhitespace().lowercased()
                h.contentEncoding = h.contentEncoding.isEmpty ? v : h.contentEncoding + ", " + v
            } else if MarkupScan.nameIs(b, name, fTransfer) {
                if latin1(b, value).lowercased().contains("chunked") { h.chunked = true }
            }
        }
        h.bodyStart = nl + 1
        return h
    }

    /// A chunked body de-chunked; nil when it does not start with a chunk size (then it was
    /// stored de-chunked already). A chunk cut short keeps what is there.
    static func dechunk(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        var first = true
        while i < b.count {
            var size = 0
            var digits = 0
            while i < b.count, let v = MarkupScan.hexValue(b[i]) {
                guard digits < 15 else { return first ? nil : out }
                size = size * 16 + Int(v)
                digits += 1
                i += 1
            }
            if digits == 0 { return first ? nil : out }
            // Chunk extensions (`;name=value`), up to the line end; the first line must be a size
            // line (`1f4a` then nothing but blanks or an extension), else the body is not chunked.
            var extensions = false
            while i < b.count && b[i] != 0x0A {
                let c = b[i]
                if c == 0x3B { extensions = true }
                if first && !extensions && !(c == 0x0D || c == 0x20 || c == 0x09) { return nil }
                i += 1
            }
            if first && i >= b.count { return nil }
            i += 1
            first = false
            if size == 0 { break }
            let end = min(b.count, i + size)
            if i < end { out.append(contentsOf: b[i..<end]) }
            i = end
            // The CRLF after the chunk.
            if i < b.count && b[i] == 0x0D { i += 1 }
            if i < b.count && b[i] == 0x0A { i += 1 }
        }
        return out
    }

    enum Decoded {
        case ok([UInt8])
        case unsupported
        case overCap
    }

    /// The payload with its content codings undone (last applied first), at most `cap` bytes.
    /// A payload said to be gzip that is not (stored decoded) is kept as it is.
    static func decode(_ body: [UInt8], codings: String, cap: Int) -> Decoded {
        var data = body
        let list = codings.split(separator: ",").map { String($0).trimmingWhitespace().lowercased() }.filter {
            !$0.isEmpty && $0 != "identity"
        }
        for c in list.reversed() {
            switch c {
            case "gzip", "x-gzip":
                guard Gzip.hasMagic(data) else { continue }
                guard let d = inflate(data, windowBits: 16 + MAX_WBITS, cap: cap) else { return .overCap }
                data = d
            case "deflate":
                // Usually a zlib stream; some servers send raw deflate.
                let zlib = data.count >= 2 && data[0] & 0x0F == 8 && (Int(data[0]) << 8 | Int(data[1])) % 31 == 0
                guard let d = inflate(data, windowBits: zlib ? MAX_WBITS : -MAX_WBITS, cap: cap) else {
                    return .overCap
                }
                data = d
            default:
                return .unsupported
            }
        }
        return data.count > cap ? .overCap : .ok(data)
    }

    /// Inflates one stream (what a damaged or cut stream gave so far is kept); nil past `cap`.
    static func inflate(_ input: [UInt8], windowBits: Int32, cap: Int) -> [UInt8]? {
        var strm = z_stream()
        guard loupe_inflateInit2(&strm, windowBits) == Z_OK else { return [] }
        defer { inflateEnd(&strm) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var over = false
        input.withUnsafeBufferPointer { src in
            strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            strm.avail_in = uInt(src.count)
            while true {
                let rc: Int32 = chunk.withUnsafeMutableBufferPointer { dst in
                    strm.next_out = dst.baseAddress
                    strm.avail_out = uInt(dst.count)
                    return CZlib.inflate(&strm, Z_NO_FLUSH)
                }
                let n = chunk.count - Int(strm.avail_out)
                if out.count + n > cap {
                    over = true
                    return
                }
                out.append(contentsOf: chunk[0..<n])
                if rc != Z_OK || (n == 0 && strm.avail_in == 0) { return }
            }
        }
        return over ? nil : out
    }

    /// `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (k, c) in s.enumerated() {
            if k > 0 && (s.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
