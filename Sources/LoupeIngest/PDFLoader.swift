import Foundation
import LoupeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// PDF files, read with poppler-glib loaded at run time (`dlopen`), never linked: loupe builds
/// and starts without it, and only a corpus holding a PDF loads it.
///
/// One article per PDF: the pages' text in order as poppler gives it (its reading order), pages
/// separated by a blank line, form feeds turned into blank lines, runs of blank lines collapsed
/// and a word hyphenated at a line end (`har-` / `bour`) joined when the next line starts with a
/// lower-case letter. Title: the document's Title property unless empty or a file name
/// (`Microsoft Word - x.docx`, `untitled`, `report.pdf`), else the text's first non-blank line
/// when at most 120 characters, else the file name without extension. Authors: the Author
/// property (`Bylines.names`). Date: the creation date, else the modification date, in UTC.
/// Categories: Keywords split on `,` and `;`, then Subject.
///
/// Not read: scanned pages (images, no OCR), form fields, annotations, attachments. Refused: a
/// PDF over `maxBytes`, one that needs a password (warning), one poppler cannot open (error with
/// poppler's message); a PDF with no text is skipped with a note. Pages stop being read once the
/// text passes `maxTextBytes`. Without the library every PDF is skipped with a warning.
public struct PDFLoader {
    public static let maxBytes = 1 << 30
    public static let maxTextBytes = 256 << 20
    public static let missingLibrary =
        "PDF not read: libpoppler-glib8 is not installed (apt-get install libpoppler-glib8)"

    let poppler: Poppler?
    let maxTextBytes: Int
    /// The missing library is reported once per process (else once per file).
    let once: Bool

    public init() {
        self.poppler = Poppler.shared
        self.maxTextBytes = PDFLoader.maxTextBytes
        self.once = true
    }

    /// For tests: as if the library were missing (`poppler: nil`), or a smaller text cap.
    init(poppler: Poppler?, maxTextBytes: Int = PDFLoader.maxTextBytes) {
        self.poppler = poppler
        self.maxTextBytes = maxTextBytes
        self.once = false
    }

    static let missingReported = OnceFlag()

