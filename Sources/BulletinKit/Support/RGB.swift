import Foundation

/// An sRGB colour, for contrast ratios.
struct RGB: Equatable {
    var red: Double
    var green: Double
    var blue: Double

    static let black = RGB(red: 0, green: 0, blue: 0)
    static let white = RGB(red: 255, green: 255, blue: 255)

    init(red: Double, green: Double, blue: Double) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// `#rgb`, `#rrggbb`, `rgb(r, g, b)`, `black`, `white`; nil for anything else
    /// (a colour with transparency, a gradient, `inherit`), which cannot be judged.
    init?(css: String) {
        let value = css.trimmingCharacters(in: .whitespaces).lowercased()
        switch value {
        case "black": self = .black; return
        case "white": self = .white; return
        default: break
        }
        if value.hasPrefix("#") {
            let digits = Array(value.dropFirst())
            guard digits.allSatisfy(\.isHexDigit) else { return nil }
            let expanded: [Character]
            switch digits.count {
            case 3: expanded = digits.flatMap { [$0, $0] }
            case 6: expanded = digits
            default: return nil
            }
            let channel = { (index: Int) in Double(Int(String(expanded[index * 2...index * 2 + 1]), radix: 16) ?? 0) }
            self.init(red: channel(0), green: channel(1), blue: channel(2))
            return
        }
        if value.hasPrefix("rgb("), value.hasSuffix(")") {
            let parts = value.dropFirst(4).dropLast().split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Double($0) }
            guard parts.count == 3 else { return nil }
            self.init(red: parts[0], green: parts[1], blue: parts[2])
            return
        }
        return nil
    }

    /// `#rgb` or `#rrggbb`: what `site.yml`'s colours are written as.
    static func isHexColor(_ text: String) -> Bool {
        text.hasPrefix("#") && [4, 7].contains(text.count) && text.dropFirst().allSatisfy(\.isHexDigit)
    }

    /// WCAG 2's relative luminance.
    var luminance: Double {
        func linear(_ channel: Double) -> Double {
            let c = channel / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    func contrast(with other: RGB) -> Double {
        let (a, b) = (luminance, other.luminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    var hex: String {
        "#" + [red, green, blue].map { channel in
            let value = Int(channel.rounded())
            return (value < 16 ? "0" : "") + String(value, radix: 16)
        }.joined()
    }
}

extension RGB {
    /// This colour moved toward `other` by `share` (0: itself, 1: `other`).
    func mixed(with other: RGB, by share: Double) -> RGB {
        RGB(red: red + (other.red - red) * share, green: green + (other.green - green) * share, blue: blue + (other.blue - blue) * share)
    }
}
