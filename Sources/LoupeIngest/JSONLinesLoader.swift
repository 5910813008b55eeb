import Foundation
import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

/// JSON Lines: one JSON object per line, one article per object (BEIR `corpus.jsonl` and the
/// like). Each line is parsed on its own: flat objects of strings, integers and string arrays
/// (nearly every line) by `FlatJSON`, anything else by Foundation's `JSONSerialization`.
///
/// Fields (first present wins; strings, or numbers for ids; an array of strings is joined):
/// - id: `_id`, `id`, `docid`, `doc_id`, `docno`; else `path#n` (n = position in the file);
/// - title: `title`, `headline`; body: `text`, `body`, `contents`, `content`, `abstract`;
/// - date: `date`, `published`, `pubDate`, `timestamp` (→ ISO 8601 when readable);
/// - categories: `categories`, `category`, `tags`, `topics`; link: `url`, `link`;
/// - authors: `author`, `authors`, `byline`, `creator` (the first that names someone): a string,
///   an object with a `name`, or an array of either, each through `Bylines.names`.
///
/// Policy for bad lines: a line that is not valid JSON, not an object, or has neither a title
/// nor a text field gets a **warning naming its line** and is skipped; every other line is
/// still indexed (one bad line never rejects the file). Blank lines are ignored. After
/// `maxLineWarnings` such warnings, one last warning counts the rest.
public struct JSONLinesLoader {
    public static let maxLineWarnings = 20

    static let idKeys = ["_id", "id", "docid", "doc_id", "docno"]
    static let titleKeys = ["title", "headline"]
    static let bodyKeys = ["text", "body", "contents", "content", "abstract"]
    static let dateKeys = ["date", "published", "pubDate", "timestamp"]
    static let categoryKeys = ["categories", "category", "tags", "topics"]
    static let linkKeys = ["url", "link"]
    static let authorKeys = ["author", "authors", "byline", "creator"]

    public init() {}

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var articles: [Article] = []
        var state = LineState()
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
            while i < b.count {
                let end = MarkupScan.next(0x0A, b, from: i, to: b.count) ?? b.count
                parseLine(UnsafeBufferPointer(rebasing: b[i..<end]), &state, relativePath) { articles.append($0) }
                i = end + 1
            }
        }
        return LoadResult(articles: articles, diagnostics: finish(state, relativePath))
    }

    /// Streams a JSON Lines file from `fd`, a block at a time: memory does not grow with it.
    public func stream(fd: Int32, relativePath: String, emit: (Article) -> Void) -> [Diagnostic] {
        var state = LineState()
        var carry: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var first = true
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                state.diagnostics.append(
                    Diagnostic(path: relativePath, message: String(cString: strerror(errno)), severity: .error))
                return state.diagnostics
            }
            if n == 0 { break }
            carry.append(contentsOf: block[0..<n])
            if first && carry.count >= 3 && carry[0] == 0xEF && carry[1] == 0xBB && carry[2] == 0xBF {
                carry.removeFirst(3)
            }
            first = false
            var consumed = 0
            carry.withUnsafeBufferPointer { b in
                var i = 0
                while let end = MarkupScan.next(0x0A, b, from: i, to: b.count) {
                    parseLine(UnsafeBufferPointer(rebasing: b[i..<end]), &state, relativePath, emit)
                    i = end + 1
                }
                consumed = i
            }
            carry.removeFirst(consumed)
        }
        if !carry.isEmpty {
            carry.withUnsafeBufferPointer { parseLine($0, &state, relativePath, emit) }
        }
        return finish(state, relativePath)
    }

    struct LineState {
        var line = 0
        var count = 0
        var bad = 0
        var diagnostics: [Diagnostic] = []
    }

    private func finish(_ state: LineState, _ relativePath: String) -> [Diagnostic] {
        var d = state.diagnostics
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
        let object: Any
        if let flat = FlatJSON.object(UnsafeBufferPointer(rebasing: raw[s..<e])) {
            object = flat
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
        // The object's own keys, each looked up once among the known ones (an object has a few
        // members; the known keys are two dozen): per field, the known keys present, in order.
        var present = [[String]](repeating: [], count: Field.allCases.count)
        for k in dict.keys {
            if let (f, _) = Self.knownKeys[k] { present[f.rawValue].append(k) }
        }
        for f in present.indices where present[f].count > 1 {
            present[f].sort { Self.knownKeys[$0]!.rank < Self.knownKeys[$1]!.rank }
        }
        let title = Self.text(dict, present[Field.title.rawValue])
        let body = Self.text(dict, present[Field.body.rawValue])
        guard title != nil || body != nil else {
            warn("no title or text field (\(Self.titleKeys[0]), \(Self.bodyKeys[0]), …)")
            return
        }
        let n = state.count
        let id = Self.text(dict, present[Field.id.rawValue]).flatMap { $0.isEmpty ? nil : $0 } ?? "\(relativePath)#\(n)"
        state.count += 1
        emit(
            Article(
                id: id, title: title ?? "", body: body ?? "",
                date: Self.text(dict, present[Field.date.rawValue]).flatMap(LoaderDates.iso),
                categories: Self.list(dict, present[Field.category.rawValue]),
                link: Self.text(dict, present[Field.link.rawValue]),
                authors: Self.authors(dict, present[Field.author.rawValue]), source: relativePath, position: n))
    }

    /// The article fields read from known keys.
    enum Field: Int, CaseIterable {
        case id, title, body, date, category, link, author

        /// Its keys, in order of preference.
        var keys: [String] {
            switch self {
            case .id: JSONLinesLoader.idKeys
            case .title: JSONLinesLoader.titleKeys
            case .body: JSONLinesLoader.bodyKeys
            case .date: JSONLinesLoader.dateKeys
            case .category: JSONLinesLoader.categoryKeys
            case .link: JSONLinesLoader.linkKeys
            case .author: JSONLinesLoader.authorKeys
            }
        }
    }

    /// Every known key: its field and its rank among that field's keys.
    static let knownKeys: [String: (field: Field, rank: Int)] = Dictionary(
        uniqueKeysWithValues: Field.allCases.flatMap { f in f.keys.enumerated().map { ($1, (f, $0)) } })

    /// A string field (numbers are written out; arrays of strings joined by line breaks).
    static func text(_ d: [String: Any], _ keys: [String]) -> String? {
        for k in keys {
            guard let v = d[k] else { continue }
            if let s = v as? String { return s.trimmingWhitespace() }
            if let a = v as? [Any] {
                let parts = a.compactMap { $0 as? String }
                if !parts.isEmpty || a.isEmpty { return parts.joined(separator: "\n").trimmingWhitespace() }
                continue
            }
            if let i = v as? Int { return String(i) }
            if let x = v as? Double { return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        }
        return nil
    }

    /// The names of the first key that gives any: a string, `{"name": …}`, or an array of them.
    static func authors(_ d: [String: Any], _ keys: [String]) -> [String] {
        for k in keys {
            guard let v = d[k] else { continue }
            var names: [String] = []
            Bylines.add(json: v, to: &names)
            if !names.isEmpty { return names }
        }
        return []
    }

    static func list(_ d: [String: Any], _ keys: [String]) -> [String] {
        for k in keys {
            guard let v = d[k] else { continue }
            if let s = v as? String { return s.isEmpty ? [] : [s] }
            if let a = v as? [Any] { return a.compactMap { ($0 as? String).flatMap { $0.isEmpty ? nil : $0 } } }
        }
        return []
    }
}
