#!/usr/bin/env python3
"""Differential check of the build cache: random edits of a site, one after another, each
followed by a warm build (with the cache) and a cold one (--no-cache, into another
folder); the two outputs must be byte for byte the same, and so must what they print.

    scripts/cache-check.py BULLETIN SITE [--rounds N] [--seed S]

SITE is copied; the copy is edited. Edits: an article's text, a title, a date (which
reorders issues), a heading and a link to it, a link to another issue, a new issue
(some dated in the future), a deleted issue, a renamed article, a draft flag, a
comment in site.yml, a static file, and time passing (`--now` moves on, so that future
issues are published without a file changing).
Exits 1 at the first difference, naming the edit and the files.
"""
import argparse, filecmp, os, random, re, shutil, subprocess, sys, tempfile


def tree(folder):
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, folder)] = handle.read()
    return files


TODAY = ["2026-01-01"]  # "time passes" moves it: future issues are published on their day


def build(binary, site, output, cached):
    command = [binary, "build", "--source", site, "--output", output, "--now", TODAY[0], "--quiet"]
    if not cached:
        command.append("--no-cache")
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return run.returncode, run.stderr


def issues(site):
    folder = os.path.join(site, "issues")
    return sorted(name for name in os.listdir(folder) if os.path.isdir(os.path.join(folder, name)))


def articles(site, issue):
    folder = os.path.join(site, "issues", issue, "articles")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def edit_text(path, change):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(change(text))


def random_edit(site, rng, round_number):
    names = issues(site)
    issue = rng.choice(names)
    issue_md = os.path.join(site, "issues", issue, "issue.md")
    choices = ["article", "title", "date", "new", "delete", "rename", "draft", "site", "static", "heading", "link", "time"]
    kind = rng.choice(choices)
    if kind == "article" and articles(site, issue):
        article = os.path.join(site, "issues", issue, "articles", rng.choice(articles(site, issue)))
        edit_text(article, lambda t: t + "\nPhrase ajoutée %d.\n" % round_number)
        return "text of %s" % article
    if kind == "title":
        edit_text(issue_md, lambda t: re.sub(r'(?m)^title: "?(.*?)"?$', lambda m: 'title: "%s %d"' % (m.group(1), round_number), t, count=1))
        return "title of %s" % issue
    if kind == "date":
        edit_text(issue_md, lambda t: re.sub(r"(?m)^date: \d{4}-\d{2}-\d{2}", "date: %d-%02d-15" % (rng.randint(1990, 2025), rng.randint(1, 12)), t, count=1))
        return "date of %s" % issue
    if kind == "new":
        name = "2030-%02d-nouveau-%d" % (rng.randint(1, 12), round_number)
        os.makedirs(os.path.join(site, "issues", name))
        date = rng.choice(["2025-06-01", "2026-03-01", "2026-09-01"])  # some in the future
        with open(os.path.join(site, "issues", name, "issue.md"), "w", encoding="utf-8") as handle:
            handle.write('---\ntitle: "Nouveau %d"\nnumber: %d\ndate: %s\n---\nÉdito %d, voir [un autre](../%s/issue.md).\n'
                         % (round_number, 100000 + round_number, date, round_number, rng.choice(names)))
        return "new issue %s dated %s" % (name, date)
    if kind == "link":
        target = rng.choice(names)
        edit_text(issue_md, lambda t: t + "\nVoir aussi [ce numéro](../%s/issue.md).\n" % target)
        return "a link from %s to %s" % (issue, target)
    if kind == "time":
        TODAY[0] = {"2026-01-01": "2026-04-01", "2026-04-01": "2026-12-01"}.get(TODAY[0], TODAY[0])
        return "time passes (today is %s)" % TODAY[0]
    if kind == "delete" and len(names) > 3:
        # Only an issue no other file links to: a link to it would be a (correct) error.
        for candidate in rng.sample(names, len(names)):
            linked = any(candidate in open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
                         for root, _, files in os.walk(os.path.join(site, "issues")) for f in files
                         if f.endswith(".md") and not root.startswith(os.path.join(site, "issues", candidate)))
            if not linked:
                shutil.rmtree(os.path.join(site, "issues", candidate))
                return "deleted %s" % candidate
    if kind == "rename" and articles(site, issue):
        old = rng.choice(articles(site, issue))
        folder = os.path.join(site, "issues", issue, "articles")
        linked = any(old in open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
                     for root, _, files in os.walk(os.path.join(site, "issues")) for f in files if f.endswith(".md"))
        if not linked:
            new = "99-renomme-%d.md" % round_number
            os.rename(os.path.join(folder, old), os.path.join(folder, new))
            return "renamed %s/%s" % (issue, old)
    if kind == "draft":
        edit_text(issue_md, lambda t: t.replace("---\n", "---\ndraft: true\n", 1) if "draft: true" not in t else t.replace("draft: true\n", ""))
        return "draft flag of %s" % issue
    if kind == "site":
        edit_text(os.path.join(site, "site.yml"), lambda t: t + "\n# modification %d\n" % round_number)
        return "site.yml"
    if kind == "static":
        os.makedirs(os.path.join(site, "static"), exist_ok=True)
        with open(os.path.join(site, "static", "note-%d.txt" % round_number), "w") as handle:
            handle.write("note\n")
        return "a static file"
    if kind == "heading" and articles(site, issue):
        article = os.path.join(site, "issues", issue, "articles", rng.choice(articles(site, issue)))
        edit_text(article, lambda t: t + "\n## Intertitre %d\n\nTexte.\n" % round_number)
        edit_text(issue_md, lambda t: t + "\nVoir [l'intertitre](articles/%s#intertitre-%d).\n" % (os.path.basename(article), round_number))
        return "a heading and a link to it in %s" % issue
    edit_text(issue_md, lambda t: t + "\nÉdito complété %d.\n" % round_number)
    return "édito of %s" % issue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("site")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="bulletin-cache-check-")
    try:
        site = os.path.join(work, "site")
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("output", ".bulletin-cache"))
        warm, cold = os.path.join(work, "warm"), os.path.join(work, "cold")
        status, said = build(args.binary, site, warm, cached=True)
        if status != 0:
            sys.exit("cache-check: the site does not build: %s" % said[:2000])
        for number in range(1, args.rounds + 1):
            edit = random_edit(site, rng, number)
            warm_status, warm_said = build(args.binary, site, warm, cached=True)
            shutil.rmtree(cold, ignore_errors=True)
            cold_status, cold_said = build(args.binary, site, cold, cached=False)
            if (warm_status, warm_said) != (cold_status, cold_said):
                sys.exit("cache-check: after %s (round %d), the warm build said\n%s\nand the cold one\n%s"
                         % (edit, number, warm_said[-2000:], cold_said[-2000:]))
            if cold_status != 0:
                print("  round %d: %s: both builds fail the same way" % (number, edit))
                continue
            a, b = tree(warm), tree(cold)
            differ = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
            if differ:
                sys.exit("cache-check: after %s (round %d), these files differ from a cold build: %s"
                         % (edit, number, ", ".join(differ[:10])))
            print("  round %d: %s: same bytes (%d files)" % (number, edit, len(a)))
        print("cache-check: %d rounds, every warm build wrote what a cold build writes" % args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
