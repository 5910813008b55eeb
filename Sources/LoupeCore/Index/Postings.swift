/// Per-term statistics and file offsets, as kept in the dictionary.
public struct TermInfo: Sendable, Equatable {
    public var docFreq: Int
    public var totalTermFreq: UInt64
    public var postOffset: UInt64
    public var posOffset: UInt64
    /// Upper bounds for the term's BM25 impact in this segment: largest tf, shortest document.
    /// The dictionary keeps them only for terms of several blocks; a cursor computes them for a
    /// term of one block from its documents (0 until then).
    public var maxFreq: UInt32
    public var minLength: UInt32
    /// The length slot of the term's field (set by the dictionary from the key's field byte;
    /// -1: unknown).
    public var lengthSlot: Int = -1
}

/// Postings of one term in the `.post` file (index format 8). A term of several blocks of
/// `blockSize` docs: first its skip table, one fixed 20-byte entry per block (little-endian: the
/// block's last doc id (u32), the end of its impacts and the end of its data, each counted from
/// the start of the term's impacts or data (u32), and the end of its positions, counted from the
/// term's first position byte (u64)), then every block's impacts, then the blocks. A cursor opens
/// such a term in constant time and reads an entry where it needs it (a common word's thousands
/// of entries were parsed at every cursor's creation, up to format 7). A block's impacts are the
/// (tf, document length) varint pairs not dominated by another document of the block — no other
/// has both a larger tf and a shorter length — at most `maxImpacts`, extra ones folded into one
/// dominating pair. Since BM25 grows with tf and falls with length, the best impact bounds every
/// score in the block exactly. A full block is two `PatchedPacking` arrays (doc-id deltas,
/// tf − 1: mostly bit-packed, a few large values patched in after); the last, partial block is
/// varints of delta × 2 + (tf == 1), each followed by its tf when that is not 1. A term of a
/// single block (most terms: df ≤ 128) is that block alone; a cursor computes its impacts from
/// its documents and the length table when first asked. Positions (`.pos`) are varint deltas
/// restarting at each document.
public enum PostingsFormat {
    public static let blockSize = 128
    /// Up to 32 pairs a block (readers accept 64). With 6, stopword blocks — a dozen distinct
    /// tfs — folded their tail into (a high tf, the shortest length), a bound so loose that
    /// single-term top-k decoded 1,186 of `in`'s 1,375 blocks on en-all; with 32 it decodes
    /// about 130 (term p99 1.4 -> 0.2 ms), for 0.5 % more postings bytes.
    public static let maxImpacts = 32
    /// Bytes of a skip entry.
    static let skipEntrySize = 20
    /// No position beyond this one (an article's words are far fewer; the indexing budget cuts
    /// one long before): a larger one is damage, refused where decoded, so that a phrase's
    /// position arithmetic with its words' offsets never overflows.
    public static let maxPosition: Int64 = 1 << 30
}

