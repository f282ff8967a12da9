import Foundation

/// Parses one issue folder's front-matter into an `Issue` whose Markdown bodies are
/// not rendered yet (rendering needs every issue's links, see `ContentRenderer`).
struct IssueParser {
    let folder: IssueFolder
    let staticFiles: Set<String>

    /// The keys of `issue.md` and of articles, as `Parse/Keys.swift` declares them.
    static let issueKeys = Issue.Fields.Key.keys
    static let articleKeys = Article.Key.keys

    var slug: String { folder.slug }

    func parse(diagnostics: inout [Diagnostic]) -> Issue? {
        if !Slug.isValid(folder.name) {
            diagnostics.append(Diagnostic(
                .warning, "folder name is not a slug (lower-case ASCII letters, digits and dashes); the issue is published as issues/\(slug)/",
                path: folder.path))
        }
        guard let file = folder.issueFile, let (document, yaml) = split(file, diagnostics: &diagnostics) else {
            return nil
        }
        guard document.yaml != nil else {
            diagnostics.append(Diagnostic(
                .error, "issue.md must start with front-matter between --- lines (title, number, date)", path: file.path))
            return nil
        }
        let errorCount = diagnostics.count
        let fields = KeyedFields<Issue.Fields.Key>(yaml: yaml)
        fields.warnUnknownKeys(into: &diagnostics)
        let resolver = resolver(in: "")

        let title = fields.text(.title, into: &diagnostics)
        let number = fields.number(.number, into: &diagnostics)
        let date = fields.date(.date, into: &diagnostics)
        let cover = image(fields, .cover, alt: .coverAlt, resolver: resolver, diagnostics: &diagnostics)

        var edito: Edito?
        if let block = fields.block(.edito, keys: Edito.Key.self, into: &diagnostics) {
            block.warnUnknownKeys(into: &diagnostics)
            edito = Edito(
                title: block.text(.title, into: &diagnostics), author: block.text(.author, into: &diagnostics),
                role: block.text(.role, into: &diagnostics),
                photo: asset(block, .photo, resolver: resolver, diagnostics: &diagnostics))
        }
        let videos = fields.entries(.videos, keys: Video.Key.self, into: &diagnostics).compactMap {
            video($0, resolver: resolver, diagnostics: &diagnostics)
        }
        let figures = fields.entries(.figures, keys: KeyFigure.Key.self, into: &diagnostics).compactMap { entry -> KeyFigure? in
            entry.warnUnknownKeys(into: &diagnostics)
            guard let value = entry.text(.value, into: &diagnostics), let label = entry.text(.label, into: &diagnostics)
            else { return nil }
            return KeyFigure(value: value, label: label, source: entry.text(.source, into: &diagnostics))
        }
        let agenda = fields.entries(.agenda, keys: AgendaItem.Key.self, into: &diagnostics).compactMap { entry -> AgendaItem? in
            entry.warnUnknownKeys(into: &diagnostics)
            guard let date = entry.date(.date, into: &diagnostics), let title = entry.text(.title, into: &diagnostics)
            else { return nil }
            return AgendaItem(
                date: date, time: entry.text(.time, into: &diagnostics), title: title, place: entry.text(.place, into: &diagnostics))
        }
        let isDraft = fields.flag(.draft, into: &diagnostics) ?? false
        let summary = fields.text(.summary, into: &diagnostics)

        let articles = parseItems(folder.articles, kind: "article", diagnostics: &diagnostics)
        let briefs = parseItems(folder.briefs, kind: "En bref item", diagnostics: &diagnostics)
        let topLevelNames = Set(folder.files.map { String($0.split(separator: "/")[0]) })
        for article in articles where topLevelNames.contains(article.slug) {
            diagnostics.append(Diagnostic(
                .error, "article slug `\(article.slug)` clashes with the file or folder \(folder.path)/\(article.slug) of the issue; set another `slug:`",
                path: article.source.path))
        }
        for name in Self.generatedNames where folder.files.contains(name) {
            diagnostics.append(Diagnostic(
                .error, "\(folder.path)/\(name) has the same path as a file written for the issue; rename it",
                path: "\(folder.path)/\(name)"))
        }

        guard !diagnostics[errorCount...].hasErrors, let title, let number, let date else { return nil }
        return Issue(Issue.Fields(
            slug: slug, number: number, title: title, date: date, summary: summary, cover: cover, isDraft: isDraft,
            edito: edito, videos: videos, figures: figures, agenda: agenda, articles: articles, briefs: briefs,
            assets: folder.files.filter { !$0.hasSuffix(".md") }.sorted(),
            source: MarkdownSource(path: file.path, text: document.body, firstLine: document.bodyFirstLine, stamp: file.stamp),
            numberLocation: fields.location(of: .number)))
    }

