import CLibXML2
import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

/// The one Swift type over libxml2's streaming `xmlTextReader`, with Loupe's safe options:
/// no network (`XML_PARSE_NONET`), no entity substitution (`NOENT` off), no DTD loading or
/// validation, never `XML_PARSE_HUGE` (it disables the entity-bomb guard), and a process-wide
/// external entity loader that refuses everything. Parses from memory, so a `.gz` is never
/// silently decompressed. Errors arrive through the reader's structured handler with line and
/// column.
final class XMLStreamReader {
    enum NodeType {
        case element, endElement, text, entityReference, documentType, other
    }

    struct XMLError {
        var line: Int
        var column: Int
        var message: String
        var fatal: Bool
        /// A namespace error (an undeclared prefix): the document stays well-formed.
        var namespace = false
        /// The undeclared prefix of a namespace error, as libxml2 gives it.
        var prefix: String?
    }

    final class ErrorSink {
        var errors: [XMLError] = []
    }

    static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)

    private static let setup: Void = {
        xmlInitParser()
        loupe_installDenyLoader()
    }()

    /// libxml2's global set-up (not reentrant): done once, before threads parse.
    static func prepare() { _ = setup }

    private let reader: xmlTextReaderPtr
    private let sink = ErrorSink()
    private let sinkRef: Unmanaged<ErrorSink>
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var source: Unmanaged<FileSource>?

    /// Reads an open file descriptor through plain `read(2)` (libxml2's own file input would
    /// silently gunzip), with HTML's named entities rewritten (`XMLRepair`): a chunk is
    /// read, cut before a reference it would split, rewritten, and handed out in pieces.
    final class FileSource {
        let stream: ByteStream
        private var chunk: [UInt8]
        /// Bytes read but held back (a possibly cut reference or UTF-8 sequence), at the start
        /// of `chunk`.
        private var carry = 0
        private var out: [UInt8] = []
        private var outPos = 0
        private var atEnd = false
        /// Whether invalid UTF-8 is re-read as Windows-1252 (decided on the first chunk).
        private var utf8Document: Bool?
        private var transcoded: [UInt8] = []
        /// Line breaks before the current chunk.
        private var linesBefore = 0
        /// The line of the first byte re-read as Windows-1252.
        private(set) var latin1Line: Int?
        /// The legacy encoding an undeclared document was found in and declared in (nil: none).
        private(set) var legacyEncoding: String?
        /// The encoding a document declared but is not in, being UTF-8 (nil: none).
        private(set) var misdeclared: String?
        /// Repairs of ill-formed XML (`XMLRepair.Scanner`), set up on the first chunk.
        private var scanner: XMLRepair.Scanner?
        /// What the scanner repaired, with lines in the file.
        private(set) var repairs = XMLRepair.Repairs()

        /// `chunkSize`: bytes read at a time (at least 16; the chunk grows when what is held back
        /// fills it: a long run of dashes). Tests use small ones to cut references everywhere.
        init(stream: ByteStream, chunkSize: Int = 1 << 16) {
            self.stream = stream
            chunk = [UInt8](repeating: 0, count: max(chunkSize, 16))
        }

        /// Fills `buffer` with up to `len` bytes; 0 at the end, -1 on a read error.
        func read(into buffer: UnsafeMutablePointer<CChar>, _ len: Int) -> Int32 {
            while outPos == out.count {
                if atEnd { return 0 }
                out.removeAll(keepingCapacity: true)
                outPos = 0
                // All held back (a long run of a comment's dashes): room for more.
                if carry == chunk.count { chunk += [UInt8](repeating: 0, count: chunk.count) }
                let n = chunk.withUnsafeMutableBytes { c in stream.read(c.baseAddress! + carry, c.count - carry) }
                if n < 0 { return -1 }
                let have = carry + n
                if n == 0 { atEnd = true }
                if utf8Document == nil {
                    if let k = XMLRepair.blankServerOutput(&chunk, count: have) { repairs.serverOutput = k }
                    XMLRepair.moveBlanksAfterDeclaration(&chunk, count: have)
                }
                let end = chunk.withUnsafeBufferPointer { c -> Int in
                    let all = UnsafeBufferPointer(rebasing: c[0..<have])
                    var skip = 0
                    if utf8Document == nil {
                        utf8Document = XMLRepair.isUTF8Document(all)
                        // Declared in another encoding but UTF-8 (read as UTF-8), or undeclared
                        // East Asian or Cyrillic text (declared so for libxml2).
                        if let r = XMLRepair.redeclaration(all) {
                            utf8Document = r.misdeclared != nil
                            legacyEncoding = r.legacy
                            misdeclared = r.misdeclared
                            out.append(contentsOf: r.declaration)
                            skip = r.replacing
                        }
                    }
                    let end =
                        atEnd ? have : max(skip, min(XMLRepair.safeEnd(all), XMLRepair.utf8SafeEnd(all)))
                    let piece = UnsafeBufferPointer(rebasing: all[skip..<end])
                    let transcode = utf8Document == true && !TextDecoding.isValidUTF8(piece)
                    if scanner == nil { scanner = XMLRepair.Scanner(head: all) }
                    let (bad, found) = XMLRepair.repair(
                        piece, transcode: transcode, scanner: &scanner!, into: &out, scratch: &transcoded)
                    if latin1Line == nil && utf8Document == true, let bad {
                        latin1Line = linesBefore + MarkupScan.line(of: bad, in: piece)
                    }
                    repairs.add(found, linesBefore: linesBefore)
                    linesBefore += MarkupScan.line(of: piece.count, in: piece) - 1
                    return end
                }
                carry = have - end
                if carry > 0 {
                    chunk.withUnsafeMutableBufferPointer { m in
                        for k in 0..<carry { m[k] = m[end + k] }
                    }
                }
            }
            let k = min(len, out.count - outPos)
            out.withUnsafeBytes { o in
                UnsafeMutableRawPointer(buffer).copyMemory(from: o.baseAddress! + outPos, byteCount: k)
            }
            outPos += k
            return Int32(k)
        }
    }

    /// Streams from `fd` (not closed here): memory stays flat whatever the file size.
    convenience init?(fd: Int32, url: String, chunkSize: Int = 1 << 16) {
        self.init(stream: ByteStream(fd: fd), url: url, chunkSize: chunkSize)
    }

    /// Streams from `stream` (a compressed file too).
    init?(stream: ByteStream, url: String, chunkSize: Int = 1 << 16) {
        _ = XMLStreamReader.setup
        buffer = .allocate(capacity: 1)
        let src = Unmanaged.passRetained(FileSource(stream: stream, chunkSize: chunkSize))
        guard let r = xmlReaderForIO(xmlFDRead, nil, src.toOpaque(), url, nil, XMLStreamReader.options) else {
            src.release()
            buffer.deallocate()
            return nil
        }
        source = src
        reader = r
        sinkRef = Unmanaged.passRetained(sink)
        xmlTextReaderSetStructuredErrorHandler(reader, xmlErrorCallback, sinkRef.toOpaque())
    }

    /// Why reading a streamed file failed (a read error, damaged compressed data), if it did.
    var readFailure: String? { source?.takeUnretainedValue().stream.failure }

    /// Reads `bytes` whole through `run` (a loader's walk of the document, handing out
    /// articles): its articles, none when a diagnostic is an error.
    static func loaded(
        _ bytes: [UInt8], url: String, _ run: (XMLStreamReader, (Article) -> Void) -> [Diagnostic]
    ) -> LoadResult {
        var result = LoadResult()
        guard let r = XMLStreamReader(bytes: bytes, url: url) else {
            result.diagnostics.append(
                Diagnostic(path: url, line: 1, message: "cannot start the XML parser", severity: .error))
            return result
        }
        var articles: [Article] = []
        result.diagnostics = run(r) { articles.append($0) }
        if !result.rejected { result.articles = articles }
        return result
    }

    /// Streams `source` through `run` (a loader's walk of the document); a failure to read
    /// (damaged compressed data) is an error of the file, after `run`'s diagnostics.
    static func streamed(
        _ source: ByteStream, url: String, chunkSize: Int, _ run: (XMLStreamReader) -> [Diagnostic]
    ) -> [Diagnostic] {
        guard let r = XMLStreamReader(stream: source, url: url, chunkSize: chunkSize) else {
            return [Diagnostic(path: url, line: 1, message: "cannot start the XML parser", severity: .error)]
        }
        var d = run(r)
        if let f = r.readFailure { d.append(Diagnostic(path: url, message: f, severity: .error)) }
        return d
    }

    /// The line of the first byte that was not UTF-8 in a UTF-8 document, re-read as
    /// Windows-1252 (nil: none); for a streamed file, known once it has been read.
    var latin1Line: Int? { bytesLatin1Line ?? source?.takeUnretainedValue().latin1Line }

    /// The legacy encoding an undeclared document was read in (nil: none).
    var legacyEncoding: String? { bytesLegacyEncoding ?? source?.takeUnretainedValue().legacyEncoding }

    /// The encoding the document declared but is not in, being UTF-8 (nil: none).
    var misdeclared: String? { bytesMisdeclared ?? source?.takeUnretainedValue().misdeclared }

    /// What a loader says of how the bytes were read: a warning when a document declared
    /// another encoding but is UTF-8, and when bytes were re-read as Windows-1252; a note when an
    /// undeclared document was read in a legacy encoding; a warning for each kind of ill-formed
    /// place repaired, and for undeclared namespace prefixes; none when it was read as it is.
    func charsetDiagnostics(path: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let label = legacyEncoding {
            out.append(
                Diagnostic(
                    path: path, line: 1, message: "not UTF-8 and no encoding declared; read as \(label)",
                    severity: .note))
        }
        if let name = misdeclared {
            out.append(
                Diagnostic(
                    path: path, line: 1, message: "declared \(name) but written in UTF-8; read as UTF-8",
                    severity: .warning))
        }
        if let line = latin1Line {
            out.append(
                Diagnostic(
                    path: path, line: line, message: "not valid UTF-8 as declared; read as Latin-1 (Windows-1252)",
                    severity: .warning))
        }
        out += repairs.diagnostics(path: path)
        let namespaces = errors.filter(\.namespace)
        if let first = namespaces.first {
            let more = namespaces.count > 1 ? " (\(namespaces.count) in the file)" : ""
            let read =
                first.prefix.map { XMLStreamReader.usualNamespaces[$0] != nil } == true
                ? "read in the namespace \(first.prefix!): usually names" : "read all the same, without a namespace"
            out.append(
                Diagnostic(
                    path: path, line: first.line, message: "\(first.message); \(read)\(more)", severity: .warning))
        }
        return out
    }

    /// What was repaired of ill-formed XML (`XMLRepair.Scanner`); for a streamed file, known once
    /// it has been read.
    var repairs: XMLRepair.Repairs { bytesRepairs ?? source?.takeUnretainedValue().repairs ?? XMLRepair.Repairs() }
    private var bytesLatin1Line: Int?
    private var bytesLegacyEncoding: String?
    private var bytesMisdeclared: String?
    private var bytesRepairs: XMLRepair.Repairs?

    init?(bytes original: [UInt8], url: String) {
        _ = XMLStreamReader.setup
        var bytes = original
        if let r = XMLRepair.repairedDocument(original) {
            bytes = r.bytes
            bytesLatin1Line = r.firstInvalidLine
            bytesLegacyEncoding = r.legacy
            bytesMisdeclared = r.misdeclared
            bytesRepairs = r.repairs
        }
        // libxml2 does not copy the buffer: own a copy for the reader's lifetime.
        buffer = .allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
        let r = buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            xmlReaderForMemory($0, Int32(clamping: bytes.count), url, nil, XMLStreamReader.options)
        }
        guard let r else {
            buffer.deallocate()
            return nil
        }
        reader = r
        sinkRef = Unmanaged.passRetained(sink)
        xmlTextReaderSetStructuredErrorHandler(reader, xmlErrorCallback, sinkRef.toOpaque())
    }

    deinit {
        xmlFreeTextReader(reader)
        sinkRef.release()
        source?.release()
        buffer.deallocate()
    }

    var errors: [XMLError] { sink.errors }

    /// Advances; false at the end of the document or on a fatal error.
    func read() -> Bool { xmlTextReaderRead(reader) == 1 }

    var nodeType: NodeType {
        switch xmlTextReaderNodeType(reader) {
        case Int32(XML_READER_TYPE_ELEMENT.rawValue): return .element
        case Int32(XML_READER_TYPE_END_ELEMENT.rawValue): return .endElement
        case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
            Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
            return .text
        case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue): return .entityReference
        case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue): return .documentType
        default: return .other
        }
    }

    /// The namespaces feeds use under their usual prefixes: an element whose prefix no
    /// declaration binds (`itunes:subtitle` in a feed without `xmlns:itunes`, a namespace error
    /// that leaves the document well-formed) is read as in that namespace, as feed readers do.
    /// libxml2 keeps such an element's whole name (`itunes:subtitle`) as its local name.
    static let usualNamespaces: [String: String] = [
        "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
        "content": "http://purl.org/rss/1.0/modules/content/", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "media": "http://search.yahoo.com/mrss/", "atom": "http://www.w3.org/2005/Atom",
        "wfw": "http://wellformedweb.org/CommentAPI/", "slash": "http://purl.org/rss/1.0/modules/slash/",
        "sy": "http://purl.org/rss/1.0/modules/syndication/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "georss": "http://www.georss.org/georss", "xhtml": "http://www.w3.org/1999/xhtml",
        "wp": "http://wordpress.org/export/1.2/", "excerpt": "http://wordpress.org/export/1.2/excerpt/",
        "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
        "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
    ]

    /// For an element whose prefix no declaration binds and is one of `usualNamespaces`'s: the
    /// namespace the prefix usually names, and where its local name starts in libxml2's name.
    private func undeclared() -> (uri: String, local: Int)? {
        guard xmlTextReaderConstNamespaceUri(reader) == nil, let p = xmlTextReaderConstLocalName(reader),
            let colon = strchr(p, 0x3A)
        else { return nil }
        let n = UnsafePointer<CChar>(colon) - UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)
        let prefix = String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
        guard let uri = XMLStreamReader.usualNamespaces[prefix] else { return nil }
        return (uri, n + 1)
    }

    var localName: String {
        guard let p = xmlTextReaderConstLocalName(reader) else { return "" }
        if let u = undeclared() { return String(cString: p + u.local) }
        return String(cString: p)
    }

    var name: String {
        guard let p = xmlTextReaderConstName(reader) else { return "" }
        return String(cString: p)
    }

    /// The current node's namespace URI ("" for none).
    var namespaceURI: String {
        guard let p = xmlTextReaderConstNamespaceUri(reader) else { return undeclared()?.uri ?? "" }
        return String(cString: p)
    }

    /// Whether the current node's namespace URI starts with `prefix` (any version of a
    /// vocabulary; compared in place, nothing allocated).
    func inNamespace(startingWith prefix: String) -> Bool {
        guard let p = xmlTextReaderConstNamespaceUri(reader) else {
            return undeclared()?.uri.hasPrefix(prefix) ?? false
        }
        return prefix.withCString {
            strncmp(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), $0, strlen($0)) == 0
        }
    }

    /// Whether the current node's namespace is `uri` (compared in place, nothing allocated).
    func inNamespace(_ uri: String) -> Bool {
        guard let p = xmlTextReaderConstNamespaceUri(reader) else { return (undeclared()?.uri ?? "") == uri }
        return uri.withCString { strcmp(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), $0) == 0 }
    }

    var value: String {
        guard let p = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: p)
    }

    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

    /// The current node's base URI (its and its ancestors' `xml:base`, resolved) when that is
    /// an absolute `http(s)` address; nil otherwise (the document's own name is no address).
    var webBase: String? {
        guard let p = xmlTextReaderConstBaseUri(reader) else { return nil }
        let base = String(cString: p)
        return XMLStreamReader.isWebAddress(base) ? base : nil
    }

    static func isWebAddress(_ s: String) -> Bool {
        let l = s.utf8.prefix(8).map(MarkupScan.lower)
        return l.starts(with: "https://".utf8) || l.starts(with: "http://".utf8)
    }

    /// `ref` resolved against `base` (RFC 3986, libxml2's `xmlBuildURI`) when `ref` is relative
    /// (no scheme: `/posts/1`, `../x`, `//host/y`); `ref` itself otherwise.
    static func resolve(_ ref: String, against base: String?) -> String {
        guard let base, !ref.isEmpty, !hasScheme(ref), let p = xmlBuildURI(ref, base) else { return ref }
        defer { loupe_xmlFree(p) }
        return String(cString: p)
    }

    /// Whether `s` opens with a URI scheme (`https:`, `mailto:`, `urn:`).
    static func hasScheme(_ s: String) -> Bool {
        for (i, c) in s.utf8.enumerated() {
            if c == 0x3A { return i > 0 }
            let letter = MarkupScan.isLetter(c)
            guard letter || i > 0 && (MarkupScan.isDigit(c) || c == 0x2B || c == 0x2D || c == 0x2E) else {
                return false
            }
        }
        return false
    }

    func attribute(_ name: String) -> String? {
        guard let p = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { loupe_xmlFree(p) }
        return String(cString: p)
    }
}

