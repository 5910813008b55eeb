import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Detects a file's format by its content (not its extension) and hands it to the right loader.
///
/// Markup files are classified by their first element (after a BOM, blanks, the XML
/// declaration, processing instructions, comments and a DOCTYPE):
/// - `<DOC>` / `<DOC ...>` → `trec` (TREC `<DOC><DOCNO>` files, no root element);
///   lowercase `<doc id=...>` → `wikiExtractor`;
/// - `<!DOCTYPE lewis`, `<REUTERS` or an XML root `LEWIS` → `reuters` (Reuters-21578, SGML or XML);
/// - XML root `nitf`, `NewsML`, `newsMessage`, `newsItem`, `newsitem` (Reuters Corpus RCV1) → `newsML`;
/// - XML root `rss`, `RDF`, `feed`, or Evernote's `en-export` → `feed`;
/// - XML root `mediawiki` (a MediaWiki XML export, `http://www.mediawiki.org/xml/export-0.N/`)
///   → `mediaWiki`;
/// - root `html` (any case, XHTML too), a `<!DOCTYPE html>`, or a page fragment whose first
///   element is `head`, `body` or a common block element (`p`, `div`, `article`, `h1`…) → `html`
///   (not when an XML declaration opens the file and the root is not `html`: JATS's
///   `<article>` is XML);
/// - any other XML root → `xml` (the feed loader then indexes the file as one generic article).
///
/// Other files: gzip, zstd, xz and bzip2 magic bytes → `gzip` / `zstd` / `xz` / `bzip2`; a ZIP local file header
/// (`PK\3\4`, or an empty archive's `PK\5\6`) → `zip` (a plain archive, or a Word, PowerPoint,
/// Excel, OpenDocument or EPUB file: see `OfficeLoader`); the OLE2 compound file signature (`D0 CF 11 E0 A1 B1 1A E1`)
/// → `doc` (a legacy Word file, or another compound file skipped with a warning: see
/// `WordDocLoader`); `{\rtf` at the start (after a BOM and blanks) → `rtf`; `%PDF-` in the
/// first 1024 bytes (PDF allows junk before it) → `pdf`; a JSON object naming jsonfeed.org
/// and a `version` in its first 4 KB → `jsonFeed`; a first line holding one JSON object
/// (`{` … `}`) → `jsonLines`; any other file starting with `{` or `[` whose first 64 KB read
/// as JSON (`JSONDocumentLoader.plausible`: a pretty-printed object, an array, an API
/// response; complete when the file is shorter) → `json`, whole-file JSON; a first line `From sender date` followed by a mail header
/// block → `mbox`; a first block of RFC 822 header lines with at least two known header
/// names → `mail`; `WARC/1.` at the start → `warc` (a web archive, see `WARCLoader`; a gzip
/// file holding one is read by it too); a header line of column names and a record as wide
/// → `csv` (see `csv`); everything else → `text`.
public enum ArticleFormat: String, Sendable {
    case text, feed, xml, html, trec, reuters, wikiExtractor, newsML, jsonFeed, jsonLines, mail, gzip, zstd, zip, pdf,
        rtf
    /// xz (LZMA2) and bzip2 compressed files, read as gzip files are (see `Gzip`).
    case xz, bzip2
    /// An OLE2 compound file: a legacy Word document, or another compound file (skipped).
    case doc
    /// A WARC web archive (ISO 28500).
    case warc
    /// News-agency wire text: ANPA-1312 or IPTC 7901 (see `WireTextLoader`).
    case wire
    /// A mailbox of many messages (see `MboxLoader`).
    case mbox
    /// A file that is one JSON value (an array of articles, an API response wrapping them, one
    /// article pretty-printed): see `JSONDocumentLoader`.
    case json
    /// A MediaWiki XML export dump (see `MediaWikiLoader`).
    case mediaWiki
    /// A CSV or TSV file of articles, one per row (see `CSVLoader`). Detected conservatively,
    /// after every other format: the first line (after a BOM) splits by `,`, tab or `;` into
    /// at least two short header-like names (at most 40 bytes, no blanks inside but single
    /// spaces, not empty but for a first unnamed index column), one of which `NewsJSON` reads
    /// as the title or the main text, and the next record (within the first 64 KB, quotes
    /// honoured) has as many fields.
    case csv

    /// How much of the file the detector looks at.
    static let sniffBytes = 64 * 1024

    /// Whether `head`, a file's first bytes, shows a format read as it streams (see
    /// `ArticleLoading.streamFormat`).
    static func streamable(_ head: [UInt8]) -> Bool {
        [.feed, .mediaWiki, .jsonLines, .csv, .json, .mbox].contains(detect(head))
    }

    public static func detect(_ b: [UInt8]) -> ArticleFormat {
        if Gzip.hasMagic(b) { return .gzip }
        if b.count >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD { return .zstd }
        if Gzip.hasXZMagic(b) { return .xz }
        if Gzip.hasBZip2Magic(b) { return .bzip2 }
        if ZipArchive.hasMagic(b) { return .zip }
        if CompoundFile.hasMagic(b) { return .doc }
        if RTFLoader.isRTF(b) { return .rtf }
        if WireTextLoader.looks(b) { return .wire }
        if WARCLoader.looks(b) { return .warc }
        if isPDF(b) { return .pdf }
        if b.count >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) {
            return detectUTF16(b)
        }
        var i = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
        while i < b.count && MarkupScan.isSpace(b[i]) { i += 1 }
        guard i < b.count else { return .text }
        // A feed behind a server's error message (PHP's `Warning: …`): a feed.
        if b.withUnsafeBufferPointer({ XMLRepair.serverOutputBeforeDeclaration($0) }) != nil { return .feed }
        if b[i] == UInt8(ascii: "<") {
            let head = Array(b[i..<min(b.count, i + sniffBytes)])
            if let root = MarkupScan.sniffRoot(head) {
                let format = classify(root)
                // An XML document (it says so) whose root merely shares a name with an HTML
                // element (JATS's <article>, a <table> export) stays XML; XHTML's root is html.
                if format == .html && root.doctype == nil && root.localName.lowercased() != "html"
                    && head.starts(with: Array("<?xml".utf8))
                {
                    return .xml
                }
                // Text that merely opens with a bracketed name (a wire story's `<CINRAM LTD> 4TH
                // QTR NET`, `<NOVA> WINS ...`) is not XML: nothing declares it, and its first tag
                // is not a well-formed start tag or nothing in the head closes an element.
                if format == .xml && root.doctype == nil && !head.starts(with: Array("<?xml".utf8))
                    && (!root.wellFormedStartTag || !MarkupScan.closesAnElement(head))
                {
                    return .text
                }
                return format
            }
            guard head.count >= 2 else { return .text }
            // Comments, then text: a Markdown or text file that opens with a licence or a note
            // for its editors in an HTML comment (`<!-- Licensed to the ASF … -->`), no markup.
            if MarkupScan.textAfterComments(head) { return .text }
            let c = head[1]
            if c == UInt8(ascii: "?") || c == UInt8(ascii: "!") || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) {
                return .feed  // looks like markup but could not be sniffed: let libxml2 report why
            }
            return .text
        }
        if b[i] == UInt8(ascii: "{") && JSONFeedLoader.looks(b, from: i) { return .jsonFeed }
        if b[i] == UInt8(ascii: "{") && firstLineIsJSONObject(b, from: i) { return .jsonLines }
        if (b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[")) && JSONDocumentLoader.plausible(b, from: i) {
            return .json
        }
        if let j = JSONDocumentLoader.assignmentPrefix(b, from: i) {
            var k = j
            while k < b.count && MarkupScan.isSpace(b[k]) { k += 1 }
            if k < b.count && (b[k] == UInt8(ascii: "[") || b[k] == UInt8(ascii: "{"))
                && JSONDocumentLoader.plausible(b, from: k)
            {
                return .json
            }
        }
        if MboxLoader.looksLikeMbox(b) { return .mbox }
        if MailLoader.looksLikeMail(b) || MailLoader.emlxMessage(b) != nil { return .mail }
        if CSVLoader.looks(b) { return .csv }
        return .text
    }

    static func classify(_ root: MarkupScan.Root) -> ArticleFormat {
        let name = root.localName
        if let dt = root.doctype, MarkupScan.equalsIgnoringCase(dt, "lewis") { return .reuters }
        if let dt = root.doctype, MarkupScan.equalsIgnoringCase(dt, "html") { return .html }
        if htmlRoots.contains(name.lowercased()) { return .html }
        if name == "doc" && root.hasAttribute("id") { return .wikiExtractor }
        if MarkupScan.equalsIgnoringCase(name, "doc") { return .trec }
        if name == "REUTERS" || name == "LEWIS" { return .reuters }
        switch name {
        case "nitf", "NewsML", "newsMessage", "newsItem", "newsitem": return .newsML
        case "rss", "RDF", "feed", "en-export": return .feed
        case "mediawiki": return .mediaWiki
        default: return .xml
        }
    }

    /// First elements that make a file an HTML page (or a fragment of one).
    static let htmlRoots: Set<String> = [
        "html", "head", "body", "p", "div", "article", "section", "main", "h1", "h2", "h3", "table", "ul", "ol",
        "blockquote", "pre", "span", "a", "b", "i", "em", "strong", "br", "meta", "title",
    ]

    /// `%PDF-` and a digit (the version) within the first 1024 bytes.
    static func isPDF(_ b: [UInt8]) -> Bool {
        let magic: [UInt8] = Array("%PDF-".utf8)
        let end = min(b.count, 1024) - magic.count - 1
        guard end >= 0 else { return false }
        var i = 0
        while i <= end {
            if b[i] == 0x25 && b[(i + 1)..<(i + 5)].elementsEqual(magic[1...]) && MarkupScan.isDigit(b[i + 5]) {
                return true
            }
            i += 1
        }
        return false
    }

    /// UTF-16 (with a BOM): only the XML loaders (libxml2 honours the BOM) can read it.
    private static func detectUTF16(_ b: [UInt8]) -> ArticleFormat {
        let little = b[0] == 0xFF
        var ascii: [UInt8] = []
        var j = 2
        while j + 1 < b.count && ascii.count < 4096 {
            let u = little ? UInt16(b[j]) | UInt16(b[j + 1]) << 8 : UInt16(b[j]) << 8 | UInt16(b[j + 1])
            ascii.append(u < 0x80 ? UInt8(u) : UInt8(ascii: "?"))
            j += 2
        }
        var k = 0
        while k < ascii.count && MarkupScan.isSpace(ascii[k]) { k += 1 }
        guard k < ascii.count, ascii[k] == UInt8(ascii: "<") else { return .text }
        if let root = MarkupScan.sniffRoot(Array(ascii[k...])) {
            let format = classify(root)
            if format == .newsML || format == .mediaWiki { return format }
        }
        return .feed
    }

    /// The first line, trimmed, is `{` … `}` (one JSON object per line, not a pretty-printed file).
    static func firstLineIsJSONObject(_ b: [UInt8], from start: Int) -> Bool {
        var end = start
        let limit = min(b.count, start + 16 * 1024 * 1024)
        while end < limit && b[end] != 0x0A { end += 1 }
        var last = end - 1
        while last > start && MarkupScan.isSpace(b[last]) { last -= 1 }
        return last > start && b[last] == UInt8(ascii: "}")
    }
}

