import Foundation
import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

/// JSON Lines: one JSON object per line, one article per object (BEIR `corpus.jsonl`, a
/// news-please or TREC Washington Post dump, and the like). Each line is parsed on its own:
/// flat objects of strings, integers and string arrays (nearly every line of a flat corpus) by
/// `FlatJSON`, anything else by Foundation's `JSONSerialization`.
///
/// Fields: see `NewsJSON` (the same mapping as whole-file JSON): the flat corpora's `_id`,
/// `title`, `text`, `date`, `categories`, `url`, `author`…, and the news archives' shapes.
/// An id that is not a URL or URI is scoped to the file's directory; a line without one gets
/// `path#n` (n = its article's position in the file).
///
/// A line holding an object that wraps articles (an API response saved whole, `{"articles":
/// [...]}`, `{"response": {"docs": [...]}}`: see `NewsJSON.wrapped`) gives those articles.
///
/// Policy for bad lines: a line that is not valid JSON, not an object, or has neither a title
/// nor a text field gets a **warning naming its line** and is skipped; every other line is
/// still indexed (one bad line never rejects the file). Blank lines are ignored. After
/// `maxLineWarnings` such warnings, one last warning counts the rest. A file of one line
/// holding one object that is neither an article nor wraps any (a one-line `package.json`)
/// gets the note "JSON without articles; skipped" instead.
public struct JSONLinesLoader {
    public static let maxLineWarnings = 20
    /// A streamed file's longest line: one without an end within this many bytes is skipped
    /// (a damaged or hostile file must not fill memory, however large it inflates).
    public static let maxLineBytes = 64 << 20

    static let idKeys = NewsJSON.Field.id.keys
    static let titleKeys = NewsJSON.Field.title.keys
    static let bodyKeys = NewsJSON.Field.body.keys
    static let dateKeys = NewsJSON.Field.date.keys
    static let categoryKeys = NewsJSON.Field.category.keys
    static let linkKeys = NewsJSON.Field.link.keys
    static let authorKeys = NewsJSON.Field.author.keys

