import Foundation

/// The analysis chain shared by documents and queries.
///
/// * `english` (the default): words are maximal runs of Unicode letters, digits and combining
///   marks; lowercased; diacritics removed (`café` → `cafe`, NFC and NFD alike); the English
///   possessive `'s` / `’s` dropped (`Iran's` → `iran`). Compatibility forms are folded too
///   (full-width `Ｂ２` → `b2`, the ligature `ﬁ` → `fi`), and letters without a decomposition
///   that readers type plainly: `ß` → `ss`, `æ` → `ae`, `œ` → `oe`, `ø` → `o`, `ł` → `l`, `đ`/`ð`
///   → `d`, `þ` → `th`, `ı` → `i`. Chinese, Japanese and Korean text, written without spaces
///   between words, is cut into overlapping pairs of characters (Lucene's CJK bigrams: `東京都`
///   → `東京`, `京都`; a character alone is one term), so any word of two or more characters is
///   found as a phrase of its pairs. Invisible format characters (the soft hyphen of
///   `phys&shy;i&shy;cal`, zero-width joiners, direction marks; not the zero-width space) are
///   passed over, inside words too. Stemming is applied by the index as a second term space
///   (see `IndexField`), so exact phrases still match the words as written.
/// * `plain`: the peer benchmark's analysis. Maximal runs of code points whose general category
///   is a letter (L*) or a number (Nd, Nl, No), each lowercased by its simple lowercase mapping;
///   no folding, no possessives, no stemming.
public enum AnalyzerKind: String, Sendable, Codable, CaseIterable {
    case english
    case plain
}

/// One token handed to an `Analyzer` callback. `term` points into the analyzer's scratch
/// buffer and is valid only during the callback; at least `Token.slack` bytes past its end are
/// readable (a reader may load whole 8-byte words).
public struct Token {
    public var term: UnsafeBufferPointer<UInt8>
    /// Word position (0-based) within the analysed text.
    public var position: Int32
    /// Byte range of the token in the analysed text.
    public var start: Int
    public var end: Int

    /// Readable bytes past a term's end.
    public static let slack = 8
}

/// Tokenizes UTF-8 bytes. Not thread-safe: use one per thread (it owns scratch space and a
/// small cache of folded non-ASCII characters).
public final class Analyzer {
    /// Tokens longer than this (in bytes, after folding) are dropped: they are never words,
    /// and a hostile 5 MB token must not become a term. Lucene's StandardTokenizer uses 255 too.
    public static let maxTermBytes = 255

    public let kind: AnalyzerKind
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private var foldCache: [UInt32: [UInt8]] = [:]
    private var classCache: [UInt32: UInt8] = [:]

    public init(_ kind: AnalyzerKind = .english) {
        self.kind = kind
        scratchCapacity = 1024
        scratch = .allocate(capacity: scratchCapacity)
        scratch.initialize(repeating: 0, count: scratchCapacity)  // whole words are read past terms
    }

    deinit { scratch.deallocate() }

    // Character classes.
    private static let separator: UInt8 = 0
    private static let word: UInt8 = 1
    private static let mark: UInt8 = 2  // combining mark: joins a word in `english`, separates in `plain`
    private static let cjk: UInt8 = 3  // Han, kana or Hangul (`english` only; a word character in `plain`)
    /// An invisible format character (`english` only; it separates in `plain`): the soft hyphen
    /// U+00AD that HTML's `&shy;` writes inside long words (`phys&shy;i&shy;cal`), the zero-width
    /// joiner and non-joiner, the word joiner, a byte-order mark, direction marks — passed over
    /// as if absent, inside a word too (Unicode's word boundaries, UAX #29 rule WB4, ignore them).
    /// The zero-width space U+200B marks a break between words and stays a separator.
    private static let ignorable: UInt8 = 4

