/// British and American spellings of one word, brought to one form before stemming (the stem
/// space only: exact words and quoted phrases keep the spelling as written). Archives mix them —
/// `tumour` / `tumor`, `randomised` / `randomized`, `haematopoietic` / `hematopoietic`,
/// `centre` / `center` — and Porter2 keeps every such pair apart (it already joins `signalling`
/// and `signaling`, `ageing` and `aging`).
///
/// The rules rewrite a lowercase ASCII word; the form they produce need not be a word (`wise` is
/// left alone, but `promise` becomes `promize` in every text alike), so what matters is only
/// that two different words rarely meet in one form. The rules are ours, written from the
/// regular spelling correspondences; each is guarded against the common words it would
/// otherwise merge (`four`, `hour`, `prise`, `timbre`, `poet`).
public enum SpellingVariants {
    /// The word in its unified (mostly American) spelling, or the word itself. Called once for
    /// each new word of a segment, so it reads the bytes in place and allocates only the form it
    /// returns (the rules' words were built from strings at every call: 3,600 instructions a word,
    /// more than stemming it).
    public static func unified(_ w: [UInt8]) -> [UInt8] {
        guard w.count >= 5 else { return w }
        return w.withUnsafeBufferPointer { rewrite($0) } ?? w
    }

    /// The unified form when a rule applies, else nil.
    private static func rewrite(_ w: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        for b in w where b &- 97 >= 26 { return nil }
        if let i = ourStem(w) { return removing(i, from: w) }  // the `u` of `-our`
        if let r = wholeWord(w) { return r }
        if let i = izeSuffix(w) {
            var out = Array(w)
            out[i] = 122  // s → z
            return out
        }
        if let i = aeDigraph(w) ?? oeDigraph(w) { return removing(i, from: w) }
        if let r = reEnding(w) { return r }
        return prefixRules(w)
    }

    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func removing(_ i: Int, from w: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(w.count - 1)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: w[..<i]))
        out.append(contentsOf: UnsafeBufferPointer(rebasing: w[(i + 1)...]))
        return out
    }

    @inline(__always)
    private static func matches(_ needle: [UInt8], in w: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i >= 0, i + needle.count <= w.count else { return false }
        for k in 0..<needle.count where w[i + k] != needle[k] { return false }
        return true
    }

    /// The first index at which `needle` occurs in `w`.
    private static func find(_ needle: [UInt8], in w: UnsafeBufferPointer<UInt8>) -> Int? {
        guard needle.count <= w.count else { return nil }
        for i in 0...(w.count - needle.count) where matches(needle, in: w, at: i) { return i }
        return nil
    }

    private static func hasSuffix(_ w: UnsafeBufferPointer<UInt8>, _ e: [UInt8]) -> Bool {
        matches(e, in: w, at: w.count - e.count)
    }

    /// Words spelt `-our` in British English whose American form drops the `u`, found anywhere
    /// in the word (`unfavourable`, `nontumour`, `neighbouring`). Returns the `u`'s index.
    private static let ourWords: [[UInt8]] = [
        "ardour", "armour", "behaviour", "candour", "clamour", "colour", "demeanour", "endeavour", "favour",
        "fervour", "flavour", "harbour", "honour", "humour", "labour", "neighbour", "odour", "parlour", "rancour",
        "rigour", "rumour", "savour", "saviour", "splendour", "succour", "tumour", "valour", "vapour", "vigour",
    ].map(bytes)

    private static func ourStem(_ w: UnsafeBufferPointer<UInt8>) -> Int? {
        // Cheap test first: every such word holds "our".
        var i = 2
        while i < w.count && !(w[i] == 114 && w[i - 1] == 117 && w[i - 2] == 111) { i += 1 }
        guard i < w.count else { return nil }
        for s in ourWords {
            if let i = find(s, in: w) { return i + s.count - 2 }
        }
        return nil
    }

    /// Single words with an irregular counterpart.
    private static let words: [[UInt8]: [UInt8]] = {
        var m: [[UInt8]: [UInt8]] = [:]
        for (a, b) in [
            ("judgement", "judgment"), ("judgements", "judgments"),
            ("acknowledgement", "acknowledgment"), ("acknowledgements", "acknowledgments"),
            ("programme", "program"), ("programmes", "programs"), ("aluminium", "aluminum"),
            ("catalogue", "catalog"), ("catalogues", "catalogs"), ("analogue", "analog"), ("analogues", "analogs"),
            ("dialogue", "dialog"), ("dialogues", "dialogs"), ("monologue", "monolog"), ("prologue", "prolog"),
            ("epilogue", "epilog"), ("homologue", "homolog"), ("homologues", "homologs"),
            ("orthologue", "ortholog"), ("orthologues", "orthologs"), ("paralogue", "paralog"),
            ("paralogues", "paralogs"), ("plough", "plow"), ("ploughs", "plows"), ("cheque", "check"),
            ("cheques", "checks"), ("manoeuvre", "maneuver"), ("manoeuvres", "maneuvers"),
        ] {
            m[bytes(a)] = bytes(b)
        }
        return m
    }()

    /// For each first letter, a bit per length of the words in `words`: most words are passed
    /// over without hashing them.
    private static let wordShapes: [UInt64] = {
        var shapes = [UInt64](repeating: 0, count: 26)
        for w in words.keys { shapes[Int(w[0] - 97)] |= 1 << UInt64(w.count) }
        return shapes
    }()

    private static func wholeWord(_ w: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard w.count < 64, wordShapes[Int(w[0] - 97)] & (1 << UInt64(w.count)) != 0 else { return nil }
        return words[Array(w)]
    }

    /// `-ise`, `-ised`, `-ising`, `-isation`, … (and `-yse` as in `analyse`) → `z`, when at
    /// least three letters come before (so `rise`, `wise`, `prise` stay). Words that are never
    /// spelt with `z` (`promise`, `exercise`, `advise`) change alike in every text and meet no
    /// other word. Returns the index of the `s`.
    private static let izeEndings: [[UInt8]] = [
        "isations", "isation", "isable", "ising", "isers", "ised", "ises", "iser", "ise",
        "ysing", "ysed", "yses", "yser", "yse",
    ].map(bytes)

    private static func izeSuffix(_ w: UnsafeBufferPointer<UInt8>) -> Int? {
        // Every ending ends in e, s, d, r, g or n.
        switch w[w.count - 1] {
        case 101, 115, 100, 114, 103, 110: break
        default: return nil
        }
        for e in izeEndings where w.count >= e.count + 3 && hasSuffix(w, e) {
            return w.count - e.count + 1
        }
        return nil
    }

    /// `ae` inside a word (not first or last): haematology, leukaemia, paediatric, archaeology,
    /// orthopaedic, faeces; at the start only `aetiology` and `aesthetic`. Returns the `a`'s index.
    private static func aeDigraph(_ w: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = w.count
        if w[0] == 97 && w[1] == 101 {
            if n >= 6 && (w[2] == 116 && w[3] == 105 || w[2] == 115 && w[3] == 116 && w[4] == 104) { return 0 }
            return nil
        }
        var i = 1
        while i + 2 < n {
            if w[i] == 97 && w[i + 1] == 101 { return n >= 6 ? i : nil }
            i += 1
        }
        return nil
    }

    /// `oe` in the few families that have it: oesophagus, oestrogen, oedema (initial `oes` /
    /// `oed`), foetus, diarrhoea (`rrhoe`), homoeostasis (`homoeo`), amoeba, coeliac. Returns the
    /// `o`'s index. (`poet`, `does`, `coefficient` have no other spelling.) Each family with the
    /// offset of its `oe`.
    private static let oeInside: [(family: [UInt8], oe: Int)] = [
        ("rrhoe", 3), ("homoeo", 3), ("amoeb", 2), ("coeliac", 1), ("foet", 1),
    ].map { (bytes($0.0), $0.1) }

    private static func oeDigraph(_ w: UnsafeBufferPointer<UInt8>) -> Int? {
        if w[0] == 111 && w[1] == 101 && (w[2] == 115 || w[2] == 100) { return 0 }
        // Cheap test first: every family holds "oe".
        var i = 1
        while i < w.count && !(w[i] == 101 && w[i - 1] == 111) { i += 1 }
        guard i < w.count else { return nil }
        for (s, oe) in oeInside {
            if let i = find(s, in: w) { return i + oe }
        }
        return nil
    }

    /// `-tre` / `-bre` (and their plurals) → `-ter` / `-ber`: centre, metre, litre, fibre,
    /// theatre, calibre. Not `timbre` (timber) nor French words.
    private static let reExceptions: Set<[UInt8]> = Set(
        [
            "timbre", "timbres", "entre", "contre", "notre", "votre", "autre", "lettre", "lettres", "maitre",
            "outre", "macabre",
        ].map(bytes))

    private static func reEnding(_ w: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = w.count
        let plural = w[n - 1] == 115
        let end = plural ? n - 1 : n
        guard end >= 5, w[end - 1] == 101, w[end - 2] == 114, w[end - 3] == 116 || w[end - 3] == 98,
            !reExceptions.contains(Array(w))
        else { return nil }
        var out = Array(w[..<(end - 2)])
        out.append(101)
        out.append(114)
        if plural { out.append(115) }
        return out
    }

    /// Prefix families: `sulph-` → `sulf-` (sulphate), `mould-` → `mold-`, `defence`,
    /// `offence`, `pretence`, `licence` → `-ense`.
    private static let sulph = bytes("sulph")
    private static let mould = bytes("mould")
    private static let enceWords: [[UInt8]] = ["defence", "offence", "pretence", "licence"].map(bytes)

    private static func prefixRules(_ w: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if matches(sulph, in: w, at: 0) { return bytes("sulf") + w[5...] }
        if matches(mould, in: w, at: 0) { return bytes("mold") + w[5...] }
        for b in enceWords where matches(b, in: w, at: 0) {
            var out = Array(w)
            out[b.count - 2] = 115  // c → s
            return out
        }
        return nil
    }
}

extension EnglishStemmer {
    /// The stem-space term of an analysed word: its unified spelling, stemmed. Indexing and
    /// queries both go through here.
    /// A word with the `+` or `#` of `C++`, `Disney+` has the stem of the word before them, so
    /// that `disney` finds `Disney+`; the query word `Disney+` itself is searched as written
    /// (`Searcher`), so that `C++` does not find every `c`.
    public func stemUnified(_ word: [UInt8]) -> [UInt8] {
        var end = word.count
        while end > 0 && (word[end - 1] == 0x2B || word[end - 1] == 0x23) { end -= 1 }
        if end < word.count { return stem(SpellingVariants.unified(Array(word[..<end]))) }
        return stem(SpellingVariants.unified(word))
    }
}
