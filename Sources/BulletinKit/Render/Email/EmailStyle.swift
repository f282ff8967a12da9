import Foundation

/// Mail clients drop `<style>` and stylesheets, so the e-mail's tags get their styles
/// inline, from the theme's `email-styles.yml`, and its images the `width` and `height`
/// that Outlook needs. Bodies get them as they are written (`BodyWriter`); `style(_:)`
/// gives the raw HTML an editor wrote (`markdown.unsafe_html`) the same, tag by tag.
struct EmailStyle: Sendable {
    /// Inline style by tag name.
    let styles: [String: String]
    /// Image sizes by absolute URL, made when an editor's raw `<img>` first asks: most
    /// builds have none, and making it for every image was a part of each warm build.
    private let sizes: Once<[String: ImageSize]>
    var imageSizes: [String: ImageSize] { sizes.value }
    /// Widest an image may be in the content column.
    let maxImageWidth: Int

    init(styles: [String: String], imageSizes: @escaping @Sendable () -> [String: ImageSize], maxImageWidth: Int) {
        self.styles = styles
        self.sizes = Once(imageSizes)
        self.maxImageWidth = maxImageWidth
    }

    /// Every start tag gets the style of its name (unless it has one) and, for an image,
    /// its size. Byte by byte: a regular expression over each e-mail's HTML was a fifth of
    /// the e-mail's cost. A start tag is `<` and a name, then either `>`, `/>` or white
    /// space and attributes up to the first `>`; anything else is text.
    func style(_ html: String) -> String {
        var html = html
        return html.withUTF8 { bytes -> String in
            var output: [UInt8] = []
            var copied = 0
            var index = 0
            while let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
                index = open + 1
                guard let tag = Self.startTag(in: bytes, at: open) else { continue }
                let name = String(decoding: bytes[tag.name], as: UTF8.self).lowercased()
                let written = String(decoding: bytes[tag.attributes], as: UTF8.self)
                let (attributes, style) = decorating(name, attributes: written, imageURL: name == "img" ? Self.source(in: written) : nil)
                index = tag.end
                guard style != nil || attributes.utf8.count != tag.attributes.count else { continue }
                if output.isEmpty { output.reserveCapacity(bytes.count + bytes.count / 2) }
                output += bytes[copied..<tag.attributes.lowerBound]
                output += attributes.utf8
                if let style { output += " style=\"\(escapeHTML(style))\"".utf8 }
                copied = tag.attributes.upperBound
            }
            guard copied > 0 else { return String(decoding: bytes, as: UTF8.self) }
            output += bytes[copied...]
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// The start tag opening at `open`: its name, its attributes (from the white space
    /// after the name to the optional ` /` before `>`) and the index past its `>`.
    private static func startTag(
        in bytes: UnsafeBufferPointer<UInt8>, at open: Int
    ) -> (name: Range<Int>, attributes: Range<Int>, end: Int)? {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var index = open + 1
        guard index < bytes.count, isLetter(bytes[index]) else { return nil }
        while index < bytes.count, isLetter(bytes[index]) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
        }
        let name = (open + 1)..<index
        guard index < bytes.count, let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        // What stands before `>` that is not attributes: `/`, a white space, or both.
        var suffix = close
        if suffix > index, bytes[suffix - 1] == UInt8(ascii: "/") { suffix -= 1 }
        if suffix > index, isSpace(bytes[suffix - 1]) { suffix -= 1 }
        if isSpace(bytes[index]) {
            // Attributes start with white space, and hold at least it.
            return (name, index..<max(suffix, index + 1), close + 1)
        }
        // No attributes: only `>`, `/>`, ` />` or ` >` may follow the name.
        guard suffix == index else { return nil }
        return (name, index..<index, close + 1)
    }

    /// A start tag's attributes with what the e-mail adds: an image's `width`/`height`
    /// (fitted to the column, unless it has a width) and the class the mobile rule scales;
    /// and the tag's style, unless it has one. `imageURL` is the `src` as written.
    func decorating(_ name: String, attributes: String, imageURL: String?) -> (attributes: String, style: String?) {
        var attributes = attributes
        if name == "img", !attributes.containsBytes(of: " width="), let imageURL,
            let size = imageSizes[imageURL.replacingBytes(of: "&amp;", with: "&")]?.fitting(maxImageWidth)
        {
            attributes += " width=\"\(size.width)\" height=\"\(size.height)\" class=\"fluid\""
        }
        return (attributes, styles[name].flatMap { attributes.containsBytes(of: " style=") ? nil : $0 })
    }

    /// The value of the first `src="…"` preceded by white space.
    private static func source(in attributes: String) -> String? {
        let bytes = Array(attributes.utf8)
        let key = Array("src=\"".utf8)
        var index = 1
        while index + key.count <= bytes.count {
            if bytes[index..<(index + key.count)].elementsEqual(key), [0x20, 0x09, 0x0A, 0x0C, 0x0D].contains(bytes[index - 1]),
                let end = bytes[(index + key.count)...].firstIndex(of: UInt8(ascii: "\""))
            {
                return String(decoding: bytes[(index + key.count)..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
