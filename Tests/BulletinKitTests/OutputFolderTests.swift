import Foundation
import Testing

@testable import BulletinKit

/// The output folder after builds that are killed, and where it may and may not be.
@Suite struct OutputFolderTests {
    /// A site big enough for a build to last a while (tens of issues with articles).
    private func site(issues: Int) throws -> TemporarySite {
        var files = ["site.yml": TemporarySite.minimalSiteYML]
        for number in 1...issues {
            let folder = "issues/2020-\(String(format: "%03d", number))-numero"
            files["\(folder)/issue.md"] = "---\ntitle: \"Numéro \(number)\"\nnumber: \(number)\ndate: 2020-01-01\n---\n"
                + String(repeating: "Un paragraphe d'édito, assez long pour compter. ", count: 40) + "\n"
            for article in 1...6 {
                files["\(folder)/articles/0\(article)-sujet-\(article).md"] = "---\ntitle: \"Sujet \(article)\"\n---\n"
                    + String(repeating: "Le texte d'un article, avec « guillemets » et 3 km. ", count: 60) + "\n"
            }
        }
        return try TemporarySite(files)
    }

    /// Every file of a folder with its contents, by relative path.
    private func tree(_ folder: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [:] }
        for case let path as String in walker {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try? Data(contentsOf: url)
            }
        }
        return files
    }

    private func leftovers(beside output: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)) ?? []
        return names.filter { $0.hasPrefix(".\(output.lastPathComponent).") }
    }

    @Test func aBuildKilledAtAnyMomentLeavesTheOutputWholeAndTheNextBuildCleansUp() throws {
        let site = try site(issues: 40)
        defer { site.remove() }
        // Cold builds: written beside the output and swapped in.
        let first = try bulletin(["build", "--no-cache", "--source", site.root.path, "--now", "2026-01-01", "--quiet"])
        #expect(first.status == 0, "\(first.stderr.prefix(600))")
        let built = tree(site.output)
        #expect(built.count > 300)
        var killedMidway = 0
        for delay in [0.05, 0.15, 0.3, 0.45, 0.6, 0.8] {
            let process = Process()
            process.executableURL = bulletinExecutable
            process.arguments = ["build", "--no-cache", "--source", site.root.path, "--now", "2026-01-01", "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning { killedMidway += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // The same site builds the same files: whether the kill came before or after the
            // swap, the output is a whole build.
            #expect(tree(site.output) == built, "after a kill at \(delay) s")
        }
        #expect(killedMidway >= 2, "the build ended before any kill: the site is too small to test this")
        let again = try bulletin(["build", "--no-cache", "--source", site.root.path, "--now", "2026-01-01", "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(leftovers(beside: site.output).isEmpty, "\(leftovers(beside: site.output))")
        #expect(tree(site.output) == built)
    }

    /// A warm build updates the output in place: killed part-way, it leaves a mix of old
    /// and new files, each whole, and the next build makes the output a cold build's.
    @Test func aWarmBuildKilledPartWayIsRepairedByTheNext() throws {
        let site = try site(issues: 40)
        defer { site.remove() }
        let arguments = ["build", "--source", site.root.path, "--now", "2026-01-01", "--quiet"]
        #expect(try bulletin(arguments).status == 0)
        var round = 0
        for delay in [0.02, 0.05, 0.1, 0.2] {
            round += 1
            // Every issue changes: the warm build rewrites every page.
            for number in 1...40 {
                let path = "issues/2020-\(String(format: "%03d", number))-numero/issue.md"
                let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
                try site.write(path, text + "\nModification \(round).\n")
            }
            let process = Process()
            process.executableURL = bulletinExecutable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            for (path, data) in tree(site.output) where path.hasSuffix(".html") {
                #expect(String(decoding: data, as: UTF8.self).hasSuffix("</html>\n"), "\(path) is whole after a kill at \(delay) s")
            }
        }
        #expect(try bulletin(arguments).status == 0)
        let cold = site.root.appendingPathComponent("cold")
        #expect(try bulletin(["build", "--no-cache", "--source", site.root.path, "--now", "2026-01-01", "--quiet", "--output", cold.path]).status == 0)
        let warm = tree(site.output).filter { !$0.key.contains(".tmp-") }
        #expect(tree(site.output) == warm, "no temporary file is left in the output")
        #expect(warm == tree(cold))
    }

    @Test func leftoversOfALiveBuildAreLeftAlone() throws {
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue])
        defer { site.remove() }
        let parent = site.output.deletingLastPathComponent()
        // This process is alive: a folder named after it belongs to a build still running.
        let live = parent.appendingPathComponent(".output.tmp-\(getpid() == 1 ? 2 : 1)-7")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        #expect(!site.build().failed)
        #expect(FileManager.default.fileExists(atPath: live.path))
    }

    @Test func anOutputThatIsALinkIsWrittenThrough() throws {
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue])
        defer { site.remove() }
        let webRoot = site.root.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: webRoot, withIntermediateDirectories: true)
        let link = site.root.appendingPathComponent("public")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: webRoot)
        #expect(!site.build(output: link).failed)
        #expect(!site.build(output: link).failed)
        let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink, "the link stays a link")
        #expect(FileManager.default.fileExists(atPath: webRoot.appendingPathComponent("issues/2023-07-ete/index.html").path))
    }

    @Test(arguments: ["static/site", "issues/sortie", "themes/x/out"])
    func anOutputInsideAFolderTheBuildReadsIsRefused(folder: String) throws {
        let site = try TemporarySite(["site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue])
        defer { site.remove() }
        let report = site.build(output: site.root.appendingPathComponent(folder))
        #expect(report.failed)
        #expect(report.errors.first?.message.contains("it would publish itself") == true, "\(report.printed)")
        #expect(!FileManager.default.fileExists(atPath: site.root.appendingPathComponent(folder).path))
    }
}

/// Messages a person can act on, on one line.
@Suite struct MessageTests {
    @Test func aLineBreakFromInputIsShownEscaped() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue + "[lien](a%0Ab.md)\n",
        ])
        defer { site.remove() }
        let report = site.build()
        #expect(report.errors.map(\.description) == [
            "issues/2023-07-ete/issue.md:7:1: error: file not found: a\\nb.md (looked for issues/2023-07-ete/a\\nb.md)"
        ], "\(report.printed)")
    }

    @Test func systemFailuresAreSaidInTheSystemsWords() {
        #expect(OutputWriter.reason(CocoaError(.fileWriteOutOfSpace)) == "No space left on device")
        #expect(OutputWriter.reason(POSIXError(.EACCES)) == "Permission denied")
        let wrapped = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: POSIXError(.ENOSPC)])
        #expect(OutputWriter.reason(wrapped) == "No space left on device")
    }
}
