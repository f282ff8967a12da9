/// The encoding a `Body` is kept in: each node a tag byte and its fields, in the order
/// the tree declares them; each list of nodes after its count, each text after its length
/// in bytes (varints). `BodyWriter` walks the same bytes.
///
/// Fields that are not nodes or texts: a heading's level and a note's reference count
/// (varints); a list's first number plus one (0 for bullets), then 1 if it is tight, and
/// before each item 0, or 1 for an open task, 2 for a ticked one; a table's alignments as
/// `BodyTable.Alignment` bytes.
enum BodyEncoding {
    static func encode(_ blocks: [Block]) -> [UInt8] {
        let encoder = BodyEncoder(BinaryCoding.Sink())
        encoder.blocks(blocks)
        return encoder.sink.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [Block] {
        try bytes.withUnsafeBytes { raw in
            let decoder = BodyDecoder(BinaryCoding.Source(raw))
            let blocks = try decoder.blocks()
            guard decoder.source.offset == raw.count else { throw BinaryCoding.Failure(description: "trailing bytes in a body") }
            return blocks
        }
    }

    /// Tags of blocks, inlines and URLs.
    enum Tag {
        static let paragraph: UInt8 = 0, heading: UInt8 = 1, quote: UInt8 = 2, list: UInt8 = 3, code: UInt8 = 4, html: UInt8 = 5
        static let rule: UInt8 = 6, table: UInt8 = 7, footnotes: UInt8 = 8, titledFootnotes: UInt8 = 9
        static let text: UInt8 = 0, lineBreak: UInt8 = 2, inlineCode: UInt8 = 3, inlineHTML: UInt8 = 4
        static let emphasis: UInt8 = 5, strong: UInt8 = 6, strikethrough: UInt8 = 7, superscript: UInt8 = 8, link: UInt8 = 9
        static let image: UInt8 = 10, footnoteReference: UInt8 = 11
        static let writtenURL: UInt8 = 0, fileURL: UInt8 = 1, pageURL: UInt8 = 2
    }
}

private struct BodyEncoder {
    let sink: BinaryCoding.Sink

    init(_ sink: BinaryCoding.Sink) { self.sink = sink }

    private func count(_ value: Int) { sink.varint(UInt64(value)) }

    func blocks(_ blocks: [Block]) {
        count(blocks.count)
        for block in blocks { self.block(block) }
    }

    private func block(_ block: Block) {
        switch block {
        case .paragraph(let inlines):
            sink.bytes.append(BodyEncoding.Tag.paragraph)
            self.inlines(inlines)
        case .heading(let level, let id, let inlines):
            sink.bytes.append(BodyEncoding.Tag.heading)
            count(level)
            sink.string(id)
            self.inlines(inlines)
        case .quote(let blocks):
            sink.bytes.append(BodyEncoding.Tag.quote)
            self.blocks(blocks)
        case .list(let list):
            sink.bytes.append(BodyEncoding.Tag.list)
            count(list.start.map { $0 + 1 } ?? 0)
            sink.bytes.append(list.isTight ? 1 : 0)
            count(list.items.count)
            for item in list.items {
                sink.bytes.append(item.task.map { $0 ? 2 : 1 } ?? 0)
                blocks(item.blocks)
            }
        case .code(let language, let text):
            sink.bytes.append(BodyEncoding.Tag.code)
            sink.string(language)
            sink.string(text)
        case .html(let html):
            sink.bytes.append(BodyEncoding.Tag.html)
            sink.string(html)
        case .rule:
            sink.bytes.append(BodyEncoding.Tag.rule)
        case .table(let table):
            sink.bytes.append(BodyEncoding.Tag.table)
            count(table.alignments.count)
            for alignment in table.alignments { sink.bytes.append(alignment.rawValue) }
            cells(table.header)
            count(table.rows.count)
            for row in table.rows { cells(row) }
        case .footnotes(let footnotes):
            sink.bytes.append(footnotes.title == nil ? BodyEncoding.Tag.footnotes : BodyEncoding.Tag.titledFootnotes)
            if let title = footnotes.title { sink.string(title) }
            sink.string(footnotes.backLabel)
            count(footnotes.notes.count)
            for note in footnotes.notes {
                sink.string(note.id)
                count(note.referenceCount)
                blocks(note.blocks)
            }
        }
    }

    private func cells(_ cells: [[Inline]]) {
        count(cells.count)
        for cell in cells { inlines(cell) }
    }

    private func inlines(_ inlines: [Inline]) {
        count(inlines.count)
        for inline in inlines { self.inline(inline) }
    }

    private func inline(_ inline: Inline) {
        switch inline {
        case .text(let text):
            sink.bytes.append(BodyEncoding.Tag.text)
            sink.string(text)
        case .lineBreak: sink.bytes.append(BodyEncoding.Tag.lineBreak)
        case .code(let code):
            sink.bytes.append(BodyEncoding.Tag.inlineCode)
            sink.string(code)
        case .html(let html):
            sink.bytes.append(BodyEncoding.Tag.inlineHTML)
            sink.string(html)
        case .emphasis(let children):
            sink.bytes.append(BodyEncoding.Tag.emphasis)
            inlines(children)
        case .strong(let children):
            sink.bytes.append(BodyEncoding.Tag.strong)
            inlines(children)
        case .strikethrough(let children):
            sink.bytes.append(BodyEncoding.Tag.strikethrough)
            inlines(children)
        case .superscript(let children):
            sink.bytes.append(BodyEncoding.Tag.superscript)
            inlines(children)
        case .link(let url, let title, let children):
            sink.bytes.append(BodyEncoding.Tag.link)
            self.url(url)
            sink.string(title)
            inlines(children)
        case .image(let url, let title, let alt):
            sink.bytes.append(BodyEncoding.Tag.image)
            self.url(url)
            sink.string(title)
            sink.string(alt)
        case .footnoteReference(let id, let number, let occurrence):
            sink.bytes.append(BodyEncoding.Tag.footnoteReference)
            sink.string(id)
            sink.string(number)
            count(occurrence)
        }
    }

