import Mustache

/// Template contexts. Each view answers the names listed in docs/themes.md by a
/// `switch`, which is both the theme's documented vocabulary and faster than the
/// reflection swift-mustache falls back on.
///
/// A class: every view holds it, and templates copy views at each lookup; a reference
/// is one retain where a struct of this size was a dozen.
final class RenderContext: Sendable {
    let model: SiteModel
    let locale: LocaleStrings
    let linker: Linker
    /// The site's address, rendered once.
    let addressHTML: String?
    /// Titles are typeset when parsed; their `_html` form raises ordinals.
    let typographer: Typographer
    /// Sizes of the site's images, by output path.
    let imageSizes: [String: ImageSize]
    /// Set for the e-mail edition: inline styles on rendered Markdown.
    let styler: EmailStyler?
    /// Widest an image may be shown (the e-mail's column); `nil` on the web.
    let maxImageWidth: Int?

    init(
        model: SiteModel, locale: LocaleStrings, linker: Linker, addressHTML: String?, typographer: Typographer,
        imageSizes: [String: ImageSize] = [:], styler: EmailStyler? = nil, maxImageWidth: Int? = nil
    ) {
        self.model = model
        self.locale = locale
        self.linker = linker
        self.addressHTML = addressHTML
        self.typographer = typographer
        self.imageSizes = imageSizes
        self.styler = styler
        self.maxImageWidth = maxImageWidth
    }

    /// The same context with other links, and for the e-mail other styles and widths.
    func with(_ linker: Linker, styler: EmailStyler? = nil, maxImageWidth: Int? = nil) -> RenderContext {
        RenderContext(
            model: model, locale: locale, linker: linker, addressHTML: addressHTML, typographer: typographer,
            imageSizes: imageSizes, styler: styler ?? self.styler, maxImageWidth: maxImageWidth ?? self.maxImageWidth)
    }

    /// Rendered Markdown made ready for this page: links from here, styles inline in e-mails.
    func fragment(_ html: String) -> String {
        let linked = linker.content(html)
        return styler?.style(linked) ?? linked
    }

    func image(_ path: String, alt: String, credit: String? = nil, maxWidth: Int? = nil) -> ImageView {
        var size = imageSizes[path]
        if let limit = maxWidth ?? maxImageWidth { size = size?.fitting(limit) }
        return ImageView(url: linker.file(path), alt: alt, credit: credit, size: size)
    }
}

struct ImageView: MustacheParent {
    let url: String
    let alt: String
    let credit: String?
    var size: ImageSize? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "url": url
        case "alt": alt
        case "credit": credit
        case "width": size?.width
        case "height": size?.height
        default: nil
        }
    }
}

struct LinkView: MustacheParent {
    let title: String
    let url: String
    var titleHTML: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "title", "name": title
        case "title_html": titleHTML ?? escapeHTML(title)
        case "url": url
        default: nil
        }
    }
}

/// The views that hold an issue are classes: templates copy a view at every lookup,
/// and copying an `Issue` means a retain for each of its strings.
final class IssueView: MustacheParent {
    let issue: Issue
    let context: RenderContext
    /// Lists show summaries; the issue page and the feed show everything.
    let isFull: Bool
    /// Index in `model.issues`, for the neighbouring issues.
    let position: Int?

    init(issue: Issue, context: RenderContext, isFull: Bool, position: Int? = nil) {
        self.issue = issue
        self.context = context
        self.isFull = isFull
        self.position = position
    }

    func child(named name: String) -> Any? {
        let linker = context.linker
        switch name {
        case "number": return issue.number
        case "title": return issue.title
        case "title_html": return context.typographer.html(issue.title)
        case "slug": return issue.slug
        case "url": return linker.page(issue.outputPath)
        case "absolute_url": return linker.absolutePage(issue.outputPath)
        case "date_iso": return issue.date.description
        case "date_display": return context.locale.display(issue.date)
        case "year": return issue.date.year
        case "summary": return issue.effectiveSummary
        case "cover": return issue.cover.map { context.image($0.path, alt: $0.alt) }
        case "is_draft": return issue.isDraft
        case "is_future": return context.model.isFuture(issue)
        default: break
        }
        guard isFull else { return nil }
        switch name {
        case "edito":
            guard issue.edito != nil || !issue.content.html.isEmpty else { return nil }
            return EditoView(issue: issue, context: context)
        case "sections": return sections
        case "articles": return issue.articles.map { ArticleView(article: $0, issue: issue, context: context) }
        case "has_articles": return !issue.articles.isEmpty
        case "briefs": return issue.briefs.map { BriefView(brief: $0, context: context) }
        case "has_briefs": return !issue.briefs.isEmpty
        case "videos": return issue.videos.map { VideoView(video: $0, context: context) }
        case "has_videos": return !issue.videos.isEmpty
        case "figures": return issue.figures.map { FigureView(figure: $0) }
        case "has_figures": return !issue.figures.isEmpty
        case "agenda": return issue.agenda.map { AgendaView(item: $0, locale: context.locale, typographer: context.typographer) }
        case "has_agenda": return !issue.agenda.isEmpty
        case "newer", "older":
            guard let index = position else { return nil }
            let neighbours = context.model.neighbours(of: index)
            return (name == "newer" ? neighbours.newer : neighbours.older)
                .map { IssueView(issue: $0, context: context, isFull: false) }
        default: return nil
        }
    }

