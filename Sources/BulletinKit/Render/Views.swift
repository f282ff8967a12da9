/// Template contexts. Each view answers the names listed in docs/themes.md by a
/// `switch`: the theme's documented vocabulary, with each value's type known.
///
/// A class: every view holds it, and templates copy views at each lookup; a reference
/// is one retain where a struct of this size was a dozen.
final class RenderContext: Sendable {
    let model: SiteModel
    let locale: LocaleStrings
    let linker: Linker
    /// The site's address, from `site.yml`'s Markdown.
    let address: Body?
    /// Titles are typeset when parsed; their `_html` form raises ordinals.
    let typographer: Typographer
    /// Sizes of the site's images, by output path.
    let imageSizes: [String: ImageSize]
    /// Set for the e-mail edition: inline styles on bodies.
    let emailStyle: EmailStyle?
    /// Widest an image may be shown (the e-mail's column); `nil` on the web.
    let maxImageWidth: Int?

    init(
        model: SiteModel, locale: LocaleStrings, linker: Linker, address: Body?, typographer: Typographer,
        imageSizes: [String: ImageSize] = [:], emailStyle: EmailStyle? = nil, maxImageWidth: Int? = nil
    ) {
        self.model = model
        self.locale = locale
        self.linker = linker
        self.address = address
        self.typographer = typographer
        self.imageSizes = imageSizes
        self.emailStyle = emailStyle
        self.maxImageWidth = maxImageWidth
    }

    /// The same context with other links, and for the e-mail other styles and widths.
    func with(_ linker: Linker, emailStyle: EmailStyle? = nil, maxImageWidth: Int? = nil) -> RenderContext {
        RenderContext(
            model: model, locale: locale, linker: linker, address: address, typographer: typographer,
            imageSizes: imageSizes, emailStyle: emailStyle ?? self.emailStyle, maxImageWidth: maxImageWidth ?? self.maxImageWidth)
    }

    /// A body as HTML for this page: links from here, styles inline in e-mails. A teaser
    /// has no heading ids (they belong to its body's own page).
    func html(_ body: Body, headingIDs: Bool = true) -> String {
        BodyWriter(linker: linker, headingIDs: headingIDs).html(body, email: emailStyle)
    }

    /// Front-matter text set as a paragraph, ordinals raised.
    func paragraph(_ text: String) -> String {
        var state = Typographer.State()
        let inlines = typographer.segments(text, state: &state).map { segment -> Inline in
            switch segment {
            case .text(let run): .text(run)
            case .superscript(let run): .superscript([.text(run)])
            }
        }
        return BodyWriter(linker: linker).paragraph(inlines, email: emailStyle)
    }

    func image(_ path: String, alt: String, credit: String? = nil, maxWidth: Int? = nil) -> ImageView {
        var size = imageSizes[path]
        var url = linker.file(path)
        var variants: ImageVariants? = nil
        if let made = linker.images?.variants[path] {
            if linker.imageCopy == .email {
                // Shown small (an author's photo): the small copy, twice as wide as shown.
                let copy = maxWidth.map { $0 * 2 <= Recipe.smallEmailWidth } == true ? made.smallEmail : made.email
                size = ImageSize(width: copy.width, height: copy.height)
                url = linker.root + encodePath(copy.path)
            } else {
                // `src` for browsers that read no WebP (and the feed): the e-mail's copy.
                size = ImageSize(width: made.widest.width, height: made.widest.height)
                url = linker.root + encodePath(made.email.path)
                if linker.imageCopy == .widest { variants = made }
            }
        }
        if let limit = maxWidth ?? maxImageWidth { size = size?.fitting(limit) }
        return ImageView(url: url, alt: alt, credit: credit, size: size, variants: variants, linker: linker)
    }
}

struct ImageView: TemplateObject {
    let url: String
    let alt: String
    let credit: String?
    var size: ImageSize? = nil
    /// On the web, an image made again: its copies by width (`webp_srcset`).
    var variants: ImageVariants? = nil
    var linker: Linker? = nil

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "url": url.templateValue
        case "alt": alt.templateValue
        case "credit": credit?.templateValue
        case "width": size?.width.templateValue
        case "height": size?.height.templateValue
        case "webp_srcset": webpSrcset?.templateValue
        default: nil
        }
    }

    private var webpSrcset: String? {
        guard let variants, let linker else { return nil }
        return ImageVariants.srcset(variants.webp) { linker.root + encodePath($0) }
    }
}

