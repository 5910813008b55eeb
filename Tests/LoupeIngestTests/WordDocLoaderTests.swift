import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

/// Small OLE2 compound files and Word 97 streams written here, byte by byte.
enum TestDoc {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    struct Built {
        var bytes: [UInt8]
        var sectorSize: Int
        /// Each stream's first (mini) sector.
        var starts: [String: Int]
        var fatSectors: [Int]
        /// The directory's first sector.
        var directory: Int

        /// Points FAT entry `sector` at `next`.
        mutating func setFAT(_ sector: Int, _ next: Int) {
            let per = sectorSize / 4
            let at = (fatSectors[sector / per] + 1) * sectorSize + 4 * (sector % per)
            bytes.replaceSubrange(at..<(at + 4), with: le32(next))
        }

        /// The byte offset of directory entry `k` (the root is 0, streams follow in order).
        func entryOffset(_ k: Int) -> Int { (directory + 1) * sectorSize + 128 * k }
    }

    /// A compound file of root-level streams: version 3 (512-byte sectors) or, with
    /// `sectorShift` 12, version 4 (4096). Streams under 4096 bytes go in the mini stream unless
    /// `mini` is false. Layout: directory, mini FAT, mini stream, streams, FAT.
    static func cfb(_ streams: [(String, [UInt8])], sectorShift: Int = 9, mini useMini: Bool = true) -> Built {
        let size = 1 << sectorShift
        func sectors(_ n: Int) -> Int { (n + size - 1) / size }
        var mini: [UInt8] = []
        var miniFAT: [Int] = []
        var starts: [String: Int] = [:]
        for (name, data) in streams where useMini && data.count < 4096 && !data.isEmpty {
            let start = mini.count / 64
            let n = (data.count + 63) / 64
            miniFAT += (0..<n).map { $0 < n - 1 ? start + $0 + 1 : 0xFFFF_FFFE }
            mini += data + [UInt8](repeating: 0, count: n * 64 - data.count)
            starts[name] = start
        }
        let perSector = size / 128
        var storagePaths = Set<String>()
        for (path, _) in streams {
            let parts = path.split(separator: "/")
            for k in 0..<max(0, parts.count - 1) { storagePaths.insert(parts[...k].joined(separator: "/")) }
        }
        let nDir = (streams.count + storagePaths.count + 1 + perSector - 1) / perSector
        let miniFATBytes = miniFAT.flatMap { le32($0) }
        let nMiniFAT = sectors(miniFATBytes.count)
        var chains = [(0, nDir), (nDir, nMiniFAT), (nDir + nMiniFAT, sectors(mini.count))]
        var next = nDir + nMiniFAT + sectors(mini.count)
        for (name, data) in streams where !(useMini && data.count < 4096) && !data.isEmpty {
            starts[name] = next
            chains.append((next, sectors(data.count)))
            next += sectors(data.count)
        }
        let per = size / 4
        var nFAT = 1
        while (next + nFAT + per - 1) / per > nFAT { nFAT += 1 }
        var fat = [Int](repeating: 0xFFFF_FFFF, count: nFAT * per)
        for (start, n) in chains {
            for k in 0..<n { fat[start + k] = k < n - 1 ? start + k + 1 : 0xFFFF_FFFE }
        }
        for k in 0..<nFAT { fat[next + k] = 0xFFFF_FFFD }
        func entry(_ name: String, _ type: UInt8, _ start: Int, _ length: Int, right: Int = -1, child: Int = -1)
            -> [UInt8]
        {
            var n: [UInt8] = []
            for u in name.utf16 { n += le16(Int(u)) }
            n += [0, 0]
            var e: [UInt8] = n + [UInt8](repeating: 0, count: 64 - n.count)
            e += le16(name.isEmpty ? 0 : n.count)
            e += [type, 1]
            e += le32(-1) + le32(right) + le32(child)
            e += [UInt8](repeating: 0, count: 36)
            e += le32(start) + le32(length) + le32(0)
            return e
        }
        // Each storage's children as a chain of right siblings (a degenerate but readable tree). A
        // stream named `a/b/name` goes in storage `b` of storage `a` of the root (an Outlook
        // message's attachment, a message attached to it), each storage's children chained the
        // same way; entries are numbered in preorder.
        final class Node {
            let name: String
            let path: String
            var data: [UInt8]?
            var children: [Node] = []
            var index = 0
            init(_ name: String, _ path: String) {
                self.name = name
                self.path = path
            }
        }
        let tree = Node("Root Entry", "")
        for (path, bytes) in streams {
            var node = tree
            let parts = path.split(separator: "/").map(String.init)
            for (k, part) in parts.enumerated() {
                let full = parts[...k].joined(separator: "/")
                if k == parts.count - 1 {
                    let leaf = Node(part, full)
                    leaf.data = bytes
                    node.children.append(leaf)
                } else if let existing = node.children.first(where: { $0.name == part && $0.data == nil }) {
                    node = existing
                } else {
                    let storage = Node(part, full)
                    node.children.append(storage)
                    node = storage
                }
            }
        }
        var order: [Node] = []
        func number(_ n: Node) {
            for c in n.children {
                c.index = order.count + 1
                order.append(c)
                number(c)
            }
        }
        number(tree)
        func link(_ siblings: [Node], _ k: Int) -> Int { k + 1 < siblings.count ? siblings[k + 1].index : -1 }
        var right: [Int: Int] = [:]
        func rights(_ n: Node) {
            for (k, c) in n.children.enumerated() {
                right[c.index] = link(n.children, k)
                rights(c)
            }
        }
        rights(tree)
        var directory = entry(
            "Root Entry", 5, mini.isEmpty ? 0xFFFF_FFFE : nDir + nMiniFAT, mini.count,
            child: tree.children.first?.index ?? -1)
        for n in order {
            if let d = n.data {
                directory += entry(
                    n.name, 2, d.isEmpty ? 0xFFFF_FFFE : starts[n.path]!, d.count, right: right[n.index]!)
            } else {
                directory += entry(n.name, 1, 0, 0, right: right[n.index]!, child: n.children.first?.index ?? -1)
            }
        }
        while directory.count % size != 0 { directory += entry("", 0, 0, 0) }
        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header += le16(0x3E) + le16(sectorShift == 9 ? 3 : 4) + le16(0xFFFE) + le16(sectorShift) + le16(6)
        header += [UInt8](repeating: 0, count: 6) + le32(sectorShift == 9 ? 0 : nDir) + le32(nFAT) + le32(0)
        header += le32(0) + le32(4096) + le32(nMiniFAT > 0 ? nDir : 0xFFFF_FFFE) + le32(nMiniFAT)
        header += le32(0xFFFF_FFFE) + le32(0)
        for k in 0..<109 { header += le32(k < nFAT ? next + k : -1) }
        header += [UInt8](repeating: 0, count: size - header.count)
        func pad(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: sectors(b.count) * size - b.count) }
        var out = header + pad(directory) + pad(miniFATBytes) + pad(mini)
        for (_, data) in streams where !(useMini && data.count < 4096) { out += pad(data) }
        out += fat.flatMap { le32($0) }
        return Built(
            bytes: out, sectorSize: size, starts: starts, fatSectors: (0..<nFAT).map { next + $0 }, directory: 0)
    }

    /// A WordDocument stream (a Word 97 FIB, the pieces' text from byte 1024) and its CLX.
    /// `pieces`: text and whether it is 8-bit (Windows-1252) rather than UTF-16.
    static func word(
        _ pieces: [(String, Bool)], ccpText: Int? = nil, flags: Int = 0x0200, nFib: Int = 0xC1,
        ident: Int = 0xA5EC, minSize: Int = 0, clxPrefix: [UInt8] = []
    ) -> (word: [UInt8], clx: [UInt8]) {
        var at = 1024
        var text: [(Int, [UInt8])] = []
        var cps = [0]
        var pcds: [UInt8] = []
        for (s, compressed) in pieces {
            let raw =
                compressed
                ? s.unicodeScalars.map { u in
                    UInt8(
                        (0x80...0x9F).first { TextDecoding.windows1252(UInt8($0))?.value == u.value } ?? Int(u.value))
                } : Array(s.utf16).flatMap { le16(Int($0)) }
            text.append((at, raw))
            pcds += le16(0) + le32(compressed ? at * 2 | 0x4000_0000 : at) + le16(0)
            cps.append(cps.last! + (compressed ? raw.count : raw.count / 2))
            at += (raw.count + 511) / 512 * 512
        }
        let size = max(at, minSize)
        var lw = [Int](repeating: 0, count: 22)
        lw[0] = size
        lw[3] = ccpText ?? cps.last!
        let clx = clxPrefix + [0x02] + le32(4 * cps.count + pcds.count) + cps.flatMap { le32($0) } + pcds
        var rg = [Int](repeating: 0, count: 93 * 2)
        rg[67] = clx.count
        var fib = le16(ident) + le16(nFib) + le16(0) + le16(0x0409) + le16(0) + le16(flags) + le16(0xBF)
        fib += [UInt8](repeating: 0, count: 18) + le16(14) + [UInt8](repeating: 0, count: 28) + le16(22)
        fib += lw.flatMap { le32($0) } + le16(93) + rg.flatMap { le32($0) } + le16(0)
        var w = [UInt8](repeating: 0, count: size)
        w.replaceSubrange(0..<fib.count, with: fib)
        for (off, raw) in text { w.replaceSubrange(off..<(off + raw.count), with: raw) }
        return (w, clx)
    }

    /// A SummaryInformation property set of `(id, typed value)` properties.
    static func summary(_ props: [(Int, [UInt8])]) -> [UInt8] {
        var index: [UInt8] = []
        var values: [UInt8] = []
        let base = 8 + 8 * props.count
        for (id, v) in props {
            index += le32(id) + le32(base + values.count)
            values += v
        }
        let fmtid: [UInt8] = [
            0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10, 0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27, 0xB3, 0xD9,
        ]
        return le16(0xFFFE) + le16(0) + le32(0x0002_0006) + [UInt8](repeating: 0, count: 16) + le32(1) + fmtid
            + le32(48) + le32(8 + index.count + values.count) + le32(props.count) + index + values
    }

    static func lpstr(_ s: String) -> [UInt8] {
        let b = Array(s.utf8) + [0]
        return le32(0x1E) + le32(b.count) + b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4)
    }

    static func lpwstr(_ s: String) -> [UInt8] {
        let u = Array(s.utf16) + [0]
        let b = u.flatMap { le16(Int($0)) }
        return le32(0x1F) + le32(u.count) + b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4)
    }

    /// Seconds since 1970 as a VT_FILETIME.
    static func filetime(_ t: Int) -> [UInt8] {
        let ft = (t + 11_644_473_600) * 10_000_000
        return le32(0x40) + le32(ft & 0xFFFF_FFFF) + le32(ft >> 32)
    }

    static func codePage(_ cp: Int) -> [UInt8] { le32(2) + le16(cp) + le16(0) }

    /// A whole .doc: its WordDocument, 1Table and (when given) SummaryInformation streams.
    static func doc(
        _ pieces: [(String, Bool)], summary props: [(Int, [UInt8])]? = nil, ccpText: Int? = nil, flags: Int = 0x0200,
        nFib: Int = 0xC1, minSize: Int = 0, mini: Bool = true
    ) -> [UInt8] {
        let (w, clx) = word(pieces, ccpText: ccpText, flags: flags, nFib: nFib, minSize: minSize)
        var streams = [("WordDocument", w), (flags & 0x0200 != 0 ? "1Table" : "0Table", clx)]
        if let props { streams.append(("\u{5}SummaryInformation", summary(props))) }
        return cfb(streams, mini: mini).bytes
    }
}