    /// Articles grouped by `section`, in order of first appearance, unsectioned first.
    private var sections: [SectionView] {
        var order: [String?] = []
        var groups: [String?: [Article]] = [:]
        for article in issue.articles {
            if groups[article.section] == nil { order.append(article.section) }
            groups[article.section, default: []].append(article)
        }
        order.sort { ($0 == nil ? 0 : 1) < ($1 == nil ? 0 : 1) }
        return order.map { section in
            SectionView(name: section, articles: groups[section]!.map { ArticleView(article: $0, issue: issue, context: context) })
        }
    }
}

struct SectionView: MustacheParent {
    let name: String?
    let articles: [ArticleView]

    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "has_name": self.name != nil
        case "articles": articles
        default: nil
        }
    }
}

final class EditoView: MustacheParent {
    let issue: Issue
    let context: RenderContext

    init(issue: Issue, context: RenderContext) {
        self.issue = issue
        self.context = context
    }

    func child(named name: String) -> Any? {
        var photo: ImageView? { issue.edito?.photo.map { context.image($0, alt: "", maxWidth: 96) } }
        switch name {
        case "title": return issue.edito?.title
        case "title_html": return issue.edito?.title.map(context.typographer.html)
        case "author": return issue.edito?.author
        case "role": return issue.edito?.role
        case "photo_url": return photo?.url
        case "photo_width": return photo?.size?.width
        case "photo_height": return photo?.size?.height
        case "html": return context.fragment(issue.content.html)
        default: return nil
        }
    }
}

final class ArticleView: MustacheParent {
    let article: Article
    let issue: Issue
    let context: RenderContext
    /// The article page shows the body and the neighbouring articles.
    let isPage: Bool

    init(article: Article, issue: Issue, context: RenderContext, isPage: Bool = false) {
        self.article = article
        self.issue = issue
        self.context = context
        self.isPage = isPage
    }

    private var pageFolder: String { issue.pagePath(of: article) }

    func child(named name: String) -> Any? {
        let linker = context.linker
        switch name {
        case "title": return article.title
        case "title_html": return context.typographer.html(article.title)
        case "slug": return article.slug
        case "url": return article.link ?? linker.page(pageFolder)
        case "page_url": return linker.page(pageFolder)
        case "absolute_url": return linker.absolutePage(pageFolder)
        case "is_external": return article.link != nil
        case "link": return article.link
        case "summary_html":
            if let summary = article.summary { return context.fragment("<p>\(context.typographer.html(summary))</p>") }
            return context.fragment(article.content.teaserHTML)
        case "summary": return article.summary ?? article.content.firstParagraphText
        case "image": return article.image.map { context.image($0.path, alt: $0.alt, credit: article.credit) }
        case "credit": return article.credit
        case "section": return article.section
        case "author": return article.author
        case "contact": return article.contact
        case "tags": return article.tags
        case "has_tags": return !article.tags.isEmpty
        case "html": return isPage ? context.fragment(article.content.html) : nil
        case "previous", "next":
            guard isPage, let index = issue.articles.firstIndex(where: { $0.slug == article.slug }) else { return nil }
            let neighbour = name == "previous" ? index - 1 : index + 1
            guard issue.articles.indices.contains(neighbour) else { return nil }
            let other = issue.articles[neighbour]
            return LinkView(
                title: other.title, url: linker.page(issue.pagePath(of: other)),
                titleHTML: context.typographer.html(other.title))
        default: return nil
        }
    }
}

final class BriefView: MustacheParent {
    let brief: Article
    let context: RenderContext

    init(brief: Article, context: RenderContext) {
        self.brief = brief
        self.context = context
    }

    func child(named name: String) -> Any? {
        switch name {
        case "title": brief.title
        case "title_html": context.typographer.html(brief.title)
        case "slug": brief.slug
        case "html": context.fragment(brief.content.html)
        case "link": brief.link
        case "image": brief.image.map { context.image($0.path, alt: $0.alt, credit: brief.credit) }
        default: nil
        }
    }
}

struct VideoView: MustacheParent {
    let video: Video
    let context: RenderContext

    private var linker: Linker { context.linker }

    func child(named name: String) -> Any? {
        switch (name, video.source) {
        case ("title", _): video.title
        case ("title_html", _): context.typographer.html(video.title)
        case ("poster_url", _): video.poster.map(linker.file)
        case ("poster_width", _): video.poster.flatMap { context.image($0, alt: "").size?.width }
        case ("poster_height", _): video.poster.flatMap { context.image($0, alt: "").size?.height }
        case ("link_text", _): video.linkText
        case ("is_local", .local): true
        case ("is_local", _): false
        case ("local_url", .local(let path, _)): linker.file(path)
        case ("local_type", .local(_, let type)): type
        case ("provider", .hosted(let provider, _)): provider
        case ("watch_url", .hosted(_, let url)), ("watch_url", .link(let url)): url
        default: nil
        }
    }
}

struct FigureView: MustacheParent {
    let figure: KeyFigure

    func child(named name: String) -> Any? {
        switch name {
        case "value": figure.value
        case "label": figure.label
        case "source": figure.source
        default: nil
        }
    }
}

struct AgendaView: MustacheParent {
    let item: AgendaItem
    let locale: LocaleStrings
    let typographer: Typographer

    func child(named name: String) -> Any? {
        switch name {
        case "title_html": typographer.html(item.title)
        case "date_iso": item.date.description
        case "date_display": locale.display(item.date)
        case "time": item.time
        case "title": item.title
        case "place": item.place
        default: nil
        }
    }
}