final class PostingsEncoder {
    private let docs = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize)
    private let deltas = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize)
    private let freqs = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize)
    private let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize)
    /// A block's shortest length per small tf (`UInt32.max`: none), and its pairs with larger tfs
    /// as keys `(~tf) << 32 | length` (ascending: tf descending, then length ascending).
    private var minLengthByTF = [UInt32](repeating: .max, count: PostingsEncoder.smallTF + 1)
    private var pairs: [UInt64] = []
    private var frontier: [(UInt32, UInt32)] = []
    static let smallTF = 32
    /// One encoded block: two patched-packed arrays, or a varint pair per posting.
    private static let blockCapacity = max(
        2 * PatchedPacking.maxBytes(PostingsFormat.blockSize), PostingsFormat.blockSize * 15)
    private let block = UnsafeMutablePointer<UInt8>.allocate(capacity: PostingsEncoder.blockCapacity)
    private var skip = ByteWriter(capacity: 64)
    private var impactBytes = ByteWriter(capacity: 1024)
    private var data = ByteWriter(capacity: 4096)

    deinit {
        for p in [docs, deltas, freqs, scratch] { p.deallocate() }
        block.deallocate()
    }

    /// Encodes `df` postings from `source` (document order) into the block format, with
    /// `positions` (every document's positions, in order) copied to `posn`.
    func encode<S: PostingSource>(
        _ source: inout S, positions: UnsafeBufferPointer<UInt8>, df: Int, lengths: UnsafeBufferPointer<UInt32>,
        slot: Int, post: FileOutput, posn: FileOutput, lengthStride: Int = IndexField.lengthSlots
    ) throws -> TermInfo {
        let postOffset = UInt64(post.count)
        let posOffset = UInt64(posn.count)
        try posn.append(positions)
        // A term of one block has no skip entry (a cursor computes its impacts): no impacts to
        // gather.
        let oneBlock = df <= PostingsFormat.blockSize
        if !oneBlock || df == 0 {
            skip.removeAll()
            impactBytes.removeAll()
            data.removeAll()
        }
        var maxTF: UInt32 = 0
        var minLen = UInt32.max
        var totalTF: UInt64 = 0
        // Where each block's positions end: the varints of the block's frequencies skipped at
        // once (a document at a time was a fifth of a merge's busier stage).
        var pp = 0
        let positionBytes = UnsafeRawBufferPointer(positions)
        var prevDoc: UInt32 = 0
        var remaining = df
        while remaining > 0 {
            let n = min(remaining, PostingsFormat.blockSize)
            var blockMaxTF: UInt32 = 0
            var blockMinLen = UInt32.max
            var blockTF = 0
            for k in 0..<n {
                let (d, f) = source.next()
                deltas[k] = d - prevDoc
                docs[k] = d
                freqs[k] = f
                totalTF += UInt64(f)
                blockTF += Int(f)
                prevDoc = d
                blockMaxTF = max(blockMaxTF, f)
                // A term of one block stores no bounds: its documents' lengths (a cache miss
                // each, in a large segment) are not read.
                guard !oneBlock else { continue }
                let dl = lengths[Int(d) * lengthStride + slot]
                blockMinLen = min(blockMinLen, dl)
                if f <= PostingsEncoder.smallTF {
                    minLengthByTF[Int(f)] = min(minLengthByTF[Int(f)], dl)
                } else {
                    pairs.append(UInt64(~f) << 32 | UInt64(dl))
                }
            }
            var len = 0
            if n == PostingsFormat.blockSize {
                for k in 0..<n { freqs[k] -= 1 }
                len = PatchedPacking.pack(deltas, n, scratch: scratch, to: block)
                len += PatchedPacking.pack(freqs, n, scratch: scratch, to: block + len)
            } else {
                // Varints of delta × 2 + (tf == 1), then tf when it is not 1.
                for k in 0..<n {
                    if freqs[k] == 1 {
                        Varint.put(UInt64(deltas[k]) << 1 | 1, block, &len)
                    } else {
                        Varint.put(UInt64(deltas[k]) << 1, block, &len)
                        Varint.put(UInt64(freqs[k]), block, &len)
                    }
                }
            }
            let encoded = UnsafeBufferPointer(start: block, count: len)
            let last = docs[n - 1]
            if oneBlock {
                // No skip entry: the block is the term's postings.
                try post.append(encoded)
                return TermInfo(
                    docFreq: df, totalTermFreq: totalTF, postOffset: postOffset, posOffset: posOffset,
                    maxFreq: blockMaxTF, minLength: 0)  // not stored (as the dictionary reads it back)
            }
            // Non-dominated (tf, length) pairs: by tf descending, keep strictly shorter lengths
            // (a tf's longer lengths are dominated by its shortest).
            frontier.removeAll(keepingCapacity: true)
            func keep(_ tf: UInt32, _ len: UInt32) {
                if frontier.isEmpty || len < frontier[frontier.count - 1].1 { frontier.append((tf, len)) }
            }
            if !pairs.isEmpty {
                pairs.sort()
                for key in pairs { keep(~UInt32(truncatingIfNeeded: key >> 32), UInt32(truncatingIfNeeded: key)) }
                pairs.removeAll(keepingCapacity: true)
            }
            var tf = Int(min(blockMaxTF, UInt32(PostingsEncoder.smallTF)))
            while tf >= 1 {
                let shortest = minLengthByTF[tf]
                if shortest != .max {
                    keep(UInt32(tf), shortest)
                    minLengthByTF[tf] = .max
                }
                tf -= 1
            }
            if frontier.count > PostingsFormat.maxImpacts {
                let tail = frontier[(PostingsFormat.maxImpacts - 1)...]
                let folded = (tail.first!.0, tail.last!.1)
                frontier.removeSubrange((PostingsFormat.maxImpacts - 1)...)
                frontier.append(folded)
            }
            for pr in frontier {
                impactBytes.varint(UInt64(pr.0))
                impactBytes.varint(UInt64(pr.1))
            }
            data.append(encoded)
            guard impactBytes.count <= Int(UInt32.max), data.count <= Int(UInt32.max) else {
                throw IndexError.io(post.path, "a term's postings exceed 4 GiB in one segment")
            }
            pp = PostingsCursor.skipVarints(blockTF, in: positionBytes, from: pp)
            skip.u32(last)
            skip.u32(UInt32(impactBytes.count))
            skip.u32(UInt32(data.count))
            skip.u64(UInt64(pp))
            maxTF = max(maxTF, blockMaxTF)
            minLen = min(minLen, blockMinLen)
            remaining -= n
        }
        // The positions must end with the last block's.
        guard pp == positions.count, pp == 0 || positions[pp - 1] & 0x80 == 0 else {
            throw IndexError.corrupt(posn.path, "bad position data")
        }
        try post.append(skip)
        try post.append(impactBytes)
        try post.append(data)
        return TermInfo(
            docFreq: df, totalTermFreq: totalTF, postOffset: postOffset, posOffset: posOffset, maxFreq: maxTF,
            minLength: minLen)
    }
}