public enum ArticleLoading {
    /// The version of the corpus readers, recorded in the index: raised when a reader change
    /// can give articles from files that gave none (a new format, a detection fixed), so that
    /// `loupe index` reads such files again though they did not change.
    /// 2: RTF, legacy Word, mbox and WARC files; text opening with `<NAME>` no longer XML.
    /// 3: whole-file JSON (arrays, API responses, pretty-printed objects; read as text before),
    /// the news JSON fields, and mail attachments (`.eml` and mbox files read again for them).
    /// 4: xz and bzip2, MediaWiki exports, CSV, archives attached to mail.
    /// 5: Reuters Corpus (RCV1) `newsitem` files and UTF-16 MediaWiki exports (each read as one
    /// generic XML article before).
    /// 6: Evernote exports (`.enex`, one generic article before), feed readers' JSON exports (one
    /// empty article), Mastodon archives (`outbox.json`), WordPress exports (`*.wordpress.*.xml`:
    /// posts without their text), saved web pages (`.mht`, `.mhtml`: read as mail), Apple Mail's
    /// `.emlx` and ANPA wire files (`.tst`; both read as text) and Outlook messages (`.msg`:
    /// skipped, so read again as files that gave nothing).
    /// 7: PowerPoint, Excel and OpenDocument presentations and spreadsheets (`.pptx`, `.xlsx`,
    /// `.odp`, `.ods`: skipped before, so read again as files that gave nothing), and the mail
    /// files and ZIP and tar archives that may hold them (their attachments and members of these
    /// types were left out).
    /// 8: web pages read by their paragraphs (`ContentBlocks`: the story found where the markup
    /// names no container or the wrong one), inline-hidden elements left out, a logo `<h1>` no
    /// title: HTML files (`.html`, `.htm`, `.xhtml`, `.shtml`), saved pages (`.mht`, `.mhtml`),
    /// web archives (`.warc`, `.warc.gz`) and the ZIP and tar archives that may hold them.
    /// 9: a file that opens with HTML comments and then text is text (it was read as broken
    /// XML and skipped: read again as a file that gave nothing), and Markdown files lose their
    /// HTML comments: Markdown files (`.md`, `.markdown`, `.mdown`, `.mkd`, compressed too) and
    /// the ZIP and tar archives that may hold them.
    /// 10: ill-formed XML read as feed readers read it (`XMLRepair.Scanner`: a bare `&`, an
    /// undefined entity, `--` in a comment, a control character): such feeds were rejected whole,
    /// so they are read again as files that gave nothing.
    /// 11: comments before the XML declaration moved after it, and HTML tag soup in a feed's
    /// XML closed (such files were rejected: read again as files that gave nothing). A feed behind a server's error message, which gave
    /// one text article, is not read again (every one-article XML file would be, a NewsML or
    /// RCV1 collection whole): `loupe index --rebuild` reads it.
    /// 12: a `<` inside a quoted attribute value of a feed's markup (`<i title="a<b">`, XML
    /// forbids it) escaped, and a feed read in chunks no longer cut inside such a value at a
    /// `<!--`: such feeds were rejected, so they are read again as files that gave nothing.
    public static let version = 12

    /// Whether a file unchanged since readers of version `old` read it is read again: when it
    /// gave no article (an `.xz` or `.bz2` file, a compressed dump over the old 1 GB cap, a tar
    /// over 2 GB), or when its name is one of a format that newer readers read (an `.rtf` an
    /// older loupe read as plain text, control words and all; a mail file, whose attachments an
    /// older loupe left out, and whose attached archives it did not open; an XML file read as
    /// one generic article, which may be a MediaWiki export).
    public static func readAgain(_ path: String, articles: Int, since old: Int) -> Bool {
        guard old < version else { return false }
        if articles == 0 { return true }
        let name = path.lowercased()
        if old < 2 && [".rtf", ".mbox", ".mbx", ".warc", ".warc.gz"].contains(where: { name.hasSuffix($0) }) {
            return true
        }
        if old < 3 && [".json", ".jsonl", ".ndjson", ".eml", ".mbox", ".mbx"].contains(where: { name.hasSuffix($0) }) {
            return true
        }
        if old < 4 && [".eml", ".mbox", ".mbx"].contains(where: { name.hasSuffix($0) }) { return true }
        if old < 5 && articles == 1 && (name.hasSuffix(".xml") || name.contains(".xml.")) { return true }
        if old < 7 {
            let mail = [".eml", ".mbox", ".mbx", ".msg", ".emlx"]
            if mail.contains(where: { name.hasSuffix($0) }) || isArchiveName(name) { return true }
        }
        if old < 8 {
            let pages = [".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml", ".warc", ".warc.gz"]
            if pages.contains(where: { name.hasSuffix($0) }) || isArchiveName(name) { return true }
        }
        if old < 9 && (Markdown.hasMarkdownExtension(name) || isArchiveName(name)) { return true }
        if old < 6 {
            if articles == 1 && (name.hasSuffix(".enex") || name.hasSuffix(".json")) { return true }
            if name.contains(".wordpress.") && name.hasSuffix(".xml") { return true }
            if name.hasSuffix(".mht") || name.hasSuffix(".mhtml") || name.hasSuffix(".emlx") || name.hasSuffix(".tst") {
                return true
            }
        }
        return false
    }

    /// Whether `name` (lowercased) names a ZIP or tar archive, compressed or not.
    static func isArchiveName(_ name: String) -> Bool {
        [".zip", ".tar", ".tgz", ".tbz2", ".txz"].contains(where: { name.hasSuffix($0) }) || name.contains(".tar.")
    }

    /// Files larger than this are refused (until streaming of huge files lands).
    public static let maxFileBytes = 2 << 30

