import Foundation
import Testing

/// Runs the `bulletin` executable as CI does and checks what it prints and returns.
@Suite struct CommandLineTests {


    @Test func successfulBuildEndsWithASummaryLine() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let run = try bulletin(["build", "--source", site.root.path, "--now", "2026-01-01"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("Built 1 issue: "))
        #expect(run.stdout.contains(" pages, "))
        #expect(run.stdout.contains(" files, largest e-mail "))
        #expect(run.stdout.contains(" KB (Gmail clips at 102) in "))
        // Sizes with one decimal, seconds with two, as they always were.
        #expect(run.stdout.contains(#/^Built 1 issue: \d+ pages, \d+ files, largest e-mail \d+\.\d KB \(Gmail clips at 102\) in \d+\.\d\d s → /#))
        let quiet = try bulletin(["build", "--source", site.root.path, "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty)
    }

    /// The second build says what it took from the cache; `--no-cache` reads and leaves none.
    @Test func theSecondBuildSaysWhatTheCacheSpared() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML, "issues/2023-07-ete/issue.md": TemporarySite.minimalIssue,
        ])
        defer { site.remove() }
        let cache = site.root.appendingPathComponent(".bulletin-cache")
        let first = try bulletin(["build", "--source", site.root.path, "--now", "2026-01-01"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.contains("from the cache"))
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("build.cache").path))
        let second = try bulletin(["build", "--source", site.root.path, "--now", "2026-01-01"])
        #expect(second.stdout.contains("(from the cache: 1 of 1 issue folders not parsed again, 8 of 8 sets of pages not rendered again)"), "\(second.stdout)")
        try FileManager.default.removeItem(at: cache)
        let uncached = try bulletin(["build", "--no-cache", "--source", site.root.path, "--now", "2026-01-01"])
        #expect(uncached.status == 0 && !uncached.stdout.contains("from the cache"))
        #expect(!FileManager.default.fileExists(atPath: cache.path), "--no-cache leaves no cache")
        let elsewhere = site.root.appendingPathComponent("cache-ailleurs")
        #expect(try bulletin(["build", "--cache", elsewhere.path, "--source", site.root.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("build.cache").path))

        // Folders a build replaces, reads or does not own are refused, and nothing is written.
        try FileManager.default.removeItem(at: site.output)
        for (folder, message) in [
            (site.output.appendingPathComponent("cache"), "inside the output folder"),
            (site.root, "holds the site or its output"),
            (site.root.appendingPathComponent("issues/cache"), "inside issues/"),
            (site.root.appendingPathComponent("issues/2023-07-ete"), "inside issues/"),
            (site.root.deletingLastPathComponent(), "holds the site or its output"),
        ] {
            let refused = try bulletin(["build", "--cache", folder.path, "--source", site.root.path])
            #expect(refused.status == 1, "\(folder.path)")
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: site.output.path))
        }
        let foreign = site.root.deletingLastPathComponent().appendingPathComponent(site.root.lastPathComponent + "-papiers")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: foreign) }
        try Data("à garder".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        let refused = try bulletin(["build", "--cache", foreign.path, "--source", site.root.path])
        #expect(refused.status == 1 && refused.stderr.contains("holds no Bulletin cache"), "\(refused.stderr)")
    }

    @Test func siteErrorsExitOneWithCompilerStyleLines() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": "---\ntitle: A\nnumber: 1\ndate: 2023-02-30\n---\n",
        ])
        defer { site.remove() }
        let run = try bulletin(["build", "--source", site.root.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("issues/2023-07-ete/issue.md:4:7: error: `date` must be a real date"))
        #expect(!run.stderr.contains("Fatal error"))
        #expect(!(run.stderr + run.stdout).contains("\u{1B}["), "a pipe gets no colours and no progress line")
        let check = try bulletin(["check", "--source", site.root.path])
        #expect(check.status == 1)
        #expect(!FileManager.default.fileExists(atPath: site.output.path), "check writes nothing")
    }

    @Test func githubAndJSONFormatsForCI() throws {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "issues/2023-07-ete/issue.md": "---\ntitle: A\nnumber: 1\ndate: 2023-02-30\n---\n",
        ])
        defer { site.remove() }
        let github = try bulletin(["check", "--source", site.root.path, "--format", "github"])
        #expect(github.status == 1)
        #expect(github.stderr.contains("::error file=\(site.root.path)/issues/2023-07-ete/issue.md,line=4,col=7::`date` must be a real date"))
        // JSON on standard output, for `| jq`; what a person reads on standard error.
        let json = try bulletin(["build", "--source", site.root.path, "--format", "json"])
        #expect(json.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        #expect(array.count == 1, "\(json.stdout)")
        #expect(json.stderr.hasPrefix("build failed: 1 error"), "\(json.stderr)")
        let object = try #require(array.first)
        #expect(object["severity"] as? String == "error")
        #expect(object["line"] as? Int == 4)
        #expect((object["path"] as? String)?.hasSuffix("issues/2023-07-ete/issue.md") == true)
        #expect(try bulletin(["check", "--format", "xml"]).status == 2)
        // A clean site: an empty array, and the summary for a person on standard error.
        try site.write("issues/2023-07-ete/issue.md", TemporarySite.minimalIssue)
        let clean = try bulletin(["check", "--source", site.root.path, "--format", "json", "--now", "2026-01-01"])
        #expect(clean.status == 0 && clean.stdout == "[]\n", "\(clean.stdout)")
        #expect(clean.stderr.hasPrefix("No errors: 1 issue"))
    }

    @Test func versionIsPrinted() throws {
        let run = try bulletin(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("bulletin 0."), "\(run.stdout)")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try bulletin(["build", "--no-such-flag"]).status == 2)
        #expect(try bulletin(["build", "--now", "2023-02-30"]).status == 2)
        #expect(try bulletin(["build", "--source", "/nonexistent/folder"]).status == 2)
        #expect(try bulletin(["frobnicate"]).status == 2)
    }
}
