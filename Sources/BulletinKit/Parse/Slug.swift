import Foundation

/// Slugs: the lower-case ASCII names that become URLs.
enum Slug {
    private static let ligatures: [Character: String] = ["œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "đ": "d", "ł": "l", "Ł": "l"]

    /// `Ômu des abysses` → `omu-des-abysses`.
    static func make(_ text: String) -> String {
        // Most names are ASCII already: no folding needed, and Foundation's costs 5 % of a build.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return makeASCII(text.utf8) }
        var expanded = ""
        for character in text { expanded += ligatures[character] ?? String(character) }
        let folded = expanded.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingDash, !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return slug.lowercased()
    }

    /// `make` for ASCII text: letters and digits kept in lower case, every other run a dash.
    private static func makeASCII(_ text: String.UTF8View) -> String {
        var slug: [UInt8] = []
        slug.reserveCapacity(text.count)
        var pendingDash = false
        for byte in text {
            let lowered: UInt8
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): lowered = byte
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): lowered = byte + 32
            default:
                pendingDash = true
                continue
            }
            if pendingDash, !slug.isEmpty { slug.append(UInt8(ascii: "-")) }
            slug.append(lowered)
            pendingDash = false
        }
        return String(decoding: slug, as: UTF8.self)
    }

    /// `01-avenue-de-paris.md` → `avenue-de-paris`: no extension, no leading number.
    static func fromFileName(_ name: String) -> String {
        let stem = (name as NSString).deletingPathExtension
        let withoutNumber = stem.drop { $0.isASCII && $0.isNumber }
        let rest = withoutNumber.count < stem.count ? withoutNumber.drop { "-_. ".contains($0) } : Substring(stem)
        return make(rest.isEmpty ? stem : String(rest))
    }

    static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text == make(text)
    }

    /// The leading number of a file name (`02-x.md` → 2), used for ordering.
    static func numberPrefix(of name: String) -> Int? {
        Int(name.prefix { $0.isASCII && $0.isNumber })
    }
}

/// Compares names as people read them: `2-…` before `10-…`.
func naturalOrder(_ lhs: String, _ rhs: String) -> Bool {
    lhs.compare(rhs, options: [.numeric, .caseInsensitive]) == .orderedAscending
        || (lhs.compare(rhs, options: [.numeric, .caseInsensitive]) == .orderedSame && lhs < rhs)
}
