#!/usr/bin/env python3
"""Measures `bulletin serve`'s save-to-reload time: how long after an article is saved
the open browser tabs are told to reload (the Server-Sent Event arrives).

    scripts/measure-reload.py [--site DIR | --issues N] [--runs 5] [--idle SECONDS] [--binary PATH]

--issues N generates a synthetic site of N issues with scripts/gen_corpus.py.
The site is copied to a temporary folder first: the article is edited there, never in
the original. Uses the release binary (built if missing), or --binary.

--idle SECONDS also reports the CPU `serve` uses while nothing changes, over that many
seconds after the first build has settled (utime + stime from /proc/<pid>/stat, Linux),
as a percentage of one core; --runs 0 measures only that.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default=ROOT)
    parser.add_argument("--issues", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generator", default=os.path.join(ROOT, "scripts", "gen_corpus.py"))
    parser.add_argument("--idle", type=float, metavar="SECONDS", help="measure idle CPU over this long")
    parser.add_argument("--binary", help="the bulletin executable to measure (default: build the release one)")
    args = parser.parse_args()

    if args.binary:
        binary = os.path.abspath(args.binary)
    else:
        subprocess.run(["swift", "build", "-c", "release", "--product", "bulletin"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                             check=True, capture_output=True, text=True).stdout.strip(), "bulletin")
    work = tempfile.mkdtemp(prefix="bulletin-reload-")
    site = os.path.join(work, "site")
    try:
        if args.issues:
            subprocess.run([sys.executable, args.generator, "--issues", str(args.issues), "--layout", "bulletin",
                            "--out", site], check=True, stdout=subprocess.DEVNULL)
        else:
            shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("output", ".build*", ".venv", ".git"))
        article = sorted(
            os.path.join(dirpath, name) for dirpath, _, names in os.walk(os.path.join(site, "issues"))
            for name in names if "/articles/" in os.path.join(dirpath, name))[-1]

        with socket.socket() as probe:  # a free port
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([binary, "serve", "--source", site, "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:  # the first build, then the server listens
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit("bulletin serve stopped")
                time.sleep(0.1)
        label = f"{args.issues} issues" if args.issues else os.path.basename(os.path.abspath(args.site))
        if args.idle:
            time.sleep(2)  # the first build's last writes and frees
            before, started = cpu_seconds(server.pid), time.monotonic()
            time.sleep(args.idle)
            used, elapsed = cpu_seconds(server.pid) - before, time.monotonic() - started
            tick = 1 / os.sysconf("SC_CLK_TCK")
            print(f"{label}: idle CPU {100 * used / elapsed:.2f} % of a core "
                  f"({used:.2f} s in {elapsed:.1f} s, resolution {tick * 1000:.0f} ms)", flush=True)
        times = []
        for run in range(args.runs):
            # A raw socket: http.client buffers chunked streams and reports events late.
            stream = socket.create_connection(("127.0.0.1", port))
            stream.sendall(b"GET /__bulletin/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = b""
            while b"connected" not in received:
                received += stream.recv(4096)
            with open(article, "a", encoding="utf-8") as handle:
                handle.write(f"\nModifié pour la mesure {run}.\n")
            saved = time.monotonic()
            received = b""
            while b"event: reload" not in received:
                chunk = stream.recv(4096)
                if not chunk or b"event: failed" in chunk:
                    sys.exit("the rebuild failed or the server closed the stream")
                received += chunk
            times.append(time.monotonic() - saved)
            stream.close()
            time.sleep(0.5)
        server.terminate()
        server.wait()
        if times:
            print(f"{label}: save-to-reload median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} saves)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cpu_seconds(pid):
    """User plus system CPU time of a process so far (Linux)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    # After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
