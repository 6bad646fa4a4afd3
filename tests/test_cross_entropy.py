"""cross_entropy and nll_loss: values computed by hand, PyTorch's corner cases, probability targets.

The generic suite (test_losses.py) covers class-index targets through the registry; the
probability-target form, whose target is differentiable, is checked here.
"""

import math
from functools import partial

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import CrossEntropyLoss, NLLLoss, cross_entropy, nll_loss

Z = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
# -log softmax(Z)[y] by hand: log-sum-exp of the row minus the target's logit
CE_ROW0_CLASS0 = math.log(math.exp(2) + 1 + math.exp(-1)) - 2  # 0.1698
CE_ROW1_CLASS2 = math.log(1 + math.e + 1) - 0  # 1.5514


def _log_p(row):
    lse = math.log(sum(math.exp(v) for v in row))
    return [v - lse for v in row]


def test_hand_computed_values():
    y = torch.tensor([0, 2])
    assert cross_entropy(Z, y, reduction="none").tolist() == pytest.approx([CE_ROW0_CLASS0, CE_ROW1_CLASS2], abs=1e-12)
    assert cross_entropy(Z, y).item() == pytest.approx((CE_ROW0_CLASS0 + CE_ROW1_CLASS2) / 2, abs=1e-12)
    assert cross_entropy(Z, y, reduction="sum").item() == pytest.approx(CE_ROW0_CLASS0 + CE_ROW1_CLASS2, abs=1e-12)


def test_weighted_mean_divides_by_the_weights_of_the_targets():
    # weights 1, 1, 3 for the classes; the targets are classes 0 and 2: (1 * l0 + 3 * l1) / (1 + 3)
    w = torch.tensor([1.0, 1.0, 3.0], dtype=torch.float64)
    got = cross_entropy(Z, torch.tensor([0, 2]), weight=w)
    assert got.item() == pytest.approx((CE_ROW0_CLASS0 + 3 * CE_ROW1_CLASS2) / 4, abs=1e-12)
    assert cross_entropy(Z, torch.tensor([0, 2]), weight=w, reduction="none").tolist() == pytest.approx(
        [CE_ROW0_CLASS0, 3 * CE_ROW1_CLASS2], abs=1e-12
    )
    torch.testing.assert_close(got, F.cross_entropy(Z, torch.tensor([0, 2]), weight=w))


def test_ignore_index_drops_the_position_from_sum_and_denominator():
    # the ignored second row: loss 0, and the mean is over the one row left
    assert cross_entropy(Z, torch.tensor([0, -100]), reduction="none").tolist() == pytest.approx([CE_ROW0_CLASS0, 0.0])
    assert cross_entropy(Z, torch.tensor([0, -100])).item() == pytest.approx(CE_ROW0_CLASS0, abs=1e-12)
    # ignore_index may be a real class: every target equal to it is dropped
    assert cross_entropy(Z, torch.tensor([0, 2]), ignore_index=2).item() == pytest.approx(CE_ROW0_CLASS0, abs=1e-12)
    z = Z.clone().requires_grad_(True)
    cross_entropy(z, torch.tensor([0, -100])).backward()
    assert z.grad[1].abs().max().item() == 0.0


def test_all_targets_ignored_gives_nan_mean_as_pytorch():
    y = torch.full((2,), -100)
    assert math.isnan(cross_entropy(Z, y).item()) and math.isnan(F.cross_entropy(Z, y).item())
    assert cross_entropy(Z, y, reduction="sum").item() == 0.0
    assert math.isnan(nll_loss(Z, y).item())


def test_label_smoothing_by_hand():
    # smoothed target (1 - eps) e_y + eps / C: loss (1 - eps)(-log p_y) + (eps / C) sum_c (-log p_c)
    eps, log_p = 0.3, _log_p([2.0, 0.0, -1.0])
    expected = -(1 - eps) * log_p[0] - eps / 3 * sum(log_p)
    assert cross_entropy(Z[:1], torch.tensor([0]), label_smoothing=eps).item() == pytest.approx(expected, abs=1e-12)
    # eps = 1: the target is uniform, whatever the label
    uniform = -sum(log_p) / 3
    assert cross_entropy(Z[:1], torch.tensor([2]), label_smoothing=1.0).item() == pytest.approx(uniform, abs=1e-12)


def test_label_smoothing_with_weights_and_ignore_index_matches_pytorch():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(5, 4, 3, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (5, 3), generator=g)
    y[0, 0] = y[2, 1] = -100
    w = torch.rand(4, generator=g, dtype=torch.float64) + 0.5
    for reduction in ("none", "mean", "sum"):
        got = cross_entropy(z, y, weight=w, label_smoothing=0.2, reduction=reduction)
        torch.testing.assert_close(got, F.cross_entropy(z, y, weight=w, label_smoothing=0.2, reduction=reduction))


