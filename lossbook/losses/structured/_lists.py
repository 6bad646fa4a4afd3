"""The argument checks the ranking losses share (``pairwise_ranking.py``, ``listwise_ranking.py``)."""

from __future__ import annotations

import torch

from lossbook.losses._validation import check_same_device, check_tensor, device_assert, shape_str, values_checked


def check_lists(fn: str, scores, relevance, mask) -> None:
    """Ranking arguments: scores ``(N, L)``, relevance of that shape (real, >= 0 at the real items), an optional bool mask of that shape.

    The relevance check is a value check: a ``ValueError`` on CPU tensors, a device-side assert
    elsewhere, nothing while ``torch.compile`` traces (see ``_validation.py``).
    """
    check_tensor(fn, "scores", scores)
    if scores.dim() != 2 or scores.shape[1] == 0:
        raise ValueError(f"{fn}: scores must have shape (N, L), N lists of L >= 1 items, got shape {shape_str(scores)}")
    check_tensor(fn, "relevance", relevance, floating=False)
    if relevance.dtype == torch.bool or relevance.is_complex():
        raise TypeError(f"{fn}: relevance must be a real (integer or floating-point) tensor of grades, got dtype {relevance.dtype}")
    if relevance.shape != scores.shape:
        raise ValueError(f"{fn}: relevance shape {shape_str(relevance)} does not match scores shape {shape_str(scores)}")
    check_same_device(fn, "relevance", relevance, scores)
    if mask is not None:
        check_tensor(fn, "mask", mask, floating=False)
        if mask.dtype != torch.bool:
            raise TypeError(f"{fn}: mask must be a boolean tensor (True at the real items), got dtype {mask.dtype}")
        if mask.shape != scores.shape:
            raise ValueError(f"{fn}: mask shape {shape_str(mask)} does not match scores shape {shape_str(scores)}")
        check_same_device(fn, "mask", mask, scores)
    if not values_checked(relevance):
        return
    r = relevance.detach()
    lo = (r if mask is None else r * mask).amin()  # padded entries count as 0
    if relevance.device.type != "cpu":
        device_assert(lo >= 0, f"{fn}: relevance must be >= 0 at the real items")
        return
    if not lo.item() >= 0:  # False for NaN
        raise ValueError(f"{fn}: relevance must be >= 0 at the real items (graded relevance), got {lo.item():.4g}")
