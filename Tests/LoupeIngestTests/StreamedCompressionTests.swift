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

    /// Large ZIP archives are read from the file (central directory, then members with `pread`):
    /// the same articles in the same order as the archive read whole; a large member in a
    /// streamable format streams, and its damage is its own, as a small member's.
    @Test func zipArchivesStreamFromTheFile() throws {
        let lines = (0..<120).map { "{\"id\":\"z\($0)\",\"title\":\"Zipped \($0)\",\"text\":\"zqzipline \($0)\"}" }
        let jsonl = lines.joined(separator: "\n") + "\n"
        var hidden = TestZip.Entry("__MACOSX/._b.txt", "Hidden\n\nzqhidden")
        hidden.deflate = false
        let entries: [TestZip.Entry] = [
            .init("b/second.txt", "Second story\n\nzqzip second"),
            .init("dump/lines.jsonl", jsonl),
            .init("a/first.txt", "First story\n\nzqzip first", deflate: false),
            .init("a/broken.xml", "<?xml version=\"1.0\"?><rss><channel><item>"),
            hidden,
            .init("c/nested.tar", TarTests.archive([TarTests.entry("x.txt", Array("Inner\n\nzqinner".utf8))])),
            .init("c/nested.zip", TestZip.archive([.init("y.txt", "Inner zip\n\nzqinnerzip")])),
        ]
        for zip64 in [false, true] {
            let zip = TestZip.archive(entries, zip64: zip64)
            let whole = ArticleLoading.load(zip, relativePath: "dumps/z.zip")
            #expect(whole.articles.count == 122)
            // Threshold 1: every member in a streamable format streams; the archive's size: none.
            for threshold in [1, zip.count] {
                let (fd, file) = try Self.open(zip, "z.zip")
                close(fd)
                var got: [Article] = []
                let d = try #require(ArticleLoading.stream(file, threshold: threshold) { got.append($0) })
                #expect(got.map(\.source) == whole.articles.map(\.source), "\(threshold)")
                #expect(got.map(\.title) == whole.articles.map(\.title))
                // The broken feed's error is its own, streamed or read whole.
                let errors = d.filter { $0.severity == .error }
                #expect(errors.map(\.path) == ["dumps/z.zip/a/broken.xml"], "\(threshold): \(d)")
                #expect(d.contains { $0.path == "dumps/z.zip/c/nested.tar" && $0.message.contains("archive inside") })
                // A zip inside: not opened, streamed or not (not inflated first when large).
                #expect(d.contains { $0.path == "dumps/z.zip/c/nested.zip" && $0.message.contains("archive inside") })
                #expect(!got.contains { $0.body.contains("zqinnerzip") })
            }
        }
        // A large member that is a document in a ZIP (Word, OpenDocument, EPUB) is read; a plain
        // ZIP is skipped before it is inflated.
        #expect(ArticleLoading.isPlainZip(TestZip.archive([.init("y.txt", "x")])))
        for first in ["[Content_Types].xml", "mimetype", "word/document.xml", "META-INF/container.xml"] {
            #expect(!ArticleLoading.isPlainZip(TestZip.archive([.init(first, "x")])), "\(first)")
        }
        #expect(!ArticleLoading.isPlainZip(Array("PK".utf8)))
        // A streamed member that fails its CRC: its own error, found after its articles went
        // out, which are retracted (by order of emission); the other members stand.
        var bad = TestZip.Entry("dump/lines.jsonl", jsonl)
        bad.crc = 0x1234_5678
        var cut = TestZip.Entry("b/cut.txt", "Cut story\n\nzqzip cut")
        cut.crc = 0x1234_5678
        let damaged = TestZip.archive([
            .init("a/first.txt", "First\n\nzqzip first"), bad, cut, .init("c/last.txt", "Last\n\nzqzip last"),
        ])
        let (fd, file) = try Self.open(damaged, "bad.zip")
        close(fd)
        var got: [Article] = []
        var retracted: [Range<Int>] = []
        var retry = false
        let d = try #require(
            ArticleLoading.stream(file, threshold: 1, retryLater: &retry, retract: { retracted.append($0) }) {
                got.append($0)
            })
        #expect(
            d.contains {
                $0.path == "dumps/bad.zip/dump/lines.jsonl" && $0.severity == .error
                    && $0.message == "deflate data is damaged (CRC-32 mismatch)"
            }, "\(d)")
        #expect(!d.contains { $0.path == "dumps/bad.zip" && $0.severity == .error }, "\(d)")
        // Members in path order: a/first.txt, b/cut.txt (damaged, nothing), c/last.txt, then the
        // 120 lines.
        #expect(retracted == [2..<122])
        #expect(got.count == 122 && got.first?.title == "First" && got[1].title == "Last")
        #expect(got[2..<122].allSatisfy { $0.source == "dumps/bad.zip/dump/lines.jsonl" })
        #expect(
            d.contains {
                $0.path == "dumps/bad.zip/dump/lines.jsonl" && $0.severity == .note
                    && $0.message == "the 120 articles read before the error are left out"
            }, "\(d)")
        // The small member's damage is its own.
        #expect(
            d.contains {
                $0.path == "dumps/bad.zip/b/cut.txt" && $0.message == "damaged member: CRC-32 mismatch; skipped"
            })
        // A member declaring more than the archive may expand to in all: the rest is not read.
        var huge = TestZip.Entry("a/huge.txt", "tiny")
        huge.size = Int(UInt32.max) - 1
        let (hfd, hfile) = try Self.open(TestZip.archive([huge, .init("b/ok.txt", "Ok\n\nzqok")]), "huge.zip")
        close(hfd)
        let h = try #require(ArticleLoading.stream(hfile, threshold: 100) { _ in })
        #expect(h.contains { $0.path == "dumps/huge.zip/a/huge.txt" && $0.message.contains("expands beyond") }, "\(h)")
        // A Word document is not an archive of files: read whole.
        let docx = TestZip.archive([
            .init("[Content_Types].xml", "<Types/>"), .init("word/document.xml", "<w:document/>"),
        ])
        let (dfd, dfile) = try Self.open(docx, "d.docx")
        close(dfd)
        #expect(ArticleLoading.stream(dfile, threshold: 1) { _ in } == nil)
        // Damaged: no end record.
        let (gfd, gfile) = try Self.open(Array(damaged.prefix(damaged.count - 10)), "cut.zip")
        close(gfd)
        let g = try #require(ArticleLoading.stream(gfile, threshold: 1) { _ in })
        #expect(g.map(\.message).contains { $0.hasPrefix("damaged zip archive at byte") }, "\(g)")
    }

    /// Indexing a large ZIP archive whose streamed member fails its CRC at its end: that
    /// member's articles, already handed to both workers in many chunks, are deleted at commit;
    /// the members before and after it stay, the file's record counts them, and a second run
    /// finds the archive unchanged.
    @Test func damagedStreamedMemberLeavesTheRestOfTheArchive() throws {
        let root = TestScratch.url("loupe-zip-retract").path
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        func jsonl(_ tag: String, _ n: Int) -> String {
            (0..<n).map { "{\"id\":\"\(tag)\($0)\",\"title\":\"\(tag) \($0)\",\"text\":\"\(tag)word \($0)\"}" }
                .joined(separator: "\n") + "\n"
        }
        var bad = TestZip.Entry("dump/bad.jsonl", jsonl("zqbad", 150))
        bad.crc = 0x1234_5678
        let zip = TestZip.archive([
            .init("a/first.txt", "First\n\nzqzipfirst"), bad, .init("dump/good.jsonl", jsonl("zqgood", 100)),
            .init("z/last.txt", "Last\n\nzqziplast"),
        ])
        try Data(zip).write(to: URL(fileURLWithPath: corpus + "/dump.zip"))
        try "Beside\n\nzqbeside".write(toFile: corpus + "/beside.txt", atomically: true, encoding: .utf8)
        for run in 0..<2 {
            let writer = try IndexWriter(directory: root + "/index", analyzer: .english, reset: run == 0)
            let indexer = CorpusIndexer(root: corpus, writer: writer)
            indexer.threads = 2
            indexer.streamingThreshold = 1
            indexer.chunkSize = 16
            var errors: [Diagnostic] = []
            indexer.onDiagnostic = { if $0.severity == .error { errors.append($0) } }
            let summary = try indexer.run()
            #expect(summary.documentsInIndex == 103, "run \(run)")
            if run == 0 {
                #expect(summary.articles == 103)
                #expect(errors.map(\.path) == ["dump.zip/dump/bad.jsonl"], "\(errors)")
            } else {
                #expect(summary.unchangedFiles == 2 && errors.isEmpty)
            }
            let reader = try IndexReader(directory: root + "/index")
            #expect(try reader.files()["dump.zip"]?.articles == 102)
            let searcher = Searcher(reader: reader)
            func hits(_ q: String) throws -> Int {
                try searcher.search(try searcher.prepare(try QueryParser().parse(q)), limit: 10).total
            }
            #expect(try hits("zqbadword") == 0)
            #expect(try hits("zqgoodword") == 100)
            #expect(try hits("zqzipfirst") == 1 && hits("zqziplast") == 1 && hits("zqbeside") == 1)
        }
    }

    /// A member window of a file: stored or deflated, its size and CRC-32 checked at its end, a
    /// file shorter than its directory says is damage.
    @Test func zipMemberWindowsAreChecked() throws {
        let text = Array(String(repeating: "window text ", count: 500).utf8)
        let packed = TestZip.deflate(text)
        let file = [UInt8](repeating: 0x55, count: 100) + packed + text + [UInt8](repeating: 0x55, count: 50)
        let (fd, _) = try Self.open(file, "w.bin")
        defer { close(fd) }
        let crc = TestZip.crc(text)
        let deflated = 100..<(100 + packed.count)
        let stored = deflated.upperBound..<(deflated.upperBound + text.count)
        #expect(Self.drain(ByteStream(fd: fd, member: deflated, kind: .deflate, size: text.count, crc: crc)) == text)
        #expect(Self.drain(ByteStream(fd: fd, member: stored, kind: .plain, size: text.count, crc: crc)) == text)
        let wrong = ByteStream(fd: fd, member: stored, kind: .plain, size: text.count, crc: crc ^ 1)
        #expect(Self.drain(wrong) == nil)
        #expect(wrong.failure == "file data is damaged (CRC-32 mismatch)")
        let short = ByteStream(fd: fd, member: deflated, kind: .deflate, size: text.count + 1, crc: crc)
        #expect(Self.drain(short) == nil)
        #expect(short.damageReason == "inflates to \(text.count) bytes, its entry says \(text.count + 1)")
        let long = ByteStream(fd: fd, member: stored, kind: .plain, size: 10, crc: crc)
        #expect(Self.drain(long) == nil)
        #expect(long.damageReason == "inflates to more than the 10 bytes its entry says")
        // A window past the end of the file.
        let past = ByteStream(
            fd: fd, member: stored.lowerBound..<(file.count + 10), kind: .plain, size: 1 << 20, crc: 0)
        #expect(Self.drain(past) == nil)
        #expect(past.damageReason == "truncated")
        // The descriptor's own offset is not moved.
        #expect(lseek(fd, 0, SEEK_CUR) == 0)
    }

    /// A ZIP archive's progress is the stored bytes of the members read so far: it only grows,
    /// though members come in the walker's order rather than the archive's.
    @Test func zipProgressOnlyGrows() throws {
        // Names in reverse of their order in the archive.
        let entries = (0..<400).map { i in
            TestZip.Entry(String(format: "d%03d/a.txt", 399 - i), "Story \(i)\n\nzqprogress text number \(i)")
        }
        let zip = TestZip.archive(entries)
        let (fd, file) = try Self.open(zip, "progress.zip")
        close(fd)
        var seen: [Int64] = []
        var retry = false
        var count = 0
        let d = ArticleLoading.stream(file, threshold: 1, retryLater: &retry, progress: { seen.append($0) }) { _ in
            count += 1
        }
        #expect(d != nil && count == 400)
        #expect(seen.count >= 5, "\(seen)")
        #expect(seen == seen.sorted() && (seen.last ?? 0) <= Int64(zip.count), "\(seen)")
    }
}
