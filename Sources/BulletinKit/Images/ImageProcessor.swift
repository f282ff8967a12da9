import CBulletinVips
import Foundation
import Synchronization

/// The files made of one photo or picture of the site, and what pages say of them: the
/// web's widths in WebP and in the source's own kind (JPEG, or PNG for a picture with
/// transparency), the e-mail's copy, and the card a shared link shows.
struct ImageVariants: Sendable, Equatable {
    struct Variant: Sendable, Equatable {
        /// In the output, relative to its root.
        var path: String
        var width: Int
        var height: Int
        /// Where it is kept (see `ImageProcessor`), to be copied from.
        var file: String
    }

    /// The web's copies, widths ascending.
    var webp: [Variant]
    /// JPEG or PNG, twice the e-mail column's width at most, and light: the e-mail's copy,
    /// the feed's, and the web's for a browser that reads no WebP (none current).
    var email: Variant
    /// The same at `Recipe.smallEmailWidth`, for a picture shown small (an author's photo).
    var smallEmail: Variant
    /// `Recipe.card`'s size, cropped, in JPEG.
    var card: Variant
    /// The size of the photo upright (its EXIF orientation applied).
    var width: Int
    var height: Int
}

/// What is made of each image: widths that fit the theme's layout, never wider than the
/// image itself.
enum Recipe {
    /// Bumped when what is made changes: the cache's key holds it.
    static let version = 3
    static let webWidths = [480, 800, 1200, 1600]
    /// Twice the e-mail's 600-pixel column.
    static let emailWidth = 1200
    /// Twice the width of the e-mail's small pictures (the édito's photo, 96 pixels).
    static let smallEmailWidth = 240
    /// At most this many bytes in the e-mail: its quality steps down until it fits.
    static let emailBudget = 150 * 1024
    static let card = (width: 1200, height: 630)
    /// The widest a page shows a cover or an article's image (the article's figure,
    /// 56rem): an image narrower looks blurred there.
    static let shownWidth = 800
    static let webpQuality = 78
    static let jpegQuality = 82
    /// The extensions of what is made: GIF (which may move), SVG and videos are left as they are.
    static let rasterExtensions: Set<String> = ["jpg", "jpeg", "png", "webp"]

    /// Whether the file at `path` (or named `path`) is named as a copy is published:
    /// `<stem>-<suffix>.<key>.<extension>`, the key sixteen hexadecimal digits, the
    /// extension one a copy has. What it holds is what its name says: a cached build
    /// trusts it while its folder is unchanged, with no record of its own (see
    /// `FolderListings` and `BuildCache.OutputSnapshot.copies`).
    static func isCopyName(_ path: String) -> Bool {
        let whole = path.utf8
        let bytes = whole[(whole.lastIndex(of: UInt8(ascii: "/")).map { whole.index(after: $0) } ?? whole.startIndex)...]
        guard bytes.count > 18, let dot = bytes.lastIndex(of: UInt8(ascii: ".")),
            bytes.distance(from: bytes.startIndex, to: dot) >= 18
        else { return false }
        let ext = bytes[bytes.index(after: dot)...]
        guard ext.elementsEqual("webp".utf8) || ext.elementsEqual("jpg".utf8) || ext.elementsEqual("png".utf8) else { return false }
        let keyStart = bytes.index(dot, offsetBy: -16)
        let keyDot = bytes.index(before: keyStart)
        guard bytes[keyDot] == UInt8(ascii: "."), isKey(bytes[keyStart..<dot]) else { return false }
        return bytes[..<keyDot].contains(UInt8(ascii: "-"))
    }

