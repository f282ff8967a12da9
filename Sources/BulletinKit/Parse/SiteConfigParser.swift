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
        let fields: KeyedFields<SiteConfig.Key>
        switch YAMLFields.parse(text, path: file.path, firstLine: 1) {
        case .success(let parsed): fields = KeyedFields(yaml: parsed)
        case .failure(let diagnostic):
            diagnostics.append(diagnostic)
            return nil
        }
        fields.warnUnknownKeys(into: &diagnostics)
        let errorCount = diagnostics.count

        let title = fields.text(.title, into: &diagnostics)
        let baseURL = fields.text(.baseURL, into: &diagnostics)
        let language = fields.text(.language, into: &diagnostics).flatMap(Language.init(rawValue:))
        let timeZone = TimeZone(identifier: fields.text(.timezone, into: &diagnostics) ?? "Europe/Paris")

        let social = fields.entries(.social, keys: SiteConfig.SocialLink.Key.self, into: &diagnostics).compactMap {
            entry -> SiteConfig.SocialLink? in
            entry.warnUnknownKeys(into: &diagnostics)
            guard let name = entry.text(.name, into: &diagnostics), let url = entry.text(.url, into: &diagnostics)
            else { return nil }
            return SiteConfig.SocialLink(name: name, url: url)
        }
        let masthead = fields.entries(.masthead, keys: SiteConfig.MastheadEntry.Key.self, into: &diagnostics).compactMap {
            entry -> SiteConfig.MastheadEntry? in
            entry.warnUnknownKeys(into: &diagnostics)
            guard let role = entry.text(.role, into: &diagnostics), let name = entry.text(.name, into: &diagnostics)
            else { return nil }
            return SiteConfig.MastheadEntry(role: role, name: name)
        }
        var feedItems = 20
        var feedFormats = FeedFormat.allCases
        if let feed = fields.block(.feed, keys: SiteConfig.FeedKey.self, into: &diagnostics) {
            feed.warnUnknownKeys(into: &diagnostics)
            feedItems = feed.number(.items, into: &diagnostics) ?? feedItems
            if feed.isSet(.formats) {
                let named = feed.texts(.formats, into: &diagnostics)
                if let wrong = named.first(where: { FeedFormat(rawValue: $0) == nil }) ?? (named.isEmpty ? "" : nil) {
                    diagnostics.append(.error(
                        "feed `formats` lists one or more of rss, atom and json, got \"\(MIMEMessage.oneLine(wrong))\"", at: feed.location(of: .formats)))
                } else {
                    // In the order of `allCases`, each once.
                    feedFormats = FeedFormat.allCases.filter { named.contains($0.rawValue) }
                }
            }
        }
        var unsafeHTML = false
        if let markdown = fields.block(.markdown, keys: SiteConfig.MarkdownKey.self, into: &diagnostics) {
            markdown.warnUnknownKeys(into: &diagnostics)
            unsafeHTML = markdown.flag(.unsafeHTML, into: &diagnostics) ?? false
        }
        var emailBudget = SiteConfig.defaultEmailBudgetKB
        if let email = fields.block(.email, keys: SiteConfig.EmailKey.self, into: &diagnostics) {
            email.warnUnknownKeys(into: &diagnostics)
            emailBudget = email.number(.sizeBudgetKB, into: &diagnostics) ?? emailBudget
        }
        var palette = Palette()
        if let colors = fields.block(.colors, keys: SiteConfig.ColorKey.self, into: &diagnostics) {
            colors.warnUnknownKeys(into: &diagnostics)
            for key in SiteConfig.ColorKey.allCases {
                guard let value = colors.text(key, into: &diagnostics) else { continue }
                // `#abc` as `#aabbcc`: one way to write each colour.
                palette.chosen[key.rawValue] = RGB(css: value)?.hex ?? value
            }
            for weak in palette.weakPairs {
                diagnostics.append(.warning(
                    "\(weak.pair) has a contrast of \(String((weak.ratio * 100).rounded() / 100)):1, under WCAG AA's 4.5:1: readers with low vision cannot read it",
                    at: SiteConfig.ColorKey(rawValue: weak.color).map(colors.location(of:)) ?? fields.location(of: .colors)))
            }
        }
        if let fonts = fields.block(.fonts, keys: SiteConfig.FontKey.self, into: &diagnostics) {
            fonts.warnUnknownKeys(into: &diagnostics)
            palette.bodyFont = fonts.text(.body, into: &diagnostics)
            palette.headingsFont = fonts.text(.headings, into: &diagnostics)
        }
        let emailFrom = fields.text(.emailFrom, into: &diagnostics)
        let publisher = fields.text(.publisher, into: &diagnostics)
        let unsubscribe = Self.unsubscribe(fields.texts(.unsubscribe, into: &diagnostics), at: fields.location(of: .unsubscribe), into: &diagnostics)
        let logo = fields.text(.logo, into: &diagnostics).map { String($0.drop { $0 == "/" }) }
        if let logo, !staticFiles.contains(logo) {
            diagnostics.append(.error("`logo` file not found: static/\(logo)", at: fields.location(of: .logo)))
        }
        let theme = fields.text(.theme, into: &diagnostics) ?? "default"
        let config = SiteConfig(
            title: title ?? "", baseURL: baseURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "",
            language: language ?? .fr, description: fields.text(.description, into: &diagnostics),
            theme: theme, publisher: publisher,
            contact: fields.text(.contact, into: &diagnostics), logo: logo,
            social: social, masthead: masthead, addressMarkdown: fields.text(.address, into: &diagnostics),
            unsubscribe: unsubscribe.link, unsubscribeHeader: unsubscribe.header,
            emailFrom: emailFrom,
            timeZone: timeZone ?? TimeZone(identifier: "Europe/Paris")!, feedItems: feedItems, feedFormats: feedFormats, unsafeHTML: unsafeHTML,
            emailBudgetBytes: emailBudget * 1024, palette: palette, hasSiteStylesheet: staticFiles.contains("site.css"))
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

    /// `unsubscribe`: one link, or a `mailto:` address and a web page. The e-mail's link
    /// is the web page (or merge tag), else the address; `List-Unsubscribe` names both,
    /// unless a merge tag says the mailing tool writes its own.
    static func unsubscribe(
        _ values: [String], at location: SourceLocation, into diagnostics: inout [Diagnostic]
    ) -> (link: String?, header: [String]) {
        func error(_ message: String) -> (link: String?, header: [String]) {
            diagnostics.append(.error(message, at: location))
            return (nil, [])
        }
        if let wrong = values.first(where: { !isUnsubscribeLink($0) }) {
            return error(
                "`unsubscribe` must be an https:// URL, a mailto: address or a mailing tool's merge tag (*|UNSUB|*, {{unsubscribe}}, [[UNSUB_LINK]], %%unsubscribe%%), got \"\(MIMEMessage.oneLine(wrong))\"")
        }
        let addresses = values.filter { $0.lowercased().hasPrefix("mailto:") }
        let others = values.filter { !$0.lowercased().hasPrefix("mailto:") }
        guard addresses.count <= 1, others.count <= 1 else {
            return error("`unsubscribe` takes one link, or a list of a mailto: address and one https:// URL or merge tag")
        }
        let isTag = others.first.map { !isAbsoluteWebURL($0) } ?? false
        return (others.first ?? addresses.first, isTag ? [] : addresses + others)
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
        return isMergeTag(value)
    }

    /// A mailing tool's tag for a subscriber's link (`*|UNSUB|*`, `{{unsubscribe}}`…),
    /// which it replaces as it sends.
    static func isMergeTag(_ value: String) -> Bool {
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
