/// Each document's date as seconds since 1970-01-01 UTC, kept in the segment's `.len` file after
/// the lengths (8 bytes a document): `date:` filters, `--sort newest|oldest` and timelines read
/// it instead of the stored articles. Stored dates are ISO 8601 in UTC (`2007-07-24` or
/// `2007-07-24T10:15:00Z`, see `Article.date`); a date alone is its day's midnight.
public enum DateColumn {
    /// A document without a date.
    public static let undated = Int64.min

    /// Seconds of an ISO date (`YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` and a zone, which
    /// stored dates give as `Z`; another offset is applied); `undated` for nil or a malformed one.
    public static func seconds(_ iso: String?) -> Int64 {
        guard let iso else { return undated }
        var s = iso.utf8[...]
        guard let y = number(&s, digits: 4), take(&s, "-"), let mo = number(&s, digits: 2), take(&s, "-"),
            let d = number(&s, digits: 2), (1...12).contains(mo), d >= 1, d <= daysIn(year: y, month: mo)
        else { return undated }
        var t = days(year: y, month: mo, day: d) * 86_400
        guard take(&s, "T") || take(&s, " ") else { return s.isEmpty ? t : undated }
        guard let h = number(&s, digits: 2), take(&s, ":"), let mi = number(&s, digits: 2), h < 24, mi < 60 else {
            return undated
        }
        var se: Int64 = 0
        if take(&s, ":") {
            guard let v = number(&s, digits: 2), v <= 60 else { return undated }
            se = v
            if take(&s, ".") { while let c = s.first, c >= 0x30 && c <= 0x39 { s.removeFirst() } }
        }
        t += h * 3600 + mi * 60 + se
        if take(&s, "Z") || s.isEmpty { return s.isEmpty ? t : undated }
        let sign: Int64 = take(&s, "+") ? 1 : take(&s, "-") ? -1 : 0
        guard sign != 0, let oh = number(&s, digits: 2) else { return undated }
        _ = take(&s, ":")
        let om = number(&s, digits: 2) ?? 0
        return s.isEmpty ? t - sign * (oh * 3600 + om * 60) : undated
    }

    /// The seconds range of `date:FROM..TO` (each a year, a month or a day: `2007`, `2007-06`,
    /// `2007-06-15`; FROM from the start of its period, TO through the end of its period, either
    /// open; lower above upper when nothing can match), or nil when a bound is not one of those
    /// forms.
    public static func range(from: String?, to: String?) -> (lower: Int64, upper: Int64)? {
        var lo = Int64.min + 1
        var hi = Int64.max
        if let from {
            guard let p = period(from) else { return nil }
            lo = p.lowerBound
        }
        if let to {
            guard let p = period(to) else { return nil }
            hi = p.upperBound
        }
        return (lo, hi)
    }

    /// Whether `t` (seconds, or `undated`: never) lies in `r`.
    @inline(__always) static func within(_ t: Int64, _ r: (lower: Int64, upper: Int64)) -> Bool {
        t != undated && t >= r.lower && t <= r.upper
    }

    /// Whether `t` lies in one of `ranges`.
    @inline(__always) static func within(_ t: Int64, anyOf ranges: [(lower: Int64, upper: Int64)]) -> Bool {
        ranges.contains { within(t, $0) }
    }

    /// The seconds of a year, month or day given as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or of a
    /// minute or second given as an ISO time on a day (`2007-10-01T12:00`, `…T12:00:30Z`,
    /// `…T14:00+02:00`; UTC unless a zone is given, as tantivy's and Elasticsearch's RFC 3339
    /// bounds).
    static func period(_ p: String) -> ClosedRange<Int64>? {
        if let t = p.firstIndex(of: "T") {
            let start = seconds(p)
            guard start != undated, p[p.index(after: t)...].contains(":") else { return nil }
            // To the second when the seconds are written (`HH:MM:SS`), else the whole minute.
            let clock = p[p.index(after: t)...].prefix { $0 != "Z" && $0 != "+" && $0 != "-" }
            return clock.filter({ $0 == ":" }).count >= 2 ? start...start : start...start + 59
        }
        var s = p.utf8[...]
        guard let y = number(&s, digits: 4) else { return nil }
        if s.isEmpty {
            return days(year: y, month: 1, day: 1) * 86_400...days(year: y + 1, month: 1, day: 1) * 86_400 - 1
        }
        guard take(&s, "-"), let mo = number(&s, digits: 2), (1...12).contains(mo) else { return nil }
        if s.isEmpty {
            let first = days(year: y, month: mo, day: 1) * 86_400
            return first...first + daysIn(year: y, month: mo) * 86_400 - 1
        }
        guard take(&s, "-"), let d = number(&s, digits: 2), d >= 1, d <= daysIn(year: y, month: mo), s.isEmpty else {
            return nil
        }
        let start = days(year: y, month: mo, day: d) * 86_400
        return start...start + 86_399
    }

