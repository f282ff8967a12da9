import Foundation

/// A file read from the site folder, not yet parsed.
struct SourceFile: Sendable {
    /// Path relative to the site's source folder, with `/` separators.
    let path: String
    let data: Data

    /// The file name without its folders.
    var name: String { String(path.split(separator: "/").last ?? "") }
}

/// One folder under `issues/`, read whole.
struct IssueFolder: Sendable {
    /// The folder's name, which gives the issue its slug.
    let name: String
    /// `issues/<name>`
    var path: String { "issues/\(name)" }
    /// The name as published (a warning says so when it differs).
    var slug: String { Slug.make(name) }
    let issueFile: SourceFile?
    let articles: [SourceFile]
    let briefs: [SourceFile]
    /// Every file of the folder (Markdown and assets), relative to the folder.
    let files: Set<String>
    /// Sizes of the folder's images, by path relative to the folder.
    let imageSizes: [String: ImageSize]
}

/// Everything the build reads from the site folder, before parsing.
struct SiteSource: Sendable {
    let root: URL
    let siteFile: SourceFile?
    let issues: [IssueFolder]
    /// Files under `static/`, relative to it.
    let staticFiles: Set<String>
    /// Sizes of the images under `static/`, by path relative to it.
    let staticImageSizes: [String: ImageSize]
}
