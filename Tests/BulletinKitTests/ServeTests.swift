import Foundation
import Synchronization
import Testing

@testable import BulletinKit
@testable import BulletinServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `bulletin serve` on a free loopback port: pages, live reload, the error page and
/// its recovery, and requests that try to leave the served folder.
@Suite(.serialized) struct ServeTests {
    /// Starts a preview of a fixture copy; returns it with its base URL and the task to cancel.
    private func start(
        _ site: TemporarySite, pollInterval: Duration = .milliseconds(100), heartbeat: Duration = .seconds(15)
    ) async throws -> (PreviewServer, String, Task<Void, any Error>) {
        var server = PreviewServer(source: site.root)
        server.port = 0
        server.pollInterval = pollInterval
        server.heartbeatInterval = heartbeat
        let (ready, continuation) = AsyncStream<String>.makeStream()
        let running = server
        let task = Task {
            try await running.run(onReady: { continuation.yield($0) })
        }
        var iterator = ready.makeAsyncIterator()
        let url = try #require(await iterator.next())
        return (server, url, task)
    }

    private func get(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Waits for the next event matching `predicate`, failing after `seconds`.
    private func next(
        _ events: AsyncStream<LiveReloadEvent>, within seconds: Double, where predicate: @escaping @Sendable (LiveReloadEvent) -> Bool
    ) async -> LiveReloadEvent? {
        await withTaskGroup(of: LiveReloadEvent?.self) { group in
            group.addTask {
                for await event in events where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func servesRebuildsReloadsAndRecovers() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let (server, base, task) = try await start(site)
        defer { task.cancel() }

        let (status, home) = try await get(base)
        #expect(status == 200)
        #expect(home.contains("new EventSource(\"/__bulletin/events\")"), "the live-reload script is injected")
        let (emailStatus, email) = try await get(base + "issues/2023-06-lettre-ete/email.html")
        #expect(emailStatus == 200 && !email.contains("<script"), "the e-mail edition is previewed as it will be sent")
        #expect(try await get(base + "issues/2023-09-brouillon/").0 == 200, "drafts are shown while serving")
        #expect(try await get(base + "issues/2099-01-futur/").0 == 200, "future issues too")

        // Save an article: the page changes and open tabs are told to reload.
        let events = await server.hub.subscribe()
        let article = "issues/2023-06-lettre-ete/articles/10-omu.md"
        let saved = ContinuousClock.now
        try site.write(article, "---\ntitle: \"Ômu des abysses\"\nsection: \"Le dossier\"\norder: 0\n---\nUne cabane toute neuve.\n")
        let reload = await next(events, within: 10) { if case .reload = $0 { true } else { false } }
        #expect(reload != nil, "a reload event within 10 s")
        print("serve: reload event \(ContinuousClock.now - saved) after saving")
        #expect(try await get(base + "issues/2023-06-lettre-ete/omu/").1.contains("Une cabane toute neuve."))

        // Break it: the error page lists the problem, the last good build is still served.
        try site.write(article, "---\ntitle: [\n---\nTexte.\n")
        let failed = await next(events, within: 10) { if case .failed = $0 { true } else { false } }
        #expect(failed != nil, "a failure event within 10 s")
        let (errorStatus, errorPage) = try await get(base + "__bulletin/errors")
        #expect(errorStatus == 200)
        // The error page knows which failure it lists: the failure a new stream repeats at
        // once is not a reason to load it again (it did, twice a second).
        let failedGeneration = try #require(failed.flatMap { if case .failed(let g) = $0 { g } else { nil } })
        #expect(errorPage.contains("var generation = \(failedGeneration);"))
        let late = await server.hub.subscribe()
        let repeated = await next(late, within: 5) { if case .failed = $0 { true } else { false } }
        #expect(repeated == .failed(generation: failedGeneration), "a new stream starts with the current failure")
        #expect(errorPage.contains("issues/2023-06-lettre-ete/articles/10-omu.md:"))
        #expect(errorPage.contains("invalid YAML"))
        #expect(try await get(base + "issues/2023-06-lettre-ete/omu/").1.contains("Une cabane toute neuve."))

        // Fix it: the site comes back by itself.
        try site.write(article, "---\ntitle: \"Ômu des abysses\"\n---\nDe retour.\n")
        let recovered = await next(events, within: 10) { if case .reload = $0 { true } else { false } }
        #expect(recovered != nil)
        #expect(try await get(base + "issues/2023-06-lettre-ete/omu/").1.contains("De retour."))
        #expect(await server.hub.isFailing == false)
        // A stream opened while the site builds says so, and an error page opened late goes back.
        let fresh = await server.hub.subscribe()
        let ready = await next(fresh, within: 5) { if case .ready = $0 { true } else { false } }
        #expect(ready != nil, "a new stream starts with `ready` while the site builds")
        #expect(try await get(base + "__bulletin/errors").1.contains("if (!false) { back(); return; }"))
    }

    /// Pages fetched in a loop while an article is saved again and again: each is whole
    /// (files were rewritten in place while the server read them, and came back empty or cut).
    @Test func pagesFetchedDuringRebuildsAreNeverTorn() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let (server, base, task) = try await start(site)
        defer { task.cancel() }
        let article = "issues/2023-06-lettre-ete/articles/10-omu.md"
        let page = base + "issues/2023-06-lettre-ete/omu/"
        let events = await server.hub.subscribe()
        let saving = Task.detached {
            for round in 0..<25 {
                let body = String(repeating: "Ligne \(round) d'un texte qui change à chaque enregistrement. ", count: 200 + round * 40)
                try site.write(article, "---\ntitle: \"Ômu\"\n---\n\(body)\n")
                try await Task.sleep(for: .milliseconds(60))
            }
        }
        var fetched = 0
        var torn: [String] = []
        let deadline = ContinuousClock.now + .seconds(4)
        while ContinuousClock.now < deadline {
            let (data, response) = try await URLSession.shared.data(from: URL(string: page)!)
            let html = String(decoding: data, as: UTF8.self)
            let length = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Length").flatMap(Int.init)
            if !html.hasSuffix("</html>\n") && !html.hasSuffix("</html>") || (length != nil && length != data.count) {
                torn.append("\(data.count) bytes, Content-Length \(length.map(String.init) ?? "none")")
            }
            fetched += 1
        }
        try await saving.value
        #expect(await next(events, within: 10) { if case .reload = $0 { true } else { false } } != nil, "the saves were seen")
        #expect(fetched > 50)
        #expect(torn.isEmpty, "\(torn.count) torn pages of \(fetched): \(torn.prefix(5))")
    }

    /// On Linux the kernel tells of changes: a poll interval of an hour must not matter.
    #if os(Linux)
    private static let notifiedOnly: Duration = .seconds(3600)
    #else
    private static let notifiedOnly: Duration = .milliseconds(100)
    #endif

    @Test func aFileInANewFolderOfAnIssueTriggersARebuild() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let (server, _, task) = try await start(site, pollInterval: Self.notifiedOnly)
        defer { task.cancel() }
        let events = await server.hub.subscribe()
        let isReload: @Sendable (LiveReloadEvent) -> Bool = { if case .reload = $0 { true } else { false } }

        // mkdir, then a file in it at once: the file may be written before the folder is watched.
        try FileManager.default.createDirectory(
            at: site.root.appendingPathComponent("issues/2023-06-lettre-ete/annexes/2023"), withIntermediateDirectories: true)
        try site.write("issues/2023-06-lettre-ete/annexes/2023/programme.txt", "Programme.\n")
        #expect(await next(events, within: 10, where: isReload) != nil, "a new folder and its file: a rebuild")
        // What the kernel told reached the build: the file is published, not a folder remembered from before.
        func published(_ path: String) -> String? {
            server.site.data(at: "issues/2023-06-lettre-ete/" + path).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(published("annexes/2023/programme.txt") == "Programme.\n")
        // Later writes in the new folders are seen: they are watched now.
        try await Task.sleep(for: .milliseconds(300))
        try site.write("issues/2023-06-lettre-ete/annexes/2023/programme.txt", "Programme modifié.\n")
        #expect(await next(events, within: 10, where: isReload) != nil, "a file saved in the new folder: a rebuild")
        #expect(published("annexes/2023/programme.txt") == "Programme modifié.\n")
        try site.write("issues/2023-06-lettre-ete/annexes/plan.txt", "Plan.\n")
        #expect(await next(events, within: 10, where: isReload) != nil, "a file added to the new folder: a rebuild")
        #expect(published("annexes/plan.txt") == "Plan.\n")
    }

    @Test func watchesFoldersCreatedAfterTheStartAndSeesNoLinkTargets() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let elsewhere = try TemporarySite(["notes.txt": "dehors\n"])
        defer { elsewhere.remove() }
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("static"))
        try FileManager.default.createSymbolicLink(
            at: site.root.appendingPathComponent("issues/lien"), withDestinationURL: elsewhere.root)
        let changes = try SiteWatcher(root: site.root, pollInterval: Self.notifiedOnly).start()
        defer { changes.stop() }
        #if os(Linux)
        #expect(changes.usesNotifications)
        #endif
        let count = Tally()
        let counting = Task { for await _ in changes { count.add() } }
        defer { counting.cancel() }
        var seen = 0
        // Whether a change was told within 5 s since the last one looked at.
        let changed: () async -> Bool = {
            let told = await wait(5) { count.value > seen }
            seen = count.value
            return told
        }

        // `static/` appears, then a file in a folder of it.
        try site.write("static/docs/guide.txt", "Guide.\n")
        #expect(await changed(), "static/ created after the start")
        try await Task.sleep(for: .milliseconds(100))
        seen = count.value
        try site.write("static/docs/guide.txt", "Guide, suite.\n")
        #expect(await changed(), "a file saved in a folder of the new static/")
        // site.yml, replaced by an editor's rename.
        let settings = try String(contentsOf: site.root.appendingPathComponent("site.yml"), encoding: .utf8)
        try site.write("site.yml.tmp", settings + "\n")
        try await Task.sleep(for: .milliseconds(300))
        seen = count.value
        #expect(rename(site.root.path + "/site.yml.tmp", site.root.path + "/site.yml") == 0)
        #expect(await changed(), "site.yml replaced")
        // What a link leads to is not the site's: not followed, not watched. Nor is output/.
        try await Task.sleep(for: .milliseconds(300))
        seen = count.value
        try elsewhere.write("notes.txt", "dehors, modifié\n")
        try site.write("output/index.html", "<p>ancien</p>\n")
        try await Task.sleep(for: .milliseconds(500))
        #expect(count.value == seen, "no change told for a link's target or output/")
    }

