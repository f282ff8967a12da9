import Foundation

/// Pixel size of an image, read from its header: e-mails need `width` and `height` on
/// every image, and pages that declare them do not shift while loading.
public struct ImageSize: Sendable, Hashable {
    public let width: Int
    public let height: Int

    /// The size scaled down (never up) to fit `maxWidth`.
    func fitting(_ maxWidth: Int) -> ImageSize {
        guard width > maxWidth, width > 0 else { return self }
        return ImageSize(width: maxWidth, height: max(1, Int((Double(height) * Double(maxWidth) / Double(width)).rounded())))
    }

    static let extensions: Set<String> = ["png", "jpg", "jpeg", "gif", "webp", "svg"]
    /// The largest width or height taken from an SVG (PNG and JPEG headers hold at most 2³² − 1).
    static let maxDimension = 1_000_000

    /// Whether a path ends in one of `extensions`, in any letter case.
    static func hasImageExtension(_ path: String) -> Bool {
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")), path.utf8.count - path.utf8.distance(from: path.utf8.startIndex, to: dot) <= 5 else {
            return false
        }
        let suffix = path[path.index(after: dot)...]
        return !suffix.utf8.contains(UInt8(ascii: "/")) && extensions.contains(suffix.lowercased())
    }

    /// Reads the size of a PNG, JPEG, GIF, WebP or SVG file; `nil` for anything else.
    static func read(_ url: URL) -> ImageSize? {
        guard extensions.contains(url.pathExtension.lowercased()),
            let handle = try? FileHandle(forReadingFrom: url)
        else { return nil }
        defer { try? handle.close() }
        // Headers sit at the start; large JPEG metadata may push the frame header further.
        guard let head = try? handle.read(upToCount: 256 * 1024) else { return nil }
        return parse([UInt8](head))
    }

    static func parse(_ bytes: [UInt8]) -> ImageSize? {
        func be16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        func be32(_ at: Int) -> Int { be16(at) << 16 | be16(at + 2) }
        func le16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func le24(_ at: Int) -> Int { le16(at) | Int(bytes[at + 2]) << 16 }

        if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return ImageSize(width: be32(16), height: be32(20))
        }
        if bytes.count >= 10, bytes.starts(with: Array("GIF".utf8)) {
            return ImageSize(width: le16(6), height: le16(8))
        }
        if bytes.count >= 30, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            switch String(decoding: bytes[12..<16], as: UTF8.self) {
            case "VP8 ": return ImageSize(width: le16(26) & 0x3FFF, height: le16(28) & 0x3FFF)
            case "VP8L":
                let bits = Int(bytes[21]) | Int(bytes[22]) << 8 | Int(bytes[23]) << 16 | Int(bytes[24]) << 24
                return ImageSize(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
            case "VP8X": return ImageSize(width: le24(24) + 1, height: le24(27) + 1)
            default: return nil
            }
        }
        if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
            var index = 2
            while index + 9 < bytes.count {
                guard bytes[index] == 0xFF else { index += 1; continue }
                let marker = bytes[index + 1]
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) || marker == 0xFF {
                    index += marker == 0xFF ? 1 : 2
                    continue
                }
                // Start-of-frame markers carry the size; DHT (C4), JPG (C8) and DAC (CC) do not.
                if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                    return ImageSize(width: be16(index + 7), height: be16(index + 5))
                }
                index += 2 + be16(index + 2)
            }
            return nil
        }
        // Decoded leniently: the cut at 4 KB may fall inside a character.
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if text.contains("<svg") {
            return svgSize(text)
        }
        return nil
    }

    private static func svgSize(_ text: String) -> ImageSize? {
        guard let open = text.range(of: "<svg"), let close = text[open.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = String(text[open.upperBound..<close])
        func attribute(_ name: String) -> Double? {
            guard let range = tag.range(of: " \(name)=\"") ?? tag.range(of: "\n\(name)=\"") else { return nil }
            let value = tag[range.upperBound...].prefix { $0 != "\"" }
            return Double(value.prefix { $0.isNumber || $0 == "." })
        }
        // A size no screen shows (or infinite, or not a number) is no size: the image is
        // then shown without `width` and `height`.
        func pixels(_ value: Double) -> Int? {
            value.isFinite && value >= 0 && value <= Double(maxDimension) ? Int(value) : nil
        }
        if let width = attribute("width").flatMap(pixels), let height = attribute("height").flatMap(pixels) {
            return ImageSize(width: width, height: height)
        }
        if let range = tag.range(of: "viewBox=\"") {
            let numbers = tag[range.upperBound...].prefix { $0 != "\"" }.split { $0 == " " || $0 == "," }.compactMap { Double($0) }
            if numbers.count == 4, let width = pixels(numbers[2]), let height = pixels(numbers[3]) {
                return ImageSize(width: width, height: height)
            }
        }
        return nil
    }
}
