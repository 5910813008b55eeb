import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a page's article text lies, judged by its paragraphs: for pages whose markup does not
/// say (`<article>`, `<main>`, `itemprop="articleBody"`) or says it wrongly (a `<main>` that
/// holds only an advert, an `<article>` that is a teaser of another story).
///
/// The idea is Readability's and Boilerpipe's: an article is a run of paragraphs of sentences
/// under one element, and site furniture is short lines and links. Each paragraph (`p`, `pre`,
/// `blockquote`, `td`, a `div`/`section` with no block inside — text written with `<br>`s — or
/// the text a `div` holds beside its blocks) of at least 25 characters counts `1 + its commas +
/// its length / 100 (at most 3)` for its parent, half for its grandparent, then a sixth, a ninth
/// and a twelfth for three levels more; an element's count, plus or minus 25 when its
/// `class`/`id` names content or furniture (the words of `Boilerplate`), times the share of its
/// text that is not link text, is its score. Readers' comments (a block named `comment`,
/// `disqus`…) are not counted. The best element moves up to the ancestor it shares with three
/// of the five next best when they score three quarters as well (a story split into steps or
/// between pictures), to a parent that scores better than the levels between, and past parents
/// of one child; it is joined by its siblings that score a fifth as well (at least 10), that
/// are like it (same element and class) and score half as well, or that are paragraphs of
/// their own (80 characters with few links, or a shorter sentence without any).
struct ContentBlocks {
    /// The chosen element, then (in document order, the chosen one among them) what makes up
    /// the text.
    let top: xmlNodePtr
    let parts: [xmlNodePtr]
    /// The chosen element's score.
    let score: Double
    private let textChars: [UnsafeMutableRawPointer: Int]

    static func contains(_ outer: xmlNodePtr, _ inner: xmlNodePtr) -> Bool {
        var p: xmlNodePtr? = inner
        while let q = p {
            if q == outer { return true }
            p = q.pointee.parent
        }
        return false
    }

    /// A paragraph's share for its parent and the next 4 ancestors.
    static let shares: [Double] = [1, 1.0 / 2, 1.0 / 6, 1.0 / 9, 1.0 / 12]

