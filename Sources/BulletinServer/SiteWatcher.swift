import Foundation

/// Notices changes in the files a build reads by comparing modification times and
/// sizes: no platform file-event API, and a few thousand `stat` calls cost milliseconds.
struct SiteWatcher: Sendable {
    let root: URL
    static let watched = ["site.yml", "issues", "static", "themes"]

    struct Signature: Equatable, Sendable {
        var entries: [String: [Double]] = [:]
    }

    func signature() -> Signature {
        var signature = Signature()
        let manager = FileManager.default
        for name in Self.watched {
            let url = root.appendingPathComponent(name)
            record(url, name, into: &signature)
            guard let enumerator = manager.enumerator(
                at: url, includingPropertiesForKeys: [.contentModificationDateKey, .fileSizeKey], options: [])
            else { continue }
            for case let file as URL in enumerator {
                record(file, String(file.path.dropFirst(root.path.count + 1)), into: &signature)
            }
        }
        return signature
    }

    private func record(_ url: URL, _ key: String, into signature: inout Signature) {
        guard let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey]) else { return }
        signature.entries[key] = [
            values.contentModificationDate?.timeIntervalSince1970 ?? 0, Double(values.fileSize ?? 0),
        ]
    }
}
