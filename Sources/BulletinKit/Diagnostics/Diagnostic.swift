/// A problem found in the editor's files, pointing at the place to fix.
///
/// Printed as `path:line:column: error: message`, the format compilers use, so that
/// editors and CI annotate the line. `path` is relative to the site's source folder.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    /// Path relative to the source folder, or `nil` for a problem that belongs to no file.
    public var path: String?
    public var line: Int
    public var column: Int
    public var message: String

    public init(_ severity: Severity, _ message: String, path: String?, line: Int = 1, column: Int = 1) {
        self.severity = severity
        // One diagnostic, one line: a line break taken from input (`%0A` in a link) is shown escaped.
        self.message = Self.oneLine(message)
        self.path = path.map(Self.oneLine)
        self.line = max(line, 1)
        self.column = max(column, 1)
    }

    private static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    init(_ severity: Severity, _ message: String, at location: SourceLocation) {
        self.init(severity, message, path: location.path, line: location.line, column: location.column)
    }

    public static func error(_ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, message, path: location.path, line: location.line, column: location.column)
    }

    public static func warning(_ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, message, path: location.path, line: location.line, column: location.column)
    }

    public var description: String {
        guard let path else { return "\(severity.rawValue): \(message)" }
        return "\(path):\(line):\(column): \(severity.rawValue): \(message)"
    }
}

/// A place in a source file, lines and columns counted from 1 in the whole file.
public struct SourceLocation: Sendable, Hashable {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int = 1, column: Int = 1) {
        self.path = path
        self.line = line
        self.column = column
    }
}

extension Sequence where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

extension Array where Element == Diagnostic {
    /// Diagnostics in the order an editor reads them: by file, then line, then column.
    public func sortedForReading() -> [Diagnostic] {
        sorted {
            ($0.path ?? "", $0.line, $0.column, $0.message) < ($1.path ?? "", $1.line, $1.column, $1.message)
        }
    }
}
