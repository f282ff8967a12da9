/// The plain-text twin of an issue's e-mail: the same content, as readable text with
/// every link written out, wrapped near 72 columns.
struct EmailText {
    let issue: Issue
    let context: RenderContext
    let subject: String
    let webURL: String

    private var t: [String: String] { context.locale.strings }
    private var linker: Linker { context.linker }

    func render() -> String {
        var blocks: [String] = []
        let config = context.model.config
        blocks.append(config.title)
        blocks.append(underline(subject, with: "=") + "\n" + context.locale.display(issue.date))
        blocks.append("\(t["email_view_online"] ?? "View online")\(separator)\(webURL)")

        if issue.edito != nil || !issue.content.body.isEmpty {
            var edito = [underline(issue.edito?.title.map { "\(t["edito"] ?? "Édito") — \($0)" } ?? (t["edito"] ?? "Édito"), with: "-")]
            edito.append(text(issue.content.body))
            let signature = [issue.edito?.author, issue.edito?.role].compactMap { $0 }.joined(separator: ", ")
            if !signature.isEmpty { edito.append(signature) }
            blocks.append(edito.joined(separator: "\n\n"))
        }
        var currentSection: String?? = .none
        for article in issue.articles {
            if currentSection != .some(article.section) {
                currentSection = .some(article.section)
                blocks.append(underline(article.section ?? (t["articles_heading"] ?? "Articles"), with: "-"))
            }
            let teaser = article.summary ?? text(article.content.teaser, headingIDs: false)
            let url = article.link ?? linker.absolutePage(issue.pagePath(of: article))
            blocks.append("* \(article.title)\n\n\(teaser)\n\n\(t["read_more"] ?? "Read more")\(separator)\(url)")
        }
        if !issue.briefs.isEmpty {
            blocks.append(underline(t["briefs"] ?? "In brief", with: "-"))
            for brief in issue.briefs {
                var item = "* \(brief.title)\n\n\(text(brief.content.body))"
                if let link = brief.link { item += "\n\n\(t["read_more"] ?? "Read more")\(separator)\(link)" }
                blocks.append(item)
            }
        }
        if !issue.videos.isEmpty {
            blocks.append(underline(t["videos"] ?? "Videos", with: "-"))
            for video in issue.videos {
                let url: String
                switch video.source {
                case .hosted(_, let watch), .link(let watch): url = watch
                case .local(let path, _): url = linker.absoluteFile(path)
                }
                blocks.append("* \(video.title)\n  \(url)")
            }
        }
        if !issue.figures.isEmpty {
            blocks.append(underline(t["figures"] ?? "Key figures", with: "-"))
            blocks.append(issue.figures.map { figure in
                "* \(figure.value) \(figure.label)" + (figure.source.map { " (\(t["source"] ?? "Source")\(separator)\($0))" } ?? "")
            }.joined(separator: "\n"))
        }
        if !issue.agenda.isEmpty {
            blocks.append(underline(t["agenda"] ?? "Agenda", with: "-"))
            blocks.append(issue.agenda.map { item in
                let when = [context.locale.display(item.date), item.time].compactMap { $0 }.joined(separator: ", ")
                return "* \(when)\(separator)\(item.title)" + (item.place.map { "\n  \($0)" } ?? "")
            }.joined(separator: "\n"))
        }

        var footer: [String] = []
        if !config.masthead.isEmpty {
            footer.append(config.masthead.map { "\($0.role)\(separator)\($0.name)" }.joined(separator: "\n"))
        }
        if !config.social.isEmpty {
            footer.append((t["follow_us"] ?? "Follow us") + "\n" + config.social.map { "* \($0.name)\(separator)\($0.url)" }.joined(separator: "\n"))
        }
        if let address = context.address { footer.append(text(address)) }
        if let contact = config.contact { footer.append("\(t["contact"] ?? "Contact")\(separator)\(contact)") }
        if let unsubscribe = config.unsubscribe {
            footer.append("\(t["email_unsubscribe"] ?? "Unsubscribe")\(separator)\(unsubscribe)")
        }
        blocks.append("----\n\n" + footer.joined(separator: "\n\n"))
        return PlainText.wrap(blocks.joined(separator: "\n\n")) + "\n"
    }

    /// `" : "` in French, `": "` in English, from the locale.
    private var separator: String { t["label_separator"] ?? ": " }

    private func text(_ body: Body, headingIDs: Bool = true) -> String {
        BodyWriter(linker: linker, headingIDs: headingIDs).text(body)
    }

    private func underline(_ heading: String, with character: Character) -> String {
        heading + "\n" + String(repeating: character, count: min(heading.count, 72))
    }
}
