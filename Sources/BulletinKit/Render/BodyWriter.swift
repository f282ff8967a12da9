/// Writes a `Body` for one page: as HTML for the web and the feed, as HTML with its
/// styles inline for the e-mail, or as the e-mail's text. One walk over the tree, in the
/// order cmark-gfm's HTML renderer writes (so that the web's bytes are cmark-gfm's), feeds
/// a `BodySink`: no output is parsed back.
struct BodyWriter {
    let linker: Linker
    /// Whether headings get their ids: not in a teaser, which stands on another page
    /// than its body's.
    var headingIDs = true

    func html(_ body: Body, email: EmailStyle? = nil) -> String {
        var sink = HTMLSink(email: email)
        var walk = Walk(sink: sink, writer: self)
        walk.blocks(body.blocks)
        walk.closeFootnotes()
        sink = walk.sink
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// The body as readable text: paragraphs as blocks, list items with a dash, links
    /// followed by their URL, images by their alternative text. Not wrapped.
    func text(_ body: Body) -> String {
        var walk = Walk(sink: TextSink(), writer: self)
        walk.blocks(body.blocks)
        walk.closeFootnotes()
        return walk.sink.finish()
    }

    /// A paragraph of inline content, without the line break after it (a summary).
    func paragraph(_ inlines: [Inline], email: EmailStyle? = nil) -> String {
        var walk = Walk(sink: HTMLSink(email: email), writer: self)
        walk.start("p")
        walk.inlines(inlines)
        walk.end("p")
        return String(decoding: walk.sink.bytes, as: UTF8.self)
    }

    /// The `href` of a URL from this page, escaped as cmark-gfm escapes it.
    func href(_ url: BodyURL) -> String {
        switch url {
        case .written(let url):
            return escapeHref(url)
        case .site(let path, let isPage, let suffix):
            return linker.root + escapeHref(path) + (isPage && !linker.isAbsolute ? "index.html" : "") + escapeHref(suffix)
        }
    }
}

/// The inline styles of the e-mail, by tag name (the theme's `email-styles.yml`), and
/// the sizes its images are shown at.
struct EmailStyle: Sendable {
    let styles: [String: String]
    /// Image sizes by absolute URL.
    let imageSizes: [String: ImageSize]
    /// Widest an image may be in the content column.
    let maxImageWidth: Int
}

/// What a body is written to: tags, text and the line breaks cmark-gfm puts between blocks.
private protocol BodySink {
    /// `attributes` as written in HTML (each with its leading space); `url` is the
    /// `href` or `src` as written there, `alt` the alternative text unescaped.
    mutating func start(_ name: String, attributes: String, url: String?, alt: String?, selfClosing: Bool)
    mutating func end(_ name: String)
    /// Text, unescaped.
    mutating func text(_ text: String)
    /// HTML an editor wrote, as kept.
    mutating func raw(_ html: String)
}

private struct Walk<Sink: BodySink> {
    var sink: Sink
    let writer: BodyWriter
    /// Whether nothing was written yet, and whether the last byte was a line break: where
    /// cmark-gfm puts a line break before a block.
    private var isEmpty = true
    private var atLineStart = false
    /// Set while a footnote list is open; closed after the last block.
    private var footnotesOpen = false
    private var tableBodyOpen = false

    init(sink: Sink, writer: BodyWriter) {
        self.sink = sink
        self.writer = writer
    }

    // MARK: Output

    mutating func start(_ name: String, attributes: String = "", url: String? = nil, alt: String? = nil, selfClosing: Bool = false) {
        sink.start(name, attributes: attributes, url: url, alt: alt, selfClosing: selfClosing)
        wrote(endingLine: false)
    }

    mutating func end(_ name: String) {
        sink.end(name)
        wrote(endingLine: false)
    }

    private mutating func text(_ text: String) {
        guard !text.isEmpty else { return }
        sink.text(text)
        wrote(endingLine: text.utf8.last == UInt8(ascii: "\n"))
    }

    private mutating func newline() {
        sink.text("\n")
        wrote(endingLine: true)
    }

    private mutating func raw(_ html: String) {
        guard !html.isEmpty else { return }
        sink.raw(html)
        wrote(endingLine: html.utf8.last == UInt8(ascii: "\n"))
    }

    private mutating func wrote(endingLine: Bool) {
        isEmpty = false
        atLineStart = endingLine
    }

    /// cmark-gfm's `cr`: a line break unless at the start of a line.
    private mutating func cr() {
        if !isEmpty, !atLineStart { newline() }
    }

    // MARK: Blocks

