"""Pair losses: hand-computed values, peers' conventions, PyTorch's silent traps, zero vectors, the shared distance. The generic suite is test_losses.py."""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import (
    ContrastiveLoss,
    CosineEmbeddingLoss,
    HingeEmbeddingLoss,
    contrastive_loss,
    cosine_embedding_loss,
    hinge_embedding_loss,
)
from lossbook.losses.representation._distance import check_norm_degree, pairwise_distance, pairwise_distance_backward

# the shared distance (also used by the triplet losses)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 1.5, 0.5, math.inf])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4)])
def test_distance_equals_pairwise_distance(p, shape):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(shape, generator=g, dtype=torch.float64)
    b[..., 0] = a.detach()[..., 0]  # a component where the difference is eps alone
    b.requires_grad_()
    ref = F.pairwise_distance(a, b, p=p)
    upstream = torch.rand(ref.shape, generator=g, dtype=torch.float64)
    ga, gb = torch.autograd.grad(ref, [a, b], upstream)
    d, u = pairwise_distance(a.detach(), b.detach(), p)
    assert torch.equal(d, ref.detach())  # the same kernel on the same difference: bit for bit
    grad = pairwise_distance_backward(u, d, upstream, p)
    torch.testing.assert_close(grad, ga)
    torch.testing.assert_close(-grad, gb)


def test_distance_at_equal_vectors_is_eps_sqrt_d_with_a_finite_gradient():
    a = torch.randn(3, 5, dtype=torch.float64)
    d, u = pairwise_distance(a, a.clone())
    torch.testing.assert_close(d, torch.full((3,), 1e-6 * math.sqrt(5), dtype=torch.float64))
    grad = pairwise_distance_backward(u, d, torch.ones(3, dtype=torch.float64))
    torch.testing.assert_close(grad, torch.full((3, 5), 1 / math.sqrt(5), dtype=torch.float64))  # u / d
    # where d is exactly 0 (a difference of -eps in every component) the gradient is 0, as PyTorch's
    d0, u0 = pairwise_distance(torch.zeros(1, 2), torch.full((1, 2), 1e-6))
    assert d0.item() == 0.0 and pairwise_distance_backward(u0, d0, torch.ones(1)).tolist() == [[0.0, 0.0]]


def test_norm_degree_check():
    assert check_norm_degree("f", 2) == 2.0 and check_norm_degree("f", math.inf) == math.inf
    with pytest.raises(ValueError, match=r"f: p must be in \(0, inf\], the degree of a norm, got 0"):
        check_norm_degree("f", 0)
    with pytest.raises(TypeError, match="f: p must be a real number, got str"):
        check_norm_degree("f", "2")


# contrastive loss


def test_contrastive_hand_computed():
    # d = 5, 0.5 and 5 (+ eps); similar: d^2 / 2 = 12.5; dissimilar with m = 1: (1 - 0.5)^2 / 2 = 0.125, and 0 beyond m
    a = torch.zeros(3, 2, dtype=torch.float64)
    b = torch.tensor([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0]], dtype=torch.float64)
    out = contrastive_loss(a, b, torch.tensor([1, 0, 0]), reduction="none")
    torch.testing.assert_close(out, torch.tensor([12.5, 0.125, 0.0], dtype=torch.float64), atol=1e-5, rtol=0)
    # with m = 6 the far dissimilar pair costs (6 - 5)^2 / 2 = 0.5
    assert contrastive_loss(a, b, torch.tensor([1, 0, 0]), margin=6.0, reduction="sum").item() == pytest.approx(12.5 + 0.5 * 5.5**2 + 0.5, abs=1e-4)
    assert ContrastiveLoss(margin=6.0)(a, b, torch.tensor([1, 0, 0])).item() == pytest.approx((12.5 + 0.5 * 5.5**2 + 0.5) / 3, abs=1e-4)