/// Legacy Word (.doc) files: one article each, from an OLE2 compound file's streams.
struct WordDocLoaderTests {
    static let sample: [UInt8] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = FileManager.default.contents(
            atPath: root.appendingPathComponent("Corpus/documents/tug-crew-rota.doc").path)
        return Array(data ?? Data())
    }()

    static func load(_ b: [UInt8], _ path: String = "w/doc.doc") -> LoadResult {
        ArticleLoading.load(b, relativePath: path)
    }

    @Test func detectedByTheCompoundFileSignature() {
        #expect(ArticleFormat.detect(WordDocLoaderTests.sample) == .doc)
        #expect(ArticleFormat.detect(TestDoc.doc([("Text\r", true)])) == .doc)
        #expect(ArticleFormat.detect(Array("D0CF11E0 is the signature\n".utf8)) == .text)
        // The signature alone: a damaged compound file, not text.
        let r = WordDocLoaderTests.load([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "s.doc")
        #expect(r.rejected)
        #expect(r.diagnostics.map(\.description) == ["s.doc: damaged compound file: header cut short (8 bytes)"])
    }

    /// The generated sample: both piece kinds, a field, a table, a footnote past the main text,
    /// SummaryInformation.
    @Test func theSampleDocument() throws {
        #expect(WordDocLoaderTests.sample.count > 4096)
        let res = WordDocLoaderTests.load(WordDocLoaderTests.sample, "documents/tug-crew-rota.doc")
        #expect(res.diagnostics.isEmpty, "\(res.diagnostics)")
        let a = try #require(res.articles.first)
        #expect(res.articles.count == 1)
        #expect(a.id == "documents/tug-crew-rota.doc" && a.source == "documents/tug-crew-rota.doc")
        #expect(a.title == "Harbour tugs: crew rota for the winter quarter")
        #expect(a.authors == ["Marta Okonkwo"])
        #expect(a.date == "2008-11-24T08:30:00Z")
        #expect(a.categories == ["tugs", "crew rota", "pilotage"])
        #expect(
            a.body == """
                From the first Monday of December the two harbour tugs, Kestrel and Brent, each keep one crew on \
                call day and night. Crews change over at the pilot station at six in the morning and six in the \
                evening; the outgoing mate signs the log and checks the towing hook and the bollards on the after \
                deck before handing over.

                The rota was agreed with the skippers' representative, José Ferreira, after the autumn meeting.

                Swaps between crews go through the harbour office on extension 214, at least a day ahead.

                Duty tug: VHF channel 12
                Emergencies: channel 16 only

                Week

                Kestrel

                Brent

                1

                Crew A

                Crew B

                2

                Crew C

                Crew A

                Crew C’s engineer, Νίκος Παππάς, joins from the pilot cutter for the twenty-four hour watches.

                Standby pay: 42 pounds a night, paid with the monthly towline allowance.
                """)
        // The footnote (after ccpText) and the field's instruction are left out.
        #expect(!a.body.contains("capstan") && !a.body.contains("HYPERLINK") && !a.body.contains("mailto"))
    }

    /// 8-bit pieces are Windows-1252 (its 0x80–0x9F characters too); UTF-16 pieces decode
    /// surrogate pairs, and a lone surrogate is U+FFFD.
    @Test func bothPieceKinds() throws {
        let b = TestDoc.doc([
            ("Quay notes\r\u{201C}Fenders\u{201D} cost 40 \u{20AC}, caf\u{E9} closed.\r", true),
            ("Crew: \u{1D11E} Σκάφος \u{4E2D}\r", false),
        ])
        let a = try #require(WordDocLoaderTests.load(b).articles.first)
        #expect(a.title == "Quay notes")
        #expect(
            a.body == "\u{201C}Fenders\u{201D} cost 40 \u{20AC}, caf\u{E9} closed.\n\nCrew: \u{1D11E} Σκάφος \u{4E2D}")
        // A lone high surrogate, written as a raw UTF-16 unit.
        var (w, clx) = TestDoc.word([("Tide\rAB\r", false)])
        w.replaceSubrange(1034..<1036, with: [0x00, 0xD8])  // the A
        let lone = WordDocLoaderTests.load(
            TestDoc.cfb([("WordDocument", w), ("1Table", clx)]).bytes)
        #expect(lone.articles.first?.body == "\u{FFFD}B")
    }

    /// Field instructions are dropped, results kept, nested fields too; a stray end or separator
    /// is ignored.
    @Test func fields() throws {
        let text =
            "Berth\rSee \u{13} REF zqinstr \u{13} PAGE zqinner \u{14}zqinnerresult\u{15} \u{14}the rota\u{15} now."
            + " \u{13} IF \u{14}outer \u{13} PAGE \u{14}7\u{15} end\u{15}\u{15}\u{14} done\r"
        for compressed in [true, false] {
            let a = try #require(WordDocLoaderTests.load(TestDoc.doc([(text, compressed)])).articles.first)
            #expect(a.title == "Berth")
            #expect(a.body == "See the rota now. outer 7 end done")
        }
        // A field left open hides the rest of the text.
        let open = WordDocLoaderTests.load(TestDoc.doc([("Shown\r\u{13} zqhidden\rzqhidden too\r", true)]))
        #expect(open.articles.first?.body == "Shown")
    }

    /// Paragraph marks, cells, rows, breaks, tabs and the special hyphens.
    @Test func characterMapping() throws {
        let text =
            "Rota\rA\u{07}B\u{07}\u{07}C\u{07}\u{07}Line one\u{0B}line two\u{0C}After the break\r"
            + "Tab\there\u{A0}x, non\u{1E}breaking, op\u{1F}tional\u{01}\u{08}\u{02}\u{05}\u{03}.\r\r\r  Spaced  out  \r"
        for compressed in [true, false] {
            let a = try #require(WordDocLoaderTests.load(TestDoc.doc([(text, compressed)])).articles.first)
            #expect(
                a.body == """
                    A

                    B

                    C

                    Line one
                    line two

                    After the break

                    Tab here x, non-breaking, optional.

                    Spaced  out
                    """)
        }
    }

    @Test func metadataAndTitleRules() throws {
        let two: [(String, Bool)] = [("Pier lights\rThe pier lights were mended.\r", true)]
        // Metadata title, UTF-16 strings, subject after keywords, last save time when no
        // creation time.
        let full = WordDocLoaderTests.load(
            TestDoc.doc(
                two,
                summary: [
                    (1, TestDoc.codePage(1252)), (2, TestDoc.lpwstr("Lights on the pier")),
                    (4, TestDoc.lpstr("Ada Lowe; Ben Marr")), (5, TestDoc.lpstr("lights,pier; lights")),
                    (3, TestDoc.lpstr("Works")), (13, TestDoc.filetime(1_200_000_000)),
                ]))
        let a = try #require(full.articles.first)
        #expect(a.title == "Lights on the pier")
        #expect(a.body == "Pier lights\n\nThe pier lights were mended.")
        #expect(a.authors == ["Ada Lowe", "Ben Marr"])
        #expect(a.categories == ["lights", "pier", "Works"])
        #expect(a.date == "2008-01-10T21:20:00Z")
        // A file-name-like title is ignored: the first short paragraph is the title.
        for t in ["Microsoft Word - pier.doc", "Document", "pier lights.doc"] {
            let r = WordDocLoaderTests.load(TestDoc.doc(two, summary: [(2, TestDoc.lpstr(t))]))
            #expect(r.articles.first?.title == "Pier lights", "\(t)")
            #expect(r.articles.first?.body == "The pier lights were mended.")
        }
        // The title repeated as the first paragraph is kept once.
        let same = WordDocLoaderTests.load(TestDoc.doc(two, summary: [(2, TestDoc.lpstr("Pier lights"))]))
        #expect(same.articles.first?.body == "The pier lights were mended.")
        // A long first paragraph: the file name.
        let long = String(repeating: "word ", count: 30)
        let named = WordDocLoaderTests.load(TestDoc.doc([(long + "\rMore.\r", true)]), "d/long-first.doc")
        #expect(named.articles.first?.title == "long-first")
        #expect(named.articles.first?.body.hasPrefix("word word") == true)
        // One paragraph only: the file name, the paragraph the body.
        let one = WordDocLoaderTests.load(TestDoc.doc([("Just this.\r", true)]), "d/one.doc")
        #expect(one.articles.first?.title == "one" && one.articles.first?.body == "Just this.")
        // Another code page for 8-bit strings (CP1251: Cyrillic).
        var cyr = TestDoc.le32(0x1E) + TestDoc.le32(5) + [0xCF, 0xE8, 0xF0, 0xF1, 0x00]
        cyr += [0, 0, 0]
        let ru = WordDocLoaderTests.load(TestDoc.doc(two, summary: [(1, TestDoc.codePage(1251)), (2, cyr)]))
        #expect(ru.articles.first?.title == "Пирс")
        // No text at all: a note, no article, not rejected.
        let empty = WordDocLoaderTests.load(TestDoc.doc([("\r\u{07}\u{01}\r", true)]), "d/empty.doc")
        #expect(empty.articles.isEmpty && !empty.rejected)
        #expect(empty.diagnostics.map(\.description) == ["d/empty.doc: note: no text in the document"])
    }

    /// Small streams in the mini stream, large ones in sectors, version 4's 4096-byte sectors:
    /// the same article.
    @Test func miniStreamAndSectorSizes() throws {
        let pieces: [(String, Bool)] = [("Mini stream\rThe whole document is small.\r", true)]
        let (w, clx) = TestDoc.word(pieces)
        #expect(w.count < 4096)
        let streams = [("WordDocument", w), ("1Table", clx)]
        let inMini = TestDoc.cfb(streams)
        #expect(inMini.starts["WordDocument"] == 0)  // mini sector 0
        let (big, bigCLX) = TestDoc.word(pieces, minSize: 6000)
        let inSectors = TestDoc.cfb([("WordDocument", big), ("1Table", bigCLX)])
        #expect(inSectors.starts["WordDocument"]! > 0)
        let bodies = [inMini, inSectors, TestDoc.cfb(streams, sectorShift: 12)].map {
            WordDocLoaderTests.load($0.bytes).articles.first?.body
        }
        #expect(bodies == Array(repeating: "The whole document is small.", count: 3))
        // A small stream is looked for in the mini stream, as [MS-CFB] wants: written in
        // regular sectors, it is not found there.
        #expect(WordDocLoaderTests.load(TestDoc.cfb(streams, mini: false).bytes).rejected)
        // A mini stream chain that loops is refused.
        var looped = inMini
        let miniFAT = (looped.directory + 2) * 512  // the mini FAT follows the one directory sector
        looped.bytes.replaceSubrange((miniFAT + 4)..<(miniFAT + 8), with: TestDoc.le32(0))
        let r = WordDocLoaderTests.load(looped.bytes)
        #expect(r.rejected)
        #expect(
            r.diagnostics.first?.message == "damaged compound file: mini FAT chain of WordDocument loops at sector 0")
    }

    /// Other compound files are named and skipped; none is read as text.
    @Test func otherCompoundFilesAreSkippedWithAWarning() {
        let junk = [UInt8](repeating: 0x41, count: 5000)
        for (stream, what) in [
            ("Workbook", "Excel workbook (XLS)"), ("Book", "Excel workbook (XLS)"),
            ("PowerPoint Document", "PowerPoint presentation (PPT)"),
            ("EncryptedPackage", "encrypted Office document (needs a password)"),
            ("VisioDocument", "Visio drawing (VSD)"),
            ("Contents", "OLE2 compound file without a WordDocument stream"),
        ] {
            let r = WordDocLoaderTests.load(TestDoc.cfb([(stream, junk)]).bytes, "o/file.bin")
            #expect(r.articles.isEmpty && !r.rejected)
            #expect(
                r.diagnostics.map(\.description) == ["o/file.bin: warning: \(what): not read; skipped"], "\(stream)")
        }
        // An Outlook message is read (see OutlookMessageTests): one with nothing in it says so.
        let empty = WordDocLoaderTests.load(TestDoc.cfb([("__properties_version1.0", junk)]).bytes, "o/file.bin")
        #expect(empty.diagnostics.map(\.description) == ["o/file.bin: note: message with no subject or text"])
    }

    @Test func encryptedAndOldDocumentsAreSkippedWithAWarning() {
        let pieces: [(String, Bool)] = [("zqsecret\rtext\r", true)]
        for (flags, nFib, message) in [
            (0x0300, 0xC1, "encrypted Word document (needs a password); skipped"),
            (0x8200, 0xC1, "encrypted Word document (needs a password); skipped"),
            (0x0200, 0x68, "Word 6/95 document; not read"),
        ] {
            let r = WordDocLoaderTests.load(TestDoc.doc(pieces, flags: flags, nFib: nFib), "e.doc")
            #expect(r.articles.isEmpty && !r.rejected)
            #expect(r.diagnostics.map(\.description) == ["e.doc: warning: \(message)"])
        }
        // Without a piece table.
        var (w, clx) = TestDoc.word(pieces)
        w.replaceSubrange(0x1A6..<0x1AA, with: TestDoc.le32(0))
        let noCLX = WordDocLoaderTests.load(TestDoc.cfb([("WordDocument", w), ("1Table", clx)]).bytes)
        #expect(noCLX.articles.isEmpty && !noCLX.rejected && noCLX.diagnostics.first?.severity == .warning)
    }

    /// The text and table streams' damage is an error naming what is wrong.
    @Test func damagedWordStreams() {
        let pieces: [(String, Bool)] = [("Title\rText\r", true)]
        func fails(_ w: [UInt8], _ clx: [UInt8], table: String = "1Table", _ message: String) {
            let r = WordDocLoaderTests.load(TestDoc.cfb([("WordDocument", w), (table, clx)]).bytes, "d.doc")
            #expect(r.rejected && r.articles.isEmpty)
            #expect(r.diagnostics.map(\.description) == ["d.doc: damaged Word document: \(message)"])
        }
        let (w, clx) = TestDoc.word(pieces)
        var bad = w
        bad[1] = 0x12
        fails(bad, clx, "FIB identifier 0x12EC (0xA5EC expected)")
        fails(Array(w.prefix(200)), clx, "FIB cut short (fibRgFcLcb)")
        fails(w, clx, table: "0Table", "no 1Table stream")
        fails(w, Array(clx.prefix(10)), "CLX (21 bytes at 0) outside the 1Table stream (10 bytes)")
        fails(w, [0x07] + clx.dropFirst(), "CLX entry of type 0x7 at byte 0")
        // A piece pointing past the stream.
        var far = clx
        far.replaceSubrange(15..<19, with: TestDoc.le32(1 << 20))
        fails(w, far, "piece 0 (22 bytes at 1048576) outside the WordDocument stream (1536 bytes)")
        // CPs going backwards.
        var back = clx
        back.replaceSubrange(5..<9, with: TestDoc.le32(12))  // past the next CP, 11
        fails(w, back, "piece table out of order at piece 0")
        // Many pieces sharing one run of bytes may not multiply the text.
        let n = 400
        var shared: [UInt8] = [0x02] + TestDoc.le32(4 * (n + 1) + 8 * n)
        for k in 0...n { shared += TestDoc.le32(k * 11) }
        for _ in 0..<n { shared += TestDoc.le16(0) + TestDoc.le32(2048 | 0x4000_0000) + TestDoc.le16(0) }
        var wide = w
        wide.replaceSubrange(0x4C..<0x50, with: TestDoc.le32(11 * n))  // ccpText
        wide.replaceSubrange(0x1A6..<0x1AA, with: TestDoc.le32(shared.count))
        fails(wide, shared, "the pieces claim more text than the WordDocument stream holds")
        // Property modifiers (Prc) before the piece table are skipped.
        var withPrc = w
        let prc: [UInt8] = [0x01, 0x03, 0x00, 0xAA, 0xBB, 0xCC]
        withPrc.replaceSubrange(0x1A6..<0x1AA, with: TestDoc.le32(clx.count + prc.count))
        let r = WordDocLoaderTests.load(TestDoc.cfb([("WordDocument", withPrc), ("1Table", prc + clx)]).bytes)
        #expect(r.articles.first?.body == "Text")
    }

    /// FAT sectors past the header's 109 are listed in a chain of DIFAT sectors (files over
    /// about 7 MB): here 110 are declared, the 110th listed in a DIFAT sector (the extra ones
    /// are all free entries).
    @Test func fatSectorsListedInDIFATSectors() throws {
        let (w, clx) = TestDoc.word([("DIFAT\rThe FAT read through a DIFAT sector.\r", true)])
        let free = [UInt8](repeating: 0xFF, count: 130_000)  // sectors enough for 250 FAT sectors
        var difatSector = [UInt8](repeating: 0xFF, count: 4096)
        var b = TestDoc.cfb([("WordDocument", w), ("1Table", clx), ("Free", free), ("Difat", difatSector)])
        let freeSector = b.starts["Free"]!
        let d = b.starts["Difat"]!
        difatSector.replaceSubrange(0..<4, with: TestDoc.le32(freeSector))
        difatSector.replaceSubrange(508..<512, with: TestDoc.le32(0xFFFF_FFFE))
        let at = (d + 1) * 512
        b.bytes.replaceSubrange(at..<(at + 512), with: difatSector.prefix(512))
        b.bytes.replaceSubrange(0x2C..<0x30, with: TestDoc.le32(110))
        b.bytes.replaceSubrange(0x44..<0x48, with: TestDoc.le32(d))
        b.bytes.replaceSubrange(0x48..<0x4C, with: TestDoc.le32(1))
        for k in 1..<109 { b.bytes.replaceSubrange((0x4C + 4 * k)..<(0x50 + 4 * k), with: TestDoc.le32(freeSector)) }
        let cfb = try CompoundFile(b.bytes)
        #expect(cfb.fat.count == 110 * 128)
        let r = WordDocLoaderTests.load(b.bytes)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.articles.first?.body == "The FAT read through a DIFAT sector.")
        // The DIFAT chain ending early.
        b.bytes.replaceSubrange(0x2C..<0x30, with: TestDoc.le32(250))
        #expect(throws: CompoundFile.Damaged(reason: "DIFAT lists 236 of 250 FAT sectors")) {
            try CompoundFile(b.bytes)
        }
    }

    /// Damaged containers: loops, sectors out of range, sizes past the file.
    @Test func damagedCompoundFiles() {
        let (w, clx) = TestDoc.word([("Title\r" + String(repeating: "bollards ", count: 800) + "\r", true)])
        #expect(w.count > 4096)
        let good = TestDoc.cfb([("WordDocument", w), ("1Table", clx)])
        #expect(WordDocLoaderTests.load(good.bytes).articles.count == 1)
        func fails(_ b: Built, _ message: String) {
            let r = WordDocLoaderTests.load(b.bytes, "c.doc")
            #expect(r.rejected && r.articles.isEmpty)
            #expect(r.diagnostics.map(\.description) == ["c.doc: damaged compound file: \(message)"])
        }
        typealias Built = TestDoc.Built
        let start = good.starts["WordDocument"]!
        var loop = good
        loop.setFAT(start + 3, start + 1)
        fails(loop, "FAT chain of WordDocument loops at sector \(start + 1)")
        var out = good
        out.setFAT(start + 2, 90_000)
        fails(out, "stream WordDocument: sector 90000 out of range")
        var short = good
        short.setFAT(start + 2, 0xFFFF_FFFE)
        fails(short, "stream WordDocument ends before its \(w.count) bytes")
        var huge = good
        let e = good.entryOffset(1) + 0x78
        huge.bytes.replaceSubrange(e..<(e + 4), with: TestDoc.le32(0x7FFF_0000))
        fails(huge, "stream WordDocument declares 2147418112 bytes, more than the file's \(good.bytes.count)")
        var fats = good
        fats.bytes.replaceSubrange(0x2C..<0x30, with: TestDoc.le32(5000))
        fails(fats, "5000 FAT sectors declared, the file has \(good.bytes.count / 512 - 1) sectors")
        var difat = good
        difat.bytes.replaceSubrange(0x4C..<0x50, with: TestDoc.le32(77_777))
        fails(difat, "FAT sector 77777 out of range")
        var dirLoop = good
        dirLoop.setFAT(0, 0)
        fails(dirLoop, "directory chain loops at sector 0")
        var order = good
        order.bytes[0x1C] = 0xFF
        order.bytes[0x1D] = 0xFF
        fails(order, "byte order mark is not 0xFFFE")
        var shift = good
        shift.bytes[0x1E] = 20
        fails(shift, "sector shift 20 (9 or 12 expected)")
        var noRoot = good
        noRoot.bytes[good.entryOffset(0) + 0x42] = 1
        fails(noRoot, "no root entry")
        // More FAT sectors declared than the header lists: a chain of DIFAT sectors, looping.
        var difatLoop = TestDoc.cfb([
            ("WordDocument", w), ("1Table", clx), ("Pad", [UInt8](repeating: 0, count: 130_000)),
        ])
        let d = difatLoop.starts["Pad"]!
        difatLoop.bytes.replaceSubrange(0x2C..<0x30, with: TestDoc.le32(250))
        difatLoop.bytes.replaceSubrange(0x44..<0x48, with: TestDoc.le32(d))
        let last = (d + 1) * 512 + 508
        difatLoop.bytes.replaceSubrange(last..<(last + 4), with: TestDoc.le32(d))
        fails(difatLoop, "DIFAT chain loops at sector \(d)")
    }

    /// Every cut of the sample is refused (no crash, no article); random byte flips never crash
    /// and give an article, or a diagnostic saying why not.
    @Test func truncatedAndFlippedSamples() {
        let sample = WordDocLoaderTests.sample
        #expect(sample.count > 4096)
        for n in 8..<sample.count {
            let r = WordDocLoaderTests.load(Array(sample.prefix(n)), "t.doc")
            #expect(r.articles.isEmpty, "cut at \(n)")
            #expect(r.diagnostics.contains { $0.severity == .error }, "cut at \(n)")
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var read = 0
        for _ in 0..<3000 {
            var b = sample
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(b.count))
                b[at] = UInt8(truncatingIfNeeded: next())
            }
            let r = WordDocLoaderTests.load(b, "f.doc")
            #expect(r.articles.count <= 1)
            if r.articles.isEmpty {
                #expect(!r.diagnostics.isEmpty)
            } else {
                read += 1
                #expect(!r.rejected)
            }
        }
        #expect(read > 0)
    }

    /// The text cap stops reading with a warning; a .doc inside an archive is read as a member.
    @Test func textCapAndArchives() throws {
        let doc = TestDoc.doc([("Harbour log\r" + String(repeating: "Tugs at the quay.\r", count: 50), true)])
        let capped = WordDocLoader.load(doc, relativePath: "c.doc", maxTextBytes: 100)
        #expect(capped.articles.count == 1 && !capped.rejected)
        #expect(capped.diagnostics.map(\.message) == ["text over 0 MB: the rest not read"])
        #expect((capped.articles.first?.body.utf8.count ?? 1000) <= 100)
        let zip = TestZip.archive([.init("logs/harbour.doc", doc)])
        let z = WordDocLoaderTests.load(zip, "a.zip")
        #expect(z.articles.map(\.source) == ["a.zip/logs/harbour.doc"])
        #expect(z.articles.first?.title == "Harbour log")
    }
}
