"""Asymmetric-loss checks: values computed by hand, identities, the kink convention, numerics and errors.

The generic suite (value vs the plain formula, gradients, gradcheck, dtypes, extremes) is
test_losses.py. Chapter: book/classification/multi-label.ipynb.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import AsymmetricLoss, asymmetric_loss

LOG3 = math.log(3.0)  # sigmoid(log 3) = 0.75


def _reference_code(x, y, gamma_neg=4.0, gamma_pos=0.0, clip=0.05, eps=1e-8):
    """The formula of the paper's reference implementation (element-wise, before its sum)."""
    xs_pos = torch.sigmoid(x)
    xs_neg = (1 - xs_pos + clip).clamp(max=1) if clip > 0 else 1 - xs_pos
    loss = y * torch.log(xs_pos.clamp(min=eps)) + (1 - y) * torch.log(xs_neg.clamp(min=eps))
    pt = xs_pos * y + xs_neg * (1 - y)
    return -loss * torch.pow(1 - pt, gamma_pos * y + gamma_neg * (1 - y))


def test_hand_computed_values():
    x = torch.tensor([LOG3, LOG3, -LOG3], dtype=torch.float64)
    t = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    # positive, p = 3/4, gamma_pos = 0: -log(3/4)
    # negative, p = 3/4, clip 0.05: p_m = 0.7, p_m^4 * -log(0.3)
    # negative, p = 1/4: p_m = 0.2, 0.2^4 * -log(0.8)
    expected = [math.log(4 / 3), 0.7**4 * -math.log(0.3), 0.2**4 * -math.log(0.8)]
    assert asymmetric_loss(x, t, reduction="none").tolist() == pytest.approx(expected, rel=1e-12)
    assert asymmetric_loss(x, t).item() == pytest.approx(sum(expected) / 3, rel=1e-12)


def test_hand_computed_gradient():
    x = torch.tensor([LOG3, LOG3], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1.0, 0.0], dtype=torch.float64)
    asymmetric_loss(x, t, gamma_pos=1.0, reduction="sum").backward()
    # positive: -(1 - p)^1 [(1 - p) - 1 * p log p] at p = 3/4
    d_pos = -0.25 * (0.25 - 0.75 * math.log(0.75))
    # negative: p_m^4 p (1 - p) [4 (-log(1 - p_m)) / p_m + 1 / (1 - p_m)] at p_m = 0.7
    d_neg = 0.7**4 * 0.1875 * (4 * -math.log(0.3) / 0.7 + 1 / 0.3)
    torch.testing.assert_close(x.grad, torch.tensor([d_pos, d_neg], dtype=torch.float64), rtol=1e-12, atol=0)


def test_without_focusing_or_shift_is_bce_with_logits():
    # gamma_pos = gamma_neg = clip = 0: t (-log p) + (1 - t)(-log(1 - p)), soft targets and their gradient included
    g = torch.Generator().manual_seed(0)
    x = 3 * torch.randn(5, 4, generator=g, dtype=torch.float64)
    t = torch.rand(5, 4, generator=g, dtype=torch.float64)
    x.requires_grad_(), t.requires_grad_()
    ours = asymmetric_loss(x, t, gamma_neg=0.0, clip=0.0)
    bce = F.binary_cross_entropy_with_logits(x, t)
    torch.testing.assert_close(ours, bce, rtol=1e-12, atol=0)
    for a, b in zip(torch.autograd.grad(ours, (x, t)), torch.autograd.grad(bce, (x, t))):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("options", [{}, {"gamma_pos": 1.0, "gamma_neg": 2.0, "clip": 0.1}, {"gamma_neg": 0.0, "clip": 0.0}])
def test_equals_the_reference_code_on_binary_labels(options):
    g = torch.Generator().manual_seed(1)
    x = 2 * torch.randn(6, 5, generator=g, dtype=torch.float64)
    t = (torch.rand(6, 5, generator=g) < 0.3).double()
    torch.testing.assert_close(asymmetric_loss(x, t, reduction="none", **options), _reference_code(x, t, **options), rtol=1e-12, atol=1e-15)


