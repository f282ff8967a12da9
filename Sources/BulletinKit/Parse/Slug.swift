import Foundation

/// Slugs: the lower-case ASCII names that become URLs.
enum Slug {
    private static let ligatures: [Character: String] = ["œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "đ": "d", "ł": "l", "Ł": "l"]

    /// `Ômu des abysses` → `omu-des-abysses`.
    static func make(_ text: String) -> String {
        // Most names are ASCII already: no folding needed, and Foundation's costs 5 % of a build.
        if !text.containsByte(where: { $0 >= 0x80 }) { return makeASCII(text.utf8) }
        return makeLatin(text) ?? makeFolded(text)
    }

    /// `make` through Foundation's folding, for any script.
    static func makeFolded(_ text: String) -> String {
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

    /// What folding gives the accented letters of French and its neighbours, in lower case.
    private static let latinLetters: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [:]
        let groups = [
            ("àáâãäåÀÁÂÃÄÅ", "a"), ("çÇ", "c"), ("èéêëÈÉÊË", "e"), ("ìíîïÌÍÎÏ", "i"), ("ñÑ", "n"),
            ("òóôõöÒÓÔÕÖ", "o"), ("ùúûüÙÚÛÜ", "u"), ("ýÿÝŸ", "y"),
        ]
        for (letters, base) in groups {
            for scalar in letters.unicodeScalars { table[scalar] = base }
        }
        for (character, expansion) in ligatures {
            for scalar in character.unicodeScalars { table[scalar] = expansion }
        }
        return table
    }()

    /// Typographic spaces, quotes and dashes: like any other punctuation, a dash.
    private static let separators: Set<Unicode.Scalar> = [
        "\u{00A0}", "\u{202F}", "\u{2009}", "’", "‘", "“", "”", "«", "»", "–", "—", "…",
    ]

    /// `make` for text whose every character past ASCII is in the tables above (French
    /// headings and titles); `nil` for anything else, which Foundation folds.
    private static func makeLatin(_ text: String) -> String? {
        var slug: [UInt8] = []
        slug.reserveCapacity(text.utf8.count)
        var pendingDash = false
        func append(_ bytes: some Sequence<UInt8>) {
            if pendingDash, !slug.isEmpty { slug.append(UInt8(ascii: "-")) }
            slug.append(contentsOf: bytes)
            pendingDash = false
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A, 0x30...0x39: append(CollectionOfOne(UInt8(scalar.value)))
            case 0x41...0x5A: append(CollectionOfOne(UInt8(scalar.value + 32)))
            case 0..<0x80: pendingDash = true
            default:
                if let letters = latinLetters[scalar] {
                    append(letters.utf8)
                } else if separators.contains(scalar) {
                    pendingDash = true
                } else {
                    return nil
                }
            }
        }
        return String(decoding: slug, as: UTF8.self)
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
