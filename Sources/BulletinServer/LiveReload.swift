import BulletinKit
import NIOCore

/// What the open browser tabs are told: the site was rebuilt, or the last rebuild failed.
public enum LiveReloadEvent: Sendable, Equatable {
    /// Sent first, so that the browser sees the stream open at once.
    case connected
    /// Sent on subscribing while the site builds: the error page, opened during a failure
    /// that has ended since, goes back to the site at once (built pages ignore it).
    case ready(generation: Int)
    case reload(generation: Int)
    case failed(generation: Int)
    /// A comment sent every so often: writing to a tab that has gone fails, and its stream ends.
    case ping

    var serverSentEvent: String {
        switch self {
        case .connected: "retry: 1000\n: connected\n\n"
        case .ready(let generation): "event: ready\ndata: \(generation)\n\n"
        case .reload(let generation): "event: reload\ndata: \(generation)\n\n"
        case .failed(let generation): "event: failed\ndata: \(generation)\n\n"
        case .ping: ": ping\n\n"
        }
    }
}

/// Holds the state of the preview (the last build's diagnostics) and the browser tabs
/// listening for changes (Server-Sent Events).
public actor LiveReloadHub {
    public private(set) var generation = 0
    /// Diagnostics of the last build.
    public private(set) var diagnostics: [Diagnostic] = []
    /// The last build failed: the one before it is still served.
    public private(set) var isFailing = false
    private var listeners: [Int: AsyncStream<LiveReloadEvent>.Continuation] = [:]
    private var nextListener = 0

    public init() {}

    /// Events from now on, starting with the current state: `failed` if the site is broken,
    /// so that a page opened during a failure goes to the error page at once, else `ready`.
    public func subscribe() -> AsyncStream<LiveReloadEvent> {
        let (stream, continuation) = AsyncStream<LiveReloadEvent>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        continuation.onTermination = { _ in Task { await self.remove(id) } }
        continuation.yield(.connected)
        continuation.yield(isFailing ? .failed(generation: generation) : .ready(generation: generation))
        return stream
    }

    /// The state of the preview as one consistent reading, for the error page.
    public func snapshot() -> (generation: Int, diagnostics: [Diagnostic], isFailing: Bool) {
        (generation, diagnostics, isFailing)
    }

    func publish(_ diagnostics: [Diagnostic], failed: Bool) {
        generation += 1
        self.diagnostics = diagnostics
        isFailing = failed
        let event: LiveReloadEvent = failed ? .failed(generation: generation) : .reload(generation: generation)
        for listener in listeners.values { listener.yield(event) }
    }

    /// Sends `ping` to every open stream, so that the streams of closed tabs end.
    func ping() {
        for listener in listeners.values { listener.yield(.ping) }
    }

    /// How many event streams are open.
    var listenerCount: Int { listeners.count }

    /// Ends every open event stream, so that the server can stop: browsers keep them open forever.
    public func finishAll() {
        for listener in listeners.values { listener.finish() }
        listeners = [:]
    }

    private func remove(_ id: Int) {
        listeners[id] = nil
    }
}
