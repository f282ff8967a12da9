/// The context of a whole page: what every page has (docs/themes.md, "Context available
/// on every page") plus the page's own objects. A class, for the reason `IssueView` is.
final class PageView: TemplateObject {
    enum Body {
        case home(latest: IssueView?, recent: [IssueView])
        case issue(IssueView)
        case article(IssueView, ArticleView)
        case archive([YearView])
        case notFound
    }

    let body: Body
    let meta: PageMeta
    let context: RenderContext
    /// The page template's output, for the layout.
    var content: String = ""

    init(body: Body, meta: PageMeta, context: RenderContext) {
        self.body = body
        self.meta = meta
        self.context = context
    }

    func value(named name: String) -> TemplateValue? {
        // `name` first: looking into `body` copies it, and most names are not in it.
        switch name {
        case "root": return context.linker.root.templateValue
        case "content": return content.templateValue
        case "t": return context.locale.strings.templateValue
        case "lang": return context.model.config.language.rawValue.templateValue
        case "dir": return context.model.config.language.direction.templateValue
        case "colors": return context.model.config.palette.templateValues.templateValue
        case "page": return meta.templateValue
        case "site": return SiteView(context: context).templateValue
        case "latest", "recent", "has_recent", "issue", "article", "years": break
        default: return nil
        }
        switch (name, body) {
        case ("latest", .home(let latest, _)): return latest?.templateValue
        case ("recent", .home(_, let recent)): return recent.templateValue
        case ("has_recent", .home(_, let recent)): return (!recent.isEmpty).templateValue
        case ("issue", .issue(let issue)), ("issue", .article(let issue, _)): return issue.templateValue
        case ("article", .article(_, let article)): return article.templateValue
        case ("years", .archive(let years)): return years.templateValue
        default: return nil
        }
    }
}

struct PageMeta: TemplateObject {
    enum Kind: String {
        case home, issue, article, archive, notfound
    }

    let kind: Kind
    let title: String
    let description: String
    let absoluteURL: String
    /// What a shared link shows (`og:image`).
    var image: SharedImage? = nil

    /// An image as a page's card or a feed's item shows it, with what a reader needs to show it.
    struct SharedImage: TemplateObject {
        let url: String
        let width: Int?
        let height: Int?
        let alt: String
        var mediaType: String? = nil

        func value(named name: String) -> TemplateValue? {
            switch name {
            case "url": url.templateValue
            case "width": width?.templateValue
            case "height": height?.templateValue
            case "alt": alt.templateValue
            case "media_type": mediaType?.templateValue
            default: nil
            }
        }
    }

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "title": title.templateValue
        case "description": description.templateValue
        case "absolute_url": absoluteURL.templateValue
        case "og_type": (kind == .article ? "article" : "website").templateValue
        case "absolute_image_url": image?.url.templateValue
        case "image": image?.templateValue
        case "kind": kind.rawValue.templateValue
        case "is_home": (kind == .home).templateValue
        case "is_issue": (kind == .issue).templateValue
        case "is_article": (kind == .article).templateValue
        case "is_archive": (kind == .archive).templateValue
        case "is_notfound": (kind == .notfound).templateValue
        default: nil
        }
    }
}

struct SiteView: TemplateObject {
    let context: RenderContext

    private func feedName(_ format: FeedFormat) -> String {
        context.locale.strings["feed_" + format.rawValue] ?? format.rawValue
    }

    func value(named name: String) -> TemplateValue? {
        let config = context.model.config
        let linker = context.linker
        switch name {
        case "title": return config.title.templateValue
        case "description": return config.description?.templateValue
        case "publisher": return config.publisher?.templateValue
        case "contact": return config.contact?.templateValue
        case "logo_url": return config.logo.map(linker.file)?.templateValue
        case "logo": return config.logo.map { context.image($0, alt: config.title, maxWidth: 200).templateValue }
        case "home_url": return linker.page("").templateValue
        case "archive_url": return linker.page("archive/").templateValue
        // The first feed the site writes (RSS unless `feed.formats` leaves it out).
        case "feed_url": return config.feedFormats.first.map { linker.file($0.fileName) }?.templateValue
        case "feed_name": return config.feedFormats.first.map { feedName($0) }?.templateValue
        case "feeds":
            return config.feedFormats.map { format in
                ["name": feedName(format), "url": linker.file(format.fileName), "absolute_url": linker.absoluteFile(format.fileName), "media_type": format.mediaType]
            }.templateValue
        case "absolute_feed_url": return linker.absoluteFile(FeedFormat.rss.fileName).templateValue
        case "absolute_atom_url": return linker.absoluteFile(FeedFormat.atom.fileName).templateValue
        case "absolute_json_feed_url": return linker.absoluteFile(FeedFormat.json.fileName).templateValue
        case "absolute_url", "absolute_home_url": return config.baseURL.templateValue
        case "palette_css": return config.palette.css?.templateValue
        case "has_stylesheet": return config.hasSiteStylesheet.templateValue
        case "social": return config.social.map { LinkView(title: $0.name, url: $0.url) }.templateValue
        case "has_social": return (!config.social.isEmpty).templateValue
        case "masthead": return config.masthead.map { ["role": $0.role, "name": $0.name] }.templateValue
        case "has_masthead": return (!config.masthead.isEmpty).templateValue
        case "address_html": return context.address.map { context.html($0) }?.templateValue
        case "year": return context.model.issues.first?.date.year.templateValue
        default: return nil
        }
    }
}

struct YearView: TemplateObject {
    let year: Int
    let issues: [IssueView]

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "year": year.templateValue
        case "issues": issues.templateValue
        default: nil
        }
    }
}
