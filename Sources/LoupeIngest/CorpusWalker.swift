#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One regular file found under the corpus root.
public struct CorpusFile: Sendable {
    /// Path relative to the root, for display and storage (invalid UTF-8 in names is repaired).
    public var relativePath: String
    /// The exact path bytes, for opening.
    public var path: [CChar]
    public var size: Int64
    public var mtimeNanos: Int64
}

/// Walks a corpus directory in a stable (bytewise sorted) order.
///
/// Skips hidden files and directories (names starting with `.`), the index directory, and web
/// assets and media by their extension (`assetExtensions`: a saved site's stylesheets, scripts,
/// fonts, images, audio and video are never articles; they are counted, not read, and give no
/// message each). A single file given as the corpus is always read.
/// Never follows a symlinked directory; a symlinked file is read only if it resolves to a
/// regular file inside the root, and every file (device + inode) is read once, so link loops,
/// dangling links and links out of the corpus end with one message each. With `followLinks`
/// (`loupe index --follow-links`), links to directories and out of the corpus are followed, each
/// directory (device + inode) walked once: a link back up the tree is a loop, said once.
/// Linked directories are walked after every real one, so a file reachable both ways keeps its
/// real path; one found only through a link is named by the link's path.
///
/// `patterns` (`loupe index --exclude`) leave out files and directories, a directory with
/// everything under it: a pattern without a slash is matched against every name at any depth
/// (`*.log`, `drafts`), one with a slash against the path from the corpus root (`feeds/old/*`,
/// a leading slash optional); `*`, `?` and `[...]` never match a slash, and a trailing slash
/// matches directories only.
public struct CorpusWalker {
    public let root: String
    public let excluded: Set<String>
    public let patterns: [String]
    public let followLinks: Bool

    /// `excluded`: absolute real paths to skip (the index directory).
    public init(root: String, excluded: Set<String> = [], patterns: [String] = [], followLinks: Bool = false) {
        self.root = root
        self.excluded = excluded
        self.patterns = patterns
        self.followLinks = followLinks
    }

    /// Whether `--exclude` patterns leave out the entry `name` at `path` (relative to the root).
    public static func isExcluded(name: [UInt8], path: [UInt8], directory: Bool, patterns: [String]) -> Bool {
        for var p in patterns where !p.isEmpty {
            if p.hasSuffix("/") {
                guard directory else { continue }
                p.removeLast()
            }
            let anchored = p.contains("/")
            if p.hasPrefix("/") { p.removeFirst() }
            let subject = anchored ? path : name
            let matched = (subject + [0]).withUnsafeBufferPointer { s in
                s.withMemoryRebound(to: CChar.self) { fnmatch(p, $0.baseAddress!, FNM_PATHNAME) == 0 }
            }
            if matched { return true }
        }
        return false
    }

    /// Whether a directory of these entry names is a loupe index: a MANIFEST beside segment
    /// dictionaries.
    static func isIndexDirectory(_ names: [[UInt8]]) -> Bool {
        guard names.contains(Array("MANIFEST".utf8)) else { return false }
        return names.contains { $0.starts(with: Array("seg".utf8)) && $0.reversed().starts(with: Array("tcid.".utf8)) }
    }

    public static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    /// Extensions (lowercased) of files that are never articles.
    public static let assetExtensions: Set<String> = [
        "css", "js", "mjs", "cjs", "map", "woff", "woff2", "ttf", "otf", "eot", "ico", "jpg", "jpeg", "png", "gif",
        "webp", "avif", "bmp", "tif", "tiff", "heic", "svg", "mp3", "mp4", "m4a", "m4v", "wav", "ogg", "oga", "ogv",
        "webm", "mov", "avi", "mkv", "flac", "swf", "wasm",
    ]

