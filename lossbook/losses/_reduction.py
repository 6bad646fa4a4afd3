"""Reduction of element-wise losses: the one place where ``'none' | 'mean' | 'sum'`` (and ``kl_div``'s ``'batchmean'``) is applied.

The hand-derived ``backward`` of every loss is the per-element gradient of its chapter;
the reduction (and an optional weight) is applied here, outside the ``autograd.Function``,
and differentiated by autograd.
"""

from __future__ import annotations

import torch

from lossbook.losses._validation import REDUCTIONS, check_reduction


def reduce(
    loss: torch.Tensor,
    reduction: str,
    *,
    weight: torch.Tensor | None = None,
    denominator: torch.Tensor | None = None,
    dtype: torch.dtype | None = None,
    fn: str = "loss",
    allowed: tuple[str, ...] = REDUCTIONS,
) -> torch.Tensor:
    """Weight, reduce and cast an element-wise loss.

    Args:
        loss: the element-wise loss.
        reduction: ``'none'`` returns the (weighted) element-wise loss, ``'sum'`` its sum,
            ``'mean'`` its mean; with a ``weight``, the mean is the weighted mean
            ``sum(w * loss) / sum(w)``, as in PyTorch. ``'batchmean'`` (for the losses that
            allow it) divides the sum by the size of the first dimension, as ``kl_div`` does
            (the sum itself for a 0-d loss).
        weight: optional element-wise weight of the same shape as ``loss``.
        denominator: optional divisor of the sum for ``'mean'``, for losses whose mean is
            not over the elements of ``loss``: ``cross_entropy`` divides by the sum of the
            class weights of the targets that are not ignored.
        dtype: the dtype to return (the input's, when the loss was computed in float32
            for a float16/bfloat16 input).
        fn: the calling function's name, for error messages.
        allowed: the reductions the calling loss accepts.
    """
    check_reduction(fn, reduction, allowed)
    if weight is not None:
        loss = loss * weight
    if reduction == "sum":
        loss = loss.sum()
    elif reduction == "batchmean":
        loss = loss.sum() / loss.shape[0] if loss.dim() > 0 else loss.sum()
    elif reduction == "mean":
        if denominator is not None:
            loss = loss.sum() / denominator
        else:
            loss = loss.sum() / weight.sum() if weight is not None else loss.mean()
    return loss if dtype is None else loss.to(dtype)


def upcast(*tensors: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """Compute half-precision losses in float32 (the result is cast back by :func:`reduce`)."""
    return tuple(
        t.float() if t is not None and t.dtype in (torch.float16, torch.bfloat16) else t for t in tensors
    )
