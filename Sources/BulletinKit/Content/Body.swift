/// A Markdown body as the Content stage leaves it: a typed tree, typeset, its links
/// resolved against the Model and its heading ids given. Each output kind writes it
/// without parsing anything back (`Render/BodyWriter.swift`): the web page, the feed, the
/// e-mail's HTML with its styles inline and the e-mail's text.
///
/// The tree holds what cmark-gfm's syntax tree holds, in the shape its HTML renderer
/// reads it, so that the web writer gives the same bytes (checked against cmark-gfm by
/// `BodyWriterTests`). It is made of `Block`s and `Inline`s and kept encoded, node after
/// node (`BodyEncoding`): as values, the trees of a site took twice the memory of their
/// HTML; encoded, less than it, and the build cache stores the bytes as they are.
public struct Body: Sendable, Hashable {
    /// The encoded tree.
    let bytes: [UInt8]

    init(_ blocks: [Block] = []) {
        bytes = BodyEncoding.encode(blocks)
    }

    init(encoded bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isEmpty: Bool { bytes == [0] }

    /// The tree as values (tests and checks; writers walk the bytes).
    var blocks: [Block] {
        get throws { try BodyEncoding.decode(bytes) }
    }
}

/// The cases with more than one field are boxed: a block is then as small as a text.
enum Block: Sendable, Hashable {
    case paragraph([Inline])
    /// `id` is the full id (prefix included).
    indirect case heading(level: Int, id: String, [Inline])
    case quote([Block])
    indirect case list(BodyList)
    /// `language` is the first word of the info string.
    indirect case code(language: String, text: String)
    /// Raw HTML an editor wrote, as kept (allowed by `markdown.unsafe_html`, sanitized).
    case html(String)
    case rule
    indirect case table(BodyTable)
    indirect case footnotes(Footnotes)
}

struct BodyList: Sendable, Hashable {
    /// `nil` for a bullet list, else the number of its first item.
    var start: Int?
    /// Items of a tight list show their paragraphs without `<p>`.
    var isTight: Bool
    var items: [Item]

    struct Item: Sendable, Hashable {
        /// A task list item: whether it is ticked; `nil` for an ordinary item.
        var task: Bool?
        var blocks: [Block]
    }
}

struct BodyTable: Sendable, Hashable {
    enum Alignment: UInt8, Sendable, Hashable {
        case none = 0
        case left, center, right
    }

    var alignments: [Alignment]
    var header: [[Inline]]
    var rows: [[[Inline]]]
}

/// The notes of a body, at its end.
struct Footnotes: Sendable, Hashable {
    /// The heading and the accessible label of each way back, from the theme's locale
    /// (cmark-gfm writes no heading).
    var title: String?
    var backLabel: String
    var notes: [Note]

    struct Note: Sendable, Hashable {
        /// `prefix-label` (the label alone without a prefix), as it stands in ids (URL-escaped).
        var id: String
        /// How many times the text refers to it: each gets its way back.
        var referenceCount: Int
        var blocks: [Block]
    }
}

/// As `Block`, the cases with more than one field are boxed.
enum Inline: Sendable, Hashable {
    /// Text; a line break within a paragraph is a `\n` in it (cmark-gfm writes it so).
    case text(String)
    case lineBreak
    case code(String)
    /// One raw HTML tag an editor wrote, as kept.
    case html(String)
    case emphasis([Inline])
    case strong([Inline])
    case strikethrough([Inline])
    /// An ordinal's suffix raised by the typographer (`1<sup>er</sup>`).
    case superscript([Inline])
    indirect case link(BodyURL, title: String, [Inline])
    /// The alternative text is the text of what cmark-gfm's image holds, breaks as spaces.
    indirect case image(BodyURL, title: String, alt: String)
    /// `id` as in `Footnotes.Note`; `number` is shown; `occurrence` counts from 1.
    indirect case footnoteReference(id: String, number: String, occurrence: Int)
}

/// A URL in a body: as written, or a file or page of the site, written from each page
/// that shows the body (`../../issues/x/index.html` on the web, absolute in e-mails).
enum BodyURL: Sendable, Hashable {
    case written(String)
    /// `path` is percent-encoded; `suffix` is the `#fragment` or `?query` as written.
    case site(path: String, isPage: Bool, suffix: String)
}