    /// The files written at the top of an issue's output folder, which none of its own may replace.
    static let generatedNames = ["index.html", "email.html", "email.txt", "email.eml"]

    // MARK: Articles and En bref items

    private func parseItems(_ files: [SourceFile], kind: String, diagnostics: inout [Diagnostic]) -> [Article] {
        var items: [(article: Article, fileName: String)] = []
        for file in files {
            guard let (document, yaml) = split(file, diagnostics: &diagnostics) else { continue }
            if document.yaml == nil {
                diagnostics.append(Diagnostic(
                    .error, "\(kind) must start with front-matter between --- lines (at least a title)", path: file.path))
                continue
            }
            if let article = parseItem(file, document: document, yaml: yaml, diagnostics: &diagnostics) {
                items.append((article, file.name))
            }
        }
        // Order: `order:` replaces the file name's number; then the file name, naturally.
        items.sort { lhs, rhs in
            let left = lhs.article.order ?? Slug.numberPrefix(of: lhs.fileName) ?? Int.max
            let right = rhs.article.order ?? Slug.numberPrefix(of: rhs.fileName) ?? Int.max
            return left != right ? left < right : naturalOrder(lhs.fileName, rhs.fileName)
        }
        var seen: [String: String] = [:]
        for (article, _) in items {
            if let other = seen[article.slug] {
                diagnostics.append(Diagnostic(
                    .error, "slug `\(article.slug)` is already used by \(other) in this issue; set a different `slug:`",
                    path: article.source.path))
            }
            seen[article.slug] = article.source.path
        }
        return items.map(\.article)
    }

    private func parseItem(
        _ file: SourceFile, document: FrontMatterDocument, yaml: YAMLFields, diagnostics: inout [Diagnostic]
    ) -> Article? {
        let errorCount = diagnostics.count
        let fields = KeyedFields<Article.Key>(yaml: yaml)
        fields.warnUnknownKeys(into: &diagnostics)
        let directory = String(file.path.dropFirst(folder.path.count + 1).split(separator: "/").dropLast().joined(separator: "/"))
        let resolver = resolver(in: directory)
        let title = fields.text(.title, into: &diagnostics)
        let slug = fields.text(.slug, into: &diagnostics) ?? Slug.fromFileName(file.name)
        if slug.isEmpty {
            diagnostics.append(Diagnostic(.error, "file name gives an empty slug; rename the file or set `slug:`", path: file.path))
        }
        let link = fields.text(.link, into: &diagnostics)
        let contact = fields.text(.contact, into: &diagnostics)
        let article = Article(
            slug: slug, title: title ?? "", summary: fields.text(.summary, into: &diagnostics),
            image: image(fields, .image, alt: .imageAlt, resolver: resolver, diagnostics: &diagnostics),
            credit: fields.text(.credit, into: &diagnostics), section: fields.text(.section, into: &diagnostics),
            tags: fields.texts(.tags, into: &diagnostics), author: fields.text(.author, into: &diagnostics),
            contact: contact, link: link, order: fields.number(.order, into: &diagnostics),
            source: MarkdownSource(path: file.path, text: document.body, firstLine: document.bodyFirstLine, stamp: file.stamp))
        return diagnostics[errorCount...].hasErrors ? nil : article
    }

