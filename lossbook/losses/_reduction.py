"""Reductions: the one place where ``'none' | 'mean' | 'sum'`` (and ``kl_div``'s ``'batchmean'``) is defined.

A loss's ``torch.autograd.Function`` reduces inside its ``forward`` with :func:`reduce`,
so that ``'mean'`` and ``'sum'`` keep no per-element loss tensor, and its ``backward``
multiplies the chapter's per-element gradient by :func:`grad_scale`: the derivative of
the reduction with respect to each element's loss,

- ``'none'``: the upstream gradient itself, one value per element;
- ``'sum'``: the upstream gradient (a scalar), so 1 per element;
- ``'mean'``: the upstream gradient divided by the denominator :math:`n` (the number of
  elements), or :math:`w_i / \\sum_j w_j` with a weight;
- ``'batchmean'``: the upstream gradient divided by the size of the first dimension.

A weight multiplies both. The value and its gradient are defined side by side here and
nowhere else; ``tests/test_reduction.py`` checks that each scale is autograd's derivative
of its value.
"""

from __future__ import annotations

import torch

from lossbook.losses._validation import REDUCTIONS, check_reduction

__all__ = ["REDUCTIONS", "check_reduction", "grad_scale", "pair_grads", "reduce", "scale_grads", "upcast"]


def _denominator(loss_shape: torch.Size, reduction: str, weight, denominator):
    """What ``'mean'`` or ``'batchmean'`` divides the (weighted) sum by: a number or a 0-d tensor."""
    if reduction == "batchmean":
        return loss_shape[0] if len(loss_shape) > 0 else 1
    if denominator is not None:
        return denominator
    return weight.sum() if weight is not None else loss_shape.numel()


def reduce(
    loss: torch.Tensor,
    reduction: str,
    *,
    weight: torch.Tensor | None = None,
    denominator: torch.Tensor | float | None = None,
    dtype: torch.dtype | None = None,
    fn: str | None = None,
    allowed: tuple[str, ...] = REDUCTIONS,
) -> torch.Tensor:
    """The value of a reduction of an element-wise loss.

    Inside a Function's ``forward`` it is called with the first four arguments only. Outside a
    Function (autograd then differentiates it), ``fn`` checks ``reduction`` against ``allowed``
    and ``dtype`` casts the result.

    Args:
        loss: the element-wise loss (inside a Function's ``forward``, a tensor it owns).
        reduction: ``'none'`` returns the (weighted) element-wise loss, ``'sum'`` its sum,
            ``'mean'`` the sum divided by the number of elements, or by ``sum(weight)`` when a
            ``weight`` is given (the weighted mean, as in PyTorch); ``'batchmean'`` divides the
            sum by the size of the first dimension, as ``kl_div`` does (the sum for a 0-d loss).
        weight: optional element-wise weight, broadcastable to ``loss``.
        denominator: for ``'mean'``, a divisor other than the default: ``huber_loss`` divides
            a weighted sum by the number of elements, ``cross_entropy`` by the summed class
            weights of the targets that are not ignored.
        dtype: the dtype to return (the input's, when a float16/bfloat16 loss was computed in float32).
        fn: the calling function's name, for the error message of a bad ``reduction``.
        allowed: the reductions the calling loss accepts.
    """
    if fn is not None:
        check_reduction(fn, reduction, allowed)
    if weight is not None:
        loss = loss * weight
    if reduction != "none":
        total = loss.sum()
        loss = total if reduction == "sum" else total / _denominator(loss.shape, reduction, weight, denominator)
    return loss if dtype is None else loss.to(dtype)


def grad_scale(
    grad_output: torch.Tensor,
    reduction: str,
    loss_shape: torch.Size,
    *,
    weight: torch.Tensor | None = None,
    denominator: torch.Tensor | float | None = None,
    factor: float = 1.0,
) -> torch.Tensor:
    """The derivative of :func:`reduce` with respect to each element's loss, times ``grad_output``.

    The ``backward`` of a Function that reduced with :func:`reduce` multiplies its
    per-element gradient by this (in place, on a tensor it owns): a 0-d tensor for ``'sum'``
    and ``'mean'`` without a weight, else a tensor that broadcasts to ``loss_shape``.
    ``factor`` is a constant of the per-element gradient folded into the scale (the 2 of
    ``2 (x - y)``), so that the backward makes one pass over the elements instead of two.
    Same arguments as :func:`reduce`, plus ``loss_shape``, the shape of the element-wise loss.
    """
    scale = grad_output
    if reduction in ("mean", "batchmean"):
        scale = scale / _denominator(loss_shape, reduction, weight, denominator)
    if factor != 1.0:
        scale = scale * factor
    if weight is not None:
        scale = scale * weight
    return scale


def pair_grads(needs_input_grad: tuple[bool, ...], grad: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """The gradients of a loss of the residual ``r = x - y``: ``grad`` for the input, ``-grad`` for the target.

    ``grad`` is a tensor the backward owns; it is negated in place when only the target needs it.
    """
    want_input, want_target = needs_input_grad[0], needs_input_grad[1]
    if not want_target:
        return (grad if want_input else None), None
    return (grad, -grad) if want_input else (None, grad.neg_())


def scale_grads(scale: torch.Tensor, *grads: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """Gradients that a Function's forward computed and saved, times the reduction's :func:`grad_scale` (``None`` stays ``None``)."""
    return tuple(None if g is None else g * scale for g in grads)


def upcast(*tensors: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """Compute half-precision losses in float32 (the caller casts the result back to the input's dtype)."""
    return tuple(t.float() if t is not None and t.dtype in (torch.float16, torch.bfloat16) else t for t in tensors)