/// A term's postings in document order, as the encoder takes them: each document's number and
/// frequency.
protocol PostingSource {
    mutating func next() -> (doc: UInt32, freq: UInt32)
}

/// A builder's postings as one stream of (document delta, frequency) varint pairs.
struct PairedVarintPostings: PostingSource {
    let pairs: UnsafeBufferPointer<UInt8>
    private var p = 0
    private var prev: UInt32 = 0

    init(pairs: UnsafeBufferPointer<UInt8>) { self.pairs = pairs }

    @inline(__always) static func read(_ b: UnsafeBufferPointer<UInt8>, _ p: inout Int) -> UInt32 {
        var v: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let x = b[p]
            p += 1
            v |= UInt32(x & 0x7F) << shift
            if x & 0x80 == 0 { return v }
            shift += 7
        }
    }

    @inline(__always) mutating func next() -> (doc: UInt32, freq: UInt32) {
        prev += PairedVarintPostings.read(pairs, &p)
        return (prev, PairedVarintPostings.read(pairs, &p))
    }
}

/// Postings gathered by a merge: absolute document numbers and frequencies.
struct ArrayPostings: PostingSource {
    let docs: UnsafeBufferPointer<UInt32>
    let freqs: UnsafeBufferPointer<UInt32>
    private var i = 0

    init(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>) {
        self.docs = docs
        self.freqs = freqs
    }

    @inline(__always) mutating func next() -> (doc: UInt32, freq: UInt32) {
        defer { i += 1 }
        return (docs[i], freqs[i])
    }
}

/// A cursor over one term's postings in one segment: doc ids in increasing order, their
/// frequencies, and positions on demand. `doc == PostingsCursor.end` once exhausted.
///
/// A term of several blocks is opened in constant time: its skip table is read in place, an
/// entry when the cursor reaches or bounds that block, and a block's impacts are read when a
/// bound of it is asked for.
public final class PostingsCursor {
    public static let end = Int32.max

    private let post: UnsafeRawBufferPointer
    private let posn: UnsafeRawBufferPointer
    private let fileName: String
    public private(set) var info: TermInfo
    /// Blocks of the term (`blockCountTotal`); for a term of several, where its skip table,
    /// impacts and blocks start in `.post`.
    private var blocks = 0
    private var tableStart = 0
    private var impactsStart = 0
    private var dataStart = 0
    /// A term of one block: its last document (there is no skip entry to hold it).
    private var singleLast: Int32 = 0
    /// The (tf, length) pairs of block `pairsBlock` (-1: none), flat.
    private let pairs: UnsafeMutablePointer<UInt32>
    private var pairCount = 0
    private var pairsBlock = -1
    private var block = -1
    /// The last document of `block`.
    private var blockLast: Int32 = -1
    private var blockCount = 0
    private var index = 0  // index within the block
    private var docs: UnsafeMutablePointer<UInt32>
    private var freqs: UnsafeMutablePointer<UInt32>
    private var scratch: UnsafeMutablePointer<UInt32>
    private var posCursor = 0  // byte offset of positions of doc at `posIndex`
    /// No block before this one holds a document ≥ the last `shallowBlock` target.
    private var shallowAt = 0
    private var posIndex = 0
    public private(set) var doc: Int32 = -1
    /// Set when a decode hits damaged data; the cursor then ends.
    public private(set) var error: IndexError?

