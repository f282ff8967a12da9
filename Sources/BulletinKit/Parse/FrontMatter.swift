import Foundation

/// A Markdown file split into its YAML front-matter and its body, remembering where
/// each part starts so that diagnostics count lines in the whole file.
struct FrontMatterDocument: Sendable {
    let path: String
    /// The YAML between the `---` fences; `nil` when the file has no front-matter.
    let yaml: String?
    /// File line of the first YAML line.
    let yamlFirstLine: Int
    let body: String
    /// File line of the first body line.
    let bodyFirstLine: Int

    /// Splits a file, or explains why it cannot be read as text with front-matter.
    static func split(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        guard var text = decodeUTF8(file) else {
            let location = firstInvalidUTF8(in: file.data)
            return .failure(Diagnostic(
                .error, "file is not valid UTF-8 text (save it as UTF-8)",
                path: file.path, line: location.line, column: location.column))
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.contains("\r") {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        if text.allSatisfy(\.isWhitespace) {
            return .failure(Diagnostic(.error, "file is empty; expected front-matter between --- lines", path: file.path))
        }

        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard isFence(lines[0], closing: false) else {
            return .success(FrontMatterDocument(path: file.path, yaml: nil, yamlFirstLine: 1, body: text, bodyFirstLine: 1))
        }
        guard let closing = lines.indices.dropFirst().first(where: { isFence(lines[$0], closing: true) }) else {
            return .failure(Diagnostic(
                .error, "front-matter opened here is never closed (add a line with --- after it)",
                path: file.path))
        }
        let yaml = lines[1..<closing].joined(separator: "\n")
        lines.removeSubrange(0...closing)
        return .success(FrontMatterDocument(
            path: file.path, yaml: yaml, yamlFirstLine: 2,
            body: lines.joined(separator: "\n"), bodyFirstLine: closing + 2))
    }

    private static func isFence(_ line: Substring, closing: Bool) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed == "---" || (closing && trimmed == "...")
    }

    private static func decodeUTF8(_ file: SourceFile) -> String? {
        file.data.withUnsafeBytes { String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) }
    }

    /// Line and column (in characters) of the first byte that is not UTF-8.
    static func firstInvalidUTF8(in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput, .error:
                return (line, column)
            }
        }
    }
}