def test_contrastive_gradient_is_u_or_minus_h_over_d_u():
    # similar: d * u / d = u; dissimilar inside the margin: -(m - d)/d * u; outside: 0
    a = torch.zeros(3, 2, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    ga, gb = torch.autograd.grad(contrastive_loss(a, b, torch.tensor([1, 0, 0]), reduction="sum"), [a, b])
    u = a.detach() - b.detach() + 1e-6
    d = u.norm(dim=1)
    expected = torch.stack([u[0], -(1 - d[1]) / d[1] * u[1], torch.zeros(2, dtype=torch.float64)])
    torch.testing.assert_close(ga, expected)
    torch.testing.assert_close(gb, -expected)


def test_contrastive_label_mapping_to_hadsell_and_peers():
    g = torch.Generator().manual_seed(1)
    x1, x2 = torch.randn(8, 4, generator=g, dtype=torch.float64), torch.randn(8, 4, generator=g, dtype=torch.float64)
    t = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0])
    d = F.pairwise_distance(x1, x2)
    # Hadsell, Chopra and LeCun (2006), Eq. 4: (1 - Y) D^2 / 2 + Y max(0, m - D)^2 / 2, Y = 0 for a similar pair: Y = 1 - t
    Y = 1 - t.double()
    hadsell = ((1 - Y) * 0.5 * d**2 + Y * 0.5 * torch.clamp(2.0 - d, min=0) ** 2).mean()
    torch.testing.assert_close(contrastive_loss(x1, x2, t, margin=2.0), hadsell)
    # sentence-transformers ContrastiveLoss (label 1 = similar) with distance_metric=EUCLIDEAN, size_average=True:
    # 0.5 * (labels * d^2 + (1 - labels) * relu(margin - d)^2), mean; its distance is F.pairwise_distance too
    st = (0.5 * (t.double() * d.pow(2) + (1 - t).double() * F.relu(0.5 - d).pow(2))).mean()
    torch.testing.assert_close(contrastive_loss(x1, x2, t, margin=0.5), st)
    # PyTorch has no contrastive loss: hinge_embedding_loss of the distance is its unsquared form, labels 2t - 1
    unsquared = (t * d + (1 - t) * torch.clamp(2.0 - d, min=0)).mean()
    torch.testing.assert_close(F.hinge_embedding_loss(d, 2.0 * t - 1, margin=2.0), unsquared)


def test_contrastive_labels_float_integer_and_bool_agree():
    g = torch.Generator().manual_seed(2)
    x1, x2 = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    t = torch.tensor([1, 0, 0, 1, 0])
    ref = contrastive_loss(x1, x2, t.float(), margin=3.0)
    for labels in (t, t.bool(), t.to(torch.int32)):
        assert contrastive_loss(x1, x2, labels, margin=3.0).item() == ref.item()


def test_contrastive_one_pair_of_vectors():
    a, b = torch.tensor([0.0, 0.0]), torch.tensor([0.3, 0.4])
    out = contrastive_loss(a, b, torch.tensor(0), reduction="none")
    assert out.shape == () and out.item() == pytest.approx(0.125, abs=1e-5)
    x1, x2 = torch.randn(2, dtype=torch.float64, requires_grad=True), torch.randn(2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda p, q: contrastive_loss(p, q, torch.tensor(True), reduction="none"), (x1, x2))


def test_contrastive_collapsed_pairs_have_finite_gradients():
    # equal embeddings: d = 1e-6 sqrt(D); a similar pair's gradient is u = eps, a dissimilar one's -(m - d) u / d: size m - d, finite
    x = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    y = x.detach().clone().requires_grad_()
    (gx,) = torch.autograd.grad(contrastive_loss(x, y, torch.tensor([1, 0]), reduction="sum"), [x])
    assert torch.isfinite(gx).all()
    torch.testing.assert_close(gx[0], torch.full((4,), 1e-6, dtype=torch.float64))
    d = 1e-6 * 2.0
    torch.testing.assert_close(gx[1], torch.full((4,), -(1 - d) / d * 1e-6, dtype=torch.float64))  # each -(m - d) / sqrt(D) ~ -0.5: a push of size m - d
    # the same by autograd through F.pairwise_distance
    x2 = x.detach().clone().requires_grad_()
    ref = (0.5 * torch.clamp(1.0 - F.pairwise_distance(x2[1:], y.detach()[1:]), min=0) ** 2).sum()
    torch.testing.assert_close(gx[1], torch.autograd.grad(ref, x2)[0][1])


def test_contrastive_errors():
    with pytest.raises(ValueError, match=r"contrastive_loss: target must hold 0 \(dissimilar\) and 1 \(similar\) only, got the value 0.5"):
        contrastive_loss(torch.zeros(2, 3), torch.ones(2, 3), torch.tensor([1.0, 0.5]))
    with pytest.raises(TypeError, match="contrastive_loss: target must be a floating-point, integer or bool tensor, got dtype torch.complex64"):
        contrastive_loss(torch.zeros(2, 3), torch.ones(2, 3), torch.ones(2, dtype=torch.complex64))
    with pytest.raises(ValueError, match=r"ContrastiveLoss: margin must be in \(0.0, inf\], got -1.0"):
        ContrastiveLoss(margin=-1.0)


# hinge embedding loss


