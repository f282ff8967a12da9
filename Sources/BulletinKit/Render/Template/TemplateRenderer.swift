/// A value a template shows or iterates over. Typed, so that rendering never asks the
/// runtime what a value is: with swift-mustache, those dynamic casts were a third of
/// the time spent in templates.
enum TemplateValue {
    /// Escaped when shown with `{{name}}`, as written with `{{{name}}}`.
    case text(String)
    /// A section on `false` is skipped; on `true` it renders in the same context.
    case bool(Bool)
    case number(Int)
    /// A section renders once per item; an empty list is skipped.
    case list([TemplateValue])
    /// A section renders with the object's names in view.
    case object(any TemplateObject)
}

/// A value whose names a template can look up (`{{issue.title}}`).
protocol TemplateObject: TemplateValueConvertible {
    /// `nil` when the object has no such name: the lookup goes on to the values around.
    func value(named name: String) -> TemplateValue?
}

protocol TemplateValueConvertible {
    var templateValue: TemplateValue { get }
}

extension TemplateObject {
    var templateValue: TemplateValue { .object(self) }
}

extension String: TemplateValueConvertible {
    var templateValue: TemplateValue { .text(self) }
}

extension Int: TemplateValueConvertible {
    var templateValue: TemplateValue { .number(self) }
}

extension Bool: TemplateValueConvertible {
    var templateValue: TemplateValue { .bool(self) }
}

extension Array: TemplateValueConvertible where Element: TemplateValueConvertible {
    var templateValue: TemplateValue { .list(map(\.templateValue)) }
}

extension Dictionary: TemplateValueConvertible, TemplateObject where Key == String, Value == String {
    func value(named name: String) -> TemplateValue? { self[name].map(TemplateValue.text) }
}

/// Renders templates against a context, into one string.
struct TemplateRenderer: Sendable {
    let templates: [String: Template]

    /// One per rendering, changed in place: values are pushed and popped around sections
    /// (copying the stack for each item of a list was most of the renderer's allocations).
    private struct Context {
        var stack: [TemplateValue]
        var indentation: String?
        var overrides: [String: [Template.Node]]?
        var escapes = true
    }

    /// The template named `name` rendered with `object` as its context; `nil` when there
    /// is no such template.
    func render(_ name: String, _ object: any TemplateObject) -> String? {
        guard let template = templates[name] else { return nil }
        var output = ""
        var context = Context(stack: [.object(object)])
        render(template.nodes, &context, into: &output)
        return output
    }

    /// Renders `nodes`, leaving `context` as it found it: a `{{%CONTENT_TYPE}}` among them
    /// holds until their end only.
    private func render(_ nodes: [Template.Node], _ context: inout Context, into output: inout String) {
        let escapes = context.escapes
        defer { context.escapes = escapes }
        guard let indentation = context.indentation, !indentation.isEmpty else {
            for node in nodes { render(node, &context, into: &output) }
            return
        }
        // In an indented partial, each piece that starts a line is indented.
        var rendered = ""
        for node in nodes {
            var piece = ""
            render(node, &context, into: &piece)
            if !piece.isEmpty, rendered.last == "\n" { rendered += indentation }
            rendered += piece
        }
        output += rendered
    }

    /// Renders `nodes` with `value` as the innermost value.
    private func render(_ nodes: [Template.Node], pushing value: TemplateValue, _ context: inout Context, into output: inout String) {
        context.stack.append(value)
        render(nodes, &context, into: &output)
        context.stack.removeLast()
    }

    private func render(_ node: Template.Node, _ context: inout Context, into output: inout String) {
        switch node {
        case .text(let text):
            output += text
        case .variable(let name, let escaped):
            guard let value = lookUp(name, in: context.stack) else { return }
            switch value {
            case .text(let text): output += escaped && context.escapes ? escapeHTML(text, apostrophe: true) : text
            case .number(let number): output += String(number)
            case .bool(let flag): output += flag ? "true" : "false"
            case .list, .object: break  // nothing a reader could use
            }
        case .section(let name, let inner, let inverted):
            let value = lookUp(name, in: context.stack)
            switch value {
            case .list(let items):
                if inverted {
                    if items.isEmpty { render(inner, pushing: .list([]), &context, into: &output) }
                } else {
                    for item in items { render(inner, pushing: item, &context, into: &output) }
                }
            case .bool(let flag):
                if flag != inverted { render(inner, &context, into: &output) }
            case nil:
                if inverted { render(inner, &context, into: &output) }
            case .some(let value):
                if !inverted { render(inner, pushing: value, &context, into: &output) }
            }
        case .partial(let name, let dynamic, let indentation, let overrides):
            let templateName: String
            if dynamic {
                guard case .text(let held)? = lookUp(TemplateName(name), in: context.stack) else { return }
                templateName = held
            } else {
                templateName = name
            }
            guard let template = templates[templateName] else { return }
            let saved = (context.indentation, context.overrides)
            defer { (context.indentation, context.overrides) = saved }
            if let indentation { context.indentation = (saved.0 ?? "") + indentation }
            if let overrides {
                // Blocks the outer template overrides win over the parent's own.
                context.overrides = (saved.1 ?? [:]).merging(overrides) { outer, _ in outer }
            }
            let escapes = context.escapes
            context.escapes = true
            render(template.nodes, &context, into: &output)
            context.escapes = escapes
        case .block(let name, let fallback, let indentation):
            let saved = context.indentation
            defer { context.indentation = saved }
            context.indentation = (saved ?? "") + indentation
            render(context.overrides?[name] ?? fallback, &context, into: &output)
        case .blockDefinition:
            break  // parsed into the parent's overrides
        case .escaping(let escapes):
            context.escapes = escapes
        }
    }

    /// The first value around that answers the name's first part, then its other parts.
    private func lookUp(_ name: TemplateName, in stack: [TemplateValue]) -> TemplateValue? {
        guard let first = name.components.first else { return stack.last }
        var found: TemplateValue?
        if name.isAnchored {
            found = stack.last.flatMap { Self.child(first, of: $0) }
        } else {
            for value in stack.reversed() {
                if let child = Self.child(first, of: value) {
                    found = child
                    break
                }
            }
        }
        for component in name.components.dropFirst() {
            guard let value = found else { return nil }
            found = Self.child(component, of: value)
        }
        return found
    }

    private static func child(_ name: String, of value: TemplateValue) -> TemplateValue? {
        guard case .object(let object) = value else { return nil }
        return object.value(named: name)
    }
}
