import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells when the files a build reads change: `site.yml`, and everything under `issues/`,
/// `static/` and `themes/`. Symbolic links are seen, never followed, as the build does.
///
/// On Linux the kernel says so (inotify): nothing runs while nothing changes. Elsewhere,
/// or when inotify cannot be had (no instance or watch left), the files are compared by
/// modification time and size every `pollInterval`.
struct SiteWatcher: Sendable {
    let root: URL
    /// How often files are compared when the kernel's notifications are unavailable.
    var pollInterval: Duration = .milliseconds(200)
    /// Whether the kernel's notifications are tried at all (tests turn them off to poll).
    var notifications = true
    static let watched = ["site.yml", "issues", "static", "themes"]
    /// The folders among `watched`, watched with everything under them.
    static let trees: Set<String> = ["issues", "static", "themes"]

    init(root: URL, pollInterval: Duration = .milliseconds(200)) {
        self.root = root
        self.pollInterval = pollInterval
    }

    /// Starts watching now (what changes from here on is told, a build running meanwhile
    /// included): one element per burst of changes (an editor's save is several events),
    /// at most one pending while the consumer is busy. Throws when no pipe can be had.
    func start() throws -> Changes {
        try Changes(watcher: self)
    }

    // MARK: Polling

    struct Signature: Equatable, Sendable {
        var entries: [String: Entry] = [:]
    }

    struct Entry: Equatable, Sendable {
        let seconds: Int
        let nanoseconds: Int
        let size: Int
        let mode: UInt32
    }

    /// Every watched file's modification time, size and mode (a few thousand `lstat` calls
    /// cost milliseconds; Foundation's URL resource values cost a third of a second on 500 issues).
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
            let name = SiteWatcher.name(of: entry)
            if name == "." || name == ".." { continue }
            record(path + "/" + name, key: key + "/" + name, into: &signature)
        }
    }

    fileprivate static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// A running watch: its changes, and the way to stop it. A thread of its own waits in
/// `poll()` on the kernel's notifications (or sleeps between two comparisons) and on a pipe
/// that `stop()` closes, so that stopping is immediate and waiting costs nothing.
final class Changes: AsyncSequence, Sendable {
    typealias Element = Void
    private let stream: AsyncStream<Void>
    private let wake: Wake
    /// The paths (relative to the site) changed since the last `take`; nil when unknown.
    fileprivate let pending = Mutex<Set<String>?>([])
    /// Whether the kernel's notifications are used (false: polling).
    let usesNotifications: Bool

