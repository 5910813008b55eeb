/// The dateline that opens a wire story — `TOKYO, March 5 - `, `NEW YORK, Jan 2 (Reuters) - `,
/// `BAGHDAD (AP) — ` — names where and when it was filed, not what it is about. `related` leaves
/// it out of the words it takes from an article (the place would pull in every story filed
/// there); searches still find it.
public enum Dateline {
    /// Bytes of `text`'s UTF-8 taken by a leading dateline (0 when there is none): a place in
    /// capitals (letters, spaces, `.`, `'`, `&`, `/`, `-`; at least two letters, at most 40
    /// bytes), then a date (`, March 5`, or after a region: `, Ore., Feb 26`) or an agency
    /// (`(Reuters)`) or both, then a dash (`-`, `--`, `–` or `—`) and a space or line break.
    public static func length(_ text: String) -> Int {
        var b = Array(text.utf8.prefix(120))
        b.append(0)  // sentinel
        var i = 0
        while b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
        let placeStart = i
        var letters = 0
        while i - placeStart < 40 {
            let c = b[i]
            if c &- 65 < 26 {
                letters += 1
            } else if !(c == 32 || c == 46 || c == 39 || c == 38 || c == 47 || c == 45) {
                break
            }
            i += 1
        }
        guard letters >= 2 else { return 0 }
        // The place ends at a comma or before " (": trim the spaces it took.
        var j = i
        while j > placeStart && b[j - 1] == 32 { j -= 1 }
        guard j > placeStart, b[j - 1] &- 65 < 26 || b[j - 1] == 46 else { return 0 }
        i = j
        var dated = false
        var agency = false
        // " Month 5" from `k` (a space first): the end, or nil.
        func date(_ k0: Int) -> Int? {
            var k = k0
            guard b[k] == 32 else { return nil }
            k += 1
            let m = k
            guard b[k] &- 65 < 26 else { return nil }
            k += 1
            while b[k] &- 97 < 26 { k += 1 }
            guard k - m >= 3, k - m <= 9 else { return nil }
            if b[k] == 46 { k += 1 }
            guard b[k] == 32 else { return nil }
            k += 1
            let d = k
            while b[k] &- 48 < 10 { k += 1 }
            guard k - d >= 1, k - d <= 2 else { return nil }
            return k
        }
        if b[i] == 44 {
            if let e = date(i + 1) {  // ", March 5"
                i = e
                dated = true
            } else if b[i + 1] == 32, b[i + 2] &- 65 < 26 {  // ", Ore., Feb 26" / ", Va. Feb 26"
                var k = i + 3
                while k - i <= 16 && (b[k] &- 65 < 26 || b[k] &- 97 < 26 || b[k] == 46) { k += 1 }
                if b[k] == 44 { k += 1 }
                guard let e = date(k) else { return 0 }
                i = e
                dated = true
            }
        }
        if b[i] == 32 && b[i + 1] == 40 {  // " (Reuters)"
            var k = i + 2
            let a = k
            while b[k] &- 65 < 26 || b[k] &- 97 < 26 { k += 1 }
            guard k - a >= 2, k - a <= 8, b[k] == 41 else { return 0 }
            i = k + 1
            agency = true
        }
        guard dated || agency, b[i] == 32 else { return 0 }
        i += 1
        if b[i] == 45 {
            i += 1
            if b[i] == 45 { i += 1 }
        } else if b[i] == 0xE2 && b[i + 1] == 0x80 && (b[i + 2] == 0x93 || b[i + 2] == 0x94) {
            i += 3
        } else {
            return 0
        }
        guard b[i] == 32 || b[i] == 10 else { return 0 }
        return i + 1
    }

    /// `text` without its leading dateline.
    public static func stripped(_ text: String) -> String {
        let n = length(text)
        return n == 0 ? text : String(decoding: text.utf8.dropFirst(n), as: UTF8.self)
    }
}
