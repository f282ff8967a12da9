import Foundation
import Synchronization
import Yams

/// A theme ready to render: parsed templates, locale strings and assets. A site's
/// `themes/<name>/` overrides the built-in default theme file by file.
struct Theme: Sendable {
    static let requiredTemplates = ["layout", "home", "issue", "article", "archive", "404", "feed", "email"]

    let library: TemplateLibrary
    let locale: LocaleStrings
    /// Files copied to `output/assets/`, by path relative to `assets/`.
    let assets: [String: ThemeFile]
    /// Inline styles for Markdown-made HTML in the e-mail edition, by tag name.
    let emailStyles: [String: String]
    /// Changes when a template, a locale string or an e-mail style does.
    let fingerprint: UInt64

    enum ThemeFile: Sendable {
        case builtIn(Data)
        case onDisk(URL)
    }

    /// The theme `name` of the site from its folder as loaded, falling back on the built-in
    /// theme for every file the folder does not have. Reads nothing: assets on disk are
    /// only named, for the writer to copy.
    ///
    /// `parsedCleanly` is the fingerprint of a theme that a build parsed without an
    /// error: one with that fingerprint has its templates parsed the first time one is
    /// rendered (a warm build that renders nothing again spent a tenth of its time there).
    ///
    /// `parsedBefore` gives the templates of a theme with that fingerprint as a build
    /// parsed them (the build cache keeps them), or nil: parsing them again, character by
    /// character, held up every page of a warm build for a tenth of it.
    static func make(
        from folder: ThemeFolder?, siteRoot: URL, name: String, language: Language, parsedCleanly: UInt64? = nil,
        parsedBefore: (@Sendable (UInt64) -> [String: Template]?)? = nil, diagnostics: inout [Diagnostic]
    ) -> Theme? {
        let sitePrefix = "themes/\(name)/"
        if folder == nil, name != "default" {
            diagnostics.append(Diagnostic(.error, "theme `\(name)` not found: no folder \(sitePrefix)", path: "site.yml"))
            return nil
        }
        diagnostics += (folder?.symbolicLinks ?? []).map { SiteLoader.symbolicLinkWarning(sitePrefix + $0) }
        let siteFiles = folder?.files ?? []
        let location = siteRoot.appendingPathComponent("themes/\(name)")
        var files: [String: ThemeFile] = DefaultTheme.files.mapValues { .builtIn($0) }
        for path in siteFiles { files[path] = .onDisk(location.appendingPathComponent(path)) }
        let errorCount = diagnostics.count

        @Sendable func displayPath(_ path: String) -> String {
            siteFiles.contains(path) ? sitePrefix + path : "(built-in theme)/" + path
        }
        var fingerprint = StableHasher()
        fingerprint.combine(language.rawValue)
        func read(_ path: String) -> String? {
            let text: String
            switch files[path] {
            case .builtIn(let data): text = String(decoding: data, as: UTF8.self)
            case .onDisk:
                guard let data = folder?.texts[path], let decoded = String(data: data, encoding: .utf8) else {
                    diagnostics.append(Diagnostic(.error, "cannot read theme file as UTF-8 text", path: displayPath(path)))
                    return nil
                }
                text = decoded
            case nil: return nil
            }
            fingerprint.combine(path)
            fingerprint.combine(text)
            return text
        }

        // Locale: the built-in strings, overridden key by key by the site's theme.
        let localePath = "locales/\(language.rawValue).yml"
        var locale = LocaleFile()
        if let data = DefaultTheme.files[localePath] {
            locale.merge(String(decoding: data, as: UTF8.self), path: "(built-in theme)/" + localePath, diagnostics: &diagnostics)
        }
        if siteFiles.contains(localePath), let text = read(localePath) {
            locale.merge(text, path: sitePrefix + localePath, diagnostics: &diagnostics)
        }
        if locale.months.count != 12 {
            diagnostics.append(Diagnostic(.error, "locale must list 12 month names under date.months", path: displayPath(localePath)))
        }

        var templateTexts: [String: (path: String, text: String)] = [:]
        for path in files.keys.sorted() where path.hasPrefix("templates/") && path.hasSuffix(".mustache") {
            let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
            guard let text = read(path) else { continue }
            if let refusal = Self.oversized(text) {
                diagnostics.append(Diagnostic(.error, refusal.message, path: displayPath(path), line: refusal.line, column: 1))
                continue
            }
            templateTexts[name] = (path, text)
        }
        for name in requiredTemplates where files["templates/\(name).mustache"] == nil {
            diagnostics.append(Diagnostic(.error, "theme has no templates/\(name).mustache", path: sitePrefix))
        }

        var emailStyles: [String: String] = [:]
        if let text = read("email-styles.yml") {
            switch YAMLFields.parse(text, path: displayPath("email-styles.yml"), firstLine: 1) {
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            case .success(let fields):
                for (key, value) in fields.mapping {
                    guard let tag = key.string, let style = value.scalar?.string else {
                        diagnostics.append(.error("each line must be `tag: \"css\"`", at: fields.location(of: key)))
                        continue
                    }
                    emailStyles[tag.lowercased()] = style
                }
            }
        }
        var assets: [String: ThemeFile] = [:]
        for (path, file) in files where path.hasPrefix("assets/") {
            assets[String(path.dropFirst("assets/".count))] = file
        }
        let print = fingerprint.finalize()
        // A theme parsed cleanly before has no loop of partials: looking for one again cost
        // a warm build 1 % of its time, on one core.
        if print != parsedCleanly {
            let references = partialReferences(in: templateTexts)
            // A mistyped name would render nothing, silently.
            for name in references.keys.sorted() {
                for reference in references[name]! where templateTexts[reference.name] == nil {
                    diagnostics.append(Diagnostic(
                        .error, "no template `\(reference.name)` for this partial: the theme has templates/\(reference.name).mustache neither in \(sitePrefix) nor built in",
                        path: displayPath(templateTexts[name]!.path), line: reference.line, column: reference.column))
                }
            }
            if let cycle = partialCycle(in: templateTexts, references: references) {
                diagnostics.append(Diagnostic(
                    .error, "template includes itself: \(cycle.names.joined(separator: " → ")); a loop of partials never ends",
                    path: displayPath(cycle.path), line: cycle.line, column: cycle.column))
            }
        }
        let strings = locale.strings
        let library: TemplateLibrary
        if print == parsedCleanly {
            let texts = templateTexts
            library = TemplateLibrary(parsingWhenNeeded: {
                // The fingerprint covers every template's path and text.
                if let known = parsedBefore?(print) { return known }
                return parseTemplates(texts, strings: strings, displayPath: displayPath, parsedBefore: true).library
            })
        } else {
            let (parsed, said) = parseTemplates(templateTexts, strings: strings, displayPath: displayPath)
            diagnostics += said
            library = TemplateLibrary(parsed)
        }
        guard !diagnostics[errorCount...].hasErrors else { return nil }
        return Theme(
            library: library,
            locale: LocaleStrings(strings: locale.strings, months: locale.months, dateFormat: locale.dateFormat, firstDay: locale.firstDay),
            assets: assets, emailStyles: emailStyles, fingerprint: print)
    }