def test_gradient_is_softmax_minus_one_hot():
    z = Z.clone().requires_grad_(True)
    cross_entropy(z, torch.tensor([0, 2]), reduction="sum").backward()
    expected = torch.softmax(Z, dim=1) - F.one_hot(torch.tensor([0, 2]), 3)
    torch.testing.assert_close(z.grad, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("ignore_index, target", [(0, [0, 1, 2, 3, 1, 2]), (-100, [3, -100, 2, 0, 1, -100]), (-100, [3, 1, 2, 0, 1, 2])])
def test_smoothed_gradient_is_the_closed_form_to_rounding_in_float64(ignore_index, target):
    # (sum_c a_c) p - a with a = (1 - eps) e_y + eps / C at the kept positions, 0 at the ignored ones;
    # the kept and the ignored positions take different paths through the Function (w_y given or not)
    eps, t = 0.1, torch.tensor(target)
    z = torch.randn(6, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    cross_entropy(z, t, ignore_index=ignore_index, label_smoothing=eps, reduction="sum").backward()
    keep = (t != ignore_index).double().unsqueeze(1)
    a = ((1 - eps) * F.one_hot(t.clamp(min=0), 4).double() + eps / 4) * keep
    torch.testing.assert_close(z.grad, a.sum(1, keepdim=True) * torch.softmax(z.detach(), dim=1) - a, rtol=0, atol=1e-15)


def test_weight_gradient_is_hand_written_and_right():
    # PyTorch refuses a weight that requires grad; lossbook differentiates it (gradcheck, float64)
    g = torch.Generator().manual_seed(1)
    z = torch.randn(4, 3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 3, (4, 2), generator=g)
    y[1, 1] = -100
    w = (torch.rand(3, generator=g, dtype=torch.float64) + 0.5).requires_grad_(True)
    for eps in (0.0, 0.25):
        for reduction in ("none", "mean", "sum"):
            loss = partial(cross_entropy, label_smoothing=eps, reduction=reduction)
            assert torch.autograd.gradcheck(lambda z, w, loss=loss: loss(z, y, weight=w), (z, w))
    assert torch.autograd.gradcheck(lambda z, w: nll_loss(z, y, weight=w), (z, w))


def test_unbatched_input_and_uint8_targets():
    z = torch.tensor([2.0, 0.0, -1.0], dtype=torch.float64)
    assert cross_entropy(z, torch.tensor(0)).item() == pytest.approx(CE_ROW0_CLASS0, abs=1e-12)
    assert cross_entropy(z, torch.tensor(0), reduction="none").shape == ()
    assert nll_loss(torch.log_softmax(z, 0), torch.tensor(0)).item() == pytest.approx(CE_ROW0_CLASS0, abs=1e-12)
    y8 = torch.tensor([0, 2], dtype=torch.uint8)
    torch.testing.assert_close(cross_entropy(Z, y8), F.cross_entropy(Z, y8))


# Probability targets ----------------------------------------------------------------------


def _soft(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    z = 2 * torch.randn(shape, generator=g, dtype=torch.float64)
    t = torch.softmax(torch.randn(shape, generator=g, dtype=torch.float64), dim=1 if len(shape) > 1 else 0)
    w = torch.rand(shape[1] if len(shape) > 1 else shape[0], generator=g, dtype=torch.float64) + 0.5
    return z, t, w


@pytest.mark.parametrize("shape", [(3,), (5, 4), (3, 4, 2), (2, 4, 2, 3)])
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.2}, {"weight": True}, {"weight": True, "label_smoothing": 0.5}])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_probability_targets_match_pytorch_values_and_both_gradients(shape, options, reduction):
    z, t, w = _soft(shape)
    kwargs = {**options, "reduction": reduction}
    if options.get("weight"):
        kwargs["weight"] = w
    for dtype in (torch.float64, torch.float32):
        zz, tt = z.to(dtype).requires_grad_(True), t.to(dtype).requires_grad_(True)
        kw = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
        got, expected = cross_entropy(zz, tt, **kw), F.cross_entropy(zz, tt, **kw)
        torch.testing.assert_close(got, expected)
        up = torch.linspace(0.5, 1.5, got.numel(), dtype=dtype).reshape(got.shape)
        for a, b in zip(torch.autograd.grad(got, (zz, tt), up), torch.autograd.grad(expected, (zz, tt), up)):
            torch.testing.assert_close(a, b)
    leaves = (z.clone().requires_grad_(True), t.clone().requires_grad_(True))
    assert torch.autograd.gradcheck(lambda z, t: cross_entropy(z, t, **kwargs), leaves)