    mutating func blocks(_ blocks: [Block], tight: Bool = false) {
        for block in blocks { self.block(block, tight: tight) }
    }

    private mutating func block(_ block: Block, tight: Bool) {
        switch block {
        case .paragraph(let inlines):
            paragraph(inlines, tight: tight)
        case .heading(let level, let id, let inlines):
            cr()
            let name = "h\(level)"
            start(name, attributes: writer.headingIDs && !id.isEmpty ? " id=\"\(escapeHTML(id))\"" : "")
            self.inlines(inlines)
            end(name)
            newline()
        case .quote(let blocks):
            cr()
            start("blockquote")
            newline()
            self.blocks(blocks)
            cr()
            end("blockquote")
            newline()
        case .list(let list):
            cr()
            let name = list.start == nil ? "ul" : "ol"
            start(name, attributes: list.start.map { $0 == 1 ? "" : " start=\"\($0)\"" } ?? "")
            newline()
            for item in list.items {
                cr()
                start("li")
                if let checked = item.task {
                    start("input", attributes: checked ? " type=\"checkbox\" checked=\"\" disabled=\"\"" : " type=\"checkbox\" disabled=\"\"", selfClosing: true)
                    text(" ")
                }
                blocks(item.blocks, tight: list.isTight)
                end("li")
                newline()
            }
            end(name)
            newline()
        case .code(let language, let code):
            cr()
            start("pre")
            start("code", attributes: language.isEmpty ? "" : " class=\"language-\(escapeHTML(language))\"")
            text(code)
            end("code")
            end("pre")
            newline()
        case .html(let html):
            cr()
            raw(TagFilter.filtering(block: html))
            cr()
        case .rule:
            cr()
            start("hr", selfClosing: true)
            newline()
        case .table(let table):
            self.table(table)
        case .footnotes(let footnotes):
            self.footnotes(footnotes)
        }
    }

    /// A paragraph; in a tight list, its text alone. `backref` ends the last paragraph of a note.
    private mutating func paragraph(_ inlines: [Inline], tight: Bool, backref: (note: Footnotes.Note, label: String)? = nil) {
        if tight {
            self.inlines(inlines)
            return
        }
        cr()
        start("p")
        self.inlines(inlines)
        if let backref {
            text(" ")
            self.backref(backref.note, label: backref.label)
        }
        end("p")
        newline()
    }

    private mutating func table(_ table: BodyTable) {
        cr()
        start("table")
        tableBodyOpen = false
        if !table.header.isEmpty { row(table.header, of: table, isHeader: true) }
        for cells in table.rows { row(cells, of: table, isHeader: false) }
        if tableBodyOpen {
            cr()
            end("tbody")
            cr()
        }
        tableBodyOpen = false
        cr()
        end("table")
        cr()
    }

    private mutating func row(_ cells: [[Inline]], of table: BodyTable, isHeader: Bool) {
        cr()
        if isHeader {
            start("thead")
            cr()
        } else if !tableBodyOpen {
            start("tbody")
            cr()
            tableBodyOpen = true
        }
        start("tr")
        let name = isHeader ? "th" : "td"
        for (index, cell) in cells.enumerated() {
            cr()
            let alignment = index < table.alignments.count ? table.alignments[index] : .none
            let attributes =
                switch alignment {
                case .none: ""
                case .left: " align=\"left\""
                case .center: " align=\"center\""
                case .right: " align=\"right\""
                }
            start(name, attributes: attributes)
            inlines(cell)
            end(name)
        }
        cr()
        end("tr")
        if isHeader {
            cr()
            end("thead")
        }
    }

    private mutating func footnotes(_ footnotes: Footnotes) {
        if !footnotesOpen {
            start("section", attributes: " class=\"footnotes\" data-footnotes")
            newline()
            if let title = footnotes.title {
                start("h2", attributes: " class=\"footnotes-title\"")
                text(title)
                end("h2")
                newline()
            }
            start("ol")
            newline()
            footnotesOpen = true
        }
        for note in footnotes.notes {
            start("li", attributes: " id=\"fn-\(note.id)\"")
            newline()
            var blocks = note.blocks
            // The way back ends the last paragraph, or follows the note.
            if case .paragraph(let inlines)? = blocks.last {
                blocks.removeLast()
                self.blocks(blocks)
                paragraph(inlines, tight: false, backref: (note, footnotes.backLabel))
            } else {
                self.blocks(blocks)
                backref(note, label: footnotes.backLabel)
                newline()
            }
            end("li")
            newline()
        }
    }