    /// Where the kernel's notifications cannot be had, the files are compared every `pollInterval`.
    @Test func pollingIsTheFallback() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        var watcher = SiteWatcher(root: site.root, pollInterval: .milliseconds(50))
        watcher.notifications = false
        let changes = try watcher.start()
        defer { changes.stop() }
        #expect(!changes.usesNotifications)
        let count = Tally()
        let counting = Task { for await _ in changes { count.add() } }
        defer { counting.cancel() }
        try site.write("issues/2023-06-lettre-ete/annexes/plan.txt", "Plan.\n")
        #expect(await wait(5) { count.value == 1 }, "a new file seen by polling")
        try site.write("static/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        #expect(await wait(5) { count.value == 2 }, "a changed file seen by polling")
        try await Task.sleep(for: .milliseconds(300))
        #expect(count.value == 2, "nothing told while nothing changes")
    }

    @Test func requestsLeavingTheSiteGet404() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let (_, base, task) = try await start(site)
        defer { task.cancel() }
        // Bait where a traversal from the site's folder would land, and the site's own
        // sources: the preview serves built files only.
        let outside = site.root.deletingLastPathComponent().appendingPathComponent("bulletin-secret-\(UUID().uuidString).txt")
        try Data("secret".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let port = Int(URL(string: base)!.port!)
        for path in [
            "/../site.yml", "/%2e%2e/site.yml", "/%2E%2E/%2e%2e/etc/passwd", "/issues/..%2f..%2f..%2fsite.yml",
            "/%252e%252e/site.yml", "/site.yml", "/issues/2023-06-lettre-ete/issue.md", "/../\(outside.lastPathComponent)",
            "/%2e%2e/\(outside.lastPathComponent)",
        ] {
            let (status, body) = try rawGET(port: port, path: path)
            #expect(status == 404, "\(path) answered \(status)")
            #expect(!body.contains("secret") && !body.contains("base_url"), "\(path) leaked a file")
        }
        #expect(try rawGET(port: port, path: "/logo.svg").0 == 200)
        let (missing, page) = try rawGET(port: port, path: "/issues/absent/")
        #expect(missing == 404 && page.contains("<html"), "the site's own 404 page")
        let (status, folder) = try rawGET(port: port, path: "/issues/2023-06-lettre-ete")
        #expect(status == 301 && folder.contains("Location: /issues/2023-06-lettre-ete/"), "a folder without its slash is redirected")
    }

