import Foundation

/// Every key Bulletin reads from YAML, each declared once (`Field`): the parsers read the
/// values through these declarations (`KeyedFields`) and warn about any other key, the
/// typographer sets the fields they declare typeset (`FrontMatterModel.typeset(with:)`), and
/// `RenderCache.ListedKeys` hashes what they say lists show. A new key is a case here, its
/// reading in `IssueParser` or `SiteConfigParser`, the template that shows it and a test.

// MARK: issue.md

extension Issue.Fields: FrontMatterModel {
    /// The keys of `issue.md`'s front-matter. Lists hash their fields in this order.
    enum Key: String, FrontMatterKey {
        case number, title, date, summary, cover, coverAlt = "cover_alt", draft, edito, videos, figures, agenda

        var field: Field<Issue.Fields> {
            switch self {
            case .number:
                .number(
                    required: true, rule: .error("`number` must be a positive whole number", unless: { $0 >= 1 }),
                    listed: { $1.combine($0.number) })
            case .title: .text(required: true, typeset: .text(\.title), listed: { $1.combine($0.title) })
            case .date: .date(required: true, listed: { $1.combine($0.date.description) })
            case .summary: .text(typeset: .text(\.summary), listed: { $1.combine($0.effectiveSummary) })
            case .cover: .path(listed: { $1.combine($0.cover?.path) })
            case .coverAlt: .text(listed: { $1.combine($0.cover?.alt) })
            case .draft: .flag(listed: { $1.combine($0.isDraft) })
            case .edito: .block(typeset: .fields(\.edito))
            case .videos: .entries(typeset: .fields(\.videos))
            case .figures: .entries(typeset: .fields(\.figures))
            case .agenda: .entries(typeset: .fields(\.agenda))
            }
        }
    }
}

extension Edito: FrontMatterModel {
    /// The keys of `edito:`.
    enum Key: String, FrontMatterKey {
        case title, author, role, photo

        var field: Field<Edito> {
            switch self {
            case .title: .text(typeset: .text(\.title))
            case .author: .text(typeset: .text(\.author))
            case .role: .text(typeset: .text(\.role))
            case .photo: .path()
            }
        }
    }
}

extension Video: FrontMatterModel {
    /// The keys of each entry of `videos:`.
    enum Key: String, FrontMatterKey {
        case title, url, poster, linkText = "link_text"

        var field: Field<Video> {
            switch self {
            case .title: .text(required: true, typeset: .text(\.title))
            // A link, or a `.mp4`/`.webm` path: `IssueParser.video` tells which.
            case .url: .text(required: true)
            case .poster: .path()
            case .linkText: .text(typeset: .text(\.linkText))
            }
        }
    }
}

extension KeyFigure: FrontMatterModel {
    /// The keys of each entry of `figures:`.
    enum Key: String, FrontMatterKey {
        case value, label, source

        var field: Field<KeyFigure> {
            switch self {
            case .value: .text(required: true, typeset: .text(\.value))
            case .label: .text(required: true, typeset: .text(\.label))
            case .source: .text(typeset: .text(\.source))
            }
        }
    }
}

extension AgendaItem: FrontMatterModel {
    /// The keys of each entry of `agenda:`.
    enum Key: String, FrontMatterKey {
        case date, time, title, place

        var field: Field<AgendaItem> {
            switch self {
            case .date: .date(required: true)
            case .time: .text(typeset: .text(\.time))
            case .title: .text(required: true, typeset: .text(\.title))
            case .place: .text(typeset: .text(\.place))
            }
        }
    }
}

// MARK: Articles and En bref items

extension Article: FrontMatterModel {
    /// The keys of an article's or an En bref item's front-matter.
    enum Key: String, FrontMatterKey {
        case title, summary, image, imageAlt = "image_alt", credit, section, tags, author, contact, link, order, slug

        var field: Field<Article> {
            switch self {
            case .title: .text(required: true, typeset: .text(\.title))
            case .summary: .text(typeset: .text(\.summary))
            case .image: .path()
            case .imageAlt: .text()
            case .credit: .text(typeset: .text(\.credit))
            case .section: .text(typeset: .text(\.section))
            case .tags: .texts(typeset: .texts(\.tags))
            case .author: .text()
            case .contact:
                .text(rule: .warning("`contact` does not look like an e-mail address", unless: { $0.contains("@") && !$0.contains(" ") }))
            case .link: .text(rule: .error("`link` must be an absolute http(s) URL", unless: isAbsoluteWebURL))
            case .order: .number()
            case .slug:
                .text(rule: .error(unless: Slug.isValid) {
                    "`slug` must be lower-case ASCII letters, digits and dashes (e.g. \(Slug.make($0)))"
                })
            }
        }
    }
}

// MARK: site.yml

extension SiteConfig: FrontMatterModel {
    /// The keys of `site.yml`.
    enum Key: String, FrontMatterKey {
        case title, baseURL = "base_url", language, description, theme, publisher, contact, logo, social, masthead, address
        case unsubscribe, emailFrom = "email_from", timezone, feed, markdown, email, colors, fonts

