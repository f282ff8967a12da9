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

        let issueNames = SiteLoader.visibleEntries(of: root.appendingPathComponent("issues"))
            .filter { $0.isDirectory }
            .map(\.name)
            .sorted()
        let loaded = issueNames.concurrentMap { name in
            var local: [Diagnostic] = []
            let folder = loadIssue(named: name, diagnostics: &local)
            return (folder, local)
        }
        diagnostics += loaded.flatMap(\.1)

        let staticFolder = root.appendingPathComponent("static")
        let staticFiles = Set(SiteLoader.files(under: staticFolder))
        let source = SiteSource(
            root: root, siteFile: siteFile, issues: loaded.map(\.0), staticFiles: staticFiles,
            staticImageSizes: SiteLoader.imageSizes(of: staticFiles, in: staticFolder))
        return (source, diagnostics)
    }

    private func loadIssue(named name: String, diagnostics: inout [Diagnostic]) -> IssueFolder {
        let folder = "issues/\(name)"
        let files = Set(SiteLoader.files(under: root.appendingPathComponent(folder)))
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
        let name: String
        let isDirectory: Bool
    }

    /// Entries of a folder, without those whose name starts with `.` or `_`.
    static func visibleEntries(of folder: URL) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.map { name in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
            return Entry(name: name, isDirectory: isDirectory.boolValue)
        }
    }

    /// Every visible regular file under a folder, relative to it, `/`-separated.
    static func files(under folder: URL, prefix: String = "") -> [String] {
        visibleEntries(of: folder).flatMap { entry -> [String] in
            let relative = prefix + entry.name
            if entry.isDirectory {
                return files(under: folder.appendingPathComponent(entry.name), prefix: relative + "/")
            }
            return [relative]
        }
    }
}
