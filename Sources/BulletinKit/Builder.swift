import Foundation

/// What to build and how.
public struct BuildOptions: Sendable {
    public var source: URL
    /// Defaults to `<source>/output`.
    public var output: URL?
    public var baseURL: String?
    public var selection = SiteModel.Selection()
    /// "Today", for reproducible builds; defaults to the current day in the site's zone.
    public var now: SimpleDate?
    /// Warnings fail the build.
    public var strict = false
    /// `false` for `check`: every stage but writing.
    public var writesOutput = true
    /// French or English typography on text (off only to measure what it costs).
    public var typography = true
    /// Put before `</body>` of every web page (not the e-mails): `serve`'s live reload.
    public var pageScript: String? = nil
    /// Set by `serve`: the files are handed to it instead of written.
    public var servedSite: ServedSite? = nil
    /// Set by `serve`: only the issues whose inputs changed are rendered again.
    public var renderCache: RenderCache? = nil
    /// Set by `serve` with `renderCache`: the paths (files or folders, relative to the
    /// source) that changed since the last build with that cache, as the kernel reported
    /// them. An issue folder with no change in it is taken from the cache without being
    /// listed again. `nil` when unknown: every folder is listed.
    public var changedPaths: Set<String>? = nil
    /// Told the name of each stage as it starts (`reading`, `rendering`…), for a progress line.
    public var onStage: (@Sendable (String) -> Void)? = nil

    public init(source: URL) {
        self.source = source
    }

    public var outputFolder: URL { output ?? source.appendingPathComponent("output") }
}

/// What a build did.
public struct BuildReport: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var issueCount = 0
    public var pageCount = 0
    public var fileCount = 0
    public var duration: Duration = .zero
    /// The biggest `email.html` written, by output path and size in bytes.
    public var largestEmail: (path: String, bytes: Int)?

    /// The build failed: errors, or warnings under `--strict`.
    public var failed = false
}

/// Chains the five stages: load → parse → model → render → write. Never prints or exits:
/// everything it has to say is in the report.
public struct Builder: Sendable {
    public init() {}

    public func build(_ options: BuildOptions) -> BuildReport {
        let clock = ContinuousClock()
        let start = clock.now
        var report = BuildReport()
        if options.writesOutput, options.servedSite == nil, let refusal = publishedFolderHolding(options.outputFolder, source: options.source) {
            report.diagnostics = [Diagnostic(
                .error, "the output folder is inside \(refusal)/, which the build reads: it would publish itself; choose a folder outside static/, issues/ and themes/",
                path: nil)]
            report.failed = true
            return report
        }
        let files = run(options, report: &report)
        report.diagnostics = report.diagnostics.sortedForReading()
        let hasWarnings = report.diagnostics.contains { $0.severity == .warning }
        report.failed = report.diagnostics.hasErrors || (options.strict && hasWarnings) || files == nil
        if report.failed {
            if options.strict, !report.diagnostics.hasErrors, hasWarnings {
                report.diagnostics.append(Diagnostic(.error, "warnings are errors under --strict", path: nil))
            }
            report.duration = clock.now - start
            return report
        }
        if let files, let served = options.servedSite {
            served.replace(with: files)
        } else if options.writesOutput, let files {
            options.onStage?("writing")
            if let failure = OutputWriter(output: options.outputFolder.standardizedFileURL).write(files) {
                report.diagnostics.append(failure)
                report.failed = true
            }
        }
        report.duration = clock.now - start
        return report
    }

    /// The folder of the source (`static`, `issues`, `themes`) that holds `output`, if one does.
    private func publishedFolderHolding(_ output: URL, source: URL) -> String? {
        let outputPath = output.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        let sourcePath = source.standardizedFileURL.resolvingSymlinksInPath().path
        return ["static", "issues", "themes"].first { outputPath.hasPrefix("\(sourcePath)/\($0)/") }
    }