    public static func readFile(_ path: [CChar]) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LoadFailure(message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LoadFailure(message: String(cString: strerror(errno))) }
        let n = Int(st.st_size)
        guard n <= maxFileBytes else {
            throw LoadFailure(message: "file larger than \(maxFileBytes >> 20) MB; skipped")
        }
        var out = [UInt8](repeating: 0, count: n)
        var off = 0
        while off < n {
            let r = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, n - off) }
            if r < 0 {
                if errno == EINTR { continue }
                throw LoadFailure(message: String(cString: strerror(errno)))
            }
            if r == 0 { break }
            off += r
        }
        if off < n { out.removeSubrange(off...) }
        return out
    }

    /// Feeds larger than this are streamed instead of read whole.
    public static let streamingThreshold = 32 << 20

    /// Streams a large RSS/Atom, MediaWiki export, JSON Lines, CSV, whole-file JSON, mbox, WARC or
    /// tar file, plain or compressed (see `streamCompressed`): articles go to `emit` as they are
    /// parsed.
    /// Returns nil when the file is not one to stream (small, or another format); then use
    /// `load`. A feed with a fatal error has already emitted its first items: the caller
    /// discards them. A JSON Lines file skips bad lines with warnings, like `load`.
    public static func stream(_ file: CorpusFile, threshold: Int = streamingThreshold, emit: (Article) -> Void)
        -> [Diagnostic]?
    {
        var retryLater = false
        return stream(file, threshold: threshold, retryLater: &retryLater, emit: emit)
    }

    /// As `stream(_:threshold:emit:)`; `retryLater` is set when the file is to be read again
    /// next time (a mailbox's PDF attachment or a web archive's PDF, and no PDF library: see
    /// `LoadResult.retryLater`).
    /// `progress` is told, every 64 articles, how far into the file (in bytes on disk) reading is.
    /// `retract` is told of articles already emitted that are void (by their order of emission,
    /// from 0): those of a member of a ZIP archive that streamed and then failed, whose error is
    /// its own; the archive's other articles stand.
    public static func stream(
        _ file: CorpusFile, threshold: Int = streamingThreshold, retryLater: inout Bool,
        progress: (Int64) -> Void = { _ in }, retract: (Range<Int>) -> Void = { _ in }, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        var resume: Manifest.Resume?
        return stream(
            file, threshold: threshold, retryLater: &retryLater, resume: &resume, progress: progress, retract: retract,
            emit: emit)
    }

    /// As `stream(_:threshold:retryLater:progress:retract:emit:)`; `resume` is set for a plain
    /// JSON Lines file, mailbox or CSV file read to the end of a whole record, or a web archive
    /// (plain or gzip) read to the end of a record (see `loadAppended`).
    public static func stream(
        _ file: CorpusFile, threshold: Int = streamingThreshold, retryLater: inout Bool,
        resume: inout Manifest.Resume?, progress: (Int64) -> Void = { _ in }, retract: (Range<Int>) -> Void = { _ in },
        emit: (Article) -> Void
    ) -> [Diagnostic]? {
        guard file.size >= Int64(threshold) else { return nil }
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var emitted = 0
        // How far into the file reading is (a ZIP archive, read with `pread`, says where itself).
        var position: () -> Int = { Int(lseek(fd, 0, SEEK_CUR)) }
        let emit: (Article) -> Void = { a in
            emit(a)
            emitted += 1
            if emitted % 64 == 0 { progress(Int64(max(0, position()))) }
        }
        var head = [UInt8](repeating: 0, count: 65536)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        head.removeSubrange(n...)
        switch ArticleFormat.detect(head) {
        case .warc:
            return WARCLoader().stream(
                fd: fd, size: Int(file.size), gzip: false, relativePath: file.relativePath, retryLater: &retryLater,
                resume: &resume, emit: emit)
        case .gzip where WARCLoader.gzipHoldsWARC(head):
            return WARCLoader().stream(
                fd: fd, size: Int(file.size), gzip: true, relativePath: file.relativePath, retryLater: &retryLater,
                resume: &resume, emit: emit)
        case .gzip, .zstd, .xz, .bzip2:
            return streamCompressed(
                fd: fd, file: file, kind: Gzip.compression(head) ?? .gzip, retryLater: &retryLater, resume: &resume,
                emit: emit)
        case .zip:
            return streamZip(
                fd: fd, file: file, threshold: threshold, retryLater: &retryLater, position: { position = $0 },
                retract: retract, emit: emit)
        default:
            if isTar(head) {
                return streamTar(
                    ByteStream(fd: fd), relativePath: file.relativePath, retryLater: &retryLater, emit: emit)
            }
            let source = ByteStream(fd: fd)
            let appendable = appendableFormat(head) != nil
            source.tracksContent = appendable
            var reached: ReaderPosition?
            let d = streamFormat(
                source, head: head, relativePath: file.relativePath, retryLater: &retryLater, from: nil,
                reached: &reached, emit: emit)
            if appendable, let d, let reached, !retryLater {
                resume = resumePoint(fd: fd, head: head, source, start: nil, reached, d)
            }
            return d
        }
    }

    /// Streams `source` as what `head`, its first bytes, shows it to be: an RSS/Atom feed, a
    /// MediaWiki export, JSON Lines, CSV, whole-file JSON or a mailbox; nil for other contents.
    static func streamFormat(
        _ source: ByteStream, head: [UInt8], relativePath path: String, retryLater: inout Bool,
        emit: (Article) -> Void
    ) -> [Diagnostic]? {
        var reached: ReaderPosition?
        return streamFormat(
            source, head: head, relativePath: path, retryLater: &retryLater, from: nil, reached: &reached, emit: emit)
    }

    /// As `streamFormat(_:head:relativePath:retryLater:emit:)`; a JSON Lines, mbox or CSV reader goes
    /// on `from` a position (the source holds what follows it) and tells where it stopped.
    static func streamFormat(
        _ source: ByteStream, head: [UInt8], relativePath path: String, retryLater: inout Bool,
        from: ReaderPosition?, reached: inout ReaderPosition?, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        switch ArticleFormat.detect(head) {
        case .feed:
            return FeedLoader().stream(source, relativePath: path, emit: emit)
        case .mediaWiki:
            return MediaWikiLoader().stream(source, relativePath: path, emit: emit)
        case .jsonLines:
            return JSONLinesLoader().stream(source, relativePath: path, from: from, reached: &reached, emit: emit)
        case .csv:
            return CSVLoader().stream(source, relativePath: path, head: head, from: from, reached: &reached, emit: emit)
        case .json:
            return JSONDocumentLoader().stream(source, relativePath: path, emit: emit)
        case .mbox:
            return MboxLoader().stream(
                source, relativePath: path, retryLater: &retryLater, from: from, reached: &reached, emit: emit)
        default:
            return nil
        }
    }

    /// Decompressed bytes accepted from a streamed compressed file: 200 times its size. Text
    /// compresses 3 to 10 times, markup up to about 20; beyond that it is a decompression bomb,
    /// stopped with an error. (Streaming keeps memory flat, so this only bounds the time.)
    public static func streamedOutputCap(compressedSize: Int) -> Int {
        let (scaled, overflow) = compressedSize.multipliedReportingOverflow(by: 200)
        return overflow ? Int.max : max(scaled, Gzip.absoluteCap)
    }

    /// A large gzip, Zstandard, xz or bzip2 file holding a feed, JSON, CSV, a mailbox or a tar
    /// archive, streamed as it inflates (memory stays flat: no 1 GiB cap as for a file inflated whole); nil for
    /// other contents (read whole, see `Gzip.load`).
    static func streamCompressed(
        fd: Int32, file: CorpusFile, kind: ByteStream.Kind, retryLater: inout Bool,
        resume: inout Manifest.Resume?, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        // What is inside: its first 64 KB, inflated on their own.
        var head = [UInt8](repeating: 0, count: 65536)
        let got = head.withUnsafeMutableBytes { ByteStream(fd: fd, kind: kind).readFully($0.baseAddress!, $0.count) }
        head.removeSubrange(got.count...)
        guard !head.isEmpty, lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        let source = ByteStream(fd: fd, kind: kind, cap: streamedOutputCap(compressedSize: Int(file.size)))
        let path = file.relativePath
        if isTar(head) { return streamTar(source, relativePath: path, retryLater: &retryLater, emit: emit) }
        // JSON Lines, mbox or CSV content: a resume point when it ends a record between members.
        let format = appendableFormat(head)
        let appendable = format == .jsonLines || format == .mbox || format == .csv
        source.tracksContent = appendable
        var reached: ReaderPosition?
        let d = streamFormat(
            source, head: head, relativePath: path, retryLater: &retryLater, from: nil, reached: &reached, emit: emit)
        if appendable, let format, let d, let reached, !retryLater {
            resume = compressedResumePoint(source, format, start: nil, reached, d)
        }
        return d
    }

    /// Runs `body`, which hands an archive's members to `run` (its weight in bytes, and the work
    /// that loads it) in the archive's order: they are loaded on every core, and their results
    /// go to `take` in that order. `drain` first takes every result due (before a member is
    /// streamed on this thread).
    static func membersInOrder<E: Error>(
        take: (LoadResult) -> Void,
        _ body: (_ run: (Int, @escaping () -> LoadResult) -> Void, _ drain: () -> Void) throws(E) -> Void
    ) throws(E) {
        var pool: OrderedPool<LoadResult>?
        if Parallel.cores > 1 {
            XMLStreamReader.prepare()
            HTMLLoader.prepare()
            pool = OrderedPool(threads: Parallel.cores)
        }
        defer { pool?.finish(deliver: take) }
        let failure: E? = withoutActuallyEscaping(take) { take -> E? in
            do throws(E) {
                try body(
                    { weight, work in
                        if let pool { pool.submit(weight: weight, work, deliver: take) } else { take(work()) }
                    }, { pool?.drain(deliver: take) })
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// A large tar archive (`.tar`, or inflating: `.tar.gz`, `.tar.zst`, `.tar.xz`…), read a member at a
    /// time in archive order, each member as `loadTar` reads it (a member's fatal error is
    /// that member's, named `archive/member`; a damaged archive is an error of the archive).
    static func streamTar(
        _ source: ByteStream, relativePath: String, retryLater: inout Bool, emit: (Article) -> Void
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var members = 0
        var retry = false
        func take(_ r: LoadResult) {
            if !r.rejected { r.articles.forEach(emit) }
            diagnostics += r.diagnostics
            retry = retry || r.retryLater
        }
        do {
            // Members are parsed on every core, and taken back in archive order.
            try membersInOrder(take: take) { run, _ throws(TarArchive.Damaged) in
                try TarArchive.stream(
                    source, maxMemberBytes: maxFileBytes,
                    member: { path, bytes in
                        members += 1
                        let name = relativePath + "/" + path
                        run(bytes.count) { load(bytes, relativePath: name, nested: true) }
                    },
                    tooLarge: { path, size in
                        members += 1
                        let d = Diagnostic(
                            path: relativePath + "/" + path,
                            message: "file larger than \(maxFileBytes >> 20) MB (\(size >> 20) MB); skipped",
                            severity: .error)
                        run(0) { LoadResult(diagnostics: [d]) }
                    })
            }
        } catch {
            diagnostics.append(
                Diagnostic(
                    path: relativePath,
                    message: "damaged tar archive at byte \(error.offset): \(error.reason); skipped",
                    severity: .error))
        }
        retryLater = retryLater || retry
        if members == 0 && !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(
                Diagnostic(path: relativePath, message: "tar archive with no regular files", severity: .note))
        }
        return diagnostics
    }

    /// Loads one corpus file: all its articles, or none with an error.
    public static func load(_ file: CorpusFile) -> LoadResult {
        let bytes: [UInt8]
        do {
            bytes = try readFile(file.path)
        } catch let e as LoadFailure {
            return LoadResult(diagnostics: [Diagnostic(path: file.relativePath, message: e.message, severity: .error)])
        } catch {
            return LoadResult(diagnostics: [Diagnostic(path: file.relativePath, message: "\(error)", severity: .error)])
        }
        var r = load(bytes, relativePath: file.relativePath)
        r.resume = resumePoint(bytes, r)
        return r
    }

    /// Collection-local ids (NEWID, DOCNO, Wikipedia page ids; JSON ids that are not URLs or
    /// URIs, scoped by their loaders) are unique only
    /// within their collection, taken to be the file's directory: two collections indexed
    /// together must not replace each other's articles. Feed GUIDs and links, Message-IDs and
    /// NewsML GUIDs are global.
    static func scoped(_ r: LoadResult, _ relativePath: String) -> LoadResult {
        var r = r
        let dir = relativePath.split(separator: "/").dropLast().joined(separator: "/")
        for i in r.articles.indices { r.articles[i].idScope = dir }
        return r
    }

    /// A generic XML document that libxml2 refused with a fatal error — an entity its external
    /// DTD would declare (DocBook's `&version;`), `--` inside a comment, SGML's lowercase
    /// `<!doctype>` — read as text, so that nothing of it is lost: the document type declaration
    /// and comments left out, tags blanks, entities decoded (an undeclared one kept as written),
    /// the source's lines kept (blanks collapsed); the first short line is its title, as in a
    /// text file. The error is kept as a warning saying so. (A feed keeps its error: its items
    /// cannot be told apart in its text.)
    static func xmlAsText(_ bytes: [UInt8], relativePath: String, refused: LoadResult) -> LoadResult {
        var b = bytes
        // The document type declaration (within the first 4 KB), with its internal subset.
        let doctype = Array("<!doctype".utf8)
        let at = (0..<max(0, min(b.count, 4096) - doctype.count)).first { i in
            doctype.indices.allSatisfy { b[i + $0] | 0x20 == doctype[$0] | 0x20 }
        }
        if let at, let end = b.withUnsafeBufferPointer({ MarkupScan.doctypeEnd($0, from: at + doctype.count) }) {
            b.removeSubrange(at...end)
        }
        let text = b.withUnsafeBufferPointer { HTMLText.strip($0, keepingLines: true) }
        var r = TextLoader().load(text, relativePath: relativePath)
        guard !r.articles.isEmpty else { return refused }
        // Indentation and the blank lines of the markup's own lines out (decoded first: a
        // Latin-1 document is told by its bytes).
        for i in r.articles.indices { r.articles[i].body = HTMLText.collapse(r.articles[i].body) }
        r.diagnostics =
            refused.diagnostics.map {
                var d = $0
                if d.severity == .error {
                    d.severity = .warning
                    d.message += "; read as text, its tags taken out"
                }
                return d
            } + r.diagnostics
        return r
    }

    /// `nested`: `bytes` are a member of an archive (an archive inside one is not opened).
    public static func load(_ bytes: [UInt8], relativePath: String, nested: Bool = false) -> LoadResult {
        load(bytes, relativePath: relativePath, nested: nested, mailDepth: 0)
    }

    /// `mailDepth`: how many mails `bytes` are attached inside (see `MailLoader.attachments`).
    static func load(_ bytes: [UInt8], relativePath: String, nested: Bool, mailDepth: Int) -> LoadResult {
        if bytes.isEmpty {
            return LoadResult(diagnostics: [Diagnostic(path: relativePath, message: "empty file", severity: .note)])
        }
        if bytes.count >= 8 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47 {
            return LoadResult(diagnostics: [
                Diagnostic(path: relativePath, line: 1, message: "not text (PNG image); skipped", severity: .warning)
            ])
        }
        if isTar(bytes) {
            if nested {
                return LoadResult(diagnostics: [
                    Diagnostic(path: relativePath, message: "archive inside an archive; skipped", severity: .warning)
                ])
            }
            return loadTar(bytes, relativePath: relativePath)
        }
        switch ArticleFormat.detect(bytes) {
        case .feed:
            return FeedLoader().load(bytes, relativePath: relativePath)
        case .xml:
            let r = FeedLoader().load(bytes, relativePath: relativePath)
            return r.rejected && r.articles.isEmpty ? xmlAsText(bytes, relativePath: relativePath, refused: r) : r
        case .mediaWiki:
            return MediaWikiLoader().load(bytes, relativePath: relativePath)
        case .html:
            return HTMLLoader().load(bytes, relativePath: relativePath)
        case .text:
            return TextLoader().load(bytes, relativePath: relativePath)
        case .trec:
            return scoped(TRECLoader().load(bytes, relativePath: relativePath), relativePath)
        case .reuters:
            return scoped(ReutersLoader().load(bytes, relativePath: relativePath), relativePath)
        case .wikiExtractor:
            return scoped(WikiExtractorLoader().load(bytes, relativePath: relativePath), relativePath)
        case .newsML:
            return NewsMLLoader().load(bytes, relativePath: relativePath)
        case .jsonFeed:
            return JSONFeedLoader().load(bytes, relativePath: relativePath)
        case .jsonLines:
            return JSONLinesLoader().load(bytes, relativePath: relativePath)
        case .csv:
            return CSVLoader().load(bytes, relativePath: relativePath)
        case .json:
            return JSONDocumentLoader().load(bytes, relativePath: relativePath)
        case .mail:
            return MailLoader(depth: mailDepth, nested: nested).load(bytes, relativePath: relativePath)
        case .mbox:
            return MboxLoader(depth: mailDepth, nested: nested).load(bytes, relativePath: relativePath)
        case .gzip:
            return Gzip.load(bytes, relativePath: relativePath, nested: nested, mailDepth: mailDepth)
        case .zstd, .xz, .bzip2:
            return Gzip.load(bytes, relativePath: relativePath, nested: nested, mailDepth: mailDepth)
        case .zip:
            return loadZip(bytes, relativePath: relativePath, nested: nested)
        case .pdf:
            return PDFLoader().load(bytes, relativePath: relativePath)
        case .doc:
            return WordDocLoader.load(bytes, relativePath: relativePath)
        case .rtf:
            return RTFLoader().load(bytes, relativePath: relativePath)
        case .warc:
            return WARCLoader().load(bytes, relativePath: relativePath)
        case .wire:
            return WireTextLoader.load(bytes, relativePath: relativePath)
        }
    }

    /// POSIX tar: "ustar" at offset 257.
    static func isTar(_ b: [UInt8]) -> Bool { TarArchive.isHeader(b[...]) }

    /// A tar archive's regular members, each read as a file of the corpus named
    /// `archive/member/path` (their articles in archive order); a damaged archive contributes
    /// nothing.
    static func loadTar(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        let members: [TarArchive.Member]
        do {
            members = try TarArchive.members(bytes)
        } catch {
            return LoadResult(diagnostics: [
                Diagnostic(
                    path: relativePath,
                    message: "damaged tar archive at byte \(error.offset): \(error.reason); skipped",
                    severity: .error)
            ])
        }
        var result = LoadResult()
        result.isArchive = true
        for m in members {
            // A member's fatal error rejects that member only, as a directory's file.
            let r = load(Array(bytes[m.data]), relativePath: relativePath + "/" + m.path, nested: true)
            if !r.rejected { result.articles += r.articles }
            result.diagnostics += r.diagnostics
            result.retryLater = result.retryLater || r.retryLater
        }
        if members.isEmpty {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "tar archive with no regular files", severity: .note))
        }
        return result
    }
}

