import LoupeCore

/// What is read of one message's attachments, shared by its forwarded messages: the caps are
/// per top-level message.
struct AttachmentBudget {
    /// Attachments read (forwarded messages and their attachments counted).
    var count = 0
    /// Bytes decoded.
    var bytes = 0
    /// Attachments over `MailLoader.maxAttachments`, not read.
    var over = 0
}

/// Mail attachments (see `MIME.read` for which parts are attachments): each attached file is
/// read as a file of the corpus would be (`ArticleLoading.load`, as an archive member: an
/// archive in it is not opened) and each forwarded message (`message/rfc822`) as a mail,
/// giving articles of their own after the message's.
///
/// Naming: an attachment is the file `<mail file>/attachments/<name>` (in a mailbox
/// `<mailbox>/<n>/attachments/<name>`, `n` the message's 0-based index, as in `path#n`; a
/// forwarded message's attachments under `<its name>/attachments/`); that is its articles'
/// `source`, which `loupe show` also accepts. `<name>` is the file name the message gives
/// (`message.eml` for a forwarded message that gives none, else `attachment` and the type's
/// extension), a second attachment of one name in a message `name#2`. Its article's id is the
/// message's id (Message-ID, else `path#n` or the file path), `/` and that name, in the
/// message's id scope; further articles of one attachment (an attached feed) `#2`, `#3`…
/// A forwarded message keeps its own Message-ID when it has one.
///
/// Fields: title, date and authors the document's own, else the file name, the message's date
/// and the message's `From`; categories the document's and the message's (Newsgroups, Gmail
/// labels, List-Id). The message's subject is not copied: it stays the message's article's
/// title. `position` is the message's (an attachment is part of it).
///
/// Not read (one note per message counts them): images, audio, video, signatures, keys,
/// encrypted parts, calendar files, contact cards, winmail.dat. An attachment that gives no
/// article, or gives an error, gets a warning naming it (an error in an attachment never
/// rejects the message); one that needs the PDF library makes the file `retryLater`.
///
/// Caps: `maxAttachments` read per message (more: one warning counting them),
/// `maxAttachmentBytes` decoded per attachment and `maxMessageAttachmentBytes` per message
/// (more: skipped with a warning), forwarded messages inside forwarded messages read as
/// attachments down to `maxDepth` levels (deeper, their text joins the body).
extension MailLoader {
    public static let maxAttachments = 100
    public static let maxAttachmentBytes = 64 << 20
    public static let maxMessageAttachmentBytes = 256 << 20
    /// Levels of mail inside mail whose attachments are read.
    static let maxDepth = 4

