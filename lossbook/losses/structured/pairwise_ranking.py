r"""Pairwise ranking losses: margin ranking (PyTorch's), RankNet and LambdaRank's LambdaLoss. Chapter: ``book/structured/pairwise-ranking.ipynb``.

A pairwise loss looks at two items at a time and penalises the pair when the less relevant
item is scored above the more relevant one.

- :func:`margin_ranking_loss` mirrors :func:`torch.nn.functional.margin_ranking_loss`: one
  pair per element, a hinge on the score difference, a label in :math:`\{-1, +1\}` saying
  which of the two should be ranked first. PyTorch accepts any label; lossbook raises.
- :func:`ranknet_loss` and :func:`lambda_loss` take whole lists: ``scores`` and graded
  ``relevance`` of shape ``(N, L)``, N lists of L items, and an optional boolean ``mask``
  ``(N, L)``, True at the real items of padded lists. Every **ordered pair** of a list (two
  real items :math:`i, j` with :math:`y_i > y_j`) adds a logistic loss of
  :math:`s_i - s_j`; RankNet averages them with equal weights, LambdaLoss sums them with
  LambdaRank's :math:`|\Delta \mathrm{NDCG}_{ij}|` weights.

**Degenerate lists.** A list with no ordered pair (fewer than two real items, every relevance
equal, in particular no relevant item, or the list fully masked) has no order to learn: it
contributes 0 under ``'none'``, is left out of ``'mean'`` (the mean over the other lists) and
gets zero gradient. If every list is degenerate the loss is 0 with zero gradients. Padded
items take no part and get zero gradient; their scores and relevance may hold any finite
value (allRank's padding value -1 included).

The list losses' Functions compute the gradient in the forward (the lambdas, from the same
sigmoid matrix as the value), keep it, and their backward only scales it by the reduction's
factor: they give first derivatives only. Masks and pair weights are built with arithmetic
(a sign and a clamp, products with 0/1 masks) rather than selects over the :math:`L^2` pairs.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lossbook.losses._autograd import first_order
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_number,
    check_reduction,
    check_same_device,
    check_signs,
    check_tensor,
    shape_str,
)
from lossbook.losses.structured._lists import check_lists

_BIG = 1e30  # how far below its list a padded item is moved, in sort keys and gains (finite in float32)
_LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------------
# margin ranking loss (PyTorch's)


class _MarginRanking(torch.autograd.Function):
    r""":math:`\max(0, -y (x_1 - x_2) + m)`, reduced inside; gradient :math:`\mp y\,[h \ge 0]` and :math:`-(x_1 - x_2)[h \ge 0]` for the label.

    The forward keeps :math:`g = -y\,[h \ge 0]` (the kink included, as PyTorch's ``clamp_min``),
    times ``'mean'``'s :math:`1/n`, so that the backward is one product with the upstream
    gradient. Under ``create_graph=True`` the backward is written with the inputs, so that the
    second derivatives are right (:math:`\partial^2 \ell / \partial x_1 \partial y = -[h \ge 0]`).
    """

    @staticmethod
    def forward(ctx, x1, x2, y, margin, reduction):
        h = (x2 - x1).mul_(y).add_(margin)  # m - y (x1 - x2)
        out = reduce(h.clamp_min(0), reduction)
        step = (h >= 0).to(h.dtype)
        g = step * y
        g.mul_(-1.0 / h.numel() if reduction == "mean" and h.numel() > 0 else -1.0)  # d/dx1, times mean's 1/n
        ctx.save_for_backward(x1, x2, y, g)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x1, x2, y, g = ctx.saved_tensors
        want1, want2, want_y = ctx.needs_input_grad[:3]
        if torch.is_grad_enabled():  # create_graph=True: written with the inputs, so that the second derivatives are right
            step = (g * y).neg_().detach()  # [h >= 0] times 'mean''s 1/n, a constant (y * y = 1)
            g1 = (y * step).neg_() * grad_output
            gy = (x2 - x1) * step * grad_output if want_y else None
        else:
            g1 = g * grad_output
            gy = (x1 - x2).mul_(y).mul_(g1) if want_y else None  # -(x1 - x2) [h >= 0], as y g = -[h >= 0]
        return (g1 if want1 else None), (-g1 if want2 else None), gy, None, None


def margin_ranking_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    margin: float = 0.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Margin ranking loss of two scores and a label in :math:`\{-1, +1\}`; mirrors :func:`torch.nn.functional.margin_ranking_loss`.

    The label :math:`y = 1` says that :math:`x_1` should be ranked above :math:`x_2`, and
    :math:`y = -1` the reverse; the pair is penalised until the right one leads by the margin:

    .. math::

        \ell = \max(0, -y (x_1 - x_2) + m), \qquad
        \frac{\partial \ell}{\partial x_1} = -\frac{\partial \ell}{\partial x_2} = -y\,[-y (x_1 - x_2) + m \ge 0],
        \qquad \frac{\partial \ell}{\partial y} = -(x_1 - x_2)\,[\dots \ge 0].

    It is the hinge sibling of RankNet's logistic pair loss (:func:`ranknet_loss`), the loss
    of the ranking SVM (Herbrich et al.; Joachims) on sampled pairs. At the kink (the pair
    exactly at the margin) the gradient is the active branch's, PyTorch's convention (its
    ``clamp_min``). Values and gradients equal PyTorch's, the label's gradient included.

    Differences from PyTorch:

    - A label other than -1 and +1 raises a ``ValueError`` (on CPU; a device-side assert on an
      accelerator, no check under :func:`torch.compile`). PyTorch accepts any number and
      scales the hinge by it (its own test inputs draw random labels).
    - ``input2`` and ``target`` must have ``input1``'s shape; PyTorch broadcasts them.

    Args:
        input1: scores :math:`x_1`, floating point.
        input2: scores :math:`x_2`, the shape of ``input1``.
        target: labels :math:`y`, -1 and +1 only, floating point or integer, the shape of
            ``input1``; differentiated when it requires a gradient, as in PyTorch.
        margin: :math:`m`, any real number (PyTorch's default 0).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input1, input2, target: :math:`(*)`, all the same.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input1`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: an input is not a floating-point tensor, ``target`` is bool or complex, or
            ``margin`` is not a number.
        ValueError: shapes differ, ``target`` holds a value other than -1 and +1, or a bad
            ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import margin_ranking_loss
        >>> x1, x2 = torch.tensor([2.0, 0.5, 1.0]), torch.tensor([1.0, 1.0, 1.0])
        >>> margin_ranking_loss(x1, x2, torch.tensor([1.0, 1.0, -1.0]), margin=0.5, reduction="none")
        tensor([0.0000, 1.0000, 0.5000])

    References:
        PyTorch, ``torch.nn.MarginRankingLoss``; R. Herbrich, T. Graepel and K. Obermayer,
        "Large margin rank boundaries for ordinal regression", 2000; T. Joachims, "Optimizing
        search engines using clickthrough data", KDD 2002.

    Chapter: ``book/structured/pairwise-ranking.ipynb``.
    """
    fn = "margin_ranking_loss"
    check_tensor(fn, "input1", input1)
    check_tensor(fn, "input2", input2)
    check_tensor(fn, "target", target, floating=False)
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(f"{fn}: target must be a floating-point or integer tensor of -1 and +1, got dtype {target.dtype}")
    for name, value in (("input2", input2), ("target", target)):
        if value.shape != input1.shape:
            raise ValueError(f"{fn}: {name} shape {shape_str(value)} does not match input1 shape {shape_str(input1)}")
        check_same_device(fn, name, value, input1)
    check_number(fn, "margin", margin)
    check_reduction(fn, reduction)
    check_signs(fn, target)
    x1, x2 = upcast(input1, input2)
    y = target.to(x1.dtype)
    out = _MarginRanking.apply(x1, x2, y, float(margin), reduction)
    return out if out.dtype == input1.dtype else out.to(input1.dtype)


class MarginRankingLoss(_Loss):
    """Module form of :func:`margin_ranking_loss`; mirrors :class:`torch.nn.MarginRankingLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import MarginRankingLoss
        >>> MarginRankingLoss(margin=1.0)(torch.tensor([2.0, 0.0]), torch.tensor([1.5, 0.0]), torch.tensor([1.0, -1.0]))
        tensor(0.7500)
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        check_number("MarginRankingLoss", "margin", margin)
        super().__init__(reduction, margin=margin)

    def forward(self, input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# Lists: checks, the pair matrices, the weighted pairwise logistic Function


def _prepare(scores, relevance, mask):
    """Scores in float32 at least, relevance in their dtype, the mask as 0/1 of that dtype.

    Padded scores and relevance are zeroed (a product with the mask), so that whatever finite
    value they hold (a score of 1e38, a grade of 200 whose gain 2^200 overflows float32) cannot
    reach a sort key, a gain or a score gap; their gradient is 0 through the product.
    """
    (s,) = upcast(scores)
    r = relevance.detach().to(s.dtype)
    if mask is None:
        return s, r, torch.ones_like(s)
    m = mask.to(s.dtype)
    return s * m, r * m, m


def _ordered(values: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """:math:`\\max(0, v_i - v_j)` over the pairs of real items, 0 at a pair with a padded item: ``(N, L, L)``.

    A padded item's value is moved ``_BIG`` down on the left of the difference and up on the
    right, so the difference is about ``-_BIG`` and clamps to 0 (no select, no NaN).
    """
    pad = (1 - m) * _BIG
    return (values - pad)[:, :, None].sub(values.add(pad)[:, None, :]).clamp_(min=0)


def _has_ordered_pair(r: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Whether each list holds an ordered pair: its real items' largest relevance exceeds their smallest, 0/1 ``(N,)``."""
    pad = (1 - m) * _BIG
    spread = (r - pad).amax(1) - (r + pad).amin(1)  # about -2 _BIG for a fully masked list
    return spread.sign_().clamp_(min=0)


def _pairwise_logistic_forward(ctx, s, w, c, count, sigma, reduction):
    r"""Per list :math:`V_n = c_n \sum_{ij} W_{ij} \log(1 + e^{-\sigma (s_i - s_j)})` with constant pair weights :math:`W`, reduced over lists inside.

    The gradient is computed here from the same pair matrix:
    :math:`\partial V_n / \partial s_i = \sigma c_n (\sum_j A_{ji} - \sum_j A_{ij})` with
    :math:`A_{ij} = W_{ij} / (1 + e^{\sigma (s_i - s_j)})`, the lambdas; ``'mean'`` divides by the
    number of lists ``count`` that hold an ordered pair (at least 1).
    """
    u = s[:, :, None] - s[:, None, :]
    if sigma != 1.0:
        u.mul_(sigma)
    per_pair = F.logsigmoid(u)  # -log(1 + e^{-u}), exact and finite at any u
    value = per_pair.mul_(w).sum((1, 2)).mul_(c).neg_().add_(0.0)  # + 0.0: a list without pairs gives 0, not -0
    lam = torch.sigmoid_(u.neg_()).mul_(w)  # A_ij = W_ij sigmoid(-u_ij)
    grad = (lam.sum(1) - lam.sum(2)).mul_(c[:, None] * sigma)
    ctx.save_for_backward(grad, count)
    ctx.reduction = reduction
    return reduce(value, reduction, denominator=count)


def _pairwise_logistic_backward(ctx, grad_output):
    """The gradient kept by the forward, times the reduction's factor (per list for ``'none'``)."""
    grad, count = ctx.saved_tensors
    scale = grad_scale(grad_output, ctx.reduction, grad.shape[:1], denominator=count)
    if ctx.reduction == "none":
        scale = scale[:, None]
    return grad * scale, None, None, None, None, None


class _RankNet(torch.autograd.Function):
    r""":func:`ranknet_loss`: the pairwise logistic loss with weights 1 at the ordered pairs, :math:`c_n = 1 / |\mathcal{P}_n|`."""

    forward = staticmethod(_pairwise_logistic_forward)
    backward = staticmethod(first_order("ranknet_loss")(_pairwise_logistic_backward))


class _LambdaLoss(torch.autograd.Function):
    r""":func:`lambda_loss`: the pairwise logistic loss with weights :math:`|\Delta \mathrm{NDCG}_{ij}|`, :math:`c_n = 1 / \ln 2`."""

    forward = staticmethod(_pairwise_logistic_forward)
    backward = staticmethod(first_order("lambda_loss")(_pairwise_logistic_backward))


def _out(out: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return out if out.dtype == dtype else out.to(dtype)


# ---------------------------------------------------------------------------------------
# RankNet (Burges et al., 2005)


def ranknet_loss(
    scores: torch.Tensor,
    relevance: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    sigma: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""RankNet's loss: the logistic loss of every ordered pair of each list, averaged over the list's pairs.

    RankNet models the probability that item :math:`i` should rank above item :math:`j` as
    :math:`P_{ij} = \sigma_{\text{logistic}}(\sigma (s_i - s_j))` and minimises the
    cross-entropy to the target probability 1 for each ordered pair :math:`(i, j) \in \mathcal{P}_n`
    (two real items of list :math:`n` with :math:`y_i > y_j`):

    .. math::

        \ell_n = \frac{1}{|\mathcal{P}_n|} \sum_{(i, j) \in \mathcal{P}_n} \log\bigl(1 + e^{-\sigma (s_i - s_j)}\bigr),
        \qquad
        \frac{\partial \ell_n}{\partial s_i} = \frac{\sigma}{|\mathcal{P}_n|}
        \Bigl(\sum_{j: (j, i) \in \mathcal{P}_n} \rho_{ji} - \sum_{j: (i, j) \in \mathcal{P}_n} \rho_{ij}\Bigr),
        \quad \rho_{ij} = \frac{1}{1 + e^{\sigma (s_i - s_j)}}.

    Tied pairs (equal relevance) are not used (Burges et al.'s :math:`\bar P_{ij} = 1/2` target
    is left out, as allRank, TF-Ranking and sentence-transformers do). Each list weighs the
    same in ``'mean'`` whatever its number of pairs. A degenerate list (no ordered pair) gives 0
    and is left out of ``'mean'`` (see the module's docstring).

    Differences from the libraries:

    - allRank's ``rankNet(y_pred, y_true, padded_value_indicator=-1)`` pools all the batch's
      ordered pairs in one mean: lists with more pairs weigh more. It equals
      :math:`\sum_n |\mathcal{P}_n| \ell_n / \sum_n |\mathcal{P}_n|` here, and ``'mean'`` when every
      list has the same number of pairs. It has no :math:`\sigma` (:math:`\sigma = 1`), marks padding by
      the relevance -1 where lossbook takes a boolean ``mask``, and gives NaN when no pair is
      ordered (a mean over nothing), where lossbook gives 0.
    - TF-Ranking's v1 loss (``make_loss_fn`` with ``PAIRWISE_LOGISTIC_LOSS``, its default reduction
      ``SUM_BY_NONZERO_WEIGHTS``) sums the batch's ordered pairs and divides by their number, the
      same pooling as allRank. Its Keras ``tfr.keras.losses.PairwiseLogisticLoss`` (reduction
      ``AUTO``) divides the same sum by the batch's N x L items instead (its own example: one
      pair of a 2-item list gives :math:`\log(1 + e^{0.2}) / 2 = 0.399`).

    Args:
        scores: ``(N, L)`` scores :math:`s` of N lists of L items, floating point.
        relevance: ``(N, L)`` graded relevance :math:`y \ge 0` (integer or floating point; not differentiated).
        mask: optional boolean ``(N, L)``, True at the real items.
        sigma: the logistic's slope :math:`\sigma > 0`.
        reduction: ``'none'`` (one loss per list, ``(N,)``) | ``'mean'`` (over the lists with an
            ordered pair) | ``'sum'``.

    Returns:
        The loss, in the dtype of ``scores`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``scores`` is not floating point, ``relevance`` is bool or complex, ``mask``
            is not bool, or ``sigma`` is not a number.
        ValueError: shapes differ, relevance is negative at a real item, ``sigma <= 0``, or a
            bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import ranknet_loss
        >>> s, y = torch.tensor([[0.0, 1.0, 2.0]]), torch.tensor([[2.0, 1.0, 0.0]])
        >>> ranknet_loss(s, y)  # pairs (0, 1), (0, 2), (1, 2): mean of log(1 + e^1), log(1 + e^2), log(1 + e^1)
        tensor(1.5845)

    References:
        C. Burges, T. Shaked, E. Renshaw, A. Lazier, M. Deeds, N. Hamilton and G. Hullender,
        "Learning to rank using gradient descent", ICML 2005.

    Chapter: ``book/structured/pairwise-ranking.ipynb``.
    """
    fn = "ranknet_loss"
    check_lists(fn, scores, relevance, mask)
    check_number(fn, "sigma", sigma, low=0.0, low_open=True)
    check_reduction(fn, reduction)
    s, r, m = _prepare(scores, relevance, mask)
    w = _ordered(r, m).sign_()  # 1 at the ordered pairs
    n_pairs = w.sum((1, 2))
    c = 1 / n_pairs.clamp(min=1)
    count = n_pairs.sign().sum().clamp(min=1)
    return _out(_RankNet.apply(s, w, c, count, float(sigma), reduction), scores.dtype)


class RankNetLoss(_Loss):
    """Module form of :func:`ranknet_loss`; ``mask`` is an argument of ``forward``.

    Example:
        >>> import torch
        >>> from lossbook.losses import RankNetLoss
        >>> RankNetLoss(sigma=2.0)(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]]))
        tensor(0.1269)
    """

    def __init__(self, *, sigma: float = 1.0, reduction: str = "mean") -> None:
        check_number("RankNetLoss", "sigma", sigma, low=0.0, low_open=True)
        super().__init__(reduction, sigma=sigma)

    def forward(self, scores: torch.Tensor, relevance: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return ranknet_loss(scores, relevance, mask=mask, sigma=self.sigma, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# LambdaRank's loss (Burges et al. 2006; Wang et al. 2018, LambdaLoss)


def _lambda_weights(s: torch.Tensor, r: torch.Tensor, m: torch.Tensor, k: int | None) -> torch.Tensor:
    r""":math:`|\Delta \mathrm{NDCG}_{ij}| = (G_i - G_j)\,|1/D_i - 1/D_j|` at the ordered pairs inside the top ``k``, 0 elsewhere: ``(N, L, L)``.

    Ranks come from a stable descending sort of the scores with padded items last (ties: the
    earlier item ranks first); :math:`D = \log_2(1 + \text{rank})`, :math:`G = (2^y - 1) / \mathrm{IDCG@k}`.
    """
    n_items = s.shape[1]
    order = torch.sort(s.detach() - (1 - m) * _BIG, dim=1, descending=True, stable=True).indices
    positions = torch.arange(n_items, device=s.device).expand_as(order)
    rank = torch.empty_like(order).scatter_(1, order, positions)  # 0-based rank of each item
    discount = torch.log2(torch.arange(2, n_items + 2, device=s.device, dtype=s.dtype))
    inv = 1 / discount[rank]
    gain = torch.pow(2.0, r).sub_(1).mul_(m)
    cut = n_items if k is None else min(k, n_items)
    ideal = (gain.sort(dim=1, descending=True).values[:, :cut] / discount[:cut]).sum(1)
    gain = gain / ideal.clamp(min=torch.finfo(s.dtype).tiny)[:, None]
    top = m if cut == n_items else m * (rank < cut).to(s.dtype)  # the pairs inside the top k
    w = _ordered(gain, top)  # G_i - G_j at the ordered pairs, both in the top k
    return w.mul_((inv[:, :, None] - inv[:, None, :]).abs_())


def lambda_loss(
    scores: torch.Tensor,
    relevance: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    k: int | None = None,
    sigma: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""LambdaRank's loss: the pairwise logistic loss weighted by each pair's :math:`|\Delta \mathrm{NDCG}|`, the weights held constant.

    LambdaRank (Burges, Ragno and Le) is defined by its gradient: the pair :math:`(i, j)` with
    :math:`y_i > y_j` pushes :math:`s_i` up and :math:`s_j` down by

    .. math:: \lambda_{ij} = \frac{\sigma\, |\Delta \mathrm{NDCG}_{ij}|}{1 + e^{\sigma (s_i - s_j)}},

    where :math:`|\Delta \mathrm{NDCG}_{ij}| = |G_i - G_j|\,|1/D_i - 1/D_j|` is the change of the
    list's NDCG if :math:`i` and :math:`j` swapped places, :math:`G = (2^y - 1)/\mathrm{IDCG}` and
    :math:`D = \log_2(1 + \text{rank})` with ranks by the current scores. Wang et al. (2018) show
    that this is the gradient of the NDCG-weighted logistic loss with the weights held constant,
    the LambdaLoss framework's ``lambdaRank_scheme``:

    .. math::

        \ell_n = \sum_{y_i > y_j} |\Delta \mathrm{NDCG}_{ij}|\, \log_2\bigl(1 + e^{-\sigma (s_i - s_j)}\bigr),
        \qquad
        \frac{\partial \ell_n}{\partial s_i} = \frac{1}{\ln 2}\Bigl(\sum_{j: y_j > y_i} \lambda_{ji} - \sum_{j: y_i > y_j} \lambda_{ij}\Bigr).

    The weights depend on the scores only through the sort, which is piecewise constant: the
    loss is differentiated with them fixed (exactly its derivative wherever no two scores
    tie). The :math:`1/\ln 2` comes from the binary logarithm. With ``k``, only the pairs whose
    items both rank in the current top ``k`` count and IDCG is IDCG@k (allRank's ``k``).

    Each list's value is exactly allRank's ``lambdaLoss(y_pred, y_true,
    weighing_scheme='lambdaRank_scheme', k=k, sigma=sigma, reduction='sum', reduction_log='binary')``
    on that list, and ``'sum'`` is allRank's value on the batch; ``'mean'`` divides it by the
    number of lists with an ordered pair (allRank has no per-list mean: its ``'mean'`` averages
    over the pairs). The conventions, mapped:

    - padding: allRank marks a padded item by the relevance -1 (``padded_value_indicator``);
      lossbook takes a boolean ``mask``, True at the real items. Both rank padded items last.
    - allRank clamps the pair's sigmoid at ``eps = 1e-10`` before the log, so a pair scored the
      wrong way by more than about :math:`23/\sigma` has the constant value
      :math:`|\Delta \mathrm{NDCG}| \log_2 10^{10}` and zero gradient there; lossbook uses the exact
      :math:`\log_2(1 + e^{-u})` (linear in the score gap, gradient :math:`\lambda`). IDCG is
      clamped at ``eps`` in allRank and at the dtype's smallest normal number here; either only
      matters for a list with no relevant item, which has no ordered pair.
    - ties in the scores: allRank's ``sort`` leaves their order to the kernel; lossbook ranks
      the earlier item first (a stable sort), as :func:`lossbook.metrics.ndcg` does.
    - a degenerate list is 0 in both; lossbook also leaves it out of ``'mean'``. With ``k``, a
      list with an ordered pair counts in ``'mean'`` even when none lies in the top ``k``.

    Args:
        scores: ``(N, L)`` scores :math:`s` of N lists of L items, floating point.
        relevance: ``(N, L)`` graded relevance :math:`y \ge 0` (not differentiated).
        mask: optional boolean ``(N, L)``, True at the real items.
        k: None (every pair) or an int >= 1: only pairs within the current top ``k``, IDCG@k.
        sigma: the logistic's slope :math:`\sigma > 0`.
        reduction: ``'none'`` (one loss per list, ``(N,)``) | ``'mean'`` (over the lists with an
            ordered pair) | ``'sum'``.

    Returns:
        The loss, in the dtype of ``scores`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``scores`` is not floating point, ``relevance`` is bool or complex, ``mask``
            is not bool, or ``sigma`` is not a number.
        ValueError: shapes differ, relevance is negative at a real item, ``k`` is not None or
            an int >= 1, ``sigma <= 0``, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import lambda_loss
        >>> s, y = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 0.0]])
        >>> # the relevant item ranks 2nd: |dNDCG| = (1 - 0) (1 - 1/log2(3)) = 0.369, log2(1 + e) = 1.895
        >>> lambda_loss(s, y)
        tensor(0.6993)

    References:
        C. Burges, R. Ragno and Q. Le, "Learning to rank with nonsmooth cost functions", NIPS 2006;
        X. Wang, C. Li, N. Golbandi, M. Bendersky and M. Najork, "The LambdaLoss framework for
        ranking metric optimization", CIKM 2018; allRank (``allrank/models/losses/lambdaLoss.py``).

    Chapter: ``book/structured/pairwise-ranking.ipynb``.
    """
    fn = "lambda_loss"
    check_lists(fn, scores, relevance, mask)
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise ValueError(f"{fn}: k must be None or an int >= 1, got {k!r}")
    check_number(fn, "sigma", sigma, low=0.0, low_open=True)
    check_reduction(fn, reduction)
    s, r, m = _prepare(scores, relevance, mask)
    w = _lambda_weights(s, r, m, k)
    c = torch.full(s.shape[:1], 1 / _LN2, dtype=s.dtype, device=s.device)
    count = _has_ordered_pair(r, m).sum().clamp(min=1)
    return _out(_LambdaLoss.apply(s, w, c, count, float(sigma), reduction), scores.dtype)


class LambdaLoss(_Loss):
    """Module form of :func:`lambda_loss`; ``mask`` is an argument of ``forward``.

    Example:
        >>> import torch
        >>> from lossbook.losses import LambdaLoss
        >>> LambdaLoss(k=1)(torch.tensor([[0.0, 1.0, 2.0]]), torch.tensor([[2.0, 1.0, 0.0]]))  # no pair inside the top 1
        tensor(0.)
    """

    def __init__(self, *, k: int | None = None, sigma: float = 1.0, reduction: str = "mean") -> None:
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise ValueError(f"LambdaLoss: k must be None or an int >= 1, got {k!r}")
        check_number("LambdaLoss", "sigma", sigma, low=0.0, low_open=True)
        super().__init__(reduction, k=k, sigma=sigma)

    def forward(self, scores: torch.Tensor, relevance: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return lambda_loss(scores, relevance, mask=mask, k=self.k, sigma=self.sigma, reduction=self.reduction)
