import Foundation

/// A file read from the site folder, not yet parsed.
struct SourceFile: Sendable {
    /// Path relative to the site's source folder, with `/` separators.
    let path: String
    let data: Data
    /// What `lstat` said of it when it was read.
    var stamp: FileStamp? = nil

    /// The file name without its folders.
    var name: String { String(path.split(separator: "/").last ?? "") }
}

/// What `lstat` says of a file: when it is the same, the file is taken to be unchanged,
/// as make and Hugo take it. A rebuild reads again only the files whose stamp changed.
struct FileStamp: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64
    let changed: Int64

    init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
    }

    func combine(into hasher: inout StableHasher) {
        for value in [Int64(bitPattern: device), Int64(bitPattern: inode), size, modified, changed] { hasher.combine(Int(value)) }
    }
}

/// One folder under `issues/`, read whole. A class: every build passes thousands of
/// them from the cache to the stages, and copying a struct of this many fields was a
/// tenth of a `serve` rebuild.
final class IssueFolder: Sendable {
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
    /// Changes when any file of the folder does, or when one is added, removed or renamed:
    /// the key under which its parse is remembered between builds.
    let stamp: Int
    /// What `lstat` said of each file, by path relative to the folder.
    let stamps: [String: FileStamp]
    /// Links inside the folder, left out.
    let symbolicLinks: [String]
    /// What reading the folder said (links left out, files that could not be read).
    let loadDiagnostics: [Diagnostic]
    /// `false` for a folder that a cached build found as the last build did: its files
    /// are named but not read (their `data` is empty), and its issue comes from the cache.
    let isRead: Bool

    init(
        name: String, issueFile: SourceFile?, articles: [SourceFile], briefs: [SourceFile], files: Set<String>,
        imageSizes: [String: ImageSize], stamp: Int = 0, stamps: [String: FileStamp] = [:], symbolicLinks: [String] = [],
        loadDiagnostics: [Diagnostic] = [], isRead: Bool = true
    ) {
        self.name = name
        self.issueFile = issueFile
        self.articles = articles
        self.briefs = briefs
        self.files = files
        self.imageSizes = imageSizes
        self.stamp = stamp
        self.stamps = stamps
        self.symbolicLinks = symbolicLinks
        self.loadDiagnostics = loadDiagnostics
        self.isRead = isRead
    }
}

/// A folder under `themes/`: its files listed and the text ones read (templates, locale
/// files, e-mail styles). Its assets are only listed: they are copied when written.
struct ThemeFolder: Sendable {
    let name: String
    /// Every regular file, relative to the folder.
    let files: Set<String>
    /// The contents of the text files, by path relative to the folder; a text file that
    /// could not be read has none.
    let texts: [String: Data]
    let symbolicLinks: [String]
    /// Changes when any of its files does (see `IssueFolder.stamp`).
    var stamp: Int = 0
    /// The same, the same from one run to the next (see `SiteLoader.Listing.digest`).
    var digest: UInt64 = 0

    static func isText(_ path: String) -> Bool { path.hasSuffix(".mustache") || path.hasSuffix(".yml") }
}

/// Everything the build reads from the site folder, before parsing.
struct SiteSource: Sendable {
    let root: URL
    let siteFile: SourceFile?
    var issues: [IssueFolder]
    /// Files under `static/`, relative to it.
    let staticFiles: Set<String>
    /// Sizes of the images under `static/`, by path relative to it.
    let staticImageSizes: [String: ImageSize]
    /// Changes when a file under `static/` is added, removed or changed.
    var staticDigest: UInt64 = 0
    /// The folders under `themes/`, by name.
    var themes: [String: ThemeFolder] = [:]
}