    /// Stages 1 to 4; `nil` when errors stop the build before rendering.
    private func run(_ options: BuildOptions, report: inout BuildReport) -> [OutputFile]? {
        // 1. Load
        options.onStage?("reading")
        let loader = SiteLoader(root: options.source, cache: options.renderCache, changedPaths: options.changedPaths)
        let (source, loadDiagnostics) = loader.load()
        report.diagnostics += loadDiagnostics
        guard let siteFile = source.siteFile,
            var config = SiteConfigParser.parse(siteFile, staticFiles: source.staticFiles, diagnostics: &report.diagnostics)
        else { return nil }
        if let baseURL = options.baseURL {
            guard isAbsoluteWebURL(baseURL) else {
                report.diagnostics.append(Diagnostic(.error, "--base-url must be an absolute http(s) URL", path: nil))
                return nil
            }
            config.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        }
        let theme = makeTheme(source, config: config, options: options, diagnostics: &report.diagnostics)

        // 2. Parse: the front-matter of every issue.
        options.onStage?("parsing")
        let parsed = parseIssues(source, cache: options.renderCache)
        report.diagnostics += parsed.flatMap(\.diagnostics)
        var issues = parsed.compactMap(\.issue)
        report.diagnostics += duplicateIssueDiagnostics(issues)

        let today = options.now ?? SimpleDate.today(in: config.timeZone)
        let selection = options.selection
        let typographer = Typographer(language: config.language)
        if options.typography { config.typeset(with: typographer) }

        // 4. Content: the bodies, links resolved against every parsed issue and the Model's rule
        // of publication. It runs before the model is assembled, whose summaries come from bodies.
        let content = makeContentRenderer(
            source, parsed: parsed, config: config, theme: theme, typographer: options.typography ? typographer : nil,
            today: today, options: options)
        let rendered = issues.concurrentMap { issue in
            var diagnostics: [Diagnostic] = []
            var anchors: [ContentRenderer.AnchorCheck] = []
            let (typeset, key) = content.render(issue, diagnostics: &diagnostics, anchors: &anchors)
            return (typeset, diagnostics, anchors, key)
        }
        issues = rendered.map(\.0)
        report.diagnostics += rendered.flatMap(\.1)
        let addressHTML = config.addressMarkdown.map {
            content.renderSiteText($0, path: "site.yml", diagnostics: &report.diagnostics)
        }
        guard let theme, !report.diagnostics.hasErrors else { return nil }

        // 3. Model: what is published, in which order.
        let model = SiteModel(config: config, allIssues: issues, today: today, selection: selection)
        if model.issues.isEmpty {
            report.diagnostics.append(Diagnostic(
                .warning, "no published issue (drafts and future issues are left out without --drafts/--future)",
                path: source.issues.isEmpty ? nil : "issues"))
        }

        // 5. Render (6. Write is `build`'s, once every check passed)
        options.onStage?("rendering")
        var renderer = SiteRenderer(
            model: model, theme: theme, addressHTML: addressHTML, sourceRoot: options.source,
            typographer: options.typography ? typographer : Typographer(language: nil))
        renderer.imageSizes = imageSizes(source)
        renderer.cache = options.renderCache
        renderer.pageScript = options.pageScript
        if options.renderCache != nil {
            for (issue, _, _, key) in rendered { if let key { renderer.contentKeys[issue.slug] = key } }
        }
        let generated = renderer.render()
        options.renderCache?.keepSources(of: source.issues)
        if let clash = firstClash(generated, staticFiles: source.staticFiles) {
            report.diagnostics.append(Diagnostic(.error, "static/\(clash) has the same path as a generated file; rename it", path: "static/\(clash)"))
            return nil
        }
        let files = generated + staticFiles(source)
        report.diagnostics += ContentRenderer.AnchorCheck.verify(rendered.flatMap(\.2), in: files)
        guard !report.diagnostics.hasErrors else { return nil }
        checkEmailSizes(files, of: model.issues, budget: config.emailBudgetBytes, report: &report)
        report.issueCount = model.issues.count
        report.pageCount = files.indices.reduce(0) { $0 + (files[$1].isPage ? 1 : 0) }
        report.fileCount = files.count
        return files
    }

    /// Stage 3's renderer, set up with the theme's labels, the typographer and, for
    /// `serve`, what changed since the last build.
    private func makeContentRenderer(
        _ source: SiteSource, parsed: [RenderCache.ParsedIssue], config: SiteConfig, theme: Theme?, typographer: Typographer?,
        today: SimpleDate, options: BuildOptions
    ) -> ContentRenderer {
        let selection = options.selection
        var content = ContentRenderer(
            issues: parsed.compactMap(\.issue), folders: source.issues, staticFiles: source.staticFiles,
            unsafeHTML: config.unsafeHTML, isPublished: { selection.publishes($0, today: today) })
        if let label = theme?.locale.strings["footnote_back"] { content.footnoteBackLabel = label }
        if let title = theme?.locale.strings["footnotes_title"] { content.footnotesTitle = title }
        content.typographer = typographer
        content.cache = options.renderCache
        if let cache = options.renderCache {
            content.parseSerials = Dictionary(
                zip(source.issues.map(\.name), parsed.map(\.serial)), uniquingKeysWith: { first, _ in first })
            var publication = Hasher()
            publication.combine(today)
            publication.combine(selection.includeDrafts)
            publication.combine(selection.includeFuture)
            content.changedFolders = cache.changedFolders(
                serials: content.parseSerials, staticFiles: source.staticFiles, publication: publication.finalize())
        }
        return content
    }

