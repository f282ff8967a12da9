import Foundation

/// What the build cache stores, written and read field by field (see `BinaryCoding`).

extension BinaryCoding.Sink {
    func int(_ value: Int) { signed(Int64(value)) }
    func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    func optional(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    func optional<T: BinaryCodable>(_ value: T?) {
        bool(value != nil)
        value?.write(to: self)
    }

    func list(_ values: [String]) {
        varint(UInt64(values.count))
        for value in values { string(value) }
    }

    func list<T: BinaryCodable>(_ values: [T]) {
        varint(UInt64(values.count))
        for value in values { value.write(to: self) }
    }
}

extension BinaryCoding.Source {
    func int() throws -> Int { Int(try signed()) }
    func bool() throws -> Bool { try byte() != 0 }
    func optionalString() throws -> String? { try bool() ? try string() : nil }
    func optional<T: BinaryCodable>(_ type: T.Type) throws -> T? { try bool() ? try T(reading: self) : nil }

    func strings() throws -> [String] {
        try (0..<length()).map { _ in try string() }
    }

    func list<T: BinaryCodable>(_ type: T.Type) throws -> [T] {
        try (0..<length()).map { _ in try T(reading: self) }
    }
}

extension Issue: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            Fields(
                slug: try source.string(), number: try source.int(), title: try source.string(), date: try SimpleDate(reading: source),
                summary: try source.optionalString(), cover: try source.optional(ImageRef.self), isDraft: try source.bool(),
                edito: try source.optional(Edito.self), videos: try source.list(Video.self), figures: try source.list(KeyFigure.self),
                agenda: try source.list(AgendaItem.self), articles: try source.list(Article.self), briefs: try source.list(Article.self),
                assets: try source.strings(), source: try MarkdownSource(reading: source),
                numberLocation: try SourceLocation(reading: source), content: try RenderedMarkdown(reading: source)))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(self.slug)
        sink.int(self.number)
        sink.string(self.title)
        self.date.write(to: sink)
        sink.optional(self.summary)
        sink.optional(self.cover)
        sink.bool(self.isDraft)
        sink.optional(self.edito)
        sink.list(self.videos)
        sink.list(self.figures)
        sink.list(self.agenda)
        sink.list(self.articles)
        sink.list(self.briefs)
        sink.list(self.assets)
        self.source.write(to: sink)
        self.numberLocation.write(to: sink)
        self.content.write(to: sink)
    }
}

extension Article: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            slug: try source.string(), title: try source.string(), summary: try source.optionalString(),
            image: try source.optional(ImageRef.self), credit: try source.optionalString(), section: try source.optionalString(),
            tags: try source.strings(), author: try source.optionalString(), contact: try source.optionalString(),
            link: try source.optionalString(), order: try source.bool() ? try source.int() : nil,
            source: try MarkdownSource(reading: source), content: try RenderedMarkdown(reading: source))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(slug)
        sink.string(title)
        sink.optional(summary)
        sink.optional(image)
        sink.optional(credit)
        sink.optional(section)
        sink.list(tags)
        sink.optional(author)
        sink.optional(contact)
        sink.optional(link)
        sink.bool(order != nil)
        if let order { sink.int(order) }
        source.write(to: sink)
        content.write(to: sink)
    }
}

extension RenderedMarkdown: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        // Not decoded to be checked: every file that holds bodies is checked whole against
        // its digest before it is read (`BuildCache.completed`), and writers walk the bytes.
        let firstParagraphText = try source.string()
        self.init(body: Body(encoded: try source.raw()), teaser: Body(encoded: try source.raw()), firstParagraphText: firstParagraphText)
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(firstParagraphText)
        sink.raw(body.bytes)
        sink.raw(teaser.bytes)
    }
}

extension MarkdownSource: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            path: try source.string(), text: try source.string(), firstLine: try source.int(),
            stamp: try source.optional(FileStamp.self))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        sink.string(text)
        sink.int(firstLine)
        sink.optional(stamp)
    }
}

extension FileStamp: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            device: UInt64(bitPattern: try source.signed()), inode: UInt64(bitPattern: try source.signed()), size: try source.signed(),
            modified: try source.signed(), changed: try source.signed())
    }

    func write(to sink: BinaryCoding.Sink) {
        for field in [Int64(bitPattern: device), Int64(bitPattern: inode), size, modified, changed] { sink.signed(field) }
    }
}

extension SourceLocation: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(path: try source.string(), line: try source.int(), column: try source.int())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        sink.int(line)
        sink.int(column)
    }
}

