import Foundation
import Testing

@testable import BulletinKit

/// `bulletin new` and `bulletin init`: numbering, never overwriting, and sites that build.
@Suite struct ScaffoldTests {
    private func date(_ text: String) -> SimpleDate { SimpleDate(parsing: text)! }

    private func value<T>(_ result: Result<T, ScaffoldError>, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error):
            Testing.Issue.record("unexpected scaffold error: \(error.message)", sourceLocation: sourceLocation)
            throw error
        }
    }

    private func error<T>(_ result: Result<T, ScaffoldError>) -> String? {
        if case .failure(let error) = result { return error.message }
        return nil
    }

    /// A fresh folder path that does not exist yet.
    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bulletin-init-\(UUID().uuidString)")
    }

    private func build(_ root: URL, now: SimpleDate, drafts: Bool = false, strict: Bool = false) -> BuildReport {
        Builder().build(buildOptions(root, now: now, drafts: drafts, strict: strict))
    }

    // MARK: new issue

    @Test func newIssueTakesTheNextNumberAndNeverOverwrites() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let scaffold = ScaffoldSite(root: site.root)
        let writer = ScaffoldWriter(root: site.root)

        let first = try value(scaffold.newIssue(title: "Lettre d'automne", date: date("2023-10-02")))
        #expect(first.number == 2)
        #expect(first.file.path == "issues/2023-10-lettre-d-automne/issue.md")
        _ = try value(writer.write([first.file]))

        let second = try value(scaffold.newIssue(title: "Lettre d'hiver", date: date("2023-12-15")))
        #expect(second.number == 3)
        #expect(second.file.path == "issues/2023-12-lettre-d-hiver/issue.md")
        _ = try value(writer.write([second.file]))
        #expect(scaffold.issues().map(\.number) == [1, 2, 3])

        // The same title on the same day again: the same path, refused, the first file untouched.
        let firstURL = site.root.appendingPathComponent(first.file.path)
        try Data("---\ntitle: Édité\nnumber: 2\ndate: 2023-10-02\n---\nMon édito.\n".utf8).write(to: firstURL)
        let edited = try Data(contentsOf: firstURL)
        let again = try value(scaffold.newIssue(title: "Lettre d'automne", date: date("2023-10-02")))
        #expect(again.file.path == first.file.path)
        let refusal = try #require(error(writer.write([again.file])))
        #expect(refusal.contains("issues/2023-10-lettre-d-automne/issue.md already exists"))
        #expect(try Data(contentsOf: firstURL) == edited)
    }

    @Test func newIssueWritesTitleNumberAndDateThatTheBuildReads() throws {
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML])
        defer { site.remove() }
        let title = #"Le "grand" jour \ d'été : n°1"#
        let issue = try value(ScaffoldSite(root: site.root).newIssue(title: title, date: date("2024-02-29")))
        #expect(issue.number == 1, "the first issue of a site is number 1")
        #expect(issue.file.path == "issues/2024-02-le-grand-jour-d-ete-n-1/issue.md")
        let document = try FrontMatterDocument.split(SourceFile(path: issue.file.path, data: issue.file.contents)).get()
        let fields = try YAMLFields.parse(try #require(document.yaml), path: issue.file.path, firstLine: 2).get()
        var diagnostics: [Diagnostic] = []
        #expect(fields.string("title", into: &diagnostics) == title)
        #expect(fields.int("number", into: &diagnostics) == 1)
        #expect(fields.date("date", into: &diagnostics) == date("2024-02-29"))
        #expect(fields.bool("draft", into: &diagnostics) == true)
        #expect(diagnostics.isEmpty)
    }

    @Test func newIssueDefaultsToTodayInTheSiteTimeZone() throws {
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML + "timezone: Pacific/Auckland\n"])
        defer { site.remove() }
        // 2023-07-05 20:00 UTC is already the 6th in Auckland, still the 5th in Paris.
        let instant = Date(timeIntervalSince1970: 1_688_587_200)
        let scaffold = ScaffoldSite(root: site.root)
        #expect(try value(scaffold.newIssue(title: "Numéro", now: instant)).date == date("2023-07-06"))
        try site.write("site.yml", TemporarySite.minimalSiteYML)
        #expect(try value(scaffold.newIssue(title: "Numéro", now: instant)).date == date("2023-07-05"))
    }

    @Test func issueNumbersAreReadEvenFromBrokenFrontMatter() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-01-a/issue.md": "---\ntitle: A\nnumber: 12\ndate: 2023-01-01\n---\n",
            "issues/2023-02-b/issue.md": "---\ntitle: [unclosed\nnumber: 40\ndate: 2023-02-01\n---\n",
            "issues/2023-03-c/issue.md": "---\ntitle: C\nnumber: \"7\"\ndate: 2023-03-01\n---\n",
            "issues/_brouillons/issue.md": "---\ntitle: Ignoré\nnumber: 99\ndate: 2023-03-01\n---\n",
        ])
        defer { site.remove() }
        #expect(try value(ScaffoldSite(root: site.root).newIssue(title: "Suivant", date: date("2023-04-01"))).number == 41)
    }

    @Test func newIssueNeedsASite() throws {
        let site = try TemporarySite()
        defer { site.remove() }
        #expect(error(ScaffoldSite(root: site.root).newIssue(title: "A"))?.contains("no site.yml") == true)
    }

    @Test func titlesWithoutLettersAreRefusedAndLongOnesShortened() throws {
        #expect(error(Scaffold.slug(forTitle: "")) != nil)
        #expect(error(Scaffold.slug(forTitle: "  ")) != nil)
        #expect(error(Scaffold.slug(forTitle: "« ! »"))?.contains("empty slug") == true)
        #expect(error(Scaffold.issue(title: "???", number: 1, date: date("2023-01-01"))) != nil)
        let long = try value(Scaffold.slug(forTitle: String(repeating: "développement durable ", count: 6)))
        #expect(long.count <= 60)
        #expect(!long.hasSuffix("-") && long.hasPrefix("developpement-durable-"))
    }

    // MARK: new article, new brief

    @Test func articlesAndBriefsAreNumberedAfterTheLastFile() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let scaffold = ScaffoldSite(root: site.root)
        let writer = ScaffoldWriter(root: site.root)
        func add(_ kind: Scaffold.ItemKind, _ issue: String, _ title: String) throws -> String {
            let file = try value(scaffold.newItem(kind, issue: issue, title: title))
            _ = try value(writer.write([file]))
            return file.path
        }
        #expect(try add(.article, "2023-07-ete", "L'Avenue de Paris inaugurée !") == "issues/2023-07-ete/articles/01-l-avenue-de-paris-inauguree.md")
        #expect(try add(.article, "1", "ACC") == "issues/2023-07-ete/articles/02-acc.md", "by issue number")
        try site.write("issues/2023-07-ete/articles/10-x.md", "---\ntitle: X\n---\nÀ la main.\n")
        #expect(try add(.article, "issues/2023-07-ete/", "Ômu des abysses") == "issues/2023-07-ete/articles/11-omu-des-abysses.md")
        #expect(try add(.brief, "1", "Hydroline") == "issues/2023-07-ete/en-bref/01-hydroline.md", "briefs count on their own")
        #expect(try add(.brief, "1", "Recrutement") == "issues/2023-07-ete/en-bref/02-recrutement.md")

        // The scaffolded files build, and the articles come in file order.
        let report = site.build(now: "2023-07-05", strict: true)
        #expect(report.errors.isEmpty && report.warnings.isEmpty, "\(report.printed)")
        let page = try site.page("issues/2023-07-ete/index.html")
        let positions = ["l-avenue-de-paris-inauguree", "acc", "x", "omu-des-abysses"].map {
            page.range(of: "2023-07-ete/\($0)/index.html")?.lowerBound
        }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func newItemErrors() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "issues/2023-07-ete/articles/03-acc.md": "---\ntitle: ACC\n---\n",
            "issues/2023-07-ete/images/a.png": "",
        ])
        defer { site.remove() }
        let scaffold = ScaffoldSite(root: site.root)
        #expect(error(scaffold.newItem(.article, issue: "42", title: "A"))?.contains("no issue has the number 42") == true)
        #expect(error(scaffold.newItem(.article, issue: "2023-08-x", title: "A"))?.contains("no issue folder issues/2023-08-x") == true)
        #expect(error(scaffold.newItem(.article, issue: "1", title: "Acc"))?.contains("already has the slug `acc`") == true)
        #expect(error(scaffold.newItem(.article, issue: "1", title: "Images"))?.contains("share one URL") == true)
        #expect(error(scaffold.newItem(.brief, issue: "1", title: "!!")) != nil)
        // A brief has no page of its own: the same slug as an article is fine.
        #expect(try value(scaffold.newItem(.brief, issue: "1", title: "ACC")).path == "issues/2023-07-ete/en-bref/01-acc.md")
    }

    @Test func anIssueNumberUsedTwiceMustBeNamedByFolder() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
            "issues/2023-08-copie/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let scaffold = ScaffoldSite(root: site.root)
        #expect(error(scaffold.resolveIssue("1"))?.contains("several issues have the number 1") == true)
        #expect(try value(scaffold.resolveIssue("2023-08-copie")) == "2023-08-copie")
    }

    // MARK: Skeletons

    /// The front-matter with every commented example key uncommented.
    private func uncommented(_ text: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"^# ((?:  )*(?:- )?[a-z_]+:(?: .*)?)$"#)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let line = String(line)
            let range = NSRange(location: 0, length: (line as NSString).length)
            guard let match = pattern.firstMatch(in: line, range: range) else { return line }
            return (line as NSString).substring(with: match.range(at: 1))
        }.joined(separator: "\n")
    }

    private func keys(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"^(?:# )?([a-z_]+):"#, options: .anchorsMatchLines)
        return Set(pattern.matches(in: text, range: NSRange(location: 0, length: (text as NSString).length)).map {
            (text as NSString).substring(with: $0.range(at: 1))
        })
    }

    @Test func skeletonsShowEveryKeyOfTheContract() throws {
        let issue = try value(Scaffold.issue(title: "A", number: 1, date: date("2023-07-05"))).file.text
        #expect(Set(IssueParser.issueKeys).isSubset(of: keys(in: issue)))
        for kind in Scaffold.ItemKind.allCases {
            let item = try value(Scaffold.item(kind, title: "A", issueFolder: "x", existingFileNames: [])).text
            #expect(Set(IssueParser.articleKeys).isSubset(of: keys(in: item)), "\(kind)")
        }
        let siteYML = Scaffold.site(today: date("2023-07-05"), withTheme: false).first { $0.path == "site.yml" }!.text
        #expect(Set(SiteConfig.keys).isSubset(of: keys(in: siteYML)))
    }

    @Test func uncommentedExampleKeysAreAllKnown() throws {
        let site = try TemporarySite(["site.yml": uncommented(Scaffold.site(today: date("2023-07-05"), withTheme: false)[0].text)])
        defer { site.remove() }
        let issue = try value(ScaffoldSite(root: site.root).newIssue(title: "Tout", date: date("2023-07-05")))
        try site.write(issue.file.path, uncommented(issue.file.text))
        for kind in Scaffold.ItemKind.allCases {
            let item = try value(ScaffoldSite(root: site.root).newItem(kind, issue: "1", title: "Exemple"))
            try site.write(item.path, uncommented(item.text))
        }
        let report = site.build(now: "2023-07-05", drafts: true)
        #expect(!report.diagnostics.contains { $0.message.contains("unknown key") }, "\(report.printed)")
        #expect(!report.diagnostics.contains { $0.message.contains("YAML") || $0.message.contains("front-matter") }, "\(report.printed)")
        // What is left are the example image paths, which do not exist.
        #expect(report.errors.allSatisfy { $0.message.contains("file not found") }, "\(report.printed)")
    }

    // MARK: init

    @Test func initCreatesASiteThatBuildsCleanly() throws {
        let root = newFolder().appendingPathComponent("lettre")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let today = date("2024-03-15")
        let files = Scaffold.site(today: today, withTheme: false)
        let written = try value(ScaffoldWriter(root: root).writeNewSite(files))
        #expect(written.count == files.count)
        for path in [
            "site.yml", ".gitignore", "static/logo.svg", "issues/2024-03-premier-numero/issue.md",
            "issues/2024-03-premier-numero/articles/01-bienvenue.md", "issues/2024-03-premier-numero/en-bref/01-publier-un-numero.md",
        ] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("themes").path))
        let gitignore = try String(contentsOf: root.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(gitignore.contains("/output/") && gitignore.contains("/.bulletin-cache/"))

        for now in [today, date("2024-04-30")] {
            let report = build(root, now: now, strict: true)
            #expect(!report.failed)
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
            #expect(report.issueCount == 1)
        }
        let home = try String(contentsOf: root.appendingPathComponent("output/index.html"), encoding: .utf8)
        #expect(home.contains("Premier numéro"))
        let issue = try String(contentsOf: root.appendingPathComponent("output/issues/2024-03-premier-numero/index.html"), encoding: .utf8)
        #expect(issue.contains("bienvenue/"))
        #expect(issue.contains("Publier un nouveau numéro"))
        #expect(issue.contains("Bienvenue"), "the édito's title")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("output/logo.svg").path))

        // A scaffolded issue on top still builds cleanly.
        let next = try value(ScaffoldSite(root: root).newIssue(title: "Deuxième numéro", date: date("2024-04-02")))
        #expect(next.number == 2)
        _ = try value(ScaffoldWriter(root: root).write([next.file]))
        #expect(build(root, now: date("2024-04-30"), drafts: true, strict: true).diagnostics.isEmpty)
    }

    @Test func initRefusesANonEmptyFolderAndTouchesNothing() throws {
        let site = try TemporarySite(["notes.txt": "mes notes\n", "issues/brouillon.md": "# brouillon\n"])
        defer { site.remove() }
        let result = ScaffoldWriter(root: site.root, rootName: "mon-dossier").writeNewSite(Scaffold.site(today: date("2024-03-15"), withTheme: true))
        #expect(error(result)?.contains("mon-dossier is not empty (issues, notes.txt)") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root.path).sorted() == ["issues", "notes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root.appendingPathComponent("issues").path) == ["brouillon.md"])
        #expect(try String(contentsOf: site.root.appendingPathComponent("notes.txt"), encoding: .utf8) == "mes notes\n")

        // A file where the folder should be.
        let file = site.root.appendingPathComponent("notes.txt")
        #expect(error(ScaffoldWriter(root: file).writeNewSite([]))?.contains("is a file") == true)
    }

    @Test func initAcceptsAnEmptyFolderOrAFreshGitRepository() throws {
        let empty = try TemporarySite()
        defer { empty.remove() }
        _ = try value(ScaffoldWriter(root: empty.root).writeNewSite(Scaffold.site(today: date("2024-03-15"), withTheme: false)))
        let git = try TemporarySite([".git/HEAD": "ref: refs/heads/main\n"])
        defer { git.remove() }
        _ = try value(ScaffoldWriter(root: git.root).writeNewSite(Scaffold.site(today: date("2024-03-15"), withTheme: false)))
        #expect(FileManager.default.fileExists(atPath: git.root.appendingPathComponent("site.yml").path))
    }

    @Test func writerChecksEveryTargetBeforeWritingAny() throws {
        let site = try TemporarySite(["b.md": "garde-moi\n"])
        defer { site.remove() }
        let files = [ScaffoldFile(path: "a/a.md", contents: Data("a".utf8)), ScaffoldFile(path: "b.md", contents: Data("b".utf8))]
        #expect(error(ScaffoldWriter(root: site.root, rootName: ".").write(files)) == "b.md already exists; nothing was written")
        #expect(!FileManager.default.fileExists(atPath: site.root.appendingPathComponent("a").path))
        #expect(try String(contentsOf: site.root.appendingPathComponent("b.md"), encoding: .utf8) == "garde-moi\n")

        // A failure half-way (here a file where the first one made a folder) removes what was written.
        let clash = [ScaffoldFile(path: "x/y/a.md", contents: Data("a".utf8)), ScaffoldFile(path: "x/y", contents: Data("b".utf8))]
        #expect(error(ScaffoldWriter(root: site.root).write(clash))?.contains("cannot write") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root.path) == ["b.md"])
    }

    @Test func initWithThemeCopiesTheBuiltInThemeAndBuilds() throws {
        let root = newFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try value(ScaffoldWriter(root: root).writeNewSite(Scaffold.site(today: date("2024-03-15"), withTheme: true)))
        #expect(!DefaultTheme.files.isEmpty)
        let themeFolder = root.appendingPathComponent("themes/default")
        #expect(Set(SiteLoader.files(under: themeFolder).files) == Set(DefaultTheme.files.keys))
        for (path, data) in DefaultTheme.files {
            #expect(try Data(contentsOf: themeFolder.appendingPathComponent(path)) == data, "\(path)")
        }
        let report = build(root, now: date("2024-03-20"), strict: true)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        #expect(report.issueCount == 1)
    }

    // MARK: Drafts

    @Test func aScaffoldedIssueIsADraftUntilDraftsAreIncluded() throws {
        let root = newFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try value(ScaffoldWriter(root: root).writeNewSite(Scaffold.site(today: date("2024-03-15"), withTheme: false)))
        let issue = try value(ScaffoldSite(root: root).newIssue(title: "Lettre de printemps", date: date("2024-04-10")))
        _ = try value(ScaffoldWriter(root: root).write([issue.file]))
        let page = root.appendingPathComponent("output/issues/2024-04-lettre-de-printemps/index.html")

        let published = build(root, now: date("2024-05-01"))
        #expect(!published.failed && published.issueCount == 1, "only the sample issue: \(published.diagnostics)")
        #expect(!FileManager.default.fileExists(atPath: page.path))

        let withDrafts = build(root, now: date("2024-05-01"), drafts: true)
        #expect(!withDrafts.failed && withDrafts.issueCount == 2, "\(withDrafts.diagnostics)")
        #expect(try String(contentsOf: page, encoding: .utf8).contains("Lettre de printemps"))
    }
}

