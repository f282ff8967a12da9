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

    # Rounds alternate which tool goes first, so that neither always inherits the other's
    # page cache or CPU frequency. In each round, Bulletin's warm builds follow its cold
    # build at once: a warm build is a share of a cold one, and these machines change speed
    # from one minute to the next. The first build over a cold build's output lists again
    # the folders it wrote (their stamps are too recent to trust), so one build settles the
    # cache before the measured ones, as an editor's second build would find it.
    runs = {"bulletin": [], "hugo": []}
    unchanged, one_article = [], []
    _, _, article, _ = edited_article(args.bulletin_source, args.hugo_source)
    with Appended(article) as edits:
        for round_number in range(args.warmup + args.runs):
            measured = round_number >= args.warmup
            order = ["bulletin", "hugo"] if round_number % 2 == 0 else ["hugo", "bulletin"]
            for tool in order:
                run = cold_bulletin() if tool == "bulletin" else cold_hugo()
                if measured:
                    runs[tool].append(run)
                print("  cold %-8s %6.2f s wall %6.2f s cpu %7.0f MiB%s" % (
                    tool, run.wall, run.cpu, run.rss_kib / 1024, "" if measured else "  (warm-up)"),
                    file=sys.stderr, flush=True)
                if tool != "bulletin" or not cached:
                    continue
                checked(timed(bulletin(out_bulletin)), "warm bulletin build")
                warm = checked(timed(bulletin(out_bulletin)), "warm bulletin build").wall
                edits.append(article, "Phrase ajoutée pour la mesure numéro %d du cache." % (round_number + 1))
                edited = checked(timed(bulletin(out_bulletin)), "warm bulletin build").wall
                if measured:
                    unchanged.append(warm)
                    one_article.append(edited)
                print("  warm bulletin  %5.2f s nothing changed, %.2f s one article changed%s" % (
                    warm, edited, "" if measured else "  (warm-up)"), file=sys.stderr, flush=True)

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
        cold_bulletin()
        checks["same_bytes"] = same_as_cold_build(out_bulletin, "again")

        hugo_cold = measures["cold_wall_s"]["hugo"]
        if not cached:
            print("  warm build: not supported by this binary", file=sys.stderr, flush=True)
            measures["warm_unchanged_s"] = measures["warm_one_article_s"] = {"unsupported": True}
        else:
            # What the cache gave must be what a cold build of the same input gives.
            checked(timed(bulletin(out_bulletin)), "warm bulletin build")
            checks["warm_unchanged_same_bytes"] = same_as_cold_build(out_bulletin, "fresh")
            edits.append(article, "Phrase ajoutée pour vérifier le cache.")
            checked(timed(bulletin(out_bulletin)), "warm bulletin build")
            checks["warm_one_article_same_bytes"] = same_as_cold_build(out_bulletin, "fresh")
            colds = [run.wall for run in runs["bulletin"]]
            for key, values in (("warm_unchanged_s", unchanged), ("warm_one_article_s", one_article)):
                # The share of the cold build of the same round, median over the rounds.
                fractions = [warm / cold for warm, cold in zip(values, colds) if cold]
                measures[key] = {"bulletin": median(values), "hugo": hugo_cold, "bulletin_runs": values,
                                 "fractions_of_cold": fractions, "fraction_of_cold": median(fractions) if fractions else None}
                print("  %s: %s (%s of the round's cold build)" % (
                    key, " ".join("%.2f" % v for v in values), " ".join("%.1f %%" % (100 * f) for f in fractions)),
                    file=sys.stderr, flush=True)
    remove(out_bulletin)
    remove(cache)
    save_json(args.json, result)


if __name__ == "__main__":
    main()
