"""ListNet, ListMLE and ApproxNDCG checks: hand values, allRank's code re-implemented, degenerate and padded lists.

The generic suite (value vs the plain formulas, gradients, gradcheck, dtypes, extremes) is
test_losses.py. Chapter: book/structured/listwise-ranking.ipynb.

allRank (c884756, ``allrank/models/losses/``) is re-implemented below line by line. Its
conventions and how they map onto lossbook's:

- padding: allRank marks a padded item by ``y_true == padded_value_indicator`` (-1) and sets
  its score and relevance to -inf; lossbook takes ``mask = relevance != -1``;
- reduction: allRank returns the mean over all lists of each list's value (``torch.mean``);
  lossbook's ``'mean'`` leaves out degenerate lists, so lists are compared with ``'none'``;
- ``listNet``: ``log(softmax + eps)``, eps=1e-10; lossbook has no floor (equal where every
  probability is far above 1e-10, different below);
- ``listMLE``: a random permutation (``torch.randperm``) before the sort, so ties are broken
  at random; on lists without ties it equals lossbook, whose ties go by item index; it also
  adds eps=1e-10 inside the log of the cumulative sums;
- ``approxNDCGLoss``: returns ``-mean(ApproxNDCG)``; lossbook's per-list value is
  ``1 - ApproxNDCG`` = 1 + allRank's per-list value; sigmoids floored at eps, IDCG at eps, so
  a list without a relevant item gets ApproxNDCG 0 (loss 1) where lossbook gives 0 and leaves
  it out; allRank's ``alpha`` is lossbook's ``1 / temperature``.
"""

import math

import pytest
import torch

from lossbook.losses import (
    ApproxNDCGLoss,
    ListMLELoss,
    ListNetLoss,
    approx_ndcg_loss,
    listmle_loss,
    listnet_loss,
)

EPS = 1e-10  # allRank's DEFAULT_EPS
PAD = -1  # allRank's PADDED_Y_VALUE
LOSSES = [listnet_loss, listmle_loss, approx_ndcg_loss]


# --- allRank, re-implemented (each list's value, before allRank's final mean) -------------------


def allrank_listnet(y_pred, y_true, eps=EPS, padded_value_indicator=PAD):
    y_pred, y_true = y_pred.clone(), y_true.clone()
    mask = y_true == padded_value_indicator
    y_pred[mask] = float("-inf")
    y_true[mask] = float("-inf")
    preds_smax = torch.softmax(y_pred, dim=1)
    true_smax = torch.softmax(y_true, dim=1)
    preds_smax = preds_smax + eps
    preds_log = torch.log(preds_smax)
    return -torch.sum(true_smax * preds_log, dim=1)  # allRank: torch.mean of this


def allrank_listmle(y_pred, y_true, eps=EPS, padded_value_indicator=PAD, permutation=None):
    random_indices = torch.randperm(y_pred.shape[-1]) if permutation is None else permutation
    y_pred_shuffled = y_pred[:, random_indices]
    y_true_shuffled = y_true[:, random_indices]
    y_true_sorted, indices = y_true_shuffled.sort(descending=True, dim=-1)
    mask = y_true_sorted == padded_value_indicator
    preds_sorted_by_true = torch.gather(y_pred_shuffled, dim=1, index=indices)
    preds_sorted_by_true[mask] = float("-inf")
    max_pred_values, _ = preds_sorted_by_true.max(dim=1, keepdim=True)
    preds_sorted_by_true_minus_max = preds_sorted_by_true - max_pred_values
    cumsums = torch.cumsum(preds_sorted_by_true_minus_max.exp().flip(dims=[1]), dim=1).flip(dims=[1])
    observation_loss = torch.log(cumsums + eps) - preds_sorted_by_true_minus_max
    observation_loss[mask] = 0.0
    return torch.sum(observation_loss, dim=1)  # allRank: torch.mean of this


