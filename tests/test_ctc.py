"""ctc_loss: values by brute force over every path, PyTorch's conventions, the true gradient, feasibility, accuracy."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import CTCLoss, ctc_loss
from tests.registry.structured import _ctc_reference


def _collapse(path, blank=0):
    out, previous = [], None
    for k in path:
        if k != previous and k != blank:
            out.append(k)
        previous = k
    return out


def _brute_force(log_probs, label, blank=0):
    """-log of the summed probability of every path of T frames that collapses to ``label`` (C^T paths)."""
    steps, n_classes = log_probs.shape
    total = 0.0
    for path in itertools.product(range(n_classes), repeat=steps):
        if _collapse(path, blank) == list(label):
            total += math.exp(sum(log_probs[t, k].item() for t, k in enumerate(path)))
    return -math.log(total) if total > 0 else math.inf


@pytest.mark.parametrize("label", [(1, 2), (1, 1), (2,), (), (1, 2, 1), (2, 2, 2)])
@pytest.mark.parametrize("blank", [0, 2])
def test_value_is_the_sum_over_paths(label, blank):
    # the definition itself: T = 5 frames, C = 3 classes, all 3^5 = 243 paths enumerated
    label = tuple(k if k != blank else 0 for k in label) if blank == 2 else label
    g = torch.Generator().manual_seed(len(label))
    log_probs = torch.randn(5, 3, generator=g, dtype=torch.float64).log_softmax(-1)
    got = ctc_loss(log_probs, torch.tensor(label, dtype=torch.long), (5,), (len(label),), blank=blank, reduction="none")
    expected = _brute_force(log_probs, label, blank)
    if math.isinf(expected):  # (2, 2, 2) needs 5 frames: 2 b 2 b 2, so it fits exactly; nothing here is infeasible
        assert torch.isinf(got)
    else:
        assert got.item() == pytest.approx(expected, rel=1e-12)


def _batch(dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    log_probs = torch.randn(10, 4, 6, generator=g, dtype=dtype).log_softmax(-1)
    targets = torch.randint(1, 6, (4, 5), generator=g)
    targets[1, 2] = targets[1, 1]
    return log_probs, targets, torch.tensor([10, 8, 9, 4]), torch.tensor([5, 3, 0, 2])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_forms_of_targets_and_lengths_give_torch_values(reduction):
    lp, targets, il, tl = _batch()
    expected = F.ctc_loss(lp, targets, il, tl, reduction=reduction)
    flat = torch.cat([targets[i, : tl[i]] for i in range(4)])
    for args in [(targets, il, tl), (flat, il, tl), (targets, tuple(il.tolist()), list(tl.tolist())), (flat.int(), il.int(), tl.int())]:
        torch.testing.assert_close(ctc_loss(lp, *args, reduction=reduction), expected, rtol=1e-12, atol=1e-12)


def test_mean_divides_by_clamped_target_length():
    lp, targets, il, tl = _batch()
    per = ctc_loss(lp, targets, il, tl, reduction="none")
    assert ctc_loss(lp, targets, il, tl).item() == pytest.approx((per / tl.clamp(min=1)).mean().item(), rel=1e-14)


def test_unbatched_and_empty_label():
    lp, targets, il, tl = _batch()
    one = ctc_loss(lp[:, 0], targets[0], il[:1], tl[:1], reduction="none")
    assert one.shape == () and one.item() == pytest.approx(F.ctc_loss(lp[:, 0], targets[0], il[:1], tl[:1], reduction="none").item(), rel=1e-12)
    assert ctc_loss(lp[:, 0], targets[0], torch.tensor(10), torch.tensor(5)).shape == ()
    # an empty label: the one path is all blanks, -sum_t log y_t(blank) over the 9 frames of sequence 2
    empty = ctc_loss(lp, targets, il, tl, reduction="none")[2]
    assert empty.item() == pytest.approx(-lp[:9, 2, 0].sum().item(), rel=1e-12)
    # no frames and no label: p = 1, as PyTorch
    assert ctc_loss(lp, targets, (0, 8, 9, 4), (0, 3, 0, 2), reduction="none")[0].item() == 0.0


def test_gradient_is_minus_gamma_and_matches_finite_differences_on_raw_scores():
    # raw, unnormalised log_probs: the true gradient, checked by finite differences (float64)
    lp, targets, il, tl = _batch()
    raw = (3 * torch.randn(lp.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)).requires_grad_()
    for reduction in ("none", "mean", "sum"):
        assert torch.autograd.gradcheck(lambda x, r=reduction: ctc_loss(x, targets, il, tl, reduction=r), (raw,))
    # the reference (PyTorch through a log_softmax, plus the normaliser) gives the same true gradient
    (ours,) = torch.autograd.grad(ctc_loss(raw, targets, il, tl, reduction="sum"), raw)
    (ref,) = torch.autograd.grad(_ctc_reference(raw, targets, il, tl, reduction="sum"), raw)
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-12)
    # -gamma sums to -1 over the classes at every frame inside a sequence, to 0 after it
    frames = (torch.arange(10)[:, None] < il).double()
    torch.testing.assert_close(ours.sum(-1), -frames, rtol=0, atol=1e-12)
    # PyTorch's is exp(log_probs) - gamma there: the gradient with respect to logits before a log_softmax
    leaf = raw.detach().requires_grad_()
    (torch_grad,) = torch.autograd.grad(F.ctc_loss(leaf, targets, il, tl, reduction="sum"), leaf)
    torch.testing.assert_close(torch_grad, ours + raw.detach().exp() * frames[..., None], rtol=1e-10, atol=1e-12)
    assert not torch.autograd.gradcheck(lambda x: F.ctc_loss(x, targets, il, tl, reduction="sum"), (raw,), raise_exception=False)


def test_gradients_agree_with_torch_through_log_softmax():
    lp, targets, il, tl = _batch()
    logits = (2 * lp).detach().requires_grad_()
    (ours,) = torch.autograd.grad(ctc_loss(logits.log_softmax(-1), targets, il, tl), logits)
    (theirs,) = torch.autograd.grad(F.ctc_loss(logits.log_softmax(-1), targets, il, tl), logits)
    torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


def test_infeasible_sample_is_inf_with_nan_gradient_or_zero_with_zero_infinity():
    # (1, 1, 1) needs 5 frames (1 b 1 b 1): at T = 4 no path fits; (1, 2, 3) fits in 3
    g = torch.Generator().manual_seed(0)
    lp = torch.randn(4, 2, 4, generator=g, dtype=torch.float64).log_softmax(-1)
    targets, il, tl = torch.tensor([[1, 1, 1], [1, 2, 3]]), (4, 4), (3, 3)
    for zero_infinity in (False, True):
        leaf, twin = lp.clone().requires_grad_(), lp.clone().requires_grad_()
        ours = ctc_loss(leaf, targets, il, tl, reduction="none", zero_infinity=zero_infinity)
        theirs = F.ctc_loss(twin, targets, il, tl, reduction="none", zero_infinity=zero_infinity)
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=0)
        (g_ours,) = torch.autograd.grad(ours.sum(), leaf)
        (g_theirs,) = torch.autograd.grad(theirs.sum(), twin)
        if zero_infinity:
            assert ours[0].item() == 0.0 and (g_ours[:, 0] == 0).all()
        else:
            assert math.isinf(ours[0].item())
            # gamma = 0 / 0: NaN at the classes of the extended label (blank, 1), at every frame; PyTorch's is NaN everywhere
            assert torch.isnan(g_ours[:, 0, :2]).all() and (g_ours[:, 0, 2:] == 0).all() and torch.isnan(g_theirs[:, 0]).all()
        assert torch.isfinite(g_ours[:, 1]).all()  # the other sequence is not affected
        torch.testing.assert_close(g_ours[:, 1], g_theirs[:, 1] - lp[:, 1].exp(), rtol=1e-10, atol=1e-12)
    # T = 5 is enough for the repeat
    assert torch.isfinite(ctc_loss(torch.randn(5, 1, 4).log_softmax(-1), torch.tensor([[1, 1, 1]]), (5,), (3,)))


def test_float32_error_is_pytorchs_own():
    # PyTorch's first OpInfo size (T=50, N=16, C=20, labels of up to 30): both float32 results
    # are about as far from float64; that is why the registry's torch_tol is wider in float32
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 16, 20, generator=g, dtype=torch.float64)
    targets = torch.randint(1, 20, (16, 30), generator=g)
    il, tl = torch.full((16,), 50), torch.randint(10, 28, (16,), generator=g)

    def grad(fn, x):
        x = x.clone().requires_grad_()
        return torch.autograd.grad(fn(x.log_softmax(-1), targets, il, tl, reduction="sum"), x)[0]

    truth = grad(F.ctc_loss, logits)
    torch.testing.assert_close(grad(ctc_loss, logits), truth, rtol=1e-10, atol=1e-10)
    err_ours = (grad(ctc_loss, logits.float()).double() - truth).abs().max().item()
    err_torch = (grad(F.ctc_loss, logits.float()).double() - truth).abs().max().item()
    assert err_ours < 3 * err_torch + 1e-6 and err_ours < 5e-4


def test_half_precision_and_module():
    lp, targets, il, tl = _batch(torch.float32)
    for dtype in (torch.float16, torch.bfloat16):
        out = ctc_loss(lp.to(dtype), targets, il, tl)
        assert out.dtype == dtype
        assert out.float().item() == pytest.approx(ctc_loss(lp.to(dtype).float(), targets, il, tl).item(), rel=1e-2)
    module = CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    assert repr(module) == "CTCLoss(blank=0, reduction='sum', zero_infinity=True)"
    assert module(lp, targets, il, tl).item() == pytest.approx(ctc_loss(lp, targets, il, tl, reduction="sum", zero_infinity=True).item())
    with pytest.raises(ValueError, match="CTCLoss: blank must be a non-negative int, got -1"):
        CTCLoss(blank=-1)


def test_concatenated_targets_compile_with_a_static_bound():
    # under torch.compile the longest label is not read from the data: a static bound, same values
    lp, targets, il, tl = _batch()
    flat = torch.cat([targets[i, : tl[i]] for i in range(4)])
    torch._dynamo.reset()
    compiled = torch.compile(ctc_loss, fullgraph=True, backend="aot_eager", dynamic=False)
    torch.testing.assert_close(compiled(lp, flat, il, tl, reduction="none"), F.ctc_loss(lp, flat, il, tl, reduction="none"), rtol=1e-12, atol=1e-12)
