"""Re-execute notebooks in place, top to bottom, to refresh their committed outputs.

    python tools/execute_notebooks.py                 # every notebook under book/
    python tools/execute_notebooks.py book/regression/mse.ipynb

The CPU is the reference device (``LOSSBOOK_DEVICE=cpu``), as in the test suite. Each
notebook runs in its own folder with a fresh kernel; the time it took is printed, and a
notebook over the 30 s budget is reported. Exits non-zero if any notebook fails.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 30.0


def _join_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream: how the kernel split them is timing, not content."""
    joined: list = []
    for out in outputs:
        prev = joined[-1] if joined else None
        if prev is not None and out.output_type == "stream" and prev.output_type == "stream" and out.name == prev.name:
            prev.text += out.text
        else:
            joined.append(out)
    return joined


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _join_streams(cell.outputs)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ["LOSSBOOK_DEVICE"] = "cpu"
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "book").rglob("*.ipynb"))
    failed = 0
    for path in paths:
        if ".ipynb_checkpoints" in path.parts or "_build" in path.parts:
            continue
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        try:
            seconds = execute(path)
        except Exception as err:  # report every notebook, then fail
            failed += 1
            print(f"FAILED {name}: {type(err).__name__}: {str(err)[-2000:]}")
            continue
        flag = "  OVER BUDGET" if seconds > BUDGET_S else ""
        print(f"{seconds:6.1f} s  {name}{flag}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