def test_probability_targets_mean_ignores_the_weights():
    # unlike class indices, 'mean' with probability targets divides by the number of positions
    z, t, w = _soft((5, 4))
    total = cross_entropy(z, t, weight=w, reduction="sum")
    assert cross_entropy(z, t, weight=w).item() == pytest.approx(total.item() / 5, abs=1e-12)
    one_hot = F.one_hot(torch.tensor([0, 1, 2, 3, 0]), 4).double()
    by_index = cross_entropy(z, torch.tensor([0, 1, 2, 3, 0]), weight=w)
    assert by_index.item() != pytest.approx(cross_entropy(z, one_hot, weight=w).item())
    assert by_index.item() == pytest.approx(cross_entropy(z, one_hot, weight=w, reduction="sum").item() / w[[0, 1, 2, 3, 0]].sum().item())


def test_probability_targets_promote_dtypes_and_stay_finite():
    z, t, _ = _soft((4, 3))
    assert cross_entropy(z.float(), t).dtype == F.cross_entropy(z.float(), t).dtype == torch.float64
    extreme = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], requires_grad=True)
    out = cross_entropy(extreme, torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]]), reduction="sum")
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(extreme.grad).all()
    half = cross_entropy(z.half(), t.half())
    assert half.dtype == torch.float16 and half.item() == pytest.approx(cross_entropy(z.half().float(), t.half().float()).item(), rel=1e-3)


# nll_loss -----------------------------------------------------------------------------------


def test_nll_loss_by_hand_and_as_cross_entropy():
    log_p = torch.tensor([[-0.1, -2.5, -3.0], [-1.0, -0.5, -2.0]])
    assert nll_loss(log_p, torch.tensor([0, 2]), reduction="none").tolist() == pytest.approx([0.1, 2.0])
    # weighted mean: (3 * 0.1 + 1 * 2.0) / (3 + 1)
    assert nll_loss(log_p, torch.tensor([0, 2]), weight=torch.tensor([3.0, 1.0, 1.0])).item() == pytest.approx(2.3 / 4)
    y = torch.tensor([0, 2])
    torch.testing.assert_close(nll_loss(torch.log_softmax(Z, 1), y), cross_entropy(Z, y))


# errors and modules -------------------------------------------------------------------------


def test_clear_errors():
    x = torch.zeros(4, 3)
    with pytest.raises(ValueError, match=r"cross_entropy: target holds class index 3, expected values in \[0, 3\) or ignore_index=-100"):
        cross_entropy(x, torch.tensor([0, 1, 3, 2]))
    with pytest.raises(TypeError, match=r"cross_entropy: target class indices must have dtype torch.int64"):
        cross_entropy(x, torch.tensor([0, 1, 2, 1], dtype=torch.int32))
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(3,\)"):
        cross_entropy(x, torch.zeros(4, dtype=torch.long), weight=torch.ones(2))
    with pytest.raises(ValueError, match=r"cross_entropy: label_smoothing must be in \[0.0, 1.0\], got 1.1"):
        cross_entropy(x, torch.zeros(4, dtype=torch.long), label_smoothing=1.1)
    with pytest.raises(ValueError, match=r"cross_entropy: target batch size 3 does not match input batch size 4"):
        cross_entropy(x, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"cross_entropy: target values must be in \[0, 1\]"):
        cross_entropy(x, torch.full((4, 3), -0.5))
    with pytest.raises(ValueError, match=r"nll_loss: target shape \(4, 2\) does not match input shape \(4, 3, 5\)"):
        nll_loss(torch.zeros(4, 3, 5), torch.zeros(4, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: label_smoothing must be in \[0.0, 1.0\], got -0.1"):
        CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(ValueError, match="NLLLoss: reduction must be one of"):
        NLLLoss(reduction="avg")


def test_modules_hold_the_weight_as_a_buffer():
    w = torch.tensor([1.0, 2.0, 3.0])
    module = CrossEntropyLoss(weight=w, label_smoothing=0.1)
    assert "weight" in dict(module.named_buffers())
    assert repr(module) == "CrossEntropyLoss(ignore_index=-100, reduction='mean', label_smoothing=0.1)"
    assert module.double().weight.dtype == torch.float64
    assert repr(NLLLoss(ignore_index=0)) == "NLLLoss(ignore_index=0, reduction='mean')"
