/// Normalises the dates found in feeds and newswires to ISO 8601 (UTC when a time is given):
/// RFC 822/1123 (`Tue, 24 Jul 2007 10:15:00 GMT`, `+0300`, `+03:00`, `EDT`, `GMT+0100`; 12-hour
/// times, `4:42 PM`; month names of English and the main Western European languages:
/// `Seg, 24 Set 2018`, `Mi, 06 Dez 2023`, `mar., 05 mars 2024`; the year after the time, as
/// C's `asctime` and Twitter write it: `Wed Oct 10 20:19:24 +0000 2018`), RFC 3339 / ISO 8601
/// (`2007-07-24T10:15:00+03:00`, `2007-07-24`, also with a space before the offset, a trailing
/// `UTC`, or slashes: `2007/07/24`; a year or a month alone, `2007`, `2007-07`), and Reuters' `26-FEB-1987 15:01:01.79`.
public enum DateParsing {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    /// Month names (their first three letters; French `juin`/`juillet` by four) of German,
    /// French, Spanish, Portuguese, Italian and Dutch that differ from English's.
    static let foreignMonths: [String: Int] = [
        "ene": 1, "gen": 1, "fev": 2, "fév": 2, "mär": 3, "mrz": 3, "mrt": 3, "abr": 4, "avr": 4, "mai": 5,
        "mag": 5, "mei": 5, "juin": 6, "giu": 6, "juil": 7, "lug": 7, "ago": 8, "aoû": 8, "aou": 8, "set": 9,
        "okt": 10, "out": 10, "ott": 10, "dez": 12, "dic": 12, "déc": 12,
        // Hungarian.
        "már": 3, "ápr": 4, "máj": 5, "jún": 6, "júl": 7, "sze": 9,
        // Greek (June and July by four letters), with and without their accents.
        "ιαν": 1, "φεβ": 2, "μάρ": 3, "μαρ": 3, "απρ": 4, "μάι": 5, "μαΐ": 5, "μαι": 5, "ιούν": 6, "ιουν": 6,
        "ιούλ": 7, "ιουλ": 7, "αύγ": 8, "αυγ": 8, "σεπ": 9, "οκτ": 10, "νοέ": 11, "νοε": 11, "δεκ": 12,
    ]
    static let zones: [String: Int] = [
        "gmt": 0, "ut": 0, "utc": 0, "z": 0, "wet": 0, "west": 60, "est": -300, "edt": -240, "cst": -360,
        "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
        "ast": -240, "adt": -180, "nst": -210, "ndt": -150, "cet": 60, "cest": 120, "bst": 60, "eet": 120,
        "eest": 180, "msk": 180, "ist": 330, "sgt": 480, "hkt": 480, "awst": 480, "jst": 540, "kst": 540,
        "acst": 570, "acdt": 630, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
        // Middle European Time (and German's MEZ/MESZ); Africa, South and South-East Asia,
        // South America.
        "met": 60, "mest": 120, "mez": 60, "mesz": 120, "wat": 60, "cat": 120, "sast": 120, "eat": 180,
        "pkt": 300, "ict": 420, "wib": 420, "pht": 480, "art": -180, "brt": -180,
        // North American zones without standard or daylight (`16:31:00 ET`, as some US feeds
        // write them): standard time, as feedparser reads them.
        "at": -240, "et": -300, "ct": -360, "mt": -420, "pt": -480,
    ]

    public static func iso(_ raw: String) -> String? {
        let s = raw.trimmingWhitespace()
        if s.isEmpty { return nil }
        if let r = rfc3339(s) { return r }
        if let r = reducedPrecision(s) { return r }
        if let t = isoVariant(s), let r = rfc3339(t) { return r }
        return rfc822(s) ?? regional(s)
    }

