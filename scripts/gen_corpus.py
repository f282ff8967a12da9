#!/usr/bin/env python3
"""Writes Bulletin's synthetic benchmark corpus: N newsletter issues of French-like text.

    scripts/gen_corpus.py --issues N --layout bulletin|hugo --out DIR [--force]
                          [--seed S] [--hugo-no-taxonomies]

Every issue holds an édito (the body of issue.md), six articles of about 600 words
(headings, emphasis, links, bare URLs, a list; a quotation in the second, a GFM table
in the third) and three "En bref" items: ten Markdown files. Issue i draws from a
random generator of its own, seeded with "<seed>/issue/<i>", so a corpus of 50 issues
is the first 50 issues of a corpus of 500. The same Markdown bytes go into either
layout: Bulletin's (site.yml, issues/<dir>/issue.md, articles/, en-bref/) or Hugo's
(config.toml, four theme-less layouts, content/issues/<dir>/_index.md, ...), so the two
tools are timed on identical text.

Published figures compare only on the same corpus: the files must stay byte for byte
those whose digests docs/benchmark.md lists. The random draws below are therefore
made in a fixed order; reordering any of them, or editing the vocabulary, changes
every corpus.
Prints one line: layout, issues, md_files, md_bytes, md_sha256 (over the Markdown
texts in generation order). Python 3.8+, standard library only.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import sys
import unicodedata

DEFAULT_SEED = "newsletter-bench-1"
STAMP = ".gen_corpus"  # names a tree as ours, so that --force may delete it

ARTICLES = 6
BRIEFS = 3
ARTICLE_TARGET = 600 - 40  # body words: paragraphs are added until this many
EDITO_TARGET = 300 - 30
TABLE_IN = 3  # which article carries the table
QUOTE_IN = 2  # which article carries the quotation
DAY_ONE = datetime.date(1970, 1, 1)  # issue 1; weekly after that, always in the past

# The vocabulary is part of the corpus: any edit changes every file.
GRAMMAR_WORDS = """
le la les un une des du de d'une d'un l'on et ou mais donc car ni que qui
dont où à au aux en dans sur sous par pour avec sans entre vers chez
est sont était sera ont a fait peut doit plus moins très bien aussi
encore déjà toujours jamais ne pas ce cette ces son sa ses leur leurs
notre nos votre vos il elle ils elles nous on se tout tous toute
""".split()

MEANING_WORDS = """
ville quartier région commune territoire habitant habitante association
projet budget conseil réunion séance délibération école collège lycée
université étudiant enseignant élève formation emploi entreprise artisan
commerce marché agriculture agricultrice producteur récolte saison
printemps été automne hiver climat énergie chaleur électricité réseau
transport vélo tramway autobus gare route chantier travaux logement
bâtiment rénovation patrimoine musée bibliothèque médiathèque théâtre
concert festival exposition spectacle artiste écrivain photographe
jardin parc forêt rivière fleuve montagne littoral plage sentier
randonnée sport stade piscine équipe championnat victoire santé hôpital
médecin infirmière pharmacie prévention solidarité bénévole famille
enfant jeunesse aîné retraite emploi numérique données logiciel site
plateforme service public mairie préfecture département État Europe
rapport étude enquête chiffre indicateur hausse baisse croissance
économie investissement subvention appel candidature calendrier date
rendez-vous inscription atelier conférence débat rencontre témoignage
histoire mémoire archive découverte innovation recherche laboratoire
science biodiversité eau déchet recyclage sobriété qualité sécurité
nouveau nouvelle grand grande petit petite important importante
durable local locale régional régionale public publique collectif
collective ouvert ouverte gratuit gratuite premier première dernier
dernière prochain prochaine annuel annuelle essentiel essentielle
présenter accueillir organiser proposer lancer ouvrir découvrir
partager réunir soutenir accompagner financer construire préserver
améliorer développer réduire renforcer informer participer expliquer
présente accueille organise propose lance ouvre découvre partage
réunit soutient accompagne finance construit préserve améliore
développe réduit renforce informe participe explique annonce confirme
aujourd'hui demain hier désormais ensemble notamment également ainsi
pourtant cependant enfin d'abord ensuite surtout environ près loin
""".split()

GIVEN_NAMES = """
Camille Claire Élodie Hélène Inès Juliette Léa Manon Nathalie Sophie
Antoine Benoît Étienne François Guillaume Julien Laurent Mathieu Nicolas Théo
""".split()
FAMILY_NAMES = """
Bernard Dubois Durand Fournier Garnier Girard Lambert Lefèvre Martin
Mercier Moreau Petit Richard Robert Roux Thomas Bonnet Chevalier Faure Rousseau
""".split()
JOB_TITLES = [
    "Rédactrice en chef", "Rédacteur en chef", "Directrice de la publication",
    "Directeur de la publication", "Présidente", "Président", "Coordinatrice",
]
TOPICS = """
actualité culture éducation environnement économie santé sport
transport logement numérique solidarité agriculture recherche
patrimoine jeunesse emploi énergie démocratie europe associations
""".split()
HOSTS = ["www.exemple.fr", "exemple.org", "media.exemple.net", "ville.exemple.fr"]
# Four plain stops in seven: the weights are in the list itself.
STOPS = [".", ".", ".", ".", " !", " ?", "…"]

FUNCTION_WORD_SHARE = 0.38


def slug(text, max_len=60):
    """ASCII, lower case, runs of anything else as one dash; cut at max_len."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    dashed = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    return dashed[:max_len].rstrip("-") or "x"