    // MARK: Fields shared by issues and articles

    private func split(_ file: SourceFile, diagnostics: inout [Diagnostic]) -> (FrontMatterDocument, YAMLFields)? {
        switch FrontMatterDocument.split(file) {
        case .failure(let diagnostic):
            diagnostics.append(diagnostic)
            return nil
        case .success(let document):
            if let warning = document.warning { diagnostics.append(warning) }
            guard let yaml = document.yaml else {
                return (document, YAMLFields(mapping: [:], path: file.path, lineOffset: 0, location: SourceLocation(path: file.path)))
            }
            switch YAMLFields.parse(yaml, path: file.path, firstLine: document.yamlFirstLine) {
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
                return nil
            case .success(let fields):
                return (document, fields)
            }
        }
    }

    private func resolver(in directory: String) -> PathResolver {
        PathResolver(folder: folder, slug: slug, staticFiles: staticFiles, directory: directory)
    }

    /// A path field that must name a file of the issue (or of `static/`).
    private func asset<Key>(
        _ fields: KeyedFields<Key>, _ key: Key, resolver: PathResolver, diagnostics: inout [Diagnostic]
    ) -> String? {
        guard let path = fields.text(key, into: &diagnostics) else { return nil }
        switch resolver.resolve(path) {
        case .success(.asset(let output)):
            return output
        case .success(.markdown):
            diagnostics.append(.error(
                "`\(key.rawValue)` must name an image or media file, not a Markdown file", at: fields.location(of: key)))
        case .failure(let error):
            diagnostics.append(.error("`\(key.rawValue)`: \(error.message)", at: fields.location(of: key)))
        }
        return nil
    }

    /// An image and its alternative text, which is required with it.
    private func image<Key>(
        _ fields: KeyedFields<Key>, _ key: Key, alt altKey: Key, resolver: PathResolver, diagnostics: inout [Diagnostic]
    ) -> ImageRef? {
        let path = asset(fields, key, resolver: resolver, diagnostics: &diagnostics)
        let alt = fields.text(altKey, into: &diagnostics)
        if fields.isSet(key), alt == nil {
            diagnostics.append(.error(
                "`\(altKey.rawValue)` is required when `\(key.rawValue)` is set: describe the image for readers who cannot see it",
                at: fields.location(of: key)))
        }
        guard let path, let alt else { return nil }
        return ImageRef(path: path, alt: alt)
    }

    private func video(_ entry: KeyedFields<Video.Key>, resolver: PathResolver, diagnostics: inout [Diagnostic]) -> Video? {
        entry.warnUnknownKeys(into: &diagnostics)
        guard let title = entry.text(.title, into: &diagnostics), let url = entry.text(.url, into: &diagnostics)
        else { return nil }
        let poster = asset(entry, .poster, resolver: resolver, diagnostics: &diagnostics)
        let linkText = entry.text(.linkText, into: &diagnostics)
        let lowered = url.lowercased()
        if !lowered.contains("://"), lowered.hasSuffix(".mp4") || lowered.hasSuffix(".webm") {
            guard let path = asset(entry, .url, resolver: resolver, diagnostics: &diagnostics) else { return nil }
            let source = Video.Source.local(path: path, mimeType: lowered.hasSuffix(".mp4") ? "video/mp4" : "video/webm")
            return Video(title: title, source: source, poster: poster, linkText: linkText)
        }
        if let hosted = VideoLink.hosted(url) {
            return Video(title: title, source: hosted, poster: poster, linkText: linkText)
        }
        guard isAbsoluteWebURL(url) else {
            diagnostics.append(.error(
                "video `url` must be a YouTube, Vimeo or Dailymotion link, an http(s) URL or a .mp4/.webm file of the issue",
                at: entry.location(of: .url)))
            return nil
        }
        diagnostics.append(.warning(
            "video host not recognised (YouTube, Vimeo, Dailymotion); shown as a plain link", at: entry.location(of: .url)))
        return Video(title: title, source: .link(url: url), poster: poster, linkText: linkText)
    }
}
