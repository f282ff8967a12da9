import Mustache
import Testing

@testable import BulletinKit

/// Bulletin renders themes with its own Mustache engine. Themes were written for
/// swift-mustache, which it replaced: each test here renders the same templates with
/// both and expects the same bytes.
@Suite struct TemplateTests {
    /// A context given to both engines: nested dictionaries, lists, text, numbers, flags.
    nonisolated(unsafe) static let data: [String: Any] = [
        "t": "a<b>&\"'", "u": "", "n": 42, "f": false, "yes": true,
        "o": ["t": "inner", "o": ["t": "deep"] as [String: Any], "yes": false] as [String: Any],
        "l": [["t": "l1", "n": 1], ["t": "l2"], ["u": "only u"]] as [Any],
        "texts": ["x", "y&z"], "empty": [Any](),
        "partial_name": "p1",
    ]

    /// The same values as Bulletin's typed values.
    static func value(_ any: Any) -> TemplateValue {
        switch any {
        case let text as String: .text(text)
        case let flag as Bool: .bool(flag)
        case let number as Int: .number(number)
        case let list as [Any]: .list(list.map(value))
        case let list as [String]: .list(list.map(value))
        case let dictionary as [String: Any]: .object(DictionaryObject(values: dictionary.mapValues(value)))
        default: fatalError("no template value for \(any)")
        }
    }

    struct DictionaryObject: TemplateObject {
        let values: [String: TemplateValue]
        func value(named name: String) -> TemplateValue? { values[name] }
    }

    /// Both renderings of `template` (with `partials`), or both parse failures (`nil`).
    static func renderBoth(_ template: String, partials: [String: String] = [:]) throws -> (ours: String?, theirs: String?) {
        var library = MustacheLibrary()
        var templates: [String: Template] = [:]
        var theirsFailed = false
        var oursFailed = false
        for (name, text) in partials.merging(["main": template], uniquingKeysWith: { $1 }) {
            do { try library.register(text, named: name) } catch { theirsFailed = true }
            do { templates[name] = try Template(parsing: text) } catch { oursFailed = true }
        }
        #expect(oursFailed == theirsFailed, "parse failure differs for \(template.debugDescription)")
        if oursFailed || theirsFailed { return (nil, nil) }
        guard case .object(let root) = value(data) else { fatalError() }
        return (TemplateRenderer(templates: templates).render("main", root), library.render(data, withTemplate: "main"))
    }

    static func expectSame(_ template: String, partials: [String: String] = [:], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let (ours, theirs) = try renderBoth(template, partials: partials)
        #expect(ours == theirs, "\(template.debugDescription)", sourceLocation: sourceLocation)
    }

    /// Partials every case below may include.
    static let partials = [
        "p1": "one\n{{#yes}}\n  two {{t}}\n{{/yes}}\n", "p2": "before\n  {{>p1}}\nafter\n", "p3": "{{t}}",
        "parent": "<h1>{{$title}}Default{{/title}}</h1>\n{{$body}}\n  body default\n{{/body}}\n",
        "grandparent": "{{<parent}}{{$title}}From grandparent{{/title}}{{/parent}}",
    ]

    @Test(arguments: [
        "{{t}}|{{{t}}}|{{& t}}|{{ n }}|{{f}}|{{yes}}|{{missing}}|{{u}}",
        "{{o.t}}|{{o.o.t}}|{{o.missing.t}}|{{#o}}{{t}}{{.t}}{{yes}}{{#o}}{{t}}{{n}}{{/o}}{{/o}}",
        "{{#l}}[{{t}}:{{n}}:{{u}}]{{/l}}|{{^empty}}none{{/empty}}|{{#empty}}x{{/empty}}|{{^l}}x{{/l}}",
        "{{#texts}}<{{.}}>{{/texts}}|{{#t}}{{.}}{{/t}}|{{#u}}empty text is shown{{/u}}|{{#n}}{{.}}{{/n}}",
        "{{#f}}no{{/f}}{{^f}}not f{{/f}}{{#yes}}{{t}}{{/yes}}{{^missing}}m{{/missing}}{{#missing}}x{{/missing}}",
        "{{#o}}{{#yes}}inner yes is false{{/yes}}{{^yes}}so this{{/yes}}{{/o}}",
        "a {{! a comment }} b\n  {{! standalone }}\nc",
        "{{=<% %>=}}<% t %>{{t}}<%={{ }}=%>{{t}}",
        "x{{\ny",
        "{{t}} {{",
        "{{#l}}\r\n  {{t}}\r\n{{/l}}\r\n",
        // Unescaped to the end of the template (sections included), escaped again in partials.
        "{{t}}\n{{%CONTENT_TYPE:TEXT}}\n{{t}}|{{#o}}{{t}}{{/o}}|{{>p3}}|{{t}}",
    ])
    func variablesSectionsAndLookupsRenderAsSwiftMustacheDid(template: String) throws {
        try Self.expectSame(template, partials: Self.partials)
    }

