/// Turns HTML (or text with HTML entities) into plain text: tags removed (`script` and `style`
/// contents too), block tags become line breaks, entities decoded, whitespace collapsed.
public enum HTMLText {
    public static func plain(_ html: String) -> String {
        guard html.contains("<") || html.contains("&") else { return collapse(html) }
        var out = String.UnicodeScalarView()
        let s = Array(html.unicodeScalars)
        var i = 0
        var skipUntil: String?
        while i < s.count {
            let c = s[i]
            if c == "<" {
                // Find the tag end.
                var j = i + 1
                while j < s.count && s[j] != ">" { j += 1 }
                if j >= s.count {
                    if skipUntil == nil { out.append(c) }
                    i += 1
                    continue
                }
                var name = ""
                var k = i + 1
                let closing = k < s.count && s[k] == "/"
                if closing { k += 1 }
                while k < j, s[k].properties.isAlphabetic || ("0"..."9").contains(s[k]) {
                    name.unicodeScalars.append(s[k])
                    k += 1
                }
                name = name.lowercased()
                if name.isEmpty && !closing && !(i + 1 < s.count && (s[i + 1] == "!" || s[i + 1] == "?")) {
                    // Not a tag: a literal '<'.
                    if skipUntil == nil { out.append(c) }
                    i += 1
                    continue
                }
                if let skip = skipUntil {
                    if closing && name == skip { skipUntil = nil }
                } else if !closing && (name == "script" || name == "style") {
                    skipUntil = name
                } else if ["p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"].contains(name) {
                    out.append("\n")
                } else {
                    out.append(" ")
                }
                i = j + 1
                continue
            }
            if skipUntil != nil {
                i += 1
                continue
            }
            if c == "&" {
                var j = i + 1
                while j < s.count && j - i <= 32 && s[j] != ";" && s[j] != "&" && s[j] != "<" && !s[j].properties.isWhitespace {
                    j += 1
                }
                if j < s.count && s[j] == ";" {
                    let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                    if let d = decodeEntity(name) {
                        out.append(contentsOf: d.unicodeScalars)
                        i = j + 1
                        continue
                    }
                }
            }
            out.append(c)
            i += 1
        }
        return collapse(String(out))
    }

    static func decodeEntity(_ name: String) -> String? {
        if name.hasPrefix("#") {
            let body = name.dropFirst()
            let v: UInt32?
            if body.hasPrefix("x") || body.hasPrefix("X") {
                v = UInt32(body.dropFirst(), radix: 16)
            } else {
                v = UInt32(body, radix: 10)
            }
            guard let code = v, let u = Unicode.Scalar(code), code != 0 else { return nil }
            return String(u)
        }
        return named[name]
    }

    /// Whitespace runs become one space, except that line breaks are kept (one at most in a row).
    static func collapse(_ s: String) -> String {
        var out = ""
        var pendingSpace = false
        var pendingBreak = false
        for u in s.unicodeScalars {
            if u == "\n" || u == "\r" {
                pendingBreak = true
            } else if u.properties.isWhitespace {
                pendingSpace = true
            } else {
                if !out.isEmpty {
                    if pendingBreak { out += "\n" } else if pendingSpace { out += " " }
                }
                pendingBreak = false
                pendingSpace = false
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// HTML named entities common in feeds (the Latin-1 set and typographic ones).
    static let named: [String: String] = {
        var m: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
            "ndash": "\u{2013}", "mdash": "\u{2014}", "lsquo": "\u{2018}", "rsquo": "\u{2019}",
            "sbquo": "\u{201A}", "ldquo": "\u{201C}", "rdquo": "\u{201D}", "bdquo": "\u{201E}",
            "hellip": "\u{2026}", "bull": "\u{2022}", "euro": "\u{20AC}", "trade": "\u{2122}",
            "dagger": "\u{2020}", "Dagger": "\u{2021}", "permil": "\u{2030}", "lsaquo": "\u{2039}",
            "rsaquo": "\u{203A}", "oelig": "\u{153}", "OElig": "\u{152}", "scaron": "\u{161}",
            "Scaron": "\u{160}", "Yuml": "\u{178}", "fnof": "\u{192}", "circ": "\u{2C6}", "tilde": "\u{2DC}",
            "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        ]
        let latin1 = [
            "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not",
            "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil",
            "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
            "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave",
            "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
            "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
            "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml",
            "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
            "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
        ]
        for (k, name) in latin1.enumerated() { m[name] = String(Unicode.Scalar(UInt32(0xA1 + k))!) }
        return m
    }()
}
