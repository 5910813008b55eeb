import Foundation

/// Parses Loupe's query language (see README "Query language"):
///
/// ```
/// query   := or
/// or      := and ( [OR] and )*          juxtaposition is OR (ranked), like Lucene
/// and     := unary ( AND unary )*
/// unary   := (NOT | + | -) unary | near
/// near    := primary ( (NEAR | NEAR/N | ADJ | ADJ/N) primary )*
/// primary := boosted [^N]                 N > 0: the clause's weight × N (Lucene's boost)
/// boosted := ( or ) | "phrase"[~N] | field:primary | word | word~[N] | prefix* | wild?card*
///            | date:FROM..TO
/// ```
/// Precedence: NOT/+/- bind tightest, then NEAR/ADJ, then AND, then OR.
public struct QueryParser {
    public static let maxTerms = 1024
    public static let maxDepth = 64
    public static let maxDistance = 10_000
    public static let defaultNearDistance = 10
    public static let maxBoost: Float = 1000
    /// Fuzzy words: at most this many edits (Lucene's limit), and this many unless given.
    public static let maxFuzzyEdits = 2

    /// The time relative dates (`date:now-7d`) count from, seconds since 1970.
    public var now: Int64

    public init(now: Int64 = Int64(Date().timeIntervalSince1970)) { self.now = now }

    enum Tok: Equatable {
        case lparen, rparen, and, or, not, plus, minus
        case near(Int, ordered: Bool)
        case phrase([String], slop: Int)
        case word(String)
        case regex(String)
        case termRange(String?, String?, Bool, Bool)
        case field(FieldRef)
        case date(String?, String?)
        case boost(Float)
    }

    struct Lexeme {
        var tok: Tok
        var column: Int
    }

    enum Occur { case must, should, mustNot }

    struct Clause {
        var occur: Occur
        var node: QueryNode
    }

    /// `--plain`: every whitespace-separated word is a plain ranked word; no operators, quotes or
    /// fields (natural-language questions contain `-`, `(`, `"` and `:`). Words beyond `maxTerms`
    /// are an error, not silently dropped.
    public func parsePlain(_ text: String) throws -> QueryNode {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard !words.isEmpty else {
            throw QuerySyntaxError(column: 1, message: "empty query", hint: "type one or more words")
        }
        guard words.count <= QueryParser.maxTerms else {
            throw QuerySyntaxError(
                column: 1, message: "too many words (\(words.count)); the limit is \(QueryParser.maxTerms)", hint: nil)
        }
        if words.count == 1 { return .word(words[0], field: .text) }
        return .boolean(must: [], should: words.map { .word($0, field: .text) }, mustNot: [])
    }

    public func parse(_ text: String) throws -> QueryNode {
        let lexemes = try lex(Array(text.unicodeScalars))
        guard !lexemes.isEmpty else {
            throw QuerySyntaxError(column: 1, message: "empty query", hint: "type one or more words")
        }
        var words = 0
        for l in lexemes {
            switch l.tok {
            case .word, .regex, .termRange: words += 1
            case .phrase(let w, _): words += w.count
            default: break
            }
        }
        if words > QueryParser.maxTerms {
            throw QuerySyntaxError(
                column: 1, message: "too many words (\(words)); the limit is \(QueryParser.maxTerms)", hint: nil)
        }
        var p = Parser(lexemes: lexemes, end: text.unicodeScalars.count + 1)
        let c = try p.parseOr(depth: 0)
        if p.index < lexemes.count {
            let l = lexemes[p.index]
            if l.tok == .rparen {
                throw QuerySyntaxError(column: l.column, message: "unmatched ')'", hint: "remove it or add '(' before")
            }
            throw QuerySyntaxError(column: l.column, message: "unexpected input", hint: nil)
        }
        switch c.occur {
        case .should: return c.node
        case .must: return .boolean(must: [c.node], should: [], mustNot: [])
        case .mustNot: return .boolean(must: [], should: [], mustNot: [c.node])
        }
    }

