"""Cross-entropy and the negative log-likelihood of class probabilities. Chapter: ``book/classification/cross-entropy.ipynb``.

Label smoothing, an option of :func:`cross_entropy`, has its own chapter:
``book/classification/label-smoothing.ipynb``.
"""

from __future__ import annotations

from numbers import Integral

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_class_target,
    check_class_weight,
    check_in_interval,
    check_number,
    check_reduction,
    check_same_device,
    check_tensor,
)

INDEX_DTYPES = (torch.int64, torch.uint8)  # the class-index dtypes PyTorch accepts ("Long or Byte")


def _class_view(weight: torch.Tensor, ndim: int) -> torch.Tensor:
    """A ``(C,)`` weight as ``(1, C, 1, ..., 1)``, to broadcast along the class dimension (dim 1)."""
    return weight.view((1, -1) + (1,) * (ndim - 2))


def _target_weights(target: torch.Tensor, weight: torch.Tensor | None, ignore_index: int, n_classes: int, dtype: torch.dtype, in_range: bool):
    """Each position's class index (clamped into range where ignored) and its weight :math:`w_y` (0 where ignored).

    :math:`w_y` is ``None`` when every position's weight is 1: no ``weight``, and ``in_range``
    (the value check read every index in :math:`[0, C)`) with ``ignore_index`` outside
    :math:`[0, C)`, so that no position is ignored. The Functions then skip the weighting.
    """
    if weight is None and in_range and not 0 <= ignore_index < n_classes:
        return (target if target.dtype == torch.int64 else target.long()), None
    keep = target != ignore_index
    safe = target.clamp(0, n_classes - 1)  # a valid class where ignore_index lies outside [0, C): its weight is 0
    safe = safe if safe.dtype == torch.int64 else safe.long()
    w_y = keep.to(dtype) if weight is None else weight[safe] * keep
    return safe, w_y


def _along_classes(s: torch.Tensor) -> torch.Tensor:
    """A per-position ``(N, *)`` tensor as ``(N, 1, *)``, to broadcast along the class dimension; a 0-d one as it is."""
    return s.unsqueeze(1) if s.dim() > 0 else s


