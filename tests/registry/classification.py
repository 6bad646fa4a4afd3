"""Registry entries of Part III, classification (``lossbook/losses/classification/``, ``book/classification/``)."""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import (
    BadInput,
    LossCase,
    integer_input,
    positive_like_input,
    reduce_reference,
    shape_mismatch,
)


def _bce_probability_pair(shape=(4, 3)):
    """Probabilities away from 0 and 1, and soft targets in [0, 1] (both differentiable)."""

    def inputs(dtype, device, g):
        p = 0.05 + 0.9 * torch.rand(shape, generator=g, dtype=torch.float64)
        y = torch.rand(shape, generator=g, dtype=torch.float64)
        return p.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)

    return inputs


def _bce_logit_pair(shape=(4, 3)):
    """Logits of a few units, and soft targets in [0, 1] (both differentiable)."""

    def inputs(dtype, device, g):
        z = 3 * torch.randn(shape, generator=g, dtype=torch.float64)
        y = torch.rand(shape, generator=g, dtype=torch.float64)
        return z.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)

    return inputs


def _bce_extreme_probabilities(dtype, device):
    # p exactly 0 and 1 against targets 0 and 1: the clamped logs give losses 0 or 100, finite gradients
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype, device=device)
    return p, torch.tensor([0.0, 0.0, 1.0, 1.0, 0.5], dtype=dtype, device=device)


def _bce_extreme_logits(dtype, device):
    z = torch.tensor([1e4, -1e4, 1e4, -1e4, 0.5], dtype=dtype, device=device)
    return z, torch.tensor([0.0, 0.0, 1.0, 1.0, 0.5], dtype=dtype, device=device)


def positive_per_class(args: tuple, g: torch.Generator) -> torch.Tensor:
    """A positive tensor of shape ``(C,)``, C the size of the input's dimension 1 (a per-class weight)."""
    x = args[0]
    return (0.5 + torch.rand(x.shape[1], generator=g, dtype=torch.float64)).to(dtype=x.dtype, device=x.device)


def _ce_inputs(log_probabilities: bool = False, shape=(6, 4, 2)):
    """Logits ``(N, C, d)`` (or their log-softmax) and int64 targets ``(N, d)`` that hold every class."""

    def inputs(dtype, device, g):
        n, c = shape[0], shape[1]
        z = 2 * torch.randn(shape, generator=g, dtype=torch.float64)
        if log_probabilities:
            z = torch.log_softmax(z, dim=1)
        n_targets = z[:, 0].numel()
        target = (torch.arange(n_targets) % c)[torch.randperm(n_targets, generator=g)].reshape((n,) + shape[2:])
        return z.to(dtype=dtype, device=device), target.to(device)

    return inputs


def _ce_extreme_logits(dtype, device):
    # logits of +-1e4: the targets sit on the largest and on the smallest logit
    z = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.5, -1e4, 2.0]], dtype=dtype, device=device)
    return z, torch.tensor([0, 0, 1], device=device)


