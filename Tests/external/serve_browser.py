#!/usr/bin/env python3
"""`bulletin serve` in a real browser: live reload, the error page, and its way back.

Usage: serve_browser.py BULLETIN_BINARY

Copies the fixture site Tests/BulletinKitTests/Fixtures/valid-basic to a temporary
folder, runs `bulletin serve` on a free loopback port and drives headless Chromium
(the system /usr/bin/chromium through /usr/bin/chromedriver) on an article page:

  a. saving the article changes the page in the browser (live reload);
  b. breaking its front-matter sends the tab to the error page, which names the file
     and then stays there: it loads once, not again and again;
  c. a second, different breakage updates the listing (and it stays put again);
  d. fixing the files brings the tab back to the article by itself;
  e. an error page opened with a `from` that leads elsewhere (`//example.com/`,
     `/\\example.com/`, `javascript:`, ...) goes to `/` of the preview on recovery,
     never off the origin.

Every page load of the tab is counted by a script Chromium runs before each document
(DevTools' Page.addScriptToEvaluateOnNewDocument), into sessionStorage.
The browser resolves no host name: nothing leaves the machine even when a check fails.

Prints PASS/FAIL lines and `N passed, N failed`; exits 1 when a check failed, 2 on bad
usage or when the browser or the server cannot be started.
Dependencies are installed by scripts/install-test-deps.sh.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import chromium

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests" / "BulletinKitTests" / "Fixtures" / "valid-basic"
INSTALL_HINT = "run scripts/install-test-deps.sh (it installs chromium, chromium-driver and the .venv)"

ARTICLE = "issues/2023-06-lettre-ete/articles/10-omu.md"
ARTICLE_PAGE = "/issues/2023-06-lettre-ete/omu/"
OTHER = "issues/2023-06-lettre-ete/articles/02-acc.md"
ERRORS = "/__bulletin/errors"
WAIT = 20.0  # seconds a rebuild and the browser's reaction may take on a busy machine
LIMIT = 300.0  # seconds the whole test may take
STAY = 4.0  # seconds the error page is watched for reloads

# Runs before every document of the tab: counts loads (in sessionStorage, which lives as
# long as the tab, per origin) and keeps the page's EventSources within reach, so that
# the test knows when a page listens before it edits a file.
ON_NEW_DOCUMENT = r"""
(function () {
  try {
    var log = JSON.parse(sessionStorage.getItem("__serveTestLoads") || "[]");
    log.push(location.pathname + location.search);
    sessionStorage.setItem("__serveTestLoads", JSON.stringify(log));
  } catch (e) {}
  var Original = window.EventSource;
  if (!Original) return;
  window.__serveTestSources = [];
  window.EventSource = function (url, init) {
    var source = new Original(url, init);
    window.__serveTestSources.push(source);
    return source;
  };
  window.EventSource.prototype = Original.prototype;
})();
"""


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"PASS: {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL: {what}" + (f" ({detail})" if detail else ""), flush=True)
        return ok


class Server:
    """`bulletin serve` on a free port, its output kept for when something fails."""

    def __init__(self, binary: str, site: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [binary, "serve", "--source", str(site), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(line.startswith("Serving") for line in self.output):
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(5)


def wait_until(condition, seconds: float = WAIT, step: float = 0.1):
    """The condition's first true value, or None after `seconds`. Exceptions count as false
    (the page may be between two documents)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception:
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(step)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", help="the bulletin executable, e.g. .build/release/bulletin")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"FAIL: {args.binary} is not an executable (run `make build` first)")
        return 2

    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium-manager fetch anything
    try:
        import selenium  # noqa: F401
    except ImportError as e:
        print(f"FAIL: python package selenium missing ({e}): {INSTALL_HINT}")
        return 2
    for exe in (chromium.CHROMEDRIVER, chromium.CHROMIUM):
        if not os.access(exe, os.X_OK):
            print(f"FAIL: {exe} not found: {INSTALL_HINT}")
            return 2

    # A stop from outside (timeout, Ctrl-C) still ends the server and the browser.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="bulletin-serve-browser-"))
    site = work / "site"
    shutil.copytree(FIXTURE, site)
    originals = {path: (site / path).read_text(encoding="utf-8") for path in (ARTICLE, OTHER)}

    def write(path: str, text: str) -> None:
        (site / path).write_text(text, encoding="utf-8")

    server = Server(binary, site)
    driver = None
    checks = Checks()
    # Whatever hangs (a browser command, a page), the test ends, as a failure.
    watchdog = threading.Timer(LIMIT, lambda: (print(f"FAIL: the test did not end within {LIMIT:.0f} s", flush=True),
                                                os.kill(os.getpid(), signal.SIGTERM)))
    watchdog.daemon = True
    watchdog.start()
    try:
        if not server.wait_ready(60):
            print("FAIL: bulletin serve did not start:\n  " + "\n  ".join(server.output))
            return 2
        # No name resolves but the preview's: a redirect to another host fails here, it
        # reaches nobody. Navigation commands return at once: a page that reloads itself in
        # a loop never finishes loading, and every wait here is explicit.
        driver = chromium.start(resolvable="127.0.0.1", page_load_strategy="none", on_new_document=ON_NEW_DOCUMENT)
        if isinstance(driver, str):
            print(f"FAIL: {driver}")
            driver = None
            return 2

        def js(script: str, *arguments):
            return driver.execute_script(script, *arguments)

        def path() -> str:
            return js("return location.pathname")

        def text() -> str:
            return js("return document.body ? document.body.innerText : ''")

        def loads() -> list[str]:
            return js("return JSON.parse(sessionStorage.getItem('__serveTestLoads') || '[]')")

        def safely(read, default=""):
            """What `read` returns, or `default` when the tab is between two documents."""
            try:
                return read()
            except Exception as e:
                return default if default != "" else f"<{type(e).__name__}>"

        def where() -> str:
            return safely(lambda: driver.current_url)

        def error_page_loads() -> int:
            return sum(1 for entry in loads() if entry.startswith(ERRORS))

        def listening() -> bool:
            return js("return !!window.__serveTestSources && window.__serveTestSources.length > 0 && "
                      "window.__serveTestSources.every(function (s) { return s.readyState === 1; })")

        def stays_put(seconds: float) -> tuple[bool, str]:
            """Marks the current document, waits, and tells whether the same document is
            still there and no page loaded meanwhile."""
            try:
                before = len(loads())
                js("window.__serveTestMarker = 'still here'")
            except Exception as e:
                return False, f"the page was navigating: {type(e).__name__}"
            time.sleep(seconds)
            try:
                after = len(loads())
                marker = js("return window.__serveTestMarker || null")
            except Exception as e:
                return False, f"the page was navigating: {type(e).__name__}"
            if marker != "still here" or after != before:
                return False, f"{after - before} page load(s) in {seconds:.0f} s, marker {marker!r}"
            return True, ""

        # a. Live reload.
        driver.get(server.base + ARTICLE_PAGE)
        checks.check(wait_until(lambda: path() == ARTICLE_PAGE and listening(), 30) is not None,
                     "the article page listens for reloads")
        write(ARTICLE, originals[ARTICLE].replace("Une seizième cabane", "Une cabane toute neuve"))
        checks.check(wait_until(lambda: "Une cabane toute neuve" in text()) is not None,
                     "a: saving the article changes the page in the browser")

        # b. A breakage: the error page, once.
        wait_until(listening, 10)
        write(ARTICLE, "---\ntitle: [\n---\nTexte.\n")
        arrived = wait_until(lambda: path() == ERRORS)
        checks.check(arrived is not None, "b: a broken file sends the tab to the error page",
                     f"the tab is at {where()}")
        checks.check(wait_until(lambda: ARTICLE in text()) is not None, "b: the error page names the broken file",
                     safely(lambda: text()[:300]) if arrived else "")
        ok, detail = stays_put(STAY)
        checks.check(ok, f"b: the error page stays put ({STAY:.0f} s without a reload)", detail)
        count = wait_until(error_page_loads, 1)
        checks.check(count == 1, "b: the error page loaded once", f"it loaded {count} times")

        # c. Another breakage: the listing follows, then stays put again.
        write(OTHER, "---\ntitle: \"Accompagnement\"\nsection: [unterminated\n---\nTexte.\n")
        checks.check(wait_until(lambda: OTHER in text() and ARTICLE in text()) is not None,
                     "c: a second breakage updates the listing", safely(lambda: text()[:300]))
        ok, detail = stays_put(2.0)
        checks.check(ok, "c: the updated error page stays put", detail)

        # d. The fix: back to the article.
        write(OTHER, originals[OTHER])
        write(ARTICLE, originals[ARTICLE].replace("Une seizième cabane", "De retour, la cabane"))
        back = wait_until(lambda: path() == ARTICLE_PAGE and "De retour, la cabane" in text())
        checks.check(back is not None, "d: fixing the files brings the tab back to the article by itself",
                     f"the tab is at {where()}")

        # e. `from` may only be a path of the preview: one break and fix per value.
        for value in ("//example.com/", "/\\example.com/", "/\t/example.com/", "https://example.com/",
                      "javascript:alert(1)", "\\\\example.com/"):
            if where().startswith(server.base + "/"):
                wait_until(listening, 10)
            write(ARTICLE, "---\ntitle: [\n---\nTexte.\n")
            wait_until(lambda: path() == ERRORS)
            driver.get(f"{server.base}{ERRORS}?from={quote(value, safe='')}")
            opened = wait_until(lambda: ARTICLE in text() and listening(), 10)
            write(ARTICLE, originals[ARTICLE])
            home = wait_until(lambda: where() == server.base + "/")
            checks.check(opened is not None and home is not None,
                         f"e: from={value!r} leads to / of the preview on recovery",
                         f"the error page {'listened' if opened else 'did not open'}, the tab is at {where()}")
            if home is None:
                driver.get(server.base + "/")
                wait_until(lambda: path() == "/" and listening(), 10)
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        server.stop()
        if checks.failed:
            print("bulletin serve said:\n  " + "\n  ".join(server.output[-40:]))
        shutil.rmtree(work, ignore_errors=True)
        watchdog.cancel()
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
