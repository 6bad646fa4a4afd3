"""Evaluation metrics the chapters report next to the loss they train.

We train on a loss and report a metric (DESIGN.md; ``book/foundations/what-is-a-loss``):
these functions take predictions and targets as tensors and return Python floats.
Classification metrics take *scores* (logits or probabilities): for binary problems a
tensor of shape ``(n,)`` or ``(n, 1)`` for the positive class, for ``K`` classes a tensor
of shape ``(n, K)``.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "accuracy",
    "alignment",
    "average_precision",
    "ctc_greedy_decode",
    "edit_distance",
    "expected_calibration_error",
    "iou",
    "ndcg",
    "precision",
    "predicted_class",
    "recall",
    "recall_at_k",
    "reliability",
    "uniformity",
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


def iou(
    prediction: torch.Tensor,
    target: torch.Tensor,
    *,
    n_classes: int | None = None,
    threshold: float = 0.0,
    per_image: bool = False,
) -> list[float]:
    r"""Intersection over union (Jaccard index) of a segmentation, one number per class.

    .. math:: \operatorname{IoU}_c = \frac{|P_c \cap T_c|}{|P_c \cup T_c|}

    where :math:`P_c` and :math:`T_c` are the pixels predicted as and labelled with class
    :math:`c`. Chapters: ``book/segmentation/`` (Dice, Tversky, Lovász).

    Args:
        prediction: class scores (logits or probabilities) ``(N, C, *spatial)`` with
            ``C >= 2``, whose argmax over dimension 1 is the predicted class (``n_classes`` is
            ``C``); or binary scores ``(N, 1, *spatial)``, or a float tensor of the target's
            shape, where a pixel is predicted as class 1 if its score is ``> threshold`` (0
            for logits, 0.5 for probabilities; ``n_classes`` is 2); or predicted class
            indices, an integer tensor of the target's shape.
        target: class indices, an integer tensor ``(N, *spatial)``, values in ``[0, n_classes)``.
        n_classes: the number of classes; needed only for integer predictions (by default
            the largest index in prediction or target, plus one, and at least 2).
        threshold: the score threshold of binary scores.
        per_image: ``False`` pools the pixels of all images into one intersection and one
            union per class; ``True`` computes each image's IoU and averages over the images
            where the class is predicted or present (its union is not empty).

    Returns:
        A list of ``n_classes`` Python floats, class 0 (the background) first. A class whose
        union is empty (absent from target and prediction, in every image for
        ``per_image=True``) gets ``nan``: there is nothing to score.
    """
    fn = "iou"
    if not isinstance(prediction, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError(f"{fn}: prediction and target must be tensors, got {type(prediction).__name__} and {type(target).__name__}")
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise TypeError(f"{fn}: target must be an integer tensor of class indices, got dtype {target.dtype}")
    pred, target = prediction.detach(), target.detach()
    if pred.is_floating_point():
        if pred.shape == target.shape:
            labels, k = (pred > threshold).long(), 2
        elif pred.dim() == target.dim() + 1 and pred.shape[:1] + pred.shape[2:] == target.shape:
            k = pred.shape[1]
            labels = (pred[:, 0] > threshold).long() if k == 1 else pred.argmax(dim=1)
            k = max(k, 2)
        else:
            raise ValueError(
                f"{fn}: prediction shape {tuple(pred.shape)} does not fit target shape {tuple(target.shape)}: "
                "expected scores (N, C, *spatial) or binary scores of the target's shape"
            )
        if n_classes is not None and n_classes != k:
            raise ValueError(f"{fn}: n_classes={n_classes} does not match the {k} classes of the scores")
    elif pred.dtype == torch.bool or pred.is_complex():
        raise TypeError(f"{fn}: prediction must be floating-point scores or integer class indices, got dtype {pred.dtype}")
    else:
        if pred.shape != target.shape:
            raise ValueError(f"{fn}: prediction shape {tuple(pred.shape)} does not match target shape {tuple(target.shape)}")
        labels = pred
        k = n_classes if n_classes is not None else max(int(pred.max()) + 1 if pred.numel() else 0, int(target.max()) + 1 if target.numel() else 0, 2)
    if target.numel() and (target.min() < 0 or target.max() >= k):
        raise ValueError(f"{fn}: target holds class indices outside [0, {k})")
    if labels.numel() and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"{fn}: prediction holds class indices outside [0, {k})")
    n = target.shape[0] if target.dim() > 0 else 1
    labels, target = labels.reshape(n, -1), target.reshape(n, -1)
    classes = torch.arange(k, device=target.device).view(1, k, 1)
    p, t = labels.unsqueeze(1) == classes, target.unsqueeze(1) == classes  # (N, K, S)
    inter, union = (p & t).sum(-1).double(), (p | t).sum(-1).double()  # (N, K)
    if per_image:
        valid = union > 0
        per = torch.where(valid, inter / union.clamp_min(1), 0.0)
        count = valid.sum(0)
        values = torch.where(count > 0, per.sum(0) / count.clamp_min(1), float("nan"))
    else:
        inter, union = inter.sum(0), union.sum(0)
        values = torch.where(union > 0, inter / union.clamp_min(1), float("nan"))
    return values.tolist()


def recall_at_k(embeddings: torch.Tensor, labels: torch.Tensor, *, k: int = 1, p: float = 2.0) -> float:
    """Recall@k of a labelled set of embeddings, each one queried against all the others.

    The fraction of the points for which at least one of their ``k`` nearest neighbours (by
    the :math:`L_p` distance, the point itself excluded) has the same label: the retrieval
    metric of metric learning (recall@1 is the accuracy of a leave-one-out 1-nearest-neighbour
    classifier). Ties in distance are broken in :func:`torch.topk`'s order. A point whose
    class has no other member cannot be retrieved and counts as a miss.

    Args:
        embeddings: ``(n, D)`` floating-point embeddings.
        labels: ``(n,)`` integer class labels.
        k: the number of neighbours, ``1 <= k < n``.
        p: the degree of the distance (``torch.cdist``'s ``p``), 2 for the Euclidean.

    Returns:
        Recall@k in [0, 1].

    Example:
        >>> import torch
        >>> x = torch.tensor([[0.0], [0.1], [1.0], [1.2], [5.0]])
        >>> recall_at_k(x, torch.tensor([0, 0, 1, 1, 0]))  # the point at 5 has a class-1 neighbour
        0.8

    Chapter: ``book/representation/triplet.ipynb``.
    """
    fn = "recall_at_k"
    if not isinstance(embeddings, torch.Tensor) or not isinstance(labels, torch.Tensor):
        raise TypeError(f"{fn}: embeddings and labels must be tensors, got {type(embeddings).__name__} and {type(labels).__name__}")
    if embeddings.shape[:1] != labels.shape[:1]:
        raise ValueError(f"{fn}: labels shape {tuple(labels.shape)} does not match embeddings shape {tuple(embeddings.shape)} in its first dimension")
    if embeddings.dim() != 2 or not embeddings.is_floating_point():
        raise ValueError(f"{fn}: embeddings must be a floating-point tensor of shape (n, D), got {embeddings.dtype} of shape {tuple(embeddings.shape)}")
    if labels.dim() != 1 or labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(f"{fn}: labels must be an integer tensor of shape (n,), got {labels.dtype} of shape {tuple(labels.shape)}")
    n = embeddings.shape[0]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k < n:
        raise ValueError(f"{fn}: k must be an int in [1, n) with n = {n} points, got {k!r}")
    x = embeddings.detach().double()
    distances = torch.cdist(x, x, p=p)
    distances.fill_diagonal_(float("inf"))  # a point is not its own neighbour
    neighbours = distances.topk(k, dim=1, largest=False).indices
    labels = labels.detach()
    return (labels[neighbours] == labels[:, None]).any(dim=1).double().mean().item()



def _check_embedding_batch(fn: str, name: str, z) -> None:
    if not isinstance(z, torch.Tensor) or not z.is_floating_point() or z.dim() != 2 or z.shape[0] < 1:
        got = f"shape {tuple(z.shape)}, dtype {z.dtype}" if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"{fn}: {name} must be a floating-point tensor of shape (n, D) with n >= 1, got {got}")


def alignment(z1: torch.Tensor, z2: torch.Tensor, *, alpha: float = 2.0) -> float:
    r"""Wang and Isola's (2020) alignment of positive pairs: :math:`\mathbb{E}\,\lVert f(x) - f(x^+) \rVert_2^\alpha`, lower is better.

    Rows ``z1[i]`` and ``z2[i]`` are the embeddings of a positive pair, L2-normalised here
    (as the paper's :math:`f` maps to the unit sphere); 0 when every pair coincides, at most
    :math:`2^\alpha`. Chapter: ``book/representation/contrastive.ipynb``.
    """
    fn = "alignment"
    _check_embedding_batch(fn, "z1", z1)
    _check_embedding_batch(fn, "z2", z2)
    if z1.shape != z2.shape:
        raise ValueError(f"{fn}: z2 shape {tuple(z2.shape)} does not match z1 shape {tuple(z1.shape)}")
    if not alpha > 0:
        raise ValueError(f"{fn}: alpha must be > 0, got {alpha!r}")
    u, v = (torch.nn.functional.normalize(z.detach().double(), dim=1) for z in (z1, z2))
    return (u - v).norm(dim=1).pow(alpha).mean().item()


def uniformity(z: torch.Tensor, *, t: float = 2.0) -> float:
    r"""Wang and Isola's (2020) uniformity: :math:`\log \mathbb{E}_{i \ne j}\, e^{-t \lVert f(x_i) - f(x_j) \rVert_2^2}`, lower is more uniform.

    Over all pairs of distinct rows of ``z`` (L2-normalised here). It is 0 when every embedding is
    the same point, and its smallest value on the sphere :math:`S^{D-1}` is reached by the uniform
    distribution (for :math:`D = 2` and :math:`t = 2`, :math:`-4 + \log I_0(4) \approx -1.575` in the limit
    of many points). Chapter: ``book/representation/contrastive.ipynb``.
    """
    fn = "uniformity"
    _check_embedding_batch(fn, "z", z)
    if z.shape[0] < 2:
        raise ValueError(f"{fn}: z must have at least 2 rows, got {z.shape[0]}")
    if not t > 0:
        raise ValueError(f"{fn}: t must be > 0, got {t!r}")
    u = torch.nn.functional.normalize(z.detach().double(), dim=1)
    sq = torch.pdist(u).pow(2)  # the n (n - 1) / 2 distinct pairs
    return (torch.logsumexp(-t * sq, dim=0) - math.log(sq.numel())).item()


# --- sequences: book/structured/ctc.ipynb ---


def ctc_greedy_decode(log_probs: torch.Tensor, input_lengths=None, *, blank: int = 0) -> list[list[int]]:
    """Best-path decoding of CTC outputs: the most likely class of each frame, repeats merged, then blanks removed.

    The label of the single most likely path, which is not always the most likely label (that
    needs a beam search), but is the usual quick read-out. Used in ``book/structured/ctc.ipynb``.

    Args:
        log_probs: ``(T, N, C)`` frame scores, as :func:`lossbook.losses.ctc_loss` takes them
            (any monotone transform of the probabilities gives the same argmax).
        input_lengths: frames to read of each sequence, ``(N,)`` (a tensor or a sequence of ints);
            all ``T`` frames if ``None``.
        blank: the blank's class index.

    Returns:
        One list of class indices per sequence.
    """
    fn = "ctc_greedy_decode"
    if not isinstance(log_probs, torch.Tensor) or log_probs.dim() != 3:
        raise ValueError(f"{fn}: log_probs must be a tensor of shape (T, N, C)")
    steps, n, n_classes = log_probs.shape
    if not 0 <= blank < n_classes:
        raise ValueError(f"{fn}: blank must be in [0, {n_classes}), got {blank}")
    lengths = [steps] * n if input_lengths is None else [int(v) for v in input_lengths]
    if len(lengths) != n or any(not 0 <= v <= steps for v in lengths):
        raise ValueError(f"{fn}: input_lengths must hold {n} values in [0, {steps}]")
    best = log_probs.detach().argmax(dim=2).t().cpu().tolist()  # (N, T)
    out = []
    for path, length in zip(best, lengths):
        labels, previous = [], None
        for k in path[:length]:
            if k != previous and k != blank:
                labels.append(k)
            previous = k
        out.append(labels)
    return out


def edit_distance(a, b) -> int:
    """Levenshtein distance between two sequences: the fewest insertions, deletions and substitutions turning ``a`` into ``b``.

    Divided by the length of the reference, summed over a data set, it is the label (or
    character, or word) error rate of sequence recognition. Used in ``book/structured/ctc.ipynb``.
    """
    a, b = list(a), list(b)
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


# --- rankings: book/structured/pairwise-ranking.ipynb, listwise-ranking.ipynb ---


def ndcg(scores: torch.Tensor, relevance: torch.Tensor, *, k: int | None = None, mask: torch.Tensor | None = None) -> float:
    r"""Mean normalised discounted cumulative gain (NDCG@k) of ranked lists.

    Each list's items are ranked by decreasing score; the item at rank :math:`r` (from 1)
    with relevance :math:`y` adds the gain :math:`2^{y} - 1` discounted by :math:`\log_2(r + 1)`:

    .. math:: \operatorname{DCG@k} = \sum_{r=1}^{k} \frac{2^{y_{(r)}} - 1}{\log_2(r + 1)},
        \qquad \operatorname{NDCG@k} = \frac{\operatorname{DCG@k}}{\operatorname{IDCG@k}},

    where IDCG@k is the DCG@k of the list sorted by relevance (the best possible), so a list's
    NDCG is in [0, 1]. **Ties** in scores are broken by position: of two items with equal
    scores the one earlier in the list (smaller index) is ranked first (a stable sort).
    Masked items (``mask`` False) are left out: they are ranked after every real item and
    have no gain. A list with **no relevant item** (IDCG = 0: every real item has relevance
    0) has no defined NDCG and is left out of the mean; if no list has a relevant item the
    result is ``nan``. This is allRank's ``ndcg(..., filler_value=...)`` with the filler lists
    dropped rather than filled, and the usual (Järvelin and Kekäläinen; Burges et al.) form.

    Args:
        scores: ``(N, L)`` floating-point scores of N lists of L items (higher ranks first).
        relevance: ``(N, L)`` graded relevance, >= 0.
        k: the cutoff (an int >= 1), or None for the whole list.
        mask: optional boolean ``(N, L)``, True for real items.

    Returns:
        The mean NDCG@k over the lists with a relevant item, a float.

    Example:
        >>> import torch
        >>> # DCG = 0 + 3/log2(3) + 1/2, IDCG = 3 + 1/log2(3)
        >>> round(ndcg(torch.tensor([[3.0, 2.0, 1.0]]), torch.tensor([[0.0, 2.0, 1.0]])), 4)
        0.659
    """
    fn = "ndcg"
    if not isinstance(scores, torch.Tensor) or not isinstance(relevance, torch.Tensor):
        raise TypeError(f"{fn}: scores and relevance must be tensors, got {type(scores).__name__} and {type(relevance).__name__}")
    if scores.dim() != 2 or not scores.is_floating_point():
        raise ValueError(f"{fn}: scores must be a floating-point tensor of shape (N, L), got {scores.dtype} of shape {tuple(scores.shape)}")
    if relevance.shape != scores.shape:
        raise ValueError(f"{fn}: relevance shape {tuple(relevance.shape)} does not match scores shape {tuple(scores.shape)}")
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError(f"{fn}: mask must be a boolean tensor, got {getattr(mask, 'dtype', type(mask).__name__)}")
        if mask.shape != scores.shape:
            raise ValueError(f"{fn}: mask shape {tuple(mask.shape)} does not match scores shape {tuple(scores.shape)}")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise ValueError(f"{fn}: k must be None or an int >= 1, got {k!r}")
    s = scores.detach().double()
    rel = relevance.detach().double()
    if bool((rel < 0).any()):
        raise ValueError(f"{fn}: relevance must be >= 0, got a minimum of {rel.min().item():g}")
    gains = torch.pow(2.0, rel) - 1
    if mask is not None:
        gains = gains * mask
        s = s.masked_fill(~mask, -math.inf)
    n_items = s.shape[1]
    cut = n_items if k is None else min(k, n_items)
    discounts = 1.0 / torch.log2(torch.arange(2, cut + 2, dtype=torch.float64, device=s.device))
    order = torch.argsort(s, dim=1, descending=True, stable=True)[:, :cut]
    dcg = (gains.gather(1, order) * discounts).sum(1)
    idcg = (gains.sort(dim=1, descending=True).values[:, :cut] * discounts).sum(1)
    has = idcg > 0
    if not bool(has.any()):
        return math.nan
    return (dcg[has] / idcg[has]).mean().item()
