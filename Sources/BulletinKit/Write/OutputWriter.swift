import Foundation
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
        if let refusal = checkReplaceable() { return refusal }
        let parent = output.deletingLastPathComponent()
        let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).tmp-\(token)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            let folders = Set(files.map { ($0.path as NSString).deletingLastPathComponent }).sorted()
            for folder in folders where !folder.isEmpty {
                try manager.createDirectory(at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            let failures = files.concurrentMap { file -> String? in
                let target = staging.appendingPathComponent(file.path)
                do {
                    switch file.contents {
                    case .data(let data): try Self.writeFile(data, to: target)
                    case .copy(let source): try manager.copyItem(at: source, to: target)
                    }
                    return nil
                } catch {
                    return "cannot write \(file.path): \(error.localizedDescription)"
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first {
                throw WriteFailure(message: failure)
            }
            try Data().write(to: staging.appendingPathComponent(Self.markerName))
        } catch {
            try? manager.removeItem(at: staging)
            let message = (error as? WriteFailure)?.message ?? error.localizedDescription
            return Diagnostic(.error, "\(message); the previous output is untouched", path: nil)
        }
        return swap(in: staging, token: token)
    }

    /// A plain write: Foundation's `Data.write` syncs every file to disk, which made
    /// writing thousands of pages slower than rendering them.
    private static func writeFile(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw WriteFailure(message: "cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else {
                    throw WriteFailure(message: "cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
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

    private func swap(in staging: URL, token: String) -> Diagnostic? {
        let manager = FileManager.default
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
