import Foundation

/// Latent topics of an index (LSI): the top `k` right singular vectors of the matrix whose rows
/// are articles' unit word-weight vectors (`RelatedFinder.unitVector`: BM25 weight in the article,
/// title words twice, scaled to length 1), from a sample of the index. An article's topic vector
/// is its word vector projected on them; two articles about the same subject in other words
/// (takeover stories of different companies, posts in one newsgroup) are close there.
///
/// `related` blends the topic cosine into its ranking (README "Related articles"). The model is
/// derived data: `loupe index` writes it to `<index>/topics` after a commit when the index has
/// changed by a tenth since it was made; a missing or damaged file only means no blend.
///
/// The singular vectors come from a randomized SVD (Halko, Martinsson and Tropp 2011): a Gaussian
/// sketch with `k + 10` columns, two power iterations with QR re-orthonormalisation (Cholesky QR),
/// then the
/// eigenvectors of the small `(k + 10)²` Gram matrix (Jacobi rotations). k = 50: as good as 100
/// in the measurements (README "Related articles"), at a third of the cost.
public struct TopicModel: @unchecked Sendable {
    public let k: Int
    /// Articles in the index the model was made from, and the corpus root: a later run rebuilds
    /// it when either changes.
    public let documents: Int
    public let corpus: String
    /// The index's count of articles ever added (`Manifest.articlesAdded`) when the model was
    /// made: a later run rebuilds it when a tenth of its articles' worth were added since —
    /// replacements included, so an archive whose size stays flat while its stories turn over
    /// (feeds rewritten in place) gets a fresh model too. Nil for a model written before.
    public internal(set) var added: Int?
    /// Terms, sorted, packed in one buffer (term i at `termBytes[termStart[i] ..< termStart[i + 1]]`),
    /// and their k-float rows (term i's row at `rows[i * k ..< (i + 1) * k]`). They point into
    /// `storage`: the mapped file of a loaded model (nothing is copied or parsed at load), or
    /// memory of its own for a model just built. Read-only, so shareable across threads.
    let termBytes: UnsafeBufferPointer<UInt8>
    let termStart: UnsafeBufferPointer<UInt32>
    let rows: UnsafeBufferPointer<Float>
    private let storage: AnyObject

    /// Memory owned by a built model.
    private final class Owned {
        let bytes: UnsafeMutableBufferPointer<UInt8>
        let starts: UnsafeMutableBufferPointer<UInt32>
        let rows: UnsafeMutableBufferPointer<Float>
        init(bytes: [UInt8], starts: [UInt32], rows: [Float]) {
            self.bytes = .allocate(capacity: bytes.count)
            _ = self.bytes.initialize(from: bytes)
            self.starts = .allocate(capacity: starts.count)
            _ = self.starts.initialize(from: starts)
            self.rows = .allocate(capacity: rows.count)
            _ = self.rows.initialize(from: rows)
        }
        deinit {
            bytes.deallocate()
            starts.deallocate()
            rows.deallocate()
        }
    }

    init(k: Int, documents: Int, corpus: String, terms: [[UInt8]], rows: [Float]) {
        self.k = k
        self.documents = documents
        self.corpus = corpus
        var bytes: [UInt8] = []
        var start: [UInt32] = [0]
        for t in terms {
            bytes += t
            start.append(UInt32(bytes.count))
        }
        let owned = Owned(bytes: bytes, starts: start, rows: rows)
        termBytes = UnsafeBufferPointer(owned.bytes)
        termStart = UnsafeBufferPointer(owned.starts)
        self.rows = UnsafeBufferPointer(owned.rows)
        storage = owned
    }

    private init(
        k: Int, documents: Int, corpus: String, termBytes: UnsafeBufferPointer<UInt8>,
        termStart: UnsafeBufferPointer<UInt32>, rows: UnsafeBufferPointer<Float>, storage: AnyObject
    ) {
        self.k = k
        self.documents = documents
        self.corpus = corpus
        self.termBytes = termBytes
        self.termStart = termStart
        self.rows = rows
        self.storage = storage
    }

    var termCount: Int { termStart.count - 1 }

