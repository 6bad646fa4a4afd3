"""The book builds with warnings as errors and every cross-reference resolving."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_book_builds_without_warnings(tmp_path):
    jb = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
    result = subprocess.run(
        [jb, "build", str(ROOT), "--path-output", str(tmp_path), "-W", "-n", "--keep-going", "--all"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0, "jupyter-book build failed:\n" + "\n".join(problems or [result.stdout[-3000:], result.stderr[-3000:]])
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").exists()
    page = (html / "book" / "regression" / "mse.html").read_text()
    assert "<img" in page and "math" in page, "the MSE page renders its figures and equations"
