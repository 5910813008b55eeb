import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files that grow at their end — a scraper's JSON Lines, a mailbox that new mail is appended
/// to, a CSV export given more rows — are read again only from where the last `loupe index`
/// stopped.
///
/// A plain (uncompressed) JSON Lines file, mailbox or CSV file read to the end of a whole record
/// (a JSON Lines file that ends with a line break, a mailbox that ends with a blank line, a CSV
/// file that ends with a line break outside quotes) gets a resume point in its record (`Manifest.Resume`): the bytes read, their CRC-32C and its reader's
/// counts. When the file has grown, its first bytes are still those (the CRC of all of them,
/// not a sample), it is still that format, and (a mailbox) the new bytes open with a separator
/// line, only the new bytes are read, the reader going on from its counts (a CSV reader with
/// the header and delimiter read again from the file's first bytes): the new articles are
/// numbered after the file's others, and ids (`path#n`) and line numbers are those a whole
/// reading gives. The records before are the same bytes between the same boundaries, so they
/// read as they did. A JSON Lines file whose last line has no line break yet and gives no article
/// (a record still being written) is resumed at that line's start: read again once whole, it gives
/// what a whole reading gives; so is a CSV file whose last row ends inside a quoted field. A web archive (WARC), plain or gzip a record a member as crawlers
/// write it, read to a point between two records (and members), is resumed there likewise: its
/// reader takes up the stream offset (`lines`) and the records read (`units`). Anything else — a
/// change before the end, a file cut shorter, another compressed file, a last record without its
/// end that gave an article — is a changed file, read whole.
extension ArticleLoading {
    /// The formats read record after record, where a grown file may be read from where it was:
    /// JSON Lines, mbox and CSV (not inside an archive or compressed), and web archives, plain
    /// (`warc`) or gzip-compressed a record a member (`gzip`), as crawlers write them.
    static func appendableFormat(_ head: [UInt8]) -> ArticleFormat? {
        guard !isTar(head) else { return nil }
        switch ArticleFormat.detect(head) {
        case let f where f == .jsonLines || f == .mbox || f == .csv || f == .warc: return f
        case .gzip where WARCLoader.gzipHoldsWARC(head): return .gzip
        default: return nil
        }
    }

    /// A compressed file (gzip, Zstandard, xz or bzip2; not a web archive) holding JSON Lines,
    /// mbox or CSV, from its first bytes `raw`: its compression, and its content's format and
    /// first bytes (up to `ArticleFormat.sniffBytes`, inflated from `raw`). Such a file grows by
    /// whole members, frames or streams (`gzip -c more >> f.jsonl.gz`, Python's `gzip.open(f,
    /// "at")`): one that ended between two records and two members is read from there.
    static func compressedAppendable(_ raw: [UInt8]) -> (kind: ByteStream.Kind, format: ArticleFormat, head: [UInt8])? {
        guard let kind = Gzip.compression(raw), !(kind == .gzip && WARCLoader.gzipHoldsWARC(raw)) else { return nil }
        var head = [UInt8](repeating: 0, count: ArticleFormat.sniffBytes)
        let got = head.withUnsafeMutableBytes {
            ByteStream(bytes: raw, kind: kind).readFully($0.baseAddress!, $0.count)
        }
        head.removeSubrange(got.count...)
        guard let f = appendableFormat(head), f == .jsonLines || f == .mbox || f == .csv else { return nil }
        return (kind, f, head)
    }

    /// Whether bytes of `format` that end with `end` (their last three, or fewer) end a whole
    /// record that nothing appended can continue.
    static func endsRecord(_ format: ArticleFormat, _ end: [UInt8]) -> Bool {
        switch format {
        case .jsonLines, .csv: return end.last == 0x0A
        case .mbox: return MboxLoader.endsBeforeSeparator(end)
        // The reader itself says where a record (and a gzip member) ends (`WARCLoader.Reader.boundary`).
        case .warc, .gzip: return true
        default: return false
        }
    }

