"""Focal losses and Poly-1 cross-entropy. Chapter: ``book/classification/focal.ipynb``.

Each loss is written in log space, so that its value and its hand-written gradient stay
finite at saturated logits for every focusing exponent, including :math:`\\gamma < 1`,
where the naive ``(1 - p_t) ** gamma`` has an infinite derivative at :math:`p_t = 1`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import (
    check_class_target,
    check_class_weight,
    check_in_interval,
    check_number,
    check_pair,
    check_reduction,
)

_LOG_HALF = -math.log(2.0)


def _power(log_base: torch.Tensor, exponent: float) -> torch.Tensor:
    """``base ** exponent`` from ``log(base)``; exactly 1 for ``exponent == 0`` (also where ``base == 0``)."""
    return torch.ones_like(log_base) if exponent == 0 else torch.exp(exponent * log_base)


# ---------------------------------------------------------------------------------------
# Sigmoid (binary, one logit per element) focal loss


class _SigmoidFocal(torch.autograd.Function):
    r"""Element-wise :math:`\alpha_t (1 - p_t)^\gamma \operatorname{BCE}(x, t)` with the chapter's gradient.

    With :math:`p = \sigma(x)`, :math:`q = 1 - p_t = (1 - t)\,p + t\,(1 - p)` is computed as
    :math:`\log q = \operatorname{logaddexp}(\log(1 - t) + \log\sigma(x),\ \log t + \log\sigma(-x))`,
    which is finite for every finite logit.
    """

    @staticmethod
    def _parts(x: torch.Tensor, t: torch.Tensor, gamma: float):
        log_p, log_1mp = F.logsigmoid(x), F.logsigmoid(-x)  # log p, log(1 - p)
        ce = -(t * log_p) - (1 - t) * log_1mp  # binary cross-entropy with logits (+0.0 when exact)
        log_q = torch.logaddexp(torch.log1p(-t) + log_p, torch.log(t) + log_1mp)  # log(1 - p_t)
        return log_p, log_1mp, ce, log_q, _power(log_q, gamma)

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, alpha: float | None, gamma: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.alpha, ctx.gamma = alpha, gamma
        _, _, ce, _, modulating = _SigmoidFocal._parts(input, target, gamma)
        loss = ce * modulating
        if alpha is not None:
            loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
        return loss

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        x, t = ctx.saved_tensors
        alpha, gamma = ctx.alpha, ctx.gamma
        log_p, log_1mp, ce, log_q, modulating = _SigmoidFocal._parts(x, t, gamma)
        p, one_minus_p = torch.sigmoid(x), torch.sigmoid(-x)
        alpha_t = 1.0 if alpha is None else alpha * t + (1 - alpha) * (1 - t)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dx = alpha_t q^gamma [(p - t) + gamma (1 - 2t) ce r],  r = p(1 - p)/q in [0, 1]
            r = torch.exp(log_p + log_1mp - log_q)
            p_minus_t = (1 - t) * p - t * one_minus_p  # p - t, without cancellation when p is near t
            grad_input = grad_output * alpha_t * modulating * (p_minus_t + gamma * (1 - 2 * t) * ce * r)
        if ctx.needs_input_grad[1]:
            # d/dt = q^gamma [(2 alpha - 1) ce - alpha_t x + alpha_t gamma (1 - 2p) ce / q];
            # ce / q -> 1 where q underflows (a hard target at a saturated logit)
            q = torch.exp(log_q)
            ce_over_q = torch.where(q > 0, ce / torch.where(q > 0, q, 1.0), 1.0)
            d_alpha = 0.0 if alpha is None else (2 * alpha - 1) * ce
            grad_target = grad_output * modulating * (d_alpha - alpha_t * x + alpha_t * gamma * (1 - 2 * p) * ce_over_q)
        return grad_input, grad_target, None, None


def sigmoid_focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Focal loss of binary logits (Lin et al., 2017); the formula of :func:`torchvision.ops.sigmoid_focal_loss`.

    .. math::

        p = \sigma(x), \quad p_t = p\,t + (1 - p)(1 - t), \quad
        \alpha_t = \alpha t + (1 - \alpha)(1 - t), \\
        \ell = \alpha_t\, (1 - p_t)^\gamma\, \operatorname{BCE}(x, t), \qquad
        \operatorname{BCE}(x, t) = -t \log p - (1 - t) \log(1 - p), \\
        \frac{\partial \ell}{\partial x} = \alpha_t (1 - p_t)^\gamma
            \Big[(p - t) + \gamma\,(1 - 2t)\, \operatorname{BCE}(x, t)\, \frac{p(1 - p)}{1 - p_t}\Big]

    For a hard target :math:`t = 1` the gradient is Lin et al.'s
    :math:`\alpha (1 - p)^\gamma (\gamma\, p \log p + p - 1)`. Every term is computed from
    :math:`\log\sigma(\pm x)`, so value and gradient stay finite at saturated logits, also for
    :math:`0 < \gamma < 1`, where the gradient tends to 0 (a naive implementation gives NaN).
    Soft targets in :math:`[0, 1]` are allowed, and differentiated.

    Args:
        input: logits :math:`x`, any floating-point tensor.
        target: targets :math:`t` in :math:`[0, 1]` (usually 0 or 1), the shape of ``input``.
        alpha: weight of the positive class, in :math:`[0, 1]`; negatives get
            :math:`1 - \alpha`. ``None`` turns the weighting off (torchvision uses
            ``alpha < 0`` for that).
        gamma: focusing exponent :math:`\gamma \ge 0`; ``gamma=0, alpha=None`` is binary
            cross-entropy with logits.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor, or ``alpha`` or
            ``gamma`` is not a number.
        ValueError: shapes differ, ``target`` is outside :math:`[0, 1]`, ``gamma < 0``,
            ``alpha`` is outside :math:`[0, 1]`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import sigmoid_focal_loss
        >>> x, t = torch.tensor([2.0, -1.0, 0.0]), torch.tensor([1.0, 0.0, 1.0])
        >>> sigmoid_focal_loss(x, t, reduction="none")
        tensor([0.0005, 0.0170, 0.0433])
        >>> sigmoid_focal_loss(x, t, alpha=None, gamma=0.0)  # binary cross-entropy
        tensor(0.3778)

    References:
        Lin, Goyal, Girshick, He and Dollár, *Focal Loss for Dense Object Detection*, ICCV 2017.

    Chapter: ``book/classification/focal.ipynb``.
    """
    fn = "sigmoid_focal_loss"
    check_pair(fn, input, target)
    check_reduction(fn, reduction)
    check_number(fn, "gamma", gamma, low=0.0)
    if alpha is not None:
        check_number(fn, "alpha", alpha, low=0.0, high=1.0)
    check_in_interval(fn, "target", target)
    x, t = upcast(input, target)
    return reduce(_SigmoidFocal.apply(x, t, alpha, float(gamma)), reduction, dtype=input.dtype, fn=fn)