def _ce_bad(name: str) -> tuple[BadInput, ...]:
    """The bad class-index inputs cross_entropy and nll_loss share."""
    x = lambda: torch.zeros(4, 3)  # noqa: E731
    return (
        BadInput(lambda: (x(), torch.tensor([0, 1, 3, 2])), {}, ValueError, rf"{name}: target holds class index 3, expected values in \[0, 3\) or ignore_index=-100"),
        BadInput(lambda: (x(), torch.tensor([0, 1, -1, 2])), {}, ValueError, rf"{name}: target holds class index -1"),
        BadInput(lambda: (x(), torch.tensor([0, 1, 2, 1], dtype=torch.int32)), {}, TypeError, rf"{name}: target class indices must have dtype torch.int64 \(or torch.uint8\), got dtype torch.int32"),
        BadInput(lambda: (x(), torch.zeros(5, dtype=torch.long)), {}, ValueError, rf"{name}: target batch size 5 does not match input batch size 4"),
        BadInput(lambda: (x(), torch.zeros(4, 1, dtype=torch.long)), {}, ValueError, rf"{name}: target shape \(4, 1\) does not match input shape \(4, 3\)"),
        BadInput(lambda: (x(), torch.zeros(4, dtype=torch.long)), {"weight": torch.ones(4)}, ValueError, rf"{name}: weight must have shape \(3,\), one entry per class, got shape \(4,\)"),
        BadInput(lambda: (torch.zeros(4, 3, dtype=torch.long), torch.zeros(4, dtype=torch.long)), {}, TypeError, rf"{name}: input must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (torch.tensor(1.0), torch.tensor(0)), {}, ValueError, rf"{name}: input must have a class dimension"),
        BadInput(lambda: (x(), torch.zeros(4, dtype=torch.long)), {"ignore_index": 1.5}, TypeError, rf"{name}: ignore_index must be an int, got float"),
    )


# Part III: focal losses and the asymmetric loss (book/classification/focal, multi-label): plain
# formulas, differentiated by autograd, and class-index / soft-label inputs.


def _focal_soft_label_inputs(dtype, device, g):
    """``(logits, targets)``: logits ``2 N(0, 1)`` (some probabilities below ASL's clip), soft targets in (0, 1)."""
    x = 2 * torch.randn((4, 5), generator=g, dtype=torch.float64)
    t = torch.rand((4, 5), generator=g, dtype=torch.float64)
    return x.to(dtype=dtype, device=device), t.to(dtype=dtype, device=device)


def _focal_soft_label_extreme(dtype, device):
    x = torch.tensor([1e4, -1e4, 1e4, -1e4, 0.5, -3.0], dtype=dtype, device=device)
    return x, torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], dtype=dtype, device=device)


def _focal_class_inputs(dtype, device, g):
    """``(logits (6, 4), class indices (6,))`` in which every class occurs."""
    z = torch.randn((6, 4), generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    return z, (torch.randperm(6, generator=g) % 4).to(device)


def _focal_class_extreme(dtype, device):
    z = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.0, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype=dtype, device=device)
    return z, torch.tensor([0, 0, 2, 1], device=device)


def focal_class_weight(args: tuple, g: torch.Generator) -> torch.Tensor:
    """A positive per-class ``weight`` ``(C,)`` for ``(N, C)`` logits, in their dtype and device."""
    z = args[0]
    return (0.5 + torch.rand(z.shape[1], generator=g, dtype=torch.float64)).to(dtype=z.dtype, device=z.device)


def _sigmoid_focal_reference(input, target, *, alpha=0.25, gamma=2.0, reduction="mean"):
    # torchvision.ops.sigmoid_focal_loss, line by line (alpha=None where torchvision takes alpha < 0)
    p = torch.sigmoid(input)
    ce = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return reduce_reference(loss, reduction)


def _focal_reference(input, target, *, gamma=2.0, weight=None, ignore_index=-100, reduction="mean"):
    # -w_y (1 - p_y)^gamma log p_y; 'mean' divides by the summed weight of the targets not ignored
    keep = target != ignore_index
    y = torch.where(keep, target, 0)
    log_pt = torch.log_softmax(input, dim=1).gather(1, y.unsqueeze(1)).squeeze(1)
    w = (weight[y] if weight is not None else torch.ones_like(log_pt)) * keep
    return reduce_reference(-((1 - log_pt.exp()) ** gamma) * log_pt, reduction, w)


