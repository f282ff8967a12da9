import Foundation

/// Stage 4: the site model and a theme in, the list of output files out. Pure: it
/// reads nothing but the theme's on-disk assets it lists for copying.
struct SiteRenderer {
    let model: SiteModel
    let theme: Theme
    /// The site's address (`site.yml`), in the footer of every page and e-mail.
    let address: Body?
    let sourceRoot: URL
    let typographer: Typographer
    /// Sizes of the site's images, by output path.
    var imageSizes: [String: ImageSize] = [:]
    /// The issues' photos and pictures made again: pages show their copies, never them.
    var images: PublishedImages? = nil
    /// Set by `serve` and a cached `build`: files whose inputs did not change since the
    /// last build are not rendered again.
    var cache: (any RenderMemo)? = nil
    /// With `cache`: each issue's content key from the content stage (see `renderKey`).
    var contentKeys: [String: Int] = [:]
    /// With `cache`: a digest of the site's settings and the build's options.
    var inputsKey: UInt64 = 0
    /// Set by a cached build: an issue with its bodies, for one taken from the cache
    /// without them (lists show none; pages made again, the feed and the e-mail do).
    var completing: (@Sendable (Issue) -> Issue)? = nil
    /// Put before `</body>` of every web page (not the e-mails): `serve`'s live reload.
    var pageScript: String? = nil

    private var baseURL: String { model.config.baseURL }

    private func context(depth: Int) -> RenderContext {
        RenderContext(
            model: model, locale: theme.locale, linker: withImages(.relative(depth: depth, baseURL: baseURL)), address: address,
            typographer: typographer, imageSizes: imageSizes)
    }

    private func withImages(_ linker: Linker) -> Linker {
        var linker = linker
        linker.images = images
        return linker
    }

    /// Absolute URLs, inline styles, images fitted to the e-mail's column.
    private var emailContext: RenderContext {
        let (sizes, baseURL) = (imageSizes, baseURL)
        let style = EmailStyle(
            styles: theme.emailStyles.mapValues(model.config.palette.filling),
            imageSizes: { Dictionary(sizes.map { (baseURL + encodePath($0.key), $0.value) }, uniquingKeysWith: { a, _ in a }) },
            maxImageWidth: EmailRenderer.contentWidth)
        return context(depth: 0).with(withImages(.absolute(baseURL: baseURL)).leading(to: .email), emailStyle: style, maxImageWidth: EmailRenderer.contentWidth)
    }

