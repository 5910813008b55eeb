/// The `.dict` file: sorted keys (field byte + term) in prefix-compressed blocks of
/// `blockSize` entries, then a block index (first key and offset of every block), then a
/// trailer (block index offset, block count, term count).
///
/// Entry: the shared prefix and suffix lengths as one byte (shared × 16 + suffix, for shared
/// below 16 and suffix below 15; else 15, then both as varints), the suffix, then varints:
/// df × 2 + (totalTF > df), totalTF − df when that bit is set, postings offset, positions
/// offset, and for terms of several blocks max tf and min length (a cursor computes them for a
/// term of one block, from its documents and the length table). The offsets are zigzag deltas
/// from the previous entry's in the block (from 0 for the block's first): postings are laid
/// out in key order, so most deltas are the previous term's byte lengths; an English stem that
/// shares an exact term's postings points back.
public enum DictionaryFormat {
    public static let blockSize = 32
}

struct DictionaryWriter {
    private let out: FileOutput
    /// `out`, unretained (`out` keeps it alive): an entry is appended without retaining and
    /// releasing the file per term.
    private let unretained: Unmanaged<FileOutput>
    private var index = ByteWriter(capacity: 1 << 16)
    private var previous: [UInt8] = []
    private var inBlock = 0
    private var blocks = 0
    private var count = 0
    private var previousPost: UInt64 = 0
    private var previousPos: UInt64 = 0

    init(_ out: FileOutput) throws {
        self.out = out
        unretained = Unmanaged.passUnretained(out)
        try out.header(kind: "DICT")
    }

    mutating func add(key: [UInt8], info: TermInfo) throws {
        try key.withUnsafeBufferPointer { try add(key: $0, info: info) }
    }

    mutating func add(key: UnsafeBufferPointer<UInt8>, info: TermInfo) throws {
        if inBlock == DictionaryFormat.blockSize || count == 0 {
            index.varint(key.count)
            index.append(key)
            index.u64(UInt64(out.count))
            blocks += 1
            inBlock = 0
            previous.removeAll(keepingCapacity: true)
            previousPost = 0
            previousPos = 0
        }
        var shared = 0
        let limit = min(previous.count, key.count)
        while shared < limit && previous[shared] == key[shared] { shared += 1 }
        let suffix = key.count - shared
        // The entry is put together on the stack: two lengths and six varints at most.
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: suffix + 64) { buf in
            let e = buf.baseAddress!
            var o = 0
            if shared < 16 && suffix < 15 {
                e[0] = UInt8(shared << 4 | suffix)
                o = 1
            } else {
                e[0] = 15
                o = 1
                Varint.put(UInt64(shared), e, &o)
                Varint.put(UInt64(suffix), e, &o)
            }
            if suffix > 0 { (e + o).update(from: key.baseAddress! + shared, count: suffix) }
            o += suffix
            let extra = info.totalTermFreq - UInt64(info.docFreq)
            Varint.put(UInt64(info.docFreq) << 1 | (extra > 0 ? 1 : 0), e, &o)
            if extra > 0 { Varint.put(extra, e, &o) }
            Varint.put(Zigzag.encode(info.postOffset &- previousPost), e, &o)
            Varint.put(Zigzag.encode(info.posOffset &- previousPos), e, &o)
            if info.docFreq > PostingsFormat.blockSize {
                Varint.put(UInt64(info.maxFreq), e, &o)
                Varint.put(UInt64(info.minLength), e, &o)
            }
            try unretained._withUnsafeGuaranteedRef { try $0.append(UnsafeBufferPointer(start: e, count: o)) }
        }
        previousPost = info.postOffset
        previousPos = info.posOffset
        previous.removeAll(keepingCapacity: true)
        previous.append(contentsOf: key)
        inBlock += 1
        count += 1
    }

    mutating func finish(sync: Bool = true) throws {
        let indexOffset = out.count
        var trailer = index
        trailer.u64(UInt64(indexOffset))
        trailer.u64(UInt64(blocks))
        trailer.u64(UInt64(count))
        try out.append(trailer)
        try out.finish(sync: sync)
    }
}

/// Reads a `.dict` file: only the block index is held in memory; a lookup binary-searches it
/// and scans one block.
final class TermDictionaryReader {
    private let file: MappedFile
    private let name: String
    /// Per block: where its first key's bytes are in the file (offset << 16 | length), and
    /// where the block starts. Kept as positions in the mapped file, not as arrays of bytes: an
    /// open used to allocate (and an exit free) one array per block, a tenth of a `find`
    /// process on a large index.
    private var firstKeys: [UInt64] = []
    private var offsets: [Int] = []
    private let payloadEnd: Int
    let termCount: Int

