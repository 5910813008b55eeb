/// Query-time synonyms (`loupe index --synonyms FILE`, kept with the index; `find --synonyms FILE`
/// for one search): a word or phrase of the query is also searched as its alternatives — names
/// that changed (`Burma, Myanmar`; `Kiev, Kyiv`), abbreviations (`UN, United Nations`).
///
/// The file is Solr's synonyms format: one rule a line; `#` starts a comment; `a, b, c` makes the
/// words or phrases equivalent (each is searched as all of them); `a, b => c, d` searches `a` or
/// `b` as `c` or `d` only (list `a` on the right to keep it). Entries are matched after analysis
/// (case and accents folded; by stems with the English analyzer), a phrase word for word: a query
/// word, a quoted phrase, or optional words typed one after another (see `Searcher.withSynonyms`).
public struct Synonyms: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
        /// The words or phrases the rule applies to.
        public var from: [String]
        /// What they are searched as; nil: `from` are equivalents (each searched as all).
        public var to: [String]?
    }

    public var rules: [Rule]

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// At most this many rules (a file of every word's forms belongs in the analyzer, not here).
    public static let maxRules = 100_000

    public static func parse(_ text: String) throws -> Synonyms {
        var rules: [Rule] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            if line.allSatisfy({ $0.isWhitespace }) { continue }
            func entries(_ s: Substring) throws -> [String] {
                let e = s.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                }
                if e.contains(where: \.isEmpty) {
                    throw ParseError(line: n + 1, message: "an empty entry (two commas, or one at an end)")
                }
                return e
            }
            let sides = line.components(separatedBy: "=>")
            switch sides.count {
            case 1:
                let e = try entries(line)
                guard e.count >= 2 else {
                    throw ParseError(
                        line: n + 1, message: "one entry alone: write its synonyms after it, separated by commas")
                }
                rules.append(Rule(from: e, to: nil))
            case 2:
                rules.append(Rule(from: try entries(Substring(sides[0])), to: try entries(Substring(sides[1]))))
            default:
                throw ParseError(line: n + 1, message: "more than one =>")
            }
            if rules.count > maxRules { throw ParseError(line: n + 1, message: "more than \(maxRules) rules") }
        }
        return Synonyms(rules: rules)
    }

    /// The alternatives of each entry, keyed by the entry's analysed words joined by a space
    /// (`analyze` gives a text's terms); an entry of several rules gets all their alternatives,
    /// in the order the rules give them. Entries that analyse to nothing are left out.
    func table(_ analyze: (String) -> [[UInt8]]) -> [[UInt8]: [String]] {
        var out: [[UInt8]: [String]] = [:]
        // The analysed forms already listed for each entry: one of each (`Café` and `cafe` are
        // one alternative), each form analysed once.
        var listed: [[UInt8]: Set<[UInt8]>] = [:]
        func key(_ s: String) -> [UInt8]? {
            let t = analyze(s)
            return t.isEmpty ? nil : Array(t.joined(separator: [0x20]))
        }
        for r in rules {
            let targets = (r.to ?? r.from).map { ($0, key($0) ?? []) }
            for f in r.from {
                guard let k = key(f) else { continue }
                for (t, tk) in targets where listed[k, default: []].insert(tk).inserted {
                    out[k, default: []].append(t)
                }
            }
        }
        return out
    }
}