    /// The site's files; what the preflight found and measured in each issue's e-mail, by
    /// the output path of its `email.html`; and how many sets of pages were made (each
    /// issue's, each site page: home, archive, 404, sitemap, each feed).
    func render() -> (files: [OutputFile], emails: [(path: String, check: EmailCheck)], pageSets: Int) {
        let shared = cache == nil ? 0 : sharedRenderKey
        let issues = model.issues
        let email = EmailRenderer(model: model, theme: theme, context: emailContext, sourceRoot: sourceRoot)
        // Made once for the feeds that show them, and only if one of them is not taken from the cache.
        let feedItems = Once { self.feedItems() }
        // The site's pages and each issue's pages and assets, all on every core: with one
        // article changed, the site's pages (the feed's full texts, the archive's list) were
        // most of the rendering, made one after the other.
        let sitePages: [() -> OutputFile] = [
            {
                remembered("index.html", shared: shared, full: issues.prefix(1), listed: issues.dropFirst().prefix(10)) {
                    withPageScript(page("home", path: "index.html", context: context(depth: 0), body: homeBody, meta: homeMeta))
                }
            },
            { remembered("archive/index.html", shared: shared, full: [], listed: issues) { withPageScript(archivePage()) } },
            { remembered("404.html", shared: shared, full: [], listed: []) { withPageScript(notFoundPage()) } },
            { remembered("sitemap.xml", key: { sitemapKey(shared: shared) }) { .text("sitemap.xml", sitemap()) } },
        ] + model.config.feedFormats.map { format in
            {
                remembered(format.fileName, shared: shared, full: issues.prefix(model.config.feedItems), listed: []) {
                    .text(format.fileName, feed(format, items: feedItems.value))
                }
            }
        }
        let made = Array(0..<(sitePages.count + issues.count)).concurrentMap { job -> (files: [OutputFile], email: EmailCheck?) in
            guard job >= sitePages.count else { return ([sitePages[job]()], nil) }
            let position = job - sitePages.count
            let issue = issues[position]
            let key = cache == nil ? nil : renderKey(of: issue, at: position, shared: shared)
            if let key, let cached = cache?.files(for: issue.slug, key: key) { return (cached.files + assetFiles(issue), cached.email) }
            let complete = complete(issue)
            let edition = email.edition(for: complete)
            let files = issueFiles(complete, position: position).map(withPageScript) + edition.files
            if let key { cache?.store(files, email: edition.check, for: issue.slug, key: key) }
            return (files + assetFiles(issue), edition.check)
        }
        cache?.keep(only: Set(model.issues.map { $0.slug }))
        // The site's pages, each issue's pages and assets, robots.txt and the theme's assets,
        // appended once: with thousands of files, every pass that copies them costs more
        // than the pages `serve` renders again.
        var files: [OutputFile] = []
        files.reserveCapacity(made.reduce(0) { $0 + $1.files.count } + 1 + theme.assets.count)
        for job in made { files += job.files }
        files.append(.text("robots.txt", "User-agent: *\nAllow: /\n\nSitemap: \(baseURL)sitemap.xml\n"))
        for (path, file) in theme.assets.sorted(by: { $0.key < $1.key }) {
            switch file {
            case .builtIn(let data): files.append(OutputFile(path: "assets/" + path, contents: .data(data)))
            case .onDisk(let url): files.append(OutputFile(path: "assets/" + path, contents: .copy(url)))
            }
        }
        let emails = issues.indices.compactMap { position in
            made[sitePages.count + position].email.map { (issues[position].outputPath + "email.html", $0) }
        }
        return (files, emails, made.count)
    }

    /// A site-wide file, taken from the cache while what it shows of the issues is the same.
    private func remembered(
        _ path: String, shared: Int, full: some Sequence<Issue>, listed: some Sequence<Issue>, _ make: () -> OutputFile
    ) -> OutputFile {
        remembered(path, key: { sitePageKey(path, shared: shared, full: full, listed: listed) }, make)
    }

    private func remembered(_ path: String, key: () -> Int?, _ make: () -> OutputFile) -> OutputFile {
        guard let cache, let key = key() else { return make() }
        if let known = cache.sitePage(path, key: key) { return known }
        let file = make()
        cache.store(sitePage: file, key: key)
        return file
    }

    private func complete(_ issue: Issue) -> Issue { completing?(issue) ?? issue }

    private func withPageScript(_ file: OutputFile) -> OutputFile {
        pageScript.map { file.injecting($0) } ?? file
    }

    // MARK: Pages

    private func page(_ template: String, path: String, context: RenderContext, body: (RenderContext) -> PageView.Body, meta: PageMeta) -> OutputFile {
        let view = PageView(body: body(context), meta: meta, context: context)
        view.content = theme.render(template, view)
        return .text(path, theme.render("layout", view))
    }

    private func homeBody(_ context: RenderContext) -> PageView.Body {
        let latest = model.issues.first.map { IssueView(issue: complete($0), context: context, isFull: true, position: 0) }
        let recent = model.issues.dropFirst().prefix(10).map { IssueView(issue: $0, context: context, isFull: false) }
        return .home(latest: latest, recent: Array(recent))
    }

    private var homeMeta: PageMeta {
        PageMeta(
            kind: .home, title: model.config.title, description: model.config.description ?? model.config.title,
            absoluteURL: baseURL, image: model.config.logo.map { PageMeta.SharedImage(url: baseURL + encodePath($0), width: nil, height: nil, alt: model.config.title) })
    }

