import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Stage 5: writes the files into a temporary folder next to the output, then swaps it
/// in whole, so that a failed build leaves the previous output exactly as it was and
/// nothing stale survives a successful one.
struct OutputWriter {
    /// Left in every output folder so that the next build knows it may replace it.
    static let markerName = ".bulletin-output"

    let output: URL

    func write(_ files: [OutputFile]) -> Diagnostic? {
        let manager = FileManager.default
        // An output that is a symbolic link (a web server's root) is written through:
        // the folder it leads to is replaced, the link stays.
        var info = stat()
        if lstat(output.path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            return OutputWriter(output: output.resolvingSymlinksInPath()).write(files)
        }
        if let refusal = checkReplaceable() { return refusal }
        removeLeftovers()
        let parent = output.deletingLastPathComponent()
        // The new output is written beside the old one, then swapped in: the folder that
        // holds them must take new folders.
        if !manager.fileExists(atPath: parent.path) {
            do {
                try manager.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                return Diagnostic(.error, "cannot create \(parent.path): \(Self.reason(error))", path: nil)
            }
        }
        if access(parent.path, W_OK) != 0 {
            return Diagnostic(
                .error, "cannot write in \(parent.path): \(String(cString: strerror(errno))) (the output is built beside \(output.lastPathComponent), then swapped in); the previous output is untouched",
                path: nil)
        }
        let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).tmp-\(token)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            let folders = Set(files.map { ($0.path as NSString).deletingLastPathComponent }).sorted()
            for folder in folders where !folder.isEmpty {
                try manager.createDirectory(at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            // Paths as strings: a `URL` per file was a tenth of writing.
            let stagingPath = staging.path
            let failures = files.concurrentMap { file -> String? in
                let target = stagingPath + "/" + file.path
                do {
                    switch file.contents {
                    case .data(let data): try Self.writeFile(data, toPath: target)
                    case .copy(let source): try manager.copyItem(atPath: source.path, toPath: target)
                    case .kept(let path), .unchanged(let path): try manager.copyItem(atPath: path, toPath: target)
                    }
                    return nil
                } catch {
                    return "cannot write \(file.path): \(Self.reason(error))"
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first {
                throw WriteFailure(message: failure)
            }
            try Data().write(to: staging.appendingPathComponent(Self.markerName))
        } catch {
            try? manager.removeItem(at: staging)
            let message = (error as? WriteFailure)?.message ?? Self.reason(error)
            return Diagnostic(.error, "\(message); the previous output is untouched", path: nil)
        }
        return swap(in: staging, token: token)
    }

    /// A plain write: Foundation's `Data.write` syncs every file to disk, which made
    /// writing thousands of pages slower than rendering them.
    static func writeFile(_ data: some ContiguousBytes, toPath path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw WriteFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else {
                    throw WriteFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// The system's own words for a failure (`No space left on device`), where Foundation
    /// has wrapped them in its own (`The operation could not be completed…`).
    static func reason(_ error: Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey]
        if let posix = underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let nested = underlying as? NSError, nested.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nested.code))) }
        let cocoa = error as NSError
        if cocoa.domain == NSCocoaErrorDomain {
            switch cocoa.code {
            case CocoaError.fileWriteOutOfSpace.rawValue: return String(cString: strerror(ENOSPC))
            case CocoaError.fileWriteNoPermission.rawValue, CocoaError.fileReadNoPermission.rawValue: return String(cString: strerror(EACCES))
            case CocoaError.fileWriteVolumeReadOnly.rawValue: return String(cString: strerror(EROFS))
            default: break
            }
        }
        return error.localizedDescription
    }

    /// Refuses to replace a folder that this tool did not create (a user who types
    /// `--output ~` loses nothing).
    private func checkReplaceable() -> Diagnostic? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else {
            return Diagnostic(.error, "output \(output.path) is a file, not a folder; refusing to replace it", path: nil)
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        if contents.isEmpty || contents.contains(Self.markerName) { return nil }
        return Diagnostic(
            .error,
            "output folder \(output.path) is not empty and was not created by bulletin; refusing to replace it (choose another --output or empty it)",
            path: nil)
    }

    /// Removes the staging and retired folders that builds killed mid-way left beside
    /// the output (`.output.tmp-<pid>-…`, `.output.old-<pid>-…`), once their process is gone.
    private func removeLeftovers() {
        let parent = output.deletingLastPathComponent()
        let prefixes = [".\(output.lastPathComponent).tmp-", ".\(output.lastPathComponent).old-"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] {
            guard let prefix = prefixes.first(where: { name.hasPrefix($0) }),
                let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }),
                pid != getpid(), kill(pid, 0) == -1, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// `renameat2(2)` with `RENAME_EXCHANGE`: swaps two folders in one step, so that no
    /// moment exists without an output. Looked up at run time (glibc 2.28, Linux 3.15);
    /// `nil` where it is missing.
    private static let exchange: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
    }()

    private func swap(in staging: URL, token: String) -> Diagnostic? {
        let manager = FileManager.default
        let renameExchange: UInt32 = 1 << 1
        if manager.fileExists(atPath: output.path), let exchange = Self.exchange,
            exchange(AT_FDCWD, staging.path, AT_FDCWD, output.path, renameExchange) == 0
        {
            // The staging folder now holds the previous output.
            try? manager.removeItem(at: staging)
            return nil
        }
        let retired = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(token)")
        let hadOutput = manager.fileExists(atPath: output.path)
        do {
            if hadOutput { try manager.moveItem(at: output, to: retired) }
            do {
                try manager.moveItem(at: staging, to: output)
            } catch {
                if hadOutput { try? manager.moveItem(at: retired, to: output) }
                throw error
            }
        } catch {
            try? manager.removeItem(at: staging)
            return Diagnostic(.error, "cannot replace \(output.path): \(error.localizedDescription)", path: nil)
        }
        if hadOutput { try? manager.removeItem(at: retired) }
        return nil
    }
}

