"""Quantile-loss-specific checks: values computed by hand, the kink convention, errors.

The generic suite is test_losses.py.
"""

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import QuantileLoss, quantile_loss


def test_hand_computed_values():
    # u = y - x = 2, -2, 0.5 with tau = 0.9: 0.9 * 2 = 1.8, (0.9 - 1) * (-2) = 0.2, 0.9 * 0.5 = 0.45
    x, y = torch.zeros(3, dtype=torch.float64), torch.tensor([2.0, -2.0, 0.5], dtype=torch.float64)
    assert quantile_loss(x, y, quantile=0.9, reduction="none").tolist() == pytest.approx([1.8, 0.2, 0.45], rel=1e-15)
    assert quantile_loss(x, y, quantile=0.9, reduction="sum").item() == pytest.approx(2.45, rel=1e-15)
    assert quantile_loss(x, y, quantile=0.9).item() == pytest.approx(2.45 / 3, rel=1e-15)


def test_weighted_mean_divides_by_the_sum_of_weights():
    # tau = 0.25, u = 4 (loss 1) and u = -4 (loss 3): (1 * 1 + 3 * 3) / (1 + 3) = 2.5
    x, y, w = torch.zeros(2), torch.tensor([4.0, -4.0]), torch.tensor([1.0, 3.0])
    assert quantile_loss(x, y, quantile=0.25, weight=w).item() == pytest.approx(2.5)


def test_hand_computed_gradient():
    # d/dx rho_tau(y - x) = -tau when y > x, 1 - tau when y < x; divided by n = 2 for 'mean'
    x = torch.tensor([0.0, 0.0], requires_grad=True)
    y = torch.tensor([1.0, -1.0], requires_grad=True)
    quantile_loss(x, y, quantile=0.8).backward()
    torch.testing.assert_close(x.grad, torch.tensor([-0.4, 0.1]))
    torch.testing.assert_close(y.grad, torch.tensor([0.4, -0.1]))


@pytest.mark.parametrize("tau", [0.05, 0.5, 0.9])
def test_subgradient_at_the_kink_is_zero(tau):
    # the convention of the chapter: at u = 0 the subgradient 0 (inside [tau - 1, tau]) is used
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = x.detach().clone().requires_grad_(True)
    out = quantile_loss(x, y, quantile=tau, reduction="sum")
    assert out.item() == 0.0
    out.backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and y.grad.tolist() == [0.0, 0.0, 0.0]


def test_median_is_half_the_absolute_error_with_its_gradient_at_ties():
    x = torch.tensor([0.0, 1.0, 2.0, -3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.0, 3.0, 2.0, 1.0], dtype=torch.float64)  # two ties, two non-ties
    ours = quantile_loss(x, y, quantile=0.5, reduction="none")
    theirs = 0.5 * F.l1_loss(x, y, reduction="none")
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    (g_ours,) = torch.autograd.grad(ours.sum(), x)
    (g_theirs,) = torch.autograd.grad(theirs.sum(), x)
    torch.testing.assert_close(g_ours, g_theirs, rtol=0, atol=0)


def test_best_constant_is_the_empirical_quantile():
    # targets 1..11, tau = 0.3: the risk's slope is F_n(c) - tau, which changes sign at the
    # 4th smallest value (F_n = 3/11 < 0.3 below it, 4/11 > 0.3 above it), so c* = 4
    y = torch.arange(1.0, 12.0, dtype=torch.float64)
    grid = torch.linspace(0, 12, 1201, dtype=torch.float64)
    risk = torch.stack([quantile_loss(torch.full_like(y, c), y, quantile=0.3) for c in grid.tolist()])
    assert grid[risk.argmin()].item() == pytest.approx(4.0)


def test_large_residuals_are_linear():
    x = torch.tensor([1e4, -1e4], requires_grad=True)
    out = quantile_loss(x, torch.zeros(2), quantile=0.2, reduction="none")
    assert out.tolist() == pytest.approx([0.8e4, 0.2e4])
    out.sum().backward()
    assert x.grad.tolist() == pytest.approx([0.8, -0.2])


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_quantile_outside_the_open_interval_raises(bad):
    with pytest.raises(ValueError, match=r"quantile_loss: quantile must be in \(0, 1\), got"):
        quantile_loss(torch.zeros(3), torch.zeros(3), quantile=bad)
    with pytest.raises(ValueError, match=r"QuantileLoss: quantile must be in \(0, 1\), got"):
        QuantileLoss(quantile=bad)


def test_issue_examples_of_bad_input():
    with pytest.raises(ValueError, match=r"quantile_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        quantile_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(TypeError, match="quantile_loss: quantile must be a real number, got bool"):
        quantile_loss(torch.zeros(3), torch.zeros(3), quantile=True)
    with pytest.raises(ValueError, match="QuantileLoss: reduction must be one of"):
        QuantileLoss(reduction="avg")


def test_module_repr():
    assert repr(QuantileLoss(quantile=0.9)) == "QuantileLoss(quantile=0.9, reduction='mean')"