    /// The resume point of a file read whole from `bytes` into `r`: nil unless it is a plain
    /// JSON Lines file, mailbox or CSV file, read without an error or anything to retry, ending a record.
    static func resumePoint(_ bytes: [UInt8], _ r: LoadResult) -> Manifest.Resume? {
        // Compressed: `Gzip.load` keeps the content's position only when it ends a record.
        if !r.rejected && !r.retryLater, let p = r.position, p.unfinished == 0,
            compressedAppendable(Array(bytes.prefix(ArticleFormat.sniffBytes))) != nil
        {
            return Manifest.Resume(
                size: Int64(bytes.count), crc: CRC32C.checksum(bytes), lines: p.lines, units: p.units)
        }
        guard !r.rejected, !r.retryLater, let p = r.position,
            let f = appendableFormat(Array(bytes.prefix(ArticleFormat.sniffBytes))), f == ArticleFormat.detect(bytes)
        else { return nil }
        // Before a last line still being written, if any.
        let size = bytes.count - p.unfinished
        guard size > 0, endsRecord(f, Array(bytes[..<size].suffix(3))) else { return nil }
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<size])) }
        return Manifest.Resume(size: Int64(size), crc: crc, lines: p.lines, units: p.units)
    }

    /// The resume point of a plain file streamed through `source` (with `tracksContent`) from
    /// `start` (nil: from its beginning) to `reached`; nil after an error, or not at a record's
    /// end.
    static func resumePoint(
        fd: Int32, head: [UInt8], _ source: ByteStream, start: Manifest.Resume?, _ reached: ReaderPosition,
        _ diagnostics: [Diagnostic]
    ) -> Manifest.Resume? {
        guard !diagnostics.contains(where: { $0.severity == .error }), source.failure == nil,
            let f = appendableFormat(head)
        else { return nil }
        let from = start?.size ?? 0
        let size = from + Int64(source.produced) - Int64(reached.unfinished)
        guard size > 0, let end = lastBytes(fd, before: size), endsRecord(f, end) else { return nil }
        // Before a last line still being written: the CRC of what precedes it, read again.
        let crc =
            reached.unfinished == 0
            ? source.contentCRC : checksum(fd, from: from, to: size, seed: start?.crc ?? 0)
        guard let crc else { return nil }
        return Manifest.Resume(size: size, crc: crc, lines: reached.lines, units: reached.units)
    }

    /// The resume point of a compressed file streamed through `source` (with `tracksContent`)
    /// from `start` (nil: its beginning) to `reached`: nil unless its content ended a record of
    /// `format` where its input ended between members, nothing wrong.
    static func compressedResumePoint(
        _ source: ByteStream, _ format: ArticleFormat, start: Manifest.Resume?, _ reached: ReaderPosition,
        _ diagnostics: [Diagnostic]
    ) -> Manifest.Resume? {
        guard !diagnostics.contains(where: { $0.severity == .error }), source.endedCleanly, reached.unfinished == 0
        else { return nil }
        // Only empty members new: the content still ends where it did, at a record's end.
        guard (start != nil && source.produced == 0) || endsRecord(format, source.lastOutput) else { return nil }
        let size = (start?.size ?? 0) + Int64(source.inputRead)
        return Manifest.Resume(size: size, crc: source.contentCRC, lines: reached.lines, units: reached.units)
    }

    /// The CRC-32C of `fd`'s bytes `from..<to`, continuing `seed`; nil when they cannot be read.
    static func checksum(_ fd: Int32, from: Int64, to: Int64, seed: UInt32) -> UInt32? {
        var crc = seed
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var offset = from
        while offset < to {
            let want = Int(min(Int64(block.count), to - offset))
            guard block.withUnsafeMutableBytes({ FileIO.read(fd, at: offset, into: .init(rebasing: $0[..<want])) })
            else { return nil }
            crc = block.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<want]), seed: crc) }
            offset += Int64(want)
        }
        return crc
    }

    /// The (up to) three bytes of `fd` before offset `size`, read again: were they changed since
    /// they were read, the CRC would tell next time.
    static func lastBytes(_ fd: Int32, before size: Int64) -> [UInt8]? {
        let k = min(size, 3)
        return k > 0 ? FileIO.read(fd, at: size - k, count: Int(k)) : nil
    }

    /// Opens `file` when it only grew since `from` (or kept its bytes, its time changed):
    /// positioned after those bytes, with its format. Nil when it did not (see the type's note).
    static func openGrown(_ file: CorpusFile, from: Manifest.Resume) -> (
        fd: Int32, format: ArticleFormat, head: [UInt8], compressed: ByteStream.Kind?
    )? {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var ok = false
        defer { if !ok { close(fd) } }
        var st = stat()
        guard fstat(fd, &st) == 0, Int64(st.st_size) >= from.size, from.size > 0 else { return nil }
        // The format the whole file shows, and the one its first bytes showed when they were all
        // (a compressed file's content).
        guard let raw = FileIO.read(fd, at: 0, count: Int(min(Int64(st.st_size), Int64(ArticleFormat.sniffBytes))))
        else { return nil }
        let old = Array(raw.prefix(Int(min(from.size, Int64(raw.count)))))
        var compressed: ByteStream.Kind?
        let format: ArticleFormat
        var head = raw
        if let c = compressedAppendable(raw) {
            guard compressedAppendable(old)?.format == c.format else { return nil }
            (compressed, format, head) = (c.kind, c.format, c.head)
        } else {
            guard let f = appendableFormat(raw), appendableFormat(old) == f else { return nil }
            format = f
        }
        // The bytes read then, unchanged.
        guard checksum(fd, from: 0, to: from.size, seed: 0) == from.crc else { return nil }
        if format == .mbox && Int64(st.st_size) > from.size {
            // What follows opens a message (else a whole reading would run the last one on).
            let n = Int(
                min(Int64(st.st_size) - from.size, Int64(compressed == nil ? MboxLoader.maxSeparatorLine + 1 : 1 << 16))
            )
            guard var next = FileIO.read(fd, at: from.size, count: n) else { return nil }
            if let kind = compressed {
                var out = [UInt8](repeating: 0, count: MboxLoader.maxSeparatorLine + 1)
                let got = out.withUnsafeMutableBytes {
                    ByteStream(bytes: next, kind: kind).readFully($0.baseAddress!, $0.count)
                }
                next = Array(out.prefix(got.count))
            }
            // (Or, compressed, only empty members were appended: nothing follows.)
            let nothing = next.isEmpty && Int64(n) == Int64(st.st_size) - from.size
            guard MboxLoader.startsMessage(next) || nothing else { return nil }
        }
        guard lseek(fd, off_t(from.size), SEEK_SET) == off_t(from.size) else { return nil }
        ok = true
        return (fd, format, head, compressed)
    }

    /// Reads what `file` holds after `from`, in memory (a small addition); nil when the file did
    /// not only grow (read it whole). The result is `appended`, with its new resume point.
    public static func loadAppended(_ file: CorpusFile, from: Manifest.Resume) -> LoadResult? {
        guard let (fd, format, head, compressed) = openGrown(file, from: from) else { return nil }
        defer { close(fd) }
        let source = ByteStream(
            fd: fd, kind: compressed ?? .plain,
            cap: compressed.map { _ in streamedOutputCap(compressedSize: Int(file.size)) })
        source.tracksContent = true
        source.contentCRC = from.crc
        let (bytes, failed) = source.readAll()
        if failed { return nil }
        let position = ReaderPosition(lines: from.lines, units: from.units)
        let read: LoadResult?
        switch format {
        case .jsonLines: read = JSONLinesLoader().load(bytes, relativePath: file.relativePath, from: position)
        case .mbox: read = MboxLoader().load(bytes, relativePath: file.relativePath, from: position)
        case .warc: read = WARCLoader().load(bytes, relativePath: file.relativePath, from: position)
        case .gzip:
            read = WARCLoader().loadGzip(
                bytes, relativePath: file.relativePath, from: position, compressedAt: Int(from.size),
                fileSize: Int(from.size) + bytes.count)
        default: read = CSVLoader().load(bytes, relativePath: file.relativePath, head: head, from: position)
        }
        guard var r = read else { return nil }
        r.appended = true
        if !r.rejected && !r.retryLater, let p = r.position {
            r.resume = grownResumePoint(fd: fd, head: head, format: format, compressed, source, from, p, r.diagnostics)
        }
        return r
    }

    /// The new resume point of a grown file whose new bytes `source` read (with `tracksContent`,
    /// from `from`) to `reached`.
    static func grownResumePoint(
        fd: Int32, head: [UInt8], format: ArticleFormat, _ compressed: ByteStream.Kind?, _ source: ByteStream,
        _ from: Manifest.Resume, _ reached: ReaderPosition, _ diagnostics: [Diagnostic]
    ) -> Manifest.Resume? {
        compressed != nil
            ? compressedResumePoint(source, format, start: from, reached, diagnostics)
            : resumePoint(fd: fd, head: head, source, start: from, reached, diagnostics)
    }

    /// Streams what `file` holds after `from` (a large addition): nil when the file did not
    /// only grow (read it whole). `resume` is set to the new resume point.
    public static func streamAppended(
        _ file: CorpusFile, from: Manifest.Resume, retryLater: inout Bool, resume: inout Manifest.Resume?,
        progress: (Int64) -> Void = { _ in }, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        guard let (fd, format, head, compressed) = openGrown(file, from: from) else { return nil }
        defer { close(fd) }
        var emitted = 0
        let emit: (Article) -> Void = { a in
            emit(a)
            emitted += 1
            if emitted % 64 == 0 { progress(Int64(max(0, lseek(fd, 0, SEEK_CUR)))) }
        }
        if format == .warc || format == .gzip {
            return WARCLoader().stream(
                fd: fd, size: Int(file.size), gzip: format == .gzip, relativePath: file.relativePath,
                retryLater: &retryLater, from: from, resume: &resume, emit: emit)
        }
        let source = ByteStream(
            fd: fd, kind: compressed ?? .plain,
            cap: compressed.map { _ in streamedOutputCap(compressedSize: Int(file.size)) })
        source.tracksContent = true
        source.contentCRC = from.crc
        var reached: ReaderPosition?
        let d = streamFormat(
            source, head: head, relativePath: file.relativePath, retryLater: &retryLater,
            from: ReaderPosition(lines: from.lines, units: from.units), reached: &reached, emit: emit)
        if let d, let reached, !retryLater {
            resume = grownResumePoint(fd: fd, head: head, format: format, compressed, source, from, reached, d)
        }
        return d
    }
}
