"""InfoNCE and SupCon (``lossbook/losses/representation/contrastive.py``): hand values, the peers, the pinned edge cases.

The peers are re-implemented here line by line (neither is a dependency):

- **SupContrast** (HobbitLong/SupContrast ``losses.py``, ``SupConLoss.forward`` with
  ``contrast_mode='all'``): features ``(bsz, n_views, D)``, labels ``(bsz,)``. Mapping to
  lossbook: ``features = F.normalize(torch.cat(f.unbind(1)))`` (the official code does not
  normalise; its callers do), ``labels.repeat(n_views)`` (its view-major order), the same
  ``temperature``, and its ``base_temperature`` equal to ``temperature`` (lossbook has no
  factor tau / base_tau). Its log has no epsilon (``torch.log(exp_logits.sum(1, keepdim=True))``,
  unchanged since its first commit; many copies of it add one). Before SupContrast PR#142
  (merged December 2023) its ``mean_log_prob_pos = ... / mask.sum(1)`` was NaN for an anchor
  without positives; the fix (divide by 1 there, ``pr142=True`` below) gives that anchor 0
  but still averages over all anchors, where lossbook averages over anchors with a positive.
- **CLIP** (openai/CLIP ``model.py`` and open_clip's ``ClipLoss``): features divided by their
  norms, ``logits_per_image = logit_scale * image @ text.T``, loss the mean of the two
  cross-entropies with labels ``arange(N)``. Mapping: ``query`` = image features, ``key`` =
  text features, ``temperature = 1 / logit_scale``, ``symmetric=True``, ``reduction='mean'``.
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import InfoNCELoss, SupConLoss, info_nce_loss, supcon_loss
from lossbook.losses.representation.contrastive import _info_nce

F64 = dict(rtol=1e-10, atol=1e-12)


def official_supcon(features, labels, temperature=0.07, base_temperature=0.07, pr142=False):
    """HobbitLong/SupContrast ``SupConLoss.forward``, ``contrast_mode='all'``, line by line (``pr142``: with the fix of PR#142)."""
    batch_size = features.shape[0]
    labels = labels.contiguous().view(-1, 1)
    mask = torch.eq(labels, labels.T).to(features.dtype)
    contrast_count = features.shape[1]
    contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
    anchor_feature, anchor_count = contrast_feature, contrast_count
    anchor_dot_contrast = torch.div(torch.matmul(anchor_feature, contrast_feature.T), temperature)
    logits_max, _ = torch.max(anchor_dot_contrast, dim=1, keepdim=True)
    logits = anchor_dot_contrast - logits_max.detach()
    mask = mask.repeat(anchor_count, contrast_count)
    logits_mask = torch.scatter(torch.ones_like(mask), 1, torch.arange(batch_size * anchor_count).view(-1, 1), 0)
    mask = mask * logits_mask
    exp_logits = torch.exp(logits) * logits_mask
    log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
    positives = mask.sum(1)
    if pr142:
        positives = torch.where(positives < 1e-6, 1, positives)
    mean_log_prob_pos = (mask * log_prob).sum(1) / positives
    loss = -(temperature / base_temperature) * mean_log_prob_pos
    return loss.view(anchor_count, batch_size).mean()


def clip_loss(image_features, text_features, logit_scale):
    """openai/CLIP's logits (features / their norms) and open_clip's ClipLoss (the mean of both cross-entropies)."""
    image_features = image_features / image_features.norm(dim=1, keepdim=True)
    text_features = text_features / text_features.norm(dim=1, keepdim=True)
    logits_per_image = logit_scale * image_features @ text_features.t()
    logits_per_text = logits_per_image.t()
    labels = torch.arange(image_features.shape[0])
    return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2


def _grads(fn, *args):
    leaves = [a.detach().clone().requires_grad_(a.is_floating_point()) for a in args]
    out = fn(*leaves)
    return out.detach(), torch.autograd.grad(out, [x for x in leaves if x.requires_grad])


# --- hand-computed values -----------------------------------------------------------------------------


def test_info_nce_hand_value():
    # q = k = I (2 x 2), tau = 1: S = I, each row -log(e / (e + 1)) = log(1 + e^-1)
    eye = torch.eye(2, dtype=torch.float64)
    expected = math.log1p(math.exp(-1.0))
    out = info_nce_loss(eye, eye, temperature=1.0, reduction="none")
    torch.testing.assert_close(out, torch.full((2,), expected, dtype=torch.float64), **F64)
    # norms do not matter (normalised inside), and the symmetric form is the same on a symmetric S
    torch.testing.assert_close(info_nce_loss(3 * eye, 0.5 * eye, temperature=1.0, symmetric=True), torch.tensor(expected, dtype=torch.float64), **F64)


def test_info_nce_symmetric_hand_value():
    # q = (e1, e1), k = (e1, e2), tau = 1: S = [[1, 0], [1, 0]]
    # rows: log(e + 1) - 1 and log(e + 1) - 0; columns: log(2e) - 1 = log 2 and log(2) - 0
    q = torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    rows = [math.log(math.e + 1) - 1, math.log(math.e + 1)]
    cols = [math.log(2.0), math.log(2.0)]
    out = info_nce_loss(q, k, temperature=1.0, symmetric=True, reduction="none")
    torch.testing.assert_close(out, torch.tensor([(r + c) / 2 for r, c in zip(rows, cols)], dtype=torch.float64), **F64)
    torch.testing.assert_close(info_nce_loss(q, k, temperature=1.0, symmetric=True, reduction="sum"), out.sum(), **F64)


def test_supcon_hand_value():
    # z1 = z2 = e1, z3 = e2, labels (0, 0, 1), tau = 1: anchor 1 sees S12 = 1 (positive), S13 = 0
    # l1 = l2 = log(e + 1) - 1; anchor 3 has no positive: 0, and 'mean' divides by 2 anchors
    f = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([0, 0, 1])
    l1 = math.log(math.e + 1) - 1
    torch.testing.assert_close(supcon_loss(f, y, temperature=1.0, reduction="none"), torch.tensor([l1, l1, 0.0], dtype=torch.float64), **F64)
    torch.testing.assert_close(supcon_loss(f, y, temperature=1.0), torch.tensor(l1, dtype=torch.float64), **F64)
    torch.testing.assert_close(supcon_loss(f, y, temperature=1.0, reduction="sum"), torch.tensor(2 * l1, dtype=torch.float64), **F64)


def test_supcon_two_positives_hand_value():
    # z = (e1, e1, e2, -e1), labels (0, 0, 0, 1), tau = 1: anchor 1: A = {2, 3, 4} with S = (1, 0, -1),
    # P = {2, 3}: l1 = lse(1, 0, -1) - (1 + 0) / 2
    f = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([0, 0, 0, 1])
    lse = math.log(math.e + 1 + math.exp(-1))
    out = supcon_loss(f, y, temperature=1.0, reduction="none")
    torch.testing.assert_close(out[0], torch.tensor(lse - 0.5, dtype=torch.float64), **F64)
    assert out[3] == 0


# --- the peers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_views", [2, 3])
@pytest.mark.parametrize("temperature", [0.07, 0.1, 0.5])
def test_supcon_equals_official_supcontrast(n_views, temperature):
    g = torch.Generator().manual_seed(n_views)
    bsz, d = 6, 5
    views = F.normalize(torch.randn(bsz, n_views, d, generator=g, dtype=torch.float64), dim=2)
    labels = torch.tensor([0, 1, 0, 2, 1, 3])  # class 3 once: its other views are still its positives
    features = torch.cat(views.unbind(1))  # view-major, as the official code's contrast_feature
    ours, ours_grad = _grads(lambda f: supcon_loss(f, labels.repeat(n_views), temperature=temperature), features)
    # the official model normalises its features before the loss (SupConResNet.forward): so does the reference
    ref, ref_grad = _grads(
        lambda f: official_supcon(F.normalize(f, dim=1).view(n_views, bsz, d).transpose(0, 1), labels, temperature, temperature),
        features,
    )
    torch.testing.assert_close(ours, ref, **F64)
    torch.testing.assert_close(ours_grad[0], ref_grad[0], **F64)
    # every anchor has a positive here (n_views >= 2): the fix of PR#142 changes nothing
    torch.testing.assert_close(official_supcon(views, labels, temperature, temperature, pr142=True), ours, **F64)
    # base_temperature: the official loss is lossbook's times tau / base_tau
    scaled = official_supcon(views, labels, temperature, 0.07)
    torch.testing.assert_close(scaled, ours * temperature / 0.07, **F64)


def test_supcon_anchor_without_positive_official_vs_lossbook():
    # one view, a singleton class: the official code before PR#142 gives NaN; after it the anchor gives 0 but counts in the mean
    f = F.normalize(torch.randn(5, 1, 3, dtype=torch.float64), dim=2)
    labels = torch.tensor([0, 0, 1, 1, 2])
    assert torch.isnan(official_supcon(f, labels, 0.1, 0.1))
    fixed = official_supcon(f, labels, 0.1, 0.1, pr142=True)
    ours = supcon_loss(f[:, 0], labels, temperature=0.1, reduction="none")
    assert ours[4] == 0
    torch.testing.assert_close(fixed, ours.sum() / 5, **F64)  # official: over all 5 anchors
    torch.testing.assert_close(supcon_loss(f[:, 0], labels, temperature=0.1), ours.sum() / 4, **F64)  # lossbook: over 4


@pytest.mark.parametrize("logit_scale", [1 / 0.07, 100.0, 2.0])
def test_symmetric_info_nce_equals_clip(logit_scale):
    g = torch.Generator().manual_seed(0)
    image, text = (torch.randn(7, 6, generator=g, dtype=torch.float64) for _ in range(2))
    ours, ours_grads = _grads(lambda i, t: info_nce_loss(i, t, temperature=1 / logit_scale, symmetric=True), image, text)
    ref, ref_grads = _grads(lambda i, t: clip_loss(i, t, logit_scale), image, text)
    torch.testing.assert_close(ours, ref, **F64)
    for a, b in zip(ours_grads, ref_grads):
        torch.testing.assert_close(a, b, **F64)


def test_info_nce_one_direction_is_cpc_cross_entropy():
    # symmetric=False: cross_entropy of the similarity rows against arange(N), i.e. the image-to-text half of CLIP
    g = torch.Generator().manual_seed(1)
    q, k = (torch.randn(5, 3, generator=g, dtype=torch.float64) for _ in range(2))
    logits = F.normalize(q) @ F.normalize(k).T / 0.3
    torch.testing.assert_close(info_nce_loss(q, k, temperature=0.3), F.cross_entropy(logits, torch.arange(5)), **F64)
    torch.testing.assert_close(info_nce_loss(k, q, temperature=0.3), F.cross_entropy(logits.T, torch.arange(5)), **F64)


def test_supcon_with_instance_labels_is_simclr_nt_xent():
    # SimCLR's NT-Xent over 2N views: the positive of view i is the other view of its example; negatives: all other 2N - 2
    g = torch.Generator().manual_seed(2)
    n = 4
    z = torch.randn(2 * n, 3, generator=g, dtype=torch.float64)
    s = F.normalize(z) @ F.normalize(z).T / 0.5
    s = s.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    nt_xent = F.cross_entropy(s, partner)
    torch.testing.assert_close(supcon_loss(z, torch.arange(n).repeat(2), temperature=0.5), nt_xent, **F64)


# --- the core: more keys than queries, positives anywhere (cross-rank InfoNCE) --------------------------


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_core_with_more_keys_and_given_positives(reduction):
    g = torch.Generator().manual_seed(3)
    q = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    k = torch.randn(10, 3, generator=g, dtype=torch.float64, requires_grad=True)
    positive = torch.tensor([7, 2, 2, 9])
    out = _info_nce(q, k, positive, temperature=0.2, reduction=reduction)
    ref = F.cross_entropy(F.normalize(q) @ F.normalize(k).T / 0.2, positive, reduction=reduction)
    torch.testing.assert_close(out, ref, **F64)
    up = torch.rand(out.shape, generator=g, dtype=torch.float64)
    for a, b in zip(torch.autograd.grad(out, (q, k), up), torch.autograd.grad(ref, (q, k), up)):
        torch.testing.assert_close(a, b, **F64)
    assert torch.autograd.gradcheck(lambda a, b: _info_nce(a, b, positive, temperature=0.2, reduction=reduction), (q, k))


def test_core_symmetric_with_a_permutation():
    g = torch.Generator().manual_seed(4)
    q, k = (torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(2))
    perm = torch.tensor([3, 0, 4, 1, 2])
    # keys permuted with their positives: the same loss as the diagonal one on k[perm]
    out = _info_nce(q, k, perm, temperature=0.3, symmetric=True, reduction="none")
    ref = info_nce_loss(q, k[perm], temperature=0.3, symmetric=True, reduction="none")
    torch.testing.assert_close(out, ref, **F64)
    assert torch.autograd.gradcheck(lambda a, b: _info_nce(a, b, perm, temperature=0.3, symmetric=True, reduction="none"), (q, k))


# --- pinned edge cases --------------------------------------------------------------------------------


def test_supcon_no_anchor_with_a_positive_is_zero_without_warning():
    f = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    for reduction in ("mean", "sum", "none"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = supcon_loss(f, torch.arange(5), reduction=reduction)
        assert (out == 0).all() and out.shape == ((5,) if reduction == "none" else ())
        (grad,) = torch.autograd.grad(out.sum(), f)
        assert (grad == 0).all()
    one = torch.randn(1, 3, requires_grad=True)  # a batch of one: A(i) is empty too
    out = supcon_loss(one, torch.tensor([0]))
    out.backward()
    assert out == 0 and (one.grad == 0).all()


def test_supcon_compiles_without_positives():
    torch._dynamo.reset()
    f = torch.randn(6, 3, dtype=torch.float64)
    compiled = torch.compile(supcon_loss, fullgraph=True, backend="aot_eager", dynamic=False)
    for labels in (torch.arange(6), torch.tensor([0, 0, 1, 2, 2, 3])):
        torch.testing.assert_close(compiled(f, labels), supcon_loss(f, labels), **F64)


@pytest.mark.parametrize("fn", ["info_nce", "info_nce_symmetric", "supcon"])
def test_zero_vectors_and_equal_embeddings_match_autograd_of_f_normalize(fn):
    # zero rows keep F.normalize's convention: u = 0 and a gradient g / 1e-12, finite
    x = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.5, -1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    labels = torch.tensor([0, 0, 1, 1, 0])
    if fn == "supcon":
        ours = _grads(lambda a: supcon_loss(a, labels, temperature=0.1, reduction="sum"), x)
        s = F.normalize(x) @ F.normalize(x).T
        ref = _grads(lambda a: _plain_supcon(a, labels, 0.1), x)
    else:
        sym = fn.endswith("symmetric")
        ours = _grads(lambda a, b: info_nce_loss(a, b, temperature=0.1, symmetric=sym, reduction="sum"), x, y)
        ref = _grads(lambda a, b: _plain_info_nce(a, b, 0.1, sym), x, y)
        s = F.normalize(x) @ F.normalize(y).T
    assert torch.isfinite(s).all()
    torch.testing.assert_close(ours[0], ref[0], **F64)
    for a, b in zip(ours[1], ref[1]):
        assert torch.isfinite(a).all()
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12 * max(1.0, b.abs().max().item()))


def test_all_equal_embeddings_give_log_n():
    x = torch.ones(6, 4, requires_grad=True)
    out = info_nce_loss(x, x.detach() * 3, temperature=0.05)
    out.backward()
    torch.testing.assert_close(out, torch.tensor(math.log(6)))
    assert torch.isfinite(x.grad).all() and x.grad.abs().max() < 1e-5  # every row is at a stationary point of S


def test_large_and_small_temperatures_stay_finite():
    g = torch.Generator().manual_seed(5)
    q, k = torch.randn(8, 4, generator=g), torch.randn(8, 4, generator=g)
    for t in (1e-4, 1e-2, 1e4):
        for sym in (False, True):
            q1, k1 = q.clone().requires_grad_(), k.clone().requires_grad_()
            out = info_nce_loss(q1, k1, temperature=t, symmetric=sym)
            out.backward()
            assert torch.isfinite(out) and torch.isfinite(q1.grad).all() and torch.isfinite(k1.grad).all()
        f = q.clone().requires_grad_()
        out = supcon_loss(f, torch.tensor([0, 1, 0, 1, 2, 2, 3, 3]), temperature=t)
        out.backward()
        assert torch.isfinite(out) and torch.isfinite(f.grad).all()


def test_second_derivatives_are_refused():
    q = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="info_nce_loss: its hand-written backward gives first derivatives only"):
        torch.autograd.grad(info_nce_loss(q, torch.randn(3, 2, dtype=torch.float64)), q, create_graph=True)
    with pytest.raises(RuntimeError, match="supcon_loss: its hand-written backward gives first derivatives only"):
        torch.autograd.grad(supcon_loss(q, torch.tensor([0, 0, 1])), q, create_graph=True)


