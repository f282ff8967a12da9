import Testing

@testable import BulletinKit

/// Bodies are written from Bulletin's own tree (`Body`), no longer by cmark-gfm. Its HTML
/// renderer stays the oracle: for each Markdown text, the web writer must give cmark-gfm's
/// bytes, the e-mail writer what styling them tag by tag made of them, and the text writer
/// what the e-mail's text was made of them, tag by tag.
@Suite struct BodyWriterTests {
    static let styles: [String: String] = [
        "p": "margin:0", "a": "color:#0f4c81", "h2": "font-size:22px", "ul": "padding:0", "li": "margin:0 0 6px",
        "img": "display:block", "table": "width:100%", "th": "padding:8px", "td": "padding:8px", "hr": "border:0",
        "sup": "font-size:75%", "code": "font-family:monospace", "pre": "margin:0", "blockquote": "margin:0", "em": "font-style:italic",
        "input": "margin:0", "br": "line-height:0",
    ]
    static let email = EmailStyle(
        styles: styles, imageSizes: { ["https://example.fr/a.jpg": ImageSize(width: 1200, height: 800)] }, maxImageWidth: 536)

    /// The three writings of `markdown` and their oracles.
    static func compare(_ markdown: String, unsafe: Bool, typeset: Bool) -> [(what: String, ours: String, theirs: String)] {
        var renderer = MarkdownRenderer()
        renderer.unsafeHTML = unsafe
        renderer.footnotePrefix = ""
        renderer.footnotesTitle = nil
        if typeset { renderer.typographer = Typographer(language: .fr) }
        nonisolated(unsafe) var cmark = ""
        renderer.oracle = { cmark = $0 }
        var diagnostics: [Diagnostic] = []
        let rendered = renderer.render(MarkdownSource(path: "a.md", text: markdown, firstLine: 1), diagnostics: &diagnostics)
        guard !diagnostics.hasErrors else { return [] }
        let writer = BodyWriter(linker: .absolute(baseURL: "https://example.fr/"), headingIDs: false)
        var text = PlainText.Builder()
        text.add(html: cmark)
        return [
            ("web", writer.html(rendered.body), cmark),
            ("e-mail", writer.html(rendered.body, email: email), email.style(cmark)),
            ("text", writer.text(rendered.body), text.finish()),
        ]
    }

    static let cases: [String] = [
        "Un *deux* **trois** ~~quatre~~ `cinq` et <b>six</b>.\n",
        "# Titre\n\n## Sous-titre *en* italique\n\nTexte.\n",
        "- un\n- deux\n  - trois\n\n1. a\n2. b\n\n3. loose\n\n   second paragraph\n4. end\n",
        "- [x] fait\n- [ ] à faire\n",
        "> cité\n> encore\n>\n> - liste\n",
        "```swift\nlet a = \"<b>\" && b\n```\n\n    indenté\n",
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | `3` |\n| x |\n",
        "| seul |\n|---|\n",
        "Note[^1] et autre[^n] et encore[^1].\n\n[^1]: Première *note*.\n[^n]: - une liste\n\n    en note\n",
        "Texte[^a].\n\n[^a]:\n    ```\n    code\n    ```\n",
        "[lien](https://example.fr/a?b=1&c='2' \"titre \\\"q\\\"\") et ![image *alt*](https://example.fr/a.jpg \"t\") et ![](x.png)\n",
        "<https://example.fr> www.example.fr contact@example.fr\n",
        "ligne  \ndure\\\nencore\nmolle\n",
        "<div class=\"x\">\n<script>alert(1)</script>\n<p>para</p>\n</div>\n\n<style>p{}</style>\n",
        "Inline <script>x</script> et <span style=\"color:red\">rouge</span> et <img src=\"a.jpg\">.\n",
        "---\n\n***\n\nTexte & < > \" ' entités &amp; &copy; &#x27;\n",
        "Le 1er mai, XIXe siècle : « bonjour » ! Et l'été ?\n",
        "[vide]() et [ancre](#suite) et [mail](mailto:a@b.fr)\n",
        "![a\nb](https://example.fr/a.jpg)\n",
        "1. un\n\n   > cité\n2. deux\n",
        "<!-- commentaire -->\n\nTexte <!-- inline --> fin.\n",
        "Setext\n===\n\nAutre\n---\n",
        "* a\n\n  b\n* c\n",
        "Emoji 😀 et accents éèà ñ 中文.\n",
    ]

    @Test(arguments: cases)
    func writesWhatCmarkWrote(markdown: String) {
        for unsafe in [false, true] {
            for typeset in [false, true] {
                for (what, ours, theirs) in Self.compare(markdown, unsafe: unsafe, typeset: typeset) {
                    #expect(ours == theirs, "\(what), unsafe \(unsafe), typeset \(typeset):\n\(markdown)")
                }
            }
        }
    }

