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
        var walk = Walk(body, sink: HTMLSink(email: email), writer: self)
        walk.write()
        return String(decoding: walk.sink.bytes, as: UTF8.self)
    }

    /// The body as readable text: paragraphs as blocks, list items with a dash, links
    /// followed by their URL, images by their alternative text. Not wrapped.
    func text(_ body: Body) -> String {
        var walk = Walk(body, sink: TextSink(), writer: self)
        walk.write()
        return walk.sink.finish()
    }

    /// A paragraph of inline content, without the line break after it (a summary).
    func paragraph(_ inlines: [Inline], email: EmailStyle? = nil) -> String {
        var html = self.html(Body([.paragraph(inlines)]), email: email)
        if html.utf8.last == UInt8(ascii: "\n") { html.removeLast() }
        return html
    }

    /// The `href` of a site URL from this page, escaped as cmark-gfm escapes it.
    func href(site path: String, isPage: Bool, suffix: String) -> String {
        // An image made again: its copy (`PublishedImages`), never the original.
        let published = isPage ? nil : linker.images?.variants(encoded: path).map { encodePath($0.copy(linker.imageCopy).path) }
        return linker.root + escapeHref(published ?? path) + (isPage && !linker.isAbsolute ? "index.html" : "") + escapeHref(suffix)
    }

    /// What the web's `<source>` of an image made again says: its copies by width and the
    /// width they are shown at.
    func sourceAttributes(_ variants: ImageVariants) -> String {
        let srcset = ImageVariants.srcset(variants.webp) { linker.root + escapeHref(encodePath($0)) }
        return " type=\"image/webp\" srcset=\"\(srcset)\" sizes=\"\(ImageVariants.bodySizes)\""
    }

    /// What its `<img>` says besides `src`: its size, and that it loads when near.
    func imageAttributes(_ variants: ImageVariants) -> String {
        " width=\"\(variants.widest.width)\" height=\"\(variants.widest.height)\" loading=\"lazy\" decoding=\"async\""
    }
}

/// What a body is written to: tags, text and the line breaks cmark-gfm puts between blocks.
private protocol BodySink {
    /// `attributes` as written in HTML (each with its leading space); `url` is the
    /// `href` or `src` as written there, `alt` the alternative text unescaped.
    mutating func start(_ name: String, attributes: String, url: String?, alt: String?, selfClosing: Bool)
    mutating func end(_ name: String)
    /// Text, unescaped, as UTF-8.
    mutating func text(_ text: ArraySlice<UInt8>)
    /// HTML an editor wrote, as kept.
    mutating func raw(_ html: String)
}

/// One walk over an encoded body (`BodyEncoding`), writing each node as it is read.
private struct Walk<Sink: BodySink> {
    typealias Tag = BodyEncoding.Tag
    private let bytes: [UInt8]
    private var offset = 0
    var sink: Sink
    private let writer: BodyWriter
    /// Whether nothing was written yet, and whether the last byte was a line break: where
    /// cmark-gfm puts a line break before a block.
    private var isEmpty = true
    private var atLineStart = false
    /// Set while a footnote list is open; closed after the last block.
    private var footnotesOpen = false
    private var tableBodyOpen = false

    init(_ body: Body, sink: Sink, writer: BodyWriter) {
        bytes = body.bytes
        self.sink = sink
        self.writer = writer
    }

    mutating func write() {
        blocks()
        if footnotesOpen {
            end("ol")
            newline()
            end("section")
            newline()
        }
    }

    // MARK: Reading

    private mutating func byte() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func number() -> Int {
        var value = 0
        var shift = 0
        while true {
            let next = byte()
            value |= Int(next & 0x7F) << shift
            if next < 0x80 { return value }
            shift += 7
        }
    }

