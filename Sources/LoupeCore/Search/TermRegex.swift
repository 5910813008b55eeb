/// Regular expressions over dictionary terms (`find`'s `/colou?r/`, `title:/gr[ae]y/`), with
/// Lucene's and Elasticsearch's syntax and meaning: the expression matches a whole indexed word
/// (no anchors needed; a leading `^` and a trailing `$` are accepted and change nothing).
///
/// Syntax: a character stands for itself; `.` any character; `[abc]`, `[a-z]`, `[^0-9]` classes;
/// `\d`, `\w`, `\s` and their capitals (`\D` …) as in Lucene 9; `\x` the character x; `"…"` a
/// literal string; `( )` groups; `|` alternatives; `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` repeats.
/// Lucene's optional operators (`&` intersection, `~` complement, `@` any string, `#` empty,
/// `<1-100>` numeric intervals) are errors here, naming the escape that matches the character.
///
/// The expression is compiled to a Thompson automaton and run as a DFA built lazily, state sets
/// cached as the dictionary meets them. A term's prefix that already leaves no way to match
/// (the DFA's dead state) is reported so that a dictionary scan skips every term that starts
/// with it unread.
struct TermRegex {
    struct SyntaxError: Error, Equatable {
        /// 0-based, in Unicode scalars of the expression.
        var offset: Int
        var message: String
        var hint: String?
    }

    /// At most this many automaton states (counted repeats are copied: `a{1000}` is 1,000).
    static let maxStates = 10_000
    static let maxRepeat = 1_000
    /// The DFA cache is cleared when it holds this many state sets.
    static let maxCachedStates = 4_096

    // MARK: Characters and classes

    /// A set of Unicode scalars: ranges and shorthand classes, optionally negated.
    struct CharSet: Equatable {
        enum Shorthand: Equatable {
            case digit, word, space
            func contains(_ c: UInt32) -> Bool {
                guard let s = Unicode.Scalar(c) else { return false }
                switch self {
                case .digit: return s.properties.numericType == .decimal
                case .word:
                    return c == 0x5F || s.properties.isAlphabetic || s.properties.numericType != nil
                        || s.properties.generalCategory == .nonspacingMark
                        || s.properties.generalCategory == .spacingMark
                case .space: return s.properties.isWhitespace
                }
            }
        }
        var ranges: [ClosedRange<UInt32>] = []
        var shorthands: [(Shorthand, negated: Bool)] = []
        var negated = false

        static func == (a: CharSet, b: CharSet) -> Bool {
            a.ranges == b.ranges && a.negated == b.negated && a.shorthands.count == b.shorthands.count
                && zip(a.shorthands, b.shorthands).allSatisfy { $0.0 == $1.0 && $0.negated == $1.negated }
        }

        static let any = CharSet(negated: true)
        static func single(_ c: UInt32) -> CharSet { CharSet(ranges: [c...c]) }

        func contains(_ c: UInt32) -> Bool {
            var hit = ranges.contains { $0.contains(c) }
            if !hit { hit = shorthands.contains { $0.0.contains(c) != $0.negated } }
            return hit != negated
        }

        /// The one character this set is, if it is a single character.
        var single: UInt32? {
            guard !negated, shorthands.isEmpty, ranges.count == 1, ranges[0].count == 1 else { return nil }
            return ranges[0].lowerBound
        }
    }

    /// The expression's tree.
    indirect enum Node: Equatable {
        case set(CharSet)
        case concat([Node])
        case alternatives([Node])
        case repeated(Node, min: Int, max: Int?)  // max nil: unbounded
    }

    // MARK: Parsing

