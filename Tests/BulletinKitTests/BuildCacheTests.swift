import Foundation
import Testing

@testable import BulletinKit

/// `build` with a cache reads, parses, renders and writes again only what an edit
/// changed. Whatever the edit, the output it leaves must be what a cold build of the same
/// sources writes, byte for byte, and it must say the same.
@Suite struct BuildCacheTests {
    private let ete = "issues/2023-06-lettre-ete"

    private struct Warm {
        let site: TemporarySite
        var options: BuildOptions
        let cold: URL
        /// Waited after each build: long enough for the next build to trust the stamps of
        /// the folders this one listed (see `FileStamp.isRacy`), so that an edit changes a
        /// folder the cache vouches for. Without it, each edit comes too soon after the
        /// build and every changed folder is listed again.
        var pause: TimeInterval = 0
        /// After each build, builds again until one finds nothing changed and leaves a
        /// `StampManifest`: the next build, after the next edit, starts from it.
        var leavesManifest = false

        init(_ site: TemporarySite, pause: TimeInterval = 0, leavesManifest: Bool = false) {
            self.site = site
            self.pause = pause
            self.leavesManifest = leavesManifest
            options = site.options(drafts: true, future: true, output: site.root.appendingPathComponent("warm"))
            options.cacheFolder = site.root.appendingPathComponent(".bulletin-cache")
            cold = site.root.appendingPathComponent("cold")
            // The site was copied a moment ago: stamps that recent are not trusted (see
            // `FileStamp.isRacy`), and the first warm build would read every folder again.
            Thread.sleep(forTimeInterval: 0.1)
        }

        /// Builds with the cache, then without into another folder, and compares.
        @discardableResult
        func expectSameAsColdBuild(after edit: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> BuildReport {
            let warm = Builder().build(options)
            #expect(!warm.failed, "\(edit): \(warm.printed)", sourceLocation: sourceLocation)
            var coldOptions = options
            coldOptions.cacheFolder = nil
            coldOptions.output = cold
            let reference = Builder().build(coldOptions)
            #expect(!reference.failed, sourceLocation: sourceLocation)
            #expect(
                warm.diagnostics.map(\.description) == reference.diagnostics.map(\.description), "diagnostics after \(edit)",
                sourceLocation: sourceLocation)
            #expect(warm.largestEmail?.bytes == reference.largestEmail?.bytes, sourceLocation: sourceLocation)
            let written = try fileTree(options.outputFolder)
            let expected = try fileTree(cold)
            #expect(Set(written.keys) == Set(expected.keys), "the same files after \(edit)", sourceLocation: sourceLocation)
            for (path, data) in expected where written[path] != data {
                Issue.record("\(path) differs from a cold build after \(edit)", sourceLocation: sourceLocation)
            }
            Thread.sleep(forTimeInterval: pause)
            if leavesManifest { settleToManifest(sourceLocation: sourceLocation) }
            return warm
        }

        var manifest: URL { options.cacheFolder!.appendingPathComponent(StampManifest.fileName) }

        /// Builds until a build finds nothing changed and leaves a manifest: the one after
        /// an edit reads the edited folder again (its stamps were too recent to trust) and
        /// saves the cache, the next finds everything as it was.
        func settleToManifest(sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            for _ in 0..<4 where !FileManager.default.fileExists(atPath: manifest.path) {
                Thread.sleep(forTimeInterval: 0.06)
                #expect(!Builder().build(options).failed, sourceLocation: sourceLocation)
            }
            #expect(FileManager.default.fileExists(atPath: manifest.path), "a build with nothing changed leaves a manifest", sourceLocation: sourceLocation)
        }
    }

    /// How the builds of `everyKindOfEditGivesWhatAColdBuildGives` follow each other.
    enum Pace: CaseIterable {
        /// Each build right after the edit and the last build.
        case hurried
        /// Time enough between builds for the folders' stamps to be trusted.
        case settled
        /// Each edit made after a build that found nothing changed and left a manifest.
        case fromManifest
    }

    private func edit(_ site: TemporarySite, _ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(path) changes it")
        try site.write(path, changed)
    }

