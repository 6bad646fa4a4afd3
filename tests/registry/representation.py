"""Registry entries of Part V, representation learning (``lossbook/losses/representation/``, ``book/representation/``)."""

from __future__ import annotations

import math

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
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(5, 3)), {}, ValueError, r"info_nce_loss: key shape \(5, 3\) does not match query shape \(4, 3\)"),
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


def _angular_inputs(dtype, device, g):
    """``(embeddings (6, 3), centres (4, 3), int64 targets (6,))`` in which every class occurs; random directions.

    In 3-D some target angles exceed pi - m for the margins below, so ArcFace's fallback is exercised too.
    """
    x = 2 * torch.randn((6, 3), generator=g, dtype=torch.float64)
    w = torch.randn((4, 3), generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 3, 0, 1])[torch.randperm(6, generator=g)]
    return x.to(dtype=dtype, device=device), w.to(dtype=dtype, device=device), y.to(device)


def _angular_extreme(dtype, device):
    # coordinates of 1e4, a zero embedding and a zero centre, an embedding on its centre (cos = 1, the cone's
    # peak) and one opposite it (cos = -1, on the fallback), and a norm below F.normalize's eps
    x = torch.tensor([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [-3.0, 0.0, 0.0], [1e-30, 0.0, 0.0]], dtype=dtype, device=device)
    w = torch.tensor([[5.0, 0.0, 0.0], [0.0, 1e4, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], dtype=dtype, device=device)
    return x, w, torch.tensor([1, 2, 0, 0, 3], device=device)


def _angular_cosines(input, weight):
    return (F.normalize(input, dim=1) @ F.normalize(weight, dim=1).T).clamp(-1, 1)


def _arcface_reference(input, weight, target, *, scale=64.0, margin=0.5, reduction="mean"):
    # insightface's ArcFace head (arcface_torch, 2022, easy_margin=False) on F.normalize'd embeddings and centres
    cos = _angular_cosines(input, weight)
    c = cos.gather(1, target[:, None])
    sin = torch.sqrt((1 - c * c).clamp_min(0))
    f = torch.where(c > math.cos(math.pi - margin), c * math.cos(margin) - sin * math.sin(margin), c - margin * math.sin(margin))
    return F.cross_entropy(scale * cos.scatter(1, target[:, None], f), target, reduction=reduction)


def _cosface_reference(input, weight, target, *, scale=64.0, margin=0.35, reduction="mean"):
    cos = _angular_cosines(input, weight)
    return F.cross_entropy(scale * (cos - margin * F.one_hot(target, weight.shape[0]).to(cos.dtype)), target, reduction=reduction)


def _angular_bad(fn: str) -> tuple[BadInput, ...]:
    x, w, y = (lambda: torch.zeros(2, 3)), (lambda: torch.ones(4, 3)), (lambda: torch.tensor([0, 1]))
    return (
        BadInput(lambda: (x(), w(), torch.tensor([0, 4])), {}, ValueError, rf"{fn}: target holds class index 4, expected values in \[0, 4\)"),
        BadInput(lambda: (x(), w(), torch.tensor([0.0, 1.0])), {}, TypeError, rf"{fn}: target class indices must have dtype torch.int64, got dtype torch.float32"),
        BadInput(lambda: (x(), w(), torch.tensor([0, 1, 2])), {}, ValueError, rf"{fn}: target shape \(3,\) does not match input shape \(2, 3\): expected \(2,\)"),
        BadInput(lambda: (x(), torch.ones(4, 2), y()), {}, ValueError, rf"{fn}: weight shape \(4, 2\) does not match input shape \(2, 3\): expected \(C, 3\)"),
        BadInput(lambda: (torch.zeros(3), w(), y()), {}, ValueError, rf"{fn}: input must be embeddings of shape \(N, D\) with D >= 1, got shape \(3,\)"),
        BadInput(lambda: (x(), torch.ones(3), y()), {}, ValueError, rf"{fn}: weight must be class centres of shape \(C, D\) with C >= 1, got shape \(3,\)"),
        BadInput(lambda: (x(), w().double(), y()), {}, TypeError, rf"{fn}: weight dtype torch.float64 does not match input dtype torch.float32"),
        BadInput(lambda: (torch.zeros(2, 3, dtype=torch.long), w(), y()), {}, TypeError, rf"{fn}: input must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (x(), w(), y()), {"scale": 0.0}, ValueError, rf"{fn}: scale must be in \(0.0, inf\), got 0.0"),
        BadInput(lambda: (x(), w(), y()), {"margin": -0.1}, ValueError, rf"{fn}: margin must be in \[0"),
    )


ANGULAR_MARGIN: tuple[LossCase, ...] = (
    LossCase(
        fn=L.arcface_loss,
        module=L.ArcFaceLoss,
        reference=_arcface_reference,
        inputs=_angular_inputs,
        options=({}, {"scale": 4.0, "margin": 1.2}, {"scale": 2.0, "margin": 0.0}),
        extreme=_angular_extreme,
        bad=(
            *_angular_bad("arcface_loss"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(4, 3), torch.tensor([0, 1])), {"margin": 28.6}, ValueError, r"arcface_loss: margin must be in \[0, pi/2\] radians, got 28.6 \(pytorch-metric-learning's margin is in degrees"),
        ),
    ),
    LossCase(
        fn=L.cosface_loss,
        module=L.CosFaceLoss,
        reference=_cosface_reference,
        inputs=_angular_inputs,
        options=({}, {"scale": 3.0, "margin": 1.5}),
        extreme=_angular_extreme,
        bad=_angular_bad("cosface_loss"),
    ),
)


REGISTRY: tuple[LossCase, ...] = PAIRWISE + TRIPLET + CONTRASTIVE + ANGULAR_MARGIN
