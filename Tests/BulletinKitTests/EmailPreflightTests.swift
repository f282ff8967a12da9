import Foundation
import Testing

@testable import BulletinKit

/// The e-mail's preflight: each check proved by a site's own `email` template that breaks
/// it, the built-in theme passing all of them, and the findings said again by builds that
/// take the e-mail from the cache.
@Suite struct EmailPreflightTests {
    private static let issue = "issues/2023-06-lettre-ete/issue.md"

    /// A template's change, and what the preflight must say of it.
    struct Breakage: CustomTestStringConvertible, Sendable {
        let name: String
        let change: @Sendable (String) -> String
        let severity: Diagnostic.Severity
        let says: String

        var testDescription: String { name }
    }

    private static func adding(_ html: String) -> @Sendable (String) -> String {
        { template in
            guard let first = template.range(of: "{{#issue}}\n") else { return template }
            return template.replacingCharacters(in: first, with: "{{#issue}}\n" + html + "\n")
        }
    }

    static let breakages: [Breakage] = [
        Breakage(
            name: "no lang on <html>", change: { $0.replacingOccurrences(of: "<html lang=\"{{lang}}\"", with: "<html") },
            severity: .error, says: "<html> has no lang attribute"),
        Breakage(
            name: "no dir on <html>", change: { $0.replacingOccurrences(of: "<html lang=\"{{lang}}\" dir=\"{{dir}}\"", with: "<html lang=\"{{lang}}\"") },
            severity: .error, says: "<html> has no dir attribute"),
        Breakage(
            name: "no lang on the wrapper", change: { $0.replacingOccurrences(of: " lang=\"{{lang}}\" dir=\"{{dir}}\" class=\"bg\"", with: " dir=\"{{dir}}\" class=\"bg\"") },
            severity: .error, says: "the content's wrapper (<div> first in <body>"),
        Breakage(
            name: "no dir on the wrapper", change: { $0.replacingOccurrences(of: " lang=\"{{lang}}\" dir=\"{{dir}}\" class=\"bg\"", with: " lang=\"{{lang}}\" class=\"bg\"") },
            severity: .error, says: "has no dir attribute: webmails drop <html>'s"),
        Breakage(
            name: "a layout table without role", change: adding("<tr><td><table width=\"100%\"><tr><td>Colonne</td></tr></table></td></tr>"),
            severity: .error, says: "a layout table (email.html line"),
        Breakage(
            name: "an image without alt", change: adding("<tr><td><img src=\"https://lettre.example.fr/logo.png\" width=\"10\" height=\"10\"></td></tr>"),
            severity: .error, says: "an image has no alt attribute (https://lettre.example.fr/logo.png)"),
        Breakage(
            name: "a WebP image", change: adding("<tr><td><img src=\"https://lettre.example.fr/logo.webp\" alt=\"\" width=\"10\" height=\"10\"></td></tr>"),
            severity: .error, says: "an image in WebP"),
        Breakage(
            name: "an AVIF source", change: adding("<tr><td><picture><source srcset=\"https://lettre.example.fr/l.avif\" type=\"image/avif\"><img src=\"https://lettre.example.fr/l.png\" alt=\"\"></picture></td></tr>"),
            severity: .error, says: "AVIF"),
        Breakage(
            name: "a relative link", change: adding("<tr><td><a href=\"archive/\">Archives de la lettre</a></td></tr>"),
            severity: .error, says: "a relative URL (href=\"archive/\")"),
        Breakage(
            name: "a relative image", change: adding("<tr><td><img src=\"/logo.png\" alt=\"Logo\"></td></tr>"),
            severity: .error, says: "a relative URL (src=\"/logo.png\")"),
        Breakage(
            name: "a relative background image", change: adding("<tr><td style=\"background-image:url('images/fond.png')\">Fond</td></tr>"),
            severity: .error, says: "a relative URL (style=\"images/fond.png\")"),
        Breakage(
            name: "a relative srcset", change: adding("<tr><td><img src=\"https://lettre.example.fr/a.png\" srcset=\"a-2x.png 2x\" alt=\"\"></td></tr>"),
            severity: .error, says: "a relative URL (srcset=\"a-2x.png\")"),
        Breakage(
            name: "a text part much shorter", change: adding("<tr><td>" + String(repeating: "Un paragraphe que seul le HTML porte, absent de la version texte. ", count: 150) + "</td></tr>"),
            severity: .error, says: "its text part has"),
        Breakage(
            name: "past Gmail's clipping point", change: adding("<tr><td>" + String(repeating: "<span style=\"font-weight:bold\">Texte</span> ", count: 3000) + "</td></tr>"),
            severity: .error, says: "past Gmail's clipping point (102 KB)"),
        Breakage(
            name: "light text on white", change: adding("<tr><td style=\"color:#999999;background-color:#ffffff\">Texte pâle</td></tr>"),
            severity: .warning, says: "text \"Texte pâle\" is #999999 on #ffffff in light mode, a contrast of 2.85:1"),
        Breakage(
            name: "dark text on a dark-mode background", change: adding("<tr><td class=\"cd\" style=\"color:#1a1d21;background-color:#ffffff\">Texte sombre</td></tr>"),
            severity: .warning, says: "text \"Texte sombre\" is #1a1d21 on #161a1f in dark mode"),
        Breakage(
            name: "a link saying click here", change: adding("<tr><td><a href=\"{{email.web_url}}\">Cliquez ici</a></td></tr>"),
            severity: .warning, says: "a link's text, \"Cliquez ici\", says nothing of where it leads"),
        Breakage(
            name: "no preheader", change: { $0.replacingOccurrences(of: "{{#email.preheader}}", with: "{{#no_preheader}}").replacingOccurrences(of: "{{/email.preheader}}", with: "{{/no_preheader}}") },
            severity: .warning, says: "no preheader"),
        Breakage(
            name: "over a hundred links", change: adding("<tr><td>" + String(repeating: "<a href=\"{{email.web_url}}\">Été</a> ", count: 101) + "</td></tr>"),
            severity: .warning, says: "links, past about 100"),
    ]

