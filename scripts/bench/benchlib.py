"""What scripts/bench/*.py share: timing a process, medians, the edited article."""
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


class Run:
    """One finished process: wall time, user+sys CPU time (s) and peak RSS (KiB)."""

    def __init__(self, wall, cpu, rss_kib, status, errors):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib
        self.status, self.errors = status, errors


def timed(command, env=None):
    """Runs `command` to its end (with `env` added to the environment); its own rusage
    (os.wait4), not the whole script's."""
    environment = dict(os.environ, **env) if env else None
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode, text)


def checked(run, what):
    if run.status != 0:
        raise SystemExit("bench: %s failed (exit %d):\n%s" % (what, run.status, run.errors[-4000:]))
    return run


def median(values):
    return statistics.median(values) if values else None


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


def same_tree(left, right):
    """diff -r: True when both trees hold the same files with the same bytes."""
    return subprocess.run(["diff", "-r", "-q", left, right], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def edited_article(bulletin_source, hugo_source):
    """The article both tools get edited: the last one of the newest issue (as
    scripts/measure-reload.py picks), as (issue folder, file name, bulletin path, hugo path)."""
    issues = os.path.join(bulletin_source, "issues")
    newest = sorted(name for name in os.listdir(issues) if not name.startswith("."))[-1]
    articles = sorted(name for name in os.listdir(os.path.join(issues, newest, "articles")) if name.endswith(".md"))
    name = articles[-1]
    return (newest, name, os.path.join(issues, newest, "articles", name),
            os.path.join(hugo_source, "content", "issues", newest, name))


class Appended:
    """Appends paragraphs to a file and puts its first bytes back on exit, whatever happens."""

    def __init__(self, *paths):
        self.originals = {path: open(path, "rb").read() for path in paths}

    def append(self, path, sentence):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n" + sentence + "\n")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        for path, data in self.originals.items():
            with open(path, "wb") as handle:
                handle.write(data)


def save_json(path, value):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