    /// Documents in the segment: every doc id read must be below it.
    private let documents: Int

    /// The segment's length table (`IndexField.lengthSlots` UInt32 per document): the bounds of
    /// a term of one block are computed from it (without it, `info`'s are used).
    private let lengths: UnsafeRawPointer?

    init(
        post: UnsafeRawBufferPointer, posn: UnsafeRawBufferPointer, info: TermInfo, file: String,
        documents: Int = Int(Int32.max), lengths: UnsafeRawPointer? = nil
    ) {
        self.lengths = lengths
        self.documents = documents
        self.post = post
        self.posn = posn
        self.info = info
        self.fileName = file
        // One allocation for the three block buffers and a block's impacts (a block of one
        // term may have as many as documents).
        docs = .allocate(capacity: 5 * PostingsFormat.blockSize)
        freqs = docs + PostingsFormat.blockSize
        scratch = docs + 2 * PostingsFormat.blockSize
        pairs = docs + 3 * PostingsFormat.blockSize
        open()
    }

    deinit { docs.deallocate() }

    /// Makes this cursor one over `info`'s postings in the same segment, as a new cursor would
    /// be, reusing its buffers (a merge walks millions of terms: one cursor per segment).
    func reset(_ info: TermInfo) {
        self.info = info
        blocks = 0
        pairCount = 0
        pairsBlock = -1
        block = -1
        blockLast = -1
        blockCount = 0
        index = 0
        posCursor = 0
        posIndex = 0
        doc = -1
        error = nil
        pendingImpacts = false
        decoded = -1
        shallowAt = 0
        open()
    }

    /// Locates the term's skip table (or decodes its one block); damage ends the cursor at once.
    private func open() {
        do {
            try locate()
        } catch let e as IndexError {
            error = e
            doc = PostingsCursor.end
        } catch {
            doc = PostingsCursor.end
        }
    }

