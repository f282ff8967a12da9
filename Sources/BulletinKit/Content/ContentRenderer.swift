import Foundation
import Synchronization

/// Turns the Markdown bodies of every issue into `Body` trees. Runs after front-matter parsing
/// because a body may link to another issue's page, whose slug comes from its front-matter.
struct ContentRenderer {
    let folders: [String: IssueFolder]
    let staticFiles: Set<String>
    let unsafeHTML: Bool
    /// Sets the bodies and the front-matter's text; `nil` leaves them as written.
    var typographer: Typographer?
    /// From the theme's locale (`footnote_back`, `footnotes_title`).
    var footnoteBackLabel = "Back to content"
    var footnotesTitle = "Notes"
    /// Set by `serve`: a file whose text, settings and links did not change is not rendered again.
    var cache: RenderCache?
    /// Set by `serve`: the parse serial of each issue folder, by folder name, which the
    /// content key of its issue starts from.
    var parseSerials: [String: Int] = [:]
    /// Set by `serve`: the issue folders parsed again since the last build (and
    /// `staticDependency` when the files under `static/` changed); nil when unknown. A
    /// file whose links lead to none of them gets the answers it got: they are not asked again.
    var changedFolders: Set<String>? = nil
    static let staticDependency = "/static"
    /// The site's folder, where the bodies of issues taken from the build cache are read.
    var root: URL? = nil
    /// Every parsed issue by folder name, and whether it is published: the pages that
    /// links lead to are looked up here when a link asks (building a map of every file's
    /// page for each build cost a tenth of a `serve` rebuild).
    private let issuesByFolder: [String: (issue: Issue, isPublished: Bool)]
    /// Heading ids of the files linked to with a `#fragment`, each file parsed once.
    private let headingMemo = HeadingMemo()

    struct Page {
        let path: String
        let isPublished: Bool
        /// The Markdown, whose headings a `#fragment` names.
        let markdown: MarkdownSource
        /// Put before a `#fragment` written in a link to this file (see `editoHeadingPrefix`).
        var fragmentPrefix = ""
        /// Where the file's content stands on its page, when it shares one (En bref items).
        var anchor: String? = nil
    }

    init(issues: [Issue], folders: [IssueFolder], staticFiles: Set<String>, unsafeHTML: Bool, isPublished: (Issue) -> Bool) {
        var folderByName: [String: IssueFolder] = [:]
        for folder in folders { folderByName[folder.name] = folder }
        var issuesByFolder: [String: (issue: Issue, isPublished: Bool)] = [:]
        for issue in issues { issuesByFolder[Self.folderName(of: issue.source.path)] = (issue, isPublished(issue)) }
        self.issuesByFolder = issuesByFolder
        self.folders = folderByName
        self.staticFiles = staticFiles
        self.unsafeHTML = unsafeHTML
    }

    /// `issues/<name>/…` → `<name>`.
    private static func folderName(of path: String) -> String {
        let utf8 = path.utf8
        guard let first = utf8.firstIndex(of: UInt8(ascii: "/")) else { return "" }
        let start = utf8.index(after: first)
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
        return String(path[start..<end])
    }

    /// The page of an issue, article or En bref file, by its source path.
    func page(of source: String) -> Page? {
        guard let (issue, published) = issuesByFolder[Self.folderName(of: source)] else { return nil }
        if issue.source.path == source {
            return Page(path: issue.outputPath, isPublished: published, markdown: issue.source, fragmentPrefix: Self.editoHeadingPrefix)
        }
        if let article = issue.articles.first(where: { $0.source.path == source }) {
            return Page(path: issue.pagePath(of: article), isPublished: published, markdown: article.source)
        }
        if let brief = issue.briefs.first(where: { $0.source.path == source }) {
            return Page(
                path: issue.outputPath, isPublished: published, markdown: brief.source,
                fragmentPrefix: Self.briefHeadingPrefix(brief.slug), anchor: "bref-\(brief.slug)")
        }
        return nil
    }

    /// The text of a body. An issue taken from the build cache has none (it is stored
    /// rendered): its file, unchanged since, is read again when a link names one of its headings.
    private func bodyText(_ markdown: MarkdownSource) -> String {
        guard markdown.text.isEmpty, let root, let data = try? Data(contentsOf: root.appendingPathComponent(markdown.path)),
            case .success(let document) = FrontMatterDocument.split(SourceFile(path: markdown.path, data: data))
        else { return markdown.text }
        return document.body
    }

    /// Whether `path` is an issue, article or En bref file that was read, parsed or not: a
    /// link to one that failed to parse is not reported again (its own error is).
    private func isSource(_ path: String) -> Bool {
        guard let folder = folders[Self.folderName(of: path)] else { return false }
        return folder.issueFile?.path == path || folder.articles.contains { $0.path == path } || folder.briefs.contains { $0.path == path }
    }

