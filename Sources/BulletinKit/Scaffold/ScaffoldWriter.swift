import Foundation

/// A file that `bulletin new` or `bulletin init` creates, by path relative to the site root.
public struct ScaffoldFile: Sendable, Hashable {
    /// `/`-separated, relative to the folder the files are written into.
    public var path: String
    public var contents: Data

    public init(path: String, contents: Data) {
        self.path = path
        self.contents = contents
    }

    init(path: String, text: String) {
        self.init(path: path, contents: Data(text.utf8))
    }

    public var text: String { String(decoding: contents, as: UTF8.self) }
}

/// Why a scaffold was not created. Nothing has been written when one is returned.
public struct ScaffoldError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Writes scaffold files, never over an existing file: every target is checked before
/// the first byte is written, each file is created exclusively, and a failure half-way
/// removes what this writer created, so that an error leaves the disk as it was.
public struct ScaffoldWriter: Sendable {
    public let root: URL
    /// How `root` is named in messages: as the user typed it (`.`, `../lettre`).
    public let rootName: String

    public init(root: URL, rootName: String? = nil) {
        self.root = root
        self.rootName = rootName ?? root.path
    }

    /// A path under `root` as messages show it.
    public func displayPath(_ path: String) -> String {
        let trimmed = rootName.hasSuffix("/") ? String(rootName.dropLast()) : rootName
        if path.isEmpty { return trimmed.isEmpty ? "." : trimmed }
        return trimmed == "." || trimmed.isEmpty ? path : trimmed + "/" + path
    }

    /// Entries that do not make a folder "non-empty" for `init`: a fresh `git init` or
    /// Finder's metadata.
    static let ignorableEntries: Set<String> = [".git", ".DS_Store"]

    /// Writes files into an existing site. Fails when any of them exists.
    public func write(_ files: [ScaffoldFile]) -> Result<[URL], ScaffoldError> {
        for file in files where FileManager.default.fileExists(atPath: url(of: file).path) {
            return .failure(ScaffoldError("\(displayPath(file.path)) already exists; nothing was written"))
        }
        var created: [URL] = []
        var createdFolders: [URL] = []
        for file in files {
            let url = url(of: file)
            do {
                createdFolders += try createFolders(for: url.deletingLastPathComponent())
                // `.withoutOverwriting` opens with O_EXCL: a file created meanwhile is not replaced.
                try file.contents.write(to: url, options: .withoutOverwriting)
                created.append(url)
            } catch {
                rollBack(files: created, folders: createdFolders)
                return .failure(ScaffoldError("cannot write \(displayPath(file.path)): \(reason(error)); nothing was written"))
            }
        }
        return .success(created)
    }

    /// Writes a new site: `root` must not exist, or be an empty folder (a `.git` folder
    /// alone is allowed). Fails without touching anything otherwise.
    public func writeNewSite(_ files: [ScaffoldFile]) -> Result<[URL], ScaffoldError> {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue {
            return .failure(ScaffoldError("\(displayPath("")) is a file, not a folder; nothing was written"))
        }
        if exists {
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: root.path)
            } catch {
                return .failure(ScaffoldError("cannot read \(displayPath("")): \(reason(error))"))
            }
            let others = entries.filter { !Self.ignorableEntries.contains($0) }.sorted()
            if !others.isEmpty {
                let shown = others.prefix(3).joined(separator: ", ") + (others.count > 3 ? ", …" : "")
                return .failure(ScaffoldError(
                    "\(displayPath("")) is not empty (\(shown)); choose a new or empty folder. Nothing was written"))
            }
        }
        let createdRoot: [URL]
        do {
            createdRoot = try createFolders(for: root)
        } catch {
            return .failure(ScaffoldError("cannot create \(displayPath("")): \(reason(error))"))
        }
        let result = write(files)
        if case .failure = result { rollBack(files: [], folders: createdRoot) }
        return result
    }

    private func url(of file: ScaffoldFile) -> URL {
        root.appendingPathComponent(file.path)
    }

    /// Creates a folder and its missing parents; returns those it created, outermost first.
    private func createFolders(for folder: URL) throws -> [URL] {
        var missing: [URL] = []
        var current = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: current.path), current.path != "/" {
            missing.insert(current, at: 0)
            current = current.deletingLastPathComponent()
        }
        for url in missing {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        }
        return missing
    }

    private func rollBack(files: [URL], folders: [URL]) {
        for url in files.reversed() { try? FileManager.default.removeItem(at: url) }
        for url in folders.reversed() {
            // Only folders this writer created, and only when still empty.
            if (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    private func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            let posix = POSIXErrorCode(rawValue: Int32(underlying.code)), underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(posix.rawValue))
        }
        return nsError.localizedDescription
    }
}
