import Foundation
import Testing

@testable import BulletinKit

@Suite struct ThemeTests {
    private let themeFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes/default")

    @Test func theBinaryCarriesThemesDefaultAsItIsOnDisk() throws {
        let onDisk = SiteLoader.files(under: themeFolder).files
        #expect(Set(onDisk) == Set(DefaultTheme.files.keys), "run scripts/embed-theme.py (make build does)")
        for path in onDisk {
            let data = try Data(contentsOf: themeFolder.appendingPathComponent(path))
            #expect(DefaultTheme.files[path] == data, "\(path) differs from the embedded copy: run scripts/embed-theme.py")
        }
    }

    @Test func frenchAndEnglishLocalesHaveTheSameKeys() throws {
        var diagnostics: [Diagnostic] = []
        let root = FileManager.default.temporaryDirectory
        let french = try #require(Theme.make(from: nil, siteRoot: root, name: "default", language: .fr, diagnostics: &diagnostics))
        let english = try #require(Theme.make(from: nil, siteRoot: root, name: "default", language: .en, diagnostics: &diagnostics))
        #expect(diagnostics.isEmpty)
        #expect(Set(french.locale.strings.keys) == Set(english.locale.strings.keys))
        #expect(french.locale.months.count == 12 && english.locale.months.count == 12)
        #expect(french.locale.strings["read_more"] == "En savoir plus")
    }

    @Test func aBrokenSiteTemplateIsReportedWithItsLine() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "themes/default/templates/home.mustache": "<h1>\n{{#latest}}\n{{title}}\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.first?.path == "themes/default/templates/home.mustache")
    }

    @Test func aThemeFolderThatIsASymbolicLinkIsNotFollowed() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + "theme: sombre\n", "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "ailleurs/sombre/templates/home.mustache": "{{! from outside the site }}",
        ])
        defer { site.remove() }
        try FileManager.default.createDirectory(at: site.root.appendingPathComponent("themes"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: site.root.appendingPathComponent("themes/sombre"), withDestinationURL: site.root.appendingPathComponent("ailleurs/sombre"))
        let report = site.build()
        #expect(report.failed)
        #expect(report.warnings.contains { $0.path == "themes/sombre" && $0.message.contains("symbolic link") }, "\(report.printed)")
        #expect(report.errors.contains { $0.message.contains("theme `sombre` not found") }, "\(report.printed)")
    }

    @Test func anUnknownThemeIsAnError() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + "theme: sombre\n", "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.errors.first?.message.contains("theme `sombre` not found") == true)
    }

    @Test func localeStringsAreInlinedExactlyAsMustacheWouldRenderThem() throws {
        let strings = ["read_more": "Lire l'article", "sep": "<b> & </b>", "braces": "{{piège}}"]
        let template = "{{t.read_more}}|{{ t.read_more }}|{{{t.sep}}}|{{& t.sep}}|{{t.sep}}|{{#t.read_more}}x{{/t.read_more}}|{{t.unknown}}|{{t.braces}}|{{title}}"
        let inlined = inlineLocaleStrings(template, strings)
        #expect(inlined == "Lire l&#39;article|Lire l&#39;article|<b> & </b>|<b> & </b>|&lt;b&gt; &amp; &lt;/b&gt;|{{#t.read_more}}x{{/t.read_more}}|{{t.unknown}}|{{t.braces}}|{{title}}")
        // The same output as the template left to the engine.
        let renderer = TemplateRenderer(templates: ["as-written": try Template(parsing: template), "inlined": try Template(parsing: inlined)])
        let context = TemplateTests.DictionaryObject(values: ["t": .object(strings), "title": .text("Été")])
        #expect(renderer.render("inlined", context) == renderer.render("as-written", context))
        #expect(inlineLocaleStrings("{{=<% %>=}}<% t.sep %>{{t.sep}}", strings) == "{{=<% %>=}}<% t.sep %>{{t.sep}}", "other delimiters: left alone")
    }
}
