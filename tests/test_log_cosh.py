"""Log-cosh-specific checks: values computed by hand, numerics, errors. The generic suite is test_losses.py."""

import math

import mpmath
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
    # lose every digit here to cancellation, the log1p(sinh^2 r) / 2 branch keeps them
    r = torch.tensor([1e-4, 1e-2, -0.3, 0.999])
    exact = torch.log(torch.cosh(r.double()))
    assert ((log_cosh(r).double() - exact).abs() / exact).max().item() < 1e-6


def test_both_forms_agree_at_the_switch():
    # below |r| = 20: log1p(sinh^2 r) / 2; from 20 on: |r| - log 2 (exact up to e^-40)
    r = torch.tensor([20.0 - 1e-12, 20.0, -20.0, 19.0], dtype=torch.float64)
    out = log_cosh(r)
    assert out.tolist() == pytest.approx([math.log(math.cosh(v)) for v in r.tolist()], rel=1e-15)


def test_log_cosh_leaves_its_argument_alone():
    r = torch.tensor([-3.0, 0.5, 25.0])
    log_cosh(r)
    assert r.tolist() == [-3.0, 0.5, 25.0]


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
    assert repr(LogCoshLoss(reduction="sum")) == "LogCoshLoss(reduction='sum', delta=1.0)"
    assert repr(LogCoshLoss(delta=0.5)) == "LogCoshLoss(reduction='mean', delta=0.5)"


# --- the scale delta: delta^2 log cosh(r / delta) ---------------------------------------------------


