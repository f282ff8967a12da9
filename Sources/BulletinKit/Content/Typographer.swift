/// Sets text as a printer would, in the site's language. French: a narrow no-break space
/// (U+202F) before `; ! ?` and inside `« »`, a no-break space (U+00A0) before `:`, `’`,
/// `…`, `« »` for straight quotes, `–` for a spaced hyphen, raised ordinals (`1er`, `XXe`).
/// English: curly quotes and apostrophes, `…`.
///
/// It works on text only: callers never give it code, URLs or HTML. Text already set
/// correctly is left as it is, so running it twice changes nothing.
struct Typographer: Sendable {
    /// `nil` sets nothing: `html` only escapes.
    let language: Language?

    static let narrowSpace: Unicode.Scalar = "\u{202F}"
    static let noBreakSpace: Unicode.Scalar = "\u{00A0}"

    /// A run of text, or an ordinal suffix to raise.
    enum Segment: Equatable {
        case text(String)
        case superscript(String)
    }

    /// What the text before the current piece ended with, so that a paragraph split into
    /// several nodes (`**Bel été** !`) is set as one.
    struct State {
        var previous: Unicode.Scalar?
        /// A straight double quote was opened and not yet closed.
        var inQuote = false
    }

    // MARK: Whole strings (titles, summaries, labels)

    /// Set as plain text (ordinals stay on the line: `<title>`, feeds, meta tags).
    func plain(_ text: String) -> String {
        var state = State()
        let segments = segments(text, state: &state)
        if segments.count == 1, case .text(let run) = segments[0] { return run }
        return segments.map {
            switch $0 {
            case .text(let run), .superscript(let run): run
            }
        }.joined()
    }

    /// Set and escaped as HTML, ordinals raised with `<sup>`.
    func html(_ text: String) -> String {
        var state = State()
        return segments(text, state: &state).map {
            switch $0 {
            case .text(let run): escapeHTML(run)
            case .superscript(let run): "<sup>\(escapeHTML(run))</sup>"
            }
        }.joined()
    }

    // MARK: The rules

    /// The space a French printer puts before this punctuation, if any.
    func spaceBefore(_ punctuation: Unicode.Scalar) -> Unicode.Scalar? {
        guard language == .fr else { return nil }
        switch punctuation {
        case ";", "!", "?", "»": return Self.narrowSpace
        case ":": return Self.noBreakSpace
        default: return nil
        }
    }

    func segments(_ text: String, state: inout State) -> [Segment] {
        guard let language else { return [.text(text)] }
        let before = state.previous
        let (needsRules, needsOrdinals) = triggers(text)
        guard needsRules || needsOrdinals else {
            state.previous = text.unicodeScalars.last ?? before
            return [.text(text)]
        }
        // The rules work on the text's UTF-8: every character they look for or write is
        // one scalar, and decoding to scalars and back was most of their time.
        let input = Array(text.utf8)
        let set = needsRules ? characters(input, previous: before, inQuote: &state.inQuote) : nil
        let output = set ?? input
        state.previous = UTF8Text.scalar(endingAt: output.count, in: output) ?? before
        if language == .fr, needsOrdinals, let raised = ordinals(output, previous: before) { return raised }
        guard let set else { return [.text(text)] }
        return [.text(String(decoding: set, as: UTF8.self))]
    }

    /// The bytes that start no rule and complete none (see `triggers`).
    private static let inert: [Bool] = (0...255).map { byte in
        !"'\".;!?: 0123456789e".utf8.contains(UInt8(byte)) && byte != 0xAB && byte != 0xBB
    }

