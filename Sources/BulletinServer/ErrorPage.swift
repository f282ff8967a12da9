import BulletinKit

/// The page a browser is sent to while the site does not build: every diagnostic with
/// its file and line. It stays put while the failure lasts, loads again only to list a
/// newer failure, and goes back to the page it came from once a rebuild succeeds.
enum ErrorPage {
    /// - Parameter generation: the build the diagnostics come from; `failed` events of that
    ///   build or an older one (the stream repeats the current state on connecting) are ignored.
    static func html(_ diagnostics: [Diagnostic], failing: Bool, generation: Int) -> String {
        let items = diagnostics.map { diagnostic -> String in
            let place = diagnostic.path.map { "\($0):\(diagnostic.line):\(diagnostic.column)" } ?? ""
            return """
                <li class="\(diagnostic.severity.rawValue)"><code>\(escape(place))</code> <strong>\(diagnostic.severity.rawValue)</strong> \(escape(diagnostic.message))</li>
                """
        }.joined(separator: "\n")
        let heading = failing ? "The site does not build" : "The site builds again"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(heading) — bulletin serve</title>
            <style>
            body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1f24; }
            h1 { color: \(failing ? "#a4161a" : "#1b6e3a"); }
            li { margin: .5rem 0; list-style: none; }
            li.error strong { color: #a4161a; } li.warning strong { color: #8a5a00; }
            code { background: #f2f3f5; padding: .1rem .3rem; border-radius: 3px; }
            </style>
            </head>
            <body>
            <main>
            <h1>\(heading)</h1>
            <p>Fix the files below and save: this page goes back to the site by itself. The last good build is still served.</p>
            <ul>
            \(items)
            </ul>
            </main>
            \(LiveReloadScript.errorPage(generation: generation, failing: failing))
            </body>
            </html>
            """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// The scripts `serve` puts in pages; built pages never carry them.
enum LiveReloadScript {
    static let eventsPath = "/__bulletin/events"
    static let errorsPath = "/__bulletin/errors"

    /// Built pages: reload when the site is rebuilt, show the error page when it fails.
    /// `replace`, so that the error page takes no place in the tab's history.
    static let page = """
        <script>
        (function () {
          var events = new EventSource("\(eventsPath)");
          events.addEventListener("reload", function () { location.reload(); });
          events.addEventListener("failed", function () {
            location.replace("\(errorsPath)?from=" + encodeURIComponent(location.pathname + location.hash));
          });
        })();
        </script>
        """

    /// The error page: back to `from` when the site builds (`ready` on connecting, or a
    /// `reload`), a new load only for a failure newer than `generation`. `from` is used only
    /// as a path of this origin: `//host`, `/\host`, `javascript:`, control characters and
    /// anything resolving elsewhere lead to `/`.
    static func errorPage(generation: Int, failing: Bool) -> String {
        #"""
        <script>
        (function () {
          var generation = \#(generation);
          function destination(from) {
            if (typeof from !== "string" || !/^\/(?![\/\\])/.test(from) || /[\u0000-\u0020\\\u007f]/.test(from)) return "/";
            var url;
            try { url = new URL(from, location.origin); } catch (e) { return "/"; }
            if (url.origin !== location.origin || url.pathname.indexOf("/__bulletin/") === 0) return "/";
            return url.pathname + url.search + url.hash;
          }
          function back() { location.replace(destination(new URLSearchParams(location.search).get("from"))); }
          if (!\#(failing)) { back(); return; }
          var events = new EventSource("\#(eventsPath)");
          events.addEventListener("ready", back);
          events.addEventListener("reload", back);
          events.addEventListener("failed", function (event) {
            if (Number(event.data) > generation) { events.close(); location.reload(); }
          });
        })();
        </script>
        """#
    }
}
