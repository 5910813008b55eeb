import Foundation

/// Runs independent jobs (the members of a streamed archive) on threads of their own and hands
/// their results back in the order the jobs were submitted, on the submitting thread: a large
/// archive is parsed with every core while its reader stays sequential, and what is emitted is
/// the same as one thread would emit. At most `maxAheadJobs` jobs and `maxAheadBytes` of their
/// weight (one job beyond that when none waits) are in flight; `submit` delivers results while
/// it waits for room.
final class OrderedPool<Result>: @unchecked Sendable {
    let maxAheadJobs: Int
    let maxAheadBytes: Int
    private let cond = NSCondition()
    private var jobs: [(id: Int, work: () -> Result)] = []
    private var jobHead = 0
    private var results: [Int: Result] = [:]
    private var weights: [Int: Int] = [:]
    private var submitted = 0
    private var delivered = 0
    private var aheadBytes = 0
    private var closed = false
    private let done = DispatchGroup()

    init(threads: Int, maxAheadJobs: Int = 256, maxAheadBytes: Int = 64 << 20) {
        self.maxAheadJobs = max(1, maxAheadJobs)
        self.maxAheadBytes = maxAheadBytes
        for _ in 0..<max(1, threads) {
            done.enter()
            let t = Thread { [self] in
                loop()
                done.leave()
            }
            t.stackSize = 8 << 20
            t.start()
        }
    }

    private func loop() {
        while true {
            cond.lock()
            while jobHead == jobs.count && !closed { cond.wait() }
            if jobHead == jobs.count {
                cond.unlock()
                return
            }
            let job = jobs[jobHead]
            jobs[jobHead].work = { fatalError("job taken twice") }
            jobHead += 1
            if jobHead == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobHead = 0
            }
            cond.unlock()
            let r = job.work()
            cond.lock()
            results[job.id] = r
            cond.broadcast()
            cond.unlock()
        }
    }

    /// Queues `work` (of `weight` bytes); first delivers, in order, the results already done,
    /// and waits for (and delivers) earlier ones while too much is in flight.
    func submit(weight: Int, _ work: @escaping () -> Result, deliver: (Result) -> Void) {
        cond.lock()
        while submitted - delivered >= maxAheadJobs || (aheadBytes >= maxAheadBytes && submitted > delivered) {
            while results[delivered] == nil { cond.wait() }
            deliverNext(deliver)
        }
        let id = submitted
        submitted += 1
        jobs.append((id, work))
        weights[id] = weight
        aheadBytes += weight
        cond.signal()
        while results[delivered] != nil { deliverNext(deliver) }
        cond.unlock()
    }

    /// Delivers result `delivered` (called and returning with the lock held; `deliver` runs
    /// without it).
    private func deliverNext(_ deliver: (Result) -> Void) {
        let r = results.removeValue(forKey: delivered)!
        aheadBytes -= weights.removeValue(forKey: delivered) ?? 0
        delivered += 1
        cond.broadcast()
        cond.unlock()
        deliver(r)
        cond.lock()
    }

    /// Delivers every result submitted so far, in order (the pool stays open).
    func drain(deliver: (Result) -> Void) {
        cond.lock()
        while delivered < submitted {
            while results[delivered] == nil { cond.wait() }
            deliverNext(deliver)
        }
        cond.unlock()
    }

    /// Delivers every remaining result, in order, then stops the threads.
    func finish(deliver: (Result) -> Void) {
        drain(deliver: deliver)
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
        done.wait()
    }
}
