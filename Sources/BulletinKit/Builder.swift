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
    /// Where `build` keeps what the next build reuses (see `BuildCache`); `nil`: a cold
    /// build that leaves nothing. The command line's default is `<source>/.bulletin-cache`.
    public var cacheFolder: URL? = nil
    /// Where the copies of the issues' images are kept (see `ImageProcessor`); without
    /// it, `<cacheFolder>/images`, for `serve` `<source>/.bulletin-cache/images` (as
    /// `build` keeps them by default), else a folder removed after the build.
    public var imagesFolder: URL? = nil

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
    /// The biggest e-mail: the output path of its `email.html`, and the size of that HTML
    /// as encoded in `email.eml` (what Gmail's clipping point is measured on).
    public var largestEmail: (path: String, bytes: Int)?
    /// With a build cache: issue folders taken from it without being read or parsed, and
    /// issues and site pages whose files were left as the last build wrote them.
    public var cachedFolders = 0
    /// The issues' photos and pictures whose copies were made, and those whose copies
    /// were already kept.
    public var imagesProcessed = 0
    public var imagesCached = 0
    public var unchangedOutputs = 0
    /// The sets of pages a build makes: each issue's (its pages and e-mail), and each site
    /// page (home, archive, 404, sitemap, each feed).
    public var pageSetCount = 0
    /// Issue folders whose files were read, and all of them (drafts and future issues too).
    public var foldersRead = 0
    public var folderCount = 0
    /// With a build cache: every input and output was as the last build left them, which
    /// said again what it said; nothing was parsed, rendered or written.
    public var nothingChanged = false

    /// The build failed: errors, or warnings under `--strict`.
    public var failed = false
}

