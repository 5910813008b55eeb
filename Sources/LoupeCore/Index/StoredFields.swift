import CZstd
import Foundation

/// Serialisation of an `Article` as stored in a segment's `.store` file.
///
/// Layout: `id, title, date, link, source` (length-prefixed UTF-8; empty = absent), position
/// (varint), category count and categories, the body, then a flag byte (bit 0: the id scope
/// follows; bit 1: the author count and authors follow) and what it announces.
/// The values of an article that `find --by` counts.
public struct ArticleFacets: Sendable, Equatable {
    public var source: String
    public var categories: [String]
    public var authors: [String]
}

public enum StoredArticleCodec {
    public static func encode(_ a: Article, into w: inout ByteWriter) {
        w.string(a.id)
        w.string(a.title)
        w.string(a.date ?? "")
        w.string(a.link ?? "")
        w.string(a.source)
        w.varint(a.position)
        w.varint(a.categories.count)
        for c in a.categories { w.string(c) }
        w.string(a.body)
        w.u8((a.idScope != nil ? 1 : 0) | (a.authors.isEmpty ? 0 : 2))
        if let scope = a.idScope { w.string(scope) }
        if !a.authors.isEmpty {
            w.varint(a.authors.count)
            for x in a.authors { w.string(x) }
        }
    }

    public static func decode(_ r: inout ByteReader) throws -> Article {
        let id = try r.string()
        let title = try r.string()
        let date = try r.string()
        let link = try r.string()
        let source = try r.string()
        let position = try r.count()
        let nc = try r.count(max: 1 << 20)
        var cats: [String] = []
        for _ in 0..<nc { cats.append(try r.string()) }
        let body = try r.string()
        let flags = try r.u8()
        let scope = flags & 1 != 0 ? try r.string() : nil
        var authors: [String] = []
        if flags & 2 != 0 {
            let na = try r.count(max: 1 << 20)
            for _ in 0..<na { authors.append(try r.string()) }
        }
        return Article(
            id: id, title: title, body: body, date: date.isEmpty ? nil : date, categories: cats,
            link: link.isEmpty ? nil : link, authors: authors, source: source, position: position,
            idScope: scope)
    }
}

/// The `.store` file: encoded articles packed into blocks of about `blockBytes`, each block
/// compressed with Zstandard; then a block index (file offset, compressed and raw length per
/// block), a document index (block number and offset in the raw block per document), and a
/// trailer (document count, block count, the two index offsets).
public enum StoredFieldsFormat {
    public static let blockBytes = 32 * 1024
    /// Level 1: on en-all, indexing takes 4 % less CPU than at level 3 (Zstandard was a seventh
    /// of it) for a store 3.8 % larger (104.2 MB against 100.3).
    public static let zstdLevel: Int32 = 1
}

/// Writes a `.store` file. Compressed blocks accumulate in memory (a builder counts them in
/// its budget) until `stream(to:)` gives a file to drain them into (the merger does so at once).
struct StoredFieldsWriter {
    private var pending = ByteWriter(capacity: 1 << 16)  // compressed blocks not yet in a file
    private var pendingStart = IndexFile.headerSize  // file offset of `pending`'s first byte
    private var output: FileOutput?
    private var block = ByteWriter(capacity: StoredFieldsFormat.blockBytes * 2)
    private var blocks: [(offset: UInt64, compressed: UInt32, raw: UInt32)] = []
    private var docs: [(block: UInt32, offset: UInt32)] = []
    private var scratch: [UInt8] = []

    init() {}

    var byteCount: Int { pending.count + block.count + blocks.count * 16 + docs.count * 8 }
    var count: Int { docs.count }

    /// From now on, compressed blocks go straight to `file` (which must be new).
    mutating func stream(to file: FileOutput) throws {
        try file.header(kind: "STOR")
        try file.append(pending)
        pending.removeAll()
        output = file
    }

    mutating func add(_ a: Article) throws {
        docs.append((UInt32(blocks.count), UInt32(block.count)))
        StoredArticleCodec.encode(a, into: &block)
        if block.count >= StoredFieldsFormat.blockBytes { try flushBlock() }
    }

