import Foundation

/// Merges segments into one, dropping deleted documents: a k-way merge over the sorted
/// dictionaries, re-encoding postings with the new document numbers. Memory: the dictionaries'
/// keys, one term's postings at a time, and the merged lengths.
struct SegmentMerger {
    let analyzer: AnalyzerKind

    struct Result {
        var info: SegmentInfo
        /// Per input segment name: old local doc -> new local doc (-1 when deleted).
        var docMaps: [String: [Int32]]
    }

    func merge(_ segments: [SegmentReader], into dir: String, name: String) throws -> Result {
        // Document maps.
        var maps: [[Int32]] = []
        var next: Int32 = 0
        for s in segments {
            var m = [Int32](repeating: -1, count: s.documentCount)
            for d in 0..<s.documentCount where !s.isDeleted(Int32(d)) {
                m[d] = next
                next += 1
            }
            maps.append(m)
        }
        let total = Int(next)
        var lengths = [UInt32](repeating: 0, count: total * IndexField.lengthSlots)
        var dates = [Int64](repeating: DateColumn.undated, count: total)
        for (k, s) in segments.enumerated() {
            for d in 0..<s.documentCount where maps[k][d] >= 0 {
                let nd = Int(maps[k][d])
                for slot in 0..<IndexField.lengthSlots {
                    lengths[nd * IndexField.lengthSlots + slot] = s.length(Int32(d), slot: slot)
                }
                dates[nd] = s.dateSeconds(Int32(d))
            }
        }
        // Per-slot copies of the lengths for the encoder's impacts: it reads one per posting, in
        // document order per term, so a dense array per slot misses the cache a quarter as often.
        var slotLengths = [[UInt32]](repeating: [], count: IndexField.lengthSlots)
        for slot in 0..<IndexField.lengthSlots {
            slotLengths[slot] = (0..<total).map { lengths[$0 * IndexField.lengthSlots + slot] }
        }
        // Without deletions a segment's documents keep their order after the previous ones': an
        // offset instead of a table lookup per posting.
        let offsets: [Int32?] = segments.enumerated().map { k, s in
            s.hasDeletions ? nil : (s.documentCount > 0 ? maps[k][0] : 0)
        }
        // Dictionaries, walked together one block at a time.
        let dicts = try segments.map { try DictionaryIterator($0.dictionary) }
        let base = dir + "/" + name
        var dict = try DictionaryWriter(try FileOutput(path: base + ".dict"))
        let post = try FileOutput(path: base + ".post")
        try post.header(kind: "POST")
        let posn = try FileOutput(path: base + ".pos")
        try posn.header(kind: "POSN")
        var terms = 0
        var processed = 0
        var lastPost = [UInt64](repeating: 0, count: segments.count)
        var lastPos = [UInt64](repeating: 0, count: segments.count)
        // Stem terms that shared an exact term's postings in every input share them again.
        // Exact terms' postings offsets are increasing within a segment (postings are written in
        // key order), so a sorted array per segment maps an offset to the exact term's ordinal.
        let stems = analyzer == .english
        // Sharing is tracked in a 64-bit mask of input segments.
        let shareStems = stems && segments.count <= 64
        var exactOffsets = [[UInt64]](repeating: [], count: segments.count)
        var exactOrdinals = [[Int32]](repeating: [], count: segments.count)
        var exactCount: Int32 = 0
        var exactSources: [UInt64] = []  // bit k: segment k contributed
        func ordinal(_ k: Int, _ offset: UInt64) -> Int32? {
            let a = exactOffsets[k]
            var lo = 0
            var hi = a.count
            while lo < hi {
                let m = (lo + hi) >> 1
                if a[m] < offset { lo = m + 1 } else { hi = m }
            }
            return lo < a.count && a[lo] == offset ? exactOrdinals[k][lo] : nil
        }
        // Two stages on two threads: this one walks the dictionaries and gathers each term's
        // postings (new document numbers, frequencies, position bytes) into batches; a writer
        // thread encodes them, in the same order, into the new files. The files are the same
        // as with one thread.
        // The stored articles go to their own file on a third thread, beside the postings: the
        // two postings stages leave part of a core idle, and copying the store was a tenth of
        // a merge's time.
        let storeCopy = StoreCopy(segments: segments, maps: maps, path: base + ".store")
        defer { storeCopy.join() }
        let storeThread = Thread { storeCopy.run() }
        storeThread.stackSize = 1 << 20
        storeThread.start()
        let writer = MergeWriter(
            dict: dict, post: post, posn: posn, slotLengths: slotLengths)
        let thread = Thread { writer.run() }
        thread.stackSize = 1 << 20
        thread.start()
        var batch = writer.emptyBatch()
        do {
            // On every way out (an error too): the last batch handed over, the writer done.
            defer {
                writer.finish(batch)
                writer.join()
            }
            // One cursor per input segment, reset for each term; the sources of a term.
            var cursors = [PostingsCursor?](repeating: nil, count: segments.count)
            var sources: [(Int, TermInfo)] = []
            // The term being merged: a copy of the smallest current key (the iterators' own
            // keys move on as they advance).
            var key: [UInt8] = []
            while true {
                if writer.failed { break }
                var least = -1
                for k in 0..<segments.count where !dicts[k].isAtEnd {
                    guard least >= 0 else {
                        least = k
                        continue
                    }
                    let a = dicts[k].key
                    let b = dicts[least].key
                    if ByteOrder.compare(a.baseAddress, a.count, b.baseAddress, b.count) < 0 { least = k }
                }
                guard least >= 0 else { break }
                key.removeAll(keepingCapacity: true)
                key.append(contentsOf: dicts[least].key)
                sources.removeAll(keepingCapacity: true)
                for k in least..<segments.count where !dicts[k].isAtEnd {
                    let ck = dicts[k].key
                    let same = key.withUnsafeBufferPointer {
                        ByteOrder.compare(ck.baseAddress, ck.count, $0.baseAddress, $0.count) == 0
                    }
                    guard same else { continue }
                    sources.append((k, dicts[k].info))
                    try dicts[k].advance()
                }
                // Every few thousand terms, drop the input pages already streamed through: postings
                // are laid out in key order, so everything before the furthest term start seen
                // in a segment is behind us (an aliased stem pointing back just faults it in again).
                for (k, ti) in sources {
                    lastPost[k] = max(lastPost[k], ti.postOffset)
                    lastPos[k] = max(lastPos[k], ti.posOffset)
                }
                processed += 1
                if processed % 4096 == 0 {
                    for k in 0..<segments.count { segments[k].releasePages(post: lastPost[k], pos: lastPos[k]) }
                }
                let field = IndexField(rawValue: key[0])
                let isStem = field == .textStem || field == .titleStem
                if isStem && shareStems {
                    // Shared postings in every source, all pointing at the same exact term?
                    var shared: Int32?
                    var ok = true
                    var mask: UInt64 = 0
                    for (k, ti) in sources {
                        mask |= 1 << UInt64(k)
                        guard let o = ordinal(k, ti.postOffset) else {
                            ok = false
                            break
                        }
                        if shared == nil { shared = o } else if shared! != o { ok = false }
                    }
                    if ok, let o = shared, exactSources[Int(o)] == mask {
                        batch.alias(key, exact: o)
                        terms += 1
                        if batch.isFull { batch = writer.submit(batch) }
                        continue
                    }
                }
                let keep = !isStem && shareStems
                batch.begin(key, slot: field?.lengthSlot ?? 0, exact: keep)
                // Room for every source's postings, filled through pointers (no append per
                // posting); the live ones counted.
                let need = sources.reduce(0) { $0 + $1.1.docFreq }
                let first = batch.count
                batch.reserve(need)
                let docsOut = batch.docs
                let freqsOut = batch.freqs
                var w = first
                for (k, ti) in sources {
                    let c: PostingsCursor
                    if let r = cursors[k] {
                        r.reset(ti)
                        c = r
                    } else {
                        c = segments[k].cursor(ti)
                        cursors[k] = c
                    }
                    if let offset = offsets[k] {
                        // Every document stays: the term's positions (stored per document,
                        // deltas from 0) are copied whole, in one run; the writer finds each
                        // block's end in it.
                        var sum: UInt64 = 0
                        while c.next() != PostingsCursor.end {
                            guard w < first + need else {
                                throw IndexError.corrupt(
                                    segments[k].info.name, "more postings than the dictionary counts")
                            }
                            docsOut[w] = UInt32(offset + c.doc)
                            freqsOut[w] = UInt32(c.freq)
                            sum += UInt64(c.freq)
                            w += 1
                        }
                        if let e = c.error { throw e }
                        guard sum == ti.totalTermFreq, let run = segments[k].positionRun(ti) else {
                            throw IndexError.corrupt(segments[k].info.name, "bad position data")
                        }
                        batch.posStream.append(contentsOf: run)
                        continue
                    }
                    // Deleted documents: the live ones' positions, taken from the term's run a
                    // span of consecutive live documents at a time — each span's length found by
                    // counting its documents' frequencies' worth of varints, and a deleted
                    // document's skipped likewise (not each document's bytes found one by one).
                    let map = maps[k]
                    guard let run = segments[k].positionRun(ti) else {
                        throw IndexError.corrupt(segments[k].info.name, "bad position data")
                    }
                    var p = 0  // where the current document's positions start
                    var live = 0  // varints of the live span that ends at `p`'s document
                    var spanStart = 0
                    var sum: UInt64 = 0
                    func flushSpan() {
                        guard live > 0 else { return }
                        p = PostingsCursor.skipVarints(live, in: run, from: spanStart)
                        batch.posStream.append(contentsOf: UnsafeRawBufferPointer(rebasing: run[spanStart..<p]))
                        live = 0
                    }
                    while c.next() != PostingsCursor.end {
                        let f = Int(c.freq)
                        sum += UInt64(f)
                        let nd = map[Int(c.doc)]
                        if nd < 0 {
                            flushSpan()
                            p = PostingsCursor.skipVarints(f, in: run, from: p)
                            spanStart = p
                            continue
                        }
                        guard w < first + need else {
                            throw IndexError.corrupt(segments[k].info.name, "more postings than the dictionary counts")
                        }
                        docsOut[w] = UInt32(nd)
                        freqsOut[w] = UInt32(f)
                        w += 1
                        live += f
                    }
                    flushSpan()
                    if let e = c.error { throw e }
                    guard sum == ti.totalTermFreq, p == run.count else {
                        throw IndexError.corrupt(segments[k].info.name, "bad position data")
                    }
                }
                batch.count = w
                guard batch.end() else { continue }  // no live document: no term
                terms += 1
                if keep {
                    var mask: UInt64 = 0
                    for (k, ti) in sources {
                        exactOffsets[k].append(ti.postOffset)
                        exactOrdinals[k].append(exactCount)
                        mask |= 1 << UInt64(k)
                    }
                    exactCount += 1
                    exactSources.append(mask)
                }
                if batch.isFull { batch = writer.submit(batch) }
            }
        }
        if let e = writer.failure { throw e }
        dict = writer.dict
        // Not fsynced: the commit that lists the segment does that (see `SegmentBuilder.write`).
        try post.finish(sync: false)
        try posn.finish(sync: false)
        try dict.finish(sync: false)

        try LengthsFile.write(lengths, dates: dates, documents: total, to: base + ".len", sync: false)

        storeCopy.join()
        if let e = storeCopy.failure { throw e }

        let sums = LengthsFile.sums(lengths)
        var docMaps: [String: [Int32]] = [:]
        for (k, s) in segments.enumerated() { docMaps[s.info.name] = maps[k] }
        return Result(
            info: SegmentInfo(name: name, documents: total, terms: terms, lengthSums: sums, analyzer: analyzer),
            docMaps: docMaps)
    }
}

