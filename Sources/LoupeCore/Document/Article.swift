/// One article as the index sees it: what every loader produces and what stored fields keep.
///
/// Text fields are `String` here because an article is built once per document, not per token;
/// analysis works on their UTF-8 bytes.
public struct Article: Sendable, Equatable {
    /// Stable identity: feed GUID, link, NEWID, DOCNO, else `relative/path#n`.
    public var id: String
    public var title: String
    public var body: String
    /// ISO 8601 (`2007-07-24` or `2007-07-24T10:15:00Z`) when the source has a date.
    public var date: String?
    public var categories: [String]
    /// Link (URL) when the source gives one.
    public var link: String?
    /// The bylines' names as the source gives them (`Jane Doe`, `Reuters Staff`), in order,
    /// without e-mail addresses or a leading "By"; empty when the source names none.
    public var authors: [String]
    /// Source file, relative to the corpus root.
    public var source: String
    /// Position of the article within its source file (0-based).
    public var position: Int
    /// Where `id` is unique: nil for globally unique ids (feed GUIDs and links, Message-IDs),
    /// else a collection name (the source file's directory) for ids such as NEWID or DOCNO
    /// that are unique only within their collection. Articles with the same id and scope are
    /// the same article; the later one replaces the earlier.
    public var idScope: String?

    /// The key under which duplicates are detected.
    public var identity: String { idScope.map { $0 + "\u{1F}" + id } ?? id }

    public init(
        id: String, title: String, body: String, date: String? = nil, categories: [String] = [],
        link: String? = nil, authors: [String] = [], source: String, position: Int = 0,
        idScope: String? = nil
    ) {
        self.idScope = idScope
        self.id = id
        self.title = title
        self.body = body
        self.date = date
        self.categories = categories
        self.link = link
        self.authors = authors
        self.source = source
        self.position = position
    }
}