    /// Appends the documents of `reader` for which `isLive` holds: a block whose documents all
    /// stay is copied as it is (no decompression), the live documents of any other block are
    /// compressed again. For merges: a segment without deletions is copied block by block, and the
    /// deleted documents of one with deletions (an updated file's articles) usually fill a few
    /// blocks of many. Streaming only.
    mutating func appendLive(of reader: StoredFieldsReader, isLive: (Int) -> Bool) throws {
        guard let out = output else { preconditionFailure("appendLive needs a streaming writer") }
        var d = 0
        var b = 0
        var offsets: [UInt32] = []  // of the block's documents' records
        try reader.withRawBlocks { compressed, raw in
            // The block's documents: the next ones whose records it holds (a writer fills
            // blocks in document order).
            offsets.removeAll(keepingCapacity: true)
            var end = d
            while end < reader.count {
                let (block, offset) = try reader.location(end)
                guard block == b else { break }
                offsets.append(UInt32(offset))
                end += 1
            }
            if (d..<end).allSatisfy(isLive) {
                try flushBlock()
                let number = UInt32(blocks.count)
                blocks.append((UInt64(out.count), UInt32(compressed.count), raw))
                try out.append(compressed.bindMemory(to: UInt8.self))
                for o in offsets { docs.append((number, o)) }
            } else {
                for k in d..<end where isLive(k) { try add(try reader.article(k)) }
            }
            d = end
            b += 1
        }
        guard d == reader.count else { throw IndexError.corrupt(reader.name, "documents outside their blocks' order") }
    }

    private mutating func flushBlock() throws {
        guard block.count > 0 else { return }
        let bound = ZSTD_compressBound(block.count)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let n = block.bytes.withUnsafeBytes { src in
            scratch.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, StoredFieldsFormat.zstdLevel)
            }
        }
        precondition(ZSTD_isError(n) == 0, "zstd compression failed")
        let offset = output?.count ?? (pendingStart + pending.count)
        blocks.append((UInt64(offset), UInt32(n), UInt32(block.count)))
        try scratch.withUnsafeBufferPointer { b in
            let compressed = UnsafeBufferPointer(rebasing: b[0..<n])
            if let out = output { try out.append(compressed) } else { pending.append(compressed) }
        }
        block.removeAll()
    }

    /// Finishes the file (at `path` unless streaming already); fsyncs it unless `sync` is false.
    mutating func finish(path: String, sync: Bool = true) throws {
        try flushBlock()
        if output == nil { try stream(to: try FileOutput(path: path)) }
        let out = output!
        var tail = ByteWriter(capacity: blocks.count * 16 + docs.count * 8 + 32)
        let blockIndex = UInt64(out.count)
        for b in blocks {
            tail.u64(b.offset)
            tail.u32(b.compressed)
            tail.u32(b.raw)
        }
        let docIndex = blockIndex + UInt64(blocks.count * 16)
        for d in docs {
            tail.u32(d.block)
            tail.u32(d.offset)
        }
        tail.u64(UInt64(docs.count))
        tail.u64(UInt64(blocks.count))
        tail.u64(blockIndex)
        tail.u64(docIndex)
        try out.append(tail)
        try out.finish(sync: sync)
    }
}

/// Random access to stored articles: decompresses one block per lookup, keeping the last one.
final class StoredFieldsReader: @unchecked Sendable {
    private let bytes: UnsafeRawBufferPointer
    let name: String
    let count: Int
    private let blockCount: Int
    private let blockIndex: Int
    private let docIndex: Int
    private let lock = NSLock()

    init(_ bytes: UnsafeRawBufferPointer, name: String, expectedDocuments: Int, checksum: Bool = true) throws {
        self.bytes = bytes
        self.name = name
        let p = try IndexFile.validate(bytes, kind: "STOR", file: name, checksum: checksum)
        var r = ByteReader(bytes, at: p.upperBound - 32, file: name)
        let n = try r.u64()
        let nb = try r.u64()
        let bi = try r.u64()
        let di = try r.u64()
        guard n == UInt64(expectedDocuments), nb <= n, bi >= UInt64(p.lowerBound), bi + nb * 16 == di,
            di + n * 8 == UInt64(p.upperBound - 32)
        else { throw IndexError.corrupt(name, "document count or size does not match the manifest") }
        count = Int(n)
        blockCount = Int(nb)
        blockIndex = Int(bi)
        docIndex = Int(di)
    }

    /// Decompressed blocks kept for reuse (a few recent ones: hits often share blocks).
    private var blockCache: [Int: [UInt8]] = [:]
    private var cacheOrder: [Int] = []
    static let cachedBlocks = 64