/// The `new` and `init` commands as a user types them: messages and exit codes.
@Suite struct ScaffoldCommandLineTests {


    @Test func initThenNewPrintPathsAndExitCodes() throws {
        let parent = try TemporarySite()
        defer { parent.remove() }
        let created = try bulletin(["init", "lettre"], in: parent.root)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("  lettre/site.yml"))
        #expect(created.stdout.contains("cd lettre && bulletin build"))
        #expect(created.stdout.contains("output/index.html"))

        let again = try bulletin(["init", "lettre"], in: parent.root)
        #expect(again.status == 1)
        #expect(again.stderr.contains("lettre is not empty"))

        let site = parent.root.appendingPathComponent("lettre")
        let issue = try bulletin(["new", "issue", "Lettre d'été", "--date", "2024-07-05"], in: site)
        #expect(issue.status == 0, "\(issue.stderr)")
        #expect(issue.stdout.hasPrefix("Created issues/2024-07-lettre-d-ete/issue.md (number 2, dated 2024-07-05)"))
        #expect(issue.stdout.contains("draft"))
        #expect(try bulletin(["new", "issue", "Lettre d'été", "--date", "2024-07-05"], in: site).status == 1)

        let article = try bulletin(["new", "article", "2", "Premier article", "--source", "lettre"], in: parent.root)
        #expect(article.status == 0, "\(article.stderr)")
        #expect(article.stdout == "Created lettre/issues/2024-07-lettre-d-ete/articles/01-premier-article.md\n")
        let brief = try bulletin(["new", "brief", "2024-07-lettre-d-ete", "Une brève"], in: site)
        #expect(brief.stdout == "Created issues/2024-07-lettre-d-ete/en-bref/01-une-breve.md\n")
        #expect(try bulletin(["new", "brief", "9", "Une brève"], in: site).status == 1, "no issue 9")

        for usage in [
            ["new", "frob", "Titre"], ["new", "issue"], ["new", "article", "2"], ["new", "issue", "!!!"],
            ["new", "issue", "A", "--date", "2024-02-30"], ["new", "article", "2", "A", "--date", "2024-01-01"],
            ["new", "issue", "A", "--source", "/nonexistent/folder"], ["init"],
        ] {
            let run = try bulletin(usage, in: site)
            #expect(run.status == 2, "\(usage): \(run.stderr)")
        }
        let build = try bulletin(["build", "--drafts", "--strict", "--now", "2024-07-05"], in: site)
        #expect(build.status == 0, "\(build.stderr)")
    }
}
