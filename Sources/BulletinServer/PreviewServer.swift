import BulletinKit
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `bulletin serve`: builds the site (drafts and future issues included) in memory,
/// serves it, rebuilds when a source file changes and tells open tabs to reload. Nothing
/// is written to disk. A failed rebuild keeps the last good build served and sends tabs
/// to a page listing the diagnostics.
public struct PreviewServer: Sendable {
    public var source: URL
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 8000
    public var strict = false
    /// How often the source folder is compared for changes when the kernel's file
    /// notifications (inotify, Linux) are unavailable.
    public var pollInterval: Duration = .milliseconds(200)
    /// How often open event streams get a comment: a closed tab is noticed when writing to
    /// it fails, not before (500 tabs opened and closed would keep 500 sockets).
    public var heartbeatInterval: Duration = .seconds(15)
    public let hub = LiveReloadHub()
    /// The last good build's files, served from memory.
    public let site = ServedSite()
    /// What the last build rendered: rebuilds render only the issues that changed.
    let renderCache = RenderCache()

    public init(source: URL) {
        self.source = source
    }

    /// Whether `host` is reachable from this machine only: `localhost`, `127.x.y.z`, `::1`
    /// (bracketed or not). Anything else shows the drafts to the network.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        let isIPv4Loopback = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return name == "localhost" || name == "::1" || isIPv4Loopback
    }

    /// Runs until the task is cancelled or the process gets SIGINT/SIGTERM.
    /// - Parameters:
    ///   - onReady: told the URL once the server listens.
    ///   - onBuild: told every build's report (the first one included).
    public func run(
        onReady: @escaping @Sendable (String) -> Void = { _ in },
        onBuild: @escaping @Sendable (BuildReport) -> Void = { _ in }
    ) async throws {
        // Started before the first build, so that a file saved while it runs is not missed.
        let changes = try SiteWatcher(root: source, pollInterval: pollInterval).start()
        defer { changes.stop() }
        await rebuild(onBuild: onBuild)

        var quiet = Logger(label: "bulletin-serve")
        // Stopping by cancellation makes the server log errors that are nobody's concern.
        quiet.logLevel = .critical
        let router = Router()
        router.add(middleware: ServedSiteMiddleware(site: site))
        let hub = self.hub
        router.get("__bulletin/events") { _, _ -> Response in
            let events = await hub.subscribe().map { ByteBuffer(string: $0.serverSentEvent) }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody(asyncSequence: events))
        }
        router.get("__bulletin/errors") { _, _ -> Response in
            let state = await hub.snapshot()
            let page = ErrorPage.html(state.diagnostics, failing: state.isFailing, generation: state.generation)
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "bulletin"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                onReady("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
            },
            logger: quiet)

        let watcher = Task { await watch(changes, onBuild: onBuild) }
        defer { watcher.cancel() }
        let heartbeatInterval = self.heartbeatInterval
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeatInterval)
                await hub.ping()
            }
        }
        defer { heartbeat.cancel() }
        // Stopping is ours to do: open event streams never end by themselves, so a graceful
        // shutdown would wait for them forever. Close them, then stop the server.
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        let stop: @Sendable () -> Void = {
            Task {
                await hub.finishAll()
                server.cancel()
            }
        }
        let signals = [SIGINT, SIGTERM].map { number -> (DispatchSourceSignal, Int32, sig_t?) in
            let previous = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler(handler: stop)
            source.resume()
            return (source, number, previous)
        }
        // The process gets its usual Ctrl-C back once the server has stopped.
        defer {
            for (source, number, previous) in signals {
                source.cancel()
                signal(number, previous)
            }
        }
        try await withTaskCancellationHandler {
            try await server.value
        } onCancel: {
            stop()
        }
    }

    /// Rebuilds after each burst of changes; changes during a rebuild make one more.
    private func watch(_ changes: Changes, onBuild: @escaping @Sendable (BuildReport) -> Void) async {
        for await _ in changes {
            if Task.isCancelled { break }
            _ = await rebuild(changedPaths: changes.take(), onBuild: onBuild)
        }
    }

    /// Builds off the cooperative pool (the build uses every core itself).
    @discardableResult
    func rebuild(changedPaths: Set<String>? = nil, onBuild: @escaping @Sendable (BuildReport) -> Void) async -> BuildReport {
        var options = BuildOptions(source: source)
        options.changedPaths = changedPaths
        options.servedSite = site
        options.selection = .init(includeDrafts: true, includeFuture: true)
        options.strict = strict
        options.pageScript = LiveReloadScript.page
        options.renderCache = renderCache
        let settled = options
        let report = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Builder().build(settled)) }
        }
        onBuild(report)
        await hub.publish(report.diagnostics, failed: report.failed)
        return report
    }
}

/// Serves the files of the last good build from memory: `/` and any folder give its
/// `index.html`, a folder asked without its `/` is redirected to it. Paths are looked up
/// as they are, so `..` in any encoding leads to no file; a source file copied as is (an
/// image) is read when asked for. A path that is no file gets the site's `404.html`, with
/// status 404. Before any build succeeded, `/` leads to the errors.
struct ServedSiteMiddleware<Context: RequestContext>: RouterMiddleware {
    let site: ServedSite

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head, let decoded = request.uri.path.removingPercentEncoding,
            !decoded.hasPrefix("/__bulletin/")
        else { return try await next(request, context) }
        var path = String(decoded.drop { $0 == "/" })
        if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
        // A source file copied as is (an image) that is gone since the build is no file either.
        guard let data = site.data(at: path) else {
            if site.contents(at: path + "/index.html") != nil {
                return Response(status: .movedPermanently, headers: [.location: request.uri.path + "/"])
            }
            if path == "index.html" { return Self.placeholder }
            // The site's own not-found page, as its host will answer.
            if case .data(let page)? = site.contents(at: "404.html") {
                return Response(
                    status: .notFound, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: page)))
            }
            return try await next(request, context)
        }
        let type = path.split(separator: "/").last?.split(separator: ".").last.flatMap { MediaType.getMediaType(forExtension: String($0)) }
        var headers: HTTPFields = [.contentLength: String(data.count), .cacheControl: "no-cache"]
        if let type { headers[.contentType] = type.description }
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: .ok, headers: headers, body: body)
    }

    private static var placeholder: Response {
        let page = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bulletin serve</title>
            <meta http-equiv="refresh" content="0; url=\(LiveReloadScript.errorsPath)"></head>
            <body><p><a href="\(LiveReloadScript.errorsPath)">See what stops the build</a></p></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
