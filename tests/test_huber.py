"""Huber and Smooth L1 checks: values computed by hand, the relation between the two, beta = 0, and errors.

The generic suite is test_losses.py.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import HuberLoss, SmoothL1Loss, huber_loss, l1_loss, smooth_l1_loss

X = torch.tensor([0.5, -3.0, 0.0, 1.0])
ZERO = torch.zeros(4)


def test_hand_computed_huber_values():
    # delta = 1: 0.5 * 0.5^2 = 0.125; 1 * (3 - 0.5) = 2.5; 0; at |r| = delta both pieces give 0.5 * 1^2 = 0.5
    assert huber_loss(X, ZERO, reduction="none").tolist() == [0.125, 2.5, 0.0, 0.5]
    assert huber_loss(X, ZERO).item() == pytest.approx((0.125 + 2.5 + 0.5) / 4)
    # delta = 2: 0.125; 2 * (3 - 1) = 4; 0; 0.5 * 1^2 = 0.5
    assert huber_loss(X, ZERO, reduction="none", delta=2.0).tolist() == [0.125, 4.0, 0.0, 0.5]


def test_hand_computed_smooth_l1_values():
    # beta = 2: 0.5 * 0.25 / 2 = 0.0625; 3 - 1 = 2; 0; 0.5 * 1 / 2 = 0.25
    assert smooth_l1_loss(X, ZERO, reduction="none", beta=2.0).tolist() == [0.0625, 2.0, 0.0, 0.25]
    # beta = 1 (the default) is Huber with delta = 1
    assert smooth_l1_loss(X, ZERO, reduction="none").tolist() == [0.125, 2.5, 0.0, 0.5]


@pytest.mark.parametrize("delta", [0.1, 0.5, 1.0, 2.0, 7.5])
def test_huber_is_delta_times_smooth_l1_with_beta_delta(delta):
    # |r| < delta: delta * (r^2 / (2 delta)) = r^2 / 2;  otherwise: delta * (|r| - delta / 2)
    r = torch.linspace(-10, 10, 2001, dtype=torch.float64)
    torch.testing.assert_close(
        huber_loss(r, torch.zeros_like(r), reduction="none", delta=delta),
        delta * smooth_l1_loss(r, torch.zeros_like(r), reduction="none", beta=delta),
    )


def test_gradient_is_the_clipped_residual():
    # d/dr huber_delta(r) = clamp(r, -delta, delta): residuals -3, -0.5, 0, 0.5, 3 with delta = 1
    r = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
    huber_loss(r, torch.zeros(5), reduction="sum").backward()
    assert r.grad.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    # Smooth L1 divides by beta: clamp(r / beta, -1, 1) with beta = 2
    r.grad = None
    smooth_l1_loss(r, torch.zeros(5), reduction="sum", beta=2.0).backward()
    assert r.grad.tolist() == [-1.0, -0.25, 0.0, 0.25, 1.0]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_beta_zero_is_l1_loss_with_pytorchs_gradient_at_zero(dtype):
    # PyTorch's smooth_l1_loss(beta=0) calls l1_loss: |r|, gradient sign(r), and sign(0) = 0
    x = torch.tensor([0.5, -3.0, 1.0, 1.0], dtype=dtype, requires_grad=True)
    y = torch.tensor([0.0, 0.0, 1.0, 0.0], dtype=dtype, requires_grad=True)  # residuals 0.5, -3, 0, 1
    for reduction in ("none", "mean", "sum"):
        ours = smooth_l1_loss(x, y, reduction=reduction, beta=0.0)
        torch.testing.assert_close(ours, l1_loss(x, y, reduction=reduction), rtol=0, atol=0)
        theirs = F.smooth_l1_loss(x, y, reduction=reduction, beta=0.0)
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
        g_ours = torch.autograd.grad(ours.sum(), (x, y))
        g_theirs = torch.autograd.grad(theirs.sum(), (x, y))
        for a, b in zip(g_ours, g_theirs):
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    (g,) = torch.autograd.grad(smooth_l1_loss(x, y, reduction="sum", beta=0.0), x)
    assert g.tolist() == [1.0, -1.0, 0.0, 1.0]


def test_infinite_thresholds_match_pytorch():
    # delta = inf: r^2 / 2 everywhere; beta = inf: r^2 / (2 beta) = 0 everywhere (PyTorch accepts both)
    r = torch.tensor([0.5, -3.0, 100.0])
    assert huber_loss(r, torch.zeros(3), reduction="none", delta=math.inf).tolist() == [0.125, 4.5, 5000.0]
    assert smooth_l1_loss(r, torch.zeros(3), reduction="none", beta=math.inf).tolist() == [0.0, 0.0, 0.0]
    assert huber_loss(r, torch.zeros(3), delta=math.inf).item() == F.huber_loss(r, torch.zeros(3), delta=math.inf).item()


def test_weighted_mean_divides_by_the_number_of_elements_as_pytorch_does():
    # unlike mse_loss and l1_loss, F.huber_loss(weight=w, reduction='mean') is mean(w * l), not sum(w * l) / sum(w):
    # residuals 2, 3 with delta = 10: (1 * 2 + 3 * 4.5) / 2 = 7.75
    x, y, w = torch.tensor([2.0, 3.0]), torch.zeros(2), torch.tensor([1.0, 3.0])
    assert huber_loss(x, y, delta=10.0, weight=w).item() == 7.75
    assert F.huber_loss(x, y, delta=10.0, weight=w).item() == 7.75


def test_issue_examples_of_bad_input():
    with pytest.raises(ValueError, match=r"huber_loss: target shape \(4,\) does not match input shape \(3,\)"):
        huber_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match=r"smooth_l1_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        smooth_l1_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(ValueError, match=r"huber_loss: delta must be in \(0, inf\], got 0.0"):
        huber_loss(torch.zeros(3), torch.zeros(3), delta=0.0)
    with pytest.raises(ValueError, match=r"smooth_l1_loss: beta must be in \[0, inf\], got -1.0"):
        smooth_l1_loss(torch.zeros(3), torch.zeros(3), beta=-1.0)
    with pytest.raises(TypeError, match="huber_loss: delta must be a real number, got Tensor"):
        huber_loss(torch.zeros(3), torch.zeros(3), delta=torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"HuberLoss: delta must be in \(0, inf\], got -2"):
        HuberLoss(delta=-2)
    with pytest.raises(ValueError, match=r"SmoothL1Loss: beta must be in \[0, inf\], got -0.1"):
        SmoothL1Loss(beta=-0.1)
    with pytest.raises(ValueError, match="HuberLoss: reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
        HuberLoss(reduction="avg")


def test_pytorch_rejects_the_same_thresholds():
    # the values lossbook refuses are the ones PyTorch refuses too (with a RuntimeError)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(torch.zeros(3), torch.zeros(3), delta=0.0)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(torch.zeros(3), torch.zeros(3), beta=-1.0)


def test_module_repr():
    assert repr(HuberLoss(delta=2.0)) == "HuberLoss(reduction='mean', delta=2.0)"
    assert repr(SmoothL1Loss(reduction="sum", beta=0.0)) == "SmoothL1Loss(reduction='sum', beta=0.0)"