    private func locate() throws {
        let n = (info.docFreq + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
        guard info.postOffset < UInt64(post.count), info.posOffset <= UInt64(posn.count) else {
            throw IndexError.corrupt(fileName, "postings offset out of range")
        }
        blocks = n
        if n == 1 {
            // One block and no skip entry: decoded now, to learn its last document and bounds.
            let count = info.docFreq
            dataStart = Int(info.postOffset)
            try decode(block: 0, count: count)
            guard docs[count - 1] < UInt32(min(documents, Int(Int32.max))) else {
                throw IndexError.corrupt(fileName, "doc id out of range")
            }
            singleLast = Int32(bitPattern: docs[count - 1])
            decoded = 0
            if lengths != nil && info.lengthSlot >= 0 {
                // Computed on first use (merges and id lookups never ask).
                pendingImpacts = true
            } else {
                pairs[0] = info.maxFreq
                pairs[1] = info.minLength
                pairCount = 1
                pairsBlock = 0
            }
            return
        }
        // The table, the impacts, then the blocks: the last entry gives where each area ends.
        tableStart = Int(info.postOffset)
        impactsStart = tableStart + n * PostingsFormat.skipEntrySize
        guard impactsStart <= post.count else {
            throw IndexError.corrupt(fileName, "skip table past end of file")
        }
        dataStart = impactsStart + impactsEnd(n - 1)
        guard dataStart <= post.count, dataStart + dataEnd(n - 1) <= post.count,
            positionsEnd(n - 1) <= posn.count - Int(info.posOffset)
        else {
            throw IndexError.corrupt(fileName, "postings block past end of file")
        }
        guard lastDoc(ofBlock: n - 1) < Int32(min(documents, Int(Int32.max))) else {
            throw IndexError.corrupt(fileName, "doc id out of range")
        }
    }

    // Skip entry fields of block b, read in place (little-endian).
    @inline(__always) private func entry(_ b: Int, _ field: Int) -> UInt32 {
        UInt32(
            littleEndian: post.baseAddress.unsafelyUnwrapped.loadUnaligned(
                fromByteOffset: tableStart + b * PostingsFormat.skipEntrySize + field, as: UInt32.self))
    }
    @inline(__always) private func impactsEnd(_ b: Int) -> Int { Int(entry(b, 4)) }
    @inline(__always) private func dataEnd(_ b: Int) -> Int { Int(entry(b, 8)) }
    /// (Clamped: a damaged entry's huge value must fail the range checks, not trap.)
    @inline(__always) private func positionsEnd(_ b: Int) -> Int {
        Int(
            clamping: UInt64(
                littleEndian: post.baseAddress.unsafelyUnwrapped.loadUnaligned(
                    fromByteOffset: tableStart + b * PostingsFormat.skipEntrySize + 12, as: UInt64.self)))
    }

    public var blockCountTotal: Int { blocks }

    /// A one-block term's bounds are still to be computed from its documents.
    private var pendingImpacts = false

    @inline(__always) private func ensureImpacts() {
        if pendingImpacts, let lengths {
            pendingImpacts = false
            computeImpacts(info.docFreq, lengths)
        }
    }

    /// The term's largest tf in this segment, and its shortest document (score bounds).
    public var maxFreq: UInt32 {
        ensureImpacts()
        return info.maxFreq
    }

    public var minLength: UInt32 {
        ensureImpacts()
        return info.minLength
    }

    /// The non-dominated (tf, length) pairs of the decoded single block, and the term's bounds.
    private func computeImpacts(_ n: Int, _ lengths: UnsafeRawPointer) {
        let slot = info.lengthSlot
        @inline(__always) func length(_ d: UInt32) -> UInt32 {
            UInt32(
                littleEndian: lengths.loadUnaligned(
                    fromByteOffset: (Int(d) * IndexField.lengthSlots + slot) * 4, as: UInt32.self))
        }
        var maxTF: UInt32 = 0
        for i in 0..<n { maxTF = max(maxTF, freqs[i]) }
        var count = 0
        @inline(__always) func add(_ tf: UInt32, _ len: UInt32) {
            pairs[2 * count] = tf
            pairs[2 * count + 1] = len
            count += 1
        }
        if maxTF <= 32 {
            // The shortest length per tf, then by tf descending keep strictly shorter lengths
            // (no sort, no allocation).
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 33) { shortestByTF in
                for t in 0...Int(maxTF) { shortestByTF[t] = .max }
                for i in 0..<n {
                    let t = Int(freqs[i])
                    shortestByTF[t] = min(shortestByTF[t], length(docs[i]))
                }
                var shortest = UInt32.max
                var t = Int(maxTF)
                while t >= 1 {
                    if shortestByTF[t] < shortest {
                        shortest = shortestByTF[t]
                        add(UInt32(t), shortest)
                    }
                    t -= 1
                }
            }
        } else {
            // By tf descending, then length ascending; keep strictly shorter lengths.
            var keys = (0..<n).map { UInt64(~freqs[$0]) << 32 | UInt64(length(docs[$0])) }
            keys.sort()
            var shortest = UInt32.max
            for k in keys {
                let len = UInt32(truncatingIfNeeded: k)
                if len < shortest {
                    add(~UInt32(truncatingIfNeeded: k >> 32), len)
                    shortest = len
                }
            }
        }
        var mf: UInt32 = 0
        var ml = UInt32.max
        for i in 0..<count {
            mf = max(mf, pairs[2 * i])
            ml = min(ml, pairs[2 * i + 1])
        }
        info.maxFreq = mf
        info.minLength = ml
        pairCount = count
        pairsBlock = 0
    }

    /// The block whose documents and frequencies are in the buffers (-1: none).
    private var decoded = -1

