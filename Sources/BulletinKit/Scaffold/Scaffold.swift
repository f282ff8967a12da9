import Foundation

/// `bulletin new` and `bulletin init`: the files to create, computed from the titles and
/// from what the site already holds. Never prints and never writes: `ScaffoldWriter` does.
public enum Scaffold {
    /// What `bulletin new` adds to an issue.
    public enum ItemKind: String, Sendable, CaseIterable {
        case article
        case brief

        /// The issue's subfolder for this kind.
        public var folder: String {
            switch self {
            case .article: return "articles"
            case .brief: return "en-bref"
            }
        }
    }

    /// A new issue and the values chosen for it.
    public struct NewIssue: Sendable {
        public var file: ScaffoldFile
        public var number: Int
        public var date: SimpleDate
    }

    /// Longest slug taken from a title; longer ones are cut at a dash.
    static let maximumSlugLength = 60

    /// The slug a title gives, or why it gives none.
    public static func slug(forTitle title: String) -> Result<String, ScaffoldError> {
        if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .failure(ScaffoldError("the title is empty"))
        }
        var slug = Slug.make(title)
        if slug.isEmpty {
            return .failure(ScaffoldError(
                "the title \"\(title)\" gives an empty slug (no letter or digit to name the file with); add some letters"))
        }
        if slug.count > maximumSlugLength {
            let cut = slug.prefix(maximumSlugLength)
            slug = cut.lastIndex(of: "-").map { String(cut[..<$0]) } ?? String(cut)
        }
        return .success(slug)
    }

    // MARK: Pure: the files, from values

    /// `issues/<YYYY-MM>-<slug>/issue.md`, a draft with a commented skeleton of every key.
    public static func issue(title: String, number: Int, date: SimpleDate) -> Result<NewIssue, ScaffoldError> {
        slug(forTitle: title).map { slug in
            let folder = String(format: "%04d-%02d-", date.year, date.month) + slug
            let text = ScaffoldTemplates.issue(title: title, number: number, date: date)
            return NewIssue(file: ScaffoldFile(path: "issues/\(folder)/issue.md", text: text), number: number, date: date)
        }
    }

    /// `issues/<folder>/articles/NN-slug.md` (or `en-bref/`), numbered after the
    /// existing files of that folder.
    ///
    /// - Parameters:
    ///   - existingFileNames: the names of the files already in the kind's folder.
    ///   - issueEntries: the names of the issue folder's top-level files and folders (an
    ///     article's slug may not be one of them: both would share one URL).
    public static func item(
        _ kind: ItemKind, title: String, issueFolder: String, existingFileNames: [String], issueEntries: [String] = []
    ) -> Result<ScaffoldFile, ScaffoldError> {
        let slug: String
        switch self.slug(forTitle: title) {
        case .failure(let error): return .failure(error)
        case .success(let made): slug = made
        }
        let markdown = existingFileNames.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") && $0.hasSuffix(".md") }
        if let same = markdown.sorted(by: naturalOrder).first(where: { Slug.fromFileName($0) == slug }) {
            return .failure(ScaffoldError(
                "issues/\(issueFolder)/\(kind.folder)/\(same) already has the slug `\(slug)`; choose another title. Nothing was written"))
        }
        if kind == .article, issueEntries.contains(slug) {
            return .failure(ScaffoldError(
                "the slug `\(slug)` is the name of issues/\(issueFolder)/\(slug), and both would share one URL; choose another title. Nothing was written"))
        }
        let highest = markdown.compactMap(Slug.numberPrefix(of:)).max() ?? 0
        let (next, overflow) = highest.addingReportingOverflow(1)
        guard !overflow else {
            return .failure(ScaffoldError(
                "issues/\(issueFolder)/\(kind.folder) already has a file numbered \(highest), which has no successor; name the new file by hand. Nothing was written"))
        }
        let name = (next < 10 ? "0\(next)-" : "\(next)-") + slug + ".md"
        let text = ScaffoldTemplates.item(kind, title: title)
        return .success(ScaffoldFile(path: "issues/\(issueFolder)/\(kind.folder)/\(name)", text: text))
    }

    /// Every file of a new site: `site.yml`, `.gitignore`, a logo, a sample issue dated
    /// `today` (with an édito, an article and an En bref item) and, with `withTheme`, a
    /// copy of the built-in theme under `themes/default/`.
    public static func site(today: SimpleDate, withTheme: Bool) -> [ScaffoldFile] {
        let folder = String(format: "issues/%04d-%02d-premier-numero", today.year, today.month)
        var files = [
            ScaffoldFile(path: "site.yml", text: ScaffoldTemplates.siteYML),
            ScaffoldFile(path: ".gitignore", text: ScaffoldTemplates.gitignore),
            ScaffoldFile(path: "static/logo.svg", text: ScaffoldTemplates.logoSVG),
            ScaffoldFile(path: "\(folder)/issue.md", text: ScaffoldTemplates.sampleIssue(date: today)),
            ScaffoldFile(path: "\(folder)/articles/01-bienvenue.md", text: ScaffoldTemplates.sampleArticle),
            ScaffoldFile(path: "\(folder)/en-bref/01-publier-un-numero.md", text: ScaffoldTemplates.sampleBrief),
        ]
        if withTheme {
            files += DefaultTheme.files.keys.sorted().map { ScaffoldFile(path: "themes/default/\($0)", contents: DefaultTheme.files[$0]!) }
        }
        return files
    }

    /// Paths of the built-in theme's files, relative to `themes/default/`.
    public static var builtInThemeFiles: [String] { DefaultTheme.files.keys.sorted() }
}

