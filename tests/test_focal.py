"""Focal-loss and Poly-1 checks: values computed by hand, identities, numerics and errors.

The generic suite (value vs the plain formulas, gradients, gradcheck, dtypes, extremes) is
test_losses.py. Chapter: book/classification/focal.ipynb.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import (
    FocalLoss,
    Poly1CrossEntropyLoss,
    SigmoidFocalLoss,
    focal_loss,
    poly1_cross_entropy,
    sigmoid_focal_loss,
)

LOG3 = math.log(3.0)  # sigmoid(log 3) = 0.75; softmax([log 3, 0]) = [0.75, 0.25]


def _torchvision(x, t, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss's formula, reduction='none' (the naive implementation)."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    return loss if alpha is None else (alpha * t + (1 - alpha) * (1 - t)) * loss


def test_sigmoid_focal_hand_computed_values():
    x = torch.tensor([0.0, LOG3, LOG3], dtype=torch.float64)
    t = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    # x=0, t=1: p_t = 1/2, ce = log 2, alpha_t = 0.25: 0.25 * (1/2)^2 * log 2
    # x=log 3, t=1: p_t = 3/4, ce = -log(3/4): 0.25 * (1/4)^2 * log(4/3)
    # x=log 3, t=0: p_t = 1/4, ce = log 4, alpha_t = 0.75: 0.75 * (3/4)^2 * log 4
    expected = [0.25 * 0.25 * math.log(2), 0.25 * 0.0625 * math.log(4 / 3), 0.75 * 0.5625 * math.log(4)]
    assert sigmoid_focal_loss(x, t, reduction="none").tolist() == pytest.approx(expected, rel=1e-12)
    assert sigmoid_focal_loss(x, t).item() == pytest.approx(sum(expected) / 3, rel=1e-12)
    # alpha=None: no class weighting
    assert sigmoid_focal_loss(x, t, alpha=None, reduction="sum").item() == pytest.approx(
        0.25 * math.log(2) + 0.0625 * math.log(4 / 3) + 0.5625 * math.log(4), rel=1e-12
    )


def test_sigmoid_focal_gradient_is_lin_et_al_formula():
    # Lin et al. (2017), appendix: for t = 1, dFL/dx = alpha (1 - p)^gamma (gamma p log p + p - 1)
    x = torch.tensor([LOG3, -1.0, 2.5], dtype=torch.float64, requires_grad=True)
    alpha, gamma = 0.25, 2.0
    sigmoid_focal_loss(x, torch.ones(3, dtype=torch.float64), alpha=alpha, gamma=gamma, reduction="sum").backward()
    p = torch.sigmoid(x.detach())
    expected = alpha * (1 - p) ** gamma * (gamma * p * torch.log(p) + p - 1)
    torch.testing.assert_close(x.grad, expected, rtol=1e-12, atol=0)
    # at x = log 3: 0.25 * (1/4)^2 * (2 * 0.75 * log 0.75 - 0.25)
    assert x.grad[0].item() == pytest.approx(0.25 * 0.0625 * (1.5 * math.log(0.75) - 0.25), rel=1e-12)


def test_sigmoid_focal_without_focusing_is_bce_with_logits():
    # gamma = 0, alpha = None: (1 - p_t)^0 = 1, so the loss is BCE, soft targets and their gradient included
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, generator=g, dtype=torch.float64, requires_grad=True)
    t = torch.rand(20, generator=g, dtype=torch.float64, requires_grad=True)
    ours = sigmoid_focal_loss(x, t, alpha=None, gamma=0.0)
    bce = F.binary_cross_entropy_with_logits(x, t)
    torch.testing.assert_close(ours, bce, rtol=1e-12, atol=0)
    for a, b in zip(torch.autograd.grad(ours, (x, t)), torch.autograd.grad(bce, (x, t))):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("gamma", [0.25, 0.5, 0.9])
def test_gamma_below_one_at_saturated_logits_naive_nan_ours_finite(gamma):
    # (1 - p_t)^gamma has derivative gamma (1 - p_t)^(gamma - 1) -> inf as p_t -> 1; the naive chain rule
    # multiplies it by d(1 - p_t)/dx = 0 and returns NaN. The true derivative tends to 0.
    x = torch.tensor([40.0, -40.0], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1.0, 0.0], dtype=torch.float64)
    naive = torch.autograd.grad(_torchvision(x, t, gamma=gamma).sum(), x)[0]
    assert torch.isnan(naive).all()
    ours = torch.autograd.grad(sigmoid_focal_loss(x, t, gamma=gamma, reduction="sum"), x)[0]
    # the exact value, -/+ alpha q^gamma (q + gamma p ce) with q = sigmoid(-40) and ce = log1p(q-ish), in float64
    q = torch.sigmoid(torch.tensor(-40.0, dtype=torch.float64))
    ce = torch.log1p(torch.exp(torch.tensor(-40.0, dtype=torch.float64)))
    magnitude = 0.25 * q**gamma * (q + gamma * (1 - q) * ce)
    torch.testing.assert_close(ours, torch.stack([-magnitude, 0.75 / 0.25 * magnitude]), rtol=1e-12, atol=0)


def test_softmax_focal_hand_computed_values_and_gradient():
    z = torch.tensor([[LOG3, 0.0], [0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1])
    # row 1: p_t = 3/4: (1/4)^2 log(4/3); row 2: p_t = 1/2: (1/2)^2 log 2
    loss = focal_loss(z, y, reduction="none")
    assert loss.tolist() == pytest.approx([0.0625 * math.log(4 / 3), 0.25 * math.log(2)], rel=1e-12)
    loss.sum().backward()
    # d/dz = g(p_t) (p - e_y), g = (1 - p_t)^gamma - gamma p_t (1 - p_t)^(gamma - 1) log p_t
    g1 = 0.0625 - 2 * 0.75 * 0.25 * math.log(0.75)
    g2 = 0.25 - 2 * 0.5 * 0.5 * math.log(0.5)
    expected = torch.tensor([[g1 * -0.25, g1 * 0.25], [g2 * 0.5, g2 * -0.5]], dtype=torch.float64)
    torch.testing.assert_close(z.grad, expected, rtol=1e-12, atol=0)


def test_two_class_softmax_focal_equals_sigmoid_focal():
    # softmax over (0, x) gives p_1 = sigmoid(x): both forms see the same p_t
    g = torch.Generator().manual_seed(1)
    x = 3 * torch.randn(10, generator=g, dtype=torch.float64)
    t = (torch.rand(10, generator=g) < 0.5).long()
    two = focal_loss(torch.stack([torch.zeros_like(x), x], dim=1), t, gamma=1.5, reduction="none")
    one = sigmoid_focal_loss(x, t.double(), alpha=None, gamma=1.5, reduction="none")
    torch.testing.assert_close(two, one, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", [(7, 4), (3, 4, 5), (2, 4, 3, 2)])
def test_softmax_focal_without_focusing_is_cross_entropy(shape):
    # gamma = 0 is F.cross_entropy, with the same weight, ignore_index, shapes and weighted mean
    g = torch.Generator().manual_seed(2)
    z = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 4, shape[:1] + shape[2:], generator=g)
    y.view(-1)[0] = -100
    w = torch.rand(4, generator=g, dtype=torch.float64) + 0.5
    for reduction in ("none", "mean", "sum"):
        ours = focal_loss(z, y, gamma=0.0, weight=w, reduction=reduction)
        ce = F.cross_entropy(z, y, weight=w, reduction=reduction)
        torch.testing.assert_close(ours, ce, rtol=1e-12, atol=1e-15)
        torch.testing.assert_close(torch.autograd.grad(ours.sum(), z)[0], torch.autograd.grad(ce.sum(), z)[0], rtol=1e-12, atol=1e-15)


def test_weighted_mean_divides_by_the_weights_of_targets_not_ignored():
    z = torch.zeros(3, 2, dtype=torch.float64)  # p_t = 1/2 everywhere: each loss is (1/2)^2 log 2
    y = torch.tensor([0, 1, -100])
    w = torch.tensor([1.0, 3.0], dtype=torch.float64)
    each = 0.25 * math.log(2)
    # (1 * each + 3 * each) / (1 + 3); the ignored row counts neither in the sum nor in the denominator
    assert focal_loss(z, y, weight=w).item() == pytest.approx(each, rel=1e-12)
    assert focal_loss(z, y, weight=w, reduction="sum").item() == pytest.approx(4 * each, rel=1e-12)
    assert focal_loss(z, y, weight=w, reduction="none").tolist() == pytest.approx([each, 3 * each, 0.0])


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_softmax_focal_stays_finite_and_tends_to_zero_at_saturated_logits(gamma):
    z = torch.tensor([[60.0, 0.0, -5.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0])
    log_pt = torch.log_softmax(z, 1)[:, 0]
    naive = torch.autograd.grad((-((1 - log_pt.exp()) ** gamma) * log_pt).sum(), z)[0]
    if gamma < 1:
        assert torch.isnan(naive).any()  # 1 - p_t rounds to 0: inf * 0
    ours = torch.autograd.grad(focal_loss(z, y, gamma=gamma), z)[0]
    assert torch.isfinite(ours).all() and ours.abs().max() < 1e-20


def test_poly1_hand_computed_value_and_gradient():
    z = torch.tensor([[LOG3, 0.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0])
    # p_t = 3/4: -log(3/4) + epsilon (1 - 3/4) with epsilon = 1
    loss = poly1_cross_entropy(z, y)
    assert loss.item() == pytest.approx(math.log(4 / 3) + 0.25, rel=1e-12)
    loss.backward()
    # (1 + epsilon p_t)(p - e_y) = 1.75 * (-1/4, 1/4)
    torch.testing.assert_close(z.grad, torch.tensor([[-0.4375, 0.4375]], dtype=torch.float64), rtol=1e-12, atol=0)


def test_poly1_with_zero_epsilon_is_cross_entropy_and_accurate_near_one():
    g = torch.Generator().manual_seed(3)
    z = torch.randn(8, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 5, (8,), generator=g)
    torch.testing.assert_close(poly1_cross_entropy(z, y, epsilon=0.0), F.cross_entropy(z, y), rtol=1e-12, atol=0)
    # -log p_t for p_t = sigmoid(40): log1p(e^-40) ~ 4.2e-18, not the 0 that lse(z) - z_y rounds to
    tiny = poly1_cross_entropy(torch.tensor([[40.0, 0.0]], dtype=torch.float64), torch.tensor([0]), epsilon=0.0)
    assert tiny.item() == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-12)


def test_modules_hold_options_and_weight():
    w = torch.tensor([1.0, 2.0, 3.0])
    module = FocalLoss(gamma=1.0, weight=w, ignore_index=2, reduction="sum")
    z, y = torch.randn(4, 3), torch.tensor([0, 1, 2, 1])
    torch.testing.assert_close(module(z, y), focal_loss(z, y, gamma=1.0, weight=w, ignore_index=2, reduction="sum"), rtol=0, atol=0)
    assert "weight" in dict(module.named_buffers())
    assert repr(module) == "FocalLoss(gamma=1.0, ignore_index=2, reduction='sum')"
    assert repr(SigmoidFocalLoss(alpha=None)) == "SigmoidFocalLoss(alpha=None, gamma=2.0, reduction='mean')"
    assert repr(Poly1CrossEntropyLoss(epsilon=2.0)) == "Poly1CrossEntropyLoss(epsilon=2.0, reduction='mean')"


def test_bad_options_and_inputs():
    with pytest.raises(ValueError, match=r"FocalLoss: gamma must be in \[0.0, inf\], got -1"):
        FocalLoss(gamma=-1)
    with pytest.raises(ValueError, match=r"SigmoidFocalLoss: alpha must be in \[0.0, 1.0\], got -0.25"):
        SigmoidFocalLoss(alpha=-0.25)  # torchvision's "off" value: here alpha=None
    with pytest.raises(ValueError, match=r"Poly1CrossEntropyLoss: epsilon must be in \[-1.0, inf\], got -1.5"):
        Poly1CrossEntropyLoss(epsilon=-1.5)
    with pytest.raises(TypeError, match="sigmoid_focal_loss: gamma must be a real number, got str"):
        sigmoid_focal_loss(torch.zeros(2), torch.zeros(2), gamma="2")
    with pytest.raises(ValueError, match=r"focal_loss: target shape \(2, 3\) does not match input shape \(2, 4, 5\): expected \(2, 5\)"):
        focal_loss(torch.zeros(2, 4, 5), torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"focal_loss: target holds class index 7, expected values in \[0, 4\) or ignore_index=-1"):
        focal_loss(torch.zeros(2, 4), torch.tensor([-1, 7]), ignore_index=-1)
    with pytest.raises(ValueError, match=r"sigmoid_focal_loss: target values must be in \[0, 1\]"):
        sigmoid_focal_loss(torch.zeros(2), torch.tensor([0.5, float("nan")]))
