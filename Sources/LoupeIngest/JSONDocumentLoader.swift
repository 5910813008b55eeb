import Foundation
import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file JSON (`ArticleFormat.json`): a file that is one JSON value, pretty-printed or
/// not — an array of article objects (`[ {...}, {...} ]`), an object wrapping one (NewsAPI's
/// `{"articles": [...]}`, the Guardian's `{"response": {"results": [...]}}`, NYT's
/// `{"response": {"docs": [...]}}`, `{"data": [...]}`, `{"items": [...]}`: see
/// `NewsJSON.wrapped`), or a single article object; several such values one after another
/// (`jq` output) are read in turn. Fields: see `NewsJSON`.
///
/// Reading: a byte-level scanner finds each top-level value's extent (and, in an array, each
/// element's), respecting strings and escapes; each element, or each top-level object, is
/// then parsed alone (`FlatJSON`, else `JSONSerialization`). An array is thus read element by
/// element, from memory or streamed from a file a block at a time (`stream`): memory does not
/// grow with the file, only with its largest element. An element or top-level object larger
/// than `maxValueBytes` is skipped with a warning.
///
/// Positions: an article's index in its array (for a single object, 0; values after the first
/// continue the numbering). Policy: an element that is not valid JSON gets a warning naming its
/// index and line and is skipped (after `maxWarnings`, one warning counts the rest); objects
/// and other elements that are not articles are skipped with one warning counting them; a
/// file with no article at all gets the note "JSON without articles; skipped" (a
/// `package.json`, a configuration). An array cut short (a truncated download) keeps the
/// elements before the cut, with a warning; bytes that are not JSON after a value stop the
/// reading with a warning.
public struct JSONDocumentLoader {
    public static let maxWarnings = 20

    /// Values (array elements, top-level objects) larger than this are skipped.
    public var maxValueBytes: Int
    /// The size of the blocks read when streaming.
    public var blockSize: Int