def test_hinge_embedding_hand_computed_and_kink():
    # x for y = 1; max(0, m - x) for y = -1; at the kink x = m the gradient is -1 (PyTorch's clamp_min)
    x = torch.tensor([0.5, 0.5, 2.0, 1.0], requires_grad=True)
    y = torch.tensor([1.0, -1.0, -1.0, -1.0])
    out = hinge_embedding_loss(x, y, reduction="none")
    assert out.tolist() == [0.5, 0.5, 0.0, 0.0]
    (g,) = torch.autograd.grad(out.sum(), x)
    assert g.tolist() == [1.0, -1.0, 0.0, -1.0]
    x2 = x.detach().clone().requires_grad_()
    (gt,) = torch.autograd.grad(F.hinge_embedding_loss(x2, y, reduction="sum"), x2)
    assert gt.tolist() == g.tolist()
    assert HingeEmbeddingLoss(margin=3.0)(x.detach(), y).item() == pytest.approx((0.5 + 2.5 + 1.0 + 2.0) / 4)


def test_hinge_embedding_negative_input_gives_a_negative_loss_as_pytorch():
    # pytorch#22965: kept (the input is meant to be a distance); the loss is unbounded below for raw scores
    x, y = torch.tensor([-2.0, 0.5]), torch.tensor([1.0, 1.0])
    assert hinge_embedding_loss(x, y, reduction="none").tolist() == F.hinge_embedding_loss(x, y, reduction="none").tolist() == [-2.0, 0.5]


def test_hinge_embedding_integer_labels_as_pytorch():
    x = torch.tensor([0.5, 0.25, 3.0])
    y = torch.tensor([1, -1, -1])
    assert hinge_embedding_loss(x, y).item() == F.hinge_embedding_loss(x, y).item() == pytest.approx((0.5 + 0.75 + 0.0) / 3)


def test_hinge_embedding_pytorch_mixes_branches_for_other_labels_lossbook_raises():
    x = torch.tensor([0.25, 3.0])
    # PyTorch: y = 0 passes both tests (y != 1 and y != -1): x + max(0, m - x)
    assert F.hinge_embedding_loss(x, torch.zeros(2), reduction="none").tolist() == [0.25 + 0.75, 3.0]
    with pytest.raises(ValueError, match=r"hinge_embedding_loss: target must hold -1 and \+1 only, got the value 0"):
        hinge_embedding_loss(x, torch.zeros(2))


# cosine embedding loss


