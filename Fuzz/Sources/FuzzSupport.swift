// Shared by every fuzz target: a small deterministic index built once per process in a private
// directory under /dev/shm (or /tmp), and a scratch directory for files written per input.
// Built by Scripts/fuzz with `@testable import LoupeCore` (see Fuzz/README-section.md).
import Foundation

@testable import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

enum FuzzSupport {
    /// Words of the base index: common ones (full postings blocks of 128 documents), rarer ones,
    /// accented and possessive forms, and a few stems.
    static let vocabulary = [
        "oil", "price", "prices", "iran", "talks", "baghdad", "green", "zone", "market", "bank",
        "rate", "rates", "cocoa", "coffee", "sugar", "gold", "wheat", "corn", "opec", "crude",
        "café", "naïve", "iran's", "running", "runs", "ran", "united", "states", "nuclear", "energy",
        "the", "a", "of", "and", "to", "in", "dollar", "yen", "trade", "deficit",
    ]

    /// A root directory private to this process.
    static let root: String = {
        let base = FileIO.isDirectory("/dev/shm") ? "/dev/shm" : "/tmp"
        let dir = "\(base)/loupe-fuzz-\(getpid())"
        try? FileIO.makeDirectory(dir)
        atexit {
            let dir = FuzzSupport.rootPath()
            for f in FileIO.listDirectory(dir) {
                let sub = dir + "/" + f
                for g in FileIO.listDirectory(sub) { unlink(sub + "/" + g) }
                rmdir(sub)
                unlink(sub)
            }
            rmdir(dir)
        }
        return dir
    }()

    static func rootPath() -> String {
        let base = FileIO.isDirectory("/dev/shm") ? "/dev/shm" : "/tmp"
        return "\(base)/loupe-fuzz-\(getpid())"
    }

    /// The articles of the base index (140 documents, so common terms have a full block).
    static func articles() -> [Article] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var out: [Article] = []
        for i in 0..<140 {
            let title = (0..<(1 + next(4))).map { _ in vocabulary[next(vocabulary.count)] }.joined(separator: " ")
            var words: [String] = []
            for _ in 0..<(2 + next(9)) {
                words.append(next(3) == 0 ? vocabulary[next(6)] : vocabulary[next(vocabulary.count)])
            }
            if i % 7 == 0 { words += ["green", "zone"] }
            // Both spellings of hyphenated words and initials (the closed-up reading of
            // `SegmentBuilder`).
            if i % 11 == 5 { words += ["cease-fire", "e-mail", "U.K."] }
            if i % 13 == 6 { words += ["ceasefire", "emails", "UK"] }
            // Acronyms spelt like function words, dotted and in capitals beside lower-case words.
            if i % 17 == 8 { words += ["U.S.", "economy", "US", "markets", "IT", "spending"] }
            // Numbers with and without thousands separators.
            if i % 19 == 9 { words += ["1,500", "troops", "2,000,000"] }
            if i % 23 == 10 { words += ["1500", "2000000"] }
            let date = i % 3 == 0 ? nil : "2007-0\(1 + i % 9)-1\(i % 10)T00:00:00Z"
            out.append(
                Article(
                    id: "doc-\(i)", title: title, body: words.joined(separator: " "), date: date,
                    categories: i % 4 == 0 ? ["cat\(i % 3)"] : [], link: i % 5 == 0 ? "http://example.com/\(i)" : nil,
                    source: "fuzz/f\(i % 4).txt", position: i))
        }
        return out
    }

    /// Builds an index of `articles()` in `dir`: `seg000001`, then an update that replaces every
    /// seventh article, whose old copies `seg000001` keeps, deleted, with their counts (its
    /// `.del` file), the new ones in `seg000002`.
    static func buildIndex(in dir: String) {
        do {
            try FileIO.makeDirectory(dir)
            do {
                let w = try IndexWriter(directory: dir, analyzer: .english, reset: true)
                for (i, a) in articles().enumerated() {
                    try w.add(a, order: ArticleOrder(run: 1, file: 0, position: i))
                }
                try w.commit(corpusRoot: nil)
            }
            let w = try IndexWriter(directory: dir, analyzer: .english, reset: false)
            for (i, a) in articles().enumerated() where i % 7 == 3 {
                var b = a
                b.body += " replaced oil"
                try w.add(b, order: ArticleOrder(run: 2, file: 0, position: i))
            }
            try w.commit(corpusRoot: nil)
        } catch {
            fatalError("fuzz: cannot build the base index in \(dir): \(error)")
        }
    }

    /// Writes `bytes` to `path` (no fsync: scratch files on tmpfs).
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "fuzz: cannot write \(path)")
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            precondition(n > 0, "fuzz: write failed")
            off += n
        }
        close(fd)
    }

    /// Runs a query end to end as `loupe find` does: top hits, exact count, spans and snippets.
    static func exercise(_ searcher: Searcher, _ node: QueryNode) {
        guard let bound = try? searcher.prepare(node) else { return }
        guard let result = try? searcher.search(bound, limit: 5) else { return }
        _ = try? searcher.search(bound, limit: 3, exactTotal: false)
        _ = try? searcher.count(bound)
        let analyzer = Analyzer(searcher.reader.analyzer)
        for h in result.hits {
            guard let a = try? searcher.reader.article(h.doc), let spans = try? searcher.spans(bound, doc: h.doc) else {
                continue
            }
            _ = SnippetBuilder.build(article: a, spans: spans, analyzer: analyzer)
        }
    }
}
