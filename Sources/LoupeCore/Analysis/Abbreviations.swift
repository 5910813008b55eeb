/// Abbreviations an article defines for itself — `endoplasmic reticulum (ER)`, `International
/// Atomic Energy Agency (IAEA)` — found with Schwartz and Hearst's rule (PSB 2003): the short form
/// is a parenthesised word of 2–10 letters and digits with a capital; the long form is the
/// shortest run of the words before it, at most min(|short| + 5, 2 × |short|), in which the short
/// form's characters occur in order, its first at the start of a word.
///
/// The index uses them in the stem space: every later mention of the short form (as written,
/// case and all) also counts as a mention of the long form's words, so an article that says
/// "ER stress" forty times after defining ER is about endoplasmic reticulum stress as much as one
/// that spells it out. Exact words, quoted phrases and document lengths are unchanged.
public struct AbbreviationDefinition: Equatable, Sendable {
    /// The short form as written (`ER`).
    public var short: [UInt8]
    /// The long form's words, analysed (`endoplasmic`, `reticulum`).
    public var long: [[UInt8]]
    /// Byte offset of the short form inside its parentheses (that mention is the definition).
    public var offset: Int
}

public enum Abbreviations {
    static let maxShort = 10
    static let maxLongWords = 8
    /// Bytes before the parenthesis searched for the long form.
    static let window = 200

    @inline(__always) private static func isAlnum(_ b: UInt8) -> Bool {
        (b &- 48) < 10 || (b &- 65) < 26 || (b &- 97) < 26
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    /// The definitions in `text` (UTF-8), first definition of each short form only.
    public static func definitions(in text: UnsafeBufferPointer<UInt8>, analyzer: Analyzer)
        -> [AbbreviationDefinition]
    {
        guard let base = text.baseAddress else { return [] }
        let n = text.count
        var out: [AbbreviationDefinition] = []
        var p = 0
        while p < n {
            guard let open = memchrIndex(base, from: p, to: n, byte: 40) else { break }  // "("
            p = open + 1
            var s = open + 1
            while s < n && isSpace(base[s]) { s += 1 }
            var e = s
            var upper = false
            var letter = false
            while e < n && isAlnum(base[e]) {
                if (base[e] &- 65) < 26 { upper = true }
                if !((base[e] &- 48) < 10) { letter = true }
                e += 1
            }
            let len = e - s
            guard len >= 2, len <= maxShort, upper, letter else { continue }
            var c = e
            while c < n && isSpace(base[c]) { c += 1 }
            guard c < n, base[c] == 41 else { continue }  // ")"
            let short = Array(UnsafeBufferPointer(start: base + s, count: len))
            if out.contains(where: { $0.short == short }) { continue }
            // The words before the parenthesis, from a separator (never a word's tail).
            var from = max(0, open - window)
            if from > 0 { while from < open && !isSpace(base[from]) { from += 1 } }
            var words: [[UInt8]] = []
            analyzer.analyze(UnsafeBufferPointer(start: base + from, count: open - from)) {
                words.append(Array($0.term))
            }
            let k = min(len + 5, 2 * len)
            if words.count > k { words.removeFirst(words.count - k) }
            guard let long = longForm(short, words) else { continue }
            out.append(AbbreviationDefinition(short: short, long: long, offset: s))
        }
        return out
    }

    private static func memchrIndex(_ base: UnsafePointer<UInt8>, from: Int, to: Int, byte: UInt8) -> Int? {
        var i = from
        while i < to {
            if base[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// The long form's words for `short` among the last `words`, or nil.
    static func longForm(_ short: [UInt8], _ words: [[UInt8]]) -> [[UInt8]]? {
        guard !words.isEmpty else { return nil }
        let s = short.map { ($0 &- 65) < 26 ? $0 | 0x20 : $0 }
        var lf: [UInt8] = []
        for (i, w) in words.enumerated() {
            if i > 0 { lf.append(32) }
            lf += w
        }
        var si = s.count - 1
        var li = lf.count - 1
        while si >= 0 {
            let ch = s[si]
            while li >= 0 && (lf[li] != ch || (si == 0 && li > 0 && lf[li - 1] != 32)) { li -= 1 }
            if li < 0 { return nil }
            si -= 1
            li -= 1
        }
        // li + 1: where the first character matched, the start of a word.
        let start = li + 1
        let count = lf[start...].reduce(1) { $1 == 32 ? $0 + 1 : $0 }
        guard count >= 2, count <= maxLongWords, lf.count - start > short.count else { return nil }
        return Array(words.suffix(count))
    }
}
