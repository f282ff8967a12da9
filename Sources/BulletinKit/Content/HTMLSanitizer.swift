/// Raw HTML that a trusted team writes with `markdown.unsafe_html`, tokenized the way a
/// browser tokenizes it (the WHATWG tokenizer's tag and attribute states) and written
/// again from the tokens through an allowlist of elements and attributes. What comes out
/// is what a browser sees: every attribute quoted and escaped, every `<` of text escaped,
/// comments and unknown elements gone. Expressions that match text could be fooled by
/// `<img src=x/onerror=…>` or `<svg/onload=…>`; tokens cannot.
struct HTMLSanitizer {
    /// Elements kept, with the attributes each may carry besides `globalAttributes`.
    static let elements: [String: Set<String>] = [
        "a": ["href", "target", "rel", "hreflang", "type", "download"],
        "abbr": [], "address": [], "article": [], "aside": [], "b": [], "bdi": [], "bdo": [],
        "blockquote": ["cite"], "br": [], "caption": [], "cite": [], "code": [],
        "col": ["span", "width"], "colgroup": ["span", "width"], "data": ["value"], "dd": [],
        "del": ["cite", "datetime"], "details": ["open"], "dfn": [], "div": [], "dl": [], "dt": [], "em": [],
        "figcaption": [], "figure": [], "footer": [], "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
        "header": [], "hr": [], "i": [],
        "img": ["src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"],
        "ins": ["cite", "datetime"], "kbd": [], "li": ["value"], "mark": [],
        "ol": ["start", "reversed", "type"], "p": [], "picture": [], "pre": [], "q": ["cite"],
        "rp": [], "rt": [], "ruby": [], "s": [], "samp": [], "section": [], "small": [],
        "source": ["src", "srcset", "sizes", "type", "media", "width", "height"], "span": [], "strong": [],
        "sub": [], "summary": [], "sup": [],
        "table": [], "tbody": [], "td": ["colspan", "rowspan", "headers"], "tfoot": [],
        "th": ["colspan", "rowspan", "headers", "scope", "abbr"], "thead": [], "time": ["datetime"], "tr": [],
        "track": ["src", "kind", "srclang", "label", "default"], "u": [], "ul": [], "var": [],
        "video": ["src", "poster", "controls", "width", "height", "preload", "muted", "loop", "playsinline"],
        "audio": ["src", "controls", "preload", "muted", "loop"], "wbr": [],
    ]
    static let globalAttributes: Set<String> = ["class", "id", "title", "lang", "dir", "style", "role", "align", "hidden"]
    /// Attributes whose value is a URL (or, for `srcset`, a list of them).
    static let urlAttributes: Set<String> = ["href", "src", "srcset", "poster", "cite"]
    /// Elements whose content is not markup a reader should see: dropped with it.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "noscript", "noembed", "noframes", "xmp", "textarea",
        "title", "template", "frameset", "frame", "select",
    ]
    static let voidElements: Set<String> = ["br", "col", "hr", "img", "source", "track", "wbr"]

    /// The sanitised HTML, and a short description of each thing removed (for a warning).
    static func sanitize(_ html: String) -> (html: String, removed: [String]) {
        var sanitizer = HTMLSanitizer(bytes: Array(html.utf8))
        sanitizer.run()
        return (String(decoding: sanitizer.output, as: UTF8.self), sanitizer.removed)
    }

    private let bytes: [UInt8]
    private var position = 0
    private var output: [UInt8] = []
    private var removed: [String] = []

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        output.reserveCapacity(bytes.count)
    }

    private struct Tag {
        var name = ""
        var isClosing = false
        /// In source order, the first of two with one name only (as browsers keep them).
        var attributes: [(name: String, value: [UInt8])] = []
    }

    private mutating func run() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "<") else {
                append(text: byte)
                position += 1
                continue
            }
            let next = position + 1 < bytes.count ? bytes[position + 1] : 0
            if isLetter(next) {
                position += 1
                guard let tag = readTag(isClosing: false) else { return note("an unfinished tag") }
                emit(tag)
            } else if next == UInt8(ascii: "/") {
                let after = position + 2 < bytes.count ? bytes[position + 2] : 0
                if isLetter(after) {
                    position += 2
                    guard let tag = readTag(isClosing: true) else { return note("an unfinished tag") }
                    emit(tag)
                } else {
                    // `</>` is nothing; `</3…>` is a bogus comment.
                    skipPast(UInt8(ascii: ">"))
                }
            } else if next == UInt8(ascii: "!") {
                if starts(with: "<!--") {
                    position += 4
                    skipComment()
                } else {
                    skipPast(UInt8(ascii: ">"))
                }
            } else if next == UInt8(ascii: "?") {
                skipPast(UInt8(ascii: ">"))
            } else {
                output += Array("&lt;".utf8)
                position += 1
            }
        }
    }

    private mutating func emit(_ tag: Tag) {
        if Self.droppedWithContent.contains(tag.name) {
            note("<\(tag.name)>")
            if !tag.isClosing { skipRawText(until: tag.name) }
            return
        }
        if tag.name == "plaintext" {
            note("<plaintext>")
            position = bytes.count
            return
        }
        guard let allowed = Self.elements[tag.name] else {
            if !tag.isClosing { note("<\(tag.name)>") }
            return
        }
        if tag.isClosing {
            if !Self.voidElements.contains(tag.name) { output += Array("</\(tag.name)>".utf8) }
            return
        }
        output += Array("<\(tag.name)".utf8)
        for (name, value) in tag.attributes {
            guard allowed.contains(name) || Self.globalAttributes.contains(name) || name.hasPrefix("aria-") else {
                note(name.hasPrefix("on") ? "the event handler \(name)" : "the attribute \(name)")
                continue
            }
            if Self.urlAttributes.contains(name), !Self.isSafe(value, list: name == "srcset") {
                note("a script URL in \(name)")
                continue
            }
            output += Array(" \(name)=\"".utf8)
            for byte in value {
                switch byte {
                case UInt8(ascii: "\""): output += Array("&quot;".utf8)
                case UInt8(ascii: "<"): output += Array("&lt;".utf8)
                case UInt8(ascii: ">"): output += Array("&gt;".utf8)
                default: output.append(byte)
                }
            }
            output.append(UInt8(ascii: "\""))
        }
        output.append(UInt8(ascii: ">"))
    }

    /// A URL attribute's value as the browser reads it: its character references decoded,
    /// then a scheme, if any, that runs no code. A reference this decoder does not know,
    /// written before the scheme ends, is refused: it could spell one.
    private static func isSafe(_ value: [UInt8], list: Bool) -> Bool {
        let raw = String(decoding: value, as: UTF8.self)
        let decoded = RawHTML.decodeEntities(raw)
        let urls = list ? decoded.split(separator: ",").map { String($0.split(whereSeparator: \.isWhitespace).first ?? "") } : [decoded]
        for url in urls {
            if URLSafety.isDangerous(url) { return false }
            let head = url.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if head.contains("&") && head.contains(":") { return false }
        }
        return true
    }

    // MARK: Tokenizer states

    /// Reads a tag from its name on (`position` is on its first letter). `nil` when the
    /// text ends inside it: browsers drop such a tag, and so does this.
    private mutating func readTag(isClosing: Bool) -> Tag? {
        var tag = Tag(isClosing: isClosing)
        var name: [UInt8] = []
        while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: "/"),
            bytes[position] != UInt8(ascii: ">")
        {
            name.append(lowercased(bytes[position]))
            position += 1
        }
        tag.name = String(decoding: name, as: UTF8.self)
        var seen: Set<String> = []
        while true {
            // Before an attribute's name: spaces and `/` separate attributes.
            while position < bytes.count, isSpace(bytes[position]) || bytes[position] == UInt8(ascii: "/") { position += 1 }
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ">") {
                position += 1
                return tag
            }
            // The name: its first character may be `=`.
            var attribute: [UInt8] = [lowercased(bytes[position])]
            position += 1
            while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: "/"),
                bytes[position] != UInt8(ascii: ">"), bytes[position] != UInt8(ascii: "=")
            {
                attribute.append(lowercased(bytes[position]))
                position += 1
            }
            while position < bytes.count, isSpace(bytes[position]) { position += 1 }
            var value: [UInt8] = []
            if position < bytes.count, bytes[position] == UInt8(ascii: "=") {
                position += 1
                while position < bytes.count, isSpace(bytes[position]) { position += 1 }
                guard position < bytes.count else { return nil }
                let quote = bytes[position]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    position += 1
                    while position < bytes.count, bytes[position] != quote {
                        value.append(bytes[position])
                        position += 1
                    }
                    guard position < bytes.count else { return nil }
                    position += 1  // A name right after the closing quote starts the next attribute.
                } else {
                    while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                        value.append(bytes[position])
                        position += 1
                    }
                }
            }
            let attributeName = String(decoding: attribute, as: UTF8.self)
            if seen.insert(attributeName).inserted { tag.attributes.append((attributeName, value)) }
        }
    }

    /// After `<!--`: up to `-->` or `--!>`, or the end; `<!-->` and `<!--->` end at once.
    private mutating func skipComment() {
        if starts(with: ">") { position += 1; return }
        if starts(with: "->") { position += 2; return }
        while position < bytes.count {
            if starts(with: "-->") { position += 3; return }
            if starts(with: "--!>") { position += 4; return }
            position += 1
        }
    }

    /// The content of a raw-text element, up to its end tag (`</script` followed by a
    /// space, `/` or `>`), which is skipped too.
    private mutating func skipRawText(until name: String) {
        let end = Array("</\(name)".utf8)
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<"), position + end.count <= bytes.count,
                zip(bytes[position..<position + end.count], end).allSatisfy({ lowercased($0) == $1 })
            {
                let after = position + end.count
                if after == bytes.count || isSpace(bytes[after]) || bytes[after] == UInt8(ascii: "/") || bytes[after] == UInt8(ascii: ">") {
                    position = after
                    _ = readTag(isClosing: true)
                    return
                }
            }
            position += 1
        }
    }

    private mutating func skipPast(_ byte: UInt8) {
        while position < bytes.count, bytes[position] != byte { position += 1 }
        position += 1
    }

    private mutating func append(text byte: UInt8) {
        if byte == UInt8(ascii: ">") { output += Array("&gt;".utf8) } else { output.append(byte) }
    }

    private mutating func note(_ what: String) {
        if !removed.contains(what) { removed.append(what) }
    }

    private func starts(with prefix: String) -> Bool {
        let prefix = Array(prefix.utf8)
        return position + prefix.count <= bytes.count && Array(bytes[position..<position + prefix.count]) == prefix
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    private func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
