import LoupeCore

/// A message about one corpus file: `path:line[:column]: message`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String
    public var severity: Severity

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String, severity: Severity) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    public var description: String {
        var s = Diagnostic.escape(path)
        if let l = line {
            s += ":\(l)"
            if let c = column { s += ":\(c)" }
        }
        return s + ": " + (severity == .error ? "" : "\(severity.rawValue): ") + Diagnostic.escape(message)
    }

    /// `diagnostics` as a reader wants them: each file's (each run of one path: an archive's
    /// members stay in their order) in the order of their lines, those without a line (a count
    /// of more bad lines, a note on the whole file) after them in the order they came. Loaders
    /// gather them by kind (encoding, then each repair, then the parser's).
    public static func inLineOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        guard diagnostics.count > 1 else { return diagnostics }
        var out: [Diagnostic] = []
        out.reserveCapacity(diagnostics.count)
        var start = 0
        while start < diagnostics.count {
            var end = start + 1
            while end < diagnostics.count && diagnostics[end].path == diagnostics[start].path { end += 1 }
            let run = diagnostics[start..<end].enumerated().sorted { a, b in
                let (la, lb) = (a.element.line ?? Int.max, b.element.line ?? Int.max)
                if la != lb { return la < lb }
                let (ca, cb) = (a.element.column ?? 0, b.element.column ?? 0)
                return ca != cb ? ca < cb : a.offset < b.offset
            }
            out += run.map(\.element)
            start = end
        }
        return out
    }

    /// Escapes control characters and bidi overrides so that names and messages print safely.
    public static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069, 0xFFFD:
                out += "\\u{\(String(u.value, radix: 16))}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// Where a reader of records one after another (JSON Lines, mbox, CSV) stands: lines read, and
/// its own count (JSON Lines: articles; mbox: messages, skipped ones counted; CSV: data rows),
/// from which it goes on when the file grows.
public struct ReaderPosition: Sendable, Equatable {
    public var lines: Int
    public var units: Int
    /// Bytes read after this position: a last line without its line break that gave no article
    /// (a record still being written). Read again from its start, once whole, it gives what a
    /// whole reading gives.
    public var unfinished = 0

    public init(lines: Int, units: Int, unfinished: Int = 0) {
        self.lines = lines
        self.units = units
        self.unfinished = unfinished
    }
}

/// What loading one file produced. Articles are kept only when `error` is nil: a rejected file
/// contributes nothing to the index.
public struct LoadResult: Sendable {
    public var articles: [Article] = []
    public var diagnostics: [Diagnostic] = []
    /// The file is an archive whose members were read as files: an error rejects that member
    /// only (its articles are not here), not the archive.
    public var isArchive = false
    /// Something the file needs was missing this time (the PDF library), not wrong with the file:
    /// the next `loupe index` reads it again, changed or not.
    public var retryLater = false
    public var rejected: Bool { !isArchive && diagnostics.contains { $0.severity == .error } }
    /// Members of an archive rejected with an error.
    public var rejectedMembers: Int { isArchive ? diagnostics.count { $0.severity == .error } : 0 }
    /// Where a JSON Lines, mbox or CSV reader stopped (set by those readers; a CSV reader only between records).
    public var position: ReaderPosition?
    /// A plain JSON Lines file, mailbox or CSV file read to the end of a whole record: where a later
    /// `loupe index` may go on reading it (`ArticleLoading.loadAppended`).
    public var resume: Manifest.Resume?
    /// Only what the file holds after its recorded `resume` was read: `articles` follow the ones
    /// it gave before.
    public var appended = false

    public init(articles: [Article] = [], diagnostics: [Diagnostic] = []) {
        self.articles = articles
        self.diagnostics = diagnostics
    }
}