    static func daysIn(year: Int64, month: Int64) -> Int64 {
        let next = month == 12 ? days(year: year + 1, month: 1, day: 1) : days(year: year, month: month + 1, day: 1)
        return next - days(year: year, month: month, day: 1)
    }

    /// A date relative to `now` (seconds) as the day it names, `YYYY-MM-DD` in UTC:
    /// Elasticsearch's date math in whole days — `now` (or `today`), `yesterday`, and `now-7d`,
    /// `now-2w`, `now-3M` (months), `now-1y`, or `+` for days ahead (a month or year from the
    /// 31st is the last day of its month). Nil for any other text.
    public static func relativeDay(_ text: String, now: Int64) -> String? {
        let t = text.lowercased()
        let today = day(now)
        let base = days(year: today.year, month: today.month, day: today.day)
        if t == "now" || t == "today" { return isoDay(base * 86_400) }
        if t == "yesterday" { return isoDay((base - 1) * 86_400) }
        guard t.hasPrefix("now"), text.count >= 5 else { return nil }
        let rest = Array(text.utf8.dropFirst(3))
        guard rest[0] == UInt8(ascii: "-") || rest[0] == UInt8(ascii: "+") else { return nil }
        let sign: Int64 = rest[0] == UInt8(ascii: "-") ? -1 : 1
        let digits = rest.dropFirst().prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty, digits.count <= 6, rest.count == 2 + digits.count,
            let n = Int64(String(decoding: digits, as: UTF8.self))
        else { return nil }
        switch rest.last! {
        case UInt8(ascii: "d"), UInt8(ascii: "D"): return isoDay((base + sign * n) * 86_400)
        case UInt8(ascii: "w"), UInt8(ascii: "W"): return isoDay((base + sign * 7 * n) * 86_400)
        case UInt8(ascii: "M"), UInt8(ascii: "y"), UInt8(ascii: "Y"):
            let months = (rest.last! == UInt8(ascii: "M") ? 1 : 12) * sign * n
            let total = today.year * 12 + (today.month - 1) + months
            let y = floorDiv(total, 12)
            let m = total - y * 12 + 1
            guard y >= 0 && y <= 9999 else { return nil }
            return isoDay(days(year: y, month: m, day: min(today.day, daysIn(year: y, month: m))) * 86_400)
        default: return nil
        }
    }

    /// Days since 1970-01-01 of `seconds` (rounded down, before 1970 too).
    public static func dayIndex(_ seconds: Int64) -> Int64 { floorDiv(seconds, 86_400) }

    /// `seconds` as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
    public static func isoTime(_ seconds: Int64) -> String {
        let s = seconds - dayIndex(seconds) * 86_400
        func pad(_ v: Int64) -> String { v < 10 ? "0\(v)" : String(v) }
        return isoDay(seconds) + "T\(pad(s / 3600)):\(pad(s / 60 % 60)):\(pad(s % 60))Z"
    }

    /// The UTC day of `seconds` as `YYYY-MM-DD`.
    public static func isoDay(_ seconds: Int64) -> String {
        let c = day(seconds)
        func pad(_ v: Int64, _ w: Int) -> String {
            String(repeating: "0", count: max(0, w - String(v).count)) + String(v)
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// The UTC calendar day of `seconds`: (year, month, day).
    public static func day(_ seconds: Int64) -> (year: Int64, month: Int64, day: Int64) {
        // Howard Hinnant's civil_from_days.
        let z = floorDiv(seconds, 86_400) + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func number(_ s: inout Substring.UTF8View, digits: Int) -> Int64? {
        var v: Int64 = 0
        for _ in 0..<digits {
            guard let c = s.first, c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
            s.removeFirst()
        }
        return v
    }

    private static func take(_ s: inout Substring.UTF8View, _ c: Unicode.Scalar) -> Bool {
        guard s.first == UInt8(ascii: c) else { return false }
        s.removeFirst()
        return true
    }
}
