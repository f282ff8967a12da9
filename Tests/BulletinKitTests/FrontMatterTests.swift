import Foundation
import Testing

@testable import BulletinKit

@Suite struct FrontMatterTests {
    /// Values are trimmed by Bulletin's own function, which must trim what Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` trimmed.
    @Test func valuesAreTrimmedAsFoundationTrims() {
        let samples = [
            "  Été  ", "\u{2003}titre\u{2029}", "\u{85}x\u{A0}", " \u{301}accent", "\t\r\n", "", "sans espace",
            "\u{202F}«\u{202F}x\u{202F}»\u{202F}", "x \u{200B}",
        ]
        for text in samples {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
        // Every scalar of the Basic Multilingual Plane, alone and between letters.
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "x" + String(scalar)
            if text.trimmingWhitespace() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                Issue.record("U+\(String(value, radix: 16)) is trimmed differently")
            }
        }
    }

    private func split(_ text: String) -> Result<FrontMatterDocument, Diagnostic> {
        FrontMatterDocument.split(SourceFile(path: "a.md", data: Data(text.utf8)))
    }

    @Test func splitsYAMLAndBodyAndCountsLines() throws {
        let document = try split("---\ntitle: A\nnumber: 2\n---\nBody line\n").get()
        #expect(document.yaml == "title: A\nnumber: 2\n")
        #expect(document.yamlFirstLine == 2)
        #expect(document.body == "Body line\n")
        #expect(document.bodyFirstLine == 5)
    }

    @Test func acceptsWindowsLineEndingsAndByteOrderMark() throws {
        let document = try split("\u{FEFF}---\r\ntitle: A\r\n---\r\nBody\r\n").get()
        #expect(document.yaml == "title: A\n")
        #expect(document.body == "Body\n")
    }

    @Test func fileWithoutFrontMatterIsAllBody() throws {
        let document = try split("Just text\n").get()
        #expect(document.yaml == nil)
        #expect(document.body == "Just text\n")
    }

    @Test func unclosedFrontMatterIsAnError() {
        guard case .failure(let diagnostic) = split("---\ntitle: A\n\nBody\n") else {
            Testing.Issue.record("expected a failure")
            return
        }
        #expect(diagnostic.line == 1)
        #expect(diagnostic.message.contains("never closed"))
    }

    @Test func emptyFileIsAnError() {
        guard case .failure(let diagnostic) = split("  \n\n") else {
            Testing.Issue.record("expected a failure")
            return
        }
        #expect(diagnostic.message.contains("empty"))
    }

    @Test func invalidUTF8IsReportedAtItsLineAndColumn() {
        var data = Data("---\ntitle: ab".utf8)
        data.append(0xFF)
        let result = FrontMatterDocument.split(SourceFile(path: "a.md", data: data))
        guard case .failure(let diagnostic) = result else {
            Testing.Issue.record("expected a failure")
            return
        }
        #expect(diagnostic.line == 2)
        #expect(diagnostic.column == 10)
        #expect(diagnostic.message.contains("UTF-8"))
    }

    @Test func yamlErrorLineCountsInTheWholeFile() throws {
        let document = try split("---\ntitle: A\nnumber: 1\ndate: [2023\n---\nBody\n").get()
        let result = YAMLFields.parse(document.yaml!, path: "a.md", firstLine: document.yamlFirstLine)
        guard case .failure(let diagnostic) = result else {
            Testing.Issue.record("expected a YAML error")
            return
        }
        #expect(diagnostic.path == "a.md")
        #expect(diagnostic.line >= 4, "the error is on line 4 of the file or after, not in YAML-relative lines")
        #expect(diagnostic.description.hasPrefix("a.md:\(diagnostic.line):"))
    }

    @Test func typedFieldsReportTheValueLocation() throws {
        let fields = try YAMLFields.parse("title: A\nnumber: douze\n", path: "a.md", firstLine: 2).get()
        var diagnostics: [Diagnostic] = []
        #expect(fields.int("number", required: true, into: &diagnostics) == nil)
        #expect(fields.string("summary", required: true, into: &diagnostics) == nil)
        #expect(diagnostics.count == 2)
        #expect(diagnostics[0].line == 3 && diagnostics[0].column == 9)
        #expect(diagnostics[0].message.contains("whole number"))
        #expect(diagnostics[1].message.contains("missing required field `summary`"))
    }

    /// Only booleans are resolved by Yams' rules; every other value is read as text by its
    /// field, so that a title of digits or `yes` stays the text written.
    @Test func valuesAreReadAsTheirFieldSays() throws {
        let fields = try YAMLFields.parse(
            "a: yes\nb: Off\nc: \"true\"\nd: maybe\ntitle: 2024\nsummary: yes\nnumber: 0012\nempty: ~\n", path: "a.md", firstLine: 2
        ).get()
        var diagnostics: [Diagnostic] = []
        #expect(fields.bool("a", into: &diagnostics) == true)
        #expect(fields.bool("b", into: &diagnostics) == false)
        #expect(fields.bool("c", into: &diagnostics) == nil, "quoted: text, not a boolean")
        #expect(fields.bool("d", into: &diagnostics) == nil)
        #expect(diagnostics.map(\.line) == [4, 5] && diagnostics.allSatisfy { $0.message.contains("true or false") })
        #expect(fields.string("title", into: &diagnostics) == "2024")
        #expect(fields.string("summary", into: &diagnostics) == "yes")
        #expect(fields.int("number", into: &diagnostics) == 12)
        #expect(fields.string("empty", into: &diagnostics) == nil && diagnostics.count == 2)
    }

    @Test func unknownKeysAreWarningsWithAHint() throws {
        let fields = try YAMLFields.parse("titel: A\n", path: "a.md", firstLine: 2).get()
        var diagnostics: [Diagnostic] = []
        fields.warnUnknownKeys(allowed: ["title", "number"], into: &diagnostics)
        #expect(diagnostics.first?.severity == .warning)
        #expect(diagnostics.first?.message == "unknown key `titel` (did you mean `title`?)")
        #expect(diagnostics.first?.line == 2)
    }
}