def yaml_string(value):
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def upper_first(word):
    return word[:1].upper() + word[1:]


class Writer:
    """Draws text from one issue's generator and counts the body words it wrote."""

    def __init__(self, rng):
        self.rng = rng
        self.count = 0

    # -- words ---------------------------------------------------------------------
    def any_word(self):
        pool = GRAMMAR_WORDS if self.rng.random() < FUNCTION_WORD_SHARE else MEANING_WORDS
        return self.rng.choice(pool)

    def draw(self, how_many, meaningful=False):
        if meaningful:
            return [self.rng.choice(MEANING_WORDS) for _ in range(how_many)]
        return [self.any_word() for _ in range(how_many)]

    def caption(self, shortest, longest, meaningful=False):
        words = self.draw(self.rng.randint(shortest, longest), meaningful)
        return " ".join([upper_first(words[0])] + words[1:])

    def link_target(self):
        segments = [slug(w) for w in self.draw(self.rng.randint(1, 3), meaningful=True)]
        host = self.rng.choice(HOSTS)
        return "https://" + host + "/" + "/".join(segments)

    # -- inline --------------------------------------------------------------------
    def decorate(self, words, n):
        """At most one of bold, italic, link, bare URL; then maybe a comma."""
        roll = self.rng.random()
        if roll < 0.22:
            at = self.rng.randrange(1, n - 1)
            words[at:at + 2] = ["**" + words[at] + " " + words[at + 1] + "**"]
        elif roll < 0.40:
            at = self.rng.randrange(1, n)
            words[at] = "*" + words[at] + "*"
        elif roll < 0.52:
            at = self.rng.randrange(1, n - 2)
            label = " ".join(words[at:at + 3])
            words[at:at + 3] = ["[" + label + "](" + self.link_target() + ")"]
        elif roll < 0.55:
            at = self.rng.randrange(2, n - 1)
            # mid-sentence, so that no punctuation sticks to the autolink
            words.insert(at, "sur " + self.link_target())
        if self.rng.random() < 0.3 and len(words) > 6:
            at = self.rng.randrange(2, len(words) - 2)
            if "://" not in words[at]:
                words[at] = words[at] + ","

    def sentence(self, n, styled=True):
        words = self.draw(n)
        words[0] = upper_first(words[0])
        if styled and n >= 8:
            self.decorate(words, n)
        self.count += n
        return " ".join(words) + self.rng.choice(STOPS)

    # -- blocks --------------------------------------------------------------------
    def paragraph(self, shortest=45, longest=90):
        goal = self.rng.randint(shortest, longest)
        sentences, written = [], 0
        while written < goal:
            length = self.rng.randint(8, 20)
            sentences.append(self.sentence(length))
            written += length
        return " ".join(sentences)

    def heading(self, depth):
        text = self.caption(2, 6)
        self.count += len(text.split())
        return "#" * depth + " " + text

    def items(self, numbered):
        lines = []
        for position in range(1, self.rng.randint(3, 5) + 1):
            bullet = "%d." % position if numbered else "-"
            lines.append(bullet + " " + self.sentence(self.rng.randint(6, 14)))
        return "\n".join(lines)

    def figures(self):
        before = 2020 + self.rng.randint(0, 3)
        after = 2024 + self.rng.randint(0, 1)
        lines = ["| Indicateur | %d | %d |" % (before, after), "| --- | ---: | ---: |"]
        for _ in range(self.rng.randint(3, 5)):
            label = " ".join(self.draw(self.rng.randint(1, 3), meaningful=True)).capitalize()
            cells = []
            for _column in range(2):
                units = self.rng.randint(1, 999)
                tenths = self.rng.randint(0, 9)
                cells.append("%d,%d" % (units, tenths))
            lines.append("| " + " | ".join([label] + cells) + " |")
            self.count += 3
        return "\n".join(lines)

    def quotation(self):
        return "> " + self.sentence(self.rng.randint(12, 24), styled=False)

    def plain_sentence(self):
        return self.sentence(self.rng.randint(15, 30), styled=False)

    # -- bodies --------------------------------------------------------------------
    def article(self, index):
        self.count = 0
        blocks = [self.paragraph(50, 80)]
        blocks.append(self.heading(2))
        blocks.append(self.paragraph())
        blocks.append(self.paragraph())
        blocks.append(self.heading(3))
        blocks.append(self.items(numbered=index % 2 == 0))
        if index == TABLE_IN:
            blocks.append(self.paragraph(30, 50))
            blocks.append(self.figures())
        if index == QUOTE_IN:
            blocks.append(self.quotation())
        blocks.append(self.heading(2))
        while self.count < ARTICLE_TARGET:
            blocks.append(self.paragraph())
        return "\n\n".join(blocks) + "\n"

    def edito(self):
        self.count = 0
        blocks = []
        while self.count < EDITO_TARGET:
            blocks.append(self.paragraph(60, 100))
        return "\n\n".join(blocks) + "\n"

    def brief(self):
        self.count = 0
        return self.paragraph(40, 70) + "\n"