def _poly1_reference(input, target, *, epsilon=1.0, reduction="mean"):
    p_t = torch.softmax(input, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    return reduce_reference(-torch.log(p_t) + epsilon * (1 - p_t), reduction)


def _asymmetric_reference(input, target, *, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, reduction="mean"):
    p = torch.sigmoid(input)
    p_m = (p - clip).clamp(min=0)
    loss_pos = -((1 - p) ** gamma_pos) * torch.log(p)
    loss_neg = -(p_m**gamma_neg) * torch.log(1 - p_m)
    return reduce_reference(target * loss_pos + (1 - target) * loss_neg, reduction)


# --- Part III: KL divergence and distillation (book/classification/kl-divergence.ipynb) ---

KL_REDUCTIONS = ("none", "batchmean", "mean", "sum")


def _kl_inputs(dtype, device, g):
    """``(log q, p)``: log-probabilities and probabilities over the last dimension, both away from 0."""
    log_q = torch.log_softmax(torch.randn((4, 3), generator=g, dtype=torch.float64), dim=-1)
    p = torch.softmax(torch.randn((4, 3), generator=g, dtype=torch.float64), dim=-1)
    return log_q.to(dtype=dtype, device=device), p.to(dtype=dtype, device=device)


def _kl_reference(input, target, reduction="mean", log_target=False):
    with warnings.catch_warnings():  # PyTorch warns that 'mean' is not the KL divergence
        warnings.simplefilter("ignore", UserWarning)
        return F.kl_div(input, target, reduction=reduction, log_target=log_target)


def _kl_extreme(dtype, device):
    input = torch.tensor([[-1e4, 1e4, 0.5], [0.0, -1e4, -3.0]], dtype=dtype, device=device)
    return input, torch.tensor([[0.2, 0.3, 0.5], [0.998, 0.001, 0.001]], dtype=dtype, device=device)


def _distillation_inputs(dtype, device, g):
    """Two ``(4, 5)`` tensors of logits (student and teacher)."""
    return tuple((2 * torch.randn((4, 5), generator=g, dtype=torch.float64)).to(dtype=dtype, device=device) for _ in range(2))


def _distillation_reference(student_logits, teacher_logits, *, temperature=2.0, reduction="batchmean"):
    # Hinton et al. (2015): T^2 KL(softmax(u/T) || softmax(s/T)), written with PyTorch's kl_div
    dim = 1 if student_logits.dim() > 1 else 0
    log_p = F.log_softmax(student_logits / temperature, dim=dim)
    log_q = F.log_softmax(teacher_logits / temperature, dim=dim)
    return temperature**2 * _kl_reference(log_p, log_q, reduction=reduction, log_target=True)


def _distillation_extreme(dtype, device):
    student = torch.tensor([[1e4, -1e4, 0.5], [-1e4, 1e4, 0.0]], dtype=dtype, device=device)
    return student, torch.tensor([[-1e4, 1e4, 0.0], [-1e4, 1e4, 3.0]], dtype=dtype, device=device)


# --- Part III: margin losses (book/classification/hinge.ipynb) ---


def _signed_inputs(kinks=(0.5, 1.0, 2.0), gap=0.1, shape=(4, 3)):
    """``(scores, labels in {-1, +1})`` whose margins ``y * x`` keep ``gap`` from every kink."""

    def inputs(dtype, device, g):
        y = torch.where(torch.rand(shape, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0).to(torch.float64)
        v = 6 * torch.rand(shape, generator=g, dtype=torch.float64) - 3  # margins in [-3, 3]
        for k in kinks:
            v = torch.where((v - k).abs() < gap, v + 2 * gap, v)
        return (y * v).to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)

    return inputs


def _hinge_reference(input, target, *, margin=1.0, squared=False, reduction="mean"):
    h = torch.clamp(margin - target * input, min=0)  # Cortes and Vapnik (1995)
    return reduce_reference(h**2 if squared else h, reduction)


def _signed_extreme(dtype, device):
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, device=device)
    return x, torch.tensor([1.0, 1.0, -1.0, 1.0], dtype=dtype, device=device)


