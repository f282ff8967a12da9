import Foundation
import Synchronization

/// What the previous builds of one process read and made, for `serve`: each stage looks
/// here before working, under a key made of everything its result depends on, so that a
/// rebuild after a save reads, parses and renders only what the save changed.
///
/// - Load: each issue folder, while the kernel reports no change in it or its files'
///   `lstat` stamps are the same (a changed folder is read whole again); image sizes,
///   by path and stamp.
/// - Parse: each issue folder's parse, while none of its files and no static path changed;
///   the theme, while its folder did not change.
/// - Content: each Markdown file's rendering, while its text and settings are the same and
///   every link it holds gets the same answer; each issue with all its bodies and its
///   front-matter typeset, while its folder and no folder its links lead to was parsed again.
/// - Render: each issue's output files, while the issue, what its pages show of its
///   neighbours and the site-wide inputs are the same; home, archive, feed and sitemap,
///   while what they show is the same.
///
/// Keys are hashes, valid in this process only. `build` without `serve` never uses it.
/// docs/architecture.md has the whole table.
public final class RenderCache: Sendable {
    private struct State {
        var folders: [String: IssueFolder] = [:]
        /// The folders of `issues/` by name, in order, and what listing it said (links left out).
        var issuesListing: (names: [String], diagnostics: [Diagnostic])?
        var imageSizes: [String: (stamp: FileStamp, size: ImageSize?)] = [:]
        var parsed: [String: ParsedIssue] = [:]
        var rendered: [String: RenderedIssue] = [:]
        var theme: (key: Int, theme: Theme?, diagnostics: [Diagnostic])?
        var entries: [String: (key: Int, files: [OutputFile], email: EmailCheck)] = [:]
        var sitePages: [String: (key: Int, file: OutputFile)] = [:]
        var markdown: [String: (key: Int, entry: MarkdownEntry)] = [:]
        /// Numbers results as they are made: a result made again gets a new one.
        var nextSerial = 1
        var lastBuild: (serials: [String: Int], staticFiles: Set<String>, publication: Int)?
        var hits = Hits()
    }

    /// What the builds since the last `takeHits` took from the cache.
    struct Hits: Equatable {
        var issues = 0
        var markdownFiles = 0
        var parsedIssues = 0
        /// Files read from disk: `site.yml` at every build, Markdown and theme files when
        /// their folder changed.
        var filesRead = 0
    }

    /// An issue folder as parsed, with the serial that tells its later stages it is the same.
    struct ParsedIssue: Sendable {
        /// The issue folder's name.
        let folder: String
        let key: Int
        let issue: Issue?
        let diagnostics: [Diagnostic]
        let serial: Int
    }

    /// A Markdown file as rendered, with every URL it asked about and the answer it got:
    /// the same text, settings and answers render the same.
    struct MarkdownEntry: Sendable {
        let rendered: RenderedMarkdown
        let diagnostics: [Diagnostic]
        let resolutions: [(url: String, location: SourceLocation, resolution: URLResolution)]
        /// Links to anchors that are no heading, to look for on their pages.
        var anchors: [ContentRenderer.AnchorCheck]
        /// The issue folders (and `static/`) whose parse the answers depend on.
        let dependencies: Set<String>
        var serial = 0
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Load

    /// Counts a Markdown or theme file read from disk.
    func countRead() {
        state.withLock { $0.hits.filesRead += 1 }
    }

    /// An issue folder as loaded, while none of its files changed.
    func issueFolder(_ name: String, stamp: Int) -> IssueFolder? {
        state.withLock { state in
            guard let known = state.folders[name], known.stamp == stamp else { return nil }
            return known
        }
    }

    /// An issue folder as last loaded, whatever its files say now.
    /// The folders of `issues/` as the last build listed them.
    var issuesListing: (names: [String], diagnostics: [Diagnostic])? {
        get { state.withLock { $0.issuesListing } }
        set { state.withLock { $0.issuesListing = newValue } }
    }

    func issueFolder(_ name: String) -> IssueFolder? {
        state.withLock { $0.folders[name] }
    }

    func forgetIssueFolder(_ name: String) {
        _ = state.withLock { $0.folders.removeValue(forKey: name) }
    }

    func store(_ folder: IssueFolder) {
        state.withLock { $0.folders[folder.name] = folder }
    }

