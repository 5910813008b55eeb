import Foundation
import Testing

@testable import LoupeIngest

/// The pool that parses a streamed archive's members on every core.
struct OrderedPoolTests {
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var running = 0
        var most = 0
        func enter() {
            lock.lock()
            running += 1
            most = max(most, running)
            lock.unlock()
        }
        func leave() {
            lock.lock()
            running -= 1
            lock.unlock()
        }
    }

    @Test func resultsComeBackInSubmissionOrderWithBoundedWork() {
        let pool = OrderedPool<Int>(threads: 4, maxAheadJobs: 8, maxAheadBytes: 1 << 30)
        let counter = Counter()
        var got: [Int] = []
        var undelivered = 0
        for i in 0..<500 {
            pool.submit(
                weight: 1,
                {
                    counter.enter()
                    // Later jobs often finish first.
                    usleep(UInt32((i * 7919) % 13) * 50)
                    counter.leave()
                    return i
                },
                deliver: {
                    got.append($0)
                    undelivered -= 1
                })
            undelivered += 1
            #expect(undelivered <= 8)
        }
        pool.finish { got.append($0) }
        #expect(got == Array(0..<500))
        #expect(counter.most <= 4)
    }

    @Test func weightBoundsWhatIsInFlight() {
        // Each job weighs the whole budget: one in flight at a time (the next is queued only
        // once the previous is delivered).
        let pool = OrderedPool<Int>(threads: 3, maxAheadJobs: 100, maxAheadBytes: 10)
        let counter = Counter()
        var got: [Int] = []
        for i in 0..<40 {
            pool.submit(
                weight: 10,
                {
                    counter.enter()
                    usleep(100)
                    counter.leave()
                    return i
                }, deliver: { got.append($0) })
        }
        pool.finish { got.append($0) }
        #expect(got == Array(0..<40))
        #expect(counter.most == 1)
    }

    /// `drain` hands back everything submitted so far (a large member is then streamed in its
    /// place), and the pool goes on taking work.
    @Test func drainDeliversWhatWasSubmittedAndThePoolGoesOn() {
        let pool = OrderedPool<Int>(threads: 2)
        var got: [Int] = []
        for round in 0..<3 {
            for i in 0..<20 {
                pool.submit(
                    weight: 1,
                    {
                        usleep(UInt32((i * 31) % 7) * 100)
                        return round * 100 + i
                    }, deliver: { got.append($0) })
            }
            pool.drain { got.append($0) }
            #expect(got.count == 21 * round + 20)
            got.append(-1)
        }
        pool.finish { got.append($0) }
        var want: [Int] = []
        for round in 0..<3 { want += (0..<20).map { round * 100 + $0 } + [-1] }
        #expect(got == want)
    }
}
