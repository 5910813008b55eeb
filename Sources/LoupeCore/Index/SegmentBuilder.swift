import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
/// Builds one segment in RAM: inverts analysed articles into per-term postings and positions,
/// keeps exact document lengths and stored fields, then writes the segment files.
///
/// Not thread-safe: each indexing thread owns one builder and flushes its own segments.
public final class SegmentBuilder {
    public let analyzerKind: AnalyzerKind
    private let analyzer: Analyzer
    private let stemmer: EnglishStemmer?
    /// Terms with their per-term state (`TermRecord`), indexed by term id.
    private let terms = TermTable()
    private let pool: SlicePool

    private var touched: [Int32] = []
    private var currentDoc: Int32 = 0
    private var lengths: [UInt32] = []  // lengthSlots per document
    private var dates: [Int64] = []  // per document (DateColumn)
    private var store = StoredFieldsWriter()
    private var stemScratch: [UInt8] = []

    /// Per document: article id and its order key (file sequence, position in file); a later
    /// order wins when two documents share an id.
    public private(set) var docIds: [String] = []
    public private(set) var docOrder: [ArticleOrder] = []
    /// Runs of articles from corpus files: path, first local doc, count, and the position in
    /// its file of the run's first article.
    public private(set) var fileParts: [(path: String, firstDoc: Int, count: Int, firstPosition: Int)] = []

    /// Approximate bytes held in RAM (postings, positions, terms, stored fields).
    public private(set) var approximateBytes = 0
    public private(set) var documentCount = 0

    /// `poolBlocks` (tests): the postings pool's size limit in 64 KB blocks.
    public init(analyzer kind: AnalyzerKind, poolBlocks: Int = 1 << 16) {
        pool = SlicePool(blockLimit: poolBlocks)
        analyzerKind = kind
        analyzer = Analyzer(kind)
        stemmer = kind == .english ? EnglishStemmer() : nil
    }

    /// A builder that only counts (`forEachTermStatistic`, for `DeletionStats`): the articles
    /// are not stored (no record encoded, no block compressed); it cannot be written.
    var countsOnly = false

    /// True when the builder must be flushed whatever its memory budget: its postings pool has
    /// used three quarters of its 32-bit addresses (3 GB), or it holds 2^26 terms.
    public var mustFlush: Bool { pool.blocksLeft <= pool.blockLimit / 4 || terms.count >= 1 << 26 }

    /// Documents whose inverting stopped early because they alone would have filled the
    /// postings pool (a hostile input: over a gigabyte of distinct words): their ids.
    public private(set) var truncatedDocuments: [String] = []
    private var truncating = false

    /// Checked every 4,096 tokens of a field: stop inverting the current document while a
    /// margin remains (4,096 tokens add at most a few hundred KB, far less than 1/16 of a pool).
    @inline(__always)
    private func poolNearlyFull() -> Bool { pool.blocksLeft <= pool.blockLimit / 16 || terms.count >= 1 << 27 }

    @inline(__always)
    private func term(_ field: IndexField, _ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        var isNew = false
        return terms.intern(field.rawValue, key, isNew: &isNew)
    }

    /// Records an occurrence of term `id` at `pos` in the current document. A term's first
    /// occurrence in a document writes the document's delta; its frequency follows when the
    /// document ends (`add`).
    @inline(__always)
    private func occurrence(_ id: Int32, _ pos: Int32) {
        let st = terms.records + Int(id)
        let last = st.pointee.lastDoc
        if last != currentDoc {
            pool.appendVarint(&st.pointee.docs, &st.pointee.docsLevel, UInt32(currentDoc - max(last, 0)))
            st.pointee.lastDoc = currentDoc
            st.pointee.lastPos = 0
            st.pointee.freqInDoc = 0
            st.pointee.docFreq += 1
            touched.append(id)
        }
        pool.appendVarint(&st.pointee.positions, &st.pointee.positionsLevel, UInt32(pos - st.pointee.lastPos))
        st.pointee.lastPos = pos
        st.pointee.freqInDoc += 1
    }