def allrank_approx_ndcg(y_pred, y_true, eps=EPS, padded_value_indicator=PAD, alpha=1.0):
    y_pred, y_true = y_pred.clone(), y_true.clone()
    padded_mask = y_true == padded_value_indicator
    y_pred[padded_mask] = float("-inf")
    y_true[padded_mask] = float("-inf")
    y_pred_sorted, indices_pred = y_pred.sort(descending=True, dim=-1)
    y_true_sorted, _ = y_true.sort(descending=True, dim=-1)
    true_sorted_by_preds = torch.gather(y_true, dim=1, index=indices_pred)
    true_diffs = true_sorted_by_preds[:, :, None] - true_sorted_by_preds[:, None, :]
    padded_pairs_mask = torch.isfinite(true_diffs)
    padded_pairs_mask.diagonal(dim1=-2, dim2=-1).zero_()
    true_sorted_by_preds.clamp_(min=0.0)
    y_true_sorted.clamp_(min=0.0)
    pos_idxs = torch.arange(1, y_pred.shape[1] + 1)
    D = torch.log2(1.0 + pos_idxs.to(y_pred.dtype))[None, :]
    maxDCGs = torch.sum((torch.pow(2, y_true_sorted) - 1) / D, dim=-1).clamp(min=eps)
    G = (torch.pow(2, true_sorted_by_preds) - 1) / maxDCGs[:, None]
    scores_diffs = y_pred_sorted[:, :, None] - y_pred_sorted[:, None, :]
    scores_diffs[~padded_pairs_mask] = 0.0
    approx_pos = 1.0 + torch.sum(padded_pairs_mask.to(y_pred.dtype) * (torch.sigmoid(-alpha * scores_diffs).clamp(min=eps)), dim=-1)
    approx_D = torch.log2(1.0 + approx_pos)
    approx_NDCG = torch.sum((G / approx_D), dim=-1)
    return -approx_NDCG  # allRank: -torch.mean(approx_NDCG)


def _padded_batch(seed=0, n=6, length=7, ties=False):
    """Scores, relevance with allRank's -1 padding, and lossbook's mask = relevance != -1 (float64)."""
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(n, length, generator=g, dtype=torch.float64)
    r = (torch.randint(0, 4, (n, length), generator=g) if ties else 3 * torch.rand(n, length, generator=g)).to(torch.float64)
    lengths = torch.randint(2, length + 1, (n,), generator=g)
    lengths[0] = length
    mask = torch.arange(length) < lengths[:, None]
    return s, torch.where(mask, r, float(PAD)), mask


# --- hand-computed values ----------------------------------------------------------------------


def test_listnet_hand_value():
    # s = (log 3, 0), r = (0, 0) -> q = (1/2, 1/2), p = (3/4, 1/4): but equal relevance is degenerate (0)
    s = torch.tensor([[math.log(3.0), 0.0]], dtype=torch.float64)
    assert listnet_loss(s, torch.zeros(1, 2, dtype=torch.float64), reduction="none").item() == 0.0
    # r = (log 3, 0): q = p = (3/4, 1/4), the loss is the entropy H(q) = -(3/4 log 3/4 + 1/4 log 1/4)
    r = torch.tensor([[math.log(3.0), 0.0]], dtype=torch.float64)
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert listnet_loss(s, r).item() == pytest.approx(expected, rel=1e-12)
    s.requires_grad_(True)
    listnet_loss(s, r).backward()
    torch.testing.assert_close(s.grad, torch.zeros_like(s), atol=1e-15, rtol=0)  # p - q = 0 at the minimum


def test_listmle_hand_value_and_tie_rule():
    # order (0, 1, 2) for s = (0, 0, 0): -log(1/3 * 1/2 * 1) = log 6
    s = torch.zeros(1, 3, dtype=torch.float64)
    assert listmle_loss(s, torch.tensor([[2.0, 1.0, 0.0]])).item() == pytest.approx(math.log(6.0), rel=1e-12)
    # ties by item index: r = (1, 0, 0) orders (0, 1, 2); s = (0, 0, 3):
    # log(2 + e^3) + log(1 + e^3) + log(e^3) - 3
    s = torch.tensor([[0.0, 0.0, 3.0]], dtype=torch.float64)
    e3 = math.exp(3.0)
    expected = math.log(2 + e3) + math.log(1 + e3)
    assert listmle_loss(s, torch.tensor([[1.0, 0.0, 0.0]])).item() == pytest.approx(expected, rel=1e-12)
    # the other tie order (0, 2, 1) would give log(2 + e^3) - 0 + log(1 + e^3) - 3 + 0
    swapped = torch.tensor([[0.0, 3.0, 0.0]], dtype=torch.float64)
    assert listmle_loss(swapped, torch.tensor([[1.0, 0.0, 0.0]])).item() == pytest.approx(expected - 3.0, rel=1e-12)


