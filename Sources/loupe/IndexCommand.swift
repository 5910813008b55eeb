import ArgumentParser
import Foundation
import LoupeCore
import LoupeIngest

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract:
            "Index a directory of articles (text, feeds, wire formats, news JSON, mail and mailboxes, documents, web archives; compressed, in tar or zip archives).",
        discussion: """
            Walks CORPUS (sorted, skipping hidden files, editor backups such as notes.txt~, the index \
            itself and other loupe indexes), detects each file's \
            format by its content, and writes the index with every core. A file with a fatal error \
            is reported as path:line:column and skipped whole (an XML document other than a feed \
            is read as text instead, with a warning); the rest is indexed. Compressed \
            files (gzip, zstd, xz, bzip2) are read decompressed, and tar archives (.tar, .tar.gz, .tar.xz…) \
            and zip archives (.zip) member by member, each as a file named archive/member/path. \
            Files of 32 MB or more (feeds, wiki and JSON dumps, mailboxes, tar and web archives; \
            compressed or not) are streamed: memory does not grow with them. \
            Word (.docx, and legacy .doc), OpenDocument text (.odt), EPUB and RTF files are read \
            as one document each (their text and properties; not spreadsheets or slides). PDF files (.pdf) are one document each, their pages' text \
            and properties, read with libpoppler-glib8 when it is installed (without it they are \
            skipped with a warning, and read by a later run). An mbox mailbox gives one article \
            per message, a WARC web archive (.warc, .warc.gz) one per archived page, a MediaWiki XML \
            export (pages-articles.xml) one per main-namespace page, wikitext made plain, a JSON file \
            or JSON Lines file one per article object, a CSV or TSV file with a header row (title, \
            text/content, date, author… columns) one per row; a mail's attached documents are articles \
            of their own (mail.eml/attachments/name). Exports give their posts or notes: WordPress \
            and Blogger XML, Evernote (.enex), Ghost and Google Reader-style JSON, Twitter \
            (data/tweets.js) and Mastodon (outbox.json) archives; Outlook messages (.msg), Apple \
            Mail's .emlx, pages saved as MHTML and ANPA-1312 or IPTC 7901 wire text are read too.

            Run again on the same corpus, it is incremental: only new or changed files are read, \
            and the articles of changed or removed files are deleted (they stay in their segment, \
            left out of every count and score, until a fifth of it is deleted and it is rewritten; \
            --optimize rewrites every segment now). A JSON Lines, mbox, CSV or WARC file that only \
            grew, its earlier bytes unchanged (checked by their CRC; a compressed one grown by \
            whole gzip members or zstd, xz or bzip2 frames), is read from where the last run \
            stopped: its articles stay and the new records are added (one whose time changed but \
            not its bytes is not read again). --rebuild starts afresh \
            (so does a different corpus directory, or an --analyzer other than the index's; \
            without --analyzer an existing index keeps its own).

            --exclude leaves files and directories out: a pattern without a slash matches a name \
            at any depth (*.log, drafts), one with a slash the path from the corpus root \
            (feeds/old/*); * never crosses a slash, a trailing slash matches directories only. \
            The patterns are kept with the index: later runs use them (and delete the articles \
            of files they now leave out) until --exclude is given again or --clear-exclude.

            Symbolic links to directories, and links out of the corpus, are not followed unless \
            --follow-links is given (kept with the index, until --no-follow-links): then each \
            directory is walked once, and a file reached both ways keeps its real path.

            Examples:
              loupe index Corpus
              loupe index ~/feeds --index /tmp/feeds.loupe --json
              loupe index ~/dump --exclude '*.log' --exclude node_modules --exclude 'mail/spam/'

            Exit status: 0 when every file was read, 3 when some files had errors, 2 on failure.
            """)

    @Argument(help: "The corpus directory (or one file).")
    var corpus: String

    @OptionGroup var location: IndexLocation

    @Option(
        help:
            "Analyzer: english (default for a new index; folding, possessives, stemming) or plain (the peer benchmark's). An existing index keeps its own unless this is given."
    )
    var analyzer: AnalyzerKind?

    @Option(
        help: "RAM budget in MB for buffered postings, shared by the threads; a segment is flushed when it is used.")
    var memory: Int = 256

    @Flag(help: "Ignore the existing index and build it afresh.")
    var rebuild = false

    @Option(
        help: ArgumentHelp(
            "Leave out files and directories matching PATTERN (repeatable; kept with the index).",
            valueName: "pattern"))
    var exclude: [String] = []

    @Flag(help: "Forget the index's --exclude patterns: every file is indexed again.")
    var clearExclude = false

    @Option(
        help: ArgumentHelp(
            "Query-time synonyms from FILE (Solr's format: 'UN, United Nations' or 'Kiev => Kyiv, Kiev'; kept with the index until given again or --clear-synonyms).",
            valueName: "file"))
    var synonyms: String?

    @Flag(help: "Forget the index's synonyms.")
    var clearSynonyms = false

    @Flag(
        inversion: .prefixedNo,
        help:
            "Follow symbolic links to directories and out of the corpus (kept with the index; default: not followed).")
    var followLinks: Bool?

    @Flag(
        help:
            "Merge the index into a single segment at the end, without the deleted articles of updates (smaller, slightly faster to search)."
    )
    var optimize = false

    @Flag(
        name: .customLong("no-merge"),
        help:
            "Leave the segments this run flushed as they are (faster indexing, slower searches; by default they are merged into one at the end, and beyond 8 segments in all the smallest are merged anyway)."
    )
    var noMerge = false

    @Option(help: "Indexing threads (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "Ranking defaults stored with the index") var ranking: RankingOptions

    func validate() throws {
        // (Each thread inverts into its own tables: 100,000 threads were killed for memory.)
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads takes 1 to 256") }
        guard memory >= 1 && memory <= 1 << 20 else { throw ValidationError("--memory takes 1 to 1048576 MB") }
    }

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print notes as well as warnings and errors.")
    var verbose = false

    /// The error opening the existing index would give when it was written in another format:
    /// reads only the header of each segment file of `manifest` (opening the index would
    /// verify every checksum, a full read of a large index).
    static func formatProblem(_ path: String, _ manifest: Manifest) -> IndexError? {
        for seg in manifest.segments {
            for ext in ["dict", "post", "pos", "len", "store"] {
                let file = path + "/" + seg.name + "." + ext
                guard let h = FileHandle(forReadingAtPath: file) else { continue }
                defer { try? h.close() }
                guard let head = try? h.read(upToCount: IndexFile.headerSize), head.count == IndexFile.headerSize,
                    Array(head.prefix(4)) == IndexFile.magic
                else { continue }
                let v = head.withUnsafeBytes {
                    UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                }
                if v != IndexFile.formatVersion { return .otherFormat(file, v) }
            }
        }
        return nil
    }

    @Flag(
        inversion: .prefixedNo,
        help:
            "After indexing, update the topic model (LSI over a sample of up to 20,000 articles) that related blends in, when the index has changed by a tenth since it was made."
    )
    var topics = true

    func run() throws {
        // A bad synonyms file is refused before anything is read or written.
        let parsedSynonyms = try synonyms.map { try loadSynonyms($0) }
        guard FileManager.default.fileExists(atPath: corpus) else {
            throw fail("\(Diagnostic.escape(corpus)): no such file or directory")
        }
        try refuseFileAsIndex(location.path)
        // The index's own files would be read as articles of the corpus (a MANIFEST as JSON).
        if let c = CorpusWalker.realPath(corpus), let i = CorpusWalker.realPath(location.path), c == i {
            throw fail(
                "the index directory is the corpus directory \(Diagnostic.escape(corpus)); give --index another "
                    + "directory (one inside the corpus is skipped, as the default .loupe is)")
        }
        let writer: IndexWriter
        do {
            var reset = rebuild
            var kind = analyzer ?? .english
            if let m = try? Manifest.load(directory: location.path, files: false).0 {
                if analyzer == nil { kind = m.analyzer }
                let root = CorpusWalker.realPath(corpus) ?? corpus
                if !reset && m.corpusRoot != root {
                    reset = true
                    if verbose || !json {
                        printErr(
                            "loupe: note: the index was built from \(m.corpusRoot ?? "another corpus"): rebuilding it")
                    }
                } else if !reset, case .otherFormat(_, let v)? = IndexCommand.formatProblem(location.path, m) {
                    reset = true
                    if verbose || !json {
                        printErr(
                            "loupe: note: the index is in format \(v) (this loupe writes \(IndexFile.formatVersion)): rebuilding it"
                        )
                    }
                } else if !reset && m.analyzer != kind {
                    reset = true
                    if verbose || !json {
                        printErr(
                            "loupe: note: the index uses the \(m.analyzer.rawValue) analyzer: rebuilding it with \(kind.rawValue)"
                        )
                    }
                }
            }
            writer = try IndexWriter(directory: location.path, analyzer: kind, memoryBudget: memory << 20, reset: reset)
            writer.mergeFlushed = !noMerge
        } catch let e as IndexError {
            if case .corrupt = e {
                // The index is derived from the corpus: say how to make it again.
                throw fail(
                    "\(e)\nhint: `loupe index \(Diagnostic.escape(corpus)) --rebuild` makes the index again from the corpus"
                )
            }
            throw fail("\(e)")
        } catch {
            throw fail("\(error)")
        }
        // A rebuilt index (asked for, or another analyzer or format) may have other words than
        // the one its topic model was made from: the model is made again too.
        let rebuilt = !writer.isIncremental
        if !ranking.isEmpty { writer.setScoring(ranking.defaults) }
        if !exclude.isEmpty || clearExclude { writer.setExclude(exclude) }
        if clearSynonyms { writer.setSynonyms(nil) }
        if let parsedSynonyms { writer.setSynonyms(parsedSynonyms) }
        if let followLinks { writer.followLinks = followLinks }
        let indexer = CorpusIndexer(root: corpus, writer: writer)
        indexer.threads = max(1, threads)
        // Testing knob: stream feeds from this size on (default 32 MB).
        if let v = ProcessInfo.processInfo.environment["LOUPE_STREAM_BYTES"], let n = Int(v), n > 0 {
            indexer.streamingThreshold = n
        }
        // Testing knob: LOUPE_NO_POPPLER=1 reads PDFs as if libpoppler-glib8 were not installed
        // (honoured by `Poppler.shared` in LoupeIngest, which loads the library on the first PDF).
        let verbose = self.verbose
        indexer.onDiagnostic = { d in
            if d.severity != .note || verbose { printErr(d.description) }
        }
        // A live progress line on a terminal (stderr), replaced by the summary.
        let live = isatty(2) == 1 && !json
        if live {
            nonisolated(unsafe) var last = ContinuousClock.now
            indexer.onProgress = { s, total in
                let now = ContinuousClock.now
                guard now - last >= .milliseconds(100) else { return }
                last = now
                let mb = Double(s.bytes) / 1e6
                let rate = s.seconds > 0 ? mb / s.seconds : 0
                let left = rate > 0 ? (Double(total) / 1e6 - mb) / rate : 0
                let line = String(
                    format: "\r\u{1B}[Kindexing: %d files, %d articles, %.1f MB, %.1f MB/s, ETA %.0f s", s.files,
                    s.articles,
                    mb, rate, max(0, left))
                FileHandle.standardError.write(Data(line.utf8))
            }
            let verbose = self.verbose
            indexer.onDiagnostic = { d in
                if d.severity != .note || verbose {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + d.description + "\n").utf8))
                }
            }
        }
        var summary: IndexSummary
        do {
            summary = try indexer.run(optimize: optimize)
        } catch {
            if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            throw fail("\(error)")
        }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        // The topic model `related` blends in: made again when the index has changed by a tenth
        // (or its corpus changed, or it was rebuilt) since it was made. Derived data: a failure
        // is only a warning. The summary's time is the whole command's: the topic model's too.
        let topicsStart = ContinuousClock.now
        if topics {
            do {
                let reader = try IndexReader(directory: location.path)
                let root = CorpusWalker.realPath(corpus) ?? corpus
                let old = TopicModel.load(directory: location.path)
                let n = reader.documentCount
                let added = reader.manifest.articlesAdded ?? 0
                // A tenth of the model's articles' worth added since it was made (replacements
                // of changed files' articles included: an archive whose size stays flat while its
                // stories turn over), or the count changed by a tenth.
                let stale =
                    rebuilt
                    || old.map {
                        $0.corpus != root || abs($0.documents - n) * 10 > max($0.documents, 1)
                            || (added - ($0.added ?? Int.min / 2)) * 10 > max($0.documents, 1)
                    } ?? true
                if stale {
                    if let m = try TopicModel.build(reader, corpus: root) {
                        try m.write(directory: location.path)
                        if verbose {
                            let t = (ContinuousClock.now - topicsStart).seconds
                            printErr("loupe: note: topic model made in \(String(format: "%.2f", t)) s")
                        }
                    } else if old != nil {
                        try? FileManager.default.removeItem(atPath: location.path + "/" + TopicModel.fileName)
                    }
                }
            } catch {
                printErr("loupe: warning: topic model not updated: \(error)")
            }
        }
        summary.seconds += (ContinuousClock.now - topicsStart).seconds
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(summary), as: UTF8.self))
        } else {
            let mb = Double(summary.bytes) / 1e6
            print(
                "indexed \(counted(summary.files, "file")), \(counted(summary.articles, "article")), \(String(format: "%.1f", mb)) MB in \(String(format: "%.2f", summary.seconds)) s"
                    + (summary.unchangedFiles > 0 ? "; \(counted(summary.unchangedFiles, "file")) unchanged" : "")
                    + (summary.appendedFiles > 0
                        ? "; \(counted(summary.appendedFiles, "file")) grown: only the new records read"
                        : "")
                    + (summary.rereadFiles > 0
                        ? "; \(counted(summary.rereadFiles, "file")) read again by newer readers"
                        : "")
                    + (summary.removedFiles > 0 ? "; \(counted(summary.removedFiles, "file")) removed" : "")
                    + (summary.restoredArticles > 0
                        ? "; \(counted(summary.restoredArticles, "article")) restored from another file's copy"
                        : "")
                    + (summary.skippedAssets > 0
                        ? "; \(counted(summary.skippedAssets, "web asset or media file", plural: "web assets and media files")) skipped"
                        : "")
                    + (summary.skippedBackups > 0
                        ? "; \(counted(summary.skippedBackups, "editor backup file")) skipped" : "")
                    + (summary.excludedPaths > 0 ? "; \(counted(summary.excludedPaths, "path")) excluded" : "")
                    + (summary.unfollowedLinks > 0
                        ? "; \(counted(summary.unfollowedLinks, "link to a directory", plural: "links to directories")) "
                            + "not followed (--follow-links)" : "")
                    + (summary.duplicates > 0 ? "; \(counted(summary.duplicates, "duplicate")) replaced" : "")
                    + (summary.filesWithErrors > 0 ? "; \(counted(summary.filesWithErrors, "file")) with errors" : ""))
            if let parsedSynonyms {
                print("synonyms: \(counted(parsedSynonyms.rules.count, "rule")) kept with the index")
            } else if clearSynonyms {
                print("synonyms: none (cleared)")
            }
        }
        if summary.filesWithErrors > 0 { throw ExitCode(3) }
    }
}

extension AnalyzerKind: ExpressibleByArgument {}
