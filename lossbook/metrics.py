"""Evaluation metrics the chapters report next to the loss they train.

We train on a loss and report a metric (DESIGN.md; ``book/foundations/what-is-a-loss``):
these functions take predictions and targets as tensors and return Python floats.
Classification metrics take *scores* (logits or probabilities): for binary problems a
tensor of shape ``(n,)`` or ``(n, 1)`` for the positive class, for ``K`` classes a tensor
of shape ``(n, K)``.
"""

from __future__ import annotations

import torch

__all__ = [
    "accuracy",
    "average_precision",
    "expected_calibration_error",
    "precision",
    "predicted_class",
    "recall",
    "reliability",
]


def __dir__() -> list[str]:
    return sorted(__all__)


def _check_first_dim(fn: str, scores: torch.Tensor, target: torch.Tensor) -> None:
    if not isinstance(scores, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError(f"{fn}: scores and target must be tensors, got {type(scores).__name__} and {type(target).__name__}")
    if scores.shape[:1] != target.shape[:1]:
        raise ValueError(f"{fn}: target shape {tuple(target.shape)} does not match scores shape {tuple(scores.shape)} in its first dimension")


def _binary(fn: str, scores: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    _check_first_dim(fn, scores, target)
    scores, target = scores.detach().reshape(len(scores), -1), target.detach().reshape(-1)
    if scores.shape[1] != 1:
        raise ValueError(f"{fn}: binary scores must have shape (n,) or (n, 1), got {tuple(scores.shape)}")
    if not torch.isin(target, torch.tensor([0, 1], device=target.device)).all():
        raise ValueError(f"{fn}: target must hold 0 and 1 only")
    return scores.reshape(-1).float(), target.long()


def predicted_class(scores: torch.Tensor, *, threshold: float = 0.0) -> torch.Tensor:
    """Argmax for ``(n, K)`` scores; ``score > threshold`` for binary scores (logits: 0)."""
    if scores.dim() == 2 and scores.shape[1] > 1:
        return scores.argmax(dim=1)
    return (scores.reshape(-1) > threshold).long()


def accuracy(scores: torch.Tensor, target: torch.Tensor, *, threshold: float = 0.0) -> float:
    """Fraction of examples whose predicted class (see :func:`predicted_class`) is the target."""
    _check_first_dim("accuracy", scores, target)
    return (predicted_class(scores.detach(), threshold=threshold) == target.detach().reshape(-1)).float().mean().item()


def recall(scores: torch.Tensor, target: torch.Tensor, *, positive: int = 1, threshold: float = 0.0) -> float:
    """Fraction of the examples of class ``positive`` that are predicted as that class."""
    _check_first_dim("recall", scores, target)
    target = target.detach().reshape(-1)
    mask = target == positive
    if not mask.any():
        raise ValueError(f"recall: target holds no example of class {positive}")
    return (predicted_class(scores.detach(), threshold=threshold)[mask] == positive).float().mean().item()


def precision(scores: torch.Tensor, target: torch.Tensor, *, positive: int = 1, threshold: float = 0.0) -> float:
    """Fraction of the examples predicted as ``positive`` that are of that class (0 if none is predicted)."""
    _check_first_dim("precision", scores, target)
    predicted = predicted_class(scores.detach(), threshold=threshold) == positive
    if not predicted.any():
        return 0.0
    return (target.detach().reshape(-1)[predicted] == positive).float().mean().item()


def average_precision(scores: torch.Tensor, target: torch.Tensor) -> float:
    r"""Area under the precision-recall curve of binary scores (higher score = more positive).

    .. math:: \operatorname{AP} = \sum_k (R_k - R_{k-1}) P_k

    over the examples sorted by decreasing score, where :math:`P_k` and :math:`R_k` are the
    precision and recall of the top :math:`k` (the step-wise definition scikit-learn uses;
    tied scores are ranked in input order). A random ranking scores the positive rate.
    """
    scores, target = _binary("average_precision", scores, target)
    if target.sum() == 0:
        raise ValueError("average_precision: target holds no positive example")
    order = torch.argsort(scores, descending=True, stable=True)
    hits = target[order].double()
    tp = hits.cumsum(0)
    precision_at_k = tp / torch.arange(1, len(hits) + 1, dtype=torch.float64, device=hits.device)
    return (precision_at_k * hits).sum().item() / hits.sum().item()


def expected_calibration_error(probabilities: torch.Tensor, target: torch.Tensor, *, bins: int = 15) -> float:
    r"""Expected calibration error of ``(n, K)`` class probabilities.

    Examples are grouped into ``bins`` equal-width bins of confidence (the largest
    probability); ECE is the average over bins of ``|accuracy - confidence|``, weighted by
    the fraction of examples in the bin (Guo et al., 2017).
    """
    _check_first_dim("expected_calibration_error", probabilities, target)
    confidence, accurate = _confidence("expected_calibration_error", probabilities, target)
    edges = torch.linspace(0, 1, bins + 1, dtype=confidence.dtype, device=confidence.device)
    which = torch.bucketize(confidence, edges[1:-1], right=True)
    ece = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            ece += in_bin.float().mean().item() * abs(accurate[in_bin].mean().item() - confidence[in_bin].mean().item())
    return ece


def reliability(probabilities: torch.Tensor, target: torch.Tensor, *, bins: int = 10) -> tuple[list[float], list[float], list[int]]:
    """Per-bin mean confidence, accuracy and count (for a reliability diagram); empty bins are left out."""
    _check_first_dim("reliability", probabilities, target)
    confidence, accurate = _confidence("reliability", probabilities, target)
    edges = torch.linspace(0, 1, bins + 1, dtype=confidence.dtype, device=confidence.device)
    which = torch.bucketize(confidence, edges[1:-1], right=True)
    conf, acc, count = [], [], []
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            conf.append(confidence[in_bin].mean().item())
            acc.append(accurate[in_bin].mean().item())
            count.append(int(in_bin.sum()))
    return conf, acc, count


def _confidence(fn: str, probabilities: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    p = probabilities.detach()
    if p.dim() != 2:
        raise ValueError(f"{fn}: probabilities must have shape (n, K), got {tuple(p.shape)}")
    if (p < 0).any() or (p > 1).any() or not torch.allclose(p.sum(dim=1), torch.ones(len(p), dtype=p.dtype, device=p.device), atol=1e-4):
        raise ValueError(f"{fn}: probabilities must be in [0, 1] and sum to 1 over each row (apply softmax to logits)")
    confidence, predicted = p.max(dim=1)
    return confidence.double(), (predicted == target.detach().reshape(-1)).double()
