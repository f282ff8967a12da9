import Foundation
import Testing

@testable import BulletinKit

/// Numbers and shapes from input that used to stop the process with a trap (exit 132 or
/// 139 and a backtrace): each now builds, or fails with a located error. The commands
/// run as a separate process, so that a trap fails the test instead of the test run.
@Suite struct TrapTests {
    private func site(_ files: [String: String]) throws -> TemporarySite {
        var all = ["site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue]
        all.merge(files) { _, new in new }
        return try TemporarySite(all)
    }

    private func build(_ site: TemporarySite) throws -> Run {
        try bulletin(["build", "--source", site.root.path, "--now", "2026-01-01"])
    }

    @Test(arguments: [
        #"<svg xmlns="http://www.w3.org/2000/svg" width="1e400" height="10"/>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg" width="99999999999999999999999" height="1"/>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e308 1e308"/>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 nan inf"/>"#,
    ])
    func anSVGOfNoSizeAScreenShowsIsShownWithoutOne(svg: String) throws {
        let site = try site([
            "site.yml": TemporarySite.minimalSiteYML + "logo: logo.svg\n", "static/logo.svg": svg,
            "issues/2023-07-ete/images/photo.svg": svg,
        ])
        defer { site.remove() }
        let run = try build(site)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(site.exists("logo.svg"))
    }

    @Test func aTemplateThatIncludesItselfIsALocatedError() throws {
        let site = try site([
            "themes/default/templates/partials/issue-content.mustache": "<div>\n  {{> partials/boucle}}\n</div>\n",
            "themes/default/templates/partials/boucle.mustache": "{{#title}}{{> partials/issue-content}}{{/title}}\n",
        ])
        defer { site.remove() }
        let run = try build(site)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains(
            "themes/default/templates/partials/boucle.mustache:1:11: error: template includes itself: partials/issue-content → partials/boucle → partials/issue-content"),
            "\(run.stderr)")
        #expect(!site.exists("index.html"))
    }

    @Test func aYouTubeStartPastAWeekIsLeftOut() throws {
        #expect(VideoLink.seconds("9000000000000000h") == nil)
        #expect(VideoLink.seconds("99999999999999999999") == nil)
        #expect(VideoLink.seconds("1h2m3s") == 3723)
        let site = try site([
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue.replacingOccurrences(
                of: "date: 2023-07-05\n", with: "date: 2023-07-05\nvideos:\n  - title: Visite\n    url: \"https://youtu.be/dQw4w9WgXcQ?t=9000000000000000h\"\n"),
        ])
        defer { site.remove() }
        let run = try build(site)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try site.page("issues/2023-07-ete/index.html").contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
    }

    @Test func aHugeEmailBudgetIsALocatedError() throws {
        let site = try site(["site.yml": TemporarySite.minimalSiteYML + "email:\n  size_budget_kb: 9223372036854775807\n"])
        defer { site.remove() }
        let run = try build(site)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("site.yml:5:"), "\(run.stderr)")
        #expect(run.stderr.contains("`size_budget_kb` must be between 1 and 100000"), "\(run.stderr)")
    }

    @Test func noNextNumberAfterTheLargestIsAMessage() throws {
        let site = try site([
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue.replacingOccurrences(of: "number: 1", with: "number: 9223372036854775807"),
            "issues/2023-07-ete/articles/9223372036854775807-fin.md": "---\ntitle: Fin\n---\nTexte.\n",
        ])
        defer { site.remove() }
        let issue = try bulletin(["new", "issue", "Suivant"], in: site.root)
        #expect(issue.status == 1, "\(issue.stderr)")
        #expect(issue.stderr.contains("has no successor"), "\(issue.stderr)")
        let article = try bulletin(["new", "article", "2023-07-ete", "Suite"], in: site.root)
        #expect(article.status == 1, "\(article.stderr)")
        #expect(article.stderr.contains("has no successor"), "\(article.stderr)")
    }
}

