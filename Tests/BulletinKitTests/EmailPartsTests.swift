import Foundation
import Testing

@testable import BulletinKit

@Suite struct ImageSizeTests {
    @Test func readsPNGGIFJPEGAndSVGHeaders() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4, 0xB0, 0, 0, 2, 0xA3]
        #expect(ImageSize.parse(png) == ImageSize(width: 1200, height: 675))
        let gif = Array("GIF89a".utf8) + [0x58, 0x02, 0x90, 0x01]
        #expect(ImageSize.parse(gif) == ImageSize(width: 600, height: 400))
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 675 and width 1200.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array(repeating: 0, count: 14)
            + [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0xA3, 0x04, 0xB0, 0x03]
        #expect(ImageSize.parse(jpeg) == ImageSize(width: 1200, height: 675))
        #expect(ImageSize.parse(Array("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 240 80\">".utf8)) == ImageSize(width: 240, height: 80))
        #expect(ImageSize.parse(Array("<svg width=\"120\" height=\"40\" viewBox=\"0 0 240 80\">".utf8)) == ImageSize(width: 120, height: 40))
        // A long comment in French puts a two-byte `é` across the 4 KB that are read.
        let svg = "<svg width=\"64\" height=\"32\"><!--" + String(repeating: "a", count: 4063) + "été--></svg>"
        #expect(ImageSize.parse(Array(svg.utf8)) == ImageSize(width: 64, height: 32))
        #expect(ImageSize.parse(Array("not an image".utf8)) == nil)
    }

    @Test func fittingScalesDownOnly() {
        #expect(ImageSize(width: 1200, height: 675).fitting(536) == ImageSize(width: 536, height: 302))
        #expect(ImageSize(width: 400, height: 400).fitting(536) == ImageSize(width: 400, height: 400))
    }
}

