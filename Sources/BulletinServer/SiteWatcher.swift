import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Notices changes in the files a build reads by comparing modification times and
/// sizes: no platform file-event API, and a few thousand `lstat` calls cost
/// milliseconds (Foundation's URL resource values cost a third of a second on 500 issues).
struct SiteWatcher: Sendable {
    let root: URL
    static let watched = ["site.yml", "issues", "static", "themes"]

    struct Signature: Equatable, Sendable {
        var entries: [String: Entry] = [:]
    }

    struct Entry: Equatable, Sendable {
        let seconds: Int
        let nanoseconds: Int
        let size: Int
        let mode: UInt32
    }

    func signature() -> Signature {
        var signature = Signature()
        for name in Self.watched { record(root.path + "/" + name, key: name, into: &signature) }
        return signature
    }

    /// Records `path` and, for a folder, everything under it. Symbolic links are recorded,
    /// not followed, as the build does.
    private func record(_ path: String, key: String, into signature: inout Signature) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        signature.entries[key] = Entry(
            seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec), size: Int(info.st_size),
            mode: UInt32(info.st_mode))
        guard info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            record(path + "/" + name, key: key + "/" + name, into: &signature)
        }
    }
}