    private func block(_ b: Int) throws -> [UInt8] {
        if let c = blockCache[b] { return c }
        var br = ByteReader(bytes, at: blockIndex + b * 16, file: name)
        let start = Int(truncatingIfNeeded: try br.u64())
        let clen = Int(try br.u32())
        let raw = Int(try br.u32())
        guard start >= IndexFile.headerSize, start + clen <= blockIndex, raw <= 1 << 30 else {
            throw IndexError.corrupt(name, "block \(b) out of range")
        }
        var out = [UInt8](repeating: 0, count: raw)
        let got = out.withUnsafeMutableBytes { dst in
            ZSTD_decompress(dst.baseAddress, raw, bytes.baseAddress! + start, clen)
        }
        guard ZSTD_isError(got) == 0, got == raw else {
            throw IndexError.corrupt(name, "block \(b) does not decompress")
        }
        blockCache[b] = out
        cacheOrder.append(b)
        if cacheOrder.count > StoredFieldsReader.cachedBlocks { blockCache[cacheOrder.removeFirst()] = nil }
        return out
    }

    /// Calls `body` with each block's compressed bytes and raw length, in order.
    func withRawBlocks(_ body: (UnsafeRawBufferPointer, UInt32) throws -> Void) throws {
        for b in 0..<blockCount {
            var br = ByteReader(bytes, at: blockIndex + b * 16, file: name)
            let start = Int(truncatingIfNeeded: try br.u64())
            let clen = Int(try br.u32())
            let raw = try br.u32()
            guard start >= IndexFile.headerSize, clen <= blockIndex, start <= blockIndex - clen, raw <= 1 << 30 else {
                throw IndexError.corrupt(name, "block \(b) out of range")
            }
            try body(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + clen)]), raw)
        }
    }

    /// Block number and offset in the raw block of a document's record.
    func location(_ doc: Int) throws -> (Int, Int) { try locate(doc) }

    private func locate(_ doc: Int) throws -> (Int, Int) {
        guard doc >= 0 && doc < count else { throw IndexError.corrupt(name, "no document \(doc)") }
        var r = ByteReader(bytes, at: docIndex + doc * 8, file: name)
        let b = Int(try r.u32())
        let off = Int(try r.u32())
        guard b < blockCount else { throw IndexError.corrupt(name, "block number out of range") }
        return (b, off)
    }

    /// Runs `body` on a reader positioned at document `doc`'s record.
    private func withRecord<T>(_ doc: Int, _ body: (inout ByteReader) throws -> T) throws -> T {
        let (b, off) = try locate(doc)
        lock.lock()
        defer { lock.unlock() }
        let data = try block(b)
        return try data.withUnsafeBytes { raw in
            guard off < raw.count else { throw IndexError.corrupt(name, "offset out of range") }
            var dr = ByteReader(raw, at: off, file: name)
            return try body(&dr)
        }
    }

    func article(_ doc: Int) throws -> Article { try withRecord(doc) { try StoredArticleCodec.decode(&$0) } }

    /// Only the id of a stored article (the first field): no body decoding.
    func id(_ doc: Int) throws -> String { try withRecord(doc) { try $0.string() } }

    /// The key a stored article's duplicates share (`Article.identity`): its id and id scope,
    /// the other fields stepped over, not decoded.
    func identity(_ doc: Int) throws -> String {
        try withRecord(doc) { r in
            let id = try r.string()
            for _ in 0..<4 { _ = try r.bytes(try r.count(max: r.remaining)) }  // title, date, link, source
            _ = try r.count()  // position
            let nc = try r.count(max: 1 << 20)
            for _ in 0..<nc { _ = try r.bytes(try r.count(max: r.remaining)) }
            _ = try r.bytes(try r.count(max: r.remaining))  // body
            let flags = try r.u8()
            return flags & 1 != 0 ? try r.string() + "\u{1F}" + id : id
        }
    }

    /// The values `find --by` counts: the source, the categories and the authors (the body is
    /// stepped over, not decoded).
    func facets(_ doc: Int) throws -> ArticleFacets {
        try withRecord(doc) { r in
            for _ in 0..<4 { _ = try r.bytes(try r.count(max: r.remaining)) }  // id, title, date, link
            let source = try r.string()
            _ = try r.count()  // position
            let nc = try r.count(max: 1 << 20)
            var categories: [String] = []
            for _ in 0..<nc { categories.append(try r.string()) }
            _ = try r.bytes(try r.count(max: r.remaining))  // body
            let flags = try r.u8()
            if flags & 1 != 0 { _ = try r.bytes(try r.count(max: r.remaining)) }
            var authors: [String] = []
            if flags & 2 != 0 {
                let na = try r.count(max: 1 << 20)
                for _ in 0..<na { authors.append(try r.string()) }
            }
            return ArticleFacets(source: source, categories: categories, authors: authors)
        }
    }

    /// Only the date of a stored article (the third field): no body decoding.
    func date(_ doc: Int) throws -> String? {
        try withRecord(doc) { r in
            _ = try r.string()
            _ = try r.string()
            let d = try r.string()
            return d.isEmpty ? nil : d
        }
    }
}