    @Test(arguments: [
        "start\n{{#l}}\n  item {{t}}\n{{/l}}\nend\n",
        "  {{#yes}}  \n  x\n  {{/yes}}  \n",
        "|\n  {{>p1}}\n|\n",
        "|\n\t{{>p2}}\n|",
        "a {{>p3}} b\n  {{>p3}}\n",
        "{{#l}}\n  {{>p1}}\n{{/l}}\n",
        "  {{^empty}}\n  none\n  {{/empty}}\nx {{#yes}}\ny{{/yes}} z\n",
        "{{>*partial_name}}|{{>*missing}}|{{>nothing}}",
        "\n{{! comment }}\n  {{=| |=}}\n|t|\n",
    ])
    func standaloneLinesAndIndentationMatch(template: String) throws {
        try Self.expectSame(template, partials: Self.partials)
    }

    @Test(arguments: [
        "{{<parent}}{{$title}}Mine {{t}}{{/title}}{{/parent}}",
        "{{<parent}}\n{{$body}}\n  mine\n{{/body}}\n{{/parent}}\n",
        "{{<grandparent}}{{/grandparent}}",
        "{{<grandparent}}{{$title}}Outer wins{{/title}}{{/grandparent}}",
        "{{$title}}no parent: default{{/title}}",
    ])
    func inheritanceMatches(template: String) throws {
        try Self.expectSame(template, partials: Self.partials)
    }

    /// The one difference docs/themes.md names besides transforms: swift-mustache refused it.
    @Test func aTemplateEndingInABraceKeepsItAsText() throws {
        let renderer = TemplateRenderer(templates: ["main": try Template(parsing: "{{n}} {")])
        #expect(renderer.render("main", DictionaryObject(values: ["n": .number(3)])) == "3 {")
    }

    @Test func brokenTemplatesFailInBothWithALine() throws {
        for template in ["{{#a}}", "{{#a}}{{/b}}", "{{/a}}", "{{t", "{{{t}}", "{{=<%>=}}", "{{! never closed"] {
            _ = try Self.renderBoth(template)
        }
        do {
            _ = try Template(parsing: "a\n  {{uppercased(t)}}")
            Issue.record("a transform parsed")
        } catch {
            #expect((error.line, error.column) == (2, 5) && error.message.contains("not supported"), "\(error)")
        }
        do {
            _ = try Template(parsing: "line one\n  {{#open}}\nline three\n")
            Issue.record("an unclosed section parsed")
        } catch {
            #expect((error.line, error.column) == (2, 3) && error.message.contains("never closed"), "\(error)")
        }
        do {
            _ = try Template(parsing: "a\nb {{/nothing}}")
            Issue.record("a stray closing tag parsed")
        } catch {
            #expect((error.line, error.column) == (2, 6), "\(error)")
        }
    }

    /// Random templates from the tags above, the way a theme mixes them over lines.
    @Test func randomTemplatesRenderTheSameBytes() throws {
        var generator = SplitMix(seed: 7)
        let partials = ["p1": Self.partials["p1"]!, "p3": "{{t}}|{{#l}}{{n}}{{/l}}"]
        let texts = ["", " ", "  ", "\n", "x", "\t", "a b", "{", "}", "<&>", "\r\n", "{ {"]
        let scalars = ["t", "u", "n", "f", "yes", "o.t", "o.o.t", ".t", "missing", "o.missing"]
        let sections = ["f", "yes", "o", "l", "texts", "empty", "missing", "t", "n", "o.o", "o.yes"]

        func node(_ depth: Int) -> String {
            switch generator.next(9) {
            case 0, 1, 2: return texts[generator.next(texts.count)]
            case 3: return "{{\(scalars[generator.next(scalars.count)])}}"
            case 4: return "{{{\(scalars[generator.next(scalars.count)])}}}"
            case 5 where depth < 3:
                let name = sections[generator.next(sections.count)]
                let kind = generator.next(2) == 0 ? "#" : "^"
                let body = (0..<generator.next(4)).map { _ in node(depth + 1) }.joined()
                let dot = name == "texts" || name == "t" ? "{{.}}" : ""
                return "{{\(kind)\(name)}}\(body)\(dot){{/\(name)}}"
            case 6: return "{{! note }}"
            case 7: return "{{>\(generator.next(2) == 0 ? "p1" : "p3")}}"
            default: return "\n" + String(repeating: " ", count: generator.next(3))
            }
        }
        for _ in 0..<3_000 {
            // Never ending with `{`: swift-mustache refused that, Bulletin's engine keeps it as text.
            let template = (0..<1 + generator.next(8)).map { _ in node(0) }.joined() + "."
            try Self.expectSame(template, partials: partials)
        }
    }
}

/// A small deterministic generator, so that a failure repeats.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