    /// Parses the templates, on every core: parsing is most of making a theme.
    /// `parsedBefore`: the same texts and strings parsed without an error in an earlier
    /// build, whose errors need not be looked for again.
    private static func parseTemplates(
        _ templates: [String: (path: String, text: String)], strings: [String: String], displayPath: (String) -> String,
        parsedBefore: Bool = false
    ) -> (library: [String: Template], diagnostics: [Diagnostic]) {
        let parsed = templates.sorted { $0.key < $1.key }.concurrentMap { name, template in
            do throws(TemplateSyntaxError) {
                // Parsed as written first, so that errors point where the editor wrote.
                if !parsedBefore { _ = try Template(parsing: template.text) }
                return (name, Result<Template, Diagnostic>.success(try Template(parsing: inlineLocaleStrings(template.text, strings))))
            } catch {
                return (name, .failure(Diagnostic(
                    .error, "template error: \(error.message)", path: displayPath(template.path), line: error.line, column: error.column)))
            }
        }
        var library: [String: Template] = [:]
        var diagnostics: [Diagnostic] = []
        for (name, result) in parsed {
            switch result {
            case .success(let template): library[name] = template
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        return (library, diagnostics)
    }

    /// A template past these is pasted or generated text, not a theme, and it would be
    /// rendered for every page: the default theme's largest template is 5 KB with 311 `{`.
    /// (They were set for swift-mustache, whose parse time grew with size times braces.)
    static let maxTemplateBytes = 256 * 1024
    static let maxTemplateBraces = 2_000

    /// Why a template is too big to parse, and the line where it went past the limit.
    static func oversized(_ text: String) -> (message: String, line: Int)? {
        if text.utf8.count > maxTemplateBytes {
            return ("template is \(text.utf8.count / 1024) KB, more than the \(maxTemplateBytes / 1024) KB a template may have", 1)
        }
        var braces = 0
        var line = 1
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            guard byte == UInt8(ascii: "{") else { continue }
            braces += 1
            if braces > maxTemplateBraces {
                return ("template has more than \(maxTemplateBraces) `{` (tags count two each): split it into partials", line)
            }
        }
        return nil
    }

    /// Renders a template (empty when the theme has none of that name).
    func render(_ template: String, _ context: any TemplateObject) -> String {
        library.parsed.render(template, context) ?? ""
    }
}

/// A theme's parsed templates, parsed when first asked for when they are known to parse.
final class TemplateLibrary: Sendable {
    private let made: Mutex<TemplateRenderer?>
    private let make: @Sendable () -> [String: Template]

