import ArgumentParser
import BulletinKit
import Foundation

/// How diagnostics are printed: for a person, for GitHub Actions, or for a program.
enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case github
    case json
}

/// Prints diagnostics in the chosen format: for a person or GitHub on standard error
/// (colours only on a terminal), as JSON on standard output, for `| jq`.
struct DiagnosticPrinter {
    let format: DiagnosticFormat
    /// Put before paths so that they are relative to the current folder (the repository
    /// root in CI), not to `--source`.
    let pathPrefix: String
    let colours: Bool

    init(format: DiagnosticFormat, source: String) {
        self.format = format
        let trimmed = source.hasSuffix("/") ? String(source.dropLast()) : source
        pathPrefix = trimmed == "." || trimmed.isEmpty ? "" : trimmed + "/"
        colours = format == .text && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    func print(_ diagnostics: [Diagnostic]) {
        if format == .json {
            // One array on one line, `[]` when all is well: `bulletin check --format json | jq length`.
            FileHandle.standardOutput.write(Data(("[" + diagnostics.map(line(for:)).joined(separator: ",") + "]\n").utf8))
            return
        }
        // In one write: a site with hundreds of warnings made as many system calls.
        guard !diagnostics.isEmpty else { return }
        printError(diagnostics.map(line(for:)).joined(separator: "\n"))
    }

    /// A line for a person (the summary of a build): on standard output, unless that
    /// carries JSON for a program.
    func say(_ line: String) {
        if format == .json {
            printError(line)
        } else {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    func line(for diagnostic: Diagnostic) -> String {
        let path = diagnostic.path.map { pathPrefix + $0 }
        switch format {
        case .text:
            guard colours else {
                var shown = diagnostic
                shown.path = path
                return shown.description
            }
            let label = diagnostic.severity == .error ? "\u{1B}[1;31merror:\u{1B}[0m" : "\u{1B}[1;33mwarning:\u{1B}[0m"
            let place = path.map { "\u{1B}[1m\($0):\(diagnostic.line):\(diagnostic.column):\u{1B}[0m " } ?? ""
            return "\(place)\(label) \(diagnostic.message)"
        case .github:
            // https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions
            var properties: [String] = []
            if let path {
                properties = ["file=\(escapeProperty(path))", "line=\(diagnostic.line)", "col=\(diagnostic.column)"]
            }
            let command = diagnostic.severity == .error ? "error" : "warning"
            let head = properties.isEmpty ? "::\(command)" : "::\(command) \(properties.joined(separator: ","))"
            return "\(head)::\(escapeData(diagnostic.message))"
        case .json:
            var object: [String: Any] = [
                "severity": diagnostic.severity.rawValue, "line": diagnostic.line, "column": diagnostic.column,
                "message": diagnostic.message,
            ]
            object["path"] = path ?? NSNull()
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    private func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A progress line on a terminal, for builds that take more than a second; nothing in a
/// pipe or in CI.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let start = ContinuousClock.now
    private let lock = NSLock()
    private var shown = false

    func stage(_ name: String) {
        guard enabled, ContinuousClock.now - start > .seconds(1) else { return }
        lock.withLock {
            shown = true
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(name)…".utf8))
        }
    }

    func clear() {
        lock.withLock {
            guard shown else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            shown = false
        }
    }
}
