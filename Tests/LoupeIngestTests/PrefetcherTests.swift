import Foundation
import Testing

@testable import LoupeCore
@testable import LoupeIngest

@Suite("reading corpus files ahead")
struct PrefetcherTests {
    /// More files than may wait at once, read on three threads: each is taken in order with
    /// what `ArticleLoading.load` gives it, and a file at the streaming threshold is left to
    /// the caller (nil).
    @Test func filesAreTakenInOrderWithTheirOwnArticles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-prefetch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<300 {
            let text = i == 150 ? String(repeating: "big words ", count: 500) : "Title \(i)\n\nbody of file \(i)\n"
            try text.write(
                to: dir.appendingPathComponent(String(format: "f%03d.txt", i)), atomically: true, encoding: .utf8)
        }
        let files = CorpusWalker(root: dir.path).walk { _ in }
        #expect(files.count == 300)
        let p = Prefetcher(files: files, streamingThreshold: 4000)
        p.start(threads: 3)
        defer { p.stop() }
        for (i, f) in files.enumerated() {
            let r = p.take(i)
            if f.size >= 4000 {
                #expect(r == nil)
            } else {
                #expect(r?.articles.map(\.title) == ["Title \(i)"], "\(f.relativePath)")
            }
        }
    }

    /// Stopping before every file was taken ends the threads (no file is read past the ones
    /// already started).
    @Test func stoppingEarlyEndsTheThreads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-prefetch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<600 {
            try "T\(i)\n\nbody\n".write(
                to: dir.appendingPathComponent(String(format: "f%03d.txt", i)), atomically: true, encoding: .utf8)
        }
        let p = Prefetcher(files: CorpusWalker(root: dir.path).walk { _ in }, streamingThreshold: 1 << 30)
        p.start(threads: 2)
        #expect(p.take(0)?.articles.first?.title == "T0")
        p.stop()
    }
}

