#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LoupeCore

/// Detects a file's format by its content (not its extension) and hands it to the right loader.
public enum ArticleFormat: String, Sendable {
    case text, feed, xml

    /// XML when, after a BOM and blanks, the content starts with `<?xml`, `<!` or `<` + a letter;
    /// otherwise text.
    public static func detect(_ b: [UInt8]) -> ArticleFormat {
        var i = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
        if b.count >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) {
            // UTF-16: look at the first non-blank code unit.
            let little = b[0] == 0xFF
            var j = 2
            while j + 1 < b.count {
                let u = little ? UInt16(b[j]) | UInt16(b[j + 1]) << 8 : UInt16(b[j]) << 8 | UInt16(b[j + 1])
                if u == 0x20 || u == 0x0A || u == 0x0D || u == 0x09 {
                    j += 2
                    continue
                }
                return u == 0x3C ? .feed : .text
            }
            return .text
        }
        while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
        guard i + 1 < b.count, b[i] == UInt8(ascii: "<") else { return .text }
        let c = b[i + 1]
        if c == UInt8(ascii: "?") || c == UInt8(ascii: "!") || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) { return .feed }
        return .text
    }
}

public enum ArticleLoading {
    /// Files larger than this are refused (until streaming of huge files lands).
    public static let maxFileBytes = 2 << 30

    public static func readFile(_ path: [CChar]) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LoadFailure(message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LoadFailure(message: String(cString: strerror(errno))) }
        let n = Int(st.st_size)
        guard n <= maxFileBytes else { throw LoadFailure(message: "file larger than \(maxFileBytes >> 20) MB; skipped") }
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
        return load(bytes, relativePath: file.relativePath)
    }

    public static func load(_ bytes: [UInt8], relativePath: String) -> LoadResult {
        if bytes.isEmpty {
            return LoadResult(diagnostics: [Diagnostic(path: relativePath, message: "empty file", severity: .note)])
        }
        if bytes.count >= 8 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47 {
            return LoadResult(diagnostics: [
                Diagnostic(path: relativePath, line: 1, message: "not text (PNG image); skipped", severity: .warning)
            ])
        }
        switch ArticleFormat.detect(bytes) {
        case .feed, .xml:
            return FeedLoader().load(bytes, relativePath: relativePath)
        case .text:
            return TextLoader().load(bytes, relativePath: relativePath)
        }
    }
}

struct LoadFailure: Error {
    var message: String
}