    var terms: [[UInt8]] {
        (0..<termCount).map { Array(termBytes[Int(termStart[$0])..<Int(termStart[$0 + 1])]) }
    }

    public static let fileName = "topics"
    public static let defaultRank = 50
    public static let sampleSize = 10_000
    /// Fewer articles than this: no model (too few to find topics in).
    public static let minDocuments = 1_000

    /// Calls `body` with row `r`'s term bytes.
    func withTerm<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(rebasing: termBytes[Int(termStart[r])..<Int(termStart[r + 1])]))
    }

    /// The row of `term`, or nil (binary search over the packed terms).
    func row(_ term: [UInt8]) -> Int? {
        term.withUnsafeBufferPointer { q in
            // memcmp order, then length: the order `lexicographicallyPrecedes` sorted them in.
            func compare(_ i: Int) -> Int {
                let a = Int(termStart[i])
                let n = Int(termStart[i + 1]) - a
                let m = min(n, q.count)
                let c = m == 0 ? 0 : Int(memcmp(termBytes.baseAddress! + a, q.baseAddress!, m))
                return c != 0 ? c : n - q.count
            }
            var lo = 0
            var hi = termCount
            while lo < hi {
                let mid = (lo + hi) / 2
                if compare(mid) < 0 { lo = mid + 1 } else { hi = mid }
            }
            return lo < termCount && compare(lo) == 0 ? lo : nil
        }
    }

    /// The unit topic vector of a word vector (empty when none of its words is in the model).
    public func project(_ v: [[UInt8]: Float]) -> [Float] {
        var hits: [(Int, Float)] = []
        for (t, w) in v { if let r = row(t) { hits.append((r, w)) } }
        return project(rowWeights: hits)
    }

    /// The unit topic vector of (row, weight) pairs of one word vector (empty when there are none).
    func project(rowWeights: [(Int, Float)]) -> [Float] {
        guard var z = coordinates(rowWeights: rowWeights) else { return [] }
        var n: Float = 0
        for x in z { n += x * x }
        n = n.squareRoot()
        guard n > 0 else { return [] }
        for j in 0..<k { z[j] /= n }
        return z
    }

    /// The topic coordinates `Vᵀ v` (not normalised) of (row, weight) pairs of one word vector,
    /// or nil when there are none.
    func coordinates(rowWeights: [(Int, Float)]) -> [Float]? {
        var z = [Float](repeating: 0, count: k)
        // Summed in term order, so the result does not depend on the word vector's order.
        var hits = rowWeights
        if hits.isEmpty { return nil }
        hits.sort { $0.0 < $1.0 }
        for (r, w) in hits {
            let base = r * k
            for j in 0..<k { z[j] += w * rows[base + j] }
        }
        return z
    }

    /// The `count` rows with the largest positive weight in the reconstruction `V z` of topic
    /// coordinates `z` (every word's row · z), strongest first.
    func strongestRows(_ z: [Float], count: Int) -> [(row: Int, weight: Float)] {
        // A small sorted list (ascending); a row ties below the rows already in it.
        var best: [(Float, Int)] = []
        do {
            let rp = rows
            z.withUnsafeBufferPointer { zp in
                let raw = UnsafeRawPointer(rp.baseAddress!)
                let zraw = UnsafeRawPointer(zp.baseAddress!)
                let wide = k / 8 * 8
                for r in 0..<termCount {
                    // Eight lanes at a time (the rows are contiguous), then the rest.
                    let base = r * k
                    var v = SIMD8<Float>()
                    var j = 0
                    while j < wide {
                        v +=
                            raw.loadUnaligned(fromByteOffset: (base + j) * 4, as: SIMD8<Float>.self)
                            * zraw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                        j += 8
                    }
                    var x = v.sum()
                    while j < k {
                        x += rp[base + j] * zp[j]
                        j += 1
                    }
                    if x <= 0 || (best.count == count && x <= best[0].0) { continue }
                    if best.count == count { best.removeFirst() }
                    let at = best.firstIndex { $0.0 >= x } ?? best.count
                    best.insert((x, r), at: at)
                }
            }
        }
        return best.reversed().map { ($0.1, $0.0) }
    }

    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var s: Float = 0
        for j in 0..<a.count { s += a[j] * b[j] }
        return s
    }

    // MARK: Building

    /// A model of `reader`'s index, or nil when it has too few articles. Its heavy passes run on
    /// `threads` cores, each pass cut so that the model is the same, bit for bit, whatever the
    /// number.
    public static func build(
        _ reader: IndexReader, corpus: String, rank: Int = defaultRank, sample: Int = sampleSize,
        threads: Int = Parallel.cores
    ) throws -> TopicModel? {
        let n = reader.documentCount
        guard n >= minDocuments else { return nil }
        // Every (n / sample)-th article, live ones only.
        let step = max(1, n / sample)
        var docs: [Int] = []
        var d = 0
        while d < n {
            if let (seg, local) = reader.locate(d), !seg.isDeleted(local) { docs.append(d) }
            d += step
        }
        // The sampled articles' unit word vectors, a slice per core: a core other than the first
        // reads through an `IndexReader` of its own (a reader caches stored blocks, so it is not
        // shared between threads). A vector's words are ids of its core's finder, in byte order.
        let parts = max(1, min(threads, docs.count))
        let readers = try (0..<parts).map { $0 == 0 ? reader : try IndexReader(directory: reader.directory) }
        let finders = readers.map { RelatedFinder(searcher: Searcher(reader: $0)) }
        let sampled = UnsafeMutableBufferPointer<[(Int, Float)]>.allocate(capacity: docs.count)
        sampled.initialize(repeating: [])
        let partOf = UnsafeMutableBufferPointer<Int>.allocate(capacity: docs.count)
        partOf.initialize(repeating: 0)
        defer {
            sampled.deinitialize()
            sampled.deallocate()
            partOf.deallocate()
        }
        let failures = UnsafeMutableBufferPointer<Error?>.allocate(capacity: parts)
        failures.initialize(repeating: nil)
        defer {
            failures.deinitialize()
            failures.deallocate()
        }
        Parallel.slices(docs.count, parts: parts) { part, range in
            do {
                let r = readers[part]
                let finder = finders[part]
                for i in range {
                    sampled[i] = try finder.sortedUnitIds(try r.article(docs[i]), inIndex: true)
                    partOf[i] = part
                }
            } catch {
                failures[part] = error
            }
        }
        if let e = failures.lazy.compactMap({ $0 }).first { throw e }
        // Columns: words numbered as first met (an interning table, not a dictionary of arrays),
        // each core's word interned once.
        var vocab = TermIntern(capacity: 1 << 16)
        let termsOf = finders.map(\.terms)
        var column = termsOf.map { [Int32](repeating: -1, count: $0.count) }
        var rowStart: [Int] = [0]
        var cols: [Int32] = []
        var vals: [Float] = []
        for i in 0..<docs.count {
            let part = partOf[i]
            for (t, w) in sampled[i] {
                var c = column[part][t]
                if c < 0 {
                    c = Int32(vocab.intern(t, of: termsOf[part]))
                    column[part][t] = c
                }
                cols.append(c)
                vals.append(w)
            }
            rowStart.append(cols.count)
        }
        let m = rowStart.count - 1
        let v = vocab.count
        let l = min(rank + 10, m, v)
        let k = min(rank, l)
        guard k >= 2 else { return nil }
        let a = SparseRows(rowStart: rowStart, cols: cols, vals: vals, columns: v, threads: threads)
        let at = a.transposed()
        // Y = A Ω (m × l), Ω Gaussian (v × l). A word's row is drawn from a seed made of the word
        // itself, not of its column number (the order words were met in the sample), so that a
        // few changed articles change the model a little instead of re-drawing every row after
        // their first new word.
        var omega = [Float](repeating: 0, count: v * l)
        omega.withUnsafeMutableBufferPointer { out in
            Parallel.slices(v, parts: threads) { _, part in
                for c in part {
                    var rng = SplitMix(seed: vocab.hash(of: c) ^ 0x5EED_70B1C5)
                    for j in 0..<l { out[c * l + j] = rng.gaussian() }
                }
            }
        }
        var y = a.times(omega, width: l)
        Dense.orthonormalizeColumns(&y, rows: m, cols: l, threads: threads)
        for _ in 0..<2 {
            // Z = Aᵀ Q (v × l); only the sample side is re-orthonormalised (it is the smaller).
            let z = at.times(y, width: l)
            y = a.times(z, width: l)
            Dense.orthonormalizeColumns(&y, rows: m, cols: l, threads: threads)
        }
        // B = Qᵀ A (l × v), stored as Bᵀ = Aᵀ Q (v × l). B Bᵀ = Ub Σ² Ubᵀ; V = Bᵀ Ub Σ⁻¹.
        let bt = at.times(y, width: l)
        var gram = Dense.gram(bt, rows: v, cols: l, threads: threads)
        for i in 0..<l { for j in 0..<i { gram[i * l + j] = gram[j * l + i] } }
        let (values, vectors) = Dense.symmetricEigen(gram, n: l)
        let order = (0..<l).sorted { values[$0] > values[$1] }.prefix(k)
        // Terms sorted for lookup; each row: Bᵀ[t] · Ub[:, c] / σ_c for the k largest.
        let sortedTerms = (0..<v).sorted { vocab.precedes($0, $1) }
        // W = Ub Σ⁻¹ on the k largest (l × k), then each term's row = Bᵀ[t] · W.
        var wm = [Float](repeating: 0, count: l * k)
        for (c, e) in order.enumerated() {
            let sigma = values[e].squareRoot()
            guard sigma > 1e-9 else { continue }
            for i in 0..<l { wm[i * k + c] = Float(vectors[i * l + e] / sigma) }
        }
        let rows = Dense.rowsTimes(bt, order: sortedTerms, inner: l, wm, width: k, threads: threads)
        var model = TopicModel(
            k: k, documents: n, corpus: corpus, terms: sortedTerms.map { vocab.term($0) }, rows: rows)
        model.added = reader.manifest.articlesAdded
        return model
    }

    // MARK: File

    /// Writes the model to `<dir>/topics` (through a temporary file and a rename). Layout (kind
    /// `TOPN`, after the 12-byte header; `TOPM` without `added`): k (u32), documents (u64), the
    /// articles added (u64), the corpus root (u32 length,
    /// bytes), the term count n (u32), then, each at an offset that is a multiple of 4, the n + 1
    /// term offsets (u32), the packed terms, and the n × k rows (little-endian f32): a reader maps
    /// the file and uses them in place.
    public func write(directory dir: String) throws {
        var w = ByteWriter(capacity: rows.count * 4 + termBytes.count + 4 * termStart.count + 64)
        IndexFile.header(kind: added == nil ? "TOPM" : "TOPN", into: &w)
        w.u32(UInt32(k))
        w.u64(UInt64(documents))
        if let added { w.u64(UInt64(added)) }
        let c = Array(corpus.utf8)
        w.u32(UInt32(c.count))
        for b in c { w.u8(b) }
        w.u32(UInt32(termCount))
        while w.count % 4 != 0 { w.u8(0) }
        for x in termStart { w.u32(x) }
        w.append(termBytes)
        while w.count % 4 != 0 { w.u8(0) }
        for x in rows { w.f32(x) }
        IndexFile.finish(&w)
        let tmp = dir + "/" + TopicModel.fileName + ".tmp"
        try FileIO.write(w.bytes, to: tmp)
        guard rename(tmp, dir + "/" + TopicModel.fileName) == 0 else {
            throw IndexError.io(tmp, "cannot rename: \(String(cString: strerror(errno)))")
        }
    }

    /// The model in `<dir>/topics`, or nil when there is none or it is damaged. The file is mapped,
    /// not read: its CRC is verified once per version of the file (`VerifiedFiles`), and the
    /// terms and rows are used where they lie. A model written before the `TOPM` layout (`TOPC`:
    /// terms with a length byte each) is read into memory.
    /// With `fullCheck` (`loupe check`), the whole CRC is verified whatever `verified` records.
    public static func load(directory dir: String, fullCheck: Bool = false) -> TopicModel? {
        #if _endian(big)
            return nil  // the rows are little-endian floats used in place
        #endif
        guard let file = try? MappedFile(path: dir + "/" + fileName), file.bytes.count >= 16 else { return nil }
        let verified = VerifiedFiles(directory: dir)
        defer { verified.save() }
        func validate(_ kind: String) -> Range<Int>? {
            fullCheck
                ? try? IndexFile.validate(file.bytes, kind: kind, file: file.path, checksum: true)
                : try? verified.validate(file, name: fileName, kind: kind)
        }
        if Array(file.bytes[4..<8]) == Array("TOPC".utf8) {
            guard validate("TOPC") != nil else { return nil }
            return loadPacked(file.bytes)
        }
        let marked = Array(file.bytes[4..<8]) == Array("TOPN".utf8)
        guard let payload = validate(marked ? "TOPN" : "TOPM") else { return nil }
        let buf = file.bytes
        var r = ByteReader(
            UnsafeRawBufferPointer(rebasing: buf[0..<payload.upperBound]), at: payload.lowerBound, file: fileName)
        guard let k = try? r.u32(), k > 0, k <= 1000, let docs = try? r.u64() else { return nil }
        var added: Int?
        if marked {
            guard let a = try? r.u64(), a <= UInt64(Int.max) else { return nil }
            added = Int(a)
        }
        guard let cl = try? r.u32(), let cb = try? r.bytes(Int(cl)), let nt = try? r.u32(), Int(nt) < buf.count
        else { return nil }
        let corpus = String(decoding: cb, as: UTF8.self)
        let n = Int(nt)
        let startsAt = (r.pos + 3) / 4 * 4
        guard startsAt + 4 * (n + 1) <= payload.upperBound else { return nil }
        let base = buf.baseAddress!
        let starts = UnsafeBufferPointer(
            start: (base + startsAt).assumingMemoryBound(to: UInt32.self), count: n + 1)
        let bytesAt = startsAt + 4 * (n + 1)
        let termLength = Int(UInt32(littleEndian: starts[n]))
        guard termLength <= payload.upperBound - bytesAt else { return nil }
        // Offsets must rise and end at the packed length: a lookup then never reads outside.
        var previous: UInt32 = 0
        for i in 0...n {
            let x = UInt32(littleEndian: starts[i])
            guard x >= previous, i > 0 || x == 0 else { return nil }
            previous = x
        }
        let rowsAt = (bytesAt + termLength + 3) / 4 * 4
        let count = n * Int(k)
        guard rowsAt + 4 * count == payload.upperBound else { return nil }
        var model = TopicModel(
            k: Int(k), documents: Int(docs), corpus: corpus,
            termBytes: UnsafeBufferPointer(
                start: (base + bytesAt).assumingMemoryBound(to: UInt8.self), count: termLength),
            termStart: starts,
            rows: UnsafeBufferPointer(start: (base + rowsAt).assumingMemoryBound(to: Float.self), count: count),
            storage: file)
        model.added = added
        return model
    }

    /// Whether `<dir>/topics` exists (loadable or not).
    public static func exists(directory dir: String) -> Bool {
        access(dir + "/" + fileName, F_OK) == 0
    }

    /// A model of the earlier `TOPC` layout (already validated), read into memory.
    private static func loadPacked(_ buf: UnsafeRawBufferPointer) -> TopicModel? {
        let body = UnsafeRawBufferPointer(rebasing: buf[0..<(buf.count - IndexFile.footerSize)])
        var r = ByteReader(body, at: IndexFile.headerSize, file: fileName)
        guard let k = try? r.u32(), k > 0, k <= 1000, let docs = try? r.u64(), let cl = try? r.u32(),
            let cb = try? r.bytes(Int(cl)), let nt = try? r.u32()
        else { return nil }
        let corpus = String(decoding: cb, as: UTF8.self)
        var terms: [[UInt8]] = []
        terms.reserveCapacity(min(Int(nt), r.remaining))
        for _ in 0..<nt {
            guard let len = try? r.u8(), let t = try? r.bytes(Int(len)) else { return nil }
            terms.append(Array(t))
        }
        let count = Int(nt) * Int(k)
        guard r.remaining == count * 4 else { return nil }
        let at = r.pos
        let rows = (0..<count).map {
            Float(bitPattern: UInt32(littleEndian: body.loadUnaligned(fromByteOffset: at + 4 * $0, as: UInt32.self)))
        }
        return TopicModel(k: Int(k), documents: Int(docs), corpus: corpus, terms: terms, rows: rows)
    }
}

