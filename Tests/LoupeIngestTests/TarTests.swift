import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Tar archives read from memory: members in the walker's order, headers checked.
struct TarTests {
    /// One ustar header block (and its data, padded) for `name`.
    static func entry(_ name: String, _ data: [UInt8], type: UInt8 = UInt8(ascii: "0"), prefix: String = "") -> [UInt8]
    {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, at: Int, max: Int) {
            for (k, b) in s.utf8.prefix(max).enumerated() { h[at + k] = b }
        }
        put(name, at: 0, max: 100)
        put("0000644", at: 100, max: 8)
        put(String(data.count, radix: 8).leftPadded(11), at: 124, max: 12)
        put("00000000000", at: 136, max: 12)
        h[156] = type
        put("ustar", at: 257, max: 6)
        put("00", at: 263, max: 2)
        put(prefix, at: 345, max: 155)
        for k in 148..<156 { h[k] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(6), at: 148, max: 6)
        h[154] = 0
        return h + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    static func archive(_ entries: [[UInt8]]) -> [UInt8] {
        entries.flatMap { $0 } + [UInt8](repeating: 0, count: 1024)
    }

    @Test func membersInWalkerOrderWithLongNamesAndPax() throws {
        let long = String(repeating: "d", count: 120) + "/x.txt"
        let pax = Array("30 path=pax/renamed-member.txt\n".utf8)
        let bytes = TarTests.archive([
            TarTests.entry("b/z.txt", Array("zzz".utf8)),
            TarTests.entry("b/", [], type: UInt8(ascii: "5")),
            TarTests.entry("a.txt", Array("aaa".utf8)),
            TarTests.entry("b/._z.txt", Array("resource".utf8)),
            TarTests.entry("././@LongLink", Array(long.utf8) + [0], type: UInt8(ascii: "L")),
            TarTests.entry("truncated-name", Array("long".utf8)),
            TarTests.entry("PaxHeader", pax, type: UInt8(ascii: "x")),
            TarTests.entry("short", Array("pax".utf8)),
            TarTests.entry("c.txt", Array("ccc".utf8), prefix: "pre/fix"),
            TarTests.entry("link", [], type: UInt8(ascii: "2")),
            TarTests.entry("a/b.txt", Array("ab".utf8)),
        ])
        let members = try TarArchive.members(bytes)
        // Sorted as the walker walks: "a" (a directory) before "a.txt", hidden `._z.txt` skipped.
        #expect(
            members.map(\.path) == ["a/b.txt", "a.txt", "b/z.txt", long, "pax/renamed-member.txt", "pre/fix/c.txt"])
        #expect(
            members.map { String(decoding: bytes[$0.data], as: UTF8.self) } == [
                "ab", "aaa", "zzz", "long", "pax", "ccc",
            ])
    }

    /// `..` parts are resolved inside the archive (they used to make the member a hidden one,
    /// silently skipped), `.` parts and leading slashes dropped.
    @Test func dotDotPartsStayInsideTheArchive() throws {
        let bytes = TarTests.archive([
            TarTests.entry("x/../y.txt", Array("y".utf8)),
            TarTests.entry("../../z.txt", Array("z".utf8)),
            TarTests.entry("/abs/./w.txt", Array("w".utf8)),
        ])
        #expect(try TarArchive.members(bytes).map(\.path) == ["abs/w.txt", "y.txt", "z.txt"])
    }

    @Test func damagedHeadersAndTruncatedMembersAreErrors() {
        var bad = TarTests.archive([TarTests.entry("a.txt", Array("aaa".utf8))])
        bad[10] ^= 0x01  // the name changes, the stored checksum does not
        #expect(throws: TarArchive.Damaged.self) { try TarArchive.members(bad) }
        let whole = TarTests.entry("a.txt", [UInt8](repeating: 0x61, count: 2000))
        #expect(throws: TarArchive.Damaged.self) { try TarArchive.members(Array(whole.prefix(1024))) }
    }

    /// An archive's members are read as files: a feed and a text file give their articles, a
    /// broken member is reported and skipped while the others stay, an archive inside is not
    /// opened.
    @Test func archiveMembersAreLoadedAsFiles() {
        let feed = "<rss version=\"2.0\"><channel><item><guid>t1</guid><title>Tar feed</title></item></channel></rss>"
        let bytes = TarTests.archive([
            TarTests.entry("feeds/a.xml", Array(feed.utf8)),
            TarTests.entry("text/note.txt", Array("A note\n\nzqtarnote body text\n".utf8)),
            TarTests.entry("broken.xml", Array("<rss><channel><item>".utf8)),
            TarTests.entry("inner.tar", TarTests.archive([TarTests.entry("x.txt", Array("x".utf8))])),
        ])
        let r = ArticleLoading.load(bytes, relativePath: "c/all.tar")
        #expect(!r.rejected)
        #expect(r.articles.map(\.title) == ["Tar feed", "A note"])
        #expect(r.articles.map(\.source) == ["c/all.tar/feeds/a.xml", "c/all.tar/text/note.txt"])
        #expect(r.rejectedMembers == 1)
        #expect(r.diagnostics.contains { $0.path == "c/all.tar/broken.xml" && $0.severity == .error })
        #expect(r.diagnostics.contains { $0.path == "c/all.tar/inner.tar" && $0.message.contains("archive inside") })
        var damaged = bytes
        damaged[5] ^= 0x01
        #expect(ArticleLoading.load(damaged, relativePath: "d.tar").rejected)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