    /// Decodes block `b` (`n` documents) into `docs` and `freqs`.
    private func decode(block b: Int, count n: Int) throws {
        var prev: UInt32 = b == 0 ? 0 : UInt32(bitPattern: lastDoc(ofBlock: b - 1))
        let start = b == 0 ? 0 : dataEnd(b - 1)
        if blocks > 1 {
            guard start <= dataEnd(b), dataStart + dataEnd(b) <= post.count else {
                throw IndexError.corrupt(fileName, "postings block past end of file")
            }
        }
        var r = ByteReader(post, at: dataStart + start, file: fileName)
        if n == PostingsFormat.blockSize {
            // Local copies: through `self` every store might change the pointers, and each
            // iteration reloaded them.
            let docs = self.docs
            let freqs = self.freqs
            try unpackPatched(&r, n, into: docs)
            try unpackPatched(&r, n, into: freqs)
            // Increasing ids: every gap ≥ 1 (but a segment's first document, 0) and no
            // overflow. Checked over the whole block first, so the loops below are plain
            // (vectorisable) prefix sums.
            var smallest: UInt32 = .max
            var sum = UInt64(prev)
            for k in (b == 0 ? 1 : 0)..<n { smallest = min(smallest, docs[k]) }
            for k in 0..<n { sum &+= UInt64(docs[k]) }
            guard smallest >= 1, sum <= UInt64(UInt32.max) else {
                throw IndexError.corrupt(fileName, "doc ids not increasing")
            }
            for k in 0..<n {
                prev &+= docs[k]
                docs[k] = prev
            }
            for k in 0..<n { freqs[k] &+= 1 }
        } else {
            for k in 0..<n {
                let before = prev
                let v = try r.varint()
                guard v >> 1 <= UInt64(UInt32.max) else { throw IndexError.corrupt(fileName, "doc id out of range") }
                prev &+= UInt32(truncatingIfNeeded: v >> 1)
                guard prev > before || (b == 0 && k == 0) else {
                    throw IndexError.corrupt(fileName, "doc ids not increasing")
                }
                docs[k] = prev
                if v & 1 == 1 {
                    freqs[k] = 1
                } else {
                    let f = try r.varint()
                    guard f >= 2 && f <= UInt64(UInt32.max) else { throw IndexError.corrupt(fileName, "bad frequency") }
                    freqs[k] = UInt32(f)
                }
            }
        }
        decoded = b
    }

    /// Reads one `PatchedPacking` array of `n` values.
    @inline(__always)
    private func unpackPatched(_ r: inout ByteReader, _ n: Int, into out: UnsafeMutablePointer<UInt32>) throws {
        guard try PatchedPacking.unpack(from: &r, n, into: out) else {
            throw IndexError.corrupt(fileName, "bad postings block")
        }
    }

    private func load(block b: Int) -> Bool {
        guard b < blocks else {
            doc = PostingsCursor.end
            return false
        }
        block = b
        let n = b == blocks - 1 ? info.docFreq - b * PostingsFormat.blockSize : PostingsFormat.blockSize
        let last = lastDoc(ofBlock: b)
        if decoded != b {
            do {
                guard last >= 0, Int(last) < documents else {
                    throw IndexError.corrupt(fileName, "doc id out of range")
                }
                try decode(block: b, count: n)
                guard docs[n - 1] == UInt32(bitPattern: last) else {
                    throw IndexError.corrupt(fileName, "postings block does not end at its skip entry")
                }
            } catch let e as IndexError {
                error = e
                doc = PostingsCursor.end
                return false
            } catch {
                doc = PostingsCursor.end
                return false
            }
        }
        blockLast = last
        blockCount = n
        index = 0
        posIndex = 0
        let p = b == 0 ? 0 : positionsEnd(b - 1)
        guard p <= posn.count - Int(info.posOffset) else {
            error = .corrupt(fileName, "positions past end of file")
            doc = PostingsCursor.end
            return false
        }
        posCursor = Int(info.posOffset) + p
        doc = Int32(bitPattern: docs[0])
        return true
    }

    /// Moves to the next document; returns it (or `end`).
    @discardableResult
    public func next() -> Int32 {
        if doc == PostingsCursor.end { return doc }
        if block >= 0 && index + 1 < blockCount {
            index += 1
            doc = Int32(bitPattern: docs[index])
            return doc
        }
        _ = load(block: block + 1)
        return doc
    }

