// Fuzz target `segment`: the index-file decoders (SQLite dbfuzz2 style). A small index with one
// segment is built at start-up; each input replaces one of the segment's five files, then the
// index is opened and used as `loupe find`, `loupe show` and `loupe check` do: dictionary lookups
// and prefix scans, postings cursors (next, advance, positions), stored articles, searches with
// every scorer, and `check()`.
//
// Input: byte 0 selects the file (`value % 5`: dict, post, pos, len, store; with bit 4 set, the
// segment's deleted articles' counts, its `.del` file); bit 3 set keeps the input's own checksum
// footer, clear (the default) recomputes it, so that mutations reach the decoders behind the
// CRC-32C check (the manifest's per-file stamps are dropped for the same reason, and the `.del`
// file's stamp is made the input's). The rest of the input is the file's content.
import Foundation

@testable import LoupeCore

#if canImport(Glibc)
    import Glibc
#endif

private let kinds = ["dict", "post", "pos", "len", "store", "del"]

private final class State: @unchecked Sendable {
    let dir: String
    var originals: [[UInt8]] = []
    var dirty = -1
    let queries: [QueryNode]
    /// The manifest without per-file stamps; its first segment's deletion counts file.
    var manifest: Manifest?
    var deletionFile = ""

    init() {
        dir = FuzzSupport.root + "/segment"
        FuzzSupport.buildIndex(in: dir)
        // The manifest's per-file size and CRC stamps would reject every mutated file before a
        // decoder sees it: drop them (as the footer CRC is recomputed), like SQLite's dbfuzz2.
        if var m = try? Manifest.load(directory: dir) {
            for i in m.segments.indices { m.segments[i].files = nil }
            try? m.commit(directory: dir)
            manifest = m
            deletionFile = m.segments.first(where: { $0.name == "seg000001" })?.deletionStats?.name ?? ""
        }
        let texts = [
            "oil price", "\"green zone\"", "iran AND talks", "oil NEAR/3 price", "pri*", "title:gold",
            "+bank -rate", "\"united states\"~4 nuclear", "cafe OR naive", "run", "date:2007-01..2007-05 oil",
            "category:cat1", "iran ADJ/2 talks", "pryce~1",
        ]
        queries = texts.compactMap { try? QueryParser().parse($0) }
        for k in kinds.indices { originals.append((try? FileIO.read(path(k))) ?? []) }
    }

    func path(_ kind: Int) -> String {
        kind == 5 ? dir + "/" + deletionFile : dir + "/seg000001." + kinds[kind]
    }

    func restore() {
        if dirty >= 0 {
            originals[dirty].withUnsafeBytes { FuzzSupport.write($0, to: path(dirty)) }
            if dirty == 5 { stampDeletions(originals[5]) }
            dirty = -1
        }
    }

    /// The manifest with the deletion counts file stamped as `bytes` (size, footer CRC).
    func stampDeletions(_ bytes: [UInt8]) {
        guard var m = manifest, let k = m.segments.firstIndex(where: { $0.name == "seg000001" }) else { return }
        let crc = bytes.withUnsafeBytes { IndexFile.footerCRC($0) } ?? 0
        m.segments[k].deletionStats?.size = bytes.count
        m.segments[k].deletionStats?.crc = crc
        try? m.commit(directory: dir)
    }
}

nonisolated(unsafe) private var state: State? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegment(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let s = state ?? State()
    state = s
    // `FUZZ_WRITE_SEEDS=DIR`: write the five files of the base segment as seeds, and stop.
    if let out = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
        for (k, bytes) in s.originals.enumerated() {
            ([k == 5 ? 0x10 : UInt8(k)] + bytes).withUnsafeBytes { FuzzSupport.write($0, to: "\(out)/\(kinds[k])") }
        }
        exit(0)
    }
    s.restore()
    let which = data[0] & 0x10 != 0 ? 5 : Int(data[0]) % 5
    var file = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 0x08 == 0 && file.count >= IndexFile.headerSize + IndexFile.footerSize {
        let body = file.count - IndexFile.footerSize
        let crc = file.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        for i in 0..<4 { file[body + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        for i in 0..<4 { file[body + 4 + i] = IndexFile.footerMagic[i] }
    }
    file.withUnsafeBytes { FuzzSupport.write($0, to: s.path(which)) }
    if which == 5 { s.stampDeletions(file) }
    s.dirty = which
    // `FUZZ_EXPORT=DIR`: write the index with this input in place (its manifest stamped with the
    // files' real sizes and CRCs, as a commit would) for replay with the loupe CLI, and stop.
    if let out = ProcessInfo.processInfo.environment["FUZZ_EXPORT"] {
        exportIndex(from: s.dir, to: out)
        exit(0)
    }

    guard let reader = try? IndexReader(directory: s.dir) else { return 0 }
    _ = try? reader.check()
    for seg in reader.segments {
        // A sample of the terms of every field: lookups and full cursor walks with positions.
        var keys: [[UInt8]] = []
        var seen = 0
        // swift-format-ignore: ReplaceForEachWithForLoop
        try? seg.dictionary.forEach { key, _ in
            if seen % 4 == 0 && keys.count < 150 { keys.append(key) }
            seen += 1
        }
        for key in keys {
            guard let ti = try? seg.dictionary.lookup(key) else { continue }
            let c = seg.cursor(ti)
            var steps = 0
            while c.next() != PostingsCursor.end && steps < 100_000 {
                _ = c.positions()
                steps += 1
            }
            let d = seg.cursor(ti)
            _ = d.advance(to: 3)
            if d.doc != PostingsCursor.end { _ = d.blockMax { tf, len in Float(tf) / Float(len + 1) } }
            _ = d.advance(to: 131)
        }
        for field in IndexField.allCases {
            _ = try? seg.terms(field, prefix: Array("o".utf8), limit: 50)
        }
        for doc in 0..<min(seg.documentCount, 200) { _ = try? seg.article(Int32(doc)) }
    }
    let searcher = Searcher(reader: reader)
    for q in s.queries { FuzzSupport.exercise(searcher, q) }
    return 0
}

private func exportIndex(from dir: String, to out: String) {
    do {
        try FileIO.makeDirectory(out)
        var m = try Manifest.load(directory: dir)
        for i in m.segments.indices {
            var stamps: [String: SegmentInfo.FileStamp] = [:]
            if let d = m.segments[i].deletionStats {
                let bytes = try FileIO.read(dir + "/" + d.name)
                bytes.withUnsafeBytes { FuzzSupport.write($0, to: out + "/" + d.name) }
            }
            for k in SegmentInfo.fileExtensions {
                let name = m.segments[i].name + "." + k
                let bytes = try FileIO.read(dir + "/" + name)
                bytes.withUnsafeBytes { FuzzSupport.write($0, to: out + "/" + name) }
                let crc = bytes.withUnsafeBytes { IndexFile.footerCRC($0) } ?? 0
                stamps[k] = SegmentInfo.FileStamp(size: bytes.count, crc: crc)
            }
            m.segments[i].files = stamps
        }
        try m.commit(directory: out)
    } catch {
        fatalError("fuzz: cannot export to \(out): \(error)")
    }
}