/// An existing site folder, read for what `bulletin new` needs: the issues' numbers,
/// the time zone, the files of an issue.
public struct ScaffoldSite: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// An issue folder and its number, when `issue.md` gives one.
    public struct IssueEntry: Sendable, Hashable {
        public var folder: String
        public var number: Int?
    }

    /// Fails when the folder has no `site.yml`.
    public func requireSite() -> ScaffoldError? {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("site.yml").path)
            ? nil : ScaffoldError("no site.yml here: is this a Bulletin site? (run it in the site's folder, pass --source DIR, or create one with `bulletin init DIR`)")
    }

    /// The site's `timezone`, Europe/Paris when absent or unreadable.
    public var timeZone: TimeZone {
        let paris = TimeZone(identifier: "Europe/Paris")!
        guard let data = try? Data(contentsOf: root.appendingPathComponent("site.yml")),
            let text = String(data: data, encoding: .utf8),
            case .success(let fields) = YAMLFields.parse(text, path: "site.yml", firstLine: 1)
        else { return paris }
        var ignored: [Diagnostic] = []
        return fields.string("timezone", into: &ignored).flatMap(TimeZone.init(identifier:)) ?? paris
    }

    /// Every visible folder under `issues/`, by name, with its number.
    public func issues() -> [IssueEntry] {
        SiteLoader.visibleEntries(of: root.appendingPathComponent("issues"))
            .filter(\.isDirectory).map(\.name).sorted(by: naturalOrder)
            .map { IssueEntry(folder: $0, number: number(ofIssue: $0)) }
    }

    /// The `number:` of an issue's front-matter: parsed as the build does, or, when the
    /// front-matter does not parse, found by a line scan (a broken file still holds its number).
    func number(ofIssue folder: String) -> Int? {
        let path = "issues/\(folder)/issue.md"
        guard let data = try? Data(contentsOf: root.appendingPathComponent(path)) else { return nil }
        let file = SourceFile(path: path, data: data)
        if case .success(let document) = FrontMatterDocument.split(file), let yaml = document.yaml,
            case .success(let fields) = YAMLFields.parse(yaml, path: path, firstLine: document.yamlFirstLine)
        {
            var ignored: [Diagnostic] = []
            if let number = fields.int("number", into: &ignored) { return number }
        }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix("number:") {
            let value = line.dropFirst("number:".count).prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            if let number = Int(value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))) { return number }
        }
        return nil
    }

    /// `bulletin new issue`: the next number (the highest one + 1) and `date`, or today in
    /// the site's time zone.
    public func newIssue(title: String, date: SimpleDate? = nil, now: Date = Date()) -> Result<Scaffold.NewIssue, ScaffoldError> {
        if let error = requireSite() { return .failure(error) }
        let highest = issues().compactMap(\.number).max() ?? 0
        let (number, overflow) = highest.addingReportingOverflow(1)
        guard !overflow else {
            return .failure(ScaffoldError("the highest issue number, \(highest), has no successor; number the new issue by hand. Nothing was written"))
        }
        let day = date ?? SimpleDate.today(in: timeZone, now: now)
        return Scaffold.issue(title: title, number: number, date: day)
    }

    /// `bulletin new article|brief ISSUE`: ISSUE is a folder name under `issues/` or an
    /// issue number.
    public func newItem(_ kind: Scaffold.ItemKind, issue reference: String, title: String) -> Result<ScaffoldFile, ScaffoldError> {
        if let error = requireSite() { return .failure(error) }
        let folder: String
        switch resolveIssue(reference) {
        case .failure(let error): return .failure(error)
        case .success(let name): folder = name
        }
        let issueURL = root.appendingPathComponent("issues/\(folder)")
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: issueURL.appendingPathComponent(kind.folder).path)) ?? []
        let entries = SiteLoader.visibleEntries(of: issueURL).map(\.name)
        return Scaffold.item(kind, title: title, issueFolder: folder, existingFileNames: existing, issueEntries: entries)
    }

    /// The folder name of the issue that `reference` names: the folder itself (`issues/`
    /// and a trailing `/` allowed, as shell completion writes them) or its number.
    public func resolveIssue(_ reference: String) -> Result<String, ScaffoldError> {
        var name = reference.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("./") { name.removeFirst(2) }
        if name.hasPrefix("issues/") { name.removeFirst("issues/".count) }
        while name.hasSuffix("/") { name.removeLast() }
        let all = issues()
        if let entry = all.first(where: { $0.folder == name }) { return .success(entry.folder) }
        if !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(name) {
            let matches = all.filter { $0.number == number }
            if matches.count == 1 { return .success(matches[0].folder) }
            if matches.count > 1 {
                return .failure(ScaffoldError(
                    "several issues have the number \(number) (\(matches.map(\.folder).joined(separator: ", "))); give the folder name"))
            }
            return .failure(ScaffoldError("no issue has the number \(number)\(known(all))"))
        }
        return .failure(ScaffoldError("no issue folder issues/\(name)\(known(all))"))
    }

    private func known(_ all: [IssueEntry]) -> String {
        guard !all.isEmpty else { return "; there is no issue yet (create one with `bulletin new issue \"Titre\"`)" }
        let latest = all.suffix(5).map { entry in entry.number.map { "\(entry.folder) (\($0))" } ?? entry.folder }
        return "; issues: " + (all.count > 5 ? "…, " : "") + latest.joined(separator: ", ")
    }
}
