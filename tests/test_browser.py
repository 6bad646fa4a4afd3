"""Every page of the built book, in a real browser, offline.

The book that ``tests/conftest.py`` builds once is served on 127.0.0.1 and each page is
loaded in headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright), at
1280 px wide, with every request that leaves 127.0.0.1 refused: what a reader without
network access sees. On every page: the math is typeset (no raw TeX left), nothing is
logged as an error, every image loads, every figure has a caption and alt text in words,
no code block or printed table is cut off, and a solution toggle opens on click.

``.ci/run`` installs Chromium; set ``LOSSBOOK_SCREENSHOTS=<folder>`` to save a full-page
screenshot of every page.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 1280
WORKERS = 2


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return [f"{p}.html" for p in pages]


CHAPTERS = _toc_pages()
PAGES = ["index.html", "genindex.html", "search.html", "py-modindex.html", *CHAPTERS]

# Runs in the page once it has loaded and MathJax has typeset it.
_INSPECT = r"""() => {
  const inCode = el => el && el.closest('pre, code, script, style, textarea, .highlight, mjx-container');
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (inCode(node.parentElement)) continue;
    const text = node.nodeValue;
    if (['\\(', '\\[', '$$'].some(d => text.includes(d))) raw.push(text.trim().slice(0, 80));
  }
  const article = document.querySelector('article') || document.body;
  const images = [...article.querySelectorAll('img')];
  const name = img => (img.getAttribute('src') || '').split('/').pop();
  const caption = img => {
    const figure = img.closest('figure');
    const text = figure && figure.querySelector('figcaption') ? figure.querySelector('figcaption').innerText.trim() : '';
    return text;
  };
  // empty, one word (a path or a file name, as MyST-NB writes without alt text), or a file name
  const pathLike = alt => !alt || !/\s/.test(alt) || /\.(png|jpe?g|svg|gif|webp)$/i.test(alt);
  const pre = [...article.querySelectorAll('pre')];
  return {
    math: document.querySelectorAll('.math').length,
    unrendered: [...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.trim().slice(0, 80)),
    typeset: document.querySelectorAll('mjx-container').length,
    // MathJax shows a formula it cannot parse, or an undefined macro, as its TeX source
    tex_errors: [...document.querySelectorAll('mjx-container')].filter(m => m.querySelector('mjx-merror') || m.textContent.includes('\\')).map(m => m.textContent.slice(0, 80)),
    raw: raw,
    broken_images: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
    uncaptioned: images.filter(i => !caption(i)).map(name),
    path_alt: images.filter(i => pathLike((i.getAttribute('alt') || '').trim())).map(name),
    overflowing: pre.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText.split('\n')[0].slice(0, 80)),
    wide_tables: [...article.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length,
  };
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _visit(context, base: str, path: str, screenshots: Path | None) -> dict:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url} ({req.failure})"))
    try:
        page.goto(f"{base}/{path}", wait_until="load")
        if path == "index.html":  # a redirect to the first page
            page.wait_for_url(f"{base}/{CHAPTERS[0]}")
            page.wait_for_load_state("load")
        page.evaluate("async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise; }")
        found = page.evaluate(_INSPECT)
        found["toggle"] = _try_toggle(page)
        if screenshots is not None:
            target = screenshots / path.replace("/", "__").replace(".html", ".png")
            page.screenshot(path=str(target), full_page=True)
    finally:
        page.close()
    found["errors"] = errors
    return found


def _try_toggle(page) -> str | None:
    """Click the first solution toggle: None if the page has none, else what happened."""
    toggles = page.locator(".admonition.dropdown")
    if toggles.count() == 0:
        return None
    toggle = toggles.first
    body = toggle.locator(":scope > :not(.admonition-title)").first
    toggle.scroll_into_view_if_needed()
    if body.is_visible():
        return "its content is visible before the click"
    toggle.locator(".admonition-title").click()
    try:
        body.wait_for(state="visible", timeout=3000)
    except Exception:  # playwright's TimeoutError
        return "its content stays hidden after the click"
    return "opens"


