"""The registry of losses: one entry per public loss function, checked by ``test_losses.py``.

Adding a loss to ``lossbook.losses`` without an entry here fails ``test_registry_is_complete``.
An entry says how to call the loss, what to compare it with, which options to cover and
which bad inputs must raise.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from lossbook import losses as L


@dataclass(frozen=True)
class BadInput:
    """A call that must raise ``error`` with a message matching ``match`` (a regex)."""

    args: Callable[[], tuple]
    kwargs: dict
    error: type[Exception]
    match: str


@dataclass(frozen=True)
class LossCase:
    """How the suite exercises one loss.

    Attributes:
        fn: the lossbook function.
        module: its module class.
        reference: the same loss by another route, called like ``fn``: the PyTorch built-in
            where there is one, or a plain formula differentiated by autograd.
        inputs: ``inputs(dtype, device, generator)`` returns the positional tensor arguments,
            away from kinks so that every gradient is defined.
        options: keyword options to cover (each is run with every reduction).
        grad_args: indices of the positional arguments that get a gradient.
        torch_op: the name of the op in PyTorch's ``op_db``, whose sample inputs the loss must
            reproduce; ``None`` for losses PyTorch lacks.
        extreme: ``extreme(dtype, device)`` returns arguments at extreme but finite values
            (residuals or logits of 1e4), at which value and gradients must stay finite.
        reductions: the values of ``reduction`` the loss accepts (``kl_div`` adds ``'batchmean'``).
        bad: calls that must raise.
    """

    fn: Callable
    module: type
    reference: Callable
    inputs: Callable[[torch.dtype, torch.device, torch.Generator], tuple]
    options: tuple[dict, ...] = ({},)
    grad_args: tuple[int, ...] = (0, 1)
    torch_op: str | None = None
    extreme: Callable[[torch.dtype, torch.device], tuple] | None = None
    reductions: tuple[str, ...] = ("none", "mean", "sum")
    bad: tuple[BadInput, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.fn.__name__


def _pair(shape=(4, 3)):
    def inputs(dtype, device, g):
        return (
            torch.randn(shape, generator=g, dtype=torch.float64).to(dtype=dtype, device=device),
            torch.randn(shape, generator=g, dtype=torch.float64).to(dtype=dtype, device=device),
        )

    return inputs


def _pair_away_from_kinks(kinks=(0.0, 0.5, 1.0, 2.0), shape=(4, 3), margin=0.15):
    """``(input, target)`` whose residuals ``|input - target|`` keep ``margin`` from every kink.

    For losses with a kink or a switch of formula at ``|r| = 0``, ``delta`` or ``beta``: the
    residual magnitudes are spread over the gaps between consecutive kinks (and one gap beyond
    the last), so that every branch is exercised and finite differences never cross a kink.
    """
    edges = sorted(kinks) + [max(kinks) + 1.0]
    gaps = [(lo + margin, hi - margin) for lo, hi in zip(edges, edges[1:])]

    def inputs(dtype, device, g):
        n = torch.Size(shape).numel()
        lo = torch.tensor([gaps[i % len(gaps)][0] for i in range(n)], dtype=torch.float64)
        hi = torch.tensor([gaps[i % len(gaps)][1] for i in range(n)], dtype=torch.float64)
        size = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        sign = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
        target = torch.randn(n, generator=g, dtype=torch.float64)
        input = target + sign * size
        return tuple(t.reshape(shape).to(dtype=dtype, device=device) for t in (input, target))

    return inputs


def _extreme_pair(dtype, device):
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, device=device)
    return x, torch.zeros_like(x)


def _shape_mismatch():
    return torch.zeros(3), torch.zeros(4)


def _integer_input():
    return torch.zeros(3, dtype=torch.long), torch.zeros(3)


def positive_like_input(args: tuple, g: torch.Generator) -> torch.Tensor:
    """A positive tensor of the input's shape, dtype and device (an element-wise ``weight``)."""
    x = args[0]
    return (0.5 + torch.rand(x.shape, generator=g, dtype=torch.float64)).to(dtype=x.dtype, device=x.device)


