#!/usr/bin/env python3
"""The preview servers, `bulletin serve` beside `hugo server`: cold start (process start
to the first page served), idle CPU, and save-to-page latency (once neither server has
used the CPU for 0.2 s, an article is saved; the article's page is fetched every 5 ms
until it holds the new sentence). For Bulletin,
also the time until its Server-Sent Event `reload` arrives. Tools alternate from one
start and one save to the next. Writes a JSON of the measures.

    serve.py --bin BULLETIN --bulletin-source S --hugo-source H --scratch DIR
             --starts R --saves N [--idle 10] --json OUT.json
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from benchlib import Appended, edited_article, median, save_json

POLL = 0.005
TIMEOUT = 120.0
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    """The body of a 200 answer, else None (not listening yet, 404, mid-rebuild...)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode("utf-8", "replace") if answer.status == 200 else None
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def settle(pids, quiet=0.2, limit=10.0):
    """Waits until no server has used the CPU for `quiet` seconds (at most `limit`): a
    save is timed on an idle machine, not while the other tool still collects the garbage
    of its last rebuild (Hugo at 2,000 issues works on for a second or more after it
    served the page, and a save made then measured that)."""
    deadline = time.perf_counter() + limit
    before = [cpu_seconds(pid) for pid in pids]
    while time.perf_counter() < deadline:
        time.sleep(quiet)
        now = [cpu_seconds(pid) for pid in pids]
        if all(after - earlier < 0.015 for after, earlier in zip(now, before)):
            return
        before = now


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


