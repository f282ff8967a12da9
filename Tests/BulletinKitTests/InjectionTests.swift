import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import BulletinKit

/// What `site.yml` writes into the e-mail's headers and links, and top folders that are
/// links: nothing an editor types may add a header, run script or publish outside files.
@Suite struct InjectionTests {
    private func site(_ extra: String) throws -> TemporarySite {
        try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + extra,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
    }

    @Test(arguments: [
        #"unsubscribe: "javascript:alert(1)""#,
        #"unsubscribe: "https://example.fr/\" onmouseover=\"alert(1)""#,
        #"unsubscribe: "mailto:a@example.fr\" onclick=\"alert(1)""#,
        #"unsubscribe: "data:text/html,<script>alert(1)</script>""#,
        #"unsubscribe: "{{x}}\" onclick=\"y""#,
    ])
    func unsubscribeThatIsNoLinkIsRefusedWhereItIsWritten(line: String) throws {
        let site = try site(line + "\n")
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.map(\.description).contains { $0.hasPrefix("site.yml:4:") && $0.contains("`unsubscribe` must be") },
            "\(report.printed)")
        #expect(!site.exists("index.html"))
    }

    @Test(arguments: ["https://lettre.example.fr/desabonnement?liste=1&id=2", "mailto:stop@example.fr", "*|UNSUB|*", "{{ unsubscribe }}", "[[UNSUB_LINK_FR]]"])
    func unsubscribeLinksAndMergeTagsAreWrittenEscaped(value: String) throws {
        let site = try site("unsubscribe: \"\(value)\"\n")
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let email = try site.page("issues/2023-07-ete/email.html")
        let escaped = value.replacingOccurrences(of: "&", with: "&amp;")
        #expect(email.contains("href=\"\(escaped)\""), "\(value)")
    }

    @Test(arguments: [
        #"email_from: "La Lettre <lettre@example.fr>\r\nBcc: tous@example.org""#,
        #"email_from: "lettre@example.fr\nBcc: tous@example.org""#,
        #"publisher: "SIZIAF\r\nBcc: tous@example.org""#,
    ])
    func aLineBreakInAHeaderValueIsRefused(line: String) throws {
        let site = try site(line + "\n")
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.contains { $0.description.hasPrefix("site.yml:4:") && $0.message.contains("one line") }, "\(report.printed)")
    }

    @Test func aTitleWithALineBreakStaysInItsSubject() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + "email_from: 'Le \"Club\" \\ Doc <lettre@example.fr>'\n",
            "issues/2023-07-ete/issue.md": """
                ---
                title: "Lettre\\r\\nBcc: tous@example.org"
                number: 1
                date: 2023-07-05
                ---
                Édito.

                """,
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let eml = try site.page("issues/2023-07-ete/email.eml")
        let headers = eml.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        let names = ["From:", "Subject:", "Date:", "Message-ID:", "MIME-Version:", "Content-Type:"]
        #expect(headers.allSatisfy { line in line.hasPrefix(" ") || names.contains { line.hasPrefix($0) } }, "\(headers)")
        #expect(headers.contains(#"From: "Le \"Club\" \\ Doc" <lettre@example.fr>"#), "\(headers)")
    }

    @Test(arguments: ["static", "issues"])
    func aTopFolderThatIsALinkIsLeftOut(folder: String) throws {
        let outside = try TemporarySite([
            "issues/2023-08-dehors/issue.md": TemporarySite.minimalIssue.replacingOccurrences(of: "number: 1", with: "number: 2"),
            "secret.txt": "not for publication",
        ])
        defer { outside.remove() }
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML])
        defer { site.remove() }
        if folder == "static" {
            try site.write("issues/2023-07-ete/issue.md", TemporarySite.minimalIssue)
            try FileManager.default.createSymbolicLink(at: site.root.appendingPathComponent("static"), withDestinationURL: outside.root)
        } else {
            try FileManager.default.createSymbolicLink(
                at: site.root.appendingPathComponent("issues"), withDestinationURL: outside.root.appendingPathComponent("issues"))
        }
        let report = site.build()
        #expect(report.warnings.contains { $0.path == folder && $0.message.hasPrefix("symbolic link left out") }, "\(report.printed)")
        #expect(!site.exists("secret.txt"))
        #expect(!site.exists("issues/2023-08-dehors/index.html"))
    }

    @Test func anIssueFileNamedLikeItsPageIsRefused() throws {
        let site = try site("")
        defer { site.remove() }
        try site.write("issues/2023-07-ete/email.html", "<p>mine</p>")
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.map(\.description).contains(
            "issues/2023-07-ete/email.html:1:1: error: issues/2023-07-ete/email.html has the same path as a file written for the issue; rename it"),
            "\(report.printed)")
    }
}

/// Characters that XML cannot carry, as Word and pastes leave them in text.
@Suite struct ControlCharacterTests {
    @Test func theyAreReplacedWithAWarningAndTheFeedStaysXML() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": """
                ---
                title: "Lettre\\u000B d'été\\u0001"
                number: 1
                date: 2023-07-05
                ---
                Édito\u{0B}sur deux lignes, avec \u{1B} et \u{FFFF} et \u{0C}.

                """,
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(report.warnings.map(\.description) == [
            "issues/2023-07-ete/issue.md:2:8: warning: control character U+000B replaced by a space (and 1 more): no feed or page can carry it (a line break from Word? press Enter instead)",
            "issues/2023-07-ete/issue.md:6:6: warning: control character U+000B replaced by a space (and 3 more): no feed or page can carry it (a line break from Word? press Enter instead)",
        ], "the body's at its place, the title's escapes at the title: \(report.printed)")
        let feed = try site.page("feed.xml")
        #expect(throws: Never.self) { try XMLDocument(data: Data(feed.utf8)) }
        #expect(feed.contains("Édito sur deux lignes"))
        let page = try site.page("issues/2023-07-ete/index.html")
        #expect(page.contains("d’été") && !page.contains("\u{0B}") && !page.contains("\u{01}"), "the title's escapes leave the page too")
        #expect(try site.page("issues/2023-07-ete/index.html").contains("Édito sur deux lignes"))
    }
}
