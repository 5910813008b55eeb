/// Serialisation of an `Article` as stored in a segment's `.store` file.
///
/// Layout: `id, title, date, link, source` (length-prefixed UTF-8; empty = absent), position
/// (varint), category count and categories, then the body.
public enum StoredArticleCodec {
    public static func encode(_ a: Article, into w: inout ByteWriter) {
        w.string(a.id)
        w.string(a.title)
        w.string(a.date ?? "")
        w.string(a.link ?? "")
        w.string(a.source)
        w.varint(a.position)
        w.varint(a.categories.count)
        for c in a.categories { w.string(c) }
        w.string(a.body)
    }

    public static func decode(_ r: inout ByteReader) throws -> Article {
        let id = try r.string()
        let title = try r.string()
        let date = try r.string()
        let link = try r.string()
        let source = try r.string()
        let position = try r.count()
        let nc = try r.count(max: 1 << 20)
        var cats: [String] = []
        for _ in 0..<nc { cats.append(try r.string()) }
        let body = try r.string()
        return Article(
            id: id, title: title, body: body, date: date.isEmpty ? nil : date, categories: cats,
            link: link.isEmpty ? nil : link, source: source, position: position)
    }
}
