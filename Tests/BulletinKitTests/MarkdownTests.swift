import Foundation
import Testing

@testable import BulletinKit

@Suite struct MarkdownTests {
    private func render(
        _ markdown: String, unsafe: Bool = false, firstLine: Int = 1,
        resolve: @escaping (String, BulletinKit.SourceLocation) -> URLResolution = { _, _ in .keep }
    ) -> (RenderedMarkdown, [Diagnostic]) {
        var renderer = MarkdownRenderer()
        renderer.unsafeHTML = unsafe
        renderer.resolveURL = resolve
        var diagnostics: [Diagnostic] = []
        let rendered = renderer.render(MarkdownSource(path: "a.md", text: markdown, firstLine: firstLine), diagnostics: &diagnostics)
        return (rendered, diagnostics)
    }

    @Test func rendersGitHubExtensions() {
        let (rendered, _) = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ www.example.fr\n\n- [x] done\n")
        #expect(rendered.html.contains("<table>"))
        #expect(rendered.html.contains("<del>old</del>"))
        #expect(rendered.html.contains("<a href=\"http://www.example.fr\">"))
        #expect(rendered.html.contains("type=\"checkbox\""))
    }

    @Test func footnotesGetIdsOfTheirOwnAndALocalisedBackLink() {
        var renderer = MarkdownRenderer()
        renderer.footnotePrefix = "edito"
        renderer.footnoteBackLabel = "Retour au texte"
        renderer.footnotesTitle = "Notes de bas de page"
        var diagnostics: [Diagnostic] = []
        let html = renderer.render(MarkdownSource(path: "a.md", text: "Texte[^1].\n\n[^1]: Note.\n", firstLine: 1), diagnostics: &diagnostics).html
        #expect(html.contains("<section class=\"footnotes\" data-footnotes>\n<h2 class=\"footnotes-title\">Notes de bas de page</h2>"),
            "a section needs a heading (Nu checker, screen-reader navigation)")
        #expect(html.contains("href=\"#fn-edito-1\""))
        #expect(html.contains("id=\"fnref-edito-1\""))
        #expect(html.contains("aria-label=\"Retour au texte\""))
        #expect(!html.contains("\"#fn-1\""))
    }

    @Test func typographicTagsAreKeptOthersDroppedWithAWarningAtTheirLine() {
        let (rendered, diagnostics) = render(
            "Le 1<sup>er</sup> juin.\n\nTexte <span style=\"color:red\">rouge</span>.\n", firstLine: 6)
        #expect(rendered.html.contains("1<sup>er</sup>"))
        #expect(!rendered.html.contains("<span"))
        #expect(rendered.html.contains("rouge"), "the text inside stays")
        #expect(diagnostics.count == 2)
        #expect(diagnostics.allSatisfy { $0.severity == .warning && $0.line == 8 })
        #expect(diagnostics[0].description.contains("a.md:8:7: warning: raw HTML <span style=\"color:red\"> dropped (set markdown.unsafe_html to keep it)"))
    }

    @Test func unclosedAllowedTagIsDroppedSoThePageStaysValid() {
        let (rendered, diagnostics) = render("Un <sup>exposant jamais fermé.\n")
        #expect(!rendered.html.contains("<sup>"))
        #expect(diagnostics.count == 1)
    }

    @Test func scriptsNeverReachThePage() {
        let hostile = """
            <script>alert(1)</script>

            <img src=x onerror="alert(1)">

            [clic](javascript:alert(1)) [clic](JaVaScRiPt:alert(1)) [clic](&#106;avascript:alert(1))
            ![x](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.fr)

            <iframe src="https://evil.example"></iframe>
            """
        for unsafe in [false, true] {
            let (rendered, _) = render(hostile, unsafe: unsafe) { url, location in
                URLSafety.isDangerous(url) ? .drop(.warning("unsafe", at: location)) : .keep
            }
            let html = rendered.html.lowercased()
            #expect(!html.contains("<script"), "unsafe_html: \(unsafe)")
            #expect(!html.contains("onerror"), "unsafe_html: \(unsafe)")
            #expect(!html.contains("javascript:"), "unsafe_html: \(unsafe)")
            #expect(!html.contains("data:text"), "unsafe_html: \(unsafe)")
            #expect(!html.contains("<iframe"), "unsafe_html: \(unsafe)")
            #expect(html.contains("https://example.fr"))
        }
    }

    @Test func unsafeModeKeepsHarmlessHTML() {
        let (rendered, diagnostics) = render("<div class=\"note\">Note</div>\n\nTexte <span style=\"color:red\">rouge</span>.\n", unsafe: true)
        #expect(rendered.html.contains("<div class=\"note\">"))
        #expect(rendered.html.contains("<span style=\"color:red\">"))
        #expect(diagnostics.isEmpty)
    }

    @Test func teaserIsTheTextBeforeMoreElseTheFirstParagraph() {
        let (withMore, _) = render("Un.\n\nDeux.\n\n<!--more-->\n\nTrois.\n")
        #expect(withMore.teaserHTML == "<p>Un.</p>\n<p>Deux.</p>\n")
        #expect(!withMore.html.contains("more"))
        #expect(withMore.html.contains("Trois."))
        let (plain, _) = render("## Titre\n\nPremier *paragraphe*\nsur deux lignes.\n\nSecond.\n")
        #expect(plain.teaserHTML == "<p>Premier <em>paragraphe</em>\nsur deux lignes.</p>\n")
        #expect(plain.firstParagraphText == "Premier paragraphe sur deux lignes.")
    }

    @Test func headingsGetUniqueIdsButNotInTeasers() {
        var renderer = MarkdownRenderer()
        renderer.headingPrefix = "edito-"
        var diagnostics: [Diagnostic] = []
        let rendered = renderer.render(
            MarkdownSource(path: "a.md", text: "## Été 2023\n\nTexte.\n\n<!--more-->\n\n## Été 2023\n\n### *Bilan* chiffré\n", firstLine: 1),
            diagnostics: &diagnostics)
        #expect(rendered.html.contains("<h2 id=\"edito-ete-2023\">Été 2023</h2>"))
        #expect(rendered.html.contains("<h2 id=\"edito-ete-2023-2\">Été 2023</h2>"))
        #expect(rendered.html.contains("<h3 id=\"edito-bilan-chiffre\"><em>Bilan</em> chiffré</h3>"))
        #expect(rendered.teaserHTML == "<h2>Été 2023</h2>\n<p>Texte.</p>\n")
    }

    @Test func linkErrorsPointAtTheLinkInTheWholeFile() {
        let (_, diagnostics) = render("Intro.\n\nVoir [le plan](plan.pdf).\n", firstLine: 5) { url, location in
            .drop(.error("file not found: \(url)", at: location))
        }
        #expect(diagnostics.first?.line == 7)
        #expect(diagnostics.first?.column == 6)
    }
}

