/// The term spaces of a segment. A dictionary key is one field byte followed by the term bytes.
///
/// `text` holds title and body together (the default search field); `textStem` holds the same
/// tokens stemmed, at the same positions, so unquoted words match their stems while quoted
/// phrases match the words as written. Title has its own pair for `title:` and title weighting.
public enum IndexField: UInt8, Sendable, CaseIterable, Codable {
    // Exact spaces sort before stemmed ones, so a stem term whose only variant is one exact term
    // can point at that term's postings, written just before.
    case text = 0
    case title = 1
    case category = 2
    case source = 3
    case textStem = 4
    case titleStem = 5
    /// The article id as one untokenised term: finds a stored article by id, and the older copy
    /// when the same article is met again.
    case id = 6
    /// The authors' names (bylines), tokenised like the text but not stemmed, one name after
    /// another with a gap between them so that no phrase spans two authors.
    case author = 7

    /// The field whose document length normalises this field's BM25 scores.
    public var lengthSlot: Int {
        switch self {
        case .text, .textStem: return 0
        case .title, .titleStem: return 1
        case .category: return 2
        case .source, .id: return 3
        case .author: return 4
        }
    }

    public static let lengthSlots = 5

    public var stemmed: IndexField? {
        switch self {
        case .text: return .textStem
        case .title: return .titleStem
        default: return nil
        }
    }
}

/// Positions of the title and body in the `text` field: title words, then a gap, then the body,
/// so that no phrase or NEAR match can straddle the title and the first body sentence.
/// The `plain` analyzer reproduces the peer benchmark, which indexes title and body as one
/// stream: there the gap is 0.
public enum FieldLayout {
    public static let titleBodyGap: Int32 = 16

    public static func gap(_ kind: AnalyzerKind) -> Int32 { kind == .plain ? 0 : titleBodyGap }
}
