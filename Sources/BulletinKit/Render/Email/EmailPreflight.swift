import Foundation

/// The checks an issue's e-mail passes before it is sent, run on the HTML and text as
/// rendered (so a site's own `email` template is checked as the built-in one is): what
/// mail clients clip, drop or cannot show, and what screen readers need. Errors are what
/// breaks the e-mail in an inbox; warnings what makes it harder to read.
struct EmailPreflight {
    /// Gmail hides what follows behind "[Message clipped]" past about 102 KB.
    static let clippingBytes = 102 * 1024
    /// More links than this look like spam to filters.
    static let linkLimit = 100
    /// Link texts that say nothing of where they lead (compared lowercased, trimmed of
    /// punctuation), unless an `aria-label` or a `title` says it.
    static let vagueLinkTexts: Set<String> = [
        "ici", "cliquez ici", "cliquer ici", "cliquez", "lien", "ce lien", "en savoir plus", "lire la suite", "plus", "suite",
        "here", "click here", "click", "link", "this link", "read more", "more", "learn more",
    ]

    /// Warning threshold for the encoded HTML part (`email.size_budget_kb`).
    let budgetBytes: Int

    struct Finding: Equatable {
        var severity: Diagnostic.Severity
        var message: String
        /// Text to look for in the issue's Markdown files, to point at the line to fix.
        var needle: String? = nil
    }

    /// The findings on one e-mail: `html` and `text` are its two parts, `encodedHTMLBytes`
    /// the size of the HTML part as written in `email.eml`.
    func check(html: String, text: String, encodedHTMLBytes: Int) -> [Finding] {
        var findings: [Finding] = []
        if encodedHTMLBytes > Self.clippingBytes {
            findings.append(Finding(
                severity: .error,
                message: "e-mail: its HTML part is \(decimalKB(encodedHTMLBytes)) KB as encoded in email.eml, past Gmail's clipping point (102 KB): Gmail hides the rest, the unsubscribe link too; shorten the issue"))
        } else if encodedHTMLBytes > budgetBytes {
            findings.append(Finding(
                severity: .warning,
                message: "e-mail: its HTML part is \(decimalKB(encodedHTMLBytes)) KB as encoded in email.eml, over the \(budgetBytes / 1024) KB budget (Gmail clips messages past 102 KB): shorten the issue or raise email.size_budget_kb"))
        }
        var scan = EmailScan(html: html)
        scan.run()
        findings += scan.findings

        let htmlLength = scan.visibleLength
        let textLength = collapsedLength(text)
        if textLength == 0 {
            findings.append(Finding(severity: .error, message: "e-mail: no text part: clients that show no HTML, and spam filters, read the text part"))
        } else if htmlLength > 200, textLength * 2 < htmlLength {
            findings.append(Finding(
                severity: .error,
                message: "e-mail: its text part has \(textLength) characters, its HTML \(htmlLength): the text part should carry the whole issue"))
        }
        return findings
    }

    private func collapsedLength(_ text: String) -> Int {
        var count = 0
        var inSpace = true
        for character in text {
            if character.isWhitespace {
                if !inSpace { count += 1 }
                inSpace = true
            } else {
                count += 1
                inSpace = false
            }
        }
        return inSpace && count > 0 ? count - 1 : count
    }

    private func decimalKB(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 512) / 1024
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// What the preflight found in an issue's e-mail, and the size of its HTML part as
/// written in `email.eml`: kept with the issue's page set, for the builds that take the
/// page set from a cache to say and count again.
struct EmailCheck: Sendable, Hashable {
    var findings: [Diagnostic] = []
    var htmlPartBytes = 0
}

/// One pass over an e-mail's HTML: its elements with the colours they inherit, in light
/// mode (inline styles, `bgcolor`) and dark mode (the `prefers-color-scheme: dark` rules
/// of its `<style>` blocks).
private struct EmailScan {
    let html: String
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    var findings: [EmailPreflight.Finding] = []
    /// The length of the text a reader sees, whitespace collapsed.
    var visibleLength = 0

