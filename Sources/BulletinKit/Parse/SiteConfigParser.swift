import Foundation

/// Parses and validates `site.yml`.
enum SiteConfigParser {
    static func parse(_ file: SourceFile, staticFiles: Set<String>, diagnostics: inout [Diagnostic]) -> SiteConfig? {
        if file.data.count > FrontMatterDocument.maxBytes {
            diagnostics.append(Diagnostic(
                .error, "site.yml is \(file.data.count / 1024) KB; it may have at most \(FrontMatterDocument.maxBytes / 1024) KB", path: file.path))
            return nil
        }
        guard let decoded = String(data: file.data, encoding: .utf8) else {
            let location = FrontMatterDocument.firstInvalidUTF8(in: file.data)
            diagnostics.append(Diagnostic(
                .error, "file is not valid UTF-8 text (save it as UTF-8)", path: file.path,
                line: location.line, column: location.column))
            return nil
        }
        let (text, warning) = FrontMatterDocument.removingControlCharacters(decoded, path: file.path)
        if let warning { diagnostics.append(warning) }
        let fields: YAMLFields
        switch YAMLFields.parse(text, path: file.path, firstLine: 1) {
        case .success(let parsed): fields = parsed
        case .failure(let diagnostic):
            diagnostics.append(diagnostic)
            return nil
        }
        fields.warnUnknownKeys(allowed: SiteConfig.keys, into: &diagnostics)
        let errorCount = diagnostics.count

        let title = fields.string("title", required: true, into: &diagnostics)
        let baseURL = fields.string("base_url", required: true, into: &diagnostics)
        if let baseURL, !isAbsoluteWebURL(baseURL) {
            diagnostics.append(.error(
                "`base_url` must be an absolute http(s) URL such as https://lettre.example.fr/",
                at: fields.location(ofKey: "base_url")))
        }
        let languageText = fields.string("language", required: true, into: &diagnostics)
        let language = languageText.flatMap(Language.init(rawValue:))
        if let languageText, language == nil {
            diagnostics.append(.error(
                "`language` must be fr or en, got \"\(languageText)\"", at: fields.location(ofKey: "language")))
        }
        let timeZoneName = fields.string("timezone", into: &diagnostics) ?? "Europe/Paris"
        let timeZone = TimeZone(identifier: timeZoneName)
        if timeZone == nil {
            diagnostics.append(.error(
                "`timezone` must be an IANA time zone such as Europe/Paris, got \"\(timeZoneName)\"",
                at: fields.location(ofKey: "timezone")))
        }

        let social = fields.mappings("social", into: &diagnostics).compactMap { entry -> SiteConfig.SocialLink? in
            entry.warnUnknownKeys(allowed: ["name", "url"], into: &diagnostics)
            guard let name = entry.string("name", required: true, into: &diagnostics),
                let url = entry.string("url", required: true, into: &diagnostics)
            else { return nil }
            if !isAbsoluteWebURL(url) {
                diagnostics.append(.error("social `url` must be an absolute http(s) URL", at: entry.location(ofKey: "url")))
            }
            return SiteConfig.SocialLink(name: name, url: url)
        }
        let masthead = fields.mappings("masthead", into: &diagnostics).compactMap { entry -> SiteConfig.MastheadEntry? in
            entry.warnUnknownKeys(allowed: ["role", "name"], into: &diagnostics)
            guard let role = entry.string("role", required: true, into: &diagnostics),
                let name = entry.string("name", required: true, into: &diagnostics)
            else { return nil }
            return SiteConfig.MastheadEntry(role: role, name: name)
        }
        var feedItems = 20
        if let feed = fields.mapping("feed", into: &diagnostics) {
            feed.warnUnknownKeys(allowed: ["items"], into: &diagnostics)
            if let items = feed.int("items", into: &diagnostics) {
                if items < 1 {
                    diagnostics.append(.error("feed `items` must be at least 1", at: feed.location(ofKey: "items")))
                }
                feedItems = items
            }
        }
        var unsafeHTML = false
        if let markdown = fields.mapping("markdown", into: &diagnostics) {
            markdown.warnUnknownKeys(allowed: ["unsafe_html"], into: &diagnostics)
            unsafeHTML = markdown.bool("unsafe_html", into: &diagnostics) ?? false
        }
        var emailBudget = SiteConfig.defaultEmailBudgetKB
        if let email = fields.mapping("email", into: &diagnostics) {
            email.warnUnknownKeys(allowed: ["size_budget_kb"], into: &diagnostics)
            if let budget = email.int("size_budget_kb", into: &diagnostics) {
                if !(1...SiteConfig.maxEmailBudgetKB).contains(budget) {
                    diagnostics.append(.error(
                        "email `size_budget_kb` must be between 1 and \(SiteConfig.maxEmailBudgetKB) (Gmail clips messages past 102 KB)",
                        at: email.location(ofKey: "size_budget_kb")))
                } else {
                    emailBudget = budget
                }
            }
        }
        let emailFrom = fields.string("email_from", into: &diagnostics)
        if let emailFrom, !Self.isMailbox(emailFrom) {
            diagnostics.append(.error(
                "`email_from` must be an address on one line, e.g. \"La Lettre <lettre@example.fr>\"", at: fields.location(ofKey: "email_from")))
        }
        let publisher = fields.string("publisher", into: &diagnostics)
        if let publisher, publisher.unicodeScalars.contains(where: \.isControl) {
            diagnostics.append(.error("`publisher` must be on one line (it names the e-mail's sender)", at: fields.location(ofKey: "publisher")))
        }
        let unsubscribe = fields.string("unsubscribe", into: &diagnostics)
        if let unsubscribe, !Self.isUnsubscribeLink(unsubscribe) {
            diagnostics.append(.error(
                "`unsubscribe` must be an https:// URL, a mailto: address or a mailing tool's merge tag (*|UNSUB|*, {{unsubscribe}}, [[UNSUB_LINK]], %%unsubscribe%%)",
                at: fields.location(ofKey: "unsubscribe")))
        }
        let logo = fields.string("logo", into: &diagnostics).map { String($0.drop { $0 == "/" }) }
        if let logo, !staticFiles.contains(logo) {
            diagnostics.append(.error("`logo` file not found: static/\(logo)", at: fields.location(ofKey: "logo")))
        }
        let theme = fields.string("theme", into: &diagnostics) ?? "default"
        if theme.contains("/") || theme.hasPrefix(".") {
            diagnostics.append(.error("`theme` must be a folder name under themes/", at: fields.location(ofKey: "theme")))
        }
        let config = SiteConfig(
            title: title ?? "", baseURL: baseURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "",
            language: language ?? .fr, description: fields.string("description", into: &diagnostics),
            theme: theme, publisher: publisher,
            contact: fields.string("contact", into: &diagnostics), logo: logo,
            social: social, masthead: masthead, addressMarkdown: fields.string("address", into: &diagnostics),
            unsubscribe: unsubscribe,
            emailFrom: emailFrom,
            timeZone: timeZone ?? TimeZone(identifier: "Europe/Paris")!, feedItems: feedItems, unsafeHTML: unsafeHTML,
            emailBudgetBytes: emailBudget * 1024)
        return diagnostics[errorCount...].hasErrors ? nil : config
    }
}

