#!/usr/bin/env python3
"""Raw HTML under `markdown.unsafe_html: true`, run in a real browser: nothing runs.

Usage: sanitizer_browser.py BULLETIN_BINARY

Copies the fixture site Tests/BulletinKitTests/Fixtures/valid-basic to a temporary
folder, turns `markdown.unsafe_html` on, writes hostile raw HTML (handlers written
without spaces, `<svg/onload>`, `<a/href=javascript:>`, SVG `<animate>`, entity-encoded
schemes, mutation-XSS shapes...) into an article and into the issue's édito, builds the
site, then opens in headless Chromium the article page, the issue page and the issue's
`email.html` (from disk, as a reader opens them), and the HTML part of `email.eml`.

Every payload calls `alert(N)`. A script Chromium runs before each document replaces
`alert`, `confirm`, `prompt` and `print` with functions that record their call, and the
page is scrolled, hovered and its elements focused, so that handlers that need a user
have their chance. Then, on each page:
  - no call was recorded;
  - no element carries an `on…` attribute, no link or form leads to `javascript:`/`data:`,
    no `script`, `iframe`, `object` or `embed` comes from the payloads;
  - the harmless HTML written beside the payloads (a figure with a class) is there, so
    that a page that lost the whole body cannot pass.

Prints PASS/FAIL lines and `N passed, N failed`; exits 1 when a check failed, 2 when the
browser or the build cannot be started. Dependencies: scripts/install-test-deps.sh.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import chromium

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests" / "BulletinKitTests" / "Fixtures" / "valid-basic"
ISSUE = "issues/2023-06-lettre-ete"

# Each runs `alert(N)` in some browser if it gets through as written. Images have an
# `alt` and an absolute `src`, tables a role: the site must build, and the e-mail's
# preflight refuses a relative URL, an image without `alt` and a layout table without
# `role="presentation"` (an absolute `src` that cannot load fires `onerror` as `x` does).
PAYLOADS = [
    '<img alt="" src="https://lettre.example.fr/x"/onerror=alert(1)>',
    '<img alt="" src="https://lettre.example.fr/x"onerror=alert(2)>',
    '<svg/onload=alert(3)>',
    '<a/href="javascript:alert(4)">lien 4</a>',
    '<svg><a><animate attributeName="href" values="javascript:alert(5)" begin="0s" /><text x="20" y="20">lien 5</text></a></svg>',
    '<details open ontoggle=alert(6)><summary>6</summary></details>',
    '<img alt="" src=https://lettre.example.fr/x onerror="&#97;lert(7)">',
    '<iframe srcdoc="<script>alert(8)</script>"></iframe>',
    '<object data="javascript:alert(9)"></object>',
    '<math><mtext><table role=presentation><mglyph><style><img alt="" src=https://lettre.example.fr/x onerror=alert(10)></style></mglyph></table></mtext></math>',
    '<a href="jav&#x09;ascript:alert(11)">lien 11</a>',
    '<input autofocus onfocus=alert(12)>',
    '<video><source onerror=alert(13)></video>',
    '<form><button formaction=javascript:alert(14)>bouton 14</button></form>',
    '<noscript><p title="</noscript><img alt="" src=https://lettre.example.fr/x onerror=alert(15)>"></noscript>',
    '<a href="data:text/html,<script>alert(16)</script>">lien 16</a>',
    '<<script>alert(17);//<</script>',
    '<IMG ALT="" SRC="https://lettre.example.fr/x" ONERROR="alert(18)">',
    '<a href="JaVaScRiPt&colon;alert(19)">lien 19</a>',
    '<div style="width:10px" onmouseover=alert(20)>survol 20</div>',
    '<svg><script>alert(21)</script></svg>',
    '<img alt="" src=https://lettre.example.fr/x onerror=alert(22)//',
]
KEPT = '<figure class="kept-figure"><img src="https://lettre.example.fr/absent.jpg" alt="Vue"><figcaption>Gardé</figcaption></figure>'

ON_NEW_DOCUMENT = r"""
(function () {
  var calls = [];
  try { calls = JSON.parse(sessionStorage.getItem('bulletin-calls') || '[]'); } catch (e) {}
  function record(name) {
    return function (value) {
      calls.push(name + '(' + value + ')');
      try { sessionStorage.setItem('bulletin-calls', JSON.stringify(calls)); } catch (e) {}
      window.__bulletinCalls = calls;
    };
  }
  window.__bulletinCalls = calls;
  window.alert = record('alert'); window.confirm = record('confirm');
  window.prompt = record('prompt'); window.print = record('print');
})();
"""

INSPECT = r"""
var found = [];
document.querySelectorAll('*').forEach(function (el) {
  for (var i = 0; i < el.attributes.length; i++) {
    var name = el.attributes[i].name.toLowerCase();
    if (name.indexOf('on') === 0) found.push('<' + el.localName + ' ' + name + '>');
  }
});
document.querySelectorAll('a[href], area[href], [formaction], form[action], iframe, object, embed').forEach(function (el) {
  var url = el.getAttribute('href') || el.getAttribute('formaction') || el.getAttribute('action') || el.getAttribute('src') || el.getAttribute('data') || '';
  var scheme = url.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
  if (/^(javascript|vbscript|data):/.test(scheme) || el.localName === 'iframe' || el.localName === 'object' || el.localName === 'embed')
    found.push('<' + el.localName + '> ' + url.slice(0, 40));
});
document.querySelectorAll('script').forEach(function (el) {
  if (/alert/.test(el.textContent)) found.push('<script> ' + el.textContent.slice(0, 40));
});
document.querySelectorAll('svg a, svg animate, svg set').forEach(function (el) { found.push('<svg ' + el.localName + '>'); });
return {found: found, kept: document.querySelectorAll('figure.kept-figure').length,
        calls: window.__bulletinCalls || []};