    fileprivate init(watcher: SiteWatcher) throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let stopped = ends[0]
        wake = Wake(ends[1])
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.stream = stream
        #if os(Linux)
        let notifier = watcher.notifications ? Notifier(root: watcher.root) : nil
        usesNotifications = notifier != nil
        #else
        usesNotifications = false
        #endif
        // Without notifications, the files as they are now are what later states compare with.
        let initial = usesNotifications ? nil : watcher.signature()
        let thread = Thread {
            var signature = initial
            #if os(Linux)
            if let notifier {
                // Returns a signature only when the kernel ran out of watches: poll from there.
                signature = notifier.run(stopped: stopped, changes: self, continuation: continuation)
            }
            #endif
            if let signature {
                self.forgetPaths()
                Changes.compare(watcher, from: signature, stopped: stopped, changes: self, continuation: continuation)
            }
            close(stopped)
            continuation.finish()
        }
        thread.name = "bulletin-serve-watcher"
        thread.start()
        continuation.onTermination = { [wake] _ in wake.stop() }
    }

    func makeAsyncIterator() -> AsyncStream<Void>.Iterator { stream.makeAsyncIterator() }

    /// What changed since the last call: files and folders, relative to the site (a
    /// folder stands for everything in it); nil when that is not known (polling, or the
    /// kernel dropped events), which makes the next build look at everything.
    func take() -> Set<String>? {
        pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
    }

    /// From now on nothing tells which paths changed.
    fileprivate func forgetPaths() {
        pending.withLock { $0 = nil }
    }

    /// Ends the watch: the thread returns from `poll()` at once and closes everything.
    func stop() { wake.stop() }

    /// Waits up to `milliseconds` (-1: forever) for `descriptor` (-1: none) to be readable
    /// or the watch to be stopped. Returns nil when stopped, else whether `descriptor` is readable.
    fileprivate static func wait(for descriptor: Int32, stopped: Int32, milliseconds: Int32) -> Bool? {
        var fds = [pollfd(fd: stopped, events: Int16(POLLIN), revents: 0)]
        if descriptor >= 0 { fds.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        while true {
            let count = poll(&fds, nfds_t(fds.count), milliseconds)
            if count < 0, errno == EINTR { continue }
            if count < 0 || fds[0].revents != 0 { return nil }
            return count > 0 && descriptor >= 0 && fds[1].revents != 0
        }
    }

    /// Polling: compares the files every `pollInterval` until stopped.
    private static func compare(
        _ watcher: SiteWatcher, from initial: SiteWatcher.Signature, stopped: Int32, changes: Changes,
        continuation: AsyncStream<Void>.Continuation
    ) {
        let interval = watcher.pollInterval.components
        let milliseconds = Int32(clamping: interval.seconds * 1000 + interval.attoseconds / 1_000_000_000_000_000)
        var last = initial
        while wait(for: -1, stopped: stopped, milliseconds: Swift.max(milliseconds, 1)) != nil {
            let current = watcher.signature()
            guard current != last else { continue }
            last = current
            changes.forgetPaths()
            continuation.yield()
        }
    }
}

/// The write end of the pipe that stops a watch's thread: closing it makes the read end
/// readable (end of file), with no write that could meet a closed reader. -1 once closed.
private final class Wake: Sendable {
    private let end: Mutex<Int32>
    init(_ end: Int32) { self.end = Mutex(end) }

    func stop() {
        end.withLock { end in
            if end >= 0 { close(end) }
            end = -1
        }
    }
}

#if os(Linux)
/// The kernel's file notifications (inotify) for a site: a watch on the site's folder (for
/// `site.yml`, and for `issues/`, `static/`, `themes/` appearing or going) and one on every
/// folder under those three, added as folders appear.
private final class Notifier: Sendable {
    let root: String
    private let descriptor: Int32
    /// Watch descriptor → folder, relative to the root ("" for the root).
    private let folders = Mutex<[Int32: String]>([:])

