import Foundation
import Synchronization

/// The names in a folder as a build listed them, with the folder's own stamp.
///
/// Adding, removing or renaming an entry changes a folder's modification and change
/// times, so while its stamp is the one recorded, its names are the ones recorded: the
/// next build asks `lstat` about each name instead of listing the folder again. Listing
/// the 5,000 folders of a 500-issue site and its output (open, read, close) was most of a
/// warm build's system time; a stamp per file is what a warm build cannot do without.
struct ListedFolder: Sendable, Equatable {
    /// Relative to the root the listings are kept for (`""` for the root itself).
    var path: String
    var stamp: FileStamp
    /// Every entry but `.` and `..`, in the order the folder gave them.
    var names: [String]
}

/// The folder listings of one tree (the site, or the output) for one build: those the
/// last build recorded, trusted while their folders' stamps are unchanged, and those
/// this build makes, for the next one. The tree's root is opened once: each `lstat` is
/// asked relative to it, which spares the kernel walking the root's own path every time
/// (a fifth of the cost of each call for the output of 500 issues in /dev/shm).
final class FolderListings: Sendable {
    /// An entry of a folder, with what `lstat` said of it.
    struct Entry {
        let name: String
        let info: stat

        var stamp: FileStamp { FileStamp(info) }
        var isDirectory: Bool { kind == .directory }

        var kind: Kind {
            switch info.st_mode & S_IFMT {
            case S_IFREG: .file
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            default: .other
            }
        }

        enum Kind { case file, directory, symbolicLink, other }
    }

    /// The tree's root, an absolute path.
    let root: String
    /// `root` opened for lookups, or -1 when it could not be: paths are then asked for whole.
    private let rootDescriptor: Int32
    private let previous: [String: ListedFolder]
    /// Names of files that hold what their names say (the output's copies of images,
    /// `Recipe.isCopyName`): in a folder whose stamp is the one recorded, they are taken
    /// as they are named, `lstat` not asked about them, their stamp `FileStamp.copy`.
    private let isTrustedByName: (@Sendable (String) -> Bool)?
    /// Nanoseconds since 1970, read before any folder was looked at (see `isRacy`).
    let startedAt: Int64
    private let state: Mutex<State>

    private struct State {
        var kept: [String: ListedFolder] = [:]
        var listed = 0
        /// With `keepsStamps`: each folder looked at, with its own stamp when it was
        /// asked for here (else its parent's entries have it), and its entries.
        var seen: [(key: String, stamp: FileStamp?, entries: [Entry])] = []
        /// With `keepsStamps`: the files and folders asked about by `noteStamp(of:)`.
        var noted: [(path: String, stamp: FileStamp)] = []
    }

    /// Whether the stamp of everything looked at is kept, for `stamps()`.
    private let keepsStamps: Bool

