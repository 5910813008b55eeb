import Foundation
import LoupeCore

/// JSON Lines: one JSON object per line, one article per object (BEIR `corpus.jsonl` and the
/// like). Each line is parsed on its own with Foundation's `JSONSerialization`.
///
/// Fields (first present wins; strings, or numbers for ids; an array of strings is joined):
/// - id: `_id`, `id`, `docid`, `doc_id`, `docno`; else `path#n` (n = position in the file);
/// - title: `title`, `headline`; body: `text`, `body`, `contents`, `content`, `abstract`;
/// - date: `date`, `published`, `pubDate`, `timestamp` (→ ISO 8601 when readable);
/// - categories: `categories`, `category`, `tags`, `topics`; link: `url`, `link`.
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

    public init() {}

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        var result = LoadResult()
        var bad = 0
        func warn(_ line: Int, _ message: String) {
            bad += 1
            if bad <= Self.maxLineWarnings {
                result.diagnostics.append(
                    Diagnostic(path: relativePath, line: line, message: message + "; line skipped", severity: .warning))
            }
        }
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            var line = 0
            if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
            while i < b.count {
                line += 1
                let end = MarkupScan.next(0x0A, b, from: i, to: b.count) ?? b.count
                var s = i
                var e = end
                while s < e && MarkupScan.isSpace(b[s]) { s += 1 }
                while e > s && MarkupScan.isSpace(b[e - 1]) { e -= 1 }
                i = end + 1
                if s == e { continue }
                let object: Any
                do {
                    object = try JSONSerialization.jsonObject(with: Data(b[s..<e]), options: [.fragmentsAllowed])
                } catch {
                    warn(line, "invalid JSON")
                    continue
                }
                guard let dict = object as? [String: Any] else {
                    warn(line, "not a JSON object")
                    continue
                }
                let title = Self.text(dict, Self.titleKeys)
                let body = Self.text(dict, Self.bodyKeys)
                guard title != nil || body != nil else {
                    warn(line, "no title or text field (\(Self.titleKeys[0]), \(Self.bodyKeys[0]), …)")
                    continue
                }
                let n = result.articles.count
                let id = Self.text(dict, Self.idKeys).flatMap { $0.isEmpty ? nil : $0 } ?? "\(relativePath)#\(n)"
                result.articles.append(
                    Article(
                        id: id, title: title ?? "", body: body ?? "",
                        date: Self.text(dict, Self.dateKeys).flatMap(LoaderDates.iso),
                        categories: Self.list(dict, Self.categoryKeys), link: Self.text(dict, Self.linkKeys),
                        source: relativePath, position: n))
            }
        }
        if bad > Self.maxLineWarnings {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath, message: "\(bad - Self.maxLineWarnings) more bad lines skipped",
                    severity: .warning))
        }
        if result.articles.isEmpty && bad == 0 {
            result.diagnostics.append(Diagnostic(path: relativePath, message: "no JSON objects", severity: .note))
        }
        return result
    }

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

    static func list(_ d: [String: Any], _ keys: [String]) -> [String] {
        for k in keys {
            guard let v = d[k] else { continue }
            if let s = v as? String { return s.isEmpty ? [] : [s] }
            if let a = v as? [Any] { return a.compactMap { ($0 as? String).flatMap { $0.isEmpty ? nil : $0 } } }
        }
        return []
    }
}