class _CrossEntropyIndices(torch.autograd.Function):
    r"""Cross-entropy of logits ``(N, C, *)`` and class indices ``(N, *)``, with class weights and smoothing, reduced inside.

    With :math:`\log p = z - \operatorname{lse}(z)` along the classes, the loss of a
    position whose target is :math:`y` (and is not ``ignore_index``) is

    .. math:: \ell = -(1 - \varepsilon)\, w_y \log p_y - \frac{\varepsilon}{C} \sum_c w_c \log p_c ,

    that is :math:`-\sum_c a_c \log p_c` with :math:`a_c = w_c\,((1 - \varepsilon)[c = y] + \varepsilon / C)`,
    and its gradient is the chapter's :math:`(\sum_c a_c)\, p - a`, which is :math:`p - e_y` without
    weights or smoothing. Ignored positions have loss and gradient 0. ``'mean'`` divides by
    ``denominator``, the summed :math:`w_y` of the positions not ignored.

    The forward keeps :math:`\log p` (``log_softmax``, as PyTorch does) and no per-position
    loss; the backward recomputes :math:`p` with one exponential (``_exp.py``), scales it in
    place by :math:`\sum_c a_c` times the reduction's scale, and adds :math:`-(1 - \varepsilon) w_y`
    times that scale at each target with one ``scatter_add_``. Without weights and ignored
    positions (:math:`w_y = 1`, passed as ``None``) it skips the weighting.
    """

    @staticmethod
    def forward(ctx, logits, target, weight, label_smoothing, ignore_index, in_range, reduction, denominator):
        eps, n_classes = label_smoothing, logits.shape[1]
        log_p = torch.log_softmax(logits, dim=1)  # z - lse(z), computed stably
        safe, w_y = _target_weights(target, weight, ignore_index, n_classes, logits.dtype, in_range)
        neg_loss = log_p.gather(1, safe.unsqueeze(1)).squeeze(1)  # log p_y
        total = w_y  # sum_c a_c (None: 1)
        if w_y is not None:
            neg_loss.mul_(w_y)  # w_y log p_y
        if eps > 0:  # the smoothing term (eps / C) sum_c w_c log p_c, at the positions kept
            smooth = (log_p if weight is None else log_p * _class_view(weight, logits.dim())).sum(1)
            neg_loss = neg_loss.mul_(1 - eps).add_(smooth if w_y is None else smooth.mul_(target != ignore_index), alpha=eps / n_classes)
            if weight is not None:  # without weights sum_c a_c = (1 - eps + eps) [kept] = w_y, as without smoothing
                total = (1 - eps) * w_y + (eps / n_classes) * weight.sum() * (target != ignore_index)
        if reduction == "mean" and denominator is None and w_y is not None:
            denominator = w_y.sum()  # the summed weight of the targets not ignored (else: their number)
        ctx.save_for_backward(log_p, target, safe, total, w_y, weight, denominator)
        ctx.options = (eps, ignore_index, reduction)
        return reduce(neg_loss, reduction, denominator=denominator).neg_()

    @staticmethod
    @first_order("cross_entropy")
    def backward(ctx, grad_output):
        log_p, target, safe, total, w_y, weight, denominator = ctx.saved_tensors
        eps, ignore_index, reduction = ctx.options
        n_classes, ndim = log_p.shape[1], log_p.dim()
        scale = grad_scale(grad_output, reduction, target.shape, denominator=denominator)  # d(reduction)/d(loss)
        s = _along_classes(scale)
        grad_logits = grad_weight = None
        if ctx.needs_input_grad[0]:
            # s ((sum_c a_c) p - a),  with  a = (1 - eps) w_y e_y + (eps / C) w
            grad = exp(log_p).mul_(s if total is None else _along_classes(total) * s)  # (sum_c a_c) p s
            at_target = -(1 - eps) * (s if w_y is None else _along_classes(w_y) * s)
            at_y = safe.unsqueeze(1)
            grad.scatter_add_(1, at_y, at_target.expand(at_y.shape))
            if eps > 0:  # - (eps / C) w s at every class of the positions kept
                w = s if weight is None else _class_view(weight, ndim) * s
                grad.sub_(w if w_y is None else w * _along_classes(target != ignore_index), alpha=eps / n_classes)
            grad_logits = grad
        if ctx.needs_input_grad[2]:
            # d loss / d w_c = -(1 - eps) [c = y] log p_y - (eps / C) log p_c
            sk = scale * (target != ignore_index).to(log_p.dtype)
            log_p_y = log_p.gather(1, safe.unsqueeze(1)).squeeze(1)
            grad_weight = torch.zeros_like(weight).index_add_(0, safe.flatten(), (-(1 - eps) * sk * log_p_y).flatten())
            if eps > 0:
                grad_weight -= eps / n_classes * (sk.unsqueeze(1) * log_p).transpose(0, 1).reshape(n_classes, -1).sum(1)
        return grad_logits, None, grad_weight, None, None, None, None, None


class _CrossEntropyProbabilities(torch.autograd.Function):
    r"""Cross-entropy :math:`-\sum_c a_c \log p_c` of logits ``(N, C, *)`` and coefficients :math:`a` of the same shape.

    :math:`a` is the target, smoothed and weighted (:math:`a_c = w_c ((1 - \varepsilon) y_c + \varepsilon / C)`,
    computed outside). Gradients: :math:`(\sum_c a_c)\, p - a` for the logits, :math:`-\log p` for :math:`a`.
    """

    @staticmethod
    def forward(ctx, logits, coefficients):
        log_p = torch.log_softmax(logits, dim=1)
        ctx.save_for_backward(log_p, coefficients)
        return -(coefficients * log_p).sum(1)

    @staticmethod
    @first_order("cross_entropy")
    def backward(ctx, grad_output):
        log_p, a = ctx.saved_tensors
        g = grad_output.unsqueeze(1)
        grad_logits = g * (a.sum(1, keepdim=True) * exp(log_p) - a) if ctx.needs_input_grad[0] else None
        grad_coefficients = -g * log_p if ctx.needs_input_grad[1] else None
        return grad_logits, grad_coefficients


