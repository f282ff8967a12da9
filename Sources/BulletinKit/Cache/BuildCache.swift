import Foundation
import Synchronization

/// What the last successful `build` of a site left for the next one, on disk
/// (`<source>/.bulletin-cache/build.cache` unless `--cache` says otherwise): each issue
/// folder's files as they were, its issue as parsed and rendered, the key of its output
/// files, and every file of the output folder as it was written.
///
/// A warm build then
/// - reads and parses again only the issue folders whose files changed (by `lstat` stamp,
///   then by content: a fresh clone of the same files is a hit), and those whose links
///   lead to one of them;
/// - renders again only the outputs whose key changed: the same keys as `serve`'s, made of
///   the content, the settings and what each page shows of other issues;
/// - writes into the output folder only the files that changed, each replaced whole, and
///   removes those no longer made.
///
/// Everything is keyed by content and by the binary's build id, never by time: the cache
/// is safe to delete, and a cache from another version is ignored. A build that fails
/// leaves it as it was, with the output.
final class BuildCache: Sendable {
    static let fileName = "build.cache"
    private static let magic = Array("BULLETIN-BUILD-CACHE-3\n".utf8)

    let folder: URL
    /// `<folder>/issues/`: one file per issue, named by its digest (see `record`).
    private let issuesFolder: String
    let output: URL
    /// For `check`: the cache is read, never written.
    let readOnly: Bool
    /// What the last build left, when this binary made it.
    private let previous: Snapshot?
    /// Every file of the output folder as found, by path relative to it. Listed on
    /// another thread while the build loads the site: pages are the first to need it.
    private var found: [String: FileStamp] { outputListing.found }
    private let outputListing: OutputListing
    /// The folders of the site and of the output as the last build listed them.
    let sourceFolders: FolderListings
    private var outputFolders: FolderListings { outputListing.folders }
    // The previous build's records, by folder name, issue slug and output path.
    private let previousFolders: [String: FolderRecord]
    private let previousSlugs: [String: String]
    private var previousOutputs: [String: OutputRecord] { outputListing.previous }
    private let previousPages: [String: Int]
    /// The bytes of the index the last build wrote (a guess of the next one's).
    private let previousIndexSize: Int
    private let state = Mutex(State())
    /// Each issue's are asked for by its own pages and both its neighbours'.
    let listedKeys = ListedKeysMemo()

    private struct State {
        var folders: [String: FolderRecord] = [:]
        var renderKeys: [String: (key: Int, outputs: [String], email: EmailCheck)] = [:]
        var pages: [String: Int] = [:]
        var hits = 0
        /// Issues rendered in this build (their files are written as they are made).
        var recorded = 0
        var madeIssueFolder = false
        var lostIssues = false
        /// Files rendered again in this build.
        var rendered = 0
        /// Output files whose stamp changed, by whether their bytes are those recorded.
        var verified: [String: Bool] = [:]
        /// A folder's record took new stamps.
        var restamped = false
        /// The theme's templates came from the cache.
        var templatesRead = false
    }

    // MARK: Records

    struct Snapshot {
        var binary: String
        /// What the rendering of every body depends on besides the files: the typography,
        /// the theme's labels, `unsafe_html`, the paths under `static/`.
        var contentSettings: UInt64
        /// The fingerprint of the theme, whose templates parsed without an error.
        var theme: UInt64
        var folders: [FolderRecord]
        var pages: [PageRecord]
        /// The encoded `OutputSnapshot`, decoded on the thread that lists the output
        /// while the site is read (decoded first, it held up the start of every build by
        /// 5 to 10 ms).
        var output: [UInt8]
        var sourceFolders: [ListedFolder]
        var summary: Summary
    }

    /// The output folder as a build left it.
    struct OutputSnapshot {
        /// Every file but the copies of images.
        var files: [OutputRecord]
        var folders: [ListedFolder]
        /// The copies of images (`Recipe.isCopyName`), which have no record each: a copy
        /// holds what its name says, and is trusted while its folder is unchanged. The 700
        /// copies of 100 photos cost a warm build more in records than in anything else.
        var copies = Copies()
    }

    /// How many copies of images the output has, and the sum of their paths' digests.
    struct Copies: Sendable, Equatable {
        var count = 0
        var digest: UInt64 = 0

        mutating func add(_ path: String) {
            var hasher = StableHasher()
            hasher.combine(path)
            count += 1
            digest &+= hasher.finalize()
        }
    }