def test_approx_ndcg_hand_value():
    # two items, s = (0, 0), r = (1, 0): smoothed ranks 1 + sigma(0) = 3/2 each; IDCG = 1 / log2 2 = 1
    s = torch.zeros(1, 2, dtype=torch.float64)
    r = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    assert approx_ndcg_loss(s, r).item() == pytest.approx(1 - 1 / math.log2(2.5), rel=1e-12)
    # T -> 0 with distinct scores: 1 - NDCG of the ranking (item 1 first: NDCG = 1 / log2 3)
    s = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
    assert approx_ndcg_loss(s, r, temperature=1e-3).item() == pytest.approx(1 - 1 / math.log2(3.0), rel=1e-12)


# --- allRank ---------------------------------------------------------------------------------------


def test_listnet_equals_allrank_away_from_its_floor():
    s, r, mask = _padded_batch()
    torch.testing.assert_close(listnet_loss(s, r, mask=mask, reduction="none"), allrank_listnet(s, r), rtol=1e-8, atol=0)
    # where a probability falls near 1e-10 the floor shows: scores 30 apart give p ~ 1e-13
    s = torch.tensor([[30.0, 0.0]], dtype=torch.float64)
    r = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
    ours, theirs = listnet_loss(s, r).item(), allrank_listnet(s, r).item()
    assert ours > theirs + 1  # allRank's log is capped near log(1e-10) = -23


def test_listmle_equals_allrank_on_lists_without_ties():
    s, r, mask = _padded_batch()
    torch.manual_seed(0)
    torch.testing.assert_close(listmle_loss(s, r, mask=mask, reduction="none"), allrank_listmle(s, r), rtol=1e-8, atol=1e-9)


def test_listmle_allrank_ties_are_random_ours_are_by_index():
    s, r, mask = _padded_batch(ties=True)
    length = s.shape[1]
    ours = listmle_loss(s, r, mask=mask, reduction="none")
    # allRank with the identity permutation and a stable sort is our tie rule; torch's default sort need not be stable,
    # so compare through allRank's own code on a permutation and check that values vary with it
    identity = allrank_listmle(s, r, permutation=torch.arange(length))
    values = torch.stack([allrank_listmle(s, r, permutation=torch.randperm(length, generator=torch.Generator().manual_seed(k))) for k in range(20)])
    assert (values.amax(0) - values.amin(0)).max() > 0.1  # allRank's value on tied lists depends on the shuffle
    # lossbook is deterministic: the same value every call, and equal to PL of the stable order
    torch.testing.assert_close(listmle_loss(s, r, mask=mask, reduction="none"), ours, rtol=0, atol=0)
    stable = torch.sort(r, dim=1, descending=True, stable=True).indices
    pl = allrank_listmle(s.gather(1, stable), r.gather(1, stable), permutation=torch.arange(length))
    ordered = (torch.where(mask, r, -1e9).amax(1) > torch.where(mask, r, 1e9).amin(1))
    torch.testing.assert_close(ours, torch.where(ordered, pl, 0.0), rtol=1e-8, atol=1e-9)
    assert identity.shape == ours.shape


def test_listmle_stable_where_allrank_is_not():
    # a tail far below the top: allRank's single shift and eps give a wrong value, lossbook the exact one
    s = torch.tensor([[0.0, -100.0, -200.0]], dtype=torch.float64)
    r = torch.tensor([[2.0, 1.0, 0.0]], dtype=torch.float64)
    exact = math.log1p(math.exp(-100.0) + math.exp(-200.0)) + math.log1p(math.exp(-100.0))
    assert listmle_loss(s, r).item() == pytest.approx(exact, abs=1e-15)
    assert allrank_listmle(s, r, permutation=torch.arange(3)).item() > 100  # log(1e-10) + 200 + ...


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_approx_ndcg_equals_allrank_plus_one(temperature):
    s, r, mask = _padded_batch()
    ours = approx_ndcg_loss(s, r, mask=mask, temperature=temperature, reduction="none")
    theirs = 1 + allrank_approx_ndcg(s, r, alpha=1 / temperature)
    torch.testing.assert_close(ours, theirs, rtol=1e-8, atol=1e-9)
    # the mean: allRank's -mean(ApproxNDCG) is lossbook's mean minus 1 when no list is degenerate
    torch.testing.assert_close(approx_ndcg_loss(s, r, mask=mask, temperature=temperature), 1 + allrank_approx_ndcg(s, r, alpha=1 / temperature).mean())