    private mutating func run() -> ArraySlice<UInt8> {
        let count = number()
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    private mutating func string() -> String { String(decoding: run(), as: UTF8.self) }

    /// A URL's `href` from this page.
    /// An image's `src`, and its copies when it was made again.
    private mutating func imageURL() -> (String, ImageVariants?) {
        let tag = byte()
        if tag == Tag.writtenURL { return (escapeHref(string()), nil) }
        let path = string()
        let suffix = string()
        let variants = tag == Tag.pageURL ? nil : writer.linker.images?.variants(encoded: path)
        return (writer.href(site: path, isPage: tag == Tag.pageURL, suffix: suffix), variants)
    }

    private mutating func url() -> String {
        let tag = byte()
        if tag == Tag.writtenURL { return escapeHref(string()) }
        let path = string()
        return writer.href(site: path, isPage: tag == Tag.pageURL, suffix: string())
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

    private mutating func text(_ text: ArraySlice<UInt8>) {
        guard let last = text.last else { return }
        sink.text(text)
        wrote(endingLine: last == UInt8(ascii: "\n"))
    }

    private mutating func text(_ text: String) {
        self.text(Array(text.utf8)[...])
    }

    private mutating func newline() {
        sink.text([UInt8(ascii: "\n")])
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

    private mutating func blocks(tight: Bool = false) {
        for _ in 0..<number() { block(tight: tight) }
    }

    private mutating func block(tight: Bool) {
        switch byte() {
        case Tag.paragraph:
            paragraph(tight: tight)
        case Tag.heading:
            let level = number()
            let id = string()
            cr()
            let name = "h\(level)"
            start(name, attributes: writer.headingIDs && !id.isEmpty ? " id=\"\(escapeHTML(id))\"" : "")
            inlines()
            end(name)
            newline()
        case Tag.quote:
            cr()
            start("blockquote")
            newline()
            blocks()
            cr()
            end("blockquote")
            newline()
        case Tag.list:
            list()
        case Tag.code:
            let language = string()
            cr()
            start("pre")
            start("code", attributes: language.isEmpty ? "" : " class=\"language-\(escapeHTML(language))\"")
            text(run())
            end("code")
            end("pre")
            newline()
        case Tag.html:
            cr()
            raw(TagFilter.filtering(block: string()))
            cr()
        case Tag.rule:
            cr()
            start("hr", selfClosing: true)
            newline()
        case Tag.table:
            table()
        case Tag.footnotes, Tag.titledFootnotes:
            footnotes(titled: bytes[offset - 1] == Tag.titledFootnotes)
        default:
            break
        }
    }

    /// A paragraph; in a tight list, its text alone. `backref` ends the last paragraph of a note.
    private mutating func paragraph(tight: Bool, backref: (id: String, count: Int, label: String)? = nil) {
        if tight {
            inlines()
            return
        }
        cr()
        start("p")
        inlines()
        if let backref {
            text(" ")
            self.backref(backref)
        }
        end("p")
        newline()
    }

    private mutating func list() {
        let start = number()
        let isTight = byte() == 1
        cr()
        let name = start == 0 ? "ul" : "ol"
        self.start(name, attributes: start == 0 || start == 2 ? "" : " start=\"\(start - 1)\"")
        newline()
        for _ in 0..<number() {
            let task = byte()
            cr()
            self.start("li")
            if task != 0 {
                self.start("input", attributes: task == 2 ? " type=\"checkbox\" checked=\"\" disabled=\"\"" : " type=\"checkbox\" disabled=\"\"", selfClosing: true)
                text(" ")
            }
            blocks(tight: isTight)
            end("li")
            newline()
        }
        end(name)
        newline()
    }

    private mutating func table() {
        var alignments: [String] = []
        for _ in 0..<number() {
            switch byte() {
            case 1: alignments.append(" align=\"left\"")
            case 2: alignments.append(" align=\"center\"")
            case 3: alignments.append(" align=\"right\"")
            default: alignments.append("")
            }
        }
        cr()
        start("table")
        tableBodyOpen = false
        row(alignments, isHeader: true)
        for _ in 0..<number() { row(alignments, isHeader: false) }
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

    private mutating func row(_ alignments: [String], isHeader: Bool) {
        let cells = number()
        // A table always has a header row: none is a table without one, written as such.
        guard cells > 0 || !isHeader else { return }
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
        for index in 0..<cells {
            cr()
            start(name, attributes: index < alignments.count ? alignments[index] : "")
            inlines()
            end(name)
        }
        cr()
        end("tr")
        if isHeader {
            cr()
            end("thead")
        }
    }

    private mutating func footnotes(titled: Bool) {
        let title = titled ? string() : nil
        let label = string()
        if !footnotesOpen {
            start("section", attributes: " class=\"footnotes\" data-footnotes")
            newline()
            if let title {
                start("h2", attributes: " class=\"footnotes-title\"")
                text(title)
                end("h2")
                newline()
            }
            start("ol")
            newline()
            footnotesOpen = true
        }
        for _ in 0..<number() {
            let id = string()
            let references = number()
            start("li", attributes: " id=\"fn-\(id)\"")
            newline()
            // The way back ends the last paragraph, or follows the note.
            let count = number()
            var wroteBackref = false
            for index in 0..<count {
                if index == count - 1, bytes[offset] == Tag.paragraph {
                    offset += 1
                    paragraph(tight: false, backref: (id, references, label))
                    wroteBackref = true
                } else {
                    block(tight: false)
                }
            }
            if !wroteBackref {
                backref((id, references, label))
                newline()
            }
            end("li")
            newline()
        }
    }

    /// The ways back to each reference, after the note.
    private mutating func backref(_ note: (id: String, count: Int, label: String)) {
        let attributes = "\" class=\"footnote-backref\" data-footnote-backref aria-label=\"\(escapeHTML(note.label))\""
        start("a", attributes: " href=\"#fnref-\(note.id)" + attributes, url: "#fnref-\(note.id)")
        text("↩")
        end("a")
        guard note.count > 1 else { return }
        for occurrence in 2...note.count {
            text(" ")
            start("a", attributes: " href=\"#fnref-\(note.id)-\(occurrence)" + attributes, url: "#fnref-\(note.id)-\(occurrence)")
            text("↩")
            start("sup", attributes: " class=\"footnote-ref\"")
            text("\(occurrence)")
            end("sup")
            end("a")
        }
    }

    // MARK: Inlines

    private mutating func inlines() {
        for _ in 0..<number() { inline() }
    }

    private mutating func inline() {
        switch byte() {
        case Tag.text: text(run())
        case Tag.lineBreak:
            start("br", selfClosing: true)
            newline()
        case Tag.inlineCode:
            start("code")
            text(run())
            end("code")
        case Tag.inlineHTML:
            raw(TagFilter.filtering(tag: string()))
        case Tag.emphasis: wrapped("em")
        case Tag.strong: wrapped("strong")
        case Tag.strikethrough: wrapped("del")
        case Tag.superscript: wrapped("sup")
        case Tag.link:
            let href = url()
            let title = string()
            start("a", attributes: " href=\"\(href)\"" + (title.isEmpty ? "" : " title=\"\(escapeHTML(title))\""), url: href)
            inlines()
            end("a")
        case Tag.image:
            let (src, variants) = imageURL()
            let title = string()
            let alt = string()
            let titled = title.isEmpty ? "" : " title=\"\(escapeHTML(title))\""
            if let variants, writer.linker.imageCopy == .widest {
                // On the web, WebP where the browser reads it, the e-mail's copy elsewhere
                // (the feed and the e-mail name one copy).
                start("picture")
                start("source", attributes: writer.sourceAttributes(variants), selfClosing: true)
                start(
                    "img", attributes: " src=\"\(src)\"" + writer.imageAttributes(variants) + " alt=\"\(escapeHTML(alt))\"" + titled,
                    url: src, alt: alt, selfClosing: true)
                end("picture")
            } else {
                start("img", attributes: " src=\"\(src)\" alt=\"\(escapeHTML(alt))\"" + titled, url: src, alt: alt, selfClosing: true)
            }
        case Tag.footnoteReference:
            let id = string()
            let number = string()
            let occurrence = self.number()
            start("sup", attributes: " class=\"footnote-ref\"")
            start("a", attributes: " href=\"#fn-\(id)\" id=\"fnref-\(id)\(occurrence > 1 ? "-\(occurrence)" : "")\" data-footnote-ref", url: "#fn-\(id)")
            text(number)
            end("a")
            end("sup")
        default:
            break
        }
    }

    private mutating func wrapped(_ name: String) {
        start(name)
        inlines()
        end(name)
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
        let (attributes, style) = email.decorating(name, attributes: attributes, imageURL: url)
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
    mutating func text(_ text: ArraySlice<UInt8>) {
        appendEscapingHTML(text, to: &bytes)
    }

    mutating func raw(_ html: String) {
        guard let email else {
            bytes += html.utf8
            return
        }
        // An editor's own HTML: its tags get the same styles as Bulletin's.
        bytes += email.style(html).utf8
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

    mutating func text(_ text: ArraySlice<UInt8>) {
        output.text(String(decoding: text, as: UTF8.self))
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