    /// Moves to the first document ≥ `target`; returns it (or `end`). Skips whole blocks.
    @discardableResult
    public func advance(to target: Int32) -> Int32 {
        if doc >= target { return doc }
        if block < 0 || blockLast < target {
            var b = max(block + 1, shallowAt)
            while b < blocks && lastDoc(ofBlock: b) < target { b += 1 }
            if !load(block: b) { return doc }
        }
        while docs[index] < UInt32(target) { index += 1 }
        doc = Int32(bitPattern: docs[index])
        return doc
    }

    /// Term frequency in the current document.
    @inline(__always) public var freq: Int { Int(freqs[index]) }

    /// The largest of `score(tf, length)` over the current block's impacts (an exact bound of
    /// any monotone score in the block).
    @inline(__always)
    public func blockMax(_ score: (UInt32, UInt32) -> Float) -> Float {
        ensureImpacts()
        guard block >= 0 && block < blocks else { return score(info.maxFreq, info.minLength) }
        return boundUnchecked(ofBlock: block, score)
    }

    /// The block where `advance(to: target)` would land (`blockCountTotal` when no document
    /// ≥ `target` is left), from the skip entries alone: nothing is decoded and the cursor does
    /// not move. Targets must not decrease from one call to the next.
    @inline(__always) func shallowBlock(_ target: Int32) -> Int {
        var b = max(block, shallowAt, 0)
        while b < blocks && lastDoc(ofBlock: b) < target { b += 1 }
        shallowAt = b
        return b
    }

    /// The last document of block `b` (blocks hold the documents after the previous block's
    /// last, up to their own), from its skip entry.
    @inline(__always) func lastDoc(ofBlock b: Int) -> Int32 {
        blocks == 1 ? singleLast : Int32(bitPattern: entry(b, 0))
    }

    /// The largest of `score(tf, length)` over block `b`'s impacts, from its skip entry alone.
    @inline(__always)
    func bound(ofBlock b: Int, _ score: (UInt32, UInt32) -> Float) -> Float {
        ensureImpacts()
        return boundUnchecked(ofBlock: b, score)
    }

