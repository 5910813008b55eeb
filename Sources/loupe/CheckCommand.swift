import ArgumentParser
import LoupeCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every checksum and structural invariant of the index.",
        discussion: """
            Exit status 0 when the index is sound; 2 with the damaged file named otherwise.

            Example:
              loupe check --index .loupe
            """)

    @OptionGroup var location: IndexLocation

    func run() throws {
        let reader = try openReader(location)
        do {
            try reader.check()
        } catch {
            throw fail("\(error)")
        }
        print("ok: \(reader.segments.count) segments, \(reader.documentCount) articles, generation \(reader.manifest.generation)")
    }
}