    private func url(_ url: BodyURL) {
        switch url {
        case .written(let url):
            sink.bytes.append(BodyEncoding.Tag.writtenURL)
            sink.string(url)
        case .site(let path, let isPage, let suffix):
            sink.bytes.append(isPage ? BodyEncoding.Tag.pageURL : BodyEncoding.Tag.fileURL)
            sink.string(path)
            sink.string(suffix)
        }
    }
}

private struct BodyDecoder {
    let source: BinaryCoding.Source

    init(_ source: BinaryCoding.Source) { self.source = source }

    private func failure() -> BinaryCoding.Failure { BinaryCoding.Failure(description: "bad body at \(source.offset)") }

    /// How many items follow (each at least a byte).
    private func count() throws -> Int { try source.length() }

    private func number() throws -> Int {
        let value = try source.varint()
        guard value <= UInt64(Int.max) else { throw failure() }
        return Int(value)
    }

    func blocks() throws -> [Block] {
        let count = try count()
        var blocks: [Block] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count { blocks.append(try block()) }
        return blocks
    }

    private func block() throws -> Block {
        let tag = try source.byte()
        switch tag {
        case BodyEncoding.Tag.paragraph: return .paragraph(try inlines())
        case BodyEncoding.Tag.heading: return .heading(level: try number(), id: try source.string(), try inlines())
        case BodyEncoding.Tag.quote: return .quote(try blocks())
        case BodyEncoding.Tag.list:
            let start = try source.varint()
            let isTight = try source.byte() == 1
            var items: [BodyList.Item] = []
            for _ in 0..<(try count()) {
                let task = try source.byte()
                items.append(BodyList.Item(task: task == 0 ? nil : task == 2, blocks: try blocks()))
            }
            return .list(BodyList(start: start == 0 ? nil : Int(start) - 1, isTight: isTight, items: items))
        case BodyEncoding.Tag.code: return .code(language: try source.string(), text: try source.string())
        case BodyEncoding.Tag.html: return .html(try source.string())
        case BodyEncoding.Tag.rule: return .rule
        case BodyEncoding.Tag.table:
            var alignments: [BodyTable.Alignment] = []
            for _ in 0..<(try count()) {
                guard let alignment = BodyTable.Alignment(rawValue: try source.byte()) else { throw failure() }
                alignments.append(alignment)
            }
            let header = try cells()
            var rows: [[[Inline]]] = []
            for _ in 0..<(try count()) { rows.append(try cells()) }
            return .table(BodyTable(alignments: alignments, header: header, rows: rows))
        case BodyEncoding.Tag.footnotes, BodyEncoding.Tag.titledFootnotes:
            let title = tag == BodyEncoding.Tag.titledFootnotes ? try source.string() : nil
            let backLabel = try source.string()
            var notes: [Footnotes.Note] = []
            for _ in 0..<(try count()) {
                notes.append(Footnotes.Note(id: try source.string(), referenceCount: try number(), blocks: try blocks()))
            }
            return .footnotes(Footnotes(title: title, backLabel: backLabel, notes: notes))
        default: throw failure()
        }
    }

    private func cells() throws -> [[Inline]] {
        var cells: [[Inline]] = []
        for _ in 0..<(try count()) { cells.append(try inlines()) }
        return cells
    }

    private func inlines() throws -> [Inline] {
        let count = try count()
        var inlines: [Inline] = []
        inlines.reserveCapacity(count)
        for _ in 0..<count { inlines.append(try inline()) }
        return inlines
    }

    private func inline() throws -> Inline {
        switch try source.byte() {
        case BodyEncoding.Tag.text: return .text(try source.string())
        case BodyEncoding.Tag.lineBreak: return .lineBreak
        case BodyEncoding.Tag.inlineCode: return .code(try source.string())
        case BodyEncoding.Tag.inlineHTML: return .html(try source.string())
        case BodyEncoding.Tag.emphasis: return .emphasis(try inlines())
        case BodyEncoding.Tag.strong: return .strong(try inlines())
        case BodyEncoding.Tag.strikethrough: return .strikethrough(try inlines())
        case BodyEncoding.Tag.superscript: return .superscript(try inlines())
        case BodyEncoding.Tag.link: return .link(try url(), title: try source.string(), try inlines())
        case BodyEncoding.Tag.image: return .image(try url(), title: try source.string(), alt: try source.string())
        case BodyEncoding.Tag.footnoteReference: return .footnoteReference(id: try source.string(), number: try source.string(), occurrence: try number())
        default: throw failure()
        }
    }

    private func url() throws -> BodyURL {
        switch try source.byte() {
        case BodyEncoding.Tag.writtenURL: return .written(try source.string())
        case BodyEncoding.Tag.fileURL: return .site(path: try source.string(), isPage: false, suffix: try source.string())
        case BodyEncoding.Tag.pageURL: return .site(path: try source.string(), isPage: true, suffix: try source.string())
        default: throw failure()
        }
    }
}