    /// Whether `bytes` spell an image's key as names hold it: sixteen lowercase
    /// hexadecimal digits (a kept folder's name, the middle of a copy's).
    static func isKey(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 16
            && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// False when the environment has `BULLETIN_UNPROCESSED_IMAGES`: photos are then
    /// published as they are, as Bulletin did before it made copies, their metadata (a GPS
    /// position) included. The image benchmark's baseline for what image work adds to a
    /// warm build (`scripts/bench/images.py`); a build says so in a warning. Read once: a
    /// build cache made one way is not read the other (see `BuildCache.binaryIdentity`).
    static let processesImages = getenv("BULLETIN_UNPROCESSED_IMAGES") == nil

    static func isRaster(_ path: String) -> Bool {
        guard processesImages else { return false }
        guard let dot = path.lastIndex(of: ".") else { return false }
        return rasterExtensions.contains(path[path.index(after: dot)...].lowercased())
    }

    /// The widths made of an image `width` pixels wide: those it reaches, and its own
    /// when it is narrower than the next.
    static func widths(upTo width: Int) -> [Int] {
        var widths = webWidths.filter { $0 <= width }
        if widths.last.map({ $0 < width && width < webWidths.last! }) ?? true { widths.append(min(width, webWidths.last!)) }
        return widths
    }
}

/// Makes the variants of a site's images with libvips, on every core, and keeps them in
/// a folder (the build cache's `images/`) keyed by each image's content, the recipe and
/// libvips' version: an image is never processed twice.
final class ImageProcessor: Sendable {
    /// libvips, loaded and started the first time an image is read (see `CBulletinVips`):
    /// its version, and the file it was loaded from; why not, when it could not start.
    static let library: Result<(version: String, path: String), ImageFailure> = {
        var error = [CChar](repeating: 0, count: 512)
        guard bulletin_vips_start(&error, error.count) != 0 else {
            return .failure(ImageFailure(
                message: "libvips could not be loaded (\(cString(error))): install it (Debian and Ubuntu: apt-get install libvips42)"))
        }
        return .success((String(cString: bulletin_vips_version()), String(cString: bulletin_vips_library_path())))
    }()

    struct ImageFailure: Error, Sendable {
        let message: String
    }

    /// Where the variants are kept, one folder per image key.
    let folder: URL
    private let keptPath: String
    /// libvips' version, part of every copy's key.
    let libraryVersion: Result<String, ImageFailure>
    private let state = Mutex(Counts())

    struct Counts: Sendable {
        var processed = 0
        var cached = 0
    }

    /// What the last build with this folder learnt of each source, by its path: a warm
    /// build reads no photo, and no index of a kept folder, again.
    private let memo: Mutex<Memo>
    private let startedAt: Int64
    /// Days since 1970, in UTC: when the memo's entries were last asked for.
    private let today: Int64

    private struct Memo {
        struct Entry {
            var stamp: FileStamp
            /// Of the source's bytes.
            var digest: UInt64
            /// The kept folder's name and its index's bytes, once known.
            var kept: (name: String, index: [UInt8])?
            /// The day (since 1970) of the last build that asked for it.
            var day: Int64 = 0
        }
        var entries: [String: Entry] = [:]
        var changed = false
    }

    /// How long a source no build asked for (a draft's photo, a photo removed) keeps its
    /// entry, and so its kept copies.
    static let keptDays: Int64 = 30

    /// `startedAt`: when the build began looking at its sources (nanoseconds since 1970),
    /// for whether a source's stamp is too recent to be trusted (see `FileStamp.isRacy`).
    init(folder: URL, startedAt: Int64) {
        self.folder = folder
        keptPath = folder.path
        libraryVersion = Self.libraryVersion(keptIn: folder)
        var entries: [String: Memo.Entry] = [:]
        // Kept names hold libvips' version: a memo written with another is not read.
        if case .success(let version) = libraryVersion, let bytes = BuildCache.read(folder.appendingPathComponent(Self.memoName).path) {
            bytes.withUnsafeBytes { bytes in
                _ = BuildCache.unsealed(bytes, Self.memoMagic) { encoded -> Bool? in
                    let source = BinaryCoding.Source(encoded)
                    do {
                        guard try source.string() == version else { return nil }
                        for _ in 0..<(try source.length()) {
                            let path = try source.string()
                            var entry = Memo.Entry(stamp: try FileStamp(reading: source), digest: try source.varint())
                            let name = try source.string()
                            if !name.isEmpty { entry.kept = (name, try source.raw()) }
                            entry.day = try source.signed()
                            entries[path] = entry
                        }
                        return true
                    } catch {
                        entries = [:]
                        return nil
                    }
                }
            }
        }
        memo = Mutex(Memo(entries: entries))
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.startedAt = startedAt
        today = Int64(now.tv_sec) / 86_400
    }