    /// Forms that no standard covers but feeds wrote (feedparser reads them too): Korean
    /// portals' `2004-05-25 오후 11:23:17` (Nate: 오전 a.m., 오후 p.m.) and `2004년 05월 28일 01:31:15`
    /// (OnBlog: year, month and day marks), both in Korean time; Perforce's `Fri, 2006/09/15
    /// 08:19:53 EDT`; an ISO date with a month's name, `2004-július-13T9:15-05:00` (Hungarian).
    static func regional(_ s: String) -> String? {
        var parts = s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        if let f = parts.first, f.first?.isLetter == true, monthIndex(f) == nil { parts.removeFirst() }
        guard let first = parts.first else { return nil }
        let korean = 540
        // OnBlog: `2004년 05월 28일` and a 24-hour time.
        if parts.count >= 3, first.hasSuffix("년"), parts[1].hasSuffix("월"), parts[2].hasSuffix("일"),
            let y = digits(first.dropLast()), let mo = digits(parts[1].dropLast()), let d = digits(parts[2].dropLast())
        {
            guard parts.count >= 4 else { return format(y, mo, d, nil, 0, 0, offsetMinutes: 0) }
            guard let (h, mi, se) = clock(parts[3]) else { return nil }
            return format(y, mo, d, h, mi, se, offsetMinutes: korean)
        }
        // A date with dashes or slashes, then the time (Nate's with 오전 or 오후 before it).
        let ymd = first.split(separator: first.contains("/") ? "/" : "-")
        guard ymd.count == 3, ymd[0].count == 4, let y = digits(ymd[0]), let d = digits(ymd[2]) else {
            return hungarian(s)
        }
        guard let mo = digits(ymd[1]), parts.count >= 2 else { return nil }
        if parts[1] == "오전" || parts[1] == "오후", parts.count >= 3, let (h, mi, se) = clock(parts[2]),
            (1...12).contains(h)
        {
            return format(y, mo, d, h % 12 + (parts[1] == "오후" ? 12 : 0), mi, se, offsetMinutes: korean)
        }
        // Perforce: the rest as RFC 822 has it, the day and month first.
        guard first.contains("/"), (1...12).contains(mo) else { return nil }
        let tokens: [Substring] = [Substring("\(d)"), Substring(months[mo - 1]), ymd[0]] + parts.dropFirst()
        return rfc822(tokens)
    }

    /// `2004-július-13T9:15-05:00`: an ISO date and time whose month is a name, the hour
    /// perhaps of one digit.
    private static func hungarian(_ s: String) -> String? {
        let p = s.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, digits(p[0]) != nil, p[1].allSatisfy(\.isLetter),
            let mo = monthIndex(p[1]), let t = p[2].firstIndex(where: { $0 == "T" || $0 == " " }),
            let d = digits(p[2][..<t]), let colon = p[2][t...].firstIndex(of: ":"),
            let h = digits(p[2][p[2].index(after: t)..<colon])
        else { return nil }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return rfc3339("\(p[0])-\(two(mo))-\(two(d))T\(two(h))" + p[2][colon...])
    }

    /// `11:23:17` or `11:23` as hours, minutes and seconds.
    private static func clock(_ s: Substring) -> (Int, Int, Int)? {
        let t = s.split(separator: ":")
        guard t.count == 2 || t.count == 3, let h = digits(t[0]), let mi = digits(t[1]) else { return nil }
        guard t.count == 3 else { return (h, mi, 0) }
        guard let se = digits(t[2]) else { return nil }
        return (h, mi, se)
    }

    /// W3C-DTF's (and ISO 8601's) dates of reduced precision, a year or a month: `2003` and
    /// `2003-12`, as the first day of it (as feedparser reads them). A `dc:date` may be no finer.
    static func reducedPrecision(_ s: String) -> String? {
        let str = Substring(s)
        switch s.utf8.count {
        case 4:
            guard let y = digits(str), y >= 1000 else { return nil }
            return format(y, 1, 1, nil, 0, 0, offsetMinutes: 0)
        case 7:
            guard str.dropFirst(4).first == "-", let y = digits(str.prefix(4)), y >= 1000,
                let mo = digits(str.suffix(2))
            else { return nil }
            return format(y, mo, 1, nil, 0, 0, offsetMinutes: 0)
        default:
            return nil
        }
    }

