import Foundation
import Testing

@testable import BulletinKit

/// A warm build trusts a folder's listing while the folder's stamp is the one recorded,
/// and lists it again whenever an entry could have been added, removed or renamed.
@Suite struct FolderListingsTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("listings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for name in ["a.md", "b.md"] { try Data(name.utf8).write(to: url.appendingPathComponent(name)) }
        return url
    }

    private func names(_ entries: [FolderListings.Entry]?) -> Set<String> { Set((entries ?? []).map(\.name)) }

    /// Old enough to be trusted: the stamp of a folder changed a moment ago is not.
    private func settle() { Thread.sleep(forTimeInterval: 0.1) }

    @Test func aFolderIsListedAgainOnlyWhenItsStampChanges() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        settle()
        let first = FolderListings(root: url.deletingLastPathComponent().path)
        #expect(names(first.entries(of: url.lastPathComponent)) == ["a.md", "b.md"])
        #expect(first.records().map(\.path) == [url.lastPathComponent])

        let second = FolderListings(root: url.deletingLastPathComponent().path, previous: first.records())
        #expect(names(second.entries(of: url.lastPathComponent)) == ["a.md", "b.md"])
        #expect(second.isUnchanged, "the folder's stamp is the one recorded: its names are not listed again")

        try Data("c".utf8).write(to: url.appendingPathComponent("c.md"))
        let third = FolderListings(root: url.deletingLastPathComponent().path, previous: second.records())
        #expect(names(third.entries(of: url.lastPathComponent)) == ["a.md", "b.md", "c.md"], "a new file is found")
        #expect(!third.isUnchanged)

        try FileManager.default.removeItem(at: url.appendingPathComponent("a.md"))
        let fourth = FolderListings(root: url.deletingLastPathComponent().path, previous: third.records())
        #expect(names(fourth.entries(of: url.lastPathComponent)) == ["b.md", "c.md"], "a removed file is gone")
    }

    /// Setting a folder's modification time back does not hide a new file: its change
    /// time, which no one can set, moved too.
    @Test func aModificationTimeSetBackHidesNothing() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        settle()
        let first = FolderListings(root: url.deletingLastPathComponent().path)
        _ = first.entries(of: url.lastPathComponent)
        var info = stat()
        #expect(lstat(url.path, &info) == 0)
        try Data("c".utf8).write(to: url.appendingPathComponent("c.md"))
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, url.path, &times, AT_SYMLINK_NOFOLLOW) == 0)
        let second = FolderListings(root: url.deletingLastPathComponent().path, previous: first.records())
        #expect(names(second.entries(of: url.lastPathComponent)) == ["a.md", "b.md", "c.md"])
    }

    /// A folder changed just before it was listed could change again within the same
    /// tick of the clock its times come from, and keep its stamp: it is not recorded.
    @Test func aFolderChangedJustNowIsNotTrusted() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let listings = FolderListings(root: url.deletingLastPathComponent().path)
        #expect(names(listings.entries(of: url.lastPathComponent)) == ["a.md", "b.md"])
        #expect(listings.records().isEmpty)
    }

    @Test func aStampIsRacyWithinTheClocksPrecision() {
        let second: Int64 = 1_000_000_000
        let start = 1_700_000_000 * second
        func stamp(_ time: Int64) -> FileStamp { FileStamp(device: 1, inode: 2, size: 3, modified: time, changed: time) }
        #expect(stamp(start - second + 1).isRacy(before: start) == false, "nanoseconds: a file system with fine times")
        #expect(stamp(start - 10_000_001).isRacy(before: start), "within a tick or five")
        #expect(stamp(start - second).isRacy(before: start), "whole seconds: a file system that keeps no more")
        #expect(stamp(start - 3 * second).isRacy(before: start) == false)
    }
}