class Server:
    def __init__(self, tool, command, port, log):
        self.tool, self.port, self.log_path = tool, port, log
        self.log = open(log, "wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def first_page(self):
        """Seconds from process start to the first page served."""
        while True:
            if fetch(self.url("/")) is not None:
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                self.fail("stopped before serving a page")
            if time.perf_counter() - self.started > TIMEOUT:
                self.fail("served no page in %d s" % TIMEOUT)
            time.sleep(POLL)

    def fail(self, message):
        self.stop()
        with open(self.log_path, "rb") as handle:
            tail = handle.read()[-3000:].decode("utf-8", "replace")
        raise SystemExit("bench: %s serve %s; its output:\n%s" % (self.tool, message, tail))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C, as an editor stops it
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class EventStream:
    """A raw socket on /__bulletin/events (http.client would buffer the chunked stream),
    noting when each `event: reload` arrives."""

    def __init__(self, port):
        self.reloads, self.failed = [], False
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.socket.sendall(b"GET /__bulletin/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        received = b""
        while b"connected" not in received:  # the server's first event: subscribed
            chunk = self.socket.recv(4096)
            if not chunk:
                raise SystemExit("bench: the event stream closed before it was connected")
            received += chunk
        self.arrived = threading.Condition()
        threading.Thread(target=self.listen, daemon=True).start()

    def listen(self):
        pending = b""
        try:
            while True:
                chunk = self.socket.recv(4096)
                now = time.perf_counter()
                if not chunk:
                    break
                pending += chunk
                with self.arrived:
                    while b"event: reload" in pending:
                        pending = pending.split(b"event: reload", 1)[1]
                        self.reloads.append(now)
                    if b"event: failed" in pending:
                        self.failed = True
                    self.arrived.notify_all()
        except OSError:
            pass

    def reload_after(self, start):
        with self.arrived:
            self.arrived.wait_for(lambda: self.failed or any(t >= start for t in self.reloads), TIMEOUT)
        if self.failed:
            raise SystemExit("bench: bulletin's rebuild failed after the save")
        later = [t for t in self.reloads if t >= start]
        return later[0] - start if later else None

    def close(self):
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--bulletin-source", required=True)
    parser.add_argument("--hugo-source", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    issue, name, bulletin_article, hugo_article = edited_article(args.bulletin_source, args.hugo_source)
    files = {"bulletin": bulletin_article, "hugo": hugo_article}

    def launch(tool):
        port = free_port()
        if tool == "bulletin":
            command = [args.bin, "serve", "--source", args.bulletin_source, "--port", str(port)]
        else:
            command = ["hugo", "server", "-s", args.hugo_source, "--port", str(port), "--disableFastRender=false"]
        return Server(tool, command, port, os.path.join(args.scratch, "serve-%s.log" % tool))

    def order(number):
        return ["bulletin", "hugo"] if number % 2 == 0 else ["hugo", "bulletin"]

    log = lambda text: print("  " + text, file=sys.stderr, flush=True)

    starts = {"bulletin": [], "hugo": []}
    for number in range(args.starts):
        for tool in order(number):
            server = launch(tool)
            starts[tool].append(server.first_page())
            server.stop()
            log("start %-8s %6.2f s" % (tool, starts[tool][-1]))

    servers = {}
    try:
        for tool in ("bulletin", "hugo"):
            servers[tool] = launch(tool)
            servers[tool].first_page()

        # The article's page: Hugo keeps the file name; Bulletin may drop the NN- prefix.
        stem = name[:-len(".md")]
        candidates = {"bulletin": [stem.split("-", 1)[1], stem], "hugo": [stem]}
        pages = {}
        for tool, server in servers.items():
            for candidate in candidates[tool]:
                path = "/issues/%s/%s/" % (issue, candidate)
                if fetch(server.url(path)) is not None:  # also marks it visited for Hugo's fast render
                    pages[tool] = server.url(path)
                    break
            else:
                server.fail("serves no page for %s/%s (tried %s)" % (issue, name, ", ".join(candidates[tool])))

        time.sleep(2)  # let both settle after their first build
        before = {tool: cpu_seconds(server.process.pid) for tool, server in servers.items()}
        time.sleep(args.idle)
        idle = {tool: 100 * (cpu_seconds(server.process.pid) - before[tool]) / args.idle
                for tool, server in servers.items()}
        log("idle CPU: " + ", ".join("%s %.2f %%" % item for item in idle.items()))

        to_page = {"bulletin": [], "hugo": []}
        to_event = []
        with Appended(*files.values()) as edits:
            for number in range(args.saves):
                for tool in order(number):
                    token = "zqmesure%s%d" % (tool[0], number + 1)
                    stream = EventStream(servers[tool].port) if tool == "bulletin" else None
                    settle([server.process.pid for server in servers.values()])
                    edits.append(files[tool], "Mesure de latence %s." % token)
                    saved = time.perf_counter()
                    while True:
                        body = fetch(pages[tool])
                        if body is not None and token in body:
                            to_page[tool].append(time.perf_counter() - saved)
                            break
                        if time.perf_counter() - saved > TIMEOUT:
                            servers[tool].fail("did not show the saved sentence within %d s" % TIMEOUT)
                        time.sleep(POLL)
                    text = "save %-8s page %6.3f s" % (tool, to_page[tool][-1])
                    if stream:
                        to_event.append(stream.reload_after(saved))
                        stream.close()
                        text += ", reload event %6.3f s" % to_event[-1]
                    log(text)
        rss = {tool: peak_rss_mib(server.process.pid) for tool, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()

    def both(values, **extra):
        entry = {"bulletin": median(values["bulletin"]), "hugo": median(values["hugo"]),
                 "bulletin_runs": values["bulletin"], "hugo_runs": values["hugo"]}
        entry.update(extra)
        return entry

    save_json(args.json, {
        "article": "%s/%s" % (issue, name),
        "measures": {
            "serve_start_s": both(starts),
            "serve_save_to_page_s": both(to_page),
            "serve_save_to_reload_event_s": {"bulletin": median(to_event), "hugo": None, "bulletin_runs": to_event},
            "serve_idle_cpu_pct": {"bulletin": idle["bulletin"], "hugo": idle["hugo"], "seconds": args.idle},
            "serve_peak_rss_mib": {"bulletin": rss["bulletin"], "hugo": rss["hugo"]},
        },
    })


if __name__ == "__main__":
    main()