/// The stored articles of a merge, written on a thread of their own: the compressed blocks of
/// a segment copied as they are, but those that hold a deleted article, whose live articles
/// are compressed again.
final class StoreCopy: @unchecked Sendable {
    private let segments: [SegmentReader]
    private let maps: [[Int32]]
    private let path: String
    private let done = DispatchGroup()
    private(set) var failure: Error?

    init(segments: [SegmentReader], maps: [[Int32]], path: String) {
        self.segments = segments
        self.maps = maps
        self.path = path
        done.enter()
    }

    func run() {
        defer { done.leave() }
        do {
            var store = StoredFieldsWriter()
            try store.stream(to: try FileOutput(path: path))
            for (k, s) in segments.enumerated() {
                // Without deletions every block is copied as it is.
                let map = maps[k]
                try store.appendLive(of: s.storedFields) { map[$0] >= 0 }
                s.releaseStoredPages()
            }
            try store.finish(path: path, sync: false)
        } catch {
            failure = error
        }
    }

    /// Waits until `run` has returned (any number of times).
    func join() { done.wait() }
}

/// The writing stage of a merge: encodes batches of gathered postings into the new segment's
/// files on a thread of its own, in the order they were submitted.
final class MergeWriter: @unchecked Sendable {
    /// Gathered terms: their keys, and for each either the exact term whose output it shares
    /// or its postings (slices of the flat arrays).
    final class Batch {
        /// The terms' keys back to back.
        var keyBytes: [UInt8] = []
        var keyEnds: [Int] = []
        var alias: [Int32] = []  // -1: postings follow
        var exact: [Bool] = []  // an exact term whose output stem terms may share
        var slot: [Int] = []
        var docEnd: [Int] = []  // end of the term's documents in docs / freqs
        var posEnd: [Int] = []  // end of its bytes in posStream
        /// Postings (new document numbers, frequencies): `count` used of `capacity`, written
        /// through these pointers by the gathering stage.
        private(set) var docs: UnsafeMutablePointer<UInt32>
        private(set) var freqs: UnsafeMutablePointer<UInt32>
        var count = 0
        private var capacity: Int
        var posStream: [UInt8] = []

