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
        let input = Array(text.unicodeScalars)
        let set = needsRules ? characters(input, previous: before, inQuote: &state.inQuote) : nil
        let output = set ?? input
        state.previous = output.last ?? before
        if language == .fr, needsOrdinals, let raised = ordinals(output, previous: before) { return raised }
        guard let set else { return [.text(text)] }
        return [.text(string(set[...]))]
    }

    /// Whether any rule could apply, from one pass over the bytes: most text nodes need
    /// nothing, and decoding them would cost more than the rules themselves.
    private func triggers(_ text: String) -> (rules: Bool, ordinals: Bool) {
        let french = language == .fr
        var rules = false
        var ordinals = false
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in text.utf8 {
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
            beforePrevious = previous
            previous = byte
        }
        return (rules, ordinals)
    }

    /// Every rule but ordinals, scalar by scalar; `nil` when nothing changes.
    private func characters(_ input: [Unicode.Scalar], previous: Unicode.Scalar?, inQuote: inout Bool) -> [Unicode.Scalar]? {
        var output: [Unicode.Scalar] = []
        var changed = false
        var index = 0
        let french = language == .fr
        func before() -> Unicode.Scalar? { changed ? (output.last ?? previous) : (index > 0 ? input[index - 1] : previous) }
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < input.count ? input[index + offset] : nil }
        /// Switches to building a new array, copying what was left unchanged so far.
        func change() {
            if !changed {
                output.reserveCapacity(input.count + 8)
                output.append(contentsOf: input[0..<index])
                changed = true
            }
        }
        while index < input.count {
            let scalar = input[index]
            var replacement: [Unicode.Scalar]?
            var consumed = 1
            switch scalar {
            case "." where at(1) == "." && at(2) == ".":
                replacement = ["…"]
                consumed = 3
            case "'":
                let left = before()
                let right = at(1)
                if isLetter(left), isLetter(right) || (french && right.map { "«\"“".unicodeScalars.contains($0) } == true) {
                    // Between letters, or a French elision before a quote (`l'« Odyssée »`).
                    replacement = ["’"]
                } else if !french, let left, isLetter(left) || isDigit(left) || ".,;:!?)]}”’".unicodeScalars.contains(left) {
                    replacement = ["’"]
                } else if !french, isLetter(right) || isDigit(right) {
                    replacement = ["‘"]
                }
            case "\"":
                let opening = !inQuote && (before().map { isSpace($0) || "([{—–-/«“’'".unicodeScalars.contains($0) } ?? true)
                inQuote = opening
                if french {
                    if opening {
                        replacement = ["«", Self.narrowSpace]
                        while at(consumed) == " " { consumed += 1 }
                    } else {
                        change()
                        while output.last == " " { output.removeLast() }
                        replacement = [Self.narrowSpace, "»"]
                    }
                } else {
                    replacement = [opening ? "“" : "”"]
                }
            case " ":
                if let next = at(1), let space = spaceBefore(next) {
                    replacement = [space]
                } else if at(1) == "-", at(2) == " ", index + 3 < input.count {
                    replacement = [" ", "–", " "]
                    consumed = 3
                }
            case "«" where french:
                if at(1) == " " {
                    replacement = ["«", Self.narrowSpace]
                    consumed = 2
                } else if let next = at(1), next != Self.narrowSpace, next != Self.noBreakSpace {
                    replacement = ["«", Self.narrowSpace]
                }
            case "»" where french:
                if let last = before(), !isSpace(last), last != "«" {
                    replacement = [Self.narrowSpace, "»"]
                }
            default:
                break
            }
            if let replacement {
                change()
                output.append(contentsOf: replacement)
            } else if changed {
                output.append(contentsOf: input[index..<index + consumed])
            }
            index += consumed
        }
        return changed ? output : nil
    }

    /// `1er`, `1re`, `2e`, `2nde`, `XXe`, `XXIe` as whole words: the suffix is raised.
    /// `nil` when there is none.
    private func ordinals(_ text: [Unicode.Scalar], previous: Unicode.Scalar?) -> [Segment]? {
        var segments: [Segment] = []
        var runStart = 0
        var index = 0
        while index < text.count {
            let scalar = text[index]
            if isDigit(scalar) || Self.isRomanDigit(scalar) {
                let left = index == 0 ? previous : text[index - 1]
                if !isLetter(left), !isDigit(left), let (numberLength, suffixLength) = ordinal(in: text, at: index) {
                    segments.append(.text(string(text[runStart..<index + numberLength])))
                    segments.append(.superscript(string(text[index + numberLength..<index + numberLength + suffixLength])))
                    index += numberLength + suffixLength
                    runStart = index
                    continue
                }
            }
            index += 1
        }
        guard !segments.isEmpty else { return nil }
        if runStart < text.count { segments.append(.text(string(text[runStart...]))) }
        return segments
    }

    private static func isRomanDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "I", "V", "X", "L", "C": true
        default: false
        }
    }

    /// Lengths of the number and of the suffix of an ordinal starting at `start`.
    private func ordinal(in text: [Unicode.Scalar], at start: Int) -> (Int, Int)? {
        var end = start
        if isDigit(text[start]) {
            while end < text.count, isDigit(text[end]) { end += 1 }
        } else {
            while end < text.count, Self.isRomanDigit(text[end]) { end += 1 }
            // A lone L or C followed by "e" is a word (« Le », « Ce »), not a numeral.
            if end - start == 1, text[start] == "L" || text[start] == "C" { return nil }
        }
        var suffixEnd = end
        while suffixEnd < text.count, suffixEnd - end < 5, isLetter(text[suffixEnd]) { suffixEnd += 1 }
        guard suffixEnd > end else { return nil }
        if suffixEnd < text.count, isLetter(text[suffixEnd]) || isDigit(text[suffixEnd]) { return nil }
        let suffix = text[end..<suffixEnd]
        let isOne = end - start == 1 && text[start] == "1"
        let isTwo = end - start == 1 && text[start] == "2"
        let allowed: [String] = isOne ? ["er", "re", "ers", "res"] : isTwo ? ["e", "es", "nd", "nde", "nds", "ndes"] : ["e", "es"]
        guard allowed.contains(where: { $0.unicodeScalars.elementsEqual(suffix) }) else { return nil }
        return (end - start, suffixEnd - end)
    }

    /// The scalars encoded at once: appending them one by one to a
    /// `String.UnicodeScalarView` was a tenth of a whole build.
    private func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count + scalars.count / 2)
        for scalar in scalars { UTF8.encode(scalar) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
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
    /// Typesets the front-matter's text: titles, summaries, labels. Paths, URLs and
    /// alternative texts stay as written.
    mutating func typeset(with typographer: Typographer) {
        update { $0.typeset(with: typographer) }
    }
}

