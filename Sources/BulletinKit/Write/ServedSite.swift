import Foundation
import Synchronization

/// What `serve` shows: the last good build's files, kept in memory instead of written.
/// Each build's files replace the previous ones in one step, so a request gets one build
/// or the next, never half of one; drafts never touch the disk; and a rebuild costs no
/// writes at all (writing the preview to disk was a quarter of `serve`'s start). The pages
/// are the ones the render cache keeps anyway: holding them here costs a table of paths.
public final class ServedSite: Sendable {
    private let files = Mutex<[String: OutputFile.Contents]>([:])

    public init() {}

    /// The file at `path` (relative, `issues/x/index.html`): bytes, or a source file
    /// copied as is (an image, a static file), read when asked for.
    public func contents(at path: String) -> OutputFile.Contents? {
        files.withLock { $0[path] }
    }

    /// Every path, sorted.
    public var paths: [String] {
        files.withLock { Array($0.keys) }.sorted()
    }

    /// The bytes of the file at `path`, read from its source when it is a copy.
    public func data(at path: String) -> Data? {
        switch contents(at: path) {
        case .data(let data): data
        case .copy(let url): FileManager.default.contents(atPath: url.path)
        case .unchanged(let path), .kept(let path): FileManager.default.contents(atPath: path)
        case nil: nil
        }
    }

    /// Updated in place under the lock, so that a request waits a few milliseconds and
    /// then sees the new build whole (making a new table of 20,000 paths at each rebuild
    /// was a tenth of it). Output paths are unique: once every file is in, more paths than
    /// files means some are gone, and the table is made again.
    func replace(with outputs: [OutputFile]) {
        files.withLock { table in
            for index in outputs.indices { table[outputs[index].path] = outputs[index].contents }
            guard table.count != outputs.count else { return }
            table = Dictionary(outputs.map { ($0.path, $0.contents) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
