import Foundation

/// A body in the build cache: its encoded tree, as it is (`BodyEncoding`).
extension RenderedMarkdown: Codable {
    private enum CodingKeys: String, CodingKey {
        case firstParagraphText, body, teaser
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstParagraphText = try container.decode(String.self, forKey: .firstParagraphText)
        body = try Self.checked(try container.decode(Data.self, forKey: .body))
        teaser = try Self.checked(try container.decode(Data.self, forKey: .teaser))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(firstParagraphText, forKey: .firstParagraphText)
        try container.encode(Data(body.bytes), forKey: .body)
        try container.encode(Data(teaser.bytes), forKey: .teaser)
    }
}