def test_delta_hand_computed_values():
    # r = 3, delta = 2: 4 log cosh(1.5); r = -1, delta = 0.5: 0.25 log cosh(-2)
    x, y = torch.tensor([3.0, -1.0], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    assert log_cosh_loss(x, y, reduction="none", delta=2.0)[0].item() == pytest.approx(4 * math.log(math.cosh(1.5)), rel=1e-15)
    assert log_cosh_loss(x, y, reduction="none", delta=0.5)[1].item() == pytest.approx(0.25 * math.log(math.cosh(2.0)), rel=1e-15)


def test_delta_gradient_is_delta_tanh():
    # d/dx delta^2 log cosh((x - y) / delta) = delta tanh((x - y) / delta); with 'sum', no 1/n
    x = torch.tensor([0.3, -4.0, 50.0], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64, requires_grad=True)
    log_cosh_loss(x, t, reduction="sum", delta=2.5).backward()
    expected = [2.5 * math.tanh(r / 2.5) for r in (0.3, -5.0, 50.0)]
    assert x.grad.tolist() == pytest.approx(expected, rel=1e-14)
    assert t.grad.tolist() == pytest.approx([-e for e in expected], rel=1e-14)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("with_weight", [False, True])
def test_delta_gradcheck_float64(reduction, with_weight):
    g = torch.Generator().manual_seed(0)
    x = (3 * torch.randn(5, 3, generator=g, dtype=torch.float64)).requires_grad_()
    t = torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.rand(5, 3, generator=g, dtype=torch.float64) if with_weight else None
    assert torch.autograd.gradcheck(lambda a, b: log_cosh_loss(a, b, reduction=reduction, delta=0.7, weight=w), (x, t))


def test_second_derivative_through_the_hand_written_backward():
    # the backward is differentiable: d^2/dx^2 delta^2 log cosh(x / delta) = sech^2(x / delta)
    x = torch.tensor([0.0, 0.7, -3.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(log_cosh_loss(x, torch.zeros(3, dtype=torch.float64), reduction="sum", delta=2.0), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    assert h.tolist() == pytest.approx([1 / math.cosh(v / 2.0) ** 2 for v in (0.0, 0.7, -3.0)], rel=1e-14)
    t = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda a, b: log_cosh_loss(a, b, delta=0.7), (3 * torch.randn(4, dtype=torch.float64).requires_grad_(), t))


def test_delta_one_is_the_default():
    x, y = 3 * torch.randn(40), torch.randn(40)
    assert torch.equal(log_cosh_loss(x, y, delta=1.0), log_cosh_loss(x, y))
    assert torch.equal(log_cosh_loss(x, y, reduction="none", delta=1), log_cosh_loss(x, y, reduction="none"))


def test_delta_makes_the_loss_follow_the_units():
    # changing the units of x and y by c, with delta = c, multiplies the loss by c^2 exactly in math
    x, y = 3 * torch.randn(50, dtype=torch.float64), torch.randn(50, dtype=torch.float64)
    for c in (0.05, 20.0):
        torch.testing.assert_close(log_cosh_loss(c * x, c * y, delta=c), c**2 * log_cosh_loss(x, y), rtol=1e-13, atol=0)


def test_delta_limits_are_half_mse_and_scaled_mae():
    r = torch.tensor([-3.0, 0.1, 2.0], dtype=torch.float64)
    zero = torch.zeros_like(r)
    torch.testing.assert_close(log_cosh_loss(r, zero, reduction="none", delta=1e4), r**2 / 2, rtol=1e-7, atol=0)
    torch.testing.assert_close(log_cosh_loss(r, zero, reduction="none", delta=1e-4) / 1e-4, r.abs(), rtol=1e-3, atol=0)


@pytest.mark.parametrize("delta", [0.0, -1.0, math.inf, math.nan])
def test_delta_must_be_positive_and_finite(delta):
    with pytest.raises(ValueError, match=r"log_cosh_loss: delta must be in \(0, inf\), got"):
        log_cosh_loss(torch.zeros(3), torch.zeros(3), delta=delta)
    with pytest.raises(ValueError, match=r"LogCoshLoss: delta must be in \(0, inf\), got"):
        LogCoshLoss(delta=delta)


def test_delta_must_be_a_number():
    with pytest.raises(TypeError, match="log_cosh_loss: delta must be a real number, got Tensor"):
        log_cosh_loss(torch.zeros(3), torch.zeros(3), delta=torch.tensor(1.0))


def test_module_equals_function_with_delta():
    x, y = 3 * torch.randn(6, 2), torch.randn(6, 2)
    assert torch.equal(LogCoshLoss(reduction="sum", delta=0.3)(x, y), log_cosh_loss(x, y, reduction="sum", delta=0.3))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_values_and_gradients_match_a_high_precision_reference(dtype):
    # reference in 100-digit arithmetic (mpmath), from the exact input and the float64 delta
    def ref(r, d):
        with mpmath.workdps(100):
            z = mpmath.mpf(r) / d
            return float(d * d * mpmath.log(mpmath.cosh(z))), float(d * mpmath.tanh(z))

    rs = [1e-8, 1e-4, 0.01, 0.3, 1.0, 5.0, 19.5, 19.999, 20.0, 20.001, 25.0, 89.5, 1e4]
    rs += [-r for r in rs]
    tol = 4 * torch.finfo(dtype).eps  # a few units in the last place
    for d in (1e-3, 0.5, 1.0, 20.0, 1e3):
        x = torch.tensor(rs, dtype=dtype, requires_grad=True)
        loss = log_cosh_loss(x, torch.zeros_like(x), reduction="none", delta=d)
        loss.sum().backward()
        exact = [ref(r, d) for r in x.detach().double().tolist()]
        assert loss.tolist() == pytest.approx([v for v, _ in exact], rel=tol, abs=0), d
        assert x.grad.tolist() == pytest.approx([g for _, g in exact], rel=tol, abs=0), d


def test_extreme_delta_stays_finite_in_float32():
    # delta^2 = 1e40 overflows float32 and 1e-60 underflows it; the loss itself does neither
    x = torch.tensor([1.0, -3.0])
    big = log_cosh_loss(x, torch.zeros(2), reduction="none", delta=1e19)
    assert big.tolist() == pytest.approx([0.5, 4.5], rel=1e-5)
    small = log_cosh_loss(x, torch.zeros(2), reduction="none", delta=1e-30)
    assert small.tolist() == pytest.approx([1e-30, 3e-30], rel=1e-5)
    assert log_cosh_loss(x, torch.zeros(2), delta=1e20).item() == pytest.approx(2.5, rel=1e-3)
