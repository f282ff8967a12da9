#!/usr/bin/env python3
"""Bulletin's image work beside vipsthumbnail (the floor), in the same run, alternating:

    scripts/bench/images.py --bin BULLETIN [--photos 100] [--runs 3] [--corpus 500] [--warm-rounds N] [--json OUT.json]

The photos are the largest of each of Debian's plasma-workspace-wallpapers (JPEG and PNG,
up to 5,120 × 2,880), copied until there are --photos of them, each copy made distinct by
one byte after its end (decoders ignore it; a cache keyed by content does not). They go
into a site of issues of six photos each: the cover, five articles' images.

Measured:
- cold: `bulletin build --no-cache` of that site, against vipsthumbnail making the same
  copies of every photo (the four web widths in WebP, the e-mail's two in JPEG or PNG,
  the card cropped to 1,200 × 630), as many at once as there are cores;
- warm: one article edited, then `bulletin build` with its cache over the output it left,
  against the same build of the same site with its photos published as they are
  (BULLETIN_UNPROCESSED_IMAGES, as Bulletin did before it made copies): what image work
  adds to a warm build; and against the same site without its photos: what having them
  costs at all. Measured on that site of photos (17 issues of one line of text each,
  where little else costs anything), and, with --corpus N (default 500), on the benchmark
  corpus of N issues (scripts/gen_corpus.py) whose latest issues carry the same photos,
  six each, the edited article being the oldest issue's first;
- peak memory of the cold build.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import checked, median, timed  # noqa: E402

WIDTHS = [480, 800, 1200, 1600]


def wallpapers():
    """The largest image of each wallpaper, by pixel count in its file name."""
    best = {}
    for path in glob.glob("/usr/share/wallpapers/*/contents/images/*"):
        name = os.path.basename(path)
        stem, extension = os.path.splitext(name)
        if extension.lower() not in (".jpg", ".jpeg", ".png") or "x" not in stem:
            continue
        try:
            width, height = (int(part) for part in stem.split("x")[:2])
        except ValueError:
            continue
        wallpaper = path.split("/")[4]
        if wallpaper not in best or width * height > best[wallpaper][0]:
            best[wallpaper] = (width * height, path)
    return sorted(path for _, path in best.values())


def make_site(root, photos, with_photos=True):
    os.makedirs(os.path.join(root, "issues"))
    with open(os.path.join(root, "site.yml"), "w") as handle:
        handle.write('title: "Lettre des photos"\nbase_url: "https://photos.example.fr/"\nlanguage: fr\n')
    for number, start in enumerate(range(0, len(photos), 6), 1):
        folder = os.path.join(root, "issues", "2024-%02d-lettre-%d" % ((number - 1) % 12 + 1, number))
        group = photos[start:start + 6]
        names = ["photo-%d%s" % (index, os.path.splitext(path)[1].lower()) for index, path in enumerate(group)]
        os.makedirs(os.path.join(folder, "articles"))
        os.makedirs(os.path.join(folder, "images"))
        for name, path in zip(names, group):
            if with_photos:
                shutil.copyfile(path, os.path.join(folder, "images", name))
        cover = 'cover: images/%s\ncover_alt: "Une photo"\n' % names[0] if with_photos else ""
        with open(os.path.join(folder, "issue.md"), "w") as handle:
            handle.write('---\ntitle: "Lettre %d"\nnumber: %d\ndate: 2024-%02d-01\n%s---\nÉdito.\n' % (
                number, number, (number - 1) % 12 + 1, cover))
        for index, name in enumerate(names[1:], 1):
            image = 'image: ../images/%s\nimage_alt: "Une photo"\n' % name if with_photos else ""
            with open(os.path.join(folder, "articles", "%02d-article-%d.md" % (index, index)), "w") as handle:
                handle.write('---\ntitle: "Article %d"\n%s---\nTexte.\n' % (index, image))


def add_photos(corpus, photos):
    """The photos into the latest issues of a generated corpus, six to an issue: the cover
    and the first five articles' images."""
    issues = os.path.join(corpus, "issues")
    groups = [photos[start:start + 6] for start in range(0, len(photos), 6)]
    for folder, group in zip(sorted(os.listdir(issues))[-len(groups):], groups):
        folder = os.path.join(issues, folder)
        os.makedirs(os.path.join(folder, "images"), exist_ok=True)
        names = ["photo-%d%s" % (index, os.path.splitext(path)[1].lower()) for index, path in enumerate(group)]
        for name, path in zip(names, group):
            shutil.copyfile(path, os.path.join(folder, "images", name))

        def after_title(path, lines):
            with open(path) as handle:
                text = handle.read()
            head, title, rest = text.partition("\ntitle: ")
            line, newline, tail = rest.partition("\n")
            with open(path, "w") as handle:
                handle.write(head + title + line + newline + lines + tail)

        after_title(os.path.join(folder, "issue.md"), 'cover: images/%s\ncover_alt: "Une photo"\n' % names[0])
        articles = sorted(glob.glob(os.path.join(folder, "articles", "*.md")))
        for name, article in zip(names[1:], articles):
            after_title(article, 'image: ../images/%s\nimage_alt: "Une photo"\n' % name)


