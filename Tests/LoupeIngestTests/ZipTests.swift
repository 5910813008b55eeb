import CZlib
import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// A tiny ZIP writer for the tests: stored or deflated members, with whatever lies a test needs
/// (sizes, CRC, flags), data descriptors, ZIP64 records.
enum TestZip {
    struct Entry {
        var name: String
        var data: [UInt8]
        var deflate = true
        var flags: UInt16 = 0
        var method: UInt16?
        /// Overrides of what the central directory declares.
        var size: Int?
        var crc: UInt32?
        /// Sizes and CRC after the data (flag bit 3), zeros in the local header.
        var descriptor = false

        init(_ name: String, _ data: [UInt8], deflate: Bool = true) {
            self.name = name
            self.data = data
            self.deflate = deflate
        }

        init(_ name: String, _ text: String, deflate: Bool = true) {
            self.init(name, Array(text.utf8), deflate: deflate)
        }
    }

    /// Raw deflate (no zlib header), as ZIP stores it.
    static func deflate(_ b: [UInt8]) -> [UInt8] {
        var strm = z_stream()
        let rc = deflateInit2_(
            &strm, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK)
        defer { deflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&strm, uLong(b.count))) + 64)
        var src = b
        let n = src.withUnsafeMutableBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                strm.next_in = s.baseAddress
                strm.avail_in = uInt(s.count)
                strm.next_out = d.baseAddress
                strm.avail_out = uInt(d.count)
                precondition(CZlib.deflate(&strm, Z_FINISH) == Z_STREAM_END)
                return d.count - Int(strm.avail_out)
            }
        }
        return Array(out[0..<n])
    }

    static func crc(_ b: [UInt8]) -> UInt32 {
        UInt32(b.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(v >> (8 * $0) & 0xFF) } }

    /// The archive. `zip64`: sizes and offsets in ZIP64 extra fields, 0xFFFFFFFF in their place,
    /// and a ZIP64 end record with its locator. `comment`: the end record's comment.
    static func archive(_ entries: [Entry], zip64: Bool = false, comment: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for e in entries {
            let stored = e.deflate ? deflate(e.data) : e.data
            let method = e.method ?? (e.deflate ? 8 : 0)
            let flags = e.flags | (e.descriptor ? 0x0008 : 0) | 0x0800
            let crc = e.crc ?? crc(e.data)
            let size = e.size ?? e.data.count
            let name = Array(e.name.utf8)
            let offset = out.count
            var extra: [UInt8] = []
            if zip64 {
                extra = le16(1) + le16(24) + le64(UInt64(size)) + le64(UInt64(stored.count)) + le64(UInt64(offset))
            }
            let big: UInt32 = 0xFFFF_FFFF
            // Local header: zeros for CRC and sizes when a descriptor follows.
            out += le32(0x0403_4B50) + le16(20) + le16(Int(flags)) + le16(Int(method)) + le16(0) + le16(0)
            if e.descriptor {
                out += le32(0) + le32(0) + le32(0)
            } else if zip64 {
                out += le32(crc) + le32(big) + le32(big)
            } else {
                out += le32(crc) + le32(UInt32(stored.count)) + le32(UInt32(size))
            }
            let localExtra =
                zip64 && !e.descriptor ? le16(1) + le16(16) + le64(UInt64(size)) + le64(UInt64(stored.count)) : []
            out += le16(name.count) + le16(localExtra.count) + name + localExtra + stored
            if e.descriptor { out += le32(0x0807_4B50) + le32(crc) + le32(UInt32(stored.count)) + le32(UInt32(size)) }
            central += le32(0x0201_4B50) + le16(3 << 8 | 20) + le16(20) + le16(Int(flags)) + le16(Int(method))
            central += le16(0) + le16(0) + le32(crc)
            central +=
                zip64 ? le32(big) + le32(big) : le32(UInt32(stored.count)) + le32(UInt32(truncatingIfNeeded: size))
            central += le16(name.count) + le16(extra.count) + le16(0) + le16(0) + le16(0)
            central += le32(0o100644 << 16) + (zip64 ? le32(big) : le32(UInt32(offset))) + name + extra
        }
        let cdOffset = out.count
        out += central
        if zip64 {
            let z = out.count
            out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out += le64(UInt64(entries.count)) + le64(UInt64(entries.count))
            out += le64(UInt64(central.count)) + le64(UInt64(cdOffset))
            out += le32(0x0706_4B50) + le32(0) + le64(UInt64(z)) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF)
            out += le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            out += le32(UInt32(central.count)) + le32(UInt32(cdOffset))
        }
        return out + le16(comment.count) + comment
    }

    static func text(_ m: ZipArchive.Member, _ b: [UInt8]) throws -> String {
        String(decoding: try ZipArchive.contents(of: m, in: b, cap: 1 << 20), as: UTF8.self)
    }
}

