"""Registry entries of Part V, representation learning (``lossbook/losses/representation/``, ``book/representation/``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase, reduce_reference

# --- pairwise.ipynb ---

PAIRWISE: tuple[LossCase, ...] = ()


# --- triplet.ipynb ---

def _triplets(shape=(6, 5)):
    """Anchors, positives near them and negatives at mixed distances: active and inactive triplets, none at the kink."""

    def inputs(dtype, device, g):
        a = torch.randn(shape, generator=g, dtype=torch.float64)
        pos = a + 0.5 * torch.randn(shape, generator=g, dtype=torch.float64)
        spread = torch.linspace(0.3, 2.0, shape[0], dtype=torch.float64).reshape((-1,) + (1,) * (len(shape) - 1))
        neg = a + spread * torch.randn(shape, generator=g, dtype=torch.float64)
        return tuple(t.to(dtype=dtype, device=device) for t in (a, pos, neg))

    return inputs


def _triplet_extreme(dtype, device):
    # components of +-1e4, all-equal embeddings (the collapsed state) and zero vectors
    a = torch.tensor([[1e4, -1e4, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1e4, 1e4, 1e4]], dtype=dtype, device=device)
    pos = torch.tensor([[-1e4, 1e4, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1e4, 1e4, 1e4]], dtype=dtype, device=device)
    neg = torch.tensor([[1e4, 1e4, -1e4], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [-1e4, -1e4, -1e4]], dtype=dtype, device=device)
    return a, pos, neg


def _cosine_distance(x, y):
    return 1 - F.cosine_similarity(x, y, dim=-1)


def _triplet_bad(fn):
    """The errors both triplet losses share."""
    three = lambda *shapes: tuple(torch.zeros(s) for s in shapes)  # noqa: E731
    return (
        BadInput(lambda: three((4, 3), (4, 3), (4, 2)), {}, ValueError, rf"{fn}: negative shape \(4, 2\) does not match anchor shape \(4, 3\)"),
        BadInput(lambda: three((4, 3), (1, 3), (4, 3)), {}, ValueError, rf"{fn}: positive shape \(1, 3\) does not match anchor shape"),
        BadInput(lambda: (torch.zeros(4, 3, dtype=torch.long),) + three((4, 3), (4, 3)), {}, TypeError, rf"{fn}: anchor must be a floating-point tensor"),
        BadInput(lambda: three((), (), ()), {}, ValueError, rf"{fn}: anchor must have at least one dimension"),
        BadInput(lambda: three((4, 3), (4, 3), (4, 3)), {"margin": 0.0}, ValueError, rf"{fn}: margin must be in \(0.0, inf\], got 0.0"),
        BadInput(lambda: three((4, 3), (4, 3), (4, 3)), {"margin": -1.0}, ValueError, rf"{fn}: margin must be in"),
        BadInput(lambda: three((4, 3), (4, 3), (4, 3)), {"swap": 1}, TypeError, rf"{fn}: swap must be a bool, got int"),
    )


TRIPLET: tuple[LossCase, ...] = (
    LossCase(
        fn=L.triplet_margin_loss,
        module=L.TripletMarginLoss,
        reference=F.triplet_margin_loss,
        inputs=_triplets(),
        options=({}, {"margin": 0.5, "p": 1.0, "swap": True}, {"p": 3.0, "eps": 0.0, "swap": True}),
        grad_args=(0, 1, 2),
        torch_op="nn.functional.triplet_margin_loss",
        extreme=_triplet_extreme,
        bad=_triplet_bad("triplet_margin_loss")
        + (
            BadInput(lambda: (torch.zeros(4, 3),) * 3, {"p": 0.0}, ValueError, r"triplet_margin_loss: p must be in \(0, inf\], the degree of a norm, got 0.0"),
            BadInput(lambda: (torch.zeros(4, 3),) * 3, {"eps": -1e-6}, ValueError, r"triplet_margin_loss: eps must be in \[0.0, inf\]"),
        ),
    ),
    LossCase(
        fn=L.triplet_margin_with_distance_loss,
        module=L.TripletMarginWithDistanceLoss,
        reference=F.triplet_margin_with_distance_loss,
        inputs=_triplets(),
        # a callable option is built from the arguments (materialize): these return the distance functions
        options=(
            {},
            {"distance_function": lambda args, g: _cosine_distance, "margin": 0.3, "swap": True},
            {"distance_function": lambda args, g: torch.nn.PairwiseDistance(p=1.0, eps=1e-3), "swap": True},
        ),
        grad_args=(0, 1, 2),
        torch_op="nn.functional.triplet_margin_with_distance_loss",
        extreme=_triplet_extreme,
        bad=_triplet_bad("triplet_margin_with_distance_loss")
        + (
            BadInput(
                lambda: (torch.zeros(4, 3),) * 3, {"distance_function": "euclidean"}, TypeError,
                r"triplet_margin_with_distance_loss: distance_function must be callable or None, got str",
            ),
            BadInput(
                lambda: (torch.zeros(4, 3),) * 3, {"distance_function": lambda x, y: (x - y).sum()}, ValueError,
                r"triplet_margin_with_distance_loss: the distances of distance_function must have one entry per triplet",
            ),
        ),
    ),
)


# --- contrastive.ipynb ---

def _info_nce_inputs(dtype, device, g):
    """``(query, key)``: two ``(6, 4)`` Gaussian embedding batches, not normalised (norms of about 2)."""
    q, k = (torch.randn((6, 4), generator=g, dtype=torch.float64) for _ in range(2))
    return q.to(dtype=dtype, device=device), (q + 0.8 * k).to(dtype=dtype, device=device)


def _info_nce_reference(query, key, *, temperature=0.07, symmetric=False, reduction="mean"):
    # SimCLR / CLIP with F.normalize and F.cross_entropy on the similarity matrix (positives on the diagonal)
    logits = F.normalize(query, dim=1) @ F.normalize(key, dim=1).T / temperature
    labels = torch.arange(query.shape[0], device=query.device)
    loss = F.cross_entropy(logits, labels, reduction="none")
    if symmetric:
        loss = (loss + F.cross_entropy(logits.T, labels, reduction="none")) / 2
    return reduce_reference(loss, reduction)


def _info_nce_extreme(dtype, device):
    # a zero vector, two equal rows, entries of 1e4 and of 1e-30: finite values and gradients
    q = torch.tensor([[0.0, 0.0, 0.0], [1e4, -1e4, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1e-30, 0.0, -1e-30]], dtype=dtype, device=device)
    k = torch.tensor([[1.0, 2.0, 3.0], [1e4, 1e4, 1e4], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1e4, 0.0, 1e4]], dtype=dtype, device=device)
    return q, k


def _supcon_inputs(dtype, device, g):
    """``(features (8, 4), labels (8,))``: classes of sizes 3, 2, 2 and 1 (the last anchor has no positive)."""
    f = torch.randn((8, 4), generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    labels = torch.tensor([0, 1, 0, 2, 1, 0, 2, 3])
    return f, labels[torch.randperm(8, generator=g)].to(device)


def _supcon_reference(features, labels, *, temperature=0.1, reduction="mean"):
    # Khosla et al.'s L_out written out: log-softmax over a != i, mean over P(i); 'mean' over anchors with a positive
    z = F.normalize(features, dim=1)
    n = z.shape[0]
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    logits = (z @ z.T / temperature).masked_fill(self_mask, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    positives = (labels[:, None] == labels[None, :]) & ~self_mask
    count = positives.sum(1)
    loss = -torch.where(positives, log_prob, 0.0).sum(1) / count.clamp_min(1)
    if reduction == "mean":
        return loss.sum() / (count > 0).sum().clamp_min(1)
    return reduce_reference(loss, reduction)


def _supcon_extreme(dtype, device):
    # a zero vector, equal rows, entries of 1e4; one label without a positive
    f = torch.tensor([[0.0, 0.0, 0.0], [1e4, -1e4, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1e4, 1e4, 1e4], [1e-30, 0.0, 0.0]], dtype=dtype, device=device)
    return f, torch.tensor([0, 0, 1, 1, 0, 2], device=device)


CONTRASTIVE: tuple[LossCase, ...] = (
    LossCase(
        fn=L.info_nce_loss,
        module=L.InfoNCELoss,
        reference=_info_nce_reference,
        inputs=_info_nce_inputs,
        # the default 0.07 multiplies float32 rounding by 14: tests/test_contrastive.py checks it in float64
        options=({"temperature": 0.2}, {"temperature": 0.5, "symmetric": True}),
        extreme=_info_nce_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(5, 3)), {}, ValueError, r"info_nce_loss: key shape \(5, 3\) does not match input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(4), torch.zeros(4)), {}, ValueError, r"info_nce_loss: query must have shape \(N, D\) with N >= 1 and D >= 1, got shape \(4,\)"),
            BadInput(lambda: (torch.zeros(4, 3, dtype=torch.long), torch.zeros(4, 3)), {}, TypeError, r"info_nce_loss: query must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3, dtype=torch.long)), {}, TypeError, r"info_nce_loss: key must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"temperature": 0.0}, ValueError, r"info_nce_loss: temperature must be in \(0.0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"temperature": -0.1}, ValueError, r"info_nce_loss: temperature must be in \(0.0, inf\), got -0.1"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3)), {"symmetric": 1}, TypeError, r"info_nce_loss: symmetric must be a bool, got int"),
        ),
    ),
    LossCase(
        fn=L.supcon_loss,
        module=L.SupConLoss,
        reference=_supcon_reference,
        inputs=_supcon_inputs,
        options=({}, {"temperature": 0.5}),
        grad_args=(0,),
        extreme=_supcon_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(5, dtype=torch.long)), {}, ValueError, r"supcon_loss: labels shape \(5,\) does not match features shape \(4, 3\): expected \(4,\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.long)), {}, ValueError, r"supcon_loss: labels shape \(4, 1\) does not match features shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4)), {}, TypeError, r"supcon_loss: labels must be an integer tensor of class indices, got dtype torch.float32"),
            BadInput(lambda: (torch.zeros(2, 4, 3), torch.zeros(2, dtype=torch.long)), {}, ValueError, r"supcon_loss: features must have shape \(N, D\) with N >= 1 and D >= 1, got shape \(2, 4, 3\)"),
            BadInput(lambda: (torch.zeros(4, 3, dtype=torch.long), torch.zeros(4, dtype=torch.long)), {}, TypeError, r"supcon_loss: features must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)), {"temperature": 0.0}, ValueError, r"supcon_loss: temperature must be in \(0.0, inf\), got 0.0"),
        ),
    ),
)


# --- angular-margin.ipynb ---

ANGULAR_MARGIN: tuple[LossCase, ...] = ()


REGISTRY: tuple[LossCase, ...] = PAIRWISE + TRIPLET + CONTRASTIVE + ANGULAR_MARGIN