    /// What a build said and made, said again by the next one if it finds every input and
    /// every output as this one left them.
    struct Summary: Sendable, Equatable {
        /// Of everything besides the issue folders that the output depends on: `site.yml`,
        /// the theme's and `static/`'s files, the options, the day (see `Builder.inputs`).
        var inputs: UInt64
        var diagnostics: [Diagnostic]
        var issueCount: Int
        var pageCount: Int
        var fileCount: Int
        var largestEmail: String?
        var largestEmailBytes: Int
        /// Sets of pages (an issue's, or a site page) the build had.
        var pageSets: Int
    }

    struct FolderRecord: Sendable {
        var name: String
        var files: [StampedFile]
        var symbolicLinks: [String]
        /// Paths and Markdown texts of the folder: the same digest, the same parse.
        var digest: UInt64
        var loadDiagnostics: [Diagnostic]
        /// Said while parsing it and rendering its bodies.
        var diagnostics: [Diagnostic]
        /// The digest of the issue with its bodies rendered, as encoded in
        /// `issues/<digest>`: the issue's content key.
        var contentDigest: UInt64
        var anchors: [ContentRenderer.AnchorCheck]
        /// The folders (and `/static`) whose parse the answers to its links depend on.
        var dependencies: [String]
        /// Whether the issue was published (links to it are checked against that).
        var published: Bool
        var renderKey: Int?
        var outputs: [String]
        /// What the preflight found and measured in the e-mail among `outputs`.
        var email: EmailCheck
    }

    struct StampedFile: Sendable {
        var path: String
        var stamp: FileStamp
        var imageSize: ImageSize?
    }

    struct PageRecord {
        var path: String
        var key: Int
    }

    struct OutputRecord: Sendable {
        var path: String
        var stamp: FileStamp
        /// Of the bytes written, or of the stamp of the file copied.
        var digest: UInt64
    }

    // MARK: Opening

    /// The cache in `folder` for building the site in `source` into `output`; empty when
    /// there is none yet, when it cannot be read or was made by another binary, or when
    /// `fresh` says to start a new one.
    init(folder: URL, source: URL, output: URL, fresh: Bool = false, readOnly: Bool = false) {
        self.folder = folder
        issuesFolder = folder.path + "/issues/"
        self.output = output
        self.readOnly = readOnly
        let indexFile = folder.appendingPathComponent(Self.fileName)
        let exists = !fresh && access(indexFile.path, R_OK) == 0
        var snapshot: Snapshot?
        var size = 0
        if exists, let data = try? Data(contentsOf: indexFile, options: .alwaysMapped) {
            snapshot = data.withUnsafeBytes { Self.snapshot(from: $0) }
            size = data.count
        }
        previousIndexSize = size
        // Paths are relative in it: a cache moved with its site (a clone elsewhere) serves.
        if snapshot?.binary != Self.binaryIdentity { snapshot = nil }
        previous = snapshot
        sourceFolders = FolderListings(root: source.path, previous: snapshot?.sourceFolders ?? [], keepsStamps: true)
        outputListing = OutputListing(of: output, snapshot: snapshot?.output)
        func index<Record, Key: Hashable>(_ records: [Record]?, by key: (Record) -> Key) -> [Key: Record] {
            Dictionary((records ?? []).map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        }
        previousFolders = index(snapshot?.folders, by: \.name)
        previousSlugs = index(snapshot?.folders, by: { Slug.make($0.name) }).mapValues(\.name)
        previousPages = index(snapshot?.pages, by: \.path).mapValues(\.key)
    }

    var isEmpty: Bool { previous == nil }

    /// The index file's bytes: the magic line, the digest of the snapshot, the snapshot.
    /// Checked whole when read: damaged bytes could still decode, as a message that was
    /// never said (a fuzzed cache once made a build replay one).
    private static func index(_ snapshot: Snapshot, capacity: Int) -> [UInt8] {
        sealed(magic, capacity: capacity) { snapshot.write(to: $0) }
    }

    private static func snapshot(from bytes: UnsafeRawBufferPointer) -> Snapshot? {
        unsealed(bytes, magic) { try? BinaryCoding.decode(Snapshot.self, from: $0) }
    }

    /// `magic`, the digest of what `write` writes, then what it writes.
    static func sealed(_ magic: [UInt8], capacity: Int = 0, _ write: (BinaryCoding.Sink) -> Void) -> [UInt8] {
        let sink = BinaryCoding.Sink()
        sink.bytes.reserveCapacity(capacity)
        sink.bytes += magic
        sink.bytes += repeatElement(0, count: 8)
        write(sink)
        let start = magic.count + 8
        let digest = sink.bytes.withUnsafeBytes { StableHasher.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        withUnsafeBytes(of: digest.littleEndian) { sink.bytes.replaceSubrange(magic.count..<start, with: $0) }
        return sink.bytes
    }

    /// What `sealed` wrapped, read by `read`, when the magic and the digest are right
    /// (the digest is not computed again when `checked` says the bytes were, with others).
    static func unsealed<Value>(
        _ bytes: UnsafeRawBufferPointer, _ magic: [UInt8], checked: Bool = false, _ read: (UnsafeRawBufferPointer) -> Value?
    ) -> Value? {
        let start = magic.count + 8
        guard bytes.count >= start, bytes.starts(with: magic) else { return nil }
        let digest = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: magic.count, as: UInt64.self))
        let encoded = UnsafeRawBufferPointer(rebasing: bytes[start...])
        guard checked || StableHasher.hash(encoded) == digest else { return nil }
        return read(encoded)
    }

