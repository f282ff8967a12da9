import ArgumentParser
import BulletinKit
import Foundation

/// `bulletin new issue|article|brief`: a new file from a commented skeleton, never over
/// an existing one.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create an issue, an article or an En bref item from a commented skeleton.",
        usage: """
            bulletin new issue <title> [--date <YYYY-MM-DD>] [--source <source>]
            bulletin new article <issue> <title> [--source <source>]
            bulletin new brief <issue> <title> [--source <source>]
            """,
        discussion: """
            issue: creates issues/<YYYY-MM>-<slug>/issue.md with the next free number \
            (the highest issue number + 1), dated --date or today in the site's time zone. \
            New issues are drafts (draft: true) until you set draft: false.

            article, brief: add articles/NN-<slug>.md or en-bref/NN-<slug>.md to an issue, \
            NN following the highest number prefix there. <issue> is the issue's folder name \
            under issues/ (2023-07-lettre-ete) or its number (42).

            Nothing is ever overwritten: when the file exists, new fails and writes nothing.
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case issue
        case article
        case brief
    }

    @Argument(help: "What to create: issue, article or brief.")
    var kind: Kind

    @Argument(help: ArgumentHelp(
        "For issue: the title. For article and brief: the issue (folder name or number), then the title.",
        valueName: "arguments"))
    var words: [String] = []

    @Option(help: ArgumentHelp("Issue date (default: today in the site's time zone).", valueName: "YYYY-MM-DD"))
    var date: String?

    @Option(help: "The site folder (with site.yml).")
    var source: String = "."

    func validate() throws {
        switch kind {
        case .issue:
            guard words.count == 1 else {
                throw ValidationError(words.isEmpty ? "missing the title: bulletin new issue \"Titre\"" : "too many arguments: bulletin new issue \"Titre\" (quote a title with spaces)")
            }
            if let date, SimpleDate(parsing: date) == nil {
                throw ValidationError("--date must be a real date written YYYY-MM-DD, got \"\(date)\"")
            }
        case .article, .brief:
            guard words.count == 2 else {
                let usage = "bulletin new \(kind.rawValue) ISSUE \"Titre\" (ISSUE: folder name or number)"
                throw ValidationError(words.count < 2 ? "missing \(words.isEmpty ? "the issue and " : "")the title: \(usage)" : "too many arguments: \(usage) (quote a title with spaces)")
            }
            if words[0].trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the issue is empty") }
            if date != nil { throw ValidationError("--date is only for bulletin new issue") }
        }
        if case .failure(let error) = Scaffold.slug(forTitle: words[words.count - 1]) { throw ValidationError(error.message) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--source \(source): no such folder")
        }
    }

    func run() throws {
        let site = ScaffoldSite(root: URL(fileURLWithPath: source).standardizedFileURL)
        let writer = ScaffoldWriter(root: site.root, rootName: source)
        switch kind {
        case .issue:
            let issue = try scaffoldValue(site.newIssue(title: words[0], date: date.flatMap(SimpleDate.init(parsing:))))
            let written = try scaffoldValue(writer.write([issue.file]))
            print("Created \(scaffoldDisplayPath(written[0])) (number \(issue.number), dated \(issue.date))")
            print("It is a draft (draft: true): `bulletin build --drafts` shows it; set draft: false in issue.md to publish it.")
        case .article, .brief:
            let itemKind: Scaffold.ItemKind = kind == .article ? .article : .brief
            let file = try scaffoldValue(site.newItem(itemKind, issue: words[0], title: words[1]))
            let written = try scaffoldValue(writer.write([file]))
            print("Created \(scaffoldDisplayPath(written[0]))")
        }
    }
}

// MARK: Shared by `new` and `init`

/// The value, or the error printed on standard error and exit 1.
func scaffoldValue<T>(_ result: Result<T, ScaffoldError>) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let error):
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(Exit.siteErrors)
    }
}

/// A path relative to the current folder when it is under it, else absolute.
func scaffoldDisplayPath(_ url: URL) -> String {
    let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
    let path = url.standardizedFileURL.path
    if path == current { return "." }
    let prefix = current.hasSuffix("/") ? current : current + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