    init(_ templates: [String: Template]) {
        made = Mutex(TemplateRenderer(templates: templates))
        make = { templates }
    }

    init(parsingWhenNeeded make: @escaping @Sendable () -> [String: Template]) {
        made = Mutex(nil)
        self.make = make
    }

    var parsed: TemplateRenderer {
        made.withLock { made in
            if let made { return made }
            let renderer = TemplateRenderer(templates: make())
            made = renderer
            return renderer
        }
    }

    /// The templates, if a page asked for them (or they were parsed up front).
    var parsedSoFar: [String: Template]? {
        made.withLock { $0?.templates }
    }
}

/// The first loop of templates that include each other (`{{> name}}`, `{{< name}}`), with
/// where the include that closes it is written: rendering one would recurse until the
/// stack overflows.
private func partialCycle(
    in templates: [String: (path: String, text: String)], references: [String: [(name: String, line: Int, column: Int)]]
) -> (names: [String], path: String, line: Int, column: Int)? {
    var done: Set<String> = []
    var stack: [String] = []
    func visit(_ name: String) -> (names: [String], path: String, line: Int, column: Int)? {
        if done.contains(name) { return nil }
        stack.append(name)
        defer { stack.removeLast(); done.insert(name) }
        for reference in references[name] ?? [] where templates[reference.name] != nil {
            if let start = stack.firstIndex(of: reference.name) {
                return (Array(stack[start...]) + [reference.name], templates[name]!.path, reference.line, reference.column)
            }
            if let cycle = visit(reference.name) { return cycle }
        }
        return nil
    }
    for name in templates.keys.sorted() {
        if let cycle = visit(name) { return cycle }
    }
    return nil
}

/// The partials each template includes by name (`{{> partials/header}}`, a parent
/// `{{< base}}`), where they are written; not those named by a value (`{{>*name}}`).
private func partialReferences(in templates: [String: (path: String, text: String)]) -> [String: [(name: String, line: Int, column: Int)]] {
    var references: [String: [(name: String, line: Int, column: Int)]] = [:]
    for (name, template) in templates {
        var found: [(String, Int, Int)] = []
        for (index, line) in template.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "{{") {
                let tag = rest[open.upperBound...]
                let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
                rest = tag
                guard let kind = tag.first, kind == ">" || kind == "<" else { continue }
                let target = tag.dropFirst().drop { $0 == " " }.prefix { $0 != "}" && $0 != " " }
                if !target.isEmpty, !target.hasPrefix("*") { found.append((String(target), index + 1, column)) }
            }
        }
        references[name] = found
    }
    return references
}

