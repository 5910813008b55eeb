import Foundation
import Testing

@testable import LoupeCore

/// `<package root>/../shared/data/snowball-english/`, found from this file's path
/// (`<package root>/Tests/LoupeCoreTests/EnglishStemmerTests.swift`).
private let snowballFixtureDirectory: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // -> Tests/LoupeCoreTests
  .deletingLastPathComponent()  // -> Tests
  .deletingLastPathComponent()  // -> package root
  .deletingLastPathComponent()  // -> its parent
  .appendingPathComponent("shared/data/snowball-english", isDirectory: true)

private let snowballFixturePresent: Bool =
  FileManager.default.fileExists(
    atPath: snowballFixtureDirectory.appendingPathComponent("voc.txt").path)
  && FileManager.default.fileExists(
    atPath: snowballFixtureDirectory.appendingPathComponent("output.txt").path)

private func fixtureLines(_ name: String) throws -> [[UInt8]] {
  let data = try Data(contentsOf: snowballFixtureDirectory.appendingPathComponent(name))
  var lines = [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: false).map {
    line -> [UInt8] in
    line.last == 0x0D ? Array(line.dropLast()) : Array(line)
  }
  if lines.last?.isEmpty == true { lines.removeLast() }
  return lines
}

@Suite struct EnglishStemmerTests {
  let stemmer = EnglishStemmer()

  /// The official Snowball test vocabulary: every word must stem exactly as in `output.txt`.
  /// Skipped (not failed) when the shared fixture directory is absent.
  @Test(
    .enabled(
      if: snowballFixturePresent, "Snowball fixture not found beside the package (../shared/data)"))
  func officialVocabulary() throws {
    let words = try fixtureLines("voc.txt")
    let expected = try fixtureLines("output.txt")
    #expect(words.count == 42_649)
    #expect(words.count == expected.count)
    var mismatches = 0
    var examples: [String] = []
    for (word, want) in zip(words, expected) {
      let got = stemmer.stem(word)
      if got != want {
        mismatches += 1
        if examples.count < 10 {
          examples.append(
            "\(String(decoding: word, as: UTF8.self)) → \(String(decoding: got, as: UTF8.self))"
              + " (expected \(String(decoding: want, as: UTF8.self)))")
        }
      }
    }
    #expect(mismatches == 0, "\(mismatches) mismatches, first: \(examples.joined(separator: ", "))")
  }

  @Test(arguments: [
    ("consign", "consign"), ("consigned", "consign"), ("consigning", "consign"),
    ("consignment", "consign"), ("generously", "generous"), ("generate", "generat"),
    ("skies", "sky"), ("skis", "ski"), ("sky", "sky"), ("dying", "die"), ("lying", "lie"),
    ("news", "news"), ("atlas", "atlas"), ("howe", "howe"), ("talks", "talk"),
    ("running", "run"), ("hopping", "hop"), ("hoping", "hope"), ("caresses", "caress"),
    ("ponies", "poni"), ("ties", "tie"), ("cries", "cri"), ("gas", "gas"), ("gaps", "gap"),
    ("kiwis", "kiwi"), ("succeeded", "succeed"), ("agreed", "agre"), ("herring", "herring"),
    ("evening", "evening"), ("luxuriating", "luxuri"), ("communism", "communism"),
    ("arsenal", "arsenal"), ("international", "internat"), ("geologist", "geolog"),
    ("hopefully", "hope"), ("yelling", "yell"), ("sayings", "say"), ("early", "earli"),
    ("add", "add"), ("adding", "add"), ("fitted", "fit"),
  ])
  func handPickedWords(_ word: String, _ stem: String) {
    #expect(stemmer.stem(word) == stem)
    #expect(stemmer.stem(Array(word.utf8)) == Array(stem.utf8))
  }

  @Test func apostrophes() {
    #expect(stemmer.stem("'tis") == "tis")
    #expect(stemmer.stem("dog's") == "dog")
    #expect(stemmer.stem("dogs'") == "dog")
    #expect(stemmer.stem("'s'") == "s")
  }

  @Test func shortWordsUnchanged() {
    for word in ["", "a", "is", "as", "us", "y'", "''"] {
      #expect(stemmer.stem(word) == word)
    }
  }

  @Test func nonAsciiAndOtherBytesUnchanged() {
    for word in ["cafés", "naïvely", "running’s", "runnings2", "Running", "über-running", "ﬂies"] {
      #expect(stemmer.stem(word) == word)
      #expect(stemmer.stem(Array(word.utf8)) == Array(word.utf8))
    }
    let invalidUTF8: [UInt8] = [0x72, 0x75, 0x6E, 0xFF, 0x69, 0x6E, 0x67]
    #expect(stemmer.stem(invalidUTF8) == invalidUTF8)
  }
}