private struct WriteFailure: Error {
    let message: String
}

extension OutputWriter {
    /// Brings the output folder up to date in place, for a build with a cache: each file
    /// whose bytes (or, for a copy, whose source) changed since the last build is written
    /// beside its old self and renamed over it, so that a reader never gets half a page;
    /// files no longer made are removed. Writing every file again took longer than
    /// rendering the one article that changed.
    ///
    /// An output the cache knows nothing of (none yet, or not one this tool made) is
    /// written whole by `write`, and so is one where a file cannot be replaced in place
    /// (a file of the last build where a folder now goes). If that fails too, the output
    /// is a mix of old and new files, each whole; the cache is not saved, and the next
    /// build rewrites what differs.
    ///
    /// Returns the paths written or removed, or nil when the whole folder was written.
    func update(_ files: [OutputFile], cache: BuildCache) -> Result<Set<String>?, Diagnostic> {
        var isDirectory: ObjCBool = false
        guard !cache.isEmpty, FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.fileExists(atPath: output.appendingPathComponent(Self.markerName).path)
        else { return write(files).map { .failure($0) } ?? .success(nil) }
        let manager = FileManager.default
        let token = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let changed = files.filter { file in
            switch file.contents {
            case .unchanged: false
            // A copy of an image holds what its name says: there, it is as it should be.
            case .kept: cache.foundStamp(of: file.path) == nil
            case .data, .copy: cache.writtenDigest(of: file.path) != Self.digest(of: file.contents)
            }
        }
        let folders = Set(changed.map { ($0.path as NSString).deletingLastPathComponent }).filter { !$0.isEmpty }
        for folder in folders.sorted() {
            try? manager.createDirectory(at: output.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let failures = changed.concurrentMap { file -> String? in
            let target = output.appendingPathComponent(file.path)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).tmp-\(token)")
            do {
                switch file.contents {
                case .data(let data): try Self.writeFile(data, toPath: temporary.path)
                case .copy(let source): try manager.copyItem(at: source, to: temporary)
                case .kept(let path): try manager.copyItem(atPath: path, toPath: temporary.path)
                case .unchanged: return nil
                }
                guard rename(temporary.path, target.path) == 0 else {
                    throw WriteFailure(message: "cannot write \(file.path): \(String(cString: strerror(errno)))")
                }
                return nil
            } catch {
                try? manager.removeItem(at: temporary)
                return (error as? WriteFailure)?.message ?? "cannot write \(file.path): \(Self.reason(error))"
            }
        }
        if failures.contains(where: { $0 != nil }) {
            return write(files).map { .failure($0) } ?? .success(nil)
        }
        // Files no longer made, then the folders they leave empty, deepest first.
        let stray = cache.strayOutputs(keeping: files)
        for path in stray { unlink(output.appendingPathComponent(path).path) }
        let emptied = Set(stray.flatMap { path in
            var parents: [String] = []
            var folder = (path as NSString).deletingLastPathComponent
            while !folder.isEmpty {
                parents.append(folder)
                folder = (folder as NSString).deletingLastPathComponent
            }
            return parents
        })
        for folder in emptied.sorted(by: { $0.count > $1.count }) { rmdir(output.appendingPathComponent(folder).path) }
        return .success(Set(changed.map(\.path)).union(stray))
    }

    /// The output folder as written, for the next build's cache: `touched` names the files
    /// written or removed (nil: the whole folder was written); the others are as the cache
    /// found them. With them, the output's folders as the next build may trust them (see
    /// `FolderListings`), and the copies of images, which have no record each.
    func records(
        of files: [OutputFile], cache: BuildCache, touched: Set<String>?
    ) -> (files: [BuildCache.OutputRecord], folders: [ListedFolder], copies: BuildCache.Copies) {
        let folders = FolderListings(root: output.path)
        let listed = touched == nil ? BuildCache.listing(of: folders) : [:]
        let root = output.path + "/"
        let records = files.concurrentMap { file -> BuildCache.OutputRecord? in
            let found: FileStamp?
            if case .kept = file.contents {
                return nil
            } else if case .unchanged = file.contents, let touched, !touched.contains(file.path) {
                // Left as the last build wrote it: its record, with the stamp found.
                return cache.intactRecord(of: file.path)
            } else if let touched, !touched.contains(file.path) {
                found = cache.foundStamp(of: file.path)
            } else if touched != nil {
                var info = stat()
                found = lstat(root + file.path, &info) == 0 ? FileStamp(info) : nil
            } else {
                found = listed[file.path]
            }
            guard let stamp = found else { return nil }
            let digest: UInt64? =
                switch file.contents {
                case .unchanged: cache.writtenDigest(of: file.path)
                case .data, .copy: Self.digest(of: file.contents)
                case .kept: nil
                }
            return digest.map { BuildCache.OutputRecord(path: file.path, stamp: stamp, digest: $0) }
        }.compactMap { $0 }
        var copies = BuildCache.Copies()
        for file in files { if case .kept = file.contents { copies.add(file.path) } }
        guard let touched else { return (records, folders.records(), copies) }
        return (records, cache.outputFolders(untouchedBy: touched), copies)
    }

    /// Of the bytes to write, or of what `lstat` says of the file to copy (none of a copy
    /// of an image, which has no record).
    private static func digest(of contents: OutputFile.Contents) -> UInt64? {
        switch contents {
        case .data(let data): return StableHasher.hash(data)
        case .copy(let source):
            var info = stat()
            guard lstat(source.path, &info) == 0 else { return nil }
            var hasher = StableHasher()
            hasher.combine(source.path)
            FileStamp(info).combine(into: &hasher)
            return hasher.finalize()
        case .kept, .unchanged: return nil
        }
    }
}
