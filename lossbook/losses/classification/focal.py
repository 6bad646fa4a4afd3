"""Focal losses and Poly-1 cross-entropy. Chapter: ``book/classification/focal.ipynb``.

Each loss computes :math:`1 - p_t` without cancellation (as a sum of non-negative terms)
and writes its gradient with bounded ratios, so that its value and its hand-written
gradient stay finite at saturated logits for every focusing exponent, including
:math:`\\gamma < 1`, where the naive ``(1 - p_t) ** gamma`` has an infinite derivative at
:math:`p_t = 1`. The forward computes the gradient from what it already holds, keeps it,
and the backward multiplies it by the reduction's scale.
"""

from __future__ import annotations

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, scale_grads, upcast
from lossbook.losses._validation import (
    check_class_target,
    check_class_weight,
    check_in_interval,
    check_number,
    check_pair,
    check_reduction,
)
from lossbook.losses.classification.cross_entropy import _target_weights

# ---------------------------------------------------------------------------------------
# Sigmoid (binary, one logit per element) focal loss


class _SigmoidFocal(torch.autograd.Function):
    r""":math:`\alpha_t (1 - p_t)^\gamma \operatorname{BCE}(x, t)`, reduced inside, with the chapter's gradient computed in the forward.

    :math:`\operatorname{BCE} = \log(1 + e^{-|x|}) + \max(x, 0) - t x` (a sum of non-negative
    terms for hard targets), :math:`p = \sigma(x)` and :math:`1 - p = \sigma(-x)` (each accurate
    where the other rounds to 1), and :math:`q = 1 - p_t = (1 - t)\,p + t\,(1 - p)`, with no
    cancellation either. The gradient is written with :math:`r = p (1 - p) / q \in [0, 1]` and
    :math:`\operatorname{BCE} / q \to 1` where :math:`q` underflows, so that it stays finite at
    saturated logits for every :math:`\gamma`, including :math:`\gamma < 1`. Everything is
    arithmetic, with no select (``torch.where``) over the elements: on the CPU a select costs
    many times an arithmetic pass. Everything the gradient needs is at hand in the forward, so
    the forward computes the per-element gradient (as Liger-Kernel does) and keeps it; the
    backward only scales it.
    """

    @staticmethod
    def forward(ctx, input, target, alpha, gamma, reduction):
        x, t = input, target
        tiny = torch.finfo(x.dtype).tiny
        e = exp_(x.abs().neg_())  # e^{-|x|}
        ce = x.clamp(min=0).addcmul_(t, x, value=-1).add_(e.log1p_())  # max(x, 0) - t x + log(1 + e^{-|x|})
        p, one_minus_p = torch.sigmoid(x), x.neg().sigmoid_()
        q = (1 - t).mul_(p).addcmul_(t, one_minus_p)  # 1 - p_t
        modulating = q.pow(gamma)
        alpha_t = None if alpha is None else (t * (2 * alpha - 1)).add_(1 - alpha)  # alpha t + (1 - alpha)(1 - t)
        focal = modulating if alpha_t is None else modulating * alpha_t  # alpha_t q^gamma
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dx = alpha_t q^gamma [(p - t) + gamma (1 - 2t) ce r],  r = p(1 - p)/q in [0, 1]
            r = (p * one_minus_p).div_(q.clamp_min(tiny))
            p_minus_t = (1 - t).mul_(p).addcmul_(t, one_minus_p, value=-1)  # p - t, without cancellation
            grad_input = r.mul_(ce).mul_((1 - 2 * t).mul_(gamma)).add_(p_minus_t).mul_(focal)
        if ctx.needs_input_grad[1]:
            # d/dt = q^gamma [(2 alpha - 1) ce - alpha_t x + alpha_t gamma (1 - 2p) ce / q];
            # ce / q -> 1 where q underflows (a hard target at a saturated logit): (ce + tiny) / (q + tiny)
            a_t = 1.0 if alpha_t is None else alpha_t
            ce_over_q = (ce + tiny).div_(q + tiny)
            inner = ce_over_q.mul_((1 - 2 * p).mul_(gamma)).sub_(x).mul_(a_t)
            if alpha is not None:
                inner.add_(ce, alpha=2 * alpha - 1)
            grad_target = inner.mul_(modulating)
        ctx.save_for_backward(grad_input, grad_target)
        ctx.reduction, ctx.shape = reduction, x.shape
        return reduce(ce.mul_(focal), reduction)

    @staticmethod
    @first_order("sigmoid_focal_loss")
    def backward(ctx, grad_output):
        grad_input, grad_target = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, ctx.shape)
        return *scale_grads(s, grad_input, grad_target), None, None, None


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
    out = _SigmoidFocal.apply(x, t, alpha, float(gamma), reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class SigmoidFocalLoss(_Loss):
    """Module form of :func:`sigmoid_focal_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import SigmoidFocalLoss
        >>> SigmoidFocalLoss(gamma=1.0)(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))
        tensor(0.0335)
    """

    def __init__(self, alpha: float | None = 0.25, gamma: float = 2.0, reduction: str = "mean") -> None:
        check_number("SigmoidFocalLoss", "gamma", gamma, low=0.0)
        if alpha is not None:
            check_number("SigmoidFocalLoss", "alpha", alpha, low=0.0, high=1.0)
        super().__init__(reduction, alpha=alpha, gamma=gamma)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return sigmoid_focal_loss(input, target, alpha=self.alpha, gamma=self.gamma, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# Softmax (multi-class, class-index targets): focal loss and Poly-1


def _rows(input: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)`` logits as ``(M, C)`` rows, targets as ``(M,)``."""
    if input.dim() == 1:
        return input.unsqueeze(0), target.reshape(1)
    return input.movedim(1, -1).reshape(-1, input.shape[1]), target.reshape(-1)


class _SoftmaxClassLoss(torch.autograd.Function):
    r"""A row-wise loss of :math:`p_t` for logit rows ``(M, C)`` and classes ``(M,)``, weighted and reduced inside.

    The two softmax losses of the chapter have a gradient :math:`g(p_t)\,(p - e_y)`:

    - focal (``kind='focal'``, option :math:`\gamma`): :math:`\ell = -(1 - p_t)^\gamma \log p_t`,
      :math:`g = (1 - p_t)^\gamma (1 + \gamma\, p_t\, \rho)` with :math:`\rho = -\log p_t / (1 - p_t)`
      (:math:`\to 1` as :math:`p_t \to 1`);
    - Poly-1 (``kind='poly1'``, option :math:`\varepsilon`): :math:`\ell = -\log p_t + \varepsilon (1 - p_t)`,
      :math:`g = 1 + \varepsilon p_t`.

    The forward takes :math:`e_c = e^{z_c - z_{\max}}` (at most 1, and exactly 1 at the largest
    logit), writes 0 at each target and sums the rest, :math:`o = \sum_{c \ne y} e_c`; then
    :math:`S = o + e_y`, :math:`m = 1 - p_t = o / S` (accurate when :math:`p_t` is within
    rounding of 1, unlike :math:`1 - p_t`), and
    :math:`-\log p_t = \log S - (z_y - z_{\max}) = \operatorname{log1p}(o + (e_y - 1)) - (z_y - z_{\max})`,
    finite however small :math:`p_t` is and accurate as :math:`p_t \to 1` (then :math:`e_y = 1`).
    It never normalises :math:`e`: it keeps :math:`e` (its target entries 0), :math:`S` and two
    numbers per row, and the backward makes one pass, :math:`e` times :math:`g / S` times the
    reduction's scale, and writes :math:`-m\, g` times that scale at each target:
    :math:`g\,(p - e_y)` with no cancellation. No select (``torch.where``) is used.
    """

    @staticmethod
    def forward(ctx, z, y, kind, option, weight, reduction):
        at_y = y.unsqueeze(1)
        tiny = torch.finfo(z.dtype).tiny
        z_max = z.amax(dim=1, keepdim=True)
        e = exp_(z - z_max)  # e^{z_c - z_max}, in (0, 1]
        shift_t = z.gather(1, at_y).sub_(z_max).squeeze(1)  # z_y - z_max <= 0
        e_t = e.gather(1, at_y).squeeze(1)
        others = e.scatter_(1, at_y, 0.0).sum(1)  # o: the other classes' share, summed without e_y
        total = others + e_t  # S = sum_c e^{z_c - z_max} >= 1
        m = others / total  # 1 - p_t
        ce = torch.log1p(others + (e_t - 1)).sub_(shift_t)  # -log p_t = log S - (z_y - z_max)
        if kind == "focal":
            gamma = option
            modulating = m.pow(gamma)
            rho = (ce + tiny).div_(m + tiny)  # -log p_t / (1 - p_t) -> 1 as p_t -> 1 (0 / 0 there: tiny / tiny)
            g = rho.mul_(e_t / total).mul_(gamma).add_(1).mul_(modulating)
            loss = ce.mul_(modulating)
        else:
            epsilon = option
            g = m.mul(-epsilon).add_(1 + epsilon)  # 1 + eps p_t, as (1 + eps) - eps (1 - p_t): no cancellation at eps = -1
            loss = ce.add_(m, alpha=epsilon)
        ctx.save_for_backward(e, y, g, m, total, weight)
        ctx.reduction = reduction
        return reduce(loss, reduction, weight=weight)

    @staticmethod
    @first_order("focal_loss, poly1_cross_entropy")
    def backward(ctx, grad_output):
        e, y, g, m, total, weight = ctx.saved_tensors
        if not ctx.needs_input_grad[0]:
            return None, None, None, None, None, None
        s = g * grad_scale(grad_output, ctx.reduction, g.shape, weight=weight)  # g times d(reduction)/d(loss)
        grad = e * (s / total).unsqueeze(1)  # g (p - e_y) off the targets, scaled: p = e / S
        grad.scatter_(1, y.unsqueeze(1), (m * s).neg_().unsqueeze(1))  # -(1 - p_t) g at each target
        return grad, None, None, None, None, None


def _class_loss(kind, fn, input, target, option, *, weight=None, ignore_index=None, reduction="mean"):
    """Apply a row-wise softmax loss to class-index targets, weighted and reduced as cross_entropy does.

    ``'mean'`` divides by the summed weight :math:`w_y` of the targets that are not ignored.
    """
    n_classes, in_range = check_class_target(fn, input, target, ignore_index=ignore_index)
    check_class_weight(fn, weight, n_classes, input)
    z, w = upcast(input, weight)
    rows, y = _rows(z, target)
    w = None if w is None else w.to(z.dtype)
    if ignore_index is None and w is None:
        y_safe, w_y = y if y.dtype == torch.int64 else y.long(), None
    else:
        y_safe, w_y = _target_weights(y, w, -100 if ignore_index is None else ignore_index, n_classes, z.dtype, in_range)
    if w_y is not None and w_y.requires_grad:  # a learned weight: autograd differentiates the weighting
        loss = _SoftmaxClassLoss.apply(rows, y_safe, kind, option, None, "none")
        out = reduce(loss, reduction, weight=w_y, dtype=input.dtype)
    else:
        out = _SoftmaxClassLoss.apply(rows, y_safe, kind, option, w_y, reduction)
        out = out if out.dtype == input.dtype else out.to(input.dtype)
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
    return _class_loss("focal", fn, input, target, float(gamma), weight=weight, ignore_index=ignore_index, reduction=reduction)


class FocalLoss(_Loss):
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
        check_number("FocalLoss", "gamma", gamma, low=0.0)
        super().__init__(reduction, weight=weight, gamma=gamma, ignore_index=ignore_index, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return focal_loss(
            input, target, gamma=self.gamma, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


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
    return _class_loss("poly1", fn, input, target, float(epsilon), reduction=reduction)


class Poly1CrossEntropyLoss(_Loss):
    """Module form of :func:`poly1_cross_entropy`.

    Example:
        >>> import torch
        >>> from lossbook.losses import Poly1CrossEntropyLoss
        >>> Poly1CrossEntropyLoss(epsilon=2.0)(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))
        tensor(0.4823)
    """

    def __init__(self, epsilon: float = 1.0, reduction: str = "mean") -> None:
        check_number("Poly1CrossEntropyLoss", "epsilon", epsilon, low=-1.0)
        super().__init__(reduction, epsilon=epsilon)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return poly1_cross_entropy(input, target, epsilon=self.epsilon, reduction=self.reduction)
