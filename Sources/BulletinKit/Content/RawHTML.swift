import Foundation

/// Raw HTML written by editors: the typographic tags kept by default (`HTMLSanitizer`
/// cleans what a trusted team writes with `markdown.unsafe_html` on).
enum RawHTML {
    /// Inline tags that only change typography, kept when written without attributes.
    static let allowedTags: Set<String> = ["sup", "sub", "br", "abbr", "mark", "small", "s", "u", "q", "cite", "kbd"]
    static let voidTags: Set<String> = ["br"]

    struct Tag: Equatable {
        let name: String
        let isClosing: Bool
        let source: String

        /// Recognises `<sup>`, `</sup>`, `<br>`, `<br/>`, `<br />`, in any case, and nothing with attributes.
        init?(allowed literal: String) {
            guard literal.hasPrefix("<"), literal.hasSuffix(">") else { return nil }
            var inner = literal.dropFirst().dropLast()
            let isClosing = inner.hasPrefix("/")
            if isClosing { inner = inner.dropFirst() }
            if !isClosing, inner.hasSuffix("/") { inner = inner.dropLast() }
            let name = inner.trimmingCharacters(in: .whitespaces).lowercased()
            guard RawHTML.allowedTags.contains(name), !inner.hasPrefix(" ") else { return nil }
            if isClosing, RawHTML.voidTags.contains(name) { return nil }
            self.name = name
            self.isClosing = isClosing
            self.source = literal
        }
    }

    /// Indices of tags that have no partner, given tags in document order.
    static func unbalanced(_ tags: [Tag]) -> [Int] {
        var open: [Int] = []
        var orphans: [Int] = []
        for (index, tag) in tags.enumerated() where !voidTags.contains(tag.name) {
            if !tag.isClosing {
                open.append(index)
            } else if let last = open.last, tags[last].name == tag.name {
                open.removeLast()
            } else {
                orphans.append(index)
            }
        }
        return (orphans + open).sorted()
    }

    /// For warnings: the start of a raw HTML chunk, on one line.
    static func abbreviate(_ html: String) -> String {
        let line = html.split(whereSeparator: \.isNewline).first.map(String.init) ?? html
        guard line.count > 40 else { return line }
        return String(line.prefix(39)) + "…"
    }

    /// Decodes the character references a browser would decode in an attribute value.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            let body = rest.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "#" }
            var scalar: Unicode.Scalar?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if body.hasPrefix("#") {
                scalar = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init)
            } else {
                scalar = ["colon": ":", "tab": "\t", "newline": "\n", "amp": "&", "lpar": "(", "rpar": ")"][body.lowercased()]
                    .flatMap { $0.unicodeScalars.first }
            }
            if let scalar {
                result.unicodeScalars.append(scalar)
                rest = rest.dropFirst(1 + body.count)
                if rest.first == ";" { rest = rest.dropFirst() }
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }
}

/// URLs that would run code when followed.
enum URLSafety {
    private static let safeDataImages = ["data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"]

    static func isDangerous(_ url: String) -> Bool {
        // Browsers ignore ASCII whitespace and control characters inside a scheme.
        let squeezed = String(String.UnicodeScalarView(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
            .lowercased()
        if squeezed.hasPrefix("javascript:") || squeezed.hasPrefix("vbscript:") || squeezed.hasPrefix("file:") {
            return true
        }
        if squeezed.hasPrefix("data:") {
            return !safeDataImages.contains { squeezed.hasPrefix($0) }
        }
        return false
    }
}