    /// Why `folder` cannot hold the cache of a build of `source` into `output`: a folder
    /// each build replaces or publishes, or one that holds other files (`--cache ~`: the
    /// cache removes the files of its `issues/` that it no longer names).
    static func refusal(of folder: URL, source: URL, output: URL) -> String? {
        func resolved(_ url: URL) -> String { url.standardizedFileURL.resolvingSymlinksInPath().path + "/" }
        let cache = resolved(folder), site = resolved(source), out = resolved(output)
        if cache.hasPrefix(out) { return "the cache folder is inside the output folder, which a build replaces: choose one outside it" }
        if site.hasPrefix(cache) || out.hasPrefix(cache) {
            return "the cache folder holds the site or its output: choose a folder of its own (the default is <source>/.bulletin-cache)"
        }
        if let published = ["static", "issues", "themes"].first(where: { cache.hasPrefix(site + $0 + "/") }) {
            return "the cache folder is inside \(published)/, which the build reads: choose a folder outside it"
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        if !contents.isEmpty, !contents.contains(fileName), !contents.contains("issues") {
            return "\(folder.path) is not empty and holds no Bulletin cache; refusing to write one there (choose another --cache)"
        }
        return nil
    }

    /// The fingerprint of the theme the last build parsed without an error.
    var themeFingerprint: UInt64? { previous?.theme }

    // MARK: Templates

    private static let templatesMagic = Array("BULLETIN-TEMPLATES-1\n".utf8)

    /// The templates of the theme with this fingerprint, as a build of this binary parsed
    /// them; nil when the cache has none, or another theme's.
    func templates(fingerprint: UInt64) -> [String: Template]? {
        guard let bytes = Self.read(templatesFile.path) else { return nil }
        let templates = bytes.withUnsafeBytes { bytes in
            Self.unsealed(bytes, Self.templatesMagic) { encoded -> [String: Template]? in
                let source = BinaryCoding.Source(encoded)
                guard (try? source.string()) == Self.binaryIdentity, (try? source.varint()) == fingerprint,
                    let count = try? source.length()
                else { return nil }
                var templates: [String: Template] = [:]
                for _ in 0..<count {
                    guard let name = try? source.string(), let template = try? Template(reading: source) else { return nil }
                    templates[name] = template
                }
                return source.offset == encoded.count ? templates : nil
            }
        }
        if templates != nil { state.withLock { $0.templatesRead = true } }
        return templates
    }

    private var templatesFile: URL { folder.appendingPathComponent("templates") }

    /// Keeps the templates of the theme with this fingerprint for the next build, unless
    /// they were read from the cache in this one.
    func keep(templates: [String: Template], fingerprint: UInt64) {
        guard !readOnly, !state.withLock({ $0.templatesRead }) else { return }
        let bytes = Self.sealed(Self.templatesMagic) { sink in
            sink.string(Self.binaryIdentity)
            sink.varint(fingerprint)
            sink.varint(UInt64(templates.count))
            for (name, template) in templates.sorted(by: { $0.key < $1.key }) {
                sink.string(name)
                template.write(to: sink)
            }
        }
        _ = Self.replace(templatesFile, with: bytes)
    }

    /// The build id the linker gave the running binary (or, without one, its size and
    /// date), and whether it makes copies of images (`Recipe.processesImages`): a cache is
    /// read only by the binary that wrote it, working the same way.
    static let binaryIdentity: String = {
        var info = stat()
        let fallback = stat("/proc/self/exe", &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)" : "unknown"
        return (BuildID.ofMainProgram() ?? fallback) + (Recipe.processesImages ? "" : "+unprocessed-images")
    }()

    // MARK: Load and parse

    /// The record of an issue folder whose files have the stamps they had at the last build.
    func unchangedFolder(_ name: String, files: [String: FileStamp], symbolicLinks: [String]) -> FolderRecord? {
        guard let record = previousFolders[name], record.files.count == files.count,
            record.symbolicLinks == symbolicLinks,
            record.files.allSatisfy({ files[$0.path] == $0.stamp })
        else { return nil }
        return record
    }

    /// The record of a folder read again whose paths and Markdown texts are those of the
    /// last build (a fresh clone: new stamps, same files).
    func sameFolder(_ folder: IssueFolder) -> FolderRecord? {
        guard let record = previousFolders[folder.name], record.digest == Self.digest(of: folder) else { return nil }
        return record
    }

    /// The folders whose content may differ from the last build's: all when the settings
    /// every body depends on changed; else those changed, added, removed or published (or
    /// no longer), and those whose links lead to one of them. `published` tells, for
    /// each folder found unchanged, whether its issue is published in this build.
    func foldersToRender(_ folders: [IssueFolder], published: [String: Bool], contentSettings: UInt64) -> Set<String> {
        let all = Set(folders.map(\.name))
        guard let previous, previous.contentSettings == contentSettings else { return all }
        var changed = all.filter { name in published[name].map { $0 != previousFolders[name]?.published } ?? true }
        changed.formUnion(previous.folders.map(\.name).filter { !all.contains($0) })
        var render = all.intersection(changed)
        for name in published.keys where !(previousFolders[name]?.dependencies.allSatisfy { !changed.contains($0) } ?? false) {
            render.insert(name)
        }
        return render
    }

    /// The record of a folder, as the last build left it.
    func record(named name: String) -> FolderRecord? { previousFolders[name] }

    /// A record with the stamps and what reading said of a folder read again and found the
    /// same: the next build need not read it.
    func restamped(_ record: FolderRecord, from folder: IssueFolder) -> FolderRecord {
        var record = record
        record.files = stampedFiles(of: folder)
        record.symbolicLinks = folder.symbolicLinks
        record.loadDiagnostics = folder.loadDiagnostics
        state.withLock { $0.restamped = true }
        return record
    }

    /// A stamp too recent to vouch for its file (see `FileStamp.isRacy`) is recorded as
    /// none: the next build reads the folder and compares its texts.
    private func stampedFiles(of folder: IssueFolder) -> [StampedFile] {
        folder.stamps.sorted { $0.key < $1.key }.map { path, stamp in
            StampedFile(path: path, stamp: stamp.isRacy(before: sourceFolders.startedAt) ? .none : stamp, imageSize: folder.imageSizes[path])
        }
    }

    /// An issue as the last build rendered it, without its bodies' HTML (`complete`
    /// adds it, for the pages made again) or Markdown (see `ContentRenderer.bodyText`):
    /// lists and keys need neither, and decoding them was a third of a warm build.
    ///
    /// The issue is checked against its own digest (see `record`): the file's name is the
    /// digest of all of it, which would mean reading the bodies too.
    func renderedIssue(_ record: FolderRecord) -> Issue? {
        // Its length and digest come first, then the issue, then its bodies, which are not read here.
        let file = issueFile(record.contentDigest)
        guard let head = Self.read(file, upTo: 1 << 14), let source = try? head.withUnsafeBytes({ bytes in
            let source = BinaryCoding.Source(bytes)
            // Read as a number: the head may end before the issue does.
            return (length: try source.varint(), start: source.offset + 8)
        }), source.length < 1 << 30 else { return nil }
        let end = source.start + Int(source.length)
        let data = end <= head.count ? head : Self.read(file, upTo: end)
        guard let data, end <= data.count else { return nil }
        return data.withUnsafeBytes { bytes -> Issue? in
            let issue = UnsafeRawBufferPointer(rebasing: bytes[source.start..<end])
            let digest = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: source.start - 8, as: UInt64.self))
            guard StableHasher.hash(issue) == digest else { return nil }
            return try? BinaryCoding.decode(Issue.self, from: issue)
        }
    }

    /// The issue with the HTML of its bodies, as the last build rendered it; if its file
    /// is gone, the issue as it is, and `lostIssues` tells the build to start again.
    func complete(_ issue: Issue, digest: UInt64) -> Issue {
        if let complete = completed(issue, digest: digest) { return complete }
        state.withLock { $0.lostIssues = true }
        return issue
    }

    /// Whether an issue taken from the cache could not be completed.
    var lostIssues: Bool { state.withLock { $0.lostIssues } }

    private func completed(_ issue: Issue, digest: UInt64) -> Issue? {
        // Checked whole: damaged bytes could still decode, as text that was never written.
        guard let data = Self.read(issueFile(digest)), StableHasher.hash(data) == digest else { return nil }
        return try? data.withUnsafeBytes { bytes -> Issue? in
            let source = BinaryCoding.Source(bytes)
            let length = try source.length()
            let start = source.offset + 8 + length
            guard start <= bytes.count else { return nil }
            let bodies = try BinaryCoding.decode([RenderedMarkdown].self, from: UnsafeRawBufferPointer(rebasing: bytes[start...]))
            guard bodies.count == 1 + issue.articles.count + issue.briefs.count else { return nil }
            var issue = issue
            issue.setBodies(bodies)
            return issue
        }
    }

    /// The first `count` bytes of a file (fewer if it is shorter), or all of it. Read into
    /// memory left uninitialised: zeroing 16 KB for each of 500 issue heads showed in a
    /// warm build's profile, and so did making a URL for each.
    static func read(_ path: String, upTo limit: Int? = nil) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var count = limit ?? 0
        if limit == nil {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return nil }
            count = Int(info.st_size)
        }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                let got = Glibc.read(descriptor, buffer.baseAddress! + initialized, count - initialized)
                if got < 0, errno == EINTR { continue }
                if got < 0 { failed = true }
                if got <= 0 { break }
                initialized += got
            }
        }
        return failed ? nil : bytes
    }

    private func issueFile(_ digest: UInt64) -> String {
        issuesFolder + String(digest, radix: 16)
    }

    func keep(_ record: FolderRecord) {
        state.withLock { $0.folders[record.name] = record }
    }

    /// Records an issue as rendered in this build.
    func record(
        _ folder: IssueFolder,
        issue: Issue, published: Bool, diagnostics: [Diagnostic], anchors: [ContentRenderer.AnchorCheck], dependencies: Set<String>
    ) -> UInt64? {
        // Stored rendered: the Markdown is what the folder's digest stands for, and the
        // files' stamps would make the same issue differ in a fresh clone. The bodies come
        // after the rest, to be read only when a page needs it; the rest, after its length
        // and its own digest, is what lists and keys read (`renderedIssue`).
        var light = issue
        light.update { fields in
            func strip(_ source: inout MarkdownSource) {
                source.text = ""
                source.stamp = nil
            }
            strip(&fields.source)
            for index in fields.articles.indices { strip(&fields.articles[index].source) }
            for index in fields.briefs.indices { strip(&fields.briefs[index].source) }
        }
        let bodies = light.takeBodies()
        let head = BinaryCoding.encode(light)
        let tail = BinaryCoding.encode(bodies)
        let sink = BinaryCoding.Sink()
        sink.varint(UInt64(head.count))
        withUnsafeBytes(of: StableHasher.hash(head).littleEndian) { sink.bytes += $0 }
        sink.bytes += head
        sink.bytes += tail
        let encoded = sink.bytes
        let digest = StableHasher.hash(encoded)
        // Written now, not kept for the end: holding every issue encoded added a sixth to
        // the peak memory of a cold build. A file already there is kept if it has these
        // bytes: a damaged one would otherwise stay, and its folder be read at every build.
        let file = issueFile(digest)
        if !readOnly, Self.read(file).map({ StableHasher.hash($0) != digest }) ?? true {
            if !state.withLock({ $0.madeIssueFolder }) {
                try? FileManager.default.createDirectory(atPath: issuesFolder, withIntermediateDirectories: true)
                state.withLock { $0.madeIssueFolder = true }
            }
            guard Self.replace(URL(fileURLWithPath: file), with: encoded) else { return nil }
        }
        state.withLock { $0.recorded += 1 }
        let record = FolderRecord(
            name: folder.name,
            files: stampedFiles(of: folder),
            symbolicLinks: folder.symbolicLinks, digest: Self.digest(of: folder), loadDiagnostics: folder.loadDiagnostics,
            diagnostics: diagnostics, contentDigest: digest, anchors: anchors,
            dependencies: dependencies.sorted(), published: published, renderKey: nil, outputs: [], email: EmailCheck())
        keep(record)
        return digest
    }

    /// Paths and Markdown texts of a folder, in a stable order.
    static func digest(of folder: IssueFolder) -> UInt64 {
        var hasher = StableHasher()
        for path in folder.files.sorted() { hasher.combine(path) }
        for file in [folder.issueFile].compactMap({ $0 }) + folder.articles + folder.briefs {
            hasher.combine(file.path)
            hasher.combine(StableHasher.hash(file.data))
        }
        return hasher.finalize()
    }

    // MARK: Render

    /// Whether the output file at `path` is as the last build wrote it: the same stamp,
    /// else the same bytes (an output folder restored by CI with the cache has new stamps).
    private func isIntact(_ path: String) -> Bool { intactRecord(of: path) != nil }

    /// The record of the output file at `path` with the stamp found now, when the file is
    /// as the last build wrote it (see `isIntact`).
    func intactRecord(of path: String) -> OutputRecord? {
        guard let stamp = found[path], var record = previousOutputs[path] else { return nil }
        if record.stamp != stamp {
            let same = state.withLock({ $0.verified[path] }) ?? {
                let same = FileManager.default.contents(atPath: output.path + "/" + path).map { StableHasher.hash($0) == record.digest } ?? false
                state.withLock { $0.verified[path] = same }
                return same
            }()
            guard same else { return nil }
            record.stamp = stamp
        }
        return record
    }

    private func unchanged(_ path: String) -> OutputFile {
        OutputFile(path: path, contents: .unchanged(path: output.path + "/" + path))
    }

    /// How many issues and site pages were left as the last build wrote them.
    var renderHits: Int { state.withLock { $0.hits } }

    // MARK: Write

    /// What the in-place writer needs to know of a file already in the output: nil when
    /// the file is not as the last build wrote it.
    func writtenDigest(of path: String) -> UInt64? { intactRecord(of: path)?.digest }

    /// What `lstat` said of an output file before this build wrote anything.
    func foundStamp(of path: String) -> FileStamp? { found[path] }

    /// Every output file that is no longer made, or that the last build did not write.
    func strayOutputs(keeping files: [OutputFile]) -> [String] {
        let made = Set(files.map(\.path))
        return found.keys.filter { !made.contains($0) }.sorted()
    }

    /// Whether this build found everything as the last one left it, and wrote and removed
    /// nothing (`touched`: see `OutputWriter.update`): the cache on disk is then already
    /// the one to save.
    func isUnchanged(
        contentSettings: UInt64, theme: UInt64, folders: [IssueFolder], touched: Set<String>?, summary: Summary
    ) -> Bool {
        // The summary too: a build on another day that changed nothing else saves it, or
        // every later build that day would miss `unchangedBuild`.
        guard let previous, previous.contentSettings == contentSettings, previous.theme == theme, touched?.isEmpty == true,
            previous.summary == summary,
            sourceFolders.isUnchanged, outputFolders.isUnchanged,
            state.withLock({ $0.recorded == 0 && $0.rendered == 0 && $0.verified.isEmpty && !$0.restamped }),
            folders.count == previous.folders.count, folders.allSatisfy({ previousFolders[$0.name] != nil })
        else { return false }
        return true
    }

    /// Sets of pages this build had, made again or not.
    var pageSets: Int { state.withLock { $0.renderKeys.count + $0.pages.count } }

    /// What the last build said and made, when every input (`inputs` for all but the
    /// issue folders, and each folder's files by stamp) and every output file (by stamp)
    /// is as it left them: nothing is to be parsed, rendered or written again.
    ///
    /// It then leaves a `StampManifest` for the next build, for these options (`key`) and
    /// while its day is today (`valid`), when no stamp is too recent to trust.
    func unchangedBuild(inputs: UInt64, folders: [IssueFolder], manifest: (key: UInt64, valid: Range<Int64>)) -> Summary? {
        guard let previous, previous.summary.inputs == inputs, folders.count == previousFolders.count,
            folders.allSatisfy({ !$0.isRead && previousFolders[$0.name] != nil }),
            access(output.path + "/" + OutputWriter.markerName, F_OK) == 0
        else { return nil }
        let found = found
        let previousCopies = outputListing.copies
        guard found.count == previousOutputs.count + previousCopies.count else { return nil }
        // Every file with the stamp recorded, and the copies (which have none) those the last build had.
        var copies = Copies()
        for (path, stamp) in found {
            if let record = previousOutputs[path] {
                guard record.stamp == stamp else { return nil }
            } else {
                guard Recipe.isCopyName(path) else { return nil }
                copies.add(path)
            }
        }
        guard copies == previousCopies else { return nil }
        // Folders listed again (their stamps were too recent to trust) are trusted next time.
        if !readOnly, !sourceFolders.isUnchanged || !outputFolders.isUnchanged {
            var snapshot = previous
            snapshot.sourceFolders = sourceFolders.records()
            snapshot.output = BinaryCoding.encode(
                OutputSnapshot(files: outputListing.records, folders: outputFolders.records(), copies: previousCopies), capacity: previous.output.count)
            _ = Self.replace(folder.appendingPathComponent(Self.fileName), with: Self.index(snapshot, capacity: previousIndexSize))
        }
        if !readOnly, let source = sourceFolders.stamps(), let output = outputFolders.stamps() {
            StampManifest.write(
                in: folder, key: manifest.key, valid: manifest.valid,
                said: StampManifest.Said(summary: previous.summary, folderCount: folders.count), source: source, output: output)
        }
        return previous.summary
    }

    /// Writes the cache for the next build, once the output is written. A cache that
    /// cannot be written is left out: the next build is a cold one.
    func save(
        contentSettings: UInt64, theme: UInt64, folders: [IssueFolder], outputs: [OutputRecord], outputFolders listed: [ListedFolder],
        copies: Copies, summary: Summary
    ) {
        let (records, pages) = state.withLock { state -> ([FolderRecord], [PageRecord]) in
            let folders = folders.compactMap { folder -> FolderRecord? in
                guard var record = state.folders[folder.name] else { return nil }
                if let render = state.renderKeys[folder.slug] {
                    record.renderKey = render.key
                    record.outputs = render.outputs
                    record.email = render.email
                }
                return record
            }
            return (folders, state.pages.map { PageRecord(path: $0.key, key: $0.value) }.sorted { $0.path < $1.path })
        }
        let snapshot = Snapshot(
            binary: Self.binaryIdentity, contentSettings: contentSettings,
            theme: theme, folders: records, pages: pages,
            output: BinaryCoding.encode(OutputSnapshot(files: outputs, folders: listed, copies: copies), capacity: previous?.output.count ?? 0),
            sourceFolders: sourceFolders.records(), summary: summary)
        // The issues are written (see `record`): the index that names them, then the
        // issues no record names go. A manifest of the last build's stamps goes first.
        StampManifest.remove(in: folder)
        guard Self.replace(folder.appendingPathComponent(Self.fileName), with: Self.index(snapshot, capacity: previousIndexSize)) else { return }
        let named = Set(records.map { String($0.contentDigest, radix: 16) })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: issuesFolder)) ?? [] where !named.contains(name) {
            unlink(issuesFolder + name)
        }
    }

    /// Writes `bytes` beside `file`, then renames it over: a reader never sees half of it.
    static func replace(_ file: URL, with bytes: [UInt8]) -> Bool {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
        do {
            try OutputWriter.writeFile(bytes, toPath: temporary.path)
        } catch {
            return false
        }
        guard rename(temporary.path, file.path) == 0 else {
            unlink(temporary.path)
            return false
        }
        return true
    }

    /// The output folder's folders as this build found them, but those it changed: where
    /// it wrote or removed one of `paths`, and their parents.
    func outputFolders(untouchedBy paths: some Sequence<String>) -> [ListedFolder] {
        var touched: Set<String> = []
        for path in paths {
            touched.insert("")
            var folder = Substring(path)
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                touched.insert(String(folder))
            }
        }
        return outputFolders.records(leavingOut: touched)
    }

    /// Every file under the root of `folders` (but the output's marker) with its stamp, by
    /// path relative to it; `folders` lists the folders, or vouches for them. Walked on every
    /// core below the second level. A folder vouched for is never opened: its entries are
    /// asked for relative to the root (opening each folder to ask relative to it cost more
    /// than it saved).
    static func listing(of folders: FolderListings) -> [String: FileStamp] {
        var files: [(String, FileStamp)] = []
        var deeper: [(key: String, stamp: FileStamp)] = []
        walk(key: "", stamp: nil, folders: folders, files: &files, deeper: &deeper, depth: 2)
        let nested = deeper.concurrentMap { folder -> [(String, FileStamp)] in
            var files: [(String, FileStamp)] = []
            var none: [(key: String, stamp: FileStamp)] = []
            walk(key: folder.key, stamp: folder.stamp, folders: folders, files: &files, deeper: &none, depth: .max)
            return files
        }
        var listing: [String: FileStamp] = [:]
        listing.reserveCapacity(nested.reduce(files.count) { $0 + $1.count })
        for group in [files] + nested { for (path, stamp) in group { listing[path] = stamp } }
        listing[OutputWriter.markerName] = nil
        return listing
    }

    /// The output folder as the last build left it and as this one finds it, made on
    /// another thread from the start.
    private final class OutputListing: @unchecked Sendable {
        /// The last build's records, as written and by path, and its copies.
        private var decodedRecords: [OutputRecord] = []
        private var decodedCopies = Copies()
        private var previousByPath: [String: OutputRecord] = [:]
        /// The folders, listed or vouched for.
        private var listings: FolderListings
        /// Every file found, by path.
        private var listed: [String: FileStamp] = [:]
        /// Left when the listing is made; several threads may wait on it at once.
        private let done = DispatchGroup()

        /// Without a snapshot (no cache, or one that cannot be read) nothing is listed.
        init(of output: URL, snapshot: [UInt8]?) {
            listings = FolderListings(root: output.path)
            guard let snapshot else { return }
            done.enter()
            DispatchQueue.global().async { [self] in
                if let decoded = try? BinaryCoding.decode(OutputSnapshot.self, from: snapshot) {
                    decodedRecords = decoded.files
                    decodedCopies = decoded.copies
                    previousByPath = Dictionary(decoded.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
                    listings = FolderListings(
                        root: output.path, previous: decoded.folders, keepsStamps: true, isTrustedByName: { Recipe.isCopyName($0) })
                }
                listed = BuildCache.listing(of: listings)
                done.leave()
            }
        }

        // Each waits for the listing the first time.
        var records: [OutputRecord] { done.wait(); return decodedRecords }
        var copies: Copies { done.wait(); return decodedCopies }
        var previous: [String: OutputRecord] { done.wait(); return previousByPath }
        var folders: FolderListings { done.wait(); return listings }
        var found: [String: FileStamp] { done.wait(); return listed }
    }

    /// Lists the folder `key` under the root of `folders`. Below `depth` levels, its
    /// subfolders are handed back in `deeper` instead of walked.
    private static func walk(
        key: String, stamp: FileStamp?, folders: FolderListings, files: inout [(String, FileStamp)],
        deeper: inout [(key: String, stamp: FileStamp)], depth: Int
    ) {
        guard let entries = folders.entries(of: key, stamp: stamp) else { return }
        let prefix = key.isEmpty ? "" : key + "/"
        for entry in entries {
            let path = prefix + entry.name
            guard entry.isDirectory else {
                files.append((path, entry.stamp))
                continue
            }
            if depth > 1 {
                walk(key: path, stamp: entry.stamp, folders: folders, files: &files, deeper: &deeper, depth: depth - 1)
            } else {
                deeper.append((path, entry.stamp))
            }
        }
    }
}