class _NegativeLogLikelihood(torch.autograd.Function):
    r"""Negative log-likelihood :math:`-w_y x_y` of log-probabilities ``(N, C, *)`` and class indices ``(N, *)``, reduced inside.

    Gradient: :math:`-w_y` at the target's entry, 0 elsewhere; :math:`-x_y` for :math:`w_y`.
    Ignored positions have loss and gradient 0.
    """

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, in_range, reduction, denominator):
        safe, w_y = _target_weights(target, weight, ignore_index, input.shape[1], input.dtype, in_range)  # w_y None: every weight 1
        neg_x_y = input.gather(1, safe.unsqueeze(1)).squeeze(1).neg_()
        if w_y is not None:
            neg_x_y.mul_(w_y)
            if reduction == "mean" and denominator is None:
                denominator = w_y.sum()  # the summed weight of the targets not ignored (else: their number)
        ctx.save_for_backward(input, target, safe, w_y, denominator)
        ctx.options, ctx.n_classes = (ignore_index, reduction), input.shape[1]
        return reduce(neg_x_y, reduction, denominator=denominator)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, safe, w_y, denominator = ctx.saved_tensors
        ignore_index, reduction = ctx.options
        s = grad_scale(grad_output, reduction, target.shape, denominator=denominator)
        grad_input = grad_weight = None
        if ctx.needs_input_grad[0]:
            at_y = safe.unsqueeze(1)
            at_target = _along_classes(-s if w_y is None else (w_y * s).neg_())  # -w_y s
            grad_input = torch.zeros_like(input).scatter_(1, at_y, at_target.expand(at_y.shape))
        if ctx.needs_input_grad[2]:
            x_y = input.gather(1, safe.unsqueeze(1)).squeeze(1)
            keep = (target != ignore_index).to(input.dtype)
            grad_weight = torch.zeros(ctx.n_classes, dtype=input.dtype, device=input.device).index_add_(0, safe.flatten(), (-s * keep * x_y).flatten())
        return grad_input, None, grad_weight, None, None, None, None


