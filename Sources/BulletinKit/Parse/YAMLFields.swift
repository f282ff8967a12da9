import Foundation
import Yams

/// Typed access to a YAML mapping that records a diagnostic, located at the offending
/// value, for every missing or mistyped field instead of stopping at the first.
struct YAMLFields {
    let mapping: Node.Mapping
    /// The mapping's values by key, looked up once per field (`Node.Mapping`'s own lookup
    /// makes a node and compares every key's resolved tag). The last of equal keys wins,
    /// as in `Node.Mapping`; Yams refuses duplicates anyway.
    private let values: [String: Node]
    let path: String
    /// Added to the YAML parser's line numbers to count lines in the whole file.
    let lineOffset: Int
    /// Location of the mapping itself, for fields that are missing.
    let location: SourceLocation

    init(mapping: Node.Mapping, path: String, lineOffset: Int, location: SourceLocation) {
        self.mapping = mapping
        var values: [String: Node] = [:]
        values.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            if let name = key.scalar?.string { values[name] = value }
        }
        self.values = values
        self.path = path
        self.lineOffset = lineOffset
        self.location = location
    }

    /// No tag is resolved: every field reads its value's text and parses it as its
    /// declaration says (a number, a date, `true` or `false`). Yams' default resolver tries
    /// seven regular expressions on each scalar, a quarter of front-matter parsing, and
    /// compiling even the one for booleans took 2 ms of every run of the program.
    private static let resolver = Resolver.basic

    /// Parses a YAML document that must be a mapping (an empty document is an empty mapping).
    static func parse(_ yaml: String, path: String, firstLine: Int) -> Result<YAMLFields, Diagnostic> {
        let offset = firstLine - 1
        let start = SourceLocation(path: path, line: firstLine, column: 1)
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml, resolver, .default, .utf8)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, path: path, lineOffset: offset))
        } catch {
            return .failure(.error("invalid YAML: \(error)", at: start))
        }
        guard let node else {
            return .success(YAMLFields(mapping: [:], path: path, lineOffset: offset, location: start))
        }
        guard let mapping = node.mapping else {
            return .failure(.error("front-matter must be a list of `key: value` lines", at: start))
        }
        let fields = YAMLFields(mapping: mapping, path: path, lineOffset: offset, location: start)
        return .success(fields)
    }

    private static func diagnostic(for error: YamlError, path: String, lineOffset: Int) -> Diagnostic {
        func at(_ mark: Mark, _ message: String) -> Diagnostic {
            Diagnostic(.error, message, path: path, line: mark.line + lineOffset, column: mark.column)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let detail = context.map { " (\($0.text) on line \($0.mark.line + lineOffset))" } ?? ""
            return at(mark, "invalid YAML: \(problem)\(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return at(context.mark, "duplicate key in YAML: \(duplicates.joined(separator: ", "))")
        case let .reader(problem, _, _, _):
            return Diagnostic(.error, "invalid YAML: \(problem)", path: path, line: lineOffset + 1)
        default:
            return Diagnostic(.error, "invalid YAML: \(error)", path: path, line: lineOffset + 1)
        }
    }

    func location(of node: Node) -> SourceLocation {
        guard let mark = node.mark else { return location }
        return SourceLocation(path: path, line: mark.line + lineOffset, column: mark.column)
    }

    /// The value of `key`, or `nil` when it is absent or written empty (`key:` or `key: null`).
    func value(_ key: String) -> Node? {
        guard let node = values[key], node.null == nil else { return nil }
        return node
    }

    func location(ofKey key: String) -> SourceLocation {
        value(key).map(location(of:)) ?? location
    }

    /// Warns about keys the contract does not know, so that a typo does not pass silently.
    func warnUnknownKeys(allowed: [String], into diagnostics: inout [Diagnostic]) {
        warnUnknownKeys(isKnown: allowed.contains, allowed: allowed, into: &diagnostics)
    }

    /// Warns about each key `isKnown` refuses, with the nearest of `allowed` as a hint
    /// (the first of the nearest).
    func warnUnknownKeys(
        isKnown: (String) -> Bool, allowed: @autoclosure () -> [String], into diagnostics: inout [Diagnostic]
    ) {
        for (key, _) in mapping {
            guard let name = key.string, !isKnown(name) else { continue }
            let allowed = allowed()
            let hint = allowed.min { editDistance($0, name) < editDistance($1, name) }
                .flatMap { editDistance($0, name) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
            diagnostics.append(.warning("unknown key `\(name)`\(hint)", at: location(of: key)))
        }
    }

    // MARK: Typed fields

    func string(_ key: String, required: Bool = false, into diagnostics: inout [Diagnostic]) -> String? {
        guard let node = value(key) else {
            if required { diagnostics.append(.error("missing required field `\(key)`", at: location)) }
            return nil
        }
        guard let scalar = node.scalar else {
            diagnostics.append(.error("`\(key)` must be text, not a list or a mapping", at: location(of: node)))
            return nil
        }
        let text = clean(scalar.string, at: node, into: &diagnostics).trimmingWhitespace()
        if text.isEmpty {
            if required { diagnostics.append(.error("`\(key)` must not be empty", at: location(of: node))) }
            return nil
        }
        return text
    }

    /// A value's text, with a space for each character no feed can carry: the file's own
    /// were replaced when it was read, this catches those a YAML escape (`"\v"`) writes.
    private func clean(_ text: String, at node: Node, into diagnostics: inout [Diagnostic]) -> String {
        let (clean, first, count) = replacingNonXMLCharacters(text)
        if let first { diagnostics.append(nonXMLCharacterWarning(first.scalar, count: count, at: location(of: node))) }
        return clean
    }

    func int(_ key: String, required: Bool = false, into diagnostics: inout [Diagnostic]) -> Int? {
        guard let node = value(key) else {
            if required { diagnostics.append(.error("missing required field `\(key)`", at: location)) }
            return nil
        }
        guard let scalar = node.scalar, let number = Int(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            diagnostics.append(.error("`\(key)` must be a whole number, got \(describe(node))", at: location(of: node)))
            return nil
        }
        return number
    }

    func bool(_ key: String, into diagnostics: inout [Diagnostic]) -> Bool? {
        guard let node = value(key) else { return nil }
        guard node.scalar != nil, let flag = node.bool else {
            diagnostics.append(.error("`\(key)` must be true or false, got \(describe(node))", at: location(of: node)))
            return nil
        }
        return flag
    }

    func date(_ key: String, required: Bool = false, into diagnostics: inout [Diagnostic]) -> SimpleDate? {
        guard let node = value(key) else {
            if required { diagnostics.append(.error("missing required field `\(key)`", at: location)) }
            return nil
        }
        guard let scalar = node.scalar, let date = SimpleDate(parsing: scalar.string) else {
            diagnostics.append(.error(
                "`\(key)` must be a real date written YYYY-MM-DD, got \(describe(node))", at: location(of: node)))
            return nil
        }
        return date
    }

    /// A list of strings; a single string is accepted as a list of one.
    func strings(_ key: String, into diagnostics: inout [Diagnostic]) -> [String] {
        guard let node = value(key) else { return [] }
        if let scalar = node.scalar { return [clean(scalar.string, at: node, into: &diagnostics)] }
        guard let sequence = node.sequence else {
            diagnostics.append(.error("`\(key)` must be a list", at: location(of: node)))
            return []
        }
        return sequence.compactMap { item in
            guard let scalar = item.scalar else {
                diagnostics.append(.error("each item of `\(key)` must be text", at: location(of: item)))
                return nil
            }
            return clean(scalar.string, at: item, into: &diagnostics)
        }
    }

    /// A list of mappings (`videos`, `figures`, `social`…).
    func mappings(_ key: String, into diagnostics: inout [Diagnostic]) -> [YAMLFields] {
        guard let node = value(key) else { return [] }
        guard let sequence = node.sequence else {
            diagnostics.append(.error("`\(key)` must be a list of entries starting with `- `", at: location(of: node)))
            return []
        }
        return sequence.compactMap { item in
            guard let mapping = item.mapping else {
                diagnostics.append(.error("each entry of `\(key)` must be a set of `key: value` lines", at: location(of: item)))
                return nil
            }
            return YAMLFields(mapping: mapping, path: path, lineOffset: lineOffset, location: location(of: item))
        }
    }

    func mapping(_ key: String, into diagnostics: inout [Diagnostic]) -> YAMLFields? {
        guard let node = value(key) else { return nil }
        guard let mapping = node.mapping else {
            diagnostics.append(.error("`\(key)` must be a set of `key: value` lines", at: location(of: node)))
            return nil
        }
        return YAMLFields(mapping: mapping, path: path, lineOffset: lineOffset, location: location(of: node))
    }

    private func describe(_ node: Node) -> String {
        if let scalar = node.scalar { return "\"\(scalar.string)\"" }
        return node.sequence != nil ? "a list" : "a mapping"
    }
}

/// Levenshtein distance, for "did you mean" hints on short keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