    public init(maxValueBytes: Int = ArticleLoading.streamingThreshold, blockSize: Int = 1 << 20) {
        self.maxValueBytes = maxValueBytes
        self.blockSize = blockSize
    }

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var articles: [Article] = []
        var source = Source(bytes: bytes)
        let d = run(&source, relativePath: relativePath) { articles.append($0) }
        return LoadResult(articles: articles, diagnostics: d)
    }

    /// Streams a whole-file JSON document from `fd`, a block at a time.
    public func stream(fd: Int32, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        stream(ByteStream(fd: fd), relativePath: relativePath, emit: emit)
    }

    /// Streams a whole-file JSON document from `stream` (a compressed file too), a block at a time.
    public func stream(_ stream: ByteStream, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        var source = Source(stream: stream, blockSize: blockSize)
        return run(&source, relativePath: relativePath, emit: emit)
    }

    // MARK: - Bytes

    /// The bytes read so far (from memory, or from a file a block at a time). `buf[0]` is byte
    /// `dropped` of the file; bytes before `pos` may be dropped when more are read.
    struct Source {
        var buf: [UInt8]
        var pos = 0
        var dropped = 0
        let stream: ByteStream?
        let blockSize: Int
        var eof: Bool
        var failure: String?
        /// Line numbers of `buf`'s offsets (what `buf` drops stays counted).
        var lines = LineCounter()

        init(bytes: [UInt8]) {
            buf = bytes
            stream = nil
            blockSize = 0
            eof = true
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
        }

        init(stream: ByteStream, blockSize: Int) {
            buf = []
            self.stream = stream
            self.blockSize = max(1, blockSize)
            eof = false
            _ = more(keeping: 0)
            if buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { pos = 3 }
        }

        /// Reads another block, first dropping the bytes before `keep`; false at the end of the
        /// file. Indexes into `buf` shift by the number of bytes dropped (returned in `shift`).
        mutating func more(keeping keep: Int) -> Bool {
            var shift = 0
            return more(keeping: keep, shift: &shift)
        }

        mutating func more(keeping keep: Int, shift: inout Int) -> Bool {
            shift = 0
            if eof { return false }
            if keep > 0 && keep >= buf.count / 2 {
                lineNumber(at: keep)
                buf.removeFirst(keep)
                dropped += keep
                pos -= keep
                lines.dropped(keep)
                shift = keep
            }
            let start = buf.count
            buf.append(contentsOf: repeatElement(0, count: blockSize))
            let n = buf.withUnsafeMutableBytes { stream?.read($0.baseAddress! + start, blockSize) ?? 0 }
            if n < 0 { failure = stream?.failure ?? "read error" }
            buf.removeSubrange((start + max(0, n))...)
            if n <= 0 {
                eof = true
                return false
            }
            return true
        }

        /// The line of `buf[i]` (i never decreasing between calls, as the scan goes).
        @discardableResult
        mutating func lineNumber(at i: Int) -> Int {
            buf.withUnsafeBufferPointer { b in lines.line(at: i, in: b) }
        }

        /// The next byte that is not a blank, reading on as needed; nil at the end.
        mutating func peek() -> UInt8? {
            while true {
                while pos < buf.count {
                    let c = buf[pos]
                    if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return c }
                }
                if !more(keeping: pos) { return nil }
            }
        }
    }

    /// How a value's extent ended.
    enum Extent {
        /// `buf[start..<end]`.
        case value(start: Int, end: Int)
        /// Larger than the cap: skipped (its bytes were not kept).
        case tooLarge
        /// The file ended inside it.
        case cutShort
    }

    /// The extent of the value starting at `src.pos` (its first byte is not a blank), reading
    /// on as needed; `src.pos` ends after it.
    func extent(_ src: inout Source) -> Extent {
        var start = src.pos
        var j = start
        var depth = 0
        var inString = false
        var tooLarge = false
        let first = src.buf[start]
        let scalar = first != 0x7B && first != 0x5B && first != 0x22
        while true {
            let n = src.buf.count
            let found: Int? = src.buf.withUnsafeBufferPointer { b -> Int? in
                while j < n {
                    let c = b[j]
                    if inString {
                        if c == 0x5C {
                            if j + 1 >= n { return nil }  // the escaped byte is in the next block
                            j += 2
                            continue
                        }
                        if c == 0x22 {
                            inString = false
                            if depth == 0 { return j + 1 }
                        }
                        j += 1
                        continue
                    }
                    if scalar {
                        if c == 0x2C || c == 0x5D || c == 0x7D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                            return j
                        }
                        j += 1
                        continue
                    }
                    switch c {
                    case 0x22: inString = true
                    case 0x7B, 0x5B: depth += 1
                    case 0x7D, 0x5D:
                        depth -= 1
                        if depth == 0 { return j + 1 }
                    default: break
                    }
                    j += 1
                }
                return nil
            }
            if let end = found {
                src.pos = end
                return tooLarge || end - start > maxValueBytes ? .tooLarge : .value(start: start, end: end)
            }
            if j - start > maxValueBytes { tooLarge = true }
            // Keep the value's bytes unless it is too large to keep.
            var shift = 0
            let keep = tooLarge ? j : start
            if !src.more(keeping: keep, shift: &shift) {
                if scalar && j > start && !tooLarge {
                    src.pos = j
                    return .value(start: start, end: j)
                }
                src.pos = src.buf.count
                return .cutShort
            }
            start -= shift
            j -= shift
            if start < 0 { start = 0 }
        }
    }

    // MARK: - Values

    struct State {
        var relativePath: String
        var scope: String
        var count = 0
        var invalid = 0
        var notArticles = 0
        var diagnostics: [Diagnostic] = []

        mutating func warn(_ line: Int?, _ message: String) {
            invalid += 1
            if invalid <= JSONDocumentLoader.maxWarnings {
                diagnostics.append(Diagnostic(path: relativePath, line: line, message: message, severity: .warning))
            }
        }
    }

    func run(_ src: inout Source, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        var st = State(relativePath: relativePath, scope: JSONLinesLoader.directory(relativePath))
        var base = 0
        // A Twitter (X) archive's `data/tweets.js`: `window.YTD.tweets.part0 = [ … ]`.
        if src.peek() != nil, let skip = Self.assignmentPrefix(src.buf, from: src.pos) { src.pos = skip }
        top: while let c = src.peek() {
            if c == 0x5B {
                src.pos += 1
                var index = 0
                element: while true {
                    guard let e = src.peek() else {
                        st.warn(src.lineNumber(at: src.pos), "JSON array cut short after \(index) elements")
                        break top
                    }
                    if e == 0x5D {
                        src.pos += 1
                        break element
                    }
                    let line = src.lineNumber(at: src.pos)
                    switch extent(&src) {
                    case .value(let s, let end):
                        if let o = object(src.buf, s, end) {
                            if let a = NewsJSON.article(
                                o, relativePath: relativePath, position: base + index, scope: st.scope)
                            {
                                st.count += 1
                                emit(a)
                            } else {
                                st.notArticles += 1
                            }
                        } else if src.buf[s] == 0x7B {
                            st.warn(line, "element \(index): invalid JSON; skipped")
                        } else {
                            st.notArticles += 1
                        }
                    case .tooLarge:
                        st.warn(line, "element \(index) larger than \(maxValueBytes >> 20) MB; skipped")
                    case .cutShort:
                        st.warn(line, "JSON array cut short in element \(index); the elements before it are kept")
                        break top
                    }
                    index += 1
                    switch src.peek() {
                    case 0x2C: src.pos += 1
                    case 0x5D:
                        src.pos += 1
                        break element
                    case nil:
                        st.warn(src.lineNumber(at: src.pos), "JSON array cut short after \(index) elements")
                        break top
                    default:
                        st.warn(src.lineNumber(at: src.pos), "not JSON after element \(index - 1); rest skipped")
                        break top
                    }
                }
                base += index
            } else if c == 0x7B {
                let line = src.lineNumber(at: src.pos)
                switch extent(&src) {
                case .value(let s, let end):
                    guard let o = object(src.buf, s, end) else {
                        st.warn(line, "invalid JSON; rest skipped")
                        break top
                    }
                    let single = NewsJSON.article(o, relativePath: relativePath, position: base, scope: st.scope)
                    if let items = NewsJSON.envelopeItems(o, article: single) {
                        for (k, x) in items.enumerated() {
                            if let d = x as? [String: Any],
                                let a = NewsJSON.article(
                                    d, relativePath: relativePath, position: base + k, scope: st.scope)
                            {
                                st.count += 1
                                emit(a)
                            } else {
                                st.notArticles += 1
                            }
                        }
                        base += items.count
                    } else if let a = single {
                        st.count += 1
                        base += 1
                        emit(a)
                    } else {
                        st.notArticles += 1
                    }
                case .tooLarge:
                    st.warn(line, "JSON object larger than \(maxValueBytes >> 20) MB; skipped")
                case .cutShort:
                    st.warn(line, "JSON cut short; skipped")
                    break top
                }
            } else {
                st.warn(src.lineNumber(at: src.pos), "not JSON; rest skipped")
                break
            }
        }
        var d = st.diagnostics
        if let f = src.failure { d.append(Diagnostic(path: relativePath, message: f, severity: .error)) }
        if st.invalid > Self.maxWarnings {
            d.append(
                Diagnostic(
                    path: relativePath, message: "\(st.invalid - Self.maxWarnings) more bad elements skipped",
                    severity: .warning))
        }
        if st.count == 0 {
            d.append(Diagnostic(path: relativePath, message: "JSON without articles; skipped", severity: .note))
        } else if st.notArticles > 0 {
            d.append(
                Diagnostic(
                    path: relativePath,
                    message: "\(st.notArticles) elements without a title or text field skipped", severity: .warning))
        }
        return d
    }

    /// The object `b[s..<e]` holds, or nil (not valid JSON, or not an object).
    func object(_ b: [UInt8], _ s: Int, _ e: Int) -> [String: Any]? {
        guard b[s] == 0x7B else { return nil }
        if let flat = b.withUnsafeBufferPointer({ FlatJSON.object(UnsafeBufferPointer(rebasing: $0[s..<e])) }) {
            return flat
        }
        return (try? JSONSerialization.jsonObject(with: Data(b[s..<e]), options: [])) as? [String: Any]
    }

    // MARK: - Detection

    /// Whether the bytes from `start` (a `{` or `[`) read as JSON: a grammar check of up to
    /// `limit` bytes. Within them the text must be valid JSON (strings, numbers, literals,
    /// brackets, colons and commas where they belong), and when the file ends within them its
    /// values complete — except after `minValues` values inside brackets were read whole: a
    /// broken or truncated JSON file is still JSON (its loader says what is wrong). Prose
    /// that opens with a brace (`{draft} notes`, `[1] Introduction`) fails at once.
    static let minValues = 3

    /// Where the JSON starts after a JavaScript assignment that opens a Twitter (X) archive's data
    /// files (`window.YTD.tweets.part0 = [`); nil when `b` does not open so at `start`.
    static func assignmentPrefix(_ b: [UInt8], from start: Int) -> Int? {
        let prefix = Array("window.YTD.".utf8)
        guard b.count >= start + prefix.count, b[start..<(start + prefix.count)].elementsEqual(prefix) else {
            return nil
        }
        var i = start + prefix.count
        while i < min(b.count, start + 200) && b[i] != UInt8(ascii: "=") { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "=") else { return nil }
        return i + 1
    }

    static func plausible(_ b: [UInt8], from start: Int, limit: Int = 64 * 1024) -> Bool {
        var inner = 0
        let ok = grammar(b, from: start, limit: limit, inner: &inner)
        return ok ?? (inner >= minValues)
    }

    /// True: valid (and complete when the file ends); false: not JSON at the top level; nil:
    /// an error or an end inside brackets, after `inner` complete values inside them.
    private static func grammar(_ b: [UInt8], from start: Int, limit: Int, inner: inout Int) -> Bool? {
        let end = min(b.count, start + limit)
        let whole = end == b.count
        enum Expect { case value, valueOrClose, key, keyOrClose, colon, commaOrClose, next }
        var stack: [UInt8] = []
        var expect = Expect.value
        var i = start
        var values = 0
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        // An error: not JSON at the top level; inside brackets, up to the values read.
        func fail() -> Bool? { stack.isEmpty ? false : nil }
        func completed() {
            if stack.isEmpty { values += 1 } else { inner += 1 }
        }
        while i < end {
            let c = b[i]
            if isBlank(c) {
                i += 1
                continue
            }
            switch expect {
            case .next:
                // After a complete top-level value: another one (a `jq` stream), or nothing.
                guard c == 0x7B || c == 0x5B else { return fail() }
                expect = .value
                continue
            case .colon:
                guard c == 0x3A else { return fail() }
                expect = .value
                i += 1
                continue
            case .commaOrClose:
                if c == 0x2C {
                    expect = stack.last == 0x7B ? .key : .value
                    i += 1
                    continue
                }
                guard let open = stack.last, c == (open == 0x7B ? 0x7D : 0x5D) else { return fail() }
                stack.removeLast()
                i += 1
                expect = stack.isEmpty ? .next : .commaOrClose
                completed()
                continue
            case .key, .keyOrClose:
                if c == 0x7D && expect == .keyOrClose {
                    stack.removeLast()
                    i += 1
                    expect = stack.isEmpty ? .next : .commaOrClose
                    completed()
                    continue
                }
                guard c == 0x22 else { return fail() }
                guard let j = stringEnd(b, i, end) else { return !whole && stringOK(b, i, end) ? true : fail() }
                i = j
                expect = .colon
                continue
            case .value, .valueOrClose:
                if c == 0x5D && expect == .valueOrClose {
                    stack.removeLast()
                    i += 1
                    expect = stack.isEmpty ? .next : .commaOrClose
                    completed()
                    continue
                }
                switch c {
                case 0x7B:
                    stack.append(c)
                    expect = .keyOrClose
                    i += 1
                case 0x5B:
                    stack.append(c)
                    expect = .valueOrClose
                    i += 1
                case 0x22:
                    guard let j = stringEnd(b, i, end) else { return !whole && stringOK(b, i, end) ? true : fail() }
                    i = j
                    expect = .commaOrClose
                    completed()
                case 0x2D, 0x30...0x39:
                    var j = i + 1
                    while j < end,
                        MarkupScan.isDigit(b[j]) || b[j] == 0x2E || b[j] == 0x65 || b[j] == 0x45
                            || b[j] == 0x2B || b[j] == 0x2D
                    {
                        j += 1
                    }
                    if c == 0x2D && j == i + 1 && j < end { return fail() }
                    i = j
                    expect = .commaOrClose
                    completed()
                case 0x74, 0x66, 0x6E:
                    let word: [UInt8] =
                        c == 0x74 ? Array("true".utf8) : c == 0x66 ? Array("false".utf8) : Array("null".utf8)
                    let k = min(end, i + word.count)
                    guard b[i..<k].elementsEqual(word[0..<(k - i)]) else { return fail() }
                    if k < i + word.count { return whole ? fail() : true }
                    i = k
                    expect = .commaOrClose
                    completed()
                default:
                    return fail()
                }
                if stack.isEmpty && expect == .commaOrClose { return false }  // a bare top-level scalar
            }
        }
        if whole { return stack.isEmpty ? expect == .next && values > 0 : nil }
        return true
    }

    /// The index after the string starting at the quote at `i`, or nil when it does not end
    /// before `end` (or holds a raw control character: then `stringOK` fails too).
    private static func stringEnd(_ b: [UInt8], _ i: Int, _ end: Int) -> Int? {
        var j = i + 1
        while j < end {
            let c = b[j]
            if c == 0x22 { return j + 1 }
            if c == 0x5C {
                j += 2
                continue
            }
            if c < 0x20 { return nil }
            j += 1
        }
        return nil
    }

    /// A string cut by the end of the window: no raw control character in it.
    private static func stringOK(_ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        !b[(i + 1)..<end].contains { $0 < 0x20 }
    }
}
