import Foundation
import Synchronization

/// Every file and folder a build looked at, in the site and in the output, with the
/// stamp `lstat` gave it, and what that build said: left in the cache folder by a build
/// that found everything as the last one left it (`BuildCache.unchangedBuild`).
///
/// The next build reads it before anything else. When the options and the day are the
/// same and so is every stamp, it says again what was said and stops: no index to
/// decode, no folder to list, no `site.yml` to parse, nothing but one `lstat` per path,
/// on every core. At 500 issues that is about 11,000 paths, and the kernel's time for
/// them is most of what is left.
///
/// A build that finds a stamp changed goes the usual way. The site's paths come first,
/// the most recently changed first, and the check stops at the first difference: an
/// editor's next change is most often to what they changed last. A build that saves a
/// new index removes the manifest, and one is written only when no stamp is recent
/// enough to be taken again by a later change (see `FileStamp.isRacy`).
enum StampManifest {
    static let fileName = "unchanged"
    private static let magic = Array("BULLETIN-UNCHANGED-1\n".utf8)
    /// A stamp's five numbers, then the offset of its path: see `write`.
    private static let recordSize = 48

    /// What the build said, and how many issue folders it had.
    struct Said {
        var summary: BuildCache.Summary
        var folderCount: Int
    }

    /// A path and what `lstat` said of it.
    typealias Stamped = (path: String, stamp: FileStamp)

    /// Writes the manifest into the cache folder. `key` stands for the build's options;
    /// `valid` holds the instants (seconds since 1970) when its "today" is today.
    static func write(
        in folder: URL, key: UInt64, valid: Range<Int64>, said: Said, source: [Stamped], output: [Stamped]
    ) {
        let bytes = BuildCache.sealed(magic) { sink in
            sink.string(BuildCache.binaryIdentity)
            sink.varint(key)
            sink.signed(valid.lowerBound)
            sink.signed(valid.upperBound)
            sink.int(said.folderCount)
            said.summary.write(to: sink)
            let newestFirst = source.sorted { $0.stamp.changed > $1.stamp.changed }
            for tree in [newestFirst, output] {
                var records: [UInt8] = []
                records.reserveCapacity(tree.count * recordSize)
                var paths: [UInt8] = []
                for (path, stamp) in tree {
                    let numbers = [
                        stamp.device, stamp.inode, UInt64(bitPattern: stamp.size), UInt64(bitPattern: stamp.modified),
                        UInt64(bitPattern: stamp.changed), UInt64(paths.count),
                    ]
                    for number in numbers { withUnsafeBytes(of: number.littleEndian) { records += $0 } }
                    paths += path.isEmpty ? Array(".".utf8) : Array(path.utf8)
                    paths.append(0)
                }
                sink.varint(UInt64(tree.count))
                sink.raw(records)
                sink.raw(paths)
            }
        }
        _ = BuildCache.replace(folder.appendingPathComponent(fileName), with: bytes)
    }

    static func remove(in folder: URL) {
        unlink(folder.appendingPathComponent(fileName).path)
    }

    /// What the build that left the manifest said, when this binary wrote it for the same
    /// options, its day is today (`now`, seconds since 1970), and every path under `source`
    /// and `output` has the stamp it had.
    static func said(in folder: URL, key: UInt64, now: Int64, source: String, output: String) -> Said? {
        guard let bytes = BuildCache.read(folder.appendingPathComponent(fileName).path) else { return nil }
        return bytes.withUnsafeBytes { bytes in
            BuildCache.unsealed(bytes, magic) { encoded -> Said? in
                let reader = BinaryCoding.Source(encoded)
                guard (try? reader.string()) == BuildCache.binaryIdentity, (try? reader.varint()) == key,
                    let from = try? reader.signed(), let until = try? reader.signed(), from <= now, now < until,
                    let folderCount = try? reader.int(), let summary = try? BuildCache.Summary(reading: reader),
                    let site = try? tree(reader), let built = try? tree(reader), reader.offset == encoded.count
                else { return nil }
                guard allSame([(source, site), (output, built)]) else { return nil }
                return Said(summary: summary, folderCount: folderCount)
            }
        }
    }

    /// The records and paths of one tree, as `write` wrote them.
    private struct Tree {
        var records: UnsafeRawBufferPointer
        var paths: UnsafeRawBufferPointer
        var count: Int
    }

    private static func tree(_ reader: BinaryCoding.Source) throws -> Tree {
        let count = try reader.varint()
        func blob() throws -> UnsafeRawBufferPointer {
            let length = try reader.length()
            defer { reader.offset += length }
            return UnsafeRawBufferPointer(rebasing: reader.bytes[reader.offset..<reader.offset + length])
        }
        let records = try blob(), paths = try blob()
        // Each path ends with a zero byte, so none is read past the end of the blob.
        guard count <= UInt64(records.count / recordSize), records.count == Int(count) * recordSize,
            count == 0 || paths.last == 0
        else { throw BinaryCoding.Failure(description: "bad manifest") }
        return Tree(records: records, paths: paths, count: Int(count))
    }

    /// Whether every path of each tree, under its root, has its stamp. Each tree is
    /// checked in halves on every core; the first difference stops them all.
    private static func allSame(_ trees: [(root: String, tree: Tree)]) -> Bool {
        let roots = trees.map { open($0.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { for root in roots where root >= 0 { close(root) } }
        guard !roots.contains(-1) else { return false }
        var parts: [(root: Int32, tree: Tree, range: Range<Int>)] = []
        for (index, (_, tree)) in trees.enumerated() {
            let half = tree.count / 2
            parts += [(roots[index], tree, 0..<half), (roots[index], tree, half..<tree.count)]
        }
        let differs = Flag()
        _ = parts.concurrentMap { part in
            let records = part.tree.records, paths = part.tree.paths
            for index in part.range {
                guard !differs.raised.load(ordering: .relaxed) else { return }
                func number(_ field: Int) -> UInt64 {
                    UInt64(littleEndian: records.loadUnaligned(fromByteOffset: index * recordSize + field * 8, as: UInt64.self))
                }
                let offset = Int(number(5))
                var info = stat()
                guard offset < paths.count,
                    fstatat(part.root, paths.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), &info, AT_SYMLINK_NOFOLLOW) == 0
                else { return differs.raised.store(true, ordering: .relaxed) }
                let stamp = FileStamp(info)
                if stamp.device != number(0) || stamp.inode != number(1) || stamp.size != Int64(bitPattern: number(2))
                    || stamp.modified != Int64(bitPattern: number(3)) || stamp.changed != Int64(bitPattern: number(4))
                {
                    return differs.raised.store(true, ordering: .relaxed)
                }
            }
        }
        return !differs.raised.load(ordering: .relaxed)
    }

    private final class Flag: Sendable {
        let raised = Atomic(false)
    }
}
