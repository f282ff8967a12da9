#!/usr/bin/env python3
"""Checks the e-mail edition of every issue in a built site, as a mail client would.

    validate_email.py OUTPUT_DIR [--budget-kb 90]

For each output/issues/<issue>/ that has an index.html:
- email.html: no <script>, no stylesheet link, no iframe, no <form>; every <img> has an
  absolute src, alt, width and height; every href is absolute, mailto: or a merge tag;
  the layout is tables; a hidden preheader and a link to the web version; under budget.
- email.html rendered by headless Chromium at 600 and 375 px: nothing overflows
  horizontally (document scroll width <= viewport width).
- email.eml parsed by Python's email package: multipart/alternative with text/plain then
  text/html, both UTF-8; the Subject decodes to the issue's title; both parts equal the
  .txt and .html files; Date, Message-ID, MIME-Version, and List-Unsubscribe with
  List-Unsubscribe-Post when it names an https:// page (the example site sets both links).
- email.txt: every article title and its absolute URL, every En bref title, the
  unsubscribe line; no "<", "&amp;" or "**"; lines wrapped near 72 columns.
Exits 1 on any failure.
"""
import argparse
import email
import email.policy
import html
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin

MERGE_TAGS = re.compile(r"^(\*\|[A-Z_]+\|\*|\{\{\s*[\w.]+\s*\}\}|%[\w_]+%|\[[\w_]+\])$")


