"""Dice and generalized Dice (``lossbook/losses/segmentation/dice.py``), and the shared overlap machinery (``_common.py``)."""

from __future__ import annotations

import pytest
import torch

from lossbook.losses.segmentation._common import check_overlap_args, overlap_function, overlap_loss

# ---------------------------------------------------------------------------------------
# _common: a ratio written against the contract, compared with the plain autograd formula


def _plain_dice_ratio(tp, sp, st, smooth_nr, smooth_dr):
    den = sp + st + smooth_dr
    r = (2 * tp + smooth_nr) / den
    return 1 - r, -2 / den, r / den, r / den


_PLAIN = overlap_function(_plain_dice_ratio, "plain_dice")


def _probabilities(x, activation):
    return torch.softmax(x, 1) if activation == "softmax" else torch.sigmoid(x) if activation == "sigmoid" else x


def _reference_dice(x, t, activation, include_background, batch, squared, weight, reduction, snr=1e-5, sdr=1e-5):
    c = x.shape[1]
    p = _probabilities(x, activation)
    if not t.is_floating_point():
        t = torch.nn.functional.one_hot(t, max(c, 2)).movedim(-1, 1).to(x.dtype)
        t = t[:, 1:] if c == 1 else t
    dims = [0, *range(2, x.dim())] if batch else list(range(2, x.dim()))
    if not include_background:
        p, t = p[:, 1:], t[:, 1:]
    k = 2 if squared else 1
    f = 1 - (2 * (p * t).sum(dims) + snr) / ((p**k).sum(dims) + (t**k).sum(dims) + sdr)
    if weight is not None:
        f = f * (weight if include_background else weight[1:])
    return f if reduction == "none" else f.mean() if reduction == "mean" else f.sum()


@pytest.mark.parametrize(
    "activation, include_background, batch, squared, index",
    [
        (activation, *flags)
        for activation in ("softmax", "sigmoid", None)
        for flags in ((True, False, False, True), (False, True, True, False), (False, False, True, True), (True, True, False, False))
    ],
)
def test_common_backward_matches_autograd_of_the_plain_formula(activation, include_background, batch, squared, index):
    g = torch.Generator().manual_seed(0)
    x = (torch.rand if activation is None else torch.randn)(2, 3, 4, 5, dtype=torch.float64, generator=g)
    t = torch.randint(0, 3, (2, 4, 5), generator=g) if index else torch.rand(2, 3, 4, 5, dtype=torch.float64, generator=g)
    weight = 0.5 + torch.rand(3, dtype=torch.float64, generator=g)
    leaves = [x.requires_grad_()] + ([] if index else [t.requires_grad_()])
    for reduction, w in (("none", None), ("mean", weight), ("sum", None)):
        options = dict(activation=activation, include_background=include_background, batch=batch)
        check_overlap_args("plain_dice", x, t, **options, smooth_nr=1e-5, smooth_dr=1e-5, reduction=reduction, squared=squared, weight=w)
        out = overlap_loss(_PLAIN, x, t, (1e-5, 1e-5), **options, squared=squared, weight=w, reduction=reduction)
        ref = _reference_dice(x, t, activation, include_background, batch, squared, w, reduction)
        torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-14)
        upstream = torch.rand(out.shape, dtype=out.dtype, generator=g)
        for got, expected in zip(torch.autograd.grad(out, leaves, upstream), torch.autograd.grad(ref, leaves, upstream)):
            torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)


def test_common_single_channel_index_target_is_the_mask():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 1, 4, 4, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.randint(0, 2, (2, 4, 4), generator=g)
    out = overlap_loss(_PLAIN, x, y, (1e-5, 1e-5), activation="sigmoid", include_background=True, batch=False)
    ref = _reference_dice(x, y.unsqueeze(1).double(), "sigmoid", True, False, False, None, "mean")
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(torch.autograd.grad(out, x)[0], torch.autograd.grad(ref, x)[0])


