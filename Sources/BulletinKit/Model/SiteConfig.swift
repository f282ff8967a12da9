import Foundation

public enum Language: String, Sendable, CaseIterable {
    case fr
    case en

    /// The `dir` of its pages and e-mails: both are written left to right.
    var direction: String { "ltr" }
}

/// A feed of the issues, each with its file at the root of the output.
public enum FeedFormat: String, Sendable, CaseIterable {
    /// RSS 2.0, with each issue's content in `content:encoded`.
    case rss
    /// Atom 1.0 (RFC 4287).
    case atom
    /// JSON Feed 1.1.
    case json

    var fileName: String {
        switch self {
        case .rss: "feed.xml"
        case .atom: "atom.xml"
        case .json: "feed.json"
        }
    }

    var mediaType: String {
        switch self {
        case .rss: "application/rss+xml"
        case .atom: "application/atom+xml"
        case .json: "application/feed+json"
        }
    }
}

/// `site.yml`, validated.
public struct SiteConfig: Sendable, Hashable {
    public struct SocialLink: Sendable, Hashable { public let name: String; public let url: String }
    public struct MastheadEntry: Sendable, Hashable { public var role: String; public var name: String }

    public var title: String
    /// Always ends with `/`.
    public var baseURL: String
    public var language: Language
    public var description: String?
    public var theme: String
    public var publisher: String?
    public var contact: String?
    /// Path under `static/`.
    public var logo: String?
    public var social: [SocialLink]
    public var masthead: [MastheadEntry]
    public var addressMarkdown: String?
    /// The e-mail's unsubscribe link: a web page, an address or a mailing tool's merge tag.
    public var unsubscribe: String?
    /// `List-Unsubscribe` of `email.eml`: the `mailto:` address and the web page, not a
    /// merge tag (the mailing tool then writes its own header).
    public var unsubscribeHeader: [String] = []
    public var emailFrom: String?
    public var timeZone: TimeZone
    public var feedItems: Int
    /// The feeds written, all three unless `feed.formats` names fewer.
    public var feedFormats: [FeedFormat] = FeedFormat.allCases
    public var unsafeHTML: Bool
    /// Size over which `email.html` gets a warning (Gmail clips messages past 102 KB).
    public var emailBudgetBytes = defaultEmailBudgetKB * 1024
    /// `colors` and `fonts`.
    public var palette = Palette()
    /// `static/site.css` exists: every page loads it after the theme's stylesheet.
    public var hasSiteStylesheet = false
    /// Under Gmail's 102 KB, with room for what the sending platform adds.
    static let defaultEmailBudgetKB = 90
    /// 100 MB: past it no mail server takes the message, and the count of bytes stays far from overflowing.
    static let maxEmailBudgetKB = 100_000
}
