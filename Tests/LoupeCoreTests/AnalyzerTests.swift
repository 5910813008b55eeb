import Testing

@testable import LoupeCore

struct AnalyzerTests {
    /// The ASCII word bytes (a bit mask) are exactly the letters and digits.
    @Test func asciiWordBytesAreLettersAndDigits() {
        for b in UInt8(0)..<128 {
            let c = Character(Unicode.Scalar(b))
            #expect(Analyzer.isASCIIWordByte(b) == (c.isLetter || c.isNumber), "\(b)")
        }
    }

    @Test func lowercasesAndSplitsOnPunctuation() {
        let a = Analyzer(.english)
        #expect(
            a.terms("Green Zone, heavily-fortified (Baghdad)!") == ["green", "zone", "heavily", "fortified", "baghdad"])
    }

    @Test func positionsAndByteOffsets() {
        let a = Analyzer(.english)
        var toks: [(String, Int32, Int, Int)] = []
        a.analyze("Iraq — café talks") { t in
            toks.append((String(decoding: t.term, as: UTF8.self), t.position, t.start, t.end))
        }
        #expect(toks.map(\.0) == ["iraq", "cafe", "talks"])
        #expect(toks.map(\.1) == [0, 1, 2])
        // "Iraq — " is 4 + 1 + 3 (em dash) + 1 bytes; "café" is 5 bytes.
        #expect(toks[1].2 == 9 && toks[1].3 == 14)
    }

    @Test func foldsDiacriticsInNFCAndNFD() {
        let a = Analyzer(.english)
        #expect(a.terms("Café") == ["cafe"])
        #expect(a.terms("Cafe\u{301}") == ["cafe"])
        #expect(a.terms("MÜNCHEN São Zürich") == ["munchen", "sao", "zurich"])
    }

    @Test func dropsEnglishPossessive() {
        let a = Analyzer(.english)
        #expect(
            a.terms("Iran's nuclear programme and Maliki’s office") == [
                "iran", "nuclear", "programme", "and", "maliki", "office",
            ])
        // Not a possessive: "'s" followed by more letters.
        #expect(a.terms("it'sy") == ["it", "sy"])
    }

    /// `C++`, `C#`, `Disney+`: one to three `+` or `#` after a word ending in a letter, before no
    /// word character, stay on the word (English only; the peers' plain analysis drops them).
    @Test func plusAndHashSuffixesStayOnTheirWord() {
        let a = Analyzer(.english)
        #expect(
            a.terms("C++ and C# on Disney+, rated AA+; C+++ (notepad++)") == [
                "c++", "and", "c#", "on", "disney+", "rated", "aa+", "c+++", "notepad++",
            ])
        // Not suffixes: a word character follows, four or more, after a digit, or no word before.
        #expect(
            a.terms("a+b C++11 C++++ x+#+y 10+ years #1 + c") == [
                "a", "b", "c", "11", "c", "x", "y", "10", "years", "1", "c",
            ])
        // A possessive after the suffix is dropped, as after a word.
        #expect(a.terms("Disney+'s and Disney+’s growth") == ["disney+", "and", "disney+", "growth"])
        var spans: [(Int, Int)] = []
        a.analyze("in C++ code") { spans.append(($0.start, $0.end)) }
        #expect(spans.map(\.0) == [0, 3, 7] && spans.map(\.1) == [2, 6, 11])
        #expect(Analyzer(.plain).terms("C++ C# Disney+") == ["c", "c", "disney"])
        // The stem of such a word is the bare word's: `disney` finds `Disney+`.
        let stemmer = EnglishStemmer()
        #expect(stemmer.stemUnified(Array("disney+".utf8)) == Array("disney".utf8))
        #expect(stemmer.stemUnified(Array("languages#".utf8)) == Array("languag".utf8))
        #expect(stemmer.stemUnified(Array("c++".utf8)) == Array("c".utf8))
    }

    /// Two words joined by one hyphen, or initials joined by dots, make the word written closed
    /// up (the index counts it too, in the stem space), unless both parts are digits, a part is
    /// CJK, the compound has more parts or the word is a function word.
    @Test func hyphenatedPairsCloseUpIntoOneWord() {
        let a = Analyzer(.english)
        func closed(_ s: String) -> String? { a.closedCompound(of: s).map { String(decoding: $0, as: UTF8.self) } }
        #expect(closed("cease-fire") == "ceasefire")
        #expect(closed("E-mail") == "email")
        #expect(closed("co\u{2010}operation") == "cooperation")  // U+2010 HYPHEN
        #expect(closed("F-16") == "f16")
        #expect(closed("Covid-19") == "covid19")
        #expect(closed("Ré-union") == "reunion")
        #expect(closed("2-1") == nil)  // a score, not 21
        #expect(closed("state-of-the-art") == nil)
        #expect(closed("ceasefire") == nil)
        #expect(closed("cease fire") == nil)
        #expect(closed("cease--fire") == nil)
        #expect(closed("cease–fire") == nil)  // an en dash joins ranges, not words
        #expect(closed("nytimes.com") == nil)
        #expect(closed("東京-大阪") == nil)
        #expect(closed("C++-style") == nil)
        #expect(closed("in-to") == nil)  // a function word would swell its postings
        // Initials joined by dots close up too, but for function words.
        #expect(closed("U.K.") == "uk")
        #expect(closed("F.B.I.") == "fbi")
        #expect(closed("U.K") == "uk")
        #expect(closed("U.S.") == nil)
        #expect(closed("a.m.") == nil)
        #expect(closed("Ph.D.") == nil)
        #expect(closed("U.K.-based") == nil)
        // The compound goes on when a word character follows its next hyphen.
        let text = Array("a-b-c x-y- z".utf8)
        text.withUnsafeBufferPointer { b in
            #expect(Analyzer.hyphenContinues(b.baseAddress!, at: 1, b.count))
            #expect(!Analyzer.hyphenContinues(b.baseAddress!, at: 5, b.count))
            #expect(!Analyzer.hyphenContinues(b.baseAddress!, at: 9, b.count))
            #expect(Analyzer.isHyphenJoin(b.baseAddress!, from: 7, to: 8))
            #expect(!Analyzer.isHyphenJoin(b.baseAddress!, from: 9, to: 11))
        }
    }

    /// A number written with thousands separators is also the number without them: a first
    /// group of one to three digits, then groups of three.
    @Test func numbersWithThousandsSeparatorsCloseUp() {
        let a = Analyzer(.english)
        func closed(_ s: String) -> String? { a.closedCompound(of: s).map { String(decoding: $0, as: UTF8.self) } }
        #expect(closed("1,500") == "1500")
        #expect(closed("2,000,000") == "2000000")
        #expect(closed("999,999") == "999999")
        #expect(closed("1,5") == nil)  // a decimal comma, or a list
        #expect(closed("1234,567") == nil)
        #expect(closed("1,5000") == nil)
        #expect(closed("1,500.75") == nil)  // not only groups
        #expect(closed("a1,500") == nil)
        #expect(closed("$1,500") == "1500")  // after a currency sign
        #expect(closed("£2,000") == "2000")
        #expect(closed("€2,000,000") == "2000000")
        #expect(closed("é1,500") == nil)  // after a letter
        #expect(closed("1500") == nil)
        let text = Array("1,500,000 x 12.5,000 y 1,2345".utf8)
        text.withUnsafeBufferPointer { b in
            let base = b.baseAddress!
            #expect(Analyzer.digitGroupContinues(base, at: 1, b.count))
            #expect(Analyzer.digitGroupContinues(base, at: 5, b.count))
            #expect(!Analyzer.digitGroupContinues(base, at: 9, b.count))
            #expect(!Analyzer.digitGroupContinues(base, at: 24, b.count))  // four digits follow
            #expect(Analyzer.leadingDigitGroup(base, endingAt: 1) == 0)
            #expect(Analyzer.leadingDigitGroup(base, endingAt: 16) == nil)  // `12.5`: after a dot
        }
    }

    /// An acronym spelt like a function word (`US`, `U.S.`, `IT`, `WHO`) is its capitals in the
    /// stem space, a word in capitals only beside a word with lower-case letters, and a query word
    /// only as typed in capitals.
    @Test func acronymsSpeltLikeFunctionWords() {
        func acronym(_ s: String) -> String? { Analyzer.typedAcronym(s).map { String(decoding: $0, as: UTF8.self) } }
        #expect(acronym("US") == "US")
        #expect(acronym("U.S.") == "US")
        #expect(acronym("U.S") == "US")
        #expect(acronym("IT") == "IT")
        #expect(acronym("WHO") == "WHO")
        #expect(acronym("us") == nil)  // lower case: the word
        #expect(acronym("Us") == nil)
        #expect(acronym("u.s.") == nil)
        #expect(acronym("UK") == nil)  // not a function word: `UK` and `U.K.` are `uk` already
        #expect(acronym("NASA") == nil)
        #expect(acronym("U..S") == nil)
        #expect(acronym("US.") == nil)
        #expect(acronym("THEMSELVES") == nil)  // two to four letters
        #expect(Analyzer.acronymTerm(Array("who".utf8)) == Array("WHO".utf8))
        #expect(Analyzer.acronymTerm(Array("uk".utf8)) == nil)
        func beside(_ s: String, _ word: String) -> Bool {
            let b = Array(s.utf8)
            let r = s.range(of: word)!
            let start = s.utf8.distance(from: s.startIndex, to: r.lowerBound)
            return b.withUnsafeBufferPointer {
                Analyzer.hasLowerCaseNeighbour($0.baseAddress!, start, start + word.utf8.count, b.count)
            }
        }
        #expect(beside("Stocks rose in US markets.", "US"))
        #expect(beside("US: stocks rose", "US"))
        #expect(beside("after 2025 US elections", "US"))
        #expect(!beside("US SAYS IT WILL ACT", "US"))
        #expect(!beside("US SAYS IT WILL ACT", "IT"))
        #expect(!beside("US", "US"))
        #expect(!beside("BANKS -- US -- 12,000,000 units", "US"))  // more than 8 bytes to a word
    }

    /// Invisible format characters — a soft hyphen, zero-width (non-)joiners, the word joiner, a
    /// byte-order mark, direction marks — are passed over inside words (UAX #29's WB4); the
    /// zero-width space still separates. The plain analyzer (the peers') splits at all of them.
    @Test func invisibleFormatCharactersDoNotSplitWords() {
        let a = Analyzer(.english)
        #expect(a.terms("phys\u{AD}i\u{AD}cal cease\u{AD}fire") == ["physical", "ceasefire"])
        #expect(a.terms("a\u{200D}b c\u{200C}d e\u{2060}f g\u{FEFF}h i\u{200E}j") == ["ab", "cd", "ef", "gh", "ij"])
        #expect(a.terms("\u{AD}lead trail\u{AD} \u{AD} x") == ["lead", "trail", "x"])
        #expect(a.terms("word\u{200B}break") == ["word", "break"])
        #expect(a.terms("Iran’s\u{AD} plan") == ["iran", "plan"])
        var spans: [(Int, Int)] = []
        a.analyze("go phys\u{AD}ical") { spans.append(($0.start, $0.end)) }
        #expect(spans.map(\.0) == [0, 3] && spans.map(\.1) == [2, 13])
        #expect(Analyzer(.plain).terms("phys\u{AD}ical a\u{200D}b") == ["phys", "ical", "a", "b"])
    }

    @Test func plainAnalyzerKeepsDiacriticsAndSplitsMarks() {
        let a = Analyzer(.plain)
        #expect(a.terms("Café Iran's") == ["café", "iran", "s"])
        // A combining mark is not a letter: it separates in the benchmark's tokenizer.
        #expect(a.terms("cafe\u{301}x") == ["cafe", "x"])
    }

    @Test func numbersAndNonLatinScripts() {
        let a = Analyzer(.english)
        #expect(a.terms("1980 444 days 2½") == ["1980", "444", "days", "2½"])
        #expect(a.terms("東京 Москва") == ["東京", "москва"])
    }

    /// Chinese, Japanese and Korean runs become overlapping character pairs (a lone character
    /// itself), with consecutive positions and each pair's byte range; Latin words around them
    /// stay words. The plain analyzer keeps whole runs (the peers' benchmark tokenizer).
    @Test func cjkRunsBecomeCharacterPairs() {
        let a = Analyzer(.english)
        #expect(a.terms("東京都") == ["東京", "京都"])
        #expect(a.terms("今日の東京は晴れ。") == ["今日", "日の", "の東", "東京", "京は", "は晴", "晴れ"])
        #expect(a.terms("中 iPhone手机 서울에서") == ["中", "iphone", "手机", "서울", "울에", "에서"])
        #expect(a.terms("人々") == ["人々"])
        // Half-width katakana folds to full width; 2½ keeps its fraction (not "212").
        #expect(a.terms("ｶﾀｶﾅ") == a.terms("カタカナ"))
        var toks: [(String, Int32, Int, Int)] = []
        a.analyze("ab 東京都 cd") { t in
            toks.append((String(decoding: t.term, as: UTF8.self), t.position, t.start, t.end))
        }
        #expect(toks.map(\.0) == ["ab", "東京", "京都", "cd"])
        #expect(toks.map(\.1) == [0, 1, 2, 3])
        #expect(toks[1].2 == 3 && toks[1].3 == 9 && toks[2].2 == 6 && toks[2].3 == 12)
        #expect(Analyzer(.plain).terms("東京都 中") == ["東京都", "中"])
    }

    /// Thai (and Lao, Myanmar, Khmer) runs become pairs too, each vowel or tone mark kept on its
    /// letter, so a word inside a run is found by its pairs.
    @Test func thaiRunsBecomePairsWithTheirMarks() {
        let a = Analyzer(.english)
        #expect(a.terms("กรุงเทพ") == ["กรุ", "รุง", "งเ", "เท", "ทพ"])
        let sentence = a.terms("ข่าวกรุงเทพวันนี้")
        let word = a.terms("กรุงเทพ")
        let at = sentence.firstIndex(of: word[0]) ?? -1
        #expect(at >= 0 && Array(sentence[at..<(at + word.count)]) == word, "\(sentence)")
        #expect(a.terms("ข่าว").first == "ข่า")  // the tone mark stays
    }

    /// Compatibility forms and letters without a decomposition fold as readers type them.
    @Test func foldsCompatibilityFormsAndPlainLetters() {
        let a = Analyzer(.english)
        #expect(
            a.terms("Straße STRAẞE Søren Æsir Œuvre Łódź Đorđe Þór ﬁnance Ｂ２ ı") == [
                "strasse", "strasse", "soren", "aesir", "oeuvre", "lodz", "dorde", "thor", "finance", "b2", "i",
            ])
        #expect(a.terms("x² ½") == ["x2", "½"])
        #expect(Analyzer(.plain).terms("Straße ﬁ") == ["straße", "ﬁ"])
    }

    @Test func invalidUTF8SeparatesWords() {
        let a = Analyzer(.english)
        let bytes: [UInt8] =
            Array("abc".utf8) + [0xFF] + Array("def".utf8) + [0xC3] + Array("ghi".utf8) + [0xED, 0xA0, 0x80]
        var terms: [String] = []
        bytes.withUnsafeBufferPointer { b in
            a.analyze(b) { terms.append(String(decoding: $0.term, as: UTF8.self)) }
        }
        #expect(terms == ["abc", "def", "ghi"])
    }

    @Test func overlongTokensAreDropped() {
        let a = Analyzer(.english)
        let long = String(repeating: "x", count: 5000)
        #expect(a.terms("head \(long) tail") == ["head", "tail"])
        var positions: [Int32] = []
        a.analyze("head \(long) tail") { positions.append($0.position) }
        #expect(positions == [0, 1])
    }

    /// The eight-bytes-at-a-time ASCII path gives what the byte-wise rules say: random ASCII text
    /// (letters of both cases, digits, separators, apostrophes) against a plain reference
    /// tokenizer, every run length and alignment, terms of 254–256 bytes around the limit.
    @Test func asciiRunsMatchAByteWiseReference() {
        let alphabet = Array("aZk9Q0m ,.-'\n\tXyz".utf8)
        var state: UInt64 = 12345
        func rnd(_ k: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(k))
        }
        func reference(_ b: [UInt8]) -> [(String, Int, Int)] {
            var out: [(String, Int, Int)] = []
            var i = 0
            while i < b.count {
                guard Analyzer.isASCIIWordByte(b[i]) else {
                    i += 1
                    continue
                }
                let start = i
                while i < b.count && Analyzer.isASCIIWordByte(b[i]) { i += 1 }
                if i - start <= Analyzer.maxTermBytes {
                    out.append((String(decoding: b[start..<i], as: UTF8.self).lowercased(), start, i))
                }
            }
            return out
        }
        let a = Analyzer(.plain)
        var texts: [[UInt8]] = (0..<400).map { _ in (0..<rnd(60)).map { _ in alphabet[rnd(alphabet.count)] } }
        for n in [254, 255, 256] {
            for pad in 0..<9 {
                texts.append(
                    Array(String(repeating: " ", count: pad).utf8) + Array(repeating: UInt8(ascii: "W"), count: n)
                        + Array(" end".utf8))
            }
        }
        for text in texts {
            var got: [(String, Int, Int)] = []
            text.withUnsafeBufferPointer { b in
                a.analyze(b) { got.append((String(decoding: $0.term, as: UTF8.self), $0.start, $0.end)) }
            }
            let want = reference(text)
            #expect(got.map(\.0) == want.map(\.0), "\(String(decoding: text, as: UTF8.self))")
            #expect(got.map(\.1) == want.map(\.1) && got.map(\.2) == want.map(\.2))
        }
        // Non-ASCII right after an ASCII run continues or ends the word by its own class.
        #expect(
            Analyzer(.english).terms("ABCDEFGHIJcafé Ωmega NAÏVE’s 12345678—x") == [
                "abcdefghijcafe", "ωmega", "naive", "12345678", "x",
            ])
    }
}