/// ZIP archives read from memory: the central directory trusted, every size and offset checked,
/// members capped, damage reported with its offset.
struct ZipTests {
    static let text = String(repeating: "The harbour ferry sails at nine. ", count: 40)

    @Test func storedAndDeflatedMembersInWalkerOrder() throws {
        let b = TestZip.archive([
            .init("b/z.txt", "zzz", deflate: false),
            .init("b/", ""),
            .init("a.txt", ZipTests.text),
            .init("b/._z.txt", "resource fork"),
            .init("__MACOSX/b/._z.txt", "resource fork"),
            .init(".hidden/x.txt", "hidden"),
            .init("a/b.txt", "ab", deflate: false),
        ])
        #expect(ArticleFormat.detect(b) == .zip)
        let all = try ZipArchive.members(b)
        // Sorted as the walker walks: "a" (a directory) before "a.txt"; hidden members marked.
        #expect(
            all.map(\.path) == [".hidden/x.txt", "__MACOSX/b/._z.txt", "a/b.txt", "a.txt", "b/._z.txt", "b/z.txt"])
        let members = all.filter { !$0.isHidden }
        #expect(members.map(\.path) == ["a/b.txt", "a.txt", "b/z.txt"])
        #expect(members.map(\.method) == [0, 8, 0])
        #expect(try members.map { try TestZip.text($0, b) } == ["ab", ZipTests.text, "zzz"])
        // Deflated for real: the stored bytes are far fewer than the text.
        #expect(members[1].data.count < ZipTests.text.utf8.count / 4)
        // The loader reads the others only.
        let r = ArticleLoading.load(b, relativePath: "w.zip")
        #expect(r.articles.map(\.source) == ["w.zip/a/b.txt", "w.zip/a.txt", "w.zip/b/z.txt"])
    }

    @Test func dataDescriptorEntriesTakeTheirSizesFromTheCentralDirectory() throws {
        var e = TestZip.Entry("notes/ferry.txt", ZipTests.text)
        e.descriptor = true
        var s = TestZip.Entry("stored.txt", "stored with a descriptor", deflate: false)
        s.descriptor = true
        let b = TestZip.archive([e, s])
        // The local headers say 0 bytes.
        #expect(b[18..<26].allSatisfy { $0 == 0 })
        let members = try ZipArchive.members(b)
        #expect(members.map(\.path) == ["notes/ferry.txt", "stored.txt"])
        #expect(try members.map { try TestZip.text($0, b) } == [ZipTests.text, "stored with a descriptor"])
    }

    @Test func zip64SizesAndOffsetsAreRead() throws {
        let b = TestZip.archive([.init("one.txt", "first member"), .init("two.txt", ZipTests.text)], zip64: true)
        let members = try ZipArchive.members(b)
        #expect(members.map(\.path) == ["one.txt", "two.txt"])
        #expect(try members.map { try TestZip.text($0, b) } == ["first member", ZipTests.text])
        // A locator that points outside the archive is damage, not a crash.
        var bad = b
        let locator = bad.count - 22 - 20
        for k in 0..<8 { bad[locator + 8 + k] = 0x7F }
        #expect(throws: ZipArchive.Damaged.self) { try ZipArchive.members(bad) }
    }

    @Test func theEndRecordIsFoundBehindAComment() throws {
        // A comment holding a fake end record: the real one (whose comment ends the file) wins.
        let fake = TestZip.le32(0x0605_4B50) + [UInt8](repeating: 0, count: 18)
        let b = TestZip.archive([.init("x.txt", "x")], comment: Array("note ".utf8) + fake + Array(" end".utf8))
        #expect(try ZipArchive.members(b).map(\.path) == ["x.txt"])
        let long = TestZip.archive([.init("x.txt", "x")], comment: [UInt8](repeating: 0x41, count: 0xFFFF))
        #expect(try ZipArchive.members(long).map(\.path) == ["x.txt"])
    }

    @Test func truncatedAndGarbageArchivesThrowWithAnOffset() throws {
        let b = TestZip.archive([.init("a.txt", ZipTests.text), .init("b.txt", "bbb", deflate: false)])
        // Every truncation loses the end record (or the directory it points to).
        for n in [0, 4, 21, 30, b.count / 2, b.count - 23, b.count - 1] {
            #expect(throws: ZipArchive.Damaged.self) { try ZipArchive.members(Array(b.prefix(n))) }
        }
        do {
            _ = try ZipArchive.members(Array(b.prefix(b.count - 1)))
        } catch {
            #expect(error.reason.contains("end of central directory"))
            #expect(error.offset > 0)
        }
        #expect(throws: ZipArchive.Damaged.self) {
            try ZipArchive.members([0x50, 0x4B, 3, 4] + [UInt8](repeating: 0xEE, count: 300))
        }
        // Any one byte changed: an error or a member read within its caps, never a crash.
        for i in 0..<b.count {
            for v: UInt8 in [0x00, 0xFF, 0x7F] {
                var c = b
                c[i] = v
                guard let members = try? ZipArchive.members(c) else { continue }
                for m in members { _ = try? ZipArchive.contents(of: m, in: c, cap: 1 << 16) }
                _ = ArticleLoading.load(c, relativePath: "x.zip")
            }
        }
        // Through the loader: one error naming the offset, nothing indexed.
        let r = ArticleLoading.load(Array(b.prefix(b.count - 10)), relativePath: "c/cut.zip")
        #expect(r.rejected)
        #expect(r.diagnostics.first?.message.hasPrefix("damaged zip archive at byte ") == true, "\(r.diagnostics)")
    }

    @Test func membersSharingBytesAreDamage() {
        // Two central entries pointing at one local header: the smallest zip bombs do this.
        var b = TestZip.archive([.init("a.txt", "aaaa"), .init("b.txt", "bbbb")])
        let cd = b.count - 22 - (2 * (46 + 5))
        let second = cd + 46 + 5
        for k in 0..<4 { b[second + 42 + k] = 0 }
        #expect(throws: ZipArchive.Damaged.self) { try ZipArchive.members(b) }
    }

    @Test func declaredSizesThatLieAreErrors() throws {
        var small = TestZip.Entry("small.txt", ZipTests.text)
        small.size = 10
        var big = TestZip.Entry("big.txt", "short")
        big.size = 5000
        var stored = TestZip.Entry("stored.txt", "stored", deflate: false)
        stored.size = 3
        var crc = TestZip.Entry("crc.txt", "checked")
        crc.crc = 0xDEAD_BEEF
        let b = TestZip.archive([small, big, stored, crc])
        let members = try ZipArchive.members(b)
        var errors: [String: ZipArchive.ContentError] = [:]
        for m in members {
            #expect(throws: ZipArchive.ContentError.self) { try ZipArchive.contents(of: m, in: b, cap: 1 << 20) }
            do { _ = try ZipArchive.contents(of: m, in: b, cap: 1 << 20) } catch { errors[m.path] = error }
        }
        #expect(errors["small.txt"] == .damaged("inflates to more than the 10 bytes its entry says"))
        #expect(errors["big.txt"] == .damaged("inflates to 5 bytes, its entry says 5000"))
        #expect(errors["stored.txt"] == .damaged("stored member holds 6 bytes, its entry says 3"))
        #expect(errors["crc.txt"] == .damaged("CRC-32 mismatch"))
        // Through the loader, each is one member's error: the archive is not rejected.
        let r = ArticleLoading.load(b, relativePath: "c/lies.zip")
        #expect(!r.rejected)
        #expect(r.rejectedMembers == 4)
        #expect(r.diagnostics.contains { $0.path == "c/lies.zip/small.txt" && $0.message.contains("damaged member") })
    }

    /// A member that expands past the cap is refused: declared over it, before anything is
    /// inflated; a member that lies about its size stops as soon as it passes what it declared.
    @Test func zipBombsStopAtTheCap() throws {
        let zeros = [UInt8](repeating: 0, count: 17 << 20)
        let packed = TestZip.deflate(zeros)
        #expect(packed.count < 40_000)
        let honest = TestZip.Entry("bomb.txt", zeros)
        var liar = TestZip.Entry("liar.txt", zeros)
        liar.size = 1000
        var huge = TestZip.Entry("huge.txt", "tiny")
        huge.size = Int(UInt32.max) - 1
        let b = TestZip.archive([honest, liar, huge, .init("ok.txt", "A small note\n\nzqsmall text\n")])
        let members = try ZipArchive.members(b)
        let bomb = try #require(members.first { $0.path == "bomb.txt" })
        // 16 MB: the floor of Gzip's cap for a small compressed size.
        #expect(throws: ZipArchive.ContentError.overCap(16 << 20)) {
            try ZipArchive.contents(of: bomb, in: b, cap: Gzip.outputCap(compressedSize: bomb.data.count))
        }
        let r = ArticleLoading.load(b, relativePath: "c/bomb.zip")
        #expect(r.articles.map(\.title) == ["A small note"])
        #expect(
            r.diagnostics.contains { $0.path == "c/bomb.zip/bomb.txt" && $0.message.contains("expands beyond 16 MB") })
        #expect(r.diagnostics.contains { $0.path == "c/bomb.zip/huge.txt" && $0.message.contains("expands beyond") })
        #expect(
            r.diagnostics.contains {
                $0.path == "c/bomb.zip/liar.txt" && $0.message.contains("more than the 1000 bytes")
            })
        // The archive's total: once it is spent, the rest is not read.
        var zip = ZipArchive.Reader(b, members, totalCap: 10)
        let ok = try #require(members.first { $0.path == "ok.txt" })
        #expect(throws: ZipArchive.Reader.Failure.self) { try zip.read(ok) }
        do {
            _ = try zip.read(ok)
        } catch {
            #expect(error.exhausted)
        }
    }

    @Test func encryptedAndUnsupportedMembersAreSkippedWithAWarning() {
        var secret = TestZip.Entry("secret.txt", "password protected", deflate: false)
        secret.flags = 1
        var bz = TestZip.Entry("packed.txt", "bzip2 data", deflate: false)
        bz.method = 12
        let b = TestZip.archive([secret, bz, .init("open.txt", "Open note\n\nzqopen text\n")])
        let r = ArticleLoading.load(b, relativePath: "c/mixed.zip")
        #expect(!r.rejected)
        #expect(r.articles.map(\.source) == ["c/mixed.zip/open.txt"])
        #expect(r.diagnostics.contains { $0.path == "c/mixed.zip/secret.txt" && $0.message == "encrypted; skipped" })
        #expect(
            r.diagnostics.contains {
                $0.path == "c/mixed.zip/packed.txt" && $0.severity == .warning
                    && $0.message.contains("method 12 (bzip2)")
            })
    }

    @Test func pathsAreCleaned() throws {
        #expect(ZipArchive.clean("../../etc/passwd") == "etc/passwd")
        #expect(ZipArchive.clean("/abs/./x.txt") == "abs/x.txt")
        #expect(ZipArchive.clean("a/b/../../../c.txt") == "c.txt")
        #expect(ZipArchive.clean("win\\dir\\d.txt") == "win/dir/d.txt")
        let b = TestZip.archive([
            .init("../../up/evil.txt", "Evil\n\nzqevil\n"), .init("/root.txt", "Root\n\nzqroot\n"),
            .init("..", "dots"),
        ])
        #expect(try ZipArchive.members(b).map(\.path) == ["root.txt", "up/evil.txt"])
        let r = ArticleLoading.load(b, relativePath: "c/p.zip")
        #expect(r.articles.map(\.source) == ["c/p.zip/root.txt", "c/p.zip/up/evil.txt"])
    }

    @Test func namesNotFlaggedUTF8AreCodePage437() {
        #expect(ZipArchive.decodeName([0x63, 0x61, 0x66, 0x82, 0x2E, 0x74], utf8: false) == "café.t")
        #expect(ZipArchive.decodeName(Array("café".utf8)[...], utf8: false) == "café")
    }

    /// A zip of articles is read like a tar archive: each member a file named inside the archive.
    @Test func aPlainZipOfTextFiles() {
        let b = TestZip.archive([
            .init("y.txt", "Second note\n\nzqsecond text about the pier\n"),
            .init("x.txt", "First note\n\nzqfirst text about the quay\n", deflate: false),
        ])
        let r = ArticleLoading.load(b, relativePath: "a.zip")
        #expect(r.isArchive && !r.rejected)
        #expect(r.articles.map(\.source) == ["a.zip/x.txt", "a.zip/y.txt"])
        #expect(r.articles.map(\.id) == ["a.zip/x.txt", "a.zip/y.txt"])
        #expect(r.articles.map(\.title) == ["First note", "Second note"])
        // Only the signatures make a zip: a text that opens with "PK" stays text.
        #expect(ArticleFormat.detect(Array("PK\u{3} not an archive\n".utf8)) == .text)
        #expect(ArticleFormat.detect(Array("PK-12 pier keys\n".utf8)) == .text)
        let empty = ArticleLoading.load(TestZip.archive([]), relativePath: "e.zip")
        #expect(ArticleFormat.detect(TestZip.archive([])) == .zip)
        #expect(!empty.rejected && empty.articles.isEmpty)
        #expect(empty.diagnostics.map(\.message) == ["zip archive with no regular files"])
    }

    /// An archive inside an archive is not opened, a zip in a tar or a tar in a zip alike.
    @Test func archivesInsideArchivesAreSkipped() {
        let inner = TestZip.archive([.init("x.txt", "Inner\n\nzqinner\n")])
        let tar = TarTests.archive([TarTests.entry("t.txt", Array("Tar\n\nzqtar\n".utf8))])
        let outer = TestZip.archive([
            .init("inner.zip", inner), .init("inner.tar", tar), .init("ok.txt", "Ok\n\nzqok\n"),
        ])
        let r = ArticleLoading.load(outer, relativePath: "o.zip")
        #expect(r.articles.map(\.source) == ["o.zip/ok.txt"])
        #expect(
            r.diagnostics.filter { $0.message.contains("archive inside an archive") }.map(\.path) == [
                "o.zip/inner.tar", "o.zip/inner.zip",
            ])
        let t = ArticleLoading.load(TarTests.archive([TarTests.entry("in.zip", inner)]), relativePath: "o.tar")
        #expect(t.articles.isEmpty)
        #expect(
            t.diagnostics.contains { $0.path == "o.tar/in.zip" && $0.message.contains("archive inside an archive") })
    }
}