# ---------------------------------------------------------------------------------------
# dice_loss and generalized_dice_loss: hand values

import math  # noqa: E402

from lossbook.losses import DiceLoss, GeneralizedDiceLoss, dice_loss, generalized_dice_loss  # noqa: E402


def test_dice_hand_value():
    # p = (0.5, 1, 0, 0) against the mask (1, 1, 0, 0): tp = 1.5, sum p = 1.5, sum t = 2,
    # Dice = 2 * 1.5 / 3.5 = 6/7, loss 1/7 (no smoothing)
    p = torch.tensor([0.5, 1.0, 0.0, 0.0], dtype=torch.float64).view(1, 1, 4)
    y = torch.tensor([[1, 1, 0, 0]])
    out = dice_loss(p, y, activation=None, smooth_nr=0.0, smooth_dr=0.0)
    assert out.item() == pytest.approx(1 / 7, abs=1e-15)
    # squared: sum p^2 = 1.25, sum t^2 = 2: 1 - 3/3.25 = 1/13
    assert dice_loss(p, y, activation=None, squared=True, smooth_nr=0.0, smooth_dr=0.0).item() == pytest.approx(1 / 13, abs=1e-15)
    # the smoothing terms: 1 - (3 + a)/(3.5 + b)
    assert dice_loss(p, y, activation=None, smooth_nr=1.0, smooth_dr=2.0).item() == pytest.approx(1 - 4 / 5.5, abs=1e-15)


def test_generalized_dice_hand_value():
    # two classes on 4 pixels, target classes (0, 0, 0, 1), p of class 0 = (1, 1, 0, 0):
    # class 0: tp 2, sum p 2, sum t 3, w = 1/9; class 1: tp 1, sum p 2, sum t 1, w = 1
    # loss = 1 - 2 (2/9 + 1) / ((5/9) + 3) = 1 - 22/32 = 0.3125
    p = torch.tensor([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]], dtype=torch.float64).view(1, 2, 4)
    y = torch.tensor([[0, 0, 0, 1]])
    kw = dict(activation=None, smooth_nr=0.0, smooth_dr=0.0)
    assert generalized_dice_loss(p, y, **kw).item() == pytest.approx(0.3125, abs=1e-15)
    # simple: w = (1/3, 1): 1 - 2 (2/3 + 1) / (5/3 + 3) = 1 - (10/3) / (14/3) = 2/7
    assert generalized_dice_loss(p, y, w_type="simple", **kw).item() == pytest.approx(2 / 7, abs=1e-15)
    # uniform: 1 - 2 * 3 / 8 = 1/4
    assert generalized_dice_loss(p, y, w_type="uniform", **kw).item() == pytest.approx(0.25, abs=1e-15)


# ---------------------------------------------------------------------------------------
# A faithful re-implementation of MONAI's DiceLoss and GeneralizedDiceLoss (monai/losses/dice.py,
# forward as of 2025, soft_label=False, jaccard=False), in MONAI's own arguments.


def _monai_one_hot(labels, num_classes):
    # monai.networks.one_hot: labels (B, 1, *spatial) -> (B, num_classes, *spatial)
    shape = list(labels.shape)
    shape[1] = num_classes
    return torch.zeros(shape, dtype=torch.float64).scatter_(1, labels.long(), 1.0)


def _monai_prepare(input, target, include_background, to_onehot_y, sigmoid, softmax):
    if sigmoid:
        input = torch.sigmoid(input)
    n_pred_ch = input.shape[1]
    if softmax and n_pred_ch != 1:  # MONAI warns and skips the softmax of one channel
        input = torch.softmax(input, 1)
    if to_onehot_y and n_pred_ch != 1:
        target = _monai_one_hot(target, n_pred_ch).to(input.dtype)
    if not include_background and n_pred_ch != 1:
        target, input = target[:, 1:], input[:, 1:]
    assert target.shape == input.shape
    return input, target


