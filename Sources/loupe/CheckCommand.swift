import ArgumentParser
import LoupeCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every checksum and structural invariant of the index.",
        discussion: """
            Exit status 0 when the index is sound; 2 with the damaged file named otherwise
            (the topic model of `related` too: it is made again by the next `loupe index`).

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
        // The topic model is derived data, but a damaged one silently costs `related` its blend.
        var topics = ""
        if TopicModel.exists(directory: location.path) {
            guard let model = TopicModel.load(directory: location.path, fullCheck: true) else {
                throw fail(
                    "\(location.path)/\(TopicModel.fileName): topic model damaged; the next `loupe index` run makes it again"
                )
            }
            topics = ", topic model of \(model.k) topics"
        }
        print(
            "ok: \(counted(reader.segments.count, "segment")), \(counted(reader.documentCount, "article")), generation \(reader.manifest.generation)"
                + topics)
    }
}
