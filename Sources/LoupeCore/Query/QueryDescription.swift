/// `find --explain-query`: the parsed query as a tree with what each node means, and the query as
/// it is searched (analysed words, expansions, weights, filters), one line per node.

/// A boolean's lines, parsed or bound alike: `boolean`, then its required, optional (or "at least
/// one of", when nothing is required) and excluded clauses, each described by `each` two levels in.
func describeBoolean<T>(
    _ must: [T], _ should: [T], _ mustNot: [T], into out: inout [String], depth: Int,
    _ each: (T, inout [String], Int) -> Void
) {
    let pad = String(repeating: "  ", count: depth)
    out.append(pad + "boolean")
    for (clauses, heading) in [
        (must, "required:"), (should, must.isEmpty ? "at least one of:" : "optional (adds to the score):"),
        (mustNot, "excluded:"),
    ] where !clauses.isEmpty {
        out.append(pad + "  " + heading)
        for c in clauses { each(c, &out, depth + 2) }
    }
}

extension QueryNode {
    /// The tree, one line per node, children indented by two spaces.
    public func describe() -> [String] {
        var out: [String] = []
        describe(into: &out, depth: 0)
        return out
    }

    private static func fieldSuffix(_ f: FieldRef) -> String { f == .text ? "" : " in \(f.rawValue)" }

    private func describe(into out: inout [String], depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        func line(_ s: String) { out.append(pad + s) }
        switch self {
        case .word(let w, let f):
            let analyzer = Analyzer(.english)
            let parts = analyzer.terms(w)
            if parts.count > 1 {
                let shown = parts.joined(separator: " ")
                let reading: String
                switch Searcher.compoundReading(w, parts: parts.map { Array($0.utf8) }, english: true) {
                case .name: reading = "one name: the phrase \"\(shown)\" of its parts' stems"
                case .phrase: reading = "the phrase \"\(shown)\" of its parts' stems, each of little meaning alone"
                case .required(let strong, _):
                    let names = strong.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", ")
                    reading = "\(names) required; the phrase \"\(shown)\" of its parts' stems ranks higher"
                case .separate: reading = "its parts \(parts.joined(separator: ", ")), each ranked by BM25"
                }
                var also = ""
                if f == .text || f == .title, let closed = analyzer.closedCompound(of: w) {
                    let c = String(decoding: closed, as: UTF8.self)
                    also = "; also the one word \(c), either spelling, where the index holds \(c) written so"
                }
                line("word \(w)\(QueryNode.fieldSuffix(f)) (\(reading)\(also))")
            } else if parts.count == 1 && Analyzer.hasSymbolSuffix(parts[0].utf8) {
                line("word \(w)\(QueryNode.fieldSuffix(f)) (as written, ranked by BM25: it ends in + or #)")
            } else {
                line("word \(w)\(QueryNode.fieldSuffix(f)) (its stem, ranked by BM25)")
            }
            if f == .text || f == .title, let acronym = Analyzer.typedAcronym(w) {
                let a = String(decoding: acronym, as: UTF8.self)
                let dotted = acronym.map { String(UnicodeScalar($0)) + "." }.joined()
                line(
                    "  typed in capitals: the acronym \(a) (written \(a) or \(dotted)), where the index holds it, "
                        + "ranked first; the word's own reading counts a quarter")
            }
        case .phrase(let words, let f, let slop):
            let text = words.joined(separator: " ")
            line(
                "phrase \"\(text)\"\(QueryNode.fieldSuffix(f)) "
                    + (slop == 0
                        ? "(the words as written, adjacent, in order)"
                        : "~\(slop) (the words as written, at most \(slop) position moves; a swap costs 2)"))
        case .prefix(let w, let f):
            line("prefix \(w)*\(QueryNode.fieldSuffix(f)) (the indexed words that start so)")
        case .wildcard(let p, let f):
            line("wildcard \(p)\(QueryNode.fieldSuffix(f)) (? one letter, * any run; the indexed words it matches)")
        case .regex(let r, let f):
            line("regular expression /\(r)/\(QueryNode.fieldSuffix(f)) (the indexed words it matches whole)")
        case .fuzzy(let w, let f, let d):
            line(
                "fuzzy \(w)~\(d)\(QueryNode.fieldSuffix(f)) (the indexed words within \(d) edit\(d == 1 ? "" : "s"))")
        case .near(let a, let b, let d, let ordered):
            line(
                ordered
                    ? "ADJ/\(d) (in this order, at most \(d) other word\(d == 1 ? "" : "s") between)"
                    : "NEAR/\(d) (either order, at most \(d) other word\(d == 1 ? "" : "s") between)")
            a.describe(into: &out, depth: depth + 1)
            b.describe(into: &out, depth: depth + 1)
        case .boolean(let must, let should, let mustNot):
            if must.isEmpty && mustNot.isEmpty {
                line("any of (ranked: the more match, the higher)")
                for c in should { c.describe(into: &out, depth: depth + 1) }
                return
            }
            describeBoolean(must, should, mustNot, into: &out, depth: depth) { $0.describe(into: &$1, depth: $2) }
        case .dateRange(let from, let to):
            line("dated \(from ?? "…")..\(to ?? "…") (a filter, no score)")
        case .boost(let c, let b):
            line("boost ×\(b)")
            c.describe(into: &out, depth: depth + 1)
        case .exists(let f):
            line("has a value in \(f.rawValue) (no score)")
        case .termRange(let a, let b, let ia, let ib, let f):
            line(
                "range \(ia ? "[" : "{")\(a ?? "*") TO \(b ?? "*")\(ib ? "]" : "}")\(QueryNode.fieldSuffix(f)) (the indexed words between, in byte order)"
            )
        case .all:
            line("every article (*:*, no score)")
        case .synonyms(let c):
            line("synonyms (any of; single words scored as one word)")
            for x in c { x.describe(into: &out, depth: depth + 1) }
        }
    }
}

