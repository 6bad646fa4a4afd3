"""Registry entries of Part V, representation learning (``lossbook/losses/representation/``, ``book/representation/``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase

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

CONTRASTIVE: tuple[LossCase, ...] = ()


# --- angular-margin.ipynb ---

ANGULAR_MARGIN: tuple[LossCase, ...] = ()


REGISTRY: tuple[LossCase, ...] = PAIRWISE + TRIPLET + CONTRASTIVE + ANGULAR_MARGIN
