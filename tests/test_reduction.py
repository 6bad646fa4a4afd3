"""The reductions of ``lossbook/losses/_reduction.py``: each gradient scale is autograd's derivative of its value."""

from __future__ import annotations

import pytest
import torch

from lossbook.losses._reduction import grad_scale, reduce


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("denominator", [None, 7.0])
def test_grad_scale_is_the_derivative_of_reduce(reduction, weighted, denominator):
    g = torch.Generator().manual_seed(0)
    loss = torch.rand(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    weight = 0.5 + torch.rand(4, 3, generator=g, dtype=torch.float64) if weighted else None
    value = reduce(loss, reduction, weight=weight, denominator=denominator)
    upstream = torch.rand(value.shape, generator=g, dtype=torch.float64)
    (expected,) = torch.autograd.grad(value, loss, upstream)
    scale = grad_scale(upstream, reduction, loss.shape, weight=weight, denominator=denominator, factor=3.0)
    torch.testing.assert_close(3.0 * expected, scale.expand(loss.shape), rtol=1e-12, atol=0)


def test_reduce_values():
    loss, weight = torch.tensor([[1.0, 2.0], [3.0, 6.0]]), torch.tensor([[1.0, 0.0], [1.0, 2.0]])
    assert reduce(loss, "sum").item() == 12.0
    assert reduce(loss, "mean").item() == 3.0
    assert reduce(loss, "batchmean").item() == 6.0  # the sum over the batch size 2, as kl_div
    assert reduce(loss, "mean", weight=weight).item() == 16.0 / 4.0  # sum(w l) / sum(w)
    assert reduce(loss, "mean", weight=weight, denominator=loss.numel()).item() == 4.0  # huber's: over n
