import Foundation

/// One file of the output, by path relative to the output folder.
public struct OutputFile: Sendable {
    public enum Contents: Sendable {
        case data(Data)
        /// A file copied as is (an asset), read only when written.
        case copy(URL)
        /// A copy of an image kept by `ImageProcessor`, by its path on disk. Its name in
        /// the output holds its content's key (`Recipe.isCopyName`): there, it is as it should be.
        case kept(path: String)
        /// A file of the output folder that a cached build leaves as the last build wrote
        /// it, by its path on disk (a string: making a `URL` stats the file, which for
        /// thousands of them cost a tenth of a warm build).
        case unchanged(path: String)
    }

    public let path: String
    public let contents: Contents

    init(path: String, contents: Contents) {
        self.path = path
        self.contents = contents
    }

    static func text(_ path: String, _ text: String) -> OutputFile {
        OutputFile(path: path, contents: .data(Data(text.utf8)))
    }

    var isPage: Bool { path.hasSuffix(".html") }

    /// The page with `script` before `</body>`; other files unchanged.
    func injecting(_ script: String) -> OutputFile {
        guard isPage, !path.hasSuffix("email.html"), case .data(let data) = contents,
            let end = data.range(of: Data("</body>".utf8), options: .backwards)
        else { return self }
        var page = data
        page.replaceSubrange(end.lowerBound..<end.lowerBound, with: Data((script + "\n").utf8))
        return OutputFile(path: path, contents: .data(page))
    }
}
