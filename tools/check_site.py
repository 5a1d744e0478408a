"""Open every page of a results folder in headless Chromium and check what a reader would see.

usage: check_site.py RESULTS [--screenshots DIR] [--chromium PATH]

Pages: RESULTS/index.html and every RESULTS/**/*.html. Each page must load from the file system with no
console error, exception or failed load; have its formulas rendered by KaTeX (data-math="done", no
.katex-error, no raw TeX such as $x$, $$...$$ or \\( left in the visible text outside code); have every link
resolve (a file link: the file exists; an #anchor: the element exists in its page; http(s) links are counted,
not fetched: the check runs offline); and have every image decode. Screenshots of the index and of the first
notebook page go to DIR (default RESULTS/screenshots) as index.png and notebook.png.

Chromium is driven through the DevTools protocol over --remote-debugging-pipe (file descriptors 3 and 4): no
driver, no network, no Python packages beyond the standard library. Exit status 0 when every page passes,
1 otherwise, 2 for bad arguments.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import html_export

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]
PAGE_TIMEOUT_S = 60
VIEWPORT = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}

# Runs in the page once math rendering finished: raw TeX, KaTeX errors, links and images.
INSPECT = r"""(async () => {
  const skip = "pre, code, script, style, textarea, .katex, .katex-error";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  const tex = /\$\$[^$]+\$\$|\$[^\s$][^$]*\$|\\\(|\\\)|\\\[|\\\]|\\(frac|mathrm|mathbb|mathcal|sum|int|sqrt|alpha|beta|epsilon|sigma|nabla|begin)\b/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest(skip)) continue;
    const m = n.textContent.match(tex);
    if (m) raw.push(n.textContent.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\s+/g, " "));
  }
  const errors = [...document.querySelectorAll(".katex-error")].map(e => (e.title || e.textContent).slice(0, 120)).concat(
    [...document.querySelectorAll('.katex mstyle[mathcolor="ERROR_COLOR"]')].map(e => "unknown: " + e.textContent.slice(0, 120)));
  const links = [...document.querySelectorAll("a[href]")].map(a => {
    const href = a.getAttribute("href");
    // as a browser finds a fragment's element: by the fragment as written, then percent-decoded (HTML spec)
    const found = f => document.getElementById(f) !== null || document.getElementsByName(f).length > 0;
    const local = href.startsWith("#") ? (found(href.slice(1)) || found(decodeURIComponent(href.slice(1)))) : null;
    return {href: href, url: a.href, local: local};
  });
  const images = await Promise.all([...document.images].map(i =>
    i.decode().then(() => null, () => (i.getAttribute("src") || "").slice(0, 100))));
  return {math: document.documentElement.dataset.math || "", raw: raw.slice(0, 5), katex: errors.slice(0, 5),
          links: links, images: document.images.length, broken: images.filter(x => x !== null)};
})()""".replace("ERROR_COLOR", html_export.ERROR_COLOR)


class Chromium:
    """A headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="workbench-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def wire():  # the browser reads commands on fd 3 and writes replies on fd 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"], preexec_fn=wire,
            pass_fds=(3, 4), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer, self.next_id, self.events = b"", 0, []
        target = next(t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, **VIEWPORT)

    def read(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=False, timeout=PAGE_TIMEOUT_S, **params):
        self.next_id += 1
        command = {"id": self.next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self.read(deadline)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, predicate, timeout=PAGE_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if predicate(event):
                    return self.events.pop(i)
            self.events.append(self.read(deadline))

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (OSError, RuntimeError, TimeoutError, ConnectionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


def console_problems(events):
    """Console errors, uncaught exceptions and failed loads among the DevTools events of one page."""
    problems = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            problems.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append(f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}".strip())
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            problems.append(f"load failed: {p.get('errorText')} (request {p.get('requestId')})")
    return problems


def link_problems(links, external):
    """Links that do not resolve: a missing local file, a missing #anchor; http(s) links go to external."""
    problems = []
    for link in links:
        url = urlparse(link["url"])
        if link["local"] is False:
            problems.append(f"anchor {link['href']} not found in the page")
        elif url.scheme in ("http", "https"):
            external.add(link["url"])
        elif url.scheme == "file" and not Path(unquote(url.path)).exists():
            problems.append(f"link {link['href']} -> {unquote(url.path)} does not exist")
        elif url.scheme not in ("file", "http", "https", "mailto", "data"):
            problems.append(f"link {link['href']}: unexpected scheme {url.scheme}")
    return problems


def check_page(browser, page, external, screenshot=None):
    """Problems found on one page (a list of strings; empty when it passes)."""
    browser.events.clear()
    browser.call("Page.navigate", session=True, url=page.resolve().as_uri())
    browser.wait_for(lambda e: e.get("method") == "Page.loadEventFired")
    # the page renders its formulas on DOMContentLoaded, which comes before the load event: no waiting beyond it
    found = browser.evaluate(INSPECT)
    problems = console_problems(browser.events)
    if found["math"] != "done":
        problems.append(f"formulas not rendered (data-math = '{found['math']}')")
    problems += [f"KaTeX error: {e}" for e in found["katex"]]
    problems += [f"raw TeX in the text: ...{r}..." for r in found["raw"]]
    problems += link_problems(found["links"], external)
    problems += [f"image does not decode: {src}" for src in found["broken"]]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        shot = browser.call("Page.captureScreenshot", session=True, format="png")
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    return problems, found


def pages_of(results):
    """index.html first, then every other page under RESULTS except the assets."""
    index = results / "index.html"
    rest = sorted(p for p in results.rglob("*.html") if p != index and "assets" not in p.relative_to(results).parts)
    return ([index] if index.is_file() else []) + rest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--screenshots", type=Path, help="folder for index.png and notebook.png (default RESULTS/screenshots)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    results = args.results.resolve()
    if not (results / "index.html").is_file():
        parser.error(f"{results / 'index.html'} does not exist: not a results folder with an index")
    if not Path(args.chromium).is_file():
        parser.error(f"Chromium not found at {args.chromium}: install the Debian package chromium")
    shots = (args.screenshots or results / "screenshots").resolve()
    pages = pages_of(results)
    notebook = next((p for p in pages if p.parent.name == "notebooks"), None)
    external, failures, start = set(), 0, time.monotonic()
    browser = Chromium(args.chromium)
    try:
        for page in pages:
            shot = shots / "index.png" if page.name == "index.html" and page.parent == results else \
                shots / "notebook.png" if page == notebook else None
            problems, found = check_page(browser, page, external, shot)
            status = "ok" if not problems else "FAILED"
            print(f"{status:6}  {page.relative_to(results)}: {len(found['links'])} links, {found['images']} images")
            for problem in problems:
                print(f"          {problem}")
            failures += bool(problems)
    finally:
        browser.close()
    print(f"{len(pages) - failures}/{len(pages)} pages passed in {time.monotonic() - start:.1f} s; "
          f"{len(external)} external link(s) not fetched (offline); screenshots in {shots}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
