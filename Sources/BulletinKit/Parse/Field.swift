/// A key of a YAML mapping Bulletin reads (`issue.md`'s front-matter, an article's, each
/// entry of `videos:`, `site.yml`…): one case per key, its raw value as written. The cases
/// are every key the mapping knows; any other gets a warning. `Parse/Keys.swift` holds them all.
protocol FrontMatterKey: RawRepresentable<String>, CaseIterable {
    /// The value the keys are read into, whose text the declarations typeset.
    associatedtype Model
    /// The key's one declaration: what its value is, whether it is required, the rule it
    /// follows, whether it is typeset and whether lists show it.
    var field: Field<Model> { get }
}

extension FrontMatterKey {
    /// Every key, in the order of the cases (which "did you mean" hints prefer in a tie).
    static var keys: [String] { allCases.map(\.rawValue) }
}

/// A value read from a YAML mapping whose keys `Key` declares.
protocol FrontMatterModel {
    associatedtype Key: FrontMatterKey where Key.Model == Self
}

/// The declaration of one key, made with `.text(…)`, `.number(…)`…, one for each kind of value.
struct Field<Model> {
    enum Kind {
        /// Text; written empty, it is no value.
        case text
        /// Text naming a file of the issue or of `static/`.
        case path
        /// A whole number.
        case number
        /// A date written YYYY-MM-DD.
        case date
        /// true or false.
        case flag
        /// A list of texts, or one text.
        case texts
        /// A mapping, with keys of its own.
        case block
        /// A list of mappings, with keys of their own.
        case entries
    }

    /// What lists of issues show of a field (home, archive, the links to an issue's
    /// neighbours), hashed into `RenderCache.ListedKeys`.
    typealias Listing = (Issue, inout StableHasher) -> Void

    let kind: Kind
    /// Missing or empty, the value is an error.
    let isRequired: Bool
    /// The rule a `.text` or `.path` value follows.
    private(set) var textRule: Rule<String>? = nil
    /// The rule a `.number` follows.
    private(set) var numberRule: Rule<Int>? = nil
    /// How the typographer sets the field's text; nil when it stays as written (paths,
    /// URLs, addresses, alternative texts).
    let typeset: Typesetting<Model>?
    /// What lists of issues show of the field; nil when they show nothing of it. A field
    /// they show without saying so here leaves stale pages in `serve` and warm builds.
    let listed: Listing?

    static func text(
        required: Bool = false, rule: Rule<String>? = nil, typeset: Typesetting<Model>? = nil, listed: Listing? = nil
    ) -> Field {
        Field(kind: .text, isRequired: required, textRule: rule, typeset: typeset, listed: listed)
    }

    static func path(required: Bool = false, listed: Listing? = nil) -> Field {
        Field(kind: .path, isRequired: required, typeset: nil, listed: listed)
    }

    static func number(required: Bool = false, rule: Rule<Int>? = nil, listed: Listing? = nil) -> Field {
        Field(kind: .number, isRequired: required, numberRule: rule, typeset: nil, listed: listed)
    }

    static func date(required: Bool = false, listed: Listing? = nil) -> Field {
        Field(kind: .date, isRequired: required, typeset: nil, listed: listed)
    }

    static func flag(listed: Listing? = nil) -> Field {
        Field(kind: .flag, isRequired: false, typeset: nil, listed: listed)
    }

    static func texts(typeset: Typesetting<Model>? = nil, listed: Listing? = nil) -> Field {
        Field(kind: .texts, isRequired: false, typeset: typeset, listed: listed)
    }

    static func block(typeset: Typesetting<Model>? = nil, listed: Listing? = nil) -> Field {
        Field(kind: .block, isRequired: false, typeset: typeset, listed: listed)
    }

    static func entries(typeset: Typesetting<Model>? = nil, listed: Listing? = nil) -> Field {
        Field(kind: .entries, isRequired: false, typeset: typeset, listed: listed)
    }
}

/// A condition a value meets, checked as it is read: a value that does not gets the
/// diagnostic, at the value, and is dropped when the diagnostic is an error.
struct Rule<Value> {
    let severity: Diagnostic.Severity
    let holds: (Value) -> Bool
    let message: (Value) -> String

    static func error(_ message: String, unless holds: @escaping (Value) -> Bool) -> Rule {
        Rule(severity: .error, holds: holds, message: { _ in message })
    }

    /// An error whose message shows the value.
    static func error(unless holds: @escaping (Value) -> Bool, message: @escaping (Value) -> String) -> Rule {
        Rule(severity: .error, holds: holds, message: message)
    }

    static func warning(_ message: String, unless holds: @escaping (Value) -> Bool) -> Rule {
        Rule(severity: .warning, holds: holds, message: { _ in message })
    }
}

/// How the typographer sets a field's text (`FrontMatterModel.typeset(with:)`).
struct Typesetting<Model> {
    let apply: (inout Model, Typographer) -> Void

