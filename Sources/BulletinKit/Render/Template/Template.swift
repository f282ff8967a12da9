/// A Mustache template, parsed once per theme into a tree that `TemplateRenderer` walks.
///
/// The syntax is the Mustache specification's: variables, sections, inverted sections,
/// comments, partials (also by a name held in a value, `{{>*name}}`), inheritance
/// (`{{<parent}}` with `{{$block}}`), delimiters changed with `{{=<% %>=}}`, and
/// standalone tags, whose line is removed. `{{%CONTENT_TYPE:TEXT}}` stops escaping for
/// the rest of a template. The rules for whitespace follow swift-mustache's, which
/// Bulletin used before, so that themes written for it render the same bytes.
struct Template: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable(TemplateName, escaped: Bool)
        case section(TemplateName, [Node], inverted: Bool)
        /// `{{> name}}`; `dynamic` reads the name from the context (`{{>*name}}`).
        /// `overrides` are the blocks of `{{< name}}`.
        case partial(String, dynamic: Bool, indentation: String?, overrides: [String: [Node]]?)
        /// `{{$name}}default{{/name}}` outside a `{{< parent}}`.
        case block(String, default: [Node], indentation: String)
        /// A block given to `{{< parent}}`; only found while parsing.
        case blockDefinition(String, [Node])
        case escaping(Bool)
    }

    let nodes: [Node]

    /// A template parsed before (the build cache keeps a theme's).
    init(nodes: [Node]) {
        self.nodes = nodes
    }

    init(parsing text: String) throws(TemplateSyntaxError) {
        var parser = TemplateParser(text)
        do {
            nodes = try parser.parse(TemplateParser.State())
        } catch let problem {
            let (line, column) = parser.lineAndColumn()
            throw TemplateSyntaxError(message: problem.message, line: line, column: column)
        }
    }
}

/// A name as a template writes it: `title`, `issue.title`, `.` (the current value) or
/// `.title` (looked up on the current value only, not the values around it).
struct TemplateName: Sendable {
    /// Empty for `.`.
    let components: [String]
    /// `.` or a name starting with a dot: only the innermost value is asked.
    let isAnchored: Bool

    init(_ written: String) {
        components = written.split(separator: ".").map(String.init)
        isAnchored = written.hasPrefix(".")
    }

    init(components: [String], isAnchored: Bool) {
        self.components = components
        self.isAnchored = isAnchored
    }
}

struct TemplateSyntaxError: Error {
    let message: String
    let line: Int
    let column: Int
}

/// Reads a template character by character, as swift-mustache does, so that line ends
/// (`\r\n` is one character) and standalone lines are recognised the same way.
private struct TemplateParser {
    struct Problem: Error {
        let message: String
    }

    struct State {
        var sectionName: String?
        /// Where the open section's tag starts, for the error when it is never closed.
        var sectionStart = 0
        var newLine = true
        var inPartialDefinition = false
        var atPartialDefinitionTop = false
        var start: [Character] = ["{", "{"]
        var end: [Character] = ["}", "}"]
        /// The indentation of the first line of a block given to a parent.
        var definitionIndent: Int?

        func entering(section name: String, at start: Int, standalone: Bool) -> State {
            var state = self
            state.sectionName = name
            state.sectionStart = start
            state.atPartialDefinitionTop = false
            if !standalone { state.newLine = false }
            return state
        }

        func entering(parent name: String, at start: Int) -> State {
            var state = self
            state.sectionName = name
            state.sectionStart = start
            state.newLine = true
            state.inPartialDefinition = true
            state.atPartialDefinitionTop = true
            return state
        }
    }

    let characters: [Character]
    var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    private var atEnd: Bool { position == characters.count }
    private var current: Character { atEnd ? "\0" : characters[position] }

