import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text in charsets other than UTF-8 and Latin-1, through the C library's iconv: a mail part's
/// or an encoded word's declared charset (`ISO-2022-JP`, `KOI8-R`, `windows-1251`, `GB2312`…),
/// and undeclared text in a legacy East Asian encoding (`legacyEastAsian`).
enum Charsets {
    /// `bytes` decoded from `charset` (any name iconv knows); a sequence invalid in it becomes
    /// U+FFFD and decoding goes on after its first byte. Nil when iconv does not know the name,
    /// or with `strict` at the first invalid sequence (a sequence cut by the end is dropped).
    static func decode<C: Collection>(_ bytes: C, charset: String, strict: Bool = false) -> String?
    where C.Element == UInt8 {
        let name = charset.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
        guard !name.isEmpty, name.utf8.count < 64 else { return nil }
        let cd = iconv_open("UTF-8", name)
        guard let cd, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 2 + 16)
        // Sized to the input: a short run must not clear 64 KB each time (E2BIG takes another turn).
        var chunk = [UInt8](repeating: 0, count: min(1 << 16, input.count * 4 + 16))
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var ok = true
        input.withUnsafeMutableBufferPointer { inb in
            chunk.withUnsafeMutableBufferPointer { outb in
                var inPtr: UnsafeMutablePointer<CChar>? = inb.baseAddress.map {
                    UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
                }
                var inLeft = inb.count
                while true {
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outb.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outb.count
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    out.append(contentsOf: outb[0..<(outb.count - outLeft)])
                    if r != -1 {
                        if inLeft == 0 { break }
                        continue
                    }
                    switch errno {
                    case E2BIG:
                        continue  // the output chunk is full: go on
                    case EILSEQ:
                        if strict {
                            ok = false
                            return
                        }
                        out.append(contentsOf: replacement)
                        inPtr = inPtr.map { $0 + 1 }
                        inLeft -= 1
                        _ = iconv(cd, nil, nil, nil, nil)  // back to the initial shift state
                        if inLeft == 0 { return }
                    default:  // EINVAL: an incomplete sequence at the end
                        if !strict { out.append(contentsOf: replacement) }
                        return
                    }
                }
            }
        }
        return ok ? String(decoding: out, as: UTF8.self) : nil
    }

    /// The legacy East Asian encodings tried for undeclared text, in iconv's names.
    static let eastAsian: [(iconv: String, label: String)] = [
        ("CP932", "Shift_JIS"), ("EUC-JP", "EUC-JP"), ("EUC-KR", "EUC-KR"), ("GB18030", "GB18030"), ("BIG5", "Big5"),
    ]

    /// Undeclared text that is not UTF-8 but reads as Japanese (Shift_JIS, EUC-JP), Korean
    /// (EUC-KR) or Chinese (GB18030, Big5): the encoding's label, or nil. Each candidate must
    /// decode the first 64 KB without an invalid sequence and then look like the language:
    /// kana for Japanese, Hangul for Korean, the commonest simplified or traditional Chinese
    /// characters for Chinese (any byte string decodes as GB18030: its characters must also be
    /// the usual ones). Texts with few bytes above 0x7F (Latin-1 with accents) are not tried.
    static func legacyEastAsian(_ b: ArraySlice<UInt8>) -> String? {
        let sample = b.prefix(1 << 16)
        var high = 0
        for x in sample {
            if x == 0 { return nil }
            if x >= 0x80 { high += 1 }
        }
        guard high >= 8, high * 5 >= sample.count else { return nil }
        var best: (label: String, score: Double)?
        for (name, label) in eastAsian {
            guard let text = decode(sample, charset: name, strict: true) else { continue }
            var nonASCII = 0
            var kana = 0
            var hangul = 0
            var simplified = 0
            var traditional = 0
            for u in text.unicodeScalars where u.value >= 0x80 {
                nonASCII += 1
                switch u.value {
                case 0x3041...0x30FF: kana += 1
                case 0xAC00...0xD7A3: hangul += 1
                default:
                    if commonSimplified.contains(u) { simplified += 1 }
                    if commonTraditional.contains(u) { traditional += 1 }
                }
            }
            guard nonASCII > 0 else { continue }
            let n = Double(nonASCII)
            let score: Double
            switch label {
            case "Shift_JIS", "EUC-JP": score = Double(kana) / n >= 0.15 ? 2 + Double(kana) / n : 0
            case "EUC-KR": score = Double(hangul) / n >= 0.6 ? 2 + Double(hangul) / n : 0
            case "GB18030": score = Double(simplified) / n >= 0.12 ? 1 + Double(simplified) / n : 0
            default: score = Double(traditional) / n >= 0.12 ? 1 + Double(traditional) / n : 0
            }
            if score > 0 && score > (best?.score ?? 0) { best = (label, score) }
        }
        return best?.label
    }

    /// The iconv name of a label of `eastAsian` or `cyrillic`.
    static func iconvName(_ label: String) -> String {
        (eastAsian + cyrillic).first { $0.label == label }?.iconv ?? label
    }

    /// The single-byte Cyrillic encodings tried for undeclared text.
    static let cyrillic: [(iconv: String, label: String)] = [("CP1251", "windows-1251"), ("KOI8-R", "KOI8-R")]

    /// Undeclared Russian, Ukrainian or Bulgarian text in windows-1251 or KOI8-R: the label, or
    /// nil. Most of its bytes are above 0x7F (Latin-1 prose has a few accents), and read in the
    /// right encoding nearly all of them are Cyrillic letters, mostly lower case (read in the
    /// other, the cases swap: KOI8-R's lower case is windows-1251's upper case).
    static func legacyCyrillic(_ b: ArraySlice<UInt8>) -> String? {
        let sample = b.prefix(1 << 16)
        var high = 0
        var letters = 0
        for x in sample {
            if x == 0 { return nil }
            if x >= 0x80 {
                high += 1
            } else if (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A {
                letters += 1
            }
        }
        guard high >= 8, high >= 2 * letters else { return nil }
        var best: (label: String, score: Double)?
        for (name, label) in cyrillic {
            guard let text = decode(sample, charset: name, strict: true) else { continue }
            var nonASCII = 0
            var lower = 0
            var late = 0
            for u in text.unicodeScalars where u.value >= 0x80 {
                nonASCII += 1
                if (0x0430...0x045F).contains(u.value) { lower += 1 }
                if (0x044B...0x044F).contains(u.value) { late += 1 }
            }
            guard nonASCII > 0 else { continue }
            // Russian, Ukrainian and Bulgarian write ы, ь, э, ю or я every few words; Hebrew in
            // windows-1255 reads in windows-1251 as the letters а to ъ alone.
            if nonASCII >= 50 && late * 100 < nonASCII { continue }
            let score = Double(lower) / Double(nonASCII)
            if score >= 0.6 && score > (best?.score ?? 0) { best = (label, score) }
        }
        return best?.label
    }

    // Some of the commonest characters of Chinese prose, simplified and traditional (where the
    // two differ the sets differ): what every Chinese text is full of, and a mis-decoded one
    // rarely is.
    static let commonSimplified = Set(
        "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
            .unicodeScalars)
    static let commonTraditional = Set(
        "的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長"
            .unicodeScalars)
}