extension SimpleDate: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        guard let date = SimpleDate(year: try source.int(), month: try source.int(), day: try source.int()) else {
            throw BinaryCoding.Failure(description: "bad date")
        }
        self = date
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.int(year)
        sink.int(month)
        sink.int(day)
    }
}

extension ImageRef: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(path: try source.string(), alt: try source.string())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        sink.string(alt)
    }
}

extension Edito: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            title: try source.optionalString(), author: try source.optionalString(), role: try source.optionalString(),
            photo: try source.optionalString())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.optional(title)
        sink.optional(author)
        sink.optional(role)
        sink.optional(photo)
    }
}

extension Video: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        let title = try source.string()
        let kind = try source.byte()
        let videoSource: Source
        switch kind {
        case 0: videoSource = .hosted(provider: try source.string(), watchURL: try source.string())
        case 1: videoSource = .local(path: try source.string(), mimeType: try source.string())
        case 2: videoSource = .link(url: try source.string())
        default: throw BinaryCoding.Failure(description: "no video source \(kind)")
        }
        self.init(title: title, source: videoSource, poster: try source.optionalString(), linkText: try source.optionalString())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(title)
        switch source {
        case .hosted(let provider, let watchURL):
            sink.bytes.append(0)
            sink.string(provider)
            sink.string(watchURL)
        case .local(let path, let mimeType):
            sink.bytes.append(1)
            sink.string(path)
            sink.string(mimeType)
        case .link(let url):
            sink.bytes.append(2)
            sink.string(url)
        }
        sink.optional(poster)
        sink.optional(linkText)
    }
}

extension KeyFigure: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(value: try source.string(), label: try source.string(), source: try source.optionalString())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(value)
        sink.string(label)
        sink.optional(source)
    }
}

extension AgendaItem: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            date: try SimpleDate(reading: source), time: try source.optionalString(), title: try source.string(),
            place: try source.optionalString())
    }

    func write(to sink: BinaryCoding.Sink) {
        date.write(to: sink)
        sink.optional(time)
        sink.string(title)
        sink.optional(place)
    }
}

// MARK: The index

extension BuildCache.Snapshot: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            binary: try source.string(), contentSettings: try source.varint(), theme: try source.varint(),
            folders: try source.list(BuildCache.FolderRecord.self), pages: try source.list(BuildCache.PageRecord.self),
            output: try source.raw(), sourceFolders: try source.list(ListedFolder.self),
            summary: try BuildCache.Summary(reading: source))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(binary)
        sink.varint(contentSettings)
        sink.varint(theme)
        sink.list(folders)
        sink.list(pages)
        sink.raw(output)
        sink.list(sourceFolders)
        summary.write(to: sink)
    }
}

extension BuildCache.OutputSnapshot: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            files: try source.list(BuildCache.OutputRecord.self), folders: try source.list(ListedFolder.self),
            copies: BuildCache.Copies(count: try source.int(), digest: try source.varint()))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.list(files)
        sink.list(folders)
        sink.int(copies.count)
        sink.varint(copies.digest)
    }
}

extension BuildCache.Summary: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            inputs: try source.varint(), diagnostics: try source.list(Diagnostic.self), issueCount: try source.int(),
            pageCount: try source.int(), fileCount: try source.int(), largestEmail: try source.optionalString(),
            largestEmailBytes: try source.int(), pageSets: try source.int())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.varint(inputs)
        sink.list(diagnostics)
        for count in [issueCount, pageCount, fileCount] { sink.int(count) }
        sink.optional(largestEmail)
        sink.int(largestEmailBytes)
        sink.int(pageSets)
    }
}

extension ListedFolder: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(path: try source.string(), stamp: try FileStamp(reading: source), names: try source.strings())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        stamp.write(to: sink)
        sink.list(names)
    }
}

extension BuildCache.FolderRecord: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            name: try source.string(), files: try source.list(BuildCache.StampedFile.self), symbolicLinks: try source.strings(),
            digest: try source.varint(), loadDiagnostics: try source.list(Diagnostic.self), diagnostics: try source.list(Diagnostic.self),
            contentDigest: try source.varint(), anchors: try source.list(ContentRenderer.AnchorCheck.self),
            dependencies: try source.strings(), published: try source.bool(), renderKey: try source.bool() ? try source.int() : nil,
            outputs: try source.strings(), email: EmailCheck(findings: try source.list(Diagnostic.self), htmlPartBytes: try source.int()))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(name)
        sink.list(files)
        sink.list(symbolicLinks)
        sink.varint(digest)
        sink.list(loadDiagnostics)
        sink.list(diagnostics)
        sink.varint(contentDigest)
        sink.list(anchors)
        sink.list(dependencies)
        sink.bool(published)
        sink.bool(renderKey != nil)
        if let renderKey { sink.int(renderKey) }
        sink.list(outputs)
        sink.list(email.findings)
        sink.int(email.htmlPartBytes)
    }
}