extension Issue.Fields {
    mutating func typeset(with typographer: Typographer) {
        let set = typographer.plain
        title = set(title)
        summary = summary.map(set)
        if var block = edito {
            block.title = block.title.map(set)
            block.author = block.author.map(set)
            block.role = block.role.map(set)
            edito = block
        }
        for index in videos.indices {
            videos[index].title = set(videos[index].title)
            videos[index].linkText = videos[index].linkText.map(set)
        }
        for index in figures.indices {
            figures[index].value = set(figures[index].value)
            figures[index].label = set(figures[index].label)
            figures[index].source = figures[index].source.map(set)
        }
        for index in agenda.indices {
            agenda[index].title = set(agenda[index].title)
            agenda[index].time = agenda[index].time.map(set)
            agenda[index].place = agenda[index].place.map(set)
        }
        for index in articles.indices { articles[index].typeset(with: typographer) }
        for index in briefs.indices { briefs[index].typeset(with: typographer) }
    }
}

extension Article {
    mutating func typeset(with typographer: Typographer) {
        let set = typographer.plain
        title = set(title)
        summary = summary.map(set)
        credit = credit.map(set)
        section = section.map(set)
        tags = tags.map(set)
    }
}

extension SiteConfig {
    mutating func typeset(with typographer: Typographer) {
        let set = typographer.plain
        title = set(title)
        description = description.map(set)
        publisher = publisher.map(set)
        masthead = masthead.map { MastheadEntry(role: set($0.role), name: set($0.name)) }
    }
}
