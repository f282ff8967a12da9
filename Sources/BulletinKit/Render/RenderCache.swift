import Synchronization

/// The files of each issue from the last build, with a key of everything they were
/// rendered from: `serve` renders again only the issues whose key changed. Built only in
/// memory, for one process; `build` never uses it.
public final class RenderCache: Sendable {
    private struct State {
        var entries: [String: (key: Int, files: [OutputFile])] = [:]
        var markdown: [String: (key: Int, entry: MarkdownEntry)] = [:]
        var hits = 0
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
            state.hits += 1
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

    func store(_ entry: MarkdownEntry, for path: String, key: Int) {
        state.withLock { $0.markdown[path] = (key, entry) }
    }

    /// How many issues were taken from the cache since the last call.
    func takeHits() -> Int {
        state.withLock { state in
            defer { state.hits = 0 }
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

    /// The key of one issue's files: the shared key, the issue, and the neighbours its
    /// pages link to.
    func renderKey(of issue: Issue, at position: Int, shared: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(shared)
        hasher.combine(issue)
        let neighbours = model.neighbours(of: position)
        hasher.combine(neighbours.newer)
        hasher.combine(neighbours.older)
        return hasher.finalize()
    }
}