        var field: Field<SiteConfig> {
            switch self {
            case .title: .text(required: true, typeset: .text(\.title))
            case .baseURL:
                .text(
                    required: true,
                    rule: .error("`base_url` must be an absolute http(s) URL such as https://lettre.example.fr/", unless: isAbsoluteWebURL))
            case .language:
                .text(required: true, rule: .error(unless: { Language(rawValue: $0) != nil }) { "`language` must be fr or en, got \"\($0)\"" })
            case .description: .text(typeset: .text(\.description))
            case .theme: .text(rule: .error("`theme` must be a folder name under themes/", unless: { !$0.contains("/") && !$0.hasPrefix(".") }))
            case .publisher:
                .text(
                    rule: .error("`publisher` must be on one line (it names the e-mail's sender)", unless: {
                        !$0.unicodeScalars.contains(where: \.isControl)
                    }),
                    typeset: .text(\.publisher))
            case .contact: .text()
            // Under `static/`: `SiteConfigParser` looks for it there.
            case .logo: .path()
            case .social: .entries()
            case .masthead: .entries(typeset: .fields(\.masthead))
            // Markdown, rendered with the bodies.
            case .address: .text()
            // One, or a list of an address and a web page: checked by `SiteConfigParser.unsubscribe`.
            case .unsubscribe: .texts()
            case .emailFrom:
                .text(rule: .error("`email_from` must be an address on one line, e.g. \"La Lettre <lettre@example.fr>\"", unless: SiteConfigParser.isMailbox))
            case .timezone:
                .text(rule: .error(unless: { TimeZone(identifier: $0) != nil }) {
                    "`timezone` must be an IANA time zone such as Europe/Paris, got \"\($0)\""
                })
            case .feed: .block()
            case .markdown: .block()
            case .email: .block()
            case .colors: .block()
            case .fonts: .block()
            }
        }
    }

    /// The keys of `feed:`.
    enum FeedKey: String, FrontMatterKey {
        case items
        case formats

        var field: Field<SiteConfig> {
            switch self {
            case .items: .number(rule: .error("feed `items` must be at least 1", unless: { $0 >= 1 }))
            // Checked by `SiteConfigParser`: some of `rss`, `atom`, `json`.
            case .formats: .texts()
            }
        }
    }

    /// The keys of `markdown:`.
    enum MarkdownKey: String, FrontMatterKey {
        case unsafeHTML = "unsafe_html"

        var field: Field<SiteConfig> {
            switch self {
            case .unsafeHTML: .flag()
            }
        }
    }

    /// The keys of `colors:`: the palette of `Palette.defaults`.
    enum ColorKey: String, FrontMatterKey {
        case accent, ink, muted, background, surface, rule, warm

        var field: Field<SiteConfig> {
            .text(rule: .error(unless: { RGB.isHexColor($0) }) { "colours are written #rrggbb or #rgb, e.g. \"#0b4f8a\"; got \"\($0)\"" })
        }
    }

    /// The keys of `fonts:`: CSS font stacks, put in every page's `<style>`.
    enum FontKey: String, FrontMatterKey {
        case body, headings

        var field: Field<SiteConfig> {
            .text(rule: .error(unless: Palette.isFontStack) {
                "a font is a list of family names separated by commas, e.g. \"Marianne, Arial, sans-serif\"; got \"\(MIMEMessage.oneLine($0))\""
            })
        }
    }

    /// The keys of `email:`.
    enum EmailKey: String, FrontMatterKey {
        case sizeBudgetKB = "size_budget_kb"

        var field: Field<SiteConfig> {
            switch self {
            case .sizeBudgetKB:
                .number(rule: .error(
                    "email `size_budget_kb` must be between 1 and \(SiteConfig.maxEmailBudgetKB) (Gmail clips messages past 102 KB)",
                    unless: { (1...SiteConfig.maxEmailBudgetKB).contains($0) }))
            }
        }
    }

    /// Every key of `site.yml`.
    static let keys = Key.keys
}

extension SiteConfig.SocialLink: FrontMatterModel {
    /// The keys of each entry of `social:`.
    enum Key: String, FrontMatterKey {
        case name, url

        var field: Field<SiteConfig.SocialLink> {
            switch self {
            case .name: .text(required: true)
            case .url: .text(required: true, rule: .error("social `url` must be an absolute http(s) URL", unless: isAbsoluteWebURL))
            }
        }
    }
}

extension SiteConfig.MastheadEntry: FrontMatterModel {
    /// The keys of each entry of `masthead:`.
    enum Key: String, FrontMatterKey {
        case role, name

        var field: Field<SiteConfig.MastheadEntry> {
            switch self {
            case .role: .text(required: true, typeset: .text(\.role))
            case .name: .text(required: true, typeset: .text(\.name))
            }
        }
    }
}