        init() {
            capacity = 1 << 16
            docs = .allocate(capacity: capacity)
            freqs = .allocate(capacity: capacity)
        }

        deinit {
            docs.deallocate()
            freqs.deallocate()
        }

        var terms: Int { keyEnds.count }

        /// Term `t`'s key.
        func key(_ t: Int) -> ArraySlice<UInt8> { keyBytes[(t == 0 ? 0 : keyEnds[t - 1])..<keyEnds[t]] }

        /// About 4 MB of gathered postings: large enough to amortise the hand-over, small
        /// enough for the two stages to overlap.
        var isFull: Bool { count >= 1 << 18 || posStream.count >= 1 << 22 || keyEnds.count >= 4096 }

        func alias(_ key: [UInt8], exact o: Int32) {
            keyBytes.append(contentsOf: key)
            keyEnds.append(keyBytes.count)
            alias.append(o)
            exact.append(false)
            slot.append(0)
            docEnd.append(count)
            posEnd.append(posStream.count)
        }

        private var docStart = 0
        private var posStart = 0
        private var keyStart = 0
        private var pendingSlot = 0
        private var pendingExact = false

        /// Begins a term: its key goes in at once, taken back by `end` if no document is live.
        func begin(_ key: [UInt8], slot s: Int, exact e: Bool) {
            keyStart = keyBytes.count
            keyBytes.append(contentsOf: key)
            pendingSlot = s
            pendingExact = e
            docStart = count
            posStart = posStream.count
        }

