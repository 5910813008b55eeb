import CBZip2
import CLZMA
import CZstd
import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Large compressed files streamed as they inflate (`ByteStream`), and large tar archives
/// read a member at a time.
struct StreamedCompressionTests {
    /// Writes `bytes` to a scratch file and opens it.
    static func open(_ bytes: [UInt8], _ name: String) throws -> (fd: Int32, file: CorpusFile) {
        let dir = TestScratch.url("streamed")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        let fd = Glibc.open(url.path, O_RDONLY)
        try #require(fd >= 0)
        let file = CorpusFile(
            relativePath: "dumps/" + name, path: Array(url.path.utf8CString), size: Int64(bytes.count), mtimeNanos: 0)
        return (fd, file)
    }

    /// Everything `s` gives, read `step` bytes at a time; nil when it fails.
    static func drain(_ s: ByteStream, step: Int = 7) -> [UInt8]? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: step)
        while true {
            let n = buf.withUnsafeMutableBytes { s.read($0.baseAddress!, step) }
            if n < 0 { return nil }
            if n == 0 { return out }
            out += buf[0..<n]
        }
    }

    static func zstd(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { ZSTD_compress(o.baseAddress, o.count, $0.baseAddress, $0.count, 3) }
        }
        return Array(out[0..<n])
    }

    static func xz(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: data.count + data.count / 2 + 1024)
        var pos = 0
        let rc = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer {
                lzma_easy_buffer_encode(
                    1, LZMA_CHECK_CRC64, nil, $0.baseAddress, $0.count, o.baseAddress, &pos, o.count)
            }
        }
        precondition(rc == LZMA_OK)
        return Array(out[0..<pos])
    }

    static func bzip2(_ data: [UInt8]) -> [UInt8] {
        var out = [CChar](repeating: 0, count: data.count + data.count / 100 + 700)
        var n = UInt32(out.count)
        var src = data.map { CChar(bitPattern: $0) }
        let rc = BZ2_bzBuffToBuffCompress(&out, &n, &src, UInt32(src.count), 1, 0, 0)
        precondition(rc == BZ_OK)
        return out[0..<Int(n)].map { UInt8(bitPattern: $0) }
    }

    @Test func xzAndBzip2AreReadWholeAndStreamed() throws {
        var jsonl = ""
        for i in 0..<200 { jsonl += "{\"id\":\"x\(i)\",\"title\":\"Packed \(i)\",\"text\":\"zqpacked \(i)\"}\n" }
        let bytes = Array(jsonl.utf8)
        let plain = ArticleLoading.load(bytes, relativePath: "dumps/d.jsonl").articles
        #expect(plain.count == 200)
        // Two streams concatenated (pbzip2 and `cat` make such files): one file.
        let half = bytes.count / 2
        let cut = bytes[..<half].lastIndex(of: 0x0A)! + 1
        for (packed, kind, name) in [
            (Self.xz(Array(bytes[..<cut])) + Self.xz(Array(bytes[cut...])), ArticleFormat.xz, "d.jsonl.xz"),
            (Self.bzip2(Array(bytes[..<cut])) + Self.bzip2(Array(bytes[cut...])), ArticleFormat.bzip2, "d.jsonl.bz2"),
        ] {
            #expect(ArticleFormat.detect(packed) == kind)
            let whole = ArticleLoading.load(packed, relativePath: "dumps/" + name)
            #expect(!whole.rejected, "\(name): \(whole.diagnostics)")
            #expect(whole.articles.map(\.title) == plain.map(\.title), "\(name)")
            let s = try Self.streamed(packed, name)
            #expect(s.articles.map(\.title) == plain.map(\.title), "\(name): \(s.diagnostics)")
            // Cut short: an error, whole or streamed.
            let short = Array(packed.prefix(packed.count - 20))
            let w = ArticleLoading.load(short, relativePath: "dumps/" + name)
            #expect(w.rejected && w.diagnostics.first?.message.contains("damaged") == true, "\(name): \(w.diagnostics)")
            let t = try Self.streamed(short, "short-" + name)
            #expect(t.diagnostics.contains { $0.severity == .error && $0.message.contains("damaged") }, "\(name)")
        }
        // A tar archive inside, read whole.
        let tar = TarTests.archive([TarTests.entry("a/story.txt", Array("Packed story\n\nzqpackedtar".utf8))])
        for packed in [Self.xz(tar), Self.bzip2(tar)] {
            let r = ArticleLoading.load(packed, relativePath: "dumps/t.tar.x")
            #expect(r.articles.map(\.source) == ["dumps/t.tar.x/a/story.txt"])
        }
    }

    @Test func gzipMembersAndZstdFramesInflateInOrder() throws {
        let a = Array("first member: zqalpha\n".utf8)
        let b = Array(String(repeating: "second member: zqbeta\n", count: 5000).utf8)
        let gz = try GzipTests.gzip(a) + GzipTests.gzip(b)
        let (fd, _) = try Self.open(gz, "two.gz")
        defer { close(fd) }
        #expect(Self.drain(ByteStream(fd: fd, kind: .gzip)) == a + b)
        let (zfd, _) = try Self.open(Self.zstd(a) + Self.zstd(b), "two.zst")
        defer { close(zfd) }
        #expect(Self.drain(ByteStream(fd: zfd, kind: .zstd), step: 4096) == a + b)
    }

    @Test func truncatedDamagedAndBombStreamsFail() throws {
        let text = Array(String(repeating: "some words to compress zqgamma\n", count: 4000).utf8)
        let gz = try GzipTests.gzip(text)
        let (t, _) = try Self.open(Array(gz.prefix(gz.count / 2)), "cut.gz")
        defer { close(t) }
        let cut = ByteStream(fd: t, kind: .gzip)
        #expect(Self.drain(cut) == nil)
        #expect(cut.failure == "gzip data is damaged (truncated)")
        var bad = gz
        for k in 20..<40 { bad[k] ^= 0x5A }
        let (d, _) = try Self.open(bad, "bad.gz")
        defer { close(d) }
        let damaged = ByteStream(fd: d, kind: .gzip)
        #expect(Self.drain(damaged) == nil)
        #expect(damaged.failure?.hasPrefix("gzip data is damaged") == true)
        let z = Self.zstd(text)
        let (zt, _) = try Self.open(Array(z.prefix(z.count - 3)), "cut.zst")
        defer { close(zt) }
        let zcut = ByteStream(fd: zt, kind: .zstd)
        #expect(Self.drain(zcut) == nil)
        #expect(zcut.failure?.hasPrefix("zstd data is damaged") == true)
        // Output beyond the cap stops the stream.
        let (c, _) = try Self.open(gz, "capped.gz")
        defer { close(c) }
        let capped = ByteStream(fd: c, kind: .gzip, cap: 1000)
        #expect(Self.drain(capped) == nil)
        #expect(capped.failure?.contains("expands beyond") == true)
        #expect(ArticleLoading.streamedOutputCap(compressedSize: 100 << 20) == 20_000 << 20)
        #expect(ArticleLoading.streamedOutputCap(compressedSize: 1) == Gzip.absoluteCap)
    }

    /// The articles of a stream, or of a whole load.
    static func streamed(_ bytes: [UInt8], _ name: String) throws -> (articles: [Article], diagnostics: [Diagnostic]) {
        let (fd, file) = try Self.open(bytes, name)
        close(fd)
        var got: [Article] = []
        let d = ArticleLoading.stream(file, threshold: 1) { got.append($0) }
        let diagnostics = try #require(d, "not streamed: \(name)")
        return (got, diagnostics)
    }

    @Test func compressedFeedsJSONAndMailboxesStreamAsTheirPlainSelves() throws {
        var jsonl = ""
        for i in 0..<300 { jsonl += "{\"id\":\"j\(i)\",\"title\":\"Dump \(i)\",\"text\":\"zqdump body \(i)\"}\n" }
        var rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>t</title>\n"
        for i in 0..<200 {
            rss += "<item><guid>g\(i)</guid><title>Feed \(i)</title><description>zqfeed \(i)</description></item>\n"
        }
        rss += "</channel></rss>\n"
        var mbox = ""
        for i in 0..<50 {
            mbox +=
                "From a@example.org Mon Apr  6 10:00:00 2020\nFrom: a@example.org\nSubject: Mail \(i)\nMessage-ID: <m\(i)@example.org>\n\nzqmail body \(i)\n\n"
        }
        let json =
            "["
            + (0..<40).map { "{\"id\":\"a\($0)\",\"title\":\"Array \($0)\",\"body\":\"zqarray\"}" }
            .joined(separator: ",") + "]"
        for (plain, name) in [(jsonl, "d.jsonl"), (rss, "f.xml"), (mbox, "box.mbox"), (json, "a.json")] {
            let bytes = Array(plain.utf8)
            let whole = ArticleLoading.load(bytes, relativePath: "dumps/" + name)
            #expect(!whole.articles.isEmpty)
            for (packed, suffix) in [(try GzipTests.gzip(bytes), ".gz"), (Self.zstd(bytes), ".zst")] {
                let s = try Self.streamed(packed, name + suffix)
                #expect(!s.diagnostics.contains { $0.severity == .error }, "\(name)\(suffix): \(s.diagnostics)")
                #expect(s.articles.map(\.title) == whole.articles.map(\.title), "\(name)\(suffix)")
                #expect(s.articles.map(\.body) == whole.articles.map(\.body), "\(name)\(suffix)")
            }
        }
        // A truncated one is an error of the file (the indexer then keeps none of it).
        let gz = try GzipTests.gzip(Array(jsonl.utf8))
        let cut = try Self.streamed(Array(gz.prefix(gz.count - 40)), "cut.jsonl.gz")
        #expect(cut.diagnostics.contains { $0.severity == .error && $0.message.contains("truncated") })
        let cutFeed = try Self.streamed(Array(try GzipTests.gzip(Array(rss.utf8)).dropLast(40)), "cut.xml.gz")
        #expect(cutFeed.diagnostics.contains { $0.severity == .error && $0.path == "dumps/cut.xml.gz" })
    }

    @Test func overlongJSONLinesAreSkipped() throws {
        // Within one block read, and running over the next (blocks are 1 MB).
        for size in [5000, 1_500_000] {
            let long = "{\"title\":\"Huge\",\"text\":\"" + String(repeating: "x", count: size) + "\"}\n"
            let text =
                "{\"id\":\"1\",\"title\":\"Before\",\"text\":\"zqa\"}\n" + long
                + "{\"id\":\"2\",\"title\":\"After\",\"text\":\"zqb\"}\n"
            let (fd, _) = try Self.open(Array(text.utf8), "long.jsonl")
            defer { close(fd) }
            var got: [Article] = []
            let d = JSONLinesLoader().stream(ByteStream(fd: fd), relativePath: "long.jsonl", maxLineBytes: 1000) {
                got.append($0)
            }
            #expect(got.map(\.title) == ["Before", "After"], "\(size)")
            #expect(d.contains { $0.line == 2 && $0.message == "line longer than 1000 bytes; line skipped" }, "\(size)")
            #expect(!got.contains { $0.title == "Huge" })
        }
    }

    @Test func tarArchivesStreamMemberByMember() throws {
        let long = String(repeating: "deep/", count: 30) + "story.txt"
        let tar = TarTests.archive([
            TarTests.entry("b/second.txt", Array("Second story\n\nzqtar second".utf8)),
            TarTests.entry("././@LongLink", Array((long + "\0").utf8), type: UInt8(ascii: "L")),
            TarTests.entry("ignored", Array("Long story\n\nzqtar long".utf8)),
            TarTests.entry("dir/", [], type: UInt8(ascii: "5")),
            TarTests.entry(".hidden/x.txt", Array("Hidden\n\nzqtar hidden".utf8)),
            TarTests.entry("a/first.txt", Array("First story\n\nzqtar first".utf8)),
            TarTests.entry("a/broken.xml", Array("<?xml version=\"1.0\"?><rss><channel><item>".utf8)),
        ])
        let whole = ArticleLoading.load(tar, relativePath: "dumps/t.tar")
        for (bytes, name) in [(tar, "t.tar"), (try GzipTests.gzip(tar), "t.tar.gz"), (Self.zstd(tar), "t.tar.zst")] {
            let s = try Self.streamed(bytes, name)
            // Archive order, not the walker's; the same articles, named inside the archive.
            #expect(s.articles.map(\.source) == ["b/second.txt", long, "a/first.txt"].map { "dumps/\(name)/\($0)" })
            #expect(Set(s.articles.map(\.title)) == Set(whole.articles.map(\.title)))
            // The broken member is its own error; the archive is not rejected.
            let errors = s.diagnostics.filter { $0.severity == .error }
            #expect(errors.map(\.path) == ["dumps/\(name)/a/broken.xml"], "\(s.diagnostics)")
        }
        // A damaged header after a member: an error of the archive itself.
        var damaged = tar
        damaged[512 * 4 + 150] ^= 0x01
        let d = try Self.streamed(damaged, "d.tar")
        #expect(d.diagnostics.contains { $0.path == "dumps/d.tar" && $0.message.contains("damaged tar archive") })
        // Ending inside a member.
        let t = try Self.streamed(Array(tar.prefix(512 + 10)), "cut.tar")
        #expect(t.diagnostics.contains { $0.path == "dumps/cut.tar" && $0.message.contains("runs past the end") })
    }
}
