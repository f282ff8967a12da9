import ArgumentParser
import BulletinKit
import Foundation

/// `bulletin send ISSUE --to ADDRESS`: the issue's e-mail as a proof (the "BAT"), sent to
/// the editor through an SMTP server. Mass sending stays with the mailing service (see
/// docs/sending.md).
struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send an issue's e-mail to yourself as a proof (BAT) over SMTP.",
        discussion: """
            The site is built first, then the issue's email.eml is sent with "[BAT]" (or "[Proof]") before its subject. \
            The server comes from --smtp or BULLETIN_SMTP_URL (smtp://user@host:587 for STARTTLS, smtps://user@host:465 for TLS; \
            plain SMTP only to this machine), the password from BULLETIN_SMTP_PASSWORD.
            """)

    @OptionGroup var site: SiteOptions

    @Argument(help: "The issue: its number or its folder name.")
    var issue: String

    @Option(help: ArgumentHelp("Who receives the proof: one address or several, separated by commas.", valueName: "address[,address…]"))
    var to: String

    @Option(help: ArgumentHelp("The SMTP server (default: $BULLETIN_SMTP_URL).", valueName: "smtp://[user@]host[:port]"))
    var smtp: String?

    @Option(help: "Seconds to wait for the server before giving up.")
    var timeout = 30

    @Option(help: "Where to write the site (default: <source>/output).")
    var output: String?

    @OptionGroup var cache: CacheOptions

    func run() throws {
        func fail(_ message: String) -> ExitCode {
            printError("error: \(message)")
            return ExitCode(Exit.siteErrors)
        }
        let recipients = to.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let wrong = recipients.first(where: { !Proof.isAddress($0) }) ?? (recipients.isEmpty ? "" : nil) {
            throw fail("--to takes addresses such as redaction@example.fr, separated by commas; got \"\(wrong)\"")
        }
        let environment = ProcessInfo.processInfo.environment
        guard let address = smtp ?? environment["BULLETIN_SMTP_URL"], !address.isEmpty else {
            throw fail("no SMTP server: pass --smtp smtp://user@host:587 or set BULLETIN_SMTP_URL")
        }
        guard timeout > 0 else { throw fail("--timeout must be a number of seconds above 0") }
        let server: Proof.Server
        switch Proof.server(address) {
        case .success(let found): server = found
        case .failure(let failure): throw fail(failure.message)
        }

        var options = site.options()
        options.output = output.map { URL(fileURLWithPath: $0).standardizedFileURL }
        options.cacheFolder = cache.folder(for: options.source)
        let report = Builder().build(options)
        site.printer.print(report.diagnostics)
        if report.failed { throw fail("the site has errors: no proof sent") }

        let file: URL
        switch Proof.emailFile(of: issue, in: options.outputFolder) {
        case .success(let found): file = found
        case .failure(let failure): throw fail(failure.message)
        }
        let html = (try? String(contentsOf: file.deletingLastPathComponent().appendingPathComponent("email.html"), encoding: .utf8)) ?? ""
        let language = html.components(separatedBy: "<html lang=\"").dropFirst().first?.prefix { $0 != "\"" } ?? "fr"
        guard let eml = FileManager.default.contents(atPath: file.path) else { throw fail("cannot read \(file.path)") }
        let proof: (bytes: Data, from: String)
        switch Proof.message(eml, marker: Proof.marker(language: String(language)), to: recipients) {
        case .success(let made): proof = made
        case .failure(let failure): throw fail(failure.message)
        }
        switch Proof.send(proof.bytes, from: proof.from, to: recipients, through: server, password: environment["BULLETIN_SMTP_PASSWORD"], timeout: timeout) {
        case .success:
            site.printer.say("Proof of \(relativePath(file.deletingLastPathComponent())) sent to \(recipients.joined(separator: ", ")) through \(server.address)")
        case .failure(let failure):
            throw fail("the proof was not sent through \(server.address): \(failure.message)")
        }
    }
}
