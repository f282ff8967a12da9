import Foundation

/// Stage 1: reads the site folder into memory. The only stage besides writing that
/// touches the disk; everything after it works on values.
struct SiteLoader {
    let root: URL
    /// Set by `serve`: folders and images whose stamps did not change are not read again.
    var cache: RenderCache? = nil
    /// Set by `serve`: what changed since the cache was filled (see `BuildOptions.changedPaths`).
    var changedPaths: Set<String>? = nil
    /// Set by a cached `build`: folders whose files have the stamps of the last build are
    /// not read (see `IssueFolder.isRead`).
    var buildCache: BuildCache? = nil
    /// The site's folders as the last build listed them (set by a cached `build`).
    var listings: FolderListings
    private let rootPath: String

    init(root: URL, cache: RenderCache? = nil, changedPaths: Set<String>? = nil) {
        self.root = root
        self.cache = cache
        self.changedPaths = changedPaths
        rootPath = root.path
        listings = FolderListings(root: rootPath)
    }

    func load() -> (SiteSource, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        // Before anything is read, for the stamps a build with nothing changed leaves
        // (see `FolderListings.stamps`): the root's (a top folder added or removed) and `site.yml`'s.
        listings.noteStamp(of: "")
        listings.noteStamp(of: "site.yml")
        let siteFile = read("site.yml", into: &diagnostics)
        if siteFile == nil, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.error, "no site.yml in \(root.path): is this a Bulletin site?", path: nil))
        }

        // A top folder that is a link is left out as any link is: it could lead anywhere.
        let topFolders = ["issues", "static", "themes"].filter { name in
            var info = stat()
            guard lstat(root.appendingPathComponent(name).path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return true }
            diagnostics.append(SiteLoader.symbolicLinkWarning(name))
            return false
        }
        func entries(of name: String) -> [Entry] {
            topFolders.contains(name) ? visibleEntries(of: name) : []
        }
        // With the kernel saying no entry of `issues/` was added, removed or renamed (no
        // change of `issues` or `issues/<name>` itself), its 2,000 entries are not asked for
        // again (a tenth of `serve`'s rebuild at 2,000 issues).
        let issueFolders: [(name: String, stamp: FileStamp?)]
        if let changedPaths, topFolders.contains("issues"), let known = cache?.issuesListing,
            !changedPaths.contains(where: { $0 == "issues" || ($0.hasPrefix("issues/") && !$0.utf8.dropFirst(7).contains(UInt8(ascii: "/"))) })
        {
            diagnostics += known.diagnostics
            issueFolders = known.names.map { ($0, nil) }
        } else {
            let issueEntries = entries(of: "issues")
            let links = issueEntries.filter { $0.kind == .symbolicLink }.map { SiteLoader.symbolicLinkWarning("issues/\($0.name)") }
            diagnostics += links
            issueFolders = issueEntries.filter(\.isDirectory).sorted { $0.name < $1.name }.map { ($0.name, $0.stamp) }
            cache?.issuesListing = (issueFolders.map(\.name), links)
        }
        // Folders the kernel reported no change in are not even listed again.
        let touched = changedPaths.map { paths in
            Set(paths.compactMap { path -> Substring? in
                let parts = path.split(separator: "/", maxSplits: 2)
                return parts.count >= 2 && parts[0] == "issues" ? parts[1] : nil
            })
        }
        let loaded = issueFolders.concurrentMap { entry in
            if let touched, !touched.contains(Substring(entry.name)), let known = cache?.issueFolder(entry.name) {
                return (known, [Diagnostic]())
            }
            var local: [Diagnostic] = []
            let folder = loadIssue(named: entry.name, stamp: entry.stamp, diagnostics: &local)
            return (folder, local)
        }
        diagnostics += loaded.flatMap(\.1)

        let staticListing = topFolders.contains("static") ? files(under: "static") : Listing()
        diagnostics += staticListing.symbolicLinks.map { SiteLoader.symbolicLinkWarning("static/\($0)") }
        let staticFiles = Set(staticListing.files)
        var themes: [String: ThemeFolder] = [:]
        for entry in entries(of: "themes") {
            if entry.kind == .symbolicLink { diagnostics.append(SiteLoader.symbolicLinkWarning("themes/\(entry.name)")) }
            guard entry.isDirectory else { continue }
            themes[entry.name] = loadTheme(named: entry.name, diagnostics: &diagnostics)
        }
        let source = SiteSource(
            root: root, siteFile: siteFile, issues: loaded.map(\.0), staticFiles: staticFiles,
            staticImageSizes: imageSizes(of: staticListing, in: "static"), staticDigest: staticListing.digest, themes: themes)
        return (source, diagnostics)
    }

    /// `stamp`: the folder's own, when the listing of `issues/` gave it.
    func loadIssue(named name: String, stamp: FileStamp? = nil, diagnostics: inout [Diagnostic]) -> IssueFolder {
        let folder = "issues/\(name)"
        let listing = files(under: folder, stamp: stamp)
        let folderStamp = listing.stamp
        if let known = cache?.issueFolder(name, stamp: folderStamp) {
            diagnostics += listing.symbolicLinks.map { SiteLoader.symbolicLinkWarning("\(folder)/\($0)") }
            return known
        }
        let files = Set(listing.files)
        func markdownPaths(in subfolder: String) -> [String] {
            // By bytes: `contains("/")` goes through Foundation's search, 2 % of a warm build.
            files.filter {
                $0.hasPrefix(subfolder + "/") && $0.hasSuffix(".md") && !$0.utf8.dropFirst(subfolder.utf8.count + 1).contains(UInt8(ascii: "/"))
            }
                .sorted()
        }
        if let record = buildCache?.unchangedFolder(name, files: listing.stamps, symbolicLinks: listing.symbolicLinks) {
            // As the last build found it: what it said is said again, nothing is read.
            diagnostics += record.loadDiagnostics
            func unread(_ path: String) -> SourceFile { SourceFile(path: "\(folder)/\(path)", data: Data(), stamp: listing.stamps[path]) }
            return IssueFolder(
                name: name, issueFile: files.contains("issue.md") ? unread("issue.md") : nil,
                articles: markdownPaths(in: "articles").map(unread), briefs: markdownPaths(in: "en-bref").map(unread),
                files: files, imageSizes: Dictionary(record.files.compactMap { file in file.imageSize.map { (file.path, $0) } }) { first, _ in first },
                stamp: folderStamp, stamps: listing.stamps, symbolicLinks: listing.symbolicLinks,
                loadDiagnostics: record.loadDiagnostics, isRead: false)
        }
        var said = listing.symbolicLinks.map { SiteLoader.symbolicLinkWarning("\(folder)/\($0)") }
        var issueFile: SourceFile?
        if files.contains("issue.md") {
            issueFile = read("\(folder)/issue.md", stamp: listing.stamps["issue.md"], into: &said)
        } else {
            said.append(Diagnostic(
                .error, "issue folder has no issue.md (every folder under issues/ is an issue)",
                path: folder))
        }
        func markdownFiles(in subfolder: String) -> [SourceFile] {
            markdownPaths(in: subfolder).compactMap { read("\(folder)/\($0)", stamp: listing.stamps[$0], into: &said) }
        }
        let loaded = IssueFolder(
            name: name, issueFile: issueFile,
            articles: markdownFiles(in: "articles"), briefs: markdownFiles(in: "en-bref"),
            files: files, imageSizes: imageSizes(of: listing, in: folder), stamp: folderStamp,
            stamps: listing.stamps, symbolicLinks: listing.symbolicLinks, loadDiagnostics: said)
        diagnostics += said
        // A folder whose files could not all be read is read again next time.
        if said.isEmpty { cache?.store(loaded) } else { cache?.forgetIssueFolder(name) }
        return loaded
    }

    private func loadTheme(named name: String, diagnostics: inout [Diagnostic]) -> ThemeFolder {
        let folder = "themes/\(name)"
        let listing = files(under: folder)
        var texts: [String: Data] = [:]
        for path in listing.files where ThemeFolder.isText(path) {
            // Unreadable or not UTF-8: the theme says so, naming the file.
            var ignored: [Diagnostic] = []
            texts[path] = read("\(folder)/\(path)", stamp: listing.stamps[path], into: &ignored)?.data
        }
        return ThemeFolder(
            name: name, files: Set(listing.files), texts: texts, symbolicLinks: listing.symbolicLinks, stamp: listing.stamp,
            digest: listing.digest)
    }

    private func read(_ path: String, stamp: FileStamp? = nil, into diagnostics: inout [Diagnostic]) -> SourceFile? {
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let data = try Data(contentsOf: url)
            cache?.countRead()
            return SourceFile(path: path, data: data, stamp: stamp)
        } catch {
            diagnostics.append(Diagnostic(.error, "cannot read file: \(error.localizedDescription)", path: path))
            return nil
        }
    }

    /// Sizes of the listed images that are published as they are (GIF, SVG), by path
    /// relative to `folder` (relative to the site). A photo's size comes from its copies
    /// (see `ImageProcessor`): reading its header here was a tenth of a warm build.
    private func imageSizes(of listing: Listing, in folder: String) -> [String: ImageSize] {
        var sizes: [String: ImageSize] = [:]
        for file in listing.files where ImageSize.hasImageExtension(file) && !Recipe.isRaster(file) {
            let path = "\(folder)/\(file)"
            let stamp = listing.stamps[file]
            if let stamp, let known = cache?.imageSize(at: path, stamp: stamp) {
                sizes[file] = known
                continue
            }
            let size = ImageSize.read(root.appendingPathComponent(path))
            if let stamp { cache?.store(size, at: path, stamp: stamp) }
            sizes[file] = size
        }
        return sizes
    }

    typealias Entry = FolderListings.Entry

    /// Entries of a folder (relative to the site), without those whose name starts with
    /// `.` or `_`. Symbolic links are reported as such, never followed: one could loop, or
    /// lead outside the site.
    func visibleEntries(of folder: String, stamp: FileStamp? = nil) -> [Entry] {
        // Not Foundation's listing and URL paths: they cost a tenth of a rebuild.
        (listings.entries(of: folder, stamp: stamp) ?? []).filter { entry in
            guard let first = entry.name.utf8.first else { return false }
            return first != UInt8(ascii: ".") && first != UInt8(ascii: "_")
        }
    }

    /// The same, of a folder anywhere, listed afresh.
    static func visibleEntries(of folder: URL) -> [Entry] {
        SiteLoader(root: folder).visibleEntries(of: ".")
    }

    struct Listing {
        /// Regular files, relative to the folder listed, `/`-separated.
        var files: [String] = []
        var symbolicLinks: [String] = []
        /// What `lstat` said of each file, by the same paths as `files`.
        var stamps: [String: FileStamp] = [:]

        /// Changes when a file is added, removed, renamed or changed, or a link appears.
        var stamp: Int {
            var hasher = Hasher()
            for file in files.sorted() {
                hasher.combine(file)
                hasher.combine(stamps[file])
            }
            hasher.combine(symbolicLinks.sorted())
            return hasher.finalize()
        }

        /// The same, from one run to the next.
        var digest: UInt64 {
            var hasher = StableHasher()
            for file in files.sorted() {
                hasher.combine(file)
                stamps[file]?.combine(into: &hasher)
            }
            for link in symbolicLinks.sorted() { hasher.combine(link) }
            return hasher.finalize()
        }
    }

    /// Every visible regular file under a folder (relative to the site), and the symbolic
    /// links left out.
    func files(under folder: String, stamp: FileStamp? = nil, prefix: String = "") -> Listing {
        var listing = Listing()
        for entry in visibleEntries(of: folder, stamp: stamp) {
            let relative = prefix + entry.name
            switch entry.kind {
            case .file:
                listing.files.append(relative)
                listing.stamps[relative] = entry.stamp
            case .directory:
                let inner = files(under: folder + "/" + entry.name, stamp: entry.stamp, prefix: relative + "/")
                listing.files += inner.files
                listing.symbolicLinks += inner.symbolicLinks
                listing.stamps.merge(inner.stamps) { first, _ in first }
            case .symbolicLink: listing.symbolicLinks.append(relative)
            case .other: break
            }
        }
        return listing
    }

    /// The same, of a folder anywhere, listed afresh.
    static func files(under folder: URL) -> Listing {
        SiteLoader(root: folder).files(under: ".")
    }

    static func symbolicLinkWarning(_ path: String) -> Diagnostic {
        Diagnostic(.warning, "symbolic link left out of the site: copy the file or folder itself here", path: path)
    }
}
