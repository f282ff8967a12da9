import CBulletinCmark
import CCmarkGFM
import Foundation

/// What to do with a URL written in Markdown.
enum URLResolution: Equatable {
    case keep
    case replace(BodyURL)
    case drop(Diagnostic)
    case replaceWarning(BodyURL, Diagnostic)
}

/// The one place that talks to cmark-gfm: parses a Markdown body, walks its syntax tree
/// to resolve paths, filter raw HTML and typeset the text, and makes it a `Body`.
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
    var footnotesTitle: String? = "Notes"
    /// Set by tests: gets cmark-gfm's own HTML of the document the body is made from.
    var oracle: ((String) -> Void)? = nil
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
        var siteURLs: [OpaquePointer: BodyURL] = [:]
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
                case .replace(let newURL): siteURLs[node] = newURL
                case .drop(let diagnostic):
                    diagnostics.append(diagnostic)
                    cmark_node_set_url(node, "")
                case .replaceWarning(let newURL, let diagnostic):
                    diagnostics.append(diagnostic)
                    siteURLs[node] = newURL
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
        let tree = BodyTree(
            headingIDs: Dictionary(uniqueKeysWithValues: zip(headings, Self.headingSlugs(headings).map { headingPrefix + $0 })),
            siteURLs: siteURLs, footnotePrefix: footnotePrefix,
            footnoteLabels: (title: footnotesTitle, back: footnoteBackLabel))

        // The teaser is what stands before `<!--more-->`; find its top-level block first.
        var teaserEnd: OpaquePointer?
        var teaserIncludesEnd = false
        if var block = moreMarker {
            while let parent = cmark_node_parent(block), parent != document { block = parent }
            teaserEnd = block
            teaserIncludesEnd = cmark_node_get_type(block) == CMARK_NODE_PARAGRAPH
        }
        for node in removals { cmark_node_unlink(node); cmark_node_free(node) }

        var rendered = RenderedMarkdown()
        var firstParagraph: OpaquePointer?
        var teaser: [OpaquePointer] = []
        var child = cmark_node_first_child(document)
        while let node = child {
            if firstParagraph == nil, cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH { firstParagraph = node }
            if let end = teaserEnd {
                if node != end || teaserIncludesEnd { teaser.append(node) }
                if node == end { teaserEnd = nil }
            }
            child = cmark_node_next(node)
        }
        // The paragraph that holds `<!--more-->` is in the teaser, marker included (a comment).
        rendered.teaser = tree.body(of: teaser)
        if let paragraph = firstParagraph {
            if rendered.teaser.isEmpty { rendered.teaser = tree.body(of: [paragraph]) }
            if let pointer = cmark_render_plaintext(paragraph, 0, 0) {
                rendered.firstParagraphText = Self.collapsingLineBreaks(pointer)
                free(pointer)
            }
        }
        if let moreMarker {
            cmark_node_unlink(moreMarker)
            cmark_node_free(moreMarker)
        }
        var blocks: [OpaquePointer] = []
        child = cmark_node_first_child(document)
        while let node = child {
            blocks.append(node)
            child = cmark_node_next(node)
        }
        rendered.body = tree.body(of: blocks)
        if let oracle, let pointer = cmark_render_html(document, CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES, cmark_parser_get_syntax_extensions(parser)) {
            oracle(String(cString: pointer))
            free(pointer)
        }
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
                if segments.count == 1, case .text(let set) = segments[0] {
                    // Most text needs nothing: `segments` hands the same string back, and
                    // comparing it with itself is one check (setting it copied it in cmark).
                    if set != text { cmark_node_set_literal(node, set) }
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
}

/// cmark-gfm's syntax tree, once typeset and resolved, made a `Body`: what its HTML
/// renderer reads of each node, nothing more.
private struct BodyTree {
    /// Each heading's id, prefix included.
    let headingIDs: [OpaquePointer: String]
    /// Links and images that lead into the site, as resolved.
    let siteURLs: [OpaquePointer: BodyURL]
    let footnotePrefix: String
    let footnoteLabels: (title: String?, back: String)

