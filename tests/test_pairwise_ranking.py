"""Pairwise ranking losses (book/structured/pairwise-ranking.ipynb): hand values, PyTorch's margin ranking loss, allRank's rankNet and lambdaLoss re-implemented, degenerate lists."""

from __future__ import annotations

import math
from itertools import product

import pytest
import torch
import torch.nn.functional as F

from lossbook import losses as L
from lossbook import metrics

DEFAULT_EPS, PADDED_Y_VALUE = 1e-10, -1  # allrank/data/dataset_loading.py and allrank/models/losses/__init__.py


# --- allRank (allrank/models/losses/lambdaLoss.py and rankNet.py, c884756), re-implemented as written ---


def _lambda_rank_scheme(G, D, *args):
    return torch.abs(torch.pow(D[:, :, None], -1.0) - torch.pow(D[:, None, :], -1.0)) * torch.abs(G[:, :, None] - G[:, None, :])


def allrank_lambda_loss(y_pred, y_true, eps=DEFAULT_EPS, padded_value_indicator=PADDED_Y_VALUE, weighing_scheme=None, k=None, sigma=1.0, mu=10.0, reduction="sum", reduction_log="binary"):
    device = y_pred.device
    y_pred = y_pred.clone()
    y_true = y_true.clone()
    padded_mask = y_true == padded_value_indicator
    y_pred[padded_mask] = float("-inf")
    y_true[padded_mask] = float("-inf")
    y_pred_sorted, indices_pred = y_pred.sort(descending=True, dim=-1)
    y_true_sorted, _ = y_true.sort(descending=True, dim=-1)
    true_sorted_by_preds = torch.gather(y_true, dim=1, index=indices_pred)
    true_diffs = true_sorted_by_preds[:, :, None] - true_sorted_by_preds[:, None, :]
    padded_pairs_mask = torch.isfinite(true_diffs)
    padded_pairs_mask = padded_pairs_mask & (true_diffs > 0)
    ndcg_at_k_mask = torch.zeros((y_pred.shape[1], y_pred.shape[1]), dtype=torch.bool, device=device)
    ndcg_at_k_mask[:k, :k] = 1
    true_sorted_by_preds.clamp_(min=0.0)
    y_true_sorted.clamp_(min=0.0)
    pos_idxs = torch.arange(1, y_pred.shape[1] + 1).to(device)
    D = torch.log2(1.0 + pos_idxs.to(y_pred.dtype))[None, :]  # allRank: pos_idxs.float(); float64 here, to compare at 1e-12
    maxDCGs = torch.sum(((torch.pow(2, y_true_sorted) - 1) / D)[:, :k], dim=-1).clamp(min=eps)
    G = (torch.pow(2, true_sorted_by_preds) - 1) / maxDCGs[:, None]
    weights = 1.0 if weighing_scheme is None else _lambda_rank_scheme(G, D, mu, true_sorted_by_preds)
    scores_diffs = (y_pred_sorted[:, :, None] - y_pred_sorted[:, None, :]).clamp(min=-1e8, max=1e8)
    scores_diffs.masked_fill(torch.isnan(scores_diffs), 0.0)
    weighted_probas = (torch.sigmoid(sigma * scores_diffs).clamp(min=eps) ** weights).clamp(min=eps)
    losses = torch.log2(weighted_probas) if reduction_log == "binary" else torch.log(weighted_probas)
    masked_losses = losses[padded_pairs_mask & ndcg_at_k_mask]
    return -torch.sum(masked_losses) if reduction == "sum" else -torch.mean(masked_losses)


def allrank_rank_net(y_pred, y_true, padded_value_indicator=PADDED_Y_VALUE):
    y_pred = y_pred.clone()
    y_true = y_true.clone()
    mask = y_true == padded_value_indicator
    y_pred[mask] = float("-inf")
    y_true[mask] = float("-inf")
    document_pairs_candidates = list(product(range(y_true.shape[1]), repeat=2))
    pairs_true = y_true[:, document_pairs_candidates]
    selected_pred = y_pred[:, document_pairs_candidates]
    true_diffs = pairs_true[:, :, 0] - pairs_true[:, :, 1]
    pred_diffs = selected_pred[:, :, 0] - selected_pred[:, :, 1]
    the_mask = (true_diffs > 0) & (~torch.isinf(true_diffs))
    pred_diffs = pred_diffs[the_mask]
    true_diffs = (true_diffs > 0).to(y_pred.dtype)[the_mask]
    return torch.nn.BCEWithLogitsLoss()(pred_diffs, true_diffs)