@Suite struct VideoLinkTests {
    @Test(arguments: [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=1m30s", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s"),
        ("https://youtu.be/dQw4w9WgXcQ?t=30", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30s"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://vimeo.com/123456", "https://vimeo.com/123456"),
        ("https://player.vimeo.com/video/123456", "https://vimeo.com/123456"),
        ("https://www.dailymotion.com/video/x8abcd", "https://www.dailymotion.com/video/x8abcd"),
        ("https://dai.ly/x8abcd", "https://www.dailymotion.com/video/x8abcd"),
    ])
    func recognisesEveryForm(url: String, watch: String) {
        guard case .hosted(_, let watchURL) = VideoLink.hosted(url) else {
            Testing.Issue.record("not recognised: \(url)")
            return
        }
        #expect(watchURL == watch)
    }

    @Test func otherLinksAreNotVideos() {
        #expect(VideoLink.hosted("https://video.exemple.fr/v/cc6644d7") == nil)
        #expect(VideoLink.hosted("https://www.youtube.com/watch?v=short") == nil)
    }
}

@Suite struct MarkdownConcurrencyTests {
    /// cmark-gfm switches the extensions' trigger characters on and off in a global table
    /// around every parse: parses on other threads lost autolinks and strikethrough at
    /// random, and two builds of one site differed.
    @Test func parsesOnManyThreadsAtOnceKeepTheirExtensions() {
        let text = "Voir https://lettre.example.fr/numero et ~~l'ancien~~ www.example.fr.\n"
        let pages = Array(0..<4000).concurrentMap { index in
            var diagnostics: [Diagnostic] = []
            return MarkdownRenderer().render(MarkdownSource(path: "\(index).md", text: text, firstLine: 1), diagnostics: &diagnostics).html
        }
        let broken = pages.filter {
            !$0.contains("<a href=\"https://lettre.example.fr/numero\">") || !$0.contains("<del>")
                || !$0.contains("<a href=\"http://www.example.fr\">")
        }
        let count = broken.count
        #expect(count == 0, "\(count) of \(pages.count) parses lost an extension, as in: \(broken.first ?? "")")
    }
}