    func body(of nodes: [OpaquePointer]) -> Body {
        var blocks: [Block] = []
        blocks.reserveCapacity(nodes.count)
        var notes: [Footnotes.Note] = []
        for node in nodes {
            if cmark_node_get_type(node) == CMARK_NODE_FOOTNOTE_DEFINITION {
                notes.append(note(node))
                continue
            }
            flush(&notes, into: &blocks)
            blocks.append(block(node))
        }
        flush(&notes, into: &blocks)
        return Body(blocks)
    }

    /// Definitions stand together at the end of a document, in one list.
    private func flush(_ notes: inout [Footnotes.Note], into blocks: inout [Block]) {
        guard !notes.isEmpty else { return }
        blocks.append(.footnotes(Footnotes(title: footnoteLabels.title, backLabel: footnoteLabels.back, notes: notes)))
        notes = []
    }

    private func blocks(in parent: OpaquePointer) -> [Block] {
        var blocks: [Block] = []
        var child = cmark_node_first_child(parent)
        while let node = child {
            blocks.append(block(node))
            child = cmark_node_next(node)
        }
        return blocks
    }

    private func block(_ node: OpaquePointer) -> Block {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_PARAGRAPH:
            return .paragraph(inlines(in: node))
        case CMARK_NODE_HEADING:
            return .heading(level: Int(cmark_node_get_heading_level(node)), id: headingIDs[node] ?? "", inlines(in: node))
        case CMARK_NODE_BLOCK_QUOTE:
            return .quote(blocks(in: node))
        case CMARK_NODE_LIST:
            var items: [BodyList.Item] = []
            var child = cmark_node_first_child(node)
            while let item = child {
                let task = cmark_node_get_syntax_extension(item) != nil ? cmark_gfm_extensions_get_tasklist_item_checked(item) : nil
                items.append(BodyList.Item(task: task, blocks: blocks(in: item)))
                child = cmark_node_next(item)
            }
            let start = cmark_node_get_list_type(node) == CMARK_BULLET_LIST ? nil : Int(cmark_node_get_list_start(node))
            return .list(BodyList(start: start, isTight: cmark_node_get_list_tight(node) != 0, items: items))
        case CMARK_NODE_CODE_BLOCK:
            let info = Array((cmark_node_get_fence_info(node).map { String(cString: $0) } ?? "").utf8)
            // cmark-gfm's class is the info string up to its first white space.
            let language = info.prefix { ![0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) }
            return .code(language: String(decoding: language, as: UTF8.self), text: literal(node))
        case CMARK_NODE_HTML_BLOCK:
            return .html(literal(node))
        case CMARK_NODE_THEMATIC_BREAK:
            return .rule
        case CMARK_NODE_FOOTNOTE_DEFINITION:
            return .footnotes(Footnotes(title: footnoteLabels.title, backLabel: footnoteLabels.back, notes: [note(node)]))
        default:
            return table(node) ?? .paragraph(inlines(in: node))
        }
    }

    private func table(_ node: OpaquePointer) -> Block? {
        guard let type = cmark_node_get_type_string(node), strcmp(type, "table") == 0 else { return nil }
        let columns = Int(cmark_gfm_extensions_get_table_columns(node))
        let alignments = cmark_gfm_extensions_get_table_alignments(node).map { pointer in
            (0..<columns).map { index -> BodyTable.Alignment in
                switch pointer[index] {
                case UInt8(ascii: "l"): .left
                case UInt8(ascii: "c"): .center
                case UInt8(ascii: "r"): .right
                default: .none
                }
            }
        } ?? []
        var table = BodyTable(alignments: alignments, header: [], rows: [])
        var row = cmark_node_first_child(node)
        while let current = row {
            var cells: [[Inline]] = []
            var cell = cmark_node_first_child(current)
            while let currentCell = cell {
                cells.append(inlines(in: currentCell))
                cell = cmark_node_next(currentCell)
            }
            if cmark_gfm_extensions_get_table_row_is_header(current) != 0 { table.header = cells } else { table.rows.append(cells) }
            row = cmark_node_next(current)
        }
        return .table(table)
    }

    private func note(_ node: OpaquePointer) -> Footnotes.Note {
        var length: Int32 = 0
        let label = bulletin_footnote_label(node, &length)
        let written = label.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self) } ?? ""
        return Footnotes.Note(
            id: id(written), referenceCount: Int(bulletin_footnote_reference_count(node)),
            blocks: blocks(in: node))
    }

    /// cmark-gfm cuts text at every character an extension or a delimiter may start with
    /// (`'`, `:`, `w`, `_`…): adjacent runs are joined, and so are line breaks (written `\n`
    /// either way). A third of the nodes of French prose.
    private func inlines(in parent: OpaquePointer) -> [Inline] {
        var inlines: [Inline] = []
        var pending: String?
        var child = cmark_node_first_child(parent)
        while let node = child {
            child = cmark_node_next(node)
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_SOFTBREAK {
                let run = type == CMARK_NODE_TEXT ? literal(node) : "\n"
                if pending == nil { pending = run } else { pending! += run }
                continue
            }
            if let text = pending {
                inlines.append(.text(text))
                pending = nil
            }
            if let inline = inline(node) { inlines.append(inline) }
        }
        if let text = pending { inlines.append(.text(text)) }
        return inlines
    }

    /// Any inline but text and soft line breaks, which `inlines(in:)` joins.
    private func inline(_ node: OpaquePointer) -> Inline? {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_CODE: return .code(literal(node))
        case CMARK_NODE_HTML_INLINE: return .html(literal(node))
        case CMARK_NODE_EMPH: return .emphasis(inlines(in: node))
        case CMARK_NODE_STRONG: return .strong(inlines(in: node))
        case CMARK_NODE_CUSTOM_INLINE: return .superscript(inlines(in: node))
        case CMARK_NODE_LINK: return .link(url(of: node), title: title(of: node), inlines(in: node))
        case CMARK_NODE_IMAGE: return .image(url(of: node), title: title(of: node), alt: plainText(in: node))
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            guard let definition = bulletin_footnote_definition(node) else { return nil }
            var length: Int32 = 0
            let label = bulletin_footnote_label(definition, &length)
            let written = label.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self) } ?? ""
            return .footnoteReference(
                id: id(written), number: escapeHref(literal(node)),
                occurrence: Int(bulletin_footnote_occurrence(node)))
        default:
            // Strikethrough is the one inline extension.
            return .strikethrough(inlines(in: node))
        }
    }

    /// A note's id: cmark-gfm's (its label), after the body's prefix.
    private func id(_ label: String) -> String {
        footnotePrefix.isEmpty ? escapeHref(label) : footnotePrefix + "-" + escapeHref(label)
    }

    /// What cmark-gfm writes of an image's content as its alternative text: the text, code
    /// and raw HTML, line breaks as spaces.
    private func plainText(in parent: OpaquePointer) -> String {
        var text = ""
        var child = cmark_node_first_child(parent)
        while let node = child {
            switch cmark_node_get_type(node) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE: text += literal(node)
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += " "
            case CMARK_NODE_FOOTNOTE_REFERENCE: break
            default: text += plainText(in: node)
            }
            child = cmark_node_next(node)
        }
        return text
    }

    private func literal(_ node: OpaquePointer) -> String {
        cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
    }

    private func title(of node: OpaquePointer) -> String {
        cmark_node_get_title(node).map { String(cString: $0) } ?? ""
    }

    private func url(of node: OpaquePointer) -> BodyURL {
        siteURLs[node] ?? .written(cmark_node_get_url(node).map { String(cString: $0) } ?? "")
    }
}
