import Dispatch
import Foundation

/// Data-parallel loops for the few heavy numeric passes (the topic model's build): `count`
/// items cut into contiguous slices, one per core, each slice's work exactly what a serial
/// loop would do for it, so results do not depend on the number of threads.
public enum Parallel {
    public static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(part, range)` for `parts` contiguous slices of `0..<count` (at most one per
    /// core, none empty), concurrently; returns when all are done.
    static func slices(_ count: Int, parts: Int = cores, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let p = max(1, min(parts, count))
        if p == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: p) { i in
                shared.value(i, (count * i / p)..<(count * (i + 1) / p))
            }
        }
    }
}

/// A value handed to other threads that the code guarantees to use safely (disjoint writes
/// through unsafe pointers, or immutable data).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