    @Test(arguments: Pace.allCases) func everyKindOfEditGivesWhatAColdBuildGives(pace: Pace) throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let settled = pace != .hurried
        let warm = Warm(site, pause: settled ? 0.1 : 0, leavesManifest: pace == .fromManifest)
        let issueCount = try FileManager.default.contentsOfDirectory(atPath: site.root.appendingPathComponent("issues").path).count

        let first = try warm.expectSameAsColdBuild(after: "the first build")
        #expect(first.cachedFolders == 0)
        let unchanged = try warm.expectSameAsColdBuild(after: "no change")
        #expect(unchanged.cachedFolders == issueCount, "nothing changed: no issue is parsed again")
        #expect(unchanged.foldersRead == 0, "nothing changed: no issue folder is read")
        #expect(unchanged.unchangedOutputs == unchanged.pageSetCount, "nothing changed: no page is rendered again")
        #expect(unchanged.nothingChanged)
        if settled {
            // Files the last build did not write, in output folders whose listing the cache
            // keeps, and a page changed by hand: a cold build has none of them.
            let output = warm.options.outputFolder
            try Data("perdu".utf8).write(to: output.appendingPathComponent("issues/2023-06-lettre-ete/perdu.html"))
            try FileManager.default.createDirectory(at: output.appendingPathComponent("archive/vieux"), withIntermediateDirectories: true)
            try Data("perdu".utf8).write(to: output.appendingPathComponent("archive/vieux/index.html"))
            try Data("modifié".utf8).write(to: output.appendingPathComponent("issues/2023-06-lettre-ete/email.txt"))
            let restored = try warm.expectSameAsColdBuild(after: "files added to the output and a page changed by hand")
            #expect(restored.cachedFolders == issueCount, "the output changed, not the site: no issue is parsed again")
            let again = try warm.expectSameAsColdBuild(after: "no change, once more")
            #expect(again.unchangedOutputs == again.pageSetCount)
        }

        try edit(site, "\(ete)/articles/01-avenue-de-paris.md") { $0 + "\nUne phrase de plus.\n" }
        let oneArticle = try warm.expectSameAsColdBuild(after: "an article's text")
        #expect(oneArticle.cachedFolders >= issueCount - 2, "an article changed: its issue (and one linking to it) parsed again")
        #expect(!oneArticle.nothingChanged)

        try edit(site, "\(ete)/issue.md") { $0.replacingOccurrences(of: "ACC inaugurée", with: "L'ACC inaugurée") }
        try warm.expectSameAsColdBuild(after: "an issue's front-matter")

        try edit(site, "issues/2023-03-lettre-printemps/issue.md") {
            $0.replacingOccurrences(of: "Lettre de printemps", with: "Lettre du printemps")
        }
        try warm.expectSameAsColdBuild(after: "a title that lists and neighbours show")

        try edit(site, "site.yml") { $0.replacingOccurrences(of: "Une lettre pour les tests.", with: "La lettre du parc d'activités.") }
        try warm.expectSameAsColdBuild(after: "site.yml")

        let template = String(decoding: DefaultTheme.files["templates/article.mustache"]!, as: UTF8.self)
        try site.write("themes/default/templates/article.mustache", template + "<!-- modèle du site -->\n")
        try warm.expectSameAsColdBuild(after: "a template")

        try site.write("themes/default/locales/fr.yml", "strings:\n  read_more: \"Lire tout l'article\"\n  footnote_back: \"Retour\"\n")
        try warm.expectSameAsColdBuild(after: "a locale string (one the bodies show)")

        try site.write("static/logo.svg", #"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>"#)
        try warm.expectSameAsColdBuild(after: "a static file (an image whose size the pages show)")

        try site.write("static/documents/nouveau.pdf", "%PDF-1.4\n")
        try warm.expectSameAsColdBuild(after: "a new static file")

        try site.write("\(ete)/images/avenue.png", png(width: 200, height: 100))
        try warm.expectSameAsColdBuild(after: "an image of an issue")

        try site.write("\(ete)/images/avenue.png", png(width: 200, height: 100, seed: 40))
        try warm.expectSameAsColdBuild(after: "a photo replaced by another of the same size")

        try site.write("\(ete)/documents", "un fichier")
        try warm.expectSameAsColdBuild(after: "an asset")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("\(ete)/documents"))
        try site.write("\(ete)/documents/programme.txt", "un dossier, où était un fichier")
        try warm.expectSameAsColdBuild(after: "a folder where a file was")