extension Searcher {
    /// `q` as searched: each term with its field, document frequency and weight.
    public func describe(_ q: BoundQuery) -> [String] {
        var out: [String] = []
        describe(q, into: &out, depth: 0)
        return out
    }

    private static func fieldName(_ b: UInt8) -> String {
        switch IndexField(rawValue: b) {
        case .text: return "text"
        case .title: return "title"
        case .category: return "category"
        case .source: return "source"
        case .textStem: return "text stem"
        case .titleStem: return "title stem"
        case .id: return "id"
        case .author: return "author"
        case nil: return "field \(b)"
        }
    }

    private func term(_ key: [UInt8]) -> String {
        guard let f = key.first else { return "?" }
        let df = (try? reader.docFreq(IndexField(rawValue: f) ?? .text, Array(key.dropFirst()))) ?? 0
        return
            "\(Searcher.fieldName(f)):\(String(decoding: key.dropFirst(), as: UTF8.self)) (in \(df) article\(df == 1 ? "" : "s"))"
    }

    private static func slotName(_ s: Int) -> String {
        switch s {
        case 0: return "text"
        case 1: return "title"
        case 2: return "category"
        case 3: return "source"
        case 4: return "author"
        default: return "no length normalisation"
        }
    }

    private func describe(_ q: BoundQuery, into out: inout [String], depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        func line(_ s: String) { out.append(pad + s) }
        func w(_ x: Float) -> String { String(format: "%.3f", x) }
        switch q {
        case .nothing:
            line("nothing (matches no article)")
        case .term(let key, let weight, _):
            line("\(term(key)) weight \(w(weight))")
        case .blend(let keys, let weight, _):
            line("one word of synonyms (frequencies added, one idf) weight \(w(weight))")
            for k in keys { line("  " + term(k)) }
        case .phrase(let keys, let offsets, let slop, let weight, let slot):
            let words = zip(keys, offsets).map { k, o in
                "\(String(decoding: k.dropFirst(), as: UTF8.self))@\(o)"
            }
            let field = keys.first.map { Searcher.fieldName($0[0]) } ?? "?"
            line(
                "phrase \(field):\"\(words.joined(separator: " "))\" slop \(slop) weight \(w(weight))"
                    + (slot == BoundQuery.unnormalizedSlot ? " (no length normalisation)" : ""))
        case .multiPhrase(let keys, let offsets, let slop, let weight, _):
            let field = keys.first?.first.map { Searcher.fieldName($0[0]) } ?? "?"
            let words = zip(keys, offsets).map { alternatives, o in
                let shown = alternatives.prefix(3).map { String(decoding: $0.dropFirst(), as: UTF8.self) }
                let more = alternatives.count > 3 ? "|… (\(alternatives.count) words)" : ""
                return "\(shown.joined(separator: "|"))\(more)@\(o)"
            }
            line("phrase \(field):\"\(words.joined(separator: " "))\" slop \(slop) weight \(w(weight))")
        case .near(let a, let b, let d, let ordered, let weight, _):
            line("\(ordered ? "ADJ" : "NEAR")/\(d) weight \(w(weight))")
            describe(a, into: &out, depth: depth + 1)
            describe(b, into: &out, depth: depth + 1)
        case .or(let c):
            line("any of (scores add up)")
            for x in c { describe(x, into: &out, depth: depth + 1) }
        case .atLeast(let k, let c):
            line("at least \(k) of (--min-match; scores add up)")
            for x in c { describe(x, into: &out, depth: depth + 1) }
        case .boolean(let m, let s, let n):
            describeBoolean(m, s, n, into: &out, depth: depth) { describe($0, into: &$1, depth: $2) }
        case .date(let c, let from, let to, let excluded):
            line("\(excluded ? "not dated" : "dated") \(from ?? "…")..\(to ?? "…") (filter)")
            describe(c, into: &out, depth: depth + 1)
        case .dateAny(let c, let ranges):
            line("dated within any of " + ranges.map { "\($0.from ?? "…")..\($0.to ?? "…")" }.joined(separator: ", "))
            describe(c, into: &out, depth: depth + 1)
        case .anyOf(let keys):
            let shown = keys.prefix(5).map { String(decoding: $0.dropFirst(), as: UTF8.self) }
            line(
                "\(keys.count) more word\(keys.count == 1 ? "" : "s") of the pattern, matching with no score: "
                    + shown.joined(separator: ", ") + (keys.count > 5 ? ", …" : ""))
        case .all:
            line("every article (no score)")
        case .present(let slot):
            line("has a value in \(Searcher.slotName(slot)) (no score)")
        }
    }
}