    /// Gmail clips messages past 102 KB: a warning past the site's budget, and the largest
    /// e-mail for the summary line.
    private func checkEmailSizes(_ files: [OutputFile], of issues: [Issue], budget: Int, report: inout BuildReport) {
        var sources: [String: String] = [:]
        // By index: copying each of thousands of files out of the array cost more than the check.
        for index in files.indices where files[index].path.hasSuffix("/email.html") {
            let file = files[index]
            guard case .data(let data) = file.contents else { continue }
            if data.count > report.largestEmail?.bytes ?? -1 { report.largestEmail = (file.path, data.count) }
            if data.count > budget {
                // Said of the issue's own file: the output folder may be anywhere.
                if sources.isEmpty {
                    for issue in issues { sources[issue.outputPath + "email.html"] = issue.source.path }
                }
                report.diagnostics.append(Diagnostic(
                    .warning,
                    "e-mail edition is \(data.count / 1024) KB, over the \(budget / 1024) KB budget (Gmail clips messages past 102 KB): shorten the issue or raise email.size_budget_kb",
                    path: sources[file.path] ?? file.path))
            }
        }
    }

    /// The site's theme; with a cache, made again only when its folder or the language changed.
    private func makeTheme(_ source: SiteSource, config: SiteConfig, options: BuildOptions, diagnostics: inout [Diagnostic]) -> Theme? {
        let folder = source.themes[config.theme]
        var key = Hasher()
        key.combine(config.theme)
        key.combine(config.language)
        key.combine(folder?.stamp)
        key.combine(options.source)
        let themeKey = key.finalize()
        if let (theme, said) = options.renderCache?.theme(key: themeKey) {
            diagnostics += said
            return theme
        }
        var said: [Diagnostic] = []
        let theme = Theme.make(from: folder, siteRoot: options.source, name: config.theme, language: config.language, diagnostics: &said)
        options.renderCache?.store(theme, diagnostics: said, key: themeKey)
        diagnostics += said
        return theme
    }

    /// Stage 2 for each issue folder; with a cache, only the folders whose files changed.
    private func parseIssues(_ source: SiteSource, cache: RenderCache?) -> [RenderCache.ParsedIssue] {
        var staticKey = Hasher()
        if cache != nil { staticKey.combine(source.staticFiles) }
        let staticFiles = staticKey.finalize()
        return source.issues.concurrentMap { folder in
            var key = Hasher()
            key.combine(folder.stamp)
            key.combine(staticFiles)
            let folderKey = key.finalize()
            if let known = cache?.parsedIssue(folder.name, key: folderKey) { return known }
            var diagnostics: [Diagnostic] = []
            let issue = IssueParser(folder: folder, staticFiles: source.staticFiles).parse(diagnostics: &diagnostics)
            return cache?.store(issue, diagnostics: diagnostics, for: folder.name, key: folderKey)
                ?? RenderCache.ParsedIssue(key: 0, issue: issue, diagnostics: diagnostics, serial: 0)
        }
    }

    /// Image sizes by output path: issue assets under their published slug, static files at the root.
    private func imageSizes(_ source: SiteSource) -> [String: ImageSize] {
        var sizes = source.staticImageSizes
        for folder in source.issues {
            for (path, size) in folder.imageSizes { sizes["issues/\(folder.slug)/\(path)"] = size }
        }
        return sizes
    }

    private func staticFiles(_ source: SiteSource) -> [OutputFile] {
        source.staticFiles.sorted().map {
            OutputFile(path: $0, contents: .copy(source.root.appendingPathComponent("static/\($0)")))
        }
    }

    /// The first file under `static/` that has the path of a generated one. Generated
    /// files cannot clash with each other: the parser refuses an issue's files and
    /// article slugs that would take the path of its pages.
    private func firstClash(_ generated: [OutputFile], staticFiles: Set<String>) -> String? {
        guard !staticFiles.isEmpty else { return nil }
        // Lengths first: hashing an integer is cheaper than hashing each of thousands of paths.
        let lengths = Set(staticFiles.map(\.utf8.count))
        return generated.lazy.map(\.path).filter { lengths.contains($0.utf8.count) && staticFiles.contains($0) }.min()
    }
}