    /// The stem-space term for exact term `id` (computed once per distinct term).
    private func stemTerm(of id: Int32, field: IndexField, key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let s = terms.records[Int(id)].stemOf
        if s >= 0 { return s }
        stemScratch = stemmer!.stemUnified(Array(key))
        let sid = stemScratch.withUnsafeBufferPointer { term(field, $0) }
        terms.records[Int(id)].stemOf = sid
        terms.records[Int(sid)].stemMembers += 1
        return sid
    }

    /// A token waiting in `invert`'s ring: its key (copied to `ringKeys`), prefix and hash.
    private struct PendingToken {
        var prefix: UInt64
        var hash: UInt32
        var length: Int32
        var position: Int32
        var start: Int
        var end: Int
    }
    /// Tokens are looked up `ringSize` tokens after they are read: the term table's slot and
    /// record of each are prefetched meanwhile (a lookup is mostly waiting on those two cache
    /// misses). Lookups still happen one at a time, in token order, so the segment is the same.
    private static let ringSize = 8
    private let ring = UnsafeMutablePointer<PendingToken>.allocate(capacity: SegmentBuilder.ringSize)
    private let ringKeys = UnsafeMutablePointer<UInt8>.allocate(
        capacity: SegmentBuilder.ringSize * (Analyzer.maxTermBytes + 1))

    deinit {
        ring.deallocate()
        ringKeys.deallocate()
    }

    /// Inverts a list of values (categories, authors) one after another, each `titleBodyGap`
    /// positions after the previous one's last word, so that no phrase spans two values.
    /// Returns the number of words (the field's length).
    private func invertList(_ values: [String], field: IndexField) -> Int32 {
        var words: Int32 = 0
        var next: Int32 = 0
        for v in values {
            let n = invert(v, field: field, start: next)
            if n > 0 {
                words += n
                next += n + FieldLayout.titleBodyGap
            }
        }
        return words
    }

    /// Indexes `text` into `field` (and its stemmed twin) from position `start`; returns the
    /// number of tokens. `abbreviations` (text field, English only): each mention of a short form
    /// other than its definition also adds the long form's stems at its position.
    private func invert(
        _ text: String, field: IndexField, start: Int32, abbreviations: AbbreviationIndex = AbbreviationIndex(),
        definitionsHere: Set<Int> = []
    ) -> Int32 {
        var count: Int32 = 0
        let stemField = stemmer != nil ? field.stemmed : nil
        let size = SegmentBuilder.ringSize
        let stride = Analyzer.maxTermBytes + 1
        var head = 0
        var pending = 0
        var text = text
        // What the previous tokens leave for closing up hyphenated pairs, initials and numbers.
        var joins = JoinState()
        text.withUTF8 { bytes in
            func process(_ k: Int) {
                let p = ring[k]
                let key = UnsafeBufferPointer(start: ringKeys + k * stride, count: Int(p.length))
                var isNew = false
                let id = terms.intern(field.rawValue, key, prefix: p.prefix, hash: p.hash, isNew: &isNew)
                occurrence(id, p.position)
                if let sf = stemField {
                    occurrence(stemTerm(of: id, field: sf, key: key), p.position)
                    if !abbreviations.isEmpty {
                        expand(bytes, p.start, p.end, p.position, abbreviations, definitionsHere)
                    }
                    // Per token only a look at the bytes around it; `closeUp` when a hyphen, a
                    // dot or a comma came before it, or it is one letter.
                    let base = bytes.baseAddress!
                    let next = p.end < bytes.count ? base[p.end] : 0
                    let gap = joins.prevNext
                    if gap == 0x2D || gap == 0xE2 || gap == 0x2E || gap == 0x2C || p.length == 1 {
                        closeUp(&joins, base, bytes.count, p, key, sf)
                    }
                    // Two to four capitals (`US`, `WHO`): perhaps an acronym.
                    if p.length >= 2 && p.length <= 4 && base[p.start] &- 0x41 < 26 && base[p.start + 1] &- 0x41 < 26 {
                        acronymWord(base, bytes.count, p, key, sf)
                    }
                    if next == 0x2D || next == 0xE2 {  // (copied only before a hyphen)
                        joins.prevKey.removeAll(keepingCapacity: true)
                        joins.prevKey.append(contentsOf: key)
                    }
                    joins.prevNext = next
                    joins.prevEnd = p.end
                }
            }
            analyzer.analyze(bytes) { tok in
                if count & 0xFFF == 0xFFF && !truncating && poolNearlyFull() { truncating = true }
                if truncating { return }
                let (pre, h) = TermTable.prefixAndHashPadded(field.rawValue, tok.term)
                terms.prefetchSlot(h)
                if pending == size {
                    process(head)
                    head = (head + 1) & (size - 1)
                    pending -= 1
                }
                if pending >= size / 2 { terms.prefetchRecord(ring[(head + pending - size / 2) & (size - 1)].hash) }
                let k = (head + pending) & (size - 1)
                // Copied 8 bytes at a time (a token has `Token.slack` readable bytes past its
                // end; a slot has room for the longest term's last word).
                if let b = tok.term.baseAddress {
                    let src = UnsafeRawPointer(b)
                    let dst = UnsafeMutableRawPointer(ringKeys + k * stride)
                    var o = 0
                    while o < tok.term.count {
                        dst.storeBytes(
                            of: src.loadUnaligned(fromByteOffset: o, as: UInt64.self), toByteOffset: o, as: UInt64.self)
                        o += 8
                    }
                }
                ring[k] = PendingToken(
                    prefix: pre, hash: h, length: Int32(tok.term.count), position: start + tok.position,
                    start: tok.start, end: tok.end)
                pending += 1
                count += 1
            }
            while pending > 0 {
                process(head)
                head = (head + 1) & (size - 1)
                pending -= 1
            }
        }
        return count
    }

    /// A stem term that holds occurrences of no exact term of its own (abbreviation expansions,
    /// closed-up compounds) never shares an exact term's postings: its variant count is pushed
    /// past 1.
    private static let expandedMark: Int32 = 1 << 20

    /// What `invert` keeps of the previous tokens to close up hyphenated pairs, initials and
    /// numbers written with commas.
    private struct JoinState {
        var prevEnd = -1
        /// The byte after the previous token.
        var prevNext: UInt8 = 0
        /// The end of the last token that a hyphen joined to the one before it.
        var chainedEnd = -2
        /// The end of the last initial of the current run.
        var initialsEnd = -2
        /// The previous token's key, when a hyphen follows it.
        var prevKey: [UInt8] = []
        /// The letters of the current run of initials joined by dots.
        var initials: [UInt8] = []
        /// Whether every initial of the run is a capital.
        var initialsCapitals = false
        /// The end of the last group of the current number written with commas (`1,500`).
        var groupsEnd = -2
        /// The digits of that number so far.
        var groups: [UInt8] = []
    }

    /// The token `p` (key `key`) closes up a hyphenated pair (`cease-fire`: the compound's only
    /// two words), a run of initials joined by dots (`U.K.`, `F.B.I.`; not when a word before
    /// the first is joined to it by a dot too, `www.a.b`; `U.S.` in capitals is an acronym) or a
    /// number's groups joined by commas (`1,500`): see `joinClosed`, `joinAcronym`, `joinNumber`.
    @inline(never)
    private func closeUp(
        _ j: inout JoinState, _ base: UnsafePointer<UInt8>, _ n: Int, _ p: PendingToken,
        _ key: UnsafeBufferPointer<UInt8>, _ sf: IndexField
    ) {
        let gap = j.prevNext
        if (gap == 0x2D || gap == 0xE2) && j.prevEnd >= 0 && Analyzer.isHyphenJoin(base, from: j.prevEnd, to: p.start) {
            if j.chainedEnd != j.prevEnd && !Analyzer.hyphenContinues(base, at: p.end, n) {
                j.prevKey.append(contentsOf: key)  // the closed-up word, in place
                joinClosed(j.prevKey, initials: false, field: sf, p.position)
            }
            j.chainedEnd = p.end
        }
        if gap == 0x2C && key.count == 3 && j.prevEnd >= 0 && Analyzer.isDigits(base, p.start, p.end, count: 3)
            && Analyzer.isCommaJoin(base, from: j.prevEnd, to: p.start)
        {
            // A number's group of three after a comma (`1,500`, `2,000,000`).
            if j.groupsEnd != j.prevEnd {
                guard let lead = Analyzer.leadingDigitGroup(base, endingAt: j.prevEnd) else { return }
                j.groups.removeAll(keepingCapacity: true)
                j.groups.append(contentsOf: UnsafeBufferPointer(start: base + lead, count: j.prevEnd - lead))
            }
            j.groups.append(contentsOf: key)
            j.groupsEnd = p.end
            if !Analyzer.digitGroupContinues(base, at: p.end, n) && j.groups.count <= 21 {
                j.groups.append(0x2C)  // the number's key, in place (the run ends here)
                joinNumber(j.groups, field: sf, p.position)
            }
            return
        }
        guard Analyzer.isInitial(key) else { return }
        let dotted = gap == 0x2E && j.prevEnd >= 0 && Analyzer.isDotJoin(base, from: j.prevEnd, to: p.start)
        if dotted && j.initialsEnd == j.prevEnd && !j.initials.isEmpty {
            j.initials.append(key[0])
            j.initialsEnd = p.end
            j.initialsCapitals = j.initialsCapitals && base[p.start] &- 0x41 < 26
            if !Analyzer.initialContinues(base, at: p.end, n) {
                // `U.S.` in capitals: the acronym `US` (its closed-up `us` is a function word).
                if j.initialsCapitals, let acronym = Analyzer.acronymTerm(j.initials) {
                    joinAcronym(acronym, field: sf, p.position)
                } else {
                    joinClosed(j.initials, initials: true, field: sf, p.position)
                }
            }
        } else {
            j.initials.removeAll(keepingCapacity: true)
            j.initialsEnd = -2
            if !dotted {
                j.initials.append(key[0])
                j.initialsEnd = p.end
                j.initialsCapitals = base[p.start] &- 0x41 < 26
            }
        }
    }

    /// The token `p`, two to four capitals (`US`, `IT`, `WHO`) whose word in lower case is a
    /// function word, also counts as that acronym (`Analyzer.acronymTerm`) when a word beside it
    /// has lower-case letters: not in a heading or a story written in capitals.
    @inline(never)
    private func acronymWord(
        _ base: UnsafePointer<UInt8>, _ n: Int, _ p: PendingToken, _ key: UnsafeBufferPointer<UInt8>,
        _ sf: IndexField
    ) {
        guard p.end - p.start == key.count, Analyzer.isCapitals(base, p.start, p.end),
            let acronym = Analyzer.acronymTerm(key), Analyzer.hasLowerCaseNeighbour(base, p.start, p.end, n)
        else { return }
        joinAcronym(acronym, field: sf, p.position)
    }

    /// Stem-space term ids of closed-up words, acronyms and numbers, by field (text, title) and
    /// key (the word as written closed up; an acronym's capitals; a number's digits and a comma,
    /// so that no two kinds share a key); -1 where the word makes none
    /// (`Analyzer.makesClosedWord` / `closedInitialism`): each is judged and stemmed once.
    private var closedStems: [[[UInt8]: Int32]] = [[:], [:]]

    /// The stem-space term of `field` cached under `key`, made from `make`'s term (nil: none, -1)
    /// the first time.
    private func cachedStem(_ key: [UInt8], _ field: IndexField, _ make: () -> [UInt8]?) -> Int32 {
        let f = field == .titleStem ? 1 : 0
        if let known = closedStems[f][key] { return known }
        let sid = make().map { t in t.withUnsafeBufferPointer { term(field, $0) } } ?? -1
        closedStems[f][key] = sid
        return sid
    }

    /// Two words joined by a hyphen (`cease-fire`, `e-mail`, `co-operation`, `F-16`), the
    /// compound's only two, and initials joined by dots (`U.K.`, `F.B.I.`) also count in the stem
    /// space as the word they make written closed up (`ceasefire`, `email`, `cooperation`, `f16`,
    /// `uk`, `fbi`), at the last part's position: archives write both (news moved from `e-mail`
    /// to `email`; one paper writes `U.K.`, the next `UK`), and `email` should find either.
    /// Exact words, quoted phrases and document lengths are unchanged.
    private func joinClosed(_ word: [UInt8], initials: Bool, field: IndexField, _ pos: Int32) {
        let sid = cachedStem(word, field) {
            let closed = initials ? Analyzer.closedInitialism(word) : Analyzer.makesClosedWord(word) ? word : nil
            return closed.map { stemmer!.stemUnified($0) }
        }
        if sid >= 0 { joined(sid, pos) }
    }

    /// An acronym (`Analyzer.acronymTerm`: `US`) at `pos` in the stem space, as it is (no stem).
    private func joinAcronym(_ acronym: [UInt8], field: IndexField, _ pos: Int32) {
        joined(cachedStem(acronym, field) { acronym }, pos)
    }

    /// A number written with thousands separators (`1,500`, `2,000,000`) also counts in the stem
    /// space as written without them (`1500`, `2000000`), at its last group's position: archives
    /// and queries write both, and `1500 troops` should find `1,500 troops`.
    /// `key`: the digits and a comma (`cachedStem`).
    private func joinNumber(_ key: [UInt8], field: IndexField, _ pos: Int32) {
        joined(cachedStem(key, field) { stemmer!.stemUnified(Array(key.dropLast())) }, pos)
    }

    /// Counts the stem-space term `sid`, which holds no exact term of its own, at `pos`.
    private func joined(_ sid: Int32, _ pos: Int32) {
        let st = terms.records + Int(sid)
        // A stem already counted at this position (the last part's own, were they alike).
        if st.pointee.lastDoc == currentDoc && st.pointee.lastPos >= pos && st.pointee.freqInDoc > 0 { return }
        if st.pointee.stemMembers < SegmentBuilder.expandedMark {
            st.pointee.stemMembers += SegmentBuilder.expandedMark
        }
        occurrence(sid, pos)
    }

    private func expand(
        _ bytes: UnsafeBufferPointer<UInt8>, _ tokStart: Int, _ tokEnd: Int, _ pos: Int32,
        _ abbreviations: AbbreviationIndex, _ definitionsHere: Set<Int>
    ) {
        if let k = abbreviations.find(UnsafeBufferPointer(rebasing: bytes[tokStart..<tokEnd])) {
            if definitionsHere.contains(tokStart) { return }
            for stem in abbreviations.all[k].stems {
                let sid = stem.withUnsafeBufferPointer { term(.textStem, $0) }
                let st = terms.records + Int(sid)
                if st.pointee.lastDoc == currentDoc && st.pointee.lastPos >= pos && st.pointee.freqInDoc > 0 {
                    continue
                }
                if st.pointee.stemMembers < SegmentBuilder.expandedMark {
                    st.pointee.stemMembers += SegmentBuilder.expandedMark
                }
                occurrence(sid, pos)
            }
        }
    }

    /// Abbreviations defined in the title and body, with their long forms' stems (interned at
    /// the first expansion, so that no term without postings is made).
    private func abbreviations(_ article: Article) -> (all: AbbreviationIndex, title: Set<Int>, body: Set<Int>) {
        guard let stemmer, SegmentBuilder.hasByte(40, article.body) || SegmentBuilder.hasByte(40, article.title) else {
            return (AbbreviationIndex(), [], [])
        }
        var all = AbbreviationIndex()
        var at: [Set<Int>] = [[], []]
        for (k, part) in [article.title, article.body].enumerated() {
            var t = part
            let defs = t.withUTF8 { Abbreviations.definitions(in: $0, analyzer: analyzer) }
            for d in defs {
                at[k].insert(d.offset)
                // The first definition of a short form is the one used.
                if d.short.withUnsafeBufferPointer({ all.find($0) }) != nil { continue }
                all.add(d.short, stems: d.long.map { stemmer.stemUnified($0) })
            }
        }
        return (all, at[0], at[1])
    }

    /// Whether `s`'s UTF-8 holds `byte` (`memchr` over a native string's bytes; the generic
    /// `utf8.contains` steps through an iterator, a fiftieth of an English build).
    static func hasByte(_ byte: UInt8, _ s: String) -> Bool {
        let found = s.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard let p = b.baseAddress, b.count > 0 else { return false }
            return memchr(p, Int32(byte), b.count) != nil
        }
        return found ?? s.utf8.contains(byte)
    }

    /// Records that the articles added since `firstDoc` came from the corpus file `path`, the
    /// first of them at `firstPosition` in the file and the rest after it.
    public func recordFilePart(_ path: String, firstDoc: Int, firstPosition: Int = 0) {
        if documentCount > firstDoc { fileParts.append((path, firstDoc, documentCount - firstDoc, firstPosition)) }
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
        docIds.append(article.identity)
        docOrder.append(order)
        currentDoc = Int32(documentCount)
        truncating = false
        // The identity (scope + id) finds duplicates; the bare id finds the article for `show`.
        SegmentBuilder.idTerm(article.identity).withUnsafeBufferPointer { occurrence(term(.id, $0), 0) }
        if article.idScope != nil {
            SegmentBuilder.idTerm(article.id).withUnsafeBufferPointer { occurrence(term(.id, $0), 1) }
        }
        let abbr = abbreviations(article)
        let titleLen = invert(
            article.title, field: .text, start: 0, abbreviations: abbr.all, definitionsHere: abbr.title)
        let bodyStart = titleLen > 0 ? titleLen + FieldLayout.gap(analyzerKind) : 0
        let bodyLen = invert(
            article.body, field: .text, start: bodyStart, abbreviations: abbr.all, definitionsHere: abbr.body)
        let tLen = invert(article.title, field: .title, start: 0)
        let cLen = invertList(article.categories, field: .category)
        let sLen = invert(article.source, field: .source, start: 0)
        let aLen = invertList(article.authors, field: .author)
        lengths.append(UInt32(titleLen + bodyLen))
        lengths.append(UInt32(tLen))
        lengths.append(UInt32(cLen))
        lengths.append(UInt32(sLen))
        lengths.append(UInt32(aLen))
        dates.append(DateColumn.seconds(article.date))
        for id in touched {
            let st = terms.records + Int(id)
            pool.appendVarint(&st.pointee.docs, &st.pointee.docsLevel, UInt32(st.pointee.freqInDoc))
        }
        touched.removeAll(keepingCapacity: true)
        if !countsOnly { try? store.add(article) }  // in memory until the flush: cannot fail
        // What the builder holds, plus what writing it out will take (about 64 bytes a term:
        // sort order, offsets), so that a flush never pushes past the budget.
        approximateBytes =
            pool.bytesAllocated + terms.bytesHeld + terms.count * 64 + lengths.count * 4 + store.byteCount
            + docIds.count * 48
        if truncating { truncatedDocuments.append(article.identity) }
        documentCount += 1
    }

    /// Every term's key with its document frequency and occurrences, in key order (the
    /// statistics a `.dict` entry would carry), without writing postings: what a segment's
    /// deleted articles add to its counts (`DeletionStats`).
    func forEachTermStatistic(_ body: (UnsafeBufferPointer<UInt8>, Int, UInt64) throws -> Void) throws {
        var pairs: [UInt8] = []
        for id in terms.sortedIds() {
            let r = terms.records[Int(id)]
            let total = pool.withBytes(r.docs, level: r.docsLevel, scratch: &pairs) { pb -> UInt64 in
                var source = PairedVarintPostings(pairs: pb)
                var sum: UInt64 = 0
                for _ in 0..<Int(r.docFreq) { sum += UInt64(source.next().freq) }
                return sum
            }
            try body(terms.key(id), Int(r.docFreq), total)
        }
    }

    /// Writes the segment files `<dir>/<name>.{dict,post,pos,len,store}`, not fsynced: the
    /// commit that first lists the segment fsyncs them (`IndexWriter.stampFiles`), and a
    /// segment merged away before that never needs it.
    public func write(to dir: String, name: String) throws -> SegmentInfo {
        precondition(!countsOnly, "a builder that only counts has no stored articles to write")
        let order = terms.sortedIds()
        let base = dir + "/" + name
        var dict = try DictionaryWriter(try FileOutput(path: base + ".dict"))
        let post = try FileOutput(path: base + ".post")
        try post.header(kind: "POST")
        let posn = try FileOutput(path: base + ".pos")
        try posn.header(kind: "POSN")
        var written = [TermInfo?](repeating: nil, count: terms.count)
        let encoder = PostingsEncoder()
        // Exact term whose postings a single-variant stem term can share.
        var soleVariant = [Int32](repeating: -1, count: terms.count)
        for id in 0..<terms.count {
            let so = terms.records[id].stemOf
            if so >= 0 && terms.records[Int(so)].stemMembers == 1 { soleVariant[Int(so)] = Int32(id) }
        }
        var pairs: [UInt8] = []
        var posStream: [UInt8] = []
        try lengths.withUnsafeBufferPointer { lens in
            for id in order {
                let i = Int(id)
                let key = terms.key(id)  // valid: nothing is interned while writing
                let info: TermInfo
                if soleVariant[i] >= 0, let shared = written[Int(soleVariant[i])] {
                    info = shared
                } else {
                    let slot = IndexField(rawValue: key[0])!.lengthSlot
                    let r = terms.records[i]
                    info = try pool.withBytes(r.docs, level: r.docsLevel, scratch: &pairs) { pb in
                        try pool.withBytes(r.positions, level: r.positionsLevel, scratch: &posStream) { ps in
                            var source = PairedVarintPostings(pairs: pb)
                            return try encoder.encode(
                                &source, positions: ps, df: Int(r.docFreq), lengths: lens, slot: slot,
                                post: post, posn: posn)
                        }
                    }
                }
                written[i] = info
                try dict.add(key: key, info: info)
            }
        }
        try post.finish(sync: false)
        try posn.finish(sync: false)
        try dict.finish(sync: false)

        try LengthsFile.write(lengths, dates: dates, documents: documentCount, to: base + ".len", sync: false)

        try store.finish(path: base + ".store", sync: false)

        let sums = LengthsFile.sums(lengths)

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
    /// Size and footer CRC-32C of each file (by extension), recorded at commit: a file of
    /// another index or another segment, or a truncated one, is caught when the segment opens.
    public var files: [String: FileStamp]? = nil

    /// The deleted articles' counts (`DeletionStats`): the file that holds them, its size and
    /// footer CRC-32C; nil without deletions (or for deletions an older loupe made).
    public var deletionStats: NamedStamp? = nil

    public struct FileStamp: Codable, Sendable, Equatable {
        public var size: Int
        public var crc: UInt32
    }

    public struct NamedStamp: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int
        public var crc: UInt32
    }

    public var liveDocuments: Int { documents - deleted.count }

    public init(name: String, documents: Int, terms: Int, lengthSums: [UInt64], analyzer: AnalyzerKind) {
        self.name = name
        self.documents = documents
        self.terms = terms
        self.lengthSums = lengthSums
        self.analyzer = analyzer
    }

    /// Longer deletion lists are written packed (`deletedPacked`: the gaps between the sorted
    /// ids as varints, in base64) instead of as a JSON array: decoding 55,644 numbers from the
    /// array took 22 ms of every command. A MANIFEST with one is format 2, which an older
    /// loupe refuses instead of reading without the deletions.
    public static let packedDeletions = 1_024

    private enum CodingKeys: String, CodingKey {
        case name, documents, terms, lengthSums, analyzer, deleted, deletedPacked, order, files, deletionStats
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        documents = try c.decode(Int.self, forKey: .documents)
        terms = try c.decode(Int.self, forKey: .terms)
        lengthSums = try c.decode([UInt64].self, forKey: .lengthSums)
        analyzer = try c.decode(AnalyzerKind.self, forKey: .analyzer)
        if let packed = try c.decodeIfPresent(String.self, forKey: .deletedPacked) {
            guard let ids = SegmentInfo.unpack(packed) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .deletedPacked, in: c, debugDescription: "bad packed deletion list")
            }
            deleted = ids
        } else {
            deleted = try c.decodeIfPresent([Int].self, forKey: .deleted) ?? []
        }
        order = try c.decodeIfPresent([Int].self, forKey: .order)
        files = try c.decodeIfPresent([String: FileStamp].self, forKey: .files)
        deletionStats = try c.decodeIfPresent(NamedStamp.self, forKey: .deletionStats)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(documents, forKey: .documents)
        try c.encode(terms, forKey: .terms)
        try c.encode(lengthSums, forKey: .lengthSums)
        try c.encode(analyzer, forKey: .analyzer)
        if deleted.count > SegmentInfo.packedDeletions {
            try c.encode(SegmentInfo.pack(deleted), forKey: .deletedPacked)
        } else {
            try c.encode(deleted, forKey: .deleted)
        }
        try c.encodeIfPresent(order, forKey: .order)
        try c.encodeIfPresent(files, forKey: .files)
        try c.encodeIfPresent(deletionStats, forKey: .deletionStats)
    }

    /// Sorted ids as base64 varints of their gaps (the first from -1).
    static func pack(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 2)
        var previous = -1
        for id in ids {
            var v = UInt64(id - previous)
            previous = id
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }
        return Data(bytes).base64EncodedString()
    }

    /// The ids `pack` wrote; nil when the string is not such a list (not base64, a gap of 0 or
    /// a varint cut short).
    static func unpack(_ s: String) -> [Int]? {
        guard let data = Data(base64Encoded: s) else { return nil }
        var ids: [Int] = []
        ids.reserveCapacity(data.count)
        var previous = -1
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for b in data {
            guard shift < 63 else { return nil }
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 != 0 {
                shift += 7
                continue
            }
            guard v > 0, v <= UInt64(Int32.max) else { return nil }
            previous += Int(v)
            ids.append(previous)
            v = 0
            shift = 0
        }
        return shift == 0 ? ids : nil
    }

    public static let fileExtensions = ["dict", "post", "pos", "len", "store"]
}

/// The `.len` file: slot count, document count, each document's lengths (u32 per slot), then
/// each document's date (`DateColumn`: i64 seconds, `Int64.min` when undated).
enum LengthsFile {
    static func write(_ lengths: [UInt32], dates: [Int64], documents: Int, to path: String, sync: Bool = true) throws {
        precondition(dates.count == documents && lengths.count == documents * IndexField.lengthSlots)
        var lens = ByteWriter(capacity: lengths.count * 4 + dates.count * 8 + 32)
        IndexFile.header(kind: "LENS", into: &lens)
        lens.u32(UInt32(IndexField.lengthSlots))
        lens.u64(UInt64(documents))
        for l in lengths { lens.u32(l) }
        for d in dates { lens.u64(UInt64(bitPattern: d)) }
        IndexFile.finish(&lens)
        try FileIO.write(lens.bytes, to: path, sync: sync)
    }

    /// Sum of lengths per slot.
    static func sums(_ lengths: [UInt32]) -> [UInt64] {
        var sums = [UInt64](repeating: 0, count: IndexField.lengthSlots)
        for (k, l) in lengths.enumerated() { sums[k % IndexField.lengthSlots] += UInt64(l) }
        return sums
    }
}

/// The abbreviations defined in one article (short form → the long form's stems), found for a
/// token without a scan of them all: a book-length document defines thousands, and every token
/// of a short form's length was compared with each (an 18 MB text took 5.2 s to index, three
/// quarters of it here).
struct AbbreviationIndex {
    private(set) var all: [(short: [UInt8], stems: [[UInt8]])] = []
    /// Bit n set: some short form is n bytes long (most tokens are rejected by it).
    private var lengths: UInt64 = 0
    private var byHash: [UInt64: [Int]] = [:]

    var isEmpty: Bool { all.isEmpty }

    private static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return h
    }

    mutating func add(_ short: [UInt8], stems: [[UInt8]]) {
        guard short.count < 64 else { return }
        lengths |= 1 << UInt64(short.count)
        byHash[short.withUnsafeBufferPointer { Self.hash($0) }, default: []].append(all.count)
        all.append((short, stems))
    }

    /// The index in `all` of short form `b`, if defined.
    @inline(__always) func find(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count < 64, lengths & (1 << UInt64(b.count)) != 0, let ks = byHash[Self.hash(b)] else { return nil }
        return ks.first { all[$0].short.elementsEqual(b) }
    }
}
