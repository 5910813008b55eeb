import LoupeCore

/// Outlook messages (`.msg`, [MS-OXMSG]): an OLE2 compound file (`CompoundFile`) whose root holds
/// the message's properties, each variable-length one a stream `__substg1.0_IIIITTTT` (property
/// id, then type: `001F` UTF-16, `001E` 8-bit, `0102` binary), the fixed-length ones (dates)
/// in `__properties_version1.0`, and each attachment a storage `__attach_version1.0_#NNNNNNNN`.
/// Saved mail of this kind fills e-mail dumps and public-records releases.
///
/// - title: the subject (`0x0037`);
/// - body: the plain-text body (`0x1000`), else the HTML body (`0x1013`) made text, else the
///   compressed RTF body (`0x1009`, `CompressedRTF`) read as an RTF file;
/// - authors: the sender's name (`0x0C1A`, else the represented sender's `0x0042`), else the
///   sender's address (`0x0C1F`);
/// - date: when it was sent (`PR_CLIENT_SUBMIT_TIME`, `0x0039`), else delivered (`0x0E06`),
///   else created (`0x3007`), else the `Date:` of its transport headers (`0x007D`);
/// - id: the Internet Message-ID (`0x1035`) without its angle brackets, else the file path, as
///   for a mail;
/// - attachments: each attached file (`0x3701` data, named by `0x3707`, else `0x3704`) is read
///   as a mail's attachment is (`MailLoader.attachments`: articles of their own named
///   `mail.msg/attachments/<name>`, the same caps; images and signatures not read); an attached
///   Outlook message (a message forwarded as an attachment: a storage of its own) is read as a
///   message, named `mail.msg/attachments/<name>.msg`, down to `maxDepth` levels.
enum OutlookMessageLoader {
    /// Whether a compound file is an Outlook message (its properties stream or property streams).
    static func isMessage(_ cfb: CompoundFile) -> Bool {
        cfb.topLevel.contains {
            let n = $0.name.uppercased()
            return n == "__PROPERTIES_VERSION1.0" || n.hasPrefix("__SUBSTG1.0_")
        }
    }

    /// Attached messages read inside attached messages, at most.
    static let maxDepth = 4

    static func load(_ cfb: CompoundFile, relativePath: String) -> LoadResult {
        load(cfb, storage: cfb.entries[0], headerBytes: 32, relativePath: relativePath, depth: 0)
    }