    /// Parses `source`; `fold` gives a literal character as the index writes it (`É` → `e`,
    /// several characters for some), nil to keep it.
    static func parse(_ source: String, fold: (Unicode.Scalar) -> [UInt32]? = { _ in nil }) throws -> Node {
        let scalars = Array(source.unicodeScalars)
        return try withoutActuallyEscaping(fold) { fold in
            var p = RegexParser(s: scalars, fold: fold, end: scalars.count)
            if p.s.first == "^" { p.i = 1 }
            if p.s.count > p.i, p.s.last == "$", !(p.s.count >= 2 && p.s[p.s.count - 2] == "\\") {
                p.end = p.s.count - 1
            }
            guard p.i < p.end else {
                throw SyntaxError(offset: 0, message: "empty regular expression", hint: "for example /colou?r/")
            }
            let node = try p.alternatives(depth: 0)
            if p.i < p.end {
                // Only an unmatched ')' stops the top level early.
                throw SyntaxError(offset: p.i, message: "unmatched ')' in regular expression", hint: "escape it: \\)")
            }
            return node
        }
    }

    private struct RegexParser {
        var s: [Unicode.Scalar]
        var fold: (Unicode.Scalar) -> [UInt32]?
        var end: Int
        var i = 0

        static let maxDepth = 64

        mutating func alternatives(depth: Int) throws -> Node {
            guard depth < RegexParser.maxDepth else {
                throw SyntaxError(offset: i, message: "regular expression nested too deeply", hint: nil)
            }
            var options = [try concat(depth: depth)]
            while i < end && s[i] == "|" {
                i += 1
                options.append(try concat(depth: depth))
            }
            return options.count == 1 ? options[0] : .alternatives(options)
        }

        mutating func concat(depth: Int) throws -> Node {
            var parts: [Node] = []
            while i < end && s[i] != "|" && s[i] != ")" {
                var atom = try self.atom(depth: depth)
                while i < end, let r = try repeatSuffix() {
                    atom = .repeated(atom, min: r.0, max: r.1)
                }
                parts.append(atom)
            }
            return parts.count == 1 ? parts[0] : .concat(parts)
        }

        /// `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` at `i`, consumed; nil for anything else.
        mutating func repeatSuffix() throws -> (Int, Int?)? {
            switch s[i] {
            case "?":
                i += 1
                return (0, 1)
            case "*":
                i += 1
                return (0, nil)
            case "+":
                i += 1
                return (1, nil)
            case "{":
                let start = i
                i += 1
                func number() -> Int? {
                    var v = 0
                    var digits = 0
                    while i < end,
                        let d = s[i].properties.numericType == .decimal && s[i].isASCII
                            ? Int(s[i].value - 0x30) : nil
                    {
                        v = min(v * 10 + d, 1_000_000)
                        digits += 1
                        i += 1
                    }
                    return digits > 0 ? v : nil
                }
                let bad = SyntaxError(
                    offset: start, message: "bad repeat in regular expression", hint: "{n}, {n,} or {n,m}, as in a{2,3}"
                )
                guard let lo = number() else { throw bad }
                var hi: Int? = lo
                if i < end && s[i] == "," {
                    i += 1
                    hi = number()
                }
                guard i < end && s[i] == "}" else { throw bad }
                i += 1
                if let hi, hi < lo {
                    throw SyntaxError(
                        offset: start, message: "repeat {\(lo),\(hi)} has its bounds reversed", hint: "{\(hi),\(lo)}")
                }
                guard max(lo, hi ?? 0) <= TermRegex.maxRepeat else {
                    throw SyntaxError(
                        offset: start, message: "repeat too large", hint: "at most {\(TermRegex.maxRepeat)}")
                }
                return (lo, hi)
            default:
                return nil
            }
        }

        /// A literal character as the index writes it.
        func literal(_ c: Unicode.Scalar) -> Node {
            guard let f = fold(c), !f.isEmpty else { return .set(.single(c.value)) }
            return f.count == 1 ? .set(.single(f[0])) : .concat(f.map { .set(.single($0)) })
        }

