"""Barron-loss-specific checks: the special cases and limits, numerics, errors.

The generic suite (test_losses.py) checks values and gradients against the paper's formula.
"""

import math

import pytest
import torch
from torch import nn

from lossbook.losses import BarronLoss, barron_loss
from lossbook.losses.regression.robust import barron_rho, barron_rho_dalpha

R = torch.tensor([0.0, 0.3, -1.0, 2.5, 10.0], dtype=torch.float64)
C = 0.8
Z = (R / C) ** 2

# Barron (2019), section 1: the named losses the general one reduces to, written directly
SPECIAL = {
    2.0: (Z / 2, R / C**2),  # L2
    1.0: (torch.sqrt(Z + 1) - 1, R / C**2 / torch.sqrt(Z + 1)),  # Charbonnier / pseudo-Huber
    0.0: (torch.log(Z / 2 + 1), 2 * R / (R**2 + 2 * C**2)),  # Cauchy / Lorentzian
    -2.0: (2 * Z / (Z + 4), 16 * R * C**2 / (R**2 + 4 * C**2) ** 2),  # Geman-McClure
    -math.inf: (1 - torch.exp(-Z / 2), R / C**2 * torch.exp(-Z / 2)),  # Welsch / Leclerc
}


@pytest.mark.parametrize("alpha", list(SPECIAL), ids=str)
def test_special_cases_value_and_gradient(alpha):
    value, psi = SPECIAL[alpha]
    x = R.clone().requires_grad_(True)
    out = barron_loss(x, torch.zeros_like(R), alpha=alpha, scale=C, reduction="none")
    torch.testing.assert_close(out, value, rtol=1e-14, atol=1e-15)
    out.sum().backward()
    torch.testing.assert_close(x.grad, psi, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(
    "alpha, limit, tol",
    [(2 - 1e-9, 2.0, 1e-7), (2 + 1e-9, 2.0, 1e-7), (1e-9, 0.0, 1e-7), (-1e-9, 0.0, 1e-7), (-1e9, -math.inf, 1e-7)],
)
def test_general_formula_approaches_the_exact_limits(alpha, limit, tol):
    # the expm1/log1p form stays accurate next to the removable singularities at 0 and 2
    x = R.clone().requires_grad_(True)
    near = barron_loss(x, torch.zeros_like(R), alpha=alpha, scale=C, reduction="none")
    near.sum().backward()
    value, psi = SPECIAL[limit]
    torch.testing.assert_close(near.detach(), value, rtol=tol, atol=tol)
    torch.testing.assert_close(x.grad, psi, rtol=tol, atol=tol)


def test_near_zero_alpha_beats_the_plain_power_formula():
    # |a-2|/a * ((z/|a-2| + 1)^(a/2) - 1) cancels catastrophically for a = 1e-12; ours does not
    a, z = 1e-12, torch.tensor([1e-3, 1.0, 100.0], dtype=torch.float64)
    cauchy = torch.log1p(z / 2)
    naive = abs(a - 2) / a * ((z / abs(a - 2) + 1) ** (a / 2) - 1)
    ours = barron_loss(torch.sqrt(z), torch.zeros(3, dtype=torch.float64), alpha=a, reduction="none")
    assert ((ours - cauchy).abs() / cauchy).max().item() < 1e-10
    assert ((naive - cauchy).abs() / cauchy).max().item() > 1e-6


def test_scale_invariance():
    # rho(x, alpha, c) = rho(x / c, alpha, 1)
    x = torch.randn(20, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 5
    for alpha in (-math.inf, -3.0, 0.0, 0.7, 2.0, 4.0):
        a = barron_loss(x, torch.zeros_like(x), alpha=alpha, scale=2.5, reduction="none")
        b = barron_loss(x / 2.5, torch.zeros_like(x), alpha=alpha, reduction="none")
        torch.testing.assert_close(a, b, rtol=1e-13, atol=1e-15)


def test_monotone_in_alpha_and_in_scale():
    # Barron (2019), section 1: rho increases with alpha and decreases with c, for every x
    x = torch.linspace(-6, 6, 61, dtype=torch.float64)
    alphas = [-math.inf, -8.0, -2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
    rows = torch.stack([barron_loss(x, torch.zeros_like(x), alpha=a, reduction="none") for a in alphas])
    assert (rows.diff(dim=0) >= -1e-15).all()
    scales = [0.25, 0.5, 1.0, 2.0, 4.0]
    rows = torch.stack([barron_loss(x, torch.zeros_like(x), alpha=0.5, scale=c, reduction="none") for c in scales])
    assert (rows.diff(dim=0) <= 1e-15).all()


def test_quadratic_bowl_near_zero():
    # every member is (x/c)^2 / 2 to second order: the second derivative at 0 is 1/c^2
    x = torch.tensor([1e-4], dtype=torch.float64)
    for alpha in (-math.inf, -2.0, 0.0, 1.0, 2.0, 5.0):
        out = barron_loss(x, torch.zeros(1, dtype=torch.float64), alpha=alpha, scale=0.5, reduction="sum")
        assert out.item() == pytest.approx(0.5 * (1e-4 / 0.5) ** 2, rel=1e-6)


@pytest.mark.parametrize("alpha", [-math.inf, -2.0, 0.0, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_residuals_stay_finite_for_every_alpha(alpha, dtype):
    x = torch.tensor([1e4, -1e4, 0.5], dtype=dtype, requires_grad=True)
    out = barron_loss(x, torch.zeros_like(x), alpha=alpha, scale=0.1, reduction="sum")
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(x.grad).all()


def test_hand_computed_module_example():
    # alpha = 1, c = 0.5, x = 1: sqrt((1/0.5)^2 + 1) - 1 = sqrt(5) - 1; mean with 0 is (sqrt(5) - 1) / 2
    out = BarronLoss(alpha=1.0, scale=0.5)(torch.tensor([0.0, 1.0]), torch.zeros(2))
    assert out.item() == pytest.approx((math.sqrt(5) - 1) / 2, rel=1e-6)


def test_issue_examples_of_bad_input():
    zeros = torch.zeros(3)
    with pytest.raises(ValueError, match=r"^barron_loss: scale must be in \(0, inf\), got 0.0$"):
        barron_loss(zeros, zeros, scale=0.0)
    with pytest.raises(ValueError, match=r"barron_loss: scale must be in \(0, inf\), got -1"):
        barron_loss(zeros, zeros, scale=-1)
    with pytest.raises(ValueError, match=r"barron_loss: alpha must be in \[-inf, inf\), got inf"):
        barron_loss(zeros, zeros, alpha=math.inf)
    with pytest.raises(TypeError, match="barron_loss: scale must be a real number or a floating-point tensor, got str"):
        barron_loss(zeros, zeros, scale="1")
    with pytest.raises(TypeError, match="barron_loss: alpha must be a floating-point tensor, got dtype torch.int64"):
        barron_loss(zeros, zeros, alpha=torch.tensor(1))
    with pytest.raises(ValueError, match=r"barron_loss: alpha shape \(2,\) does not broadcast to input shape \(3,\)"):
        barron_loss(zeros, zeros, alpha=torch.ones(2))
    with pytest.raises(ValueError, match=r"barron_loss: scale shape \(2, 3\) does not broadcast to input shape \(3,\)"):
        barron_loss(zeros, zeros, scale=torch.ones(2, 3))  # would enlarge the output: refused
    with pytest.raises(ValueError, match=r"barron_loss: scale values must be in \(0, inf\), got -0.5"):
        barron_loss(zeros, zeros, scale=torch.tensor([1.0, -0.5, 1.0]))
    with pytest.raises(ValueError, match=r"barron_loss: alpha values must be in \[-inf, inf\), got nan"):
        barron_loss(zeros, zeros, alpha=torch.tensor(math.nan))
    with pytest.raises(ValueError, match=r"barron_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        barron_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(ValueError, match=r"BarronLoss: scale must be in \(0, inf\), got 0"):
        BarronLoss(scale=0)
    with pytest.raises(ValueError, match="BarronLoss: reduction must be one of"):
        BarronLoss(reduction="avg")
    # a tensor alpha or scale is checked when the module is built, not only at its first call
    with pytest.raises(TypeError, match="BarronLoss: alpha must be a floating-point tensor, got dtype torch.int64"):
        BarronLoss(alpha=torch.tensor(1))
    with pytest.raises(ValueError, match=r"BarronLoss: scale values must be in \(0, inf\), got -1.0"):
        BarronLoss(scale=nn.Parameter(torch.tensor([1.0, -1.0])))


def test_module_repr():
    assert repr(BarronLoss(alpha=float("-inf"))) == "BarronLoss(alpha=-inf, scale=1.0, reduction='mean')"


# Tensor alpha and scale: the same values as the numbers, and the hand-written d/d alpha, d/d c

ALPHAS = [-math.inf, -1e3, -2.0, -0.3, -1e-6, 0.0, 1e-6, 0.5, 1.0, 1.5, 1.99, 2.0, 2.01, 3.0, 6.0]


@pytest.mark.parametrize("alpha", ALPHAS, ids=str)
def test_tensor_parameters_equal_numbers(alpha):
    x = 3 * torch.randn(7, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    number = barron_loss(x, torch.zeros_like(x), alpha=alpha, scale=0.8, reduction="none")
    tensor = barron_loss(
        x, torch.zeros_like(x), alpha=torch.tensor(alpha, dtype=torch.float64), scale=torch.tensor(0.8, dtype=torch.float64), reduction="none"
    )
    torch.testing.assert_close(tensor, number, rtol=1e-13, atol=1e-15)


def _gradcheck(alpha, shape, eps=1e-7):
    g = torch.Generator().manual_seed(2)
    x = (2 * torch.randn(5, 3, dtype=torch.float64, generator=g)).requires_grad_(True)
    t = torch.randn(5, 3, dtype=torch.float64, generator=g)
    a = torch.full(shape, alpha, dtype=torch.float64, requires_grad=True)
    c = (0.8 + 0.2 * torch.rand(shape, dtype=torch.float64, generator=g)).requires_grad_(True)
    fn = lambda x, a, c: barron_loss(x, t, alpha=a, scale=c, reduction="none")  # noqa: E731
    return torch.autograd.gradcheck(fn, (x, a, c), eps=eps, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("shape", [(), (3,), (5, 3)], ids=str)
@pytest.mark.parametrize("alpha", [-1e3, -5.0, -2.0, -0.3, -1e-6, 0.0, 1e-6, 0.5, 1.0, 1.49, 1.51, 1.99, 2.01, 2.49, 2.51, 4.0])
def test_gradcheck_alpha_and_scale(alpha, shape):
    # away from and next to the special values 0 and 2 (the two formulas of d rho / d alpha meet at 1.5 and 2.5)
    assert _gradcheck(alpha, shape)


def test_dalpha_matches_a_high_precision_difference_next_to_two():
    # rho(alpha) by Richardson-extrapolated central differences in float64, one z at a time, at 2 -/+ 1e-4
    z = torch.tensor([0.01, 0.5, 3.0, 40.0], dtype=torch.float64)
    def central(alpha, h):
        return (barron_rho(z, alpha + h) - barron_rho(z, alpha - h)) / (2 * h)

    for alpha in (2 - 1e-4, 2 + 1e-4):
        numeric = (4 * central(alpha, 5e-8) - central(alpha, 1e-7)) / 3
        torch.testing.assert_close(barron_rho_dalpha(z, torch.tensor(alpha, dtype=torch.float64)), numeric, rtol=1e-5, atol=0)


def test_dalpha_at_the_special_values():
    z = torch.tensor([0.0, 0.5, 3.0], dtype=torch.float64)
    L = torch.log1p(z / 2)
    at = lambda a: barron_rho_dalpha(z, torch.tensor(a, dtype=torch.float64))  # noqa: E731
    # alpha = 0: L^2 / 4 - L / 2 + z / (2 (2 + z)), derived in the chapter
    torch.testing.assert_close(at(0.0), L**2 / 4 - L / 2 + z / (2 * (2 + z)), rtol=1e-14, atol=1e-16)
    # alpha = 2: infinite for z > 0 (it grows like (z / 4) log(1 / |alpha - 2|)), 0 at z = 0
    assert at(2.0).tolist() == [0.0, math.inf, math.inf]
    assert at(2 - 1e-12)[1:].gt(at(2 - 1e-6)[1:]).all()
    # alpha = -inf: the Welsch loss is the limit, approached like 1 / alpha: the derivative is 0
    assert at(-math.inf).tolist() == [0.0, 0.0, 0.0]
    assert at(-1e8).abs().max().item() < 1e-14


def test_scale_gradient_is_minus_r_over_c_times_psi():
    x = torch.linspace(-4, 4, 9, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    for alpha in (-math.inf, 0.0, 1.0, 2.0):
        (gx, gc) = torch.autograd.grad(barron_loss(x, torch.zeros_like(x), alpha=alpha, scale=c, reduction="sum"), (x, c))
        torch.testing.assert_close(gc, -(x.detach() / 0.7 * gx).sum(), rtol=1e-13, atol=1e-15)


def test_broadcast_parameter_gets_the_summed_gradient():
    x = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    per_column = torch.tensor([0.0, 1.0, 1.5], dtype=torch.float64, requires_grad=True)
    full = per_column.detach().expand(6, 3).clone().requires_grad_(True)
    barron_loss(x, torch.zeros_like(x), alpha=per_column, reduction="sum").backward()
    barron_loss(x, torch.zeros_like(x), alpha=full, reduction="sum").backward()
    torch.testing.assert_close(per_column.grad, full.grad.sum(0))


def test_module_learns_tensor_parameters():
    alpha, scale = nn.Parameter(torch.tensor(1.0)), nn.Parameter(torch.tensor(2.0))
    module = BarronLoss(alpha=alpha, scale=scale, reduction="sum")
    assert {id(p) for p in module.parameters()} == {id(alpha), id(scale)}
    module(torch.tensor([0.0, 1.0, 10.0]), torch.zeros(3)).backward()
    assert alpha.grad is not None and scale.grad is not None
    assert repr(module) == "BarronLoss(reduction='sum')"
    fixed = BarronLoss(alpha=torch.tensor([0.0, 1.0]))  # a plain tensor is a buffer: it moves with .to(), it is not learned
    assert [n for n, _ in fixed.named_buffers()] == ["alpha"] and not list(fixed.parameters())
