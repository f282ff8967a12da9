import CCmarkGFM
import Foundation

/// What to do with a URL written in Markdown.
enum URLResolution: Equatable {
    case keep
    case replace(String)
    case drop(Diagnostic)
    case replaceWarning(String, Diagnostic)
}

/// The one place that talks to cmark-gfm: parses a Markdown body, walks its syntax tree
/// to resolve paths and filter raw HTML, and renders HTML.
struct MarkdownRenderer {
    /// Keeps raw HTML that is not on the typographic allowlist (`markdown.unsafe_html`).
    var unsafeHTML = false
    /// Made part of footnote ids so that several bodies can share a page.
    var footnotePrefix = "note"
    /// Sets the text of the document (never code, URLs or HTML); `nil` leaves it as written.
    var typographer: Typographer?
    /// Put before heading ids of bodies that share a page with others (`edito-`).
    var headingPrefix = ""
    /// The accessible label of a footnote's way back (cmark-gfm writes it in English).
    var footnoteBackLabel = "Back to content"
    /// The heading of the footnotes, which cmark-gfm writes as a section without one.
    var footnotesTitle = "Notes"
    /// Decides what each link and image URL becomes.
    var resolveURL: (_ url: String, _ location: SourceLocation) -> URLResolution = { _, _ in .keep }

