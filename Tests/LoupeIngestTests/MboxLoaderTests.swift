import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct MboxLoaderTests {
    /// A pipermail-style archive: obfuscated addresses, a quoted reply, an escaped `>From `, a
    /// body line `From here on` after a blank line, a message without a Date header.
    static let sample = """
        From jane at example.org  Tue Oct  2 08:14:09 2007
        From: jane at example.org (Jane Doe)
        Date: Tue, 02 Oct 2007 09:14:09 +0100
        Subject: [list] Winter timetable
        Message-ID: <one@example.org>

        The winter timetable starts on Monday.

        From here on the last crossing leaves at six.

        From john at example.net  Wed Oct  3 17:02:51 2007
        From: john at example.net (John Roe)
        Date: Wed, 03 Oct 2007 19:02:51 +0200
        Subject: Re: [list] Winter timetable
        In-Reply-To: <one@example.org>
        Message-ID: <two@example.net>

        Jane Doe wrote:
        > The winter timetable starts on Monday.

        >From the minutes: the traders were to be asked first.
        >>From a footnote.

        From jane at example.org  Tue Oct 16 12:30:00 2007
        From: jane at example.org (Jane Doe)
        Subject: [list] Mooring fees
        Message-ID: <three@example.org>

        The windlass fees are published at the end of the month.

        """

    func load(_ s: String, _ path: String = "lists/harbour/2007-October.txt") -> LoadResult {
        ArticleLoading.load(Array(s.utf8), relativePath: path)
    }

    /// `bytes` through `MboxLoader.stream` from a pipe, read `blockSize` bytes at a time.
    static func streamed(_ bytes: [UInt8], _ path: String, blockSize: Int, maxMessageBytes: Int = 64 << 20)
        -> LoadResult
    {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let out = fds[1]
        // Write from another thread: the pipe holds 64 KB.
        let writer = Thread {
            bytes.withUnsafeBytes { p in
                var off = 0
                while off < p.count {
                    let n = write(out, p.baseAddress! + off, p.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(out)
        }
        writer.start()
        var articles: [Article] = []
        let d = MboxLoader(maxMessageBytes: maxMessageBytes).stream(
            fd: fds[0], relativePath: path, blockSize: blockSize
        ) { articles.append($0) }
        close(fds[0])
        return LoadResult(articles: articles, diagnostics: d)
    }

    @Test func detectsMboxButNotTextStartingWithFrom() {
        #expect(ArticleFormat.detect(Array(Self.sample.utf8)) == .mbox)
        #expect(ArticleFormat.detect([0xEF, 0xBB, 0xBF] + Array(Self.sample.utf8)) == .mbox)
        let gmail = """
            From 1576843543866535387@xxx Fri Dec 20 12:34:56 +0000 2019
            X-GM-THRID: 1576843543866535387
            X-Gmail-Labels: Inbox,Opened
            From: Jane Doe <jane@example.org>
            Subject: Tickets

            Two tickets for the ferry.
            """
        #expect(ArticleFormat.detect(Array(gmail.utf8)) == .mbox)
        #expect(
            ArticleFormat.detect(
                Array("From MAILER-DAEMON Mon Jul  2 10:00:00 2007\nFrom: a@b.example\nSubject: s\n\nx\n".utf8))
                == .mbox)
        // A letter that starts with "From": text.
        let letter = "From the desk of Jane Smith\n\nDear all,\nThe ferry runs on Sunday.\n"
        #expect(ArticleFormat.detect(Array(letter.utf8)) == .text)
        #expect(load(letter, "notes/letter.txt").articles.count == 1)
        #expect(load(letter, "notes/letter.txt").articles.first?.title == "From the desk of Jane Smith")
        // A dated From line not followed by headers: text too.
        #expect(ArticleFormat.detect(Array("From Jim Mon Jul  2 10:00:00 2007\nHello there.\n".utf8)) == .text)
        // One message per file stays mail.
        #expect(ArticleFormat.detect(Array("From: a@b.example\nSubject: s\n\nx\n".utf8)) == .mail)
    }

    @Test func separatorLines() {
        func sep(_ s: String) -> Bool {
            Array(s.utf8).withUnsafeBufferPointer { MboxLoader.fromLine($0, 0, $0.count) != nil }
        }
        #expect(sep("From jane@example.org Mon Jul  2 10:00:00 2007"))
        #expect(sep("From jane at example.org  Mon Jul  2 10:00:00 2007"))
        #expect(sep("From MAILER-DAEMON Mon Jul 2 10:00 2007"))
        #expect(sep("From - Mon Jul  2 10:00:00 2007"))  // Thunderbird
        #expect(sep("From 1576843543866535387@xxx Fri Dec 20 12:34:56 +0000 2019"))
        #expect(sep("From jane@example.org Mon, 2 Jul 2007 10:00:00 +0000"))
        #expect(sep("From jane@example.org Mon Jul  2 10:00:00 2007\r"))
        #expect(!sep("From the desk of Jane Smith"))
        #expect(!sep("From here on the last crossing leaves at six."))
        #expect(!sep("From 10:30 to 12:00 in 2007 we met on the pier"))
        #expect(!sep("From Jane Mon Jul 2 10:00:00 2007 was a good day"))
        #expect(!sep("From jane@example.org"))
        #expect(!sep("From: jane@example.org Mon Jul  2 10:00:00 2007"))
        let d = Array("From x Tue Oct  2 08:14:09 2007".utf8).withUnsafeBufferPointer {
            MboxLoader.fromLine($0, 0, $0.count)?.iso
        }
        #expect(d == "2007-10-02T08:14:09Z")
        let z = Array("From x Fri Dec 20 12:34:56 -0500 2019".utf8).withUnsafeBufferPointer {
            MboxLoader.fromLine($0, 0, $0.count)?.iso
        }
        #expect(z == "2019-12-20T17:34:56Z")
    }

    @Test func splitsAtDatedFromLinesAfterABlankLine() {
        let r = load(Self.sample)
        #expect(!r.rejected)
        #expect(r.diagnostics.isEmpty)
        #expect(
            r.articles.map(\.title) == [
                "[list] Winter timetable", "Re: [list] Winter timetable", "[list] Mooring fees",
            ])
        #expect(r.articles.map(\.position) == [0, 1, 2])
        #expect(
            r.articles[0].body
                == "The winter timetable starts on Monday.\n\nFrom here on the last crossing leaves at six.")
        // A dated From line right after a body line (no blank line before) does not split.
        let glued = """
            From a@example.org Mon Jul  2 10:00:00 2007
            From: a@example.org
            Subject: one

            body line
            From b@example.org Mon Jul  2 11:00:00 2007
            still the first message

            From c@example.org Mon Jul  2 12:00:00 2007
            From: c@example.org
            Subject: two

            second
            """
        let g = load(glued)
        #expect(g.articles.map(\.title) == ["one", "two"])
        #expect(
            g.articles.first?.body == "body line\nFrom b@example.org Mon Jul  2 11:00:00 2007\nstill the first message")
    }

    @Test func unescapesMboxrdQuoting() {
        let r = load(Self.sample)
        #expect(
            r.articles[1].body
                == "Jane Doe wrote:\n> The winter timetable starts on Monday.\n\nFrom the minutes: the traders were to be asked first.\n>From a footnote."
        )
        let b = Array(">From a\n>>>From b\n>Fromage\n> From c\n>From".utf8)
        let u = b.withUnsafeBufferPointer { MboxLoader.unescaped($0, 0..<$0.count) }
        #expect(String(decoding: u, as: UTF8.self) == "From a\n>>From b\n>Fromage\n> From c\n>From")
    }

    @Test func idsAndDuplicateMessageIDs() {
        let s = """
            From a@example.org Mon Jul  2 10:00:00 2007
            From: a@example.org
            Subject: kept in Inbox
            Message-ID: <same@example.org>

            first copy

            From a@example.org Mon Jul  2 10:00:00 2007
            From: b@example.org
            Subject: no id

            no message id here

            From a@example.org Mon Jul  2 10:00:00 2007
            From: a@example.org
            Subject: kept in Archive
            Message-ID: <same@example.org>

            second copy
            """
        let r = load(s, "mail/takeout/All mail.mbox")
        #expect(r.articles.map(\.id) == ["same@example.org", "mail/takeout/All mail.mbox#1", "same@example.org"])
        #expect(r.articles.map(\.idScope) == [nil, "mail/takeout", nil])
        // The same identity: the index keeps the later copy (see the end-to-end test).
        #expect(r.articles[0].identity == r.articles[2].identity)
        #expect(r.articles.map(\.source) == Array(repeating: "mail/takeout/All mail.mbox", count: 3))
    }

    @Test func titlesAuthorsAndDates() {
        let r = load(Self.sample)
        #expect(r.articles.map(\.authors) == [["Jane Doe"], ["John Roe"], ["Jane Doe"]])
        #expect(r.articles[0].date == "2007-10-02T08:14:09Z")
        #expect(r.articles[1].date == "2007-10-03T17:02:51Z")
        // No Date header: the From line's date.
        #expect(r.articles[2].date == "2007-10-16T12:30:00Z")
        let encoded = load(
            """
            From x@example.org Fri Dec 20 12:34:56 +0100 2019
            From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jm@example.org>
            Subject: =?ISO-8859-1?Q?F=E4hre?=

            Text.
            """)
        #expect(encoded.articles.first?.title == "F\u{E4}hre")
        #expect(encoded.articles.first?.authors == ["J\u{F6}rg M\u{FC}ller"])
        #expect(encoded.articles.first?.date == "2019-12-20T11:34:56Z")
    }

    @Test func pipermailAtAddressesGiveNames() {
        #expect(MboxLoader.deobfuscated("jane at example.com (Jane Doe)") == "jane@example.com (Jane Doe)")
        #expect(MboxLoader.deobfuscated("jane@example.com (Jane Doe)") == nil)
        #expect(MboxLoader.deobfuscated("Jane at home") == nil)
        let r = load(
            """
            From jane at example.com  Mon Jul  2 10:00:00 2007
            From: jane at example.com (Jane Doe)
            Subject: a

            x

            From bob at example.com  Mon Jul  2 10:00:00 2007
            From: bob at example.com
            Subject: b

            y
            """)
        #expect(r.articles.map(\.authors) == [["Jane Doe"], ["bob@example.com"]])
    }

    @Test func gmailLabelsAndListIdBecomeCategories() {
        let r = load(
            """
            From 1576843543866535387@xxx Fri Dec 20 12:34:56 +0000 2019
            X-GM-THRID: 1576843543866535387
            X-Gmail-Labels: Inbox,Important,Opened,Category Updates,"Ferry, timetables",Harbour,Unread,Archived
            From: Jane Doe <jane@example.org>
            Subject: Tickets
            List-Id: Harbour users <harbour-users.lists.example.org>
            Newsgroups: local.harbour

            Two tickets.
            """)
        #expect(
            r.articles.first?.categories == [
                "local.harbour", "Inbox", "Ferry, timetables", "Harbour", "harbour-users.lists.example.org",
            ])
        #expect(MboxLoader.listID("<bare.lists.example.org>") == "bare.lists.example.org")
        #expect(MboxLoader.listID("just a description") == nil)
    }

    @Test func badMessageSkippedWithWarningAndLine() {
        let s = """
            From a@example.org Mon Jul  2 10:00:00 2007
            From: a@example.org
            Subject: one

            first

            From b@example.org Mon Jul  2 11:00:00 2007
            this message lost its headers
            and has only text

            From c@example.org Mon Jul  2 12:00:00 2007
            From: c@example.org
            Subject: three

            third
            """
        let r = load(s, "a.mbox")
        #expect(!r.rejected)
        #expect(r.articles.map(\.title) == ["one", "three"])
        #expect(r.articles.map(\.position) == [0, 2])
        #expect(r.diagnostics.map(\.description) == ["a.mbox:7: warning: message 2 has no header block; skipped"])
    }

    @Test func emptyMailboxes() {
        #expect(
            MboxLoader().load([], relativePath: "e.mbox").diagnostics.map(\.description) == [
                "e.mbox: note: mailbox with no messages"
            ])
        let r = MboxLoader().load(Array("From a@example.org Mon Jul  2 10:00:00 2007\n\n".utf8), relativePath: "e.mbox")
        #expect(r.articles.isEmpty && !r.rejected)
        #expect(r.diagnostics.map(\.description) == ["e.mbox:1: note: message 1 is empty"])
    }

    @Test func gzipMboxThroughArticleLoading() throws {
        let gz = try GzipTests.gzip(Array(Self.sample.utf8))
        #expect(Gzip.hasMagic(gz))
        let r = ArticleLoading.load(gz, relativePath: "lists/2007-October.txt.gz")
        #expect(r.articles.map(\.id) == ["one@example.org", "two@example.net", "three@example.org"])
        #expect(r.articles == load(Self.sample, "lists/2007-October.txt.gz").articles)
    }

    @Test func crlfLineEndings() {
        let crlf = Self.sample.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(ArticleFormat.detect(Array(crlf.utf8)) == .mbox)
        let r = load(crlf)
        let plain = load(Self.sample)
        #expect(r.articles.count == 3)
        #expect(r.articles == plain.articles)
    }

    /// The streaming reader, in blocks of any size (and through `ArticleLoading.stream` with a
    /// small threshold), gives what the whole-file reader gives.
    @Test func streamedMboxMatchesWholeLoad() throws {
        let big =
            (0..<40).map { i in
                """
                From user\(i)@example.org Mon Jul  2 10:\(10 + i):00 2007
                From: User \(i) <user\(i)@example.org>
                Subject: Message \(i)
                \(i % 7 == 3 ? "" : "Message-ID: <m\(i)@example.org>\n")
                Body of message \(i).
                >From an escaped line.

                From here on, text.
                """
            }.joined(separator: "\n\n") + "\n"
        let bytes = Array(big.utf8)
        let whole = MboxLoader().load(bytes, relativePath: "big.mbox")
        #expect(whole.articles.count == 40)
        for size in [1, 2, 5, 7, 64, 1000, 1 << 20] {
            let s = Self.streamed(bytes, "big.mbox", blockSize: size)
            #expect(s.articles == whole.articles, "block size \(size)")
            #expect(s.diagnostics == whole.diagnostics, "block size \(size)")
        }
        // Through ArticleLoading.stream, as the indexer calls it.
        let dir = TestScratch.url("mbox-stream")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileIO.write(bytes, to: dir.appendingPathComponent("big.mbox").path)
        let files = CorpusWalker(root: dir.path).walk { _ in }
        #expect(files.count == 1)
        var got: [Article] = []
        let d = ArticleLoading.stream(files[0], threshold: 1000) { got.append($0) }
        #expect(d != nil)
        #expect(got == ArticleLoading.load(files[0]).articles)
        #expect(got.count == 40)
        #expect(ArticleLoading.stream(files[0], threshold: 1 << 30) { _ in } == nil)
    }

    @Test func oversizedMessageSkipped() {
        let s = """
            From a@example.org Mon Jul  2 10:00:00 2007
            From: a@example.org
            Subject: one

            first

            From b@example.org Mon Jul  2 11:00:00 2007
            From: b@example.org
            Subject: two

            \(String(repeating: "a long line of text\n", count: 50))
            From c@example.org Mon Jul  2 12:00:00 2007
            From: c@example.org
            Subject: three

            third
            """
        let bytes = Array(s.utf8)
        let whole = MboxLoader(maxMessageBytes: 300).load(bytes, relativePath: "o.mbox")
        #expect(whole.articles.map(\.title) == ["one", "three"])
        #expect(whole.articles.map(\.position) == [0, 2])
        #expect(
            whole.diagnostics.map(\.description) == ["o.mbox:7: warning: message 2 is larger than 300 bytes; skipped"])
        for size in Array(1...64) + [100, 301, 4096] {
            let st = Self.streamed(bytes, "o.mbox", blockSize: size, maxMessageBytes: 300)
            #expect(st.articles == whole.articles, "block size \(size)")
            #expect(st.diagnostics == whole.diagnostics, "block size \(size)")
        }
        #expect(MboxLoader().load(bytes, relativePath: "o.mbox").articles.count == 3)
        // A cap just under the message's size: the stream sees the message over it while the
        // next separator is still arriving, and must not lose it.
        let b2 = s.utf8.firstRange(of: "From b@".utf8)!.lowerBound
        let c3 = s.utf8.firstRange(of: "From c@".utf8)!.lowerBound
        let cap = s.utf8.distance(from: b2, to: c3) - 2
        let tight = MboxLoader(maxMessageBytes: cap).load(bytes, relativePath: "o.mbox")
        #expect(tight.articles.map(\.title) == ["one", "three"])
        for size in Array(1...64) + [cap, cap + 1] {
            let st = Self.streamed(bytes, "o.mbox", blockSize: size, maxMessageBytes: cap)
            #expect(st.articles == tight.articles, "block size \(size)")
            #expect(st.diagnostics == tight.diagnostics, "block size \(size)")
        }
    }

    /// A Takeout-style message with a 10 MB base64 attachment: read quickly, attachment left out.
    @Test func bigBase64AttachmentIsNotIndexed() {
        let chunk = Data((0..<57).map { UInt8(truncatingIfNeeded: $0 &* 37) }).base64EncodedString()
        let attachment = String(repeating: chunk + "\n", count: (10 << 20) / 77)
        let s = """
            From 1@xxx Fri Dec 20 12:34:56 +0000 2019
            From: Jane Doe <jane@example.org>
            Subject: Photos of the pier
            Message-ID: <photos@example.org>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8

            The photos of the pier are attached.
            --b1
            Content-Type: image/jpeg; name="pier.jpg"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="pier.jpg"

            \(attachment)
            --b1--

            From 2@xxx Fri Dec 20 12:40:00 +0000 2019
            From: Jane Doe <jane@example.org>
            Subject: Second

            After the photos.
            """
        let bytes = Array(s.utf8)
        #expect(bytes.count > 10 << 20)
        let clock = ContinuousClock.now
        let r = MboxLoader().load(bytes, relativePath: "takeout.mbox")
        let elapsed = ContinuousClock.now - clock
        #expect(r.articles.map(\.title) == ["Photos of the pier", "Second"])
        #expect(r.articles.first?.body == "The photos of the pier are attached.")
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }

    /// Cut at every byte, bytes replaced by ones that matter to mbox: every load returns, and
    /// the streaming reader agrees with the whole-file reader.
    @Test func hostileInput() {
        let s = Array(Self.sample.utf8)
        for n in 0...s.count {
            let cut = Array(s[0..<n])
            let r = MboxLoader().load(cut, relativePath: "cut.mbox")
            #expect(r.articles.count <= 3)
            if n % 17 == 0 {
                #expect(Self.streamed(cut, "cut.mbox", blockSize: 3).articles == r.articles, "cut at \(n)")
            }
            _ = ArticleLoading.load(cut, relativePath: "cut.mbox")
        }
        let replacements: [UInt8] = [0x0A, 0x0D, 0x20, 0x3E, 0x46, 0x3A, 0x00, 0xFF, 0x3D]
        var b = s
        for i in 0..<s.count {
            for x in replacements {
                b[i] = x
                _ = MboxLoader(maxMessageBytes: 200).load(b, relativePath: "flip.mbox")
            }
            b[i] = s[i]
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var f = s
            for _ in 0..<8 { f[Int.random(in: 0..<f.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            let r = MboxLoader().load(f, relativePath: "r.mbox")
            #expect(Self.streamed(f, "r.mbox", blockSize: 11).articles == r.articles)
        }
    }
}
