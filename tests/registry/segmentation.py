"""Registry entries of Part IV, segmentation (``lossbook/losses/segmentation/``, ``book/segmentation/``)."""

from __future__ import annotations

import torch

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase

# --- dice.ipynb ---

def _probabilities(x, activation):
    if activation == "softmax":
        return torch.softmax(x, dim=1)
    return torch.sigmoid(x) if activation == "sigmoid" else x


def _onehot_target(target, n_classes, dtype):
    """A float target as it is; class indices one-hot ``(N, C, *)`` (with C = 1 the 0/1 mask itself)."""
    if target.is_floating_point():
        return target
    t = torch.nn.functional.one_hot(target, max(n_classes, 2)).movedim(-1, 1).to(dtype)
    return t[:, 1:] if n_classes == 1 else t


def _soft_sums(input, target, activation, include_background, batch, squared=False):
    """The plain route to MONAI's sums: tp = sum p t, sum p^k, sum t^k over the pixels (and the batch)."""
    p = _probabilities(input, activation)
    t = _onehot_target(target, input.shape[1], p.dtype)
    if not include_background:
        p, t = p[:, 1:], t[:, 1:]
    dims = [0, *range(2, p.dim())] if batch else list(range(2, p.dim()))
    k = 2 if squared else 1
    return (p * t).sum(dims), (p**k).sum(dims), (t**k).sum(dims)


def dice_reference(
    input, target, *, activation="softmax", include_background=True, squared=False, batch=False,
    smooth_nr=1e-5, smooth_dr=1e-5, weight=None, reduction="mean",
):  # fmt: skip
    """MONAI's DiceLoss formula, differentiated by autograd: 1 - (2 tp + s_nr) / (sp + st + s_dr) per sample and class."""
    tp, sp, st = _soft_sums(input, target, activation, include_background, batch, squared)
    f = 1 - (2 * tp + smooth_nr) / (sp + st + smooth_dr)
    if weight is not None:
        f = f * (weight if include_background else weight[1:])
    return f if reduction == "none" else f.mean() if reduction == "mean" else f.sum()


def generalized_dice_reference(
    input, target, *, activation="softmax", include_background=True, w_type="square", batch=False,
    smooth_nr=1e-5, smooth_dr=1e-5, reduction="mean",
):  # fmt: skip
    """MONAI's GeneralizedDiceLoss formula, out of place: w = 1/st^2 (or 1/st, 1), an infinite weight replaced by its row's largest."""
    tp, sp, st = _soft_sums(input, target, activation, include_background, batch)
    w = {"square": 1 / (st * st), "simple": 1 / st, "uniform": torch.ones_like(st)}[w_type]
    infs = torch.isinf(w)
    w = torch.where(infs, 0.0, w)
    w = w + infs * (w.max() if batch else w.max(dim=1, keepdim=True).values)
    f = 1 - (2 * (w * tp).sum(-1) + smooth_nr) / ((w * (sp + st)).sum(-1) + smooth_dr)
    return f if reduction == "none" else f.mean() if reduction == "mean" else f.sum()


def _segmentation_pair(shape=(2, 3, 2, 3)):
    """Logits of a few units ``(N, C, H, W)`` and soft targets in [0.05, 0.95] (both differentiable)."""

    def inputs(dtype, device, g):
        x = 2 * torch.randn(shape, generator=g, dtype=torch.float64)
        t = 0.05 + 0.9 * torch.rand(shape, generator=g, dtype=torch.float64)
        return x.to(dtype=dtype, device=device), t.to(dtype=dtype, device=device)

    return inputs


def _segmentation_extreme(dtype, device):
    # logits of +-1e4 on every pixel; channel 2 of sample 0 and channel 1 of sample 1 are empty masks
    x = torch.tensor([1e4, -1e4, 0.5, -1e4, 1e4, -0.5], dtype=dtype, device=device).repeat(8).view(2, 3, 2, 4)
    t = torch.rand(2, 3, 2, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64).to(dtype=dtype, device=device)
    t[0, 2] = 0.0
    t[1, 1] = 0.0
    return x, t


def _per_channel_weight(args, g):
    x = args[0]
    return (0.5 + torch.rand(x.shape[1], generator=g, dtype=torch.float64)).to(dtype=x.dtype, device=x.device)


def _x(*shape):
    return torch.randn(*shape)


