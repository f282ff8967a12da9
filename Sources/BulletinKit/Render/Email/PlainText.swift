import Foundation

/// HTML fragments (as Bulletin renders them) turned into readable plain text for the
/// e-mail's text part: paragraphs as blank-line separated blocks, list items with a
/// dash, links followed by their URL, images by their alternative text.
enum PlainText {
    private static let token = try! NSRegularExpression(pattern: #"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--.*?-->|([^<]+)"#, options: [.dotMatchesLineSeparators])
    private static let attribute = try! NSRegularExpression(pattern: #"\s(href|alt)="([^"]*)""#)

    static func fromHTML(_ html: String) -> String {
        let text = html as NSString
        var output = ""
        var links: [String?] = []
        var listDepth = 0
        func newBlock() {
            while output.hasSuffix(" ") { output.removeLast() }
            if !output.isEmpty, !output.hasSuffix("\n\n") { output += output.hasSuffix("\n") ? "\n" : "\n\n" }
        }
        for match in token.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            if match.range(at: 4).location != NSNotFound {
                var run = decodeEntities(text.substring(with: match.range(at: 4)))
                run = run.replacingOccurrences(of: "\n", with: " ")
                if output.isEmpty || output.hasSuffix("\n") { run = String(run.drop { $0 == " " }) }
                output += run
                continue
            }
            guard match.range(at: 2).location != NSNotFound else { continue }
            let closing = text.substring(with: match.range(at: 1)) == "/"
            let name = text.substring(with: match.range(at: 2)).lowercased()
            let attributes = match.range(at: 3).location == NSNotFound ? "" : text.substring(with: match.range(at: 3))
            switch (name, closing) {
            case ("p", _), ("h1", _), ("h2", _), ("h3", _), ("h4", _), ("h5", _), ("h6", _), ("blockquote", _), ("pre", _),
                ("table", _), ("section", _), ("div", _):
                newBlock()
            case ("ul", false), ("ol", false):
                newBlock()
                listDepth += 1
            case ("ul", true), ("ol", true):
                listDepth = max(0, listDepth - 1)
                newBlock()
            case ("li", false):
                if !output.isEmpty, !output.hasSuffix("\n") { output += "\n" }
                output += String(repeating: "  ", count: max(0, listDepth - 1)) + "- "
            case ("br", _), ("tr", true):
                output += "\n"
            case ("td", false), ("th", false):
                if !output.hasSuffix("\n"), !output.isEmpty { output += " | " }
            case ("hr", _):
                newBlock()
                output += "----\n\n"
            case ("a", false):
                let href = value(of: "href", in: attributes)
                links.append(href.flatMap { $0.hasPrefix("#") ? nil : $0 })
            case ("a", true):
                if let link = links.popLast(), let url = link {
                    let shown = url.hasPrefix("mailto:") ? String(url.dropFirst(7)) : url
                    if !output.hasSuffix(shown) { output += " (\(url))" }
                }
            case ("img", _):
                if let alt = value(of: "alt", in: attributes), !alt.isEmpty { output += "[\(alt)]" }
            default:
                break
            }
        }
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.hasSuffix(" ") ? String(line.reversed().drop { $0 == " " }.reversed()) : String(line) }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func value(of name: String, in attributes: String) -> String? {
        let text = attributes as NSString
        for match in attribute.matches(in: attributes, range: NSRange(location: 0, length: text.length))
        where text.substring(with: match.range(at: 1)) == name {
            return decodeEntities(text.substring(with: match.range(at: 2)))
        }
        return nil
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return RawHTML.decodeEntities(text
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: "\u{00A0}"))
    }

    /// Wraps paragraphs near `width` columns, never inside a word or a URL; keeps line
    /// breaks and the indentation of list items.
    static func wrap(_ text: String, width: Int = 72) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            let indent = line.prefix { $0 == " " }
            let body = line.dropFirst(indent.count)
            let hanging = String(repeating: " ", count: indent.count + (body.hasPrefix("- ") ? 2 : 0))
            var lines: [String] = []
            var current = String(indent)
            var length = indent.count
            var hasWord = false
            for word in body.split(separator: " ", omittingEmptySubsequences: true) {
                let wordLength = word.count
                if hasWord, length + 1 + wordLength > width {
                    lines.append(current)
                    current = hanging + word
                    length = hanging.count + wordLength
                } else {
                    if hasWord {
                        current += " "
                        length += 1
                    }
                    current += word
                    length += wordLength
                }
                hasWord = true
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
