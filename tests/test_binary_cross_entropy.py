"""binary_cross_entropy and binary_cross_entropy_with_logits: values by hand and PyTorch's corner cases.

The generic suite (test_losses.py) checks values, gradients and PyTorch's sample inputs;
here: the clamp at -100 and the gradient at p = 0 and 1, the broadcasting rules of
``weight`` and ``pos_weight``, and the mean that ignores the weights.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import BCELoss, BCEWithLogitsLoss, binary_cross_entropy, binary_cross_entropy_with_logits


def softplus(t: float) -> float:
    return math.log1p(math.exp(t))


def test_hand_computed_values():
    # -log 0.9, -log(1 - 0.2), -log 0.5
    p, y = torch.tensor([0.9, 0.2, 0.5], dtype=torch.float64), torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    expected = [-math.log(0.9), -math.log(0.8), math.log(2)]
    assert binary_cross_entropy(p, y, reduction="none").tolist() == pytest.approx(expected, abs=1e-12)
    assert binary_cross_entropy(p, y).item() == pytest.approx(sum(expected) / 3, abs=1e-12)
    # soft target 0.3 at p = 0.6: -(0.3 log 0.6 + 0.7 log 0.4)
    soft = binary_cross_entropy(torch.tensor([0.6], dtype=torch.float64), torch.tensor([0.3], dtype=torch.float64))
    assert soft.item() == pytest.approx(-(0.3 * math.log(0.6) + 0.7 * math.log(0.4)), abs=1e-12)


def test_logits_hand_computed_values():
    # loss softplus(-z) for y = 1, softplus(z) for y = 0; with pos_weight q the y = 1 term is q softplus(-z)
    z, y = torch.tensor([2.0, -1.0, 0.0], dtype=torch.float64), torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    expected = [softplus(-2.0), softplus(-1.0), math.log(2)]
    assert binary_cross_entropy_with_logits(z, y, reduction="none").tolist() == pytest.approx(expected, abs=1e-12)
    q = torch.tensor(3.0, dtype=torch.float64)
    got = binary_cross_entropy_with_logits(z, y, reduction="none", pos_weight=q).tolist()
    assert got == pytest.approx([3 * softplus(-2.0), softplus(-1.0), 3 * math.log(2)], abs=1e-12)
    # soft target 0.3: 0.3 softplus(-z) + 0.7 softplus(z); with q: 0.3 q softplus(-z) + 0.7 softplus(z)
    got = binary_cross_entropy_with_logits(z[:1], torch.tensor([0.3], dtype=torch.float64), pos_weight=q).item()
    assert got == pytest.approx(0.9 * softplus(-2.0) + 0.7 * softplus(2.0), abs=1e-12)


def test_logits_gradient_is_sigmoid_minus_target():
    z = torch.tensor([2.0, -1.0, 0.0, 5.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0, 0.25], dtype=torch.float64)
    binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    torch.testing.assert_close(z.grad, torch.sigmoid(z.detach()) - y, rtol=0, atol=1e-15)
    # with pos_weight q: (1 + (q - 1) y) sigma(z) - q y
    z.grad = None
    binary_cross_entropy_with_logits(z, y, reduction="sum", pos_weight=torch.tensor(3.0, dtype=torch.float64)).backward()
    torch.testing.assert_close(z.grad, (1 + 2 * y) * torch.sigmoid(z.detach()) - 3 * y, rtol=0, atol=1e-15)


def test_clamp_at_minus_100_and_gradients_at_0_and_1_follow_pytorch():
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-30], requires_grad=True)
    y = torch.tensor([0.0, 0.0, 1.0, 1.0, 1.0])
    ours = binary_cross_entropy(p, y, reduction="none")
    theirs = F.binary_cross_entropy(p, y, reduction="none")
    assert ours.tolist() == pytest.approx([0.0, 100.0, 100.0, 0.0, 30 * math.log(10)], rel=1e-6)
    torch.testing.assert_close(ours, theirs)
    # input gradient (p - y) / max(p (1 - p), 1e-12): 0, 1e12, -1e12, 0, -1e12
    g_ours = torch.autograd.grad(ours.sum(), p)[0]
    g_theirs = torch.autograd.grad(theirs.sum(), p)[0]
    torch.testing.assert_close(g_ours, g_theirs)
    assert g_ours.tolist() == pytest.approx([0.0, 1e12, -1e12, 0.0, -1e12])


def test_target_gradient_is_that_of_the_clamped_loss():
    # d/dy = log(1 - p) - log p with the forward's clamped logs: finite at p = 0 and 1
    # (PyTorch returns -logit(p) unclamped, +-inf there); inside (0, 1) the two agree
    p = torch.tensor([0.0, 1.0, 0.3], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 0.5], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(binary_cross_entropy(p, y, reduction="sum"), y)
    assert g.tolist() == pytest.approx([100.0, -100.0, math.log(0.7 / 0.3)], abs=1e-12)
    y2 = y.detach().clone().requires_grad_(True)
    (g_torch,) = torch.autograd.grad(F.binary_cross_entropy(p, y2, reduction="sum"), y2)
    assert g_torch[2].item() == pytest.approx(g[2].item(), abs=1e-12) and torch.isinf(g_torch[:2]).all()


def test_logits_stay_exact_at_1e4():
    z = torch.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    out = binary_cross_entropy_with_logits(z, y, reduction="none", pos_weight=torch.tensor(2.0))
    assert out.tolist() == [1e4, 2e4, 0.0, 0.0]
    out.sum().backward()
    assert z.grad.tolist() == [1.0, -2.0, 0.0, 0.0]


@pytest.mark.parametrize("shape", [(), (1,), (3,), (1, 3), (4, 1), (4, 3)])
def test_weight_and_pos_weight_broadcast_as_in_pytorch(shape):
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4, 3, generator=g, dtype=torch.float64)
    y = torch.rand(4, 3, generator=g, dtype=torch.float64)
    w = torch.rand(shape, generator=g, dtype=torch.float64) + 0.5
    for reduction in ("none", "mean", "sum"):
        for kwargs in ({"weight": w}, {"pos_weight": w}, {"weight": w, "pos_weight": w}):
            got = binary_cross_entropy_with_logits(z, y, reduction=reduction, **kwargs)
            torch.testing.assert_close(got, F.binary_cross_entropy_with_logits(z, y, reduction=reduction, **kwargs))
        p = torch.sigmoid(z)
        torch.testing.assert_close(binary_cross_entropy(p, y, weight=w, reduction=reduction), F.binary_cross_entropy(p, y, weight=w, reduction=reduction))


@pytest.mark.parametrize("shape", [(4,), (2, 4, 3), (1, 4, 3), (5, 3)])
def test_weight_shapes_that_do_not_broadcast_to_the_input_raise(shape):
    z, y = torch.zeros(4, 3), torch.zeros(4, 3)
    for name in ("weight", "pos_weight"):
        with pytest.raises(ValueError, match=rf"binary_cross_entropy_with_logits: {name} shape .* does not broadcast to input shape \(4, 3\)"):
            binary_cross_entropy_with_logits(z, y, **{name: torch.ones(shape)})
    with pytest.raises(ValueError, match=r"binary_cross_entropy: weight shape .* does not broadcast"):
        binary_cross_entropy(torch.full((4, 3), 0.5), y, weight=torch.ones(shape))


def test_mean_divides_by_the_number_of_elements_not_the_weights():
    # PyTorch's BCE 'mean' is sum(w * l) / n, not sum(w * l) / sum(w) as in cross_entropy
    z, y, w = torch.tensor([0.0, 0.0]), torch.tensor([1.0, 1.0]), torch.tensor([1.0, 3.0])
    assert binary_cross_entropy_with_logits(z, y, weight=w).item() == pytest.approx(4 * math.log(2) / 2)
    assert binary_cross_entropy(torch.tensor([0.5, 0.5]), y, weight=w).item() == pytest.approx(4 * math.log(2) / 2)


def test_pos_weight_gradient_is_hand_written_and_right():
    # PyTorch refuses a pos_weight that requires grad; lossbook differentiates it
    g = torch.Generator().manual_seed(2)
    z = torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.rand(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    for shape in ((3,), (5, 3), ()):
        q = (torch.rand(shape, generator=g, dtype=torch.float64) + 0.5).requires_grad_(True)
        assert torch.autograd.gradcheck(lambda z, y, q: binary_cross_entropy_with_logits(z, y, pos_weight=q), (z, y, q))


def test_dtype_promotion_follows_pytorch():
    z, y = torch.zeros(3), torch.full((3,), 0.5, dtype=torch.float64)
    assert binary_cross_entropy_with_logits(z, y).dtype == F.binary_cross_entropy_with_logits(z, y).dtype == torch.float64
    with pytest.raises(TypeError, match="binary_cross_entropy: target dtype torch.float64 does not match input dtype torch.float32"):
        binary_cross_entropy(torch.full((3,), 0.5), y)


def test_modules():
    w = torch.tensor([1.0, 2.0, 3.0])
    module = BCEWithLogitsLoss(weight=w, pos_weight=2 * w)
    assert set(dict(module.named_buffers())) == {"weight", "pos_weight"}
    assert repr(BCELoss(reduction="sum")) == "BCELoss(reduction='sum')"
    z, y = torch.randn(4, 3), torch.rand(4, 3)
    torch.testing.assert_close(module(z, y), torch.nn.BCEWithLogitsLoss(weight=w, pos_weight=2 * w)(z, y))
    with pytest.raises(ValueError, match="BCEWithLogitsLoss: reduction must be one of"):
        BCEWithLogitsLoss(reduction="avg")