    /// An ISO 8601 date written loosely, in RFC 3339's form: `2024/03/05` (slashes), a space
    /// before the offset (`2024-03-05T10:00:00 +0100`), a trailing `UTC`/`GMT`/`Z` after a space.
    static func isoVariant(_ s: String) -> String? {
        var b = Array(s.utf8)
        guard b.count >= 10, b[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var changed = false
        if b[4] == 47 && b[7] == 47 {  // `/`
            b[4] = 45
            b[7] = 45
            changed = true
        }
        guard b[4] == 45 && b[7] == 45 else { return nil }
        var t = String(decoding: b, as: UTF8.self)
        for suffix in [" UTC", " GMT", " Z", " utc", " gmt"] where t.hasSuffix(suffix) && t.count > 16 {
            t = String(t.dropLast(suffix.count)) + "Z"
            changed = true
        }
        // ` +0100` / ` -05:00` at the end.
        let u = Array(t.utf8)
        for width in [5, 6] where u.count > 17 + width {
            let at = u.count - width - 1
            if u[at] == 32 && (u[at + 1] == 43 || u[at + 1] == 45) {
                t = String(decoding: u[..<at] + u[(at + 1)...], as: UTF8.self)
                changed = true
                break
            }
        }
        return changed ? t : nil
    }

    /// A run of at most 9 ASCII digits as a number.
    private static func digits(_ s: Substring) -> Int? {
        let u = s.utf8
        guard !u.isEmpty, u.count <= 9 else { return nil }
        var v = 0
        for c in u {
            let d = c &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    private static func format(_ y: Int, _ mo: Int, _ d: Int, _ h: Int?, _ mi: Int, _ se: Int, offsetMinutes: Int)
        -> String?
    {
        // An offset of a day or more is no zone (`-99:99`): no date.
        guard (1..<10000).contains(y), (1...12).contains(mo), abs(offsetMinutes) < 1440 else { return nil }
        let dim = [
            31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ]
        // No day the month does not have (`30 Feb`): no date.
        guard d >= 1 && d <= dim[mo - 1] else { return nil }
        guard let h else { return stamp(y, mo, d, time: nil) }
        guard (0...23).contains(h), (0...59).contains(mi), (0...60).contains(se) else { return nil }
        // Shift to UTC.
        var total = ((h * 60 + mi) - offsetMinutes)
        var day = d
        var month = mo
        var year = y
        if total < 0 {
            total += 1440
            day -= 1
            if day == 0 {
                month -= 1
                if month == 0 {
                    month = 12
                    year -= 1
                }
                day = dim[month - 1]
            }
        } else if total >= 1440 {
            total -= 1440
            day += 1
            if day > dim[month - 1] {
                day = 1
                month += 1
                if month == 13 {
                    month = 1
                    year += 1
                }
            }
        }
        guard (1..<10000).contains(year) else { return nil }
        return stamp(year, month, day, time: (total / 60, total % 60, min(se, 59)))
    }

    /// `count` ASCII digits of `b` from `at` as a number (the end of `b` may cut them short).
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        let end = min(at + count, b.count)
        guard at < end else { return nil }
        var v = 0
        for k in at..<end {
            let d = b[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SSZ` with a time, written into bytes (string
    /// interpolation took most of a date's reading). The year is below 10,000.
    private static func stamp(_ y: Int, _ mo: Int, _ d: Int, time: (Int, Int, Int)?) -> String {
        var b: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &b) { raw in
            func put(_ v: Int, _ width: Int, at: Int) {
                var v = v
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    raw[k] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 4, at: 0)
            raw[4] = 45
            put(mo, 2, at: 5)
            raw[7] = 45
            put(d, 2, at: 8)
            guard let (h, mi, se) = time else { return String(decoding: raw[0..<10], as: UTF8.self) }
            raw[10] = 84
            put(h, 2, at: 11)
            raw[13] = 58
            put(mi, 2, at: 14)
            raw[16] = 58
            put(se, 2, at: 17)
            raw[19] = 90
            return String(decoding: raw[0..<20], as: UTF8.self)
        }
    }

    /// RFC 3339 (and ISO 8601's extended form): `2007-07-24`, `2007-07-24T10:15[:00[.5]]`, a `T`,
    /// `t` or space before the time, then nothing, `Z` or an offset (`+03:00`, `+0300`). Read
    /// from the UTF-8 bytes (every format's dates come here: the Character-by-Character reading
    /// took some 30,000 instructions a date).
    static func rfc3339(_ s: String) -> String? {
        var s = s
        return s.withUTF8 { b -> String? in
            let n = b.count
            guard n >= 10, b[4] == 45, b[7] == 45 else { return nil }
            func number(_ at: Int, _ count: Int) -> Int? { DateParsing.number(b, at, count) }
            guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2) else { return nil }
            if n == 10 { return format(y, mo, d, nil, 0, 0, offsetMinutes: 0) }
            guard n >= 16, b[10] == 84 || b[10] == 116 || b[10] == 32, b[13] == 58,
                let h = number(11, 2), let mi = number(14, 2)
            else { return nil }
            var i = 16
            var se = 0
            if i < n && b[i] == 58 {  // `:`
                guard let v = number(i + 1, 2) else { return nil }
                se = v
                i = min(i + 3, n)
                if i < n && b[i] == 46 {  // `.`
                    i += 1
                    while i < n && b[i] &- 48 < 10 { i += 1 }
                }
            }
            var off = 0
            if i == n || (i + 1 == n && (b[i] == 90 || b[i] == 122)) {
                off = 0
            } else if b[i] == 43 || b[i] == 45 {  // `+`, `-`
                // The offset's four digits, colons left out wherever they stand.
                var z = 0
                var count = 0
                for k in (i + 1)..<n where b[k] != 58 {
                    let dd = b[k] &- 48
                    guard dd < 10, count < 4 else { return nil }
                    z = z * 10 + Int(dd)
                    count += 1
                }
                guard count == 4, z / 100 < 24, z % 100 < 60 else { return nil }
                off = (z / 100 * 60 + z % 100) * (b[i] == 45 ? -1 : 1)
            } else {
                return nil
            }
            return format(y, mo, d, h, mi, se, offsetMinutes: off)
        }
    }

    static func rfc822(_ s: String) -> String? {
        if let r = strictRFC822(s) { return r }
        return looseRFC822(s)
    }

    /// The form nearly every feed writes, `Tue, 05 Mar 2024 10:15:00 GMT` (an English weekday and
    /// comma or none, a day of one or two digits, an English month's three letters, a
    /// four-digit year, `HH:MM:SS`, and an offset `+HHMM` or a zone name), read from the bytes;
    /// nil for anything else, which the loose reading takes (the token-by-token reading of this
    /// form took some 50,000 instructions a date: a fifth of indexing a corpus of feeds).
    static func strictRFC822(_ s: String) -> String? {
        var s = s
        return s.withUTF8 { b -> String? in
            let n = b.count
            var i = 0
            @inline(__always) func lower(_ k: Int) -> UInt32 { UInt32(b[k] | 0x20) }
            func number(_ at: Int, _ count: Int) -> Int? { DateParsing.number(b, at, count) }
            // A weekday: `Tue, `.
            if n > 5, b[3] == 0x2C, b[4] == 0x20 {
                let w = lower(0) << 16 | lower(1) << 8 | lower(2)
                guard strictWeekdays.contains(w) else { return nil }
                i = 5
            }
            // `5 ` or `05 `.
            guard i + 2 < n, var day = number(i, 1) else { return nil }
            i += 1
            if let d2 = number(i, 1) {
                day = day * 10 + d2
                i += 1
            }
            // `Mar 2024 10:15:00 ` and at least one byte of zone.
            guard i + 22 <= n, b[i] == 0x20, b[i + 4] == 0x20, b[i + 9] == 0x20, b[i + 12] == 0x3A,
                b[i + 15] == 0x3A, b[i + 18] == 0x20
            else { return nil }
            let m = lower(i + 1) << 16 | lower(i + 2) << 8 | lower(i + 3)
            guard let month = strictMonths.firstIndex(of: m), let year = number(i + 5, 4), let h = number(i + 10, 2),
                let mi = number(i + 13, 2), let se = number(i + 16, 2)
            else { return nil }
            let zone = i + 19
            var off = 0
            if n - zone == 5 && (b[zone] == 0x2B || b[zone] == 0x2D) {
                guard let hh = number(zone + 1, 2), let mm = number(zone + 3, 2), hh < 24, mm < 60 else { return nil }
                off = (hh * 60 + mm) * (b[zone] == 0x2D ? -1 : 1)
            } else {
                guard n - zone <= 4 else { return nil }
                var name = ""
                for k in zone..<n {
                    guard b[k] | 0x20 >= 0x61 && b[k] | 0x20 <= 0x7A else { return nil }
                    name.unicodeScalars.append(Unicode.Scalar(b[k] | 0x20))
                }
                guard let z = zones[name] else { return nil }
                off = z
            }
            return format(year, month + 1, day, h, mi, se, offsetMinutes: off)
        }
    }

    /// English weekdays' and months' three letters, lowercase, as `a << 16 | b << 8 | c`.
    private static let strictWeekdays: Set<UInt32> = Set(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { key3($0) })
    private static let strictMonths: [UInt32] = months.map { key3($0) }
    private static func key3(_ s: String) -> UInt32 {
        let u = Array(s.utf8)
        return UInt32(u[0]) << 16 | UInt32(u[1]) << 8 | UInt32(u[2])
    }

    static func looseRFC822(_ s: String) -> String? {
        // Tokens: optional weekday, day, month, year, time, zone. Also Reuters' 26-FEB-1987 15:01:01.79.
        var parts = s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { Substring($0) }
        if parts.count >= 1 && parts[0].contains("-") && parts[0].split(separator: "-").count == 3 {
            let dmy = parts[0].split(separator: "-")
            parts = Array(dmy) + parts.dropFirst()
        }
        guard let first = parts.first else { return nil }
        if first.first?.isLetter == true && monthIndex(first) == nil { return rfc822(Array(parts.dropFirst())) }
        // A weekday that is also a month's name (`mar.`: Tuesday in French, Spanish, Italian).
        if let r = rfc822(parts) { return r }
        return first.first?.isLetter == true ? rfc822(Array(parts.dropFirst())) : nil
    }

    private static func rfc822(_ tokens: [Substring]) -> String? {
        var parts = tokens
        guard parts.count >= 3 else { return nil }
        // The year last, after the time (C's `asctime`, Unix `date`, Twitter's `created_at`:
        // `Oct 10 20:19:24 +0000 2018`): moved before the time.
        if parts.count >= 4, parts[2].contains(":"),
            let yi = parts.indices.dropFirst(3).first(where: { parts[$0].count == 4 && digits(parts[$0]) != nil })
        {
            let year = parts.remove(at: yi)
            parts.insert(year, at: 2)
        }
        var day: Int?
        var month: Int?
        if let d = digits(parts[0].trimmingDot()), let m = monthIndex(parts[1]) {
            day = d
            month = m
        } else if let m = monthIndex(parts[0]), let d = digits(parts[1].trimmingDot()) {
            day = d
            month = m
        }
        guard let dd = day, let mm = month, var y = digits(parts[2]) else { return nil }
        if parts[2].count == 2 { y += y < 50 ? 2000 : 1900 }
        // `March 5, 2024 - 10:00`, `5 March 2024 at 10:00`.
        if parts.count >= 4 && (parts[3] == "-" || parts[3].lowercased() == "at" || parts[3] == "à") {
            parts.remove(at: 3)
        }
        guard parts.count >= 4 else { return format(y, mm, dd, nil, 0, 0, offsetMinutes: 0) }
        // A 12-hour time: `4:42 PM`, `4:42pm`.
        var time = parts[3]
        var meridiem: Substring?
        for m in ["am", "pm", "a.m.", "p.m."] where time.lowercased().hasSuffix(m) && time.count > m.count {
            meridiem = time.suffix(m.count)
            time = time.dropLast(m.count)
            break
        }
        var zoneAt = 4
        if meridiem == nil, parts.count >= 5, ["am", "pm", "a.m.", "p.m."].contains(parts[4].lowercased()) {
            meridiem = parts[4]
            zoneAt = 5
        }
        let t = time.split(separator: ":")
        guard t.count >= 2, var h = digits(t[0]), let mi = digits(t[1]) else {
            return format(y, mm, dd, nil, 0, 0, offsetMinutes: 0)
        }
        if let m = meridiem?.lowercased() {
            guard (1...12).contains(h) else { return nil }
            h = h % 12 + (m.hasPrefix("p") ? 12 : 0)
        }
        var se = 0
        if t.count >= 3, let v = digits(t[2].split(separator: ".").first ?? "") { se = v }
        var off = 0
        if parts.count > zoneAt {
            var z = parts[zoneAt]
            // `GMT+0100`, `UTC-05:00` (JavaScript's `Date.toString()`, some feeds).
            for prefix in ["GMT", "UTC", "gmt", "utc"] where z.hasPrefix(prefix) && z.count > prefix.count {
                z = z.dropFirst(prefix.count)
            }
            if let sign = z.first, sign == "+" || sign == "-" {
                let n = z.dropFirst().replacingColon()
                if n.count == 4, let hh = digits(n.prefix(2)), let m2 = digits(n.suffix(2)), hh < 24, m2 < 60 {
                    off = (hh * 60 + m2) * (sign == "-" ? -1 : 1)
                }
            } else if let v = zones[z.lowercased()] {
                off = v
            }
        }
        return format(y, mm, dd, h, mi, se, offsetMinutes: off)
    }

    /// A month's name (English, or one of `foreignMonths`) as 1…12.
    static func monthIndex(_ s: Substring) -> Int? {
        guard s.count >= 3 else { return nil }
        let l = String(s.prefix(3)).lowercased()
        if let i = months.firstIndex(of: l) { return i + 1 }
        return foreignMonths[String(s.prefix(4)).lowercased()] ?? foreignMonths[l]
    }
}

extension Substring {
    func replacingColon() -> Substring { Substring(filter { $0 != ":" }) }
    /// Without a final `.` (`5.` in `5. März 2024`).
    func trimmingDot() -> Substring { hasSuffix(".") ? dropLast() : self }
}

extension String {
    func trimmingWhitespace() -> String {
        // Most strings start and end with a visible ASCII character: nothing to trim, no copy.
        if let f = utf8.first, let l = utf8.last, (0x21...0x7E).contains(f), (0x21...0x7E).contains(l) {
            return self
        }
        var s = self[...]
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
