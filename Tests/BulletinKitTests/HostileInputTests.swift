import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import BulletinKit

/// A fixture full of script tags, event handlers and script URLs in every place an
/// editor can write: none of it may reach a built page, in either HTML mode.
@Suite struct HostileInputTests {
    private static let forbiddenElements = ["<script", "<iframe", "<style", "<object", "<embed"]
    private static let forbiddenURLs = ["javascript:", "vbscript:", "data:text"]

    @Test(arguments: [false, true])
    func nothingExecutableReachesAPage(unsafeHTML: Bool) throws {
        let site = try TemporarySite(copying: "hostile")
        defer { site.remove() }
        if unsafeHTML {
            let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
            try site.write("site.yml", config + "markdown:\n  unsafe_html: true\n")
        }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        var documents: [(String, String)] = []
        for case let path as String in FileManager.default.enumerator(atPath: site.output.path)! where path.hasSuffix(".html") {
            documents.append((path, try site.page(path)))
        }
        // The feed's content:encoded is HTML a feed reader will render.
        let feed = try XMLDocument(data: Data(try site.page("feed.xml").utf8))
        for node in try feed.nodes(forXPath: "//item/*[local-name()='encoded']") {
            documents.append(("feed.xml content:encoded", node.stringValue ?? ""))
        }
        #expect(documents.count >= 6)
        for (path, html) in documents {
            // Escaped text (`&lt;script&gt;` in a title) is harmless; only markup counts. The
            // head is scanned too: titles and summaries reach its <title> and <meta> tags. Only
            // the e-mail's own <style> blocks (media queries, from the theme) are set aside.
            let scanned = path.hasSuffix("email.html")
                ? html.replacingOccurrences(of: #"<style[^>]*>[\s\S]*?</style>"#, with: "", options: .regularExpression) : html
            let tags = tags(in: scanned).map { $0.lowercased() }
            #expect(tags.contains { $0.hasPrefix("<a ") }, "\(path): the tag scan sees the markup")
            for tag in tags {
                for element in Self.forbiddenElements {
                    #expect(!tag.hasPrefix(element), "\(path) has \(tag)")
                }
                // Attribute values are where URLs live; outside them, no event handler.
                let values = matches(#"=\s*"([^"]*)""#, in: tag)
                let outsideValues = tag.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
                #expect(matches(#"\son[a-z]+\s*="#, in: outsideValues).isEmpty, "\(path) has an event handler: \(tag)")
                for value in values {
                    let squeezed = value.replacingOccurrences(of: #"\s|&#x?0*9;|&tab;"#, with: "", options: .regularExpression)
                    for scheme in Self.forbiddenURLs {
                        #expect(!squeezed.hasPrefix(scheme), "\(path) has a script URL: \(tag)")
                    }
                }
            }
        }
        let article = try site.page("issues/2023-07-ete/piege/index.html")
        #expect(article.contains("data:image/png"), "harmless data images stay")
    }

    private func tags(in html: String) -> [String] {
        matches("<[a-zA-Z/!][^>]*>", in: html, group: 0)
    }

    private func matches(_ pattern: String, in text: String, group: Int = 1) -> [String] {
        let expression = try! NSRegularExpression(pattern: pattern)
        let source = text as NSString
        return expression.matches(in: text, range: NSRange(location: 0, length: source.length)).map {
            source.substring(with: $0.range(at: min(group, $0.numberOfRanges - 1)))
        }
    }

    @Test func droppedHTMLIsReportedWithItsPlace() throws {
        let site = try TemporarySite(copying: "hostile")
        defer { site.remove() }
        let report = site.build()
        let messages = report.warnings.map(\.description)
        #expect(messages.contains("issues/2023-07-ete/issue.md:7:1: warning: raw HTML <script>alert('edito')</script> dropped (set markdown.unsafe_html to keep it)"))
        #expect(messages.contains { $0.hasPrefix("issues/2023-07-ete/en-bref/01-piege.md:5:1: warning: raw HTML <span style=\"color:red\"") })
        #expect(messages.contains { $0.hasPrefix("issues/2023-07-ete/issue.md:13:4: warning: unsafe URL removed") })
        #expect(report.errors.isEmpty, "\(report.printed)")
    }
}
