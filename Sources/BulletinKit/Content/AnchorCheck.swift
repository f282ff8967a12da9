import Foundation

extension ContentRenderer {
    /// A link to `#anchor` that names no heading of its file; it may still name an element
    /// of its page (`#agenda`), which is known once the page is rendered.
    struct AnchorCheck: Sendable {
        let location: SourceLocation
        /// The page, relative to the output root.
        let page: String
        let anchor: String
        /// The file linked to, as written; `nil` for a link within its own file.
        let file: String?
        /// The file's heading ids, for the message.
        let headings: [String]

        /// The heading the editor most likely meant: one a letter or two away, or one that
        /// holds what was written (`#programme` for `## Le programme`).
        var likelyHeading: String? {
            let written = anchor.lowercased()
            let near = headings.map { (heading: $0, distance: editDistance($0, written)) }.filter {
                $0.distance <= 2 || (written.count >= 4 && ($0.heading.contains(written) || written.contains($0.heading)))
            }
            return near.min { $0.distance < $1.distance }?.heading
        }

        /// An error for every anchor found on no page; pages left out of the build (drafts)
        /// are not looked into: the link to them already has its warning.
        static func verify(_ checks: [AnchorCheck], in files: [OutputFile]) -> [Diagnostic] {
            guard !checks.isEmpty else { return [] }
            var pages: [String: Data] = [:]
            for file in files where file.isPage { if case .data(let data) = file.contents { pages[file.path] = data } }
            return checks.compactMap { check in
                guard let page = pages[check.page] else { return nil }
                if page.range(of: Data("id=\"\(escapeHTML(check.anchor))\"".utf8)) != nil { return nil }
                let known =
                    if let guess = check.likelyHeading { "did you mean #\(guess)?" }
                    else if check.headings.isEmpty { "it has no heading" }
                    else { "its headings are " + check.headings.prefix(12).map { "#" + $0 }.joined(separator: ", ") }
                let message = check.file.map { "link to \($0)#\(check.anchor): no such heading in that file" }
                    ?? "link to #\(check.anchor): no such heading in this file"
                return .error("\(message) (\(known))", at: check.location)
            }
        }
    }
}
