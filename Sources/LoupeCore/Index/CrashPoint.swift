import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Named places where a test can make the process die at once (SIGKILL), to prove that a crash
/// at any step of a flush, merge or commit leaves the last commit intact. Set
/// `LOUPE_CRASH_AT=<name>` (optionally `<name>:<n>` to die at the n-th time the point is
/// reached). Points: `flush-after-write`, `merge-after-write`, `commit-before-manifest`,
/// `commit-before-rename`, `commit-after-rename`.
public enum CrashPoint {
    nonisolated(unsafe) private static var counts: [String: Int] = [:]
    private static let target: (String, Int)? = {
        guard let v = getenv("LOUPE_CRASH_AT").map({ String(cString: $0) }), !v.isEmpty else { return nil }
        let parts = v.split(separator: ":")
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()

    /// Worker threads flush concurrently: the counts need a lock.
    private static let lock = NSLock()

    @inline(__always)
    public static func hit(_ name: String) {
        guard let (t, n) = target, t == name else { return }
        lock.lock()
        counts[name, default: 0] += 1
        let reached = counts[name]! >= n
        lock.unlock()
        if reached { kill(getpid(), SIGKILL) }
    }
}
