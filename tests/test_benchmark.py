"""``benchmarks/run.py`` runs, once, at a tiny size: a smoke test that keeps it working, not a timing test."""

from __future__ import annotations

import importlib.util
import platform
import subprocess
import sys
from pathlib import Path

import torch

from tests.registry import REGISTRY

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_run", RUN)
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_every_registry_loss():
    lines = []
    rows = _benchmark().run(sizes=("tiny",), rounds=1, warmup=0, min_batch_s=0.0, threads=0, keep_memory=False, out=lines.append)
    assert {r["loss"] for r in rows} == {c.name for c in REGISTRY}
    for r in rows:
        assert r["time"]["lossbook"] > 0 and "plain" in r["time"], r["loss"]
        assert all(b >= 0 for b in r["saved"].values())
    summary = [line for line in lines if line.startswith("[tiny] time vs torch built-in: geometric mean")]
    assert len(summary) == 1
    assert len([line for line in lines if line.startswith("[tiny] floor: an autograd.Function")]) == 1
    assert len([line for line in lines if line.startswith("[tiny] exp: torch.exp takes")]) == 1


def test_the_floor_function_is_nll_loss():
    run = _benchmark()
    x = torch.randn(5, 3, dtype=torch.float64).log_softmax(1).requires_grad_()
    y = torch.tensor([0, 2, 1, 1, 0])
    ours, theirs = run._GatherScatter.apply(x, y), torch.nn.functional.nll_loss(x, y)
    assert torch.allclose(ours, theirs)
    assert torch.allclose(torch.autograd.grad(ours, x)[0], torch.autograd.grad(theirs, x)[0])


def test_saved_bytes_counts_what_the_graph_keeps_beyond_its_arguments():
    run = _benchmark()
    x = torch.randn(256, requires_grad=True)
    assert run.saved_bytes(lambda a: (a * 2).sum(), (x,), {}) == 0  # a constant factor saves nothing
    assert run.saved_bytes(lambda a: a.exp().sum(), (x,), {}) == x.numel() * 4  # exp saves its result
    assert run.saved_bytes(lambda a: (a * a).sum(), (x,), {}) == 0  # the argument itself is not counted



def test_keep_freed_memory_is_accepted_by_glibc():
    # in a fresh process, since the setting stays for the life of the process
    code = f"import runpy; print(runpy.run_path({str(RUN)!r})['keep_freed_memory']())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(platform.libc_ver()[0] == "glibc")
