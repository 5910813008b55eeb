import LoupeCore

/// Gzip-compressed corpus files (RFC 1952), recognised by their magic bytes `1F 8B` only (never
/// by the `.gz` extension).
///
/// Decompressed with zlib (and Zstandard files, magic `28 B5 2F FD`, with libzstd; xz files,
/// `FD 37 7A 58 5A 00`, with liblzma; bzip2 files, `BZh`, with libbz2; all through
/// `ByteStream`, as when they are streamed), then read like any
/// other file (content detection on the decompressed bytes; a compressed file inside
/// a compressed file is refused).
/// - output is capped at `outputCap(compressedSize:)` (1 GiB, or 20× the compressed size
///   with a 16 MiB floor for small files, whichever is smaller); exceeding it is an error
///   diagnostic naming the file, and the file contributes nothing;
/// - the decompressed bytes then go through the normal content-based detection;
/// - a gzip file holding a WARC web archive (`.warc.gz`) goes to `WARCLoader`, which inflates
///   it member by member as it reads its records (no whole-file cap: see `WARCLoader`).
public enum Gzip {
    public static let absoluteCap = 1 << 30
    public static let ratioCap = 20
    public static let smallFileFloor = 16 << 20

    public static func hasMagic(_ b: [UInt8]) -> Bool { b.count >= 2 && b[0] == 0x1F && b[1] == 0x8B }

    /// The most decompressed bytes accepted for a file of `compressedSize` bytes.
    public static func outputCap(compressedSize: Int) -> Int {
        let (scaled, overflow) = compressedSize.multipliedReportingOverflow(by: ratioCap)
        return min(absoluteCap, overflow ? absoluteCap : max(scaled, smallFileFloor))
    }

    public struct Header: Equatable, Sendable {
        /// Offset of the deflate stream.
        public var dataOffset: Int
        /// The FNAME field, when present.
        public var originalName: String?
        /// ISIZE from the trailer: the uncompressed size modulo 2^32 (a hint, not trusted).
        public var sizeHint: UInt32
    }

    public enum HeaderError: Error, Equatable {
        case notGzip
        case unsupportedMethod(UInt8)
        case reservedFlags
        case truncated
    }

    /// Parses the member header (magic, CM = 8, FLG, optional FEXTRA/FNAME/FCOMMENT/FHCRC).
    public static func header(_ b: [UInt8]) throws(HeaderError) -> Header {
        guard hasMagic(b) else { throw .notGzip }
        guard b.count >= 18 else { throw .truncated }  // 10-byte header + 8-byte trailer
        guard b[2] == 8 else { throw .unsupportedMethod(b[2]) }
        let flg = b[3]
        guard flg & 0xE0 == 0 else { throw .reservedFlags }
        var i = 10
        if flg & 0x04 != 0 {
            guard i + 2 <= b.count else { throw .truncated }
            i += 2 + (Int(b[i]) | Int(b[i + 1]) << 8)
        }
        var name: String?
        if flg & 0x08 != 0 {
            let s = i
            while i < b.count && b[i] != 0 { i += 1 }
            guard i < b.count else { throw .truncated }
            // FNAME is Latin-1 by the RFC.
            name = TextDecoding.latin1(b[s..<i])
            i += 1
        }
        if flg & 0x10 != 0 {
            while i < b.count && b[i] != 0 { i += 1 }
            i += 1
        }
        if flg & 0x02 != 0 { i += 2 }
        guard i + 8 <= b.count else { throw .truncated }
        let t = b.count - 4
        let isize = UInt32(b[t]) | UInt32(b[t + 1]) << 8 | UInt32(b[t + 2]) << 16 | UInt32(b[t + 3]) << 24
        return Header(dataOffset: i, originalName: name, sizeHint: isize)
    }

    /// `overCap` carries the output's first bytes (up to 512): enough to see a tar header.
    enum InflateError: Error, CustomStringConvertible {
        case overCap(prefix: [UInt8])
        case broken(String)

        var description: String {
            switch self {
            case .overCap: "over the cap"
            case .broken(let why): why
            }
        }
    }