/// C callback: state arrives through `userData` (an unmanaged `ErrorSink`).
private let xmlErrorCallback: xmlStructuredErrorFunc = { userData, errorPtr in
    guard let userData, let e = errorPtr?.pointee else { return }
    let sink = Unmanaged<XMLStreamReader.ErrorSink>.fromOpaque(userData).takeUnretainedValue()
    var msg = e.message.map { String(cString: $0) } ?? "XML error"
    while msg.hasSuffix("\n") { msg.removeLast() }
    // libxml2's safety limits (10 MB of text in one element, 256 levels of nesting) stay on:
    // the option that lifts them (which its message names) also lifts the entity-bomb guard.
    if msg.hasSuffix("huge text node") {
        msg += " (over 10 MB of text in one element: libxml2's safety limit, kept)"
    } else if let r = msg.range(of: " use XML_PARSE_HUGE option") {
        msg = String(msg[..<r.lowerBound]) + " (libxml2's safety limit, kept)"
    }
    sink.errors.append(
        XMLStreamReader.XMLError(
            line: Int(e.line), column: Int(e.int2), message: msg,
            // A namespace error (a prefix no element declares: `itunes:subtitle` in a feed
            // without `xmlns:itunes`) leaves the document well-formed, and libxml2 goes on.
            fatal: e.level.rawValue >= XML_ERR_ERROR.rawValue && e.domain != Int32(XML_FROM_NAMESPACE.rawValue),
            namespace: e.domain == Int32(XML_FROM_NAMESPACE.rawValue),
            prefix: e.domain == Int32(XML_FROM_NAMESPACE.rawValue) ? e.str1.map { String(cString: $0) } : nil))
}

/// libxml2 input callback: reads from the `FileSource` in `context`.
private let xmlFDRead: xmlInputReadCallback = { context, buffer, len in
    guard let context, let buffer, len > 0 else { return -1 }
    let src = Unmanaged<XMLStreamReader.FileSource>.fromOpaque(context).takeUnretainedValue()
    return src.read(into: buffer, Int(len))
}
