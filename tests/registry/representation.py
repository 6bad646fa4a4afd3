"""Registry entries of Part V, representation learning (``lossbook/losses/representation/``, ``book/representation/``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase, reduce_reference

# --- pairwise.ipynb ---


def _contrastive_inputs(dtype, device, g):
    """``(x1 (6, 3), x2 (6, 3), labels (6,) in {0, 1})``: pair distances 0.3 to 3.5, away from the margins 1 and 2."""
    x1 = torch.randn((6, 3), generator=g, dtype=torch.float64)
    direction = torch.nn.functional.normalize(torch.randn((6, 3), generator=g, dtype=torch.float64), dim=1)
    distance = torch.tensor([0.3, 0.7, 1.5, 2.6, 3.5, 0.5], dtype=torch.float64)[torch.randperm(6, generator=g)]
    x2 = x1 + distance[:, None] * direction
    t = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0], dtype=torch.float64)[torch.randperm(6, generator=g)]
    return x1.to(dtype=dtype, device=device), x2.to(dtype=dtype, device=device), t.to(dtype=dtype, device=device)


def _contrastive_reference(input1, input2, target, *, margin=1.0, reduction="mean"):
    # Hadsell, Chopra and LeCun (2006), Eq. 4 with Y = 1 - t, on F.pairwise_distance (eps 1e-6 inside)
    d = F.pairwise_distance(input1, input2)
    loss = 0.5 * target * d**2 + 0.5 * (1 - target) * torch.clamp(margin - d, min=0) ** 2
    return reduce_reference(loss, reduction)


def _contrastive_extreme(dtype, device):
    # equal embeddings (d = 1e-6 sqrt(3)), similar and dissimilar, and coordinates of 1e4
    x1 = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1e4, -1e4, 0.0], [0.0, 0.0, 0.0]], dtype=dtype, device=device)
    x2 = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [-1e4, 1e4, 1e4], [0.0, 0.0, 0.0]], dtype=dtype, device=device)
    return x1, x2, torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=dtype, device=device)


def _distance_inputs(dtype, device, g):
    """``(distances (4, 3) in [0, 4), labels in {-1, +1})``, the distances away from the margins 1 and 2."""
    x = 4 * torch.rand((4, 3), generator=g, dtype=torch.float64)
    for kink in (1.0, 2.0):
        x = torch.where((x - kink).abs() < 0.1, x + 0.2, x)
    y = torch.where(torch.rand((4, 3), generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
    return x.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)


def _distance_extreme(dtype, device):
    return torch.tensor([0.0, 1e4, 0.0, 1e4], dtype=dtype, device=device), torch.tensor([1.0, 1.0, -1.0, -1.0], dtype=dtype, device=device)


def _cosine_inputs(dtype, device, g):
    """``(x1 (6, 4), x2 (6, 4), labels (6,) in {-1, +1})``: cosines -0.8 to 0.9, away from the margins 0 and 0.5."""
    x1 = torch.randn((6, 4), generator=g, dtype=torch.float64)
    other = torch.randn((6, 4), generator=g, dtype=torch.float64)
    e1 = torch.nn.functional.normalize(x1, dim=1)
    e2 = torch.nn.functional.normalize(other - (other * e1).sum(1, keepdim=True) * e1, dim=1)  # orthogonal to x1
    cos = torch.tensor([-0.8, -0.3, 0.25, 0.75, 0.9, 0.15], dtype=torch.float64)[torch.randperm(6, generator=g)]
    scale = 0.5 + 2 * torch.rand((6, 1), generator=g, dtype=torch.float64)
    x2 = scale * (cos[:, None] * e1 + (1 - cos[:, None] ** 2).sqrt() * e2)
    y = torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0], dtype=torch.float64)[torch.randperm(6, generator=g)]
    return x1.to(dtype=dtype, device=device), x2.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)


def _cosine_extreme(dtype, device):
    # a zero vector on either side (PyTorch's 1e-12 on the squared norms: gradient of size 1e6), and entries of 1e4
    x1 = torch.tensor([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0], [1e4, -1e4, 0.0], [0.0, 0.0, 0.0]], dtype=dtype, device=device)
    x2 = torch.tensor([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0], [1e4, 1e4, 1e4], [0.0, 0.0, 0.0]], dtype=dtype, device=device)
    return x1, x2, torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=dtype, device=device)


def _label_not_a_sign(args: tuple, kwargs: dict) -> bool:
    """A PyTorch sample whose target holds a value other than -1 and +1: lossbook raises where PyTorch mixes the branches."""
    return bool((args[-1].detach().abs() != 1).any())


PAIRWISE: tuple[LossCase, ...] = (
    LossCase(
        fn=L.contrastive_loss,
        module=L.ContrastiveLoss,
        reference=_contrastive_reference,
        inputs=_contrastive_inputs,
        options=({}, {"margin": 2.0}),
        extreme=_contrastive_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(2, 3), torch.tensor([1.0, -1.0])), {}, ValueError, r"contrastive_loss: target must hold 0 \(dissimilar\) and 1 \(similar\) only, got the value -1"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(2, 3), torch.tensor([1, 2])), {}, ValueError, r"contrastive_loss: target must hold 0 \(dissimilar\) and 1 \(similar\) only, got the value 2"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(2, 3), torch.ones(2)), {"margin": 0.0}, ValueError, r"contrastive_loss: margin must be in \(0.0, inf\], got 0.0"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(3, 3), torch.ones(2)), {}, ValueError, r"contrastive_loss: input2 shape \(3, 3\) does not match input1 shape \(2, 3\)"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(2, 3), torch.ones(3)), {}, ValueError, r"contrastive_loss: target shape \(3,\) does not match input1 shape \(2, 3\): expected \(2,\), one label per pair"),
            BadInput(lambda: (torch.zeros(2, 3, 4), torch.ones(2, 3, 4), torch.ones(2, 3)), {}, ValueError, r"contrastive_loss: input1 must have shape \(N, D\) or \(D,\), got shape \(2, 3, 4\)"),
            BadInput(lambda: (torch.zeros(2, 3, dtype=torch.long), torch.ones(2, 3), torch.ones(2)), {}, TypeError, r"contrastive_loss: input1 must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.hinge_embedding_loss,
        module=L.HingeEmbeddingLoss,
        reference=F.hinge_embedding_loss,
        inputs=_distance_inputs,
        options=({}, {"margin": 2.0}),
        grad_args=(0,),  # the target is a label: PyTorch gives it no gradient either
        torch_op="nn.functional.hinge_embedding_loss",
        refused=_label_not_a_sign,
        extreme=_distance_extreme,
        bad=(
            BadInput(lambda: (torch.ones(3), torch.tensor([1.0, 0.0, -1.0])), {}, ValueError, r"hinge_embedding_loss: target must hold -1 and \+1 only, got the value 0"),
            BadInput(lambda: (torch.ones(3), torch.ones(3)), {"margin": -1.0}, ValueError, r"hinge_embedding_loss: margin must be in \(0.0, inf\], got -1.0"),
            BadInput(lambda: (torch.ones(3), torch.ones(4)), {}, ValueError, r"hinge_embedding_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.ones(3), torch.ones(3, dtype=torch.bool)), {}, TypeError, r"hinge_embedding_loss: target must be a floating-point or integer tensor of -1 and \+1, got dtype torch.bool"),
            BadInput(lambda: (torch.ones(3, dtype=torch.long), torch.ones(3)), {}, TypeError, r"hinge_embedding_loss: input must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.cosine_embedding_loss,
        module=L.CosineEmbeddingLoss,
        reference=F.cosine_embedding_loss,
        inputs=_cosine_inputs,
        options=({}, {"margin": 0.5}),
        torch_op="nn.functional.cosine_embedding_loss",
        refused=_label_not_a_sign,
        extreme=_cosine_extreme,
        bad=(
            BadInput(lambda: (torch.ones(3, 2), torch.ones(3, 2), torch.tensor([1.0, 0.0, -1.0])), {}, ValueError, r"cosine_embedding_loss: target must hold -1 and \+1 only, got the value 0"),
            BadInput(lambda: (torch.ones(3, 2), torch.ones(3, 2), torch.ones(3)), {"margin": 1.5}, ValueError, r"cosine_embedding_loss: margin must be in \[-1.0, 1.0\], got 1.5"),
            BadInput(lambda: (torch.ones(3, 2), torch.ones(1, 2), torch.ones(3)), {}, ValueError, r"cosine_embedding_loss: input2 shape \(1, 2\) does not match input1 shape \(3, 2\)"),
            BadInput(lambda: (torch.ones(3, 2), torch.ones(3, 2), torch.ones(3, 1)), {}, ValueError, r"cosine_embedding_loss: target shape \(3, 1\) does not match input1 shape \(3, 2\): expected \(3,\), one label per pair"),
            BadInput(lambda: (torch.ones(3, 2), torch.ones(3, 2), torch.ones(3, dtype=torch.bool)), {}, TypeError, r"cosine_embedding_loss: target must be a floating-point or integer tensor of -1 and \+1, got dtype torch.bool"),
        ),
    ),
)


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