        /// Ends the term begun: false (and nothing kept) when it has no live document.
        func end() -> Bool {
            if count == docStart {
                posStream.removeSubrange(posStart...)
                keyBytes.removeSubrange(keyStart...)
                return false
            }
            keyEnds.append(keyBytes.count)
            alias.append(-1)
            exact.append(pendingExact)
            slot.append(pendingSlot)
            docEnd.append(count)
            posEnd.append(posStream.count)
            return true
        }

        /// Room for `n` more postings.
        func reserve(_ n: Int) {
            guard count + n > capacity else { return }
            let bigger = max(2 * capacity, count + n)
            func moved(_ p: UnsafeMutablePointer<UInt32>) -> UnsafeMutablePointer<UInt32> {
                let b = UnsafeMutablePointer<UInt32>.allocate(capacity: bigger)
                b.update(from: p, count: count)
                p.deallocate()
                return b
            }
            docs = moved(docs)
            freqs = moved(freqs)
            capacity = bigger
        }

        func reset() {
            keyBytes.removeAll(keepingCapacity: true)
            keyEnds.removeAll(keepingCapacity: true)
            alias.removeAll(keepingCapacity: true)
            exact.removeAll(keepingCapacity: true)
            slot.removeAll(keepingCapacity: true)
            docEnd.removeAll(keepingCapacity: true)
            posEnd.removeAll(keepingCapacity: true)
            count = 0
            posStream.removeAll(keepingCapacity: true)
        }
    }