    private var stack: [Element] = []
    private var darkRules = CSSRule.Index()
    private var inBody = false
    private var bodyElements = 0
    private var sawPreheader = false
    private var checkedWrapper = false
    private var tables: [(line: Int, isPresentation: Bool, hasHeaderCell: Bool)] = []
    private var link: (href: String, label: String?, text: String, images: String)? = nil
    private var linkCount = 0
    private var contrastSaid: Set<String> = []
    private var htmlElement: [String: String]? = nil

    init(html: String) {
        self.html = html
        self.bytes = Array(html.utf8)
    }

    private struct Element {
        var name: String
        var classes: [String]
        var id: String?
        var hidden: Bool
        var light: Colors
        var dark: Colors
        var fontSize: Double
        var bold: Bool
    }

    struct Colors {
        var text: RGB
        var background: RGB
        /// Whether a dark-mode rule set either on this element or an ancestor.
        var changed = false
    }

    /// The root's colours in dark mode: those of a page that says it has a dark scheme
    /// (`color-scheme: light dark`), whose text is then light by default, as browsers
    /// and Apple Mail render it; else the same as in light mode.
    private var darkRoot: Colors {
        let declaresDark = html.range(of: "color-scheme", options: .caseInsensitive).map { found in
            html[found.upperBound...].prefix(40).lowercased().contains("dark")
        } ?? false
        return declaresDark ? Colors(text: .white, background: RGB(red: 18, green: 18, blue: 18)) : Colors(text: .black, background: .white)
    }

