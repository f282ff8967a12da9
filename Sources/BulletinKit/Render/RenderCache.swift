import Synchronization

/// The files of each issue from the last build, with a key of everything they were
/// rendered from: `serve` renders again only the issues whose key changed. Built only in
/// memory, for one process; `build` never uses it.
public final class RenderCache: Sendable {
    private struct State {
        var entries: [String: (key: Int, files: [OutputFile])] = [:]
        var markdown: [String: (key: Int, entry: MarkdownEntry)] = [:]
        var hits = Hits()
    }

    /// What the builds since the last `takeHits` took from the cache.
    struct Hits: Equatable {
        var issues = 0
        var markdownFiles = 0
    }

    /// A Markdown file as rendered, with every URL it asked about and the answer it got:
    /// the same text, settings and answers render the same.
    struct MarkdownEntry: Sendable {
        let rendered: RenderedMarkdown
        let diagnostics: [Diagnostic]
        let resolutions: [(url: String, location: SourceLocation, resolution: URLResolution)]
    }

    private let state = Mutex(State())

    public init() {}

    func files(for slug: String, key: Int) -> [OutputFile]? {
        state.withLock { state in
            guard let entry = state.entries[slug], entry.key == key else { return nil }
            state.hits.issues += 1
            return entry.files
        }
    }

    func store(_ files: [OutputFile], for slug: String, key: Int) {
        state.withLock { $0.entries[slug] = (key, files) }
    }

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

    func store(_ entry: MarkdownEntry, for path: String, key: Int) {
        state.withLock { $0.markdown[path] = (key, entry) }
    }

    func takeHits() -> Hits {
        state.withLock { state in
            defer { state.hits = Hits() }
            return state.hits
        }
    }

    /// Forgets issues that are gone.
    func keep(only slugs: Set<String>) {
        state.withLock { state in state.entries = state.entries.filter { slugs.contains($0.key) } }
    }

    /// Forgets Markdown files that are gone.
    func keepMarkdown(only paths: Set<String>) {
        state.withLock { state in state.markdown = state.markdown.filter { paths.contains($0.key) } }
    }
}

extension SiteRenderer {
    /// What every issue's pages read besides the issue and its neighbours: the site's
    /// settings, the theme, today (future issues are marked), the newest issue's year (in
    /// the footer), the site's address and the sizes of its images.
    var sharedRenderKey: Int {
        var hasher = Hasher()
        hasher.combine(model.config)
        hasher.combine(theme.fingerprint)
        hasher.combine(model.today)
        hasher.combine(model.issues.first?.date.year)
        hasher.combine(addressHTML)
        hasher.combine(typographer.language)
        for (path, size) in imageSizes.sorted(by: { $0.key < $1.key }) {
            hasher.combine(path)
            hasher.combine(size)
        }
        return hasher.finalize()
    }

    /// The key of one issue's files: the shared key, the issue, and what its pages show of
    /// the neighbours they link to.
    func renderKey(of issue: Issue, at position: Int, shared: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(shared)
        hasher.combine(issue)
        let neighbours = model.neighbours(of: position)
        for neighbour in [neighbours.newer, neighbours.older] {
            hasher.combine(neighbour.map(ListedIssue.init))
        }
        return hasher.finalize()
    }
}

/// What a list shows of an issue (`IssueView` without its contents): a neighbour's
/// article edits leave the pages that link to it as they were.
private struct ListedIssue: Hashable {
    let slug: String
    let number: Int
    let title: String
    let date: SimpleDate
    let summary: String
    let cover: ImageRef?
    let isDraft: Bool

    init(_ issue: Issue) {
        slug = issue.slug
        number = issue.number
        title = issue.title
        date = issue.date
        summary = issue.effectiveSummary
        cover = issue.cover
        isDraft = issue.isDraft
    }
}