def document(fields, body):
    return "---\n%s\n---\n\n%s" % ("\n".join(fields), body)


def issue_files(seed, number):
    """The folder name of issue `number` and its files, as (path in the issue, text)."""
    rng = random.Random("%s/issue/%d" % (seed, number))
    pen = Writer(rng)
    day = DAY_ONE + datetime.timedelta(weeks=number - 1)
    topic = pen.caption(2, 4, meaningful=True)
    folder = "%04d-%02d-%s-%d" % (day.year, day.month, slug(topic, 40), number)

    signed = rng.choice(GIVEN_NAMES) + " " + rng.choice(FAMILY_NAMES)
    head = ["title: " + yaml_string("Numéro %d — %s" % (number, topic)),
            "number: %d" % number,
            "date: " + day.isoformat()]
    head.append("summary: " + yaml_string(pen.plain_sentence()))
    head += ["edito:", "  author: " + yaml_string(signed)]
    head.append("  role: " + yaml_string(rng.choice(JOB_TITLES)))
    video_count = rng.randint(0, 2)
    head.append("videos:" if video_count else "videos: []")
    for _ in range(video_count):
        head.append("  - title: " + yaml_string(pen.caption(3, 6)))
        head.append("    url: " + yaml_string("https://video.exemple.fr/v/%08x" % rng.getrandbits(32)))
    files = [("issue.md", document(head, pen.edito()))]

    for index in range(1, ARTICLES + 1):
        title = pen.caption(4, 9)
        tags = rng.sample(TOPICS, rng.randint(1, 3))
        head = ["title: " + yaml_string(title),
                "summary: " + yaml_string(pen.plain_sentence()),
                "tags: [" + ", ".join(yaml_string(tag) for tag in tags) + "]"]
        files.append(("articles/%02d-%s.md" % (index, slug(title, 50)), document(head, pen.article(index))))
    if len({path for path, _ in files}) != len(files):
        raise RuntimeError("issue %d: two articles share a file name" % number)

    for index in range(1, BRIEFS + 1):
        title = pen.caption(3, 6)
        files.append(("en-bref/%02d-%s.md" % (index, slug(title, 50)),
                      document(["title: " + yaml_string(title)], pen.brief())))
    return folder, files


# -- the two layouts --------------------------------------------------------------------

SITE_YML = (
    'title: "Lettre de banc d\'essai"\n'
    'base_url: "https://bench.example.fr/"\n'
    "language: fr\n"
    'description: "Corpus synthétique pour mesurer la vitesse de construction."\n'
)

