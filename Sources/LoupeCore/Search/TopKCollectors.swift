/// Top-k retrieval that does not score every candidate.
///
/// * One term: block-max skipping. A block whose bound (largest tf, shortest document) cannot
///   beat the current k-th score is skipped whole.
/// * A disjunction: MaxScore (Turtle and Flood). Clauses sorted by their score bound; the
///   smallest ones whose bounds add up to at most the k-th score are "non-essential": documents
///   matching only those cannot enter the top k, so only the essential clauses drive the
///   iteration, and the others are probed with `advance(to:)` only while they can still matter.
///
/// Both return exactly the same top k as exhaustive scoring (ties aside); they only skip work.
enum TopKCollectors {
    static func collect(_ scorer: Scorer, segment: SegmentReader, into heap: inout TopK) -> Int {
        if let t = scorer as? TermScorer { return blockMax(t, segment: segment, into: &heap) }
        if let o = scorer as? OrScorer, o.children.count > 1 { return maxScore(o.children, segment: segment, into: &heap) }
        return exhaustive(scorer, segment: segment, into: &heap)
    }

    /// Scores every document; returns how many matched.
    static func exhaustive(_ s: Scorer, segment: SegmentReader, into heap: inout TopK) -> Int {
        var n = 0
        var d = s.next()
        let deletions = segment.hasDeletions
        while d != PostingsCursor.end {
            if !deletions || !segment.isDeleted(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: s.score())
            }
            d = s.next()
        }
        return n
    }

    static func blockMax(_ t: TermScorer, segment: SegmentReader, into heap: inout TopK) -> Int {
        var n = 0
        let deletions = segment.hasDeletions
        var d = t.next()
        var boundBlock: Int32 = -1
        var bound: Float = .infinity
        while d != PostingsCursor.end {
            if heap.isFull {
                let last = t.cursor.blockLastDoc
                if last != boundBlock {
                    boundBlock = last
                    bound = t.blockMaxScore
                }
                if bound <= heap.threshold {
                    if last == PostingsCursor.end || last == Int32.max { break }
                    d = t.advance(to: last + 1)
                    continue
                }
            }
            if !deletions || !segment.isDeleted(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: t.score())
            }
            d = t.next()
        }
        return n
    }

    static func maxScore(_ clauses: [Scorer], segment: SegmentReader, into heap: inout TopK) -> Int {
        let sorted = clauses.sorted { $0.maxScore < $1.maxScore }
        let bounds = sorted.map(\.maxScore)
        var prefix = [Float](repeating: 0, count: sorted.count + 1)
        for i in 0..<sorted.count { prefix[i + 1] = prefix[i] + bounds[i] }
        for c in sorted { _ = c.next() }
        let deletions = segment.hasDeletions
        var firstEssential = 0
        var n = 0
        while true {
            // Clauses below `firstEssential` together cannot reach the threshold.
            if heap.isFull {
                while firstEssential < sorted.count && prefix[firstEssential + 1] <= heap.threshold { firstEssential += 1 }
                if firstEssential == sorted.count { break }
            }
            var d = PostingsCursor.end
            for i in firstEssential..<sorted.count where sorted[i].doc < d { d = sorted[i].doc }
            if d == PostingsCursor.end { break }
            var score: Float = 0
            for i in firstEssential..<sorted.count where sorted[i].doc == d { score += sorted[i].score() }
            // Non-essential clauses, largest first, while they can still lift the score over.
            var i = firstEssential - 1
            while i >= 0 {
                if heap.isFull && score + prefix[i + 1] <= heap.threshold { break }
                let c = sorted[i]
                if c.doc < d { _ = c.advance(to: d) }
                if c.doc == d { score += c.score() }
                i -= 1
            }
            if !deletions || !segment.isDeleted(d) {
                n += 1
                heap.offer(doc: segment.docBase + Int(d), score: score)
            }
            for j in firstEssential..<sorted.count where sorted[j].doc == d { _ = sorted[j].next() }
        }
        return n
    }
}
