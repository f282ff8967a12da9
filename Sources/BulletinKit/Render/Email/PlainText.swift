import Foundation

/// The e-mail's text part: bodies written as readable text (see `Builder`), wrapped.
enum PlainText {
    /// Readable text made from a body's tags and text, as the tree is walked or as an
    /// editor's raw HTML is read: paragraphs as blank-line separated blocks, list items
    /// with a dash, links followed by their URL, images by their alternative text.
    struct Builder {
        private var output = ""
        private var links: [String?] = []
        private var listDepth = 0

        private mutating func newBlock() {
            while output.hasSuffix(" ") { output.removeLast() }
            if !output.isEmpty, !output.hasSuffix("\n\n") { output += output.hasSuffix("\n") ? "\n" : "\n\n" }
        }

        /// Text as a reader reads it (no entities); a line break in it is a space.
        mutating func text(_ text: String) {
            var run = text.replacingBytes(of: "\n", with: " ")
            if output.isEmpty || output.hasSuffix("\n") { run = String(run.drop { $0 == " " }) }
            output += run
        }

        /// A tag by its lower-case name; `href` (of a link) and `alt` (of an image) unescaped.
        mutating func tag(_ name: String, closing: Bool, href: String?, alt: String?) {
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
                links.append(href.flatMap { $0.hasPrefix("#") ? nil : $0 })
            case ("a", true):
                if let link = links.popLast(), let url = link {
                    let shown = url.hasPrefix("mailto:") ? String(url.dropFirst(7)) : url
                    if !output.hasSuffix(shown) { output += " (\(url))" }
                }
            case ("img", _):
                if let alt, !alt.isEmpty { output += "[\(alt)]" }
            default:
                break
            }
        }

        /// HTML an editor wrote, read tag by tag.
        mutating func add(html: String) {
            for token in HTMLTokens(html) {
                switch token {
                case .text(let text):
                    self.text(RawHTML.decodeEntities(String(text)))
                case .tag(let name, let closing, let attributes):
                    tag(
                        name, closing: closing, href: name == "a" ? PlainText.value(of: "href", in: attributes) : nil,
                        alt: name == "img" ? PlainText.value(of: "alt", in: attributes) : nil)
                }
            }
        }

        func finish() -> String {
            PlainText.droppingSpacesAtLineEnds(output).trimmingWhitespace()
        }
    }

    /// Each line without the spaces that end it.
    fileprivate static func droppingSpacesAtLineEnds(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
            }
            bytes.append(byte)
        }
        while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of the double-quoted attribute `name` in the attributes of a tag.
    fileprivate static func value(of name: String, in attributes: Substring) -> String? {
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
    /// breaks and the indentation of list items. Columns are characters.
    ///
    /// Works on UTF-8: splitting by `Character` was half of the text part's time. A space
    /// that a combining mark follows is part of that character, so no break is made there.
    static func wrap(_ text: String, width: Int = 72) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 32)
        var lineStart = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if lineStart > 0 { output.append(UInt8(ascii: "\n")) }
            wrapLine(bytes[lineStart..<lineEnd], width: width, into: &output)
            lineStart = lineEnd + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func wrapLine(_ line: ArraySlice<UInt8>, width: Int, into output: inout [UInt8]) {
        guard line.count > width, columns(line) > width else {
            output.append(contentsOf: line)
            return
        }
        let indent = line.prefix { $0 == UInt8(ascii: " ") }.count
        let body = line.dropFirst(indent)
        let hanging = indent + (body.starts(with: [UInt8(ascii: "-"), UInt8(ascii: " ")]) ? 2 : 0)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        var length = indent
        var hasWord = false
        for word in words(body) {
            let wordLength = columns(word)
            if hasWord, length + 1 + wordLength > width {
                output.append(UInt8(ascii: "\n"))
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: hanging))
                length = hanging + wordLength
            } else {
                if hasWord {
                    output.append(UInt8(ascii: " "))
                    length += 1
                }
                length += wordLength
            }
            output.append(contentsOf: word)
            hasWord = true
        }
    }

    /// The runs between spaces, skipping empty ones; a space joined to the mark after it
    /// belongs to the word.
    private static func words(_ text: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var words: [ArraySlice<UInt8>] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == UInt8(ascii: " "), !startsWithExtender(text[(index + 1)...]) {
                if index > start { words.append(text[start..<index]) }
                start = index + 1
            }
            index += 1
        }
        if index > start { words.append(text[start..<index]) }
        return words
    }

    private static func startsWithExtender(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first, first >= 0x80, let scalar = UTF8Text.scalar(startingAt: text.startIndex, in: text) else { return false }
        return scalar.properties.isGraphemeExtend || scalar.value == 0x200D
    }

    /// Characters in `text`: its bytes when it is ASCII.
    private static func columns(_ text: ArraySlice<UInt8>) -> Int {
        text.allSatisfy { $0 < 0x80 } ? text.count : String(decoding: text, as: UTF8.self).count
    }
}

/// The tags and text runs of an editor's raw HTML (kept by `markdown.unsafe_html`, so
/// written again by the sanitizer); comments are skipped. A `<` that opens no tag is text.
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
