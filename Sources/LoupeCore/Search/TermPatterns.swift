/// Matching dictionary terms against a fuzzy word or a wildcard pattern (`find`'s `roam~1`,
/// `te?t`, `ma*ki`), one term at a time as a scan of the dictionary gives them.

/// Edit distance of dictionary terms to one query word, for fuzzy queries (`roam~`, `roam~1`).
///
/// The distance counts Unicode scalars inserted, deleted or replaced, and two adjacent scalars
/// swapped (optimal string alignment, as Lucene's fuzzy queries count transpositions). Terms come
/// in dictionary order, so consecutive terms share prefixes: the rows of the distance table for
/// the shared prefix are kept, and a prefix whose last row exceeds the maximum rules out every
/// later term that starts with it.
struct FuzzyMatcher {
    let query: [UInt32]
    let maxEdits: Int
    private let width: Int
    /// Row i (the first i scalars of `chars`) at `rows[i * width ..< (i + 1) * width]`.
    private var rows: [Int32]
    /// The scalars of the last term rows were computed for.
    private var chars: [UInt32] = []
    /// Rows 0...valid hold `chars[0..<valid]`.
    private var valid = 0
    /// A prefix length of `chars` past which no term can match (Int.max: none known).
    private var deadAt = Int.max
    private var scratch: [UInt32] = []
    /// The byte offset after each scalar of the last term read.
    private var ends: [Int] = []
    /// After `distance` returned nil because a prefix of the term is too far already: that
    /// prefix's length in bytes (a dictionary scan may skip every term that starts with it).
    private(set) var deadPrefixBytes: Int?

    static let maxTermScalars = 256

    /// `word`: UTF-8, not empty.
    init(_ word: [UInt8], maxEdits: Int) {
        query = Array(String(decoding: word, as: UTF8.self).unicodeScalars.map(\.value))
        precondition(!query.isEmpty, "a fuzzy query word is not empty")
        self.maxEdits = maxEdits
        width = query.count + 1
        rows = [Int32](repeating: 0, count: (FuzzyMatcher.maxTermScalars + 1) * width)
        for j in 0..<width { rows[j] = Int32(j) }
        scratch.reserveCapacity(FuzzyMatcher.maxTermScalars)
    }

    /// The edit distance of `term` (UTF-8) to the query when it is at most `maxEdits` and smaller
    /// than both lengths (so that a short word's fuzzy matches are not every short word), else nil.
    mutating func distance(_ term: UnsafeBufferPointer<UInt8>) -> Int? {
        scratch.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        deadPrefixBytes = nil
        var i = 0
        while i < term.count {
            let b = term[i]
            if b < 0x80 {
                scratch.append(UInt32(b))
                i += 1
                ends.append(i)
                continue
            }
            let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            var v = UInt32(b) & (n == 4 ? 0x07 : n == 3 ? 0x0F : n == 2 ? 0x1F : 0xFF)
            var k = 1
            while k < n && i + k < term.count {
                v = v << 6 | UInt32(term[i + k] & 0x3F)
                k += 1
            }
            scratch.append(v)
            i += n
            ends.append(min(i, term.count))
        }
        let n = scratch.count
        guard n <= FuzzyMatcher.maxTermScalars else { return nil }
        // The prefix shared with the last term keeps its rows.
        var common = 0
        let limit = min(valid, n)
        while common < limit && chars[common] == scratch[common] { common += 1 }
        if deadAt <= common {
            deadPrefixBytes = ends[deadAt - 1]
            return nil
        }
        deadAt = Int.max
        valid = common
        chars.removeSubrange(common...)
        chars.append(contentsOf: scratch[common...])
        // Too long or too short to be within the limit.
        if abs(n - query.count) > maxEdits { return nil }
        let m = query.count
        let k = Int32(maxEdits)
        rows.withUnsafeMutableBufferPointer { r in
            chars.withUnsafeBufferPointer { a in
                query.withUnsafeBufferPointer { q in
                    var row = valid + 1
                    while row <= n {
                        let cur = row * width
                        let prev = cur - width
                        r[cur] = Int32(row)
                        var best = r[cur]
                        let c = a[row - 1]
                        for j in 1...m {
                            let cost: Int32 = q[j - 1] == c ? 0 : 1
                            var v = min(r[prev + j] + 1, r[cur + j - 1] + 1, r[prev + j - 1] + cost)
                            if row > 1 && j > 1 && c == q[j - 2] && a[row - 2] == q[j - 1] {
                                v = min(v, r[prev - width + j - 2] + 1)
                            }
                            r[cur + j] = v
                            best = min(best, v)
                        }
                        valid = row
                        // The row over the limit: no extension of this prefix can come back (a
                        // swap from the row before, useful only when it ends within the limit,
                        // passes a cell of this row that costs at most one more).
                        if best > k {
                            deadAt = row
                            return
                        }
                        row += 1
                    }
                }
            }
        }
        if valid < n {
            if deadAt == valid { deadPrefixBytes = ends[deadAt - 1] }
            return nil
        }
        let d = Int(rows[n * width + m])
        guard d <= maxEdits, d == 0 || d < min(n, m) else { return nil }
        return d
    }
}

/// Wildcard patterns over folded terms: `?` (one Unicode scalar) and `*` (any run, empty too);
/// every other byte is itself. Terms never hold either byte (they are letters, digits and marks).
enum Wildcard {
    static let star = UInt8(ascii: "*")
    static let one = UInt8(ascii: "?")

    /// Whether all of `term` (UTF-8) matches all of `pattern`: greedy, going back to the last
    /// star on a mismatch (linear unless stars abound).
    static func matches(_ pattern: [UInt8], _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        func nextScalar(_ i: Int) -> Int {
            var j = i + 1
            while j < term.count && term[j] & 0xC0 == 0x80 { j += 1 }
            return j
        }
        while t < term.count {
            if p < pattern.count && pattern[p] == one {
                t = nextScalar(t)
                p += 1
            } else if p < pattern.count && pattern[p] == star {
                starP = p
                starT = t
                p += 1
            } else if p < pattern.count && pattern[p] == term[t] {
                p += 1
                t += 1
            } else if starP >= 0 {
                // The last star takes one more scalar.
                starT = nextScalar(starT)
                t = starT
                p = starP + 1
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