def monai_dice_loss(input, target, *, include_background=True, to_onehot_y=False, sigmoid=False, softmax=False,
                    squared_pred=False, reduction="mean", smooth_nr=1e-5, smooth_dr=1e-5, batch=False, weight=None):  # fmt: skip
    input, target = _monai_prepare(input, target, include_background, to_onehot_y, sigmoid, softmax)
    reduce_axis = list(range(2, input.dim()))
    if batch:
        reduce_axis = [0, *reduce_axis]
    intersection = torch.sum(target * input, dim=reduce_axis)
    if squared_pred:
        ground_o, pred_o = torch.sum(target**2, dim=reduce_axis), torch.sum(input**2, dim=reduce_axis)
    else:
        ground_o, pred_o = torch.sum(target, dim=reduce_axis), torch.sum(input, dim=reduce_axis)
    f = 1.0 - (2.0 * intersection + smooth_nr) / (ground_o + pred_o + smooth_dr)
    num_of_classes = target.shape[1]
    if weight is not None and num_of_classes != 1:
        assert weight.shape[0] == num_of_classes  # MONAI: one weight per class that is kept
        f = f * weight.to(f)
    if reduction == "mean":
        return torch.mean(f)
    if reduction == "sum":
        return torch.sum(f)
    return f.view(list(f.shape[0:2]) + [1] * (input.dim() - 2)) if not batch else f  # (B, C, 1, 1)


def monai_generalized_dice_loss(input, target, *, include_background=True, to_onehot_y=False, sigmoid=False,
                                softmax=False, w_type="square", reduction="mean", smooth_nr=1e-5, smooth_dr=1e-5, batch=False):  # fmt: skip
    input, target = _monai_prepare(input, target, include_background, to_onehot_y, sigmoid, softmax)
    reduce_axis = list(range(2, input.dim()))
    if batch:
        reduce_axis = [0, *reduce_axis]
    intersection = torch.sum(target * input, reduce_axis)
    ground_o = torch.sum(target, reduce_axis)
    pred_o = torch.sum(input, reduce_axis)
    denominator = ground_o + pred_o
    grnd = ground_o.to(input.dtype)  # MONAI uses ground_o.float(); float64 here, to compare at 1e-12
    w = torch.reciprocal(grnd) if w_type == "simple" else torch.reciprocal(grnd * grnd) if w_type == "square" else torch.ones_like(grnd)
    infs = torch.isinf(w)
    if batch:
        w[infs] = 0.0
        w = w + infs * torch.max(w)
    else:
        w[infs] = 0.0
        max_values = torch.max(w, dim=1)[0].unsqueeze(dim=1)
        w = w + infs * max_values
    final_reduce_dim = 0 if batch else 1
    numer = 2.0 * (intersection * w).sum(final_reduce_dim, keepdim=True) + smooth_nr
    denom = (denominator * w).sum(final_reduce_dim, keepdim=True) + smooth_dr
    f = 1.0 - (numer / denom)
    if reduction == "mean":
        return torch.mean(f)
    if reduction == "sum":
        return torch.sum(f)
    return f.view(list(f.shape[0:2]) + [1] * (input.dim() - 2)) if not batch else f


def _monai_args(activation):
    # lossbook's activation -> MONAI's flags
    return {"softmax": activation == "softmax", "sigmoid": activation == "sigmoid"}


