import BulletinKit

/// The page a browser is sent to while the site does not build: every diagnostic with
/// its file and line. It goes back to the page it came from once a rebuild succeeds.
enum ErrorPage {
    static func html(_ diagnostics: [Diagnostic], failing: Bool) -> String {
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
            \(LiveReloadScript.errorPage)
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

    static let page = """
        <script>
        (function () {
          var events = new EventSource("\(eventsPath)");
          events.addEventListener("reload", function () { location.reload(); });
          events.addEventListener("failed", function () {
            location.href = "\(errorsPath)?from=" + encodeURIComponent(location.pathname + location.hash);
          });
        })();
        </script>
        """

    static let errorPage = """
        <script>
        (function () {
          var from = new URLSearchParams(location.search).get("from") || "/";
          var events = new EventSource("\(eventsPath)");
          events.addEventListener("reload", function () { location.href = from.charAt(0) === "/" ? from : "/"; });
          events.addEventListener("failed", function () { location.reload(); });
        })();
        </script>
        """
}
