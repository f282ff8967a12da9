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
        case nil: nil
        }
    }

    func replace(with outputs: [OutputFile]) {
        var table: [String: OutputFile.Contents] = [:]
        table.reserveCapacity(outputs.count)
        for file in outputs { table[file.path] = file.contents }
        files.withLock { $0 = table }
    }
}