    init(_ file: MappedFile, name: String, checksum: Bool = true) throws {
        self.file = file
        self.name = name
        let payload = try IndexFile.validate(file.bytes, kind: "DICT", file: name, checksum: checksum)
        var r = ByteReader(file.bytes, at: payload.upperBound - 24, file: name)
        let indexOffset = Int(truncatingIfNeeded: try r.u64())
        let blocks = Int(truncatingIfNeeded: try r.u64())
        termCount = Int(truncatingIfNeeded: try r.u64())
        guard indexOffset >= payload.lowerBound, indexOffset <= payload.upperBound - 24,
            blocks >= 0, blocks <= termCount, termCount >= 0, termCount < Int(Int32.max)
        else { throw IndexError.corrupt(name, "bad dictionary trailer") }
        payloadEnd = indexOffset
        r.pos = indexOffset
        firstKeys.reserveCapacity(blocks)
        offsets.reserveCapacity(blocks)
        for _ in 0..<blocks {
            let n = try r.count(max: 1 << 16 - 1)
            let at = r.pos
            _ = try r.bytes(n)
            firstKeys.append(UInt64(at) << 16 | UInt64(n))
            let o = Int(truncatingIfNeeded: try r.u64())
            guard o >= payload.lowerBound && o < indexOffset else {
                throw IndexError.corrupt(name, "block offset out of range")
            }
            offsets.append(o)
        }
    }

    /// Block b's first key against `key` (-1, 0, 1), read in place.
    private func compareFirstKey(_ b: Int, _ key: [UInt8]) -> Int {
        let e = firstKeys[b]
        return key.withUnsafeBytes { k in
            ByteOrder.compare(file.bytes.baseAddress! + Int(e >> 16), Int(e & 0xFFFF), k.baseAddress, k.count)
        }
    }

    /// Index of the last block whose first key is ≤ key (or -1).
    private func block(for key: [UInt8]) -> Int {
        var lo = 0
        var hi = firstKeys.count - 1
        var ans = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if compareFirstKey(mid, key) <= 0 {
                ans = mid
                lo = mid + 1
            } else {
                hi = mid - 1
            }
        }
        return ans
    }

    /// Decodes the entries of block `b`, calling `body(key, info)`; stop by returning false.
    func scan(block b: Int, _ body: ([UInt8], TermInfo) throws -> Bool) throws -> Bool {
        var r = ByteReader(file.bytes, at: offsets[b], file: name)
        let end = b + 1 < offsets.count ? offsets[b + 1] : payloadEnd
        var key: [UInt8] = []
        var po: UInt64 = 0
        var pp: UInt64 = 0
        while r.pos < end {
            let lengths = try r.u8()
            var shared = Int(lengths >> 4)
            var suffix = Int(lengths & 15)
            if lengths == 15 {
                shared = try r.count(max: key.count)
                suffix = try r.count(max: 1 << 16)
            }
            guard shared <= key.count else { throw IndexError.corrupt(name, "bad shared prefix length") }
            key.removeSubrange(shared...)
            key.append(contentsOf: try r.bytes(suffix))
            let head = try r.varint()
            guard head >> 1 <= UInt64(Int32.max) else { throw IndexError.corrupt(name, "bad document frequency") }
            let df = Int(head >> 1)
            let extra = head & 1 == 1 ? try r.varint() : 0
            po &+= Zigzag.decode(try r.varint())
            pp &+= Zigzag.decode(try r.varint())
            var mf: UInt64 = 0
            var ml: UInt64 = 0
            if df > PostingsFormat.blockSize {
                mf = try r.varint()
                ml = try r.varint()
            }
            guard let first = key.first else { throw IndexError.corrupt(name, "empty key") }
            let info = TermInfo(
                docFreq: df, totalTermFreq: UInt64(df) &+ extra, postOffset: po, posOffset: pp,
                maxFreq: UInt32(truncatingIfNeeded: mf), minLength: UInt32(truncatingIfNeeded: ml),
                lengthSlot: IndexField(rawValue: first)?.lengthSlot ?? -1)
            if try !body(key, info) { return false }
        }
        return true
    }

    func lookup(_ key: [UInt8]) throws -> TermInfo? {
        let b = block(for: key)
        if b < 0 { return nil }
        var found: TermInfo?
        _ = try scan(block: b) { k, info in
            let c = ByteOrder.compare(k, key)
            if c == 0 { found = info }
            return c < 0
        }
        return found
    }

    /// The infos of many keys (nil where a key is absent), in the keys' order: the keys are
    /// sorted and each block they fall in is read once, where `lookup` searches and scans a
    /// block per key (a pattern's tens of thousands of words that only match).
    func lookup(all keys: [[UInt8]]) throws -> [TermInfo?] {
        var out = [TermInfo?](repeating: nil, count: keys.count)
        let order = keys.indices.sorted { ByteOrder.compare(keys[$0], keys[$1]) < 0 }
        var i = 0
        while i < order.count {
            let b = block(for: keys[order[i]])
            // The keys below the next block's first key are this block's.
            var j = i + 1
            while j < order.count && (b + 1 >= firstKeys.count || compareFirstKey(b + 1, keys[order[j]]) > 0) {
                j += 1
            }
            if b >= 0 {
                var k = i
                _ = try scan(block: b) { key, info in
                    while k < j && ByteOrder.compare(keys[order[k]], key) < 0 { k += 1 }
                    while k < j && ByteOrder.compare(keys[order[k]], key) == 0 {
                        out[order[k]] = info
                        k += 1
                    }
                    return k < j
                }
            }
            i = j
        }
        return out
    }

    /// Every key starting with `prefix`, in order, with its info; stops after `limit`.
    func keys(withPrefix prefix: [UInt8], limit: Int) throws -> [([UInt8], TermInfo)] {
        var out: [([UInt8], TermInfo)] = []
        try scan(prefix: prefix) { k, info in
            out.append((k, info))
            return out.count < limit
        }
        return out
    }

    /// Every key beginning with `prefix` (a field byte and the start of its terms), in order, with
    /// its info; stop by returning false.
    func scan(prefix: [UInt8], _ body: ([UInt8], TermInfo) throws -> Bool) throws {
        try scanSkipping(prefix: prefix) { k, info in try body(k, info) ? .next : .stop }
    }

    /// What a skipping scan does after a key.
    enum ScanStep {
        case next
        case stop
        /// Past every key that shares this key's first `n` bytes (a prefix the caller has ruled
        /// out): whole blocks are skipped without being read.
        case skip(Int)
    }

    /// `scan(prefix:)` whose caller may skip ranges of keys.
    func scanSkipping(prefix: [UInt8], _ body: ([UInt8], TermInfo) throws -> ScanStep) throws {
        var b = max(block(for: prefix), 0)
        var target: [UInt8]?  // keys below it are passed over
        while b < firstKeys.count {
            var jump = -1
            let more = try scan(block: b) { k, info in
                if let t = target {
                    if ByteOrder.compare(k, t) < 0 { return true }
                    target = nil
                }
                guard k.count >= prefix.count && k.starts(with: prefix) else { return ByteOrder.compare(k, prefix) < 0 }
                switch try body(k, info) {
                case .next: return true
                case .stop: return false
                case .skip(let n):
                    // UTF-8 never holds 0xFF: above every key with this prefix, below the next.
                    let t = Array(k[0..<min(n, k.count)]) + [0xFF]
                    target = t
                    let tb = block(for: t)
                    if tb > b {
                        jump = tb
                        return false
                    }
                    return true
                }
            }
            if jump >= 0 {
                b = jump
                continue
            }
            if !more { break }
            b += 1
        }
    }

    var blockCount: Int { firstKeys.count }

    /// Every entry in order (for `check`, merges and stats).
    func forEach(_ body: ([UInt8], TermInfo) throws -> Void) throws {
        for b in 0..<firstKeys.count {
            _ = try scan(block: b) { k, i in
                try body(k, i)
                return true
            }
        }
    }
}