def materialize(options: dict, args: tuple, g: torch.Generator) -> dict:
    """Build an option set for the given arguments.

    A callable option value is called as ``value(args, generator)``, so that the registry
    can name a tensor option (a weight, a variance) whose shape, dtype and device follow
    the inputs; other values are passed as they are.
    """
    return {key: value(args, g) if callable(value) else value for key, value in options.items()}


def _reduce_reference(loss, reduction, weight=None):
    """Weight and reduce an element-wise reference loss the plain way (weighted mean for 'mean')."""
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / (weight.sum() if weight is not None else loss.numel())


def _log_cosh_reference(input, target, *, reduction="mean", weight=None):
    return _reduce_reference(torch.log(torch.cosh(input - target)), reduction, weight)


def _quantile_reference(input, target, *, quantile=0.5, reduction="mean", weight=None):
    u = target - input  # pinball: tau * u for u >= 0, (tau - 1) * u for u < 0
    return _reduce_reference(torch.maximum(quantile * u, (quantile - 1) * u), reduction, weight)


def _barron_reference(input, target, *, alpha=1.0, scale=1.0, reduction="mean", weight=None):
    z = ((input - target) / scale) ** 2
    if alpha == 2:  # L2
        loss = z / 2
    elif alpha == 0:  # Cauchy / Lorentzian
        loss = torch.log(z / 2 + 1)
    elif alpha == float("-inf"):  # Welsch
        loss = 1 - torch.exp(-z / 2)
    else:  # Barron (2019), eq. 1
        b = abs(alpha - 2)
        loss = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
    return _reduce_reference(loss, reduction, weight)


def _gaussian_inputs(dtype, device, g):
    """``(mean, target, var)``, the variances in [0.2, 1.2]: above every ``eps`` the options use."""
    mean, target = (torch.randn((4, 3), generator=g, dtype=torch.float64) for _ in range(2))
    var = 0.2 + torch.rand((4, 3), generator=g, dtype=torch.float64)
    return tuple(t.to(dtype=dtype, device=device) for t in (mean, target, var))


def _gaussian_extreme(dtype, device):
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, device=device)
    var = torch.tensor([0.0, 1e4, 1e-8, 2.0], dtype=dtype, device=device)  # 0 and 1e-8 are clamped to eps
    return x, torch.zeros_like(x), var


def _poisson_inputs(dtype, device, g):
    """``(rate or log-rate, counts)``: inputs in [0.2, 2.2], valid for both ``log_input`` values;
    targets in [0, 5.2], kept 0.1 away from 1, where ``full``'s Stirling term switches on."""
    rate = 0.2 + 2 * torch.rand((4, 3), generator=g, dtype=torch.float64)
    target = 5 * torch.rand((4, 3), generator=g, dtype=torch.float64)
    target = torch.where((target - 1).abs() < 0.1, target + 0.2, target)
    return rate.to(dtype=dtype, device=device), target.to(dtype=dtype, device=device)


def _poisson_extreme(dtype, device):
    # log-rates of -1e4 and 80: e^80 ~ 5.5e34 is close to float32's largest number (e^1e4 overflows any dtype)
    x = torch.tensor([-1e4, 80.0, 0.5, -3.0], dtype=dtype, device=device)
    return x, torch.tensor([0.0, 1e4, 3.0, 1e4], dtype=dtype, device=device)


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
    return _reduce_reference(loss, reduction)


