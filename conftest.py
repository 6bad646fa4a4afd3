"""Notebook rules for nbval (run by a plain ``pytest``; see pyproject.toml).

- Strict mode compares every printed output with the committed one, and those are the
  CPU's: unless ``LOSSBOOK_DEVICE`` is set, strict runs use the CPU. ``pytest --nbval-lax``
  runs the notebooks on the default device (a GPU when there is one) without comparing
  outputs.
- Each notebook must run within its time budget (kernel start included).
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

NOTEBOOK_BUDGET_S = 30.0
_elapsed: dict[str, float] = defaultdict(float)
_last_cell: dict[str, str] = {}


def pytest_configure(config):
    if config.getoption("--nbval", default=False) and not config.getoption("--nbval-lax", default=False):
        os.environ.setdefault("LOSSBOOK_DEVICE", "cpu")


def _is_notebook_cell(item) -> bool:
    return item.nodeid.split("::")[0].endswith(".ipynb")


# With pytest-xdist (``-n 2 --dist loadgroup``, as pyproject.toml sets), the tests are spread
# over the workers in groups: a notebook's cells share one kernel, so each notebook is one
# group; the book build and the browser test share one build, so they are one group; the
# registry suite, the largest file, is split into a few groups; any other file is one group.
_SPLIT_FILES = {"tests/test_losses.py": 4}
_SHARED_BUILD = {"tests/test_book.py", "tests/test_browser.py"}


def _xdist_group(item, index: int) -> str:
    path = item.nodeid.split("::")[0]
    if path in _SHARED_BUILD:
        return "book-build"
    if path in _SPLIT_FILES:
        return f"{path}:{index % _SPLIT_FILES[path]}"
    return path


def pytest_collection_modifyitems(config, items):
    for index, item in enumerate(items):
        if _is_notebook_cell(item):
            _last_cell[item.parent.nodeid] = item.nodeid
        item.add_marker(pytest.mark.xdist_group(_xdist_group(item, index)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_notebook_cell(item):
        return
    notebook = item.parent.nodeid
    _elapsed[notebook] += call.duration
    report = outcome.get_result()
    if call.when == "call" and _last_cell.get(notebook) == item.nodeid and _elapsed[notebook] > NOTEBOOK_BUDGET_S:
        report.outcome = "failed"
        report.longrepr = f"{notebook} took {_elapsed[notebook]:.1f} s, over its budget of {NOTEBOOK_BUDGET_S:.0f} s"