@Suite struct PlainTextTests {
    /// An editor's raw HTML (`unsafe_html`) in the e-mail's text.
    @Test func htmlBecomesReadableTextWithLinksWrittenOut() {
        let html = """
            <h2 id="x">Le dossier</h2>
            <p>Un <strong>texte</strong> avec <a href="https://exemple.fr/a?b=1&amp;c=2">un lien</a> et <a href="mailto:a@b.fr">a@b.fr</a>.</p>
            <ul>
            <li>premier</li>
            <li>second <em>point</em></li>
            </ul>
            <p><img src="https://x.fr/i.jpg" alt="Une photo" /> R&amp;D &#8217; 1<sup>er</sup></p>
            """
        var builder = PlainText.Builder()
        builder.add(html: html)
        let text = builder.finish()
        #expect(text == """
            Le dossier

            Un texte avec un lien (https://exemple.fr/a?b=1&c=2) et a@b.fr.

            - premier
            - second point

            [Une photo] R&D ’ 1er
            """)
    }

    @Test func wrapsNearSeventyTwoColumnsWithoutBreakingURLs() {
        let long = String(repeating: "mot ", count: 40) + "https://exemple.fr/" + String(repeating: "x", count: 80)
        let wrapped = PlainText.wrap(long)
        for line in wrapped.split(separator: "\n") where !line.contains("https://") {
            #expect(line.count <= 72)
        }
        #expect(wrapped.contains("https://exemple.fr/" + String(repeating: "x", count: 80)))
    }

    /// Columns are characters, not bytes: a French line of 70 characters (80 bytes) stays
    /// whole, list items keep their hanging indent, and a space that carries a combining
    /// accent is never a place to break.
    @Test func wrapsByCharactersKeepingListIndentsAndAccents() {
        let accented = String(repeating: "été ", count: 17) + "fin"
        #expect(accented.count == 71 && accented.utf8.count > 72)
        #expect(PlainText.wrap(accented) == accented)

        let item = "  - " + String(repeating: "réunion ", count: 12)
        let lines = PlainText.wrap(item).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines.allSatisfy { $0.count <= 72 }, "\(lines)")
        #expect(lines[1].hasPrefix("    réunion"), "the hanging indent lines up with the item's text")

        let joined = String(repeating: "x", count: 70) + " \u{301}y z"
        #expect(PlainText.wrap(joined) == String(repeating: "x", count: 70) + " \u{301}y\nz")
        #expect(PlainText.wrap("a  \n  ") == "a  \n  ", "short lines are left exactly as they are")
    }
}

@Suite struct EmailStyleTests {
    @Test func stylesGoInlineAndImagesGetTheirSize() {
        let styler = EmailStyle(
            styles: ["p": "margin:0 0 16px;", "a": "color:#0b4f8a;"],
            imageSizes: { ["https://x.fr/i.jpg": ImageSize(width: 1200, height: 600)] }, maxImageWidth: 536)
        let html = styler.style("<p>Voir <a href=\"https://x.fr/\">ici</a> <img src=\"https://x.fr/i.jpg\" alt=\"I\" /></p>")
        #expect(html == "<p style=\"margin:0 0 16px;\">Voir <a href=\"https://x.fr/\" style=\"color:#0b4f8a;\">ici</a> <img src=\"https://x.fr/i.jpg\" alt=\"I\" width=\"536\" height=\"268\" class=\"fluid\" /></p>")
    }
}

extension EmailStyleTests {
    /// The regular expression the styler used to be: its byte scanner must find the same tags.
    private func styledByRegularExpression(_ html: String, styles: [String: String]) -> String {
        let startTag = try! NSRegularExpression(pattern: #"<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f][^>]*?)?)([ \t\n\r\f]?/?)>"#)
        let text = html as NSString
        var result = ""
        var cursor = 0
        for match in startTag.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            result += text.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            cursor = match.range.location + match.range.length
            let name = text.substring(with: match.range(at: 1)).lowercased()
            var attributes = text.substring(with: match.range(at: 2))
            if let style = styles[name], !attributes.contains(" style=") { attributes += " style=\"\(style)\"" }
            result += "<\(text.substring(with: match.range(at: 1)))\(attributes)\(text.substring(with: match.range(at: 3)))>"
        }
        return result + text.substring(from: cursor)
    }

    @Test(arguments: [
        "<p>a</p><br/><br /><br  /><p >b</p><p  >c</p><P CLASS=x>d</P>",
        "<a href=\"x\"/><a/href=\"y\">z</a><my-el>e</my-el><h2 id=\"s\">T</h2>",
        "<p title=\"a>b\">c</p> 1 < 2 <3 <p\nclass=\"n\">x</p><p", "<!-- <p> --><p style=\"color:red\">s</p>é<em>ü</em>",
        "<table>\n<thead>\n<tr>\n<th align=\"left\">A</th>\n</tr>\n</thead></table><ul>\n<li>x</li>\n</ul>",
    ])
    func findsTheTagsTheRegularExpressionFound(html: String) {
        let styles = ["p": "margin:0;", "a": "color:#0b4f8a;", "br": "x:y;", "h2": "font:1;", "th": "t:h;", "li": "l:i;", "em": "e:m;"]
        let styler = EmailStyle(styles: styles, imageSizes: { [:] }, maxImageWidth: 536)
        #expect(styler.style(html) == styledByRegularExpression(html, styles: styles))
    }
}

@Suite struct MIMEMessageTests {
    @Test func subjectIsEncodedAndPartsAreQuotedPrintable() {
        let message = String(decoding: MIMEMessage(
            from: "La Lettre <lettre@example.fr>", subject: "Lettre n° 42 — Été", date: "Wed, 05 Jul 2023 00:00:00 +0200",
            messageID: "issue-42@example.fr", text: "Bonjour", html: "<p>Bonjour</p>").rendered().bytes, as: UTF8.self)
        #expect(message.contains("Subject: =?UTF-8?B?"))
        #expect(message.contains("Content-Type: multipart/alternative; boundary="))
        #expect(message.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(message.contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nBonjour\r\n--"))
        #expect(message.contains("\r\n"))
        let text = message.range(of: "text/plain")!
        let html = message.range(of: "text/html")!
        #expect(text.lowerBound < html.lowerBound, "the text part comes first, the richest last")
    }
}
