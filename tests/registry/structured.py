"""Registry entries of Part VI, rankings and sequences (``lossbook/losses/structured/``, ``book/structured/``)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase

# --- pairwise-ranking.ipynb ---

_LN2 = math.log(2.0)


def _margin_ranking_inputs(dtype, device, g):
    """``(x1 (4, 5), x2 (4, 5), y (4, 5) in {-1, +1})``: hinges m - y (x1 - x2) at least 0.05 away from 0 for margins 0 and 1."""
    x1 = torch.randn((4, 5), generator=g, dtype=torch.float64)
    gap = torch.tensor([0.3, 0.6, 1.3, 1.8, 2.5], dtype=torch.float64)[torch.randint(0, 5, (4, 5), generator=g)]
    y = torch.where(torch.rand((4, 5), generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
    x2 = x1 - gap * torch.where(torch.rand((4, 5), generator=g) < 0.5, -1.0, 1.0)
    return tuple(t.to(dtype=dtype, device=device) for t in (x1, x2, y))


def _margin_ranking_extreme(dtype, device):
    x1 = torch.tensor([1e4, -1e4, 0.0, 1e4], dtype=dtype, device=device)
    return x1, -x1, torch.tensor([1.0, 1.0, -1.0, -1.0], dtype=dtype, device=device)


def _label_not_a_sign(args: tuple, kwargs: dict) -> bool:
    """A PyTorch sample whose target holds a value other than -1 and +1 (its samples draw random labels): lossbook raises."""
    return bool((args[2].detach().abs() != 1).any())


def _list_inputs(dtype, device, g):
    """``(scores (4, 6), relevance (4, 6))``: grades 0..3, list 3 with every grade equal (no ordered pair)."""
    scores = torch.randn((4, 6), generator=g, dtype=torch.float64)
    relevance = torch.randint(0, 4, (4, 6), generator=g).to(torch.float64)
    relevance[0, :2] = torch.tensor([3.0, 0.0])  # an ordered pair in list 0 whatever the draw
    relevance[3] = 2.0
    return scores.to(dtype=dtype, device=device), relevance.to(dtype=dtype, device=device)


def _list_mask(args, g):
    """Lists 0 and 1 padded (the last 2 and 4 items), list 2 full, list 3 one item."""
    mask = torch.ones(args[0].shape, dtype=torch.bool, device=args[0].device)
    mask[0, 4:] = False
    mask[1, 2:] = False
    mask[3, 1:] = False
    return mask


def _list_extreme(dtype, device):
    scores = 1e4 * torch.tensor([[1.0, -1.0, 0.5, -0.5], [-1.0, 1.0, 1.0, -1.0]], dtype=dtype, device=device)
    relevance = torch.tensor([[0.0, 3.0, 1.0, 0.0], [2.0, 0.0, 4.0, 1.0]], dtype=dtype, device=device)
    return scores, relevance


def _pairs(relevance, mask):
    m = torch.ones_like(relevance, dtype=torch.bool) if mask is None else mask
    return (relevance[:, :, None] > relevance[:, None, :]) & m[:, :, None] & m[:, None, :]


def _list_reduce(per_list, has_pair, reduction):
    if reduction == "none":
        return per_list
    return per_list.sum() if reduction == "sum" else per_list.sum() / has_pair.sum().clamp(min=1)


def _ranknet_reference(scores, relevance, *, mask=None, sigma=1.0, reduction="mean"):
    # Burges et al. (2005): log(1 + exp(-sigma (s_i - s_j))) over the ordered pairs, averaged per list
    pairs = _pairs(relevance, mask)
    per_pair = F.softplus(-sigma * (scores[:, :, None] - scores[:, None, :]), threshold=1e9)
    n_pairs = pairs.sum((1, 2))
    per_list = torch.where(pairs, per_pair, 0.0).sum((1, 2)) / n_pairs.clamp(min=1)
    return _list_reduce(per_list, n_pairs > 0, reduction)


def _lambda_reference(scores, relevance, *, mask=None, k=None, sigma=1.0, reduction="mean"):
    # |dNDCG_ij| log2(1 + exp(-sigma (s_i - s_j))) over the ordered pairs inside the top k, the weights constant
    m = torch.ones_like(relevance, dtype=torch.bool) if mask is None else mask
    n_items = scores.shape[1]
    with torch.no_grad():
        key = torch.where(m, scores, -torch.inf)
        rank = torch.argsort(torch.argsort(key, dim=1, descending=True, stable=True), dim=1)
        discount = torch.log2(rank.to(scores.dtype) + 2)
        gain = torch.where(m, 2.0**relevance - 1, 0.0)
        cut = n_items if k is None else min(k, n_items)
        ideal_discount = torch.log2(torch.arange(2, cut + 2, dtype=scores.dtype, device=scores.device))
        ideal = (gain.sort(dim=1, descending=True).values[:, :cut] / ideal_discount).sum(1)
        g = gain / torch.where(ideal > 0, ideal, 1.0)[:, None]
        inside = _pairs(relevance, m & (rank < cut))
        weight = (g[:, :, None] - g[:, None, :]).abs() * (1 / discount[:, :, None] - 1 / discount[:, None, :]).abs()
        weight = torch.where(inside, weight, 0.0)
    per_pair = F.softplus(-sigma * (scores[:, :, None] - scores[:, None, :]), threshold=1e9) / _LN2
    per_list = (weight * per_pair).sum((1, 2))
    return _list_reduce(per_list, _pairs(relevance, m).sum((1, 2)) > 0, reduction)


def _list_bad(name):
    s, r = (lambda: torch.zeros(2, 3)), (lambda: torch.ones(2, 3))
    return (
        BadInput(lambda: (s(), torch.ones(2, 4)), {}, ValueError, rf"{name}: relevance shape \(2, 4\) does not match scores shape \(2, 3\)"),
        BadInput(lambda: (s(), r()), {"mask": torch.ones(2, 4, dtype=torch.bool)}, ValueError, rf"{name}: mask shape \(2, 4\) does not match scores shape \(2, 3\)"),
        BadInput(lambda: (s(), r()), {"mask": torch.ones(2, 3)}, TypeError, rf"{name}: mask must be a boolean tensor \(True at the real items\), got dtype torch.float32"),
        BadInput(lambda: (s(), torch.tensor([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])), {}, ValueError, rf"{name}: relevance must be >= 0 at the real items \(graded relevance\), got -1"),
        BadInput(lambda: (torch.zeros(3), torch.ones(3)), {}, ValueError, rf"{name}: scores must have shape \(N, L\), N lists of L >= 1 items, got shape \(3,\)"),
        BadInput(lambda: (torch.zeros(2, 3, dtype=torch.long), r()), {}, TypeError, rf"{name}: scores must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (s(), r()), {"sigma": 0.0}, ValueError, rf"{name}: sigma must be in \(0.0, inf\], got 0.0"),
    )


PAIRWISE_RANKING: tuple[LossCase, ...] = (
    LossCase(
        fn=L.margin_ranking_loss,
        module=L.MarginRankingLoss,
        reference=F.margin_ranking_loss,
        inputs=_margin_ranking_inputs,
        options=({}, {"margin": 1.0}),
        grad_args=(0, 1),  # the label gradient (PyTorch gives one) is checked in tests/test_pairwise_ranking.py: gradcheck would move it off {-1, +1}
        torch_op="nn.functional.margin_ranking_loss",
        refused=_label_not_a_sign,
        extreme=_margin_ranking_extreme,
        bad=(
            BadInput(lambda: (torch.ones(3), torch.zeros(3), torch.tensor([1.0, 0.5, -1.0])), {}, ValueError, r"margin_ranking_loss: target must hold -1 and \+1 only, got the value 0.5"),
            BadInput(lambda: (torch.ones(3), torch.zeros(4), torch.ones(3)), {}, ValueError, r"margin_ranking_loss: input2 shape \(4,\) does not match input1 shape \(3,\)"),
            BadInput(lambda: (torch.ones(3), torch.zeros(3), torch.ones(1)), {}, ValueError, r"margin_ranking_loss: target shape \(1,\) does not match input1 shape \(3,\)"),
            BadInput(lambda: (torch.ones(3), torch.zeros(3), torch.ones(3, dtype=torch.bool)), {}, TypeError, r"margin_ranking_loss: target must be a floating-point or integer tensor of -1 and \+1, got dtype torch.bool"),
            BadInput(lambda: (torch.ones(3, dtype=torch.long), torch.zeros(3), torch.ones(3)), {}, TypeError, r"margin_ranking_loss: input1 must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.ranknet_loss,
        module=L.RankNetLoss,
        reference=_ranknet_reference,
        inputs=_list_inputs,
        options=({}, {"mask": _list_mask, "sigma": 2.0}),
        grad_args=(0,),  # relevance is a target
        extreme=_list_extreme,
        bad=_list_bad("ranknet_loss"),
    ),
    LossCase(
        fn=L.lambda_loss,
        module=L.LambdaLoss,
        reference=_lambda_reference,
        inputs=_list_inputs,
        options=({}, {"mask": _list_mask, "k": 3, "sigma": 0.5}),
        grad_args=(0,),
        extreme=_list_extreme,
        bad=(
            *_list_bad("lambda_loss"),
            BadInput(lambda: (torch.zeros(2, 3), torch.ones(2, 3)), {"k": 0}, ValueError, r"lambda_loss: k must be None or an int >= 1, got 0"),
        ),
    ),
)


# --- listwise-ranking.ipynb ---

def _lists_ordered(m: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Plainly: whether each list's real items hold two different relevances (else the list is degenerate)."""
    inf = torch.tensor(float("inf"), dtype=r.dtype)
    return torch.where(m, r, -inf).amax(1) > torch.where(m, r, inf).amin(1)