    private(set) var dict: DictionaryWriter
    private let post: FileOutput
    private let posn: FileOutput
    private let slotLengths: [[UInt32]]
    private var exactOutputs: [TermInfo] = []
    private let encoder = PostingsEncoder()
    private let lock = NSCondition()
    private var full: [Batch] = []
    private var free: [Batch] = [Batch(), Batch()]
    private var closed = false
    private var done = false
    private(set) var failure: Error?

    init(dict: DictionaryWriter, post: FileOutput, posn: FileOutput, slotLengths: [[UInt32]]) {
        self.dict = dict
        self.post = post
        self.posn = posn
        self.slotLengths = slotLengths
    }

    /// The writer stopped on an error: the gathering stage should stop too.
    var failed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return failure != nil
    }

    func emptyBatch() -> Batch {
        lock.lock()
        defer { lock.unlock() }
        while free.isEmpty { lock.wait() }
        return free.removeLast()
    }

    /// Hands `batch` over; returns an empty one (waiting while both are in use).
    func submit(_ batch: Batch) -> Batch {
        lock.lock()
        full.append(batch)
        lock.broadcast()
        while free.isEmpty { lock.wait() }
        let b = free.removeLast()
        lock.unlock()
        return b
    }

    /// Hands over the last batch and tells the writer no more will come.
    func finish(_ batch: Batch) {
        lock.lock()
        full.append(batch)
        closed = true
        lock.broadcast()
        lock.unlock()
    }

    func join() {
        lock.lock()
        while !done { lock.wait() }
        lock.unlock()
    }

    func run() {
        while true {
            lock.lock()
            while full.isEmpty && !closed { lock.wait() }
            if full.isEmpty {
                done = true
                lock.broadcast()
                lock.unlock()
                return
            }
            let b = full.removeFirst()
            let stop = failure != nil
            lock.unlock()
            if !stop {
                do { try write(b) } catch {
                    lock.lock()
                    failure = error
                    lock.unlock()
                }
            }
            b.reset()
            lock.lock()
            free.append(b)
            lock.broadcast()
            lock.unlock()
        }
    }

    private func write(_ b: Batch) throws {
        var docStart = 0
        var posStart = 0
        try b.posStream.withUnsafeBufferPointer { stream in
            for t in 0..<b.terms {
                let key = b.key(t)
                if b.alias[t] >= 0 {
                    try key.withUnsafeBufferPointer { try dict.add(key: $0, info: exactOutputs[Int(b.alias[t])]) }
                    continue
                }
                let de = b.docEnd[t]
                let pe = b.posEnd[t]
                let df = de - docStart
                let positions = UnsafeBufferPointer(rebasing: stream[posStart..<pe])
                let info = try slotLengths[b.slot[t]].withUnsafeBufferPointer { lens in
                    var source = ArrayPostings(
                        docs: UnsafeBufferPointer(start: b.docs + docStart, count: df),
                        freqs: UnsafeBufferPointer(start: b.freqs + docStart, count: df))
                    return try encoder.encode(
                        &source, positions: positions, df: df,
                        lengths: lens, slot: 0, post: post, posn: posn, lengthStride: 1)
                }
                try key.withUnsafeBufferPointer { try dict.add(key: $0, info: info) }
                if b.exact[t] { exactOutputs.append(info) }
                docStart = de
                posStart = pe
            }
        }
    }
}
