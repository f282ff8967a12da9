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
func bulletin(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Run {
    let process = Process()
    process.executableURL = bulletinExecutable
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
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

/// A real PNG that any decoder reads: `width` × `height` pixels of a gradient (its colours
/// shifted by `seed`, so that two images differ), or of one colour (`solid`, RGB), in RGB,
/// or RGBA half transparent. Written uncompressed (stored deflate blocks), with its checksums.
func png(width: Int, height: Int, alpha: Bool = false, seed: UInt8 = 0, solid: [UInt8]? = nil) -> Data {
    let channels = alpha ? 4 : 3
    var raw: [UInt8] = []
    raw.reserveCapacity(height * (1 + width * channels))
    for y in 0..<height {
        raw.append(0)  // no filter
        for x in 0..<width {
            raw += solid ?? [UInt8(truncatingIfNeeded: x * 255 / max(width, 1)) &+ seed, UInt8(truncatingIfNeeded: y * 255 / max(height, 1)), 128 &+ seed]
            if alpha { raw.append(UInt8(truncatingIfNeeded: 64 + (x + y) % 128)) }
        }
    }
    var zlib: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let count = min(65_535, raw.count - offset)
        let last: UInt8 = offset + count == raw.count ? 1 : 0
        zlib += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
        zlib += raw[offset..<offset + count]
        offset += count
    } while offset < raw.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw {
        a = (a + UInt32(byte)) % 65_521
        b = (b + a) % 65_521
    }
    zlib += bigEndian((b << 16) | a)
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
    }
    let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, alpha ? 6 : 2, 0, 0, 0]
    return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", []))
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

extension RenderedMarkdown {
    /// The body as the web page at the site's root shows it.
    var html: String { BodyWriter(linker: .relative(depth: 0, baseURL: "")).html(body) }
    /// The teaser as the issue page shows it (no heading ids).
    var teaserHTML: String { BodyWriter(linker: .relative(depth: 0, baseURL: ""), headingIDs: false).html(teaser) }
}

/// A quoted-printable part decoded as a mail client decodes it (RFC 2045, 6.7): folded
/// lines joined, `=XX` made bytes again, CRLF made `\n`.
func decodeQuotedPrintable(_ encoded: String) -> String {
    let bytes = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n").utf8)
    var decoded: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
            let value = UInt8(String(decoding: bytes[index + 1...min(index + 2, bytes.count - 1)], as: UTF8.self), radix: 16)
        {
            decoded.append(value)
            index += 3
        } else {
            decoded.append(bytes[index])
            index += 1
        }
    }
    return String(decoding: decoded, as: UTF8.self)
}
