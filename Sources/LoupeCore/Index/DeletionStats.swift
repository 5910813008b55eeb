/// What a segment's deleted articles count for in its statistics, so that a segment keeps its
/// deletions (an updated file's old articles) without BM25 seeing them: for each term they
/// hold, the documents and occurrences to subtract from the segment's `.dict` counts.
///
/// The file, `<segment>_<generation>.del` (the generation of the commit that wrote it, so a
/// commit never overwrites a file an earlier one lists), is a `.dict` whose entries carry only
/// these two counts (no postings). It is made by analysing the deleted articles again from
/// their stored fields with the segment's analyzer (`SegmentBuilder`): the same terms the
/// segment's postings have for them, found in time proportional to the deletions, not the
/// segment. `loupe check` compares it with the postings (`SegmentReader.check`). A commit that
/// deletes more of a segment's articles adds theirs to the file it had.
enum DeletionStats {
    static func fileName(segment: String, generation: Int) -> String {
        segment + "_" + String(generation) + ".del"
    }

    /// Whether `name` is a deletion statistics file's name.
    static func isFileName(_ name: String) -> Bool { name.hasPrefix("seg") && name.hasSuffix(".del") }

    /// Writes to `path` the statistics of the documents `docs` of `segment` (local ids), added
    /// to those of `previous` (the file that covered its earlier deletions, nil for none).
    static func write(
        adding docs: [Int], of segment: SegmentReader, previous: TermDictionaryReader?, to path: String
    ) throws {
        let builder = SegmentBuilder(analyzer: segment.info.analyzer)
        for d in docs { builder.add(try segment.article(Int32(d))) }
        var out = try DictionaryWriter(try FileOutput(path: path))
        let old = try previous.map { try DictionaryIterator($0) }
        func entry(_ df: Int, _ cf: UInt64) -> TermInfo {
            TermInfo(docFreq: df, totalTermFreq: cf, postOffset: 0, posOffset: 0, maxFreq: 0, minLength: 0)
        }
        try builder.forEachTermStatistic { key, df, cf in
            var df = df
            var cf = cf
            if let old {
                while !old.isAtEnd {
                    let k = old.key
                    let c = ByteOrder.compare(k.baseAddress, k.count, key.baseAddress, key.count)
                    if c > 0 { break }
                    if c == 0 {
                        df += old.info.docFreq
                        cf += old.info.totalTermFreq
                    } else {
                        try out.add(key: k, info: old.info)
                    }
                    try old.advance()
                    if c == 0 { break }
                }
            }
            try out.add(key: key, info: entry(df, cf))
        }
        if let old {
            while !old.isAtEnd {
                try out.add(key: old.key, info: old.info)
                try old.advance()
            }
        }
        try out.finish(sync: true)
    }
}