extension SiteConfigParser {
    /// `lettre@example.fr` or `Name <lettre@example.fr>`, on one line: written into an
    /// e-mail header, a line break would start a header of its own (`Bcc:`…).
    static func isMailbox(_ value: String) -> Bool {
        guard !value.unicodeScalars.contains(where: \.isControl) else { return false }
        let address: Substring
        if let open = value.lastIndex(of: "<") {
            guard value.hasSuffix(">") else { return false }
            address = value[value.index(after: open)..<value.index(before: value.endIndex)]
        } else {
            address = Substring(value.trimmingCharacters(in: .whitespaces))
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !address.contains { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "," }
    }

    /// Where the e-mail's unsubscribe link leads: a web page, an address, or a tag that
    /// the mailing tool replaces with each subscriber's link. Written into an `href`,
    /// so nothing else is accepted.
    static func isUnsubscribeLink(_ value: String) -> Bool {
        if value.unicodeScalars.contains(where: { $0.isControl || " \"'<>`\\".unicodeScalars.contains($0) }) {
            // Spaces are allowed inside a merge tag's braces only.
            guard value.hasPrefix("{{") || value.hasPrefix("{"), !value.contains(where: { "\"'<>`\\".contains($0) }),
                !value.unicodeScalars.contains(where: \.isControl)
            else { return false }
        }
        if isAbsoluteWebURL(value) {
            return value.lowercased().hasPrefix("https://") || value.lowercased().hasPrefix("http://")
        }
        if value.lowercased().hasPrefix("mailto:") {
            return isMailbox(String(value.dropFirst(7).prefix { $0 != "?" }))
        }
        let tags = [("*|", "|*"), ("{{", "}}"), ("[[", "]]"), ("%%", "%%"), ("[", "]"), ("{", "}")]
        return tags.contains { open, close in
            guard value.hasPrefix(open), value.hasSuffix(close), value.count > open.count + close.count else { return false }
            let inner = value.dropFirst(open.count).dropLast(close.count)
            return inner.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-. :".contains($0)) }
        }
    }
}

func isAbsoluteWebURL(_ text: String) -> Bool {
    guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else { return false }
    return (scheme == "http" || scheme == "https") && !(url.host ?? "").isEmpty
}