def _reduce_lists(per, ordered, reduction):
    per = torch.where(ordered, per, 0.0)
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.sum() / ordered.sum().clamp(min=1)


def _listnet_reference(s, r, mask=None, reduction="mean"):
    """-sum softmax(r) log_softmax(s) over the real items (padded ones at -inf), differentiated by autograd."""
    m = torch.ones_like(s, dtype=torch.bool) if mask is None else mask
    log_p = torch.log_softmax(s.masked_fill(~m, float("-inf")), 1)
    q = torch.softmax(r.to(s.dtype).masked_fill(~m, float("-inf")), 1)
    per = -(q * log_p.masked_fill(~m, 0.0)).sum(1)
    return _reduce_lists(per, _lists_ordered(m, r.detach()), reduction)


def _listmle_reference(s, r, mask=None, reduction="mean"):
    """Plackett-Luce NLL of the relevance order (stable sort: ties by index), one logsumexp per position (O(L^2))."""
    m = torch.ones_like(s, dtype=torch.bool) if mask is None else mask
    order = torch.sort(torch.where(m, r.to(s.dtype), -1.0), dim=1, descending=True, stable=True).indices
    t, v = s.gather(1, order), m.gather(1, order)
    length = s.shape[1]
    per = 0.0
    for k in range(length):
        tail = torch.where(v[:, k:], t[:, k:], float("-inf")).logsumexp(1)
        per = per + torch.where(v[:, k], tail - t[:, k], 0.0)
    return _reduce_lists(per, _lists_ordered(m, r), reduction)