    /// The ways back to each reference, after the note.
    private mutating func backref(_ note: Footnotes.Note, label: String) {
        let attributes = "\" class=\"footnote-backref\" data-footnote-backref aria-label=\"\(escapeHTML(label))\""
        start("a", attributes: " href=\"#fnref-\(note.id)" + attributes, url: "#fnref-\(note.id)")
        text("↩")
        end("a")
        guard note.referenceCount > 1 else { return }
        for occurrence in 2...note.referenceCount {
            text(" ")
            start("a", attributes: " href=\"#fnref-\(note.id)-\(occurrence)" + attributes, url: "#fnref-\(note.id)-\(occurrence)")
            text("↩")
            start("sup", attributes: " class=\"footnote-ref\"")
            text("\(occurrence)")
            end("sup")
            end("a")
        }
    }

    mutating func closeFootnotes() {
        guard footnotesOpen else { return }
        end("ol")
        newline()
        end("section")
        newline()
        footnotesOpen = false
    }

    // MARK: Inlines

    mutating func inlines(_ inlines: [Inline]) {
        for inline in inlines { self.inline(inline) }
    }

    private mutating func inline(_ inline: Inline) {
        switch inline {
        case .text(let text): self.text(text)
        case .softBreak: newline()
        case .lineBreak:
            start("br", selfClosing: true)
            newline()
        case .code(let code):
            start("code")
            text(code)
            end("code")
        case .html(let html):
            // An inline tag is filtered by its start.
            raw(TagFilter.filtering(tag: html))
        case .emphasis(let children): wrapped("em", children)
        case .strong(let children): wrapped("strong", children)
        case .strikethrough(let children): wrapped("del", children)
        case .superscript(let children): wrapped("sup", children)
        case .link(let url, let title, let children):
            let href = writer.href(url)
            let titleAttribute = title.isEmpty ? "" : " title=\"\(escapeHTML(title))\""
            start("a", attributes: " href=\"\(href)\"" + titleAttribute, url: href)
            inlines(children)
            end("a")
        case .image(let url, let title, let children):
            let href = writer.href(url)
            let alt = Self.plainText(children)
            let titleAttribute = title.isEmpty ? "" : " title=\"\(escapeHTML(title))\""
            start(
                "img", attributes: " src=\"\(href)\" alt=\"\(escapeHTML(alt))\"" + titleAttribute, url: href, alt: alt,
                selfClosing: true)
        case .footnoteReference(let id, let number, let occurrence):
            let suffix = occurrence > 1 ? "-\(occurrence)" : ""
            start("sup", attributes: " class=\"footnote-ref\"")
            start("a", attributes: " href=\"#fn-\(id)\" id=\"fnref-\(id)\(suffix)\" data-footnote-ref", url: "#fn-\(id)")
            text(number)
            end("a")
            end("sup")
        }
    }

    private mutating func wrapped(_ name: String, _ children: [Inline]) {
        start(name)
        inlines(children)
        end(name)
    }

    /// An image's alternative text: the text of what it holds, line breaks as spaces.
    private static func plainText(_ inlines: [Inline]) -> String {
        var text = ""
        func add(_ inlines: [Inline]) {
            for inline in inlines {
                switch inline {
                case .text(let run), .code(let run), .html(let run): text += run
                case .softBreak, .lineBreak: text += " "
                case .emphasis(let children), .strong(let children), .strikethrough(let children), .superscript(let children),
                    .link(_, _, let children), .image(_, _, let children):
                    add(children)
                case .footnoteReference: break
                }
            }
        }
        add(inlines)
        return text
    }
}

/// GitHub's tag filter, as cmark-gfm applies it to raw HTML: the `<` of `<script`,
/// `<style`, `<iframe`… becomes `&lt;`.
enum TagFilter {
    /// In a block, wherever it stands.
    static func filtering(block html: String) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8]?
        for index in bytes.indices {
            if bytes[index] == UInt8(ascii: "<"), isFiltered(bytes[index...]) {
                if output == nil { output = Array(bytes[..<index]) }
                output! += "&lt;".utf8
            } else {
                output?.append(bytes[index])
            }
        }
        return output.map { String(decoding: $0, as: UTF8.self) } ?? html
    }

    /// An inline tag, by its start.
    static func filtering(tag html: String) -> String {
        isFiltered(Array(html.utf8.prefix(16))[...]) ? "&lt;" + html.dropFirst() : html
    }

    private static let filteredTags = ["title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext"].map {
        Array($0.utf8)
    }

    /// cmark-gfm's `is_tag`: `<name` or `</name` followed by white space, `>` or `/>`.
    static func isFiltered(_ tag: ArraySlice<UInt8>) -> Bool {
        let tag = Array(tag.prefix(16))
        guard tag.count >= 3, tag[0] == UInt8(ascii: "<") else { return false }
        let nameStart = tag[1] == UInt8(ascii: "/") ? 2 : 1
        for name in filteredTags {
            let end = nameStart + name.count
            // Past the end of the tag, cmark-gfm matches nothing.
            guard end < tag.count else { continue }
            guard zip(name, tag[nameStart..<end]).allSatisfy({ $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }) else { continue }
            let next = tag[end]
            if [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(next) || next == UInt8(ascii: ">") { return true }
            if next == UInt8(ascii: "/"), end + 1 < tag.count, tag[end + 1] == UInt8(ascii: ">") { return true }
        }
        return false
    }
}