_SEGMENTATION_BAD = (
    BadInput(lambda: (_x(2, 3, 4, 4), torch.full((2, 4, 4), 3)), {}, ValueError, r"target holds class index 3, expected values in \[0, 3\)"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.bool)), {}, TypeError, "target must be an integer tensor of class indices"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 5, dtype=torch.long)), {}, ValueError, r"target shape \(2, 4, 5\) does not match input shape \(2, 3, 4, 4\)"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 3, 4, 5)), {}, ValueError, r"target shape \(2, 3, 4, 5\) does not match input shape"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.full((2, 3, 4, 4), 1.5)), {}, ValueError, r"target values must be in \[0, 1\]"),
    BadInput(lambda: (torch.zeros(2, 3, 4, 4, dtype=torch.long), torch.zeros(2, 4, 4, dtype=torch.long)), {}, TypeError, "input must be a floating-point tensor"),
    BadInput(lambda: (_x(2, 1, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {}, ValueError, "activation='softmax' needs at least 2 channels"),
    BadInput(lambda: (_x(2, 1, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"activation": "sigmoid", "include_background": False}, ValueError, "include_background=False needs at least 2 channels"),
    BadInput(lambda: (_x(2, 3, 4, 4) + 5, torch.zeros(2, 4, 4, dtype=torch.long)), {"activation": None}, ValueError, r"input values must be in \[0, 1\]"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"activation": "relu"}, ValueError, "activation must be one of 'softmax', 'sigmoid', None, got 'relu'"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"smooth_dr": -1.0}, ValueError, r"smooth_dr must be in \[0.0, inf\]"),
)  # fmt: skip


DICE: tuple[LossCase, ...] = (
    LossCase(
        fn=L.dice_loss,
        module=L.DiceLoss,
        reference=dice_reference,
        inputs=_segmentation_pair(),
        options=(
            {},
            {"activation": "sigmoid", "include_background": False, "squared": True, "weight": _per_channel_weight},
            {"batch": True, "smooth_nr": 0.0, "smooth_dr": 1.0},
        ),
        extreme=_segmentation_extreme,
        bad=tuple(_SEGMENTATION_BAD)
        + (
            BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"weight": torch.ones(2)}, ValueError, r"weight must have shape \(3,\), one entry per input channel"),
            BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"weight": -torch.ones(3)}, ValueError, r"weight values must be in \[0, inf\]"),
        ),  # fmt: skip
    ),
    LossCase(
        fn=L.generalized_dice_loss,
        module=L.GeneralizedDiceLoss,
        reference=generalized_dice_reference,
        inputs=_segmentation_pair(),
        options=(
            {},
            {"w_type": "simple", "activation": "sigmoid", "include_background": False},
            {"w_type": "uniform", "smooth_nr": 0.0, "smooth_dr": 1.0},
        ),
        extreme=_segmentation_extreme,
        bad=tuple(_SEGMENTATION_BAD)
        + (
            BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"w_type": "cube"}, ValueError, "w_type must be one of 'square', 'simple', 'uniform', got 'cube'"),
        ),  # fmt: skip
    ),
)


# --- tversky.ipynb ---

def _monai_tp_fp_fn(input, target, activation, include_background, batch):
    """MONAI's compute_tp_fp_fn (soft_label=False): tp = sum p t, fp = sum p (1 - t), fn = sum (1 - p) t."""
    p = _probabilities(input, activation)
    t = _onehot_target(target, input.shape[1], p.dtype)
    if not include_background:
        p, t = p[:, 1:], t[:, 1:]
    dims = [0, *range(2, p.dim())] if batch else list(range(2, p.dim()))
    return (p * t).sum(dims), (p * (1 - t)).sum(dims), ((1 - p) * t).sum(dims)


def _weigh_and_reduce(f, weight, include_background, reduction):
    if weight is not None:
        f = f * (weight if include_background else weight[1:])
    return f if reduction == "none" else f.mean() if reduction == "mean" else f.sum()


def tversky_reference(
    input, target, *, activation="softmax", include_background=True, alpha=0.5, beta=0.5, batch=False,
    smooth_nr=1e-5, smooth_dr=1e-5, weight=None, reduction="mean",
):  # fmt: skip
    """MONAI's TverskyLoss formula, differentiated by autograd: 1 - (tp + s_nr) / (tp + alpha fp + beta fn + s_dr)."""
    tp, fp, fn = _monai_tp_fp_fn(input, target, activation, include_background, batch)
    f = 1 - (tp + smooth_nr) / (tp + alpha * fp + beta * fn + smooth_dr)
    return _weigh_and_reduce(f, weight, include_background, reduction)