def _approx_ndcg_reference(s, r, mask=None, temperature=1.0, reduction="mean"):
    """Qin et al.'s formula, written out: smoothed ranks over j != i among the real items, gains 2^r - 1, log2 discounts."""
    m = torch.ones_like(s, dtype=torch.bool) if mask is None else mask
    r = r.to(s.dtype)
    gain = torch.where(m, 2.0**r - 1, 0.0)
    length = s.shape[1]
    pairs = m[:, None, :] & m[:, :, None] & ~torch.eye(length, dtype=torch.bool)
    sig = torch.sigmoid((s[:, None, :] - s[:, :, None]) / temperature)  # [n, i, j] = sigma((s_j - s_i) / T)
    rank = 1 + torch.where(pairs, sig, 0.0).sum(2)
    discount = 1 / torch.log2(torch.arange(2, length + 2, dtype=s.dtype))
    idcg = (gain.sort(1, descending=True).values * discount).sum(1)
    ndcg = (gain / torch.log2(1 + rank)).sum(1) / torch.where(idcg > 0, idcg, 1.0)
    return _reduce_lists(1 - ndcg, _lists_ordered(m, r.detach()), reduction)


def _ranking_inputs(graded: bool):
    """Scores (4, 5) and relevance: continuous in [0, 3] (no ties: differentiable in it), or grades 0-3 with ties."""

    def inputs(dtype, device, g):
        s = torch.randn((4, 5), generator=g, dtype=torch.float64)
        if graded:
            r = torch.tensor([[3.0, 1.0, 1.0, 0.0, 2.0], [0.0, 2.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
        else:
            r = 3 * torch.rand((4, 5), generator=g, dtype=torch.float64)
        return s.to(dtype=dtype, device=device), r.to(dtype=dtype, device=device)

    return inputs


def _ranking_mask(args, g):
    """Padded lists: the second has 3 real items, the third 1 (degenerate: left out of 'mean')."""
    m = torch.ones(args[0].shape, dtype=torch.bool)
    m[1, 3:] = False
    m[2, 1:] = False
    return m.to(args[0].device)


def _ranking_extreme(dtype, device):
    # scores of +-1e4 (ranks decided, sigmoids saturated, softmaxes one-hot)
    s = torch.tensor([[1e4, -1e4, 0.0, -1e4], [-1e4, 1e4, 1e4, -1e4], [1e4, 1e4, -1e4, 0.5]], dtype=dtype, device=device)
    r = torch.tensor([[0.0, 3.0, 1.0, 2.0], [1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=dtype, device=device)
    return s, r


def _ranking_bad(name):
    s = lambda: torch.randn(2, 3)  # noqa: E731
    r = lambda: torch.tensor([[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]])  # noqa: E731
    bad = (
        BadInput(lambda: (s(), torch.zeros(2, 4)), {}, ValueError, rf"{name}: relevance shape \(2, 4\) does not match scores shape \(2, 3\)"),
        BadInput(lambda: (s(), r()), {"mask": torch.ones(3, 3, dtype=torch.bool)}, ValueError, rf"{name}: mask shape \(3, 3\) does not match scores shape \(2, 3\)"),
        BadInput(lambda: (s(), r()), {"mask": torch.ones(2, 3)}, TypeError, rf"{name}: mask must be a boolean tensor \(True at the real items\), got dtype torch.float32"),
        BadInput(lambda: (s(), -r()), {}, ValueError, rf"{name}: relevance must be >= 0 at the real items \(graded relevance\), got -2"),
        BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {}, ValueError, rf"{name}: scores must have shape \(N, L\), N lists of L >= 1 items, got shape \(3,\)"),
        BadInput(lambda: (s().long(), r()), {}, TypeError, rf"{name}: scores must be a floating-point tensor, got dtype torch.int64"),
    )
    if name == "approx_ndcg_loss":
        bad += (
            BadInput(lambda: (s(), r()), {"temperature": 0.0}, ValueError, rf"{name}: temperature must be in \(0.0, inf\], got 0.0"),
            BadInput(lambda: (s(), r()), {"temperature": -1.0}, ValueError, rf"{name}: temperature must be in \(0.0, inf\], got -1.0"),
        )
    return bad


LISTWISE_RANKING: tuple[LossCase, ...] = (
    LossCase(
        fn=L.listnet_loss,
        module=L.ListNetLoss,
        reference=_listnet_reference,
        inputs=_ranking_inputs(graded=False),
        options=({}, {"mask": _ranking_mask}),
        extreme=_ranking_extreme,
        bad=_ranking_bad("listnet_loss"),
    ),
    LossCase(
        fn=L.listmle_loss,
        module=L.ListMLELoss,
        reference=_listmle_reference,
        inputs=_ranking_inputs(graded=True),
        options=({}, {"mask": _ranking_mask}),
        grad_args=(0,),
        extreme=_ranking_extreme,
        bad=_ranking_bad("listmle_loss"),
    ),
    LossCase(
        fn=L.approx_ndcg_loss,
        module=L.ApproxNDCGLoss,
        reference=_approx_ndcg_reference,
        inputs=_ranking_inputs(graded=False),
        options=({}, {"mask": _ranking_mask, "temperature": 0.5}),
        extreme=_ranking_extreme,
        bad=_ranking_bad("approx_ndcg_loss"),
    ),
)


# --- ctc.ipynb ---

def _ctc_reference(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """PyTorch's loss through a ``log_softmax``, plus what the ``log_softmax`` took out: the exact loss of any ``log_probs``.

    With :math:`c_t = \\operatorname{lse}_k \\log y_t(k)`, every path's probability is
    :math:`\\prod_t e^{c_t}` times its probability under ``log_softmax(log_probs)``, so
    :math:`\\ell = \\ell_{\\text{torch}}(\\operatorname{log\\_softmax}(\\log y)) - \\sum_{t < T_n} c_t`. The value equals
    PyTorch's on normalised ``log_probs`` (:math:`c_t = 0`), and its autograd gradient is the true
    one, :math:`-\\gamma`: through the ``log_softmax`` PyTorch's :math:`y - \\gamma` becomes
    :math:`\\operatorname{softmax} - \\gamma`, and :math:`-\\sum_t c_t` adds :math:`-\\operatorname{softmax}`.
    """
    lp = (log_probs if log_probs.dim() == 3 else log_probs.unsqueeze(1)).double()  # in float64: the correction cancels
    lengths = torch.as_tensor(input_lengths, device=lp.device).reshape(-1)
    kwargs = dict(blank=blank, reduction="none")
    per = F.ctc_loss(lp.log_softmax(-1), targets, input_lengths, target_lengths, zero_infinity=zero_infinity, **kwargs)
    with torch.no_grad():
        fits = torch.isfinite(F.ctc_loss(lp.detach().log_softmax(-1), targets, input_lengths, target_lengths, **kwargs))
    within = torch.arange(lp.shape[0], device=lp.device)[:, None] < lengths
    per = per.reshape(-1) - torch.where(fits, (lp.logsumexp(-1) * within).sum(0), 0.0)
    if reduction == "mean":
        per = (per / torch.as_tensor(target_lengths, device=lp.device).reshape(-1).clamp(min=1)).mean()
    elif reduction == "sum":
        per = per.sum()
    elif log_probs.dim() == 2:
        per = per.squeeze(0)
    return per.to(log_probs.dtype)


def _ctc_inputs(dtype, device, g):
    """``(log_probs (8, 4, 5), padded targets (4, 3), input_lengths, target_lengths)``: labels in [1, 3] (blank 0 or 4), a repeat, an empty label."""
    log_probs = torch.randn((8, 4, 5), generator=g, dtype=torch.float64).log_softmax(-1)
    targets = torch.randint(1, 4, (4, 3), generator=g)
    targets[0, 1] = targets[0, 0]  # a repeated label: the skip over the blank between is not allowed
    lengths = torch.tensor([8, 6, 7, 5]), torch.tensor([3, 2, 0, 2])
    return log_probs.to(dtype=dtype, device=device), targets.to(device), *(t.to(device) for t in lengths)


def _ctc_extreme(dtype, device):
    # frame log-probabilities of -1e4 and below: the log-space recursions stay finite
    g = torch.Generator().manual_seed(0)
    log_probs = (1e4 * torch.randn((6, 2, 4), generator=g, dtype=torch.float64)).log_softmax(-1)
    return log_probs.to(dtype=dtype, device=device), torch.tensor([[1, 2], [3, 3]], device=device), torch.tensor([6, 5], device=device), torch.tensor([2, 2], device=device)


def _ctc_bad():
    lp = lambda: torch.randn(6, 2, 4).log_softmax(-1)  # noqa: E731
    tg = lambda: torch.tensor([[1, 2], [3, 1]])  # noqa: E731
    il, tl = torch.tensor([6, 5]), torch.tensor([2, 2])
    name = "ctc_loss"
    return (
        BadInput(lambda: (lp(), tg(), torch.tensor([7, 5]), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] \(T, log_probs.shape\[0\]\), got 7"),
        BadInput(lambda: (lp(), tg(), (6, 7), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] \(T, log_probs.shape\[0\]\), got 7"),
        BadInput(lambda: (lp(), tg(), torch.tensor([-1, 5]), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] .*, got -1"),
        BadInput(lambda: (lp(), tg(), il, torch.tensor([3, 2])), {}, ValueError, rf"{name}: target_lengths must be in \[0, 2\] \(targets.shape\[1\], the padded length\), got 3"),
        BadInput(lambda: (lp(), tg(), il, (2, -1)), {}, ValueError, rf"{name}: target_lengths must be in \[0, 2\] .*, got -1"),
        BadInput(lambda: (lp(), torch.tensor([1, 2, 3]), il, torch.tensor([2, 2])), {}, ValueError, rf"{name}: target_lengths sum to 4, more than the 3 concatenated targets"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": 4}, ValueError, rf"{name}: blank must be a class index in \[0, 4\), got 4"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": -1}, ValueError, rf"{name}: blank must be a class index in \[0, 4\), got -1"),
        BadInput(lambda: (lp(), torch.tensor([[1, 0], [3, 1]]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices in \[0, 4\) other than blank=0, got 0 \(the blank index"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": 3}, ValueError, rf"{name}: targets must hold class indices .* other than blank=3, got 3"),
        BadInput(lambda: (lp(), torch.tensor([[1, 4], [3, 1]]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices in \[0, 4\) other than blank=0, got 4 \(out of range\)"),
        BadInput(lambda: (lp(), torch.tensor([1, 2, 5, 1]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices .*, got 5 \(out of range\)"),
        BadInput(lambda: (lp(), tg().float(), il, tl), {}, TypeError, rf"{name}: targets must be an integer tensor of class indices, got dtype torch.float32"),
        BadInput(lambda: (lp(), tg(), il.float(), tl), {}, TypeError, rf"{name}: input_lengths must be an integer tensor of class indices, got dtype torch.float32"),
        BadInput(lambda: (lp(), tg(), il, 2), {}, TypeError, rf"{name}: target_lengths must be an integer tensor or a tuple or list of ints, got int"),
        BadInput(lambda: (lp().long(), tg(), il, tl), {}, TypeError, rf"{name}: log_probs must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (torch.zeros(4), tg(), il, tl), {}, ValueError, rf"{name}: log_probs must have shape \(T, N, C\) or \(T, C\), got shape \(4,\)"),
        BadInput(lambda: (lp(), tg(), torch.tensor([6, 5, 4]), tl), {}, ValueError, rf"{name}: input_lengths must have shape \(2,\), one per sequence, got shape \(3,\)"),
        BadInput(lambda: (lp(), tg(), (6,), tl), {}, ValueError, rf"{name}: input_lengths must have 2 entries, one per sequence, got 1"),
        BadInput(lambda: (lp(), torch.tensor([[1, 2]]), il, tl), {}, ValueError, rf"{name}: targets of shape \(1, 2\) must have N=2 rows, one per sequence"),
        BadInput(lambda: (lp(), tg(), il, tl), {"zero_infinity": 1}, TypeError, rf"{name}: zero_infinity must be a bool, got int"),
    )


CTC: tuple[LossCase, ...] = (
    LossCase(
        fn=L.ctc_loss,
        module=L.CTCLoss,
        reference=_ctc_reference,
        inputs=_ctc_inputs,
        options=({}, {"blank": 4, "zero_infinity": True}),
        grad_args=(0,),
        torch_op="nn.functional.ctc_loss",
        torch_through=lambda args: (args[0].log_softmax(-1), *args[1:]),
        torch_tol={torch.float32: dict(rtol=1e-4, atol=5e-4)},  # losses near 200: float32 log-space sums (test_ctc.py)
        extreme=_ctc_extreme,
        bad=_ctc_bad(),
    ),
)


REGISTRY: tuple[LossCase, ...] = PAIRWISE_RANKING + LISTWISE_RANKING + CTC
