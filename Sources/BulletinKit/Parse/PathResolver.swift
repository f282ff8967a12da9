import Foundation

/// Resolves a path an editor wrote in a file of an issue, as Markdown previews do:
/// relative to that file, `/…` under `static/`.
struct PathResolver {
    enum Target: Equatable {
        /// A file copied to the output, by its output path.
        case asset(String)
        /// A Markdown source file of the site (a link to a page), by its source path.
        case markdown(String)
    }

    let folder: IssueFolder
    /// The slug the issue is published under.
    let slug: String
    let staticFiles: Set<String>
    /// Folder of the file that contains the path, relative to the issue folder (`""`, `articles`).
    let directory: String

    func resolve(_ raw: String) -> Result<Target, PathError> {
        if let target = try? resolveExact(raw).get() { return .success(target) }
        if raw.contains("%"), let decoded = raw.removingPercentEncoding, decoded != raw {
            return resolveExact(decoded)
        }
        return resolveExact(raw)
    }

    private func resolveExact(_ path: String) -> Result<Target, PathError> {
        if path.hasPrefix("/") {
            let relative = String(path.drop { $0 == "/" })
            return staticFiles.contains(relative)
                ? .success(.asset(relative)) : .failure(PathError("file not found: static/\(relative)"))
        }
        let base = ["issues", folder.name] + directory.split(separator: "/").map(String.init)
        guard let components = Self.normalize(base + path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)) else {
            return .failure(PathError("path \(path) leaves the site folder"))
        }
        if components.count > 2, components[0] == "issues", components[1] == folder.name {
            let inside = components.dropFirst(2).joined(separator: "/")
            guard folder.files.contains(inside) else {
                return .failure(PathError("file not found: \(path) (looked for \(folder.path)/\(inside))"))
            }
            return .success(inside.hasSuffix(".md") ? .markdown("\(folder.path)/\(inside)") : .asset("issues/\(slug)/\(inside)"))
        }
        if components.count > 2, components[0] == "issues", path.hasSuffix(".md") {
            return .success(.markdown(components.joined(separator: "/")))
        }
        return .failure(PathError("path \(path) leaves the issue folder (assets must be inside \(folder.path)/ or under static/)"))
    }

    /// Applies `.` and `..`; `nil` when the path climbs above the site folder.
    static func normalize(_ components: [String]) -> [String]? {
        var result: [String] = []
        for component in components {
            switch component {
            case "", ".": continue
            case "..":
                guard !result.isEmpty else { return nil }
                result.removeLast()
            default: result.append(component)
            }
        }
        return result
    }
}

struct PathError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