    /// The articles of the attachments of message `m` (whose fields, as its loader settled
    /// them, are `parent`), named under `base` (`mail.eml/attachments`).
    static func attachments(
        of m: Message, parent: Article, base: String, depth: Int, nested: Bool = false,
        budget: inout AttachmentBudget
    ) -> LoadResult {
        var result = LoadResult()
        func warn(_ path: String, _ message: String) {
            result.diagnostics.append(Diagnostic(path: path, message: message, severity: .warning))
        }
        guard let reading = m.reading, !reading.attachments.isEmpty || reading.skipped.total > 0 else { return result }
        guard depth < maxDepth else {
            warn(parent.source, "attachments of a mail nested \(maxDepth) mails deep not read")
            return result
        }
        var usedNames: Set<String> = []
        var usedIDs: Set<String> = []
        func unique(_ s: String, in used: inout Set<String>) -> String {
            var candidate = s
            var k = 2
            while used.contains(candidate) {
                candidate = "\(s)#\(k)"
                k += 1
            }
            used.insert(candidate)
            return candidate
        }
        let overBefore = budget.over
        for a in reading.attachments {
            guard budget.count < maxAttachments else {
                budget.over += 1
                continue
            }
            budget.count += 1
            let name = a.name ?? MIME.defaultName(a)
            let key = unique(name, in: &usedNames)
            let path = base + "/" + key
            let left = maxMessageAttachmentBytes - budget.bytes
            guard let bytes = MIME.decodeAttachment(a, cap: min(maxAttachmentBytes, left)) else {
                warn(
                    path,
                    left < maxAttachmentBytes
                        ? "attachments of this message larger than \(maxMessageAttachmentBytes >> 20) MB in all; skipped"
                        : "attachment larger than \(maxAttachmentBytes >> 20) MB; skipped")
                continue
            }
            budget.bytes += bytes.count
            if bytes.allSatisfy(MarkupScan.isSpace) {
                warn(path, "empty attachment; skipped")
                continue
            }
            func settle(_ d: inout Article, id: String) {
                d.id = unique(id, in: &usedIDs)
                d.idScope = parent.idScope
                // A member of an attached archive keeps its own name inside the attachment's.
                if !d.source.hasPrefix(path + "/") { d.source = path }
                d.position = parent.position
                if d.date == nil { d.date = parent.date }
                if d.authors.isEmpty { d.authors = parent.authors }
                for c in parent.categories where !d.categories.contains(c) { d.categories.append(c) }
            }
            switch a.kind {
            case .message:
                let sub = parse(bytes, relativePath: path, position: parent.position, depth: depth + 1)
                for var d in sub.diagnostics {
                    if d.severity == .error { d.severity = .warning }
                    result.diagnostics.append(d)
                }
                guard sub.hasHeaders, var meta = sub.meta else {
                    warn(path, "forwarded message with no header block; skipped")
                    continue
                }
                let ownID = (sub.values["message-id"]?.trimmingWhitespace() ?? "").isEmpty == false
                settle(&meta, id: ownID ? meta.id : parent.id + "/" + key)
                if ownID { meta.idScope = nil }
                if meta.title.isEmpty { meta.title = name }
                if let own = sub.article {
                    var article = meta
                    article.body = own.body
                    result.articles.append(article)
                }
                let inner = attachments(
                    of: sub, parent: meta, base: path + "/attachments", depth: depth + 1, nested: nested,
                    budget: &budget)
                result.articles += inner.articles
                result.diagnostics += inner.diagnostics
                result.retryLater = result.retryLater || inner.retryLater
            case .document:
                // An attached archive (zip, tar) is opened, its members read as files named
                // inside it, unless the mail itself came out of an archive.
                let r = ArticleLoading.load(bytes, relativePath: path, nested: nested, mailDepth: depth + 1)
                result.retryLater = result.retryLater || r.retryLater
                let articles = r.rejected ? [] : r.articles
                var diagnostics = r.diagnostics
                if articles.isEmpty && !r.retryLater && !diagnostics.contains(where: { $0.severity != .note }) {
                    // Nothing to index and no warning saying why: the notes say it as warnings.
                    if diagnostics.isEmpty {
                        diagnostics.append(
                            Diagnostic(path: path, message: "nothing to index; skipped", severity: .warning))
                    }
                    for k in diagnostics.indices { diagnostics[k].severity = .warning }
                }
                for var d in diagnostics {
                    if d.severity == .error { d.severity = .warning }
                    result.diagnostics.append(d)
                }
                for (k, var d) in articles.enumerated() {
                    if d.title.isEmpty || d.title == TextLoader.fileTitle(path) { d.title = name }
                    if d.source.hasPrefix(path + "/") {
                        // A member of an attached archive: named by its path inside it.
                        settle(&d, id: parent.id + "/" + key + d.source.dropFirst(path.count))
                    } else {
                        settle(&d, id: parent.id + "/" + key + (k == 0 ? "" : "#\(k + 1)"))
                    }
                    result.articles.append(d)
                }
            }
        }
        if let note = reading.skipped.summary {
            result.diagnostics.append(Diagnostic(path: parent.source, message: note, severity: .note))
        }
        if budget.over > overBefore {
            warn(
                parent.source,
                "\(budget.over - overBefore) more attachment\(budget.over - overBefore == 1 ? "" : "s") not read (at most \(maxAttachments) per message)"
            )
        }
        return result
    }
}