    private func archivePage() -> OutputFile {
        let meta = PageMeta(
            kind: .archive, title: string("archive", default: "Archives"),
            description: model.config.description ?? model.config.title, absoluteURL: baseURL + "archive/")
        return page("archive", path: "archive/index.html", context: context(depth: 1), body: { context in
            .archive(model.archive.map { year in
                YearView(year: year.year, issues: year.issues.map { IssueView(issue: $0, context: context, isFull: false) })
            })
        }, meta: meta)
    }

    /// Served by hosts at any depth, so its links start from the site's root path.
    private func notFoundPage() -> OutputFile {
        let rootPath = URLComponents(string: baseURL)?.path ?? "/"
        let context = RenderContext(
            model: model, locale: theme.locale,
            linker: withImages(Linker(root: rootPath.hasSuffix("/") ? rootPath : rootPath + "/", baseURL: baseURL, isAbsolute: false)),
            address: address, typographer: typographer, imageSizes: imageSizes)
        let meta = PageMeta(
            kind: .notfound, title: string("not_found_title", default: "404"),
            description: model.config.description ?? model.config.title, absoluteURL: baseURL + "404.html")
        return page("404", path: "404.html", context: context, body: { _ in .notFound }, meta: meta)
    }

    private func issueFiles(_ issue: Issue, position: Int) -> [OutputFile] {
        let issueContext = context(depth: 2)
        let issueView = IssueView(issue: issue, context: issueContext, isFull: true, position: position)
        var files = [page("issue", path: issue.outputPath + "index.html", context: issueContext, body: { _ in .issue(issueView) },
            meta: PageMeta(kind: .issue, title: theme.locale.numberedTitle(of: issue), description: issue.effectiveSummary,
                absoluteURL: baseURL + encodePath(issue.outputPath), image: sharedImage(issue.cover)))]

        let articleContext = context(depth: 3)
        let issueFromArticle = IssueView(issue: issue, context: articleContext, isFull: false, position: position)
        for article in issue.articles {
            let view = ArticleView(article: article, issue: issue, context: articleContext, isPage: true)
            let folder = issue.pagePath(of: article)
            let meta = PageMeta(
                kind: .article, title: article.title, description: article.summary ?? article.content.firstParagraphText,
                absoluteURL: baseURL + encodePath(folder), image: sharedImage(article.image ?? issue.cover))
            files.append(page("article", path: folder + "index.html", context: articleContext,
                body: { _ in .article(issueFromArticle, view) }, meta: meta))
        }
        return files
    }

    /// The files of the issue's folder copied as they are (images, documents). Never taken
    /// from a cache with its pages: a photo replaced by another of the same size leaves
    /// the pages as they were, not the copy.
    private func assetFiles(_ issue: Issue) -> [OutputFile] {
        let folder = issue.sourceFolder
        var files: [OutputFile] = []
        files.reserveCapacity(issue.assets.count)
        for asset in issue.assets {
            let path = issue.outputPath + asset
            if let made = images?.variants[path] {
                // Its copies instead: the original may say where it was taken.
                for variant in made.copies {
                    files.append(OutputFile(path: variant.path, contents: .kept(path: variant.file)))
                }
                continue
            }
            // Not `appendingPathComponent`, which asks the disk whether it is a folder.
            files.append(OutputFile(path: path, contents: .copy(URL(fileURLWithPath: "\(sourceRoot.path)/\(folder)/\(asset)", isDirectory: false))))
        }
        return files
    }

    /// What a shared link to a page shows of `image`: its card, cropped to the size
    /// networks show, or the image itself when it was not made again (an SVG, a GIF).
    private func sharedImage(_ image: ImageRef?) -> PageMeta.SharedImage? {
        guard let image else { return nil }
        guard let card = images?.variants[image.path]?.card else {
            return PageMeta.SharedImage(url: baseURL + encodePath(image.path), width: nil, height: nil, alt: image.alt)
        }
        return PageMeta.SharedImage(url: baseURL + encodePath(card.path), width: card.width, height: card.height, alt: image.alt)
    }

