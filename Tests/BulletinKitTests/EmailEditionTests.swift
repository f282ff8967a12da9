import Foundation
import Testing

@testable import BulletinKit

/// The e-mail edition of the fixture site, checked as a mail client and a reader would.
@Suite struct EmailEditionTests {
    private let issue = "issues/2023-06-lettre-ete/"

    @Test func everyPublishedIssueHasItsThreeFiles() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        for folder in ["issues/2023-06-lettre-ete/", "issues/2023-03-lettre-printemps/"] {
            for name in ["email.html", "email.txt", "email.eml"] {
                #expect(site.exists(folder + name), "missing \(folder)\(name)")
            }
        }
        #expect(!site.exists("issues/2023-09-brouillon/email.html"))
        #expect(report.largestEmail?.path == issue + "email.html")
    }

    /// A body's links to other files are written for where they are read: from the page
    /// on the web (a folder opened from disk names `index.html`), clean and absolute in
    /// the e-mail, its text and the feed.
    @Test func bodyLinksToOtherFilesAreWrittenForEachOutput() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let previous = "issues/2023-03-lettre-printemps/"
        let article = issue + "avenue-de-paris/"
        let page = try site.page(issue + "index.html")
        #expect(page.contains("href=\"../../\(previous)index.html\""))
        #expect(page.contains("href=\"../../\(article)index.html#suite\""))
        let base = "https://lettre.example.fr/"
        let html = try site.page(issue + "email.html")
        #expect(html.contains("href=\"\(base)\(previous)\""))
        #expect(html.contains("href=\"\(base)\(article)#suite\""))
        let text = try site.page(issue + "email.txt")
        #expect(text.contains("(\(base)\(previous))"), "\(text)")
        #expect(try site.page("feed.xml").contains("\(base)\(article)#suite"))
        for output in [page, html, text] { #expect(!output.contains(".md")) }
    }

    @Test func htmlIsSelfContainedWithAbsoluteSizedImages() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let html = try site.page(issue + "email.html")
        for forbidden in ["<script", "<iframe", "rel=\"stylesheet\"", "<link "] {
            #expect(!html.contains(forbidden), "email.html contains \(forbidden)")
        }
        #expect(html.contains("<!--[if mso]>"), "Outlook ghost table")
        #expect(html.contains("<meta name=\"color-scheme\" content=\"light dark\">"))
        #expect(html.contains("href=\"https://lettre.example.fr/issues/2023-06-lettre-ete/\""), "web version link")
        #expect(html.contains("ACC inaugurée, l’Avenue de Paris ouverte."), "preheader")
        let images = html.components(separatedBy: "<img").dropFirst().map { $0.prefix { $0 != ">" } }
        #expect(images.count >= 3)
        for image in images {
            #expect(image.contains("src=\"https://lettre.example.fr/"), "\(image)")
            #expect(image.contains(" alt=\""), "\(image)")
            #expect(image.contains(" width=\"") && image.contains(" height=\""), "\(image)")
        }
        for href in links(in: html) where href.hasPrefix("http") == false {
            #expect(href.hasPrefix("mailto:"), "relative link in e-mail: \(href)")
        }
        #expect(html.contains("style=\""), "styles are inline")
        #expect(html.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=30s"), "video as a link")
    }

    @Test func textTwinCarriesEveryTitleAndLink() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let text = try site.page(issue + "email.txt")
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        for expected in [
            "Lettre n°\u{00A0}2 — Lettre d’été", "L’Avenue de Paris inaugurée",
            "https://lettre.example.fr/issues/2023-06-lettre-ete/avenue-de-paris/", "Ômu des abysses",
            "https://www.acc-emotion.com/", "Hydroline s’installe", "Recrutement",
            "https://lettre.example.fr/issues/2023-06-lettre-ete/", "Se désabonner\u{00A0}: mailto:desabonnement@example.fr",
            "+ 4 100", "Osons nos talents", "21 juin 2023", "André Kuchinski",
        ] {
            #expect(flat.contains(expected), "email.txt lacks “\(expected)”")
        }
        for forbidden in ["<", "&amp;", "**", "&#"] {
            #expect(!text.contains(forbidden), "email.txt contains \(forbidden)")
        }
        for line in text.split(separator: "\n") where !line.contains("://") {
            #expect(line.count <= 72, "line too long: \(line)")
        }
    }

    @Test func messageHoldsBothPartsAndAnEncodedSubject() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        #expect(!site.build().failed)
        let message = try site.page(issue + "email.eml")
        #expect(message.contains("From: \"La Lettre\" <lettre@example.fr>"))
        let subject = try #require(message.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") })
        let encoded = subject.dropFirst("Subject: =?UTF-8?B?".count).prefix { $0 != "?" }
        let decoded = String(decoding: Data(base64Encoded: String(encoded))!, as: UTF8.self)
        #expect(decoded.hasPrefix("Lettre n°"))
        let text = try site.page(issue + "email.txt")
        let html = try site.page(issue + "email.html")
        // Each part is the file beside it, quoted-printable, in lines of 76 characters at most.
        let parts = message.components(separatedBy: "Content-Transfer-Encoding: quoted-printable\r\n\r\n").dropFirst().map {
            $0.components(separatedBy: "\r\n--=_bulletin_").first!
        }
        #expect(parts.map(decodeQuotedPrintable) == [text, html])
        for part in parts {
            #expect(part.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 && $0.utf8.allSatisfy { $0 < 0x80 } })
        }
    }

    /// The headers of a message as the `.eml` has them, by name.
    private func headers(_ message: String) -> [String: String] {
        let head = message.components(separatedBy: "\r\n\r\n").first ?? ""
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") where !line.hasPrefix(" ") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// What Gmail and Yahoo require of bulk senders since February 2024: a date, a
    /// message id, `List-Unsubscribe`, and one-click unsubscription (RFC 8058) when a web
    /// page takes it. A merge tag means the mailing tool writes its own header.
    @Test func theMessageCarriesTheHeadersMailProvidersRequire() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        func build(unsubscribe: String) throws -> (report: BuildReport, headers: [String: String]) {
            try site.write("site.yml", config.replacingOccurrences(of: "unsubscribe: \"mailto:desabonnement@example.fr\"", with: "unsubscribe: \(unsubscribe)"))
            let report = site.build()
            return (report, report.failed ? [:] : headers(try site.page(issue + "email.eml")))
        }
        let both = try build(unsubscribe: "[\"mailto:desabonnement@example.fr?subject=Stop\", \"https://lettre.example.fr/desabonnement?id=1\"]")
        #expect(!both.report.failed, "\(both.report.printed)")
        #expect(both.headers["List-Unsubscribe"] == "<mailto:desabonnement@example.fr?subject=Stop>, <https://lettre.example.fr/desabonnement?id=1>")
        #expect(both.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(both.headers["MIME-Version"] == "1.0")
        #expect(both.headers["Date"]?.hasSuffix(" +0100") == true || both.headers["Date"]?.hasSuffix(" +0200") == true, "Europe/Paris: \(both.headers)")
        let messageID = try #require(both.headers["Message-ID"])
        #expect(messageID.hasPrefix("<") && messageID.hasSuffix(">") && messageID.contains("@"))
        // The e-mail's own link goes to the page.
        #expect(try site.page(issue + "email.html").contains("href=\"https://lettre.example.fr/desabonnement?id=1\""))

        // The same input, the same message id (a mailing tool can spot a second sending).
        let again = try build(unsubscribe: "\"mailto:desabonnement@example.fr\"")
        #expect(again.headers["Message-ID"] == messageID)
        #expect(again.headers["List-Unsubscribe"] == "<mailto:desabonnement@example.fr>")
        #expect(again.headers["List-Unsubscribe-Post"] == nil, "one click needs an https page")

        let tag = try build(unsubscribe: "[\"mailto:desabonnement@example.fr\", \"*|UNSUB|*\"]")
        #expect(!tag.report.failed && tag.headers["List-Unsubscribe"] == nil && tag.headers["List-Unsubscribe-Post"] == nil, "\(tag.headers)")
        #expect(try site.page(issue + "email.html").contains("href=\"*|UNSUB|*\""))

        let twoPages = try build(unsubscribe: "[\"https://a.example.fr/stop\", \"https://b.example.fr/stop\"]")
        #expect(twoPages.report.failed)
        #expect(twoPages.report.errors.contains { $0.description.hasPrefix("site.yml:") && $0.message.contains("`unsubscribe` takes one link") },
            "\(twoPages.report.printed)")
    }

    @Test func mergeTagsPassThroughVerbatim() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        try site.write("site.yml", config.replacingOccurrences(of: "\"mailto:desabonnement@example.fr\"", with: "\"*|UNSUB|*\""))
        #expect(!site.build().failed)
        #expect(try site.page(issue + "email.html").contains("href=\"*|UNSUB|*\""))
        #expect(try site.page(issue + "email.txt").contains("*|UNSUB|*"))
    }

    @Test func aBudgetOverrunIsAWarningAndFailsUnderStrict() throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let config = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        try site.write("site.yml", config + "email:\n  size_budget_kb: 1\n")
        let relaxed = site.build()
        #expect(!relaxed.failed)
        #expect(relaxed.warnings.contains { $0.message.contains("over the 1 KB budget") && $0.path == "issues/2023-06-lettre-ete/issue.md" },
            "said of the issue, not of an output folder that may be elsewhere: \(relaxed.printed)")
        #expect(site.build(strict: true, output: site.root.appendingPathComponent("strict")).failed)
    }
}
