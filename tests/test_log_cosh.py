"""Log-cosh-specific checks: values computed by hand, numerics, errors. The generic suite is test_losses.py."""

import math

import pytest
import torch

from lossbook.losses import LogCoshLoss, log_cosh_loss
from lossbook.losses.regression.log_cosh import log_cosh


def test_hand_computed_values():
    # log cosh 0 = 0, log cosh 1 = log((e + 1/e) / 2), log cosh(-2) = log cosh 2 (even function)
    x, y = torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64), torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    expected = [0.0, math.log((math.e + 1 / math.e) / 2), math.log(math.cosh(2.0))]
    assert log_cosh_loss(x, y, reduction="none").tolist() == pytest.approx(expected, rel=1e-15, abs=1e-300)
    assert log_cosh_loss(x, y).item() == pytest.approx(sum(expected) / 3, rel=1e-15)


def test_hand_computed_gradient_is_tanh():
    # d/dx mean(log cosh(x - y)) = tanh(x - y) / n
    x = torch.tensor([0.0, 0.5, -3.0], dtype=torch.float64, requires_grad=True)
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    log_cosh_loss(x, t).backward()
    expected = [math.tanh(v) / 3 for v in (0.0, 0.5, -3.0)]
    assert x.grad.tolist() == pytest.approx(expected, rel=1e-15)
    assert t.grad.tolist() == pytest.approx([-e for e in expected], rel=1e-15)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_residuals_do_not_overflow(dtype):
    # cosh(1e4) overflows every float type; log cosh(1e4) = 1e4 - log 2 up to e^(-2e4)
    r = torch.tensor([1e4, -1e4, 100.0], dtype=dtype, requires_grad=True)
    out = log_cosh_loss(r, torch.zeros_like(r), reduction="none")
    assert out.tolist() == pytest.approx([1e4 - math.log(2), 1e4 - math.log(2), 100 - math.log(2)], rel=1e-7)
    out.sum().backward()
    assert r.grad.tolist() == [1.0, -1.0, 1.0]


def test_naive_formula_overflows_where_ours_does_not():
    r = torch.tensor([100.0, 1e4])  # float32 cosh overflows beyond |r| ~ 89.4
    assert torch.isinf(torch.log(torch.cosh(r))).all()
    assert torch.isfinite(log_cosh(r)).all()


def test_small_residuals_keep_relative_precision():
    # log cosh r = r^2/2 - r^4/12 + ...; the |r| + log1p(exp(-2|r|)) - log 2 form alone would
    # lose every digit here to cancellation, the log1p(2 sinh^2(r/2)) branch keeps them
    r = torch.tensor([1e-4, 1e-2, -0.3, 0.999])
    exact = torch.log(torch.cosh(r.double()))
    assert ((log_cosh(r).double() - exact).abs() / exact).max().item() < 1e-6


def test_both_forms_agree_at_the_switch():
    r = torch.tensor([1.0 - 1e-12, 1.0], dtype=torch.float64)
    out = log_cosh(r)
    assert out.tolist() == pytest.approx([math.log(math.cosh(v)) for v in r.tolist()], rel=1e-14)


def test_float16_is_computed_in_float32():
    x = torch.tensor([300.0, 0.25], dtype=torch.float16)  # cosh(300) overflows float16 and float32
    out = log_cosh_loss(x, torch.zeros_like(x), reduction="none")
    assert out.dtype == torch.float16
    assert out.float().tolist() == pytest.approx([300 - math.log(2), math.log(math.cosh(0.25))], rel=1e-3)


def test_issue_examples_of_bad_input():
    with pytest.raises(ValueError, match=r"log_cosh_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        log_cosh_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(ValueError, match="LogCoshLoss: reduction must be one of"):
        LogCoshLoss(reduction="avg")
    with pytest.raises(TypeError, match="log_cosh_loss: target must be a torch.Tensor, got list"):
        log_cosh_loss(torch.zeros(3), [0.0, 0.0, 0.0])


def test_module_repr():
    assert repr(LogCoshLoss(reduction="sum")) == "LogCoshLoss(reduction='sum')"
