import ArgumentParser
import BulletinKit
import Foundation

/// `bulletin init DIR`: a new site that builds as it is.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new site: site.yml, a sample issue, a logo and a .gitignore.",
        discussion: "DIR must be new or empty. Without --with-theme the site uses the theme built into bulletin.")

    @Argument(help: "The folder to create the site in (new, or empty).")
    var dir: String

    @Flag(name: .customLong("with-theme"), help: "Copy the built-in theme into themes/default/ to customise it.")
    var withTheme = false

    func validate() throws {
        if dir.isEmpty { throw ValidationError("the folder name is empty") }
    }

    func run() throws {
        let root = URL(fileURLWithPath: dir).standardizedFileURL
        let today = SimpleDate.today(in: TimeZone(identifier: "Europe/Paris")!)
        let files = Scaffold.site(today: today, withTheme: withTheme)
        _ = try scaffoldValue(ScaffoldWriter(root: root, rootName: dir).writeNewSite(files))

        let shownRoot = scaffoldDisplayPath(root)
        let prefix = shownRoot == "." ? "" : shownRoot + "/"
        print("Created a new site in \(shownRoot):")
        for file in files where !file.path.hasPrefix("themes/") {
            print("  \(prefix)\(file.path)")
        }
        if withTheme {
            print("  \(prefix)themes/default/ (\(Scaffold.builtInThemeFiles.count) files of the built-in theme, to customise)")
        }
        print("""

            Next steps:
              \(shownRoot == "." ? "" : "cd \(shellQuoted(shownRoot)) && ")bulletin build
              then open output/index.html in a browser.
            Edit site.yml (title, base_url…), then replace the sample issue with yours:
              bulletin new issue "Titre du numéro"
            """)
    }

    private func shellQuoted(_ path: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
        if path.unicodeScalars.allSatisfy(safe.contains) { return path }
        return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