def _lists(seed=0, n=5, length=8, padded=True):
    g = torch.Generator().manual_seed(seed)
    scores = 2 * torch.randn(n, length, generator=g, dtype=torch.float64)
    relevance = torch.randint(0, 5, (n, length), generator=g).double()
    mask = torch.ones(n, length, dtype=torch.bool)
    if padded:
        mask[1, 5:] = False
        mask[2, 3:] = False
    return scores, relevance, mask


def _allrank_target(relevance, mask):
    """lossbook's boolean mask as allRank's padding: relevance -1 at the padded items."""
    return torch.where(mask, relevance, float(PADDED_Y_VALUE))


# --- margin ranking: PyTorch's ---


def test_margin_ranking_hand_values_and_kink():
    x1, x2 = torch.tensor([2.0, 0.5, 1.0, 1.0]), torch.tensor([1.0, 1.0, 1.0, 0.5])
    y = torch.tensor([1.0, 1.0, -1.0, 1.0])
    # max(0, -y (x1 - x2) + 0.5): -1 + 0.5 -> 0, 0.5 + 0.5, 0 + 0.5, exactly at the margin -> 0
    torch.testing.assert_close(L.margin_ranking_loss(x1, x2, y, margin=0.5, reduction="none"), torch.tensor([0.0, 1.0, 0.5, 0.0]))
    leaves = [t.clone().requires_grad_() for t in (x1, x2, y)]
    grads = torch.autograd.grad(L.margin_ranking_loss(*leaves, margin=0.5, reduction="sum"), leaves)
    # the kink (4th pair) is active, as PyTorch's clamp_min: gradient -y there
    torch.testing.assert_close(grads[0], torch.tensor([0.0, -1.0, 1.0, -1.0]))
    torch.testing.assert_close(grads[1], -grads[0])
    torch.testing.assert_close(grads[2], torch.tensor([0.0, 0.5, 0.0, -0.5]))  # -(x1 - x2) where active
    leaves2 = [t.clone().requires_grad_() for t in (x1, x2, y)]
    expected = torch.autograd.grad(F.margin_ranking_loss(*leaves2, margin=0.5, reduction="sum"), leaves2)
    for a, b in zip(grads, expected):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_margin_ranking_equals_torch_on_its_samples_with_sign_labels(dtype):
    # PyTorch's OpInfo samples draw random labels, which lossbook refuses; with their signs
    # as labels, values and gradients (the label's included) equal PyTorch's
    from torch.testing._internal.common_methods_invocations import op_db

    torch.backends.flags_frozen.__globals__["__allow_nonbracketed_mutation_flag"] = True
    (op,) = [o for o in op_db if o.name == "nn.functional.margin_ranking_loss" and o.variant_test_name == ""]
    for sample in op.sample_inputs("cpu", dtype, requires_grad=True):
        x1, x2, t = sample.input, *sample.args
        y = torch.where(t.detach() >= 0, 1.0, -1.0).to(dtype).requires_grad_()
        got = L.margin_ranking_loss(x1, x2, y, **sample.kwargs)
        expected = F.margin_ranking_loss(x1, x2, y, **sample.kwargs)
        torch.testing.assert_close(got, expected)
        up = torch.ones_like(expected)
        wanted = [t for t in (x1, x2, y) if t.requires_grad]
        for a, b in zip(torch.autograd.grad(got, wanted, up), torch.autograd.grad(expected, wanted, up)):
            torch.testing.assert_close(a, b)


def test_margin_ranking_refuses_torch_leniency():
    with pytest.raises(ValueError, match=r"margin_ranking_loss: target must hold -1 and \+1 only, got the value 0"):
        L.margin_ranking_loss(torch.ones(2), torch.zeros(2), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"input2 shape \(1,\) does not match input1 shape \(2,\)"):
        L.margin_ranking_loss(torch.ones(2), torch.zeros(1), torch.ones(2))  # PyTorch broadcasts
    # integer labels are accepted, as PyTorch's floating labels
    assert L.margin_ranking_loss(torch.ones(2), torch.zeros(2), torch.tensor([1, -1]), margin=1.0).item() == 1.0


