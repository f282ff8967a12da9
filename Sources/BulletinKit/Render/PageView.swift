import Mustache

/// The context of a whole page: what every page has (docs/themes.md, "Context available
/// on every page") plus the page's own objects. A class, for the reason `IssueView` is.
final class PageView: MustacheParent {
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

    func child(named name: String) -> Any? {
        // `name` first: looking into `body` copies it, and most names are not in it.
        switch name {
        case "root": return context.linker.root
        case "content": return content
        case "t": return context.locale.strings
        case "lang": return context.model.config.language.rawValue
        case "page": return meta
        case "site": return SiteView(context: context)
        case "latest", "recent", "has_recent", "issue", "article", "years": break
        default: return nil
        }
        switch (name, body) {
        case ("latest", .home(let latest, _)): return latest
        case ("recent", .home(_, let recent)): return recent
        case ("has_recent", .home(_, let recent)): return !recent.isEmpty
        case ("issue", .issue(let issue)), ("issue", .article(let issue, _)): return issue
        case ("article", .article(_, let article)): return article
        case ("years", .archive(let years)): return years
        default: return nil
        }
    }
}

struct PageMeta: MustacheParent {
    enum Kind: String {
        case home, issue, article, archive, notfound
    }

    let kind: Kind
    let title: String
    let description: String
    let absoluteURL: String
    var absoluteImageURL: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "description": description
        case "absolute_url": absoluteURL
        case "og_type": kind == .article ? "article" : "website"
        case "absolute_image_url": absoluteImageURL
        case "kind": kind.rawValue
        case "is_home": kind == .home
        case "is_issue": kind == .issue
        case "is_article": kind == .article
        case "is_archive": kind == .archive
        case "is_notfound": kind == .notfound
        default: nil
        }
    }
}

struct SiteView: MustacheParent {
    let context: RenderContext

    func child(named name: String) -> Any? {
        let config = context.model.config
        let linker = context.linker
        switch name {
        case "title": return config.title
        case "description": return config.description
        case "publisher": return config.publisher
        case "contact": return config.contact
        case "logo_url": return config.logo.map(linker.file)
        case "logo": return config.logo.map { context.image($0, alt: config.title, maxWidth: 200) }
        case "home_url": return linker.page("")
        case "archive_url": return linker.page("archive/")
        case "feed_url": return linker.file("feed.xml")
        case "absolute_feed_url": return linker.absoluteFile("feed.xml")
        case "absolute_url", "absolute_home_url": return config.baseURL
        case "social": return config.social.map { LinkView(title: $0.name, url: $0.url) }
        case "has_social": return !config.social.isEmpty
        case "masthead": return config.masthead.map { ["role": $0.role, "name": $0.name] }
        case "has_masthead": return !config.masthead.isEmpty
        case "address_html": return context.addressHTML.map(context.fragment)
        case "year": return context.model.issues.first?.date.year
        default: return nil
        }
    }
}

struct YearView: MustacheParent {
    let year: Int
    let issues: [IssueView]

    func child(named name: String) -> Any? {
        switch name {
        case "year": year
        case "issues": issues
        default: nil
        }
    }
}
