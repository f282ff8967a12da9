#!/usr/bin/env python3
"""Mutates real sites and builds them, looking for crashes, hangs and damaged output.

    scripts/fuzz.py [--seconds 120] [--seed N] [--timeout 30] [--jobs 2] [--binary B] [--findings DIR]

Seeds: the example site at the repository's root and the sites under
Tests/BulletinKitTests/Fixtures/. Each run copies one seed, builds it once into an
output folder, then mutates one to three of its files and builds it again into the same
folder, with `--now 2026-01-01` and a time limit. Mutations: byte flips, truncation,
invalid UTF-8, control characters, deep nesting (YAML flow collections, Markdown quotes,
lists and emphasis, HTML), huge lines, pathological Markdown (tables, links, backticks),
YAML aliases, huge or negative numbers, image headers with extreme or broken sizes, and
mangled templates and locale files.

Each run ends in one of these classes:
  clean          exit 0;
  located error  exit 1, every error line of the form `path:line:column: error: …` or
                 naming a file or the command (`error: …` alone is counted as unlocated);
  unlocated      exit 1, but an error line names no place;
  damaged        exit 1, and the output folder is no longer the previous build's;
  crash          killed by a signal, or a Swift backtrace or `Fatal error` printed;
  hang           still running at the time limit.

Crashes, hangs, damage and unlocated errors are saved under --findings (default
`fuzz-findings/`), each as the mutated site with `repro.sh`, a one-line command that
runs the build again. Prints the totals; exits 1 when a crash, hang or damage was found.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [ROOT] + sorted(p for p in (ROOT / "Tests" / "BulletinKitTests" / "Fixtures").iterdir() if (p / "site.yml").exists())
SITE_PARTS = ("site.yml", "issues", "static", "themes")
PLACED = re.compile(r"^\S[^:\n]*(?::\d+:\d+)?: error: ", re.M)


def copy_site(seed: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for part in SITE_PARTS:
        source = seed / part
        if source.is_dir():
            shutil.copytree(source, target / part, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, target / part)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    if not folder.exists():
        return "missing"
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Mutations: each takes the file's bytes and a random source, returns new bytes.

def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def insert(data: bytes, rng: random.Random, chunk: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + chunk + data[at:]


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]))


def control_characters(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, rng.choice(["\x0b", "\x0c", "\x01", "\x1b", "\x00", "\uffff", "\u2028", "\r"]).encode())


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([100, 1000, 10000, 100000])
    chunk = rng.choice(["[" * n, "{a: " * n, "> " * n + "x\n", "- " * n + "x\n", "*" * n + "x" + "*" * n,
                        "<div>" * n, "  " * n + "- x\n", "[" * n + "x" + "](y)" * n, "{{#a}}" * n])
    return insert(data, rng, ("\n" + chunk + "\n").encode())


def huge_line(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, (rng.choice(["a", "é", "`", "|", "\\", "&amp;", " "]) * rng.choice([10**4, 10**5, 10**6])).encode())


def pathological_markdown(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([10, 100, 1000, 5000])
    chunk = rng.choice([
        "|" + " a |" * n + "\n|" + "---|" * n + "\n" + "| x |\n" * n,
        " ".join(f"[l{i}](#absent-{i})" for i in range(n)),
        "`" * n + "x" + "`" * (n - 1),
        "<" * n,
        "[x]: /" + "a" * n + "\n" * 2 + "[x]" * n,
        "![](" * n,
        "\n".join(f"[^{i}]: note" for i in range(n)) + "\n" + "".join(f"[^{i}]" for i in range(n)),
        "%BULLETIN-ROOT%/ %BULLETIN-PAGE% " * 3,
        "<!--more-->" * 3,
        "https://" + "a." * n + "fr",
    ])
    return insert(data, rng, ("\n\n" + chunk + "\n\n").encode())


def yaml_trouble(data: bytes, rng: random.Random) -> bytes:
    chunk = rng.choice([
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        "number: 99999999999999999999999\n", "number: -1\n", "number: 9223372036854775807\n",
        "date: 9999-99-99\n", "date: 0000-01-01\n", "order: -9223372036854775808\n",
        "title: !!binary aGVsbG8=\n", "title: *undefined\n", "? [a, b]\n: c\n", "title: [\n",
        "size_budget_kb: 1e400\n", "feed: {items: 999999999999}\n", "email: {size_budget_kb: 9223372036854775807}\n",
        "videos: [{title: v, url: 'https://youtu.be/dQw4w9WgXcQ?t=99999999999999h'}]\n",
        "unsubscribe: 'javascript:alert(1)'\n", "email_from: \"a <b@c.fr>\\r\\nBcc: x@y.fr\"\n",
        "timezone: Mars/Olympus\n", "language: xx\n", "theme: ../../etc\n", "logo: ../../../etc/passwd\n",
    ])
    text = data.decode("utf-8", "replace")
    if text.startswith("---\n"):
        return ("---\n" + chunk + text[4:]).encode()
    return (chunk + text).encode()


def image_header(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 24:
        data[16:24] = rng.choice([b"\xff" * 8, b"\x00" * 8, b"\x7f\xff\xff\xff\x00\x00\x00\x01"])
        return bytes(data)
    if data[:2] == b"\xff\xd8":
        for i in range(2, min(len(data) - 9, 65536)):
            if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2):
                data[i + 5:i + 9] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"])
                return bytes(data)
        return bytes(data[: rng.randrange(2, 64)])
    return rng.choice([
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1e400" height="nan"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 -5 99999999999999999999"/>',
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 4, b"\xff\xd8\xff", b"",
    ])


def template_trouble(data: bytes, rng: random.Random) -> bytes:
    chunk = rng.choice([
        "{{> layout}}", "{{#a}}", "{{/a}}", "{{{", "{{=<% %>=}}", "{{> partials/missing}}", "{x}" * 5000,
        "{{t.missing}}", "{{#t}}{{/t}}", "{{^a}}" * 100, "{{< layout}}{{/layout}}",
    ])
    return insert(data, rng, chunk.encode())


TEXT_MUTATIONS = [flip_bytes, truncate, invalid_utf8, control_characters, deep_nesting, huge_line,
                  pathological_markdown, yaml_trouble]


def mutate(site: Path, rng: random.Random) -> list[str]:
    files = [p for p in site.rglob("*") if p.is_file() and "output" not in p.relative_to(site).parts]
    done = []
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(files)
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"):
            mutation = rng.choice([image_header, flip_bytes, truncate])
        elif suffix == ".mustache":
            mutation = rng.choice([template_trouble, flip_bytes, truncate, huge_line, deep_nesting])
        else:
            mutation = rng.choice(TEXT_MUTATIONS)
        path.write_bytes(mutation(data, rng))
        done.append(f"{mutation.__name__}({path.relative_to(site)})")
    return done


def classify(result: subprocess.CompletedProcess | None, before: str, after: str) -> str:
    if result is None:
        return "hang"
    output = (result.stdout or "") + (result.stderr or "")
    if result.returncode < 0 or result.returncode >= 128 or "Fatal error" in output or "Current stack trace" in output \
            or "💣" in output or "Backtrace" in output:
        return "crash"
    if result.returncode == 0:
        return "clean"
    if before != after:
        return "damaged"
    errors = [line for line in output.splitlines() if " error: " in f" {line}" and not line.startswith("build failed")]
    if errors and all(PLACED.match(line) for line in errors):
        return "located error"
    return "unlocated"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=30, help="seconds a build may take before it is a hang")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "bulletin"))
    parser.add_argument("--findings", default=str(ROOT / "fuzz-findings"))
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"fuzz: no executable at {binary}: run `make build` first")
        return 2
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"fuzz: seed {seed}, {args.seconds:.0f} s, {args.jobs} jobs, time limit {args.timeout:.0f} s per build")
    work = Path(tempfile.mkdtemp(prefix="bulletin-fuzz-"))
    findings = Path(args.findings)
    counts: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    prepared: dict[Path, Path] = {}
    for index, seed_site in enumerate(SEEDS):
        base = work / f"seed-{index}"
        copy_site(seed_site, base)
        subprocess.run([binary, "build", "--source", str(base), "--output", str(base / "output"), "--now", "2026-01-01",
                        "--quiet"], capture_output=True, timeout=120)
        prepared[seed_site] = base

    def run(number: int) -> None:
        rng = random.Random(seed * 1_000_003 + number)
        seed_site = rng.choice(SEEDS)
        site = work / f"run-{number}"
        shutil.copytree(prepared[seed_site], site, symlinks=True)
        mutations = mutate(site, rng)
        before = tree_digest(site / "output")
        command = [binary, "build", "--source", str(site), "--output", str(site / "output"), "--now", "2026-01-01"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=args.timeout)
        except subprocess.TimeoutExpired:
            result = None
        after = tree_digest(site / "output") if result is not None and result.returncode != 0 else before
        outcome = classify(result, before, after)
        with lock:
            counts[outcome] = counts.get(outcome, 0) + 1
        if outcome in ("crash", "hang", "damaged", "unlocated"):
            with lock:
                saved = findings / f"{outcome.replace(' ', '-')}-{seed}-{number}"
            shutil.rmtree(saved, ignore_errors=True)
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(site, saved, symlinks=True, ignore=shutil.ignore_patterns("output"))
            repro = f"bulletin build --source {saved} --output /tmp/bulletin-repro --now 2026-01-01"
            (saved / "repro.sh").write_text("#!/bin/sh\n" + repro.replace("bulletin", binary, 1) + "\n")
            detail = "" if result is None else (result.stdout + result.stderr).strip().splitlines()[-3:]
            print(f"fuzz: {outcome}: {', '.join(mutations)}\n  repro: {saved}/repro.sh\n  {detail}", flush=True)
        shutil.rmtree(site, ignore_errors=True)

    number = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        running: set[concurrent.futures.Future] = set()
        while time.monotonic() < deadline or running:
            while time.monotonic() < deadline and len(running) < args.jobs:
                running.add(pool.submit(run, number))
                number += 1
            finished, running = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                future.result()
    shutil.rmtree(work, ignore_errors=True)
    total = sum(counts.values())
    order = ["clean", "located error", "unlocated", "damaged", "crash", "hang"]
    print(f"fuzz: {total} runs: " + ", ".join(f"{counts.get(name, 0)} {name}" for name in order))
    return 1 if any(counts.get(name) for name in ("crash", "hang", "damaged")) else 0


if __name__ == "__main__":
    sys.exit(main())
