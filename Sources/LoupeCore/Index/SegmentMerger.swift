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
        // Stem terms that shared an exact term's postings in every input share them again.
        var exactByOffset: [[UInt64: [UInt8]]] = Array(repeating: [:], count: segments.count)
        var writtenExact: [[UInt8]: (TermInfo, [Int])] = [:]
        var docStream: [UInt8] = []
        var freqStream: [UInt8] = []
        var posStream: [UInt8] = []
        try lengths.withUnsafeBufferPointer { lens in
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
                let field = IndexField(rawValue: key[0])
                let isStem = field == .textStem || field == .titleStem
                if isStem {
                    // Shared postings in every source, all pointing at the same exact key?
                    var sharedKey: [UInt8]?
                    var ok = true
                    for (k, ti) in sources {
                        guard let ek = exactByOffset[k][ti.postOffset] else {
                            ok = false
                            break
                        }
                        if sharedKey == nil { sharedKey = ek } else if sharedKey! != ek { ok = false }
                    }
                    if ok, let ek = sharedKey, let (info, segs) = writtenExact[ek], segs == sources.map(\.0) {
                        try dict.add(key: key, info: info)
                        terms += 1
                        continue
                    }
                }
                docStream.removeAll(keepingCapacity: true)
                freqStream.removeAll(keepingCapacity: true)
                posStream.removeAll(keepingCapacity: true)
                var df = 0
                var ttf: UInt64 = 0
                var prev: Int32 = 0
                for (k, ti) in sources {
                    let c = segments[k].cursor(ti)
                    while c.next() != PostingsCursor.end {
                        let nd = maps[k][Int(c.doc)]
                        if nd < 0 { continue }
                        appendVarint(&docStream, UInt32(nd - prev))
                        prev = nd
                        let f = c.freq
                        appendVarint(&freqStream, UInt32(f))
                        var lastPos: Int32 = 0
                        for p in c.positions() {
                            appendVarint(&posStream, UInt32(bitPattern: p - lastPos))
                            lastPos = p
                        }
                        df += 1
                        ttf += UInt64(f)
                    }
                    if let e = c.error { throw e }
                }
                if df == 0 { continue }
                let slot = field?.lengthSlot ?? 0
                var info = try encoder.encode(
                    docs: docStream, freqs: freqStream, positions: posStream, df: df, lengths: lens, slot: slot,
                    post: post, posn: posn)
                info.totalTermFreq = ttf
                try dict.add(key: key, info: info)
                terms += 1
                if !isStem {
                    for (k, ti) in sources { exactByOffset[k][ti.postOffset] = key }
                    writtenExact[key] = (info, sources.map(\.0))
                }
            }
        }
        try post.finish()
        try posn.finish()
        try dict.finish()

        var lens = ByteWriter(capacity: lengths.count * 4 + 32)
        IndexFile.header(kind: "LENS", into: &lens)
        lens.u32(UInt32(IndexField.lengthSlots))
        lens.u64(UInt64(total))
        for l in lengths { lens.u32(l) }
        IndexFile.finish(&lens)

        var store = StoredFieldsWriter()
        try store.stream(to: try FileOutput(path: base + ".store"))
        for (k, s) in segments.enumerated() {
            for d in 0..<s.documentCount where maps[k][d] >= 0 { try store.add(try s.article(Int32(d))) }
        }
        try store.finish(path: base + ".store")

        var sums = [UInt64](repeating: 0, count: IndexField.lengthSlots)
        for (i, l) in lengths.enumerated() { sums[i % IndexField.lengthSlots] += UInt64(l) }
        try FileIO.write(lens.bytes, to: base + ".len")
        var docMaps: [String: [Int32]] = [:]
        for (k, s) in segments.enumerated() { docMaps[s.info.name] = maps[k] }
        return Result(
            info: SegmentInfo(name: name, documents: total, terms: terms, lengthSums: sums, analyzer: analyzer),
            docMaps: docMaps)
    }
}

@inline(__always)
func appendVarint(_ a: inout [UInt8], _ value: UInt32) {
    var v = value
    while v >= 0x80 {
        a.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    a.append(UInt8(v))
}