/// Rows of a sparse matrix (CSR).
struct SparseRows {
    let rowStart: [Int]
    let cols: [Int32]
    let vals: [Float]
    let columns: Int
    var threads = 1

    var rows: Int { rowStart.count - 1 }

    /// self (rows × columns) × x (columns × width, row-major). Rows are shared out among the
    /// cores; each output row is summed in the same order as by one thread.
    func times(_ x: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        out.withUnsafeMutableBufferPointer { o in
            x.withUnsafeBufferPointer { xp in
                Parallel.slices(rows, parts: threads) { _, part in
                    for r in part {
                        let out = o.baseAddress! + r * width
                        // Four entries at a time: each output loaded and stored once for them,
                        // the products added in the entries' order.
                        var e = rowStart[r]
                        let end = rowStart[r + 1]
                        while e + 4 <= end {
                            let (v0, v1, v2, v3) = (vals[e], vals[e + 1], vals[e + 2], vals[e + 3])
                            let x = xp.baseAddress!
                            Dense.addFour(
                                out, width, (v0, v1, v2, v3), x + Int(cols[e]) * width, x + Int(cols[e + 1]) * width,
                                x + Int(cols[e + 2]) * width, x + Int(cols[e + 3]) * width)
                            e += 4
                        }
                        while e < end {
                            let v = vals[e]
                            let xb = Int(cols[e]) * width
                            for j in 0..<width { out[j] += v * xp[xb + j] }
                            e += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// selfᵀ (columns × rows), its rows each holding their entries in row order: `times` on it
    /// gives selfᵀ × y with every output summed in the order of a pass over self's rows.
    func transposed() -> SparseRows {
        var start = [Int](repeating: 0, count: columns + 1)
        for c in cols { start[Int(c) + 1] += 1 }
        for c in 0..<columns { start[c + 1] += start[c] }
        var next = start
        var tcols = [Int32](repeating: 0, count: cols.count)
        var tvals = [Float](repeating: 0, count: vals.count)
        for r in 0..<rows {
            for e in rowStart[r]..<rowStart[r + 1] {
                let c = Int(cols[e])
                tcols[next[c]] = Int32(r)
                tvals[next[c]] = vals[e]
                next[c] += 1
            }
        }
        return SparseRows(rowStart: start, cols: tcols, vals: tvals, columns: rows, threads: threads)
    }
}

enum Dense {
    /// `y[j] += a.0 × x0[j]`, then `+= a.1 × x1[j]`, `+= a.2 × x2[j]`, `+= a.3 × x3[j]`, for j
    /// below n: four products added in order, each output loaded and stored once for them — the
    /// blocked products' common step, giving what one product at a time gives, bit for bit.
    @inline(__always)
    static func addFour<T: FloatingPoint>(
        _ y: UnsafeMutablePointer<T>, _ n: Int, _ a: (T, T, T, T), _ x0: UnsafePointer<T>,
        _ x1: UnsafePointer<T>, _ x2: UnsafePointer<T>, _ x3: UnsafePointer<T>
    ) {
        for j in 0..<n {
            var v = y[j]
            v += a.0 * x0[j]
            v += a.1 * x1[j]
            v += a.2 * x2[j]
            v += a.3 * x3[j]
            y[j] = v
        }
    }

    /// Row `r` of the result (order.count × width) is row `order[r]` of `b` (inner wide) times
    /// `w` (inner × width, row-major). Four of a row's entries at a time: each output loaded
    /// and stored once for them, the products added in the entries' order (a zero adds nothing:
    /// the sums are never −0), so the result is that of one product at a time, bit for bit.
    static func rowsTimes(_ b: [Float], order: [Int], inner l: Int, _ w: [Float], width k: Int, threads: Int = 1)
        -> [Float]
    {
        var rows = [Float](repeating: 0, count: order.count * k)
        rows.withUnsafeMutableBufferPointer { out in
            b.withUnsafeBufferPointer { b in
                w.withUnsafeBufferPointer { w in
                    order.withUnsafeBufferPointer { st in
                        Parallel.slices(order.count, parts: threads) { _, part in
                            for newRow in part {
                                let t = st[newRow]
                                let o = out.baseAddress! + newRow * k
                                var i = 0
                                while i + 4 <= l {
                                    let x0 = b[t * l + i]
                                    let x1 = b[t * l + i + 1]
                                    let x2 = b[t * l + i + 2]
                                    let x3 = b[t * l + i + 3]
                                    if x0 != 0 || x1 != 0 || x2 != 0 || x3 != 0 {
                                        let w0 = w.baseAddress! + i * k
                                        addFour(o, k, (x0, x1, x2, x3), w0, w0 + k, w0 + 2 * k, w0 + 3 * k)
                                    }
                                    i += 4
                                }
                                while i < l {
                                    let x = b[t * l + i]
                                    if x != 0 {
                                        let wb = i * k
                                        for c in 0..<k { o[c] += x * w[wb + c] }
                                    }
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return rows
    }

    /// AᵀA (cols × cols, upper triangle) of a row-major rows × cols matrix, in Double.
    static func gram(_ a: [Float], rows: Int, cols: Int, threads: Int = 1) -> [Double] {
        var g = [Double](repeating: 0, count: cols * cols)
        // Rows of G shared out among the cores, long and short ones paired (row i has cols − i
        // entries); each entry sums over A's rows in order, as on one core.
        var order: [Int] = []
        var lo = 0
        var hi = cols - 1
        while lo <= hi {
            order.append(lo)
            if hi != lo { order.append(hi) }
            lo += 1
            hi -= 1
        }
        g.withUnsafeMutableBufferPointer { gp in
            a.withUnsafeBufferPointer { ap in
                order.withUnsafeBufferPointer { op in
                    let parts = max(1, min(threads, cols / 2))
                    Parallel.slices(parts, parts: parts) { part, _ in
                        // Four rows at a time: each entry of G is loaded and stored once per
                        // four rows, and still sums their products in row order (the same
                        // roundings as one row at a time).
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * cols) { xp in
                            var r = 0
                            while r < rows {
                                let n = min(4, rows - r)
                                for q in 0..<4 {
                                    for i in 0..<cols { xp[q * cols + i] = q < n ? Double(ap[(r + q) * cols + i]) : 0 }
                                }
                                let x0 = xp.baseAddress!
                                let x1 = x0 + cols
                                let x2 = x1 + cols
                                let x3 = x2 + cols
                                // Pairs (order[2q], order[2q + 1]) go to core q mod parts.
                                var k = 2 * part
                                while k < cols {
                                    for i in op[k..<min(k + 2, cols)] {
                                        let (a0, a1, a2, a3) = (x0[i], x1[i], x2[i], x3[i])
                                        if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 { continue }
                                        // A zero product adds nothing (G holds finite sums,
                                        // never −0): as if the row were skipped.
                                        addFour(
                                            gp.baseAddress! + i * cols + i, cols - i, (a0, a1, a2, a3), x0 + i, x1 + i,
                                            x2 + i, x3 + i)
                                    }
                                    k += 2 * parts
                                }
                                r += 4
                            }
                        }
                    }
                }
            }
        }
        return g
    }

    /// Orthonormal columns spanning those of a row-major rows × cols matrix, by Cholesky QR done
    /// twice (the second pass restores what the first lost to rounding): G = AᵀA = RᵀR, A ← A R⁻¹.
    /// Columns that depend on earlier ones come out zero.
    static func orthonormalizeColumns(_ a: inout [Float], rows: Int, cols: Int, threads: Int = 1) {
        for _ in 0..<2 {
            let g = gram(a, rows: rows, cols: cols, threads: threads)
            // Upper Cholesky factor R (row-major), then its inverse.
            var r = [Double](repeating: 0, count: cols * cols)
            var dropped = [Bool](repeating: false, count: cols)
            for j in 0..<cols {
                var d = g[j * cols + j]
                for k in 0..<j { d -= r[k * cols + j] * r[k * cols + j] }
                if d <= 1e-12 * max(g[j * cols + j], 1e-300) || d <= 0 {
                    dropped[j] = true
                    continue
                }
                let rjj = d.squareRoot()
                r[j * cols + j] = rjj
                for i in (j + 1)..<cols {
                    var s = g[j * cols + i]
                    for k in 0..<j { s -= r[k * cols + j] * r[k * cols + i] }
                    r[j * cols + i] = s / rjj
                }
            }
            // Rinv: upper triangular, R · Rinv = I (dropped columns give zero columns).
            var inv = [Double](repeating: 0, count: cols * cols)
            for j in 0..<cols where !dropped[j] {
                inv[j * cols + j] = 1 / r[j * cols + j]
                var i = j - 1
                while i >= 0 {
                    if !dropped[i] {
                        var s: Double = 0
                        for k in (i + 1)...j where !dropped[k] { s += r[i * cols + k] * inv[k * cols + j] }
                        inv[i * cols + j] = -s / r[i * cols + i]
                    }
                    i -= 1
                }
            }
            // A ← A R⁻¹, row by row (each row on its own: the same on any number of cores).
            timesUpper(&a, rows: rows, cols: cols, inv.map { Float($0) }, threads: threads)
        }
    }

    /// A ← A U for a row-major rows × cols matrix and an upper triangular cols × cols U, row by
    /// row. Four of a row's entries at a time: each output gets their products in order (a zero
    /// adds nothing: the sums are never −0), loaded and stored once for them past their
    /// triangle — the result of one product at a time, bit for bit.
    static func timesUpper(_ a: inout [Float], rows: Int, cols: Int, _ u: [Float], threads: Int = 1) {
        a.withUnsafeMutableBufferPointer { ap in
            u.withUnsafeBufferPointer { ip in
                Parallel.slices(rows, parts: threads) { _, part in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { yp in
                        for row in part {
                            let base = row * cols
                            for j in 0..<cols { yp[j] = 0 }
                            var i = 0
                            while i + 4 <= cols {
                                let x0 = ap[base + i]
                                let x1 = ap[base + i + 1]
                                let x2 = ap[base + i + 2]
                                let x3 = ap[base + i + 3]
                                let r0 = ip.baseAddress! + i * cols
                                let r1 = r0 + cols
                                let r2 = r1 + cols
                                let r3 = r2 + cols
                                yp[i] += x0 * r0[i]
                                yp[i + 1] += x0 * r0[i + 1]
                                yp[i + 1] += x1 * r1[i + 1]
                                yp[i + 2] += x0 * r0[i + 2]
                                yp[i + 2] += x1 * r1[i + 2]
                                yp[i + 2] += x2 * r2[i + 2]
                                addFour(
                                    yp.baseAddress! + i + 3, cols - i - 3, (x0, x1, x2, x3), r0 + i + 3, r1 + i + 3,
                                    r2 + i + 3, r3 + i + 3)
                                i += 4
                            }
                            while i < cols {
                                let xi = ap[base + i]
                                let ib = i * cols
                                for j in i..<cols { yp[j] += xi * ip[ib + j] }
                                i += 1
                            }
                            for j in 0..<cols { ap[base + j] = yp[j] }
                        }
                    }
                }
            }
        }
    }

    /// Eigenvalues and eigenvectors (column e of the row-major result) of a symmetric n × n
    /// matrix, by cyclic Jacobi rotations.
    static func symmetricEigen(_ m: [Double], n: Int) -> ([Double], [Double]) {
        var a = m
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<60 {
            var off: Double = 0
            for i in 0..<n { for j in (i + 1)..<n { off += a[i * n + j] * a[i * n + j] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p]
                        let akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k]
                        let aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p]
                        let vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}

/// A small deterministic generator (SplitMix64) with Box–Muller normals.
struct SplitMix {
    var state: UInt64
    var spare: Float?

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func gaussian() -> Float {
        if let s = spare {
            spare = nil
            return s
        }
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        let r = (-2 * log(u1)).squareRoot()
        spare = Float(r * sin(2 * .pi * u2))
        return Float(r * cos(2 * .pi * u2))
    }
}
