import Foundation

/// HTML fragments (as Bulletin renders them) turned into readable plain text for the
/// e-mail's text part: paragraphs as blank-line separated blocks, list items with a
/// dash, links followed by their URL, images by their alternative text.
enum PlainText {
    static func fromHTML(_ html: String) -> String {
        var output = ""
        var links: [String?] = []
        var listDepth = 0
        func newBlock() {
            while output.hasSuffix(" ") { output.removeLast() }
            if !output.isEmpty, !output.hasSuffix("\n\n") { output += output.hasSuffix("\n") ? "\n" : "\n\n" }
        }
        for token in HTMLTokens(html) {
            switch token {
            case .text(let text):
                var run = RawHTML.decodeEntities(String(text)).replacingBytes(of: "\n", with: " ")
                if output.isEmpty || output.hasSuffix("\n") { run = String(run.drop { $0 == " " }) }
                output += run
            case .tag(let name, let closing, let attributes):
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
        }
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.hasSuffix(" ") ? String(line.reversed().drop { $0 == " " }.reversed()) : String(line) }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The value of the double-quoted attribute `name` in the attributes of a tag.
    private static func value(of name: String, in attributes: Substring) -> String? {
        var rest = attributes
        let key = name + "=\""
        while let range = rest.range(of: key) {
            let before = rest[..<range.lowerBound].last
            rest = rest[range.upperBound...]
            guard before?.isWhitespace == true else { continue }
            return RawHTML.decodeEntities(String(rest.prefix { $0 != "\"" }))
        }
        return nil
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

/// The tags and text runs of HTML as Bulletin writes it; comments are skipped. A `<`
/// that opens no tag is text.
struct HTMLTokens: Sequence, IteratorProtocol {
    enum Token {
        case text(Substring)
        /// The name in lower case, and the attributes as written.
        case tag(name: String, closing: Bool, attributes: Substring)
    }

    private let html: String
    private var position: String.Index

    init(_ html: String) {
        self.html = html
        position = html.startIndex
    }

    mutating func next() -> Token? {
        let utf8 = html.utf8
        guard position < html.endIndex else { return nil }
        if utf8[position] == UInt8(ascii: "<") {
            let rest = html[position...]
            if rest.hasPrefix("<!--") {
                let end = rest.range(of: "-->")?.upperBound ?? html.endIndex
                position = end
                return next()
            }
            var index = utf8.index(after: position)
            let closing = index < utf8.endIndex && utf8[index] == UInt8(ascii: "/")
            if closing { index = utf8.index(after: index) }
            let nameStart = index
            while index < utf8.endIndex, Self.isNameByte(utf8[index], first: index == nameStart) { index = utf8.index(after: index) }
            if index > nameStart, let end = utf8[index...].firstIndex(of: UInt8(ascii: ">")) {
                position = utf8.index(after: end)
                return .tag(name: html[nameStart..<index].lowercased(), closing: closing, attributes: html[index..<end])
            }
        }
        // Text up to the next `<` (a stray `<` is part of it).
        let start = position
        var index = utf8.index(after: position)
        while index < utf8.endIndex, utf8[index] != UInt8(ascii: "<") { index = utf8.index(after: index) }
        position = index
        return .text(html[start..<index])
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): !first
        default: false
        }
    }
}
