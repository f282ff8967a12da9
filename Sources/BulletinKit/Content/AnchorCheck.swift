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
            let wanted = Set(checks.map(\.page))
            var ids: [String: Set<String>] = [:]
            for file in files where wanted.contains(file.path) {
                switch file.contents {
                case .data(let data): ids[file.path] = Self.ids(in: data)
                case .unchanged(let path): ids[file.path] = FileManager.default.contents(atPath: path).map(Self.ids(in:))
                case .copy, .kept: break
                }
            }
            return checks.compactMap { check in
                // Each page's ids are collected once: searching the page for each link
                // made 10,000 links to missing anchors take 20 s.
                guard let pageIDs = ids[check.page] else { return nil }
                if pageIDs.contains(escapeHTML(check.anchor)) { return nil }
                let known =
                    if let guess = check.likelyHeading { "did you mean #\(guess)?" }
                    else if check.headings.isEmpty { "it has no heading" }
                    else { "its headings are " + check.headings.prefix(12).map { "#" + $0 }.joined(separator: ", ") }
                let message = check.file.map { "link to \($0)#\(check.anchor): no such heading in that file" }
                    ?? "link to #\(check.anchor): no such heading in this file"
                return .error("\(message) (\(known))", at: check.location)
            }
        }

        /// The values of the `id` attributes of a page, as written (escaped).
        static func ids(in page: Data) -> Set<String> {
            var found: Set<String> = []
            page.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                let pattern = Array("id=\"".utf8)
                var index = 1
                while index + pattern.count <= bytes.count {
                    if bytes[index] == UInt8(ascii: "i"), bytes[index + 1] == UInt8(ascii: "d"), bytes[index + 2] == UInt8(ascii: "="),
                        bytes[index + 3] == UInt8(ascii: "\""), [0x20, 0x0A, 0x09].contains(bytes[index - 1])
                    {
                        let start = index + pattern.count
                        var end = start
                        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                        found.insert(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                        index = end
                    }
                    index += 1
                }
            }
            return found
        }
    }
}
