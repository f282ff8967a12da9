import Foundation

/// The Markdown files of an issue folder, read again to point a message at the line that
/// names what it is about (an image that failed, a link an e-mail check found): only when
/// there is such a message. `issue.md` first, then the others in order, as a reader
/// looks for them.
struct IssueMarkdown {
    /// Paths relative to the site, with their texts and the byte offset of each line.
    let files: [(path: String, text: String, lineStarts: [Int])]

    /// `folder` is relative to the site at `root` (`issues/2024-06-lettre-ete`).
    init(folder: String, root: URL) {
        let base = root.path + "/" + folder
        let names = (FileManager.default.subpaths(atPath: base) ?? []).filter { $0.hasSuffix(".md") && $0 != "issue.md" }.sorted()
        files = (["issue.md"] + names).compactMap { name in
            guard let text = try? String(contentsOfFile: base + "/" + name, encoding: .utf8) else { return nil }
            return ("\(folder)/\(name)", text, text.lineStartOffsets())
        }
    }

    /// Where `needle` is written: each file's places in order, by byte offset.
    func places(of needle: String) -> [(file: Int, offset: Int)] {
        files.indices.flatMap { index in
            let text = files[index].text
            return text.ranges(of: needle).map { (index, text.utf8.distance(from: text.utf8.startIndex, to: $0.lowerBound)) }
        }
    }

    /// The line and column (in characters) of a byte offset in one of the files.
    func location(of place: (file: Int, offset: Int)) -> SourceLocation {
        let (path, text, starts) = files[place.file]
        var (low, high) = (0, starts.count - 1)
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= place.offset { low = middle } else { high = middle - 1 }
        }
        return SourceLocation(path: path, line: low + 1, column: text.characterColumn(lineStart: starts[low], byteColumn: place.offset - starts[low] + 1))
    }
}