class Collector(HTMLParser):
    """Tags with their attributes, and the text of chosen classes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.capture = []  # (class, text) for teaser and brief titles on the web page
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        wanted = next((c for c in classes if c in ("teaser__title", "brief__title")), None)
        if tag not in ("img", "br", "meta", "link", "input", "source", "hr"):
            self._stack.append((tag, wanted, [], attributes))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, wanted, text, attributes = self._stack.pop()
            if wanted:
                self.capture.append((wanted, "".join(text).strip()))
            if self._stack:
                self._stack[-1][2].extend(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        for entry in self._stack:
            if entry[1]:
                entry[2].append(data)
                break


def parse(text):
    collector = Collector()
    collector.feed(text)
    return collector


def check_issue(folder, base_url, budget, failures, browser_pages):
    name = os.path.basename(folder)
    paths = {kind: os.path.join(folder, "email." + kind) for kind in ("html", "txt", "eml")}
    for kind, path in paths.items():
        if not os.path.exists(path):
            failures.append(f"{name}: email.{kind} is missing")
    if len(failures) and any(f.startswith(name) and "missing" in f for f in failures):
        return

    raw_html = open(paths["html"], encoding="utf-8").read()
    size = len(raw_html.encode("utf-8"))
    print(f"  {name}: email.html {size / 1024:.1f} KB, email.txt {os.path.getsize(paths['txt']) / 1024:.1f} KB, "
          f"email.eml {os.path.getsize(paths['eml']) / 1024:.1f} KB")
    if size > budget * 1024:
        failures.append(f"{name}: email.html is {size / 1024:.1f} KB, over the {budget} KB budget")
    page = parse(raw_html)
    lower = raw_html.lower()
    for needle, why in (("<script", "a script"), ("<iframe", "an iframe"), ("<form", "a form"), ("@import", "an @import")):
        if needle in lower:
            failures.append(f"{name}: email.html contains {why}")
    tables = 0
    for tag, attributes in page.tags:
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            failures.append(f"{name}: email.html links a stylesheet")
        if tag == "table":
            tables += 1
        if tag == "img":
            src = attributes.get("src") or ""
            if not re.match(r"^https?://", src):
                failures.append(f"{name}: image src is not absolute: {src!r}")
            for attribute in ("alt", "width", "height"):
                if attribute not in attributes:
                    failures.append(f"{name}: image {src} has no {attribute}")
        if tag == "a":
            href = attributes.get("href") or ""
            if not (re.match(r"^(https?://|mailto:)", href) or MERGE_TAGS.match(href)):
                failures.append(f"{name}: link is not absolute, mailto: or a merge tag: {href!r}")
    if tables < 2:
        failures.append(f"{name}: email.html is not laid out with tables ({tables} table)")
    if "display:none" not in raw_html.replace(" ", ""):
        failures.append(f"{name}: email.html has no hidden preheader")
    web_url = urljoin(base_url, f"issues/{name}/")
    if f'href="{web_url}"' not in raw_html:
        failures.append(f"{name}: email.html does not link to its web version {web_url}")
    if "<!--[if mso]>" not in raw_html:
        failures.append(f"{name}: email.html has no Outlook (MSO) conditional ghost table")
    browser_pages.append((name, paths["html"]))

    # The MIME message.
    with open(paths["eml"], "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    if message.get_content_type() != "multipart/alternative":
        failures.append(f"{name}: email.eml is {message.get_content_type()}, not multipart/alternative")
    parts = list(message.iter_parts())
    types = [part.get_content_type() for part in parts]
    if types != ["text/plain", "text/html"]:
        failures.append(f"{name}: email.eml parts are {types}, expected text/plain then text/html")
    for part in parts:
        if (part.get_content_charset() or "").lower() != "utf-8":
            failures.append(f"{name}: {part.get_content_type()} part is not UTF-8")
    web_page = parse(open(os.path.join(folder, "index.html"), encoding="utf-8").read())
    subject = str(message["subject"])
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", open(os.path.join(folder, "index.html"), encoding="utf-8").read(), re.S)
    title = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).split("—", 1)[-1].strip() if heading else ""
    if not title or title not in subject:
        failures.append(f"{name}: subject {subject!r} does not carry the issue title {title!r}")
    if not message["from"] or "@" not in str(message["from"]):
        failures.append(f"{name}: email.eml has no From address")
    # The headers Gmail and Yahoo require of bulk senders (February 2024).
    for header in ("Date", "Message-ID", "MIME-Version"):
        if not message[header]:
            failures.append(f"{name}: email.eml has no {header}")
    if message["date"] is not None and message["date"].datetime is None:
        failures.append(f"{name}: email.eml's Date {message['date']!r} does not parse")
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(message["message-id"] or "")):
        failures.append(f"{name}: email.eml's Message-ID {message['message-id']!r} is not <id@host>")
    links = re.findall(r"<([^<>]+)>", str(message["list-unsubscribe"] or ""))
    unsubscribe_links = [link for link in links if link.startswith(("https://", "mailto:"))]
    if not unsubscribe_links or len(unsubscribe_links) != len(links):
        failures.append(f"{name}: email.eml's List-Unsubscribe {message['list-unsubscribe']!r} is not a list of <mailto:…> and <https://…>")
    one_click = any(link.startswith("https://") for link in links)
    if one_click != (str(message["list-unsubscribe-post"] or "") == "List-Unsubscribe=One-Click"):
        failures.append(f"{name}: List-Unsubscribe-Post is {message['list-unsubscribe-post']!r} for List-Unsubscribe {links}")
    text = open(paths["txt"], encoding="utf-8").read()
    if len(parts) == 2:
        if parts[0].get_content().replace("\r\n", "\n") != text:
            failures.append(f"{name}: the text part of email.eml differs from email.txt")
        if parts[1].get_content().replace("\r\n", "\n") != raw_html:
            failures.append(f"{name}: the HTML part of email.eml differs from email.html")

    # The plain text.
    for needle in ("<", "&amp;", "**", "&#"):
        if needle in text:
            failures.append(f"{name}: email.txt contains {needle!r}")
    links = {tag_attributes.get("href") for tag, tag_attributes in web_page.tags if tag == "a"}
    flat = re.sub(r"[ \n]+", " ", text)  # titles may be wrapped over two lines
    for kind, title_text in web_page.capture:
        title_text = re.sub(r"[ \n]+", " ", title_text)
        if title_text and title_text not in flat:
            failures.append(f"{name}: email.txt lacks the {kind.split('__')[0]} {title_text!r}")
    for href in links:
        if href and href.endswith("/index.html") and href.count("/") >= 4 and f"issues/{name}/" in href:
            absolute = urljoin(urljoin(base_url, f"issues/{name}/"), href).replace("index.html", "")
            if absolute not in text:
                failures.append(f"{name}: email.txt lacks the article URL {absolute}")
    for line in text.splitlines():
        if len(line) > 78 and " " in line.strip() and not re.search(r"\S{40,}", line):
            failures.append(f"{name}: email.txt line longer than 78 columns: {line[:40]}…")
            break


def check_widths(pages, failures):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        failures.append("selenium is not installed (run scripts/install-test-deps.sh)")
        return
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        for width in (600, 375):
            driver.set_window_size(width, 900)
            for name, path in pages:
                driver.get("file://" + os.path.abspath(path))
                scroll, inner = driver.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth]")
                status = "ok" if scroll <= inner else "OVERFLOWS"
                print(f"  {name} @ {width}px: scrollWidth {scroll} <= innerWidth {inner}: {status}")
                if scroll > inner:
                    failures.append(f"{name}: email.html overflows at {width} px ({scroll} > {inner})")
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--budget-kb", type=int, default=90)
    args = parser.parse_args()
    home = open(os.path.join(args.output, "index.html"), encoding="utf-8").read()
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    base_url = canonical.group(1) if canonical else ""
    failures, pages = [], []
    issues_dir = os.path.join(args.output, "issues")
    folders = sorted(os.path.join(issues_dir, d) for d in os.listdir(issues_dir)
                     if os.path.exists(os.path.join(issues_dir, d, "index.html")))
    print(f"=== E-mail edition of {len(folders)} issue(s) ===")
    for folder in folders:
        check_issue(folder, base_url, args.budget_kb, failures, pages)
    print("=== Widths in headless Chromium ===")
    if pages:
        check_widths(pages, failures)
    for failure in failures:
        print("  FAIL " + failure)
    print(f"validate_email: {len(folders)} issue(s), {len(failures)} failure(s)")
    sys.exit(1 if failures or not folders else 0)


if __name__ == "__main__":
    main()
