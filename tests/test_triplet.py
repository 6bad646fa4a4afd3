"""Triplet-loss checks: values computed by hand, PyTorch's conventions at kinks and ties, shapes, peers' conventions.

The generic suite (values and gradients against PyTorch, gradcheck, second derivatives,
dtypes, extremes, PyTorch's OpInfo samples) is test_losses.py. Chapter: book/representation/triplet.ipynb.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lossbook.losses import (
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from tests.test_losses import _graph_nodes


def _leaves(*tensors):
    return [t.detach().clone().double().requires_grad_(True) for t in tensors]


def _same_as_torch(ours, theirs, args, upstream=None):
    """Equal values and equal gradients of every argument, in float64."""
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-14)
    upstream = torch.ones_like(theirs) if upstream is None else upstream
    for a, b in zip(torch.autograd.grad(ours, args, upstream, retain_graph=True), torch.autograd.grad(theirs, args, upstream)):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_hand_computed_values_3_4_5():
    # a = 0, p = (3, 0): d(a, p) = 3; n = (0, 4): d(a, n) = 4; d(p, n) = 5 (eps = 0 for round numbers)
    a, p, n = torch.zeros(1, 2), torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 4.0]])
    assert triplet_margin_loss(a, p, n, margin=2.0, eps=0.0).item() == pytest.approx(1.0)  # 2 + 3 - 4
    assert triplet_margin_loss(a, p, n, margin=0.5, eps=0.0).item() == 0.0  # satisfied: 0.5 + 3 - 4 < 0
    assert triplet_margin_loss(a, p, n, margin=2.0, eps=0.0, swap=True).item() == pytest.approx(1.0)  # min(4, 5) = 4
    # L1: d(a, p) = 3, d(a, n) = 4; L-infinity: 3 and 4 again; p = 1/2: (sqrt 3)^2 = 3 and 4
    for p_norm in (1.0, math.inf, 0.5):
        assert triplet_margin_loss(a, p, n, margin=2.0, eps=0.0, p=p_norm).item() == pytest.approx(1.0)
    # the gradient: a moves along u/d for (a, p) minus (a, n): (-3/3, 0) - (0, -4/4) = (-1, 1)
    leaves = _leaves(a, p, n)
    triplet_margin_loss(*leaves, margin=2.0, eps=0.0).backward()
    assert leaves[0].grad.tolist() == [[-1.0, 1.0]]
    assert leaves[1].grad.tolist() == [[1.0, 0.0]] and leaves[2].grad.tolist() == [[0.0, -1.0]]


def test_swap_moves_the_negative_term_to_the_positive():
    # n is closer to p than to a: d(a, n) = 4, d(p, n) = 1, so the swap uses d(p, n)
    a, p, n = torch.zeros(1, 2), torch.tensor([[3.0, 0.0]]), torch.tensor([[4.0, 0.0]])
    assert triplet_margin_loss(a, p, n, margin=1.0, eps=0.0).item() == 0.0  # 1 + 3 - 4
    assert triplet_margin_loss(a, p, n, margin=1.0, eps=0.0, swap=True).item() == pytest.approx(3.0)  # 1 + 3 - 1
    leaves = _leaves(a, p, n)
    triplet_margin_loss(*leaves, margin=1.0, eps=0.0, swap=True).backward()
    # g(x, y) = (x - y) / d: g(a, p) = (-1, 0), g(p, n) = (-1, 0)
    # da = g(a, p) = (-1, 0); dp = -(g(a, p) + g(p, n)) = (2, 0); dn = g(p, n) = (-1, 0)
    assert leaves[0].grad.tolist() == [[-1.0, 0.0]]
    assert leaves[1].grad.tolist() == [[2.0, 0.0]] and leaves[2].grad.tolist() == [[-1.0, 0.0]]


def test_eps_inside_the_distance_and_collapsed_embeddings():
    # equal vectors: d = eps * D^(1/p), not 0, so the collapsed loss is exactly the margin with finite gradients
    x = torch.zeros(4, 8, dtype=torch.float64)
    assert triplet_margin_loss(x, x, x, margin=0.3, reduction="none").tolist() == [0.3] * 4
    for p_norm in (2.0, 1.0, 3.0, math.inf):
        a, p, n = _leaves(x, x, x)
        for swap in (False, True):
            _same_as_torch(triplet_margin_loss(a, p, n, p=p_norm, swap=swap), F.triplet_margin_loss(a, p, n, p=p_norm, swap=swap), (a, p, n))
    # at the collapse each distance's gradient is the same direction, (1, ..., 1) / sqrt(D): the anchor's cancels
    a, p, n = _leaves(x, x, x)
    triplet_margin_loss(a, p, n).backward()
    assert a.grad.abs().max() == 0 and torch.allclose(n.grad, torch.full_like(x, 1 / (4 * math.sqrt(8))))


def test_kink_and_tie_conventions_are_pytorchs():
    # m + d(a, p) - d(a, n) = 0 exactly: active, as clamp_min's gradient is 1 at the boundary
    a, p, n = _leaves(torch.zeros(1, 1), torch.tensor([[1.0]]), torch.tensor([[2.0]]))
    _same_as_torch(triplet_margin_loss(a, p, n, margin=1.0, eps=0.0), F.triplet_margin_loss(a, p, n, margin=1.0, eps=0.0), (a, p, n))
    assert torch.autograd.grad(triplet_margin_loss(a, p, n, margin=1.0, eps=0.0), p)[0].item() == 1.0
    # d(a, n) = d(p, n) under swap: the two share the gradient, as torch.minimum's does
    a, p, n = _leaves(torch.tensor([[-1.0, 0.0]]), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]))
    _same_as_torch(
        triplet_margin_loss(a, p, n, margin=2.0, eps=0.0, swap=True), F.triplet_margin_loss(a, p, n, margin=2.0, eps=0.0, swap=True), (a, p, n)
    )


@pytest.mark.parametrize("shape", [(5,), (3, 4, 6), (7, 1)])
@pytest.mark.parametrize("p_norm", [2.0, 0.5, 1.5, math.inf])
def test_other_shapes_and_norms_match_torch(shape, p_norm):
    g = torch.Generator().manual_seed(1)
    a, p, n = _leaves(*(torch.randn(shape, generator=g) for _ in range(3)))
    for reduction in ("none", "mean", "sum"):
        for swap in (False, True):
            ours = triplet_margin_loss(a, p, n, margin=1.5, p=p_norm, swap=swap, reduction=reduction)
            theirs = F.triplet_margin_loss(a, p, n, margin=1.5, p=p_norm, swap=swap, reduction=reduction)
            assert ours.shape == theirs.shape == (shape[:-1] if reduction == "none" else ())
            _same_as_torch(ours, theirs, (a, p, n), torch.rand(theirs.shape, generator=g, dtype=torch.float64))


def test_empty_batch_matches_torch():
    a = torch.zeros(0, 3)
    assert math.isnan(triplet_margin_loss(a, a, a).item()) and math.isnan(F.triplet_margin_loss(a, a, a).item())  # a mean of nothing
    assert triplet_margin_loss(a, a, a, reduction="sum").item() == 0.0
    assert triplet_margin_loss(a, a, a, reduction="none").shape == (0,)


def test_gradcheck_of_other_norms_and_3d_inputs():
    g = torch.Generator().manual_seed(2)
    leaves = _leaves(*(torch.randn(2, 3, 4, generator=g) for _ in range(3)))
    for p_norm in (1.5, 3.0, math.inf):
        assert torch.autograd.gradcheck(lambda a, p, n, q=p_norm: triplet_margin_loss(a, p, n, p=q, swap=True, margin=2.0), tuple(leaves))
    assert torch.autograd.gradgradcheck(lambda a, p, n: triplet_margin_loss(a, p, n, p=3.0, swap=True, margin=2.0), tuple(leaves))


def test_with_distance_routes_the_default_distance_to_the_hand_written_function():
    g = torch.Generator().manual_seed(3)
    a, p, n = _leaves(*(torch.randn(6, 4, generator=g) for _ in range(3)))
    default = triplet_margin_with_distance_loss(a, p, n, swap=True)
    torch.testing.assert_close(default, triplet_margin_loss(a, p, n, swap=True), rtol=0, atol=0)
    assert "_TripletMarginBackward" in _graph_nodes(default)
    module = nn.PairwiseDistance(p=1.0, eps=1e-3)
    routed = triplet_margin_with_distance_loss(a, p, n, distance_function=module, margin=0.5)
    assert "_TripletMarginBackward" in _graph_nodes(routed)
    _same_as_torch(routed, F.triplet_margin_with_distance_loss(a, p, n, distance_function=module, margin=0.5), (a, p, n))


def test_custom_distance_hinge_is_hand_written_and_matches_torch():
    g = torch.Generator().manual_seed(4)
    a, p, n = _leaves(*(torch.randn(8, 5, generator=g) for _ in range(3)))

    def squared(x, y):  # FaceNet's squared Euclidean distance
        return ((x - y) ** 2).sum(-1)

    def cosine(x, y):
        return 1 - F.cosine_similarity(x, y, dim=-1)

    for distance, margin in ((squared, 1.0), (cosine, 0.2), (nn.PairwiseDistance(keepdim=False, p=2.0), 1.0)):
        for swap in (False, True):
            for reduction in ("none", "mean", "sum"):
                kwargs = dict(distance_function=distance, margin=margin, swap=swap, reduction=reduction)
                ours = triplet_margin_with_distance_loss(a, p, n, **kwargs)
                _same_as_torch(ours, F.triplet_margin_with_distance_loss(a, p, n, **kwargs), (a, p, n))
    out = triplet_margin_with_distance_loss(a, p, n, distance_function=squared, swap=True)
    assert "_TripletHingeBackward" in _graph_nodes(out)
    assert torch.autograd.gradgradcheck(lambda *t: triplet_margin_with_distance_loss(*t, distance_function=squared, swap=True), (a, p, n))


def test_custom_distance_of_the_wrong_shape_raises():
    x = torch.zeros(4, 3)
    with pytest.raises(ValueError, match=r"one entry per triplet, shape \(4,\).*got shape \(4, 1\) for d\(anchor, positive\)"):
        triplet_margin_with_distance_loss(x, x, x, distance_function=nn.PairwiseDistance(keepdim=True))
    with pytest.raises(TypeError, match="distance_function must return a floating-point tensor, got float"):
        triplet_margin_with_distance_loss(x, x, x, distance_function=lambda u, v: 1.0)


def test_optax_and_facenet_conventions_map_to_lossbook():
    g = torch.Generator().manual_seed(5)
    a, p, n = (torch.randn(6, 4, generator=g, dtype=torch.float64) for _ in range(3))

    # optax.losses.triplet_margin_loss(anchors, positives, negatives, axis=-1, norm_degree=2, margin=1.0, eps=1e-6):
    # relu(||a - p||_eps - ||a - n||_eps + margin), ||x||_eps = (sum |x|^q + eps)^(1/q), no reduction
    def optax_formula(a, p, n, q=2.0, margin=1.0, eps=1e-6):
        def norm(x):
            return ((x.abs() ** q).sum(-1) + eps) ** (1 / q)

        return F.relu(norm(a - p) - norm(a - n) + margin)

    # the eps sits elsewhere (inside the power, not on each component): equal at eps = 0, different otherwise
    torch.testing.assert_close(optax_formula(a, p, n, eps=0.0), triplet_margin_loss(a, p, n, eps=0.0, reduction="none"))
    assert not torch.allclose(optax_formula(a, p, n, eps=1e-2), triplet_margin_loss(a, p, n, eps=1e-2, reduction="none"), atol=1e-6)
    torch.testing.assert_close(optax_formula(a, p, n, q=3.0, eps=0.0), triplet_margin_loss(a, p, n, p=3.0, eps=0.0, reduction="none"))

    # FaceNet's squared distances: triplet_margin_with_distance_loss with a squared distance
    facenet = F.relu(((a - p) ** 2).sum(-1) - ((a - n) ** 2).sum(-1) + 0.2).mean()
    ours = triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: ((x - y) ** 2).sum(-1), margin=0.2)
    torch.testing.assert_close(ours, facenet)


def test_pytorch_metric_learning_mapping():
    # pytorch-metric-learning's TripletMarginLoss(margin=0.05) with its defaults, re-implemented:
    # LpDistance(normalize_embeddings=True, p=2), every (a, p, n) of a labelled batch
    # (lmu.get_all_triplets_indices), loss relu(d_ap - d_an + margin), AvgNonZeroReducer (mean over loss > 0)
    g = torch.Generator().manual_seed(6)
    x = torch.randn(12, 3, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3])
    e = F.normalize(x, dim=1)
    dist = torch.cdist(e, e)
    same = y[:, None] == y[None, :]
    valid = (same & ~torch.eye(12, dtype=torch.bool))[:, :, None] & ~same[:, None, :]  # [a, p, n]
    violation = F.relu(dist[:, :, None] - dist[:, None, :] + 0.05)[valid]
    pml = violation.sum() / (violation > 0).sum()
    # lossbook: the same triplets as index tensors, eps = 0 (PML's distance has none), 'sum' divided by the active count
    i, j, k = valid.nonzero(as_tuple=True)
    per_triplet = triplet_margin_loss(e[i], e[j], e[k], margin=0.05, eps=0.0, reduction="none")
    torch.testing.assert_close(per_triplet.sum() / (per_triplet > 0).sum(), pml)


def test_modules_hold_the_options():
    loss = TripletMarginLoss(margin=0.5, p=1.0, swap=True)
    assert repr(loss) == "TripletMarginLoss(margin=0.5, p=1.0, eps=1e-06, swap=True, reduction='mean')"
    x = torch.randn(3, 4)
    assert loss(x, x + 1, x - 1) == triplet_margin_loss(x, x + 1, x - 1, margin=0.5, p=1.0, swap=True)
    distance = nn.PairwiseDistance(p=1.0)
    module = TripletMarginWithDistanceLoss(distance_function=distance, margin=2.0)
    assert module.distance_function is distance
    assert module(x, x + 1, x - 1) == triplet_margin_with_distance_loss(x, x + 1, x - 1, distance_function=distance, margin=2.0)
    with pytest.raises(ValueError, match=r"TripletMarginLoss: p must be in \(0, inf\]"):
        TripletMarginLoss(p=-1.0)
    with pytest.raises(ValueError, match=r"TripletMarginWithDistanceLoss: margin must be in \(0.0, inf\]"):
        TripletMarginWithDistanceLoss(margin=0.0)
    with pytest.raises(TypeError, match="TripletMarginWithDistanceLoss: distance_function must be callable or None, got int"):
        TripletMarginWithDistanceLoss(distance_function=3)


def test_half_precision_is_computed_in_float32():
    g = torch.Generator().manual_seed(7)
    a, p, n = (torch.randn(5, 4, generator=g) for _ in range(3))
    for dtype in (torch.float16, torch.bfloat16):
        out = triplet_margin_loss(a.to(dtype), p.to(dtype), n.to(dtype))
        expected = triplet_margin_loss(a.to(dtype).float(), p.to(dtype).float(), n.to(dtype).float())
        assert out.dtype == dtype and out.float() == expected.to(dtype).float()


def _batch_all(labels):
    same = labels[:, None] == labels[None, :]
    positive = same & ~torch.eye(len(labels), dtype=torch.bool)
    return (positive[:, :, None] & ~same[:, None, :]).nonzero(as_tuple=True)


def test_collapse_is_stationary_for_balanced_batch_all_only():
    # the chapter's collapse section and its Exercise 2: every embedding at one point z
    balanced, unbalanced = torch.arange(4).repeat_interleave(5), torch.tensor([0] * 3 + [1] * 5)

    def asymmetric(x, y):  # d(x, y) != d(y, x)
        return (x - y + 0.3 * x**2).pow(2).sum(-1).add(1e-3).sqrt()

    for z in (0.0, 3.7):
        for kwargs in ({}, {"swap": True}, {"p": 1.0}, {"p": 3.0}, {"eps": 0.0}):
            e = torch.full((20, 8), z, dtype=torch.float64, requires_grad=True)
            a, p, n = _batch_all(balanced)
            loss = triplet_margin_loss(e[a], e[p], e[n], margin=0.2, **kwargs)
            assert loss.item() == pytest.approx(0.2, abs=1e-12)
            assert torch.autograd.grad(loss, e)[0].abs().max() < 1e-15  # any p, with or without swap
        e = torch.full((20, 8), z, dtype=torch.float64, requires_grad=True)
        loss = triplet_margin_with_distance_loss(e[a], e[p], e[n], distance_function=asymmetric, margin=0.2)
        assert torch.autograd.grad(loss, e)[0].abs().max() < 1e-15  # any distance, symmetric or not
        # classes of 3 and 5 with eps > 0: 10 u and -6 u per point under 'sum', u = 1 / sqrt(D) (Solution 2)
        e = torch.full((8, 8), z, dtype=torch.float64, requires_grad=True)
        a, p, n = _batch_all(unbalanced)
        (grad,) = torch.autograd.grad(triplet_margin_loss(e[a], e[p], e[n], margin=0.2, reduction="sum"), e)
        u = 1 / math.sqrt(8)
        torch.testing.assert_close(grad, torch.tensor([10 * u] * 3 + [-6 * u] * 5, dtype=torch.float64)[:, None].expand(8, 8))
        # with eps = 0 every distance is 0, where the norm's gradient is 0: zero for any class sizes
        (grad,) = torch.autograd.grad(triplet_margin_loss(e[a], e[p], e[n], margin=0.2, eps=0.0), e)
        assert grad.abs().max() == 0


def test_stricter_than_pytorch():
    # the cases the docstrings list, where PyTorch computes a number and lossbook raises
    x = torch.randn(4, 3)
    assert F.triplet_margin_loss(x, x[:1], x).shape == ()  # PyTorch broadcasts
    for call in (
        lambda: triplet_margin_loss(x, x[:1], x),
        lambda: triplet_margin_loss(x, x, x, p=0),
        lambda: triplet_margin_loss(x, x, x, eps=-1.0),
        lambda: triplet_margin_loss(x[0, 0], x[0, 1], x[0, 2]),
        lambda: triplet_margin_with_distance_loss(x, x, x, distance_function=nn.PairwiseDistance(p=0)),
        lambda: triplet_margin_with_distance_loss(x, x, x, distance_function=nn.PairwiseDistance(keepdim=True)),
    ):
        with pytest.raises(ValueError):
            call()
    for call in (
        lambda: triplet_margin_loss(x.long(), x.long(), x.long()),
        lambda: triplet_margin_loss(x, x, x, margin=torch.tensor(1.0)),
        lambda: triplet_margin_with_distance_loss(x, x, x, swap=1),
    ):
        with pytest.raises(TypeError):
            call()
    F.triplet_margin_loss(x.long(), x.long(), x.long()), F.triplet_margin_with_distance_loss(x, x, x, swap=1)  # PyTorch: no error
    F.triplet_margin_loss(x, x, x, p=0, eps=-1.0), F.triplet_margin_loss(x[0, 0], x[0, 1], x[0, 2])


def test_collapsed_distance_gradient_is_one_over_d_to_one_minus_one_over_p():
    # the chapter's gradient section: for equal vectors g = 1 / D^(1 - 1/p) in every component (1/sqrt(D), 1, 1/D)
    x = torch.zeros(3, 8, dtype=torch.float64)
    for p_norm, per_component in ((2.0, 8**-0.5), (1.0, 1.0), (3.0, 8 ** (1 / 3 - 1)), (math.inf, 1 / 8)):
        a, p, n = _leaves(x, x, x)
        triplet_margin_loss(a, p, n, p=p_norm, reduction="sum").backward()
        torch.testing.assert_close(n.grad, torch.full_like(x, per_component))
        torch.testing.assert_close(p.grad, torch.full_like(x, -per_component))
