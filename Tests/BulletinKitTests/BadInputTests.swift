import Foundation
import Testing

@testable import BulletinKit

/// One test per kind of bad input: the right file and line, a failed build, and the
/// previous output left exactly as it was.
@Suite struct BadInputTests {
    /// Builds a good site, breaks one file, builds again and checks what the editor is told.
    private func expectFailure(
        writing path: String, _ contents: Data, at expectedPath: String, line: Int, column: Int? = nil,
        message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        try site.write("issues/2023-07-ete/images/photo.jpg", png(width: 900, height: 600))
        let good = site.build()
        #expect(!good.failed, "\(good.printed)", sourceLocation: sourceLocation)
        let before = try snapshot(site.output)

        try site.write(path, contents)
        let report = site.build()
        #expect(report.failed, sourceLocation: sourceLocation)
        let match = report.errors.first { $0.path == expectedPath && $0.message.contains(message) }
        #expect(match != nil, "expected \(expectedPath): …\(message)… in:\n\(report.printed)", sourceLocation: sourceLocation)
        if let match {
            #expect(match.line == line, "\(match)", sourceLocation: sourceLocation)
            if let column { #expect(match.column == column, "\(match)", sourceLocation: sourceLocation) }
        }
        #expect(try snapshot(site.output) == before, "the previous output must be untouched", sourceLocation: sourceLocation)
    }

    private func expectFailure(
        writing path: String, _ text: String, at expectedPath: String? = nil, line: Int, column: Int? = nil,
        message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        try expectFailure(
            writing: path, Data(text.utf8), at: expectedPath ?? path, line: line, column: column, message: message,
            sourceLocation: sourceLocation)
    }

    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder.path)! {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        }
        return files
    }

    @Test func malformedYAMLIsReportedAtItsLineInTheWholeFile() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/articles/01-a.md",
            "---\ntitle: \"Un titre\"\nsection: Le dossier\ntags: [a, b\nauthor: X\n---\nTexte.\n",
            line: 5, message: "invalid YAML")
    }

    @Test func missingRequiredField() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/issue.md", "---\ntitle: \"Été\"\ndate: 2023-07-05\n---\nÉdito.\n",
            line: 2, message: "missing required field `number`")
    }

    @Test func wrongType() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/issue.md", "---\ntitle: \"Été\"\nnumber: quarante-deux\ndate: 2023-07-05\n---\n",
            line: 3, column: 9, message: "`number` must be a whole number")
    }

    @Test func duplicateIssueNumber() throws {
        try expectFailure(
            writing: "issues/2023-09-rentree/issue.md", "---\ntitle: \"Rentrée\"\nnumber: 1\ndate: 2023-09-05\n---\n",
            line: 3, message: "issue number 1 is already used by issues/2023-07-ete/issue.md")
    }

    @Test func duplicateArticleSlug() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "issues/2023-07-ete/articles/01-acc.md": "---\ntitle: A\n---\n",
            "issues/2023-07-ete/articles/02-b.md": "---\ntitle: B\nslug: acc\n---\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        #expect(report.errors.contains { $0.message.contains("slug `acc` is already used") })
    }

    @Test func nonexistentPath() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/articles/01-a.md",
            "---\ntitle: A\nimage: ../images/absente.jpg\nimage_alt: Une photo\n---\n",
            line: 3, column: 8, message: "file not found")
    }

    @Test func pathLeavingTheIssueFolder() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/issue.md",
            "---\ntitle: A\nnumber: 1\ndate: 2023-07-05\ncover: ../../site.yml\ncover_alt: X\n---\n",
            line: 5, message: "leaves the issue folder")
    }

    @Test func missingLinkTargetInTheBody() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/articles/01-a.md", "---\ntitle: A\n---\nIntro.\n\nVoir ![le plan](../images/plan.png).\n",
            line: 6, column: 6, message: "file not found")
    }

    @Test func imageWithoutAlternativeText() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/articles/01-a.md", "---\ntitle: A\nimage: ../images/photo.jpg\n---\n",
            line: 3, message: "`image_alt` is required")
    }

    @Test func scriptURLAsVideo() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/issue.md",
            "---\ntitle: A\nnumber: 1\ndate: 2023-07-05\nvideos:\n  - title: V\n    url: \"javascript:alert(1)\"\n---\n",
            line: 7, column: 10, message: "video `url` must be")
    }

    @Test func invalidDate() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/issue.md", "---\ntitle: A\nnumber: 1\ndate: 2023-02-30\n---\n",
            line: 4, column: 7, message: "must be a real date")
    }

    @Test func folderWithoutIssueFile() throws {
        try expectFailure(
            writing: "issues/2023-09-rentree/articles/01-a.md", "---\ntitle: A\n---\n",
            at: "issues/2023-09-rentree", line: 1, message: "has no issue.md")
    }

    @Test func unclosedFrontMatter() throws {
        try expectFailure(
            writing: "issues/2023-07-ete/en-bref/01-a.md", "---\ntitle: A\n\nTexte sans fin de front-matter.\n",
            line: 1, message: "never closed")
    }

    @Test func invalidUTF8() throws {
        var data = Data("---\ntitle: A\n---\nCaf".utf8)
        data.append(contentsOf: [0xE9, 0x0A])  // Latin-1 "é"
        try expectFailure(
            writing: "issues/2023-07-ete/articles/01-a.md", data, at: "issues/2023-07-ete/articles/01-a.md",
            line: 4, column: 4, message: "not valid UTF-8")
    }

    @Test func emptyFile() throws {
        try expectFailure(writing: "issues/2023-07-ete/articles/01-a.md", "", line: 1, message: "empty")
    }

    @Test func badSiteConfiguration() throws {
        try expectFailure(
            writing: "site.yml", "title: X\nbase_url: lettre.example.fr\nlanguage: de\n",
            line: 2, message: "`base_url` must be an absolute http(s) URL")
    }

    @Test func emailSettingsAreChecked() throws {
        try expectFailure(
            writing: "site.yml", TemporarySite.minimalSiteYML + "email_from: \"La Lettre\"\n",
            line: 4, column: 13, message: "`email_from` must be an address")
        try expectFailure(
            writing: "site.yml", TemporarySite.minimalSiteYML + "email:\n  size_budget_kb: 0\n",
            line: 5, message: "`size_budget_kb` must be between 1 and 100000")
    }

    @Test func everyErrorIsReportedNotOnlyTheFirst() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": "---\ntitle: A\nnumber: x\ndate: 2023-13-01\n---\n",
            "issues/2023-08-aout/issue.md": "---\nnumber: 2\ndate: 2023-08-01\n---\n",
            "issues/2023-08-aout/articles/01-a.md": "---\ntitle: [\n---\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.errors.count == 4, "\(report.printed)")
        #expect(report.diagnostics.map(\.path) == report.diagnostics.sortedForReading().map(\.path), "sorted by file")
    }

    @Test func unknownKeyIsAWarningAndStrictMakesItFail() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML + "base_ulr: x\n", "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let relaxed = site.build()
        #expect(!relaxed.failed)
        #expect(relaxed.warnings.first?.description == "site.yml:4:1: warning: unknown key `base_ulr` (did you mean `base_url`?)")
        let strict = site.build(strict: true, output: site.root.appendingPathComponent("strict"))
        #expect(strict.failed)
        #expect(!FileManager.default.fileExists(atPath: site.root.appendingPathComponent("strict").path))
    }
}