def _check_options(fn: str, input, reduction: str, ignore_index) -> None:
    check_tensor(fn, "input", input)
    if input.dim() == 0:
        raise ValueError(f"{fn}: input must have a class dimension: shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    check_reduction(fn, reduction)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, Integral):
        raise TypeError(f"{fn}: ignore_index must be an int, got {type(ignore_index).__name__}")


def _check_indices(fn: str, input: torch.Tensor, target, ignore_index: int) -> tuple[int, bool]:
    """Class-index targets: PyTorch's dtypes (int64, or uint8), the input's batch size, each in [0, C) or ignored.

    Returns the number of classes, and whether every index was read and found in [0, C).
    """
    check_tensor(fn, "target", target, floating=False)
    if target.dtype not in INDEX_DTYPES:
        extra = (
            f"; class probabilities must have the input's shape {tuple(input.shape)}" if target.is_floating_point() else ""
        )
        raise TypeError(f"{fn}: target class indices must have dtype torch.int64 (or torch.uint8), got dtype {target.dtype}{extra}")
    if input.dim() >= 2 and target.dim() == input.dim() - 1 and target.shape[0] != input.shape[0]:
        raise ValueError(f"{fn}: target batch size {target.shape[0]} does not match input batch size {input.shape[0]}")
    return check_class_target(fn, input, target, ignore_index=ignore_index)


def _apply_indices(function, z, target, weight, options: tuple, reduction: str) -> torch.Tensor:
    r"""Apply a class-index Function, its mean over :math:`\sum w_y` of the targets kept.

    The reduction happens inside the Function, which computes the denominator, unless
    ``weight`` requires a gradient: then the Function returns the per-position loss, and
    autograd differentiates the weighted mean (whose denominator depends on the weight too).
    """
    if weight is not None and weight.requires_grad:
        keep = target != options[-2]  # options end with (ignore_index, in_range)
        loss = function.apply(z, target, weight, *options, "none", None)
        return reduce(loss, reduction, denominator=(weight[target.clamp(0, z.shape[1] - 1).long()] * keep).sum())
    return function.apply(z, target, weight, *options, reduction, None)


def _batched(input: torch.Tensor, *others: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """An unbatched ``(C,)`` input (and its target) as a batch of one."""
    if input.dim() >= 2:
        return (input, *others)
    return (input.unsqueeze(0), *(t.unsqueeze(0) for t in others))


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy of logits and class targets; mirrors :func:`torch.nn.functional.cross_entropy`.

    With :math:`p = \operatorname{softmax}(z)` over the :math:`C` classes, computed as
    :math:`\log p_c = z_c - \log \sum_k e^{z_k}` (the log-sum-exp is shifted by the largest
    logit, so logits of :math:`\pm 10^4` are fine), and the smoothed target
    :math:`\tilde y = (1 - \varepsilon)\, y + \varepsilon / C` (``label_smoothing`` :math:`\varepsilon`),

    .. math::

        \ell = -\sum_c w_c\, \tilde y_c \log p_c, \qquad
        \frac{\partial \ell}{\partial z_j} = \Big(\sum_c w_c \tilde y_c\Big) p_j - w_j \tilde y_j

    which is :math:`p - y` without weights. The target is either

    - **class indices** (an int64 tensor without the class dimension): :math:`y = e_{y}` is
      one-hot, positions whose target is ``ignore_index`` have loss 0, and ``'mean'``
      divides the sum by :math:`\sum_i w_{y_i}` over the positions not ignored (their number
      without ``weight``); or
    - **class probabilities** (a floating tensor of the input's shape): ``'mean'`` divides by
      the number of positions :math:`N d_1 \cdots d_k`, whatever the weights, and
      ``ignore_index`` cannot be used.

    Args:
        input: logits :math:`z`, floating point.
        target: class indices, or class probabilities in :math:`[0, 1]` (see above).
        weight: optional per-class weights :math:`w`, shape :math:`(C,)`.
        ignore_index: a class-index target value that contributes neither loss nor gradient.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        label_smoothing: :math:`\varepsilon \in [0, 1]`; the target is mixed with the uniform
            distribution over the classes.

    Shape:
        - input: :math:`(C)`, :math:`(N, C)` or :math:`(N, C, d_1, \ldots, d_k)`.
        - target: class indices :math:`()`, :math:`(N)` or :math:`(N, d_1, \ldots, d_k)`;
          or class probabilities of the input's shape.
        - output: a scalar, or the input's shape without the class dimension when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (promoted with a probability target's; float16 and
        bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point; class indices are not int64 (or uint8);
            a probability target is not floating point; ``weight`` is not floating point;
            ``ignore_index`` is not an int or ``label_smoothing`` not a number.
        ValueError: ``target``'s shape fits neither kind of target (a batch size that differs,
            for example); a class index is out of range and not ``ignore_index``; a probability
            lies outside :math:`[0, 1]`; ``ignore_index`` is set with probability targets;
            ``weight`` is not of shape :math:`(C,)`; ``label_smoothing`` is outside
            :math:`[0, 1]`; or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import cross_entropy
        >>> z = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
        >>> cross_entropy(z, torch.tensor([0, 2]), reduction="none")  # -log softmax(z)[y]
        tensor([0.1698, 1.5514])
        >>> cross_entropy(z, torch.tensor([0, -100]))  # the second target is ignored
        tensor(0.1698)
        >>> cross_entropy(z, torch.tensor([0, 2]), weight=torch.tensor([1.0, 1.0, 3.0]))  # (0.1698 + 3 * 1.5514) / 4
        tensor(1.2060)
        >>> cross_entropy(z, torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))  # probabilities: one-hot rows
        tensor(0.8606)

    References:
        Szegedy, Vanhoucke, Ioffe, Shlens and Wojna, "Rethinking the Inception Architecture
        for Computer Vision", CVPR 2016 (label smoothing).

    Chapter: ``book/classification/cross-entropy.ipynb`` (label smoothing:
    ``book/classification/label-smoothing.ipynb``).
    """
    fn = "cross_entropy"
    _check_options(fn, input, reduction, ignore_index)
    check_number(fn, "label_smoothing", label_smoothing, low=0.0, high=1.0)
    check_tensor(fn, "target", target, floating=False)
    eps = float(label_smoothing)

    if target.shape == input.shape:  # class probabilities (PyTorch's rule: same shape as the input)
        if not target.is_floating_point():
            raise TypeError(
                f"{fn}: a target of the input's shape {tuple(input.shape)} holds class probabilities "
                f"and must be floating point, got dtype {target.dtype}"
            )
        if ignore_index >= 0:
            raise ValueError(f"{fn}: ignore_index is not supported with class-probability targets, got {ignore_index}")
        check_same_device(fn, "target", target, input)
        check_in_interval(fn, "target", target.detach())
        n_classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
        check_class_weight(fn, weight, n_classes, input)
        dtype = torch.promote_types(input.dtype, target.dtype)
        z, y, w = upcast(input.to(dtype), target.to(dtype), weight)
        z, y = _batched(z, y)
        a = (1 - eps) * y + eps / n_classes if eps > 0 else y
        if w is not None:
            a = a * _class_view(w.to(z.dtype), z.dim())
        loss = _CrossEntropyProbabilities.apply(z, a)
        out = reduce(loss, reduction, dtype=dtype, fn=fn)  # 'mean': over positions, whatever the weights
        return out.squeeze(0) if reduction == "none" and input.dim() == 1 else out

    n_classes, in_range = _check_indices(fn, input, target, ignore_index)
    check_class_weight(fn, weight, n_classes, input)
    z, w = upcast(input, weight)
    w = w if w is None else w.to(z.dtype)
    z, t = _batched(z, target)
    out = _apply_indices(_CrossEntropyIndices, z, t, w, (eps, ignore_index, in_range), reduction)
    out = out if out.dtype == input.dtype else out.to(input.dtype)
    return out.squeeze(0) if reduction == "none" and input.dim() == 1 else out


def nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Negative log-likelihood of log-probabilities; mirrors :func:`torch.nn.functional.nll_loss`.

    ``input`` holds log-probabilities :math:`x_c = \log p_c` (a ``log_softmax`` output);
    ``nll_loss(log_softmax(z), y)`` is ``cross_entropy(z, y)``.

    .. math::

        \ell = -w_y\, x_y, \qquad
        \frac{\partial \ell}{\partial x_c} = -w_y\, [c = y]

    Positions whose target is ``ignore_index`` have loss 0, and ``'mean'`` divides the sum
    by :math:`\sum_i w_{y_i}` over the positions not ignored (their number without ``weight``).

    Args:
        input: log-probabilities :math:`x`, floating point.
        target: class indices :math:`y` (int64, or uint8), each in :math:`[0, C)` or ``ignore_index``.
        weight: optional per-class weights :math:`w`, shape :math:`(C,)`.
        ignore_index: a target value that contributes neither loss nor gradient.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(C)`, :math:`(N, C)` or :math:`(N, C, d_1, \ldots, d_k)`.
        - target: :math:`()`, :math:`(N)` or :math:`(N, d_1, \ldots, d_k)`.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``weight`` is not floating point, ``target`` is not int64 (or
            uint8), or ``ignore_index`` is not an int.
        ValueError: ``target``'s shape is not the input's without its class dimension, a class
            index is out of range and not ``ignore_index``, ``weight`` is not of shape
            :math:`(C,)`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import nll_loss
        >>> log_p = torch.tensor([[-0.1, -2.5, -3.0], [-1.0, -0.5, -2.0]])
        >>> nll_loss(log_p, torch.tensor([0, 2]), reduction="none")
        tensor([0.1000, 2.0000])
        >>> nll_loss(log_p, torch.tensor([0, 2]), weight=torch.tensor([3.0, 1.0, 1.0]))  # (3 * 0.1 + 2) / 4
        tensor(0.5750)

    References:
        Bishop, *Pattern Recognition and Machine Learning* (2006), section 4.3.4.

    Chapter: ``book/classification/cross-entropy.ipynb``.
    """
    fn = "nll_loss"
    _check_options(fn, input, reduction, ignore_index)
    n_classes, in_range = _check_indices(fn, input, target, ignore_index)
    check_class_weight(fn, weight, n_classes, input)
    x, w = upcast(input, weight)
    w = w if w is None else w.to(x.dtype)
    x, t = _batched(x, target)
    out = _apply_indices(_NegativeLogLikelihood, x, t, w, (ignore_index, in_range), reduction)
    out = out if out.dtype == input.dtype else out.to(input.dtype)
    return out.squeeze(0) if reduction == "none" and input.dim() == 1 else out


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy`; mirrors :class:`torch.nn.CrossEntropyLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import CrossEntropyLoss
        >>> CrossEntropyLoss(label_smoothing=0.1)(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))
        tensor(0.3365)
    """

    def __init__(
        self,
        weight: torch.Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        check_number("CrossEntropyLoss", "label_smoothing", label_smoothing, low=0.0, high=1.0)
        super().__init__(reduction, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_Loss):
    """Module form of :func:`nll_loss`; mirrors :class:`torch.nn.NLLLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import NLLLoss
        >>> NLLLoss(reduction="sum")(torch.tensor([[-0.1, -2.5, -3.0]]), torch.tensor([1]))
        tensor(2.5000)
    """

    def __init__(self, weight: torch.Tensor | None = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction, weight=weight, ignore_index=ignore_index, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)