    var counts: Counts { state.withLock { $0 } }

    private static let libraryName = "library"

    /// libvips' version, as the file `library` in `folder` says it was when the library
    /// it names had the stamp it gives: a build that takes every copy from the folder does
    /// not load libvips (loading its hundred libraries takes 40 ms) to learn it. Else
    /// libvips is loaded, and the file written for the next build.
    private static func libraryVersion(keptIn folder: URL) -> Result<String, ImageFailure> {
        func stamp(of path: String) -> String? {
            var info = stat()
            guard !path.isEmpty, stat(path, &info) == 0 else { return nil }
            return "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        }
        let file = folder.appendingPathComponent(libraryName)
        if let text = BuildCache.read(file.path).map({ String(decoding: $0, as: UTF8.self) }) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.count == 4, lines[3].isEmpty, let found = stamp(of: lines[1]), found == lines[2] { return .success(lines[0]) }
        }
        return library.map { library in
            if let found = stamp(of: library.path) {
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                _ = BuildCache.replace(file, with: Array("\(library.version)\n\(library.path)\n\(found)\n".utf8))
            }
            return library.version
        }
    }

    private static let memoName = "sources"
    private static let memoMagic = Array("BULLETIN-IMAGE-SOURCES-1\n".utf8)

    /// Keeps what this build learnt of its sources for the next build, less the sources
    /// no build asked for in `keptDays` days; then removes the kept folders no entry names.
    func save() {
        let memo = memo.withLock { $0 }
        let saved = memo.entries.filter { today - $0.value.day <= Self.keptDays }
        guard memo.changed || saved.count != memo.entries.count, case .success(let version) = libraryVersion else { return }
        let bytes = BuildCache.sealed(Self.memoMagic) { sink in
            sink.string(version)
            sink.varint(UInt64(saved.count))
            for (path, entry) in saved.sorted(by: { $0.key < $1.key }) {
                sink.string(path)
                entry.stamp.write(to: sink)
                sink.varint(entry.digest)
                sink.string(entry.kept?.name ?? "")
                if let kept = entry.kept { sink.raw(kept.index) }
                sink.signed(entry.day)
            }
        }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard BuildCache.replace(folder.appendingPathComponent(Self.memoName), with: bytes) else { return }
        removeUnnamed(keeping: Set(saved.values.compactMap { $0.kept?.name }))
    }

