import Foundation

/// What a segment's deleted articles count for in its statistics, so that a segment keeps its
/// deletions (an updated file's old articles) without BM25 seeing them: for each term they
/// hold, the documents and occurrences to subtract from the segment's `.dict` counts.
///
/// The file, `<segment>_<generation>.del` (the generation of the commit that wrote it, so a
/// commit never overwrites a file an earlier one lists), is a `.dict` whose entries carry only
/// these two counts (no postings). It is made by analysing the deleted articles again from
/// their stored fields with the segment's analyzer (`SegmentBuilder`, counting only): the same
/// terms the segment's postings have for them, found in time proportional to the deletions, not
/// the segment. `loupe check` compares it with the postings (`SegmentReader.check`). A commit
/// that deletes more of a segment's articles adds theirs to the file it had.
enum DeletionStats {
    static func fileName(segment: String, generation: Int) -> String {
        segment + "_" + String(generation) + ".del"
    }

    /// Whether `name` is a deletion statistics file's name.
    static func isFileName(_ name: String) -> Bool { name.hasPrefix("seg") && name.hasSuffix(".del") }

    /// Articles read from the store at a time, then analysed on `threads` builders.
    static let batch = 2_048

    /// Writes to `path` the statistics of the documents `docs` of `segment` (local ids), added
    /// to those of `previous` (the file that covered its earlier deletions, nil for none). The
    /// articles are read here, a batch at a time, and analysed on `threads` threads, each into
    /// a builder of its own; the builders' counts are summed term by term.
    static func write(
        adding docs: [Int], of segment: SegmentReader, previous: TermDictionaryReader?, to path: String,
        threads: Int = Parallel.cores, batch: Int = DeletionStats.batch
    ) throws {
        let parts = max(1, min(threads, docs.count / batch + 1))
        let builders = (0..<parts).map { _ in
            let b = SegmentBuilder(analyzer: segment.info.analyzer)
            b.countsOnly = true
            return b
        }
        var start = 0
        while start < docs.count {
            let end = min(start + batch, docs.count)
            let articles = try docs[start..<end].map { try segment.article(Int32($0)) }
            Parallel.slices(articles.count, parts: parts) { k, range in
                for i in range { builders[k].add(articles[i]) }
            }
            start = end
        }
        var sources = try builders.map { try TermCounts($0) }
        if let previous { sources.append(try TermCounts(previous)) }
        var out = try DictionaryWriter(try FileOutput(path: path))
        var at = [Int](repeating: 0, count: sources.count)
        while true {
            // The least key among the sources' current ones; every source holding it adds its counts.
            var least = -1
            for k in sources.indices where at[k] < sources[k].count {
                if least < 0 || sources[k].compare(at[k], sources[least], at[least]) < 0 { least = k }
            }
            guard least >= 0 else { break }
            let lead = sources[least]
            let i = at[least]
            var df = 0
            var cf: UInt64 = 0
            for k in sources.indices where at[k] < sources[k].count && sources[k].compare(at[k], lead, i) == 0 {
                df += sources[k].docs[at[k]]
                cf += sources[k].occurrences[at[k]]
                if k != least { at[k] += 1 }
            }
            try lead.withKey(i) { key in
                try out.add(
                    key: key,
                    info: TermInfo(
                        docFreq: df, totalTermFreq: cf, postOffset: 0, posOffset: 0, maxFreq: 0, minLength: 0))
            }
            at[least] += 1
        }
        try out.finish(sync: true)
    }

    /// One source's terms in key order with their counts, keys packed in one buffer.
    private struct TermCounts {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var docs: [Int] = []
        var occurrences: [UInt64] = []
        var count: Int { ends.count }

        init(_ builder: SegmentBuilder) throws {
            try builder.forEachTermStatistic { key, df, cf in append(key, df, cf) }
        }

        init(_ dictionary: TermDictionaryReader) throws {
            let it = try DictionaryIterator(dictionary)
            while !it.isAtEnd {
                append(it.key, it.info.docFreq, it.info.totalTermFreq)
                try it.advance()
            }
        }

        private mutating func append(_ key: UnsafeBufferPointer<UInt8>, _ df: Int, _ cf: UInt64) {
            bytes.append(contentsOf: key)
            ends.append(bytes.count)
            docs.append(df)
            occurrences.append(cf)
        }

        func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            let from = i == 0 ? 0 : ends[i - 1]
            return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[from..<ends[i]])) }
        }

        /// Key `i` against key `j` of `other`: -1, 0 or 1.
        func compare(_ i: Int, _ other: TermCounts, _ j: Int) -> Int {
            withKey(i) { a in
                other.withKey(j) { b in ByteOrder.compare(a.baseAddress, a.count, b.baseAddress, b.count) }
            }
        }
    }
}