def test_approx_ndcg_no_relevant_item_gives_zero_where_allrank_gives_one():
    s = torch.randn(2, 4, dtype=torch.float64)
    r = torch.tensor([[0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 1.0, 0.0]], dtype=torch.float64)
    ours = approx_ndcg_loss(s, r, reduction="none")
    theirs = 1 + allrank_approx_ndcg(s, r)
    assert ours[0].item() == 0.0 and theirs[0].item() == 1.0
    assert ours[1].item() == pytest.approx(theirs[1].item(), rel=1e-10)
    assert approx_ndcg_loss(s, r).item() == pytest.approx(ours[1].item(), rel=1e-12)  # the mean leaves list 0 out


# --- degenerate and padded lists -------------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES)
def test_degenerate_lists_give_zero_and_leave_the_mean(loss):
    s = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    r = torch.tensor([[2.0, 0.0, 1.0, 0.0], [0.0] * 4, [1.0] * 4, [3.0, 1.0, 0.0, 2.0], [1.0, 0.0, 2.0, 0.0]], dtype=torch.float64)
    mask = torch.ones(5, 4, dtype=torch.bool)
    mask[3] = False  # fully masked
    mask[4, 1:] = False  # one real item
    per = loss(s, r, mask=mask, reduction="none")
    assert per[1:].abs().max().item() == 0.0 and per[0].item() > 0
    assert loss(s, r, mask=mask).item() == pytest.approx(per[0].item(), rel=1e-12)
    loss(s, r, mask=mask).backward()
    assert s.grad[1:].abs().max().item() == 0.0 and s.grad[0].abs().max().item() > 0


def test_listnet_equal_grades_are_degenerate_by_rule_not_by_formula():
    # q = softmax(r) is uniform on a list of equal grades: the cross-entropy is log n at equal scores and larger
    # otherwise (not constant), so allRank's listNet counts the list; lossbook's rule leaves it out (0, zero gradient)
    r = torch.full((1, 4), 2.0, dtype=torch.float64)
    equal, spread = torch.zeros(1, 4, dtype=torch.float64), torch.tensor([[1.0, 0.0, -1.0, 0.5]], dtype=torch.float64)
    assert allrank_listnet(equal, r).item() == pytest.approx(math.log(4.0), rel=1e-9)
    assert allrank_listnet(spread, r).item() > math.log(4.0) + 0.1
    s = spread.clone().requires_grad_(True)
    out = listnet_loss(s, r, reduction="sum")
    out.backward()
    assert out.item() == 0.0 and s.grad.abs().max().item() == 0.0