extension ArticleLoading {
    /// A ZIP file: a Word, PowerPoint, Excel, OpenDocument or EPUB file is one document (see
    /// `OfficeLoader`), inside an archive too; any other archive is read as a tar archive is, each member a file
    /// of the corpus named `archive.zip/member/path` (an encrypted member or one compressed
    /// otherwise than stored or deflated is skipped with a warning), and is not opened inside
    /// another archive. A damaged archive contributes nothing.
    static func loadZip(_ bytes: [UInt8], relativePath: String, nested: Bool) -> LoadResult {
        var zip: ZipArchive.Reader
        switch openZip(.memory(bytes), relativePath: relativePath) {
        case .skipped(let d):
            return LoadResult(diagnostics: [d])
        case .document(let kind, var document):
            return OfficeLoader.load(kind, &document, relativePath: relativePath)
        case .archive(let reader):
            zip = reader
        }
        if nested {
            return LoadResult(diagnostics: [
                Diagnostic(path: relativePath, message: "archive inside an archive; skipped", severity: .warning)
            ])
        }
        var result = LoadResult()
        result.isArchive = true
        // One after another: a member's fatal error rejects that member only, as a directory's file.
        zipMembers(&zip, archive: relativePath) { _, _, work in
            let r = work()
            if !r.rejected { result.articles += r.articles }
            result.diagnostics += r.diagnostics
            result.retryLater = result.retryLater || r.retryLater
        }
        if !zip.members.contains(where: { !$0.isHidden }) {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "zip archive with no regular files", severity: .note))
        }
        return result
    }

    /// A ZIP archive opened: damaged or of a kind not read (`skipped`, with the diagnostic), a
    /// Word, OpenDocument text or EPUB file, or a plain archive of files.
    enum OpenedZip {
        case skipped(Diagnostic)
        case document(OfficeLoader.Kind, ZipArchive.Reader)
        case archive(ZipArchive.Reader)
    }

    static func openZip(_ source: ZipArchive.Source, relativePath: String, totalCap: Int? = nil) -> OpenedZip {
        let members: [ZipArchive.Member]
        do {
            members = try ZipArchive.members(source)
        } catch {
            return .skipped(
                Diagnostic(
                    path: relativePath,
                    message: "damaged zip archive at byte \(error.offset): \(error.reason); skipped",
                    severity: .error))
        }
        var zip = ZipArchive.Reader(source, members, totalCap: totalCap)
        switch OfficeLoader.recognise(&zip) {
        case .document(let kind):
            return .document(kind, zip)
        case .notRead(let what):
            return .skipped(Diagnostic(path: relativePath, message: "\(what): not read; skipped", severity: .warning))
        case .archive:
            return .archive(zip)
        }
    }

    /// Hands the files of a plain ZIP archive (hidden members left out) to `run` in order, each
    /// to be read whole within `zip`'s caps and loaded as a file of the corpus named
    /// `archive/member` (with its weight: the size it declares; 0 for a member not read), unless
    /// `streamed` takes it first
    /// (true: it streamed the member itself). A member over a cap, damaged, encrypted or
    /// compressed otherwise is that member's error or warning; once the archive's total is
    /// spent, the rest are not read.
    static func zipMembers(
        _ zip: inout ZipArchive.Reader, archive: String,
        streamed: (ZipArchive.Member, inout ZipArchive.Reader) -> Bool = { _, _ in false },
        run: (ZipArchive.Member, Int, @escaping () -> LoadResult) -> Void
    ) {
        let source = zip.source
        let files = zip.members.filter { !$0.isHidden }
        for (k, m) in files.enumerated() {
            if streamed(m, &zip) { continue }
            let name = archive + "/" + m.path
            do throws(ZipArchive.Reader.Failure) {
                try zip.reserve(m)
            } catch {
                let severity: Diagnostic.Severity = m.unreadable == nil ? .error : .warning
                var d = [Diagnostic(path: name, message: "\(error.message); skipped", severity: severity)]
                if error.exhausted && k + 1 < files.count {
                    d.append(
                        Diagnostic(
                            path: archive, message: "\(files.count - k - 1) more members not read", severity: .warning))
                }
                run(m, 0) { LoadResult(diagnostics: d) }
                if error.exhausted { break }
                continue
            }
            run(m, m.size) {
                do throws(ZipArchive.Reader.Failure) {
                    return load(try ZipArchive.Reader.read(m, in: source), relativePath: name, nested: true)
                } catch {
                    return LoadResult(
                        diagnostics: [Diagnostic(path: name, message: "\(error.message); skipped", severity: .error)])
                }
            }
        }
    }

    /// A large ZIP archive (from the streaming threshold; of any size): its central directory and
    /// members are read from the file as they are needed, not the whole file into memory. Members
    /// come in `loadZip`'s order and are inflated and parsed on every core; a member of the
    /// threshold or more holding a feed, MediaWiki export, JSON, CSV or mailbox streams as it
    /// inflates. Caps: a member read whole, `Gzip.outputCap` of its stored size; a streamed one,
    /// `streamedOutputCap` of it; all together, `streamedOutputCap` of the archive. A fatal
    /// error of a streamed member is that member's, as when read whole: the articles it had
    /// already given go to `retract` (by order of emission), the other members' stand. Nil for
    /// a Word, OpenDocument or EPUB file (read whole). `position` is told where in the file
    /// reading is.
    static func streamZip(
        fd: Int32, file: CorpusFile, threshold: Int, retryLater: inout Bool,
        position: (@escaping () -> Int) -> Void, retract: (Range<Int>) -> Void, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        let relativePath = file.relativePath
        let source = ZipArchive.Source.file(fd: fd, size: Int(file.size))
        var zip: ZipArchive.Reader
        switch openZip(source, relativePath: relativePath, totalCap: streamedOutputCap(compressedSize: Int(file.size)))
        {
        case .skipped(let d): return [d]
        case .document: return nil
        case .archive(let reader): zip = reader
        }
        var diagnostics: [Diagnostic] = []
        var retry = false
        var emitted = 0
        func send(_ a: Article) {
            emit(a)
            emitted += 1
        }
        func take(_ r: LoadResult) {
            if !r.rejected { r.articles.forEach(send) }
            diagnostics += r.diagnostics
            retry = retry || r.retryLater
        }
        // Progress: the stored bytes of the members handed out so far (members come in the
        // walker's order, not the archive's, so their offsets are no measure).
        var consumed = 0
        position { consumed }
        membersInOrder(take: take) { run, drain in
            zipMembers(
                &zip, archive: relativePath,
                streamed: { m, zip in
                    guard m.size >= threshold && m.unreadable == nil else { return false }
                    // Streamed here, after the members before it.
                    drain()
                    let before = consumed
                    let first = emitted
                    guard
                        let d = streamMember(
                            m, of: source, zip: &zip, archive: relativePath, retryLater: &retry,
                            position: { at in position { before + at() } }, emit: send)
                    else { return false }
                    diagnostics += d
                    if d.contains(where: { $0.severity == .error }) && emitted > first {
                        retract(first..<emitted)
                        diagnostics.append(
                            Diagnostic(
                                path: relativePath + "/" + m.path,
                                message: "the \(emitted - first) articles read before the error are left out",
                                severity: .note))
                    }
                    consumed = before + m.data.count
                    position { consumed }
                    return true
                },
                run: { m, weight, work in
                    if weight > 0 { consumed += m.data.count }
                    run(weight, work)
                })
        }
        retryLater = retryLater || retry
        if !zip.members.contains(where: { !$0.isHidden }) {
            diagnostics.append(
                Diagnostic(path: relativePath, message: "zip archive with no regular files", severity: .note))
        }
        return diagnostics
    }

    /// Whether `head`, a large member's first bytes, is a ZIP archive of files rather than a
    /// document in a ZIP (Word, OpenDocument, EPUB: their first part is `[Content_Types].xml`,
    /// `mimetype`, or another of their own); a plain one is skipped without being inflated
    /// (it used to be read whole, up to its cap, only to be skipped then).
    static func isPlainZip(_ head: [UInt8]) -> Bool {
        guard head.count >= 30, head[0] == 0x50, head[1] == 0x4B, head[2] == 0x03, head[3] == 0x04 else { return false }
        let n = Int(head[26]) | Int(head[27]) << 8
        guard 30 + n <= head.count else { return false }
        let first = String(decoding: head[30..<(30 + n)], as: UTF8.self)
        let documentParts = [
            "[Content_Types].xml", "mimetype", "_rels/", "docProps/", "word/", "META-INF/", "content.xml",
            "meta.xml", "styles.xml", "OEBPS/",
        ]
        return !documentParts.contains { first == $0 || ($0.hasSuffix("/") && first.hasPrefix($0)) }
    }

    /// Streams a large member of a ZIP archive when it holds a format read as it streams; nil
    /// when it does not (it is then read whole). Its errors are its own, as when read whole.
    private static func streamMember(
        _ m: ZipArchive.Member, of source: ZipArchive.Source, zip: inout ZipArchive.Reader, archive: String,
        retryLater: inout Bool, position: (@escaping () -> Int) -> Void, emit: (Article) -> Void
    ) -> [Diagnostic]? {
        var head = [UInt8](repeating: 0, count: 65536)
        let got = head.withUnsafeMutableBytes { source.stream(m).readFully($0.baseAddress!, $0.count) }
        head.removeSubrange(got.count...)
        let name = archive + "/" + m.path
        if isTar(head) || isPlainZip(head) {
            return [Diagnostic(path: name, message: "archive inside an archive; skipped", severity: .warning)]
        }
        guard !head.isEmpty, ArticleFormat.streamable(head) else { return nil }
        do {
            try zip.reserve(m, cap: streamedOutputCap(compressedSize: m.data.count))
        } catch {
            return [Diagnostic(path: name, message: "\(error.message); skipped", severity: .error)]
        }
        let s = source.stream(m)
        position { s.filePosition - m.data.lowerBound }
        return streamFormat(s, head: head, relativePath: name, retryLater: &retryLater, emit: emit) ?? []
    }
}