    /// The fixture with its own theme, whose `email` template is the built-in one changed.
    private func site(changing change: (String) -> String) throws -> TemporarySite {
        let site = try TemporarySite(copying: "valid-basic")
        let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        try site.write("site.yml", config + "theme: maison\n")
        let template = String(decoding: DefaultTheme.files["templates/email.mustache"]!, as: UTF8.self)
        let changed = change(template)
        #expect(changed != template, "the change applies to the built-in template")
        try site.write("themes/maison/templates/email.mustache", changed)
        return site
    }

    @Test(arguments: breakages)
    func aTemplateBreakingACheckIsCaught(_ breakage: Breakage) throws {
        let site = try site(changing: breakage.change)
        defer { site.remove() }
        let report = site.build()
        let found = report.diagnostics.filter { $0.message.hasPrefix("e-mail: ") }
        #expect(
            found.contains { $0.severity == breakage.severity && $0.message.contains(breakage.says) && $0.path == Self.issue },
            "\(breakage.name): \(report.printed)")
        // Nothing else: each check fires on what it is about (the spring issue is short:
        // what a template adds may outweigh its text part).
        let others = found.filter { !$0.message.contains(breakage.says) && $0.path == Self.issue }
        let allowed = breakage.name == "a relative image" || breakage.name == "past Gmail's clipping point"
            ? others.filter { !$0.message.contains("its text part has") } : others
        #expect(allowed.isEmpty, "\(breakage.name) said more: \(allowed.map(\.description))")
        if breakage.severity == .error { #expect(report.failed) }
    }

    @Test func theBuiltInThemeAndItsEnglishPassEveryCheck() throws {
        for language in ["fr", "en"] {
            let site = try TemporarySite(copying: "valid-basic")
            defer { site.remove() }
            let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
            try site.write("site.yml", config.replacingOccurrences(of: "language: fr", with: "language: \(language)"))
            let report = site.build()
            #expect(!report.failed, "\(report.printed)")
            #expect(!report.diagnostics.contains { $0.message.hasPrefix("e-mail: ") }, "\(language): \(report.printed)")
            let html = try site.page("issues/2023-06-lettre-ete/email.html")
            #expect(html.contains("<html lang=\"\(language)\" dir=\"ltr\""))
        }
    }

