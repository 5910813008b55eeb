/// Snowball English (Porter2) stemmer. Input: a lowercased word as UTF-8 bytes.
/// Words containing bytes outside a-z and apostrophe are returned unchanged.
///
/// Implements the algorithm published at https://snowballstem.org/algorithms/english/stemmer.html
/// (Snowball 3.1: R1 prefix exceptions `gener commun arsen past univers later emerg organ inter`,
/// `-eed` exceptions `proceed exceed succeed`, `-ing` exceptions `inning outing canning herring
/// earring evening`, `dying → die`, `-ogist → -og`, the whole-word exception list, apostrophes).
/// It reproduces the official `voc.txt` / `output.txt` test vocabulary exactly.
///
/// The word is processed in place in a byte array: all rewrites happen at the end of the word
/// and never make it longer than the input, so R1/R2 stay valid as absolute offsets.
public struct EnglishStemmer: Sendable {
  public init() {}

  public func stem(_ word: String) -> String {
    var word = word
    let stemmed: [UInt8]? = word.withUTF8 { bytes in
      let result = stem(Array(bytes))
      return result.elementsEqual(bytes) ? nil : result
    }
    guard let stemmed else { return word }
    return String(decoding: stemmed, as: UTF8.self)
  }

  public func stem(_ word: [UInt8]) -> [UInt8] {
    // Words of one or two letters are left alone; none of the exceptional forms is that short.
    if word.count <= 2 { return word }
    for byte in word where !(byte &- Ascii.a < 26 || byte == Ascii.apostrophe) {
      return word
    }
    if let exceptional = Self.exceptionalForm(word) { return exceptional }
    var state = Porter2Word(word)
    state.run()
    return state.w
  }

  // MARK: Whole-word exceptions (checked on the word exactly as given)

  private static func exceptionalForm(_ word: [UInt8]) -> [UInt8]? {
    @inline(__always) func isWord(_ s: StaticString) -> Bool {
      let n = s.utf8CodeUnitCount
      guard word.count == n else { return false }
      let p = s.utf8Start
      for i in 0..<n where word[i] != p[i] { return false }
      return true
    }
    @inline(__always) func bytes(_ s: StaticString) -> [UInt8] {
      Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    switch word[0] {
    case Ascii.a:
      if isWord("atlas") || isWord("andes") { return word }
    case Ascii.b:
      if isWord("bias") { return word }
    case Ascii.c:
      if isWord("cosmos") { return word }
    case Ascii.e:
      if isWord("early") { return bytes("earli") }
    case Ascii.g:
      if isWord("gently") { return bytes("gentl") }
    case Ascii.h:
      if isWord("howe") { return word }
    case Ascii.i:
      if isWord("idly") { return bytes("idl") }
    case Ascii.n:
      if isWord("news") { return word }
    case Ascii.o:
      if isWord("only") { return bytes("onli") }
    case Ascii.s:
      if isWord("sky") { return word }
      if isWord("skis") { return bytes("ski") }
      if isWord("skies") { return bytes("sky") }
      if isWord("singly") { return bytes("singl") }
    case Ascii.u:
      if isWord("ugly") { return bytes("ugli") }
    default:
      break
    }
    return nil
  }
}

/// ASCII byte constants.
private enum Ascii {
  static let apostrophe: UInt8 = 0x27
  static let a: UInt8 = 0x61
  static let b: UInt8 = 0x62
  static let c: UInt8 = 0x63
  static let d: UInt8 = 0x64
  static let e: UInt8 = 0x65
  static let f: UInt8 = 0x66
  static let g: UInt8 = 0x67
  static let h: UInt8 = 0x68
  static let i: UInt8 = 0x69
  static let l: UInt8 = 0x6C
  static let m: UInt8 = 0x6D
  static let n: UInt8 = 0x6E
  static let o: UInt8 = 0x6F
  static let p: UInt8 = 0x70
  static let r: UInt8 = 0x72
  static let s: UInt8 = 0x73
  static let t: UInt8 = 0x74
  static let u: UInt8 = 0x75
  static let w: UInt8 = 0x77
  static let x: UInt8 = 0x78
  static let y: UInt8 = 0x79
  /// Marks a `y` that acts as a consonant (initial, or after a vowel).
  static let upperY: UInt8 = 0x59
}

/// One word being stemmed. `w` holds the current form; `p1`/`p2` are the starts of R1/R2.
private struct Porter2Word {
  var w: [UInt8]
  var p1 = 0
  var p2 = 0
  var sawY = false

  init(_ word: [UInt8]) {
    // Remove an initial apostrophe.
    if word[0] == Ascii.apostrophe {
      w = Array(word[1...])
    } else {
      w = word
    }
  }

  // MARK: Character classes