    /// Han ideographs, Hiragana, Katakana (full and half width), Hangul syllables and letters,
    /// and Thai, Lao, Myanmar and Khmer: the scripts written without spaces between words
    /// (Korean has spaces, but its particles join the words: `서울에서`, "in Seoul"). Their
    /// combining vowel and tone marks stay on their letters.
    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x3005...0x3007,  // 々 〆 〇
            0x3040...0x30FF, 0x31F0...0x31FF,  // Hiragana, Katakana, Katakana phonetic extensions
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,  // Han, extension A, compatibility
            0xFF66...0xFF9F,  // half-width Katakana
            0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
            0x20000...0x2FA1F,  // Han extensions B–F, compatibility supplement
            0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF:  // Thai, Lao, Myanmar, Khmer: no spaces either
            return true
        default:
            return false
        }
    }

    /// ASCII: letters and digits are word bytes; everything else separates. A bit per byte
    /// value below 128, as literals: a static table cost a global-initialisation check (a call)
    /// per byte of text.
    @inline(__always)
    static func isASCIIWordByte(_ b: UInt8) -> Bool {
        let low: UInt64 = 0x03FF_0000_0000_0000  // 0-9
        let high: UInt64 = 0x07FF_FFFE_07FF_FFFE  // A-Z, a-z
        return ((b < 64 ? low : high) >> UInt64(b & 63)) & 1 == 1
    }

    /// Per byte of `w` (each below 0x80), 0x80 where it lies in `lo...hi`.
    @inline(__always)
    private static func inRange(_ w: UInt64, _ lo: UInt8, _ hi: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let above = w &+ ones &* UInt64(0x80 - lo)  // high bit: byte ≥ lo
        let beyond = w &+ ones &* UInt64(0x7F - hi)  // high bit: byte > hi
        return above & ~beyond & (ones &* 0x80)
    }

    /// How many of `w`'s bytes, from the first in memory, are ASCII letters or digits (0–8).
    @inline(__always)
    static func asciiWordRun(_ w: UInt64) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080
        // A non-ASCII byte ends the run; below it, the range tests see only 7-bit bytes.
        let ascii = ~w & high
        let v = w & 0x7F7F_7F7F_7F7F_7F7F
        let word = (inRange(v, 0x30, 0x39) | inRange(v, 0x41, 0x5A) | inRange(v, 0x61, 0x7A)) & ascii
        return (~word & high).trailingZeroBitCount >> 3
    }

    /// `w` with its bytes A–Z lowercased (the other bytes as they are).
    @inline(__always)
    static func lowercased(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let upper = inRange(w & 0x7F7F_7F7F_7F7F_7F7F, 0x41, 0x5A) & ~w & high
        return w | (upper >> 2)
    }

    /// Analyse `text` and call `body` for every token in order.
    public func analyze(_ text: String, _ body: (Token) -> Void) {
        var t = text
        t.withUTF8 { analyze($0, body) }
    }

    /// Convenience for tests and queries: the terms of `text`, as strings.
    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        analyze(text) { out.append(String(decoding: $0.term, as: UTF8.self)) }
        return out
    }

    /// Analyse UTF-8 bytes. Invalid UTF-8 sequences act as separators.
    public func analyze(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Token) -> Void) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0
        var position: Int32 = 0
        var len = 0  // bytes written to scratch for the current token
        var tokenStart = -1
        var tooLong = false
        let english = kind == .english

        @inline(__always) func emit(_ end: Int) {
            if tokenStart >= 0 {
                if !tooLong && len > 0 {
                    body(
                        Token(
                            term: UnsafeBufferPointer(start: scratch, count: len), position: position,
                            start: tokenStart, end: end))
                    position &+= 1
                }
                tokenStart = -1
                len = 0
                tooLong = false
            }
        }

        let raw = UnsafeRawPointer(base)
        while i < n {
            // Eight bytes at a time while they start with ASCII letters and digits: the run's
            // bytes lowercased in one word, stored at once (the scratch space has room past the
            // longest term), the first other byte left to the byte-wise path below.
            if i + 8 <= n && len + 8 <= Analyzer.maxTermBytes {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let run = Analyzer.asciiWordRun(w)
                if run > 0 {
                    if tokenStart < 0 { tokenStart = i }
                    UnsafeMutableRawPointer(scratch + len).storeBytes(
                        of: Analyzer.lowercased(w).littleEndian, as: UInt64.self)
                    len += run
                    i += run
                    if run == 8 { continue }
                }
            }
            let b = base[i]
            if b < 0x80 {
                if Analyzer.isASCIIWordByte(b) {
                    if tokenStart < 0 { tokenStart = i }
                    if len < Analyzer.maxTermBytes {
                        scratch[len] = (b >= 65 && b <= 90) ? b | 0x20 : b
                        len += 1
                    } else {
                        tooLong = true
                    }
                    i += 1
                    continue
                }
                // `C++`, `C#`, `Disney+`, `AA+`: up to three `+` or `#` right after a word ending
                // in a letter, and before no word character, belong to it (Xapian's rule).
                if english && (b == 0x2B || b == 0x23) && tokenStart >= 0 && !tooLong && len > 0
                    && scratch[len - 1] &- 0x61 < 26
                {
                    let k = Analyzer.suffixLength(base, i, n)
                    if k > 0 && (i + k >= n || !isWordStart(base, i + k, n)) && len + k <= Analyzer.maxTermBytes {
                        for j in 0..<k { scratch[len + j] = base[i + j] }
                        len += k
                        i += k
                        emit(i)
                        i += possessiveLength(base, i, n)
                        continue
                    }
                }
                // Separator. English possessive: word + ' or ’ + s + non-word → skip "'s".
                if english && b == 0x27 && tokenStart >= 0 {
                    let k = possessiveLength(base, i, n)
                    if k > 0 {
                        emit(i)
                        i += k
                        continue
                    }
                }
                emit(i)
                i += 1
                continue
            }
            // Multi-byte UTF-8.
            let (scalar, width) = decode(base, i, n)
            if width == 0 {  // invalid byte: separator
                emit(i)
                i += 1
                continue
            }
            if english && scalar == 0x2019 && tokenStart >= 0 {
                let k = possessiveLength(base, i, n)
                if k > 0 {
                    emit(i)
                    i += k
                    continue
                }
            }
            let cls = classify(scalar)
            if cls == Analyzer.ignorable {
                i += width
                continue
            }
            if cls == Analyzer.cjk {
                emit(i)
                (i, position) = cjkRun(base, from: i, n, position: position, body)
                continue
            }
            if cls == Analyzer.word || (cls == Analyzer.mark && english && tokenStart >= 0) {
                if tokenStart < 0 { tokenStart = i }
                let folded = fold(scalar)
                if len + folded.count <= Analyzer.maxTermBytes {
                    for x in folded {
                        scratch[len] = x
                        len += 1
                    }
                } else {
                    tooLong = true
                }
            } else {
                emit(i)
            }
            i += width
        }
        emit(n)
    }

    /// Emits the overlapping character pairs of the run of CJK characters starting at `start`
    /// (a lone character as itself) and returns the byte offset after the run and the next
    /// position. (Not inlined, and no `inout`: the main loop keeps its state in registers.)
    @inline(never)
    private func cjkRun(
        _ base: UnsafePointer<UInt8>, from start: Int, _ n: Int, position first: Int32, _ body: (Token) -> Void
    ) -> (Int, Int32) {
        var position = first
        // A pair is emitted once its second character's marks are read: `prev` and `cur` are
        // characters with their marks (folded bytes) and byte ranges.
        var prev: [UInt8] = []
        var prevStart = start
        var havePrev = false
        let (v0, w0) = decode(base, start, n)
        var cur = fold(v0)
        var curStart = start
        var i = start + w0
        func emit(_ a: [UInt8], _ b: [UInt8], from: Int, to: Int) {
            let len = a.count + b.count
            guard len > 0, len <= Analyzer.maxTermBytes else { return }
            // (Copied in place: no array made per pair.)
            var k = 0
            for x in a {
                scratch[k] = x
                k += 1
            }
            for x in b {
                scratch[k] = x
                k += 1
            }
            body(Token(term: UnsafeBufferPointer(start: scratch, count: len), position: position, start: from, end: to))
            position &+= 1
        }
        while i < n, base[i] >= 0x80 {
            let (v, w) = decode(base, i, n)
            if w == 0 { break }
            let cls = classify(v)
            if cls == Analyzer.mark {  // a voicing, vowel or tone mark stays on its character
                cur += fold(v)
                i += w
                continue
            }
            if cls != Analyzer.cjk { break }
            if havePrev { emit(prev, cur, from: prevStart, to: i) }
            prev = cur
            prevStart = curStart
            havePrev = true
            cur = fold(v)
            curStart = i
            i += w
        }
        if havePrev {
            emit(prev, cur, from: prevStart, to: i)
        } else {
            emit([], cur, from: start, to: i)
        }
        return (i, position)
    }

    /// How many `+` or `#` bytes start at `i` when they are 1 to 3 (0 when more follow).
    static func suffixLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var k = 0
        while i + k < n && (base[i + k] == 0x2B || base[i + k] == 0x23) {
            k += 1
            if k > 3 { return 0 }
        }
        return k
    }

    /// Whether a term ends in the `+` or `#` of `C++`, `C#`, `Disney+`.
    @inline(__always)
    public static func hasSymbolSuffix(_ term: some BidirectionalCollection<UInt8>) -> Bool {
        guard let last = term.last else { return false }
        return last == 0x2B || last == 0x23
    }

    /// Whether the English analyzer reads `word` as one term ending in `+` or `#` (`C++`, `C#`,
    /// `Disney+`; not `10+` or `a+b`), which queries search as written.
    public static func endsInSymbol(_ word: String) -> Bool {
        var last: [UInt8] = []
        var count = 0
        Analyzer(.english).analyze(word) {
            last = Array($0.term)
            count += 1
        }
        return count == 1 && hasSymbolSuffix(last)
    }

    // MARK: Hyphenated compounds written as one word

    /// Whether the bytes `end..<start` between two tokens are exactly one hyphen (`-`, U+2010
    /// HYPHEN or U+2011 NON-BREAKING HYPHEN): `cease-fire`, `e-mail`, `F-16`.
    @inline(__always)
    public static func isHyphenJoin(_ base: UnsafePointer<UInt8>, from end: Int, to start: Int) -> Bool {
        let k = start - end
        return (k == 1 || k == 3) && hyphenLength(base, at: end, start) == k
    }

    /// The length of the hyphen (`-` 1, U+2010 or U+2011 3) that starts at `i`, below `n`; 0 for
    /// none.
    @inline(__always)
    static func hyphenLength(_ base: UnsafePointer<UInt8>, at i: Int, _ n: Int) -> Int {
        if i < n && base[i] == 0x2D { return 1 }
        if i + 2 < n && base[i] == 0xE2 && base[i + 1] == 0x80 && (base[i + 2] == 0x90 || base[i + 2] == 0x91) {
            return 3
        }
        return 0
    }

    /// Whether a hyphen at `i` (of `n` bytes) goes on to another word: the compound has more
    /// parts (`state-of-the-art`). Only a word character right after the hyphen counts, as the
    /// next token starts there.
    public static func hyphenContinues(_ base: UnsafePointer<UInt8>, at i: Int, _ n: Int) -> Bool {
        let k = hyphenLength(base, at: i, n)
        guard k > 0, i + k < n else { return false }
        let b = base[i + k]
        return b >= 0x80 || isASCIIWordByte(b)
    }

    /// The one word that the two parts of a hyphenated compound make when written closed up
    /// (`cease` + `fire` → `ceasefire`, `e` + `mail` → `email`, `f` + `16` → `f16`), or nil
    /// when they do not make one (`makesClosedWord`).
    public static func closedCompound(
        _ a: some Collection<UInt8>, _ b: some Collection<UInt8>
    ) -> [UInt8]? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let closed = Array(a) + Array(b)
        return makesClosedWord(closed) ? closed : nil
    }

    /// Whether two hyphenated parts written together as `w` make one word. They do not with a
    /// part of Chinese, Japanese, Korean or Thai pairs (any byte ≥ 0xE0 — alphabetic scripts fold
    /// to one- and two-byte letters), a `C++`-style part, digits only (`2-1` is a score, not the
    /// number 21), longer than a term may be, or as a function word. The rules bear on the whole
    /// word, not on where it was split.
    static func makesClosedWord(_ w: [UInt8]) -> Bool {
        guard w.count <= maxTermBytes else { return false }
        var letter = false
        for x in w {
            if x >= 0xE0 || x == 0x2B || x == 0x23 { return false }
            if x &- 0x30 >= 10 { letter = true }
        }
        return letter && !isFunctionWord(w)
    }

    // MARK: Initialisms written with dots

    /// Whether a term is one ASCII letter (a part of `U.K.`, `F.B.I.`).
    @inline(__always)
    public static func isInitial(_ term: some Collection<UInt8>) -> Bool {
        term.count == 1 && term.first! &- 0x61 < 26
    }

    /// Whether the bytes `end..<start` between two tokens are exactly one dot.
    @inline(__always)
    public static func isDotJoin(_ base: UnsafePointer<UInt8>, from end: Int, to start: Int) -> Bool {
        start - end == 1 && base[end] == 0x2E
    }

    /// Whether an initialism goes on at `i`: a dot, then one ASCII letter that is a word alone
    /// (`U.K`|`.`… stops; `F.B`|`.I.` goes on).
    public static func initialContinues(_ base: UnsafePointer<UInt8>, at i: Int, _ n: Int) -> Bool {
        guard i + 1 < n, base[i] == 0x2E, (base[i + 1] | 0x20) &- 0x61 < 26 else { return false }
        return i + 2 >= n || (base[i + 2] < 0x80 && !isASCIIWordByte(base[i + 2]))
    }

    /// The word that two to ten initials joined by dots make written closed up (`U.K.` → `uk`,
    /// `F.B.I.` → `fbi`), or nil: too few or many, or a function word (`U.S.` is not `us`).
    public static func closedInitialism(_ letters: some Collection<UInt8>) -> [UInt8]? {
        guard letters.count >= 2, letters.count <= 10 else { return nil }
        let closed = Array(letters)
        return isFunctionWord(closed) ? nil : closed
    }

    // MARK: Numbers written with thousands separators

    /// Whether the bytes `end..<start` between two tokens are exactly one comma.
    @inline(__always)
    public static func isCommaJoin(_ base: UnsafePointer<UInt8>, from end: Int, to start: Int) -> Bool {
        start - end == 1 && base[end] == 0x2C
    }

    /// Whether `start..<end` is `count` ASCII digits (any count from 1 for `count` 0).
    @inline(__always)
    static func isDigits(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, count: Int = 0) -> Bool {
        guard end > start, count == 0 || end - start == count else { return false }
        var i = start
        while i < end {
            if base[i] &- 0x30 >= 10 { return false }
            i += 1
        }
        return true
    }

    /// Whether a number's groups go on at `i`: a comma, three digits, then no digit (`1,500`|`,000`).
    public static func digitGroupContinues(_ base: UnsafePointer<UInt8>, at i: Int, _ n: Int) -> Bool {
        guard i + 3 < n, base[i] == 0x2C, isDigits(base, i + 1, i + 4) else { return false }
        return i + 4 >= n || base[i + 4] &- 0x30 >= 10
    }

    /// The start of a number's first group ending at `end`: one to three digits with no word
    /// character, comma or dot before them (`1`|`,500`, `$1`, `£1`, `€1`; not `a1`, `é1`,
    /// `12.5,000` or `1234,000`); nil when the digits before `end` are no such group. Of the
    /// characters beyond ASCII, only Latin-1's symbols (U+00A0–U+00BF: `£`, `¥`) and those of
    /// U+2000–U+2FFF (`€`, `₹`, dashes, quotes) may stand before it.
    public static func leadingDigitGroup(_ base: UnsafePointer<UInt8>, endingAt end: Int) -> Int? {
        var i = end
        while i > 0 && end - i < 4 && base[i - 1] &- 0x30 < 10 { i -= 1 }
        guard end - i >= 1, end - i <= 3 else { return nil }
        if i > 0 {
            let b = base[i - 1]
            if b >= 0x80 {
                let symbol =
                    (i >= 2 && base[i - 2] == 0xC2 && b >= 0xA0) || (i >= 3 && base[i - 3] == 0xE2 && b < 0xC0)
                if !symbol { return nil }
            } else if b &- 0x30 < 10 || b == 0x2C || b == 0x2E || isASCIIWordByte(b) {
                return nil
            }
        }
        return i
    }

    /// The number that groups of digits joined by commas make written without them (`1,500` →
    /// `1500`, `2,000,000` → `2000000`): a first group of one to three digits, then groups of
    /// three, the English thousands separator; nil for anything else (`1,5`, `1234,567`).
    public static func closedDigitGroups(_ groups: [[UInt8]]) -> [UInt8]? {
        guard groups.count >= 2, groups.count <= 7, let first = groups.first, first.count >= 1, first.count <= 3
        else { return nil }
        for (k, g) in groups.enumerated() {
            guard k == 0 || g.count == 3, g.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
        }
        return groups.flatMap { $0 }
    }

    /// A word that says nothing of a subject (`Searcher.englishFunctionWords`): never a closed-up
    /// form, whose postings it would swell (`in-to`, `U.S.`).
    static func isFunctionWord(_ w: [UInt8]) -> Bool {
        w.count <= 10 && Searcher.englishFunctionWords.contains(String(decoding: w, as: UTF8.self))
    }

    // MARK: Acronyms spelt like function words

    /// The stem-space term of an acronym whose lower-case spelling is a function word (`US`,
    /// `U.S.`, `IT`, `WHO`), given its letters in lower case: the letters in capitals, which no
    /// analysed word has (the analyzer folds case), so that `US` the country stands apart from
    /// `us` the pronoun. nil for any other word (two to four letters).
    public static func acronymTerm(_ lower: some Collection<UInt8>) -> [UInt8]? {
        guard lower.count >= 2, lower.count <= 4 else { return nil }
        var packed: UInt32 = 0
        var shift: UInt32 = 0
        for x in lower {
            guard x &- 0x61 < 26 else { return nil }
            packed |= UInt32(x) << shift
            shift += 8
        }
        // (A binary search of packed words: each word in capitals in a text comes here.)
        let words = shortFunctionWords
        var lo = 0
        var hi = words.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if words[mid] < packed { lo = mid + 1 } else { hi = mid }
        }
        guard lo < words.count && words[lo] == packed else { return nil }
        return lower.map { $0 &- 0x20 }
    }

    /// The function words of two to four letters, their bytes packed little-endian, sorted.
    private static let shortFunctionWords: [UInt32] = Searcher.englishFunctionWords.compactMap { w in
        let b = Array(w.utf8)
        guard b.count >= 2, b.count <= 4, b.allSatisfy({ $0 &- 0x61 < 26 }) else { return nil }
        return b.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }.sorted()

    /// Whether the bytes `start..<end` are capital ASCII letters only.
    @inline(__always)
    static func isCapitals(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            if base[i] &- 0x41 >= 26 { return false }
            i += 1
        }
        return true
    }

    /// Whether the word nearest before or after `start..<end` (across at most 8 bytes of spaces,
    /// punctuation or digits) has a lower-case ASCII letter: a word in capitals there stands in
    /// ordinary text (`US markets`, `IT spending`), not in a heading or a story all in capitals
    /// (`US SAYS IT WILL`), where it may be any word.
    static func hasLowerCaseNeighbour(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ n: Int) -> Bool {
        func lowerCaseWord(from first: Int, step: Int) -> Bool {
            var i = first
            var skipped = 0
            while i >= 0 && i < n && (base[i] | 0x20) &- 0x61 >= 26 {
                if skipped == 8 { return false }
                skipped += 1
                i += step
            }
            var letters = 0
            while i >= 0 && i < n && letters < 32 && (base[i] | 0x20) &- 0x61 < 26 {
                if base[i] &- 0x61 < 26 { return true }
                letters += 1
                i += step
            }
            return false
        }
        return lowerCaseWord(from: start - 1, step: -1) || lowerCaseWord(from: end, step: 1)
    }

    /// The acronym term (`acronymTerm`) a query word names as typed: two to four capitals
    /// (`US`, `WHO`) or capital initials joined by dots (`U.S.`, `U.S`); nil for anything else,
    /// `us` in lower case included.
    public static func typedAcronym(_ text: String) -> [UInt8]? {
        let b = Array(text.utf8)
        guard b.count >= 2, b.count <= 8 else { return nil }
        var letters: [UInt8] = []
        if b.allSatisfy({ $0 &- 0x41 < 26 }) {
            letters = b
        } else {
            // U.S. / U.S: letter, dot, letter, … with an optional last dot.
            for (k, x) in b.enumerated() {
                if k % 2 == 0 {
                    guard x &- 0x41 < 26 else { return nil }
                    letters.append(x)
                } else if x != 0x2E {
                    return nil
                }
            }
            guard letters.count >= 2 else { return nil }
        }
        return acronymTerm(letters.map { $0 | 0x20 })
    }

    /// The closed-up form of `text` when the English analyzer reads it as exactly two words
    /// joined by one hyphen that make one (`closedCompound`: the query word `cease-fire` →
    /// `ceasefire`), or as initials joined by dots (`closedInitialism`: `U.K.` → `uk`).
    public func closedCompound(of text: String) -> [UInt8]? {
        var t = text
        return t.withUTF8 { bytes -> [UInt8]? in
            guard let base = bytes.baseAddress else { return nil }
            var parts: [[UInt8]] = []
            var hyphens = true
            var dots = true
            var commas = true
            var lastEnd = -1
            var firstStart = -1
            analyze(bytes) { tok in
                if firstStart < 0 { firstStart = tok.start }
                if lastEnd >= 0 && !Analyzer.isHyphenJoin(base, from: lastEnd, to: tok.start) { hyphens = false }
                if lastEnd >= 0 && !Analyzer.isDotJoin(base, from: lastEnd, to: tok.start) { dots = false }
                if lastEnd >= 0 && !Analyzer.isCommaJoin(base, from: lastEnd, to: tok.start) { commas = false }
                if tok.end - tok.start != tok.term.count { commas = false }
                parts.append(Array(tok.term))
                lastEnd = tok.end
            }
            if commas, parts.count >= 2,
                // (After a currency sign or other symbol, as written: `$1,500`, `£1,500`.)
                parts.first.map({ Analyzer.leadingDigitGroup(base, endingAt: firstStart + $0.count) == firstStart })
                    == true,
                let number = Analyzer.closedDigitGroups(parts)
            {
                return number
            }
            if hyphens && parts.count == 2 { return Analyzer.closedCompound(parts[0], parts[1]) }
            if dots && parts.allSatisfy({ Analyzer.isInitial($0) }) {
                return Analyzer.closedInitialism(parts.map { $0[0] })
            }
            return nil
        }
    }

    /// The length of an English possessive (`'s` or `’s` before no word character) at `i`; 0
    /// when there is none.
    @inline(__always)
    private func possessiveLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        if i + 1 < n && base[i] == 0x27 && (base[i + 1] | 0x20) == 0x73
            && (i + 2 >= n || !isWordStart(base, i + 2, n))
        {
            return 2
        }
        if i + 3 < n && base[i] == 0xE2 && base[i + 1] == 0x80 && base[i + 2] == 0x99 && (base[i + 3] | 0x20) == 0x73
            && (i + 4 >= n || !isWordStart(base, i + 4, n))
        {
            return 4
        }
        return 0
    }

    @inline(__always)
    private func isWordStart(_ base: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        let b = base[i]
        if b < 0x80 { return Analyzer.isASCIIWordByte(b) }
        let (s, w) = decode(base, i, n)
        guard w > 0 else { return false }
        let c = classify(s)
        return c != Analyzer.separator && c != Analyzer.ignorable
    }

    /// Decodes one UTF-8 scalar at `i` (whose first byte is ≥ 0x80). Width 0 means invalid.
    @inline(__always)
    private func decode(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[i])
        if b0 >= 0xC2 && b0 <= 0xDF {
            guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return (0, 0) }
            return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2)
        }
        if b0 >= 0xE0 && b0 <= 0xEF {
            guard i + 2 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 else { return (0, 0) }
            let v = (b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
            if v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) { return (0, 0) }  // overlong or surrogate
            return (v, 3)
        }
        if b0 >= 0xF0 && b0 <= 0xF4 {
            guard i + 3 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80, p[i + 3] & 0xC0 == 0x80 else {
                return (0, 0)
            }
            let v =
                (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                | UInt32(p[i + 3] & 0x3F)
            if v < 0x10000 || v > 0x10FFFF { return (0, 0) }
            return (v, 4)
        }
        return (0, 0)
    }

    private func classify(_ v: UInt32) -> UInt8 {
        if let c = classCache[v] { return c }
        var c = Analyzer.separator
        if let s = Unicode.Scalar(v) {
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .decimalNumber, .letterNumber, .otherNumber:
                c = kind == .english && Analyzer.isCJK(v) ? Analyzer.cjk : Analyzer.word
            case .nonspacingMark, .spacingMark, .enclosingMark:
                c = Analyzer.mark
            case .format where kind == .english && v != 0x200B:
                c = Analyzer.ignorable
            default:
                c = Analyzer.separator
            }
        }
        classCache[v] = c
        return c
    }

    /// Whether a scalar is neither a letter, a number nor a mark.
    static func isSeparating(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return false
        default:
            return true
        }
    }

    /// Letters with no decomposition, folded as readers type them (Lucene's ASCII folding).
    static let plainLetters: [UInt32: String] = [
        0xDF: "ss", 0xE6: "ae", 0x153: "oe", 0xF8: "o", 0x142: "l", 0x111: "d", 0xF0: "d", 0xFE: "th", 0x131: "i",
    ]

    /// The bytes a non-ASCII word character contributes to a term.
    private func fold(_ v: UInt32) -> [UInt8] {
        if let f = foldCache[v] { return f }
        var out: [UInt8] = []
        if let s = Unicode.Scalar(v) {
            switch kind {
            case .plain:
                // Simple lowercase mapping: a one-scalar mapping, else the first scalar of the full one.
                let lower = s.properties.lowercaseMapping.unicodeScalars
                let m = lower.count == 1 ? lower.first! : (lower.first ?? s)
                out.append(contentsOf: Array(String(m).utf8))
            case .english where Analyzer.isCJK(v):
                // Full and half width forms as one (half-width ｶ → カ), voicing kept composed.
                out.append(contentsOf: Array(String(s).precomposedStringWithCompatibilityMapping.utf8))
            case .english:
                // Compatibility decomposition, then marks dropped and what remains lowercased:
                // Ｂ → b, ﬁ → fi, é → e.
                // A form whose compatibility decomposition holds punctuation or a space (½ is
                // 1⁄2) keeps its canonical one: its digits must not run together.
                let lower = s.properties.lowercaseMapping
                var parts = lower.decomposedStringWithCompatibilityMapping.unicodeScalars
                if parts.contains(where: { Analyzer.isSeparating($0) }) {
                    parts = lower.decomposedStringWithCanonicalMapping.unicodeScalars
                }
                for d in parts {
                    switch d.properties.generalCategory {
                    case .nonspacingMark, .spacingMark, .enclosingMark: continue
                    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                        .decimalNumber, .letterNumber, .otherNumber:
                        if let plain = Analyzer.plainLetters[d.value] {
                            out.append(contentsOf: Array(plain.utf8))
                        } else {
                            out.append(contentsOf: Array(String(d.properties.lowercaseMapping).utf8))
                        }
                    default: continue  // a fraction slash or space inside a compatibility form
                    }
                }
            }
        }
        foldCache[v] = out
        return out
    }
}