    @Test func writesNothingToDiskAndStopsCleanly() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let temporary = FileManager.default.temporaryDirectory
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: temporary.path))
        let (server, base, task) = try await start(site)
        #expect(try await get(base + "issues/2023-09-brouillon/").0 == 200, "the draft is served")
        #expect(!server.site.paths.isEmpty)
        // The preview holds drafts: none of it may land where other users can read it.
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: temporary.path))
        #expect(after.subtracting(before).filter { $0.hasPrefix("bulletin") }.isEmpty, "\(after.subtracting(before))")
        #expect(!FileManager.default.fileExists(atPath: site.output.path))
        task.cancel()
        _ = try? await task.value
    }

    /// A GET sent byte for byte, so that no client tidies `..` away before it leaves.
    /// A socket to the server, the request sent.
    private func request(port: Int, path: String) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CocoaError(.fileReadUnknown) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw CocoaError(.fileReadUnknown)
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), 0) }
        return descriptor
    }

    private func rawGET(port: Int, path: String) throws -> (Int, String) {
        let descriptor = try request(port: port, path: path)
        defer { close(descriptor) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, text)
    }

    /// A count shared with a task.
    private final class Tally: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    // MARK: The command

    /// What a running process has written so far.
    private final class Output: Sendable {
        private let text = Mutex("")
        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        var current: String { text.withLock { $0 } }
    }

    private func wait(_ seconds: Double, until condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    @Test func theCommandWarnsOffLoopbackAndCtrlCStopsItWithATabOpen() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let process = Process()
        process.executableURL = bulletinExecutable
        process.arguments = ["serve", "--source", site.root.path, "--port", "0", "--host", "0.0.0.0"]
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let out = Output(outPipe)
        let err = Output(errPipe)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        #expect(await wait(30) { out.current.contains("Serving") }, "\(out.current)\(err.current)")
        #expect(err.current.contains("warning: serving on 0.0.0.0"), "\(err.current)")
        let port = try #require(out.current.firstMatch(of: /:(\d+)\//).flatMap { Int($0.1) })
        #expect(try rawGET(port: port, path: "/").0 == 200)

        // A tab listening for reloads: its stream never ends by itself.
        let stream = try request(port: port, path: "/__bulletin/events")
        defer { close(stream) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        #expect(recv(stream, &buffer, buffer.count, 0) > 0, "the event stream answers")

        process.interrupt()
        #expect(await wait(10) { !process.isRunning }, "Ctrl-C stops the server even with a tab open")
        #expect(process.terminationStatus == 0)
        let served = err.current + out.current
        #expect(!served.contains("Fatal error") && !served.contains("Stack dump"), "\(served)")
    }

    @Test func closedTabsDoNotKeepTheirStreams() async throws {
        let site = try TemporarySite(copying: "valid-basic")
        defer { site.remove() }
        let (server, base, task) = try await start(site, heartbeat: .milliseconds(200))
        defer { task.cancel() }
        let port = Int(URL(string: base)!.port!)
        var tabs: [Int32] = []
        defer { for tab in tabs { close(tab) } }
        var buffer = [UInt8](repeating: 0, count: 1024)
        for _ in 0..<20 {
            let tab = try request(port: port, path: "/__bulletin/events")
            tabs.append(tab)
            #expect(recv(tab, &buffer, buffer.count, 0) > 0, "the event stream answers")
        }
        #expect(await streams(server, become: 20, within: 5), "20 streams open")
        // An open tab gets the heartbeat comment.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(tabs[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = ""
        let deadline = Date().addingTimeInterval(5)
        while !received.contains(": ping"), Date() < deadline {
            let count = recv(tabs[0], &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        #expect(received.contains(": ping\n\n"), "\(received)")
        // 19 tabs close: their streams end at the next heartbeat; the open one stays.
        for tab in tabs.dropFirst() { close(tab) }
        tabs = [tabs[0]]
        let closed = await streams(server, become: 1, within: 5)
        let left = await server.hub.listenerCount
        #expect(closed, "\(left) streams still open")
    }

    /// Whether the hub comes to have `expected` open streams within `seconds`.
    private func streams(_ server: PreviewServer, become expected: Int, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while await server.hub.listenerCount != expected {
            if Date() > deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    @Test func loopbackHostsAreRecognised() {
        for host in ["127.0.0.1", "localhost", "LOCALHOST.", "::1", "[::1]", "127.0.0.2"] {
            #expect(PreviewServer.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "192.168.1.10", "::", "example.fr", "127.0.0.1.example.fr", "1270.0.0.1"] {
            #expect(!PreviewServer.isLoopback(host), "\(host)")
        }
    }
}