def test_gradients_sum_to_zero_over_each_list():
    # shift invariance (Exercise 2): each loss is unchanged by adding a constant to a list's scores
    s, r, mask = _padded_batch(seed=2)
    for loss in LOSSES:
        x = s.clone().requires_grad_(True)
        loss(x, r, mask=mask, reduction="sum").backward()
        torch.testing.assert_close(x.grad.sum(1), torch.zeros(s.shape[0], dtype=s.dtype), rtol=0, atol=1e-12)
        torch.testing.assert_close(loss(s + 3.0, r, mask=mask, reduction="none"), loss(s, r, mask=mask, reduction="none"), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_every_list_degenerate_gives_zero_with_zero_gradients(loss, reduction):
    s = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    r = torch.zeros(3, 4, dtype=torch.float64)
    mask = torch.tensor([[True] * 4, [False] * 4, [True, False, False, False]])
    out = loss(s, r, mask=mask, reduction=reduction)
    assert torch.equal(out, torch.zeros_like(out))
    out.sum().backward()
    assert torch.equal(s.grad, torch.zeros_like(s))


@pytest.mark.parametrize("loss", LOSSES)
def test_padded_items_take_no_part(loss):
    s, r, mask = _padded_batch()
    s.requires_grad_(True)
    out = loss(s, r, mask=mask, reduction="none")
    # changing what the padding holds (scores of 1e4, relevance 5) changes nothing
    s2 = torch.where(mask, s.detach(), 1e4)
    r2 = torch.where(mask, r, 5.0)
    torch.testing.assert_close(loss(s2, r2, mask=mask, reduction="none"), out.detach(), rtol=1e-12, atol=1e-12)
    # each list equals the loss of its real items alone
    for i in range(s.shape[0]):
        n = int(mask[i].sum())
        alone = loss(s.detach()[i : i + 1, :n], r[i : i + 1, :n], reduction="none")
        torch.testing.assert_close(out[i : i + 1].detach(), alone, rtol=1e-12, atol=1e-12)
    out.sum().backward()
    assert s.grad[~mask].abs().max().item() == 0.0


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("pad_score, pad_grade", [(1e38, 0.0), (-1e38, 0.0), (0.0, 200.0), (1e38, 1e38)])
def test_any_finite_padding_float32(loss, pad_score, pad_grade):
    # "padded items may hold any finite value": a float32 padded score of 1e38 once became ListNet's list maximum
    # (the 1e30 shift did not move it below the real items) and gave a loss of 1e38
    s = torch.tensor([[0.5, -0.3, 1.0, pad_score]], requires_grad=True)
    r = torch.tensor([[2.0, 0.0, 1.0, pad_grade]])
    mask = torch.tensor([[True, True, True, False]])
    out = loss(s, r, mask=mask, reduction="none")
    out.sum().backward()
    x = s.detach()[:, :3].clone().requires_grad_(True)
    alone = loss(x, r[:, :3], reduction="none")
    alone.sum().backward()
    torch.testing.assert_close(out, alone)
    torch.testing.assert_close(s.grad[:, :3], x.grad)
    assert s.grad[0, 3].item() == 0.0


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_at_extreme_scores_on_padded_lists(loss, dtype):
    s, r, mask = _padded_batch(ties=True)
    s = (1e4 * torch.sign(s)).to(dtype).requires_grad_(True)
    out = loss(s, r.to(dtype), mask=mask, reduction="sum")
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(s.grad).all()


@pytest.mark.parametrize("loss", [listnet_loss, approx_ndcg_loss])
def test_gradcheck_with_mask_and_relevance_gradient(loss):
    s, r, mask = _padded_batch(seed=3, n=3, length=5)
    s.requires_grad_(True)
    r = torch.where(mask, r, 0.0).requires_grad_(True)
    kwargs = {"temperature": 0.3} if loss is approx_ndcg_loss else {}
    assert torch.autograd.gradcheck(lambda a, b: loss(a, b, mask=mask, reduction="sum", **kwargs), (s, r))


def test_listmle_gradcheck_with_ties_and_mask():
    s, r, mask = _padded_batch(seed=4, n=3, length=5, ties=True)
    s.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a: listmle_loss(a, r, mask=mask), (s,))


def test_approx_ndcg_temperature_trades_bias_for_gradient():
    from lossbook.metrics import ndcg

    s, r, mask = _padded_batch(seed=1, n=4, length=10)
    true = ndcg(s, torch.where(mask, r, 0.0), mask=mask)
    bias, grad = [], []
    for temperature in (2.0, 0.2, 0.01):
        x = s.clone().requires_grad_(True)
        loss = approx_ndcg_loss(x, r, mask=mask, temperature=temperature)
        loss.backward()
        bias.append(abs(1 - loss.item() - true))
        grad.append(x.grad.abs().mean().item())
    assert bias[0] > bias[1] > bias[2]  # the smoothed ranks tend to the true ones
    assert grad[2] < grad[1] / 5  # and the gradient dies out between well-separated scores


def test_integer_relevance_and_modules():
    s = torch.randn(2, 4)
    r = torch.tensor([[2, 0, 1, 0], [0, 3, 0, 1]])
    mask = torch.tensor([[True, True, True, False], [True] * 4])
    for fn, module in ((listnet_loss, ListNetLoss()), (listmle_loss, ListMLELoss()), (approx_ndcg_loss, ApproxNDCGLoss())):
        torch.testing.assert_close(fn(s, r, mask=mask), fn(s, r.float(), mask=mask))
        torch.testing.assert_close(module(s, r, mask), fn(s, r, mask=mask))
    assert repr(ApproxNDCGLoss(temperature=0.5)) == "ApproxNDCGLoss(temperature=0.5, reduction='mean')"


def test_negative_relevance_at_padding_is_allowed():
    s, r, mask = _padded_batch()
    assert (r[~mask] == -1).all()
    for loss in LOSSES:
        assert torch.isfinite(loss(s, r, mask=mask))
    with pytest.raises(ValueError, match="relevance must be >= 0 at the real items"):
        listnet_loss(s, r)
