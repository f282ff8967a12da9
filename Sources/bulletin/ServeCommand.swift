import ArgumentParser
import BulletinKit
import BulletinServer
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview the site: build it with drafts and future issues, serve it, rebuild and reload on change.")

    @Option(help: "The site folder (with site.yml).")
    var source: String = "."

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8000

    @Option(help: "Address to listen on. Anything but loopback exposes drafts to the network.")
    var host: String = "127.0.0.1"

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "How to print errors and warnings: text, github or json.")
    var format: DiagnosticFormat = .text

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--source \(source): no such folder")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        if !PreviewServer.isLoopback(host) {
            printError("warning: serving on \(host): anyone who can reach this address sees the drafts and unpublished issues")
        }
        var server = PreviewServer(source: URL(fileURLWithPath: source).standardizedFileURL)
        server.host = host
        server.port = port
        server.strict = strict
        let printer = DiagnosticPrinter(format: format, source: source)
        try await server.run(
            onReady: { url in
                printer.say("Serving \(source == "." ? "the site" : source) at \(url) (drafts and future issues shown). Ctrl-C stops.")
            },
            onBuild: { report in
                printer.print(report.diagnostics)
                if report.failed {
                    printError("rebuild failed: the browser shows the errors; the last good build is still served")
                } else {
                    printer.say("Built \(report.issuesPhrase), \(report.pageCount) pages in \(decimal(report.seconds, places: 2)) s")
                }
            })
    }
}