    public init() {}

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        load(bytes, relativePath: relativePath, from: nil)
    }

    /// `from`: `bytes` follow that many lines and articles of the file (no byte order mark).
    func load(_ bytes: [UInt8], relativePath: String, from: ReaderPosition?) -> LoadResult {
        var articles: [Article] = []
        var state = LineState(from)
        state.scope = Self.directory(relativePath)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            if from == nil && b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
            while i < b.count {
                let end = MarkupScan.next(0x0A, b, from: i, to: b.count) ?? b.count
                if end == b.count {
                    lastLine(UnsafeBufferPointer(rebasing: b[i..<end]), &state, relativePath) { articles.append($0) }
                    break
                }
                parseLine(UnsafeBufferPointer(rebasing: b[i..<end]), &state, relativePath) { articles.append($0) }
                i = end + 1
            }
        }
        var r = LoadResult(articles: articles, diagnostics: finish(state, relativePath))
        r.position = state.position
        return r
    }

    /// Streams a JSON Lines file from `fd`, a block at a time: memory does not grow with it.
    public func stream(fd: Int32, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        stream(ByteStream(fd: fd), relativePath: relativePath, emit: emit)
    }

    /// Streams JSON Lines from `source` (a compressed file too), a block at a time.
    /// `maxLineBytes`: see `JSONLinesLoader.maxLineBytes` (smaller in tests).
    public func stream(
        _ source: ByteStream, relativePath: String, maxLineBytes: Int = JSONLinesLoader.maxLineBytes,
        emit: (Article) -> Void
    ) -> [Diagnostic] {
        var reached: ReaderPosition?
        return stream(
            source, relativePath: relativePath, maxLineBytes: maxLineBytes, from: nil, reached: &reached, emit: emit)
    }

    /// As `stream(_:relativePath:maxLineBytes:emit:)`, going on `from` a position (the bytes
    /// follow that many lines and articles; no byte order mark); `reached`: where it stopped.
    func stream(
        _ source: ByteStream, relativePath: String, maxLineBytes: Int = JSONLinesLoader.maxLineBytes,
        from: ReaderPosition?, reached: inout ReaderPosition?, emit: (Article) -> Void
    ) -> [Diagnostic] {
        var state = LineState(from)
        defer { reached = state.position }
        state.scope = Self.directory(relativePath)
        var carry: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var first = from == nil
        // Inside a line too long to keep (`maxLineBytes`): its bytes are dropped up to its end.
        var skipping = false
        while true {
            let n = block.withUnsafeMutableBytes { source.read($0.baseAddress!, $0.count) }
            if n < 0 {
                state.diagnostics.append(
                    Diagnostic(path: relativePath, message: source.failure ?? "read error", severity: .error))
                return state.diagnostics
            }
            if n == 0 { break }
            if skipping {
                guard let nl = block[0..<n].firstIndex(of: 0x0A) else { continue }
                skipping = false
                carry.append(contentsOf: block[(nl + 1)..<n])
            } else {
                carry.append(contentsOf: block[0..<n])
            }
            if first && carry.count >= 3 && carry[0] == 0xEF && carry[1] == 0xBB && carry[2] == 0xBF {
                carry.removeFirst(3)
            }
            first = false
            var consumed = 0
            carry.withUnsafeBufferPointer { b in
                var i = 0
                while let end = MarkupScan.next(0x0A, b, from: i, to: b.count) {
                    if end - i > maxLineBytes {
                        tooLong(&state, maxLineBytes, relativePath)
                    } else {
                        parseLine(UnsafeBufferPointer(rebasing: b[i..<end]), &state, relativePath, emit)
                    }
                    i = end + 1
                }
                consumed = i
            }
            carry.removeFirst(consumed)
            if carry.count > maxLineBytes {
                tooLong(&state, maxLineBytes, relativePath)
                carry.removeAll()
                skipping = true
            }
        }
        if !carry.isEmpty {
            carry.withUnsafeBufferPointer { lastLine($0, &state, relativePath, emit) }
        }
        return finish(state, relativePath)
    }

    /// The file's last line, without a line break: read as any other; when it gives no article
    /// (a record cut short, still being written), the position is left before it.
    private func lastLine(
        _ raw: UnsafeBufferPointer<UInt8>, _ state: inout LineState, _ relativePath: String, _ emit: (Article) -> Void
    ) {
        let before = ReaderPosition(lines: state.line, units: state.count, unfinished: raw.count)
        parseLine(raw, &state, relativePath, emit)
        if state.count == before.units { state.unfinished = before }
    }

    /// A line over `maxLineBytes`, skipped with a warning.
    private func tooLong(_ state: inout LineState, _ maxLineBytes: Int, _ relativePath: String) {
        state.line += 1
        state.bad += 1
        guard state.bad <= Self.maxLineWarnings else { return }
        state.diagnostics.append(
            Diagnostic(
                path: relativePath, line: state.line,
                message: "line longer than \(sizeText(maxLineBytes)); line skipped",
                severity: .warning))
    }

    struct LineState {
        var line = 0
        var count = 0
        var bad = 0
        var nonBlank = 0
        /// Lines in a row that were not plain records (`FlatJSON.plainRecord`).
        var plainMisses = 0
        /// Lines holding an object that is neither an article nor wraps any.
        var withoutFields = 0
        var diagnostics: [Diagnostic] = []
        var scope = ""
        /// Where reading stands before a last line that gave nothing (see `lastLine`).
        var unfinished: ReaderPosition?

        var position: ReaderPosition { unfinished ?? ReaderPosition(lines: line, units: count) }

        /// Going on from `p` (a file's later lines: it has had articles, so one line holding
        /// an object that is not one is not "JSON without articles").
        init(_ p: ReaderPosition? = nil) {
            guard let p else { return }
            line = p.lines
            count = p.units
            nonBlank = p.lines
        }
    }

    private func finish(_ state: LineState, _ relativePath: String) -> [Diagnostic] {
        var d = state.diagnostics
        if state.count == 0 && state.nonBlank == 1 && state.withoutFields == 1 {
            return [Diagnostic(path: relativePath, message: "JSON without articles; skipped", severity: .note)]
        }
        if state.bad > Self.maxLineWarnings {
            d.append(
                Diagnostic(
                    path: relativePath, message: "\(state.bad - Self.maxLineWarnings) more bad lines skipped",
                    severity: .warning))
        }
        if state.count == 0 && state.bad == 0 {
            d.append(Diagnostic(path: relativePath, message: "no JSON objects", severity: .note))
        }
        return d
    }

    /// One line: an article, or a warning naming the line (the line is skipped).
    private func parseLine(
        _ raw: UnsafeBufferPointer<UInt8>, _ state: inout LineState, _ relativePath: String, _ emit: (Article) -> Void
    ) {
        state.line += 1
        func warn(_ message: String) {
            state.bad += 1
            if state.bad <= Self.maxLineWarnings {
                state.diagnostics.append(
                    Diagnostic(
                        path: relativePath, line: state.line, message: message + "; line skipped", severity: .warning))
            }
        }
        var s = 0
        var e = raw.count
        while s < e && MarkupScan.isSpace(raw[s]) { s += 1 }
        while e > s && MarkupScan.isSpace(raw[e - 1]) { e -= 1 }
        if s == e { return }
        state.nonBlank += 1
        let line = UnsafeBufferPointer(rebasing: raw[s..<e])
        // The commonest record, `{"id": …, "title": …, "text": …}`: no dictionary. A file's
        // records share their shape: after 8 lines in a row that are not plain, one line in 64
        // is tried (a richer record was decoded up to its first other key for nothing: a
        // sixteenth of reading one). Either path gives the same article.
        if state.plainMisses < 8 || state.nonBlank % 64 == 0 {
            if let r = FlatJSON.plainRecord(line) {
                emit(NewsJSON.article(r, relativePath: relativePath, position: state.count, scope: state.scope))
                state.count += 1
                state.plainMisses = 0
                return
            }
            state.plainMisses += 1
        }
        let object: Any
        // A flat object (strings, integers, lists of strings) holds no objects: it wraps no
        // articles, and `envelopeItems` (sixteen wrapper keys looked up) is not asked.
        var flat = false
        if let o = FlatJSON.object(line) {
            object = o
            flat = true
        } else {
            do {
                object = try JSONSerialization.jsonObject(with: Data(raw[s..<e]), options: [.fragmentsAllowed])
            } catch {
                warn("invalid JSON")
                return
            }
        }
        guard let dict = object as? [String: Any] else {
            warn("not a JSON object")
            return
        }
        let single = NewsJSON.article(dict, relativePath: relativePath, position: state.count, scope: state.scope)
        if !flat, let items = NewsJSON.envelopeItems(dict, article: single) {
            var skipped = 0
            for x in items {
                guard let o = x as? [String: Any],
                    let a = NewsJSON.article(o, relativePath: relativePath, position: state.count, scope: state.scope)
                else {
                    skipped += 1
                    continue
                }
                state.count += 1
                emit(a)
            }
            if skipped > 0 {
                state.bad += 1
                if state.bad <= Self.maxLineWarnings {
                    state.diagnostics.append(
                        Diagnostic(
                            path: relativePath, line: state.line,
                            message: "\(skipped) wrapped objects without a title or text field skipped",
                            severity: .warning))
                }
            }
        } else if let a = single {
            state.count += 1
            emit(a)
        } else {
            state.withoutFields += 1
            warn("no title or text field (\(Self.titleKeys[0]), \(Self.bodyKeys[0]), …)")
        }
    }

    /// The directory of a corpus file: the collection its local ids belong to.
    static func directory(_ relativePath: String) -> String {
        relativePath.split(separator: "/").dropLast().joined(separator: "/")
    }

    static func text(_ d: [String: Any], _ keys: [String]) -> String? { NewsJSON.text(d, keys) }
    static func authors(_ d: [String: Any], _ keys: [String]) -> [String] { NewsJSON.authors(d, keys) }
    static func list(_ d: [String: Any], _ keys: [String]) -> [String] { NewsJSON.list(d, keys) }
}
