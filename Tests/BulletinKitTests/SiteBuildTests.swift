import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import BulletinKit

/// Builds the checked-in fixture site and reads the pages as a reader would.
@Suite struct SiteBuildTests {
    @Test func buildsEveryPageOfTheContract() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(report.issueCount == 2)
        for path in [
            "index.html", "archive/index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "assets/style.css",
            "logo.svg", "issues/2023-06-lettre-ete/index.html", "issues/2023-06-lettre-ete/avenue-de-paris/index.html",
            "issues/2023-06-lettre-ete/omu/index.html", "issues/2023-03-lettre-printemps/france-relance/index.html",
        ] {
            #expect(site.exists(path), "missing \(path)")
        }
        // A photo is published as its copies (ImageTests), never as it is.
        #expect(!site.exists("issues/2023-06-lettre-ete/images/vue aérienne.png"))
        let images = try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("issues/2023-06-lettre-ete/images").path)
        #expect(images.contains { $0.range(of: #"^vue aérienne-1\.[0-9a-f]+\.webp$"#, options: .regularExpression) != nil }, "\(images)")
        #expect(!site.exists("issues/2023-09-brouillon/index.html"), "drafts are left out")
        #expect(!site.exists("issues/2099-01-futur/index.html"), "future issues are left out")
    }

    @Test func issuePageShowsWhatTheEditorWrote() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let page = try site.page("issues/2023-06-lettre-ete/index.html")
        let visible = text(of: page)
        for expected in [
            "Lettre d’été", "5 juillet 2023", "L’innovation et la durabilité", "André Kuchinski", "Président du SIZIAF",
            "Le dossier", "Actualités", "En savoir plus", "En bref", "Hydroline s’installe", "Recrutement", "En vidéo",
            "Chiffres-clés", "+ 4 100", "AULA", "Agenda", "21 juin 2023", "Osons nos talents", "Suivez-nous", "LinkedIn",
            "Directeur de la publication",
        ] {
            #expect(visible.contains(expected), "issue page lacks “\(expected)”")
        }
        // `order: 0` puts 10-omu.md before 01-avenue-de-paris.md.
        let omu = try #require(page.range(of: "Ômu des abysses"))
        let avenue = try #require(page.range(of: "L’Avenue de Paris inaugurée"))
        #expect(omu.lowerBound < avenue.lowerBound)
        #expect(page.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=30s"))
        #expect(!page.lowercased().contains("<iframe"), "no request to a video host before the reader clicks")
        #expect(!page.contains("<script"))
        #expect(page.contains("href=\"https://www.acc-emotion.com/\""), "`link:` replaces the article page in the teaser")
        #expect(page.contains("<p>En 2015, PSA annonçait la réduction de l’usine.</p>"), "teaser stops at <!--more-->")
        #expect(!page.contains("Le 22 mai dernier"))
    }

    @Test func everyRelativeLinkOfEveryPageResolves() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let enumerator = FileManager.default.enumerator(atPath: site.output.path)!
        var checked = 0
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".html"), path != "404.html" else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            for link in links(in: try site.page(path)) {
                guard !link.contains(":"), !link.hasPrefix("#") else { continue }
                var target = String(link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                target = target.removingPercentEncoding ?? target
                if target.hasSuffix("/") || target.isEmpty { target += "index.html" }
                let resolved = URL(fileURLWithPath: site.output.path + "/" + folder + "/" + target).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(path) links to \(link), which does not exist")
                checked += 1
            }
        }
        #expect(checked > 50)
    }

    @Test func articlePageHasImageCreditTagsContactAndNeighbours() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let page = try site.page("issues/2023-06-lettre-ete/avenue-de-paris/index.html")
        #expect(page.contains("alt=\"L&#39;avenue bordée d&#39;arbres\""))
        #expect(text(of: page).contains("Crédit PMA"))
        #expect(text(of: page).contains("aménagement"))
        #expect(page.contains("mailto:olivier.marliere@example.fr"))
        #expect(page.contains("id=\"fn-a-avenue-de-paris-1\""))
        #expect(page.contains("<h1"))
        #expect(page.contains("<link rel=\"canonical\" href=\"https://lettre.example.fr/issues/2023-06-lettre-ete/avenue-de-paris/\">"))
        #expect(page.contains("property=\"og:type\" content=\"article\""))
        // Order in the issue: omu (order 0), avenue-de-paris (01), acc (02).
        #expect(page.contains("../../../issues/2023-06-lettre-ete/omu/index.html"))
        #expect(page.contains("../../../issues/2023-06-lettre-ete/acc/index.html"))
    }

    @Test func markdownLinksToSourceFilesBecomePageLinks() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let page = try site.page("issues/2023-06-lettre-ete/index.html")
        #expect(page.contains("href=\"../../issues/2023-03-lettre-printemps/index.html\""))
        #expect(page.contains("href=\"../../issues/2023-06-lettre-ete/avenue-de-paris/index.html#suite\""))
        #expect(page.range(of: #"src="\.\./\.\./issues/2023-06-lettre-ete/images/vue%20a%C3%A9rienne-email\.[0-9a-f]+\.png""#, options: .regularExpression) != nil)
    }

    @Test func archiveGroupsByYearNewestFirst() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let archive = text(of: try site.page("archive/index.html"))
        let summer = try #require(archive.range(of: "Lettre d’été"))
        let spring = try #require(archive.range(of: "Lettre de printemps"))
        #expect(summer.lowerBound < spring.lowerBound)
        #expect(archive.contains("2023"))
    }

    @Test func feedIsRSSWithAbsoluteLinksAndFullContent() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let document = try XMLDocument(data: Data(try site.page("feed.xml").utf8))
        let items = try document.nodes(forXPath: "/rss/channel/item")
        #expect(items.count == 2)
        let first = try #require(items.first as? XMLElement)
        #expect(first.elements(forName: "link").first?.stringValue == "https://lettre.example.fr/issues/2023-06-lettre-ete/")
        #expect(first.elements(forName: "pubDate").first?.stringValue == "Wed, 05 Jul 2023 00:00:00 +0200")
        #expect(first.elements(forName: "title").first?.stringValue?.contains("Lettre d’été") == true)
        let content = try #require(first.elements(forName: "content:encoded").first?.stringValue)
        #expect(content.contains("André Kuchinski"))
        #expect(content.range(of: #"src="https://lettre\.example\.fr/issues/2023-06-lettre-ete/images/president-email\.[0-9a-f]+\.png""#, options: .regularExpression) != nil)
        #expect(!content.contains("%BULLETIN-ROOT%"))
        #expect(!content.contains("src=\"../"), "feed URLs are absolute")
    }

    @Test func sitemapAndRobotsUseTheBaseURL() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        var options = site.options()
        options.baseURL = "https://autre.example.org/lettre"
        #expect(!Builder().build(options).failed)
        let sitemap = try site.page("sitemap.xml")
        #expect(sitemap.contains("<loc>https://autre.example.org/lettre/issues/2023-06-lettre-ete/</loc>"))
        #expect(try site.page("robots.txt").contains("Sitemap: https://autre.example.org/lettre/sitemap.xml"))
        #expect(try site.page("404.html").contains("href=\"/lettre/assets/style.css\""), "404 works at any depth")
    }

    @Test func draftsAndFutureIssuesOnRequest() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let report = site.build(drafts: true, future: true)
        #expect(report.issueCount == 4)
        #expect(site.exists("issues/2023-09-brouillon/index.html"))
        #expect(site.exists("issues/2099-01-futur/index.html"))
        let later = site.build(now: "2099-01-01")
        #expect(later.issueCount == 3, "an issue appears on its day")
    }

    @Test func sameInputGivesByteIdenticalOutput() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let first = site.root.appendingPathComponent("first")
        let second = site.root.appendingPathComponent("second")
        #expect(!site.build(output: first).failed)
        #expect(!site.build(output: second).failed)
        let files = FileManager.default.enumerator(atPath: first.path)!.allObjects as! [String]
        #expect(files.count > 10)
        for path in files {
            let a = FileManager.default.contents(atPath: first.appendingPathComponent(path).path)
            let b = FileManager.default.contents(atPath: second.appendingPathComponent(path).path)
            #expect(a == b, "\(path) differs between two builds")
        }
    }

    @Test func siteWithoutThemesFolderUsesTheBuiltInTheme() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(try site.page("index.html").contains("Lettre de test"))
        #expect(site.exists("assets/style.css"))
    }

    @Test func aSiteMayOverrideOneTemplateAndOneString() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "themes/default/templates/404.mustache": "<h1>Perdu ! {{t.read_more}}</h1>\n",
            "themes/default/locales/fr.yml": "strings:\n  read_more: \"Lire la suite\"\n",
        ])
        defer { site.remove() }
        #expect(!site.build().failed)
        #expect(try site.page("404.html").contains("<h1>Perdu ! Lire la suite</h1>"))
        #expect(try site.page("index.html").contains("<html lang=\"fr\" dir=\"ltr\">"), "other templates stay built-in")
    }

    @Test func englishSitesReadInEnglish() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML.replacingOccurrences(of: "language: fr", with: "language: en"),
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        #expect(!site.build().failed)
        let page = try site.page("issues/2023-07-ete/index.html")
        #expect(page.contains("<html lang=\"en\" dir=\"ltr\">"))
        #expect(text(of: page).contains("5 July 2023"))
    }
}
