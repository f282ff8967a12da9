import Foundation
import Testing

@testable import BulletinKit

/// `serve` reads, parses and renders again only what an edit changed. Whatever the edit,
/// every file it holds must be what a full build of the same sources writes, byte for byte.
@Suite struct IncrementalBuildTests {
    private let ete = "issues/2023-06-lettre-ete"

    private func edit(_ site: TemporarySite, _ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(path) changes it")
        try site.write(path, changed)
    }

    /// Once as `serve` builds when the kernel tells it what changed, once when it does not.
    @Test(arguments: [true, false])
    func everyKindOfEditGivesWhatAFullBuildGives(toldWhatChanged: Bool) throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let served = ServedSite()
        var options = site.options(drafts: true, future: true)
        options.renderCache = RenderCache()
        options.servedSite = served
        let full = site.root.appendingPathComponent("full")
        var changed: Set<String> = []

        func edit(_ path: String, _ change: (String) -> String) throws {
            try self.edit(site, path, change)
            changed.insert(path)
        }

        func expectSameAsFullBuild(after edit: Comment) throws {
            options.changedPaths = toldWhatChanged ? changed : nil
            changed = []
            let incremental = Builder().build(options)
            #expect(!incremental.failed, "\(edit): \(incremental.printed)")
            var cold = options
            cold.renderCache = nil
            cold.servedSite = nil
            cold.output = full
            let reference = Builder().build(cold)
            #expect(!reference.failed)
            #expect(incremental.diagnostics.map(\.description) == reference.diagnostics.map(\.description), "diagnostics after \(edit)")
            var built = try fileTree(full)
            built[OutputWriter.markerName] = nil
            let shown = served.tree
            #expect(Set(shown.keys) == Set(built.keys), "the same files after \(edit)")
            for (path, data) in built where shown[path] != data {
                Issue.record("\(path) differs from a full build after \(edit)")
            }
        }

        try expectSameAsFullBuild(after: "the first build")
        try expectSameAsFullBuild(after: "no change")

        try edit("\(ete)/articles/01-avenue-de-paris.md") { $0 + "\nUne phrase de plus.\n" }
        try expectSameAsFullBuild(after: "an article's text")

        try edit("\(ete)/issue.md") { $0.replacingOccurrences(of: "ACC inaugurée", with: "L'ACC inaugurée") }
        try expectSameAsFullBuild(after: "an issue's front-matter")

        try edit("issues/2023-03-lettre-printemps/issue.md") {
            $0.replacingOccurrences(of: "Lettre de printemps", with: "Lettre du printemps")
        }
        try expectSameAsFullBuild(after: "a title that lists and neighbours show")

        try edit("site.yml") { $0.replacingOccurrences(of: "Une lettre pour les tests.", with: "La lettre du parc d'activités.") }
        try expectSameAsFullBuild(after: "site.yml")

        let template = String(decoding: DefaultTheme.files["templates/article.mustache"]!, as: UTF8.self)
        try site.write("themes/default/templates/article.mustache", template + "<!-- modèle du site -->\n")
        changed.insert("themes/default/templates/article.mustache")
        try expectSameAsFullBuild(after: "a template")

        try site.write("themes/default/locales/fr.yml", "strings:\n  read_more: \"Lire tout l'article\"\n")
        changed.insert("themes/default/locales/fr.yml")
        try expectSameAsFullBuild(after: "a locale string")

        try site.write("static/logo.svg", #"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>"#)
        changed.insert("static/logo.svg")
        try expectSameAsFullBuild(after: "a static file (an image whose size the pages show)")

        try site.write("\(ete)/images/avenue.png", png(width: 200, height: 100))
        changed.insert("\(ete)/images/avenue.png")
        try expectSameAsFullBuild(after: "an image of an issue")

        try site.write("issues/2023-12-hiver/issue.md", "---\ntitle: \"Lettre d'hiver\"\nnumber: 7\ndate: 2023-12-01\n---\nÉdito d'hiver.\n")
        changed.formUnion(["issues/2023-12-hiver", "issues/2023-12-hiver/issue.md"])
        try expectSameAsFullBuild(after: "a new issue")

        try FileManager.default.removeItem(at: site.root.appendingPathComponent("issues/2023-12-hiver"))
        changed.insert("issues/2023-12-hiver")
        try expectSameAsFullBuild(after: "a deleted issue")

        try FileManager.default.moveItem(
            at: site.root.appendingPathComponent("\(ete)/en-bref/02-recrutement.md"),
            to: site.root.appendingPathComponent("\(ete)/en-bref/00-recrutement.md"))
        changed.formUnion(["\(ete)/en-bref/02-recrutement.md", "\(ete)/en-bref/00-recrutement.md"])
        try expectSameAsFullBuild(after: "a renamed file")

        // A save that breaks the site fails, and the cache is still good for the save that fixes it.
        let article = "\(ete)/articles/10-omu.md"
        let written = try String(contentsOf: site.root.appendingPathComponent(article), encoding: .utf8)
        try site.write(article, "---\ntitle: [\n---\nTexte.\n")
        options.changedPaths = toldWhatChanged ? [article] : nil
        #expect(Builder().build(options).failed, "a broken front-matter fails the build")
        try site.write(article, written + "\nRéparé.\n")
        changed.insert(article)
        try expectSameAsFullBuild(after: "a failed build, then the fix")

        // The heading that the édito links to (`#suite`) is renamed, and the link with it.
        try edit("\(ete)/articles/01-avenue-de-paris.md") { $0.replacingOccurrences(of: "## Suite", with: "## Et la suite") }
        try edit("\(ete)/issue.md") { $0.replacingOccurrences(of: "01-avenue-de-paris.md#suite", with: "01-avenue-de-paris.md#et-la-suite") }
        try expectSameAsFullBuild(after: "a heading renamed with the link to it")
    }
}
