import Foundation

/// Mail clients drop `<style>` and stylesheets, so Markdown-made HTML in the e-mail gets
/// its styles inline, tag by tag, from the theme's `email-styles.yml`; its images get
/// the `width` and `height` that Outlook needs.
struct EmailStyler: Sendable {
    /// Inline style by tag name.
    let styles: [String: String]
    /// Image sizes by absolute URL.
    let imageSizes: [String: ImageSize]
    /// Widest an image may be in the content column.
    let maxImageWidth: Int

    private static let startTag = try! NSRegularExpression(pattern: #"<([a-zA-Z][a-zA-Z0-9]*)((?:\s[^>]*?)?)(\s?/?)>"#)
    private static let source = try! NSRegularExpression(pattern: #"\ssrc="([^"]*)""#)

    func style(_ html: String) -> String {
        let text = html as NSString
        var result = ""
        var cursor = 0
        for match in Self.startTag.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            result += text.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            cursor = match.range.location + match.range.length
            let name = text.substring(with: match.range(at: 1)).lowercased()
            var attributes = text.substring(with: match.range(at: 2))
            let end = text.substring(with: match.range(at: 3))
            if name == "img" { attributes = sized(attributes) }
            if let style = styles[name], !attributes.contains(" style=") {
                attributes += " style=\"\(escapeHTML(style))\""
            }
            result += "<\(text.substring(with: match.range(at: 1)))\(attributes)\(end)>"
        }
        return result + text.substring(from: cursor)
    }

    /// Adds `width`/`height` (fitted to the column) and the class the mobile rule scales.
    private func sized(_ attributes: String) -> String {
        guard !attributes.contains(" width=") else { return attributes }
        let text = attributes as NSString
        guard let match = Self.source.firstMatch(in: attributes, range: NSRange(location: 0, length: text.length)) else {
            return attributes
        }
        let url = text.substring(with: match.range(at: 1)).replacingOccurrences(of: "&amp;", with: "&")
        guard let size = imageSizes[url]?.fitting(maxImageWidth) else { return attributes }
        return attributes + " width=\"\(size.width)\" height=\"\(size.height)\" class=\"fluid\""
    }
}