    // MARK: Lexer

    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || s.value < 0x20 || s.value == 0x7F
    }

    private func lex(_ s: [Unicode.Scalar]) throws -> [Lexeme] {
        var out: [Lexeme] = []
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if QueryParser.isSpace(c) {
                i += 1
                continue
            }
            let col = i + 1
            switch c {
            case "(":
                out.append(Lexeme(tok: .lparen, column: col))
                i += 1
            case ")":
                out.append(Lexeme(tok: .rparen, column: col))
                i += 1
                if let b = try boost(s, &i) { out.append(b) }
            case "\"", "\u{201C}", "\u{201D}":
                var j = i + 1
                var body = ""
                while j < n && s[j] != "\"" && s[j] != "\u{201D}" && s[j] != "\u{201C}" {
                    // `\"` is a quote inside the phrase (Lucene's escape; `\*` is no pattern).
                    if s[j] == "\\" && j + 1 < n && QueryParser.escapable(s[j + 1]) {
                        j += 1
                        if s[j] == "*" || s[j] == "?" || s[j] == "~" {
                            body.unicodeScalars.append(" ")
                            j += 1
                            continue
                        }
                    }
                    body.unicodeScalars.append(s[j])
                    j += 1
                }
                guard j < n else {
                    throw QuerySyntaxError(column: col, message: "unterminated phrase", hint: "close it with \"")
                }
                j += 1
                var slop = 0
                if j < n && s[j] == "~" {
                    var k = j + 1
                    var v = 0
                    var digits = 0
                    while k < n, let d = s[k].properties.numericType != nil ? Int(String(s[k])) : nil, d >= 0, d <= 9,
                        s[k].isASCII
                    {
                        v = v * 10 + d
                        digits += 1
                        k += 1
                        if v > QueryParser.maxDistance {
                            throw QuerySyntaxError(
                                column: j + 1, message: "slop too large", hint: "use at most \(QueryParser.maxDistance)"
                            )
                        }
                    }
                    guard digits > 0 else {
                        throw QuerySyntaxError(
                            column: j + 1, message: "'~' needs a number", hint: "for example \"a b\"~3")
                    }
                    slop = v
                    j = k
                }
                out.append(Lexeme(tok: .phrase([body], slop: slop), column: col))
                i = j
                if let b = try boost(s, &i) { out.append(b) }
            default:
                // `/colou?r/` (and `-/x/`, `+/x/`, `!/x/`): a regular expression.
                let signed = (c == "+" || c == "-" || c == "!") && i + 1 < n && s[i + 1] == "/"
                if let (body, next) = QueryParser.regexLiteral(s, at: signed ? i + 1 : i) {
                    if signed { out.append(Lexeme(tok: c == "+" ? .plus : c == "-" ? .minus : .not, column: col)) }
                    let at = signed ? col + 1 : col
                    do {
                        _ = try TermRegex(body)
                    } catch let e as TermRegex.SyntaxError {
                        throw QuerySyntaxError(column: at + 1 + e.offset, message: e.message, hint: e.hint)
                    }
                    out.append(Lexeme(tok: .regex(body), column: at))
                    i = next
                    if let b = try boost(s, &i) { out.append(b) }
                    continue
                }
                // `[a TO c]`, `{a TO c}` (after a field, usually): a term range.
                if c == "[" || c == "{", let (range, next) = QueryParser.termRangeLiteral(s, at: i) {
                    out.append(Lexeme(tok: range, column: col))
                    i = next
                    if let b = try boost(s, &i) { out.append(b) }
                    continue
                }
                var j = i
                var w = ""
                var escapedFirst = false
                while j < n && !QueryParser.isSpace(s[j]) && s[j] != "(" && s[j] != ")" && s[j] != "\"" && s[j] != "^" {
                    if s[j] == "\\" && j + 1 < n && QueryParser.escapable(s[j + 1]) {
                        // Lucene's escape (`\-ferry`, `c\+\+`, `title\:x`, `\(`): the character is
                        // the word's, never syntax; an escaped `*`, `?` or `~` is punctuation, as
                        // words hold none, so it is no pattern.
                        if w.isEmpty { escapedFirst = true }
                        let c = s[j + 1]
                        w.unicodeScalars.append(c == "*" || c == "?" || c == "~" ? " " : c)
                        j += 2
                        continue
                    }
                    w.unicodeScalars.append(s[j])
                    j += 1
                    // A known field name followed by ':' ends the word.
                    if s[j - 1] == ":" {
                        var name = String(w.dropLast()).lowercased()
                        // `+title:"oil law"`, `-source:(a b)`: the sign is the clause's.
                        var sign: Lexeme?
                        if name.count > 1, let c = name.first, c == "+" || c == "-" || c == "!",
                            QueryParser.field(named: name.dropFirst()) != nil || name.dropFirst() == "date"
                                || name.dropFirst() == "_exists_"
                        {
                            sign = Lexeme(tok: c == "+" ? .plus : c == "-" ? .minus : .not, column: col)
                            name.removeFirst()
                        }
                        if name == "date" {
                            var k = j
                            var r = ""
                            if k < n, s[k] == "[" || s[k] == "{" {
                                // Lucene's range, `date:[2007 TO 2008-06}`: read to its bracket,
                                // spaces and all.
                                while k < n && s[k] != "]" && s[k] != "}" {
                                    r.unicodeScalars.append(s[k])
                                    k += 1
                                }
                                guard k < n else {
                                    throw QuerySyntaxError(
                                        column: j + 1, message: "unterminated date range",
                                        hint: "close it with ] (end included) or } (end excluded)")
                                }
                                r.unicodeScalars.append(s[k])
                                k += 1
                            }
                            while k < n && !QueryParser.isSpace(s[k]) && s[k] != ")" {
                                r.unicodeScalars.append(s[k])
                                k += 1
                            }
                            // `date:*`, like `date:[* TO *]`: every dated article.
                            if r == "*" { r = "[* TO *]" }
                            // `-date:2007` excludes the articles dated then (`+date:` is `date:`).
                            if let sign { out.append(sign) }
                            out.append(
                                Lexeme(tok: try dateRange(r, column: j + 1), column: sign == nil ? col : col + 1))
                            w = ""
                            j = k
                            break
                        }
                        if name == "_exists_" {
                            // Elasticsearch's `_exists_:author`: `author:*`.
                            var k = j
                            var target = ""
                            while k < n && !QueryParser.isSpace(s[k]) && s[k] != ")" {
                                target.unicodeScalars.append(s[k])
                                k += 1
                            }
                            let t = target.lowercased()
                            let at = sign == nil ? col : col + 1
                            if let sign { out.append(sign) }
                            if t == "date" {
                                out.append(Lexeme(tok: try dateRange("[* TO *]", column: j + 1), column: at))
                            } else if let f = QueryParser.field(named: t[...]), f != .text {
                                out.append(Lexeme(tok: .field(f), column: at))
                                out.append(Lexeme(tok: .word("*"), column: j + 1))
                            } else {
                                throw QuerySyntaxError(
                                    column: j + 1, message: "_exists_: needs a field name",
                                    hint: "author, title, category, source or date, as in _exists_:author")
                            }
                            w = ""
                            j = k
                            break
                        }
                        if let f = QueryParser.field(named: name[...]) {
                            if let sign { out.append(sign) }
                            out.append(Lexeme(tok: .field(f), column: sign == nil ? col : col + 1))
                            w = ""
                            break
                        }
                        // A misspelt field (`titel:`, `auther:`) would silently be searched as
                        // words; a word that merely has a colon (`http:`, `10:30`) is left alone.
                        let signed = name.hasPrefix("+") || name.hasPrefix("-")
                        let bare = signed ? String(name.dropFirst()) : name
                        if let meant = QueryParser.misspeltField(bare) {
                            throw QuerySyntaxError(
                                column: signed ? col + 1 : col, message: "unknown field \(bare):",
                                hint: "did you mean \(meant):? (fields: title, author, category, source, date, id)")
                        }
                    }
                }
                i = j
                if w.isEmpty {
                    if i < n && s[i] == "^" {
                        throw QuerySyntaxError(
                            column: i + 1, message: "'^' needs a word, phrase or group before it",
                            hint: "for example iran^2")
                    }
                    continue
                }
                let boosted = try boost(s, &i)
                if escapedFirst {
                    // `\-ferry`, `\AND`: a word, whatever it starts with.
                    out.append(contentsOf: wordLexemes(w, column: col))
                } else if w.hasPrefix("+") && w.count > 1 {
                    out.append(Lexeme(tok: .plus, column: col))
                    w.removeFirst()
                    out.append(contentsOf: wordLexemes(w, column: col + 1))
                } else if w.hasPrefix("-") && w.count > 1 {
                    out.append(Lexeme(tok: .minus, column: col))
                    w.removeFirst()
                    out.append(contentsOf: wordLexemes(w, column: col + 1))
                } else if w.hasPrefix("!") && w.count > 1 {
                    // Lucene's `!`: NOT (`harbour !ferry`, `!(a b)`).
                    out.append(Lexeme(tok: .not, column: col))
                    w.removeFirst()
                    out.append(contentsOf: try keywordOrWord(w, column: col + 1))
                } else if (w == "+" || w == "-" || w == "!") && i < n && (s[i] == "(" || s[i] == "\"") {
                    out.append(Lexeme(tok: w == "+" ? .plus : w == "-" ? .minus : .not, column: col))
                } else {
                    out.append(contentsOf: try keywordOrWord(w, column: col))
                }
                if let boosted { out.append(boosted) }
            }
        }
        return out
    }

    /// A regular expression `/…/` starting at `s[i]`: its text and the index after its closing
    /// slash, when it has one (a backslash escapes the next character), holds no space and the
    /// slash ends the word (a space, `)`, `^` or the end follow). Anything else (`/usr/bin`,
    /// `and/or`, a lone `/`) is a word as before.
    static func regexLiteral(_ s: [Unicode.Scalar], at i: Int) -> (String, Int)? {
        guard i < s.count, s[i] == "/" else { return nil }
        var j = i + 1
        while j < s.count && s[j] != "/" {
            if isSpace(s[j]) { return nil }
            j += s[j] == "\\" && j + 1 < s.count && !isSpace(s[j + 1]) ? 2 : 1
        }
        guard j < s.count, j > i + 1 else { return nil }
        let after = j + 1
        guard after == s.count || isSpace(s[after]) || s[after] == ")" || s[after] == "^" else { return nil }
        return (String(String.UnicodeScalarView(s[(i + 1)..<j])), after)
    }

    /// A term range `[a TO c]` / `{a TO c}` (either bracket on either end, `*` an open end)
    /// starting at `s[i]`, and the index after it; nil for any other text (`[citation needed]`
    /// stays words).
    static func termRangeLiteral(_ s: [Unicode.Scalar], at i: Int) -> (Tok, Int)? {
        guard i < s.count, s[i] == "[" || s[i] == "{" else { return nil }
        var j = i + 1
        while j < s.count && s[j] != "]" && s[j] != "}" && s[j] != "[" && s[j] != "{" { j += 1 }
        guard j < s.count, s[j] == "]" || s[j] == "}" else { return nil }
        let body = String(String.UnicodeScalarView(s[(i + 1)..<j]))
        let words = body.split(whereSeparator: { $0.isWhitespace })
        guard words.count == 3, words[1] == "TO" || words[1] == "to" else { return nil }
        let from = words[0] == "*" ? nil : String(words[0])
        let to = words[2] == "*" ? nil : String(words[2])
        return (.termRange(from, to, s[i] == "[", s[j] == "]"), j + 1)
    }

    /// Characters a backslash escapes (Lucene's special characters); before any other, a
    /// backslash is a character of the text (`C:\Users`).
    static func escapable(_ c: Unicode.Scalar) -> Bool {
        "+-&|!(){}[]^\"~*?:\\/".unicodeScalars.contains(c)
    }

    /// The field `name` is one edit away from (`titel` → `title`), when `name` is no field but
    /// letters long enough to be meant as one.
    static func misspeltField(_ name: String) -> String? {
        guard name.count >= 4, name.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let known = FieldRef.allCases.map(\.rawValue) + ["date", "body"]
        if known.contains(name) { return nil }
        return known.first { EditDistance.optimalStringAlignment(Array(name), Array($0)) == 1 }
    }

    /// A field as a query names it (`body:` is `text:`).
    static func field(named name: Substring) -> FieldRef? {
        FieldRef(rawValue: name == "body" ? "text" : String(name))
    }

    /// `^N` at `i` (a boost of the clause just read): consumed and returned, or nil if `s[i]` is
    /// not `^`. N is a positive decimal number up to `maxBoost`.
    private func boost(_ s: [Unicode.Scalar], _ i: inout Int) throws -> Lexeme? {
        guard i < s.count, s[i] == "^" else { return nil }
        let col = i + 1
        var k = i + 1
        var text = ""
        while k < s.count, s[k].isASCII, s[k] == "." || ("0"..."9").contains(s[k]), text.count < 16 {
            text.unicodeScalars.append(s[k])
            k += 1
        }
        guard let v = Float(text), v.isFinite, v > 0 else {
            throw QuerySyntaxError(
                column: col, message: "'^' needs a positive number", hint: "for example iran^2 or \"oil law\"^0.5")
        }
        guard v <= QueryParser.maxBoost else {
            throw QuerySyntaxError(
                column: col, message: "boost too large", hint: "use at most \(Int(QueryParser.maxBoost))")
        }
        i = k
        return Lexeme(tok: .boost(v), column: col)
    }

    private func wordLexemes(_ w: String, column: Int) -> [Lexeme] {
        [Lexeme(tok: .word(w), column: column)]
    }

    private func keywordOrWord(_ w: String, column: Int) throws -> [Lexeme] {
        switch w {
        case "AND", "&&": return [Lexeme(tok: .and, column: column)]
        case "OR", "||": return [Lexeme(tok: .or, column: column)]
        case "NOT", "!": return [Lexeme(tok: .not, column: column)]
        case "NEAR": return [Lexeme(tok: .near(QueryParser.defaultNearDistance, ordered: false), column: column)]
        case "ADJ": return [Lexeme(tok: .near(QueryParser.defaultNearDistance, ordered: true), column: column)]
        default: break
        }
        for (kw, ordered) in [("NEAR/", false), ("ADJ/", true)] where w.hasPrefix(kw) {
            let num = w.dropFirst(kw.count)
            guard !num.isEmpty, num.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw QuerySyntaxError(
                    column: column + kw.count, message: "\(kw.dropLast()) needs a distance",
                    hint: "for example \(kw)5")
            }
            guard num.count <= 6, let v = Int(num), v <= QueryParser.maxDistance else {
                throw QuerySyntaxError(
                    column: column + kw.count, message: "distance too large",
                    hint: "use at most \(QueryParser.maxDistance)")
            }
            return [Lexeme(tok: .near(v, ordered: ordered), column: column)]
        }
        return [Lexeme(tok: .word(w), column: column)]
    }

    /// The pattern of a wildcard word (`te?t`, `ma*ki`, `*zone`), nil for any other word. Question
    /// marks at the end are a question's punctuation (`who won?`), not wildcards; a word of
    /// wildcards alone is no pattern.
    static func wildcard(_ w: String) -> String? {
        var core = Substring(w)
        while core.last == "?" { core.removeLast() }
        guard core.contains(where: { $0 == "*" || $0 == "?" }),
            core.contains(where: { $0 != "*" && $0 != "?" })
        else { return nil }
        return String(core)
    }

    /// `word~` or `word~N` (the word and its edit distance), nil for any other word. `column`: the
    /// word's.
    static func fuzzy(_ w: String, column: Int) throws -> (String, Int)? {
        let scalars = Array(w.unicodeScalars)
        guard let tilde = scalars.lastIndex(of: "~"), tilde > 0 else { return nil }
        let word = String(String.UnicodeScalarView(scalars[..<tilde]))
        if word.contains(where: { $0 == "~" || $0 == "*" || $0 == "?" }) { return nil }
        let number = scalars[(tilde + 1)...]
        if number.isEmpty { return (word, maxFuzzyEdits) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
        // `~user` in a path or address is part of the word; `roam~0.8` (Lucene's old similarity)
        // or `roam~2x` are mistakes worth saying.
        guard isDigit(number.first!) || number.first == "." else { return nil }
        guard number.count <= 6, number.allSatisfy(isDigit), let v = Int(String(String.UnicodeScalarView(number)))
        else {
            throw QuerySyntaxError(
                column: column + tilde, message: "'~' after a word needs an edit distance: 0, 1 or 2",
                hint: "for example roam~1 (words within one edit of roam), or roam~ for two")
        }
        guard v <= maxFuzzyEdits else {
            throw QuerySyntaxError(
                column: column + tilde + 1, message: "fuzzy distance too large",
                hint: "use at most \(maxFuzzyEdits) edits, as Lucene")
        }
        return (word, v)
    }

    /// A date bound as the query language reads it: relative ones (`now-7d`, `today`) as the
    /// day they name, others as written.
    private func bound(_ b: String, column: Int) throws -> String {
        let lower = b.lowercased()
        guard lower.hasPrefix("now") || lower == "today" || lower == "yesterday" else { return b }
        guard let d = DateColumn.relativeDay(b, now: now) else {
            throw QuerySyntaxError(
                column: column, message: "bad relative date \(b)",
                hint: "now, today, yesterday, now-7d, now-2w, now-3M (months), now-1y: whole days, in UTC")
        }
        return d
    }

    private func dateRange(_ r0: String, column: Int) throws -> Tok {
        // Relative bounds (`now-7d`) resolved first, word by word, so every form below takes
        // them; any other text comes out as it went in.
        var r = ""
        var word = ""
        for c in r0 {
            if c.isLetter || c.isNumber || ((c == "-" || c == "+") && word.lowercased().hasPrefix("now")) {
                word.append(c)
            } else {
                r += try bound(word, column: column)
                word = ""
                r.append(c)
            }
        }
        r += try bound(word, column: column)
        // A year, month or day that exists (no month 13, no 30 February, two-digit months and days).
        func valid(_ d: String) -> Bool { DateColumn.period(d) != nil }
        let badRange = QuerySyntaxError(
            column: column, message: "bad date range", hint: "use date:2007-05-01..2007-07-31 or date:[2007 TO 2008]")
        if let caret = r.firstIndex(of: "^") {
            // `date:2007^2`: a filter adds nothing to a score, so there is nothing to boost.
            throw QuerySyntaxError(
                column: column + r.distance(from: r.startIndex, to: caret),
                message: "a date filters and takes no boost", hint: "date:\(r[..<caret])")
        }
        var parts = r.components(separatedBy: "..")
        if let first = r.first, first == "[" || first == "{" {
            // Lucene's `[from TO to]`: `[`/`]` include their end, `{`/`}` exclude it, `*` is open.
            let body = r.dropFirst().dropLast()
            let words = body.split(whereSeparator: { $0.isWhitespace })
            guard r.count >= 2, r.last == "]" || r.last == "}", words.count == 3, words[1].uppercased() == "TO" else {
                throw badRange
            }
            // `[* TO *]`: every dated article.
            var from = words[0] == "*" ? "0000" : String(words[0])
            var to = words[2] == "*" ? "9999" : String(words[2])
            guard let f = DateColumn.period(from), let t = DateColumn.period(to) else { throw badRange }
            if t.upperBound < f.lowerBound {
                throw QuerySyntaxError(
                    column: column, message: "the date range ends before it starts",
                    hint: "date:\(first)\(words[2]) TO \(words[0])\(r.last!)")
            }
            if first == "{" && words[0] != "*" {
                from = try adjacent(f.upperBound + 1, time: from.contains("T"), column)
            }
            if r.last == "}" && words[2] != "*" { to = try adjacent(t.lowerBound - 1, time: to.contains("T"), column) }
            if let a = DateColumn.period(from), let b = DateColumn.period(to), b.upperBound < a.lowerBound {
                throw QuerySyntaxError(
                    column: column, message: "the date range holds no day once its excluded ends are left out",
                    hint: "include an end with [ or ]: date:[\(words[0]) TO \(words[2])]")
            }
            // An end left open is open (`*` only stood in for the checks), unless both are.
            parts = [words[0] == "*" && words[2] != "*" ? "" : from, words[2] == "*" && words[0] != "*" ? "" : to]
        } else if let op = ["<=", ">=", "<", ">"].first(where: { r.hasPrefix($0) }) {
            // `date:>2007` (after 2007), `date:<=2008-06` (up to June 2008 included).
            let d = String(r.dropFirst(op.count))
            guard let p = DateColumn.period(d) else {
                throw QuerySyntaxError(
                    column: column + op.count, message: "bad date", hint: "for example date:\(op)2007-06")
            }
            switch op {
            case ">=": parts = [d, ""]
            case ">": parts = [try adjacent(p.upperBound + 1, time: d.contains("T"), column), ""]
            case "<=": parts = ["", d]
            default: parts = ["", try adjacent(p.lowerBound - 1, time: d.contains("T"), column)]
            }
        }
        if parts.count == 1 {
            guard valid(r) else {
                throw QuerySyntaxError(
                    column: column, message: "bad date", hint: "use date:2007-05-01..2007-07-31 or date:>=2007-05")
            }
            return .date(r, r)
        }
        guard parts.count == 2, parts[0].isEmpty || valid(parts[0]), parts[1].isEmpty || valid(parts[1]),
            !(parts[0].isEmpty && parts[1].isEmpty)
        else {
            throw badRange
        }
        // Both ends given, the second before the first: no article could match.
        if let from = DateColumn.period(parts[0]), let to = DateColumn.period(parts[1]), to.upperBound < from.lowerBound
        {
            throw QuerySyntaxError(
                column: column, message: "the date range ends before it starts",
                hint: "date:\(parts[1])..\(parts[0])")
        }
        return .date(parts[0].isEmpty ? nil : parts[0], parts[1].isEmpty ? nil : parts[1])
    }

    /// The day holding `seconds` (with `time`, that second) as a date the query language reads
    /// (an excluded end's neighbour: `{2007 TO` starts on 2008-01-01, `{2007-10-01T12:00:00Z TO`
    /// one second later); an error past the years it can write.
    private func adjacent(_ seconds: Int64, time: Bool, _ column: Int) throws -> String {
        let d = time ? DateColumn.isoTime(seconds) : DateColumn.isoDay(seconds)
        guard DateColumn.period(d) != nil else {
            throw QuerySyntaxError(column: column, message: "date out of range", hint: "use years 0000 to 9999")
        }
        return d
    }

    /// A quoted phrase. One with prefix or wildcard words (`"harb* ferry"`, `"gr?en zone"`) is
    /// its runs of plain words as phrases and its patterns, chained by ADJ/0 (in order,
    /// adjacent): a phrase's words are matched as written, so the pattern would otherwise be
    /// searched as its letters alone and match nothing. With a slop (`"interest rate*"~2`) it is
    /// its words one by one, which `Searcher` binds as a phrase whose pattern positions may be any
    /// of the pattern's words (until the twenty-second session: NEAR/N).
    static func phrase(_ body: String, field: FieldRef, slop: Int) -> QueryNode {
        let pieces = body.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        func pattern(_ w: String) -> QueryNode? { QueryParser.pattern(w, field: field) }
        guard pieces.contains(where: { pattern($0) != nil }) else { return .phrase([body], field: field, slop: slop) }
        // A sloppy one: its words one by one, bound as a phrase whose pattern positions may be any
        // of their words (slop counted as for any phrase).
        // (One word alone is the pattern itself, as without a slop.)
        if slop > 0 && pieces.count > 1 { return .phrase(pieces, field: field, slop: slop) }
        var parts: [QueryNode] = []
        var run: [String] = []
        func flush() {
            // A run of punctuation alone (`"harb* - ferr*"`) holds no word to match.
            if run.contains(where: { $0.contains(where: { $0.isLetter || $0.isNumber }) }) {
                parts.append(.phrase([run.joined(separator: " ")], field: field, slop: 0))
            }
            run = []
        }
        for w in pieces {
            if let p = pattern(w) {
                flush()
                parts.append(p)
            } else {
                run.append(w)
            }
        }
        flush()
        return parts.dropFirst().reduce(parts[0]) { .near($0, $1, distance: slop, ordered: slop == 0) }
    }

    /// A prefix (`nucl*`) or wildcard (`ma*ki`, `te?t`) word as its node; nil for any other word.
    static func pattern(_ w: String, field: FieldRef) -> QueryNode? {
        if w.count > 1 && w.hasSuffix("*") && !w.dropLast().contains(where: { $0 == "*" || $0 == "?" }) {
            return .prefix(String(w.dropLast()), field: field)
        }
        return wildcard(w).map { .wildcard($0, field: field) }
    }

    // MARK: Parser

    struct Parser {
        var lexemes: [Lexeme]
        var index = 0
        var end: Int

        var peek: Tok? { index < lexemes.count ? lexemes[index].tok : nil }
        var column: Int { index < lexemes.count ? lexemes[index].column : end }

        mutating func parseOr(depth: Int) throws -> Clause {
            var clauses: [Clause] = []
            clauses.append(try parseAnd(depth: depth))
            while let t = peek, t != .rparen {
                if t == .or {
                    let col = column
                    index += 1
                    guard let n = peek, n != .rparen else {
                        throw QuerySyntaxError(column: col, message: "OR needs a right-hand operand", hint: nil)
                    }
                }
                clauses.append(try parseAnd(depth: depth))
            }
            if clauses.count == 1 { return clauses[0] }
            return Clause(occur: .should, node: combine(clauses))
        }

        func combine(_ clauses: [Clause]) -> QueryNode {
            var must: [QueryNode] = []
            var should: [QueryNode] = []
            var not: [QueryNode] = []
            for c in clauses {
                switch c.occur {
                case .must: must.append(c.node)
                case .should: should.append(c.node)
                case .mustNot: not.append(c.node)
                }
            }
            return .boolean(must: must, should: should, mustNot: not)
        }

        mutating func parseAnd(depth: Int) throws -> Clause {
            var clauses = [try parseUnary(depth: depth)]
            var sawAnd = false
            while peek == .and {
                let col = column
                index += 1
                guard let n = peek, n != .rparen, n != .or, n != .and else {
                    throw QuerySyntaxError(column: col, message: "AND needs a right-hand operand", hint: nil)
                }
                sawAnd = true
                clauses.append(try parseUnary(depth: depth))
            }
            if !sawAnd { return clauses[0] }
            for k in clauses.indices where clauses[k].occur == .should { clauses[k].occur = .must }
            return Clause(occur: .should, node: combine(clauses))
        }

        mutating func parseUnary(depth: Int) throws -> Clause {
            guard let t = peek else {
                throw QuerySyntaxError(column: column, message: "missing operand", hint: nil)
            }
            let col = column
            switch t {
            case .not, .minus:
                index += 1
                guard peek != nil, peek != .rparen else {
                    throw QuerySyntaxError(
                        column: col, message: t == .not ? "NOT needs an operand" : "'-' needs an operand", hint: nil)
                }
                let c = try parseUnary(depth: depth + 1)
                return Clause(occur: .mustNot, node: c.node)
            case .plus:
                index += 1
                guard peek != nil, peek != .rparen else {
                    throw QuerySyntaxError(column: col, message: "'+' needs an operand", hint: nil)
                }
                let c = try parseUnary(depth: depth + 1)
                return Clause(occur: .must, node: c.node)
            default:
                return Clause(occur: .should, node: try parseNear(depth: depth))
            }
        }

        mutating func parseNear(depth: Int) throws -> QueryNode {
            var left = try parsePrimary(depth: depth, field: .text)
            while case .near(let n, let ordered) = peek {
                let col = column
                index += 1
                guard let nx = peek, nx != .rparen, nx != .and, nx != .or else {
                    throw QuerySyntaxError(
                        column: col, message: "\(ordered ? "ADJ" : "NEAR") needs a right-hand operand", hint: nil)
                }
                let right = try parsePrimary(depth: depth, field: .text)
                left = .near(left, right, distance: n, ordered: ordered)
            }
            return left
        }

        /// A primary and its `^N` boost, if any.
        mutating func parsePrimary(depth: Int, field: FieldRef) throws -> QueryNode {
            let node = try parseUnboosted(depth: depth, field: field)
            if case .boost(let b) = peek {
                index += 1
                return .boost(node, b)
            }
            return node
        }

        mutating func parseUnboosted(depth: Int, field: FieldRef) throws -> QueryNode {
            guard depth < QueryParser.maxDepth else {
                throw QuerySyntaxError(
                    column: column, message: "query nested deeper than \(QueryParser.maxDepth) levels", hint: nil)
            }
            guard let t = peek else {
                throw QuerySyntaxError(column: column, message: "missing operand", hint: nil)
            }
            let col = column
            index += 1
            switch t {
            case .lparen:
                if peek == .rparen {
                    throw QuerySyntaxError(column: col, message: "empty parentheses", hint: nil)
                }
                guard peek != nil else {
                    throw QuerySyntaxError(column: col, message: "unmatched '('", hint: "add ')'")
                }
                let c = try parseOr(depth: depth + 1)
                guard peek == .rparen else {
                    throw QuerySyntaxError(column: col, message: "unmatched '('", hint: "add ')'")
                }
                index += 1
                let node: QueryNode
                switch c.occur {
                case .should: node = c.node
                case .must: node = .boolean(must: [c.node], should: [], mustNot: [])
                case .mustNot: node = .boolean(must: [], should: [], mustNot: [c.node])
                }
                return field == .text ? node : try retarget(node, field, column: col)
            case .phrase(let w, let slop):
                return QueryParser.phrase(w.joined(separator: " "), field: field, slop: slop)
            case .word(let w):
                // Lucene's `*:*` is every article; a star alone is no word (and no scan of the
                // whole dictionary).
                if w == "*:*" {
                    guard field == .text else {
                        throw QuerySyntaxError(
                            column: col, message: "*:* (every article) takes no field", hint: "write *:* alone")
                    }
                    return .all
                }
                // `author:*` (Lucene's): the articles with an author.
                if w.allSatisfy({ $0 == "*" }) && field != .text { return .exists(field) }
                if w.allSatisfy({ $0 == "*" }) {
                    throw QuerySyntaxError(
                        column: col, message: "'*' alone is no word",
                        hint:
                            "*:* matches every article (*:* -sport, *:* --by month); prefix* and wild*cards need letters"
                    )
                }
                if w.hasSuffix("*"), let prefix = QueryParser.pattern(w, field: field) { return prefix }
                if let (word, edits) = try QueryParser.fuzzy(w, column: col) {
                    return .fuzzy(word, field: field, distance: edits)
                }
                return QueryParser.pattern(w, field: field) ?? .word(w, field: field)
            case .field(let f):
                guard let n = peek, n != .rparen else {
                    throw QuerySyntaxError(column: col, message: "\(f.rawValue): needs a word or phrase", hint: nil)
                }
                return try parsePrimary(depth: depth + 1, field: f)
            case .regex(let r):
                return .regex(r, field: field)
            case .termRange(let a, let b, let ia, let ib):
                // `[* TO *]`: Lucene's "has a value" (`title:*`); for the text, every article.
                if a == nil && b == nil { return field == .text ? .all : .exists(field) }
                return .termRange(from: a, to: b, includeFrom: ia, includeTo: ib, field: field)
            case .date(let a, let b):
                return .dateRange(from: a, to: b)
            case .rparen:
                throw QuerySyntaxError(column: col, message: "unmatched ')'", hint: nil)
            case .and, .or:
                throw QuerySyntaxError(
                    column: col, message: "\(t == .and ? "AND" : "OR") needs a left-hand operand", hint: nil)
            case .near(_, let ordered):
                throw QuerySyntaxError(
                    column: col, message: "\(ordered ? "ADJ" : "NEAR") needs a left-hand operand", hint: nil)
            case .boost:
                throw QuerySyntaxError(
                    column: col, message: "'^' needs a word, phrase or group before it", hint: "for example iran^2")
            case .not, .plus, .minus:
                index -= 1
                let c = try parseUnary(depth: depth + 1)
                return c.occur == .mustNot ? .boolean(must: [], should: [], mustNot: [c.node]) : c.node
            }
        }

        /// `n` searched in field `f` (a group after `title:`); `column`: the group's, for errors.
        func retarget(_ n: QueryNode, _ f: FieldRef, column: Int) throws -> QueryNode {
            switch n {
            case .word(let w, _): return .word(w, field: f)
            case .phrase(let w, _, let s): return .phrase(w, field: f, slop: s)
            case .prefix(let w, _): return .prefix(w, field: f)
            case .fuzzy(let w, _, let d): return .fuzzy(w, field: f, distance: d)
            case .wildcard(let w, _): return .wildcard(w, field: f)
            case .regex(let r, _): return .regex(r, field: f)
            case .termRange(let a, let b, let ia, let ib, _):
                return .termRange(from: a, to: b, includeFrom: ia, includeTo: ib, field: f)
            case .near(let a, let b, let d, let o):
                return .near(
                    try retarget(a, f, column: column), try retarget(b, f, column: column), distance: d, ordered: o)
            case .boolean(let m, let s, let n):
                return .boolean(
                    must: try m.map { try retarget($0, f, column: column) },
                    should: try s.map { try retarget($0, f, column: column) },
                    mustNot: try n.map { try retarget($0, f, column: column) })
            case .dateRange, .exists: return n
            case .all:
                throw QuerySyntaxError(
                    column: column, message: "*:* (every article) takes no field",
                    hint: "write *:* outside the field's group")
            case .boost(let c, let b): return .boost(try retarget(c, f, column: column), b)
            case .synonyms(let c): return .synonyms(try c.map { try retarget($0, f, column: column) })
            }
        }
    }
}