    /// Renders the bodies of `issue`. Links to anchors that are no heading are added to
    /// `anchors`, to be looked for on their page once it is rendered. With a cache, also
    /// returns a key that is the same as last time only when the issue's front-matter and
    /// every body came out the same.
    /// `dependencies` gets the folders (and `staticDependency`) whose parse the answers to
    /// its links depend on.
    func render(
        _ issue: Issue, diagnostics: inout [Diagnostic], anchors: inout [AnchorCheck], dependencies: inout Set<String>
    ) -> (Issue, contentKey: Int?) {
        var issue = issue
        let folderName = Self.folderName(of: issue.source.path)
        guard let folder = folders[folderName] else { return (issue, nil) }
        let parseSerial = parseSerials[folderName]
        if let remembered = remembered(
            folderName, parseSerial: parseSerial, diagnostics: &diagnostics, anchors: &anchors, dependencies: &dependencies)
        {
            return remembered
        }
        var serials: [Int] = []
        var own: [Diagnostic] = []
        var found: [AnchorCheck] = []
        if let typographer { issue.typeset(with: typographer) }
        let rendered = Self.bodies(of: issue).map { body in
            render(
                body.source, folder: folder, slug: issue.slug, prefix: body.prefix, headingPrefix: body.headingPrefix,
                diagnostics: &own, anchors: &found, serials: &serials, dependencies: &dependencies)
        }
        diagnostics += own
        anchors += found
        issue.update { fields in
            fields.content = rendered[0]
            for index in fields.articles.indices { fields.articles[index].content = rendered[1 + index] }
            for index in fields.briefs.indices { fields.briefs[index].content = rendered[1 + fields.articles.count + index] }
        }
        guard let parseSerial, serials.count == 1 + issue.articles.count + issue.briefs.count else { return (issue, nil) }
        let key = contentKey(parseSerial: parseSerial, serials: serials)
        cache?.store(rendered: RenderCache.RenderedIssue(
            issue: issue, contentKey: key, parseSerial: parseSerial, settings: settingsKey, dependencies: dependencies,
            diagnostics: own, anchors: found, bodyCount: serials.count), for: folderName)
        return (issue, key)
    }

    /// Each body of an issue with what its ids are prefixed with on a shared page: the
    /// édito, then the articles, then the En bref items.
    private static func bodies(of issue: Issue) -> [(source: MarkdownSource, prefix: String, headingPrefix: String)] {
        [(issue.source, "edito", editoHeadingPrefix)]
            + issue.articles.map { ($0.source, "a-\($0.slug)", "") }
            + issue.briefs.map { ($0.source, "b-\($0.slug)", briefHeadingPrefix($0.slug)) }
    }

    private func contentKey(parseSerial: Int, serials: [Int]) -> Int {
        var key = Hasher()
        key.combine(parseSerial)
        key.combine(typographer?.language)
        key.combine(serials)
        return key.finalize()
    }

    /// The issue as the last build rendered it, when its folder was not parsed again, the
    /// settings are the same and no folder its links lead to was parsed again: no body is
    /// even looked at.
    private func remembered(
        _ folder: String, parseSerial: Int?, diagnostics: inout [Diagnostic], anchors: inout [AnchorCheck],
        dependencies: inout Set<String>
    ) -> (Issue, contentKey: Int?)? {
        guard let cache, let changedFolders, let parseSerial, !changedFolders.contains(folder),
            let known = cache.rendered(for: folder), known.parseSerial == parseSerial, known.settings == settingsKey,
            known.dependencies.isDisjoint(with: changedFolders)
        else { return nil }
        cache.countMarkdownHits(known.bodyCount)
        diagnostics += known.diagnostics
        anchors += known.anchors
        dependencies.formUnion(known.dependencies)
        return (known.issue, known.contentKey)
    }

    /// The settings every body's rendering depends on (see `renderKey`).
    private var settingsKey: Int {
        var key = Hasher()
        key.combine(typographer?.language)
        key.combine(unsafeHTML)
        key.combine(footnoteBackLabel)
        key.combine(footnotesTitle)
        return key.finalize()
    }

    /// Markdown that belongs to no issue (the site's address): no file links allowed but `/static` ones.
    func renderSiteText(_ markdown: String, path: String, diagnostics: inout [Diagnostic]) -> Body {
        var renderer = MarkdownRenderer()
        renderer.unsafeHTML = unsafeHTML
        renderer.typographer = typographer
        renderer.resolveURL = { url, location in
            if let resolution = Self.resolveExternal(url, location: location) { return resolution }
            let relative = String(url.drop { $0 == "/" })
            return staticFiles.contains(relative)
                ? .replace(.site(path: encodePath(relative), isPage: false, suffix: ""))
                : .drop(.error("file not found: static/\(relative)", at: location))
        }
        return renderer.render(MarkdownSource(path: path, text: markdown, firstLine: 1), diagnostics: &diagnostics).body
    }

