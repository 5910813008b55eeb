import Foundation
import Testing

@testable import LoupeCore

/// A file's full CRC is verified once per version of the file (`VerifiedFiles`).
struct VerifiedFilesTests {
    @Test func aVerifiedFileIsNotReadAgainUntilItIsWritten() throws {
        let arts = IndexRoundTripTests.articles(300)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        let first = try IndexReader(directory: dir, minimumVerifiedAge: 0)
        #expect(first.checksummedBytes > 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/" + VerifiedFiles.fileName))
        let second = try IndexReader(directory: dir, minimumVerifiedAge: 0)
        #expect(second.checksummedBytes == 0)
        let s = Searcher(reader: second)
        #expect(try s.search(try s.prepare(try QueryParser().parse("iran talks")), limit: 5).hits.count == 5)
        // Any write to a file (here one flipped byte, size kept) makes it a file to verify again.
        try IndexRoundTripTests.withEachFileDamaged(dir) { ext in
            #expect(throws: IndexError.self, ".\(ext)") { try IndexReader(directory: dir, minimumVerifiedAge: 0) }
        }
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 0).checksummedBytes > 0)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 0).checksummedBytes == 0)
    }

    /// File times tick coarsely: a file changed just before it was verified is not recorded, and
    /// a malformed record only means verifying everything.
    @Test func freshFilesAndBadRecordsMeanFullVerification() throws {
        let arts = IndexRoundTripTests.articles(200)
        let dir = try IndexRoundTripTests.build(arts, analyzer: .english, segments: 1)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 3600).checksummedBytes > 0)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 3600).checksummedBytes > 0)
        _ = try IndexReader(directory: dir, minimumVerifiedAge: 0)
        let record = dir + "/" + VerifiedFiles.fileName
        var text = try String(contentsOfFile: record, encoding: .utf8)
        #expect(text.hasPrefix("loupe-verified 1\n") && text.hasSuffix("end\n"))
        text.removeLast(4)  // a record cut short
        try text.write(toFile: record, atomically: false, encoding: .utf8)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 0).checksummedBytes > 0)
        try "garbage".write(toFile: record, atomically: false, encoding: .utf8)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 0).checksummedBytes > 0)
        #expect(try IndexReader(directory: dir, minimumVerifiedAge: 0).checksummedBytes == 0)
        // `check` verifies every byte whatever the record says.
        try IndexReader(directory: dir, minimumVerifiedAge: 0).check()
    }
}