        mutating func atom(depth: Int) throws -> Node {
            let c = s[i]
            let at = i
            switch c {
            case "(":
                i += 1
                if i < end && s[i] == ")" {
                    i += 1
                    return .concat([])
                }
                let inner = try alternatives(depth: depth + 1)
                guard i < end && s[i] == ")" else {
                    throw SyntaxError(offset: at, message: "unmatched '(' in regular expression", hint: "add ')'")
                }
                i += 1
                return inner
            case ".":
                i += 1
                return .set(.any)
            case "[":
                return try charClass()
            case "\\":
                guard i + 1 < end else {
                    throw SyntaxError(
                        offset: at, message: "regular expression ends with a backslash", hint: "\\\\ for a backslash")
                }
                i += 2
                if let sh = RegexParser.shorthand(s[at + 1]) { return .set(CharSet(shorthands: [sh])) }
                return literal(s[at + 1])
            case "\"":
                // Lucene's quoted literal string.
                var j = i + 1
                var parts: [Node] = []
                while j < end && s[j] != "\"" {
                    parts.append(literal(s[j]))
                    j += 1
                }
                guard j < end else {
                    throw SyntaxError(
                        offset: at, message: "unterminated \" in regular expression",
                        hint: "close it, or escape it: \\\"")
                }
                i = j + 1
                return .concat(parts)
            case "?", "*", "+", "{":
                throw SyntaxError(
                    offset: at, message: "'\(c)' has nothing to repeat", hint: "escape it to match it: \\\(c)")
            case "&", "~", "@", "#", "<", ">":
                let name =
                    c == "&"
                    ? "intersection"
                    : c == "~"
                        ? "complement"
                        : c == "@"
                            ? "any string"
                            : c == "#" ? "empty language" : "numeric interval"
                throw SyntaxError(
                    offset: at,
                    message: "Lucene's optional regular expression operator '\(c)' (\(name)) is not supported",
                    hint: "escape it to match the character: \\\(c)")
            default:
                i += 1
                return literal(c)
            }
        }

        static func shorthand(_ c: Unicode.Scalar) -> (CharSet.Shorthand, negated: Bool)? {
            switch c {
            case "d": return (.digit, false)
            case "D": return (.digit, true)
            case "w": return (.word, false)
            case "W": return (.word, true)
            case "s": return (.space, false)
            case "S": return (.space, true)
            default: return nil
            }
        }

        /// One class member's character (folded when it folds to one character).
        func member(_ c: Unicode.Scalar) -> UInt32 {
            if let f = fold(c), f.count == 1 { return f[0] }
            return c.value
        }

        mutating func charClass() throws -> Node {
            let open = i
            i += 1
            var set = CharSet()
            if i < end && s[i] == "^" {
                set.negated = true
                i += 1
            }
            var first = true
            while i < end && (s[i] != "]" || first) {
                first = false
                var c = s[i]
                if c == "\\" {
                    guard i + 1 < end else { break }
                    if let sh = RegexParser.shorthand(s[i + 1]) {
                        set.shorthands.append(sh)
                        i += 2
                        continue
                    }
                    c = s[i + 1]
                    i += 1
                }
                i += 1
                // A range `a-z` (a `-` first or last is itself).
                if i + 1 < end && s[i] == "-" && s[i + 1] != "]" {
                    var hiChar = s[i + 1]
                    var next = i + 2
                    if hiChar == "\\" && i + 2 < end {
                        hiChar = s[i + 2]
                        next = i + 3
                    }
                    var lo = c.value
                    var hi = hiChar.value
                    guard lo <= hi else {
                        throw SyntaxError(
                            offset: i - 1, message: "range \(c)-\(hiChar) is reversed in regular expression",
                            hint: "\(hiChar)-\(c)")
                    }
                    // Folded ends when both fold to one character in the same order (`A-Z` → `a-z`).
                    let fl = member(c)
                    let fh = member(hiChar)
                    if fl <= fh && (fl != lo || fh != hi) {
                        set.ranges.append(lo...hi)
                        lo = fl
                        hi = fh
                    }
                    set.ranges.append(lo...hi)
                    i = next
                } else {
                    set.ranges.append(c.value...c.value)
                    let f = member(c)
                    if f != c.value { set.ranges.append(f...f) }
                }
            }
            guard i < end && s[i] == "]" else {
                throw SyntaxError(
                    offset: open, message: "unterminated [ in regular expression", hint: "close it with ]")
            }
            i += 1
            return .set(set)
        }
    }

