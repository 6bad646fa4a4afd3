"""Notebook rules for nbval (run by a plain ``pytest``; see pyproject.toml).

- Strict mode compares every printed output with the committed one, and those are the
  CPU's: unless ``LOSSBOOK_DEVICE`` is set, strict runs use the CPU. ``pytest --nbval-lax``
  runs the notebooks on the default device (a GPU when there is one) without comparing
  outputs.
- Each notebook must run within its time budget (kernel start included).
- pyproject.toml runs the suite on two pytest-xdist workers with ``--dist loadfile``: a
  notebook's cells share one kernel, so each file stays on one worker.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

NOTEBOOK_BUDGET_S = 30.0
_elapsed: dict[str, float] = defaultdict(float)
_last_cell: dict[str, str] = {}


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch  # the workers share the machine's cores: one thread each

        torch.set_num_threads(1)
        # and so do the notebooks' kernels, which inherit the environment: two workers with
        # kernels of one OpenMP thread per core each fit the cores, where kernels of a thread
        # per core each would contend for them (and OpenMP threads spin while they wait)
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    if config.getoption("--nbval", default=False) and not config.getoption("--nbval-lax", default=False):
        os.environ.setdefault("LOSSBOOK_DEVICE", "cpu")


def _is_notebook_cell(item) -> bool:
    return item.nodeid.split("::")[0].endswith(".ipynb")


def pytest_collection_modifyitems(items):
    for item in items:
        if _is_notebook_cell(item):
            _last_cell[item.parent.nodeid] = item.nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_notebook_cell(item):
        return
    notebook = item.parent.nodeid
    _elapsed[notebook] += call.duration
    report = outcome.get_result()
    if call.when == "call" and _last_cell.get(notebook) == item.nodeid:
        report.user_properties.append(("notebook_seconds", (notebook, _elapsed[notebook])))  # for the summary below
        if _elapsed[notebook] > NOTEBOOK_BUDGET_S:
            report.outcome = "failed"
            report.longrepr = f"{notebook} took {_elapsed[notebook]:.1f} s, over its budget of {NOTEBOOK_BUDGET_S:.0f} s"


def pytest_terminal_summary(terminalreporter):
    """The slowest notebooks against the budget, so that every run shows how much room is left."""
    times = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "notebook_seconds"
    ]
    if times:
        slowest = sorted(times, key=lambda t: -t[1])[:5]
        terminalreporter.write_line(
            f"slowest notebooks (budget {NOTEBOOK_BUDGET_S:.0f} s each): " + ", ".join(f"{Path(n).stem} {s:.1f} s" for n, s in slowest)
        )