    /// A vague link written in the édito's Markdown is said at its line there.
    @Test func aFindingInMarkdownPointsAtItsLine() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let article = Self.issue
        var text = try String(contentsOf: site.root.appendingPathComponent(article), encoding: .utf8)
        text += "\nPour le plan des travaux, [cliquez ici](https://lettre.example.fr/plan/).\n"
        try site.write(article, text)
        let report = site.build()
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("[cliquez ici]") }! + 1
        #expect(
            report.warnings.contains { $0.path == article && $0.line == line && $0.column == 27 && $0.message.contains("says nothing of where it leads") },
            "line \(line): \(report.printed)")
    }

    /// Builds that take an issue's e-mail from the build cache say what its preflight found,
    /// as the build that made it did: a warning never disappears because nothing changed.
    @Test func findingsAreSaidAgainByWarmBuilds() throws {
        let site = try site(changing: Self.adding("<tr><td><a href=\"{{email.web_url}}\">ici</a></td></tr>"))
        defer { site.remove() }
        var options = site.options()
        options.cacheFolder = site.root.appendingPathComponent(".bulletin-cache")
        Thread.sleep(forTimeInterval: 0.1)
        let cold = Builder().build(options)
        let vague = cold.warnings.filter { $0.message.contains("\"ici\"") }
        #expect(vague.count == 2, "one for each published issue: \(cold.printed)")
        // An edit to the other issue: this one's e-mail is left as it was.
        let printemps = "issues/2023-03-lettre-printemps/issue.md"
        let text = try String(contentsOf: site.root.appendingPathComponent(printemps), encoding: .utf8)
        try site.write(printemps, text + "\nUne ligne de plus.\n")
        let warm = Builder().build(options)
        #expect(warm.unchangedOutputs > 0, "the summer issue came from the cache")
        #expect(warm.warnings.filter { $0.message.contains("\"ici\"") }.map(\.description) == vague.map(\.description))
        Thread.sleep(forTimeInterval: 0.1)
        // Nothing changed: the last build's messages, said again.
        let unchanged = Builder().build(options)
        #expect(unchanged.warnings.filter { $0.message.contains("\"ici\"") }.map(\.description) == vague.map(\.description))
    }

    @Test func contrastFollowsWCAG() {
        #expect(abs(RGB(css: "#777777")!.contrast(with: .white) - 4.48) < 0.01)
        #expect(abs(RGB(css: "#fff")!.contrast(with: .black) - 21) < 0.001)
        #expect(RGB(css: "rgb(15, 76, 129)") == RGB(css: "#0f4c81"))
        #expect(RGB(css: "transparent") == nil)
    }

    /// Measured as the `.eml` has the part: quoted-printable, `é` as `=C3=A9`, `=` as `=3D`.
    @Test func theSizeIsThatOfThePartAsWritten() {
        let html = String(repeating: "é<p class=\"a\">\n", count: 1000) + "fin "
        let message = MIMEMessage(from: "a@b.fr", subject: "s", date: "d", messageID: "m@b", text: "t", html: html).rendered()
        let written = String(decoding: message.bytes, as: UTF8.self)
        let part = written.components(separatedBy: "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")[1]
            .components(separatedBy: "\r\n--=_bulletin_")[0]
        #expect(part.utf8.count == message.htmlPartBytes)
        #expect(part.hasPrefix("=C3=A9<p class=3D\"a\">\r\n"))
        #expect(part.hasSuffix("fin=20"), "a space at the end would be lost")
        #expect(decodeQuotedPrintable(part) == html)
    }

    /// Lines folded at 76 characters, never inside an `=XX`, and nothing changed by it.
    @Test(arguments: [
        String(repeating: "a", count: 300), String(repeating: "é", count: 100), String(repeating: "ab=", count: 90),
        ".From here\nFrom there\n", " \n\t\n",
        // A `.` and a "From " where a line is folded.
        String(repeating: "a", count: 75) + ".b", String(repeating: "a", count: 75) + "From c", String(repeating: "é", count: 25) + ".",
    ])
    func quotedPrintableRoundTrips(_ text: String) {
        var bytes: [UInt8] = []
        MIMEMessage.appendQuotedPrintable(text, to: &bytes)
        let encoded = String(decoding: bytes, as: UTF8.self)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(!encoded.components(separatedBy: "\r\n").contains { $0.hasPrefix(".") || $0.hasPrefix("From ") }, "\(encoded)")
        #expect(decodeQuotedPrintable(encoded) == text, "\(encoded)")
    }
}
