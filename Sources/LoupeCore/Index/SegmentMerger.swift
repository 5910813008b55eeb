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
        for (k, s) in segments.enumerated() {
            for d in 0..<s.documentCount where maps[k][d] >= 0 {
                let nd = Int(maps[k][d])
                for slot in 0..<IndexField.lengthSlots {
                    lengths[nd * IndexField.lengthSlots + slot] = s.length(Int32(d), slot: slot)
                }
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
        var dicts = try segments.map { try DictionaryIterator($0.dictionary) }
        let base = dir + "/" + name
        var dict = try DictionaryWriter(try FileOutput(path: base + ".dict"))
        let post = try FileOutput(path: base + ".post")
        try post.header(kind: "POST")
        let posn = try FileOutput(path: base + ".pos")
        try posn.header(kind: "POSN")
        var encoder = PostingsEncoder()
        var terms = 0
        var processed = 0
        var lastPost = [UInt64](repeating: 0, count: segments.count)
        var lastPos = [UInt64](repeating: 0, count: segments.count)
        // Stem terms that shared an exact term's postings in every input share them again.
        // Exact terms' postings offsets are increasing within a segment (postings are written in
        // key order), so a sorted array per segment maps an offset to the exact term's ordinal.
        let stems = analyzer == .english
        var exactOffsets = [[UInt64]](repeating: [], count: segments.count)
        var exactOrdinals = [[Int32]](repeating: [], count: segments.count)
        var exactOutputs: [TermInfo] = []
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
        var newDocs: [UInt32] = []
        var freqs: [UInt32] = []
        var positionBytes: [UInt32] = []
        var posStream: [UInt8] = []
        do {
            while true {
                var minKey: [UInt8]?
                for k in 0..<segments.count {
                    guard let key = dicts[k].current?.0 else { continue }
                    if minKey == nil || key.lexicographicallyPrecedes(minKey!) { minKey = key }
                }
                guard let key = minKey else { break }
                var sources: [(Int, TermInfo)] = []
                for k in 0..<segments.count {
                    guard let (ck, ci) = dicts[k].current, ck == key else { continue }
                    sources.append((k, ci))
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
                if isStem && segments.count <= 64 {
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
                        try dict.add(key: key, info: exactOutputs[Int(o)])
                        terms += 1
                        continue
                    }
                }
                newDocs.removeAll(keepingCapacity: true)
                freqs.removeAll(keepingCapacity: true)
                positionBytes.removeAll(keepingCapacity: true)
                posStream.removeAll(keepingCapacity: true)
                var ttf: UInt64 = 0
                var runStart: UnsafeRawPointer?
                var runEnd: UnsafeRawPointer?
                for (k, ti) in sources {
                    let c = segments[k].cursor(ti)
                    let offset = offsets[k]
                    while c.next() != PostingsCursor.end {
                        let nd = offset.map { $0 + c.doc } ?? maps[k][Int(c.doc)]
                        if nd < 0 { continue }
                        let f = c.freq
                        // Positions are stored per document (deltas from 0): copied as they are,
                        // a run of consecutive documents' bytes at a time.
                        guard let bytes = c.positionBytes(), let start = bytes.baseAddress else { break }
                        if start != runEnd {
                            if let r = runStart {
                                posStream.append(contentsOf: UnsafeRawBufferPointer(start: r, count: runEnd! - r))
                            }
                            runStart = start
                        }
                        runEnd = start + bytes.count
                        newDocs.append(UInt32(nd))
                        freqs.append(UInt32(f))
                        positionBytes.append(UInt32(bytes.count))
                        ttf += UInt64(f)
                    }
                    if let r = runStart {
                        posStream.append(contentsOf: UnsafeRawBufferPointer(start: r, count: runEnd! - r))
                    }
                    runStart = nil
                    runEnd = nil
                    if let e = c.error { throw e }
                }
                let df = newDocs.count
                if df == 0 { continue }
                let slot = field?.lengthSlot ?? 0
                var info = try slotLengths[slot].withUnsafeBufferPointer { lens in
                    try newDocs.withUnsafeBufferPointer { d in
                        try freqs.withUnsafeBufferPointer { f in
                            try positionBytes.withUnsafeBufferPointer { pb in
                                try posStream.withUnsafeBufferPointer { ps in
                                    var source = ArrayPostings(docs: d, freqs: f, positionBytes: pb)
                                    return try encoder.encode(
                                        &source, positions: ps, df: df, lengths: lens, slot: 0, post: post,
                                        posn: posn, lengthStride: 1)
                                }
                            }
                        }
                    }
                }
                info.totalTermFreq = ttf
                try dict.add(key: key, info: info)
                terms += 1
                if !isStem {
                    if stems && segments.count <= 64 {
                        let o = Int32(exactOutputs.count)
                        var mask: UInt64 = 0
                        for (k, ti) in sources {
                            exactOffsets[k].append(ti.postOffset)
                            exactOrdinals[k].append(o)
                            mask |= 1 << UInt64(k)
                        }
                        exactOutputs.append(info)
                        exactSources.append(mask)
                    }
                }
            }
        }
        try post.finish()
        try posn.finish()
        try dict.finish()

        try LengthsFile.write(lengths, documents: total, to: base + ".len")

        var store = StoredFieldsWriter()
        try store.stream(to: try FileOutput(path: base + ".store"))
        for (k, s) in segments.enumerated() {
            if s.hasDeletions {
                for d in 0..<s.documentCount where maps[k][d] >= 0 { try store.add(try s.article(Int32(d))) }
            } else {
                // Every document stays, in order: the compressed blocks are copied as they are.
                try store.appendBlocks(of: s.storedFields)
            }
            s.releaseStoredPages()
        }
        try store.finish(path: base + ".store")

        let sums = LengthsFile.sums(lengths)
        var docMaps: [String: [Int32]] = [:]
        for (k, s) in segments.enumerated() { docMaps[s.info.name] = maps[k] }
        return Result(
            info: SegmentInfo(name: name, documents: total, terms: terms, lengthSums: sums, analyzer: analyzer),
            docMaps: docMaps)
    }
}