        try site.write("issues/2023-12-hiver/issue.md", "---\ntitle: \"Lettre d'hiver\"\nnumber: 7\ndate: 2023-12-01\n---\nÉdito d'hiver.\n")
        try warm.expectSameAsColdBuild(after: "a new issue")

        try FileManager.default.removeItem(at: site.root.appendingPathComponent("issues/2023-12-hiver"))
        try warm.expectSameAsColdBuild(after: "a deleted issue")

        try FileManager.default.moveItem(
            at: site.root.appendingPathComponent("\(ete)/en-bref/02-recrutement.md"),
            to: site.root.appendingPathComponent("\(ete)/en-bref/00-recrutement.md"))
        try warm.expectSameAsColdBuild(after: "a renamed file")

        // A build that fails leaves the output and the cache as they were, and the build
        // that fixes the site uses the cache.
        let article = "\(ete)/articles/10-omu.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(article), encoding: .utf8)
        let before = try fileTree(warm.options.outputFolder)
        let cacheBefore = try fileTree(warm.options.cacheFolder!)
        try site.write(article, "---\ntitle: [\n---\nTexte.\n")
        #expect(Builder().build(warm.options).failed, "a broken front-matter fails the build")
        #expect(try fileTree(warm.options.outputFolder) == before, "a failed build leaves the output as it was")
        #expect(try fileTree(warm.options.cacheFolder!) == cacheBefore, "a failed build leaves the cache as it was")
        try site.write(article, text + "\nRéparé.\n")
        let fixed = try warm.expectSameAsColdBuild(after: "a failed build, then the fix")
        #expect(fixed.cachedFolders > 0)

        // The heading that the édito links to (`#suite`) is renamed, and the link with it.
        try edit(site, "\(ete)/articles/01-avenue-de-paris.md") { $0.replacingOccurrences(of: "## Suite", with: "## Et la suite") }
        try edit(site, "\(ete)/issue.md") { $0.replacingOccurrences(of: "01-avenue-de-paris.md#suite", with: "01-avenue-de-paris.md#et-la-suite") }
        try warm.expectSameAsColdBuild(after: "a heading renamed with the link to it")