  /// a e i o u y (lowercase y only: a `Y` is a consonant).
  @inline(__always) static func isVowel(_ c: UInt8) -> Bool {
    let k = c &- Ascii.a
    // Bits for a(0) e(4) i(8) o(14) u(20) y(24).
    return k < 26 && (0x0110_4111 as UInt32) >> UInt32(k) & 1 != 0
  }

  /// A vowel, or w, x, Y: the letters that cannot end a short syllable.
  @inline(__always) static func isVowelWXY(_ c: UInt8) -> Bool {
    isVowel(c) || c == Ascii.w || c == Ascii.x || c == Ascii.upperY
  }

  /// c d e g h k m n r t: letters that may precede a removable `li`.
  @inline(__always) static func isValidLiEnding(_ c: UInt8) -> Bool {
    let k = c &- Ascii.a
    // Bits for c(2) d(3) e(4) g(6) h(7) k(10) m(12) n(13) r(17) t(19).
    return k < 26 && (0x000A_34DC as UInt32) >> UInt32(k) & 1 != 0
  }

  /// bb dd ff gg mm nn pp rr tt (given the two bytes are equal).
  @inline(__always) static func isDoubleLetter(_ c: UInt8) -> Bool {
    switch c {
    case Ascii.b, Ascii.d, Ascii.f, Ascii.g, Ascii.m, Ascii.n, Ascii.p, Ascii.r, Ascii.t:
      return true
    default:
      return false
    }
  }

  // MARK: Helpers

  @inline(__always) func ends(with s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    let count = w.count
    guard n <= count else { return false }
    let p = s.utf8Start
    let base = count - n
    for i in 0..<n where w[base + i] != p[i] { return false }
    return true
  }

  /// True if `w[0..<end]` is exactly `s`.
  @inline(__always) func prefix(_ end: Int, is s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard n == end, n <= w.count else { return false }
    let p = s.utf8Start
    for i in 0..<n where w[i] != p[i] { return false }
    return true
  }

  /// True if `w` starts with `s`.
  @inline(__always) func starts(with s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard n <= w.count else { return false }
    let p = s.utf8Start
    for i in 0..<n where w[i] != p[i] { return false }
    return true
  }

  @inline(__always) func hasVowel(before end: Int) -> Bool {
    var i = 0
    while i < end {
      if Self.isVowel(w[i]) { return true }
      i += 1
    }
    return false
  }