extension BuildReport {
    /// What the last build said and made, said again when nothing changed since.
    mutating func repeatUnchanged(_ summary: BuildCache.Summary, folderCount: Int) {
        nothingChanged = true
        diagnostics = summary.diagnostics
        issueCount = summary.issueCount
        pageCount = summary.pageCount
        fileCount = summary.fileCount
        largestEmail = summary.largestEmail.map { ($0, summary.largestEmailBytes) }
        cachedFolders = folderCount
        self.folderCount = folderCount
        unchangedOutputs = summary.pageSets
        pageSetCount = summary.pageSets
    }
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
        if options.writesOutput, options.servedSite == nil, let folder = options.cacheFolder,
            let refusal = BuildCache.refusal(of: folder, source: options.source, output: options.outputFolder)
        {
            report.diagnostics = [Diagnostic(.error, refusal, path: nil)]
            report.failed = true
            return report
        }
        // A cache serves `build`, and `check` reads it (never `serve`, which keeps its own).
        let readOnly = !options.writesOutput
        let cacheFolder = options.servedSite == nil ? options.cacheFolder : nil
        var buildCache: BuildCache? = nil
        var run = CacheFacts()
        var files: [OutputFile]?
        var temporaryImages: [URL] = []
        defer { for folder in temporaryImages { try? FileManager.default.removeItem(at: folder) } }
        if let cacheFolder, let said = StampManifest.said(
            in: cacheFolder, key: manifestKey(options), now: Int64(time(nil)), source: options.source.path,
            output: options.outputFolder.standardizedFileURL.path)
        {
            // Every path as the last build with nothing changed found it.
            report.repeatUnchanged(said.summary, folderCount: said.folderCount)
            files = []
        } else {
            buildCache = cacheFolder.map {
                BuildCache(folder: $0, source: options.source, output: options.outputFolder.standardizedFileURL, readOnly: readOnly)
            }
            files = self.run(options, buildCache: buildCache, facts: &run, report: &report)
            temporaryImages += [run.temporaryImages].compactMap { $0 }
            if let cache = buildCache, cache.lostIssues {
                // An issue's file went missing from the cache during the build: built again
                // as a cold build, which starts a new cache.
                buildCache = BuildCache(folder: cache.folder, source: options.source, output: cache.output, fresh: true, readOnly: readOnly)
                report = BuildReport()
                run = CacheFacts()
                files = self.run(options, buildCache: buildCache, facts: &run, report: &report)
                temporaryImages += [run.temporaryImages].compactMap { $0 }
            }
        }
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
        // With every input and output as the last build left them, what it said is said
        // again (above), and nothing is written.
        if !report.nothingChanged, let files {
            if let served = options.servedSite {
                served.replace(with: files)
            } else if options.writesOutput {
                options.onStage?("writing")
                let writer = OutputWriter(output: options.outputFolder.standardizedFileURL)
                // With the last build's output as the cache knows it, only what changed is written.
                switch buildCache.map({ writer.update(files, cache: $0) }) ?? (writer.write(files).map { .failure($0) } ?? .success(nil)) {
                case .failure(let failure):
                    report.diagnostics.append(failure)
                    report.failed = true
                case .success(let touched):
                    if let buildCache {
                        report.unchangedOutputs = buildCache.renderHits
                        let summary = BuildCache.Summary(
                            inputs: run.inputs, diagnostics: report.diagnostics, issueCount: report.issueCount,
                            pageCount: report.pageCount, fileCount: report.fileCount, largestEmail: report.largestEmail?.path,
                            largestEmailBytes: report.largestEmail?.bytes ?? 0, pageSets: buildCache.pageSets)
                        if !buildCache.isUnchanged(
                            contentSettings: run.contentSettings, theme: run.theme, folders: run.folders, touched: touched, summary: summary)
                        {
                            let outputs = writer.records(of: files, cache: buildCache, touched: touched)
                            buildCache.save(
                                contentSettings: run.contentSettings, theme: run.theme, folders: run.folders, outputs: outputs.files,
                                outputFolders: outputs.folders, copies: outputs.copies, summary: summary)
                        }
                        if let templates = run.templates?.parsedSoFar { buildCache.keep(templates: templates, fingerprint: run.theme) }
                    }
                }
            }
        }
        var retired: [Any] = [files as Any, buildCache as Any, run]
        (files, buildCache, run) = (nil, nil, CacheFacts())
        releaseInBackground(taking: &retired)
        report.duration = clock.now - start
        return report
    }

    /// The folder of the source (`static`, `issues`, `themes`) that holds `output`, if one does.
    private func publishedFolderHolding(_ output: URL, source: URL) -> String? {
        let outputPath = output.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        let sourcePath = source.standardizedFileURL.resolvingSymlinksInPath().path
        return ["static", "issues", "themes"].first { outputPath.hasPrefix("\(sourcePath)/\($0)/") }
    }

    /// What the build cache keeps of a build besides its records.
    struct CacheFacts {
        var contentSettings: UInt64 = 0
        var theme: UInt64 = 0
        var folders: [IssueFolder] = []
        /// See `BuildCache.Summary.inputs`.
        var inputs: UInt64 = 0
        /// The theme's templates, kept once a page asked for them.
        var templates: TemplateLibrary? = nil
        /// Where a build without a cache made its images' copies: removed once written.
        var temporaryImages: URL? = nil
    }

    /// Stages 1 to 4; `nil` when errors stop the build before rendering.
    private func run(
        _ options: BuildOptions, buildCache: BuildCache?, facts: inout CacheFacts, report: inout BuildReport
    ) -> [OutputFile]? {
        if !Recipe.processesImages {
            report.diagnostics.append(Diagnostic(
                .warning, "BULLETIN_UNPROCESSED_IMAGES is set: photos are published as they are, with no copies, their metadata (a GPS position) included; it is meant for measuring what image work costs, not for a site",
                path: nil))
        }
        // 1. Load
        options.onStage?("reading")
        var loader = SiteLoader(root: options.source, cache: options.renderCache, changedPaths: options.changedPaths)
        loader.buildCache = buildCache
        if let buildCache { loader.listings = buildCache.sourceFolders }
        var (source, loadDiagnostics) = loader.load()
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
        let today = options.now ?? SimpleDate.today(in: config.timeZone)
        if let buildCache {
            facts.inputs = inputs(siteFile, source: source, config: config, today: today, options: options)
            let manifest = (key: manifestKey(options), valid: options.now == nil ? Self.instants(of: today, in: config.timeZone) : Int64.min..<Int64.max)
            if let summary = buildCache.unchangedBuild(inputs: facts.inputs, folders: source.issues, manifest: manifest) {
                report.repeatUnchanged(summary, folderCount: source.issues.count)
                var retired: [Any] = [source]
                (source.issues, source.themes) = ([], [:])
                releaseInBackground(taking: &retired)
                return []
            }
        }
        let theme = makeTheme(source, config: config, options: options, buildCache: buildCache, diagnostics: &report.diagnostics)
        facts.theme = theme?.fingerprint ?? 0
        facts.templates = theme?.library
        let selection = options.selection
        let typographer = Typographer(language: config.language)
        if options.typography { config.typeset(with: typographer) }

        // With a build cache: the issues of the folders that did not change, as the last
        // build rendered them; the other folders are read (when they were not) and parsed.
        var reused: [String: (record: BuildCache.FolderRecord, issue: Issue)] = [:]
        if let buildCache {
            facts.contentSettings = contentSettings(source, config: config, theme: theme, options: options)
            if !buildCache.isEmpty {
                reused = reusableIssues(
                    &source, cache: buildCache, loader: loader, selection: selection, today: today, settings: facts.contentSettings)
                report.cachedFolders = reused.count
            }
        }
        facts.folders = source.issues
        report.foldersRead = source.issues.reduce(0) { $0 + ($1.isRead ? 1 : 0) }
        report.folderCount = source.issues.count

        // 2. Parse: the front-matter of every issue.
        options.onStage?("parsing")
        let parsed = parseIssues(source, cache: options.renderCache, skipping: Set(reused.keys))
        report.diagnostics += parsed.flatMap(\.diagnostics)
        report.diagnostics += reused.values.flatMap(\.record.diagnostics)
        let reusedIssues = reused.values.map(\.issue)
        report.diagnostics += duplicateIssueDiagnostics(parsed.compactMap(\.issue) + reusedIssues)

        // 4. Content: the bodies, links resolved against every parsed issue and the Model's rule
        // of publication. It runs before the model is assembled, whose summaries come from bodies.
        let content = makeContentRenderer(
            source, parsed: parsed, reused: reusedIssues, config: config, theme: theme,
            typographer: options.typography ? typographer : nil, today: today, options: options)
        let folders = Dictionary(source.issues.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let rendered = parsed.concurrentMap { parsed -> RenderedIssue? in
            guard let issue = parsed.issue else { return nil }
            var result = RenderedIssue(issue: issue)
            (result.issue, result.contentKey) = content.render(
                issue, diagnostics: &result.diagnostics, anchors: &result.anchors, dependencies: &result.dependencies)
            if let buildCache, let folder = folders[parsed.folder] {
                // Kept for the next build: the issue, and all its folder said.
                let digest = buildCache.record(
                    folder, issue: result.issue, published: selection.publishes(result.issue, today: today),
                    diagnostics: parsed.diagnostics + result.diagnostics, anchors: result.anchors,
                    dependencies: result.dependencies)
                result.contentKey = digest.map { Int(truncatingIfNeeded: $0) }
            }
            return result
        }.compactMap { $0 }
        report.diagnostics += rendered.flatMap(\.diagnostics)
        var contentKeys: [String: Int] = [:]
        for (record, issue) in reused.values {
            buildCache?.keep(record)
            contentKeys[issue.slug] = Int(truncatingIfNeeded: record.contentDigest)
        }
        for issue in rendered { if let key = issue.contentKey { contentKeys[issue.issue.slug] = key } }
        // In the order of their folders, as a cold build has them: the first of two issues
        // with the same number is the one a message names first.
        let issues = (rendered.map(\.issue) + reusedIssues).sorted { $0.source.path < $1.source.path }
        let address = config.addressMarkdown.map {
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

        // Images: the copies readers get of the issues' photos and pictures.
        let images = makeImages(
            model.issues, folders: source.issues, listedAt: loader.listings.startedAt, options: options, buildCache: buildCache, facts: &facts,
            report: &report)
        guard !report.diagnostics.hasErrors else { return nil }

        // 5. Render (6. Write is `build`'s, once every check passed)
        options.onStage?("rendering")
        // Made and gone before the model is handed over to be freed (see below).
        let output = {
            var renderer = SiteRenderer(
                model: model, theme: theme, address: address, sourceRoot: options.source,
                typographer: options.typography ? typographer : Typographer(language: nil))
            renderer.imageSizes = imageSizes(source)
            renderer.images = images
            for (path, made) in images?.variants ?? [:] {
                // Upright (a portrait photo's orientation applied), and the e-mail's copies by their own path.
                renderer.imageSizes[path] = ImageSize(width: made.width, height: made.height)
                for copy in [made.email, made.smallEmail] { renderer.imageSizes[copy.path] = ImageSize(width: copy.width, height: copy.height) }
            }
            renderer.cache = options.renderCache ?? buildCache
            renderer.pageScript = options.pageScript
            if renderer.cache != nil {
                renderer.contentKeys = contentKeys
                renderer.inputsKey = inputsKey(siteFile, source: source, options: options)
            }
            if let buildCache, !reused.isEmpty {
                let digests = Dictionary(reused.values.map { ($0.issue.slug, $0.record.contentDigest) }, uniquingKeysWith: { first, _ in first })
                renderer.completing = { issue in digests[issue.slug].map { buildCache.complete(issue, digest: $0) } ?? issue }
            }
            return renderer.render()
        }()
        var files = output.files
        options.renderCache?.keepSources(of: source.issues)
        if let clash = firstClash(files, staticFiles: source.staticFiles) {
            report.diagnostics.append(Diagnostic(.error, "static/\(clash) has the same path as a generated file; rename it", path: "static/\(clash)"))
            return nil
        }
        files += staticFiles(source)
        // A link of a folder taken from the cache into a page left as the last build wrote
        // it was found there by that build, which succeeded: the page is not read again.
        var unchangedPages: Set<String> = []
        for index in files.indices { if case .unchanged = files[index].contents { unchangedPages.insert(files[index].path) } }
        let anchors = rendered.flatMap(\.anchors) + reused.values.flatMap(\.record.anchors).filter { !unchangedPages.contains($0.page) }
        report.diagnostics += ContentRenderer.AnchorCheck.verify(anchors, in: files)
        // The e-mails' preflight, said after the pages' own checks.
        for email in output.emails {
            report.diagnostics += email.check.findings
            if email.check.htmlPartBytes > report.largestEmail?.bytes ?? -1 { report.largestEmail = (email.path, email.check.htmlPartBytes) }
        }
        guard !report.diagnostics.hasErrors else { return nil }
        report.issueCount = model.issues.count
        report.pageSetCount = output.pageSets
        report.pageCount = files.indices.reduce(0) { $0 + (files[$1].isPage ? 1 : 0) }
        report.fileCount = files.count
        var retired: [Any] = [source, parsed, rendered, reused, content, issues, model]
        (source.issues, reused) = ([], [:])
        releaseInBackground(taking: &retired)
        return files
    }

    /// An issue out of the content stage, with what rendering it said and found.
    private struct RenderedIssue {
        var issue: Issue
        var contentKey: Int? = nil
        var diagnostics: [Diagnostic] = []
        var anchors: [ContentRenderer.AnchorCheck] = []
        var dependencies: Set<String> = []
    }

    /// The issues the build cache holds for folders that need no new rendering, by folder
    /// name. Folders found unchanged but to be rendered again (a link of theirs leads to a
    /// changed folder) are read in `source` now.
    private func reusableIssues(
        _ source: inout SiteSource, cache: BuildCache, loader: SiteLoader, selection: SiteModel.Selection, today: SimpleDate,
        settings: UInt64
    ) -> [String: (record: BuildCache.FolderRecord, issue: Issue)] {
        let candidates = source.issues.concurrentMap { folder -> (BuildCache.FolderRecord, Issue)? in
            guard let record = folder.isRead ? cache.sameFolder(folder) : cache.record(named: folder.name),
                let issue = cache.renderedIssue(record)
            else { return nil }
            // Read again and found the same (new stamps): the record takes the new stamps.
            return (folder.isRead ? cache.restamped(record, from: folder) : record, issue)
        }
        var found: [String: (record: BuildCache.FolderRecord, issue: Issue)] = [:]
        for candidate in candidates { if let (record, issue) = candidate { found[record.name] = (record, issue) } }
        let published = found.mapValues { selection.publishes($0.issue, today: today) }
        let toRender = cache.foldersToRender(source.issues, published: published, contentSettings: settings)
        var reader = loader
        reader.buildCache = nil
        source.issues = source.issues.concurrentMap { folder in
            guard toRender.contains(folder.name), !folder.isRead else { return folder }
            // Its files are those of the last build: what reading them says was said already.
            var said: [Diagnostic] = []
            return reader.loadIssue(named: folder.name, diagnostics: &said)
        }
        return found.filter { !toRender.contains($0.key) }
    }

    /// What every body's rendering depends on besides its files and the files its links
    /// lead to (see `BuildCache.Snapshot.contentSettings`).
    private func contentSettings(_ source: SiteSource, config: SiteConfig, theme: Theme?, options: BuildOptions) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(options.typography ? config.language.rawValue : nil)
        hasher.combine(config.unsafeHTML)
        hasher.combine(theme?.locale.strings["footnote_back"])
        hasher.combine(theme?.locale.strings["footnotes_title"])
        for path in source.staticFiles.sorted() { hasher.combine(path) }
        return hasher.finalize()
    }

    /// Everything but the issue folders that a build's output and messages depend on: what
    /// every page depends on (`inputsKey`: the site's settings and the options), the day
    /// (which publishes an issue dated today), the theme's and `static/`'s files by stamp,
    /// and where the site and the output are.
    private func inputs(_ siteFile: SourceFile, source: SiteSource, config: SiteConfig, today: SimpleDate, options: BuildOptions) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(inputsKey(siteFile, source: source, options: options))
        for part in [today.year, today.month, today.day] { hasher.combine(part) }
        hasher.combine(source.staticDigest)
        hasher.combine(config.theme)
        hasher.combine(source.themes[config.theme] != nil)
        hasher.combine(source.themes[config.theme]?.digest ?? 0)
        hasher.combine(options.source.standardizedFileURL.path)
        hasher.combine(options.outputFolder.standardizedFileURL.path)
        return hasher.finalize()
    }

    /// The options a `StampManifest` holds for: those the output depends on, and where
    /// the site and the output are.
    private func manifestKey(_ options: BuildOptions) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(options.source.path)
        hasher.combine(options.outputFolder.standardizedFileURL.path)
        hasher.combine(options.baseURL)
        hasher.combine(options.typography)
        hasher.combine(options.selection.includeDrafts)
        hasher.combine(options.selection.includeFuture)
        hasher.combine(options.now?.description)
        return hasher.finalize()
    }

    /// The instants (seconds since 1970) when `day` is today in `zone`.
    static func instants(of day: SimpleDate, in zone: TimeZone) -> Range<Int64> {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let start = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)),
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { return 0..<0 }
        return Int64(start.timeIntervalSince1970.rounded(.up))..<Int64(end.timeIntervalSince1970.rounded(.up))
    }

    /// The site's settings and the build's options, which every page depends on.
    private func inputsKey(_ siteFile: SourceFile, source: SiteSource, options: BuildOptions) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(bytes: siteFile.data)
        hasher.combine(options.baseURL)
        hasher.combine(options.typography)
        hasher.combine(options.selection.includeDrafts)
        hasher.combine(options.selection.includeFuture)
        for path in source.staticFiles.sorted() { hasher.combine(path) }
        return hasher.finalize()
    }

    /// Stage 3's renderer, set up with the theme's labels, the typographer and, for
    /// `serve`, what changed since the last build.
    private func makeContentRenderer(
        _ source: SiteSource, parsed: [RenderCache.ParsedIssue], reused: [Issue], config: SiteConfig, theme: Theme?,
        typographer: Typographer?, today: SimpleDate, options: BuildOptions
    ) -> ContentRenderer {
        let selection = options.selection
        var content = ContentRenderer(
            issues: parsed.compactMap(\.issue) + reused, folders: source.issues, staticFiles: source.staticFiles,
            unsafeHTML: config.unsafeHTML, isPublished: { selection.publishes($0, today: today) })
        if let label = theme?.locale.strings["footnote_back"] { content.footnoteBackLabel = label }
        if let title = theme?.locale.strings["footnotes_title"] { content.footnotesTitle = title }
        content.typographer = typographer
        content.root = source.root
        content.cache = options.renderCache
        if let cache = options.renderCache {
            content.parseSerials = Dictionary(parsed.map { ($0.folder, $0.serial) }, uniquingKeysWith: { first, _ in first })
            var publication = Hasher()
            publication.combine(today)
            publication.combine(selection.includeDrafts)
            publication.combine(selection.includeFuture)
            content.changedFolders = cache.changedFolders(
                serials: content.parseSerials, staticFiles: source.staticFiles, publication: publication.finalize())
        }
        return content
    }

    /// The site's theme; with a cache, made again only when its folder or the language changed.
    private func makeTheme(
        _ source: SiteSource, config: SiteConfig, options: BuildOptions, buildCache: BuildCache?, diagnostics: inout [Diagnostic]
    ) -> Theme? {
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
        var parsedBefore: (@Sendable (UInt64) -> [String: Template]?)? = nil
        if let buildCache { parsedBefore = { buildCache.templates(fingerprint: $0) } }
        let theme = Theme.make(
            from: folder, siteRoot: options.source, name: config.theme, language: config.language,
            parsedCleanly: buildCache?.themeFingerprint, parsedBefore: parsedBefore, diagnostics: &said)
        options.renderCache?.store(theme, diagnostics: said, key: themeKey)
        diagnostics += said
        return theme
    }

    /// Stage 2 for each issue folder but those `skipping` names; with a cache, only the
    /// folders whose files changed.
    private func parseIssues(_ source: SiteSource, cache: RenderCache?, skipping: Set<String>) -> [RenderCache.ParsedIssue] {
        var staticKey = Hasher()
        if cache != nil { staticKey.combine(source.staticFiles) }
        let staticFiles = staticKey.finalize()
        return source.issues.filter { !skipping.contains($0.name) }.concurrentMap { folder in
            var key = Hasher()
            key.combine(folder.stamp)
            key.combine(staticFiles)
            let folderKey = key.finalize()
            if let known = cache?.parsedIssue(folder.name, key: folderKey) { return known }
            var diagnostics: [Diagnostic] = []
            let issue = IssueParser(folder: folder, staticFiles: source.staticFiles).parse(diagnostics: &diagnostics)
            return cache?.store(issue, diagnostics: diagnostics, for: folder.name, key: folderKey)
                ?? RenderCache.ParsedIssue(folder: folder.name, key: 0, issue: issue, diagnostics: diagnostics, serial: 0)
        }
    }

    /// The copies of every photo and picture (JPEG, PNG, WebP) of the published issues,
    /// made on every core or taken from where they are kept; `check` only reads their
    /// headers. An image that cannot be read is an error; one narrower than a page shows
    /// a cover or an article's image, a warning (it would look blurred).
    ///
    /// Each photo's stamp is the one its folder's listing took (at `listedAt`, nanoseconds
    /// since 1970): it is not asked for again.
    private func makeImages(
        _ issues: [Issue], folders: [IssueFolder], listedAt: Int64, options: BuildOptions, buildCache: BuildCache?, facts: inout CacheFacts,
        report: inout BuildReport
    ) -> PublishedImages? {
        lazy var stamps = Dictionary(folders.map { ("issues/" + $0.name, $0.stamps) }, uniquingKeysWith: { first, _ in first })
        typealias Source = (output: String, file: String, folder: String, asset: String, stamp: FileStamp?)
        var sources: [Source] = []
        for issue in issues {
            let folder = String(issue.sourceFolder)
            for asset in issue.assets where Recipe.isRaster(asset) {
                sources.append((issue.outputPath + asset, "\(options.source.path)/\(folder)/\(asset)", folder, asset, stamps[folder]?[asset]))
            }
        }
        guard !sources.isEmpty else { return nil }
        // Shown as wide as a page's column: covers and articles' images.
        let shown = Set(issues.flatMap { issue in ([issue.cover] + issue.articles.map(\.image)).compactMap { $0?.path } })
        func said(_ source: Source, _ result: Result<ImageSize, ImageProcessor.ImageFailure>) -> Diagnostic? {
            let message: String
            let severity: Diagnostic.Severity
            switch result {
            case .failure(let failure):
                (severity, message) = (.error, "\(source.asset) is not an image Bulletin can read (\(failure.message)): replace it with a JPEG, PNG or WebP file")
            case .success(let size) where size.width < Recipe.shownWidth && shown.contains(source.output):
                (severity, message) = (.warning, "\(source.asset) is \(size.width) pixels wide, narrower than the \(Recipe.shownWidth) it is shown at: it will look blurred (use a larger photo)")
            case .success: return nil
            }
            // Said where the image is named, else of the file itself.
            guard let location = Self.reference(to: source.asset, inFolder: source.folder, of: options.source) else {
                return Diagnostic(severity, message, path: "\(source.folder)/\(source.asset)")
            }
            return Diagnostic(severity, message, path: location.path, line: location.line, column: location.column)
        }
        guard options.writesOutput else {
            report.diagnostics += sources.concurrentMap { said($0, ImageProcessor.probe($0.file).map(\.size)) }.compactMap { $0 }
            return nil
        }
        // `serve` serves the copies from where they are kept, after the build: where `build` keeps them.
        let kept = options.imagesFolder ?? buildCache?.folder.appendingPathComponent("images")
            ?? (options.servedSite != nil ? options.source.appendingPathComponent(".bulletin-cache/images") : nil)
        let folder = kept
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("bulletin-images-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let processor = ImageProcessor(folder: folder, startedAt: listedAt)
        if kept == nil { facts.temporaryImages = folder }
        let made = sources.concurrentMap { processor.variants(of: $0.file, outputPath: $0.output, stamp: $0.stamp) }
        processor.save()
        var variants: [String: ImageVariants] = [:]
        for (result, source) in zip(made, sources) {
            let size = result.map { ImageSize(width: $0.width, height: $0.height) }
            if let diagnostic = said(source, size) { report.diagnostics.append(diagnostic) }
            if case .success(let made) = result { variants[source.output] = made }
        }
        report.imagesProcessed = processor.counts.processed
        report.imagesCached = processor.counts.cached
        return PublishedImages(variants)
    }

    /// Where the issue folder `folder` (relative to the site at `root`) first names its
    /// file `asset` (relative to the folder): a field (`cover: images/photo.jpg`,
    /// `image: ../images/photo.jpg`) or a body's image, in `issue.md`, then its other
    /// Markdown files in order; nil when none does. Read only to say where an image that
    /// failed is named.
    static func reference(to asset: String, inFolder folder: String, of root: URL) -> SourceLocation? {
        let markdown = IssueMarkdown(folder: folder, root: root)
        let name = (asset as NSString).lastPathComponent
        // The whole path first (`images/a/photo.jpg` before another folder's `photo.jpg`),
        // as written and as a Markdown link percent-encodes it.
        for needle in [asset, encodePath(asset), name, encodePath(name)] {
            guard var place = markdown.places(of: needle).first else { continue }
            // At the start of the path as written (`../images/photo.jpg`).
            let bytes = markdown.files[place.file].text.utf8
            while place.offset > 0, !" \t\n(\"'<[".utf8.contains(bytes[bytes.index(bytes.startIndex, offsetBy: place.offset - 1)]) {
                place.offset -= 1
            }
            return markdown.location(of: place)
        }
        return nil
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