    // MARK: The automaton

    private enum State {
        case set(Int, next: Int)  // a character of sets[Int], then next
        case split(Int, Int)
        case match
    }

    private var states: [State] = []
    private var sets: [CharSet] = []
    private var start = 0

    /// The literal characters every match starts with (as UTF-8), to narrow a dictionary scan.
    let literalPrefix: [UInt8]

    init(_ source: String, fold: (Unicode.Scalar) -> [UInt32]? = { _ in nil }) throws {
        let node = try TermRegex.parse(source, fold: fold)
        var prefix: [UInt32] = []
        TermRegex.collectPrefix(node, &prefix)
        literalPrefix = Array(String(String.UnicodeScalarView(prefix.compactMap(Unicode.Scalar.init))).utf8)
        // The dead state (no automaton state) is DFA state 0.
        dfaSets = [[]]
        dfaAccepts = [false]
        dfaIndex = [[]: 0]
        ascii = [Int32](repeating: -1, count: 128)
        states.append(.match)
        start = try compile(node, next: 0)
        startState = dfaState(closure([start]))
    }

    /// Appends the literal characters `node` must start with; false when the node may match
    /// something else (or nothing) and the prefix ends there.
    @discardableResult
    private static func collectPrefix(_ node: Node, _ out: inout [UInt32]) -> Bool {
        switch node {
        case .set(let s):
            guard let c = s.single else { return false }
            out.append(c)
            return true
        case .concat(let parts):
            for p in parts where !collectPrefix(p, &out) { return false }
            return true
        case .repeated(let n, let lo, let hi):
            guard lo > 0 else { return false }
            for _ in 0..<lo where !collectPrefix(n, &out) { return false }
            return hi == lo
        case .alternatives:
            return false
        }
    }

    /// Compiles `node` so that its matches continue at state `next`; returns its entry state.
    private mutating func compile(_ node: Node, next: Int) throws -> Int {
        guard states.count < TermRegex.maxStates else {
            throw SyntaxError(
                offset: 0, message: "regular expression too large", hint: "use smaller repeat counts")
        }
        switch node {
        case .set(let s):
            sets.append(s)
            states.append(.set(sets.count - 1, next: next))
            return states.count - 1
        case .concat(let parts):
            var entry = next
            for p in parts.reversed() { entry = try compile(p, next: entry) }
            return entry
        case .alternatives(let options):
            var entries: [Int] = []
            for o in options { entries.append(try compile(o, next: next)) }
            var entry = entries.last!
            for e in entries.dropLast().reversed() {
                states.append(.split(e, entry))
                entry = states.count - 1
            }
            return entry
        case .repeated(let n, let lo, let hi):
            // The optional part first (built from its end), then the required copies before it.
            var entry = next
            if let hi {
                for _ in lo..<hi {
                    let split = states.count
                    states.append(.split(0, next))  // patched below
                    let body = try compile(n, next: entry)
                    states[split] = .split(body, next)
                    entry = split
                    // Each optional copy may end the repeat: `split(body, next)` chains to the
                    // copies after it through `entry`.
                }
            } else {
                // Unbounded: a loop state.
                let loop = states.count
                states.append(.split(0, entry))
                let body = try compile(n, next: loop)
                states[loop] = .split(body, entry)
                entry = loop
            }
            for _ in 0..<lo { entry = try compile(n, next: entry) }
            return entry
        }
    }

    // MARK: Lazy DFA