    static func isAsset(_ name: [UInt8]) -> Bool {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0, name.count - dot - 1 <= 5 else { return false }
        let ext = String(decoding: name[(dot + 1)...].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        // A Twitter (X) archive keeps its tweets in `data/tweets.js` (`tweet.js`,
        // `tweets-part1.js`): data, not a script.
        if ext == "js" && name.starts(with: Array("tweet".utf8)) { return false }
        return assetExtensions.contains(ext)
    }

    public func walk(_ diagnostic: (Diagnostic) -> Void) -> [CorpusFile] {
        var counts = WalkCounts()
        return walk(counts: &counts, diagnostic)
    }

    /// What a walk left out without a message each.
    public struct WalkCounts: Sendable {
        /// Web assets and media files (by extension).
        public var assets = 0
        /// Editors' backup and autosave files (`notes.txt~`, `#notes.txt#`).
        public var backups = 0
        /// Files and directories `--exclude` patterns left out.
        public var excluded = 0
        /// Symbolic links to directories not followed (without `followLinks`).
        public var linkedDirectories = 0
        public init() {}
    }

    /// Editors' backup and autosave files: `name~` (Emacs, vim with backup on, gedit) and
    /// `#name#` (Emacs autosave); an older copy of a file beside it, never an article of its own.
    static func isBackup(_ name: [UInt8]) -> Bool {
        name.last == UInt8(ascii: "~")
            || (name.count > 2 && name.first == UInt8(ascii: "#") && name.last == UInt8(ascii: "#"))
    }

    public func walk(counts: inout WalkCounts, _ diagnostic: (Diagnostic) -> Void) -> [CorpusFile] {
        var out: [CorpusFile] = []
        var seen = Set<FileKey>()
        let rootReal = CorpusWalker.realPath(root) ?? root
        var walked = Set<FileKey>()
        var st = stat()
        if stat(root, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG {
            // A single file given as the corpus.
            let name = root.split(separator: "/").last.map(String.init) ?? root
            out.append(
                CorpusFile(
                    relativePath: name, path: Array(root.utf8CString), size: Int64(st.st_size),
                    mtimeNanos: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)))
            return out
        }
        if followLinks && stat(root, &st) == 0 {
            walked.insert(FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
        }
        var links: [Link] = []
        walkDir(
            Array(root.utf8CString.dropLast()), rel: [], rootReal: rootReal, seen: &seen, walked: &walked,
            links: &links, out: &out, counts: &counts, diagnostic)
        // Linked directories, in the order met (those met inside them after the others).
        var next = 0
        while next < links.count {
            let l = links[next]
            next += 1
            guard walked.insert(l.key).inserted else {
                diagnostic(
                    Diagnostic(
                        path: display(l.rel),
                        message: "symbolic link to a directory already walked (a loop, or a second way in); skipped",
                        severity: .note))
                continue
            }
            walkDir(
                l.path, rel: l.rel, rootReal: rootReal, seen: &seen, walked: &walked, links: &links, out: &out,
                counts: &counts, diagnostic)
        }
        return out
    }

    /// A symbolic link to a directory, to walk after the real ones (`followLinks`).
    struct Link {
        var path: [CChar]
        var rel: [UInt8]
        var key: FileKey
    }

    /// `walked`: with `followLinks`, the directories walked so far (none is walked twice);
    /// `links`: the linked directories met, for later.
    private func walkDir(
        _ dir: [CChar], rel: [UInt8], rootReal: String, seen: inout Set<FileKey>, walked: inout Set<FileKey>,
        links: inout [Link], out: inout [CorpusFile], counts: inout WalkCounts, _ diagnostic: (Diagnostic) -> Void
    ) {
        let dirPath = dir + [0]
        let fd = open(dirPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, let d = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            diagnostic(
                Diagnostic(
                    path: rel.isEmpty ? root : display(rel),
                    message: "cannot open directory: \(String(cString: strerror(errno)))",
                    severity: .error))
            return
        }
        var names: [[UInt8]] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw -> [UInt8] in
                let p = raw.bindMemory(to: UInt8.self)
                var n: [UInt8] = []
                for b in p {
                    if b == 0 { break }
                    n.append(b)
                }
                return n
            }
            if name.first == UInt8(ascii: ".") { continue }  // hidden, ".", ".."
            names.append(name)
        }
        // The entries are stat'ed relative to the open directory (no path walk from the root for
        // each of them); it is closed when they are done.
        defer { closedir(d) }
        // Another loupe index inside the corpus (this one is skipped by its path): its MANIFEST
        // is no JSON article, its segments no text.
        if !rel.isEmpty && CorpusWalker.isIndexDirectory(names) {
            diagnostic(Diagnostic(path: display(rel), message: "a loupe index; skipped", severity: .note))
            return
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        for name in names {
            let full = dir + [CChar(bitPattern: UInt8(ascii: "/"))] + name.map { CChar(bitPattern: $0) }
            let relName = rel.isEmpty ? name : rel + [UInt8(ascii: "/")] + name
            let cpath = full + [0]
            var lst = stat()
            // The entry's name is the tail of its path (NUL included).
            let statted = cpath.withUnsafeBufferPointer {
                fstatat(fd, $0.baseAddress! + ($0.count - 1 - name.count), &lst, AT_SYMLINK_NOFOLLOW)
            }
            guard statted == 0 else {
                diagnostic(
                    Diagnostic(path: display(relName), message: String(cString: strerror(errno)), severity: .warning))
                continue
            }
            let kind = lst.st_mode & S_IFMT
            if !patterns.isEmpty
                && CorpusWalker.isExcluded(name: name, path: relName, directory: kind == S_IFDIR, patterns: patterns)
            {
                counts.excluded += 1
                continue
            }
            if kind == S_IFDIR {
                if let real = CorpusWalker.realPath(
                    String(decoding: full.map { UInt8(bitPattern: $0) }, as: UTF8.self)),
                    excluded.contains(real)
                {
                    continue
                }
                if followLinks
                    && !walked.insert(FileKey(device: UInt64(lst.st_dev), inode: UInt64(lst.st_ino))).inserted
                {
                    continue
                }
                walkDir(
                    full, rel: relName, rootReal: rootReal, seen: &seen, walked: &walked, links: &links, out: &out,
                    counts: &counts, diagnostic)
                continue
            }
            if CorpusWalker.isAsset(name) {
                counts.assets += 1
                continue
            }
            if CorpusWalker.isBackup(name) {
                counts.backups += 1
                continue
            }
            var st = lst
            if kind == S_IFLNK {
                guard stat(cpath, &st) == 0 else {
                    let why = errno == ELOOP ? "symbolic link loop" : "dangling symbolic link"
                    diagnostic(Diagnostic(path: display(relName), message: "\(why); skipped", severity: .warning))
                    continue
                }
                let target =
                    CorpusWalker.realPath(String(decoding: full.map { UInt8(bitPattern: $0) }, as: UTF8.self)) ?? ""
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    guard followLinks else {
                        counts.linkedDirectories += 1
                        diagnostic(
                            Diagnostic(
                                path: display(relName),
                                message: "symbolic link to a directory; not followed (--follow-links follows it)",
                                severity: .note))
                        continue
                    }
                    if excluded.contains(target) { continue }
                    links.append(
                        Link(
                            path: full, rel: relName, key: FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
                    )
                    continue
                }
                if !followLinks && !(target == rootReal || target.hasPrefix(rootReal + "/")) {
                    diagnostic(
                        Diagnostic(
                            path: display(relName),
                            message: "symbolic link leads outside the corpus; skipped (--follow-links reads it)",
                            severity: .warning))
                    continue
                }
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let key = FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if !seen.insert(key).inserted { continue }
            out.append(
                CorpusFile(
                    relativePath: display(relName), path: cpath, size: Int64(st.st_size),
                    mtimeNanos: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)))
        }
    }

    private func display(_ rel: [UInt8]) -> String { String(decoding: rel, as: UTF8.self) }

    /// A file's identity: a file reached twice (hard links, symbolic links within the corpus)
    /// is read once.
    struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }
}