struct LinkView: TemplateObject {
    let title: String
    let url: String
    var titleHTML: String? = nil

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "title", "name": title.templateValue
        case "title_html": (titleHTML ?? escapeHTML(title)).templateValue
        case "url": url.templateValue
        default: nil
        }
    }
}

/// The views that hold an issue are classes: templates copy a view at every lookup,
/// and copying an `Issue` means a retain for each of its strings.
final class IssueView: TemplateObject {
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

    func value(named name: String) -> TemplateValue? {
        let linker = context.linker
        switch name {
        case "number": return issue.number.templateValue
        case "title": return issue.title.templateValue
        case "title_html": return context.typographer.html(issue.title).templateValue
        case "slug": return issue.slug.templateValue
        case "url": return linker.page(issue.outputPath).templateValue
        case "absolute_url": return linker.absolutePage(issue.outputPath).templateValue
        case "date_iso": return issue.date.description.templateValue
        case "date_display": return context.locale.display(issue.date).templateValue
        case "year": return issue.date.year.templateValue
        case "summary": return issue.effectiveSummary.templateValue
        case "cover": return issue.cover.map { context.image($0.path, alt: $0.alt).templateValue }
        case "is_draft": return issue.isDraft.templateValue
        case "is_future": return context.model.isFuture(issue).templateValue
        default: break
        }
        guard isFull else { return nil }
        switch name {
        case "edito":
            guard issue.edito != nil || !issue.content.body.isEmpty else { return nil }
            return EditoView(issue: issue, context: context).templateValue
        case "sections": return sections.templateValue
        case "articles": return issue.articles.map { ArticleView(article: $0, issue: issue, context: context) }.templateValue
        case "has_articles": return (!issue.articles.isEmpty).templateValue
        case "briefs": return issue.briefs.map { BriefView(brief: $0, context: context) }.templateValue
        case "has_briefs": return (!issue.briefs.isEmpty).templateValue
        case "videos": return issue.videos.map { VideoView(video: $0, context: context) }.templateValue
        case "has_videos": return (!issue.videos.isEmpty).templateValue
        case "figures": return issue.figures.map { FigureView(figure: $0) }.templateValue
        case "has_figures": return (!issue.figures.isEmpty).templateValue
        case "agenda": return issue.agenda.map { AgendaView(item: $0, locale: context.locale, typographer: context.typographer) }.templateValue
        case "has_agenda": return (!issue.agenda.isEmpty).templateValue
        case "newer", "older":
            guard let index = position else { return nil }
            let neighbours = context.model.neighbours(of: index)
            return (name == "newer" ? neighbours.newer : neighbours.older)
                .map { IssueView(issue: $0, context: context, isFull: false).templateValue }
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

struct SectionView: TemplateObject {
    let name: String?
    let articles: [ArticleView]

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "name": self.name?.templateValue
        case "has_name": (self.name != nil).templateValue
        case "articles": articles.templateValue
        default: nil
        }
    }
}

final class EditoView: TemplateObject {
    let issue: Issue
    let context: RenderContext

    init(issue: Issue, context: RenderContext) {
        self.issue = issue
        self.context = context
    }

    func value(named name: String) -> TemplateValue? {
        var photo: ImageView? { issue.edito?.photo.map { context.image($0, alt: "", maxWidth: 96) } }
        switch name {
        case "title": return issue.edito?.title?.templateValue
        case "title_html": return issue.edito?.title.map(context.typographer.html)?.templateValue
        case "author": return issue.edito?.author?.templateValue
        case "role": return issue.edito?.role?.templateValue
        case "photo": return photo?.templateValue
        case "photo_url": return photo?.url.templateValue
        case "photo_width": return photo?.size?.width.templateValue
        case "photo_height": return photo?.size?.height.templateValue
        case "html": return context.html(issue.content.body).templateValue
        default: return nil
        }
    }
}

final class ArticleView: TemplateObject {
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

