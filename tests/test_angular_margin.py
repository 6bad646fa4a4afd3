"""ArcFace and CosFace checks: hand-computed values and gradients, the peers' formulas, the pinned conventions.

The generic suite (value vs insightface's formula written plainly, gradients, gradcheck, dtypes,
extremes, compile, no host sync) is test_losses.py. Chapter: book/representation/angular-margin.ipynb.

Peers re-implemented here, line by line, with the convention mappings:

- insightface, recognition/arcface_torch (commit 2e2e8c97, 2022-01): ``normalize`` and ``linear`` in
  partial_fc, the logits clamped to [-1, 1], then the ``ArcFace`` head (``s=64, margin=0.5``,
  ``easy_margin=False``: threshold ``cos(pi - m)``, fallback ``cos - sin(pi - m) * m``) or the ``CosFace``
  head (``s=64, m=0.40``), then cross-entropy (mean). lossbook's ``weight`` is its ``weight``, ``(C, D)``;
  margins in radians in both.
- insightface's current ``CombinedMarginLoss`` (since 657ae30e, 2022-12) for ArcFace: ``arccos``, add
  ``m2``, ``cos``, all under ``torch.no_grad()``: the same values where theta + m < pi, no fallback, and
  the gradient of the unmodified cosine (straight through the margin).
- pytorch-metric-learning 2.8.1, ``ArcFaceLoss`` / ``CosFaceLoss`` (``LargeMarginSoftmaxLoss``):
  ``W`` of shape ``(D, C)`` (lossbook's ``weight`` is ``W.T``), cosines by ``CosineSimilarity``
  (``F.normalize`` of the embeddings and of ``W.t()``), ArcFace's margin in **degrees**
  (``np.radians(margin)`` inside: lossbook's ``margin`` is ``math.radians(pml_margin)``), angles
  ``acos(clamp(cos, -1, 1))``, the arc where ``angle <= pi - m`` and ``cos(angle) - m sin(m)`` elsewhere,
  logits times ``scale``, per-element cross-entropy averaged by ``MeanReducer``; no weight regulariser
  (its default).
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import ArcFaceLoss, CosFaceLoss, arcface_loss, cosface_loss

D64 = torch.float64


# --- peers ---------------------------------------------------------------------------------------------


def _insightface_logits(embeddings, weight):
    # partial_fc_v2.PartialFC_V2.forward: normalize, linear, clamp
    return F.linear(F.normalize(embeddings), F.normalize(weight)).clamp(-1, 1)


def insightface_arcface(embeddings, weight, labels, s=64.0, margin=0.5):
    # recognition/arcface_torch/losses.py at 2e2e8c97, class ArcFace.forward, easy_margin=False
    cos_m, sin_m = math.cos(margin), math.sin(margin)
    theta, sinmm = math.cos(math.pi - margin), math.sin(math.pi - margin) * margin
    logits = _insightface_logits(embeddings, weight)
    index = torch.where(labels != -1)[0]
    target_logit = logits[index, labels[index].view(-1)]
    sin_theta = torch.sqrt(1.0 - torch.pow(target_logit, 2))
    cos_theta_m = target_logit * cos_m - sin_theta * sin_m
    final_target_logit = torch.where(target_logit > theta, cos_theta_m, target_logit - sinmm)
    logits = logits.clone()  # the original assigns into the linear output in place
    logits[index, labels[index].view(-1)] = final_target_logit
    return F.cross_entropy(logits * s, labels)


def insightface_cosface(embeddings, weight, labels, s=64.0, m=0.40):
    logits = _insightface_logits(embeddings, weight).clone()
    index = torch.where(labels != -1)[0]
    target_logit = logits[index, labels[index].view(-1)]
    logits[index, labels[index].view(-1)] = target_logit - m
    return F.cross_entropy(logits * s, labels)


def insightface_combined_arcface(embeddings, weight, labels, s=64.0, m2=0.5):
    # recognition/arcface_torch/losses.py, CombinedMarginLoss.forward with m1 = 1, m3 = 0 (its ArcFace)
    logits = _insightface_logits(embeddings, weight)
    index_positive = torch.where(labels != -1)[0]
    target_logit = logits[index_positive, labels[index_positive].view(-1)]
    with torch.no_grad():
        target_logit.arccos_()
        logits.arccos_()
        final_target_logit = target_logit + m2
        logits[index_positive, labels[index_positive].view(-1)] = final_target_logit
        logits.cos_()
    return F.cross_entropy(logits * s, labels)


def _pml_cosine(embeddings, W):
    # CosineSimilarity()(embeddings, W.t()): F.normalize both (dim=1), then the matrix of dot products
    return torch.matmul(F.normalize(embeddings, p=2, dim=1), F.normalize(W.t(), p=2, dim=1).t())


def _pml_loss(embeddings, W, labels, modify, scale):
    # LargeMarginSoftmaxLoss.compute_loss, then MeanReducer
    mask = torch.zeros(labels.size(0), W.shape[1], dtype=embeddings.dtype)
    mask[torch.arange(labels.size(0)), labels] = 1
    cosine = _pml_cosine(embeddings, W)
    cosine_of_target_classes = cosine[mask == 1]
    diff = (modify(cosine_of_target_classes) - cosine_of_target_classes).unsqueeze(1)
    logits = (cosine + mask * diff) * scale
    return torch.nn.CrossEntropyLoss(reduction="none")(logits, labels).mean()


def pml_arcface(embeddings, W, labels, margin=28.6, scale=64):
    m = np.radians(margin)

    def modify(cosine_of_target_classes):
        angles = torch.acos(torch.clamp(cosine_of_target_classes, -1, 1))
        return torch.where(angles <= np.deg2rad(180) - m, torch.cos(angles + m), torch.cos(angles) - m * np.sin(m))

    return _pml_loss(embeddings, W, labels, modify, scale)


def pml_cosface(embeddings, W, labels, margin=0.35, scale=64):
    return _pml_loss(embeddings, W, labels, lambda c: c - margin, scale)


def _random(n=12, d=5, c=7, seed=0, x_scale=3.0):
    g = torch.Generator().manual_seed(seed)
    x = x_scale * torch.randn(n, d, generator=g, dtype=D64)
    w = torch.randn(c, d, generator=g, dtype=D64)
    y = torch.randint(0, c, (n,), generator=g)
    return x, w, y


def _grads(fn, x, w, *rest, **kwargs):
    x, w = x.clone().requires_grad_(), w.clone().requires_grad_()
    out = fn(x, w, *rest, **kwargs)
    return (out.detach(), *torch.autograd.grad(out, (x, w)))


def _assert_same(ours, theirs, rtol=1e-12, atol=1e-13):
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=rtol, atol=atol)


# --- hand-computed values and gradients -------------------------------------------------------------------


def _two_centres(phi, r=2.0, dtype=D64):
    """An embedding at angle phi (radius r) and centres e1 (the target) and e2: theta_y = phi, cos theta_1 = sin phi."""
    x = torch.tensor([[r * math.cos(phi), r * math.sin(phi)]], dtype=dtype)
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    return x, w, torch.tensor([0])


@pytest.mark.parametrize("phi", [0.3, 1.0, 2.0, 2.5, 3.0])
def test_arcface_value_and_gradient_by_hand_in_two_dimensions(phi):
    # l = log(1 + exp(s (sin phi - f(phi)))) with f = cos(phi + m) for phi + m < pi, else cos(phi) - m sin(m);
    # dl/dphi = sigmoid(s (sin phi - f)) s (cos phi - f'(phi)), f' = -sin(phi + m) or -sin(phi);
    # dl/dx = dl/dphi (-sin phi, cos phi) / r
    s, m, r = 4.0, 0.5, 2.0
    arc = phi + m < math.pi
    f = math.cos(phi + m) if arc else math.cos(phi) - m * math.sin(m)
    df = -math.sin(phi + m) if arc else -math.sin(phi)
    u = s * (math.sin(phi) - f)
    loss = math.log1p(math.exp(u))
    dphi = s * (math.cos(phi) - df) / (1 + math.exp(-u))
    x, w, y = _two_centres(phi, r)
    value, gx, _ = _grads(arcface_loss, x, w, y, scale=s, margin=m)
    assert value.item() == pytest.approx(loss, rel=1e-12)
    expected = torch.tensor([[-math.sin(phi), math.cos(phi)]], dtype=D64) * dphi / r
    torch.testing.assert_close(gx, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("phi", [0.3, 2.0, 3.0])
def test_cosface_value_and_gradient_by_hand_in_two_dimensions(phi):
    # l = log(1 + exp(s (sin phi - cos phi + m))),  dl/dphi = sigmoid(.) s (cos phi + sin phi)
    s, m, r = 4.0, 0.35, 2.0
    u = s * (math.sin(phi) - math.cos(phi) + m)
    x, w, y = _two_centres(phi, r)
    value, gx, _ = _grads(cosface_loss, x, w, y, scale=s, margin=m)
    assert value.item() == pytest.approx(math.log1p(math.exp(u)), rel=1e-12)
    dphi = s * (math.cos(phi) + math.sin(phi)) / (1 + math.exp(-u))
    torch.testing.assert_close(gx, torch.tensor([[-math.sin(phi), math.cos(phi)]], dtype=D64) * dphi / r, rtol=1e-10, atol=1e-14)


def test_embedding_opposite_its_centre_takes_the_fallback():
    # theta_y = pi: cos(theta + m) = -cos m would be *higher* than at theta = pi - m (-1); the fallback gives
    # cos(pi) - m sin m = -1 - m sin m. Two classes, the other centre orthogonal (cosine 0).
    s, m = 2.0, 0.5
    x = torch.tensor([[-1.0, 0.0]], dtype=D64)
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=D64)
    loss = arcface_loss(x, w, torch.tensor([0]), scale=s, margin=m)
    assert loss.item() == pytest.approx(math.log1p(math.exp(s * (1 + m * math.sin(m)))), rel=1e-12)
    assert loss.item() != pytest.approx(math.log1p(math.exp(s * math.cos(m))), rel=1e-3)


def test_target_logit_is_monotonic_in_the_angle():
    # the embedding turns from its centre (e1) to the opposite side, the other centre (e3) stays orthogonal:
    # the loss log(1 + exp(-s f)) must not decrease, although cos(theta + m) turns back up past pi - m
    s, m = 1.0, 0.5
    theta = torch.linspace(0, math.pi, 2001, dtype=D64)
    x = torch.stack([torch.cos(theta), torch.sin(theta), torch.zeros_like(theta)], dim=1)
    w = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=D64)
    loss = arcface_loss(x, w, torch.zeros(len(theta), dtype=torch.long), scale=s, margin=m, reduction="none")
    assert (torch.diff(loss) >= 0).all()
    without_fallback = torch.log1p(torch.exp(-s * torch.cos(theta + m)))
    assert (torch.diff(without_fallback) < 0).any()  # what the fallback prevents


def test_zero_margin_is_the_normalised_softmax_and_both_losses_agree():
    x, w, y = _random()
    cos = F.normalize(x, dim=1) @ F.normalize(w, dim=1).T
    plain = F.cross_entropy(10.0 * cos, y)
    torch.testing.assert_close(arcface_loss(x, w, y, scale=10.0, margin=0.0), plain, rtol=1e-13, atol=0)
    torch.testing.assert_close(cosface_loss(x, w, y, scale=10.0, margin=0.0), plain, rtol=1e-13, atol=0)
    _assert_same(_grads(arcface_loss, x, w, y, scale=10.0, margin=0.0), _grads(cosface_loss, x, w, y, scale=10.0, margin=0.0))


def test_loss_depends_on_directions_only():
    # rescaling an embedding or a centre changes nothing; the gradient scales by 1 / factor
    x, w, y = _random()
    base = _grads(arcface_loss, x, w, y, scale=8.0)
    scaled = _grads(arcface_loss, 5.0 * x, 0.5 * w, y, scale=8.0)
    torch.testing.assert_close(scaled[0], base[0], rtol=1e-13, atol=0)
    torch.testing.assert_close(scaled[1], base[1] / 5.0, rtol=1e-11, atol=1e-15)
    torch.testing.assert_close(scaled[2], base[2] / 0.5, rtol=1e-11, atol=1e-15)
    # and it is orthogonal to what it differentiates (the loss is constant along each row)
    assert (base[1] * x).sum(1).abs().max() < 1e-12
    assert (base[2] * w).sum(1).abs().max() < 1e-12


# --- the peers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_arcface_equals_insightface_head(seed):
    x, w, y = _random(seed=seed)
    # defaults map one to one: s = 64, margin = 0.5 radians, easy_margin = False; weight (C, D) in both
    _assert_same(_grads(arcface_loss, x, w, y), _grads(insightface_arcface, x, w, y), rtol=1e-10, atol=1e-12)
    _assert_same(
        _grads(arcface_loss, x, w, y, scale=10.0, margin=1.3), _grads(insightface_arcface, x, w, y, s=10.0, margin=1.3),
        rtol=1e-10, atol=1e-12,
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_cosface_equals_insightface_head_with_its_margin(seed):
    x, w, y = _random(seed=seed)
    # insightface's CosFace defaults to m = 0.40; lossbook (with the paper and PML) to 0.35
    _assert_same(_grads(cosface_loss, x, w, y, margin=0.4), _grads(insightface_cosface, x, w, y), rtol=1e-10, atol=1e-12)
    assert cosface_loss(x, w, y).item() != pytest.approx(insightface_cosface(x, w, y).item(), rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_arcface_equals_pytorch_metric_learning(seed):
    x, w, y = _random(seed=seed)
    W = w.T.contiguous()  # PML's W is (D, C)
    # PML's default margin is 28.6 degrees (0.4992 radians), not lossbook's 0.5 radians (28.65 degrees)
    _assert_same(
        _grads(arcface_loss, x, w, y, margin=math.radians(28.6)),
        (lambda v, gx, gW: (v, gx, gW.T))(*_grads(pml_arcface, x, W, y)),
        rtol=1e-9, atol=1e-11,
    )
    _assert_same(
        _grads(arcface_loss, x, w, y, scale=5.0, margin=1.2),
        (lambda v, gx, gW: (v, gx, gW.T))(*_grads(pml_arcface, x, W, y, margin=math.degrees(1.2), scale=5.0)),
        rtol=1e-9, atol=1e-11,
    )
    assert arcface_loss(x, w, y).item() != pytest.approx(pml_arcface(x, W, y).item(), rel=1e-9)  # 0.5 rad != 28.6 deg


def test_cosface_equals_pytorch_metric_learning():
    x, w, y = _random(seed=3)
    ours = _grads(cosface_loss, x, w, y)
    v, gx, gW = _grads(pml_cosface, x, w.T.contiguous(), y)
    _assert_same(ours, (v, gx, gW.T), rtol=1e-10, atol=1e-12)


def test_fallback_is_taken_in_these_comparisons():
    # the peer comparisons above are only meaningful for the fallback if some target angle exceeds pi - m
    x, w, y = _random(seed=0)
    cos = (F.normalize(x, dim=1) @ F.normalize(w, dim=1).T).gather(1, y[:, None])
    assert (torch.acos(cos) >= math.pi - 1.3).any() and (torch.acos(cos) < math.pi - 1.3).any()


def test_insightface_combined_margin_loss_same_values_where_no_fallback_but_straight_through_gradient():
    x, w, y = _random(seed=4, x_scale=1.0)
    cos = (F.normalize(x, dim=1) @ F.normalize(w, dim=1).T).gather(1, y[:, None])
    assert (torch.acos(cos) < math.pi - 0.5).all()  # no fallback in this draw
    ours = _grads(arcface_loss, x, w, y, scale=8.0)
    theirs = _grads(insightface_combined_arcface, x, w, y, s=8.0)
    torch.testing.assert_close(ours[0], theirs[0], rtol=1e-12, atol=0)
    # its gradient omits f'(cos theta) = sin(theta + m) / sin(theta) at the target: a different vector field
    assert (ours[1] - theirs[1]).abs().max() > 1e-2


# --- numerics: |cos| -> 1, zero vectors, large coordinates ---------------------------------------------------


def test_gradient_at_the_peak_is_finite_where_naive_autograd_gives_nan():
    # an embedding exactly on its centre: cos = 1, sin = 0; insightface's sqrt(1 - cos^2) differentiated by
    # autograd is 0 * inf there; lossbook takes cot(theta) = 0 (the subgradient 0 of the peak of cos(theta + m))
    x = torch.tensor([[2.0, 0.0, 0.0], [0.5, 1.0, -1.0]], dtype=D64)
    w = torch.tensor([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=D64)
    y = torch.tensor([0, 1])
    _, gx_ref, gw_ref = _grads(insightface_arcface, x, w, y, s=4.0)
    assert not torch.isfinite(gx_ref).all()
    _, gx_pml, _ = _grads(pml_arcface, x, w.T.contiguous(), y, margin=28.6, scale=4.0)
    assert not torch.isfinite(gx_pml).all()  # acos at 1
    value, gx, gw = _grads(arcface_loss, x, w, y, scale=4.0)
    assert torch.isfinite(value) and torch.isfinite(gx).all() and torch.isfinite(gw).all()
    # with cot = 0, the target term's gradient is cos m (w_hat - cos x_hat) / |x| = 0: only the other classes push,
    # and the second row (away from any peak) is insightface's
    p = torch.softmax(4.0 * torch.tensor([math.cos(0.5), 0.0, 0.0], dtype=D64), 0)
    expected_first = 4.0 * torch.stack([torch.zeros((), dtype=D64), p[1], p[2]]) / 2 / 2  # mean over 2 rows, |x| = 2
    torch.testing.assert_close(gx[0], expected_first, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(gx[1], gx_ref[1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("phi", [1e-3, 1e-4, 1e-5])
def test_gradient_near_the_peak_is_the_limit_of_the_formula_in_float64(phi):
    # as theta -> 0, sin(theta + m) / sin(theta) -> inf, but the embedding's gradient tends to s (1 - p) sin m
    # along the tangent, plus the other class's push: the 2-D hand formula holds down to small angles
    s, m, r = 4.0, 0.5, 2.0
    u = s * (math.sin(phi) - math.cos(phi + m))
    dphi = s * (math.cos(phi) + math.sin(phi + m)) / (1 + math.exp(-u))
    x, w, y = _two_centres(phi, r)
    _, gx, _ = _grads(arcface_loss, x, w, y, scale=s, margin=m)
    expected = torch.tensor([[-math.sin(phi), math.cos(phi)]], dtype=D64) * dphi / r
    torch.testing.assert_close(gx, expected, rtol=1e-4 if phi < 1e-4 else 1e-6, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradient_near_the_peak_stays_bounded(dtype):
    # the bound: |d l / d x| <= s (1 + sin m) / |x| for two classes (both pushes, each at most s / |x|)
    s, m, r = 64.0, 0.5, 2.0
    for phi in (1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 0.0):
        x, w, y = _two_centres(phi, r, dtype)
        x.requires_grad_()
        w.requires_grad_()
        (gx, gw) = torch.autograd.grad(arcface_loss(x, w, y, scale=s, margin=m), (x, w))
        assert torch.isfinite(gx).all() and torch.isfinite(gw).all()
        assert gx.norm() <= s * (1 + math.sin(m)) / r * (1 + 1e-3)


@pytest.mark.parametrize("fn", [arcface_loss, cosface_loss])
def test_zero_embedding_and_zero_centre(fn):
    # F.normalize maps a zero vector to 0: cosine 0 with every centre (and every embedding with a zero centre);
    # the value is log(e^{s f(0)} + C - 1) - s f(0), with f(0) = cos(pi/2 + m) = -sin m (ArcFace) or -m (CosFace),
    # and the gradient is F.normalize's: finite (g / 1e-12)
    s, m = 4.0, 0.5
    x = torch.zeros(1, 3, dtype=D64)
    w = torch.randn(4, 3, dtype=D64, generator=torch.Generator().manual_seed(0))
    f0 = -math.sin(m) if fn is arcface_loss else -m
    value, gx, gw = _grads(fn, x, w, torch.tensor([2]), scale=s, margin=m)
    assert value.item() == pytest.approx(math.log(math.exp(s * f0) + 3) - s * f0, rel=1e-12)
    assert torch.isfinite(gx).all() and torch.isfinite(gw).all() and gx.abs().max() > 1e10
    reference = insightface_arcface if fn is arcface_loss else insightface_cosface
    kwargs = {"margin": m} if fn is arcface_loss else {"m": m}
    _assert_same((value, gx, gw), _grads(reference, x, w, torch.tensor([2]), s=s, **kwargs), rtol=1e-10, atol=1e-12)
    # a zero centre
    x2 = torch.randn(3, 3, dtype=D64, generator=torch.Generator().manual_seed(1))
    w2 = torch.cat([torch.zeros(1, 3, dtype=D64), w[1:]])
    out = _grads(fn, x2, w2, torch.tensor([0, 1, 0]), scale=s, margin=m)
    assert all(torch.isfinite(t).all() for t in out)
    _assert_same(out, _grads(reference, x2, w2, torch.tensor([0, 1, 0]), s=s, **kwargs), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_coordinates(dtype):
    x = torch.tensor([[1e4, -1e4, 3.0], [-1e4, 0.0, 1e4]], dtype=dtype)
    w = torch.tensor([[1e4, 0.0, 0.0], [0.0, -1e4, 1.0], [1.0, 1.0, 1.0]], dtype=dtype)
    for fn in (arcface_loss, cosface_loss):
        value, gx, gw = _grads(fn, x, w, torch.tensor([1, 2]))
        assert torch.isfinite(value) and torch.isfinite(gx).all() and torch.isfinite(gw).all()
        same = _grads(fn, x / 1e4, w / 1e4, torch.tensor([1, 2]))  # directions only
        torch.testing.assert_close(value, same[0], rtol=1e-5, atol=1e-5)


# --- options, shapes, module --------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("margin", [0.0, 0.5, math.pi / 2])
def test_gradcheck_larger_shapes_and_the_margin_range(reduction, margin):
    x, w, y = _random(n=5, d=4, c=6, seed=7)
    x, w = x.requires_grad_(), w.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: arcface_loss(a, b, y, scale=3.0, margin=margin, reduction=reduction), (x, w))
    assert torch.autograd.gradcheck(lambda a, b: cosface_loss(a, b, y, scale=3.0, margin=2 * margin, reduction=reduction), (x, w))


def test_only_one_argument_needs_a_gradient():
    x, w, y = _random()
    _, gx, gw = _grads(arcface_loss, x, w, y, scale=6.0)
    xl = x.clone().requires_grad_()
    (gx_only,) = torch.autograd.grad(arcface_loss(xl, w, y, scale=6.0), [xl])
    wl = w.clone().requires_grad_()
    (gw_only,) = torch.autograd.grad(arcface_loss(x, wl, y, scale=6.0), [wl])
    torch.testing.assert_close(gx_only, gx, rtol=0, atol=0)
    torch.testing.assert_close(gw_only, gw, rtol=0, atol=0)
    assert arcface_loss(x, w, y).grad_fn is None  # nothing needs a gradient


def test_modules_hold_options_only_and_train_a_linear_head():
    # the centres are the head's weight, (C, D) = (out_features, in_features): the model's optimizer updates them
    for cls, fn in ((ArcFaceLoss, arcface_loss), (CosFaceLoss, cosface_loss)):
        loss_fn = cls(scale=8.0, margin=0.3)
        assert list(loss_fn.parameters()) == []
        assert "scale=8.0, margin=0.3, reduction='mean'" in repr(loss_fn)
        torch.manual_seed(0)
        head = torch.nn.Linear(5, 7, bias=False).double()
        x, _, y = _random()
        opt = torch.optim.SGD(head.parameters(), lr=0.1)
        before = fn(x, head.weight, y, scale=8.0, margin=0.3).item()
        for _ in range(20):
            opt.zero_grad()
            loss_fn(x, head.weight, y).backward()
            opt.step()
        assert fn(x, head.weight, y, scale=8.0, margin=0.3).item() < before


def test_module_checks_its_options():
    with pytest.raises(ValueError, match=r"ArcFaceLoss: margin must be in \[0, pi/2\] radians, got 28.6 \(pytorch-metric-learning's margin is in degrees: 28.6 degrees is math.radians\(28.6\) = 0.4992\)"):
        ArcFaceLoss(margin=28.6)
    with pytest.raises(ValueError, match=r"CosFaceLoss: scale must be in \(0.0, inf\), got -1.0"):
        CosFaceLoss(scale=-1.0)
    with pytest.raises(ValueError, match=r"cosface_loss: margin must be in \[0.0, inf\), got inf"):
        cosface_loss(torch.zeros(2, 3), torch.ones(4, 3), torch.tensor([0, 1]), margin=math.inf)


def test_second_derivatives_are_refused():
    x, w, y = _random()
    x.requires_grad_()
    with pytest.raises(RuntimeError, match="arcface_loss, cosface_loss: its hand-written backward gives first derivatives only"):
        torch.autograd.grad(arcface_loss(x, w, y), x, create_graph=True)
