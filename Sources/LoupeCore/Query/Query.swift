/// Which stored/indexed field a query part searches.
public enum FieldRef: String, Sendable, Equatable, CaseIterable {
    case text  // title and body together (the default)
    case title
    case category
    case source
    case author
    /// `id:hn-105`: the article whose id this is, as written (`show`'s ids; `id:hn-1*` a prefix).
    case id

    var exactField: IndexField {
        switch self {
        case .text: return .text
        case .title: return .title
        case .category: return .category
        case .source: return .source
        case .author: return .author
        case .id: return .id
        }
    }
}

/// The parsed query, before it meets an index. Words are kept as typed; analysis happens when
/// the query is bound to an index (`QueryAnalyzer`), with the index's analyzer.
public indirect enum QueryNode: Sendable, Equatable {
    /// One word as typed. `exact` is set inside quotes (no stemming).
    case word(String, field: FieldRef)
    /// `"a b c"~slop`: Lucene's sloppy phrase. Slop counts position moves; a swap costs 2.
    case phrase([String], field: FieldRef, slop: Int)
    /// `prefix*`, expanded through the dictionary.
    case prefix(String, field: FieldRef)
    /// `te?t`, `ma*ki`, `*zone`: `?` one letter, `*` any run of letters, expanded through the
    /// dictionary (Lucene's wildcard query).
    case wildcard(String, field: FieldRef)
    /// `/colou?r/`: the indexed words the regular expression matches whole (Lucene's regexp
    /// query; see `TermRegex`), expanded through the dictionary.
    case regex(String, field: FieldRef)
    /// `word~` or `word~N` (N 0, 1 or 2; 2 unless given): the indexed words within N edits,
    /// expanded through the dictionary (Lucene's fuzzy query).
    case fuzzy(String, field: FieldRef, distance: Int)
    /// `a NEAR/N b` (unordered) or `a ADJ/N b` (ordered): at most N other words between the two
    /// operands' matches, which may not overlap.
    case near(QueryNode, QueryNode, distance: Int, ordered: Bool)
    /// Lucene-style boolean: documents must match every `must`, no `mustNot`, and at least one
    /// `should` when there is no `must`; `should` clauses add to the score.
    case boolean(must: [QueryNode], should: [QueryNode], mustNot: [QueryNode])
    /// `date:FROM..TO` on ISO dates (inclusive, either end may be open).
    case dateRange(from: String?, to: String?)
    /// `clause^N`: the clause's score weights multiplied by N (Lucene's boost).
    case boost(QueryNode, Float)
    /// `title:[a TO c]`, `{a TO c}`, `[m TO *]` (Lucene's and tantivy's term range): the indexed
    /// words (as written) between the bounds in byte order, `[`/`]` including a bound, `{`/`}`
    /// excluding it, nil for an open end.
    case termRange(from: String?, to: String?, includeFrom: Bool, includeTo: Bool, field: FieldRef)
    /// `author:*` or `_exists_:author` (Lucene's and Elasticsearch's): the articles with a value
    /// in the field (at least one indexed word), with no score of their own.
    case exists(FieldRef)
    /// A word or phrase and its synonyms (made from the synonyms table as a query is bound, never
    /// parsed): any of them; its single words score as one word (frequencies added, one idf:
    /// Lucene's SynonymQuery), its phrases beside it.
    case synonyms([QueryNode])
    /// `*:*` (Lucene's): every article, with no score of its own, to browse (`*:* --sort
    /// newest`), count (`*:* --by month`) or exclude from (`*:* -sport`).
    case all
}

/// A query syntax error, with the 1-based column (in characters) where it was found.
public struct QuerySyntaxError: Error, CustomStringConvertible, Equatable {
    public var column: Int
    public var message: String
    public var hint: String?

    public var description: String { "query error at column \(column): \(message)" }
}
