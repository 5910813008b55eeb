/// Builds one segment in RAM: inverts analysed articles into per-term postings and positions,
/// keeps exact document lengths and stored fields, then writes the segment files.
///
/// Not thread-safe: each indexing thread owns one builder and flushes its own segments.
public final class SegmentBuilder {
    public let analyzerKind: AnalyzerKind
    private let analyzer: Analyzer
    private let stemmer: EnglishStemmer?
    private let terms = TermTable()

    // Per-term state, indexed by term id.
    private var lastDoc: [Int32] = []
    private var lastPos: [Int32] = []
    private var freqInDoc: [Int32] = []
    private var docFreq: [Int32] = []
    private var totalFreq: [Int64] = []
    private var maxFreq: [Int32] = []
    private var docBytes: [[UInt8]] = []  // varint doc deltas
    private var freqBytes: [[UInt8]] = []  // varint frequencies
    private var posBytes: [[UInt8]] = []  // varint position deltas, restarting at each document
    private var stemOf: [Int32] = []  // exact term -> its stem term (-1: none/unknown)
    private var stemMembers: [Int32] = []  // stem term -> number of distinct exact variants

    private var touched: [Int32] = []
    private var currentDoc: Int32 = 0
    private var lengths: [UInt32] = []  // lengthSlots per document
    private var store = StoredFieldsWriter()
    private var stemScratch: [UInt8] = []

    /// Per document: article id and its order key (file sequence, position in file); a later
    /// order wins when two documents share an id.
    public private(set) var docIds: [String] = []
    public private(set) var docOrder: [ArticleOrder] = []
    /// Corpus files whose articles this builder holds: path -> (first local doc, count).
    public private(set) var fileRanges: [(path: String, record: Manifest.FileRecord)] = []

    /// Approximate bytes held in RAM (postings, positions, terms, stored fields).
    public private(set) var approximateBytes = 0
    public private(set) var documentCount = 0

    public init(analyzer kind: AnalyzerKind) {
        analyzerKind = kind
        analyzer = Analyzer(kind)
        stemmer = kind == .english ? EnglishStemmer() : nil
    }

    @inline(__always)
    private func term(_ field: IndexField, _ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        var isNew = false
        let id = terms.intern(field.rawValue, key, isNew: &isNew)
        if isNew {
            lastDoc.append(-1)
            lastPos.append(0)
            freqInDoc.append(0)
            docFreq.append(0)
            totalFreq.append(0)
            maxFreq.append(0)
            docBytes.append([])
            freqBytes.append([])
            posBytes.append([])
            stemOf.append(-1)
            stemMembers.append(0)
            approximateBytes += 160 + key.count
        }
        return id
    }