/// Inputs whose cost grew faster than their size: each is now bounded, with a located
/// error where a limit is reached.
@Suite struct BoundedWorkTests {
    /// A site of one issue whose édito is `body`, built: what it said and how long it took.
    private func build(edito body: String) throws -> (report: BuildReport, took: Duration) {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue + "\n" + body + "\n",
        ])
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = site.build()
        return (report, clock.now - start)
    }

    @Test func aTablePastTheLimitIsALocatedErrorAndCmarkNeverSeesIt() throws {
        let header = "|" + String(repeating: " a |", count: 3000)
        let delimiter = "|" + String(repeating: "---|", count: 3000)
        let rows = String(repeating: "| x |\n", count: 3000)
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue + "\n" + header + "\n" + delimiter + "\n" + rows,
        ])
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = site.build()
        #expect(clock.now - start < .seconds(10))
        #expect(report.errors.map(\.description).contains { $0.hasPrefix("issues/2023-07-ete/issue.md:9:1: error: table too large: 3000 columns") },
            "\(report.printed.prefix(500))")
        // A long table of a few columns is no trouble.
        #expect(MarkdownRenderer.oversizedTable(in: "| a | b |\n|---|---|\n" + String(repeating: "| 1 | 2 |\n", count: 20_000)) == nil)
        #expect(MarkdownRenderer.oversizedTable(in: "| a | b |\n|---|---|\n" + String(repeating: "| 1 | 2 |\n", count: 60_000))?.line == 2)
    }

    @Test func nestingPastTheLimitIsALocatedError() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue + String(repeating: "- ", count: 8000) + "x\n",
        ])
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = site.build()
        #expect(clock.now - start < .seconds(5), "8,000 nested lists took 23 s and 500 MB")
        #expect(report.errors.map(\.description).contains { $0.hasPrefix("issues/2023-07-ete/issue.md:7:") && $0.contains("nested more than 64 deep") },
            "\(report.printed)")
        // Ten levels, as a real outline may have, are fine.
        let outline = (0..<10).map { String(repeating: "  ", count: $0) + "- niveau \($0)" }.joined(separator: "\n")
        try site.write("issues/2023-07-ete/issue.md", TemporarySite.minimalIssue + outline + "\n")
        #expect(!site.build().failed)
    }

    @Test func tenThousandLinksToMissingAnchorsAreCheckedInLinearTime() throws {
        let (report, took) = try build(edito: (0..<10_000).map { "[lien \($0)](#absent-\($0))" }.joined(separator: " "))
        #expect(took < .seconds(10), "it took 20 s")
        #expect(report.errors.filter { !$0.message.hasPrefix("e-mail: ") }.count == 10_000)
        // The e-mail those links make is past Gmail's clipping point, and said so.
        #expect(report.errors.contains { $0.message.hasPrefix("e-mail: its HTML part is") })
    }

    /// The e-mail's preflight says each vague link at its own place, without searching
    /// the Markdown again for each.
    @Test func tenThousandVagueLinksAreEachSaidAtTheirPlaceInLinearTime() throws {
        let (report, took) = try build(edito: (0..<10_000).map { "[ici](https://lettre.example.fr/\($0))" }.joined(separator: "\n"))
        #expect(took < .seconds(10))
        let vague = report.warnings.filter { $0.message.contains("says nothing of where it leads") }
        #expect(vague.count == 10_000)
        #expect(Set(vague.map(\.line)).count == 10_000, "each at its own line")
    }

    @Test func aTemplateWithTensOfThousandsOfBracesIsRefusedAtOnce() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "themes/default/templates/404.mustache": "<p>\n" + String(repeating: "{x}", count: 20_000) + "\n",
        ])
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = site.build()
        #expect(clock.now - start < .seconds(2), "it took 4 to 8 s")
        #expect(report.errors.map(\.description) == [
            "themes/default/templates/404.mustache:2:1: error: template has more than 2000 `{` (tags count two each): split it into partials"
        ], "\(report.printed)")
    }
}

/// Site URLs once travelled as markers in rendered HTML (`%BULLETIN-ROOT%/`), replaced on
/// each page; written by an editor, such text stays as written (bodies are trees now).
@Suite struct WrittenMarkerTests {
    @Test func markersInTextAndCodeAreNotReplaced() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue
                + "Le code `%BULLETIN-ROOT%/x %BULLETIN-PAGE%` et le texte %BULLETIN-ROOT%/y, [un lien](https://example.fr/%BULLETIN-PAGE%) et [l'article](articles/01-a.md).\n",
            "issues/2023-07-ete/articles/01-a.md": "---\ntitle: A\n---\nTexte.\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let page = try site.page("issues/2023-07-ete/index.html")
        #expect(page.contains("<code>%BULLETIN-ROOT%/x %BULLETIN-PAGE%</code>"), "\(page)")
        #expect(page.contains("le texte %BULLETIN-ROOT%/y"))
        #expect(page.contains("href=\"https://example.fr/%BULLETIN-PAGE%\""))
        #expect(page.contains("href=\"../../issues/2023-07-ete/a/index.html\""), "links to the site's pages are written from this page")
        let text = try site.page("issues/2023-07-ete/email.txt")
        #expect(text.contains("%BULLETIN-ROOT%/x %BULLETIN-PAGE%"), "\(text)")
    }
}

/// Every parser on large input: within seconds, or a located limit.
@Suite struct LargeInputTests {
    @Test func aMarkdownFilePastAMegabyteIsRefusedAtOnce() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue + String(repeating: "[", count: 10 * 1024 * 1024) + "\n",
        ])
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = site.build()
        #expect(clock.now - start < .seconds(5), "ten megabytes of `[` took 14 s and 2.4 GB")
        #expect(report.errors.map(\.description).contains { $0.hasPrefix("issues/2023-07-ete/issue.md:1:1: error: file is 10240 KB; a Markdown file may have at most 1024 KB") },
            "\(report.printed)")
    }

    @Test func entitiesAreDecodedInOnePass() {
        #expect(RawHTML.decodeEntities("a &lt;b&gt; &amp;lt; &#233;&#xE9; &QUOT;x&quot; &nbsp;&colon;&bogus; &#99999999999;")
            == "a <b> &lt; éé \"x\" \u{00A0}:&bogus; &#99999999999;")
        let big = String(repeating: "&lt;", count: 1_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(RawHTML.decodeEntities(big).count == 1_000_000)
        #expect(clock.now - start < .seconds(5))
    }
}
