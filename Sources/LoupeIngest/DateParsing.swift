/// Normalises the dates found in feeds and newswires to ISO 8601 (UTC when a time is given):
/// RFC 822/1123 (`Tue, 24 Jul 2007 10:15:00 GMT`, `+0300`, `EDT`), RFC 3339 / ISO 8601
/// (`2007-07-24T10:15:00+03:00`, `2007-07-24`), and Reuters' `26-FEB-1987 15:01:01.79`.
public enum DateParsing {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "gmt": 0, "ut": 0, "utc": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "bst": 60,
    ]

    public static func iso(_ raw: String) -> String? {
        let s = raw.trimmingWhitespace()
        if s.isEmpty { return nil }
        if let r = rfc3339(s) { return r }
        return rfc822(s)
    }

    private static func digits(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }

    private static func format(_ y: Int, _ mo: Int, _ d: Int, _ h: Int?, _ mi: Int, _ se: Int, offsetMinutes: Int)
        -> String?
    {
        guard (1..<10000).contains(y), (1...12).contains(mo) else { return nil }
        let dim = [
            31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ]
        // No day the month does not have (`30 Feb`): no date.
        guard d >= 1 && d <= dim[mo - 1] else { return nil }
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        func p4(_ v: Int) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }
        guard let h else { return "\(p4(y))-\(p2(mo))-\(p2(d))" }
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
        return "\(p4(year))-\(p2(month))-\(p2(day))T\(p2(total / 60)):\(p2(total % 60)):\(p2(min(se, 59)))Z"
    }

    static func rfc3339(_ s: String) -> String? {
        let b = Array(s.utf8)
        guard b.count >= 10, b[4] == 45, b[7] == 45 else { return nil }
        let str = Substring(s)
        guard let y = digits(str.prefix(4)), let mo = digits(str.dropFirst(5).prefix(2)),
            let d = digits(str.dropFirst(8).prefix(2))
        else { return nil }
        if b.count == 10 { return format(y, mo, d, nil, 0, 0, offsetMinutes: 0) }
        guard b.count >= 16, b[10] == 84 || b[10] == 116 || b[10] == 32, b[13] == 58,
            let h = digits(str.dropFirst(11).prefix(2)), let mi = digits(str.dropFirst(14).prefix(2))
        else { return nil }
        var rest = str.dropFirst(16)
        var se = 0
        if rest.hasPrefix(":") {
            guard let v = digits(rest.dropFirst().prefix(2)) else { return nil }
            se = v
            rest = rest.dropFirst(3)
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                while let c = rest.first, c.isNumber { rest = rest.dropFirst() }
            }
        }
        var off = 0
        if rest.isEmpty || rest == "Z" || rest == "z" {
            off = 0
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            let z = rest.dropFirst().replacingColon()
            guard z.count == 4, let hh = digits(z.prefix(2)), let mm = digits(z.suffix(2)) else { return nil }
            off = (hh * 60 + mm) * (sign == "-" ? -1 : 1)
        } else {
            return nil
        }
        return format(y, mo, d, h, mi, se, offsetMinutes: off)
    }

    static func rfc822(_ s: String) -> String? {
        // Tokens: optional weekday, day, month, year, time, zone. Also Reuters' 26-FEB-1987 15:01:01.79.
        var parts = s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { Substring($0) }
        if parts.count >= 1 && parts[0].contains("-") && parts[0].split(separator: "-").count == 3 {
            let dmy = parts[0].split(separator: "-")
            parts = Array(dmy) + parts.dropFirst()
        }
        if let f = parts.first, f.first?.isLetter == true, monthIndex(f) == nil { parts.removeFirst() }
        guard parts.count >= 3 else { return nil }
        var day: Int?
        var month: Int?
        if let d = digits(parts[0]), let m = monthIndex(parts[1]) {
            day = d
            month = m
        } else if let m = monthIndex(parts[0]), let d = digits(parts[1]) {
            day = d
            month = m
        }
        guard let dd = day, let mm = month, var y = digits(parts[2]) else { return nil }
        if parts[2].count == 2 { y += y < 50 ? 2000 : 1900 }
        guard parts.count >= 4 else { return format(y, mm, dd, nil, 0, 0, offsetMinutes: 0) }
        let t = parts[3].split(separator: ":")
        guard t.count >= 2, let h = digits(t[0]), let mi = digits(t[1]) else {
            return format(y, mm, dd, nil, 0, 0, offsetMinutes: 0)
        }
        var se = 0
        if t.count >= 3, let v = digits(t[2].split(separator: ".").first ?? "") { se = v }
        var off = 0
        if parts.count >= 5 {
            let z = parts[4]
            if let sign = z.first, sign == "+" || sign == "-", z.count == 5, let hh = digits(z.dropFirst().prefix(2)),
                let m2 = digits(z.suffix(2))
            {
                off = (hh * 60 + m2) * (sign == "-" ? -1 : 1)
            } else if let v = zones[z.lowercased()] {
                off = v
            }
        }
        return format(y, mm, dd, h, mi, se, offsetMinutes: off)
    }

    private static func monthIndex(_ s: Substring) -> Int? {
        guard s.count >= 3 else { return nil }
        let l = String(s.prefix(3)).lowercased()
        return months.firstIndex(of: l).map { $0 + 1 }
    }
}

extension Substring {
    func replacingColon() -> Substring { Substring(filter { $0 != ":" }) }
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