// MARK: Sinks

/// HTML bytes; for the e-mail, each start tag with its inline style and each image with
/// the size it is shown at.
private struct HTMLSink: BodySink {
    let email: EmailStyle?
    var bytes: [UInt8] = []

    init(email: EmailStyle?) {
        self.email = email
        bytes.reserveCapacity(1024)
    }

    mutating func start(_ name: String, attributes: String, url: String?, alt: String?, selfClosing: Bool) {
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        guard let email else {
            bytes += attributes.utf8
            if selfClosing { bytes += " />".utf8 } else { bytes.append(UInt8(ascii: ">")) }
            return
        }
        // As the e-mail's styles always were put: after the attributes, before ` />`; a
        // self-closing tag without attributes keeps its space before them (`<hr  style="…"/>`).
        var attributes = attributes
        if name == "img", let url, let size = email.imageSizes[url.replacingBytes(of: "&amp;", with: "&")]?.fitting(email.maxImageWidth) {
            attributes += " width=\"\(size.width)\" height=\"\(size.height)\" class=\"fluid\""
        }
        let style = email.styles[name].flatMap { attributes.containsBytes(of: " style=") ? nil : $0 }
        if selfClosing, attributes.isEmpty {
            bytes += (style.map { "  style=\"\(escapeHTML($0))\"/>" } ?? " />").utf8
            return
        }
        bytes += attributes.utf8
        if let style { bytes += " style=\"\(escapeHTML(style))\"".utf8 }
        if selfClosing { bytes += " />".utf8 } else { bytes.append(UInt8(ascii: ">")) }
    }

    mutating func end(_ name: String) {
        bytes += "</".utf8
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
    }

    /// cmark-gfm's escaping: `&`, `<`, `>` and `"`.
    mutating func text(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let replacement: StaticString
                switch utf8[index] {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }

    mutating func raw(_ html: String) {
        guard let email else {
            bytes += html.utf8
            return
        }
        // An editor's own HTML: its tags get the same styles as Bulletin's.
        bytes += EmailStyler(styles: email.styles, imageSizes: email.imageSizes, maxImageWidth: email.maxImageWidth).style(html).utf8
    }
}

/// The e-mail's text: `PlainText.Builder` fed as the tree is walked.
private struct TextSink: BodySink {
    private var output = PlainText.Builder()

    mutating func start(_ name: String, attributes: String, url: String?, alt: String?, selfClosing: Bool) {
        output.tag(name, closing: false, href: url.map(RawHTML.decodeEntities), alt: alt)
    }

    mutating func end(_ name: String) {
        output.tag(name, closing: true, href: nil, alt: nil)
    }

    mutating func text(_ text: String) {
        output.text(text)
    }

    mutating func raw(_ html: String) {
        output.add(html: html)
    }

    func finish() -> String { output.finish() }
}

/// Percent-encodes a URL for `href` and `src` as cmark-gfm does (`houdini_escape_href`):
/// bytes it deems safe stay, `&` and `'` become entities, every other byte `%XX`.
func escapeHref(_ url: String) -> String {
    guard url.containsByte(where: { !hrefSafe[Int($0)] }) else { return url }
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(url.utf8.count + 16)
    for byte in url.utf8 {
        if hrefSafe[Int(byte)] {
            bytes.append(byte)
        } else if byte == UInt8(ascii: "&") {
            bytes += "&amp;".utf8
        } else if byte == UInt8(ascii: "'") {
            bytes += "&#x27;".utf8
        } else {
            bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// cmark-gfm's `HREF_SAFE` table.
private let hrefSafe: [Bool] = (0..<256).map { byte in
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A, 0x3B, 0x3D, 0x3F, 0x40, 0x5F, 0x7E: true
    default: false
    }
}