    /// Random documents made of every construct, nested.
    @Test func writesWhatCmarkWroteForRandomDocuments() {
        var generator = SplitMix(seed: 11)
        var failures = 0
        for index in 0..<1_500 {
            let markdown = Self.randomDocument(&generator)
            for (what, ours, theirs) in Self.compare(markdown, unsafe: index % 2 == 0, typeset: index % 3 == 0) where ours != theirs {
                failures += 1
                if failures <= 3 { Issue.record("\(what) differs for:\n\(markdown)\nours:\n\(ours)\ntheirs:\n\(theirs)") }
            }
        }
        #expect(failures == 0)
    }

    static let words = [
        "mot", "été", "*em*", "**fort**", "~~barré~~", "`code`", "<b>", "</b>", "<script>", "&amp;", "&", "<", "\"", "'", "1er",
        "[lien](https://example.fr/x)", "![img](https://example.fr/a.jpg)", "[^1]", "[^2]", "www.example.fr", "«", "»", ":", "!",
        "\\*", "<span>", "</span>", "<!-- c -->", "😀", "x_y_", "_it_",
    ]

    static func randomInline(_ generator: inout SplitMix) -> String {
        (0..<(1 + generator.next(8))).map { _ in words[generator.next(words.count)] }.joined(separator: generator.next(5) == 0 ? "\n" : " ")
    }

    static func randomBlock(_ generator: inout SplitMix, depth: Int) -> String {
        let kind = generator.next(depth > 2 ? 4 : 12)
        switch kind {
        case 0, 1, 2: return randomInline(&generator) + (generator.next(4) == 0 ? "  \nsuite" : "") + "\n"
        case 3: return String(repeating: "#", count: 1 + generator.next(6)) + " " + randomInline(&generator) + "\n"
        case 4:
            let marker = ["- ", "* ", "1. ", "3) ", "- [x] ", "- [ ] "][generator.next(6)]
            let loose = generator.next(2) == 0
            return (0..<(1 + generator.next(3))).map { _ in
                marker + randomBlock(&generator, depth: depth + 1).split(separator: "\n", omittingEmptySubsequences: false)
                    .joined(separator: "\n   ")
            }.joined(separator: loose ? "\n\n" : "\n") + "\n"
        case 5: return randomBlock(&generator, depth: depth + 1).split(separator: "\n").map { "> " + $0 }.joined(separator: "\n") + "\n"
        case 6: return "```" + ["", "swift", "js x"][generator.next(3)] + "\n" + randomInline(&generator) + "\n```\n"
        case 7:
            let columns = 1 + generator.next(3)
            let align = (0..<columns).map { _ in [":--", ":-:", "--:", "---"][generator.next(4)] }
            var table = "| " + (0..<columns).map { _ in "h" }.joined(separator: " | ") + " |\n|" + align.joined(separator: "|") + "|\n"
            for _ in 0..<generator.next(3) { table += "| " + randomInline(&generator).replacingOccurrences(of: "\n", with: " ") + " |\n" }
            return table
        case 8: return ["---", "<div>\n" + randomInline(&generator) + "\n</div>", "<style>x</style>", "<!-- note -->"][generator.next(4)] + "\n"
        case 9: return "[^\(1 + generator.next(2))]: " + randomInline(&generator) + "\n"
        case 10: return "    indenté " + randomInline(&generator).replacingOccurrences(of: "\n", with: " ") + "\n"
        default: return "Titre\n" + ["===", "---"][generator.next(2)] + "\n"
        }
    }

    static func randomDocument(_ generator: inout SplitMix) -> String {
        (0..<(1 + generator.next(6))).map { _ in randomBlock(&generator, depth: 0) }.joined(separator: "\n")
    }

    /// A body survives the build cache, and its encoding its decoding.
    @Test func bodiesSurviveTheirEncoding() throws {
        var generator = SplitMix(seed: 5)
        for _ in 0..<200 {
            var renderer = MarkdownRenderer()
            renderer.typographer = Typographer(language: .fr)
            var diagnostics: [Diagnostic] = []
            let rendered = renderer.render(
                MarkdownSource(path: "a.md", text: Self.randomDocument(&generator), firstLine: 1), diagnostics: &diagnostics)
            let decoded = try BinaryCoding.decode(RenderedMarkdown.self, from: BinaryCoding.encode(rendered))
            #expect(decoded == rendered)
            // The encoding read back as values gives the same bytes again.
            #expect(Body(try rendered.body.blocks).bytes == rendered.body.bytes)
        }
    }
}
