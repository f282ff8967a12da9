import ArgumentParser
import BulletinKit
import Foundation

/// `bulletin new issue|article|brief`: a new file from a commented skeleton, never over
/// an existing one.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an issue, an article or an En bref item from a commented skeleton.",
        discussion: """
            Nothing is ever overwritten. New issues start as drafts (draft: true): \
            set draft: false to publish them.
            """,
        subcommands: [NewIssue.self, NewArticle.self, NewBrief.self])

    func run() throws {
        throw ValidationError("say what to create: bulletin new issue|article|brief …")
    }
}

struct NewIssue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Create issues/<YYYY-MM>-<slug>/issue.md with the next free number, as a draft.")

    @Argument(help: "The issue's title.")
    var title: String

    @Option(help: ArgumentHelp("Publication date (default: today in the site's time zone).", valueName: "YYYY-MM-DD"))
    var date: String?

    @Option(help: "The site folder (with site.yml).")
    var source: String = "."

    func validate() throws {
        try validateScaffoldTitle(title)
        if let date, SimpleDate(parsing: date) == nil {
            throw ValidationError("--date must be a real date written YYYY-MM-DD, got \"\(date)\"")
        }
        try validateScaffoldSource(source)
    }

    func run() throws {
        let site = ScaffoldSite(root: URL(fileURLWithPath: source).standardizedFileURL)
        let issue = try scaffoldValue(site.newIssue(title: title, date: date.flatMap(SimpleDate.init(parsing:))))
        let written = try scaffoldValue(ScaffoldWriter(root: site.root, rootName: source).write([issue.file]))
        print("Created \(scaffoldDisplayPath(written[0])) (number \(issue.number), dated \(issue.date))")
        print("It is a draft (draft: true): `bulletin build --drafts` shows it; set draft: false in issue.md to publish it.")
    }
}

struct NewArticle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "article",
        abstract: "Add articles/NN-<slug>.md to an issue, numbered after the last one.")

    @OptionGroup var item: NewItemArguments

    func validate() throws { try item.validate() }

    func run() throws { try item.create(.article) }
}

struct NewBrief: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brief",
        abstract: "Add en-bref/NN-<slug>.md (an En bref item) to an issue, numbered after the last one.")

    @OptionGroup var item: NewItemArguments

    func validate() throws { try item.validate() }

    func run() throws { try item.create(.brief) }
}

struct NewItemArguments: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "The issue: its folder name under issues/ (2023-07-lettre-ete) or its number (42).", valueName: "issue"))
    var issue: String

    @Argument(help: "The title.")
    var title: String

    @Option(help: "The site folder (with site.yml).")
    var source: String = "."

    func validate() throws {
        if issue.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the issue is empty") }
        try validateScaffoldTitle(title)
        try validateScaffoldSource(source)
    }

    func create(_ kind: Scaffold.ItemKind) throws {
        let site = ScaffoldSite(root: URL(fileURLWithPath: source).standardizedFileURL)
        let file = try scaffoldValue(site.newItem(kind, issue: issue, title: title))
        let written = try scaffoldValue(ScaffoldWriter(root: site.root, rootName: source).write([file]))
        print("Created \(scaffoldDisplayPath(written[0]))")
    }
}

// MARK: Shared by `new` and `init`

func validateScaffoldTitle(_ title: String) throws {
    if case .failure(let error) = Scaffold.slug(forTitle: title) { throw ValidationError(error.message) }
}

func validateScaffoldSource(_ source: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("--source \(source): no such folder")
    }
}

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