@Suite struct OutputSafetyTests {
    @Test func refusesToReplaceAFolderItDidNotCreate() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "home/notes.txt": "précieux",
        ])
        defer { site.remove() }
        let report = site.build(output: site.root.appendingPathComponent("home"))
        #expect(report.failed)
        #expect(report.errors.first?.message.contains("not created by bulletin") == true)
        #expect(try String(contentsOf: site.root.appendingPathComponent("home/notes.txt"), encoding: .utf8) == "précieux")
    }

    @Test func replacesItsOwnOutputWholeSoNothingStaleSurvives() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "issues/2023-07-ete/articles/01-a.md": "---\ntitle: A\n---\nTexte.\n",
        ])
        defer { site.remove() }
        #expect(!site.build().failed)
        #expect(site.exists("issues/2023-07-ete/a/index.html"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("issues/2023-07-ete/articles/01-a.md"))
        #expect(!site.build().failed)
        #expect(!site.exists("issues/2023-07-ete/a/index.html"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root.path).filter { $0.hasPrefix(".output") }
        #expect(leftovers.isEmpty, "no temporary folder left behind: \(leftovers)")
    }

    @Test func buildsIntoAnEmptyFolder() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        try FileManager.default.createDirectory(at: site.output, withIntermediateDirectories: true)
        #expect(!site.build().failed)
        #expect(site.exists("index.html"))
    }

    @Test func symbolicLinksAreLeftOutWithAWarningEvenWhenTheyLoop() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "static/logo.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ])
        defer { site.remove() }
        let links = [
            "static/loop": ".",  // would recurse for ever if followed
            "static/passwd": "/etc/passwd",  // would publish a file from outside the site
            "issues/2023-07-ete/images": "/etc",
            "issues/2023-08-alias": "2023-07-ete",
        ]
        for (path, target) in links {
            try FileManager.default.createDirectory(
                at: site.root.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: site.root.appendingPathComponent(path).path, withDestinationPath: target)
        }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        #expect(Set(report.warnings.compactMap(\.path)) == Set(links.keys), "\(report.printed)")
        #expect(report.warnings.allSatisfy { $0.message.hasPrefix("symbolic link left out of the site") })
        #expect(site.exists("logo.svg"))
        for path in ["loop", "passwd", "issues/2023-07-ete/images", "issues/2023-08-alias"] {
            #expect(!site.exists(path), "\(path) must not be published")
        }
    }

    @Test func serveKeepsItsPreviewInMemoryAndWritesNothing() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "issues/2023-07-ete/articles/01-a.md": "---\ntitle: A\n---\nPremier texte.\n",
            "issues/2023-07-ete/articles/02-b.md": "---\ntitle: B\n---\nAutre texte.\n",
        ])
        defer { site.remove() }
        let served = ServedSite()
        var options = site.options()
        options.servedSite = served
        #expect(!Builder().build(options).failed)

        try site.write("issues/2023-07-ete/articles/01-a.md", "---\ntitle: A\n---\nTexte corrigé.\n")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("issues/2023-07-ete/articles/02-b.md"))
        try site.write("issues/2023-07-ete/articles/03-c.md", "---\ntitle: C\n---\nNouveau.\n")
        #expect(!Builder().build(options).failed)

        #expect(served.text("issues/2023-07-ete/a/index.html").contains("Texte corrigé."))
        #expect(served.text("issues/2023-07-ete/c/index.html").contains("Nouveau."))
        #expect(served.contents(at: "issues/2023-07-ete/b/index.html") == nil, "a removed article's page goes")
        #expect(!FileManager.default.fileExists(atPath: site.output.path), "nothing is written")
        let entries = try FileManager.default.contentsOfDirectory(atPath: site.root.path).filter { $0.hasPrefix(".") }
        #expect(entries.isEmpty, "\(entries)")
    }
}

