import Foundation
import Testing

@testable import BulletinKit

/// The escapers every page, feed and scaffold goes through, checked against what a reader
/// of their output (a JSON parser, an HTML parser) gets back.
@Suite struct EscapingTests {
    /// Texts with every character the escapers treat apart, between and beside others.
    private static let pieces = [
        "a", "é", "€", "😀", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}",
        "\u{2028}", "\u{2029}", "\u{2027}", "\u{FEFF}", "\u{FEFE}", "<", ">", "&", "'", " ", "Lettre n° 43",
    ]

    private static func texts() -> [String] {
        var generator = SystemRandomNumberGenerator()
        var texts = pieces + [""]
        for _ in 0..<500 {
            let count = Int.random(in: 1...12, using: &generator)
            texts.append((0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        return texts
    }

    @Test func jsonReadsBackWhatDoubleQuotedWrites() throws {
        for text in Self.texts() {
            let quoted = doubleQuoted(text)
            let read = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
            #expect(read == [text], "\(quoted)")
            // Only printable characters are left as they are.
            #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || [0x2028, 0x2029, 0xFEFF].contains($0.value) })
        }
        #expect(doubleQuoted("a\u{2028}b\u{85}\u{FEFF}\u{1}\"\\\n") == #""a\u2028b\u0085\uFEFF\u0001\"\\\n""#)
    }

    @Test func escapedHTMLReadsBackAsTheText() {
        for text in Self.texts() {
            for apostrophe in [false, true] {
                let escaped = escapeHTML(text, apostrophe: apostrophe)
                #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\""))
                #expect(apostrophe ? !escaped.contains("'") : escaped.filter { $0 == "'" }.count == text.filter { $0 == "'" }.count)
                let read = escaped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                    .replacingOccurrences(of: "&amp;", with: "&")
                #expect(read == text, "\(escaped)")
            }
        }
        #expect(escapeHTML("Tom & \"Jerry\" <b>'s</b>", apostrophe: true) == "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#39;s&lt;/b&gt;")
    }
}