    // MARK: Feed and sitemap

    /// The feeds' items: the newest issues, each with its whole content.
    private func feedItems() -> [FeedItemView] {
        let context = feedContext
        let config = model.config
        return model.issues.prefix(config.feedItems).map(complete).map { issue in
            let view = IssueView(issue: issue, context: context, isFull: true)
            let pageView = PageView(body: .issue(view), meta: PageMeta(
                kind: .issue, title: issue.title, description: issue.effectiveSummary,
                absoluteURL: baseURL + encodePath(issue.outputPath)), context: context)
            return FeedItemView(
                issue: view, numberedTitle: theme.locale.numberedTitle(of: issue), pubDate: issue.date.rfc822(in: config.timeZone),
                updated: issue.date.rfc3339(in: config.timeZone),
                author: issue.edito?.author ?? config.publisher ?? config.title,
                image: issue.cover.map(feedImage),
                contentHTML: theme.render("partials/issue-content", StackedView(top: view, below: pageView)))
        }
    }

    /// Absolute URLs, and images as the feed carries them: the e-mail's copy, not the original.
    private var feedContext: RenderContext {
        context(depth: 0).with(withImages(.absolute(baseURL: baseURL)).leading(to: .standard))
    }

    /// An issue's picture in a feed: the copy made for the e-mail (1,200 pixels wide at
    /// most), else the image as it is (an SVG, a GIF).
    private func feedImage(_ image: ImageRef) -> PageMeta.SharedImage {
        if let copy = images?.variants[image.path]?.email {
            return .init(url: baseURL + encodePath(copy.path), width: copy.width, height: copy.height, alt: image.alt, mediaType: Self.mediaType(of: copy.path))
        }
        let size = imageSizes[image.path]
        return .init(url: baseURL + encodePath(image.path), width: size?.width, height: size?.height, alt: image.alt, mediaType: Self.mediaType(of: image.path))
    }

    private static func mediaType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": "image/png"
        case "gif": "image/gif"
        case "svg": "image/svg+xml"
        case "webp": "image/webp"
        default: "image/jpeg"
        }
    }

    private func feed(_ format: FeedFormat, items: [FeedItemView]) -> String {
        let config = model.config
        let view = FeedView(
            page: PageView(body: .notFound, meta: homeMeta, context: feedContext), items: items,
            lastBuildDate: model.issues.first?.date.rfc822(in: config.timeZone),
            updated: model.issues.first?.date.rfc3339(in: config.timeZone), author: config.publisher ?? config.title)
        switch format {
        case .rss: return theme.render("feed", view)
        case .atom: return theme.render("atom", view)
        case .json: return jsonFeed(view)
        }
    }

    /// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): written here, not by a
    /// template, so that every string is escaped as JSON wants; by hand, not through
    /// `JSONSerialization`, which took a sixth of a warm build that made the feeds again.
    private func jsonFeed(_ view: FeedView) -> String {
        let config = model.config
        var json = JSONWriter()
        json.open("{")
        json.member("version", "https://jsonfeed.org/version/1.1")
        json.member("title", config.title)
        json.member("home_page_url", baseURL)
        json.member("feed_url", baseURL + FeedFormat.json.fileName)
        if let description = config.description { json.member("description", description) }
        if let logo = config.logo { json.member("icon", baseURL + encodePath(logo)) }
        json.member("language", config.language.rawValue)
        json.authors(view.author)
        json.key("items")
        json.open("[")
        for item in view.items {
            let issue = item.issue.issue
            let url = baseURL + encodePath(issue.outputPath)
            json.open("{")
            json.member("id", url)
            json.member("url", url)
            json.member("title", item.numberedTitle)
            if !issue.effectiveSummary.isEmpty { json.member("summary", issue.effectiveSummary) }
            if let image = item.image { json.member("image", image.url) }
            json.member("date_published", item.updated)
            json.authors(item.author)
            json.member("content_html", item.contentHTML)
            json.close("}")
        }
        json.close("]")
        json.close("}")
        return json.text + "\n"
    }

    private func sitemap() -> String {
        var urls = [baseURL, baseURL + "archive/"]
        for issue in model.issues {
            urls.append(baseURL + encodePath(issue.outputPath))
            urls += issue.articles.map { baseURL + encodePath(issue.pagePath(of: $0)) }
        }
        let lastModified = Dictionary(model.issues.map { (baseURL + encodePath($0.outputPath), $0.date.description) }, uniquingKeysWith: { a, _ in a })
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for url in urls {
            xml += "  <url><loc>\(escapeHTML(url))</loc>"
            if let date = lastModified[url] { xml += "<lastmod>\(date)</lastmod>" }
            xml += "</url>\n"
        }
        return xml + "</urlset>\n"
    }

    private func string(_ key: String, default fallback: String) -> String {
        theme.locale.strings[key] ?? fallback
    }
}

