"""The book builds with warnings as errors and every cross-reference resolving."""

from __future__ import annotations

import re


def test_book_builds_without_warnings(book_build):
    result = book_build.result
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0, "jupyter-book build failed:\n" + "\n".join(problems or [result.stdout[-3000:], result.stderr[-3000:]])
    html = book_build.html
    assert (html / "index.html").exists()
    page = (html / "book" / "regression" / "mse.html").read_text()
    assert "<img" in page and "math" in page, "the MSE page renders its figures and equations"


def test_math_ships_with_the_book(book_build):
    """MathJax is served from the book's own _static folder, not from a CDN."""
    html = book_build.html
    page = (html / "book" / "regression" / "mse.html").read_text()
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page, flags=re.IGNORECASE)
    assert scripts and all("://" not in s for s in scripts), f"MathJax must be local, got {scripts}"
    assert (html / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert (html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_each_inline_script_once(book_build):
    """Sphinx 7.4 repeated extensions' inline scripts (sphinx-thebe's const THEBE_JS_URL: a SyntaxError)."""
    for path in sorted(book_build.html.rglob("*.html")):
        inline = re.findall(r"<script>(.*?)</script>", path.read_text(), flags=re.DOTALL)
        repeated = {s[:60] for s in inline if inline.count(s) > 1}
        assert not repeated, f"{path.relative_to(book_build.html)} repeats inline scripts: {repeated}"


def test_bibliography_reads_like_its_citations(book_build):
    text = re.sub(r"<[^>]+>", "", (book_build.html / "book" / "bibliography.html").read_text())
    assert "[Kingma and Ba, 2015]" in text and "[Paszke et al., 2019]" in text, "labels are author-year, as the citations"
    assert "and others" not in text, "BibTeX's 'and others' reads 'et al.'"
    assert "PyTorch: an imperative style" in text, "braced capitals survive the sentence-case titles"
    intro = re.sub(r"<[^>]+>", "", (book_build.html / "book" / "intro.html").read_text())
    assert "Paszke et al., 2019" in intro and "and others" not in intro


def test_api_chapter_references_are_links(book_build):
    api = (book_build.html / "book" / "api.html").read_text()
    chapters = re.findall(r"Chapter: (<a [^>]*>)?", api)
    assert chapters, "the API page names the chapters of its losses"
    assert all(chapters), "every 'Chapter:' on the API page is a link"
    assert "book/regression/mse.ipynb" not in api and 'href="regression/mse.html"' in api
