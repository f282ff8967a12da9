import Foundation
import Testing

@testable import BulletinKit

/// Each key's declaration (`Parse/Keys.swift`) is what the parsers read, what the
/// typographer sets and what lists hash. These tests write every declared key and fail
/// when one is not read, not typeset or not hashed as declared, or has no sample here.
@Suite struct FieldDeclarationTests {
    /// What a key holds in the samples: a value and another one, or a mapping of its own.
    private enum Value: Sendable {
        case scalar(String, other: String)
        case block(Mapping)
        case list(Mapping)
    }

    private struct Sample: Sendable {
        let key: String
        let value: Value
        /// The text as read, when it is French text the typographer changes.
        var french: String? = nil

        init(_ key: String, _ value: String, _ other: String, french: String? = nil) {
            self.key = key
            self.value = .scalar(value, other: other)
            self.french = french
        }

        init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }

        /// French text that names where it is written (`'` and ` :` are what the typographer changes).
        init(_ key: String, frenchIn mapping: String) {
            let text = "l'été : \(mapping)\(key)"
            self.init(key, "\"\(text)\"", "\"\(text) 2\"", french: text)
        }
    }

    /// The samples of a mapping, one for each key.
    private struct Mapping: Sendable {
        /// Names the mapping in messages and French samples.
        let name: String
        let keys: [String]
        let samples: [Sample]

        init(_ name: String, keys: [String], french: [String] = [], _ samples: [Sample] = []) {
            self.name = name
            self.keys = keys
            self.samples = french.map { Sample($0, frenchIn: name) } + samples
        }
    }

    // Every key of every mapping. Paths name files of the issue folder below.

    private static let edito = Mapping(
        "edito.", keys: Edito.Key.keys, french: ["title", "author", "role"], [Sample("photo", "images/cover.jpg", "images/other.jpg")])
    private static let video = Mapping(
        "videos.", keys: Video.Key.keys, french: ["title", "link_text"],
        [
            Sample("url", "https://www.youtube.com/watch?v=Qx7bPa2fLk4", "https://vimeo.com/123456"),
            Sample("poster", "images/cover.jpg", "images/other.jpg"),
        ])
    private static let figure = Mapping("figures.", keys: KeyFigure.Key.keys, french: ["value", "label", "source"])
    private static let agendaItem = Mapping(
        "agenda.", keys: AgendaItem.Key.keys, french: ["time", "title", "place"], [Sample("date", "2024-02-01", "2024-02-02")])
    private static let issue = Mapping(
        "", keys: BulletinKit.Issue.Fields.Key.keys, french: ["title", "summary", "cover_alt"],
        [
            Sample("number", "1", "2"), Sample("date", "2024-01-01", "2024-01-02"),
            Sample("cover", "images/cover.jpg", "images/other.jpg"), Sample("draft", "false", "true"),
            Sample("edito", .block(edito)), Sample("videos", .list(video)), Sample("figures", .list(figure)),
            Sample("agenda", .list(agendaItem)),
        ])
    private static let article = Mapping(
        "article.", keys: Article.Key.keys, french: ["title", "summary", "image_alt", "credit", "section", "author"],
        [
            Sample("tags", "[\"l'été : article.tags\"]", "[\"l'été : article.tags 2\"]", french: "l'été : article.tags"),
            Sample("image", "../images/cover.jpg", "../images/other.jpg"),
            Sample("contact", "redaction@example.fr", "accueil@example.fr"),
            Sample("link", "https://example.fr/a", "https://example.fr/b"),
            Sample("order", "1", "2"), Sample("slug", "a", "b"),
        ])
    private static let social = Mapping(
        "social.", keys: SiteConfig.SocialLink.Key.keys, french: ["name"], [Sample("url", "https://example.fr/a", "https://example.fr/b")])
    private static let masthead = Mapping("masthead.", keys: SiteConfig.MastheadEntry.Key.keys, french: ["role", "name"])
    private static let feed = Mapping("feed.", keys: SiteConfig.FeedKey.keys, [Sample("items", "5", "6"), Sample("formats", "[rss, atom]", "[json]")])
    private static let markdown = Mapping("markdown.", keys: SiteConfig.MarkdownKey.keys, [Sample("unsafe_html", "false", "true")])
    private static let email = Mapping("email.", keys: SiteConfig.EmailKey.keys, [Sample("size_budget_kb", "80", "81")])
    private static let colors = Mapping(
        "colors.", keys: SiteConfig.ColorKey.keys,
        // Two palettes that read well (a hard one is a warning).
        [
            Sample("accent", "\"#0b4f8a\"", "\"#0a3d6b\""), Sample("ink", "\"#111111\"", "\"#222222\""),
            Sample("muted", "\"#4a4a4a\"", "\"#505050\""), Sample("background", "\"#ffffff\"", "\"#fefefe\""),
            Sample("surface", "\"#f5f5f5\"", "\"#f0f0f0\""), Sample("rule", "\"#cccccc\"", "\"#dddddd\""),
            Sample("warm", "\"#d9a21b\"", "\"#c89010\""),
        ])
    private static let fonts = Mapping(
        "fonts.", keys: SiteConfig.FontKey.keys, [Sample("body", "\"Arial\"", "\"Georgia\""), Sample("headings", "\"Arial\"", "\"Georgia\"")])
    private static let site = Mapping(
        "site.", keys: SiteConfig.Key.keys, french: ["title", "description", "publisher", "contact", "address"],
        [
            Sample("base_url", "https://lettre.example.fr/", "https://autre.example.fr/"), Sample("language", "fr", "en"),
            Sample("theme", "default", "autre"), Sample("logo", "logo.svg", "/logo.svg"),
            Sample("unsubscribe", "https://example.fr/desabonnement", "mailto:lettre@example.fr"),
            Sample("email_from", "lettre@example.fr", "La Lettre <lettre@example.fr>"), Sample("timezone", "Europe/Paris", "UTC"),
            Sample("social", .list(social)), Sample("masthead", .list(masthead)), Sample("feed", .block(feed)),
            Sample("markdown", .block(markdown)), Sample("email", .block(email)), Sample("colors", .block(colors)),
            Sample("fonts", .block(fonts)),
        ])

    private static let mappings = [issue, edito, video, figure, agendaItem, article, site, social, masthead, feed, markdown, email, colors, fonts]

    // MARK: Writing and parsing the samples

    /// What to write after `key:` in place of the sample (nil: the sample).
    private typealias Writer = @Sendable (_ mapping: Mapping, _ sample: Sample) -> String?

    private static let values: Writer = { _, _ in nil }
    private static let others: Writer = { _, sample in
        guard case .scalar(_, let other) = sample.value else { return nil }
        return " " + other
    }

    /// A mapping's YAML, with a key nobody declared at the end of the mapping named `unknown`.
    private static func yaml(_ mapping: Mapping, indent: String = "", unknown: String? = nil, _ write: Writer) -> String {
        var text = mapping.samples.map { sample in
            "\(indent)\(sample.key):\(write(mapping, sample) ?? rest(of: sample, indent: indent, unknown: unknown, write))\n"
        }.joined()
        if unknown == mapping.name { text += "\(indent)zz_unknown: 1\n" }
        return text
    }

    /// What follows `key:` for a sample.
    private static func rest(of sample: Sample, indent: String, unknown: String? = nil, _ write: Writer) -> String {
        switch sample.value {
        case .scalar(let value, _):
            return " " + value
        case .block(let inner):
            return "\n" + yaml(inner, indent: indent + "  ", unknown: unknown, write).dropLast()
        case .list(let inner):
            let entry = yaml(inner, indent: indent + "    ", unknown: unknown, write).dropLast()
            return "\n\(indent)  - " + entry.dropFirst(indent.count + 4)
        }
    }

    private static let folderName = "2024-01-lettre"

    private func parseIssue(_ issueYAML: String, article articleYAML: String) -> (BulletinKit.Issue?, [Diagnostic]) {
        func file(_ path: String, _ yaml: String) -> SourceFile {
            SourceFile(path: "issues/\(Self.folderName)/\(path)", data: Data("---\n\(yaml)---\nTexte.\n".utf8))
        }
        let folder = IssueFolder(
            name: Self.folderName, issueFile: file("issue.md", issueYAML), articles: [file("articles/01-a.md", articleYAML)],
            briefs: [], files: ["issue.md", "articles/01-a.md", "images/cover.jpg", "images/other.jpg"], imageSizes: [:])
        var diagnostics: [Diagnostic] = []
        let issue = IssueParser(folder: folder, staticFiles: []).parse(diagnostics: &diagnostics)
        return (issue, diagnostics)
    }

    private func parseSite(_ yaml: String) -> (SiteConfig?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let config = SiteConfigParser.parse(
            SourceFile(path: "site.yml", data: Data(yaml.utf8)), staticFiles: ["logo.svg"], diagnostics: &diagnostics)
        return (config, diagnostics)
    }

    /// What parsing `issue.md`, the article and `site.yml` written by `write` says.
    private func diagnostics(unknown: String? = nil, _ write: Writer) -> [Diagnostic] {
        let issue = parseIssue(Self.yaml(Self.issue, unknown: unknown, write), article: Self.yaml(Self.article, unknown: unknown, write))
        return issue.1 + parseSite(Self.yaml(Self.site, unknown: unknown, write)).1
    }

    // MARK: Parsing

    @Test func everyDeclaredKeyHasASample() {
        for mapping in Self.mappings {
            #expect(mapping.samples.map(\.key).sorted() == mapping.keys.sorted(), "samples of `\(mapping.name)`")
        }
    }

    /// Every declared key is accepted, and no other.
    @Test func declaredKeysAndNoOthersAreAccepted() {
        #expect(diagnostics(Self.values).map(\.description) == [])
        #expect(diagnostics(Self.others).map(\.description) == [])
        for mapping in Self.mappings {
            let found = diagnostics(unknown: mapping.name, Self.values)
            #expect(found.map(\.message) == ["unknown key `zz_unknown`"], "`\(mapping.name)`")
        }
    }

    /// A value of the wrong shape is an error naming its key, for every declared key: each is read.
    @Test func everyDeclaredKeyIsRead() {
        for mapping in Self.mappings {
            for sample in mapping.samples {
                let found = diagnostics { $0.name == mapping.name && $1.key == sample.key ? " [[1]]" : nil }
                #expect(
                    found.contains { $0.severity == .error && $0.message.contains("`\(sample.key)`") },
                    "`\(mapping.name)\(sample.key)`: \(found.map(\.description))")
            }
        }
    }

    // MARK: Typography and lists

    private let typographer = Typographer(language: .fr)

    /// Every French sample is typeset where its key is declared typeset and left as written
    /// elsewhere; every key declared typeset has a French sample.
    @Test func fieldsDeclaredTypesetAndOnlyThoseAreTypeset() throws {
        let (parsed, issueDiagnostics) = parseIssue(Self.yaml(Self.issue, Self.values), article: Self.yaml(Self.article, Self.values))
        #expect(issueDiagnostics.isEmpty)
        var issue = try #require(parsed)
        issue.typeset(with: typographer)
        // Each text as the build cache writes it: its length, then its bytes (whole values only).
        let issueText = String(decoding: BinaryCoding.encode(issue), as: UTF8.self)
        let encoded = { (text: String) -> String in
            let sink = BinaryCoding.Sink()
            sink.string(text)
            return String(decoding: sink.bytes, as: UTF8.self)
        }

        let (parsedConfig, siteDiagnostics) = parseSite(Self.yaml(Self.site, Self.values))
        #expect(siteDiagnostics.isEmpty)
        var config = try #require(parsedConfig)
        config.typeset(with: typographer)
        let siteText = String(reflecting: config)
        let reflected = { (text: String) in String(reflecting: text) }

        func check<Key: FrontMatterKey>(_ mapping: Mapping, _: Key.Type, in text: String, _ quoted: (String) -> String) {
            for sample in mapping.samples {
                guard let key = Key(rawValue: sample.key) else {
                    Testing.Issue.record("`\(mapping.name)\(sample.key)` is not declared")
                    continue
                }
                let isTypeset = key.field.typeset != nil
                guard case .scalar = sample.value else { continue }
                guard let written = sample.french else {
                    #expect(!isTypeset, "`\(mapping.name)\(sample.key)` is declared typeset: give it a French sample")
                    continue
                }
                let set = typographer.plain(written)
                #expect(set != written)
                if isTypeset {
                    #expect(text.contains(quoted(set)) && !text.contains(quoted(written)), "`\(mapping.name)\(sample.key)` is typeset")
                } else {
                    #expect(text.contains(quoted(written)) && !text.contains(quoted(set)), "`\(mapping.name)\(sample.key)` stays as written")
                }
            }
        }
        check(Self.issue, BulletinKit.Issue.Fields.Key.self, in: issueText, encoded)
        check(Self.edito, Edito.Key.self, in: issueText, encoded)
        check(Self.video, Video.Key.self, in: issueText, encoded)
        check(Self.figure, KeyFigure.Key.self, in: issueText, encoded)
        check(Self.agendaItem, AgendaItem.Key.self, in: issueText, encoded)
        check(Self.article, Article.Key.self, in: issueText, encoded)
        check(Self.site, SiteConfig.Key.self, in: siteText, reflected)
        check(Self.social, SiteConfig.SocialLink.Key.self, in: siteText, reflected)
        check(Self.masthead, SiteConfig.MastheadEntry.Key.self, in: siteText, reflected)
    }

    /// Changing a key declared `listed` changes what lists show of the issue
    /// (`RenderCache.ListedKeys`); changing any other, blocks and lists included, does not.
    /// And a key whose change shows on a page other than the issue's own (home, archive,
    /// the neighbour's links to it) is declared `listed`: else those pages would stay stale.
    @Test func listedKeysChangeWithTheFieldsDeclaredListedOnly() throws {
        let article = Self.yaml(Self.article, Self.values)
        let (parsed, diagnostics) = parseIssue(Self.yaml(Self.issue, Self.values), article: article)
        #expect(diagnostics.isEmpty)
        let listed = RenderCache.ListedKeys(try #require(parsed)).listed
        let listPages = try self.listPages(issue: Self.yaml(Self.issue, Self.values), article: article)
        for sample in Self.issue.samples {
            let yaml = Self.yaml(Self.issue) { mapping, other in
                guard mapping.name == Self.issue.name, other.key == sample.key else { return nil }
                return Self.others(mapping, other) ?? Self.rest(of: other, indent: "", Self.others)
            }
            let (changed, diagnostics) = parseIssue(yaml, article: article)
            #expect(diagnostics.isEmpty, "\(sample.key)")
            let isListed = try #require(BulletinKit.Issue.Fields.Key(rawValue: sample.key)).field.listed != nil
            #expect((RenderCache.ListedKeys(try #require(changed)).listed != listed) == isListed, "\(sample.key)")
            if try self.listPages(issue: yaml, article: article) != listPages {
                #expect(isListed, "lists show `\(sample.key)`: declare it `listed`")
            }
        }
    }

    /// The pages a build makes besides the sample issue's own, its feed and its sitemap,
    /// with a neighbour issue and drafts shown.
    private func listPages(issue: String, article: String) throws -> [String: Data] {
        let folder = "issues/\(Self.folderName)/"
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2024-03-suivante/issue.md": "---\ntitle: Suivante\nnumber: 9\ndate: 2024-03-01\n---\nÉdito.\n",
            folder + "issue.md": "---\n\(issue)---\nTexte.\n", folder + "articles/01-a.md": "---\n\(article)---\nTexte.\n",
        ])
        defer { site.remove() }
        for image in ["cover.jpg", "other.jpg"] { try site.write(folder + "images/" + image, png(width: 4, height: 3)) }
        let report = site.build(drafts: true)
        #expect(report.errors.isEmpty, "\(report.printed)")
        return try fileTree(site.output).filter { !$0.key.hasPrefix(folder) && !["feed.xml", "atom.xml", "feed.json", "sitemap.xml"].contains($0.key) }
    }
}