"""

PROVOKE = r"""
window.scrollTo(0, document.body.scrollHeight);
document.querySelectorAll('*').forEach(function (el) {
  try { el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); } catch (e) {}
  try { if (el.focus) el.focus(); } catch (e) {}
});
"""


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        if ok:
            self.passed += 1
            print(f"PASS: {what}")
        else:
            self.failed += 1
            print(f"FAIL: {what}" + (f"\n  {detail}" if detail else ""))


def write_site(site: Path) -> None:
    shutil.copytree(FIXTURE, site)
    config = site / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown:\n  unsafe_html: true\n", encoding="utf-8")
    body = "\n\n".join(
        [KEPT]
        + [f"Paragraphe {n} : {payload} suite du texte." for n, payload in enumerate(PAYLOADS, 1)]
        + PAYLOADS) + "\n"
    article = site / ISSUE / "articles" / "90-code.md"
    article.write_text('---\ntitle: "Code brut"\n---\n' + body, encoding="utf-8")
    issue = site / ISSUE / "issue.md"
    issue.write_text(issue.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="the bulletin executable, e.g. .build/release/bulletin")
    args = parser.parse_args()
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("FAIL: selenium is missing: run scripts/install-test-deps.sh")
        return 2

    work = Path(tempfile.mkdtemp(prefix="bulletin-sanitizer-"))
    checks = Checks()
    driver = None
    try:
        site = work / "site"
        write_site(site)
        built = subprocess.run([os.path.abspath(args.binary), "build", "--source", str(site), "--output", str(work / "out")],
                               capture_output=True, text=True, timeout=120)
        if built.returncode != 0:
            print("FAIL: the site with raw HTML does not build:\n  " + (built.stdout + built.stderr).strip().replace("\n", "\n  "))
            return 2
        checks.check("raw HTML: removed" in built.stdout + built.stderr, "the build warns that raw HTML was removed")
        out = work / "out"
        message = email.message_from_bytes((out / ISSUE / "email.eml").read_bytes(),
                                           policy=email.policy.default)
        html_part = message.get_body(preferencelist=("html",))
        eml_html = out / "email-from-eml.html"
        eml_html.write_text(html_part.get_content() if html_part else "", encoding="utf-8")
        pages = {
            "article page": out / ISSUE / "code" / "index.html",
            "issue page": out / ISSUE / "index.html",
            "email.html": out / ISSUE / "email.html",
            "email.eml's HTML part": eml_html,
        }

        driver = chromium.start(prompts="accept", script_timeout=10, on_new_document=ON_NEW_DOCUMENT)
        if isinstance(driver, str):
            print(f"FAIL: {driver}")
            driver = None
            return 2
        for name, path in pages.items():
            if not path.exists():
                checks.check(False, f"{name} exists", str(path))
                continue
            driver.get(path.as_uri())
            driver.execute_script(PROVOKE)
            driver.execute_script("return new Promise(function (done) { setTimeout(done, 500); });")
            result = driver.execute_script(INSPECT)
            checks.check(not result["calls"], f"{name}: no payload ran", ", ".join(result["calls"]))
            checks.check(not result["found"], f"{name}: no handler, script URL or embedded document",
                         ", ".join(result["found"][:8]))
            checks.check(result["kept"] >= 1, f"{name}: the harmless HTML beside the payloads is shown")
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