    func lineAndColumn() -> (Int, Int) {
        let before = characters[..<min(position, characters.count)]
        let line = before.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: "\n").map { $0 + 1 } ?? 0
        return (line, position - lineStart + 1)
    }

    private mutating func read(while accepts: (Character) -> Bool) -> String {
        let start = position
        while !atEnd, accepts(characters[position]) { position += 1 }
        return String(characters[start..<position])
    }

    private mutating func read(_ expected: [Character]) -> Bool {
        guard position + expected.count <= characters.count,
            characters[position..<position + expected.count].elementsEqual(expected)
        else { return false }
        position += expected.count
        return true
    }

    private static func isSpaceOrTab(_ character: Character) -> Bool { character == " " || character == "\t" }

    mutating func parse(_ initial: State) throws(Problem) -> [Template.Node] {
        var nodes: [Template.Node] = []
        var state = initial
        var whitespaceBefore = ""
        while !atEnd {
            if state.newLine {
                let whitespace = read(while: Self.isSpaceOrTab)
                if state.inPartialDefinition, !state.atPartialDefinitionTop {
                    if let indent = state.definitionIndent {
                        whitespaceBefore = String(whitespace.dropFirst(indent))
                    } else {
                        state.definitionIndent = whitespace.count
                    }
                } else {
                    whitespaceBefore = whitespace
                }
            }
            let text = readTextUntilTagOrNewline(state)
            if current.isNewline {
                nodes.append(.text(whitespaceBefore + text + String(current)))
                state.newLine = true
                position += 1
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(whitespaceBefore + text))
                whitespaceBefore = ""
                state.newLine = false
            }
            if atEnd { break }

            /// The whitespace before a tag that does not stand alone is text.
            func keepWhitespace() {
                if !whitespaceBefore.isEmpty {
                    nodes.append(.text(whitespaceBefore))
                    whitespaceBefore = ""
                }
            }
            var standalone = false
            let tagStart = position - state.start.count
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let name = try readName(state)
                standalone = isStandalone(state)
                if !standalone { keepWhitespace() }
                let inner = try parse(state.entering(section: name, at: tagStart, standalone: standalone))
                nodes.append(.section(TemplateName(name), inner, inverted: inverted))
            case "/":
                position += 1
                let nameStart = position
                let name = try readName(state)
                guard name == state.sectionName else {
                    position = nameStart
                    throw Problem(message: state.sectionName.map { "`{{/\(name)}}` closes `\($0)`, which is not the section open here" }
                        ?? "`{{/\(name)}}` closes a section that was never opened")
                }
                if !isStandalone(state) { keepWhitespace() }
                return nodes
            case "!":
                position += 1
                try skipComment(state)
                standalone = isStandalone(state)
            case "{":
                keepWhitespace()
                position += 1
                let name = try readName(state)
                guard current == "}" else { throw Problem(message: "`{{{` is closed by `}}}`") }
                position += 1
                nodes.append(.variable(TemplateName(name), escaped: false))
            case "&":
                keepWhitespace()
                position += 1
                nodes.append(.variable(TemplateName(try readName(state)), escaped: false))
            case ">":
                position += 1
                _ = read(while: \.isWhitespace)
                let dynamic = current == "*"
                if dynamic { position += 1 }
                let name = try readPartialName(state)
                if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                standalone = isStandalone(state)
                nodes.append(.partial(name, dynamic: dynamic, indentation: standalone ? whitespaceBefore : nil, overrides: nil))
                whitespaceBefore = ""
            case "<":
                position += 1
                _ = read(while: \.isWhitespace)
                let written = try readPartialName(state)
                if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                standalone = isStandalone(state)
                var overrides: [String: [Template.Node]] = [:]
                for node in try parse(state.entering(parent: written, at: tagStart)) {
                    switch node {
                    case .blockDefinition(let name, let inner): overrides[name] = inner
                    case .text: break
                    default: throw Problem(message: "only `{{$block}}` sections may stand inside `{{<\(written)}}`")
                    }
                }
                let dynamic = written.hasPrefix("*")
                nodes.append(.partial(
                    dynamic ? String(written.dropFirst()) : written, dynamic: dynamic, indentation: whitespaceBefore,
                    overrides: overrides))
                whitespaceBefore = ""
            case "$":
                position += 1
                let name = try readName(state)
                if state.atPartialDefinitionTop {
                    standalone = isStandalone(state)
                    nodes.append(.blockDefinition(name, try parse(state.entering(section: name, at: tagStart, standalone: standalone))))
                } else {
                    if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                    standalone = isStandalone(state)
                    let inner = try parse(state.entering(section: name, at: tagStart, standalone: standalone))
                    nodes.append(.block(name, default: inner, indentation: whitespaceBefore))
                    whitespaceBefore = ""
                }
            case "=":
                position += 1
                state = try readDelimiters(state)
                standalone = isStandalone(state)
            case "%":
                position += 1
                nodes.append(.escaping(try readContentType(state)))
                standalone = isStandalone(state)
            default:
                keepWhitespace()
                nodes.append(.variable(TemplateName(try readName(state)), escaped: true))
            }
            state.newLine = standalone
        }
        if let name = state.sectionName {
            position = state.sectionStart  // the error points at the tag left open
            throw Problem(message: "`\(name)` is opened here and never closed (`{{/\(name)}}`)")
        }
        return nodes
    }

    /// Text up to the next opening delimiter (consumed) or line end (not consumed).
    private mutating func readTextUntilTagOrNewline(_ state: State) -> String {
        var text = ""
        let first = state.start[0]
        while !atEnd {
            let start = position
            while !atEnd, characters[position] != "\n", characters[position] != "\r\n", characters[position] != first {
                position += 1
            }
            text += String(characters[start..<position])
            if current.isNewline { break }
            if current == first {
                if read(state.start) { break }
                text.append(first)
                position += 1
            }
        }
        return text
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let partialNameCharacters = nameCharacters.union(["/"])

    private mutating func readName(_ state: State) throws(Problem) -> String {
        _ = read(while: \.isWhitespace)
        let start = position
        let name = read(while: Self.nameCharacters.contains)
        _ = read(while: \.isWhitespace)
        guard read(state.end) else { throw Problem(message: "a tag's name is not closed by `\(String(state.end))`") }
        if name.contains("(") || name.contains(")") {
            position = start  // the error points at the name
            throw Problem(message: "`\(name)`: transforms written `name(…)` are not supported")
        }
        return name
    }

    private mutating func readPartialName(_ state: State) throws(Problem) -> String {
        _ = read(while: \.isWhitespace)
        let name = read(while: Self.partialNameCharacters.contains)
        _ = read(while: \.isWhitespace)
        guard read(state.end) else { throw Problem(message: "a partial's name is not closed by `\(String(state.end))`") }
        return name
    }

    private mutating func skipComment(_ state: State) throws(Problem) {
        while !atEnd {
            if read(state.end) { return }
            position += 1
        }
        throw Problem(message: "a comment is not closed by `\(String(state.end))`")
    }

    private mutating func readDelimiters(_ state: State) throws(Problem) -> State {
        let invalid = Problem(message: "delimiters are set as `{{=<% %>=}}`: two delimiters without spaces, then `=`")
        _ = read(while: \.isWhitespace)
        let start = read { !$0.isWhitespace }
        guard !atEnd else { throw invalid }
        _ = read(while: \.isWhitespace)
        let end = read { $0 != "=" && !$0.isWhitespace }
        guard !atEnd else { throw invalid }
        _ = read(while: \.isWhitespace)
        guard current == "=" else { throw invalid }
        position += 1
        guard read(state.end), !start.isEmpty, !end.isEmpty else { throw invalid }
        var changed = state
        changed.start = Array(start)
        changed.end = Array(end)
        changed.atPartialDefinitionTop = false
        return changed
    }

    /// `{{%CONTENT_TYPE:HTML}}` (escaped, the default) or `{{%CONTENT_TYPE:TEXT}}`.
    private mutating func readContentType(_ state: State) throws(Problem) -> Bool {
        let invalid = Problem(message: "the only setting is `{{%CONTENT_TYPE:HTML}}` or `{{%CONTENT_TYPE:TEXT}}`")
        let word = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
        _ = read(while: \.isWhitespace)
        let variable = read(while: word.contains)
        _ = read(while: \.isWhitespace)
        guard current == ":" else { throw invalid }
        position += 1
        _ = read(while: \.isWhitespace)
        let value = read(while: word.contains)
        _ = read(while: \.isWhitespace)
        guard read(state.end), variable == "CONTENT_TYPE" else { throw invalid }
        switch value {
        case "HTML": return true
        case "TEXT": return false
        default: throw invalid
        }
    }

    /// A tag alone on its line: the rest of the line (spaces, then its end) is consumed.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if atEnd { return true }
        var index = position
        while index < characters.count, Self.isSpaceOrTab(characters[index]) { index += 1 }
        guard index < characters.count, characters[index].isNewline else { return false }
        position = index + 1
        return true
    }
}