    func imageSize(at path: String, stamp: FileStamp) -> ImageSize?? {
        state.withLock { state in
            guard let known = state.imageSizes[path], known.stamp == stamp else { return nil }
            return .some(known.size)
        }
    }

    func store(_ size: ImageSize?, at path: String, stamp: FileStamp) {
        state.withLock { $0.imageSizes[path] = (stamp, size) }
    }

    // MARK: Parse

    func parsedIssue(_ folder: String, key: Int) -> ParsedIssue? {
        state.withLock { state in
            guard let known = state.parsed[folder], known.key == key else { return nil }
            state.hits.parsedIssues += 1
            return known
        }
    }

    /// Remembers a parse and returns it with its serial.
    func store(_ issue: Issue?, diagnostics: [Diagnostic], for folder: String, key: Int) -> ParsedIssue {
        state.withLock { state in
            let parsed = ParsedIssue(folder: folder, key: key, issue: issue, diagnostics: diagnostics, serial: state.nextSerial)
            state.nextSerial += 1
            state.parsed[folder] = parsed
            return parsed
        }
    }

    /// The theme as made from its folder, with what making it said.
    func theme(key: Int) -> (Theme?, [Diagnostic])? {
        state.withLock { state in
            guard let known = state.theme, known.key == key else { return nil }
            return (known.theme, known.diagnostics)
        }
    }

    func store(_ theme: Theme?, diagnostics: [Diagnostic], key: Int) {
        state.withLock { $0.theme = (key, theme, diagnostics) }
    }

    // MARK: Content

    func markdown(for path: String, key: Int) -> MarkdownEntry? {
        state.withLock { state in
            guard let cached = state.markdown[path], cached.key == key else { return nil }
            return cached.entry
        }
    }

    /// Counts a Markdown file whose entry was used (its links still answered the same).
    func countMarkdownHit() {
        state.withLock { $0.hits.markdownFiles += 1 }
    }

    /// An issue with its bodies rendered, and what that depended on.
    struct RenderedIssue: Sendable {
        let issue: Issue
        let contentKey: Int
        let parseSerial: Int
        /// The settings the bodies were rendered with.
        let settings: Int
        /// The folders (and `static/`) whose parse the answers to its links depend on.
        let dependencies: Set<String>
        let diagnostics: [Diagnostic]
        let anchors: [ContentRenderer.AnchorCheck]
        let bodyCount: Int
    }

    func rendered(for folder: String) -> RenderedIssue? {
        state.withLock { $0.rendered[folder] }
    }

    func store(rendered: RenderedIssue, for folder: String) {
        state.withLock { $0.rendered[folder] = rendered }
    }

    func countMarkdownHits(_ count: Int) {
        state.withLock { $0.hits.markdownFiles += count }
    }

    func update(anchors: [ContentRenderer.AnchorCheck], for path: String) {
        state.withLock { state in state.markdown[path]?.entry.anchors = anchors }
    }

    /// The issue folders whose parse changed since the last build, and `static/` when its
    /// paths did (`ContentRenderer.changedFolders`); nil the first time, or when today or
    /// the selection of issues changed, which can change any link's answer.
    func changedFolders(serials: [String: Int], staticFiles: Set<String>, publication: Int) -> Set<String>? {
        state.withLock { state in
            defer { state.lastBuild = (serials, staticFiles, publication) }
            guard let last = state.lastBuild, last.publication == publication else { return nil }
            var changed = Set(serials.keys.filter { last.serials[$0] != serials[$0] })
            changed.formUnion(last.serials.keys.filter { serials[$0] == nil })
            if last.staticFiles != staticFiles { changed.insert(ContentRenderer.staticDependency) }
            return changed
        }
    }

    /// Remembers a rendering and returns its serial.
    func store(_ entry: MarkdownEntry, for path: String, key: Int) -> Int {
        state.withLock { state in
            var entry = entry
            entry.serial = state.nextSerial
            state.nextSerial += 1
            state.markdown[path] = (key, entry)
            return entry.serial
        }
    }

    // MARK: Render

    func files(for slug: String, key: Int) -> (files: [OutputFile], email: EmailCheck)? {
        state.withLock { state in
            guard let entry = state.entries[slug], entry.key == key else { return nil }
            state.hits.issues += 1
            return (entry.files, entry.email)
        }
    }

    func store(_ files: [OutputFile], email: EmailCheck, for slug: String, key: Int) {
        state.withLock { $0.entries[slug] = (key, files, email) }
    }