extension BuildCache: RenderMemo {
    func files(for slug: String, key: Int) -> (files: [OutputFile], email: EmailCheck)? {
        guard let name = previousSlugs[slug], let record = previousFolders[name], record.renderKey == key,
            !record.outputs.isEmpty, record.outputs.allSatisfy(isIntact)
        else { return nil }
        state.withLock {
            $0.renderKeys[slug] = (key, record.outputs, record.email)
            $0.hits += 1
        }
        return (record.outputs.map(unchanged), record.email)
    }

    func store(_ files: [OutputFile], email: EmailCheck, for slug: String, key: Int) {
        state.withLock {
            $0.renderKeys[slug] = (key, files.map(\.path), email)
            $0.rendered += 1
        }
    }

    func sitePage(_ path: String, key: Int) -> OutputFile? {
        guard previousPages[path] == key, isIntact(path) else { return nil }
        state.withLock {
            $0.pages[path] = key
            $0.hits += 1
        }
        return unchanged(path)
    }

    func store(sitePage file: OutputFile, key: Int) {
        state.withLock {
            $0.pages[file.path] = key
            $0.rendered += 1
        }
    }

    /// Nothing to forget: a build's memo lasts one build.
    func keep(only slugs: Set<String>) {}
}

/// The GNU build id of the running program, read from the notes of its ELF file.
private enum BuildID {
    static func ofMainProgram() -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/exe") else { return nil }
        defer { try? handle.close() }
        // The program headers and the notes come first in the file.
        guard let head = try? handle.read(upToCount: 1 << 16), head.count >= 64 else { return nil }
        return head.withUnsafeBytes { file -> String? in
            guard file.starts(with: [0x7F, 0x45, 0x4C, 0x46]), file[4] == 2, file[5] == 1 else { return nil }  // ELF64, little-endian
            func read<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T? {
                guard offset >= 0, offset + MemoryLayout<T>.size <= file.count else { return nil }
                return T(littleEndian: file.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            guard let headers = read(0x20, as: UInt64.self), let size = read(0x36, as: UInt16.self),
                let count = read(0x38, as: UInt16.self)
            else { return nil }
            func aligned(_ size: UInt32) -> Int { (Int(size) + 3) & ~3 }
            for index in 0..<Int(count) {
                let header = Int(headers) + index * Int(size)
                guard read(header, as: UInt32.self) == 4,  // PT_NOTE
                    let start = read(header + 8, as: UInt64.self), let length = read(header + 32, as: UInt64.self)
                else { continue }
                var note = Int(start)
                let end = min(Int(start + length), file.count)
                while note + 12 <= end, let nameSize = read(note, as: UInt32.self),
                    let descriptionSize = read(note + 4, as: UInt32.self), let type = read(note + 8, as: UInt32.self)
                {
                    let description = note + 12 + aligned(nameSize)
                    if type == 3, nameSize == 4, description + Int(descriptionSize) <= end {  // NT_GNU_BUILD_ID, "GNU"
                        return file[description..<description + Int(descriptionSize)].map { byte in
                            (byte < 16 ? "0" : "") + String(byte, radix: 16)
                        }.joined()
                    }
                    note = description + aligned(descriptionSize)
                }
            }
            return nil
        }
    }
}
