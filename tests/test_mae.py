"""MAE-specific checks: values computed by hand, the subgradient at 0, and errors. The generic suite is test_losses.py."""

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import L1Loss, l1_loss


def test_hand_computed_values():
    # residuals 0, 2, 3: absolute values 0, 2, 3; sum 5, mean 5/3
    x, y = torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 0.0, 1.0])
    assert l1_loss(x, y, reduction="sum").item() == 5.0
    assert l1_loss(x, y).item() == pytest.approx(5 / 3)
    assert l1_loss(x, y, reduction="none").tolist() == [0.0, 2.0, 3.0]


def test_weighted_mean_divides_by_the_sum_of_weights():
    # (1 * 2 + 3 * 3) / (1 + 3) = 11 / 4, as torch.nn.functional.l1_loss computes it
    x, y, w = torch.tensor([2.0, -3.0]), torch.zeros(2), torch.tensor([1.0, 3.0])
    assert l1_loss(x, y, weight=w).item() == pytest.approx(11 / 4)
    assert l1_loss(x, y, weight=w).item() == F.l1_loss(x, y, weight=w).item()


def test_hand_computed_gradient():
    # d/dx mean|x - y| = sign(x - y) / n = [0, 1/3, -1/3] for residuals 0, 2, -3
    x = torch.tensor([1.0, 2.0, -2.0], requires_grad=True)
    l1_loss(x, torch.tensor([1.0, 0.0, 1.0])).backward()
    torch.testing.assert_close(x.grad, torch.tensor([0.0, 1 / 3, -1 / 3]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_subgradient_at_zero_is_pytorchs_sign_of_zero(dtype):
    # |r| has no derivative at r = 0; PyTorch's l1_loss backward returns sign(0) = 0 there
    x = torch.tensor([0.5, 0.5, -1.0], dtype=dtype, requires_grad=True)
    y = torch.tensor([0.5, 0.0, -1.0], dtype=dtype, requires_grad=True)  # residuals 0, 0.5, 0
    ours = torch.autograd.grad(l1_loss(x, y, reduction="sum"), (x, y))
    theirs = torch.autograd.grad(F.l1_loss(x, y, reduction="sum"), (x, y))
    expected = torch.tensor([0.0, 1.0, 0.0], dtype=dtype)
    torch.testing.assert_close(ours[0], expected, rtol=0, atol=0)
    torch.testing.assert_close(ours[1], -expected, rtol=0, atol=0)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_weight_gets_a_gradient():
    # d/dw_k [sum_i w_i |r_i| / sum_i w_i] = (|r_k| - L) / sum_i w_i, as for F.l1_loss
    x, y = torch.tensor([2.0, -3.0, 0.5]), torch.zeros(3)
    w = torch.tensor([1.0, 2.0, 1.0], requires_grad=True)
    loss = l1_loss(x, y, weight=w)
    (grad,) = torch.autograd.grad(loss, w)
    torch.testing.assert_close(grad, (x.abs() - loss.detach()) / 4)


def test_issue_examples_of_bad_input():
    with pytest.raises(ValueError, match=r"l1_loss: target shape \(4,\) does not match input shape \(3,\)"):
        l1_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match=r"l1_loss: target shape \(32,\) does not match input shape \(32, 1\)"):
        l1_loss(torch.zeros(32, 1), torch.zeros(32))
    with pytest.raises(ValueError, match="L1Loss: reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
        L1Loss(reduction="avg")
    with pytest.raises(TypeError, match="l1_loss: weight must be a floating-point tensor, got dtype torch.int64"):
        l1_loss(torch.zeros(3), torch.zeros(3), weight=torch.ones(3, dtype=torch.long))


def test_module_repr():
    assert repr(L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