    static let looseTextHolders: Set<String> = ["div", "section", "article", "main", "body", "center"]
    static let headings: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]
    static let paragraphNames: Set<String> = ["p", "pre", "blockquote", "td"]
    static let textBoxes: Set<String> = ["div", "section"]
    /// Elements that end a text-only box (a `div` holding one is no paragraph of its own).
    static let blockNames: Set<String> = [
        "p", "div", "section", "article", "table", "ul", "ol", "dl", "pre", "blockquote", "h1", "h2", "h3", "h4",
        "h5", "h6", "figure", "header", "main", "form", "hr", "address",
    ]

    private struct Frame {
        var node: xmlNodePtr
        var name: String
        /// Characters that are not white space (Unicode scalars), in links, and commas.
        var chars = 0
        var linkChars = 0
        var commas = 0
        var hasBlock = false
        var isLink: Bool
        /// The paragraphs' counts for this element.
        var score = 0.0
        /// Characters in paragraphs of at least 25 (the outermost paragraphs).
        var paragraphChars = 0
        /// Characters of its own text nodes (text beside blocks, with `<br>`s).
        var directChars = 0
        var directCommas = 0
    }

    /// Nil when the page has no paragraph long enough to judge by.
    init?(_ root: xmlNodePtr) {
        var stack: [Frame] = [Frame(node: root, name: Page.name(root) ?? "", isLink: false)]
        var scores: [UnsafeMutableRawPointer: Double] = [:]
        // Each `p`'s characters and link share (for the siblings' test).
        var ps: [UnsafeMutableRawPointer: (chars: Int, linkShare: Double)] = [:]
        var textChars: [UnsafeMutableRawPointer: Int] = [:]
        var best: (node: xmlNodePtr, score: Double)?
        func close() {
            var f = stack.removeLast()
            let isParagraph =
                ContentBlocks.paragraphNames.contains(f.name)
                || (ContentBlocks.textBoxes.contains(f.name) && !f.hasBlock)
            if isParagraph && f.chars >= 25 {
                let count = 1 + Double(f.commas) + min(Double(f.chars / 100), 3)
                let n = stack.count
                for (level, share) in ContentBlocks.shares.enumerated() where n - 1 - level >= 0 {
                    stack[n - 1 - level].score += count * share
                }
            }
            // Text written beside blocks (a story in a `div` between pictures and `<br>`s) is a
            // paragraph of the element that holds it.
            if !isParagraph && f.directChars >= 25 && ContentBlocks.looseTextHolders.contains(f.name) {
                let count = 1 + Double(f.directCommas) + min(Double(f.directChars / 100), 3)
                f.score += count
                let n = stack.count
                for (level, share) in ContentBlocks.shares.dropFirst().enumerated() where n - 1 - level >= 0 {
                    stack[n - 1 - level].score += count * share
                }
            }
            // (List items count here, not in the scores: a list of points is text, and a menu's
            // items are links.)
            let own =
                isParagraph || f.name == "li" || f.name == "dd"
                ? (f.chars >= 25 ? f.chars - f.linkChars : 0)
                : f.paragraphChars
                    + (f.directChars >= 25 && !f.isLink && !ContentBlocks.headings.contains(f.name) ? f.directChars : 0)
            if own > 0 { textChars[UnsafeMutableRawPointer(f.node)] = own }
            let share = f.chars > 0 ? Double(f.linkChars) / Double(f.chars) : 0
            if f.name == "p" { ps[UnsafeMutableRawPointer(f.node)] = (f.chars, share) }
            if f.score > 0 {
                var s = f.score + ContentBlocks.weight(f.node, f.name)
                s *= 1 - share
                let key = UnsafeMutableRawPointer(f.node)
                scores[key] = s
                if s > (best?.score ?? 0) { best = (f.node, s) }
            }
            if let i = stack.indices.last {
                stack[i].chars += f.chars
                stack[i].linkChars += f.isLink ? f.chars : f.linkChars
                stack[i].commas += f.commas
                stack[i].paragraphChars += own
                if ContentBlocks.blockNames.contains(f.name) { stack[i].hasBlock = true }
            }
        }
        Page.walkVisible(
            root, insideArticle: true,
            element: { cur, name in
                // Readers' comments are paragraphs too, and long ones outscore a short story.
                if Boilerplate.blocks.contains(name) && ContentBlocks.namesComments(cur) { return false }
                stack.append(Frame(node: cur, name: name, isLink: name == "a"))
                return true
            },
            text: { c in
                let (chars, commas) = Page.visibleText(c)
                stack[stack.count - 1].chars += chars
                stack[stack.count - 1].directChars += chars
                stack[stack.count - 1].directCommas += commas
                stack[stack.count - 1].commas += commas
            },
            leave: { _ in close() })
        let r = stack[0]
        if r.score > 0 {
            let s =
                (r.score + ContentBlocks.weight(root, r.name))
                * (r.chars > 0 ? 1 - Double(r.linkChars) / Double(r.chars) : 1)
            scores[UnsafeMutableRawPointer(root)] = s
            if s > (best?.score ?? 0) { best = (root, s) }
        }
        guard var best, best.score > 0 else { return nil }
        // A text split in several boxes (steps, sections between pictures): when 3 of the 5
        // next best score nearly as well, their nearest common ancestor with the best is the text.
        let alternatives = scores.filter {
            $0.value >= best.score * 0.75 && $0.key != UnsafeMutableRawPointer(best.node)
        }
        .sorted { $0.value > $1.value }.prefix(5)
        .map { xmlNodePtr($0.key.assumingMemoryBound(to: xmlNode.self)) }
        if alternatives.count >= 3 {
            // How many of them each ancestor holds (one walk up from each: a page nested a
            // million deep costs five walks, not a walk per ancestor).
            var held: [UnsafeMutableRawPointer: Int] = [:]
            for alt in alternatives {
                var p = alt.pointee.parent
                while let q = p {
                    held[UnsafeMutableRawPointer(q), default: 0] += 1
                    if q == root { break }
                    p = q.pointee.parent
                }
            }
            var up = best.node.pointee.parent
            while let a = up, a != root.pointee.parent {
                if held[UnsafeMutableRawPointer(a), default: 0] >= 3 {
                    best = (a, max(best.score, scores[UnsafeMutableRawPointer(a)] ?? 0))
                    break
                }
                if a == root { break }
                up = a.pointee.parent
            }
        }
        // A parent that scores better than what lies between (its other children add to it) is
        // the text; so is the parent of an only child.
        var last = best.score
        var up = best.node.pointee.parent
        while let a = up, a != root.pointee.parent {
            if let s = scores[UnsafeMutableRawPointer(a)] {
                if s < best.score / 3 { break }
                if s > last {
                    best = (a, s)
                    break
                }
                last = s
            }
            if a == root { break }
            up = a.pointee.parent
        }
        while best.node != root, let parent = best.node.pointee.parent, ContentBlocks.elementChildren(parent) == 1 {
            best = (parent, max(best.score, scores[UnsafeMutableRawPointer(parent)] ?? 0))
        }
        // The siblings that belong with it.
        var parts: [xmlNodePtr] = []
        let threshold = max(10, best.score * 0.2)
        let topClass = Page.attribute(best.node, "class")
        if best.node != root, let parent = best.node.pointee.parent {
            var c = parent.pointee.children
            while let cur = c {
                c = cur.pointee.next
                guard cur.pointee.type == XML_ELEMENT_NODE else { continue }
                if cur == best.node {
                    parts.append(cur)
                    continue
                }
                let key = UnsafeMutableRawPointer(cur)
                let sameClass = Page.attribute(cur, "class") == topClass
                let bonus = sameClass && topClass?.isEmpty == false ? best.score * 0.2 : 0
                // (An element like the best that scores half as well is a part of its own: the
                // second of two stories on a page, below the absolute floor on a short page.)
                let alike = sameClass && Page.name(cur) == Page.name(best.node)
                if let s = scores[key], s + bonus >= threshold || (alike && s >= best.score * 0.5) {
                    parts.append(cur)
                } else if let (chars, share) = ps[key] {
                    if (chars >= 80 && share < 0.25) || (chars > 0 && share == 0 && Page.endsSentence(cur)) {
                        parts.append(cur)
                    }
                }
            }
        }
        if parts.isEmpty { parts = [best.node] }
        self.top = best.node
        self.parts = parts
        self.score = best.score
        self.textChars = textChars
    }

    /// The characters of paragraphs (not in links) below `node`.
    func paragraphText(_ node: xmlNodePtr) -> Int { textChars[UnsafeMutableRawPointer(node)] ?? 0 }
    var partsText: Int { parts.reduce(0) { $0 + paragraphText($1) } }

    static let commentWords: Set<String> = ["comment", "comments", "commentlist", "disqus", "replies"]

    /// Whether a block's `class` or `id` says it holds readers' comments (and not the content).
    static func namesComments(_ node: xmlNodePtr) -> Bool { Boilerplate.names(node, one: commentWords) }

    static func elementChildren(_ node: xmlNodePtr) -> Int {
        var n = 0
        var c = node.pointee.children
        while let cur = c {
            if cur.pointee.type == XML_ELEMENT_NODE { n += 1 }
            c = cur.pointee.next
        }
        return n
    }

    /// Plus 25 for a `class` or `id` that names content (`article`, `story`, `post`…), minus 25
    /// for one that names furniture (`comment`, `sidebar`, `share`…), and Readability's small
    /// leanings by element (a `div` is likelier to hold the text than a list or a heading).
    static func weight(_ node: xmlNodePtr, _ name: String) -> Double {
        var w: Double
        switch name {
        case "div": w = 5
        case "pre", "td", "blockquote": w = 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": w = -3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": w = -5
        default: w = 0
        }
        guard node.pointee.properties != nil else { return w }
        _ = Page.anyAttribute(node) { n, v in
            guard strcmp(n, "class") == 0 || strcmp(n, "id") == 0 else { return false }
            if Page.namesWord(v, in: Boilerplate.content) { w += 25 }
            if Page.namesWord(v, in: Boilerplate.hints) { w -= 25 }
            return false
        }
        return w
    }
}

extension Page {
    /// Whether an element's text ends a sentence (`.`, `!`, `?`, `。`, a closing quote after one).
    static func endsSentence(_ node: xmlNodePtr) -> Bool {
        let t = text(of: node)
        var s = t.unicodeScalars.reversed().drop { $0 == "\"" || $0 == "”" || $0 == "’" || $0 == "'" || $0 == ")" }
            .makeIterator()
        guard let last = s.next() else { return false }
        return last == "." || last == "!" || last == "?" || last == "。" || last == "！" || last == "？"
    }
}