def _images(g, n=3, c=4, h=5, w=6, empty_class=True):
    x = 3 * torch.randn(n, c, h, w, dtype=torch.float64, generator=g)
    y = torch.randint(0, c, (n, h, w), generator=g)
    if empty_class:
        y[0][y[0] == c - 1] = 0  # class C-1 absent from image 0: MONAI's absent-class rule is exercised
    return x, y


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
@pytest.mark.parametrize("include_background", [True, False])
@pytest.mark.parametrize("batch", [False, True])
def test_dice_equals_monai(activation, include_background, batch):
    """Mapping: activation -> softmax/sigmoid flags; index targets (N, H, W) -> MONAI's (N, 1, H, W) with
    to_onehot_y=True; weight (C,) -> MONAI's weight of the kept classes (weight[1:] without the background);
    'none' (N, C') -> MONAI's (N, C', 1, 1)."""
    g = torch.Generator().manual_seed(2)
    x, y = _images(g)
    weight = 0.5 + torch.rand(4, dtype=torch.float64, generator=g)
    for squared, w, reduction in ((False, None, "none"), (True, weight, "mean"), (False, weight, "sum")):
        ours = dice_loss(x, y, activation=activation, include_background=include_background, squared=squared, batch=batch, weight=w, reduction=reduction)
        monai_w = None if w is None else (w if include_background else w[1:])
        theirs = monai_dice_loss(x, y.unsqueeze(1), to_onehot_y=True, include_background=include_background,
                                 squared_pred=squared, batch=batch, weight=monai_w, reduction=reduction, **_monai_args(activation))  # fmt: skip
        torch.testing.assert_close(ours, theirs.reshape(ours.shape), rtol=1e-12, atol=1e-14)
    # float (one-hot or soft) targets: the same tensor goes to both
    t = torch.rand(x.shape, dtype=torch.float64, generator=g)
    ours = dice_loss(x, t, activation=activation, include_background=include_background, batch=batch, reduction="none")
    theirs = monai_dice_loss(x, t, include_background=include_background, batch=batch, reduction="none", **_monai_args(activation))
    torch.testing.assert_close(ours, theirs.reshape(ours.shape), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("w_type", ["square", "simple", "uniform"])
@pytest.mark.parametrize("include_background", [True, False])
@pytest.mark.parametrize("batch", [False, True])
def test_generalized_dice_equals_monai(w_type, include_background, batch):
    """Mapping as for Dice; 'none' (N,) (a scalar with batch=True) -> MONAI's (N, 1, 1, 1) ((1, 1, 1) with batch)."""
    g = torch.Generator().manual_seed(3)
    x, y = _images(g)
    for activation in ("softmax", "sigmoid"):
        for reduction in ("none", "mean", "sum"):
            ours = generalized_dice_loss(x, y, activation=activation, include_background=include_background, w_type=w_type, batch=batch, reduction=reduction)
            theirs = monai_generalized_dice_loss(x, y.unsqueeze(1), to_onehot_y=True, include_background=include_background,
                                                 w_type=w_type, batch=batch, reduction=reduction, **_monai_args(activation))  # fmt: skip
            assert ours.shape == ((x.shape[0],) if reduction == "none" and not batch else ())
            torch.testing.assert_close(ours, theirs.reshape(ours.shape), rtol=1e-12, atol=1e-14)


def test_generalized_dice_absent_class_borrows_the_largest_weight():
    # class 2 absent: its weight is the largest finite one (that of the smallest present class)
    p = torch.full((1, 3, 4), 1 / 3, dtype=torch.float64)
    y = torch.tensor([[0, 0, 0, 1]])
    out = generalized_dice_loss(p, y, activation=None, smooth_nr=0.0, smooth_dr=0.0)
    w = torch.tensor([1 / 9, 1.0, 1.0], dtype=torch.float64)  # st = (3, 1, 0)
    tp, sp, st = (torch.tensor(v, dtype=torch.float64) for v in ([1.0, 1 / 3, 0.0], [4 / 3] * 3, [3.0, 1.0, 0.0]))
    expected = 1 - 2 * (w * tp).sum() / (w * (sp + st)).sum()
    assert out.item() == pytest.approx(expected.item(), abs=1e-15)
    # a sample with no class present at all (possible without the background): all weights 0, loss 1 - s_nr/s_dr
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    y = torch.zeros(2, 4, dtype=torch.long)
    out = generalized_dice_loss(x, y, include_background=False, reduction="none", smooth_nr=1e-5, smooth_dr=2e-5)
    torch.testing.assert_close(out, torch.full((2,), 0.5, dtype=torch.float64))
    (g,) = torch.autograd.grad(out.sum(), x)
    assert torch.all(g == 0)


def test_generalized_dice_borrowed_weight_passes_its_gradient_to_the_lender():
    # A soft target with class 2 absent from sample 0 (st = 0): its weight is the largest finite
    # weight of that sample, a function of the lending class's st, so the lender's target gets the
    # absent class's share of dl/dw. gradcheck cannot see this (perturbing an absent class's target
    # makes it present, with weight 1/eps^2); compare with autograd of the plain formula, where the
    # borrowed weight is the max over the present classes (the absent mask held fixed).
    g = torch.Generator().manual_seed(10)
    x = torch.randn(2, 3, 6, dtype=torch.float64, generator=g, requires_grad=True)
    t = 0.05 + 0.9 * torch.rand(2, 3, 6, dtype=torch.float64, generator=g)
    t[0, 2] = 0.0
    t.requires_grad_()
    for w_type, power in (("square", 2), ("simple", 1)):
        ours = generalized_dice_loss(x, t, w_type=w_type, reduction="sum")
        p = torch.softmax(x, 1)
        tp, sp, st = (p * t).sum(-1), p.sum(-1), t.sum(-1)
        absent = st.detach() == 0
        finite = torch.where(absent, 0.0, st.clamp_min(1e-300) ** -power)
        w = torch.where(absent, finite.max(-1, keepdim=True).values, finite)
        ref = (1 - (2 * (w * tp).sum(-1) + 1e-5) / ((w * (sp + st)).sum(-1) + 1e-5)).sum()
        torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-14)
        for got, expected in zip(torch.autograd.grad(ours, (x, t)), torch.autograd.grad(ref, (x, t), retain_graph=True)):
            torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
        # and the borrowed term matters: with the max detached, the target's gradient differs
        w = torch.where(absent, finite.max(-1, keepdim=True).values.detach(), finite)
        detached = (1 - (2 * (w * tp).sum(-1) + 1e-5) / ((w * (sp + st)).sum(-1) + 1e-5)).sum()
        ours = generalized_dice_loss(x, t, w_type=w_type, reduction="sum")
        assert not torch.allclose(torch.autograd.grad(detached, t)[0], torch.autograd.grad(ours, t)[0])