struct LoadFailure: Error {
    var message: String
}

// MARK: - Shared byte scanning for the SGML-like loaders (TREC, Reuters, WikiExtractor)

/// Byte-level helpers for markup that libxml2 cannot read (no root element, raw `&` and `<`,
/// control-character references). Everything works on `UnsafeBufferPointer<UInt8>` so that the
/// loops stay fast even in debug builds.
enum MarkupScan {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C || c == 0x0B
    }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    /// A hexadecimal digit's value (either case), or nil.
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
    @inline(__always) static func isNameChar(_ c: UInt8) -> Bool {
        isLetter(c) || isDigit(c) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
    }

    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        return x.count == y.count && zip(x, y).allSatisfy { lower($0) == lower($1) }
    }

    /// Index of the next `c` in `from..<to`, via memchr.
    @inline(__always) static func next(_ c: UInt8, _ b: Bytes, from: Int, to: Int) -> Int? {
        guard from < to, let base = b.baseAddress else { return nil }
        guard let p = memchr(base + from, Int32(c), to - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// 1-based line number of byte `pos`.
    static func line(of pos: Int, in b: Bytes) -> Int {
        var n = 1
        var i = 0
        while let j = next(0x0A, b, from: i, to: pos) {
            n += 1
            i = j + 1
        }
        return n
    }

    /// Bytes `r` equal `name` (given in any case), ignoring ASCII case.
    @inline(__always) static func nameIs(_ b: Bytes, _ r: Range<Int>, _ name: [UInt8]) -> Bool {
        guard r.count == name.count else { return false }
        var k = 0
        for i in r {
            if lower(b[i]) != lower(name[k]) { return false }
            k += 1
        }
        return true
    }

    struct Tag {
        var start: Int
        /// Just past the closing `>`.
        var end: Int
        var name: Range<Int>
        var closing: Bool
        /// The bytes between the name and `>`.
        var attributes: Range<Int>
    }

    /// Reads a tag at `i` (where `b[i] == "<"`): `<name attr=... >` or `</name>`. Strict, so that a
    /// stray `<` in text is not taken for a tag: the name starts with a letter, attributes follow
    /// the `name[=value]` grammar, and the tag ends before `limit` and within 1 KB.
    static func tag(_ b: Bytes, at i: Int, limit: Int) -> Tag? {
        let end = min(limit, i + 1024)
        var k = i + 1
        guard k < end else { return nil }
        let closing = b[k] == UInt8(ascii: "/")
        if closing { k += 1 }
        guard k < end, isLetter(b[k]) else { return nil }
        let nameStart = k
        while k < end && isNameChar(b[k]) { k += 1 }
        let name = nameStart..<k
        let attrStart = k
        while true {
            let ws = k
            while k < end && isSpace(b[k]) { k += 1 }
            guard k < end else { return nil }
            let c = b[k]
            if c == UInt8(ascii: ">") {
                return Tag(start: i, end: k + 1, name: name, closing: closing, attributes: attrStart..<k)
            }
            if c == UInt8(ascii: "/") && k + 1 < end && b[k + 1] == UInt8(ascii: ">") {
                return Tag(start: i, end: k + 2, name: name, closing: closing, attributes: attrStart..<k)
            }
            // An attribute needs blank space before it.
            guard k > ws, isLetter(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") else { return nil }
            while k < end && isNameChar(b[k]) { k += 1 }
            var j = k
            while j < end && isSpace(b[j]) { j += 1 }
            if j < end && b[j] == UInt8(ascii: "=") {
                j += 1
                while j < end && isSpace(b[j]) { j += 1 }
                guard j < end else { return nil }
                let q = b[j]
                if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                    j += 1
                    while j < end && b[j] != q && b[j] != UInt8(ascii: "<") { j += 1 }
                    guard j < end, b[j] == q else { return nil }
                    j += 1
                } else {
                    let v = j
                    while j < end && !isSpace(b[j]) && b[j] != UInt8(ascii: ">") && b[j] != UInt8(ascii: "<") {
                        j += 1
                    }
                    guard j > v else { return nil }
                }
                k = j
            }
        }
    }

    /// The raw value range of attribute `name` (any case) in `tag`.
    static func attribute(_ b: Bytes, _ tag: Tag, _ name: [UInt8]) -> Range<Int>? {
        var k = tag.attributes.lowerBound
        let end = tag.attributes.upperBound
        while k < end {
            while k < end && isSpace(b[k]) { k += 1 }
            let ns = k
            while k < end && isNameChar(b[k]) { k += 1 }
            let n = ns..<k
            if n.isEmpty {
                k += 1
                continue
            }
            while k < end && isSpace(b[k]) { k += 1 }
            guard k < end, b[k] == UInt8(ascii: "=") else { continue }
            k += 1
            while k < end && isSpace(b[k]) { k += 1 }
            var v = k..<k
            if k < end && (b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'")) {
                let q = b[k]
                let vs = k + 1
                k = vs
                while k < end && b[k] != q { k += 1 }
                v = vs..<k
                k += 1
            } else {
                let vs = k
                while k < end && !isSpace(b[k]) { k += 1 }
                v = vs..<k
            }
            if nameIs(b, n, name) { return v }
        }
        return nil
    }

    /// The next tag named `name` (opening, or closing when `closing`) in `range`.
    static func findTag(_ b: Bytes, _ name: [UInt8], closing: Bool, in range: Range<Int>) -> Tag? {
        var i = range.lowerBound
        while let lt = next(UInt8(ascii: "<"), b, from: i, to: range.upperBound) {
            if let t = tag(b, at: lt, limit: range.upperBound), t.closing == closing, nameIs(b, t.name, name) {
                return t
            }
            i = lt + 1
        }
        return nil
    }

    struct Element {
        var open: Tag
        /// Between the opening tag and the closing tag (or the end of the searched range).
        var content: Range<Int>
        /// Just past the closing tag (or the end of the searched range).
        var end: Int
        var closed: Bool
    }

    /// The first element `name` in `range` (no nesting of same-name elements assumed).
    static func element(_ b: Bytes, _ name: [UInt8], in range: Range<Int>) -> Element? {
        guard let open = findTag(b, name, closing: false, in: range) else { return nil }
        if let close = findTag(b, name, closing: true, in: open.end..<range.upperBound) {
            return Element(open: open, content: open.end..<close.start, end: close.end, closed: true)
        }
        return Element(open: open, content: open.end..<range.upperBound, end: range.upperBound, closed: false)
    }

    /// Every element `name` in `range`, in order.
    static func elements(_ b: Bytes, _ name: [UInt8], in range: Range<Int>) -> [Element] {
        var out: [Element] = []
        var from = range.lowerBound
        while from < range.upperBound, let e = element(b, name, in: from..<range.upperBound) {
            out.append(e)
            from = e.end
        }
        return out
    }

    /// What the first element of a markup file is (for format detection).
    struct Root {
        var name: String
        var attributes: [UInt8]
        var doctype: String?
        /// The start tag ended with `>` within the bytes looked at.
        var closed = true
        var localName: String { name.split(separator: ":").last.map(String.init) ?? name }
        /// `attributes` are XML's `name="value"` pairs (then optionally `/`), and the tag ended.
        var wellFormedStartTag: Bool {
            guard closed else { return false }
            let b = attributes
            var i = 0
            func spaces() { while i < b.count && MarkupScan.isSpace(b[i]) { i += 1 } }
            while true {
                spaces()
                if i == b.count || (b[i] == UInt8(ascii: "/") && i + 1 == b.count) { return true }
                guard
                    MarkupScan.isLetter(b[i]) || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: ":") || b[i] >= 0x80
                else { return false }
                while i < b.count && (MarkupScan.isNameChar(b[i]) || b[i] >= 0x80) { i += 1 }
                spaces()
                guard i < b.count, b[i] == UInt8(ascii: "=") else { return false }
                i += 1
                spaces()
                guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else { return false }
                let q = b[i]
                i += 1
                while i < b.count && b[i] != q { i += 1 }
                guard i < b.count else { return false }
                i += 1
            }
        }
        func hasAttribute(_ a: String) -> Bool {
            attributes.withUnsafeBufferPointer { p in
                let t = Tag(start: 0, end: p.count, name: 0..<0, closing: false, attributes: 0..<p.count)
                return MarkupScan.attribute(p, t, Array(a.utf8)) != nil
            }
        }
    }

    /// `head` holds an end tag (`</`) or an empty-element tag (`/>`): an XML document of more
    /// than a start tag does, within its first 64 KB.
    static func closesAnElement(_ head: [UInt8]) -> Bool {
        head.withUnsafeBufferPointer { b in
            guard b.count >= 2 else { return false }
            for i in 1..<b.count where b[i - 1] == UInt8(ascii: "/") || b[i] == UInt8(ascii: "/") {
                if (b[i - 1] == UInt8(ascii: "<") && b[i] == UInt8(ascii: "/"))
                    || (b[i - 1] == UInt8(ascii: "/") && b[i] == UInt8(ascii: ">"))
                {
                    return true
                }
            }
            return false
        }
    }

    /// Skips the prolog (XML declaration, PIs, comments, DOCTYPE) and reads the first element's
    /// name; nil when `head` does not start (after blanks) with markup.
    /// Whether `head` opens with comments (`<!-- … -->`, each closed) and then text that is not
    /// markup: neither `<` nor the end of the head follows the last comment.
    static func textAfterComments(_ head: [UInt8]) -> Bool {
        let n = head.count
        var i = 0
        var comments = 0
        while true {
            while i < n && isSpace(head[i]) { i += 1 }
            guard i < n else { return false }
            guard head[i] == UInt8(ascii: "<") else { return comments > 0 }
            guard i + 3 < n, head[i + 1] == UInt8(ascii: "!"), head[i + 2] == UInt8(ascii: "-"),
                head[i + 3] == UInt8(ascii: "-")
            else { return false }
            guard let end = head.withUnsafeBufferPointer({ HTMLText.commentEnd($0, from: i + 4) }) else {
                return false
            }
            i = end
            comments += 1
        }
    }

    /// The `>` that closes a document type declaration, searched from `from` (inside it), past
    /// an internal subset in brackets; nil when none does.
    static func doctypeEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var k = from
        var depth = 0
        while k < b.count && !(b[k] == UInt8(ascii: ">") && depth == 0) {
            if b[k] == UInt8(ascii: "[") { depth += 1 }
            if b[k] == UInt8(ascii: "]") { depth -= 1 }
            k += 1
        }
        return k < b.count ? k : nil
    }

    static func sniffRoot(_ head: [UInt8]) -> Root? {
        head.withUnsafeBufferPointer { b -> Root? in
            var i = 0
            var doctype: String?
            let n = b.count
            func startsWith(_ s: String, at i: Int) -> Bool {
                let u = Array(s.utf8)
                guard i + u.count <= n else { return false }
                for k in 0..<u.count where lower(b[i + k]) != lower(u[k]) { return false }
                return true
            }
            func skip(past s: String, from j: Int) -> Int? {
                let u = Array(s.utf8)
                var k = j
                while k + u.count <= n {
                    if b[k] == u[0] && startsWith(s, at: k) { return k + u.count }
                    k += 1
                }
                return nil
            }
            while true {
                while i < n && isSpace(b[i]) { i += 1 }
                guard i + 1 < n, b[i] == UInt8(ascii: "<") else { return nil }
                if b[i + 1] == UInt8(ascii: "?") {
                    guard let j = skip(past: "?>", from: i + 2) else { return nil }
                    i = j
                } else if startsWith("<!--", at: i) {
                    guard let j = skip(past: "-->", from: i + 4) else { return nil }
                    i = j
                } else if startsWith("<!DOCTYPE", at: i) {
                    var k = i + 9
                    while k < n && isSpace(b[k]) { k += 1 }
                    let s = k
                    while k < n && isNameChar(b[k]) { k += 1 }
                    doctype = String(decoding: UnsafeBufferPointer(rebasing: b[s..<k]), as: UTF8.self)
                    guard let end = doctypeEnd(b, from: k) else { return nil }
                    i = end + 1
                } else if isLetter(b[i + 1]) {
                    var k = i + 1
                    while k < n && isNameChar(b[k]) { k += 1 }
                    let name = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<k]), as: UTF8.self)
                    var e = k
                    while e < n && e < k + 4096 && b[e] != UInt8(ascii: ">") { e += 1 }
                    return Root(
                        name: name, attributes: Array(b[k..<e]), doctype: doctype,
                        closed: e < n && b[e] == UInt8(ascii: ">"))
                } else {
                    return nil
                }
            }
        }
    }
}

