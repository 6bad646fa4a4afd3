r"""Listwise ranking losses: ListNet, ListMLE and ApproxNDCG. Chapter: ``book/structured/listwise-ranking.ipynb``.

Each loss takes ``scores`` and graded ``relevance`` of shape ``(N, L)``, N lists of L items,
and an optional boolean ``mask`` ``(N, L)`` that is True at the real items of padded lists.
Padded items take no part in the loss and get zero gradient; their scores and relevance may
hold any finite value (allRank's padding value -1 included).

**Degenerate lists.** A list whose real items hold no ordered pair (fewer than two real
items, every relevance equal, in particular no relevant item, or the list fully masked) has
no order to learn: it contributes 0 under ``'none'``, is left out of ``'mean'`` (the mean over
the other lists) and gets zero gradient. If every list is degenerate the loss is 0 with zero
gradients.

Each Function computes its gradient in the forward, from what the forward holds (softmaxes,
cumulative log-sum-exps, the sigmoid pair matrix), keeps it, and its backward only scales it
by the reduction's factor: the backwards give first derivatives only. Padding is done with
arithmetic (a padded score is moved :math:`10^{30}` below the list, a padded weight is
multiplied by 0), with no select over the elements.
"""

from __future__ import annotations

import math

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_number,
    check_reduction,
)
from lossbook.losses.structured._lists import check_lists

_BIG = 1e30  # how far below its list a padded score is moved: exp of it is exactly 0, and float32 does not overflow


# ---------------------------------------------------------------------------------------
# Shared: checks, padding, the list weights


def _prepare(scores, relevance, mask):
    """Scores in float32 at least, relevance in their dtype, the mask as 0/1 of that dtype (``None`` stays ``None``)."""
    (s,) = upcast(scores)
    r = relevance.to(s.dtype)
    return s, r, None if mask is None else mask.to(s.dtype)


def _list_weight(r: torch.Tensor, m: torch.Tensor | None) -> torch.Tensor:
    """1 for a list whose real items hold an ordered pair (two different relevances), else 0."""
    if m is None:
        lo, hi = torch.aminmax(r, dim=1)
    else:
        hi = (r * m).add_(m - 1, alpha=_BIG).amax(1)
        lo = (r * m).sub_(m - 1, alpha=_BIG).amin(1)
    return (hi > lo).to(r.dtype)


def _reduced(loss, w, reduction):
    """The reduction of per-list losses weighted by ``w`` (0 for degenerate lists): 'mean' over the others."""
    return reduce(loss, reduction, weight=w, denominator=w.sum().clamp(min=1))


def _list_scale(grad_output, w, reduction):
    """d(reduction)/d(loss of each list), times the upstream gradient, as a column ``(N, 1)``."""
    scale = grad_scale(grad_output, reduction, w.shape, weight=w, denominator=w.sum().clamp(min=1))
    return scale.reshape(-1, 1)  # with a weight the scale is one value per list