    private static let registration: Void = cmark_gfm_core_extensions_ensure_registered()
    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    /// A parser with the GitHub extensions and footnotes.
    private static func makeParser() -> OpaquePointer {
        _ = registration
        let parser = cmark_parser_new(CMARK_OPT_FOOTNOTES)!
        for name in extensionNames {
            if let syntaxExtension = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, syntaxExtension)
            }
        }
        return parser
    }

    private static func parse(_ text: String, with parser: OpaquePointer) -> OpaquePointer {
        var text = text
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        // Inlines are parsed in `finish`, which switches the extensions' trigger characters
        // (`:` and `w` for autolinks, `~`) on in a table global to the process, then off:
        // a parse finishing on another thread would switch them off under this one.
        return finishLock.withLock { cmark_parser_finish(parser)! }
    }

    private static let finishLock = NSLock()

    /// Tables cmark would make too big: it pads every row to the header's width, so a
    /// pasted spreadsheet of 3,000 columns over 3,000 rows took 40 s and 2.4 GiB.
    static let maxTableColumns = 200
    static let maxTableCells = 100_000

    /// The first table past the limits, by its delimiter row (`|---|:--:|`), its line in
    /// `text` (from 1), its columns and the cells cmark would make.
    static func oversizedTable(in text: String) -> (line: Int, columns: Int, cells: Int)? {
        var found: (line: Int, columns: Int, cells: Int)?
        var table: (line: Int, columns: Int, rows: Int)?
        var lineNumber = 0
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count, found == nil {
                lineNumber += 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                let line = bytes[start..<end]
                let isBlank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                if var current = table {
                    if isBlank {
                        table = nil
                    } else {
                        current.rows += 1
                        if current.columns * current.rows > maxTableCells {
                            found = (current.line, current.columns, current.columns * current.rows)
                        }
                        table = current
                    }
                } else if !isBlank, line.allSatisfy({ "|-: \t\r".utf8.contains($0) }), line.contains(UInt8(ascii: "|")),
                    line.contains(UInt8(ascii: "-"))
                {
                    let columns = line.split(separator: UInt8(ascii: "|")).filter { $0.contains(UInt8(ascii: "-")) }.count
                    if columns > maxTableColumns {
                        found = (lineNumber, columns, columns)
                    } else {
                        table = (lineNumber, columns, 1)
                    }
                }
                start = end + 1
            }
        }
        return found
    }

    /// Lists, quotes and emphasis nested deeper than this are an error: the e-mail's text
    /// part indents each level, so its size grows with the square of the depth.
    static let maxDepth = 64

    /// The markers that start site URLs (`RenderedMarkdown.rootMarker`) and end page
    /// links (`pageMarker`) are replaced on each page; written by an editor (in a code
    /// span, an external URL), they must stay as written. The renderer puts them only at
    /// the start of an attribute (`href="%BULLETIN-ROOT%/…`) and, for the page marker,
    /// later in such an attribute: any other `%` of theirs becomes `&#37;`, which reads the
    /// same and is replaced by nothing.
    static func neutralizingWrittenMarkers(_ html: String) -> String {
        guard html.containsBytes(of: "%BULLETIN-") else { return html }
        let root = Array(RenderedMarkdown.rootMarker.utf8)
        let page = Array(RenderedMarkdown.pageMarker.utf8)
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        /// Whether the attribute value around `index` started with the root marker.
        var valueStartsWithRoot = false
        var inValue = false
        var index = 0
        func matches(_ marker: [UInt8], at index: Int) -> Bool {
            index + marker.count <= bytes.count && bytes[index..<index + marker.count].elementsEqual(marker)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if !inValue, index > 0, bytes[index - 1] == UInt8(ascii: "=") {
                    inValue = true
                    valueStartsWithRoot = matches(root, at: index + 1)
                    output.append(byte)
                    output += valueStartsWithRoot ? root : []
                    index += valueStartsWithRoot ? 1 + root.count : 1
                    continue
                }
                inValue = false
            } else if byte == UInt8(ascii: "%"), matches(root, at: index) || (matches(page, at: index) && !(inValue && valueStartsWithRoot)) {
                output += Array("&#37;".utf8)
                index += 1
                continue
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The first node nested deeper than `maxDepth`.
    private static func firstTooDeep(_ document: OpaquePointer) -> OpaquePointer? {
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        var depth = 0
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard let node = cmark_iter_get_node(iterator), cmark_node_first_child(node) != nil else { continue }
            if event == CMARK_EVENT_ENTER {
                depth += 1
                if depth > maxDepth { return node }
            } else {
                depth -= 1
            }
        }
        return nil
    }

    func render(_ source: MarkdownSource, diagnostics: inout [Diagnostic]) -> RenderedMarkdown {
        if let table = Self.oversizedTable(in: source.text) {
            diagnostics.append(.error(
                "table too large: \(table.columns) columns, \(table.cells) cells or more (at most \(Self.maxTableColumns) columns and \(Self.maxTableCells) cells); split it or link to a spreadsheet",
                at: SourceLocation(path: source.path, line: source.firstLine + table.line - 1, column: 1)))
            return RenderedMarkdown()
        }
        let parser = Self.makeParser()
        defer { cmark_parser_free(parser) }
        let document = Self.parse(source.text, with: parser)
        defer { cmark_node_free(document) }

        var lineStarts: [Int]?
        // Nodes come in document order: a column is counted on from the last one of the
        // same line (counting each from the line's start made a line of 10,000 links quadratic).
        var lastColumn = (lineStart: -1, byte: 1, column: 1)
        func location(of node: OpaquePointer) -> SourceLocation {
            let line = Int(cmark_node_get_start_line(node))
            let byteColumn = max(Int(cmark_node_get_start_column(node)), 1)
            let starts = lineStarts ?? source.text.lineStartOffsets()
            lineStarts = starts
            let lineStart = starts[min(max(line, 1), starts.count) - 1]
            let column =
                lastColumn.lineStart == lineStart && byteColumn >= lastColumn.byte
                ? lastColumn.column
                    + source.text.scalarCount(fromByte: lineStart + lastColumn.byte - 1, toByte: lineStart + byteColumn - 1)
                : source.text.characterColumn(lineStart: lineStart, byteColumn: byteColumn)
            lastColumn = (lineStart, byteColumn, column)
            return SourceLocation(path: source.path, line: source.firstLine + line - 1, column: column)
        }

        if let deep = Self.firstTooDeep(document) {
            diagnostics.append(.error(
                "lists, quotes or emphasis nested more than \(Self.maxDepth) deep; no reader follows that far (the e-mail's text grew with the square of it)",
                at: location(of: deep)))
            return RenderedMarkdown()
        }

        var removals: [OpaquePointer] = []
        var inlineTags: [OpaquePointer: [(node: OpaquePointer, tag: RawHTML.Tag)]] = [:]
        var moreMarker: OpaquePointer?
        var headings: [OpaquePointer] = []
        var prose: [ProseEvent] = []
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            if typographer != nil { prose.append(Self.proseEvent(for: node)) }
            switch cmark_node_get_type(node) {
            case CMARK_NODE_HEADING:
                headings.append(node)
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                switch resolveURL(url, location(of: node)) {
                case .keep: break
                case .replace(let newURL): cmark_node_set_url(node, newURL)
                case .drop(let diagnostic):
                    diagnostics.append(diagnostic)
                    cmark_node_set_url(node, "")
                case .replaceWarning(let newURL, let diagnostic):
                    diagnostics.append(diagnostic)
                    cmark_node_set_url(node, newURL)
                }
            case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
                let trimmed = literal.trimmingWhitespace()
                if trimmed.lowercased() == "<!--more-->", moreMarker == nil {
                    moreMarker = node  // removed once the teaser is cut
                } else if trimmed.hasPrefix("<!--") {
                    removals.append(node)  // an editor's comment: never shown, never worth a warning
                } else if unsafeHTML {
                    let (clean, removed) = HTMLSanitizer.sanitize(literal)
                    cmark_node_set_literal(node, clean)
                    if !removed.isEmpty {
                        diagnostics.append(.warning(
                            "raw HTML: removed \(removed.joined(separator: ", ")), which a browser could run or which is not allowed",
                            at: location(of: node)))
                    }
                } else if cmark_node_get_type(node) == CMARK_NODE_HTML_INLINE, let tag = RawHTML.Tag(allowed: trimmed) {
                    inlineTags[cmark_node_parent(node), default: []].append((node, tag))
                } else {
                    diagnostics.append(.warning(
                        "raw HTML \(RawHTML.abbreviate(trimmed)) dropped (set markdown.unsafe_html to keep it)",
                        at: location(of: node)))
                    removals.append(node)
                }
            default:
                break
            }
        }
        // Allowed tags must pair up within their paragraph or span, or the page's HTML breaks.
        for tags in inlineTags.values {
            for index in RawHTML.unbalanced(tags.map(\.tag)) {
                let node = tags[index].node
                diagnostics.append(.warning(
                    "raw HTML \(RawHTML.abbreviate(tags[index].tag.source)) dropped: it is not closed or not opened in the same paragraph",
                    at: location(of: node)))
                removals.append(node)
            }
        }

        if let typographer { typeset(prose, with: typographer) }
        markHeadings(headings)
        var rendered = RenderedMarkdown()
        let extensions = cmark_parser_get_syntax_extensions(parser)
        func html(_ node: OpaquePointer) -> String {
            guard let pointer = cmark_render_html(node, CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES, extensions) else { return "" }
            defer { free(pointer) }
            return Self.neutralizingWrittenMarkers(String(cString: pointer))
        }

        // The teaser is what stands before `<!--more-->`; find its top-level block first.
        var teaserEnd: OpaquePointer?
        var teaserIncludesEnd = false
        if var block = moreMarker {
            while let parent = cmark_node_parent(block), parent != document { block = parent }
            teaserEnd = block
            teaserIncludesEnd = cmark_node_get_type(block) == CMARK_NODE_PARAGRAPH
        }
        for node in removals { cmark_node_unlink(node); cmark_node_free(node) }
        let marker = moreMarker

        var firstParagraph: OpaquePointer?
        var teaser = ""
        var child = cmark_node_first_child(document)
        while let node = child {
            if firstParagraph == nil, cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH { firstParagraph = node }
            if let end = teaserEnd {
                if node == end {
                    if teaserIncludesEnd { teaser += html(node) }
                    teaserEnd = nil
                    moreMarker = nil
                } else {
                    teaser += html(node)
                }
            }
            child = cmark_node_next(node)
        }
        if let paragraph = firstParagraph {
            if moreMarker == nil, teaser.isEmpty { teaser = html(paragraph) }
            if let pointer = cmark_render_plaintext(paragraph, 0, 0) {
                rendered.firstParagraphText = Self.collapsingLineBreaks(pointer)
                free(pointer)
            }
        }
        if let marker {
            cmark_node_unlink(marker)
            cmark_node_free(marker)
        }
        rendered.html = prefixFootnotes(identifyHeadings(html(document)))
        rendered.teaserHTML = prefixFootnotes(identifyHeadings(teaser, keepIDs: false))
        return rendered
    }

    /// Plain text on one line: runs of ASCII spaces and line breaks become one space, ends
    /// trimmed. The typographer's no-break spaces stay.
    private static func collapsingLineBreaks(_ text: UnsafePointer<CChar>) -> String {
        var bytes: [UInt8] = []
        var pendingSpace = false
        var index = 0
        while text[index] != 0 {
            let byte = UInt8(bitPattern: text[index])
            index += 1
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace { bytes.append(0x20) }
            pendingSpace = false
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Typography

    /// The syntax tree flattened for the typographer: text to set, and what it must see
    /// past but never change.
    enum ProseEvent {
        case text(OpaquePointer)
        /// Code, raw HTML, a line break: counts as a character before the next text.
        case opaque(Unicode.Scalar)
        /// A new block: quotes and spacing start afresh.
        case block
        case skip
    }

    private static func proseEvent(for node: OpaquePointer) -> ProseEvent {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_TEXT:
            // An autolink's text is its URL.
            if let parent = cmark_node_parent(node), cmark_node_get_type(parent) == CMARK_NODE_LINK,
                let url = cmark_node_get_url(parent), let literal = cmark_node_get_literal(node)
            {
                let text = String(cString: literal)
                let target = String(cString: url)
                if text == target || "mailto:" + text == target || "http://" + text == target { return .opaque("x") }
            }
            return .text(node)
        case CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE: return .opaque("x")
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: return .opaque(" ")
        case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING, CMARK_NODE_ITEM, CMARK_NODE_BLOCK_QUOTE, CMARK_NODE_CODE_BLOCK,
            CMARK_NODE_HTML_BLOCK:
            return .block
        default:
            // Table cells are extension nodes: any other container starts afresh too.
            return cmark_node_first_child(node) != nil && Int32(cmark_node_get_type(node).rawValue) & CMARK_NODE_TYPE_MASK == CMARK_NODE_TYPE_BLOCK
                ? .block : .skip
        }
    }

    private func typeset(_ events: [ProseEvent], with typographer: Typographer) {
        var state = Typographer.State()
        var lastText: OpaquePointer?
        for event in events {
            switch event {
            case .block:
                state = Typographer.State()
                lastText = nil
            case .opaque(let character):
                state.previous = character
                lastText = nil
            case .skip: break
            case .text(let node):
                guard let literal = cmark_node_get_literal(node) else { continue }
                let text = String(cString: literal)
                // `Bel été **!**`: the space to set ends the previous node.
                if let previous = lastText, let first = text.unicodeScalars.first, let space = typographer.spaceBefore(first),
                    let previousLiteral = cmark_node_get_literal(previous)
                {
                    var previousText = String(cString: previousLiteral)
                    if previousText.hasSuffix(" ") {
                        previousText.removeLast()
                        previousText.unicodeScalars.append(space)
                        cmark_node_set_literal(previous, previousText)
                        state.previous = space
                    }
                }
                let segments = typographer.segments(text, state: &state)
                lastText = node
                if segments.count == 1, case .text(let text) = segments[0] {
                    cmark_node_set_literal(node, text)
                    continue
                }
                for segment in segments {
                    switch segment {
                    case .text(let text) where !text.isEmpty:
                        let textNode = cmark_node_new(CMARK_NODE_TEXT)!
                        cmark_node_set_literal(textNode, text)
                        cmark_node_insert_before(node, textNode)
                        lastText = textNode
                    case .superscript(let suffix):
                        let raised = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)!
                        cmark_node_set_on_enter(raised, "<sup>")
                        cmark_node_set_on_exit(raised, "</sup>")
                        let textNode = cmark_node_new(CMARK_NODE_TEXT)!
                        cmark_node_set_literal(textNode, suffix)
                        cmark_node_append_child(raised, textNode)
                        cmark_node_insert_before(node, raised)
                        lastText = nil
                    default: break
                    }
                }
                cmark_node_unlink(node)
                cmark_node_free(node)
            }
        }
    }

    // MARK: Heading anchors

    private static let headingMarkerStart = "<!--bulletin-heading:"
    private static let headingMarkerEnd = "-->"

    /// cmark-gfm writes headings without ids; each heading gets a marker as its first
    /// child, turned into `id="…"` once rendered, so that `#anchors` can target it.
    private func markHeadings(_ headings: [OpaquePointer]) {
        for (heading, slug) in zip(headings, Self.headingSlugs(headings)) {
            guard let marker = cmark_node_new(CMARK_NODE_CUSTOM_INLINE) else { continue }
            cmark_node_set_on_enter(marker, Self.headingMarkerStart + slug + Self.headingMarkerEnd)
            cmark_node_set_on_exit(marker, "")
            cmark_node_prepend_child(heading, marker)
        }
    }

    /// A heading's id is its text as a slug (`## Le programme` → `le-programme`), numbered
    /// from the second time it occurs (`le-programme-2`).
    private static func headingSlugs(_ headings: [OpaquePointer]) -> [String] {
        var used: [String: Int] = [:]
        return headings.map { heading in
            var slug = ""
            if let pointer = cmark_render_plaintext(heading, 0, 0) {
                slug = Slug.make(String(cString: pointer))
                free(pointer)
            }
            if slug.isEmpty { slug = "section" }
            let count = used[slug, default: 0] + 1
            used[slug] = count
            return count > 1 ? slug + "-\(count)" : slug
        }
    }

    /// The ids `render` gives the headings of `text`, without their prefix. Typography
    /// never changes them: it only touches spaces and punctuation, which slugs drop.
    static func headingIDs(of text: String) -> [String] {
        guard oversizedTable(in: text) == nil else { return [] }
        let parser = makeParser()
        defer { cmark_parser_free(parser) }
        let document = parse(text, with: parser)
        defer { cmark_node_free(document) }
        var headings: [OpaquePointer] = []
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            if event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator), cmark_node_get_type(node) == CMARK_NODE_HEADING {
                headings.append(node)
            }
        }
        return headingSlugs(headings)
    }

    /// `<h2><!--bulletin-heading:suite-->` → `<h2 id="prefix-suite">`, or `<h2>` in teasers,
    /// which stand on pages where the ids belong to the article page.
    private func identifyHeadings(_ html: String, keepIDs: Bool = true) -> String {
        guard html.containsBytes(of: Self.headingMarkerStart) else { return html }
        let attributeStart = Array(" id=\"\(headingPrefix)".utf8)
        return html.replacingSpans(from: Self.headingMarkerStart, to: Self.headingMarkerEnd) { slug, output in
            guard keepIDs, output.last == UInt8(ascii: ">") else { return }
            output.removeLast()
            output += attributeStart
            output += slug
            output += [UInt8(ascii: "\""), UInt8(ascii: ">")]
        }
    }

    /// cmark-gfm numbers footnotes `fn-1` in every document; several documents on one
    /// page need distinct ids.
    private func prefixFootnotes(_ html: String) -> String {
        guard html.containsBytes(of: "fnref-") else { return html }
        return html
            .replacingBytes(of: "\"#fn-", with: "\"#fn-\(footnotePrefix)-")
            .replacingBytes(of: "id=\"fn-", with: "id=\"fn-\(footnotePrefix)-")
            .replacingBytes(of: "\"#fnref-", with: "\"#fnref-\(footnotePrefix)-")
            .replacingBytes(of: "id=\"fnref-", with: "id=\"fnref-\(footnotePrefix)-")
            .replacingBytes(of: "aria-label=\"Back to content\"", with: "aria-label=\"\(escapeHTML(footnoteBackLabel))\"")
            .replacingBytes(
                of: "<section class=\"footnotes\" data-footnotes>",
                with: "<section class=\"footnotes\" data-footnotes>\n<h2 class=\"footnotes-title\">\(escapeHTML(footnotesTitle))</h2>")
    }
}