/// Per-field text encoding: UTF-8 when valid; Latin-1 (read as Windows-1252) when the bytes are
/// not UTF-8, hold no valid multi-byte sequence and no byte Windows-1252 leaves undefined (the
/// same rule as `TextDecoding`); else UTF-8 with U+FFFD.
enum FieldEncoding {
    case utf8, latin1, utf8Invalid

    static func of(_ b: MarkupScan.Bytes, _ r: Range<Int>) -> FieldEncoding { scan(b, r).0 }

    /// The encoding and the position of the first byte that is not valid UTF-8.
    static func scan(_ b: MarkupScan.Bytes, _ r: Range<Int>) -> (FieldEncoding, firstInvalid: Int?) {
        var i = r.lowerBound
        let end = r.upperBound
        var validMulti = 0
        var invalid: Int?
        var c1 = false
        while i < end {
            let x = b[i]
            if x < 0x80 {
                i += 1
                continue
            }
            if x <= 0x9F && TextDecoding.windows1252(x) == nil { c1 = true }
            let w = width(b, i, end)
            if w == 0 {
                if invalid == nil { invalid = i }
                i += 1
            } else {
                validMulti += 1
                i += w
            }
        }
        guard let at = invalid else { return (.utf8, nil) }
        return (validMulti == 0 && !c1 ? .latin1 : .utf8Invalid, at)
    }