    /// Heading ids of the bodies shown together on the issue page are prefixed, so they
    /// neither clash with each other nor with the theme's own ids (`agenda`, `en-bref`).
    static let editoHeadingPrefix = "edito-"
    static func briefHeadingPrefix(_ slug: String) -> String { "bref-\(slug)-" }

    private func render(
        _ source: MarkdownSource, folder: IssueFolder, slug: String, prefix: String, headingPrefix: String = "",
        diagnostics: inout [Diagnostic], anchors: inout [AnchorCheck], serials: inout [Int],
        dependencies allDependencies: inout Set<String>
    ) -> RenderedMarkdown {
        let cacheKey = cache == nil ? 0 : renderKey(of: source, prefix: prefix, headingPrefix: headingPrefix)
        let cached = cache?.markdown(for: source.path, key: cacheKey)
        if let cache, let entry = cached, let changedFolders, entry.dependencies.isDisjoint(with: changedFolders) {
            // Nothing its links lead to changed since the last build: not even a resolver is needed.
            cache.countMarkdownHit()
            diagnostics += entry.diagnostics
            anchors += entry.anchors
            serials.append(entry.serial)
            allDependencies.formUnion(entry.dependencies)
            return entry.rendered
        }

        let directory = String(source.path.dropFirst(folder.path.count + 1).split(separator: "/").dropLast().joined(separator: "/"))
        let resolver = PathResolver(folder: folder, slug: slug, staticFiles: staticFiles, directory: directory)
        var renderer = MarkdownRenderer()
        renderer.unsafeHTML = unsafeHTML
        renderer.footnotePrefix = prefix
        renderer.headingPrefix = headingPrefix
        renderer.typographer = typographer
        renderer.footnoteBackLabel = footnoteBackLabel
        renderer.footnotesTitle = footnotesTitle
        // Asked only when a link needs it: most files are taken from the cache without.
        var ownPublication: Bool?
        func isPublished() -> Bool {
            if let known = ownPublication { return known }
            let published = issuesByFolder[folder.name]?.isPublished ?? true
            ownPublication = published
            return published
        }
        func resolveURL(_ url: String, _ location: SourceLocation, _ anchors: inout [AnchorCheck]) -> URLResolution {
            // `#suite` is a link to this file's heading, wherever its text is shown (a teaser, the e-mail).
            guard url.hasPrefix("#") else {
                return resolve(url, resolver: resolver, location: location, fromPublished: isPublished(), anchors: &anchors)
            }
            let ownFile = "./" + (source.path as NSString).lastPathComponent
            return resolve(
                ownFile + url, resolver: resolver, location: location, fromPublished: isPublished(), anchors: &anchors,
                inOwnFile: true)
        }

        if let cache, let entry = cached {
            // Asked again, every URL must get the answer it got: links lead to other files.
            var replayed: [AnchorCheck] = []
            if entry.resolutions.allSatisfy({ resolveURL($0.url, $0.location, &replayed) == $0.resolution }) {
                cache.countMarkdownHit()
                if replayed.count != entry.anchors.count || zip(replayed, entry.anchors).contains(where: { $0.headings != $1.headings }) {
                    cache.update(anchors: replayed, for: source.path)
                }
                diagnostics += entry.diagnostics
                anchors += replayed
                serials.append(entry.serial)
                allDependencies.formUnion(entry.dependencies)
                return entry.rendered
            }
        }

        var pending: [AnchorCheck] = []
        var resolutions: [(url: String, location: SourceLocation, resolution: URLResolution)] = []
        // Its own folder (its page's publication, the files its paths name), and what its links lead to.
        var dependencies: Set<String> = [folder.name]
        renderer.resolveURL = { url, location in
            let resolution = resolveURL(url, location, &pending)
            // A link that leaves the site gets the same answer whatever the site holds: not asked again.
            if url.hasPrefix("#") || Self.resolveExternal(url, location: location) == nil {
                resolutions.append((url, location, resolution))
                if !url.hasPrefix("#") { dependencies.insert(Self.dependency(of: url, resolver: resolver)) }
            }
            return resolution
        }
        var own: [Diagnostic] = []
        let rendered = renderer.render(source, diagnostics: &own)
        diagnostics += own
        anchors += pending
        allDependencies.formUnion(dependencies)
        if let cache {
            serials.append(cache.store(
                RenderCache.MarkdownEntry(
                    rendered: rendered, diagnostics: own, resolutions: resolutions, anchors: pending, dependencies: dependencies),
                for: source.path, key: cacheKey))
        }
        return rendered
    }