    /// xz's magic bytes `FD 37 7A 58 5A 00`.
    public static func hasXZMagic(_ b: [UInt8]) -> Bool {
        b.count >= 6 && b[0] == 0xFD && b[1] == 0x37 && b[2] == 0x7A && b[3] == 0x58 && b[4] == 0x5A && b[5] == 0
    }

    /// bzip2: `BZh`, a block size digit, then a block's or the end's 48-bit magic.
    public static func hasBZip2Magic(_ b: [UInt8]) -> Bool {
        guard b.count >= 10, b[0] == 0x42, b[1] == 0x5A, b[2] == 0x68, b[3] >= 0x31, b[3] <= 0x39 else { return false }
        let m = Array(b[4..<10])
        return m == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || m == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
    }

    /// The compression of `b`, by its magic bytes (nil: none known).
    public static func compression(_ b: [UInt8]) -> ByteStream.Kind? {
        if hasMagic(b) { return .gzip }
        if hasZstdMagic(b) { return .zstd }
        if hasXZMagic(b) { return .xz }
        if hasBZip2Magic(b) { return .bzip2 }
        return nil
    }

    public static func hasZstdMagic(_ b: [UInt8]) -> Bool {
        b.count >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD
    }

    /// Loads a gzip, Zstandard, xz or bzip2 file: decompress within the cap, then read the
    /// content. A tar archive inside (`.tar.gz`, `.tar.zst`, `.tar.xz`, `.tar.bz2`) may use the
    /// absolute cap (1 GiB): archives of text compress far better than 20×. `nested`: this file
    /// is a member of an archive.
    static func load(_ bytes: [UInt8], relativePath: String, nested: Bool = false, mailDepth: Int = 0) -> LoadResult {
        let format = compression(bytes) ?? .gzip
        let kind = "\(format)"
        func decompress(_ cap: Int) throws -> [UInt8] { try ByteStream.decompress(bytes, kind: format, cap: cap) }
        if format == .gzip {
            do {
                _ = try header(bytes)
            } catch {
                return LoadResult(diagnostics: [
                    Diagnostic(
                        path: relativePath, line: 1, message: "broken gzip header (\(error)); skipped", severity: .error
                    )
                ])
            }
        }
        // A web archive is read record by record as it inflates (`WARCLoader`), not whole.
        if format == .gzip && WARCLoader.gzipHoldsWARC(bytes) {
            return WARCLoader().loadGzip(bytes, relativePath: relativePath)
        }
        var cap = outputCap(compressedSize: bytes.count)
        var plain: [UInt8] = []
        do {
            do {
                plain = try decompress(cap)
            } catch InflateError.overCap(let prefix) where !nested && cap < absoluteCap && ArticleLoading.isTar(prefix)
            {
                cap = absoluteCap
                plain = try decompress(cap)
            }
        } catch InflateError.overCap {
            return LoadResult(diagnostics: [
                Diagnostic(
                    path: relativePath,
                    message:
                        "\(kind) data expands beyond \(cap >> 20) MB (limit for a \(bytes.count)-byte file); skipped",
                    severity: .error)
            ])
        } catch {
            return LoadResult(diagnostics: [
                Diagnostic(path: relativePath, message: "\(kind) data is damaged (\(error)); skipped", severity: .error)
            ])
        }
        if compression(plain) != nil {
            return LoadResult(diagnostics: [
                Diagnostic(
                    path: relativePath, message: "compressed file inside a compressed file; skipped", severity: .warning
                )
            ])
        }
        var r = ArticleLoading.load(plain, relativePath: relativePath, nested: nested, mailDepth: mailDepth)
        // A grown file may be read from here only when the content ends a record (see
        // `ArticleLoading.compressedAppendable`).
        if let p = r.position {
            let f = ArticleLoading.appendableFormat(Array(plain.prefix(ArticleFormat.sniffBytes)))
            if nested || p.unfinished != 0
                || !(f.map { ArticleLoading.endsRecord($0, Array(plain.suffix(3))) } ?? false)
            {
                r.position = nil
            }
        }
        return r
    }
}