/// Walks a dictionary in key order, one block in memory at a time (for merges): the block's
/// keys back to back in one buffer, so an entry costs no allocation of its own.
final class DictionaryIterator {
    private let reader: TermDictionaryReader
    private var block = -1
    private var keyBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 12)
    private var keyCapacity = 1 << 12
    private var keyEnds: [Int] = []
    private var infos: [TermInfo] = []
    private var index = 0

    init(_ reader: TermDictionaryReader) throws {
        self.reader = reader
        try advance()
    }

    deinit { keyBytes.deallocate() }

    var isAtEnd: Bool { index >= infos.count }

    /// The current entry's info (not at the end).
    var info: TermInfo { infos[index] }

    /// The current entry as a copy; nil at the end.
    var current: ([UInt8], TermInfo)? { isAtEnd ? nil : (Array(key), info) }

    /// The current entry's key (not at the end), valid until the next `advance`.
    var key: UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : keyEnds[index - 1]
        return UnsafeBufferPointer(start: keyBytes + start, count: keyEnds[index] - start)
    }

    func advance() throws {
        index += 1
        while index >= infos.count {
            block += 1
            index = 0
            keyEnds.removeAll(keepingCapacity: true)
            infos.removeAll(keepingCapacity: true)
            guard block < reader.blockCount else { return }
            var used = 0
            _ = try reader.scan(block: block) { k, i in
                if used + k.count > keyCapacity {
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * (used + k.count))
                    bigger.update(from: keyBytes, count: used)
                    keyBytes.deallocate()
                    keyBytes = bigger
                    keyCapacity = 2 * (used + k.count)
                }
                k.withUnsafeBufferPointer { (keyBytes + used).update(from: $0.baseAddress!, count: $0.count) }
                used += k.count
                keyEnds.append(used)
                infos.append(i)
                return true
            }
        }
    }
}

/// Signed deltas as varint-friendly unsigned numbers: 0, -1, 1, -2, … → 0, 1, 2, 3, …
enum Zigzag {
    /// `delta` is a two's-complement difference (`a &- b`).
    @inline(__always) static func encode(_ delta: UInt64) -> UInt64 {
        let v = Int64(bitPattern: delta)
        return UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    /// The two's-complement difference to add with `&+`.
    @inline(__always) static func decode(_ z: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
    }
}