struct FeedView: TemplateObject {
    let page: PageView
    let items: [FeedItemView]
    let lastBuildDate: String?
    /// The newest issue's date, in RFC 3339 (Atom's `updated`).
    let updated: String?
    let author: String

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "items": items.templateValue
        case "last_build_date": lastBuildDate?.templateValue
        case "updated": updated?.templateValue
        case "author_name": author.templateValue
        default: page.value(named: name)
        }
    }
}

struct FeedItemView: TemplateObject {
    let issue: IssueView
    let numberedTitle: String
    let pubDate: String
    /// The issue's date at midnight in the site's zone, in RFC 3339.
    let updated: String
    let author: String
    let image: PageMeta.SharedImage?
    let contentHTML: String

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "pub_date": pubDate.templateValue
        case "updated": updated.templateValue
        case "numbered_title": numberedTitle.templateValue
        case "author_name": author.templateValue
        case "feed_image": image?.templateValue
        case "content_html": contentHTML.templateValue
        default: issue.value(named: name)
        }
    }
}


/// The partial `issue-content` runs inside `{{#issue}}` on the issue page; the feed
/// gives it the same stack: the issue first, then the page.
struct StackedView: TemplateObject {
    let top: any TemplateObject
    let below: any TemplateObject

    func value(named name: String) -> TemplateValue? {
        top.value(named: name) ?? below.value(named: name)
    }
}

/// JSON written as it goes, two spaces an indent: objects and arrays of strings.
private struct JSONWriter {
    private(set) var text = ""
    /// Whether the open object or array has a member yet, innermost last.
    private var hasMembers: [Bool] = []
    /// A key was written: the next object or array is its value.
    private var pendingValue = false

    private mutating func separate() {
        if let last = hasMembers.last {
            text += last ? ",\n" : "\n"
            hasMembers[hasMembers.count - 1] = true
        }
        text += String(repeating: "  ", count: hasMembers.count)
    }

    mutating func key(_ name: String) {
        separate()
        text += doubleQuoted(name) + ": "
        pendingValue = true
    }

    mutating func open(_ bracket: String) {
        if pendingValue {
            pendingValue = false
        } else if !hasMembers.isEmpty {
            separate()
        }
        text += bracket
        hasMembers.append(false)
    }

    mutating func close(_ bracket: String) {
        let had = hasMembers.removeLast()
        if had { text += "\n" + String(repeating: "  ", count: hasMembers.count) }
        text += bracket
    }

    mutating func member(_ name: String, _ value: String) {
        separate()
        text += doubleQuoted(name) + ": " + doubleQuoted(value)
    }

    /// `"authors": [{"name": …}]`.
    mutating func authors(_ name: String) {
        key("authors")
        open("[")
        open("{")
        member("name", name)
        close("}")
        close("]")
    }
}