        // Another issue links to a heading of an article that is renamed alone: the link breaks.
        try edit(site, "\(ete)/articles/01-avenue-de-paris.md") { $0.replacingOccurrences(of: "## Et la suite", with: "## Encore la suite") }
        let broken = Builder().build(warm.options)
        #expect(broken.failed, "a link to a heading renamed in another file is an error, cache or not")
        #expect(broken.diagnostics.contains { $0.message.contains("#et-la-suite") })
    }

    /// A build that finds the stamp of every path as the last build with nothing changed
    /// did says what it said, without reading the cache's index. An option, a day or any
    /// stamp that differs (an edit that keeps a file's size and modification time
    /// included) sends the build the usual way.
    @Test func aBuildWithNothingChangedOnlyLooksAtStamps() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        var warm = Warm(site, pause: 0.1)
        let first = try warm.expectSameAsColdBuild(after: "the first build")
        warm.settleToManifest()
        let output = try fileTree(warm.options.outputFolder)

        // The index damaged: a build that read it would start again as a cold one.
        let index = warm.options.cacheFolder!.appendingPathComponent(BuildCache.fileName)
        let saved = try Data(contentsOf: index)
        try Data(repeating: 0xFF, count: saved.count).write(to: index)
        let unchanged = Builder().build(warm.options)
        #expect(unchanged.nothingChanged, "the manifest alone said nothing changed")
        #expect(!unchanged.failed)
        #expect(unchanged.diagnostics == first.diagnostics)
        #expect((unchanged.issueCount, unchanged.pageCount, unchanged.fileCount) == (first.issueCount, first.pageCount, first.fileCount))
        #expect(unchanged.largestEmail?.path == first.largestEmail?.path && unchanged.largestEmail?.bytes == first.largestEmail?.bytes)
        #expect(try fileTree(warm.options.outputFolder) == output)
        try saved.write(to: index)

        warm.options.baseURL = "https://ailleurs.example.fr/"
        #expect(try !warm.expectSameAsColdBuild(after: "another base URL").nothingChanged)
        warm.settleToManifest()
        warm.options.now = SimpleDate(parsing: "2026-03-01")
        #expect(try !warm.expectSameAsColdBuild(after: "another day").nothingChanged)
        warm.settleToManifest()

        // The same size, the modification time put back: only the change time tells.
        let article = site.root.appendingPathComponent("\(ete)/articles/01-avenue-de-paris.md")
        var before = stat()
        #expect(lstat(article.path, &before) == 0)
        let text = try String(contentsOf: article, encoding: .utf8)
        try site.write("\(ete)/articles/01-avenue-de-paris.md", text.replacingOccurrences(of: "En 2015", with: "En 2016"))
        let times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, article.path, times, 0) == 0)
        var after = stat()
        #expect(lstat(article.path, &after) == 0)
        #expect(after.st_size == before.st_size && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(try !warm.expectSameAsColdBuild(after: "an edit that keeps the size and the modification time").nothingChanged)
        warm.settleToManifest()

        try FileManager.default.removeItem(at: warm.options.outputFolder.appendingPathComponent("archive/index.html"))
        #expect(try !warm.expectSameAsColdBuild(after: "a page removed from the output").nothingChanged)
        warm.settleToManifest()
        try site.write("issues/.brouillon.md", "caché")
        #expect(try warm.expectSameAsColdBuild(after: "a hidden file added").nothingChanged, "what the build leaves out changes nothing")
    }

    /// A manifest holds while the day it was written for is today in the site's zone.
    @Test func theDayOfAManifestIsTheSitesDay() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let winter = Builder.instants(of: try #require(SimpleDate(parsing: "2026-12-02")), in: paris)
        #expect(winter == 1_796_166_000..<1_796_252_400, "from 2026-12-01 23:00 UTC, 24 hours")
        let spring = Builder.instants(of: try #require(SimpleDate(parsing: "2026-03-29")), in: paris)
        #expect(spring.count == 23 * 3600, "the day clocks go forward is 23 hours long")
    }

    /// A fresh clone of the same files, with the cache and the output kept by CI between
    /// runs: every stamp differs, every file is read, none is parsed or rendered again.
    @Test func aFreshCloneWithTheCacheRendersNothingAgain() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let warm = Warm(site)
        try warm.expectSameAsColdBuild(after: "the first build")
        let clone = site.root.deletingLastPathComponent().appendingPathComponent(site.root.lastPathComponent + "-clone")
        defer { try? FileManager.default.removeItem(at: clone) }
        for name in ["site.yml", "issues", "static", "themes"] {
            let from = site.root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            try FileManager.default.createDirectory(at: clone, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: from, to: clone.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: warm.options.cacheFolder!, to: clone.appendingPathComponent(".bulletin-cache"))
        try FileManager.default.copyItem(at: warm.options.outputFolder, to: clone.appendingPathComponent("warm"))
        // Folders changed a moment ago are listed again by the next build whatever their
        // stamps say (see `FileStamp.isRacy`): the clone is older than that.
        Thread.sleep(forTimeInterval: 0.1)
        var options = warm.options
        options.source = clone
        options.cacheFolder = clone.appendingPathComponent(".bulletin-cache")
        options.output = clone.appendingPathComponent("warm")
        let report = Builder().build(options)
        #expect(!report.failed)
        let issueCount = try FileManager.default.contentsOfDirectory(atPath: clone.appendingPathComponent("issues").path).count
        #expect(report.cachedFolders == issueCount, "same files, new stamps: no issue parsed again")
        #expect(report.unchangedOutputs == report.pageSetCount, "same output, new stamps: no page rendered again")
        #expect(try fileTree(options.outputFolder) == fileTree(warm.options.outputFolder))
        // The cache took the new stamps: the next build reads no folder. It may still record
        // the listings of the output folders where the images were copied again (their
        // source has new stamps) a moment ago; the build after it leaves the cache as it is.
        Thread.sleep(forTimeInterval: 0.1)
        let third = Builder().build(options)
        #expect(!third.failed)
        #expect(third.foldersRead == 0)
        let index = options.cacheFolder!.appendingPathComponent(BuildCache.fileName)
        let saved = try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.01)
        let fourth = Builder().build(options)
        #expect(fourth.foldersRead == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date == saved)
        // A page of the restored output changed by hand is made again.
        let page = options.outputFolder.appendingPathComponent("archive/index.html")
        try Data("modifié".utf8).write(to: page)
        let again = Builder().build(options)
        #expect(again.unchangedOutputs == again.pageSetCount - 1)
        #expect(try fileTree(options.outputFolder) == fileTree(warm.options.outputFolder))
    }

    /// `check` reads the cache the last build left, says what a check without it says,
    /// and writes nothing, in the cache or elsewhere.
    @Test func checkReadsTheCacheAndWritesNothing() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let warm = Warm(site)
        try warm.expectSameAsColdBuild(after: "the first build")
        try edit(site, "\(ete)/articles/01-avenue-de-paris.md") { $0 + "\nVoir [rien](#nulle-part).\n" }
        let cacheBefore = try fileTree(warm.options.cacheFolder!)
        let outputBefore = try fileTree(warm.options.outputFolder)
        var check = warm.options
        check.writesOutput = false
        let cached = Builder().build(check)
        check.cacheFolder = nil
        let uncached = Builder().build(check)
        #expect(cached.failed && uncached.failed, "the link to a missing anchor is an error")
        #expect(cached.diagnostics.map(\.description) == uncached.diagnostics.map(\.description))
        let issueCount = try FileManager.default.contentsOfDirectory(atPath: site.root.appendingPathComponent("issues").path).count
        #expect(cached.cachedFolders == issueCount - 1, "only the changed folder is parsed again")
        #expect(try fileTree(warm.options.cacheFolder!) == cacheBefore, "check writes nothing in the cache")
        #expect(try fileTree(warm.options.outputFolder) == outputBefore)
    }

    /// A future issue is published when its day comes, no file changing: a link to it
    /// loses its warning, with the cache as without.
    @Test func anIssuePublishedOnItsDayChangesTheLinksToIt() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        var warm = Warm(site)
        warm.options.selection = SiteModel.Selection()
        warm.options.now = SimpleDate(parsing: "2026-01-01")
        try edit(site, "\(ete)/issue.md") { $0 + "\nVoir aussi [le numéro de 2099](../2099-01-futur/issue.md).\n" }
        let before = try warm.expectSameAsColdBuild(after: "a link to a future issue")
        #expect(before.diagnostics.contains { $0.message.contains("which is not published") })
        warm.options.now = SimpleDate(parsing: "2099-06-01")
        let after = try warm.expectSameAsColdBuild(after: "the future issue's day")
        #expect(!after.diagnostics.contains { $0.message.contains("which is not published") })
        #expect(after.cachedFolders > 0, "the issues whose publication and links did not change come from the cache")
    }

    /// A cache that cannot be read (damaged, or written by another version) is ignored.
    @Test func aDamagedCacheIsIgnored() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let warm = Warm(site)
        try warm.expectSameAsColdBuild(after: "the first build")
        let file = warm.options.cacheFolder!.appendingPathComponent(BuildCache.fileName)

        // Another binary's cache (its build id, written first, differs), its digest right:
        // read, and ignored.
        let original = try Data(contentsOf: file)
        let header = "BULLETIN-BUILD-CACHE-3\n".utf8.count
        #expect(original.prefix(header) == Data("BULLETIN-BUILD-CACHE-3\n".utf8))
        var payload = Data(original.dropFirst(header + 8))
        let idStart = payload.startIndex + 1
        payload[idStart] = payload[idStart] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let other = original.prefix(header) + withUnsafeBytes(of: StableHasher.hash(payload).littleEndian) { Data($0) } + payload
        try other.write(to: file)
        let foreign = try warm.expectSameAsColdBuild(after: "another binary's cache")
        #expect(foreign.cachedFolders == 0 && foreign.unchangedOutputs == 0, "another binary's cache is not used")
        #expect(try Data(contentsOf: file) != other, "the build left a cache of its own")

        // One byte changed inside a message the last build said (as the fuzzer did): the
        // cache still decodes, but its digest is wrong, and nothing of it is said again.
        try warm.expectSameAsColdBuild(after: "a cache of its own")
        var flipped = try Data(contentsOf: file)
        let said = try #require(flipped.range(of: Data("video".utf8)) ?? flipped.range(of: Data("warning".utf8)) ?? flipped.range(of: Data("issues/".utf8)))
        flipped[said.lowerBound] ^= 0x01
        try flipped.write(to: file)
        let damaged = try warm.expectSameAsColdBuild(after: "one byte changed in the cache")
        #expect(damaged.cachedFolders == 0 && damaged.unchangedOutputs == 0, "a cache whose digest is wrong is not used")

        var bytes = try Data(contentsOf: file)
        bytes.replaceSubrange(bytes.count / 2..<bytes.count, with: Data(repeating: 0xFF, count: bytes.count - bytes.count / 2))
        try bytes.write(to: file)
        let report = try warm.expectSameAsColdBuild(after: "a damaged cache")
        #expect(report.cachedFolders == 0)
        let rebuilt = try warm.expectSameAsColdBuild(after: "a rebuilt cache")
        #expect(rebuilt.cachedFolders > 0)

        // The issues' files cut after what lists need, and every page to be made again: the
        // bodies cannot be read, and the build starts again as a cold one, with a new cache.
        try edit(site, "site.yml") { $0 + "\n" }
        let issues = warm.options.cacheFolder!.appendingPathComponent("issues")
        for name in try FileManager.default.contentsOfDirectory(atPath: issues.path) {
            let file = issues.appendingPathComponent(name)
            let bytes = try Data(contentsOf: file)
            let (length, start) = try headOfIssueFile(bytes)
            try bytes.prefix(start + length).write(to: file)
        }
        let retried = try warm.expectSameAsColdBuild(after: "issue files cut short")
        #expect(retried.cachedFolders == 0)
        let next = try warm.expectSameAsColdBuild(after: "the build after")
        #expect(next.cachedFolders > 0, "the retry left a cache the next build uses")
    }

    /// The theme's templates are kept parsed beside the index, and a warm build that makes
    /// pages takes them from there. A damaged copy is not used (one byte changed in a text
    /// still decodes, and would be written into every page) and is replaced; a template
    /// edited is parsed again, and its parse kept.
    @Test func theThemesTemplatesAreKeptParsed() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let warm = Warm(site)
        try warm.expectSameAsColdBuild(after: "the first build")
        let file = warm.options.cacheFolder!.appendingPathComponent("templates")
        let kept = try Data(contentsOf: file)
        #expect(kept.starts(with: Data("BULLETIN-TEMPLATES-1\n".utf8)))
        // The cache replaces a file by renaming a new one over it: a file written again is
        // another file, even with the same bytes.
        func fileNumber() throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        }
        let first = try fileNumber()

        let article = "\(ete)/articles/01-avenue-de-paris.md"
        try edit(site, article) { $0 + "\nUne phrase de plus.\n" }
        let pagesMade = try warm.expectSameAsColdBuild(after: "an article's text, with the templates read from the cache")
        #expect(pagesMade.unchangedOutputs < pagesMade.pageSetCount, "pages were made again, through the templates")
        #expect(try fileNumber() == first, "read, not parsed and written again")

        var damaged = kept
        let text = try #require(damaged.range(of: Data("<html lang=".utf8)))
        damaged[text.lowerBound + 1] = UInt8(ascii: "x")
        try damaged.write(to: file)
        try edit(site, article) { $0 + "\nEncore une phrase.\n" }
        try warm.expectSameAsColdBuild(after: "an article's text, with the templates' copy damaged")
        #expect(try Data(contentsOf: file) == kept, "parsed again, and kept again")
        #expect(try fileNumber() != first)

        let template = String(decoding: DefaultTheme.files["templates/layout.mustache"]!, as: UTF8.self)
        try site.write("themes/default/templates/layout.mustache", template + "<!-- modèle du site -->\n")
        try warm.expectSameAsColdBuild(after: "a template")
        let edited = try Data(contentsOf: file)
        #expect(edited != kept && edited.range(of: Data("modèle du site".utf8)) != nil, "the edited theme's templates are kept")
        try edit(site, article) { $0 + "\nUne dernière phrase.\n" }
        try warm.expectSameAsColdBuild(after: "an article's text, with the edited theme's templates read from the cache")
    }

    /// One byte of a title changed in an issue's file in the cache, where lists read it
    /// (its pages, which would read it whole and check it, are not made again): the title
    /// still decodes, but the issue's own digest is wrong, and its folder is read again.
    @Test func aTitleDamagedInTheCacheIsNotListed() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        // The feed shows the newest issue only, so that it does not read the others whole.
        try edit(site, "site.yml") { $0.replacingOccurrences(of: "items: 20", with: "items: 1") }
        let warm = Warm(site)
        try warm.expectSameAsColdBuild(after: "the first build")
        let issues = warm.options.cacheFolder!.appendingPathComponent("issues")
        var damagedTitles = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: issues.path) {
            let file = issues.appendingPathComponent(name)
            var bytes = try Data(contentsOf: file)
            let (length, start) = try headOfIssueFile(bytes)
            guard let title = bytes.range(of: Data("Lettre de printemps".utf8), in: start..<start + length) else { continue }
            bytes[title.lowerBound] = UInt8(ascii: "M")
            try bytes.write(to: file)
            damagedTitles += 1
        }
        #expect(damagedTitles == 1)
        // The newest issue's title changes: home and archive, which list the damaged one, are made again.
        try edit(site, "issues/2099-01-futur/issue.md") { $0.replacingOccurrences(of: "Lettre du futur", with: "Lettre de l'avenir") }
        try warm.expectSameAsColdBuild(after: "a title damaged in the cache")
        // Its file was written again: the build after reads none of the folders that read
        // it, only (perhaps) the one edited a moment before the last build, whose stamp was
        // too recent to trust.
        let repaired = try warm.expectSameAsColdBuild(after: "the build after the damaged title")
        #expect(repaired.foldersRead <= 1)
    }

    /// Where the issue (without its bodies) lies in an issue's file: after its length and
    /// its digest.
    private func headOfIssueFile(_ bytes: Data) throws -> (length: Int, start: Int) {
        try bytes.withUnsafeBytes { raw in
            let source = BinaryCoding.Source(raw)
            let length = Int(try source.varint())
            return (length, source.offset + 8)
        }
    }

    /// A day passes and nothing else changes: the build that day records it, and the
    /// builds after it that day find nothing changed.
    @Test func aNewDayWithNothingElseChangedIsRecorded() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        var warm = Warm(site)
        warm.options.now = SimpleDate(parsing: "2026-03-01")
        try warm.expectSameAsColdBuild(after: "the first build")
        #expect(try warm.expectSameAsColdBuild(after: "no change").nothingChanged)
        warm.options.now = SimpleDate(parsing: "2026-03-02")
        let nextDay = try warm.expectSameAsColdBuild(after: "the next day")
        #expect(!nextDay.nothingChanged, "another day may publish an issue: the build goes through")
        #expect(try warm.expectSameAsColdBuild(after: "the next day, once more").nothingChanged)
    }

    /// A build that finds nothing changed says the last build's warnings again, and
    /// `--strict` fails on them as it would on a build that made everything.
    @Test func strictFailsOnWarningsSaidAgain() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        try edit(site, "\(ete)/issue.md") { $0.replacingOccurrences(of: "---\n", with: "---\nclé_inconnue: 1\n", options: [], range: $0.range(of: "---\n")) }
        var warm = Warm(site)
        let first = try warm.expectSameAsColdBuild(after: "an unknown key")
        #expect(first.diagnostics.contains { $0.severity == .warning })
        let output = try fileTree(warm.options.outputFolder)
        warm.options.strict = true
        let strict = Builder().build(warm.options)
        #expect(strict.nothingChanged)
        #expect(strict.failed)
        #expect(strict.diagnostics.contains { $0.message.contains("warnings are errors under --strict") })
        #expect(strict.diagnostics.filter { $0.severity == .warning } == first.diagnostics.filter { $0.severity == .warning })
        #expect(try fileTree(warm.options.outputFolder) == output)
    }

    /// The cache's encoding gives back the issues it was given.
    @Test func issuesComeBackAsTheyWereStored() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let source = SiteLoader(root: site.root).load().0
        for folder in source.issues {
            var diagnostics: [Diagnostic] = []
            guard let issue = IssueParser(folder: folder, staticFiles: source.staticFiles).parse(diagnostics: &diagnostics) else { continue }
            let encoded = BinaryCoding.encode(issue)
            #expect(try BinaryCoding.decode(Issue.self, from: encoded) == issue)
        }
    }
}