    /// Removes the kept folders not in `names`, and what builds killed while making one
    /// left (`.<name>.<pid>.<n>`). Only those unchanged for a day: another build with
    /// the same folder may have made one a moment ago, its memo not saved yet.
    private func removeUnnamed(keeping names: Set<String>) {
        guard let found = try? FileManager.default.contentsOfDirectory(atPath: keptPath) else { return }
        let dayAgo = startedAt / 1_000_000_000 - 86_400
        for name in found where !names.contains(name) {
            let isKept = Recipe.isKey(name.utf8)
            let isLeftover = name.hasPrefix(".") && name.split(separator: ".").first.map { Recipe.isKey($0.utf8) } == true
            var info = stat()
            guard isKept || isLeftover, lstat("\(keptPath)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
                Int64(info.st_mtim.tv_sec) < dayAgo
            else { continue }
            try? FileManager.default.removeItem(atPath: "\(keptPath)/\(name)")
        }
    }

    /// What a file's header says, its pixels not decoded.
    struct Header {
        /// Upright: its EXIF orientation applied.
        var size: ImageSize
        var hasProfile: Bool
        /// The libvips loader that reads it (`jpegload`, `pngload`, `webpload`…).
        var loader: String
    }

    /// The file's header, or why it is not an image.
    static func probe(_ path: String) -> Result<Header, ImageFailure> {
        if case .failure(let failure) = library { return .failure(failure) }
        var width: Int32 = 0, height: Int32 = 0, orientation: Int32 = 1, alpha: Int32 = 0, profile: Int32 = 0
        var loader = [CChar](repeating: 0, count: 64)
        guard bulletin_vips_probe(path, &width, &height, &orientation, &alpha, &profile, &loader, loader.count) != 0 else {
            return .failure(failure())
        }
        let turned = orientation >= 5 && orientation <= 8
        return .success(Header(
            size: ImageSize(width: Int(turned ? height : width), height: Int(turned ? width : height)), hasProfile: profile != 0,
            loader: cString(loader)))
    }

    /// The variants of the image at `path`, published under `outputPath` (the original's
    /// path in the output); each variant names the file it is kept in. `stamp`: the
    /// file's, when its folder's listing took it (after this processor's `startedAt`).
    func variants(of path: String, outputPath: String, stamp known: FileStamp? = nil) -> Result<ImageVariants, ImageFailure> {
        let version: String
        switch libraryVersion {
        case .failure(let failure): return .failure(failure)
        case .success(let found): version = found
        }
        let stamp: FileStamp
        if let known {
            stamp = known
        } else {
            var info = stat()
            guard lstat(path, &info) == 0 else { return .failure(ImageFailure(message: "it cannot be read")) }
            stamp = FileStamp(info)
        }
        var entry = memo.withLock { memo -> Memo.Entry? in
            guard var entry = memo.entries[path] else { return nil }
            if entry.day != today {
                entry.day = today
                memo.entries[path] = entry
                memo.changed = true
            }
            return entry
        }
        if entry?.stamp != stamp { entry = nil }
        // Seen by the last build, unchanged: its kept folder is there when its index is
        // (a kept folder is made whole, then renamed into place).
        if let kept = entry?.kept, access("\(keptPath)/\(kept.name)/index", R_OK) == 0,
            // Checked with the whole memo it came in.
            let known = Self.variants(index: kept.index, in: keptPath + "/" + kept.name, name: kept.name, outputPath: outputPath, checked: true)
        {
            state.withLock { $0.cached += 1 }
            return .success(known)
        }
        let digest: UInt64
        if let entry {
            digest = entry.digest
        } else {
            guard let bytes = BuildCache.read(path) else { return .failure(ImageFailure(message: "it cannot be read")) }
            digest = StableHasher.hash(bytes)
        }
        var key = StableHasher()
        key.combine(digest)
        key.combine(Recipe.version)
        key.combine(version)
        // Sixteen digits always: a name's length does not depend on its key.
        let hex = String(key.finalize(), radix: 16)
        let name = String(repeating: "0", count: 16 - hex.count) + hex
        let kept = keptPath + "/" + name
        var found: (variants: ImageVariants, index: [UInt8])? = nil
        if let index = BuildCache.read(kept + "/index"), let known = Self.variants(index: index, in: kept, name: name, outputPath: outputPath) {
            state.withLock { $0.cached += 1 }
            found = (known, index)
        } else {
            if case .failure(let failure) = Self.library { return .failure(failure) }
            switch Self.make(URL(fileURLWithPath: path), into: folder.appendingPathComponent(name), name: name, outputPath: outputPath) {
            case .failure(let failure): return .failure(failure)
            case .success(let made):
                state.withLock { $0.processed += 1 }
                found = (made, Self.index(made))
            }
        }
        // A stamp too recent could be taken again by a later change (see `FileStamp.isRacy`).
        if let found, !stamp.isRacy(before: startedAt) {
            memo.withLock { memo in
                memo.entries[path] = Memo.Entry(stamp: stamp, digest: digest, kept: (name, found.index), day: today)
                memo.changed = true
            }
        }
        return found.map { .success($0.variants) } ?? .failure(ImageFailure(message: "it cannot be read"))
    }

    // MARK: Making

    private static func make(_ file: URL, into kept: URL, name: String, outputPath: String) -> Result<ImageVariants, ImageFailure> {
        let header: Header
        switch probe(file.path) {
        case .failure(let failure): return .failure(failure)
        case .success(let read): header = read
        }
        // Decoded once (shrunk as it loads): every copy is made from this one. Upright, and
        // no wider than the widest width: its own size when narrower.
        guard let largest = bulletin_vips_thumbnail(file.path, Int32(Recipe.webWidths.last!), header.hasProfile ? 1 : 0) else {
            return .failure(failure())
        }
        defer { bulletin_vips_release(largest) }
        let fullWidth = Int(bulletin_vips_width(largest))
        let transparent = bulletin_vips_has_alpha(largest) != 0
        let fallbackExtension = transparent ? "png" : "jpg"
        let prefix = Self.prefix(of: outputPath)
        try? FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
        // In the output, named by the image's key: a CDN may keep each one forever.
        func variant(_ suffix: String, _ fileExtension: String, _ image: UnsafeMutableRawPointer) -> ImageVariants.Variant {
            ImageVariants.Variant(
                path: "\(prefix)\(suffix).\(name).\(fileExtension)", width: Int(bulletin_vips_width(image)),
                height: Int(bulletin_vips_height(image)), file: kept.path + "/\(suffix).\(fileExtension)")
        }

        var encoded: [(name: String, bytes: [UInt8])] = []
        var webp: [ImageVariants.Variant] = []
        for width in Recipe.widths(upTo: fullWidth).reversed() {
            let image = width == fullWidth ? largest : bulletin_vips_shrink(largest, Int32(width))
            guard let image else { return .failure(failure()) }
            defer { if image != largest { bulletin_vips_release(image) } }
            guard let bytes = encode(image, format: 2, quality: Recipe.webpQuality) else { return .failure(failure()) }
            let made = variant("\(bulletin_vips_width(image))", "webp", image)
            encoded.append(((made.file as NSString).lastPathComponent, bytes))
            webp.insert(made, at: 0)
        }

        // The e-mail's: the source's kind (a PNG of at most 256 colours), its quality
        // lowered, then its width, until it is light enough.
        var emailImage = largest
        var emailBytes: [UInt8]? = nil
        defer { if emailImage != largest { bulletin_vips_release(emailImage) } }
        let emailWidths = Set([Recipe.emailWidth, Recipe.emailWidth * 3 / 4, Recipe.emailWidth / 2].map { min($0, fullWidth) })
        fitting: for width in emailWidths.sorted(by: >) {
            if emailImage != largest { bulletin_vips_release(emailImage) }
            guard let image = width == fullWidth ? largest : bulletin_vips_shrink(largest, Int32(width)) else { return .failure(failure()) }
            emailImage = image
            for quality in stride(from: Recipe.jpegQuality, through: 50, by: -8) {
                emailBytes = encode(emailImage, format: transparent ? 3 : 0, quality: quality)
                if let bytes = emailBytes, bytes.count <= Recipe.emailBudget { break fitting }
            }
        }
        guard let emailBytes else { return .failure(failure()) }
        let email = variant("email", fallbackExtension, emailImage)
        encoded.append(((email.file as NSString).lastPathComponent, emailBytes))
        guard let smallImage = bulletin_vips_shrink(largest, Int32(Recipe.smallEmailWidth)),
            let smallBytes = encode(smallImage, format: transparent ? 3 : 0, quality: Recipe.jpegQuality)
        else { return .failure(failure()) }
        let smallEmail = variant("email-small", fallbackExtension, smallImage)
        bulletin_vips_release(smallImage)
        encoded.append(((smallEmail.file as NSString).lastPathComponent, smallBytes))

        // The card: cropped to its size around what draws the eye.
        guard let cardImage = bulletin_vips_cover(largest, Int32(Recipe.card.width), Int32(Recipe.card.height), 1) else {
            return .failure(failure())
        }
        defer { bulletin_vips_release(cardImage) }
        guard let cardBytes = encode(cardImage, format: 0, quality: Recipe.jpegQuality) else { return .failure(failure()) }
        let card = variant("card", "jpg", cardImage)
        encoded.append(((card.file as NSString).lastPathComponent, cardBytes))

        let variants = ImageVariants(
            webp: webp, email: email, smallEmail: smallEmail, card: card, width: header.size.width,
            height: header.size.height)
        // Kept whole or not at all: the files, then the index that names them.
        let temporary = kept.deletingLastPathComponent().appendingPathComponent(".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            for (fileName, bytes) in encoded { try OutputWriter.writeFile(bytes, toPath: temporary.appendingPathComponent(fileName).path) }
            try OutputWriter.writeFile(index(variants), toPath: temporary.appendingPathComponent("index").path)
            if rename(temporary.path, kept.path) != 0 {
                // Another build made the same a moment ago: its copy is as good.
                try? FileManager.default.removeItem(at: temporary)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            return .failure(ImageFailure(message: "its copies cannot be kept in \(kept.deletingLastPathComponent().path): \(OutputWriter.reason(error))"))
        }
        return .success(variants)
    }

    private static func encode(_ image: UnsafeMutableRawPointer, format: Int32, quality: Int) -> [UInt8]? {
        var bytes: UnsafeMutableRawPointer? = nil
        var length = 0
        guard bulletin_vips_encode(image, format, Int32(quality), &bytes, &length) != 0, let bytes else { return nil }
        defer { bulletin_vips_free(bytes) }
        let encoded = Array(UnsafeRawBufferPointer(start: bytes, count: length))
        return format == 2 ? webpWithoutMetadata(encoded) : encoded
    }

    /// A WebP file without its EXIF, XMP and colour profile chunks, its header saying so.
    /// libvips 8.14 writes an EXIF chunk despite `strip` (fixed in later versions), and a
    /// photo's EXIF may say where it was taken. The file as it is when it is not a WebP
    /// this can read.
    static func webpWithoutMetadata(_ bytes: [UInt8]) -> [UInt8] {
        func fourCC(_ at: Int) -> String { String(decoding: bytes[at..<at + 4], as: UTF8.self) }
        func size(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard bytes.count >= 12, fourCC(0) == "RIFF", fourCC(8) == "WEBP" else { return bytes }
        var kept: [UInt8] = Array(bytes[0..<12])
        var offset = 12
        while offset + 8 <= bytes.count {
            let name = fourCC(offset)
            let end = offset + 8 + size(offset + 4) + size(offset + 4) % 2
            guard end <= bytes.count else { return bytes }
            switch name {
            case "EXIF", "XMP ", "ICCP": break
            case "VP8X":
                var chunk = Array(bytes[offset..<end])
                // Its flags: no profile (0x20), no EXIF (0x08), no XMP (0x04).
                if chunk.count > 8 { chunk[8] &= ~UInt8(0x20 | 0x08 | 0x04) }
                kept += chunk
            default: kept += bytes[offset..<end]
            }
            offset = end
        }
        guard offset == bytes.count else { return bytes }
        let riffSize = UInt32(kept.count - 8)
        for index in 0..<4 { kept[4 + index] = UInt8(truncatingIfNeeded: riffSize >> (8 * UInt32(index))) }
        return kept
    }

    private static func failure() -> ImageFailure {
        var buffer = [CChar](repeating: 0, count: 512)
        bulletin_vips_error(&buffer, buffer.count)
        let message = cString(buffer).split(separator: "\n").first.map(String.init) ?? ""
        return ImageFailure(message: message.isEmpty ? "not an image libvips can read" : message)
    }

    /// `issues/a/images/cover.jpg` → `issues/a/images/cover-`: what each copy's name starts
    /// with. By bytes: it is made for every photo at every build.
    private static func prefix(of outputPath: String) -> String {
        let bytes = outputPath.utf8
        let slash = bytes.lastIndex(of: UInt8(ascii: "/"))
        let nameStart = slash.map { bytes.index(after: $0) } ?? bytes.startIndex
        var stemEnd = bytes.endIndex
        if let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart { stemEnd = dot }
        var prefix = String(outputPath[..<(slash ?? bytes.startIndex)])
        prefix += "/"
        prefix += outputPath[nameStart..<stemEnd]
        prefix += "-"
        return prefix
    }

    // MARK: The index of a kept image

    private static let magic = Array("BULLETIN-IMAGE-2\n".utf8)

    /// The variants' sizes and the names of their files in the kept folder.
    private static func index(_ variants: ImageVariants) -> [UInt8] {
        BuildCache.sealed(magic) { sink in
            func write(_ variant: ImageVariants.Variant) {
                sink.string((variant.file as NSString).lastPathComponent)
                sink.int(variant.width)
                sink.int(variant.height)
            }
            sink.int(variants.width)
            sink.int(variants.height)
            sink.int(variants.webp.count)
            for webp in variants.webp { write(webp) }
            write(variants.email)
            write(variants.smallEmail)
            write(variants.card)
        }
    }

    /// The variants an index of a kept folder names (`kept`, named `name`), published
    /// beside `outputPath`; nil when the index is damaged. `checked`: its digest was
    /// checked already, with the bytes it came in.
    private static func variants(index: [UInt8], in kept: String, name: String, outputPath: String, checked: Bool = false) -> ImageVariants? {
        let prefix = prefix(of: outputPath)
        return index.withUnsafeBytes { bytes in
            BuildCache.unsealed(bytes, magic, checked: checked) { encoded -> ImageVariants? in
                let source = BinaryCoding.Source(encoded)
                func variant() throws -> ImageVariants.Variant {
                    // `800.webp` is published as `<stem>-800.<name>.webp`.
                    let fileName = try source.string()
                    guard let dot = fileName.utf8.firstIndex(of: UInt8(ascii: ".")), !fileName.utf8.contains(UInt8(ascii: "/")) else {
                        throw BinaryCoding.Failure(description: "not a kept file's name")
                    }
                    var path = prefix
                    path.reserveCapacity(prefix.utf8.count + fileName.utf8.count + name.utf8.count + 1)
                    path += fileName[..<dot]
                    path += "."
                    path += name
                    path += fileName[dot...]
                    var file = kept
                    file += "/"
                    file += fileName
                    return ImageVariants.Variant(path: path, width: try source.int(), height: try source.int(), file: file)
                }
                do {
                    let width = try source.int(), height = try source.int(), count = try source.int()
                    guard (1..<64).contains(count) else { return nil }
                    var webp: [ImageVariants.Variant] = []
                    webp.reserveCapacity(count)
                    for _ in 0..<count { webp.append(try variant()) }
                    let email = try variant(), smallEmail = try variant(), card = try variant()
                    guard source.offset == encoded.count else { return nil }
                    return ImageVariants(webp: webp, email: email, smallEmail: smallEmail, card: card, width: width, height: height)
                } catch {
                    return nil
                }
            }
        }
    }
}

/// The variants of a build's images, by the output path of each original: what pages
/// link to instead of it (the original is not published: it may carry a GPS position).
final class PublishedImages: Sendable {
    let variants: [String: ImageVariants]
    /// The same, by percent-encoded path, as bodies hold them: made when a body first
    /// asks (a warm build renders the bodies of one issue, or none).
    private let encoded: Once<[String: ImageVariants]>

    init(_ variants: [String: ImageVariants]) {
        self.variants = variants
        encoded = Once { Dictionary(variants.map { (encodePath($0.key), $0.value) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// The path a page links to for the file at `path` (not encoded): one of the image's
    /// copies; nil for a file that is not one of them.
    func published(_ path: String, copy: Linker.ImageCopy) -> String? {
        variants[path].map { $0.copy(copy).path }
    }

    /// The variants of the image at `path`, percent-encoded.
    func variants(encoded path: String) -> ImageVariants? { encoded.value[path] }
}

extension ImageVariants {
    /// Every copy, each once.
    var copies: [Variant] { webp + [email, smallEmail, card] }

    /// The widest web copy: what a link to the image leads to, and the size pages give it.
    var widest: Variant { webp.last! }

    /// The feed's copy, and the `src` of a browser that reads no WebP, are the e-mail's.
    func copy(_ copy: Linker.ImageCopy) -> Variant {
        switch copy {
        case .widest: widest
        case .standard, .email: email
        }
    }

    /// How wide a body's image is shown: the text's column (`--measure`, 42rem) on a wide
    /// screen, the screen's width less its margins on a narrow one.
    static let bodySizes = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"

    /// `srcset` of the copies in one kind, with URLs written by `url`.
    static func srcset(_ variants: [Variant], url: (String) -> String) -> String {
        variants.map { "\(url($0.path)) \($0.width)w" }.joined(separator: ", ")
    }
}

/// The text of a C string held in `buffer`, up to its terminating zero.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