def _shifted(x: torch.Tensor, m: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` minus the largest real entry of its list (<= 0; padded entries clamped at 0), and its exp, 0 at padded entries."""
    if m is None:
        z = x - x.amax(1, keepdim=True)
        return z, z.exp()
    top = _pad_below(x, m).amax(1, keepdim=True)  # padded entries zeroed first: a padded 1e38 must not become the top
    z = (x - top).clamp_(max=0)
    return z, z.exp().mul_(m)


def _pad_below(x: torch.Tensor, m: torch.Tensor | None) -> torch.Tensor:
    """``x`` with its padded entries moved 1e30 below: a new tensor, or ``x`` itself without a mask."""
    return x if m is None else (x * m).add_(m - 1, alpha=_BIG)


def _finish(out, scores):
    return out if out.dtype == scores.dtype else out.to(scores.dtype)


# ---------------------------------------------------------------------------------------
# ListNet


class _ListNet(torch.autograd.Function):
    r""":math:`-\sum_i q_i \log p_i` per list, :math:`p = \operatorname{softmax}(s)`, :math:`q = \operatorname{softmax}(r)` over its real items.

    Forward: the two softmaxes from shifted exponentials (the largest real entry subtracted,
    padded ones zeroed), :math:`\log p = z - \log Z` with no floor. Gradients:
    :math:`\partial \ell / \partial s = p - q` and
    :math:`\partial \ell / \partial r_k = -q_k (\log p_k + \ell)`, computed here and kept.
    """

    @staticmethod
    def forward(ctx, s, r, m, w, reduction):
        zs, es = _shifted(s, m)
        zr, er = _shifted(r, m)
        total_s = es.sum(1, keepdim=True).clamp_(min=1)  # >= 1 for a list with a real item (its top term is 1)
        p = es.div_(total_s)
        q = er.div_(er.sum(1, keepdim=True).clamp_(min=1))
        log_p = zs.sub_(total_s.log())
        loss = (q * log_p).sum(1).neg_()
        grad_s = (p - q) if ctx.needs_input_grad[0] else None
        grad_r = log_p.add_(loss.unsqueeze(1)).mul_(q).neg_() if ctx.needs_input_grad[1] else None
        ctx.save_for_backward(grad_s, grad_r, w)
        ctx.reduction = reduction
        return _reduced(loss, w, reduction)

    @staticmethod
    @first_order("listnet_loss")
    def backward(ctx, grad_output):
        grad_s, grad_r, w = ctx.saved_tensors
        scale = _list_scale(grad_output, w, ctx.reduction)
        return (
            None if grad_s is None else grad_s * scale,
            None if grad_r is None else grad_r * scale,
            None,
            None,
            None,
        )


def listnet_loss(
    scores: torch.Tensor,
    relevance: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""ListNet (Cao et al., 2007): the cross-entropy between the top-one distributions of relevance and scores.

    Over the real items of each list,

    .. math::

        q_i = \frac{e^{r_i}}{\sum_j e^{r_j}}, \quad p_i = \frac{e^{s_i}}{\sum_j e^{s_j}}, \qquad
        \ell = -\sum_i q_i \log p_i, \\
        \frac{\partial \ell}{\partial s_i} = p_i - q_i, \qquad
        \frac{\partial \ell}{\partial r_k} = -q_k\,(\log p_k + \ell)

    :math:`p_i` is the probability that item :math:`i` is ranked first under the
    Plackett-Luce model of the scores (the "top-one probability"); the loss is minimal,
    :math:`H(q)`, when :math:`s = r` up to a constant. The log is exact (a log-softmax):
    allRank's ``listNet`` adds ``eps=1e-10`` inside it, which changes the value only where a
    probability falls near 1e-10 and caps its log at about -23. TF-Ranking's ``SoftmaxLoss``
    and optax's ``ranking_softmax_loss`` use :math:`r / \sum r` as the target, a different loss.

    A list whose real items all have the same relevance (no relevant item included) has no
    ordered pair and gives 0, left out of ``'mean'``: that is the part's rule for degenerate
    lists, not a property of the formula. There :math:`q` is uniform and the cross-entropy is
    not constant in the scores (it is :math:`\log n` at equal scores and grows as they
    spread), so allRank's ``listNet``, which applies the formula to every list, counts such a
    list and pulls its scores together.

    Args:
        scores: the model's scores :math:`s`, floating point.
        relevance: graded relevance :math:`r \ge 0` at the real items (integer or floating
            point; a floating tensor is differentiated).
        mask: optional boolean tensor, True at the real items of padded lists.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` averages over the lists that
            are not degenerate (see the module docstring: a list with no ordered pair gives 0).

    Shape:
        - scores, relevance, mask: :math:`(N, L)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``scores`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``scores`` is not floating point, ``relevance`` is not real, ``mask`` is not boolean.
        ValueError: shapes are not ``(N, L)`` or differ, relevance is negative at a real item,
            or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import listnet_loss
        >>> s = torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
        >>> r = torch.tensor([[2.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
        >>> listnet_loss(s, r, reduction="none")
        tensor([0.8324, 2.4591])
        >>> listnet_loss(s, r, mask=torch.tensor([[True, True, False], [True, True, True]]))
        tensor(1.5207)

    References:
        Cao, Qin, Liu, Tsai and Li, *Learning to Rank: From Pairwise Approach to Listwise
        Approach*, ICML 2007.

    Chapter: ``book/structured/listwise-ranking.ipynb``.
    """
    fn = "listnet_loss"
    check_reduction(fn, reduction)
    check_lists(fn, scores, relevance, mask)
    s, r, m = _prepare(scores, relevance, mask)
    w = _list_weight(r.detach(), m)
    return _finish(_ListNet.apply(s, r, m, w, reduction), scores)


class ListNetLoss(_Loss):
    """Module form of :func:`listnet_loss`; the mask is an argument of ``forward``.

    Example:
        >>> import torch
        >>> from lossbook.losses import ListNetLoss
        >>> ListNetLoss()(torch.tensor([[2.0, 1.0, 0.0]]), torch.tensor([[2.0, 1.0, 0.0]]))
        tensor(0.8324)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, scores: torch.Tensor, relevance: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return listnet_loss(scores, relevance, mask=mask, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# ListMLE


def _relevance_order(r: torch.Tensor, m: torch.Tensor | None) -> torch.Tensor:
    """Each list's items by decreasing relevance, ties by increasing index (a stable sort), padded items last."""
    key = r if m is None else _pad_below(r, m)
    return torch.sort(key, dim=1, descending=True, stable=True).indices


class _ListMLE(torch.autograd.Function):
    r"""The Plackett-Luce negative log-likelihood of a given order, with the gradient computed in the forward.

    With the scores in that order, :math:`t`, and :math:`A_k = \log \sum_{j \ge k} e^{t_j}`
    (a reverse cumulative log-sum-exp, over real items only: padded ones sort last and sit
    :math:`10^{30}` below), :math:`\ell = \sum_k (A_k - t_k)` and
    :math:`\partial \ell / \partial t_j = e^{t_j + B_j} - 1`, with
    :math:`B_j = \log \sum_{k \le j} e^{-A_k}` (a forward cumulative log-sum-exp): each
    :math:`e^{t_j - A_k} \le 1`, so nothing overflows at any score. The gradient is scattered
    back to the items' places in the backward.
    """

    @staticmethod
    def forward(ctx, s, order, m, w, reduction):
        v = None if m is None else m.gather(1, order)
        t = _pad_below(s.gather(1, order), v)
        a = t.flip(1).logcumsumexp(1).flip(1)  # A_k = log sum_{j >= k} e^{t_j}
        loss = (a - t) if v is None else (a - t).mul_(v)
        loss = loss.sum(1)
        grad = None
        if ctx.needs_input_grad[0]:
            b = _pad_below(a.neg_(), v).logcumsumexp(1)  # B_j = log sum_{k <= j, real} e^{-A_k}
            grad = exp_(b.add_(t)).sub_(1)  # e^{t_j + B_j} - 1 at real items
            if v is not None:
                grad.mul_(v)  # 0 at padded ones
        ctx.save_for_backward(grad, order, w)
        ctx.reduction = reduction
        return _reduced(loss, w, reduction)

    @staticmethod
    @first_order("listmle_loss")
    def backward(ctx, grad_output):
        grad, order, w = ctx.saved_tensors
        if grad is None:
            return None, None, None, None, None
        g = grad * _list_scale(grad_output, w, ctx.reduction)
        return torch.empty_like(g).scatter_(1, order, g), None, None, None, None


def listmle_loss(
    scores: torch.Tensor,
    relevance: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""ListMLE (Xia et al., 2008): the Plackett-Luce negative log-likelihood of the order given by the relevance.

    Let :math:`\pi` order each list's real items by decreasing relevance, **ties broken by
    increasing item index** (the first of two equally relevant items is put first: a stable
    sort, deterministic). Then

    .. math::

        \ell = -\log \prod_{k=1}^{n} \frac{e^{s_{\pi_k}}}{\sum_{j \ge k} e^{s_{\pi_j}}}
             = \sum_{k=1}^{n} \Big(\log \sum_{j \ge k} e^{s_{\pi_j}} - s_{\pi_k}\Big), \\
        \frac{\partial \ell}{\partial s_{\pi_j}} = \sum_{k \le j} \frac{e^{s_{\pi_j}}}{\sum_{i \ge k} e^{s_{\pi_i}}} - 1

    The inner sums are reverse cumulative log-sum-exps, so the value is exact and finite at
    any finite score; allRank's ``listMLE`` subtracts the list's maximum once and adds
    ``eps=1e-10`` inside the log (its value is wrong by many units when a tail's scores lie
    far below the maximum), and shuffles the items before sorting, so that its ties, and
    its value on lists with ties, are random. The loss is piecewise constant in the
    relevance, which gets no gradient.

    Args:
        scores: the model's scores :math:`s`, floating point.
        relevance: graded relevance :math:`r \ge 0` at the real items (only its order matters).
        mask: optional boolean tensor, True at the real items of padded lists.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` averages over the lists that
            are not degenerate (a list with no ordered pair gives 0, whatever the tie rule).

    Shape:
        - scores, relevance, mask: :math:`(N, L)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``scores`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``scores`` is not floating point, ``relevance`` is not real, ``mask`` is not boolean.
        ValueError: shapes are not ``(N, L)`` or differ, relevance is negative at a real item,
            or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import listmle_loss
        >>> s = torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
        >>> r = torch.tensor([[2.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
        >>> listmle_loss(s, r, reduction="none")
        tensor([0.7209, 6.1435])

    References:
        Xia, Liu, Wang, Zhang and Li, *Listwise Approach to Learning to Rank: Theory and
        Algorithm*, ICML 2008.

    Chapter: ``book/structured/listwise-ranking.ipynb``.
    """
    fn = "listmle_loss"
    check_reduction(fn, reduction)
    check_lists(fn, scores, relevance, mask)
    s, r, m = _prepare(scores, relevance.detach(), mask)
    w = _list_weight(r, m)
    return _finish(_ListMLE.apply(s, _relevance_order(r, m), m, w, reduction), scores)


class ListMLELoss(_Loss):
    """Module form of :func:`listmle_loss`; the mask is an argument of ``forward``.

    Example:
        >>> import torch
        >>> from lossbook.losses import ListMLELoss
        >>> ListMLELoss()(torch.tensor([[2.0, 1.0, 0.0]]), torch.tensor([[2.0, 1.0, 0.0]]))
        tensor(0.7209)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, scores: torch.Tensor, relevance: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return listmle_loss(scores, relevance, mask=mask, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# ApproxNDCG

_LN2 = math.log(2.0)


class _ApproxNDCG(torch.autograd.Function):
    r""":math:`1 - \sum_i g_i / (\mathrm{IDCG} \log_2(1 + \hat\rho_i))` per list, with the gradient computed in the forward.

    The pair matrix :math:`P_{ij} = \sigma(\alpha (s_j - s_i))` (padded scores
    :math:`10^{30}` below the list, so that :math:`P_{ij} = 0` for a padded :math:`j`) gives
    :math:`\hat\rho_i = 1/2 + \sum_j P_{ij}` (the diagonal's :math:`\sigma(0)` is the 1/2).
    With :math:`c_i = g_i / (\mathrm{IDCG}\, \ln 2\, (1 + \hat\rho_i) \log_2^2(1 + \hat\rho_i))`
    and :math:`S = P \odot (1 - P)` (symmetric), :math:`\partial \ell / \partial s = \alpha (S c - c \odot S 1)`;
    :math:`S` overwrites :math:`P`, and one batched matrix product gives :math:`S c`.
    """

    @staticmethod
    def forward(ctx, s, r, m, w, alpha, reduction):
        n, length = s.shape
        gain = (r * _LN2 if m is None else (r * m).mul_(_LN2)).expm1_()  # 2^r - 1, 0 at padded items
        ideal, ideal_order = gain.sort(dim=1, descending=True)
        discount = torch.arange(2, length + 2, device=s.device, dtype=s.dtype).log2_().reciprocal_()  # 1/log2(1 + k)
        idcg = (ideal * discount).sum(1, keepdim=True).clamp_(min=torch.finfo(s.dtype).tiny)
        sm = s if m is None else _pad_below(s, m)
        pair = (sm.unsqueeze(1) - sm.unsqueeze(2)).mul_(alpha).sigmoid_()  # P[n, i, j] = sigma(alpha (s_j - s_i))
        rank = pair.sum(2).add_(0.5)
        log_rank = rank.log1p().div_(_LN2)  # log2(1 + rank)
        a = gain / idcg
        ndcg = (a / log_rank).sum(1)
        grad_s = grad_r = None
        if ctx.needs_input_grad[0]:
            c = a.div(log_rank.square().mul_(rank + 1).mul_(_LN2))
            spread = pair.addcmul_(pair, pair, value=-1)  # S = P (1 - P), in place
            grad_s = torch.bmm(spread, c.unsqueeze(2)).squeeze(2).sub_(spread.sum(2).mul_(c)).mul_(alpha)
        if ctx.needs_input_grad[1]:
            at_ideal = torch.empty_like(gain).scatter_(1, ideal_order, discount.expand(n, length))
            # d(1 - NDCG)/dr_k = -(ln 2) 2^{r_k} / IDCG (1 / log2(1 + rank_k) - NDCG / log2(1 + ideal position_k))
            grad_r = log_rank.reciprocal_().sub_(at_ideal.mul_(ndcg.unsqueeze(1))).mul_((gain + 1 if m is None else (gain + m).mul_(m)).div_(idcg)).mul_(-_LN2)
        ctx.save_for_backward(grad_s, grad_r, w)
        ctx.reduction = reduction
        return _reduced(ndcg.neg_().add_(1), w, reduction)

    @staticmethod
    @first_order("approx_ndcg_loss")
    def backward(ctx, grad_output):
        grad_s, grad_r, w = ctx.saved_tensors
        scale = _list_scale(grad_output, w, ctx.reduction)
        return (
            None if grad_s is None else grad_s * scale,
            None if grad_r is None else grad_r * scale,
            None,
            None,
            None,
            None,
        )


def approx_ndcg_loss(
    scores: torch.Tensor,
    relevance: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    temperature: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""ApproxNDCG (Qin, Liu and Li, 2010): one minus NDCG with each rank replaced by a sigmoid-smoothed rank.

    Over the real items of each list, with :math:`\alpha = 1 / T` (the temperature :math:`T`),

    .. math::

        \hat\rho_i = 1 + \sum_{j \ne i} \sigma\big(\alpha (s_j - s_i)\big), \qquad
        \ell = 1 - \frac{1}{\mathrm{IDCG}} \sum_i \frac{2^{r_i} - 1}{\log_2(1 + \hat\rho_i)}, \\
        \frac{\partial \ell}{\partial s_k} = \alpha \Big(\sum_i c_i S_{ik} - c_k \sum_j S_{kj}\Big), \quad
        S_{ij} = \sigma'\big(\alpha (s_j - s_i)\big), \quad
        c_i = \frac{2^{r_i} - 1}{\mathrm{IDCG}\, \ln 2\, (1 + \hat\rho_i) \log_2^2(1 + \hat\rho_i)}

    :math:`\mathrm{IDCG}` is the DCG of the ideal order (gains :math:`2^r - 1`, discounts
    :math:`1/\log_2(1 + k)`, no cut-off). As :math:`T \to 0` the smoothed rank tends to the
    true rank (for distinct scores) and :math:`\ell` to :math:`1 - \mathrm{NDCG}`, but
    :math:`\sigma'` vanishes except between items whose scores are within a few :math:`T`:
    the gradient dies out. A large :math:`T` gives gradients everywhere and a biased rank.
    The relevance gets its gradient too (through the gains and the IDCG).

    A list with no relevant item (IDCG = 0) gives 0 and is left out of ``'mean'``; allRank's
    ``approxNDCGLoss`` returns :math:`-\mathrm{ApproxNDCG}`, the mean over all lists, so
    that it counts such a list as :math:`1 - 0 = 1` (as a value of :math:`1 - \mathrm{NDCG}`),
    floors each sigmoid at ``eps=1e-10`` and the IDCG at ``eps``. TF-Ranking's ``ApproxNDCGLoss``
    returns :math:`-\mathrm{ApproxNDCG}` too, with ``temperature=0.1`` by default.

    Args:
        scores: the model's scores :math:`s`, floating point.
        relevance: graded relevance :math:`r \ge 0` at the real items (integer or floating
            point; a floating tensor is differentiated).
        mask: optional boolean tensor, True at the real items of padded lists.
        temperature: :math:`T > 0`, the width of the sigmoid (allRank's ``alpha`` is :math:`1/T`).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` averages over the lists that
            are not degenerate (a list with no ordered pair gives 0).

    Shape:
        - scores, relevance, mask: :math:`(N, L)`; the pair matrix is :math:`(N, L, L)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``scores`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``scores`` is not floating point, ``relevance`` is not real, ``mask`` is
            not boolean, ``temperature`` is not a number.
        ValueError: shapes are not ``(N, L)`` or differ, relevance is negative at a real item,
            ``temperature <= 0``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import approx_ndcg_loss
        >>> s = torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
        >>> r = torch.tensor([[2.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
        >>> approx_ndcg_loss(s, r, reduction="none")
        tensor([0.1683, 0.4406])
        >>> approx_ndcg_loss(s, r, temperature=0.1, reduction="none")  # smoothed ranks near (1, 2, 3) and (2.5, 2.5, 1)
        tensor([2.7061e-05, 4.4671e-01])

    References:
        Qin, Liu and Li, *A General Approximation Framework for Direct Optimization of
        Information Retrieval Measures*, Information Retrieval 13, 2010.

    Chapter: ``book/structured/listwise-ranking.ipynb``.
    """
    fn = "approx_ndcg_loss"
    check_reduction(fn, reduction)
    check_number(fn, "temperature", temperature, low=0.0, low_open=True)
    check_lists(fn, scores, relevance, mask)
    s, r, m = _prepare(scores, relevance, mask)
    w = _list_weight(r.detach(), m)
    return _finish(_ApproxNDCG.apply(s, r, m, w, 1.0 / float(temperature), reduction), scores)


class ApproxNDCGLoss(_Loss):
    """Module form of :func:`approx_ndcg_loss`; the mask is an argument of ``forward``.

    Example:
        >>> import torch
        >>> from lossbook.losses import ApproxNDCGLoss
        >>> ApproxNDCGLoss(temperature=0.5)(torch.tensor([[2.0, 1.0, 0.0]]), torch.tensor([[2.0, 1.0, 0.0]]))
        tensor(0.0722)
    """

    def __init__(self, temperature: float = 1.0, reduction: str = "mean") -> None:
        check_number("ApproxNDCGLoss", "temperature", temperature, low=0.0, low_open=True)
        super().__init__(reduction, temperature=temperature)

    def forward(self, scores: torch.Tensor, relevance: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return approx_ndcg_loss(scores, relevance, mask=mask, temperature=self.temperature, reduction=self.reduction)