    private static func width(_ b: MarkupScan.Bytes, _ i: Int, _ end: Int) -> Int {
        TextDecoding.utf8Width(b, i, end: end)
    }
}

/// Builds clean text from raw markup bytes: entities decoded (`&amp;`, numeric references and
/// the HTML names), control characters and control-character references (`&#3;`) turned into
/// blanks, optionally tags removed (block tags become line breaks), whitespace runs collapsed
/// to one space or one line break, leading and trailing blanks dropped. Output is UTF-8;
/// Latin-1 input fields are transcoded.
struct MarkupText {
    /// `raw`: text only; `entities`: decode entities; `tags`: decode entities and remove tags.
    enum Mode { case raw, entities, tags }

    private(set) var out: [UInt8] = []
    let keepLines: Bool
    private var pendingSpace = false
    private var pendingBreak = false
    /// Where a field read as Latin-1 / with invalid UTF-8 first had a non-UTF-8 byte.
    private(set) var latin1At: Int?
    private(set) var invalidUTF8At: Int?
    var readLatin1: Bool { latin1At != nil }
    var readInvalidUTF8: Bool { invalidUTF8At != nil }

    init(keepLines: Bool = true) { self.keepLines = keepLines }

    var isEmpty: Bool { out.isEmpty }
    var string: String { String(decoding: out, as: UTF8.self) }

    @inline(__always) mutating func space() { pendingSpace = true }
    @inline(__always) mutating func lineBreak() {
        if keepLines { pendingBreak = true } else { pendingSpace = true }
    }

    @inline(__always) private mutating func flush() {
        if !out.isEmpty {
            if pendingBreak {
                out.append(0x0A)
            } else if pendingSpace {
                out.append(0x20)
            }
        }
        pendingBreak = false
        pendingSpace = false
    }

    mutating func append(_ s: String) {
        for u in s.unicodeScalars { emit(u) }
    }

    @inline(__always) private mutating func emit(_ u: Unicode.Scalar) {
        let v = u.value
        if v == 0x0A || v == 0x0D {
            lineBreak()
        } else if v < 0x20 || v == 0x7F || (v >= 0x80 && v <= 0x9F) || v == 0xA0 || u.properties.isWhitespace {
            space()
        } else {
            flush()
            UTF8.encode(u) { out.append($0) }
        }
    }

    /// Appends `r` of `b`. In `.tags` mode a `<` that does not start a well-formed tag (or a
    /// comment) stays a literal character; an `&` that does not start a known entity stays too.
    mutating func append(_ b: MarkupScan.Bytes, _ r: Range<Int>, mode: Mode) {
        let (enc, odd) = FieldEncoding.scan(b, r)
        if enc == .latin1 && latin1At == nil { latin1At = odd }
        if enc == .utf8Invalid && invalidUTF8At == nil { invalidUTF8At = odd }
        out.reserveCapacity(out.count + r.count)
        var i = r.lowerBound
        let end = r.upperBound
        while i < end {
            let c = b[i]
            switch c {
            case 0x0A:
                lineBreak()
                i += 1
            case 0x20, 0x09, 0x0D, 0x0B, 0x0C:
                space()
                i += 1
            case 0..<0x20, 0x7F:
                space()
                i += 1
            case UInt8(ascii: "&") where mode != .raw:
                if let (scalars, next) = MarkupText.entity(b, at: i, end: end) {
                    for u in scalars { emit(u) }
                    i = next
                } else {
                    flush()
                    out.append(c)
                    i += 1
                }
            case UInt8(ascii: "<") where mode == .tags:
                if let next = skipMarkup(b, at: i, end: end) {
                    i = next
                } else {
                    flush()
                    out.append(c)
                    i += 1
                }
            case 0x80...0xFF where enc == .latin1:
                if let w = TextDecoding.windows1252(c) {
                    // Latin-1 as browsers read it: Windows-1252's characters for 0x80–0x9F.
                    flush()
                    out.append(contentsOf: String(w).utf8)
                } else if c <= 0x9F || c == 0xA0 {
                    space()
                } else {
                    flush()
                    out.append(0xC0 | c >> 6)
                    out.append(0x80 | c & 0x3F)
                }
                i += 1
            default:
                // A run of plain bytes, copied at once.
                flush()
                var j = i + 1
                while j < end {
                    let d = b[j]
                    if d <= 0x20 || d == 0x26 || d == 0x3C || d == 0x7F || (d >= 0x80 && enc == .latin1) { break }
                    j += 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                i = j
            }
        }
    }

    /// Skips a tag, comment, `<!...>` or `<?...?>` at `i`, returning the index past it (and
    /// recording a blank or a line break), or nil when `<` is literal text.
    private mutating func skipMarkup(_ b: MarkupScan.Bytes, at i: Int, end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        let c = b[i + 1]
        if c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
            if i + 3 < end && c == UInt8(ascii: "!") && b[i + 2] == UInt8(ascii: "-") && b[i + 3] == UInt8(ascii: "-") {
                var k = i + 4
                while k + 2 < end {
                    if b[k] == UInt8(ascii: "-") && b[k + 1] == UInt8(ascii: "-") && b[k + 2] == UInt8(ascii: ">") {
                        space()
                        return k + 3
                    }
                    k += 1
                }
                return nil
            }
            guard i + 2 < end, MarkupScan.isLetter(b[i + 2]) else { return nil }
            guard let gt = MarkupScan.next(UInt8(ascii: ">"), b, from: i + 2, to: min(end, i + 1024)) else {
                return nil
            }
            space()
            return gt + 1
        }
        guard let t = MarkupScan.tag(b, at: i, limit: end) else { return nil }
        if MarkupText.isBlock(b, t.name) { lineBreak() } else { space() }
        return t.end
    }

