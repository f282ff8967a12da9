import Foundation
import Testing

@testable import BulletinKit

/// `#anchors` in links: checked against the headings of the file they name (or, failing
/// that, the ids of its page), and pointed at the ids the headings get on their page.
@Suite struct AnchorTests {
    private static let issue = """
        ---
        title: "Lettre d'été"
        number: 1
        date: 2023-07-05
        agenda:
          - { date: 2023-09-14, title: "Forum emploi" }
        ---
        Édito : voir [le programme](#le-programme), [l'agenda](#agenda) et [la suite de l'article](articles/01-avenue.md#l-ete-chaud-du-1er-juin).

        ## Le programme

        Visites.

        """

    private static let article = """
        ---
        title: "L'avenue"
        ---
        Début, puis [plus bas](#l-ete-chaud-du-1er-juin).

        [Haut de page](#) ou [en haut](#top).

        <!--more-->

        ## L'été « chaud » du 1er juin !

        Suite.

        """

    private func site(_ overrides: [String: String] = [:]) throws -> TemporarySite {
        var files = [
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": Self.issue,
            "issues/2023-07-ete/articles/01-avenue.md": Self.article,
        ]
        files.merge(overrides) { $1 }
        return try TemporarySite(files)
    }

    @Test func anchorsToHeadingsAndPageSectionsLeadToTheirIds() throws {
        let site = try site()
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(report.diagnostics.isEmpty, "\(report.printed)")

        let issuePage = try site.page("issues/2023-07-ete/index.html")
        let issueLinks = links(in: issuePage)
        // The édito shares its page, so its headings are prefixed; its links follow.
        #expect(issueLinks.contains("../../issues/2023-07-ete/index.html#edito-le-programme"))
        #expect(issuePage.contains("id=\"edito-le-programme\""))
        // `#agenda` is no heading of the édito but a section of its page: kept as written.
        #expect(issueLinks.contains("../../issues/2023-07-ete/index.html#agenda"))
        #expect(issuePage.contains("id=\"agenda\""))
        // Typography sets the heading's text, never its id.
        #expect(issueLinks.contains("../../issues/2023-07-ete/avenue/index.html#l-ete-chaud-du-1er-juin"))
        // The article's teaser on the issue page: its own `#anchor` leads to the article page.
        let teaserLinks = issueLinks.filter { $0.hasSuffix("#l-ete-chaud-du-1er-juin") }
        #expect(teaserLinks.count == 2, "\(teaserLinks)")

        let articlePage = try site.page("issues/2023-07-ete/avenue/index.html")
        #expect(articlePage.contains("id=\"l-ete-chaud-du-1er-juin\""))
        #expect(links(in: articlePage).contains("../../../issues/2023-07-ete/avenue/index.html#l-ete-chaud-du-1er-juin"))

        let email = try site.page("issues/2023-07-ete/email.html")
        #expect(email.contains("href=\"https://lettre.example.fr/issues/2023-07-ete/#edito-le-programme\""))
    }

    @Test func aDraftLinkingToItselfIsNoWarningEvenUnderStrict() throws {
        let site = try site([
            "issues/2023-07-ete/issue.md": Self.issue.replacingOccurrences(of: "date: 2023-07-05", with: "date: 2023-07-05\ndraft: true"),
            "issues/2023-06-juin/issue.md": TemporarySite.minimalIssue.replacingOccurrences(of: "number: 1", with: "number: 2"),
        ])
        defer { site.remove() }
        let report = site.build(strict: true)
        #expect(!report.failed, "\(report.printed)")
        #expect(report.diagnostics.isEmpty, "\(report.printed)")
    }

    @Test func anAnchorNamingNoHeadingOfAnotherFileIsAnErrorAtTheLink() throws {
        let site = try site([
            "issues/2023-07-ete/issue.md": Self.issue.replacingOccurrences(
                of: "01-avenue.md#l-ete-chaud-du-1er-juin", with: "01-avenue.md#lete-chaud")
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        let error = try #require(report.errors.first, "\(report.printed)")
        #expect(report.errors.count == 1, "\(report.printed)")
        #expect(error.description.hasPrefix(
            "issues/2023-07-ete/issue.md:8:"), "\(error)")
        #expect(error.message
            == "link to articles/01-avenue.md#lete-chaud: no such heading in that file (its headings are #l-ete-chaud-du-1er-juin)")
        #expect(!site.exists("index.html"), "nothing written")
    }

    @Test func anAnchorNamingNothingInItsOwnFileIsAnError() throws {
        let site = try site([
            "issues/2023-07-ete/articles/01-avenue.md": Self.article.replacingOccurrences(
                of: "(#l-ete-chaud-du-1er-juin)", with: "(#juin)")
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        let error = try #require(report.errors.first, "\(report.printed)")
        #expect(error.path == "issues/2023-07-ete/articles/01-avenue.md")
        #expect(error.line == 4)
        #expect(error.column == 13)
        #expect(error.message == "link to #juin: no such heading in this file (did you mean #l-ete-chaud-du-1er-juin?)")
    }

    @Test func aPageSectionThatThisIssueLacksIsAnError() throws {
        // No agenda in the front-matter: the page has no `#agenda` section.
        let site = try site([
            "issues/2023-07-ete/issue.md": Self.issue.replacingOccurrences(
                of: "agenda:\n  - { date: 2023-09-14, title: \"Forum emploi\" }\n", with: "")
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.map(\.message) == ["link to #agenda: no such heading in this file (its headings are #le-programme)"])
        #expect(report.errors.first?.line == 6)
    }

    @Test func checkReportsBrokenAnchorsToo() throws {
        let site = try site([
            "issues/2023-07-ete/issue.md": Self.issue.replacingOccurrences(of: "(#le-programme)", with: "(#programme)")
        ])
        defer { site.remove() }
        let run = try bulletin(["check", "--source", site.root.path, "--format", "github"])
        #expect(run.status == 1)
        #expect(run.stderr.contains(
            "::error file=\(site.root.path)/issues/2023-07-ete/issue.md,line=8,col=14::link to #programme: no such heading in this file (did you mean #le-programme?)"),
            "\(run.stderr)")
    }

    @Test func aLinkToMarkdownThatIsNoPageIsAnErrorButNotToOneThatFailedToParse() throws {
        let site = try site([
            "issues/2023-07-ete/notes.md": "Des notes de travail.\n",
            "issues/2023-08-aout/issue.md": "---\ntitle: [\n---\n",
            "issues/2023-07-ete/articles/01-avenue.md": Self.article
                + "\nVoir [les notes](../notes.md) et [août](../../2023-08-aout/issue.md).\n",
        ])
        defer { site.remove() }
        let report = site.build()
        let messages = report.errors.map { "\($0.path ?? ""): \($0.message)" }
        #expect(messages.contains {
            $0.hasPrefix("issues/2023-07-ete/articles/01-avenue.md: link to ../notes.md: no issue, article or En bref item")
        }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("issues/2023-08-aout/issue.md:") }, "\(messages)")
        #expect(report.errors.count == 2, "the broken issue is reported once, not again at the link: \(messages)")
    }
}
