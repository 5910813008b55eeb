import Foundation

/// Temporary directories for tests, all inside one directory per test process that is removed
/// when the process exits: a test run used to leave a hundred directories (about 100 MB) in
/// the system's temporary directory.
public enum TestScratch {
    /// `<tmp>/loupe-tests-<pid>`, made on first use; removed at exit.
    public static let root: URL = {
        let r = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: r, withIntermediateDirectories: true)
        rootPath = r.path
        atexit { if let p = TestScratch.rootPath { try? FileManager.default.removeItem(atPath: p) } }
        return r
    }()

    nonisolated(unsafe) private static var rootPath: String?

    /// A fresh directory `<root>/<name>-<uuid>` (not created).
    public static func url(_ name: String) -> URL {
        root.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }
}