def _focal_reference(input, target, *, gamma=2.0, weight=None, ignore_index=-100, reduction="mean"):
    # -w_y (1 - p_y)^gamma log p_y; 'mean' divides by the summed weight of the targets not ignored
    keep = target != ignore_index
    y = torch.where(keep, target, 0)
    log_pt = torch.log_softmax(input, dim=1).gather(1, y.unsqueeze(1)).squeeze(1)
    w = (weight[y] if weight is not None else torch.ones_like(log_pt)) * keep
    return _reduce_reference(-((1 - log_pt.exp()) ** gamma) * log_pt, reduction, w)


def _poly1_reference(input, target, *, epsilon=1.0, reduction="mean"):
    p_t = torch.softmax(input, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce_reference(-torch.log(p_t) + epsilon * (1 - p_t), reduction)


def _asymmetric_reference(input, target, *, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, reduction="mean"):
    p = torch.sigmoid(input)
    p_m = (p - clip).clamp(min=0)
    loss_pos = -((1 - p) ** gamma_pos) * torch.log(p)
    loss_neg = -(p_m**gamma_neg) * torch.log(1 - p_m)
    return _reduce_reference(target * loss_pos + (1 - target) * loss_neg, reduction)


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
    return _reduce_reference(h**2 if squared else h, reduction)


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
        fn=L.mse_loss,
        module=L.MSELoss,
        reference=F.mse_loss,
        inputs=_pair(),
        options=({}, {"weight": positive_like_input}),
        torch_op="nn.functional.mse_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"mse_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"mse_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"mse_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.l1_loss,
        module=L.L1Loss,
        reference=F.l1_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"weight": positive_like_input}),
        torch_op="nn.functional.l1_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"l1_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"l1_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"l1_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.huber_loss,
        module=L.HuberLoss,
        reference=F.huber_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"delta": 0.5}, {"delta": 2.0}, {"delta": float("inf")}, {"delta": 2.0, "weight": positive_like_input}),
        torch_op="nn.functional.huber_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"huber_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": 0.0}, ValueError, r"huber_loss: delta must be in \(0, inf\], got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": -1.0}, ValueError, r"huber_loss: delta must be in \(0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": float("nan")}, ValueError, r"huber_loss: delta must be in \(0, inf\], got nan"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": "1"}, TypeError, r"huber_loss: delta must be a real number, got str"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"huber_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.smooth_l1_loss,
        module=L.SmoothL1Loss,
        reference=F.smooth_l1_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"beta": 0.0}, {"beta": 0.5}, {"beta": 2.0}),
        torch_op="nn.functional.smooth_l1_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"smooth_l1_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"smooth_l1_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"beta": -0.5}, ValueError, r"smooth_l1_loss: beta must be in \[0, inf\], got -0.5"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"beta": float("nan")}, ValueError, r"smooth_l1_loss: beta must be in \[0, inf\], got nan"),
        ),
    ),
    LossCase(
        fn=L.log_cosh_loss,
        module=L.LogCoshLoss,
        reference=_log_cosh_reference,
        inputs=_pair(),
        options=({}, {"weight": positive_like_input}),
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"log_cosh_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"log_cosh_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"log_cosh_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.quantile_loss,
        module=L.QuantileLoss,
        reference=_quantile_reference,
        inputs=_pair(),
        options=({}, {"quantile": 0.1}, {"quantile": 0.95, "weight": positive_like_input}),
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"quantile_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": 1.5}, ValueError, r"quantile_loss: quantile must be in \(0, 1\), got 1.5"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": 0.0}, ValueError, r"quantile_loss: quantile must be in \(0, 1\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": torch.tensor(0.5)}, TypeError, r"quantile_loss: quantile must be a real number, got Tensor"),
        ),
    ),
    LossCase(
        fn=L.barron_loss,
        module=L.BarronLoss,
        reference=_barron_reference,
        inputs=_pair(),
        options=(
            {},
            {"alpha": 2.0, "scale": 0.5},
            {"alpha": 0.0},
            {"alpha": -2.0, "scale": 0.7},
            {"alpha": float("-inf"), "scale": 2.0},
            {"alpha": 0.5, "weight": positive_like_input},
            {"alpha": 3.0},
        ),
        extreme=_extreme_pair,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"barron_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"scale": 0.0}, ValueError, r"barron_loss: scale must be in \(0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": float("inf")}, ValueError, r"barron_loss: alpha must be in \[-inf, inf\), got inf"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": float("nan")}, ValueError, r"barron_loss: alpha must be in \[-inf, inf\), got nan"),
        ),
    ),
    LossCase(
        fn=L.binary_cross_entropy,
        module=L.BCELoss,
        reference=F.binary_cross_entropy,
        inputs=_bce_probability_pair(),
        options=({}, {"weight": positive_like_input}, {"weight": positive_per_class}),
        torch_op="nn.functional.binary_cross_entropy",
        extreme=_bce_extreme_probabilities,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"binary_cross_entropy: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"binary_cross_entropy: input must be a floating-point tensor, got dtype torch.int64"),
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
            BadInput(_shape_mismatch, {}, ValueError, r"binary_cross_entropy_with_logits: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"binary_cross_entropy_with_logits: input must be a floating-point tensor, got dtype torch.int64"),
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
        fn=L.gaussian_nll_loss,
        module=L.GaussianNLLLoss,
        reference=F.gaussian_nll_loss,
        inputs=_gaussian_inputs,
        options=({}, {"full": True}, {"eps": 0.1}),
        grad_args=(0, 1, 2),
        torch_op="nn.functional.gaussian_nll_loss",
        extreme=_gaussian_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.zeros(4), torch.ones(3)), {}, ValueError, r"gaussian_nll_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3), torch.ones(2)), {}, ValueError, r"gaussian_nll_loss: var shape \(2,\) does not match input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.tensor([1.0, -0.5, 1.0])), {}, ValueError, r"gaussian_nll_loss: var must be non-negative .*got a minimum of -0.5"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), -1.0), {}, ValueError, r"gaussian_nll_loss: var must be non-negative .*got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3, dtype=torch.long)), {}, TypeError, r"gaussian_nll_loss: var must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"eps": -1e-6}, ValueError, r"gaussian_nll_loss: eps must be in \[0.0, inf\], got -1e-06"),
        ),
    ),
    LossCase(
        fn=L.poisson_nll_loss,
        module=L.PoissonNLLLoss,
        reference=F.poisson_nll_loss,
        inputs=_poisson_inputs,
        options=({}, {"full": True}, {"log_input": False}, {"log_input": False, "full": True, "eps": 1e-3}),
        torch_op="nn.functional.poisson_nll_loss",
        extreme=_poisson_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.zeros(4)), {}, ValueError, r"poisson_nll_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"poisson_nll_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.ones(3), torch.ones(3)), {"log_input": False, "eps": -1.0}, ValueError, r"poisson_nll_loss: eps must be in \[0.0, inf\], got -1.0"),
        ),
    ),
    LossCase(
        fn=L.sigmoid_focal_loss,
        module=L.SigmoidFocalLoss,
        reference=_sigmoid_focal_reference,
        inputs=_focal_soft_label_inputs,
        options=({}, {"alpha": None, "gamma": 0.5}, {"alpha": 0.75, "gamma": 0.0}, {"gamma": 1.5}),
        extreme=_focal_soft_label_extreme,
        bad=(
            BadInput(_shape_mismatch, {}, ValueError, r"sigmoid_focal_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(_integer_input, {}, TypeError, r"sigmoid_focal_loss: input must be a floating-point tensor, got dtype torch.int64"),
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
            BadInput(_shape_mismatch, {}, ValueError, r"asymmetric_loss: target shape \(4,\) does not match input shape \(3,\)"),
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
            BadInput(_integer_input, {}, TypeError, r"soft_margin_loss: input must be a floating-point tensor, got dtype torch.int64"),
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
            BadInput(lambda: (torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long)), {}, TypeError, r"multilabel_soft_margin_loss: target must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
)
