import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct GzipTests {
    /// `gzip` of "hello zq gzip\n" with the original name `note.txt` (made for this test).
    static let member: [UInt8] = [
        0x1F, 0x8B, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02, 0xFF, 0x6E, 0x6F, 0x74, 0x65, 0x2E, 0x74, 0x78, 0x74,
        0x00,
        0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0xA8, 0x2A, 0x54, 0x48, 0xAF, 0xCA, 0x2C, 0xE0, 0x02, 0x00, 0xAE, 0xA1,
        0x37,
        0x7F, 0x0E, 0x00, 0x00, 0x00,
    ]

    @Test func recognisedByMagicBytesNotExtension() {
        #expect(ArticleFormat.detect(Self.member) == .gzip)
        // A `.gz` name on plain text is still text; gzip bytes under any name are gzip.
        #expect(ArticleLoading.load(Array("Plain title\n\nplain body".utf8), relativePath: "a.gz").articles.count == 1)
        let r = ArticleLoading.load(Self.member, relativePath: "dir/archive.dat")
        #expect(r.articles.count == 1)
        #expect(r.articles.first?.body.contains("zq") == true || r.articles.first?.title.contains("zq") == true)
    }

    @Test func headerFields() throws {
        let h = try Gzip.header(Self.member)
        #expect(h.originalName == "note.txt")
        #expect(h.dataOffset == 19)
        #expect(h.sizeHint == 14)
        #expect(throws: Gzip.HeaderError.truncated) { try Gzip.header(Array(Self.member.prefix(12))) }
        var other = Self.member
        other[2] = 7
        #expect(throws: Gzip.HeaderError.unsupportedMethod(7)) { try Gzip.header(other) }
    }

    @Test func decompressedThenReadByContent() {
        let r = ArticleLoading.load(Self.member, relativePath: "dir/notes.txt.gz")
        #expect(!r.rejected)
        #expect(r.articles.count == 1)
        #expect(r.articles[0].source == "dir/notes.txt.gz")
        // A broken header is an error naming the file; nothing is indexed from it.
        let broken = ArticleLoading.load([0x1F, 0x8B, 0x08, 0x00], relativePath: "b.gz")
        #expect(broken.rejected)
        #expect(broken.diagnostics.first?.message.contains("broken gzip header") == true)
        // Damaged deflate data is an error too.
        var damaged = Self.member
        damaged[22] ^= 0xFF
        damaged[23] ^= 0xFF
        let d = ArticleLoading.load(damaged, relativePath: "d.gz")
        #expect(d.rejected)
        #expect(d.articles.isEmpty)
    }

    @Test func expansionBeyondTheCapIsRefused() throws {
        // 64 MB of zeros compresses to about 64 KB: past the 20x / 16 MB floor cap.
        let zeros = [UInt8](repeating: 0x20, count: 64 << 20)
        let gz = try Self.gzip(zeros)
        #expect(gz.count < 1 << 20)
        let r = ArticleLoading.load(gz, relativePath: "bomb.gz")
        #expect(r.rejected)
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.first?.message.contains("expands beyond") == true)
    }

    /// gzip by the system's `gzip` tool (used only to make a fixture).
    static func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let dir = TestScratch.url("gz")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let f = dir.appendingPathComponent("x")
        try Data(data).write(to: f)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-f", f.path]
        try p.run()
        p.waitUntilExit()
        return Array(try Data(contentsOf: dir.appendingPathComponent("x.gz")))
    }

    @Test func outputCap() {
        #expect(Gzip.outputCap(compressedSize: 1000) == 16 << 20)  // small files: the floor
        #expect(Gzip.outputCap(compressedSize: 10 << 20) == 200 << 20)  // 20×
        #expect(Gzip.outputCap(compressedSize: 100 << 20) == 1 << 30)  // 1 GiB at most
        #expect(Gzip.outputCap(compressedSize: Int.max) == 1 << 30)
    }

    @Test func otherCompressedAndArchiveFilesAreNamed() {
        let zst: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58, 0x01, 0x00]
        #expect(ArticleFormat.detect(zst) == .zstd)
        #expect(ArticleLoading.load(zst, relativePath: "w.zst").diagnostics.first?.message.contains("zstd") == true)
        var tar = [UInt8](repeating: 0, count: 1024)
        tar.replaceSubrange(0..<5, with: Array("a.txt".utf8))
        tar.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        #expect(ArticleLoading.load(tar, relativePath: "x.tar").diagnostics.first?.message.contains("tar") == true)
    }
}
