import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Outlook `.msg` files, written here as compound files of property streams.
struct OutlookMessageTests {
    static func utf16(_ s: String) -> [UInt8] { Array(s.utf16).flatMap { TestDoc.le16(Int($0)) } }

    /// A fixed-length property entry: tag, flags, 8 bytes of value.
    static func fixed(_ id: Int, _ type: Int, _ value: UInt64) -> [UInt8] {
        TestDoc.le32(id << 16 | type) + TestDoc.le32(0) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// FILETIME of a Unix time.
    static func filetime(_ unix: Int) -> UInt64 { UInt64(unix + 11_644_473_600) * 10_000_000 }

    static func message(body: Bool = true, html: Bool = false, withDate: Bool = true) -> [UInt8] {
        var streams: [(String, [UInt8])] = [
            ("__substg1.0_0037001F", utf16("Winter timetable for the island ferry")),
            ("__substg1.0_0C1A001F", utf16("Ada Brennan")),
            ("__substg1.0_1035001F", utf16("<winter-msg@ferries.example.org>")),
        ]
        if body { streams.append(("__substg1.0_1000001F", utf16("From Monday the first sailing leaves at 7:10.\r\n"))) }
        if html {
            streams.append(
                (
                    "__substg1.0_10130102",
                    Array("<html><body><p>Sailings <b>resume</b> on Monday.</p></body></html>".utf8)
                ))
        }
        var props = [UInt8](repeating: 0, count: 32)
        if withDate { props += fixed(0x0039, 0x0040, filetime(1_194_860_700)) }
        streams.append(("__properties_version1.0", props))
        // A text file and an image attached.
        let a0 = "__attach_version1.0_#00000000/"
        streams += [
            (a0 + "__substg1.0_37010102", Array("Timetable\n\nThe zqmsgattach sailing leaves at 7:10.\n".utf8)),
            (a0 + "__substg1.0_3707001F", utf16("timetable.txt")),
            (a0 + "__substg1.0_370E001F", utf16("text/plain")),
            (a0 + "__properties_version1.0", [UInt8](repeating: 0, count: 8) + fixed(0x3705, 0x0003, 1)),
        ]
        let a1 = "__attach_version1.0_#00000001/"
        streams += [
            (a1 + "__substg1.0_37010102", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            (a1 + "__substg1.0_3707001F", utf16("logo.png")),
            (a1 + "__substg1.0_370E001F", utf16("image/png")),
        ]
        return TestDoc.cfb(streams).bytes
    }

    /// Subject, body, sender, sending date and Message-ID; the attached text file is an article
    /// of its own named inside the message, the image is counted in a note.
    @Test func messageAndAttachments() throws {
        let r = ArticleLoading.load(Self.message(), relativePath: "mail/winter.msg")
        #expect(!r.rejected, "\(r.diagnostics)")
        let a = try #require(r.articles.first)
        #expect(a.title == "Winter timetable for the island ferry")
        #expect(a.body == "From Monday the first sailing leaves at 7:10.")
        #expect(a.authors == ["Ada Brennan"])
        #expect(a.date == "2007-11-12T09:45:00Z")
        #expect(a.id == "winter-msg@ferries.example.org")
        #expect(r.articles.count == 2)
        let t = try #require(r.articles.last)
        #expect(t.source == "mail/winter.msg/attachments/timetable.txt")
        #expect(t.body.contains("zqmsgattach") && t.authors == ["Ada Brennan"])
        #expect(r.diagnostics.contains { $0.message == "1 attachment not read (1 image)" }, "\(r.diagnostics)")
    }

    /// Without a plain-text body the HTML body is read; without a date property, none.
    @Test func htmlBodyAndNoDate() throws {
        let r = ArticleLoading.load(Self.message(body: false, html: true, withDate: false), relativePath: "m.msg")
        let a = try #require(r.articles.first)
        #expect(a.body == "Sailings resume on Monday.", "\(a.body)")
        #expect(a.date == nil)
    }

    enum Token {
        case literal(UInt8)
        case reference(offset: Int, length: Int)
    }

    /// Compressed RTF of `tokens`, ended by a reference to the write position.
    static func lzfu(_ tokens: [Token], rawSize: Int) -> [UInt8] {
        var w = CompressedRTF.prefix.count
        var data: [UInt8] = []
        let all = tokens + [.reference(offset: -1, length: 2)]
        for start in stride(from: 0, to: all.count, by: 8) {
            var control: UInt8 = 0
            var group: [UInt8] = []
            for (bit, t) in all[start..<min(all.count, start + 8)].enumerated() {
                switch t {
                case .literal(let c):
                    group.append(c)
                    w = (w + 1) & 4095
                case .reference(let offset, let length):
                    control |= 1 << bit
                    let o = offset < 0 ? w : offset
                    let v = o << 4 | (length - 2)
                    group += [UInt8(v >> 8), UInt8(v & 0xFF)]
                    if offset >= 0 { w = (w + length) & 4095 }
                }
            }
            data += [control] + group
        }
        return TestDoc.le32(data.count + 12) + TestDoc.le32(rawSize) + Array("LZFu".utf8) + TestDoc.le32(0) + data
    }

    /// [MS-OXRTFCP]: the dictionary's prefix (207 bytes), literals, references into the prefix
    /// and into text just written (overlapping), the end marker, stored (`MELA`) data.
    @Test func compressedRTF() {
        #expect(CompressedRTF.prefix.count == 207)
        let text = Array("{\\rtf1 ab".utf8)
        let packed = Self.lzfu(
            [.reference(offset: 0, length: 11)] + text.dropFirst(6).map { .literal($0) }
                + [.reference(offset: 207 + 11 + 1, length: 5)], rawSize: 100)
        #expect(String(decoding: CompressedRTF.decompress(packed) ?? [], as: UTF8.self) == "{\\rtf1\\ansi abababa")
        let stored =
            TestDoc.le32(20) + TestDoc.le32(8) + Array("MELA".utf8) + TestDoc.le32(0) + Array("{\\rtf1 x}".utf8)
        #expect(CompressedRTF.decompress(stored) == Array("{\\rtf1 x".utf8))
        #expect(CompressedRTF.decompress(Array("short".utf8)) == nil)
    }

    /// A message whose only body is compressed RTF (Outlook's RTF mail) is read.
    @Test func rtfOnlyMessage() throws {
        let rtf = Array("{\\rtf1\\ansi\\deff0 Hello from the \\b quay\\b0  office.\\par}".utf8)
        let streams: [(String, [UInt8])] = [
            ("__substg1.0_0037001F", Self.utf16("Quay office")),
            ("__substg1.0_10090102", Self.lzfu(rtf.map { .literal($0) }, rawSize: rtf.count)),
            ("__properties_version1.0", [UInt8](repeating: 0, count: 32)),
        ]
        let r = ArticleLoading.load(TestDoc.cfb(streams).bytes, relativePath: "m/quay.msg")
        let a = try #require(r.articles.first)
        #expect(a.title == "Quay office")
        #expect(a.body.contains("Hello from the quay office."), "\(a.body) \(r.diagnostics)")
    }

    /// A message forwarded as an attachment (a storage of its own, properties after a 24-byte
    /// header) is read as a message: its own subject, body, sender and date, named inside the
    /// outer message; an unnamed one is `message.msg`.
    @Test func attachedMessages() throws {
        func inner(_ at: String, _ subject: String, _ sender: String, date: Int?) -> [(String, [UInt8])] {
            let m = at + "__substg1.0_3701000D/"
            var props = [UInt8](repeating: 0, count: 24)
            if let date { props += Self.fixed(0x0039, 0x0040, Self.filetime(date)) }
            return [
                (m + "__substg1.0_0037001F", Self.utf16(subject)),
                (m + "__substg1.0_1000001F", Self.utf16("Forwarded zqforwarded text about \(subject).")),
                (m + "__substg1.0_0C1A001F", Self.utf16(sender)),
                (m + "__properties_version1.0", props),
                (at + "__properties_version1.0", [UInt8](repeating: 0, count: 8) + Self.fixed(0x3705, 0x0003, 5)),
            ]
        }
        var streams: [(String, [UInt8])] = [
            ("__substg1.0_0037001F", Self.utf16("FW: two notes from the quay")),
            ("__substg1.0_1000001F", Self.utf16("See the two attached.")),
            (
                "__properties_version1.0",
                [UInt8](repeating: 0, count: 32) + Self.fixed(0x0039, 0x0040, Self.filetime(1_194_860_700))
            ),
        ]
        let a0 = "__attach_version1.0_#00000000/"
        streams += [(a0 + "__substg1.0_3707001F", Self.utf16("Quay lights"))]
        streams += inner(a0, "Quay lights", "Ann Lee", date: 1_194_774_300)
        streams += inner("__attach_version1.0_#00000001/", "Buoys", "Bo Chan", date: nil)
        let r = ArticleLoading.load(TestDoc.cfb(streams).bytes, relativePath: "mail/fw.msg")
        #expect(r.articles.map(\.title) == ["FW: two notes from the quay", "Quay lights", "Buoys"], "\(r.diagnostics)")
        guard r.articles.count == 3 else { return }
        #expect(r.articles[1].source == "mail/fw.msg/attachments/Quay lights.msg")
        #expect(r.articles[1].authors == ["Ann Lee"] && r.articles[1].date == "2007-11-11T09:45:00Z")
        #expect(r.articles[1].body.contains("zqforwarded"))
        // No date of its own: the outer message's.
        #expect(r.articles[2].source == "mail/fw.msg/attachments/message.msg")
        #expect(r.articles[2].date == "2007-11-12T09:45:00Z")
    }

    /// Another compound file (no WordDocument, no message properties) is still skipped by name.
    @Test func otherCompoundFilesAreNotMessages() {
        let r = ArticleLoading.load(TestDoc.cfb([("Workbook", [1, 2, 3])]).bytes, relativePath: "b.xls")
        #expect(r.articles.isEmpty)
        #expect(r.diagnostics.contains { $0.message.hasPrefix("Excel workbook") })
    }
}