    mutating func run() {
        let root = Element(
            name: "#root", classes: [], id: nil, hidden: false, light: Colors(text: .black, background: .white),
            dark: darkRoot, fontSize: 16, bold: false)
        stack = [root]
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<") {
                tag()
            } else {
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "<") {
                    if bytes[position] == UInt8(ascii: "\n") { line += 1 }
                    position += 1
                }
                textNode(start..<position)
            }
        }
        finish()
    }

    private mutating func finish() {
        if let attributes = htmlElement {
            for name in ["lang", "dir"] where (attributes[name] ?? "").isEmpty {
                findings.append(.init(severity: .error, message: "e-mail: <html> has no \(name) attribute: \(Self.why[name]!)"))
            }
        } else {
            findings.append(.init(severity: .error, message: "e-mail: no <html> element to carry lang and dir"))
        }
        if !sawPreheader {
            findings.append(.init(
                severity: .warning,
                message: "e-mail: no preheader (a hidden text first in <body>): inboxes show the e-mail's first words beside its subject, here the view-online line"))
        }
        if linkCount > EmailPreflight.linkLimit {
            findings.append(.init(
                severity: .warning, message: "e-mail: \(linkCount) links, past about \(EmailPreflight.linkLimit): spam filters grow suspicious of so many"))
        }
    }

    private static let why = [
        "lang": "screen readers read it with the wrong language's voice",
        "dir": "the reading direction is left to each client",
    ]

    // MARK: Tags

    private mutating func tag() {
        if starts(with: "<!--") {
            skip(past: "-->")
            return
        }
        if starts(with: "<!") || starts(with: "<?") {
            skip(past: ">")
            return
        }
        let tagLine = line
        position += 1
        let isClosing = position < bytes.count && bytes[position] == UInt8(ascii: "/")
        if isClosing { position += 1 }
        let nameStart = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        let name = String(decoding: bytes[nameStart..<position], as: UTF8.self).lowercased()
        guard !name.isEmpty else {
            // A `<` that starts no tag: text.
            return
        }
        let attributes = readAttributes()
        if isClosing {
            close(name)
        } else {
            open(name, attributes: attributes, line: tagLine)
            if name == "style" || name == "script" || name == "title" {
                let start = position
                skip(past: "</\(name)")
                if name == "style" {
                    let end = max(start, position - name.utf8.count - 2)
                    darkRules.add(CSSRule.darkRules(in: String(decoding: bytes[start..<end], as: UTF8.self)))
                }
                skip(past: ">")
                close(name)
            }
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
    }

    private mutating func readAttributes() -> [String: String] {
        var attributes: [String: String] = [:]
        while position < bytes.count {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x09 || bytes[position] == 0x0D
                || bytes[position] == UInt8(ascii: "/")
            {
                if bytes[position] == 0x0A { line += 1 }
                position += 1
            }
            guard position < bytes.count, bytes[position] != UInt8(ascii: ">") else {
                position += 1
                break
            }
            let nameStart = position
            while position < bytes.count, !" \n\t\r=>/".utf8.contains(bytes[position]) { position += 1 }
            let name = String(decoding: bytes[nameStart..<position], as: UTF8.self).lowercased()
            var value = ""
            if position < bytes.count, bytes[position] == UInt8(ascii: "=") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
                    let quote = bytes[position]
                    position += 1
                    let start = position
                    while position < bytes.count, bytes[position] != quote {
                        if bytes[position] == 0x0A { line += 1 }
                        position += 1
                    }
                    value = String(decoding: bytes[start..<min(position, bytes.count)], as: UTF8.self)
                    position += 1
                } else {
                    let start = position
                    while position < bytes.count, !" \n\t\r>".utf8.contains(bytes[position]) { position += 1 }
                    value = String(decoding: bytes[start..<position], as: UTF8.self)
                }
            }
            if !name.isEmpty, attributes[name] == nil { attributes[name] = RawHTML.decodeEntities(value) }
        }
        return attributes
    }

    private static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]

    private mutating func open(_ name: String, attributes: [String: String], line tagLine: Int) {
        let parent = stack[stack.count - 1]
        let style = attributes["style"].map { Self.declarations($0, only: Self.styleProperties) } ?? [:]
        var element = Element(
            name: name, classes: (attributes["class"] ?? "").split(separator: " ").map(String.init), id: attributes["id"],
            hidden: parent.hidden || style["display"] == "none" || attributes["hidden"] != nil, light: parent.light, dark: parent.dark,
            fontSize: parent.fontSize, bold: parent.bold)
        // Inline colours apply in both modes, over what a dark-mode rule gave an ancestor.
        if let color = style["color"].flatMap(RGB.init(css:)) { (element.light.text, element.dark.text) = (color, color) }
        if let background = (style["background-color"] ?? style["background"]).flatMap(RGB.init(css:)) ?? attributes["bgcolor"].flatMap(RGB.init(css:)) {
            (element.light.background, element.dark.background) = (background, background)
        }
        if let size = style["font-size"], size.hasSuffix("px"), let pixels = Double(size.dropLast(2)) { element.fontSize = pixels }
        if let weight = style["font-weight"] { element.bold = weight == "bold" || (Int(weight) ?? 400) >= 700 }
        if ["h1", "h2", "h3", "h4", "strong", "b", "th"].contains(name), style["font-weight"] == nil { element.bold = true }
        // In dark mode, a rule of the dark media query (`!important`) wins over them. Its
        // selectors are matched on the nearest ancestors only: hostile HTML nested a
        // hundred thousand deep must not make the check quadratic.
        let candidates = darkRules.candidates(name: name, classes: element.classes, id: element.id)
        if !candidates.isEmpty {
            var ancestry = stack.dropFirst().suffix(Self.nearestAncestors).map { ($0.name, $0.classes, $0.id) }
            ancestry.append((name, element.classes, element.id))
            if let text = darkRules.value(of: "color", among: candidates, for: ancestry).flatMap(RGB.init(css:)) {
                element.dark.text = text
                element.dark.changed = true
            }
            if let background = darkRules.value(of: "background-color", among: candidates, for: ancestry).flatMap(RGB.init(css:)) {
                element.dark.background = background
                element.dark.changed = true
            }
        }
        elementChecks(name, attributes: attributes, style: style, hidden: element.hidden, line: tagLine)
        if !Self.voidElements.contains(name) { stack.append(element) }
    }

    /// How far up a closing tag looks for its element, and dark-mode selectors for theirs.
    private static let nearestAncestors = 64

    private mutating func close(_ name: String) {
        let nearest = stack.indices.suffix(Self.nearestAncestors)
        guard let index = nearest.last(where: { stack[$0].name == name }), index > 0 else { return }
        stack.removeSubrange(index...)
        switch name {
        case "table":
            if let table = tables.popLast(), !table.isPresentation, !table.hasHeaderCell {
                findings.append(.init(
                    severity: .error,
                    message: "e-mail: a layout table (email.html line \(table.line)) has no role=\"presentation\": screen readers announce its rows and columns; a data table needs <th> cells"))
            }
        case "a":
            if let link { closeLink(link) }
            link = nil
        default: break
        }
    }

    private mutating func elementChecks(_ name: String, attributes: [String: String], style: [String: String], hidden: Bool, line tagLine: Int) {
        switch name {
        case "html": htmlElement = attributes
        case "body": inBody = true
        case "table":
            tables.append((tagLine, (attributes["role"] ?? "").lowercased() == "presentation", false))
        case "th":
            if !tables.isEmpty { tables[tables.count - 1].hasHeaderCell = true }
        case "img":
            let source = attributes["src"] ?? ""
            if attributes["alt"] == nil {
                findings.append(.init(
                    severity: .error,
                    message: "e-mail: an image has no alt attribute (\(Self.shortened(source))): screen readers read its file name; describe it, or write alt=\"\" for decoration",
                    needle: Self.fileName(source)))
            }
            if link != nil { link?.images += attributes["alt"] ?? "" }
        case "source":
            let type = (attributes["type"] ?? "").lowercased()
            if type == "image/webp" || type == "image/avif" {
                findings.append(.init(severity: .error, message: "e-mail: a <source> of type \(type): Outlook shows no WebP or AVIF; give JPEG or PNG"))
            }
        case "a":
            linkCount += 1
            link = (attributes["href"] ?? "", attributes["aria-label"] ?? attributes["title"], "", "")
        default: break
        }
        for attribute in ["src", "srcset", "href", "background", "poster"] {
            guard let value = attributes[attribute], !(name == "base") else { continue }
            let urls = attribute == "srcset" ? value.split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) } : [value]
            for url in urls { urlChecks(url.trimmingCharacters(in: .whitespaces), attribute: attribute, element: name) }
        }
        if let style = attributes["style"], let open = style.range(of: "url(") {
            let rest = style[open.upperBound...]
            let url = rest.prefix { $0 != ")" }.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
            urlChecks(url, attribute: "style", element: name)
        }
        guard inBody, name != "body", stack.last?.name == "body" else { return }
        // First in <body>: the hidden preheader, then the wrapper of the content.
        bodyElements += 1
        if hidden {
            if bodyElements == 1 { sawPreheader = true }
            return
        }
        guard !checkedWrapper else { return }
        checkedWrapper = true
        for attribute in ["lang", "dir"] where (attributes[attribute] ?? "").isEmpty {
            findings.append(.init(
                severity: .error,
                message: "e-mail: the content's wrapper (<\(name)> first in <body>, email.html line \(tagLine)) has no \(attribute) attribute: webmails drop <html>'s, and \(Self.why[attribute]!)"))
        }
    }

    private mutating func urlChecks(_ url: String, attribute: String, element: String) {
        let lowered = url.lowercased()
        if element == "img" || attribute == "srcset" || attribute == "background" || attribute == "poster" || attribute == "style" {
            let path = lowered.prefix { $0 != "?" && $0 != "#" }
            if path.hasSuffix(".webp") || path.hasSuffix(".avif") {
                findings.append(.init(
                    severity: .error,
                    message: "e-mail: an image in \(path.hasSuffix(".webp") ? "WebP" : "AVIF") (\(Self.shortened(url))): Outlook shows nothing; use JPEG or PNG",
                    needle: Self.fileName(url)))
            }
        }
        // An empty `href` is a link whose unsafe URL was removed, which was said then.
        if url.isEmpty || url.hasPrefix("#") || SiteConfigParser.isMergeTag(url) { return }
        if let colon = url.firstIndex(of: ":"), url[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            url.first?.isLetter == true
        {
            return
        }
        findings.append(.init(
            severity: .error,
            message: "e-mail: a relative URL (\(attribute)=\"\(Self.shortened(url))\"): it leads nowhere from an inbox; write it whole (https://…)",
            needle: url))
    }

    private mutating func closeLink(_ link: (href: String, label: String?, text: String, images: String)) {
        let shown = link.label ?? (link.text.isEmpty ? link.images : link.text)
        let words = shown.lowercased().trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols))
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if words.isEmpty {
            findings.append(.init(
                severity: .warning,
                message: "e-mail: a link (\(Self.shortened(link.href))) has no text: screen readers read its address",
                needle: nil))
        } else if EmailPreflight.vagueLinkTexts.contains(words) {
            findings.append(.init(
                severity: .warning,
                message: "e-mail: a link's text, \"\(link.text.trimmingCharacters(in: .whitespacesAndNewlines))\", says nothing of where it leads: screen readers list links by their text; write what the reader finds there",
                needle: "[" + link.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    // MARK: Text

    private mutating func textNode(_ range: Range<Int>) {
        guard stack.count > 1 else { return }
        let raw = String(decoding: bytes[range], as: UTF8.self)
        let decoded = RawHTML.decodeEntities(raw)
        let words = decoded.split(whereSeparator: { $0.isWhitespace || $0 == "\u{200C}" || $0 == "\u{2007}" || $0 == "\u{FEFF}" || $0 == "\u{034F}" })
        guard !words.isEmpty else { return }
        if link != nil { link?.text += decoded }
        let element = stack[stack.count - 1]
        guard inBody, !element.hidden else { return }
        let joined = words.joined(separator: " ")
        visibleLength += (visibleLength == 0 ? 0 : 1) + joined.count
        let large = element.fontSize >= 24 || (element.bold && element.fontSize >= 18.66)
        let needed = large ? 3.0 : 4.5
        contrast(of: element.light, mode: "light", needed: needed, sample: joined)
        // Dark mode as far as the dark rules of its `<style>` change it (clients that invert
        // colours on their own cannot be foreseen).
        if element.dark.changed, element.dark.text != element.light.text || element.dark.background != element.light.background {
            contrast(of: element.dark, mode: "dark", needed: needed, sample: joined)
        }
    }

    private mutating func contrast(of colors: Colors, mode: String, needed: Double, sample: String) {
        let ratio = colors.text.contrast(with: colors.background)
        guard ratio < needed else { return }
        let key = "\(mode) \(colors.text.hex) \(colors.background.hex)"
        guard contrastSaid.insert(key).inserted else { return }
        let shown = sample.count > 40 ? String(sample.prefix(39)) + "…" : sample
        let ratioText = String((ratio * 100).rounded() / 100)
        findings.append(.init(
            severity: .warning,
            message: "e-mail: text \"\(shown)\" is \(colors.text.hex) on \(colors.background.hex) in \(mode) mode, a contrast of \(ratioText):1, under WCAG AA's \(needed == 3 ? "3" : "4.5"):1"))
    }

    // MARK: Helpers

    private func starts(with prefix: String) -> Bool {
        var index = position
        for byte in prefix.utf8 {
            guard index < bytes.count, bytes[index] | 0x20 == byte | 0x20 else { return false }
            index += 1
        }
        return true
    }

    /// Moves past the next `marker` (case-insensitive), counting lines.
    private mutating func skip(past marker: String) {
        let needle = Array(marker.utf8)
        while position < bytes.count {
            if bytes[position] == needle[0], position + needle.count <= bytes.count,
                zip(bytes[position..<position + needle.count], needle).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
            {
                position += needle.count
                return
            }
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
    }

    /// What the checks read of an inline style.
    private static let styleProperties: Set<String> = ["color", "background-color", "background", "font-size", "font-weight", "display"]

    /// A `style` attribute's declarations, by property, lowercased, without `!important`;
    /// with `only`, those properties alone. Byte by byte, a value made only for a property
    /// asked for: every tag of an e-mail has a long style, and splitting and lowercasing
    /// each declaration was most of the check.
    static func declarations(_ style: String, only names: Set<String>? = nil) -> [String: String] {
        var result: [String: String] = [:]
        let bytes = Array(style.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            defer { start = end + 1 }
            guard let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")) else { continue }
            var (nameStart, nameEnd) = (start, colon)
            while nameStart < nameEnd, isSpace(bytes[nameStart]) { nameStart += 1 }
            while nameEnd > nameStart, isSpace(bytes[nameEnd - 1]) { nameEnd -= 1 }
            let name = String(decoding: bytes[nameStart..<nameEnd].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
            guard result[name] == nil, names?.contains(name) ?? true else { continue }
            var value = String(decoding: bytes[(colon + 1)..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if value.hasSuffix("!important") { value = String(value.dropLast(10)).trimmingCharacters(in: .whitespaces) }
            result[name] = value
        }
        return result
    }

    static func shortened(_ url: String) -> String {
        url.count > 60 ? String(url.prefix(59)) + "…" : url
    }

    static func fileName(_ url: String) -> String? {
        let path = url.prefix { $0 != "?" && $0 != "#" }
        guard let name = path.split(separator: "/").last, !name.isEmpty else { return nil }
        return String(name)
    }
}

/// A rule of an e-mail's `@media (prefers-color-scheme: dark)` block, with the selectors
/// that can be matched from an element's ancestry: tags, classes and ids, joined by
/// spaces. Others (`[data-ogsc] …`, `:hover`, `>`) are left out.
struct CSSRule {
    /// Each selector, its compound parts from the outermost.
    var selectors: [[Compound]]
    var declarations: [String: String]
    var order: Int

    struct Compound: Equatable {
        var tag: String?
        var classes: [String]
        var id: String?

        var specificity: Int { (id == nil ? 0 : 10_000) + classes.count * 100 + (tag == nil ? 0 : 1) }

        func matches(_ element: (name: String, classes: [String], id: String?)) -> Bool {
            (tag == nil || tag == element.name) && (id == nil || id == element.id) && classes.allSatisfy(element.classes.contains)
        }
    }

    static func darkRules(in css: String) -> [CSSRule] {
        var rules: [CSSRule] = []
        var rest = Substring(css)
        while let media = rest.range(of: "@media") {
            guard let open = rest[media.upperBound...].firstIndex(of: "{") else { break }
            let prelude = rest[media.upperBound..<open].lowercased().replacingOccurrences(of: " ", with: "")
            // The block's end: the brace that closes it.
            var depth = 0
            var end = open
            var index = open
            while index < rest.endIndex {
                if rest[index] == "{" { depth += 1 }
                if rest[index] == "}" {
                    depth -= 1
                    if depth == 0 {
                        end = index
                        break
                    }
                }
                index = rest.index(after: index)
            }
            if end == open { break }
            if prelude.contains("prefers-color-scheme:dark") {
                rules += parse(rest[rest.index(after: open)..<end], startingAt: rules.count)
            }
            rest = rest[rest.index(after: end)...]
        }
        return rules
    }

    private static func parse(_ block: Substring, startingAt order: Int) -> [CSSRule] {
        var rules: [CSSRule] = []
        for chunk in block.split(separator: "}") {
            guard let open = chunk.firstIndex(of: "{") else { continue }
            let selectors = chunk[..<open].split(separator: ",").compactMap { selector -> [Compound]? in
                let parts = selector.split(whereSeparator: \.isWhitespace)
                guard !parts.isEmpty else { return nil }
                var compounds: [Compound] = []
                for part in parts {
                    guard let compound = Self.compound(part) else { return nil }
                    compounds.append(compound)
                }
                return compounds
            }
            guard !selectors.isEmpty else { continue }
            var declarations = EmailScan.declarations(String(chunk[chunk.index(after: open)...]))
            if let background = declarations.removeValue(forKey: "background") { declarations["background-color"] = background }
            rules.append(CSSRule(selectors: selectors, declarations: declarations, order: order + rules.count))
        }
        return rules
    }

    private static func compound(_ text: Substring) -> Compound? {
        guard !text.contains(where: { "[]:>+~*()".contains($0) }) else { return nil }
        var compound = Compound(tag: nil, classes: [], id: nil)
        var current = ""
        var kind: Character = "t"
        func flush() -> Bool {
            switch kind {
            case "t": if !current.isEmpty { compound.tag = current.lowercased() }
            case ".": guard !current.isEmpty else { return false }; compound.classes.append(current)
            default: guard !current.isEmpty else { return false }; compound.id = current
            }
            current = ""
            return true
        }
        for character in text {
            if character == "." || character == "#" {
                guard flush() else { return nil }
                kind = character
            } else {
                current.append(character)
            }
        }
        return flush() ? compound : nil
    }

    /// The rules' selectors by what their last part names (a class, else a tag, an id,
    /// or nothing), so that an element is matched only against those that could match it.
    struct Index {
        private var rules: [CSSRule] = []
        /// (rule, selector) by `.class`, `tag`, `#id` or `*`.
        private var byKey: [String: [(rule: Int, selector: Int)]] = [:]

        mutating func add(_ more: [CSSRule]) {
            for rule in more {
                let number = rules.count
                rules.append(rule)
                for (index, selector) in rule.selectors.enumerated() {
                    guard let last = selector.last else { continue }
                    let key = last.classes.first.map { "." + $0 } ?? last.tag ?? last.id.map { "#" + $0 } ?? "*"
                    byKey[key, default: []].append((number, index))
                }
            }
        }

        /// The selectors whose last part may match an element with this name, classes and id.
        func candidates(name: String, classes: [String], id: String?) -> [(rule: Int, selector: Int)] {
            guard !byKey.isEmpty else { return [] }
            var found = (byKey[name] ?? []) + (byKey["*"] ?? [])
            for name in classes { found += byKey["." + name] ?? [] }
            if let id { found += byKey["#" + id] ?? [] }
            return found
        }

        /// The value the rules give `property` on the last element of `ancestry` (from the
        /// root): the most specific matching selector's, the later on a tie.
        func value(of property: String, among candidates: [(rule: Int, selector: Int)], for ancestry: [(String, [String], String?)]) -> String? {
            guard let element = ancestry.last else { return nil }
            var best: (specificity: Int, order: Int, value: String)? = nil
            for candidate in candidates {
                let rule = rules[candidate.rule]
                guard let value = rule.declarations[property] else { continue }
                let selector = rule.selectors[candidate.selector]
                guard let last = selector.last, last.matches(element) else { continue }
                // The other parts, each on an ancestor, outermost first.
                var remaining = selector.dropLast()
                var index = ancestry.count - 2
                while let part = remaining.last, index >= 0 {
                    if part.matches(ancestry[index]) { remaining.removeLast() }
                    index -= 1
                }
                guard remaining.isEmpty else { continue }
                let specificity = selector.reduce(0) { $0 + $1.specificity }
                if best == nil || specificity > best!.specificity || (specificity == best!.specificity && rule.order > best!.order) {
                    best = (specificity, rule.order, value)
                }
            }
            return best?.value
        }
    }
}