def warm_rounds(bulletin, sites, edited, rounds):
    """Each round edits `edited` (relative to each source) in every site, then builds them
    in turn, the first of one round the last of the next: the medians of each. `sites`:
    (source, cache folder, environment added or None)."""
    times = {source: [] for source, _, _ in sites}
    for source, store, env in sites:
        checked(timed(bulletin(source, store), env), "first cached build")
        checked(timed(bulletin(source, store), env), "settling build")
    for round_number in range(rounds):
        shift = round_number % len(sites)
        for source, store, env in sites[shift:] + sites[:shift]:
            with open(os.path.join(source, edited), "a") as handle:
                handle.write("\nUne phrase de plus, numéro %d.\n" % round_number)
            times[source].append(checked(timed(bulletin(source, store), env), "warm build").wall)
    return [median(times[source]) for source, _, _ in sites]


def vipsthumbnail_jobs(photos, out):
    """One vipsthumbnail command per copy Bulletin makes of each photo."""
    jobs = []
    for number, path in enumerate(photos):
        base = os.path.join(out, "p%d" % number)
        kind = "png" if path.lower().endswith(".png") else "jpg"
        for width in WIDTHS:
            jobs.append(["vipsthumbnail", path, "--size", "%dx" % width, "-o", "%s-%d.webp[Q=78,strip]" % (base, width)])
        jobs.append(["vipsthumbnail", path, "--size", "1200x", "-o", "%s-email.%s[Q=82,strip]" % (base, kind)])
        jobs.append(["vipsthumbnail", path, "--size", "240x", "-o", "%s-small.%s[Q=82,strip]" % (base, kind)])
        jobs.append(["vipsthumbnail", path, "--size", "1200x630", "--smartcrop", "attention", "-o", "%s-card.jpg[Q=82,strip]" % base])
    return jobs