    /// Reads block `b`'s impacts into `pairs` (its skip entry only located them). Damage (an
    /// overlong varint, a run cut short, no pair or more than 64) gives a bound no block can fall
    /// under, and the cursor reports it.
    private func readImpacts(ofBlock b: Int) {
        pairsBlock = b
        let start = impactsStart + (b == 0 ? 0 : impactsEnd(b - 1))
        let stop = impactsStart + impactsEnd(b)
        var count = 0
        if start < stop && stop <= dataStart {
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: post[..<stop]), at: start, file: fileName)
            do {
                while r.pos < stop && count < 64 {
                    pairs[2 * count] = UInt32(truncatingIfNeeded: try r.varint())
                    pairs[2 * count + 1] = UInt32(truncatingIfNeeded: try r.varint())
                    count += 1
                }
                if r.pos == stop {
                    pairCount = count
                    return
                }
            } catch {}
        }
        error = .corrupt(fileName, "bad block impacts")
        pairs[0] = .max
        pairs[1] = 0
        pairCount = 1
    }

    @inline(__always)
    private func boundUnchecked(ofBlock b: Int, _ score: (UInt32, UInt32) -> Float) -> Float {
        if b != pairsBlock { readImpacts(ofBlock: b) }
        var best: Float = 0
        for i in 0..<pairCount { best = max(best, score(pairs[2 * i], pairs[2 * i + 1])) }
        return best
    }

    /// Moves past the current block to the first later block whose best `score` over its
    /// impacts exceeds `threshold`, decoding only that block; returns its first document (or
    /// `end`). Block-max skipping for a single term without decoding the blocks it skips.
    @inline(__always)
    public func skipBlocks(above threshold: Float, _ score: (UInt32, UInt32) -> Float) -> Int32 {
        ensureImpacts()
        if doc == PostingsCursor.end { return doc }
        var b = block + 1
        while b < blocks && boundUnchecked(ofBlock: b, score) <= threshold { b += 1 }
        _ = load(block: b)
        return doc
    }

    public var blockLastDoc: Int32 { block >= 0 && block < blocks ? blockLast : PostingsCursor.end }

    /// Positions of the term in the current document (ascending), as a new array.
    public func positions() -> [Int32] {
        var out: [Int32] = []
        positions(into: &out)
        return out
    }

    /// Replaces `out` with the positions of the term in the current document (ascending),
    /// reusing its storage.
    public func positions(into out: inout [Int32]) {
        let buf = PositionBuffer()
        positions(into: buf)
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: UnsafeBufferPointer(start: buf.values, count: buf.count))
    }

    /// Skips `n` varints starting at `p` of the positions (8 bytes at a time: a varint ends at
    /// each byte whose high bit is clear).
    @inline(__always)
    private func skipVarints(_ n: Int, from start: Int) -> Int {
        PostingsCursor.skipVarints(n, in: posn, from: start)
    }

    /// Skips `n` varints of `buffer` from `start`; the offset after them (at most the buffer's
    /// end, where a truncated run stops).
    @inline(__always)
    static func skipVarints(_ n: Int, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int {
        var p = start
        var left = n
        let end = buffer.count
        guard let base = buffer.baseAddress, n > 0 else { return start }
        while left >= 8 && p + 8 <= end {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            let ends = (~w & 0x8080_8080_8080_8080).nonzeroBitCount
            if ends > left { break }
            left -= ends
            p += 8
        }
        while left > 0 && p < end {
            if base.load(fromByteOffset: p, as: UInt8.self) & 0x80 == 0 { left -= 1 }
            p += 1
        }
        return p
    }

    /// Moves the position cursor past the positions of earlier documents in this block.
    @inline(__always)
    private func skipEarlierPositions() {
        guard posIndex < index else { return }
        var total = 0
        for i in posIndex..<index { total += Int(freqs[i]) }
        posCursor = skipVarints(total, from: posCursor)
        posIndex = index
    }

    /// The encoded positions of the current document, as stored: `freq` varints, deltas
    /// restarting at 0 (a merge copies them without decoding). Nil when the data is damaged.
    public func positionBytes() -> UnsafeRawBufferPointer? {
        skipEarlierPositions()
        let start = posCursor
        let end = skipVarints(Int(freqs[index]), from: start)
        guard end <= posn.count, end > start, posn[end - 1] & 0x80 == 0 else {
            error = .corrupt(fileName, "bad position data")
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: posn[start..<end])
    }

    /// Fills `out` with the positions of the term in the current document (ascending).
    public func positions(into out: PositionBuffer) {
        out.count = 0
        skipEarlierPositions()
        var p = posCursor
        let end = posn.count
        guard let base = posn.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let k = Int(freqs[index])
        out.reserve(k)
        var last: Int32 = 0
        let values = out.values
        for j in 0..<k {
            var v: UInt32 = 0
            var shift: UInt32 = 0
            while true {
                guard p < end, shift < 32 else {
                    error = .corrupt(fileName, "bad position data")
                    out.count = j
                    return
                }
                let x = base[p]
                p += 1
                v |= UInt32(x & 0x7F) << shift
                if x & 0x80 == 0 { break }
                shift += 7
            }
            let next = Int64(last) + Int64(v)
            guard next <= PostingsFormat.maxPosition else {
                error = .corrupt(fileName, "bad position data")
                out.count = j
                return
            }
            last = Int32(next)
            values[j] = last
        }
        out.count = k
    }
}

/// A reusable, growable buffer of positions (no copy-on-write, no per-document allocation).
public final class PositionBuffer {
    public private(set) var values: UnsafeMutablePointer<Int32>
    public var count = 0
    private var capacity = 64

    public init() { values = .allocate(capacity: capacity) }
    deinit { values.deallocate() }

    @inline(__always) func reserve(_ n: Int) {
        if n > capacity {
            values.deallocate()
            capacity = max(n, capacity * 2)
            values = .allocate(capacity: capacity)
        }
    }

    @inline(__always) public subscript(i: Int) -> Int32 { values[i] }

    /// Appends `n` values from `p`, keeping those it holds.
    @inline(__always) func append(_ p: UnsafePointer<Int32>, _ n: Int) {
        if count + n > capacity {
            capacity = max(count + n, capacity * 2)
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            grown.update(from: values, count: count)
            values.deallocate()
            values = grown
        }
        (values + count).update(from: p, count: n)
        count += n
    }

    public var array: [Int32] { Array(UnsafeBufferPointer(start: values, count: count)) }
}
