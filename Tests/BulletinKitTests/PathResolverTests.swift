import Foundation
import Testing

@testable import BulletinKit

@Suite struct PathResolverTests {
    private let folder = IssueFolder(
        name: "2023-07-ete", issueFile: nil, articles: [], briefs: [],
        files: ["issue.md", "articles/01-a.md", "images/photo.jpg", "images/vue aérienne.jpg"], imageSizes: [:])

    private func resolve(_ path: String, from directory: String = "articles") -> Result<PathResolver.Target, PathError> {
        PathResolver(folder: folder, slug: "2023-07-ete", staticFiles: ["logo.svg"], directory: directory).resolve(path)
    }

    @Test func pathsAreRelativeToTheFileThatContainsThem() throws {
        #expect(try resolve("../images/photo.jpg").get() == .asset("issues/2023-07-ete/images/photo.jpg"))
        #expect(try resolve("images/photo.jpg", from: "").get() == .asset("issues/2023-07-ete/images/photo.jpg"))
        #expect(try resolve("./../images/./photo.jpg").get() == .asset("issues/2023-07-ete/images/photo.jpg"))
    }

    @Test func spacesAndAccentsWorkWrittenOrEncoded() throws {
        #expect(try resolve("../images/vue aérienne.jpg").get() == .asset("issues/2023-07-ete/images/vue aérienne.jpg"))
        #expect(try resolve("../images/vue%20a%C3%A9rienne.jpg").get() == .asset("issues/2023-07-ete/images/vue aérienne.jpg"))
        #expect(encodePath("issues/x/images/vue aérienne.jpg") == "issues/x/images/vue%20a%C3%A9rienne.jpg")
    }

    @Test func rootPathsReferToStatic() throws {
        #expect(try resolve("/logo.svg").get() == .asset("logo.svg"))
        #expect(throws: PathError.self) { try resolve("/absent.svg").get() }
    }

    @Test func markdownFilesAreLinksToPages() throws {
        #expect(try resolve("01-a.md").get() == .markdown("issues/2023-07-ete/articles/01-a.md"))
        #expect(try resolve("../../2023-04-autre/issue.md").get() == .markdown("issues/2023-04-autre/issue.md"))
    }

    @Test func missingAndEscapingPathsAreErrors() {
        guard case .failure(let missing) = resolve("../images/absente.jpg") else {
            Testing.Issue.record("expected an error")
            return
        }
        #expect(missing.message.contains("file not found"))
        guard case .failure(let escaping) = resolve("../../../site.yml") else {
            Testing.Issue.record("expected an error")
            return
        }
        #expect(escaping.message.contains("leaves the issue folder"))
        guard case .failure(let outside) = resolve("../../../../../etc/passwd") else {
            Testing.Issue.record("expected an error")
            return
        }
        #expect(outside.message.contains("leaves the site folder"))
    }

    @Test func encodingAgreesWithFoundationOnEveryCharacter() {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%;")
        let samples = (0x20..<0x7F).map { String(UnicodeScalar($0)!) } + ["é", "œ", "€", "\u{202F}", "日本", "a b/c"]
        for sample in samples {
            let path = "issues/x/\(sample)y.jpg"
            #expect(encodePath(path) == path.addingPercentEncoding(withAllowedCharacters: allowed), "\(sample)")
        }
    }
}
