import ArgumentParser
import BulletinKit
import Foundation

/// Exit codes: 0 success, 1 the site has errors, 2 the command line is wrong.
enum Exit {
    static let siteErrors: Int32 = 1
    static let usage: Int32 = 2
}

/// Each command names itself: a name derived from the type (`String(describing:)`) made
/// the runtime scan every protocol conformance of the binary at start (3 of the 19 ms
/// that `bulletin --help` took).
struct Bulletin: ParsableCommand {
    /// `bulletin --version`.
    static let version = "0.12.0"

    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Builds a newsletter's issues into a website (issue and article pages, archive; RSS, Atom and JSON feeds) and an e-mail edition per issue, checks them, and sends proofs of the e-mail.",
        version: "bulletin \(version)",
        subcommands: [Build.self, Check.self, Serve.self, New.self, Init.self, Send.self],
        defaultSubcommand: nil)
}

/// The build cache, shared by `build` (which reads and writes it) and `check` (which only reads it).
struct CacheOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The build cache: issues as parsed and rendered and the output as written, so that only what changed is done again (default: <source>/.bulletin-cache). Safe to delete; check only reads it.",
        valueName: "folder"))
    var cache: String?

    @Flag(name: .customLong("no-cache"), help: "Do everything again, without reading or leaving a cache.")
    var noCache = false

    func folder(for source: URL) -> URL? {
        guard !noCache else { return nil }
        return cache.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? source.appendingPathComponent(".bulletin-cache")
    }
}

/// Options shared by `build` and `check`.
struct SiteOptions: ParsableArguments {
    @Option(help: "The site folder (with site.yml).")
    var source: String = "."

    @Flag(help: "Include draft issues.")
    var drafts = false

    @Flag(help: "Include issues dated after today.")
    var future = false

    @Option(help: ArgumentHelp("Build as if today were this day (YYYY-MM-DD), for reproducible builds.", valueName: "YYYY-MM-DD"))
    var now: String?

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "How to print errors and warnings: text, github (workflow commands that annotate a pull request) or json (one array of objects on standard output, for jq).")
    var format: DiagnosticFormat = .text

    var printer: DiagnosticPrinter { DiagnosticPrinter(format: format, source: source) }

    func validate() throws {
        if let now, SimpleDate(parsing: now) == nil {
            throw ValidationError("--now must be a real date written YYYY-MM-DD, got \"\(now)\"")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--source \(source): no such folder")
        }
    }

    func options() -> BuildOptions {
        var options = BuildOptions(source: URL(fileURLWithPath: source).standardizedFileURL)
        options.selection = .init(includeDrafts: drafts, includeFuture: future)
        options.now = now.flatMap(SimpleDate.init(parsing:))
        options.strict = strict
        return options
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the site into the output folder.")

    @OptionGroup var site: SiteOptions

    @Option(help: "Where to write the site (default: <source>/output).")
    var output: String?

    @Option(name: .customLong("base-url"), help: "Override site.yml's base_url.")
    var baseURL: String?

    @OptionGroup var cache: CacheOptions

    @Flag(help: "Print nothing but errors and warnings.")
    var quiet = false

    @Flag(name: .customLong("no-typography"), help: ArgumentHelp("Leave text as written (to measure the typographer's cost).", visibility: .hidden))
    var noTypography = false

    func run() throws {
        var options = site.options()
        options.output = output.map { URL(fileURLWithPath: $0).standardizedFileURL }
        options.baseURL = baseURL
        options.typography = !noTypography
        options.cacheFolder = cache.folder(for: options.source)
        let progress = ProgressLine()
        options.onStage = { progress.stage($0) }
        let report = Builder().build(options)
        progress.clear()
        site.printer.print(report.diagnostics)
        if report.failed {
            let errors = report.diagnostics.filter { $0.severity == .error }.count
            printError("build failed: \(errors) error\(errors == 1 ? "" : "s"); \(options.outputFolder.path) left as it was")
            throw ExitCode(Exit.siteErrors)
        }
        if !quiet {
            let email = report.largestEmail.map { ", largest e-mail \(decimal(Double($0.bytes) / 1024, places: 1)) KB (Gmail clips at 102)" } ?? ""
            // Each issue's pages and e-mail are one set; home, archive, 404, feed and sitemap one each.
            let cached = report.cachedFolders + report.unchangedOutputs == 0 ? "" :
                " (from the cache: \(report.cachedFolders) of \(report.folderCount) issue folders not parsed again, \(report.unchangedOutputs) of \(report.pageSetCount) sets of pages not rendered again)"
            let imageCount = report.imagesProcessed + report.imagesCached
            let images = imageCount == 0 ? "" : ", \(imageCount) image\(imageCount == 1 ? "" : "s") (\(report.imagesProcessed) made, \(report.imagesCached) from the cache)"
            site.printer.say(
                "Built \(report.issuesPhrase): \(report.pageCount) pages, \(report.fileCount) files\(images)\(email) in \(decimal(report.seconds, places: 2)) s\(cached) → \(relativePath(options.outputFolder))")
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the site without writing anything.")

    @OptionGroup var site: SiteOptions

    @OptionGroup var cache: CacheOptions

    func run() throws {
        var options = site.options()
        options.writesOutput = false
        options.cacheFolder = cache.folder(for: options.source)
        let report = Builder().build(options)
        site.printer.print(report.diagnostics)
        if report.failed { throw ExitCode(Exit.siteErrors) }
        site.printer.say("No errors: \(report.issueCount) issue\(report.issueCount == 1 ? "" : "s"), \(report.pageCount) pages.")
    }
}

func relativePath(_ url: URL) -> String {
    let current = FileManager.default.currentDirectoryPath + "/"
    return url.path.hasPrefix(current) ? String(url.path.dropFirst(current.count)) : url.path
}

/// In top-level code `run()` would resolve to the synchronous requirement, which only
/// prints help; inside an async function the asynchronous one is chosen.
func runAsync(_ command: inout AsyncParsableCommand) async throws {
    try await command.run()
}

// Usage errors exit 2 (ArgumentParser's default is 64).
do {
    var command = try Bulletin.parseAsRoot()
    if var asynchronous = command as? AsyncParsableCommand {
        try await runAsync(&asynchronous)
    } else {
        try command.run()
    }
} catch {
    let code = Bulletin.exitCode(for: error)
    if code == .validationFailure {
        printError(Bulletin.fullMessage(for: error))
        exit(Exit.usage)
    }
    Bulletin.exit(withError: error)
}

/// `value` with `places` digits after the point (`0.12`). Not `String(format:)`, whose
/// Foundation formatting showed in warm builds' profiles where dates used it.
func decimal(_ value: Double, places: Int) -> String {
    var scale = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = Int((abs(value) * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard places > 0 else { return sign + String(scaled) }
    return sign + String(scaled / scale) + "." + String(repeating: "0", count: places - fraction.count) + fraction
}

extension BuildReport {
    var seconds: Double { Double(duration.components.attoseconds) / 1e18 + Double(duration.components.seconds) }
    /// `1 issue`, `4 issues`.
    var issuesPhrase: String { issueCount == 1 ? "1 issue" : "\(issueCount) issues" }
}