    private static let blockNames: [[UInt8]] = [
        "p", "br", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
        "ul", "ol", "dd", "dt", "hr", "hl1", "hl2", "poem",
    ].map { Array($0.utf8) }

    static func isBlock(_ b: MarkupScan.Bytes, _ name: Range<Int>) -> Bool {
        guard name.count <= 10 else { return false }
        for n in blockNames where MarkupScan.nameIs(b, name, n) { return true }
        return false
    }

    /// SGML entities found in TREC collections, beyond HTML's.
    private static let sgmlExtra: [String: String] = [
        "hyph": "-", "blank": " ", "space": " ", "rsquo": "\u{2019}", "lsquo": "\u{2018}", "cir": "\u{25CB}",
    ]

    private static let ampName = Array("amp".utf8)
    private static let ltName = Array("lt".utf8)
    private static let gtName = Array("gt".utf8)

    /// Decodes `&name;` / `&#n;` / `&#xh;` at `i`; nil when it is not a known entity.
    static func entity(_ b: MarkupScan.Bytes, at i: Int, end: Int) -> ([Unicode.Scalar], Int)? {
        var j = i + 1
        let limit = min(end, i + 34)
        while j < limit && (MarkupScan.isLetter(b[j]) || MarkupScan.isDigit(b[j]) || b[j] == UInt8(ascii: "#")) {
            j += 1
        }
        guard j < limit, b[j] == UInt8(ascii: ";"), j > i + 1 else { return nil }
        let name = i + 1..<j
        // Fast paths for the common ones.
        if MarkupScan.nameIs(b, name, ampName) { return (["&"], j + 1) }
        if MarkupScan.nameIs(b, name, ltName) { return (["<"], j + 1) }
        if MarkupScan.nameIs(b, name, gtName) { return ([">"], j + 1) }
        if b[i + 1] == UInt8(ascii: "#") {
            var v: UInt32 = 0
            var k = i + 2
            let hex = k < j && (b[k] | 0x20) == UInt8(ascii: "x")
            if hex { k += 1 }
            guard k < j else { return nil }
            while k < j {
                let d = b[k]
                let digit: UInt32
                if MarkupScan.isDigit(d) {
                    digit = UInt32(d - 0x30)
                } else if hex, (d | 0x20) >= 0x61, (d | 0x20) <= 0x66 {
                    digit = UInt32((d | 0x20) - 0x61 + 10)
                } else {
                    return nil
                }
                v = v &* (hex ? 16 : 10) &+ digit
                if v > 0x10FFFF { return nil }
                k += 1
            }
            // Control-character references (Reuters' &#2; &#3; ...) become a blank.
            guard v != 0, let u = Unicode.Scalar(v) else { return ([" "], j + 1) }
            return ([u], j + 1)
        }
        let s = String(decoding: UnsafeBufferPointer(rebasing: b[name]), as: UTF8.self)
        if let d = HTMLText.named[s] ?? sgmlExtra[s] { return (Array(d.unicodeScalars), j + 1) }
        return nil
    }

    /// Decodes entities in a short attribute value or header (no tags).
    static func decode(_ b: MarkupScan.Bytes, _ r: Range<Int>) -> String {
        var t = MarkupText(keepLines: false)
        t.append(b, r, mode: .entities)
        return t.string
    }
}

/// Line numbers of byte offsets that mostly increase: a whole scan costs one pass over the file.
struct LineCounter {
    private var pos = 0
    private var count = 1

    mutating func line(at p: Int, in b: MarkupScan.Bytes) -> Int {
        if p < pos {
            pos = 0
            count = 1
        }
        var i = pos
        while let j = MarkupScan.next(0x0A, b, from: i, to: p) {
            count += 1
            i = j + 1
        }
        pos = p
        return count
    }

    /// The first `n` bytes were dropped from the buffer (all of them already counted).
    mutating func dropped(_ n: Int) { pos -= n }
}

/// Caps repeated warnings of one kind in one file (a broken file must not flood the output):
/// the first `perKind` are kept, then one summary counts the rest.
/// A size limit as messages give it: `64 MB`, or `1000 bytes` under a megabyte.
func sizeText(_ n: Int) -> String { n >= 1 << 20 ? "\(n >> 20) MB" : "\(n) bytes" }

struct WarningBudget {
    static let perKind = 20
    private var counts: [String: Int] = [:]
    private var order: [String] = []

    /// Whether one more warning of `kind` should be emitted.
    mutating func allow(_ kind: String) -> Bool {
        if counts[kind] == nil { order.append(kind) }
        counts[kind, default: 0] += 1
        return counts[kind]! <= Self.perKind
    }

    func summary(path: String) -> [Diagnostic] {
        order.compactMap { kind in
            let n = counts[kind]! - Self.perKind
            return n > 0 ? Diagnostic(path: path, message: "\(n) more: \(kind)", severity: .warning) : nil
        }
    }
}

/// Collects where fields of one file were not UTF-8, for one warning of each kind per file.
struct EncodingNotes {
    var latin1At: Int?
    var invalidAt: Int?

    mutating func note(_ t: MarkupText) {
        if latin1At == nil { latin1At = t.latin1At }
        if invalidAt == nil { invalidAt = t.invalidUTF8At }
    }

    func diagnostics(_ b: MarkupScan.Bytes, path: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let p = latin1At {
            out.append(
                Diagnostic(
                    path: path, line: MarkupScan.line(of: p, in: b),
                    message: "not valid UTF-8; read as Latin-1 (Windows-1252)",
                    severity: .warning))
        }
        if let p = invalidAt {
            out.append(
                Diagnostic(
                    path: path, line: MarkupScan.line(of: p, in: b), message: "invalid UTF-8 bytes replaced by U+FFFD",
                    severity: .warning))
        }
        return out
    }
}

/// Dates of the wire formats: what `DateParsing.iso` reads, plus ISO 8601 basic format
/// (`20151210T191044Z`, `20180404T175859+0300`, `20240710`) as used by NITF and NewsML.
enum LoaderDates {
    static func iso(_ raw: String) -> String? {
        let s = raw.trimmingWhitespace()
        if s.isEmpty { return nil }
        if let b = basic(s) { return b }
        return DateParsing.iso(s)
    }

    /// `YYYYMMDD[THHMM[SS][.fff][Z|±HH[:]MM]]` → extended form, then `DateParsing`.
    static func basic(_ s: String) -> String? {
        let u = Array(s.utf8)
        guard u.count >= 8, u[0..<8].allSatisfy(MarkupScan.isDigit) else { return nil }
        func str(_ r: Range<Int>) -> String { String(decoding: u[r], as: UTF8.self) }
        let date = "\(str(0..<4))-\(str(4..<6))-\(str(6..<8))"
        if u.count == 8 { return DateParsing.iso(date) }
        guard u[8] == UInt8(ascii: "T") || u[8] == UInt8(ascii: "t"), u.count >= 13,
            u[9..<13].allSatisfy(MarkupScan.isDigit)
        else { return nil }
        var k = 13
        var time = "\(str(9..<11)):\(str(11..<13))"
        if k + 2 <= u.count && u[k..<(k + 2)].allSatisfy(MarkupScan.isDigit) {
            time += ":" + str(k..<(k + 2))
            k += 2
        }
        if k < u.count && u[k] == UInt8(ascii: ".") {
            k += 1
            while k < u.count && MarkupScan.isDigit(u[k]) { k += 1 }
        }
        var zone = ""
        if k < u.count {
            let z = str(k..<u.count)
            if z == "Z" || z == "z" {
                zone = "Z"
            } else if let sign = z.first, sign == "+" || sign == "-" {
                let digits = z.dropFirst().filter { $0 != ":" }
                guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                zone = "\(sign)\(digits.prefix(2)):\(digits.suffix(2))"
            } else {
                return nil
            }
        }
        return DateParsing.iso("\(date)T\(time)\(zone)")
    }
}
