#!/usr/bin/env python3
"""The print edition, as an editor makes it: headless Chromium prints an issue page and
an article page of a built site to PDF (A4, as "Imprimer → Enregistrer au format PDF"
does), and poppler's pdfinfo and pdftotext read it back.

Usage: print_pdf.py OUTPUT_DIR

For the newest issue's page:
  - its number, title and date, every article's title, every key figure and agenda
    entry, and the masthead are in the text; the masthead comes last;
  - no navigation or site chrome: not the skip link, the site's menu, the table of
    contents, the feed link or the copyright line;
  - the articles start on a page of their own (the page that holds the first article's
    heading holds nothing of the édito);
  - each key figure and each agenda entry is on one page, never cut;
  - the page count is between 2 (the articles start a new page) and 12.
For the first article page whose body links to another site: the title on the first
page, no breadcrumb; each such link is followed by its address.

Exit status: 0 when all pass, 1 when a check failed, 2 when the tools are missing.
"""
from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chromium  # noqa: E402

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"  FAIL  {message}")


def squeeze(text: str) -> str:
    """Text with every run of white space (line breaks, no-break spaces) made one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def texts(page_html: str, pattern: str) -> list[str]:
    """The plain text of each match of `pattern` (a regex with one group) in a page."""
    # Text hidden but for screen readers is not printed either.
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', " ", page_html, flags=re.S)
    return [squeeze(html.unescape(re.sub(r"<[^>]+>", " ", found))) for found in re.findall(pattern, shown, re.S)]


def print_to_pdf(driver, page: Path, out: Path) -> list[str]:
    """The page printed to `out`; the text of each of its pages."""
    driver.get(page.resolve().as_uri())
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
    out.write_bytes(base64.b64decode(pdf["data"]))
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    if size and not (abs(float(size.group(1)) - 595) < 3 and abs(float(size.group(2)) - 842) < 3):
        fail(f"{page.parent.name}/{page.name}: pages are {size.group(1)} × {size.group(2)} pt, not A4 (595 × 842)")
    return [
        subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(out), "-"],
                       capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


def flat(text: str) -> str:
    """For comparing with what pdftotext reads: no white space (a line's end, letter
    spacing), lower case (headings set in capitals by the stylesheet)."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " ").replace("\u202f", " ")).lower()


def pieces(page_html: str, item: str) -> list[list[str]]:
    """Each match of `item` (a regex with one group), as the texts of its paragraphs and
    headings: a key figure's value, label and source; an event's date, title and place."""
    return [[t for t in texts(found, r"<(?:p|h3)[^>]*>(.*?)</(?:p|h3)>") if t] for found in re.findall(item, page_html, re.S)]


def check_issue(driver, root: Path, issue: Path, scratch: Path) -> None:
    source = issue.read_text(encoding="utf-8")
    pages = [flat(p) for p in print_to_pdf(driver, issue, scratch / "issue.pdf")]
    whole = "".join(pages)
    name = str(issue.relative_to(root))
    print(f"  {name}: {len(pages)} pages")
    if not 2 <= len(pages) <= 12:
        fail(f"{name}: {len(pages)} pages, expected 2 to 12")
    header = texts(source, r'<h1 class="issue-header__title">(.*?)</h1>') + texts(source, r'<p class="issue-header__date">(.*?)</p>')
    articles = texts(source, r'<h3 class="teaser__title">(.*?)</h3>')
    figures = pieces(source, r'<li class="keyfigure">(.*?)</li>')
    events = pieces(source, r'<li class="event">(.*?)</li>')
    roles = texts(source, r"<dt>(.*?)</dt>")
    if not (header and articles and figures and events and roles):
        fail(f"{name}: the example issue should have a header, articles, key figures, an agenda and a masthead")
        return
    for label, wanted in (("header", header), ("article title", articles), ("masthead role", roles)):
        for text in wanted:
            if flat(text) not in whole:
                fail(f"{name}: the {label} {text!r} is not in the PDF")
    if flat(roles[0]) not in pages[-1]:
        fail(f"{name}: the masthead ({roles[0]!r}) is not on the last page")
    # Each key figure and each event on one page, never cut.
    for label, items in (("key figure", figures), ("agenda entry", events)):
        for parts in items:
            if not any(all(flat(part) in page for part in parts) for page in pages):
                fail(f"{name}: the {label} {' / '.join(parts)!r} is not whole on one page")
    chrome = {
        "skip link": texts(source, r'<a class="skip-link"[^>]*>(.*?)</a>'),
        "menu": texts(source, r'<nav class="site-nav"[^>]*>(.*?)</nav>'),
        "table of contents": texts(source, r'<h2 class="toc__title"[^>]*>(.*?)</h2>'),
        "feed link": texts(source, r'<p class="site-footer__feed">(.*?)</p>'),
        "copyright": texts(source, r'<p class="site-footer__legal">(.*?)</p>'),
    }
    for label, found in chrome.items():
        for text in found:
            if text and flat(text) in whole:
                fail(f"{name}: the {label} ({text!r}) is printed")
    # The articles from a page of their own: the page with the first article's title
    # holds none of the édito, which comes before.
    edito = texts(source, r'<div class="edito__body prose">(.*?)</div>')
    first = next((p for p in pages if flat(articles[0]) in p), "")
    last_words = flat(edito[0][-80:]) if edito else ""
    if not first or (last_words and last_words in first):
        fail(f"{name}: the articles do not start on a new page")


def check_article(driver, root: Path, article: Path, scratch: Path) -> None:
    source = article.read_text(encoding="utf-8")
    pages = print_to_pdf(driver, article, scratch / "article.pdf")
    whole = squeeze("\n".join(pages))
    name = str(article.relative_to(root))
    print(f"  {name}: {len(pages)} page(s)")
    title = texts(source, r'<h1 class="article-header__title">(.*?)</h1>')
    if not title or title[0] not in squeeze(pages[0]):
        fail(f"{name}: the title is not on the first page")
    crumbs = texts(source, r'<nav class="wrap breadcrumb"[^>]*>(.*?)</nav>')
    if crumbs and crumbs[0] in whole:
        fail(f"{name}: the breadcrumb is printed")
    body = re.search(r'<div class="article-body prose">(.*?)</div>\n', source, re.S)
    links = re.findall(r'<a href="(https?://[^"]+)"', body.group(1)) if body else []
    flat = whole.replace(" ", "")
    for url in links:
        if html.unescape(url).replace(" ", "") not in flat:
            fail(f"{name}: the link to {url} is printed without its address")
    print(f"  {name}: {len(links)} link(s) to other sites")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[0])
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            print(f"print_pdf: {tool} is missing (Debian poppler-utils; scripts/install-test-deps.sh installs it)", file=sys.stderr)
            return 2
    issues = sorted((root / "issues").glob("*/index.html"))
    if not issues:
        print(f"print_pdf: no issue page in {root}", file=sys.stderr)
        return 2
    newest = issues[-1]
    articles = sorted(p for issue in issues for p in issue.parent.glob("*/index.html"))
    driver = chromium.start()
    if isinstance(driver, str):
        print(f"print_pdf: {driver}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="bulletin-print-"))
    try:
        print("print_pdf: an issue and an article printed to A4 PDF in headless Chromium")
        check_issue(driver, root, newest, scratch)
        linked = [p for p in articles if re.search(r'<div class="article-body prose">.*?<a href="https?://', p.read_text(encoding="utf-8"), re.S)]
        check_article(driver, root, (linked or articles)[0], scratch)
    finally:
        driver.quit()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"print_pdf: {'FAILED, ' + str(len(failures)) + ' failure(s)' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
