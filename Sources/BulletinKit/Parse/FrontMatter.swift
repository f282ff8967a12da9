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
    /// Said when characters no feed can carry were taken out of the text.
    var warning: Diagnostic? = nil

    /// The largest Markdown file read: thirty times a long article. Past it, parsing a
    /// pathological body (a megabyte of `[`) took seconds and hundreds of megabytes; ten
    /// took 14 s and 2.4 GB.
    static let maxBytes = 1024 * 1024

    /// Splits a file, or explains why it cannot be read as text with front-matter.
    static func split(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        if file.data.count > maxBytes {
            return .failure(Diagnostic(
                .error, "file is \(file.data.count / 1024) KB; a Markdown file may have at most \(maxBytes / 1024) KB (split it into articles)",
                path: file.path))
        }
        guard var text = decodeUTF8(file) else {
            let location = firstInvalidUTF8(in: file.data)
            return .failure(Diagnostic(
                .error, "file is not valid UTF-8 text (save it as UTF-8)",
                path: file.path, line: location.line, column: location.column))
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.containsByte(where: { $0 == UInt8(ascii: "\r") }) {
            text = text.replacingBytes(of: "\r\n", with: "\n").replacingBytes(of: "\r", with: "\n")
        }
        let (clean, warning) = removingControlCharacters(text, path: file.path)
        text = clean
        if text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }) {
            return .failure(Diagnostic(.error, "file is empty; expected front-matter between --- lines", path: file.path))
        }

        // Walk the lines by byte offsets: bodies are long, only the front-matter is split.
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var lineNumber = 1
        var yamlStart: String.Index?
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = text[lineStart..<lineEnd]
            let next = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
            if let start = yamlStart {
                if isFence(line, closing: true) {
                    return .success(FrontMatterDocument(
                        path: file.path, yaml: String(text[start..<lineStart]), yamlFirstLine: 2,
                        body: String(text[next...]), bodyFirstLine: lineNumber + 1, warning: warning))
                }
            } else if isFence(line, closing: false) {
                yamlStart = next
            } else {
                return .success(FrontMatterDocument(
                    path: file.path, yaml: nil, yamlFirstLine: 1, body: text, bodyFirstLine: 1, warning: warning))
            }
            lineStart = next
            lineNumber += 1
        }
        return .failure(Diagnostic(
            .error, "front-matter opened here is never closed (add a line with --- after it)", path: file.path))
    }

    /// The text with a space for each character no feed can carry, and a warning at the first.
    static func removingControlCharacters(_ text: String, path: String) -> (String, Diagnostic?) {
        let (clean, first, count) = replacingNonXMLCharacters(text)
        guard let first else { return (text, nil) }
        return (clean, nonXMLCharacterWarning(
            first.scalar, count: count, at: SourceLocation(path: path, line: first.line, column: first.column)))
    }

    private static func isFence(_ line: Substring, closing: Bool) -> Bool {
        var bytes = line.utf8[...]
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        return bytes.elementsEqual("---".utf8) || (closing && bytes.elementsEqual("...".utf8))
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
