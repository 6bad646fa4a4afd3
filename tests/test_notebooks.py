"""Hygiene of the committed notebooks and the table of contents (DESIGN.md, "Tests").

nbval re-executes the notebooks and compares outputs; these tests check what nbval
cannot: that each notebook is in the book, was executed top to bottom and committed with
its outputs, shows no error, no local path, and seeds itself through ``lossbook.setup``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)
LOCAL_PATH = re.compile(r"(/home/|/root/|/Users/|/tmp/|/work/|[A-Z]:\\\\Users)")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return files


def _resolve(entry: str) -> list[Path]:
    return [p for p in (ROOT / f"{entry}{suffix}" for suffix in (".ipynb", ".md")) if p.exists()]


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files() if not _resolve(f)]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {p for f in _toc_files() for p in _resolve(f)}
    orphans = [str(p.relative_to(ROOT)) for p in NOTEBOOKS if p not in listed]
    assert not orphans, f"notebooks missing from _toc.yml: {orphans}"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_committed_executed_and_clean(path):
    cells = json.loads(path.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "a chapter has code"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"not executed top to bottom in one fresh run: {counts}"
    assert any(c["outputs"] for c in code), "committed without outputs: the book would show nothing"
    assert "lossbook.setup(" in "".join(code[0]["source"]), "the first code cell seeds everything with lossbook.setup(...)"
    for i, cell in enumerate(code, 1):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"code cell {i} shows an error: {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out.get("name") == "stderr"), f"code cell {i} prints to stderr: {''.join(out['text'])[:200]}"
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not LOCAL_PATH.search(text), f"code cell {i} shows a local path"


def _figure_cells(path: Path) -> list[tuple[int, dict]]:
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    return [(i, c) for i, c in enumerate(cells, 1) if any("image/png" in out.get("data", {}) for out in c["outputs"])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_has_a_caption_and_alt_text(path):
    """Each cell that draws a figure carries MyST-NB's caption, name and alt text (the browser test checks the page)."""
    for i, cell in _figure_cells(path):
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        figure, image = mystnb.get("figure", {}), mystnb.get("image", {})
        assert str(figure.get("caption", "")).strip(), f"code cell {i} draws a figure without a caption"
        assert str(figure.get("name", "")).startswith("fig-"), f"code cell {i}: the figure's name should start with fig-"
        assert len(str(image.get("alt", "")).split()) >= 3, f"code cell {i}: the figure's alt text should say what it shows"


def test_figure_names_are_unique():
    names = [c["metadata"]["mystnb"]["figure"]["name"] for p in NOTEBOOKS for _, c in _figure_cells(p) if "name" in c.get("metadata", {}).get("mystnb", {}).get("figure", {})]
    assert len(names) == len(set(names)), f"figure names used twice: {sorted({n for n in names if names.count(n) > 1})}"