def _margin_class_inputs(dtype, device, g):
    """``(scores (5, 4), class indices (5,))``."""
    x = torch.randn((5, 4), generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    return x, torch.randint(0, 4, (5,), generator=g).to(device)


def last_dim_class_weight(args: tuple, g: torch.Generator) -> torch.Tensor:
    """A positive per-class weight: shape ``(C,)`` for an input of ``C`` classes along its last dimension."""
    x = args[0]
    return (0.5 + torch.rand(x.shape[-1], generator=g, dtype=torch.float64)).to(dtype=x.dtype, device=x.device)


def _margin_class_extreme(dtype, device):
    x = torch.tensor([[1e4, -1e4, 0.5], [-1e4, 1e4, 0.0]], dtype=dtype, device=device)
    return x, torch.tensor([0, 0], device=device)


def _multilabel_inputs(dtype, device, g):
    """``(scores (4, 5), target lists (4, 5))``: each row lists 0 to 5 classes, then -1, then ignored entries."""
    n, c = 4, 5
    rows = []
    for i in range(n):
        k = i + 1 if i < 3 else 0  # 1, 2, 3 and 0 target classes
        perm = torch.randperm(c, generator=g)[:k].tolist()
        rest = torch.randint(-1, c, (c - k - 1,), generator=g).tolist() if k < c else []
        rows.append(perm + ([-1] if k < c else []) + rest)
    x = torch.randn((n, c), generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    return x, torch.tensor(rows, device=device)


def _multilabel_extreme(dtype, device):
    x = torch.tensor([[1e4, -1e4, 0.5], [0.0, 1e4, -1e4]], dtype=dtype, device=device)
    return x, torch.tensor([[0, -1, 0], [2, 1, -1]], device=device)


def _soft_multilabel_inputs(dtype, device, g):
    """``(logits (4, 5), soft labels in [0, 1] (4, 5))``."""
    x = 2 * torch.randn((4, 5), generator=g, dtype=torch.float64)
    return x.to(dtype=dtype, device=device), torch.rand((4, 5), generator=g, dtype=torch.float64).to(dtype=dtype, device=device)


def _soft_multilabel_extreme(dtype, device):
    x = torch.tensor([[1e4, -1e4, 0.5], [3.0, -1e4, 1e4]], dtype=dtype, device=device)
    return x, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=dtype, device=device)


REGISTRY: tuple[LossCase, ...] = (
    LossCase(
        fn=L.binary_cross_entropy,
        module=L.BCELoss,
        reference=F.binary_cross_entropy,
        inputs=_bce_probability_pair(),
        options=({}, {"weight": positive_like_input}, {"weight": positive_per_class}),
        torch_op="nn.functional.binary_cross_entropy",
        extreme=_bce_extreme_probabilities,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"binary_cross_entropy: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"binary_cross_entropy: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.tensor([0.5, 1.5]), torch.zeros(2)), {}, ValueError, r"binary_cross_entropy: input values must be in \[0, 1\], got values in \[0.5, 1.5\]"),
            BadInput(lambda: (torch.tensor([0.5, 0.5]), torch.tensor([0.0, 2.0])), {}, ValueError, r"binary_cross_entropy: target values must be in \[0, 1\]"),
            BadInput(lambda: (torch.tensor([0.5, float("nan")]), torch.zeros(2)), {}, ValueError, r"binary_cross_entropy: input values must be in \[0, 1\]"),
            BadInput(lambda: (torch.full((4, 3), 0.5), torch.zeros(4, 3)), {"weight": torch.ones(4)}, ValueError, r"binary_cross_entropy: weight shape \(4,\) does not broadcast to input shape \(4, 3\)"),
            BadInput(lambda: (torch.full((3,), 0.5), torch.zeros(3, dtype=torch.float64)), {}, TypeError, r"binary_cross_entropy: target dtype torch.float64 does not match input dtype torch.float32"),
        ),
    ),
    LossCase(
        fn=L.binary_cross_entropy_with_logits,
        module=L.BCEWithLogitsLoss,
        reference=F.binary_cross_entropy_with_logits,
        inputs=_bce_logit_pair(),
        options=(
            {},
            {"weight": positive_like_input},
            {"weight": positive_per_class},
            {"pos_weight": positive_per_class},
            {"weight": positive_like_input, "pos_weight": positive_like_input},
        ),
        torch_op="nn.functional.binary_cross_entropy_with_logits",
        extreme=_bce_extreme_logits,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"binary_cross_entropy_with_logits: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"binary_cross_entropy_with_logits: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3, dtype=torch.long)), {}, TypeError, r"binary_cross_entropy_with_logits: target must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(2), torch.tensor([0.0, 2.0])), {}, ValueError, r"binary_cross_entropy_with_logits: target values must be in \[0, 1\]"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"pos_weight": torch.ones(4)}, ValueError, r"binary_cross_entropy_with_logits: pos_weight shape \(4,\) does not broadcast to input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"weight": torch.ones(2, 4, 3)}, ValueError, r"binary_cross_entropy_with_logits: weight shape \(2, 4, 3\) does not broadcast to input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"pos_weight": torch.ones(3, dtype=torch.long)}, TypeError, r"binary_cross_entropy_with_logits: pos_weight must be a floating-point tensor"),
        ),
    ),
    LossCase(
        fn=L.cross_entropy,
        module=L.CrossEntropyLoss,
        reference=F.cross_entropy,
        inputs=_ce_inputs(),
        options=(
            {},
            {"weight": positive_per_class},
            {"ignore_index": 1},
            {"label_smoothing": 0.1},
            {"weight": positive_per_class, "ignore_index": 0, "label_smoothing": 0.3},
            {"label_smoothing": 1.0},
        ),
        grad_args=(0,),
        torch_op="nn.functional.cross_entropy",
        extreme=_ce_extreme_logits,
        bad=(
            *_ce_bad("cross_entropy"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4)), {}, TypeError, r"cross_entropy: target class indices must have dtype torch.int64 \(or torch.uint8\), got dtype torch.float32; class probabilities must have the input's shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3, dtype=torch.long)), {}, TypeError, r"cross_entropy: a target of the input's shape \(4, 3\) holds class probabilities and must be floating point, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(4, 3), torch.full((4, 3), 1.5)), {}, ValueError, r"cross_entropy: target values must be in \[0, 1\], got values in \[1.5, 1.5\]"),
            BadInput(lambda: (torch.zeros(4, 3), torch.full((4, 3), 0.5)), {"ignore_index": 1}, ValueError, r"cross_entropy: ignore_index is not supported with class-probability targets, got 1"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)), {"label_smoothing": 1.5}, ValueError, r"cross_entropy: label_smoothing must be in \[0.0, 1.0\], got 1.5"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)), {"label_smoothing": -0.1}, ValueError, r"cross_entropy: label_smoothing must be in \[0.0, 1.0\], got -0.1"),
        ),
    ),
    LossCase(
        fn=L.nll_loss,
        module=L.NLLLoss,
        reference=F.nll_loss,
        inputs=_ce_inputs(log_probabilities=True),
        options=({}, {"weight": positive_per_class}, {"ignore_index": 1}, {"weight": positive_per_class, "ignore_index": 0}),
        grad_args=(0,),
        torch_op="nn.functional.nll_loss",
        extreme=_ce_extreme_logits,
        bad=_ce_bad("nll_loss"),
    ),
    LossCase(
        fn=L.sigmoid_focal_loss,
        module=L.SigmoidFocalLoss,
        reference=_sigmoid_focal_reference,
        inputs=_focal_soft_label_inputs,
        options=({}, {"alpha": None, "gamma": 0.5}, {"alpha": 0.75, "gamma": 0.0}, {"gamma": 1.5}),
        extreme=_focal_soft_label_extreme,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"sigmoid_focal_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"sigmoid_focal_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3, dtype=torch.long)), {}, TypeError, r"sigmoid_focal_loss: target must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.tensor([0.0, 1.0, 2.0])), {}, ValueError, r"sigmoid_focal_loss: target values must be in \[0, 1\], got values in \[0, 2\]"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"gamma": -1.0}, ValueError, r"sigmoid_focal_loss: gamma must be in \[0.0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": 1.5}, ValueError, r"sigmoid_focal_loss: alpha must be in \[0.0, 1.0\], got 1.5"),
        ),
    ),
    LossCase(
        fn=L.focal_loss,
        module=L.FocalLoss,
        reference=_focal_reference,
        inputs=_focal_class_inputs,
        options=({}, {"gamma": 0.5}, {"gamma": 0.0, "weight": focal_class_weight}, {"weight": focal_class_weight, "ignore_index": 1}),
        grad_args=(0,),
        extreme=_focal_class_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0, 3])), {}, ValueError, r"focal_loss: target holds class index 3, expected values in \[0, 3\) or ignore_index=-100"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0.0, 1.0])), {}, TypeError, r"focal_loss: target must be an integer tensor of class indices, got dtype torch.float32"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0, 1])), {"weight": torch.ones(2)}, ValueError, r"focal_loss: weight must have shape \(3,\), one entry per class, got shape \(2,\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(5, dtype=torch.long)), {}, ValueError, r"focal_loss: target shape \(5,\) does not match input shape \(4, 3\): expected \(4,\)"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0, 1])), {"gamma": -0.5}, ValueError, r"focal_loss: gamma must be in \[0.0, inf\], got -0.5"),
            BadInput(lambda: (torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 1])), {}, TypeError, r"focal_loss: input must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.poly1_cross_entropy,
        module=L.Poly1CrossEntropyLoss,
        reference=_poly1_reference,
        inputs=_focal_class_inputs,
        options=({}, {"epsilon": -1.0}, {"epsilon": 2.0}),
        grad_args=(0,),
        extreme=_focal_class_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0, -1])), {}, ValueError, r"poly1_cross_entropy: target holds class index -1, expected values in \[0, 3\)$"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0.0, 1.0])), {}, TypeError, r"poly1_cross_entropy: target must be an integer tensor of class indices, got dtype torch.float32"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(3, dtype=torch.long)), {}, ValueError, r"poly1_cross_entropy: target shape \(3,\) does not match input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([0, 1])), {"epsilon": -2.0}, ValueError, r"poly1_cross_entropy: epsilon must be in \[-1.0, inf\], got -2.0"),
        ),
    ),
    LossCase(
        fn=L.asymmetric_loss,
        module=L.AsymmetricLoss,
        reference=_asymmetric_reference,
        inputs=_focal_soft_label_inputs,
        options=(
            {},
            {"gamma_pos": 1.0, "gamma_neg": 2.0, "clip": 0.0},
            {"gamma_neg": 0.0, "clip": 0.2},
            {"gamma_pos": 0.5, "gamma_neg": 0.5, "clip": 0.1},
        ),
        extreme=_focal_soft_label_extreme,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"asymmetric_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3, dtype=torch.long)), {}, TypeError, r"asymmetric_loss: target must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.tensor([0.0, -1.0, 1.0])), {}, ValueError, r"asymmetric_loss: target values must be in \[0, 1\], got values in \[-1, 1\]"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"gamma_neg": -1.0}, ValueError, r"asymmetric_loss: gamma_neg must be in \[0.0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"gamma_pos": -1.0}, ValueError, r"asymmetric_loss: gamma_pos must be in \[0.0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"clip": 1.0}, ValueError, r"asymmetric_loss: clip must be in \[0.0, 1.0\), got 1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"clip": -0.1}, ValueError, r"asymmetric_loss: clip must be in \[0.0, 1.0\), got -0.1"),
        ),
    ),
    LossCase(
        fn=L.kl_div,
        module=L.KLDivLoss,
        reference=_kl_reference,
        inputs=_kl_inputs,
        options=({}, {"log_target": True}),
        torch_op="nn.functional.kl_div",
        extreme=_kl_extreme,
        reductions=KL_REDUCTIONS,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.full((3,), 1 / 3)), {}, ValueError, r"kl_div: target shape \(3,\) does not match input shape \(2, 3\)"),
            BadInput(lambda: (torch.zeros(3), torch.ones(3, dtype=torch.long)), {}, TypeError, r"kl_div: target must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.ones(3)), {"log_target": "yes"}, TypeError, r"kl_div: log_target must be a bool, got str"),
        ),
    ),
    LossCase(
        fn=L.distillation_loss,
        module=L.DistillationLoss,
        reference=_distillation_reference,
        inputs=_distillation_inputs,
        options=({}, {"temperature": 1.0}, {"temperature": 4.0}),
        extreme=_distillation_extreme,
        reductions=KL_REDUCTIONS,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 3)), {"temperature": 0.0}, ValueError, r"distillation_loss: temperature must be in \(0.0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 3)), {"temperature": -1.0}, ValueError, r"distillation_loss: temperature must be in \(0.0, inf\), got -1.0"),
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 4)), {}, ValueError, r"distillation_loss: teacher_logits shape \(2, 4\) does not match student_logits shape \(2, 3\)"),
            BadInput(lambda: (torch.zeros(()), torch.zeros(())), {}, ValueError, r"distillation_loss: student_logits must have a class dimension"),
        ),
    ),
    LossCase(
        fn=L.hinge_loss,
        module=L.HingeLoss,
        reference=_hinge_reference,
        inputs=_signed_inputs(),
        options=({}, {"squared": True}, {"margin": 0.5}, {"margin": 2.0, "squared": True}),
        grad_args=(0,),
        extreme=_signed_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.tensor([0.0, 1.0, 1.0])), {}, ValueError, r"hinge_loss: target must hold -1 and \+1 only, got the value 0"),
            BadInput(lambda: (torch.zeros(3), torch.ones(4)), {}, ValueError, r"hinge_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.ones(3, dtype=torch.long)), {}, TypeError, r"hinge_loss: target must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.soft_margin_loss,
        module=L.SoftMarginLoss,
        reference=F.soft_margin_loss,
        inputs=_signed_inputs(kinks=()),
        grad_args=(0,),  # PyTorch's soft_margin_loss is not differentiable in the target (lossbook's is)
        torch_op="nn.functional.soft_margin_loss",
        extreme=_signed_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(5, 4), torch.ones(5)), {}, ValueError, r"soft_margin_loss: target shape \(5,\) does not match input shape \(5, 4\)"),
            BadInput(integer_input, {}, TypeError, r"soft_margin_loss: input must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.multi_margin_loss,
        module=L.MultiMarginLoss,
        reference=F.multi_margin_loss,
        inputs=_margin_class_inputs,
        options=({}, {"p": 2}, {"margin": 0.5}, {"weight": last_dim_class_weight}, {"p": 2, "margin": 2.0, "weight": last_dim_class_weight}),
        grad_args=(0,),
        torch_op="nn.functional.multi_margin_loss",
        extreme=_margin_class_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 4), torch.tensor([0, 4])), {}, ValueError, r"multi_margin_loss: target holds 4, expected class indices in \[0, 3\]"),
            BadInput(lambda: (torch.zeros(2, 4), torch.tensor([0, -1])), {}, ValueError, r"multi_margin_loss: target holds -1, expected class indices in \[0, 3\]"),
            BadInput(lambda: (torch.zeros(2, 4), torch.zeros(2)), {}, TypeError, r"multi_margin_loss: target class indices must have dtype torch.int64, got dtype torch.float32"),
            BadInput(lambda: (torch.zeros(2, 4), torch.zeros(3, dtype=torch.long)), {}, ValueError, r"multi_margin_loss: target batch size 3 does not match input batch size 2"),
            BadInput(lambda: (torch.zeros(2, 4), torch.zeros(2, dtype=torch.long)), {"weight": torch.ones(3)}, ValueError, r"multi_margin_loss: weight must have shape \(4,\), one entry per class, got shape \(3,\)"),
            BadInput(lambda: (torch.zeros(2, 4), torch.zeros(2, dtype=torch.long)), {"p": 3}, ValueError, r"multi_margin_loss: p must be 1 or 2, got 3"),
        ),
    ),
    LossCase(
        fn=L.multilabel_margin_loss,
        module=L.MultiLabelMarginLoss,
        reference=F.multilabel_margin_loss,
        inputs=_multilabel_inputs,
        grad_args=(0,),
        torch_op="nn.functional.multilabel_margin_loss",
        extreme=_multilabel_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([[0, 3, -1], [1, -1, 0]])), {}, ValueError, r"multilabel_margin_loss: target holds 3, expected class indices or -1 in \[-1, 2\]"),
            BadInput(lambda: (torch.zeros(2, 3), torch.tensor([[0, -2, -1], [1, -1, 0]])), {}, ValueError, r"multilabel_margin_loss: target holds -2, expected class indices or -1 in \[-1, 2\]"),
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 3)), {}, TypeError, r"multilabel_margin_loss: target class indices must have dtype torch.int64, got dtype torch.float32"),
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(3, 3, dtype=torch.long)), {}, ValueError, r"multilabel_margin_loss: target shape \(3, 3\) does not match input shape \(2, 3\)"),
        ),
    ),
    LossCase(
        fn=L.multilabel_soft_margin_loss,
        module=L.MultiLabelSoftMarginLoss,
        reference=F.multilabel_soft_margin_loss,
        inputs=_soft_multilabel_inputs,
        options=({}, {"weight": last_dim_class_weight}, {"weight": positive_like_input}),
        torch_op="nn.functional.multilabel_soft_margin_loss",
        extreme=_soft_multilabel_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(3, 3)), {}, ValueError, r"multilabel_soft_margin_loss: target shape \(3, 3\) does not match input shape \(2, 3\)"),
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 3)), {"weight": torch.ones(4)}, ValueError, r"multilabel_soft_margin_loss: weight shape \(4,\) does not match input shape \(2, 3\): expected \(3,\)"),
            BadInput(lambda: (torch.zeros(2, 3), [[0, 1, 0], [1, 0, 0]]), {}, TypeError, r"multilabel_soft_margin_loss: target must be a torch.Tensor, got list"),
        ),
    ),
)