def test_cosine_embedding_hand_computed():
    # cos = 1/sqrt(2), 1/sqrt(2), -1: 1 - cos for y = 1; max(0, cos - m) for y = -1
    a = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    b = torch.tensor([[1.0, 1.0], [1.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([1, -1, -1])
    c = 1 / math.sqrt(2)
    torch.testing.assert_close(cosine_embedding_loss(a, b, y, reduction="none"), torch.tensor([1 - c, c, 0.0], dtype=torch.float64))
    torch.testing.assert_close(cosine_embedding_loss(a, b, y, margin=0.5, reduction="sum"), torch.tensor(1 - c + c - 0.5, dtype=torch.float64))
    assert CosineEmbeddingLoss(margin=0.5)(a, b, y).item() == pytest.approx((1 - 0.5) / 3)


def test_cosine_embedding_gradient_is_orthogonal_and_matches_pytorch_at_the_kink():
    # dc/dx1 = x2 / q - c x1 / n1: orthogonal to x1; at c = m the dissimilar branch's gradient counts (PyTorch's clamp_min)
    x1 = torch.tensor([[1.0, 0.0], [1.0, 0.0], [2.0, 1.0]], dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 3.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64)
    g1, g2 = torch.autograd.grad(cosine_embedding_loss(x1, x2, y, reduction="sum"), [x1, x2])
    r1, r2 = torch.autograd.grad(F.cosine_embedding_loss(x1, x2, y, reduction="sum"), [x1, x2])
    torch.testing.assert_close(g1, r1)
    torch.testing.assert_close(g2, r2)
    assert g1[1].tolist() == pytest.approx([0.0, 1.0])  # the kink: c = 0 = m (1 up to the 1e-12 in the norms)
    torch.testing.assert_close((g1 * x1).sum(1), torch.zeros(3, dtype=torch.float64), atol=1e-10, rtol=0)  # up to the 1e-12


def test_cosine_gradient_size_is_sqrt_one_minus_c2_over_the_norm():
    # the chapter's claim: |dc/dx1| = |x2_hat - c x1_hat| / |x1| = sqrt(1 - c^2) / |x1| (eps negligible here)
    g = torch.Generator().manual_seed(4)
    x1 = (3 * torch.randn(6, 5, generator=g, dtype=torch.float64)).requires_grad_()
    x2 = torch.randn(6, 5, generator=g, dtype=torch.float64)
    (g1,) = torch.autograd.grad(cosine_embedding_loss(x1, x2, torch.ones(6), reduction="sum"), x1)  # -dc/dx1
    c = F.cosine_similarity(x1.detach(), x2)
    torch.testing.assert_close(g1.norm(dim=1), (1 - c**2).sqrt() / x1.detach().norm(dim=1))


def test_cosine_embedding_zero_vector_gradient_is_finite_and_pytorchs():
    # at x1 = 0: c = 0 and dc/dx1 = x2 / sqrt(1e-12 (|x2|^2 + 1e-12)) = unit vector * 1e6 (about)
    for dtype in (torch.float64, torch.float32):
        z = torch.zeros(1, 3, dtype=dtype, requires_grad=True)
        o = torch.tensor([[1.0, 2.0, 2.0]], dtype=dtype, requires_grad=True)
        gz, go = torch.autograd.grad(cosine_embedding_loss(z, o, torch.tensor([1])), [z, o])
        rz, ro = torch.autograd.grad(F.cosine_embedding_loss(z, o, torch.tensor([1])), [z, o])
        torch.testing.assert_close(gz, rz)
        torch.testing.assert_close(go, ro)
        torch.testing.assert_close(gz, -torch.tensor([[1.0, 2.0, 2.0]], dtype=dtype) / 3 * 1e6, rtol=1e-5, atol=0)
        assert go.abs().max().item() == 0.0  # c x2 / n2 and x1 / q both vanish
    zz = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    out = cosine_embedding_loss(zz, torch.zeros(2, 3, dtype=torch.float64), torch.tensor([1, -1]), reduction="none")
    assert out.tolist() == [1.0, 0.0]  # c = 0 for two zero vectors
    assert torch.isfinite(torch.autograd.grad(out.sum(), zz)[0]).all()


def test_cosine_embedding_pytorch_returns_zero_for_other_labels_lossbook_raises():
    a, b = torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[-1.0, 0.0], [1.0, 1.0]])
    # pytorch#23782: a {0, 1} label gives its dissimilar pairs (label 0) a loss of 0, and 2 is ignored too
    assert F.cosine_embedding_loss(a, b, torch.tensor([0.0, 0.0]), reduction="none").tolist() == [0.0, 0.0]
    assert F.cosine_embedding_loss(a, b, torch.tensor([2.0, 2.0]), reduction="sum").item() == 0.0
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: target must hold -1 and \+1 only, got the value 0"):
        cosine_embedding_loss(a, b, torch.tensor([0.0, 1.0]))


def test_cosine_embedding_one_pair_and_integer_labels_as_pytorch():
    a, b = torch.tensor([1.0, 2.0, 0.5]), torch.tensor([-0.5, 1.0, 1.0])
    for y in (torch.tensor(1), torch.tensor(-1.0)):
        got = cosine_embedding_loss(a, b, y, margin=-0.2, reduction="none")
        assert got.shape == () and got.item() == pytest.approx(F.cosine_embedding_loss(a, b, y, margin=-0.2, reduction="none").item())


def test_cosine_embedding_errors():
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: margin must be in \[-1.0, 1.0\], got -2.0"):
        cosine_embedding_loss(torch.ones(2, 3), torch.ones(2, 3), torch.ones(2), margin=-2.0)
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: input1 must have shape \(N, D\) or \(D,\), got shape \(\)"):
        cosine_embedding_loss(torch.ones(()), torch.ones(()), torch.ones(()))
    with pytest.raises(TypeError, match="cosine_embedding_loss: input2 must be a floating-point tensor, got dtype torch.int64"):
        cosine_embedding_loss(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.long), torch.ones(2))
    with pytest.raises(ValueError, match=r"CosineEmbeddingLoss: margin must be in \[-1.0, 1.0\], got 1.5"):
        CosineEmbeddingLoss(margin=1.5)


@pytest.mark.parametrize("fn", [contrastive_loss, cosine_embedding_loss])
def test_second_derivatives_of_the_pair_losses(fn):
    g = torch.Generator().manual_seed(3)
    a = torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1, 0, 1, 0, 0]) if fn is contrastive_loss else torch.tensor([1, -1, 1, -1, -1])
    margin = 3.0 if fn is contrastive_loss else -0.9
    assert torch.autograd.gradgradcheck(lambda p, q: fn(p, q, t, margin=margin, reduction="sum"), (a, b))
