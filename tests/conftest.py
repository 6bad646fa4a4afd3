"""Fixtures shared by the tests: every device available (CPU always), and one build of the book."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else []) + (["mps"] if torch.backends.mps.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    return torch.device(request.param)


@dataclass(frozen=True)
class BookBuild:
    result: subprocess.CompletedProcess
    html: Path


@pytest.fixture(scope="session")
def book_build(tmp_path_factory) -> BookBuild:
    """The book built once for the whole run (warnings as errors, every reference checked);
    tests/test_book.py checks the build, tests/test_browser.py reads its pages.

    Under pytest-xdist the two files may run on different workers: the first to get here
    builds into the run's shared temporary folder, under a lock, and the other reads that build.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, record = shared / "book", shared / "book-build.json"
    with open(shared / "book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            jb = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
            done = subprocess.run(
                [jb, "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going", "--all"],
                capture_output=True,
                text=True,
                timeout=900,
            )
            record.write_text(json.dumps({"args": done.args, "returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}))
    result = subprocess.CompletedProcess(**json.loads(record.read_text()))
    return BookBuild(result=result, html=out / "_build" / "html")