    @inline(__always)
    private static func appendVarint(_ a: inout [UInt8], _ value: UInt32) {
        var v = value
        while v >= 0x80 {
            a.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        a.append(UInt8(v))
    }

    @inline(__always)
    private func occurrence(_ id: Int32, _ pos: Int32) {
        let i = Int(id)
        let doc = currentDoc
        if lastDoc[i] != doc {
            SegmentBuilder.appendVarint(&docBytes[i], UInt32(doc - max(lastDoc[i], 0)))
            lastDoc[i] = doc
            lastPos[i] = 0
            freqInDoc[i] = 0
            docFreq[i] += 1
            touched.append(id)
            approximateBytes += 3
        }
        SegmentBuilder.appendVarint(&posBytes[i], UInt32(pos - lastPos[i]))
        lastPos[i] = pos
        freqInDoc[i] += 1
        approximateBytes += 2
    }

    /// The stem-space term for exact term `id` (computed once per distinct term).
    private func stemTerm(of id: Int32, field: IndexField, key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let s = stemOf[Int(id)]
        if s >= 0 { return s }
        stemScratch = stemmer!.stem(Array(key))
        let sid = stemScratch.withUnsafeBufferPointer { term(field, $0) }
        stemOf[Int(id)] = sid
        stemMembers[Int(sid)] += 1
        return sid
    }

    /// Indexes `text` into `field` (and its stemmed twin) from position `start`; returns the
    /// number of tokens.
    private func invert(_ text: String, field: IndexField, start: Int32) -> Int32 {
        var count: Int32 = 0
        let stemField = stemmer != nil ? field.stemmed : nil
        analyzer.analyze(text) { tok in
            let pos = start + tok.position
            let id = term(field, tok.term)
            occurrence(id, pos)
            if let sf = stemField {
                occurrence(stemTerm(of: id, field: sf, key: tok.term), pos)
            }
            count += 1
        }
        return count
    }

    /// Records that the articles added since `firstDoc` came from the corpus file `path`.
    public func recordFile(_ path: String, size: Int64, mtime: Int64, firstDoc: Int) {
        fileRanges.append(
            (path, Manifest.FileRecord(size: size, mtime: mtime, articles: documentCount - firstDoc, firstDoc: firstDoc)))
    }

    /// The `id` field term for an article id: its UTF-8 bytes, or for ids longer than 200
    /// bytes the first 180 followed by a 64-bit FNV-1a hash of the whole id in hex.
    public static func idTerm(_ id: String) -> [UInt8] {
        let b = Array(id.utf8)
        if b.count <= 200 { return b }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b {
            h ^= UInt64(x)
            h = h &* 0x100_0000_01b3
        }
        return Array(b[0..<180]) + Array(String(h, radix: 16).utf8)
    }

    /// Adds one article as the next document (local id `documentCount`).
    public func add(_ article: Article, order: ArticleOrder = ArticleOrder(file: 0, position: 0)) {
        docIds.append(article.id)
        docOrder.append(order)
        currentDoc = Int32(documentCount)
        SegmentBuilder.idTerm(article.id).withUnsafeBufferPointer { occurrence(term(.id, $0), 0) }
        let titleLen = invert(article.title, field: .text, start: 0)
        let bodyStart = titleLen > 0 ? titleLen + FieldLayout.titleBodyGap : 0
        let bodyLen = invert(article.body, field: .text, start: bodyStart)
        let tLen = invert(article.title, field: .title, start: 0)
        var cLen: Int32 = 0
        for c in article.categories {
            cLen += invert(c, field: .category, start: cLen + (cLen > 0 ? FieldLayout.titleBodyGap : 0))
        }
        let sLen = invert(article.source, field: .source, start: 0)
        lengths.append(UInt32(titleLen + bodyLen))
        lengths.append(UInt32(tLen))
        lengths.append(UInt32(cLen))
        lengths.append(UInt32(sLen))
        for id in touched {
            let i = Int(id)
            let f = freqInDoc[i]
            SegmentBuilder.appendVarint(&freqBytes[i], UInt32(f))
            totalFreq[i] += Int64(f)
            if f > maxFreq[i] { maxFreq[i] = f }
        }
        touched.removeAll(keepingCapacity: true)
        let before = store.byteCount
        store.add(article)
        approximateBytes += store.byteCount - before + 24
        documentCount += 1
    }

    /// Writes the segment files `<dir>/<name>.{dict,post,pos,len,store}` (each fsynced).
    public func write(to dir: String, name: String) throws -> SegmentInfo {
        let order = terms.sortedIds()
        var dict = DictionaryWriter()
        var post = ByteWriter(capacity: approximateBytes / 3)
        IndexFile.header(kind: "POST", into: &post)
        var posn = ByteWriter(capacity: approximateBytes / 2)
        IndexFile.header(kind: "POSN", into: &posn)
        var written = [TermInfo?](repeating: nil, count: terms.count)
        var encoder = PostingsEncoder()
        // Exact term whose postings a single-variant stem term can share.
        var soleVariant = [Int32](repeating: -1, count: terms.count)
        for id in 0..<terms.count where stemOf[id] >= 0 && stemMembers[Int(stemOf[id])] == 1 {
            soleVariant[Int(stemOf[id])] = Int32(id)
        }
        lengths.withUnsafeBufferPointer { lens in
            for id in order {
                let i = Int(id)
                let key = Array(terms.key(id))
                var info: TermInfo
                if soleVariant[i] >= 0, let shared = written[Int(soleVariant[i])] {
                    info = shared
                } else {
                    let slot = IndexField(rawValue: key[0])!.lengthSlot
                    info = encoder.encode(
                        docs: docBytes[i], freqs: freqBytes[i], positions: posBytes[i], df: Int(docFreq[i]),
                        lengths: lens, slot: slot, post: &post, posn: &posn)
                    info.totalTermFreq = UInt64(totalFreq[i])
                }
                written[i] = info
                dict.add(key: key, info: info)
            }
        }
        IndexFile.finish(&post)
        IndexFile.finish(&posn)
        let dictBytes = dict.finish()

        var lens = ByteWriter(capacity: lengths.count * 4 + 32)
        IndexFile.header(kind: "LENS", into: &lens)
        lens.u32(UInt32(IndexField.lengthSlots))
        lens.u64(UInt64(documentCount))
        for l in lengths { lens.u32(l) }
        IndexFile.finish(&lens)

        let st = store.finish()

        var sums = [UInt64](repeating: 0, count: IndexField.lengthSlots)
        for (k, l) in lengths.enumerated() { sums[k % IndexField.lengthSlots] += UInt64(l) }

        let base = dir + "/" + name
        try FileIO.write(dictBytes, to: base + ".dict")
        try FileIO.write(post.bytes, to: base + ".post")
        try FileIO.write(posn.bytes, to: base + ".pos")
        try FileIO.write(lens.bytes, to: base + ".len")
        try FileIO.write(st, to: base + ".store")
        var info = SegmentInfo(
            name: name, documents: documentCount, terms: terms.count, lengthSums: sums,
            analyzer: analyzerKind)
        if let o = docOrder.first { info.order = [o.run, o.file, o.position] }
        return info
    }
}

/// Where an article came from in a run: later files and later positions win duplicates.
public struct ArticleOrder: Sendable, Comparable {
    public var run: Int = 0
    public var file: Int
    public var position: Int

    public init(run: Int = 0, file: Int, position: Int) {
        self.run = run
        self.file = file
        self.position = position
    }

    public static func < (a: ArticleOrder, b: ArticleOrder) -> Bool {
        (a.run, a.file, a.position) < (b.run, b.file, b.position)
    }
}

/// What a segment's manifest entry records about it.
public struct SegmentInfo: Codable, Sendable, Equatable {
    public var name: String
    public var documents: Int
    public var terms: Int
    /// Sum of document lengths per length slot (see `IndexField.lengthSlot`).
    public var lengthSums: [UInt64]
    public var analyzer: AnalyzerKind
    /// Sorted local ids of deleted documents.
    public var deleted: [Int] = []
    /// Order key (run, file, position) of the segment's first article: segments are numbered
    /// in this order, so document numbers do not depend on thread timing.
    public var order: [Int]? = nil

    public var liveDocuments: Int { documents - deleted.count }

    public static let fileExtensions = ["dict", "post", "pos", "len", "store"]
}
