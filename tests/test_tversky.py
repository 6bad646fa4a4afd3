"""Tversky and focal Tversky checks: hand-computed values, identities, peer formulas, numerics and errors.

The generic suite (value and gradient against MONAI's and the paper's formulas, gradcheck,
dtypes, extremes, compile, no host reads) is test_losses.py with the entries of
tests/registry/segmentation.py. Chapter: book/segmentation/tversky.ipynb.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import FocalTverskyLoss, TverskyLoss, dice_loss, focal_tversky_loss, tversky_loss
from tests.registry.segmentation import focal_tversky_reference, tversky_reference

D64 = torch.float64


def _smp_tversky(y_pred, y_true, *, mode, alpha, beta, gamma, smooth=0.0, eps=1e-7):
    """segmentation_models_pytorch's TverskyLoss(mode, from_logits=True, alpha, beta, gamma), line by line.

    DiceLoss.forward: softmax (multiclass) or sigmoid (binary), sums over dims (0, 2), i.e. the
    batch and the pixels together; soft_tversky_score; loss = 1 - score; classes with no target
    pixel in the batch zeroed; TverskyLoss.aggregate_loss: loss.mean() ** gamma.
    """
    bs = y_true.size(0)
    if mode == "multiclass":
        num_classes = y_pred.size(1)
        y_pred = y_pred.log_softmax(dim=1).exp().view(bs, num_classes, -1)
        y_true = F.one_hot(y_true.view(bs, -1), num_classes).permute(0, 2, 1)
    else:
        y_pred = F.logsigmoid(y_pred).exp().view(bs, 1, -1)
        y_true = y_true.view(bs, 1, -1)
    y_true = y_true.type_as(y_pred)
    dims = (0, 2)
    intersection = torch.sum(y_pred * y_true, dim=dims)
    fp = torch.sum(y_pred * (1.0 - y_true), dim=dims)
    fn = torch.sum((1 - y_pred) * y_true, dim=dims)
    score = (intersection + smooth) / (intersection + alpha * fp + beta * fn + smooth).clamp_min(eps)
    loss = (1.0 - score) * (y_true.sum(dims) > 0).to(score.dtype)
    return loss.mean() ** gamma


def _images(n=3, c=3, h=5, w=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 2 * torch.randn(n, c, h, w, generator=g, dtype=D64)
    y = (torch.arange(n * h * w) % c)[torch.randperm(n * h * w, generator=g)].view(n, h, w)  # every class present
    return x, y


def test_hand_computed_value_and_gradient():
    # one sample, one channel of probabilities: p = (0.9, 0.2, 0.6, 0.1), t = (1, 0, 1, 0)
    p = torch.tensor([[[0.9, 0.2, 0.6, 0.1]]], dtype=D64, requires_grad=True)
    t = torch.tensor([[1, 0, 1, 0]])
    alpha, beta = 0.3, 0.7
    tp, fp, fn = 0.9 + 0.6, 0.2 + 0.1, 0.1 + 0.4  # sum p t, sum p (1 - t), sum (1 - p) t
    den = tp + alpha * fp + beta * fn  # 1.94
    ti = tp / den
    loss = tversky_loss(p, t, activation=None, alpha=alpha, beta=beta, smooth_nr=0.0, smooth_dr=0.0, reduction="sum")
    assert loss.item() == pytest.approx(1 - 1.5 / 1.94, rel=1e-12)
    loss.backward()
    # foreground pixels: -(l + beta TI) / D; background pixels: alpha TI / D
    fg, bg = -((1 - ti) + beta * ti) / den, alpha * ti / den
    torch.testing.assert_close(p.grad, torch.tensor([[[fg, bg, fg, bg]]], dtype=D64), rtol=1e-12, atol=0)


def test_gradient_with_respect_to_the_sums_is_the_chapter_formula():
    # d l / d tp = -l / D, d l / d fp = alpha TI / D, d l / d fn = beta TI / D: checked through
    # d l / d p = dtp t + dfp (1 - t) - dfn t and d l / d t = dtp p - dfp p + dfn (1 - p), soft target
    g = torch.Generator().manual_seed(1)
    p = torch.rand(1, 1, 7, generator=g, dtype=D64, requires_grad=True)
    t = torch.rand(1, 1, 7, generator=g, dtype=D64, requires_grad=True)
    alpha, beta, s_nr, s_dr = 0.2, 0.9, 0.1, 0.3
    loss = tversky_loss(p, t, activation=None, alpha=alpha, beta=beta, smooth_nr=s_nr, smooth_dr=s_dr, reduction="sum")
    gp, gt = torch.autograd.grad(loss, (p, t))
    with torch.no_grad():
        tp, fp, fn = (p * t).sum(), (p * (1 - t)).sum(), ((1 - p) * t).sum()
        den = tp + alpha * fp + beta * fn + s_dr
        ti = (tp + s_nr) / den
        d_tp, d_fp, d_fn = -(1 - ti) / den, alpha * ti / den, beta * ti / den
    torch.testing.assert_close(gp, d_tp * t + d_fp * (1 - t) - d_fn * t, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(gt, d_tp * p - d_fp * p + d_fn * (1 - p), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
@pytest.mark.parametrize("batch", [False, True])
def test_half_and_half_is_dice_with_doubled_smoothing(activation, batch):
    # (tp + s) / (tp + (fp + fn)/2 + r) = (2 tp + 2 s) / (sum p + sum t + 2 r)
    x, y = _images()
    x.requires_grad_(True)
    for reduction in ("none", "mean", "sum"):
        kw = dict(activation=activation, batch=batch, reduction=reduction)
        ours = tversky_loss(x, y, alpha=0.5, beta=0.5, smooth_nr=1e-3, smooth_dr=2e-3, **kw)
        dice = dice_loss(x, y, smooth_nr=2e-3, smooth_dr=4e-3, **kw)
        torch.testing.assert_close(ours, dice, rtol=1e-12, atol=1e-14)
        g1, g2 = (torch.autograd.grad(v.sum(), x)[0] for v in (ours, dice))
        torch.testing.assert_close(g1, g2, rtol=1e-10, atol=1e-14)


def test_alpha_beta_one_is_soft_jaccard():
    x, y = _images(seed=2)
    p = torch.softmax(x, 1)
    t = F.one_hot(y, 3).movedim(-1, 1).to(D64)
    inter, union = (p * t).sum((2, 3)), (p + t - p * t).sum((2, 3))
    ours = tversky_loss(x, y, alpha=1.0, beta=1.0, smooth_nr=0.0, smooth_dr=0.0, reduction="none")
    torch.testing.assert_close(ours, 1 - inter / union, rtol=1e-12, atol=1e-14)


def _eta_star(ti, alpha, beta):
    return alpha * ti / (1 - ti + (alpha + beta) * ti)


def test_best_hard_prediction_thresholds_at_eta_star_which_depends_on_the_ratio_only():
    # chapter, "a threshold on the foreground probability": adding a pixel of foreground probability eta to a
    # hard prediction with index TI raises the (expected, unsmoothed) index iff eta > eta*(TI). So at the best
    # prediction (the k most probable pixels) the last pixel kept has eta >= eta*(TI_{k-1}) and the first one
    # left out eta <= eta*(TI_k): exact inequalities, for any alpha + beta. And only alpha / beta matters.
    g = torch.Generator().manual_seed(0)
    eta = torch.rand(4000, generator=g, dtype=D64) ** 4
    eta_sorted = eta.sort(descending=True).values
    tp = eta_sorted.cumsum(0)
    k = torch.arange(1, len(eta) + 1, dtype=D64)
    fp, fn = k - tp, eta.sum() - tp
    best_k = {}
    for a, b in [(0.3, 0.7), (0.15, 0.35), (0.6, 1.4), (1.0, 1.0), (0.9, 0.1)]:
        ti = tp / (tp + a * fp + b * fn)
        best = int(ti.argmax())
        assert 0 < best < len(eta) - 1
        assert eta_sorted[best] >= _eta_star(ti[best - 1], a, b) - 1e-12
        assert eta_sorted[best + 1] <= _eta_star(ti[best], a, b) + 1e-12
        if a + b == 1:
            assert _eta_star(ti[best], a, b) == pytest.approx(a * ti[best].item(), rel=1e-12)
        best_k[(a, b)] = best
    assert best_k[(0.3, 0.7)] == best_k[(0.15, 0.35)] == best_k[(0.6, 1.4)]  # same ratio, same prediction


def test_matches_monai_formula_on_index_targets_all_options():
    # MONAI's TverskyLoss(softmax=True or sigmoid=True, to_onehot_y=True, include_background, batch, smooth_nr, smooth_dr)
    # re-implemented in tests/registry/segmentation.py; 'none' there is (N, C) without MONAI's trailing (1, 1)
    x, y = _images(n=2, c=4, seed=3)
    for kw in (
        dict(),
        dict(activation="sigmoid", include_background=False, alpha=0.2, beta=0.8),
        dict(batch=True, smooth_nr=0.5, smooth_dr=1.0, alpha=0.7, beta=0.3),
    ):
        for reduction in ("none", "mean", "sum"):
            ours = tversky_loss(x, y, reduction=reduction, **kw)
            torch.testing.assert_close(ours, tversky_reference(x, y, reduction=reduction, **kw), rtol=1e-12, atol=1e-14)
    assert tversky_loss(x, y, reduction="none").shape == (2, 4)
    assert tversky_loss(x, y, batch=True, include_background=False, reduction="none").shape == (3,)


def test_focal_tversky_is_the_paper_formula_with_its_alpha_on_false_negatives():
    # Abraham and Khan: TI_c = tp / (tp + alpha fn + beta fp), FTL = sum_c (1 - TI_c)^(1/gamma), alpha = 0.7, beta = 0.3
    x, y = _images(n=1, c=3, seed=4)
    p = torch.softmax(x, 1)
    t = F.one_hot(y, 3).movedim(-1, 1).to(D64)
    tp, fp, fn = (p * t).sum((2, 3)), (p * (1 - t)).sum((2, 3)), ((1 - p) * t).sum((2, 3))
    paper = ((1 - tp / (tp + 0.7 * fn + 0.3 * fp)) ** (3 / 4)).sum()
    ours = focal_tversky_loss(x, y, smooth_nr=0.0, smooth_dr=0.0, reduction="sum")  # defaults alpha=0.3, beta=0.7, gamma=4/3
    assert ours.item() == pytest.approx(paper.item(), rel=1e-12)
    torch.testing.assert_close(ours, focal_tversky_reference(x, y, smooth_nr=0.0, smooth_dr=0.0, reduction="sum"), rtol=1e-12, atol=0)


def test_focal_gamma_one_is_tversky_and_gradient_is_scaled_per_class():
    x, y = _images(seed=5)
    x.requires_grad_(True)
    torch.testing.assert_close(focal_tversky_loss(x, y, gamma=1.0, reduction="none"), tversky_loss(x, y, alpha=0.3, beta=0.7, reduction="none"), rtol=1e-12, atol=1e-15)
    # per class and sample: d(u^q) = q u^(q - 1) du, so with reduction='none' and an upstream gradient w,
    # the focal gradient is the Tversky gradient under the upstream gradient w q u^(q - 1)
    gamma = 2.5
    u = tversky_loss(x, y, alpha=0.3, beta=0.7, reduction="none")
    w = torch.linspace(0.5, 1.5, u.numel(), dtype=D64).view(u.shape)
    (g_focal,) = torch.autograd.grad(focal_tversky_loss(x, y, gamma=gamma, reduction="none"), x, w)
    (g_tv,) = torch.autograd.grad(u, x, w * u.detach() ** (1 / gamma - 1) / gamma)
    torch.testing.assert_close(g_focal, g_tv, rtol=1e-10, atol=1e-14)


def test_smp_with_one_class_equals_ours_and_with_two_or_more_differs():
    g = torch.Generator().manual_seed(6)
    gamma = 4 / 3
    # binary: one channel, sigmoid; smp pools the batch (batch=True) with smooth=0 (eps only clamps)
    x = 2 * torch.randn(4, 1, 6, 6, generator=g, dtype=D64)
    y = (torch.rand(4, 1, 6, 6, generator=g) < 0.3).long()
    smp = _smp_tversky(x, y, mode="binary", alpha=0.3, beta=0.7, gamma=1 / gamma)
    ours = focal_tversky_loss(x, y[:, 0], activation="sigmoid", gamma=gamma, batch=True, smooth_nr=0.0, smooth_dr=0.0)
    assert ours.item() == pytest.approx(smp.item(), rel=1e-12)
    # smp's gamma = 1: our Tversky loss, batch=True, no smoothing, every class present
    x, y = _images(n=4, c=3, seed=7)
    smp1 = _smp_tversky(x, y, mode="multiclass", alpha=0.3, beta=0.7, gamma=1.0)
    tv = tversky_loss(x, y, alpha=0.3, beta=0.7, batch=True, smooth_nr=0.0, smooth_dr=0.0)
    assert tv.item() == pytest.approx(smp1.item(), rel=1e-12)
    # three classes, class 0 predicted well and the others not: the exponent after the mean is a different
    # loss, and (for gamma > 1, a concave power) never smaller
    x = x + 4.0 * (y == 0).unsqueeze(1) * torch.tensor([1.0, 0.0, 0.0], dtype=D64).view(1, 3, 1, 1)
    smp = _smp_tversky(x, y, mode="multiclass", alpha=0.3, beta=0.7, gamma=1 / gamma)
    ours = focal_tversky_loss(x, y, gamma=gamma, batch=True, smooth_nr=0.0, smooth_dr=0.0)
    per_class = tversky_loss(x, y, alpha=0.3, beta=0.7, batch=True, smooth_nr=0.0, smooth_dr=0.0, reduction="none")
    assert per_class.max() - per_class.min() > 0.3  # the per-class losses differ, so Jensen's inequality is strict
    assert ours.item() == pytest.approx((per_class ** (1 / gamma)).mean().item(), rel=1e-12)
    assert smp.item() == pytest.approx(per_class.mean().item() ** (1 / gamma), rel=1e-12)
    assert smp.item() - ours.item() > 1e-3


def test_empty_masks_and_smoothing():
    # a class absent from the target and predicted nowhere (probability exactly 0): 1 - s_nr / s_dr
    p = torch.zeros(1, 2, 4, dtype=D64)
    p[:, 0] = 1.0
    y = torch.zeros(1, 4, dtype=torch.long)  # all background
    for fn in (tversky_loss, focal_tversky_loss):
        q = p.clone().requires_grad_(True)
        loss = fn(q, y, activation=None, reduction="none")
        assert loss.tolist() == [[0.0, 0.0]]
        loss.sum().backward()
        assert torch.isfinite(q.grad).all()
    # smooth_nr > smooth_dr: the Tversky loss goes negative (MONAI's formula); the focal one is clamped at 0
    assert tversky_loss(p, y, activation=None, smooth_nr=2.0, smooth_dr=1.0, reduction="none")[0, 1].item() == pytest.approx(-1.0)
    assert focal_tversky_loss(p, y, activation=None, smooth_nr=2.0, smooth_dr=1.0, reduction="none")[0, 1].item() == 0.0
    # any prediction mass P on the empty class: 1 - s_nr / (alpha P + s_dr), about 1 once alpha P >> s_dr
    p2 = p.clone()
    p2[0, 1, 0], p2[0, 0, 0] = 0.5, 0.5
    loss = tversky_loss(p2, y, activation=None, alpha=0.3, reduction="none")[0, 1].item()
    assert loss == pytest.approx(1 - 1e-5 / (0.3 * 0.5 + 1e-5), rel=1e-12)


@pytest.mark.parametrize("gamma", [4 / 3, 3.0, 0.5])
def test_focal_stays_finite_at_extreme_logits_and_perfect_classes(gamma):
    x = torch.tensor([1e4, -1e4, 0.5, -1e4, 1e4, -0.5], dtype=D64).repeat(8).view(2, 3, 2, 4).requires_grad_(True)
    y = x.detach().argmax(1)  # the prediction is the target where the logits are +-1e4: u = 0 for some classes
    loss = focal_tversky_loss(x, y, gamma=gamma, reduction="sum")
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(x.grad).all()


def test_gradcheck_soft_targets_and_options():
    g = torch.Generator().manual_seed(8)
    x = torch.randn(2, 3, 3, 3, generator=g, dtype=D64, requires_grad=True)
    t = (0.05 + 0.9 * torch.rand(2, 3, 3, 3, generator=g, dtype=D64)).requires_grad_(True)
    w = torch.tensor([0.5, 1.0, 2.0], dtype=D64)
    for kw in (
        dict(gamma=0.5, include_background=False, batch=True),
        dict(gamma=3.0, activation="sigmoid", weight=w, alpha=0.0, beta=1.0),
    ):
        assert torch.autograd.gradcheck(lambda a, b, kw=kw: focal_tversky_loss(a, b, reduction="none", **kw), (x, t))
    assert torch.autograd.gradcheck(lambda a, b: tversky_loss(a, b, alpha=2.0, beta=0.1, weight=w), (x, t))
    # a learned weight is differentiated too (applied outside the Function)
    wl = w.clone().requires_grad_(True)
    y_idx = torch.randint(0, 3, (2, 3, 3), generator=g)
    assert torch.autograd.gradcheck(lambda a, b: tversky_loss(a, y_idx, weight=b), (x, wl))


def test_modules_hold_options():
    w = torch.tensor([1.0, 2.0, 3.0])
    module = FocalTverskyLoss(gamma=2.0, weight=w, batch=True, reduction="sum")
    x, y = torch.randn(2, 3, 4, 4), torch.randint(0, 3, (2, 4, 4))
    torch.testing.assert_close(module(x, y), focal_tversky_loss(x, y, gamma=2.0, weight=w, batch=True, reduction="sum"), rtol=0, atol=0)
    assert "weight" in dict(module.named_buffers())
    assert repr(TverskyLoss(alpha=0.3, beta=0.7)) == (
        "TverskyLoss(activation='softmax', include_background=True, alpha=0.3, beta=0.7, batch=False, "
        "smooth_nr=1e-05, smooth_dr=1e-05, reduction='mean')"
    )
    assert math.isclose(FocalTverskyLoss().gamma, 4 / 3)


def test_bad_options():
    with pytest.raises(ValueError, match=r"TverskyLoss: alpha must be in \[0.0, inf\], got -1"):
        TverskyLoss(alpha=-1)
    with pytest.raises(ValueError, match=r"FocalTverskyLoss: gamma must be in \(0.0, inf\], got -2"):
        FocalTverskyLoss(gamma=-2)
    with pytest.raises(TypeError, match="focal_tversky_loss: gamma must be a real number, got NoneType"):
        focal_tversky_loss(torch.zeros(1, 2, 3), torch.zeros(1, 3, dtype=torch.long), gamma=None)
    with pytest.raises(ValueError, match=r"tversky_loss: target holds class index 2, expected values in \[0, 2\)"):
        tversky_loss(torch.zeros(1, 2, 3), torch.tensor([[0, 1, 2]]))
    with pytest.raises(ValueError, match="tversky_loss: activation='softmax' needs at least 2 channels"):
        tversky_loss(torch.zeros(1, 1, 3), torch.tensor([[0, 1, 1]]))
