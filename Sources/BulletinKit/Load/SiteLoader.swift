import Foundation

/// Stage 1: reads the site folder into memory. The only stage besides writing that
/// touches the disk; everything after it works on values.
struct SiteLoader {
    let root: URL

    func load() -> (SiteSource, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let siteFile = read("site.yml", into: &diagnostics)
        if siteFile == nil, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.error, "no site.yml in \(root.path): is this a Bulletin site?", path: nil))
        }

        let issueEntries = SiteLoader.visibleEntries(of: root.appendingPathComponent("issues"))
        for entry in issueEntries where entry.kind == .symbolicLink {
            diagnostics.append(SiteLoader.symbolicLinkWarning("issues/\(entry.name)"))
        }
        let issueNames = issueEntries.filter(\.isDirectory).map(\.name).sorted()
        let loaded = issueNames.concurrentMap { name in
            var local: [Diagnostic] = []
            let folder = loadIssue(named: name, diagnostics: &local)
            return (folder, local)
        }
        diagnostics += loaded.flatMap(\.1)

        let staticFolder = root.appendingPathComponent("static")
        let staticListing = SiteLoader.files(under: staticFolder)
        diagnostics += staticListing.symbolicLinks.map { SiteLoader.symbolicLinkWarning("static/\($0)") }
        let staticFiles = Set(staticListing.files)
        let source = SiteSource(
            root: root, siteFile: siteFile, issues: loaded.map(\.0), staticFiles: staticFiles,
            staticImageSizes: SiteLoader.imageSizes(of: staticFiles, in: staticFolder))
        return (source, diagnostics)
    }

    private func loadIssue(named name: String, diagnostics: inout [Diagnostic]) -> IssueFolder {
        let folder = "issues/\(name)"
        let listing = SiteLoader.files(under: root.appendingPathComponent(folder))
        diagnostics += listing.symbolicLinks.map { SiteLoader.symbolicLinkWarning("\(folder)/\($0)") }
        let files = Set(listing.files)
        var issueFile: SourceFile?
        if files.contains("issue.md") {
            issueFile = read("\(folder)/issue.md", into: &diagnostics)
        } else {
            diagnostics.append(Diagnostic(
                .error, "issue folder has no issue.md (every folder under issues/ is an issue)",
                path: folder))
        }
        func markdownFiles(in subfolder: String) -> [SourceFile] {
            files.filter { $0.hasPrefix(subfolder + "/") && $0.hasSuffix(".md") && !$0.dropFirst(subfolder.count + 1).contains("/") }
                .sorted()
                .compactMap { read("\(folder)/\($0)", into: &diagnostics) }
        }
        return IssueFolder(
            name: name, issueFile: issueFile,
            articles: markdownFiles(in: "articles"), briefs: markdownFiles(in: "en-bref"),
            files: files, imageSizes: SiteLoader.imageSizes(of: files, in: root.appendingPathComponent(folder)))
    }

    private func read(_ path: String, into diagnostics: inout [Diagnostic]) -> SourceFile? {
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return SourceFile(path: path, data: try Data(contentsOf: url))
        } catch {
            diagnostics.append(Diagnostic(.error, "cannot read file: \(error.localizedDescription)", path: path))
            return nil
        }
    }

    static func imageSizes(of files: Set<String>, in folder: URL) -> [String: ImageSize] {
        var sizes: [String: ImageSize] = [:]
        for file in files where ImageSize.extensions.contains((file as NSString).pathExtension.lowercased()) {
            sizes[file] = ImageSize.read(folder.appendingPathComponent(file))
        }
        return sizes
    }

    struct Entry {
        enum Kind { case file, directory, symbolicLink, other }
        let name: String
        let kind: Kind
        var isDirectory: Bool { kind == .directory }
    }

    /// Entries of a folder, without those whose name starts with `.` or `_`. Symbolic
    /// links are reported as such, never followed: one could loop, or lead outside the site.
    static func visibleEntries(of folder: URL) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.map { name in
            var info = stat()
            guard lstat(folder.appendingPathComponent(name).path, &info) == 0 else { return Entry(name: name, kind: .other) }
            let kind: Entry.Kind =
                switch info.st_mode & S_IFMT {
                case S_IFREG: .file
                case S_IFDIR: .directory
                case S_IFLNK: .symbolicLink
                default: .other
                }
            return Entry(name: name, kind: kind)
        }
    }

    struct Listing {
        /// Regular files, relative to the folder listed, `/`-separated.
        var files: [String] = []
        var symbolicLinks: [String] = []
    }

    /// Every visible regular file under a folder, and the symbolic links left out.
    static func files(under folder: URL, prefix: String = "") -> Listing {
        var listing = Listing()
        for entry in visibleEntries(of: folder) {
            let relative = prefix + entry.name
            switch entry.kind {
            case .file: listing.files.append(relative)
            case .directory:
                let inner = files(under: folder.appendingPathComponent(entry.name), prefix: relative + "/")
                listing.files += inner.files
                listing.symbolicLinks += inner.symbolicLinks
            case .symbolicLink: listing.symbolicLinks.append(relative)
            case .other: break
            }
        }
        return listing
    }

    static func symbolicLinkWarning(_ path: String) -> Diagnostic {
        Diagnostic(.warning, "symbolic link left out of the site: copy the file or folder itself here", path: path)
    }
}