    private var dfaSets: [[Int32]]
    private var dfaAccepts: [Bool]
    private var dfaIndex: [[Int32]: Int32]
    /// Transitions on ASCII: `ascii[state * 128 + byte]`, -1 unknown.
    private var ascii: [Int32]
    private var other: [UInt64: Int32] = [:]
    private var startState: Int32 = 1
    private var mark: [Int] = []
    private var generation = 0

    /// The consuming states and the match state reachable from `entries` by splits alone.
    private mutating func closure(_ entries: [Int]) -> [Int32] {
        if mark.count < states.count { mark = [Int](repeating: 0, count: states.count) }
        generation += 1
        var out: [Int32] = []
        var stack = entries
        while let s = stack.popLast() {
            if mark[s] == generation { continue }
            mark[s] = generation
            switch states[s] {
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .set, .match:
                out.append(Int32(s))
            }
        }
        out.sort()
        return out
    }

    private mutating func dfaState(_ set: [Int32]) -> Int32 {
        if let d = dfaIndex[set] { return d }
        let d = Int32(dfaSets.count)
        dfaSets.append(set)
        dfaAccepts.append(set.contains { if case .match = states[Int($0)] { return true } else { return false } })
        dfaIndex[set] = d
        ascii.append(contentsOf: repeatElement(-1, count: 128))
        return d
    }

    private mutating func step(_ d: Int32, _ c: UInt32) -> Int32 {
        if d == 0 { return 0 }
        if c < 128 {
            let t = ascii[Int(d) * 128 + Int(c)]
            if t >= 0 { return t }
        } else if let t = other[UInt64(d) << 32 | UInt64(c)] {
            return t
        }
        var targets: [Int] = []
        for s in dfaSets[Int(d)] {
            if case .set(let k, let next) = states[Int(s)], sets[k].contains(c) { targets.append(next) }
        }
        let set = closure(targets)
        if dfaSets.count >= TermRegex.maxCachedStates {
            // Start the cache again (the current state's set is recomputed from its own).
            let from = dfaSets[Int(d)]
            dfaSets = [[]]
            dfaAccepts = [false]
            dfaIndex = [[]: 0]
            ascii = [Int32](repeating: -1, count: 128)
            other = [:]
            startState = dfaState(closure([start]))
            cacheRestarts += 1
            let fromAgain = dfaState(from)
            let t = dfaState(set)
            cache(fromAgain, c, t)
            return t
        }
        let t = dfaState(set)
        cache(d, c, t)
        return t
    }

    /// How often the DFA cache was started again (for tests).
    private(set) var cacheRestarts = 0

    private mutating func cache(_ d: Int32, _ c: UInt32, _ t: Int32) {
        if c < 128 { ascii[Int(d) * 128 + Int(c)] = t } else { other[UInt64(d) << 32 | UInt64(c)] = t }
    }

    /// After `matches` returned false because a prefix of the term can lead to no match: that
    /// prefix's length in bytes (a dictionary scan may skip every term that starts with it).
    private(set) var deadPrefixBytes: Int?

    /// Whether the whole of `term` (UTF-8) matches.
    mutating func matches(_ term: UnsafeBufferPointer<UInt8>) -> Bool {
        deadPrefixBytes = nil
        var d = startState
        var i = 0
        let n = term.count
        while i < n {
            let b = term[i]
            var c: UInt32
            var len = 1
            if b < 0x80 {
                c = UInt32(b)
            } else {
                len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                c = UInt32(b) & (len == 4 ? 0x07 : len == 3 ? 0x0F : len == 2 ? 0x1F : 0xFF)
                var k = 1
                while k < len && i + k < n {
                    c = c << 6 | UInt32(term[i + k] & 0x3F)
                    k += 1
                }
            }
            i = min(i + len, n)
            d = step(d, c)
            if d == 0 {
                deadPrefixBytes = i
                return false
            }
        }
        return dfaAccepts[Int(d)]
    }

    /// Whether `s` (a whole word) matches; for tests.
    mutating func matches(_ s: String) -> Bool {
        var t = s
        return t.withUTF8 { matches($0) }
    }
}
