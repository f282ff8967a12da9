/// An image with its mandatory alternative text. `path` is the file's path in the
/// output, relative to its root (`issues/2023-07-lettre-ete/images/cover.jpg`).
public struct ImageRef: Sendable, Hashable {
    public let path: String
    public let alt: String
}

public struct Video: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// A recognised host; `watchURL` is its canonical page.
        case hosted(provider: String, watchURL: String)
        /// A `.mp4`/`.webm` file of the issue, by output path.
        case local(path: String, mimeType: String)
        /// Any other link, shown as a plain link.
        case link(url: String)
    }

    public var title: String
    public var source: Source
    public let poster: String?
    public var linkText: String?
}

public struct KeyFigure: Sendable, Hashable {
    public var value: String
    public var label: String
    public var source: String?
}

public struct AgendaItem: Sendable, Hashable {
    public let date: SimpleDate
    public var time: String?
    public var title: String
    public var place: String?
}

public struct Edito: Sendable, Hashable {
    public var title: String?
    public var author: String?
    public var role: String?
    /// Output path of the author's photo.
    public let photo: String?
}

/// A Markdown body as the Content stage leaves it, with the parts the pages show
/// separately.
public struct RenderedMarkdown: Sendable, Hashable {
    public var body = Body()
    /// The blocks before `<!--more-->`, else the first paragraph.
    public var teaser = Body()
    /// The first paragraph as plain text, for summaries and meta descriptions.
    public var firstParagraphText: String = ""
}

/// An article or an En bref item.
public struct Article: Sendable, Hashable {
    public let slug: String
    public var title: String
    public var summary: String?
    public let image: ImageRef?
    public var credit: String?
    public var section: String?
    public var tags: [String]
    public var author: String?
    public let contact: String?
    public let link: String?
    public let order: Int?
    /// The Markdown body and where it starts in its file.
    var source: MarkdownSource
    public var content = RenderedMarkdown()
}

/// A Markdown body awaiting rendering.
struct MarkdownSource: Sendable, Hashable {
    /// Path of the file, relative to the source folder.
    let path: String
    var text: String
    let firstLine: Int
    /// The stamp of the file it comes from: the same stamp, the same text.
    var stamp: FileStamp? = nil
}

/// An issue as parsed, then with its bodies rendered. A copy-on-write value: every stage
/// passes thousands of issues around, and copying one copies a single reference, where
/// copying its two dozen fields (each with storage of its own) was a quarter of a
/// `serve` rebuild. Its fields are read and written as `issue.title`.
@dynamicMemberLookup
public struct Issue: Sendable, Hashable {
    public struct Fields: Sendable, Hashable {
        public let slug: String
        public let number: Int
        public var title: String
        public let date: SimpleDate
        public var summary: String?
        public let cover: ImageRef?
        public let isDraft: Bool
        public var edito: Edito?
        public var videos: [Video]
        public var figures: [KeyFigure]
        public var agenda: [AgendaItem]
        public var articles: [Article]
        public var briefs: [Article]
        /// Files of the issue folder that are copied to the output (not Markdown).
        public let assets: [String]
        var source: MarkdownSource
        /// Where `number:` is written, for duplicate-number errors.
        let numberLocation: SourceLocation
        /// The édito.
        public var content = RenderedMarkdown()
    }

    /// Shared by the copies of an issue until one of them is changed.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    init(_ fields: Fields) {
        storage = Storage(fields)
    }

    // Inlined where a field is named, so that the key path folds into a read of that one
    // field: applied as a key path, it copied all of `Fields` first (a retain and a release
    // for each of its strings and arrays), which was a tenth of `serve`'s rebuild.
    public subscript<Value>(dynamicMember field: KeyPath<Fields, Value>) -> Value {
        @inline(__always) get { storage.fields[keyPath: field] }
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        @inline(__always) get { storage.fields[keyPath: field] }
        set { update { $0[keyPath: field] = newValue } }
    }

    /// Changes several fields in place, copying the storage at most once.
    mutating func update(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
        change(&storage.fields)
    }

    public static func == (lhs: Issue, rhs: Issue) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields)
    }

    /// `issues/<slug>/`
    public var outputPath: String { "issues/\(self.slug)/" }

    /// The issue's folder in the site (`issues/<name>`), where its assets are. Not split
    /// and joined: rendering asks for it for every issue at every rebuild.
    var sourceFolder: Substring {
        let path = self.source.path
        return path.lastIndex(of: "/").map { path[..<$0] } ?? ""
    }

    /// `issues/<slug>/<article slug>/`: the folder of an article's page, the one place it is made.
    public func pagePath(of article: Article) -> String { outputPath + article.slug + "/" }

    /// The summary shown in lists, the feed and meta descriptions.
    public var effectiveSummary: String {
        self.summary ?? self.content.firstParagraphText
    }
}

extension Issue {
    /// The bodies of the édito, the articles and the En bref items, in that order, taken
    /// out (their first paragraphs' text stays: summaries come from it).
    mutating func takeBodies() -> [RenderedMarkdown] {
        var bodies: [RenderedMarkdown] = []
        update { fields in
            func take(_ body: inout RenderedMarkdown) {
                bodies.append(body)
                body = RenderedMarkdown(firstParagraphText: body.firstParagraphText)
            }
            take(&fields.content)
            for index in fields.articles.indices { take(&fields.articles[index].content) }
            for index in fields.briefs.indices { take(&fields.briefs[index].content) }
        }
        return bodies
    }

    /// Puts back what `takeBodies` took out.
    mutating func setBodies(_ bodies: [RenderedMarkdown]) {
        update { fields in
            fields.content = bodies[0]
            for index in fields.articles.indices { fields.articles[index].content = bodies[1 + index] }
            for index in fields.briefs.indices { fields.briefs[index].content = bodies[1 + fields.articles.count + index] }
        }
    }
}
