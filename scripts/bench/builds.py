#!/usr/bin/env python3
"""Full builds, Bulletin beside Hugo: cold builds in alternating rounds, warm builds
(when the binary has --cache), and the same-bytes checks. Writes a JSON of the
measures; scripts/bench.sh runs it, scripts/bench/report.py prints it.

    builds.py --bin BULLETIN --bulletin-source S --hugo-source H --scratch DIR
              --runs R [--warmup W] --json OUT.json
"""
import argparse
import os
import subprocess
import sys

from benchlib import Appended, checked, edited_article, median, remove, same_tree, save_json, timed


def supports_cache(binary):
    shown = subprocess.run([binary, "build", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return "--cache" in shown.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--bulletin-source", required=True)
    parser.add_argument("--hugo-source", required=True)
    parser.add_argument("--scratch", required=True, help="outputs and caches go here (tmpfs)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    scratch = args.scratch
    out_bulletin = os.path.join(scratch, "out-bulletin")
    out_hugo = os.path.join(scratch, "out-hugo")
    cache = os.path.join(scratch, "cache-bulletin")
    cached = supports_cache(args.bin)

    def bulletin(output, cache_dir=cache):
        command = [args.bin, "build", "--quiet", "--source", args.bulletin_source, "--output", output]
        return command + (["--cache", cache_dir] if cached else [])

    hugo = ["hugo", "--quiet", "-s", args.hugo_source, "-d", out_hugo]

    def cold_bulletin():
        remove(out_bulletin)
        remove(cache)
        return checked(timed(bulletin(out_bulletin)), "bulletin build")

    def same_as_cold_build(tree, name):
        """Whether a cold build of the corpus as it is now, into a folder of its own, equals `tree`."""
        fresh, fresh_cache = os.path.join(scratch, "out-bulletin-" + name), os.path.join(scratch, "cache-" + name)
        remove(fresh)
        checked(timed(bulletin(fresh, fresh_cache)), "bulletin build")
        same = same_tree(tree, fresh)
        remove(fresh)
        remove(fresh_cache)
        return same

    def cold_hugo():
        remove(out_hugo)
        return checked(timed(hugo), "hugo")

    # Cold builds: rounds alternate which tool goes first, so that neither always
    # inherits the other's page cache or CPU frequency.
    runs = {"bulletin": [], "hugo": []}
    tools = {"bulletin": cold_bulletin, "hugo": cold_hugo}
    for round_number in range(args.warmup + args.runs):
        order = ["bulletin", "hugo"] if round_number % 2 == 0 else ["hugo", "bulletin"]
        for tool in order:
            run = tools[tool]()
            if round_number >= args.warmup:
                runs[tool].append(run)
            print("  cold %-8s %6.2f s wall %6.2f s cpu %7.0f MiB%s" % (
                tool, run.wall, run.cpu, run.rss_kib / 1024, "" if round_number >= args.warmup else "  (warm-up)"),
                file=sys.stderr, flush=True)
    remove(out_hugo)

    result = {"cache_supported": cached, "runs": args.runs, "warmup": args.warmup, "measures": {}, "checks": {}}
    measures, checks = result["measures"], result["checks"]

    def pair(key, field, scale=1.0):
        values = {tool: [getattr(run, field) * scale for run in runs[tool]] for tool in runs}
        measures[key] = {"bulletin": median(values["bulletin"]), "hugo": median(values["hugo"]),
                         "bulletin_runs": values["bulletin"], "hugo_runs": values["hugo"]}

    pair("cold_wall_s", "wall")
    pair("cold_cpu_s", "cpu")
    pair("cold_rss_mib", "rss_kib", 1 / 1024)

    # Same input, same bytes: builds run on every core; a race shows up as a difference.
    checks["same_bytes"] = same_as_cold_build(out_bulletin, "again")

    cold = measures["cold_wall_s"]["bulletin"]
    hugo_cold = measures["cold_wall_s"]["hugo"]
    if not cached:
        print("  warm build: not supported by this binary", file=sys.stderr, flush=True)
        measures["warm_unchanged_s"] = measures["warm_one_article_s"] = {"unsupported": True}
    else:
        # Nothing changed: build again over the output and the cache of a cold build.
        reference = os.path.join(scratch, "out-bulletin-reference")
        remove(reference)
        os.rename(out_bulletin, reference)  # the last cold build, kept to compare
        cold_bulletin()
        unchanged = []
        for _ in range(args.runs):
            unchanged.append(checked(timed(bulletin(out_bulletin)), "warm bulletin build").wall)
        checks["warm_unchanged_same_bytes"] = same_tree(out_bulletin, reference)
        remove(reference)

        # One article changed between builds, a different sentence each time.
        _, _, article, _ = edited_article(args.bulletin_source, args.hugo_source)
        one_article = []
        with Appended(article) as edits:
            for number in range(args.runs):
                edits.append(article, "Phrase ajoutée pour la mesure numéro %d du cache." % (number + 1))
                one_article.append(checked(timed(bulletin(out_bulletin)), "warm bulletin build").wall)
            # What the cache gave must be what a cold build of the edited corpus gives.
            checks["warm_one_article_same_bytes"] = same_as_cold_build(out_bulletin, "fresh")
        for key, values in (("warm_unchanged_s", unchanged), ("warm_one_article_s", one_article)):
            value = median(values)
            measures[key] = {"bulletin": value, "hugo": hugo_cold, "bulletin_runs": values,
                             "fraction_of_cold": value / cold if cold else None}
            print("  %s: %s" % (key, " ".join("%.2f" % v for v in values)), file=sys.stderr, flush=True)
    remove(out_bulletin)
    remove(cache)
    save_json(args.json, result)


if __name__ == "__main__":
    main()