    static func text(_ field: WritableKeyPath<Model, String>) -> Typesetting {
        Typesetting { model, typographer in model[keyPath: field] = typographer.plain(model[keyPath: field]) }
    }

    static func text(_ field: WritableKeyPath<Model, String?>) -> Typesetting {
        Typesetting { model, typographer in model[keyPath: field] = model[keyPath: field].map(typographer.plain) }
    }

    static func texts(_ field: WritableKeyPath<Model, [String]>) -> Typesetting {
        Typesetting { model, typographer in model[keyPath: field] = model[keyPath: field].map(typographer.plain) }
    }

    /// A block's fields, as its own keys declare.
    static func fields<Block: FrontMatterModel>(_ field: WritableKeyPath<Model, Block?>) -> Typesetting {
        Typesetting { model, typographer in model[keyPath: field]?.typeset(with: typographer) }
    }

    /// Each entry's fields, as its own keys declare.
    static func fields<Entry: FrontMatterModel>(_ field: WritableKeyPath<Model, [Entry]>) -> Typesetting {
        Typesetting { model, typographer in
            for index in model[keyPath: field].indices { model[keyPath: field][index].typeset(with: typographer) }
        }
    }
}

/// A YAML mapping read through the keys `Key` declares: each value as its declaration
/// says (kind, required, rule), with the diagnostics of `YAMLFields`.
struct KeyedFields<Key: FrontMatterKey> {
    let yaml: YAMLFields

    /// Warns about keys the declaration does not know, so that a typo does not pass silently.
    func warnUnknownKeys(into diagnostics: inout [Diagnostic]) {
        yaml.warnUnknownKeys(isKnown: { Key(rawValue: $0) != nil }, allowed: Key.keys, into: &diagnostics)
    }

    func text(_ key: Key, into diagnostics: inout [Diagnostic]) -> String? {
        let field = key.field
        assert(field.kind == .text || field.kind == .path, "`\(key.rawValue)` is not declared as text")
        let text = yaml.string(key.rawValue, required: field.isRequired, into: &diagnostics)
        return checked(text, by: field.textRule, key, into: &diagnostics)
    }

    func number(_ key: Key, into diagnostics: inout [Diagnostic]) -> Int? {
        let field = key.field
        assert(field.kind == .number, "`\(key.rawValue)` is not declared as a number")
        let number = yaml.int(key.rawValue, required: field.isRequired, into: &diagnostics)
        return checked(number, by: field.numberRule, key, into: &diagnostics)
    }

    func date(_ key: Key, into diagnostics: inout [Diagnostic]) -> SimpleDate? {
        let field = key.field
        assert(field.kind == .date, "`\(key.rawValue)` is not declared as a date")
        return yaml.date(key.rawValue, required: field.isRequired, into: &diagnostics)
    }

    func flag(_ key: Key, into diagnostics: inout [Diagnostic]) -> Bool? {
        assert(key.field.kind == .flag, "`\(key.rawValue)` is not declared as true or false")
        return yaml.bool(key.rawValue, into: &diagnostics)
    }

    func texts(_ key: Key, into diagnostics: inout [Diagnostic]) -> [String] {
        assert(key.field.kind == .texts, "`\(key.rawValue)` is not declared as a list of texts")
        return yaml.strings(key.rawValue, into: &diagnostics)
    }

    /// A block, read through its own keys.
    func block<Inner>(_ key: Key, keys: Inner.Type, into diagnostics: inout [Diagnostic]) -> KeyedFields<Inner>? {
        assert(key.field.kind == .block, "`\(key.rawValue)` is not declared as a block")
        return yaml.mapping(key.rawValue, into: &diagnostics).map(KeyedFields<Inner>.init)
    }

    /// A list of entries, each read through its own keys.
    func entries<Inner>(_ key: Key, keys: Inner.Type, into diagnostics: inout [Diagnostic]) -> [KeyedFields<Inner>] {
        assert(key.field.kind == .entries, "`\(key.rawValue)` is not declared as a list of entries")
        return yaml.mappings(key.rawValue, into: &diagnostics).map(KeyedFields<Inner>.init)
    }

    /// Whether the key has a value (written empty, it has none).
    func isSet(_ key: Key) -> Bool {
        yaml.value(key.rawValue) != nil
    }

    /// Where the key's value is written, else where the mapping is.
    func location(of key: Key) -> SourceLocation {
        yaml.location(ofKey: key.rawValue)
    }

    private func checked<Value>(_ value: Value?, by rule: Rule<Value>?, _ key: Key, into diagnostics: inout [Diagnostic]) -> Value? {
        guard let value, let rule, !rule.holds(value) else { return value }
        let location = location(of: key)
        diagnostics.append(Diagnostic(rule.severity, rule.message(value), path: location.path, line: location.line, column: location.column))
        return rule.severity == .error ? nil : value
    }
}
