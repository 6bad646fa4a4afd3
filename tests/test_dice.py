"""Dice and generalized Dice (``lossbook/losses/segmentation/dice.py``), and the shared overlap machinery (``_common.py``)."""

from __future__ import annotations

import itertools

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
    list(itertools.product(["softmax", "sigmoid", None], [True, False], [False, True], [False, True], [True, False])),
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