# ---------------------------------------------------------------------------------------
# Empty masks, smoothing, per-sample against batch


def test_empty_masks_and_the_smoothing_terms():
    y = torch.zeros(1, 8, 8, dtype=torch.long)  # no foreground at all
    nothing = torch.tensor([30.0, -30.0]).view(1, 2, 1, 1).expand(1, 2, 8, 8).clone().requires_grad_()
    everywhere = torch.tensor([-30.0, 30.0]).view(1, 2, 1, 1).expand(1, 2, 8, 8).clone().requires_grad_()
    kw = dict(include_background=False, reduction="none")
    # predicted nowhere: 1 - s_nr / (P + s_dr) with P = 64 sigmoid(-60) ~ 6e-25: 0 with equal terms
    assert dice_loss(nothing, y, **kw).item() == pytest.approx(0.0, abs=1e-12)
    # predicted everywhere: P = 64, loss 1 - 1e-5 / 64.00001
    assert dice_loss(everywhere, y, **kw).item() == pytest.approx(1 - 1e-5 / (64 + 1e-5), abs=1e-7)
    # no numerator smoothing: an empty class costs 1 whatever is predicted, and gives no gradient
    out = dice_loss(nothing, y, smooth_nr=0.0, **kw)
    assert out.item() == 1.0
    (g,) = torch.autograd.grad(out.sum(), nothing)
    assert torch.all(g == 0)
    # without the denominator term an empty class predicted nowhere is 0/0 in exact arithmetic
    p = torch.zeros(1, 2, 8, 8, dtype=torch.float64)
    p[:, 0] = 1.0
    assert math.isnan(dice_loss(p, y, activation=None, smooth_dr=0.0, smooth_nr=0.0, **kw).item())
    # finite values and gradients at logits of 1e4, with an empty mask, for both losses
    for fn in (dice_loss, generalized_dice_loss):
        x = (torch.tensor([1e4, -1e4]).view(1, 2, 1, 1) * torch.ones(2, 1, 8, 8)).requires_grad_()
        yy = torch.zeros(2, 8, 8, dtype=torch.long)
        yy[1, :2, :2] = 1
        out = fn(x, yy)
        (g,) = torch.autograd.grad(out, x)
        assert torch.isfinite(out) and torch.isfinite(g).all()


