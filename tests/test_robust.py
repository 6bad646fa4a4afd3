"""Barron-loss-specific checks: the special cases and limits, numerics, errors.

The generic suite (test_losses.py) checks values and gradients against the paper's formula.
"""

import math

import pytest
import torch

from lossbook.losses import BarronLoss, barron_loss

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
    with pytest.raises(TypeError, match="barron_loss: alpha must be a real number, got Tensor"):
        barron_loss(zeros, zeros, alpha=torch.tensor(1.0))
    with pytest.raises(TypeError, match="barron_loss: scale must be a real number, got str"):
        barron_loss(zeros, zeros, scale="1")
    with pytest.raises(ValueError, match=r"barron_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        barron_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(ValueError, match=r"BarronLoss: scale must be in \(0, inf\), got 0"):
        BarronLoss(scale=0)
    with pytest.raises(ValueError, match="BarronLoss: reduction must be one of"):
        BarronLoss(reduction="avg")


def test_module_repr():
    assert repr(BarronLoss(alpha=float("-inf"))) == "BarronLoss(alpha=-inf, scale=1.0, reduction='mean')"