    /// What changes in a folder. `IN_DONT_FOLLOW` and `IN_ONLYDIR`: a symbolic link is not
    /// followed into another folder.
    private static let mask: UInt32 =
        UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
            | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_DONT_FOLLOW) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)
    /// Quiet that ends a burst, and the longest a burst may delay a rebuild.
    private static let quietMilliseconds: Int32 = 15
    private static let burstLimit: Duration = .milliseconds(200)

    /// nil when inotify cannot be had or the site's folders cannot all be watched.
    init?(root: URL) {
        self.root = root.path
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        guard watchEverything() else {
            close(descriptor)
            return nil
        }
    }

    /// Watches the root and the three trees (again: a watch that exists is kept). False
    /// when the kernel refuses more watches.
    private func watchEverything() -> Bool {
        guard add("") != nil || errno != ENOSPC && errno != ENOMEM else { return false }
        return SiteWatcher.trees.allSatisfy { addTree($0) }
    }

    /// A watch on the folder at `relative`; its descriptor, nil if there is no such folder
    /// (or it is a link, or unreadable) or no watch left (errno tells).
    private func add(_ relative: String) -> Int32? {
        let path = relative.isEmpty ? root : root + "/" + relative
        let watch = inotify_add_watch(descriptor, path, Self.mask)
        guard watch >= 0 else { return nil }
        folders.withLock { $0[watch] = relative }
        return watch
    }

    /// Watches `relative` and every folder under it, links not followed. The watch comes
    /// before the listing: a folder created meanwhile is either listed or notified.
    private func addTree(_ relative: String) -> Bool {
        guard add(relative) != nil else { return errno != ENOSPC && errno != ENOMEM }
        guard let directory = opendir(root + "/" + relative) else { return true }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = SiteWatcher.name(of: entry)
            if name == "." || name == ".." { continue }
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isFolder = lstat(root + "/" + relative + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            if isFolder, !addTree(relative + "/" + name) { return false }
        }
        return true
    }

    /// Reads what the kernel has queued. Returns whether a watched file changed, nil when a
    /// folder could not be watched for lack of watches.
    private func drain(into paths: inout Set<String>?) -> Bool? {
        var changed = false
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, size)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return changed }
            var offset = 0
            while offset + 16 <= count {
                let watch = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = UnsafeRawBufferPointer(start: buffer + offset + 16, count: min(length, count - offset - 16))
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += 16 + length
                guard let relevant = handle(watch: watch, mask: mask, name: name, paths: &paths) else { return nil }
                changed = changed || relevant
            }
        }
    }

    /// Keeps the watches up to date with one event; whether it concerns a watched file
    /// (nil: out of watches).
    private func handle(watch: Int32, mask: UInt32, name: String, paths: inout Set<String>?) -> Bool? {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            // Events were lost: folders may have appeared unseen. Everything changed.
            paths = nil
            return watchEverything() ? true : nil
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            folders.withLock { $0[watch] = nil }
            return false
        }
        guard let folder = folders.withLock({ $0[watch] }) else { return false }
        // The folder itself when it is the one that changed (deleted, moved), else the entry in it.
        paths?.insert(name.isEmpty ? folder : folder.isEmpty ? name : folder + "/" + name)
        if folder.isEmpty {
            // The site's own folder: only site.yml and the three trees matter (not output/).
            guard SiteWatcher.watched.contains(name) else { return false }
            if SiteWatcher.trees.contains(name), mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, mask & UInt32(IN_ISDIR) != 0 {
                return addTree(name) ? true : nil
            }
            return true
        }
        if mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.isEmpty {
            return addTree(folder + "/" + name) ? true : nil
        }
        return true
    }

    /// Tells the changes until the watch is stopped; closes the inotify descriptor.
    /// Returns nil when stopped, or, when the kernel ran out of watches, a signature to
    /// go on polling from.
    func run(stopped: Int32, changes: Changes, continuation: AsyncStream<Void>.Continuation) -> SiteWatcher.Signature? {
        defer { close(descriptor) }
        let fallback = { SiteWatcher(root: URL(fileURLWithPath: self.root)).signature() }
        var paths: Set<String>? = []
        /// Hands the paths seen to the consumer before it is told.
        func tell() {
            changes.pending.withLock { pending in
                if let seen = paths, pending != nil { pending!.formUnion(seen) } else { pending = nil }
            }
            paths = []
            continuation.yield()
        }
        while let readable = Changes.wait(for: descriptor, stopped: stopped, milliseconds: -1) {
            guard readable else { continue }
            guard var changed = drain(into: &paths) else {
                paths = nil
                tell()
                return fallback()
            }
            guard changed else { continue }
            // A burst: wait for a short quiet, within a bound.
            let end = ContinuousClock.now + Self.burstLimit
            while ContinuousClock.now < end {
                guard let more = Changes.wait(for: descriptor, stopped: stopped, milliseconds: Self.quietMilliseconds) else {
                    return nil
                }
                guard more else { break }
                guard let relevant = drain(into: &paths) else {
                    paths = nil
                    tell()
                    return fallback()
                }
                changed = changed || relevant
            }
            tell()
        }
        return nil
    }
}
#endif