    func value(named name: String) -> TemplateValue? {
        let linker = context.linker
        switch name {
        case "title": return article.title.templateValue
        case "title_html": return context.typographer.html(article.title).templateValue
        case "slug": return article.slug.templateValue
        case "url": return (article.link ?? linker.page(pageFolder)).templateValue
        case "page_url": return linker.page(pageFolder).templateValue
        case "absolute_url": return linker.absolutePage(pageFolder).templateValue
        case "is_external": return (article.link != nil).templateValue
        case "link": return article.link?.templateValue
        case "summary_html":
            if let summary = article.summary { return context.paragraph(summary).templateValue }
            return context.html(article.content.teaser, headingIDs: false).templateValue
        case "summary": return (article.summary ?? article.content.firstParagraphText).templateValue
        case "image": return article.image.map { context.image($0.path, alt: $0.alt, credit: article.credit).templateValue }
        case "credit": return article.credit?.templateValue
        case "section": return article.section?.templateValue
        case "author": return article.author?.templateValue
        case "contact": return article.contact?.templateValue
        case "tags": return article.tags.templateValue
        case "has_tags": return (!article.tags.isEmpty).templateValue
        case "html": return isPage ? context.html(article.content.body).templateValue : nil
        case "previous", "next":
            guard isPage, let index = issue.articles.firstIndex(where: { $0.slug == article.slug }) else { return nil }
            let neighbour = name == "previous" ? index - 1 : index + 1
            guard issue.articles.indices.contains(neighbour) else { return nil }
            let other = issue.articles[neighbour]
            return LinkView(
                title: other.title, url: linker.page(issue.pagePath(of: other)),
                titleHTML: context.typographer.html(other.title)).templateValue
        default: return nil
        }
    }
}

final class BriefView: TemplateObject {
    let brief: Article
    let context: RenderContext

    init(brief: Article, context: RenderContext) {
        self.brief = brief
        self.context = context
    }

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "title": brief.title.templateValue
        case "title_html": context.typographer.html(brief.title).templateValue
        case "slug": brief.slug.templateValue
        case "html": context.html(brief.content.body).templateValue
        case "link": brief.link?.templateValue
        case "image": brief.image.map { context.image($0.path, alt: $0.alt, credit: brief.credit).templateValue }
        default: nil
        }
    }
}

struct VideoView: TemplateObject {
    let video: Video
    let context: RenderContext

    private var linker: Linker { context.linker }

    func value(named name: String) -> TemplateValue? {
        switch (name, video.source) {
        case ("title", _): video.title.templateValue
        case ("title_html", _): context.typographer.html(video.title).templateValue
        // The poster's `url`, `webp_srcset`, `width` and `height`, as any image's.
        case ("poster_url", _), ("poster_webp_srcset", _), ("poster_width", _), ("poster_height", _):
            video.poster.flatMap { context.image($0, alt: "").value(named: String(name.dropFirst("poster_".count))) }
        case ("link_text", _): video.linkText?.templateValue
        case ("is_local", .local): true.templateValue
        case ("is_local", _): false.templateValue
        case ("local_url", .local(let path, _)): linker.file(path).templateValue
        case ("local_type", .local(_, let type)): type.templateValue
        case ("provider", .hosted(let provider, _)): provider.templateValue
        case ("watch_url", .hosted(_, let url)), ("watch_url", .link(let url)): url.templateValue
        default: nil
        }
    }
}

struct FigureView: TemplateObject {
    let figure: KeyFigure

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "value": figure.value.templateValue
        case "label": figure.label.templateValue
        case "source": figure.source?.templateValue
        default: nil
        }
    }
}

struct AgendaView: TemplateObject {
    let item: AgendaItem
    let locale: LocaleStrings
    let typographer: Typographer

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "title_html": typographer.html(item.title).templateValue
        case "date_iso": item.date.description.templateValue
        case "date_display": locale.display(item.date).templateValue
        case "time": item.time?.templateValue
        case "title": item.title.templateValue
        case "place": item.place?.templateValue
        default: nil
        }
    }
}