def test_empty_mask_loss_and_slope_against_the_predicted_mass():
    # the docstring's and the chapter's table: an empty class with predicted mass P (spread evenly)
    # costs 1 - s_nr / (P + s_dr), and each pixel's probability gets the slope s_nr / (P + s_dr)^2
    y = torch.zeros(1, 16, dtype=torch.long)
    for s_nr, s_dr in ((1e-5, 1e-5), (0.0, 1e-5), (1.0, 1.0), (0.5, 2.0)):
        for mass in (0.0, 1e-5, 0.1, 10.0):
            p = torch.full((1, 1, 16), mass / 16, dtype=torch.float64, requires_grad=True)
            out = dice_loss(p, y, activation=None, smooth_nr=s_nr, smooth_dr=s_dr)
            assert out.item() == pytest.approx(1 - s_nr / (mass + s_dr), rel=1e-12, abs=1e-15)
            (g,) = torch.autograd.grad(out, p)
            torch.testing.assert_close(g, torch.full_like(p, s_nr / (mass + s_dr) ** 2), rtol=1e-12, atol=0.0)

def test_per_sample_and_batch_dice():
    g = torch.Generator().manual_seed(4)
    x, y = _images(g, n=2, c=3, empty_class=False)
    # batch=True is the Dice of the two images put side by side: one image of twice the width
    side_by_side = dice_loss(torch.cat([x[0], x[1]], dim=-1)[None], torch.cat([y[0], y[1]], dim=-1)[None], reduction="none")
    torch.testing.assert_close(dice_loss(x, y, batch=True, reduction="none"), side_by_side[0])
    # with one image the two agree; with two they differ
    torch.testing.assert_close(dice_loss(x[:1], y[:1], batch=True, reduction="none"), dice_loss(x[:1], y[:1], reduction="none")[0])
    assert not torch.allclose(dice_loss(x, y, batch=True), dice_loss(x, y))


# ---------------------------------------------------------------------------------------
# Options: index targets, gradients of extras, compile, modules


@pytest.mark.parametrize(
    "fn, kwargs",
    [
        (dice_loss, {"activation": "softmax", "include_background": False, "squared": True}),
        (dice_loss, {"activation": "sigmoid", "batch": True}),
        (generalized_dice_loss, {"activation": "softmax", "batch": True, "w_type": "square"}),
        (generalized_dice_loss, {"activation": "sigmoid", "include_background": False, "w_type": "simple"}),
    ],
)
def test_gradcheck_index_targets(fn, kwargs):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(2, 3, 2, 3, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.tensor([[[0, 1, 2], [2, 1, 0]], [[1, 1, 2], [0, 2, 1]]])
    for reduction in ("none", "mean"):
        assert torch.autograd.gradcheck(lambda a, r=reduction: fn(a, y, **kwargs, reduction=r), (x,))


def test_soft_targets_squared_and_batch_gradcheck():
    g = torch.Generator().manual_seed(6)
    x = torch.randn(2, 3, 2, 3, dtype=torch.float64, generator=g, requires_grad=True)
    t = (0.05 + 0.9 * torch.rand(2, 3, 2, 3, dtype=torch.float64, generator=g)).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: dice_loss(a, b, squared=True, batch=True, reduction="none"), (x, t))
    assert torch.autograd.gradcheck(lambda a, b: generalized_dice_loss(a, b, batch=True, reduction="none"), (x, t))
    p = torch.rand(2, 3, 2, 3, dtype=torch.float64, generator=g).mul(0.9).add(0.05).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: dice_loss(a, b, activation=None), (p, t))


