// Fuzz target `loader`: the production loader entry point `ArticleLoading.load(bytes,
// relativePath:)` (format detection, then the text, feed/XML (libxml2 with the production
// options), TREC, Reuters, WikiExtractor, NewsML, JSON Lines, mail, gzip, zstd, xz and bzip2 loaders, ZIP
// archives with Word, OpenDocument text and EPUB files, RTF files, PDF files through poppler-glib
// when it is installed),
// then the analysis of every article (tokenizer, folding, stemmer) as indexing does; a text is
// read once more under a Markdown file's name. Feeds are
// also streamed from a file descriptor (`ArticleLoading.stream`, the path for large feeds, wiki dumps,
// compressed dumps, tar archives and ZIP archives, whose directory and members are read with pread).
// A JSON Lines, mbox, CSV or WARC file is also read in two parts, as a file that grew (plain,
// and as two gzip members), and must give the whole file's articles.
import Foundation

@testable import LoupeCore
@testable import LoupeIngest

#if canImport(Glibc)
    import Glibc
#endif

nonisolated(unsafe) private var scratch: String? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let r = ArticleLoading.load(bytes, relativePath: "fuzz/input")
    if !r.rejected {
        let builder = SegmentBuilder(analyzer: .english)
        for (i, a) in r.articles.enumerated() { builder.add(a, order: ArticleOrder(run: 1, file: 0, position: i)) }
        let plain = Analyzer(.plain)
        for a in r.articles.prefix(4) { plain.analyze(a.title + "\n" + a.body) { _ in } }
    }
    // A text read again as a Markdown file (`.md`: front matter, HTML comments, links and
    // badges), which the name decides.
    let head = Array(bytes.prefix(65536))
    let format = ArticleFormat.detect(head)
    if format == .text {
        let md = ArticleLoading.load(bytes, relativePath: "fuzz/input.md")
        let plain = Analyzer(.plain)
        for a in md.articles.prefix(4) { plain.analyze(a.title + "\n" + a.body) { _ in } }
    }
    // The streaming path, for inputs that are feeds, compressed files (inflated as they are
    // read), tar archives (read a member at a time) and ZIP archives (read from the file).
    if format == .feed || format == .mediaWiki || format == .zip || Gzip.compression(head) != nil
        || ArticleLoading.isTar(head)
    {
        let dir = scratch ?? (FuzzSupport.root + "/stream")
        if scratch == nil {
            try? FileIO.makeDirectory(dir)
            scratch = dir
        }
        let path = dir + "/input.xml"
        bytes.withUnsafeBytes { FuzzSupport.write($0, to: path) }
        let file = CorpusFile(
            relativePath: "fuzz/input.xml", path: Array(path.utf8CString), size: Int64(size), mtimeNanos: 0)
        var streamed: [Article] = []
        let diags = ArticleLoading.stream(file, threshold: 0) { streamed.append($0) }
        // Without errors, streaming and loading read the same articles (a ZIP archive's caps
        // differ: a member over the whole load's total is an error there only).
        if let diags, !diags.contains(where: { $0.severity == .error }), !r.rejected,
            format != .zip || !r.diagnostics.contains(where: { $0.severity == .error })
        {
            precondition(
                streamed.count == r.articles.count,
                "stream read \(streamed.count) articles, load \(r.articles.count)")
        }
    }
    // A JSON Lines, mbox, CSV or WARC file that grew: read to a cut (a JSON Lines file's middle,
    // inside a line or not; a mailbox's first blank line from its middle on; a CSV file's first
    // line break from its middle on; a web archive's first line break before `WARC/1.` from its
    // middle on), then from there (`ArticleLoading.loadAppended`), it gives what the whole file
    // gives, and the same resume point.
    let warcMagic = Array("\nWARC/1.".utf8)
    if format == .jsonLines || format == .mbox || format == .csv || format == .warc,
        let cut =
            format == .jsonLines
            ? size / 2
            : bytes.indices.dropFirst(max(1, size / 2)).first(where: {
                format == .warc
                    ? bytes[$0...].starts(with: warcMagic)
                    : bytes[$0] == 0x0A && (format == .csv || bytes[$0 - 1] == 0x0A)
            })
    {
        let dir = FuzzSupport.root + "/grown"
        try? FileIO.makeDirectory(dir)
        // Plain, then as two gzip members (the two parts; a grown `.jsonl.gz` or `.warc.gz`).
        for packed in [false, true] {
            let path = dir + "/input.log"
            let part = packed ? gzipStored(bytes[...cut]) : Array(bytes[...cut])
            let all = packed ? part + gzipStored(bytes[(cut + 1)...]) : bytes
            var file = CorpusFile(
                relativePath: "fuzz/input.log", path: Array(path.utf8CString), size: Int64(part.count),
                mtimeNanos: 0)
            part.withUnsafeBytes { FuzzSupport.write($0, to: path) }
            let first = ArticleLoading.load(file)
            if let from = first.resume {
                all.withUnsafeBytes { FuzzSupport.write($0, to: path) }
                file.size = Int64(all.count)
                let whole = ArticleLoading.load(file)
                if let grown = ArticleLoading.loadAppended(file, from: from), !whole.rejected {
                    precondition(first.articles + grown.articles == whole.articles, "grown file read differently")
                    precondition(grown.resume == whole.resume, "grown file's resume point differs")
                }
            }
        }
    }
    return 0
}

/// One gzip member holding `b` in stored (uncompressed) deflate blocks.
private func gzipStored(_ b: ArraySlice<UInt8>) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var i = b.startIndex
    repeat {
        let n = min(65535, b.endIndex - i)
        let last: UInt8 = i + n == b.endIndex ? 1 : 0
        out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
        out += b[i..<(i + n)]
        i += n
    } while i < b.endIndex
    // CRC-32 (IEEE, reflected) and the size, little-endian.
    var crc: UInt32 = 0xFFFF_FFFF
    for c in b {
        crc ^= UInt32(c)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    crc = ~crc
    let size = UInt32(truncatingIfNeeded: b.count)
    for v in [crc, size] { out += (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    return out
}
