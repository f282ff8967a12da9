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

    /// Decodes the character references a browser would decode in text or an attribute
    /// value: numeric ones, and the named ones Bulletin writes or that spell a scheme.
    /// Byte by byte: a megabyte of `<` in a body is a megabyte of `&lt;` in its e-mail.
    static func decodeEntities(_ text: String) -> String {
        guard text.containsByte(where: { $0 == UInt8(ascii: "&") }) else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "&") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, end - index <= 32, isNameByte(bytes[end]) { end += 1 }
            let body = bytes[(index + 1)..<end]
            var scalar: Unicode.Scalar?
            if body.first == UInt8(ascii: "#") {
                let isHex = body.count > 1 && (body[body.startIndex + 1] | 0x20) == UInt8(ascii: "x")
                let digits = String(decoding: body.dropFirst(isHex ? 2 : 1), as: UTF8.self)
                scalar = digits.count <= 8 ? UInt32(digits, radix: isHex ? 16 : 10).flatMap(Unicode.Scalar.init) : nil
            } else {
                scalar = namedReferences[String(decoding: body.map { $0 | 0x20 }, as: UTF8.self)]
            }
            guard let scalar else {
                output.append(UInt8(ascii: "&"))
                index += 1
                continue
            }
            UTF8.encode(scalar) { output.append($0) }
            index = end
            if index < bytes.count, bytes[index] == UInt8(ascii: ";") { index += 1 }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let namedReferences: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "colon": ":", "tab": "\t", "newline": "\n", "lpar": "(", "rpar": ")",
    ]

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "#")
    }
}

/// URLs that would run code when followed.
enum URLSafety {
    private static let safeDataImages = ["data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"]

    /// Whether the URL's scheme runs script or reads local files. Only its first bytes
    /// are read: every scheme checked is ASCII, and no character past ASCII lowercases to
    /// a letter they hold (`K`, the Kelvin sign, lowercases to `k`).
    static func isDangerous(_ url: String) -> Bool {
        var head: [UInt8] = []
        head.reserveCapacity(16)
        for byte in url.utf8 {
            // Browsers ignore ASCII whitespace and control characters inside a scheme.
            if byte <= 0x20 || byte == 0x7F { continue }
            if byte >= 0x80 { break }
            head.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
            if head.count == 16 { break }
        }
        func starts(with prefix: String) -> Bool { head.starts(with: prefix.utf8) }
        if starts(with: "javascript:") || starts(with: "vbscript:") || starts(with: "file:") { return true }
        if starts(with: "data:") { return !safeDataImages.contains { starts(with: $0) } }
        return false
    }
}