/// `serve` renders again only the issues whose inputs changed: what a reader sees must be
/// what a full build gives, whatever changed.
@Suite struct RenderCacheTests {
    private func issue(_ number: Int, _ title: String, _ date: String) -> String {
        "---\ntitle: \"\(title)\"\nnumber: \(number)\ndate: \(date)\n---\nÉdito.\n"
    }

    @Test func aRebuildShowsEveryChangeAndRendersOnlyWhatItMust() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-05-mai/issue.md": issue(1, "Mai", "2023-05-05"),
            "issues/2023-06-juin/issue.md": issue(2, "Juin", "2023-06-05"),
            "issues/2023-06-juin/articles/01-a.md": "---\ntitle: A\n---\nTexte.\n",
            "issues/2023-07-juillet/issue.md": issue(3, "Juillet", "2023-07-05"),
            "issues/2023-08-aout/issue.md": issue(4, "Août", "2023-08-05"),
        ])
        defer { site.remove() }
        let cache = RenderCache()
        let served = ServedSite()
        var options = site.options()
        options.renderCache = cache
        options.servedSite = served
        func rebuild() throws -> RenderCache.Hits {
            let report = Builder().build(options)
            #expect(!report.failed, "\(report.printed)")
            return cache.takeHits()
        }
        func fullBuild() throws -> URL {
            let folder = site.root.appendingPathComponent("full")
            #expect(!site.build(output: folder).failed)
            return folder
        }
        func expectSameAsFullBuild(_ note: Comment) throws {
            let full = try fullBuild()
            for path in ["issues/2023-05-mai/index.html", "issues/2023-06-juin/index.html", "issues/2023-06-juin/a/index.html",
                "issues/2023-07-juillet/index.html", "issues/2023-08-aout/index.html", "issues/2023-06-juin/email.txt"]
            {
                #expect(try served.text(path) == site.page(path, in: full), "\(path) after \(note)")
            }
        }

        #expect(try rebuild() == .init(issues: 0, markdownFiles: 0, parsedIssues: 0, filesRead: 6))
        #expect(
            try rebuild() == .init(issues: 4, markdownFiles: 5, parsedIssues: 4, filesRead: 1),
            "nothing changed: nothing read but site.yml, nothing parsed or rendered again")

        try site.write("issues/2023-06-juin/articles/01-a.md", "---\ntitle: A\n---\nTexte corrigé.\n")
        let afterEdit = try rebuild()
        #expect(
            afterEdit == .init(issues: 3, markdownFiles: 4, parsedIssues: 3, filesRead: 3),
            "only site.yml and the edited folder are read again (its issue.md and the article) and its issue parsed and rendered again: the neighbours show nothing of the article (\(afterEdit))")
        try expectSameAsFullBuild("an article edit")

        try site.write("issues/2023-06-juin/issue.md", issue(2, "Juin ensoleillé", "2023-06-05"))
        _ = try rebuild()
        #expect(served.text("issues/2023-07-juillet/index.html").contains("Juin ensoleillé"), "the neighbour's link")
        try expectSameAsFullBuild("a title edit")

        try site.write("site.yml", TemporarySite.minimalSiteYML.replacingOccurrences(of: "Lettre de test", with: "Lettre du parc"))
        #expect(try rebuild().issues == 0, "a site setting renders every issue again")
        try expectSameAsFullBuild("a site.yml edit")

        try site.write("themes/default/locales/fr.yml", "strings:\n  read_more: \"Lire tout l'article\"\n")
        #expect(try rebuild().issues == 0, "a theme change renders every issue again")
        #expect(served.text("issues/2023-06-juin/index.html").contains("Lire tout l’article") || served.text("issues/2023-06-juin/index.html").contains("Lire tout l&#39;article"))
        try expectSameAsFullBuild("a locale edit")

        try site.write("issues/2023-09-septembre/issue.md", issue(5, "Septembre", "2023-09-05"))
        _ = try rebuild()
        #expect(served.text("issues/2023-08-aout/index.html").contains("Septembre"), "a new issue is the old newest's neighbour")
        try expectSameAsFullBuild("a new issue")
    }

    @Test func aFileWhoseTextDidNotChangeIsStillCheckedAgainstWhatItLinksTo() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-05-mai/issue.md": issue(1, "Mai", "2023-05-05") + "\nVoir [la suite de juin](../2023-06-juin/issue.md#la-suite).\n",
            "issues/2023-06-juin/issue.md": issue(2, "Juin", "2023-06-05") + "\n## La suite\n\nTexte.\n",
        ])
        defer { site.remove() }
        let served = ServedSite()
        var options = site.options()
        options.renderCache = RenderCache()
        options.servedSite = served
        #expect(!Builder().build(options).failed)

        // The heading linked to is renamed: mai's text is the same, its link is now broken.
        try site.write("issues/2023-06-juin/issue.md", issue(2, "Juin", "2023-06-05") + "\n## Et ensuite\n\nTexte.\n")
        let broken = Builder().build(options)
        #expect(broken.failed)
        #expect(broken.errors.first?.path == "issues/2023-05-mai/issue.md", "\(broken.printed)")

        // Juin becomes a draft: the link from mai is a warning again, as a full build says.
        try site.write("issues/2023-06-juin/issue.md", issue(2, "Juin", "2023-06-05").replacingOccurrences(of: "---\nÉdito", with: "draft: true\n---\nÉdito") + "\n## La suite\n")
        var selection = options
        selection.selection = .init(includeDrafts: false, includeFuture: true)
        let warned = Builder().build(selection)
        #expect(!warned.failed, "\(warned.printed)")
        #expect(warned.warnings.contains { $0.path == "issues/2023-05-mai/issue.md" && $0.message.contains("not published") }, "\(warned.printed)")
    }
}
