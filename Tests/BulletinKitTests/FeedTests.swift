import Foundation
import Testing

@testable import BulletinKit

/// The three feeds, as a feed reader takes them: RSS, Atom and JSON Feed with the same
/// issues, and `feed.formats` choosing among them.
@Suite struct FeedTests {
    private let base = "https://lettre.example.fr/"

    @Test func atomAndJSONFeedCarryTheIssuesWithTheirDatesAuthorsAndContent() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let atom = try site.page("atom.xml")
        #expect(atom.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""))
        #expect(atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"\(base)atom.xml\"/>"))
        // Midnight in the site's zone (Europe/Paris, summer time).
        #expect(atom.contains("<updated>2023-07-05T00:00:00+02:00</updated>"), "\(atom.prefix(900))")
        #expect(atom.components(separatedBy: "<entry>").count == 3, "two published issues")
        #expect(atom.contains("<id>\(base)issues/2023-06-lettre-ete/</id>"))
        #expect(atom.contains("<content type=\"html\">&lt;"), "the whole content, escaped")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(site.page("feed.json").utf8)) as? [String: Any])
        #expect(json["version"] as? String == "https://jsonfeed.org/version/1.1")
        #expect(json["feed_url"] as? String == base + "feed.json")
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.count == 2)
        let first = try #require(items.first)
        #expect(first["url"] as? String == base + "issues/2023-06-lettre-ete/")
        #expect(first["date_published"] as? String == "2023-07-05T00:00:00+02:00")
        #expect((first["title"] as? String)?.contains("2") == true)
        #expect(((first["content_html"] as? String)?.count ?? 0) > 500)
        #expect((first["authors"] as? [[String: Any]])?.first?["name"] is String)

        let page = try site.page("index.html")
        for (type, file) in [("application/rss+xml", "feed.xml"), ("application/atom+xml", "atom.xml"), ("application/feed+json", "feed.json")] {
            #expect(page.contains("type=\"\(type)\""), "\(type) autodiscovery")
            #expect(page.contains("href=\"\(base)\(file)\""))
        }
    }

    @Test func formatsChooseTheFeedsAndTheLinksFollow() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        try site.write("site.yml", config.replacingOccurrences(of: "feed:\n  items: 20\n", with: "feed:\n  items: 20\n  formats: [json, atom]\n"))
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(!site.exists("feed.xml"))
        #expect(site.exists("atom.xml") && site.exists("feed.json"))
        let page = try site.page("index.html")
        #expect(!page.contains("application/rss+xml"))
        #expect(!page.contains("feed.xml"), "no link to a feed that is not written")
        // The footer links the first of the written feeds, in RSS, Atom, JSON order.
        #expect(page.contains("<a href=\"atom.xml\">"), "\(page)")
    }

    /// Written by hand: quotes, backslashes and control characters escaped as JSON wants.
    @Test func theJSONFeedEscapesWhatItCarries() throws {
        let site = try TemporarySite([
            "site.yml": "title: 'La \"Lettre\" \\ test'\nbase_url: \"https://lettre.example.fr/\"\nlanguage: fr\n",
            "issues/2023-07-ete/issue.md": "---\ntitle: \"Été \\\"chaud\\\"\"\nnumber: 1\ndate: 2023-07-05\nsummary: \"Un\\ttab\"\n---\nÉdito.\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(site.page("feed.json").utf8)) as? [String: Any])
        #expect((json["title"] as? String)?.contains("\\ test") == true, "\(json)")
        let item = try #require((json["items"] as? [[String: Any]])?.first)
        #expect((item["title"] as? String)?.contains("chaud") == true)
        #expect((item["summary"] as? String)?.contains("\t") == true, "\(item)")
    }

    @Test func anUnknownFormatIsAnErrorAtItsLine() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + "feed:\n  formats: [rss, rdf]\n", "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.contains { $0.path == "site.yml" && $0.line == 5 && $0.message.contains("got \"rdf\"") }, "\(report.printed)")
    }
}