  /// Replace the last `count` bytes with `s`.
  @inline(__always) mutating func replaceSuffix(_ count: Int, with s: StaticString) {
    w.removeLast(count)
    w.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  /// If the suffix of length `count` starts in R1, replace it with `s`.
  @inline(__always) mutating func replaceInR1(_ count: Int, with s: StaticString) {
    if w.count - count >= p1 { replaceSuffix(count, with: s) }
  }

  /// Does `w[0..<end]` end with a short syllable?
  func endsWithShortSyllable(_ end: Int) -> Bool {
    if end >= 3 {
      if !Self.isVowelWXY(w[end - 1]) && Self.isVowel(w[end - 2]) && !Self.isVowel(w[end - 3]) {
        return true
      }
    } else if end == 2 {
      if !Self.isVowel(w[1]) && Self.isVowel(w[0]) { return true }
    }
    if end >= 4 && w[end - 4] == Ascii.p && w[end - 3] == Ascii.a && w[end - 2] == Ascii.s
      && w[end - 1] == Ascii.t
    {
      return true
    }
    return false
  }

  // MARK: Algorithm

  mutating func run() {
    prelude()
    markRegions()
    step0()
    step1a()
    step1b()
    step1c()
    step2()
    step3()
    step4()
    step5()
    if sawY {
      for i in w.indices where w[i] == Ascii.upperY { w[i] = Ascii.y }
    }
  }

  /// Initial y, and y after a vowel, become Y (consonant).
  mutating func prelude() {
    let count = w.count
    guard count > 0 else { return }
    if w[0] == Ascii.y {
      w[0] = Ascii.upperY
      sawY = true
    }
    var i = 1
    while i < count {
      if w[i] == Ascii.y && Self.isVowel(w[i - 1]) {
        w[i] = Ascii.upperY
        sawY = true
      }
      i += 1
    }
  }

  mutating func markRegions() {
    let count = w.count
    p1 = count
    p2 = count
    var i: Int
    if let special = specialR1Start() {
      i = special
    } else {
      i = 0
      while i < count && !Self.isVowel(w[i]) { i += 1 }
      while i < count && Self.isVowel(w[i]) { i += 1 }
      if i >= count { return }
      i += 1
    }
    p1 = i
    while i < count && !Self.isVowel(w[i]) { i += 1 }
    while i < count && Self.isVowel(w[i]) { i += 1 }
    if i >= count { return }
    p2 = i + 1
  }

  /// Words starting with one of these prefixes have R1 right after the prefix.
  func specialR1Start() -> Int? {
    guard let first = w.first else { return nil }
    switch first {
    case Ascii.a: if starts(with: "arsen") { return 5 }
    case Ascii.c: if starts(with: "commun") { return 6 }
    case Ascii.e: if starts(with: "emerg") { return 5 }
    case Ascii.g: if starts(with: "gener") { return 5 }
    case Ascii.i: if starts(with: "inter") { return 5 }
    case Ascii.l: if starts(with: "later") { return 5 }
    case Ascii.o: if starts(with: "organ") { return 5 }
    case Ascii.p: if starts(with: "past") { return 4 }
    case Ascii.u: if starts(with: "univers") { return 7 }
    default: break
    }
    return nil
  }

  /// Remove the longest of `'s'`, `'s`, `'`.
  mutating func step0() {
    if ends(with: "'s'") {
      w.removeLast(3)
    } else if ends(with: "'s") {
      w.removeLast(2)
    } else if ends(with: "'") {
      w.removeLast(1)
    }
  }

  mutating func step1a() {
    if ends(with: "sses") {
      w.removeLast(2)
    } else if ends(with: "ied") || ends(with: "ies") {
      // -> "i" if preceded by more than one letter, otherwise "ie".
      w.removeLast(w.count > 4 ? 2 : 1)
    } else if ends(with: "ss") || ends(with: "us") {
      // Unchanged.
    } else if ends(with: "s") {
      // Delete if a vowel occurs before the letter preceding the s.
      let count = w.count
      if count >= 2 && hasVowel(before: count - 2) { w.removeLast() }
    }
  }

  mutating func step1b() {
    let suffix: Int
    if ends(with: "eedly") {
      eed(5)
      return
    } else if ends(with: "ingly") {
      suffix = 5
    } else if ends(with: "edly") {
      suffix = 4
    } else if ends(with: "eed") {
      eed(3)
      return
    } else if ends(with: "ing") {
      let start = w.count - 3
      // dying -> die, lying -> lie, tying -> tie, vying -> vie.
      if start == 2 && w[1] == Ascii.y && !Self.isVowel(w[0]) {
        replaceSuffix(4, with: "ie")
        return
      }
      // inning, outing, canning, herring, earring, evening stay.
      if prefix(start, is: "inn") || prefix(start, is: "out") || prefix(start, is: "cann")
        || prefix(start, is: "herr") || prefix(start, is: "earr") || prefix(start, is: "even")
      {
        return
      }
      suffix = 3
    } else if ends(with: "ed") {
      suffix = 2
    } else {
      return
    }

    let start = w.count - suffix
    guard hasVowel(before: start) else { return }
    w.removeLast(suffix)
    if ends(with: "at") || ends(with: "bl") || ends(with: "iz") {
      w.append(Ascii.e)
      return
    }
    let count = w.count
    if count >= 2 && w[count - 1] == w[count - 2] && Self.isDoubleLetter(w[count - 1]) {
      // Undouble, except in add, egg, off, ebb, ... (a, e or o then the double, exactly).
      let keep =
        count == 3 && (w[0] == Ascii.a || w[0] == Ascii.e || w[0] == Ascii.o)
      if !keep { w.removeLast() }
      return
    }
    // A short word gets an e: hop -> hope.
    if count == p1 && endsWithShortSyllable(count) {
      w.append(Ascii.e)
    }
  }

  /// `eed` / `eedly` of length `suffix`: -> `ee` if in R1, except proceed, exceed, succeed.
  mutating func eed(_ suffix: Int) {
    let start = w.count - suffix
    guard start >= p1 else { return }
    if prefix(start, is: "proc") || prefix(start, is: "exc") || prefix(start, is: "succ") {
      return
    }
    replaceSuffix(suffix, with: "ee")
  }

  /// Final y or Y -> i if preceded by a non-vowel that is not the first letter.
  mutating func step1c() {
    let count = w.count
    guard count >= 3 else { return }
    let last = w[count - 1]
    if (last == Ascii.y || last == Ascii.upperY) && !Self.isVowel(w[count - 2]) {
      w[count - 1] = Ascii.i
    }
  }

  mutating func step2() {
    guard let last = w.last else { return }
    switch last {
    case Ascii.l:
      if ends(with: "ational") {
        replaceInR1(7, with: "ate")
      } else if ends(with: "tional") {
        replaceInR1(6, with: "tion")
      }
    case Ascii.i:
      if ends(with: "biliti") {
        replaceInR1(6, with: "ble")
      } else if ends(with: "lessli") {
        replaceInR1(6, with: "less")
      } else if ends(with: "aliti") {
        replaceInR1(5, with: "al")
      } else if ends(with: "entli") {
        replaceInR1(5, with: "ent")
      } else if ends(with: "fulli") {
        replaceInR1(5, with: "ful")
      } else if ends(with: "iviti") {
        replaceInR1(5, with: "ive")
      } else if ends(with: "ousli") {
        replaceInR1(5, with: "ous")
      } else if ends(with: "abli") {
        replaceInR1(4, with: "able")
      } else if ends(with: "alli") {
        replaceInR1(4, with: "al")
      } else if ends(with: "anci") {
        replaceInR1(4, with: "ance")
      } else if ends(with: "enci") {
        replaceInR1(4, with: "ence")
      } else if ends(with: "bli") {
        replaceInR1(3, with: "ble")
      } else if ends(with: "ogi") {
        let count = w.count
        if count - 3 >= p1 && count >= 4 && w[count - 4] == Ascii.l {
          replaceSuffix(3, with: "og")
        }
      } else if ends(with: "li") {
        let count = w.count
        if count - 2 >= p1 && count >= 3 && Self.isValidLiEnding(w[count - 3]) {
          w.removeLast(2)
        }
      }
    case Ascii.r:
      if ends(with: "izer") {
        replaceInR1(4, with: "ize")
      } else if ends(with: "ator") {
        replaceInR1(4, with: "ate")
      }
    case Ascii.n:
      if ends(with: "ization") {
        replaceInR1(7, with: "ize")
      } else if ends(with: "ation") {
        replaceInR1(5, with: "ate")
      }
    case Ascii.m:
      if ends(with: "alism") { replaceInR1(5, with: "al") }
    case Ascii.s:
      if ends(with: "fulness") {
        replaceInR1(7, with: "ful")
      } else if ends(with: "ousness") {
        replaceInR1(7, with: "ous")
      } else if ends(with: "iveness") {
        replaceInR1(7, with: "ive")
      }
    case Ascii.t:
      if ends(with: "ogist") { replaceInR1(5, with: "og") }
    default:
      break
    }
  }

  mutating func step3() {
    guard let last = w.last else { return }
    switch last {
    case Ascii.l:
      if ends(with: "ational") {
        replaceInR1(7, with: "ate")
      } else if ends(with: "tional") {
        replaceInR1(6, with: "tion")
      } else if ends(with: "ical") {
        replaceInR1(4, with: "ic")
      } else if ends(with: "ful") {
        replaceInR1(3, with: "")
      }
    case Ascii.e:
      if ends(with: "alize") {
        replaceInR1(5, with: "al")
      } else if ends(with: "icate") {
        replaceInR1(5, with: "ic")
      } else if ends(with: "ative") {
        // Needs R2 (which implies R1).
        if w.count - 5 >= p2 { w.removeLast(5) }
      }
    case Ascii.i:
      if ends(with: "iciti") { replaceInR1(5, with: "ic") }
    case Ascii.s:
      if ends(with: "ness") { replaceInR1(4, with: "") }
    default:
      break
    }
  }

  mutating func step4() {
    guard let last = w.last else { return }
    var suffix = 0
    switch last {
    case Ascii.l:
      if ends(with: "al") { suffix = 2 }
    case Ascii.e:
      if ends(with: "ance") || ends(with: "ence") || ends(with: "able") || ends(with: "ible") {
        suffix = 4
      } else if ends(with: "ate") || ends(with: "ive") || ends(with: "ize") {
        suffix = 3
      }
    case Ascii.r:
      if ends(with: "er") { suffix = 2 }
    case Ascii.c:
      if ends(with: "ic") { suffix = 2 }
    case Ascii.t:
      if ends(with: "ement") {
        suffix = 5
      } else if ends(with: "ment") {
        suffix = 4
      } else if ends(with: "ant") || ends(with: "ent") {
        suffix = 3
      }
    case Ascii.m:
      if ends(with: "ism") { suffix = 3 }
    case Ascii.i:
      if ends(with: "iti") { suffix = 3 }
    case Ascii.s:
      if ends(with: "ous") { suffix = 3 }
    case Ascii.n:
      if ends(with: "ion") {
        let count = w.count
        if count - 3 >= p2 && count >= 4 && (w[count - 4] == Ascii.s || w[count - 4] == Ascii.t) {
          w.removeLast(3)
        }
      }
      return
    default:
      return
    }
    if suffix > 0 && w.count - suffix >= p2 { w.removeLast(suffix) }
  }

  mutating func step5() {
    guard let last = w.last else { return }
    let start = w.count - 1
    if last == Ascii.e {
      if start >= p2 || (start >= p1 && !endsWithShortSyllable(start)) {
        w.removeLast()
      }
    } else if last == Ascii.l {
      if start >= p2 && start >= 1 && w[start - 1] == Ascii.l {
        w.removeLast()
      }
    }
  }
}
