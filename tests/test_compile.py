"""Every registry loss compiles as one graph and gives eager's value and gradients (DESIGN.md, "Fast, and friendly to the accelerator").

``torch.compile(fullgraph=True)`` fails on any graph break, a data-dependent branch such as
``if (target >= C).any():`` included; the value checks of ``_validation.py`` are skipped while
compiling, so the loss is one graph. ``backend="aot_eager"`` traces forward and backward
through AOTAutograd, as the default backend does, without generating code, so the test stays
fast on a CPU.
"""

from __future__ import annotations

import pytest
import torch

from tests.registry import REGISTRY, materialize

CASES = [pytest.param(case, id=case.name) for case in REGISTRY]


@pytest.mark.parametrize("case", CASES)
def test_compiles_fullgraph_with_eager_values_and_gradients(case):
    torch._dynamo.reset()
    g = torch.Generator().manual_seed(0)
    args = case.inputs(torch.float64, torch.device("cpu"), g)
    kwargs = {**materialize(case.options[0], args, g), "reduction": "mean" if "mean" in case.reductions else case.reductions[0]}

    def run(fn):
        leaves = [a.detach().clone().requires_grad_(i in case.grad_args) for i, a in enumerate(args)]
        out = fn(*leaves, **kwargs)
        return out.detach(), torch.autograd.grad(out, [leaves[i] for i in case.grad_args])

    compiled = torch.compile(case.fn, fullgraph=True, backend="aot_eager", dynamic=False)
    value, grads = run(compiled)
    expected_value, expected_grads = run(case.fn)
    torch.testing.assert_close(value, expected_value, rtol=1e-12, atol=1e-14)
    for got, expected in zip(grads, expected_grads):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-14)
