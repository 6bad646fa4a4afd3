"""Binary cross-entropy, on probabilities and on logits. Chapter: ``book/classification/binary-cross-entropy.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_broadcastable,
    check_in_interval,
    check_pair,
    check_reduction,
)

LOG_CLAMP = -100.0  # PyTorch clamps log(p) and log(1 - p) at -100, so that p = 0 or 1 gives a finite loss
GRAD_EPSILON = 1e-12  # and divides the gradient by max(p (1 - p), 1e-12)


class _BinaryCrossEntropy(torch.autograd.Function):
    """:math:`-[y \\log p + (1 - y) \\log(1 - p)]`, logs clamped at -100 as in PyTorch, weighted and reduced inside.

    Nothing but the arguments is saved: the backward recomputes the logs only for the
    target's gradient.
    """

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        log_p = torch.log(input).clamp_min_(LOG_CLAMP)
        log_1mp = torch.log1p(-input).clamp_min_(LOG_CLAMP)
        ctx.save_for_backward(input, target, weight)
        ctx.reduction = reduction
        loss = log_p.sub_(log_1mp).mul_(target).add_(log_1mp).neg_()  # -(log(1 - p) + y (log p - log(1 - p)))
        return reduce(loss, reduction, weight=weight, denominator=input.numel())

    @staticmethod
    def backward(ctx, grad_output):
        input, target, weight = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight, denominator=input.numel())
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dp = (p - y) / (p (1 - p)); PyTorch bounds the denominator below by 1e-12
            grad_input = (input - target).div_((input * (1 - input)).clamp_min_(GRAD_EPSILON)).mul_(s)
        if ctx.needs_input_grad[1]:
            # d/dy = log(1 - p) - log p = -logit(p), with the clamped logs of the forward
            log_p = torch.log(input).clamp_min_(LOG_CLAMP)
            grad_target = torch.log1p(-input).clamp_min_(LOG_CLAMP).sub_(log_p).mul_(s)
        return grad_input, grad_target, None, None


class _BinaryCrossEntropyWithLogits(torch.autograd.Function):
    """:math:`(1 - y) z + (1 + (q - 1) y)\\,\\operatorname{softplus}(-z)` for logits :math:`z`, weighted and reduced inside.

    Without ``pos_weight`` nothing but the arguments is saved; the backward recomputes
    :math:`\\sigma(z)` with one op and scales :math:`\\sigma(z) - y` in place.
    """

    @staticmethod
    def forward(ctx, input, target, pos_weight, weight, reduction):
        # softplus(-z) = -log sigmoid(z) = log(1 + e^{-|z|}) + max(-z, 0): no exp of a large number
        softplus_neg = exp_(input.abs().neg_()).log1p_().sub_(input.clamp(max=0))
        ctx.save_for_backward(input, target, pos_weight, weight, softplus_neg if pos_weight is not None else None)
        ctx.reduction = reduction
        if pos_weight is None:
            loss = softplus_neg.add_(input).addcmul_(target, input, value=-1)  # (1 - y) z + softplus(-z)
        else:
            loss = ((pos_weight - 1) * target).add_(1).mul_(softplus_neg).add_(input).addcmul_(target, input, value=-1)
        return reduce(loss, reduction, weight=weight, denominator=input.numel())

    @staticmethod
    @first_order("binary_cross_entropy_with_logits")
    def backward(ctx, grad_output):
        input, target, pos_weight, weight, softplus_neg = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight, denominator=input.numel())
        grad_input = grad_target = grad_pos_weight = None
        if ctx.needs_input_grad[0]:
            sigmoid = torch.sigmoid(input)
            if pos_weight is None:
                grad_input = sigmoid.sub_(target).mul_(s)  # sigma(z) - y
            else:  # (1 + (q-1) y) sigma(z) - q y
                grad_input = ((pos_weight - 1) * target).add_(1).mul_(sigmoid).sub_(pos_weight * target).mul_(s)
        if ctx.needs_input_grad[1]:
            # d/dy = -z - (q - 1) log sigmoid(z) = -z + (q - 1) softplus(-z)
            grad_target = input * -s if pos_weight is None else ((pos_weight - 1) * softplus_neg).sub_(input).mul_(s)
        if pos_weight is not None and ctx.needs_input_grad[2]:
            # d/dq = y softplus(-z), summed over the dimensions along which pos_weight was broadcast
            grad_pos_weight = (target * softplus_neg).mul_(s).sum_to_size(pos_weight.shape)
        return grad_input, grad_target, grad_pos_weight, None, None


def _apply(function, x, *args, weight, reduction: str, dtype: torch.dtype) -> torch.Tensor:
    """Apply a binary cross-entropy Function, with PyTorch's 'mean': over the number of elements, with or without weight.

    A weight that requires a gradient is applied outside the Function, where autograd
    differentiates the weighting.
    """
    if weight is not None and weight.requires_grad:
        loss = function.apply(x, *args, None, "none")
        return reduce(loss * weight, reduction, dtype=dtype)
    out = function.apply(x, *args, weight, reduction)
    return out if out.dtype == dtype else out.to(dtype)


def binary_cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Binary cross-entropy between probabilities and targets; mirrors :func:`torch.nn.functional.binary_cross_entropy`.

    .. math::

        \ell_i = -w_i \big[y_i \log p_i + (1 - y_i) \log(1 - p_i)\big], \qquad
        \frac{\partial \ell_i}{\partial p_i} = w_i \frac{p_i - y_i}{p_i (1 - p_i)}, \qquad
        \frac{\partial \ell_i}{\partial y_i} = w_i \big[\log(1 - p_i) - \log p_i\big]

    As in PyTorch, each log is clamped below at :math:`-100` (so :math:`p = 0` or :math:`1`
    gives a loss of at most :math:`100 w_i`, never ``inf``), and the denominator of the
    input gradient is bounded below by :math:`10^{-12}` (so the gradient stays finite).
    ``'mean'`` divides the sum by the number of elements, with or without ``weight``.
    Prefer :func:`binary_cross_entropy_with_logits`: it is exact where this one clamps.

    Args:
        input: probabilities :math:`p` in :math:`[0, 1]`, any floating-point tensor.
        target: targets :math:`y` in :math:`[0, 1]` (hard 0/1 labels or soft ones), the same
            shape and dtype as ``input``.
        weight: optional rescaling weight :math:`w`, of the input's shape or broadcastable to it
            (a per-column weight of shape ``(C,)`` for an input ``(N, C)``).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``weight`` is not a floating-point tensor, or
            ``target``'s dtype differs from ``input``'s.
        ValueError: shapes differ, ``weight`` does not broadcast to the input's shape, a value
            of ``input`` or ``target`` lies outside :math:`[0, 1]`, or ``reduction`` is not
            one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import binary_cross_entropy
        >>> p, y = torch.tensor([0.9, 0.2, 0.5]), torch.tensor([1.0, 0.0, 1.0])
        >>> binary_cross_entropy(p, y, reduction="none")  # -log 0.9, -log 0.8, -log 0.5
        tensor([0.1054, 0.2231, 0.6931])
        >>> binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), reduction="none")
        tensor([100.,  -0.])

    References:
        Cox, "The regression analysis of binary sequences", *JRSS B* (1958).

    Chapter: ``book/classification/binary-cross-entropy.ipynb``.
    """
    fn = "binary_cross_entropy"
    check_pair(fn, input, target)
    if target.dtype != input.dtype:
        raise TypeError(f"{fn}: target dtype {target.dtype} does not match input dtype {input.dtype}")
    check_reduction(fn, reduction)
    check_broadcastable(fn, "weight", weight, input)
    check_in_interval(fn, "input", input.detach())
    check_in_interval(fn, "target", target.detach())
    x, y, w = upcast(input, target, weight)
    w = None if w is None else w.to(x.dtype)
    return _apply(_BinaryCrossEntropy, x, y, weight=w, reduction=reduction, dtype=input.dtype)