    /// `previous`: what the last build recorded; empty for a build without a cache.
    /// `isTrustedByName`: see the property.
    init(
        root: String, previous: [ListedFolder] = [], keepsStamps: Bool = false, isTrustedByName: (@Sendable (String) -> Bool)? = nil
    ) {
        self.root = root
        self.keepsStamps = keepsStamps
        self.isTrustedByName = isTrustedByName
        rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        self.previous = Dictionary(previous.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var state = State()
        state.kept.reserveCapacity(previous.count)
        self.state = Mutex(state)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        startedAt = Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    deinit {
        if rootDescriptor >= 0 { close(rootDescriptor) }
    }

    /// The entries of the folder `key` (relative to the root; `""` for the root itself),
    /// recorded under `key`. `stamp` is the folder's own, when its parent's listing gave
    /// it; else it is asked for. Nil when the folder cannot be opened.
    func entries(of key: String, stamp known: FileStamp? = nil) -> [Entry]? {
        let base = Base(root: root, descriptor: rootDescriptor, key: key)
        var stamp = known
        if stamp == nil {
            var info = stat()
            if base.lstat(nil, &info) == 0 { stamp = FileStamp(info) }
        }
        let ownStamp = known == nil ? stamp : nil
        if let stamp, let record = previous[key], record.stamp == stamp, let entries = entries(named: record.names, in: base) {
            state.withLock { state in
                state.kept[key] = record
                if keepsStamps { state.seen.append((key, ownStamp, entries)) }
            }
            return entries
        }
        guard let (names, entries) = Self.list(base.absolutePath) else { return nil }
        state.withLock { state in
            state.listed += 1
            if keepsStamps { state.seen.append((key, ownStamp, entries)) }
            // A stamp this recent could be taken again by a change made after the listing.
            if let stamp, !stamp.isRacy(before: startedAt) { state.kept[key] = ListedFolder(path: key, stamp: stamp, names: names) }
        }
        return entries
    }

    /// What the next build may trust, but for the folders under `touched` (this build
    /// changed them after they were looked at).
    func records(leavingOut touched: Set<String> = []) -> [ListedFolder] {
        state.withLock { $0.kept.values.filter { !touched.contains($0.path) } }.sorted { $0.path < $1.path }
    }

    /// Takes the stamp of the file or folder at `path` (relative to the root; `""` for the
    /// root itself), kept with those of the folders' entries. A symbolic link is kept as no
    /// file's (`none`): what it leads to can change while its own stamp stays.
    func noteStamp(of path: String) {
        guard keepsStamps else { return }
        var info = stat()
        guard Base(root: root, descriptor: rootDescriptor, key: path).lstat(nil, &info) == 0 else { return }
        let stamp = info.st_mode & S_IFMT == S_IFLNK ? FileStamp.none : FileStamp(info)
        state.withLock { $0.noted.append((path, stamp)) }
    }

    /// With `keepsStamps`: every file and folder this build looked at and its stamp, by path
    /// relative to the root (`""` for the root itself). Nil when a stamp is too recent to
    /// vouch for its file (see `FileStamp.isRacy`).
    func stamps() -> [(path: String, stamp: FileStamp)]? {
        let (seen, noted) = state.withLock { ($0.seen, $0.noted) }
        var stamps = noted
        for (key, own, entries) in seen {
            if let own { stamps.append((key, own)) }
            let prefix = key.isEmpty ? "" : key + "/"
            // A copy trusted by its name has no stamp: its folder's stands for it.
            for entry in entries where entry.stamp != .copy { stamps.append((prefix + entry.name, entry.stamp)) }
        }
        return stamps.contains { $0.stamp.isRacy(before: startedAt) } ? nil : stamps
    }

    /// Whether this build trusted every record of the last and listed no folder.
    var isUnchanged: Bool {
        state.withLock { $0.listed == 0 && $0.kept.count == previous.count }
    }

    /// A folder, to ask `lstat` about it and its entries.
    private struct Base {
        let root: String
        let descriptor: Int32
        let key: String

        var absolutePath: String { key.isEmpty ? root : root + "/" + key }

        /// `lstat` of the entry `name` of the folder, or of the folder itself.
        func lstat(_ name: String?, _ info: inout stat) -> Int32 {
            if descriptor >= 0 {
                let relative = switch (key.isEmpty, name) {
                case (true, nil): "."
                case (true, let name?): name
                case (false, nil): key
                case (false, let name?): key + "/" + name
                }
                return fstatat(descriptor, relative, &info, AT_SYMLINK_NOFOLLOW)
            }
            return Glibc.lstat(name.map { absolutePath + "/" + $0 } ?? absolutePath, &info)
        }
    }

    /// Nil when a name is gone: the folder changed within its stamp's precision.
    private func entries(named names: [String], in base: Base) -> [Entry]? {
        var entries: [Entry] = []
        entries.reserveCapacity(names.count)
        for name in names {
            var info = stat()
            if let isTrustedByName, isTrustedByName(name) {
                entries.append(Entry(name: name, info: Self.trustedInfo))
                continue
            }
            guard base.lstat(name, &info) == 0 else { return nil }
            entries.append(Entry(name: name, info: info))
        }
        return entries
    }

    /// What a file trusted by its name is taken to be: a regular file, stamped `.copy`.
    private static let trustedInfo = FileStamp.copy.fileInfo

    private static func list(_ path: String) -> (names: [String], entries: [Entry])? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var names: [String] = []
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            names.append(name)
            var info = stat()
            // Gone since the folder was read: left out, as a listing made a moment later would.
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            entries.append(Entry(name: name, info: info))
        }
        return (names, entries)
    }
}

extension FileStamp {
    /// What `lstat` would say of a regular file with this stamp, as far as a stamp tells.
    var fileInfo: stat {
        var info = stat()
        info.st_mode = S_IFREG | 0o644
        info.st_dev = __dev_t(device)
        info.st_ino = __ino_t(inode)
        info.st_size = __off_t(size)
        info.st_mtim = timespec(tv_sec: Int(modified / 1_000_000_000), tv_nsec: Int(modified % 1_000_000_000))
        info.st_ctim = timespec(tv_sec: Int(changed / 1_000_000_000), tv_nsec: Int(changed % 1_000_000_000))
        return info
    }

    /// No file's: recorded for a stamp that cannot be trusted.
    static let none = FileStamp(device: 0, inode: 0, size: -1, modified: 0, changed: 0)

    /// No file's either: a copy of an image trusted by its name, `lstat` not asked.
    static let copy = FileStamp(device: 0, inode: 0, size: -2, modified: 0, changed: 0)

    /// Whether a change made after `time` (nanoseconds since 1970) could leave this stamp
    /// as it is. Linux takes file times from a clock that moves once per tick (up to 10 ms);
    /// a file system that keeps whole seconds (no nanoseconds in either time) moves less
    /// often still. A racy stamp is not trusted by the next build, as Git does for its index.
    func isRacy(before time: Int64) -> Bool {
        let wholeSeconds = modified % 1_000_000_000 == 0 && changed % 1_000_000_000 == 0
        let margin: Int64 = wholeSeconds ? 2_000_000_000 : 50_000_000
        return modified >= time - margin || changed >= time - margin
    }
}
