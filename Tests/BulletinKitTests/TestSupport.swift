import Foundation
import Testing

@testable import BulletinKit

/// A site written into a fresh temporary folder, from file contents given inline, so
/// that each test shows the input it feeds the build.
struct TemporarySite {
    let root: URL

    static let minimalSiteYML = """
        title: "Lettre de test"
        base_url: "https://lettre.example.fr/"
        language: fr

        """

    static let minimalIssue = """
        ---
        title: "Lettre d'été"
        number: 1
        date: 2023-07-05
        ---
        Édito.

        """

    init(_ files: [String: String] = [:], copying fixture: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bulletin-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if let fixture {
            let source = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(fixture)
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: root.appendingPathComponent(name))
            }
        }
        for (path, text) in files { try write(path, text) }
    }

    func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    func write(_ path: String, _ data: Data) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    var output: URL { root.appendingPathComponent("output") }

    func build(
        now: String = "2026-01-01", drafts: Bool = false, future: Bool = false, strict: Bool = false,
        output: URL? = nil
    ) -> BuildReport {
        Builder().build(options(now: now, drafts: drafts, future: future, strict: strict, output: output))
    }

    /// What `build` builds with, for tests that set more (`serve`'s caches).
    func options(
        now: String = "2026-01-01", drafts: Bool = false, future: Bool = false, strict: Bool = false,
        output: URL? = nil
    ) -> BuildOptions {
        buildOptions(root, now: SimpleDate(parsing: now), drafts: drafts, future: future, strict: strict, output: output)
    }

    /// A page of the last build, as text.
    func page(_ path: String, in output: URL? = nil) throws -> String {
        try String(contentsOf: (output ?? self.output).appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

extension BuildReport {
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    var printed: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A build of the site at `root`, on a fixed day.
func buildOptions(
    _ root: URL, now: SimpleDate?, drafts: Bool = false, future: Bool = false, strict: Bool = false, output: URL? = nil
) -> BuildOptions {
    var options = BuildOptions(source: root)
    options.output = output
    options.now = now
    options.selection = .init(includeDrafts: drafts, includeFuture: future)
    options.strict = strict
    return options
}

/// Every `href`/`src` value of a page, in order.
func links(in html: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: #"(?:href|src)="([^"]*)""#)
    let text = html as NSString
    return pattern.matches(in: html, range: NSRange(location: 0, length: text.length)).map {
        text.substring(with: $0.range(at: 1)).replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// The visible text of an HTML fragment, tags removed and entities of quotes decoded.
func text(of html: String) -> String {
    html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        .replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&quot;", with: "\"")
        .replacingOccurrences(of: "&amp;", with: "&")
        .replacingOccurrences(of: "&#160;", with: "\u{00A0}")
}

/// What the `bulletin` executable printed and returned.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// The `bulletin` executable built beside the tests.
let bulletinExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("bulletin")

/// Runs the `bulletin` executable built beside the tests, as CI does.
func bulletin(_ arguments: [String], in folder: URL? = nil) throws -> Run {
    let process = Process()
    process.executableURL = bulletinExecutable
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

extension ServedSite {
    /// A served file as text, "" when there is none.
    func text(_ path: String) -> String {
        data(at: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Every served file's bytes, by path.
    var tree: [String: Data] {
        Dictionary(uniqueKeysWithValues: paths.map { ($0, data(at: $0) ?? Data()) })
    }
}

/// Every regular file under `folder` with its bytes, by path relative to it.
func fileTree(_ folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
        guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
        files[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
    }
    return files
}

/// A PNG header of the given size: all the build reads of an image.
func pngHeader(width: UInt8, height: UInt8) -> Data {
    Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, width, 0, 0, 0, height, 8, 2, 0, 0, 0])
}

extension RenderedMarkdown {
    /// The body as the web page at the site's root shows it.
    var html: String { BodyWriter(linker: .relative(depth: 0, baseURL: "")).html(body) }
    /// The teaser as the issue page shows it (no heading ids).
    var teaserHTML: String { BodyWriter(linker: .relative(depth: 0, baseURL: ""), headingIDs: false).html(teaser) }
}
