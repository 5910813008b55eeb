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
    /// The word in its unified (mostly American) spelling, or the word itself.
    public static func unified(_ w: [UInt8]) -> [UInt8] {
        let n = w.count
        guard n >= 5, w.allSatisfy({ $0 &- 97 < 26 }) else { return w }
        var out = w
        if let i = ourStem(w) {
            out.remove(at: i)  // the `u` of `-our`
            return out
        }
        if let r = wholeWord(w) { return r }
        if let i = izeSuffix(w) {
            out[i] = 122  // s → z
            return out
        }
        if let i = aeDigraph(w) {
            out.remove(at: i)
            return out
        }
        if let i = oeDigraph(w) {
            out.remove(at: i)
            return out
        }
        if let r = reEnding(w) { return r }
        if let r = prefixRules(w) { return r }
        return w
    }

    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func find(_ needle: [UInt8], in w: [UInt8]) -> Int? {
        guard needle.count <= w.count else { return nil }
        var i = 0
        while i + needle.count <= w.count {
            if w[i] == needle[0] && w[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Words spelt `-our` in British English whose American form drops the `u`, found anywhere
    /// in the word (`unfavourable`, `nontumour`, `neighbouring`). Returns the `u`'s index.
    private static let ourWords: [[UInt8]] = [
        "ardour", "armour", "behaviour", "candour", "clamour", "colour", "demeanour", "endeavour", "favour",
        "fervour", "flavour", "harbour", "honour", "humour", "labour", "neighbour", "odour", "parlour", "rancour",
        "rigour", "rumour", "savour", "saviour", "splendour", "succour", "tumour", "valour", "vapour", "vigour",
    ].map(bytes)

    private static func ourStem(_ w: [UInt8]) -> Int? {
        // Cheap test first: every such word holds "our".
        guard find([111, 117, 114], in: w) != nil else { return nil }
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

    private static func wholeWord(_ w: [UInt8]) -> [UInt8]? { words[w] }

    /// `-ise`, `-ised`, `-ising`, `-isation`, … (and `-yse` as in `analyse`) → `z`, when at
    /// least three letters come before (so `rise`, `wise`, `prise` stay). Words that are never
    /// spelt with `z` (`promise`, `exercise`, `advise`) change alike in every text and meet no
    /// other word. Returns the index of the `s`.
    private static let izeEndings: [[UInt8]] = [
        "isations", "isation", "isable", "ising", "isers", "ised", "ises", "iser", "ise",
        "ysing", "ysed", "yses", "yser", "yse",
    ].map(bytes)

    private static func izeSuffix(_ w: [UInt8]) -> Int? {
        for e in izeEndings where w.count >= e.count + 3 && w.suffix(e.count).elementsEqual(e) {
            return w.count - e.count + 1
        }
        return nil
    }

    /// `ae` inside a word (not first or last): haematology, leukaemia, paediatric, archaeology,
    /// orthopaedic, faeces; at the start only `aetiology` and `aesthetic`. Returns the `a`'s index.
    private static func aeDigraph(_ w: [UInt8]) -> Int? {
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
    /// `o`'s index. (`poet`, `does`, `coefficient` have no other spelling.)
    private static let oeInside: [[UInt8]] = ["rrhoe", "homoeo", "amoeb", "coeliac", "foet"].map(bytes)

    private static func oeDigraph(_ w: [UInt8]) -> Int? {
        if w[0] == 111 && w[1] == 101 && (w[2] == 115 || w[2] == 100) { return 0 }
        for s in oeInside {
            if let i = find(s, in: w), let j = find([111, 101], in: Array(s)) { return i + j }
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

    private static func reEnding(_ w: [UInt8]) -> [UInt8]? {
        let n = w.count
        let plural = w[n - 1] == 115
        let end = plural ? n - 1 : n
        guard end >= 5, w[end - 1] == 101, w[end - 2] == 114, w[end - 3] == 116 || w[end - 3] == 98,
            !reExceptions.contains(w)
        else { return nil }
        var out = Array(w[..<(end - 2)])
        out.append(101)
        out.append(114)
        if plural { out.append(115) }
        return out
    }

    /// Prefix families: `sulph-` → `sulf-` (sulphate), `mould-` → `mold-`, `defence`,
    /// `offence`, `pretence`, `licence` → `-ense`.
    private static func prefixRules(_ w: [UInt8]) -> [UInt8]? {
        if w.starts(with: [115, 117, 108, 112, 104]) {  // sulph
            return [115, 117, 108, 102] + w[5...]
        }
        if w.starts(with: bytes("mould")) { return bytes("mold") + w[5...] }
        for s in ["defence", "offence", "pretence", "licence"] {
            let b = bytes(s)
            if w.starts(with: b) {
                var out = w
                out[b.count - 2] = 115  // c → s
                return out
            }
        }
        return nil
    }
}

extension EnglishStemmer {
    /// The stem-space term of an analysed word: its unified spelling, stemmed. Indexing and
    /// queries both go through here.
    public func stemUnified(_ word: [UInt8]) -> [UInt8] { stem(SpellingVariants.unified(word)) }
}