def test_modules_hold_options():
    assert repr(InfoNCELoss(temperature=0.2, symmetric=True)) == "InfoNCELoss(temperature=0.2, symmetric=True, reduction='mean')"
    assert repr(SupConLoss()) == "SupConLoss(temperature=0.1, reduction='mean')"
    with pytest.raises(ValueError, match=r"InfoNCELoss: temperature must be in \(0.0, inf\), got 0"):
        InfoNCELoss(temperature=0)
    with pytest.raises(ValueError, match=r"SupConLoss: reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
        SupConLoss(reduction="avg")


# --- plain formulas (autograd through F.normalize) ---------------------------------------------------


def _plain_info_nce(q, k, t, symmetric):
    s = F.normalize(q) @ F.normalize(k).T / t
    labels = torch.arange(q.shape[0])
    loss = F.cross_entropy(s, labels, reduction="none")
    if symmetric:
        loss = (loss + F.cross_entropy(s.T, labels, reduction="none")) / 2
    return loss.sum()


def _plain_supcon(f, labels, t):
    z = F.normalize(f)
    n = z.shape[0]
    eye = torch.eye(n, dtype=torch.bool)
    s = (z @ z.T / t).masked_fill(eye, float("-inf"))
    log_prob = s - torch.logsumexp(s, 1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~eye
    return (-torch.where(pos, log_prob, 0.0).sum(1) / pos.sum(1).clamp_min(1)).sum()