def test_single_channel_binary_segmentation():
    # one sigmoid channel, a 0/1 mask of class indices: the same as the float mask
    g = torch.Generator().manual_seed(7)
    x = torch.randn(3, 1, 4, 4, dtype=torch.float64, generator=g)
    y = torch.randint(0, 2, (3, 4, 4), generator=g)
    torch.testing.assert_close(dice_loss(x, y, activation="sigmoid", reduction="none"), dice_loss(x, y.unsqueeze(1).double(), activation="sigmoid", reduction="none"))
    with pytest.raises(ValueError, match=r"target holds class index 2, expected values in \[0, 2\)"):
        dice_loss(x, torch.full((3, 4, 4), 2), activation="sigmoid")


def test_learned_weight_gets_autograd_gradient():
    g = torch.Generator().manual_seed(8)
    x = torch.randn(2, 3, 4, dtype=torch.float64, generator=g)
    y = torch.randint(0, 3, (2, 4), generator=g)
    w = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (gw,) = torch.autograd.grad(dice_loss(x, y, weight=w), w)
    per_class = dice_loss(x, y, reduction="none")
    torch.testing.assert_close(gw, per_class.sum(0) / per_class.numel())


def test_compiles_with_index_targets():
    torch._dynamo.reset()
    g = torch.Generator().manual_seed(9)
    x = torch.randn(2, 3, 4, 4, dtype=torch.float64, generator=g)
    y = torch.randint(0, 3, (2, 4, 4), generator=g)
    # the index-target path of _common (the registry's compile test uses float targets)
    compiled = torch.compile(lambda a: dice_loss(a, y, include_background=False), fullgraph=True, backend="aot_eager", dynamic=False)
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, ref = compiled(a), dice_loss(b, y, include_background=False)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(torch.autograd.grad(out, a)[0], torch.autograd.grad(ref, b)[0])


def test_modules_and_their_option_checks():
    assert repr(DiceLoss(activation="sigmoid", batch=True)) == (
        "DiceLoss(activation='sigmoid', include_background=True, squared=False, batch=True, smooth_nr=1e-05, smooth_dr=1e-05, reduction='mean')"
    )
    assert "w_type='simple'" in repr(GeneralizedDiceLoss(w_type="simple"))
    with pytest.raises(ValueError, match="DiceLoss: activation must be one of"):
        DiceLoss(activation="tanh")
    with pytest.raises(ValueError, match="GeneralizedDiceLoss: w_type must be one of"):
        GeneralizedDiceLoss(w_type="log")
    with pytest.raises(TypeError, match="DiceLoss: batch must be a bool"):
        DiceLoss(batch=1)


def test_index_targets_read_no_data_on_the_host():
    # the registry's sync test uses float targets; class indices on the meta device (no data) must work too
    x = torch.randn(2, 3, 4, 4, device="meta", requires_grad=True)
    y = torch.zeros(2, 4, 4, dtype=torch.long, device="meta")
    for fn in (dice_loss, generalized_dice_loss):
        out = fn(x, y, include_background=False)
        (g,) = torch.autograd.grad(out, x)
        assert out.device.type == "meta" and g.shape == x.shape
    assert dice_loss(torch.rand(2, 3, 4, 4, device="meta"), y, activation=None).device.type == "meta"