    /// A file that is no issue's (home, archive, feed), by output path.
    func sitePage(_ path: String, key: Int) -> OutputFile? {
        state.withLock { state in
            guard let known = state.sitePages[path], known.key == key else { return nil }
            return known.file
        }
    }

    func store(sitePage file: OutputFile, key: Int) {
        state.withLock { $0.sitePages[file.path] = (key, file) }
    }

    /// Kept across rebuilds: hashing the summaries of thousands of issues at every
    /// rebuild cost a twentieth of it.
    let listedKeys = ListedKeysMemo()

    func takeHits() -> Hits {
        state.withLock { state in
            defer { state.hits = Hits() }
            return state.hits
        }
    }

    /// Forgets issues that are gone.
    func keep(only slugs: Set<String>) {
        state.withLock { state in
            state.entries = state.entries.filter { slugs.contains($0.key) }
        }
        listedKeys.keep(only: slugs)
    }

    /// Forgets what was read, parsed and rendered of files and folders that are gone.
    /// Only when their number changed: a file renamed within a folder leaves an entry
    /// behind until then, which costs memory, never a stale page (entries are keyed by path).
    func keepSources(of issues: [IssueFolder]) {
        let fileCount = issues.reduce(0) { $0 + ($1.issueFile == nil ? 0 : 1) + $1.articles.count + $1.briefs.count }
        guard state.withLock({ $0.markdown.count != fileCount || $0.folders.count > issues.count || $0.parsed.count > issues.count })
        else { return }
        let folders = Set(issues.map(\.name))
        let paths = Set(issues.flatMap { [$0.issueFile].compactMap { $0 } + $0.articles + $0.briefs }.map(\.path))
        state.withLock { state in
            state.markdown = state.markdown.filter { paths.contains($0.key) }
            state.parsed = state.parsed.filter { folders.contains($0.key) }
            state.folders = state.folders.filter { folders.contains($0.key) }
            state.rendered = state.rendered.filter { folders.contains($0.key) }
        }
    }

}

/// Where the renderer finds the files it made before under the same key: `serve`'s
/// `RenderCache` (the files themselves, in memory) or `build`'s `BuildCache` (files left
/// in the output folder as they are). Both are asked with the same keys.
protocol RenderMemo: Sendable {
    /// An issue's pages and e-mail, with what the e-mail's preflight found and measured.
    func files(for slug: String, key: Int) -> (files: [OutputFile], email: EmailCheck)?
    func store(_ files: [OutputFile], email: EmailCheck, for slug: String, key: Int)
    /// A file that is no issue's (home, archive, feed), by output path.
    func sitePage(_ path: String, key: Int) -> OutputFile?
    func store(sitePage file: OutputFile, key: Int)
    /// What lists and the sitemap show of each issue, hashed once for each content key.
    var listedKeys: ListedKeysMemo { get }
    /// Forgets issues that are gone.
    func keep(only slugs: Set<String>)
}

extension RenderCache: RenderMemo {}

/// The keys of the render stage: hashes that are the same in every process (so that a
/// build can find what the last one made) of everything a file shows.
extension SiteRenderer {
    /// What every issue's pages read besides the issue and its neighbours: the site's
    /// settings and the build's options (`inputsKey`), the theme, the newest issue's year
    /// (in the footer), the site's address and the sizes of its images. Today is not in
    /// it, only whether each issue shown is in the future (it is marked): a build on the
    /// next day finds the same keys.
    var sharedRenderKey: Int {
        var hasher = StableHasher()
        hasher.combine(inputsKey)
        hasher.combine(theme.fingerprint)
        hasher.combine(model.issues.first?.date.year ?? 0)
        hasher.combine(address != nil)
        hasher.combine(bytes: address?.bytes ?? [])
        hasher.combine(typographer.language?.rawValue)
        hasher.combine(pageScript)
        // The copies' names hold their images' content: another photo, other names. Each
        // entry hashed alone and the hashes added, which no order changes: sorting hundreds
        // of paths was a part of every warm build.
        var copies: UInt64 = 0
        for (path, made) in images?.variants ?? [:] {
            var entry = StableHasher()
            entry.combine(path)
            for variant in made.copies { entry.combine(variant.path) }
            copies &+= entry.finalize()
        }
        hasher.combine(copies)
        var sizes: UInt64 = 0
        for (path, size) in imageSizes {
            var entry = StableHasher()
            entry.combine(path)
            entry.combine(size.width)
            entry.combine(size.height)
            sizes &+= entry.finalize()
        }
        hasher.combine(sizes)
        return Int(truncatingIfNeeded: hasher.finalize())
    }

