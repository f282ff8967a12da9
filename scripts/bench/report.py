#!/usr/bin/env python3
"""Prints the table of scripts/bench.sh and writes it as JSON.

    report.py --json OUT.json [--meta KEY=VALUE ...] N:BUILDS.json:SERVE.json ...

Ratios are bulletin / hugo: below 1, Bulletin is faster (or smaller).
"""
import argparse
import json
import time

from benchlib import save_json

# key, label, number format
ROWS = [
    ("cold_wall_s", "cold build, wall (s)", "%.2f"),
    ("cold_cpu_s", "cold build, CPU user+sys (s)", "%.2f"),
    ("cold_rss_mib", "cold build, peak RSS (MiB)", "%.0f"),
    ("warm_unchanged_s", "warm build, nothing changed (s)", "%.2f"),
    ("warm_one_article_s", "warm build, one article changed (s)", "%.2f"),
    ("serve_start_s", "serve, start to first page (s)", "%.2f"),
    ("serve_save_to_page_s", "serve, save to page updated (s)", "%.3f"),
    ("serve_save_to_reload_event_s", "serve, save to reload event (s)", "%.3f"),
    ("serve_idle_cpu_pct", "serve, idle CPU (% of a core)", "%.2f"),
    ("serve_peak_rss_mib", "serve, peak RSS (MiB)", "%.0f"),
]

# Near zero for a server at rest: a ratio of two such figures says nothing.
ABSOLUTE = {"serve_idle_cpu_pct"}


def ratio(ours, theirs):
    if ours is None or not theirs:
        return None
    return ours / theirs


def cells(key, entry, number):
    """(bulletin, hugo, ratio) as printed."""
    ours, theirs = entry.get("bulletin"), entry.get("hugo")
    left = "–" if ours is None else number % ours
    right = "–" if theirs is None else number % theirs
    if "fraction_of_cold" in entry:
        left += " (%.1f%% of cold)" % (100 * entry["fraction_of_cold"])
        right += " (cold)"
    shown = None if key in ABSOLUTE else ratio(ours, theirs)
    return left, right, "–" if shown is None else "%.2f" % shown


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", required=True)
    parser.add_argument("--meta", action="append", default=[])
    parser.add_argument("sizes", nargs="+", help="N:builds.json:serve.json")
    args = parser.parse_args()

    results = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "ratio": "bulletin / hugo", "issues": {}}
    results.update(item.split("=", 1) for item in args.meta)
    for size in args.sizes:
        issues, builds_path, serve_path = size.split(":")
        with open(builds_path) as handle:
            builds = json.load(handle)
        with open(serve_path) as handle:
            serve = json.load(handle)
        measures = dict(builds["measures"])
        measures.update(serve["measures"])
        for key, entry in measures.items():
            if "bulletin" in entry and key not in ABSOLUTE:
                entry["ratio"] = ratio(entry.get("bulletin"), entry.get("hugo"))
        results["issues"][issues] = {"runs": builds["runs"], "warmup": builds["warmup"],
                                     "cache_supported": builds["cache_supported"],
                                     "edited_article": serve["article"],
                                     "measures": measures, "checks": builds["checks"]}

        table = [("measure", "bulletin", "hugo", "ratio")]
        table += [(label,) + cells(key, measures[key], number) for key, label, number in ROWS
                  if key in measures and not measures[key].get("unsupported")]
        widths = [max(len(row[column]) for row in table) for column in range(4)]
        print()
        print("%s issues, medians of %d runs (ratio = bulletin / hugo; warm builds compare with Hugo's cold build, "
              "Hugo keeping no cache between builds)" % (issues, builds["runs"]))
        for index, row in enumerate(table):
            print("  ".join([row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]))
            if index == 0:
                print("  ".join("-" * width for width in widths))
        if not builds["cache_supported"]:
            print("warm build: not supported by this binary")
        for check, passed in builds["checks"].items():
            print("%s: %s" % (check.replace("_", " "), "yes" if passed else "NO"))
    if "cpus" in results:
        print("%s cores; load average (1, 5, 15 min) %s at the start, %s at the end: wall times wait for "
              "the CPU when the load passes the cores, CPU times much less"
              % (results["cpus"], results.get("load_start", "?"), results.get("load_end", "?")))
    save_json(args.json, results)
    print("\nwritten: %s" % args.json)


if __name__ == "__main__":
    main()