def run_vipsthumbnail(jobs):
    """The jobs on every core (xargs -P), timed as one process tree."""
    with tempfile.NamedTemporaryFile("w", delete=False) as listing:
        for job in jobs:
            listing.write(" ".join("'%s'" % part.replace("'", "'\\''") for part in job) + "\n")
    run = timed(["sh", "-c", "xargs -d '\\n' -n 1 -P %d sh -c < %s" % (os.cpu_count(), listing.name)])
    os.unlink(listing.name)
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=int, default=500, help="issues of the corpus for the second warm measure (0: none)")
    parser.add_argument("--warm-rounds", type=int, help="rounds of the warm measures (default: ten per cold run, at least ten)")
    parser.add_argument("--scratch", default="/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir())
    parser.add_argument("--json")
    args = parser.parse_args()

    sources = wallpapers()
    if not sources or not shutil.which("vipsthumbnail"):
        raise SystemExit("bench: needs Debian's plasma-workspace-wallpapers and libvips-tools (apt-get install plasma-workspace-wallpapers libvips-tools)")
    work = tempfile.mkdtemp(prefix="bulletin-images-bench-", dir=args.scratch)
    try:
        photos = []
        for number in range(args.photos):
            source = sources[number % len(sources)]
            copy = os.path.join(work, "photos", "%03d%s" % (number, os.path.splitext(source)[1].lower()))
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(source, copy)
            with open(copy, "ab") as handle:
                handle.write(bytes([number % 256]))
            photos.append(copy)
        site, originals, bare = os.path.join(work, "site"), os.path.join(work, "originals"), os.path.join(work, "bare")
        make_site(site, photos)
        make_site(originals, photos)
        make_site(bare, photos, with_photos=False)
        print("%d photos from %d wallpapers (e.g. %s), %d issues" % (
            len(photos), len(sources), ", ".join(os.path.basename(path) for path in sources[:3]), (len(photos) + 5) // 6), file=sys.stderr)

        def bulletin(source, cache):
            command = [args.bin, "build", "--quiet", "--source", source, "--output", os.path.join(work, "out-" + os.path.basename(source))]
            return command + (["--cache", cache] if cache else ["--no-cache"])

        cold, floor, rss = [], [], []
        jobs = vipsthumbnail_jobs(photos, os.path.join(work, "thumbs"))
        for round_number in range(args.runs):
            for tool in (["bulletin", "vipsthumbnail"] if round_number % 2 == 0 else ["vipsthumbnail", "bulletin"]):
                if tool == "bulletin":
                    run = checked(timed(bulletin(site, None)), "cold bulletin build")
                    cold.append(run.wall)
                    rss.append(run.rss_kib / 1024)
                else:
                    shutil.rmtree(os.path.join(work, "thumbs"), ignore_errors=True)
                    os.makedirs(os.path.join(work, "thumbs"))
                    run = checked(run_vipsthumbnail(jobs), "vipsthumbnail")
                    floor.append(run.wall)
                print("  cold %-13s %6.2f s wall %7.2f s cpu %6d MiB" % (tool, run.wall, run.cpu, run.rss_kib / 1024), file=sys.stderr, flush=True)

        # Warm: one article's text edited, then a build with the cache over the output it
        # left, with the photos made into copies, published as they are, and without them.
        rounds = args.warm_rounds or max(args.runs * 10, 10)
        first = sorted(os.listdir(os.path.join(site, "issues")))[0]
        as_they_are = {"BULLETIN_UNPROCESSED_IMAGES": "1"}
        warm, warm_originals, warm_bare = warm_rounds(
            bulletin, [(site, os.path.join(work, "cache"), None), (originals, os.path.join(work, "cache-originals"), as_they_are),
                       (bare, os.path.join(work, "cache-bare"), None)],
            os.path.join("issues", first, "articles", "01-article-1.md"), rounds)

        result = {
            "photos": len(photos), "runs": args.runs,
            "cold_bulletin_s": median(cold), "cold_vipsthumbnail_s": median(floor),
            "cold_ratio": median(cold) / median(floor),
            "cold_peak_rss_mib": max(rss),
            "warm_with_photos_s": warm, "warm_photos_as_they_are_s": warm_originals, "warm_without_photos_s": warm_bare,
            "warm_added_share": warm / warm_originals - 1, "warm_photos_share": warm / warm_bare - 1,
        }
        if args.corpus:
            corpus, corpus_originals = os.path.join(work, "corpus"), os.path.join(work, "corpus-originals")
            corpus_bare = os.path.join(work, "corpus-bare")
            generator = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen_corpus.py")
            for folder in (corpus, corpus_originals, corpus_bare):
                subprocess.run([sys.executable, generator, "--issues", str(args.corpus), "--layout", "bulletin", "--out", folder],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            add_photos(corpus, photos)
            add_photos(corpus_originals, photos)
            oldest = sorted(os.listdir(os.path.join(corpus, "issues")))[0]
            article = sorted(os.listdir(os.path.join(corpus, "issues", oldest, "articles")))[0]
            with_photos, as_is, without = warm_rounds(
                bulletin, [(corpus, os.path.join(work, "cache-corpus"), None),
                           (corpus_originals, os.path.join(work, "cache-corpus-originals"), as_they_are),
                           (corpus_bare, os.path.join(work, "cache-corpus-bare"), None)],
                os.path.join("issues", oldest, "articles", article), rounds)
            result.update({
                "corpus_issues": args.corpus, "corpus_warm_with_photos_s": with_photos, "corpus_warm_photos_as_they_are_s": as_is,
                "corpus_warm_without_photos_s": without, "corpus_warm_added_share": with_photos / as_is - 1,
                "corpus_warm_photos_share": with_photos / without - 1,
            })
        print("\n%d photos, medians of %d rounds" % (len(photos), args.runs))
        print("cold: bulletin %.2f s, vipsthumbnail %.2f s: %.2f× the floor" % (result["cold_bulletin_s"], result["cold_vipsthumbnail_s"], result["cold_ratio"]))
        print("cold: peak memory %d MiB" % result["cold_peak_rss_mib"])
        line = ("%s: %.4f s with the photos made into copies, %.4f s with them as they are, %.4f s without them: "
                "image work adds %+.1f %%; the photos, copies made, add %+.1f %% to the site without them")
        print(line % ("warm (one article edited, %d rounds)" % rounds, result["warm_with_photos_s"], result["warm_photos_as_they_are_s"],
                      result["warm_without_photos_s"], 100 * result["warm_added_share"], 100 * result["warm_photos_share"]))
        if args.corpus:
            print(line % ("warm, corpus of %d issues with the photos in its latest" % args.corpus, result["corpus_warm_with_photos_s"],
                          result["corpus_warm_photos_as_they_are_s"], result["corpus_warm_without_photos_s"],
                          100 * result["corpus_warm_added_share"], 100 * result["corpus_warm_photos_share"]))
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(result, handle, indent=2)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
