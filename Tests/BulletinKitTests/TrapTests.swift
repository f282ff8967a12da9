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
            "issues/2023-07-ete/images/photo.jpg": svg,
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
