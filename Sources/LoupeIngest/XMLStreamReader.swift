import CLibXML2

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

    private let reader: xmlTextReaderPtr
    private let sink = ErrorSink()
    private let sinkRef: Unmanaged<ErrorSink>
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var source: Unmanaged<FileSource>?

    /// Reads an open file descriptor through plain `read(2)` (libxml2's own file input would
    /// silently gunzip).
    final class FileSource {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
    }

    /// Streams from `fd` (not closed here): memory stays flat whatever the file size.
    init?(fd: Int32, url: String) {
        _ = XMLStreamReader.setup
        buffer = .allocate(capacity: 1)
        let src = Unmanaged.passRetained(FileSource(fd: fd))
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

    init?(bytes: [UInt8], url: String) {
        _ = XMLStreamReader.setup
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

    var localName: String {
        guard let p = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: p)
    }

    var name: String {
        guard let p = xmlTextReaderConstName(reader) else { return "" }
        return String(cString: p)
    }

    var namespaceURI: String {
        guard let p = xmlTextReaderConstNamespaceUri(reader) else { return "" }
        return String(cString: p)
    }

    var value: String {
        guard let p = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: p)
    }

    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

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
    sink.errors.append(
        XMLStreamReader.XMLError(
            line: Int(e.line), column: Int(e.int2), message: msg, fatal: e.level.rawValue >= XML_ERR_ERROR.rawValue))
}

/// libxml2 input callback: reads from the `FileSource` in `context`.
private let xmlFDRead: xmlInputReadCallback = { context, buffer, len in
    guard let context, let buffer, len > 0 else { return -1 }
    let src = Unmanaged<XMLStreamReader.FileSource>.fromOpaque(context).takeUnretainedValue()
    while true {
        let n = read(src.fd, buffer, Int(len))
        if n < 0 && errno == EINTR { continue }
        return Int32(n)
    }
}