def test_kink_convention_at_the_shift():
    # at p = clip the negative part has a kink when gamma_neg = 0: slope 0 on the left, p(1 - p)/(1 - 0) on the right.
    # The convention is the flat side's derivative, 0 (as relu'(0) = 0).
    x = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    clip = torch.sigmoid(x).item()  # exactly at the kink
    zero = torch.zeros(1, dtype=torch.float64)
    (at,) = torch.autograd.grad(asymmetric_loss(x, zero, gamma_neg=0.0, clip=clip), x)
    assert at.item() == 0.0
    above = torch.tensor([0.3 + 1e-7], dtype=torch.float64, requires_grad=True)
    (right,) = torch.autograd.grad(asymmetric_loss(above, zero, gamma_neg=0.0, clip=clip), above)
    assert right.item() == pytest.approx(clip * (1 - clip), rel=1e-5)
    # with gamma_neg > 0 both one-sided derivatives are 0: the convention does not matter
    (right4,) = torch.autograd.grad(asymmetric_loss(above, zero, gamma_neg=4.0, clip=clip), above)
    assert abs(right4.item()) < 1e-20


def test_shifted_negatives_with_small_probability_cost_nothing():
    x = torch.logit(torch.tensor([0.01, 0.04, 0.049], dtype=torch.float64)).requires_grad_()
    loss = asymmetric_loss(x, torch.zeros(3, dtype=torch.float64), clip=0.05, reduction="sum")
    loss.backward()
    assert loss.item() == 0.0 and x.grad.abs().max().item() == 0.0


@pytest.mark.parametrize("options", [{"clip": 0.0, "gamma_neg": 0.5}, {"clip": 0.0, "gamma_neg": 0.0}, {"gamma_pos": 0.5}])
def test_saturated_logits_stay_finite_for_exponents_below_one(options):
    x = torch.tensor([1e4, -1e4, 1e4, -1e4, 50.0, -50.0], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 1.0], dtype=torch.float64, requires_grad=True)
    loss = asymmetric_loss(x, t, reduction="none", **options)
    gx, gt = torch.autograd.grad(loss.sum(), (x, t))
    assert torch.isfinite(loss).all() and torch.isfinite(gx).all() and torch.isfinite(gt).all()
    if options.get("clip", 0.05) == 0:
        # a wrong negative at x = 1e4 without shift costs -p^gamma log(1 - p) = 1e4 and pulls with slope 1
        assert loss[2].item() == pytest.approx(1e4) and gx[2].item() == pytest.approx(1.0)
    else:
        # with the shift, 1 - p_m >= clip: the cost is bounded by -log(0.05), and the slope p(1 - p) factor is 0
        assert loss[2].item() == pytest.approx(0.95**4 * -math.log(0.05)) and gx[2].item() == 0.0


def test_module_and_errors():
    x, t = torch.randn(3, 4), (torch.rand(3, 4) < 0.3).float()
    module = AsymmetricLoss(gamma_pos=1.0, clip=0.1, reduction="sum")
    torch.testing.assert_close(module(x, t), asymmetric_loss(x, t, gamma_pos=1.0, clip=0.1, reduction="sum"), rtol=0, atol=0)
    assert repr(module) == "AsymmetricLoss(gamma_pos=1.0, gamma_neg=4.0, clip=0.1, reduction='sum')"
    with pytest.raises(ValueError, match=r"AsymmetricLoss: clip must be in \[0.0, 1.0\), got 1.5"):
        AsymmetricLoss(clip=1.5)
    with pytest.raises(ValueError, match=r"asymmetric_loss: target values must be in \[0, 1\], got values in \[0, 3\]"):
        asymmetric_loss(torch.zeros(2), torch.tensor([0.0, 3.0]))
    with pytest.raises(ValueError, match=r"asymmetric_loss: target shape \(3, 4\) does not match input shape \(3, 5\)"):
        asymmetric_loss(torch.zeros(3, 5), torch.zeros(3, 4))
