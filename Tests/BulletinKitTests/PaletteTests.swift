import Foundation
import Testing

@testable import BulletinKit

/// A site's colours and fonts in `site.yml`, over the theme's, in its pages and its
/// e-mail; its own stylesheet; a mistyped partial.
@Suite struct PaletteTests {
    private func site(_ extra: String, files: [String: String] = [:]) throws -> TemporarySite {
        var all = ["site.yml": TemporarySite.minimalSiteYML + extra, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue]
        for (path, text) in files { all[path] = text }
        return try TemporarySite(all)
    }

    @Test func oneLineRecoloursThePagesAndTheEmail() throws {
        let site = try site("colors: {accent: \"#7a1f5c\"}\n")
        defer { site.remove() }
        let report = site.build(strict: true)
        #expect(!report.failed, "\(report.printed)")
        let page = try site.page("index.html")
        #expect(page.contains("<style>@media not all and (prefers-color-scheme: dark){:root{--accent:#7a1f5c;"), "\(page.prefix(2000))")
        #expect(page.contains("@media (prefers-color-scheme: dark){:root{--accent:#"), "a lighter shade for dark mode")
        let email = try site.page("issues/2023-07-ete/email.html")
        #expect(!email.lowercased().contains("#0f4c81"), "no trace of the theme's accent in the e-mail")
        #expect(email.contains("background-color:#7a1f5c"), "the header band and the button")
        #expect(email.contains("color:#7a1f5c;text-decoration:underline"), "links, from email-styles.yml")
    }

    @Test func withoutColoursNothingChanges() throws {
        let site = try site("")
        defer { site.remove() }
        #expect(!site.build().failed)
        #expect(!(try site.page("index.html")).contains("<style>"))
        #expect(try site.page("issues/2023-07-ete/email.html").contains("background-color:#0f4c81"))
    }

    @Test func fontsGoToTheCustomProperties() throws {
        let site = try site("fonts:\n  body: \"Marianne, Arial, sans-serif\"\n  headings: \"'Spectral', Georgia, serif\"\n")
        defer { site.remove() }
        #expect(!site.build().failed)
        #expect(try site.page("index.html").contains("<style>:root{--sans:Marianne, Arial, sans-serif;--serif:'Spectral', Georgia, serif}</style>"))
    }

    @Test func aPaletteHardToReadIsAWarningAtItsLine() throws {
        let site = try site("colors:\n  accent: \"#f5c400\"\n  ink: \"#999\"\n")
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed)
        // Each at the colour's line.
        let said = report.warnings.filter { $0.path == "site.yml" }.map { "\($0.line): \($0.message)" }
        #expect(said.contains { $0.hasPrefix("5: `accent` on `background` has a contrast of 1.64:1") }, "\(report.printed)")
        #expect(said.contains { $0.hasPrefix("6: `ink` on `background` has a contrast of 2.85:1") }, "\(report.printed)")
        #expect(site.build(strict: true, output: site.root.appendingPathComponent("strict")).failed)
    }

    @Test(arguments: [
        ("colors: {accent: blue}\n", "colours are written #rrggbb or #rgb"),
        ("colors: {accent: \"#12345\"}\n", "colours are written #rrggbb or #rgb"),
        ("fonts: {body: \"Arial; } body { display: none\"}\n", "a font is a list of family names"),
        ("fonts: {body: \"Arial</style><script>\"}\n", "a font is a list of family names"),
        ("colors: {accnet: \"#000000\"}\n", "accnet"),
    ])
    func aWrongValueIsSaidAtItsLine(_ line: String, _ message: String) throws {
        let site = try site(line)
        defer { site.remove() }
        let report = site.build()
        #expect(report.diagnostics.contains { $0.path == "site.yml" && $0.line == 4 && $0.message.contains(message) }, "\(report.printed)")
        if !message.hasPrefix("accnet") { #expect(report.failed) }
    }

    @Test func aSiteStylesheetIsLoadedAfterTheThemes() throws {
        let site = try site("", files: ["static/site.css": ":root { --accent: #7a1f5c; }\n"])
        defer { site.remove() }
        #expect(!site.build().failed)
        let page = try site.page("issues/2023-07-ete/index.html")
        let theme = try #require(page.range(of: "assets/style.css"))
        let own = try #require(page.range(of: "<link rel=\"stylesheet\" href=\"../../site.css\">"))
        #expect(theme.lowerBound < own.lowerBound)
        #expect(site.exists("site.css"))
    }

    @Test func aMistypedPartialIsAnErrorAtItsLine() throws {
        let site = try site("theme: maison\n", files: [
            "themes/maison/templates/issue.mustache": "{{#issue}}\n<h1>{{title}}</h1>\n{{> partials/issue-contents}}\n{{/issue}}\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(
            report.errors.contains {
                $0.path == "themes/maison/templates/issue.mustache" && $0.line == 3 && $0.column == 1
                    && $0.message.contains("no template `partials/issue-contents`")
            }, "\(report.printed)")
    }
}