    public func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        func fail(_ message: String, _ severity: Diagnostic.Severity) -> LoadResult {
            LoadResult(diagnostics: [Diagnostic(path: relativePath, message: message, severity: severity)])
        }
        guard let p = poppler else {
            // Said once per run (as a warning); later PDFs get a note.
            let first = !once || PDFLoader.missingReported.setOnce()
            var r = fail(
                first ? PDFLoader.missingLibrary : "PDF not read: no libpoppler-glib8; skipped",
                first ? .warning : .note)
            r.retryLater = true
            return r
        }
        guard bytes.count <= PDFLoader.maxBytes else {
            return fail("PDF larger than \(PDFLoader.maxBytes >> 20) MB; skipped", .error)
        }
        let read: Poppler.Document
        switch p.read(bytes, maxTextBytes: maxTextBytes) {
        case .failure(.encrypted):
            return fail("PDF is encrypted (needs a password); skipped", .warning)
        case .failure(.damaged(let message)):
            return fail("PDF not read: \(message); skipped", .error)
        case .success(let d):
            read = d
        }
        let body = PDFLoader.clean(read.pages)
        if body.isEmpty {
            return fail("no text (scanned pages?); skipped", .note)
        }
        var result = LoadResult()
        if read.truncated {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath,
                    message: "text over \(maxTextBytes >> 20) MB: pages after \(read.pages.count) not read",
                    severity: .warning))
        }
        let title = PDFLoader.title(property: read.title, text: body, relativePath: relativePath)
        var authors: [String] = []
        if let a = read.author {
            for n in Bylines.names(a) where !authors.contains(n) { authors.append(n) }
        }
        let date = (read.created ?? read.modified).map(PDFLoader.iso)
        result.articles.append(
            Article(
                id: relativePath, title: title, body: body, date: date,
                categories: PDFLoader.categories(keywords: read.keywords, subject: read.subject), authors: authors,
                source: relativePath, position: 0))
        return result
    }

    // MARK: Text and metadata

    /// The pages' text as one body: line ends normalised, trailing blanks dropped, blank-line
    /// runs collapsed to one blank line, hyphenated line ends joined before a lower-case letter.
    static func clean(_ pages: [String]) -> String {
        var lines: [Substring] = []
        for page in pages {
            let text = page.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            // A form feed (a page break inside poppler's text) is a paragraph break.
            let t = text.replacingOccurrences(of: "\u{0C}", with: "\n\n")
            if !lines.isEmpty { lines.append("") }
            for raw in t.split(separator: "\n", omittingEmptySubsequences: false) {
                var l = raw
                while let last = l.last, last.isWhitespace { l.removeLast() }
                let isBlank = l.allSatisfy { $0.isWhitespace }
                if isBlank {
                    if let prev = lines.last, !prev.isEmpty { lines.append("") }
                    continue
                }
                if let prev = lines.last, joinsHyphen(prev, l) {
                    lines[lines.count - 1] = Substring(prev.dropLast() + l.drop { $0 == " " })
                    continue
                }
                lines.append(l)
            }
        }
        while let f = lines.first, f.isEmpty { lines.removeFirst() }
        while let l = lines.last, l.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// `har-` then `bour…`: a word broken at a line end (a letter before the hyphen, a
    /// lower-case letter after it).
    static func joinsHyphen(_ prev: Substring, _ next: Substring) -> Bool {
        guard prev.count >= 2, prev.last == "-" else { return false }
        guard let before = prev.dropLast().last, before.isLetter else { return false }
        guard let first = next.first(where: { $0 != " " }) else { return false }
        return first.isLowercase
    }

    static func title(property: String?, text: String, relativePath: String) -> String {
        if let t = property?.trimmingWhitespace(), !t.isEmpty, !isFileNameLike(t), t.count <= 500 {
            return t.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        }
        if let first = text.split(separator: "\n").first(where: { !$0.allSatisfy(\.isWhitespace) }) {
            let line = first.trimmingCharacters(in: .whitespaces)
            if line.count <= TextLoader.maxTitleCharacters { return line }
        }
        return TextLoader.fileTitle(relativePath)
    }

    static let fileExtensions: Set<String> = [
        "pdf", "doc", "docx", "dot", "rtf", "odt", "txt", "tex", "dvi", "ps", "eps", "indd", "qxd", "qxp", "ppt",
        "pptx", "xls", "xlsx", "pages", "key", "html", "htm", "md", "wpd", "pub", "cdr", "ai", "psd", "tif", "tiff",
        "jpg", "jpeg", "png",
    ]

    /// A Title property that is an application's or a file's name, not the document's title.
    static func isFileNameLike(_ t: String) -> Bool {
        let lower = t.lowercased()
        if ["untitled", "untitled document", "title", "document", "no title", "(untitled)"].contains(lower) {
            return true
        }
        for app in ["microsoft word - ", "microsoft powerpoint - ", "microsoft excel - "] where lower.hasPrefix(app) {
            return true
        }
        // A name ending in a document or image extension: `report.doc`, `Annual report 2007.pdf`.
        if let dot = lower.lastIndex(of: "."), dot != lower.startIndex {
            let ext = String(lower[lower.index(after: dot)...])
            if fileExtensions.contains(ext) { return true }
        }
        return false
    }

    static func categories(keywords: String?, subject: String?) -> [String] {
        var out: [String] = []
        func add(_ s: Substring) {
            let v = s.trimmingCharacters(in: .whitespaces)
            if !v.isEmpty && v.count <= 200 && out.count < 50 && !out.contains(v) { out.append(v) }
        }
        if let k = keywords {
            for piece in k.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isNewline }) { add(piece) }
        }
        if let s = subject { add(Substring(s)) }
        return out
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    static func iso(_ t: Int) -> String {
        var tt = time_t(t)
        var tm = tm()
        guard gmtime_r(&tt, &tm) != nil else { return "1970-01-01T00:00:00Z" }
        func p(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return
            "\(p(tm.tm_year + 1900, 4))-\(p(tm.tm_mon + 1, 2))-\(p(tm.tm_mday, 2))T\(p(tm.tm_hour, 2)):\(p(tm.tm_min, 2)):\(p(tm.tm_sec, 2))Z"
    }
}

/// True the first time `setOnce` is called in this process.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}

// MARK: - poppler-glib, loaded at run time

/// The few poppler-glib and GLib functions loupe calls, looked up with `dlsym` in the library
/// loaded with `dlopen` on first use (`Poppler.shared`). `LOUPE_NO_POPPLER=1` makes it missing
/// (a testing knob).
public final class Poppler: Sendable {
    static let lock = NSLock()

    /// Library names tried in order.
    static let libraryNames = ["libpoppler-glib.so.8", "libpoppler-glib.so"]