    /// Whether any rule could apply, from one pass over the bytes: most text nodes need
    /// nothing, and decoding them would cost more than the rules themselves.
    private func triggers(_ text: String) -> (rules: Bool, ordinals: Bool) {
        let french = language == .fr
        var rules = false
        var ordinals = false
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                // Letters other than `e` and most punctuation trigger nothing: skipped at once.
                if Self.inert[Int(byte)] {
                    beforePrevious = previous
                    previous = byte
                    continue
                }
                switch byte {
                case UInt8(ascii: "'"), UInt8(ascii: "\""): rules = true
                case UInt8(ascii: ".") where previous == UInt8(ascii: ".") && beforePrevious == UInt8(ascii: "."): rules = true
                case UInt8(ascii: ";"), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                    if previous == UInt8(ascii: " ") && french { rules = true }
                case UInt8(ascii: " ") where previous == UInt8(ascii: "-") && beforePrevious == UInt8(ascii: " "): rules = true
                case 0xAB where previous == 0xC2, 0xBB where previous == 0xC2: if french { rules = true }  // « »
                // Ordinals are raised in French only.
                case UInt8(ascii: "0")...UInt8(ascii: "9"): if french { ordinals = true }
                case UInt8(ascii: "e"):
                    switch previous {
                    case UInt8(ascii: "I"), UInt8(ascii: "V"), UInt8(ascii: "X"), UInt8(ascii: "L"), UInt8(ascii: "C"):
                        if french { ordinals = true }
                    default: break
                    }
                default: break
                }
                if rules, ordinals || !french { break }  // nothing more to learn
                beforePrevious = previous
                previous = byte
            }
        }
        return (rules, ordinals)
    }

    /// What the rules write, as UTF-8.
    private static let ellipsis = Array("…".utf8)
    private static let apostrophe = Array("’".utf8)
    private static let openingSingle = Array("‘".utf8)
    private static let openingDouble = Array("“".utf8)
    private static let closingDouble = Array("”".utf8)
    private static let openingGuillemet = Array("«\u{202F}".utf8)
    private static let closingGuillemet = Array("\u{202F}»".utf8)
    private static let narrowSpaceBytes = Array("\u{202F}".utf8)
    private static let noBreakSpaceBytes = Array("\u{00A0}".utf8)
    private static let spacedDash = Array(" – ".utf8)

    /// Every rule but ordinals, on UTF-8; `nil` when nothing changes. Each rule starts at
    /// an ASCII byte or at the lead byte of `«` or `»`, which no other character contains,
    /// so the text is walked byte by byte; what no rule changes is copied in runs, between
    /// replacements. No closure captures the walk's state: every access to a captured
    /// variable was checked at run time, a third of this function's cost.
    private func characters(_ input: [UInt8], previous: Unicode.Scalar?, inQuote: inout Bool) -> [UInt8]? {
        let french = language == .fr
        let count = input.count
        var output: [UInt8] = []
        // `input[..<copied]` is set in `output` (once something changed).
        var copied = 0
        var changed = false
        var index = 0
        while index < count {
            var replacement: [UInt8]?
            var consumed = 1
            switch input[index] {
            case UInt8(ascii: ".") where Self.byte(input, index + 1) == UInt8(ascii: ".") && Self.byte(input, index + 2) == UInt8(ascii: "."):
                replacement = Self.ellipsis
                consumed = 3
            case UInt8(ascii: "'"):
                let left = Self.scalar(before: index, in: input, copied: copied, output: output, previous: previous)
                let right = UTF8Text.scalar(startingAt: index + 1, in: input)
                if isLetter(left), isLetter(right) || (french && right.map { "«\"“".unicodeScalars.contains($0) } == true) {
                    // Between letters, or a French elision before a quote (`l'« Odyssée »`).
                    replacement = Self.apostrophe
                } else if !french, let left, isLetter(left) || isDigit(left) || ".,;:!?)]}”’".unicodeScalars.contains(left) {
                    replacement = Self.apostrophe
                } else if !french, isLetter(right) || isDigit(right) {
                    replacement = Self.openingSingle
                }
            case UInt8(ascii: "\""):
                let left = Self.scalar(before: index, in: input, copied: copied, output: output, previous: previous)
                let opening = !inQuote && (left.map { isSpace($0) || "([{—–-/«“’'".unicodeScalars.contains($0) } ?? true)
                inQuote = opening
                if french {
                    if opening {
                        replacement = Self.openingGuillemet
                        while Self.byte(input, index + consumed) == UInt8(ascii: " ") { consumed += 1 }
                    } else {
                        // The spaces before a closing quote go, the ones set already too.
                        output.append(contentsOf: input[copied..<index])
                        copied = index
                        changed = true
                        while output.last == UInt8(ascii: " ") { output.removeLast() }
                        replacement = Self.closingGuillemet
                    }
                } else {
                    replacement = opening ? Self.openingDouble : Self.closingDouble
                }
            case UInt8(ascii: " "):
                if let next = UTF8Text.scalar(startingAt: index + 1, in: input), let space = spaceBefore(next) {
                    replacement = space == Self.narrowSpace ? Self.narrowSpaceBytes : Self.noBreakSpaceBytes
                } else if Self.byte(input, index + 1) == UInt8(ascii: "-"), Self.byte(input, index + 2) == UInt8(ascii: " "), index + 3 < count {
                    replacement = Self.spacedDash
                    consumed = 3
                }
            case 0xC2 where french && Self.byte(input, index + 1) == 0xAB:  // «
                consumed = 2
                if Self.byte(input, index + 2) == UInt8(ascii: " ") {
                    replacement = Self.openingGuillemet
                    consumed = 3
                } else if let next = UTF8Text.scalar(startingAt: index + 2, in: input), next != Self.narrowSpace, next != Self.noBreakSpace {
                    replacement = Self.openingGuillemet
                }
            case 0xC2 where french && Self.byte(input, index + 1) == 0xBB:  // »
                consumed = 2
                if let last = Self.scalar(before: index, in: input, copied: copied, output: output, previous: previous),
                    !isSpace(last), last != "«"
                {
                    replacement = Self.closingGuillemet
                }
            default:
                break
            }
            if let replacement {
                if !changed {
                    output.reserveCapacity(count + 8)
                    changed = true
                }
                output.append(contentsOf: input[copied..<index])
                output.append(contentsOf: replacement)
                copied = index + consumed
            }
            index += consumed
        }
        guard changed else { return nil }
        output.append(contentsOf: input[copied..<count])
        return output
    }

    private static func byte(_ input: [UInt8], _ index: Int) -> UInt8? { index < input.count ? input[index] : nil }

    /// The character before `index` as set so far: in `input` past what was copied into
    /// `output`, else the last of `output`, else the one before the text.
    private static func scalar(
        before index: Int, in input: [UInt8], copied: Int, output: [UInt8], previous: Unicode.Scalar?
    ) -> Unicode.Scalar? {
        if index > copied { return UTF8Text.scalar(endingAt: index, in: input) }
        return UTF8Text.scalar(endingAt: output.count, in: output) ?? previous
    }

    /// `1er`, `1re`, `2e`, `2nde`, `XXe`, `XXIe` as whole words: the suffix is raised.
    /// `nil` when there is none. On UTF-8, as `characters`.
    private func ordinals(_ text: [UInt8], previous: Unicode.Scalar?) -> [Segment]? {
        var segments: [Segment] = []
        var runStart = 0
        var index = 0
        func string(_ range: Range<Int>) -> String { String(decoding: text[range], as: UTF8.self) }
        while index < text.count {
            let byte = text[index]
            if Self.isDigit(byte) || Self.isRomanDigit(byte) {
                let left = index == 0 ? previous : UTF8Text.scalar(endingAt: index, in: text)
                if !isLetter(left), !isDigit(left), let (numberEnd, suffixEnd) = ordinal(in: text, at: index) {
                    segments.append(.text(string(runStart..<numberEnd)))
                    segments.append(.superscript(string(numberEnd..<suffixEnd)))
                    index = suffixEnd
                    runStart = index
                    continue
                }
            }
            index += 1
        }
        guard !segments.isEmpty else { return nil }
        if runStart < text.count { segments.append(.text(string(runStart..<text.count))) }
        return segments
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isRomanDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "I"), UInt8(ascii: "V"), UInt8(ascii: "X"), UInt8(ascii: "L"), UInt8(ascii: "C"): true
        default: false
        }
    }

    /// Where the number and the suffix of an ordinal starting at `start` end, in bytes.
    private func ordinal(in text: [UInt8], at start: Int) -> (Int, Int)? {
        var end = start
        if Self.isDigit(text[start]) {
            while end < text.count, Self.isDigit(text[end]) { end += 1 }
        } else {
            while end < text.count, Self.isRomanDigit(text[end]) { end += 1 }
            // A lone L or C followed by "e" is a word (« Le », « Ce »), not a numeral.
            if end - start == 1, text[start] == UInt8(ascii: "L") || text[start] == UInt8(ascii: "C") { return nil }
        }
        // At most five letters of suffix, then neither a letter nor a digit.
        var suffixEnd = end
        var letters = 0
        while letters < 5, let scalar = UTF8Text.scalar(startingAt: suffixEnd, in: text), isLetter(scalar) {
            suffixEnd += UTF8Text.length(of: scalar)
            letters += 1
        }
        guard suffixEnd > end else { return nil }
        if let next = UTF8Text.scalar(startingAt: suffixEnd, in: text), isLetter(next) || isDigit(next) { return nil }
        let suffix = text[end..<suffixEnd]
        let isOne = end - start == 1 && text[start] == UInt8(ascii: "1")
        let isTwo = end - start == 1 && text[start] == UInt8(ascii: "2")
        let allowed: [String] = isOne ? ["er", "re", "ers", "res"] : isTwo ? ["e", "es", "nd", "nde", "nds", "ndes"] : ["e", "es"]
        guard allowed.contains(where: { $0.utf8.elementsEqual(suffix) }) else { return nil }
        return (end, suffixEnd)
    }

    private func isLetter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        if scalar.isASCII { return (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A }
        return scalar.properties.isAlphabetic
    }

    private func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.value >= 0x30 && scalar.value <= 0x39
    }

    private func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\n" || scalar == "\t" || (!scalar.isASCII && scalar.properties.isWhitespace)
    }
}

extension Issue {
    /// Typesets the front-matter's text (titles, summaries, labels) as its keys declare
    /// (`Parse/Keys.swift`), the issue's and every article's and En bref item's.
    mutating func typeset(with typographer: Typographer) {
        update { fields in
            fields.typeset(with: typographer)
            for index in fields.articles.indices { fields.articles[index].typeset(with: typographer) }
            for index in fields.briefs.indices { fields.briefs[index].typeset(with: typographer) }
        }
    }
}

extension FrontMatterModel {
    /// Typesets the fields whose keys are declared typeset; the others (paths, URLs,
    /// alternative texts) stay as written.
    mutating func typeset(with typographer: Typographer) {
        for key in Key.allCases { key.field.typeset?.apply(&self, typographer) }
    }
}