extension BuildCache.StampedFile: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(path: try source.string(), stamp: try FileStamp(reading: source), imageSize: try source.optional(ImageSize.self))
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        stamp.write(to: sink)
        sink.optional(imageSize)
    }
}

extension BuildCache.PageRecord: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(path: try source.string(), key: try source.int())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        sink.int(key)
    }
}

extension BuildCache.OutputRecord: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            path: try source.string(), stamp: try FileStamp(reading: source), digest: try source.varint())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.string(path)
        stamp.write(to: sink)
        sink.varint(digest)
    }
}

extension ImageSize: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(width: try source.int(), height: try source.int())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.int(width)
        sink.int(height)
    }
}

extension Diagnostic: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        let severity: Severity = try source.bool() ? .error : .warning
        let path = try source.optionalString()
        let line = try source.int()
        let column = try source.int()
        self.init(severity, try source.string(), path: path, line: line, column: column)
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.bool(severity == .error)
        sink.optional(path)
        sink.int(line)
        sink.int(column)
        sink.string(message)
    }
}

extension ContentRenderer.AnchorCheck: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(
            location: try SourceLocation(reading: source), page: try source.string(), anchor: try source.string(),
            file: try source.optionalString(), headings: try source.strings())
    }

    func write(to sink: BinaryCoding.Sink) {
        location.write(to: sink)
        sink.string(page)
        sink.string(anchor)
        sink.optional(file)
        sink.list(headings)
    }
}

extension Template: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(nodes: try source.list(Node.self))
    }

    func write(to sink: BinaryCoding.Sink) { sink.list(nodes) }
}

extension Template.Node: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        func blocks() throws -> [String: [Template.Node]] {
            var blocks: [String: [Template.Node]] = [:]
            for _ in 0..<(try source.length()) { blocks[try source.string()] = try source.list(Template.Node.self) }
            return blocks
        }
        switch try source.byte() {
        case 0: self = .text(try source.string())
        case 1: self = .variable(try TemplateName(reading: source), escaped: try source.bool())
        case 2: self = .section(try TemplateName(reading: source), try source.list(Template.Node.self), inverted: try source.bool())
        case 3:
            self = .partial(
                try source.string(), dynamic: try source.bool(), indentation: try source.optionalString(),
                overrides: try source.bool() ? try blocks() : nil)
        case 4: self = .block(try source.string(), default: try source.list(Template.Node.self), indentation: try source.string())
        case 5: self = .blockDefinition(try source.string(), try source.list(Template.Node.self))
        case 6: self = .escaping(try source.bool())
        default: throw BinaryCoding.Failure(description: "unknown template node")
        }
    }

    func write(to sink: BinaryCoding.Sink) {
        func write(_ blocks: [String: [Template.Node]]) {
            sink.varint(UInt64(blocks.count))
            for (name, nodes) in blocks.sorted(by: { $0.key < $1.key }) {
                sink.string(name)
                sink.list(nodes)
            }
        }
        switch self {
        case .text(let text):
            sink.bytes.append(0)
            sink.string(text)
        case .variable(let name, let escaped):
            sink.bytes.append(1)
            name.write(to: sink)
            sink.bool(escaped)
        case .section(let name, let nodes, let inverted):
            sink.bytes.append(2)
            name.write(to: sink)
            sink.list(nodes)
            sink.bool(inverted)
        case .partial(let name, let dynamic, let indentation, let overrides):
            sink.bytes.append(3)
            sink.string(name)
            sink.bool(dynamic)
            sink.optional(indentation)
            sink.bool(overrides != nil)
            if let overrides { write(overrides) }
        case .block(let name, let nodes, let indentation):
            sink.bytes.append(4)
            sink.string(name)
            sink.list(nodes)
            sink.string(indentation)
        case .blockDefinition(let name, let nodes):
            sink.bytes.append(5)
            sink.string(name)
            sink.list(nodes)
        case .escaping(let escaping):
            sink.bytes.append(6)
            sink.bool(escaping)
        }
    }
}

extension TemplateName: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self.init(components: try source.strings(), isAnchored: try source.bool())
    }

    func write(to sink: BinaryCoding.Sink) {
        sink.list(components)
        sink.bool(isAnchored)
    }
}