CONFIG_TOML = (
    'baseURL = "https://exemple.fr/"\n'
    'title = "La Lettre"\n'
    'languageCode = "fr"\n'
    "buildFuture = true\n"
)
NO_TAXONOMIES = 'disableKinds = ["taxonomy", "term"]\n'

# Deliberately plain templates: Hugo renders the same content with no theme at all.
HUGO_TEMPLATES = [
    ("layouts/_default/baseof.html", """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""),
    ("layouts/_default/single.html", """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time>{{ end }}
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ with .Params.tags }}<ul class="tags">{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ .Content }}
</article>
{{ end }}
"""),
    ("layouts/_default/list.html", """\
{{ define "main" }}
<section>
<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time>{{ end }}
{{ with .Params.edito }}<p class="edito">{{ .author }}, {{ .role }}</p>{{ end }}
{{ .Content }}
{{ with .Params.videos }}<ul class="videos">{{ range . }}<li><a href="{{ .url }}">{{ .title }}</a></li>{{ end }}</ul>{{ end }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }} — {{ . }}{{ end }}</li>
{{ end }}</ul>
</section>
{{ end }}
"""),
    ("layouts/index.html", """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
{{ .Content }}
<ul>
{{ with .Site.GetPage "/issues" }}{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "02/01/2006" }}</time></li>
{{ end }}{{ end }}</ul>
{{ end }}
"""),
]


def place(layout, folder, path):
    """Where a file of the issue goes, relative to the output root."""
    if layout == "bulletin":
        return "/".join(["issues", folder, path])
    if path == "issue.md":
        path = "_index.md"
    elif path.startswith("articles/"):
        path = path.split("/", 1)[1]
    return "/".join(["content", "issues", folder, path])


def save(root, relative, text):
    """Writes UTF-8 bytes, creating folders; returns the number of bytes."""
    target = os.path.join(root, *relative.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    data = text.encode("utf-8")
    with open(target, "wb") as handle:
        handle.write(data)
    return len(data)


def clear(root, force):
    """An absent or empty folder is used as is; a tree of ours is replaced under --force."""
    if not os.path.lexists(root):
        os.makedirs(root)
        return
    if not os.path.isdir(root):
        sys.exit("error: %s exists and is not a directory" % root)
    if not os.listdir(root):
        return
    if not force:
        sys.exit("error: %s is not empty (use --force to replace a tree this script generated)" % root)
    if not os.path.isfile(os.path.join(root, STAMP)):
        sys.exit("error: %s was not generated by this script (no %s); refusing to delete it" % (root, STAMP))
    shutil.rmtree(root)
    os.makedirs(root)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Deterministic synthetic newsletter corpus, for benchmarking static site generators.")
    parser.add_argument("--issues", "-n", type=int, required=True, help="number of issues")
    parser.add_argument("--layout", choices=["bulletin", "hugo"], required=True)
    parser.add_argument("--out", "-o", required=True, help="output directory (created)")
    parser.add_argument("--seed", default=DEFAULT_SEED, help="corpus seed (default: %(default)s)")
    parser.add_argument("--hugo-no-taxonomies", action="store_true",
                        help="hugo layout: disable the default tags/categories pages")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT if it is a tree previously generated by this script")
    options = parser.parse_args(argv)
    if options.issues < 1:
        parser.error("--issues must be >= 1")
    return options


def main(argv=None):
    options = parse_arguments(argv)
    root = options.out
    clear(root, options.force)

    files = total = 0
    digest = hashlib.sha256()
    for number in range(1, options.issues + 1):
        folder, documents = issue_files(options.seed, number)
        for path, text in documents:
            total += save(root, place(options.layout, folder, path), text)
            digest.update(text.encode("utf-8"))
            files += 1

    if options.layout == "bulletin":
        save(root, "site.yml", SITE_YML)
    else:
        save(root, "config.toml", CONFIG_TOML + (NO_TAXONOMIES if options.hugo_no_taxonomies else ""))
        for path, text in HUGO_TEMPLATES:
            save(root, path, text)
    save(root, STAMP, "issues=%d layout=%s seed=%s\n" % (options.issues, options.layout, options.seed))

    print("layout=%s issues=%d md_files=%d md_bytes=%d md_sha256=%s"
          % (options.layout, options.issues, files, total, digest.hexdigest()))


if __name__ == "__main__":
    main()
