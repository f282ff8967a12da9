import Foundation
/// The e-mail edition of one issue: `email.html` from the theme's `email` template,
/// `email.txt` from the same content, and both in `email.eml`.
struct EmailRenderer {
    /// The 600 px container minus its side padding.
    static let contentWidth = 536

    let model: SiteModel
    let theme: Theme
    /// The web context, whose linker is replaced by absolute URLs.
    let context: RenderContext
    /// Where the issues' Markdown files are, to point a finding at the line to fix.
    let sourceRoot: URL

    /// The issue's three files, and what the preflight found in them (see `EmailPreflight`).
    func edition(for issue: Issue) -> (files: [OutputFile], check: EmailCheck) {
        let config = model.config
        let subject = theme.locale.numberedTitle(of: issue)
        let webURL = context.linker.absolutePage(issue.outputPath)
        let view = IssueView(issue: issue, context: context, isFull: true)
        let page = PageView(
            body: .issue(view),
            meta: PageMeta(kind: .issue, title: subject, description: issue.effectiveSummary, absoluteURL: webURL),
            context: context)
        let info = EmailInfo(
            subject: subject, preheader: issue.effectiveSummary, webURL: webURL, unsubscribe: config.unsubscribe,
            fromName: fromName)
        let html = theme.render("email", EmailView(page: page, email: info))
        let text = EmailText(issue: issue, context: context, subject: subject, webURL: webURL).render()
        let host = URLComponents(string: config.baseURL)?.host ?? "bulletin.invalid"
        let message = MIMEMessage(
            from: sender(host: host), subject: subject, date: issue.date.rfc822(in: config.timeZone),
            messageID: "issue-\(issue.number)-\(issue.slug)@\(host)", unsubscribe: config.unsubscribeHeader, text: text, html: html)
        let eml = message.rendered()
        let files: [OutputFile] = [
            .text(issue.outputPath + "email.html", html),
            .text(issue.outputPath + "email.txt", text),
            OutputFile(path: issue.outputPath + "email.eml", contents: .data(eml.bytes)),
        ]
        let preflight = EmailPreflight(budgetBytes: config.emailBudgetBytes)
        let findings = preflight.check(html: html, text: text, encodedHTMLBytes: eml.htmlPartBytes)
        return (files, EmailCheck(findings: locate(findings, of: issue), htmlPartBytes: eml.htmlPartBytes))
    }

    /// Each finding at the line of the issue's Markdown that holds what it names (a link's
    /// text, an image; the second finding of the same text at its second place), else at
    /// the issue's `issue.md`.
    private func locate(_ findings: [EmailPreflight.Finding], of issue: Issue) -> [Diagnostic] {
        let markdown = findings.contains { $0.needle != nil } ? IssueMarkdown(folder: String(issue.sourceFolder), root: sourceRoot) : nil
        // Each text's places, found once: ten thousand links of the same text are one search.
        var places: [String: [(file: Int, offset: Int)]] = [:]
        var seen: [String: Int] = [:]
        return findings.map { finding in
            guard let needle = finding.needle, let markdown else { return Diagnostic(finding.severity, finding.message, path: issue.source.path) }
            let found = places[needle] ?? markdown.places(of: needle)
            places[needle] = found
            let occurrence = seen[needle, default: 0]
            seen[needle] = occurrence + 1
            guard !found.isEmpty else { return Diagnostic(finding.severity, finding.message, path: issue.source.path) }
            return .init(finding.severity, finding.message, at: markdown.location(of: found[min(occurrence, found.count - 1)]))
        }
    }

    /// `email_from`, else the site's contact under the publisher's or the site's name.
    private func sender(host: String) -> String {
        let config = model.config
        if let from = config.emailFrom { return from }
        return "\(fromName) <\(config.contact ?? "newsletter@\(host)")>"
    }

    private var fromName: String {
        let config = model.config
        return config.emailFrom.flatMap(MIMEMessage.displayName(of:)) ?? config.publisher ?? config.title
    }
}

struct EmailInfo: TemplateObject {
    let subject: String
    let preheader: String
    let webURL: String
    let unsubscribe: String?
    let fromName: String

    func value(named name: String) -> TemplateValue? {
        switch name {
        case "subject": subject.templateValue
        case "preheader": preheader.templateValue
        case "web_url": webURL.templateValue
        case "unsubscribe": unsubscribe?.templateValue
        case "has_unsubscribe": (unsubscribe != nil).templateValue
        case "from_name": fromName.templateValue
        default: nil
        }
    }
}

struct EmailView: TemplateObject {
    let page: PageView
    let email: EmailInfo

    func value(named name: String) -> TemplateValue? {
        name == "email" ? email.templateValue : page.value(named: name)
    }
}