class SigmoidFocalLoss(nn.Module):
    """Module form of :func:`sigmoid_focal_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import SigmoidFocalLoss
        >>> SigmoidFocalLoss(gamma=1.0)(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))
        tensor(0.0335)
    """

    def __init__(self, alpha: float | None = 0.25, gamma: float = 2.0, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction("SigmoidFocalLoss", reduction)
        check_number("SigmoidFocalLoss", "gamma", gamma, low=0.0)
        if alpha is not None:
            check_number("SigmoidFocalLoss", "alpha", alpha, low=0.0, high=1.0)
        self.alpha, self.gamma, self.reduction = alpha, gamma, reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return sigmoid_focal_loss(input, target, alpha=self.alpha, gamma=self.gamma, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, gamma={self.gamma}, reduction={self.reduction!r}"


# ---------------------------------------------------------------------------------------
# Softmax (multi-class, class-index targets): focal loss and Poly-1


def _rows(input: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)`` logits as ``(M, C)`` rows, targets as ``(M,)``."""
    if input.dim() == 1:
        return input.unsqueeze(0), target.reshape(1)
    return input.movedim(1, -1).reshape(-1, input.shape[1]), target.reshape(-1)


def _softmax_parts(z: torch.Tensor, y: torch.Tensor):
    """For logit rows ``z`` ``(M, C)`` and classes ``y`` ``(M,)``: what the softmax losses need.

    Returns ``(log p, log p_t, log(1 - p_t), ce)`` where ``p = softmax(z)``, ``p_t = p[y]`` and
    ``ce = -log p_t``. ``log(1 - p_t)`` is the log-sum-exp of the other logits minus that of
    all logits, so it is accurate when ``p_t`` is within rounding of 1; ``ce`` is then
    ``-log1p(-(1 - p_t))`` rather than the cancellation-prone ``lse - z_y``.
    """
    lse = torch.logsumexp(z, dim=1)
    log_p = z - lse.unsqueeze(1)
    log_pt = log_p.gather(1, y.unsqueeze(1)).squeeze(1)
    others = z.scatter(1, y.unsqueeze(1), -math.inf)
    log_m = torch.logsumexp(others, dim=1) - lse  # log(1 - p_t); -inf when C == 1
    ce = torch.where(log_m < _LOG_HALF, -torch.log1p(-torch.exp(log_m)), -log_pt)
    return log_p, log_pt, log_m, ce


def _minus_one_hot(log_p: torch.Tensor, log_m: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``softmax(z) - onehot(y)``, with the entry at ``y`` written as ``-(1 - p_t)`` (no cancellation)."""
    return torch.exp(log_p).scatter(1, y.unsqueeze(1), -torch.exp(log_m).unsqueeze(1))


class _SoftmaxFocal(torch.autograd.Function):
    r"""Row-wise :math:`-(1 - p_t)^\gamma \log p_t` with the chapter's gradient
    :math:`g(p_t)\,(p - e_y)`, :math:`g = (1 - p_t)^\gamma (1 + \gamma\, p_t\, \rho)`,
    :math:`\rho = -\log p_t / (1 - p_t)`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, gamma: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.gamma = gamma
        _, _, log_m, ce = _softmax_parts(input, target)
        return _power(log_m, gamma) * ce

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        z, y = ctx.saved_tensors
        gamma = ctx.gamma
        log_p, log_pt, log_m, ce = _softmax_parts(z, y)
        m = torch.exp(log_m)
        rho = torch.where(m > 0, ce / torch.where(m > 0, m, 1.0), 1.0)  # -log p_t / (1 - p_t) -> 1 as p_t -> 1
        g = _power(log_m, gamma) * (1 + gamma * torch.exp(log_pt) * rho)
        grad = (grad_output * g).unsqueeze(1) * _minus_one_hot(log_p, log_m, y)
        return grad, None, None


class _Poly1(torch.autograd.Function):
    r"""Row-wise :math:`-\log p_t + \varepsilon (1 - p_t)` with gradient :math:`(1 + \varepsilon p_t)(p - e_y)`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, epsilon: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.epsilon = epsilon
        _, _, log_m, ce = _softmax_parts(input, target)
        return ce + epsilon * torch.exp(log_m)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        z, y = ctx.saved_tensors
        log_p, log_pt, log_m, _ = _softmax_parts(z, y)
        factor = 1 + ctx.epsilon * torch.exp(log_pt)
        return (grad_output * factor).unsqueeze(1) * _minus_one_hot(log_p, log_m, y), None, None


def _class_loss(function, fn, input, target, option, *, weight=None, ignore_index=None, reduction="mean"):
    """Apply a row-wise softmax loss to class-index targets, then weight and reduce as cross_entropy does."""
    n_classes = check_class_target(fn, input, target, ignore_index=ignore_index)
    check_class_weight(fn, weight, n_classes, input)
    z, w = upcast(input, weight)
    rows, y = _rows(z, target)
    valid = y != ignore_index if ignore_index is not None else None
    if valid is not None:
        y = torch.where(valid, y, 0)  # any class: the row's loss gets weight 0 below
    loss = function.apply(rows, y, option)
    element_weight = None
    if w is not None:
        element_weight = w[y]
    if valid is not None and not valid.all():
        element_weight = valid.to(loss.dtype) if element_weight is None else element_weight * valid
    out = reduce(loss, reduction, weight=element_weight, dtype=input.dtype, fn=fn)
    return out.reshape(target.shape) if reduction == "none" else out


def focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Softmax focal loss of class logits (Lin et al., 2017); cross-entropy's arguments and shapes.

    .. math::

        p = \operatorname{softmax}(z), \quad p_t = p_y, \qquad
        \ell = -w_y\, (1 - p_t)^\gamma \log p_t, \\
        \frac{\partial \ell}{\partial z_j} = w_y\, g(p_t)\,(p_j - [j = y]), \qquad
        g(p_t) = (1 - p_t)^\gamma - \gamma\, p_t (1 - p_t)^{\gamma - 1} \log p_t

    The gradient is cross-entropy's, :math:`p - e_y`, scaled by :math:`g(p_t) \ge 0`, which
    is 1 at :math:`p_t = 0` and 0 at :math:`p_t = 1` (for :math:`\gamma > 0`), not monotonically:
    for small :math:`p_t` it slightly exceeds 1 (at most 1.22 for :math:`\gamma = 2`). It is computed as
    :math:`g = (1 - p_t)^\gamma\,(1 + \gamma\, p_t \rho)` with :math:`\rho = -\log p_t / (1 - p_t) \ge 1`
    and :math:`1 - p_t` from a log-sum-exp, so it stays finite for :math:`0 < \gamma < 1` too.
    ``gamma=0`` is :func:`torch.nn.functional.cross_entropy`.

    Args:
        input: logits :math:`z`, floating point.
        target: class indices :math:`y` (an integer tensor), each in :math:`[0, C)` or ``ignore_index``.
        gamma: focusing exponent :math:`\gamma \ge 0`.
        weight: optional per-class weights :math:`w`, shape :math:`(C,)`.
        ignore_index: a target value that contributes neither loss nor gradient.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` divides by the sum of the
            weights :math:`w_{y_i}` of the targets that are not ignored (their number without
            ``weight``), as cross-entropy does.

    Shape:
        - input: :math:`(C)`, :math:`(N, C)` or :math:`(N, C, d_1, \ldots, d_k)`.
        - target: :math:`()`, :math:`(N)` or :math:`(N, d_1, \ldots, d_k)`.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point, ``target`` is not an integer tensor,
            or ``gamma`` is not a number.
        ValueError: ``target``'s shape is not the input's without its class dimension, a class
            index is out of range, ``weight`` is not of shape :math:`(C,)`, ``gamma < 0``, or
            ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import focal_loss
        >>> z, y = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), torch.tensor([0, 2])
        >>> focal_loss(z, y, reduction="none")
        tensor([0.0041, 0.9635])
        >>> focal_loss(z, y, gamma=0.0)  # cross-entropy
        tensor(0.8606)

    References:
        Lin, Goyal, Girshick, He and Dollár, *Focal Loss for Dense Object Detection*, ICCV 2017.

    Chapter: ``book/classification/focal.ipynb``.
    """
    fn = "focal_loss"
    check_reduction(fn, reduction)
    check_number(fn, "gamma", gamma, low=0.0)
    return _class_loss(_SoftmaxFocal, fn, input, target, float(gamma), weight=weight, ignore_index=ignore_index, reduction=reduction)


class FocalLoss(nn.Module):
    """Module form of :func:`focal_loss`; its options mirror :class:`torch.nn.CrossEntropyLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import FocalLoss
        >>> FocalLoss(gamma=1.0)(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))
        tensor(0.0265)
    """

    weight: torch.Tensor | None

    def __init__(
        self, gamma: float = 2.0, weight: torch.Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__()
        check_reduction("FocalLoss", reduction)
        check_number("FocalLoss", "gamma", gamma, low=0.0)
        self.register_buffer("weight", weight)
        self.gamma, self.ignore_index, self.reduction = gamma, ignore_index, reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return focal_loss(
            input, target, gamma=self.gamma, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, ignore_index={self.ignore_index}, reduction={self.reduction!r}"


def poly1_cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    epsilon: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Poly-1 cross-entropy (Leng et al., 2022): cross-entropy plus :math:`\varepsilon (1 - p_t)`.

    .. math::

        \ell = -\log p_t + \varepsilon\,(1 - p_t), \qquad
        \frac{\partial \ell}{\partial z_j} = (1 + \varepsilon\, p_t)\,(p_j - [j = y])

    Cross-entropy is :math:`\sum_{k \ge 1} (1 - p_t)^k / k`; Poly-1 raises the coefficient of
    the first term from 1 to :math:`1 + \varepsilon`. With :math:`\varepsilon > 0` the gradient
    of well-classified examples (:math:`p_t` near 1) is multiplied by up to
    :math:`1 + \varepsilon`; :math:`\varepsilon = 0` is cross-entropy. For
    :math:`\varepsilon < -1` the loss would no longer decrease as :math:`p_t` grows, so
    ``epsilon`` must be at least -1.

    Args:
        input: logits :math:`z`, floating point.
        target: class indices :math:`y` (an integer tensor), each in :math:`[0, C)`.
        epsilon: the coefficient :math:`\varepsilon \ge -1` of :math:`1 - p_t`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(C)`, :math:`(N, C)` or :math:`(N, C, d_1, \ldots, d_k)`.
        - target: :math:`()`, :math:`(N)` or :math:`(N, d_1, \ldots, d_k)`.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point, ``target`` is not an integer tensor, or
            ``epsilon`` is not a number.
        ValueError: ``target``'s shape is not the input's without its class dimension, a class
            index is out of range, ``epsilon < -1``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import poly1_cross_entropy
        >>> z, y = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), torch.tensor([0, 2])
        >>> poly1_cross_entropy(z, y, reduction="none")
        tensor([0.3261, 2.3395])

    References:
        Leng, Tan, Liu, Cubuk, Shi, Cheng and Anguelov, *PolyLoss: A Polynomial Expansion
        Perspective of Classification Loss Functions*, ICLR 2022.

    Chapter: ``book/classification/focal.ipynb``.
    """
    fn = "poly1_cross_entropy"
    check_reduction(fn, reduction)
    check_number(fn, "epsilon", epsilon, low=-1.0)
    return _class_loss(_Poly1, fn, input, target, float(epsilon), reduction=reduction)


class Poly1CrossEntropyLoss(nn.Module):
    """Module form of :func:`poly1_cross_entropy`.

    Example:
        >>> import torch
        >>> from lossbook.losses import Poly1CrossEntropyLoss
        >>> Poly1CrossEntropyLoss(epsilon=2.0)(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))
        tensor(0.4823)
    """

    def __init__(self, epsilon: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction("Poly1CrossEntropyLoss", reduction)
        check_number("Poly1CrossEntropyLoss", "epsilon", epsilon, low=-1.0)
        self.epsilon, self.reduction = epsilon, reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return poly1_cross_entropy(input, target, epsilon=self.epsilon, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"epsilon={self.epsilon}, reduction={self.reduction!r}"
