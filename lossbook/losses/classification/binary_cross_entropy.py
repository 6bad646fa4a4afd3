"""Binary cross-entropy, on probabilities and on logits. Chapter: ``book/classification/binary-cross-entropy.ipynb``."""

from __future__ import annotations

import torch
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import (
    check_broadcastable,
    check_in_interval,
    check_pair,
    check_reduction,
)

LOG_CLAMP = -100.0  # PyTorch clamps log(p) and log(1 - p) at -100, so that p = 0 or 1 gives a finite loss
GRAD_EPSILON = 1e-12  # and divides the gradient by max(p (1 - p), 1e-12)


class _BinaryCrossEntropy(torch.autograd.Function):
    """Element-wise :math:`-[y \\log p + (1 - y) \\log(1 - p)]`, logs clamped at -100 as in PyTorch."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        log_p = torch.log(input).clamp_min(LOG_CLAMP)
        log_1mp = torch.log1p(-input).clamp_min(LOG_CLAMP)
        ctx.save_for_backward(input, target, log_p, log_1mp)
        return (target - 1) * log_1mp - target * log_p

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target, log_p, log_1mp = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dp = (p - y) / (p (1 - p)); PyTorch bounds the denominator below by 1e-12
            grad_input = grad_output * (input - target) / (input * (1 - input)).clamp_min(GRAD_EPSILON)
        if ctx.needs_input_grad[1]:
            # d/dy = log(1 - p) - log p = -logit(p), with the clamped logs of the forward
            grad_target = grad_output * (log_1mp - log_p)
        return grad_input, grad_target


class _BinaryCrossEntropyWithLogits(torch.autograd.Function):
    """Element-wise :math:`(1 - y) z + (1 + (q - 1) y)\\,\\operatorname{softplus}(-z)` for logits :math:`z`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, pos_weight: torch.Tensor | None) -> torch.Tensor:
        # softplus(-z) = -log sigmoid(z) = log(1 + e^{-|z|}) + max(-z, 0): no exp of a large number
        softplus_neg = torch.log1p(torch.exp(-input.abs())) + torch.clamp_min(-input, 0)
        log_weight = 1 + (pos_weight - 1) * target if pos_weight is not None else 1
        ctx.save_for_backward(input, target, pos_weight, softplus_neg)
        return (1 - target) * input + log_weight * softplus_neg

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target, pos_weight, softplus_neg = ctx.saved_tensors
        grad_input = grad_target = grad_pos_weight = None
        if ctx.needs_input_grad[0]:
            sigmoid = torch.sigmoid(input)
            if pos_weight is None:
                grad_input = grad_output * (sigmoid - target)  # sigma(z) - y
            else:
                log_weight = 1 + (pos_weight - 1) * target
                grad_input = grad_output * (log_weight * sigmoid - pos_weight * target)  # (1 + (q-1) y) sigma(z) - q y
        if ctx.needs_input_grad[1]:
            # d/dy = -z - (q - 1) log sigmoid(z) = -z + (q - 1) softplus(-z)
            grad_target = -input if pos_weight is None else -input + (pos_weight - 1) * softplus_neg
            grad_target = grad_output * grad_target
        if pos_weight is not None and ctx.needs_input_grad[2]:
            # d/dq = y softplus(-z), summed over the dimensions along which pos_weight was broadcast
            grad_pos_weight = (grad_output * target * softplus_neg).sum_to_size(pos_weight.shape)
        return grad_input, grad_target, grad_pos_weight


def _weighted(loss: torch.Tensor, weight: torch.Tensor | None) -> torch.Tensor:
    # PyTorch's 'mean' divides by the number of elements even when a weight is given (unlike
    # cross_entropy, whose mean is weighted): the weight multiplies the loss before reduce().
    return loss if weight is None else loss * weight


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
    return reduce(_weighted(_BinaryCrossEntropy.apply(x, y), w), reduction, dtype=input.dtype, fn=fn)


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
    x, y, w, q = upcast(input.to(dtype), target.to(dtype), weight, pos_weight)
    w = None if w is None else w.to(x.dtype)
    q = None if q is None else q.to(x.dtype)
    loss = _BinaryCrossEntropyWithLogits.apply(x, y, q)
    return reduce(_weighted(loss, w), reduction, dtype=dtype, fn=fn)


class BCELoss(nn.Module):
    """Module form of :func:`binary_cross_entropy`; mirrors :class:`torch.nn.BCELoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import BCELoss
        >>> BCELoss()(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))
        tensor(0.1643)
    """

    def __init__(self, weight: torch.Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction("BCELoss", reduction)
        self.register_buffer("weight", weight)
        self.reduction = reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class BCEWithLogitsLoss(nn.Module):
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
        super().__init__()
        check_reduction("BCEWithLogitsLoss", reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.reduction = reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"