def focal_tversky_reference(
    input, target, *, activation="softmax", include_background=True, alpha=0.3, beta=0.7, gamma=4 / 3, batch=False,
    smooth_nr=1e-5, smooth_dr=1e-5, weight=None, reduction="mean",
):  # fmt: skip
    """Abraham and Khan's focal Tversky loss per class, (1 - TI_c)^(1/gamma), on MONAI's sums, by autograd.

    The paper's alpha multiplies the false negatives: its (alpha, beta) = (0.7, 0.3) is (beta, alpha) here.
    """
    tp, fp, fn = _monai_tp_fp_fn(input, target, activation, include_background, batch)
    paper_alpha, paper_beta = beta, alpha  # the paper: TI = tp / (tp + alpha fn + beta fp)
    ti = (tp + smooth_nr) / (tp + paper_alpha * fn + paper_beta * fp + smooth_dr)
    return _weigh_and_reduce((1 - ti) ** (1 / gamma), weight, include_background, reduction)


_TVERSKY_BAD = tuple(_SEGMENTATION_BAD) + (
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"alpha": -0.1}, ValueError, r"alpha must be in \[0.0, inf\], got -0.1"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"beta": "0.7"}, TypeError, "beta must be a real number, got str"),
    BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"weight": torch.ones(2)}, ValueError, r"weight must have shape \(3,\), one entry per input channel"),
)  # fmt: skip


TVERSKY: tuple[LossCase, ...] = (
    LossCase(
        fn=L.tversky_loss,
        module=L.TverskyLoss,
        reference=tversky_reference,
        inputs=_segmentation_pair(),
        options=(
            {},
            {"alpha": 0.3, "beta": 0.7, "activation": "sigmoid", "include_background": False, "weight": _per_channel_weight},
            {"alpha": 1.0, "beta": 1.0, "batch": True, "smooth_nr": 0.0, "smooth_dr": 1.0},
        ),
        extreme=_segmentation_extreme,
        bad=_TVERSKY_BAD,
    ),
    LossCase(
        fn=L.focal_tversky_loss,
        module=L.FocalTverskyLoss,
        reference=focal_tversky_reference,
        inputs=_segmentation_pair(),
        options=(
            {},
            {"gamma": 2.0, "activation": "sigmoid", "batch": True, "weight": _per_channel_weight},
            {"gamma": 0.75, "alpha": 0.5, "beta": 0.5, "include_background": False, "smooth_nr": 0.0, "smooth_dr": 1.0},
        ),
        extreme=_segmentation_extreme,
        bad=_TVERSKY_BAD
        + (
            BadInput(lambda: (_x(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)), {"gamma": 0.0}, ValueError, r"gamma must be in \(0.0, inf\], got 0.0"),
        ),  # fmt: skip
    ),
)


# --- lovasz.ipynb ---


def _lovasz_grad_plain(gt_sorted, valid_sorted):
    """The original code's lovasz_grad (1 - I/U, then differences), with a mask of the valid pixels (sorted last)."""
    gts = gt_sorted.sum(-1, keepdim=True)
    intersection = gts - gt_sorted.cumsum(-1)
    union = gts + (valid_sorted.to(gt_sorted.dtype) - gt_sorted).cumsum(-1)
    jaccard = 1 - intersection / union.clamp(min=1)
    return torch.cat([jaccard[..., :1], jaccard[..., 1:] - jaccard[..., :-1]], dim=-1) * valid_sorted


def _lovasz_reduce_plain(loss, valid, per_image, reduction):
    """Per image: 'none' | 'sum' | the mean over the images with a valid pixel; pooled: the one loss."""
    if not per_image:
        return loss[0]
    if reduction == "none":
        return loss
    total = loss.sum()
    return total if reduction == "sum" else total / valid.flatten(1).any(1).sum().clamp(min=1)


def _lovasz_hinge_plain(input, target, *, per_image=True, ignore_index=None, reduction="mean"):
    """Berman et al.'s lovasz_hinge, batched with masks and differentiated by autograd (sort included)."""
    rows = input.shape[0] if per_image else 1
    x, t = input.reshape(rows, -1), target.reshape(rows, -1)
    valid = t != ignore_index if ignore_index is not None else torch.ones_like(t, dtype=torch.bool)
    fg = torch.where(valid, t, 0).to(x.dtype)
    errors = torch.where(valid, 1 - x * (2 * fg - 1), -torch.inf)
    errors_sorted, perm = torch.sort(errors, dim=-1, descending=True)
    g = _lovasz_grad_plain(fg.gather(-1, perm), valid.gather(-1, perm))
    loss = (torch.relu(errors_sorted) * g).sum(-1)
    return _lovasz_reduce_plain(loss, valid, per_image, reduction)


def _lovasz_softmax_plain(
    input, target, *, activation="softmax", classes="present", per_image=False, ignore_index=None, reduction="mean"
):
    """Berman et al.'s lovasz_softmax (probabilities from the activation), batched with masks, by autograd."""
    n, c = input.shape[:2]
    p = {"softmax": lambda v: torch.softmax(v, 1), "sigmoid": torch.sigmoid, None: lambda v: v}[activation](input)
    p = p.reshape(n, c, -1)
    t = target.reshape(n, 1, -1)
    valid = t != ignore_index if ignore_index is not None else torch.ones_like(t, dtype=torch.bool)
    fg = ((t == torch.arange(c).view(1, c, 1)) & valid).to(p.dtype)
    if not per_image:
        p, fg, valid = (a.transpose(0, 1).reshape(1, a.shape[1], -1) for a in (p, fg, valid))
    errors = torch.where(valid, (fg - p).abs(), -1.0)
    errors_sorted, perm = torch.sort(errors, dim=-1, descending=True)
    g = _lovasz_grad_plain(fg.gather(-1, perm), valid.expand_as(errors).gather(-1, perm))
    class_losses = (errors_sorted * g).sum(-1)
    if classes == "present":
        present = (fg.sum(-1) > 0).to(p.dtype)
        loss = (class_losses * present).sum(-1) / present.sum(-1).clamp(min=1)
    else:
        loss = class_losses.mean(-1)
    return _lovasz_reduce_plain(loss, valid, per_image, reduction)


def _lovasz_masks(dtype, device, g):
    """Logits (3, 4, 5) and masks: image 0 whole, image 1 with ignored pixels (255), image 2 all ignored."""
    x = 2 * torch.randn(3, 4, 5, generator=g, dtype=torch.float64)
    y = (torch.rand(3, 4, 5, generator=g) < 0.4).long()
    y[1, :2] = 255
    y[2] = 255
    return x.to(dtype=dtype, device=device), y.to(device)


def _lovasz_classes(dtype, device, g):
    """Logits (3, 4, 3, 4) and class indices: image 0 without class 3, image 1 with ignored pixels, image 2 all ignored."""
    x = 2 * torch.randn(3, 4, 3, 4, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (3, 3, 4), generator=g)
    y[0] = y[0] % 3
    y[1, 0] = 255
    y[2] = 255
    return x.to(dtype=dtype, device=device), y.to(device)


def _lovasz_hinge_extreme(dtype, device):
    x = torch.tensor([[1e4, -1e4, 1e4, -1e4], [0.5, -1e4, 1e4, 2.0]], dtype=dtype, device=device)
    return x, torch.tensor([[1, 0, 0, 1], [1, 1, 0, 0]], device=device)


def _lovasz_softmax_extreme(dtype, device):
    x = torch.tensor([[[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]]], dtype=dtype, device=device)
    return x, torch.tensor([[0, 0, 2]], device=device)


def _hinge_bad():
    name = "lovasz_hinge_loss"
    x = lambda: torch.zeros(2, 3)  # noqa: E731
    return (
        BadInput(lambda: (x(), torch.zeros(2, 4, dtype=torch.long)), {}, ValueError, rf"{name}: target shape \(2, 4\) does not match input shape \(2, 3\)"),
        BadInput(lambda: (torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long)), {}, TypeError, rf"{name}: input must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (x(), torch.tensor([[0, 1, 2], [0, 0, 1]])), {}, ValueError, rf"{name}: target must hold 0 and 1 only, got the value 2"),
        BadInput(lambda: (x(), torch.tensor([[0, 1, 255], [0, 0, 3]])), {"ignore_index": 255}, ValueError, rf"{name}: target must hold 0 and 1 only \(or ignore_index=255\), got the value 3"),
        BadInput(lambda: (x(), torch.tensor([[0.0, 0.5, 1.0], [0.0, 0.0, 1.0]])), {}, ValueError, rf"{name}: target must hold 0 and 1 only, got the value 0.5"),
        BadInput(lambda: (x(), torch.zeros(2, 3, dtype=torch.bool)), {}, TypeError, rf"{name}: target must be an integer or floating-point tensor of 0s and 1s, got dtype torch.bool"),
        BadInput(lambda: (torch.tensor(1.0), torch.tensor(1)), {}, ValueError, rf"{name}: input must be \(N, \*spatial\), with a batch dimension, got a scalar"),
        BadInput(lambda: (x(), torch.zeros(2, 3)), {"per_image": 1}, TypeError, rf"{name}: per_image must be a bool, got int"),
        BadInput(lambda: (x(), torch.zeros(2, 3)), {"ignore_index": 1.5}, TypeError, rf"{name}: ignore_index must be an int or None, got float"),
    )


def _softmax_bad():
    name = "lovasz_softmax_loss"
    x = lambda: torch.zeros(2, 3, 4)  # noqa: E731
    return (
        BadInput(lambda: (x(), torch.tensor([[0, 1, 2, 3], [0, 0, 0, 0]])), {}, ValueError, rf"{name}: target holds class index 3, expected values in \[0, 3\)"),
        BadInput(lambda: (x(), torch.zeros(2, 5, dtype=torch.long)), {}, ValueError, rf"{name}: target shape \(2, 5\) does not match input shape \(2, 3, 4\)"),
        BadInput(lambda: (x(), torch.zeros(2, 4)), {}, ValueError, rf"{name}: a floating-point target is a 0/1 mask of the input's shape \(2, 3, 4\), got shape \(2, 4\)"),
        BadInput(lambda: (x(), torch.zeros(2, 4, dtype=torch.bool)), {}, TypeError, rf"{name}: target must be an integer tensor of class indices, got dtype torch.bool"),
        BadInput(lambda: (x(), torch.full((2, 3, 4), 0.5)), {}, ValueError, rf"{name}: target must hold 0 and 1 only, got the value 0.5"),
        BadInput(lambda: (x(), torch.zeros(2, 3, 4)), {"ignore_index": 255}, ValueError, rf"{name}: ignore_index applies to class-index targets"),
        BadInput(lambda: (torch.zeros(2, 1, 4), torch.zeros(2, 4, dtype=torch.long)), {}, ValueError, rf"{name}: activation='softmax' over one channel is constant 1"),
        BadInput(lambda: (torch.full((2, 3, 4), 1.5), torch.zeros(2, 4, dtype=torch.long)), {"activation": None}, ValueError, rf"{name}: input values must be in \[0, 1\]"),
        BadInput(lambda: (x(), torch.zeros(2, 4, dtype=torch.long)), {"activation": "relu"}, ValueError, rf"{name}: activation must be one of 'softmax', 'sigmoid', None, got 'relu'"),
        BadInput(lambda: (x(), torch.zeros(2, 4, dtype=torch.long)), {"classes": [0, 1]}, ValueError, rf"{name}: classes must be 'present' or 'all', got \[0, 1\]"),
        BadInput(lambda: (torch.zeros(3), torch.zeros(3, dtype=torch.long)), {}, ValueError, rf"{name}: input must be \(N, C, \*spatial\), got shape \(3,\)"),
        BadInput(lambda: (torch.zeros(2, 3, 4, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long)), {}, TypeError, rf"{name}: input must be a floating-point tensor, got dtype torch.int64"),
    )


LOVASZ: tuple[LossCase, ...] = (
    # per_image=True: 'none' gives one loss per image (the generic suite's shapes); per_image=False,
    # one number for every reduction, is tested in tests/test_lovasz.py
    LossCase(
        fn=L.lovasz_hinge_loss,
        module=L.LovaszHingeLoss,
        reference=_lovasz_hinge_plain,
        inputs=_lovasz_masks,
        options=({"ignore_index": 255},),
        grad_args=(0,),
        extreme=_lovasz_hinge_extreme,
        bad=_hinge_bad(),
    ),
    LossCase(
        fn=L.lovasz_softmax_loss,
        module=L.LovaszSoftmaxLoss,
        reference=_lovasz_softmax_plain,
        inputs=_lovasz_classes,
        options=(
            {"per_image": True, "ignore_index": 255},
            {"per_image": True, "ignore_index": 255, "classes": "all", "activation": "sigmoid"},
        ),
        grad_args=(0,),
        extreme=_lovasz_softmax_extreme,
        bad=_softmax_bad(),
    ),
)


REGISTRY: tuple[LossCase, ...] = DICE + TVERSKY + LOVASZ