    /// The key of a file that shows what lists show of `listed` and all of `full` (nil
    /// when one of these has no content key).
    func sitePageKey(_ path: String, shared: Int, full: some Sequence<Issue>, listed: some Sequence<Issue>) -> Int? {
        var hasher = StableHasher()
        hasher.combine(path)
        hasher.combine(shared)
        for issue in full {
            guard let content = contentKeys[issue.slug] else { return nil }
            hasher.combine(issue.slug)
            hasher.combine(content)
            hasher.combine(model.isFuture(issue))
        }
        for issue in listed {
            hasher.combine(listedKeys(of: issue).listed)
            hasher.combine(model.isFuture(issue))
        }
        return Int(truncatingIfNeeded: hasher.finalize())
    }

    /// What the sitemap lists: every page's path and each issue's date.
    func sitemapKey(shared: Int) -> Int {
        var hasher = StableHasher()
        hasher.combine(shared)
        for issue in model.issues { hasher.combine(listedKeys(of: issue).sitemap) }
        return Int(truncatingIfNeeded: hasher.finalize())
    }

    /// The key of one issue's files: the shared key, the issue (by the content key the
    /// content stage gave it; nil without one), and what its pages show of the neighbours
    /// they link to.
    func renderKey(of issue: Issue, at position: Int, shared: Int) -> Int? {
        guard let content = contentKeys[issue.slug] else { return nil }
        var hasher = StableHasher()
        hasher.combine(shared)
        hasher.combine(issue.slug)
        hasher.combine(content)
        hasher.combine(model.isFuture(issue))
        let neighbours = model.neighbours(of: position)
        for neighbour in [neighbours.newer, neighbours.older] {
            hasher.combine(neighbour.map { listedKeys(of: $0).listed } ?? 0)
            hasher.combine(neighbour.map { model.isFuture($0) } ?? false)
        }
        return Int(truncatingIfNeeded: hasher.finalize())
    }
}

extension SiteRenderer {
    fileprivate func listedKeys(of issue: Issue) -> RenderCache.ListedKeys {
        cache?.listedKeys.keys(of: issue, contentKey: contentKeys[issue.slug]) ?? RenderCache.ListedKeys(issue)
    }
}

extension RenderCache {
    /// Hashes of what a list shows of an issue (`IssueView` without its contents: a
    /// neighbour's article edits leave the pages that link to it as they were): its slug
    /// and the fields its keys declare `listed` (`Parse/Keys.swift`); and of what the
    /// sitemap shows.
    struct ListedKeys: Sendable {
        let listed: Int
        let sitemap: Int

        init(_ issue: Issue) {
            var hasher = StableHasher()
            hasher.combine(issue.slug)
            for key in Issue.Fields.Key.allCases { key.field.listed?(issue, &hasher) }
            listed = Int(truncatingIfNeeded: hasher.finalize())
            var sitemap = StableHasher()
            sitemap.combine(issue.slug)
            sitemap.combine(issue.date.description)
            for article in issue.articles { sitemap.combine(article.slug) }
            self.sitemap = Int(truncatingIfNeeded: sitemap.finalize())
        }
    }
}

/// What lists and the sitemap show of each issue (`RenderCache.ListedKeys`), hashed once
/// for each content key of the issue.
final class ListedKeysMemo: Sendable {
    private let known = Mutex<[String: (contentKey: Int, keys: RenderCache.ListedKeys)]>([:])

    func keys(of issue: Issue, contentKey: Int?) -> RenderCache.ListedKeys {
        guard let contentKey else { return RenderCache.ListedKeys(issue) }
        if let known = known.withLock({ $0[issue.slug] }), known.contentKey == contentKey { return known.keys }
        let keys = RenderCache.ListedKeys(issue)
        known.withLock { $0[issue.slug] = (contentKey, keys) }
        return keys
    }

    /// Forgets issues that are gone.
    func keep(only slugs: Set<String>) {
        known.withLock { known in
            if known.count > slugs.count { known = known.filter { slugs.contains($0.key) } }
        }
    }
}