@Suite("a reader's corpus file records")
struct ReaderFileRecordsTests {
    /// A reader opens the manifest without its file records (thousands for a corpus of one file
    /// per article) and decodes them when asked: the same records the writer stored.
    @Test func fileRecordsAreReadOnDemand() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-files-\(UUID())").path
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for i in 0..<40 {
            try "Note \(i)\n\nbody \(i)\n".write(toFile: corpus + "/n\(i).txt", atomically: true, encoding: .utf8)
        }
        let writer = try IndexWriter(directory: root + "/index", analyzer: .english, reset: true)
        _ = try CorpusIndexer(root: corpus, writer: writer).run()
        let reader = try IndexReader(directory: root + "/index")
        #expect(reader.manifest.files.isEmpty)
        let files = try reader.files()
        #expect(files == (try Manifest.load(directory: root + "/index").files))
        #expect(files.count == 40 && files["n7.txt"]?.articles == 1)
        #expect(reader.manifest.segments.count >= 1 && reader.documentCount == 40)
        #expect(try reader.fileCount() == 40)
    }

    func corpus(_ root: String, notes: Int) throws -> String {
        let corpus = root + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus + "/sub", withIntermediateDirectories: true)
        for i in 0..<notes {
            try "Note \(i)\n\nbody \(i)\n".write(
                toFile: corpus + (i % 3 == 0 ? "/sub" : "") + "/n\(i).txt", atomically: true, encoding: .utf8)
        }
        return corpus
    }

    func listFiles(_ index: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: index).filter { FileList.isListName($0) }.sorted()
    }

    /// The records live in a list file the MANIFEST names: a commit that changes none keeps it,
    /// one that changes any writes the next generation's and removes the old.
    @Test func theFileListIsKeptUntilARecordChanges() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-list-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = try corpus(root, notes: 30)
        let index = root + "/index"
        _ = try CorpusIndexer(root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: true))
            .run()
        let first = try listFiles(index)
        #expect(first.count == 1)
        let json = String(decoding: try FileIO.read(index + "/MANIFEST"), as: UTF8.self)
        #expect(json.contains("\"fileList\"") && !json.contains("n7.txt"))
        // Nothing changed: same list file, a new generation.
        _ = try CorpusIndexer(root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: false))
            .run()
        #expect(try listFiles(index) == first)
        #expect(try IndexReader(directory: index).manifest.generation == 2)
        // One file more: a new list, the old one gone, every record there.
        try "Note 99\n\nbody\n".write(toFile: corpus + "/n99.txt", atomically: true, encoding: .utf8)
        _ = try CorpusIndexer(root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: false))
            .run()
        let second = try listFiles(index)
        #expect(second.count == 1 && second != first)
        let reader = try IndexReader(directory: index)
        #expect(try reader.files().count == 31 && reader.files()["sub/n3.txt"]?.articles == 1)
        #expect(try reader.fileCount() == 31)
        try reader.check()
    }

    /// An index written before list files (records in the MANIFEST's JSON) is read as it is,
    /// and its next commit moves the records to a list file.
    @Test func recordsInTheManifestOfAnOlderIndexAreRead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-oldlist-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = try corpus(root, notes: 12)
        let index = root + "/index"
        _ = try CorpusIndexer(root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: true))
            .run()
        let want = try IndexReader(directory: index).files()
        // Rewrite the MANIFEST as the thirteenth session's loupe wrote it.
        let raw = try FileIO.read(index + "/MANIFEST")
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(raw[0..<(raw.count - 17)])) as? [String: Any])
        let list = try #require(object.removeValue(forKey: "fileList") as? [String: Any])
        var files: [String: Any] = [:]
        for (path, rec) in want {
            files[path] = [
                "size": rec.size, "mtime": rec.mtime, "articles": rec.articles,
                "parts": rec.parts.map { ["segment": $0.segment, "firstDoc": $0.firstDoc, "count": $0.count] },
            ]
        }
        object["files"] = files
        let json = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        let crc = String(CRC32C.checksum(json), radix: 16)
        try FileIO.write(
            json + Array(("\ncrc32c " + String(repeating: "0", count: 8 - crc.count) + crc + "\n").utf8),
            to: index + "/MANIFEST")
        try FileManager.default.removeItem(atPath: index + "/" + (list["name"] as! String))
        let old = try IndexReader(directory: index)
        #expect(old.manifest.fileList == nil)
        #expect(try old.files() == want && old.fileCount() == 12)
        // The next update reads them, finds nothing changed, and writes the list.
        let summary = try CorpusIndexer(
            root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: false)
        ).run()
        #expect(summary.articles == 0)
        #expect(try listFiles(index).count == 1)
        #expect(try IndexReader(directory: index).files() == want)
    }

    /// Files that gave no article to an older loupe's readers are read again by newer readers
    /// (once: the index then records the readers' version), changed or not; others are not.
    @Test func filesThatGaveNothingAreReadAgainByNewerReaders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-reread-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = try corpus(root, notes: 6)
        let index = root + "/index"
        _ = try CorpusIndexer(root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: true))
            .run()
        // As an older loupe left it: no readers' version, and n4.txt gave nothing.
        var m = try Manifest.load(directory: index)
        #expect(m.loaders == ArticleLoading.version)
        m.loaders = nil
        m.files["n4.txt"]?.articles = 0
        try m.commit(directory: index)
        let first = try CorpusIndexer(
            root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: false)
        ).run()
        #expect(first.rereadFiles == 1 && first.unchangedFiles == 5 && first.articles == 1)
        #expect(try Manifest.load(directory: index).files["n4.txt"]?.articles == 1)
        let second = try CorpusIndexer(
            root: corpus, writer: try IndexWriter(directory: index, analyzer: .english, reset: false)
        ).run()
        #expect(second.rereadFiles == 0 && second.unchangedFiles == 6 && second.documentsInIndex == 6)
        #expect(ArticleLoading.readAgain("a/memo.RTF", articles: 1, since: 1))
        #expect(ArticleLoading.readAgain("site.warc.gz", articles: 1, since: 1))
        #expect(!ArticleLoading.readAgain("a/memo.txt", articles: 1, since: 1))
        #expect(!ArticleLoading.readAgain("a/memo.rtf", articles: 0, since: ArticleLoading.version))
        // Version 4: MediaWiki exports an older loupe read as one generic XML article.
        #expect(ArticleLoading.readAgain("dumps/wiki.xml", articles: 1, since: 3))
        #expect(ArticleLoading.readAgain("dumps/wiki.xml.gz", articles: 1, since: 3))
        #expect(!ArticleLoading.readAgain("dumps/wiki.xml", articles: 5, since: 3))
        #expect(!ArticleLoading.readAgain("dumps/wiki.xml", articles: 1, since: 5))
        // Version 4 also opens archives attached to mails.
        #expect(ArticleLoading.readAgain("mail/box.mbox", articles: 3, since: 3))
        #expect(!ArticleLoading.readAgain("mail/box.mbox", articles: 3, since: 7))
        // Version 5: Reuters Corpus items an older loupe read as one generic XML article.
        #expect(ArticleLoading.readAgain("rcv1/19960820/2286newsML.xml", articles: 1, since: 4))
        #expect(!ArticleLoading.readAgain("rcv1/19960820/2286newsML.xml", articles: 1, since: 5))
        // Version 6: Evernote and feed-reader exports, WordPress exports, saved web pages.
        #expect(ArticleLoading.readAgain("notes/clips.enex", articles: 1, since: 5))
        #expect(ArticleLoading.readAgain("reader/starred.json", articles: 1, since: 5))
        #expect(!ArticleLoading.readAgain("reader/many.json", articles: 40, since: 5))
        #expect(ArticleLoading.readAgain("blog.wordpress.2024-03-05.xml", articles: 40, since: 5))
        #expect(ArticleLoading.readAgain("saved/page.mhtml", articles: 1, since: 5))
        #expect(ArticleLoading.readAgain("Mail/INBOX.mbox/Messages/12.emlx", articles: 1, since: 5))
        #expect(!ArticleLoading.readAgain("notes/clips.enex", articles: 1, since: 6))
        #expect(!ArticleLoading.readAgain("feeds/world.xml", articles: 40, since: 5))
        // Version 7: presentations and spreadsheets (skipped before: they gave nothing), and the
        // mail and archives that may hold them.
        #expect(ArticleLoading.readAgain("talks/quay.pptx", articles: 0, since: 6))
        #expect(ArticleLoading.readAgain("mail/box.mbox", articles: 3, since: 6))
        #expect(ArticleLoading.readAgain("dump/papers.zip", articles: 12, since: 6))
        #expect(ArticleLoading.readAgain("dump/papers.tar.gz", articles: 12, since: 6))
        #expect(ArticleLoading.readAgain("outlook/fwd.msg", articles: 1, since: 6))
        #expect(!ArticleLoading.readAgain("dump/papers.zip", articles: 12, since: 9))
        #expect(!ArticleLoading.readAgain("feeds/world.xml", articles: 40, since: 6))
        #expect(!ArticleLoading.readAgain("notes/a.txt", articles: 1, since: 6))
        // Version 8: web pages read by their paragraphs, and the archives that may hold them.
        #expect(ArticleLoading.readAgain("site/news/story.HTML", articles: 1, since: 7))
        #expect(ArticleLoading.readAgain("crawl/2019.warc.gz", articles: 300, since: 7))
        #expect(ArticleLoading.readAgain("saved/page.mht", articles: 1, since: 7))
        #expect(ArticleLoading.readAgain("dump/site.zip", articles: 12, since: 7))
        #expect(!ArticleLoading.readAgain("site/news/story.html", articles: 1, since: 8))
        #expect(!ArticleLoading.readAgain("mail/box.mbox", articles: 3, since: 7))
        #expect(!ArticleLoading.readAgain("feeds/world.xml", articles: 40, since: 7))
        // Version 9: Markdown files without their HTML comments, and the archives that may hold
        // them; a file that opened with comments and gave nothing is read again as any such.
        #expect(ArticleLoading.readAgain("docs/README.md", articles: 1, since: 8))
        #expect(ArticleLoading.readAgain("docs/README.md.gz", articles: 1, since: 8))
        #expect(ArticleLoading.readAgain("notes/Tides.Markdown", articles: 1, since: 8))
        #expect(ArticleLoading.readAgain("dump/docs.tar.xz", articles: 40, since: 8))
        #expect(ArticleLoading.readAgain("docs/index.txt", articles: 0, since: 8))
        #expect(!ArticleLoading.readAgain("docs/README.md", articles: 1, since: 9))
        #expect(!ArticleLoading.readAgain("notes/a.txt", articles: 1, since: 8))
        #expect(!ArticleLoading.readAgain("site/news/story.html", articles: 1, since: 8))
        // Version 12: feeds with a `<` in a quoted attribute value were rejected: read again
        // as files that gave nothing; feeds that gave articles are not.
        #expect(ArticleLoading.readAgain("feeds/world.xml", articles: 0, since: 11))
        #expect(!ArticleLoading.readAgain("feeds/world.xml", articles: 40, since: 11))
        #expect(!ArticleLoading.readAgain("feeds/world.xml", articles: 0, since: 12))
    }

    /// A large file's progress is reported while it streams, not only once it is read.
    @Test func streamedFileReportsProgressAsItIsRead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-progress-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/c", withIntermediateDirectories: true)
        let lines = (0..<2000).map { "{\"id\": \"p\($0)\", \"title\": \"T\($0)\", \"text\": \"zqprogress \($0)\"}" }
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(toFile: root + "/c/big.jsonl", atomically: true, encoding: .utf8)
        let indexer = CorpusIndexer(
            root: root + "/c", writer: try IndexWriter(directory: root + "/index", analyzer: .english, reset: true))
        indexer.streamingThreshold = 1
        var seen: [(bytes: Int64, articles: Int)] = []
        indexer.onProgress = { s, total in
            #expect(total == Int64(text.utf8.count))
            seen.append((s.bytes, s.articles))
        }
        let summary = try indexer.run()
        #expect(summary.articles == 2000)
        // Calls during the file (articles counted, bytes not yet the whole file), then its end.
        let during = seen.filter { $0.articles > 0 && $0.bytes > 0 && $0.bytes <= Int64(text.utf8.count) }
        #expect(during.count >= 2000 / 64 - 1, "\(seen)")
        #expect(zip(during, during.dropFirst()).allSatisfy { $0.articles < $1.articles && $0.bytes <= $1.bytes })
        #expect(seen.last?.articles == 2000)
    }

    /// Every list file holds what it was given, prefixes shared or not, resume points or not
    /// (a list without any ends after its records, as lists written before them did).
    @Test(arguments: [false, true]) func listFilesRoundTrip(resumes: Bool) throws {
        var files: [String: Manifest.FileRecord] = [:]
        var rng = SystemRandomNumberGenerator()
        for i in 0..<500 {
            let path = ["a", "a/b", "a/bc", "z", "é/ü"].randomElement(using: &rng)! + "/f\(i % 37)-\(i).txt"
            let parts = (0..<(i % 4)).map {
                Manifest.Part(segment: "seg00000\($0 + 1)", firstDoc: Int.random(in: 0..<100_000), count: i % 7)
            }
            files[path] = Manifest.FileRecord(
                size: i % 10 == 0 ? -1 : Int64.random(in: 0...Int64.max),
                mtime: Int64.random(in: Int64.min...Int64.max),
                articles: i % 5, parts: parts,
                resume: resumes && i % 3 == 0
                    ? Manifest.Resume(
                        size: Int64.random(in: 1...Int64.max), crc: UInt32.random(in: 0...UInt32.max),
                        lines: Int.random(in: 0...Int.max), units: i) : nil)
        }
        files[""] = Manifest.FileRecord(size: 0, mtime: 0, articles: 0)
        let bytes = FileList.encode(files)
        var plain = files
        for k in plain.keys { plain[k]?.resume = nil }
        let plainBytes = FileList.encode(plain)
        #expect(resumes == (bytes != plainBytes))
        if resumes { #expect(Array(bytes[..<(plainBytes.count - 8)]) == Array(plainBytes.dropLast(8))) }
        let crc = bytes.withUnsafeBytes {
            UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self))
        }
        let ref = FileList.Reference(name: "x", records: files.count, size: bytes.count, crc: crc)
        #expect(try bytes.withUnsafeBytes { try FileList.decode($0, ref, file: "x") } == files)
        // A flipped byte anywhere is caught.
        for at in stride(from: 0, to: bytes.count, by: 97) {
            var bad = bytes
            bad[at] ^= 0x10
            #expect(throws: IndexError.self) { try bad.withUnsafeBytes { try FileList.decode($0, ref, file: "x") } }
        }
    }
}