# --- RankNet ---


def test_ranknet_hand_value():
    # one list, relevance 2 > 1 > 0 scored 0 < 1 < 2: the three pairs are all inverted
    s, y = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.float64), torch.tensor([[2.0, 1.0, 0.0]], dtype=torch.float64)
    expected = (2 * math.log1p(math.e) + math.log1p(math.e**2)) / 3
    assert math.isclose(L.ranknet_loss(s, y).item(), expected, rel_tol=1e-12)
    # sigma scales the gap
    expected2 = (2 * math.log1p(math.e**2) + math.log1p(math.e**4)) / 3
    assert math.isclose(L.ranknet_loss(s, y, sigma=2.0).item(), expected2, rel_tol=1e-12)
    # the gradient: item 0 gets sigma / |P| (rho_01 + rho_02) down the loss, i.e. -(sig(1) + sig(2)) / 3
    leaf = s.clone().requires_grad_()
    (g,) = torch.autograd.grad(L.ranknet_loss(leaf, y), leaf)
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    torch.testing.assert_close(g[0, 0], torch.tensor(-(sig(1) + sig(2)) / 3, dtype=torch.float64))


def test_ranknet_is_allranks_per_list_and_pooled_mean():
    s, y, mask = _lists()
    target = _allrank_target(y, mask)
    per_list = L.ranknet_loss(s, y, mask=mask, reduction="none")
    pairs = torch.tensor([((y[n][mask[n]][:, None] > y[n][mask[n]][None, :]).sum().item()) for n in range(len(y))], dtype=torch.float64)
    for n in range(len(y)):  # one list: allRank's mean over its pairs
        torch.testing.assert_close(per_list[n], allrank_rank_net(s[n : n + 1], target[n : n + 1]), rtol=1e-12, atol=1e-12)
    # the batch: allRank pools the pairs, lossbook averages over lists
    torch.testing.assert_close((pairs * per_list).sum() / pairs.sum(), allrank_rank_net(s, target), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(L.ranknet_loss(s, y, mask=mask), per_list.mean(), rtol=1e-12, atol=1e-12)
    # gradients too (autograd of allRank's formula, list by list)
    leaf = s.clone().requires_grad_()
    (g,) = torch.autograd.grad(L.ranknet_loss(leaf, y, mask=mask, reduction="sum"), leaf)
    leaf2 = s.clone().requires_grad_()
    (g2,) = torch.autograd.grad(sum(allrank_rank_net(leaf2[n : n + 1], target[n : n + 1]) for n in range(len(y))), leaf2)
    torch.testing.assert_close(g, g2, rtol=1e-10, atol=1e-12)


# --- LambdaLoss ---


@pytest.mark.parametrize("k, sigma", [(None, 1.0), (4, 1.0), (3, 2.5), (20, 0.5)])
def test_lambda_loss_is_allranks_lambda_rank_scheme(k, sigma):
    # every convention mapped: mask -> relevance -1 (padded_value_indicator); allRank's 'sum' over
    # the batch is lossbook's 'sum', each list alone is 'none'; scores small enough that allRank's
    # sigmoid clamp at eps = 1e-10 does not bind (|sigma (s_i - s_j)| < 23); distinct scores (ties unordered)
    s, y, mask = _lists(seed=1)
    target = _allrank_target(y, mask)
    kwargs = dict(weighing_scheme="lambdaRank_scheme", k=k, sigma=sigma, reduction="sum", reduction_log="binary")
    leaf, leaf2 = s.clone().requires_grad_(), s.clone().requires_grad_()
    ours = L.lambda_loss(leaf, y, mask=mask, k=k, sigma=sigma, reduction="sum")
    theirs = allrank_lambda_loss(leaf2, target, **kwargs)
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    per_list = L.lambda_loss(s, y, mask=mask, k=k, sigma=sigma, reduction="none")
    for n in range(len(y)):
        torch.testing.assert_close(per_list[n], allrank_lambda_loss(s[n : n + 1], target[n : n + 1], **kwargs), rtol=1e-12, atol=1e-12)
    # the gradient: autograd of allRank's code holds the weights constant too (they come from a sort)
    for a, b in zip(torch.autograd.grad(ours, leaf), torch.autograd.grad(theirs, leaf2)):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_lambda_loss_hand_value_and_the_lambdas():
    # two items, the relevant one ranked 2nd: |dNDCG| = (2^1 - 1)/1 * (1 - 1/log2(3))
    s, y = torch.tensor([[0.0, 1.0]], dtype=torch.float64), torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    delta = 1 - 1 / math.log2(3)
    assert math.isclose(L.lambda_loss(s, y).item(), delta * math.log2(1 + math.e), rel_tol=1e-12)
    leaf = s.clone().requires_grad_()
    (g,) = torch.autograd.grad(L.lambda_loss(leaf, y), leaf)
    lam = delta / (1 + math.exp(0.0 - 1.0)) / math.log(2)  # sigma |dNDCG| / (1 + e^{s_i - s_j}) / ln 2
    torch.testing.assert_close(g, torch.tensor([[-lam, lam]], dtype=torch.float64))


def test_lambda_weights_are_the_ndcg_change_of_a_swap():
    # |dNDCG_ij| is the change of the list's NDCG when i and j trade scores
    s, y, _ = _lists(seed=3, n=1, length=6, padded=False)
    from lossbook.losses.structured.pairwise_ranking import _lambda_weights

    w = _lambda_weights(s, y, torch.ones_like(s), None)[0]
    base = metrics.ndcg(s, y)
    for i, j in product(range(6), repeat=2):
        swapped = s.clone()
        swapped[0, [i, j]] = s[0, [j, i]]
        expected = abs(metrics.ndcg(swapped, y) - base) if y[0, i] > y[0, j] else 0.0
        assert math.isclose(w[i, j].item(), expected, rel_tol=1e-9, abs_tol=1e-12)


def test_lambda_loss_beyond_allranks_clamp_is_exact():
    # allRank clamps sigmoid at 1e-10: a pair inverted by 1e3 has a constant value and zero gradient;
    # lossbook's value grows linearly and its gradient is the full lambda
    s, y = torch.tensor([[0.0, 1e3]], dtype=torch.float64), torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    delta = 1 - 1 / math.log2(3)
    assert math.isclose(L.lambda_loss(s, y).item(), delta * (1e3 / math.log(2)), rel_tol=1e-12)
    assert math.isclose(allrank_lambda_loss(s, y, weighing_scheme="lambdaRank_scheme").item(), delta * math.log2(1e10), rel_tol=1e-9)


# --- the list conventions (both losses) ---


@pytest.mark.parametrize("loss", [L.ranknet_loss, L.lambda_loss])
def test_degenerate_lists(loss):
    s = torch.randn(4, 5, dtype=torch.float64)
    y = torch.tensor([[3.0, 1, 0, 0, 2], [0, 0, 0, 0, 0], [2, 2, 2, 2, 2], [4, 0, 1, 0, 0]], dtype=torch.float64)
    mask = torch.ones(4, 5, dtype=torch.bool)
    mask[3, 1:] = False  # one real item
    per = loss(s, y, mask=mask, reduction="none")
    assert per[0] > 0 and (per[1:] == 0).all() and not torch.signbit(per).any()
    torch.testing.assert_close(loss(s, y, mask=mask), per[0])  # 'mean' over the one list with a pair
    leaf = s.clone().requires_grad_()
    (g,) = torch.autograd.grad(loss(leaf, y, mask=mask), leaf)
    assert (g[1:] == 0).all()
    # every list degenerate (and a fully masked list): 0 with zero gradients
    leaf = s.clone().requires_grad_()
    out = loss(leaf[1:], y[1:], mask=mask[1:])
    (g,) = torch.autograd.grad(out, leaf)
    assert out.item() == 0 and (g == 0).all()
    full = torch.zeros(4, 5, dtype=torch.bool)
    leaf = s.clone().requires_grad_()
    out = loss(leaf, y, mask=full)
    assert out.item() == 0 and (torch.autograd.grad(out, leaf)[0] == 0).all()


@pytest.mark.parametrize("loss", [L.ranknet_loss, L.lambda_loss])
def test_padding_takes_no_part_whatever_it_holds(loss):
    s, y, mask = _lists(seed=5)
    s2, y2 = s.clone(), y.clone()
    s2[~mask] = 1e4  # padded scores at the top and allRank's -1 in the relevance: ignored
    y2[~mask] = -1.0
    torch.testing.assert_close(loss(s2, y2, mask=mask, reduction="none"), loss(s, y, mask=mask, reduction="none"), rtol=1e-12, atol=1e-12)
    # and a padded list equals the same list cut to its real items
    n = 2
    real = mask[n]
    torch.testing.assert_close(loss(s[n : n + 1], y[n : n + 1], mask=mask[n : n + 1]), loss(s[n : n + 1, real], y[n : n + 1, real]), rtol=1e-12, atol=1e-12)
    leaf = s2.clone().requires_grad_()
    (g,) = torch.autograd.grad(loss(leaf, y2, mask=mask), leaf)
    assert (g[~mask] == 0).all() and torch.isfinite(g).all()


@pytest.mark.parametrize("loss", [L.ranknet_loss, L.lambda_loss])
def test_padding_holding_huge_finite_values_takes_no_part(loss):
    # float32 padded scores of +-1e38 (their gap overflows, and +1e38 would sort above the real
    # items) and a padded grade of 200 (2^200 overflows): zeroed before use, so no NaN, no shift
    s, y, mask = (t.float() if t.is_floating_point() else t for t in _lists(seed=6))
    s2, y2 = s.clone(), y.clone()
    s2[~mask] = torch.tensor([1e38, -1e38]).repeat(int((~mask).sum()))[: int((~mask).sum())]
    y2[~mask] = 200.0
    leaf = s2.clone().requires_grad_()
    out = loss(leaf, y2, mask=mask, reduction="none")
    torch.testing.assert_close(out, loss(s, y, mask=mask, reduction="none"))
    (g,) = torch.autograd.grad(out.sum(), leaf)
    assert torch.isfinite(g).all() and (g[~mask] == 0).all()


@pytest.mark.parametrize("loss", [L.ranknet_loss, L.lambda_loss])
def test_extreme_scores_stay_finite(loss):
    s = 1e4 * torch.tensor([[1.0, -1.0, 0.5, -0.5, 0.0]])
    y = torch.tensor([[0.0, 3.0, 1.0, 0.0, 2.0]])
    for dtype in (torch.float32, torch.float64):
        leaf = s.to(dtype).requires_grad_()
        out = loss(leaf, y.to(dtype), k=3) if loss is L.lambda_loss else loss(leaf, y.to(dtype))
        (g,) = torch.autograd.grad(out, leaf)
        assert torch.isfinite(out) and torch.isfinite(g).all() and out > 1e3  # inverted pairs cost their gap


@pytest.mark.parametrize("loss, options", [(L.ranknet_loss, {"sigma": 0.7}), (L.lambda_loss, {"k": 2, "sigma": 1.7}), (L.lambda_loss, {"k": 5})])
def test_gradcheck_extra_options(loss, options):
    s, y, mask = _lists(seed=7, n=3, length=5)
    for reduction in ("none", "mean", "sum"):
        assert torch.autograd.gradcheck(lambda x, r=reduction: loss(x, y, mask=mask, reduction=r, **options), (s.clone().requires_grad_(),))


def test_ties_are_broken_by_position_as_in_ndcg():
    # equal scores: the earlier item takes the better rank, so the weights are those of that order
    s = torch.zeros(1, 3, dtype=torch.float64)
    y = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.float64)
    per = L.lambda_loss(s, y, reduction="none")
    order = torch.tensor([[3.0, 2.0, 1.0]], dtype=torch.float64) * 1e-9  # the same ranks with tiny distinct scores
    torch.testing.assert_close(per, L.lambda_loss(order, y, reduction="none"), rtol=1e-6, atol=0)


def test_lambda_loss_mean_with_k_counts_a_list_whose_pairs_lie_below_the_top_k():
    # the docstring: with k, a list with an ordered pair counts in 'mean' even when none lies in the
    # top k. List 0: its relevant item ranks 3rd (outside the top 2): value 0. List 1: a pair at ranks 1-2
    s = torch.tensor([[2.0, 1.0, 0.0], [2.0, 1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    per = L.lambda_loss(s, y, k=2, reduction="none")
    assert per[0] == 0 and per[1] > 0
    torch.testing.assert_close(L.lambda_loss(s, y, k=2), per.sum() / 2)
    # and its item gets no gradient (exercise 2 of the chapter)
    leaf = s.clone().requires_grad_()
    (g,) = torch.autograd.grad(L.lambda_loss(leaf, y, k=2), leaf)
    assert (g[0] == 0).all()
