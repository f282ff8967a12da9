import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// Serves the preview's files as they were when their size was taken: the file is read
/// whole, once, and that read gives both the `Content-Length` and the body. Hummingbird's
/// own provider asks the size and opens the file separately, so a page rewritten between
/// the two by a rebuild went out with the old length and the new bytes (or none).
struct SnapshotFileProvider: FileProvider {
    let rootFolder: String

    init(rootFolder: String) {
        self.rootFolder = rootFolder.hasSuffix("/") ? rootFolder : rootFolder + "/"
    }

    /// A file's path, and its contents once read.
    final class Snapshot: Sendable {
        let path: String
        let contents = Mutex<Data?>(nil)
        init(path: String) { self.path = path }
    }

    struct Attributes: FileMiddlewareFileAttributes {
        let isFolder: Bool
        let size: Int
        let modificationDate: Date
    }

    func getFileIdentifier(_ path: String) -> Snapshot? {
        Snapshot(path: rootFolder + (path.first == "/" ? String(path.dropFirst()) : path))
    }

    func getAttributes(id: Snapshot) async throws -> Attributes? {
        var info = stat()
        guard stat(id.path, &info) == 0 else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        if info.st_mode & S_IFMT == S_IFDIR { return Attributes(isFolder: true, size: 0, modificationDate: modified) }
        guard info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: id.path) else { return nil }
        id.contents.withLock { $0 = data }
        return Attributes(isFolder: false, size: data.count, modificationDate: modified)
    }

    func loadFile(id: Snapshot, context: some RequestContext) async throws -> ResponseBody {
        ResponseBody(byteBuffer: ByteBuffer(bytes: id.contents.withLock { $0 } ?? Data()))
    }

    func loadFile(id: Snapshot, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        let data = id.contents.withLock { $0 } ?? Data()
        let clamped = range.clamped(to: 0...max(0, data.count - 1))
        return ResponseBody(byteBuffer: ByteBuffer(bytes: data.isEmpty ? Data() : data[clamped]))
    }
}