    /// The folder whose parse the answer to a site link depends on: the issue folder of a
    /// Markdown file it names, else `static/` (a path not found may be found there later).
    private static func dependency(of url: String, resolver: PathResolver) -> String {
        let path = String(url.prefix { $0 != "#" && $0 != "?" })
        switch resolver.resolve(path) {
        case .success(.markdown(let source)): return folderName(of: source)
        case .success(.asset(let output)): return output.hasPrefix("issues/") ? resolver.folder.name : staticDependency
        case .failure: return staticDependency
        }
    }

    /// Everything but the answers to its links that the rendering of `source` depends on.
    private func renderKey(of source: MarkdownSource, prefix: String, headingPrefix: String) -> Int {
        var key = Hasher()
        if let stamp = source.stamp {
            // The same file unchanged: its text need not be hashed again.
            key.combine(source.path)
            key.combine(stamp)
            key.combine(source.firstLine)
        } else {
            key.combine(source)
        }
        key.combine(prefix)
        key.combine(headingPrefix)
        key.combine(settingsKey)
        return key.finalize()
    }

    private func resolve(
        _ url: String, resolver: PathResolver, location: SourceLocation, fromPublished: Bool,
        anchors: inout [AnchorCheck], inOwnFile: Bool = false
    ) -> URLResolution {
        if let resolution = Self.resolveExternal(url, location: location) { return resolution }
        let suffixStart = url.firstIndex { $0 == "#" || $0 == "?" } ?? url.endIndex
        let path = String(url[..<suffixStart])
        let suffix = String(url[suffixStart...])
        switch resolver.resolve(path) {
        case .success(.asset(let output)):
            return .replace(.site(path: encodePath(output), isPage: false, suffix: suffix))
        case .success(.markdown(let source)):
            guard let page = page(of: source) else {
                if isSource(source) { return .replace(.written("")) }
                return .drop(.error("link to \(path): no issue, article or En bref item has this file", at: location))
            }
            var fragment = page.anchor.map { "#" + $0 } ?? ""
            if suffix.hasPrefix("#") {
                let written = String(suffix.dropFirst())
                let name = written.removingPercentEncoding ?? written
                // `#` and `#top` lead to the top of the page (HTML's rule), whatever it holds.
                let isTop = name.isEmpty || name.lowercased() == "top"
                let headings = isTop ? [] : headingMemo.ids(of: source, text: bodyText(page.markdown))
                if isTop {
                    fragment = suffix
                } else if headings.contains(name) {
                    fragment = "#" + page.fragmentPrefix + written
                } else {
                    // Maybe an anchor of the page itself (`#agenda`): looked for once it is rendered.
                    fragment = suffix
                    anchors.append(AnchorCheck(
                        location: location, page: page.path + "index.html", anchor: name, file: inOwnFile ? nil : path,
                        headings: headings))
                }
            }
            let rewritten = BodyURL.site(path: encodePath(page.path), isPage: true, suffix: fragment)
            // Only a published page can hold a broken link: a draft's links are checked again once it is published.
            guard page.isPublished || !fromPublished else {
                return .replaceWarning(rewritten, .warning(
                    "link to \(path), which is not published (draft or future issue): the link is broken until it is",
                    at: location))
            }
            return .replace(rewritten)
        case .failure(let error):
            return .drop(.error(error.message, at: location))
        }
    }

    /// Links that leave the site: kept unless they could run code. `nil` for site paths.
    private static func resolveExternal(_ url: String, location: SourceLocation) -> URLResolution? {
        if url.isEmpty || url.hasPrefix("#") || url.hasPrefix("//") { return .keep }
        let scheme = url.prefix { $0 != ":" && $0 != "/" && $0 != "?" && $0 != "#" }
        guard scheme.count < url.count, url[scheme.endIndex] == ":",
            let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) })
        else {
            return URLSafety.isDangerous(url) ? .drop(.warning("unsafe URL removed: \(RawHTML.abbreviate(url))", at: location)) : nil
        }
        if URLSafety.isDangerous(url) {
            return .drop(.warning("unsafe URL removed: \(RawHTML.abbreviate(url))", at: location))
        }
        return .keep
    }
}

/// Heading ids by source path, computed the first time a link asks, shared by the
/// renders running on every core.
private final class HeadingMemo: Sendable {
    private let ids = Mutex<[String: [String]]>([:])

    func ids(of path: String, text: String) -> [String] {
        if let known = ids.withLock({ $0[path] }) { return known }
        let computed = MarkdownRenderer.headingIDs(of: text)
        ids.withLock { $0[path] = computed }
        return computed
    }
}