def _visit_all(paths: list[str], base: str, profile: Path, screenshots: Path | None) -> dict[str, dict]:
    """Visit ``paths`` in one fresh Chromium profile, offline: only the book's own server answers."""
    found = {}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": WIDTH, "height": 900}
        )
        context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1" else route.abort())
        try:
            for path in paths:
                found[path] = _visit(context, base, path, screenshots)
        finally:
            context.close()
    return found


@pytest.fixture(scope="module")
def pages(book_build, tmp_path_factory) -> dict[str, dict]:
    html = book_build.html
    if not (html / "index.html").exists():
        pytest.fail("the book did not build:\n" + book_build.result.stderr[-3000:])
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    screenshots = Path(os.environ["LOSSBOOK_SCREENSHOTS"]) if os.environ.get("LOSSBOOK_SCREENSHOTS") else None
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    # two browsers, each with its own fresh profile and half of the pages (MathJax typesetting is CPU-bound)
    chunks = [PAGES[i::WORKERS] for i in range(WORKERS)]
    found = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            runs = [pool.submit(_visit_all, chunk, base, tmp_path_factory.mktemp("chromium-profile"), screenshots) for chunk in chunks]
            for run in runs:
                found.update(run.result())
    finally:
        server.shutdown()
    return found


def test_every_built_page_is_visited(book_build):
    html = book_build.html
    built = {str(p.relative_to(html)) for p in html.rglob("*.html") if not {"_sources", "_static"} & set(p.relative_to(html).parts)}
    assert built == set(PAGES), f"pages built but not checked: {sorted(built - set(PAGES))}; listed but not built: {sorted(set(PAGES) - built)}"


@pytest.mark.parametrize("path", PAGES)
def test_no_console_error(pages, path):
    assert not pages[path]["errors"], "\n".join(pages[path]["errors"])


@pytest.mark.parametrize("path", PAGES)
def test_math_is_rendered(pages, path):
    found = pages[path]
    assert not found["unrendered"], f"{len(found['unrendered'])} formulas not typeset, e.g. {found['unrendered'][:3]}"
    assert not found["raw"], f"raw TeX delimiters in the text: {found['raw'][:3]}"
    assert not found["tex_errors"], f"MathJax could not typeset: {found['tex_errors']}"
    assert found["typeset"] >= found["math"]


def test_the_checks_are_not_vacuous(pages):
    """The chapters have formulas, typeset by MathJax, and solution toggles to click."""
    chapters = [pages[p] for p in CHAPTERS if "/foundations/" in p or "/regression/" in p or "/classification/" in p]
    assert all(found["typeset"] > 0 for found in chapters), "every chapter has typeset math"
    assert all(found["toggle"] is not None for found in chapters), "every chapter has a solution toggle"


@pytest.mark.parametrize("path", PAGES)
def test_every_image_loads(pages, path):
    assert not pages[path]["broken_images"], f"images that do not load: {pages[path]['broken_images']}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_figure_has_a_caption_and_alt_text(pages, path):
    found = pages[path]
    assert not found["uncaptioned"], f"figures without a caption: {found['uncaptioned']}"
    assert not found["path_alt"], f"images whose alt text is empty or a file path: {found['path_alt']}"


@pytest.mark.parametrize("path", PAGES)
def test_long_lines_wrap(pages, path):
    found = pages[path]
    assert not found["overflowing"], f"code blocks cut off at {WIDTH} px: {found['overflowing'][:3]}"
    assert not found["wide_tables"], f"{found['wide_tables']} tables wider than the page at {WIDTH} px"


@pytest.mark.parametrize("path", PAGES)
def test_solution_toggle_opens(pages, path):
    assert pages[path]["toggle"] in (None, "opens"), f"the first solution toggle: {pages[path]['toggle']}"
