"""Headless Chromium for the browser tests: the system /usr/bin/chromium through
/usr/bin/chromedriver (CHROMIUM and CHROMEDRIVER override them), with no name resolving
beyond the hosts given, so that nothing leaves the machine even when a check fails."""
from __future__ import annotations

import os
import subprocess

CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def start(*, resolvable: str = "", prompts: str = "dismiss", page_load_strategy: str | None = None,
          script_timeout: float = 5, page_load_timeout: float = 30, on_new_document: str | None = None,
          window: tuple[int, int] = (1024, 768), arguments: tuple[str, ...] = ()):
    """The driver, or a one-line reason it could not start (a string)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    rules = "MAP * ~NOTFOUND" + (f", EXCLUDE {resolvable}" if resolvable else "")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-extensions", "--no-first-run", f"--window-size={window[0]},{window[1]}",
                     f"--host-resolver-rules={rules}", *arguments):
        opts.add_argument(argument)
    opts.unhandled_prompt_behavior = prompts
    if page_load_strategy:
        opts.page_load_strategy = page_load_strategy
    try:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER, log_output=subprocess.DEVNULL),
                                  options=opts)
    except Exception as e:
        return f"could not start Chromium through {CHROMEDRIVER}: {str(e).strip().splitlines()[0]}"
    driver.set_page_load_timeout(page_load_timeout)
    driver.set_script_timeout(script_timeout)
    if on_new_document:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": on_new_document})
    return driver