    /// The message in `storage` (the root; or an attached message's storage, whose properties
    /// stream has a 24-byte header) and its attachments.
    static func load(
        _ cfb: CompoundFile, storage root: CompoundFile.Entry, headerBytes: Int, relativePath: String, depth: Int
    ) -> LoadResult {
        let message = Properties(cfb, storage: root, headerBytes: headerBytes)
        let subject = message.string(0x0037) ?? ""
        var body = message.string(0x1000) ?? ""
        var diagnostics: [Diagnostic] = []
        if body.trimmingWhitespace().isEmpty {
            if let html = message.binary(0x1013) ?? message.string(0x1013).map({ Array($0.utf8) }) {
                body = HTMLLoader.pageText(html)
            } else if let packed = message.binary(0x1009) {
                // Only compressed RTF (Outlook's RTF mail): decompressed and read as an RTF file.
                if let rtf = CompressedRTF.decompress(packed),
                    let a = RTFLoader().load(rtf, relativePath: relativePath).articles.first
                {
                    let ownTitle = a.title != TextLoader.fileTitle(relativePath) && !a.title.isEmpty
                    body = ownTitle ? a.title + "\n" + a.body : a.body
                } else {
                    diagnostics.append(
                        Diagnostic(
                            path: relativePath, message: "message body in compressed RTF could not be read",
                            severity: .warning))
                }
            }
        }
        let sender = message.string(0x0C1A) ?? message.string(0x0042) ?? message.string(0x0C1F)
        var date = (message.time(0x0039) ?? message.time(0x0E06) ?? message.time(0x3007)).map(PDFLoader.iso)
        if date == nil, let headers = message.string(0x007D) {
            for line in headers.split(whereSeparator: \.isNewline) where line.lowercased().hasPrefix("date:") {
                date = LoaderDates.iso(String(line.dropFirst(5)))
                break
            }
        }
        let id = MailLoader.messageID(message.string(0x1035)) ?? relativePath
        let article = Article(
            id: id, title: subject.trimmingWhitespace(), body: body.trimmingWhitespace(), date: date,
            authors: sender.map(Bylines.names) ?? [], source: relativePath)

        // Attachments, read as a mail's are.
        var reading = MIME.Reading()
        var embedded: [(name: String?, storage: CompoundFile.Entry)] = []
        var unread = 0
        let storages = cfb.children(of: root).filter {
            $0.type == 1 && $0.name.uppercased().hasPrefix("__ATTACH_VERSION1.0_")
        }
        .sorted { $0.name < $1.name }
        for s in storages {
            let a = Properties(cfb, storage: s, headerBytes: 8)
            guard let data = a.binary(0x3701) else {
                // An attached Outlook message: a storage of its own.
                if let m = cfb.children(of: s).first(where: {
                    $0.type == 1 && $0.name.uppercased() == "__SUBSTG1.0_3701000D"
                }) {
                    if depth < maxDepth {
                        embedded.append((a.string(0x3707) ?? a.string(0x3704), m))
                    } else {
                        unread += 1
                    }
                }
                continue
            }
            let name = a.string(0x3707) ?? a.string(0x3704)
            let type = MIME.ContentType(a.string(0x370E) ?? "application/octet-stream")
            if let kind = MIME.skippedKind(type, name: name) {
                reading.skipped.add(kind)
                continue
            }
            reading.attachments.append(
                MIME.Attachment(kind: .document, name: name, contentType: type, transferEncoding: nil, body: data[...]))
        }
        var result = LoadResult(diagnostics: diagnostics)
        if article.title.isEmpty && article.body.isEmpty && reading.attachments.isEmpty && embedded.isEmpty {
            result.diagnostics.append(
                Diagnostic(path: relativePath, message: "message with no subject or text", severity: .note))
            return result
        }
        if !article.title.isEmpty || !article.body.isEmpty { result.articles.append(article) }
        var m = MailLoader.Message()
        m.reading = reading
        var budget = AttachmentBudget()
        let attached = MailLoader.attachments(
            of: m, parent: article, base: relativePath + "/attachments", depth: 0, budget: &budget)
        result.articles += attached.articles
        result.diagnostics += attached.diagnostics
        result.retryLater = attached.retryLater
        // Attached messages (forwarded as attachments): read as messages of their own, named
        // `x.msg/attachments/<name>.msg` (`message.msg` when unnamed; `#2`… for repeats).
        var used = Set(result.articles.map(\.source))
        for (k, e) in embedded.enumerated() {
            let given = e.name.map(MIME.cleanName) ?? ""
            var name = given.isEmpty ? "message" : given
            if !name.lowercased().hasSuffix(".msg") { name += ".msg" }
            var path = relativePath + "/attachments/" + name
            if used.contains(path) { path += "#\(k + 2)" }
            used.insert(path)
            var inner = load(cfb, storage: e.storage, headerBytes: 24, relativePath: path, depth: depth + 1)
            for i in inner.articles.indices where inner.articles[i].date == nil { inner.articles[i].date = date }
            result.articles += inner.articles
            for var d in inner.diagnostics {
                if d.severity == .error { d.severity = .warning }
                result.diagnostics.append(d)
            }
        }
        if unread > 0 {
            result.diagnostics.append(
                Diagnostic(
                    path: relativePath,
                    message:
                        "\(unread) attached Outlook message\(unread == 1 ? "" : "s") nested \(maxDepth) deep not read",
                    severity: .note))
        }
        return result
    }

    /// The properties of one object of a message (the message itself, an attachment): its
    /// property streams, and its fixed-length properties stream (after a header of
    /// `headerBytes`: 32 for the message, 8 for an attachment).
    struct Properties {
        let cfb: CompoundFile
        let streams: [String: CompoundFile.Entry]
        var fixed: [UInt32: [UInt8]] = [:]

        init(_ cfb: CompoundFile, storage: CompoundFile.Entry, headerBytes: Int) {
            self.cfb = cfb
            var streams: [String: CompoundFile.Entry] = [:]
            for e in cfb.children(of: storage) where e.type == 2 { streams[e.name.uppercased()] = e }
            self.streams = streams
            if let e = streams["__PROPERTIES_VERSION1.0"], let b = try? cfb.contents(of: e, name: e.name) {
                var i = headerBytes
                while i + 16 <= b.count {
                    let tag = CompoundFile.u32(b, i)
                    fixed[tag] = Array(b[(i + 8)..<(i + 16)])
                    i += 16
                }
            }
        }

        static func hex(_ v: Int, _ width: Int) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }

        func raw(_ id: Int, _ type: Int) -> [UInt8]? {
            let name = "__SUBSTG1.0_" + Self.hex(id, 4) + Self.hex(type, 4)
            guard let e = streams[name] else { return nil }
            return try? cfb.contents(of: e, name: name)
        }

        /// A string property: UTF-16 (`001F`), else 8-bit (`001E`, read as Windows-1252); NULs
        /// at the end dropped; nil when absent or blank.
        func string(_ id: Int) -> String? {
            var s: String
            if let b = raw(id, 0x001F) {
                var units: [UInt16] = []
                units.reserveCapacity(b.count / 2)
                var i = 0
                while i + 1 < b.count {
                    units.append(UInt16(b[i]) | UInt16(b[i + 1]) << 8)
                    i += 2
                }
                s = String(decoding: units, as: UTF16.self)
            } else if let b = raw(id, 0x001E) {
                s = String(String.UnicodeScalarView(b.map { TextDecoding.windows1252($0) ?? Unicode.Scalar($0) }))
            } else {
                return nil
            }
            while s.last == "\u{0}" { s.removeLast() }
            return s.contains(where: { !$0.isWhitespace }) ? s : nil
        }

        func binary(_ id: Int) -> [UInt8]? { raw(id, 0x0102) }

        /// A time property (`PT_SYSTIME`, a FILETIME: 100 ns since 1601) as Unix seconds.
        func time(_ id: Int) -> Int? {
            guard let v = fixed[UInt32(id) << 16 | 0x0040] else { return nil }
            var ft: UInt64 = 0
            for k in (0..<8).reversed() { ft = ft << 8 | UInt64(v[k]) }
            guard ft > 0 else { return nil }
            let seconds = Int(ft / 10_000_000) - 11_644_473_600
            // 1971 to 2199: anything else is no date.
            return seconds > 31_536_000 && seconds < 7_258_118_400 ? seconds : nil
        }

        /// A 32-bit integer property (`PT_LONG`).
        func long(_ id: Int) -> Int? {
            guard let v = fixed[UInt32(id) << 16 | 0x0003] else { return nil }
            return Int(CompoundFile.u32(v, 0))
        }
    }
}

/// Outlook's compressed RTF ([MS-OXRTFCP]): a 16-byte header (compressed size, raw size, `LZFu`
/// or `MELA` for stored, CRC), then LZ77 over a 4 KB ring dictionary that starts with a fixed
/// RTF prefix: each control byte's bits, low first, tell a literal byte (0) or a 2-byte
/// reference (1: a 12-bit offset into the ring and a 4-bit length less 2); a reference to the
/// write position ends the data.
enum CompressedRTF {
    static let prefix = Array(
        ("{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
            + "\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n"
            + "\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx").utf8)
    /// The most bytes decompressed (a declared raw size beyond is not trusted).
    static let maxBytes = 64 << 20

    /// The RTF bytes; nil for data that is neither compressed nor stored RTF, or cut short.
    static func decompress(_ b: [UInt8]) -> [UInt8]? {
        guard b.count >= 16 else { return nil }
        let compressedSize = Int(CompoundFile.u32(b, 0))
        let rawSize = Int(CompoundFile.u32(b, 4))
        let kind = CompoundFile.u32(b, 8)
        let end = min(b.count, 4 + compressedSize)
        let cap = min(rawSize, maxBytes)
        if kind == 0x414C_454D {  // "MELA": stored
            return Array(b[16..<min(b.count, 16 + cap)])
        }
        guard kind == 0x7546_5A4C else { return nil }  // "LZFu"
        var ring = [UInt8](repeating: 0, count: 4096)
        ring.replaceSubrange(0..<prefix.count, with: prefix)
        var w = prefix.count
        var out: [UInt8] = []
        out.reserveCapacity(min(cap, 1 << 20))
        var i = 16
        while i < end {
            let control = b[i]
            i += 1
            for bit in 0..<8 {
                if i >= end || out.count >= cap { return out }
                if control & (1 << bit) == 0 {
                    out.append(b[i])
                    ring[w] = b[i]
                    w = (w + 1) & 4095
                    i += 1
                } else {
                    guard i + 1 < end else { return out }
                    let v = Int(b[i]) << 8 | Int(b[i + 1])
                    i += 2
                    let offset = v >> 4
                    if offset == w { return out }
                    for k in 0..<((v & 0xF) + 2) {
                        let c = ring[(offset + k) & 4095]
                        out.append(c)
                        ring[w] = c
                        w = (w + 1) & 4095
                    }
                }
            }
        }
        return out
    }
}