def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Binary cross-entropy on logits; mirrors :func:`torch.nn.functional.binary_cross_entropy_with_logits`.

    With :math:`\sigma(z) = 1 / (1 + e^{-z})`, :math:`\operatorname{softplus}(t) = \log(1 + e^t)`
    and the weight of positives :math:`q` (``pos_weight``, 1 by default),

    .. math::

        \ell_i = -w_i \big[q\, y_i \log \sigma(z_i) + (1 - y_i) \log(1 - \sigma(z_i))\big]
               = w_i \big[(1 - y_i) z_i + (1 + (q - 1) y_i) \operatorname{softplus}(-z_i)\big],

        \frac{\partial \ell_i}{\partial z_i} = w_i \big[(1 + (q - 1) y_i)\, \sigma(z_i) - q\, y_i\big]
        \quad (= w_i (\sigma(z_i) - y_i) \text{ for } q = 1), \qquad
        \frac{\partial \ell_i}{\partial y_i} = w_i \big[(q - 1) \operatorname{softplus}(-z_i) - z_i\big].

    The softplus is computed as :math:`\log(1 + e^{-|z|}) + \max(-z, 0)`, which never
    overflows: logits of :math:`\pm 10^4` give exact, finite losses and gradients.
    ``'mean'`` divides the sum by the number of elements, with or without ``weight``.

    Args:
        input: logits :math:`z`, any floating-point tensor.
        target: targets :math:`y` in :math:`[0, 1]` (hard 0/1 labels or soft ones), the same
            shape as ``input`` (a different floating dtype is promoted, as in PyTorch).
        weight: optional rescaling weight :math:`w`, of the input's shape or broadcastable to it.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        pos_weight: optional weight :math:`q` of the positive term, broadcastable to the input's
            shape: one per class (shape ``(C,)`` for an input ``(N, C)``), or per element.
            :math:`q = n_{\text{neg}} / n_{\text{pos}}` balances an imbalanced class.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` and ``target`` promoted (float16/bfloat16 are
        computed in float32).

    Raises:
        TypeError: ``input``, ``target``, ``weight`` or ``pos_weight`` is not a floating-point tensor.
        ValueError: shapes differ, ``weight`` or ``pos_weight`` does not broadcast to the
            input's shape, a target lies outside :math:`[0, 1]`, or ``reduction`` is not one
            of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import binary_cross_entropy_with_logits
        >>> z, y = torch.tensor([2.0, -1.0, 0.0]), torch.tensor([1.0, 0.0, 1.0])
        >>> binary_cross_entropy_with_logits(z, y, reduction="none")  # softplus(-2), softplus(-1), log 2
        tensor([0.1269, 0.3133, 0.6931])
        >>> binary_cross_entropy_with_logits(z, y, reduction="none", pos_weight=torch.tensor(3.0))
        tensor([0.3808, 0.3133, 2.0794])
        >>> binary_cross_entropy_with_logits(torch.tensor([1e4, -1e4]), torch.tensor([0.0, 1.0]), reduction="none")
        tensor([10000., 10000.])

    References:
        Cox, "The regression analysis of binary sequences", *JRSS B* (1958).

    Chapter: ``book/classification/binary-cross-entropy.ipynb``.
    """
    fn = "binary_cross_entropy_with_logits"
    check_pair(fn, input, target)
    check_reduction(fn, reduction)
    check_broadcastable(fn, "weight", weight, input)
    check_broadcastable(fn, "pos_weight", pos_weight, input)
    check_in_interval(fn, "target", target.detach())
    dtype = torch.promote_types(input.dtype, target.dtype)
    if input.dtype != dtype or target.dtype != dtype:
        input, target = input.to(dtype), target.to(dtype)
    x, y, w, q = upcast(input, target, weight, pos_weight)
    w = None if w is None else w.to(x.dtype)
    q = None if q is None else q.to(x.dtype)
    return _apply(_BinaryCrossEntropyWithLogits, x, y, q, weight=w, reduction=reduction, dtype=dtype)


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy`; mirrors :class:`torch.nn.BCELoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import BCELoss
        >>> BCELoss()(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))
        tensor(0.1643)
    """

    def __init__(self, weight: torch.Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction, weight=weight, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`; mirrors :class:`torch.nn.BCEWithLogitsLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import BCEWithLogitsLoss
        >>> loss = BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
        >>> loss(torch.tensor([[2.0], [-1.0]]), torch.tensor([[1.0], [0.0]]))
        tensor(0.3470)
    """

    def __init__(
        self, weight: torch.Tensor | None = None, reduction: str = "mean", pos_weight: torch.Tensor | None = None
    ) -> None:
        super().__init__(reduction, weight=weight, pos_weight=pos_weight, buffers=("weight", "pos_weight"))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )
