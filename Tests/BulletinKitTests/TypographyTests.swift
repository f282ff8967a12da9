import Testing

@testable import BulletinKit

/// U+202F and U+00A0, written visibly in the expectations below.
private let nnbsp = "\u{202F}"
private let nbsp = "\u{00A0}"

@Suite struct TypographyTests {
    private let french = Typographer(language: .fr)
    private let english = Typographer(language: .en)

    @Test(arguments: [
        // Spaces before high punctuation: only where the writer put one.
        ("Bel été !", "Bel été\(nnbsp)!"),
        ("Vraiment ? Oui ; non.", "Vraiment\(nnbsp)? Oui\(nnbsp); non."),
        ("Chiffres : 12", "Chiffres\(nbsp): 12"),
        ("Vraiment?! 3:2 http://x.fr?y", "Vraiment?! 3:2 http://x.fr?y"),
        // Quotes.
        ("« Ômu des abysses »", "«\(nnbsp)Ômu des abysses\(nnbsp)»"),
        ("«Ômu»", "«\(nnbsp)Ômu\(nnbsp)»"),
        ("il a dit \"bonjour\" puis", "il a dit «\(nnbsp)bonjour\(nnbsp)» puis"),
        ("\" Osons nos talents \"", "«\(nnbsp)Osons nos talents\(nnbsp)»"),
        // Apostrophes, ellipsis, dashes.
        ("L'Avenue d'aujourd'hui", "L’Avenue d’aujourd’hui"),
        ("l'« Odyssée »", "l’«\(nnbsp)Odyssée\(nnbsp)»"),
        ("l'\"Odyssée\"", "l’«\(nnbsp)Odyssée\(nnbsp)»"),
        ("Et puis...", "Et puis…"),
        ("Lens - Liévin", "Lens – Liévin"),
        ("Béthune-Bruay", "Béthune-Bruay"),
        // Characters of two, three and four bytes around the rules (they run on UTF-8).
        ("l'Élysée, l'œuvre... 🎉 !", "l’Élysée, l’œuvre… 🎉\(nnbsp)!"),
        ("«Été» - \"Noël\" : 日本'", "«\(nnbsp)Été\(nnbsp)» – «\(nnbsp)Noël\(nnbsp)»\(nbsp): 日本'"),
        // Text already set correctly is left alone.
        ("Bel été\(nbsp)! «\(nnbsp)Ômu\(nnbsp)» l’été…", "Bel été\(nbsp)! «\(nnbsp)Ômu\(nnbsp)» l’été…"),
    ])
    func frenchRules(input: String, expected: String) {
        #expect(french.plain(input) == expected)
        #expect(french.plain(french.plain(input)) == expected, "running twice changes nothing")
    }

    @Test(arguments: [
        ("le 1er juin", "le 1<sup>er</sup> juin"),
        ("la 1re édition", "la 1<sup>re</sup> édition"),
        ("le 2e bloc, la 2nde tranche", "le 2<sup>e</sup> bloc, la 2<sup>nde</sup> tranche"),
        ("au XXe et au XXIe siècle", "au XX<sup>e</sup> et au XXI<sup>e</sup> siècle"),
        ("la 16e cabane", "la 16<sup>e</sup> cabane"),
        ("2e7 et B2e et Le Ce", "2e7 et B2e et Le Ce"),
        ("la 2ème fois, les 1ers pas, é1er", "la 2ème fois, les 1<sup>ers</sup> pas, é1er"),
    ])
    func frenchOrdinalsAreRaisedAsWholeWordsOnly(input: String, expected: String) {
        #expect(french.html(input) == expected)
    }

    @Test(arguments: [
        ("It's \"fine\" and 'quoted'...", "It’s “fine” and ‘quoted’…"),
        ("Bel été ! 1er", "Bel été ! 1er"),
    ])
    func englishRules(input: String, expected: String) {
        #expect(english.plain(input) == expected)
        #expect(english.plain(english.plain(input)) == expected)
    }

    @Test func htmlIsEscapedAroundTheSuperscripts() {
        #expect(french.html("R&D <1er>") == "R&amp;D &lt;1<sup>er</sup>&gt;")
    }
}

/// The typographer inside Markdown: text nodes only, across nodes of one paragraph.
@Suite struct MarkdownTypographyTests {
    private func render(_ markdown: String, language: Language = .fr) -> String {
        var renderer = MarkdownRenderer()
        renderer.typographer = Typographer(language: language)
        var diagnostics: [Diagnostic] = []
        return renderer.render(MarkdownSource(path: "a.md", text: markdown, firstLine: 1), diagnostics: &diagnostics).html
    }

    @Test func codeURLsAndHTMLAreNeverTouched() {
        let html = render("Le code `a ? b : c` et https://exemple.fr/?q=1 ou [lien](https://x.fr/l'a \"t'itre\").\n\n```\nx = \"y\" !\n```\n")
        #expect(html.contains("<code>a ? b : c</code>"))
        #expect(html.contains(">https://exemple.fr/?q=1</a>"))
        #expect(html.contains("href=\"https://x.fr/l&#x27;a\" title=\"t'itre\""))
        #expect(html.contains("x = &quot;y&quot; !"))
    }

    @Test func textSplitAcrossNodesIsSetAsOne() {
        #expect(render("**Bel été** !\n").contains("<strong>Bel été</strong>\(nnbsp)!"))
        #expect(render("Bel été **!**\n").contains("Bel été\(nnbsp)<strong>!</strong>"))
        #expect(render("\"*Ômu* des abysses\"\n").contains("«\(nnbsp)<em>Ômu</em> des abysses\(nnbsp)»"))
        #expect(render("le 1er *juin*\n").contains("le 1<sup>er</sup> <em>juin</em>"))
    }

    @Test func headingsAndTablesAreSetToo() {
        let html = render("## Pourquoi ?\n\n| Quoi ? |\n|---|\n| L'usine |\n")
        #expect(html.contains("Pourquoi\(nnbsp)?</h2>"))
        #expect(html.contains("Quoi\(nnbsp)?"))
        #expect(html.contains("L’usine"))
    }

    @Test func summariesKeepTheSpacesTheTypographerSet() {
        var renderer = MarkdownRenderer()
        renderer.typographer = Typographer(language: .fr)
        var diagnostics: [Diagnostic] = []
        let summary = renderer.render(
            MarkdownSource(path: "a.md", text: "Un  été\n\"chaud\" : enfin !\n", firstLine: 1), diagnostics: &diagnostics
        ).firstParagraphText
        #expect(summary == "Un été «\(nnbsp)chaud\(nnbsp)»\u{00A0}: enfin\(nnbsp)!", "one line, the printer's spaces kept")
    }

    @Test func englishSitesGetCurlyQuotesOnly() {
        let html = render("It's \"here\" !\n", language: .en)
        #expect(html.contains("It’s “here” !"))
    }
}