    /// Loaded once per process, on first use (a `static let` is initialised lazily and safely).
    public static let shared: Poppler? = {
        if let v = getenv("LOUPE_NO_POPPLER"), String(cString: v) == "1" { return nil }
        for name in libraryNames {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL), let p = Poppler(handle: h) { return p }
        }
        return nil
    }()

    // GObject, GError and the document are opaque pointers here.
    typealias NewFromData =
        @convention(c) (
            UnsafeMutablePointer<CChar>?, Int32, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> UnsafeMutableRawPointer?
    typealias GetInt = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias GetPage = @convention(c) (UnsafeMutableRawPointer?, Int32) -> UnsafeMutableRawPointer?
    typealias GetString = @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>?
    typealias GetTime = @convention(c) (UnsafeMutableRawPointer?) -> time_t
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Void

    let newFromData: NewFromData
    let nPages: GetInt
    let getPage: GetPage
    let pageText: GetString
    let title, author, subject, keywords: GetString
    let created, modified: GetTime
    let unref, gFree, errorFree: Free

    init?(handle h: UnsafeMutableRawPointer) {
        func sym<T>(_ name: String, _: T.Type) -> T? {
            guard let s = dlsym(h, name) else { return nil }
            return unsafeBitCast(s, to: T.self)
        }
        // GLib's functions resolve through poppler-glib's own dependencies.
        guard let newFromData = sym("poppler_document_new_from_data", NewFromData.self),
            let nPages = sym("poppler_document_get_n_pages", GetInt.self),
            let getPage = sym("poppler_document_get_page", GetPage.self),
            let pageText = sym("poppler_page_get_text", GetString.self),
            let title = sym("poppler_document_get_title", GetString.self),
            let author = sym("poppler_document_get_author", GetString.self),
            let subject = sym("poppler_document_get_subject", GetString.self),
            let keywords = sym("poppler_document_get_keywords", GetString.self),
            let created = sym("poppler_document_get_creation_date", GetTime.self),
            let modified = sym("poppler_document_get_modification_date", GetTime.self),
            let unref = sym("g_object_unref", Free.self),
            let gFree = sym("g_free", Free.self),
            let errorFree = sym("g_error_free", Free.self)
        else { return nil }
        (self.newFromData, self.nPages, self.getPage, self.pageText) = (newFromData, nPages, getPage, pageText)
        (self.title, self.author, self.subject, self.keywords) = (title, author, subject, keywords)
        (self.created, self.modified) = (created, modified)
        (self.unref, self.gFree, self.errorFree) = (unref, gFree, errorFree)
    }

    struct Document {
        var pages: [String] = []
        var truncated = false
        var title, author, subject, keywords: String?
        var created, modified: Int?
    }

    enum Failure: Error {
        case encrypted
        case damaged(String)
    }

    /// POPPLER_ERROR_ENCRYPTED in poppler's `PopplerError`.
    static let errorEncrypted: Int32 = 1

    /// Opens `bytes` (kept alive while the document lives: poppler does not copy them) and
    /// reads every page's text, stopping once it passes `maxTextBytes`.
    func read(_ bytes: [UInt8], maxTextBytes: Int) -> Result<Document, Failure> {
        // One PDF at a time: poppler-glib sets up its global parameters on the first document
        // without a lock, and files are read on several threads (`Prefetcher`).
        Poppler.lock.lock()
        defer { Poppler.lock.unlock() }
        return bytes.withUnsafeBytes { buf -> Result<Document, Failure> in
            var error: UnsafeMutableRawPointer?
            // poppler reads the bytes, never writes them (its `char *` predates `const`).
            let raw = buf.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: CChar.self)) }
            guard let doc = newFromData(raw, Int32(buf.count), nil, &error) else {
                var message = "poppler could not open it"
                var code: Int32 = -1
                if let e = error {
                    // GError: GQuark domain (u32), gint code, gchar *message.
                    code = e.load(fromByteOffset: 4, as: Int32.self)
                    if let m = e.load(fromByteOffset: 8, as: UnsafePointer<CChar>?.self) {
                        message = String(decoding: UnsafeRawBufferPointer(start: m, count: strlen(m)), as: UTF8.self)
                    }
                    errorFree(e)
                }
                return .failure(code == Poppler.errorEncrypted ? .encrypted : .damaged(message))
            }
            defer { unref(doc) }
            var d = Document()
            d.title = string(title(doc))
            d.author = string(author(doc))
            d.subject = string(subject(doc))
            d.keywords = string(keywords(doc))
            let c = Int(created(doc))
            let m = Int(modified(doc))
            // -1: no date.
            d.created = c > 0 ? c : nil
            d.modified = m > 0 ? m : nil
            var total = 0
            let n = nPages(doc)
            var i: Int32 = 0
            while i < n {
                if total > maxTextBytes {
                    d.truncated = true
                    break
                }
                if let page = getPage(doc, i) {
                    let text = string(pageText(page)) ?? ""
                    unref(page)
                    total += text.utf8.count
                    d.pages.append(text)
                }
                i += 1
            }
            return .success(d)
        }
    }

    /// A GLib string, freed; invalid UTF-8 repaired.
    private func string(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { gFree(p) }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self).replacingNUL()
    }
}