/// A locale file being assembled from the built-in theme and the site's overrides.
private struct LocaleFile {
    var strings: [String: String] = [:]
    var months: [String] = []
    var dateFormat = "{day} {month} {year}"
    var firstDay: String?

    mutating func merge(_ yaml: String, path: String, diagnostics: inout [Diagnostic]) {
        let fields: YAMLFields
        switch YAMLFields.parse(yaml, path: path, firstLine: 1) {
        case .success(let parsed): fields = parsed
        case .failure(let diagnostic):
            diagnostics.append(diagnostic)
            return
        }
        if let date = fields.mapping("date", into: &diagnostics) {
            let names = date.strings("months", into: &diagnostics)
            if !names.isEmpty { months = names }
            dateFormat = date.string("format", into: &diagnostics) ?? dateFormat
            firstDay = date.string("first_day", into: &diagnostics) ?? firstDay
        }
        if let table = fields.mapping("strings", into: &diagnostics) {
            for (key, value) in table.mapping {
                guard let name = key.string else { continue }
                guard let text = value.scalar?.string else {
                    diagnostics.append(.error("locale string `\(name)` must be text", at: table.location(of: value)))
                    continue
                }
                strings[name] = text
            }
        }
    }
}

/// The strings a theme shows readers, in the site's language.
struct LocaleStrings: Sendable {
    let strings: [String: String]
    let months: [String]
    let dateFormat: String
    let firstDay: String?

    /// `N° 42 — Titre`: the issue page's document title and the e-mail's subject.
    func numberedTitle(of issue: Issue) -> String {
        "\(strings["issue_number_prefix"] ?? "N°")\u{00A0}\(issue.number) — \(issue.title)"
    }
}

/// `{{t.key}}` tags replaced by the locale's text, escaped as Mustache would escape it
/// (`{{{t.key}}}` and `{{& t.key}}` unescaped). The strings are the same on every page,
/// and looking them up through the context stack at each use cost more than any other
/// name. Templates that change delimiters are left as they are, and so are sections on
/// `t.` names, unknown keys and text that itself holds Mustache tags.
func inlineLocaleStrings(_ template: String, _ strings: [String: String]) -> String {
    guard template.containsBytes(of: "t."), !template.containsBytes(of: "{{=") else { return template }
    let text = template as NSString
    var result = ""
    var last = 0
    for match in localeTag.matches(in: template, range: NSRange(location: 0, length: text.length)) {
        let triple = match.range(at: 1).location != NSNotFound
        let ampersand = match.range(at: 3).location != NSNotFound
        let key = text.substring(with: match.range(at: triple ? 2 : 4))
        guard let value = strings[key], !value.contains("{{"), !value.contains("}}") else { continue }
        result += text.substring(with: NSRange(location: last, length: match.range.location - last))
        result += triple || ampersand ? value : escapeHTML(value, apostrophe: true)
        last = match.range.location + match.range.length
    }
    return last == 0 ? template : result + text.substring(from: last)
}

private let localeTag = try! NSRegularExpression(
    pattern: #"\{\{(?:(\{)\s*t\.([A-Za-z0-9_-]+)\s*\}\}\}|(&)?\s*t\.([A-Za-z0-9_-]+)\s*\}\})"#)
